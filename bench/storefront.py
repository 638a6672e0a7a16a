#!/usr/bin/env python
"""Storefront benchmark: 10,000 products; queries and median latency of the hot pages; throughput
under gunicorn against a plain Django hello-world view measured in the same run.

    .venv/bin/python bench/storefront.py                       (SQLite file /tmp/bench_storefront.sqlite3)
    .venv/bin/python bench/storefront.py --products 10000 --requests 50 --seconds 8 --rounds 3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sf .venv/bin/python bench/storefront.py

1. Its own database (BENCH_DATABASE_URL, whose path or name must contain "bench"; default a SQLite file
   in /tmp). The first run migrates it (about a minute) and bulk-creates the products (a few seconds):
   six categories, ten counties, a tenth of the titles containing 香菇, one stock record each, and
   their search documents.
   Later runs reuse them (--fresh starts over).
2. In-process, Django's test client (warm: each URL requested once first): queries per request and
   median latency over --requests requests of /shop/, a category page (24 per page), a product page
   and a search for 香菇.
3. The same with the shared page cache on (core.page_cache), for each kind of visitor: anonymous,
   anonymous with a basket, signed in, signed in with a basket, and a member of an organisation with
   channel prices (a school whose price list prices the two pages' products). Their cookies are made
   here (sessions and baskets in the database, so the gunicorn workers see them too).
4. gunicorn (2 sync workers, bench.settings: the local settings with DEBUG off plus /bench/hello)
   under --connections concurrent clients (wrk, or Python threads when wrk is missing): a list page
   (the category page) and a product page against /bench/hello, alternating, --rounds times; first
   with every page rendered (anonymous), then with the shared page cache for each kind of visitor,
   each one's ratio to hello-world side by side, and the load average of the machine.

Targets (issues 2 and 15): list and product pages ≤ 50 ms median; ≥ 0.25 × hello-world throughput
for every kind of visitor. Query counts are pinned in tests/catalogue/test_query_counts.py (list
page ≤ 20, product page ≤ 18).
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
BUYER_EMAIL = "buyer@bench-sf.shiyan.example"
MEMBER_EMAIL = "member@bench-sf.shiyan.example"
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
        # Their search documents, as the product signals would have written them one by one.
        from shop.search import index
        from shop.search.models import SearchDocument

        SearchDocument.objects.bulk_create(
            (
                SearchDocument(product=product, text=text, vocabulary=vocabulary)
                for product in existing.select_related("product_class").prefetch_related("categories")
                for text, vocabulary in [index.document_for(product)]
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


def seed_member(product_ids: list[int]) -> None:
    """A signed-in retail buyer, and a member of an approved school whose channel's price list
    prices ``product_ids`` (the products the measured pages show)."""
    import datetime
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from channels.models import Membership, Organisation, PriceList, PriceListEntry
    from core.sales_channels import SalesChannel
    from suppliers.validators import uscc_check_character

    User = get_user_model()
    for email in (BUYER_EMAIL, MEMBER_EMAIL):
        if not User.objects.filter(email=email).exists():
            User.objects.create_user(username=email, email=email, password="bench-only")  # noqa: S106
    body = "12110108MA0BENCH2"
    school, _ = Organisation.objects.get_or_create(
        uscc=body + uscc_check_character(body),
        defaults={
            "name": "北京市基准第二实验学校",
            "short_name": "基准二校",
            "channel": SalesChannel.SCHOOL,
            "contact_name": "郑老师",
            "phone": "13911000004",
            "email": "bench-sf@school.example",
            "address": "北京市海淀区",
            "invoice_title": "北京市基准第二实验学校",
            "tax_number": body + uscc_check_character(body),
            "billing_address": "北京市海淀区",
            "billing_phone": "13911000004",
            "bank_name": "北京银行",
            "bank_account": "20000004123456789012",
            "status": Organisation.Status.APPROVED,
        },
    )
    Membership.objects.get_or_create(
        user=User.objects.get(email=MEMBER_EMAIL), defaults={"organisation": school}
    )
    price_list, _ = PriceList.objects.get_or_create(channel=SalesChannel.SCHOOL, organisation=None)
    priced = set(price_list.entries.values_list("product_id", flat=True))
    PriceListEntry.objects.bulk_create(
        PriceListEntry(
            price_list=price_list,
            product_id=pk,
            price=Decimal("17.50"),
            moq=12,
            case_size=6,
            valid_from=datetime.date(2025, 1, 1),
        )
        for pk in product_ids
        if pk not in priced
    )


def visitor_cookies(product_id: int) -> dict[str, str]:
    """Kind of visitor → the Cookie header of one such visitor (anonymous: none)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    User = get_user_model()

    def cookie(signed_in: str | None = None, basket: bool = False) -> str:
        client = Client()
        if signed_in:
            client.force_login(User.objects.get(email=signed_in))
        if basket:
            response = client.post(
                f"/shop/basket/add/{product_id}/", {"quantity": 12 if signed_in == MEMBER_EMAIL else 1}
            )
            assert response.status_code == 302, response.status_code
        client.cookies.pop("messages", None)  # the "added" message: shown once, not on every page
        return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items() if morsel.value)

    return {
        "anonymous": "",
        "anon+basket": cookie(basket=True),
        "signed in": cookie(BUYER_EMAIL),
        "signed in+basket": cookie(BUYER_EMAIL, basket=True),
        "member": cookie(MEMBER_EMAIL),
    }


