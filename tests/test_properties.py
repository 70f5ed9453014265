"""Property-based tests (hypothesis): no input makes the deadline parser, the unit splitter or
the file reader raise anything but the project's own clear error (DeadlineError, ReadError),
and text that reads back is what was written."""

from __future__ import annotations

import csv
import io
import math
import os
import re
import time
import zipfile
from datetime import date, datetime

import pytest
import xlsxwriter
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from etl.deadlines import Deadline, DeadlineError, parse_deadline
from etl.reader import ROW, ReadError, read_file
from etl.units import UnitList, UnitResolver, extract_annotated_units, normalize_unit_name, split_units
from ledger.workcal import WorkCalendar

CALENDAR = WorkCalendar()  # the shipped holiday file, as the importer uses it
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# PROPERTY_EXAMPLES=5000 for a long hunt; the default keeps the file well under a minute.
FAST = settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "120")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------------------- deadlines


def check_deadline(value: object, base: date) -> Deadline | None:
    """The parser's contract: a Deadline that holds together, or a DeadlineError for the user.

    Kind "none" is an unread or missing deadline: no date, no cycle, and either flags (in
    Chinese, quoting the text) or, for a missing one, a note saying so.
    """
    try:
        result = parse_deadline(value, base, CALENDAR)
    except DeadlineError as error:
        assert str(error) and CHINESE.search(str(error)), repr(error)
        return None
    assert isinstance(result, Deadline)
    assert result.kind in ("date", "cycle", "long_term", "none")
    assert (result.date is not None) == (result.kind == "date")
    if result.kind == "none":
        assert result.cycle is None and result.milestones == ()
        assert result.flags or (result.missing and result.note and CHINESE.search(result.note))
        assert all(CHINESE.search(flag) and flag.endswith("请核对") for flag in result.flags)
    else:
        assert result.flags == ()
    assert result.kind != "cycle" or result.cycle in ("weekly", "monthly", "quarterly", "half_yearly", "yearly")
    assert all(m.date is None or isinstance(m.date, date) for m in result.milestones)
    assert isinstance(result.text, str)
    return result


def numbers() -> st.SearchStrategy[str]:
    """Numbers as cells write them, and as no cell should."""
    plain = st.one_of(st.integers(0, 40), st.integers(0, 2100), st.integers(0, 10**7), st.integers(10**7, 10**40))
    written = plain.map(str)
    full_width = plain.map(lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")))
    chinese = st.sampled_from(["零", "一", "二", "两", "十", "十二", "二十", "二十五", "九十九", "一百", "十十",
                               "二〇二六", "三十一", "十三", "四十五", "〇"])
    return st.one_of(written, written, full_width, chinese, st.sampled_from(["-1", "0", "00", "1.5", "半"]))


PHRASES = [
    "{a}月{b}日前", "{a}月{b}号", "{y}年{a}月{b}日前", "{y}-{a}-{b}", "{y}/{a}/{b}", "{y}.{a}.{b}", "{y}.{a}",
    "{y}{a}{b}", "{y}年底前", "{y}年", "{y}年{a}月底", "{y}年第{a}季度", "{a}月{part}", "{a}.{b}前", "{a}个工作日内",
    "会后{a}个工作日内", "{a}天内", "{a}日内", "限期{a}个月", "{a}周内", "{a}年内", "{a}小时内", "每月{a}日前",
    "每季度结束后{a}个工作日内", "每周{a}", "每年{a}月", "第{a}季度末", "明年{a}月", "下个月{a}号", "本月{a}日",
    "①{a}月底前②{b}个工作日内", "(1){y}年{a}月；(2){b}日前", "1.{a}月底前；2.{y}年底", "{a}月{b}日至{y}年{a}月",
    "{serial}", "{y}年{a}月{b}日 {a}:{b}", "立即", "长期坚持，{a}月底前见效",
]


@st.composite
def deadline_phrases(draw) -> str:
    template = draw(st.sampled_from(PHRASES))
    return template.format(
        a=draw(numbers()), b=draw(numbers()), y=draw(numbers()),
        part=draw(st.sampled_from(["底", "末", "初", "中", "上旬", "中旬", "下旬", "份", "中下旬", ""])),
        serial=draw(st.one_of(st.integers(0, 99999), st.floats(0, 1e6, allow_nan=False)).map(str)),
    )


BASES = st.one_of(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)),
    st.sampled_from([date.min, date(1, 12, 31), date(9998, 12, 31), date(9999, 11, 30), date.max]),
)


