"""Impact reporting at scale: 1,000,000 order lines over 3 years, read through the roll-ups.

Prints medians; asserts nothing. Uses its own PostgreSQL database, never the development one:
    .venv/bin/python bench/impact.py            # postgres://postgres@127.0.0.1:5432/h_impact_bench
    BENCH_DATABASE_URL=postgres://…/other_bench .venv/bin/python bench/impact.py [--fresh]
The orders (84 suppliers, 330 products, ~333,000 orders of 3 lines, 1 in 30 refunded in part, 1 in
50 cancelled, 1 in 10 for an organisation on account delivered) are written once by SQL; later runs
reuse them (--fresh starts over). Measured, with no cache anywhere (the pages cache nothing):
  - the nightly rebuild of every roll-up from the orders;
  - an incremental update: a payment committed, its day re-aggregated (what the queued task does);
  - the staff dashboard (this year, 3 years, 3 years filtered by 房县 and 农校) and a cooperative's
    page (this year, 3 years): median of RUNS requests through Django's test client, with queries.
"""

import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    django_environment,
    insert_order_lines_and_payments,
    scratch_database_url,
    start_django,
)

URL = scratch_database_url("postgres://postgres@127.0.0.1:5432/h_impact_bench")
start_django(django_environment(URL, "shop.settings.test"))

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

N_SUPPLIERS = 84
N_PRODUCTS = 330
N_ORDERS = 333_334  # × 3 lines = 1,000,002 lines
DAYS = 3 * 365
RUNS = 15
DISTRICTS = [
    "东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "门头沟区", "房山区",
    "通州区", "顺义区", "昌平区", "大兴区", "怀柔区", "平谷区", "密云区", "延庆区",
]  # fmt: skip
COUNTIES = ["danjiangkou", "yunyang", "yunxi", "zhushan", "zhuxi", "fangxian", "maojian", "zhangwan"]
CHANNELS = ["supermarket", "enterprise", "school", "restaurant", "retail"]


def loaded() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM order_line")
        return cursor.fetchone()[0] >= 1_000_000


def load() -> None:
    from oscar.core.loading import get_model

    from channels.models import Organisation
    from impact.models import SupplierHouseholdDeclaration
    from tests.factories.catalogue import ShiyanProductFactory, ShiyanStockRecordFactory
    from tests.factories.channels import DeliverySiteFactory, OrganisationFactory
    from tests.factories.order import BeijingShippingAddressFactory
    from tests.factories.suppliers import SupplierFactory, portal_user_for

    Category = get_model("catalogue", "Category")
    ProductCategory = get_model("catalogue", "ProductCategory")
    PaymentEventType = get_model("order", "PaymentEventType")
    User = get_model("auth", "User")

    print("loading 84 suppliers, 330 products …", flush=True)
    tops = [Category.add_root(name=f"品类{i}") for i in range(10)]
    suppliers = []
    for i in range(N_SUPPLIERS):
        supplier = SupplierFactory(county=COUNTIES[i % len(COUNTIES)], short_name=f"合作社{i}")
        suppliers.append(supplier)
        for year in (2024, 2025, 2026):
            SupplierHouseholdDeclaration.objects.create(
                supplier=supplier, year=year, households=100 + i + year % 10
            )
    portal_user_for(suppliers[5], username="bench-coop", email="bench-coop@example.com")
    User.objects.create_user("bench-staff", "bench-staff@example.com", "x", is_staff=True)
    for i in range(N_PRODUCTS):
        product = ShiyanProductFactory(title=f"产品{i}", brand=f"品牌{i % 40}")
        ShiyanStockRecordFactory(product=product, partner=suppliers[i % N_SUPPLIERS].partner)
        ProductCategory.objects.create(product=product, category=tops[i % len(tops)])
    addresses = [BeijingShippingAddressFactory(line4=district).pk for district in DISTRICTS]
    on_account = OrganisationFactory(payment_mode=Organisation.PaymentMode.ON_ACCOUNT)
    site = DeliverySiteFactory(organisation=on_account)
    paid = PaymentEventType.objects.get_or_create(name="Paid")[0].pk
    refunded = PaymentEventType.objects.get_or_create(name="Refunded")[0].pk
    today = timezone.localdate()
    print(f"writing {N_ORDERS:,} orders and {3 * N_ORDERS:,} lines by SQL …", flush=True)
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            """
            CREATE TEMP TABLE bench_orders AS
            SELECT g AS n,
                   (%(today)s::date - ((g %% %(days)s))::int)::timestamp
                       + ((g * 7919) %% 86400) * interval '1 second' AS at,
                   (ARRAY['supermarket','enterprise','school','restaurant','retail'])[1 + (g * 31) %% 5]
                       AS channel,
                   (ARRAY[%(addresses)s])[1 + (g * 17) %% 16] AS address_id,
                   g %% 50 = 0 AS cancelled, g %% 30 = 0 AS refunded, g %% 10 = 3 AS on_account
            FROM generate_series(1::bigint, %(orders)s) g
            """,
            {"today": today, "days": DAYS, "orders": N_ORDERS, "addresses": addresses},
        )
        cursor.execute(
            """
            INSERT INTO order_order (number, currency, total_incl_tax, total_excl_tax, shipping_incl_tax,
                shipping_excl_tax, shipping_method, shipping_code, status, guest_email, date_placed,
                analytics_tracked, channel, shipping_address_id)
            SELECT 'B' || n, 'CNY', 0, 0, 0, 0, '', '', CASE WHEN cancelled THEN 'Cancelled' ELSE 'Paid' END,
                   'bench@example.com', at AT TIME ZONE 'Asia/Shanghai', false,
                   CASE WHEN on_account THEN 'school' ELSE channel END, address_id
            FROM bench_orders
            """
        )
        insert_order_lines_and_payments(cursor, prefix="B", products=N_PRODUCTS, paid=paid, refunded=refunded)
        cursor.execute(
            """
            INSERT INTO channels_organisationorder
                (order_id, organisation_id, source, po_number, note, created_at)
            SELECT o.id, %(org)s, 'basket', '', '', now()
            FROM bench_orders b JOIN order_order o ON o.number = 'B' || b.n WHERE b.on_account
            """,
            {"org": on_account.pk},
        )
        cursor.execute(
            """
            INSERT INTO channels_delivery
                (organisation_order_id, site_id, date, status, delivered_at, created_at)
            SELECT oo.id, %(site)s, (b.at + interval '1 day')::date, 'delivered',
                   (b.at + interval '1 day') AT TIME ZONE 'Asia/Shanghai', now()
            FROM bench_orders b JOIN order_order o ON o.number = 'B' || b.n
            JOIN channels_organisationorder oo ON oo.order_id = o.id
            """,
            {"site": site.pk},
        )
        cursor.execute(
            "INSERT INTO channels_deliveryline (delivery_id, line_id) "
            "SELECT d.id, l.id FROM channels_delivery d "
            "JOIN channels_organisationorder oo ON oo.id = d.organisation_order_id "
            "JOIN order_line l ON l.order_id = oo.order_id"
        )
    with connection.cursor() as cursor:
        for table in ("order_order", "order_line", "order_paymentevent", "channels_delivery"):
            cursor.execute(f"ANALYZE {table}")
    print(f"  written in {time.monotonic() - started:.0f} s", flush=True)


