"""Local accounts: argon2 hashes, password policy, login with lockout, the audit trail, demo
accounts and the `user` command line. Real DuckDB files in tmp_path throughout."""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from argon2 import PasswordHasher

from etl import users_cli
from ledger import accounts, audit, signins
from ledger.access import AccessDenied, User, system_user
from ledger.accounts import AccountError, LoginFailed
from ledger.db import open_ledger

# The library's default parameters cost about 0.2 s per hash; tests use cheap ones through
# accounts.set_hasher (a test-only override). Production never calls set_hasher.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
OFFICE = system_user()
T0 = datetime(2026, 6, 15, 9, 0, 0)


@pytest.fixture(autouse=True)
def cheap_hasher():
    previous = accounts.set_hasher(CHEAP)
    yield
    accounts.set_hasher(previous)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A ledger with two leaders and two units (one with an alias), built once per module."""
    path = tmp_path_factory.mktemp("template") / "ledger.duckdb"
    con = open_ledger(path)
    con.execute("INSERT INTO leaders (name, title, rank, is_principal) VALUES ('王五', '区长', 1, true), "
                "('李四', '副区长', 2, false)")
    con.execute("INSERT INTO units (name, kind, leader_id) SELECT '区住房和城乡建设局', '部门', leader_id "
                "FROM leaders WHERE name = '李四'")
    con.execute("INSERT INTO units (name, kind) VALUES ('区财政局', '部门')")
    con.execute("INSERT INTO unit_aliases SELECT '区住建局', unit_id FROM units WHERE name = '区住房和城乡建设局'")
    con.execute("CHECKPOINT")
    con.close()
    return path


@pytest.fixture
def db_path(template, tmp_path) -> Path:
    """A fresh copy of the template ledger file."""
    path = tmp_path / "ledger.duckdb"
    shutil.copyfile(template, path)
    return path


@pytest.fixture
def con(db_path):
    connection = open_ledger(db_path)
    yield connection
    connection.close()


def _audit(con, username: str | None = None) -> list[dict]:
    query = "SELECT * FROM audit_log WHERE entity = 'user'" + (" AND entity_id = ?" if username else "")
    cursor = con.execute(query + " ORDER BY audit_id", [username] if username else [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _actions(con, username: str) -> list[str]:
    return [entry["action"] for entry in _audit(con, username)]


def _signins(con, username: str | None = None) -> list[dict]:
    """The sign-in store's events (issue 12: logins are kept beside the ledger, not in its
    audit log), in the audit log's terms: the account tried is the actor, why is in `after`."""
    return [{"action": e["action"], "actor": e["username"], "entity_id": e["username"], "field": None,
             "before": None, "after": e["note"], "logged_at": e["logged_at"], "client": e["client"]}
            for e in accounts.signin_store(con).events() if username is None or e["username"] == username]


def _signin_actions(con, username: str) -> list[str]:
    return [entry["action"] for entry in _signins(con, username)]


def _unit_id(con, name: str) -> int:
    return con.execute("SELECT unit_id FROM units WHERE name = ?", [name]).fetchone()[0]


def _leader_id(con, name: str) -> int:
    return con.execute("SELECT leader_id FROM leaders WHERE name = ?", [name]).fetchone()[0]


# --- schema -----------------------------------------------------------------------------------


def test_migration_adds_users_and_login_settings(con):
    columns = {row[0] for row in con.execute("DESCRIBE users").fetchall()}
    assert {"username", "display_name", "role", "unit_id", "leader_id", "password_hash", "failed_logins",
            "locked_until", "disabled", "created_at", "password_changed_at", "last_login_at"} <= columns
    settings = dict(con.execute("SELECT key, value FROM settings").fetchall())
    assert settings["login_max_failures"] == "5"
    assert settings["login_lockout_minutes"] == "15"
    assert settings["session_idle_minutes"] == "30"
    assert settings["session_max_hours"] == "8"
    assert accounts.session_limits(con) == (timedelta(minutes=30), timedelta(hours=8))
    con.execute("UPDATE settings SET value = '10' WHERE key = 'session_idle_minutes'")
    con.execute("UPDATE settings SET value = 'x' WHERE key = 'session_max_hours'")  # falls back to the default
    assert accounts.session_limits(con) == (timedelta(minutes=10), timedelta(hours=8))


def test_role_checks_in_the_table(con):
    with pytest.raises(Exception, match="CHECK"):
        con.execute("INSERT INTO users (username, role, password_hash, created_at, password_changed_at) "
                    "VALUES ('x1x', 'unit', 'h', now(), now())")


# --- creating accounts ------------------------------------------------------------------------


