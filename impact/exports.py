"""XLSX of an impact view: the filters used, the headline figures and every table, one workbook.

Names in the tables are the suppliers' own, so every text cell goes through ``core.sheets.defuse``."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.sheets import defuse

TABLES = [
    ("months", _("By month")),
    ("counties", _("By county")),
    ("districts", _("By Beijing district")),
    ("channels", _("By channel")),
    ("categories", _("By category")),
    ("brands", _("By brand")),
    ("suppliers", _("Top suppliers")),
    ("products", _("Top products")),
]


def workbook_bytes(*, title: str, filter_rows, data: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Figures")[:31]
    bold = Font(bold=True)
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append([_("Filters")])
    sheet.cell(row=sheet.max_row, column=1).font = bold
    for label, value in filter_rows:
        sheet.append([defuse(str(label)), defuse(str(value))])
    sheet.append([])
    sheet.append([_("Figure"), _("Value"), _("Target"), _("Progress (%)")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in data["headline"]:
        sheet.append([str(row["label"]), row["value"], row["target"], row["progress"]])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 20
    for key, heading in TABLES:
        rows = data.get(key)
        if rows is None:
            continue
        table = book.create_sheet(str(heading)[:31])
        table.append([str(heading), _("Sales (yuan)"), _("Share (%)")])
        for cell in table[1]:
            cell.font = bold
        for label, amount, percent in rows:
            table.append([defuse(str(label)), amount, percent])  # supplier and product names
        table.column_dimensions["A"].width = 30
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
