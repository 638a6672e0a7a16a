"""Order sheets: an organisation's bulk order as XLSX or CSV (issue 13, part 4).

Columns (header row, any order, Chinese or English): product code (a stock record's SKU or the
product's UPC) and/or GTIN, quantity, delivery site (its name, as on the organisation's sites
page), and optionally delivery date (else the date given with the upload). The file is read by the
bounded reader (``channels.sheets.read_sheet``). Every problem is listed with its row and column and
nothing is ordered unless every row is right; the products are looked up in three queries however
long the sheet is (``channels.price_sheets._Catalogue``). What the rows then ask for (on sale, in
stock, minimum order, whole cases) is checked by ``channels.services.bulk`` with the row number.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from channels import price_sheets
from channels.price_sheets import CellError, RowError, _Catalogue, _normal, _text, parse_count, parse_date
from channels.services.bulk import OrderLine
from channels.sheets import SheetRow

COLUMNS = {
    "sku": pgettext_lazy("price sheet column", "Product code"),
    "gtin": pgettext_lazy("price sheet column", "GTIN"),
    "quantity": pgettext_lazy("order sheet column", "Quantity"),
    "site": pgettext_lazy("order sheet column", "Delivery site"),
    "date": pgettext_lazy("order sheet column", "Delivery date"),
    "title": pgettext_lazy("price sheet column", "Product"),  # for reading; ignored
}
ALIASES = {
    "sku": ("sku", "upc", "编码", "商品编号", "货号"),
    "gtin": ("ean", "barcode", "条码", "条形码", "商品条码"),
    "quantity": ("qty", "quantity", "数量", "订购数量"),
    "site": ("site", "送货点", "收货地点", "校区", "门店"),
    "date": ("date", "送货日期", "日期"),
    "title": ("product", "商品", "商品名称", "品名"),
}


@dataclass
class CheckedOrderSheet:
    lines: list[OrderLine] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _label(key: str) -> str:
    return str(COLUMNS[key])


def _header(header: SheetRow, errors: list[RowError]) -> dict[str, int]:
    names = {_normal(alias): key for key, aliases in ALIASES.items() for alias in aliases}
    for key, label in COLUMNS.items():
        names[_normal(key)] = key
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[_normal(str(label))] = key
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
                _("Missing column: %(sku)s or %(gtin)s, to say which product each row orders.")
                % {"sku": _label("sku"), "gtin": _label("gtin")},
            )
        )
    for key in ("quantity", "site"):
        if key not in positions:
            errors.append(
                RowError(header.number, "", _("Missing column: %(column)s.") % {"column": _label(key)})
            )
    if unknown:
        errors.append(
            RowError(
                header.number,
                "",
                _("Unknown column(s): %(columns)s. Use: %(expected)s.")
                % {
                    "columns": "、".join(unknown),
                    "expected": "、".join(_label(key) for key in ("sku", "gtin", "quantity", "site", "date")),
                },
            )
        )
    return positions


def order_sheet_check(
    rows: list[SheetRow], *, organisation, default_date: datetime.date
) -> CheckedOrderSheet:
    """The sheet's rows as order lines, or every error found (row and column)."""
    checked = CheckedOrderSheet()
    errors = checked.errors
    if not rows:
        errors.append(RowError(0, "", _("The sheet is empty.")))
        return checked
    positions = _header(rows[0], errors)
    if errors:
        return checked
    data = rows[1:]
    if not data:
        errors.append(RowError(0, "", _("The sheet has a header but no rows to order.")))
        return checked

    def cell(row: SheetRow, key: str):
        index = positions.get(key)
        return row.values[index] if index is not None and index < len(row.values) else None

    skus = {_text(cell(row, "sku")) for row in data} - {""}
    gtins = {_text(cell(row, "gtin")) for row in data} - {""}
    catalogue = _Catalogue.load(skus, gtins)
    parents, catalogue.parents = catalogue.parents, set()
    sites = {_normal(site.name): site for site in organisation.sites.all()}
    for row in data:
        number = row.number
        before = len(errors)
        values = {"sku": _text(cell(row, "sku")), "gtin": _text(cell(row, "gtin"))}
        product_id = price_sheets._product(values, catalogue, number, errors)
        if product_id is not None and product_id in parents:
            errors.append(
                RowError(
                    number,
                    _label("gtin") if values["gtin"] else _label("sku"),
                    _("This product has variants: order a variant (its own code) instead."),
                )
            )
        try:
            quantity = parse_count(cell(row, "quantity"), default=None)
        except CellError as error:
            errors.append(RowError(number, _label("quantity"), str(error)))
        site_name = _text(cell(row, "site"))
        site = sites.get(_normal(site_name))
        if not site_name:
            errors.append(RowError(number, _label("site"), _("Enter the delivery site.")))
        elif site is None:
            errors.append(
                RowError(
                    number,
                    _label("site"),
                    _("“%(site)s” is not one of your delivery sites (%(sites)s).")
                    % {"site": site_name, "sites": "、".join(s.name for s in sites.values() if s.is_active)},
                )
            )
        elif not site.is_active:
            errors.append(
                RowError(
                    number,
                    _label("site"),
                    _("The delivery site “%(site)s” is not in use.") % {"site": site_name},
                )
            )
        try:
            day = parse_date(cell(row, "date")) or default_date
        except CellError as error:
            errors.append(RowError(number, _label("date"), str(error)))
        if len(errors) == before:
            checked.lines.append(
                OrderLine(
                    product_id=product_id,
                    quantity=quantity,
                    site_id=site.pk,
                    date=day,
                    label=_("Row %(row)s") % {"row": number},
                )
            )
    return checked
