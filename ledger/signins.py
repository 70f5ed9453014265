"""Sign-in events and login throttling, kept beside the ledger, never in it.

Every login, failed login and throttled attempt is written to a small SQLite file next to the
ledger (`<ledger>.signins.sqlite`, stdlib sqlite3, WAL, created 0600). Writing it does not take
the ledger's exclusive lock, does not change the ledger's bytes and does not bump its data
version: a stream of failed logins for made-up names cannot hold the ledger or empty every
user's cache. 操作日志 reads these events beside the ledger's audit log (ledger.history).
Account changes (password, role, disable, unlock) stay in the ledger's audit log.

Throttling (issue 12): counters of failed logins per client address, per account name and
per (client, account) pair, each with a growing delay once it passes its free allowance:

- a client past CLIENT_FREE failures (within WINDOW) waits DELAY_BASE * 2**k before its next
  attempt is even checked (k = failures beyond the allowance), capped at the ledger's
  `login_lockout_minutes`: this stops one address guessing many accounts;
- an account past `login_max_failures` failures gets the same growing delay, but it applies
  only to clients that have themselves failed on that account PAIR_FREE times or more: a
  stranger guessing the office's account slows *his* guessing, while the office, signing in
  from its own machine with the right password, is still let in;
- a correct password resets the account's and the pair's counts (not the client's);
- an attempt refused by a delay answers exactly as a wrong password does (the password is
  hashed against a dummy all the same), so the answer tells nobody whether an account exists
  or is being throttled.

A distributed guesser (many addresses) still gets PAIR_FREE guesses per address per account;
the password policy (zxcvbn) and argon2 are the defence there (SECURITY.md).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

SUFFIX = ".signins.sqlite"
CLIENT_FREE = 20            # failures from one address before it has to wait
PAIR_FREE = 3               # failures of one address on one account before the account's delay applies to it
DELAY_BASE = timedelta(seconds=30)
WINDOW = timedelta(hours=1)  # a counter whose last failure is older than this starts again
LOCAL_CLIENT = "本机"         # the client of a browser on the server itself (no address)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    logged_at TEXT NOT NULL,            -- local wall time, 'YYYY-MM-DD HH:MM:SS'
    username  TEXT NOT NULL,            -- the account name tried (or （无效用户名）)
    action    TEXT NOT NULL,            -- login / login_failed / login_throttled / throttled / logout
    client    TEXT,                     -- the client's address
    note      TEXT                      -- why (用户名不存在, 密码错误, ...)
);
CREATE INDEX IF NOT EXISTS events_time ON events (logged_at);
CREATE TABLE IF NOT EXISTS throttle (
    key          TEXT PRIMARY KEY,      -- client:<address> / account:<name> / pair:<address>|<name>
    failures     INTEGER NOT NULL,
    last_failure TEXT NOT NULL,
    wait_until   TEXT                   -- no attempt counted against this key is checked before
);
"""


def store_path(ledger_path: str | Path) -> Path:
    path = Path(ledger_path)
    return path.with_name(path.name + SUFFIX)


