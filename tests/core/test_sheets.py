"""The bounded sheet reader (core/sheets.py): every kind of hostile or malformed file gets a clear
SheetError naming the problem (row and column where there is one), within the memory and time
bounds, and never another exception or a partial read."""

import codecs
import datetime
import io
import random
import time
import zipfile

import pytest
from django.utils import translation

from core.sheets import (
    MB,
    SheetChoiceNeeded,
    SheetError,
    SheetLimits,
    is_date_format,
    sheet_read,
    sheet_read_bounded,
)
from tests.core import sheet_files as files

#: Limits with the zip's declared-size checks opened wide: the bomb is then really unpacked and
#: streamed, which is what the memory bound must survive.
WIDE = SheetLimits(max_ratio=10**9, max_member_bytes=2048 * MB, max_total_bytes=4096 * MB)


def _error(data, **kwargs) -> SheetError:
    with pytest.raises(SheetError) as caught:
        sheet_read(data, **kwargs)
    return caught.value


# --- What a good file gives -----------------------------------------------------------------------------
def test_an_xlsx_gives_its_non_empty_rows_with_their_sheet_row_numbers_and_typed_values():
    data = files.xlsx(rows=[["产品", "数量", "好"], [], ["茶", 120, True], ["", 2.5, None]])

    sheet = sheet_read(data)

    assert (sheet.kind, sheet.name) == ("xlsx", "Sheet1")
    assert sheet.rows == [(1, ["产品", "数量", "好"]), (3, ["茶", 120, True]), (4, [None, 2.5])]


def test_xlsx_dates_are_read_from_built_in_custom_and_chinese_formats_and_the_1904_calendar():
    styles = files.styles_xml([0, 14, 164, 31, 165], custom={164: "yyyy/mm/dd", 165: '0.00"kg"'})
    body = (
        '<row r="1"><c r="A1" s="1"><v>46082</v></c><c r="B1" s="2"><v>46082</v></c>'
        '<c r="C1" s="3"><v>46082.5</v></c><c r="D1" s="4"><v>46082</v></c><c r="E1"><v>46082</v></c></row>'
    )
    data = files.xlsx([("S", files.worksheet(body))], styles=styles)
    data_1904 = files.xlsx(
        [("S", files.worksheet('<row r="1"><c r="A1" s="1"><v>0</v></c></row>'))],
        styles=styles,
        date1904=True,
    )

    (row,) = sheet_read(data).rows

    march = datetime.datetime(2026, 3, 1)
    assert row[1] == [march, march, march + datetime.timedelta(hours=12), 46082, 46082]
    assert sheet_read(data_1904).rows[0][1] == [datetime.datetime(1904, 1, 1)]


@pytest.mark.parametrize(
    ("code", "is_date"),
    [
        ("yyyy-mm-dd", True),
        ('[$-804]yyyy"年"m"月"d"日"', True),
        ("h:mm", True),
        ("[h]:mm", True),
        ("0.00", False),
        ('#,##0"元"', False),
        ("[Red]0.0", False),
        ("General", False),
        ('0"d"', False),
    ],
)
def test_a_number_format_is_a_date_format_only_when_it_shows_a_date_or_a_time(code, is_date):
    assert is_date_format(code) is is_date


def test_shared_strings_rich_text_and_escapes_are_read_as_excel_shows_them():
    strings = (
        f'<?xml version="1.0"?><sst xmlns="{files.MAIN}"><si><t>竹溪</t></si>'
        "<si><r><t>贡</t></r><r><rPr><b/></rPr><t>茶</t></r><rPh><t>gòng</t></rPh></si>"
        "<si><t>第一行_x000D_第二行</t></si></sst>"
    ).encode()
    body = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c></row>'
    )

    sheet = sheet_read(files.xlsx([("S", files.worksheet(body))], shared_strings=strings))

    assert sheet.rows == [(1, ["竹溪", "贡茶", "第一行\r第二行"])]


def test_a_formula_is_read_as_its_saved_result_and_one_without_a_result_is_refused_naming_its_cell():
    saved = (
        '<row r="1"><c r="A1"><f>SUM(B1:B2)</f><v>12</v></c>'
        '<c r="B1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row>'
    )
    unsaved = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="C2"><f>A1*2</f></c></row>'

    assert sheet_read(files.xlsx([("S", files.worksheet(saved))])).rows == [(1, [12, "ab"])]
    error = _error(files.xlsx([("S", files.worksheet(unsaved))]))
    assert (error.code, error.row, error.column_name) == ("formula_no_value", 2, "C")
    assert "=A1*2" in str(error)


