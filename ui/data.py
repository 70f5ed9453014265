"""The pages' cached queries: any view of etl.views, run once per (ledger, as-of date,
filters, arguments) until an import clears the cache (ui.state.data_changed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from etl import views
from ui.state import _connect, db_path

T = TypeVar("T")


@st.cache_data(show_spinner="正在查询台账…", max_entries=256)
def _cached(path: str, view: str, args: tuple, kwargs: tuple) -> object:
    return getattr(views, view)(_connect(path), *args, **dict(kwargs))


def load(view: Callable[..., T], *args, **kwargs) -> T:
    """view(connection, *args, **kwargs) for a function of etl.views, from the cache."""
    return _cached(db_path(), view.__name__, args, tuple(sorted(kwargs.items())))
