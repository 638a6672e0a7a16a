"""Standing deliveries (定期配送): schedules kept by an organisation's admin, turned into orders by
the hourly job ``standing_orders_place`` (Celery beat, ``shop/schedule.py``).

Each due day of a schedule becomes one order ``CHANNELS_STANDING_LEAD_DAYS`` days ahead (every day
from tomorrow to that far ahead is looked at, so a job that did not run for a while catches up).
Exactly once: the day's ``StandingRun`` row is unique per schedule and day and is written in the
transaction that places the order, so a second run of the job (even a concurrent one) finds it and
places nothing. The order goes through the shop's ``OrderCreator`` (stock records locked, batches
allocated, ``shop.order.utils``), priced by the organisation's terms as a member's basket would be,
and paid on account when the organisation buys on account, else by
``CHANNELS_STANDING_PAYMENT_METHOD``.

What can stop a day:

* a product went off sale (or is no longer priced for the organisation in whole cases, or the
  organisation was suspended): the run is "refused" for that day, with a message naming the product;
  the organisation is told by e-mail (outbox) and the desk shows it. Nothing of the order is written.
* the stock (or the batches) cannot cover a line: the run is "shortfall", nothing is written, the
  organisation is told once, the desk shows it, and the next hourly run tries again until the day.

``standing_outlook`` is what the desk and the organisation see of the coming week: the orders
placed, the runs that failed, and the days not yet ordered with any product the stock would not
cover today (the shortfall known before the delivery day).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.partner import availability
from oscar.core.loading import get_class, get_model

from channels.models import (
    Delivery,
    DeliveryLine,
    DeliverySite,
    Membership,
    Organisation,
    OrganisationOrder,
    StandingOrder,
    StandingOrderLine,
    StandingRun,
)
from core.outbox import outbox_add
from core.queue import queue_now

logger = logging.getLogger(__name__)

Basket = get_model("basket", "Basket")
Country = get_model("address", "Country")
Product = get_model("catalogue", "Product")
ShippingAddress = get_model("order", "ShippingAddress")
StockRecord = get_model("partner", "StockRecord")

FINAL = (StandingRun.Status.PLACED, StandingRun.Status.REFUSED)


class StandingRefused(Exception):
    """The day cannot be ordered as scheduled (off sale, not in whole cases, suspended)."""


# --- Schedules (the organisation's admin) ----------------------------------------------------------
@dataclass
class LineSpec:
    product: object
    quantity: int


def _parse_skip_dates(skip_dates) -> list[str]:
    days = set()
    for value in skip_dates or []:
        if isinstance(value, datetime.date):
            days.add(value.isoformat())
        else:
            days.add(datetime.date.fromisoformat(str(value).strip()).isoformat())
    return sorted(days)


def product_problem(*, strategy, product, quantity: int, info=None) -> str:
    """Why ``quantity`` of ``product`` cannot be ordered on a standing delivery ("" when it can):
    off sale, not priced for the organisation, below the minimum or not in whole cases. Stock is
    not checked here (a shortfall is the placement's to find, on the day)."""
    info = info or strategy.fetch_for_product(product)
    title = product.get_title()
    if (
        not product.is_public
        or info.stockrecord is None
        or isinstance(info.availability, availability.Unavailable)
    ):
        reason = getattr(info.availability, "reason", "")
        if reason:
            return _("%(product)s cannot be ordered: %(reason)s.") % {"product": title, "reason": reason}
        return _("%(product)s is no longer on sale.") % {"product": title}
    terms = strategy.product_terms(product.pk)
    if terms is None:
        return _("%(product)s has no price for your organisation any more.") % {"product": title}
    if quantity < terms.moq:
        return _("%(product)s: the minimum order is %(moq)s (not %(quantity)s).") % {
            "product": title,
            "moq": terms.moq,
            "quantity": quantity,
        }
    if quantity % terms.case_size:
        return _("%(product)s is sold in whole cases of %(case)s (not %(quantity)s).") % {
            "product": title,
            "case": terms.case_size,
            "quantity": quantity,
        }
    return ""


@transaction.atomic
def standing_order_save(
    *,
    organisation: Organisation,
    by,
    instance: StandingOrder | None = None,
    name: str,
    site: DeliverySite,
    weekdays,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    skip_dates=(),
    po_number: str = "",
    note: str = "",
    lines: list[LineSpec],
) -> StandingOrder:
    """Create or change an organisation's standing delivery (its admin only); the lines are replaced.

    Refused (``ValidationError``) for a site of another organisation or out of use, no weekday, no
    line, the same product twice, or a product that cannot be ordered (``product_problem``)."""
    from shop.partner.strategy import Selector

    _require_admin(organisation, by)
    if site.organisation_id != organisation.pk or not site.is_active:
        raise ValidationError({"site": _("Choose one of your delivery sites in use.")})
    errors: dict[str, list[str]] = defaultdict(list)
    weekdays = sorted({int(day) for day in weekdays})
    if not weekdays or any(day < 0 or day > 6 for day in weekdays):
        errors["weekdays"].append(_("Choose at least one weekday."))
    if not lines:
        errors["__all__"].append(_("Add at least one product."))
    seen = set()
    strategy = Selector().strategy(user=by)
    for spec in lines:
        if spec.product.pk in seen:
            errors["__all__"].append(
                _("%(product)s is listed twice.") % {"product": spec.product.get_title()}
            )
            continue
        seen.add(spec.product.pk)
        problem = product_problem(strategy=strategy, product=spec.product, quantity=spec.quantity)
        if problem:
            errors["__all__"].append(problem)
    if errors:
        raise ValidationError(dict(errors))
    standing = instance or StandingOrder(organisation=organisation, created_by=by)
    if standing.organisation_id != organisation.pk:
        raise ValidationError(_("This standing delivery belongs to another organisation."))
    standing.name = name
    standing.site = site
    standing.weekdays = weekdays
    standing.starts_on = starts_on
    standing.ends_on = ends_on
    standing.skip_dates = _parse_skip_dates(skip_dates)
    standing.po_number = po_number
    standing.note = note
    standing.full_clean()
    standing.save()
    standing.lines.all().delete()
    StandingOrderLine.objects.bulk_create(
        [
            StandingOrderLine(standing_order=standing, product=spec.product, quantity=spec.quantity)
            for spec in lines
        ]
    )
    return standing


@transaction.atomic
def standing_order_pause(*, standing: StandingOrder, by, paused: bool) -> StandingOrder:
    """Pause (no day is ordered while paused) or resume a standing delivery."""
    _require_admin(standing.organisation, by)
    standing = StandingOrder.objects.select_for_update().get(pk=standing.pk)
    standing.paused_at = timezone.now() if paused else None
    standing.save(update_fields=["paused_at", "updated_at"])
    return standing


def _require_admin(organisation: Organisation, user) -> None:
    from django.core.exceptions import PermissionDenied

    if not Membership.objects.filter(
        user_id=user.pk, organisation=organisation, role=Membership.Role.ADMIN
    ).exists():
        raise PermissionDenied(_("Only an administrator of the organisation can change standing deliveries."))


# --- The hourly job ------------------------------------------------------------------------------
def days_ahead(today: datetime.date | None = None) -> list[datetime.date]:
    today = today or timezone.localdate()
    return [today + datetime.timedelta(days=n) for n in range(1, settings.CHANNELS_STANDING_LEAD_DAYS + 1)]


def _schedules(first: datetime.date, last: datetime.date, *, organisation=None, channels=None):
    schedules = (
        StandingOrder.objects.filter(paused_at__isnull=True, starts_on__lte=last)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .filter(organisation__status__in=[Organisation.Status.APPROVED, Organisation.Status.SUSPENDED])
        .select_related("organisation", "site", "created_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=StandingOrderLine.objects.select_related(
                    "product", "product__parent", "product__product_class", "product__parent__product_class"
                ).prefetch_related(
                    Prefetch("product__stockrecords", queryset=StockRecord.objects.select_related("partner"))
                ),
            )
        )
        .order_by("pk")
    )
    if organisation is not None:
        schedules = schedules.filter(organisation=organisation)
    if channels is not None:
        schedules = schedules.filter(organisation__channel__in=list(channels))
    return schedules


