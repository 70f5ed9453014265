"""逾期预警: the red list (逾期) and the amber list (临期), the longest overdue first, grouped
by lead unit or by responsible leader, each with its last progress report; Excel download."""

import streamlit as st

from ledger import queries as views
from ui import tables
from ui.auth import signed_in_user
from ui.data import due_soon_workdays, fresh, load
from ui.export import to_excel
from ui.state import current_filters

ROW_LIMIT = 2000           # rows drawn per list; the download has them all
EXPORT_LIMIT = 1_000_000
GROUPINGS = {"按牵头单位": "unit", "按责任领导": "leader", "不分组": "none"}
COLUMNS = [
    "group_name", "code", "overdue_workdays", "workdays_left", "content", "lead_units", "co_units", "leader",
    "deadline_text", "due_date", "last_progress", "last_progress_date", "source",
]

filters = current_filters()
viewer = signed_in_user()
st.title("逾期预警")
soon = due_soon_workdays()
st.caption(f"截至 {filters.as_of:%Y年%m月%d日}。红色：已过完成时限仍未办结；黄色：{soon} 个工作日内到期。"
           "长期事项按其报送周期的下次报送日期判断。")

grouping_label = st.radio("分组方式", list(GROUPINGS), horizontal=True, key="overdue_group_by")
group_by = GROUPINGS[grouping_label]

if group_by != "none":
    groups = load(views.alert_groups, filters.as_of, filters, group_by=group_by)
    if not groups.is_empty():
        with st.expander(f"各{'单位' if group_by == 'unit' else '领导'}逾期、临期项数", expanded=False):
            tables.show(groups.rename({"group_name": "unit" if group_by == "unit" else "leader"}),
                        ["unit" if group_by == "unit" else "leader", "overdue", "due_soon", "max_overdue_workdays"],
                        key="overdue_groups")



def draw(status: str, label: str) -> None:
    rows = load(views.alerts, filters.as_of, filters, status=status, group_by=group_by, limit=ROW_LIMIT)
    if rows.is_empty():
        st.success(f"截至该日期没有{label}事项。")
        return
    shown = [c for c in COLUMNS if c != ("workdays_left" if status == "overdue" else "overdue_workdays")]
    if group_by == "none":
        shown.remove("group_name")
    elif group_by == "unit":
        rows, shown = rows.rename({"group_name": "unit"}), ["unit" if c == "group_name" else c for c in shown]
    else:
        rows = rows.drop("leader").rename({"group_name": "leader"})
        shown = ["leader" if c == "group_name" else c for c in shown if c != "leader"]
    if rows.height >= ROW_LIMIT:
        st.caption(f"表中列出前 {ROW_LIMIT} 行，完整名单请下载 Excel。")
    tables.show(rows, shown, key=f"overdue_list_{status}", height=min(38 + 35 * rows.height, 640))

    def workbook() -> bytes:
        full = fresh(views.alerts, filters.as_of, filters, status=status, group_by=group_by, limit=EXPORT_LIMIT,
                     viewer=viewer)
        if group_by == "unit":
            full = full.rename({"group_name": "unit"})
        elif group_by == "leader":
            full = full.drop("leader").rename({"group_name": "leader"})
        return to_excel(tables.chinese(full, shown), f"{label}事项")

    st.download_button(
        f"下载{label}清单（Excel）", data=workbook, file_name=f"{label}事项_{filters.as_of:%Y%m%d}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
        key=f"overdue_download_{status}", icon=":material/download:",
    )


counts = load(views.status_counts, filters.as_of, filters)
red, amber = st.tabs([f":red[:material/error: 逾期（{counts['overdue']}）]",
                      f":orange[:material/schedule: 临期（{counts['due_soon']}）]"])
with red:
    draw("overdue", "逾期")
with amber:
    draw("due_soon", "临期")
