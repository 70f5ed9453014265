"""What ui/pages_folder.py relies on in Streamlit. A failure here means Streamlit changed: read
the module's docstring, check the workaround against the new version, then update
CHECKED_AGAINST and requirements.txt together."""

from __future__ import annotations

import inspect
from pathlib import Path

import streamlit
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from ui import pages_folder

ROOT = Path(__file__).resolve().parent.parent


def test_the_installed_streamlit_is_the_one_the_workaround_was_checked_against():
    pinned = next(line.split("==")[1].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
                  if line.startswith("streamlit=="))
    assert streamlit.__version__ == pinned == pages_folder.CHECKED_AGAINST


def test_a_pages_folder_beside_the_main_script_turns_the_old_mode_on(tmp_path, monkeypatch):
    (tmp_path / "pages").mkdir()
    main = tmp_path / "app.py"
    main.write_text("")
    monkeypatch.undo()   # without the autouse fixture's patch: the flag as Streamlit sets it
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    PagesManager(str(main), setup_watcher=False)
    assert PagesManager.uses_pages_directory is True


def test_the_old_mode_runs_a_page_without_the_main_script():
    """The script runner chooses between the main script and the old mode on this flag alone."""
    source = inspect.getsource(script_runner)
    assert "if PagesManager.uses_pages_directory:" in source and "_mpa_v1(self._main_script_path)" in source


def test_st_navigation_turns_the_old_mode_off(tmp_path, monkeypatch):
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "one.py").write_text("import streamlit as st\nst.title('one')\n")
    main = tmp_path / "app.py"
    main.write_text("import streamlit as st\nst.navigation([st.Page('pages/one.py')]).run()\n")
    monkeypatch.undo()   # without the autouse fixture's patch: the flag as Streamlit sets it
    at = AppTest.from_file(str(main)).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["one"]
    assert PagesManager.uses_pages_directory is False