@dataclass
class _Context:
    """What every placement of one job shares (read once)."""

    country: object = None
    admins: dict[int, object] = field(default_factory=dict)


#: Schedules per task when the hourly job fans out to the workers.
CHUNK = 100


def standing_orders_fan_out(*, today: datetime.date | None = None, chunk: int = CHUNK) -> dict[str, int]:
    """The hourly job: split the schedules with a day due into chunks of ``CHUNK`` and queue one
    task per chunk, so several workers place them at once (each day is still placed once: the run
    row decides). A chunk that cannot be queued (the broker is down) is placed here and now."""
    from channels.tasks import standing_orders_chunk_task

    days = days_ahead(today)
    ids = [
        standing.pk
        for standing in _schedules(days[0], days[-1])
        .select_related(None)
        .prefetch_related(None)
        .only("pk", "weekdays", "starts_on", "ends_on", "skip_dates")
        if any(standing.is_due_on(day) for day in days)
    ]
    counts: dict[str, int] = defaultdict(int)
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        try:
            queue_now(standing_orders_chunk_task, part, (today or timezone.localdate()).isoformat())
            counts["queued"] += len(part)
        except Exception:
            logger.warning("standing deliveries: could not queue a chunk, placing it here", exc_info=True)
            for outcome, n in standing_orders_place(today=today, schedule_ids=part).items():
                counts[outcome] += n
    return dict(counts)


