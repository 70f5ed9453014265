"""Read 完成时限 cells as task lists actually write them, and find deadlines in a task's text.

``parse_deadline(value, base, calendar, assumptions)`` turns one cell into a :class:`Deadline`.
``base`` is the date of the source (meeting, directive, document): it supplies a year that was
left out and is the starting point of relative phrases. ``assumptions`` holds the office's
settings for phrases that name no date of their own (汛期前, 尽快); the importer passes the
ledger's, the defaults are 5月31日 and 5 working days.

Principle: import what the office has, flag what is missing, never guess silently. Every
date-bearing piece of a phrase is accounted for; a phrase that cannot be read completely is not
guessed at. What a cell gives, by ``kind``:

* ``"date"`` (``date`` set), ``"cycle"`` (a reporting cycle, no end date), ``"long_term"``
  (长期/持续/常态化…): read. Every assumption made on the way (a year left out, an office
  setting, a festival's holiday computed from the lunar calendar, working days in a year whose
  schedule is not loaded, the latest of several dates) is listed in ``assumptions`` and joined
  into ``note``, so the office sees how the date was reached.
* ``"none"`` with ``flags``: the cell says something that could not be read, or not completely
  (``根据上级要求``, ``待定``, ``春节后``, ``验收后3个月内``, ``2024年底或2025年初``). Each flag quotes
  the text and ends in 请核对; no date is given, however much of the phrase was readable.
* ``"none"`` without flags (``Deadline.missing``): the cell is empty (note 缺少完成时限) or says
  there is no deadline (``无``, ``/``, ``无明确时限``).

:class:`DeadlineError` is left for a cell that is malformed rather than unreadable: a date that
does not exist (``2月30日``), a date beyond the calendar, a cell value that is not text, a date or
a number that reads as one (``True``, ``1.5``, ``123``).

Reading rules, in the order they matter:

* Text is NFKC-normalised first (full-width digits and punctuation become half-width), times of
  day (24时, 17:00), a weekday after a date (（星期二）) and spaces are dropped, Chinese numerals
  before a unit become digits (六月底 -> 6月底, 十五个工作日 -> 15个工作日, 二〇二六年 -> 2026年)
  and 元月 becomes 1月 (正月, 腊月 are lunar months: flagged).
* A full date uses one kind of separator throughout (2026年6月30日, 2026-6-30, 2026/6/30):
  2026年1-6月 is the months January to June (-> 2026-06-30), not 6 January.
* Reporting cycles (每月, 按季度, 每月28日前, 每季度最后一个月的30日前 ...) are taken out first, so
  that "28日前" in "每月28日前" is not read as a deadline. ``cycle_day`` is a day of the month
  (每季度最后一个月的30日前 -> quarterly, 30) or an ISO weekday for weekly cycles.
* Then date expressions are searched anywhere in the text, most specific first; each match is
  blanked so a later, vaguer rule cannot re-read it. The pieces are then read in the order they
  are written. What is left must hold no date-bearing word (a digit that is not a quantity such
  as 5亿元 or 3号楼, 年初, 春节后, 节前, 季, 汛, 星期 …): otherwise the cell is flagged.
* Years. A stated year (2024年, 明年, 今年, 本年度, 下一年度, 去年 …) applies to its own piece
  and is carried to the yearless pieces after it (2024年6月底前完成设计，12月底前完工 -> December
  2024), so an explicit year anywhere before wins over the base year (2024年年底前 -> 2024-12-31,
  明年年底 -> next year). A bare year written after yearless pieces also applies to them
  (年底前（2024年）). A carried year that puts a date before the source date is noted.
  次年/翌年/当年/同年 count from the year being talked about
  (2024年10月至次年3月 -> 2025-03-31), 明年/今年 from the base date. A "年度" label
  (完成2025年度决算审计) names the subject, not the deadline, and carries nothing.
* Year left out: a month, quarter, festival or 年中 without a year is in the base date's year
  unless that falls before the base date, or before the piece written before it, in which case
  it is next year (a meeting on 2026-11-10 saying "3月底前" means 2027-03-31;
  ①12月底前 ②3月底前 means March of the year after that December). Such dates carry a note.
* Parts of a month: 上旬 = 10th, 中旬 = 20th, 下旬/月底/月末/月份/bare month = last day,
  月中 = 15th, 月初 = 5th (after a month: 6月初). "X月前" / "X月份前" (no 底) is read strictly,
  as before the 1st of month X (6月前 -> 5月31日), with a note: the earlier reading shows a task
  late rather than on track. The same holds for "2025年前" (-> 2024-12-31) and "三季度前"
  (-> 6月30日); "前三季度" is the first three quarters (-> 9月30日).
* Year level: 年底/年末/年内/年终/全年 and a bare "2026年" = 31 December; 年中 = 30 June;
  上半年 = 30 June, 下半年 = 31 December, 一季度 ... 四季度 (with or without 第/末) = the quarter's
  last day, 本季度/下季度 = the end of the base date's quarter or the next; 2023—2025年 = the end
  of the last year. 年初 and 年前/年后 (before the year's end or
  the Spring Festival?) are flagged.
* Festivals 春节, 元旦, 清明, 劳动节/五一, 端午, 中秋, 国庆 with 前 (春节前, 国庆节前, 2027年春节前,
  中秋节假期前): the last working day before the festival's holiday begins, as a clerk writes
  it (2026年春节前 -> 2026-02-14, the 调休 Saturday before the holiday of 15-23 February). In a
  year whose schedule is known (chinese_calendar, 2004-2026, or the office's holiday file) the
  holiday is the run of days off around the festival. Beyond, the festival day comes from the
  lunar calendar (lunardate) or the solar term (清明), the holiday is taken to begin on that day
  (on 除夕 for 春节, a statutory day off since 2025), working days are Monday to Friday, and the
  note says so. 春节后, 节前, 元旦春节前 … are flagged.
* Office settings: 汛期前/汛前/入汛前 = ``assumptions.flood_season`` (default 5月31日) of the year;
  尽快/尽早/从速 = ``assumptions.as_soon_as_possible`` working days after base (default 5).
  Both are noted as assumptions. 主汛期前 is flagged (its start differs by region).
* Relative to base: N个工作日 counts working days on the national calendar (the day of the
  meeting never counts); N日/N天 are calendar days, N周 weeks, N个月/N年 calendar months/years
  with the day clamped to the month's end. A calendar-day period ending on a holiday is not
  moved. "…后N日内" counts from base only when what comes before 后 is the source itself
  (会后, 会议结束后, 批示后, 收到通知后, 印发之日起); "验收后3个月内" is flagged, since its start is
  unknown. 立即/即刻/马上 = the next working day after base: the same day would make every such
  item overdue before the minutes are even issued.
* Starts (2024年起, 自2022年起, 2023年以来) are read and are not deadlines: 2024年起每年6月底前报送
  is a yearly cycle.
* Several dates in one unnumbered cell (ranges, "会后5个工作日内报方案，年底前完成"): the latest
  one is the deadline. Two dates offered as alternatives (2024年底或2025年初) are flagged. A bare
  year ("2026年度…") only counts when nothing more precise is given.
* Cells with numbered steps (①②…, ⑴⑵…, (1)(2)…, 1.2.… / 1、2、…) become milestones; the
  deadline is the last dated step's date. Text before the first marker is a heading. A step
  that cannot be read flags the cell, naming the step.
* Date and datetime cells, and Excel serial numbers (1900 system, 20000-80000, also as text),
  give an absolute date; their ``text`` is the ISO date, since the cell holds no words.

``deadline_in_text(text, base, calendar, assumptions)`` finds a deadline written in a task's
prose (``…确保5月底前开工、11月底前完工``, ``力争年内建成``, ``于2024年6月30日前完成``); several
dated clauses become milestones. It returns None when the text names no deadline: a date is
only taken when it is marked as one (…前, …内, or followed by 完成/建成/开工…), never when it is
history or a statistic (``2023年以来``, ``自2022年起``, ``截至2023年底``, ``去年``, a past year,
``…已完成``). A clause with a deadline it cannot read gives a flagged ``"none"``.
"""

