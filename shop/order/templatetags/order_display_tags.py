"""Template helpers for showing orders to buyers."""

from django import template
from django.utils.translation import gettext

from shop.order.statuses import LABELS
from shop.order.statuses import status_label as _status_label

register = template.Library()


@register.filter
def status_label(status: str) -> str:
    """The translated name of an order or line status: ``{{ order.status|status_label }}``."""
    return _status_label(status)


@register.filter
def stored_name(value: str) -> str:
    """A name Oscar or a migration stored in English (a status, a payment event type such as "Paid", a
    communication type such as "Order placed"), in the reader's language when a catalogue knows it;
    a name staff typed themselves is shown as typed."""
    if not value:
        return value
    label = LABELS.get(value)
    return str(label) if label is not None else gettext(value)
