"""Meeting minutes and leaders' 批示 into proposed 督办事项, each with its source sentence.

``read_minutes(text_or_paragraphs)`` reads the meeting from the document itself (title, number,
date, kind) and proposes one :class:`Item` per sentence, or part of a sentence, that assigns work;
every other body sentence is returned as :class:`Rejected` with the reason, for the review step.
Nothing is invented: a missing unit, deadline or date is a flag (待补) for the clerk.

Which sentences are items is decided by the cue table in :mod:`etl.minutes_rules`; who acts by
:mod:`etl.prose`; deadlines by :func:`etl.deadlines.parse_deadline`, from the meeting date.

Structure read:
- Head lines (title, 〔2024〕12号 / 第15期, issuing office and date, 时间：/地点：/主持：) come before
  the body; 抄送/印发 lines end it.
- Paragraph numbers 一、 / （一） / 1. / （1） / ① form a path; a short numbered line without a full
  stop ("一、关于招商引资工作") is a heading.
- A sentence ending in a colon ("会议议定：", "会议要求：", "现将议定事项纪要如下：") introduces what
  follows: with a decision cue, the numbered paragraphs after it and the 一是/二是 parts of the
  same sentence are decisions.
- A sentence is cut at ；into parts when it enumerates (一是…；二是…), follows a colon lead-in,
  or names a different actor in each part; each part is its own item.

Flags (kind: meaning), each with the words quoted and a reason for the clerk:
待补 (责任单位 / 完成时限 / 会议日期 / 来源类型 not written), 时限存疑 (a deadline that cannot be read,
or counted from another event: 开学后两周内), 时限说明 (how a deadline was reached: 未写年份，推定为…),
单位存疑 (unit taken from the unit that reported), 日期存疑 (date without a year, or taken from the
issue date); and from etl.prose: 非单位名称, 人名, 领导未具名, 单位未列全.

Item numbers (序号): the first item of a paragraph takes the paragraph's number ("一", "二(三)",
"一(一)2"); later items of the same paragraph add "(2)", "(3)". Unnumbered paragraphs are numbered
一、二… in order (under a heading: the heading's number, then "-2", "-3"). The numbers depend only
on the document's paragraphs, so re-reading revised minutes with the same paragraphs keeps them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date

from etl import deadlines
from etl.deadlines import Deadline, DeadlineError, parse_deadline
from etl.minutes_rules import MEANINGS, cues_in, has_cue
from etl.prose import Actors, Flag, Leader, read_actors, read_unit_cell, split_person
from etl.sources import KIND_LABELS, kind_from_title
from ledger.workcal import WorkCalendar

__all__ = ["Item", "Meeting", "Minutes", "Rejected", "as_dict", "item_from_sentence", "read_minutes", "read_minutes_file"]


@dataclass(frozen=True)
class Meeting:
    kind: str | None  # source kind code (executive, topical, directive …), None if not recognised
    kind_label: str | None  # 常务会议, 专题会议, 领导批示 …
    title: str | None  # as written
    number: str | None  # 第12次 / 〔2024〕12号 / 第15期, as written
    date: date | None
    date_text: str | None  # the date as written (二〇二四年六月十八日, 10月8日)
    header: tuple[str, ...] = ()  # the head lines as written
    leaders: tuple[Leader, ...] = ()  # the leader(s) of a 批示; the chair of a meeting


@dataclass(frozen=True)
class Item:
    seq: str  # 序号: 一, 一(2), 二(三) …
    sentence: str  # the exact source sentence, or the part of it that is this item
    paragraph: str  # the paragraph it came from, as written
    paragraph_no: str
    lead_units: tuple[str, ...]
    co_units: tuple[str, ...]
    leaders: tuple[Leader, ...]
    deadline: Deadline | None
    flags: tuple[Flag, ...]
    lead_in: str = ""  # the words introducing it ("会议议定："), when the item is part of a sentence
    deadline_text: str = ""  # the deadline words found in the sentence, as written
    order: int = 0  # position in the body, shared with Rejected: the review lists both in reading order


@dataclass(frozen=True)
class Rejected:
    sentence: str
    paragraph_no: str
    reason: str
    order: int = 0


@dataclass(frozen=True)
class Minutes:
    meeting: Meeting
    items: tuple[Item, ...]
    rejected: tuple[Rejected, ...]
    flags: tuple[Flag, ...] = ()  # about the document (no date, kind not recognised …)


# --------------------------------------------------------------------------- text helpers


def _n(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_int(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if "十" not in text:
        digits = [_CN_DIGITS.get(char) for char in text]
        if None in digits or not digits:
            return None
        return int("".join(str(digit) for digit in digits))
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)


_CN_NUM = "[0-9〇零○一二两三四五六七八九十]"
_DATE_RE = re.compile(
    rf"(?:(?P<year>[0-9]{{4}}|[〇零○一二三四五六七八九]{{4}})年)?(?P<month>{_CN_NUM}{{1,3}})月"
    rf"(?P<day>{_CN_NUM}{{1,3}})[日号]"
    r"|(?P<iso_year>[0-9]{4})[-./](?P<iso_month>[0-9]{1,2})[-./](?P<iso_day>[0-9]{1,2})(?![0-9])"
)
_YEAR_RE = re.compile(r"(?:〔|\[|\(|（)?([0-9]{4})(?:〕|\]|\)|）|年)")


def _find_date(text: str, default_year: int | None) -> tuple[date, str, bool] | None:
    """(date, text as written, year assumed) for the first date in text."""
    for match in _DATE_RE.finditer(text):
        try:
            if match["iso_year"]:
                found = date(int(match["iso_year"]), int(match["iso_month"]), int(match["iso_day"]))
                return found, match.group(0), False
            month, day = _cn_int(match["month"]), _cn_int(match["day"])
            year = _cn_int(match["year"]) if match["year"] else default_year
            if month is None or day is None or year is None:
                continue
            return date(year, month, day), match.group(0), match["year"] is None
        except ValueError:
            continue
    return None


# Paragraph numbers, outermost first.
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"^([一二三四五六七八九十]{1,3})[、.．]\s*")),
    (2, re.compile(r"^[（(]([一二三四五六七八九十]{1,3})[)）]\s*")),
    (3, re.compile(r"^([0-9]{1,2})(?:[、．]|\.(?![0-9]))\s*")),
    (4, re.compile(r"^[（(]([0-9]{1,2})[)）]\s*")),
    (5, re.compile(r"^([\u2460-\u2473])\s*")),
)


def _marker(text: str) -> tuple[int, str, int] | None:
    """(level, number, length) of the paragraph number text starts with."""
    for level, pattern in _MARKERS:
        match = pattern.match(text)
        if match:
            return level, match.group(1), match.end()
    return None


def _label(level: int, number: str) -> str:
    if level == 2:
        return f"({number})"
    if level == 4:
        return f"-{number}"
    return number


_CN_ORDINALS = "一二三四五六七八九十"


def _cn_ordinal(number: int) -> str:
    if number <= 10:
        return _CN_ORDINALS[number - 1]
    if number < 20:
        return "十" + _CN_ORDINALS[number - 11]
    tens, units = divmod(number, 10)
    return _CN_ORDINALS[tens - 1] + "十" + (_CN_ORDINALS[units - 1] if units else "")


_OPEN, _CLOSE = "(（《“「[【", ")）》”」]】"


# "…完成改造。责任单位：区水利局；完成时限：5月底前。": labels that belong to the sentence before.
_LABELLED = re.compile(
    r"^(?:牵头单位|牵头部门|责任单位|责任部门|配合单位|协办单位|完成时限|时限要求|办理时限|责任领导|牵头领导)[:：]"
)


def _sentences(text: str) -> list[str]:
    """Sentences of a paragraph; an annotation written after the full stop ("…完成。（牵头单位：X）")
    belongs to the sentence before it."""
    sentences: list[str] = []
    for piece in _split_top(text, "。！？!?"):
        annotation = piece[:1] in "(（" and piece.rstrip("。 ")[-1:] in ")）"
        if sentences and (annotation or _LABELLED.match(_n(piece))):
            sentences[-1] += piece
        else:
            sentences.append(piece)
    return sentences


def _split_top(text: str, stops: str, keep: bool = True) -> list[str]:
    """Split at stop characters outside brackets and quotes; each piece keeps its stop."""
    pieces: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE and depth:
            depth -= 1
        elif char in stops and depth == 0:
            pieces.append(text[start:index + 1] if keep else text[start:index])
            start = index + 1
    if text[start:].strip():
        pieces.append(text[start:])
    return [piece for piece in (p.strip() for p in pieces) if piece]


# --------------------------------------------------------------------------- head lines

_TITLE_LINE = re.compile(r"纪要|议定事项|批示件|批示单|领导批示|督办通知|会议通知")
_NUMBER_PATTERNS = (
    re.compile(r"第\s*[0-9一二三四五六七八九十百]+\s*次"),
    re.compile(r"[〔\[【(（]\s*[0-9]{4}\s*[〕\]】)）]\s*第?\s*[0-9]+\s*[号期]"),
    re.compile(r"[（(][0-9]{4}年第[0-9一二三四五六七八九十]+[次期][)）]"),
    re.compile(r"第\s*[0-9一二三四五六七八九十百]+\s*期"),
)
_HEAD_LABEL = re.compile(r"^(?:来文单位|来文机关|标题|事由|收文日期|来文日期|文号|密级|紧急程度|编号|签发人?|批办日期|办理时限)[:：]")
_ORG_LINE = re.compile(r"^[\u4e00-\u9fff]{2,20}(?:办公室|人民政府|政府|督查室)(?:\s*[0-9〇零一二三四五六七八九]{4}年.{1,6}[日号])?$")
_DIRECTIVE_LINE = re.compile(
    r"^(?P<who>[^:：。,，；]{2,40}?)(?P<when>(?:[0-9]{4}年)?[0-9]{1,2}月[0-9]{1,2}日)?(?:在.{1,20}上)?批示[:：]\s*(?P<rest>.*)$"
)


def _is_head_line(line: str) -> bool:
    text = _n(line).strip()
    if _DIRECTIVE_LINE.match(text):
        return False
    if len(text) <= 50 and not re.search(r"[。,;]|:$", text) and _TITLE_LINE.search(text):
        return True
    compact = re.sub(r"\s+", "", text)
    if any(pattern.fullmatch(compact) for pattern in _NUMBER_PATTERNS):
        return True
    if _DATE_RE.fullmatch(compact) or _ORG_LINE.match(compact):
        return True
    if _HEAD_LABEL.match(text) or has_cue(text, "会议信息"):
        return True
    # Addressees: "各镇人民政府、街道办事处，区政府各部门："
    return len(text) <= 40 and text.endswith(":") and "各" in text and not has_cue(text, "决定")


# --------------------------------------------------------------------------- deadlines

_NUM = "[0-9零〇一二两三四五六七八九十]"
_RELATIVE = rf"(?:{_NUM}{{1,3}}|半)个?(?:工作日|自然日|日|天|周|星期|月|年)(?:内|以内|之内)"
_DEADLINE_PHRASES = re.compile(
    "|".join(
        (
            _RELATIVE,
            rf"(?:(?:[0-9]{{4}}|[〇零一二三四五六七八九]{{4}})年|今年|明年|次年)?{_NUM}{{1,2}}月(?:{_NUM}{{1,3}}[日号]|底|末|初|上旬|中旬|下旬|份|中)?(?:前|以前|之前|内|止|为止)",
            r"(?:[0-9]{4}年|今年|明年|次年)?(?:年底|年末|年内|年终)前?",
            r"(?:[0-9]{4}年|今年|明年)?(?:第?[一二三四1-4]季度(?:末|底)?|上半年|下半年)(?:前|内|末)?",
            r"(?:本月|下月|月)(?:底|末)前?|本周内|下周[一二三四五]?前?",
            r"立即|即刻|马上",
            rf"(?:每|按)(?:周|星期[一二三四五]|月|季度?|半年|年)(?:末|底|初)?(?:{_NUM}{{1,2}}[日号]前)?",
            r"长期坚持|持续推进|常态化推进",
            r"(?:春节|元旦|清明|五一|端午|中秋|国庆|汛期)前",
        )
    )
)
_RELATIVE_RE = re.compile(_RELATIVE)
# Relative periods count from the meeting ("会后5个工作日内"); one counted from another event
# ("开学后两周内", "收到通知后3日内") is flagged, not guessed.
_EVENT_BEFORE = re.compile(r"([\u4e00-\u9fff]{1,8})后$")
_MEETING_EVENTS = ("会后", "会议后", "纪要印发后", "会议结束后")


def _find_deadline(
    text: str, base: date | None, calendar: WorkCalendar
) -> tuple[Deadline | None, str, list[Flag]]:
    """The deadline written in one item's words: (deadline, phrases as written, flags)."""
    masked = re.sub(r"《[^》]*》|“[^”]*”", lambda m: "□" * len(m.group(0)), text)
    phrases: list[str] = []
    flags: list[Flag] = []
    for match in _DEADLINE_PHRASES.finditer(masked):
        phrase = text[match.start():match.end()]
        if _RELATIVE_RE.fullmatch(match.group(0)):
            event = _EVENT_BEFORE.search(masked[max(0, match.start() - 9):match.start()])
            if event is not None and not event.group(0).endswith(_MEETING_EVENTS):
                written = re.split(r"[要在于将并]", event.group(1))[-1] + "后" + phrase
                flags.append(Flag("时限存疑", written, f"“{written}”不是从会议之日起算，请核对完成时限"))
                continue
            if event is not None:
                phrase = "会后" + phrase
        phrases.append(phrase)
    if not phrases:
        if not flags:
            flags.append(Flag("待补", "完成时限", "原文未写完成时限，待补"))
        return None, "", flags
    written = "，".join(dict.fromkeys(phrases))
    if base is None:
        flags.append(Flag("时限存疑", written, f"会议日期不明，无法推算“{written}”，请核对"))
        return None, written, flags
    try:
        found = parse_deadline(written, base, calendar)
    except DeadlineError as error:
        flags.append(Flag("时限存疑", written, f"{error}；请核对完成时限"))
        return None, written, flags
    if found.note:
        flags.append(Flag("时限说明", written, found.note))
    return found, written, flags