def standing_orders_place(*, today: datetime.date | None = None, schedule_ids=None) -> dict[str, int]:
    """Turn every standing delivery (of ``schedule_ids``, or all) due from tomorrow to
    ``CHANNELS_STANDING_LEAD_DAYS`` ahead into an order, once (see the module docstring). Returns
    counts by outcome ("skipped": already done)."""
    days = days_ahead(today)
    counts: dict[str, int] = defaultdict(int)
    schedules = _schedules(days[0], days[-1])
    if schedule_ids is not None:
        schedules = schedules.filter(pk__in=list(schedule_ids))
    schedules = list(schedules)
    done = set(
        StandingRun.objects.filter(
            standing_order__in=[s.pk for s in schedules], date__in=days, status__in=FINAL
        ).values_list("standing_order_id", "date")
    )
    context = _Context(country=_china())
    context.admins = _admins({s.organisation_id for s in schedules})
    authors = dict(
        Membership.objects.filter(
            user_id__in={s.created_by_id for s in schedules if s.created_by_id}
        ).values_list("user_id", "organisation_id")
    )
    for standing in schedules:
        if standing.created_by is not None:
            standing.created_by._standing_membership = authors.get(standing.created_by_id, 0)
    for standing in schedules:
        for day in days:
            if not standing.is_due_on(day):
                continue
            if (standing.pk, day) in done:
                counts["skipped"] += 1
                continue
            counts[standing_day_place(standing=standing, day=day, context=context)] += 1
    return dict(counts)


def _china():
    country, _created = Country.objects.get_or_create(
        iso_3166_1_a2="CN",
        defaults={"printable_name": "中国", "name": "中华人民共和国", "is_shipping_country": True},
    )
    return country


