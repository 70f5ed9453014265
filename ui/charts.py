"""Plotly charts in the dashboard's style: Chinese labels and hover text, CJK font,
status colours from ui.palette, sized for a laptop."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from ledger.vocabulary import STATUS_LABELS
from ui.palette import CHART_HEIGHT, FONT_FAMILY, STATUS_COLORS
from ui.safe import label as chart_label


def style(fig: go.Figure, *, title: str | None = None, height: int = CHART_HEIGHT) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xref": "paper", "y": 0.98, "yref": "container", "yanchor": "top",
               "font": {"size": 15}} if title else None,
        font={"family": FONT_FAMILY, "size": 12},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        height=height,
        margin={"l": 10, "r": 10, "t": 80 if title else 30, "b": 10},
        # The legend sits in one row between the title and the plot.
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0, "title": None,
                "traceorder": "normal"},
    )
    return fig


def show(fig: go.Figure, key: str | None = None) -> None:
    st.plotly_chart(fig, width="stretch", key=key, config={"displaylogo": False, "locale": "zh-CN"})


def status_bars(
    frame: pl.DataFrame, category: str, *, title: str, category_label: str, horizontal: bool = False
) -> go.Figure:
    """Stacked bars of `tasks` per `category`, one segment per status, in display order; the
    category names escaped (ui/safe.py), since Plotly reads HTML in labels."""
    categories = frame[category].unique(maintain_order=True).to_list()
    fig = go.Figure()
    for status, label in STATUS_LABELS.items():
        part = frame.filter(pl.col("status") == status)
        if part.is_empty():
            continue
        counts = dict(zip(part[category].to_list(), part["tasks"].to_list(), strict=True))
        values = [counts.get(c, 0) for c in categories]
        names = [chart_label(c) for c in categories]
        fig.add_trace(go.Bar(
            name=label,
            x=values if horizontal else names,
            y=names if horizontal else values,
            orientation="h" if horizontal else "v",
            marker_color=STATUS_COLORS[status],
            hovertemplate=f"{category_label}：%{{{'y' if horizontal else 'x'}}}<br>{label}：%{{{'x' if horizontal else 'y'}}} 项<extra></extra>",
        ))
    fig.update_layout(barmode="stack")
    if horizontal:
        fig.update_yaxes(autorange="reversed")
    return style(fig, title=title)


def unit_status_bars(unit_status: pl.DataFrame, *, limit: int = 25) -> go.Figure:
    """牵头单位 × 办理状态 as stacked horizontal bars, one segment per status in its own colour
    (red only for 逾期): the `limit` units with the most overdue items (then the most items),
    the worst on top. unit_status: unit, status, tasks."""
    totals = (
        unit_status.group_by("unit")
        .agg(pl.col("tasks").sum(), overdue=pl.col("tasks").filter(pl.col("status") == "overdue").sum())
        .sort(["overdue", "tasks", "unit"], descending=[True, True, False])
        .head(limit)
    )
    order = pl.DataFrame({"unit": totals["unit"], "order": range(totals.height)})
    shown = unit_status.join(order, on="unit").sort("order")
    title = "牵头单位 × 办理状态" + (f"（逾期最多的 {limit} 个单位）" if totals.height == limit else "")
    fig = status_bars(shown, "unit", title=title, category_label="牵头单位", horizontal=True)
    fig.update_xaxes(title_text="事项数")
    return fig.update_layout(height=max(320, 26 * totals.height + 110))
