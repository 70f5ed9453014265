"""操作日志 (督查室 only): the audit trail — imports, edits, lifecycle actions, account changes,
logins and failed logins — narrowed by day, who, what and text; Excel download."""

from datetime import date, timedelta

import polars as pl
import streamlit as st

from ledger import history
from ledger.access import can
from ui import state, tables
from ui.auth import signed_in_user
from ui.export import to_excel
from ui.safe import clean

# What the page shows of an entry: people by name, codes in words (ledger.history labels them).
HEADERS = {
    "logged_at": "时间", "actor_label": "操作人", "action_label": "操作", "entity_label": "对象类型",
    "object_label": "对象", "field_label": "字段", "before_label": "修改前", "after_label": "修改后",
    "batch_id": "导入批次", "client": "来源地址", "note_label": "备注",
}

user = signed_in_user()
st.title("操作日志")
if not can(user, "read_audit"):
    st.error("只有督查室账号可以查看操作日志。")
    st.stop()
st.caption("台账的每一次导入、修改、办结、延期审批、账号变更、登录和登录失败都记在这里，只增不改。"
           "登录记录另存于台账旁的登录记录文件，在此一并列出；“恢复前的记录”是恢复备份时从被替换的台账中带过来的记录。")

with state.reading() as con:
    choices = history.audit_choices(con, user)
today = date.today()
days_column, actor_column, action_column, text_column = st.columns([2, 1, 2, 2])
picked_days = days_column.date_input(
    "日期范围", value=(today - timedelta(days=30), today), key="audit_days", format="YYYY-MM-DD",
)
since, until = (picked_days if len(picked_days) == 2 else (picked_days[0], picked_days[0]))
actor = actor_column.selectbox("操作人", ["", *choices["actor"]], key="audit_actor",
                               format_func=lambda name: clean(choices["actor"].get(name, "全部")))
actions = action_column.multiselect("操作", list(choices["action"]), key="audit_actions", placeholder="全部操作",
                                    format_func=choices["action"].get)
text = text_column.text_input("查找", key="audit_text", placeholder="督办编号、姓名、内容……")

with state.reading() as con:
    entries = history.audit_entries(con, user, since, until, actor=actor, actions=tuple(actions), text=text)
shown = entries.with_columns(
    pl.col("logged_at").dt.strftime("%Y-%m-%d %H:%M:%S"), pl.col("batch_id").fill_null(""),
    pl.col("client").fill_null(""),
).select(list(HEADERS)).rename(HEADERS)

st.caption(f"{since:%Y-%m-%d} 至 {until:%Y-%m-%d}，共 {entries.height:,} 条"
           + (f"（最多列出 {history.AUDIT_LIMIT} 条，请缩小范围）" if entries.height >= history.AUDIT_LIMIT else ""))
if shown.is_empty():
    st.info("没有符合条件的记录。")
    st.stop()
tables.plain(shown, key="audit_table", height=560)
st.download_button(
    "下载操作日志（Excel）", data=to_excel(shown, "操作日志"), file_name=f"操作日志_{since:%Y%m%d}-{until:%Y%m%d}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
    key="audit_download", icon=":material/download:",
)
