"""Reading the ledger: statuses as of a date, task listings. Every figure is computed in
DuckDB from the SQL in ledger/sql/, for the as-of date asked."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from ledger import sql
from ledger.db import fetch_frame, setting

# The statuses in display order, with the office's words.
STATUS_LABELS: dict[str, str] = {
    "overdue": "逾期",
    "due_soon": "临期",
    "on_track": "正常推进",
    "long_term": "长期/持续",
    "done_on_time": "按期办结",
    "done_late": "逾期办结",
    "cancelled": "已撤销",
}
DONE_STATUSES = ("done_on_time", "done_late")


def due_soon_workdays(con: duckdb.DuckDBPyConnection) -> int:
    return int(setting(con, "due_soon_workdays", "5"))


def _params(con: duckdb.DuckDBPyConnection, as_of: date, soon: int | None) -> dict:
    return {"as_of": as_of, "soon": due_soon_workdays(con) if soon is None else soon}


def task_status_sql() -> str:
    return sql.query("task_status").replace("{approved_extensions}", sql.query("approved_extensions"))


def task_list_sql() -> str:
    return sql.query("task_list").replace("{task_status}", task_status_sql())


def status_counts(con: duckdb.DuckDBPyConnection, as_of: date, soon: int | None = None) -> dict[str, int]:
    """Tasks per status as of a date; every status present, zero when none."""
    rows = con.execute(
        f"SELECT status, count(*) FROM ({task_status_sql()}) GROUP BY status", _params(con, as_of, soon)
    ).fetchall()
    counts = dict.fromkeys(STATUS_LABELS, 0)
    counts.update(dict(rows))
    return counts


def task_list(con: duckdb.DuckDBPyConnection, as_of: date, soon: int | None = None) -> pl.DataFrame:
    return fetch_frame(con, task_list_sql(), _params(con, as_of, soon))


def milestone_list(con: duckdb.DuckDBPyConnection, as_of: date, soon: int | None = None) -> pl.DataFrame:
    return fetch_frame(
        con, f"SELECT * FROM ({sql.query('milestone_status')}) ORDER BY task_id, seq", _params(con, as_of, soon)
    )
