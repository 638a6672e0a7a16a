"""Price list sheets: the columns, checking every row, and writing a list out (CSV or XLSX).

A sheet is a whole price list: importing it replaces the list's entries (``channels.services.prices``).
Columns (header row, any order, Chinese or English): product code (a stock record's SKU or the
product's UPC) and/or GTIN, price, minimum order, case size, valid from, valid until; the product
name and retail price columns of an export are there for reading and ignored on import.

Every problem is reported with its row and column; nothing is written unless every row is right:
unknown or ambiguous products, a product with variants (each variant is priced), prices that are not
above zero, minimum orders that are not whole cases, bad or reversed dates, and two rows of one
product whose validity overlaps.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from oscar.core.loading import get_model

from channels.sheets import SheetRow
from core.sheets import defuse

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

MAX_PRICE = Decimal("99999999.99")
MAX_QUANTITY = 1_000_000
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
EXCEL_EPOCH = datetime.date(1899, 12, 30)


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy, message context "price sheet column"
    imported: bool = True


COLUMNS = (
    Column("sku", pgettext_lazy("price sheet column", "Product code")),
    Column("gtin", pgettext_lazy("price sheet column", "GTIN")),
    Column("title", pgettext_lazy("price sheet column", "Product"), imported=False),
    Column("retail_price", pgettext_lazy("price sheet column", "Retail price"), imported=False),
    Column("price", pgettext_lazy("price sheet column", "Price")),
    Column("moq", pgettext_lazy("price sheet column", "Minimum order")),
    Column("case_size", pgettext_lazy("price sheet column", "Case size")),
    Column("valid_from", pgettext_lazy("price sheet column", "Valid from")),
    Column("valid_until", pgettext_lazy("price sheet column", "Valid until")),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
# Other headings people write for the same columns.
ALIASES = {
    "sku": ("sku", "upc", "编码", "商品编号", "货号"),
    "gtin": ("ean", "barcode", "条码", "条形码", "商品条码"),
    "price": ("单价", "价格", "协议价", "合同价"),
    "moq": ("moq", "起订", "最小起订量"),
    "case_size": ("case", "箱规", "每箱"),
}


@dataclass(frozen=True)
class RowError:
    row: int  # sheet row (the header is 1); 0 for the file as a whole
    column: str  # the column's label in the user's language; "" for the whole row
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Row %(row)s, %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return self.message


@dataclass(frozen=True)
class PriceRow:
    row: int
    product_id: int
    price: Decimal
    moq: int
    case_size: int
    valid_from: datetime.date
    valid_until: datetime.date | None


@dataclass
class CheckedSheet:
    rows: list[PriceRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class CellError(Exception):
    pass


def _label(key: str) -> str:
    return str(COLUMN_BY_KEY[key].label)


# --- Header -------------------------------------------------------------------------------------------
def _normal(text) -> str:
    text = str(text or "").strip().lower()
    text = re.sub(r"[（(].*?[)）]", "", text)
    return re.sub(r"[\s*＊_:：]", "", text)


def _header_names() -> dict[str, str]:
    names = {_normal(alias): key for key, aliases in ALIASES.items() for alias in aliases}
    for column in COLUMNS:
        names[_normal(column.key)] = column.key
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[_normal(str(column.label))] = column.key
    return names


def _map_header(header: SheetRow, errors: list[RowError]) -> dict[str, int]:
    names = _header_names()
    positions: dict[str, int] = {}
    unknown = []
    for index, cell in enumerate(header.values):
        if cell in (None, "") or not str(cell).strip():
            continue
        key = names.get(_normal(cell))
        if key is None:
            unknown.append(str(cell).strip())
        elif key in positions:
            errors.append(RowError(header.number, _label(key), _("This column appears twice.")))
        else:
            positions[key] = index
    if "sku" not in positions and "gtin" not in positions:
        errors.append(
            RowError(
                header.number,
                "",
                _("Missing column: %(sku)s or %(gtin)s, to say which product each row prices.")
                % {"sku": _label("sku"), "gtin": _label("gtin")},
            )
        )
    if "price" not in positions:
        errors.append(
            RowError(header.number, "", _("Missing column: %(price)s.") % {"price": _label("price")})
        )
    if unknown:
        errors.append(
            RowError(
                header.number,
                "",
                _("Unknown column(s): %(columns)s. Use the columns of an exported list: %(expected)s.")
                % {"columns": "、".join(unknown), "expected": "、".join(str(c.label) for c in COLUMNS)},
            )
        )
    return positions


# --- Cells ----------------------------------------------------------------------------------------------
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_price(value) -> Decimal:
    text = _text(value).replace(",", "").replace("，", "").lstrip("¥￥").strip()
    if not text:
        raise CellError(_("Enter the price."))
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a price: write it like 36.50.") % {"value": text})
    if not price.is_finite():
        raise CellError(_("“%(value)s” is not a price: write it like 36.50.") % {"value": text})
    if price <= 0:
        raise CellError(_("The price must be above zero (it is %(value)s).") % {"value": text})
    if price != price.quantize(Decimal("0.01")):
        raise CellError(_("A price has at most two decimals (fen): %(value)s has more.") % {"value": text})
    if price > MAX_PRICE:
        raise CellError(_("The price %(value)s is too large.") % {"value": text})
    return price.quantize(Decimal("0.01"))


def parse_count(value, *, default: int | None) -> int:
    text = _text(value).replace(",", "")
    if not text:
        if default is None:
            raise CellError(_("Enter a whole number."))
        return default
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": text})
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": text})
    if number < 1:
        raise CellError(_("It must be at least 1 (it is %(value)s).") % {"value": text})
    if number > MAX_QUANTITY:
        raise CellError(_("%(value)s is too large.") % {"value": text})
    return int(number)


def parse_date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
        if 19000101 <= number <= 29991231:
            value = str(number)
        elif 1 <= number <= 2958465 and float(value).is_integer():
            return EXCEL_EPOCH + datetime.timedelta(days=number)
    text = _text(value)
    if not text:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(
        _("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2026-03-15.") % {"value": text}
    )


# --- Products ------------------------------------------------------------------------------------------
@dataclass
class _Catalogue:
    """The products a sheet names, read up front in three queries however long it is."""

    by_sku: dict[str, set[int]]
    by_gtin: dict[str, int]
    parents: set[int]

    @classmethod
    def load(cls, skus: set[str], gtins: set[str]) -> _Catalogue:
        by_sku: dict[str, set[int]] = {}
        parents: set[int] = set()
        for sku, product_id in StockRecord.objects.filter(partner_sku__in=skus).values_list(
            "partner_sku", "product_id"
        ):
            by_sku.setdefault(sku, set()).add(product_id)
        for upc, product_id, structure in Product.objects.filter(upc__in=skus).values_list(
            "upc", "pk", "structure"
        ):
            by_sku.setdefault(upc, set()).add(product_id)
            if structure == Product.PARENT:
                parents.add(product_id)
        by_gtin = {}
        for gtin, product_id, structure in Product.objects.filter(gtin__in=gtins).values_list(
            "gtin", "pk", "structure"
        ):
            by_gtin[gtin] = product_id
            if structure == Product.PARENT:
                parents.add(product_id)
        return cls(by_sku, by_gtin, parents)


def _product(values: dict, catalogue: _Catalogue, number: int, errors: list[RowError]) -> int | None:
    sku, gtin = values.get("sku", ""), values.get("gtin", "")
    if not sku and not gtin:
        errors.append(
            RowError(
                number,
                _label("sku"),
                _("Say which product: enter its code or its GTIN."),
            )
        )
        return None
    found = None
    if sku:
        ids = catalogue.by_sku.get(sku, set())
        if not ids:
            errors.append(
                RowError(number, _label("sku"), _("No product has the code “%(code)s”.") % {"code": sku})
            )
            return None
        if len(ids) > 1:
            errors.append(
                RowError(
                    number,
                    _label("sku"),
                    _("The code “%(code)s” names several products: use the GTIN instead.") % {"code": sku},
                )
            )
            return None
        found = next(iter(ids))
    if gtin:
        by_gtin = catalogue.by_gtin.get(gtin)
        if by_gtin is None:
            errors.append(
                RowError(number, _label("gtin"), _("No product has the GTIN “%(gtin)s”.") % {"gtin": gtin})
            )
            return None
        if found is not None and by_gtin != found:
            errors.append(
                RowError(
                    number,
                    _label("gtin"),
                    _("The GTIN “%(gtin)s” and the code “%(code)s” name different products.")
                    % {"gtin": gtin, "code": sku},
                )
            )
            return None
        found = by_gtin
    if found in catalogue.parents:
        errors.append(
            RowError(
                number,
                _label("gtin") if gtin else _label("sku"),
                _("This product has variants: price each variant (its own code) instead."),
            )
        )
        return None
    return found


# --- Checking a sheet -----------------------------------------------------------------------------------
def check_sheet(rows: list[SheetRow], *, today: datetime.date | None = None) -> CheckedSheet:
    """Every row checked; ``errors`` lists every problem found, ``rows`` the good rows."""
    today = today or timezone.localdate()
    result = CheckedSheet()
    if not rows:
        result.errors.append(RowError(0, "", _("The sheet is empty.")))
        return result
    header, data = rows[0], rows[1:]
    positions = _map_header(header, result.errors)
    if result.errors:
        return result
    if not data:
        result.errors.append(RowError(0, "", _("The sheet has a header but no prices.")))
        return result

    def cells(row: SheetRow) -> dict[str, object]:
        return {
            key: row.values[index] if index < len(row.values) else None for key, index in positions.items()
        }

    raw = [(row.number, cells(row)) for row in data]
    catalogue = _Catalogue.load(
        {_text(values.get("sku")) for _n, values in raw} - {""},
        {_text(values.get("gtin")) for _n, values in raw} - {""},
    )
    for number, values in raw:
        row_errors: list[RowError] = []
        text = {"sku": _text(values.get("sku")), "gtin": _text(values.get("gtin"))}
        product_id = _product(text, catalogue, number, row_errors)

        def attempt(key, parse, *args, number=number, values=values, row_errors=row_errors, **kwargs):
            try:
                return parse(values.get(key), *args, **kwargs)
            except CellError as error:
                row_errors.append(RowError(number, _label(key), str(error)))
                return None

        price = attempt("price", parse_price)
        case_size = attempt("case_size", parse_count, default=1)
        moq = attempt("moq", parse_count, default=case_size or 1)
        before = len(row_errors)
        valid_from = attempt("valid_from", parse_date)
        if valid_from is None and len(row_errors) == before:
            valid_from = today  # no start given: from today
        valid_until = attempt("valid_until", parse_date)
        if moq and case_size and moq % case_size:
            row_errors.append(
                RowError(
                    number,
                    _label("moq"),
                    _(
                        "The minimum order %(moq)s is not a whole number of cases of %(case)s "
                        "(e.g. %(example)s)."
                    )
                    % {"moq": moq, "case": case_size, "example": (moq // case_size + 1) * case_size},
                )
            )
        if valid_from and valid_until and valid_until < valid_from:
            row_errors.append(
                RowError(
                    number,
                    _label("valid_until"),
                    _("The end of validity (%(until)s) comes before its start (%(start)s).")
                    % {"until": valid_until.isoformat(), "start": valid_from.isoformat()},
                )
            )
        if row_errors or product_id is None or price is None or valid_from is None:
            result.errors.extend(row_errors)
            continue
        result.rows.append(PriceRow(number, product_id, price, moq, case_size, valid_from, valid_until))
    result.errors.extend(overlaps(result.rows))
    result.errors.sort(key=lambda error: (error.row, error.column))
    return result


def overlaps(rows: list[PriceRow]) -> list[RowError]:
    """A row whose validity overlaps an earlier row of the same product (each pair reported once)."""
    errors = []
    far = datetime.date.max
    by_product: dict[int, list[PriceRow]] = {}
    for row in rows:
        by_product.setdefault(row.product_id, []).append(row)
    for product_rows in by_product.values():
        product_rows.sort(key=lambda row: (row.valid_from, row.row))
        for earlier, later in zip(product_rows, product_rows[1:], strict=False):
            if later.valid_from <= (earlier.valid_until or far):
                first, second = sorted((earlier, later), key=lambda row: row.row)
                errors.append(
                    RowError(
                        second.row,
                        _label("valid_from"),
                        _(
                            "The same product's row %(other)s is valid on some of the same days: "
                            "one price a day."
                        )
                        % {"other": first.row},
                    )
                )
    return errors


# --- Writing a list out ------------------------------------------------------------------------------
def export_rows(price_list) -> tuple[list[str], list[list]]:
    """The header (in the current language) and one row per entry of ``price_list``, ready to edit
    and import again."""
    if price_list.pk is None:
        return [str(column.label) for column in COLUMNS], []  # a list not made yet: the bare template
    entries = (
        price_list.entries.select_related("product", "product__parent")
        .prefetch_related("product__stockrecords")
        .order_by("product__title", "product_id", "valid_from")
    )
    header = [str(column.label) for column in COLUMNS]
    rows = []
    for entry in entries:
        product = entry.product
        records = list(product.stockrecords.all())
        skus = [record.partner_sku for record in records if record.partner_sku]
        code = skus[0] if len(skus) == 1 else product.upc or (skus[0] if skus else "")
        retail = records[0].price if records else None
        rows.append(
            [
                code,
                product.gtin,
                product.get_title(),
                retail,
                entry.price,
                entry.moq,
                entry.case_size,
                entry.valid_from,
                entry.valid_until,
            ]
        )
    return header, rows


def export_csv(price_list) -> bytes:
    header, rows = export_rows(price_list)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else defuse(value))
                for value in row
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read it as UTF-8


def export_xlsx(price_list) -> bytes:
    from openpyxl import Workbook

    header, rows = export_rows(price_list)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(price_list)[:31].replace("/", "-") or "prices")
    sheet.append(header)
    for row in rows:
        sheet.append([float(value) if isinstance(value, Decimal) else defuse(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