def test_password_is_an_argon2_hash_and_nowhere_in_plain_text(db_path):
    secret = "Zq-7-unique-Secret"
    con = open_ledger(db_path)
    accounts.create_user(con, OFFICE, "zhangsan", secret, "督查室", display_name="张三")
    accounts.reset_password(con, OFFICE, "zhangsan", secret + "-2")
    stored = con.execute("SELECT password_hash FROM users WHERE username = 'zhangsan'").fetchone()[0]
    assert stored.startswith("$argon2id$")
    # No text column of any table holds the password (or, outside users, the hash).
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
    ).fetchall():
        hits = con.execute(f'SELECT count(*) FROM "{table}" WHERE contains("{column}", ?) OR contains("{column}", ?)',
                           [secret, "unique-Secret"]).fetchone()[0]
        assert hits == 0, (table, column)
        if table != "users":
            assert con.execute(f'SELECT count(*) FROM "{table}" WHERE contains("{column}", \'$argon2\')').fetchone()[0] == 0
    con.execute("CHECKPOINT")
    con.close()
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
    raw = b"".join(p.read_bytes() for p in files)
    for variant in (secret, secret + "-2", "unique-Secret"):
        assert variant.encode() not in raw
        assert variant.encode("utf-16-le") not in raw
    assert b"zhangsan" in raw  # the check does see the file's strings


@pytest.mark.parametrize("password, message", [
    ("short-1", "至少需要10个字符"),
    ("abcdefghijkl", "至少两类字符"),
    ("zhangsan-2026", "不能包含用户名"),
    ("ZhangSan-2026", "不能包含用户名"),
    ("aaaaa11111", "过于简单"),
    ("mypassword-9", "过于常见"),
    ("ab-123456-cd", "过于常见"),
    (" leading-space-1", "空格"),
    ("x" * 120 + "-1234567890", "不能超过128"),
])
def test_password_policy(con, password, message):
    with pytest.raises(AccountError, match=message):
        accounts.create_user(con, OFFICE, "zhangsan", password, "office")
    assert not accounts.has_users(con)
    assert _audit(con) == []


def test_good_passwords_pass_the_policy():
    for password in ("qc-office-2026", "Winter.Lake.17", "督查室办公2026年", "Tr0ub4dor&3x"):
        accounts.check_password_policy(password, "zhangsan")


@pytest.mark.parametrize("username", ["ab", "a" * 33, "张三", "zhang san", "-zhang", "zhang@x", "cli", "demo"])
def test_username_rules(con, username):
    with pytest.raises(AccountError):
        accounts.create_user(con, OFFICE, username, "Good-pass-2026", "office")


def test_usernames_are_case_insensitive_and_unique(con):
    user = accounts.create_user(con, OFFICE, "Zhang.San_1", "Good-pass-2026", "office")
    assert user.username == "zhang.san_1"
    with pytest.raises(AccountError, match="已存在"):
        accounts.create_user(con, OFFICE, "ZHANG.SAN_1", "Other-pass-2026", "office")
    assert accounts.authenticate(con, "ZHANG.san_1", "Good-pass-2026", now=T0).username == "zhang.san_1"


def test_roles_units_and_leaders(con):
    office = accounts.create_user(con, OFFICE, "ducha1", "Good-pass-2026", "督查室", display_name="张三")
    assert (office.role, office.unit_id, office.leader_id, office.label) == ("office", None, None, "张三（督查室）")
    unit = accounts.create_user(con, OFFICE, "zhujian", "Good-pass-2026", "单位", unit="区住建局")  # by alias
    assert unit.role == "unit" and unit.unit_id == _unit_id(con, "区住房和城乡建设局")
    assert unit.display_name == "区住房和城乡建设局"
    mayor = accounts.create_user(con, OFFICE, "wangwu", "Good-pass-2026", "leader", leader="王五")
    assert mayor.leader_id == _leader_id(con, "王五") and mayor.is_principal and mayor.sees_all
    deputy = accounts.create_user(con, OFFICE, "lisi", "Good-pass-2026", "领导", leader="李四副区长")
    assert deputy.leader_id == _leader_id(con, "李四") and not deputy.is_principal

    for role, kwargs, message in (
        ("unit", {}, "需要指定所属单位"),
        ("unit", {"unit": "区不存在局"}, "没有单位"),
        ("unit", {"unit": "区财政局", "leader": "李四"}, "不要指定领导"),
        ("leader", {}, "需要指定对应的领导"),
        ("leader", {"leader": "赵六"}, "没有领导"),
        ("leader", {"leader": "李四", "unit": "区财政局"}, "不要指定单位"),
        ("office", {"unit": "区财政局"}, "不对应单位或领导"),
        ("admin", {}, "角色“admin”无效"),
    ):
        with pytest.raises(AccountError, match=message):
            accounts.create_user(con, OFFICE, "someone", "Good-pass-2026", role, **kwargs)
    assert accounts.get_user(con, "someone") is None


