"""Bulk batch entry: a CSV or XLSX sheet of batches, checked whole and imported all or nothing.

Every problem is reported with its row and column in the user's language; nothing is written unless
every row is right. Reading is one pass over the sheet with the supplier's products, bases, lot codes
and pesticide records loaded up front (a handful of queries however long the sheet), and the batches
are written with one bulk insert, so a 5,000-row sheet takes a second or two (bench/batch_import.py).

Columns (header row, in any order, in Chinese or English): product code (the shop SKU or the GTIN),
production base (its name), lot code (optional: generated from the harvest day), harvest date, packing
date (optional), best before, quantity, unit (optional: piece), notes (optional).
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from oscar.core.loading import get_model

from core import sheets
from core.sheets import SheetLimits
from suppliers.models import ProductionBase, Supplier
from traceability import rules
from traceability.models import LOT_CODE_RE, Batch, BatchUnit, FarmInput

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

MAX_ROWS = 10_000
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy translation
    required: bool
    help: object = ""


# Column names are read and written in the user's language (message context "batch sheet column").
COLUMNS = (
    Column(
        "product",
        pgettext_lazy("batch sheet column", "Product code"),
        True,
        gettext_lazy("The shop SKU or the GTIN (barcode)."),
    ),
    Column(
        "base",
        pgettext_lazy("batch sheet column", "Production base"),
        True,
        gettext_lazy("The base's name, as in the portal."),
    ),
    Column(
        "lot_code",
        pgettext_lazy("batch sheet column", "Lot code"),
        False,
        gettext_lazy("Optional: made from the harvest day."),
    ),
    Column(
        "harvest_date", pgettext_lazy("batch sheet column", "Harvest or production date"), True, "YYYY-MM-DD"
    ),
    Column("packing_date", pgettext_lazy("batch sheet column", "Packing date"), False, "YYYY-MM-DD"),
    Column("best_before", pgettext_lazy("batch sheet column", "Best before"), True, "YYYY-MM-DD"),
    Column(
        "quantity",
        pgettext_lazy("batch sheet column", "Quantity"),
        True,
        gettext_lazy("A whole number above zero."),
    ),
    Column(
        "unit",
        pgettext_lazy("batch sheet column", "Unit"),
        False,
        gettext_lazy("piece, kg, jin or l (default: piece)."),
    ),
    Column("notes", pgettext_lazy("batch sheet column", "Notes"), False, ""),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}

UNIT_WORDS = {
    BatchUnit.PIECE: ("piece", "pieces", "pcs", "pc", "件", "个", "盒", "瓶", "袋", "包", "箱", "罐", "桶"),
    BatchUnit.KG: ("kg", "kgs", "kilogram", "kilograms", "千克", "公斤"),
    BatchUnit.JIN: ("jin", "斤", "市斤"),
    BatchUnit.LITRE: ("l", "litre", "liter", "litres", "升", "公升"),
}
UNIT_LOOKUP = {word.lower(): unit for unit, words in UNIT_WORDS.items() for word in words}

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
EXCEL_EPOCH = datetime.date(1899, 12, 30)


@dataclass(frozen=True)
class RowError:
    row: int  # as numbered in the sheet (the header is row 1)
    column: str  # the column's label in the user's language, "" for the whole row or file
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


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    sheet_name: str = ""  # the worksheet read ("" for a CSV)
    sheet_choices: list[str] = field(default_factory=list)  # several sheets hold data: pick one
    parse_memory_kb: int = 0  # peak memory of the child process that read the file

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Reading the file ---------------------------------------------------------------------------
#: What one batch sheet may hold (core.sheets checks every bound before or while reading).
SHEET_LIMITS = SheetLimits(
    max_bytes=MAX_BYTES,
    max_rows=MAX_ROWS,
    max_row_number=10 * MAX_ROWS,
    max_columns=30,
    max_cells=(MAX_ROWS + 1) * 30,
    max_cell_chars=5_000,
    max_chars=16_000_000,
)

#: The template's help sheets, in every language it is downloaded in: never read as batches.
HELP_SHEETS = (
    lambda: _("How to fill it in")[:31],
    lambda: _("Your products")[:31],
    lambda: _("Your bases")[:31],
)


def help_sheet_names() -> list[str]:
    names = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.extend(name() for name in HELP_SHEETS)
    return names


class SheetProblem(Exception):
    """The file cannot be read as a sheet; ``errors`` say why, ``sheet_choices`` which sheets to pick."""

    def __init__(
        self, errors: list[RowError], sheet_choices: list[str] | None = None, peak_memory_kb: int = 0
    ):
        super().__init__(errors)
        self.errors = errors
        self.sheet_choices = sheet_choices or []
        self.peak_memory_kb = peak_memory_kb  # of the child process that read the file


def read_sheet(data: bytes, *, sheet: str | None = None) -> sheets.Sheet:
    """The rows of a batch sheet, read in a child process within the memory and time limits
    (settings SHEET_PARSE_MEMORY_MB, SHEET_PARSE_SECONDS); ``SheetProblem`` when it cannot be."""
    try:
        return sheets.sheet_read_bounded(
            data,
            limits=SHEET_LIMITS,
            sheet=sheet or None,
            ignore_sheets=help_sheet_names(),
            memory_bytes=settings.SHEET_PARSE_MEMORY_MB * sheets.MB,
            seconds=settings.SHEET_PARSE_SECONDS,
        )
    except sheets.SheetChoiceNeeded as error:
        raise SheetProblem(
            [RowError(0, "", error.message)], sheet_choices=error.sheets, peak_memory_kb=error.peak_memory_kb
        ) from None
    except sheets.SheetError as error:
        column = _("Column %(letter)s") % {"letter": error.column_name} if error.column else ""
        raise SheetProblem(
            [RowError(error.row, column, error.message)], peak_memory_kb=error.peak_memory_kb
        ) from None


# --- Headers ------------------------------------------------------------------------------------------
def _normal(text) -> str:
    text = str(text or "").strip().lower()
    text = re.sub(r"[（(].*?[)）]", "", text)  # hints in brackets
    return re.sub(r"[\s*＊_:：]", "", text)


def _header_names() -> dict[str, str]:
    """Every accepted spelling of every column (key, English and Chinese label) → key."""
    names = {}
    for column in COLUMNS:
        names[_normal(column.key)] = column.key
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[_normal(str(column.label))] = column.key
    return names


def _map_header(row_number: int, header: list, errors: list[RowError]) -> dict[str, int]:
    names = _header_names()
    positions: dict[str, int] = {}
    unknown = []
    for index, cell in enumerate(header):
        if cell in (None, ""):
            continue
        key = names.get(_normal(cell))
        if key is None:
            unknown.append(_shown(str(cell)))
        elif key in positions:
            errors.append(
                RowError(row_number, str(COLUMN_BY_KEY[key].label), _("This column appears twice."))
            )
        else:
            positions[key] = index
    missing = [str(c.label) for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        errors.append(
            RowError(row_number, "", _("Missing column(s): %(columns)s.") % {"columns": "、".join(missing)})
        )
    if unknown:
        errors.append(
            RowError(
                row_number,
                "",
                _("Unknown column(s): %(columns)s. Use the template's columns: %(expected)s.")
                % {"columns": "、".join(unknown), "expected": "、".join(str(c.label) for c in COLUMNS)},
            )
        )
    return positions


# --- Cells ------------------------------------------------------------------------------------------
class CellError(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _shown(text: str, limit: int = 40) -> str:
    """A cell's text as quoted back in a message: a 5,000-character cell is not repeated whole."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_date(value) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        number = int(value)
        if 19000101 <= number <= 29991231:
            value = str(number)
        elif 1 <= number <= 2958465 and float(value).is_integer():
            return EXCEL_EPOCH + datetime.timedelta(days=number)
    text = _text(value)
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(
        _("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2026-03-15.") % {"value": _shown(text)}
    )