def _admins(organisation_ids) -> dict[int, object]:
    """organisation id → an administrator (the first), who places the order when the schedule's
    author is no longer a member."""
    admins = {}
    for membership in (
        Membership.objects.filter(organisation_id__in=list(organisation_ids), role=Membership.Role.ADMIN)
        .select_related("user")
        .order_by("pk")
    ):
        admins.setdefault(membership.organisation_id, membership.user)
    return admins


def standing_day_place(
    *, standing: StandingOrder, day: datetime.date, context: _Context | None = None
) -> str:
    """Place one day of one schedule, once; returns "placed", "shortfall", "refused" or "skipped"."""
    from shop.order.exceptions import InsufficientStock, UnableToPlaceOrder

    context = context or _Context(country=_china(), admins=_admins([standing.organisation_id]))
    with transaction.atomic():
        run, created = StandingRun.objects.get_or_create(
            standing_order=standing, date=day, defaults={"status": StandingRun.Status.SHORTFALL}
        )
        if not created:
            # Another job's run of this day: take it unless someone holds it or it is final.
            run = StandingRun.objects.select_for_update(skip_locked=True).filter(pk=run.pk).first()
            if run is None or run.status in FINAL:
                return "skipped"
        previous = run.status if not created else ""
        run.attempts += 1
        try:
            with transaction.atomic():
                link = _place(standing=standing, day=day, context=context)
        except StandingRefused as refusal:
            run.status, run.message = StandingRun.Status.REFUSED, str(refusal)
        except InsufficientStock as shortage:  # before its base class, UnableToPlaceOrder
            run.status, run.message = StandingRun.Status.SHORTFALL, str(shortage)
        except UnableToPlaceOrder as refusal:
            run.status, run.message = StandingRun.Status.REFUSED, str(refusal)
        else:
            run.status, run.message, run.organisation_order = StandingRun.Status.PLACED, "", link
        run.save()
        if run.status != StandingRun.Status.PLACED and run.status != previous:
            outbox_add(
                kind="channels.standing_problem",
                payload={"run_id": run.pk},
                key=f"channels:standing-run:{run.pk}:{run.status}",
            )
    if run.status != StandingRun.Status.PLACED:
        logger.info("standing delivery %s on %s: %s (%s)", standing.pk, day, run.status, run.message)
    return str(run.status)


def _placing_user(standing: StandingOrder, context: _Context):
    author = standing.created_by
    if author is not None and author.is_active:
        membership = getattr(author, "_standing_membership", None)
        if membership is None:
            membership = (
                Membership.objects.filter(user=author).values_list("organisation_id", flat=True).first()
            )
            author._standing_membership = membership or 0
        if membership == standing.organisation_id:
            return author
    admin = context.admins.get(standing.organisation_id)
    if admin is None or not admin.is_active:
        raise StandingRefused(
            _("%(organisation)s has no administrator to order in its name.")
            % {"organisation": standing.organisation}
        )
    return admin


