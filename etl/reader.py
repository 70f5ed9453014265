"""Reading task lists as offices send them: CSV in any Chinese encoding, XLSX with title
rows and merged cells, task tables in Word (.docx: each table a sheet, 表1, 表2…). Every cell
comes out as text; every row keeps the number the user sees in Excel or Word.

Minutes and 批示 (a .docx without a task table, a .txt of sentences rather than a table) are
read by etl.minutes into a sheet of the same shape, one row per proposed item
(etl.minutes_import), so the importer takes them as it takes a list."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

import polars as pl
import python_calamine

from etl.headers import guess_content_column, header_score, map_headers, normalize_header
from etl.intake import (  # noqa: F401 - decode_text and is_spreadsheet are this module's API too
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    ReadError,
    check_workbook,
    column_letter,
    decode_text,
    detect_format,
    is_spreadsheet,
)
from ledger.chars import UNSAFE_CLASS, strip_unsafe

ROW = "_row"  # Excel row number of each data row
HEADER_SEARCH_ROWS = 20
MIN_HEADER_SCORE = 2
_SAVE_AS_XLSX = "或用Excel打开后另存为 .xlsx 再上传"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class SheetError(ReadError):
    """One sheet that cannot be read; ``reason`` is the message without the file and sheet."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}：{reason}")
        self.reason = reason


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
    # Cells that held control or bidi characters (stripped: _strip_unsafe), by column name.
    cleaned: dict[str, int] = field(default_factory=dict)
    # Minutes and 批示 read as a list (etl.minutes_import.Reading): the reading behind the rows,
    # for the review step; None for a table.
    minutes: object | None = None

    @property
    def label(self) -> str:
        return f"{self.file_name}" + (f"［{self.sheet}］" if self.sheet else "")


def read_file(data: bytes, file_name: str, sheet: str | None = None) -> list[Sheet]:
    """Every sheet of the file that has a recognisable header row.

    What the file is comes from its content (etl.intake), never from its name. Any file that
    cannot be read raises ReadError with a message for the user; nothing else escapes."""
    kind = detect_format(data, file_name)
    if kind == "xlsx":
        return _read_workbook(data, file_name, sheet)
    if kind == "docx":
        return _read_document(data, file_name, sheet)
    if sheet:
        raise ReadError(f"{file_name}：CSV文件没有工作表，不能指定工作表“{sheet}”")
    if _is_prose(data, file_name):
        return [_minutes(decode_text(data, file_name).splitlines(), file_name)]
    return [_frame_to_sheet(_read_csv(data, file_name), file_name, None)]


# ---------------------------------------------------------------------------------------
# Word documents and minutes


