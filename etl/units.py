"""Unit names as task lists write them: splitting cells, reading annotations, resolving aliases.

A task list names its units (牵头单位 / 责任单位 / 配合单位) in free text: several units per cell,
full- and half-width punctuation mixed, a trailing 等, collective units such as 各乡镇(街道),
and sometimes the units are written inside the task text itself, e.g.
"推进老旧小区改造（牵头单位：区住建局；配合单位：区财政局）". This module turns such text
into ordered, normalised unit names and then into the ledger's canonical unit names.

Decisions worth knowing:
- Whitespace separates units (cells often use spaces or line breaks instead of 、), except
  next to brackets, so "各乡镇 （街道）" stays one unit.
- 和 / 及 / 以及 / 与 split only when both sides read as complete unit names and the right side
  starts with 区/市/县/各: "区委办和区政府办" is two units, "区住房和城乡建设局" is one,
  "区发改局和财政局" stays one (unsafe to guess).
- New units keep the name as written (normalised): 区卫健委 stays 区卫健委, never becomes
  区卫生健康局. The catalog and the alias table only ever point at units that already exist,
  so the ledger never gets a name nobody wrote. The catalog joins only true short forms of one
  name (发改局 ⇔ 发展和改革局, 发改委 ⇔ 发展和改革委员会), never a 委 with a 局, an 办 with a 局
  or a 分局 with its 局: those are different bodies in different places.
- A level prefix written once at the head of a cell carries onto the bare department names
  after it: "市交通局、城管局、水务局" is 市交通局, 市城管局, 市水务局 (a township, a collective
  or a name with a place of its own is left as written).
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "DEFAULT_CATALOG_FILE",
    "LEVEL_PREFIXES",
    "OPEN_SUFFIX_PATTERN",
    "PREFIX_CARRY_PATTERNS",
    "Annotated",
    "Catalog",
    "CatalogError",
    "Roles",
    "UnitList",
    "UnitResolver",
    "assign_roles",
    "extract_annotated_units",
    "infer_unit_kind",
    "is_collective",
    "may_take_prefix",
    "normalize_unit_name",
    "split_units",
]

DEFAULT_CATALOG_FILE = Path(__file__).resolve().parent.parent / "data" / "unit_catalog.csv"

# The administrative level a unit name starts with; the catalog stores names without it.
LEVEL_PREFIXES: tuple[str, ...] = ("区", "市", "县")

# After NFKC, （）［］ become ()[]; 【】〔〕〖〗 survive NFKC and are handled explicitly.
_OPENERS = "([【〔〖"
_CLOSERS = ")]】〕〗"
_CLOSER_FOR = dict(zip(_OPENERS, _CLOSERS, strict=True))
_FULL_WIDTH_OPENERS = "（［【〔〖"
_TO_ASCII_BRACKETS = str.maketrans({"[": "(", "【": "(", "〔": "(", "〖": "(",
                                    "]": ")", "】": ")", "〕": ")", "〗": ")"})

# ①..⒛, ⓫..⓿, ❶..➓: list numbering; NFKC would turn ① into a bare "1" glued to the name.
_CIRCLED_NUMBER_RE = re.compile("[\u2460-\u249b\u24eb-\u24ff\u2776-\u2793]")

_CELL_SEPARATORS = frozenset("、,;/|。")
_STRIP_CHARS = " \t\r\n\"'“”‘’「」『』《》〈〉`,;、。.:!?·•*-—_~"
# Leading numbering ("1.", "(2)", "三、"), however many times repeated, in one match.
_ENUMERATOR_RE = re.compile(
    r"^(?:(?:\d{1,2}[.、)]|\(\d{1,2}\)|[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\))\s*)+"
)
_NON_ASCII_SPACE_RE = re.compile(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ")
_WHITESPACE_RUN_RE = re.compile(r"\s+")
_HAS_WORD_RE = re.compile(r"[^\W_]")

# A trailing 等 (and its usual tails) marks an open list; no real unit name ends this way.
_OPEN_SUFFIX_RE = re.compile(
    r"等(?:[0-9一二三四五六七八九十两几多]+[个家项])?(?:相关|有关|其他|其它)?"
    r"(?:责任|成员|牵头|配合)?(?:单位|部门|镇街|乡镇|街道|机构)?$"
)
# The same, as a pattern for other regex engines (polars): the suffix that ends a piece.
OPEN_SUFFIX_PATTERN = _OPEN_SUFFIX_RE.pattern
_LEAD_MARK_RE = re.compile(
    r"(?:\((?:牵头|牵头单位|牵头部门|主办|主责|主责单位)\)|(?<=.)(?:负责牵头|牵头负责|牵头))$"
)
_OTHER_MARK_RE = re.compile(
    r"(?:\((?:配合|配合单位|配合部门|协办|协办单位|协助|参与|负责|责任单位)\)"
    r"|(?<=.)(?:配合|协办|协助|参与|负责))$"
)
# Whitespace before a role word or 等 belongs to the unit before it, not a separator.
_SPACE_BEFORE_MARK_RE = re.compile(
    r"\s+(?=等|(?:牵头|配合|协办|协助|负责)(?:[\s、,;/|。)]|$))"
)
_SPACE_AROUND_BRACKET_RE = re.compile(r"\s*([(\[【〔〖)\]】〕〗])\s*")
_JOINER_RE = re.compile(r"以及|[和及与]")
# Text this long between separators is prose, not units joined by 和; checking every 和 in it
# would cost quadratic time.
_MAX_JOINED_PIECE = 120

# Cells that say "none" rather than naming a unit.
_PLACEHOLDERS = frozenset(
    {"无", "暂无", "没有", "空", "待定", "n/a", "na", "null", "none", "nan", "无配合单位"}
)

_COLLECTIVE_RE = re.compile(
    r"^(?:[区市县](?:直|级|委|属)?|其他|其它)?(?:各|相关|有关|属地)"
    r"|(?:各|相关|有关|全体)(?:成员)?(?:单位|部门)$"
)
_COLLECTIVE_NAMES = frozenset({"成员单位", "全体成员单位"})
_ENTERPRISE_RE = re.compile(r"公司|集团|有限|股份|银行|支行|分行|厂$")
_TOWNSHIP_RE = re.compile(r"(?:镇|乡|街道)(?:人民政府|政府|党委|办事处|办|党工委|工委)?$")
_DEPARTMENT_RE = re.compile(
    r"(?:局|委|委员会|办|办公室|中心|院|所|队|站|处|科|会|部|室|厅|馆|联|校|署|社|台|府)$"
)
_TRAILING_PARENTHETICAL_RE = re.compile(r"\([^()]*\)$")

_LEAD_LABELS = frozenset(
    {"牵头单位", "牵头部门", "牵头", "牵头责任单位", "主办单位", "主办", "主责单位", "主责部门"}
)
_CO_LABELS = frozenset(
    {"配合单位", "配合部门", "配合", "配合责任单位", "协办单位", "协办部门", "协办",
     "协助单位", "参与单位", "协同单位", "协同部门", "协作单位"}
)
_RESPONSIBLE_LABELS = frozenset(
    {"责任单位", "责任部门", "责任主体", "责任方", "承办单位", "落实单位", "实施单位", "办理单位"}
)
_LABEL_RE = re.compile(r"([\u4e00-\u9fffA-Za-z]{1,8}(?:\([\u4e00-\u9fff]{1,4}\))?)[ \t]*:")
_LABEL_BOUNDARY = frozenset(";,、。.)]】〕〗")
_VALUE_TERMINATORS = frozenset("。\n")
_LEAD_VERB_FORM_RE = re.compile(
    r"^(?P<lead>[^:]+?)(?:负责牵头|牵头负责|牵头)"
    r"(?:[,;、\s]*(?P<co>[^:]+?)(?:配合|协助|协办|参与))?$"
)
_RESPONSIBLE_VERB_FORM_RE = re.compile(r"^(?P<responsible>[^:]+?)负责$")


class CatalogError(ValueError):
    """The shipped unit catalog is malformed or contradicts itself."""


@dataclass(frozen=True)
class UnitList:
    """Units named in one cell or one annotation, in the order written."""

    names: tuple[str, ...]
    open_ended: bool = False
    # Units the text itself marks as lead, e.g. "区发改局(牵头)、区财政局".
    marked_leads: tuple[str, ...] = ()
    # (as written, with the level carried) for each bare name that took the level written
    # at the head of its cell: ("城管局", "市城管局").
    carried: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Annotated:
    """Task text with its embedded unit annotation taken out."""

    text: str
    lead: UnitList | None
    co: UnitList | None
    responsible: UnitList | None


@dataclass(frozen=True)
class Roles:
    lead: tuple[str, ...]
    co: tuple[str, ...]
    open_ended: bool


# --------------------------------------------------------------------------- names


def normalize_unit_name(name: str) -> str:
    """NFKC, ASCII brackets, no stray spaces, quotes, numbering or unbalanced brackets."""
    text = _CIRCLED_NUMBER_RE.sub(" ", name)
    previous = None
    # Each step can expose work for another ("“1.区财政局”", or a removed space letting
    # NFKC compose two characters), so repeat until stable; that also makes it idempotent.
    while text != previous:
        previous = text
        text = unicodedata.normalize("NFKC", text).translate(_TO_ASCII_BRACKETS)
        text = _NON_ASCII_SPACE_RE.sub("", _WHITESPACE_RUN_RE.sub(" ", text))
        text = text.strip(_STRIP_CHARS)
        text = _ENUMERATOR_RE.sub("", text)
        text = _strip_stray_brackets(text)
    return text


def _strip_stray_brackets(text: str) -> str:
    text = text.lstrip(")").rstrip("(")
    if text.startswith("(") and _matching_close(text, 0) == len(text) - 1:
        text = text[1:-1]
    # Counted once and kept up to date: a cell of thousands of "(：" strips in linear time.
    opens, closes = text.count("("), text.count(")")
    start, end = 0, len(text)
    while start < end:
        if text[start] == "(" and opens > closes:
            opens -= 1
        elif start > 0 and text[start] in _STRIP_CHARS:   # what the opener was hiding
            pass
        else:
            break
        start += 1
    while end > start:
        if text[end - 1] == ")" and closes > opens:
            closes -= 1
        elif end < len(text) and text[end - 1] in _STRIP_CHARS:
            pass
        else:
            break
        end -= 1
    return text[start:end]


def _matching_close(text: str, open_index: int) -> int | None:
    depth = 0
    for index in range(open_index, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    return None


def is_collective(name: str) -> bool:
    """True for names that stand for a group of units, such as 各乡镇(街道) or 区直各部门."""
    normalized = normalize_unit_name(name)
    return normalized in _COLLECTIVE_NAMES or bool(_COLLECTIVE_RE.search(normalized))


def infer_unit_kind(name: str) -> str:
    """Guess "部门" | "镇街" | "企业" | "集体" | "其他" from the name's wording."""
    normalized = normalize_unit_name(name)
    if not normalized:
        return "其他"
    if is_collective(normalized):
        return "集体"
    # "区委办(区政府办)" is judged by what precedes its parenthetical.
    core = _TRAILING_PARENTHETICAL_RE.sub("", normalized) or normalized
    if _ENTERPRISE_RE.search(core):
        return "企业"
    if _TOWNSHIP_RE.search(core):
        return "镇街"
    if _DEPARTMENT_RE.search(core):
        return "部门"
    return "其他"


