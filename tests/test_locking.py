"""The ledger lock: readers share, writers exclude, waiting is announced once and bounded,
across threads and across processes; the data version moves with writes only."""

from __future__ import annotations

import json
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from ledger.db import (
    BUSY_MESSAGE,
    LedgerBusy,
    LedgerMissing,
    data_version,
    is_current,
    ledger_reader,
    ledger_writer,
    lock_path,
)

ROOT = Path(__file__).resolve().parent.parent
CSV = "序号,议定事项,牵头单位,配合单位,责任领导,完成时限\n1,加快推进老旧小区改造,区住建局,区财政局,王建国,2026年12月31日前\n"
SOURCE = ["--source-kind", "常务会议", "--source-title", "区政府第3次常务会议", "--source-date", "2026-03-02"]


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "ledger.duckdb"
    with ledger_writer(path):
        pass
    return path


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


class Holder:
    """A separate process holding the ledger as "reader", "writer", or "raw" (a plain DuckDB
    read-write connection, outside the ledger lock) for `seconds`, or until released."""

    def __init__(self, db: Path, mode: str, seconds: float | None = None):
        code = f"""
import select, sys, time
import duckdb
from ledger.db import ledger_reader, ledger_writer
mode, path, seconds = {mode!r}, {str(db)!r}, {seconds!r}

def hold():
    print("held", flush=True)
    if seconds is None:
        select.select([sys.stdin], [], [], 60)  # until released (or the test is gone)
    else:
        time.sleep(seconds)

if mode == "raw":
    con = duckdb.connect(path)
    hold()
    con.close()
else:
    with (ledger_reader if mode == "reader" else ledger_writer)(path, timeout=10) as con:
        con.execute("SELECT count(*) FROM tasks").fetchone()
        hold()
"""
        self.process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = read_line(self.process.stdout, 30)
        if line.strip() != "held":
            self.process.kill()
            raise AssertionError(f"holder did not start: {line!r} {self.process.stderr.read()}")
        self.since = time.monotonic()

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("\n")
            self.process.stdin.flush()

    def __enter__(self) -> Holder:
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.release()
            self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                stream.close()


def read_line(stream, timeout: float) -> str:
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else ""


def start_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "etl", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def hold_in_thread(db: Path, mode: str, seconds: float) -> tuple[threading.Thread, threading.Event]:
    entered = threading.Event()

    def run():
        with (ledger_reader if mode == "reader" else ledger_writer)(db) as con:
            con.execute("SELECT 1").fetchone()
            entered.set()
            time.sleep(seconds)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert entered.wait(10)
    return thread, entered


# ---------------------------------------------------------------------------------------- threads


def test_reader_of_a_missing_ledger_is_a_clear_error(tmp_path):
    with pytest.raises(LedgerMissing, match="台账文件不存在"):
        with ledger_reader(tmp_path / "nowhere.duckdb"):
            pass
    assert not (tmp_path / "nowhere.duckdb").exists()
    assert not lock_path(tmp_path / "nowhere.duckdb").exists()


def test_readers_share_the_ledger(db):
    both_inside = threading.Barrier(2, timeout=10)
    errors = []

    def read():
        try:
            with ledger_reader(db, timeout=5) as con:
                con.execute("SELECT count(*) FROM tasks").fetchone()
                both_inside.wait()  # both hold a reader at once, or this times out
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors


def test_reader_waits_for_a_writer_thread_and_sees_its_data(db):
    entered = threading.Event()

    def write():
        with ledger_writer(db) as con:
            con.execute("INSERT OR REPLACE INTO settings VALUES ('probe', 'written')")
            entered.set()
            time.sleep(0.8)

    writer = threading.Thread(target=write)
    writer.start()
    assert entered.wait(10)
    messages = []
    started = time.monotonic()
    with ledger_reader(db, timeout=10, on_wait=messages.append) as con:
        waited = time.monotonic() - started
        value = con.execute("SELECT value FROM settings WHERE key = 'probe'").fetchone()[0]
    writer.join(10)
    assert value == "written"
    assert waited > 0.4
    assert messages == ["台账正在被其他操作写入，等待中…（最长10秒）"]


def test_writer_waits_for_readers_and_writers(db):
    reader, _ = hold_in_thread(db, "reader", 0.6)
    messages = []
    started = time.monotonic()
    with ledger_writer(db, timeout=10, on_wait=messages.append):
        assert time.monotonic() - started > 0.3
    reader.join(10)
    assert len(messages) == 1 and "等待中" in messages[0]

    writer, _ = hold_in_thread(db, "writer", 0.6)
    started = time.monotonic()
    with ledger_writer(db, timeout=10):
        assert time.monotonic() - started > 0.3
    writer.join(10)


def test_busy_after_the_timeout(db):
    writer, _ = hold_in_thread(db, "writer", 1.5)
    messages = []
    started = time.monotonic()
    with pytest.raises(LedgerBusy) as caught:
        with ledger_reader(db, timeout=0.3, on_wait=messages.append):
            pass
    assert 0.25 < time.monotonic() - started < 1.2
    assert str(caught.value) == BUSY_MESSAGE == "台账正忙，请稍后重试"
    assert len(messages) == 1
    with pytest.raises(LedgerBusy):
        with ledger_writer(db, timeout=0.2):
            pass
    writer.join(10)
    with ledger_reader(db, timeout=0):  # free again: no wait needed, even with no patience
        pass


