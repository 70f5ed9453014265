"""The upload page's work: options from the form, the upload gate (size, content), the import
(preview or commit) through the same `import_files` as the CLI, and the frames the page shows
(preview, row errors, history).

Every import, preview included, reads the ledger's facts under the shared lock, validates
holding no lock, and holds the write lock (ui.state.writing) only to write; the write validates
again if the ledger changed in between (etl.importer.import_locked). Two users' writes run one
after the other, never interleaved.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from etl.importer import ImportResult, InputFile, LoadOptions, ReadFiles, import_locked, read_files, unreadable
from etl.intake import DEFAULT_MAX_UPLOAD_MB, ReadError, check_upload
from etl.sources import KIND_LABELS, kind_from_title
from ledger import history
from ledger.access import User, require
from ledger.actions import import_as
from ledger.db import setting
from ledger.vocabulary import AUDIT_VALUE_LABELS, NO_LEAD_UNIT_LABEL
from ui.safe import clean, md
from ui.safe import frame as clean_frame

AUTO_KIND = "自动识别"
DEADLINE_KIND_LABELS: dict[str, str] = AUDIT_VALUE_LABELS["deadline_kind"]
KIND_CHOICES: list[str] = [AUTO_KIND, *KIND_LABELS.values()]

# What the importer found a file to be (FileReport.kind, import_files.file_kind).
FILE_KIND_LABELS: dict[str, str] = {
    "tasks": "督办事项",
    "progress": "进展情况",
    "units": "单位名单",
    "leaders": "领导名单",
}

PREVIEW_COLUMNS = ["文件", "内容", "行数", "新增", "更新", "进展", "新单位", "提示"]
ERROR_COLUMNS = ["文件", "工作表", "行号", "列", "值", "原因"]
BATCH_COLUMNS = ["批次", "导入人", "时间", "文件数", "行数", "新增", "更新", "进展"]
BATCH_FILE_COLUMNS = ["文件名", "工作表", "内容", "SHA-256", "行数", "新增", "更新", "进展", "新单位", "提示"]


@dataclass(frozen=True)
class Totals:
    files: int
    rows: int
    created: int
    updated: int
    progress: int
    new_units: int
    already_imported: int


# ---------------------------------------------------------------------------------------
# Options and the import


def build_options(kind_choice: str, title: str | None, day: date | None, actor: str = "", *,
                  default_deadline: str | None = None) -> LoadOptions:
    """LoadOptions from the form. 自动识别 leaves the kind to the file's own columns, or to the
    title when one is given (区政府第12次常务会议 is a 常务会议). default_deadline: the 完成时限
    of rows that give none (年底前), each such row flagged 采用默认时限."""
    title = (title or "").strip() or None
    kind = None if kind_choice == AUTO_KIND else kind_choice
    if kind is None and title:
        code = kind_from_title(title)
        kind = KIND_LABELS[code] if code else None
    return LoadOptions(source_kind=kind, source_title=title, source_date=day, actor=actor.strip() or "网页导入",
                       default_deadline=(default_deadline or "").strip() or None)


def detected_kind(kind_choice: str, title: str | None) -> str | None:
    """The kind 自动识别 reads from the title, to tell the user; None when not applicable."""
    if kind_choice != AUTO_KIND or not (title or "").strip():
        return None
    code = kind_from_title(title)
    return KIND_LABELS[code] if code else None


def signature(files: list[InputFile], options: LoadOptions) -> str:
    """Identifies a preview: the same files with the same options give the same preview."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(f"{file.name}\x1f{file.sha256}\x1e".encode())
    digest.update(repr((options.source_kind, options.source_title, options.source_date, options.sheet,
                        options.default_deadline)).encode())
    return digest.hexdigest()


def upload_limit_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """The largest file the page accepts (settings.max_upload_mb, default intake's)."""
    return int(float(setting(con, "max_upload_mb", str(DEFAULT_MAX_UPLOAD_MB))) * 1024 * 1024)


def rejected_uploads(files: list[InputFile], max_bytes: int) -> list[str]:
    """Why each refused file was refused (too big, empty, not a CSV or workbook by its content)."""
    reasons = []
    for file in files:
        try:
            check_upload(file.name, file.data, max_bytes)
        except ReadError as error:
            reasons.append(str(error))
    return reasons


def parse_uploads(files: list[InputFile], options: LoadOptions) -> ReadFiles:
    """The uploaded files parsed in a child process, before the ledger is locked."""
    return read_files(files, options)


def refused_unread(files: list[InputFile], parsed: ReadFiles) -> ImportResult | None:
    """The import's refusal when a file could not be read: known without locking the ledger."""
    return unreadable(files, parsed)


