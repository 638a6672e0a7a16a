"""The sales roll-ups: computed from orders by SQL, kept current day by day, rebuilt nightly.

What a counted sale is lives in one place, ``facts_sql`` below (its definition in words:
``impact.figures`` and docs/impact.md). Every change to an order that can move a figure marks the
order's sale days dirty (``impact.signals`` → ``order_days_mark``), in the transaction of the
change; ``dirty_days_refresh`` (Celery, right after the commit and every minute) computes those
days again, then the months they fall in. ``rollups_rebuild`` (nightly) recomputes everything.
Both take the same advisory lock, so they never interleave.
"""

import datetime
import time
import zoneinfo

from django.db import connection, transaction

from core.places import BeijingDistrict

from .models import DailySales, DirtyDay, MonthlyDistrictSales, MonthlySales

#: Local day of a sale: the platform reports in Shanghai time, whatever the server's zone.
REPORT_TZ = "Asia/Shanghai"
REPORT_ZONE = zoneinfo.ZoneInfo(REPORT_TZ)
LOCK_KEY = 7_141_014  # pg_advisory_xact_lock key of the roll-up writers
PAID_EVENT = "Paid"
REFUNDED_EVENT = "Refunded"
CANCELLED = "Cancelled"
ON_ACCOUNT = "on_account"
DELIVERED = "delivered"

_DISTRICTS = ", ".join(f"'{value}'" for value in BeijingDistrict.values)


# One row per counted order line: its sale day, dimensions and net amount. The %(…)s parts
# (``_DAY_PARTS``) narrow it to one day for an incremental refresh, starting from the orders paid or
# delivered that day (found by index); they are all empty for a rebuild.
def _pg() -> bool:
    """The roll-ups run on PostgreSQL (production, benchmarks) and on SQLite (the zero-setup default)."""
    return connection.vendor == "postgresql"


def _day(expr: str, pg: bool) -> str:
    """The Shanghai-time day of a stored (UTC) moment; Shanghai keeps UTC+8 all year."""
    return f"({expr} AT TIME ZONE '{REPORT_TZ}')::date" if pg else f"date({expr}, '+8 hours')"


def _month(expr: str, pg: bool) -> str:
    return f"date_trunc('month', {expr})::date" if pg else f"date({expr}, 'start of month')"


def facts_sql(pg: bool) -> str:
    greatest = "GREATEST" if pg else "MAX"
    # Paid when first paid; on account, when delivered.
    sale_moment = (
        f"CASE WHEN org.payment_mode = '{ON_ACCOUNT}' "
        f"THEN CASE WHEN d.status = '{DELIVERED}' THEN d.delivered_at END ELSE paid.at END"
    )
    return f"""
WITH paid AS (
    SELECT pe.order_id, MIN(pe.date_created) AS at
    FROM order_paymentevent pe JOIN order_paymenteventtype t ON t.id = pe.event_type_id
    WHERE t.name = '{PAID_EVENT}' %(paid_where)s
    GROUP BY pe.order_id %(paid_having)s
)%(candidates_cte)s, refunded AS (
    SELECT pe.order_id, SUM(pe.amount) AS amount
    FROM order_paymentevent pe JOIN order_paymenteventtype t ON t.id = pe.event_type_id
    WHERE t.name = '{REFUNDED_EVENT}' %(refund_where)s
    GROUP BY pe.order_id
), cats AS (
    SELECT pc.product_id, MIN(top.id) AS category_id
    FROM catalogue_productcategory pc
    JOIN catalogue_category c ON c.id = pc.category_id
    JOIN catalogue_category top ON top.path = SUBSTR(c.path, 1, 4)
    GROUP BY pc.product_id
), facts AS (
    SELECT
        {_day(sale_moment, pg)} AS day,
        l.product_id,
        o.channel,
        COALESCE(site.district, CASE WHEN sa.line4 IN ({_DISTRICTS}) THEN sa.line4 ELSE '' END) AS district,
        s.id AS supplier_id,
        COALESCE(NULLIF(s.county, ''), p.origin_county, '') AS county,
        cats.category_id,
        COALESCE(NULLIF(p.brand, ''), parent.brand, '') AS brand,
        ROUND(l.line_price_incl_tax
              * {greatest}(0, 1 - COALESCE(r.amount, 0) * 1.0 / NULLIF(o.total_incl_tax, 0)), 2) AS amount,
        l.quantity
    FROM order_order o %(candidates_join)s
    JOIN order_line l ON l.order_id = o.id
    LEFT JOIN paid ON paid.order_id = o.id
    LEFT JOIN refunded r ON r.order_id = o.id
    LEFT JOIN channels_deliveryline dl ON dl.line_id = l.id
    LEFT JOIN channels_delivery d ON d.id = dl.delivery_id
    LEFT JOIN channels_deliverysite site ON site.id = d.site_id
    LEFT JOIN channels_organisationorder oo ON oo.order_id = o.id
    LEFT JOIN channels_organisation org ON org.id = oo.organisation_id
    LEFT JOIN order_shippingaddress sa ON sa.id = o.shipping_address_id
    LEFT JOIN suppliers_supplier s ON s.partner_id = l.partner_id
    LEFT JOIN catalogue_product p ON p.id = l.product_id
    LEFT JOIN catalogue_product parent ON parent.id = p.parent_id
    LEFT JOIN cats ON cats.product_id = COALESCE(p.parent_id, p.id)
    WHERE o.status <> '{CANCELLED}' AND l.status <> '{CANCELLED}'
)
"""