def parse_quantity(value) -> int:
    text = _text(value).replace(",", "").replace("，", "")
    if not text:
        raise CellError(_("Enter the quantity."))
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():  # NaN, Infinity, inf, sNaN
        raise CellError(_("“%(value)s” is not a number.") % {"value": _shown(text)})
    if number != number.to_integral_value():
        raise CellError(_("The quantity must be a whole number, not %(value)s.") % {"value": _shown(text)})
    if number <= 0:
        raise CellError(_("The quantity must be more than zero (it is %(value)s).") % {"value": _shown(text)})
    if number > 2_000_000_000:
        raise CellError(_("The quantity %(value)s is too large.") % {"value": _shown(text)})
    return int(number)


def parse_unit(value) -> str:
    text = _text(value)
    if not text:
        return BatchUnit.PIECE
    unit = UNIT_LOOKUP.get(text.lower())
    if unit is None:
        raise CellError(_("Unknown unit “%(value)s”: use piece, kg, jin or l.") % {"value": _shown(text)})
    return unit


def check_lot_code(text: str) -> str:
    if not text:
        return ""
    if not text.isascii():
        raise CellError(
            _(
                "Lot code “%(value)s” has characters that are not Latin letters or digits "
                "(GS1 lot codes are ASCII)."
            )
            % {"value": _shown(text)}
        )
    if not LOT_CODE_RE.match(text):
        raise CellError(
            _("Lot code “%(value)s”: 1 to 20 letters, digits and - . _ /, starting with a letter or digit.")
            % {"value": _shown(text)}
        )
    return text


