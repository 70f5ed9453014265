"""Task tables inside a Word document import like a workbook: each table a sheet (表1, 表2…), the
title paragraphs above it as its title, merged cells filled (down and across), the same headers,
flags and report as CSV/XLSX, and errors that name the table and the row.

The documents are built with python-docx here, merging cells as offices do (a 类别 written once
for a group of rows, a 牵头单位 written once for two tasks)."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from etl.importer import InputFile, LoadOptions, import_files, read_files
from etl.reader import read_file

HEADER = ["类别", "序号", "工作任务", "牵头单位", "配合单位", "完成时限"]
ROWS = [
    ["优化营商环境", "1", "全面推行企业开办“一网通办”，压缩开办时间至1个工作日。", "区市场监管局", "区政务服务中心", "2025年6月30日前"],
    ["优化营商环境", "2", "开展涉企违规收费专项整治。", "区发改局", "区财政局、区市场监管局", "2025年9月底前"],
    ["优化营商环境", "3", "建立重点企业“服务专员”制度。", "区工信局", "", "长期坚持"],
    ["民生保障", "4", "新建改扩建公办幼儿园3所。", "区教育局", "区住建局", "2025年12月31日前"],
    ["民生保障", "5", "完成城区12个老旧小区改造。", "区住建局", "各街道办事处", "2025年11月底前"],
]
OPTIONS = LoadOptions(source_kind="政府工作报告", source_title="2025年区政府工作报告重点任务分解",
                      source_date=date(2025, 2, 10))


def table_docx(tables: list[tuple[list[str], list[list[str]], list[tuple]]], body_after: str | None = None) -> bytes:
    """A .docx with, for each table, its title paragraphs, then the table; merges are
    ((row, column), (row, column)) pairs, counted with the header as row 0."""
    document = docx.Document()
    for titles, rows, merges in tables:
        for title in titles:
            document.add_paragraph(title)
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                table.cell(i, j).text = value
        for (top, left), (bottom, right) in merges:
            # Word keeps the merged cell's text once: the others are emptied before merging.
            keep = table.cell(top, left).text
            for i in range(top, bottom + 1):
                for j in range(left, right + 1):
                    if (i, j) != (top, left):
                        table.cell(i, j).text = ""
            merged = table.cell(top, left).merge(table.cell(bottom, right))
            merged.text = keep
    if body_after:
        document.add_paragraph(body_after)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def tasks(con) -> list[tuple]:
    return con.execute("""
        SELECT t.item, t.category, t.content, t.deadline_kind, t.deadline,
               (SELECT string_agg(u.name, '、' ORDER BY tu.position) FROM task_units tu JOIN units u USING (unit_id)
                WHERE tu.task_id = t.task_id AND tu.role = 'lead') AS lead,
               (SELECT count(*) FROM task_units tu WHERE tu.task_id = t.task_id AND tu.role = 'co') AS co_count
        FROM tasks t ORDER BY t.task_id
    """).fetchall()


def merged_category_docx() -> bytes:
    return table_docx([(
        ["2025年区政府工作报告重点任务分解表"],
        [HEADER, *ROWS],
        [((1, 0), (3, 0)), ((4, 0), (5, 0))],   # 类别 merged down over its rows
    )])


def test_merged_category_column_is_filled_and_imported(ledger):
    data = merged_category_docx()
    sheets = read_file(data, "重点任务分解.docx")
    assert [sheet.sheet for sheet in sheets] == ["表1"]
    assert sheets[0].title_lines == ["2025年区政府工作报告重点任务分解表"]
    # Every row of a merged range carries the merged cell's text.
    assert sheets[0].frame["类别"].to_list() == ["优化营商环境"] * 3 + ["民生保障"] * 2
    result = import_files(ledger, [InputFile("重点任务分解.docx", data)], OPTIONS)
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert [(item, category) for item, category, *_ in found] == [
        ("1", "优化营商环境"), ("2", "优化营商环境"), ("3", "优化营商环境"), ("4", "民生保障"), ("5", "民生保障")]
    assert found[0][4] == date(2025, 6, 30) and found[1][4] == date(2025, 9, 30)
    assert found[2][3] == "long_term"
    assert found[1][6] == 2   # 区财政局、区市场监管局


def test_horizontal_merge_and_two_tables_are_two_sheets(ledger):
    second_rows = [
        ["序号", "工作任务", "牵头单位", "完成时限"],
        ["6", "推进城东污水处理厂提标改造。", "区水利局", "2025年10月底前"],
        ["7", "完成城区雨污分流改造二期。", "区水利局", "2025年12月底前"],
        # One requirement over the whole row, merged across: a section note, not a task.
        ["注：以上任务按月报送进展。", "", "", ""],
    ]
    data = table_docx([
        (["一、经济发展类任务"], [HEADER, *ROWS[:2]], []),
        (["二、生态环境类任务"], second_rows, [((1, 2), (2, 2)), ((3, 0), (3, 3))]),
    ])
    sheets = read_file(data, "分解表.docx")
    assert [(sheet.sheet, sheet.title_lines) for sheet in sheets] == [
        ("表1", ["一、经济发展类任务"]), ("表2", ["二、生态环境类任务"])]
    assert sheets[1].frame["牵头单位"].to_list()[:2] == ["区水利局", "区水利局"]
    result = import_files(ledger, [InputFile("分解表.docx", data)], OPTIONS)
    assert result.committed, result.files[0].errors
    found = sorted(tasks(ledger), key=lambda row: int(row[0]))
    assert [row[0] for row in found] == ["1", "2", "6", "7"]
    # The unit merged across two rows leads both; the note merged across the row is no task.
    assert [row[5] for row in found[2:]] == ["区水利局", "区水利局"]
    assert not any("注：" in row[2] for row in found)


def test_errors_name_the_table_and_the_row(ledger):
    # Table 2 continues table 1's numbering (a repeated 序号 is an error of its own).
    bad = [HEADER, ROWS[2], ["优化营商环境", "2", "开展涉企违规收费专项整治。", "区发改局", "", "2025年2月30日前"]]
    data = table_docx([(["重点任务分解表"], [HEADER, *ROWS[:1]], []), (["补充任务"], bad, [])])
    result = import_files(ledger, [InputFile("分解表.docx", data)], OPTIONS)
    assert not result.committed
    errors = result.files[0].errors
    assert errors and all(error.sheet == "表2" for error in errors)
    # The row as Word shows it: the header is row 1, the bad task row 3.
    assert [error.row for error in errors] == [3]
    assert ledger.execute("SELECT count(*) FROM tasks").fetchone()[0] == 0


def test_a_layout_table_in_minutes_is_not_a_list(ledger):
    # The head of minutes laid out in a table (编号 | 日期): no task header, so the text is minutes.
    document = docx.Document()
    head = document.add_table(rows=1, cols=2)
    head.cell(0, 0).text = "〔2025〕12号"
    head.cell(0, 1).text = "2025年3月11日"
    for line in ["区人民政府第12次常务会议纪要",
                 "2025年3月11日，区长刘志远主持召开区政府第12次常务会议。",
                 "会议同意区民政局提出的养老服务设施建设方案，请区民政局6月底前完成选址。"]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    sheets = read_file(buffer.getvalue(), "纪要.docx")
    assert [sheet.sheet for sheet in sheets] == ["纪要"]
    assert sheets[0].frame["序号"].to_list() == ["一"]


def test_minutes_with_an_attendance_table_are_minutes():
    # 参会人员 (姓名 | 职务) is a table the reader knows (a leader list), but not what minutes assign.
    document = docx.Document()
    for line in ["区人民政府第12次常务会议纪要",
                 "2025年3月11日，区长刘志远主持召开区政府第12次常务会议。",
                 "会议同意区民政局提出的养老服务设施建设方案，请区民政局6月底前完成选址。"]:
        document.add_paragraph(line)
    document.add_paragraph("参会人员：")
    table = document.add_table(rows=3, cols=2)
    for i, (name, title) in enumerate([("姓名", "职务"), ("刘志远", "区长"), ("陈立新", "常务副区长")]):
        table.cell(i, 0).text, table.cell(i, 1).text = name, title
    buffer = io.BytesIO()
    document.save(buffer)
    sheets = read_file(buffer.getvalue(), "纪要.docx")
    assert [sheet.sheet for sheet in sheets] == ["纪要"]
    assert sheets[0].frame["牵头单位"].to_list() == ["区民政局"]
    # The same table without decisions in the text around it is a leader list.
    document = docx.Document()
    document.add_paragraph("区政府领导名单")
    table = document.add_table(rows=2, cols=3)
    for j, value in enumerate(["姓名", "职务", "排序"]):
        table.cell(0, j).text = value
    for j, value in enumerate(["刘志远", "区长", "1"]):
        table.cell(1, j).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    assert [sheet.sheet for sheet in read_file(buffer.getvalue(), "领导名单.docx")] == ["表1"]


@pytest.mark.parametrize("isolated", [True, False])
def test_word_tables_are_read_in_the_sandbox_like_workbooks(isolated):
    data = merged_category_docx()
    parsed = read_files([InputFile("分解表.docx", data)], isolated=isolated)
    sheets = next(iter(parsed.values()))
    assert [sheet.sheet for sheet in sheets] == ["表1"]
    assert sheets[0].frame.height == 5


def test_a_damaged_word_document_is_refused_with_a_message():
    data = merged_category_docx()
    parsed = read_files([InputFile("分解表.docx", data[: len(data) // 2])])
    error = next(iter(parsed.values()))
    assert isinstance(error, Exception) and "分解表.docx" in str(error)


def test_two_tables_of_one_meeting_that_both_number_from_one_are_refused_naming_both_places(ledger):
    """Two tables under one source each numbering 1, 2: the 序号 is the task's key within its
    source, so which row is meant cannot be told. Every repeated row is an error naming both
    tables and rows; nothing is written, and nothing raises."""
    second = [HEADER,
              ["生态环境", "1", "推进城东污水处理厂提标改造。", "区水利局", "", "2025年10月底前"],
              ["生态环境", "2", "完成城区雨污分流改造二期。", "区水利局", "区住建局", "2025年12月底前"],
              ["生态环境", "3", "开展入河排污口排查整治。", "区生态环境分局", "", "2025年8月底前"]]
    data = table_docx([(["一、经济发展类任务"], [HEADER, *ROWS[:2]], []), (["二、生态环境类任务"], second, [])])
    result = import_files(ledger, [InputFile("分解表.docx", data)], OPTIONS)
    assert not result.committed
    errors = result.files[0].errors
    assert sorted((error.sheet, error.row, error.value) for error in errors) == [
        ("表1", 2, "1"), ("表1", 3, "2"), ("表2", 2, "1"), ("表2", 3, "2")]
    first = next(error for error in errors if error.sheet == "表2" and error.row == 2)
    assert "分解表.docx" in first.message and "［表1］第2行" in first.message and "［表2］第2行" in first.message
    assert "2025年区政府工作报告重点任务分解" in first.message and "序号“1”" in first.message
    for table in ("tasks", "sources", "import_batches"):
        assert ledger.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
