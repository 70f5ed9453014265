"""The one import path: files in, validated rows, one transaction out.

The CLI (`python -m etl load`) and the upload page both call `import_locked`: the ledger's
facts (LedgerFacts) read under the shared lock, every file validated holding no lock
(`validate_files`), the exclusive lock taken only to write (`write_validated`, which validates
again if the facts changed in between). `import_files` runs the same steps on one connection.
Every row is validated before anything is written; a file with any invalid row commits nothing
and reports every error with its file, sheet, Excel row, column, value and reason (in Chinese).
Every cell arrives without control or bidi characters (etl.reader, said once per file in the
report), and a name that does not look like a unit is never registered (_Context.unit_name_problem).

Import what the office has, flag what is missing (issue 9): a row without a deadline, or with
one that cannot be read completely, is imported 未明确时限 (deadline kind none) unless its task
text or the import's default_deadline gives one; a row without a lead unit is imported
待明确责任单位 after its task text was read for units (etl.prose.read_actors); a name that is no
unit, a 状态 column's 滞后, a completion the list claims: each is a flag on the row (task_flags,
ledger.vocabulary.FLAG_LABELS), in the report, the preview and the task's detail, never an
error. Columns the importer does not read are kept with each task (task_kept_columns). Only
what is malformed (an impossible date, a row with content but no 序号) refuses the file.
Work on text (deadlines, unit lists, sources, leaders) is done once per distinct value, not
once per row, so a 100,000-row list costs about as much as its few thousand phrasings.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from etl import sql
from etl.dates import parse_calendar_date
from etl.deadlines import DeadlineError, deadline_in_text, parse_deadline
from etl.headers import FIELD_LABELS
from etl.people import leader_in_heading, split_people
from etl.prose import read_actors, read_unit_cell
from etl.reader import ROW, ReadError, Sheet, read_file
from etl.sandbox import read_file_isolated
from etl.sources import (
    ANNUAL_KINDS,
    KIND_LABELS,
    RECTIFICATION_KINDS,
    kind_code,
    kind_from_title,
    month_day,
    number_from_title,
    read_list_title,
)
from etl.units import (
    OPEN_SUFFIX_PATTERN,
    PREFIX_CARRY_PATTERNS,
    Catalog,
    UnitList,
    UnitResolver,
    assign_roles,
    extract_annotated_units,
    infer_unit_kind,
    is_collective,
    may_take_prefix,
    normalize_unit_name,
    split_units,
)
from ledger import audit, integrity, task_fields
from ledger.task_fields import MILESTONE
from ledger.vocabulary import FLAG_LABELS
from ledger.workcal import WorkCalendar


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
    # The 完成时限 of rows that give none, in the office's words (年底前); each such row is
    # flagged 采用默认时限. None: such rows are imported 未明确时限, flagged.
    default_deadline: str | None = None


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
    # What the import could not read or had to assume, row by row ({sheet, row, column, kind,
    # label, text}), and the columns it does not know, kept with each task (names as written).
    flags: list[dict] = field(default_factory=list)
    kept_columns: list[str] = field(default_factory=list)
    # The task rows as the import reads them (ROW_PREVIEW), for the preview before 确认导入;
    # not part of the JSON report (a list of 100,000 rows would be all of it).
    preview: pl.DataFrame | None = field(default=None, repr=False, compare=False)


@dataclass
class ImportResult:
    committed: bool
    batch_id: str | None
    files: list[FileReport]
    timings: dict[str, float] = field(default_factory=dict)   # seconds by phase (bench/bench_etl.py)
    revalidated: bool = False   # the ledger changed between validation and write: validated again (write_validated)

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in self.files)

    def to_json(self) -> dict:
        files = []
        for report in self.files:
            entry = asdict(replace(report, preview=None))
            entry.pop("preview")
            entry.pop("kind")
            entry.pop("already_imported")
            files.append(entry)
        return {"committed": self.committed, "batch_id": self.batch_id, "files": files}


# ---------------------------------------------------------------------------------------
# Shapes of the staged tables (see etl/sql/import.sql).

# A staged task row: the import fields (ledger/task_fields.py) but those resolved in the
# transaction (the source's id, the units' ids), and what the import needs beside them.
RESOLVED_IN_WRITE = ("source_id", "lead_units", "co_units")
STAGED_TASKS = {
    "_file": pl.Int32, "_sheet": pl.String, "_row": pl.Int64, "_key": pl.UInt32, "source_key": pl.String,
    **{f.name: f.dtype for f in task_fields.FIELDS if f.name not in RESOLVED_IN_WRITE},
    "_milestones": pl.List(MILESTONE), "progress": pl.String, "report_date": pl.Date, "done": pl.Boolean,
    "done_date": pl.Date, "is_rectification": pl.Boolean,
    "_leaders": pl.String,   # every leader named (_leader_names), for task_leaders
}
# The units of the staged tasks, one row per unit of a task row (its _key), in role order:
# leads at positions 1.., co-units at 101.., as written.
STAGED_UNITS = {"_key": pl.UInt32, "name": pl.String, "_is_lead": pl.Boolean, "position": pl.Int32}
# A task row's flags (FLAG_LABELS) and its kept columns (a column the importer does not know).
STAGED_FLAGS = {"_key": pl.UInt32, "_sheet": pl.String, "_row": pl.Int64, "kind": pl.String, "column": pl.String,
                "text": pl.String}
STAGED_KEPT = {"_key": pl.UInt32, "position": pl.Int32, "name": pl.String, "value": pl.String}
STAGED_PROGRESS = {
    "_file": pl.Int32, "_sheet": pl.String, "_row": pl.Int64, "code": pl.String, "source_title": pl.String,
    "item": pl.String, "text": pl.String, "report_date": pl.Date, "done": pl.Boolean, "done_date": pl.Date,
}

_HEADING = re.compile(r"^([一二三四五六七八九十百]+[、.．]|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[部分章节篇])")
_NOTE = re.compile(r"^(注|备注|说明|填表|填报人|审核人|联系人|制表|附件)")
_JOIN = "\x1f"  # joins names inside one text value; never part of a name
_SEPARATORS = {"，": "、", ",": "、", "；": "、", ";": "、"}  # between the names of a simple unit cell
# A unit cell of plain names between separators: no brackets, 等, 和, roles or numbering,
# nothing etl.units.split_units would strip (由…, …协助) or drop (待定, 没有, 空). Such a cell,
# or one that is such but for a trailing 等 (etl.units.OPEN_SUFFIX_PATTERN), splits in polars
# to what split_units gives; any other is read by split_units, once per distinct cell.
_SIMPLE_CELL = r"^\p{Han}+(?:[、，,；;]\p{Han}+)*$"
_NOT_SIMPLE = (
    r"[和及与等无]|牵头|配合|负责|协办|协助|参与|主办"
    r"|(?:^|[、，,；;])由|(?:^|[、，,；;])(?:没有|空|待定)(?:[、，,；;]|$)"
)
_ANNOTATION_HINT = re.compile(r"单位|牵头|负责|配合|协办")
_ITEM_TRAILER = re.compile(r"[、.．,，\s]+$")
# A unit name has a Han character and none of the characters of markup or formulas.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MARKUP = re.compile(r"^=|[<>{}\[\]|\\$`]")
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
    task_units: list[pl.DataFrame] = field(default_factory=list)   # STAGED_UNITS of the tasks
    flags: list[pl.DataFrame] = field(default_factory=list)        # STAGED_FLAGS of the tasks
    kept: list[pl.DataFrame] = field(default_factory=list)         # STAGED_KEPT of the tasks
    sha256: str = ""
    progress: list[pl.DataFrame] = field(default_factory=list)
    leaders: list[dict] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)
    packed: Future[bytes] | None = None   # the file's bytes zlib-compressed, to keep with the batch


@dataclass(frozen=True)
class LedgerFacts:
    """Everything validation looks up in the ledger, read in one go (under the shared lock,
    or inside the writer's): its units, aliases, leaders and sources, and for each file of the
    import the batch that imported it already. Validation reads nothing else from the ledger,
    so the same facts, files and options validate to the same result."""

    units: tuple[str, ...]                      # in the ledger's order (the resolver keeps the first)
    aliases: tuple[tuple[str, str], ...]
    leaders: tuple[str, ...]
    sources: tuple[tuple[str, str, date], ...]
    earlier: tuple[str | None, ...]             # by file: the batch that imported it, if any

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, files: list[InputFile], options: LoadOptions) -> LedgerFacts:
        sheet = options.sheet or ""
        return cls(
            units=tuple(name for (name,) in sql.rows(con, "known_units")),
            aliases=tuple(sql.rows(con, "known_aliases")),
            leaders=tuple(name for name, _ in sql.rows(con, "leader_ids")),
            sources=tuple(sql.rows(con, "known_sources")),
            earlier=tuple(
                (found[0] if (found := sql.one(con, "earlier_import", sha256=f.sha256, sheet=sheet)) else None)
                for f in files),
        )

    def same_as(self, other: LedgerFacts) -> bool:
        """The same facts, whatever order the ledger returned its rows in."""
        def key(facts: LedgerFacts):
            return (frozenset(facts.units), frozenset(facts.aliases), frozenset(facts.leaders),
                    frozenset(facts.sources), facts.earlier)
        return key(self) == key(other)


class _Context:
    """What validation knows of the ledger (its LedgerFacts), and what it found so far."""

    def __init__(self, ledger: duckdb.DuckDBPyConnection | LedgerFacts, options: LoadOptions):
        self.timings: dict[str, float] = {}
        self.parsed: ReadFiles = {}  # files already parsed outside the ledger's lock
        self._lap_started = time.perf_counter()
        self.options = options
        self.today = options.today or date.today()
        self.calendar = WorkCalendar()
        facts = ledger if isinstance(ledger, LedgerFacts) else LedgerFacts.read(ledger, [], options)
        self.facts = facts
        self.resolver = UnitResolver(facts.units, dict(facts.aliases), Catalog.load())
        self.known_leaders = set(facts.leaders)
        self.source_dates = {f"{kind}\x1f{title}": day for kind, title, day in facts.sources}
        self.sources: dict[str, _Source] = {}
        self._unit_lists: dict[tuple[str | None, str | None], UnitList | None] = {}
        self._canonical: dict[str, str] = {}
        self.new_leaders: list[str] = []
        self.aliases_seen: dict[str, str] = {}   # written name -> canonical
        self.next_key = 0                        # task rows of this import are numbered (_key) from 0
        self._unit_problems: dict[tuple[str, bool, bool], str | None] = {}
        self.refused_units: set[str] = set()     # never registered (see unit_name_problem)
        # The sheet being validated (set by _mark_headings): its report, and its title read
        # as a source (etl.sources.read_list_title).
        self.report: FileReport | None = None
        self.list_title = None
        self._said: set[tuple[int, str]] = set()  # (report, note) said once per file
        self.extra_leaders: dict[str, tuple[str, ...]] = {}   # leader cell -> every person named

    def lap(self, phase: str) -> None:
        """Adds the time since the last lap to phase's."""
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self._lap_started
        self._lap_started = now

    def unit_list(self, cell: str | None, annotated: str | None) -> UnitList | None:
        """A unit cell split into names, plus names annotated in the task text; memoised,
        since a list repeats the same few cells thousands of times."""
        key = (cell, annotated)
        if key not in self._unit_lists:
            written = split_units(cell) if cell else None
            for bare, full in written.carried if written else ():
                # 市交通局、城管局: said, since the list wrote 城管局 (etl.units.carry_prefix).
                _say(self, f"单位“{bare}”按同一格中前面所写的“{full[0]}”级记为“{full}”（“{cell}”）")
            names = (written.names if written else ()) + tuple(annotated.split(_JOIN) if annotated else ())
            self._unit_lists[key] = UnitList(
                names=names, open_ended=bool(written and written.open_ended),
                marked_leads=written.marked_leads if written else (),
            ) if names else None
        return self._unit_lists[key]

    def unit_name_problem(self, name: str, *, new: bool, listed: bool = False) -> str | None:
        """Why a name written where a unit belongs is not taken as a unit; None when it is.

        The one place this is decided (issue 9 turns the answer into a flag on the row instead
        of a row error: _refuse_unit_names). Never a unit: a name without a Han character, or
        with markup or formula characters (<img, =1+2, {{…}}, `…`). A unit the import would
        register (new: not in the ledger, the catalogue or a units file of this import) must
        read as one by etl.prose.read_unit_cell's rules: not a person (王建同志), not a clause
        (此项工作由李强, 并统筹推进), a unit word at its end. A units file (listed) is the office
        naming its own units: there only a person is refused besides markup."""
        key = (name, new, listed)
        if key not in self._unit_problems:
            self._unit_problems[key] = _unit_name_problem(name, new=new, listed=listed,
                                                          catalogued=self.resolver.catalogued(name))
        return self._unit_problems[key]

    def resolve_unit(self, name: str) -> str:
        """The ledger's name for a unit as written; a name that resolves to another stored name
        (区住房和城乡建设局 -> 区住建局, a true short form: etl.units) is said in the file's report."""
        if name not in self._canonical:
            canonical, _ = self.resolver.resolve(name)
            if canonical != name:
                self.aliases_seen.setdefault(name, canonical)
            self._canonical[name] = canonical
        canonical = self._canonical[name]
        if normalize_unit_name(canonical) != normalize_unit_name(name):
            _say(self, f"单位“{name}”按台账中的“{canonical}”登记（同一单位的全称或简称）")
        return canonical


def _unit_name_problem(name: str, *, new: bool, listed: bool, catalogued: bool) -> str | None:
    """_Context.unit_name_problem, uncached."""
    refused = f"“{name}”不像单位名称，请核对"
    if not _HAN.search(name) or _MARKUP.search(name):
        return refused
    if not (new or listed) or catalogued:
        return None
    actors = read_unit_cell(name)
    if actors.lead_units:
        return None
    if any(flag.kind == "人名" for flag in actors.flags):
        return f"“{name}”是人名，不像单位名称，请核对（领导请填在“责任领导”列）"
    return None if listed else refused


# ---------------------------------------------------------------------------------------
# Entry point


ReadFiles = dict[tuple[str, str], "list[Sheet] | ReadError"]


def read_files(files: list[InputFile], options: LoadOptions | None = None, *, isolated: bool = True) -> ReadFiles:
    """Every file parsed, before the ledger is touched: in a child process under memory and
    time limits (etl.sandbox) unless `isolated` is False. A file that cannot be read maps to
    its ReadError. The CLI and the upload page call this outside the ledger's lock and hand
    the result to import_files, so a slow or hostile file never holds the ledger."""
    sheet = (options or LoadOptions()).sheet
    reader = read_file_isolated if isolated else read_file
    parsed: ReadFiles = {}
    for file in files:
        try:
            parsed[(file.name, file.sha256)] = reader(file.data, Path(file.name).name, sheet)
        except ReadError as error:
            parsed[(file.name, file.sha256)] = error
    return parsed


def unreadable(files: list[InputFile], parsed: ReadFiles) -> ImportResult | None:
    """The rejected import, when read_files could not read some file: all or nothing, so the
    answer is known before the ledger is locked or even opened."""
    failed = {key: error for key, error in parsed.items() if isinstance(error, ReadError)}
    if not failed:
        return None
    reports = []
    for file in files:
        report = FileReport(path=file.name)
        error = failed.get((file.name, file.sha256))
        if error is not None:
            report.errors.append(RowError(sheet=None, row=None, column=None, value=None, message=str(error)))
        reports.append(report)
    return ImportResult(committed=False, batch_id=None, files=reports)


def import_files(
    con: duckdb.DuckDBPyConnection,
    files: list[InputFile],
    options: LoadOptions | None = None,
    *,
    commit: bool = True,
    parsed: ReadFiles | None = None,
) -> ImportResult:
    """Validates every file, then writes them all in one transaction, or nothing; on one
    connection (tests, the demo builder). The CLI and the upload page hold the ledger only
    for the write: import_locked.

    With commit=False the whole import runs and is rolled back: the result is the preview of
    what would be created and updated. `parsed` is read_files' result for these files; files
    it lacks are read here, in this process."""
    options = options or LoadOptions()
    validated = validate_files(LedgerFacts.read(con, files, options), files, options, parsed=parsed)
    if validated.outcome is not None:
        return validated.outcome
    return write_validated(con, validated, commit=commit, recheck=False)


@dataclass
class Validated:
    """An import validated against a snapshot of the ledger (its LedgerFacts), not written."""

    files: list[InputFile]
    options: LoadOptions
    context: _Context
    prepared: list[_Prepared]
    revalidated: bool = False   # the ledger changed before the write: validated again, in the writer

    @property
    def reports(self) -> list[FileReport]:
        return [p.report for p in self.prepared]

    @property
    def outcome(self) -> ImportResult | None:
        """The import's result when there is nothing to write (a file rejected, or every file
        imported before); None when the write step has work."""
        if any(r.errors for r in self.reports) or all(r.already_imported for r in self.reports):
            return ImportResult(committed=False, batch_id=None, files=self.reports, timings=self.context.timings,
                                revalidated=self.revalidated)
        return None


def validate_files(
    facts: LedgerFacts, files: list[InputFile], options: LoadOptions | None = None, *, parsed: ReadFiles | None = None
) -> Validated:
    """Every file validated against the ledger's facts; no connection, no lock. Files that
    `parsed` lacks are read here, in this process, and kept for a validation again."""
    options = options or LoadOptions()
    context = _Context(facts, options)
    context.parsed = dict(parsed or {})
    context.lap("setup")
    prepared = [_prepare_file(index, file, context) for index, file in enumerate(files)]
    return Validated(files=files, options=options, context=context, prepared=prepared)


def write_validated(
    con: duckdb.DuckDBPyConnection, validated: Validated, *, commit: bool = True, recheck: bool = True
) -> ImportResult:
    """Writes a validated import in one transaction (commit=False: runs it and rolls back).

    `con` is the writer's. With `recheck` the facts validation used are read again first: if
    the ledger changed since (a unit, alias, leader or source added, a file imported), the
    files are validated again here, against the ledger as it is, so the result is what a
    fresh import would give."""
    if recheck:
        facts = LedgerFacts.read(con, validated.files, validated.options)
        if not facts.same_as(validated.context.facts):
            timings = dict(validated.context.timings)
            validated = validate_files(facts, validated.files, validated.options, parsed=validated.context.parsed)
            timings["revalidate"] = sum(validated.context.timings.values())
            validated.context.timings = timings
            validated.revalidated = True
            if validated.outcome is not None:
                return validated.outcome
    context, reports = validated.context, validated.reports
    pending = [p for p in validated.prepared if not p.report.already_imported]
    batch_id = datetime.now().strftime("%Y%m%d%H%M%S-") + uuid.uuid4().hex[:8]
    with ThreadPoolExecutor(max_workers=1) as packer:
        if commit:
            # zlib releases the GIL: the files are compressed while the rows are written.
            for p in pending:
                p.packed = packer.submit(zlib.compress, p.file.data, 1)
        result = _commit(con, pending, context, batch_id, reports, commit)
    result.revalidated = validated.revalidated
    return result


def import_locked(
    reading: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    writing: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    files: list[InputFile],
    options: LoadOptions | None = None,
    *,
    commit: bool = True,
    parsed: ReadFiles | None = None,
    on_step: Callable[[str], None] | None = None,
) -> ImportResult:
    """The import as the CLI and the upload page run it: the ledger's facts read under the
    shared lock (`reading`, e.g. ledger.db.ledger_reader), the files validated holding no lock
    at all, and the exclusive lock (`writing`) taken only to write; write_validated validates
    again there if the ledger changed in between. A rejected file never takes the write lock.

    on_step is told "facts" once the facts are read and the lock let go, "validated" before
    the write lock is asked for, and "revalidated" if the write had to validate again."""
    options = options or LoadOptions()
    step = on_step or (lambda _: None)
    with reading() as con:
        facts = LedgerFacts.read(con, files, options)
    step("facts")
    validated = validate_files(facts, files, options, parsed=parsed)
    if validated.outcome is not None:
        return validated.outcome
    step("validated")
    with writing() as con:
        result = write_validated(con, validated, commit=commit)
    if result.revalidated:
        step("revalidated")
    return result


def _commit(con: duckdb.DuckDBPyConnection, pending: list[_Prepared], context: _Context, batch_id: str,
            reports: list[FileReport], commit: bool) -> ImportResult:
    """Writes the pending files in one transaction, checks the ledger's declared integrity,
    and commits; or rolls everything back."""
    rejected = ImportResult(committed=False, batch_id=None, files=reports, timings=context.timings)
    con.execute("BEGIN TRANSACTION")
    try:
        written = _write(con, pending, context, batch_id)
        context.lap("write")
        if any(r.errors for r in reports):
            raise ImportFailed
        # The rules the written tables declare (ledger/integrity.py: keys, references, codes)
        # hold, or nothing is committed. A table the import did not write cannot have changed.
        integrity.check(con, sorted(written))
        context.lap("check")
        if not commit:
            raise ImportFailed
        con.execute("COMMIT")
        context.lap("commit")
    except ImportFailed:
        con.execute("ROLLBACK")
        return rejected
    except Exception:
        con.execute("ROLLBACK")
        raise
    return ImportResult(committed=True, batch_id=batch_id, files=reports, timings=context.timings)


# ---------------------------------------------------------------------------------------
# Validation


def _prepare_file(index: int, file: InputFile, context: _Context) -> _Prepared:
    report = FileReport(path=file.name)
    sheet_option = context.options.sheet or ""
    prepared = _Prepared(index=index, report=report, file=file, sheet_option=sheet_option, sha256=file.sha256)
    earlier = context.facts.earlier[index]
    if earlier:
        report.already_imported = True
        report.warnings.append(f"该文件已于批次 {earlier} 导入，内容相同，本次未作任何更改")
        return prepared
    display_name = Path(file.name).name
    try:
        sheets = context.parsed.get((file.name, prepared.sha256))
        if isinstance(sheets, ReadError):
            raise sheets
        if sheets is None:
            sheets = read_file(file.data, display_name, context.options.sheet)
            context.parsed[(file.name, prepared.sha256)] = sheets   # for a validation again
    except ReadError as error:
        report.errors.append(RowError(sheet=None, row=None, column=None, value=None, message=str(error)))
        return prepared
    finally:
        context.lap("read")
    if cleaned := _cleaned_cells(sheets):
        report.warnings.append(cleaned)
    kinds = []
    for sheet in sheets:
        report.warnings.extend(sheet.warnings)
        kind = _sheet_kind(sheet)
        kinds.append(kind)
        report.rows += sheet.frame.height
        if kind == "tasks":
            staged = _prepare_tasks(index, sheet, context, report)
            if staged is not None:
                prepared.tasks.append(staged[0])
                prepared.task_units.append(staged[1])
                prepared.flags.append(staged[2])
                prepared.kept.append(staged[3])
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
    report.kind = "+".join(dict.fromkeys(kind for kind in kinds if kind is not None))
    report.errors.extend(_items_repeated_across_sheets(prepared.tasks, display_name))
    context.lap("validate")
    return prepared


def _items_repeated_across_sheets(tasks: list[pl.DataFrame], file_name: str) -> list[RowError]:
    """One error per row whose source and 序号 another sheet (or Word table) of the same file
    also gives: which of the two is meant cannot be told, so the file is refused, naming every
    place the 序号 is written. Repeats within one sheet are _prepare_tasks' errors; rows with a
    督办编号 are keyed by it."""
    if len(tasks) < 2:
        return []
    rows = pl.concat([t.select("_sheet", ROW, "source_key", "item", "code") for t in tasks])
    repeated = rows.filter(
        pl.col("item").is_not_null() & pl.col("code").is_null()
        & (pl.col("_sheet").n_unique().over("source_key", "item") > 1)
    ).with_columns(place=pl.concat_str(pl.lit("［"), pl.col("_sheet").fill_null(""), pl.lit("］第"),
                                       pl.col(ROW).cast(pl.String), pl.lit("行")))
    repeated = repeated.with_columns(places=pl.col("place").str.join("、").over("source_key", "item"))
    return [
        RowError(sheet=sheet, row=row, column=None, value=item, message=(
            f"同一来源（{(source or '').split(_JOIN)[-1] or '来源不明'}）的序号“{item}”在{file_name}的"
            f"多个表中重复：{places}。无法判断是同一事项还是不同事项，本文件未导入；"
            "请核对后改正序号，或为各表分别注明来源（会议名称）"))
        for sheet, row, source, item, places in repeated.select("_sheet", ROW, "source_key", "item", "places").iter_rows()
    ]


def _cleaned_cells(sheets: list[Sheet]) -> str | None:
    """The file's one warning about the control and bidi characters the reader stripped
    (etl.reader._strip_unsafe): how many cells, in which columns."""
    by_column: dict[str, int] = {}
    for sheet in sheets:
        for column, count in sheet.cleaned.items():
            by_column[column] = by_column.get(column, 0) + count
    if not by_column:
        return None
    where = "、".join(f"“{column}”列{count}个" for column, count in by_column.items())
    return (f"已删除{sum(by_column.values())}个单元格中的控制字符或文字方向控制符（{where}），"
            "这些字符不会存入台账，请核对这些单元格")


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


# One row per task row of the preview before 确认导入: what the import read from it.
ROW_PREVIEW = {
    "sheet": pl.String, "row": pl.Int64, "item": pl.String, "content": pl.String, "deadline_text": pl.String,
    "deadline_kind": pl.String, "deadline": pl.Date, "milestones": pl.String, "lead_units": pl.String,
    "co_units": pl.String, "leader": pl.String, "flags": pl.String,
}


def _join_lists(frame: pl.DataFrame, columns: list[str], separator: str) -> pl.DataFrame:
    """The list columns as text, their items joined by separator (a null list reads as an
    empty one). Lists as short as a row's units are joined item by item (concat_str), several
    times faster than list.join."""
    longest = frame.select(pl.max_horizontal([pl.col(c).list.len().max() for c in columns])).item() or 0
    if not 0 < longest <= 8:
        return frame.with_columns(pl.col(columns).list.join(separator))
    return frame.with_columns([
        pl.concat_str([pl.col(c).list.get(i, null_on_oob=True) for i in range(longest)],
                      separator=separator, ignore_nulls=True).alias(c)
        for c in columns
    ])


def _row_preview(frame: pl.DataFrame, staged: pl.DataFrame, units: pl.DataFrame, flags: pl.DataFrame) -> pl.DataFrame:
    """ROW_PREVIEW for the staged rows: the parsed deadline and milestones, lead and co-units,
    leader, and every flag (类型：内容, joined by ；)."""
    # Gathered as plain lists and joined after: a filter or str.join inside a group_by runs
    # once per group.
    names = units.sort("_key", "position").select(
        "_key", lead_units=pl.when("_is_lead").then("name"), co_units=pl.when(~pl.col("_is_lead")).then("name"),
    ).group_by("_key", maintain_order=True).agg(pl.col("lead_units", "co_units").drop_nulls())
    names = _join_lists(names, ["lead_units", "co_units"], "、")
    label = pl.col("kind").replace_strict(FLAG_LABELS, return_dtype=pl.String)
    said = pl.when(pl.col("text").str.contains(label, literal=True)).then(pl.col("text")) \
        .otherwise(pl.concat_str(label, pl.lit("："), pl.col("text")))
    flagged = flags.select("_key", flags=said).group_by("_key", maintain_order=True).agg("flags") \
        .with_columns(pl.col("flags").list.join("；"))
    rows = staged.with_columns(_key=frame["_key"]).join(names, on="_key", how="left", maintain_order="left") \
        .join(flagged, on="_key", how="left", maintain_order="left")
    return rows.select(
        sheet="_sheet", row=ROW, item="item", content="content", deadline_text="deadline_text",
        deadline_kind="deadline_kind", deadline="deadline", milestones="milestones",
        lead_units=pl.col("lead_units").replace("", None), co_units=pl.col("co_units").replace("", None),
        leader="leader", flags="flags",
    ).cast(ROW_PREVIEW)


def _flag_rows(frame: pl.DataFrame, mask: pl.Expr, kind: str, column: str | None, text: pl.Expr | str) -> pl.DataFrame:
    """STAGED_FLAGS for the rows where mask holds, the text possibly computed per row."""
    return frame.filter(mask.fill_null(False)).select(
        "_key", "_sheet", ROW, kind=pl.lit(kind, dtype=pl.String), column=pl.lit(column, dtype=pl.String),
        text=(pl.lit(text) if isinstance(text, str) else text).cast(pl.String),
    )


# A column that states where a task stands (状态, 办理状态 …), or a 完成情况/办理情况 cell that
# holds nothing but such a word: 已完成/已办结 is a completion the list claims, 滞后 a flag.
_STATUS_HEADER = re.compile(r"^(?:当前|事项|任务|工作|办理|完成|推进|进展|进度|落实)?(?:状态|进度状态)$")
_STATUS_DONE = {"已完成", "已办结", "完成", "办结", "已销号", "已落实", "已完成整改", "已整改", "整改完成", "已整改到位"}
_STATUS_BEHIND = {"滞后", "进度滞后", "未完成", "推进缓慢", "进展缓慢", "滞后推进", "未按期完成", "逾期", "逾期未完成",
                  "未整改", "未启动"}
_STATUS_TRIM = " 。.；;，,"


def _status_column(sheet: Sheet) -> str | None:
    """The column that states a task's status: the field status if etl.headers names one, or
    the first column named like 状态 that no field takes."""
    if "status" in sheet.fields:
        return sheet.fields["status"]
    taken = set(sheet.fields.values())
    return next((c for c in sheet.columns if c not in taken and _STATUS_HEADER.match(c)), None)


def _status_words(frame: pl.DataFrame, sheet: Sheet, flags: list[pl.DataFrame]) -> pl.DataFrame:
    """The list's status words read: a completion claimed (done, flagged 清单称已完成) or a
    task behind (flagged 状态滞后). Anything else in a status column is kept, not read."""
    column = _status_column(sheet)
    sources = [column] if column else []
    if "progress" in sheet.fields:
        sources.append(sheet.fields["progress"])
    if not sources:
        return frame
    word = pl.coalesce([pl.col(c).str.strip_chars(_STATUS_TRIM) for c in sources])
    written_in = pl.coalesce([pl.when(pl.col(c).is_not_null()).then(pl.lit(c)) for c in sources])
    frame = frame.with_columns(_status=word, _status_column=written_in)
    said = pl.concat_str(pl.lit("“"), pl.col("_status_column"), pl.lit("”列写“"), pl.col("_status"), pl.lit("”"))
    is_done = pl.col("_status").is_in(list(_STATUS_DONE))
    flags.append(_flag_rows(frame, is_done, "done_claimed", column or sheet.fields.get("progress"),
                            pl.concat_str(said, pl.lit("：作为清单所称的办结，需核查的按办结申请待核查"))))
    flags.append(_flag_rows(frame, pl.col("_status").is_in(list(_STATUS_BEHIND)), "behind",
                            column or sheet.fields.get("progress"), said))
    return frame.with_columns(done=pl.when(is_done.fill_null(False)).then(True).otherwise(pl.col("done")))


# The fields the importer reads from a task list; a column of any other field, or of none, is kept.
_READ_FIELDS = frozenset({
    "code", "item", "content", "lead_units", "responsible_units", "co_units", "leader", "deadline", "progress",
    "source_title", "source_date", "source_kind", "directive_leader", "directive_date", "directive_number",
    "report_date", "done_flag", "done_date", "measures", "category",
})


def _kept_columns(frame: pl.DataFrame, sheet: Sheet, report: FileReport, rectification_sources: list[str]) -> pl.DataFrame:
    """STAGED_KEPT: the values of the columns the importer does not read, per task row, named
    as the list names them; 整改措施 of a task that is no rectification too (it has no other
    place). The report lists the kept columns once per file."""
    read = {column for name, column in sheet.fields.items() if name in _READ_FIELDS and name != "measures"}
    kept = [c for c in sheet.columns if c not in read and not c.startswith("_") and c in frame.columns]
    if not kept:
        return pl.DataFrame(schema=STAGED_KEPT)
    position = {c: i + 1 for i, c in enumerate(sheet.columns)}
    measures = sheet.fields.get("measures")
    values = frame.select(
        "_key", *[pl.col(c).alias(c) if c != measures else pl.when(
            ~pl.col("source_key").is_in(rectification_sources).fill_null(False)).then(pl.col(c)).alias(c) for c in kept]
    ).unpivot(kept, index="_key", variable_name="name", value_name="value").drop_nulls("value")
    values = values.with_columns(
        position=pl.col("name").replace_strict(position, return_dtype=pl.Int32)).sort("_key", "position")
    named = [c for c in kept if c in set(values["name"].unique().to_list())]
    for name in named:
        if name not in report.kept_columns:
            report.kept_columns.append(name)
    if named:
        report.warnings.append(f"{sheet.label}：{'、'.join(f'“{c}”' for c in named)}列不对应台账字段，已随各事项原样保存")
    return values.select([pl.col(n).cast(t) for n, t in STAGED_KEPT.items()])


def _map_distinct(frame: pl.DataFrame, columns: list[str], function, schema: dict) -> pl.DataFrame:
    """Applies function once per distinct combination of columns and joins the results back."""
    keys = frame.select(columns).unique(maintain_order=True)
    results = [function(*row) for row in keys.iter_rows()]
    by_column = list(zip(*results, strict=False)) if results else [()] * len(schema)
    mapped = pl.DataFrame(
        [pl.Series(name, values, dtype=dtype) for (name, dtype), values in zip(schema.items(), by_column, strict=True)]
    )
    if keys.height == 1:
        # One value for every row (a column the file does not have, one source): no join.
        return frame.with_columns([pl.lit(column).first().alias(column.name) for column in mapped.iter_columns()])
    # Joined on the key columns alone, then attached: a join of the whole frame would copy
    # every one of its columns, for each distinct-value step.
    joined = frame.select(columns).join(pl.concat([keys, mapped], how="horizontal"), on=columns, how="left",
                                        nulls_equal=True, maintain_order="left")
    return frame.with_columns(joined.drop(columns).get_columns())


def _prepare_tasks(
    index: int, sheet: Sheet, context: _Context, report: FileReport
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame] | None:
    """The sheet's task rows (STAGED_TASKS), their units (STAGED_UNITS), flags (STAGED_FLAGS)
    and kept columns (STAGED_KEPT); errors and flags to report."""
    frame = _mark_headings(sheet, context, report)
    content = _text_column(sheet, "content")
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
        # A leader named in the heading above (（二）王海副区长牵头) leads the rows without one.
        _leader=pl.coalesce(_text_column(sheet, "leader"), pl.col("_heading_leader")),
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

    context.lap("validate")
    # Units: split, roles, canonical names, as one row per unit of a task row (its _key).
    # Units named only in the unit cells (nearly every row) are worked out over whole columns;
    # rows with units annotated in the task text, one distinct combination at a time.
    first_leads = "lead_units" not in sheet.fields
    frame = frame.with_columns(_key=pl.int_range(context.next_key, context.next_key + pl.len(), dtype=pl.UInt32))
    context.next_key += frame.height
    in_text = (
        pl.any_horizontal([pl.col(c).is_not_null() for c in ("_ann_lead", "_ann_co", "_ann_responsible")])
        | pl.col("_ann_open")
    )
    is_annotated = frame.select(in_text.fill_null(False)).to_series()
    if is_annotated.any():   # a filter copies every column: only when there is something to split off
        annotated_rows = frame.filter(is_annotated)
        frame = frame.filter(~is_annotated)
    else:
        annotated_rows = frame.clear()
    units, open_rows = _unit_links_by_column(frame, first_leads, context)
    units = units.select(_key=frame["_key"].gather(units["_i"]), name="name", _is_lead="_is_lead", position="position")
    frame = frame.with_columns(open_unit_list=open_rows)
    if not annotated_rows.is_empty():
        annotated_rows = _map_distinct(
            annotated_rows,
            ["_lead", "_responsible", "_co", "_ann_lead", "_ann_co", "_ann_responsible", "_ann_open"],
            lambda *row: _unit_roles(context, first_leads, *row),
            {"_lead_units": pl.String, "_co_units": pl.String, "open_unit_list": pl.Boolean},
        )
        # Roles come back as joined text (building list Series from Python is slow).
        units = pl.concat([units] + [
            annotated_rows.select("_key", name=pl.col(column).str.split(_JOIN))
            .with_columns(position=pl.int_ranges(first, pl.col("name").list.len() + first, dtype=pl.Int32))
            .explode("name", "position")
            .filter(pl.col("name").is_not_null() & (pl.col("name") != ""))
            .select("_key", "name", _is_lead=pl.lit(is_lead), position="position")
            for column, is_lead, first in (("_lead_units", True, 1), ("_co_units", False, 101))
        ])
        frame = pl.concat([frame, annotated_rows.select(frame.columns)], how="vertical_relaxed").sort(ROW)
    # Flags, not errors (issue 9): a name that is no unit is never registered, a row without a
    # lead unit is imported 待明确责任单位; the units named in the task text are read first.
    flags: list[pl.DataFrame] = []
    units = _units_together(units, context)
    units = _refuse_unit_names(frame, units, sheet, context, flags)
    units = _units_in_prose(frame, units, sheet, context, flags)
    unit_column = sheet.fields.get("lead_units") or sheet.fields.get("responsible_units")
    no_lead = ~pl.col("_key").is_in(units.filter("_is_lead")["_key"].implode())
    unit_cell = pl.coalesce("_lead", "_responsible")
    flags.append(_flag_rows(frame, no_lead, "no_lead_unit", unit_column, pl.when(unit_cell.is_not_null()).then(
        pl.concat_str(pl.lit("“"), unit_cell, pl.lit("”中没有可登记的单位名称，待明确责任单位"))
    ).otherwise(pl.lit("未写责任单位，待明确责任单位"))))

    context.lap("units")
    # Deadlines, relative to the source's date; a row without one is read from its task text.
    frame = frame.with_columns(_deadline_prose=pl.when(pl.col("_deadline").is_null()).then(pl.col("_content")))
    frame = _map_distinct(
        frame, ["_deadline", "assigned_date", "_deadline_prose"],
        lambda text, base, prose: _deadline(context, text, base, prose), {
            "deadline_kind": pl.String, "deadline": pl.Date, "deadline_note": pl.String, "report_cycle": pl.String,
            "cycle_day": pl.Int32, "_milestones": pl.List(MILESTONE), "milestones": pl.String,
            "_uncovered": pl.String, "_deadline_error": pl.String, "_deadline_text": pl.String,
            "_deadline_flag": pl.String, "_deadline_flag_text": pl.String,
        })
    errors += _error_rows(frame, pl.col("_deadline_error").is_not_null() & pl.col("_source_error").is_null(),
                          sheet.fields.get("deadline"), pl.col("_deadline"), pl.col("_deadline_error"))
    for kind in ("deadline_missing", "deadline_unread", "deadline_default", "deadline_from_text", "deadline_assumed"):
        column = sheet.fields.get("content") if kind == "deadline_from_text" else sheet.fields.get("deadline")
        flags.append(_flag_rows(frame, pl.col("_deadline_flag") == kind, kind, column, pl.col("_deadline_flag_text")))
    uncovered = frame.filter(pl.col("_uncovered").is_not_null()).group_by("_uncovered").len().sort("_uncovered")
    for years, count in uncovered.iter_rows():
        report.warnings.append(f"{sheet.label}：{count}项完成时限按工作日推算到{years}年，"
                               f"该年节假日安排未载入（data/holidays.csv），已按周末推算，请核对")

    context.lap("deadlines")
    # Leaders, dates of progress and closing.
    frame = _map_distinct(frame, ["_leader"], lambda name: _leader_names(context, name),
                          {"leader": pl.String, "_leaders": pl.String})
    frame = _map_distinct(frame, ["_report_date"], lambda t: (parse_calendar_date(t),), {"report_date": pl.Date})
    # A list's progress is dated by its 填报日期 (column, or written above the header), else its
    # source's date: never the import day.
    listed_date = (context.list_title.report_date if context.list_title else None) or context.options.source_date
    source_date = pl.col("source_key").replace_strict(
        {key: source.date for key, source in context.sources.items()}, default=None, return_dtype=pl.Date)
    frame = frame.with_columns(report_date=pl.when(pl.col("_report_date").is_null()).then(
        pl.coalesce(pl.lit(listed_date, dtype=pl.Date), source_date)).otherwise("report_date"))
    frame = _map_distinct(frame, ["_done_date"], lambda t: (parse_calendar_date(t),), {"done_date": pl.Date})
    frame = _map_distinct(frame, ["_done"], _yes_no, {"done": pl.Boolean, "_done_error": pl.String})
    errors += _error_rows(frame, pl.col("_report_date").is_not_null() & pl.col("report_date").is_null(),
                          sheet.fields.get("report_date"), pl.col("_report_date"), "无法识别的日期")
    errors += _error_rows(frame, pl.col("_done_date").is_not_null() & pl.col("done_date").is_null(),
                          sheet.fields.get("done_date"), pl.col("_done_date"), "无法识别的日期")
    errors += _error_rows(frame, pl.col("_done_error").is_not_null(), sheet.fields.get("done_flag"),
                          pl.col("_done"), pl.col("_done_error"))
    frame = _status_words(frame, sheet, flags)

    # 序号: as written, or the row's order within its source when the list has none.
    if "item" not in sheet.fields:
        report.warnings.append(f"{sheet.label}：没有“序号”列，按行顺序编号")
        frame = frame.with_columns(_item=pl.int_range(1, pl.len() + 1).over("source_key").cast(pl.String))
    frame = frame.with_columns(item=pl.col("_item"), code=pl.col("_code"))
    errors += _error_rows(frame, pl.col("item").is_null() & pl.col("content").is_not_null(),
                          sheet.fields.get("item"), pl.col("_item"), "缺少序号")
    duplicate_key = (pl.len().over("source_key", "item") > 1) & pl.col("item").is_not_null() & pl.col("code").is_null()
    errors += _error_rows(frame, duplicate_key, sheet.fields.get("item"), pl.col("item"),
                          pl.concat_str(pl.lit("同一来源中序号重复（"),
                                        pl.col("source_key").str.split("\x1f").list.last().fill_null("来源不明"),
                                        pl.lit("）")))
    errors += _error_rows(frame, pl.col("code").is_not_null() & (pl.len().over("code") > 1),
                          sheet.fields.get("code"), pl.col("code"), "督办编号重复")

    for error in errors:
        error.sheet = sheet.sheet
    report.errors.extend(errors)
    # By the few sources named, not by splitting every row's key.
    rectification_sources = [key for key, source in context.sources.items() if source.kind in RECTIFICATION_KINDS]
    kept = _kept_columns(frame, sheet, report, rectification_sources)
    staged = frame.with_columns(
        _file=pl.lit(index, dtype=pl.Int32),
        deadline_text=pl.coalesce("_deadline_text", "_deadline", pl.lit("")),
        progress=pl.col("_progress"),
        measures=pl.col("_measures"),
        done=pl.col("done").fill_null(False),
        is_rectification=pl.col("source_key").is_in(rectification_sources).fill_null(False),
    ).select([pl.col(name).cast(dtype) for name, dtype in STAGED_TASKS.items()])
    found = pl.concat([f.select([pl.col(n).cast(t) for n, t in STAGED_FLAGS.items()]) for f in flags]).sort(ROW, maintain_order=True)
    # A name refused in a unit cell and again when the text is read is one flag.
    found = found.filter(pl.col("_key").is_in(frame["_key"].implode())).unique(
        ["_key", "kind", "text"], keep="first", maintain_order=True)
    report.flags.extend(
        {"sheet": sheet_name, "row": row, "column": column, "kind": kind, "label": FLAG_LABELS[kind], "text": text}
        for _key, sheet_name, row, kind, column, text in found.iter_rows()
    )
    preview = _row_preview(frame, staged, units, found)
    report.preview = preview if report.preview is None else pl.concat([report.preview, preview])
    context.lap("validate")
    return staged, units, found, kept


def _mark_headings(sheet: Sheet, context: _Context, report: FileReport) -> pl.DataFrame:
    """The sheet's rows without its headings and notes, with the heading in force (_heading,
    the category) and the leader a heading names (_heading_leader); and the sheet's title read
    for the source (context.list_title).

    A heading is a row with one distinct value (一、…, （一）…, or any such row without task
    text), or a row whose 序号 is a heading numeral (一、 （一） (一) 一是 第一部分) with the heading
    in the task column and no unit or deadline. A leader a heading names (一、张伟市长主抓重点工作,
    （二）王海副区长牵头) is the 责任领导 of the rows under it until the next heading of that
    level or a higher one."""
    context.report = report
    context.list_title = read_list_title(sheet.title_lines)
    columns = sheet.columns
    frame = sheet.frame.with_columns(_sheet=pl.lit(sheet.sheet, dtype=pl.String))
    # A row's one distinct value: its first value, when every other value equals it.
    first = pl.coalesce([pl.col(c) for c in columns])
    single = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c) == first) for c in columns])
    frame = frame.with_columns(_single=pl.when(single).then(first))
    content = _text_column(sheet, "content")
    item = _text_column(sheet, "item").str.strip_chars()
    is_note = pl.col("_single").str.contains(_NOTE.pattern)
    single_heading = pl.col("_single").is_not_null() & ~is_note & (
        pl.col("_single").str.contains(_HEADING.pattern) | content.is_null()
    ) & ~pl.col("_single").str.contains(r"^\d+[、.．]?$")
    # 序号 一、 and the heading in the task column: not a task when it names no unit or deadline.
    task_cells = [_text_column(sheet, name) for name in ("lead_units", "responsible_units", "co_units", "deadline")]
    # Minutes arrive with their headings already told apart from their items (etl.minutes): an
    # item labelled 一 or （二） that names no unit or deadline is still an item, flagged.
    numeral_heading = (
        pl.col("_single").is_null() & item.str.contains(_HEADING_NUMERAL.pattern) & content.is_not_null()
        & pl.all_horizontal([cell.is_null() for cell in task_cells]) & pl.lit(sheet.minutes is None)
    )
    # Worked out once (a regex over every 序号): the expressions below use it four times.
    frame = frame.with_columns(_numeral=numeral_heading)
    numeral_heading = pl.col("_numeral")
    joiner = pl.when(item.str.contains(r"[、.．)）是]$")).then(pl.lit("")).otherwise(pl.lit("、"))
    # A list numbered 一、二、三 with no task rows between: those rows are its tasks, not headings.
    if not frame.select((pl.col("_single").is_null() & content.is_not_null() & ~numeral_heading.fill_null(False)).any()).item():
        numeral_heading = pl.lit(False)
    heading_text = pl.when(numeral_heading).then(pl.concat_str(item, joiner, content)).otherwise(pl.col("_single"))
    is_heading = (single_heading | numeral_heading).fill_null(False)
    frame = frame.with_columns(_heading_row=is_heading, _heading_text=pl.when(is_heading).then(heading_text),
                               _skip=(is_heading | is_note).fill_null(False))
    headings = frame.filter("_heading_row")
    if headings.is_empty():
        return frame.with_columns(_heading=pl.lit(None, dtype=pl.String),
                                  _heading_leader=pl.lit(None, dtype=pl.String)).filter(~pl.col("_skip"))
    # The leader in force by heading level (一、 above （一） above 一是): few headings, read in Python.
    in_force: dict[int, str | None] = {}
    leaders: list[str | None] = []
    for text in headings["_heading_text"].to_list():
        level = _heading_level(text)
        in_force = {lv: name for lv, name in in_force.items() if lv < level}
        person = leader_in_heading(text, context.known_leaders)
        in_force[level] = person.name if person else None
        if person is None and (title := _TITLE_ONLY.search(text)):
            # 三、市长主抓重点工作: a title without a name names nobody the ledger can hold.
            report.warnings.append(f"{sheet.label}：标题行“{text}”写明由{title.group(1)}负责，但未写姓名，"
                                   "其下事项未据此设置责任领导，请在“责任领导”列填写")
        named = [name for _, name in sorted(in_force.items()) if name]
        leaders.append(named[-1] if named else None)
        if person:
            report.warnings.append(f"{sheet.label}：标题行“{text}”写明由{person.written}负责，"
                                   f"其下未填责任领导的事项记为{person.name}")
    frame = frame.with_columns(
        _heading_leader=pl.lit(None, dtype=pl.String),
        _heading=pl.col("_heading_text").forward_fill(),
    )
    at = frame.with_row_index("_i").filter("_heading_row")["_i"]
    # "" marks a heading naming no leader, so that it ends the leader above it when filled down.
    frame = frame.with_columns(
        _heading_leader=frame["_heading_leader"].scatter(at, pl.Series([n or "" for n in leaders], dtype=pl.String))
        .forward_fill().replace("", None))
    return frame.filter(~pl.col("_skip"))


