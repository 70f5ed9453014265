"""督查督办台账 — the dashboard's entry point: sign-in, then the pages the user's role may open."""

import streamlit as st

from ledger.access import can
from ui import auth, state

st.set_page_config(page_title="督查督办台账", page_icon=":material/fact_check:", layout="wide")
state.prepare()
user = auth.current_user()
if user is None:
    st.navigation([st.Page(auth.login_page, title="登录", icon=":material/login:", url_path="login")]).run()
    st.stop()

pages = [
    st.Page("pages/overview.py", title="督查总览", icon=":material/dashboard:", default=True),
    st.Page("pages/overdue.py", title="逾期预警", icon=":material/notification_important:"),
    st.Page("pages/rectification.py", title="整改跟踪", icon=":material/build:"),
    st.Page("pages/ledger.py", title="任务台账", icon=":material/table_view:"),
]
if user.role != "unit":
    pages += [
        st.Page("pages/leaders.py", title="领导督办", icon=":material/person:"),
        st.Page("pages/units.py", title="单位排名", icon=":material/leaderboard:"),
    ]
if can(user, "import"):
    pages.append(st.Page("pages/upload.py", title="数据导入", icon=":material/upload_file:"))
if can(user, "read_audit"):
    pages.append(st.Page("pages/audit.py", title="操作日志", icon=":material/history:"))
navigation = st.navigation(pages)
auth.account_box(user)
state.sidebar(user)
navigation.run()
