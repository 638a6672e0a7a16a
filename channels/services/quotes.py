"""Quotes (询价, issue 13, part 3): asked by a member, priced by a channel manager, accepted once.

- ``quote_request``: a member of an approved organisation asks for products and quantities, to one
  of its delivery sites on a day.
- ``quote_price``: a manager of the organisation's channel prices every line, at least
  ``CHANNEL_QUOTE_FLOOR_RATIO`` of the organisation's list price (its contract or channel price,
  else the retail price), with a validity date; the quote's PDF is made in Celery afterwards.
- ``quote_accept``: a member accepts a priced quote before it expires (an approver or administrator
  when the total is above the organisation's approval threshold). The quote row is locked first,
  so two clicks place one order; the order is placed at the quoted prices, whatever the list says
  now, through ``channels.services.bulk.channel_order_place`` (stock locked and allocated as for
  any order). If the order cannot be placed, nothing changes and the quote stays open.
- ``quote_decline``: the member declines a priced quote, or the manager declines a request.
- ``quotes_expire``: the daily job marks priced quotes past their date "expired".
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import ROUND_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from channels.models import DeliverySite, Membership, OrganisationOrder, PriceListEntry, Quote, QuoteLine
from channels.permissions import require_channel
from channels.services.bulk import OrderLine, channel_order_place

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

MAX_QUOTE_LINES = 200


def _membership(user) -> Membership:
    membership = Membership.objects.select_related("organisation").filter(user_id=user.pk).first()
    if membership is None:
        raise PermissionDenied(_("Only members of an organisation ask for quotes."))
    return membership


@transaction.atomic
def quote_request(
    *, user, site: DeliverySite, delivery_date: datetime.date, lines: Sequence[tuple], note: str = ""
) -> Quote:
    """Ask for a quote of ``lines`` ((product, quantity) pairs; a product twice is added up)."""
    membership = _membership(user)
    organisation = membership.organisation
    if not organisation.may_order:
        raise ValidationError(
            _("%(organisation)s cannot ask for quotes at the moment (its status is “%(status)s”).")
            % {"organisation": organisation, "status": organisation.get_status_display()}
        )
    if site.organisation_id != organisation.pk or not site.is_active:
        raise ValidationError(_("Choose one of your organisation's delivery sites in use."))
    if delivery_date < timezone.localdate():
        raise ValidationError(_("The delivery date has passed."))
    quantities: dict[int, int] = {}
    products = {}
    for product, quantity in lines:
        if product.is_parent:
            raise ValidationError(_("Choose a variant of “%(product)s”.") % {"product": product.get_title()})
        quantities[product.pk] = quantities.get(product.pk, 0) + int(quantity)
        products[product.pk] = product
    if not quantities:
        raise ValidationError(_("Add at least one product to the quote."))
    if len(quantities) > MAX_QUOTE_LINES:
        raise ValidationError(_("A quote has at most %(max)s products.") % {"max": MAX_QUOTE_LINES})
    quote = Quote.objects.create(
        organisation=organisation,
        site=site,
        delivery_date=delivery_date,
        note=note.strip(),
        requested_by=user,
    )
    QuoteLine.objects.bulk_create(
        [QuoteLine(quote=quote, product_id=pk, quantity=quantity) for pk, quantity in quantities.items()]
    )
    return quote


def list_prices(organisation, product_ids, day=None) -> dict[int, Decimal]:
    """product id → the organisation's price today: its contract price, else its channel's, else
    retail (the first stock record's). Two queries."""
    day = day or timezone.localdate()
    found: dict[int, Decimal] = {}
    rows = (
        PriceListEntry.objects.filter(
            Q(price_list__channel=organisation.channel, price_list__organisation__isnull=True)
            | Q(price_list__organisation=organisation),
            product_id__in=list(product_ids),
            valid_from__lte=day,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .values_list("product_id", "price", "price_list__organisation_id")
    )
    contract = set()
    for product_id, price, organisation_id in rows:
        if organisation_id is not None:
            found[product_id] = price
            contract.add(product_id)
        elif product_id not in contract:
            found[product_id] = price
    missing = [pk for pk in product_ids if pk not in found]
    for product_id, price in (
        StockRecord.objects.filter(product_id__in=missing, price__isnull=False)
        .order_by("-pk")
        .values_list("product_id", "price")
    ):
        found[product_id] = price  # ordered by -pk: the first stock record wins
    return found


def price_floor(list_price: Decimal) -> Decimal:
    ratio = Decimal(str(settings.CHANNEL_QUOTE_FLOOR_RATIO))
    return (list_price * ratio).quantize(Decimal("0.01"), rounding=ROUND_UP)


@transaction.atomic
def quote_price(
    *, quote: Quote, by, prices: dict[int, Decimal], valid_until: datetime.date, note: str = ""
) -> Quote:
    """A channel manager prices every line (``prices``: quote line id → unit price)."""
    quote = Quote.objects.select_for_update().select_related("organisation").get(pk=quote.pk)
    require_channel(by, quote.organisation.channel)
    if quote.status != Quote.Status.REQUESTED:
        raise ValidationError(
            _("Only a requested quote can be priced (this one is “%(status)s”).")
            % {"status": quote.get_status_display()}
        )
    if valid_until < timezone.localdate():
        raise ValidationError(_("The quote must be valid until today or later."))
    lines = list(quote.lines.select_related("product"))
    listed = list_prices(quote.organisation, [line.product_id for line in lines])
    errors = []
    for line in lines:
        price = prices.get(line.pk)
        title = line.product.get_title()
        if price is None or price <= 0:
            errors.append(_("“%(product)s”: enter a price above zero.") % {"product": title})
            continue
        line.list_price = listed.get(line.product_id)
        if line.list_price is not None and price < price_floor(line.list_price):
            errors.append(
                _(
                    "“%(product)s”: %(price)s is below the floor of %(floor)s "
                    "(%(percent)s%% of the list price %(list)s)."
                )
                % {
                    "product": title,
                    "price": price,
                    "floor": price_floor(line.list_price),
                    "percent": int(Decimal(str(settings.CHANNEL_QUOTE_FLOOR_RATIO)) * 100),
                    "list": line.list_price,
                }
            )
            continue
        line.price = price
    if errors:
        raise ValidationError(errors)
    QuoteLine.objects.bulk_update(lines, ["price", "list_price"])
    quote.status = Quote.Status.PRICED
    quote.priced_by = by
    quote.priced_at = timezone.now()
    quote.valid_until = valid_until
    quote.manager_note = note.strip()
    quote.pdf = b""
    quote.pdf_made_at = None
    quote.save()
    transaction.on_commit(lambda: _pdf_queue(quote.pk))
    return quote


def _pdf_queue(quote_id: int) -> None:
    from channels.tasks import quote_pdf_task

    try:
        quote_pdf_task.delay(quote_id)
    except Exception:  # noqa: BLE001 - the broker being down must not break pricing; the page offers a retry
        import logging

        logging.getLogger(__name__).warning("Quote %s: PDF not queued (broker down?)", quote_id)


def quote_total(quote: Quote) -> Decimal:
    return sum((line.line_total for line in quote.lines.all()), start=Decimal("0.00"))


def may_accept(membership: Membership, quote: Quote, total: Decimal | None = None) -> bool:
    """Whether this member may accept this quote: anyone of the organisation, unless its total is
    above the organisation's approval threshold (then an approver or an administrator)."""
    if membership.organisation_id != quote.organisation_id:
        return False
    threshold = quote.organisation.approval_threshold
    total = quote_total(quote) if total is None else total
    if threshold is not None and total > threshold:
        return membership.role in (Membership.Role.APPROVER, Membership.Role.ADMIN)
    return True


def quote_accept(*, quote: Quote, user, po_number: str = "", note: str = ""):
    """Accept a priced quote and place its order at the quoted prices; returns the order."""
    membership = _membership(user)
    with transaction.atomic():
        quote = Quote.objects.select_for_update().select_related("organisation", "site").get(pk=quote.pk)
        if quote.organisation_id != membership.organisation_id:
            raise PermissionDenied
        if quote.status == Quote.Status.ACCEPTED:
            raise ValidationError(
                _("This quote was accepted already: it became order %(number)s.")
                % {"number": quote.order.number}
            )
        if quote.status == Quote.Status.EXPIRED or (
            quote.status == Quote.Status.PRICED and quote.is_expired_on(timezone.localdate())
        ):
            raise ValidationError(
                _("This quote expired on %(date)s and can no longer be accepted: ask for a new one.")
                % {"date": quote.valid_until}
            )
        if quote.status != Quote.Status.PRICED:
            raise ValidationError(
                _("Only a priced quote can be accepted (this one is “%(status)s”).")
                % {"status": quote.get_status_display()}
            )
        lines = list(quote.lines.all())
        total = sum((line.line_total for line in lines), start=Decimal("0.00"))
        if not may_accept(membership, quote, total):
            raise ValidationError(
                _("Quotes above %(threshold)s need an approver of your organisation: ask one to accept it.")
                % {"threshold": quote.organisation.approval_threshold}
            )
        order = channel_order_place(
            user=user,
            lines=[
                OrderLine(
                    product_id=line.product_id,
                    quantity=line.quantity,
                    site_id=quote.site_id,
                    date=max(quote.delivery_date, timezone.localdate()),
                    price=line.price,
                )
                for line in lines
            ],
            source=OrganisationOrder.Source.QUOTE,
            po_number=po_number,
            note=note or quote.note,
            agreed=True,
        )
        quote.status = Quote.Status.ACCEPTED
        quote.order = order
        quote.decided_by = user
        quote.decided_at = timezone.now()
        quote.save(update_fields=["status", "order", "decided_by", "decided_at"])
    return order


@transaction.atomic
def quote_decline(*, quote: Quote, by, reason: str = "") -> Quote:
    """The member declines a priced quote, or a manager of its channel declines a request."""
    quote = Quote.objects.select_for_update().select_related("organisation").get(pk=quote.pk)
    membership = Membership.objects.filter(user_id=by.pk, organisation_id=quote.organisation_id).first()
    if membership is None:
        require_channel(by, quote.organisation.channel)
    if quote.status not in (Quote.Status.REQUESTED, Quote.Status.PRICED):
        raise ValidationError(
            _("This quote is “%(status)s”: it cannot be declined.") % {"status": quote.get_status_display()}
        )
    quote.status = Quote.Status.DECLINED
    quote.decided_by = by
    quote.decided_at = timezone.now()
    if reason:
        quote.manager_note = (quote.manager_note + "\n" + reason).strip()
    quote.save(update_fields=["status", "decided_by", "decided_at", "manager_note"])
    return quote


def quotes_expire(today=None) -> int:
    """Priced quotes past their validity date become "expired"; returns how many."""
    today = today or timezone.localdate()
    return Quote.objects.filter(status=Quote.Status.PRICED, valid_until__lt=today).update(
        status=Quote.Status.EXPIRED
    )


# --- The PDF -----------------------------------------------------------------------------------------
def quote_pdf_build(quote: Quote) -> bytes:
    from django.utils import translation

    from core import pdf

    with translation.override(settings.LANGUAGE_CODE):
        lines = list(quote.lines.select_related("product"))
        total = sum((line.line_total for line in lines), start=Decimal("0.00"))
        story = [
            pdf.title(_("Quote %(number)s") % {"number": quote.number}),
            pdf.key_values(
                [
                    (_("Organisation"), quote.organisation.name),
                    (_("Delivery site"), f"{quote.site.name} · {quote.site.address}"),
                    (_("Delivery date"), f"{quote.delivery_date:%Y-%m-%d}"),
                    (_("Valid until"), f"{quote.valid_until:%Y-%m-%d}" if quote.valid_until else "—"),
                    (
                        _("Priced at"),
                        f"{timezone.localtime(quote.priced_at):%Y-%m-%d}" if quote.priced_at else "—",
                    ),
                ]
            ),
            pdf.space(),
            pdf.table(
                [[_("Product"), _("Quantity"), _("Unit price"), _("Amount")]]
                + [
                    [
                        line.product.get_title(),
                        line.quantity,
                        pdf.money(line.price),
                        pdf.money(line.line_total),
                    ]
                    for line in lines
                ]
                + [[_("Total"), "", "", pdf.money(total)]],
                widths=(0.46, 0.14, 0.2, 0.2),
                right=(1, 2, 3),
            ),
        ]
        if quote.note:
            story += [pdf.heading(_("Note")), pdf.text(quote.note)]
        if quote.manager_note:
            story += [pdf.heading(_("From the channel manager")), pdf.text(quote.manager_note)]
        return pdf.pdf_build(story, title=_("Quote %(number)s") % {"number": quote.number})


def quote_pdf_make(quote_id: int) -> bool:
    """Build and store a priced quote's PDF (the Celery task's body); False when there is nothing to do."""
    quote = Quote.objects.select_related("organisation", "site").filter(pk=quote_id).first()
    if quote is None or quote.status == Quote.Status.REQUESTED or quote.pdf_made_at is not None:
        return False
    data = quote_pdf_build(quote)
    Quote.objects.filter(pk=quote.pk, pdf_made_at__isnull=True).update(pdf=data, pdf_made_at=timezone.now())
    return True
