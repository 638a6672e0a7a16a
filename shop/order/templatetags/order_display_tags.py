"""Template helpers for showing orders to buyers."""

from django import template

from shop.order.statuses import status_label as _status_label

register = template.Library()


@register.filter
def status_label(status: str) -> str:
    """The translated name of an order or line status: ``{{ order.status|status_label }}``."""
    return _status_label(status)
