"""整改跟踪: problems found by audits, inspections and supervision (挂账整改), by source kind,
with their measures, deadline and 整改情况 (its criteria written on the page); the 回头看
(look-backs) due, done and their results; the problems that rebounded, with every round; and
the office's form to record a 回头看 (ledger.rectification.record_lookback)."""

from datetime import date

import polars as pl
import streamlit as st

from ledger import queries as views
from ledger import rectification as rect
from ledger.access import AccessDenied, can
from ledger.actions import ActionError
from ledger.db import LedgerBusy
from ledger.vocabulary import LOOKBACK_RESULTS, RECTIFICATION_STATUS_LABELS
from ui import charts, state, tables
from ui.auth import signed_in_user
from ui.data import fresh, load
from ui.safe import md
from ui.state import current_filters

DONE_KEY = "lookback_done"   # the success message of the last 回头看, shown once
COLUMNS = [
    "code", "status_label", "整改情况", "problem", "measures", "lead_units", "deadline_text", "due_date",
    "overdue_workdays", "closed_date", "lookback_due", "lookback_date", "lookback_result", "rebounded",
    "problem_type", "source",
]
# The criteria of rectification_status (migrations/011_lookbacks.sql), in the office's words.
CRITERIA = {
    "rectified": "已办结销号（核查通过或清单报办结）；回头看发现反弹的，重新打开，回到整改中",
    "in_progress": "尚未办结，未超过整改时限（含批准延期后的时限）",
    "unrectified": "尚未办结，已超过整改时限",
    "ongoing": "长期坚持、定期报送的整改事项，按计划持续推进，没有固定办结日期",
}

filters = current_filters()
viewer = signed_in_user()
today = date.today()
st.title("整改跟踪")
st.caption(f"截至 {filters.as_of:%Y年%m月%d日}。审计整改、巡视巡察整改、督查发现问题整改事项；"
           "整改完成后按期“回头看”，防止问题反弹。")
if done_message := st.session_state.pop(DONE_KEY, None):
    st.success(done_message, icon=":material/check_circle:")

items = load(views.rectifications, filters.as_of, filters)
if items.is_empty():
    st.info("筛选范围内没有整改事项。整改清单可在“数据导入”页导入（来源类型选择审计整改、巡视巡察整改或督查发现问题整改）。")
    st.stop()
items = rect.with_labels(items).with_columns(
    pl.col("rectification_status_label").alias("整改情况"), pl.col("lookback_result_label").alias("lookback_result"))

with st.expander("整改情况的认定标准", expanded=False):
    st.markdown("\n".join(f"- **{RECTIFICATION_STATUS_LABELS[code]}**：{words}" for code, words in CRITERIA.items()))
    months = fresh(rect.lookback_months)
    st.markdown(f"- **回头看**：整改事项办结后 {months} 个月到期（可为单个事项另定回头看时限）；"
                "回头看结论为“巩固”的保持办结，为“反弹”的重新打开、另定整改时限，并计入牵头单位的反弹次数。")


def count(code: str) -> int:
    return items.filter(pl.col("rectification_status") == code).height


first, second = st.columns(4), st.columns(4)
for column, (label, value, help_text) in zip([*first, *second], [
    ("整改事项", items.height, None),
    *[(RECTIFICATION_STATUS_LABELS[c], count(c), CRITERIA[c]) for c in RECTIFICATION_STATUS_LABELS],
    ("待回头看", items.filter(pl.col("lookback_pending")).height, "已办结、回头看时限已到，尚未回头看"),
    ("已回头看", int(items["lookbacks"].fill_null(0).sum()), "截至日期前记录的回头看次数（含各轮）"),
    ("问题反弹", items.filter(pl.col("rebounded")).height, "回头看发现问题反弹（曾反弹）的事项"),
], strict=True):
    column.metric(label, value, border=True, help=help_text)

by_kind = items.group_by("source_kind_label", "kind_order", "status").agg(tasks=pl.len()).sort("kind_order")
figure = charts.status_bars(by_kind, "source_kind_label", title="各类整改事项办理状态", category_label="整改类型",
                            horizontal=True)
charts.show(figure.update_layout(height=100 + 60 * by_kind["source_kind_label"].n_unique()))

st.subheader("整改清单")
kinds = items.select("source_kind_label", "kind_order").unique().sort("kind_order")["source_kind_label"].to_list()
for tab, kind in zip(st.tabs([f"{md(k)}（{items.filter(pl.col('source_kind_label') == k).height}）" for k in kinds]),
                     kinds, strict=True):
    with tab:
        tables.show(items.filter(pl.col("source_kind_label") == kind), COLUMNS, key=f"rectification_{kind}")

st.subheader("待回头看")
due = fresh(rect.lookbacks_due, filters.as_of, filters)
if due.is_empty():
    st.caption("截至日期没有到期未开展的回头看。")
else:
    st.caption("已办结、回头看时限已到而尚未回头看的整改事项，到期最久的在前。")
    tables.show(due.rename({"days_past_due": "已到期天数"}),
                ["code", "source_kind_label", "problem", "lead_units", "closed_date", "lookback_due", "已到期天数"],
                key="rectification_lookbacks_due")
