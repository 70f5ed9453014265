"""The review step on 数据导入 for minutes and 批示 documents (etl.minutes_import).

Before 确认导入 the clerk sees, for each document read as minutes, every proposed item with its
sentence, the paragraph it came from, its units, deadline and flags, and can untick it; the
sentences judged not to be items are listed (collapsed) with the reason, and any of them can be
added. The choices live in the widgets' session state; ``apply`` turns them into the Sheets the
import takes (the same import path as lists), so the preview and the commit see what the clerk
chose. Every value from the document reaches the screen through ui.safe.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from etl import minutes_import
from etl.minutes_import import Choice
from ui.safe import clean, md

READINGS_KEY = "minutes_readings"   # file sha256 -> the review content (minutes_import.preview)
_KEEP = "minutes_keep"
_ADD = "minutes_add"


def _short(sha: str) -> str:
    return sha[:12]


def keep_key(sha: str, seq: str) -> str:
    """The checkbox of one proposed item (stable: the item's 序号)."""
    return f"{_KEEP}_{_short(sha)}_{seq}"


def add_key(sha: str) -> str:
    """The multiselect of rejected sentences to take in."""
    return f"{_ADD}_{_short(sha)}"


def choices(inputs) -> dict[str, Choice]:
    """The clerk's choices per file, from the widgets' state (the last run's values)."""
    state = st.session_state
    found: dict[str, Choice] = {}
    for file in inputs:
        sha = file.sha256
        prefix = f"{_KEEP}_{_short(sha)}_"
        skip = frozenset(key[len(prefix):] for key in state if str(key).startswith(prefix) and state[key] is False)
        add = tuple(sorted(int(order) for order in state.get(add_key(sha), []) or []))
        if skip or add:
            found[sha] = Choice(skip=skip, add=add)
    return found


def signature(inputs) -> str:
    """Part of the preview's cache key: a changed choice makes a new preview."""
    text = repr(sorted((sha, sorted(choice.skip), choice.add) for sha, choice in choices(inputs).items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def apply(inputs, parsed: dict, options) -> dict:
    """read_files' result with the options and the clerk's choices applied to minutes; the
    review content of each minutes file kept for ``render``."""
    prepared = minutes_import.prepare(parsed, options, choices(inputs))
    readings = st.session_state.setdefault(READINGS_KEY, {})
    for file, review in zip(inputs, minutes_import.previews(inputs, prepared), strict=True):
        if review is not None:
            readings[file.sha256] = review
    return prepared


def _units(item: dict) -> str:
    lead = "、".join(item["lead_units"]) or "待补"
    text = f"牵头单位：{lead}"
    if item["co_units"]:
        text += f"；配合单位：{'、'.join(item['co_units'])}"
    if item["leaders"]:
        text += f"；责任领导：{'、'.join(item['leaders'])}"
    return text


def _deadline(item: dict) -> str:
    if item["deadline"] and item["deadline_text"]:
        return f"完成时限：{item['deadline_text']}（{item['deadline']}）"
    return f"完成时限：{item['deadline_text'] or '待补'}"


def render(inputs) -> None:
    """The review of every minutes file among the inputs (nothing for lists)."""
    readings = st.session_state.get(READINGS_KEY, {})
    for file in inputs:
        review = readings.get(file.sha256)
        if review is None:
            continue
        _render_one(file.sha256, review)


def _render_one(sha: str, review: dict) -> None:
    meeting = review["meeting"]
    st.subheader(f"会议纪要审核：{md(review['file'])}")
    facts = [meeting["kind"] or "来源类型未识别", meeting["title"] or "标题未识别", meeting["number"] or "",
             meeting["date_text"] or meeting["date"] or "日期未识别"]
    st.caption("　".join(md(fact) for fact in facts if fact)
               + (f"　{md('、'.join(meeting['leaders']))}" if meeting["leaders"] else ""))
    for flag in review["flags"]:
        st.warning(md(flag["reason"]), icon=":material/flag:")
    items = review["items"]
    chosen = sum(1 for item in items if item["included"])
    st.caption(f"识别出 {sum(1 for item in items if not item['added'])} 项交办事项，本次导入 {chosen} 项。"
               "取消勾选的事项不导入；下方“未列为事项的句子”中可补充漏识别的句子。")
    for item in items:
        with st.container(border=True):
            if item["added"]:
                st.markdown(f"**{md(item['seq'])}**（补充）　{md(item['sentence'])}")
            else:
                st.checkbox(f"{clean(item['seq'])}　{clean(item['sentence'])}", value=True,
                            key=keep_key(sha, item["seq"]))
            st.caption(f"{md(_units(item))}　{md(_deadline(item))}")
            for flag in item["flags"]:
                st.caption(f":orange[{md(flag['kind'])}] {md(flag['reason'])}")
            paragraph_label = f"第{item['paragraph_no']}段" if item["paragraph_no"] else "所在段落"
            st.markdown(f"{md(paragraph_label)}原文：{_highlighted(item['paragraph'], item['sentence'])}")
    rejected = review["rejected"]
    with st.expander(f"未列为事项的句子（{len(rejected)}句）", expanded=False):
        for entry in rejected:
            where = f"［{entry['paragraph_no']}］" if entry["paragraph_no"] else ""
            st.markdown(f"- {md(where)}{md(entry['sentence'])}　— {md(entry['reason'])}")
        labels = {entry["order"]: f"{entry['paragraph_no'] or '—'}｜{clean(entry['sentence'])}" for entry in rejected}
        st.multiselect("补充为督办事项", list(labels), format_func=lambda order: labels.get(order, str(order)),
                       key=add_key(sha), placeholder="选择漏识别的句子")


def _highlighted(paragraph: str, sentence: str) -> str:
    """The paragraph, escaped, with the item's sentence highlighted."""
    paragraph = paragraph or sentence
    at = paragraph.find(sentence)
    if at < 0 or not sentence:
        return md(paragraph)
    before, after = paragraph[:at], paragraph[at + len(sentence):]
    return f"{md(before)}:orange-background[{md(sentence)}]{md(after)}"


# --------------------------------------------------------------------------- the task's detail


def source_text(con, viewer, task_id: int) -> tuple[str, str] | None:
    """(sentence, paragraph) a task imported from minutes was read from, None for a list's task.
    A view for ui.data.load: the viewer saw the task through ledger.queries.task_detail."""
    from ledger import sql

    found = sql.one(con, "queries/task_source_text", task_id=int(task_id))
    if not found or not found[0]:
        return None
    return found[0], found[1] or found[0]


def render_source(found: tuple[str, str] | None) -> None:
    """The detail's block: the paragraph as written, the task's sentence highlighted."""
    if found is None:
        return
    sentence, paragraph = found
    st.markdown("**纪要原文**")
    st.markdown(_highlighted(paragraph, sentence))
