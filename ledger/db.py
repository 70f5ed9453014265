"""Opening the ledger file: path resolution, self-applying migrations, the calendar table,
and short-lived, lock-coordinated access for several processes sharing one ledger file.

DuckDB lets one process open a file read-write, and then no other process may open it at all;
several processes may open it read-only together. So no process keeps the ledger open longer
than one operation: `ledger_reader` and `ledger_writer` open it under a lock file next to it
(shared for readers, exclusive for writers, waiting up to a timeout) and close it on exit.
A writer bumps `data_version` when it is done, so a long-running reader (the dashboard) can tell
without opening the file whether anything changed.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from ledger.workcal import DEFAULT_HOLIDAY_FILE, WorkCalendar

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


# ---------------------------------------------------------------------------------------
# Private files (issue 12): the ledger holds password hashes. Whatever this process creates
# from the moment it opens a ledger is 0600 (folders 0700): the umask is set once, process-wide,
# before the first file is made; files that already exist are chmod'ed when opened.

PRIVATE_UMASK = 0o077
LEDGER_SUFFIXES = (".wal", ".lock", ".lock.gate", ".version", ".signins.sqlite", ".signins.sqlite-wal",
                   ".signins.sqlite-shm")


def private_umask() -> None:
    """Sets the process umask to 077 (files 0600, folders 0700 from here on)."""
    os.umask(PRIVATE_UMASK)


def make_private(*paths: Path) -> None:
    """chmod 0600 the files that exist and belong to this user (others' files are left alone)."""
    for path in paths:
        try:
            if path.exists() and path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
        except OSError:
            pass


def make_ledger_private(path: str | Path | None = None) -> None:
    """The umask, and 0600 for the ledger and every file beside it that belongs to it."""
    private_umask()
    db_path = resolve_db_path(path)
    make_private(db_path, *(db_path.with_name(db_path.name + suffix) for suffix in LEDGER_SUFFIXES))


def ensure_folder(path: Path) -> None:
    """The ledger's folder, created 0700 if missing (an existing folder is left as it is)."""
    private_umask()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)


