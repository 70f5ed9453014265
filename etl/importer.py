"""The one import path: files in, validated rows, one transaction out.

The CLI (`python -m etl load`) and the upload page both call `import_files`. Every row is
validated before anything is written; a file with any invalid row commits nothing and
reports every error with its file, sheet, Excel row, column, value and reason (in Chinese).
Work on text (deadlines, unit lists, sources, leaders) is done once per distinct value, not
once per row, so a 100,000-row list costs about as much as its few thousand phrasings.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from etl import sql
from etl.dates import parse_calendar_date
from etl.deadlines import DeadlineError, parse_deadline
from etl.headers import FIELD_LABELS
from etl.reader import ROW, ReadError, Sheet, read_file
from etl.sources import KIND_LABELS, RECTIFICATION_KINDS, kind_code, kind_from_title, number_from_title
from etl.units import (
    Catalog,
    UnitList,
    UnitResolver,
    assign_roles,
    extract_annotated_units,
    infer_unit_kind,
    is_collective,
    split_units,
)
from etl.workcal import WorkCalendar


class ImportFailed(Exception):
    """Raised inside the transaction to roll it back."""


@dataclass(frozen=True)
class InputFile:
    name: str
    data: bytes

    @classmethod
    def from_path(cls, path: str | Path) -> InputFile:
        return cls(name=str(path), data=Path(path).read_bytes())

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class LoadOptions:
    source_kind: str | None = None     # code or the office's word (常务会议, 领导批示, ...)
    source_title: str | None = None
    source_date: date | None = None
    sheet: str | None = None
    actor: str = "cli"
    today: date | None = None          # the import's own date (progress without 填报日期)


@dataclass
class RowError:
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str


@dataclass
class FileReport:
    path: str
    rows: int = 0
    tasks_created: int = 0
    tasks_updated: int = 0
    progress_added: int = 0
    new_units: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    kind: str = ""
    already_imported: bool = False


@dataclass
class ImportResult:
    committed: bool
    batch_id: str | None
    files: list[FileReport]

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in self.files)

    def to_json(self) -> dict:
        files = []
        for report in self.files:
            entry = asdict(report)
            entry.pop("kind")
            entry.pop("already_imported")
            files.append(entry)
        return {"committed": self.committed, "batch_id": self.batch_id, "files": files}


# ---------------------------------------------------------------------------------------
# Shapes of the staged tables (see etl/sql/import.sql).

MILESTONE = pl.Struct({"seq": pl.Int32, "text": pl.String, "deadline": pl.Date})
STAGED_TASKS = {
    "_file": pl.Int32, "_sheet": pl.String, "_row": pl.Int64, "code": pl.String, "source_key": pl.String,
    "item": pl.String, "category": pl.String, "content": pl.String, "leader_name": pl.String,
    "assigned_date": pl.Date, "deadline_kind": pl.String, "deadline": pl.Date, "deadline_text": pl.String,
    "deadline_note": pl.String, "report_cycle": pl.String, "cycle_day": pl.Int32, "open_unit_list": pl.Boolean,
    "lead_units": pl.List(pl.String), "co_units": pl.List(pl.String), "milestones": pl.List(MILESTONE),
    "milestones_text": pl.String, "progress": pl.String, "report_date": pl.Date, "done": pl.Boolean,
    "done_date": pl.Date, "measures": pl.String, "is_rectification": pl.Boolean,
}
STAGED_PROGRESS = {
    "_file": pl.Int32, "_sheet": pl.String, "_row": pl.Int64, "code": pl.String, "source_title": pl.String,
    "item": pl.String, "text": pl.String, "report_date": pl.Date, "done": pl.Boolean, "done_date": pl.Date,
}

_HEADING = re.compile(r"^([一二三四五六七八九十百]+[、.．]|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部分章节篇])")
_NOTE = re.compile(r"^(注|备注|说明|填表|填报人|审核人|联系人|制表|附件)")
_JOIN = "\x1f"  # joins names inside one text value; never part of a name
# A unit cell of plain names between separators: no brackets, 等, 和, roles or numbering.
_SIMPLE_CELL = r"^\p{Han}+(?:[、，,；;]\p{Han}+)*$"
_NOT_SIMPLE = r"[和及与等无]|牵头|配合|负责|协办|主办"
_ANNOTATION_HINT = re.compile(r"单位|牵头|负责|配合|协办")
_ITEM_TRAILER = re.compile(r"[、.．,，\s]+$")
_LEADER_TITLE = re.compile(r"(常务副区长|副区长|区长|常务副市长|副市长|市长|副县长|县长|同志)$")
_YES = {"是", "已办结", "办结", "已完成", "完成", "Y", "y", "yes", "√", "已销号"}
_NO = {"否", "未办结", "未完成", "N", "n", "no", "×", "正在推进", "推进中"}


@dataclass
class _Source:
    kind: str
    title: str
    date: date
    leader: str | None = None
    number: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}\x1f{self.title}"


@dataclass
class _Prepared:
    """One file after validation, before anything is written."""

    index: int                 # position among the import's files (the _file column)
    report: FileReport
    file: InputFile
    sheet_option: str
    tasks: list[pl.DataFrame] = field(default_factory=list)
    progress: list[pl.DataFrame] = field(default_factory=list)
    leaders: list[dict] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)


class _Context:
    """What validation looks up in the ledger, loaded once per import."""

    def __init__(self, con: duckdb.DuckDBPyConnection, options: LoadOptions):
        self.options = options
        self.today = options.today or date.today()
        self.calendar = WorkCalendar()
        known_units = [r[0] for r in con.execute("SELECT name FROM units").fetchall()]
        aliases = dict(
            con.execute("SELECT a.alias, u.name FROM unit_aliases a JOIN units u USING (unit_id)").fetchall()
        )
        self.resolver = UnitResolver(known_units, aliases, Catalog.load())
        self.known_leaders = {r[0] for r in con.execute("SELECT name FROM leaders").fetchall()}
        self.source_dates = {
            f"{kind}\x1f{title}": day
            for kind, title, day in con.execute("SELECT kind, title, date FROM sources").fetchall()
        }
        self.sources: dict[str, _Source] = {}
        self._unit_lists: dict[tuple[str | None, str | None], UnitList | None] = {}
        self._canonical: dict[str, str] = {}
        self.new_leaders: list[str] = []
        self.aliases_seen: dict[str, str] = {}   # written name -> canonical


    def unit_list(self, cell: str | None, annotated: str | None) -> UnitList | None:
        """A unit cell split into names, plus names annotated in the task text; memoised,
        since a list repeats the same few cells thousands of times."""
        key = (cell, annotated)
        if key not in self._unit_lists:
            written = split_units(cell) if cell else None
            names = (written.names if written else ()) + tuple(annotated.split(_JOIN) if annotated else ())
            self._unit_lists[key] = UnitList(
                names=names, open_ended=bool(written and written.open_ended),
                marked_leads=written.marked_leads if written else (),
            ) if names else None
        return self._unit_lists[key]

    def resolve_unit(self, name: str) -> str:
        if name not in self._canonical:
            canonical, _ = self.resolver.resolve(name)
            if canonical != name:
                self.aliases_seen.setdefault(name, canonical)
            self._canonical[name] = canonical
        return self._canonical[name]


# ---------------------------------------------------------------------------------------
# Entry point


def import_files(
    con: duckdb.DuckDBPyConnection,
    files: list[InputFile],
    options: LoadOptions | None = None,
    *,
    commit: bool = True,
) -> ImportResult:
    """Validates every file, then writes them all in one transaction, or nothing.

    With commit=False the whole import runs and is rolled back: the result is the preview of
    what would be created and updated."""
    options = options or LoadOptions()
    context = _Context(con, options)
    prepared: list[_Prepared] = []
    for index, file in enumerate(files):
        prepared.append(_prepare_file(con, index, file, context))
    reports = [p.report for p in prepared]
    if any(r.errors for r in reports):
        return ImportResult(committed=False, batch_id=None, files=reports)
    pending = [p for p in prepared if not p.report.already_imported]
    if not pending:
        return ImportResult(committed=False, batch_id=None, files=reports)

    batch_id = datetime.now().strftime("%Y%m%d%H%M%S-") + uuid.uuid4().hex[:8]
    con.execute("BEGIN TRANSACTION")
    try:
        _write(con, pending, context, batch_id)
        if any(r.errors for r in reports):
            raise ImportFailed
        if not commit:
            raise ImportFailed
        con.execute("COMMIT")
    except ImportFailed:
        con.execute("ROLLBACK")
        return ImportResult(committed=False, batch_id=None, files=reports)
    except Exception:
        con.execute("ROLLBACK")
        raise
    return ImportResult(committed=True, batch_id=batch_id, files=reports)


# ---------------------------------------------------------------------------------------
# Validation


def _prepare_file(con: duckdb.DuckDBPyConnection, index: int, file: InputFile, context: _Context) -> _Prepared:
    report = FileReport(path=file.name)
    sheet_option = context.options.sheet or ""
    prepared = _Prepared(index=index, report=report, file=file, sheet_option=sheet_option)
    earlier = con.execute(
        "SELECT batch_id FROM import_files WHERE sha256 = ? AND sheet = ?", [file.sha256, sheet_option]
    ).fetchone()
    if earlier:
        report.already_imported = True
        report.warnings.append(f"该文件已于批次 {earlier[0]} 导入，内容相同，本次未作任何更改")
        return prepared
    display_name = Path(file.name).name
    try:
        sheets = read_file(file.data, display_name, context.options.sheet)
    except ReadError as error:
        report.errors.append(RowError(sheet=None, row=None, column=None, value=None, message=str(error)))
        return prepared
    kinds = []
    for sheet in sheets:
        report.warnings.extend(sheet.warnings)
        kind = _sheet_kind(sheet)
        kinds.append(kind)
        report.rows += sheet.frame.height
        if kind == "tasks":
            frame = _prepare_tasks(index, sheet, context, report)
            if frame is not None:
                prepared.tasks.append(frame)
        elif kind == "progress":
            prepared.progress.append(_prepare_progress(index, sheet, context, report))
        elif kind == "units":
            prepared.units.extend(_prepare_units(sheet, context, report))
        elif kind == "leaders":
            prepared.leaders.extend(_prepare_leaders(sheet, report))
        else:
            report.errors.append(RowError(
                sheet=sheet.sheet, row=sheet.header_row, column=None, value=None,
                message="无法判断文件类型：表头中没有“事项”类内容列，也不是进展情况、单位或领导名单",
            ))
    report.kind = "+".join(dict.fromkeys(kinds))
    return prepared


def _sheet_kind(sheet: Sheet) -> str | None:
    fields = sheet.fields
    if "content" in fields:
        return "tasks"
    if "progress" in fields and ("code" in fields or "item" in fields):
        return "progress"
    if "unit_name" in fields:
        return "units"
    if "person_name" in fields:
        return "leaders"
    return None


def _text_column(sheet: Sheet, field_name: str) -> pl.Expr:
    column = sheet.fields.get(field_name)
    return pl.col(column) if column else pl.lit(None, dtype=pl.String)


def _error_rows(frame: pl.DataFrame, mask: pl.Expr, column: str | None, value: pl.Expr, message: pl.Expr | str) -> list[RowError]:
    """RowErrors for the rows where mask holds, the message possibly computed per row."""
    message_expr = pl.lit(message) if isinstance(message, str) else message
    hits = frame.filter(mask).select(
        pl.col("_sheet"), pl.col(ROW), value.cast(pl.String).alias("value"), message_expr.alias("message")
    )
    return [
        RowError(sheet=s, row=r, column=column, value=v, message=m)
        for s, r, v, m in hits.iter_rows()
    ]


def _map_distinct(frame: pl.DataFrame, columns: list[str], function, schema: dict) -> pl.DataFrame:
    """Applies function once per distinct combination of columns and joins the results back."""
    keys = frame.select(columns).unique(maintain_order=True)
    results = [function(*row) for row in keys.iter_rows()]
    by_column = list(zip(*results, strict=False)) if results else [()] * len(schema)
    mapped = pl.DataFrame(
        [pl.Series(name, values, dtype=dtype) for (name, dtype), values in zip(schema.items(), by_column, strict=True)]
    )
    return frame.join(pl.concat([keys, mapped], how="horizontal"), on=columns, how="left", nulls_equal=True)


def _prepare_tasks(index: int, sheet: Sheet, context: _Context, report: FileReport) -> pl.DataFrame | None:
    columns = sheet.columns
    frame = sheet.frame.with_columns(_sheet=pl.lit(sheet.sheet, dtype=pl.String))

    # Section headings (一、…) and notes (注：…) are rows with one distinct value in them.
    values = pl.concat_list([pl.col(c) for c in columns]).list.drop_nulls().list.unique()
    frame = frame.with_columns(_single=pl.when(values.list.len() == 1).then(values.list.first()))
    content = _text_column(sheet, "content")
    is_note = pl.col("_single").str.contains(_NOTE.pattern)
    is_heading = pl.col("_single").is_not_null() & ~is_note & (
        pl.col("_single").str.contains(_HEADING.pattern) | content.is_null()
    ) & ~pl.col("_single").str.contains(r"^\d+[、.．]?$")
    frame = frame.with_columns(
        _heading=pl.when(is_heading).then(pl.col("_single")).forward_fill(),
        _skip=(is_heading | is_note).fill_null(False),
    ).filter(~pl.col("_skip"))
    if frame.is_empty():
        report.errors.append(RowError(sheet.sheet, sheet.header_row, None, None, "没有督办事项数据行"))
        return None

    # Meeting columns written once for a group of rows (exported merged cells) carry down.
    carried = ("source_title", "source_date", "source_kind", "category")
    frame = frame.with_columns([
        _text_column(sheet, name).forward_fill().alias(f"_{name}") if name in sheet.fields
        else pl.lit(None, dtype=pl.String).alias(f"_{name}")
        for name in carried
    ])
    frame = frame.with_columns(
        _content=content,
        _item=_text_column(sheet, "item").str.replace(_ITEM_TRAILER.pattern, ""),
        _code=_text_column(sheet, "code"),
        _lead=_text_column(sheet, "lead_units"),
        _responsible=_text_column(sheet, "responsible_units"),
        _co=_text_column(sheet, "co_units"),
        _leader=_text_column(sheet, "leader"),
        _deadline=_text_column(sheet, "deadline"),
        _progress=_text_column(sheet, "progress"),
        _report_date=_text_column(sheet, "report_date"),
        _done=_text_column(sheet, "done_flag"),
        _done_date=_text_column(sheet, "done_date"),
        _measures=_text_column(sheet, "measures"),
        _directive_leader=_text_column(sheet, "directive_leader"),
        _directive_date=_text_column(sheet, "directive_date"),
        _directive_number=_text_column(sheet, "directive_number"),
        category=pl.coalesce(_text_column(sheet, "category").forward_fill(), pl.col("_heading")),
    )
    errors: list[RowError] = []
    label = FIELD_LABELS

    # Sources: from meeting or directive columns, or the options.
    frame = _map_distinct(
        frame,
        ["_source_title", "_source_date", "_source_kind", "_directive_leader", "_directive_date", "_directive_number"],
        lambda *row: _row_source(context, *row),
        {"source_key": pl.String, "assigned_date": pl.Date, "_source_error": pl.String},
    )
    errors += _error_rows(frame, pl.col("_source_error").is_not_null(), sheet.fields.get("source_title"),
                          pl.coalesce("_source_title", "_directive_leader"), pl.col("_source_error"))

    # Content, with units annotated inside it taken out.
    # Only text that mentions units is searched for annotations: most rows have none.
    annotated = pl.col("_content").str.contains(_ANNOTATION_HINT.pattern).fill_null(False)
    frame = frame.with_columns(_annotated_text=pl.when(annotated).then(pl.col("_content")))
    frame = _map_distinct(frame, ["_annotated_text"], _annotation, {
        "_cleaned": pl.String, "_ann_lead": pl.String, "_ann_co": pl.String,
        "_ann_responsible": pl.String, "_ann_open": pl.Boolean,
    }).with_columns(content=pl.when(annotated).then(pl.col("_cleaned")).otherwise(pl.col("_content")))
    errors += _error_rows(frame, pl.col("content").is_null(), sheet.fields.get("content"), pl.col("_content"),
                          f"缺少{label['content']}内容")

    # Units: split, roles, canonical names.
    first_leads = "lead_units" not in sheet.fields
    simple = pl.all_horizontal(
        [pl.col(c).is_null() | (pl.col(c).str.contains(_SIMPLE_CELL) & ~pl.col(c).str.contains(_NOT_SIMPLE))
         for c in ("_lead", "_responsible", "_co")]
        + [pl.col(c).is_null() for c in ("_ann_lead", "_ann_co", "_ann_responsible")]
    )
    frame = frame.with_columns(_simple_units=simple)
    simple_rows = _simple_unit_roles(frame.filter("_simple_units"), first_leads, context)
    frame = _map_distinct(
        frame.filter(~pl.col("_simple_units")),
        ["_lead", "_responsible", "_co", "_ann_lead", "_ann_co", "_ann_responsible", "_ann_open"],
        lambda *row: _unit_roles(context, first_leads, *row),
        {"_lead_units": pl.String, "_co_units": pl.String, "open_unit_list": pl.Boolean},
    ).with_columns(
        # Lists travel as joined text: building list Series from Python is the slow part.
        lead_units=pl.col("_lead_units").str.split(_JOIN).list.filter(pl.element() != ""),
        co_units=pl.col("_co_units").str.split(_JOIN).list.filter(pl.element() != ""),
    ).drop("_lead_units", "_co_units")
    frame = pl.concat([simple_rows, frame.select(simple_rows.columns)], how="vertical_relaxed").sort(ROW)
    unit_column = sheet.fields.get("lead_units") or sheet.fields.get("responsible_units")
    errors += _error_rows(frame, pl.col("lead_units").list.len() == 0, unit_column,
                          pl.coalesce("_lead", "_responsible"), "缺少牵头单位（责任单位）")

    # Deadlines, relative to the source's date.
    frame = _map_distinct(frame, ["_deadline", "assigned_date"], lambda text, base: _deadline(context, text, base), {
        "deadline_kind": pl.String, "deadline": pl.Date, "deadline_note": pl.String, "report_cycle": pl.String,
        "cycle_day": pl.Int32, "milestones": pl.List(MILESTONE), "milestones_text": pl.String,
        "_uncovered": pl.String, "_deadline_error": pl.String,
    })
    errors += _error_rows(frame, pl.col("_deadline_error").is_not_null() & pl.col("_source_error").is_null(),
                          sheet.fields.get("deadline"), pl.col("_deadline"), pl.col("_deadline_error"))
    uncovered = frame.filter(pl.col("_uncovered").is_not_null()).group_by("_uncovered").len().sort("_uncovered")
    for years, count in uncovered.iter_rows():
        report.warnings.append(f"{sheet.label}：{count}项完成时限按工作日推算到{years}年，"
                               f"该年节假日安排未载入（data/holidays.csv），已按周末推算，请核对")

    # Leaders, dates of progress and closing.
    frame = _map_distinct(frame, ["_leader"], lambda name: (_leader_name(context, name),), {"leader_name": pl.String})
    frame = _map_distinct(frame, ["_report_date"], lambda t: (parse_calendar_date(t),), {"report_date": pl.Date})
    frame = _map_distinct(frame, ["_done_date"], lambda t: (parse_calendar_date(t),), {"done_date": pl.Date})
    frame = _map_distinct(frame, ["_done"], _yes_no, {"done": pl.Boolean, "_done_error": pl.String})
    errors += _error_rows(frame, pl.col("_report_date").is_not_null() & pl.col("report_date").is_null(),
                          sheet.fields.get("report_date"), pl.col("_report_date"), "无法识别的日期")
    errors += _error_rows(frame, pl.col("_done_date").is_not_null() & pl.col("done_date").is_null(),
                          sheet.fields.get("done_date"), pl.col("_done_date"), "无法识别的日期")
    errors += _error_rows(frame, pl.col("_done_error").is_not_null(), sheet.fields.get("done_flag"),
                          pl.col("_done"), pl.col("_done_error"))

    # 序号: as written, or the row's order within its source when the list has none.
    if "item" not in sheet.fields:
        report.warnings.append(f"{sheet.label}：没有“序号”列，按行顺序编号")
        frame = frame.with_columns(_item=pl.int_range(1, pl.len() + 1).over("source_key").cast(pl.String))
    frame = frame.with_columns(item=pl.col("_item"), code=pl.col("_code"))
    errors += _error_rows(frame, pl.col("item").is_null() & pl.col("content").is_not_null(),
                          sheet.fields.get("item"), pl.col("_item"), "缺少序号")
    duplicate_key = (pl.len().over("source_key", "item") > 1) & pl.col("item").is_not_null() & pl.col("code").is_null()
    errors += _error_rows(frame, duplicate_key, sheet.fields.get("item"), pl.col("item"),
                          "同一来源中序号重复（" + pl.col("source_key").str.split("\x1f").list.last() + "）")
    errors += _error_rows(frame, pl.col("code").is_not_null() & (pl.len().over("code") > 1),
                          sheet.fields.get("code"), pl.col("code"), "督办编号重复")

    for error in errors:
        error.sheet = sheet.sheet
    report.errors.extend(errors)
    kind_of_source = pl.col("source_key").str.split("\x1f").list.first()
    return frame.with_columns(
        _file=pl.lit(index, dtype=pl.Int32),
        deadline_text=pl.col("_deadline"),
        progress=pl.col("_progress"),
        measures=pl.col("_measures"),
        done=pl.col("done").fill_null(False),
        is_rectification=kind_of_source.is_in(list(RECTIFICATION_KINDS)),
    ).select([pl.col(name).cast(dtype) for name, dtype in STAGED_TASKS.items()])


def _row_source(context: _Context, title, day, kind, directive_leader, directive_date, directive_number):
    """(source key, its date, error) for one distinct combination of source columns."""
    options = context.options
    option_kind = kind_code(options.source_kind) if options.source_kind else None
    if title:
        found_kind = kind_code(kind) or kind_from_title(title) or option_kind
        found_date = parse_calendar_date(day) or parse_calendar_date(title)
        if not found_kind:
            return None, None, f"无法判断来源“{title}”的类型，请在导入时指定来源类型"
        if not found_date:
            return None, None, f"来源“{title}”缺少日期（会议日期）" if not day else f"无法识别的会议日期：“{day}”"
        source = _Source(found_kind, title.strip(), found_date, number=number_from_title(title))
    elif directive_leader or directive_date:
        found_date = parse_calendar_date(directive_date)
        leader = _leader_name(context, directive_leader) if directive_leader else None
        if not found_date:
            return None, None, f"无法识别的批示时间：“{directive_date or ''}”"
        if not leader:
            return None, None, "缺少批示领导"
        found_kind = option_kind if option_kind in ("directive", "assigned") else "directive"
        verb = "交办" if found_kind == "assigned" else "批示"
        title_text = directive_number or f"{leader}同志{found_date.year}年{found_date.month}月{found_date.day}日{verb}"
        source = _Source(found_kind, title_text, found_date, leader=leader, number=directive_number)
    elif options.source_title or options.source_kind:
        if not option_kind:
            return None, None, f"无法识别的来源类型：“{options.source_kind or ''}”"
        if not options.source_title:
            return None, None, "导入时指定了来源类型，但没有指定来源名称"
        if not options.source_date:
            return None, None, f"来源“{options.source_title}”缺少日期，请指定来源日期"
        source = _Source(option_kind, options.source_title, options.source_date,
                         number=number_from_title(options.source_title))
    else:
        return None, None, "无法确定来源：文件中没有“会议名称”或“批示领导”列，导入时也未指定来源"
    known_date = context.source_dates.get(source.key) or context.sources.get(source.key, source).date
    if known_date != source.date:
        return None, None, f"来源“{source.title}”的日期{source.date}与台账中已有的{known_date}不一致"
    context.sources.setdefault(source.key, source)
    return source.key, source.date, None


def _annotation(text: str | None):
    if not text:
        return None, None, None, None, False
    found = extract_annotated_units(text)
    lists = (found.lead, found.co, found.responsible)
    # Joined into plain text so the distinct-value join below works on text keys.
    return (
        found.text or None,
        *[_JOIN.join(u.names) if u and u.names else None for u in lists],
        any(u.open_ended for u in lists if u),
    )


def _simple_unit_roles(frame: pl.DataFrame, first_leads: bool, context: _Context) -> pl.DataFrame:
    """Roles for rows whose unit cells are plain names between separators (most rows of a
    large list), in polars over whole columns; the same rules as etl.units.assign_roles."""
    def names(column: str) -> pl.Expr:
        return pl.col(column).str.replace_all(r"[，,；;]", "、").str.split("、").fill_null(pl.lit([], dtype=pl.List(pl.String)))

    frame = frame.with_columns(_l=names("_lead"), _r=names("_responsible"), _c=names("_co"))
    written = pl.concat([frame["_l"].explode(), frame["_r"].explode(), frame["_c"].explode()]).drop_nulls().unique()
    canonical = {name: context.resolve_unit(name) for name in written.to_list() if name}
    resolve = pl.element().replace_strict(canonical, default=pl.element())
    frame = frame.with_columns([pl.col(c).list.eval(resolve) for c in ("_l", "_r", "_c")])
    has_lead = pl.col("_l").list.len() > 0
    if first_leads:
        lead = pl.when(has_lead).then("_l").otherwise(pl.col("_r").list.head(1))
        rest = pl.when(has_lead).then("_r").otherwise(pl.col("_r").list.slice(1))
    else:
        lead = pl.when(has_lead).then("_l").otherwise("_r")
        rest = pl.when(has_lead).then("_r").otherwise(pl.lit([], dtype=pl.List(pl.String)))
    frame = frame.with_columns(
        lead_units=lead.list.unique(maintain_order=True),
        _co_all=pl.concat_list(pl.col("_c"), rest).list.unique(maintain_order=True),
        open_unit_list=pl.lit(False),
        _i=pl.int_range(pl.len()),
    )
    # A lead is never also a co-unit: drop it from the co list, keeping the written order.
    co_units = (
        frame.select("_i", name=pl.col("_co_all")).explode("name").drop_nulls("name")
        .join(frame.select("_i", name=pl.col("lead_units")).explode("name"), on=["_i", "name"], how="anti")
        .group_by("_i", maintain_order=True).agg(co_units=pl.col("name"))
    )
    return (
        frame.join(co_units, on="_i", how="left")
        .with_columns(pl.col("co_units").fill_null(pl.lit([], dtype=pl.List(pl.String))))
        .drop("_l", "_r", "_c", "_co_all", "_i")
    )


def _unit_roles(context: _Context, first_leads: bool, lead, responsible, co, ann_lead, ann_co, ann_responsible, ann_open):
    roles = assign_roles(
        context.unit_list(lead, ann_lead), context.unit_list(responsible, ann_responsible),
        context.unit_list(co, ann_co), first_leads,
    )
    leads = list(dict.fromkeys(context.resolve_unit(n) for n in roles.lead))
    cos = [u for u in dict.fromkeys(context.resolve_unit(n) for n in roles.co) if u not in leads]
    return _JOIN.join(leads), _JOIN.join(cos), roles.open_ended or bool(ann_open)


def _deadline(context: _Context, text: str | None, base: date | None):
    if base is None:
        return (None,) * 8 + ("来源未确定，无法计算完成时限",)
    try:
        parsed = parse_deadline(text, base, context.calendar)
    except DeadlineError as error:
        return (None,) * 8 + (str(error),)
    milestones = [{"seq": i + 1, "text": m.text, "deadline": m.date} for i, m in enumerate(parsed.milestones)]
    milestones_text = "；".join(f"{m['text']}＠{m['deadline'] or ''}" for m in milestones) or None
    uncovered = "、".join(str(y) for y in parsed.uncovered_years) or None
    return (parsed.kind, parsed.date, parsed.note, parsed.cycle, parsed.cycle_day, milestones, milestones_text,
            uncovered, None)


def _leader_name(context: _Context, written: str | None) -> str | None:
    """A leader as a list writes them (张三副区长, 张三同志, 张三、李四): the first named person."""
    if not written:
        return None
    first = re.split(r"[、，,；;/\s]+", written.strip())[0]
    name = _LEADER_TITLE.sub("", first) or first
    if name not in context.known_leaders:
        context.known_leaders.add(name)
        context.new_leaders.append(name)
    return name


def _yes_no(text: str | None):
    if text is None:
        return None, None
    value = text.strip()
    if value in _YES:
        return True, None
    if value in _NO:
        return False, None
    return None, f"“是否办结”应填“是”或“否”，而不是“{value}”"


def _prepare_progress(index: int, sheet: Sheet, context: _Context, report: FileReport) -> pl.DataFrame:
    frame = sheet.frame.with_columns(
        _sheet=pl.lit(sheet.sheet, dtype=pl.String),
        _file=pl.lit(index, dtype=pl.Int32),
        code=_text_column(sheet, "code"),
        source_title=_text_column(sheet, "source_title").forward_fill().fill_null(
            pl.lit(context.options.source_title, dtype=pl.String)),
        item=_text_column(sheet, "item").str.replace(_ITEM_TRAILER.pattern, ""),
        text=_text_column(sheet, "progress"),
        _report_date=_text_column(sheet, "report_date"),
        _done=_text_column(sheet, "done_flag"),
        _done_date=_text_column(sheet, "done_date"),
    )
    frame = _map_distinct(frame, ["_report_date"], lambda t: (parse_calendar_date(t),), {"report_date": pl.Date})
    frame = _map_distinct(frame, ["_done_date"], lambda t: (parse_calendar_date(t),), {"done_date": pl.Date})
    frame = _map_distinct(frame, ["_done"], _yes_no, {"done": pl.Boolean, "_done_error": pl.String})
    fields = sheet.fields
    errors = []
    errors += _error_rows(frame, pl.col("code").is_null() & (pl.col("source_title").is_null() | pl.col("item").is_null()),
                          fields.get("code") or fields.get("item"), pl.coalesce("code", "item"),
                          "无法确定对应的督办事项：需要“督办编号”，或“会议名称/来源”加“序号”")
    errors += _error_rows(frame, pl.col("text").is_null() & pl.col("done").is_null(), fields.get("progress"),
                          pl.col("text"), "缺少进展情况")
    errors += _error_rows(frame, pl.col("_report_date").is_not_null() & pl.col("report_date").is_null(),
                          fields.get("report_date"), pl.col("_report_date"), "无法识别的日期")
    errors += _error_rows(frame, pl.col("_done_date").is_not_null() & pl.col("done_date").is_null(),
                          fields.get("done_date"), pl.col("_done_date"), "无法识别的日期")
    errors += _error_rows(frame, pl.col("_done_error").is_not_null(), fields.get("done_flag"),
                          pl.col("_done"), pl.col("_done_error"))
    report.errors.extend(errors)
    return frame.with_columns(done=pl.col("done").fill_null(False)).select(
        [pl.col(name).cast(dtype) for name, dtype in STAGED_PROGRESS.items()]
    )


def _prepare_units(sheet: Sheet, context: _Context, report: FileReport) -> list[dict]:
    """A unit list (单位名称, 简称, 单位类型, 分管领导): the office's own names and short forms."""
    units = []
    column = sheet.fields["unit_name"]
    for row in sheet.frame.iter_rows(named=True):
        name = row[column]
        if not name:
            report.errors.append(RowError(sheet.sheet, row[ROW], column, None, "缺少单位名称"))
            continue
        canonical = name.strip()
        aliases = split_units(row.get(sheet.fields.get("unit_aliases", ""), None)).names
        leader = _leader_name(context, row.get(sheet.fields.get("leader", ""), None))
        kind = (row.get(sheet.fields.get("unit_kind", ""), None) or infer_unit_kind(canonical)).strip()
        units.append({"name": canonical, "aliases": [a for a in aliases if a != canonical], "kind": kind, "leader": leader})
        context.resolver.register(canonical, aliases)
    return units


