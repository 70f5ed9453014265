"""Where tasks come from (督查范围): a source's kind read from what the office writes (its
word, a synonym, or the source's title)."""

from __future__ import annotations

import re
import unicodedata

# The kinds and their words live in ledger.vocabulary, which the source_kinds table is synced
# from; re-exported for the importer and the upload form.
from ledger.vocabulary import KIND_LABELS, RECTIFICATION_KINDS

__all__ = ["KIND_LABELS", "RECTIFICATION_KINDS", "kind_code", "kind_from_title", "number_from_title"]

# Other names the office uses for a kind, on the command line or in a 来源类型 column.
_KIND_SYNONYMS: dict[str, str] = {
    "政府全体会议": "plenary",
    "区政府全体会议": "plenary",
    "市长办公会议": "mayor_office",
    "县长办公会议": "mayor_office",
    "区长/市长办公会议": "mayor_office",
    "办公会议": "mayor_office",
    "业务会议": "topical",
    "专题会议/业务会议": "topical",
    "批示": "directive",
    "领导批示件": "directive",
    "交办": "assigned",
    "任务分解": "work_report",
    "民生实事": "commitment",
    "承诺事项/民生实事": "commitment",
    "重点建设项目": "key_project",
    "审计": "audit",
    "巡视整改": "inspection",
    "巡察整改": "inspection",
    "巡视巡察": "inspection",
    "督查发现": "supervision",
    "督查整改": "supervision",
    "人大代表建议": "npc_proposal",
    "政协委员提案": "cppcc_motion",
}

# Keywords in a title, most specific first: "区政府第12次常务会议" is an executive meeting.
_TITLE_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("党组会", "party_group"),
    ("全体会议", "plenary"),
    ("常务会", "executive"),
    ("办公会", "mayor_office"),
    ("专题会", "topical"),
    ("专题研究", "topical"),
    ("业务会", "topical"),
    ("调度会", "topical"),
    ("推进会", "topical"),
    ("政府工作报告", "work_report"),
    ("审计", "audit"),
    ("巡察", "inspection"),
    ("巡视", "inspection"),
    ("人大", "npc_proposal"),
    ("政协", "cppcc_motion"),
    ("批示", "directive"),
    ("民生实事", "commitment"),
    ("重点项目", "key_project"),
    ("信访", "petition"),
)

_BY_LABEL = {label: code for code, label in KIND_LABELS.items()}


def kind_code(text: str | None) -> str | None:
    """A kind given as code, label or synonym; None when unknown."""
    if not text:
        return None
    name = unicodedata.normalize("NFKC", text).strip()
    if name in KIND_LABELS:
        return name
    return _BY_LABEL.get(name) or _KIND_SYNONYMS.get(name)


def kind_from_title(title: str | None) -> str | None:
    if not title:
        return None
    for keyword, code in _TITLE_KEYWORDS:
        if keyword in title:
            return code
    return None


_MEETING_NUMBER = re.compile(r"第\s*([0-9一二三四五六七八九十百]+)\s*次")


def number_from_title(title: str) -> str | None:
    """第12次 from 区政府第12次常务会议."""
    match = _MEETING_NUMBER.search(title)
    return match.group(0).replace(" ", "") if match else None
