"""Where tasks come from (督查范围): a source's kind read from what the office writes (its
word, a synonym, or the source's title)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from etl.dates import parse_calendar_date

# The kinds and their words live in ledger.vocabulary, which the source_kinds table is synced
# from; re-exported for the importer and the upload form.
from ledger.vocabulary import KIND_LABELS, RECTIFICATION_KINDS

__all__ = [
    "ANNUAL_KINDS", "KIND_LABELS", "RECTIFICATION_KINDS", "ListTitle", "kind_code", "kind_from_title",
    "month_day", "number_from_title", "read_list_title", "year_from_text",
]

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
# A document number: 七政办督〔2024〕12号, 〔2024〕3号, [2024]3号 (NFKC turns ［］ and （） ASCII).
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{0,10}[〔\[(]\s*(?:19|20)\d\d\s*[〕\])]\s*第?\s*\d+\s*号")


def number_from_title(title: str) -> str | None:
    """第12次 from 区政府第12次常务会议; else a document number (七政办督〔2024〕12号)."""
    text = unicodedata.normalize("NFKC", title).replace("〔", "〔")
    match = _MEETING_NUMBER.search(text)
    if match:
        return match.group(0).replace(" ", "")
    # The number as written (〔〕 are kept: NFKC leaves them), without spaces.
    match = _DOC_NUMBER.search(title) or _DOC_NUMBER.search(text)
    return re.sub(r"\s+", "", match.group(0)) if match else None


# ---------------------------------------------------------------------------------------
# A list's title row: 区人民政府第23次常务会议议定事项督办清单, 2024年政府工作报告重点任务分解表,
# 关于王海副区长批示的督办通知. It names the source when the import's options leave it out,
# and the list's year.

# Kinds whose list covers a year (a 2024 task breakdown): their deadlines count from the
# year's start, whenever the list was sent (a progress circular dated April must not push
# 2月上旬前 into the next year).
ANNUAL_KINDS = frozenset({"work_report", "commitment", "key_project"})

_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
              "六": "6", "七": "7", "八": "8", "九": "9"}
_YEAR = re.compile(r"((?:19|20)\d\d|[二][〇○零][〇○零一二三四五六七八九]{2})\s*年(?!\s*\d{1,2}\s*月\s*\d{1,2}\s*日前)")
# The words that end a list's title after the source's own name.
_LIST_SUFFIX = re.compile(
    r"(?:重点|主要|工作|目标|任务|事项|议定|决定|确定|研究|纪要|内容|项目|具体)*"
    r"(?:责任|落实|推进|办理|督办|督查|分解|进展|完成|整改)*(?:情况)?"
    r"(?:清单|台账|分解表|一览表|汇总表|统计表|情况表|进度表|明细表|计划表|任务表|督办表|督办单|表)$"
)
_LIST_FORM = re.compile(
    r"(?:责任|落实|推进|办理|督办|督查|分解|进展|完成|整改)*(?:情况)?"
    r"(?:清单|台账|分解表|一览表|汇总表|统计表|情况表|进度表|明细表|计划表|任务表|督办表|督办单|表)$"
)
_TRAILING_NOTE = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
_LIST_WORDS = re.compile(r"清单|台账|分解表|一览表|汇总表|统计表|情况表|进度表|明细表|任务表|督办单|督办通知|督办函|通知|通报")
_REPORT_DATE_LINE = re.compile(r"(?:填报|报送|统计|更新|截至|截止)(?:日期|时间)?\s*[:：]?\s*(.+)")
_ATTACHMENT = re.compile(r"^附件\s*[0-9一二三四五六七八九十]*\s*[:：]?\s*")


@dataclass(frozen=True)
class ListTitle:
    """What a list's title rows say about where its tasks come from."""

    text: str                    # the title line as written
    kind: str | None             # the source's kind, read from the title's words
    source_title: str | None     # the source it names (区人民政府第23次常务会议), None if unsure
    number: str | None           # 第23次, 七政办督〔2024〕12号
    year: int | None             # 2024 from 2024年政府工作报告…
    date: date | None            # a full date written in the title
    report_date: date | None     # 填报日期：2024年4月10日, written above the header


def year_from_text(text: str) -> int | None:
    """The year a title names (2023年…, 二〇二四年…), not one inside a deadline (2024年6月30日前)."""
    match = _YEAR.search(unicodedata.normalize("NFKC", text))
    if not match:
        return None
    digits = "".join(_CN_DIGITS.get(ch, ch) for ch in match.group(1))
    return int(digits) if digits.isdigit() else None


_MONTH_DAY = re.compile(r"^\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*[日号]?\s*$")


def month_day(text: object, year: int | None) -> date | None:
    """10月8日 (a directive date without its year) in the given year; None if not that shape."""
    if text is None or year is None:
        return None
    match = _MONTH_DAY.match(unicodedata.normalize("NFKC", str(text)))
    if not match:
        return None
    try:
        return date(year, int(match[1]), int(match[2]))
    except ValueError:
        return None


def read_list_title(lines: list[str] | tuple[str, ...]) -> ListTitle | None:
    """The list's title among the rows above its header; None when none reads as one."""
    report_date = None
    title = None
    for raw in lines:
        line = unicodedata.normalize("NFKC", raw).strip()
        if not line:
            continue
        for part in re.split(r"\s{2,}|\s(?=[\u4e00-\u9fff]{2,6}[:：])", line):
            found = _REPORT_DATE_LINE.search(part)
            if found and report_date is None:
                report_date = parse_calendar_date(found.group(1))
        if title is None and (kind_from_title(line) or _LIST_WORDS.search(line)) \
                and not _REPORT_DATE_LINE.match(line) and not line.startswith(("填报单位", "报送单位")):
            title = raw.strip()
    if title is None:
        return ListTitle("", None, None, None, None, None, report_date) if report_date else None
    text = _ATTACHMENT.sub("", unicodedata.normalize("NFKC", title).strip())
    kind = kind_from_title(text)
    named = None
    if kind is not None and not text.startswith("关于"):
        # 2024年政府工作报告重点任务分解表 -> 2024年政府工作报告; 《…》 around the name dropped.
        bare = _TRAILING_NOTE.sub("", text).replace("《", "").replace("》", "")
        named = None
        for suffix in (_LIST_SUFFIX, _LIST_FORM):
            stem = suffix.sub("", bare).strip(" \"“”")
            # 2024年全区重点项目推进情况表 keeps 重点项目: the words that name its kind stay.
            if stem and kind_from_title(stem) == kind:
                named = stem
                break
    elif kind is not None:
        named = text
    return ListTitle(
        text=title.strip(), kind=kind, source_title=named, number=number_from_title(text),
        year=year_from_text(text), date=parse_calendar_date(text), report_date=report_date,
    )
