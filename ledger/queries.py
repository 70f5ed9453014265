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
from ledger.vocabulary import STATUS_LABELS

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
    timeline = sql.frame(con, "queries/timeline", as_of=as_of, task_id=task_id)
    return {"task": task, "milestones": with_status_labels(milestones), "timeline": timeline}


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
    """Per unit: tasks led and co-handled, by status, 按期办结率, days to close, extensions."""
    return _run(con, "units", _params(con, viewer, as_of, scope, soon, in_charge_of=in_charge_of))


# --------------------------------------------------------------------------- the whole ledger


def task_list(con: duckdb.DuckDBPyConnection, as_of: date, soon: int | None = None) -> pl.DataFrame:
    """Every task with its status as of a date, its source and its units (lists), by code:
    the CLI's `status --tasks`, which has no viewer."""
    return _run(con, "task_list", {"as_of": as_of, "soon": _soon(con, soon)})


def milestone_list(con: duckdb.DuckDBPyConnection, as_of: date, soon: int | None = None) -> pl.DataFrame:
    """Every milestone with its status as of a date, by task and order."""
    return _run(con, "milestone_list", {"as_of": as_of, "soon": _soon(con, soon)})
