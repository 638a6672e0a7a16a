"""Reading an uploaded sheet (XLSX or CSV) into numbered rows, within limits.

This is the one place the channels room reads spreadsheets: ``read_sheet(upload)`` gives every
non-empty row with its number in the sheet (the header is row 1). The reading is the shared,
bounded reader's (``core.sheets.sheet_read_bounded``: a child process held to SHEET_PARSE_MEMORY_MB
and SHEET_PARSE_SECONDS, zip bombs, DTDs, huge dimensions, hidden data and several data sheets
refused with a message each); this module only sets the room's limits and keeps its row type.

Limits: ``MAX_BYTES`` per file, ``MAX_ROWS`` rows (more is refused, not cut), ``MAX_COLUMNS``
columns (a value further right is refused); CSV as UTF-8 (with or without BOM), GB18030/GBK or
UTF-16, separated by commas, tabs or semicolons.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from core import sheets

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
    limits = sheets.SheetLimits(
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS,
        max_row_number=10 * MAX_ROWS,
        max_columns=MAX_COLUMNS,
        max_cells=(MAX_ROWS + 1) * MAX_COLUMNS,
    )
    try:
        sheet = sheets.sheet_read_bounded(
            data,
            limits=limits,
            memory_bytes=settings.SHEET_PARSE_MEMORY_MB * sheets.MB,
            seconds=settings.SHEET_PARSE_SECONDS,
        )
    except sheets.SheetError as error:
        raise SheetError(str(error)) from None
    return [SheetRow(number, tuple(values)) for number, values in sheet.rows]


def _read_upload(upload) -> bytes:
    if upload.size is not None and upload.size > MAX_BYTES:
        raise SheetError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise SheetError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    return data
