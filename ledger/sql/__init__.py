"""The ledger's SQL: one runnable statement per .sql file below this folder (migrations apart),
and the one runner that executes them.

A query file holds exactly one statement that DuckDB can run on its own: the relations that
several queries share (task status, the tasks a viewer may see, ...) are defined once in the
database by a migration, never spliced in as text. The runner passes a statement exactly the
named parameters it uses, as DuckDB's own parser reports them (comments and strings never
count), and says which are missing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import polars as pl

SQL_DIR = Path(__file__).resolve().parent


class MissingParameter(KeyError):
    """A statement names a parameter the caller did not pass."""


@cache
def statement(name: str, folder: Path = SQL_DIR) -> duckdb.Statement:
    """The statement in FOLDER/NAME.sql, parsed once; a file with more or fewer than one
    statement is a programming error."""
    text = (folder / f"{name}.sql").read_text(encoding="utf-8")
    parsed = duckdb.extract_statements(text)
    if len(parsed) != 1:
        raise ValueError(f"{folder / name}.sql holds {len(parsed)} statements; a query file holds exactly one")
    return parsed[0]


def bind(name: str, params: dict, folder: Path = SQL_DIR) -> tuple[duckdb.Statement, dict]:
    """The statement and the subset of params it names; MissingParameter if any is absent."""
    parsed = statement(name, folder)
    wanted = parsed.named_parameters
    missing = wanted - params.keys()
    if missing:
        raise MissingParameter(f"{name}.sql needs {', '.join(sorted(missing))}")
    return parsed, {key: params[key] for key in wanted}


def execute(con: duckdb.DuckDBPyConnection, name: str, /, folder: Path = SQL_DIR, **params) -> duckdb.DuckDBPyConnection:
    """Runs NAME.sql on con (inside the caller's transaction, if any) and returns con."""
    parsed, bound = bind(name, params, folder)
    return con.execute(parsed.query, bound)


def frame(con: duckdb.DuckDBPyConnection, name: str, /, folder: Path = SQL_DIR, **params) -> pl.DataFrame:
    """NAME.sql's result as a polars DataFrame, through Arrow, on a cursor of its own (a cursor
    per query is what makes one connection safe to share across threads)."""
    parsed, bound = bind(name, params, folder)
    cursor = con.cursor()
    try:
        return cursor.sql(parsed.query, params=bound).pl()
    finally:
        cursor.close()


def rows(con: duckdb.DuckDBPyConnection, name: str, /, folder: Path = SQL_DIR, **params) -> list[tuple]:
    return execute(con, name, folder=folder, **params).fetchall()


def one(con: duckdb.DuckDBPyConnection, name: str, /, folder: Path = SQL_DIR, **params) -> tuple | None:
    return execute(con, name, folder=folder, **params).fetchone()