from __future__ import annotations

import calendar as month_calendar
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import chinese_calendar
from lunardate import LunarDate

from ledger.workcal import WorkCalendar

__all__ = [
    "Assumptions", "DEFAULT_ASSUMPTIONS", "Deadline", "DeadlineError", "Milestone",
    "deadline_in_text", "parse_deadline",
]


class DeadlineError(ValueError):
    """A 完成时限 cell that is malformed (an impossible date); the message is shown as is."""


@dataclass(frozen=True)
class Assumptions:
    """Office settings for phrases that name no date; the importer passes the ledger's settings."""

    flood_season: tuple[int, int] = (5, 31)  # 汛期前 = this (month, day) of the year
    as_soon_as_possible: int = 5  # 尽快 = this many working days after the source date

    def __post_init__(self) -> None:
        month, day = self.flood_season
        date(2024, month, day)  # raises ValueError for a day that no year has
        if self.as_soon_as_possible < 1:
            raise ValueError("“尽快”的工作日数应为正整数")


DEFAULT_ASSUMPTIONS = Assumptions()


@dataclass(frozen=True)
class Milestone:
    text: str  # the step as written, without its ① / (1) / 1. marker
    date: date | None  # None for a step that only sets a reporting cycle or says 长期
    uncovered_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class Deadline:
    kind: str  # "date" | "cycle" | "long_term" | "none" (未明确时限)
    date: date | None  # set exactly when kind is "date"; the last dated step's date for milestones
    cycle: str | None  # "weekly" | "monthly" | "quarterly" | "half_yearly" | "yearly"
    cycle_day: int | None  # day of the month (每月28日前 -> 28) or ISO weekday (每周五 -> 5)
    text: str  # the cell as written (for deadline_in_text: the phrase found in the prose)
    milestones: tuple[Milestone, ...] = ()
    uncovered_years: tuple[int, ...] = ()  # years where working days were counted Monday-Friday
    # Everything shown with the deadline, joined: the assumptions, or the flags, or 缺少完成时限.
    note: str | None = None
    # Kind "none" only: why the text could not be read, quoting it (无法识别完成时限“…”，请核对).
    flags: tuple[str, ...] = ()
    # How a read deadline was reached where the text did not say (按汛期前默认5月31日推算 …).
    assumptions: tuple[str, ...] = ()

    @property
    def missing(self) -> bool:
        """No deadline given at all (empty cell, 无, /): not a flag, the status is 未明确时限."""
        return self.kind == "none" and not self.flags


# --- normalisation ------------------------------------------------------------------------

_TIME_OF_DAY = re.compile(r"(?<=[0-9])(?:\s+|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?")
_SPACES = re.compile(r"\s+")
# 6月30日24时前, 6月30日17:00前, 6月30日下午5点: the hour does not change the day.
_HOUR = re.compile(r"(?<=[日号])(?:上午|下午|晚上|中午)?[0-9]{1,2}(?:[时点](?:[0-9]{1,2}分?|整|半)?|:[0-9]{2})")
# 2026年6月30日（星期二）: the weekday only confirms the date.
_WEEKDAY_AFTER_DATE = re.compile(r"(?<=[日号])[(（]?(?:星期|周)[一二三四五六日天][)）]?")
# A whole run of numerals, never part of one (and no backtracking into it: a 30,000-character
# run of 十 not followed by a unit would otherwise cost seconds).
_CHINESE_NUMBER = re.compile(
    r"(?<![零〇一二两三四五六七八九十])[零〇一二两三四五六七八九十]++(?=月|季|个|周|天|日|号|年|星期|小时)"
)
_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
                   "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _chinese_number(match: re.Match[str]) -> str:
    numeral = match.group()
    if "十" not in numeral:
        # Digit by digit: 六 -> 6, 二〇二六 -> 2026.
        return "".join(str(_CHINESE_DIGITS[char]) for char in numeral)
    tens, _, units = numeral.partition("十")
    if "十" in units or len(tens) > 1 or len(units) > 1:
        return numeral
    return str(_CHINESE_DIGITS.get(tens, 1) * 10 + _CHINESE_DIGITS.get(units, 0))


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _TIME_OF_DAY.sub("", text)
    text = _SPACES.sub("", text)
    text = _CHINESE_NUMBER.sub(_chinese_number, text)
    text = text.replace("元月", "1月")  # 元月 is January; 正月 and 腊月 are lunar and stay unread
    return _WEEKDAY_AFTER_DATE.sub("", _HOUR.sub("", text))


# --- reporting cycles ---------------------------------------------------------------------

_EVERY = r"(?:每1?|按(?=[个周星期月季半年度]+(?:报|上报|汇报|通报|反馈|更新|调度|统计|填报|提交)))个?"
# 末 of 末月 (the period's last month) belongs to the tail.
_PART_OF_PERIOD = r"(?:末(?!1?个?月)|底|初|上旬|中旬|下旬)?"
# "每季度结束后次月10日前", "每月结束后5个工作日内", "每季度最后一个月的30日前": all of it
# belongs to the cycle.
_CYCLE_TAIL = (
    r"(?:(?:结束|期满)?后)?(?:次月|下月|首月|次季度?首?月|第[0-9]个?月|(?:最后|末)1?个?月的?)?"
    + _PART_OF_PERIOD
    + r"(?:最后1个工作日|(?P<day>[0-9]{1,2})(?P<day_unit>个工作日|个?自然日|日|号|天)(?P<within>内|以内|之内)?)?"
)
_CYCLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (cycle, re.compile(pattern))
    for cycle, pattern in (
        ("weekly", _EVERY + r"(?:周|星期)(?P<weekday>[一二三四五六日天1-7](?![0-9]))?"),
        ("monthly", _EVERY + r"月度?" + _PART_OF_PERIOD + _CYCLE_TAIL),
        ("quarterly", _EVERY + r"季度?" + _PART_OF_PERIOD + _CYCLE_TAIL),
        ("half_yearly", _EVERY + r"半年度?" + _PART_OF_PERIOD + _CYCLE_TAIL),
        ("yearly", _EVERY + r"年度?(?:[0-9]{1,2}月)?" + _PART_OF_PERIOD + _CYCLE_TAIL),
    )
)
_WEEKDAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}


