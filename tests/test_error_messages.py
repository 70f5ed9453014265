"""Issue 12, no tracebacks to visitors: 台账正忙, a missing ledger and any other failure reach
the browser as a Chinese message saying what to do, never as a traceback, a server path or an
SQL error; the details go to the server log."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

import pytest
import streamlit as st
from conftest import DASHBOARD, build_dashboard_ledger, dashboard_reads, signed_in_app
from streamlit.testing.v1 import AppTest

from ledger.db import LedgerBusy, LedgerMissing
from ui import state

SECRET_PATH = "/srv/secret-office/ledger.duckdb"


@pytest.fixture(scope="module")
def ledger_file(tmp_path_factory) -> Path:
    return build_dashboard_ledger(tmp_path_factory.mktemp("errors") / "ledger.duckdb")


@pytest.fixture
def ledger(ledger_file, monkeypatch):
    with dashboard_reads(ledger_file, monkeypatch) as path:
        yield path


def _failing_reader(error: BaseException):
    @contextmanager
    def reader(*args, **kwargs):
        raise error
        yield  # pragma: no cover

    return reader


def _texts(at: AppTest) -> list[str]:
    found = []
    for kind in ("error", "warning", "info", "markdown", "caption", "title", "exception", "toast"):
        found += [str(getattr(element, "value", "")) for element in getattr(at, kind, [])]
    return found


FAILURES = [
    (LedgerBusy(), state.BUSY_NOTICE),
    (LedgerMissing(Path(SECRET_PATH)), state.MISSING_NOTICE),
    (RuntimeError(f"IO Error: could not open {SECRET_PATH}: SELECT * FROM users"), state.FAILURE_NOTICE),
]


@pytest.mark.parametrize("error, notice", FAILURES, ids=["busy", "missing", "other"])
def test_the_login_page_says_what_to_do(ledger, monkeypatch, caplog, error, notice):
    at = AppTest.from_file(DASHBOARD, default_timeout=30).run()   # prepared while the ledger is fine
    monkeypatch.setattr(state, "ledger_reader", _failing_reader(error))
    st.cache_data.clear()
    with caplog.at_level(logging.WARNING):
        at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [notice]
    texts = " ".join(_texts(at))
    assert "secret-office" not in texts and "Traceback" not in texts and "SELECT" not in texts
    assert "secret-office" in caplog.text or isinstance(error, LedgerBusy)   # the details: in the log


@pytest.mark.parametrize("error, notice", FAILURES, ids=["busy", "missing", "other"])
def test_a_signed_in_page_says_what_to_do(ledger, monkeypatch, error, notice):
    at = signed_in_app("ducha").run()
    assert not at.exception and not at.error
    monkeypatch.setattr(state, "ledger_reader", _failing_reader(error))
    st.cache_data.clear()
    at.run()
    assert not at.exception
    assert notice in [e.value for e in at.error]
    texts = " ".join(_texts(at))
    assert "secret-office" not in texts and "Traceback" not in texts


def test_a_page_that_fails_shows_the_message_not_the_traceback(ledger, monkeypatch):
    from ledger import history

    def broken(*args, **kwargs):
        raise ValueError(f"Binder Error at {SECRET_PATH}")

    monkeypatch.setattr(history, "audit_choices", broken)
    at = signed_in_app("ducha").run()
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    assert [e.value for e in at.error] == [state.FAILURE_NOTICE]
    assert "secret-office" not in " ".join(_texts(at))


def test_the_config_hides_error_details():
    config = (Path(DASHBOARD).parent / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert 'showErrorDetails = "none"' in config