def test_a_stream_of_readers_does_not_starve_a_writer(db):
    """Readers overlapping back to back never leave the lock free; the gate lets the writer in."""
    stop = threading.Event()

    def keep_reading():
        while not stop.is_set():
            with ledger_reader(db, timeout=20) as con:
                con.execute("SELECT count(*) FROM calendar").fetchone()
                time.sleep(0.02)

    readers = [threading.Thread(target=keep_reading) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        time.sleep(0.2)
        started = time.monotonic()
        with ledger_writer(db, timeout=10) as con:
            con.execute("INSERT OR REPLACE INTO settings VALUES ('probe', 'in')")
        assert time.monotonic() - started < 3
    finally:
        stop.set()
        for t in readers:
            t.join(20)


def test_nesting_in_one_thread(db):
    with ledger_reader(db) as outer:
        with ledger_reader(db, timeout=0) as inner:  # a nested reader reuses the shared lock
            assert inner.execute("SELECT 1").fetchone() == (1,)
        assert outer.execute("SELECT 1").fetchone() == (1,)
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="already holds"):
            with ledger_writer(db, timeout=5):
                pass
        assert time.monotonic() - started < 1  # refused at once, not after the timeout


def test_data_version_moves_after_writes_not_reads(db, tmp_path):
    assert data_version(tmp_path / "new.duckdb") == ""
    first = data_version(db)
    assert first
    with ledger_reader(db) as con:
        con.execute("SELECT count(*) FROM tasks").fetchone()
    assert data_version(db) == first
    with ledger_writer(db) as con:
        con.execute("INSERT OR REPLACE INTO settings VALUES ('probe', 'x')")
    second = data_version(db)
    assert second and second != first
    with pytest.raises(ZeroDivisionError):
        with ledger_writer(db):
            1 / 0  # noqa: B018
    assert data_version(db) != second  # a failed writer may have committed something: readers re-read


def test_writer_closes_with_the_log_merged(db):
    with ledger_writer(db) as con:
        con.execute("INSERT OR REPLACE INTO settings VALUES ('probe', 'x')")
    assert not db.with_name(db.name + ".wal").exists()


# ---------------------------------------------------------------------------------------- processes


def test_reader_process_blocks_a_writer_until_done(db):
    with Holder(db, "reader", 1.0) as holder:
        messages = []
        with ledger_writer(db, timeout=20, on_wait=messages.append):
            assert time.monotonic() - holder.since > 0.7
    assert len(messages) == 1


def test_writer_process_blocks_readers_until_done(db):
    with Holder(db, "writer", 1.0) as holder:
        messages = []
        with ledger_reader(db, timeout=20, on_wait=messages.append):
            assert time.monotonic() - holder.since > 0.7
        assert holder.process.wait(10) == 0
    assert messages == ["台账正在被其他操作写入，等待中…（最长20秒）"]


def test_busy_across_processes(db):
    with Holder(db, "writer"):
        with pytest.raises(LedgerBusy):
            with ledger_reader(db, timeout=0.3):
                pass


def test_duckdb_lock_outside_the_ledger_lock_is_waited_for_too(db):
    """A process holding the file the old way (a long-lived connection) makes us wait, not crash."""
    with Holder(db, "raw", 0.8) as holder:
        with ledger_writer(db, timeout=20):
            assert time.monotonic() - holder.since > 0.5
    with Holder(db, "raw"):
        with pytest.raises(LedgerBusy) as caught:
            with ledger_reader(db, timeout=0.3):
                pass
        assert isinstance(caught.value.__cause__, duckdb.IOException)


def test_cli_waits_with_a_message_then_succeeds(db, tmp_path):
    data = tmp_path / "tasks.csv"
    data.write_text(CSV, encoding="utf-8")
    with Holder(db, "reader") as holder:
        cli = start_cli("load", str(data), "--db", str(db), *SOURCE, "--json")
        try:
            notice = read_line(cli.stderr, 60)
            assert notice.strip() == "台账正在被其他操作使用，等待中…（最长60秒）"
            assert cli.poll() is None
            holder.release()
            out, err = cli.communicate(timeout=60)
        finally:
            cli.kill()
    assert cli.returncode == 0, err
    assert json.loads(out)["committed"] is True

    with Holder(db, "writer") as holder:
        cli = start_cli("status", "--db", str(db), "--json")
        try:
            notice = read_line(cli.stderr, 60)
            assert notice.strip() == "台账正在被其他操作写入，等待中…（最长60秒）"
            holder.release()
            out, err = cli.communicate(timeout=60)
        finally:
            cli.kill()
    assert cli.returncode == 0, err
    assert json.loads(out)["total"] == 1


def test_cli_gives_up_with_exit_code_1_after_wait(db, tmp_path):
    data = tmp_path / "tasks.csv"
    data.write_text(CSV, encoding="utf-8")
    with Holder(db, "reader"):
        loaded = run_cli("load", str(data), "--db", str(db), *SOURCE, "--json", "--wait", "0.3")
        plain = run_cli("init", "--db", str(db), "--wait", "0.3")
    assert loaded.returncode == 1
    assert json.loads(loaded.stdout) == {"committed": False, "batch_id": None, "files": [],
                                         "error": "台账正忙，请稍后重试"}
    assert plain.returncode == 1 and "台账正忙，请稍后重试" in plain.stderr
    with Holder(db, "writer"):
        status = run_cli("status", "--db", str(db), "--wait", "0.3")
    assert status.returncode == 1 and "台账正忙，请稍后重试" in status.stderr


def test_cli_status_of_a_missing_ledger(tmp_path):
    result = run_cli("status", "--db", str(tmp_path / "none.duckdb"))
    assert result.returncode == 1 and "台账文件不存在" in result.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_cli_status_brings_a_stale_ledger_up_to_date(db):
    with ledger_writer(db) as con:
        con.execute("DELETE FROM settings WHERE key = 'calendar_fingerprint'")
    with ledger_reader(db) as con:
        assert not is_current(con)
    result = run_cli("status", "--db", str(db), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] == 0
    with ledger_reader(db) as con:
        assert is_current(con)