def _place(*, standing: StandingOrder, day: datetime.date, context: _Context) -> OrganisationOrder:
    """Inside the caller's savepoint: the order, its organisation link, delivery and delivery lines."""
    from shop.order.services import order_confirmation_record
    from shop.partner.strategy import Selector

    OrderCreator = get_class("order.utils", "OrderCreator")
    OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
    Repository = get_class("shipping.repository", "Repository")

    user = _placing_user(standing, context)
    strategy = Selector().strategy(user=user)
    lines = list(standing.lines.all())
    if not lines:
        raise StandingRefused(_("The standing delivery lists no product."))
    infos = [strategy.fetch_for_product(line.product) for line in lines]
    problems = [
        problem
        for line, info in zip(lines, infos, strict=True)
        if (
            problem := product_problem(
                strategy=strategy, product=line.product, quantity=line.quantity, info=info
            )
        )
    ]
    if problems:
        raise StandingRefused(" ".join(problems))
    method = _payment_method(standing.organisation)
    if method is None:
        raise StandingRefused(_("The payment method for standing deliveries is not configured."))

    basket = Basket.objects.create(owner=user)
    basket.strategy = strategy
    _fill(basket, lines, infos)
    site = standing.site
    address = ShippingAddress.objects.create(
        last_name=site.contact_name,
        line1=site.address,
        line4=site.get_district_display(),
        state="北京市",
        phone_number=site.phone,
        country=context.country,
        notes=site.notes,
    )
    shipping_method = Repository().get_default_shipping_method(basket=basket)
    shipping_charge = shipping_method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, shipping_charge)
    order = OrderCreator().place_order(
        basket=basket,
        total=total,
        shipping_method=shipping_method,
        shipping_charge=shipping_charge,
        user=user,
        shipping_address=address,
        order_number=str(100000 + basket.pk),
    )
    method.order_placed(order=order, user=user)
    basket.submit()
    order_confirmation_record(order=order)
    link = order.organisation_link  # written by the terms' record_order, in hand
    link.source = OrganisationOrder.Source.STANDING
    link.po_number = standing.po_number
    link.note = standing.note
    link.save(update_fields=["source", "po_number", "note"])
    delivery = Delivery.objects.create(organisation_order=link, site=site, date=day)
    DeliveryLine.objects.bulk_create(
        [DeliveryLine(delivery=delivery, line=line) for line in order.lines.all()]
    )
    return link


def _payment_method(organisation):
    """On account (月结) for an organisation on those terms, its credit checked under its lock as
    for any order on account (a day that does not fit is refused, saying so); otherwise
    ``CHANNELS_STANDING_PAYMENT_METHOD`` (bank transfer by default)."""
    from channels.models import Organisation
    from shop.checkout.payment_methods import registry

    if organisation.payment_mode == Organisation.PaymentMode.ON_ACCOUNT and registry.get("on-account"):
        return registry.get("on-account")
    return registry.get(settings.CHANNELS_STANDING_PAYMENT_METHOD)


def _fill(basket, lines, infos) -> None:
    """The basket's lines as ``Basket.add_product`` writes them (price, currency and tax code from
    the strategy, Oscar's line reference), in one INSERT: the schedule lists each product once; the
    basket keeps them in hand (Oscar would read them again)."""
    from shop.order.placement import basket_lines_in_hand

    BasketLine = get_model("basket", "Line")
    rows = []
    for line, info in zip(lines, infos, strict=True):
        price = info.price
        rows.append(
            BasketLine(
                basket=basket,
                line_reference=basket._create_line_reference(line.product, info.stockrecord, []),
                product=line.product,
                stockrecord=info.stockrecord,
                quantity=line.quantity,
                price_excl_tax=price.excl_tax,
                price_incl_tax=price.incl_tax if price.is_tax_known else None,
                price_currency=price.currency,
                tax_code=price.tax_code,
            )
        )
    BasketLine.objects.bulk_create(rows)
    basket.reset_offer_applications()
    basket_lines_in_hand(basket, rows)


# --- What the coming week holds --------------------------------------------------------------------
@dataclass
class OutlookRow:
    date: datetime.date
    organisation: Organisation
    site: DeliverySite
    standing: StandingOrder | None = None
    delivery: Delivery | None = None
    run: StandingRun | None = None
    shortfalls: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.delivery is not None:
            return self.delivery.get_status_display()
        if self.run is not None:
            return self.run.get_status_display()
        return _("Not ordered yet")

    @property
    def problem(self) -> str:
        if self.run is not None and self.run.status != StandingRun.Status.PLACED:
            return self.run.message
        return "; ".join(self.shortfalls)


