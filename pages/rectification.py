"""整改跟踪: problems found by audits, inspections and supervision (挂账整改), by source kind,
with their measures, deadline and status; the 回头看 (look-backs) due and their results; and
the problems that rebounded after being fixed."""

import polars as pl
import streamlit as st

from ledger import queries as views
from ledger.vocabulary import DONE_STATUSES
from ui import charts, tables
from ui.data import load
from ui.state import current_filters

COLUMNS = [
    "code", "status_label", "problem", "measures", "lead_units", "deadline_text", "due_date", "overdue_workdays",
    "closed_date", "lookback_due", "lookback_date", "lookback_result", "rebounded", "problem_type", "source",
]

filters = current_filters()
st.title("整改跟踪")
st.caption(f"截至 {filters.as_of:%Y年%m月%d日}。审计整改、巡视巡察整改、督查发现问题整改事项；"
           "整改完成后按期“回头看”，防止问题反弹。")

items = load(views.rectifications, filters.as_of, filters)
if items.is_empty():
    st.info("筛选范围内没有整改事项。整改清单可在“数据导入”页导入（来源类型选择审计整改、巡视巡察整改或督查发现问题整改）。")
    st.stop()

done = items.filter(pl.col("status").is_in(list(DONE_STATUSES))).height
pending = items.filter(pl.col("lookback_pending")).height
rebounded = items.filter(pl.col("rebounded")).height
for column, (label, value, help_text) in zip(st.columns(5), [
    ("整改事项", items.height, None),
    ("已完成整改", done, "已办结（销号）的整改事项"),
    ("逾期未整改", items.filter(pl.col("status") == "overdue").height, None),
    ("回头看到期未开展", pending, "回头看时限已到、截至日期尚无回头看记录"),
    ("问题反弹", rebounded, "回头看发现问题反弹的事项"),
], strict=True):
    column.metric(label, value, border=True, help=help_text)

by_kind = items.group_by("source_kind_label", "kind_order", "status").agg(tasks=pl.len()).sort("kind_order")
figure = charts.status_bars(by_kind, "source_kind_label", title="各类整改事项办理状态", category_label="整改类型",
                            horizontal=True)
charts.show(figure.update_layout(height=100 + 60 * by_kind["source_kind_label"].n_unique()))

st.subheader("整改清单")
kinds = items.select("source_kind_label", "kind_order").unique().sort("kind_order")["source_kind_label"].to_list()
for tab, kind in zip(st.tabs([f"{k}（{items.filter(pl.col('source_kind_label') == k).height}）" for k in kinds]),
                     kinds, strict=True):
    with tab:
        tables.show(items.filter(pl.col("source_kind_label") == kind), COLUMNS, key=f"rectification_{kind}")

st.subheader("回头看")
lookbacks = items.filter(pl.col("lookback_due").is_not_null()).sort("lookback_pending", "lookback_due",
                                                                    descending=[True, False])
if lookbacks.is_empty():
    st.caption("尚未安排回头看。")
else:
    st.caption("先列出到期未开展的回头看，再按回头看时限排列。")
    tables.show(lookbacks, ["code", "source_kind_label", "problem", "status_label", "lead_units", "lookback_due",
                            "lookback_date", "lookback_result", "rebounded"], key="rectification_lookbacks")

st.subheader("问题反弹")
again = items.filter(pl.col("rebounded"))
if again.is_empty():
    st.success("没有回头看发现反弹的问题。")
else:
    tables.show(again, ["code", "source_kind_label", "problem", "measures", "status_label", "lead_units",
                        "lookback_date", "lookback_result"], key="rectification_rebounded")
