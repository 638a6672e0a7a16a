"""Template helpers for an order's payment method and what the buyer still has to do."""

from django import template
from django.utils.safestring import mark_safe

from shop.checkout.payment_methods import registry

register = template.Library()


@register.simple_tag
def payment_method_for(order):
    """``{% payment_method_for order as method %}``: the PaymentMethod the order was placed with."""
    return registry.for_order(order)


@register.simple_tag
def payment_instructions(order, method=None):
    """The method's instructions for this order (HTML), e.g. the bank account to transfer to."""
    method = method or registry.for_order(order)
    return mark_safe(method.render_instructions(order, "html")) if method else ""