def open_ledger(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Opens (creating if needed) the ledger and brings its schema up to date."""
    db_path = resolve_db_path(path)
    if read_only:
        return duckdb.connect(str(db_path), read_only=True)
    ensure_folder(db_path)
    con = duckdb.connect(str(db_path))
    make_ledger_private(db_path)
    try:
        migrate(con)
        refresh_calendar(con)
        refresh_unit_catalog(con)
        sync_vocabulary(con)
    except BaseException:
        con.close()
        raise
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
    calendar_rows = pl.DataFrame(
        {"day": [d for d, _ in days], "is_workday": [w for _, w in days]},
        schema={"day": pl.Date, "is_workday": pl.Boolean},
    ).with_columns(
        workday_seq=pl.col("is_workday").cast(pl.Int32).cum_sum(),
        covered=pl.col("day").dt.year().replace_strict(covered, return_dtype=pl.Boolean),
    )
    con.register("calendar_rows", calendar_rows)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM calendar")
        con.execute("INSERT INTO calendar SELECT day, is_workday, workday_seq, covered FROM calendar_rows")
        con.execute(
            "INSERT OR REPLACE INTO settings VALUES ('calendar_fingerprint', ?)",
            [fingerprint],
        )
        con.execute("COMMIT")
    finally:
        con.unregister("calendar_rows")
    return True


def _file_fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes() if path.exists() else b"").hexdigest()


def refresh_unit_catalog(con: duckdb.DuckDBPyConnection, catalog_file: Path | None = None) -> bool:
    """Re-syncs the unit_catalog table from data/unit_catalog.csv when the file changed since
    the last sync (as refresh_calendar does with the holiday file).

    The CSV is the one source: imports read it (etl.units.Catalog.load), account lookup reads
    this table, so the table is rebuilt whenever the file's bytes differ from the ones it was
    built from. Reading the file (normalising names, refusing contradictions) stays with the
    unit-name rules in etl.units, imported here only when the file changed."""
    from etl import units  # the parsing rules; lazily, so the ledger package does not load etl

    path = Path(catalog_file or units.DEFAULT_CATALOG_FILE)
    fingerprint = _file_fingerprint(path)
    if setting(con, "unit_catalog_fingerprint", "") == fingerprint:
        return False
    pairs = units.Catalog.load(path).pairs() if path.exists() else []
    catalog_rows = pl.DataFrame(
        {"alias": [a for a, _ in pairs], "canonical": [c for _, c in pairs]},
        schema={"alias": pl.String, "canonical": pl.String},
    )
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("catalog_rows", catalog_rows)
        con.execute("DELETE FROM unit_catalog")
        con.execute("INSERT OR IGNORE INTO unit_catalog SELECT alias, canonical FROM catalog_rows")
        con.execute("INSERT OR REPLACE INTO settings VALUES ('unit_catalog_fingerprint', ?)", [fingerprint])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("catalog_rows")
    return True


def sync_vocabulary(con: duckdb.DuckDBPyConnection) -> bool:
    """Makes the source_kinds and roles tables say what ledger.vocabulary says (the Python
    module is the source of truth; see its docstring). Writes only when they differ."""
    from ledger.vocabulary import ROLE_LABELS, SOURCE_KINDS

    tables = {
        "source_kinds": (
            "SELECT kind, label, sort_order, is_meeting, is_rectification FROM source_kinds ORDER BY sort_order",
            [(code, kind.label, order, kind.is_meeting, kind.is_rectification)
             for order, (code, kind) in enumerate(SOURCE_KINDS.items(), start=1)],
        ),
        "roles": (
            "SELECT role, label, sort_order FROM roles ORDER BY sort_order",
            [(role, label, order) for order, (role, label) in enumerate(ROLE_LABELS.items(), start=1)],
        ),
    }
    stale = {table: rows for table, (query, rows) in tables.items() if con.execute(query).fetchall() != rows}
    if not stale:
        return False
    con.execute("BEGIN TRANSACTION")
    try:
        for table, rows in stale.items():
            con.execute(f"DELETE FROM {table}")
            con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True


def is_current(con: duckdb.DuckDBPyConnection, holiday_file: Path = DEFAULT_HOLIDAY_FILE) -> bool:
    """Whether opening a writer would change nothing: every migration applied, the calendar
    built from the current holiday file. Works on a read-only connection."""
    try:
        version = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
        stored = con.execute("SELECT value FROM settings WHERE key = 'calendar_fingerprint'").fetchone()
    except duckdb.CatalogException:
        return False
    latest = max((v for v, _ in migrations()), default=0)
    return version >= latest and stored is not None and stored[0] == _calendar_fingerprint(holiday_file)


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


# ---------------------------------------------------------------------------------------
# Shared access: the lock file, readers and writers, the data version
#
# <ledger>.lock       flock'ed shared by readers, exclusively by writers. flock locks belong to
#                     an open file description, so threads of one process that each open the
#                     file exclude each other too; the kernel drops them when a process dies.
# <ledger>.lock.gate  writers take it exclusively before the lock, readers pass it (shared) on
#                     the way in: a steady stream of readers cannot starve a waiting writer.
# <ledger>.version    a token a writer rewrites (atomically) after it has closed the ledger.

DEFAULT_TIMEOUT = 60.0
LOCK_SUFFIX = ".lock"
GATE_SUFFIX = ".lock.gate"
VERSION_SUFFIX = ".version"
BUSY_MESSAGE = "台账正忙，请稍后重试"

OnWait = Callable[[str], None]


class LedgerBusy(RuntimeError):
    """The ledger stayed locked by other operations for the whole timeout."""

    def __init__(self, message: str = BUSY_MESSAGE, *, waited: float | None = None):
        super().__init__(message)
        self.waited = waited


class LedgerMissing(FileNotFoundError):
    """A reader asked for a ledger file that does not exist (yet)."""

    def __init__(self, path: Path):
        super().__init__(f"台账文件不存在：{path}（请先运行 python -m etl init 建立台账）")
        self.path = path


def sidecar(path: str | Path | None, suffix: str) -> Path:
    db_path = resolve_db_path(path)
    return db_path.with_name(db_path.name + suffix)


def lock_path(path: str | Path | None = None) -> Path:
    return sidecar(path, LOCK_SUFFIX)


def version_path(path: str | Path | None = None) -> Path:
    return sidecar(path, VERSION_SUFFIX)


def wait_message(exclusive: bool, timeout: float) -> str:
    """What a waiting operation tells its user, once."""
    doing = "使用" if exclusive else "写入"
    return f"台账正在被其他操作{doing}，等待中…（最长{timeout:g}秒）"


class Waiter:
    """One operation's patience: a deadline, and one on_wait notice when it first has to wait."""

    def __init__(self, timeout: float, on_wait: OnWait | None, message: str):
        self.timeout = max(0.0, float(timeout))
        self.deadline = time.monotonic() + self.timeout
        self.on_wait = on_wait
        self.message = message
        self.waited = False
        self._delay = 0.005

    def pause(self, cause: BaseException | None = None) -> None:
        """Something is busy: tell once, sleep a little, or raise LedgerBusy past the deadline."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise LedgerBusy(waited=self.timeout) from cause
        if not self.waited:
            self.waited = True
            if self.on_wait is not None:
                self.on_wait(self.message)
        time.sleep(min(self._delay, remaining))
        self._delay = min(self._delay * 2, 0.1)


_held = threading.local()  # realpath -> [mode, depth] of the locks this thread holds


def _held_locks() -> dict[str, list]:
    if not hasattr(_held, "locks"):
        _held.locks = {}
    return _held.locks


def _open_lock_file(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except PermissionError:
        return os.open(path, os.O_RDONLY)  # a reader in a folder it may not write to


def _flock(fd: int, operation: int, waiter: Waiter) -> None:
    while True:
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
            return
        except BlockingIOError as error:
            waiter.pause(error)


@contextmanager
def ledger_lock(path: str | Path | None, *, exclusive: bool, waiter: Waiter) -> Iterator[None]:
    """Holds the ledger's lock (shared or exclusive) for the block.

    A thread already holding the shared lock may take it again (nested readers); any other
    nesting would wait for itself, so it fails at once."""
    db_path = resolve_db_path(path)
    key = os.path.realpath(db_path)
    held = _held_locks()
    if key in held:
        if held[key][0] == "shared" and not exclusive:
            held[key][1] += 1
            try:
                yield
            finally:
                held[key][1] -= 1
            return
        raise RuntimeError(f"this thread already holds the {held[key][0]} ledger lock on {db_path}")
    gate = _open_lock_file(sidecar(db_path, GATE_SUFFIX))
    lock = None
    try:
        lock = _open_lock_file(sidecar(db_path, LOCK_SUFFIX))
        if exclusive:
            _flock(gate, fcntl.LOCK_EX, waiter)
            _flock(lock, fcntl.LOCK_EX, waiter)
        else:
            _flock(gate, fcntl.LOCK_SH, waiter)
            _flock(lock, fcntl.LOCK_SH, waiter)
            fcntl.flock(gate, fcntl.LOCK_UN)
        held[key] = ["exclusive" if exclusive else "shared", 1]
        try:
            yield
        finally:
            del held[key]
    finally:
        if lock is not None:
            os.close(lock)  # closing the descriptor releases its lock
        os.close(gate)


def _is_lock_conflict(error: duckdb.Error) -> bool:
    """DuckDB's own refusal: another process has the file, or this process has it open with
    the other access mode (someone using open_ledger outside these context managers)."""
    text = str(error)
    return "Could not set lock" in text or "different configuration" in text


def connect_waiting(waiter: Waiter, connect: Callable[[], duckdb.DuckDBPyConnection]) -> duckdb.DuckDBPyConnection:
    """connect(), retried while DuckDB refuses because someone outside the lock has the file."""
    while True:
        try:
            return connect()
        except (duckdb.IOException, duckdb.ConnectionException) as error:
            if not _is_lock_conflict(error):
                raise
            waiter.pause(error)


@contextmanager
def ledger_reader(
    path: str | Path | None = None, *, timeout: float = DEFAULT_TIMEOUT, on_wait: OnWait | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection under the shared lock, closed on exit.

    Waits up to `timeout` seconds for a writer to finish (calling on_wait once with a message
    for the user), then raises LedgerBusy. A ledger that does not exist raises LedgerMissing."""
    db_path = resolve_db_path(path)
    if not db_path.exists():
        raise LedgerMissing(db_path)
    make_ledger_private(db_path)
    waiter = Waiter(timeout, on_wait, wait_message(False, timeout))
    with ledger_lock(db_path, exclusive=False, waiter=waiter):
        if not db_path.exists():
            raise LedgerMissing(db_path)
        _bump_after_killed_writer(db_path)
        con = connect_waiting(waiter, lambda: duckdb.connect(str(db_path), read_only=True))
        try:
            yield con
        finally:
            con.close()


@contextmanager
def ledger_writer(
    path: str | Path | None = None, *, timeout: float = DEFAULT_TIMEOUT, on_wait: OnWait | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection (migrated, calendar fresh, unit catalogue and vocabulary in sync: open_ledger) under
    the exclusive lock, creating the ledger if needed.

    On exit the connection is checkpointed and closed, and then, still under the lock, the data
    version is bumped: whatever a reader sees after a new version includes this writer's work.
    Waits and raises like ledger_reader."""
    db_path = resolve_db_path(path)
    ensure_folder(db_path)
    waiter = Waiter(timeout, on_wait, wait_message(True, timeout))
    with ledger_lock(db_path, exclusive=True, waiter=waiter):
        con = connect_waiting(waiter, lambda: open_ledger(db_path))
        try:
            try:
                yield con
            except BaseException:
                con.close()  # an open transaction is rolled back
                raise
            checkpoint(con)
            con.close()
            make_ledger_private(db_path)  # a .wal DuckDB created during the write
        finally:
            # Also after a failure: anything committed before it must reach the readers.
            bump_data_version(db_path)


def checkpoint(con: duckdb.DuckDBPyConnection) -> bool:
    """Merges the write-ahead log into the file; False when DuckDB declined (close retries)."""
    try:
        con.execute("CHECKPOINT")
        return True
    except duckdb.Error:
        return False


def data_version(path: str | Path | None = None) -> str:
    """A token that changes whenever a writer has finished with the ledger; "" before the first.

    Cheap (one small file read, the ledger is not opened): key caches on it, and read it
    before reading the data the cache will hold."""
    try:
        return version_path(path).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return ""


def _bump_after_killed_writer(db_path: Path) -> None:
    """A writer closes the ledger with a checkpoint, which removes the write-ahead log, and
    then bumps the version. A log newer than the version file, seen under the shared lock
    (no writer inside), is a writer killed after its commit: what it committed is in the log
    and readers replay it, so the caches keyed on the version must go."""
    wal = db_path.with_name(db_path.name + ".wal")
    version = version_path(db_path)
    try:
        written = wal.stat().st_mtime_ns
    except FileNotFoundError:
        return
    if not version.exists() or written > version.stat().st_mtime_ns:
        bump_data_version(db_path)


def bump_data_version(path: str | Path | None = None) -> str:
    """Rewrites the version file atomically with a fresh token; returns it."""
    target = version_path(path)
    token = f"{time.time_ns():x}-{uuid.uuid4().hex[:12]}"
    temp = target.with_name(f"{target.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(token)
    os.replace(temp, target)
    return token