_TITLE_ONLY = re.compile(r"((?:常务)?副?(?:区长|市长|县长)|(?:区|市|县)委书记)(?:主抓|牵头|负责|分管|挂帅|领衔)")
_HEADING_NUMERAL = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]?|[(（][一二三四五六七八九十百]+[)）]|[一二三四五六七八九十]+是"
    r"|第[一二三四五六七八九十]+[部分章节篇]+)$"
)


def _heading_level(text: str) -> int:
    """第一部分 0, 一、 1, （一） 2, 一是 3; a heading without a numeral is read as 一、."""
    head = text.strip()
    if re.match(r"^第[一二三四五六七八九十]+[部分章节篇]", head):
        return 0
    if re.match(r"^[(（][一二三四五六七八九十百]+[)）]", head):
        return 2
    if re.match(r"^[一二三四五六七八九十]+是", head):
        return 3
    return 1


def _units_together(units: pl.DataFrame, context: _Context) -> pl.DataFrame:
    """A unit cell written "X会同Y、Z" (区住建局会同区财政局) names who leads and who helps, not one
    unit: X keeps the cell's role, Y and Z are co-units after those written (etl.prose.
    read_unit_cell). Only the few names holding 会同 are read."""
    together = units.filter(pl.col("name").str.contains("会同", literal=True))
    if together.is_empty():
        return units
    split: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for name in together["name"].unique().to_list():
        actors = read_unit_cell(name)
        if actors.lead_units:   # else the name is refused below, as written
            split[name] = (tuple(context.resolve_unit(n) for n in actors.lead_units),
                           tuple(context.resolve_unit(n) for n in actors.co_units))
    context.refused_units.update(split)   # "X会同Y" itself is never registered
    # The names after "X会同Y" in its cell (区委组织部会同区人社局、区财政局: 区财政局) help too.
    first = (together.filter(pl.col("name").is_in(list(split))).group_by("_key", "_is_lead")
             .agg(_from=pl.col("position").min()))
    marked = units.join(first, on=["_key", "_is_lead"], how="left")
    after = pl.col("_from").is_not_null() & (pl.col("position") > pl.col("_from")) & (pl.col("position") < pl.col("_from") + 100)
    rows = []
    for key, name, is_lead, position, start in marked.filter(after | pl.col("name").is_in(list(split))).iter_rows():
        leads, co = split.get(name, ((), (name,)))
        rows += [(key, lead, is_lead, position) for lead in leads]
        rows += [(key, helper, False, 200 + (position - start) * 10 + i) for i, helper in enumerate(co)]
    expanded = pl.DataFrame(rows, schema=units.schema, orient="row")
    kept = marked.filter(~(after | pl.col("name").is_in(list(split)))).select(units.columns)
    # A unit named twice for a row (区财政局 in the 配合单位 column too) keeps its first role.
    return (pl.concat([kept, expanded]).sort("_key", "position")
            .unique(["_key", "name"], keep="first", maintain_order=True))


