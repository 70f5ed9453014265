"""Dashboard benchmark: rendering 督查总览 and 逾期预警 on a 100,000-task ledger through
Streamlit's AppTest with a cold query cache, beside the same page's DuckDB queries run bare
in the same process. Target: each page within 1.5x of its bare queries and under 1.5 s, also
at 1,000,000 tasks.

    .venv/bin/python bench/bench_pages.py                   # 100,000 tasks
    .venv/bin/python bench/bench_pages.py --rows 1000000    # lifts the reader's cell cap
    .venv/bin/python bench/bench_pages.py --rows 20000 --repeat 5
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import duckdb  # noqa: E402
import streamlit as st  # noqa: E402
import streamlit.logger  # noqa: E402
from bench_etl import allow_cells, write_task_csv  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from etl.importer import InputFile, LoadOptions, import_files  # noqa: E402
from ledger import accounts  # noqa: E402
from ledger import queries as views  # noqa: E402
from ledger.access import User, system_user  # noqa: E402
from ledger.db import open_ledger  # noqa: E402
from ledger.vocabulary import STATUS_LABELS  # noqa: E402
from ui.auth import USER_KEY  # noqa: E402
from ui.pages import BY_FILE  # noqa: E402
from ui.state import Filters  # noqa: E402

AS_OF = date(2026, 6, 30)
SOURCE_DATE = date(2026, 3, 2)
TARGET_RATIO, TARGET_SECONDS = 1.5, 1.5
VIEWER = User(username="ducha", role="office", display_name="督查室")
BENCH_PASSWORD = "qc-bench-2026"


def build_ledger(folder: Path, rows: int) -> Path:
    csv_path, db_path = folder / "tasks.csv", folder / "ledger.duckdb"
    write_task_csv(csv_path, rows)
    con = open_ledger(db_path)
    options = LoadOptions(source_kind="常务会议", source_title="区政府第1次常务会议", source_date=SOURCE_DATE,
                          today=SOURCE_DATE + timedelta(days=30))
    result = import_files(con, [InputFile.from_path(csv_path)], options)
    if not result.committed:
        raise SystemExit(f"load failed: {result.files[0].errors[:3]}")
    accounts.create_user(con, system_user(), VIEWER.username, BENCH_PASSWORD, "office")
    con.close()
    return db_path


def overview_queries(con, filters: Filters) -> None:
    """What 督查总览 (and the sidebar) asks the ledger, in the page's order."""
    views.filter_options(con, VIEWER)
    views.queue_counts(con, VIEWER, filters.as_of)   # the sidebar's and the page's 待办 (cached once)
    views.status_counts(con, VIEWER, filters.as_of, filters)
    views.status_counts(con, VIEWER, filters.as_of - timedelta(days=7), filters)
    views.on_time_rates(con, VIEWER, filters.as_of, filters)
    views.on_time_rates(con, VIEWER, filters.as_of - timedelta(days=7), filters)
    views.flagged_tasks(con, VIEWER, filters.as_of, filters)
    views.status_by_kind(con, VIEWER, filters.as_of, filters)
    views.weekly_flow(con, VIEWER, filters.as_of, filters, weeks=12)
    views.unit_status(con, VIEWER, filters.as_of, filters)
    views.alerts(con, VIEWER, filters.as_of, filters, status="overdue", group_by="none", limit=10)


def overdue_queries(con, filters: Filters) -> None:
    """What 逾期预警 (and the sidebar) asks the ledger, with its default grouping by unit."""
    views.filter_options(con, VIEWER)
    views.queue_counts(con, VIEWER, filters.as_of)   # the sidebar's 待办
    views.due_soon_workdays(con)
    views.alert_groups(con, VIEWER, filters.as_of, filters, group_by="unit")
    views.chases(con, VIEWER, filters.as_of)
    views.status_counts(con, VIEWER, filters.as_of, filters)
    views.alerts(con, VIEWER, filters.as_of, filters, status="overdue", group_by="unit", limit=2000)
    views.alerts(con, VIEWER, filters.as_of, filters, status="due_soon", group_by="unit", limit=2000)


# The pages measured (file as in the page registry, ui/pages.py) and what each asks bare.
MEASURED = {
    "pages/overview.py": overview_queries,
    "pages/overdue.py": overdue_queries,
}


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def clear_query_cache() -> None:
    """st.cache_data.clear() outside a script run, without its "No runtime found" warning
    (AppTest resets the log level on every run)."""
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    st.cache_data.clear()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    streamlit.logger.set_log_level(logging.ERROR)
    allow_cells((args.rows + 1) * 6)   # the generated list: a header and six columns a row
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        db_path = build_ledger(Path(tmp), args.rows)
        print(f"ledger of {args.rows:,} tasks built in {time.perf_counter() - started:.1f} s; as of {AS_OF}")
        os.environ["LEDGER_DB"] = str(db_path)
        filters = Filters(as_of=AS_OF)

        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        # Signed in through the login form, as a person would (not measured).
        at.run()
        at.text_input(key="login_username").input(VIEWER.username)
        at.text_input(key="login_password").input(BENCH_PASSWORD)
        at.button[0].click().run()   # imports, migration check, the first render: not measured
        assert not at.exception, [e.value for e in at.exception]
        assert at.session_state[USER_KEY] == VIEWER.username, [e.value for e in at.error]
        at.date_input(key="as_of").set_value(AS_OF).run()
        # The baseline holds one read-only connection; the page opens one per query it runs.
        con = duckdb.connect(str(db_path), read_only=True)
        counts = views.status_counts(con, VIEWER, AS_OF, filters)
        print("statuses:", "  ".join(f"{STATUS_LABELS[s]} {n:,}" for s, n in counts.items() if n))

        failed = False
        for page, queries in MEASURED.items():
            name = BY_FILE[page].title
            at.switch_page(page).run()   # warm the page's imports
            assert not at.exception, [e.value for e in at.exception]
            renders, bares = [], []
            for _ in range(args.repeat):
                clear_query_cache()
                renders.append(timed(lambda page=page: at.switch_page(page).run()))
                assert not at.exception, [e.value for e in at.exception]
                bares.append(timed(lambda queries=queries: queries(con, filters)))
            render, bare = statistics.median(renders), statistics.median(bares)
            ratio = render / bare
            ok = ratio <= TARGET_RATIO and render <= TARGET_SECONDS
            failed |= not ok
            print(f"{name}: page {render:.3f} s (cold cache, median of {args.repeat}), bare queries {bare:.3f} s, "
                  f"ratio {ratio:.2f}x  [{'ok' if ok else 'MISSED'}: <= {TARGET_RATIO}x and <= {TARGET_SECONDS} s]")
        con.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
