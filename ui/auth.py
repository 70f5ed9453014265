"""Signing in and out, and the session's expiry.

The browser session keeps only the username and two times (signed in, last active); the
account itself (role, unit, leader, disabled) is read from the ledger on every run, cached on
the ledger's data version, so a role change or a disabled account takes effect at once —
also when made from the command line."""

from __future__ import annotations

from datetime import datetime, timedelta

import streamlit as st

from ledger import accounts
from ledger.access import User
from ui.state import db_path, reading, version, writing

USER_KEY = "auth_username"
SIGNED_IN_KEY = "auth_signed_in_at"
ACTIVE_KEY = "auth_last_active_at"
NOTICE_KEY = "auth_notice"   # why the session ended, shown on the login page


@st.cache_data(show_spinner=False, max_entries=512)
def _account(path: str, ledger_version: str, username: str) -> User | None:
    with reading() as con:
        return accounts.get_user(con, username)


@st.cache_data(show_spinner=False, max_entries=8)
def _limits(path: str, ledger_version: str) -> tuple[timedelta, timedelta]:
    with reading() as con:
        return accounts.session_limits(con)


@st.cache_data(show_spinner=False, max_entries=8)
def _has_accounts(path: str, ledger_version: str) -> bool:
    with reading() as con:
        return accounts.has_users(con)


def _end_session(notice: str | None) -> None:
    for key in (USER_KEY, SIGNED_IN_KEY, ACTIVE_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def current_user(now: datetime | None = None) -> User | None:
    """The signed-in user, or None when nobody is, or the session has expired (idle too long
    or signed in too long ago), or the account was disabled since."""
    username = st.session_state.get(USER_KEY)
    if not username:
        return None
    now = now or datetime.now()
    idle_limit, session_limit = _limits(db_path(), version())
    signed_in = st.session_state.get(SIGNED_IN_KEY, now)
    last_active = st.session_state.get(ACTIVE_KEY, now)
    if now - last_active > idle_limit or now - signed_in > session_limit:
        user = _account(db_path(), version(), username)
        if user is not None:
            with writing() as con:
                accounts.record_logout(con, user, expired=True)
        _end_session("登录已超时，请重新登录。")
        return None
    user = _account(db_path(), version(), username)
    if user is None:
        _end_session("账号已停用或不存在，请联系督查室。")
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
    """Checks the password against the ledger; None on success, else the message to show."""
    try:
        with writing() as con:
            user = accounts.authenticate(con, username.strip(), password)
    except accounts.LoginFailed as failure:
        return str(failure)
    now = datetime.now()
    st.session_state[USER_KEY] = user.username
    st.session_state[SIGNED_IN_KEY] = now
    st.session_state[ACTIVE_KEY] = now
    st.session_state.pop(NOTICE_KEY, None)
    return None


def sign_out() -> None:
    user = current_user()
    if user is not None:
        with writing() as con:
            accounts.record_logout(con, user)
    _end_session("已退出登录。")
    st.cache_data.clear()


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
        failure = sign_in(username, password)
        if failure:
            st.error(failure)
            return
        st.rerun()


def account_box(user: User) -> None:
    """Who is signed in, in the sidebar, with 退出登录."""
    with st.sidebar:
        st.caption(f"当前用户：{user.label}")
        st.button("退出登录", key="logout", on_click=sign_out, icon=":material/logout:")