def _refuse_unit_names(
    frame: pl.DataFrame, units: pl.DataFrame, sheet: Sheet, context: _Context, flags: list[pl.DataFrame]
) -> pl.DataFrame:
    """The units without those that are not unit names (_Context.unit_name_problem): each such
    name is flagged 不像单位名称 on its row, naming the cell it was written in, and never
    registered or linked (issue 9: a flag, not a row error). Checked once per distinct name."""
    new = set(context.resolver.new_units())
    names = units["name"].unique().to_list()
    problems = {name: problem for name in names
                if (problem := context.unit_name_problem(name, new=name in new)) is not None}
    if not problems:
        return units
    refused = units.filter(pl.col("name").is_in(list(problems))).select("_key", "name").unique(maintain_order=True)
    # The cell each name was written in: the first of the unit columns (or the task text) holding it.
    cells = [(column, sheet.fields.get(field)) for column, field in (
        ("_lead", "lead_units"), ("_responsible", "responsible_units"), ("_co", "co_units"), ("_content", "content"))]
    found = refused.join(frame.select("_key", "_sheet", ROW, *[c for c, _ in cells]), on="_key", how="inner")
    written_in = pl.coalesce([
        pl.when(pl.col(column).str.contains(pl.col("name"), literal=True)).then(pl.lit(header, dtype=pl.String))
        for column, header in cells
    ])
    found = found.with_columns(
        column=written_in, text=pl.col("name").replace_strict(problems, return_dtype=pl.String),
    ).sort(ROW, maintain_order=True)
    flags.append(found.select("_key", "_sheet", ROW, kind=pl.lit("not_a_unit"), column="column", text="text"))
    context.refused_units.update(problems)
    return units.filter(~pl.col("name").is_in(list(problems)))