def test_get_user_and_list_users(con):
    accounts.create_user(con, OFFICE, "ducha1", "Good-pass-2026", "office")
    accounts.create_user(con, OFFICE, "caizheng", "Good-pass-2026", "unit", unit="区财政局", display_name="王会计")
    assert accounts.get_user(con, "nobody") is None
    user = accounts.get_user(con, "CaiZheng")
    assert user == User("caizheng", "unit", "王会计", unit_id=_unit_id(con, "区财政局"))
    frame = accounts.list_users(con, OFFICE)
    assert frame["username"].to_list() == ["ducha1", "caizheng"]
    assert frame.filter(frame["username"] == "caizheng")["unit"].item() == "区财政局"
    assert not any("hash" in c for c in frame.columns)
    assert not any("$argon2" in str(v) for row in frame.rows() for v in row)
    accounts.disable_user(con, OFFICE, "caizheng")
    assert accounts.get_user(con, "caizheng") is None


# --- login ------------------------------------------------------------------------------------


def test_login_success_returns_the_user_and_is_audited(con):
    accounts.create_user(con, OFFICE, "zhujian", "Good-pass-2026", "unit", unit="区住房和城乡建设局")
    user = accounts.authenticate(con, "zhujian", "Good-pass-2026", now=T0)
    assert user.role == "unit" and user.unit_id == _unit_id(con, "区住房和城乡建设局")
    # Issue 12: the last login and the login event live in the sign-in store, not the ledger.
    assert accounts.signin_store(con).last_logins()["zhujian"] == T0
    assert accounts.list_users(con, OFFICE).row(by_predicate=pl.col("username") == "zhujian",
                                                 named=True)["last_login_at"] == T0
    entry = _signins(con, "zhujian")[-1]
    assert (entry["action"], entry["actor"], entry["logged_at"]) == ("login", "zhujian", T0)
    accounts.record_logout(con, user, now=T0 + timedelta(minutes=5))
    accounts.record_logout(con, user, expired=True)
    logouts = [e for e in _signins(con, "zhujian") if e["action"] == "logout"]
    assert [e["after"] for e in logouts] == ["主动退出", "会话超时"]


def test_full_width_input_matches(con):
    accounts.create_user(con, OFFICE, "zhujian", "Good-pass-2026", "unit", unit="区财政局")
    assert accounts.authenticate(con, "ｚｈｕｊｉａｎ", "Ｇｏｏｄ－ｐａｓｓ－２０２６", now=T0).username == "zhujian"


def test_unknown_user_and_wrong_password_look_the_same(con):
    accounts.create_user(con, OFFICE, "zhujian", "Good-pass-2026", "unit", unit="区财政局")
    calls = []

    class Spy(PasswordHasher):
        def verify(self, hash, password):
            calls.append(hash)
            return super().verify(hash, password)

    accounts.set_hasher(Spy(time_cost=1, memory_cost=1024, parallelism=1))
    messages = []
    for name, password in (("zhujian", "Wrong-pass-2026"), ("nobody", "Wrong-pass-2026"), ("nobody", "")):
        with pytest.raises(LoginFailed) as failed:
            accounts.authenticate(con, name, password, now=T0)
        messages.append(str(failed.value))
    assert messages == ["用户名或密码错误"] * 3
    assert len(calls) == 3  # an unknown user is checked against a dummy hash too
    unknown = [e for e in _signins(con, "nobody")]
    assert [(e["action"], e["actor"], e["after"]) for e in unknown] == [("login_failed", "nobody", "用户名不存在")] * 2
    # Something that cannot be a username (a password typed into the wrong box) is not logged as typed.
    with pytest.raises(LoginFailed, match="用户名或密码错误"):
        accounts.authenticate(con, "My secret pass!", "x", now=T0)
    assert not any("secret" in str(v) for e in _audit(con) + _signins(con) for v in e.values())


def test_unknown_user_takes_about_as_long_as_a_wrong_password(con):
    accounts.set_hasher(PasswordHasher(time_cost=2, memory_cost=16384, parallelism=1))
    accounts.create_user(con, OFFICE, "zhujian", "Good-pass-2026", "unit", unit="区财政局")

    def timed(name: str) -> float:
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            with pytest.raises(LoginFailed):
                accounts.authenticate(con, name, "Wrong-pass-2026", now=T0)
            runs.append(time.perf_counter() - start)
        accounts.unlock_user(con, OFFICE, "zhujian")
        return statistics.median(runs)

    wrong, unknown = timed("zhujian"), timed("nobody")
    assert 0.33 < unknown / wrong < 3, (unknown, wrong)


