"""The lifecycle actions on a task, checked by role and scope here in the ledger layer.

Every function takes a read-write connection and the acting `User` (ledger/access.py). The role
check comes first (`require`), then the scope check (the task must be one the user may see:
visible_tasks, migrations/005_shared_relations.sql), then the validation of the input and of
the task's state. Each change runs in one transaction on its own cursor and appends audit
entries (actor = the username, one entry per field with its before and after values). Nothing
here updates or deletes an audit entry.

    visible_task      any role, task in scope
    comments          any role, task in scope
    add_comment       批示 (leader) / 督办意见 (office), task in scope
    submit_progress   进展 (unit on its own task, lead or co-unit; office)
    claim_done        申请办结 (the lead unit, office); the task stays open until 核查
    request_extension 申请延期 (the lead unit, office) before the current deadline; after it
                      only the office, recorded as 逾期后补办 (filed_late); the original deadline stays
    decide_extension  审批延期 (office); decide_task_extension: the pending one of a task
    verify            核查 a completion claim (office); passed closes the task (销号), failed
                      sends the claim back (退回, claim_state 'failed') with the reason
    close_task        办结销号 without 核查: refused while close_requires_verification is 是
    cancel_task, reopen_task   撤销 (reason, the superseding source) / 重新打开 (office)
    pending_requests  claims (待核查) and extension requests (待审批) waiting for the office, in scope
    returned_claims   claims sent back (被退回) and not yet followed by a new claim, in scope
    import_as         an import under the user's name (office)

The SQL is in ledger/sql/actions/, one statement a file; the new table and columns in
migrations/003_actions.sql and 010_honest_rules.sql.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime

import duckdb
import polars as pl

from etl.importer import ImportResult, InputFile, LoadOptions, ReadFiles, import_files
from ledger import audit, sql
from ledger.access import AccessDenied, User, can, require, viewer_params
from ledger.vocabulary import FILED_LATE_LABEL, LIFECYCLE_LABELS

# One message whether the task is outside the user's scope or does not exist at all, so that
# a unit cannot probe which 督办编号 exist.
NOT_VISIBLE = "无权查看该督办事项，或该事项不存在。"

COMMENT_KINDS = {"leader": "批示", "office": "督办意见"}
MAX_TEXT = 5000


class ActionError(ValueError):
    """An action refused because of its input or the task's state (not the user's rights).
    The message is Chinese and shown to the user as is."""


# --------------------------------------------------------------------------- plumbing

# Actions judge a task by every extension decided so far (approved_extensions() as of the
# end of time), not by the dashboard's as-of date.
_EVERY_DECISION = {"as_of": date.max}


def _run(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> duckdb.DuckDBPyConnection:
    """Runs ledger/sql/actions/NAME.sql; the runner passes it the parameters it names."""
    return sql.execute(con, f"actions/{name}", **params)


def _one(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> dict | None:
    cursor = _run(con, name, params)
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def _column(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> list:
    return [row[0] for row in _run(con, name, params).fetchall()]


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on a cursor of its own, so that a connection shared by the pages'
    threads never sees a half-done action, and a failure leaves nothing behind."""
    cursor = con.cursor()
    try:
        cursor.execute("BEGIN TRANSACTION")
        try:
            yield cursor
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
    finally:
        cursor.close()


def _audit(con, user: User, action: str, entity: str, entity_id, changes: dict[str, tuple]) -> None:
    """Appends one audit entry per field that changed (field -> (before, after)) through the
    one audit writer, in the action's transaction."""
    audit.record(con, user.username, audit.changes(action, entity, entity_id, changes))


def _created(values: dict) -> dict[str, tuple]:
    return {name: (None, value) for name, value in values.items()}


