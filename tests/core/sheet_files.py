"""Hand-built XLSX and CSV files, good and hostile, for the sheet reader's tests and bench/.

The XLSX packages are written part by part (not through openpyxl), so a test controls every byte
a hostile file could hold: row numbers, <dimension>, hidden flags, DTDs, sizes that lie.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
MB = 1024 * 1024


def column_letter(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_xml(row: int, column: int, value) -> str:
    ref = f"{column_letter(column)}{row}"
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def rows_xml(rows: Iterable[Iterable], start: int = 1) -> str:
    out = []
    for number, values in enumerate(rows, start=start):
        cells = "".join(cell_xml(number, column, value) for column, value in enumerate(values, start=1))
        out.append(f'<row r="{number}">{cells}</row>')
    return "".join(out)


def worksheet(body: str, *, dimension: str = "", cols: str = "", before: str = "") -> bytes:
    """A worksheet part around ``body`` (the inside of <sheetData>)."""
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    cols = f"<cols>{cols}</cols>" if cols else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{before}'
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">{head}{cols}<sheetData>{body}</sheetData></worksheet>'
    ).encode()


def xlsx(
    sheets: list[tuple[str, bytes | Iterable[bytes]]] | None = None,
    *,
    rows: Iterable[Iterable] | None = None,
    states: dict[str, str] | None = None,
    shared_strings: bytes | Iterable[bytes] | None = None,
    styles: bytes | None = None,
    date1904: bool = False,
    extra: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A minimal workbook. ``sheets``: (name, worksheet XML, or an iterable of its chunks, so a huge
    part is never held in memory); or ``rows`` for one sheet named "Sheet1"."""
    if sheets is None:
        sheets = [("Sheet1", worksheet(rows_xml(rows or [])))]
    states = states or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_REL}"><Relationship '
            f'Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheet_elements = "".join(
            f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"'
            + (f' state="{states[name]}"' if name in states else "")
            + "/>"
            for n, (name, _part) in enumerate(sheets, start=1)
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            f'<workbookPr date1904="{int(date1904)}"/><sheets>{sheet_elements}</sheets></workbook>',
        )
        relationships = [
            f'<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(sheets) + 1)
        ]
        if shared_strings is not None:
            relationships.append(
                f'<Relationship Id="rSS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            )
        if styles is not None:
            relationships.append(f'<Relationship Id="rST" Type="{REL}/styles" Target="styles.xml"/>')
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_REL}">'
            + "".join(relationships)
            + "</Relationships>",
        )
        for n, (_name, part) in enumerate(sheets, start=1):
            _write(archive, f"xl/worksheets/sheet{n}.xml", part)
        if shared_strings is not None:
            _write(archive, "xl/sharedStrings.xml", shared_strings)
        if styles is not None:
            archive.writestr("xl/styles.xml", styles)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _write(archive: zipfile.ZipFile, name: str, part) -> None:
    if isinstance(part, bytes):
        archive.writestr(name, part)
        return
    with archive.open(name, "w", force_zip64=True) as stream:
        for chunk in part:
            stream.write(chunk)


def styles_xml(formats: list[int], custom: dict[int, str] | None = None) -> bytes:
    """cellXfs with the given numFmtIds (style index = position), and custom format codes."""
    num_fmts = "".join(
        f'<numFmt numFmtId="{number}" formatCode="{escape(code, {chr(34): "&quot;"})}"/>'
        for number, code in (custom or {}).items()
    )
    xfs = "".join(f'<xf numFmtId="{number}"/>' for number in formats)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><numFmts>{num_fmts}</numFmts>'
        f"<cellXfs>{xfs}</cellXfs></styleSheet>"
    ).encode()


def shared_strings_xml(items: list[str]) -> bytes:
    body = "".join(f"<si><t>{escape(item)}</t></si>" for item in items)
    return f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{body}</sst>'.encode()


# --- Hostile workbooks -----------------------------------------------------------------------------------
def _repeat(head: bytes, unit: bytes, size: int, tail: bytes) -> Iterable[bytes]:
    yield head
    block = unit * max(1, (1 * MB) // len(unit))
    written = 0
    while written < size:
        yield block
        written += len(block)
    yield tail


def _sheet_head(dimension: str = "") -> bytes:
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:r="{REL}">{head}<sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>header</t></is></c></row>'
    ).encode()


