"""Reading an uploaded sheet (XLSX or CSV) into numbered rows, within limits.

This is the one place the channels room reads spreadsheets: ``read_sheet(upload)`` gives every
non-empty row with its number in the sheet (the header is row 1). A shared, bounded reader
(``core/sheets.py``) is being written on another branch; when it lands, this function becomes a
call to it and nothing else here changes.

Limits: ``MAX_BYTES`` per file, ``MAX_ROWS`` rows (more is refused, not cut), ``MAX_COLUMNS``
cells per row; XLSX read with openpyxl in read-only mode (streamed, formulas as their cached
values); CSV as UTF-8 (with or without BOM) or GB18030 (what Excel in China writes), separated by
commas, tabs or semicolons.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 30


class SheetError(Exception):
    """The file cannot be read as a sheet; the message says why, in the user's language."""


@dataclass(frozen=True)
class SheetRow:
    number: int  # as numbered in the sheet: the header is row 1
    values: tuple


def read_sheet(upload) -> list[SheetRow]:
    """Every non-empty row of an uploaded file (Django ``UploadedFile`` or bytes), header first."""
    data = upload if isinstance(upload, bytes) else _read_upload(upload)
    if not data.strip():
        raise SheetError(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SheetError(
            _("Old Excel files (.xls) cannot be read: save the sheet as .xlsx or .csv and upload it again.")
        )
    return _read_csv(data)


def _read_upload(upload) -> bytes:
    if upload.size is not None and upload.size > MAX_BYTES:
        raise SheetError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise SheetError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    return data


def _too_many_rows() -> SheetError:
    return SheetError(
        _("The sheet has more than %(rows)s rows: split it into smaller sheets.") % {"rows": MAX_ROWS}
    )


def _keep(rows: list[SheetRow], number: int, values) -> None:
    values = tuple(values[:MAX_COLUMNS])
    if any(value not in (None, "") and str(value).strip() for value in values):
        if len(rows) > MAX_ROWS:  # the header and MAX_ROWS rows of data
            raise _too_many_rows()
        rows.append(SheetRow(number, values))


def _read_xlsx(data: bytes) -> list[SheetRow]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise SheetError(_("The file is not an Excel sheet we can read: save it as .xlsx or .csv."))
    try:
        rows: list[SheetRow] = []
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            _keep(rows, number, values)
        return rows
    finally:
        workbook.close()


def _read_csv(data: bytes) -> list[SheetRow]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise SheetError(_("The file's text encoding is not UTF-8 or GB18030."))
    if "\x00" in text:
        raise SheetError(_("The file is neither a CSV nor an XLSX sheet."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    rows: list[SheetRow] = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            _keep(rows, number, values)
    except csv.Error:
        raise SheetError(_("The CSV file is malformed (an unclosed quote?)."))
    return rows
