"""单位排名: per unit, the items it leads and co-handles, how many are overdue, 按期办结率 in both
deadline views with the counts behind it, the 催办 it received and its 通报/约谈 records, the
average time to close and the extensions it asked for — sortable, with how each figure is
computed."""

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from ledger import queries as views
from ui import charts, rates, tables
from ui.data import load
from ui.export import to_excel
from ui.palette import STATUS_COLORS
from ui.safe import label
from ui.state import current_filters

RATE_APPROVED = "按期办结率（批准时限）"
RATE_ORIGINAL = "按期办结率（原定时限）"
NAMES = {
    "on_time_approved": "按期办结（批准时限）", "late_open_approved": "逾期未办结（批准时限）",
    "on_time_original": "按期办结（原定时限）", "late_open_original": "逾期未办结（原定时限）",
    "chased_tasks": "被催办事项", "notices": "通报/约谈", "filed_late": "逾期后补办延期",
    "avg_days": "平均办结天数", "avg_workdays": "平均办结工作日",
}
COLUMNS = [
    "unit", "tasks", "overdue", RATE_APPROVED, RATE_ORIGINAL, "done", "on_time_approved", "late_open_approved",
    "on_time_original", "late_open_original", "chases", "chased_tasks", "notices", "due_soon", "on_track",
    "long_term", "undated", "done_on_time", "done_late", "cancelled", "extensions", "filed_late", "avg_days", "avg_workdays",
    "co_tasks", "unit_kind", "leader_in_charge",
]


def display(ranking: pl.DataFrame) -> pl.DataFrame:
    """The ranking with its rates and averages as text ("—" where nothing to compute), the
    count columns under the names of this page."""
    texts = rates.text_columns(ranking)
    return ranking.with_columns(
        pl.Series(RATE_APPROVED, texts["approved"]), pl.Series(RATE_ORIGINAL, texts["original"]),
        avg_days=rates.number_text(ranking["avg_days_to_close"]),
        avg_workdays=rates.number_text(ranking["avg_workdays_to_close"]),
        leader_in_charge=pl.col("leader_in_charge").fill_null(""),
        unit_kind=pl.col("unit_kind").fill_null(""),
    ).rename({k: v for k, v in NAMES.items() if k in ranking.columns or k in ("avg_days", "avg_workdays")})


def columns() -> list[str]:
    return [NAMES.get(c, c) for c in COLUMNS]


filters = current_filters()
st.title("单位排名")
st.caption(f"截至 {filters.as_of:%Y年%m月%d日}。默认按逾期事项数排列，点击列名可按该列排序。"
           "按期办结率后括号内为 按期办结数/(已办结数+逾期未办结数)。")

ranking = load(views.unit_ranking, filters.as_of, filters)
if ranking.is_empty():
    st.info("筛选范围内没有牵头单位的督办事项。")
    st.stop()

shown = display(ranking)
tables.show(shown, columns(), key="units_table", height=min(38 + 35 * ranking.height, 560))
st.download_button(
    "下载单位排名（Excel）", data=lambda: to_excel(tables.chinese(shown, columns()), "单位排名"),
    file_name=f"单位排名_{filters.as_of:%Y%m%d}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
    key="units_download", icon=":material/download:",
)

with st.expander("指标说明"):
    st.markdown(
        f"""
- **牵头事项**：截至日期已交办、该单位为牵头单位的督办事项数（一项有多个牵头单位时，每个单位各计一项）。
- **配合事项**：该单位为配合单位的督办事项数。
- **逾期 / 临期 / 正常推进 / 长期/持续 / 未明确时限 / 按期办结 / 逾期办结 / 已撤销**：牵头事项截至日期的状态，各列之和等于牵头事项数。逾期：已过完成时限
  （批准延期的，以延期后的时限为准）仍未办结；临期：距完成时限不超过设定的工作日数；长期事项有报送周期的，
  按下次报送日期判断是否逾期；未明确时限的事项不计为逾期，单独列出。
- **按期办结率**：{rates.DEFINITION}
- **逾期后补办延期**：完成时限过后才申请、由督查室登记的延期，计入逾期。
- **催办次数 / 被催办事项**：截至日期督查室对该单位的催办次数（批量催办每项各计一次），及涉及的事项数。
- **通报/约谈**：截至日期对该单位的通报表扬、通报批评和约谈记录（日期和类别）。
- **平均办结天数**：已办结事项从交办日期（来源日期）到办结日期的自然日数的平均值；**平均办结工作日**按法定
  工作日（含调休）计算；没有已办结事项时显示“—”。
- **延期申请**：截至日期前，该单位牵头事项提出的延期申请次数（不论是否批准）。
"""
    )

top = ranking.head(15)
figure = charts.style(go.Figure(), title="逾期事项最多的单位")
figure.add_bar(
    x=top["overdue"].to_list(), y=[label(unit) for unit in top["unit"]], orientation="h", marker_color=STATUS_COLORS["overdue"],
    customdata=top.select("tasks", "chases").to_numpy(),
    hovertemplate="%{y}<br>逾期：%{x} 项<br>牵头事项：%{customdata[0]} 项<br>催办：%{customdata[1]} 次<extra></extra>",
    name="逾期",
)
figure.update_yaxes(autorange="reversed")
figure.update_xaxes(title_text="逾期事项数")
charts.show(figure.update_layout(height=100 + 26 * top.height, showlegend=False))
