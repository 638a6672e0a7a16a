"""Order services: cancelling an order, its confirmation e-mail, parcels and the "shipped" notice."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext
from oscar.core.loading import get_class, get_model
from oscar.templatetags.currency_filters import currency

from core.outbox import outbox_add
from core.sms import send_sms

from . import statuses
from .signals import order_cancelled, order_lines_cancelled

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
CommunicationEventType = get_model("communication", "CommunicationEventType")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")
InvalidOrderStatus = get_class("order.exceptions", "InvalidOrderStatus")

logger = logging.getLogger(__name__)

ORDER_PLACED = OrderDispatcher.ORDER_PLACED_EVENT_CODE


@transaction.atomic
def order_cancel(*, order: Order, user=None, note: str = "") -> Order:
    """Cancel an order and give its stock back; cancelling a cancelled order does nothing.

    Locks the order row first, so two cancellations (a staff click and the expiry job) cannot
    both give the stock back. Allocations still held by each line are returned to their stock
    records (Oscar's ``Line.cancel_allocation``) in stock-record order, the status becomes
    "Cancelled" (cascading to the lines), a note records who cancelled and why, and
    ``order_cancelled`` is sent inside the transaction. Raises ``InvalidOrderStatus`` when the
    order can no longer be cancelled (e.g. it has shipped).
    """
    order = Order._default_manager.select_for_update().get(pk=order.pk)
    if order.status == statuses.CANCELLED:
        return order
    if statuses.CANCELLED not in order.available_statuses():
        raise InvalidOrderStatus(
            gettext("Order %(number)s is “%(status)s” and can no longer be cancelled.")
            % {"number": order.number, "status": statuses.status_label(order.status)}
        )

    lines = order.lines.select_related("stockrecord", "product__product_class", "product__parent")
    for line in sorted(lines, key=lambda line: (line.stockrecord_id or 0, line.pk)):
        if line.stockrecord_id and not line.allocation_cancelled and line.num_allocated:
            line.cancel_allocation(line.num_allocated)

    order.set_status(statuses.CANCELLED)
    message = gettext("Order cancelled; its stock was released.")
    if note:
        message = f"{message} {note}"
    order.notes.create(user=user, message=message, note_type=OrderNote.SYSTEM)
    order_cancelled.send(sender=Order, order=order, user=user)
    return order


UNBILL_ADJUSTED = "adjusted"
UNBILL_CANCELLED = "cancelled"


@transaction.atomic
def order_lines_unbill(*, order: Order, line_ids, note: str, user=None) -> str:
    """Take lines off the bill of an order nobody has paid for yet; returns what happened to the order.

    "cancelled": no other line was left, so the whole order was cancelled (``order_cancel``);
    "adjusted": the lines' allocations were given back, their status set to "Cancelled" and their
    prices zeroed (their unit prices stay, for the record), the order's totals and its payment
    source lowered by what they cost, a note says which and why, and ``order_lines_cancelled`` is
    sent; "" when there is nothing to do (the order is paid or shipped, or the lines are off already).
    Shipping is never raised: the buyer pays no more than agreed. Locks the order row first.
    """
    order = Order._default_manager.select_for_update().get(pk=order.pk)
    if order.status not in statuses.AWAITING_PAYMENT:
        return ""
    live = order.lines.exclude(status=statuses.CANCELLED)
    lines = list(
        live.filter(pk__in=list(line_ids)).select_related(
            "stockrecord", "product__product_class", "product__parent"
        )
    )
    if not lines:
        return ""
    if not live.exclude(pk__in=[line.pk for line in lines]).exists():
        order_cancel(order=order, user=user, note=note)
        return UNBILL_CANCELLED

    removed_incl = sum((line.line_price_incl_tax for line in lines), start=0)
    removed_excl = sum((line.line_price_excl_tax for line in lines), start=0)
    for line in sorted(lines, key=lambda line: (line.stockrecord_id or 0, line.pk)):
        if line.stockrecord_id and not line.allocation_cancelled and line.num_allocated:
            line.cancel_allocation(line.num_allocated)
        line.set_status(statuses.CANCELLED)
        line.line_price_incl_tax = line.line_price_excl_tax = 0
        line.line_price_before_discounts_incl_tax = line.line_price_before_discounts_excl_tax = 0
        line.save()
    order.total_incl_tax -= removed_incl
    order.total_excl_tax -= removed_excl
    order.save(update_fields=["total_incl_tax", "total_excl_tax"])
    order.sources.filter(amount_debited=0).update(amount_allocated=order.total_incl_tax)
    titles = "、".join(f"{line.title} × {line.quantity}" for line in lines)
    order.notes.create(
        user=user,
        note_type=OrderNote.SYSTEM,
        message=gettext("Taken off the bill: %(lines)s (%(amount)s less). %(note)s")
        % {"lines": titles, "amount": currency(removed_incl, order.currency), "note": note},
    )
    order_lines_cancelled.send(sender=Order, order=order, lines=lines, user=user)
    return UNBILL_ADJUSTED


def order_status_path(order: Order) -> str:
    """Where the buyer follows the order: their account page, or the guest status page."""
    try:
        if order.user_id:
            return reverse("customer:order", kwargs={"order_number": order.number})
        return reverse(
            "customer:anon-order",
            kwargs={"order_number": order.number, "hash": order.verification_hash()},
        )
    except NoReverseMatch:
        return ""


def order_confirmation_record(*, order: Order) -> None:
    """Inside the placement transaction: the confirmation e-mail goes in the outbox (sent after commit)."""
    outbox_add(
        kind="order.confirmation", payload={"order_id": order.pk}, key=f"order:{order.pk}:confirmation"
    )


@transaction.atomic
def order_confirmation_send(*, order_id: int) -> bool:
    """E-mail the buyer the order confirmation once; True if it was sent by this call.

    Idempotent: the order row is locked and Oscar's ``CommunicationEvent`` for "ORDER_PLACED" is
    checked first and written with the send, in one transaction. A retry or a second delivery of
    the task finds the event and sends nothing; if sending fails, the event is rolled back, so the
    retry sends it. The mail is rendered in the site's default language (zh-hans).
    """
    from shop.checkout.payment_methods import registry  # checkout builds on order, not the reverse

    order = (
        Order._default_manager.select_for_update(of=("self",))
        .select_related("user", "shipping_address")
        .get(pk=order_id)
    )
    event_type, _created = CommunicationEventType._default_manager.get_or_create(
        code=ORDER_PLACED,
        defaults={"name": "Order placed", "category": CommunicationEventType.ORDER_RELATED},
    )
    if order.communication_events.filter(event_type=event_type).exists():
        logger.info("Order #%s: confirmation already sent, not sending again", order.number)
        return False
    if not order.email:
        logger.warning("Order #%s: no e-mail address to send the confirmation to", order.number)
        return False

    with translation.override(settings.LANGUAGE_CODE):
        method = registry.for_order(order)
        status_path = order_status_path(order)
        context = {
            "order": order,
            "lines": order.lines.all(),
            "user": order.user,
            "shop_name": settings.OSCAR_SHOP_NAME,
            "status_path": status_path,
            "payment_method": method,
            "payment_instructions_html": method.render_instructions(order, "html") if method else "",
            "payment_instructions_text": method.render_instructions(order, "txt") if method else "",
        }
        if status_path:
            context["status_url"] = status_path  # Oscar's templates test this flag
        OrderDispatcher(logger=logger).send_order_placed_email_for_user(order, context)
    return order.communication_events.filter(event_type=event_type).exists()


# --- Shipping and the order's timeline (issue 15, part 6) -------------------------------------------

#: Statuses from which an order may be marked shipped (paid, or to be paid on delivery or on account).
SHIPPABLE = (statuses.PAID, statuses.AWAITING_SHIPMENT, statuses.SHIPPED)


class ShipmentRefused(Exception):
    """The order cannot be shipped now; the message says why."""


@transaction.atomic
def shipment_record(*, order: Order, carrier: str, tracking_number: str = "", user=None, supplier=None):
    """Record a parcel sent for ``order`` and mark the order "Shipped" (the first parcel does).

    Refused, writing nothing, for an order not yet paid (unless paid on delivery or on account),
    cancelled or complete; a carrier other than our own delivery needs a tracking number.
    """
    Shipment = get_model("order", "Shipment")
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in SHIPPABLE:
        raise ShipmentRefused(
            gettext("Order %(number)s cannot be shipped while it is “%(status)s”.")
            % {"number": order.number, "status": statuses.status_label(order.status)}
        )
    tracking_number = (tracking_number or "").strip()
    if carrier not in Shipment.Carrier.values:
        raise ShipmentRefused(gettext("Choose the carrier from the list."))
    if carrier != Shipment.Carrier.OWN and not tracking_number:
        raise ShipmentRefused(gettext("Enter the carrier's tracking number."))
    shipment = Shipment.objects.create(
        order=order, carrier=carrier, tracking_number=tracking_number, recorded_by=user, supplier=supplier
    )
    if order.status != statuses.SHIPPED:
        order.set_status(statuses.SHIPPED)
    shipment_notice_record(shipment=shipment)
    return shipment


def shipment_notice_record(*, shipment) -> None:
    """Inside the transaction recording the parcel: the buyer's "shipped" notice goes in the outbox.

    Keyed by order, carrier and tracking number: the same parcel entered twice notifies once, and a
    parcel entered again with a corrected tracking number sends a new notice (the correction)."""
    outbox_add(
        kind="order.shipment_notice",
        payload={"shipment_id": shipment.pk},
        key=f"order:{shipment.order_id}:shipped:{shipment.carrier}:{shipment.tracking_number}"[:255],
    )


def shipment_notice_send(*, shipment_id: int) -> str:
    """Tell the buyer the parcel left: by e-mail when the order has an address, else by SMS to its
    verified mobile number; returns "email", "sms" or "" (nobody to tell, or the parcel is gone).

    Run by the outbox handler, whose key makes it once per parcel (at least once, as every outbox
    delivery: a worker dying between the send and its commit sends again)."""
    from shop.phone.services import order_absolute_url, order_mobile

    Shipment = get_model("order", "Shipment")
    shipment = Shipment.objects.select_related("order").filter(pk=shipment_id).first()
    if shipment is None:
        return ""
    order = shipment.order
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "order": order,
            "shipment": shipment,
            "carrier": shipment.get_carrier_display(),
            "url": order_absolute_url(order),
            "shop_name": settings.WAGTAIL_SITE_NAME,
        }
        if order.email:
            subject = render_to_string("order/emails/shipped_subject.txt", context).strip()
            body = render_to_string("order/emails/shipped_body.txt", context)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [order.email])
            return "email"
        number = order_mobile(order)
        if not number:
            return ""
        send_sms(number, render_to_string("order/sms/shipped.txt", context).strip())
        return "sms"


def order_timeline(order: Order) -> list[dict]:
    """The steps of an order as the buyer follows it: placed, paid, each parcel shipped (carrier and
    tracking number), complete, or cancelled; each with its time, the ones still ahead not done.

    Reads the order's status changes and shipments (two queries, or none when prefetched)."""
    changes = {}
    for change in order.status_changes.all():
        changes.setdefault(change.new_status, change.date_created)
    shipments = list(order.shipments.all())
    steps = [{"label": gettext("Order placed"), "when": order.date_placed, "done": True, "detail": ""}]
    if order.status == statuses.CANCELLED:
        steps.append(
            {
                "label": gettext("Cancelled"),
                "when": changes.get(statuses.CANCELLED),
                "done": True,
                "detail": "",
            }
        )
        return steps
    paid_at = changes.get(statuses.PAID)
    if paid_at or order.status == statuses.PENDING_PAYMENT:  # (paid on delivery: no such step)
        steps.append(
            {"label": gettext("Payment received"), "when": paid_at, "done": bool(paid_at), "detail": ""}
        )
    if shipments:
        for shipment in shipments:
            detail = shipment.get_carrier_display()
            if shipment.tracking_number:
                detail = f"{detail} {shipment.tracking_number}"
            steps.append(
                {"label": gettext("Shipped"), "when": shipment.shipped_at, "done": True, "detail": detail}
            )
    else:
        steps.append({"label": gettext("Shipped"), "when": None, "done": False, "detail": ""})
    steps.append(
        {
            "label": gettext("Delivered"),
            "when": changes.get(statuses.COMPLETE),
            "done": order.status == statuses.COMPLETE,
            "detail": "",
        }
    )
    return steps
