"""督查总览 (placeholder until the dashboard issue lands): counts per status as of today."""

from datetime import date

import streamlit as st

from etl.db import open_ledger
from etl.ledger import STATUS_LABELS, status_counts

st.title("督查总览")
as_of = st.date_input("截至日期", value=date.today(), key="as_of")
con = open_ledger(read_only=True)
counts = status_counts(con, as_of)
con.close()
st.metric("督办事项总数", sum(counts.values()))
columns = st.columns(len(STATUS_LABELS))
for column, (status, label) in zip(columns, STATUS_LABELS.items()):
    column.metric(label, counts[status])