scheduled = items.filter(pl.col("awaiting_lookback") & ~pl.col("lookback_pending")).sort("lookback_due")
if not scheduled.is_empty():
    st.caption("已办结、回头看尚未到期的整改事项：")
    tables.show(scheduled, ["code", "source_kind_label", "problem", "lead_units", "closed_date", "lookback_due"],
                key="rectification_lookbacks_scheduled")

history = fresh(rect.lookback_history, filters.as_of, filters)
named = history.rename({"round": "轮次", "lookback_closed_date": "所查办结日期", "lookback_note": "回头看说明",
                        "previous_deadline": "原整改时限", "rebound_deadline": "反弹后整改时限",
                        "recorded_by": "记录人"})
st.subheader("已回头看")
if history.is_empty():
    st.caption("截至日期尚无回头看记录。")
else:
    tables.show(named, ["code", "source_kind_label", "problem", "轮次", "所查办结日期", "lookback_date",
                        "lookback_result", "回头看说明", "记录人"], key="rectification_lookbacks")

st.subheader("问题反弹")
again = items.filter(pl.col("rebounded"))
if again.is_empty():
    st.success("没有回头看发现反弹的问题。")
else:
    st.caption("回头看发现反弹的事项：重新打开、另定整改时限，每一轮回头看都列在下面。")
    tables.show(again.rename({"rebounds": "反弹次数"}),
                ["code", "source_kind_label", "problem", "status_label", "整改情况", "lead_units", "deadline_text",
                 "反弹次数", "lookback_date", "lookback_result"], key="rectification_rebounded")
    rounds = named.filter(pl.col("code").is_in(again["code"].implode()))
    tables.show(rounds, ["code", "problem", "轮次", "所查办结日期", "lookback_date", "lookback_result", "回头看说明",
                         "原整改时限", "反弹后整改时限", "记录人"], key="rectification_rebound_history")
    per_unit = fresh(rect.unit_rebounds, filters.as_of, filters)
    if not per_unit.is_empty():
        st.caption("反弹计入牵头单位：")
        tables.show(per_unit.rename({"rebounds": "反弹次数", "rebounded_items": "反弹事项数"}),
                    ["unit", "反弹次数", "反弹事项数"], key="rectification_unit_rebounds")

if not can(viewer, "lookback"):
    st.stop()

st.subheader("记录回头看")
awaiting = items.filter(pl.col("awaiting_lookback")).sort("lookback_pending", "lookback_due", descending=[True, False])


def submit(action, *args, done: str, **kwargs) -> None:
    """Runs one office action under the write lock; a Chinese message either way."""
    try:
        with state.writing() as con:
            action(con, viewer, *args, **kwargs)
    except (ActionError, AccessDenied, LedgerBusy) as refused:
        st.error(md(refused))
        return
    state.data_changed()
    st.session_state[DONE_KEY] = done
    st.rerun()


if awaiting.is_empty():
    st.caption("没有已办结、等待回头看的整改事项。")
else:
    choices = {row["code"]: f"{row['code']}　{row['problem'][:40]}（回头看时限 {row['lookback_due']:%Y-%m-%d}）"
               for row in awaiting.iter_rows(named=True)}
    with st.form("lookback_form"):
        code = st.selectbox("整改事项", list(choices), format_func=choices.get, key="lookback_code")
        result = st.radio("回头看结论", list(LOOKBACK_RESULTS), format_func=LOOKBACK_RESULTS.get, key="lookback_result",
                          horizontal=True)
        note = st.text_area("回头看说明", key="lookback_note", max_chars=rect.MAX_NOTE,
                            help="怎样查的、看到了什么；反弹的写明问题表现")
        left, right = st.columns(2)
        day = left.date_input("回头看日期", value=today, max_value=today, key="lookback_date", format="YYYY-MM-DD")
        new_deadline = right.date_input("新的整改时限（反弹时必填）", value=None, key="lookback_new_deadline",
                                        format="YYYY-MM-DD")
        if st.form_submit_button("记录回头看", key="lookback_submit"):
            submit(rect.record_lookback, code, result, note, new_deadline=new_deadline, on=day,
                   done=f"已记录 {md(code)} 的回头看：巩固。" if result == "consolidated"
                   else f"已记录 {md(code)} 的回头看：反弹，事项已重新打开。")

with st.expander("核查未通过的事项，列入督查发现问题整改"):
    with st.form("finding_form", clear_on_submit=True):
        found_code = st.text_input("核查未通过的督办编号", key="finding_code")
        problem = st.text_area("核查发现的问题", key="finding_problem", max_chars=rect.MAX_NOTE)
        measures = st.text_input("整改措施", key="finding_measures")
        deadline = st.date_input("整改时限", value=None, key="finding_deadline", format="YYYY-MM-DD")
        if st.form_submit_button("列入整改", key="finding_submit"):
            submit(rect.from_failed_verification, found_code, problem, deadline, measures=measures, on=today,
                   done="已列入督查发现问题整改，由原牵头单位整改。")
