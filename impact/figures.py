"""The impact figures, each defined once (in words: docs/impact.md and the page's "how we count").

- **Sales** (yuan): the goods of an order line (its price incl. tax, after discounts; shipping not
  included), counted on the day the order was first paid (Shanghai time), or, for an organisation
  buying on account, on the day the line's delivery was delivered. Refunds lower every line of the
  order in proportion (refunded ÷ order total) on that same day; cancelled orders and lines count
  nothing. Computed by SQL in ``impact.rollup.facts_sql`` only.
- By **county** (the supplier's county), **supplier**, **category** (top level), **brand**,
  **channel** (the four docking channels and retail as the fifth), **Beijing district** of delivery
  (the delivery site's, else the shipping address's), and **month**.
- **Suppliers reached** / **products reached**: with net sales above zero in the period.
- **Households reached**: for each supplier reached, the households of its latest declaration made
  in or before the period's last year, counted once per supplier, summed.

Everything here reads the roll-ups only (never orders): whole months from the monthly tables, the
days at the edges of a period from the daily one; a cooperative's figures from the daily table by
its supplier index.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from core.places import County

from .models import (
    DailySales,
    MonthlyDistrictSales,
    MonthlySales,
    SupplierHouseholdDeclaration,
    YearTarget,
)
from .rollup import _date, _month, _month_start, _next_month, _param, _pg


def _money(value) -> Decimal:
    """A sum as Decimal yuan (SQLite hands back floats)."""
    if value is None:
        return Decimal("0")
    if isinstance(value, Decimal):
        return value
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


MAX_YEARS = 10
TOP = 10
#: The eight county-level units drawn on the map (the two functional zones are listed in tables).
MAP_COUNTIES = [
    County.DANJIANGKOU,
    County.YUNYANG,
    County.YUNXI,
    County.ZHUSHAN,
    County.ZHUXI,
    County.FANGXIAN,
    County.MAOJIAN,
    County.ZHANGWAN,
]


@dataclass(frozen=True)
class Scope:
    """Whose figures: everyone's (staff), one supplier's (its cooperative), some channels (a manager)."""

    supplier_id: int | None = None
    channels: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Filters:
    start: datetime.date
    end: datetime.date
    county: str = ""
    channel: str = ""
    category_id: int | None = None


@dataclass
class Figures:
    filters: Filters
    sales: Decimal = Decimal("0")
    units: int = 0
    suppliers: int = 0
    products: int = 0
    households: int = 0
    by_month: list = field(default_factory=list)  # [(date, amount)]
    by_county: list = field(default_factory=list)  # [(code, amount)]
    by_supplier: list = field(default_factory=list)  # [(id, amount)], largest first
    by_product: list = field(default_factory=list)
    by_channel: list = field(default_factory=list)
    by_category: list = field(default_factory=list)
    by_brand: list = field(default_factory=list)
    by_district: list = field(default_factory=list)
    target: dict | None = None  # {"sales": …, "enterprises": …, …, "years": "2026"}


def default_filters(today: datetime.date | None = None) -> Filters:
    today = today or timezone.localdate()
    return Filters(start=today.replace(month=1, day=1), end=today)


def _periods(start: datetime.date, end: datetime.date):
    """(whole months [first, after), edge day ranges [(from, to)]) covering start..end."""
    first = start if start.day == 1 else _next_month(start)
    after = _month_start(end + datetime.timedelta(days=1))
    if first >= after:
        return None, [(start, end)]
    edges = []
    if start < first:
        edges.append((start, first - datetime.timedelta(days=1)))
    if after <= end:
        edges.append((after, end))
    return (first, after), edges


def _source(filters: Filters, scope: Scope, monthly, columns: str):
    """SQL (and params) of the rows of a period: monthly rows for whole months, daily at the edges."""
    pg = _pg()
    daily = DailySales._meta.db_table
    daily_cols = columns.replace("month", f"{_month('day', pg)} AS month", 1)
    if scope.supplier_id is not None or monthly is None:
        return (
            f"SELECT {daily_cols} FROM {daily} WHERE day BETWEEN %s AND %s",
            [_param(filters.start, pg), _param(filters.end, pg)],
        )
    months, edges = _periods(filters.start, filters.end)
    parts, params = [], []
    if months:
        parts.append(f"SELECT {columns} FROM {monthly._meta.db_table} WHERE month >= %s AND month < %s")
        params += [_param(month, pg) for month in months]
    for first, last in edges:
        parts.append(f"SELECT {daily_cols} FROM {daily} WHERE day BETWEEN %s AND %s")
        params += [_param(first, pg), _param(last, pg)]
    return " UNION ALL ".join(parts), params


def _where(filters: Filters, scope: Scope):
    clauses, params = [], []
    if filters.county:
        clauses.append("county = %s")
        params.append(filters.county)
    if filters.channel:
        clauses.append("channel = %s")
        params.append(filters.channel)
    if filters.category_id is not None:
        clauses.append("category_id = %s")
        params.append(filters.category_id)
    if scope.supplier_id is not None:
        clauses.append("supplier_id = %s")
        params.append(scope.supplier_id)
    if scope.channels is not None:
        clauses.append(f"channel IN ({', '.join(['%s'] * len(scope.channels))})")
        params.extend(scope.channels)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _by_amount(rows):
    return sorted(rows, key=lambda row: (-row[1], str(row[0])))


def _grouped(filters: Filters, scope: Scope, monthly, columns: list[str], sets: list[str]):
    """One GROUPING SETS query: {set name: [(value, amount)]} (amount > 0), and the grand total."""
    selected = ", ".join(["month", *columns, "amount", "quantity"])
    if scope.supplier_id is not None:
        selected += ", supplier_id" if "supplier_id" not in columns else ""
    source, params = _source(filters, scope, monthly, selected)
    where, where_params = _where(filters, scope)
    width = len(sets)
    with connection.cursor() as cursor:
        if _pg():
            grouping = ", ".join(f"({name})" for name in sets)
            cursor.execute(
                f"SELECT GROUPING({', '.join(sets)}), {', '.join(sets)}, SUM(amount), SUM(quantity) "
                f"FROM ({source}) AS s{where} GROUP BY GROUPING SETS ({grouping}, ())",
                params + where_params,
            )
            rows = cursor.fetchall()
        else:  # SQLite has no GROUPING SETS: one GROUP BY per set, the same rows
            rows = []
            for index, name in [*enumerate(sets), (None, None)]:
                bits = ((1 << width) - 1) & ~(1 << (width - 1 - index)) if name else (1 << width) - 1
                columns_out = ", ".join(name if other == name else "NULL" for other in sets)
                group = f" GROUP BY {name}" if name else ""
                cursor.execute(
                    f"SELECT {bits}, {columns_out}, SUM(amount), SUM(quantity) "
                    f"FROM ({source}) AS s{where}{group}",
                    params + where_params,
                )
                rows += cursor.fetchall()
    groups = {name: [] for name in sets}
    total = (Decimal("0"), 0)
    for bits, *values in rows:
        amount, quantity = _money(values[width]), values[width + 1] or 0
        if bits == (1 << width) - 1:
            total = (amount, int(quantity))
            continue
        for index, name in enumerate(sets):
            if not bits >> (width - 1 - index) & 1:
                if amount > 0:
                    value = _date(values[index]) if name == "month" else values[index]
                    groups[name].append((value, amount))
                break
    return groups, total


def figures_compute(filters: Filters, scope: Scope = Scope()) -> Figures:
    """Every figure of a period for a scope: two queries on the roll-ups (plus households, targets).

    The coarse one (month × district × channel × county × category) gives the totals and every
    breakdown but suppliers, products and brands; the product-level one gives those three.
    """
    result = Figures(filters=filters)
    coarse, (result.sales, result.units) = _grouped(
        filters,
        scope,
        MonthlyDistrictSales,
        ["district", "channel", "county", "category_id"],
        ["month", "county", "channel", "category_id", "district"],
    )
    fine, _total = _grouped(
        filters,
        scope,
        MonthlySales,
        ["product_id", "supplier_id", "brand", "channel", "county", "category_id"],
        ["supplier_id", "product_id", "brand"],
    )
    result.by_month = _months_filled(filters, dict(coarse["month"]))
    result.by_county = _by_amount(coarse["county"])
    result.by_channel = _by_amount(coarse["channel"])
    result.by_category = _by_amount(coarse["category_id"])
    result.by_district = _by_amount(coarse["district"])
    result.by_supplier = _by_amount([row for row in fine["supplier_id"] if row[0] is not None])
    result.by_product = _by_amount([row for row in fine["product_id"] if row[0] is not None])
    result.by_brand = _by_amount([row for row in fine["brand"] if row[0]])
    result.suppliers = len(result.by_supplier)
    result.products = len(result.by_product)
    result.households = households_reached([row[0] for row in result.by_supplier], filters.end.year)
    if scope.supplier_id is None:
        result.target = targets_for(filters.start.year, filters.end.year)
    return result


def public_headline(*, since: datetime.date | None, until: datetime.date) -> dict:
    """Sales, suppliers, products and households since a day (None: ever), in one query.

    For the public block: whole figures only, nothing about buyers. Reads the monthly roll-up from
    the month of ``since``, so ``since`` should be a month's first day.
    """
    where, params = ("WHERE month >= %s", [_param(since, _pg())]) if since else ("", [])
    declarations = SupplierHouseholdDeclaration._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH s AS (SELECT supplier_id, product_id, amount FROM {MonthlySales._meta.db_table} {where})
            SELECT (SELECT COALESCE(SUM(amount), 0) FROM s),
                   (SELECT COUNT(DISTINCT supplier_id) FROM s),
                   (SELECT COUNT(DISTINCT product_id) FROM s),
                   (SELECT COALESCE(SUM(h.households), 0) FROM {declarations} h
                    WHERE h.supplier_id IN (SELECT supplier_id FROM s)
                      AND h.year = (SELECT MAX(h2.year) FROM {declarations} h2
                                    WHERE h2.supplier_id = h.supplier_id AND h2.year <= %s))
            """,
            params + [until.year],
        )
        sales, suppliers, products, households = cursor.fetchone()
    return {"sales": _money(sales), "suppliers": suppliers, "products": products, "households": households}


