"""领导督办: for each leader, the items they are responsible for, the items from their own
批示 and 交办, and the units they are in charge of (分管), with overdue counts, 催办 and
按期办结率 in both deadline views with the counts behind it."""

import polars as pl
import streamlit as st

from ledger import queries as views
from ui import rates, tables
from ui.data import load
from ui.safe import clean
from ui.state import current_filters

ROW_LIMIT = 1000
TASK_COLUMNS = ["code", "status_label", "source", "content", "deadline_text", "due_date", "lead_units",
                "overdue_workdays", "chases", "closed_date"]
UNIT_RATE = "按期办结率（批准时限）"
UNIT_RATE_ORIGINAL = "按期办结率（原定时限）"
UNIT_COLUMNS = ["unit", "tasks", "overdue", "due_soon", "done", UNIT_RATE, UNIT_RATE_ORIGINAL, "chases", "通报/约谈",
                "平均办结天数", "extensions"]
# Per link: what its tasks are called in the summary, and the word that heads its other columns.
LINKS = {"responsible": ("责任事项", "责任事项"), "issued": ("批示交办事项", "批示交办"),
         "unit": ("分管单位牵头事项", "分管单位")}


def summary_table(summary: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Per leader and link: tasks, overdue, 催办, the rate in both views as text with its counts."""
    columns = {"leader": "领导", "title": "职务"}
    shown = summary
    for prefix, (tasks, word) in LINKS.items():
        texts = rates.text_columns(summary, f"{prefix}_")
        approved, original = f"{word}按期办结率（批准时限）", f"{word}按期办结率（原定时限）"
        shown = shown.with_columns(pl.Series(approved, texts["approved"]), pl.Series(original, texts["original"]))
        if prefix == "unit":
            columns["units_in_charge"] = "分管单位数"
        columns |= {f"{prefix}_tasks": tasks, f"{prefix}_overdue": f"{word}逾期", approved: approved,
                    original: original, f"{prefix}_chases": f"{word}催办次数"}
    shown = shown.select(list(columns)).rename({k: v for k, v in columns.items() if k != v})
    return shown, list(columns.values())


filters = current_filters()
st.title("领导督办")
st.caption(f"截至 {filters.as_of:%Y年%m月%d日}。责任事项：由该领导负责的督办事项；批示交办：来自该领导批示、交办的事项；"
           "分管单位：该领导分管的单位牵头的事项。左侧“责任领导”筛选决定列出哪些领导。")

summary = load(views.leader_summary, filters.as_of, filters)
if summary.is_empty():
    st.info("筛选范围内没有领导的督办事项。领导名单和单位分管关系可在“数据导入”页导入。")
    st.stop()

summary_shown, summary_columns = summary_table(summary)
tables.show(summary_shown, summary_columns, key="leaders_summary")
st.caption("按期办结率后括号内为 按期办结数/(已办结数+逾期未办结数)。" + rates.DEFINITION)

st.divider()
names = summary["leader"].to_list()
leader = st.selectbox("查看领导", names, key="leaders_pick", format_func=clean)
row = summary.row(names.index(leader), named=True)


def rate(value: float | None) -> str:
    return rates.NOTHING_DUE if value is None else f"{value:.1%}"


for column, (label, value, help_text) in zip(st.columns(5), [
    ("责任事项", f"{row['responsible_tasks']:,}", None),
    ("其中逾期", f"{row['responsible_overdue']:,}", None),
    ("按期办结率", rate(row["responsible_on_time_rate"]), "责任事项，按批准延期后的时限；" + rates.DEFINITION),
    ("催办次数", f"{row['responsible_chases']:,}", "截至日期对责任事项的催办次数"),
    ("批示交办事项", f"{row['issued_tasks']:,}", "来自该领导批示、交办的督办事项"),
], strict=True):
    column.metric(label, value, border=True, help=help_text)
st.caption("责任事项 " + rates.formula(row["responsible_on_time_approved"], row["responsible_done"],
                                     row["responsible_late_open_approved"])
           + "（按批准延期后的时限）；按原定时限："
           + rates.formula(row["responsible_on_time_original"], row["responsible_done"],
                           row["responsible_late_open_original"]).removeprefix("按期办结率 = "))

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
        texts = rates.text_columns(units)
        units = units.with_columns(
            pl.Series(UNIT_RATE, texts["approved"]), pl.Series(UNIT_RATE_ORIGINAL, texts["original"]),
            pl.Series("平均办结天数", rates.number_text(units["avg_days_to_close"])),
        ).rename({"notices": "通报/约谈"})
        tables.show(units.sort(pl.col("overdue"), descending=True), UNIT_COLUMNS, key="leaders_units")
