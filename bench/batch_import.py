#!/usr/bin/env python
"""Batch sheet benchmark: a 5,000-row sheet imported, and the worst sheets within the size limit.

    .venv/bin/python bench/batch_import.py                 (SQLite: bench/out/batch_import.sqlite3)
    .venv/bin/python bench/batch_import.py --rows 5000 --repeats 3
    .venv/bin/python bench/batch_import.py --worst-only
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h1 .venv/bin/python bench/batch_import.py

Its own database (the first run migrates it), a supplier with 20 products on 3 bases and 1,000 batches
already recorded (so lot codes are checked against a real table). Each measured import runs inside a
transaction that is rolled back, so every run starts from the same data.

Part 1 (issue 4): the time to read, check and insert every row of a 5,000-row sheet (a third with
generated lot codes), and to refuse it with one bad cell in every 50th row. Target: ≤ 10 s.

Part 2 (issue 10): the worst files within the 10 MB upload limit, each read as the worker reads it
(``traceability.imports.read_sheet``: a child process capped at SHEET_PARSE_MEMORY_MB of address space
and SHEET_PARSE_SECONDS). Printed: the answer, the wall time, the peak resident memory of the child
that parsed the file (VmHWM), and for a full import also the peak of the process that checked and
inserted the rows (this one, its high-water mark reset before each case). Target: every answer
within 512 MB of memory, and a clear message for every refusal.
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
MB = 1024 * 1024

sys.path.insert(0, str(ROOT))
from bench._common import django_environment, scratch_database_url  # noqa: E402
from bench._common import start_django as setup_django  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worst-only", action="store_true", help="only part 2 (the worst sheets)")
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


def sheet_rows(count, skus, bases, *, broken_every=0, notes=""):
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
            notes,
        ]
        if broken_every and n % broken_every == 0:
            row[6] = "0"
        rows.append(row)
    return rows


# --- Memory --------------------------------------------------------------------------------------------
def peak_reset() -> None:
    """Start this process's VmHWM afresh (Linux: writing 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_mb() -> float:
    from core.sheets import peak_memory_kb

    return peak_memory_kb() / 1024


# --- Part 1 ----------------------------------------------------------------------------------------------
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


def part_one(args, supplier, skus, bases):
    from tests.traceability.sheets import HEADER_ZH, csv_bytes, xlsx_bytes

    good = sheet_rows(args.rows, skus, bases)
    bad = sheet_rows(args.rows, skus, bases, broken_every=50)
    files = {
        "xlsx": xlsx_bytes(good, header=HEADER_ZH),
        "csv": csv_bytes(good, header=HEADER_ZH),
        "xlsx, 1 bad row in 50": xlsx_bytes(bad, header=HEADER_ZH),
    }
    print(f"\n{args.rows:,} rows per sheet; median of {args.repeats} runs")
    for name, data in files.items():
        timings = []
        for _run in range(args.repeats):
            elapsed, result, queries = measure(supplier, data, name)
            timings.append(elapsed)
        outcome = (
            f"{result.created:,} imported" if result.ok else f"refused, {len(result.errors):,} errors listed"
        )
        print(
            f"{name:>22}: {statistics.median(timings):5.2f} s  ({len(data) / 1024:,.0f} KB, "
            f"{queries} queries, {outcome})   target ≤ 10 s"
        )


# --- Part 2 ----------------------------------------------------------------------------------------------
def worst_files(skus, bases):
    """(name, bytes, import it whole?) for the worst sheets within the 10 MB limit."""
    from tests.core import sheet_files as files
    from tests.traceability.sheets import HEADER_ZH, csv_bytes, xlsx_bytes
    from traceability.imports import MAX_BYTES, MAX_ROWS

    cases = [
        ("zip bomb: 0.5 MB of blanks unpacking to 500 MB", files.bomb_whitespace(500 * MB), False),
        ("zip bomb: 1 MB of cells unpacking to 500 MB", files.bomb_cells(500 * MB), False),
        ("zip bomb: one 500 MB shared string", files.bomb_shared_string(500 * MB), False),
        (
            "dimension A1:XFD1048576",
            files.xlsx([("S", files.worksheet(files.rows_xml([HEADER_ZH]), dimension="A1:XFD1048576"))]),
            False,
        ),
        ("1,048,576 explicit empty rows", files.empty_rows(1_048_576), False),
        ("a value in row 1,048,576, nothing between", files.gap_to_last_row(1_048_576), False),
        ("billion laughs (entity expansion)", files.billion_laughs(), False),
    ]
    # The worst sheet still accepted: every row number up to the limit used, 30 styled empty cells
    # on each, and the batches in the last 10,000 rows.
    header = files.rows_xml([HEADER_ZH])

    def formatted_then_data():
        yield f'<?xml version="1.0"?><worksheet xmlns="{files.MAIN}"><sheetData>{header}'.encode()
        empty = "".join(f'<c r="{files.column_letter(c)}{{n}}" s="1"/>' for c in range(1, 31))
        for start in range(2, 90_001, 2000):
            yield "".join(
                f'<row r="{n}">{empty.format(n=n)}</row>' for n in range(start, min(start + 2000, 90_001))
            ).encode()
        rows = sheet_rows(MAX_ROWS, skus, bases)
        for offset in range(0, MAX_ROWS, 1000):
            yield files.rows_xml(rows[offset : offset + 1000], start=90_001 + offset).encode()
        yield b"</sheetData></worksheet>"

    styles = files.styles_xml([0, 0])
    cases.append(
        (
            "90,000 formatted empty rows, then 10,000 batches",
            files.xlsx([("批次", formatted_then_data())], styles=styles),
            True,
        )
    )
    cases.append(
        (
            "largest sheet: 10,000 batches (xlsx)",
            xlsx_bytes(sheet_rows(MAX_ROWS, skus, bases), header=HEADER_ZH),
            True,
        )
    )
    notes_length = (MAX_BYTES - 200 * MAX_ROWS) // MAX_ROWS // 3  # ~3 bytes a character in UTF-8
    csv_big = csv_bytes(sheet_rows(MAX_ROWS, skus, bases, notes="明" * notes_length), header=HEADER_ZH)
    cases.append((f"CSV at the limit: 10,000 batches, {notes_length}-character notes", csv_big, True))
    cases.append(("CSV at the limit: 10 MB of empty lines", b"h\n" + b"\n" * (MAX_BYTES - 10), False))
    quote = b'h,notes\n1,"' + b"x" * (MAX_BYTES - 100) + b"\n"
    cases.append(("CSV at the limit: a quote never closed", quote, False))
    return cases


