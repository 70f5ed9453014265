"""整改 to the end: the 回头看 (look-back) of closed rectification items, their results, and the
rebounds that reopen them (seed 004 §70: 挂账整改, 经常开展“回头看”，巩固成果).

    record_lookback   回头看 of a closed rectification (office): 巩固 keeps it closed; 反弹
                      reopens it with a new deadline (required), counted against its lead unit
    lookbacks_due     待回头看: look-backs due by a date and not done (the office's queue)
    from_failed_verification  a 督查发现问题整改 item created from a task's failed 核查 (office),
                      through the ordinary import path
    lookback_history  every look-back in scope, each item's rounds in order
    unit_rebounds     反弹 per lead unit
    status_list       整改情况 and 回头看 of every rectification item (the CLI's `status --tasks`)

The rules live in SQL, once (migrations/011_lookbacks.sql): `rectification_status(status)`
(未整改 / 整改中 / 已整改 / 持续整改) and `lookback_state(as_of)`. Scheduling is computed, not
stored: a rectification closed by any path (核查, 办结销号, an import's 是否办结) is due for its
回头看 `lookback_months` (setting, default 3) after its closing date, unless the item carries a
回头看时限 of its own (rectifications.lookback_due). No writer has to remember to schedule it.

Each action runs in one transaction, audited with who and when through ledger.audit. A 反弹
reopens the task inside the look-back's own transaction, with the statement actions.reopen_task
runs (ledger/sql/actions/reopen_task.sql): calling reopen_task itself would commit the reopening
apart from the look-back. The SQL is in ledger/sql/rectification/, one statement a file.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from etl.importer import InputFile, LoadOptions
from ledger import audit, sql
from ledger.access import User, require, viewer_params
from ledger.actions import ActionError, _date, _fmt, _transaction, import_as, visible_task
from ledger.queries import EVERY_TASK, Scope, due_soon_workdays
from ledger.vocabulary import LIFECYCLE_LABELS, LOOKBACK_RESULTS, RECTIFICATION_STATUS_LABELS, code_for

MAX_NOTE = 2000


def result_code(word: str) -> str:
    """consolidated / rebounded from the code or the office's word (巩固 / 反弹)."""
    code = code_for(word, LOOKBACK_RESULTS)
    if code is None:
        raise ActionError(f"回头看结果应为{'或'.join(LOOKBACK_RESULTS.values())}，而不是“{(word or '').strip()}”。")
    return code


def record_lookback(
    con: duckdb.DuckDBPyConnection, user: User, code: str, result: str, note: str = "", *,
    new_deadline: date | str | None = None, on: date | None = None,
) -> int:
    """Records the 回头看 of the closed rectification `code` on `on` (today by default): one per
    closing. 反弹 (rebounded) reopens the item with `new_deadline` (required, after `on`); the
    deadline it had is kept in the look-back and the audit log. Returns the look-back id."""
    require(user, "lookback")
    outcome = result_code(result)
    note_text = (note or "").strip() or None
    if note_text and len(note_text) > MAX_NOTE:
        raise ActionError(f"回头看说明过长（{len(note_text)}字），请控制在{MAX_NOTE}字以内。")
    at = audit.now()
    today = at.date()
    with _transaction(con) as cur:
        task = visible_task(cur, user, code)
        facts = dict(zip(
            ("task_id", "code", "lifecycle", "closed_date", "deadline_kind", "deadline", "deadline_text",
             "is_rectification", "last_lookback"),
            sql.one(cur, "rectification/task", task_id=task["task_id"]), strict=True))
        if not facts["is_rectification"]:
            raise ActionError("该督办事项不是整改事项（审计整改、巡视巡察整改、督查发现问题整改），无需回头看。")
        if facts["lifecycle"] != "closed":
            raise ActionError(f"该整改事项{LIFECYCLE_LABELS[facts['lifecycle']]}，尚未办结销号，不能回头看。")
        day = today if on is None else _date(on, "回头看日期")
        closed = facts["closed_date"]
        if day > today:
            raise ActionError(f"回头看日期（{_fmt(day)}）不能晚于今天。")
        if day < closed:
            raise ActionError(f"回头看日期（{_fmt(day)}）早于办结日期（{_fmt(closed)}）。")
        if facts["last_lookback"] is not None and facts["last_lookback"] >= closed:
            raise ActionError(f"该整改事项本次办结后已于{_fmt(facts['last_lookback'])}回头看，不能重复记录。")
        deadline = None
        if outcome == "rebounded":
            if new_deadline is None or (isinstance(new_deadline, str) and not new_deadline.strip()):
                raise ActionError("回头看发现问题反弹，须明确新的整改时限。")
            deadline = _date(new_deadline, "新的整改时限")
            if deadline <= day:
                raise ActionError(f"新的整改时限（{_fmt(deadline)}）须晚于回头看日期（{_fmt(day)}）。")
        lookback_id = sql.one(
            cur, "rectification/insert_lookback", task_id=facts["task_id"], lookback_date=day, result=outcome,
            note=note_text, closed_date=closed, previous_deadline=facts["deadline"] if deadline else None,
            new_deadline=deadline, recorded_by=user.username, created_at=at,
        )[0]
        changes = {"lookback_date": (None, day), "lookback_result": (None, outcome), "note": (None, note_text)}
        if deadline is not None:
            deadline_text = f"{_fmt(deadline)}前"
            sql.execute(cur, "actions/reopen_task", task_id=facts["task_id"])
            sql.execute(cur, "rectification/set_deadline", task_id=facts["task_id"], deadline=deadline,
                        deadline_text=deadline_text)
            sql.execute(cur, "rectification/clear_set_due", task_id=facts["task_id"])
            changes |= {
                "lifecycle": ("closed", "open"), "closed_date": (closed, None),
                "deadline_kind": (facts["deadline_kind"], "date"), "deadline": (facts["deadline"], deadline),
                "deadline_text": (facts["deadline_text"], deadline_text),
            }
        audit.record(cur, user.username, audit.changes("lookback", "task", facts["code"], changes), at=at)
    return lookback_id