def _event_phrases(text: str) -> list[str]:
    """Relative periods counted from something other than the meeting: "开学后两周内"."""
    found: list[str] = []
    for match in _RELATIVE_RE.finditer(text):
        event = _EVENT_BEFORE.search(text[max(0, match.start() - 9):match.start()])
        if event is not None and not event.group(0).endswith(_MEETING_EVENTS):
            found.append(re.split(r"[要在于将并，,]", event.group(1))[-1] + "后" + match.group(0))
    return found


def _item_deadline(
    text: str, base: date | None, calendar: WorkCalendar, assumptions: object | None = None
) -> tuple[Deadline | None, str, list[Flag]]:
    """The deadline of one item, read by the same reader as task lists (deadline_in_text)."""
    finder = getattr(deadlines, "deadline_in_text", None)
    if finder is None:  # an older etl.deadlines: read the phrases found here
        return _find_deadline(text, base, calendar)
    if base is None:
        if _DEADLINE_PHRASES.search(text):
            return None, "", [Flag("时限存疑", text, "会议日期不明，无法推算完成时限，请核对")]
        return None, "", [Flag("待补", "完成时限", "原文未写完成时限，待补")]
    flags: list[Flag] = []
    found = finder(text, base, calendar) if assumptions is None else finder(text, base, calendar, assumptions)
    for phrase in _event_phrases(text):
        flags.append(Flag("时限存疑", phrase, f"“{phrase}”不是从会议之日起算，请核对完成时限"))
        if found is not None and phrase in found.text:
            found = None
    if found is None:
        if not flags:
            flags.append(Flag("待补", "完成时限", "原文未写完成时限，待补"))
        return None, "", flags
    if found.kind == "none":
        flags.extend(Flag("时限存疑", found.text, reason) for reason in (getattr(found, "flags", ()) or ()))
    elif found.note:
        flags.append(Flag("时限说明", found.text, found.note))
    return found, found.text, flags