def _looks_like_unit(text: str) -> bool:
    return infer_unit_kind(text) != "其他"


# --------------------------------------------------------------------------- cells


def split_units(cell: object, *, carry: bool = True) -> UnitList:
    """Split a unit cell ("区发改局、区财政局等") into normalised names; with `carry`, a level
    written at its head carries onto the bare names after it (carry_prefix). A list of one
    unit's short forms (区数据局、数据局) is not such a list: carry=False."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return UnitList(())
    text = _CIRCLED_NUMBER_RE.sub("、", cell if isinstance(cell, str) else str(cell))
    text = unicodedata.normalize("NFKC", text)
    text = _SPACE_AROUND_BRACKET_RE.sub(r"\1", text)
    text = _SPACE_BEFORE_MARK_RE.sub("", text)

    names: list[str] = []
    marked_leads: list[str] = []
    open_ended = False
    for piece in _split_outside_brackets(text, _is_cell_separator):
        piece = _strip_role_label(piece)
        piece, piece_is_open = _strip_open_suffix(piece)
        open_ended = open_ended or piece_is_open
        for part in _split_joined_units(piece):
            name, is_marked_lead = _clean_piece(part)
            if name is None or name in names:
                continue
            names.append(name)
            if is_marked_lead:
                marked_leads.append(name)
    carried = carry_prefix(names) if carry else names
    took = tuple((name, full) for name, full in zip(names, carried, strict=True) if name != full)
    if took:
        marked_leads = [carried[names.index(name)] for name in marked_leads]
        names = list(dict.fromkeys(carried))
    return UnitList(tuple(names), open_ended, tuple(marked_leads), took)


# A cell the prefix may carry in (polars regexes, for the importer's whole-column fast path):
# some name starts with a level and some later name does not. Any name, not only the first:
# carry_prefix carries the latest level written (桂林市住建局；区卫健委；住建局 -> 区住建局).
PREFIX_CARRY_PATTERNS = (r"(?:^|[、，,；;\s])[区市县]", r"[、，,；;\s][^区市县各]")
# Characters naming a place of its own: 七星区财政局, 桂林市住建局 keep what they write.
_PLACE_CHARS = frozenset("省市区县州旗盟镇乡村街")


# Both are decided per distinct name (a list repeats its units thousands of times), and are
# pure: the name and the shipped catalogue alone.
@lru_cache(maxsize=8192)
def _level_of(name: str) -> str | None:
    """The level a name starts with (区发改局 -> 区), not a collective's (区直各部门)."""
    if name[:1] in LEVEL_PREFIXES and not is_collective(name) and len(name) > 2:
        return name[0]
    return None


