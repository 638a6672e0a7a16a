#!/usr/bin/env python
"""Storefront benchmark: 10,000 products; queries and median latency of the hot pages; throughput
under gunicorn against a plain Django hello-world view measured in the same run.

    .venv/bin/python bench/storefront.py                       (SQLite file /tmp/bench_storefront.sqlite3)
    .venv/bin/python bench/storefront.py --products 10000 --requests 50 --seconds 8 --rounds 3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sf .venv/bin/python bench/storefront.py

1. Its own database (BENCH_DATABASE_URL, whose path or name must contain "bench"; default a SQLite file
   in /tmp). The first run migrates it (about a minute) and bulk-creates the products (a few seconds):
   six categories, ten counties, a tenth of the titles containing 香菇, one stock record each.
   Later runs reuse them (--fresh starts over).
2. In-process, Django's test client (warm: each URL requested once first): queries per request and
   median latency over --requests requests of /shop/, a category page (24 per page), a product page
   and a search for 香菇.
3. gunicorn (2 sync workers, bench.settings: the local settings with DEBUG off plus /bench/hello)
   under --connections concurrent clients (wrk, or Python threads when wrk is missing): a list page
   (the category page) and a product page against /bench/hello, alternating, --rounds times.

Targets (issue 2): list and product pages ≤ 50 ms median; ≥ 0.25 × hello-world throughput.
Query counts are pinned in tests/catalogue/test_query_counts.py (list page ≤ 20, product page ≤ 18).
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

DEFAULT_DATABASE_URL = "sqlite:////tmp/bench_storefront.sqlite3"
UPC_PREFIX = "BENCHSF"
CATEGORIES = [
    ("茶叶", "bench-tea"),
    ("食用菌", "bench-fungi"),
    ("柑橘", "bench-citrus"),
    ("橄榄油", "bench-olive-oil"),
    ("黄酒", "bench-yellow-wine"),
    ("其他特产", "bench-others"),
]
NAMES = [
    "房县香菇 干货 250克",
    "竹溪贡茶 明前绿茶 100克",
    "丹江口蜜桔 5斤装",
    "郧西马头山羊 肉干 200克",
    "武当道茶 礼盒",
    "竹山绿松石 茶宠",
    "房县黄酒 1.5升",
    "丹江口橄榄油 500毫升",
    "郧阳木耳 150克",
    "张湾核桃 1千克",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30, help="requests per page for the median (30)")
    parser.add_argument("--seconds", type=int, default=5, help="length of each load run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating load rounds (default 3)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8102")))
    parser.add_argument("--fresh", action="store_true", help="drop the bench products and seed again")
    parser.add_argument("--no-gunicorn", action="store_true", help="only the in-process figures")
    return parser.parse_args()


def seed(count: int, fresh: bool) -> float:
    """``count`` public products with stock in six categories; returns the seconds it took (0: reused)."""
    from decimal import Decimal

    from django.db import transaction
    from oscar.core.loading import get_model

    from core.places import County

    Category = get_model("catalogue", "Category")
    Partner = get_model("partner", "Partner")
    Product = get_model("catalogue", "Product")
    ProductCategory = get_model("catalogue", "ProductCategory")
    ProductClass = get_model("catalogue", "ProductClass")
    StockRecord = get_model("partner", "StockRecord")

    existing = Product.objects.filter(upc__startswith=UPC_PREFIX)
    if not fresh and existing.count() == count:
        return 0.0
    started = time.perf_counter()
    with transaction.atomic():
        StockRecord.objects.filter(product__upc__startswith=UPC_PREFIX).delete()
        ProductCategory.objects.filter(product__upc__startswith=UPC_PREFIX).delete()
        existing.delete()
        categories = []
        for name, slug in CATEGORIES:
            category = Category.objects.filter(slug=slug).first() or Category.add_root(name=name, slug=slug)
            categories.append(category)
        product_class, _ = ProductClass.objects.get_or_create(
            slug="bench-goods", defaults={"name": "十堰特产", "track_stock": True, "requires_shipping": True}
        )
        partner, _ = Partner.objects.get_or_create(code="bench-coop", defaults={"name": "十堰优品演示合作社"})
        counties = list(County.values)
        Product.objects.bulk_create(
            (
                Product(
                    structure=Product.STANDALONE,
                    title=f"{NAMES[n % len(NAMES)]} #{n:05d}",
                    slug=f"bench-{n}",
                    upc=f"{UPC_PREFIX}{n:07d}",
                    product_class=product_class,
                    origin_county=counties[n % len(counties)],
                    brand=NAMES[n % len(NAMES)].split()[0],
                    description=f"<p>{NAMES[n % len(NAMES)]}，十堰产地直供。</p>",
                    is_public=True,
                    priority=n % 5,
                )
                for n in range(count)
            ),
            batch_size=1000,
        )
        ids = list(existing.order_by("pk").values_list("pk", flat=True))
        StockRecord.objects.bulk_create(
            (
                StockRecord(
                    product_id=pk,
                    partner=partner,
                    partner_sku=f"BENCH-{pk}",
                    price_currency="CNY",
                    price=Decimal(19 + (n * 7) % 180) + Decimal("0.80"),
                    num_in_stock=100,
                    num_allocated=0,
                )
                for n, pk in enumerate(ids)
            ),
            batch_size=1000,
        )
        ProductCategory.objects.bulk_create(
            (
                ProductCategory(product_id=pk, category=categories[n % len(categories)])
                for n, pk in enumerate(ids)
            ),
            batch_size=1000,
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        # As autovacuum would soon after a bulk load: without statistics the planner expects two
        # products and picks nested loops over all 10,000.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def pages() -> dict[str, str]:
    from oscar.core.loading import get_model

    Category = get_model("catalogue", "Category")
    Product = get_model("catalogue", "Product")
    product = Product.objects.filter(upc__startswith=UPC_PREFIX).order_by("pk")[len(NAMES) * 10]
    return {
        "/shop/ home": "/shop/",
        "category page": Category.objects.get(slug="bench-fungi").get_absolute_url(),
        "product page": product.get_absolute_url(),
        "search 香菇": "/shop/search/?q=香菇",
    }


def in_process(urls: dict[str, str], requests: int) -> dict[str, tuple[int, float, int]]:
    """name → (queries, median ms, products listed) with the test client, after one warm-up request.

    Django's test environment is not set up: its template instrumentation (a signal and a context
    copy per template rendered) would be measured too. Products listed are counted in the HTML.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    figures = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries = len(captured)  # now: every request resets the log the context reads
        listed = response.content.decode().count('class="product-grid__item"')
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        figures[name] = (queries, statistics.median(timings), listed)
    return figures