def _units_in_prose(
    frame: pl.DataFrame, units: pl.DataFrame, sheet: Sheet, context: _Context, flags: list[pl.DataFrame]
) -> pl.DataFrame:
    """The units of rows without a lead unit, read from their task text (etl.prose.read_actors:
    由X负责, 会议同意X、Y…提出的, X牵头，Y配合, 请X…, （各镇街分别负责）), once per distinct
    text; such rows are flagged 责任单位取自事项内容, and a fragment that is no unit (王建同志,
    此项工作由李强) 不像单位名称. The units already written for the row keep their place."""
    led = units.filter("_is_lead")["_key"].implode()
    rows = frame.filter(~pl.col("_key").is_in(led) & pl.col("_content").is_not_null()).select("_key", "_sheet", ROW, "_content")
    if rows.is_empty():
        return units
    read: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for text in rows["_content"].unique(maintain_order=True).to_list():
        actors = read_actors(text)
        refused = [f.reason for f in actors.flags if f.kind in ("非单位名称", "人名")]
        roles: list[list[str]] = []
        for names in (actors.lead_units, actors.co_units):
            kept = []
            for written in names:
                name = context.resolve_unit(written)
                problem = context.unit_name_problem(name, new=name in context.resolver.new_units())
                if problem is not None:
                    refused.append(problem)
                    context.refused_units.add(name)
                elif name not in kept:
                    kept.append(name)
            roles.append(kept)
        read[text] = (roles[0], [n for n in roles[1] if n not in roles[0]], list(dict.fromkeys(refused)))
    found = rows.with_columns(
        _leads=pl.col("_content").replace_strict({t: v[0] for t, v in read.items()}, return_dtype=pl.List(pl.String)),
        _cos=pl.col("_content").replace_strict({t: v[1] for t, v in read.items()}, return_dtype=pl.List(pl.String)),
        _refused=pl.col("_content").replace_strict({t: v[2] for t, v in read.items()}, return_dtype=pl.List(pl.String)),
    )
    content_column = sheet.fields.get("content")
    refused = found.select("_key", "_sheet", ROW, text="_refused").explode("text").drop_nulls("text")
    flags.append(refused.select("_key", "_sheet", ROW, kind=pl.lit("not_a_unit"), column=pl.lit(content_column), text="text"))
    found = found.filter(pl.col("_leads").list.len() > 0)
    if found.is_empty():
        return units
    said = pl.concat_str(
        pl.lit("责任单位取自事项内容：牵头 "), pl.col("_leads").list.join("、"),
        pl.when(pl.col("_cos").list.len() > 0).then(pl.concat_str(pl.lit("；配合 "), pl.col("_cos").list.join("、")))
        .otherwise(pl.lit("")),
    )
    flags.append(found.select("_key", "_sheet", ROW, kind=pl.lit("unit_from_text"), column=pl.lit(content_column), text=said))
    # Leads at 1.., co-units after any the row's cells name (101..150) at 151..
    taken = [
        found.select("_key", name=pl.col(column)).with_columns(
            position=pl.int_ranges(first, pl.col("name").list.len() + first, dtype=pl.Int32))
        .explode("name", "position").drop_nulls("name")
        .select("_key", "name", _is_lead=pl.lit(is_lead), position="position")
        for column, is_lead, first in (("_leads", True, 1), ("_cos", False, 151))
    ]
    combined = pl.concat([units, *[t.select(units.columns).cast(units.schema) for t in taken]])
    # A unit is linked to a task once, in its first role.
    return combined.filter(pl.struct("_key", "name").is_first_distinct())