@lru_cache(maxsize=8192)
def _takes_prefix(name: str) -> bool:
    """A bare department name (城管局, 水务局, 发改委) that can take the level written before it."""
    if name[:1] in LEVEL_PREFIXES or name[:1] == "省" or is_collective(name):
        return False
    if infer_unit_kind(name) != "部门":
        return False
    catalogued = _shipped_catalog().lookup(name)
    if catalogued is not None and catalogued[0] == "":
        return True
    core = _TRAILING_PARENTHETICAL_RE.sub("", name) or name
    return not any(char in _PLACE_CHARS for char in core)


def may_take_prefix(name: str) -> bool:
    """Whether carry_prefix could give this name, as written or normalised, a level: False
    means a cell of such names after its first keeps them as written (the importer's
    whole-column fast path relies on it)."""
    return _takes_prefix(name) or _takes_prefix(normalize_unit_name(name))


def carry_prefix(names: list[str]) -> list[str]:
    """The names with the level of the latest prefixed name carried onto the bare names after
    it: ["市交通局", "城管局", "水务局"] -> ["市交通局", "市城管局", "市水务局"]."""
    level = None
    carried: list[str] = []
    for name in names:
        own = _level_of(name)
        if own is not None:
            level = own
            carried.append(name)
        elif level is not None and _takes_prefix(name):
            carried.append(level + name)
        else:
            carried.append(name)
    return carried


