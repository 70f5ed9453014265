"""待办: where the day starts. For the office (and, reading, the leaders): 待核查 completion claims,
待审批 extension requests, 待回头看 look-backs due, 未按期报送 reports missed; for a unit: 待报送
this week, 被退回 claims, its requests waiting for the office. One tab per queue with its count
(ledger.queries.queue_counts, the same figures as 督查总览, the sidebar and `python -m etl
queue`); any item picked below opens with the forms that decide it (ui/task_actions.py, and the
回头看 form for a look-back)."""

from datetime import date

import polars as pl
import streamlit as st

from ledger import queries as views
from ledger import rectification as rect
from ledger.access import AccessDenied, can
from ledger.actions import ActionError
from ledger.db import LedgerBusy
from ledger.vocabulary import AUDIT_VALUE_LABELS, FILED_LATE_LABEL, LOOKBACK_RESULTS, QUEUE_COUNT_LABELS
from ui import state, tables, task_actions
from ui.auth import signed_in_user
from ui.data import load
from ui.palette import STATUS_BADGES
from ui.safe import clean, md
from ui.state import current_filters

CYCLES = AUDIT_VALUE_LABELS["report_cycle"]
EMPTY = {
    "to_verify": "没有待核查的办结申请。",
    "to_approve": "没有待审批的延期申请。",
    "lookbacks_due": "没有到期未做的回头看。",
    "reports_missing": "没有逾期未报送的定期报送事项。",
    "reports_due": "本周没有应报送的事项。",
    "returned": "没有被退回的办结申请。",
    "pending_requests": "没有等待督查室审核的申请。",
}
# Each queue's columns, under the office's words.
COLUMNS = {
    "to_verify": {"code": "督办编号", "content": "督办事项", "lead_units": "牵头单位", "requested_by_name": "申请人",
                  "requested_date": "申请日期", "done_date": "申请办结日期", "text": "办结情况",
                  "current_deadline": "完成时限"},
    "to_approve": {"code": "督办编号", "content": "督办事项", "lead_units": "牵头单位", "requested_by_name": "申请人",
                   "requested_date": "申请日期", "current_deadline": "当前时限", "new_deadline": "申请延期至",
                   "late": "逾期后补办", "text": "延期理由"},
    "lookbacks_due": {"code": "督办编号", "source_kind_label": "来源类型", "problem": "问题", "lead_units": "整改单位",
                      "closed_date": "办结日期", "lookback_due": "回头看时限", "days_past_due": "已到期天数"},
    "reports_missing": {"code": "督办编号", "content": "督办事项", "lead_units": "牵头单位", "cycle": "报送周期",
                        "last_report_date": "最近报送日期", "report_due": "应报送日期", "report_days_late": "逾期天数"},
    "reports_due": {"code": "督办编号", "content": "督办事项", "lead_units": "牵头单位", "cycle": "报送周期",
                    "last_report_date": "最近报送日期", "report_due": "应报送日期", "report_days_late": "逾期天数"},
    "returned": {"code": "督办编号", "content": "督办事项", "returned_by_name": "退回人", "returned_date": "退回日期",
                 "return_reason": "退回理由", "text": "原办结情况"},
    "pending_requests": {"code": "督办编号", "request_label": "申请", "content": "督办事项", "requested_date": "申请日期",
                         "text": "申请内容"},
}
LOOKBACK_DONE_KEY = "queue_lookback_done"


def readable(items: pl.DataFrame, queue: str) -> pl.DataFrame:
    """The queue's rows with lists and codes turned into words, under the columns' Chinese names."""
    if "lead_units" in items.columns and items.schema["lead_units"] != pl.String:
        items = items.with_columns(pl.col("lead_units").list.join("、"))
    if "filed_late" in items.columns:
        items = items.with_columns(late=pl.when(pl.col("filed_late")).then(pl.lit(FILED_LATE_LABEL)).otherwise(pl.lit("")))
    if "report_cycle" in items.columns:
        items = items.with_columns(cycle=pl.col("report_cycle").replace_strict(CYCLES, default=""))
    names = {k: v for k, v in COLUMNS[queue].items() if k in items.columns}
    return items.select(*names, *(["claim_pending"] if "claim_pending" in items.columns else [])).rename(names)


