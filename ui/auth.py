"""Signing in and out, and the session's expiry.

The browser session keeps only the username, two times (signed in, last active) and the
account's session epoch at sign-in; the account itself (role, unit, leader, disabled, epoch)
is read from the ledger on every run, cached on the ledger's data version, so a password
reset, a role change or a disabled account ends the session at its next run — also when made
from the command line.

Signing in only reads the ledger (shared lock): the attempt is recorded in the sign-in store
beside it (ledger.signins), so failed logins never take the ledger's write lock nor empty
anyone's cache. The client's address (st.context.ip_address; None on the server itself) keys
the login throttle."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import streamlit as st

from ledger import accounts
from ledger.access import User
from ui.safe import md
from ui.state import db_path, reading, show_failure, version, writing

log = logging.getLogger(__name__)

USER_KEY = "auth_username"
SIGNED_IN_KEY = "auth_signed_in_at"
ACTIVE_KEY = "auth_last_active_at"
EPOCH_KEY = "auth_session_epoch"   # the account's session epoch when this session signed in
NOTICE_KEY = "auth_notice"   # why the session ended, shown on the login page
CHANGED_NOTICE = "账号的密码、角色或状态已变更，请重新登录。"


@st.cache_data(show_spinner=False, max_entries=512)
def _account(path: str, ledger_version: str, username: str) -> tuple[User, int] | None:
    with reading() as con:
        return accounts.account_session(con, username)


def client_address() -> str | None:
    """The browser's address as the server sees it (None on the server itself)."""
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - outside a browser session (tests, bare mode)
        return None
    return address if isinstance(address, str) and address else None


@st.cache_data(show_spinner=False, max_entries=8)
def _limits(path: str, ledger_version: str) -> tuple[timedelta, timedelta]:
    with reading() as con:
        return accounts.session_limits(con)


@st.cache_data(show_spinner=False, max_entries=8)
def _has_accounts(path: str, ledger_version: str) -> bool:
    with reading() as con:
        return accounts.has_users(con)


def _end_session(notice: str | None) -> None:
    for key in (USER_KEY, SIGNED_IN_KEY, ACTIVE_KEY, EPOCH_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def current_user(now: datetime | None = None) -> User | None:
    """The signed-in user, or None when nobody is, or the session has expired (idle too long
    or signed in too long ago), or the account was disabled, its password reset or its role
    changed since (its session epoch moved on)."""
    username = st.session_state.get(USER_KEY)
    if not username:
        return None
    now = now or datetime.now()
    idle_limit, session_limit = _limits(db_path(), version())
    signed_in = st.session_state.get(SIGNED_IN_KEY, now)
    last_active = st.session_state.get(ACTIVE_KEY, now)
    found = _account(db_path(), version(), username)
    if now - last_active > idle_limit or now - signed_in > session_limit:
        if found is not None:
            with reading() as con:
                accounts.record_logout(con, found[0], expired=True, client=client_address())
        _end_session("登录已超时，请重新登录。")
        return None
    if found is None:
        _end_session("账号已停用或不存在，请联系督查室。")
        return None
    user, epoch = found
    if st.session_state.get(EPOCH_KEY) != epoch:
        with reading() as con:
            accounts.record_logout(con, user, ended="账号已变更，会话结束", client=client_address())
        _end_session(CHANGED_NOTICE)
        return None
    st.session_state[ACTIVE_KEY] = now
    return user


def signed_in_user() -> User:
    """For code that only runs once dashboard.py has let a user in."""
    user = current_user()
    if user is None:
        st.stop()
    return user


def sign_in(username: str, password: str) -> str | None:
    """Checks the password against the ledger (read-only; the attempt goes to the sign-in
    store); None on success, else the message to show."""
    client = client_address()
    try:
        with reading() as con:
            user = accounts.authenticate(con, username.strip(), password, client=client, rehash=False)
            found = accounts.account_session(con, user.username)
            outdated = accounts.needs_rehash(con, user.username)
    except accounts.LoginFailed as failure:
        return str(failure)
    if outdated:  # rare: the hashing parameters changed since the password was set
        try:
            with writing() as con:
                accounts.rehash_password(con, user.username, password)
        except Exception:  # noqa: BLE001 - the login stands; the rehash waits for the next one
            log.exception("rehash after login failed for %s", user.username)
    now = datetime.now()
    st.session_state[USER_KEY] = user.username
    st.session_state[SIGNED_IN_KEY] = now
    st.session_state[ACTIVE_KEY] = now
    st.session_state[EPOCH_KEY] = found[1] if found else None
    st.session_state.pop(NOTICE_KEY, None)
    return None


def sign_out() -> None:
    user = current_user()
    if user is not None:
        with reading() as con:
            accounts.record_logout(con, user, client=client_address())
    _end_session("已退出登录。")


def login_page() -> None:
    """The page everyone sees before signing in."""
    st.title("督查督办台账")
    if notice := st.session_state.pop(NOTICE_KEY, None):
        st.info(notice)
    if not _has_accounts(db_path(), version()):
        st.warning(accounts.FIRST_ACCOUNT_HINT)
    with st.form("login", border=True):
        st.subheader("登录")
        username = st.text_input("用户名", key="login_username", autocomplete="username")
        password = st.text_input("密码", type="password", key="login_password", autocomplete="current-password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        if not username.strip() or not password:
            st.error("请输入用户名和密码。")
            return
        try:
            failure = sign_in(username, password)
        except Exception as error:  # noqa: BLE001 - LedgerBusy, LedgerMissing, anything: a message, no traceback
            show_failure(error)
            return
        if failure:
            st.error(failure)
            return
        st.rerun()
    st.caption("连续多次登录失败后，需等待一段时间才能再试；忘记密码请联系督查室重置。")


def account_box(user: User) -> None:
    """Who is signed in, in the sidebar, with 退出登录."""
    with st.sidebar:
        st.caption(f"当前用户：{md(user.label)}")
        st.button("退出登录", key="logout", on_click=sign_out, icon=":material/logout:")