def _is_cell_separator(char: str) -> bool:
    return char in _CELL_SEPARATORS or char.isspace()


def _split_outside_brackets(text: str, is_separator: Callable[[str], bool]) -> list[str]:
    """Split at separators that are not inside brackets, so 各乡镇(街道) stays whole."""
    pieces: list[str] = []
    current: list[str] = []
    expected_closers: list[str] = []
    for char in text:
        if char in _OPENERS:
            expected_closers.append(_CLOSER_FOR[char])
        elif char in _CLOSERS and expected_closers:
            # A mismatched closer ("（…]") still closes: writers mix bracket styles.
            expected_closers.pop()
        if not expected_closers and is_separator(char):
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    if expected_closers:
        # An unclosed bracket would swallow the rest of the cell; ignore brackets instead.
        pieces = []
        current = []
        for char in text:
            if is_separator(char):
                pieces.append("".join(current))
                current = []
            else:
                current.append(char)
        pieces.append("".join(current))
    return [piece for piece in pieces if piece.strip()]


def _strip_role_label(piece: str) -> str:
    """"牵头单位:区发改局" -> "区发改局"; other colons are left alone."""
    head, colon, tail = piece.rpartition(":")
    if not colon:
        return piece
    label = _TRAILING_PARENTHETICAL_RE.sub("", head.strip())
    if _role_of_label(label) is not None or label.endswith(("单位", "部门")):
        return tail
    return piece


# The longest open-list suffix worth looking for ("等20个相关成员单位" is 9 characters): each
# search looks at the piece's tail only, so a cell of thousands of 等 strips in linear time.
_OPEN_SUFFIX_WINDOW = 64


def _strip_open_suffix(piece: str) -> tuple[str, bool]:
    stripped = piece.strip()
    is_open = False
    while True:
        match = _OPEN_SUFFIX_RE.search(stripped, max(0, len(stripped) - _OPEN_SUFFIX_WINDOW))
        if match is None:
            return stripped, is_open
        stripped = stripped[: match.start()].rstrip()
        is_open = True


def _split_joined_units(piece: str) -> list[str]:
    """Split "区委办和区政府办" but never "区住房和城乡建设局"."""
    if len(piece) > _MAX_JOINED_PIECE:
        return [piece]
    parts: list[str] = []
    rest = piece
    while (joiner := _safe_joiner(rest)) is not None:
        parts.append(rest[: joiner.start()])
        rest = rest[joiner.end():]
    parts.append(rest)
    return parts