# --- What the supplier may use ---------------------------------------------------------------------
@dataclass
class SupplierCatalogue:
    """The supplier's products (by SKU, GTIN and title) and bases (by name), loaded once."""

    supplier: Supplier
    products: dict[str, object] = field(default_factory=dict)
    bases: dict[str, ProductionBase] = field(default_factory=dict)
    refused: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # code or name → why, asked once per sheet

    @classmethod
    def load(cls, supplier: Supplier) -> SupplierCatalogue:
        catalogue = cls(supplier)
        if supplier.partner_id:
            records = StockRecord.objects.filter(partner_id=supplier.partner_id).select_related("product")
            for record in records:
                product = record.product
                for key in (
                    record.partner_sku,
                    product.gtin,
                    product.gtin.zfill(14) if product.gtin else "",
                    product.title,
                    product.upc,
                ):
                    if key:
                        catalogue.products.setdefault(key.strip().lower(), product)
        for base in ProductionBase.objects.filter(supplier=supplier):
            catalogue.bases[base.name.strip().lower()] = base
            catalogue.bases[str(base.pk)] = base
        return catalogue

    def product(self, code: str):
        product = self.products.get(code.strip().lower())
        if product is not None:
            return product
        if ("product", code) in self.refused:
            raise CellError(self.refused[("product", code)])
        try:
            self._refuse_product(code)
        except CellError as error:
            self.refused[("product", code)] = str(error)
            raise

    def _refuse_product(self, code: str):
        gtin_forms = {code, code.zfill(14), code.lstrip("0")} if code.isdigit() else set()
        elsewhere = StockRecord.objects.filter(
            Q(partner_sku=code) | Q(product__gtin__in=gtin_forms) | Q(product__title=code)
        ).exists()
        if elsewhere:
            raise CellError(
                _("Product “%(code)s” is sold by another supplier, not by you.") % {"code": _shown(code)}
            )
        raise CellError(
            _("No product of yours has the code “%(code)s”: use the SKU or GTIN listed in the template.")
            % {"code": _shown(code)}
        )

    def base(self, name: str) -> ProductionBase:
        base = self.bases.get(name.strip().lower())
        if base is not None:
            return base
        if ("base", name) in self.refused:
            raise CellError(self.refused[("base", name)])
        try:
            self._refuse_base(name)
        except CellError as error:
            self.refused[("base", name)] = str(error)
            raise

    def _refuse_base(self, name: str):
        if ProductionBase.objects.filter(name=name.strip()).exists():
            raise CellError(_("Base “%(name)s” belongs to another supplier.") % {"name": _shown(name)})
        raise CellError(_("You have no base named “%(name)s”.") % {"name": _shown(name)})


