"""A sheet of batches is imported all or nothing, with every problem listed by row and column."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories.traceability import days_ago, draft, seller, spray, today
from tests.traceability.sheets import HEADER_ZH, csv_bytes, xlsx_bytes
from traceability.imports import batch_sheet_import, template_csv, template_xlsx
from traceability.models import Batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def grower(db):
    grower = seller(
        product_class_slug="tea", title="竹溪贡茶 雨前一级 250克", sku="SY04-002", gtin="6937004000023"
    )
    grower.portal_user = grower.user()
    return grower


def _row(grower, **cells):
    values = {
        "product": "SY04-002",
        "base": grower.base.name,
        "lot": "",
        "harvest": days_ago(10).isoformat(),
        "packing": days_ago(9).isoformat(),
        "best": (today() + datetime.timedelta(days=500)).isoformat(),
        "quantity": "120",
        "unit": "件",
        "notes": "",
    }
    values.update(cells)
    return [
        values[k]
        for k in ("product", "base", "lot", "harvest", "packing", "best", "quantity", "unit", "notes")
    ]


def _import(grower, data):
    return batch_sheet_import(
        supplier=grower.supplier, data=data, filename="sheet", created_by=grower.portal_user
    )


@pytest.mark.parametrize("build", [csv_bytes, xlsx_bytes])
def test_a_good_sheet_imports_every_row_as_a_draft(grower, build):
    data = build(
        [
            _row(grower, lot="ZX-2604-A"),
            _row(grower, product="6937004000023", quantity="80"),  # by GTIN, lot code generated
            _row(grower, product="竹溪贡茶 雨前一级 250克", unit="kg", lot="ZX-2604-B"),  # by title
        ],
        header=HEADER_ZH if build is xlsx_bytes else None,
    )

    result = _import(grower, data)

    assert result.ok and result.created == 3
    batches = Batch.objects.order_by("pk")
    assert [b.lot_code for b in batches] == ["ZX-2604-A", f"{days_ago(10):%y%m%d}-01", "ZX-2604-B"]
    assert {b.status for b in batches} == {"draft"} and [b.quantity for b in batches] == [120, 80, 120]
    assert batches[2].unit == "kg" and batches[0].created_by is not None


def test_excel_dates_and_numbers_read_as_dates_and_numbers(grower):
    row = _row(grower, harvest=datetime.datetime.combine(days_ago(10), datetime.time()), quantity=120)
    row[5] = today() + datetime.timedelta(days=300)

    result = _import(grower, xlsx_bytes([row]))

    assert result.ok and Batch.objects.get().harvest_date == days_ago(10)


def test_a_csv_saved_by_chinese_excel_in_gb18030_is_read(grower):
    data = csv_bytes([_row(grower, notes="明前采摘")], header=HEADER_ZH, encoding="gb18030")

    result = _import(grower, data)

    assert result.ok and Batch.objects.get().notes == "明前采摘"


def test_wrong_columns_are_named_and_nothing_is_imported(grower):
    data = csv_bytes([["SY04-002", grower.base.name, "2026-01-01"]], header=["产品编码", "生产基地", "重量"])

    result = _import(grower, data)

    messages = " ".join(str(e) for e in result.errors)
    assert (
        not result.ok
        and "无法识别的列：重量" in messages
        and "缺少列：采收/生产日期、保质期至、数量" in messages
    )
    assert not Batch.objects.exists()


def test_every_bad_cell_is_listed_with_its_row_and_column_and_nothing_is_imported(grower):
    other = seller(product_class_slug="tea", title="别人的茶", sku="OTHER-1")
    draft(grower, lot_code="TAKEN-1")
    rows = [
        _row(grower),  # row 2: fine
        _row(grower, harvest="2026-13-45"),  # 3: bad date
        _row(grower, product="NO-SUCH-SKU"),  # 4: unknown product
        _row(grower, product="OTHER-1"),  # 5: another supplier's product
        _row(grower, base="不存在的基地"),  # 6: unknown base
        _row(grower, base=other.base.name),  # 7: another supplier's base
        _row(grower, lot="批次一号"),  # 8: non-ASCII lot code
        _row(grower, lot="DUP-1"),  # 9
        _row(grower, lot="DUP-1"),  # 10: duplicate in the file
        _row(grower, lot="TAKEN-1"),  # 11: already in the database
        _row(grower, quantity="0"),  # 12
        _row(grower, quantity="-3"),  # 13
        _row(grower, harvest=(today() + datetime.timedelta(days=3)).isoformat(), packing=""),  # 14: future
        _row(grower, best=days_ago(30).isoformat()),  # 15: best before before harvest
        _row(grower, unit="吨"),  # 16: unknown unit
        _row(grower, quantity="2.5"),  # 17: not whole
    ]

    with translation.override("en"):
        result = _import(grower, csv_bytes(rows))

    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (3, "Harvest or production date"),
        (4, "Product code"),
        (5, "Product code"),
        (6, "Production base"),
        (7, "Production base"),
        (8, "Lot code"),
        (10, "Lot code"),
        (11, "Lot code"),
        (12, "Quantity"),
        (13, "Quantity"),
        (14, "Harvest or production date"),
        (15, "Best before"),
        (16, "Unit"),
        (17, "Quantity"),
    }
    text = {e.row: e.message for e in result.errors}
    assert "another supplier" in text[5] and "another supplier" in text[7] and "row 9" in text[10]
    assert Batch.objects.filter(lot_code__in=["DUP-1"]).count() == 0 and Batch.objects.count() == 1


def test_errors_are_reported_in_the_users_language(grower):
    with translation.override("zh-hans"):
        result = _import(grower, csv_bytes([_row(grower, quantity="0")]))

    assert result.errors[0].column == "数量"
    assert "第 2 行" in str(result.errors[0])


def test_a_harvest_inside_a_pre_harvest_interval_is_refused_in_a_sheet_too(grower):
    spray(grower.base, applied_days_ago=12, interval=7)

    with translation.override("en"):
        result = _import(grower, csv_bytes([_row(grower, harvest=days_ago(10).isoformat())]))

    assert [(e.row, e.column) for e in result.errors] == [(2, "Harvest or production date")]
    assert "pre-harvest interval" in result.errors[0].message
    assert not Batch.objects.exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04 not really a zip", "Excel"),
    ],
)
def test_an_empty_or_unreadable_file_is_refused_with_a_reason(grower, data, words):
    with translation.override("en"):
        result = _import(grower, data)

    assert not result.ok and words in str(result.errors[0])


def test_a_header_without_rows_is_refused(grower):
    with translation.override("en"):
        result = _import(grower, csv_bytes([]))

    assert not result.ok and "no rows" in str(result.errors[0])


def test_the_number_of_reads_does_not_grow_with_the_sheet_and_rows_are_inserted_in_bulk(grower):
    def queries(count):
        rows = [_row(grower, lot=f"Q{count}-{n}") for n in range(count)]
        with CaptureQueriesContext(connection) as captured:
            assert _import(grower, csv_bytes(rows)).created == count
        sql = [q["sql"].lstrip().upper() for q in captured]
        return sum(not s.startswith("INSERT") for s in sql), sum(s.startswith("INSERT") for s in sql)

    reads_10, inserts_10 = queries(10)
    reads_300, inserts_300 = queries(300)
    assert reads_10 == reads_300 and inserts_10 == 1
    assert inserts_300 <= 300 // 50  # one statement per chunk (SQLite caps the variables per statement)


def test_the_templates_list_the_columns_and_the_suppliers_products_and_bases(grower):
    from openpyxl import load_workbook

    with translation.override("zh-hans"):
        workbook = load_workbook(io.BytesIO(template_xlsx(grower.supplier)))
        csv_text = template_csv(grower.supplier).decode("utf-8-sig")

    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert header == HEADER_ZH and csv_text.strip() == ",".join(HEADER_ZH)
    products = [row for row in workbook.worksheets[2].iter_rows(values_only=True)]
    assert ("SY04-002", "6937004000023", "竹溪贡茶 雨前一级 250克") in products
    assert any(grower.base.name in row for row in workbook.worksheets[3].iter_rows(values_only=True))


def test_the_downloaded_template_filled_in_imports(grower):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(template_xlsx(grower.supplier)))
    sheet = workbook.worksheets[0]
    sheet.append(_row(grower, lot="TPL-1"))
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert _import(grower, buffer.getvalue()).created == 1


# --- Malformed sheets: a clear answer, nothing imported (issue 10) -------------------------------------
@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-inf", "inf", "sNaN", "1e309", "1" + "0" * 400])
def test_nan_infinity_and_huge_numbers_in_a_quantity_are_refused_in_their_row(grower, value):
    with translation.override("en"):
        result = _import(grower, csv_bytes([_row(grower), _row(grower, quantity=value)]))

    assert [(e.row, e.column) for e in result.errors] == [(3, "Quantity")]
    assert len(result.errors[0].message) < 200, "a 401-digit cell is not repeated whole"
    assert not Batch.objects.exists()


@pytest.mark.parametrize("value", ["NaN", "inf", "1e309", "2026-02-30", "9" * 5000])
def test_a_date_that_is_not_one_is_refused_in_its_row(grower, value):
    with translation.override("en"):
        result = _import(grower, csv_bytes([_row(grower, harvest=value)]))

    assert [(e.row, e.column) for e in result.errors] == [(2, "Harvest or production date")]
    assert not Batch.objects.exists()


def test_a_number_cell_holding_infinity_in_a_workbook_is_refused_naming_the_cell(grower):
    from tests.core import sheet_files as files

    row = _row(grower)
    row[6] = 120
    data = files.xlsx(
        [("批次", files.worksheet(files.rows_xml([HEADER_ZH, row]).replace("<v>120</v>", "<v>INF</v>")))]
    )

    with translation.override("en"):
        result = _import(grower, data)

    assert [(e.row, e.column) for e in result.errors] == [(2, "Column G")]
    assert "infinity" in result.errors[0].message and not Batch.objects.exists()


def test_a_workbook_with_two_sheets_of_batches_names_them_and_imports_the_one_chosen(grower):
    from tests.core import sheet_files as files

    data = files.xlsx(
        [
            ("三月", files.worksheet(files.rows_xml([HEADER_ZH, _row(grower, lot="MAR-1")]))),
            ("四月", files.worksheet(files.rows_xml([HEADER_ZH, _row(grower, lot="APR-1")]))),
        ]
    )

    asked = _import(grower, data)
    chosen = batch_sheet_import(supplier=grower.supplier, data=data, sheet="四月")

    assert not asked.ok and asked.sheet_choices == ["三月", "四月"] and "三月" in str(asked.errors[0])
    assert chosen.ok and chosen.sheet_name == "四月" and Batch.objects.get().lot_code == "APR-1"


def test_hidden_rows_of_batches_are_refused_not_imported_unseen(grower):
    from openpyxl import load_workbook

    workbook = load_workbook(
        io.BytesIO(xlsx_bytes([_row(grower, lot="SEEN-1"), _row(grower, lot="HIDDEN-1")]))
    )
    workbook.active.row_dimensions[3].hidden = True
    buffer = io.BytesIO()
    workbook.save(buffer)

    with translation.override("en"):
        result = _import(grower, buffer.getvalue())

    assert not result.ok and "Hidden rows hold data: 3" in str(result.errors[0])
    assert not Batch.objects.exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'Product code,Quantity\nSY04-002,"12\n', "never closed"),
        ("产品编码,生产基地\r一,二\r".encode("gb18030"), "Missing column"),
        (b"Product code,Notes\n" + b"x," + b"y" * 6000 + b"\n", "5,000 characters"),
        (b"Product code\x00,Notes\n", "NUL"),
    ],
    ids=["unclosed quote", "cr-only gb18030", "cell over the field limit", "nul"],
)
def test_a_malformed_csv_gets_a_clear_message_and_imports_nothing(grower, data, words):
    with translation.override("en"):
        result = _import(grower, data)

    assert not result.ok and words in " ".join(str(e) for e in result.errors)
    assert not Batch.objects.exists()