# --------------------------------------------------------------------------- reading


@dataclass
class _Context:
    meeting_date: date | None
    calendar: WorkCalendar
    directive_leaders: tuple[Leader, ...] = ()
    assumptions: object | None = None  # etl.deadlines.Assumptions: the office's 汛期前/尽快 settings
    items: list[Item] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    count: int = 0

    def reject(self, sentence: str, paragraph_no: str, reason: str) -> None:
        self.count += 1
        self.rejected.append(Rejected(sentence, paragraph_no, reason, self.count))

    def add(self, item: Item) -> None:
        self.count += 1
        # 序号 identify items in the ledger (one task per source and 序号): never twice.
        taken = {existing.seq for existing in self.items}
        seq, k = item.seq, 1
        while seq in taken:
            k += 1
            seq = f"{item.seq}-{k}"
        self.items.append(replace(item, seq=seq, order=self.count))


_STRONG_ASSIGN = re.compile(r"(?<![申提报邀])请(?![示假求])|(?<![理自缘事经])由(?![于此])|责成|交由")
_REPORTER = re.compile(r"听取(?:了)?(?P<who>[^,，。；;]{2,30}?)(?:关于|对|有关|的汇报|汇报)")
_ENUM_SPLIT = re.compile(
    r"(?:(?<=[,，:：;；。])|^)\s*(?=[一二三四五六七八九十]+是|[一二三四五六七八九十]+要(?!求)|第[一二三四五六七八九十]+[,，、]|[\u2460-\u2473])"
)


