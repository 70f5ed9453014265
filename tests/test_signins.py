"""Issue 12, sessions and accounts: the same answer in the same time for an unknown user, a
wrong password and a throttled attempt; growing delays per client and per account that never
keep a correct password from another client out; sign-in events beside the ledger, never in
it; common passwords refused; a password, role or disable change moves the session epoch."""

from __future__ import annotations

import hashlib
import shutil
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from ledger import accounts, signins
from ledger.access import system_user
from ledger.accounts import AccountError, LoginFailed
from ledger.db import data_version, ledger_reader, ledger_writer, open_ledger

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
OFFICE = system_user()
T0 = datetime(2026, 6, 15, 9, 0, 0)
PASSWORD = "Good-pass-2026"


@pytest.fixture(autouse=True)
def cheap_hasher():
    previous = accounts.set_hasher(CHEAP)
    yield
    accounts.set_hasher(previous)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("signins") / "ledger.duckdb"
    previous = accounts.set_hasher(CHEAP)
    con = open_ledger(path)
    try:
        con.execute("INSERT INTO units (name, kind) VALUES ('区财政局', '部门')")
        accounts.create_user(con, OFFICE, "ducha1", PASSWORD, "office")
        accounts.create_user(con, OFFICE, "zhujian", PASSWORD, "unit", unit="区财政局")
        con.execute("CHECKPOINT")
    finally:
        con.close()
        accounts.set_hasher(previous)
    return path


@pytest.fixture
def db_path(template, tmp_path) -> Path:
    path = tmp_path / "ledger.duckdb"
    shutil.copyfile(template, path)
    return path


@pytest.fixture
def con(db_path):
    connection = open_ledger(db_path)
    yield connection
    connection.close()


def _refusal(con, username: str, password: str, client: str = "198.51.100.7", now: datetime = T0) -> tuple:
    with pytest.raises(LoginFailed) as failed:
        accounts.authenticate(con, username, password, client=client, now=now)
    return type(failed.value), str(failed.value)


def _throttle(con, username: str, client: str) -> None:
    """Enough failures from `client` on `username` that the account makes this client wait."""
    for i in range(6):
        _refusal(con, username, f"Wrong-pass-{i}", client)


# --------------------------------------------------------------------------- the same answer


def test_unknown_wrong_and_throttled_get_the_same_exception_and_message(con):
    unknown = _refusal(con, "nobody", "Wrong-pass-1")
    wrong = _refusal(con, "zhujian", "Wrong-pass-1")
    _throttle(con, "zhujian", "198.51.100.7")
    assert accounts.signin_store(con).account_state("zhujian", T0).waiting(T0)
    throttled = _refusal(con, "zhujian", PASSWORD)            # even the right password, from this client
    throttled_unknown = _refusal(con, "nobody", "Wrong-pass-1")
    assert unknown == wrong == throttled == throttled_unknown == (LoginFailed, accounts.GENERIC_LOGIN_ERROR)


def test_unknown_wrong_and_throttled_take_about_the_same_time(con):
    """Medians of repeated attempts, compared as ratios in one process (no wall-clock bound)."""
    accounts.set_hasher(PasswordHasher(time_cost=2, memory_cost=16384, parallelism=1))
    accounts.reset_password(con, OFFICE, "zhujian", "Slower-pass-2026")   # a hash with these parameters
    _throttle(con, "ducha1", "203.0.113.50")                               # ducha1 makes this client wait

    def median(username: str, password: str, client: str) -> float:
        runs = []
        for _ in range(7):
            start = time.perf_counter()
            with pytest.raises(LoginFailed):
                accounts.authenticate(con, username, password, client=client, now=T0)
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    # Fresh clients for the unknown and wrong cases, so that neither starts to wait meanwhile.
    wrong = median("zhujian", "Wrong-pass-x", "203.0.113.10")
    accounts.unlock_user(con, OFFICE, "zhujian")
    unknown = median("nobody", "Wrong-pass-x", "203.0.113.11")
    throttled = median("ducha1", PASSWORD, "203.0.113.50")
    assert 0.33 < unknown / wrong < 3, (unknown, wrong)
    assert 0.33 < throttled / wrong < 3, (throttled, wrong)


