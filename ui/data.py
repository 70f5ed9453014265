"""The pages' queries: any view of ledger.queries for the signed-in user, cached per (ledger, its
data version, view, user, arguments). A write anywhere changes the data version, so a page
never shows data older than its run."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from ledger import queries as views
from ledger.access import User
from ui.auth import signed_in_user
from ui.state import db_path, reading, version

T = TypeVar("T")


@st.cache_data(show_spinner="正在查询台账…", max_entries=256)
def _cached(path: str, ledger_version: str, view: str, viewer: User, args: tuple, kwargs: tuple) -> object:
    return fresh(getattr(views, view), *args, viewer=viewer, **dict(kwargs))


def load(view: Callable[..., T], *args, **kwargs) -> T:
    """view(connection, user, *args, **kwargs) for a function of ledger.queries, from the cache."""
    return _cached(db_path(), version(), view.__name__, signed_in_user(), args, tuple(sorted(kwargs.items())))


def fresh(view: Callable[..., T], *args, viewer: User | None = None, **kwargs) -> T:
    """The same, uncached (downloads of whole tables)."""
    with reading() as con:
        return view(con, viewer or signed_in_user(), *args, **kwargs)


@st.cache_data(show_spinner=False, max_entries=8)
def _due_soon_workdays(path: str, ledger_version: str) -> int:
    with reading() as con:
        return views.due_soon_workdays(con)


def due_soon_workdays() -> int:
    """The 临期 window in working days (a setting, the same for every user)."""
    return _due_soon_workdays(db_path(), version())