def _text(value, label: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ActionError(f"请填写{label}。")
    if len(text) > MAX_TEXT:
        raise ActionError(f"{label}过长（最多{MAX_TEXT}字）。")
    return text


def _date(value, label: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ActionError(f"{label}不是有效日期。")


def _day(value, label: str) -> date:
    """An optional action date: today when not given."""
    return date.today() if value is None else _date(value, label)


def _fmt(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _task(con, user: User, code) -> dict:
    code = code.strip() if isinstance(code, str) else ""
    task = _one(con, "visible_task", {"code": code, **viewer_params(user), **_EVERY_DECISION}) if code else None
    if task is None:
        raise AccessDenied(NOT_VISIBLE)
    return task


def _open_task(con, user: User, code, what: str) -> dict:
    task = _task(con, user, code)
    if task["lifecycle"] != "open":
        raise ActionError(f"该督办事项{LIFECYCLE_LABELS[task['lifecycle']]}，不能{what}。")
    return task


def _require_lead(cur, user: User, task: dict, what: str) -> None:
    """Only the lead unit (牵头单位) asks for an extension or claims completion; a co-unit
    (配合单位) reports progress. The office may act for the lead unit."""
    if user.role != "unit":
        return
    if not _one(cur, "is_lead_unit", {"task_id": task["task_id"], "unit_id": user.unit_id})["is_lead"]:
        lead = "、".join(task["lead_units"]) or "尚未明确"
        raise AccessDenied(f"配合单位只能报送进展，{what}须由牵头单位（{lead}）提出。")


def close_requires_verification(con: duckdb.DuckDBPyConnection) -> bool:
    """The office's setting (migration 010): 销号 needs a passed 核查 unless it is 否."""
    cursor = con.cursor()
    try:
        value = _one(cursor, "close_requires_verification", {})["value"]
    finally:
        cursor.close()
    return value.strip().lower() not in ("否", "no", "false", "0")


def _not_before_assigned(day: date, task: dict, label: str) -> None:
    if day < task["assigned_date"]:
        raise ActionError(f"{label}（{_fmt(day)}）早于交办日期（{_fmt(task['assigned_date'])}）。")


def _settle_open_requests(con, user: User, task: dict, action: str, on: date, why: str) -> None:
    """Claims and extension requests left pending when the office closes, cancels or reopens
    a task: the claims become void, the extension requests are rejected with a note."""
    for progress_id in _column(con, "stale_claims", {"task_id": task["task_id"]}):
        _run(con, "set_claim_state", {"progress_id": progress_id, "claim_state": "void"})
        _audit(con, user, action, "progress", progress_id, {"claim_state": ("pending", "void")})
    for extension_id in _column(con, "stale_extensions", {"task_id": task["task_id"]}):
        _run(con, "decide_extension", {
            "extension_id": extension_id, "decision": "rejected", "decided_date": on,
            "decided_by": user.username, "decision_note": why,
        })
        _audit(con, user, action, "extension", extension_id, {
            "decision": ("pending", "rejected"), "decided_date": (None, on),
            "decided_by": (None, user.username), "decision_note": (None, why),
        })


# --------------------------------------------------------------------------- reading


def visible_task(con: duckdb.DuckDBPyConnection, user: User, code: str) -> dict:
    """The task with 督办编号 `code` (its tasks row, with effective_deadline, source, leader,
    lead_units, co_units) if the user may see it; AccessDenied otherwise, with the same
    message whether the task is out of scope or does not exist."""
    cursor = con.cursor()
    try:
        return _task(cursor, user, code)
    finally:
        cursor.close()


def acts_as_lead(con: duckdb.DuckDBPyConnection, user: User, code: str) -> bool:
    """Whether the user may claim completion and ask for an extension on the task (the role
    allows it and, for a unit, it is the task's lead unit): the forms the page draws."""
    if user.role == "unit":
        cursor = con.cursor()
        try:
            task = _task(cursor, user, code)
            return _one(cursor, "is_lead_unit", {"task_id": task["task_id"], "unit_id": user.unit_id})["is_lead"]
        except AccessDenied:
            return False
        finally:
            cursor.close()
    return can(user, "claim_done")


def comments(con: duckdb.DuckDBPyConnection, user: User, code: str) -> pl.DataFrame:
    """The 批示 and 督办意见 on a task in the user's scope, oldest first."""
    task = visible_task(con, user, code)
    return sql.frame(con, "actions/comments", task_id=task["task_id"])


def pending_requests(con: duckdb.DuckDBPyConnection, user: User) -> pl.DataFrame:
    """Completion claims (request_type 'claim', 申请办结, 待核查) and extension requests
    ('extension', 申请延期, 待审批; filed_late when recorded as 逾期后补办) waiting for the
    office on open tasks: all of them for the office and the principal leader, a unit's own,
    a leader's in scope. Reading only."""
    return sql.frame(con, "actions/pending_requests", **viewer_params(user), **_EVERY_DECISION)


def returned_claims(con: duckdb.DuckDBPyConnection, user: User) -> pl.DataFrame:
    """被退回: completion claims sent back by a failed 核查 (claim_state 'failed') on open tasks
    in scope that no newer claim has answered yet, with who returned them, when and why
    (returned_by, returned_date, return_reason). Reading only."""
    return sql.frame(con, "actions/returned_claims", **viewer_params(user), **_EVERY_DECISION)


# --------------------------------------------------------------------------- 批示 / 督办意见


def add_comment(con: duckdb.DuckDBPyConnection, user: User, code: str, text: str) -> int:
    """A leader's 批示 or the office's 督办意见 on a task in scope; returns the comment id."""
    require(user, "comment")
    with _transaction(con) as cur:
        task = _task(cur, user, code)
        text = _text(text, "批示或督办意见内容")
        values = {
            "task_id": task["task_id"], "author": user.username, "author_role": user.role,
            "kind": COMMENT_KINDS[user.role], "text": text,
        }
        comment_id = _run(cur, "insert_comment", values).fetchone()[0]
        _audit(cur, user, "comment", "comment", comment_id, _created({
            "task": task["code"], "kind": values["kind"], "text": text,
        }))
    return comment_id


# --------------------------------------------------------------------------- units' reports


def _add_progress(cur, user: User, task: dict, action: str, report_date: date, text: str,
                  done_date: date | None) -> int:
    claims = done_date is not None
    values = {
        "task_id": task["task_id"], "report_date": report_date, "text": text, "claims_done": claims,
        "reported_by": user.username, "done_date": done_date, "claim_state": "pending" if claims else None,
    }
    progress_id = _run(cur, "insert_progress", values).fetchone()[0]
    changes = {"task": task["code"], "report_date": report_date, "text": text, "claims_done": claims,
               "reported_by": user.username}
    if claims:
        changes |= {"done_date": done_date, "claim_state": "pending"}
    _audit(cur, user, action, "progress", progress_id, _created(changes))
    return progress_id


def submit_progress(con: duckdb.DuckDBPyConnection, user: User, code: str, text: str, *,
                    report_date: date | None = None) -> int:
    """A progress report (进展) on an open task; returns the progress id."""
    require(user, "submit_progress")
    with _transaction(con) as cur:
        task = _open_task(cur, user, code, "报送进展")
        text = _text(text, "进展情况")
        day = _day(report_date, "填报日期")
        _not_before_assigned(day, task, "填报日期")
        return _add_progress(cur, user, task, "submit_progress", day, text, None)


def claim_done(con: duckdb.DuckDBPyConnection, user: User, code: str, text: str, *, done_date: date,
               report_date: date | None = None) -> int:
    """申请办结: a progress report claiming the work was done on `done_date`. The task stays
    open until the office verifies the claim (`verify`). Returns the progress id."""
    require(user, "claim_done")
    with _transaction(con) as cur:
        task = _open_task(cur, user, code, "申请办结")
        _require_lead(cur, user, task, "申请办结")
        text = _text(text, "办结情况说明")
        day = _day(report_date, "申请日期")
        done = _date(done_date, "办结日期")
        _not_before_assigned(done, task, "办结日期")
        if done > day:
            raise ActionError(f"办结日期（{_fmt(done)}）不能晚于申请日期（{_fmt(day)}）。")
        if _one(cur, "pending_claim", {"task_id": task["task_id"]}) is not None:
            raise ActionError("该督办事项已有待核查的办结申请，请等待督查室核查。")
        return _add_progress(cur, user, task, "claim_done", day, text, done)


def request_extension(con: duckdb.DuckDBPyConnection, user: User, code: str, new_deadline: date, reason: str, *,
                      on: date | None = None, late: bool = False) -> int:
    """申请延期 to `new_deadline`, which must fall after the task's current effective deadline,
    asked on `on` (today by default) by the lead unit or the office. It must be asked by that
    deadline (the day itself counts); afterwards it is refused, unless the office records it
    with `late` as 逾期后补办 (extensions.filed_late, counted as late in every rate). The
    request records the current deadline as original_deadline; the task's own deadline never
    changes. One pending request per task; tasks with a fixed date only. Returns its id."""
    require(user, "request_extension")
    if late:
        require(user, "record_late_extension")
    with _transaction(con) as cur:
        task = _open_task(cur, user, code, "申请延期")
        _require_lead(cur, user, task, "申请延期")
        reason = _text(reason, "延期理由")
        new = _date(new_deadline, "申请延期至")
        day = _day(on, "申请日期")
        current = task["effective_deadline"]
        if task["deadline_kind"] != "date" or current is None:
            raise ActionError(f"该督办事项的完成时限为“{task['deadline_text']}”，没有具体日期，无需申请延期。")
        if day > current and not late:
            hint = ("如确需延期，请督查室登记为“逾期后补办”（计入逾期）。" if user.role == "office"
                    else "如确需延期，请联系督查室登记为“逾期后补办”（计入逾期）。")
            raise ActionError(f"延期须在完成时限（{_fmt(current)}）前申请，{_fmt(day)}已逾期，不能申请延期。{hint}")
        if late and day <= current:
            raise ActionError(f"完成时限（{_fmt(current)}）尚未届满，按正常延期申请办理，无需登记为“{FILED_LATE_LABEL}”。")
        if new <= current:
            raise ActionError(f"申请延期至（{_fmt(new)}）须晚于现完成时限（{_fmt(current)}）。")
        if _one(cur, "pending_extension", {"task_id": task["task_id"]}) is not None:
            raise ActionError("该督办事项已有待审批的延期申请，请等待督查室审批。")
        values = {
            "task_id": task["task_id"], "requested_date": day, "original_deadline": current,
            "new_deadline": new, "reason": reason, "requested_by": user.username, "filed_late": late,
        }
        extension_id = _run(cur, "insert_extension", values).fetchone()[0]
        _audit(cur, user, "request_extension", "extension", extension_id, _created({
            "task": task["code"], "requested_date": day, "original_deadline": current, "new_deadline": new,
            "reason": reason, "decision": "pending", "requested_by": user.username, "filed_late": late,
        }))
        return extension_id


# --------------------------------------------------------------------------- the office's decisions


def decide_extension(con: duckdb.DuckDBPyConnection, user: User, extension_id: int, approve: bool, note: str = "", *,
                     on: date | None = None) -> None:
    """Approves or rejects a pending extension request. An approved one sets the task's
    effective deadline from `on` (the decision date); the original deadline stays."""
    require(user, "decide_extension")
    with _transaction(con) as cur:
        try:
            extension_id = int(extension_id)
        except (TypeError, ValueError):
            extension_id = None
        request = None if extension_id is None else _one(cur, "extension_by_id", {"extension_id": extension_id})
        if request is None:
            raise ActionError("找不到该延期申请。")
        _task(cur, user, request["code"])
        if request["decision"] != "pending":
            raise ActionError("该延期申请已审批，不能重复审批。")
        if request["lifecycle"] != "open":
            raise ActionError(f"该督办事项{LIFECYCLE_LABELS[request['lifecycle']]}，不能审批延期。")
        day = _day(on, "审批日期")
        if day < request["requested_date"]:
            raise ActionError(f"审批日期（{_fmt(day)}）早于申请日期（{_fmt(request['requested_date'])}）。")
        decision = "approved" if approve else "rejected"
        note = note.strip() if isinstance(note, str) and note.strip() else None
        _run(cur, "decide_extension", {
            "extension_id": extension_id, "decision": decision, "decided_date": day,
            "decided_by": user.username, "decision_note": note,
        })
        _audit(cur, user, "decide_extension", "extension", extension_id, {
            "decision": ("pending", decision), "decided_date": (None, day),
            "decided_by": (None, user.username), "decision_note": (None, note),
        })


def decide_task_extension(con: duckdb.DuckDBPyConnection, user: User, code: str, approve: bool, note: str = "", *,
                          on: date | None = None) -> int:
    """Approves or rejects the pending extension request of the task `code` (decide_extension);
    returns the request's id. ActionError when the task has none."""
    require(user, "decide_extension")
    cursor = con.cursor()
    try:
        task = _task(cursor, user, code)
        request = _one(cursor, "pending_extension", {"task_id": task["task_id"]})
    finally:
        cursor.close()
    if request is None:
        raise ActionError("该督办事项没有待审批的延期申请。")
    decide_extension(con, user, request["extension_id"], approve, note, on=on)
    return request["extension_id"]


def verify(con: duckdb.DuckDBPyConnection, user: User, code: str, passed: bool, note: str = "", *,
           on: date | None = None) -> int:
    """核查 on `on` (today by default). Passed: the task is closed (销号) on the done date of
    its pending completion claim, or on `on` when the office checked without a claim. Failed:
    the note is required, the reason the claim is sent back (退回: claim_state 'failed', listed
    by returned_claims); the task stays open for a new claim. Returns the verification id."""
    require(user, "verify")
    with _transaction(con) as cur:
        task = _open_task(cur, user, code, "核查")
        if not passed:
            note = _text(note, "退回理由（核查未通过的原因）")
        day = _day(on, "核查日期")
        claim = _one(cur, "pending_claim", {"task_id": task["task_id"]})
        if claim is not None and day < claim["report_date"]:
            raise ActionError(f"核查日期（{_fmt(day)}）早于申请办结日期（{_fmt(claim['report_date'])}）。")
        _not_before_assigned(day, task, "核查日期")
        result = "passed" if passed else "failed"
        note = note.strip() if isinstance(note, str) and note.strip() else None
        progress_id = claim["progress_id"] if claim else None
        verification_id = _run(cur, "insert_verification", {
            "task_id": task["task_id"], "verified_date": day, "verifier": user.username, "result": result,
            "note": note, "progress_id": progress_id,
        }).fetchone()[0]
        _audit(cur, user, "verify", "verification", verification_id, _created({
            "task": task["code"], "verified_date": day, "result": result, "note": note,
            "progress_id": progress_id, "verifier": user.username,
        }))
        if claim is not None:
            _run(cur, "set_claim_state", {"progress_id": progress_id, "claim_state": result})
            returned = {} if passed else {"return_reason": (None, note)}
            _audit(cur, user, "verify", "progress", progress_id, {"claim_state": ("pending", result), **returned})
        if passed:
            closed = claim["done_date"] if claim and claim["done_date"] else day
            _close(cur, user, task, "verify", closed, day, "核查通过，事项已办结，延期申请不再审批。")
        return verification_id


# --------------------------------------------------------------------------- 销号 / 撤销 / 重新打开


def _close(cur, user: User, task: dict, action: str, closed_date: date, on: date, why: str,
           extra: dict[str, tuple] | None = None) -> None:
    """Closes an open task on `closed_date`; the office acts on `on`."""
    _run(cur, "close_task", {"task_id": task["task_id"], "closed_date": closed_date})
    _audit(cur, user, action, "task", task["code"], {
        "lifecycle": (task["lifecycle"], "closed"), "closed_date": (task["closed_date"], closed_date),
        **(extra or {}),
    })
    _settle_open_requests(cur, user, task, action, on, why)


CLOSE_NEEDS_VERIFICATION = ("销号须经核查通过：请在“核查”中记录核查结果，核查通过即办结销号；"
                            "核查未通过则退回牵头单位继续办理。")


def close_task(con: duckdb.DuckDBPyConnection, user: User, code: str, closed_date: date, note: str) -> None:
    """办结销号 without 核查. By default (setting close_requires_verification 是) refused: 销号
    needs a passed 核查, and `verify` with passed=True is that 销号. With the setting 否, the
    office closes directly and the note says why (e.g. it checked on its own)."""
    require(user, "close_task")
    with _transaction(con) as cur:
        task = _open_task(cur, user, code, "办结销号")
        if close_requires_verification(cur):
            raise ActionError(CLOSE_NEEDS_VERIFICATION)
        note = _text(note, "销号说明")
        closed = _date(closed_date, "办结日期")
        _not_before_assigned(closed, task, "办结日期")
        today = date.today()
        if closed > today:
            raise ActionError(f"办结日期（{_fmt(closed)}）不能晚于今天。")
        _close(cur, user, task, "close", closed, today, "事项已办结销号，延期申请不再审批。", {"note": (None, note)})


def cancel_task(con: duckdb.DuckDBPyConnection, user: User, code: str, reason: str, *, on: date | None = None,
                superseded_by: str | None = None) -> None:
    """撤销: the task is no longer supervised. The reason is required; `superseded_by` may name
    the later source (来源, e.g. a later meeting) that superseded it. Both are kept on the task
    (cancel_reason, superseded_by) until it is reopened."""
    require(user, "close_task")
    with _transaction(con) as cur:
        task = _open_task(cur, user, code, "撤销")
        reason = _text(reason, "撤销理由")
        later = superseded_by.strip() if isinstance(superseded_by, str) and superseded_by.strip() else None
        if later is not None and len(later) > MAX_TEXT:
            raise ActionError(f"取代该事项的来源过长（最多{MAX_TEXT}字）。")
        if later is not None and later == task["source"]:
            raise ActionError(f"“{later}”是该事项本身的来源，不能作为取代它的来源。")
        day = _day(on, "撤销日期")
        _not_before_assigned(day, task, "撤销日期")
        _run(cur, "cancel_task", {"task_id": task["task_id"], "cancelled_date": day, "cancel_reason": reason,
                                  "superseded_by": later})
        _audit(cur, user, "cancel", "task", task["code"], {
            "lifecycle": (task["lifecycle"], "cancelled"), "cancelled_date": (task["cancelled_date"], day),
            "reason": (None, reason), "superseded_by": (None, later),
        })
        _settle_open_requests(cur, user, task, "cancel", day, "事项已撤销，延期申请不再审批。")


def reopen_task(con: duckdb.DuckDBPyConnection, user: User, code: str, reason: str) -> None:
    """Reopens a closed or cancelled task (e.g. 回头看 found the problem back); its closing or
    cancelling date is cleared, the audit log keeps it."""
    require(user, "close_task")
    with _transaction(con) as cur:
        task = _task(cur, user, code)
        if task["lifecycle"] == "open":
            raise ActionError("该督办事项正在办理中，无需重新打开。")
        reason = _text(reason, "重新打开的理由")
        _run(cur, "reopen_task", {"task_id": task["task_id"]})
        _audit(cur, user, "reopen", "task", task["code"], {
            "lifecycle": (task["lifecycle"], "open"), "closed_date": (task["closed_date"], None),
            "cancelled_date": (task["cancelled_date"], None), "superseded_by": (task["superseded_by"], None),
            "reason": (None, reason),
        })
        # Requests left from before the task was closed (an import closes without settling them).
        _settle_open_requests(cur, user, task, "reopen", date.today(), "事项重新打开，此前的延期申请已失效。")


# --------------------------------------------------------------------------- imports


def import_as(con: duckdb.DuckDBPyConnection, user: User, files: list[InputFile], options: LoadOptions | None = None,
              *, commit: bool = True, parsed: ReadFiles | None = None) -> ImportResult:
    """An import (etl.importer.import_files) recorded under the user's name; office only.
    The caller's options object is left as it was."""
    require(user, "import")
    options = replace(options or LoadOptions(), actor=user.username)
    return import_files(con, files, options, commit=commit, parsed=parsed)