# --- Told apart by content -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "xls"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not_sheet"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not_sheet"),
        (b"PK\x03\x04 not really a zip", "bad_zip"),
        (b"PK\x05\x06" + b"\x00" * 18, "bad_zip"),
    ],
)
def test_files_that_are_not_sheets_are_named_for_what_they_are(data, code):
    assert _error(data).code == code


def test_an_opendocument_or_binary_workbook_is_refused_with_what_to_save_instead():
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    xlsb = io.BytesIO()
    with zipfile.ZipFile(xlsb, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\x00")

    assert _error(ods.getvalue()).code == "ods"
    assert _error(xlsb.getvalue()).code == "xlsb"


def test_a_file_over_the_size_limit_is_refused_before_anything_is_read():
    error = _error(b"a,b\n" * 100, limits=SheetLimits(max_bytes=100))

    assert error.code == "too_big" and "KB" in str(error)


# --- Zip bombs -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "build",
    [
        files.bomb_whitespace,
        files.bomb_cells,
        files.bomb_rows,
        files.bomb_shared_string,
        files.bomb_unread_member,
    ],
)
def test_a_zip_bomb_is_refused_from_its_declared_sizes_before_it_is_unpacked(build):
    data = build(100 * MB)
    assert len(data) < 600 * 1024  # a small upload …

    started = time.monotonic()
    error = _error(data)

    assert error.code in ("zip_member_size", "zip_ratio", "zip_total_size")
    assert time.monotonic() - started < 2  # … answered at once


def test_a_tightly_packed_part_under_the_size_limits_is_refused_for_its_ratio():
    data = files.bomb_whitespace(20 * MB)

    error = _error(data)

    assert error.code == "zip_ratio" and "sheet1.xml" in str(error)


def test_sizes_that_lie_are_caught_while_unpacking():
    honest = files.xlsx(rows=[["header"]] + [[n] for n in range(20_000)])
    lying = files.with_lying_sizes(honest, "xl/worksheets/sheet1.xml", 1000)

    assert _error(lying).code == "bad_zip"


def test_the_bytes_actually_unpacked_are_capped_whatever_was_declared():
    data = files.bomb_whitespace(30 * MB)
    limits = SheetLimits(max_ratio=10**9, max_member_bytes=64 * MB, max_total_bytes=20 * MB)

    assert _error(data, limits=limits).code == "zip_total_size"


@pytest.mark.parametrize(
    "build", [files.bomb_whitespace, files.bomb_cells, files.bomb_rows, files.bomb_shared_string]
)
def test_a_zip_bomb_really_unpacked_is_read_within_the_memory_bound(build):
    """With the declared-size checks opened wide, 300 MB of XML streams through the child process
    and gets an answer, the child's peak memory far under 512 MB."""
    data = build(300 * MB)

    try:
        sheet = sheet_read_bounded(data, limits=WIDE, memory_bytes=512 * MB, seconds=60)
    except SheetError as error:
        assert error.code in ("too_many_columns", "too_many_rows", "cell_too_long"), error.code
        assert error.peak_memory_kb < 150 * 1024
    else:
        assert sheet.rows[-1] == (2, [7]) and sheet.peak_memory_kb < 150 * 1024


def test_xml_with_a_document_type_declaration_is_refused_before_any_entity_is_expanded():
    assert _error(files.billion_laughs()).code == "xml_dtd"


# --- Dimensions, row numbers, counts --------------------------------------------------------------------
def test_a_sheet_claiming_a_huge_used_range_is_refused_naming_it():
    data = files.xlsx([("S", files.worksheet(files.rows_xml([["a"]]), dimension="A1:XFD1048576"))])

    error = _error(data)

    assert error.code == "dimension" and "A1:XFD1048576" in str(error) and "1,048,576" in str(error)


def test_millions_of_empty_rows_are_refused_quickly_at_the_row_limit():
    data = files.empty_rows(1_048_576)

    started = time.monotonic()
    error = _error(data)

    assert error.code == "row_number" and "100,001" in str(error)
    assert time.monotonic() - started < 5


def test_a_value_far_below_the_data_is_refused_without_walking_the_gap():
    started = time.monotonic()
    error = _error(files.gap_to_last_row(1_048_576))

    assert error.code == "row_number" and "1,048,576" in str(error)
    assert time.monotonic() - started < 1


def test_empty_formatted_rows_within_the_limit_cost_nothing_and_are_left_out():
    data = files.empty_rows(60_000, every=3)

    sheet = sheet_read(data)

    assert sheet.rows == [(1, ["header"]), (60_000, [1])]