def test_lockout_after_repeated_failures_and_unlock_after_the_lockout_time(con):
    # Issue 12: no hard lock with its own message; after login_max_failures (5) failures the
    # account waits (30 s, then doubling) for the clients that failed on it, and answers as
    # for a wrong password.
    accounts.create_user(con, OFFICE, "zhujian", "Good-pass-2026", "unit", unit="区财政局")
    for i in range(4):
        with pytest.raises(LoginFailed, match="^用户名或密码错误$"):
            accounts.authenticate(con, "zhujian", f"Wrong-pass-{i}", now=T0 + timedelta(seconds=i))
    with pytest.raises(LoginFailed, match="^用户名或密码错误$"):   # was 账号已锁定，请15分钟后再试或联系督查室
        accounts.authenticate(con, "zhujian", "Wrong-pass-5", now=T0 + timedelta(seconds=4))
    state = accounts.signin_store(con).account_state("zhujian", T0 + timedelta(seconds=4))
    assert state.wait_until == T0 + timedelta(seconds=4 + 30)
    # The right password does not help the guessing client while it waits.
    with pytest.raises(LoginFailed, match="^用户名或密码错误$"):
        accounts.authenticate(con, "zhujian", "Good-pass-2026", now=T0 + timedelta(seconds=10))
    # After the wait it does, and the count starts again.
    user = accounts.authenticate(con, "zhujian", "Good-pass-2026", now=T0 + timedelta(minutes=16))
    assert user.username == "zhujian"
    assert accounts.signin_store(con).account_state("zhujian", T0 + timedelta(minutes=16)) == signins.Counter()
    actions = _signin_actions(con, "zhujian")
    assert actions[-8:] == ["login_failed"] * 5 + ["throttled", "login_throttled", "login"]
    throttled = next(e for e in _signins(con, "zhujian") if e["action"] == "throttled")
    assert (throttled["actor"], throttled["logged_at"]) == ("zhujian", T0 + timedelta(seconds=4))
    assert "2026-06-15 09:00:34" in throttled["after"]
    assert not [e for e in _audit(con, "zhujian") if e["action"] in ("login_failed", "locked", "login")]


def test_an_expired_lockout_starts_a_fresh_count(con):
    con.execute("UPDATE settings SET value = '3' WHERE key = 'login_max_failures'")
    con.execute("UPDATE settings SET value = '5' WHERE key = 'login_lockout_minutes'")
    accounts.create_user(con, OFFICE, "zhujian", "Good-pass-2026", "unit", unit="区财政局")
    for i in range(3):
        with pytest.raises(LoginFailed):
            accounts.authenticate(con, "zhujian", "Wrong-pass-x", now=T0 + timedelta(seconds=i))
    assert accounts.signin_store(con).account_state("zhujian", T0).wait_until is not None
    later = T0 + signins.WINDOW + timedelta(minutes=6)   # was 6 minutes: counts now last signins.WINDOW
    with pytest.raises(LoginFailed, match="^用户名或密码错误$"):
        accounts.authenticate(con, "zhujian", "Wrong-pass-x", now=later)
    assert accounts.signin_store(con).account_state("zhujian", later) == signins.Counter(1, None)


def test_success_resets_the_failure_count(con):
    accounts.create_user(con, OFFICE, "zhujian", "Good-pass-2026", "unit", unit="区财政局")
    for _ in range(4):
        with pytest.raises(LoginFailed):
            accounts.authenticate(con, "zhujian", "Wrong-pass-x", now=T0)
    accounts.authenticate(con, "zhujian", "Good-pass-2026", now=T0)
    for _ in range(4):
        with pytest.raises(LoginFailed, match="用户名或密码错误"):
            accounts.authenticate(con, "zhujian", "Wrong-pass-x", now=T0)
    assert accounts.signin_store(con).account_state("zhujian", T0).failures == 4


