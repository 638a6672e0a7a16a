"""What card payments do to an Oscar order: mark it paid, cancel it unpaid, flag it for staff.

Every change the payment app makes to an order goes through this module. Status changes go
through Oscar's ``EventHandler`` loaded with ``get_class``, so the order app's own handler is used
when it has one: the checkout's ``shop.order.processing.EventHandler`` sends "Cancelled" through
``shop.order.services.order_cancel`` (stock back, ``order_cancelled`` signal, note). Without it,
Oscar's handler only changes the status, so ``order_cancel_unpaid`` first gives the stock back
itself with Oscar's ``Line.cancel_allocation`` (idempotent: a line whose allocation is cancelled
is skipped, by this code and by ``order_cancel`` alike).
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

    Idempotent and atomic; the order row is locked first, so the unpaid-order job and a staff
    click cannot both cancel it.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == ORDER_CANCELLED:
        return False
    if ORDER_CANCELLED not in order.available_statuses():
        logger.warning("order %s cannot be cancelled from %r", order.number, order.status)
        return False
    # Stock-record order, so concurrent cancellations lock stock records in one order.
    lines = order.lines.select_related("stockrecord", "product__product_class")
    for line in sorted(lines, key=lambda line: (line.stockrecord_id or 0, line.pk)):
        if line.stockrecord_id and line.num_allocated and not line.allocation_cancelled:
            line.cancel_allocation(line.num_allocated)
    EventHandler().handle_order_status_change(order, ORDER_CANCELLED, note_msg=reason)
    return True


def order_flag(*, order, message: str) -> None:
    """Leave a warning note on the order for staff (it shows on the dashboard's order page)."""
    OrderNote.objects.create(order=order, note_type=OrderNote.WARNING, message=message)


def order_note(*, order, message: str, user=None) -> None:
    OrderNote.objects.create(order=order, note_type=OrderNote.SYSTEM, message=message, user=user)
