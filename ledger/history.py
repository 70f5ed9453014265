"""What the ledger remembers about its own changes, for the 督查室 only: the import history
(import_batches, import_files) and the audit trail (audit_log, append-only)."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from ledger import sql
from ledger.access import User, require
from ledger.db import fetch_frame

HISTORY_LIMIT = 200
AUDIT_LIMIT = 5000

# The audit log's action codes in the office's words (unknown codes show as written).
ACTION_LABELS = {
    "create": "新增", "update": "修改", "close": "办结", "missing_in_file": "清单中缺失",
    "login": "登录", "login_failed": "登录失败", "locked": "账号锁定", "logout": "退出登录",
    "restore": "恢复备份",
}


def batches(con: duckdb.DuckDBPyConnection, viewer: User, limit: int = HISTORY_LIMIT) -> pl.DataFrame:
    """The latest import batches, newest first."""
    require(viewer, "read_imports")
    return fetch_frame(con, sql.statements("history")["batches"], {"limit": limit})


def batch_files(con: duckdb.DuckDBPyConnection, viewer: User, batch_id: str) -> pl.DataFrame:
    """The files of one batch, with what each created, updated and warned about."""
    require(viewer, "read_imports")
    return fetch_frame(con, sql.statements("history")["batch_files"], {"batch_id": batch_id})


def audit_entries(
    con: duckdb.DuckDBPyConnection,
    viewer: User,
    since: date,
    until: date,
    actor: str = "",
    actions: tuple[str, ...] = (),
    text: str = "",
    limit: int = AUDIT_LIMIT,
) -> pl.DataFrame:
    """Audit entries logged on days since..until (inclusive), newest first."""
    require(viewer, "read_audit")
    params = {"since": since, "until": until, "actor": actor, "actions": list(actions), "text": text.strip(),
              "limit": limit}
    return fetch_frame(con, sql.statements("history")["audit"], params)


def audit_choices(con: duckdb.DuckDBPyConnection, viewer: User) -> dict[str, list[str]]:
    """The actors and actions the audit log holds, for the page's filters."""
    require(viewer, "read_audit")
    frame = fetch_frame(con, sql.statements("history")["audit_choices"])
    return {kind: frame.filter(pl.col("kind") == kind)["value"].to_list() for kind in ("actor", "action")}
