"""督查督办台账 — the dashboard's entry point: it routes to the pages and nothing more."""

import streamlit as st

from ui.state import sidebar

st.set_page_config(page_title="督查督办台账", page_icon=":material/fact_check:", layout="wide")
navigation = st.navigation([
    st.Page("pages/overview.py", title="督查总览", icon=":material/dashboard:", default=True),
    st.Page("pages/overdue.py", title="逾期预警", icon=":material/notification_important:"),
    st.Page("pages/rectification.py", title="整改跟踪", icon=":material/build:"),
    st.Page("pages/ledger.py", title="任务台账", icon=":material/table_view:"),
    st.Page("pages/leaders.py", title="领导督办", icon=":material/person:"),
    st.Page("pages/units.py", title="单位排名", icon=":material/leaderboard:"),
    st.Page("pages/upload.py", title="数据导入", icon=":material/upload_file:"),
])
sidebar()
navigation.run()