def _prepare_leaders(sheet: Sheet, report: FileReport) -> list[dict]:
    leaders = []
    fields = sheet.fields
    for row in sheet.frame.iter_rows(named=True):
        name = row[fields["person_name"]]
        if not name:
            report.errors.append(RowError(sheet.sheet, row[ROW], fields["person_name"], None, "缺少姓名"))
            continue
        title = row.get(fields.get("person_title", ""), None)
        rank_text = row.get(fields.get("person_rank", ""), None)
        if rank_text and not rank_text.isdigit():
            report.errors.append(RowError(sheet.sheet, row[ROW], fields.get("person_rank"), rank_text, "排序应为整数"))
            continue
        leaders.append({
            "name": name.strip(), "title": title, "rank": int(rank_text) if rank_text else None,
            "is_principal": bool(title) and title.strip() in ("区长", "市长", "县长"),
        })
    return leaders


# ---------------------------------------------------------------------------------------
# Writing, inside the transaction


def _write(con: duckdb.DuckDBPyConnection, prepared: list[_Prepared], context: _Context, batch_id: str) -> None:
    params = {"now": datetime.now(), "today": context.today, "actor": context.options.actor, "batch": batch_id}
    statements = sql.statements("import")

    def run(name: str, *keys: str):
        return con.execute(statements[name], {k: params[k] for k in keys})

    _write_leaders(con, prepared, context, params)
    _write_units(con, prepared, context, params)
    source_ids = _write_sources(con, context, params)
    leader_ids = dict(con.execute("SELECT name, leader_id FROM leaders").fetchall())

    tasks = pl.concat([f for p in prepared for f in p.tasks], how="vertical") if any(p.tasks for p in prepared) \
        else pl.DataFrame(schema=STAGED_TASKS)
    staged_tasks = tasks.with_columns(
        source_id=pl.col("source_key").replace_strict(source_ids, default=None, return_dtype=pl.Int32),
        leader_id=pl.col("leader_name").replace_strict(leader_ids, default=None, return_dtype=pl.Int32),
    )
    progress = [f for p in prepared for f in p.progress]
    staged_progress = pl.concat(progress) if progress else pl.DataFrame(schema=STAGED_PROGRESS)
    # DuckDB reads the frames by their local names (a replacement scan); the names differ
    # from the temp tables', or a second import on this connection would read the first's.
    incoming_tasks = staged_tasks  # noqa: F841
    incoming_progress = staged_progress  # noqa: F841
    con.execute("CREATE OR REPLACE TEMP TABLE staged_tasks AS SELECT * FROM incoming_tasks")
    con.execute("CREATE OR REPLACE TEMP TABLE staged_progress AS SELECT * FROM incoming_progress")

    run("match_tasks")
    run("snapshot_before")
    run("find_changes")
    run("insert_new_tasks", "batch")
    run("link_new_tasks")
    run("audit_creates", "now", "actor", "batch")
    run("audit_updates", "now", "actor", "batch")
    run("update_tasks", "batch")
    run("unlink_changed_units")
    run("link_units")
    run("unlink_changed_milestones")
    run("insert_milestones")
    run("upsert_rectifications")
    missing = run("missing_rows").fetchall()
    run("task_reports")
    run("match_progress")
    unmatched = con.execute(
        "SELECT _file, _sheet, _row, coalesce(code, source_title || ' 第' || item || '项') FROM matched_progress WHERE task_id IS NULL"
    ).fetchall()
    by_file = {p.index: p.report for p in prepared}
    for file_index, sheet, row, value in unmatched:
        by_file[file_index].errors.append(RowError(sheet, row, None, value, "台账中找不到对应的督办事项"))
    if unmatched:
        raise ImportFailed
    run("progress_reports")
    progress_before = con.execute("SELECT count(*) FROM progress").fetchone()[0]
    progress_by_file = con.execute(
        "SELECT _file, count(DISTINCT (task_id, text)) FROM reports r WHERE text IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM progress p WHERE p.task_id = r.task_id AND p.text = r.text) GROUP BY _file"
    ).fetchall()
    run("add_progress", "today", "actor", "batch")
    assert con.execute("SELECT count(*) FROM progress").fetchone()[0] >= progress_before
    run("closures", "today")
    run("audit_closures", "now", "actor", "batch")
    run("close_tasks", "batch")

    for file_index, created, updated in con.execute(
        "SELECT _file, count(*) FILTER (WHERE is_new), count(DISTINCT task_id) FILTER (WHERE task_id IN (SELECT task_id FROM changes)) "
        "FROM matched GROUP BY _file"
    ).fetchall():
        by_file[file_index].tasks_created = created
        by_file[file_index].tasks_updated = updated
    for file_index, added in progress_by_file:
        by_file[file_index].progress_added = added
    for file_index, title, item, code in missing:
        by_file[file_index].warnings.append(f"{title} 第{item}项（{code}）不在本次文件中，已保留，未删除")

    _record_batch(con, prepared, context, params)


