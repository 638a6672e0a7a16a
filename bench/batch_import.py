#!/usr/bin/env python
"""Batch sheet benchmark: a 5,000-row XLSX (and CSV) checked and imported, all or nothing.

    .venv/bin/python bench/batch_import.py                 (SQLite: bench/out/batch_import.sqlite3)
    .venv/bin/python bench/batch_import.py --rows 5000 --repeats 3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h1 .venv/bin/python bench/batch_import.py

Its own database (the first run migrates it), a supplier with 20 products on 3 bases and 1,000 batches
already recorded (so lot codes are checked against a real table). Each measured run imports the whole
sheet inside a transaction that is rolled back, so every run starts from the same data. Printed: the
time to read, check and insert every row (generated lot codes for a third of them), the time to refuse
the same sheet with one bad cell in every 50th row (every error listed), and the queries each took.

Target (issue 4): a 5,000-row sheet validated and imported in at most 10 seconds.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_DATABASE_URL = f"sqlite:///{OUT / 'batch_import.sqlite3'}"

sys.path.insert(0, str(ROOT))
from bench._common import django_environment, scratch_database_url  # noqa: E402
from bench._common import start_django as setup_django  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    return parser.parse_args()


def start_django():
    """The scratch database (BENCH_DATABASE_URL, created and migrated when needed), no Redis."""
    url = scratch_database_url(DEFAULT_DATABASE_URL)
    OUT.mkdir(parents=True, exist_ok=True)
    setup_django(django_environment(url, "shop.settings.local"))
    return url


def supplier_and_products():
    """A supplier with 20 products on 3 bases and 1,000 existing batches (created once)."""
    from suppliers.models import Supplier
    from tests.factories.suppliers import ProductionBaseFactory, SupplierFactory
    from tests.factories.traceability import BatchFactory, seller

    supplier = Supplier.objects.filter(legal_name="批次导入基准合作社").first()
    if supplier is None:
        supplier = SupplierFactory(legal_name="批次导入基准合作社")
        sellers = [
            seller(supplier=supplier, product_class_slug="tea", title=f"基准茶叶 {n}", sku=f"BENCH-{n:02d}")
            for n in range(20)
        ]
        for _extra in range(2):
            ProductionBaseFactory(supplier=supplier)
        for n in range(1000):
            grower = sellers[n % 20]
            BatchFactory(product=grower.product, base=grower.base, lot_code=f"OLD-{n:05d}")
    skus = [f"BENCH-{n:02d}" for n in range(20)]
    bases = list(supplier.bases.values_list("name", flat=True))
    return supplier, skus, bases


def sheet_rows(count, skus, bases, *, broken_every=0):
    today = datetime.date.today()
    rows = []
    for n in range(count):
        harvest = today - datetime.timedelta(days=5 + n % 60)
        row = [
            skus[n % len(skus)],
            bases[n % len(bases)],
            "" if n % 3 == 0 else f"B{n:06d}",
            harvest.isoformat(),
            (harvest + datetime.timedelta(days=1)).isoformat(),
            (harvest + datetime.timedelta(days=540)).isoformat(),
            str(10 + n % 90),
            "件",
            "",
        ]
        if broken_every and n % broken_every == 0:
            row[6] = "0"
        rows.append(row)
    return rows


def measure(supplier, data, filename):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from traceability.imports import batch_sheet_import

    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = batch_sheet_import(supplier=supplier, data=data, filename=filename)
            elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed, result, len(queries)


def main():
    args = parse_args()
    url = start_django()
    from django.utils import translation

    from tests.traceability.sheets import HEADER_ZH, csv_bytes, xlsx_bytes

    supplier, skus, bases = supplier_and_products()
    good = sheet_rows(args.rows, skus, bases)
    bad = sheet_rows(args.rows, skus, bases, broken_every=50)
    files = {
        "xlsx": xlsx_bytes(good, header=HEADER_ZH),
        "csv": csv_bytes(good, header=HEADER_ZH),
        "xlsx, 1 bad row in 50": xlsx_bytes(bad, header=HEADER_ZH),
    }
    print(f"database: {url.split('://', 1)[0]}; {args.rows:,} rows per sheet; median of {args.repeats} runs")
    with translation.override("zh-hans"):
        for name, data in files.items():
            timings = []
            for _run in range(args.repeats):
                elapsed, result, queries = measure(supplier, data, name)
                timings.append(elapsed)
            outcome = (
                f"{result.created:,} imported"
                if result.ok
                else f"refused, {len(result.errors):,} errors listed"
            )
            print(
                f"{name:>22}: {statistics.median(timings):5.2f} s  ({len(data) / 1024:,.0f} KB, "
                f"{queries} queries, {outcome})   target ≤ 10 s"
            )


if __name__ == "__main__":
    main()