def _classify(text: str, decides: bool) -> tuple[str, str]:
    """("item" | "lead_in" | "reject", reason) for one sentence or part, by the cue table."""
    normalized = _n(text).strip()
    meanings = {cue.meaning for cue in cues_in(normalized)}
    strong = bool(_STRONG_ASSIGN.search(normalized))
    if "暂缓" in meanings:
        return "reject", MEANINGS["暂缓"]
    if "引出" in meanings:
        return "lead_in", MEANINGS["引出"]
    if "概况" in meanings and not strong:
        return "reject", MEANINGS["概况"]
    if "评述" in meanings and not strong:
        return "reject", MEANINGS["评述"]
    if "记录" in meanings and "决定" not in meanings and not strong:
        return "reject", MEANINGS["记录"]
    if "议题" in meanings and not ({"决定", "交办"} & meanings):
        return "reject", MEANINGS["议题"]
    if "决定" in meanings or "交办" in meanings or decides:
        return "item", ""
    return "reject", "未写明交办事项（无“会议同意、会议要求、请、由…负责”等提示语）"


def _reporter(paragraph: str) -> str | None:
    match = _REPORTER.search(_n(paragraph))
    if match is None:
        return None
    actors = read_unit_cell(match["who"])
    return actors.lead_units[0] if len(actors.lead_units) == 1 and not actors.flags else None


