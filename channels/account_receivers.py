"""An on-account order's invoice follows the order: cancelled with it, lowered when lines come off."""

from django.dispatch import receiver

from channels.services import accounts
from shop.order.signals import order_cancelled, order_lines_cancelled


@receiver(order_cancelled, dispatch_uid="channels.invoice_on_order_cancelled")
def invoice_on_order_cancelled(sender, order, **kwargs):
    accounts.invoice_on_order_cancelled(order=order)


@receiver(order_lines_cancelled, dispatch_uid="channels.invoice_on_order_lines_cancelled")
def invoice_on_order_lines_cancelled(sender, order, **kwargs):
    accounts.invoice_on_order_total_changed(order=order)