def test_office_unlocks_and_resets(con):
    accounts.create_user(con, OFFICE, "zhujian", "Good-pass-2026", "unit", unit="区财政局")
    for _ in range(5):
        with pytest.raises(LoginFailed):
            accounts.authenticate(con, "zhujian", "Wrong-pass-x", now=T0)
    assert accounts.unlock_user(con, OFFICE, "zhujian")
    assert not accounts.unlock_user(con, OFFICE, "zhujian")
    assert accounts.authenticate(con, "zhujian", "Good-pass-2026", now=T0).username == "zhujian"
    for _ in range(5):
        with pytest.raises(LoginFailed):
            accounts.authenticate(con, "zhujian", "Wrong-pass-x", now=T0)
    with pytest.raises(AccountError, match="不能与原密码相同"):
        accounts.reset_password(con, OFFICE, "zhujian", "Good-pass-2026")
    with pytest.raises(AccountError, match="至少需要10个字符"):
        accounts.reset_password(con, OFFICE, "zhujian", "short")
    accounts.reset_password(con, OFFICE, "zhujian", "New-pass-2027")  # also lifts the lockout
    with pytest.raises(LoginFailed, match="用户名或密码错误"):
        accounts.authenticate(con, "zhujian", "Good-pass-2026", now=T0)
    assert accounts.authenticate(con, "zhujian", "New-pass-2027", now=T0).username == "zhujian"
    unlock = [(e["action"], e["field"], e["before"], e["after"]) for e in _audit(con, "zhujian")
              if e["action"] in ("unlock", "password_reset")]
    assert unlock[0] == ("unlock", "locked_until", "2026-06-15 09:00:30", None)   # was 09:15:00 (a 15-minute lock)
    assert unlock[1] == ("unlock", "failed_logins", "5", "0")
    assert ("password_reset", "password", None, "已修改") in unlock
    assert ("password_reset", "failed_logins", "5", "0") in unlock


def test_disabled_accounts(con):
    accounts.create_user(con, OFFICE, "ducha1", "Good-pass-2026", "office")
    accounts.create_user(con, OFFICE, "zhujian", "Good-pass-2026", "unit", unit="区财政局")
    assert accounts.disable_user(con, OFFICE, "zhujian")
    assert not accounts.disable_user(con, OFFICE, "zhujian")
    with pytest.raises(LoginFailed, match="^账号已停用$"):
        accounts.authenticate(con, "zhujian", "Good-pass-2026", now=T0)
    # Without the right password a disabled account gives nothing away.
    with pytest.raises(LoginFailed, match="^用户名或密码错误$"):
        accounts.authenticate(con, "zhujian", "Wrong-pass-x", now=T0)
    assert accounts.enable_user(con, OFFICE, "zhujian")
    assert not accounts.enable_user(con, OFFICE, "zhujian")
    assert accounts.authenticate(con, "zhujian", "Good-pass-2026", now=T0).username == "zhujian"
    entries = [(e["action"], e["field"], e["before"], e["after"]) for e in _audit(con, "zhujian")]
    assert ("disable", "disabled", "否", "是") in entries and ("enable", "disabled", "是", "否") in entries
    entries = [(e["action"], e["field"], e["before"], e["after"]) for e in _signins(con, "zhujian")]
    assert ("login_failed", None, None, "账号已停用") in entries


def test_the_last_office_account_stays(con):
    accounts.create_user(con, OFFICE, "ducha1", "Good-pass-2026", "office")
    with pytest.raises(AccountError, match="最后一个可用的督查室账号"):
        accounts.disable_user(con, OFFICE, "ducha1")
    with pytest.raises(AccountError, match="最后一个可用的督查室账号"):
        accounts.set_role(con, OFFICE, "ducha1", "unit", unit="区财政局")
    accounts.create_user(con, OFFICE, "ducha2", "Good-pass-2026", "office")
    assert accounts.disable_user(con, OFFICE, "ducha1")
    assert con.execute("SELECT role, disabled FROM users WHERE username = 'ducha1'").fetchone() == ("office", True)


def test_set_role(con):
    accounts.create_user(con, OFFICE, "lisi", "Good-pass-2026", "unit", unit="区财政局", display_name="李四")
    user = accounts.set_role(con, OFFICE, "lisi", "领导", leader="李四")
    assert (user.role, user.unit_id, user.leader_id) == ("leader", None, _leader_id(con, "李四"))
    entries = [(e["action"], e["field"], e["before"], e["after"]) for e in _audit(con, "lisi")][-3:]
    assert entries == [("update", "role", "单位", "领导"), ("update", "unit", "区财政局", None),
                       ("update", "leader", None, "李四")]
    user = accounts.set_role(con, OFFICE, "lisi", "leader", leader="王五", display_name="王五秘书")
    assert user.is_principal and user.display_name == "王五秘书"
    with pytest.raises(AccountError, match="不存在"):
        accounts.set_role(con, OFFICE, "nobody", "office")


def test_rehash_when_the_parameters_change(con):
    accounts.create_user(con, OFFICE, "zhujian", "Good-pass-2026", "unit", unit="区财政局")
    old = con.execute("SELECT password_hash FROM users WHERE username = 'zhujian'").fetchone()[0]
    assert "m=1024,t=1,p=1" in old
    accounts.set_hasher(PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    accounts.authenticate(con, "zhujian", "Good-pass-2026", now=T0)
    new = con.execute("SELECT password_hash FROM users WHERE username = 'zhujian'").fetchone()[0]
    assert "m=2048,t=2,p=1" in new
    assert _actions(con, "zhujian")[-1] == "rehash" and _signin_actions(con, "zhujian")[-1] == "login"
    accounts.authenticate(con, "zhujian", "Good-pass-2026", now=T0)
    assert _actions(con, "zhujian").count("rehash") == 1
    assert _signin_actions(con, "zhujian")[-2:] == ["login", "login"]


def test_production_uses_the_library_defaults():
    default = PasswordHasher()
    accounts.set_hasher(None)
    hasher = accounts._hasher
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
        default.time_cost, default.memory_cost, default.parallelism)


