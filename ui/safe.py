"""Text is text: every value that came from a file or a user reaches the screen as plain text.

Streamlit renders the strings given to st.markdown, st.caption, st.info, expander labels and
the like as Markdown (links, images, `:red[…]` colours, KaTeX between `$`), and Plotly renders
a subset of HTML in labels and hover text. A unit's 申请办结 text, an imported 督办编号 or a
file name must do none of that: `md` escapes a value for a Markdown widget, `label` for a
chart, and `clean` drops the characters no ledger text should carry (control characters,
bidi overrides that reorder what the reader sees).

Pages format their own words freely and pass every data value through `md(...)`:
    st.caption(f"导入人：{md(user.label)}")

Where Streamlit shows text as text (st.text, st.code, table cells, selectbox and multiselect
options, a download's file name) the value needs no escaping, only `clean` (`frame` for a whole
table): an escaped value there would show its backslashes.
"""

from __future__ import annotations

import html
import re

import polars as pl

from ledger.chars import UNSAFE as _UNSAFE  # the importer strips the same characters
from ledger.chars import UNSAFE_CLASS

# The same set for Polars' (Rust) regular expressions: the class is written with the
# characters themselves, which both engines read alike.
_UNSAFE_RUST = UNSAFE_CLASS
# Every character Markdown, Streamlit's directives (:red[…], :material/…:) or KaTeX ($)
# give a meaning to.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=^&\"'])")
# Leading spaces and tabs would make an indented code block: shown as no-break spaces.
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


def clean(value: object) -> str:
    """The value as text without control or bidi-steering characters; None as ''."""
    if value is None:
        return ""
    return _UNSAFE.sub("", str(value))


def md(value: object) -> str:
    """A value escaped for a Markdown widget: shown exactly as written, interpreted never.
    Line breaks stay line breaks."""
    escaped = _MARKDOWN.sub(r"\\\1", clean(value))
    escaped = _INDENT.sub(lambda m: "\u00a0" * len(m[0].expandtabs(4)), escaped)
    return escaped.replace("\n", "  \n")


def label(value: object) -> str:
    """A value escaped for a Plotly label or hover text (HTML entities, no tags)."""
    return html.escape(clean(value), quote=False)


def frame(table: pl.DataFrame) -> pl.DataFrame:
    """The table with `clean` applied to every text cell (and every text in a list cell)."""
    return table.with_columns(
        pl.col(pl.String).str.replace_all(_UNSAFE_RUST, ""),
        pl.col(pl.List(pl.String)).list.eval(pl.element().str.replace_all(_UNSAFE_RUST, "")),
    )