def run_import_locked(
    user: User, files: list[InputFile], options: LoadOptions, *, commit: bool, parsed: ReadFiles | None,
    reading: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    writing: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
) -> ImportResult:
    """run_import holding the ledger only as long as each step needs it: the facts under
    `reading`, validation under no lock, the write under `writing` (etl.importer.import_locked).
    commit=False runs it whole and rolls it back (the preview)."""
    require(user, "import")
    options = replace(options, actor=user.username)
    return import_locked(reading, writing, files, options, commit=commit, parsed=parsed)


def run_import(
    con: duckdb.DuckDBPyConnection, user: User, files: list[InputFile], options: LoadOptions, *, commit: bool,
    parsed: ReadFiles | None = None,
) -> ImportResult:
    """The CLI's import as `user`; commit=False runs it whole and rolls it back (the preview)."""
    return import_as(con, user, files, options, commit=commit, parsed=parsed)


# ---------------------------------------------------------------------------------------
# What the page shows


def totals(result: ImportResult) -> Totals:
    reports = result.files
    return Totals(
        files=len(reports),
        rows=sum(r.rows for r in reports),
        created=sum(r.tasks_created for r in reports),
        updated=sum(r.tasks_updated for r in reports),
        progress=sum(r.progress_added for r in reports),
        new_units=sum(len(r.new_units) for r in reports),
        already_imported=sum(r.already_imported for r in reports),
    )


def nothing_to_import(result: ImportResult) -> bool:
    """Every file was imported before with the same content."""
    return bool(result.files) and all(r.already_imported for r in result.files)


def _kind_label(kind: str | None) -> str:
    if not kind:
        return ""
    return "、".join(FILE_KIND_LABELS.get(part, part) for part in kind.split("+"))


def preview_frame(result: ImportResult) -> pl.DataFrame:
    """One row per file: what the import creates, updates and adds."""
    rows = [
        {
            "文件": Path(r.path).name,
            "内容": "已导入过" if r.already_imported else _kind_label(r.kind),
            "行数": r.rows,
            "新增": r.tasks_created,
            "更新": r.tasks_updated,
            "进展": r.progress_added,
            "新单位": "、".join(r.new_units),
            "提示": "；".join(r.warnings),
        }
        for r in result.files
    ]
    schema = {"文件": pl.String, "内容": pl.String, "行数": pl.Int64, "新增": pl.Int64, "更新": pl.Int64,
              "进展": pl.Int64, "新单位": pl.String, "提示": pl.String}
    return clean_frame(pl.DataFrame(rows, schema=schema))


# The preview of each task row (etl.importer.ROW_PREVIEW) in the office's words.
ROW_PREVIEW_LABELS: dict[str, str] = {
    "file": "文件", "sheet": "工作表", "row": "行号", "item": "序号", "content": "督办事项", "deadline_text": "完成时限",
    "deadline": "时限日期", "milestones": "时间节点", "lead_units": "牵头单位", "co_units": "配合单位",
    "leader": "责任领导", "flags": "待核对",
}
FLAG_COLUMNS = ["文件", "工作表", "行号", "列", "提示类型", "内容"]


def row_preview_frame(result: ImportResult) -> pl.DataFrame:
    """Every task row as the import reads it, before 确认导入: the parsed deadline (or
    未明确时限) and milestones, lead and co-units (待明确责任单位 when none), leader, and
    every flag on the row."""
    frames = [r.preview.with_columns(file=pl.lit(Path(r.path).name)) for r in result.files if r.preview is not None]
    if not frames:
        return pl.DataFrame(schema={label: pl.String for label in ROW_PREVIEW_LABELS.values()})
    rows = pl.concat(frames, how="diagonal_relaxed")
    rows = rows.with_columns(
        deadline=pl.when(pl.col("deadline_kind") == "none").then(pl.lit(DEADLINE_KIND_LABELS["none"]))
        .otherwise(pl.col("deadline").dt.strftime("%Y-%m-%d").fill_null(
            pl.col("deadline_kind").replace_strict(DEADLINE_KIND_LABELS, default=None, return_dtype=pl.String))),
        lead_units=pl.col("lead_units").fill_null(NO_LEAD_UNIT_LABEL),
        milestones=pl.col("milestones").str.replace_all("＠", "："),
    )
    return clean_frame(rows.select([pl.col(c).alias(label) for c, label in ROW_PREVIEW_LABELS.items()]))


