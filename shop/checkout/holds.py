"""Unpaid orders hold their stock for a limited time per payment method; staff confirm transfers.

* ``SHOP_PAYMENT_HOLD_MINUTES`` gives each method's hold (bank transfer 3 days, pay on delivery 5
  days by default). An order still in one of its method's ``held_statuses`` when the hold is over
  is cancelled by ``order_hold_expire`` (the periodic job ``order_holds_expire_task``) through the
  one cancellation service, ``shop.order.services.order_cancel``: stock records and batches get
  their units back. The buyer is told by e-mail and SMS, through the outbox.
* ``order_bank_transfer_confirm`` is how staff record that a transfer arrived: the order moves to
  "Paid", Oscar's payment history gets the transfer (source debited, "Paid" payment event), a note
  says who confirmed it, when and with which bank reference, and the buyer's receipt goes into the
  outbox. A confirmed order is never expired.

Both lock the order row first (then ``order_cancel`` locks stock records, then batches: the shop's
lock order), and each checks the status again under the lock, so when expiry and confirmation race
exactly one of them wins and the other changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from core.outbox import outbox_add, outbox_sms
from shop.order import statuses
from shop.order.services import order_cancel, order_status_path
from shop.phone.services import payment_receipt_sms_record

from .payment_methods import BankTransfer, registry

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
PaymentEventType = get_model("order", "PaymentEventType")
CommunicationEventType = get_model("communication", "CommunicationEventType")
EventHandler = get_class("order.processing", "EventHandler")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")

HOLD_EXPIRED_EVENT_CODE = "ORDER_HOLD_EXPIRED"
PAYMENT_RECEIVED_EVENT_CODE = "PAYMENT_RECEIVED"  # the same e-mail as a card payment's receipt


class TransferNotConfirmed(ValidationError):
    """The transfer cannot be recorded on this order; the message says why, for staff."""


# --- Expiry ------------------------------------------------------------------------------------
def orders_past_hold(*, now: datetime | None = None):
    """Ids of orders whose method's hold is over while they are still held (oldest first)."""
    now = now or timezone.now()
    condition = Q()
    for method in registry.all():
        hold = method.hold()
        if hold is None:
            continue
        condition |= Q(
            sources__source_type__code=method.code,
            status__in=method.held_statuses,
            date_placed__lte=now - hold,
        )
    if not condition:
        return Order.objects.none()
    return (
        Order.objects.filter(condition).order_by("date_placed", "pk").values_list("pk", flat=True).distinct()
    )


@transaction.atomic
def order_hold_expire(*, order_id: int, now: datetime | None = None) -> bool:
    """Cancel one unpaid order whose hold is over and tell its buyer; False if it is no longer held.

    Checked again under the order's row lock: an order confirmed, shipped or cancelled meanwhile
    is left as it is.
    """
    now = now or timezone.now()
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        return False
    method = registry.for_order(order)
    deadline = method.hold_deadline(order) if method else None
    if deadline is None or deadline > now:
        return False
    order_cancel(
        order=order,
        note=_("Not paid within the time allowed for %(method)s (until %(deadline)s).")
        % {"method": method.name, "deadline": _local(deadline)},
    )
    outbox_add(
        kind="checkout.hold_expired", payload={"order_id": order.pk}, key=f"order:{order.pk}:hold-expired"
    )
    phone = _phone(order)
    if phone:
        with translation.override(settings.LANGUAGE_CODE):
            text = _(
                "[%(shop)s] Your order %(number)s was not paid in time and has been cancelled; "
                "nothing will be charged. You are welcome to order again."
            ) % {"shop": settings.OSCAR_SHOP_NAME, "number": order.number}
        outbox_sms(to=phone, text=text, key=f"order:{order.pk}:hold-expired:sms")
    logger.info("order %s: hold over, cancelled", order.number)
    return True


def order_holds_expire(*, now: datetime | None = None, limit: int = 200) -> int:
    """Cancel every order past its method's hold (each in its own transaction); returns how many."""
    now = now or timezone.now()
    cancelled = 0
    for order_id in list(orders_past_hold(now=now)[:limit]):
        try:
            cancelled += order_hold_expire(order_id=order_id, now=now)
        except Exception:  # one order that cannot be cancelled must not stop the others
            logger.exception("order %s: hold over, but it could not be cancelled", order_id)
    return cancelled