def _safe_joiner(piece: str) -> re.Match[str] | None:
    """The first 和/及/与 with a complete unit name on its left and one starting on its right."""
    depths = _depth_before_each_char(piece)
    for match in _JOINER_RE.finditer(piece):
        if depths[match.start()] != 0:
            continue
        right = piece[match.end():]
        if not right.lstrip().startswith(("区", "市", "县", "各")):
            continue
        left_name = _clean_piece(piece[: match.start()])[0]
        right_name = _clean_piece(right)[0]
        if left_name is not None and right_name is not None and _looks_like_unit(left_name) \
                and _looks_like_unit(right_name):
            return match
    return None


_MARK_WINDOW = 16   # longer than the longest role mark, "(主责单位)" or "(责任单位)"


def _clean_piece(piece: str) -> tuple[str | None, bool]:
    """Normalise one piece; None when nothing usable is left."""
    name = normalize_unit_name(piece)
    if name.startswith("由"):
        name = normalize_unit_name(name[1:])
    is_marked_lead = False
    while True:
        # Strip every trailing mark, looking at the tail only (marks are short), then
        # normalise once: linear even for a cell of thousands of "(牵头)".
        stripped = False
        while True:
            window = max(0, len(name) - _MARK_WINDOW)
            lead_mark = _LEAD_MARK_RE.search(name, window)
            other_mark = None if lead_mark else _OTHER_MARK_RE.search(name, window)
            mark = lead_mark or other_mark
            if mark is None:
                break
            name = name[: mark.start()].rstrip()
            is_marked_lead = is_marked_lead or lead_mark is not None
            stripped = True
        if not stripped:
            break
        name = normalize_unit_name(name)
    if not name or name.lower() in _PLACEHOLDERS or not _HAS_WORD_RE.search(name):
        return None, False
    return name, is_marked_lead


def _depth_before_each_char(text: str) -> list[int]:
    """Bracket depth in force at each position (an opener counts from the next char on)."""
    depths: list[int] = []
    expected_closers: list[str] = []
    for char in text:
        depths.append(len(expected_closers))
        if char in _OPENERS:
            expected_closers.append(_CLOSER_FOR[char])
        elif char in _CLOSERS and expected_closers:
            expected_closers.pop()
    depths.append(len(expected_closers))
    return depths


# --------------------------------------------------------------------------- annotations


@dataclass(frozen=True)
class _Segment:
    """A stretch of annotation text: either "label: value" or free text (label None)."""

    label: str | None
    start: int
    end: int
    value_start: int
    value_end: int


def _role_of_label(label: str) -> str | None:
    label = _TRAILING_PARENTHETICAL_RE.sub("", label.replace(" ", ""))
    if label in _LEAD_LABELS:
        return "lead"
    if label in _CO_LABELS:
        return "co"
    if label in _RESPONSIBLE_LABELS:
        return "responsible"
    return None


def _parse_segments(text: str, depths: list[int], start: int, end: int) -> list[_Segment]:
    """Cut text[start:end] into labelled and free segments at its own bracket level."""
    level = depths[start]
    labels = [
        match
        for match in _LABEL_RE.finditer(text, start, end)
        if depths[match.start()] == level
        and (
            match.start() == start
            or text[match.start() - 1] in _LABEL_BOUNDARY
            or text[match.start() - 1].isspace()
        )
    ]
    segments: list[_Segment] = []
    cursor = start
    for index, match in enumerate(labels):
        if match.start() > cursor:
            segments.append(_Segment(None, cursor, match.start(), cursor, match.start()))
        limit = labels[index + 1].start() if index + 1 < len(labels) else end
        value_end = limit
        segment_end = limit
        for position in range(match.end(), limit):
            # A full stop or line break ends the value; what follows is task text again.
            if depths[position] == level and text[position] in _VALUE_TERMINATORS:
                value_end = position
                segment_end = position + 1
                break
        segments.append(_Segment(match.group(1), match.start(), segment_end, match.end(), value_end))
        cursor = segment_end
    if cursor < end:
        segments.append(_Segment(None, cursor, end, cursor, end))
    return segments


def _nfkc_with_positions(text: str) -> tuple[str, list[int]]:
    """NFKC per character, remembering which original character each output char came from."""
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        for normalized_char in unicodedata.normalize("NFKC", char):
            chars.append(normalized_char)
            origins.append(index)
    return "".join(chars), origins


