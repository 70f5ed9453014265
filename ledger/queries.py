"""Every read of the ledger: the dashboard pages' queries and the CLI's `status`, each one
statement in ledger/sql/queries/, run through the ledger.sql runner.

The relations they share are defined once in the database (migrations/005_shared_relations.sql):
`task_status(as_of, soon)` holds the status rule, `visible_tasks(...)` who may see what,
`tasks_in_scope(...)` a page's tasks (visible, with status, narrowed by the sidebar's filters),
`task_unit_names` the units of each task. Values reach DuckDB as parameters only; no text a
user typed is ever formatted into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

import duckdb
import polars as pl

from ledger import sql
from ledger.access import User, viewer_params
from ledger.vocabulary import CHASE_WAYS, FLAG_LABELS, NOTICE_KINDS, QUEUE_COUNT_LABELS, STATUS_LABELS

NO_LEADER = "（未明确责任领导）"
GROUPINGS = ("unit", "leader", "none")


class Scope(Protocol):
    """What narrows the tasks: an empty tuple means no narrowing (the sidebar's Filters)."""

    source_kinds: tuple[str, ...]   # source kind codes (executive, directive, ...)
    sources: tuple[int, ...]        # source ids
    lead_units: tuple[str, ...]     # lead unit names
    leaders: tuple[str, ...]        # responsible leader names


@dataclass(frozen=True)
class AllTasks:
    """The scope with no filter."""

    source_kinds: tuple[str, ...] = ()
    sources: tuple[int, ...] = ()
    lead_units: tuple[str, ...] = ()
    leaders: tuple[str, ...] = ()


EVERY_TASK = AllTasks()


@dataclass(frozen=True)
class Options:
    """The choices the sidebar filters offer."""

    kinds: dict[str, str]           # code -> label, in the office's order
    sources: pl.DataFrame           # source_id, kind, title, date
    units: list[str]                # units that lead any task, busiest first
    leaders: list[str]


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> pl.DataFrame:
    """ledger/sql/queries/NAME.sql as a frame; the runner passes it the parameters it names."""
    return sql.frame(con, f"queries/{name}", **params)


def due_soon_workdays(con: duckdb.DuckDBPyConnection) -> int:
    """The 临期 window in working days (settings.due_soon_workdays): the one place it is read."""
    return int(sql.one(con, "queries/due_soon_workdays")[0])


def _soon(con: duckdb.DuckDBPyConnection, soon: int | None) -> int:
    return due_soon_workdays(con) if soon is None else soon


def _params(con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope, soon: int | None, **extra) -> dict:
    params = {
        **viewer_params(viewer),
        "as_of": as_of,
        "soon": _soon(con, soon),
        "kinds": list(scope.source_kinds),
        "sources": list(scope.sources),
        "units": list(scope.lead_units),
        "leaders": list(scope.leaders),
    }
    params.update(extra)
    return params


def with_status_labels(frame: pl.DataFrame, column: str = "status") -> pl.DataFrame:
    """Adds `status_label`, the office's word for each status code."""
    return frame.with_columns(
        pl.col(column).replace_strict(STATUS_LABELS, return_dtype=pl.String).alias("status_label")
    )


# --------------------------------------------------------------------------- sidebar


def filter_options(con: duckdb.DuckDBPyConnection, viewer: User) -> Options:
    """What the viewer's own tasks offer to filter by: a unit sees no other unit's sources."""
    params = viewer_params(viewer)
    kinds = _run(con, "filter_kinds", params)
    return Options(
        kinds=dict(zip(kinds["kind"].to_list(), kinds["label"].to_list(), strict=True)),
        sources=_run(con, "filter_sources", params),
        units=_run(con, "filter_units", params)["name"].to_list(),
        leaders=_run(con, "filter_leaders", params)["name"].to_list(),
    )


# --------------------------------------------------------------------------- 督查总览


def status_counts(
    con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope = EVERY_TASK, soon: int | None = None
) -> dict[str, int]:
    """Tasks in scope per status, every status present (zero when none), in display order.
    The CLI's `status` reads these counts too, as a viewer who sees every task."""
    frame = _run(con, "status_counts", _params(con, viewer, as_of, scope, soon))
    found = dict(zip(frame["status"].to_list(), frame["tasks"].to_list(), strict=True))
    return {status: found.get(status, 0) for status in STATUS_LABELS}


def status_by_kind(con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope, soon: int | None = None) -> pl.DataFrame:
    return with_status_labels(_run(con, "status_by_kind", _params(con, viewer, as_of, scope, soon)))


def unit_status(con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope, soon: int | None = None) -> pl.DataFrame:
    return with_status_labels(_run(con, "unit_status", _params(con, viewer, as_of, scope, soon)))


def weekly_flow(
    con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope, weeks: int = 12, soon: int | None = None
) -> pl.DataFrame:
    """Tasks assigned and closed per week (Monday first) for the `weeks` weeks up to as_of."""
    return _run(con, "weekly_flow", _params(con, viewer, as_of, scope, soon, weeks=weeks))


@dataclass(frozen=True)
class Rates:
    """按期办结率 = 按期办结 / (已办结 + 逾期未办结) as of a date, with the counts behind it, against
    the deadline in force (approved: an approved extension wins) and against the one first set
    (original). 逾期后补办 extensions (filed_late) are late in both. The rule is SQL, in one place:
    rated_tasks_in_scope and on_time_rate (migrations/015_rates_and_queues.sql)."""

    done: int
    on_time_approved: int
    late_open_approved: int
    on_time_original: int
    late_open_original: int
    filed_late: int
    rate_approved: float | None
    rate_original: float | None


def on_time_rates(
    con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope = EVERY_TASK, soon: int | None = None
) -> Rates:
    """The tasks in scope's 按期办结率 in both deadline views, with its counts."""
    return Rates(**_run(con, "rates", _params(con, viewer, as_of, scope, soon)).row(0, named=True))


# --------------------------------------------------------------------------- 逾期预警


def alerts(
    con: duckdb.DuckDBPyConnection,
    viewer: User,
    as_of: date,
    scope: Scope,
    status: str = "overdue",
    group_by: str = "none",
    limit: int = 2000,
    soon: int | None = None,
) -> pl.DataFrame:
    """The 逾期 (status='overdue') or 临期 ('due_soon') list, grouped by lead unit, responsible
    leader or not at all; the longest overdue (or nearest deadline) first in each group."""
    if status not in ("overdue", "due_soon"):
        raise ValueError(f"alerts lists overdue or due_soon tasks, not {status!r}")
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}, not {group_by!r}")
    return _run(con, "alerts", _params(con, viewer, as_of, scope, soon, status=status, group_by=group_by, limit=limit))