@FAST
@example("13月45日前", date(2026, 3, 10))
@example("99999个工作日内", date(2026, 3, 10))
@example("0个工作日内", date(2026, 3, 10))
@example("9999年底前", date.max)
@example("立即", date.max)
@example("下周五", date.max)
@example("3个月内", date(9999, 11, 30))
@example("2026年2月29日", date(2026, 3, 10))
@given(deadline_phrases(), BASES)
def test_near_miss_deadline_phrases_give_a_deadline_or_deadline_error(text: str, base: date):
    check_deadline(text, base)


PIECES = st.sampled_from(
    list("0123456789０１２年月日号底末初上中下旬季度半每按个工作内周天前后至起限.-/、;；，,①②⑴（）() \n十二〇两星期")
    + ["立即", "长期", "明年", "今年", "次年", "工作日", "个月", "2026", "19", "20", "12", "31", "9999", "99999",
       "小时", "自然日", "月度", "结束后", "次月", "第", "季", "1.", "(1)", "1、"]
)


@FAST
@given(st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=40).map("".join)), BASES)
def test_any_text_gives_a_deadline_or_deadline_error(text: str, base: date):
    check_deadline(text, base)


@FAST
@given(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(min_value=10**20), st.floats(),
        st.floats(min_value=19_999, max_value=80_001), st.dates(), st.datetimes(), st.binary(max_size=8),
        st.decimals(allow_nan=True), st.fractions(), st.lists(st.integers(), max_size=3),
    ),
    BASES,
)
def test_any_cell_value_gives_a_deadline_or_deadline_error(value: object, base: date):
    check_deadline(value, base)


