"""Issue 12: a restore says what it reverts and asks first, carries the replaced ledger's later
audit entries into the restored one, and keeps the accounts' current security state; every
file the ledger is made of is private (0600, folders 0700)."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from argon2 import PasswordHasher
from conftest import DASHBOARD_AS_OF, TEST_PASSWORD, build_dashboard_ledger

from etl.__main__ import main
from etl.importer import InputFile, LoadOptions, import_files
from ledger import accounts, actions, backup, history
from ledger.access import User, system_user
from ledger.accounts import LoginFailed
from ledger.db import ledger_reader, ledger_writer

ROOT = Path(__file__).resolve().parent.parent
OFFICE = system_user()
VIEWER = User("ducha", "office", "督查室")
NEW_PASSWORD = "Changed-pass-2027"
EXTRA_CSV = """序号,会议名称,会议日期,议定事项,牵头单位,责任领导,完成时限
1,区政府第9次常务会议,2026-06-01,编制防汛应急预案,区水利局,李四,2026年7月31日前
"""


@pytest.fixture(autouse=True)
def cheap_hasher():
    previous = accounts.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    accounts.set_hasher(previous)


@pytest.fixture
def scene(tmp_path) -> dict:
    """A ledger, its backup, then a day of work after the backup: a task added, one closed,
    a password reset, an account disabled, a role changed."""
    db = build_dashboard_ledger(tmp_path / "ledger.duckdb")
    dest = backup.backup(db, tmp_path / "backups" / "monday.duckdb").dest
    with ledger_writer(db) as con:
        code = con.execute("SELECT code FROM tasks WHERE content = '完成河道综合整治验收'").fetchone()[0]
        # 销号 without 核查 needs the office's setting (issue 11: default 是, refused).
        con.execute("UPDATE settings SET value = '否' WHERE key = 'close_requires_verification'")
        actions.close_task(con, OFFICE, code, DASHBOARD_AS_OF, "书面核查")
        assert import_files(con, [InputFile("extra.csv", EXTRA_CSV.encode())], LoadOptions(today=DASHBOARD_AS_OF)).committed
        accounts.reset_password(con, OFFICE, "caizheng", NEW_PASSWORD)
        accounts.disable_user(con, OFFICE, "shuili")
        accounts.set_role(con, OFFICE, "zhangsan", "leader", leader="李四")
        security = _security(con)
    with duckdb.connect(str(dest), read_only=True) as con:
        backup_last = con.execute("SELECT max(audit_id) FROM audit_log").fetchone()[0]
        backup_tasks = con.execute("SELECT count(*) FROM tasks").fetchone()[0]
    with ledger_reader(db) as con:
        later = con.execute("SELECT * FROM audit_log WHERE audit_id > ? ORDER BY audit_id", [backup_last]).fetchall()
    return {"db": db, "backup": dest, "later": later, "security": security, "backup_tasks": backup_tasks,
            "folder": tmp_path}


def _security(con) -> dict:
    return {row[0]: row[1:] for row in con.execute(
        "SELECT username, password_hash, disabled, session_epoch FROM users ORDER BY username").fetchall()}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(monkeypatch, capsys, *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin) if stdin is not None else io.StringIO(""))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- what it reverts


def test_the_plan_says_what_the_restore_reverts(scene):
    plan = backup.plan_restore(scene["backup"], scene["db"])
    assert (plan.tasks_added, plan.tasks_changed, plan.tasks_removed) == (1, 1, 0)
    assert plan.later_entries == len(scene["later"])
    changed = {c.username: c for c in plan.accounts}
    assert set(changed) == {"caizheng", "shuili", "zhangsan"}
    assert changed["caizheng"].password_changed and changed["shuili"].disabled_changed
    assert changed["zhangsan"].role_changed
    text = "\n".join(plan.describe())
    assert "新增的 1 项事项将被移除" in text and "1 项事项的修改将被撤回" in text
    assert "caizheng：密码已变更，保留现在的密码" in text
    assert "shuili：现为停用，保留现在的状态" in text
    assert f"备份之后写下的 {len(scene['later'])} 条记录" in text
    assert "密码将恢复为备份时的密码" in "\n".join(plan.describe(restore_accounts=True))


@pytest.mark.parametrize("answer", [None, "", "no\n", "n\n"])
def test_the_restore_refuses_without_confirmation(scene, monkeypatch, capsys, answer):
    before = _digest(scene["db"])
    code, out, err = _cli(monkeypatch, capsys, "restore", str(scene["backup"]), "--db", str(scene["db"]),
                          stdin=answer)
    assert code == 1 and "未确认，台账未作任何更改" in err and "--yes" in err
    assert "将用备份" in out and "新增的 1 项事项将被移除" in out      # the summary was shown first
    assert _digest(scene["db"]) == before
    assert not list(scene["folder"].glob("*.before-restore-*"))
    assert not list(scene["folder"].glob(".*.tmp"))


def test_the_restore_goes_on_with_yes_typed_or_given(scene, monkeypatch, capsys):
    code, out, _ = _cli(monkeypatch, capsys, "restore", str(scene["backup"]), "--db", str(scene["db"]), stdin="yes\n")
    assert code == 0 and "确认恢复？" in out and "已从" in out


# --------------------------------------------------------------------------- history and accounts kept


def test_the_later_audit_entries_are_carried_and_marked(scene, monkeypatch, capsys):
    code, out, err = _cli(monkeypatch, capsys, "restore", str(scene["backup"]), "--db", str(scene["db"]), "--yes")
    assert code == 0, err
    assert f"已带入备份之后的 {len(scene['later'])} 条操作日志" in out
    (kept,) = scene["folder"].glob("ledger.duckdb.before-restore-*")
    with ledger_reader(scene["db"]) as con:
        assert con.execute("SELECT count(*) FROM tasks").fetchone()[0] == scene["backup_tasks"]
        (first, last), kept_name = (
            (lambda row: (tuple(int(x) for x in row[1].split("-")), row[0]))(con.execute(
                "SELECT before, after FROM audit_log WHERE action = 'carry' AND field = 'carried_entries'").fetchone()))
        carried = con.execute(
            "SELECT logged_at, actor, action, entity, entity_id, field, before, after, batch_id "
            "FROM audit_log WHERE audit_id BETWEEN ? AND ? ORDER BY audit_id", [first, last]).fetchall()
        last_two = con.execute("SELECT action FROM audit_log ORDER BY audit_id DESC LIMIT 2").fetchall()
        shown = history.audit_entries(con, VIEWER, date(2000, 1, 1), date(2100, 1, 1))
    # Every entry written after the backup, as it was (time, actor, values), in order, marked; an
    # import batch the restored ledger does not hold is not named (its entity_id still says which).
    assert [row[:8] for row in carried] == [row[1:9] for row in scene["later"]]
    assert {row[8] for row in carried} == {None}
    assert kept_name == kept.name
    assert {"close", "import", "password_reset", "disable", "update"} <= {row[2] for row in carried}
    assert last_two == [("restore",), ("carry",)]   # the restore itself comes after what it carried
    marked = shown.filter(shown["note_label"] == history.CARRIED_NOTE)
    assert marked.height == len(carried) and set(marked["carried_from"]) == {kept.name}
    assert sorted(marked["audit_id"].to_list()) == list(range(first, last + 1))
    assert set(shown.filter(shown["carried_from"].is_null())["note_label"]) == {""}
    assert "带入恢复前的记录" in set(shown["action_label"])


def test_a_second_restore_keeps_the_first_ones_marks_right(scene, monkeypatch, capsys):
    """Restoring twice: the entries carried the first time are carried again, and marked; the
    first carry entry, carried along, no longer speaks of this file's ids."""
    assert _cli(monkeypatch, capsys, "restore", str(scene["backup"]), "--db", str(scene["db"]), "--yes")[0] == 0
    with ledger_writer(scene["db"]) as con:
        accounts.enable_user(con, OFFICE, "shuili")
    assert _cli(monkeypatch, capsys, "restore", str(scene["backup"]), "--db", str(scene["db"]), "--yes")[0] == 0
    with ledger_reader(scene["db"]) as con:
        shown = history.audit_entries(con, VIEWER, date(2000, 1, 1), date(2100, 1, 1))
        total = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with duckdb.connect(str(scene["backup"]), read_only=True) as con:
        backup_entries = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    marked = shown.filter(shown["note_label"] == history.CARRIED_NOTE)
    # Everything after the backup: the first carry (its entries, its carry and restore entries)
    # and the enable, all marked; nothing of the backup's own entries.
    assert marked.height == len(scene["later"]) + 2 + 1
    assert "enable" in set(marked["action"])
    assert shown.height == total == backup_entries + marked.height + 2   # + this restore's carry and restore


