"""Median latency of the supplier directory and a supplier profile with 1,000 suppliers and 5,000 bases.

Prints figures; asserts nothing. Uses its own database, never the development one:
    .venv/bin/python bench/suppliers.py                 # SQLite file /tmp/bench_suppliers.sqlite3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/h5_bench .venv/bin/python bench/suppliers.py
The schema is migrated and the data loaded once; later runs reuse them (--fresh starts over).
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "sqlite:////tmp/bench_suppliers.sqlite3")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.test")
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

N_SUPPLIERS = 1_000
BASES_PER_SUPPLIER = 5
RUNS = 30


def load() -> None:
    import datetime
    from decimal import Decimal

    from django.utils import timezone
    from oscar.core.loading import get_model

    from core.places import County
    from suppliers.models import Certification, ProductionBase, Supplier
    from suppliers.validators import uscc_check_character

    Partner = get_model("partner", "Partner")
    Product = get_model("catalogue", "Product")
    ProductClass = get_model("catalogue", "ProductClass")
    StockRecord = get_model("partner", "StockRecord")
    Category = get_model("catalogue", "Category")
    if Supplier.objects.count() >= N_SUPPLIERS:
        return
    print(f"loading {N_SUPPLIERS} suppliers, {N_SUPPLIERS * BASES_PER_SUPPLIER} bases …", flush=True)
    counties = [c for c in County.values if c not in ("kaifaqu", "wudangshan")]
    points = {  # a point well inside each county
        "fangxian": ("32.06", "110.73"),
        "zhuxi": ("32.32", "109.71"),
        "zhushan": ("32.22", "110.23"),
        "yunxi": ("33.00", "110.42"),
        "yunyang": ("32.83", "110.81"),
        "danjiangkou": ("32.54", "111.51"),
        "zhangwan": ("32.60", "110.65"),
        "maojian": ("32.50", "110.88"),
    }
    partners = Partner.objects.bulk_create(
        [Partner(code=f"bench-{i:04d}", name=f"十堰测试专业合作社{i:04d}") for i in range(N_SUPPLIERS)]
    )
    suppliers = []
    for i, partner in enumerate(partners):
        body = f"93420325MA{i:07d}"
        suppliers.append(
            Supplier(
                partner=partner,
                slug=partner.code,
                legal_name=partner.name,
                short_name=f"测试{i:04d}",
                kind="cooperative",
                uscc=body + uscc_check_character(body),
                county=counties[i % len(counties)],
                address="湖北省十堰市",
                contact_name="王",
                phone="13971912345",
                email=f"b{i}@example.com",
                households_supported=i % 500,
                formerly_poor_county=bool(i % 2),
                status="approved",
            )
        )
    suppliers = Supplier.objects.bulk_create(suppliers)
    today = timezone.localdate()
    bases, certifications = [], []
    for supplier in suppliers:
        lat, lon = points[supplier.county]
        for j in range(BASES_PER_SUPPLIER):
            bases.append(
                ProductionBase(
                    supplier=supplier,
                    name=f"基地{j}",
                    county=supplier.county,
                    township="城关镇",
                    latitude=Decimal(lat) + Decimal(j) / 100,
                    longitude=Decimal(lon),
                    area_mu=100,
                    altitude_m=500,
                    main_crops="香菇",
                )
            )
        for kind, days in (("green_food", 400), ("organic", -5)):
            certifications.append(
                Certification(
                    supplier=supplier,
                    kind=kind,
                    number=f"{kind}-{supplier.pk}",
                    issuer="x",
                    valid_from=today - datetime.timedelta(days=700),
                    valid_until=today + datetime.timedelta(days=days),
                )
            )
    ProductionBase.objects.bulk_create(bases, batch_size=1000)
    Certification.objects.bulk_create(certifications, batch_size=1000)
    product_class = ProductClass.objects.create(name="食用菌", track_stock=True)
    category = Category.add_root(name="食用菌", slug="mushrooms")
    products = Product.objects.bulk_create(
        [
            Product(
                title=f"香菇 {i}",
                slug=f"xianggu-{i}",
                product_class=product_class,
                is_public=True,
                structure="standalone",
                upc=f"B{i:07d}",
            )
            for i in range(2 * N_SUPPLIERS)
        ]
    )
    Product.categories.through.objects.bulk_create(
        [Product.categories.through(product=p, category=category) for p in products]
    )
    StockRecord.objects.bulk_create(
        [
            StockRecord(
                product=p,
                partner=partners[i // 2],
                partner_sku=f"S{i}",
                price=Decimal("39.80"),
                price_currency="CNY",
                num_in_stock=50,
                num_allocated=0,
            )
            for i, p in enumerate(products)
        ],
        batch_size=1000,
    )


def measure(client: Client, url: str) -> tuple[float, float, int]:
    for _ in range(3):  # warm up caches, connections, templates
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.9) - 1], len(queries)


def main() -> None:
    if "--fresh" in sys.argv and DATABASE_URL.startswith("sqlite:///"):
        Path(DATABASE_URL.removeprefix("sqlite:///")).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    load()
    from suppliers.models import ProductionBase, Supplier

    print(
        f"database: {connection.vendor}  suppliers: {Supplier.objects.count()}  "
        f"bases: {ProductionBase.objects.count()}  runs per page: {RUNS}"
    )
    client = Client()
    profile = Supplier.objects.order_by("pk")[N_SUPPLIERS // 2]
    pages = [
        ("directory, page 1", "/shop/suppliers/"),
        ("directory, page 25", "/shop/suppliers/?page=25"),
        (
            "directory, county + category + certification",
            "/shop/suppliers/?county=fangxian&category=mushrooms&certification=green_food",
        ),
        ("profile (5 bases, 2 products)", profile.get_absolute_url()),
        ("base page", profile.bases.first().get_absolute_url()),
    ]
    print(f"{'page':48} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
    for label, url in pages:
        median, p90, queries = measure(client, url)
        print(f"{label:48} {median:10.1f} {p90:8.1f} {queries:8d}")
    reset_queries()


if __name__ == "__main__":
    main()