def test_rows_past_the_limit_are_refused_at_the_first_one_over():
    limits = SheetLimits(max_rows=100)

    xlsx_error = _error(files.xlsx(rows=[["h"]] + [[n] for n in range(101)]), limits=limits)
    csv_error = _error(("h\n" + "1\n" * 101).encode(), limits=limits)

    assert xlsx_error.code == csv_error.code == "too_many_rows"
    assert len(sheet_read(("h\n" + "1\n" * 100).encode(), limits=limits).rows) == 101


def test_a_value_past_the_column_limit_is_refused_naming_its_cell_but_empty_cells_there_are_not():
    limits = SheetLimits(max_columns=5)
    styled_empty = '<row r="1"><c r="A1"><v>1</v></c><c r="Z1" s="3"/></row>'

    error = _error(files.xlsx(rows=[["h"], [1, 2, 3, 4, 5, 6]]), limits=limits)

    assert (error.code, error.row, error.column_name) == ("too_many_columns", 2, "F")
    assert sheet_read(files.xlsx([("S", files.worksheet(styled_empty))]), limits=limits).rows == [(1, [1])]


def test_cells_and_characters_are_counted_across_the_sheet():
    rows = [["h"]] + [["x" * 10] * 5 for _ in range(30)]

    assert _error(files.xlsx(rows=rows), limits=SheetLimits(max_cells=100)).code == "too_many_cells"
    assert _error(files.xlsx(rows=rows), limits=SheetLimits(max_chars=1000)).code == "too_many_chars"


@pytest.mark.parametrize("kind", ["inline", "shared", "csv"])
def test_a_cell_over_the_field_limit_is_refused_naming_its_row_and_column(kind):
    long = "长" * 5001
    if kind == "inline":
        data = files.xlsx(rows=[["h", "notes"], ["a", long]])
    elif kind == "shared":
        body = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2" t="s"><v>0</v></c></row>'
        data = files.xlsx([("S", files.worksheet(body))], shared_strings=files.shared_strings_xml([long]))
    else:
        data = f"h,notes\na,{long}\n".encode()

    error = _error(data)

    assert error.row == 2 and error.code in ("cell_too_long", "csv_field_too_long")
    assert error.column_name == ("B" if kind != "csv" else "")


# --- Several sheets, hidden things ---------------------------------------------------------------------
def _two_sheets(**kwargs):
    return files.xlsx(
        [
            ("批次", files.worksheet(files.rows_xml([["h"], ["批次的"]]))),
            ("Sheet2", files.worksheet(files.rows_xml([["h"], ["第二张"]]))),
            ("Sheet3", files.worksheet("")),
        ],
        **kwargs,
    )


def test_a_workbook_with_several_sheets_holding_data_asks_which_one_naming_them():
    with pytest.raises(SheetChoiceNeeded) as caught:
        sheet_read(_two_sheets())

    assert caught.value.sheets == ["批次", "Sheet2"]  # the empty Sheet3 is not offered
    assert "“批次”" in str(caught.value) and "“Sheet2”" in str(caught.value)


def test_the_chosen_sheet_is_read_and_ignored_sheets_are_never_offered():
    assert sheet_read(_two_sheets(), sheet="Sheet2").rows[1] == (2, ["第二张"])
    assert sheet_read(_two_sheets(), ignore_sheets=["SHEET2"]).name == "批次"


def test_a_hidden_sheet_is_never_read_unless_shown_first():
    data = _two_sheets(states={"Sheet2": "hidden"})

    assert sheet_read(data).name == "批次"
    assert _error(data, sheet="Sheet2").code == "hidden_sheet"
    assert _error(data, sheet="不存在").code == "unknown_sheet"


def test_hidden_rows_holding_data_are_refused_naming_them_and_empty_hidden_rows_are_not():
    body = (
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="2" hidden="1"><c r="A2"><v>2</v></c></row>'
        '<row r="3" customHeight="1" ht="0"><c r="A3"><v>3</v></c></row><row r="4" hidden="1"/>'
        '<row r="5"><c r="A5"><v>5</v></c></row>'
    )
    quiet = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2" hidden="1"><c r="B2" s="1"/></row>'

    error = _error(files.xlsx([("S", files.worksheet(body))]))

    assert error.code == "hidden_rows" and "2、3" in str(error)
    assert sheet_read(files.xlsx([("S", files.worksheet(quiet))])).rows == [(1, [1])]


