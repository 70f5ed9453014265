"""单位排名: per unit, the items it leads and co-handles, how many are overdue, 按期办结率,
the average time to close and the extensions it asked for — sortable, with how each figure
is computed."""

import plotly.graph_objects as go
import streamlit as st

from ledger import queries as views
from ui import charts, tables
from ui.data import load
from ui.export import to_excel
from ui.palette import STATUS_COLORS
from ui.safe import label
from ui.state import current_filters

COLUMNS = [
    "unit", "tasks", "overdue", "on_time_rate", "avg_days_to_close", "extensions", "due_soon", "on_track",
    "long_term", "done_on_time", "done_late", "overdue_rate", "avg_workdays_to_close", "co_tasks", "unit_kind",
    "leader_in_charge",
]

filters = current_filters()
st.title("单位排名")
st.caption(f"截至 {filters.as_of:%Y年%m月%d日}。默认按逾期事项数排列，点击列名可按该列排序。")

ranking = load(views.unit_ranking, filters.as_of, filters)
if ranking.is_empty():
    st.info("筛选范围内没有牵头单位的督办事项。")
    st.stop()

tables.show(ranking, COLUMNS, key="units_table", height=min(38 + 35 * ranking.height, 560))
st.download_button(
    "下载单位排名（Excel）", data=lambda: to_excel(tables.chinese(ranking, COLUMNS), "单位排名"),
    file_name=f"单位排名_{filters.as_of:%Y%m%d}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
    key="units_download", icon=":material/download:",
)

with st.expander("指标说明"):
    st.markdown(
        """
- **牵头事项**：截至日期已交办、该单位为牵头单位的督办事项数（一项有多个牵头单位时，每个单位各计一项）。
- **配合事项**：该单位为配合单位的督办事项数。
- **逾期 / 临期 / 正常推进 / 长期/持续 / 按期办结 / 逾期办结**：牵头事项截至日期的状态。逾期：已过完成时限
  （批准延期的，以延期后的时限为准）仍未办结；临期：距完成时限不超过设定的工作日数；长期事项有报送周期的，
  按下次报送日期判断是否逾期。
- **按期办结率** = 按期办结 ÷ 已办结（按期办结 + 逾期办结）；没有已办结事项时不计算。
- **逾期率** = 逾期 ÷ 牵头事项。
- **平均办结天数**：已办结事项从交办日期（来源日期）到办结日期的自然日数的平均值；**平均办结工作日**按法定
  工作日（含调休）计算。
- **延期申请**：截至日期前，该单位牵头事项提出的延期申请次数（不论是否批准）。
"""
    )

top = ranking.head(15)
figure = charts.style(go.Figure(), title="逾期事项最多的单位")
figure.add_bar(
    x=top["overdue"].to_list(), y=[label(unit) for unit in top["unit"]], orientation="h", marker_color=STATUS_COLORS["overdue"],
    customdata=top.select("tasks", "on_time_rate").to_numpy(),
    hovertemplate="%{y}<br>逾期：%{x} 项<br>牵头事项：%{customdata[0]} 项<extra></extra>",
    name="逾期",
)
figure.update_yaxes(autorange="reversed")
figure.update_xaxes(title_text="逾期事项数")
charts.show(figure.update_layout(height=100 + 26 * top.height, showlegend=False))