def flag_frame(result: ImportResult) -> pl.DataFrame:
    """Every flag of every file: where it is, what kind, and the text quoted."""
    rows = [
        {"文件": Path(r.path).name, "工作表": f["sheet"] or "", "行号": f["row"], "列": f["column"] or "",
         "提示类型": f["label"], "内容": f["text"]}
        for r in result.files
        for f in r.flags
    ]
    schema = {"文件": pl.String, "工作表": pl.String, "行号": pl.Int64, "列": pl.String, "提示类型": pl.String,
              "内容": pl.String}
    return clean_frame(pl.DataFrame(rows, schema=schema))


def flag_count(result: ImportResult) -> int:
    return sum(len(r.flags) for r in result.files)


def error_frame(result: ImportResult) -> pl.DataFrame:
    """Every row error of every file: where it is and why."""
    rows = [
        {
            "文件": Path(r.path).name,
            "工作表": e.sheet or "",
            "行号": e.row,
            "列": e.column or "",
            "值": e.value or "",
            "原因": e.message,
        }
        for r in result.files
        for e in r.errors
    ]
    schema = {"文件": pl.String, "工作表": pl.String, "行号": pl.Int64, "列": pl.String, "值": pl.String,
              "原因": pl.String}
    return clean_frame(pl.DataFrame(rows, schema=schema))


def error_count(result: ImportResult) -> int:
    return sum(len(r.errors) for r in result.files)


def success_message(result: ImportResult) -> str:
    t = totals(result)
    parts = [f"已导入 {t.files} 个文件、{t.rows} 行：新增督办事项 {t.created} 项，更新 {t.updated} 项，"
             f"新增进展 {t.progress} 条"]
    if t.new_units:
        parts.append(f"，新登记单位 {t.new_units} 个")
    if t.already_imported:
        parts.append(f"（{t.already_imported} 个文件此前已导入，未重复写入）")
    parts.append(f"。批次：{result.batch_id}")
    return "".join(parts)


# ---------------------------------------------------------------------------------------
# History


def batch_table(con: duckdb.DuckDBPyConnection, viewer: User) -> pl.DataFrame:
    """The import batches, newest first, with the page's column names."""
    frame = history.batches(con, viewer)
    return clean_frame(frame).select(
        pl.col("batch_id").alias("批次"),
        pl.col("created_by").alias("导入人"),
        pl.col("created_at").dt.strftime("%Y-%m-%d %H:%M:%S").alias("时间"),
        pl.col("files").alias("文件数"),
        pl.col("rows").alias("行数"),
        pl.col("tasks_created").alias("新增"),
        pl.col("tasks_updated").alias("更新"),
        pl.col("progress_added").alias("进展"),
    )


def batch_labels(batches: pl.DataFrame) -> dict[str, str]:
    """The batch picker's text for each batch of `batch_table`: time, importer, files; with the
    batch id where two would read alike (a selectbox tells its options apart by their text)."""
    labels = {row["批次"]: clean(f"{row['时间']}　{row['导入人']}　{row['文件数']} 个文件")
              for row in batches.iter_rows(named=True)}
    repeated = Counter(labels.values())
    return {batch: f"{text}　{batch}" if repeated[text] > 1 else text for batch, text in labels.items()}


@dataclass(frozen=True)
class Download:
    label: str
    file_name: str
    data: bytes
    key: str


def file_downloads(con: duckdb.DuckDBPyConnection, viewer: User, batch_id: str) -> list[Download]:
    """A download of each file of the batch exactly as it was imported."""
    return [
        Download(label=f"下载原文件：{md(name)}" + (f"（工作表 {md(sheet)}）" if sheet else ""), file_name=clean(name),
                 data=data,
                 key=f"upload_download_{batch_id}_{i}")
        for i, (name, sheet, data) in enumerate(history.imported_files(con, viewer, batch_id))
    ]


def batch_file_table(con: duckdb.DuckDBPyConnection, viewer: User, batch_id: str) -> pl.DataFrame:
    """The files of one batch."""
    frame = clean_frame(history.batch_files(con, viewer, batch_id))
    kind = pl.col("file_kind").str.split("+").list.eval(pl.element().replace(FILE_KIND_LABELS)).list.join("、")
    return frame.select(
        pl.col("file_name").alias("文件名"),
        pl.col("sheet").replace("", "全部").alias("工作表"),
        kind.alias("内容"),
        pl.col("sha256").alias("SHA-256"),
        pl.col("rows").alias("行数"),
        pl.col("tasks_created").alias("新增"),
        pl.col("tasks_updated").alias("更新"),
        pl.col("progress_added").alias("进展"),
        pl.col("new_units").list.join("、").alias("新单位"),
        pl.col("warnings").list.join("；").alias("提示"),
    )
