"""Opening the ledger file: path resolution, self-applying migrations, the calendar table."""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from etl.workcal import DEFAULT_HOLIDAY_FILE, WorkCalendar

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "ledger.duckdb"
DB_ENV_VAR = "LEDGER_DB"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "sql" / "migrations"

# The calendar table spans the years a ledger can plausibly hold.
CALENDAR_FIRST = date(2000, 1, 1)
CALENDAR_LAST = date(2045, 12, 31)


def resolve_db_path(path: str | Path | None = None) -> Path:
    """--db wins, then $LEDGER_DB, then data/ledger.duckdb."""
    if path:
        return Path(path)
    if os.environ.get(DB_ENV_VAR):
        return Path(os.environ[DB_ENV_VAR])
    return DEFAULT_DB


def open_ledger(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Opens (creating if needed) the ledger and brings its schema up to date."""
    db_path = resolve_db_path(path)
    if read_only:
        return duckdb.connect(str(db_path), read_only=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    migrate(con)
    refresh_calendar(con)
    seed_unit_catalog(con)
    return con


def migrations() -> list[tuple[int, Path]]:
    found = []
    for file in sorted(MIGRATIONS_DIR.glob("*.sql")):
        found.append((int(file.name.split("_", 1)[0]), file))
    return found


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Applies every migration newer than the ledger, each in its own transaction."""
    current = schema_version(con)
    for version, file in migrations():
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(file.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_version VALUES (?, current_timestamp)", [version])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        current = version
    return current


def _calendar_fingerprint(holiday_file: Path) -> str:
    import chinese_calendar

    digest = hashlib.sha256(holiday_file.read_bytes() if holiday_file.exists() else b"")
    digest.update(getattr(chinese_calendar, "__version__", "").encode())
    digest.update(f"{CALENDAR_FIRST}:{CALENDAR_LAST}".encode())
    return digest.hexdigest()


def refresh_calendar(con: duckdb.DuckDBPyConnection, holiday_file: Path = DEFAULT_HOLIDAY_FILE) -> bool:
    """Rebuilds the calendar table when the holiday file (or the library) changed."""
    fingerprint = _calendar_fingerprint(holiday_file)
    stored = con.execute("SELECT value FROM settings WHERE key = 'calendar_fingerprint'").fetchone()
    if stored and stored[0] == fingerprint:
        return False
    calendar = WorkCalendar(holiday_file)
    days = calendar.table(CALENDAR_FIRST, CALENDAR_LAST)
    covered = {year: calendar.covers(year) for year in range(CALENDAR_FIRST.year, CALENDAR_LAST.year + 1)}
    # Read by DuckDB through a replacement scan of this local name.
    calendar_rows = pl.DataFrame(  # noqa: F841
        {"day": [d for d, _ in days], "is_workday": [w for _, w in days]},
        schema={"day": pl.Date, "is_workday": pl.Boolean},
    ).with_columns(
        workday_seq=pl.col("is_workday").cast(pl.Int32).cum_sum(),
        covered=pl.col("day").dt.year().replace_strict(covered, return_dtype=pl.Boolean),
    )
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM calendar")
    con.execute("INSERT INTO calendar SELECT day, is_workday, workday_seq, covered FROM calendar_rows")
    con.execute(
        "INSERT OR REPLACE INTO settings VALUES ('calendar_fingerprint', ?)",
        [fingerprint],
    )
    con.execute("COMMIT")
    return True


def seed_unit_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Every new ledger starts with the shipped list of department names and short forms."""
    if con.execute("SELECT count(*) FROM unit_catalog").fetchone()[0]:
        return
    from etl.units import Catalog

    pairs = Catalog.load().pairs()
    catalog_rows = pl.DataFrame({"alias": [a for a, _ in pairs], "canonical": [c for _, c in pairs]})  # noqa: F841
    con.execute("INSERT OR IGNORE INTO unit_catalog SELECT alias, canonical FROM catalog_rows")


def setting(con: duckdb.DuckDBPyConnection, key: str, default: str) -> str:
    row = con.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def fetch_frame(con: duckdb.DuckDBPyConnection, query: str, params: dict | list | None = None) -> pl.DataFrame:
    """A query's result as a polars DataFrame (through Arrow, no per-row Python).

    Runs on its own cursor: DuckDB refuses new work on a connection that still holds an
    unfinished result, and a cursor per query is also what makes sharing one connection
    across threads safe."""
    cursor = con.cursor()
    try:
        return cursor.sql(query, params=params or {}).pl()
    finally:
        cursor.close()
