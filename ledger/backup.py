"""Backup and restore of the ledger file, safe while other processes (the dashboard) use it.

Backup: under the ledger's shared lock no writer that takes the lock can run, and the read-only
connection held meanwhile makes DuckDB refuse any other process that would open the file
read-write; so the ledger file and its write-ahead log (left only by a writer that was killed)
cannot change while they are copied byte for byte. That pair is the exact state every reader
sees. The copy is then opened on its own and checkpointed into one self-contained file, checked
table by table (row count and a hash over every row) against the ledger as read under the
lock, flushed to disk, and only then given its name.

Restore: the backup is validated (a ledger: schema_version, tasks, audit_log, ...; not from a
newer program), copied the same way into a temporary file beside the ledger, brought up to the
current schema, and the restore is written to its audit log. Under the exclusive lock the old
ledger is checkpointed and kept as <ledger>.before-restore-<timestamp> (a hard link, so it is
never missing), and the new file takes the ledger's name with os.replace: a reader sees either
the old ledger or the restored one, and a crash at any point loses neither.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ledger.db import (
    DEFAULT_TIMEOUT,
    LedgerMissing,
    OnWait,
    Waiter,
    bump_data_version,
    checkpoint,
    connect_waiting,
    ledger_lock,
    ledger_reader,
    migrations,
    open_ledger,
    resolve_db_path,
    wait_message,
)

# Tables whose absence means a file is not a ledger at all.
REQUIRED_TABLES = ("schema_version", "settings", "sources", "tasks", "units", "audit_log")


class BackupError(RuntimeError):
    """A backup or restore refused or failed; the message is for the user."""


@dataclass(frozen=True)
class BackupResult:
    dest: Path
    tables: int
    rows: int


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    source: Path
    replaced: Path | None   # where the previous ledger was kept
    tables: int
    rows: int


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def table_names(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of every base table of the connection's database."""
    return con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND NOT temporary ORDER BY ALL"
    ).fetchall()


def fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Per table: row count and the sum of every row's hash (order-free, reads every value)."""
    result = {}
    for schema, table in table_names(con):
        name = f"{_quote(schema)}.{_quote(table)}"
        count, digest = con.execute(f"SELECT count(*), coalesce(sum(hash(ledger_row)), 0) FROM {name} AS ledger_row").fetchone()
        result[f"{schema}.{table}"] = (int(count), int(digest))
    return result


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def validate_ledger(con: duckdb.DuckDBPyConnection, origin: Path) -> int:
    """The schema version of a file that must be a ledger this program can use."""
    present = {table for schema, table in table_names(con) if schema == "main"}
    missing = [t for t in REQUIRED_TABLES if t not in present]
    if missing:
        raise BackupError(f"{origin} 不是台账文件：缺少表 {'、'.join(missing)}")
    version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    latest = max(v for v, _ in migrations())
    if version is None or version < 1:
        raise BackupError(f"{origin} 不是完整的台账文件：没有结构版本记录")
    if version > latest:
        raise BackupError(f"{origin} 来自更新版本的程序（结构版本 {version}，本程序只支持到 {latest}），无法恢复")
    return version


# ---------------------------------------------------------------------------------------
# Backup


def backup(
    path: str | Path | None,
    dest: str | Path,
    *,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    on_wait: OnWait | None = None,
) -> BackupResult:
    """Writes a consistent, self-contained copy of the ledger to `dest`.

    Waits (like ledger_reader) while a writer works; refuses to overwrite `dest` unless forced."""
    db_path = resolve_db_path(path)
    dest = Path(dest)
    if not db_path.exists():
        raise LedgerMissing(db_path)
    if dest.exists() and _same_file(dest, db_path):
        raise BackupError("备份文件不能是台账本身")
    if not force and dest.exists():
        raise BackupError(f"备份文件已存在：{dest}（如要覆盖，请加 --force）")
    if not force and wal_path(dest).exists():
        raise BackupError(f"备份位置有遗留的日志文件：{wal_path(dest)}（如要覆盖，请加 --force）")
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_beside(dest, "backup")
    try:
        with ledger_reader(db_path, timeout=timeout, on_wait=on_wait) as con:
            _copy_database(db_path, temp)
            expected = fingerprints(con)
        _settle(temp)
        _verify(temp, expected, db_path)
        _fsync(temp)
        _place(temp, dest, force)
    finally:
        _discard(temp)
    return BackupResult(dest=dest, tables=len(expected), rows=sum(n for n, _ in expected.values()))


def _place(temp: Path, dest: Path, force: bool) -> None:
    if force:
        _remove_if_present(wal_path(dest))  # it belongs to the file being overwritten
        os.replace(temp, dest)
    else:
        try:
            os.link(temp, dest)  # fails, atomically, if dest appeared meanwhile
        except FileExistsError as error:
            raise BackupError(f"备份文件已存在：{dest}（如要覆盖，请加 --force）") from error
        except OSError:  # a file system without hard links
            if dest.exists():
                raise BackupError(f"备份文件已存在：{dest}（如要覆盖，请加 --force）") from None
            os.replace(temp, dest)
    _fsync_dir(dest.parent)


# ---------------------------------------------------------------------------------------
# Restore