def _cycle_day(cycle: str, match: re.Match[str]) -> int | None:
    """The day of the period a report is due: 每月28日前 -> 28, 每周五 -> 5 (ISO weekday)."""
    if cycle == "weekly":
        weekday = match["weekday"]
        return None if weekday is None else _WEEKDAYS.get(weekday) or int(weekday)
    # "10日内" and "5个工作日内" are periods, not a day of the month.
    if cycle in ("monthly", "quarterly") and match["day_unit"] in ("日", "号") and not match["within"]:
        day = int(match["day"])
        return day if 1 <= day <= 31 else None
    return None


# --- dates --------------------------------------------------------------------------------


class _Unplaceable(Exception):
    """A piece that names a date the parser cannot place (a lunar date beyond the tables)."""


@dataclass
class _State:
    """What the pieces read so far tell the next one."""

    base: date
    calendar: WorkCalendar
    assumptions: Assumptions
    # A date without a year that falls before this moves to the next year.
    not_before: date
    year: int | None = None  # the year stated most recently, carried to yearless pieces
    later_year: int | None = None  # a bare year written after the yearless pieces before it
    last: date | None = None  # the previous precise date, in the order written


@dataclass(frozen=True)
class _Found:
    date: date | None  # None: a start (2024年起), read but not a deadline; or a flag
    uncovered_years: tuple[int, ...] = ()
    assumed_year: bool = False
    # A bare year ("2026年度…") only counts when nothing more precise is in the text.
    vague: bool = False
    year: int | None = None  # the year this piece states, for the pieces after it
    notes: tuple[str, ...] = ()
    flag: str | None = None  # why this piece cannot be placed; the phrase becomes kind "none"
    start: bool = False


_YEAR = r"(?:19|20)[0-9]{2}"
# As normalised: 下一年 reads 下1年.
_RELATIVE_YEARS = {
    "本年度": 0, "今年": 0, "本年": 0, "当年": 0, "同年": 0,
    "明年": 1, "次年": 1, "翌年": 1, "下1年度": 1, "下1年": 1, "下年度": 1, "下年": 1,
    "后年": 2, "去年": -1, "上1年度": -1, "上年度": -1, "上1年": -1, "上年": -1, "前年": -2,
}
# Counted from the year being talked about (2024年10月至次年3月), not from the base date.
_CONTEXT_RELATIVE = frozenset({"当年", "同年", "次年", "翌年"})
_RELATIVE_YEAR = "|".join(sorted(_RELATIVE_YEARS, key=len, reverse=True))
_MONTH_PARTS: dict[str, int | None] = {  # None = last day of the month
    "上中旬": 20, "中下旬": None, "上旬": 10, "中旬": 20, "下旬": None,
    "初": 5, "中": 15, "底": None, "末": None, "份": None,
}
_MONTH_PART = "|".join(_MONTH_PARTS)
_BEFORE = r"(?:以前|之前|前)(?![0-9])"
_DASH = r"(?:[-—–~〜至到]|——)"


def _month_end(year: int, month: int) -> date:
    return date(year, month, month_calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    years, month_index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month_index + 1, min(day.day, month_calendar.monthrange(year, month_index + 1)[1]))


def _day_in_month(year: int, month: int, day: str | None, part: str | None) -> date:
    if day is not None:
        return date(year, month, int(day))
    part_day = _MONTH_PARTS.get(part) if part else None
    return _month_end(year, month) if part_day is None else date(year, month, part_day)


def _stated_year(match: re.Match[str], state: _State) -> int | None:
    groups = match.groupdict()
    if groups.get("year"):
        return int(groups["year"])
    relative = groups.get("relative_year")
    if relative:
        if relative in _CONTEXT_RELATIVE:
            anchor = state.last.year if state.last else state.year if state.year is not None else state.base.year
        else:
            anchor = state.base.year
        return anchor + _RELATIVE_YEARS[relative]
    return None


def _in_year(match: re.Match[str], state: _State, build: Callable[[int], date], notes: tuple[str, ...] = ()) -> _Found:
    """A piece in its stated year, the carried year, or the first year that is not too early."""
    year = _stated_year(match, state)
    if year is not None:
        return _Found(build(year), year=year, notes=notes)
    carried = state.year if state.year is not None else state.later_year
    if carried is not None:
        found = build(carried)
        if state.last is not None and found < state.last:
            return _Found(build(carried + 1), assumed_year=True, notes=notes)
        if found < state.not_before:
            notes = (*notes, f"未写年份，沿用前文的{carried}年，早于来源日期")
        return _Found(found, notes=notes)
    floor = state.not_before if state.last is None else max(state.not_before, state.last)
    found = build(floor.year)
    if found < floor:
        return _Found(build(floor.year + 1), assumed_year=True, notes=notes)
    return _Found(found, notes=notes)


def _full_date(match: re.Match[str], state: _State) -> _Found:
    year = int(match["year"])
    return _Found(date(year, int(match["month"]), int(match["day"])), year=year)


def _start(match: re.Match[str], state: _State) -> _Found:
    return _Found(None, year=_stated_year(match, state), start=True)


def _year_range(match: re.Match[str], state: _State) -> _Found:
    first, last = int(match["first"]), int(match["year"])
    if last < first:
        return _Found(None, flag=f"“{match.group()}”的起止年份颠倒")
    return _Found(date(last, 12, 31), year=last)


def _before_month(month: int) -> Callable[[int], date]:
    """Strictly before month ``month`` of a year: the last day of the month before it."""
    return lambda year: _month_end(year, month - 1) if month > 1 else date(year - 1, 12, 31)


def _month(match: re.Match[str], state: _State) -> _Found:
    month = int(match["month"])
    part = match.groupdict().get("part")
    if match.groupdict().get("before") and match["day"] is None and part in (None, "份"):
        if not 1 <= month <= 12:
            raise ValueError(month)
        note = f"“{month}月前”按{month}月1日以前推算；如指{month}月底前，请核对"
        return _in_year(match, state, _before_month(month), (note,))
    return _in_year(match, state, lambda year: _day_in_month(year, month, match["day"], part))


def _this_or_next_month(match: re.Match[str], state: _State) -> _Found:
    months_ahead = 1 if match["which"] in ("下", "下个", "次") else 0
    first = _add_months(state.base.replace(day=1), months_ahead)
    return _Found(_day_in_month(first.year, first.month, match["day"], match["part"]))


def _this_or_next_quarter(match: re.Match[str], state: _State) -> _Found:
    first_month = (state.base.month - 1) // 3 * 3 + 1
    months_ahead = 3 if match["which"] in ("下", "下个", "次") else 0
    last_month = _add_months(date(state.base.year, first_month, 1), months_ahead + 2)
    return _Found(_month_end(last_month.year, last_month.month))


