"""The dashboard's look, bundled with it: the page icon is a file of ours and the style rules
come from ui/assets/style.css, so no page asks anything of the internet (an office network
often has none; tests/test_browser_office.py records every request a page makes)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

ASSETS = Path(__file__).resolve().parent / "assets"
ICON = ASSETS / "icon.png"
STYLE = ASSETS / "style.css"


@cache
def style_html() -> str:
    """Our style rules as the one st.html element every page carries (constant text, no data)."""
    return f"<style>{STYLE.read_text(encoding='utf-8')}</style>"


def page_setup() -> None:
    """st.set_page_config with our own icon, then our style rules (a style-only st.html takes
    no room on the page)."""
    st.set_page_config(page_title="督查督办台账", page_icon=str(ICON), layout="wide")
    st.html(style_html())
