"""督查督办台账 — the dashboard's entry point: it routes to the pages and nothing more."""

import streamlit as st

st.set_page_config(page_title="督查督办台账", page_icon="📋", layout="wide")
navigation = st.navigation([st.Page("pages/overview.py", title="督查总览", icon="📊", default=True)])
navigation.run()
