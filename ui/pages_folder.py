"""Streamlit's old multipage mode and this app's `pages/` folder: the one workaround.

Checked against streamlit 1.67.0 (requirements.txt pins it; tests/test_pages_folder.py fails
when the installed Streamlit differs or stops doing what this relies on):
- `PagesManager.uses_pages_directory` is a class attribute, None until the first
  PagesManager of the process sets it to whether a `pages/` folder sits beside the main
  script; while it is true the script runner runs a page asked for by URL on its own
  (`_mpa_v1`), without dashboard.py: no sign-in check, no sidebar, no page config;
- `st.navigation` sets it to False for the rest of the process;
- AppTest resets it to None before every run, as a fresh process would be.

The layout is fixed (the pages live in `pages/`), so a page opened by a cold URL (/overdue
after a server restart) turns the old mode off and reruns through dashboard.py; tests run as
the server does after its first run.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

CHECKED_AGAINST = "1.67.0"


def route_through_dashboard() -> None:
    """Called by every page before it draws: if Streamlit ran this page on its own (old
    multipage mode), turn that mode off and rerun, so the run goes through dashboard.py."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def as_after_first_run(monkeypatch) -> None:
    """For tests (pytest's monkeypatch): every PagesManager AppTest builds starts with the old
    mode off, as on a server whose dashboard.py has run once. Without it a button clicked in a
    page's first run is lost to the rerun route_through_dashboard makes."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
