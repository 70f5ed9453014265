"""The import history kept by the importer (import_batches, import_files), for the upload page."""

from __future__ import annotations

import duckdb
import polars as pl

from etl import sql
from etl.db import fetch_frame

HISTORY_LIMIT = 200


def batches(con: duckdb.DuckDBPyConnection, limit: int = HISTORY_LIMIT) -> pl.DataFrame:
    """The latest import batches, newest first."""
    return fetch_frame(con, sql.statements("history")["batches"], {"limit": limit})


def batch_files(con: duckdb.DuckDBPyConnection, batch_id: str) -> pl.DataFrame:
    """The files of one batch, with what each created, updated and warned about."""
    return fetch_frame(con, sql.statements("history")["batch_files"], {"batch_id": batch_id})
