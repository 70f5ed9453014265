"""按期办结率 as the pages show it: always with the counts behind it, in both deadline views, and
never as "None" when nothing was due. The rule itself is SQL (migrations/015_rates_and_queues.sql)."""

from __future__ import annotations

import polars as pl

# The two deadline views, as the pages name them.
VIEWS: dict[str, str] = {"approved": "按批准延期后的时限", "original": "按原定时限"}
NOTHING_DUE = "—"

DEFINITION = (
    "按期办结率 = 按期办结 ÷ (已办结 + 逾期未办结)，截至所选日期计算。已办结：已办结销号的事项；逾期未办结：已过完成时限"
    "仍未办结的事项（长期事项漏报也算）。“按批准延期后的时限”以批准的延期时限为准，“按原定时限”以交办时的时限为准；"
    "逾期后才申请、由督查室登记为“逾期后补办”的延期，两种口径都计为逾期。没有应办结事项时不计算（显示“—”）。"
)


def rate_text(on_time: int, done: int, late_open: int) -> str:
    """42.6%（69/162）: the rate and its numerator and denominator; "—" when nothing was due."""
    due = done + late_open
    if not due:
        return NOTHING_DUE
    return f"{on_time / due:.1%}（{on_time}/{due}）"


def formula(on_time: int, done: int, late_open: int) -> str:
    """按期办结率 = 按期办结 69 ÷ (已办结 91 + 逾期未办结 71) = 42.6%"""
    due = done + late_open
    value = f"{on_time / due:.1%}" if due else "无应办结事项，不计算"
    return f"按期办结率 = 按期办结 {on_time} ÷ (已办结 {done} + 逾期未办结 {late_open}) = {value}"


def text_columns(frame: pl.DataFrame, prefix: str = "") -> dict[str, pl.Series]:
    """For each view, the rate as text from the frame's `{prefix}on_time_{view}`, `{prefix}done`
    and `{prefix}late_open_{view}` count columns, keyed by view."""
    return {
        view: pl.Series([
            rate_text(on_time, done, late)
            for on_time, done, late in zip(frame[f"{prefix}on_time_{view}"], frame[f"{prefix}done"],
                                           frame[f"{prefix}late_open_{view}"], strict=True)
        ], dtype=pl.String)
        for view in VIEWS
    }


def number_text(values: pl.Series, digits: int = 1) -> pl.Series:
    """Averages and other figures that may be missing, as text: "—" instead of None."""
    return pl.Series([NOTHING_DUE if v is None else f"{v:.{digits}f}" for v in values.to_list()], dtype=pl.String)
