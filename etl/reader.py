"""Reading task lists as offices send them: CSV in any Chinese encoding, XLSX with title
rows and merged cells. Every cell comes out as text; every row keeps the number the user
sees in Excel."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

import polars as pl
import python_calamine

from etl.headers import header_score, map_headers, normalize_header

ROW = "_row"  # Excel row number of each data row
HEADER_SEARCH_ROWS = 20
MIN_HEADER_SCORE = 2


class ReadError(Exception):
    """A file that cannot be read at all; the message is for the user, in Chinese."""


@dataclass
class Sheet:
    file_name: str
    sheet: str | None          # None for CSV
    title_lines: list[str]     # text above the header row
    header_row: int            # Excel row number of the header
    columns: list[str]         # column names in the frame, from the header cells
    fields: dict[str, str]     # ledger field -> column name
    frame: pl.DataFrame        # text columns plus ROW
    warnings: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.file_name}" + (f"［{self.sheet}］" if self.sheet else "")


def decode_text(data: bytes, file_name: str) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030, detected rather than asked."""
    if b"\x00" in data[:4096]:
        raise ReadError(f"{file_name}：不是文本文件，也不是可识别的Excel文件")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError(f"{file_name}：无法识别文件编码（支持UTF-8、GBK/GB18030）")


def is_spreadsheet(data: bytes) -> bool:
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "xl/workbook.xml" in archive.namelist()
        except zipfile.BadZipFile:
            return False
    return data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls


def read_file(data: bytes, file_name: str, sheet: str | None = None) -> list[Sheet]:
    """Every sheet of the file that has a recognisable header row."""
    if not data.strip():
        raise ReadError(f"{file_name}：文件为空")
    if is_spreadsheet(data):
        return _read_workbook(data, file_name, sheet)
    if data[:4] == b"PK\x03\x04":
        raise ReadError(f"{file_name}：文件已损坏或不是Excel工作簿")
    if sheet:
        raise ReadError(f"{file_name}：CSV文件没有工作表，不能指定工作表“{sheet}”")
    return [_frame_to_sheet(_read_csv(data, file_name), file_name, None)]


def _read_csv(data: bytes, file_name: str) -> pl.DataFrame:
    """The whole file as text columns; title rows above the header (fewer fields) are kept
    as rows of their own so row numbers stay the user's."""
    text = decode_text(data, file_name)
    try:
        separator = csv.Sniffer().sniff(text[:4096], delimiters=",\t;").delimiter
    except csv.Error:
        separator = ","
    head = list(itertools.islice(csv.reader(io.StringIO(text), delimiter=separator), HEADER_SEARCH_ROWS))
    scores = [header_score(row) for row in head]
    header_index = max(range(len(scores)), key=lambda i: scores[i], default=0)
    try:
        body = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            has_header=False,
            infer_schema=False,
            separator=separator,
            skip_rows=header_index,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as error:
        raise ReadError(f"{file_name}：CSV格式错误，无法读取（{error}）") from error
    if header_index == 0:
        return body
    titles = [row + [None] * (body.width - len(row)) for row in head[:header_index]]
    title_frame = pl.DataFrame([r[: body.width] for r in titles], schema=body.schema, orient="row")
    return pl.concat([title_frame, body])


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_workbook(data: bytes, file_name: str, wanted: str | None) -> list[Sheet]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # calamine raises its own error types for broken files
        raise ReadError(f"{file_name}：Excel文件已损坏，无法读取（{error}）") from error
    names = workbook.sheet_names
    if wanted is not None and wanted not in names:
        raise ReadError(f"{file_name}：没有名为“{wanted}”的工作表（现有：{'、'.join(names)}）")
    sheets: list[Sheet] = []
    skipped: list[str] = []
    for name in [wanted] if wanted else names:
        calamine_sheet = workbook.get_sheet_by_name(name)
        frame = _sheet_frame(calamine_sheet)
        if frame is None:
            skipped.append(name)
            continue
        try:
            sheets.append(_frame_to_sheet(frame, file_name, name))
        except ReadError:
            if wanted:
                raise
            skipped.append(name)
    if not sheets:
        raise ReadError(f"{file_name}：没有找到可识别的表头（如“序号”“事项”“牵头单位”“完成时限”）")
    if skipped:
        sheets[0].warnings.append(f"已跳过没有可识别表头的工作表：{'、'.join(skipped)}")
    return sheets


def _sheet_frame(sheet: python_calamine.CalamineSheet) -> pl.DataFrame | None:
    """The sheet as text, padded so row i and column j are Excel's row i+1 and column j+1,
    with every merged range filled with its top-left value (a category written once)."""
    if sheet.start is None:
        return None
    # skip_empty_area=False keeps the empty rows and columns before the used range, so
    # positions are Excel's own.
    rows = [[_cell_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
    if not rows:
        return None
    width = max(len(r) for r in rows)
    grid = [r + [None] * (width - len(r)) for r in rows]
    for (top, left), (bottom, right) in sheet.merged_cell_ranges or []:
        if top >= len(grid) or left >= len(grid[top]):
            continue
        value = grid[top][left]
        for r in range(top, min(bottom, len(grid) - 1) + 1):
            for c in range(left, min(right, len(grid[r]) - 1) + 1):
                grid[r][c] = value
    columns = [f"column_{j}" for j in range(width)]
    return pl.DataFrame(grid, schema={c: pl.String for c in columns}, orient="row")


def _frame_to_sheet(raw: pl.DataFrame, file_name: str, sheet: str | None) -> Sheet:
    """Finds the header row among the first rows; rows above it are the title."""
    head = raw.head(HEADER_SEARCH_ROWS).rows()
    scores = [header_score(list(row)) for row in head]
    best = max(range(len(scores)), key=lambda i: scores[i], default=0)
    where = f"{file_name}" + (f"［{sheet}］" if sheet else "")
    if not scores or scores[best] < MIN_HEADER_SCORE:
        raise ReadError(f"{where}：前{HEADER_SEARCH_ROWS}行中没有找到可识别的表头（如“序号”“事项”“牵头单位”“完成时限”）")
    header_cells = head[best]
    title_lines = [
        " ".join(dict.fromkeys(str(c).strip() for c in row if c and str(c).strip()))
        for row in head[:best]
    ]
    columns: list[str] = []
    for j, cell in enumerate(header_cells):
        name = normalize_header(cell) or f"第{j + 1}列"
        while name in columns:
            name += "_"
        columns.append(name)
    data = raw.slice(best + 1).rename(dict(zip(raw.columns, columns, strict=False)))
    data = data.with_columns(
        [pl.col(c).str.strip_chars().replace("", None) for c in columns]
    ).with_columns(pl.int_range(best + 2, best + 2 + data.height, dtype=pl.Int64).alias(ROW))
    # Rows with nothing in them, and a repeated header row (page breaks), are not data.
    any_value = pl.any_horizontal([pl.col(c).is_not_null() for c in columns])
    repeated_header = pl.all_horizontal(
        [pl.col(c).eq_missing(normalize_header(h) or None) for c, h in zip(columns, header_cells, strict=False)]
    )
    data = data.filter(any_value & ~repeated_header)
    if data.is_empty():
        raise ReadError(f"{where}：只有表头，没有数据行")
    return Sheet(
        file_name=file_name,
        sheet=sheet,
        title_lines=[line for line in title_lines if line],
        header_row=best + 1,
        columns=columns,
        fields=map_headers(columns),
        frame=data,
    )