def _write_leaders(con, prepared: list[_Prepared], context: _Context, params: dict) -> None:
    for p in prepared:
        for leader in p.leaders:
            existing = con.execute("SELECT title, rank FROM leaders WHERE name = ?", [leader["name"]]).fetchone()
            if existing is None:
                con.execute(
                    "INSERT INTO leaders (name, title, rank, is_principal) VALUES ($name, $title, $rank, $is_principal)",
                    leader,
                )
                _audit(con, params, "create", "leader", leader["name"], None, None, leader["title"])
            elif existing != (leader["title"], leader["rank"]):
                con.execute(
                    "UPDATE leaders SET title = $title, rank = $rank, is_principal = $is_principal WHERE name = $name",
                    leader,
                )
                _audit(con, params, "update", "leader", leader["name"], "title", existing[0], leader["title"])
    for name in context.new_leaders:
        if con.execute("SELECT 1 FROM leaders WHERE name = ?", [name]).fetchone() is None:
            con.execute("INSERT INTO leaders (name) VALUES (?)", [name])
            _audit(con, params, "create", "leader", name, None, None, None)
            for p in prepared:
                if name in _leaders_named_in(p):
                    p.report.warnings.append(f"新增领导：{name}（台账中原无此人，已登记）")
                    break


def _leaders_named_in(prepared: _Prepared) -> set[str]:
    names: set[str] = set()
    for frame in prepared.tasks:
        names.update(n for n in frame["leader_name"].unique().to_list() if n)
    for unit in prepared.units:
        if unit["leader"]:
            names.add(unit["leader"])
    return names