def _months_filled(filters: Filters, amounts: dict):
    months, month = [], _month_start(filters.start)
    while month <= filters.end:
        months.append((month, amounts.get(month, Decimal("0"))))
        month = _next_month(month)
    return months


def households_reached(supplier_ids, year: int) -> int:
    """Households of the suppliers reached: each one's latest declaration up to ``year``, once."""
    if not supplier_ids:
        return 0
    latest = {}
    declared = SupplierHouseholdDeclaration.objects.filter(supplier_id__in=supplier_ids, year__lte=year)
    for supplier_id, households in declared.order_by("year").values_list("supplier_id", "households"):
        latest[supplier_id] = households  # later years overwrite earlier ones
    return sum(latest.values())


def targets_for(first_year: int, last_year: int) -> dict | None:
    """Targets of a period: each year's own, or the latest earlier one (the plan baseline at first);
    sales targets add up over the years, the counts take the largest year's."""
    targets = list(YearTarget.objects.filter(year__lte=last_year).order_by("year"))
    if not targets:
        return None
    chosen = []
    for year in range(first_year, last_year + 1):
        earlier = [target for target in targets if target.year <= year]
        if earlier:
            chosen.append(earlier[-1])
    if not chosen:
        return None
    return {
        "sales": sum((target.sales for target in chosen), Decimal("0")),
        "enterprises": max(target.enterprises for target in chosen),
        "products": max(target.products for target in chosen),
        "households": max(target.households for target in chosen),
        "years": sorted({target.year for target in chosen}),
        "baseline": any(target.note and target.year == 2020 for target in chosen),
    }


def progress(value, target) -> int | None:
    """Percent of a target reached (None without a target)."""
    if not target:
        return None
    return int(Decimal(value) * 100 / Decimal(target))
