"""督查总览: the figures the office reports — how many items, how many on track, due soon,
overdue and closed, 按期办结率 with the counts behind it — with the change since the comparison
date (sidebar), what waits in the queues (待办), by source kind and by unit, the weekly flow of
new and closed items, and the most overdue items."""

from datetime import timedelta

import plotly.graph_objects as go
import streamlit as st

from ledger import queries as views
from ledger.vocabulary import DONE_STATUSES, QUEUE_COUNT_LABELS
from ui import charts, rates, tables
from ui.data import load
from ui.palette import STATUS_COLORS
from ui.state import current_filters

QUEUE_PAGE = "pages/queue.py"
QUEUE_HELP = {
    "to_verify": "单位已申请办结、等待督查室核查的事项",
    "to_approve": "单位已申请延期、等待督查室审批的事项",
    "lookbacks_due": "已办结的整改事项，回头看时限已到、尚未回头看",
    "reports_missing": "定期报送的事项，截至日期已过下次报送日期仍未报送",
    "reports_due": "本周（截至周日）应报送进展的定期报送事项，含已逾期未报的",
    "returned": "申请办结经核查未通过、被退回继续办理的事项",
    "pending_requests": "本单位已提交、等待督查室核查或审批的办结和延期申请",
}

filters = current_filters()
st.title("督查总览")

compare_with = getattr(filters, "compare_with", None) or filters.as_of - timedelta(days=7)
st.caption(f"截至 {filters.as_of:%Y年%m月%d日}，与 {compare_with:%Y年%m月%d日} 相比（对比日期在左侧设置）")

now = load(views.status_counts, filters.as_of, filters)
before = load(views.status_counts, compare_with, filters)
rates_now = load(views.on_time_rates, filters.as_of, filters)
rates_before = load(views.on_time_rates, compare_with, filters)


def figures(counts: dict[str, int], rated: views.Rates) -> dict[str, float | None]:
    done = sum(counts[status] for status in DONE_STATUSES)
    return {
        "督办事项总数": sum(counts.values()),
        "正常推进": counts["on_track"],
        "临期": counts["due_soon"],
        "逾期": counts["overdue"],
        "已办结": done,
        "按期办结率": rated.rate_approved,
    }


current, previous = figures(now, rates_now), figures(before, rates_before)
for column, (label, value) in zip(st.columns(len(current)), current.items(), strict=True):
    old = previous[label]
    if label == "按期办结率":
        shown = rates.NOTHING_DUE if value is None else f"{value:.1%}"
        delta = None if value is None or old is None else f"{(value - old) * 100:+.1f} 个百分点"
    else:
        shown, delta = f"{value:,}", int(value - old)
    column.metric(
        label, shown, delta=delta, border=True,
        delta_color="inverse" if label in ("临期", "逾期") else "normal",
        help=rates.DEFINITION if label == "按期办结率" else None,
    )
st.caption(
    rates.formula(rates_now.on_time_approved, rates_now.done, rates_now.late_open_approved) + "（按批准延期后的时限）；"
    + "按原定时限：" + rates.formula(rates_now.on_time_original, rates_now.done, rates_now.late_open_original)
    .removeprefix("按期办结率 = ")
    + (f"。其中 {rates_now.filed_late} 项为逾期后补办延期，计为逾期。" if rates_now.filed_late else "。")
)

queue = load(views.queue_counts, filters.as_of)
flagged = load(views.flagged_tasks, filters.as_of, filters)   # issue 9: imported, to be checked
st.subheader("待办")
*queue_columns, flag_column, link_column = st.columns(len(queue) + 2)
for column, (key, count) in zip(queue_columns, queue.items(), strict=True):
    column.metric(QUEUE_COUNT_LABELS[key], f"{count:,}", border=True, help=QUEUE_HELP[key])
flag_column.metric("导入待核对", f"{flagged:,}", border=True,
                   help="导入时缺少完成时限或责任单位、时限或单位无法识别、清单称已完成或滞后的在办事项数，详见各事项的“导入提示”")
link_column.page_link(QUEUE_PAGE, label="打开待办，逐项处理", icon=":material/inbox:")

if not current["督办事项总数"]:
    st.info("截至该日期，筛选范围内没有督办事项。可在“数据导入”页导入督办清单，或调整左侧的截至日期和筛选条件。")
    st.stop()

left, right = st.columns(2)
with left:
    by_kind = load(views.status_by_kind, filters.as_of, filters)
    charts.show(charts.status_bars(by_kind, "source_kind_label", title="各来源类型办理状态", category_label="来源类型"))
with right:
    flow = load(views.weekly_flow, filters.as_of, filters, weeks=12)
    weeks = [f"{day.month}月{day.day}日" for day in flow["week"].to_list()]
    fig = go.Figure([
        go.Bar(name="新增交办", x=weeks, y=flow["assigned"].to_list(), marker_color="#4C78A8",
               hovertemplate="%{x}当周<br>新增交办：%{y} 项<extra></extra>"),
        go.Scatter(name="办结", x=weeks, y=flow["closed"].to_list(), mode="lines+markers",
                   line={"color": STATUS_COLORS["done_on_time"], "width": 3},
                   hovertemplate="%{x}当周<br>办结：%{y} 项<extra></extra>"),
    ])
    fig.update_xaxes(title_text="周（周一起）")
    fig.update_yaxes(title_text="事项数")
    charts.show(charts.style(fig, title="近12周新增与办结"))

unit_status = load(views.unit_status, filters.as_of, filters)
charts.show(charts.unit_status_bars(unit_status, limit=25), key="overview_units")

st.subheader("逾期最久的督办事项")
worst = load(views.alerts, filters.as_of, filters, status="overdue", group_by="none", limit=10)
if worst.is_empty():
    st.success("截至该日期没有逾期事项。")
else:
    tables.show(worst, ["code", "overdue_workdays", "content", "lead_units", "leader", "deadline_text", "due_date", "source"],
                key="overview_worst")