def _write_units(con, prepared: list[_Prepared], context: _Context, params: dict) -> None:
    leader_ids = dict(con.execute("SELECT name, leader_id FROM leaders").fetchall())
    for p in prepared:
        for unit in p.units:
            leader_id = leader_ids.get(unit["leader"]) if unit["leader"] else None
            existing = con.execute("SELECT unit_id, kind, leader_id FROM units WHERE name = ?", [unit["name"]]).fetchone()
            if existing is None:
                con.execute(
                    "INSERT INTO units (name, kind, leader_id, is_collective, created_batch) VALUES (?, ?, ?, ?, ?)",
                    [unit["name"], unit["kind"], leader_id, is_collective(unit["name"]), params["batch"]],
                )
                _audit(con, params, "create", "unit", unit["name"], None, None, unit["kind"])
            elif (existing[1], existing[2]) != (unit["kind"], leader_id):
                con.execute("UPDATE units SET kind = ?, leader_id = ? WHERE unit_id = ?", [unit["kind"], leader_id, existing[0]])
                _audit(con, params, "update", "unit", unit["name"], "kind/leader", f"{existing[1]}/{existing[2]}",
                       f"{unit['kind']}/{leader_id}")
            for alias in unit["aliases"]:
                context.aliases_seen[alias] = unit["name"]
    # Units first seen in task lists: registered, and named in the report as new.
    known = {r[0] for r in con.execute("SELECT name FROM units").fetchall()}
    for name in context.resolver.new_units():
        if name in known:
            continue
        con.execute(
            "INSERT INTO units (name, kind, is_collective, created_batch) VALUES (?, ?, ?, ?)",
            [name, infer_unit_kind(name), is_collective(name), params["batch"]],
        )
        known.add(name)
        _audit(con, params, "create", "unit", name, None, None, infer_unit_kind(name))
        for p in prepared:
            if any(name in lst for f in p.tasks for lst in (f["lead_units"].explode().unique().to_list(),
                                                           f["co_units"].explode().unique().to_list())):
                p.report.new_units.append(name)
                break
    for alias, canonical in context.aliases_seen.items():
        con.execute(
            "INSERT INTO unit_aliases SELECT ?, unit_id FROM units WHERE name = ? ON CONFLICT DO NOTHING",
            [alias, canonical],
        )