def median_ms(client, url, params, runs=RUNS):
    client.get(url, params)  # warm the process (templates, translations), not the data
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    return statistics.median(timings), len(queries)


def main() -> None:
    from django.contrib.auth import get_user_model
    from oscar.core.loading import get_model

    from impact import rollup

    if "--fresh" in sys.argv or not loaded():
        if "--fresh" in sys.argv:
            with connection.cursor() as cursor:  # this bench's rows only: data migrations' rows stay
                cursor.execute(
                    "TRUNCATE order_order, order_line, order_paymentevent, order_shippingaddress, "
                    "catalogue_product, catalogue_category, suppliers_supplier, partner_partner, "
                    "channels_organisation, impact_supplierhouseholddeclaration CASCADE"
                )

            get_user_model().objects.filter(username__startswith="bench-").delete()
        load()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM order_line")
        print(f"order lines: {cursor.fetchone()[0]:,}")

    seconds = rollup.rollups_rebuild()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM impact_dailysales), (SELECT COUNT(*) FROM impact_monthlysales), "
            "(SELECT COUNT(*) FROM impact_monthlydistrictsales)"
        )
        daily, monthly, district = cursor.fetchone()
    print(
        f"rebuild: {seconds:.1f} s  (rows: daily {daily:,}, monthly {monthly:,}, "
        f"monthly by district {district:,})"
    )

    # Incremental: a payment commits (marking its day), then its day is re-aggregated.
    Order = get_model("order", "Order")
    PaymentEvent = get_model("order", "PaymentEvent")
    PaymentEventType = get_model("order", "PaymentEventType")
    order = Order.objects.filter(number__startswith="B", status="Paid").order_by("-pk").first()
    started = time.perf_counter()
    with transaction.atomic():
        PaymentEvent.objects.create(
            order=order, amount=Decimal("1.00"), event_type=PaymentEventType.objects.get(name="Refunded")
        )
    rollup.dirty_days_refresh()  # the task queued after the commit (eager here) did it already
    print(f"incremental: {time.perf_counter() - started:.2f} s from the payment's commit to the figures")

    User = get_user_model()
    staff, coop = Client(), Client()
    staff.force_login(User.objects.get(username="bench-staff"))
    coop.force_login(User.objects.get(username="bench-coop"))
    today = timezone.localdate()
    three_years = {"start": (today - datetime.timedelta(days=DAYS - 1)).isoformat(), "end": today.isoformat()}
    cases = [
        ("staff dashboard, this year", staff, "/shop/dashboard/impact/", {}),
        ("staff dashboard, 3 years", staff, "/shop/dashboard/impact/", three_years),
        ("staff dashboard, 3 years, 房县 × 农校", staff, "/shop/dashboard/impact/",
         {**three_years, "county": "fangxian", "channel": "school"}),
        ("cooperative page, this year", coop, "/shop/portal/impact/", {}),
        ("cooperative page, 3 years", coop, "/shop/portal/impact/", three_years),
    ]  # fmt: skip
    for label, client, url, params in cases:
        median, queries = median_ms(client, url, params)
        print(f"{label}: median {median:.0f} ms over {RUNS} requests, {queries} queries")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
