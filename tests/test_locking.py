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
    read-write connection, outside the ledger lock) until released. It prints "held" once it
    holds, and "releasing" just before it lets go: a waiter that finds "releasing" already
    written when it gets in got in after the holder let go."""

    def __init__(self, db: Path, mode: str):
        code = f"""
import select, sys
import duckdb
from ledger.db import ledger_reader, ledger_writer
mode, path = {mode!r}, {str(db)!r}

def hold():
    print("held", flush=True)
    select.select([sys.stdin], [], [], 60)  # until released (or the test is gone)
    print("releasing", flush=True)

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

    def released_already(self) -> bool:
        """Whether the holder had said "releasing" by now (not waiting for it to say so)."""
        return read_line(self.process.stdout, 0).strip() == "releasing"

    def release(self, *_) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.write("\n")
                self.process.stdin.flush()
            except BrokenPipeError:  # it was on its way out already
                pass

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


class Events:
    """What happened, in order, across threads."""

    def __init__(self):
        self.seen: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, what: str) -> None:
        with self._lock:
            self.seen.append(what)


def hold_in_thread(db: Path, mode: str, events: Events) -> tuple[threading.Thread, threading.Event]:
    """A thread holding the ledger as reader or writer until the returned event is set. It logs
    "<mode> in" once it holds and "<mode> out" before it lets go."""
    entered, release = threading.Event(), threading.Event()

    def run():
        with (ledger_reader if mode == "reader" else ledger_writer)(db) as con:
            con.execute("SELECT 1").fetchone()
            events(f"{mode} in")
            entered.set()
            release.wait(30)   # only stops a test that hangs
            events(f"{mode} out")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert entered.wait(10)
    return thread, release


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
    """The writer lets go only once the reader has said it waits: the reader got in after."""
    events, messages = Events(), []
    entered, release = threading.Event(), threading.Event()

    def write():
        with ledger_writer(db) as con:
            con.execute("INSERT OR REPLACE INTO settings VALUES ('probe', 'written')")
            events("writer in")
            entered.set()
            release.wait(30)
            events("writer out")

    def waiting(message: str) -> None:
        messages.append(message)
        events("reader waits")
        release.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert entered.wait(10)
    with ledger_reader(db, timeout=10, on_wait=waiting) as con:
        events("reader in")
        value = con.execute("SELECT value FROM settings WHERE key = 'probe'").fetchone()[0]
    writer.join(10)
    assert value == "written"
    assert events.seen == ["writer in", "reader waits", "writer out", "reader in"]
    assert messages == ["台账正在被其他操作写入，等待中…（最长10秒）"]


def test_writer_waits_for_readers_and_writers(db):
    for holder in ("reader", "writer"):
        events, messages = Events(), []
        thread, release = hold_in_thread(db, holder, events)

        def waiting(message: str, release=release, events=events, messages=messages) -> None:
            messages.append(message)
            events("writer waits")
            release.set()

        with ledger_writer(db, timeout=10, on_wait=waiting):
            events("writer got in")
        thread.join(10)
        assert events.seen == [f"{holder} in", "writer waits", f"{holder} out", "writer got in"], holder
        assert len(messages) == 1 and "等待中" in messages[0]


def test_busy_after_the_timeout(db):
    """Busy while the writer still holds: the reader gave up on its own timeout, not because
    the writer let go; it waited at least that long."""
    events, messages = Events(), []
    writer, release = hold_in_thread(db, "writer", events)
    try:
        started = time.monotonic()
        with pytest.raises(LedgerBusy) as caught:
            with ledger_reader(db, timeout=0.3, on_wait=messages.append):
                pass
        assert time.monotonic() - started >= 0.3   # a lower bound: waiting, not refusing at once
        events("reader busy")
        assert caught.value.waited == 0.3
        assert str(caught.value) == BUSY_MESSAGE == "台账正忙，请稍后重试"
        assert len(messages) == 1
        with pytest.raises(LedgerBusy):
            with ledger_writer(db, timeout=0.2):
                pass
        events("writer busy")
    finally:
        release.set()
        writer.join(10)
    assert events.seen == ["writer in", "reader busy", "writer busy", "writer out"]
    with ledger_reader(db, timeout=0):  # free again: no wait needed, even with no patience
        pass


