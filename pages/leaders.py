"""领导督办: for each leader, the items they are responsible for, the items from their own
批示 and 交办, and the units they are in charge of (分管), with overdue counts and 按期办结率."""

import polars as pl
import streamlit as st

from ledger import queries as views
from ui import tables
from ui.data import load
from ui.safe import clean
from ui.state import current_filters

ROW_LIMIT = 1000
TASK_COLUMNS = ["code", "status_label", "source", "content", "deadline_text", "due_date", "lead_units",
                "overdue_workdays", "closed_date"]
UNIT_COLUMNS = ["unit", "tasks", "overdue", "due_soon", "done", "on_time_rate", "avg_days_to_close", "extensions"]

filters = current_filters()
st.title("领导督办")
st.caption(f"截至 {filters.as_of:%Y年%m月%d日}。责任事项：由该领导负责的督办事项；批示交办：来自该领导批示、交办的事项；"
           "分管单位：该领导分管的单位牵头的事项。左侧“责任领导”筛选决定列出哪些领导。")

summary = load(views.leader_summary, filters.as_of, filters)
if summary.is_empty():
    st.info("筛选范围内没有领导的督办事项。领导名单和单位分管关系可在“数据导入”页导入。")
    st.stop()

tables.show(summary.rename({"leader": "leader_name"}), [
    "leader_name", "title", "responsible_tasks", "responsible_overdue", "responsible_due_soon", "responsible_on_time_rate",
    "issued_tasks", "issued_overdue", "issued_on_time_rate", "units_in_charge", "unit_tasks", "unit_overdue",
    "unit_on_time_rate",
], key="leaders_summary")

st.divider()
names = summary["leader"].to_list()
leader = st.selectbox("查看领导", names, key="leaders_pick", format_func=clean)
row = summary.row(names.index(leader), named=True)


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


for column, (label, value, help_text) in zip(st.columns(4), [
    ("责任事项", f"{row['responsible_tasks']:,}", None),
    ("其中逾期", f"{row['responsible_overdue']:,}", None),
    ("按期办结率", rate(row["responsible_on_time_rate"]), "责任事项中按期办结 / 已办结"),
    ("批示交办事项", f"{row['issued_tasks']:,}", "来自该领导批示、交办的督办事项"),
], strict=True):
    column.metric(label, value, border=True, help=help_text)

responsible_tab, issued_tab, units_tab = st.tabs([
    f"责任事项（{row['responsible_tasks']}）", f"批示交办事项（{row['issued_tasks']}）",
    f"分管单位（{row['units_in_charge']}）",
])
for tab, role, empty in ((responsible_tab, "responsible", "没有由该领导负责的事项。"),
                         (issued_tab, "issued", "没有来自该领导批示、交办的事项。")):
    with tab:
        tasks = load(views.leader_tasks, filters.as_of, filters, leader, role=role, limit=ROW_LIMIT)
        if tasks.is_empty():
            st.caption(empty)
            continue
        if tasks["matches"][0] > ROW_LIMIT:
            st.caption(f"共 {tasks['matches'][0]:,} 项，列出逾期最久的前 {ROW_LIMIT} 项。")
        tables.show(tasks, TASK_COLUMNS, key=f"leaders_{role}")
with units_tab:
    units = load(views.unit_ranking, filters.as_of, filters, in_charge_of=leader)
    if units.is_empty():
        st.caption("该领导分管的单位在筛选范围内没有牵头事项，或尚未登记分管单位。")
    else:
        tables.show(units.sort(pl.col("overdue"), descending=True), UNIT_COLUMNS, key="leaders_units")
