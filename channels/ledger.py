"""An organisation's assistance ledger (消费帮扶台账): what it bought from Shiyan in one calendar year,
against the pledge it set. Public institutions report these figures, so each is defined once:

- **Ordered**: the goods of the organisation's orders placed in the year (Beijing time), each line's
  price including tax, net of cancelled orders and cancelled lines (shipping is not a purchase).
- **Delivered**: the goods of the lines whose delivery was marked delivered in the year, net of
  cancelled orders and lines.
- **Paid** (counted as assistance): exactly the impact figures' sales (``impact.rollup.facts_sql``,
  narrowed by ``organisation_facts_sql``): a line counts when its order was first paid, or, for an
  organisation buying on account, when its delivery was delivered; refunds lower each line of the
  order in proportion, cancellations count nothing.
- **Suppliers, counties, products reached**: those with paid purchases above zero in the year.

Every figure is read from the orders by a fixed number of queries (six), whatever their number.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from channels.models import AssistancePledge, Delivery, Organisation
from core.places import County
from impact.rollup import CANCELLED, REPORT_ZONE, _date, _day, _month, _param, _pg, organisation_facts_sql

#: The plan's first year (2016–2020): no ledger before it.
FIRST_YEAR = 2016
TOP_PRODUCTS = 20


def _money(value) -> Decimal:
    """A sum as Decimal yuan (SQLite hands back floats)."""
    if value is None:
        return Decimal("0.00")
    if not isinstance(value, Decimal):
        value = Decimal(str(round(value, 2)))
    return value.quantize(Decimal("0.01"))


def ledger_year(value, *, today: datetime.date | None = None) -> int:
    """The year asked for (``?year=``), or this year when none is; a clear ValidationError otherwise."""
    today = today or timezone.localdate()
    if value in (None, ""):
        return today.year
    try:
        year = int(str(value).strip())
    except ValueError:
        year = None
    if year is None or not FIRST_YEAR <= year <= today.year:
        raise ValidationError(
            _("Choose a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": today.year}
        )
    return year


def ledger_years(*, today: datetime.date | None = None) -> list[int]:
    """The years offered by the year selector, the latest first."""
    today = today or timezone.localdate()
    return list(range(today.year, FIRST_YEAR - 1, -1))


def pledge_for(organisation: Organisation, year: int, *, today: datetime.date | None = None):
    """The year's pledge (``AssistancePledge``); for this year, without one, the pledge recorded on
    the organisation (``Organisation.yearly_pledge``, "this year") when above zero; else None."""
    today = today or timezone.localdate()
    pledge = AssistancePledge.objects.filter(organisation=organisation, year=year).first()
    if pledge is not None:
        return pledge.amount
    if year == today.year and organisation.yearly_pledge > 0:
        return organisation.yearly_pledge
    return None


@dataclass
class Month:
    month: datetime.date
    ordered: Decimal = Decimal("0.00")
    delivered: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")


@dataclass
class Reached:
    """One supplier, county or product reached, with what was paid for it."""

    key: object
    name: str
    amount: Decimal
    quantity: int = 0
    county: str = ""


@dataclass
class Ledger:
    organisation: Organisation
    year: int
    pledge: Decimal | None
    ordered: Decimal
    order_count: int
    delivered: Decimal
    paid: Decimal
    months: list[Month]
    suppliers: list[Reached]
    counties: list[Reached]
    products: list[Reached]  # the top ones (all, when asked), largest amount first
    product_count: int

    @property
    def supplier_count(self) -> int:
        return len(self.suppliers)

    @property
    def county_count(self) -> int:
        return len(self.counties)

    @property
    def progress(self) -> int | None:
        """Paid as a whole percentage of the pledge (may pass 100); None without a pledge."""
        if not self.pledge:
            return None
        return int(self.paid * 100 / self.pledge)

    @property
    def remaining(self) -> Decimal | None:
        if not self.pledge:
            return None
        return max(self.pledge - self.paid, Decimal("0.00"))


def _bounds(year: int):
    start = datetime.datetime(year, 1, 1, tzinfo=REPORT_ZONE)
    return start, start.replace(year=year + 1)


def _ordered(cursor, organisation_id: int, year: int, pg: bool) -> list[tuple]:
    start, end = _bounds(year)
    cursor.execute(
        f"""
        SELECT {_month(_day("o.date_placed", pg), pg)} AS month,
               COUNT(DISTINCT o.id), SUM(l.line_price_incl_tax)
        FROM channels_organisationorder oo
        JOIN order_order o ON o.id = oo.order_id
        JOIN order_line l ON l.order_id = o.id
        WHERE oo.organisation_id = %(organisation)s
          AND o.date_placed >= %(start)s AND o.date_placed < %(end)s
          AND o.status <> '{CANCELLED}' AND l.status <> '{CANCELLED}'
        GROUP BY 1
        """,  # noqa: S608 - only our constants are formatted in; values are parameters
        {"organisation": organisation_id, "start": _param(start, pg), "end": _param(end, pg)},
    )
    return cursor.fetchall()


def _delivered(cursor, organisation_id: int, year: int, pg: bool) -> list[tuple]:
    start, end = _bounds(year)
    cursor.execute(
        f"""
        SELECT {_month(_day("d.delivered_at", pg), pg)} AS month, SUM(l.line_price_incl_tax)
        FROM channels_organisationorder oo
        JOIN channels_delivery d ON d.organisation_order_id = oo.id
        JOIN channels_deliveryline dl ON dl.delivery_id = d.id
        JOIN order_line l ON l.id = dl.line_id
        JOIN order_order o ON o.id = l.order_id
        WHERE oo.organisation_id = %(organisation)s AND d.status = '{Delivery.Status.DELIVERED}'
          AND d.delivered_at >= %(start)s AND d.delivered_at < %(end)s
          AND o.status <> '{CANCELLED}' AND l.status <> '{CANCELLED}'
        GROUP BY 1
        """,  # noqa: S608 - only our constants are formatted in; values are parameters
        {"organisation": organisation_id, "start": _param(start, pg), "end": _param(end, pg)},
    )
    return cursor.fetchall()


def _paid(cursor, organisation_id: int, year: int, pg: bool) -> list[tuple]:
    """The counted lines of the year (impact's definition), by month, product, supplier and county."""
    start, end = _bounds(year)
    select = f"""
        SELECT {_month("day", pg)} AS month, product_id, supplier_id, county, SUM(amount), SUM(quantity)
        FROM facts
        WHERE day >= %(first)s AND day < %(next)s AND amount > 0
        GROUP BY 1, 2, 3, 4
    """  # noqa: S608 - only our constants are formatted in; values are parameters
    cursor.execute(
        organisation_facts_sql(pg) + select,
        {
            "organisation": organisation_id,
            "start": _param(start, pg),
            "end": _param(end, pg),
            "first": _param(datetime.date(year, 1, 1), pg),
            "next": _param(datetime.date(year + 1, 1, 1), pg),
        },
    )
    return cursor.fetchall()


def _county_label(value: str) -> str:
    if not value:
        return _("County not known")
    try:
        return str(County(value).label)
    except ValueError:
        return value


def organisation_ledger(
    organisation: Organisation, year: int, *, top: int | None = TOP_PRODUCTS, today=None
) -> Ledger:
    """The organisation's figures of ``year`` (see the module docstring); ``top=None``: every product."""
    from suppliers.models import Supplier

    Product = get_model("catalogue", "Product")
    pg = _pg()
    pledge = pledge_for(organisation, year, today=today)
    months = {datetime.date(year, n, 1): Month(datetime.date(year, n, 1)) for n in range(1, 13)}
    with connection.cursor() as cursor:
        ordered_rows = _ordered(cursor, organisation.pk, year, pg)
        delivered_rows = _delivered(cursor, organisation.pk, year, pg)
        paid_rows = _paid(cursor, organisation.pk, year, pg)

    order_count = 0
    for month, count, amount in ordered_rows:
        months[_date(month)].ordered = _money(amount)
        order_count += count
    for month, amount in delivered_rows:
        months[_date(month)].delivered = _money(amount)

    by_product: dict = defaultdict(lambda: [Decimal("0.00"), 0])
    by_supplier: dict = defaultdict(lambda: [Decimal("0.00"), ""])
    by_county: dict = defaultdict(lambda: Decimal("0.00"))
    paid_by_month: dict = defaultdict(lambda: Decimal("0.00"))
    for month, product_id, supplier_id, county, amount, quantity in paid_rows:
        amount = _money(amount)
        paid_by_month[_date(month)] += amount
        by_product[product_id][0] += amount
        by_product[product_id][1] += int(quantity or 0)
        if supplier_id is not None:
            by_supplier[supplier_id][0] += amount
            by_supplier[supplier_id][1] = county or by_supplier[supplier_id][1]
        by_county[county or ""] += amount
    for month, amount in paid_by_month.items():
        months[month].paid = amount

    products_reached = [(pk, values) for pk, values in by_product.items() if values[0] > 0]
    products_reached.sort(key=lambda item: (-item[1][0], item[0] or 0))
    shown = products_reached if top is None else products_reached[:top]
    found = {
        product.pk: product
        for product in Product.objects.filter(pk__in=[pk for pk, _v in shown if pk]).select_related("parent")
    }
    products = [
        Reached(
            key=pk,
            name=found[pk].get_title() if pk in found else _("Product no longer listed"),
            amount=values[0],
            quantity=values[1],
        )
        for pk, values in shown
    ]

    suppliers_reached = [(pk, values) for pk, values in by_supplier.items() if values[0] > 0]
    names = dict(
        Supplier.objects.filter(pk__in=[pk for pk, _v in suppliers_reached]).values_list("pk", "legal_name")
    )
    suppliers = sorted(
        (
            Reached(key=pk, name=names.get(pk, "—"), amount=values[0], county=_county_label(values[1]))
            for pk, values in suppliers_reached
        ),
        key=lambda row: (-row.amount, row.name),
    )
    counties = sorted(
        (
            Reached(key=value, name=_county_label(value), amount=amount)
            for value, amount in by_county.items()
            if amount > 0
        ),
        key=lambda row: (-row.amount, row.name),
    )
    return Ledger(
        organisation=organisation,
        year=year,
        pledge=pledge,
        ordered=sum((month.ordered for month in months.values()), Decimal("0.00")),
        order_count=order_count,
        delivered=sum((month.delivered for month in months.values()), Decimal("0.00")),
        paid=sum((month.paid for month in months.values()), Decimal("0.00")),
        months=list(months.values()),
        suppliers=suppliers,
        counties=counties,
        products=products,
        product_count=len(products_reached),
    )


def how_we_count() -> list[tuple[str, str]]:
    """The definitions, in the words shown on the page and written into the download."""
    return [
        (
            _("Ordered"),
            _(
                "The goods of the orders placed in the year (Beijing time), price including tax; "
                "cancelled orders and lines are left out, shipping is not counted."
            ),
        ),
        (
            _("Delivered"),
            _("The goods of the order lines whose delivery was marked delivered in the year."),
        ),
        (
            _("Paid (counted as assistance)"),
            _(
                "As in the platform's impact figures: a line counts when its order was first paid, or, "
                "buying on account, when it was delivered; refunds lower it in proportion, "
                "cancellations count nothing."
            ),
        ),
        (
            _("Suppliers, counties and products reached"),
            _("Those with paid purchases above zero in the year."),
        ),
    ]