def alert_groups(
    con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope, group_by: str = "unit", soon: int | None = None
) -> pl.DataFrame:
    """Per lead unit or responsible leader: 逾期 and 临期 counts, longest overdue."""
    if group_by not in ("unit", "leader"):
        raise ValueError(f"group_by must be 'unit' or 'leader', not {group_by!r}")
    return _run(con, "alert_groups", _params(con, viewer, as_of, scope, soon, group_by=group_by))


def chases(con: duckdb.DuckDBPyConnection, viewer: User, as_of: date) -> pl.DataFrame:
    """Every 催办 recorded by `as_of` on a task the viewer may see: code, unit (chased),
    chased_on, act (one bulk 催办 of a unit is one act over several tasks)."""
    return _run(con, "chases", {**viewer_params(viewer), "as_of": as_of})


# --------------------------------------------------------------------------- 整改跟踪


def rectifications(con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope, soon: int | None = None) -> pl.DataFrame:
    return with_status_labels(_run(con, "rectifications", _params(con, viewer, as_of, scope, soon)))


# --------------------------------------------------------------------------- 任务台账


def ledger(
    con: duckdb.DuckDBPyConnection,
    viewer: User,
    as_of: date,
    scope: Scope,
    query: str = "",
    statuses: tuple[str, ...] = (),
    limit: int = 1000,
    soon: int | None = None,
) -> pl.DataFrame:
    """Tasks in scope containing `query` (anywhere in code, content, source, units, leader,
    deadline; case-insensitive, literal) with one of `statuses`; `matches` counts them all."""
    params = _params(con, viewer, as_of, scope, soon, query=query.strip(), statuses=list(statuses), limit=limit)
    return with_status_labels(_run(con, "ledger", params))


