"""A bounded reader of uploaded sheets (XLSX or CSV): rows with their sheet row numbers, or a clear error.

Contract. ``sheet_read(data, limits=…, sheet=None, ignore_sheets=())`` returns a ``Sheet``: its kind
(``"xlsx"`` or ``"csv"``, told apart by content, never by the file's name), the sheet's name and its
non-empty rows as ``(row number, [values])``, the header first. Values are ``str``, ``int``, ``float``,
``bool``, ``datetime.datetime`` or ``None`` (a CSV gives ``str`` or ``None``). Anything else raises
``SheetError``, whose ``str()`` says what is wrong in the user's language, with the row and column where
there is one. ``sheet_read_bounded`` does the same read in a child process that cannot take more than
a given memory and time, and is what request and task code should call.

Every bound is checked before or while reading, never after:
- the file's size; then, for XLSX, the zip's members: their number, their declared unpacked size one
  by one and together, and how tightly each is packed (a zip bomb is refused before anything is
  unpacked); every member is then unpacked as a stream, counting the bytes actually produced (declared
  sizes can lie); XML with a document type declaration (entity expansion) is refused;
- the worksheet's ``<dimension>`` and every row number and column against the limits;
- non-empty rows, columns, cells, characters in a cell and in all cells, counted as they come: the
  read stops at the first limit passed, naming it.
The XML is parsed by expat through callbacks (no element tree), so empty rows cost time bounded by the
unpacked bytes and no memory; gaps in row numbers cost nothing.

Never silently partial: hidden rows or columns holding data, hidden sheets, a formula with no saved
result, ``NaN``/``Infinity`` in a number cell, a NUL character, an unclosed quote in a CSV each refuse
the file with their own message. A workbook with several sheets holding data is refused with
``SheetChoiceNeeded`` naming them, so the caller can ask which one to read (``sheet=``).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import logging
import math
import os
import pickle
import posixpath
import re
import struct
import subprocess
import sys
import zipfile
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path
from pyexpat import ExpatError as _ExpatError
from zlib import error as _ZlibError

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KB = 1024
MB = 1024 * KB
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SheetLimits:
    """What one upload may hold. Every number is a hard stop with its own message."""

    max_bytes: int = 10 * MB  # the uploaded file
    max_rows: int = 10_000  # non-empty rows below the header row
    max_row_number: int = 100_000  # the last row a sheet may use, empty rows and <dimension> included
    max_columns: int = 50
    max_cells: int = 500_000  # non-empty cells
    max_cell_chars: int = 5_000  # one cell (CSV: one field)
    max_chars: int = 20_000_000  # all cells together
    # XLSX only: the zip and its XML parts.
    max_members: int = 1_000
    max_member_bytes: int = 64 * MB  # one part, unpacked
    max_total_bytes: int = 128 * MB  # every part read, unpacked, together
    max_ratio: int = 100  # unpacked : packed, for parts above ratio_floor_bytes
    ratio_floor_bytes: int = 1 * MB
    max_sheets: int = 100


@dataclass
class Sheet:
    kind: str  # "xlsx" or "csv"
    name: str  # the worksheet's name ("" for a CSV)
    rows: list[tuple[int, list]] = field(default_factory=list)
    peak_memory_kb: int = 0  # of the process that read it (sheet_read_bounded only)


# --- Errors -------------------------------------------------------------------------------------------
MESSAGES = {
    "empty": gettext_lazy("The file is empty."),
    "no_data": gettext_lazy("The sheet holds no data."),
    "too_big": gettext_lazy("The file is larger than %(max)s."),
    "xls": gettext_lazy(
        "Old Excel files (.xls) and password-protected workbooks cannot be read: save the sheet as "
        ".xlsx without a password, or as CSV, and upload it again."
    ),
    "xlsb": gettext_lazy("Binary Excel workbooks (.xlsb) cannot be read: save the sheet as .xlsx or CSV."),
    "ods": gettext_lazy("OpenDocument spreadsheets (.ods) cannot be read: save the sheet as .xlsx or CSV."),
    "not_sheet": gettext_lazy("The file is neither an Excel workbook (.xlsx) nor a CSV sheet."),
    "bad_zip": gettext_lazy(
        "The file is damaged or not an Excel sheet we can read: save it again as .xlsx or CSV."
    ),
    "zip_members": gettext_lazy("The workbook has %(count)s parts; a sheet has far fewer (at most %(max)s)."),
    "zip_encrypted": gettext_lazy("The workbook is encrypted: save it without a password."),
    "zip_member_size": gettext_lazy(
        "A part of the workbook (%(name)s) unpacks to more than %(max)s: it is not an ordinary sheet. "
        "Split it into smaller files."
    ),
    "zip_total_size": gettext_lazy(
        "The workbook unpacks to more than %(max)s: it is not an ordinary sheet. Split it into smaller files."
    ),
    "zip_ratio": gettext_lazy(
        "A part of the workbook (%(name)s) is packed %(ratio)s times smaller than its content, far more "
        "than any real sheet (at most %(max)s times): refused as a possible zip bomb. If it is a real "
        "sheet, delete the empty rows and formatting below your data and save it again."
    ),
    "xml_dtd": gettext_lazy(
        "The workbook contains XML declarations that Excel never writes (a DTD): refused."
    ),
    "bad_xml": gettext_lazy(
        "A part of the workbook (%(name)s) is damaged: save the sheet again as .xlsx or CSV."
    ),
    "no_sheets": gettext_lazy("The workbook has no sheet."),
    "too_many_sheets": gettext_lazy("The workbook has %(count)s sheets; at most %(max)s are read."),
    "several_sheets": gettext_lazy(
        "The workbook has several sheets with data: %(sheets)s. Choose the one to import, or keep one "
        "sheet in the file."
    ),
    "unknown_sheet": gettext_lazy("The workbook has no sheet named “%(name)s”. Its sheets: %(sheets)s."),
    "hidden_sheet": gettext_lazy(
        "Sheet “%(name)s” is hidden: show it in Excel and check it before importing it."
    ),
    "not_worksheet": gettext_lazy("“%(name)s” is a chart, not a sheet of rows."),
    "dimension": gettext_lazy(
        "The sheet says it uses %(ref)s: %(rows)s rows and %(columns)s columns, but at most %(max_rows)s "
        "rows and %(max_columns)s columns are read. Delete the empty rows and columns after your data "
        "(or clear their formatting) and save it again."
    ),
    "row_number": gettext_lazy(
        "The sheet goes on to row %(last)s, past the %(max)s rows read. Delete the rows after your data "
        "(or clear their formatting) and save it again."
    ),
    "too_many_rows": gettext_lazy(
        "The sheet has more than %(max)s rows below its header: split it into smaller files."
    ),
    "too_many_columns": gettext_lazy("This cell holds data, but only the first %(max)s columns are read."),
    "too_many_cells": gettext_lazy(
        "The sheet has more than %(max)s filled cells: split it into smaller files."
    ),
    "too_many_chars": gettext_lazy(
        "The sheet holds more than %(max)s characters of text: split it into smaller files."
    ),
    "cell_too_long": gettext_lazy("The cell holds more than %(max)s characters."),
    "csv_field_too_long": gettext_lazy(
        "A cell holds more than %(max)s characters; perhaps a quote opened here is never closed."
    ),
    "unclosed_quote": gettext_lazy(
        'A quote (") opened in this row is never closed, so the rest of the file would be one cell. '
        "Check the quotes in this row."
    ),
    "bad_quote": gettext_lazy(
        'A quoted cell is followed by more text before the next separator (like "abc"def). Check the '
        "quotes in this row."
    ),
    "csv_error": gettext_lazy("This row cannot be read as CSV (%(detail)s)."),
    "not_finite": gettext_lazy("“%(value)s” is not a number a sheet can hold (NaN or infinity)."),
    "bad_value": gettext_lazy("The cell's value “%(value)s” is damaged."),
    "formula_no_value": gettext_lazy(
        "The cell holds a formula (%(formula)s) without a saved result. Open the file in Excel, let it "
        "calculate, save it and upload it again, or type the value."
    ),
    "nul": gettext_lazy("The cell contains a NUL character, which text cannot hold."),
    "nul_file": gettext_lazy(
        "The file contains NUL characters, so it is not a text CSV. Save the sheet as .xlsx or “CSV UTF-8”."
    ),
    "encoding": gettext_lazy(
        "The file's text is neither UTF-8 nor GB18030/GBK: save it as .xlsx or as “CSV UTF-8”."
    ),
    "hidden_rows": gettext_lazy(
        "Hidden rows hold data: %(rows)s. Nothing hidden is imported unseen: show them (or clear the "
        "filter), check them, delete the ones you do not want, and upload the sheet again."
    ),
    "hidden_columns": gettext_lazy(
        "Hidden columns hold data: %(columns)s. Nothing hidden is imported unseen: show them, check them, "
        "delete the ones you do not want, and upload the sheet again."
    ),
    "too_slow": gettext_lazy(
        "Reading the sheet took longer than %(seconds)s seconds, so it was stopped: split it into "
        "smaller files."
    ),
    "too_much_memory": gettext_lazy(
        "Reading the sheet needed more than %(max)s of memory, so it was stopped: split it into smaller "
        "files, or save it again without formatting."
    ),
    "unreadable": gettext_lazy(
        "The file could not be read: save it again as .xlsx or CSV and upload it again."
    ),
}


def _size(number: int) -> str:
    return f"{number / MB:,.0f} MB" if number >= MB else f"{number / KB:,.0f} KB"


def column_letter(number: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class SheetError(Exception):
    """A file refused, with a code (stable, for tests and callers), its parameters, and where."""

    def __init__(self, code: str, *, row: int = 0, column: int = 0, **params):
        super().__init__(code, row, column, params)
        self.code = code
        self.row = row
        self.column = column
        self.params = params
        self.peak_memory_kb = 0  # of the child that read the file (sheet_read_bounded only)

    def __reduce__(self):
        return (_error_restore, (self.code, self.row, self.column, self.params))

    @property
    def column_name(self) -> str:
        return column_letter(self.column) if self.column else ""

    @property
    def message(self) -> str:
        params = {}
        for key, value in self.params.items():
            if isinstance(value, bool):
                params[key] = value
            elif isinstance(value, int):
                params[key] = _size(value) if key == "max" and self.code in _SIZE_CODES else f"{value:,}"
            elif isinstance(value, list | tuple):
                params[key] = "、".join(f"“{item}”" if key == "sheets" else str(item) for item in value)
            else:
                params[key] = value
        params.setdefault("row", f"{self.row:,}")
        return str(MESSAGES.get(self.code, MESSAGES["unreadable"])) % params

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column_name,
                "message": self.message,
            }
        if self.row:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        if self.column:
            return _("Column %(column)s: %(message)s") % {"column": self.column_name, "message": self.message}
        return self.message


class SheetChoiceNeeded(SheetError):
    """Several sheets hold data; ``sheets`` names them, and ``sheet_read(sheet=…)`` reads one."""

    @property
    def sheets(self) -> list[str]:
        return list(self.params.get("sheets", ()))


_SIZE_CODES = {"too_big", "zip_member_size", "zip_total_size", "too_much_memory"}


def _error_restore(code, row, column, params):
    cls = SheetChoiceNeeded if code == "several_sheets" else SheetError
    return cls(code, row=row, column=column, **params)


# --- Entry point ---------------------------------------------------------------------------------------
def sheet_read(
    data: bytes,
    *,
    limits: SheetLimits = SheetLimits(),
    sheet: str | None = None,
    ignore_sheets: Collection[str] = (),
) -> Sheet:
    """Read an XLSX or CSV file within ``limits`` (see the module's docstring for the contract).

    ``sheet``: the worksheet to read; without it, the one visible sheet holding data (sheets named in
    ``ignore_sheets`` are never considered: e.g. a template's help sheets).
    """
    try:
        return _sheet_read(data, limits, sheet, ignore_sheets)
    except (SheetError, MemoryError, RecursionError):
        raise
    except Exception:  # a damaged file found a path no check foresaw: still a clear answer, logged
        logging.getLogger(__name__).exception("sheet reader: unforeseen failure")
        raise SheetError("unreadable") from None


def _sheet_read(data: bytes, limits: SheetLimits, sheet, ignore_sheets) -> Sheet:
    if not data:
        raise SheetError("empty")
    if len(data) > limits.max_bytes:
        raise SheetError("too_big", max=limits.max_bytes)
    if data[:4] == b"PK\x03\x04":
        return _Workbook(data, limits).read(sheet=sheet, ignore=ignore_sheets)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2: .xls, or an encrypted .xlsx
        raise SheetError("xls")
    if data[:4] in (b"PK\x05\x06", b"PK\x07\x08"):  # an empty or spanned zip
        raise SheetError("bad_zip")
    if data.startswith(_BINARY_MAGIC):
        raise SheetError("not_sheet")
    return _read_csv(data, limits)


_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"RIFF",
    b"\x1f\x8b",
    b"BM",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x00\x00\x01\x00",
    b"II*\x00",
    b"MM\x00*",
    b"{\\rtf",
)


# --- XLSX ----------------------------------------------------------------------------------------------
class _Stop(Exception):
    """Raised inside a parser callback to end a read early (e.g. a sheet found to hold data)."""


@dataclass
class _SheetEntry:
    name: str
    state: str  # visible, hidden, veryHidden
    path: str  # member name, "" when the relationship is missing
    is_worksheet: bool


class _Workbook:
    def __init__(self, data: bytes, limits: SheetLimits):
        self.limits = limits
        self.unpacked = 0
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            infos = self.archive.infolist()
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            ValueError,
            EOFError,
            OSError,
            struct.error,
            NotImplementedError,
        ):
            raise SheetError("bad_zip") from None
        if len(infos) > limits.max_members:
            raise SheetError("zip_members", count=len(infos), max=limits.max_members)
        declared_total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise SheetError("zip_encrypted")
            if info.file_size > limits.max_member_bytes:
                raise SheetError("zip_member_size", name=info.filename[:80], max=limits.max_member_bytes)
            if info.file_size > limits.ratio_floor_bytes:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_ratio:
                    raise SheetError(
                        "zip_ratio", name=info.filename[:80], ratio=int(ratio), max=limits.max_ratio
                    )
            declared_total += info.file_size
        if declared_total > limits.max_total_bytes:
            raise SheetError("zip_total_size", max=limits.max_total_bytes)
        self.members = {info.filename: info for info in infos}
        self.folded = {name.lower(): info for name, info in self.members.items()}

    # Parts ------------------------------------------------------------------------------------------
    def member(self, name: str):
        return self.members.get(name) or self.folded.get(name.lower())

    def parse(self, name: str, handler) -> None:
        """Stream one part through expat into ``handler``, counting the bytes actually unpacked."""
        info = self.member(name)
        if info is None:
            raise SheetError("bad_zip")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SheetError("bad_zip")
        parser = _expat_parser(handler)
        cap = min(info.file_size, self.limits.max_member_bytes)
        read = 0
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(256 * KB):
                    read += len(chunk)
                    self.unpacked += len(chunk)
                    if read > cap:
                        raise SheetError("zip_member_size", name=name[:80], max=cap)
                    if self.unpacked > self.limits.max_total_bytes:
                        raise SheetError("zip_total_size", max=self.limits.max_total_bytes)
                    _feed(parser, chunk, name)
                _feed(parser, b"", name, final=True)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, _ZlibError):
            raise SheetError("bad_zip") from None

    def text(self, name: str, limit: int = 64 * KB) -> bytes:
        info = self.member(name)
        if info is None:
            return b""
        try:
            with self.archive.open(info) as stream:
                return stream.read(limit)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, _ZlibError):
            raise SheetError("bad_zip") from None

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Id → (type's last word, member path) of ``part``'s relationships."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        handler = _Relationships(folder)
        if self.member(rels) is not None:
            self.parse(rels, handler)
        return handler.found

    # Reading ----------------------------------------------------------------------------------------
    def read(self, *, sheet: str | None, ignore: Collection[str]) -> Sheet:
        if self.member("mimetype") is not None and b"opendocument" in self.text("mimetype", 200):
            raise SheetError("ods")
        root = self.relationships("")
        workbook_path = next((path for kind, path in root.values() if kind == "officeDocument"), "")
        if not workbook_path or self.member(workbook_path) is None:
            if self.member("xl/workbook.bin") is not None:
                raise SheetError("xlsb")
            if self.member("xl/workbook.xml") is None:
                raise SheetError("not_sheet")
            workbook_path = "xl/workbook.xml"
        if workbook_path.endswith(".bin"):
            raise SheetError("xlsb")
        book = _WorkbookPart(self.limits)
        self.parse(workbook_path, book)
        rels = self.relationships(workbook_path)
        entries = []
        for name, state, rid in book.sheets:
            kind, path = rels.get(rid, ("", ""))
            entries.append(_SheetEntry(name, state, path if self.member(path) else "", kind == "worksheet"))
        if not entries:
            raise SheetError("no_sheets")
        self.shared_path = next((p for kind, p in rels.values() if kind == "sharedStrings"), "")
        self.styles_path = next((p for kind, p in rels.values() if kind == "styles"), "")
        self.epoch = datetime.datetime(1904, 1, 1) if book.date1904 else None
        self._shared: list[str] | None = None
        self._date_styles: frozenset[int] | None = None
        chosen = self.choose(entries, sheet, {name.casefold() for name in ignore})
        reader = _WorksheetReader(self, probe=False)
        self.parse(chosen.path, reader)
        reader.finish()
        return Sheet("xlsx", chosen.name, reader.rows)

    def choose(self, entries: list[_SheetEntry], wanted: str | None, ignore: set[str]) -> _SheetEntry:
        names = [entry.name for entry in entries]
        if wanted is not None:
            entry = next((e for e in entries if e.name == wanted), None) or next(
                (e for e in entries if e.name.casefold() == wanted.casefold()), None
            )
            if entry is None:
                raise SheetError("unknown_sheet", name=wanted[:80], sheets=names)
            if entry.state != "visible":
                raise SheetError("hidden_sheet", name=entry.name)
            if not entry.is_worksheet or not entry.path:
                raise SheetError("not_worksheet", name=entry.name)
            return entry
        candidates = [
            e
            for e in entries
            if e.state == "visible" and e.is_worksheet and e.path and e.name.casefold() not in ignore
        ]
        holding = [e for e in candidates if self.holds_data(e)]
        if len(holding) > 1:
            raise SheetChoiceNeeded("several_sheets", sheets=[e.name for e in holding])
        if not holding:
            raise SheetError("no_data")
        return holding[0]

    def holds_data(self, entry: _SheetEntry) -> bool:
        reader = _WorksheetReader(self, probe=True)
        try:
            self.parse(entry.path, reader)
        except _Stop:
            return True
        return False

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            handler = _SharedStrings(self.limits)
            if self.shared_path:
                self.parse(self.shared_path, handler)
            self._shared = handler.strings
        return self._shared

    def date_styles(self) -> frozenset[int]:
        if self._date_styles is None:
            handler = _Styles()
            if self.styles_path and self.member(self.styles_path) is not None:
                self.parse(self.styles_path, handler)
            self._date_styles = handler.date_styles()
        return self._date_styles


def _feed(parser, chunk: bytes, name: str, *, final: bool = False) -> None:
    try:
        parser.Parse(chunk, final)
    except (_ExpatError, LookupError, ValueError):  # damaged XML, or an encoding Python lacks
        raise SheetError("bad_xml", name=name[:80]) from None


_LOCAL_NAMES: dict[str, str] = {}


def _local(name: str) -> str:
    """An element's name without its namespace ("…/main}c" → "c"), memoised: called per element."""
    local = _LOCAL_NAMES.get(name)
    if local is None:
        local = name.rpartition("}")[2]
        if len(_LOCAL_NAMES) < 1000:
            _LOCAL_NAMES[name] = local
    return local


def _refuse_dtd(*args):
    raise SheetError("xml_dtd")


def _expat_parser(handler):
    import pyexpat

    parser = pyexpat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = 64 * KB
    parser.ordered_attributes = False
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = getattr(handler, "chars", None)
    return parser


def _attr(attrs: dict, local: str, default: str = "") -> str:
    for key, value in attrs.items():
        if _local(key) == local:
            return value
    return default


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true")


class _Relationships:
    def __init__(self, folder: str):
        self.folder = folder
        self.found: dict[str, tuple[str, str]] = {}

    def start(self, name, attrs):
        if _local(name) != "Relationship" or attrs.get("TargetMode", "") == "External":
            return
        target = attrs.get("Target", "")
        if target.startswith("/"):
            path = posixpath.normpath(target.lstrip("/"))
        else:
            path = posixpath.normpath(posixpath.join(self.folder, target))
        kind = attrs.get("Type", "").rstrip("/").rpartition("/")[2]
        if len(self.found) < 10_000:
            self.found[attrs.get("Id", "")] = (kind, path)

    def end(self, name):
        pass


class _WorkbookPart:
    def __init__(self, limits: SheetLimits):
        self.limits = limits
        self.sheets: list[tuple[str, str, str]] = []
        self.date1904 = False

    def start(self, name, attrs):
        local = _local(name)
        if local == "sheet":
            if len(self.sheets) >= self.limits.max_sheets:
                raise SheetError("too_many_sheets", count=len(self.sheets) + 1, max=self.limits.max_sheets)
            self.sheets.append(
                (attrs.get("name", "")[:100], attrs.get("state", "visible") or "visible", _attr(attrs, "id"))
            )
        elif local == "workbookPr":
            self.date1904 = _truthy(attrs.get("date1904", "0"))

    def end(self, name):
        pass


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """OOXML writes characters XML cannot hold as ``_xHHHH_`` (e.g. ``_x000D_`` for a carriage return)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(_unescaped, text)


def _unescaped(match) -> str:
    code = int(match.group(1), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)  # no lone surrogates


class _SharedStrings:
    """The workbook's table of texts; each entry kept to one character over the cell limit."""

    def __init__(self, limits: SheetLimits):
        self.limits = limits
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.length = 0
        self.in_t = False
        self.phonetic = 0

    def start(self, name, attrs):
        local = _local(name)
        if local == "si":
            self.parts = []
            self.length = 0
        elif local == "t" and not self.phonetic:
            self.in_t = True
        elif local == "rPh":
            self.phonetic += 1

    def chars(self, text):
        if self.in_t and self.length <= self.limits.max_cell_chars:
            self.parts.append(text)
            self.length += len(text)

    def end(self, name):
        local = _local(name)
        if local == "t":
            self.in_t = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "si":
            if len(self.strings) >= self.limits.max_cells:
                raise SheetError("too_many_cells", max=self.limits.max_cells)
            text = "".join(self.parts)
            self.strings.append(_unescape(text)[: self.limits.max_cell_chars + 1])


# Built-in number formats that show dates or times (ECMA-376 18.8.30; 27-36 and 50-58 are the
# East Asian date formats Chinese Excel uses without writing them into the file).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?!h+\]|m+\]|s+\])[^\]]*\]')


def is_date_format(code: str) -> bool:
    """Whether an Excel number format shows a date or a time (``yyyy-mm-dd``, ``[$-804]yyyy"年"m"月"``)."""
    section = _FORMAT_NOISE.sub("", code.split(";", 1)[0])
    if section.strip().lower() == "general":
        return False
    return bool(re.search(r"[dmyhs]|[年月日时]", section, re.IGNORECASE))


class _Styles:
    def __init__(self):
        self.formats: dict[int, str] = {}
        self.cell_formats: list[int] = []
        self.in_cell_xfs = False

    def start(self, name, attrs):
        local = _local(name)
        if local == "numFmt":
            try:
                self.formats[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")[:200]
            except ValueError:
                pass
        elif local == "cellXfs":
            self.in_cell_xfs = True
        elif local == "xf" and self.in_cell_xfs:
            if len(self.cell_formats) > 65_000:
                raise SheetError("bad_xml", name="styles")
            try:
                self.cell_formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                self.cell_formats.append(0)

    def end(self, name):
        if _local(name) == "cellXfs":
            self.in_cell_xfs = False

    def date_styles(self) -> frozenset[int]:
        dates = set()
        for index, number in enumerate(self.cell_formats):
            code = self.formats.get(number)
            if (code is not None and is_date_format(code)) or (code is None and number in _DATE_FORMAT_IDS):
                dates.add(index)
        return frozenset(dates)


_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d*)$")
_INTEGER = re.compile(r"-?\d{1,15}$")
EXCEL_EPOCH = datetime.datetime(1899, 12, 30)


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def _excel_datetime(serial: float, epoch: datetime.datetime | None) -> datetime.datetime | None:
    if not 0 <= serial < 2_958_466:  # 9999-12-31
        return None
    if epoch is None:
        epoch = EXCEL_EPOCH
        if serial < 60:  # Lotus' 29 February 1900, which never was
            serial += 1
    moment = epoch + datetime.timedelta(days=serial)
    return moment.replace(microsecond=0) if moment.microsecond < 500_000 else moment


class _WorksheetReader:
    """Rows of one worksheet, counted and bounded as they stream past (or, with ``probe``, whether
    the sheet holds any value at all, stopping at the first one)."""

    def __init__(self, workbook: _Workbook, *, probe: bool):
        self.workbook = workbook
        self.limits = workbook.limits
        self.probe = probe
        self.rows: list[tuple[int, list]] = []
        self.row = 0
        self.row_hidden = False
        self.values: dict[int, object] = {}
        self.hidden_columns: list[tuple[int, int]] = []
        self.hidden_rows_with_data: list[int] = []
        self.hidden_columns_with_data: set[int] = set()
        self.cells = 0
        self.char_count = 0
        self.column = 0
        self.in_cell = False
        self.target = ""  # which text is being collected: v, t (inline string), f
        self.parts: list[str] = []
        self.length = 0
        self.formula = ""
        self.has_formula = False
        self.has_value = False
        self.inline_parts: list[str] | None = None
        self.phonetic = 0
        self.ref: str | None = None
        self.attrs: dict = {}
        self.v: str | None = None

    # expat callbacks ---------------------------------------------------------------------------------
    def start(self, name, attrs):
        local = _LOCAL_NAMES.get(name) or _local(name)
        if local == "c":
            self.cell_start(attrs)
        elif self.in_cell:
            if local == "v":
                self.collect("v")
                self.has_value = True
            elif local == "f":
                self.collect("f")
                self.has_formula = True
                self.formula = ""
            elif local == "rPh":
                self.phonetic += 1
            elif local == "t" and not self.phonetic:
                self.collect("t")
        elif local == "row":
            self.row_start(attrs)
        elif local == "dimension" and not self.probe:
            self.check_dimension(attrs.get("ref", ""))
        elif local == "col":
            self.column_format(attrs)

    def chars(self, text):
        if self.target and self.length <= self.limits.max_cell_chars:
            self.parts.append(text)
            self.length += len(text)

    def end(self, name):
        local = _LOCAL_NAMES.get(name) or _local(name)
        if local == "c":
            if self.has_value or self.has_formula or self.inline_parts:
                self.cell_end()
            else:  # an empty (perhaps formatted) cell: the common case in a formatted sheet
                self.in_cell = False
        elif local in ("v", "f", "t") and self.target == local:
            text = "".join(self.parts)
            if local == "v":
                self.v = text
            elif local == "f":
                self.formula = text[:120]
            else:
                self.inline_parts = [*(self.inline_parts or ()), text]
            self.target = ""
        elif local == "rPh" and self.in_cell:
            self.phonetic -= 1
        elif local == "row":
            self.row_end()

    # Pieces ----------------------------------------------------------------------------------------
    def collect(self, target: str):
        self.target = target
        self.parts = []
        self.length = 0

    def check_dimension(self, ref: str):
        last = ref.rpartition(":")[2]
        match = _CELL_REF.match(last)
        if not match or not match.group(2):
            return
        rows, columns = int(match.group(2)), _column_number(match.group(1))
        if rows > self.limits.max_row_number or columns > self.limits.max_columns:
            raise SheetError(
                "dimension",
                ref=ref[:40],
                rows=rows,
                columns=columns,
                max_rows=self.limits.max_row_number,
                max_columns=self.limits.max_columns,
            )

    def column_format(self, attrs):
        hidden = _truthy(attrs.get("hidden", "0"))
        try:
            hidden = hidden or (attrs.get("width") is not None and float(attrs["width"]) < 0.1)
            first, last = int(attrs.get("min", "0")), int(attrs.get("max", "0"))
        except ValueError:
            return
        if hidden and len(self.hidden_columns) < 10_000:
            self.hidden_columns.append((first, last))

    def row_start(self, attrs):
        number = attrs.get("r")
        try:
            self.row = int(number) if number else self.row + 1
        except ValueError:
            raise SheetError("bad_xml", name="row") from None
        if self.row > self.limits.max_row_number:
            raise SheetError("row_number", last=self.row, max=self.limits.max_row_number)
        hidden = _truthy(attrs.get("hidden", "0"))
        if not hidden and _truthy(attrs.get("customHeight", "0")):
            try:
                hidden = float(attrs.get("ht", "15")) < 1
            except ValueError:
                pass
        self.row_hidden = hidden
        self.values = {}
        self.column = 0
        self.ref = None

    def cell_start(self, attrs):
        # The hot path (a sheet may hold millions of empty formatted cells): only remember the
        # attributes; the column and type are worked out in cell_end, for cells holding a value.
        self.in_cell = True
        ref = attrs.get("r")
        if ref is None:
            self.column = self.current_column() + 1
        self.ref = ref
        self.attrs = attrs
        self.v = None
        self.has_value = self.has_formula = False
        self.inline_parts = None
        self.target = ""

    def current_column(self) -> int:
        """The column of the cell being read (its reference parsed the first time it is needed)."""
        if self.ref is not None:
            match = _CELL_REF.match(self.ref)
            if not match:
                raise SheetError("bad_xml", name=self.ref[:20])
            self.column = _column_number(match.group(1))
            self.ref = None
        return self.column

    def cell_end(self):
        self.in_cell = False
        if not (self.has_value or self.has_formula or self.inline_parts):
            return  # an empty (perhaps formatted) cell
        self.phonetic = 0
        value = self.cell_value()
        if value is None or value == "":
            return
        if self.probe:
            raise _Stop
        row, column, limits = self.row, self.current_column(), self.limits
        if column > limits.max_columns:
            raise SheetError("too_many_columns", row=row, column=column, max=limits.max_columns)
        if isinstance(value, str):
            if len(value) > limits.max_cell_chars:
                raise SheetError("cell_too_long", row=row, column=column, max=limits.max_cell_chars)
            if "\x00" in value:
                raise SheetError("nul", row=row, column=column)
            self.char_count += len(value)
            if self.char_count > limits.max_chars:
                raise SheetError("too_many_chars", max=limits.max_chars)
        self.cells += 1
        if self.cells > limits.max_cells:
            raise SheetError("too_many_cells", max=limits.max_cells)
        if self.row_hidden and row not in self.hidden_rows_with_data[-1:]:
            self.hidden_rows_with_data.append(row)
        if any(first <= column <= last for first, last in self.hidden_columns):
            self.hidden_columns_with_data.add(column)
        self.values[column] = value

    def cell_value(self):
        kind = self.attrs.get("t", "n")
        if self.has_formula and not (self.has_value and self.v):
            raise SheetError(
                "formula_no_value", row=self.row, column=self.current_column(), formula="=" + self.formula
            )
        if kind == "inlineStr":
            return _unescape("".join(self.inline_parts or ()))
        if not self.v:
            return None
        text = self.v
        if kind == "s":
            try:
                return self.workbook.shared_strings()[int(text)]
            except (ValueError, IndexError):
                raise SheetError(
                    "bad_value", row=self.row, column=self.current_column(), value=text[:20]
                ) from None
        if kind in ("str", "e"):
            return _unescape(text)
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            try:
                return datetime.datetime.fromisoformat(text.strip())
            except ValueError:
                raise SheetError(
                    "bad_value", row=self.row, column=self.current_column(), value=text[:20]
                ) from None
        return self.number(text.strip())

    def number(self, text: str):
        row, column = self.row, self.current_column()
        if _INTEGER.match(text):
            number = int(text)
        else:
            try:
                number = float(text)
            except ValueError:
                raise SheetError("bad_value", row=row, column=column, value=text[:20]) from None
            if not math.isfinite(number):
                raise SheetError("not_finite", row=row, column=column, value=text[:20])
        try:
            style = int(self.attrs.get("s", "0"))
        except ValueError:
            style = 0
        if style in self.workbook.date_styles():
            moment = _excel_datetime(number, self.workbook.epoch)
            if moment is not None:
                return moment
        return number

    def row_end(self):
        if not self.values:
            return
        if self.probe:  # pragma: no cover - cell_end stops the probe first
            raise _Stop
        if len(self.rows) > self.limits.max_rows:  # the header and max_rows rows are in already
            raise SheetError("too_many_rows", max=self.limits.max_rows)
        width = max(self.values)
        values = [None] * width
        for column, value in self.values.items():
            values[column - 1] = value
        self.rows.append((self.row, values))

    def finish(self):
        if self.hidden_rows_with_data:
            rows = [str(row) for row in self.hidden_rows_with_data[:10]]
            if len(self.hidden_rows_with_data) > 10:
                rows.append("…")
            raise SheetError("hidden_rows", rows=rows)
        if self.hidden_columns_with_data:
            raise SheetError(
                "hidden_columns",
                columns=[column_letter(c) for c in sorted(self.hidden_columns_with_data)[:10]],
            )
        if not self.rows:
            raise SheetError("no_data")


# --- CSV -----------------------------------------------------------------------------------------------
_TEXT_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise SheetError("encoding") from None
    if b"\x00" in data:
        raise SheetError("nul_file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_TEXT_CONTROL.findall(text[:4096])) > 8:
            raise SheetError("not_sheet")
        return text
    raise SheetError("encoding")


def _read_csv(data: bytes, limits: SheetLimits) -> Sheet:
    text = _decode(data)
    if "\x00" in text:
        raise SheetError("nul_file")
    first_line = re.split(r"\r\n|\r|\n", text[:65536], maxsplit=1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    previous_limit = csv.field_size_limit(limits.max_cell_chars)
    try:
        return Sheet("csv", "", _csv_rows(text, delimiter, limits))
    finally:
        csv.field_size_limit(previous_limit)


def _csv_rows(text: str, delimiter: str, limits: SheetLimits) -> list[tuple[int, list]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list]] = []
    number = cells = chars = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise _csv_error(str(error), number + 1, limits) from None
        number += 1
        if number > limits.max_row_number:
            raise SheetError("row_number", last=number, max=limits.max_row_number)
        while fields and not fields[-1].strip():
            fields.pop()
        if not fields:
            continue
        if len(fields) > limits.max_columns:
            raise SheetError("too_many_columns", row=number, column=len(fields), max=limits.max_columns)
        values = []
        for value in fields:
            if value.strip():
                cells += 1
                chars += len(value)
                values.append(value)
            else:
                values.append(None)
        if cells > limits.max_cells:
            raise SheetError("too_many_cells", max=limits.max_cells)
        if chars > limits.max_chars:
            raise SheetError("too_many_chars", max=limits.max_chars)
        if len(rows) > limits.max_rows:
            raise SheetError("too_many_rows", max=limits.max_rows)
        rows.append((number, values))
    if not rows:
        raise SheetError("no_data")
    return rows


def _csv_error(detail: str, row: int, limits: SheetLimits) -> SheetError:
    if "field limit" in detail:
        return SheetError("csv_field_too_long", row=row, max=limits.max_cell_chars)
    if "unexpected end of data" in detail:
        return SheetError("unclosed_quote", row=row)
    if "expected after" in detail:
        return SheetError("bad_quote", row=row)
    return SheetError("csv_error", row=row, detail=detail[:80])


# --- In a child process, within a memory and a time limit ---------------------------------------------
def sheet_read_bounded(
    data: bytes,
    *,
    limits: SheetLimits = SheetLimits(),
    sheet: str | None = None,
    ignore_sheets: Collection[str] = (),
    memory_bytes: int = 512 * MB,
    seconds: float = 60,
) -> Sheet:
    """``sheet_read`` in a fresh Python process whose address space is capped at ``memory_bytes``
    (``RLIMIT_AS``) and whose run is stopped after ``seconds``: whatever the file holds, the caller's
    process neither grows nor hangs, and gets a ``SheetError`` saying which bound was hit.

    The child imports only this module; its answer comes back pickled (rows of plain values), read
    with an unpickler that admits nothing but ``datetime`` and this module's classes.
    """
    if len(data) > limits.max_bytes:  # never even hand it over
        raise SheetError("too_big", max=limits.max_bytes)
    request = pickle.dumps(
        {"data": data, "limits": asdict(limits), "sheet": sheet, "ignore_sheets": list(ignore_sheets)}
    )
    command = [sys.executable, "-m", "core.sheets", str(int(memory_bytes)), str(math.ceil(seconds) + 1)]
    env = {key: value for key, value in os.environ.items() if key in _CHILD_ENVIRONMENT}
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
            command, input=request, capture_output=True, timeout=seconds, cwd=ROOT, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise SheetError("too_slow", seconds=int(seconds)) from None
    try:
        answer = _SafeUnpickler(io.BytesIO(done.stdout)).load()
    except Exception:
        answer = None
    if not isinstance(answer, dict):
        if done.returncode in (-9, -24, 137, 152):  # SIGKILL, SIGXCPU: the CPU limit
            raise SheetError("too_slow", seconds=int(seconds))
        if b"MemoryError" in done.stderr:
            raise SheetError("too_much_memory", max=memory_bytes)
        logging.getLogger(__name__).error(
            "sheet reader child failed (%s): %s",
            done.returncode,
            done.stderr[-2000:].decode("utf-8", "replace"),
        )
        raise SheetError("unreadable")
    if answer["error"] is not None:
        answer["error"].peak_memory_kb = answer["peak_memory_kb"]
        raise answer["error"]
    result = answer["sheet"]
    result.peak_memory_kb = answer["peak_memory_kb"]
    return result


_CHILD_ENVIRONMENT = {"PATH", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONPATH", "PYTHONHASHSEED", "TMPDIR", "HOME"}


def peak_memory_kb() -> int:
    """This process's peak resident memory (VmHWM: unlike ``ru_maxrss`` it starts afresh at exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:  # pragma: no cover - not Linux
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class _SafeUnpickler(pickle.Unpickler):
    ALLOWED = {
        ("datetime", "datetime"),
        ("core.sheets", "Sheet"),
        ("core.sheets", "_error_restore"),
    }

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not admitted")


def _child_main(argv: list[str]) -> None:  # pragma: no cover - runs in the child process
    import resource

    memory, seconds = int(argv[0]), int(argv[1])
    for limit, value in (
        (resource.RLIMIT_AS, (memory, memory)),
        (resource.RLIMIT_CPU, (seconds, seconds + 1)),
    ):
        try:
            resource.setrlimit(limit, value)
        except (ValueError, OSError):  # e.g. macOS refuses RLIMIT_AS: the wall-clock timeout still holds
            pass
    request = pickle.load(sys.stdin.buffer)  # noqa: S301 - written by sheet_read_bounded, our parent
    answer = {"sheet": None, "error": None}
    try:
        answer["sheet"] = sheet_read(
            request["data"],
            limits=SheetLimits(**request["limits"]),
            sheet=request["sheet"],
            ignore_sheets=request["ignore_sheets"],
        )
    except SheetError as error:
        answer["error"] = error
    except MemoryError:
        answer = {"sheet": None, "error": SheetError("too_much_memory", max=memory)}
    except RecursionError:
        answer["error"] = SheetError("unreadable")
    answer["peak_memory_kb"] = peak_memory_kb()
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()


if __name__ == "__main__":  # pragma: no cover
    # Run as core.sheets, not __main__, so what goes back pickled names core.sheets' classes.
    from core.sheets import _child_main as child_main

    child_main(sys.argv[1:])


# --- Writing sheets ----------------------------------------------------------------------------------
#: A cell starting with one of these is read as a formula by spreadsheet programs (CSV/DDE injection),
#: full-width forms included (some spreadsheet programs fold them to ASCII); so is one starting with
#: white space (tab, CR, space, the ideographic space), which they may strip before reading a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def defuse(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay.

    Every sheet the platform writes with text someone else typed (product and supplier names, lot
    codes, PO numbers, notes) puts each cell through this."""
    if isinstance(value, str) and value and (value.startswith(FORMULA_PREFIXES) or value[0].isspace()):
        return "'" + value
    return value