def _row_source(context: _Context, title, day, kind, directive_leader, directive_date, directive_number):
    """(source key, the rows' assigned date, error) for one distinct combination of source columns.

    What the columns leave out comes from the import's options, then from the list's title row
    (区人民政府第23次常务会议议定事项督办清单: kind, title, number; 2024年…: the list's year);
    whatever the title supplied is said in the report. An annual list (a 2024 work-report
    breakdown) counts its deadlines from its year's start, whenever it was sent."""
    options = context.options
    listed = context.list_title
    option_kind = kind_code(options.source_kind) if options.source_kind else None
    title_kind = listed.kind if listed else None
    if title:
        found_kind = kind_code(kind) or kind_from_title(title) or option_kind or title_kind
        found_date = parse_calendar_date(day) or parse_calendar_date(title)
        if not found_date and not day:
            # A 会议 column written without its date: the date given at import, or the title's.
            found_date = options.source_date or (listed.date if listed else None)
        if not found_kind:
            return None, None, f"无法判断来源“{title}”的类型，请在导入时指定来源类型"
        if not found_date:
            return None, None, f"来源“{title}”缺少日期（会议日期），请在导入时指定来源日期" if not day \
                else f"无法识别的会议日期：“{day}”"
        source = _Source(found_kind, title.strip(), found_date, number=number_from_title(title))
    elif directive_leader or directive_date:
        # 10月8日 without its year takes the source's year (given at import, or the title's).
        year = options.source_date.year if options.source_date else _list_year(context)
        found_date = parse_calendar_date(directive_date) or month_day(directive_date, year)
        if not directive_date:
            found_date = options.source_date
        leaders = split_people(directive_leader)
        leader = _leader_name(context, leaders[0].name) if leaders else None
        if not found_date:
            if month_day(directive_date, 2000):
                return None, None, f"批示时间“{directive_date}”未写年份，请在导入时指定来源日期"
            return None, None, f"无法识别的批示时间：“{directive_date or ''}”"
        if not leader:
            return None, None, "缺少批示领导"
        found_kind = option_kind if option_kind in ("directive", "assigned") else "directive"
        verb = "交办" if found_kind == "assigned" else "批示"
        title_text = directive_number or f"{leader}同志{found_date.year}年{found_date.month}月{found_date.day}日{verb}"
        source = _Source(found_kind, title_text, found_date, leader=leader, number=directive_number)
    elif options.source_title or options.source_kind or (listed and listed.source_title and listed.kind):
        if options.source_kind and not option_kind:
            return None, None, f"无法识别的来源类型：“{options.source_kind or ''}”"
        found_kind = option_kind or title_kind
        found_title = options.source_title or (listed.source_title if listed else None)
        if not found_kind:
            return None, None, f"无法判断来源“{found_title}”的类型，请在导入时指定来源类型"
        if not found_title:
            return None, None, "导入时指定了来源类型，但没有指定来源名称"
        found_date = options.source_date or (listed.date if listed else None)
        year = _list_year(context)
        if not found_date and year:
            found_date = date(year, 1, 1)
            _say(context, f"来源“{found_title}”未写日期，按标题所写年份记为{year}年1月1日，请核对")
        if not found_date:
            return None, None, f"来源“{found_title}”缺少日期，请指定来源日期"
        if listed and listed.text and (not options.source_title or not options.source_kind):
            _say(context, f"来源按表格标题“{listed.text}”确定：{KIND_LABELS[found_kind]}“{found_title}”")
        source = _Source(found_kind, found_title, found_date,
                         number=number_from_title(found_title) or (listed.number if listed else None))
    else:
        return None, None, "无法确定来源：文件中没有“会议名称”或“批示领导”列，导入时也未指定来源"
    known_date = context.source_dates.get(source.key) or context.sources.get(source.key, source).date
    if known_date != source.date:
        return None, None, f"来源“{source.title}”的日期{source.date}与台账中已有的{known_date}不一致"
    context.sources.setdefault(source.key, source)
    assigned = source.date
    year = listed.year if listed else None
    if source.kind in ANNUAL_KINDS and year and source.date.year >= year and source.date > date(year, 1, 1):
        # A 2024 list's 2月上旬前 is February 2024, even when the list comes with April's report.
        assigned = date(year, 1, 1)
        _say(context, f"“{listed.text}”是{year}年度清单，完成时限按{year}年推算（交办日期记为{year}年1月1日）")
    return source.key, assigned, None


def _list_year(context: _Context) -> int | None:
    """The list's year: from its title (2023年政府工作报告…), then the source date given at import."""
    listed = context.list_title
    if listed and listed.year:
        return listed.year
    if context.options.source_date:
        return context.options.source_date.year
    return None


def _say(context: _Context, note: str) -> None:
    """A note for the file being validated, once per file."""
    report = context.report
    if report is not None and (id(report), note) not in context._said:
        context._said.add((id(report), note))
        report.warnings.append(note)


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


def _unit_links_by_column(frame: pl.DataFrame, first_leads: bool, context: _Context) -> tuple[pl.DataFrame, pl.Series]:
    """The units of rows written only in the unit cells (not annotated in the task text),
    over whole columns: the rules of etl.units.assign_roles, as _unit_roles applies them.
    Cells are read once per distinct cell (see _cell_names); roles, order and positions are
    worked out for all rows at once.

    Returns (_i, name, _is_lead, position), one row per unit of the frame's row _i, leads at
    positions 1.., co-units at 101.., and each row's open_unit_list (a cell ending in 等)."""
    index = pl.int_range(pl.len(), dtype=pl.UInt32)
    lead, responsible, co = (
        _cell_names(frame.select(_i=index, cell=column), context) for column in ("_lead", "_responsible", "_co")
    )
    # Rows with a 牵头单位; rows whose 责任/配合单位 cells mark a lead (区发改局（牵头）).
    has_lead = pl.col("_i").is_in(lead["_i"].implode())
    marked = pl.concat([responsible.filter("_marked"), co.filter("_marked")])["_i"]
    leads = [lead]
    if not marked.is_empty():
        marked_lead = ~has_lead & pl.col("_i").is_in(marked.implode()) & pl.col("_marked")
        leads += [responsible.filter(marked_lead), co.filter(marked_lead)]
        unmarked = ~pl.col("_i").is_in(marked.implode())
    else:
        unmarked = pl.lit(True)
    # Without either, the 责任单位 lead: the first of them (first_leads), or all of them.
    if not responsible.is_empty():
        leads.append(responsible.filter(~has_lead & unmarked & ((pl.col("_pos") == 0) if first_leads else True)))
    # Every name in the order the roles take them: leads, then co-units as 配合单位 then
    # 责任单位 list them. A unit's first place is its only one: a lead is never also a co-unit.
    ordered = pl.concat(
        [part.select("_i", "name", _is_lead=pl.lit(True)) for part in leads]
        + [part.select("_i", "name", _is_lead=pl.lit(False)) for part in (co, responsible)]
    )
    open_rows = pl.concat([part.filter("_open")["_i"] for part in (lead, responsible, co)])
    open_unit_list = frame.select(index.is_in(open_rows.implode())).to_series() if not open_rows.is_empty() \
        else pl.repeat(False, frame.height, eager=True)
    if ordered.is_empty():
        links = pl.DataFrame(schema={"_i": pl.UInt32, "name": pl.String, "_is_lead": pl.Boolean, "position": pl.Int32})
        return links, open_unit_list.alias("open_unit_list")
    written = ordered["name"].unique(maintain_order=True).to_list()
    canonical = [context.resolve_unit(name) for name in written]
    units = pl.Series(list(dict.fromkeys(canonical)), dtype=pl.String)
    unit_number = {name: i for i, name in enumerate(units)}
    unit = pl.col("name").replace_strict(written, [unit_number[c] for c in canonical], return_dtype=pl.UInt64)
    # Row by row (a stable sort keeps each row's leads, then co-units, in order), numbered
    # within each run of one row and role.
    links = (
        ordered.with_columns(_unit=unit)
        .filter((pl.col("_i").cast(pl.UInt64) * (1 << 32) + pl.col("_unit")).is_first_distinct())
        .sort("_i", maintain_order=True)
    )
    links = links.with_columns(name=units.gather(links["_unit"])).drop("_unit")
    row = pl.int_range(pl.len(), dtype=pl.Int32)
    run_starts = (pl.col("_i").diff() != 0) | (pl.col("_is_lead") != pl.col("_is_lead").shift())
    first_of_run = pl.when(run_starts.fill_null(True)).then(row).forward_fill()
    links = links.with_columns(
        position=(row - first_of_run + pl.when("_is_lead").then(1).otherwise(101)).cast(pl.Int32))
    return links, open_unit_list.alias("open_unit_list")


def _simple_unit_roles(frame: pl.DataFrame, first_leads: bool, context: _Context) -> pl.DataFrame:
    """The frame with each row's units as lists (lead_units, co_units) and open_unit_list:
    _unit_links_by_column seen row by row."""
    links, open_unit_list = _unit_links_by_column(frame, first_leads, context)
    lists = links.group_by("_i", maintain_order=True).agg(
        lead_units=pl.col("name").filter("_is_lead"), co_units=pl.col("name").filter(~pl.col("_is_lead"))
    )
    every_row = frame.select(_i=pl.int_range(pl.len(), dtype=pl.UInt32)).join(
        lists, on="_i", how="left", maintain_order="left")
    empty = pl.lit([], dtype=pl.List(pl.String))
    return frame.with_columns(
        lead_units=every_row["lead_units"].fill_null(empty),
        co_units=every_row["co_units"].fill_null(empty),
        open_unit_list=open_unit_list,
    )


def _cell_names(cells: pl.DataFrame, context: _Context) -> pl.DataFrame:
    """(_i, name, _pos, _marked, _open): one row per name of each cell, in written order;
    _marked for a name the cell marks as lead, _open on the names of a cell ending in 等."""
    cells = cells.drop_nulls("cell")
    # How a cell reads is decided once per distinct cell: a list repeats its cells. A plain
    # cell, or one that is plain but for a trailing 等 (区发改局、区财政局等单位), splits in
    # polars; split_units reads any other.
    distinct = cells["cell"].unique()
    body = distinct.str.replace(OPEN_SUFFIX_PATTERN, "")
    plain_body = body.str.contains(_SIMPLE_CELL) & ~body.str.contains(_NOT_SIMPLE)
    # 市交通局、城管局: the prefix carries onto the bare names (etl.units.carry_prefix): such a
    # cell is read by split_units. Whether a name may take a level is decided once per distinct
    # name, so a cell whose later names cannot (区发改局、青川东街道) still splits here.
    head, bare = PREFIX_CARRY_PATTERNS
    may_carry = plain_body & body.str.contains(head) & body.str.contains(bare)
    if may_carry.any():
        pieces = body.str.replace_many(_SEPARATORS).str.split("、")
        takers = [name for name in pieces.filter(may_carry).explode().unique().to_list()
                  if name and may_take_prefix(name)]
        carries = may_carry & pieces.list.eval(pl.element().is_in(takers)).list.any() if takers \
            else pl.repeat(False, body.len(), eager=True)
        plain_body = plain_body & ~carries
    plain_cells = distinct.filter(plain_body & (body == distinct))
    open_cells = distinct.filter(plain_body & (body != distinct))
    split = pl.col("cell")
    if not open_cells.is_empty():
        split = split.replace(open_cells, body.filter(plain_body & (body != distinct)))
    if pl.concat([plain_cells, open_cells]).str.contains_any(list(_SEPARATORS)).any():
        split = split.str.replace_many(_SEPARATORS)
    everything_simple = plain_cells.len() + open_cells.len() == distinct.len()
    if everything_simple:
        simple = cells
    else:
        is_simple = cells.select(pl.col("cell").is_in(pl.concat([plain_cells, open_cells]).implode())).to_series()
        simple, other = cells.filter(is_simple), cells.filter(~is_simple)
    names = (
        simple.select(
            "_i", name=split.str.split("、"),
            _open=pl.col("cell").is_in(open_cells.implode()) if not open_cells.is_empty() else pl.lit(False),
        )
        .with_columns(_pos=pl.int_ranges(pl.col("name").list.len(), dtype=pl.UInt32))
        .explode("name", "_pos")
        .select("_i", "name", "_pos", _marked=pl.lit(False), _open="_open")
    )
    if everything_simple:
        return names
    read_cells = other["cell"].unique(maintain_order=True).to_list()
    lists = [context.unit_list(cell, None) for cell in read_cells]
    read = pl.DataFrame(
        {
            "cell": [cell for cell, u in zip(read_cells, lists, strict=True) if u for _ in u.names],
            "name": [name for u in lists if u for name in u.names],
            "_pos": [pos for u in lists if u for pos in range(len(u.names))],
            "_marked": [name in u.marked_leads for u in lists if u for name in u.names],
            "_open": [u.open_ended for u in lists if u for _ in u.names],
        },
        schema={"cell": pl.String, "name": pl.String, "_pos": pl.UInt32, "_marked": pl.Boolean, "_open": pl.Boolean},
    )
    # A cell's names stay together and in written order, which is all the roles need; rows in
    # the list's order, however each cell was read: the order names are first seen decides which
    # of two forms of one new unit is registered (etl.units.UnitResolver), never the split here.
    return pl.concat([names, other.join(read, on="cell", how="inner", maintain_order="left_right")
                      .select(names.columns)]).sort("_i", maintain_order=True)


