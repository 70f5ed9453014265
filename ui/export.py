"""Excel downloads: Chinese headers as given, every text cell written as text.

A cell that starts with = + - @ would be run as a formula by Excel (formula injection): the
workbook is opened with strings_to_formulas off and every string goes through write_string."""

from __future__ import annotations

import io
from datetime import date, datetime

import polars as pl
import xlsxwriter

_MAX_WIDTH = 60


def to_excel(frame: pl.DataFrame, sheet_name: str) -> bytes:
    """One sheet with the frame's columns as headers; lists are joined with 、."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(buffer, options) as workbook:
        sheet = workbook.add_worksheet(_sheet_title(sheet_name))
        header = workbook.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1, "text_wrap": True})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        percent = workbook.add_format({"num_format": "0.0%"})
        frame = frame.with_columns(
            pl.col(name).list.join("、") for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)
        )
        for col, name in enumerate(frame.columns):
            sheet.write_string(0, col, str(name), header)
            is_rate = name.endswith("率")
            for row, value in enumerate(frame.get_column(name).to_list(), start=1):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(row, col, value)
                elif isinstance(value, bool):
                    sheet.write_string(row, col, "是" if value else "否")
                elif isinstance(value, datetime):
                    sheet.write_datetime(row, col, value, moment)
                elif isinstance(value, date):
                    sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), day)
                elif isinstance(value, int | float):
                    sheet.write_number(row, col, value, percent if is_rate else None)
                else:
                    sheet.write_string(row, col, str(value))
            sheet.set_column(col, col, _width(frame.get_column(name), str(name)))
        sheet.freeze_panes(1, 0)
        if frame.width:
            sheet.autofilter(0, 0, max(frame.height, 1), frame.width - 1)
    return buffer.getvalue()


def _sheet_title(name: str) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("'") or "Sheet1"
    return cleaned[:31]


def _width(column: pl.Series, header: str) -> float:
    """A column width from the longest text (CJK characters count double), capped."""
    lengths = column.cast(pl.String).str.len_bytes().fill_null(0)
    longest = max(int(lengths.max() or 0) * 2 // 3, len(header.encode()) * 2 // 3)
    return min(max(longest + 2, 8), _MAX_WIDTH)
