"""Managers import and export price lists as XLSX or CSV: all or nothing, every problem listed by row
and column, the list replaced whole when the sheet is right."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from channels.models import PriceList, PriceListEntry
from channels.services.prices import price_list_import
from core.sales_channels import SalesChannel
from tests.factories.channels import OrganisationFactory, channel_manager, price
from tests.factories.order import product_for_sale

pytestmark = pytest.mark.django_db

HEADER = "Product code,GTIN,Price,Minimum order,Case size,Valid from,Valid until"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def manager():
    return channel_manager(SalesChannel.SCHOOL)


@pytest.fixture
def mushrooms():
    product = product_for_sale(title="房县香菇 250克", price="39.80", gtin="6937001000026")
    product.stockrecords.update(partner_sku="SY01-002")
    return product


@pytest.fixture
def citrus():
    product = product_for_sale(title="丹江口蜜橘 5斤装", price="39.90", gtin="6937007000013")
    product.stockrecords.update(partner_sku="SY07-001")
    return product


def csv_upload(*lines, header=HEADER, encoding="utf-8"):
    return SimpleUploadedFile("prices.csv", "\n".join([header, *lines]).encode(encoding), "text/csv")


def run_import(upload, manager, organisation=None):
    return price_list_import(
        channel=SalesChannel.SCHOOL, organisation=organisation, upload=upload, by=manager
    )


def entries():
    return list(
        PriceListEntry.objects.order_by("product__title").values_list(
            "product__title", "price", "moq", "case_size", "valid_from", "valid_until"
        )
    )


def test_a_good_sheet_replaces_the_list_and_raises_its_revision(manager, mushrooms, citrus):
    old = price(citrus, "33.00", channel=SalesChannel.SCHOOL)
    revision = PriceList.objects.get().revision

    result = run_import(
        csv_upload(
            "SY01-002,,31.00,12,6,2026-01-01,",
            ",6937007000013,29.90,8,4,2026-01-01,2026-06-30",
            "SY07-001,6937007000013,¥28.50,8,4,2026-07-01,",
        ),
        manager,
    )

    assert result.ok and result.saved == 3
    assert entries() == [
        ("丹江口蜜橘 5斤装", Decimal("29.90"), 8, 4, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
        ("丹江口蜜橘 5斤装", Decimal("28.50"), 8, 4, datetime.date(2026, 7, 1), None),
        ("房县香菇 250克", Decimal("31.00"), 12, 6, datetime.date(2026, 1, 1), None),
    ]
    assert not PriceListEntry.objects.filter(pk=old.pk).exists()
    assert PriceList.objects.get().revision == revision + 1


def test_every_problem_is_listed_by_row_and_column_and_nothing_is_saved(manager, mushrooms, citrus):
    kept = price(citrus, "33.00", channel=SalesChannel.SCHOOL)

    result = run_import(
        csv_upload(
            "NOPE-1,,31.00,12,6,2026-01-01,",  # 2: unknown code
            ",6900000000000,31.00,12,6,,",  # 3: unknown GTIN
            "SY01-002,,0,12,6,,",  # 4: price not above zero
            "SY01-002,,-3,12,6,,",  # 5: negative price
            "SY01-002,,abc,,,,",  # 6: not a price
            "SY07-001,,30.00,10,4,2026-01-01,",  # 7: minimum not whole cases
            "SY07-001,,30.00,8,4,2026-13-01,",  # 8: bad date
            "SY07-001,,30.00,8,4,2026-05-01,2026-04-01",  # 9: reversed dates
            "SY01-002,,30.00,6,6,2026-01-01,2026-12-31",  # 10
            "SY01-002,,29.00,6,6,2026-06-01,",  # 11: overlaps row 10
            "SY01-002,6937007000013,29.00,6,6,2027-01-01,",  # 12: code and GTIN disagree
            "SY07-001,,30.00,0,1,2026-01-01,",  # 13: minimum below 1
            "SY07-001,,30.00,8,2.5,2026-01-01,",  # 14: case size not whole
        ),
        manager,
    )

    found = [(error.row, error.column) for error in result.errors]
    assert found == [
        (2, "Product code"),
        (3, "GTIN"),
        (4, "Price"),
        (5, "Price"),
        (6, "Price"),
        (7, "Minimum order"),
        (8, "Valid from"),
        (9, "Valid until"),
        (11, "Valid from"),
        (12, "GTIN"),
        (13, "Minimum order"),
        (14, "Case size"),
    ]
    messages = [str(error) for error in result.errors]
    assert messages[0] == "Row 2, Product code: No product has the code “NOPE-1”."
    assert "above zero" in messages[2] and "not a whole number of cases of 4" in messages[5]
    assert "row 10 is valid on some of the same days" in messages[8]
    assert list(PriceListEntry.objects.all()) == [kept]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (HEADER.encode(), "a header but no prices"),
        (b"Product,Colour\nX,red\n", "Missing column: Product code or GTIN"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Old Excel files (.xls)"),
        (b"PK\x03\x04 not really a zip", "not an Excel sheet we can read"),
    ],
)
def test_a_file_that_is_not_a_price_sheet_is_refused_saying_why(manager, content, message):
    result = run_import(SimpleUploadedFile("prices.csv", content), manager)

    assert not result.ok and message in str(result.errors[0])
    assert not PriceListEntry.objects.exists()


def test_a_sheet_with_too_many_rows_is_refused_not_cut(manager, mushrooms, settings, monkeypatch):
    from channels import sheets

    monkeypatch.setattr(sheets, "MAX_ROWS", 3)
    result = run_import(csv_upload(*["SY01-002,,31.00,6,6,,"] * 4), manager)

    assert "more than 3 rows" in str(result.errors[0])


def test_chinese_headers_and_a_gb18030_csv_from_excel_are_read(manager, mushrooms):
    upload = csv_upload("SY01-002,31.00,12,6", header="商品编码,价格,起订量,每箱数量", encoding="gb18030")
    with_zh = run_import(upload, manager)

    assert with_zh.ok, [str(e) for e in with_zh.errors]
    assert entries()[0][1:4] == (Decimal("31.00"), 12, 6)


def test_an_xlsx_sheet_with_dates_and_numbers_as_excel_types_is_read(manager, mushrooms):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Product code", "Price", "Minimum order", "Case size", "Valid from"])
    sheet.append(["SY01-002", 31.5, 12, 6, datetime.datetime(2026, 3, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = run_import(SimpleUploadedFile("prices.xlsx", buffer.getvalue()), manager)

    assert result.ok, [str(e) for e in result.errors]
    assert entries() == [("房县香菇 250克", Decimal("31.50"), 12, 6, datetime.date(2026, 3, 1), None)]


def test_an_exported_list_imports_back_unchanged(client, manager, mushrooms, citrus):
    price(mushrooms, "31.00", channel=SalesChannel.SCHOOL, moq=12, case_size=6)
    price(citrus, "29.90", channel=SalesChannel.SCHOOL, moq=8, case_size=4, until=datetime.date(2026, 12, 31))
    before = entries()
    client.force_login(manager)

    for fmt in ("xlsx", "csv"):
        exported = client.get(reverse("channels:desk-price-export", kwargs={"channel": "school", "fmt": fmt}))
        assert exported.status_code == 200
        response = client.post(
            reverse("channels:desk-price-list", kwargs={"channel": "school"}),
            {"sheet": SimpleUploadedFile(f"prices.{fmt}", exported.content)},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert entries() == before


def test_the_export_of_a_list_with_no_prices_yet_is_the_template(client, manager):
    client.force_login(manager)

    exported = client.get(reverse("channels:desk-price-export", kwargs={"channel": "school", "fmt": "xlsx"}))

    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert rows == [
        (
            "Product code",
            "GTIN",
            "Product",
            "Retail price",
            "Price",
            "Minimum order",
            "Case size",
            "Valid from",
            "Valid until",
        )
    ]
    assert not PriceList.objects.exists()


def test_the_desk_lists_every_problem_and_keeps_the_old_list(client, manager, mushrooms):
    kept = price(mushrooms, "31.00", channel=SalesChannel.SCHOOL)
    client.force_login(manager)

    response = client.post(
        reverse("channels:desk-price-list", kwargs={"channel": "school"}),
        {"sheet": csv_upload("SY01-002,,0,12,6,,", "NOPE,,31,1,1,,")},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved: 2 problems to fix." in page
    assert "Row 2, Price" in page and "Row 3, Product code" in page
    assert list(PriceListEntry.objects.all()) == [kept]


def test_a_contract_list_is_the_organisations_own(manager, mushrooms):
    school = OrganisationFactory(channel=SalesChannel.SCHOOL)

    result = run_import(csv_upload("SY01-002,,29.00,6,6,,"), manager, organisation=school)

    assert result.ok
    assert PriceList.objects.get().organisation == school


def test_a_manager_of_another_channel_cannot_import(mushrooms):
    with pytest.raises(PermissionDenied):
        run_import(csv_upload("SY01-002,,31.00,6,6,,"), channel_manager(SalesChannel.RESTAURANT))
