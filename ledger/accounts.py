"""Local accounts: users stored in the ledger, argon2 password hashes, login with growing
delays after failures, session limits and epochs, and the audit trail of every account change
(sign-in events go to the sign-in store beside the ledger, ledger.signins).

Rules (issues 4 and 12):
- a password is kept only as an argon2id hash (argon2-cffi, its default parameters); no
  password and no hash is ever written to the audit log or returned by `list_users`;
- every function that changes accounts takes the acting `User`, requires `manage_users`
  (督查室 only), runs in one transaction and appends one audit entry per changed field
  (entity 'user', entity_id = username; a password change is written as field 'password'
  with the value 已设置 / 已修改, never the password);
- `authenticate` answers 用户名或密码错误 for an unknown user, a wrong password and a
  throttled attempt alike, in about the same time (one argon2 check each: an unknown user or
  a throttled attempt is checked against a dummy hash). Failures slow guessing with growing
  delays per client address and per account (ledger.signins says how; `login_max_failures`
  and `login_lockout_minutes` in `settings` are the account's free failures and the longest
  delay), never a hard lock a stranger can put on someone else's account;
- sign-in events (login, failed login, throttling, logout) go to the sign-in store beside the
  ledger (ledger.signins), not to the ledger: a failed login never takes the ledger's write
  lock. Account changes (create, password, role, disable, enable, unlock) are audited in the
  ledger;
- a password change, a role change and a disable raise the account's `session_epoch`: open
  sessions signed in with an older epoch end on their next page run (ui.auth);
- passwords are checked against common and guessable ones with zxcvbn (its frequency lists
  of passwords, names and words, keyboard patterns, dates and repeats), plus a few Chinese
  words its lists lack;
- usernames are case-insensitive (stored in lower case); passwords are NFKC-normalised
  before hashing and checking, so full-width characters typed with a Chinese input method
  match their half-width forms.

All functions take a read-write DuckDB connection opened by `ledger.db.open_ledger`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import NamedTuple

import duckdb
import polars as pl
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from ledger import audit, signins
from ledger.access import User, require, system_user
from ledger.db import fetch_frame, setting
from ledger.vocabulary import ROLE_LABELS, SYSTEM_ACTORS

__all__ = [
    "DEMO_ACCOUNTS", "FIRST_ACCOUNT_HINT", "GENERIC_LOGIN_ERROR", "AccountError", "DemoAccount", "LoginFailed",
    "authenticate", "check_password_policy", "create_demo_accounts", "create_user", "disable_user", "enable_user",
    "account_session", "get_user", "has_users", "list_users", "normalize_role", "normalize_username",
    "record_logout", "reset_password", "session_limits", "set_hasher", "set_role", "signin_store", "unlock_user",
]


class AccountError(ValueError):
    """Bad input for an account operation (invalid name, weak password, unknown unit, duplicate...).
    The message is Chinese and shown to the user as is."""


class LoginFailed(Exception):
    """A refused login. The message is Chinese and shown on the login page as is."""


GENERIC_LOGIN_ERROR = "用户名或密码错误"
DISABLED_ERROR = "账号已停用"

# --------------------------------------------------------------------------------------------
# Hashing. Production uses the library's defaults (argon2id, RFC 9106 low-memory profile).

_hasher = PasswordHasher()
_dummy_hashes: dict[tuple, str] = {}


def set_hasher(hasher: PasswordHasher | None = None) -> PasswordHasher:
    """Replaces the module's password hasher and returns the previous one.

    For tests only (cheap parameters keep the suite fast); `None` restores the library's
    defaults. Existing hashes keep verifying whatever the parameters; a successful login
    rehashes a password whose hash used other parameters than the current hasher."""
    global _hasher
    previous = _hasher
    _hasher = hasher or PasswordHasher()
    return previous


def _normalize_password(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def _hash(password: str) -> str:
    return _hasher.hash(_normalize_password(password))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, _normalize_password(password))
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    """A hash with the current parameters, to spend the same time on unknown usernames."""
    h = _hasher
    key = (h.time_cost, h.memory_cost, h.parallelism, h.hash_len, h.salt_len, h.type)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = h.hash("dummy password for unknown users")
    return _dummy_hashes[key]


# --------------------------------------------------------------------------------------------
# Names, roles and the password policy.

USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{2,31}")
# Names the ledger itself writes into the audit log as actors (the command line, the demo loader).
RESERVED_USERNAMES = frozenset(SYSTEM_ACTORS)
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
_COMMON_FRAGMENTS = ("password", "passw0rd", "qwerty", "123456", "654321", "abcdef", "111111", "000000", "888888")
# zxcvbn's estimate of the guesses an attacker needs: at least 10^9 (its lists hold English
# words and names; the words below are what Chinese offices use that its lists lack).
PASSWORD_MIN_GUESSES_LOG10 = 9.0
_GUESSABLE_WORDS = (
    "admin", "administrator", "root", "woaini", "aini", "1314", "520", "521", "woaiwojia", "wodemima", "mima",
    "qwer", "asdf", "zxcv", "ducha", "duchashi", "dubandan", "zhengfu", "gov", "office", "bangongshi",
    "zhongguo", "china", "beijing", "shanghai", "guangzhou", "shenzhen", "qingchuan",
)

_ROLE_NAMES = {"office": "office", "leader": "leader", "unit": "unit"}
_ROLE_NAMES.update({label: role for role, label in ROLE_LABELS.items()})


def normalize_username(username: str) -> str:
    return unicodedata.normalize("NFKC", username or "").strip().lower()


def _valid_username(username: str) -> str:
    name = normalize_username(username)
    if not USERNAME_RE.fullmatch(name):
        raise AccountError("用户名应为3至32位英文字母、数字或 . _ -，并以字母或数字开头。")
    if name in RESERVED_USERNAMES:
        raise AccountError(f"用户名“{name}”为系统保留，请换一个。")
    return name


def normalize_role(role: str) -> str:
    """office / leader / unit from either the code or the Chinese label (督查室 / 领导 / 单位)."""
    key = (role or "").strip()
    found = _ROLE_NAMES.get(key) or _ROLE_NAMES.get(key.lower())
    if not found:
        raise AccountError(f"角色“{role}”无效，应为：督查室、领导或单位。")
    return found


def check_password_policy(password: str, username: str = "") -> None:
    """Raises AccountError (Chinese) unless the password is acceptable:
    at least 10 characters (at most 128), at least two kinds of characters among lower-case
    letters, upper-case letters, digits and other characters, not containing the username,
    not a run of one character, and without the commonest patterns (password, 123456 ...)."""
    if not isinstance(password, str):
        raise AccountError("密码不能为空。")
    pw = _normalize_password(password)
    if len(pw) < PASSWORD_MIN_LENGTH:
        raise AccountError(f"密码至少需要{PASSWORD_MIN_LENGTH}个字符。")
    if len(pw) > PASSWORD_MAX_LENGTH:
        raise AccountError(f"密码不能超过{PASSWORD_MAX_LENGTH}个字符。")
    if pw != pw.strip():
        raise AccountError("密码首尾不能是空格。")
    if any(unicodedata.category(c).startswith("C") for c in pw):
        raise AccountError("密码不能包含控制字符。")
    kinds = {
        "lower" if c.islower() and c.isascii() else
        "upper" if c.isupper() and c.isascii() else
        "digit" if c.isdigit() else "other"
        for c in pw
    }
    if len(kinds) < 2:
        raise AccountError("密码需包含至少两类字符（小写字母、大写字母、数字、其他符号）。")
    lowered = pw.lower()
    name = normalize_username(username)
    if name and name in lowered:
        raise AccountError("密码不能包含用户名。")
    if len(set(lowered)) < 4:
        raise AccountError("密码过于简单，请使用更多不同的字符。")
    if any(fragment in lowered for fragment in _COMMON_FRAGMENTS):
        raise AccountError("密码过于常见（如 password、123456），请换一个。")
    estimate = zxcvbn(pw[:100], user_inputs=[name, *_GUESSABLE_WORDS] if name else list(_GUESSABLE_WORDS))
    if estimate["guesses_log10"] < PASSWORD_MIN_GUESSES_LOG10:
        raise AccountError("密码过于常见或容易被猜到（如 1qaz2wsx3edc、Admin@2026、woaini1314520），"
                           "请换一个更长、不常见的密码，例如几个不相关的词加数字和符号。")


# --------------------------------------------------------------------------------------------
# Transactions and the audit log.


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _audit(con, now: datetime, actor: str, action: str, username: str, fields: dict[str, tuple]) -> None:
    """Appends one entry per field that changed (field -> (before, after)) through the one
    audit writer, all stamped `now`. Nothing in the code updates or deletes audit entries."""
    audit.record(con, actor, audit.changes(action, "user", username, fields), at=now)


def _now(now: datetime | None = None) -> datetime:
    return now or audit.now()


# --------------------------------------------------------------------------------------------
# Looking things up.

_ACCOUNT_COLUMNS = ("username, display_name, role, unit_id, leader_id, password_hash, failed_logins, "
                    "locked_until, disabled, coalesce(session_epoch, 0)")


class _Row(NamedTuple):
    username: str
    display_name: str
    role: str
    unit_id: int | None
    leader_id: int | None
    password_hash: str
    failed_logins: int
    locked_until: datetime | None
    disabled: bool
    session_epoch: int


def _row(con, username: str) -> _Row | None:
    found = con.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM users WHERE username = ?", [username]).fetchone()
    return _Row(*found) if found else None


def _existing(con, username: str) -> _Row:
    row = _row(con, normalize_username(username))
    if row is None:
        raise AccountError(f"账号“{username}”不存在。")
    return row


def _resolve_unit(con, name: str) -> tuple[int, str]:
    """A unit by its canonical name, one of its aliases, or a catalogued short form."""
    key = (name or "").strip()
    found = con.execute(
        """
        SELECT unit_id, name FROM (
            SELECT 1 AS priority, unit_id, name FROM units WHERE name = $n
            UNION ALL
            SELECT 2, u.unit_id, u.name FROM unit_aliases a JOIN units u USING (unit_id) WHERE a.alias = $n
            UNION ALL
            SELECT 3, u.unit_id, u.name FROM unit_catalog c JOIN units u ON u.name = c.canonical WHERE c.alias = $n
            UNION ALL
            -- the ledger keeps a unit as the lists write it (区住建局): its full name finds it too
            SELECT 4, u.unit_id, u.name FROM unit_catalog c JOIN units u ON u.name = c.alias WHERE c.canonical = $n
        )
        ORDER BY priority, unit_id
        LIMIT 1
        """,
        {"n": key},
    ).fetchone()
    if not found:
        raise AccountError(f"台账中没有单位“{name}”，请先导入单位名单或检查单位名称。")
    return found[0], found[1]


def _resolve_leader(con, name: str) -> tuple[int, str]:
    """A leader by name, or by name and title written together (赵明辉副区长)."""
    key = (name or "").strip()
    found = con.execute(
        "SELECT leader_id, name FROM leaders WHERE name = $n OR name || coalesce(title, '') = $n "
        "ORDER BY name = $n DESC LIMIT 1",
        {"n": key},
    ).fetchone()
    if not found:
        raise AccountError(f"台账中没有领导“{name}”，请先导入领导名单或检查姓名。")
    return found[0], found[1]


def _unit_name(con, unit_id: int | None) -> str | None:
    if unit_id is None:
        return None
    found = con.execute("SELECT name FROM units WHERE unit_id = ?", [unit_id]).fetchone()
    return found[0] if found else f"#{unit_id}"


def _leader_name(con, leader_id: int | None) -> str | None:
    if leader_id is None:
        return None
    found = con.execute("SELECT name FROM leaders WHERE leader_id = ?", [leader_id]).fetchone()
    return found[0] if found else f"#{leader_id}"


def _assignment(con, role: str, unit: str | None, leader: str | None) -> tuple[int | None, str | None,
                                                                              int | None, str | None]:
    """(unit_id, unit name, leader_id, leader name) for a role, checking what the role needs."""
    unit = (unit or "").strip() or None
    leader = (leader or "").strip() or None
    if role == "office":
        if unit or leader:
            raise AccountError("督查室账号不对应单位或领导，请不要指定 --unit 或 --leader。")
        return None, None, None, None
    if role == "unit":
        if leader:
            raise AccountError("单位账号只对应单位，请不要指定领导。")
        if not unit:
            raise AccountError("单位账号需要指定所属单位。")
        unit_id, unit_name = _resolve_unit(con, unit)
        return unit_id, unit_name, None, None
    if unit:
        raise AccountError("领导账号只对应领导本人，请不要指定单位。")
    if not leader:
        raise AccountError("领导账号需要指定对应的领导姓名。")
    leader_id, leader_name = _resolve_leader(con, leader)
    return None, None, leader_id, leader_name


def _active_office_accounts(con) -> int:
    return con.execute("SELECT count(*) FROM users WHERE role = 'office' AND NOT disabled").fetchone()[0]


def _guard_last_office(con, row: _Row) -> None:
    if row.role == "office" and not row.disabled and _active_office_accounts(con) <= 1:
        raise AccountError("这是最后一个可用的督查室账号，不能停用或改为其他角色；请先添加另一个督查室账号。")


def _user(con, row: _Row) -> User:
    is_principal = False
    if row.role == "leader":
        found = con.execute("SELECT is_principal FROM leaders WHERE leader_id = ?", [row.leader_id]).fetchone()
        is_principal = bool(found and found[0])
    return User(username=row.username, role=row.role, display_name=row.display_name or "",
                unit_id=row.unit_id if row.role == "unit" else None,
                leader_id=row.leader_id if row.role == "leader" else None, is_principal=is_principal)


# --------------------------------------------------------------------------------------------
# Managing accounts (督查室 only).


def create_user(con: duckdb.DuckDBPyConnection, actor: User, username: str, password: str, role: str, *,
                display_name: str = "", unit: str | None = None, leader: str | None = None) -> User:
    """Adds an account. `role` is office/leader/unit or 督查室/领导/单位; a unit account names its
    unit (canonical name or alias), a leader account its leader. Without a display name a leader
    account shows the leader's name and a unit account the unit's."""
    require(actor, "manage_users")
    name = _valid_username(username)
    role = normalize_role(role)
    check_password_policy(password, name)
    unit_id, unit_name, leader_id, leader_name = _assignment(con, role, unit, leader)
    display = (display_name or "").strip() or leader_name or unit_name or ""
    password_hash = _hash(password)
    now = _now()
    with _transaction(con):
        if _row(con, name) is not None:
            raise AccountError(f"账号“{name}”已存在。")
        con.execute(
            "INSERT INTO users (username, display_name, role, unit_id, leader_id, password_hash, failed_logins, "
            "locked_until, disabled, created_at, password_changed_at, last_login_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 0, NULL, false, ?, ?, NULL)",
            [name, display, role, unit_id, leader_id, password_hash, now, now],
        )
        _audit(con, now, actor.username, "create", name, {
            "role": (None, ROLE_LABELS[role]), "display_name": (None, display or None),
            "unit": (None, unit_name), "leader": (None, leader_name), "password": (None, "已设置"),
        })
    return _user(con, _row(con, name))


def reset_password(con: duckdb.DuckDBPyConnection, actor: User, username: str, new_password: str) -> None:
    """Sets a new password (the office resets it for a user); also lifts a lockout."""
    require(actor, "manage_users")
    row = _existing(con, username)
    check_password_policy(new_password, row.username)
    if _verify(row.password_hash, new_password):
        raise AccountError("新密码不能与原密码相同。")
    password_hash = _hash(new_password)
    now = _now()
    throttle = signin_store(con).account_state(row.username)
    with _transaction(con):
        con.execute(
            "UPDATE users SET password_hash = ?, password_changed_at = ?, failed_logins = 0, locked_until = NULL, "
            "session_epoch = coalesce(session_epoch, 0) + 1 WHERE username = ?",
            [password_hash, now, row.username],
        )
        _audit(con, now, actor.username, "password_reset", row.username,
               {"password": (None, "已修改"), **_unlock_fields(throttle)})
    signin_store(con).clear_account(row.username)


def set_role(con: duckdb.DuckDBPyConnection, actor: User, username: str, role: str, *,
             unit: str | None = None, leader: str | None = None, display_name: str | None = None) -> User:
    """Changes an account's role and its unit or leader (and, if given, its display name);
    returns the account as it now is."""
    require(actor, "manage_users")
    row = _existing(con, username)
    role = normalize_role(role)
    unit_id, unit_name, leader_id, leader_name = _assignment(con, role, unit, leader)
    display = row.display_name if display_name is None else display_name.strip()
    now = _now()
    with _transaction(con):
        if row.role == "office" and role != "office":
            _guard_last_office(con, row)
        moved = (role, unit_id, leader_id) != (row.role, row.unit_id, row.leader_id)
        con.execute("UPDATE users SET role = ?, unit_id = ?, leader_id = ?, display_name = ?, "
                    "session_epoch = coalesce(session_epoch, 0) + ? WHERE username = ?",
                    [role, unit_id, leader_id, display, int(moved), row.username])
        _audit(con, now, actor.username, "update", row.username, {
            "display_name": (row.display_name, display),
            "role": (ROLE_LABELS[row.role], ROLE_LABELS[role]),
            "unit": (_unit_name(con, row.unit_id), unit_name) if unit_id != row.unit_id else (None, None),
            "leader": (_leader_name(con, row.leader_id), leader_name) if leader_id != row.leader_id else (None, None),
        })
    return _user(con, _row(con, row.username))


def disable_user(con: duckdb.DuckDBPyConnection, actor: User, username: str) -> bool:
    """Stops an account from signing in (it stays in the ledger and the audit log).
    Returns False if it was already disabled."""
    require(actor, "manage_users")
    row = _existing(con, username)
    if row.disabled:
        return False
    now = _now()
    with _transaction(con):
        _guard_last_office(con, row)
        con.execute("UPDATE users SET disabled = true, session_epoch = coalesce(session_epoch, 0) + 1 "
                    "WHERE username = ?", [row.username])
        _audit(con, now, actor.username, "disable", row.username, {"disabled": (False, True)})
    return True


def enable_user(con: duckdb.DuckDBPyConnection, actor: User, username: str) -> bool:
    """Lets a disabled account sign in again. Returns False if it was not disabled."""
    require(actor, "manage_users")
    row = _existing(con, username)
    if not row.disabled:
        return False
    now = _now()
    with _transaction(con):
        con.execute("UPDATE users SET disabled = false WHERE username = ?", [row.username])
        _audit(con, now, actor.username, "enable", row.username, {"disabled": (True, False)})
    return True


def unlock_user(con: duckdb.DuckDBPyConnection, actor: User, username: str) -> bool:
    """Lifts a lockout and clears the failure count. Returns False if there was nothing to clear."""
    require(actor, "manage_users")
    row = _existing(con, username)
    now = _now()
    throttle = signin_store(con).account_state(row.username)
    if not throttle.failures and throttle.wait_until is None:
        return False
    with _transaction(con):
        _audit(con, now, actor.username, "unlock", row.username, _unlock_fields(throttle))
    signin_store(con).clear_account(row.username)
    return True


def _unlock_fields(throttle: signins.Counter) -> dict[str, tuple]:
    """What lifting a lockout changes (an unchanged field writes no entry): the account's
    failure count and delay as the sign-in store holds them."""
    return {"locked_until": (throttle.wait_until, None), "failed_logins": (throttle.failures, 0)}


def list_users(con: duckdb.DuckDBPyConnection, actor: User) -> pl.DataFrame:
    """Every account with its role, unit or leader and login state (failures, delay and last
    login from the sign-in store); never a hash."""
    require(actor, "manage_users")
    frame = fetch_frame(con, """
        SELECT u.username, u.display_name, u.role, NULL::VARCHAR AS role_label,
               un.name AS unit, l.name AS leader, coalesce(l.is_principal, false) AS is_principal,
               u.disabled, u.failed_logins, u.locked_until, u.created_at, u.password_changed_at, u.last_login_at
        FROM users u
        LEFT JOIN units un ON un.unit_id = u.unit_id
        LEFT JOIN leaders l ON l.leader_id = u.leader_id
        ORDER BY CASE u.role WHEN 'office' THEN 1 WHEN 'leader' THEN 2 ELSE 3 END, u.username
    """)
    store, now = signin_store(con), _now()
    names = frame["username"].to_list()
    state = {name: store.account_state(name, now) for name in names}
    last = store.last_logins()
    return frame.with_columns(
        role_label=pl.col("role").replace_strict(ROLE_LABELS, return_dtype=pl.String),
        failed_logins=pl.Series([state[n].failures for n in names], dtype=pl.Int32),
        locked_until=pl.Series([state[n].wait_until for n in names], dtype=pl.Datetime("us")),
        last_login_at=pl.Series([last.get(n) for n in names], dtype=pl.Datetime("us")),
    )


def get_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    """The account as an `ledger.access.User`, or None if unknown or disabled. A locked account is
    still returned: a lockout stops password guessing, not a session that is already open."""
    row = _row(con, normalize_username(username))
    if row is None or row.disabled:
        return None
    return _user(con, row)


def account_session(con: duckdb.DuckDBPyConnection, username: str) -> tuple[User, int] | None:
    """The account (as get_user) and its session epoch: a session signed in with another
    epoch has been ended by a password change, a role change or a disable."""
    row = _row(con, normalize_username(username))
    if row is None or row.disabled:
        return None
    return _user(con, row), row.session_epoch


def has_users(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM users").fetchone()[0] > 0


# --------------------------------------------------------------------------------------------
# Login, logout, session limits.


def _int_setting(con, key: str, default: int) -> int:
    try:
        value = int(setting(con, key, str(default)))
    except ValueError:
        return default
    return value if value > 0 else default


def session_limits(con: duckdb.DuckDBPyConnection) -> tuple[timedelta, timedelta]:
    """(idle, max): a session ends after `idle` without activity, and `max` after login at the latest."""
    return (timedelta(minutes=_int_setting(con, "session_idle_minutes", 30)),
            timedelta(hours=_int_setting(con, "session_max_hours", 8)))


def signin_store(con: duckdb.DuckDBPyConnection) -> signins.SigninStore:
    """The sign-in store beside the ledger file `con` has open."""
    return signins.store_of(con)


def _tried_name(username: str) -> str:
    """How the sign-in log names a login attempt for an unknown account. Only names that could be
    usernames are kept as typed: anything else (a password typed into the wrong box, say) is not."""
    name = normalize_username(username)
    return name if USERNAME_RE.fullmatch(name) else "（无效用户名）"


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str, *, client: str | None = None,
                 now: datetime | None = None, rehash: bool = True) -> User:
    """Checks a login and returns the signed-in user, or raises LoginFailed with the message to show.

    `con` may be read-only: the attempt is recorded in the sign-in store (login /
    login_failed / login_throttled / throttled), never in the ledger. `client` is the
    browser's address (None: this machine). With `rehash` and a read-write `con`, a password
    hashed with other parameters than the current ones is rehashed (audited in the ledger)."""
    now = _now(now)
    store = signin_store(con)
    client = client or signins.LOCAL_CLIENT
    tried = _tried_name(username)
    row = _row(con, tried) if tried != "（无效用户名）" else None
    free = _int_setting(con, "login_max_failures", 5)
    cap = timedelta(minutes=_int_setting(con, "login_lockout_minutes", 15))
    client_key, account_key = signins.client_key(client), signins.account_key(tried)
    pair_key = signins.pair_key(client, tried)
    counters = store.counters([client_key, account_key, pair_key], now)
    throttled = counters[client_key].waiting(now) or (
        counters[account_key].waiting(now) and counters[pair_key].failures >= signins.PAIR_FREE)

    # Exactly one argon2 check whatever the case, so that the time tells nothing either.
    checked = row.password_hash if row is not None and not throttled else _dummy_hash()
    ok = _verify(checked, password or "") and row is not None and not throttled
    if throttled:
        store.record(now, tried, action="login_throttled", client=client, note="等待期内的尝试，未校验密码")
        raise LoginFailed(GENERIC_LOGIN_ERROR)
    if ok and row.disabled:
        store.record(now, tried, action="login_failed", client=client, note=DISABLED_ERROR)
        raise LoginFailed(DISABLED_ERROR)
    if not ok:
        store.fail({client_key: (signins.CLIENT_FREE, cap), account_key: (free, cap), pair_key: (2**31, cap)}, now,
                   event=(tried, client, "用户名不存在" if row is None else "密码错误"))
        raise LoginFailed(GENERIC_LOGIN_ERROR)

    store.clear([account_key, pair_key])
    store.record(now, row.username, action="login", client=client)
    if rehash and _hasher.check_needs_rehash(row.password_hash):
        rehash_password(con, row.username, password, now=now)
    return _user(con, row)


def needs_rehash(con: duckdb.DuckDBPyConnection, username: str) -> bool:
    row = _row(con, normalize_username(username))
    return row is not None and _hasher.check_needs_rehash(row.password_hash)


def rehash_password(con: duckdb.DuckDBPyConnection, username: str, password: str, *,
                    now: datetime | None = None) -> bool:
    """Rehashes a (just checked) password with the current parameters; False when the hash was
    current already or the password does not match. Needs a read-write connection."""
    now = _now(now)
    row = _row(con, normalize_username(username))
    if row is None or not _hasher.check_needs_rehash(row.password_hash) or not _verify(row.password_hash, password):
        return False
    new_hash = _hash(password)
    with _transaction(con):
        con.execute("UPDATE users SET password_hash = ? WHERE username = ?", [new_hash, row.username])
        _audit(con, now, row.username, "rehash", row.username, {"password": (None, "已按新参数重新计算")})
    return True


def record_logout(con: duckdb.DuckDBPyConnection, user: User, *, expired: bool = False, ended: str | None = None,
                  client: str | None = None, now: datetime | None = None) -> None:
    """Records the end of a session in the sign-in store: the user signed out, or (`expired`)
    the session timed out, or (`ended`) it was ended for the reason given. `con` may be read-only."""
    signin_store(con).record(_now(now), user.username, action="logout", client=client,
                             note=ended or ("会话超时" if expired else "主动退出"))


# --------------------------------------------------------------------------------------------
# Demo accounts and the first account.


class DemoAccount(NamedTuple):
    username: str
    password: str
    role: str
    display_name: str
    unit: str | None
    leader: str | None
    description: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


# The demo district 青川区 (etl/demo.py). 赵明辉 is 分管领导 of 区住房和城乡建设局 among others, so the
# leader account sees the unit account's tasks; the 住建局 leads the most demo tasks, in every status.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("ducha", "qc-office-2026", "office", "督查室演示账号", None, None,
                "督查室：全部事项、导入、办结销号、账号管理、操作日志"),
    DemoAccount("quzhang", "qc-mayor-2026", "leader", "", None, "林志远",
                "区长林志远（主要领导）：查看全部事项，批示"),
    DemoAccount("lingdao", "qc-leader-2026", "leader", "", None, "赵明辉",
                "副区长赵明辉：本人负责或交办的事项及分管单位（住建、自然资源、生态环境、交通、城管等）的事项，批示"),
    DemoAccount("danwei", "qc-unit-2026", "unit", "", "区住房和城乡建设局", None,
                "区住房和城乡建设局：本单位牵头或配合的事项，报送进展、申请办结、申请延期"),
)

FIRST_ACCOUNT_HINT = (
    "台账中还没有任何账号。请在服务器上用命令行添加第一个督查室账号，例如：\n"
    "  .venv/bin/python -m etl user add zhangsan --role 督查室 --name 张三\n"
    "（按提示输入两次密码：至少10位，包含至少两类字符，不能包含用户名，不能是常见或容易猜到的密码。）\n"
    "之后可用该账号登录，并继续用 `python -m etl user add` 为领导和各单位添加账号"
    "（领导账号加 --leader 姓名，单位账号加 --unit 单位名称）。"
)


def create_demo_accounts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """Adds the documented demo accounts (DEMO_ACCOUNTS) to a ledger holding the demo district.
    Skips accounts that already exist; returns (username, password, role label, description)
    for those it created."""
    actor = system_user("demo")
    for account in DEMO_ACCOUNTS:  # check everything first: all or nothing on a ledger without the demo
        _assignment(con, account.role, account.unit, account.leader)
    created = []
    for account in DEMO_ACCOUNTS:
        if _row(con, account.username) is not None:
            continue
        create_user(con, actor, account.username, account.password, account.role,
                    display_name=account.display_name, unit=account.unit, leader=account.leader)
        created.append((account.username, account.password, account.role_label, account.description))
    return created
