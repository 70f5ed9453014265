"""逾期预警, laid out for chasing. By lead unit (the default): a header per unit — 逾期 n, 临期 m,
催办 so far and the last one — with, for the office, 催办 (every red item of the unit, recorded
through ledger.supervision) and its 催办单 (Word, Excel: ledger.documents); then the unit's items:
deadline, days late in calendar days beside working days, leader, last progress, chases. By
responsible leader or not at all: the red and amber lists. Excel download of either list."""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl
import streamlit as st

from ledger import documents, supervision
from ledger import queries as views
from ledger.access import AccessDenied, can
from ledger.actions import ActionError
from ledger.db import LedgerBusy
from ledger.vocabulary import CHASE_WAYS
from ui import state, tables
from ui.auth import signed_in_user
from ui.data import due_soon_workdays, fresh, load
from ui.export import to_excel
from ui.safe import md
from ui.state import current_filters

ROW_LIMIT = 2000           # rows drawn per list; the download has them all
EXPORT_LIMIT = 1_000_000
UNITS_PER_PAGE = 20        # unit sections drawn at once
GROUPINGS = {"按牵头单位": "unit", "按责任领导": "leader", "不分组": "none"}
COLUMNS = [
    "group_name", "code", "overdue_days", "overdue_workdays", "workdays_left", "content", "lead_units", "co_units",
    "leader", "deadline_text", "due_date", "last_progress", "last_progress_date", "chases", "source",
]
# A unit's items under its header: the unit is in the header, not in every row. The widths
# (pixels) keep the table within a 1440 px screen beside the sidebar (TABLE_WIDTH, checked by
# tests/test_browser_office.py); 督办事项 takes what the others leave, the 办结申请 column
# (ui/tables.py adds it when a claim waits for 核查) included.
UNIT_COLUMNS = ["code", "content", "deadline_text", "lateness", "leader", "last_progress", "chases"]
TABLE_WIDTH = 1030
UNIT_WIDTHS = {"code": 104, "claim_label": 150, "deadline_text": 112, "lateness": 164, "leader": 64,
               "last_progress": 196, "chases": 64}
# The Excel list of every unit's items: all the columns, the unit in each row.
UNIT_EXPORT = ["group_name", "code", "status_label", "content", "deadline_text", "due_date", "overdue_days",
               "overdue_workdays", "workdays_left", "leader", "last_progress", "last_progress_date", "chases",
               "co_units", "source"]
DONE_KEY = "overdue_chase_done"   # the message of the last 催办, shown once after the rerun
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

filters = current_filters()
viewer = signed_in_user()
may_chase = can(viewer, "chase")
today = date.today()
st.title("逾期预警")
soon = due_soon_workdays()
st.caption(f"截至 {filters.as_of:%Y年%m月%d日}。红色：已过完成时限仍未办结；黄色：{soon} 个工作日内到期。"
           "长期事项按其报送周期的下次报送日期判断。逾期按自然日和工作日两种口径列出。")
if done := st.session_state.pop(DONE_KEY, None):
    st.success(done, icon=":material/check_circle:")

grouping_label = st.radio("分组方式", list(GROUPINGS), horizontal=True, key="overdue_group_by")
group_by = GROUPINGS[grouping_label]


def unit_key(unit: str) -> str:
    """A widget key for a unit's section: stable while the list around it changes."""
    return hashlib.sha1(unit.encode("utf-8")).hexdigest()[:12]


def with_chases(rows: pl.DataFrame, chases: pl.DataFrame) -> pl.DataFrame:
    """Adds the calendar days late beside the working days, and the 催办 count of each task."""
    per_task = chases.group_by("code").agg(pl.len().cast(pl.Int64).alias("chases"))
    return rows.join(per_task, on="code", how="left").with_columns(
        pl.col("chases").fill_null(0),
        overdue_days=pl.when(pl.col("status") == "overdue")
        .then((pl.lit(filters.as_of) - pl.col("due_date")).dt.total_days())
        .otherwise(pl.lit(0)),
    )