# --- Checking and importing -----------------------------------------------------------------------
@dataclass
class _Row:
    number: int
    product: object
    base: ProductionBase
    lot_code: str
    harvest_date: datetime.date
    packing_date: datetime.date | None
    best_before: datetime.date
    quantity: int
    unit: str
    notes: str


Progress = Callable[[int, int], None]  # (rows checked, rows in the sheet)
PROGRESS_EVERY = 250


def _check_rows(
    supplier: Supplier, rows, result: ImportResult, progress: Progress | None = None
) -> list[_Row]:
    (header_number, header), *body = rows
    positions = _map_header(header_number, header, result.errors)
    if result.errors:
        return []
    if not body:
        result.errors.append(RowError(0, "", _("The sheet has no rows below its header.")))
        return []
    if len(body) > MAX_ROWS:
        result.errors.append(
            RowError(
                0,
                "",
                _("The sheet has more than %(max)s rows: split it in smaller files.") % {"max": MAX_ROWS},
            )
        )
        return []
    result.rows = len(body)
    catalogue = SupplierCatalogue.load(supplier)
    today = timezone.localdate()
    label = {column.key: str(column.label) for column in COLUMNS}
    checked: list[_Row] = []
    for done, (number, values) in enumerate(body):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, len(body))

        def cell(key, values=values):
            index = positions.get(key)
            return values[index] if index is not None and index < len(values) else None

        row_errors = []

        def attempt(key, parse, *args, number=number, row_errors=row_errors):
            try:
                return parse(*args)
            except CellError as error:
                row_errors.append(RowError(number, label[key], str(error)))
                return None

        def required(key, number=number, row_errors=row_errors, cell=cell):
            text = _text(cell(key))
            if not text and cell(key) in (None, ""):
                row_errors.append(RowError(number, label[key], _("This cell is empty.")))
                return None
            return cell(key)

        product_code = _text(required("product"))
        product = attempt("product", catalogue.product, product_code) if product_code else None
        base_name = _text(required("base"))
        base = attempt("base", catalogue.base, base_name) if base_name else None
        lot_code = attempt("lot_code", check_lot_code, _text(cell("lot_code")))
        harvest_raw = required("harvest_date")
        harvest = attempt("harvest_date", parse_date, harvest_raw) if harvest_raw is not None else None
        packing = attempt("packing_date", parse_date, cell("packing_date"))
        best_raw = required("best_before")
        best_before = attempt("best_before", parse_date, best_raw) if best_raw is not None else None
        quantity = attempt("quantity", parse_quantity, cell("quantity"))
        unit = attempt("unit", parse_unit, cell("unit"))
        if harvest and harvest > today:
            row_errors.append(
                RowError(
                    number,
                    label["harvest_date"],
                    _("The harvest date %(date)s is in the future.") % {"date": harvest},
                )
            )
        if packing and packing > today:
            row_errors.append(
                RowError(
                    number,
                    label["packing_date"],
                    _("The packing date %(date)s is in the future.") % {"date": packing},
                )
            )
        if harvest and packing and packing < harvest:
            row_errors.append(
                RowError(
                    number, label["packing_date"], _("The packing date cannot be before the harvest date.")
                )
            )
        if harvest and best_before and best_before < harvest:
            row_errors.append(
                RowError(
                    number, label["best_before"], _("The best-before date cannot be before the harvest date.")
                )
            )
        notes = _text(cell("notes"))
        if len(notes) > 2000:
            row_errors.append(RowError(number, label["notes"], _("Notes are limited to 2,000 characters.")))
        if row_errors:
            result.errors.extend(row_errors)
            continue
        checked.append(
            _Row(
                number,
                product,
                base,
                lot_code or "",
                harvest,
                packing,
                best_before,
                quantity,
                unit or BatchUnit.PIECE,
                notes,
            )
        )
    _check_lot_codes(checked, result, label["lot_code"])
    _check_intervals(checked, result, label["harvest_date"])
    return checked


