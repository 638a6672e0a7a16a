#!/usr/bin/env python
"""Recall benchmark: list the order lines and buyers a recall touches and write the spreadsheet.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_recall .venv/bin/python bench/recall.py
    .venv/bin/python bench/recall.py --orders 2000            (SQLite: bench/out/recall.sqlite3, small)

1. Its own database (default SQLite file bench/out/recall.sqlite3, or BENCH_DATABASE_URL, whose name
   must contain "bench"); the first run migrates it. Seeded once per size (kept for the next run):
   --orders orders (default 100,000) of --lines lines each (default 5), each line split over two
   batches: 2 × orders × lines allocations (default 1,000,000). Batches form --trees lineage trees
   (default 100), --depth levels deep (default 5: fresh leaf → tea → blend → …), each batch made from
   two … the branching is 2, so a tree holds 2^depth − 1 batches (31) and lines are spread evenly
   over all batches. Rows are written with bulk_create in chunks.
2. Inside one transaction that is rolled back at the end (every run starts from the same data): the
   root batch of one tree is recalled (it and its 30 descendants, 5 levels) — timed once; then, --repeats
   times, what the staff desk does: the summary (lines, orders, buyers, units), the first page of the
   sortable list, and the whole XLSX spreadsheet; the CSV too. Medians are printed.

Target (issue 4): with 100,000 orders, 1,000,000 allocations and lineage 5 deep, listing the affected
orders and writing the spreadsheet in at most 1 second (median).
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
import zlib
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_DATABASE_URL = f"sqlite:///{OUT / 'recall.sqlite3'}"

sys.path.insert(0, str(ROOT))
from bench._common import django_environment, fresh_factory_sequences, scratch_database_url  # noqa: E402
from bench._common import start_django as setup_django  # noqa: E402

SUPPLIER = "召回基准合作社"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=5, help="lines per order (each over two batches)")
    parser.add_argument("--trees", type=int, default=100, help="lineage trees (one is recalled)")
    parser.add_argument("--depth", type=int, default=5, help="lineage levels per tree")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=5000, help="orders written per bulk insert round")
    return parser.parse_args()


def start_django():
    """The scratch database (BENCH_DATABASE_URL, created and migrated when needed), no Redis."""
    url = scratch_database_url(DEFAULT_DATABASE_URL)
    OUT.mkdir(parents=True, exist_ok=True)
    setup_django(django_environment(url, "shop.settings.local"))
    return url


def _tag(args) -> str:
    return f"o{args.orders}-l{args.lines}-t{args.trees}-d{args.depth}"


def seed(args):
    """The forest of batches and the orders (once per size; an earlier seed of another size is kept)."""
    from django.db import transaction
    from django.utils import timezone
    from oscar.core.loading import get_model

    from suppliers.models import Supplier
    from tests.factories.order import china
    from tests.factories.suppliers import SupplierFactory
    from tests.factories.traceability import seller
    from traceability.models import Batch, BatchAllocation, BatchInput

    Order = get_model("order", "Order")
    Line = get_model("order", "Line")
    ShippingAddress = get_model("order", "ShippingAddress")

    tag = _tag(args)
    prefix = f"R{zlib.crc32(tag.encode()) % 10**6:06d}"
    roots = list(Batch.objects.filter(lot_code__startswith=f"{prefix}-0-", notes=tag).order_by("pk"))
    if roots:
        return roots[0], tag
    started = time.perf_counter()
    print(f"seeding {tag} (once) …", flush=True)
    fresh_factory_sequences()
    with transaction.atomic():
        supplier = Supplier.objects.filter(legal_name=SUPPLIER).first() or SupplierFactory(
            legal_name=SUPPLIER
        )
        sellers = [
            seller(
                supplier=supplier,
                product_class_slug="fresh-tea-leaves" if level == 0 else "tea",
                title=f"召回基准 {tag} 第{level}级",
                sku=f"RB-{prefix}-{level}",
            )
            for level in range(args.depth)
        ]
        today = timezone.localdate()
        batches = []
        for tree in range(args.trees):
            for level in range(args.depth):
                for index in range(2**level):
                    batches.append(
                        Batch(
                            product=sellers[level].product,
                            base=sellers[level].base,
                            lot_code=f"{prefix}-{level}-{tree:04d}-{index:02d}",
                            harvest_date=today - datetime.timedelta(days=30 - level),
                            packing_date=today - datetime.timedelta(days=29 - level),
                            best_before=today + datetime.timedelta(days=300 + level),
                            quantity=100_000,
                            quantity_remaining=50_000,
                            status=Batch.Status.PUBLISHED,
                            trace_code=f"{prefix}{tree:04d}{level}{index:03d}x",
                            published_at=timezone.now(),
                            notes=tag,
                        )
                    )
        Batch.objects.bulk_create(batches, batch_size=2000)
        batches = list(Batch.objects.filter(notes=tag).order_by("pk"))
        by_lot = {batch.lot_code: batch for batch in batches}
        inputs = []
        for batch in batches:
            _prefix, level, tree, index = batch.lot_code.split("-")
            level, index = int(level), int(index)
            if level:
                parent = by_lot[f"{prefix}-{level - 1}-{tree}-{index // 2:02d}"]
                inputs.append(
                    BatchInput(output=batch, input=parent, quantity=Decimal("10"), unit=parent.unit)
                )
        BatchInput.objects.bulk_create(inputs, batch_size=5000)
        for grower in sellers:
            grower.stockrecord.num_in_stock = 10**9
            grower.stockrecord.save(update_fields=["num_in_stock"])
        records = {grower.product.pk: grower.stockrecord for grower in sellers}
    country = china()
    placed = timezone.now() - datetime.timedelta(days=20)
    allocations_total = 0
    pairs = len(batches) - 1
    for first in range(0, args.orders, args.chunk):
        count = min(args.chunk, args.orders - first)
        with transaction.atomic():
            addresses = ShippingAddress.objects.bulk_create(
                [
                    ShippingAddress(
                        last_name=f"买家{n}",
                        phone_number="+8613812345678",
                        state="北京市",
                        line4="朝阳区",
                        line1=f"建国路{n % 200}号{n % 30}楼{n % 9 + 1}01室",
                        postcode="100022",
                        country=country,
                        search_text="",
                    )
                    for n in range(first, first + count)
                ],
                batch_size=2000,
            )
            orders = Order.objects.bulk_create(
                [
                    Order(
                        number=f"{prefix}{n:08d}",
                        currency="CNY",
                        total_incl_tax=Decimal("88.00") * args.lines,
                        total_excl_tax=Decimal("88.00") * args.lines,
                        shipping_address=address,
                        status="Paid",
                        guest_email=f"buyer{n % (args.orders // 2 or 1)}@example.com",
                        date_placed=placed + datetime.timedelta(seconds=n * 7),
                    )
                    for n, address in zip(range(first, first + count), addresses, strict=True)
                ],
                batch_size=2000,
            )
            lines = []
            chosen = []
            for offset, order in enumerate(orders):
                for number in range(args.lines):
                    k = ((first + offset) * args.lines + number) % pairs
                    batch = batches[k]
                    second = batches[k + 1]
                    record = records[batch.product_id]
                    lines.append(
                        Line(
                            order=order,
                            partner_id=record.partner_id,
                            partner_name=SUPPLIER,
                            partner_sku=record.partner_sku,
                            stockrecord=record,
                            product_id=batch.product_id,
                            title=f"召回基准 第{batch.lot_code.split('-')[1]}级",
                            quantity=2,
                            line_price_incl_tax=Decimal("88.00"),
                            line_price_excl_tax=Decimal("88.00"),
                            line_price_before_discounts_incl_tax=Decimal("88.00"),
                            line_price_before_discounts_excl_tax=Decimal("88.00"),
                            unit_price_incl_tax=Decimal("44.00"),
                            unit_price_excl_tax=Decimal("44.00"),
                            status="Paid",
                            num_allocated=2,
                        )
                    )
                    chosen.append((batch, second))
            lines = Line.objects.bulk_create(lines, batch_size=2000)
            allocations = [
                BatchAllocation(line=line, batch=batch, quantity=1)
                for line, pair in zip(lines, chosen, strict=True)
                for batch in pair
            ]
            BatchAllocation.objects.bulk_create(allocations, batch_size=5000)
            allocations_total += len(allocations)
        done = first + count
        if done % (args.chunk * 4) == 0 or done == args.orders:
            print(f"  {done:,} orders, {allocations_total:,} allocations", flush=True)
    print(f"seeded in {time.perf_counter() - started:,.0f} s", flush=True)
    return by_lot[f"{prefix}-0-0000-00"], tag


def analyze():
    """Fresh planner statistics after a bulk load (autovacuum would get there a little later)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main():
    args = parse_args()
    url = start_django()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from traceability import recall as recalls
    from traceability.models import BatchAllocation

    root, tag = seed(args)
    analyze()
    total = BatchAllocation.objects.count()
    print(
        f"database: {connection.vendor}; {args.orders:,} orders × {args.lines} lines, "
        f"{total:,} allocations in the table; {args.trees} lineage trees {args.depth} levels deep"
    )
    with translation.override("zh-hans"), transaction.atomic():
        started = time.perf_counter()
        recall = recalls.batch_recall(batch=root, reason="基准：鲜叶农残超标")
        recall_seconds = time.perf_counter() - started
        summary = recalls.recall_summary(recall)
        print(
            f"recall of {root.lot_code}: {recall.batches.count()} batches (root + descendants) off sale in "
            f"{recall_seconds:.2f} s; {summary['lines']:,} lines, {summary['orders']:,} orders, "
            f"{summary['buyers']:,} buyers, {summary['units']:,} units"
        )
        timings = {"desk: summary + first page of 50": [], "XLSX (all lines)": [], "CSV (all lines)": []}
        queries = {}
        for _repeat in range(args.repeats):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                recalls.recall_summary(recall)
                page = recalls.recall_allocations(recall, "-order_date")[:50]
                rows = list(recalls.recall_rows(recall, "-order_date", queryset=page))
                timings["desk: summary + first page of 50"].append(time.perf_counter() - started)
            queries["desk: summary + first page of 50"] = len(captured)
            started = time.perf_counter()
            xlsx = recalls.recall_xlsx(recall, "-order_date")
            timings["XLSX (all lines)"].append(time.perf_counter() - started)
            started = time.perf_counter()
            data = recalls.recall_csv(recall, "order")
            timings["CSV (all lines)"].append(time.perf_counter() - started)
        transaction.set_rollback(True)
    print(f"median of {args.repeats} runs:")
    for name, values in timings.items():
        print(f"  {name:>34}: {statistics.median(values) * 1000:7.0f} ms   (min {min(values) * 1000:.0f} ms)")
    print(
        f"  rows on the first page: {len(rows)}; XLSX {len(xlsx) / 1024:,.0f} KB, "
        f"CSV {len(data) / 1024:,.0f} KB; "
        f"desk queries: {queries['desk: summary + first page of 50']}"
    )
    listing_and_sheet = statistics.median(
        a + b
        for a, b in zip(timings["desk: summary + first page of 50"], timings["XLSX (all lines)"], strict=True)
    )
    print(
        f"listing + spreadsheet: {listing_and_sheet * 1000:.0f} ms median   target ≤ 1000 ms   ({url.split('://')[0]})"
    )


if __name__ == "__main__":
    main()
