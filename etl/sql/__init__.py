"""The import's SQL: one statement per file in etl/sql/import, run through the ledger's one
runner (ledger.sql) on the import's connection, inside its transaction.

The statements read the frames the importer registers by name (`con.register`), never
Python variables; each file's header comment names the frames it reads.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from ledger import sql

IMPORT_SQL = Path(__file__).resolve().parent / "import"


def execute(con: duckdb.DuckDBPyConnection, name: str, /, **params) -> duckdb.DuckDBPyConnection:
    return sql.execute(con, name, folder=IMPORT_SQL, **params)


def frame(con: duckdb.DuckDBPyConnection, name: str, /, **params) -> pl.DataFrame:
    """The result as polars, on con itself: a cursor would see neither the import's
    uncommitted writes nor its registered frames."""
    parsed, bound = sql.bind(name, params, IMPORT_SQL)
    return con.sql(parsed.query, params=bound).pl()


def rows(con: duckdb.DuckDBPyConnection, name: str, /, **params) -> list[tuple]:
    return execute(con, name, **params).fetchall()


def one(con: duckdb.DuckDBPyConnection, name: str, /, **params) -> tuple | None:
    """The first row. The result is read to its end: DuckDB refuses to register a frame on a
    connection whose last result is still pending."""
    found = rows(con, name, **params)
    return found[0] if found else None
