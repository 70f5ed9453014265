"""办理: what the signed-in user may do to one task, as forms under its detail.

Which forms appear follows ledger.access.can (a unit reports progress; its lead unit also
claims completion and asks for extensions; a leader writes 批示; the office does everything,
and 销号 is its passed 核查 while close_requires_verification is 是); ledger.actions checks
role, scope and the rules again on every submit, so a form drawn by mistake changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl
import streamlit as st

from ledger import actions, supervision
from ledger.access import AccessDenied, User, can
from ledger.db import LedgerBusy
from ledger.vocabulary import CHASE_WAYS, CLAIM_PENDING_LABEL, FILED_LATE_LABEL, FINISHED_STATUSES
from ui import state
from ui.safe import md

DONE_KEY = "task_action_done"   # the success message of the last action, shown once


def _submit(action: Callable[..., object], *args, done: str, **kwargs) -> None:
    """Runs one action under the write lock; a Chinese message either way."""
    try:
        with state.writing() as con:
            action(con, *args, **kwargs)
    except (actions.ActionError, AccessDenied, LedgerBusy) as refused:
        st.error(md(refused))
        return
    state.data_changed()
    st.session_state[DONE_KEY] = done
    st.rerun()


def _pending(user: User, code: str) -> tuple[pl.DataFrame, pl.DataFrame, bool, bool]:
    """The task's pending requests and its claim sent back (被退回); whether the user acts as its
    lead unit (申请办结, 申请延期: a co-unit only reports progress); whether 销号 needs a passed
    核查 (the office's setting)."""
    with state.reading() as con:
        requests = actions.pending_requests(con, user)
        returned = actions.returned_claims(con, user)
        lead = actions.acts_as_lead(con, user, code)
        needs_verification = actions.close_requires_verification(con)
    mine = pl.col("code") == code
    return requests.filter(mine), returned.filter(mine), lead, needs_verification


def panel(user: User, info: dict, today: date) -> None:
    """The forms for task `info` (a row of views.task_detail) that `user` may use."""
    code, is_open = info["code"], info["status"] not in FINISHED_STATUSES
    if done := st.session_state.pop(DONE_KEY, None):
        st.success(done, icon=":material/check_circle:")
    pending, returned, lead, needs_verification = _pending(user, code)
    for claim in returned.iter_rows(named=True):
        st.warning(f"被退回：{md(claim['returned_by_name'])} {claim['returned_date']:%Y-%m-%d} 核查未通过，"
                   f"退回理由：{md(claim['return_reason'])}。请继续办理后重新申请办结。")
    for request in pending.iter_rows(named=True):
        what = (f"{CLAIM_PENDING_LABEL}：申请于 {request['done_date']:%Y-%m-%d} 办结" if request["request_type"] == "claim"
                else f"申请延期至 {request['new_deadline']:%Y-%m-%d}"
                + (f"（{FILED_LATE_LABEL}）" if request["filed_late"] else ""))
        st.info(f"待审核：{md(request['requested_by_name'])} {request['requested_date']:%Y-%m-%d} {what}。"
                f"{md(request['text'])}")

    forms: dict[str, Callable[[], None]] = {}
    if is_open and can(user, "submit_progress"):
        forms["报送进展"] = lambda: _progress_form(user, code, today)
    if is_open and lead and can(user, "claim_done"):
        forms["申请办结"] = lambda: _claim_form(user, code, today)
    if is_open and lead and info["deadline_kind"] == "date" and can(user, "request_extension"):
        forms["申请延期"] = lambda: _extension_form(user, code, info, today)
    if can(user, "comment"):
        forms["批示" if user.role == "leader" else "督办意见"] = lambda: _comment_form(user, code)
    if is_open and can(user, "chase"):
        forms["催办"] = lambda: _chase_form(user, code, today)
    # With close_requires_verification the office's own check is a 核查 too (no claim needed).
    if can(user, "verify") and ((pending["request_type"] == "claim").any() or (is_open and needs_verification)):
        forms["核查"] = lambda: _verify_form(user, code, today)
    if can(user, "decide_extension") and (pending["request_type"] == "extension").any():
        request_id = pending.filter(pl.col("request_type") == "extension")["request_id"][0]
        forms["延期审批"] = lambda: _decide_form(user, int(request_id), today)
    if can(user, "close_task"):
        forms["办结销号或撤销" if is_open else "重新打开"] = lambda: _lifecycle_form(
            user, code, is_open, today, needs_verification)
    if not forms:
        st.caption("当前账号对该事项只能查看。")
        return
    for tab, draw in zip(st.tabs(list(forms)), forms.values(), strict=True):
        with tab:
            draw()


def _progress_form(user: User, code: str, today: date) -> None:
    with st.form(f"progress_{code}", clear_on_submit=True):
        text = st.text_area("进展情况", key="action_progress_text", max_chars=2000)
        day = st.date_input("填报日期", value=today, key="action_progress_date", format="YYYY-MM-DD")
        if st.form_submit_button("报送进展"):
            _submit(actions.submit_progress, user, code, text, report_date=day, done="进展已报送。")


def _claim_form(user: User, code: str, today: date) -> None:
    with st.form(f"claim_{code}"):
        text = st.text_area("办结情况", key="action_claim_text", max_chars=2000,
                            help="说明完成了什么、有何佐证材料；督查室核查通过后销号")
        day = st.date_input("办结日期", value=today, key="action_claim_date", format="YYYY-MM-DD")
        if st.form_submit_button("申请办结"):
            _submit(actions.claim_done, user, code, text, done_date=day, report_date=today,
                    done="办结申请已提交，待督查室核查。")


def _extension_form(user: User, code: str, info: dict, today: date) -> None:
    with st.form(f"extension_{code}"):
        current = info["due_date"]
        st.caption(f"当前完成时限：{current:%Y-%m-%d}" if current else "当前没有确定的完成时限。")
        late = False
        if current and today > current:
            st.caption("完成时限已过：延期须在完成时限前申请，逾期后只能由督查室登记为“逾期后补办”（计入逾期）。")
        if can(user, "record_late_extension"):
            late = st.checkbox(f"{FILED_LATE_LABEL}（完成时限已过，延期计入逾期）", key="action_extension_late")
        new_deadline = st.date_input("申请延期至", value=None, key="action_extension_date", format="YYYY-MM-DD")
        reason = st.text_area("延期理由", key="action_extension_reason", max_chars=1000)
        if st.form_submit_button("申请延期"):
            _submit(actions.request_extension, user, code, new_deadline, reason, on=today, late=late,
                    done="延期申请已提交，待督查室审批。")


def _comment_form(user: User, code: str) -> None:
    label = "批示" if user.role == "leader" else "督办意见"
    with st.form(f"comment_{code}", clear_on_submit=True):
        text = st.text_area(f"{label}内容", key="action_comment_text", max_chars=2000)
        if st.form_submit_button(f"提交{label}"):
            _submit(actions.add_comment, user, code, text, done=f"{label}已记录。")


def _chase_form(user: User, code: str, today: date) -> None:
    """催办 of this task's lead unit (ledger.supervision.record_chase), counted on 单位排名."""
    with st.form(f"chase_{code}", clear_on_submit=True):
        way = st.radio("催办方式", list(CHASE_WAYS), format_func=CHASE_WAYS.get, key="action_chase_way", horizontal=True)
        note = st.text_area("催办说明", key="action_chase_note", max_chars=1000)
        if st.form_submit_button("记录催办"):
            _submit(supervision.record_chase, user, code, way, note=note, on=today, done="催办已记录。")


def _verify_form(user: User, code: str, today: date) -> None:
    with st.form(f"verify_{code}"):
        result = st.radio("核查结果", ["核查通过，办结销号", "核查未通过，退回继续办理"], key="action_verify_result")
        note = st.text_area("核查说明（未通过时须写明退回理由）", key="action_verify_note", max_chars=1000)
        if st.form_submit_button("提交核查结果"):
            passed = result.startswith("核查通过")
            _submit(actions.verify, user, code, passed, note, on=today,
                    done="核查通过，事项已办结销号。" if passed else "核查未通过，已退回。")


def _decide_form(user: User, extension_id: int, today: date) -> None:
    with st.form(f"decide_{extension_id}"):
        decision = st.radio("审批意见", ["同意延期", "不同意延期"], key="action_decide_result")
        note = st.text_area("说明", key="action_decide_note", max_chars=1000)
        if st.form_submit_button("提交审批"):
            approve = decision == "同意延期"
            _submit(actions.decide_extension, user, extension_id, approve, note, on=today,
                    done="已同意延期。" if approve else "已不同意延期。")


def _lifecycle_form(user: User, code: str, is_open: bool, today: date, needs_verification: bool) -> None:
    with st.form(f"lifecycle_{code}"):
        if not is_open:
            reason = st.text_area("重新打开的理由", key="action_reopen_reason", max_chars=1000,
                                  help="如：回头看发现问题反弹")
            if st.form_submit_button("重新打开"):
                _submit(actions.reopen_task, user, code, reason, done="事项已重新打开。")
            return
        if needs_verification:
            st.caption("办结销号须经核查通过：请在“核查”中记录核查结果，核查通过即办结销号，未通过则退回。")
        choice = st.radio("操作", ["撤销"] if needs_verification else ["办结销号", "撤销"],
                          key="action_lifecycle_choice", horizontal=True)
        day = st.date_input("日期", value=today, key="action_lifecycle_date", format="YYYY-MM-DD")
        note = st.text_area("说明", key="action_lifecycle_note", max_chars=1000, help="撤销须写明理由")
        later = st.text_input("取代该事项的来源（撤销时可填，如：区政府第9次常务会议）", key="action_lifecycle_superseded",
                              max_chars=200)
        if st.form_submit_button("确认"):
            if choice == "办结销号":
                _submit(actions.close_task, user, code, day, note, done="事项已办结销号。")
            else:
                _submit(actions.cancel_task, user, code, note, on=day, superseded_by=later, done="事项已撤销。")