def lookback_form(code: str, today: date) -> None:
    """The 回头看 of a closed rectification picked from 待回头看 (ledger.rectification.record_lookback)."""
    with st.form(f"queue_lookback_{code}"):
        result = st.radio("回头看结论", list(LOOKBACK_RESULTS), format_func=LOOKBACK_RESULTS.get,
                          key="queue_lookback_result", horizontal=True)
        note = st.text_area("回头看说明", key="queue_lookback_note", max_chars=rect.MAX_NOTE)
        new_deadline = st.date_input("新的整改时限（反弹时必填）", value=None, key="queue_lookback_deadline",
                                     format="YYYY-MM-DD")
        if st.form_submit_button("记录回头看"):
            try:
                with state.writing() as con:
                    rect.record_lookback(con, viewer, code, result, note, new_deadline=new_deadline, on=today)
            except (ActionError, AccessDenied, LedgerBusy) as refused:
                st.error(md(refused))
                return
            state.data_changed()
            st.session_state[LOOKBACK_DONE_KEY] = (
                f"已记录 {code} 的回头看：" + ("巩固。" if result == "consolidated" else "反弹，事项已重新打开。"))
            st.rerun()


filters = current_filters()
viewer = signed_in_user()
today = date.today()
st.title("待办")
st.caption(f"办结和延期申请按当前状态列出；回头看和报送按截至 {filters.as_of:%Y年%m月%d日} 计算。"
           "在下方选择一项，即可查看详情并办理。")
for key in (task_actions.DONE_KEY, LOOKBACK_DONE_KEY):
    if done := st.session_state.pop(key, None):
        st.success(done, icon=":material/check_circle:")

counts = load(views.queue_counts, filters.as_of)
queues = {queue: load(views.queue_items, filters.as_of, queue) for queue in counts}
for tab, (queue, items) in zip(st.tabs([f"{QUEUE_COUNT_LABELS[q]}（{n}）" for q, n in counts.items()]),
                                queues.items(), strict=True):
    with tab:
        if items.is_empty():
            st.success(EMPTY[queue])
            continue
        shown = readable(items, queue)
        tables.show(shown, [c for c in shown.columns if c != "claim_pending"], key=f"queue_{queue}",
                    height=min(38 + 35 * shown.height, 420))

# One pick across the queues: a task may wait in two (a claim and a missed report).
choices: dict[str, str] = {}
for queue, items in queues.items():
    for row in items.iter_rows(named=True):
        text = row.get("content") or row.get("problem") or ""
        choices.setdefault(row["code"], f"[{QUEUE_COUNT_LABELS[queue]}] {row['code']}　{clean(text)[:40]}")
st.divider()
code = st.selectbox("办理", list(choices), index=None, format_func=choices.get, key="queue_pick",
                    placeholder="选择一项待办，查看详情并办理")
if code is None:
    st.stop()

detail = load(views.task_detail, filters.as_of, code)
if detail["task"].is_empty():
    st.warning(f"截至该日期台账中没有督办编号为“{md(code)}”的事项，请调整左侧的截至日期。")
    st.stop()
info = detail["task"].row(0, named=True)
st.markdown(f"#### {md(info['code'])} :{STATUS_BADGES[info['status']]}-badge[{info['status_label']}]"
            + (" :orange-badge[已申请办结（待核查）]" if info["claim_pending"] else ""))
st.text(clean("\n".join(line for line in [
    info["content"],
    f"牵头单位：{info['lead_units'] or '—'}　配合单位：{info['co_units'] or '—'}　责任领导：{info['leader'] or '—'}",
    f"完成时限：{info['deadline_text']}" + (f"（{info['due_date']:%Y-%m-%d}）" if info["due_date"] else ""),
    f"来源：{info['source']}",
] if line)))
timeline = detail["timeline"]
if not timeline.is_empty():
    with st.expander("办理过程", expanded=False):
        tables.show(timeline, ["day", "event", "detail", "who"], key="queue_timeline")

if can(viewer, "lookback") and code in set(queues.get("lookbacks_due", pl.DataFrame({"code": []}))["code"].to_list()):
    st.markdown("**回头看**")
    lookback_form(code, today)
else:
    st.markdown("**办理**")
    task_actions.panel(viewer, info, today)
