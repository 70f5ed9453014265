"""Text from files and users is shown as written: escaped for Markdown widgets and chart
labels (ui/safe.py), checked by rendering it as CommonMark with GFM (what Streamlit renders)."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ui.safe import clean, label, md

RENDER = MarkdownIt("gfm-like", {"html": True, "linkify": False})

HOSTILE = [
    "![t](http://198.51.100.7/claim.png)",
    "[点此查看](javascript:alert(1))",
    ":red[**已完成**] :material/warning: :smile:",
    "<img src=x onerror=alert(1)> <a href='http://x'>x</a> <span style='color:red'>红</span>",
    "$$\\frac{1}{0}$$ and $x^2$",
    "# 标题\n- 列表\n> 引用\n1. 序号\n---\n| a | b |\n|---|---|",
    "`code` **粗体** _斜体_ ~~删除~~ <https://example.org> www.example.org",
    "=1+2 +1 -1 @SUM(A1)",
    "区住建局\u202e局建住区\u200f",
    "响铃\x07退格\x08转义\x1b[31m",
    "a\\*b\\",
    "&lt;b&gt; &amp; &#60;",
]


def _visible_text(rendered: str) -> str:
    """What a reader sees of rendered HTML: tags other than p/br would mean interpretation."""
    tags = set(re.findall(r"</?([a-zA-Z0-9]+)", rendered))
    assert tags <= {"p", "br"}, (tags, rendered)
    text = re.sub(r"</?p>|<br\s*/?>", "", rendered)
    return html.unescape(text).replace("\n", "")


@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_shows_hostile_text_as_written(value):
    assert _visible_text(RENDER.render(md(value))) == clean(value).replace("\n", "")


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_markdown_escaping_holds_for_any_text(value):
    visible = _visible_text(RENDER.render(md(value)))
    # CommonMark folds runs of spaces at line ends and trims each line; the characters seen
    # are the cleaned text's, in order.
    expected = re.sub(r"\s+", "", clean(value))
    assert re.sub(r"\s+", "", visible) == expected


def test_streamlit_directives_and_katex_are_escaped():
    escaped = md(":red[红] $x$")
    assert ":red[" not in escaped and "\\:red\\[" in escaped
    assert "\\$x\\$" in escaped


def test_control_and_bidi_characters_are_removed_and_chinese_kept():
    assert clean("区住建局\u202e\u2066x\u2069\x00\x1b\x7f") == "区住建局x"
    assert clean("第一行\n第二行\t列") == "第一行\n第二行\t列"
    assert clean(None) == ""


def test_chart_labels_carry_no_tags():
    assert label("<a href='x'>区住建局</a>") == "&lt;a href='x'&gt;区住建局&lt;/a&gt;"
    assert "<" not in label("<span style=color:red>x</span>")
