"""Colours and type of the dashboard: one colour per status, the same on every page."""

from __future__ import annotations

# Keyed by status code (ledger.vocabulary.STATUS_LABELS): red for 逾期, amber for 临期, green for
# 正常推进, blue for 按期办结, grey-blue for 逾期办结, purple for 长期/持续, grey for 已撤销.
STATUS_COLORS: dict[str, str] = {
    "overdue": "#D62728",
    "due_soon": "#F2A900",
    "on_track": "#2CA02C",
    "long_term": "#8E6BBF",
    "undated": "#C77C48",   # 未明确时限: brown, apart from every dated status
    "done_on_time": "#1F77B4",
    "done_late": "#7A8FA6",
    "cancelled": "#A0A0A0",
}

# Streamlit's Markdown colours nearest to STATUS_COLORS, for badges (:red-badge[逾期]).
STATUS_BADGES: dict[str, str] = {
    "overdue": "red",
    "due_soon": "orange",
    "on_track": "green",
    "long_term": "violet",
    "undated": "yellow",
    "done_on_time": "blue",
    "done_late": "gray",
    "cancelled": "gray",
}

# Chinese text in charts: the Noto CJK font first, then what Windows and macOS offices have.
FONT_FAMILY = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'

# A laptop screen: charts of this height sit two to a row above the fold.
CHART_HEIGHT = 360