def test_a_stream_of_readers_does_not_starve_a_writer(db):
    """Readers overlapping back to back never leave the lock free; the gate lets the writer in
    while they go on: readers get in before it, and after it, and it gets in well within its
    patience (else LedgerBusy)."""
    stop = threading.Event()
    events = Events()
    reads = threading.Semaphore(0)

    def keep_reading():
        while not stop.is_set():
            with ledger_reader(db, timeout=20) as con:
                con.execute("SELECT count(*) FROM calendar").fetchone()
                events("read")
                reads.release()
                time.sleep(0.02)

    readers = [threading.Thread(target=keep_reading) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        for _ in range(10):   # the stream is flowing
            assert reads.acquire(timeout=20)
        with ledger_writer(db, timeout=20) as con:
            events("writer in")
            con.execute("INSERT OR REPLACE INTO settings VALUES ('probe', 'in')")
        # And still flowing after the writer: it did not end for the writer. Permits released
        # while the writer waited count reads from before it, so count the reads themselves.
        while events.seen[events.seen.index("writer in") + 1:].count("read") < 10:
            assert reads.acquire(timeout=20)
    finally:
        stop.set()
        for t in readers:
            t.join(20)
    at = events.seen.index("writer in")
    assert events.seen[:at].count("read") >= 10 and events.seen[at + 1:].count("read") >= 10


def test_nesting_in_one_thread(db):
    with ledger_reader(db) as outer:
        with ledger_reader(db, timeout=0) as inner:  # a nested reader reuses the shared lock
            assert inner.execute("SELECT 1").fetchone() == (1,)
        assert outer.execute("SELECT 1").fetchone() == (1,)
        messages = []
        with pytest.raises(RuntimeError, match="already holds"):
            with ledger_writer(db, timeout=5, on_wait=messages.append):
                pass
        assert messages == []  # refused at once: it never waited


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
    with Holder(db, "reader") as holder:
        messages = []
        with ledger_writer(db, timeout=20, on_wait=lambda m: (messages.append(m), holder.release())):
            assert holder.released_already()
    assert len(messages) == 1


def test_writer_process_blocks_readers_until_done(db):
    with Holder(db, "writer") as holder:
        messages = []
        with ledger_reader(db, timeout=20, on_wait=lambda m: (messages.append(m), holder.release())):
            assert holder.released_already()
        assert holder.process.wait(10) == 0
    assert messages == ["台账正在被其他操作写入，等待中…（最长20秒）"]


def test_busy_across_processes(db):
    with Holder(db, "writer"):
        with pytest.raises(LedgerBusy):
            with ledger_reader(db, timeout=0.3):
                pass


def test_duckdb_lock_outside_the_ledger_lock_is_waited_for_too(db):
    """A process holding the file the old way (a long-lived connection) makes us wait, not crash."""
    with Holder(db, "raw") as holder:
        with ledger_writer(db, timeout=20, on_wait=holder.release):
            assert holder.released_already()
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


# ---------------------------------------------------------------------------------------- imports
# etl.importer.import_locked: the ledger's facts read under the shared lock, the files validated
# holding no lock, the exclusive lock only for the write.

LIST = ("序号,议定事项,牵头单位,配合单位,责任领导,完成时限\n"
        + "".join(f"{i},加快推进第{i}项乡村振兴重点工作,区振兴局,区财政局、区住建局,王建国,2026年12月31日前\n"
                  for i in range(1, 2001)))
UNITS = "单位名称,简称,单位类型\n区乡村振兴局,区振兴局,部门\n"
IMPORT_OPTIONS = ["常务会议", "区政府第3次常务会议", "2026-03-02"]


def _list_import(db: Path, events: Events, during_validation, commit: bool = True):
    """The 2,000-row list imported by import_locked, `during_validation(events)` run once the
    facts are read and before validation goes on; every lock taken and let go logged."""
    from contextlib import contextmanager
    from datetime import date

    from etl.importer import InputFile, LoadOptions, import_locked

    @contextmanager
    def logged(kind, opener):
        with opener(db) as con:
            events(f"{kind} in")
            yield con
        events(f"{kind} out")

    def step(name: str) -> None:
        events(name)
        if name == "facts":
            during_validation(events)

    kind, title, day = IMPORT_OPTIONS
    options = LoadOptions(source_kind=kind, source_title=title, source_date=date.fromisoformat(day),
                          today=date(2026, 3, 9))
    return import_locked(lambda: logged("reader", ledger_reader), lambda: logged("writer", ledger_writer),
                         [InputFile("清单.csv", LIST.encode())], options, commit=commit, parsed=None, on_step=step)


def _other_process_registers_the_unit(db: Path, tmp_path: Path):
    def run(events: Events) -> None:
        units = tmp_path / "单位名单.csv"
        units.write_text(UNITS, encoding="utf-8")
        other = run_cli("load", str(units), "--db", str(db), "--json", "--wait", "60")
        events("other writer committed" if other.returncode == 0 and "等待中" not in other.stderr
               else f"other writer failed: {other.returncode} {other.stderr}")
    return run


def test_validation_holds_no_lock_so_another_process_writes_meanwhile(db, tmp_path):
    """While the import validates, it holds no lock: another process's writer gets in without
    waiting (its CLI would say 等待中 on stderr) and commits, before the import asks for the
    write lock."""
    events = Events()
    result = _list_import(db, events, _other_process_registers_the_unit(db, tmp_path))
    assert result.committed, result.files[0].errors[:3]
    assert events.seen[:4] == ["reader in", "reader out", "facts", "other writer committed"]
    assert events.seen[4:] == ["validated", "writer in", "writer out", "revalidated"]


def test_a_change_between_validation_and_write_is_validated_again_like_a_fresh_import(db, tmp_path):
    """The unit registered by the other process in between (区乡村振兴局, short form 区振兴局)
    is the one the list's 区振兴局 resolves to, as a fresh import after it would have it; the
    stale validation would have registered 区振兴局 as a new unit."""
    events = Events()
    result = _list_import(db, events, _other_process_registers_the_unit(db, tmp_path))
    assert result.revalidated and "revalidated" in events.seen

    fresh_db = tmp_path / "fresh.duckdb"
    units = tmp_path / "单位名单.csv"
    listed = tmp_path / "清单.csv"
    listed.write_text(LIST, encoding="utf-8")
    kind, title, day = IMPORT_OPTIONS
    assert run_cli("load", str(units), "--db", str(fresh_db)).returncode == 0
    fresh = run_cli("load", str(listed), "--db", str(fresh_db), "--source-kind", kind, "--source-title", title,
                    "--source-date", day, "--json")
    assert fresh.returncode == 0, fresh.stderr
    (fresh_report,) = json.loads(fresh.stdout)["files"]
    (report,) = result.files
    assert report.new_units == fresh_report["new_units"] == ["区财政局", "区住建局"]
    assert (report.rows, report.tasks_created, report.warnings) == (
        fresh_report["rows"], fresh_report["tasks_created"], fresh_report["warnings"])

    def ledger_content(path: Path):
        with ledger_reader(path) as con:
            return (con.execute("SELECT name, kind FROM units ORDER BY name").fetchall(),
                    con.execute("SELECT alias FROM unit_aliases ORDER BY alias").fetchall(),
                    con.execute("""SELECT t.item, t.content, t.deadline, u.name, tu.role, tu.position
                                   FROM tasks t JOIN task_units tu USING (task_id) JOIN units u USING (unit_id)
                                   ORDER BY t.task_id, tu.role, tu.position""").fetchall())
    assert ledger_content(db) == ledger_content(fresh_db)
    assert "区振兴局" not in [name for name, _ in ledger_content(db)[0]]


def test_an_unrelated_write_in_between_needs_no_second_validation(db, tmp_path):
    """Another process writing what validation does not read (an account) leaves the facts as
    they were: the import writes what it validated, once."""
    def add_account(events: Events) -> None:
        other = subprocess.run([sys.executable, "-m", "etl", "user", "add", "zhangsan", "--role", "督查室",
                                "--db", str(db), "--password-stdin"], cwd=ROOT, capture_output=True, text=True,
                               input="Qc-office-ducha-2026!\n", timeout=60)
        events("account added" if other.returncode == 0 else f"account failed: {other.stderr}")

    events = Events()
    result = _list_import(db, events, add_account)
    assert result.committed and not result.revalidated
    assert events.seen == ["reader in", "reader out", "facts", "account added", "validated", "writer in", "writer out"]
    assert result.files[0].new_units == ["区振兴局", "区财政局", "区住建局"]


def test_a_rejected_import_never_asks_for_the_write_lock(db):
    from datetime import date

    from etl.importer import InputFile, LoadOptions, import_locked

    events = Events()

    def writing():
        events("writer asked")
        return ledger_writer(db)

    # An impossible date (a name that is no unit is only a flag since issue 9).
    bad = "序号,议定事项,牵头单位,完成时限\n1,加快推进老旧小区改造,区财政局,2026年2月30日前\n"
    result = import_locked(lambda: ledger_reader(db), writing, [InputFile("坏.csv", bad.encode())],
                           LoadOptions(source_kind="常务会议", source_title="第1次常务会议", source_date=date(2026, 3, 2)))
    assert not result.committed and result.files[0].errors[0].message == "完成时限中的日期不存在：“2026年2月30日前”"
    assert events.seen == []