def _text(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat(sep=" ")


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Counter:
    failures: int = 0
    wait_until: datetime | None = None

    def waiting(self, now: datetime) -> bool:
        return self.wait_until is not None and self.wait_until > now


def delay(failures: int, free: int, cap: timedelta) -> timedelta | None:
    """The wait after `failures` failures with `free` allowed: none, then 30 s, 1 min, 2 min, ... up to cap."""
    if failures < free:
        return None
    return min(cap, DELAY_BASE * (2 ** min(failures - free, 30)))


class SigninStore:
    """One ledger's sign-in file. Each call opens and closes its own sqlite3 connection (the
    dashboard's threads and the CLI may use the file at the same time; SQLite's own locking
    serialises the short writes)."""

    def __init__(self, ledger_path: str | Path):
        self.path = store_path(ledger_path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        from ledger.db import make_private

        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.path.exists():
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA busy_timeout=30000")
            con.executescript(_SCHEMA)
            make_private(self.path, Path(str(self.path) + "-wal"), Path(str(self.path) + "-shm"))
            yield con

    # -- events ---------------------------------------------------------------------------

    def record(self, now: datetime, username: str, action: str, client: str | None = None,
               note: str | None = None) -> None:
        with self._connect() as con:
            con.execute("INSERT INTO events (logged_at, username, action, client, note) VALUES (?, ?, ?, ?, ?)",
                        [_text(now), username, action, client, note])

    def events(self, since: datetime | None = None, until: datetime | None = None) -> list[dict]:
        """Events logged in [since, until), oldest first."""
        if not self.path.exists():
            return []
        with self._connect() as con:
            cursor = con.execute(
                "SELECT event_id, logged_at, username, action, client, note FROM events "
                "WHERE (? IS NULL OR logged_at >= ?) AND (? IS NULL OR logged_at < ?) ORDER BY event_id",
                [*(2 * [_text(since) if since else None]), *(2 * [_text(until) if until else None])],
            )
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        for row in rows:
            row["logged_at"] = _time(row["logged_at"])
        return rows

    def choices(self) -> tuple[list[str], list[str]]:
        """(usernames, actions) the events hold, for 操作日志's filters."""
        if not self.path.exists():
            return [], []
        with self._connect() as con:
            names = [row[0] for row in con.execute("SELECT DISTINCT username FROM events ORDER BY 1")]
            actions = [row[0] for row in con.execute("SELECT DISTINCT action FROM events ORDER BY 1")]
        return names, actions

    def last_logins(self) -> dict[str, datetime]:
        if not self.path.exists():
            return {}
        with self._connect() as con:
            rows = con.execute("SELECT username, max(logged_at) FROM events WHERE action = 'login' GROUP BY username")
            return {name: _time(at) for name, at in rows.fetchall()}

    # -- throttle counters -------------------------------------------------------------------

    def counters(self, keys: list[str], now: datetime | None) -> dict[str, Counter]:
        """The live counters of keys (a counter past WINDOW since its last failure reads as zero;
        with now None, every stored counter, however old)."""
        found = {key: Counter() for key in keys}
        if not self.path.exists():
            return found
        with self._connect() as con:
            for key, failures, last, wait in con.execute(
                f"SELECT key, failures, last_failure, wait_until FROM throttle WHERE key IN ({', '.join('?' * len(keys))})",
                keys,
            ).fetchall():
                if now is None or now - _time(last) <= WINDOW or (wait and _time(wait) > now):
                    found[key] = Counter(failures, _time(wait))
        return found

    def fail(self, keys: dict[str, tuple[int, timedelta]], now: datetime,
             event: tuple[str, str | None, str | None] | None = None) -> dict[str, Counter]:
        """Counts one failure against each key (key -> (free, cap)) and records the failed login
        `event` (username, client, note) in one transaction; a key that starts waiting records a
        `throttled` event too. Returns the new counters."""
        result = {}
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            if event is not None:
                con.execute("INSERT INTO events (logged_at, username, action, client, note) VALUES (?, ?, 'login_failed', ?, ?)",
                            [_text(now), *event])
            for key, (free, cap) in keys.items():
                row = con.execute("SELECT failures, last_failure FROM throttle WHERE key = ?", [key]).fetchone()
                failures = 1 if row is None or now - _time(row[1]) > WINDOW else row[0] + 1
                wait = delay(failures, free, cap)
                wait_until = now + wait if wait else None
                con.execute("INSERT OR REPLACE INTO throttle VALUES (?, ?, ?, ?)",
                            [key, failures, _text(now), _text(wait_until) if wait_until else None])
                result[key] = Counter(failures, wait_until)
                if wait_until is not None and event is not None:
                    what = "来源地址" if key.startswith("client:") else "账号"
                    con.execute("INSERT INTO events (logged_at, username, action, client, note) "
                                "VALUES (?, ?, 'throttled', ?, ?)",
                                [_text(now), event[0], event[1], f"{what}连续失败{failures}次，须等到 {_text(wait_until)} 再试"])
            con.execute("COMMIT")
        return result

    def clear(self, keys: list[str]) -> None:
        if not self.path.exists():
            return
        with self._connect() as con:
            con.execute(f"DELETE FROM throttle WHERE key IN ({', '.join('?' * len(keys))})", keys)

    def clear_account(self, username: str) -> Counter:
        """Lifts every delay on an account (its counter and every pair's); returns what it was."""
        if not self.path.exists():
            return Counter()
        with self._connect() as con:
            row = con.execute("SELECT failures, wait_until FROM throttle WHERE key = ?",
                              [account_key(username)]).fetchone()
            con.execute("DELETE FROM throttle WHERE key = ? OR (key LIKE 'pair:%' AND substr(key, -?) = ?)",
                        [account_key(username), len(username) + 1, "|" + username])
        return Counter(row[0], _time(row[1])) if row else Counter()

    def account_state(self, username: str, now: datetime | None = None) -> Counter:
        """The account's counter (now None: as stored, however old)."""
        return self.counters([account_key(username)], now)[account_key(username)]


def store_of(con) -> SigninStore:
    """The sign-in store beside the ledger file a DuckDB connection has open (read-only or not)."""
    found = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if not found or not found[0]:
        raise RuntimeError("the sign-in store needs a ledger file, not an in-memory database")
    return SigninStore(found[0])


def client_key(client: str) -> str:
    return f"client:{client}"


def account_key(username: str) -> str:
    return f"account:{username}"


def pair_key(client: str, username: str) -> str:
    return f"pair:{client}|{username}"