def test_accounts_keep_their_current_security_state(scene, monkeypatch, capsys):
    code, out, err = _cli(monkeypatch, capsys, "restore", str(scene["backup"]), "--db", str(scene["db"]), "--yes")
    assert code == 0, err
    assert "账号的密码和停用状态：保留恢复前的状态" in out
    with ledger_reader(scene["db"]) as con:
        now = _security(con)
        for name, (password_hash, disabled, epoch) in scene["security"].items():
            assert now[name][:2] == (password_hash, disabled), name
            assert now[name][2] >= epoch, name
        # The role goes back to the backup's, so the sessions signed in under the new one end.
        assert now["zhangsan"][2] > scene["security"]["zhangsan"][2]
        assert accounts.authenticate(con, "caizheng", NEW_PASSWORD, client="10.0.0.1", rehash=False)
        with pytest.raises(LoginFailed):
            accounts.authenticate(con, "caizheng", TEST_PASSWORD, client="10.0.0.2", rehash=False)
        with pytest.raises(LoginFailed, match="账号已停用"):
            accounts.authenticate(con, "shuili", TEST_PASSWORD, client="10.0.0.3", rehash=False)


def test_restore_accounts_brings_back_the_backups_and_ends_every_session(scene, monkeypatch, capsys):
    code, out, err = _cli(monkeypatch, capsys, "restore", str(scene["backup"]), "--db", str(scene["db"]), "--yes",
                          "--restore-accounts")
    assert code == 0, err
    assert "所有已登录的会话已结束" in out
    with ledger_reader(scene["db"]) as con:
        now = _security(con)
        assert now["shuili"][1] is False
        assert all(now[name][2] > epoch for name, (_, _, epoch) in scene["security"].items())
        assert accounts.authenticate(con, "caizheng", TEST_PASSWORD, client="10.0.0.1", rehash=False)