# --------------------------------------------------------------------------- 督查发现问题整改

FINDINGS_KIND = "supervision"   # 督查发现问题整改


def findings_title(year: int) -> str:
    """The source that collects the year's problems found by the office's own 核查."""
    return f"{year}年督查核查发现问题整改"


def from_failed_verification(
    con: duckdb.DuckDBPyConnection, user: User, code: str, problem: str, deadline: date | str, *,
    measures: str = "", on: date | None = None,
) -> str:
    """A rectification item (督查发现问题整改) for the problem the office's 核查 of `code` found: the
    task's latest verification must have failed. The item is led by the task's lead units under
    its leader, due `deadline`, in the source findings_title(year of `on`), 序号 "<code>-<n>"; it
    is written by the ordinary import (actions.import_as: validated, audited as the user's
    import). Returns the new item's 督办编号."""
    require(user, "import")
    day = date.today() if on is None else _date(on, "日期")
    due = _date(deadline, "整改时限")
    problem = (problem or "").strip()
    if not problem:
        raise ActionError("请填写核查发现的问题。")
    if due <= day:
        raise ActionError(f"整改时限（{_fmt(due)}）须晚于{_fmt(day)}。")
    task = visible_task(con, user, code)
    last = sql.one(con, "rectification/last_verification", task_id=task["task_id"])
    if last is None or last[0] != "failed":
        raise ActionError("该督办事项最近一次核查未发现问题（核查未通过后才能据此列入督查发现问题整改）。")
    if not task["lead_units"]:
        raise ActionError("该督办事项尚未明确牵头单位，请先补充责任单位。")
    title = findings_title(day.year)
    params = {"kind": FINDINGS_KIND, "title": title, "prefix": task["code"]}
    item = f"{task['code']}-{sql.one(con, 'rectification/finding_items', item='', **params)[0] + 1}"
    lines = ["序号,问题,整改措施,整改单位,责任领导,整改时限,问题类型",
             ",".join(_csv_cell(v) for v in (item, problem, measures.strip(), "、".join(task["lead_units"]),
                                             task["leader"] or "", f"{_fmt(due)}前", "核查未通过"))]
    result = import_as(con, user, [InputFile("督查发现问题.csv", ("\n".join(lines) + "\n").encode("utf-8"))],
                       LoadOptions(source_kind=FINDINGS_KIND, source_title=title, source_date=day, today=day))
    if not result.committed:
        raise ActionError("；".join(e.message for f in result.files for e in f.errors) or "未能建立整改事项。")
    return sql.one(con, "rectification/finding_items", item=item, **params)[1]


def _csv_cell(value: str) -> str:
    return '"' + str(value).replace('"', '""') + '"'


# --------------------------------------------------------------------------- reading


def _params(con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope) -> dict:
    return {
        **viewer_params(viewer), "as_of": as_of, "soon": due_soon_workdays(con),
        "kinds": list(scope.source_kinds), "sources": list(scope.sources),
        "units": list(scope.lead_units), "leaders": list(scope.leaders),
    }


def lookback_months(con: duckdb.DuckDBPyConnection, viewer: User | None = None) -> int:
    """The setting lookback_months: a 回头看 falls due this many months after closing."""
    return int(sql.one(con, "rectification/lookback_months")[0])


def lookbacks_due(con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope = EVERY_TASK) -> pl.DataFrame:
    """待回头看: closed rectifications in scope whose look-back is due by `as_of` and not done,
    the longest due first (code, problem, closed_date, lookback_due, days_past_due, lead_units, ...)."""
    return sql.frame(con, "rectification/due", **_params(con, viewer, as_of, scope))


def lookback_history(
    con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope = EVERY_TASK, code: str | None = None,
) -> pl.DataFrame:
    """Every look-back by `as_of` of the rectifications in scope (of `code` only when given),
    each item's rounds in order, with the result in words (lookback_result)."""
    frame = sql.frame(con, "rectification/history", **_params(con, viewer, as_of, scope))
    if code:
        frame = frame.filter(pl.col("code") == code)
    return frame.with_columns(
        lookback_result=pl.col("lookback_result_code").replace_strict(LOOKBACK_RESULTS, return_dtype=pl.String))


def unit_rebounds(con: duckdb.DuckDBPyConnection, viewer: User, as_of: date, scope: Scope = EVERY_TASK) -> pl.DataFrame:
    """反弹 counted against each lead unit: look-backs that found a rebound, and on how many items."""
    return sql.frame(con, "rectification/unit_rebounds", **_params(con, viewer, as_of, scope))


def status_list(con: duckdb.DuckDBPyConnection, as_of: date) -> dict[str, dict]:
    """code -> rectification_status, lookback_due, lookback_result (codes) of every
    rectification task as of `as_of`: the whole ledger, for the command line."""
    frame = sql.frame(con, "rectification/status_list", as_of=as_of, soon=due_soon_workdays(con))
    return {row.pop("code"): row for row in frame.iter_rows(named=True)}


def with_labels(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds the office's words for rectification_status and lookback_result (codes kept)."""
    return frame.with_columns(
        rectification_status_label=pl.col("rectification_status").replace_strict(
            RECTIFICATION_STATUS_LABELS, default=None, return_dtype=pl.String),
        lookback_result_label=pl.col("lookback_result").replace_strict(
            LOOKBACK_RESULTS, default=None, return_dtype=pl.String),
    )
