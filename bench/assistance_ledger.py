"""The assistance ledger at scale: an organisation with 20,000 orders this year, among others' orders.

Prints medians; asserts nothing. Uses its own PostgreSQL database, never the development one:
    .venv/bin/python bench/assistance_ledger.py     # postgres://postgres@127.0.0.1:5432/h_ledger_bench
    BENCH_DATABASE_URL=postgres://…/other_bench .venv/bin/python bench/assistance_ledger.py [--fresh]
The orders are written once by SQL (later runs reuse them; --fresh starts over): 40 suppliers, 200
products; the measured school (pays when ordering) with 20,000 orders of 3 lines this year, each
delivered, 1 in 30 refunded in part, 1 in 50 cancelled; a canteen on account with 5,000 delivered
orders; 100,000 orders of retail buyers and other organisations around them. Measured, with no
cache anywhere: the member's page and the desk's page (median of RUNS requests through Django's
test client, with their queries) and the XLSX built by the worker.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    django_environment,
    insert_order_lines_and_payments,
    scratch_database_url,
    start_django,
)

URL = scratch_database_url("postgres://postgres@127.0.0.1:5432/h_ledger_bench")
start_django(django_environment(URL, "shop.settings.test"))

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

N_SUPPLIERS = 40
N_PRODUCTS = 200
SCHOOL_ORDERS = 20_000
CANTEEN_ORDERS = 5_000
OTHER_ORDERS = 100_000
RUNS = 15
COUNTIES = ["danjiangkou", "yunyang", "yunxi", "zhushan", "zhuxi", "fangxian", "maojian", "zhangwan"]


def loaded() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM order_order WHERE number LIKE 'L%%'")
        return cursor.fetchone()[0] >= SCHOOL_ORDERS + CANTEEN_ORDERS + OTHER_ORDERS


def load() -> None:
    from oscar.core.loading import get_model

    from channels.models import Membership, Organisation
    from tests.factories.catalogue import ShiyanProductFactory, ShiyanStockRecordFactory
    from tests.factories.channels import DeliverySiteFactory, OrganisationFactory, channel_manager
    from tests.factories.suppliers import SupplierFactory

    PaymentEventType = get_model("order", "PaymentEventType")
    User = get_model("auth", "User")

    print(f"loading {N_SUPPLIERS} suppliers, {N_PRODUCTS} products …", flush=True)
    suppliers = [
        SupplierFactory(county=COUNTIES[i % len(COUNTIES)], short_name=f"合作社{i}")
        for i in range(N_SUPPLIERS)
    ]
    for i in range(N_PRODUCTS):
        product = ShiyanProductFactory(title=f"产品{i}", brand=f"品牌{i % 40}")
        ShiyanStockRecordFactory(product=product, partner=suppliers[i % N_SUPPLIERS].partner)
    school = OrganisationFactory(name="北京市基准实验学校", yearly_pledge=5_000_000)
    canteen = OrganisationFactory(payment_mode=Organisation.PaymentMode.ON_ACCOUNT, channel="enterprise")
    other = OrganisationFactory()
    sites = {org.pk: DeliverySiteFactory(organisation=org).pk for org in (school, canteen, other)}
    member = User.objects.create_user("bench-ledger-member", "bench-ledger-member@example.com", "x")
    Membership.objects.create(user=member, organisation=school, role=Membership.Role.ADMIN)
    channel_manager("school", username="bench-ledger-manager", email="bench-ledger-manager@example.com")
    paid = PaymentEventType.objects.get_or_create(name="Paid")[0].pk
    refunded = PaymentEventType.objects.get_or_create(name="Refunded")[0].pk
    today = timezone.localdate()
    days = (today - today.replace(month=1, day=1)).days + 1
    total = SCHOOL_ORDERS + CANTEEN_ORDERS + OTHER_ORDERS
    print(f"writing {total:,} orders and {3 * total:,} lines by SQL …", flush=True)
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        # Orders 1…SCHOOL_ORDERS the school's, then the canteen's, then every 3rd of the rest the
        # other school's (the rest retail).
        cursor.execute(
            """
            CREATE TEMP TABLE bench_orders AS
            SELECT g AS n,
                   (%(today)s::date - ((g * 7) %% %(days)s)::int)::timestamp
                       + ((g * 7919) %% 86400) * interval '1 second' AS at,
                   CASE WHEN g <= %(school_n)s THEN %(school)s
                        WHEN g <= %(school_n)s + %(canteen_n)s THEN %(canteen)s
                        WHEN g %% 3 = 0 THEN %(other)s END AS organisation_id,
                   g %% 50 = 0 AS cancelled, g %% 30 = 0 AS refunded,
                   g > %(school_n)s AND g <= %(school_n)s + %(canteen_n)s AS on_account
            FROM generate_series(1::bigint, %(orders)s) g
            """,
            {
                "today": today,
                "days": days,
                "orders": total,
                "school_n": SCHOOL_ORDERS,
                "canteen_n": CANTEEN_ORDERS,
                "school": school.pk,
                "canteen": canteen.pk,
                "other": other.pk,
            },
        )
        cursor.execute(
            """
            INSERT INTO order_order (number, currency, total_incl_tax, total_excl_tax, shipping_incl_tax,
                shipping_excl_tax, shipping_method, shipping_code, status, guest_email, date_placed,
                analytics_tracked, channel)
            SELECT 'L' || n, 'CNY', 0, 0, 0, 0, '', '', CASE WHEN cancelled THEN 'Cancelled' ELSE 'Paid' END,
                   'bench@example.com', at AT TIME ZONE 'Asia/Shanghai', false,
                   CASE WHEN organisation_id IS NULL THEN 'retail' ELSE 'school' END
            FROM bench_orders
            """
        )
        insert_order_lines_and_payments(cursor, prefix="L", products=N_PRODUCTS, paid=paid, refunded=refunded)
        cursor.execute(
            """
            INSERT INTO channels_organisationorder
                (order_id, organisation_id, source, po_number, note, created_at)
            SELECT o.id, b.organisation_id, 'basket', '', '', now()
            FROM bench_orders b JOIN order_order o ON o.number = 'L' || b.n
            WHERE b.organisation_id IS NOT NULL
            """
        )
        site_of = " ".join(f"WHEN {k} THEN {v}" for k, v in sites.items())
        cursor.execute(
            f"""
            INSERT INTO channels_delivery
                (organisation_order_id, site_id, date, status, delivered_at, created_at)
            SELECT oo.id, CASE oo.organisation_id {site_of} END,
                   (b.at + interval '1 day')::date, 'delivered',
                   (b.at + interval '1 day') AT TIME ZONE 'Asia/Shanghai', now()
            FROM bench_orders b JOIN order_order o ON o.number = 'L' || b.n
            JOIN channels_organisationorder oo ON oo.order_id = o.id
            """  # noqa: S608 - our own ids
        )
        cursor.execute(
            "INSERT INTO channels_deliveryline (delivery_id, line_id) "
            "SELECT d.id, l.id FROM channels_delivery d "
            "JOIN channels_organisationorder oo ON oo.id = d.organisation_order_id "
            "JOIN order_line l ON l.order_id = oo.order_id"
        )
    with connection.cursor() as cursor:
        for table in (
            "order_order",
            "order_line",
            "order_paymentevent",
            "channels_delivery",
            "channels_deliveryline",
            "channels_organisationorder",
        ):
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

    from channels import documents
    from channels.ledger import organisation_ledger
    from channels.models import GeneratedDocument, Organisation

    if "--fresh" in sys.argv or not loaded():
        if "--fresh" in sys.argv:
            with connection.cursor() as cursor:  # this bench's rows only: data migrations' rows stay
                cursor.execute(
                    "TRUNCATE order_order, order_line, order_paymentevent, catalogue_product, "
                    "suppliers_supplier, partner_partner, channels_organisation CASCADE"
                )
            get_user_model().objects.filter(username__startswith="bench-ledger-").delete()
        load()
    school = Organisation.objects.get(name="北京市基准实验学校")
    year = timezone.localdate().year
    ledger = organisation_ledger(school, year)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM order_line")
        lines = cursor.fetchone()[0]
    print(
        f"order lines in the database: {lines:,}; the school this year: {ledger.order_count:,} orders, "
        f"ordered ¥{ledger.ordered:,}, delivered ¥{ledger.delivered:,}, paid ¥{ledger.paid:,}, "
        f"{ledger.product_count} products, {ledger.supplier_count} suppliers, {ledger.county_count} counties"
    )

    User = get_user_model()
    member, manager, staff = Client(), Client(), Client()
    staff.force_login(User.objects.get_or_create(username="bench-ledger-staff", is_superuser=True)[0])
    canteen = Organisation.objects.get(payment_mode=Organisation.PaymentMode.ON_ACCOUNT, channel="enterprise")
    canteen_url = f"/shop/channels/organisations/{canteen.pk}/assistance/"
    member.force_login(User.objects.get(username="bench-ledger-member"))
    manager.force_login(User.objects.get(username="bench-ledger-manager"))
    cases = [
        ("member's page, this year", member, "/shop/channels/org/assistance/", {}),
        ("desk's page, this year", manager, f"/shop/channels/organisations/{school.pk}/assistance/", {}),
        ("member's page, last year (empty)", member, "/shop/channels/org/assistance/", {"year": year - 1}),
        ("desk's page, the canteen (5,000 orders on account)", staff, f"{canteen_url}", {}),
    ]
    for label, client, url, params in cases:
        median, queries = median_ms(client, url, params)
        print(f"{label}: median {median:.0f} ms, {queries} queries")

    started = time.perf_counter()
    document = documents.document_request(
        kind=GeneratedDocument.Kind.ASSISTANCE_LEDGER,
        organisation=school,
        month=timezone.localdate().replace(month=1, day=1),
        by=User.objects.get(username="bench-ledger-member"),
    )
    documents.document_generate(document_id=document.pk)  # the worker's job (a no-op if eager did it)
    print(f"XLSX (queued and built): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
