"""What card payments do to an Oscar order: mark it paid, cancel it unpaid, flag it for staff.

Every change the payment app makes to an order goes through this module, so the order app's own
services can take over in one place: ``order_cancel_unpaid`` is the single call to point at
``shop.order.services.order_cancel`` once that exists (see shop/payment/README.md, "Wiring").
Until then it cancels with Oscar's own means: each line's allocation is cancelled (the stock
record's ``num_allocated`` goes back down) and the order moves to "Cancelled".
"""

import logging

from django.db import transaction
from oscar.core.loading import get_class, get_model

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
EventHandler = get_class("order.processing", "EventHandler")

# The statuses of settings.OSCAR_ORDER_STATUS_PIPELINE that card payments move between.
ORDER_PENDING_PAYMENT = "Pending payment"
ORDER_PAID = "Paid"
ORDER_CANCELLED = "Cancelled"


def order_is_pending_payment(order) -> bool:
    return order.status == ORDER_PENDING_PAYMENT


def order_is_cancelled(order) -> bool:
    return order.status == ORDER_CANCELLED


@transaction.atomic
def order_mark_paid(*, order, note: str) -> bool:
    """Move a pending order to "Paid" with a system note; False when its status does not allow it."""
    if ORDER_PAID not in order.available_statuses():
        return False
    EventHandler().handle_order_status_change(order, ORDER_PAID, note_msg=note)
    return True


@transaction.atomic
def order_cancel_unpaid(*, order, reason: str) -> bool:
    """Cancel an order that was never paid and give its stock back; False if it already was.

    Idempotent and atomic. This is the one call to replace with the order app's
    ``order_cancel(order=order, reason=reason)`` once it exists.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == ORDER_CANCELLED:
        return False
    if ORDER_CANCELLED not in order.available_statuses():
        logger.warning("order %s cannot be cancelled from %r", order.number, order.status)
        return False
    # Lines in primary-key order, so concurrent cancellations take stock-record locks in one order.
    for line in order.lines.select_related("stockrecord", "product__product_class").order_by("pk"):
        if line.stockrecord_id and line.num_allocated and not line.allocation_cancelled:
            line.cancel_allocation(line.num_allocated)
    EventHandler().handle_order_status_change(order, ORDER_CANCELLED, note_msg=reason)
    return True


def order_flag(*, order, message: str) -> None:
    """Leave a warning note on the order for staff (it shows on the dashboard's order page)."""
    OrderNote.objects.create(order=order, note_type=OrderNote.WARNING, message=message)


def order_note(*, order, message: str, user=None) -> None:
    OrderNote.objects.create(order=order, note_type=OrderNote.SYSTEM, message=message, user=user)