def _check_lot_codes(rows: list[_Row], result: ImportResult, column: str) -> None:
    first_row: dict[tuple[int, str], int] = {}
    for row in rows:
        if not row.lot_code:
            continue
        key = (row.product.pk, row.lot_code)
        if key in first_row:
            result.errors.append(
                RowError(
                    row.number,
                    column,
                    _("Lot code %(lot)s of this product is already in row %(row)s.")
                    % {"lot": row.lot_code, "row": first_row[key]},
                )
            )
        else:
            first_row[key] = row.number
    if not first_row:
        return
    taken = set(
        Batch.objects.filter(
            product_id__in={product_id for product_id, _lot in first_row},
            lot_code__in={lot for _product, lot in first_row},
        ).values_list("product_id", "lot_code")
    )
    for key, number in first_row.items():
        if key in taken:
            result.errors.append(
                RowError(
                    number, column, _("Lot code %(lot)s is already used for this product.") % {"lot": key[1]}
                )
            )


def _check_intervals(rows: list[_Row], result: ImportResult, column: str) -> None:
    if not rows:
        return
    earliest = min(row.harvest_date for row in rows) - datetime.timedelta(days=365)
    latest = max(row.harvest_date for row in rows)
    inputs = FarmInput.objects.filter(
        base_id__in={row.base.pk for row in rows},
        applied_on__gte=earliest,
        applied_on__lte=latest,
        pre_harvest_interval_days__gt=0,
    )
    by_base = defaultdict(list)
    for farm_input in inputs:
        by_base[farm_input.base_id].append(farm_input)
    if not by_base:
        return
    for row in rows:
        applying = [f for f in by_base.get(row.base.pk, ()) if f.product_id in (None, row.product.pk)]
        reason = rules.interval_violation(row.harvest_date, applying)
        if reason:
            result.errors.append(RowError(row.number, column, reason))


def batch_sheet_check(
    *, supplier: Supplier, data: bytes, sheet: str | None = None, progress: Progress | None = None
) -> tuple[ImportResult, list[_Row]]:
    """Read and check a CSV/XLSX sheet of batches; writes nothing. The rows come back only when
    every one is right (``result.ok``); otherwise ``result.errors`` lists every problem."""
    result = ImportResult()
    try:
        read = read_sheet(data, sheet=sheet)
    except SheetProblem as problem:
        result.errors = problem.errors
        result.sheet_choices = problem.sheet_choices
        result.parse_memory_kb = problem.peak_memory_kb
        return result, []
    result.sheet_name = read.name
    result.parse_memory_kb = read.peak_memory_kb
    checked = _check_rows(supplier, read.rows, result, progress)
    if progress is not None:
        progress(result.rows, result.rows)
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, e.column))
        return result, []
    return result, checked


def batch_sheet_import(
    *, supplier: Supplier, data: bytes, filename: str = "", created_by=None, sheet: str | None = None
) -> ImportResult:
    """Check a CSV/XLSX sheet of batches and, only when every row is right, create them all as drafts."""
    result, rows = batch_sheet_check(supplier=supplier, data=data, sheet=sheet)
    if not result.ok:
        return result
    try:
        result.created = batches_create(rows=rows, created_by=created_by)
    except IntegrityError:
        result.errors.append(lot_codes_taken_error())
    return result


def lot_codes_taken_error() -> RowError:
    return RowError(
        0, "", _("Some lot codes were taken while the sheet was being imported: upload it again.")
    )


