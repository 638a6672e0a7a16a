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


@register.simple_tag
def payment_hold_deadline(order, method=None):
    """``{% payment_hold_deadline order as deadline %}``: when the unpaid order stops holding its stock."""
    method = method or registry.for_order(order)
    return method.hold_deadline(order) if method else None


@register.simple_tag
def bank_transfer_awaited(order):
    """Whether staff may confirm a bank transfer for this order (placed for transfer, still unpaid)."""
    from shop.order import statuses

    method = registry.for_order(order)
    return bool(method and method.code == "bank-transfer" and order.status == statuses.PENDING_PAYMENT)