def test_hidden_columns_holding_data_are_refused_naming_them():
    body = files.rows_xml([["a", "b", "c"], [1, 2, 3]])
    data = files.xlsx([("S", files.worksheet(body, cols='<col min="2" max="2" hidden="1" width="9"/>'))])
    narrow = files.xlsx([("S", files.worksheet(body, cols='<col min="3" max="3" width="0"/>'))])

    assert (_error(data).code, _error(data).params["columns"]) == ("hidden_columns", ["B"])
    assert _error(narrow).params["columns"] == ["C"]


# --- Odd values -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["NaN", "INF", "-inf", "1e309", "Infinity"])
def test_a_number_cell_holding_nan_or_infinity_is_refused_naming_its_cell(value):
    body = f'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="D2"><v>{value}</v></c></row>'

    error = _error(files.xlsx([("S", files.worksheet(body))]))

    assert (error.code, error.row, error.column_name) == ("not_finite", 2, "D")


@pytest.mark.parametrize(
    "cell",
    ['<c r="B2"><v>twelve</v></c>', '<c r="B2" t="s"><v>99</v></c>', '<c r="B2" t="d"><v>2026-13-45</v></c>'],
)
def test_a_damaged_cell_is_refused_naming_it(cell):
    error = _error(
        files.xlsx(
            [("S", files.worksheet(f'<row r="1"><c r="A1"><v>1</v></c></row><row r="2">{cell}</row>'))]
        )
    )

    assert (error.code, error.row, error.column_name) == ("bad_value", 2, "B")


def test_a_nul_character_in_a_cell_is_refused_naming_it():
    body = '<row r="1"><c r="A1" t="inlineStr"><is><t>a_x0000_b</t></is></c></row>'

    error = _error(files.xlsx([("S", files.worksheet(body))]))

    assert (error.code, error.row, error.column_name) == ("nul", 1, "A")


def test_damaged_xml_is_refused_naming_the_part():
    data = files.xlsx([("S", b"<worksheet><sheetData><row r='1'><c r='A1'><v>1</v></row>")])

    error = _error(data)

    assert error.code == "bad_xml" and "sheet1.xml" in str(error)


# --- CSV ---------------------------------------------------------------------------------------------------
ROWS = [["产品", "数量"], ["竹溪贡茶", "5"], ["房县香菇", "7"]]


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: text.encode("utf-8-sig"),
        lambda text: text.encode("gb18030"),
        lambda text: text.encode("gbk"),
        lambda text: codecs.BOM_UTF16_LE + text.replace(",", "\t").encode("utf-16-le"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gb18030", "gbk", "utf-16 tab-separated (Excel's Unicode text)"],
)
@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr only (Excel for Mac)"])
def test_a_csv_is_read_in_every_encoding_and_line_ending_excel_writes(encode, newline):
    sheet = sheet_read(encode(files.csv_text(ROWS, newline=newline)))

    assert sheet.kind == "csv" and sheet.rows == [(1, ROWS[0]), (2, ROWS[1]), (3, ROWS[2])]


def test_a_csv_keeps_sheet_row_numbers_across_blank_lines_and_quoted_line_breaks():
    data = b'h,notes\n\na,"two\nlines"\n,,,\nb,x\n'

    assert sheet_read(data).rows == [(1, ["h", "notes"]), (3, ["a", "two\nlines"]), (5, ["b", "x"])]


def test_an_unclosed_quote_is_refused_naming_the_row_where_it_opens():
    data = b'h,notes\na,fine\nb,"never closed\nc,d\ne,f\n'

    error = _error(data)

    assert (error.code, error.row) == ("unclosed_quote", 3)


def test_text_after_a_closing_quote_is_refused_naming_the_row():
    assert (_error(b'h,n\na,"x"y\n').code, _error(b'h,n\na,"x"y\n').row) == ("bad_quote", 2)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"h,n\na,b\x00c\n", "nul_file"),
        (b"h,n\n" + b"\x80" * 50, "encoding"),
        (bytes(range(1, 32)) * 20, "not_sheet"),
        (b"\n\n\n", "no_data"),
    ],
)
def test_a_csv_that_is_not_text_is_refused_with_a_reason(data, code):
    assert _error(data).code == code


def test_a_csv_with_millions_of_blank_lines_is_refused_at_the_row_limit():
    started = time.monotonic()
    error = _error(b"h\n" + b"\n" * 5_000_000)

    assert error.code == "row_number" and time.monotonic() - started < 5


# --- Every answer is a SheetError, in the user's language ---------------------------------------------
def test_errors_are_worded_in_the_users_language_with_row_and_column():
    body = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="D2"><v>NaN</v></c></row>'
    error = _error(files.xlsx([("S", files.worksheet(body))]))

    with translation.override("zh-hans"):
        chinese = str(error)
    with translation.override("en"):
        english = str(error)

    assert english.startswith("Row 2, column D:") and "NaN" in english
    assert chinese.startswith("第 2 行，D 列：") and "NaN" in chinese and "number" not in chinese


