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

A restore does not hide history nor undo security (issue 12): `plan_restore` says first what
it reverts (accounts changed since the backup, tasks added, changed and removed, audit entries
written after it), the command line asks before going on; the replaced ledger's later audit
entries are carried into the restored one (a `carry` entry names their ids and the replaced
file; 操作日志 shows them as 恢复前的记录), and every account keeps its current password, disabled
state and session epoch unless `restore_accounts` is asked for. The sign-in store beside the
ledger (ledger.signins: sign-in events and login throttling) is not part of a backup and is
never replaced.

Every file made here is 0600 (ledger.db.private_umask; copies chmod'ed), folders 0700.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ledger import audit, sql
from ledger.db import (
    DEFAULT_TIMEOUT,
    LedgerMissing,
    OnWait,
    Waiter,
    bump_data_version,
    checkpoint,
    connect_waiting,
    ensure_folder,
    ledger_lock,
    ledger_reader,
    make_ledger_private,
    make_private,
    migrations,
    open_ledger,
    private_umask,
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
    carried: int = 0         # audit entries carried over from the replaced ledger
    kept_accounts: bool = True


@dataclass(frozen=True)
class AccountChange:
    username: str
    added_since: bool        # created after the backup: absent once restored
    removed_since: bool      # in the backup only
    password_changed: bool
    disabled_changed: bool
    disabled_now: bool | None
    role_changed: bool
    name_changed: bool


@dataclass(frozen=True)
class RestorePlan:
    """What restoring `source` over the ledger at `path` reverts."""

    source: Path
    path: Path
    ledger_exists: bool
    accounts: tuple[AccountChange, ...] = ()
    tasks_added: int = 0      # created since the backup: they go
    tasks_changed: int = 0    # changed since: the changes are undone
    tasks_removed: int = 0    # in the backup only: they come back
    later_entries: int = 0    # audit entries written after the backup: carried over
    later_from: datetime | None = None
    later_to: datetime | None = None

    def describe(self, restore_accounts: bool = False) -> list[str]:
        """The plan in Chinese, one line each, for the command line."""
        if not self.ledger_exists:
            return [f"当前没有台账文件：{self.path}，将直接使用备份 {self.source}。"]
        lines = [f"将用备份 {self.source} 替换台账 {self.path}（原台账另行保留）。", "事项："]
        lines.append(f"  自备份以来新增的 {self.tasks_added} 项事项将被移除；"
                     f"{self.tasks_changed} 项事项的修改将被撤回；{self.tasks_removed} 项备份中有、现已不存在的事项将回来。")
        lines.append("账号：" if self.accounts else "账号：自备份以来没有变化。")
        for change in self.accounts:
            lines.append(f"  {change.username}：{self._account_line(change, restore_accounts)}")
        if self.later_entries:
            span = f"（{self.later_from:%Y-%m-%d %H:%M} 至 {self.later_to:%Y-%m-%d %H:%M}）" if self.later_from else ""
            lines.append(f"操作日志：备份之后写下的 {self.later_entries} 条记录{span}将带入恢复后的台账，标为“恢复前的记录”。")
        else:
            lines.append("操作日志：备份之后没有新的记录。")
        return lines

    @staticmethod
    def _account_line(change: AccountChange, restore_accounts: bool) -> str:
        if change.added_since:
            return "备份之后新建，恢复后将不存在（如仍需要，请重新添加）"
        if change.removed_since:
            return "只在备份中存在，恢复后将回来"
        parts = []
        if change.role_changed:
            parts.append("角色或所属单位、领导将恢复为备份时的设置")
        if change.name_changed:
            parts.append("显示名将恢复为备份时的设置")
        if change.password_changed:
            parts.append("密码将恢复为备份时的密码" if restore_accounts else "密码已变更，保留现在的密码")
        if change.disabled_changed:
            state = "停用" if change.disabled_now else "启用"
            parts.append(f"将恢复为备份时的{'启用' if change.disabled_now else '停用'}状态" if restore_accounts
                         else f"现为{state}，保留现在的状态")
        return "；".join(parts) or "无变化"


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
    private_umask()
    ensure_folder(dest)
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


def _prepared_copy(source: Path, db_path: Path) -> tuple[Path, int, dict[str, tuple[int, int]]]:
    """The backup validated, copied beside the ledger, checked and brought to the current schema;
    returns the private copy and the backup's last audit id."""
    if not source.is_file():
        raise BackupError(f"备份文件不存在：{source}")
    if db_path.exists() and _same_file(source, db_path):
        raise BackupError("不能用台账本身来恢复台账")
    ensure_folder(db_path)
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
        con = open_ledger(temp)   # the current schema
        try:
            last_id = sql.one(con, "restore/audit_count")[1]
            con.execute("CHECKPOINT")
        finally:
            con.close()
    except BaseException:
        _discard(temp)
        raise
    return temp, last_id, expected


def _attach_current(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    con.execute(f"ATTACH '{_sql_text(str(db_path))}' AS cur (READ_ONLY)")


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def plan_restore(
    src: str | Path,
    path: str | Path | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    on_wait: OnWait | None = None,
) -> RestorePlan:
    """What restoring `src` would revert, read under the ledger's shared lock; nothing changes."""
    source = Path(src)
    db_path = resolve_db_path(path)
    private_umask()
    temp, _, _ = _prepared_copy(source, db_path)
    try:
        if not db_path.exists():
            return RestorePlan(source=source, path=db_path, ledger_exists=False)
        waiter = Waiter(timeout, on_wait, wait_message(False, timeout))
        with ledger_lock(db_path, exclusive=False, waiter=waiter):
            con = duckdb.connect(str(temp))
            try:
                _attach_current(con, db_path)
                added, removed, changed = sql.one(con, "restore/tasks_diff")
                changes = tuple(AccountChange(*row) for row in sql.rows(con, "restore/accounts_diff"))
                entries, first_at, last_at = sql.one(con, "restore/later_entries")
            finally:
                con.close()
        return RestorePlan(source=source, path=db_path, ledger_exists=True, accounts=changes,
                           tasks_added=added, tasks_changed=changed, tasks_removed=removed,
                           later_entries=entries, later_from=first_at, later_to=last_at)
    finally:
        _discard(temp)


def restore(
    src: str | Path,
    path: str | Path | None = None,
    *,
    actor: str = "cli",
    restore_accounts: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    on_wait: OnWait | None = None,
) -> RestoreResult:
    """Replaces the ledger by the backup `src`; the replaced file is kept beside it, its later
    audit entries are carried over, and (unless `restore_accounts`) accounts keep their current
    password, disabled state and session epoch. The caller shows plan_restore first."""
    source = Path(src)
    db_path = resolve_db_path(path)
    private_umask()
    temp, last_id, expected = _prepared_copy(source, db_path)
    carried = 0
    try:
        waiter = Waiter(timeout, on_wait, wait_message(True, timeout))
        with ledger_lock(db_path, exclusive=True, waiter=waiter):
            replaced = _before_restore_name(db_path) if db_path.exists() else None
            carried = _prepare_restored(temp, source, db_path, replaced, actor, last_id, restore_accounts, waiter)
            _fsync(temp)
            if replaced is not None:
                _set_aside(db_path, replaced, waiter)
            os.replace(temp, db_path)
            make_ledger_private(db_path)
            _fsync_dir(db_path.parent)
            bump_data_version(db_path)
    finally:
        _discard(temp)
    return RestoreResult(path=db_path, source=source, replaced=replaced, tables=len(expected),
                         rows=sum(n for n, _ in expected.values()), carried=carried,
                         kept_accounts=not restore_accounts)


def _prepare_restored(temp: Path, source: Path, db_path: Path, replaced: Path | None, actor: str, last_id: int,
                      restore_accounts: bool, waiter: Waiter) -> int:
    """In the copy: the replaced ledger's later audit entries carried over, the accounts' current
    security state kept (or, with restore_accounts, every session ended), and the restore
    recorded in its audit log. Returns how many entries were carried."""
    con = duckdb.connect(str(temp))
    carried = 0
    try:
        if db_path.exists():
            # Readable while nobody writes it (we hold the exclusive lock); a damaged ledger is
            # replaced all the same, without its history (it is kept beside the restored one).
            try:
                current = connect_waiting(waiter, lambda: open_ledger(db_path))  # at the current schema too
                current.close()
                _attach_current(con, db_path)
                attached = True
            except duckdb.Error:
                attached = False
            if attached:
                con.execute("BEGIN TRANSACTION")
                carried = audit.carry(con, actor, db_path.name, replaced.name if replaced else db_path.name, last_id)
                sql.execute(con, "restore/end_sessions" if restore_accounts else "restore/keep_accounts")
                con.execute("COMMIT")
                con.execute("DETACH cur")
        audit.record_one(con, actor, "restore", "ledger", db_path.name,
                         before=replaced.name if replaced else None, after=str(source.resolve()))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if wal_path(temp).exists():
        raise BackupError("恢复失败：临时文件未能写完整")
    return carried


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
    make_private(replaced, wal_path(db_path))
    # A log left beside the ledger belongs to the old file: kept with it, never applied to the new.
    if wal_path(db_path).exists():
        os.replace(wal_path(db_path), wal_path(replaced))
    _fsync_dir(db_path.parent)


# ---------------------------------------------------------------------------------------
# Files


def _copy_database(source: Path, target: Path) -> None:
    """The database file and, if present, its write-ahead log (the caller keeps them still), 0600."""
    private_umask()
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
    if wal_path(source).exists():
        shutil.copyfile(wal_path(source), wal_path(target))
        os.chmod(wal_path(target), 0o600)
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