def task_detail(con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, code: str, soon: int | None = None) -> dict:
    """One task by 督办编号: {'task': one-row frame (empty if no such task, or not yet assigned
    on as_of), 'milestones': its milestones with their status, 'timeline': its events}."""
    params = _params(con, viewer, as_of, EVERY_TASK, soon, code=code)
    task = with_status_labels(_run(con, "task", params))
    if task.is_empty():
        return {"task": task, "milestones": pl.DataFrame(), "timeline": pl.DataFrame()}
    task_id = task["task_id"][0]
    milestones = _run(con, "task_milestones", {"as_of": as_of, "soon": params["soon"], "task_id": task_id})
    timeline = sql.frame(con, "queries/timeline", as_of=as_of, task_id=task_id,
                         way_codes=list(CHASE_WAYS), way_labels=list(CHASE_WAYS.values()),
                         notice_codes=list(NOTICE_KINDS), notice_labels=[_notice_event(code) for code in NOTICE_KINDS])
    # Issue 9: what the import flagged on the task, and the columns of its list kept with it.
    return {"task": task, "milestones": with_status_labels(milestones), "timeline": timeline,
            "flags": task_flags(con, task_id), "kept_columns": _run(con, "task_kept_columns", {"task_id": task_id})}


def _notice_event(kind: str) -> str:
    """A notice on the timeline: 通报表扬, 通报批评, 约谈."""
    return NOTICE_KINDS[kind] if kind == "talk" else "通报" + NOTICE_KINDS[kind]


def task_flags(con: duckdb.DuckDBPyConnection, task_id: int | None = None) -> pl.DataFrame:
    """The import flags of one task (of every task when task_id is None), in the order found,
    with `label`, the office's word for each kind (ledger.vocabulary.FLAG_LABELS)."""
    frame = _run(con, "task_flags", {"task_id": task_id})
    return frame.with_columns(label=pl.col("kind").replace_strict(FLAG_LABELS, default=pl.col("kind"), return_dtype=pl.String))


def import_notes(con: duckdb.DuckDBPyConnection, viewer: User | None = None) -> pl.DataFrame:
    """(code, import_flags, kept_columns) for every task with a flag or a kept column, as text:
    joined to the 任务台账 download by code (the download holds only tasks the viewer sees)."""
    return _run(con, "import_notes", {})


def flagged_tasks(con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope = None, soon: int | None = None) -> int:
    """How many open tasks in scope carry an import flag (督查总览's one flag count)."""
    frame = _run(con, "flagged_tasks", _params(con, viewer, as_of, scope or EVERY_TASK, soon))
    return int(frame["tasks"][0]) if frame.height else 0


# --------------------------------------------------------------------------- 领导督办


def leader_summary(con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope, soon: int | None = None) -> pl.DataFrame:
    """Per leader: tasks responsible for, issued, and led by the units in charge of. The
    leader filter picks the leaders listed instead of narrowing the tasks."""
    params = _params(con, viewer, as_of, scope, soon, only_leaders=list(scope.leaders))
    params["leaders"] = []
    return _run(con, "leaders", params)


def leader_tasks(
    con: duckdb.DuckDBPyConnection,
    viewer: User,
    as_of: date,
    scope: Scope,
    leader: str,
    role: str = "responsible",
    limit: int = 1000,
    soon: int | None = None,
) -> pl.DataFrame:
    """Tasks the leader is responsible for (role='responsible') or issued (role='issued')."""
    if role not in ("responsible", "issued"):
        raise ValueError(f"role must be 'responsible' or 'issued', not {role!r}")
    params = _params(con, viewer, as_of, scope, soon, leader=leader, role=role, limit=limit)
    params["leaders"] = []
    return with_status_labels(_run(con, "leader_tasks", params))


# --------------------------------------------------------------------------- 单位排名