def organisation_facts_sql(pg: bool) -> str:
    """``facts_sql`` narrowed to one organisation's orders (parameter ``%(organisation)s``) paid or
    delivered between the moments ``%(start)s`` and ``%(end)s``.

    For an organisation's assistance ledger (channels): "paid" there is exactly the impact figures'
    sales, counted by the same SQL. The narrowing only drops orders that cannot count in the period
    (an order counts on its first payment or its delivery); the caller still filters ``facts`` by
    ``day``, and keeps rows with an amount above zero, as the roll-ups do.
    """
    candidates = f"""
        SELECT oo.order_id FROM channels_organisationorder oo
        JOIN order_paymentevent pe ON pe.order_id = oo.order_id
        WHERE oo.organisation_id = %(organisation)s
          AND pe.date_created >= %(start)s AND pe.date_created < %(end)s
        UNION
        SELECT oo.order_id FROM channels_organisationorder oo
        JOIN channels_delivery d ON d.organisation_order_id = oo.id
        WHERE oo.organisation_id = %(organisation)s AND d.status = '{DELIVERED}'
          AND d.delivered_at >= %(start)s AND d.delivered_at < %(end)s
    """
    return facts_sql(pg) % {
        "paid_where": f"AND pe.order_id IN ({candidates})",
        "paid_having": "",
        "refund_where": "AND pe.order_id IN (SELECT order_id FROM candidates)",
        "candidates_cte": f", candidates AS MATERIALIZED ({candidates})",
        "candidates_join": "JOIN candidates ON candidates.order_id = o.id",
        "day_filter": "",
    }


_DAY_PARTS = ("paid_where", "paid_having", "refund_where", "candidates_cte", "candidates_join", "day_filter")
_DIMS = "product_id, channel, district, supplier_id, county, category_id, brand"


def daily_insert(pg: bool) -> str:
    return (
        facts_sql(pg)
        + f"""
INSERT INTO {DailySales._meta.db_table} (day, {_DIMS}, amount, quantity, lines)
SELECT day, {_DIMS}, SUM(amount), SUM(quantity), COUNT(*)
FROM facts WHERE day IS NOT NULL AND amount > 0 %(day_filter)s
GROUP BY day, {_DIMS}
"""
    )


_M_DIMS = "product_id, channel, supplier_id, county, category_id, brand"
_D_DIMS = "district, channel, county, category_id"


def monthly_inserts(pg: bool) -> list[str]:
    month = _month("day", pg)
    return [
        f"""
INSERT INTO {MonthlySales._meta.db_table} (month, {_M_DIMS}, amount, quantity, lines)
SELECT {month}, {_M_DIMS}, SUM(amount), SUM(quantity), SUM(lines)
FROM {DailySales._meta.db_table} %(where)s
GROUP BY 1, {_M_DIMS}
""",
        f"""
INSERT INTO {MonthlyDistrictSales._meta.db_table} (month, {_D_DIMS}, amount, quantity, lines)
SELECT {month}, {_D_DIMS}, SUM(amount), SUM(quantity), SUM(lines)
FROM {DailySales._meta.db_table} %(where)s
GROUP BY 1, {_D_DIMS}
""",
    ]


def _lock(cursor) -> None:
    if _pg():  # SQLite has one writer at a time anyway
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _date(value) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def days_mark(days) -> None:
    """Mark days dirty (inside the caller's transaction: the mark commits with the change)."""
    days = sorted({day for day in days if day is not None})
    if not days:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {DirtyDay._meta.db_table} (day, marked_at) VALUES (%s, CURRENT_TIMESTAMP) "
            "ON CONFLICT (day) DO UPDATE SET marked_at = CURRENT_TIMESTAMP",
            [[day] for day in days],
        )


