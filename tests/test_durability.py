"""Durability and concurrency with real processes on a real ledger file: an import killed
halfway changes nothing, concurrent imports both commit, the CLI loads while a dashboard-like
reader runs, and backup/restore round-trips every table (also while a reader is active)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import pytest

from bench.bench_etl import write_task_csv
from etl.importer import InputFile, LoadOptions, import_files
from ledger.backup import BackupError, backup, fingerprints
from ledger.db import data_version, ledger_reader, ledger_writer, lock_path, wait_message

ROOT = Path(__file__).resolve().parent.parent
BASE_ROWS = 300
BIG_ROWS = 150_000   # a load of a few seconds
MEDIUM_ROWS = 40_000


def source_args(n: int) -> list[str]:
    return ["--source-kind", "常务会议", "--source-title", f"区政府第{n}次常务会议", "--source-date", "2026-03-02"]


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def start_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "etl", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[str, str]:
    try:
        return process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def base_ledger(path: Path, folder: Path) -> Path:
    """A ledger with BASE_ROWS tasks from source 1, written through ledger_writer."""
    csv = folder / "base.csv"
    write_task_csv(csv, BASE_ROWS, seed=1)
    options = LoadOptions(source_kind="常务会议", source_title="区政府第1次常务会议", source_date=date(2026, 3, 2))
    with ledger_writer(path) as con:
        assert import_files(con, [InputFile.from_path(csv)], options).committed
    return path


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_catalog = current_database() ORDER BY 1"
    ).fetchall()]


def contents(db: Path) -> dict[str, list[tuple]]:
    """Every table of a ledger file, each row, in a fixed order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in table_names(con)}
    finally:
        con.close()


def snapshot(db: Path) -> dict[str, tuple[int, str]]:
    """Row count and a content hash per table."""
    return {t: (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()) for t, rows in contents(db).items()}


def sequences(db: Path) -> dict[str, int | None]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("SELECT sequence_name, last_value FROM duckdb_sequences()").fetchall())
    finally:
        con.close()


def scalar(db: Path, query: str, params=None):
    with ledger_reader(db, timeout=30) as con:
        return con.execute(query, params or []).fetchone()[0]


def writer_holds_lock(db: Path) -> bool:
    fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def wait_until_locked(db: Path, process: subprocess.Popen, timeout: float = 60) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if writer_holds_lock(db):
            return time.monotonic()
        if process.poll() is not None:
            raise AssertionError(f"the load ended before it took the lock: {process.communicate()}")
        time.sleep(0.005)
    raise AssertionError("the load never took the lock")


READER_LOOP = """
import json, sys, time
from ledger.db import data_version, ledger_reader
path, expected, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
first_version, reads, deadline = data_version(path), 0, time.monotonic() + limit
while time.monotonic() < deadline:
    version = data_version(path)   # read before the data, as a cache key
    with ledger_reader(path, timeout=30) as con:
        tasks = con.execute("SELECT count(*) FROM tasks").fetchone()[0]
        con.execute("SELECT count(*), max(day) FROM calendar").fetchone()
    reads += 1
    if reads == 1:
        print("reading", flush=True)
    if tasks == expected:
        changed = data_version(path) != first_version
        print(json.dumps({"reads": reads, "tasks": tasks, "version_changed": changed}), flush=True)
        sys.exit(0)
sys.exit(3)
"""