def _week(match: re.Match[str], state: _State) -> _Found:
    monday = state.base - timedelta(days=state.base.weekday())
    if match["which"] == "下":
        monday += timedelta(weeks=1)
    weekday = match["weekday"]
    # Without a named day the week ends on Friday, the last regular working day.
    iso_weekday = 5 if weekday is None else _WEEKDAYS.get(weekday) or int(weekday)
    return _Found(monday + timedelta(days=iso_weekday - 1))


def _quarter_or_half(match: re.Match[str], state: _State) -> _Found:
    if match["half"]:
        month = 6 if match["half"] == "上半年" else 12
        return _in_year(match, state, lambda year: _month_end(year, month))
    quarter = int(match["quarter"])
    if match["before"] and not match["end"] and not match["first"]:
        note = f"“{quarter}季度前”按{quarter}季度开始以前推算；如指{quarter}季度末，请核对"
        return _in_year(match, state, _before_month(quarter * 3 - 2), (note,))
    return _in_year(match, state, lambda year: _month_end(year, quarter * 3))


# --- festivals ----------------------------------------------------------------------------

_FESTIVAL_NAMES = {"春节": "春节", "元旦": "元旦", "清明": "清明节", "端午": "端午节", "中秋": "中秋节",
                   "国庆": "国庆节", "劳动节": "劳动节", "五一劳动节": "劳动节", "五一": "劳动节"}


def _festival_day(name: str, year: int, covered: bool) -> tuple[date, str]:
    """A day of the festival's holiday, and how it was found.

    For a covered year any day inside the holiday will do (the schedule gives the rest): the
    festival itself. Without a schedule it is the day the holiday is taken to begin: the
    festival day, or 除夕 for 春节 (a statutory day off since 2025).
    """
    try:
        if name == "春节":
            new_year = LunarDate(year, 1, 1).to_solar_date()
            if covered:
                return new_year, ""
            return new_year - timedelta(days=1), f"正月初一为{new_year.month}月{new_year.day}日，按除夕起放假"
        if name == "端午节":
            return LunarDate(year, 5, 5).to_solar_date(), "按农历五月初五起放假"
        if name == "中秋节":
            return LunarDate(year, 8, 15).to_solar_date(), "按农历八月十五起放假"
        if name == "清明节":
            terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
            day = next(day for day, term in terms if term == "清明")
            return day, "按清明节气当日起放假"
    except (ValueError, NotImplementedError, StopIteration):
        raise _Unplaceable(f"{year}年{name}的日期超出农历换算范围") from None
    fixed = {"元旦": (1, 1), "劳动节": (5, 1), "国庆节": (10, 1)}[name]
    return date(year, *fixed), f"按{fixed[0]}月{fixed[1]}日起放假"


def _festival(match: re.Match[str], state: _State) -> _Found:
    name = _FESTIVAL_NAMES[match["festival"]]
    how: dict[int, str] = {}

    def build(year: int) -> date:
        day, how[year] = _festival_day(name, year, state.calendar.covers(year))
        # In a covered year the festival day is a day off inside its holiday: step back out of
        # it. In an uncovered year it may be a weekday, taken as the holiday's first day.
        before = day - timedelta(days=1)
        while not state.calendar.is_workday(before):
            before -= timedelta(days=1)
        return before

    found = _in_year(match, state, build)
    assert found.date is not None
    holiday_year = found.date.year + 1 if name == "元旦" else found.date.year
    notes = [f"“{name}前”按{name}假期前最后一个工作日推算"]
    uncovered: tuple[int, ...] = ()
    if not state.calendar.covers(holiday_year):
        notes.append(f"{holiday_year}年{name}放假安排未载入，{how.get(holiday_year, '')}推算")
        uncovered = (holiday_year,)
    return replace(found, notes=tuple(notes), uncovered_years=uncovered)


def _flood_season(match: re.Match[str], state: _State) -> _Found:
    month, day = state.assumptions.flood_season
    note = f"按汛期前默认{month}月{day}日推算"
    return _in_year(match, state, lambda year: date(year, month, day), (note,))


# --- periods and the year -----------------------------------------------------------------

# What may stand before 后/起 for a period to count from the source date itself.
_FROM_SOURCE = re.compile(
    r"(?:(?:会|会议|会议结束|散会|批示|交办|收到|接到|通知|印发|下发|部署|签收|发文|纪要|文件|下达|签发|"
    r"本方案|本意见|本通知|即日|今日)(?:之日)?|[,;:，；：()（）\0])$"
)


def _working_days(state: _State, count: int) -> _Found:
    end = state.calendar.add_workdays(state.base, count)
    return _Found(end, state.calendar.uncovered_years(state.base + timedelta(days=1), end))


def _claims_period(match: re.Match[str]) -> bool:
    # "10日" alone may be the 10th of some month; only a "within"/"after" word makes it a period.
    if not (match["lead"] or match["within"] or "工作日" in match["unit"]):
        return False
    return match["amount"] != "半" or match["unit"] in ("个月", "月", "年")


def _period(match: re.Match[str], state: _State) -> _Found:
    unit = match["unit"]
    if match["lead"] in ("后", "起"):
        before = match.string[max(0, match.start() - 12):match.start()]
        if before and not _FROM_SOURCE.search(before):
            written = re.split(r"[,;:，；：\0]", before)[-1][-8:] + match.group()
            return _Found(None, flag=f"“{written}”的起算日不明")
    amount = match["amount"]
    if amount == "半":
        return _Found(state.base + timedelta(days=15) if unit in ("个月", "月") else _add_months(state.base, 6))
    count = int(amount)
    if "工作日" in unit:
        return _working_days(state, count)
    if unit in ("个月", "月"):
        return _Found(_add_months(state.base, count))
    if unit == "年":
        return _Found(_add_months(state.base, 12 * count))
    if unit in ("周", "个星期", "星期"):
        return _Found(state.base + timedelta(weeks=count))
    if unit == "小时":
        return _Found(state.base + timedelta(days=math.ceil(count / 24)))
    return _Found(state.base + timedelta(days=count))


def _year_part(match: re.Match[str], state: _State, year: int | None) -> _Found:
    """年底, 年中, 2024年前 … of ``year`` (None: the carried or base year)."""
    part = match["part"]
    written = match.group()
    if part == "初":
        return _Found(None, flag=f"“{written}”未指明具体日期")
    if part == "后" or (year is None and part in ("前", "以前", "之前")):
        return _Found(None, flag=f"“{written}”未指明是年底还是春节")
    if part == "中":
        if year is not None:
            return _Found(date(year, 6, 30), year=year)
        return _in_year(match, state, lambda y: date(y, 6, 30))
    if part in ("前", "以前", "之前"):
        assert year is not None
        note = f"“{year}年前”按{year}年1月1日以前推算；如指{year}年底前，请核对"
        return _Found(date(year - 1, 12, 31), year=year, notes=(note,))
    vague = part in (None, "度")
    if year is not None:
        # A 年度 label names the subject (2025年度决算) and carries no year to later pieces.
        return _Found(date(year, 12, 31), vague=vague, year=None if part == "度" else year)
    carried = state.year if state.year is not None else state.later_year
    return _Found(date(state.base.year if carried is None else carried, 12, 31))