_SHEET_TAIL = b"</sheetData></worksheet>"


def bomb_whitespace(unpacked: int = 200 * MB, *, data_after: bool = True) -> bytes:
    """A sheet padded with ``unpacked`` bytes of blanks between two rows: packs ~1000 to 1."""
    tail = (b'<row r="2"><c r="A2"><v>7</v></c></row>' if data_after else b"") + _SHEET_TAIL
    return xlsx([("Sheet1", _repeat(_sheet_head(), b" ", unpacked, tail))])


def bomb_cells(unpacked: int = 200 * MB) -> bytes:
    """One row of cells without references (each one column further), repeated: what made an
    all-at-once reader build millions of cells."""
    head = _sheet_head() + b'<row r="2">'
    return xlsx([("Sheet1", _repeat(head, b"<c><v>1</v></c>", unpacked, b"</row>" + _SHEET_TAIL))])


def bomb_rows(unpacked: int = 200 * MB) -> bytes:
    """Rows without numbers, each one further down, each holding a value."""
    return xlsx([("Sheet1", _repeat(_sheet_head(), b"<row><c><v>1</v></c></row>", unpacked, _SHEET_TAIL))])


def bomb_shared_string(unpacked: int = 200 * MB) -> bytes:
    """One shared string of ``unpacked`` letters, used by one cell."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"><si><t>'.encode()
    sheet = worksheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    return xlsx([("Sheet1", sheet)], shared_strings=_repeat(head, b"A", unpacked, b"</t></si></sst>"))


def bomb_unread_member(unpacked: int = 200 * MB) -> bytes:
    """A harmless sheet beside a huge part the reader never needs (a "picture")."""
    buffer = io.BytesIO(xlsx(rows=[["header"], [1]]))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        _write(archive, "xl/media/image1.png", _repeat(b"", b"\x00", unpacked, b""))
    return buffer.getvalue()


def empty_rows(last_row: int = 1_048_576, *, dimension: str = "", every: int = 1) -> bytes:
    """A header, then explicit empty rows (a styled cell each) down to ``last_row``, then a value."""

    def chunks():
        yield _sheet_head(dimension)
        batch = []
        for number in range(2, last_row, every):
            batch.append(f'<row r="{number}"><c r="B{number}" s="0"/></row>')
            if len(batch) == 5000:
                yield "".join(batch).encode()
                batch = []
        yield "".join(batch).encode()
        yield f'<row r="{last_row}"><c r="A{last_row}"><v>1</v></c></row>'.encode() + _SHEET_TAIL

    return xlsx([("Sheet1", chunks())])


def gap_to_last_row(last_row: int = 1_048_576) -> bytes:
    """A header and a single value far below it: nothing in between, not even empty rows."""
    return xlsx(
        [
            (
                "Sheet1",
                worksheet(
                    rows_xml([["header"]]) + f'<row r="{last_row}"><c r="A{last_row}"><v>1</v></c></row>'
                ),
            )
        ]
    )


def billion_laughs() -> bytes:
    dtd = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    sheet = (
        f'<?xml version="1.0"?>{dtd}<worksheet xmlns="{MAIN}"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
    ).encode()
    return xlsx([("Sheet1", sheet)])


def with_lying_sizes(data: bytes, member: str, declared: int) -> bytes:
    """``data`` with ``member``'s uncompressed size rewritten to ``declared`` in both its local
    header and the central directory (the CRC still describes the real content)."""
    raw = bytearray(data)
    name = member.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        position = 0
        while (position := raw.find(signature, position)) != -1:
            name_offset = 30 if signature == b"PK\x03\x04" else 46
            length = struct.unpack_from("<H", raw, position + (26 if signature == b"PK\x03\x04" else 28))[0]
            if bytes(raw[position + name_offset : position + name_offset + length]) == name:
                struct.pack_into("<I", raw, position + offset, declared)
            position += 4
    return bytes(raw)


# --- CSV ---------------------------------------------------------------------------------------------------
def csv_text(rows: list[list[str]], *, delimiter: str = ",", newline: str = "\r\n") -> str:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue()