def part_two(supplier, skus, bases):
    from django.conf import settings
    from django.db import transaction
    from django.utils import translation

    from traceability import imports

    print(
        f"\nthe worst sheets within the limit (child capped at {settings.SHEET_PARSE_MEMORY_MB} MB, "
        f"{settings.SHEET_PARSE_SECONDS} s)"
    )
    peak_reset()
    print(f"this process at rest: {peak_mb():.0f} MB resident (Django, the bench data)")
    print(f"{'file':52} {'size':>8}  {'time':>7}  {'parse peak':>10}  {'import peak':>11}  answer")
    with translation.override("en"):
        for name, data, whole in worst_files(skus, bases):
            peak_reset()
            started = time.perf_counter()
            import_peak = ""
            if whole:
                with transaction.atomic():
                    result, rows = imports.batch_sheet_check(supplier=supplier, data=data)
                    created = imports.batches_create(rows=rows, created_by=None) if result.ok else 0
                    transaction.set_rollback(True)
                parse_peak = result.parse_memory_kb / 1024
                answer = f"{created:,} imported" if result.ok else f"refused: {result.errors[0]}"
                import_peak = f"{peak_mb():8.0f} MB"
            else:
                try:
                    sheet = imports.read_sheet(data)
                    parse_peak = sheet.peak_memory_kb / 1024
                    answer = f"read: {len(sheet.rows):,} rows"
                except imports.SheetProblem as problem:
                    parse_peak = problem.peak_memory_kb / 1024
                    answer = f"refused: {problem.errors[0]}"
            elapsed = time.perf_counter() - started
            parse = f"{parse_peak:7.0f} MB"
            print(
                f"{name[:52]:52} {len(data) / MB:6.2f} MB {elapsed:6.2f} s  {parse:>10}  {import_peak:>11}  "
                f"{answer[:110]}"
            )
    print(
        "parse peak: VmHWM of the child process that read the file. import peak: this process while it\n"
        "checked and inserted the rows (Django and the bench data included)."
    )
    streamed_anyway()


def streamed_anyway():
    """The same bombs with the declared-size checks switched off: really unpacked and streamed, to
    show what the streaming reader itself costs when a check is passed (or a size lies)."""
    from django.utils import translation

    from core import sheets
    from tests.core import sheet_files as files
    from traceability.imports import SHEET_LIMITS

    wide = sheets.SheetLimits(
        **{
            **SHEET_LIMITS.__dict__,
            "max_ratio": 10**9,
            "max_member_bytes": 2048 * MB,
            "max_total_bytes": 4096 * MB,
        }
    )
    print("\nzip bombs unpacked anyway (declared-size checks off, 512 MB and 60 s still on)")
    translation.activate("en")
    for name, build in (
        ("500 MB of blanks, then a row", files.bomb_whitespace),
        ("500 MB of unnumbered cells", files.bomb_cells),
        ("500 MB of unnumbered rows", files.bomb_rows),
        ("one 500 MB shared string", files.bomb_shared_string),
    ):
        data = build(500 * MB)
        started = time.perf_counter()
        try:
            sheet = sheets.sheet_read_bounded(data, limits=wide, memory_bytes=512 * MB, seconds=60)
            answer, peak = f"read: {len(sheet.rows)} rows", sheet.peak_memory_kb
        except sheets.SheetError as error:
            answer, peak = f"refused: {error}", error.peak_memory_kb
        print(
            f"{name:52} {len(data) / MB:6.2f} MB {time.perf_counter() - started:6.2f} s  "
            f"{peak / 1024:7.0f} MB  {answer[:100]}"
        )


def main():
    args = parse_args()
    url = start_django()
    from django.utils import translation

    supplier, skus, bases = supplier_and_products()
    print(f"database: {url.split('://', 1)[0]}")
    with translation.override("zh-hans"):
        if not args.worst_only:
            part_one(args, supplier, skus, bases)
    part_two(supplier, skus, bases)


if __name__ == "__main__":
    main()