def main():
    args = parse_args()
    url = scratch_database_url(DEFAULT_DATABASE_URL)
    env = django_environment(url, "bench.settings")
    start_django(env)
    seconds = seed(args.products, args.fresh)
    urls = pages()
    from django.db import connection

    print(f"database: {connection.vendor}, {args.products:,} products", end="")
    print(f" (seeded in {seconds:.1f} s)" if seconds else " (reused)")
    from django.conf import settings

    shared_seconds = settings.ANONYMOUS_PAGE_CACHE_SECONDS
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    print(f"\nin-process, Django test client, warm, every page rendered, median of {args.requests} requests:")
    print(f"  {'page':<16}{'queries':>8}{'median ms':>12}{'listed':>8}   url")
    for name, (queries, median, listed) in in_process(urls, args.requests).items():
        print(f"  {name:<16}{queries:>8}{median:>12.1f}{listed or '':>8}   {urls[name]}")
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = shared_seconds
    print(f"\nthe same, for visitors with nothing of their own (shared page cache, {shared_seconds} s;")
    print("  a product page served from it still counts the view, in memory, written every 10 s):")
    for name, (queries, median, _listed) in in_process(urls, args.requests).items():
        print(f"  {name:<16}{queries:>8}{median:>12.1f}")
    if args.no_gunicorn:
        return
    for label, seconds in (
        ("every page rendered (signed in, or with a basket)", "0"),
        (f"anonymous visitors (shared page cache, {shared_seconds} s)", str(shared_seconds)),
    ):
        env["ANONYMOUS_PAGE_CACHE_SECONDS"] = seconds
        process = start_gunicorn(env, args.port, ready_path="/bench/hello", log_name="storefront")
        try:
            figures = throughput(
                f"http://127.0.0.1:{args.port}",
                {
                    "hello-world": "/bench/hello",
                    "category page": urls["category page"],
                    "product page": urls["product page"],
                },
                seconds=args.seconds,
                rounds=args.rounds,
                connections=args.connections,
            )
        finally:
            stop(process)
        load = load_function().__name__[5:]
        print(f"\ngunicorn, 2 sync workers, {args.connections} concurrent clients ({load}), {label},")
        print(f"{args.rounds} alternating rounds × {args.seconds} s, median req/s:")
        hello = figures["hello-world"][0]
        for name, (median, rounds) in figures.items():
            ratio = "" if name == "hello-world" else f"   ratio {median / hello:.2f} × hello (target ≥ 0.25)"
            print(f"  {name:<14}{median:>8.1f}   rounds {[round(x) for x in rounds]}{ratio}")


if __name__ == "__main__":
    main()
