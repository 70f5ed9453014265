"""任务台账: every task, searchable across code, content, units, source and leader, with a
status filter; the detail of one task — its source, milestones and what happened to it
(交办, 进展, 批示, 延期, 核查, 办结) and what the user may do to it (办理); Excel download of the
filtered ledger."""

from datetime import date

import streamlit as st

from ledger import queries as views
from ledger.vocabulary import NO_LEAD_UNIT_LABEL, STATUS_LABELS
from ui import minutes_review, tables, task_actions
from ui.auth import signed_in_user
from ui.data import fresh, load
from ui.export import to_excel
from ui.palette import STATUS_BADGES
from ui.safe import clean, md
from ui.state import current_filters

ROW_LIMIT = 1000           # rows drawn; the download has them all
EXPORT_LIMIT = 1_000_000
COLUMNS = [
    "code", "status_label", "source_kind_label", "source", "item", "content", "deadline_text", "due_date",
    "lead_units", "co_units", "leader", "overdue_workdays", "assigned_date", "closed_date", "last_report_date",
]

filters = current_filters()
viewer = signed_in_user()
st.title("任务台账")

search_column, status_column = st.columns([3, 2])
query = search_column.text_input(
    "搜索", key="ledger_query", placeholder="督办编号、事项内容、牵头或配合单位、来源、责任领导、完成时限……",
    help="不区分大小写，按输入的文字原样查找",
)
statuses = status_column.multiselect(
    "状态", list(STATUS_LABELS), key="ledger_statuses", format_func=STATUS_LABELS.get, placeholder="全部状态",
)

rows = load(views.ledger, filters.as_of, filters, query=query, statuses=tuple(statuses), limit=ROW_LIMIT)
matches = rows["matches"][0] if rows.height else 0
st.caption(f"截至 {filters.as_of:%Y年%m月%d日}，共 {matches:,} 项"
           + (f"，表中列出按督办编号排序的前 {ROW_LIMIT} 项，完整台账请下载 Excel" if matches > ROW_LIMIT else "")
           + "。点选一行查看详情。")
if rows.is_empty():
    st.info("没有符合条件的督办事项。")
    st.stop()

picked = tables.show(rows, COLUMNS, key="ledger_table", on_select="rerun", selection_mode="single-row", height=420)


def workbook() -> bytes:
    full = fresh(views.ledger, filters.as_of, filters, query=query, statuses=tuple(statuses), limit=EXPORT_LIMIT,
                 viewer=viewer)
    # Issue 9: what the import flagged and the list's own columns it kept, as the last two columns.
    notes = fresh(views.import_notes, viewer=viewer).rename({"import_flags": "导入提示", "kept_columns": "其他列"})
    sheet = tables.chinese(full, COLUMNS).with_columns(full.select("code").join(
        notes, on="code", how="left", maintain_order="left").drop("code").fill_null("").get_columns())
    return to_excel(sheet, "任务台账")


st.download_button(
    "下载任务台账（Excel）", data=workbook, file_name=f"督查任务台账_{filters.as_of:%Y%m%d}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
    key="ledger_download", icon=":material/download:",
)

st.divider()
st.subheader("事项详情")
selected_rows = picked.selection.rows if picked is not None else []
code_column, _ = st.columns([1, 3])
typed = code_column.text_input("督办编号", key="ledger_code", placeholder="输入督办编号，或在上表中点选一行").strip()
code = typed or (rows["code"][selected_rows[0]] if selected_rows else None)
if not code:
    st.caption("在上表中点选一行，或输入督办编号。")
    st.stop()

detail = load(views.task_detail, filters.as_of, code)
task = detail["task"]
if task.is_empty():
    st.warning(f"截至该日期台账中没有督办编号为“{md(code)}”的事项。")
    st.stop()
info = task.row(0, named=True)

st.markdown(f"#### {md(info['code'])} :{STATUS_BADGES[info['status']]}-badge[{info['status_label']}]")
st.text(clean(info["content"]))
left, middle, right = st.columns(3)
with left:
    st.markdown("**来源**")
    st.text(clean("\n".join(line for line in [
        f"来源类型：{info['source_kind_label']}",
        f"来源：{info['source']}",
        f"来源日期：{info['source_date']:%Y-%m-%d}",
        f"会次/文号：{info['source_number']}" if info["source_number"] else "",
        f"批示/交办领导：{info['source_leader']}" if info["source_leader"] else "",
        f"序号：{info['item']}",
        f"类别：{info['category']}" if info["category"] else "",
    ] if line)))
with middle:
    st.markdown("**责任**")
    st.text(clean("\n".join([
        f"牵头单位：{info['lead_units'] or NO_LEAD_UNIT_LABEL}",
        f"配合单位：{info['co_units'] or '—'}",
        # Every leader the list named, in order and as written (副区长王海、张伟).
        f"责任领导：{'、'.join(info['leaders']) or '—'}",
        f"交办日期：{info['assigned_date']:%Y-%m-%d}",
    ])))
with right:
    st.markdown("**时限与状态**")
    lines = [f"状态：{info['status_label']}", f"完成时限：{info['deadline_text']}"]
    if info["due_date"]:
        lines.append(f"时限日期：{info['due_date']:%Y-%m-%d}")
    if info["original_deadline"] and info["due_date"] and info["original_deadline"] != info["due_date"]:
        lines.append(f"原定时限：{info['original_deadline']:%Y-%m-%d}（已批准延期）")
    if info["deadline_kind"] != "date" and info["check_date"]:
        lines.append(f"下次报送：{info['check_date']:%Y-%m-%d}")
    if info["overdue_days"]:
        lines.append(f"逾期：{info['overdue_days']} 天（{info['overdue_workdays']} 个工作日）")
    if info["closed_date"]:
        lines.append(f"办结日期：{info['closed_date']:%Y-%m-%d}")
    if info["deadline_note"]:
        lines.append(f"说明：{info['deadline_note']}")
    st.text(clean("\n".join(lines)))

# Minutes and 批示: the paragraph the task was read from, its sentence highlighted.
minutes_review.render_source(fresh(minutes_review.source_text, info["task_id"]))

# Issue 9: what the import could not read or had to assume, and the list's own columns kept.
flags = detail.get("flags")
if flags is not None and not flags.is_empty():
    st.markdown("**导入提示（请核对）**")
    tables.show(flags.rename({"label": "flag_label", "column_name": "flag_column", "text": "flag_text",
                              "excel_row": "flag_row"}),
                ["flag_label", "flag_text", "flag_column", "flag_row"], key="ledger_flags")
kept = detail.get("kept_columns")
if kept is not None and not kept.is_empty():
    st.markdown("**清单中的其他列**")
    st.text(clean("\n".join(f"{name}：{value}" for name, value in kept.iter_rows())))

milestones = detail["milestones"]
if not milestones.is_empty():
    st.markdown("**时间节点**")
    tables.show(milestones, ["seq", "text", "deadline", "finished", "status_label"], key="ledger_milestones")

st.markdown("**办理过程**")
timeline = detail["timeline"]
if timeline.is_empty():
    st.caption("截至该日期没有办理记录。")
else:
    tables.show(timeline, ["day", "event", "detail", "who"], key="ledger_timeline")

st.markdown("**办理**")
task_actions.panel(viewer, info, date.today())
