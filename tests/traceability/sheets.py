"""Build batch sheets (CSV and XLSX bytes) for import tests and the benchmark."""

from __future__ import annotations

import csv
import io

HEADER_ZH = [
    "产品编码",
    "生产基地",
    "批次号",
    "采收/生产日期",
    "包装日期",
    "保质期至",
    "数量",
    "单位",
    "备注",
]
HEADER_EN = [
    "Product code",
    "Production base",
    "Lot code",
    "Harvest or production date",
    "Packing date",
    "Best before",
    "Quantity",
    "Unit",
    "Notes",
]


def csv_bytes(rows, header=None, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header or HEADER_EN)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=None) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or HEADER_EN)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
