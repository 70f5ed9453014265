"""The demo stays apart from real data: its own ledger, marked as the demo, the only place the
published demo accounts exist; `init --demo` refuses a ledger holding anything else."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from demo.build import DEMO_DB, DemoRefused, build_demo, foreign_content, is_demo_ledger, record_demo_requests
from etl.importer import InputFile, LoadOptions, import_files
from ledger import accounts, queries
from ledger.access import system_user
from ledger.db import DEFAULT_DB, open_ledger

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 6, 15)
REAL_LIST = "序号,工作任务,牵头单位,完成时限\n1,推进老旧小区改造,区住建局,2026年9月30日\n".encode()


@pytest.fixture(autouse=True)
def cheap_hasher():
    previous = accounts.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    accounts.set_hasher(previous)


def _counts(con) -> tuple:
    return tuple(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                 for table in ("tasks", "users", "import_batches", "audit_log"))


def test_the_demo_has_its_own_path():
    assert DEMO_DB != DEFAULT_DB
    assert DEMO_DB.parent.name == "demo"


def test_the_demo_builds_into_an_empty_ledger_and_is_marked(tmp_path):
    con = open_ledger(tmp_path / "demo.duckdb")
    assert not is_demo_ledger(con) and foreign_content(con) == []
    built = build_demo(con, TODAY, out_dir=tmp_path / "files")
    assert built.result.committed
    assert {a[0] for a in built.accounts} == {a.username for a in accounts.DEMO_ACCOUNTS}
    assert is_demo_ledger(con)
    assert foreign_content(con) == []  # everything in it is the demo's
    # The office's 待办 is not empty on the demo's first day: units asked through ledger.actions.
    office = system_user("demo-check")
    counts = queries.queue_counts(con, office, TODAY)
    assert (counts["to_verify"], counts["to_approve"]) == (4, 3)
    askers = con.execute("SELECT DISTINCT actor FROM audit_log WHERE action IN ('claim_done', 'request_extension')").fetchall()
    names = {name for (name,) in con.execute("SELECT name FROM units").fetchall()}
    assert askers and {actor for (actor,) in askers} <= names   # the log names the units that asked
    assert record_demo_requests(con, TODAY) == 0                # a rebuild asks nothing twice


def test_the_demo_is_refused_on_a_ledger_with_real_tasks(tmp_path):
    con = open_ledger(tmp_path / "real.duckdb")
    result = import_files(con, [InputFile("督办清单.csv", REAL_LIST)],
                          LoadOptions(source_kind="常务会议", source_title="区政府第3次常务会议",
                                      source_date=date(2026, 3, 2), today=TODAY))
    assert result.committed
    before = _counts(con)
    with pytest.raises(DemoRefused, match="非演示的导入批次.*非演示的督办事项"):
        build_demo(con, TODAY, out_dir=tmp_path / "files")
    assert _counts(con) == before
    assert not accounts.has_users(con) and not is_demo_ledger(con)


def test_the_demo_is_refused_on_a_ledger_with_a_real_account(tmp_path):
    con = open_ledger(tmp_path / "real.duckdb")
    accounts.create_user(con, system_user(), "zhangsan", "Office-pass-2026", "office")
    before = _counts(con)
    with pytest.raises(DemoRefused, match="1 个非演示账号"):
        build_demo(con, TODAY, out_dir=tmp_path / "files")
    assert _counts(con) == before


def test_init_demo_on_a_real_ledger_exits_1_and_changes_nothing(tmp_path):
    path = tmp_path / "real.duckdb"
    con = open_ledger(path)
    accounts.create_user(con, system_user(), "zhangsan", "Office-pass-2026", "office")
    before = _counts(con)
    con.close()
    done = subprocess.run([sys.executable, "-m", "etl", "init", "--demo", "--db", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "不能载入演示数据" in done.stderr
    assert "qc-office-2026" not in done.stdout + done.stderr
    con = open_ledger(path)
    assert _counts(con) == before


def test_plain_init_creates_no_account_and_says_how_to_add_one(tmp_path):
    path = tmp_path / "new.duckdb"
    done = subprocess.run([sys.executable, "-m", "etl", "init", "--db", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "user add" in done.stdout and "演示账号" not in done.stdout
    con = open_ledger(path)
    assert not accounts.has_users(con) and not is_demo_ledger(con)