_LABEL_BEFORE_COLON = re.compile(r"(?:单位|部门|时限|领导|要求)[:：]$")


def _parts(sentence: str) -> tuple[str, list[str], bool]:
    """(lead-in, parts, enumerated) of one sentence; parts == [sentence] when it is one item."""
    normalized = _n(sentence)
    lead_in = ""
    body = sentence
    colon = None
    depth = 0
    for index, char in enumerate(normalized):
        if char in "(《“[":
            depth += 1
        elif char in ")》”]" and depth:
            depth -= 1
        elif char == ":" and depth == 0:
            colon = index
            break
    if colon is not None and colon < len(sentence) - 2 and not _LABEL_BEFORE_COLON.search(normalized[: colon + 1]):
        lead_in, body = sentence[: colon + 1], sentence[colon + 1:]
    pieces = _split_top(body, "；;")
    enumerated = False
    if len(pieces) == 1 and not lead_in:
        # "会议强调，一要…，二要…" without semicolons.
        enum_pieces = [piece for piece in _ENUM_SPLIT.split(body) if piece.strip()]
        if len(enum_pieces) >= 3 or (len(enum_pieces) == 2 and _ENUM_SPLIT.search(body)):
            head = enum_pieces[0]
            if not re.match(r"[一二三四五六七八九十]+[是要]|第[一二三四五六七八九十]+", _n(head)):
                lead_in, pieces = head, enum_pieces[1:]
            else:
                pieces = enum_pieces
            enumerated = True
        else:
            return "", [sentence], False
    # A lead-in written before the first marker of the first part: "会议强调，一要…".
    first = pieces[0]
    enum_at = [m.start() for m in _ENUM_SPLIT.finditer(first) if m.start() > 0]
    if enum_at and not lead_in:
        lead_in, pieces[0] = first[: enum_at[0]], first[enum_at[0]:]
    markers = sum(
        1 for piece in pieces if re.match(r"\s*(?:[一二三四五六七八九十]+[是要](?!求)|第[一二三四五六七八九十]+|[\u2460-\u2473])", _n(piece))
    )
    enumerated = enumerated or markers >= 2
    if lead_in or enumerated:
        return lead_in, pieces, True
    if len(pieces) == 1:
        return "", [sentence], False
    # Parts that each name who acts are separate items; a part naming nobody stays with the one before.
    merged: list[str] = []
    for piece in pieces:
        if merged and (_LABELLED.match(_n(piece).strip()) or read_actors(piece).empty):
            merged[-1] = merged[-1] + piece
        else:
            merged.append(piece)
    if len(merged) > 1 and all(not read_actors(piece).empty for piece in merged):
        return "", merged, True
    return "", [sentence], False


