"""The office's own supervision acts: 催办 (chasing a unit about a task) and 通报 / 约谈 (a
circular naming a unit, or a talk with its head), each checked by role and scope, one
transaction, audited with who and when.

    record_chase        催办 one task (office); the lead unit unless a co-unit is named
    chase_tasks         催办 several tasks of one unit at once (the bulk form)
    chase_unit          催办 every overdue (red) task a unit leads, as of a date
    chase_notice        the 催办单 of a unit: its overdue and due-soon items (ledger.documents)
    record_unit_notice  通报 (表扬/批评) or 约谈 of a unit, with the tasks it concerns (office)

Which of a unit's tasks are red is the status rule's answer (ledger.queries); this module
only records what the office did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from ledger import audit, queries, sql
from ledger.access import User, require
from ledger.actions import ActionError, _transaction, visible_task
from ledger.documents import Notice
from ledger.vocabulary import CHASE_WAYS, NOTICE_KINDS, code_for
from ledger.workcal import WorkCalendar

MAX_NOTE = 2000


def _code_of(word: str, labels: dict[str, str], what: str) -> str:
    code = code_for(word, labels)
    if code is None:
        raise ActionError(f"{what}应为{'、'.join(labels.values())}之一，而不是“{(word or '').strip()}”")
    return code


def _note(text: str | None) -> str | None:
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise ActionError(f"说明过长（{len(text)}字），请控制在{MAX_NOTE}字以内")
    return text or None


def _day(on: date | None, earliest: date | None, what: str) -> date:
    today = date.today()
    on = on or today
    if on > today:
        raise ActionError(f"{what}日期不能晚于今天（{today.isoformat()}）")
    if earliest is not None and on < earliest:
        raise ActionError(f"{what}日期不能早于交办日期（{earliest.isoformat()}）")
    return on


def _unit(con: duckdb.DuckDBPyConnection, name: str) -> tuple[int, str]:
    row = sql.one(con, "supervision/unit_by_name", name=(name or "").strip())
    if row is None:
        raise ActionError(f"台账中没有单位“{name}”")
    return row


def record_chase(
    con: duckdb.DuckDBPyConnection, user: User, code: str, way: str, *,
    note: str = "", on: date | None = None, unit: str | None = None,
) -> int:
    """Records a 催办 of one open task; returns its id."""
    return chase_tasks(con, user, [code], way, note=note, on=on, unit=unit)[0]


def chase_tasks(
    con: duckdb.DuckDBPyConnection, user: User, codes: list[str], way: str, *,
    note: str = "", on: date | None = None, unit: str | None = None,
) -> list[int]:
    """Records a 催办 of each task in `codes` (all or none), against `unit` where named
    (it must be one of each task's units), else each task's first lead unit."""
    require(user, "chase")
    way_code = _code_of(way, CHASE_WAYS, "催办方式")
    note_text = _note(note)
    if not codes:
        raise ActionError("没有需要催办的事项")
    at = audit.now()
    with _transaction(con) as cur:
        ids = []
        for code in dict.fromkeys(codes):
            task = visible_task(cur, user, code)
            if task["lifecycle"] != "open":
                raise ActionError(f"{code} 已办结或已撤销，无需催办")
            chased_on = _day(on, task["assigned_date"], "催办")
            units = sql.rows(cur, "supervision/task_units", task_id=task["task_id"])
            if unit:
                chosen = [row for row in units if row[1] == unit]
                if not chosen:
                    raise ActionError(f"“{unit}”不是 {code} 的牵头或配合单位")
            else:
                chosen = [row for row in units if row[2] == "lead"]
                if not chosen:
                    raise ActionError(f"{code} 尚未明确牵头单位，请先补充责任单位再催办")
            unit_id, unit_name, _ = chosen[0]
            chase_id = sql.one(
                cur, "supervision/insert_chase", task_id=task["task_id"], unit_id=unit_id, chased_on=chased_on,
                way=way_code, note=note_text, chased_by=user.username, created_at=at,
            )[0]
            audit.record(cur, user.username, audit.changes("chase", "task", code, {
                "chased_unit": (None, unit_name), "chase_way": (None, way_code),
                "chased_on": (None, chased_on), "note": (None, note_text),
            }), at=at)
            ids.append(chase_id)
    return ids


@dataclass(frozen=True)
class _OneUnit:
    """The scope of one lead unit (queries.Scope)."""

    lead_units: tuple[str, ...]
    source_kinds: tuple[str, ...] = ()
    sources: tuple[int, ...] = ()
    leaders: tuple[str, ...] = ()


def _unit_items(con: duckdb.DuckDBPyConnection, viewer: User, unit: str, as_of: date, status: str) -> pl.DataFrame:
    return queries.alerts(con, viewer, as_of, _OneUnit((unit,)), status=status, group_by="unit")


def chase_unit(
    con: duckdb.DuckDBPyConnection, user: User, unit: str, way: str, *,
    note: str = "", on: date | None = None,
) -> list[str]:
    """催办 of every task `unit` leads that is overdue on `on` (default today); returns their
    督办编号, the most overdue first. ActionError when the unit has none."""
    require(user, "chase")
    on = on or date.today()
    _, name = _unit(con, unit)
    codes = _unit_items(con, user, name, on, "overdue")["code"].unique(maintain_order=True).to_list()
    if not codes:
        raise ActionError(f"截至{on.isoformat()}，“{name}”牵头的事项中没有逾期事项，无需催办")
    chase_tasks(con, user, codes, way, note=note, on=on, unit=name)
    return codes


def chase_notice(con: duckdb.DuckDBPyConnection, user: User, unit: str, as_of: date | None = None) -> Notice:
    """The 催办单 for `unit`: the overdue and due-soon tasks it leads on `as_of`, the most overdue
    first, with the date to reply by (settings.notice_reply_workdays working days later)."""
    require(user, "chase")
    as_of = as_of or date.today()
    _, name = _unit(con, unit)
    items = pl.concat([_unit_items(con, user, name, as_of, status) for status in ("overdue", "due_soon")])
    items = queries.with_status_labels(items).select(
        "code", "content", "deadline_text", "status_label",
        # Calendar days first, the working days beside them, as 逾期预警 counts them: days past
        # the date checked (the deadline in force), so a Friday deadline is 3 days late on Monday.
        overdue=pl.when(pl.col("status") == "overdue").then(pl.format(
            "{}天（{}个工作日）", (pl.lit(as_of) - pl.col("due_date")).dt.total_days(), pl.col("overdue_workdays"),
        )).otherwise(pl.lit("")),
        last_progress=pl.when(pl.col("last_progress").is_not_null()).then(
            pl.format("{}（{}）", pl.col("last_progress"), pl.col("last_progress_date").dt.strftime("%Y-%m-%d"))),
    )
    reply_days = int(sql.one(con, "supervision/reply_workdays")[0])
    reply_by = WorkCalendar().add_workdays(as_of, reply_days)
    return Notice(unit=name, as_of=as_of, reply_by=reply_by, items=items)


def record_unit_notice(
    con: duckdb.DuckDBPyConnection, user: User, unit: str, kind: str, *,
    codes: list[str] = (), note: str = "", on: date | None = None,
) -> int:
    """Records a 通报 (表扬/批评) or 约谈 of a unit; the tasks named must be in scope and the
    unit's own. Returns its id."""
    require(user, "chase")
    kind_code = _code_of(kind, NOTICE_KINDS, "类型")
    note_text = _note(note)
    at = audit.now()
    with _transaction(con) as cur:
        unit_id, unit_name = _unit(cur, unit)
        task_ids = []
        for code in dict.fromkeys(codes):
            task = visible_task(cur, user, code)
            if unit_id not in {row[0] for row in sql.rows(cur, "supervision/task_units", task_id=task["task_id"])}:
                raise ActionError(f"{code} 不是“{unit_name}”的督办事项")
            task_ids.append(task["task_id"])
        noticed_on = _day(on, None, NOTICE_KINDS[kind_code])
        notice_id = sql.one(
            cur, "supervision/insert_unit_notice", unit_id=unit_id, noticed_on=noticed_on, kind=kind_code,
            task_ids=task_ids, note=note_text, recorded_by=user.username, created_at=at,
        )[0]
        audit.record(cur, user.username, audit.changes("unit_notice", "unit", unit_name, {
            "notice_kind": (None, kind_code), "noticed_on": (None, noticed_on),
            "tasks": (None, list(dict.fromkeys(codes))), "note": (None, note_text),
        }), at=at)
    return notice_id
