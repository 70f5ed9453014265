"""督查总览: the figures the office reports — how many items, how many on track, due soon,
overdue and closed — with the change since a comparison date, by source kind and by unit,
the weekly flow of new and closed items, and the most overdue items."""

from datetime import timedelta

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from ledger import queries as views
from ledger.vocabulary import DONE_STATUSES, STATUS_LABELS
from ui import charts, tables
from ui.data import load
from ui.palette import FONT_FAMILY, STATUS_COLORS
from ui.safe import label as chart_label
from ui.state import current_filters

filters = current_filters()
st.title("督查总览")

compare_column, _ = st.columns([1, 3])
compare_with = compare_column.date_input(
    "对比日期", value=filters.as_of - timedelta(days=7), max_value=filters.as_of, key="overview_compare",
    format="YYYY-MM-DD", help="指标卡下方的变化量是截至日期与对比日期之差",
)
st.caption(f"截至 {filters.as_of:%Y年%m月%d日}，与 {compare_with:%Y年%m月%d日} 相比")

now = load(views.status_counts, filters.as_of, filters)
before = load(views.status_counts, compare_with, filters)


def figures(counts: dict[str, int]) -> dict[str, float | None]:
    done = sum(counts[status] for status in DONE_STATUSES)
    return {
        "督办事项总数": sum(counts.values()),
        "正常推进": counts["on_track"],
        "临期": counts["due_soon"],
        "逾期": counts["overdue"],
        "已办结": done,
        "按期办结率": counts["done_on_time"] / done if done else None,
    }


current, previous = figures(now), figures(before)
for column, (label, value) in zip(st.columns(len(current)), current.items(), strict=True):
    old = previous[label]
    if label == "按期办结率":
        shown = "—" if value is None else f"{value:.1%}"
        delta = None if value is None or old is None else f"{(value - old) * 100:+.1f} 个百分点"
    else:
        shown, delta = f"{value:,}", int(value - old)
    column.metric(
        label, shown, delta=delta, border=True,
        delta_color="inverse" if label in ("临期", "逾期") else "normal",
        help="按期办结率 = 按期办结 / 已办结（按期办结 + 逾期办结）" if label == "按期办结率" else None,
    )

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
busiest = (
    unit_status.group_by("unit").agg(pl.col("tasks").sum(), overdue=pl.col("tasks").filter(pl.col("status") == "overdue").sum())
    .sort(["overdue", "tasks", "unit"], descending=[True, True, False]).head(25)["unit"].to_list()
)
grid = (
    unit_status.filter(pl.col("unit").is_in(busiest))
    .pivot(on="status", index="unit", values="tasks")
    .fill_null(0)
)
statuses = [s for s in STATUS_LABELS if s in grid.columns]
grid = grid.join(pl.DataFrame({"unit": busiest, "order": range(len(busiest))}), on="unit").sort("order")
heat = go.Figure(go.Heatmap(
    z=grid.select(statuses).to_numpy(),
    x=[STATUS_LABELS[s] for s in statuses],
    y=[chart_label(unit) for unit in grid["unit"]],
    colorscale=[[0, "#F7F7F7"], [1, STATUS_COLORS["overdue"]]],
    texttemplate="%{z}",
    textfont={"family": FONT_FAMILY},
    hovertemplate="牵头单位：%{y}<br>状态：%{x}<br>事项：%{z} 项<extra></extra>",
    colorbar={"title": {"text": "事项数"}},
))
heat.update_yaxes(autorange="reversed")
title = "牵头单位 × 办理状态" + ("（逾期最多的 25 个单位）" if len(busiest) == 25 else "")
charts.show(charts.style(heat, title=title, height=max(320, 24 * len(busiest) + 90)))

st.subheader("逾期最久的督办事项")
worst = load(views.alerts, filters.as_of, filters, status="overdue", group_by="none", limit=10)
if worst.is_empty():
    st.success("截至该日期没有逾期事项。")
else:
    tables.show(worst, ["code", "overdue_workdays", "content", "lead_units", "leader", "deadline_text", "due_date", "source"],
                key="overview_worst")