def day_text(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m-%d").fill_null("")


# --------------------------------------------------------------------------- 按牵头单位


def chase(unit: str, way: str, note: str, on: date) -> None:
    """催办 of every red item of the unit, as the signed-in account."""
    try:
        with state.writing() as con:
            codes = supervision.chase_unit(con, viewer, unit, way, note=note, on=on)
    except (ActionError, AccessDenied, LedgerBusy) as refused:
        st.error(md(refused))
        return
    state.data_changed()
    st.session_state[DONE_KEY] = f"已{way}催办{md(unit)}的逾期事项 {len(codes)} 项：{md('、'.join(codes))}。"
    st.rerun()


def notice(unit: str, kind: str) -> bytes:
    """The unit's 催办单 as of the sidebar's date, as Word or Excel."""
    with state.reading() as con:
        filled = supervision.chase_notice(con, viewer, unit, filters.as_of)
    return documents.notice_docx(filled) if kind == "docx" else documents.notice_xlsx(filled)


def unit_header(unit: str, group: dict, acts: dict) -> None:
    key = unit_key(unit)
    head, actions = st.columns([3, 2], vertical_alignment="center")
    with head:
        st.markdown(f"#### {md(unit)}")
        chased = (f"已催办 {acts['acts']} 次，最近一次 {acts['last']:%Y-%m-%d}" if acts
                  else "尚未催办")
        st.markdown(f":red-badge[逾期 {group['overdue']} 项] :orange-badge[临期 {group['due_soon']} 项] "
                    f":gray-badge[{chased}]")
    if not may_chase:
        return
    with actions:
        chase_column, word_column, excel_column = st.columns(3)
        if group["overdue"]:
            with chase_column.popover("催办", icon=":material/campaign:", width="stretch"):
                with st.form(f"overdue_chase_{key}", border=False):
                    st.caption(f"对{md(unit)}牵头的全部逾期事项逐项记录催办（不受左侧来源、领导筛选的限制），"
                               "记入各事项的办理记录和操作日志。")
                    way = st.radio("催办方式", list(CHASE_WAYS.values()), horizontal=True, key=f"overdue_way_{key}")
                    on = st.date_input("催办日期", value=min(filters.as_of, today), max_value=today,
                                       format="YYYY-MM-DD", key=f"overdue_on_{key}")
                    note = st.text_area("催办说明", key=f"overdue_note_{key}", height=80,
                                        placeholder="如：电话督促分管负责同志，要求三个工作日内书面反馈进展")
                    submitted = st.form_submit_button("确认催办", type="primary", key=f"overdue_chase_submit_{key}")
                if submitted:
                    chase(unit, way, note, on)
        stamp = f"{filters.as_of:%Y%m%d}"
        word_column.download_button(
            "催办单", data=lambda: notice(unit, "docx"), file_name=f"催办单_{unit}_{stamp}.docx", mime=DOCX,
            on_click="ignore", key=f"overdue_docx_{key}", icon=":material/description:", width="stretch",
            help="Word 文档：该单位的逾期、临期事项，附反馈时限",
        )
        excel_column.download_button(
            "Excel", data=lambda: notice(unit, "xlsx"), file_name=f"催办单_{unit}_{stamp}.xlsx", mime=XLSX,
            on_click="ignore", key=f"overdue_xlsx_{key}", icon=":material/table_view:", width="stretch",
            help="催办单的 Excel 版本",
        )


def unit_items(rows: pl.DataFrame) -> pl.DataFrame:
    """A unit's rows as the table under its header: lateness in words (calendar days beside
    working days), the last progress after its date."""
    return rows.with_columns(
        lateness=pl.when(pl.col("status") == "overdue")
        .then(pl.format("逾期 {} 天 / {} 个工作日", pl.col("overdue_days"), pl.col("overdue_workdays")))
        .otherwise(pl.format("临期，剩余 {} 个工作日", pl.col("workdays_left"))),
        last_progress=pl.when(pl.col("last_progress").is_null()).then(pl.lit("尚未报送进展"))
        .otherwise(pl.format("{}：{}", day_text("last_progress_date"), pl.col("last_progress"))),
    )


def widths(items: pl.DataFrame) -> dict[str, int]:
    claims = "claim_pending" in items.columns and items["claim_pending"].any()
    fixed = {name: width for name, width in UNIT_WIDTHS.items() if name != "claim_label" or claims}
    return {**fixed, "content": max(180, TABLE_WIDTH - sum(fixed.values()))}


def by_unit() -> None:
    groups = load(views.alert_groups, filters.as_of, filters, group_by="unit")
    if groups.is_empty():
        st.success("截至该日期没有逾期或临期事项。")
        return
    chases = load(views.chases, filters.as_of)
    acts = {
        row["unit"]: row for row in chases.group_by("unit").agg(
            acts=pl.col("act").n_unique(), last=pl.col("chased_on").max()).iter_rows(named=True)
    }
    rows = with_chases(pl.concat([
        load(views.alerts, filters.as_of, filters, status=status, group_by="unit", limit=ROW_LIMIT)
        for status in ("overdue", "due_soon")
    ], how="vertical_relaxed"), chases)
    names = groups["group_name"].to_list()
    if len(names) > UNITS_PER_PAGE:
        pages = [f"第 {start + 1}–{min(start + UNITS_PER_PAGE, len(names))} 个单位"
                 for start in range(0, len(names), UNITS_PER_PAGE)]
        shown = st.segmented_control(f"共 {len(names)} 个单位有逾期或临期事项", pages, default=pages[0],
                                     key="overdue_unit_page", required=True) or pages[0]
        start = pages.index(shown) * UNITS_PER_PAGE
        names = names[start:start + UNITS_PER_PAGE]
    by_name = {row["group_name"]: row for row in groups.iter_rows(named=True)}
    for unit in names:
        with st.container(border=True, key=f"overdue_unit_{unit_key(unit)}"):
            unit_header(unit, by_name[unit], acts.get(unit))
            items = unit_items(rows.filter(pl.col("group_name") == unit).sort(
                "status", "overdue_workdays", "overdue_days", "workdays_left", "code",
                descending=[True, True, True, False, False]))   # 逾期 before 临期 ('overdue' > 'due_soon')
            if items.is_empty():
                st.caption(f"前 {ROW_LIMIT} 行之外，完整名单请下载 Excel。")
                continue
            tables.show(items, UNIT_COLUMNS, key=f"overdue_items_{unit_key(unit)}",
                        height=min(38 + 35 * items.height, 420), widths=widths(items))

    def workbook() -> bytes:
        full = with_chases(pl.concat([
            fresh(views.alerts, filters.as_of, filters, status=status, group_by="unit", limit=EXPORT_LIMIT,
                  viewer=viewer) for status in ("overdue", "due_soon")
        ], how="vertical_relaxed"), fresh(views.chases, filters.as_of, viewer=viewer))
        full = views.with_status_labels(full).rename({"group_name": "unit"})
        return to_excel(tables.chinese(full, ["unit" if c == "group_name" else c for c in UNIT_EXPORT]), "逾期临期事项")

    st.download_button(
        "下载各单位逾期、临期清单（Excel）", data=workbook, file_name=f"逾期临期事项_{filters.as_of:%Y%m%d}.xlsx",
        mime=XLSX, on_click="ignore", key="overdue_download_units", icon=":material/download:",
    )


# --------------------------------------------------------------------------- 按责任领导 / 不分组


def draw(status: str, label: str) -> None:
    rows = load(views.alerts, filters.as_of, filters, status=status, group_by=group_by, limit=ROW_LIMIT)
    if rows.is_empty():
        st.success(f"截至该日期没有{label}事项。")
        return
    rows = with_chases(rows, load(views.chases, filters.as_of)).with_columns(
        last_progress_date=day_text("last_progress_date"))
    hidden = {"workdays_left"} if status == "overdue" else {"overdue_workdays", "overdue_days"}
    shown = [c for c in COLUMNS if c not in hidden]
    if group_by == "none":
        shown.remove("group_name")
    else:
        rows = rows.drop("leader").rename({"group_name": "leader"})
        shown = ["leader" if c == "group_name" else c for c in shown if c != "leader"]
    if rows.height >= ROW_LIMIT:
        st.caption(f"表中列出前 {ROW_LIMIT} 行，完整名单请下载 Excel。")
    tables.show(rows, shown, key=f"overdue_list_{status}", height=min(38 + 35 * rows.height, 640))

    def workbook() -> bytes:
        full = fresh(views.alerts, filters.as_of, filters, status=status, group_by=group_by, limit=EXPORT_LIMIT,
                     viewer=viewer)
        full = with_chases(full, fresh(views.chases, filters.as_of, viewer=viewer))
        if group_by == "leader":
            full = full.drop("leader").rename({"group_name": "leader"})
        return to_excel(tables.chinese(full, shown), f"{label}事项")

    st.download_button(
        f"下载{label}清单（Excel）", data=workbook, file_name=f"{label}事项_{filters.as_of:%Y%m%d}.xlsx",
        mime=XLSX, on_click="ignore", key=f"overdue_download_{status}", icon=":material/download:",
    )


counts = load(views.status_counts, filters.as_of, filters)
if group_by == "unit":
    st.markdown(f":red[:material/error: 逾期 {counts['overdue']} 项]　:orange[:material/schedule: 临期 "
                f"{counts['due_soon']} 项]")
    by_unit()
else:
    if group_by == "leader":
        groups = load(views.alert_groups, filters.as_of, filters, group_by="leader")
        if not groups.is_empty():
            with st.expander("各领导逾期、临期项数", expanded=False):
                tables.show(groups.rename({"group_name": "leader"}),
                            ["leader", "overdue", "due_soon", "max_overdue_workdays"], key="overdue_groups")
    red, amber = st.tabs([f":red[:material/error: 逾期（{counts['overdue']}）]",
                          f":orange[:material/schedule: 临期（{counts['due_soon']}）]"])
    with red:
        draw("overdue", "逾期")
    with amber:
        draw("due_soon", "临期")