def _write_sources(con, context: _Context, params: dict) -> dict[str, int]:
    for source in context.sources.values():
        if source.key in context.source_dates:
            continue
        leader_id = None
        if source.leader:
            row = con.execute("SELECT leader_id FROM leaders WHERE name = ?", [source.leader]).fetchone()
            leader_id = row[0] if row else None
        con.execute(
            "INSERT INTO sources (kind, title, number, date, leader_id) VALUES (?, ?, ?, ?, ?)",
            [source.kind, source.title, source.number, source.date, leader_id],
        )
        _audit(con, params, "create", "source", source.title, None, None, f"{KIND_LABELS[source.kind]} {source.date}")
    return {f"{k}\x1f{t}": i for k, t, i in con.execute("SELECT kind, title, source_id FROM sources").fetchall()}


def _record_batch(con, prepared: list[_Prepared], context: _Context, params: dict) -> None:
    reports = [p.report for p in prepared]
    con.execute(
        "INSERT INTO import_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [params["batch"], params["now"], params["actor"], len(reports), sum(r.rows for r in reports),
         sum(r.tasks_created for r in reports), sum(r.tasks_updated for r in reports),
         sum(r.progress_added for r in reports)],
    )
    for p in prepared:
        r = p.report
        con.execute(
            "INSERT INTO import_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [params["batch"], Path(r.path).name, p.file.sha256, p.sheet_option, r.kind or "", r.rows,
             r.tasks_created, r.tasks_updated, r.progress_added, r.new_units, r.warnings],
        )
    _audit(con, params, "import", "batch", params["batch"], None, None,
           "、".join(Path(r.path).name for r in reports))


def _audit(con, params: dict, action: str, entity: str, entity_id: str, field_name, before, after) -> None:
    con.execute(
        "INSERT INTO audit_log (logged_at, actor, action, entity, entity_id, field, before, after, batch_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [params["now"], params["actor"], action, entity, entity_id, field_name,
         None if before is None else str(before), None if after is None else str(after), params["batch"]],
    )
