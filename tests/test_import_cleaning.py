"""On import, control and bidi characters are stripped from every cell (and said so, once per
file), and a name written where a unit belongs is registered only if it looks like a unit."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest
import xlsxwriter

from etl.importer import InputFile, LoadOptions, import_files
from etl.reader import _strip_unsafe
from ledger import chars

MEETING = LoadOptions(source_kind="常务会议", source_title="区政府第12次常务会议", source_date=date(2026, 9, 28),
                      today=date(2026, 10, 9))
HEADER = "序号,议定事项,牵头单位,配合单位,责任领导,完成时限"
ESC, BEL, RLO, LRI, PDI, NEL = "\x1b", "\x07", "\u202e", "\u2066", "\u2069", "\x85"


def csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def load(con, data: bytes, name: str = "清单.csv", options: LoadOptions = MEETING):
    return import_files(con, [InputFile(name, data)], options)


def column(con, query: str) -> list:
    return [row[0] for row in con.execute(query).fetchall()]


def every_text(con) -> str:
    """Every text the import stored in tasks, units, leaders and sources, joined."""
    parts = column(con, "SELECT concat_ws('|', content, item, deadline_text) FROM tasks")
    parts += column(con, "SELECT name FROM units") + column(con, "SELECT name FROM leaders")
    parts += column(con, "SELECT title FROM sources")
    return "\n".join(parts)


# --------------------------------------------------------------------------- control and bidi characters


def test_the_importer_and_the_dashboard_strip_the_same_characters():
    from ui import safe

    assert safe._UNSAFE is chars.UNSAFE
    every = "".join(chr(c) for c in range(0x20)) + "".join(chr(c) for c in range(0x7f, 0xa0))
    every += "\u200e\u200f\u061c" + "".join(chr(c) for c in range(0x202a, 0x202f)) + "\u2066\u2067\u2068\u2069"
    assert safe.clean(every) == "\t\n"
    assert chars.strip_unsafe(every) == "\t\n"
    # polars reads the same class as Python's re (the reader's path); the reader only keeps a
    # line end written \r (Excel for Mac) as a line break
    frame, counts = _strip_unsafe(pl.DataFrame({"a": [f"加快{every}推进", "区财政局", None]}))
    assert frame["a"].to_list() == ["加快\t\n\n推进", "区财政局", None] and counts == {0: 1}
    frame, counts = _strip_unsafe(pl.DataFrame({"a": [f"加快{every.replace(chr(13), '')}推进"]}))
    assert frame["a"].to_list() == ["加快\t\n推进"] and counts == {0: 1}


def test_control_and_bidi_characters_are_stripped_and_reported_once_per_file(ledger):
    data = csv(
        f"1,加快推进{ESC}[31m老旧小区改造{BEL},区住建局{RLO},区财政局,王建国,2026年12月31日前",
        f"2,抓紧完成{LRI}招商项目{PDI}签约,区商务局,区发改局{NEL},李明华,2026年12月31日前",
        "3,做好安全生产大排查\t（汛期）,区应急局,区住建局,王建国,年底前",
    )
    result = load(ledger, data)
    assert result.committed, result.files[0].errors
    report = result.files[0]
    cleaned = [w for w in report.warnings if "控制字符" in w]
    assert cleaned == ["已删除4个单元格中的控制字符或文字方向控制符（“议定事项”列2个、“牵头单位”列1个、“配合单位”列1个），"
                       "这些字符不会存入台账，请核对这些单元格"]
    stored = every_text(ledger)
    assert not chars.UNSAFE.search(stored)
    contents = column(ledger, "SELECT content FROM tasks ORDER BY item")
    assert contents == ["加快推进[31m老旧小区改造", "抓紧完成招商项目签约", "做好安全生产大排查\t（汛期）"]
    assert "区住建局" in column(ledger, "SELECT name FROM units")   # as the list writes it (issue 9)
    # the warning is kept with the batch, as every warning of the file
    (warnings,) = ledger.execute("SELECT warnings FROM import_files").fetchone()
    assert cleaned[0] in warnings


def test_a_clean_file_gets_no_warning_and_line_breaks_are_not_counted(ledger):
    result = load(ledger, csv("1,加快推进老旧小区改造,区住建局,区财政局,王建国,2026年12月31日前"))
    assert result.committed and not any("控制字符" in w for w in result.files[0].warnings)


def test_workbook_cells_headers_and_sheet_names_are_cleaned_too(ledger):
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer) as book:
        sheet = book.add_worksheet(f"议定{RLO}事项")
        sheet.write_row(0, 0, ["序号", f"议定事项{BEL}", "牵头单位", "完成时限"])
        sheet.write_row(1, 0, ["1", f"推进{ESC}城东污水处理厂\r\n二期工程", "区水利局", "2026年12月31日前"])
        sheet.write_row(2, 0, ["2", "做好春季森林防火", f"区应急管理局{LRI}", "2026年12月31日前"])
    result = load(ledger, buffer.getvalue(), "清单.xlsx")
    assert result.committed, result.files[0].errors
    cleaned = [w for w in result.files[0].warnings if "控制字符" in w]
    assert cleaned == ["已删除3个单元格中的控制字符或文字方向控制符（“议定事项”列2个、“牵头单位”列1个），"
                       "这些字符不会存入台账，请核对这些单元格"]
    assert column(ledger, "SELECT content FROM tasks ORDER BY item") == ["推进城东污水处理厂\n二期工程", "做好春季森林防火"]
    assert column(ledger, "SELECT sheet FROM import_files") == [""]
    assert not chars.UNSAFE.search(every_text(ledger))


def test_a_row_error_names_the_cleaned_value(ledger):
    # An impossible date is still a row error (an unreadable phrase is a flag since issue 9).
    result = load(ledger, csv(f"1,加快推进{ESC}老旧小区改造,区住建局,区财政局,王建国,2026年2月30日{BEL}"))
    assert not result.committed
    (error,) = result.files[0].errors
    assert error.value == "2026年2月30日" and not chars.UNSAFE.search(error.message)


def test_a_flag_quotes_the_cleaned_value(ledger):
    result = load(ledger, csv(f"1,加快推进{ESC}老旧小区改造,区住建局,区财政局,王建国,下个阶段{BEL}"))
    assert result.committed, result.files[0].errors
    [flag] = [f for f in result.files[0].flags if f["kind"] == "deadline_unread"]
    assert "“下个阶段”" in flag["text"] and not chars.UNSAFE.search(flag["text"])


# --------------------------------------------------------------------------- unit names


JUNK = [
    ("<img", "配合单位", "区财政局、<img", "“<img”不像单位名称，请核对"),
    ("=1+2", "配合单位", "=1+2", "“=1+2”不像单位名称，请核对"),
    ("王建同志", "牵头单位", "王建同志", "“王建同志”是人名，不像单位名称，请核对（领导请填在“责任领导”列）"),
    ("此项工作由李强", "牵头单位", "此项工作由李强", "“此项工作由李强”不像单位名称，请核对"),
    ("并统筹推进", "配合单位", "并统筹推进", "“并统筹推进”不像单位名称，请核对"),
    ("{{x}}", "配合单位", "{{x}}", "“{{x}}”不像单位名称，请核对"),
    ("区财政局$", "配合单位", "区财政局$", "“区财政局$”不像单位名称，请核对"),
    ("`rm`", "配合单位", "`rm`", "“rm”不像单位名称，请核对"),   # the splitter strips the backticks
    ("onerror", "配合单位", "onerror", "“onerror”不像单位名称，请核对"),
]


def not_units(result) -> list[tuple]:
    return [(f["sheet"], f["row"], f["column"], f["text"]) for f in result.files[0].flags if f["kind"] == "not_a_unit"]


@pytest.mark.parametrize(("name", "header", "cell", "message"), JUNK, ids=[j[0] for j in JUNK])
def test_a_name_that_is_not_a_unit_is_flagged_and_never_registered(ledger, name, header, cell, message):
    # Issue 9: the row is imported and flagged (不像单位名称), the name never becomes a unit.
    lead, co = (cell, "区财政局") if header == "牵头单位" else ("区住建局", cell)
    rows = ["1,抓紧完成招商项目签约,区商务局,区发改局,李明华,2026年12月31日前",
            f'2,加快推进老旧小区改造,"{lead}","{co}",王建国,2026年12月31日前']
    result = load(ledger, csv(*rows), "清单.csv")
    assert result.committed and not result.files[0].errors
    assert not_units(result) == [(None, 3, header, message)]
    assert ledger.execute("SELECT count(*) FROM units WHERE name IN (?, ?, 'rm', '王建')", [name, cell]).fetchone() == (0,)
    assert not any(name in unit for unit in result.files[0].new_units)


def test_unit_names_in_the_task_text_are_checked_too(ledger):
    result = load(ledger, csv("1,推进老旧小区改造（牵头单位：<b>；配合单位：区财政局）,,,王建国,2026年12月31日前"))
    assert result.committed and not result.files[0].errors
    assert not_units(result) == [(None, 2, "议定事项", "“<b>”不像单位名称，请核对")]
    # Without its lead the row waits for one (待明确责任单位); its co-unit is kept.
    assert [f["row"] for f in result.files[0].flags if f["kind"] == "no_lead_unit"] == [2]
    assert column(ledger, "SELECT count(*) FROM units WHERE name = '<b>'") == [0]


def test_every_refused_name_of_a_file_is_reported_with_its_row(ledger):
    rows = [f'{i},事项{i},"{lead}",{co},王建国,2026年12月31日前'
            for i, (lead, co) in enumerate([("区住建局", "<img"), ("王建同志", "区财政局"), ("区住建局", "<img"),
                                            ("区水利局", "并统筹推进")], start=1)]
    result = load(ledger, csv(*rows))
    assert [(row, header) for _, row, header, _ in not_units(result)] == [
        (2, "配合单位"), (3, "牵头单位"), (4, "配合单位"), (5, "配合单位")]
    assert [text for *_, text in not_units(result)][1] == "“王建同志”是人名，不像单位名称，请核对（领导请填在“责任领导”列）"


def test_names_that_look_like_units_or_are_known_are_registered(ledger):
    rows = ["1,加快推进老旧小区改造,区住建局,各镇街、区直各部门,王建国,2026年12月31日前",
            "2,做好科普工作,区科协,区城投集团有限公司、城关街道,王建国,2026年12月31日前"]
    result = load(ledger, csv(*rows))
    assert result.committed, result.files[0].errors
    # Registered as written (issue 9): a catalogued short form is not expanded.
    assert set(result.files[0].new_units) == {"区住建局", "各镇街", "区直各部门", "区科协",
                                              "区城投集团有限公司", "城关街道"}


def test_a_units_file_registers_an_unusual_name_that_task_lists_may_then_use(ledger):
    later = csv("1,推进城市更新融资,区城投,区财政局,王建国,2026年12月31日前")
    refused = import_files(ledger, [InputFile("清单.csv", later)], MEETING, commit=False)
    assert [text for *_, text in not_units(refused)] == ["“区城投”不像单位名称，请核对"]
    units = "单位名称,简称,单位类型\n区城投,城投,企业\n<img,,部门\n李强同志,,部门\n".encode()
    listed = load(ledger, units, "单位名单.csv", LoadOptions())
    assert [(e.row, e.value, e.message) for e in listed.files[0].errors] == [
        (3, "<img", "“<img”不像单位名称，请核对"),
        (4, "李强同志", "“李强同志”是人名，不像单位名称，请核对（领导请填在“责任领导”列）")]
    assert load(ledger, units.replace("<img,,部门\n李强同志,,部门\n".encode(), b""), "单位名单.csv",
                LoadOptions()).committed
    result = load(ledger, later)
    assert result.committed and "区城投" not in result.files[0].new_units and not not_units(result)


def test_markup_in_a_unit_already_in_the_ledger_is_refused_too(ledger):
    ledger.execute("INSERT INTO units (unit_id, name, kind) VALUES (900, '<img', '其他')")
    result = load(ledger, csv("1,加快推进老旧小区改造,区住建局,<img,王建国,2026年12月31日前"))
    assert [text for *_, text in not_units(result)] == ["“<img”不像单位名称，请核对"]
    assert column(ledger, "SELECT count(*) FROM task_units WHERE unit_id = 900") == [0]
