"""Documents the office sends: the 催办单 (a unit's overdue and due-soon items, in the form of
an office notice), as Word (python-docx) and as Excel (xlsxwriter).

Both take the same `Notice`, which the caller fills from the ledger's queries; every value is
written as text the document shows, never as a formula or markup.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import polars as pl
import xlsxwriter
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

# The items table: (column in Notice.items, heading).
ITEM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "督办编号"),
    ("content", "督办事项"),
    ("deadline_text", "完成时限"),
    ("status_label", "状态"),
    ("overdue", "逾期"),
    ("last_progress", "最新进展"),
)
FONT = "Noto Sans CJK SC"


@dataclass(frozen=True)
class Notice:
    unit: str
    as_of: date
    reply_by: date
    items: pl.DataFrame      # code, content, deadline_text, status_label, overdue, last_progress
    issuer: str = "督查室"

    @property
    def title(self) -> str:
        return "督办事项催办单"

    @property
    def body(self) -> str:
        overdue = self.items.filter(pl.col("status_label") == "逾期").height
        due_soon = self.items.height - overdue
        return (
            f"截至{_day(self.as_of)}，你单位牵头的督办事项中有{overdue}项已逾期、{due_soon}项临近完成时限（见下表）。"
            f"请抓紧推进，并于{_day(self.reply_by)}前将办理情况书面反馈{self.issuer}；确有困难需要延期的，"
            "请在完成时限前提出延期申请。"
        )


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _cell(value) -> str:
    if value is None:
        return ""
    return str(value)


def _rows(notice: Notice) -> list[list[str]]:
    return [[str(i)] + [_cell(row[column]) for column, _ in ITEM_COLUMNS]
            for i, row in enumerate(notice.items.iter_rows(named=True), start=1)]


def notice_docx(notice: Notice) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(notice.title)
    run.bold = True
    run.font.size = Pt(18)
    document.add_paragraph(f"{notice.unit}：")
    document.add_paragraph(notice.body)
    table = document.add_table(rows=1, cols=len(ITEM_COLUMNS) + 1)
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, ["序号", *(h for _, h in ITEM_COLUMNS)], strict=True):
        cell.text = heading
    for values in _rows(notice):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    for line in (notice.issuer, _day(notice.as_of)):
        paragraph = document.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def notice_xlsx(notice: Notice) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("催办单")
    bold = workbook.add_format({"bold": True, "font_size": 16, "align": "center"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    header = workbook.add_format({"bold": True, "border": 1, "bg_color": "#EEEEEE"})
    bordered = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    width = len(ITEM_COLUMNS) + 1
    sheet.merge_range(0, 0, 0, width - 1, notice.title, bold)
    sheet.write_string(1, 0, f"{notice.unit}：")
    sheet.merge_range(2, 0, 2, width - 1, notice.body, wrap)
    sheet.set_row(2, 48)
    for column, heading in enumerate(["序号", *(h for _, h in ITEM_COLUMNS)]):
        sheet.write_string(4, column, heading, header)
    for row, values in enumerate(_rows(notice), start=5):
        for column, value in enumerate(values):
            sheet.write_string(row, column, value, bordered)
    last = 5 + notice.items.height
    sheet.write_string(last + 1, width - 1, notice.issuer)
    sheet.write_string(last + 2, width - 1, _day(notice.as_of))
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 14)
    sheet.set_column(2, 2, 48)
    sheet.set_column(3, width - 1, 16)
    workbook.close()
    return out.getvalue()
