"""The "still ¥X to free delivery" nudge on the basket page."""

from decimal import Decimal

from django import template

register = template.Library()


@register.simple_tag
def free_delivery_gap(basket) -> Decimal | None:
    """How much more the basket needs for free delivery: a positive amount, 0 when it already has
    it, None when no free threshold applies (an empty basket, or a method without one)."""
    from oscar.core.loading import get_class

    if basket is None or basket.is_empty:
        return None
    method = get_class("shipping.repository", "Repository")().get_default_shipping_method(basket=basket)
    free_from = getattr(method, "free_from", None)
    if free_from is None:
        return None
    return max(Decimal("0.00"), free_from - basket.total_incl_tax)