def _stated_year_part(match: re.Match[str], state: _State) -> _Found:
    return _year_part(match, state, _stated_year(match, state))


def _bare_year_part(match: re.Match[str], state: _State) -> _Found:
    return _year_part(match, state, None)


def _whole_year(match: re.Match[str], state: _State) -> _Found:
    year = _stated_year(match, state)
    if year is None:
        year = state.year if state.year is not None else state.later_year
    return _Found(date(state.base.year if year is None else year, 12, 31), year=year)


def _immediately(match: re.Match[str], state: _State) -> _Found:
    return _working_days(state, 1)


def _as_soon_as_possible(match: re.Match[str], state: _State) -> _Found:
    count = state.assumptions.as_soon_as_possible
    return replace(_working_days(state, count), notes=(f"“{match.group()}”按默认{count}个工作日推算",))


_STATED_YEAR = rf"(?:(?<![0-9])(?P<year>{_YEAR})年|(?P<relative_year>{_RELATIVE_YEAR}))"


@dataclass(frozen=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    resolve: Callable[[re.Match[str], _State], _Found]
    claims: Callable[[re.Match[str]], bool] | None = None


def _rule(name: str, pattern: str, resolve: Callable[[re.Match[str], _State], _Found],
          claims: Callable[[re.Match[str]], bool] | None = None) -> _Rule:
    return _Rule(name, re.compile(pattern), resolve, claims)


# Most specific first: each match is blanked before the next rule runs.
_DATE_RULES: tuple[_Rule, ...] = (
    # 2024年起, 自2022年3月起, 2023年以来: a start, not a deadline
    _rule("start", rf"(?:自|从)?{_STATED_YEAR}(?:[0-9]{{1,2}}月(?:[0-9]{{1,2}}[日号])?)?(?:起|开始|以来|至今)",
          _start),
    # 2023—2025年, 2023-2025
    _rule("year_range", rf"(?<![0-9])(?P<first>{_YEAR})年?度?{_DASH}(?P<year>{_YEAR})(?!年?[0-9])年?度?(?:底|末)?",
          _year_range),
    # 2026-06-30, 2026/6/30, 2026.6.30, 2026年6月30日, 2026年6月30号
    # (one kind of separator throughout: 2026年1-6月 is a range of months, not 6 January)
    _rule("full_date", rf"(?<![0-9])(?P<year>{_YEAR})年(?P<month>[0-9]{{1,2}})月(?P<day>[0-9]{{1,2}})(?![0-9])[日号]?",
          _full_date),
    _rule("full_date_sep", rf"(?<![0-9])(?P<year>{_YEAR})(?P<sep>[-/.])(?P<month>[0-9]{{1,2}})(?P=sep)"
          r"(?P<day>[0-9]{1,2})(?![0-9])[日号]?", _full_date),
    # 20260630
    _rule("compact", rf"(?<![0-9])(?P<year>{_YEAR})(?P<month>[0-9]{{2}})(?P<day>[0-9]{{2}})(?![0-9])", _full_date),
    # 2026.06, 2026-6
    _rule("year_month", rf"(?<![0-9])(?P<year>{_YEAR})[-/.](?P<month>[0-9]{{1,2}})(?![0-9])月?"
          rf"(?:(?P<day>[0-9]{{1,2}})[日号]|(?P<part>{_MONTH_PART}))?", _month),
    # 2026年6月底, 明年7月份, 6月30日, 6月中旬, 6-8月, 6月1日至15日, 6月前
    _rule("month", rf"{_STATED_YEAR}?(?<![0-9])(?:[0-9]{{1,2}}月?{_DASH})?(?P<month>[0-9]{{1,2}})月"
          rf"(?:[0-9]{{1,2}}[日号]?{_DASH}(?=[0-9]{{1,2}}[日号]))?"
          rf"(?:(?P<day>[0-9]{{1,2}})[日号]|(?P<part>{_MONTH_PART}))?(?P<before>{_BEFORE})?", _month),
    # 6.30前 (no year): only before a word that makes it a date, not an amount like 1.5亿
    _rule("month_dot", r"(?<![0-9.])(?P<month>[0-9]{1,2})\.(?P<day>[0-9]{1,2})(?![0-9.])"
          r"(?=前|以前|之前|日|号|止|完成|至|-|~|$|[,;。])", _month),
    # 本月底, 下个月10日前, 月底前
    _rule("this_month", rf"(?:(?P<which>本|当|这个|下个|下|次)月|(?<![正腊冬闰])月(?=底|末))"
          rf"(?:(?P<day>[0-9]{{1,2}})[日号]|(?P<part>{_MONTH_PART}))?", _this_or_next_month),
    # 本周内, 下周五前
    _rule("week", r"(?P<which>本|这|下)个?(?:周|星期)(?P<weekday>[一二三四五六日天1-7](?![0-9]))?", _week),
    # 本季度末, 下季度
    _rule("this_quarter", r"(?P<which>本|当|这个|下个|下|次)季度?(?:末|底|内)?", _this_or_next_quarter),
    # 一季度, 第三季度末, 2027年一季度, 前三季度, 三季度前, 上半年, 明年上半年
    _rule("quarter", rf"{_STATED_YEAR}?(?:(?P<first>前)?第?(?<![0-9])(?P<quarter>[1-4])季度?(?P<end>末|底)?"
          rf"(?P<before>{_BEFORE})?|(?P<half>上半年|下半年))", _quarter_or_half),
    # 春节前, 国庆节前, 2027年春节前, 中秋节假期前
    _rule("festival", rf"{_STATED_YEAR}?(?P<festival>春节|元旦|清明|端午|中秋|国庆|五一劳动节|劳动节|五一)节?"
          rf"(?:假期|放假|长假|小长假)?(?:{_BEFORE}|前夕)(?!后)", _festival),
    # 汛期前, 汛前, 入汛前, 2025年汛期前 (not 主汛期前)
    _rule("flood", rf"{_STATED_YEAR}?(?<!主)(?:入汛|汛期|汛)(?:到来|来临)?(?:{_BEFORE})", _flood_season),
    # 会后5个工作日内, 1个月内, 10天内, 2周内, 限期1个月, 半年内
    _rule("period", r"(?P<lead>后|限期(?:整改|完成|办结|落实)?|限|起|在)?(?<![0-9.])(?P<amount>[0-9]{1,3}|半)"
          r"(?P<unit>个工作日|工作日|个自然日|自然日|个星期|星期|个月|月|小时|日|天|周|年)"
          r"(?P<within>内|以内|之内)?", _period, _claims_period),
    # 2026年底, 2024年年底, 明年年底, 本年度内, 2026年度, 2026年, 2024年中, 2025年前
    # (after the periods, so "3年内" is not "年内")
    _rule("stated_year", rf"{_STATED_YEAR}(?:的?年(?=[底末内终中初]))?"
          rf"(?P<part>底|末|内|终|度内|度|中|初|{_BEFORE})?", _stated_year_part),
    # 全年, 2026年全年
    _rule("whole_year", rf"{_STATED_YEAR}?全年度?", _whole_year),
    # 年底, 年内, 年末, 年中, 年初, 年前
    _rule("year", rf"(?<![0-9])年(?P<part>底|末|内|终|度内|中|初|后|{_BEFORE})", _bare_year_part),
    _rule("immediately", r"立即|立刻|即刻|马上|即时|第一时间|立行立改", _immediately),
    _rule("asap", r"尽快|尽早|从速", _as_soon_as_possible),
)
_LONG_TERM = re.compile(r"长期|持续|常态化|常抓不懈|久久为功|长效")
# Cells that say in words that there is no deadline.
_NO_DEADLINE = re.compile(r"[/／\-—–]+|无|暂无|无时限|无时限要求|无明确时限|不限|不限时")
# Numbers that are amounts, not dates, and may stand in a deadline cell.
_QUANTITY = re.compile(
    r"(?<![0-9.])[0-9]++(?:\.[0-9]++)?(?:万|亿|千|百)*(?:元|%|‰|户|项|家|所|座|条|栋|幢|套|台|辆|处|次|批|件|名|人|亩|吨|"
    r"平方米|平方公里|立方米|千米|公里|米|千瓦|兆瓦|km|倍|张|本|篇|场|轮|个(?!月|工作日|自然日|星期|季度))"
    r"|[(（]?(?<![0-9])[0-9]++[)）]?号(?:楼|线|院|地块|文件?)"
)
# Date-bearing words that every rule above would have consumed had it read them.
_UNREAD = re.compile(
    r"[0-9]+|年[初前后头尾中底末内]|月[初中底末]|[上中下]旬|季|春节|元旦|清明|端午|中秋|国庆|五一|劳动节|"
    r"两节|双节|节前|节后|节日|假期|汛|星期|正月|腊月|冬月|周[一二三四五六日末]|工作日|自然日|小时|月份|每[天日]|"
    r"(?:今|明|去|前|次|当|本|下|上|翌|同)年"
)
_ALTERNATIVE = re.compile(r"或|或者")


@dataclass
class _Token:
    start: int
    end: int
    rule: _Rule
    match: re.Match[str]


@dataclass
class _Reading:
    """What one phrase (a whole cell, or one step of it) says."""

    date: date | None = None
    cycle: str | None = None
    cycle_day: int | None = None
    long_term: bool = False
    started: bool = False
    uncovered_years: tuple[int, ...] = ()
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # pieces that could not be read
    year: int | None = None  # the year carried out of the phrase, for the next step
    last: date | None = None

    @property
    def recognised(self) -> bool:
        return self.date is not None or self.cycle is not None or self.long_term


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + "\0" * (end - start) + text[end:]


def _take_cycles(text: str) -> tuple[str, list[tuple[str, int | None, re.Match[str]]]]:
    found: list[tuple[str, int | None, re.Match[str]]] = []
    for cycle, pattern in _CYCLES:
        for match in pattern.finditer(text):
            found.append((cycle, _cycle_day(cycle, match), match))
            text = _blank(text, *match.span())
    found.sort(key=lambda item: item[2].start())
    return text, found


def _take_dates(text: str) -> tuple[str, list[_Token]]:
    tokens: list[_Token] = []
    for rule in _DATE_RULES:
        for match in rule.pattern.finditer(text):
            if rule.claims is None or rule.claims(match):
                tokens.append(_Token(match.start(), match.end(), rule, match))
                text = _blank(text, *match.span())
    tokens.sort(key=lambda token: token.start)
    return text, tokens


def _resolve(token: _Token, state: _State, raw: str) -> _Found:
    try:
        return token.rule.resolve(token.match, state)
    except _Unplaceable as error:
        return _Found(None, flag=str(error))
    except OverflowError:
        raise DeadlineError(f"完成时限超出可计算的日期范围：“{raw}”") from None
    except ValueError:
        raise DeadlineError(f"完成时限中的日期不存在：“{raw}”") from None


def _advance(state: _State, found: _Found) -> None:
    if found.year is not None:
        state.year = found.year
    if found.date is not None and not found.vague:
        state.last = found.date


def _unread_pieces(text: str) -> list[str]:
    """Date-bearing pieces left in ``text`` (blanked where read), each with the words around it."""
    text = _QUANTITY.sub(lambda match: "\0" * len(match.group()), text)
    pieces: list[str] = []
    for match in _UNREAD.finditer(text):
        start, end = match.span()
        while start > 0 and end - start < 12 and text[start - 1] not in "\0,;:，；：。、()（）":
            start -= 1
        while end < len(text) and end - match.start() < 8 and text[end] not in "\0,;:，；：。、()（）":
            end += 1
        piece = text[start:end]
        if not pieces or piece not in pieces[-1]:
            pieces.append(piece)
    return pieces


def _later_bare_year(tokens: list[_Token]) -> int | None:
    for token in tokens:
        groups = token.match.groupdict()
        if token.rule.name == "stated_year" and groups.get("year") and groups.get("part") is None:
            return int(groups["year"])
        if groups.get("year") or groups.get("relative_year"):
            return None
    return None


def _read(raw: str, state: _State) -> _Reading:
    text, cycles = _take_cycles(_normalise(_CIRCLED_MARKER.sub("；", raw)))
    reading = _Reading()
    if cycles:
        reading.cycle, reading.cycle_day = cycles[0][0], cycles[0][1]  # the first one written wins
    text, tokens = _take_dates(text)
    state.later_year = _later_bare_year(tokens)

    found: list[_Found] = []
    previous: _Token | None = None
    for token in tokens:
        hit = _resolve(token, state, raw)
        if hit.flag:
            reading.problems.append(hit.flag)
            continue
        if hit.start:
            reading.started = True
        _advance(state, hit)
        if hit.date is None:
            continue
        if previous is not None and _ALTERNATIVE.search(text, previous.end, token.start):
            reading.problems.append(f"“{raw.strip()}”写有可选的两个时间")
        found.append(hit)
        previous = token
    reading.problems.extend(f"“{piece}”未能识别" for piece in _unread_pieces(text))

    reading.long_term = _LONG_TERM.search(text) is not None
    reading.year, reading.last = state.year, state.last
    precise = [hit for hit in found if not hit.vague] or found
    if precise:
        chosen = max(precise, key=lambda hit: hit.date or date.min)
        reading.date = chosen.date
        reading.uncovered_years = chosen.uncovered_years
        reading.notes.extend(chosen.notes)
        if chosen.assumed_year and chosen.date is not None:
            reading.notes.append(f"未写年份，推定为{chosen.date.year}年")
        if len({hit.date for hit in precise}) > 1 and chosen.date is not None:
            reading.notes.append(f"时限中有多个日期，取最晚的{chosen.date.isoformat()}")
    return reading


# --- milestones ---------------------------------------------------------------------------

# ①-⑳, ⑴-⒇, ❶-❿: unambiguous step markers.
_CIRCLED_MARKER = re.compile(r"[\u2460-\u2487\u2776-\u277f]")
# (1) anywhere; 1. / 1、 only at the start or after punctuation, as "2026.6" must stay whole.
# Full-width forms too: the raw cell is split before normalising so each step keeps its text.
_AFTER_BREAK = r"(?:^|(?<=[\s;；。，,：:、]))"
_PAREN_MARKER = re.compile(r"[(（]\s*(?P<number>[0-9０-９]{1,2})\s*[)）]")
_DOT_MARKER = re.compile(_AFTER_BREAK + r"(?P<number>[0-9０-９]{1,2})\s*[.．、]")
_STEP_TRIM = " \t\r\n　;；,，、"


def _split_steps(text: str) -> tuple[str, list[str]] | None:
    """The heading and steps of a numbered cell, or None when the cell is a single phrase."""
    markers = list(_CIRCLED_MARKER.finditer(text))
    if not markers:
        for pattern in (_PAREN_MARKER, _DOT_MARKER):
            candidates = list(pattern.finditer(text))
            # Numbers must run 1, 2, 3 … so that "6.30前" or "(3)号楼" is not taken for a list.
            numbers = [int(marker["number"]) for marker in candidates]
            if len(numbers) >= 2 and numbers == list(range(1, len(numbers) + 1)):
                markers = candidates
                break
    if not markers:
        return None
    ends = [marker.start() for marker in markers[1:]] + [len(text)]
    steps = [text[marker.end():end].strip(_STEP_TRIM) for marker, end in zip(markers, ends, strict=True)]
    return text[:markers[0].start()], steps


# --- cells --------------------------------------------------------------------------------

# Counting from 1899-12-30 absorbs Excel's fictitious 1900-02-29; right for every serial above 60.
_EXCEL_EPOCH = date(1899, 12, 30)
_FIRST_SERIAL, _LAST_SERIAL = 20000, 80000  # 1954 to 2119: anything else is not a date
_SERIAL_TEXT = re.compile(r"[0-9]{5}(?:\.[0-9]+)?")
_MISSING = "缺少完成时限"


def _unrecognised(text: str) -> DeadlineError:
    return DeadlineError(f"无法识别的完成时限：“{text}”")


def _absolute(day: date) -> Deadline:
    return Deadline(kind="date", date=day, cycle=None, cycle_day=None, text=day.isoformat())


def _from_serial(serial: float) -> Deadline:
    return _absolute(_EXCEL_EPOCH + timedelta(days=math.floor(serial)))


def _none(text: str, note: str, flags: tuple[str, ...] = ()) -> Deadline:
    return Deadline(kind="none", date=None, cycle=None, cycle_day=None, text=text, note=note, flags=flags)


def _flagged(text: str, flags: list[str]) -> Deadline:
    flags = list(dict.fromkeys(flags))
    return _none(text, "；".join(flags), tuple(flags))


def _cell_flag(text: str, problems: list[str]) -> str:
    quoted = text.strip()
    if not problems:
        return f"无法识别完成时限“{quoted}”，请核对"
    return f"无法完全识别完成时限“{quoted}”：{'；'.join(dict.fromkeys(problems))}，请核对"


def _uncovered_note(years: tuple[int, ...]) -> str | None:
    if not years:
        return None
    return f"{'、'.join(str(year) for year in years)}年节假日安排未载入，按周末推算工作日"


def _read_deadline(text: str, reading_date: date | None, cycle: str | None, cycle_day: int | None,
                   notes: list[str], uncovered: tuple[int, ...], milestones: tuple[Milestone, ...] = ()) -> Deadline:
    uncovered_note = _uncovered_note(uncovered)
    assumptions = tuple(dict.fromkeys([*notes, *([uncovered_note] if uncovered_note else [])]))
    if reading_date is not None:
        kind = "date"
    else:
        kind = "cycle" if cycle is not None else "long_term"
    return Deadline(
        kind=kind, date=reading_date, cycle=cycle, cycle_day=cycle_day, text=text, milestones=milestones,
        uncovered_years=uncovered, note="；".join(assumptions) or None, assumptions=assumptions,
    )


def _single(text: str, state: _State, words: str | None = None) -> Deadline:
    """One phrase; ``words`` is the text to read when it differs from the cell (markers removed)."""
    reading = _read(text if words is None else words, state)
    if reading.problems:
        return _flagged(text, [_cell_flag(text, reading.problems)])
    if not reading.recognised:
        if reading.started:
            return _flagged(text, [f"完成时限“{text.strip()}”只写了起始时间，未写完成时间，请核对"])
        return _flagged(text, [_cell_flag(text, [])])
    return _read_deadline(text, reading.date, reading.cycle, reading.cycle_day, reading.notes, reading.uncovered_years)


def _with_milestones(text: str, heading: str, steps: list[str], state: _State) -> Deadline:
    readings: list[_Reading] = []
    last_date: date | None = None
    year: int | None = None
    for step in steps:
        # Steps run in order, so a step without a year is not earlier than the one before.
        not_before = max(state.base, last_date) if last_date else state.base
        step_state = _State(state.base, state.calendar, state.assumptions, not_before, year=year)
        reading = _read(step, step_state)
        readings.append(reading)
        last_date = reading.date or last_date
        year = reading.year
    if not any(reading.recognised or reading.problems for reading in readings):
        heading_state = replace(state)
        if _read(heading, heading_state).recognised:
            # "2026年底前完成：①设计；②施工" lists the work, not dated steps.
            return _single(text, replace(state), "；".join([heading, *steps]))

    milestones: list[Milestone] = []
    notes: list[str] = []
    problems: list[str] = []
    cycle: str | None = None
    cycle_day: int | None = None
    for number, (step, reading) in enumerate(zip(steps, readings, strict=True), start=1):
        if reading.problems or not reading.recognised:
            why = "；".join(dict.fromkeys(reading.problems)) or "未能识别"
            problems.append(f"第{number}步“{step}”：{why}")
            continue
        milestones.append(Milestone(step, reading.date, reading.uncovered_years))
        notes.extend(reading.notes)
        if cycle is None and reading.cycle is not None:
            cycle, cycle_day = reading.cycle, reading.cycle_day
    if problems:
        # One flag for the cell, quoting it once: a cell of many bad steps stays linear.
        return _flagged(text, [f"无法完全识别完成时限“{text.strip()}”：{'；'.join(problems)}，请核对"])
    uncovered = tuple(sorted({year for milestone in milestones for year in milestone.uncovered_years}))
    return _read_deadline(text, last_date, cycle, cycle_day, notes, uncovered, tuple(milestones))


def parse_deadline(
    value: object, base: date, calendar: WorkCalendar, assumptions: Assumptions = DEFAULT_ASSUMPTIONS
) -> Deadline:
    """Read one 完成时限 cell.

    Returns kind "none" for an empty cell (``missing``) and, with ``flags``, for text that cannot
    be read completely; raises :class:`DeadlineError` (message in Chinese) only for a malformed
    cell: an impossible date, or a value that is neither text, a date nor a number read as one.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _none("", _MISSING)
    if isinstance(value, datetime):
        return _absolute(value.date())
    if isinstance(value, date):
        return _absolute(value)
    if isinstance(value, bool):
        raise _unrecognised(str(value))
    number_cell = isinstance(value, (int, float))
    if isinstance(value, (int, float)):
        if _FIRST_SERIAL <= value <= _LAST_SERIAL:
            return _from_serial(value)
        if isinstance(value, float) and not value.is_integer():
            raise _unrecognised(str(value))
        value = str(int(value))  # 20260630 or 2026 typed as a number
    if not isinstance(value, str):
        raise _unrecognised(str(value))
    if not value.strip():
        return _none(value, _MISSING)

    compact = unicodedata.normalize("NFKC", value).strip()
    if _SERIAL_TEXT.fullmatch(compact) and _FIRST_SERIAL <= float(compact) <= _LAST_SERIAL:
        return _from_serial(float(compact))
    if _NO_DEADLINE.fullmatch(_SPACES.sub("", compact)):
        return _none(value, f"完成时限写为“{compact}”，未明确时限")

    state = _State(base, calendar, assumptions, not_before=base)
    numbered = _split_steps(value)
    if numbered is None:
        deadline = _single(value, state)
    else:
        heading, steps = numbered
        deadline = _with_milestones(value, heading, steps, state)
    if number_cell and deadline.kind == "none":
        raise _unrecognised(value)  # a number that is neither a date nor a year
    return deadline


# --- deadlines in a task's text ------------------------------------------------------------

# Clauses end at punctuation and at circled step markers (which NFKC would turn into digits).
_CLAUSE = re.compile(r"[^，,。；;！!？?\n：:、\u2460-\u2487\u2776-\u277f]+")
_PHRASE_TRIM = " \t　()（）[]【】"
_CLAUSE_MARKER = re.compile(r"^\s*(?:[\u2460-\u2487\u2776-\u277f]|[(（][0-9０-９一二三四五六七八九十]{1,2}[)）]|[0-9]{1,2}[.．])")
# A date is history or a statistic when these stand before or after it.
_HISTORY_BEFORE = re.compile(r"(?:截至|截止|截止到|截止至|自|从|较|比|与|同|早在|直到|去年|上年)$")
_HISTORY_AFTER = re.compile(r"^(?:以来|来|起|开始|至今|以后|期间|同期|同比|的|已|已经|均已|累计|共计|共|先后|相比)")
_DEADLINE_MARK = re.compile(r"^(?:以前|之前|前|以内|之内|内|为止|止)")
_COMPLETION = re.compile(
    r"^(?:全面|基本|全部|如期|按期|顺利|正式|率先)?(?:完成|建成|开工|完工|竣工|投用|投入使用|投入运营|投产|"
    r"通车|交付|办结|落实|到位|出台|印发|报送|上报|实现|达到|启动|开业|运营|验收|移交|整改|建立|制定|开通|"
    r"覆盖|销号|清零|上线|达标|提交|形成|拿出)"
)
_REPORTING = re.compile(r"报送|上报|报告|汇报|通报|反馈|填报")
# Pieces that are deadlines only in a 完成时限 cell: in prose 尽快 and 全年 are manner and scope.
_CELL_ONLY = frozenset({"asap", "whole_year"})


def _prose_mark(token: _Token, normal: str) -> tuple[bool, str]:
    """Whether the piece is marked as a deadline (…前, …内), and the words after the mark."""
    written = token.match.group()
    after = normal[token.end:token.end + 16]
    marked = bool(re.search(r"(?:前|内|之前|以前|前夕)$", written))
    mark = _DEADLINE_MARK.match(after)
    if mark:
        marked, after = True, after[mark.end():]
    return marked, after


def _is_history(token: _Token, found: _Found, normal: str, base: date) -> bool:
    if found.start:
        return True
    if _HISTORY_BEFORE.search(normal, max(0, token.start - 8), token.start) or _HISTORY_AFTER.match(normal, token.end):
        return True
    relative = token.match.groupdict().get("relative_year")
    if relative and _RELATIVE_YEARS[relative] < 0:
        return True
    return found.date is not None and found.date < base


def deadline_in_text(
    text: str | None, base: date, calendar: WorkCalendar, assumptions: Assumptions = DEFAULT_ASSUMPTIONS
) -> Deadline | None:
    """The deadline a task's prose names (several dated clauses become milestones), or None.

    A clause whose deadline cannot be read (验收后3个月内完成整改, 年前完成) gives kind "none"
    with a flag quoting it; history and statistics (2023年以来, 截至2023年底, 去年…) are not
    deadlines.
    """
    if not text or not text.strip():
        return None
    state = _State(base, calendar, assumptions, not_before=base)
    dated: list[tuple[re.Match[str], date, _Found]] = []
    cycle: tuple[str, int | None] | None = None
    unread: list[str] = []
    for clause in _CLAUSE.finditer(text):
        normal = _normalise(clause.group())
        blanked, cycles = _take_cycles(normal)
        if cycle is None:
            cycle = next(((name, day) for name, day, match in cycles if _REPORTING.search(normal, match.end())), None)
        blanked, tokens = _take_dates(blanked)
        accepted: list[_Found] = []
        for token in tokens:
            if token.rule.name in _CELL_ONLY:
                continue
            trial = replace(state)
            try:
                found = _resolve(token, trial, clause.group())
            except DeadlineError:
                found = _Found(None, flag="日期不存在")
            if _is_history(token, found, normal, base):
                continue
            marked, after = _prose_mark(token, normal)
            completes = bool(_COMPLETION.match(after))
            if found.flag:
                if marked and completes:
                    unread.append(clause.group().strip())
                continue
            # A yearless date pushed into next year is only taken when marked as a deadline.
            if found.date is None or not (marked or (completes and not found.assumed_year)):
                continue
            state = trial
            _advance(state, found)
            accepted.append(found)
        precise = [found for found in accepted if not found.vague] or accepted
        if precise:
            best = max(precise, key=lambda found: found.date or date.min)
            dated.append((clause, best.date or base, best))

    if unread:
        return _flagged(text, [f"无法完全识别任务内容中的完成时限“{clause}”，请核对" for clause in unread])
    if not dated and cycle is None:
        return None
    start = dated[0][0].start() if dated else 0
    end = dated[-1][0].end() if dated else len(text)
    phrase = (_CLAUSE_MARKER.sub("", text[start:end]) if dated else text).strip(_PHRASE_TRIM)
    if not dated:
        assert cycle is not None
        return _read_deadline(phrase, None, cycle[0], cycle[1], [], ())
    chosen = max(dated, key=lambda item: item[1])[2]
    notes = [*chosen.notes]
    if chosen.assumed_year and chosen.date is not None:
        notes.append(f"未写年份，推定为{chosen.date.year}年")
    uncovered = tuple(sorted({year for _, _, found in dated for year in found.uncovered_years}))
    milestones: tuple[Milestone, ...] = ()
    if len(dated) > 1:
        milestones = tuple(
            Milestone(_CLAUSE_MARKER.sub("", clause.group()).strip(_PHRASE_TRIM), day, found.uncovered_years)
            for clause, day, found in dated
        )
    return _read_deadline(phrase, chosen.date, cycle[0] if cycle else None, cycle[1] if cycle else None,
                          notes, uncovered, milestones)
