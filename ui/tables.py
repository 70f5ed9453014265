"""Tables in the office's words: column names in Chinese, status with its colour mark."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ledger.vocabulary import CLAIM_PENDING_LABEL, NO_LEAD_UNIT_LABEL, STATUS_LABELS
from ui.palette import STATUS_COLORS
from ui.safe import frame as clean_frame

COLUMN_LABELS: dict[str, str] = {
    "group_name": "分组",
    "code": "督办编号",
    "source_kind_label": "来源类型",
    "source": "来源",
    "source_date": "来源日期",
    "item": "序号",
    "category": "类别",
    "content": "督办事项",
    "status_label": "状态",
    "deadline_text": "完成时限",
    "due_date": "时限日期",
    "lead_units": "牵头单位",
    "co_units": "配合单位",
    "leader": "责任领导",
    "overdue_workdays": "逾期工作日",
    "overdue_days": "逾期天数",        # calendar days, beside the working days
    "lateness": "逾期或剩余",          # 逾期 n 天 / m 个工作日, or 剩余 m 个工作日
    "chases": "催办次数",
    "claim_label": "办结申请",          # 已申请办结（待核查）beside the status: claimed is not done
    "workdays_left": "剩余工作日",
    "last_progress": "最新进展",
    "last_progress_date": "进展日期",
    "assigned_date": "交办日期",
    "closed_date": "办结日期",
    "last_report_date": "最近报送日期",
    "problem_type": "问题类型",
    "problem": "问题",
    "measures": "整改措施",
    "lookback_due": "回头看时限",
    "lookback_date": "回头看日期",
    "lookback_result": "回头看结果",
    "rebounded": "是否反弹",
    "unit": "单位",
    "unit_kind": "单位类型",
    "leader_in_charge": "分管领导",
    "tasks": "牵头事项",
    "co_tasks": "配合事项",
    **STATUS_LABELS,  # count columns named after their status
    "done": "已办结",
    "on_time_rate": "按期办结率",
    "overdue_rate": "逾期率",
    "avg_days_to_close": "平均办结天数",
    "avg_workdays_to_close": "平均办结工作日",
    "extensions": "延期申请",
    "max_overdue_workdays": "最长逾期工作日",
    "leader_name": "领导",
    "title": "职务",
    "responsible_tasks": "责任事项",
    "responsible_overdue": "责任事项逾期",
    "responsible_due_soon": "责任事项临期",
    "responsible_done": "责任事项已办结",
    "responsible_on_time_rate": "责任事项按期办结率",
    "issued_tasks": "批示交办事项",
    "issued_overdue": "批示交办逾期",
    "issued_on_time_rate": "批示交办按期办结率",
    "units_in_charge": "分管单位数",
    "unit_tasks": "分管单位牵头事项",
    "unit_overdue": "分管单位逾期",
    "unit_on_time_rate": "分管单位按期办结率",
    "seq": "序号",
    "text": "节点",
    "deadline": "节点时限",
    "finished": "完成日期",
    "day": "日期",
    "event": "事项",
    "detail": "内容",
    "who": "经办",
    # import flags on a task's detail (issue 9)
    "flag_label": "提示类型",
    "flag_text": "内容",
    "flag_column": "所在列",
    "flag_row": "所在行",
}

_RATE_COLUMNS = {name for name, label in COLUMN_LABELS.items() if label.endswith("率")}
_DAY_COLUMNS = {"avg_days_to_close", "avg_workdays_to_close"}
# Status chips take the status colour, light enough to read the label on it.
_STATUS_COLUMN = {
    "options": list(STATUS_LABELS.values()),
    "color": [f"{STATUS_COLORS[code]}40" for code in STATUS_LABELS],
}


def chinese(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The columns asked for, in that order, under their Chinese names (for Excel)."""
    present = [c for c in columns if c in frame.columns]
    if "claim_pending" in frame.columns and "claim_label" not in present and frame["claim_pending"].any():
        # A completion claim waiting for 核查 shows on every list that carries claim_pending,
        # next to the status (or the code), never as a status of its own.
        frame = frame.with_columns(claim_label=pl.when(pl.col("claim_pending")).then(pl.lit(CLAIM_PENDING_LABEL))
                                   .otherwise(pl.lit("")))
        after = next((c for c in ("status_label", "code") if c in present), None)
        present.insert(present.index(after) + 1 if after else len(present), "claim_label")
    # An empty text cell (no co-units, no progress yet) shows blank, not "None".
    selected = frame.select(present).with_columns(pl.col(pl.String).fill_null(""))
    if "lead_units" in selected.columns:
        # A task imported without a lead unit (issue 9) says so wherever its lead unit shows.
        lead = pl.col("lead_units")
        if selected.schema["lead_units"] == pl.String:
            selected = selected.with_columns(pl.when(lead == "").then(pl.lit(NO_LEAD_UNIT_LABEL)).otherwise(lead).alias("lead_units"))
        elif isinstance(selected.schema["lead_units"], pl.List):
            selected = selected.with_columns(pl.when(lead.is_null() | (lead.list.len() == 0))
                                             .then(pl.lit([NO_LEAD_UNIT_LABEL])).otherwise(lead).alias("lead_units"))
    if "rebounded" in selected.columns:
        selected = selected.with_columns(
            pl.when(pl.col("rebounded")).then(pl.lit("是")).otherwise(pl.lit("否")).alias("rebounded")
        )
    return selected.rename({c: COLUMN_LABELS.get(c, c) for c in present})