# --- permissions and the audit trail ----------------------------------------------------------


@pytest.mark.parametrize("actor", [
    User("lisi", "leader", leader_id=2),
    User("wangwu", "leader", leader_id=1, is_principal=True),
    User("caizheng", "unit", unit_id=2),
])
def test_only_the_office_manages_accounts(con, actor):
    accounts.create_user(con, OFFICE, "zhujian", "Good-pass-2026", "unit", unit="区财政局")
    before = _audit(con)
    calls = (
        lambda: accounts.create_user(con, actor, "newone", "Good-pass-2026", "office"),
        lambda: accounts.reset_password(con, actor, "zhujian", "Other-pass-2026"),
        lambda: accounts.set_role(con, actor, "zhujian", "office"),
        lambda: accounts.disable_user(con, actor, "zhujian"),
        lambda: accounts.enable_user(con, actor, "zhujian"),
        lambda: accounts.unlock_user(con, actor, "zhujian"),
        lambda: accounts.list_users(con, actor),
    )
    for call in calls:
        with pytest.raises(AccessDenied, match="无权管理账号"):
            call()
    assert _audit(con) == before
    assert con.execute("SELECT count(*) FROM users").fetchone()[0] == 1


def test_every_change_and_login_is_audited_without_secrets(con):
    actor = User("boss", "office", "督查室主任")
    secrets = ["Good-pass-2026", "New-pass-2027", "Wrong-pass-1"]
    accounts.create_user(con, actor, "zhujian", secrets[0], "unit", unit="区财政局")
    accounts.reset_password(con, actor, "zhujian", secrets[1])
    accounts.set_role(con, actor, "zhujian", "unit", unit="区住建局")
    with pytest.raises(LoginFailed):
        accounts.authenticate(con, "zhujian", secrets[2], now=T0)
    accounts.unlock_user(con, actor, "zhujian")
    user = accounts.authenticate(con, "zhujian", secrets[1], now=T0)
    accounts.record_logout(con, user)
    accounts.disable_user(con, actor, "zhujian")
    accounts.enable_user(con, actor, "zhujian")
    entries = _audit(con, "zhujian")
    # Issue 12: login_failed, login and logout are in the sign-in store, the account changes in the ledger.
    assert [e["action"] for e in entries] == [
        "create", "create", "create", "create",   # role, display_name, unit, password
        "password_reset", "update", "unlock", "disable", "enable"]
    assert _signin_actions(con, "zhujian") == ["login_failed", "login", "logout"]
    assert all(e["entity"] == "user" and e["entity_id"] == "zhujian" and e["logged_at"] for e in entries)
    by_actor = {e["action"]: e["actor"] for e in entries + _signins(con, "zhujian")}
    assert by_actor["create"] == by_actor["update"] == by_actor["disable"] == "boss"
    assert by_actor["login"] == by_actor["login_failed"] == by_actor["logout"] == "zhujian"
    assert {(e["field"], e["before"], e["after"]) for e in entries if e["field"] == "password"} == {
        ("password", None, "已设置"), ("password", None, "已修改")}
    assert ("unit", "区财政局", "区住房和城乡建设局") in {(e["field"], e["before"], e["after"]) for e in entries}
    for entry in _audit(con) + _signins(con):
        for value in entry.values():
            text = str(value)
            assert "$argon2" not in text and not any(secret in text for secret in secrets)
    raw = accounts.signin_store(con).path.read_bytes()
    assert b"$argon2" not in raw and not any(secret.encode() in raw for secret in secrets)


def test_nothing_updates_or_deletes_audit_entries():
    for module in (Path(accounts.__file__), Path(users_cli.__file__), Path(audit.__file__),
                   Path(audit.__file__).parent / "sql" / "audit" / "append.sql"):
        source = module.read_text(encoding="utf-8")
        assert not re.search(r"(UPDATE|DELETE\s+FROM)\s+audit_log", source, re.IGNORECASE), module