def standing_outlook(
    *, channels=None, organisation=None, today: datetime.date | None = None, days: int = 7
) -> list[OutlookRow]:
    """The deliveries of the next ``days`` days (today included) for managers of ``channels`` or for
    one ``organisation``: deliveries of orders already placed, standing days that failed (with the
    reason), and standing days not ordered yet with the products today's stock would not cover
    (cumulated over the week in date order, per product). A handful of queries, whatever the count."""
    today = today or timezone.localdate()
    last = today + datetime.timedelta(days=days)
    deliveries = Delivery.objects.filter(date__gte=today, date__lte=last).exclude(
        status=Delivery.Status.CANCELLED
    )
    runs = StandingRun.objects.filter(date__gte=today, date__lte=last)
    if organisation is not None:
        deliveries = deliveries.filter(organisation_order__organisation=organisation)
        runs = runs.filter(standing_order__organisation=organisation)
    if channels is not None:
        deliveries = deliveries.filter(organisation_order__organisation__channel__in=list(channels))
        runs = runs.filter(standing_order__organisation__channel__in=list(channels))
    rows = [
        OutlookRow(date=d.date, organisation=d.organisation_order.organisation, site=d.site, delivery=d)
        for d in deliveries.select_related(
            "site", "organisation_order__organisation", "organisation_order__order"
        ).order_by("date", "pk")
    ]
    run_by_key = {
        (run.standing_order_id, run.date): run
        for run in runs.select_related("standing_order__organisation", "standing_order__site")
    }
    for run in run_by_key.values():
        if run.status != StandingRun.Status.PLACED:
            rows.append(
                OutlookRow(
                    date=run.date,
                    organisation=run.standing_order.organisation,
                    site=run.standing_order.site,
                    standing=run.standing_order,
                    run=run,
                )
            )
    # Days not ordered yet, with today's stock set against the week's demand.
    pending = []
    for standing in _schedules(today, last, organisation=organisation, channels=channels):
        day = today
        while day <= last:
            if standing.is_due_on(day) and (standing.pk, day) not in run_by_key:
                pending.append((day, standing))
            day += datetime.timedelta(days=1)
    pending.sort(key=lambda item: (item[0], item[1].pk))
    stock = _net_stock({line.product_id for _day, standing in pending for line in standing.lines.all()})
    used: dict[int, int] = defaultdict(int)
    for day, standing in pending:
        row = OutlookRow(date=day, organisation=standing.organisation, site=standing.site, standing=standing)
        for line in standing.lines.all():
            used[line.product_id] += line.quantity
            have = stock.get(line.product_id, 0)
            if used[line.product_id] > have:
                row.shortfalls.append(
                    _("%(product)s: %(short)s short")
                    % {
                        "product": line.product.get_title(),
                        "short": min(line.quantity, used[line.product_id] - have),
                    }
                )
        rows.append(row)
    rows.sort(key=lambda row: (row.date, str(row.organisation), row.site.pk))
    return rows


def _net_stock(product_ids) -> dict[int, int]:
    stock: dict[int, int] = defaultdict(int)
    for product_id, in_stock, allocated in StockRecord.objects.filter(
        product_id__in=list(product_ids)
    ).values_list("product_id", "num_in_stock", "num_allocated"):
        stock[product_id] += max((in_stock or 0) - (allocated or 0), 0)
    return stock


# --- Notices ---------------------------------------------------------------------------------------
def standing_problem_send(*, run_id: int) -> bool:
    """E-mail the organisation (its contact address and its administrators) that a standing day was
    refused or is short of stock. Called by the outbox (once per run and status)."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    run = (
        StandingRun.objects.select_related("standing_order__organisation", "standing_order__site")
        .filter(pk=run_id)
        .first()
    )
    if run is None or run.status == StandingRun.Status.PLACED:
        return False
    organisation = run.standing_order.organisation
    recipients = {organisation.email} | set(
        organisation.memberships.filter(role=Membership.Role.ADMIN)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    context = {"run": run, "standing": run.standing_order, "organisation": organisation}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("channels/email/standing_problem_subject.txt", context).strip()
        body = render_to_string("channels/email/standing_problem_body.txt", context)
    send_mail(
        " ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, sorted(r for r in recipients if r)
    )
    return True