def in_process(urls: dict[str, str], requests: int, cookie: str = "") -> dict[str, tuple[int, float, int]]:
    """name → (queries, median ms, products listed) with the test client, after one warm-up request.

    Django's test environment is not set up: its template instrumentation (a signal and a context
    copy per template rendered) would be measured too. Products listed are counted in the HTML.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_COOKIE=cookie) if cookie else Client()
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
    measured = {name: urls[name] for name in ("category page", "product page")}
    product_ids = _listed_product_ids(measured)
    seed_member(product_ids)
    cookies = visitor_cookies(product_ids[0])
    print(f"\nthe same, shared page cache on ({shared_seconds} s; core.page_cache), by kind of visitor:")
    print(f"  {'visitor':<18}" + "".join(f"{name + ' q':>17}{'ms':>7}" for name in measured))
    for visitor, cookie in cookies.items():
        figures = in_process(measured, args.requests, cookie)
        print(
            f"  {visitor:<18}"
            + "".join(f"{figures[name][0]:>17}{figures[name][1]:>7.1f}" for name in measured)
        )
    if args.no_gunicorn:
        return
    env["ANONYMOUS_PAGE_CACHE_SECONDS"] = "0"
    rendered = _gunicorn(env, args, {"hello-world": "/bench/hello", **measured}, {})
    paths = {"hello-world": "/bench/hello"}
    headers = {}
    for visitor, cookie in cookies.items():
        for page, url in measured.items():
            paths[f"{visitor}|{page}"] = url
            if cookie:
                headers[f"{visitor}|{page}"] = {"Cookie": cookie}
    env["ANONYMOUS_PAGE_CACHE_SECONDS"] = str(shared_seconds)
    shared = _gunicorn(env, args, paths, headers)
    load = load_function().__name__[5:]
    print(f"\ngunicorn, 2 sync workers, {args.connections} concurrent clients ({load}),")
    print(
        f"{args.rounds} alternating rounds × {args.seconds} s, median req/s and ratio to hello-world measured"
    )
    print("in the same run (target ≥ 0.25 × for every visitor):")
    hello = rendered["hello-world"][0]
    print(f"  every page rendered (anonymous): hello-world {hello:.0f} req/s")
    for page in measured:
        median = rendered[page][0]
        print(f"    {page:<16}{median:>8.1f} req/s   ratio {median / hello:.2f} ×")
    hello = shared["hello-world"][0]
    print(f"  shared page cache ({shared_seconds} s): hello-world {hello:.0f} req/s")
    print(f"    {'visitor':<18}" + "".join(f"{page:>26}" for page in measured))
    for visitor in cookies:
        cells = []
        for page in measured:
            median = shared[f"{visitor}|{page}"][0]
            cells.append(f"{median:>8.1f} req/s {median / hello:>5.2f} ×")
        print(f"    {visitor:<18}" + "".join(f"{cell:>26}" for cell in cells))
    anonymous = [shared[f"anonymous|{page}"][0] / hello for page in measured]
    signed_in = [shared[f"signed in|{page}"][0] / hello for page in measured]
    print(
        "  signed in vs anonymous (list, product): "
        f"{signed_in[0]:.2f} × / {signed_in[1]:.2f} × against {anonymous[0]:.2f} × / {anonymous[1]:.2f} ×"
    )
    print(f"  load average (1, 5, 15 min) at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _listed_product_ids(urls: dict[str, str]) -> list[int]:
    """The products the category page lists and the product page shows (priced for the member)."""
    import re

    from django.test import Client

    ids: list[int] = []
    for url in urls.values():
        html = Client().get(url).content.decode()
        ids += [int(pk) for pk in re.findall(r"/shop/basket/add/(\d+)/", html)]
    return list(dict.fromkeys(ids))


def _gunicorn(env, args, paths, headers):
    process = start_gunicorn(env, args.port, ready_path="/bench/hello", log_name="storefront")
    try:
        return throughput(
            f"http://127.0.0.1:{args.port}",
            paths,
            seconds=args.seconds,
            rounds=args.rounds,
            connections=args.connections,
            headers=headers,
        )
    finally:
        stop(process)


if __name__ == "__main__":
    main()