_RATE_LABELS = {COLUMN_LABELS[name] for name in _RATE_COLUMNS}


def _blank_missing(table: pl.DataFrame, config: dict) -> pl.DataFrame:
    """A missing text, date or figure shows as an empty cell, never as "None" (st.dataframe's
    word for a null): a date or figure column with one becomes text, written as its format
    would have written it."""
    for label, dtype in table.schema.items():
        if not (dtype in (pl.Date, pl.String) or dtype.is_numeric()) or not table[label].null_count():
            continue
        column = pl.col(label)
        if dtype == pl.String:
            text = column
        elif dtype == pl.Date:
            text = column.dt.strftime("%Y-%m-%d")
        elif label in _RATE_LABELS:
            text = pl.format("{}%", (column * 100).round(1))
        elif dtype.is_float():
            text = column.round(1).cast(pl.String)
        else:
            text = column.cast(pl.String)
        table = table.with_columns(text.fill_null("").alias(label))
        config.pop(label, None)
    return table


def show(frame: pl.DataFrame, columns: list[str], *, key: str | None = None, height: int | str = "auto",
         widths: dict[str, int | str] | None = None, **kwargs):
    """st.dataframe of the columns asked for, in Chinese, statuses as coloured chips; cells as
    text without control or bidi characters (ui/safe.py). `widths`: a column's width in pixels
    or "small"/"medium"/"large", where a page must fit a screen."""
    table = clean_frame(chinese(frame, columns))
    config = {}
    status = COLUMN_LABELS["status_label"]
    if status in table.columns:
        table = table.with_columns(pl.concat_list(pl.col(status)).alias(status))
        config[status] = st.column_config.MultiselectColumn(status, **_STATUS_COLUMN)
    for name in columns:
        label = COLUMN_LABELS.get(name, name)
        if name in frame.columns and frame.schema[name] == pl.Date:
            config[label] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif name in _RATE_COLUMNS:
            config[label] = st.column_config.NumberColumn(label, format="percent")
        elif name in _DAY_COLUMNS:
            config[label] = st.column_config.NumberColumn(label, format="%.1f")
        elif name in ("content", "problem", "measures", "last_progress", "detail"):
            config[label] = st.column_config.TextColumn(label, width="large")
    table = _blank_missing(table, config)
    for name, width in (widths or {}).items():
        label = COLUMN_LABELS.get(name, name)
        if label in config:
            config[label]["width"] = width
        elif label in table.columns:
            config[label] = st.column_config.Column(label, width=width)
    return st.dataframe(table, hide_index=True, column_config=config, key=key, height=height, **kwargs)


def plain(frame: pl.DataFrame, *, key: str | None = None, **kwargs):
    """st.dataframe of a table already in Chinese (import reports, the audit trail): cells as
    text without control or bidi characters, missing values blank."""
    return st.dataframe(_blank_missing(clean_frame(frame), {}), hide_index=True, key=key, **kwargs)