def _unit_roles(context: _Context, first_leads: bool, lead, responsible, co, ann_lead, ann_co, ann_responsible, ann_open):
    roles = assign_roles(
        context.unit_list(lead, ann_lead), context.unit_list(responsible, ann_responsible),
        context.unit_list(co, ann_co), first_leads,
    )
    leads = list(dict.fromkeys(context.resolve_unit(n) for n in roles.lead))
    cos = [u for u in dict.fromkeys(context.resolve_unit(n) for n in roles.co) if u not in leads]
    return _JOIN.join(leads), _JOIN.join(cos), roles.open_ended or bool(ann_open)


def _deadline(context: _Context, text: str | None, base: date | None, prose: str | None = None):
    """The deadline of one distinct (完成时限 cell, source date, task text when the cell is
    empty): the staged deadline columns, an error for a malformed cell (an impossible date),
    the text the deadline was read from, and the row's flag (FLAG_LABELS) with its text.

    A missing or unreadable deadline is a flag, never an error (issue 9): the cell first, then
    a deadline written in the task text (several dated steps become milestones), then the
    import's default_deadline (flagged 采用默认时限), else kind none (status 未明确时限)."""
    nothing = (None,) * 8
    if base is None:
        return nothing + ("来源未确定，无法计算完成时限", None, None, None)
    try:
        parsed = parse_deadline(text, base, context.calendar)
    except DeadlineError as error:
        return nothing + (str(error), None, None, None)
    written, flag, flag_text = text, None, None
    if parsed.missing and not (text or "").strip():
        found = deadline_in_text(prose, base, context.calendar) if prose else None
        default = (context.options.default_deadline or "").strip()
        if found is not None and found.kind != "none":
            parsed, written = found, found.text
            flag, flag_text = "deadline_from_text", f"未写完成时限，取自事项内容“{found.text}”"
        elif found is not None:
            parsed, written = found, ""
            flag, flag_text = "deadline_unread", "；".join(found.flags)
        elif default:
            try:
                parsed = parse_deadline(default, base, context.calendar)
            except DeadlineError as error:
                return nothing + (f"默认时限：{error}", None, None, None)
            if parsed.kind == "none":
                return nothing + (f"无法识别默认时限“{default}”", None, None, None)
            written, flag, flag_text = default, "deadline_default", f"未写完成时限，采用默认时限“{default}”"
        else:
            flag, flag_text = "deadline_missing", "缺少完成时限"
    elif parsed.kind == "none":
        if parsed.flags:
            flag, flag_text = "deadline_unread", "；".join(parsed.flags)
        else:
            flag, flag_text = "deadline_missing", parsed.note or "缺少完成时限"
    elif assumed := [a for a in parsed.assumptions if "默认" in a or "请核对" in a]:
        flag, flag_text = "deadline_assumed", f"完成时限“{(text or '').strip()}”：{'；'.join(assumed)}"
    if parsed.kind == "none":
        return ("none", None, parsed.note or flag_text, None, None, [], None, None, None, written or "", flag, flag_text)
    milestones = [{"seq": i + 1, "text": m.text, "deadline": m.date} for i, m in enumerate(parsed.milestones)]
    milestones_text = "；".join(f"{m['text']}＠{m['deadline'] or ''}" for m in milestones) or None
    uncovered = "、".join(str(y) for y in parsed.uncovered_years) or None
    return (parsed.kind, parsed.date, parsed.note, parsed.cycle, parsed.cycle_day, milestones, milestones_text,
            uncovered, None, written, flag, flag_text)


def _leader_name(context: _Context, written: str | None) -> str | None:
    """The first leader a cell names (副区长王海, 王海副区长, 王海同志 -> 王海; 张伟、李娜 -> 张伟),
    the title split off (etl.people). Every person named is registered and kept, in order, in
    context.extra_leaders[written] (the ledger keeps them all: task_leaders)."""
    if not written:
        return None
    people = split_people(written)
    if not people:
        return None
    for person in people:
        if person.name not in context.known_leaders:
            context.known_leaders.add(person.name)
            context.new_leaders.append(person.name)
    context.extra_leaders[written] = tuple(f"{p.name}\x1e{p.written}" for p in people)
    return people[0].name


def _leader_names(context: _Context, written: str | None) -> tuple[str | None, str | None]:
    """(the first leader, every leader named as "name\x1ewritten" joined by _JOIN)."""
    first = _leader_name(context, written)
    return first, (_JOIN.join(context.extra_leaders[written]) if first else None)


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
    """A progress report's rows. Each is dated by its 填报日期 column, else the 填报日期 written
    above the header, else the source date given at import: never silently the import day."""
    listed = read_list_title(sheet.title_lines)
    title_source = listed.source_title if listed else None
    frame = sheet.frame.with_columns(
        _sheet=pl.lit(sheet.sheet, dtype=pl.String),
        _file=pl.lit(index, dtype=pl.Int32),
        code=_text_column(sheet, "code"),
        source_title=_text_column(sheet, "source_title").forward_fill().fill_null(
            pl.lit(context.options.source_title or title_source, dtype=pl.String)),
        item=_text_column(sheet, "item").str.replace(_ITEM_TRAILER.pattern, ""),
        text=_text_column(sheet, "progress"),
        _report_date=_text_column(sheet, "report_date"),
        _done=_text_column(sheet, "done_flag"),
        _done_date=_text_column(sheet, "done_date"),
    )
    frame = _map_distinct(frame, ["_report_date"], lambda t: (parse_calendar_date(t),), {"report_date": pl.Date})
    list_date = (listed.report_date if listed else None) or context.options.source_date
    undated = frame.select((pl.col("report_date").is_null() & pl.col("_report_date").is_null()).sum()).item()
    if undated and list_date:
        frame = frame.with_columns(report_date=pl.col("report_date").fill_null(
            pl.when(pl.col("_report_date").is_null()).then(pl.lit(list_date))))
    elif undated:
        report.warnings.append(f"{sheet.label}：{undated}条进展没有填报日期（表中无“填报日期”列，标题处和导入时也未写），"
                               "按导入当日记录，请核对")
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
        if problem := context.unit_name_problem(canonical, new=True, listed=True):
            report.errors.append(RowError(sheet.sheet, row[ROW], column, name, problem))
            continue
        aliases = split_units(row.get(sheet.fields.get("unit_aliases", ""), None), carry=False).names
        # The ledger already holds this body under another true form (区住建局, as a task list
        # wrote it): the office's own list names it, so the unit takes that name and the old
        # one stays an alias; unless this import's rows already use the old name, when the
        # listed name becomes the alias instead. Either way the report says so.
        stored = context.resolver.existing(canonical)
        renames = None
        if stored is not None and normalize_unit_name(stored) != normalize_unit_name(canonical):
            if stored in context.facts.units and stored not in context._canonical.values():
                report.warnings.append(f"单位“{stored}”按单位名单更名为“{canonical}”，“{stored}”记为其别名")
                context.resolver.rename(stored, canonical)
                renames = stored
                aliases = (stored, *aliases)
            else:
                report.warnings.append(f"单位名单中的“{canonical}”即本次导入中的“{stored}”（同一单位的全称或简称），"
                                       f"按“{stored}”登记，“{canonical}”记为其别名")
                aliases = (canonical, *aliases)
                canonical = stored
        leader = _leader_name(context, row.get(sheet.fields.get("leader", ""), None))
        kind = (row.get(sheet.fields.get("unit_kind", ""), None) or infer_unit_kind(canonical)).strip()
        units.append({"name": canonical, "aliases": [a for a in aliases if a != canonical], "kind": kind, "leader": leader,
                      "renames": renames})
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
        if rank_text and not (rank_text.isascii() and rank_text.isdigit()):   # not ①, not ²
            report.errors.append(RowError(sheet.sheet, row[ROW], fields.get("person_rank"), rank_text, "排序应为整数"))
            continue
        leaders.append({
            "name": name.strip(), "title": title, "rank": int(rank_text) if rank_text else None,
            "is_principal": bool(title) and title.strip() in ("区长", "市长", "县长"),
        })
    return leaders


# ---------------------------------------------------------------------------------------
# Writing, inside the transaction


@dataclass
class _Batch:
    """What every write of one import shares: the connection in its transaction, the batch,
    who imports, and the one clock reading every audit entry of the import carries."""

    con: duckdb.DuckDBPyConnection
    batch_id: str
    actor: str
    at: datetime
    today: date
    reports: dict[int, FileReport]   # by the file's index (the _file column)

    written: set[str] = field(default_factory=set)   # the tables written, for the integrity check

    def write(self, statement: str, /, **params) -> None:
        """Runs one of the import's writing statements, noting the table it writes."""
        sql.execute(self.con, statement, **params)
        self.written.add(_WRITES[statement])

    def append(self, statement: str, /, **frame: pl.DataFrame) -> None:
        """Runs an appending statement over its one frame a DuckDB row group at a time: the
        Arrow copy handed over (see _registered) stays small whatever the frame's size."""
        ((name, rows),) = frame.items()
        for offset in range(0, rows.height, _ROW_GROUP):
            with _registered(self.con, **{name: rows.slice(offset, _ROW_GROUP)}):
                self.write(statement)

    def audit(self, entries: list[audit.Entry]) -> None:
        if audit.record(self.con, self.actor, entries, batch_id=self.batch_id, at=self.at):
            self.written.add("audit_log")

    def audit_frame(self, entries: pl.DataFrame) -> None:
        if audit.record_frame(self.con, self.actor, entries, batch_id=self.batch_id, at=self.at):
            self.written.add("audit_log")


_ROW_GROUP = 122_880   # DuckDB's rows per row group

# The table each writing statement of etl/sql/import writes.
_WRITES = {
    "insert_tasks": "tasks",
    "delete_tasks": "tasks",
    "close_tasks": "tasks",
    "delete_task_units": "task_units",
    "insert_task_units": "task_units",
    "delete_task_leaders": "task_leaders",
    "insert_task_leaders": "task_leaders",
    "delete_milestones": "milestones",
    "insert_milestones": "milestones",
    "update_rectifications": "rectifications",
    "insert_rectifications": "rectifications",
    "add_progress": "progress",
    "insert_claims": "progress",
    "delete_flags": "task_flags",
    "insert_flags": "task_flags",
    "delete_kept_columns": "task_kept_columns",
    "insert_kept_columns": "task_kept_columns",
    "insert_leader": "leaders",
    "update_leader": "leaders",
    "insert_new_leaders": "leaders",
    "insert_unit": "units",
    "update_unit": "units",
    "rename_unit": "units",
    "insert_new_units": "units",
    "insert_aliases": "unit_aliases",
    "insert_sources": "sources",
    "insert_batch": "import_batches",
    "insert_file": "import_files",
}


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, **frames: pl.DataFrame) -> Iterator[None]:
    """The frames readable by SQL under these names, for the block's length only.

    Handed over as Arrow with plain strings: DuckDB 2.0 reads those about twice as fast as
    polars' string views (100,000 tasks: 0.03 s against 0.07 s), for a few ms of conversion."""
    for name, frame in frames.items():
        con.register(name, frame.to_arrow(compat_level=pl.CompatLevel.oldest()))
    try:
        yield
    finally:
        for name in frames:
            try:
                con.unregister(name)
            except duckdb.TransactionException:
                # A statement failed and aborted the transaction: ROLLBACK follows and takes the
                # registration with it; the statement's own error is the one to raise.
                pass


def _write(con: duckdb.DuckDBPyConnection, prepared: list[_Prepared], context: _Context, batch_id: str) -> set[str]:
    """Writes the prepared files; returns the tables written."""
    batch = _Batch(con, batch_id, context.options.actor, audit.now(), context.today,
                   {p.index: p.report for p in prepared})
    _write_leaders(batch, prepared, context)
    _write_units(batch, prepared, context)
    source_ids = _write_sources(batch, context)
    tasks, units = _staged_tasks(con, prepared, source_ids)
    tasks = _match_existing(con, tasks, context)
    tasks = _insert_new_tasks(batch, tasks)
    changes = _update_existing(batch, tasks, units)
    _link_units(batch, tasks, units, changes)
    _write_task_leaders(batch, tasks)
    _write_milestones(batch, tasks, changes)
    _write_rectifications(batch, tasks)
    _write_flags(batch, tasks, prepared)
    _report_missing_rows(batch, tasks)
    _write_progress(batch, tasks, [f for p in prepared for f in p.progress])
    _record_batch(batch, prepared)
    return batch.written