def test_a_failed_change_writes_nothing(con, monkeypatch):
    accounts.create_user(con, OFFICE, "zhujian", "Good-pass-2026", "unit", unit="区财政局")
    before = _audit(con)
    real = audit.record

    def failing(con, actor, entries, **kwargs):
        entries = list(entries)
        real(con, actor, entries, **kwargs)   # the entries are written, then the writer fails
        if any(entry.field == "unit" for entry in entries):
            raise RuntimeError("boom")

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(RuntimeError):
        accounts.set_role(con, OFFICE, "zhujian", "unit", unit="区住建局")
    assert _audit(con) == before
    assert accounts.get_user(con, "zhujian").unit_id == _unit_id(con, "区财政局")


# --- demo accounts and the first account ------------------------------------------------------


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory) -> Path:
    from demo.build import load_demo

    folder = tmp_path_factory.mktemp("demo_accounts")
    previous = accounts.set_hasher(CHEAP)
    con = open_ledger(folder / "ledger.duckdb")
    try:
        assert load_demo(con, date(2026, 6, 15), out_dir=folder / "files").committed
        assert not accounts.has_users(con)
        created = accounts.create_demo_accounts(con)
        assert [row[0] for row in created] == [a.username for a in accounts.DEMO_ACCOUNTS]
        assert accounts.create_demo_accounts(con) == []  # idempotent
    finally:
        con.close()
        accounts.set_hasher(previous)
    return folder / "ledger.duckdb"


def test_demo_accounts_log_in_and_map_to_the_demo_district(demo_path):
    con = open_ledger(demo_path)
    try:
        users = {a.username: accounts.authenticate(con, a.username, a.password, now=T0)
                 for a in accounts.DEMO_ACCOUNTS}
        assert set(users) == {"ducha", "lingdao", "quzhang", "danwei"}
        assert users["ducha"].role == "office"
        assert users["quzhang"].role == "leader" and users["quzhang"].is_principal
        assert users["quzhang"].leader_id == _leader_id(con, "林志远")
        lingdao = users["lingdao"]
        assert lingdao.role == "leader" and not lingdao.is_principal
        assert con.execute("SELECT title FROM leaders WHERE leader_id = ?", [lingdao.leader_id]).fetchone()[0] == "副区长"
        danwei = users["danwei"]
        assert danwei.role == "unit" and danwei.unit_id == _unit_id(con, "区住房和城乡建设局")
        # The leader account is 分管领导 of the unit account's unit, and of several units.
        assert con.execute("SELECT leader_id FROM units WHERE unit_id = ?", [danwei.unit_id]).fetchone()[0] == lingdao.leader_id
        assert con.execute("SELECT count(*) FROM units WHERE leader_id = ?", [lingdao.leader_id]).fetchone()[0] >= 3
        # The unit leads many tasks, open and closed.
        led = dict(con.execute("SELECT t.lifecycle, count(*) FROM task_units tu JOIN tasks t USING (task_id) "
                               "WHERE tu.unit_id = ? AND tu.role = 'lead' GROUP BY ALL", [danwei.unit_id]).fetchall())
        assert led.get("open", 0) >= 10 and led.get("closed", 0) >= 3
        for account in accounts.DEMO_ACCOUNTS:
            accounts.check_password_policy(account.password, account.username)
            assert account.description and account.role_label in ("督查室", "领导", "单位")
        actors = {e["actor"] for e in _audit(con) if e["action"] == "create"}
        assert actors == {"demo"}
    finally:
        con.close()


def test_demo_accounts_need_the_demo_district(con):
    with pytest.raises(AccountError, match="没有"):
        accounts.create_demo_accounts(con)
    assert not accounts.has_users(con)


def test_first_account_hint():
    assert "督查室" in accounts.FIRST_ACCOUNT_HINT
    assert "python -m etl user add" in accounts.FIRST_ACCOUNT_HINT
    assert "--role 督查室" in accounts.FIRST_ACCOUNT_HINT


# --- command line -----------------------------------------------------------------------------


def _cli(db_path, monkeypatch, capsys, argv: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="etl")
    users_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = users_cli.run(parser.parse_args(["user", *argv, "--db", str(db_path)]))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_add_with_password_from_stdin_and_from_getpass(db_path, monkeypatch, capsys):
    code, out, err = _cli(db_path, monkeypatch, capsys,
                          ["add", "zhangsan", "--role", "督查室", "--name", "张三", "--password-stdin"],
                          stdin="Good-pass-2026\n")
    assert (code, err) == (0, "") and "已添加账号 zhangsan：督查室，显示名 张三" in out

    answers = iter(["Good-pass-2026", "Good-pass-2026"])
    monkeypatch.setattr(users_cli.getpass, "getpass", lambda prompt="": next(answers))
    code, out, _ = _cli(db_path, monkeypatch, capsys, ["add", "zhujian", "--role", "单位", "--unit", "区住建局"])
    assert code == 0 and "单位，区住房和城乡建设局" in out

    answers = iter(["Good-pass-2026", "Good-pass-2027"])
    code, out, err = _cli(db_path, monkeypatch, capsys, ["add", "lisi", "--role", "领导", "--leader", "李四"])
    assert (code, out) == (1, "") and "两次输入的密码不一致" in err

    con = open_ledger(db_path)
    try:
        assert accounts.authenticate(con, "zhangsan", "Good-pass-2026", now=T0).display_name == "张三"
        assert accounts.authenticate(con, "zhujian", "Good-pass-2026", now=T0).role == "unit"
        assert accounts.get_user(con, "lisi") is None
        assert {e["actor"] for e in _audit(con) if e["action"] == "create"} == {"cli"}
    finally:
        con.close()