@contextmanager
def reader_process(db: Path, expected_tasks: int = -1, limit: float = 60):
    """A process reading the ledger in a tight loop, as dashboard sessions do, until it sees
    `expected_tasks` tasks (or until the block ends)."""
    process = subprocess.Popen([sys.executable, "-c", READER_LOOP, str(db), str(expected_tasks), str(limit)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        assert line.strip() == "reading", (line, process.poll())
        yield process
    finally:
        if expected_tasks < 0:
            process.kill()
        if process.returncode is None:
            finish(process, timeout=limit + 30)


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.csv"
    write_task_csv(path, BIG_ROWS, seed=2)
    return path


# ---------------------------------------------------------------------------------------- kill -9


def cpu_state(pid: int) -> tuple[str, float]:
    """A process's state letter and the CPU seconds it has used (all threads; kept by a zombie)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return fields[0], (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="measures progress through /proc")
def test_import_killed_halfway_leaves_the_ledger_exactly_as_before(tmp_path, big_csv):
    """Kills `python -m etl load` at several points of its work under the lock. Points are
    measured in the CPU time the load uses, not wall time, so a busy machine does not move them."""
    db = base_ledger(tmp_path / "ledger.duckdb", tmp_path)
    before, version = snapshot(db), data_version(db)
    load = ("load", str(big_csv), "--db", str(db), *source_args(2))

    # The work a whole load does under the lock, on a copy.
    copy = tmp_path / "calibration.duckdb"
    shutil.copyfile(db, copy)
    process = start_cli("load", str(big_csv), "--db", str(copy), *source_args(2))
    wait_until_locked(copy, process)
    _, started = cpu_state(process.pid)
    deadline = time.monotonic() + 120
    while (state := cpu_state(process.pid))[0] != "Z" and time.monotonic() < deadline:
        time.sleep(0.005)  # not reaped (no poll) until measured
    work = state[1] - started
    out, err = finish(process)
    assert process.returncode == 0, err
    assert work > 0.5, f"the load is too quick ({work:.2f} s of CPU) to be killed halfway"

    def kill_at(fraction: float) -> bool:
        """Kills a load once it has done `fraction` of its work under the lock; whether it was
        still running (and so was killed)."""
        process = start_cli(*load)
        wait_until_locked(db, process)
        _, started = cpu_state(process.pid)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            state, used = cpu_state(process.pid)
            if state == "Z" or used - started >= fraction * work:
                break
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
        finish(process, timeout=30)
        return process.returncode == -signal.SIGKILL

    # Files are read and validated before the lock is taken (etl.importer.import_locked); under
    # it the load spends roughly its first half writing (DuckDB already writes uncommitted row
    # groups into the file), then commits, then checkpoints as it closes.
    for fraction in (0.05, 0.2, 0.35):
        assert kill_at(fraction), f"the load finished before the kill at {fraction:.0%}"
        assert snapshot(db) == before, f"killed at {fraction:.0%}"
        assert data_version(db) == version  # no writer finished: readers keep their caches

    # Killed during its commit: all or nothing.
    kill_at(0.9)
    late_commit = snapshot(db) != before
    if late_commit:
        assert scalar(db, "SELECT count(*) FROM tasks") == BASE_ROWS + BIG_ROWS
        assert scalar(db, "SELECT count(*) FROM import_batches") == 2

    # And the ledger takes the same load whole afterwards.
    result = cli(*load, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["committed"] is not late_commit
    assert scalar(db, "SELECT count(*) FROM tasks") == BASE_ROWS + BIG_ROWS
    assert scalar(db, "SELECT count(DISTINCT code) FROM tasks") == BASE_ROWS + BIG_ROWS
    if not late_commit:
        # The load that committed closed the ledger cleanly. (After a kill during the commit
        # the reload only reads: the killed process's write-ahead log stays until a writer
        # next checkpoints, and every reader replays it.)
        assert not db.with_name(db.name + ".wal").exists()
    assert data_version(db) != version


# ---------------------------------------------------------------------------------------- concurrency


def test_two_processes_loading_at_once_both_commit(tmp_path):
    db = base_ledger(tmp_path / "ledger.duckdb", tmp_path)
    files = []
    for n in (5, 6):
        path = tmp_path / f"list{n}.csv"
        write_task_csv(path, MEDIUM_ROWS, seed=n)
        files.append((path, n))
    # Held by a reader until both loads are started and waiting, so they are let go together
    # and contend for the writer's lock; the one that loses it waits for the other. A load
    # reads the ledger's facts before it asks to write, so the second one may already wait
    # to read: behind the first one's queued write.
    waiting = {wait_message(exclusive, 60) for exclusive in (True, False)}
    with ledger_reader(db):
        processes = [start_cli("load", str(path), "--db", str(db), *source_args(n), "--json") for path, n in files]
        for process in processes:
            ready, _, _ = select.select([process.stderr], [], [], 60)
            assert ready and process.stderr.readline().strip() in waiting
    outputs = [finish(p) for p in processes]
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert json.loads(out)["committed"] is True
    assert len({json.loads(out)["batch_id"] for out, _ in outputs}) == 2
    for n in (1, 5, 6):
        expected = BASE_ROWS if n == 1 else MEDIUM_ROWS
        assert scalar(db, "SELECT count(*) FROM tasks JOIN sources USING (source_id) WHERE title = ?",
                      [f"区政府第{n}次常务会议"]) == expected
    assert scalar(db, "SELECT count(DISTINCT code) FROM tasks") == BASE_ROWS + 2 * MEDIUM_ROWS
    assert scalar(db, "SELECT count(*) FROM import_batches") == 3


def test_two_threads_importing_through_ledger_writer_both_commit(tmp_path):
    db = base_ledger(tmp_path / "ledger.duckdb", tmp_path)
    start = threading.Barrier(2, timeout=30)
    results, waits, errors = {}, [], []

    def upload(n: int):
        path = tmp_path / f"upload{n}.csv"
        write_task_csv(path, 5_000, seed=n)
        options = LoadOptions(source_kind="常务会议", source_title=f"区政府第{n}次常务会议",
                              source_date=date(2026, 3, 2), actor=f"user{n}")
        file = InputFile.from_path(path)
        try:
            start.wait()
            with ledger_writer(db, timeout=60, on_wait=waits.append) as con:
                results[n] = import_files(con, [file], options)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=upload, args=(n,)) for n in (7, 8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert all(results[n].committed for n in (7, 8))
    assert len(waits) == 1
    assert scalar(db, "SELECT count(*) FROM tasks") == BASE_ROWS + 10_000
    assert scalar(db, "SELECT count(DISTINCT code) FROM tasks") == BASE_ROWS + 10_000
    assert scalar(db, "SELECT count(DISTINCT actor) FROM audit_log WHERE actor LIKE 'user%'") == 2


def test_cli_loads_while_a_dashboard_like_reader_runs(tmp_path):
    db = base_ledger(tmp_path / "ledger.duckdb", tmp_path)
    data = tmp_path / "list9.csv"
    write_task_csv(data, MEDIUM_ROWS, seed=9)
    expected = BASE_ROWS + MEDIUM_ROWS
    with reader_process(db, expected_tasks=expected) as reader:
        result = cli("load", str(data), "--db", str(db), *source_args(9), "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["committed"] is True
        out, err = finish(reader, timeout=60)
    assert reader.returncode == 0, err
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["tasks"] == expected and seen["version_changed"] and seen["reads"] > 1

    with ledger_reader(db) as con:
        assert con.execute("PRAGMA database_size").fetchone()[0] == "ledger"
        assert con.execute("SELECT count(*) FROM tasks").fetchone()[0] == expected
        assert fingerprints(con)["main.tasks"][0] == expected  # reads every block, checksums verified
    status = cli("status", "--db", str(db), "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["total"] == expected


# ---------------------------------------------------------------------------------------- backup / restore


def test_backup_and_restore_round_trip_every_table(tmp_path):
    from demo.build import load_demo

    db = tmp_path / "ledger.duckdb"
    with ledger_writer(db) as con:
        assert load_demo(con, out_dir=tmp_path / "demo").committed
    dest = tmp_path / "backups" / "ledger-backup.duckdb"

    with reader_process(db):  # the dashboard is reading meanwhile
        made = cli("backup", "--db", str(db), str(dest))
    assert made.returncode == 0, made.stderr
    assert "备份完成" in made.stdout
    original = contents(db)
    assert {"tasks", "audit_log", "calendar", "schema_version", "import_batches"} <= set(original)
    assert original["tasks"]
    assert contents(dest) == original
    assert sequences(dest) == sequences(db)
    assert not dest.with_name(dest.name + ".wal").exists()

    refused = cli("backup", "--db", str(db), str(dest))
    assert refused.returncode == 1 and "已存在" in refused.stderr

    extra = tmp_path / "extra.csv"
    write_task_csv(extra, 50, seed=3)
    changed_load = cli("load", str(extra), "--db", str(db), *source_args(901))
    assert changed_load.returncode == 0, changed_load.stderr
    changed = contents(db)
    assert changed != original

    restored = cli("restore", str(dest), "--db", str(db), "--yes")   # issue 12: asks first unless --yes
    assert restored.returncode == 0, restored.stderr
    now = contents(db)
    assert set(now) == set(original)
    for table in original:
        if table != "audit_log":
            assert now[table] == original[table], table
    # The audit log is the backup's, plus the entries written since the backup (issue 12: carried
    # over from the replaced ledger; a `carry` entry names their ids), plus the record of this restore.
    (first, last) = next(tuple(int(x) for x in row[8].split("-")) for row in now["audit_log"] if row[3] == "carry")
    carried = [row for row in now["audit_log"] if first <= row[0] <= last]
    assert [row for row in now["audit_log"] if row[3] not in ("restore", "carry") and row not in carried] == original["audit_log"]
    later = [row for row in changed["audit_log"] if row not in original["audit_log"]]
    assert later and sorted(row[1:9] for row in carried) == sorted(row[1:9] for row in later)
    (entry,) = [row for row in now["audit_log"] if row[3] == "restore"]
    assert entry[4] == "ledger"
    after, before = sequences(db), sequences(dest)
    assert after.pop("audit_ids") == before.pop("audit_ids") + 1 + len(carried) + 1   # + the carry entry
    assert after == before

    # Nothing was deleted: the replaced ledger is kept whole beside it.
    (kept,) = tmp_path.glob("ledger.duckdb.before-restore-*")
    assert contents(kept) == changed
    assert entry[7] == kept.name

    # The restored ledger is a working one: ids continue where the backup left off.
    again = cli("load", str(extra), "--db", str(db), *source_args(902), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["committed"] is True

    forced = cli("backup", "--db", str(db), str(dest), "--force")
    assert forced.returncode == 0, forced.stderr
    assert contents(dest) == contents(db)


def test_restore_refuses_what_is_not_a_ledger(tmp_path):
    db = base_ledger(tmp_path / "ledger.duckdb", tmp_path)
    before = snapshot(db)
    text = tmp_path / "notes.duckdb"
    text.write_text("不是数据库", encoding="utf-8")
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    for src, message in ((text, "不是台账文件"), (other, "缺少表"), (tmp_path / "none.duckdb", "不存在"), (db, "本身")):
        result = cli("restore", str(src), "--db", str(db))
        assert result.returncode == 1, src
        assert message in result.stderr, result.stderr
    assert snapshot(db) == before
    assert not list(tmp_path.glob("*.before-restore-*"))
    assert not list(tmp_path.glob(".*.tmp"))


def test_backup_waits_for_a_writer_and_includes_its_work(tmp_path):
    db = base_ledger(tmp_path / "ledger.duckdb", tmp_path)
    entered = threading.Event()

    def write():
        with ledger_writer(db) as con:
            con.execute("INSERT OR REPLACE INTO settings VALUES ('probe', 'written during the backup')")
            entered.set()
            time.sleep(0.8)

    writer = threading.Thread(target=write)
    writer.start()
    assert entered.wait(10)
    messages = []
    result = backup(db, tmp_path / "b.duckdb", on_wait=messages.append)
    writer.join(10)
    assert messages == ["台账正在被其他操作写入，等待中…（最长60秒）"]
    assert ("probe", "written during the backup") in contents(tmp_path / "b.duckdb")["settings"]
    assert result.tables == len(contents(db)) and result.rows > BASE_ROWS
    with pytest.raises(BackupError, match="已存在"):
        backup(db, tmp_path / "b.duckdb")


def test_backup_of_a_ledger_whose_writer_was_killed_keeps_the_committed_work(tmp_path):
    """A killed writer leaves committed work in the write-ahead log: the backup has it, in one file."""
    db = base_ledger(tmp_path / "ledger.duckdb", tmp_path)
    code = f"""
import duckdb, time
con = duckdb.connect({str(db)!r})
con.execute("INSERT OR REPLACE INTO settings VALUES ('probe', 'committed, not checkpointed')")
print("done", flush=True)
time.sleep(60)
"""
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready and process.stdout.readline().strip() == "done"
    finally:
        process.kill()
        process.communicate(timeout=10)
    assert db.with_name(db.name + ".wal").exists()
    expected = contents(db)
    dest = tmp_path / "b.duckdb"
    result = cli("backup", "--db", str(db), str(dest))
    assert result.returncode == 0, result.stderr
    assert not dest.with_name(dest.name + ".wal").exists()
    assert contents(dest) == expected
    assert ("probe", "committed, not checkpointed") in expected["settings"]
