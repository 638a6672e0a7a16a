"""Order and line statuses: the stored (English) values and their translated labels.

The values are the keys of ``OSCAR_ORDER_STATUS_PIPELINE`` in settings; they are stored as-is in
``Order.status``, so they never change. What buyers and staff read is ``status_label(value)``.
"""

from django.utils.translation import pgettext_lazy

PENDING_PAYMENT = "Pending payment"
AWAITING_SHIPMENT = "Awaiting shipment"
PAID = "Paid"
SHIPPED = "Shipped"
COMPLETE = "Complete"
CANCELLED = "Cancelled"

#: Orders nobody has paid for yet: "Pending payment" (card, bank transfer) and "Awaiting shipment",
#: which only orders paid on delivery reach before they are paid (card and transfer go to "Paid").
AWAITING_PAYMENT = (PENDING_PAYMENT, AWAITING_SHIPMENT)

LABELS = {
    PENDING_PAYMENT: pgettext_lazy("order status", "Pending payment"),
    AWAITING_SHIPMENT: pgettext_lazy("order status", "Awaiting shipment"),
    PAID: pgettext_lazy("order status", "Paid"),
    SHIPPED: pgettext_lazy("order status", "Shipped"),
    COMPLETE: pgettext_lazy("order status", "Complete"),
    CANCELLED: pgettext_lazy("order status", "Cancelled"),
}


def status_label(status: str) -> str:
    """The translated name of a status; an unknown status is shown as stored."""
    label = LABELS.get(status)
    return str(label) if label is not None else status
