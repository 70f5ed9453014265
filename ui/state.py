"""How the dashboard reaches the ledger, and the sidebar filters every page shares.

The dashboard holds no connection between operations: a query opens the ledger read-only
under the shared lock and closes it (ledger.db.ledger_reader), a write takes the exclusive lock
for its own length (ledger_writer). So `python -m etl load` can write while the dashboard
runs (DuckDB allows one writing process), and the caches key on ledger.db.data_version, which
every committed write changes: the dashboard shows new data on its next run.

The sidebar's widget values are copied into session state under keys of our own
(`_keep_<key>`) and put back before the widgets are drawn, so a choice survives switching
pages even on a page that does not draw the sidebar."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import streamlit as st

from ledger import queries as views
from ledger.access import User
from ledger.db import LedgerBusy, LedgerMissing, data_version, ledger_reader, ledger_writer, resolve_db_path
from ui import pages_folder
from ui.safe import clean

log = logging.getLogger(__name__)

# What a visitor reads when the ledger cannot be used: what happened and what to do, never a
# path, an SQL error or a traceback (those go to the server log).
BUSY_NOTICE = "台账正忙（可能正在导入、备份或恢复），请稍等片刻后刷新页面重试。"
MISSING_NOTICE = "台账尚未建立或已被移走。请联系督查室的系统管理员在服务器上检查台账文件（python -m etl status）。"
FAILURE_NOTICE = "台账暂时无法使用，请稍后刷新页面重试；如仍有问题，请联系系统管理员查看服务器日志。"

# Widget keys: stable, so tests and session state can find them.
AS_OF_KEY = "as_of"
KINDS_KEY = "filter_source_kinds"
SOURCES_KEY = "filter_sources"
UNITS_KEY = "filter_lead_units"
LEADERS_KEY = "filter_leaders"
_FILTER_KEYS = (KINDS_KEY, SOURCES_KEY, UNITS_KEY, LEADERS_KEY)
_FILTERS_KEY = "_filters"   # the Filters of the current run, for the page


@dataclass(frozen=True)
class Filters:
    """What the sidebar asks for: the as-of date and the narrowing lists (empty: all)."""

    as_of: date
    source_kinds: tuple[str, ...] = ()   # source kind codes
    sources: tuple[int, ...] = ()        # source ids
    lead_units: tuple[str, ...] = ()     # lead unit names
    leaders: tuple[str, ...] = ()        # responsible leader names


def db_path() -> str:
    """The ledger file this session reads ($LEDGER_DB or data/ledger.duckdb)."""
    return str(Path(resolve_db_path()).resolve())


def version() -> str:
    """Changes whenever anyone (this dashboard, the CLI) commits to the ledger."""
    return data_version(db_path())


def _waiting(message: str) -> None:
    st.toast(message, icon=":material/hourglass_top:")


@contextmanager
def reading() -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one query or a few; waits while a writer holds the ledger."""
    with ledger_reader(db_path(), on_wait=_waiting) as con:
        yield con


@contextmanager
def writing() -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection for one change (an import, a login, a task action)."""
    with ledger_writer(db_path(), on_wait=_waiting) as con:
        yield con


@st.cache_resource(show_spinner="正在打开台账…")
def _prepared(path: str) -> bool:
    """Creates or migrates the ledger once per process before anything reads it."""
    with ledger_writer(path):
        return True


def failure_notice(error: BaseException) -> str:
    """The Chinese message for a failure, by kind."""
    if isinstance(error, LedgerBusy):
        return BUSY_NOTICE
    if isinstance(error, LedgerMissing):
        return MISSING_NOTICE
    return FAILURE_NOTICE


def show_failure(error: BaseException) -> None:
    """Shows the failure's Chinese message; its details go to the server log only."""
    if isinstance(error, LedgerBusy):
        log.warning("ledger busy: %s", error)
    else:
        log.error("dashboard failure", exc_info=error)
    st.error(failure_notice(error), icon=":material/error:")