def _make_item(
    ctx: _Context,
    seq: str,
    text: str,
    paragraph: str,
    paragraph_no: str,
    lead_in: str,
    inherited: Actors | None,
    reporter: str | None,
) -> Item:
    actors = read_actors(text)
    flags: list[Flag] = list(actors.flags)
    lead, co, leaders = actors.lead_units, actors.co_units, actors.leaders
    if not lead and not co and inherited is not None and not inherited.empty:
        lead, co = inherited.lead_units, inherited.co_units
        leaders = leaders or inherited.leaders
    if not leaders and ctx.directive_leaders:
        leaders = ctx.directive_leaders
    if not lead and reporter and has_cue(_n(text), "决定"):
        lead = (reporter,)
        flags.append(Flag("单位存疑", reporter, f"句中未写责任单位，取自汇报单位“{reporter}”，请核对"))
    if not lead:
        what = "责任单位" if not co else "牵头单位"
        flags.append(Flag("待补", what, f"原文未写明{what}，待补"))
    deadline, deadline_text, deadline_flags = _item_deadline(text, ctx.meeting_date, ctx.calendar, ctx.assumptions)
    flags.extend(deadline_flags)
    return Item(
        seq=seq,
        sentence=text.strip().rstrip("；;"),
        paragraph=paragraph,
        paragraph_no=paragraph_no,
        lead_units=tuple(lead),
        co_units=tuple(co),
        leaders=tuple(leaders),
        deadline=deadline,
        flags=tuple(flags),
        lead_in=lead_in.strip(),
        deadline_text=deadline_text,
    )


def _read_paragraph(ctx: _Context, paragraph: str, body: str, paragraph_no: str, decides: bool) -> bool:
    """Items and rejections of one paragraph; True if it ends with a decision lead-in."""
    count = 0
    reporter = _reporter(body)
    enumeration_decides = False
    ends_with_lead_in = False
    sentences = _sentences(body)
    for sentence in sentences:
        ends_with_lead_in = False
        lead_in, parts, split = _parts(sentence)
        lead_in_kind, _ = _classify(lead_in, False) if lead_in else ("", "")
        lead_in_decides = bool(lead_in) and (has_cue(_n(lead_in), "决定") or lead_in_kind == "item")
        if lead_in and lead_in_decides:
            enumeration_decides = True
        inherited = read_actors(lead_in) if lead_in else None
        if not split:
            starts_enum = bool(re.match(r"[一二三四五六七八九十]+[是要](?!求)|第[一二三四五六七八九十]+[,，、]", _n(sentence)))
            kind, reason = _classify(sentence, decides or (starts_enum and enumeration_decides))
            if kind == "lead_in":
                ends_with_lead_in = has_cue(_n(sentence), "决定")
                if ends_with_lead_in:
                    enumeration_decides = True
                ctx.reject(sentence, paragraph_no, reason)
                continue
            if kind == "reject":
                ctx.reject(sentence, paragraph_no, reason)
                continue
            count += 1
            seq = paragraph_no if count == 1 else f"{paragraph_no}({count})"
            ctx.add(_make_item(ctx, seq, sentence, paragraph, paragraph_no, "", None, reporter))
            continue
        if lead_in:
            ctx.reject(lead_in, paragraph_no, MEANINGS["引出"])
        for part in parts:
            kind, reason = _classify(part, decides or lead_in_decides or enumeration_decides)
            if kind != "item":
                ctx.reject(part, paragraph_no, reason)
                continue
            count += 1
            seq = paragraph_no if count == 1 else f"{paragraph_no}({count})"
            ctx.add(_make_item(ctx, seq, part, paragraph, paragraph_no, lead_in, inherited, reporter))
    return ends_with_lead_in


def _is_heading(body: str) -> bool:
    text = _n(body).strip()
    if not text or len(text) > 40 or text.endswith((".", "。")) or "。" in text:
        return False
    return read_actors(text).empty and not has_cue(text, "决定")