# --------------------------------------------------------------------------- private files


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_file_of_the_ledger_is_private(scene, monkeypatch, capsys):
    db, folder = scene["db"], scene["folder"]
    with ledger_reader(db) as con:   # a sign-in: the sign-in store is made
        with pytest.raises(LoginFailed):
            accounts.authenticate(con, "nobody", "Wrong-pass-1")
    code, _, err = _cli(monkeypatch, capsys, "restore", str(scene["backup"]), "--db", str(db), "--yes")
    assert code == 0, err
    files = [db, *(db.with_name(db.name + suffix) for suffix in (".lock", ".lock.gate", ".version", ".signins.sqlite")),
             scene["backup"], *folder.glob("ledger.duckdb.before-restore-*")]
    files += [p for p in folder.glob("ledger.duckdb.signins.sqlite-*")]
    assert len(files) >= 7
    assert {str(p): _mode(p) for p in files} == {str(p): 0o600 for p in files}
    assert _mode(scene["backup"].parent) == 0o700


def test_a_fresh_process_creates_private_files_and_tightens_existing_ones(tmp_path):
    """In a process whose umask is the usual 022: init, a write that leaves a .wal, a backup into a new
    folder; then files made world-readable are made private again when the ledger is opened."""
    db = tmp_path / "new" / "ledger.duckdb"
    code = f"""
import os, stat, sys
os.umask(0o022)
from etl.__main__ import main
assert main(["init", "--db", {str(db)!r}]) == 0
from ledger.db import ledger_writer
with ledger_writer({str(db)!r}) as con:
    con.execute("INSERT OR REPLACE INTO settings VALUES ('probe', 'x')")
    wal = {str(db)!r} + ".wal"
    print("wal", oct(stat.S_IMODE(os.stat(wal).st_mode)) if os.path.exists(wal) else "none")
assert main(["backup", "--db", {str(db)!r}, {str(tmp_path / 'kept' / 'b.duckdb')!r}]) == 0
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "wal 0o600" in result.stdout   # DuckDB's log, made while a writer works
    made = [db, *(p for p in db.parent.iterdir() if p.name.startswith(db.name)), tmp_path / "kept" / "b.duckdb"]
    assert {str(p): _mode(p) for p in made} == {str(p): 0o600 for p in made}
    assert _mode(db.parent) == 0o700 and _mode(tmp_path / "kept") == 0o700

    for path in made:
        os.chmod(path, 0o644)
    with ledger_reader(db):
        pass
    ledger_files = [p for p in db.parent.iterdir() if p.name.startswith(db.name)]
    assert {str(p): _mode(p) for p in ledger_files} == {str(p): 0o600 for p in ledger_files}