def _is_prose(data: bytes, file_name: str) -> bool:
    """Text that is minutes or a 批示, not a list: no header row among its first lines, and
    sentences (。) or the head of minutes in it."""
    text = decode_text(data, file_name)
    head = [line for line in text[:16384].splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    for line in head:
        for separator in (",", "\t", ";"):
            if header_score(next(csv.reader([line], delimiter=separator), [])) >= MIN_HEADER_SCORE:
                return False
    # A table without a header we know (most lines cut into fields) is still a table: its
    # refusal says so, rather than reading its cells as sentences.
    if head and sum(1 for line in head if max(line.count(","), line.count("\t")) >= 2) * 2 > len(head):
        return False
    return "。" in text or bool(re.search(r"纪要|议定事项|批示", text[:4096]))


def _minutes(lines: list[str], file_name: str) -> Sheet:
    from etl.minutes import read_minutes
    from etl.minutes_import import minutes_sheet

    lines = [strip_unsafe(line) for line in lines]
    return minutes_sheet(read_minutes(lines), file_name, lines)


def _read_document(data: bytes, file_name: str, wanted: str | None) -> list[Sheet]:
    """A .docx: its tables with a recognisable header, each a sheet (表1, 表2…) with the short
    paragraphs above it as title lines and merged cells filled; without such a table, its text
    as minutes."""
    from etl.docx_reader import read_docx

    document = read_docx(data, file_name)
    sheets: list[Sheet] = []
    for table in document.sheets:
        name = f"表{table.index}"
        if wanted and wanted != name:
            continue
        if not table.rows or not any(any(cell for cell in row) for row in table.rows):
            continue
        width = len(table.rows[0])
        columns = [f"column_{j}" for j in range(width)]
        raw = pl.DataFrame([[cell or None for cell in row] for row in table.rows],
                           schema={c: pl.String for c in columns}, orient="row")
        _check_cell_sizes(raw, f"{file_name}［{name}］", excel=False)
        try:
            sheet = _frame_to_sheet(raw, file_name, name)
        except SheetError:
            continue  # a layout table (the head of minutes), not a list
        sheet.title_lines = [*table.title_lines, *sheet.title_lines]
        sheets.append(sheet)
    if wanted and not sheets:
        raise ReadError(f"{file_name}：没有名为“{wanted}”的可识别表格（表格按顺序称为表1、表2…）")
    if wanted or any("content" in sheet.fields or "progress" in sheet.fields for sheet in sheets):
        return sheets
    lines = document.lines()
    if not lines:
        if sheets:
            return sheets
        raise ReadError(f"{file_name}：Word文档中没有文字，也没有可识别的表格")
    # No task table: minutes, whose other tables (参会人员: 姓名, 职务) are not what it assigns;
    # a document of a unit or leader list with no decision in its text is that list.
    minutes = _minutes(lines, file_name)
    if sheets and minutes.frame.is_empty():
        return sheets
    return [minutes]


# ---------------------------------------------------------------------------------------
# CSV


def _read_csv(data: bytes, file_name: str) -> pl.DataFrame:
    """The whole file as text columns; title rows above the header (fewer fields) are kept
    as rows of their own so row numbers stay the user's."""
    # polars knows only \n as a line end; Excel for Mac wrote \r alone.
    text = decode_text(data, file_name).replace("\r\n", "\n").replace("\r", "\n")
    try:
        separator = csv.Sniffer().sniff(text[:4096], delimiters=",\t;").delimiter
    except csv.Error:
        separator = ","
    head = _csv_head(text, separator, file_name)
    scores = [header_score(row) for row in head]
    header_index = max(range(len(scores)), key=lambda i: scores[i], default=0)
    encoded = text.encode("utf-8")
    del text  # polars reads the bytes: the decoded copy would only double the file in memory
    body = _polars_csv(encoded, separator, header_index, file_name)
    del encoded
    if body.height * body.width > MAX_CELLS:
        raise ReadError(f"{file_name}：表格过大（{body.height}行 × {body.width}列，超过{MAX_CELLS:,}个单元格的上限），请分成几个文件上传")
    if header_index:
        titles = [row + [None] * (body.width - len(row)) for row in head[:header_index]]
        title_frame = pl.DataFrame([r[: body.width] for r in titles], schema=body.schema, orient="row")
        body = pl.concat([title_frame, body])
    _check_cell_sizes(body, file_name, excel=False)
    return body


def _csv_head(text: str, separator: str, file_name: str) -> list[list[str]]:
    """The first rows, where the header is looked for."""
    head: list[list[str]] = []
    reader = csv.reader(_lines(text), delimiter=separator)
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise ReadError(f"{file_name}：第{len(head) + 1}行有{len(row)}列，超过{MAX_COLUMNS}列的上限")
            head.append(row)
            if len(head) == HEADER_SEARCH_ROWS:
                break
    except csv.Error as error:  # a field over csv's own limit (131,072 characters)
        raise ReadError(
            f"{file_name}：第{len(head) + 1}行有超长单元格（超过Excel单元格上限{MAX_CELL_CHARS}个字符），"
            "或英文双引号不配对，无法读取"
        ) from error
    return head


def _lines(text: str) -> Iterator[str]:
    """The text's lines one by one, as far as a reader asks: io.StringIO would first copy the
    whole text (at four bytes a character), for the few rows the header search reads."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _polars_csv(encoded: bytes, separator: str, skip: int, file_name: str) -> pl.DataFrame:
    """The UTF-8 text (bytes) read by polars; the slow readers below only explain an error."""
    def read(truncate: bool) -> pl.DataFrame:
        return pl.read_csv(
            io.BytesIO(encoded),
            has_header=False,
            infer_schema=False,
            separator=separator,
            skip_rows=skip,
            truncate_ragged_lines=truncate,
        )

    try:
        try:
            return read(truncate=False)
        except pl.exceptions.ComputeError as error:
            if "more fields" not in str(error):
                raise
            _check_ragged_rows(encoded.decode("utf-8"), separator, skip, file_name)
            return read(truncate=True)  # the extra fields were all empty
    except ReadError:
        raise
    except pl.exceptions.NoDataError as error:
        raise ReadError(f"{file_name}：文件中没有数据") from error
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as error:
        line = _bad_quote_line(encoded.decode("utf-8"), separator)
        where = f"第{line}行起的" if line else ""
        raise ReadError(f"{file_name}：CSV格式错误，{where}英文双引号不配对，无法读取；请检查该行，{_SAVE_AS_XLSX}") from error


def _check_ragged_rows(text: str, separator: str, skip: int, file_name: str) -> None:
    """A row with more filled fields than the header has columns: most often a comma inside
    a cell that was not quoted, which would shift every later value into the wrong column."""
    width = None
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=separator), start=1):
            if number <= skip:
                continue
            if width is None:
                width = len(row)
                continue
            extra = [cell for cell in row[width:] if cell.strip()]
            if extra:
                raise ReadError(
                    f"{file_name}：第{number}行有{len(row)}个字段，比表头多出{len(row) - width}个（如“{extra[0][:20]}”），"
                    f"无法对应到列；内容中的英文逗号需用英文双引号括起来，{_SAVE_AS_XLSX}"
                )
    except csv.Error as error:
        raise ReadError(
            f"{file_name}：有超长单元格（超过Excel单元格上限{MAX_CELL_CHARS}个字符），或英文双引号不配对，无法读取"
        ) from error


def _bad_quote_line(text: str, separator: str) -> int | None:
    """The line where the record that csv cannot close starts."""
    reader = csv.reader(io.StringIO(text), delimiter=separator, strict=True)
    start = 1
    try:
        while True:
            start = reader.line_num + 1
            next(reader)
    except StopIteration:
        return None
    except csv.Error:
        return start


# ---------------------------------------------------------------------------------------
# Workbooks


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
    check_workbook(data, file_name)  # before calamine sees it: see etl.intake
    workbook = _calamine(lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)), file_name)
    names = _calamine(lambda: list(workbook.sheet_names), file_name)
    if wanted is not None and wanted not in names:
        raise ReadError(f"{file_name}：没有名为“{wanted}”的工作表（现有：{'、'.join(names)}）")
    sheets: list[Sheet] = []
    skipped: list[tuple[str, SheetError]] = []
    for name in [wanted] if wanted else names:
        where = f"{file_name}［{name}］"
        frame = _sheet_frame(workbook, name, where)
        try:
            if frame is None:
                raise SheetError(where, "工作表是空的")
            sheets.append(_frame_to_sheet(frame, file_name, name))
        except SheetError as error:
            if wanted:
                raise
            skipped.append((name, error))
    if not sheets:
        if len(skipped) == 1:
            raise skipped[0][1]
        if all(error.reason == "工作表是空的" for _, error in skipped):
            raise ReadError(f"{file_name}：文件中没有数据（所有工作表都是空的）")
        reasons = "；".join(f"［{name}］{error.reason}" for name, error in skipped)
        raise ReadError(f"{file_name}：没有可以导入的工作表：{reasons}")
    if skipped:
        sheets[0].warnings.append(f"已跳过没有可识别表头的工作表：{'、'.join(name for name, _ in skipped)}")
    return sheets


def _calamine(call, where: str, what: str = "Excel文件已损坏，无法读取"):
    """A calamine call; whatever it raises (its own errors, OverflowError for a date out of
    range, a Rust panic, which is a BaseException) becomes a ReadError."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as error:  # noqa: B036 - pyo3's PanicException derives from BaseException
        raise ReadError(f"{where}：{what}；请用Excel打开并重新保存后再上传") from error


def _sheet_frame(workbook: python_calamine.CalamineWorkbook, name: str, where: str) -> pl.DataFrame | None:
    """The sheet as text, padded so row i and column j are Excel's row i+1 and column j+1,
    with every merged range filled with its top-left value (a category written once)."""
    sheet = _calamine(lambda: workbook.get_sheet_by_name(name), where, "工作表已损坏，无法读取")
    if sheet.start is None:
        return None
    # skip_empty_area=False keeps the empty rows and columns before the used range, so
    # positions are Excel's own.
    try:
        values = sheet.to_python(skip_empty_area=False)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException:  # noqa: B036 - e.g. OverflowError: a duration beyond timedelta's range
        raise ReadError(f"{where}：{_bad_value_row(sheet)}有无法识别的数值（日期或时间超出范围），请修改后再上传") from None
    rows = [[_cell_text(v) for v in row] for row in values]
    if not rows:
        return None
    width = max(len(r) for r in rows)
    if width > MAX_COLUMNS or width * len(rows) > MAX_CELLS:  # etl.intake checked; this is calamine's own count
        raise ReadError(f"{where}：数据区域有{len(rows)}行 × {width}列，超过上限（{MAX_COLUMNS}列、{MAX_CELLS:,}个单元格）")
    grid = [r + [None] * (width - len(r)) for r in rows]
    merged = _calamine(lambda: list(sheet.merged_cell_ranges or []), where, "工作表已损坏，无法读取")
    clipped = []
    area = 0
    for (top, left), (bottom, right) in merged:
        bottom, right = min(bottom, len(grid) - 1), min(right, width - 1)
        if top > bottom or left > right:
            continue
        clipped.append((top, left, bottom, right))
        area += (bottom - top + 1) * (right - left + 1)
    if area > len(grid) * width:  # Excel never overlaps merged ranges
        raise ReadError(f"{where}：合并单元格区域相互重叠，文件已损坏；请用Excel打开并重新保存后再上传")
    for top, left, bottom, right in clipped:
        value = grid[top][left]
        for r in range(top, bottom + 1):
            grid[r][left:right + 1] = [value] * (right - left + 1)
    columns = [f"column_{j}" for j in range(width)]
    frame = pl.DataFrame(grid, schema={c: pl.String for c in columns}, orient="row")
    _check_cell_sizes(frame, where, excel=True)
    return frame


def _bad_value_row(sheet: python_calamine.CalamineSheet) -> str:
    """Which row calamine cannot convert, found row by row."""
    try:
        rows = sheet.iter_rows()
        number = 0
        while True:
            number += 1
            try:
                next(rows)
            except StopIteration:
                return ""
            except Exception:
                return f"第{number}行"
    except Exception:
        return ""


def _check_cell_sizes(raw: pl.DataFrame, where: str, excel: bool) -> None:
    """No cell longer than Excel's own limit: such text is not a task list."""
    if not raw.width:
        return
    lengths = raw.select(pl.col(c).str.len_chars().max() for c in raw.columns).row(0)
    for j, longest in enumerate(lengths):
        if longest is not None and longest > MAX_CELL_CHARS:
            row = raw.get_column(raw.columns[j]).str.len_chars().arg_max()
            column = f"{column_letter(j)}列" if excel else f"第{j + 1}列"
            raise ReadError(
                f"{where}：第{row + 1}行{column}的单元格有{longest}个字符，超过Excel单元格上限{MAX_CELL_CHARS}个字符"
            )


def _frame_to_sheet(raw: pl.DataFrame, file_name: str, sheet: str | None) -> Sheet:
    """Finds the header row among the first rows; rows above it are the title."""
    raw, cleaned = _strip_unsafe(raw)
    head = raw.head(HEADER_SEARCH_ROWS).rows()
    scores = [header_score(list(row)) for row in head]
    best = max(range(len(scores)), key=lambda i: scores[i], default=0)
    where = f"{file_name}" + (f"［{sheet}］" if sheet else "")
    if not scores or scores[best] < MIN_HEADER_SCORE:
        raise SheetError(where, f"前{HEADER_SEARCH_ROWS}行中没有找到可识别的表头（如“序号”“事项”“牵头单位”“完成时限”）")
    header_cells = head[best]
    title_lines = [
        " ".join(dict.fromkeys(str(c).strip() for c in row if c and str(c).strip()))
        for row in head[:best]
    ]
    columns: list[str] = []
    for j, cell in enumerate(header_cells):
        name = normalize_header(cell) or f"第{j + 1}列"
        if _IDENTIFIER.fullmatch(name):
            # ASCII words are the importer's own column names (deadline, _row, ...): never reuse one.
            name = f"{name}（第{j + 1}列）"
        while name in columns:
            name += "_"
        columns.append(name)
    # Rows with nothing in them, and a repeated header row (page breaks), are not data.
    any_value = pl.any_horizontal([pl.col(c).is_not_null() for c in columns])
    repeated_header = pl.all_horizontal(
        [pl.col(c).eq_missing(normalize_header(h) or None) for c, h in zip(columns, header_cells, strict=False)]
    )
    # One lazy query: cleaned and filtered in one pass, not a copy of the sheet per step.
    data = (
        raw.lazy()
        .slice(best + 1)
        .rename(dict(zip(raw.columns, columns, strict=False)))
        .with_columns([pl.col(c).str.strip_chars().replace("", None) for c in columns])
        .with_columns(pl.int_range(best + 2, best + 2 + pl.len(), dtype=pl.Int64).alias(ROW))
        .filter(any_value & ~repeated_header)
        .collect()
    )
    if data.is_empty():
        raise SheetError(where, f"只有表头（第{best + 1}行），没有数据行")
    fields = map_headers(columns)
    # A task column under a name no list of ours knows: taken by its content, and said.
    guessed, guess_warning = guess_content_column(data, columns, fields)
    if guessed:
        fields["content"] = guessed
    return Sheet(
        file_name=file_name,
        sheet=strip_unsafe(sheet) if sheet else sheet,
        title_lines=[line for line in title_lines if line],
        header_row=best + 1,
        columns=columns,
        fields=fields,
        frame=data,
        warnings=[f"{where}：{guess_warning}"] if guess_warning else [],
        cleaned={columns[j]: count for j, count in cleaned.items()},
    )


def _strip_unsafe(raw: pl.DataFrame) -> tuple[pl.DataFrame, dict[int, int]]:
    """Every cell without control characters (but tab and newline) and bidi controls
    (ledger.chars, the set ui.safe.clean strips on screen), over whole columns; a line end
    written CR LF or CR alone becomes LF and is not counted. Returns the frame and, by column
    position, how many cells had such characters."""
    if not raw.width:
        return raw, {}
    flagged = raw.select(pl.col(c).str.contains(UNSAFE_CLASS).any() for c in raw.columns).row(0)
    touched = [c for c, hit in zip(raw.columns, flagged, strict=True) if hit]
    if not touched:
        return raw, {}
    line_ends = [pl.col(c).str.replace_all("\r\n?", "\n") for c in touched]
    raw = raw.with_columns(line_ends)
    counts = raw.select(pl.col(c).str.contains(UNSAFE_CLASS).sum() for c in touched).row(0)
    raw = raw.with_columns(pl.col(c).str.replace_all(UNSAFE_CLASS, "") for c in touched)
    position = {c: j for j, c in enumerate(raw.columns)}
    return raw, {position[c]: n for c, n in zip(touched, counts, strict=True) if n}
