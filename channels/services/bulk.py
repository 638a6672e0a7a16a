"""Bulk orders of an organisation (issue 13, part 4): from the basket, from an order sheet, as a
re-order of a past order, or from an accepted quote; and a channel manager's confirmation.

``channel_order_place`` is the one way an organisation's order is placed outside checkout. It checks
every line first (the member's organisation may order; each product is on sale, in stock, ordered
from its minimum and in whole cases; each delivery site is the organisation's own and in use; each
day is not in the past) and refuses with *every* problem listed, writing nothing. Then, in one
transaction, the order goes through ``shop.order.placement.order_place`` (the checkout's own
``OrderCreator``: stock records locked and allocated, batches allocated, the organisation locked and
its link written), the link gets its source, PO number and note, each line its delivery (one per
site and day), and the confirmation e-mail goes in the outbox.

Reads are batched: the products, their classes and stock records in one query each, however many
lines, so the cost per line is the placement's own.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from channels.models import Delivery, DeliveryLine, DeliverySite, Membership, OrganisationOrder
from channels.permissions import require_channel
from shop.order.placement import PlacementLine, order_place
from shop.order.services import order_confirmation_record

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
Selector = get_class("partner.strategy", "Selector")
UnableToPlaceOrder = get_class("order.exceptions", "UnableToPlaceOrder")

#: Most lines one order may have (a sheet is cut off by its own limit first).
MAX_LINES = 2000


@dataclass
class OrderLine:
    """One line a member asks for: product, quantity, where and when; ``price``: an agreed price
    (an accepted quote's); ``label``: where the line came from, for messages (e.g. "Row 7")."""

    product_id: int
    quantity: int
    site_id: int
    date: datetime.date
    price: Decimal | None = None
    label: str = ""


def _member(user) -> Membership:
    membership = Membership.objects.select_related("organisation").filter(user_id=user.pk).first()
    if membership is None:
        raise PermissionDenied(_("Only members of an organisation place channel orders."))
    return membership


def _products(ids) -> dict[int, object]:
    return {
        product.pk: product
        for product in Product.objects.filter(pk__in=set(ids))
        .select_related("product_class", "parent__product_class")
        .prefetch_related(
            Prefetch("stockrecords", queryset=StockRecord.objects.select_related("partner").order_by("pk"))
        )
    }


def _prefix(line: OrderLine, message: str) -> str:
    return f"{line.label}: {message}" if line.label else message


def order_lines_check(*, user, lines: Sequence[OrderLine], agreed: bool = False):
    """Check ``lines`` for the member ``user``; return (strategy, placement lines, errors).

    ``agreed``: the prices were agreed (a quote): the minimum order and whole cases of the price
    list do not apply, the rest does."""
    membership = _member(user)
    organisation = membership.organisation
    errors: list[str] = []
    if not organisation.may_order:
        raise ValidationError(
            _("%(organisation)s cannot order at the moment (its status is “%(status)s”).")
            % {"organisation": organisation, "status": organisation.get_status_display()}
        )
    if not lines:
        raise ValidationError(_("The order has no lines."))
    if len(lines) > MAX_LINES:
        raise ValidationError(_("An order has at most %(max)s lines.") % {"max": MAX_LINES})
    strategy = Selector().strategy(user=user)
    terms = strategy.buyer_terms
    if terms is None or terms.refusal:
        raise ValidationError(terms.refusal if terms is not None else _("Only members place channel orders."))
    sites = {site.pk: site for site in DeliverySite.objects.filter(organisation=organisation)}
    products = _products(line.product_id for line in lines)
    today = timezone.localdate()
    placement = []
    for line in lines:
        site = sites.get(line.site_id)
        if site is None:
            errors.append(_prefix(line, _("this delivery site is not one of your organisation's.")))
        elif not site.is_active:
            errors.append(_prefix(line, _("the delivery site “%(site)s” is not in use.") % {"site": site}))
        if line.date < today:
            errors.append(_prefix(line, _("the delivery date %(date)s has passed.") % {"date": line.date}))
        if line.quantity < 1:
            errors.append(_prefix(line, _("the quantity must be at least 1.")))
            continue
        product = products.get(line.product_id)
        if product is None or product.is_parent:
            errors.append(_prefix(line, _("no such product can be ordered.")))
            continue
        record = strategy.select_stockrecord(product)
        info = strategy.fetch_for_product(product, record) if record is not None else None
        if info is None or not info.availability.is_available_to_buy or not info.price.exists:
            errors.append(
                _prefix(line, _("“%(product)s” is not on sale.") % {"product": product.get_title()})
            )
            continue
        availability = info.availability
        if agreed:
            availability = getattr(availability, "inner", availability)
        permitted, reason = availability.is_purchase_permitted(line.quantity)
        if not permitted:
            errors.append(_prefix(line, f"“{product.get_title()}”: {reason}"))
            continue
        placement.append(PlacementLine(product, record, line.quantity, line.price))
    return strategy, placement, errors


def channel_order_place(
    *,
    user,
    lines: Sequence[OrderLine],
    source: str,
    po_number: str = "",
    note: str = "",
    agreed: bool = False,
):
    """Place an organisation's order of ``lines`` (see the module docstring); returns the order.

    Raises ``ValidationError`` with every problem found (nothing written), or with the placement's
    refusal (a line sold out meanwhile, the organisation suspended meanwhile)."""
    strategy, placement, errors = order_lines_check(user=user, lines=lines, agreed=agreed)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            order = order_place(user=user, strategy=strategy, lines=placement)
            link = order.organisation_link  # written by the terms' record_order, in hand
            link.source = source
            link.po_number = po_number.strip()[:40]
            link.note = note.strip()
            link.save(update_fields=["source", "po_number", "note"])
            _deliveries_write(link, order, lines)
            order_confirmation_record(order=order)
    except UnableToPlaceOrder as error:
        raise ValidationError(str(error)) from None
    return order


def _deliveries_write(link, order, lines: Sequence[OrderLine]) -> None:
    """Each order line to its delivery: one ``Delivery`` per site and day (two queries in all)."""
    keys = list(dict.fromkeys((line.site_id, line.date) for line in lines))
    deliveries = Delivery.objects.bulk_create(
        [Delivery(organisation_order=link, site_id=site_id, date=date) for site_id, date in keys]
    )
    by_key = dict(zip(keys, deliveries, strict=True))
    line_ids = list(order.lines.order_by("pk").values_list("pk", flat=True))
    DeliveryLine.objects.bulk_create(
        [
            DeliveryLine(delivery=by_key[(line.site_id, line.date)], line_id=line_id)
            for line, line_id in zip(lines, line_ids, strict=True)
        ]
    )


# --- From the basket, and again -------------------------------------------------------------------
def basket_order_lines(basket, *, site_id: int, date: datetime.date, choices: dict | None = None):
    """The basket's lines as order lines: to ``site_id`` on ``date``, unless ``choices`` gives a
    line (by basket line id) its own (site_id, date)."""
    choices = choices or {}
    lines = []
    for line in basket.all_lines():
        line_site, line_date = choices.get(line.pk, (site_id, date))
        lines.append(
            OrderLine(
                product_id=line.product_id,
                quantity=line.quantity,
                site_id=line_site,
                date=line_date,
                label=line.product.get_title(),
            )
        )
    return lines


def basket_order_place(*, user, basket, site_id, date, choices=None, po_number="", note=""):
    """Order what is in the member's basket, then empty it (the basket is submitted with the order)."""
    lines = basket_order_lines(basket, site_id=site_id, date=date, choices=choices)
    with transaction.atomic():
        order = channel_order_place(
            user=user, lines=lines, source=OrganisationOrder.Source.BASKET, po_number=po_number, note=note
        )
        basket.lines.all().delete()
    return order


def reorder_lines(link: OrganisationOrder, *, date: datetime.date) -> list[OrderLine]:
    """A past order's lines again, each to the site it went to, all on ``date``; cancelled lines
    left out."""
    lines = []
    for line in (
        link.order.lines.exclude(status="Cancelled").select_related("delivery_link__delivery").order_by("pk")
    ):
        delivery = getattr(line, "delivery_link", None)
        if delivery is None or line.product_id is None:
            continue
        lines.append(
            OrderLine(
                product_id=line.product_id,
                quantity=line.quantity,
                site_id=delivery.delivery.site_id,
                date=date,
                label=line.title,
            )
        )
    return lines


def reorder_place(*, user, link: OrganisationOrder, date, po_number="", note=""):
    if link.organisation_id != _member(user).organisation_id:
        raise PermissionDenied
    lines = reorder_lines(link, date=date)
    if not lines:
        raise ValidationError(_("Nothing of this order can be ordered again."))
    return channel_order_place(
        user=user, lines=lines, source=OrganisationOrder.Source.REORDER, po_number=po_number, note=note
    )


# --- The desk ---------------------------------------------------------------------------------------
@transaction.atomic
def organisation_order_confirm(*, link: OrganisationOrder, by) -> OrganisationOrder:
    """A channel manager confirms an order of their channel (once; a second time changes nothing)."""
    link = (
        OrganisationOrder.objects.select_for_update().select_related("organisation", "order").get(pk=link.pk)
    )
    require_channel(by, link.organisation.channel)
    if link.order.status == "Cancelled":
        raise ValidationError(_("This order was cancelled: there is nothing to confirm."))
    if link.confirmed_at is None:
        link.confirmed_at = timezone.now()
        link.confirmed_by = by
        link.save(update_fields=["confirmed_at", "confirmed_by"])
    return link