@transaction.atomic
def batches_create(*, rows: list[_Row], created_by) -> int:
    """Insert checked rows as draft batches in one transaction, generating missing lot codes."""
    generated = [row for row in rows if not row.lot_code]
    if generated:
        stems = {row.harvest_date.strftime("%y%m%d") for row in generated}
        taken: dict[int, set[str]] = defaultdict(set)
        existing = Batch.objects.filter(
            product_id__in={row.product.pk for row in generated},
        ).filter(Q(*[Q(lot_code__startswith=stem) for stem in stems], _connector=Q.OR))
        for product_id, lot_code in existing.values_list("product_id", "lot_code"):
            taken[product_id].add(lot_code)
        for row in rows:
            if row.lot_code:
                taken[row.product.pk].add(row.lot_code)
        for row in generated:
            row.lot_code = rules.lot_code_for(row.harvest_date, taken[row.product.pk])
            taken[row.product.pk].add(row.lot_code)
    batches = [
        Batch(
            product=row.product,
            base=row.base,
            lot_code=row.lot_code,
            harvest_date=row.harvest_date,
            packing_date=row.packing_date,
            best_before=row.best_before,
            quantity=row.quantity,
            unit=row.unit,
            quantity_remaining=row.quantity,
            notes=row.notes,
            created_by=created_by,
            status=Batch.Status.DRAFT,
        )
        for row in rows
    ]
    Batch.objects.bulk_create(batches, batch_size=1000)
    return len(batches)


# --- The template --------------------------------------------------------------------------------
def template_rows(supplier: Supplier) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """Header labels (user's language), and the supplier's products and bases for the reference sheets."""
    header = [str(column.label) for column in COLUMNS]
    products = []
    if supplier.partner_id:
        records = (
            StockRecord.objects.filter(partner_id=supplier.partner_id)
            .select_related("product")
            .order_by("product__title", "pk")
        )
        products = [[r.partner_sku, r.product.gtin, r.product.get_title()] for r in records]
    bases = [
        [b.name, b.get_county_display(), b.township]
        for b in ProductionBase.objects.filter(supplier=supplier).order_by("name")
    ]
    return header, products, bases


def template_csv(supplier: Supplier) -> bytes:
    header, _products, _bases = template_rows(supplier)
    buffer = io.StringIO()
    csv.writer(buffer).writerow(header)
    # UTF-8 with a byte-order mark: Excel on Windows then opens the Chinese headers correctly.
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(supplier: Supplier) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    header, products, bases = template_rows(supplier)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Batches")[:31]
    sheet.append(header)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E6F2EF")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        if column.required:
            cell.fill = fill
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 22 if column.key in ("product", "base", "notes") else 16
        if column.key in ("harvest_date", "packing_date", "best_before"):
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "yyyy-mm-dd"
    unit_column = [c.key for c in COLUMNS].index("unit") + 1
    validation = DataValidation(type="list", formula1='"piece,kg,jin,l"', allow_blank=True)
    sheet.add_data_validation(validation)
    letter = sheet.cell(row=1, column=unit_column).column_letter
    validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.freeze_panes = "A2"

    help_sheet = workbook.create_sheet(_("How to fill it in")[:31])
    help_sheet.append([_("Column"), _("Required column"), _("What to enter")])
    for column in COLUMNS:
        help_sheet.append([str(column.label), _("yes") if column.required else _("no"), str(column.help)])
    help_sheet.append([])
    help_sheet.append(
        [_("The whole sheet is imported only when every row is right; errors are listed by row and column.")]
    )
    help_sheet.column_dimensions["A"].width = 26
    help_sheet.column_dimensions["C"].width = 60

    product_sheet = workbook.create_sheet(_("Your products")[:31])
    product_sheet.append([_("SKU"), "GTIN", _("Product")])
    for row in products:
        product_sheet.append(row)
    product_sheet.column_dimensions["A"].width = 18
    product_sheet.column_dimensions["B"].width = 18
    product_sheet.column_dimensions["C"].width = 40

    base_sheet = workbook.create_sheet(_("Your bases")[:31])
    base_sheet.append([_("Production base"), _("County"), _("Township")])
    for row in bases:
        base_sheet.append(row)
    base_sheet.column_dimensions["A"].width = 26

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