def _damaged(chance: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _damage in range(chance.randint(1, 8)):
        if not data:
            break
        kind = chance.random()
        position = chance.randrange(len(data))
        if kind < 0.5:
            data[position] = chance.randrange(256)
        elif kind < 0.7:
            del data[position : position + chance.randint(1, 200)]
        elif kind < 0.85:
            data[position:position] = data[position : position + chance.randint(1, 200)]
        else:
            data = data[:position]
    return bytes(data)


def _answered(data: bytes, case) -> None:
    try:
        sheet_read(data)
    except SheetError as error:
        assert str(error) and error.code != "unreadable", case  # "unreadable": nothing foresaw it
    except Exception as error:  # pragma: no cover - the test fails here
        pytest.fail(f"case {case}: {type(error).__name__}: {error}")


def test_random_damage_to_good_files_is_always_answered_with_a_sheet_or_a_sheet_error():
    """Property: whatever bytes are flipped, cut or repeated, in the file or inside the workbook's
    XML parts, the reader returns rows or raises SheetError, never another exception (a 500)."""
    good = [
        files.xlsx(rows=[["产品", "数量", "日期"]] + [["茶", n, 46000 + n] for n in range(40)]),
        files.csv_text([["产品", "数量"]] + [["茶", str(n)] for n in range(40)]).encode("gb18030"),
        _two_sheets(),
    ]
    body = files.rows_xml([["产品", "数量", "日期"]] + [["茶", n, 46000 + n] for n in range(20)])
    sheet_xml = files.worksheet(body, dimension="A1:C21", cols='<col min="1" max="1" width="9"/>')
    strings = files.shared_strings_xml(["竹溪", "贡茶"])
    styles = files.styles_xml([0, 14, 164], custom={164: "yyyy-mm-dd"})
    chance = random.Random(20260315)
    for case in range(300):
        _answered(_damaged(chance, chance.choice(good)), case)
    for case in range(600):
        part = chance.randrange(3)
        data = files.xlsx(
            [("S", _damaged(chance, sheet_xml) if part == 0 else sheet_xml)],
            shared_strings=_damaged(chance, strings) if part == 1 else strings,
            styles=_damaged(chance, styles) if part == 2 else styles,
        )
        _answered(data, f"xml {case}")


# --- In a child process: the same answers, within memory and time -------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        files.xlsx(rows=[["h"], [1], ["x"]]),
        b"h,n\r1,2\r",
        files.billion_laughs(),
        b'h\n"open\n',
    ],
    ids=["xlsx", "csv", "dtd", "unclosed quote"],
)
def test_the_bounded_read_gives_the_same_answers_as_the_direct_one(data):
    try:
        direct = sheet_read(data)
    except SheetError as error:
        direct = (error.code, error.row, error.column, error.params)
    try:
        bounded = sheet_read_bounded(data)
        bounded.peak_memory_kb = 0
    except SheetError as error:
        bounded = (error.code, error.row, error.column, error.params)

    assert bounded == direct


def test_a_choice_of_sheets_comes_back_from_the_child_as_such():
    with pytest.raises(SheetChoiceNeeded) as caught:
        sheet_read_bounded(_two_sheets())

    assert caught.value.sheets == ["批次", "Sheet2"]


def test_a_read_needing_more_memory_than_allowed_is_stopped_with_a_message():
    data = files.xlsx(rows=[["h"] * 30] + [[f"cell {n} {c}" for c in range(30)] for n in range(5000)])
    small = files.xlsx(rows=[["h"], [1]])

    with pytest.raises(SheetError) as caught:
        sheet_read_bounded(data, memory_bytes=40 * MB)

    assert caught.value.code == "too_much_memory" and "40 MB" in str(caught.value)
    assert sheet_read_bounded(small, memory_bytes=40 * MB).rows == [(1, ["h"]), (2, [1])]


def test_a_read_taking_longer_than_allowed_is_stopped_with_a_message():
    with pytest.raises(SheetError) as caught:
        sheet_read_bounded(files.xlsx(rows=[["h"], [1]]), seconds=0.01)

    assert caught.value.code == "too_slow"


def test_sheets_we_write_defuse_text_that_a_spreadsheet_would_run():
    from core.sheets import defuse

    assert [defuse(v) for v in ["=1+1", "＋1", " @x", "房县香菇", 12, None]] == [
        "'=1+1",
        "'＋1",
        "' @x",
        "房县香菇",
        12,
        None,
    ]
