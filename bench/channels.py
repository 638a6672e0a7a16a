#!/usr/bin/env python
"""Channel prices benchmark: a member's catalogue page against the same page for a retail buyer,
measured in one run (issue 13: the member's throughput at least 0.5 × the retail buyer's).

    .venv/bin/python bench/channels.py                         (SQLite file /tmp/bench_channels.sqlite3)
    .venv/bin/python bench/channels.py --products 10000 --priced 10000 --seconds 8 --rounds 3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_channels .venv/bin/python bench/channels.py

1. Its own database (BENCH_DATABASE_URL, whose path or name must contain "bench"; default a SQLite file
   in /tmp): --products public products with stock (reused between runs; --fresh starts over), the
   school channel's price list pricing the first --priced of them (minimum 12, cases of 6), an approved
   school with one member, and a retail buyer with no organisation. Both are signed in (their
   session cookies are made here), so neither gets the shared page cache: every page is rendered.
2. In-process, Django's test client, warm: queries and median latency of the catalogue page
   (/shop/catalogue/, 24 product cards) for the retail buyer and for the member.
3. gunicorn (2 sync workers, bench.settings) under --connections concurrent clients (wrk, or Python
   threads when wrk is missing): hello-world, the retail buyer's catalogue page and the member's,
   alternating, --rounds times. The ratio member ÷ retail is the figure; the target is ≥ 0.5.

Query counts are pinned in tests/channels/test_query_counts.py (a member pays at most 2 more).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    django_environment,
    load_function,
    scratch_database_url,
    start_django,
    start_gunicorn,
    stop,
    throughput,
)

DEFAULT_DATABASE_URL = "sqlite:////tmp/bench_channels.sqlite3"
UPC_PREFIX = "BENCHCH"
MEMBER_EMAIL = "member@bench.shiyan.example"
RETAIL_EMAIL = "retail@bench.shiyan.example"
PAGE = "/shop/catalogue/"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--priced", type=int, default=2_000, help="products in the channel's price list")
    parser.add_argument("--requests", type=int, default=30, help="requests per page for the median (30)")
    parser.add_argument("--seconds", type=int, default=5, help="length of each load run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating load rounds (default 3)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8103")))
    parser.add_argument("--fresh", action="store_true", help="drop the bench products and seed again")
    parser.add_argument("--no-gunicorn", action="store_true", help="only the in-process figures")
    return parser.parse_args()


def seed(count: int, priced: int, fresh: bool) -> float:
    """Products, the school price list, the organisation and both buyers; seconds taken (0: reused)."""
    import datetime
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import F
    from oscar.core.loading import get_model

    from channels.models import Membership, Organisation, PriceList, PriceListEntry
    from core.sales_channels import SalesChannel
    from suppliers.validators import uscc_check_character

    Partner = get_model("partner", "Partner")
    Product = get_model("catalogue", "Product")
    ProductClass = get_model("catalogue", "ProductClass")
    StockRecord = get_model("partner", "StockRecord")
    User = get_user_model()

    started = time.perf_counter()
    existing = Product.objects.filter(upc__startswith=UPC_PREFIX)
    with transaction.atomic():
        if fresh or existing.count() != count:
            PriceListEntry.objects.filter(product__upc__startswith=UPC_PREFIX).delete()
            StockRecord.objects.filter(product__upc__startswith=UPC_PREFIX).delete()
            existing.delete()
            product_class, _ = ProductClass.objects.get_or_create(
                slug="bench-goods",
                defaults={"name": "十堰特产", "track_stock": True, "requires_shipping": True},
            )
            partner, _ = Partner.objects.get_or_create(
                code="bench-coop", defaults={"name": "十堰优品演示合作社"}
            )
            Product.objects.bulk_create(
                (
                    Product(
                        structure=Product.STANDALONE,
                        title=f"房县香菇 干货 250克 #{n:05d}",
                        slug=f"bench-ch-{n}",
                        upc=f"{UPC_PREFIX}{n:07d}",
                        product_class=product_class,
                        is_public=True,
                    )
                    for n in range(count)
                ),
                batch_size=1000,
            )
            StockRecord.objects.bulk_create(
                (
                    StockRecord(
                        product_id=pk,
                        partner=partner,
                        partner_sku=f"BENCHCH-{pk}",
                        price_currency="CNY",
                        price=Decimal(19 + (n * 7) % 180) + Decimal("0.80"),
                        num_in_stock=1000,
                        num_allocated=0,
                    )
                    for n, pk in enumerate(existing.order_by("pk").values_list("pk", flat=True))
                ),
                batch_size=1000,
            )
        body = "12110108MA0BENCH1"[:17]
        school, _ = Organisation.objects.get_or_create(
            uscc=body + uscc_check_character(body),
            defaults={
                "name": "北京市基准实验学校",
                "short_name": "基准学校",
                "channel": SalesChannel.SCHOOL,
                "contact_name": "郑老师",
                "phone": "13911000003",
                "email": "bench@school.example",
                "address": "北京市海淀区",
                "invoice_title": "北京市基准实验学校",
                "tax_number": body + uscc_check_character(body),
                "billing_address": "北京市海淀区",
                "billing_phone": "13911000003",
                "bank_name": "北京银行",
                "bank_account": "20000003123456789012",
                "status": Organisation.Status.APPROVED,
            },
        )
        for email in (MEMBER_EMAIL, RETAIL_EMAIL):
            if not User.objects.filter(email=email).exists():
                User.objects.create_user(username=email, email=email, password="bench-only")  # noqa: S106
        member = User.objects.get(email=MEMBER_EMAIL)
        Membership.objects.get_or_create(user=member, defaults={"organisation": school})
        price_list, _ = PriceList.objects.get_or_create(channel=SalesChannel.SCHOOL, organisation=None)
        ids = list(
            existing.order_by("-priority", "-date_created", "-id").values_list("pk", flat=True)[:priced]
        )
        if price_list.entries.count() != len(ids) or fresh:
            price_list.entries.all().delete()
            PriceListEntry.objects.bulk_create(
                (
                    PriceListEntry(
                        price_list=price_list,
                        product_id=pk,
                        price=Decimal("17.50"),
                        moq=12,
                        case_size=6,
                        valid_from=datetime.date(2025, 1, 1),
                    )
                    for pk in ids
                ),
                batch_size=1000,
            )
            PriceList.objects.filter(pk=price_list.pk).update(revision=F("revision") + 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def signed_in_cookie(email: str) -> str:
    """A session cookie of ``email``'s, valid for the gunicorn workers too (sessions in the database)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(email=email))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def in_process(cookies: dict[str, str], requests: int) -> dict[str, tuple[int, float, int]]:
    """name → (queries, median ms, priced cards shown) for the catalogue page, warm."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    figures = {}
    for name, cookie in cookies.items():
        client = Client(HTTP_COOKIE=cookie)
        response = client.get(PAGE)
        assert response.status_code == 200, (name, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PAGE)
        queries = len(captured)  # now: every request resets the log the context reads
        priced = response.content.decode().count('class="buyer-terms"')
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(PAGE)
            timings.append((time.perf_counter() - started) * 1000)
        figures[name] = (queries, statistics.median(timings), priced)
    return figures


def main():
    args = parse_args()
    url = scratch_database_url(DEFAULT_DATABASE_URL)
    env = django_environment(url, "bench.settings")
    start_django(env)
    seconds = seed(args.products, min(args.priced, args.products), args.fresh)
    from django.db import connection

    priced = min(args.priced, args.products)
    print(
        f"database: {connection.vendor}, {args.products:,} products, {priced:,} in the school channel's "
        "price list" + (f" (seeded in {seconds:.1f} s)" if seconds > 1 else " (reused)")
    )
    cookies = {"retail buyer": signed_in_cookie(RETAIL_EMAIL), "member": signed_in_cookie(MEMBER_EMAIL)}
    print(f"\nin-process, Django test client, warm, median of {args.requests} requests of {PAGE}:")
    print(f"  {'buyer':<14}{'queries':>8}{'median ms':>12}{'priced cards':>14}")
    for name, (queries, median, priced) in in_process(cookies, args.requests).items():
        print(f"  {name:<14}{queries:>8}{median:>12.1f}{priced:>14}")
    if args.no_gunicorn:
        return
    process = start_gunicorn(env, args.port, ready_path="/bench/hello", log_name="channels")
    try:
        figures = throughput(
            f"http://127.0.0.1:{args.port}",
            {"hello-world": "/bench/hello", "retail buyer": PAGE, "member": PAGE},
            seconds=args.seconds,
            rounds=args.rounds,
            connections=args.connections,
            headers={name: {"Cookie": cookie} for name, cookie in cookies.items()},
        )
    finally:
        stop(process)
    load = load_function().__name__[5:]
    print(f"\ngunicorn, 2 sync workers, {args.connections} concurrent clients ({load}), signed in, {PAGE},")
    print(f"{args.rounds} alternating rounds × {args.seconds} s, median req/s:")
    for name, (median, rounds) in figures.items():
        print(f"  {name:<14}{median:>8.1f}   rounds {[round(x) for x in rounds]}")
    ratio = figures["member"][0] / figures["retail buyer"][0]
    print(f"member ÷ retail buyer: {ratio:.2f} × (target ≥ 0.5)")


if __name__ == "__main__":
    main()