def restore(
    src: str | Path,
    path: str | Path | None = None,
    *,
    actor: str = "cli",
    timeout: float = DEFAULT_TIMEOUT,
    on_wait: OnWait | None = None,
) -> RestoreResult:
    """Replaces the ledger by the backup `src`; the replaced file is kept beside it."""
    source = Path(src)
    db_path = resolve_db_path(path)
    if not source.is_file():
        raise BackupError(f"备份文件不存在：{source}")
    if db_path.exists() and _same_file(source, db_path):
        raise BackupError("不能用台账本身来恢复台账")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_beside(db_path, "restore")
    try:
        # A private copy of the backup beside the ledger (same file system: os.replace is
        # atomic), taken while the backup is open read-only so no process can be writing it.
        if not _looks_like_duckdb(source):
            raise BackupError(f"{source} 不是台账文件（不是 DuckDB 数据库文件）")
        try:
            con = duckdb.connect(str(source), read_only=True)
        except duckdb.Error as error:
            raise BackupError(f"无法作为台账打开：{source}（{_first_line(error)}）") from error
        try:
            validate_ledger(con, source)
            _copy_database(source, temp)
            expected = fingerprints(con)
        finally:
            con.close()
        _settle(temp)
        _verify(temp, expected, source)

        waiter = Waiter(timeout, on_wait, wait_message(True, timeout))
        with ledger_lock(db_path, exclusive=True, waiter=waiter):
            replaced = _before_restore_name(db_path) if db_path.exists() else None
            _prepare_restored(temp, source, db_path, replaced, actor)
            _fsync(temp)
            if replaced is not None:
                _set_aside(db_path, replaced, waiter)
            os.replace(temp, db_path)
            _fsync_dir(db_path.parent)
            bump_data_version(db_path)
    finally:
        _discard(temp)
    return RestoreResult(path=db_path, source=source, replaced=replaced, tables=len(expected),
                         rows=sum(n for n, _ in expected.values()))


def _prepare_restored(temp: Path, source: Path, db_path: Path, replaced: Path | None, actor: str) -> None:
    """Brings the copy to the current schema and records the restore in its own audit log."""
    con = open_ledger(temp)
    try:
        con.execute(
            "INSERT INTO audit_log (logged_at, actor, action, entity, entity_id, field, before, after, batch_id) "
            "VALUES (?, ?, 'restore', 'ledger', ?, NULL, ?, ?, NULL)",
            [datetime.now(), actor, db_path.name, replaced.name if replaced else None, str(source.resolve())],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if wal_path(temp).exists():
        raise BackupError("恢复失败：临时文件未能写完整")


def _before_restore_name(db_path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
    n = 1
    while candidate.exists() or wal_path(candidate).exists():
        n += 1
        candidate = db_path.with_name(f"{db_path.name}.before-restore-{stamp}-{n}")
    return candidate


def _set_aside(db_path: Path, replaced: Path, waiter: Waiter) -> None:
    """Keeps the current ledger as `replaced`, self-contained when DuckDB can open it."""
    try:
        con = connect_waiting(waiter, lambda: duckdb.connect(str(db_path)))
    except duckdb.Error:
        con = None  # a damaged ledger is kept as it is, with its log
    if con is not None:
        try:
            checkpoint(con)
        finally:
            con.close()
    try:
        os.link(db_path, replaced)
    except OSError:
        shutil.copy2(db_path, replaced)
        _fsync(replaced)
    # A log left beside the ledger belongs to the old file: kept with it, never applied to the new.
    if wal_path(db_path).exists():
        os.replace(wal_path(db_path), wal_path(replaced))
    _fsync_dir(db_path.parent)


# ---------------------------------------------------------------------------------------
# Files


def _copy_database(source: Path, target: Path) -> None:
    """The database file and, if present, its write-ahead log (the caller keeps them still)."""
    shutil.copyfile(source, target)
    if wal_path(source).exists():
        shutil.copyfile(wal_path(source), wal_path(target))
    else:
        _remove_if_present(wal_path(target))


def _settle(path: Path) -> None:
    """Replays a copied log into the copy and checkpoints: one file, no .wal."""
    con = duckdb.connect(str(path))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if wal_path(path).exists():
        raise BackupError(f"无法整理复制出的文件：{path}")


def _verify(copy: Path, expected: dict[str, tuple[int, int]], origin: Path) -> None:
    con = duckdb.connect(str(copy), read_only=True)
    try:
        validate_ledger(con, origin)
        got = fingerprints(con)
    finally:
        con.close()
    if got != expected:
        differing = sorted(t for t in set(got) | set(expected) if got.get(t) != expected.get(t))
        raise BackupError(f"复制校验失败，以下表内容不一致：{'、'.join(differing)}")


def _looks_like_duckdb(path: Path) -> bool:
    """DuckDB files carry the magic bytes DUCK after an 8-byte checksum."""
    with path.open("rb") as file:
        return file.read(12)[8:12] == b"DUCK"


def _temp_beside(target: Path, tag: str) -> Path:
    return target.with_name(f".{target.name}.{tag}-{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")


def _discard(temp: Path) -> None:
    _remove_if_present(temp)
    _remove_if_present(wal_path(temp))


def _remove_if_present(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
