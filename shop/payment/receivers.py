"""Signal receivers: a card payment follows its order when someone else cancels the order."""

from django.dispatch import receiver
from oscar.apps.order.signals import order_status_changed

from shop.order.signals import order_lines_cancelled

from . import services
from .orders import ORDER_CANCELLED


@receiver(order_status_changed, dispatch_uid="payment.cancel_intent_with_order")
def cancel_intent_with_order(sender, order, old_status, new_status, **kwargs):
    """Whoever cancels an order (staff, the buyer, a job), its PaymentIntent is cancelled too."""
    if new_status == ORDER_CANCELLED:
        services.payment_on_order_cancelled(order=order)


def cancel_intent_on_order_cancelled(sender, order, **kwargs):
    """For the order app's ``order_cancelled`` signal, in case it cancels without set_status."""
    services.payment_on_order_cancelled(order=order)


@receiver(order_lines_cancelled, dispatch_uid="payment.follow_lower_total")
def follow_lower_total(sender, order, **kwargs):
    """Lines were taken off an unpaid order (a recall): its pending card payment asks for less."""
    services.payment_on_order_total_lowered(order=order)
