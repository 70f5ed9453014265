"""Text is text: every value that came from a file or a user reaches the screen as plain text.

Streamlit renders the strings given to st.markdown, st.caption, st.info, expander labels and
the like as Markdown (links, images, `:red[…]` colours, KaTeX between `$`), and Plotly renders
a subset of HTML in labels and hover text. A unit's 申请办结 text, an imported 督办编号 or a
file name must do none of that: `md` escapes a value for a Markdown widget, `label` for a
chart, and `clean` drops the characters no ledger text should carry (control characters,
bidi overrides that reorder what the reader sees).

Pages format their own words freely and pass every data value through `md(...)`:
    st.caption(f"导入人：{md(user.label)}")
"""

from __future__ import annotations

import html
import re

# C0 controls but tab and newline, DEL, C1 controls; the bidi embeddings, overrides and
# isolates (U+202A–U+202E, U+2066–U+2069) and the marks that steer them (U+200E, U+200F,
# U+061C).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
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