# --------------------------------------------------------------------------- throttling


def test_delays_grow_and_are_capped():
    cap = timedelta(minutes=15)
    waits = [signins.delay(n, 5, cap) for n in range(1, 15)]
    assert waits[:4] == [None] * 4
    grown = [w for w in waits if w is not None]
    assert grown[:4] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert all(a <= b for a, b in zip(grown, grown[1:], strict=False)) and max(grown) == cap


def test_an_account_under_guessing_still_lets_a_correct_password_in_from_another_client(con):
    guesser, office = "203.0.113.9", "10.0.0.5"
    store = accounts.signin_store(con)
    now, waits = T0, []
    for i in range(9):   # each guess made as soon as the previous wait is over
        _refusal(con, "ducha1", f"Wrong-pass-{i}", guesser, now)
        state = store.account_state("ducha1", now)
        if state.wait_until is not None:
            waits.append(state.wait_until - now)
        now = (state.wait_until or now) + timedelta(seconds=1)
    # 5 free failures, then 30 s, 1, 2, 4, 8 min: each further failure waits twice as long.
    assert waits == [timedelta(seconds=30) * 2**k for k in range(5)]
    assert store.account_state("ducha1", now).failures == 9
    now -= timedelta(minutes=4)   # in the middle of the last wait
    # The guesser waits, whatever it types, and its attempts during the wait are not even checked.
    assert _refusal(con, "ducha1", PASSWORD, guesser, now) == (LoginFailed, accounts.GENERIC_LOGIN_ERROR)
    assert signins.SigninStore(store.path.with_name("ledger.duckdb")).events()[-1]["action"] == "login_throttled"
    # The office, from its own machine, signs in meanwhile.
    user = accounts.authenticate(con, "ducha1", PASSWORD, client=office, now=now)
    assert user.username == "ducha1"
    # ...which resets the account's count: the guesser starts again from its free allowance.
    assert store.account_state("ducha1", now) == signins.Counter()
    # A couple of typos from the office's machine on an account under guessing still leave it in.
    for i in range(6):
        _refusal(con, "ducha1", f"Wrong-pass-{i}", guesser, now)
    assert store.account_state("ducha1", now).waiting(now)
    for _ in range(signins.PAIR_FREE - 1):
        _refusal(con, "ducha1", "Typo-pass-2026", office, now)
    assert accounts.authenticate(con, "ducha1", PASSWORD, client=office, now=now)


def test_one_client_spraying_many_accounts_is_slowed(con):
    sprayer = "192.0.2.66"
    names = [f"user{i:02d}" for i in range(signins.CLIENT_FREE)]
    for name in names:
        _refusal(con, name, "Summer-pass-2026", sprayer)
    counter = accounts.signin_store(con).counters([signins.client_key(sprayer)], T0)[signins.client_key(sprayer)]
    assert counter.failures == signins.CLIENT_FREE and counter.waiting(T0)
    # Waiting now, even for a real account with its real password; another client is not.
    assert _refusal(con, "zhujian", PASSWORD, sprayer) == (LoginFailed, accounts.GENERIC_LOGIN_ERROR)
    assert accounts.authenticate(con, "zhujian", PASSWORD, client="192.0.2.67", now=T0).username == "zhujian"
    # After the wait, the sprayer is checked again.
    later = counter.wait_until + timedelta(seconds=1)
    assert accounts.authenticate(con, "zhujian", PASSWORD, client=sprayer, now=later).username == "zhujian"