@pytest.mark.parametrize("piece", ["十", "1", "年", "①", "(1)", "1.", "每月", "1月", "、", "第1季度", "下周", "2026年"])
def test_a_cell_of_excels_maximum_length_parses_in_linear_time(piece):
    check_deadline(piece * (32_767 // len(piece)), date(2026, 3, 10))
    assert_linear(lambda n: check_deadline(piece * n, date(2026, 3, 10)), 32_767 // len(piece))


@FAST
@example("2026-13-45")
@example("0000年00月00日")
@example("٢٠٢٦-٠٦-٣٠")
@example("99999")
@given(st.one_of(st.text(max_size=60), st.lists(PIECES, max_size=20).map("".join), st.dates(), st.none(),
                 st.integers().map(str), deadline_phrases()))
def test_calendar_dates_give_a_date_or_none(value: object):
    from etl.dates import parse_calendar_date

    found = parse_calendar_date(value)
    assert found is None or isinstance(found, date)


# ----------------------------------------------------------------------------------------- units

UNIT_ALPHABET = st.sampled_from(
    list("区市县发改局财政住建和及与等各乡镇街道单位牵头配合责任协办主办部门负责参与")
    + list("、，,；;：: \n\t/（）()【】[]〔〕“”'\"①⑴.。1２\u3000\u200b\ufeff")
)
UNIT_TEXT = st.one_of(st.text(max_size=80), st.text(UNIT_ALPHABET, max_size=80))
RESOLVER = UnitResolver(["区发展和改革局", "区财政局"], {"发改局": "区发展和改革局"})


def check_names(units: UnitList | None) -> None:
    """What the importer relies on: every name is clean and resolves without an error."""
    if units is None:
        return
    assert isinstance(units, UnitList)
    assert len(set(units.names)) == len(units.names)
    assert set(units.marked_leads) <= set(units.names)
    for name in units.names:
        assert name and normalize_unit_name(name) == name
        canonical, _ = RESOLVER.resolve(name)  # raises ValueError on an empty name
        assert canonical


@FAST
@example("区发改局（牵头）、区财政局等")
@example("（）、、；;")
@example("牵头单位：")
@given(st.one_of(UNIT_TEXT, st.integers(), st.floats(), st.none()))
def test_split_units_gives_clean_names_for_any_cell(cell: object):
    check_names(split_units(cell))


@FAST
@example("加快推进老旧小区改造（牵头单位：区住建局；配合单位：区财政局、各街道）")
@example("（牵头单位：）（配合单位：")
@given(UNIT_TEXT)
def test_extract_annotated_units_gives_clean_names_for_any_text(text: str):
    found = extract_annotated_units(text)
    assert isinstance(found.text, str)
    for units in (found.lead, found.co, found.responsible):
        check_names(units)


@pytest.mark.parametrize("piece", ["等", " 区局", "1)", "1.", "(1)", "(：", "区财政局、", "（牵头）"])
def test_a_long_unit_cell_splits_in_linear_time(piece):
    """A unit cell may be as long as Excel allows (32,767 characters); splitting it must not
    take seconds (a quadratic splitter took 67 s on a cell of 等)."""
    check_names(split_units(piece * (16_000 // len(piece))))
    assert_linear(lambda n: split_units(piece * n), 16_000 // len(piece))


def assert_linear(work, n: int) -> None:
    """Work on n pieces costs well under 64 times work on n/8 (linear: 8x; quadratic: 64x; the
    limit, 40x, sits between). Not a time limit: a ratio of two costs measured alike, in CPU
    time of this thread (time.thread_time), so neither a slow machine nor other processes
    competing for its cores move it; the best of three runs drops a garbage collection."""
    def best(size: int) -> float:
        costs = []
        for _ in range(3):
            started = time.thread_time()
            work(size)
            costs.append(time.thread_time() - started)
        return min(costs)

    small, large = best(max(1, n // 8)), best(n)
    assert large < 40 * max(small, 1e-4), f"{n // 8} pieces: {small:.4f}s CPU, {n} pieces: {large:.4f}s CPU"


# ------------------------------------------------------------------------------------ the reader

HEADER = ["序号", "议定事项", "牵头单位", "配合单位", "完成时限"]


def read_or_read_error(data: bytes, name: str = "任意.csv", sheet: str | None = None) -> list | None:
    try:
        sheets = read_file(data, name, sheet)
    except ReadError as error:
        message = str(error)
        assert message.startswith(name) and CHINESE.search(message), message
        return None
    assert sheets
    for found in sheets:
        assert found.frame.height > 0 and ROW in found.frame.columns
        assert all(dtype == "String" or name == ROW for name, dtype in zip(
            found.frame.columns, map(str, found.frame.dtypes), strict=True))
    return sheets


def valid_workbook() -> bytes:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        sheet = book.add_worksheet("任务")
        sheet.merge_range(0, 0, 0, 4, "区政府常务会议议定事项督办表")
        sheet.write_row(1, 0, HEADER)
        sheet.write_row(2, 0, ["1", "加快推进老旧小区改造", "区住建局", "区财政局", "年底前"])
        sheet.write_row(3, 0, [2, "做好安全生产", "区应急局", "", datetime(2026, 12, 31)])
    return buffer.getvalue()


VALID_XLSX = valid_workbook()
VALID_CSV = "\n".join(",".join(r) for r in [HEADER, ["1", "加快推进", "区住建局", "区财政局", "年底前"]]).encode()


@FAST
@example(b"", None)
@example(b"PK\x03\x04", None)
@example(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "任务")
@example("序号,事项\n1,x\n".encode("utf-16"), None)
@example(b'\xef\xbb\xbf"', None)
@example(VALID_XLSX, "不存在")
@example(VALID_CSV, "任务")
@given(st.binary(max_size=3000), st.sampled_from([None, "任务", "Sheet1"]))
def test_any_bytes_give_sheets_or_read_error(data: bytes, sheet: str | None):
    read_or_read_error(data, sheet=sheet)


@st.composite
def damaged(draw, original: bytes) -> bytes:
    """A real file with bytes changed, cut short, or with junk inserted."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif data:
            del data[at:at + draw(st.integers(1, 64))]
    return bytes(data)


@FAST
@given(damaged(VALID_XLSX))
def test_a_damaged_workbook_gives_sheets_or_read_error(data: bytes):
    read_or_read_error(data, "损坏.xlsx")


@FAST
@given(damaged(VALID_CSV))
def test_a_damaged_csv_gives_sheets_or_read_error(data: bytes):
    read_or_read_error(data, "损坏.csv")


def workbook_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


VALID_PARTS = workbook_parts(VALID_XLSX)


@FAST
@given(st.sampled_from(sorted(VALID_PARTS)), st.data())
def test_a_workbook_with_one_mangled_part_gives_sheets_or_read_error(part: str, data):
    """Whole, valid zips whose XML is damaged: what reaches calamine's parser."""
    parts = dict(VALID_PARTS)
    parts[part] = data.draw(damaged(parts[part]))
    read_or_read_error(rezip(parts), "部件.xlsx")


# Cell text that must come back exactly (trimmed): everything but surrogates and control characters.
CELL_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=";\t", whitelist_characters="\n"), max_size=30
)


def expected_cell(text: str) -> str | None:
    return text.strip() or None


@FAST
@given(st.lists(st.lists(CELL_TEXT, min_size=5, max_size=5), min_size=1, max_size=8),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_a_valid_csv_reads_back_every_cell(rows: list[list[str]], encoding: str):
    assume(any(any(expected_cell(c) for c in row) for row in rows))
    assume(all([c.strip() for c in row] != HEADER for row in rows))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(HEADER)
    writer.writerows(rows)
    [sheet] = read_file(out.getvalue().encode(encoding), "随机.csv")
    expected = [[expected_cell(c) for c in row] for row in rows]
    expected = [row for row in expected if any(row)]
    assert [list(r) for r in sheet.frame.drop(ROW).rows()] == expected
    kept = [i + 2 for i, row in enumerate(rows) if any(expected_cell(c) for c in row)]
    assert sheet.frame[ROW].to_list() == kept  # Excel's row numbers


NUMBER = st.one_of(st.integers(-10**15 + 1, 10**15 - 1), st.floats(min_value=-1e15, max_value=1e15, allow_nan=False))


@FAST
@given(st.lists(st.lists(st.one_of(CELL_TEXT, NUMBER), min_size=5, max_size=5), min_size=1, max_size=6))
def test_a_valid_workbook_reads_back_every_cell(rows: list[list[object]]):
    def as_text(value: object) -> str | None:
        if isinstance(value, str):
            return expected_cell(value)
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value))

    expected = [[as_text(c) for c in row] for row in rows]
    assume(any(any(row) for row in expected))
    assume(all(row != HEADER for row in expected))
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        sheet = book.add_worksheet("随机")
        sheet.write_row(0, 0, HEADER)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    if value:
                        sheet.write_string(r, c, value)
                else:
                    sheet.write_number(r, c, value)
    [found] = read_file(buffer.getvalue(), "随机.xlsx")
    got = [list(r) for r in found.frame.drop(ROW).rows()]
    want = [row for row in expected if any(row)]
    assert len(got) == len(want)
    for got_row, want_row, written in zip(got, want, [r for r, e in zip(rows, expected, strict=True) if any(e)],
                                          strict=True):
        for g, w, value in zip(got_row, want_row, written, strict=True):
            if isinstance(value, str) or g == w:
                assert g == w
            else:  # a number: Excel keeps 15 significant digits
                assert g is not None and math.isclose(float(g), float(value), rel_tol=1e-14, abs_tol=1e-300)


# ------------------------------------------------------------- the workbook scan against calamine


@st.composite
def sheet_xml(draw) -> str:
    """Rows and cells as generators write them, and as they may: with and without r=, r=
    not first, self-closing and empty cells, rows out of order."""
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        row_ref = draw(st.one_of(st.none(), st.integers(1, 40)))
        cells = []
        for _ in range(draw(st.integers(0, 6))):
            ref = draw(st.one_of(st.none(), st.tuples(st.integers(1, 30), st.integers(1, 40))))
            position = "" if ref is None else f' r="{_letters(ref[0])}{ref[1]}"'
            attributes = draw(st.sampled_from([position, f' s="1"{position}', f'{position} t="n"', ' x=">"' + position]))
            form = draw(st.sampled_from(["value", "empty", "self-closing"]))
            cells.append({"value": f"<c{attributes}><v>1</v></c>", "empty": f"<c{attributes}></c>",
                          "self-closing": f"<c{attributes}/>"}[form])
        opening = "<row>" if row_ref is None else f'<row r="{row_ref}">'
        rows.append(opening + "".join(cells) + "</row>" if cells or draw(st.booleans()) else
                    ("<row/>" if row_ref is None else f'<row r="{row_ref}"/>'))
    return "".join(rows)


def _letters(column: int) -> str:
    from etl.intake import column_letter

    return column_letter(column - 1)


@FAST
@given(sheet_xml())
def test_the_workbook_scan_never_understates_what_calamine_allocates(rows: str):
    """etl.intake sizes each sheet before calamine does; an understatement is what lets a
    tiny file make calamine ask for gigabytes."""
    import python_calamine

    from etl import intake

    data = rezip({**VALID_PARTS, "xl/worksheets/sheet1.xml": (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>").encode()})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        scanned = intake._sheet_extent(archive, info, [1 << 30])
    try:
        sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("任务")
    except python_calamine.CalamineError:
        return
    if sheet.end is not None:
        assert scanned[0] >= sheet.end[0] + 1 and scanned[1] >= sheet.end[1] + 1, (scanned, sheet.end)