def unit_ranking(
    con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope, in_charge_of: str = "", soon: int | None = None
) -> pl.DataFrame:
    """Per unit: tasks led and co-handled, by status, 按期办结率 in both deadline views with its
    counts, days to close, extensions, the 催办 received and its 通报/约谈 records (`notices`,
    e.g. "2026-05-10 批评；2026-06-01 约谈", empty when none)."""
    frame = _run(con, "units", _params(con, viewer, as_of, scope, soon, in_charge_of=in_charge_of))
    notices = [
        "；".join(f"{day:%Y-%m-%d} {NOTICE_KINDS[kind]}" for day, kind in zip(days, kinds, strict=True))
        for days, kinds in zip(frame["notice_days"].to_list(), frame["notice_kinds"].to_list(), strict=True)
    ]
    return frame.with_columns(pl.Series("notices", notices, dtype=pl.String))


# --------------------------------------------------------------------------- 待办 (the queues)

# Which queues each role works: the office (and leaders, reading) decide and chase; a unit reports.
OFFICE_QUEUES = ("to_verify", "to_approve", "lookbacks_due", "reports_missing")
UNIT_QUEUES = ("reports_due", "returned", "pending_requests")


def queues_of(viewer: User) -> tuple[str, ...]:
    """The queues `viewer` works, in the order shown (keys of vocabulary.QUEUE_COUNT_LABELS)."""
    return UNIT_QUEUES if viewer.role == "unit" else OFFICE_QUEUES


def week_end(day: date) -> date:
    """The Sunday closing `day`'s week (Monday first): 待报送 covers the reports due by then."""
    return date.fromordinal(day.toordinal() + 6 - day.weekday())


def queue_items(con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, queue: str) -> pl.DataFrame:
    """The items of one queue in the viewer's scope, each with its 督办编号 (`code`):
      to_verify        待核查: completion claims waiting for 核查 (request_type 'claim')
      to_approve       待审批: extension requests waiting for a decision ('extension')
      lookbacks_due    待回头看: closed rectifications whose 回头看 is due by as_of, not done
      reports_missing  未按期报送: tasks on a report cycle whose next report was due before as_of
      reports_due      待报送: the same, due by the end of as_of's week (late ones included)
      returned         被退回: claims a failed 核查 sent back, not yet claimed again
      pending_requests 待审核申请: the viewer's claims and extension requests waiting for the office
    Claims and requests wait now (their state is current, not dated); the dated queues follow
    as_of. The same lists as the CLI's `queue` (ledger.actions.pending_requests, returned_claims)."""
    if queue not in QUEUE_COUNT_LABELS:
        raise ValueError(f"queue must be one of {tuple(QUEUE_COUNT_LABELS)}, not {queue!r}")
    viewer_scope = viewer_params(viewer)
    if queue in ("to_verify", "to_approve", "pending_requests"):
        requests = sql.frame(con, "actions/pending_requests", **viewer_scope, as_of=date.max)
        if queue == "pending_requests":
            return requests
        return requests.filter(pl.col("request_type") == ("claim" if queue == "to_verify" else "extension"))
    if queue == "returned":
        return sql.frame(con, "actions/returned_claims", **viewer_scope, as_of=date.max)
    if queue == "lookbacks_due":
        return sql.frame(con, "rectification/due", **_params(con, viewer, as_of, EVERY_TASK, None))
    which = "missing" if queue == "reports_missing" else "due"
    return _run(con, "queue_reports", _params(con, viewer, as_of, EVERY_TASK, None, which=which,
                                              week_end=week_end(as_of)))


def queue_counts(con: duckdb.DuckDBPyConnection, viewer: User, as_of: date) -> dict[str, int]:
    """How many items wait in each of the viewer's queues (queues_of): the figures on 督查总览,
    in the sidebar and in the CLI's `queue`, counted from the very lists the 待办 page shows."""
    return {queue: queue_items(con, viewer, as_of, queue).height for queue in queues_of(viewer)}


# --------------------------------------------------------------------------- the whole ledger


def task_list(con: duckdb.DuckDBPyConnection, as_of: date, soon: int | None = None) -> pl.DataFrame:
    """Every task with its status as of a date, its source and its units (lists), by code:
    the CLI's `status --tasks`, which has no viewer."""
    return _run(con, "task_list", {"as_of": as_of, "soon": _soon(con, soon)})


def milestone_list(con: duckdb.DuckDBPyConnection, as_of: date, soon: int | None = None) -> pl.DataFrame:
    """Every milestone with its status as of a date, by task and order."""
    return _run(con, "milestone_list", {"as_of": as_of, "soon": _soon(con, soon)})
