"""How the dashboard reaches the ledger, and the sidebar's dates and filters.

The dashboard holds no connection between operations: a query opens the ledger read-only
under the shared lock and closes it (ledger.db.ledger_reader), a write takes the exclusive lock
for its own length (ledger_writer). So `python -m etl load` can write while the dashboard
runs (DuckDB allows one writing process), and the caches key on ledger.db.data_version, which
every committed write changes: the dashboard shows new data on its next run.

The sidebar's widget values are copied into session state under keys of our own
(`_keep_<key>`) and put back before the widgets are drawn, so a choice survives switching
pages even on a page that does not draw the sidebar. Each page draws only the controls it reads
(ui/pages.py, Page.sidebar). 对比日期 follows 截至日期: whenever 截至日期 moves it goes back to
seven days before it, until the user sets it again."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import streamlit as st

from ledger import queries as views
from ledger.access import User, can
from ledger.db import LedgerBusy, LedgerMissing, data_version, ledger_reader, ledger_writer, resolve_db_path
from ledger.vocabulary import QUEUE_COUNT_LABELS
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
COMPARE_KEY = "compare_with"
COMPARE_DAYS = 7       # 对比日期 defaults to a week before 截至日期
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
    compare_with: date | None = None     # 对比日期, on the pages that compare
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


def _as_of_moved() -> None:
    """截至日期 changed: keep it, and put 对比日期 back to a week before it."""
    _keep(AS_OF_KEY)
    moved = st.session_state[AS_OF_KEY]
    if moved is not None:
        st.session_state[f"_keep_{COMPARE_KEY}"] = moved - timedelta(days=COMPARE_DAYS)


def _clear_filters() -> None:
    for key in _FILTER_KEYS:
        st.session_state[key] = []
        st.session_state[f"_keep_{key}"] = []


ALL_CONTROLS = ("as_of", "compare", "filters")


def sidebar(viewer: User, controls: tuple[str, ...] = ALL_CONTROLS) -> Filters:
    """Draws in the sidebar the controls the page reads (`controls`, from ui/pages.py): the
    as-of date, the comparison date, the filters (offering only what the viewer may see); the
    ones not drawn keep their values for the pages that draw them. Returns them all."""
    _restore(AS_OF_KEY, date.today())
    if st.session_state[AS_OF_KEY] is None:   # the field emptied: back to today
        st.session_state[AS_OF_KEY] = st.session_state[f"_keep_{AS_OF_KEY}"] = date.today()
    as_of = st.session_state[AS_OF_KEY]
    _restore(COMPARE_KEY, as_of - timedelta(days=COMPARE_DAYS))
    if st.session_state[COMPARE_KEY] is None or st.session_state[COMPARE_KEY] > as_of:
        st.session_state[COMPARE_KEY] = st.session_state[f"_keep_{COMPARE_KEY}"] = as_of - timedelta(days=COMPARE_DAYS)
    kinds, picked_sources, units, leaders = (
        [st.session_state.get(f"_keep_{key}", []) for key in _FILTER_KEYS] if "filters" not in controls else ([],) * 4
    )

    with st.sidebar:
        if "as_of" in controls:
            as_of = st.date_input(
                "截至日期", key=AS_OF_KEY, on_change=_as_of_moved, format="YYYY-MM-DD",
                help="所有状态（逾期、临期、办结等）按这一天计算",
            )
        if "compare" in controls:
            st.date_input(
                "对比日期", key=COMPARE_KEY, on_change=_keep, args=(COMPARE_KEY,), max_value=as_of,
                format="YYYY-MM-DD", help=f"与这一天的数字相比；截至日期改变时自动设为其前 {COMPARE_DAYS} 天",
            )
        if "filters" in controls:
            kinds, picked_sources, units, leaders = _filters(viewer)
        _queue_box(viewer, as_of)
    chosen = Filters(
        as_of=as_of,
        compare_with=st.session_state[COMPARE_KEY],
        source_kinds=tuple(kinds),
        sources=tuple(picked_sources),
        lead_units=tuple(units),
        leaders=tuple(leaders),
    )
    st.session_state[_FILTERS_KEY] = chosen
    return chosen


@st.cache_data(show_spinner=False, max_entries=64)
def _queue_counts(path: str, ledger_version: str, viewer: User, as_of: date) -> dict[str, int]:
    with ledger_reader(path, on_wait=_waiting) as con:
        return views.queue_counts(con, viewer, as_of)


def _queue_box(viewer: User, as_of: date) -> None:
    """待办 in the sidebar on every page: the counts of the viewer's queues (the same figures as
    督查总览 and the 待办 page), and the way to the page."""
    if not can(viewer, "read_queue"):
        return
    try:
        counts = _queue_counts(db_path(), version(), viewer, as_of)
    except Exception as error:  # noqa: BLE001 - the figures are a convenience; the page shows the failure
        log.warning("queue counts unavailable: %s", error)
        return
    st.subheader("待办")
    st.markdown("  \n".join(f"{QUEUE_COUNT_LABELS[queue]}：**{count}** 项" for queue, count in counts.items()))
    st.page_link("pages/queue.py", label="打开待办", icon=":material/inbox:")


def _filters(viewer: User) -> tuple[list, list, list, list]:
    """The four filter lists, drawn (the caller is inside the sidebar)."""
    try:
        options = _options(db_path(), version(), viewer)
    except Exception as error:  # noqa: BLE001 - a message for the visitor, the details in the log
        show_failure(error)
        st.stop()

    _restore(KINDS_KEY, [], set(options.kinds))
    sources = options.sources
    if st.session_state[KINDS_KEY]:
        sources = sources.filter(sources["kind"].is_in(st.session_state[KINDS_KEY]))
    titles = dict(zip(sources["source_id"].to_list(), sources["title"].to_list(), strict=True))
    _restore(SOURCES_KEY, [], set(titles))
    _restore(UNITS_KEY, [], set(options.units))
    _restore(LEADERS_KEY, [], set(options.leaders))

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
    return kinds, picked_sources, units, leaders


def current_filters() -> Filters:
    """The filters the sidebar drew in this run: dashboard.py draws it before every page."""
    pages_folder.route_through_dashboard()
    chosen = st.session_state.get(_FILTERS_KEY)
    if chosen is None:
        st.stop()   # only reachable outside dashboard.py, which always draws the sidebar
    return chosen