# --- Confirming a bank transfer ----------------------------------------------------------------
@transaction.atomic
def order_bank_transfer_confirm(*, order, user, reference: str) -> Order:
    """Staff record that the buyer's transfer arrived: the order is paid (see the module docstring).

    Raises ``TransferNotConfirmed`` when the order was not placed for bank transfer, is no longer
    waiting for payment (paid, cancelled for want of payment …), or no bank reference is given.
    """
    reference = " ".join((reference or "").split())[:128]
    if not reference:
        raise TransferNotConfirmed(_("Enter the bank's reference of the transfer."))
    order = Order.objects.select_for_update().get(pk=order.pk)
    method = registry.for_order(order)
    if method is None or method.code != BankTransfer.code:
        raise TransferNotConfirmed(
            _("Order %(number)s is not paid by bank transfer.") % {"number": order.number}
        )
    if order.status != statuses.PENDING_PAYMENT:
        raise TransferNotConfirmed(
            _("Order %(number)s is “%(status)s”: only an order waiting for payment can be confirmed as paid.")
            % {"number": order.number, "status": statuses.status_label(order.status)}
        )
    source = order.sources.filter(source_type__code=BankTransfer.code).order_by("pk").first()
    source.debit(order.total_incl_tax, reference=reference, status="confirmed")
    event_type, _created = PaymentEventType.objects.get_or_create(name="Paid")
    lines = list(order.lines.order_by("pk"))
    handler = EventHandler(user=user)
    handler.create_payment_event(
        order,
        event_type,
        order.total_incl_tax,
        lines=lines,
        line_quantities=[line.quantity for line in lines],
        reference=reference,
    )
    handler.handle_order_status_change(
        order,
        statuses.PAID,
        note_msg=_("Bank transfer received (bank reference %(reference)s), confirmed by %(user)s.")
        % {"reference": reference, "user": user.get_full_name() or user.email or user.get_username()},
    )
    # The receipt by e-mail, or by SMS for an order with no e-mail but a verified mobile (shop.phone).
    if not payment_receipt_sms_record(order=order):
        outbox_add(
            kind="checkout.transfer_receipt",
            payload={"order_id": order.pk},
            key=f"order:{order.pk}:transfer-receipt",
        )
    return order


# --- The buyer's e-mails (outbox handlers' services) -------------------------------------------
def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _phone(order) -> str:
    address = order.shipping_address
    return str(address.phone_number) if address is not None and address.phone_number else ""


def _order_email(*, order_id: int, code: str, name: str, context: dict) -> bool:
    """Send one of the order's e-mails once (Oscar's communication event is the record); True if sent."""
    order = Order.objects.select_for_update(of=("self",)).select_related("user").filter(pk=order_id).first()
    if order is None or not order.email:
        return False
    event_type, _created = CommunicationEventType.objects.get_or_create(
        code=code, defaults={"name": name, "category": CommunicationEventType.ORDER_RELATED}
    )
    if order.communication_events.filter(event_type=event_type).exists():
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "order": order,
            "lines": order.lines.all(),
            "status_path": order_status_path(order),
            **context,
        }
        dispatcher = OrderDispatcher(logger=logger)
        messages = dispatcher.dispatcher.get_messages(code, context)
        dispatcher.dispatch_order_messages(order, messages, code)
    return True


def order_hold_expired_send(*, order_id: int) -> bool:
    """E-mail the buyer that their unpaid order was cancelled when its hold ran out."""
    return _order_email(
        order_id=order_id,
        code=HOLD_EXPIRED_EVENT_CODE,
        name="Order cancelled: not paid in time",
        context={"shop_name": settings.OSCAR_SHOP_NAME},
    )


def order_transfer_receipt_send(*, order_id: int) -> bool:
    """E-mail the buyer that their bank transfer arrived (the card receipt's template)."""
    order = Order.objects.filter(pk=order_id).only("total_incl_tax").first()
    if order is None:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        payment = SimpleNamespace(amount=order.total_incl_tax, method_label=str(BankTransfer.name))
    return _order_email(
        order_id=order_id,
        code=PAYMENT_RECEIVED_EVENT_CODE,
        name="Payment received",
        context={"payment": payment},
    )
