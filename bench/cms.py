"""Median latency of a brand page with three product grids of twelve products each.

    .venv/bin/python bench/cms.py            # SQLite (a bench database next to the project)
    DATABASE_URL=postgres://… REDIS_URL=redis://…/6 .venv/bin/python bench/cms.py

Uses the test database (created once and kept, as pytest --reuse-db does; the bench rolls back
everything it writes): 36 products in a category, a brand page with one grid of chosen products,
one by category and one by brand. It requests the page through Django's test client and prints,
for three situations, the median and 90th-percentile latency and the most queries seen:

- cold:  every shop block renders afresh (as right after a price change), chrome caches warm;
- warm:  blocks served from the cache (within CMS_SHOP_DATA_CACHE_SECONDS);
- empty cache: nothing cached at all (first visitor after a deploy / cache flush).
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))


def _database():
    # The test database (test_db.sqlite3, or test_<name> on PostgreSQL), kept between runs like
    # pytest --reuse-db; everything the bench writes is rolled back.
    connection.settings_dict.setdefault("TEST", {}).setdefault("MIGRATE", True)
    connection.creation.create_test_db(verbosity=0, keepdb=True)


def _page():
    from cms.models import HomePage
    from tests.cms.conftest import grid, make_product, publish_brand_page
    from tests.factories.catalogue import CategoryFactory

    category = CategoryFactory(name="食用菌", slug="bench-mushrooms")
    chosen = [make_product(title=f"房县香菇 精选 {i}", price="20.00", category=category) for i in range(12)]
    for i in range(12):
        make_product(title=f"房县黑木耳 {i}", price="30.00", brand="房县黑木耳", category=category)
    for i in range(12):
        make_product(title=f"房县香菇 其他 {i}", price="25.00", category=category)
    page = publish_brand_page(
        HomePage.objects.get(),
        slug="bench-brand",
        title="房县香菇",
        body=[
            grid(source="chosen", products=chosen, heading="精选"),
            grid(source="category", category=category, heading="食用菌"),
            grid(source="brand", brand="房县黑木耳", heading="黑木耳"),
        ],
    )
    return page.url


def _measure(client, url, before=None):
    timings, queries = [], []
    for _ in range(ROUNDS):
        if before:
            before()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        assert response.content.decode().count('class="cms-product"') == 36
        queries.append(len(captured))
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.9) - 1], max(queries)


def main():
    from cms import cache as block_cache

    setup_test_environment()
    _database()
    with transaction.atomic():
        url = _page()
        client = Client()
        client.get(url)
        rows = [
            ("cold (blocks re-render)", _measure(client, url, before=block_cache.invalidate)),
            ("warm (blocks cached)", _measure(client, url)),
            ("empty cache", _measure(client, url, before=cache.clear)),
        ]
        transaction.set_rollback(True)
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"Brand page, 3 grids × 12 products — {connection.vendor}, cache {backend}, {ROUNDS} requests each")
    print(f"{'':26}{'median ms':>10}{'p90 ms':>9}{'queries':>9}")
    for name, (median, p90, queries) in rows:
        print(f"{name:26}{median:10.1f}{p90:9.1f}{queries:9d}")
    reset_queries()


if __name__ == "__main__":
    main()