def test_unlock_and_reset_lift_the_delay_and_are_audited_in_the_ledger(con):
    _throttle(con, "zhujian", "198.51.100.7")
    assert accounts.unlock_user(con, OFFICE, "zhujian")
    assert accounts.authenticate(con, "zhujian", PASSWORD, client="198.51.100.7", now=T0).username == "zhujian"
    entries = con.execute("SELECT action, field, before, after FROM audit_log WHERE action = 'unlock'").fetchall()
    assert ("unlock", "failed_logins", "5", "0") in entries   # the 6th attempt waited, uncounted


# --------------------------------------------------------------------------- the ledger untouched


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failed_logins_for_made_up_names_change_neither_the_ledger_nor_its_version(db_path):
    with ledger_writer(db_path):
        pass   # migrated, checkpointed, closed: the file as the dashboard leaves it
    bytes_before, version_before = _digest(db_path), data_version(db_path)
    wal = db_path.with_name(db_path.name + ".wal")
    for i in range(25):
        with ledger_reader(db_path) as con:   # what the login page uses: the shared lock only
            _refusal(con, f"made-up-{i:02d}", "Wrong-pass-1", client=f"198.51.100.{i}")
    with ledger_reader(db_path) as con:
        _refusal(con, "zhujian", "Wrong-pass-1")
        assert accounts.authenticate(con, "zhujian", PASSWORD, client="10.1.1.1", now=T0, rehash=False)
    assert (_digest(db_path), data_version(db_path)) == (bytes_before, version_before)
    assert not wal.exists()
    events = signins.SigninStore(db_path).events()
    assert len(events) == 27 and events[-1]["action"] == "login"


# --------------------------------------------------------------------------- common passwords


@pytest.mark.parametrize("password", [
    "1qaz2wsx3edc", "Admin@2026", "woaini1314520", "Welcome@2026", "P@ssw0rd2026", "Aa123456789", "Password@2026",
    "Qwer1234!@#$", "zhongguo2026!",
])
def test_common_passwords_are_refused_in_chinese(con, password):
    with pytest.raises(AccountError, match="密码过于常见|过于简单|至少两类字符") as refused:
        accounts.create_user(con, OFFICE, "newone", password, "office")
    assert "请换" in str(refused.value) or "请使用" in str(refused.value) or "至少两类" in str(refused.value)
    assert accounts.get_user(con, "newone") is None


def test_the_three_passwords_of_the_finding_get_the_common_password_message():
    for password in ("1qaz2wsx3edc", "Admin@2026", "woaini1314520"):
        with pytest.raises(AccountError, match="^密码过于常见或容易被猜到"):
            accounts.check_password_policy(password, "zhangsan")


def test_long_uncommon_passwords_pass():
    for password in ("qc-office-2026", "Winter.Lake.17", "督查室办公2026年", "Tr0ub4dor&3x", "lantern-river-bamboo-42"):
        accounts.check_password_policy(password, "zhangsan")


# --------------------------------------------------------------------------- session epochs


def test_password_role_and_disable_move_the_session_epoch(con):
    def epoch() -> int:
        return accounts.account_session(con, "zhujian")[1]

    start = epoch()
    accounts.reset_password(con, OFFICE, "zhujian", "Fresh-pass-2027")
    assert epoch() == start + 1
    accounts.set_role(con, OFFICE, "zhujian", "unit", unit="区财政局", display_name="财政局")  # name only
    assert epoch() == start + 1
    accounts.set_role(con, OFFICE, "zhujian", "office")
    assert epoch() == start + 2
    accounts.disable_user(con, OFFICE, "zhujian")
    assert accounts.account_session(con, "zhujian") is None
    accounts.enable_user(con, OFFICE, "zhujian")
    assert epoch() == start + 3
    # Nothing of the epoch reaches the audit log: it is the ledger's own bookkeeping.
    assert not con.execute("SELECT count(*) FROM audit_log WHERE field = 'session_epoch'").fetchone()[0]