def order_sale_days(order_id: int) -> list[datetime.date]:
    """The days an order's lines are (or would be) counted on: its first payment, its deliveries."""
    pg = _pg()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT {_day("MIN(pe.date_created)", pg)}
            FROM order_paymentevent pe JOIN order_paymenteventtype t ON t.id = pe.event_type_id
            WHERE pe.order_id = %s AND t.name = '{PAID_EVENT}'
            UNION
            SELECT {_day("d.delivered_at", pg)}
            FROM channels_delivery d JOIN channels_organisationorder oo ON oo.id = d.organisation_order_id
            WHERE oo.order_id = %s AND d.delivered_at IS NOT NULL
            """,
            [order_id, order_id],
        )
        return [_date(row[0]) for row in cursor.fetchall() if row[0] is not None]


def order_days_mark(order_id: int) -> None:
    days_mark(order_sale_days(order_id))


def _param(value, pg: bool):
    """Dates and moments as each database compares them (SQLite: ISO text, moments in UTC)."""
    if pg:
        return value
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat()


def _months_refresh(cursor, months) -> None:
    pg = _pg()
    for month in sorted(set(months)):
        end = _next_month(month)
        for model in (MonthlySales, MonthlyDistrictSales):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE month = %s", [_param(month, pg)])
        where = "WHERE day >= %(start)s AND day < %(end)s"
        for sql in monthly_inserts(pg):
            cursor.execute(
                sql.replace("%(where)s", where), {"start": _param(month, pg), "end": _param(end, pg)}
            )


def _day_refresh(cursor, day: datetime.date) -> None:
    pg = _pg()
    cursor.execute(f"DELETE FROM {DailySales._meta.db_table} WHERE day = %s", [_param(day, pg)])
    sql = daily_insert(pg) % {
        # Only orders with a payment event that day can have their first payment that day.
        "paid_where": "AND pe.order_id IN (SELECT order_id FROM order_paymentevent "
        "WHERE date_created >= %(start)s AND date_created < %(end)s)",
        "paid_having": f"HAVING {_day('MIN(pe.date_created)', pg)} = %(day)s",
        "refund_where": "AND pe.order_id IN (SELECT order_id FROM candidates)",
        # The day's orders, materialised: the query starts from them and reaches lines by index.
        "candidates_cte": f""", candidates AS MATERIALIZED (
            SELECT order_id FROM paid
            UNION
            SELECT oo2.order_id FROM channels_delivery d2
            JOIN channels_organisationorder oo2 ON oo2.id = d2.organisation_order_id
            WHERE d2.status = '{DELIVERED}'
              AND d2.delivered_at >= %(start)s AND d2.delivered_at < %(end)s
        )""",
        "candidates_join": "JOIN candidates ON candidates.order_id = o.id",
        "day_filter": "AND day = %(day)s",
    }
    start = datetime.datetime.combine(day, datetime.time(), REPORT_ZONE)
    end = start + datetime.timedelta(days=1)
    cursor.execute(sql, {"day": _param(day, pg), "start": _param(start, pg), "end": _param(end, pg)})


def dirty_days_refresh(limit: int = 366) -> int:
    """Compute the marked days again (and their months); returns how many days were refreshed.

    The marks are deleted first, in this transaction: a change committed before that delete is
    seen by the recomputation (read committed), one committed after it writes its mark again (it
    waits on the deleted row), so the next run picks it up. Nothing is lost, nothing counted twice.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        cursor.execute(
            f"DELETE FROM {DirtyDay._meta.db_table} WHERE day IN "
            f"(SELECT day FROM {DirtyDay._meta.db_table} ORDER BY day LIMIT %s) RETURNING day",
            [limit],
        )
        days = sorted(_date(row[0]) for row in cursor.fetchall())
        for day in days:
            _day_refresh(cursor, day)
        _months_refresh(cursor, {_month_start(day) for day in days})
    return len(days)


def rollups_rebuild() -> float:
    """Recompute every roll-up from the orders; returns the seconds it took."""
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        cursor.execute(f"DELETE FROM {DirtyDay._meta.db_table}")
        pg = _pg()
        for model in (DailySales, MonthlySales, MonthlyDistrictSales):
            cursor.execute(f"{'TRUNCATE' if pg else 'DELETE FROM'} {model._meta.db_table}")
        cursor.execute(daily_insert(pg) % dict.fromkeys(_DAY_PARTS, ""))
        for sql in monthly_inserts(pg):
            cursor.execute(sql.replace("%(where)s", ""))
        for model in (DailySales, MonthlySales, MonthlyDistrictSales):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return time.monotonic() - started