def read_minutes(
    source: str | Sequence[str],
    *,
    kind: str | None = None,
    title: str | None = None,
    number: str | None = None,
    meeting_date: date | None = None,
    calendar: WorkCalendar | None = None,
    assumptions: object | None = None,
) -> Minutes:
    """Read minutes or a 批示 (text, or paragraphs in order) into proposed items.

    The keyword arguments override what the document says (the import options); ``assumptions``
    (etl.deadlines.Assumptions) carries the office's settings for 汛期前 and 尽快.
    """
    lines = source.splitlines() if isinstance(source, str) else [str(line) for line in source]
    lines = [line.strip().replace("\u3000", " ").strip() for line in lines]
    lines = [line for line in lines if line]
    calendar = calendar or WorkCalendar()

    head: list[str] = []
    index = 0
    while index < len(lines) and _is_head_line(lines[index]):
        head.append(lines[index])
        index += 1
    body_lines: list[str] = []
    for line in lines[index:]:
        normalized = _n(line)
        if has_cue(normalized, "结束"):
            break
        if has_cue(normalized, "会议信息") or _HEAD_LABEL.match(normalized):
            head.append(line)
            continue
        body_lines.append(line)

    doc_flags: list[Flag] = []
    head_n = [_n(line) for line in head]
    titles = [line for line in head if _TITLE_LINE.search(_n(line)) and not _HEAD_LABEL.match(_n(line))]
    specific = [line for line in titles if _n(line).startswith("关于")]
    # A 批示件's subject: "标题：关于…的信访件" / "事由：…".
    subject = next((re.split(r"[:：]", line, maxsplit=1)[1].strip() for line in head
                    if re.match(r"^(?:标题|事由)[:：]", _n(line))), None)
    found_title = (specific or titles or [None])[0]
    found_title = re.sub(r"\s+", "", found_title) if found_title else None

    # The year written anywhere in the head (〔2024〕, 2024年…), for dates written without one.
    default_year = None
    for line in [*head_n, *(_n(line) for line in body_lines[:2])]:
        year_match = _YEAR_RE.search(line)
        if year_match:
            default_year = int(year_match.group(1))
            break
        found = _find_date(line, None)
        if found:
            default_year = found[0].year
            break

    # Directives: "区长张明同志10月8日批示：…"
    directive_leaders: list[Leader] = []
    directive_date: tuple[date, str, bool] | None = None
    undated_when: str | None = None  # a 批示's date written without a year, none found elsewhere
    body: list[str] = []
    for line in body_lines:
        match = _DIRECTIVE_LINE.match(_n(line))
        if match is None:
            body.append(line)
            continue
        leader = split_person(match["who"])
        if leader is not None and leader not in directive_leaders:
            directive_leaders.append(leader)
        if match["when"] and directive_date is None:
            directive_date = _find_date(match["when"], default_year)
            if directive_date is None:
                undated_when = match["when"]
        rest = line[line.find("批示") + 3:].strip() if "批示" in line else ""
        if rest:
            body.append(rest)

    # The opening sentence: who chaired which meeting when.
    opening = next((line for line in body[:3] if has_cue(_n(line), "概况")), None)
    meeting_time_line = next((line for line in head_n if re.match(r"^(?:会议)?时间[:：]", line)), None)

    found_date: tuple[date, str, bool] | None = None
    for candidate in (meeting_time_line, _n(opening) if opening else None):
        if candidate:
            found_date = _find_date(candidate, default_year)
            if found_date:
                break
    if found_date is None and directive_date is not None:
        found_date = directive_date
    if found_date is None:
        for line in head_n:
            found_date = _find_date(line, default_year)
            if found_date:
                doc_flags.append(Flag("日期存疑", found_date[1], "正文未写会议日期，取自文件日期，请核对"))
                break
    if found_date is not None and found_date[2]:
        doc_flags.append(Flag("日期存疑", found_date[1], f"日期未写年份，推定为{found_date[0].year}年"))
    date_value = meeting_date or (found_date[0] if found_date else None)
    if date_value is None and undated_when:
        doc_flags.append(Flag("待补", undated_when, f"批示日期“{undated_when}”未写年份，文件中也没有年份可依，"
                                                    "待补：请在导入时指定来源日期"))
    elif date_value is None:
        doc_flags.append(Flag("待补", "会议日期", "未找到会议日期，待补；相对时限无法推算"))

    found_number = None
    for line in [found_title or "", *head_n, _n(opening or "")]:
        for pattern in _NUMBER_PATTERNS:
            number_match = pattern.search(_n(line))
            if number_match:
                found_number = re.sub(r"\s+", "", number_match.group(0))
                break
        if found_number:
            break

    found_kind = None
    if directive_leaders:
        found_kind = "directive"
    else:
        for line in [found_title or "", *head_n, _n(opening or "")]:
            found_kind = kind_from_title(line)
            if found_kind:
                break
    final_kind = kind or found_kind
    if final_kind is None:
        doc_flags.append(Flag("待补", "来源类型", "未能从标题识别会议类型，待补"))

    chair: list[Leader] = []
    if opening:
        chair_match = re.search(r"(?:^|[,，])\s*([^,，]{2,30}?)(?:同志)?主持召开", _n(opening))
        if chair_match:
            leader = split_person(re.sub(rf"^.*?{_CN_NUM}+[日号](?:上午|下午|晚上)?", "", chair_match.group(1)))
            if leader:
                chair.append(leader)
    if not chair:
        chair_line = next((line for line in head_n if re.match(r"^(?:会议)?主持人?[:：]", line)), None)
        if chair_line:
            leader = split_person(re.split(r"[:：]", chair_line, maxsplit=1)[1])
            if leader:
                chair.append(leader)

    meeting = Meeting(
        kind=final_kind,
        kind_label=KIND_LABELS.get(final_kind) if final_kind else None,
        title=title or (subject if found_kind == "directive" and subject else found_title),
        number=number or found_number,
        date=date_value,
        date_text=(found_date[1] if found_date and not meeting_date else (meeting_date.isoformat() if meeting_date else None)),
        header=tuple(head),
        leaders=tuple(directive_leaders or chair),
    )

    ctx = _Context(date_value, calendar, tuple(directive_leaders), assumptions)
    path: dict[int, str] = {}
    unnumbered_top = 0
    unnumbered_under: dict[str, int] = {}
    section_decides = False
    section_level: int | None = None
    for line in body:
        marker = _marker(_n(line))
        if marker is not None:
            level, raw_number, length = marker
            for deeper in [key for key in path if key >= level]:
                del path[deeper]
            path[level] = _label(level, raw_number)
            paragraph_no = "".join(path[key] for key in sorted(path))
            text = line[length:] if len(_n(line)) == len(line) else _n(line)[length:]
            if section_level is not None and level < section_level:
                section_decides, section_level = False, None
            if section_decides and section_level is None:
                section_level = level
            if _is_heading(text):
                ctx.reject(line, paragraph_no, MEANINGS["议题"])
                continue
            # A numbered paragraph with text of its own holds its number: an unnumbered
            # paragraph after it is "-2", never the same number again.
            unnumbered_under[paragraph_no] = 1
            decides = section_decides and section_level is not None and level >= section_level
            if _read_paragraph(ctx, line, text, paragraph_no, decides):
                section_decides, section_level = True, None
            continue
        if opening is not None and line is opening:
            for sentence in _sentences(line):
                kind_found, reason = _classify(sentence, False)
                if kind_found == "lead_in":
                    # "…召开第20次常务会议，会议议定事项如下：" opens the decisions.
                    if has_cue(_n(sentence), "决定"):
                        section_decides, section_level = True, None
                elif has_cue(_n(sentence), "概况"):
                    reason = MEANINGS["概况"]
                ctx.reject(sentence, "", reason or MEANINGS["概况"])
            continue
        parent = "".join(path[key] for key in sorted(path))
        if parent:
            unnumbered_under[parent] = unnumbered_under.get(parent, 0) + 1
            k = unnumbered_under[parent]
            paragraph_no = parent if k == 1 else f"{parent}-{k}"
        else:
            is_lead_in_only = _classify(line, False)[0] == "lead_in"
            if is_lead_in_only:
                paragraph_no = ""
            else:
                unnumbered_top += 1
                paragraph_no = _cn_ordinal(unnumbered_top)
        # An unnumbered paragraph ends a decision section opened before numbered ones.
        if section_level is not None:
            section_decides, section_level = False, None
        if _read_paragraph(ctx, line, line, paragraph_no, False):
            section_decides, section_level = True, None

    return Minutes(meeting, tuple(ctx.items), tuple(ctx.rejected), tuple(doc_flags))


def item_from_sentence(
    minutes: Minutes,
    sentence: str,
    seq: str,
    paragraph: str,
    paragraph_no: str,
    *,
    calendar: WorkCalendar | None = None,
    assumptions: object | None = None,
) -> Item:
    """A sentence the reader did not take, made an item because the clerk chose it in the review:
    units, leader and deadline read exactly as for the items it proposed (never invented)."""
    directive = minutes.meeting.leaders if minutes.meeting.kind == "directive" else ()
    ctx = _Context(minutes.meeting.date, calendar or WorkCalendar(), tuple(directive), assumptions)
    return _make_item(ctx, seq, sentence, paragraph, paragraph_no, "", None, _reporter(paragraph))


def read_minutes_file(data: bytes, file_name: str, **options) -> Minutes:
    """Minutes from a .docx (its paragraphs, in order) or a .txt (UTF-8 or GBK)."""
    from etl.docx_reader import document_lines

    return read_minutes(document_lines(data, file_name), **options)


def as_dict(minutes: Minutes) -> dict:
    """JSON-ready form of a reading (dates as ISO text), for `load --dry-run --json` and the preview."""

    def plain(value):
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        return value

    return plain(asdict(minutes))