def _staged_tasks(
    con: duckdb.DuckDBPyConnection, prepared: list[_Prepared], source_ids: dict[str, int]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every file's task rows, numbered (_n) in import order, with their source's and leader's
    ids; and their units (STAGED_UNITS)."""
    leader_ids = dict(sql.rows(con, "leader_ids"))
    frames = [f for p in prepared for f in p.tasks]
    tasks = (pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=STAGED_TASKS)).with_columns(
        _n=pl.int_range(pl.len(), dtype=pl.Int64),
        source_id=pl.col("source_key").replace_strict(source_ids, default=None, return_dtype=pl.Int32),
        leader_id=pl.col("leader").replace_strict(leader_ids, default=None, return_dtype=pl.Int32),
    )
    units = [f for p in prepared for f in p.task_units]
    return tasks, pl.concat(units) if units else pl.DataFrame(schema=STAGED_UNITS)


def _match_existing(con: duckdb.DuckDBPyConnection, tasks: pl.DataFrame, context: _Context) -> pl.DataFrame:
    """The rows with the id of the ledger's task each one is (_new when none): by 督办编号, or
    by source and 序号 when the source was in the ledger before this import. Only those rows
    are looked up; the rest are new without asking."""
    listed_source = pl.col("source_key").is_in(list(context.source_dates))
    tasks = tasks.with_columns(_listed_source=listed_source)
    keys = tasks.filter(pl.col("code").is_not_null() | pl.col("_listed_source")).select("_n", "code", "source_id", "item")
    task_id = pl.repeat(None, tasks.height, dtype=pl.Int32, eager=True)
    if keys.height:
        with _registered(con, incoming_keys=keys):
            found = sql.frame(con, "match_tasks")
        task_id = task_id.scatter(found["_n"], found["task_id"].cast(pl.Int32))
    return tasks.with_columns(task_id=task_id, _new=task_id.is_null())


def _insert_new_tasks(batch: _Batch, tasks: pl.DataFrame) -> pl.DataFrame:
    """Inserts the new rows as tasks created by this batch (tasks.created_batch: a batch's
    creations are its rows there, and the file they came from is kept with the batch), with
    ids on from the largest and 督办编号 DB + year + a running number within the year, in
    file order (a code from the file is kept as written). Returns the rows with their ids."""
    new = tasks if tasks["_new"].all() else tasks.filter("_new")
    in_file_order = (pl.col("_file").diff() > 0) | ((pl.col("_file").diff() == 0) & (pl.col(ROW).diff() >= 0))
    if not new.select(in_file_order.fill_null(True).all()).item():
        new = new.sort("_file", ROW, maintain_order=True)
    last_numbers = dict(sql.rows(batch.con, "last_codes"))
    (last_id,) = sql.one(batch.con, "last_task_id")
    year = pl.col("assigned_date").dt.year()
    number = pl.int_range(1, pl.len() + 1).over(year) + year.replace_strict(last_numbers, default=0, return_dtype=pl.Int64)
    new = new.with_columns(
        task_id=pl.int_range(last_id + 1, last_id + 1 + pl.len(), dtype=pl.Int32),
        code=pl.coalesce("code", pl.format("DB{}{}", year, number.cast(pl.String).str.zfill(5))),
    )
    rows = new.select("task_id", *_TASK_COLUMNS, created_batch=pl.lit(batch.batch_id), updated_batch=pl.lit(batch.batch_id))
    batch.append("insert_tasks", task_rows=rows)
    for file_index, created in new.group_by("_file").len().rows():
        batch.reports[file_index].tasks_created = created
    return tasks.with_columns(task_id=tasks["task_id"].scatter(new["_n"], new["task_id"]))


# The columns of `tasks` an import writes, and those an updated list may change.
_TASK_COLUMNS = [f.stored_as for f in task_fields.stored_in(task_fields.TASKS)]
_UPDATED_COLUMNS = [f.stored_as for f in task_fields.stored_in(task_fields.TASKS) if f.updatable]
# What tasks_before adds to a task's row: the fields not stored as a column of their own name.
_NOT_TASK_COLUMNS = [f.name for f in task_fields.FIELDS if f.table != task_fields.TASKS or f.name != f.stored_as]
_NO_CHANGES = pl.DataFrame(schema={"_file": pl.Int32, "_key": pl.UInt32, "task_id": pl.Int32, "code": pl.String,
                                   "field": pl.String, "before": pl.String, "after": pl.String})


def _update_existing(batch: _Batch, tasks: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """Compares each task the files list again with the ledger, every updatable field of
    ledger/task_fields.py; audits each difference (before and after) and writes the changed
    tasks. A task named by several rows is compared with the first. Returns the changes."""
    matched = tasks.filter(~pl.col("_new")).unique("task_id", keep="first", maintain_order=True)
    if matched.is_empty():
        return _NO_CHANGES
    matched = _with_unit_text(matched, units)
    with _registered(batch.con, matched_tasks=matched.select("task_id")):
        before = sql.frame(batch.con, "tasks_before")
    changes = _changes(before, matched)
    if changes.is_empty():
        return changes
    batch.audit_frame(changes.select(action=pl.lit("update"), entity=pl.lit("task"), entity_id="code",
                                     field="field", before="before", after="after"))
    for file_index, updated in changes.group_by("_file").agg(pl.col("task_id").n_unique()).rows():
        batch.reports[file_index].tasks_updated = updated
    # The ledger's rows of the changed tasks with the list's values, written back whole.
    changed = matched.filter(pl.col("task_id").is_in(changes["task_id"].implode()))
    rows = (
        before.drop(_NOT_TASK_COLUMNS + _UPDATED_COLUMNS + ["updated_batch"])
        .join(changed.select("task_id", *_UPDATED_COLUMNS), on="task_id")
        .with_columns(updated_batch=pl.lit(batch.batch_id))
    )
    with _registered(batch.con, rewritten=rows.select("task_id")):
        batch.write("delete_tasks")
    batch.append("insert_tasks", task_rows=rows)
    return changes


def _changes(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """One row per field whose value differs, both sides in the audit log's encoding, in
    the rows' order and the fields' order."""
    fields = [f.name for f in task_fields.UPDATABLE]

    def encoded(frame: pl.DataFrame, index: list[str], side: str) -> pl.DataFrame:
        return frame.select(
            *index, *[audit.encode_column(pl.col(name), frame.schema[name]).alias(name) for name in fields]
        ).unpivot(fields, index=index, variable_name="field", value_name=side)

    position = {name: i for i, name in enumerate(fields)}
    return (
        encoded(after, ["_n", "_file", "_key", "task_id"], "after")
        .join(encoded(before, ["task_id", "code"], "before"), on=["task_id", "field"])
        .filter(pl.col("before").ne_missing(pl.col("after")))
        .sort("_n", pl.col("field").replace_strict(position, return_dtype=pl.Int32))
        .select(_NO_CHANGES.columns)
    )


def _rewritten(changes: pl.DataFrame, table: str) -> pl.DataFrame:
    """The rows (_key) whose task has a changed field stored in table."""
    fields = [f.name for f in task_fields.stored_in(table)]
    return changes.filter(pl.col("field").is_in(fields)).select("_key", "task_id").unique()


def _link_units(batch: _Batch, tasks: pl.DataFrame, units: pl.DataFrame, changes: pl.DataFrame) -> None:
    """The units of new tasks, and of tasks whose unit lists changed, as written."""
    relinked = _rewritten(changes, task_fields.UNITS)
    if relinked.height:
        with _registered(batch.con, rewritten=relinked):
            batch.write("delete_task_units")
    unit_ids = dict(sql.rows(batch.con, "unit_ids"))
    links = _unit_links(tasks, units, unit_ids)
    if relinked.height:
        links = links.filter(pl.col("_new") | pl.col("_key").is_in(relinked["_key"].implode()))
    elif not tasks["_new"].all():
        links = links.filter("_new")
    batch.append("insert_task_units", unit_links=links)


def _write_milestones(batch: _Batch, tasks: pl.DataFrame, changes: pl.DataFrame) -> None:
    rewritten = _rewritten(changes, task_fields.MILESTONES)
    if rewritten.height:
        with _registered(batch.con, rewritten=rewritten):
            batch.write("delete_milestones")
    written = pl.col("_new") | pl.col("_key").is_in(rewritten["_key"].implode())
    rows = (
        tasks.filter(written & (pl.col("_milestones").list.len() > 0))
        .select("task_id", milestone="_milestones")
        .explode("milestone")
        .unnest("milestone")
    )
    if rows.height:
        batch.append("insert_milestones", milestone_rows=rows)


def _write_rectifications(batch: _Batch, tasks: pl.DataFrame) -> None:
    """A rectification task's problem and measures, as the latest list writes them."""
    rows = tasks.filter("is_rectification").unique("task_id", keep="first", maintain_order=True)
    if rows.height:
        with _registered(batch.con, rectification_rows=rows.select("task_id", "category", "content", "measures")):
            batch.write("update_rectifications")
            batch.write("insert_rectifications")


def _write_flags(batch: _Batch, tasks: pl.DataFrame, prepared: list[_Prepared]) -> None:
    """Each listed task's flags and kept columns as this import found them: written for a new
    task; for a task the ledger has, compared as text with what it holds and, when different,
    audited (fields flags and kept_columns, before and after) and replaced whole. A task named
    by several rows takes the first row's, as its fields do (_update_existing)."""
    # The three columns first: unique over the whole staged frame would copy every column.
    first = tasks.select("_key", "task_id", "_new").unique("task_id", keep="first", maintain_order=True)
    flags = [f for p in prepared for f in p.flags]
    kept = [f for p in prepared for f in p.kept]
    flag_rows = (
        (pl.concat(flags) if flags else pl.DataFrame(schema=STAGED_FLAGS)).join(first, on="_key", how="inner")
        .with_columns(seq=pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("task_id"))
        .select("task_id", "_new", "seq", "kind", column_name="column", text="text", sheet="_sheet",
                excel_row=pl.col(ROW).cast(pl.Int32))
    )
    kept_rows = (
        (pl.concat(kept) if kept else pl.DataFrame(schema=STAGED_KEPT)).join(first, on="_key", how="inner")
        .select("task_id", "_new", "position", "name", "value")
    )
    matched = first.filter(~pl.col("_new")).select("task_id")
    rewrite_flags = first.filter("_new").select("task_id")
    rewrite_kept = rewrite_flags
    if matched.height:
        with _registered(batch.con, listed_tasks=matched):
            before = sql.frame(batch.con, "flags_before")
        after = matched.join(
            flag_rows.sort("seq").group_by("task_id", maintain_order=True).agg(
                flags=pl.col("text").str.join("；")),
            on="task_id", how="left",
        ).join(
            kept_rows.sort("position").group_by("task_id", maintain_order=True).agg(
                kept_columns=pl.concat_str(pl.col("name"), pl.lit("："), pl.col("value")).str.join("；")),
            on="task_id", how="left",
        )
        compared = before.join(after, on="task_id", suffix="_after")
        entries = []
        for name in ("flags", "kept_columns"):
            changed = compared.filter(pl.col(name).ne_missing(pl.col(f"{name}_after")))
            entries.append(changed.select(action=pl.lit("update"), entity=pl.lit("task"), entity_id="code",
                                          field=pl.lit(name), before=name, after=f"{name}_after"))
            if name == "flags":
                rewrite_flags = pl.concat([rewrite_flags, changed.select("task_id")])
            else:
                rewrite_kept = pl.concat([rewrite_kept, changed.select("task_id")])
        entries = pl.concat(entries)
        if entries.height:
            batch.audit_frame(entries)
        with _registered(batch.con, rewritten=rewrite_flags.filter(pl.col("task_id").is_in(matched["task_id"].implode()))):
            batch.write("delete_flags")
        with _registered(batch.con, rewritten=rewrite_kept.filter(pl.col("task_id").is_in(matched["task_id"].implode()))):
            batch.write("delete_kept_columns")
    batch_id = pl.lit(batch.batch_id, dtype=pl.String)
    # Without a task the ledger had, the rows to write are the new ones: no lookup by id.
    flag_rows = flag_rows.filter(pl.col("task_id").is_in(rewrite_flags["task_id"].implode()) if matched.height
                                 else pl.col("_new")).drop("_new")
    kept_rows = kept_rows.filter(pl.col("task_id").is_in(rewrite_kept["task_id"].implode()) if matched.height
                                 else pl.col("_new")).drop("_new")
    if flag_rows.height:
        batch.append("insert_flags", flag_rows=flag_rows.with_columns(batch_id=batch_id))
    if kept_rows.height:
        batch.append("insert_kept_columns", kept_rows=kept_rows.with_columns(batch_id=batch_id))


def _write_task_leaders(batch: _Batch, tasks: pl.DataFrame) -> None:
    """Every leader each listed task's row names, in order (task_leaders; the first is also
    tasks.leader_id): written for a new task; for a task the ledger has, compared as text with
    what it holds and, when different, audited (field leaders) and replaced whole."""
    first = tasks.select("task_id", "_new", "_leaders").unique("task_id", keep="first", maintain_order=True)
    # Each distinct leader cell read once (a list names a few leaders many times), then joined.
    people = (
        first.select("_leaders").drop_nulls().unique(maintain_order=True)
        .with_columns(person=pl.col("_leaders").str.split(_JOIN))
        .with_columns(position=pl.int_ranges(1, pl.col("person").list.len() + 1, dtype=pl.Int32))
        .explode("person", "position")
        .with_columns(name=pl.col("person").str.split("\x1e").list.first(),
                      written=pl.col("person").str.split("\x1e").list.last())
        .with_columns(written=pl.when(pl.col("written") != pl.col("name")).then("written"))
        .drop("person")
    )
    rows = first.filter(pl.col("_leaders").is_not_null()).join(
        people, on="_leaders", how="inner", maintain_order="left_right").drop("_leaders")
    rewrite = first.filter("_new").select("task_id")
    matched = first.filter(~pl.col("_new")).select("task_id")
    if matched.height:
        with _registered(batch.con, listed_tasks=matched):
            before = sql.frame(batch.con, "task_leaders_before")
        after = matched.join(
            rows.sort("position").group_by("task_id", maintain_order=True).agg(
                leaders_after=pl.coalesce("written", "name").str.join("、")),
            on="task_id", how="left")
        changed = before.join(after, on="task_id").filter(pl.col("leaders").ne_missing(pl.col("leaders_after")))
        if changed.height:
            batch.audit_frame(changed.select(action=pl.lit("update"), entity=pl.lit("task"), entity_id="code",
                                             field=pl.lit("leaders"), before="leaders", after="leaders_after"))
            with _registered(batch.con, rewritten=changed.select("task_id")):
                batch.write("delete_task_leaders")
            rewrite = pl.concat([rewrite, changed.select("task_id")])
    # Without a task the ledger had, the rows to write are the new ones: no lookup by id.
    rows = rows.filter(pl.col("task_id").is_in(rewrite["task_id"].implode()) if matched.height
                       else pl.col("_new")).drop("_new")
    if rows.height:
        batch.append("insert_task_leaders", leader_rows=rows.with_columns(batch_id=pl.lit(batch.batch_id)))


def _report_missing_rows(batch: _Batch, tasks: pl.DataFrame) -> None:
    """Tasks of the sources listed that the files no longer list; only a source the ledger
    had before this import can have such tasks."""
    listed = tasks.filter("_listed_source").select("_file", "source_id").unique()
    if listed.is_empty():
        return
    with _registered(batch.con, listed_sources=listed, matched_tasks=tasks.filter(~pl.col("_new")).select("task_id")):
        missing = sql.rows(batch.con, "missing_rows", batch=batch.batch_id)
    for file_index, title, item, code in missing:
        batch.reports[file_index].warnings.append(f"{title} 第{item}项（{code}）不在本次文件中，已保留，未删除")


def _write_progress(batch: _Batch, tasks: pl.DataFrame, progress: list[pl.DataFrame]) -> None:
    """Progress from a task list's own 进展情况 / 是否办结 columns and from progress files:
    appended once per (task, text), and closing the tasks a report says are done."""
    list_reports = tasks.filter(pl.col("progress").is_not_null() | pl.col("done")).select(
        "_file", "_sheet", ROW, "task_id", "progress", "report_date", "done", "done_date"
    )
    if list_reports.is_empty() and not progress:
        return
    progress_rows = pl.concat(progress) if progress else pl.DataFrame(schema=STAGED_PROGRESS)
    with _registered(batch.con, list_reports=list_reports, progress_rows=progress_rows):
        reports = sql.frame(batch.con, "match_progress")
    unmatched = reports.filter(pl.col("task_id").is_null())
    for file_index, sheet, row, value in unmatched.select("_file", "_sheet", ROW, "written_as").iter_rows():
        batch.reports[file_index].errors.append(RowError(sheet, row, None, value, "台账中找不到对应的督办事项"))
    if unmatched.height:
        raise ImportFailed
    # A completion a list claims (是否办结=是, 状态 已完成) goes through 核查 like a unit's
    # 申请办结 when the office's setting asks for it: a claim waiting, the task left open.
    verify = (sql.one(batch.con, "close_requires_verification") or ("是",))[0] == "是"
    with _registered(batch.con, reports=reports.drop("written_as")):
        for file_index, added in sql.rows(batch.con, "new_progress_by_file"):
            batch.reports[file_index].progress_added = added
        batch.write("add_progress", today=batch.today, actor=batch.actor, batch=batch.batch_id, verify=verify)
        if verify:
            claims = sql.frame(batch.con, "claims", today=batch.today)
            closures = sql.frame(batch.con, "closures", today=batch.today).clear()
        else:
            closures = sql.frame(batch.con, "closures", today=batch.today)
    if verify and not claims.is_empty():
        batch.audit_frame(claims.select(
            action=pl.lit("claim_done"), entity=pl.lit("task"), entity_id="code", field=pl.lit("claim_state"),
            before=pl.lit(None, dtype=pl.String), after=pl.lit("pending"),
        ))
        with _registered(batch.con, claims=claims):
            batch.write("insert_claims", actor=batch.actor, batch=batch.batch_id)
    if closures.is_empty():
        return
    batch.audit_frame(closures.select(
        action=pl.lit("close"), entity=pl.lit("task"), entity_id="code", field=pl.lit("closed_date"),
        before=pl.lit(None, dtype=pl.String), after=audit.encode_column(pl.col("closed_date"), pl.Date),
    ))
    with _registered(batch.con, closures=closures):
        batch.write("close_tasks", batch=batch.batch_id)


def _unit_links(tasks: pl.DataFrame, units: pl.DataFrame, unit_ids: dict[str, int]) -> pl.DataFrame:
    """(task_id, _new, _key, unit_id, role, position) for every unit of every row."""
    size = int(tasks["_key"].max()) + 1 if tasks.height else 0
    by_key = pl.DataFrame({
        "task_id": pl.repeat(None, size, dtype=pl.Int32, eager=True).scatter(tasks["_key"], tasks["task_id"]),
        "_new": pl.repeat(None, size, dtype=pl.Boolean, eager=True).scatter(tasks["_key"], tasks["_new"]),
    })
    return by_key[units["_key"]].with_columns(
        _key=units["_key"],
        unit_id=units["name"].replace_strict(unit_ids, default=None, return_dtype=pl.Int32),
        role=pl.when(units["_is_lead"]).then(pl.lit("lead")).otherwise(pl.lit("co")),
        position=units["position"],
    ).drop_nulls("unit_id")


def _with_unit_text(rows: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """Rows with their units as tasks_before reads them (lead_units, co_units: names joined
    by 、 in position order, null for none), to compare with it."""
    text = (
        units.filter(pl.col("_key").is_in(rows["_key"].implode()))
        .group_by("_key", maintain_order=True)
        .agg(lead_units=pl.col("name").filter("_is_lead"), co_units=pl.col("name").filter(~pl.col("_is_lead")))
        .with_columns(pl.col("lead_units", "co_units").list.join("、").replace("", None))
    )
    return rows.join(text, on="_key", how="left", maintain_order="left")


def _write_leaders(batch: _Batch, prepared: list[_Prepared], context: _Context) -> None:
    con, entries = batch.con, []
    for p in prepared:
        for leader in p.leaders:
            existing = sql.one(con, "leader", name=leader["name"])
            if existing is None:
                batch.write("insert_leader", **leader)
                entries.append(audit.Entry("create", "leader", leader["name"], after=leader["title"]))
            elif existing != (leader["title"], leader["rank"]):
                batch.write("update_leader", **leader)
                entries.append(audit.Entry("update", "leader", leader["name"], "title", existing[0], leader["title"]))
    # Leaders first seen in task lists: registered, and named in the report.
    known = {name for name, _ in sql.rows(con, "leader_ids")}
    new_names = [name for name in dict.fromkeys(context.new_leaders) if name not in known]
    if new_names:
        new_leaders = pl.DataFrame({"_order": range(len(new_names)), "name": new_names},
                                   schema={"_order": pl.Int32, "name": pl.String})
        with _registered(con, new_leaders=new_leaders):
            batch.write("insert_new_leaders")
        entries += [audit.Entry("create", "leader", name) for name in new_names]
        named_in = [_leaders_named_in(p) for p in prepared]
        for name in new_names:
            for p, names in zip(prepared, named_in, strict=True):
                if name in names:
                    p.report.warnings.append(f"新增领导：{name}（台账中原无此人，已登记）")
                    break
    batch.audit(entries)


def _leaders_named_in(prepared: _Prepared) -> set[str]:
    names: set[str] = set()
    for frame in prepared.tasks:
        names.update(n for n in frame["leader"].unique().to_list() if n)
        # and those named second (张伟、李娜): "name\x1ewritten" joined by _JOIN
        for joined in frame["_leaders"].drop_nulls().unique().to_list():
            names.update(person.split("\x1e")[0] for person in joined.split(_JOIN))
    for unit in prepared.units:
        if unit["leader"]:
            names.add(unit["leader"])
    return names


def _units_named_in(prepared: _Prepared) -> set[str]:
    names: set[str] = set()
    for frame in prepared.task_units:
        names.update(frame["name"].unique().to_list())
    return names


def _write_units(batch: _Batch, prepared: list[_Prepared], context: _Context) -> None:
    con, entries = batch.con, []
    leader_ids = dict(sql.rows(con, "leader_ids"))
    for p in prepared:
        for unit in p.units:
            leader_id = leader_ids.get(unit["leader"]) if unit["leader"] else None
            if unit.get("renames") and (old := sql.one(con, "unit", name=unit["renames"])) is not None \
                    and sql.one(con, "unit", name=unit["name"]) is None:
                batch.write("rename_unit", name=unit["name"], unit_id=old[0])
                entries.append(audit.Entry("update", "unit", unit["name"], "name", unit["renames"], unit["name"]))
            existing = sql.one(con, "unit", name=unit["name"])
            if existing is None:
                batch.write("insert_unit", name=unit["name"], kind=unit["kind"], leader_id=leader_id,
                            is_collective=is_collective(unit["name"]), batch=batch.batch_id)
                entries.append(audit.Entry("create", "unit", unit["name"], after=unit["kind"]))
            elif (existing[1], existing[2]) != (unit["kind"], leader_id):
                batch.write("update_unit", kind=unit["kind"], leader_id=leader_id, unit_id=existing[0])
                entries.append(audit.Entry("update", "unit", unit["name"], "kind/leader",
                                           f"{existing[1]}/{existing[2]}", f"{unit['kind']}/{leader_id}"))
            for alias in unit["aliases"]:
                context.aliases_seen[alias] = unit["name"]
    # Units first seen in task lists: registered, and named in the report as new.
    known = {name for name, _ in sql.rows(con, "unit_ids")}
    new_names = [name for name in dict.fromkeys(context.resolver.new_units())
                 if name not in known and name not in context.refused_units]
    if new_names:
        kinds = [infer_unit_kind(name) for name in new_names]
        new_units = pl.DataFrame(
            {"_order": range(len(new_names)), "name": new_names, "kind": kinds,
             "is_collective": [is_collective(name) for name in new_names]},
            schema={"_order": pl.Int32, "name": pl.String, "kind": pl.String, "is_collective": pl.Boolean},
        )
        with _registered(con, new_units=new_units):
            batch.write("insert_new_units", batch=batch.batch_id)
        entries += [audit.Entry("create", "unit", name, after=kind) for name, kind in zip(new_names, kinds, strict=True)]
        named_in = [_units_named_in(p) for p in prepared]
        for name in new_names:
            for p, names in zip(prepared, named_in, strict=True):
                if name in names:
                    p.report.new_units.append(name)
                    break
    if context.aliases_seen:
        new_aliases = pl.DataFrame(
            {"alias": list(context.aliases_seen), "canonical": list(context.aliases_seen.values())},
            schema={"alias": pl.String, "canonical": pl.String},
        )
        with _registered(con, new_aliases=new_aliases):
            batch.write("insert_aliases")
    batch.audit(entries)


def _write_sources(batch: _Batch, context: _Context) -> dict[str, int]:
    new = [source for source in context.sources.values() if source.key not in context.source_dates]
    if new:
        leader_ids = dict(sql.rows(batch.con, "leader_ids"))
        new_sources = pl.DataFrame(
            {
                "_order": range(len(new)),
                "kind": [s.kind for s in new],
                "title": [s.title for s in new],
                "number": [s.number for s in new],
                "date": [s.date for s in new],
                "leader_id": [leader_ids.get(s.leader) if s.leader else None for s in new],
            },
            schema={"_order": pl.Int32, "kind": pl.String, "title": pl.String, "number": pl.String,
                    "date": pl.Date, "leader_id": pl.Int32},
        )
        with _registered(batch.con, new_sources=new_sources):
            batch.write("insert_sources")
        batch.audit([audit.Entry("create", "source", s.title, after=f"{KIND_LABELS[s.kind]} {s.date}") for s in new])
    return {f"{k}\x1f{t}": i for k, t, i in sql.rows(batch.con, "source_ids")}


def _record_batch(batch: _Batch, prepared: list[_Prepared]) -> None:
    """The batch, its files (with their bytes), and one audit entry naming them."""
    reports = [p.report for p in prepared]
    batch.write("insert_batch", batch=batch.batch_id, at=batch.at, actor=batch.actor, files=len(reports),
                rows=sum(r.rows for r in reports), tasks_created=sum(r.tasks_created for r in reports),
                tasks_updated=sum(r.tasks_updated for r in reports),
                progress_added=sum(r.progress_added for r in reports))
    for p in prepared:
        r = p.report
        batch.write("insert_file", batch=batch.batch_id, file_name=Path(r.path).name, sha256=p.sha256,
                    sheet=p.sheet_option, file_kind=r.kind or "", rows=r.rows, tasks_created=r.tasks_created,
                    tasks_updated=r.tasks_updated, progress_added=r.progress_added, new_units=r.new_units,
                    warnings=r.warnings, content_zlib=p.packed.result() if p.packed else None)
    batch.audit([audit.Entry("import", "batch", batch.batch_id, after="、".join(Path(r.path).name for r in reports))])