def prepare() -> None:
    try:
        _prepared(db_path())
    except Exception as error:  # noqa: BLE001 - a message for the visitor, the details in the log
        show_failure(error)
        st.stop()


def data_changed() -> None:
    """Call after this session wrote: pages recompute now (other sessions and processes see
    the change through version())."""
    st.cache_data.clear()


@st.cache_data(show_spinner=False, max_entries=64)
def _options(path: str, ledger_version: str, viewer: User) -> views.Options:
    with ledger_reader(path, on_wait=_waiting) as con:
        return views.filter_options(con, viewer)


def _keep(key: str) -> None:
    st.session_state[f"_keep_{key}"] = st.session_state[key]


def _restore(key: str, default, allowed: set | None = None) -> None:
    """Puts the kept value back into the widget's key (dropping choices no longer offered)."""
    value = st.session_state.get(f"_keep_{key}", default)
    if allowed is not None:
        value = [v for v in value if v in allowed]
    st.session_state[key] = value
    st.session_state[f"_keep_{key}"] = value


def _clear_filters() -> None:
    for key in _FILTER_KEYS:
        st.session_state[key] = []
        st.session_state[f"_keep_{key}"] = []


def sidebar(viewer: User) -> Filters:
    """Draws the as-of date and the filters (offering only what the viewer may see) in the
    sidebar and returns them."""
    try:
        options = _options(db_path(), version(), viewer)
    except Exception as error:  # noqa: BLE001 - a message for the visitor, the details in the log
        show_failure(error)
        st.stop()

    _restore(AS_OF_KEY, date.today())
    _restore(KINDS_KEY, [], set(options.kinds))
    sources = options.sources
    if st.session_state[KINDS_KEY]:
        sources = sources.filter(sources["kind"].is_in(st.session_state[KINDS_KEY]))
    titles = dict(zip(sources["source_id"].to_list(), sources["title"].to_list(), strict=True))
    _restore(SOURCES_KEY, [], set(titles))
    _restore(UNITS_KEY, [], set(options.units))
    _restore(LEADERS_KEY, [], set(options.leaders))

    with st.sidebar:
        as_of = st.date_input(
            "截至日期", key=AS_OF_KEY, on_change=_keep, args=(AS_OF_KEY,), format="YYYY-MM-DD",
            help="所有状态（逾期、临期、办结等）按这一天计算",
        )
        st.subheader("筛选")
        kinds = st.multiselect(
            "来源类型", list(options.kinds), key=KINDS_KEY, on_change=_keep, args=(KINDS_KEY,),
            format_func=options.kinds.get, placeholder="全部来源类型",
        )
        picked_sources = st.multiselect(
            "来源", list(titles), key=SOURCES_KEY, on_change=_keep, args=(SOURCES_KEY,),
            format_func=lambda source_id: clean(titles.get(source_id, source_id)), placeholder="全部来源",
        )
        units = st.multiselect(
            "牵头单位", options.units, key=UNITS_KEY, on_change=_keep, args=(UNITS_KEY,), format_func=clean,
            placeholder="全部单位",
        )
        leaders = st.multiselect(
            "责任领导", options.leaders, key=LEADERS_KEY, on_change=_keep, args=(LEADERS_KEY,), format_func=clean,
            placeholder="全部领导",
        )
        if kinds or picked_sources or units or leaders:
            st.button("清除筛选", on_click=_clear_filters, key="filter_clear")
    chosen = Filters(
        as_of=as_of,
        source_kinds=tuple(kinds),
        sources=tuple(picked_sources),
        lead_units=tuple(units),
        leaders=tuple(leaders),
    )
    st.session_state[_FILTERS_KEY] = chosen
    return chosen


def current_filters() -> Filters:
    """The filters the sidebar drew in this run: dashboard.py draws it before every page."""
    pages_folder.route_through_dashboard()
    chosen = st.session_state.get(_FILTERS_KEY)
    if chosen is None:
        st.stop()   # only reachable outside dashboard.py, which always draws the sidebar
    return chosen
