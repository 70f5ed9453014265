"""The fields a task carries from an imported list: one table that the import's validation,
insert, change detection and audit entries, and the pages' labels, all read.

Adding a column to the import is one entry here, plus the migration that stores it (and, when
it comes from a column of its own, the header names offices give it, in etl/headers.py under
the same field name). A field stored in `tasks` is inserted and updated by name, with no SQL
to edit; one stored in another table is written by that table's statement in etl/sql/import.

`updatable` fields are those an updated version of a list may change: each is compared with
the ledger, and every difference is an audit entry (field, before, after) and makes the task
count as updated. The others identify the task (code, source and 序号) or follow from what
does (the source's date), and are written only when the task is created.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

TASKS = "tasks"
UNITS = "task_units"
MILESTONES = "milestones"
RECTIFICATIONS = "rectifications"


@dataclass(frozen=True)
class TaskField:
    name: str                 # the staged column, audit_log.field, the header key
    label: str                # the office's word
    dtype: pl.DataType        # as validated and staged
    updatable: bool           # an updated list may change it: diffed, audited, rewritten
    table: str = TASKS        # where it is stored
    column: str | None = None  # the stored column, when it differs from name (a reference)

    @property
    def stored_as(self) -> str:
        return self.column or self.name


MILESTONE = pl.Struct({"seq": pl.Int32, "text": pl.String, "deadline": pl.Date})

FIELDS: tuple[TaskField, ...] = (
    TaskField("code", "督办编号", pl.String, updatable=False),
    TaskField("source_id", "来源", pl.Int32, updatable=False),
    TaskField("item", "序号", pl.String, updatable=False),
    TaskField("assigned_date", "交办日期", pl.Date, updatable=False),
    TaskField("category", "类别", pl.String, updatable=True),
    TaskField("content", "督办事项", pl.String, updatable=True),
    # Compared by the leader's name; stored as the leader's id.
    TaskField("leader", "责任领导", pl.String, updatable=True, column="leader_id"),
    TaskField("deadline_text", "完成时限", pl.String, updatable=True),
    TaskField("deadline_kind", "时限类型", pl.String, updatable=True),
    TaskField("deadline", "时限日期", pl.Date, updatable=True),
    TaskField("deadline_note", "时限说明", pl.String, updatable=True),
    TaskField("report_cycle", "报送周期", pl.String, updatable=True),
    TaskField("cycle_day", "报送日", pl.Int32, updatable=True),
    TaskField("open_unit_list", "单位名单未列全", pl.Boolean, updatable=True),
    # Units and milestones are compared as the text a person reads (names joined by 、 in the
    # order written; 节点＠日期 joined by ；) and rewritten whole when that text changes.
    TaskField("lead_units", "牵头单位", pl.String, updatable=True, table=UNITS),
    TaskField("co_units", "配合单位", pl.String, updatable=True, table=UNITS),
    TaskField("milestones", "节点", pl.String, updatable=True, table=MILESTONES),
    TaskField("measures", "整改措施", pl.String, updatable=True, table=RECTIFICATIONS),
)

BY_NAME: dict[str, TaskField] = {f.name: f for f in FIELDS}
LABELS: dict[str, str] = {f.name: f.label for f in FIELDS}
UPDATABLE: tuple[TaskField, ...] = tuple(f for f in FIELDS if f.updatable)


def stored_in(table: str) -> tuple[TaskField, ...]:
    return tuple(f for f in FIELDS if f.table == table)