def test_cli_errors_go_to_stderr(db_path, monkeypatch, capsys):
    code, out, err = _cli(db_path, monkeypatch, capsys, ["add", "zhangsan", "--role", "督查室", "--password-stdin"],
                          stdin="short\n")
    assert (code, out) == (1, "") and "至少需要10个字符" in err
    code, _, err = _cli(db_path, monkeypatch, capsys, ["add", "zhangsan", "--role", "单位", "--password-stdin"],
                        stdin="Good-pass-2026\n")
    assert code == 1 and "需要指定所属单位" in err
    code, _, err = _cli(db_path, monkeypatch, capsys, ["disable", "nobody"])
    assert code == 1 and "账号“nobody”不存在" in err


def test_cli_passwd_role_disable_enable_unlock_list(db_path, monkeypatch, capsys):
    _cli(db_path, monkeypatch, capsys, ["add", "ducha1", "--role", "office", "--password-stdin"], stdin="Good-pass-2026")
    code, *_ = _cli(db_path, monkeypatch, capsys, ["add", "lisi", "--role", "unit", "--unit", "区财政局",
                                                   "--password-stdin"], stdin="Good-pass-2026\r\n")
    assert code == 0
    con = open_ledger(db_path)
    for _ in range(5):
        with pytest.raises(LoginFailed):
            accounts.authenticate(con, "lisi", "Wrong-pass-x")
    con.close()

    code, out, _ = _cli(db_path, monkeypatch, capsys, ["list"])
    assert code == 0 and "lisi" in out and "锁定至" in out and "ducha1" in out
    code, out, _ = _cli(db_path, monkeypatch, capsys, ["unlock", "lisi"])
    assert (code, out.strip()) == (0, "账号 lisi 已解除锁定。")
    code, out, _ = _cli(db_path, monkeypatch, capsys, ["unlock", "lisi"])
    assert (code, out.strip()) == (0, "账号 lisi 未被锁定，未作更改。")
    code, out, _ = _cli(db_path, monkeypatch, capsys, ["passwd", "LiSi", "--password-stdin"], stdin="New-pass-2027\n")
    assert (code, out.strip()) == (0, "已重置账号 lisi 的密码。")
    code, out, _ = _cli(db_path, monkeypatch, capsys, ["role", "lisi", "--role", "领导", "--leader", "李四"])
    assert code == 0 and "领导，李四" in out
    code, out, _ = _cli(db_path, monkeypatch, capsys, ["disable", "lisi"])
    assert (code, out.strip()) == (0, "账号 lisi 已停用。")
    code, out, _ = _cli(db_path, monkeypatch, capsys, ["list", "--json"])
    rows = {row["username"]: row for row in json.loads(out)}
    assert rows["lisi"]["role"] == "leader" and rows["lisi"]["leader"] == "李四" and rows["lisi"]["disabled"] is True
    assert "$argon2" not in out and "hash" not in out
    code, out, _ = _cli(db_path, monkeypatch, capsys, ["enable", "lisi"])
    assert (code, out.strip()) == (0, "账号 lisi 已启用。")
    code, _, err = _cli(db_path, monkeypatch, capsys, ["disable", "ducha1"])
    assert code == 1 and "最后一个可用的督查室账号" in err

    con = open_ledger(db_path)
    try:
        user = accounts.authenticate(con, "lisi", "New-pass-2027")
        assert user.role == "leader" and user.leader_id == _leader_id(con, "李四")
        assert {"unlock", "password_reset", "update", "disable", "enable"} <= set(_actions(con, "lisi"))
    finally:
        con.close()


def test_cli_list_on_an_empty_ledger(db_path, monkeypatch, capsys):
    code, out, _ = _cli(db_path, monkeypatch, capsys, ["list"])
    assert (code, out.strip()) == (0, "台账中还没有任何账号。")
    code, out, _ = _cli(db_path, monkeypatch, capsys, ["list", "--json"])
    assert (code, json.loads(out)) == (0, [])