def _top_level_brackets(depths: list[int], text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    for position, char in enumerate(text):
        if char in _OPENERS and depths[position] == 0:
            open_at = position
        elif char in _CLOSERS and depths[position] == 1 and depths[position + 1] == 0:
            if open_at is not None:
                spans.append((open_at, position))
            open_at = None
    return spans


class _UnitCollector:
    def __init__(self) -> None:
        self.lists: dict[str, list[UnitList]] = {"lead": [], "co": [], "responsible": []}

    def add(self, role: str, units: UnitList) -> None:
        self.lists[role].append(units)

    def merged(self, role: str) -> UnitList | None:
        found = self.lists[role]
        if not found:
            return None
        return UnitList(
            tuple(dict.fromkeys(name for units in found for name in units.names)),
            any(units.open_ended for units in found),
            tuple(dict.fromkeys(name for units in found for name in units.marked_leads)),
        )


def extract_annotated_units(text: str) -> Annotated:
    """Take "（牵头单位：X；配合单位：A、B）"-style annotations out of task text."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    normalized, origins = _nfkc_with_positions(text)
    depths = _depth_before_each_char(normalized)
    collector = _UnitCollector()
    # (start, end, replacement) in normalised positions, end exclusive.
    edits: list[tuple[int, int, str]] = []

    for segment in _parse_segments(normalized, depths, 0, len(normalized)):
        role = _role_of_label(segment.label) if segment.label else None
        if role is not None:
            collector.add(role, split_units(normalized[segment.value_start:segment.value_end]))
            edits.append((segment.start, segment.end, ""))

    for open_at, close_at in _top_level_brackets(depths, normalized):
        if not any(start <= open_at < end for start, end, _ in edits):
            _take_bracket_annotation(
                text, normalized, origins, depths, open_at, close_at, collector, edits
            )

    if not edits:
        return Annotated(_tidy_text(text, trim_separators=False), None, None, None)
    edits.sort()
    pieces: list[str] = []
    cursor = 0
    for start, end, replacement in edits:
        original_start, original_end = origins[start], origins[end - 1] + 1
        if original_start < cursor:
            continue
        pieces.append(text[cursor:original_start])
        pieces.append(replacement)
        cursor = original_end
    pieces.append(text[cursor:])
    return Annotated(
        _tidy_text("".join(pieces), trim_separators=True),
        collector.merged("lead"),
        collector.merged("co"),
        collector.merged("responsible"),
    )


def _take_bracket_annotation(
    text: str,
    normalized: str,
    origins: list[int],
    depths: list[int],
    open_at: int,
    close_at: int,
    collector: _UnitCollector,
    edits: list[tuple[int, int, str]],
) -> bool:
    """Record the units of one bracketed annotation; False if the bracket is ordinary text."""
    segments = _parse_segments(normalized, depths, open_at + 1, close_at)
    roles = [_role_of_label(segment.label) if segment.label else None for segment in segments]
    if any(role is not None for role in roles):
        kept: list[str] = []
        for segment, role in zip(segments, roles, strict=True):
            if role is not None:
                collector.add(role, split_units(normalized[segment.value_start:segment.value_end]))
                continue
            # Other labelled facts in the same bracket (责任领导：张三) stay in the text.
            original = text[origins[segment.start]:origins[segment.end - 1] + 1]
            original = original.strip(" \t\r\n;,；，、")
            if original:
                kept.append(original)
        replacement = ""
        if kept:
            opener, closer = text[origins[open_at]], text[origins[close_at]]
            joiner = "；" if opener in _FULL_WIDTH_OPENERS else ";"
            replacement = opener + joiner.join(kept) + closer
        edits.append((open_at, close_at + 1, replacement))
        return True

    verb_form = _parse_verb_form(normalized[open_at + 1:close_at])
    if verb_form is None:
        return False
    for role, units in verb_form:
        collector.add(role, units)
    edits.append((open_at, close_at + 1, ""))
    return True


def _parse_verb_form(content: str) -> list[tuple[str, UnitList]] | None:
    """Read "（区发改局牵头，区财政局配合）" and "（区发改局负责）"; None unless every name is a unit."""
    content = content.strip().rstrip("。.")
    if "由" in content:
        content = content.rsplit("由", 1)[1]
    found: list[tuple[str, UnitList]] = []
    lead_match = _LEAD_VERB_FORM_RE.match(content)
    if lead_match is not None:
        found.append(("lead", split_units(lead_match.group("lead"))))
        if lead_match.group("co"):
            found.append(("co", split_units(lead_match.group("co"))))
    else:
        responsible_match = _RESPONSIBLE_VERB_FORM_RE.match(content)
        if responsible_match is None:
            return None
        found.append(("responsible", split_units(responsible_match.group("responsible"))))
    for _, units in found:
        if not units.names or not all(_looks_like_unit(name) for name in units.names):
            return None
    return found


def _tidy_text(text: str, trim_separators: bool) -> str:
    lines: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"[ \t\u3000]+", " ", line).strip()
        line = re.sub(r" (?=[，。；：、,.;:!?！？)）】\]])", "", line)
        line = re.sub(r"(?<=[（(【\[]) ", "", line)
        if line:
            lines.append(line)
    tidied = "\n".join(lines)
    if trim_separators:
        # Removing "，（牵头单位：…）" at the end would otherwise leave a dangling comma.
        tidied = tidied.strip(" \t\n,，;；、")
    return tidied


# --------------------------------------------------------------------------- roles


def assign_roles(
    lead: UnitList | None,
    responsible: UnitList | None,
    co: UnitList | None,
    first_leads: bool,
) -> Roles:
    """Combine 牵头/责任/配合 lists into lead and co-units; a lead is never also a co-unit."""
    responsible_names = responsible.names if responsible else ()
    co_names = co.names if co else ()
    lead_names: tuple[str, ...] = lead.names if lead else ()
    if not lead_names:
        marked = tuple(
            dict.fromkeys(
                name for units in (responsible, co) if units for name in units.marked_leads
            )
        )
        if marked:
            lead_names = marked
        elif responsible_names:
            lead_names = responsible_names[:1] if first_leads else responsible_names
    lead_names = tuple(dict.fromkeys(lead_names))
    co_out = tuple(
        name
        for name in dict.fromkeys((*co_names, *responsible_names))
        if name not in lead_names
    )
    open_ended = any(units.open_ended for units in (lead, responsible, co) if units)
    return Roles(lead_names, co_out, open_ended)


# --------------------------------------------------------------------------- catalog


class Catalog:
    """The shipped list of department names and their short forms, without 区/市/县."""

    def __init__(self, entries: Iterable[tuple[str, Iterable[str]]] = ()) -> None:
        self._entries: list[tuple[str, tuple[str, ...]]] = []
        # name as written -> (level prefix, full name without prefix)
        self._table: dict[str, tuple[str, str]] = {}
        for full_name, short_names in entries:
            full = normalize_unit_name(full_name)
            if not full:
                continue
            shorts = tuple(
                dict.fromkeys(
                    short
                    for short in (normalize_unit_name(raw) for raw in short_names)
                    if short and short != full
                )
            )
            self._entries.append((full, shorts))
            for form in (full, *shorts):
                self._add(form, "", full)
                for prefix in LEVEL_PREFIXES:
                    self._add(prefix + form, prefix, full)

    def _add(self, written: str, prefix: str, full: str) -> None:
        existing = self._table.get(written)
        if existing is not None and existing != (prefix, full):
            raise CatalogError(
                f"单位简称表冲突：“{written}”同时对应“{''.join(existing)}”和“{prefix}{full}”"
            )
        self._table[written] = (prefix, full)

    @classmethod
    def load(cls, path: Path | None = None) -> Catalog:
        # The default is looked up at call time, so the ledger's copy of the catalogue
        # (ledger.db.refresh_unit_catalog) and the imports always read the same file.
        path = Path(path or DEFAULT_CATALOG_FILE)
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or not {"full_name", "short_names"} <= set(
                reader.fieldnames
            ):
                raise CatalogError(f"单位简称表 {path} 缺少 full_name 或 short_names 列")
            rows = [
                ((row["full_name"] or "").strip(), (row["short_names"] or "").split("、"))
                for row in reader
            ]
        return cls(rows)

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, name: str) -> tuple[str, str] | None:
        """(level prefix, full name without prefix) for a catalogued name; "" when unprefixed."""
        return self._table.get(normalize_unit_name(name))

    def canonical(self, name: str) -> str | None:
        found = self.lookup(name)
        return None if found is None else found[0] + found[1]

    def pairs(self) -> list[tuple[str, str]]:
        """(alias, canonical) with every level prefix, e.g. ("区发改局", "区发展和改革局")."""
        return [
            (prefix + short, prefix + full)
            for full, shorts in self._entries
            for prefix in LEVEL_PREFIXES
            for short in shorts
        ]


@lru_cache(maxsize=1)
def _shipped_catalog() -> Catalog:
    return Catalog.load(DEFAULT_CATALOG_FILE)


# --------------------------------------------------------------------------- resolver


class UnitResolver:
    """Resolves names written in a list to canonical unit names, through the ledger's alias
    table and the shipped catalog.

    ``catalog=None`` uses the shipped catalog; pass ``Catalog()`` for none. Aliases and the
    catalog only lead to units that exist (known, or registered earlier by this resolver):
    anything else becomes a new unit under the name as written.
    """

    def __init__(
        self,
        known_units: Iterable[str],
        aliases: Mapping[str, str],
        catalog: Catalog | None = None,
    ) -> None:
        self._catalog = catalog if catalog is not None else _shipped_catalog()
        self._known: dict[str, str] = {}  # normalised name -> name as the ledger stores it
        self._by_catalog_name: dict[str, list[str]] = {}
        self._new: list[str] = []
        self._learned: dict[str, str] = {}
        for unit in known_units:
            self._remember(unit)
        self._aliases: dict[str, str] = {}
        for alias, target in aliases.items():
            alias_name, target_name = normalize_unit_name(alias), normalize_unit_name(target)
            if alias_name and target_name:
                self._aliases[alias_name] = target_name

    def resolve(self, name: str) -> tuple[str, bool]:
        """(canonical name, is_new) for a name written in a list."""
        written = normalize_unit_name(name)
        if not written:
            raise ValueError("单位名称为空")
        existing = self._find_existing(written)
        if existing is not None:
            if existing != written:
                self._learned.setdefault(written, existing)
            return existing, False
        # A new unit is registered as written (区住建局 stays 区住建局): its other true forms
        # (区住房和城乡建设局) find it later through the catalog, and the report says so.
        self._remember(written)
        self._new.append(written)
        return written, True

    def existing(self, name: str) -> str | None:
        """The stored unit a name is (itself, an alias or a true short or full form of it),
        without registering anything; None when it is none of them."""
        written = normalize_unit_name(name)
        return self._find_existing(written) if written else None

    def rename(self, old: str, new: str) -> None:
        """A stored unit takes another name (the office's own list names it in full); the old
        name resolves to it from now on."""
        old_name, new_name = normalize_unit_name(old), normalize_unit_name(new)
        stored = self._known.pop(old_name, old)
        for units in self._by_catalog_name.values():
            if stored in units:
                units.remove(stored)
        self._remember(new)
        self._aliases[old_name] = new_name
        self._new = [new if name == stored else name for name in self._new]

    def register(self, unit: str, aliases: Iterable[str] = ()) -> None:
        """A unit the office lists itself (a units file), with the short forms it uses."""
        self._remember(unit)
        target = normalize_unit_name(unit)
        for alias in aliases:
            alias_name = normalize_unit_name(alias)
            if alias_name and alias_name != target:
                self._aliases[alias_name] = target

    def catalogued(self, name: str) -> bool:
        """Whether the shipped catalogue names this unit (a department's usual name)."""
        return self._catalog.lookup(name) is not None

    def new_units(self) -> list[str]:
        """Units first seen by this resolver, in first-seen order."""
        return list(self._new)

    def learned_aliases(self) -> list[tuple[str, str]]:
        """(name as written, canonical name) for every name that resolved to a different one."""
        return list(self._learned.items())

    def _remember(self, unit: str) -> None:
        normalized = normalize_unit_name(unit)
        if not normalized or normalized in self._known:
            return
        self._known[normalized] = unit
        catalog_name = self._catalog.canonical(normalized)
        if catalog_name is not None:
            self._by_catalog_name.setdefault(catalog_name, []).append(unit)

    def _find_existing(self, written: str) -> str | None:
        if written in self._known:
            return self._known[written]
        target = self._aliases.get(written)
        if target is not None and target in self._known:
            return self._known[target]

        catalogued = self._catalog.lookup(written)
        if catalogued is not None:
            prefix, full = catalogued
            same_unit = self._by_catalog_name.get(prefix + full, [])
            if len(same_unit) == 1:
                return same_unit[0]
            if len(same_unit) > 1:
                # The ledger already holds variants; only its exact full name is safe to pick.
                return self._known.get(prefix + full)
            if prefix:
                return None
            candidates = {
                unit for level in LEVEL_PREFIXES
                for unit in self._by_catalog_name.get(level + full, [])
            }
        else:
            candidates = {
                self._known[level + written]
                for level in LEVEL_PREFIXES
                if level + written in self._known
            }
        # "发改局" in a ledger with both 区 and 市 versions must not be merged into either.
        return candidates.pop() if len(candidates) == 1 else None
