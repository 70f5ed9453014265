"""Read 完成时限 cells as task lists actually write them.

``parse_deadline(value, base, calendar)`` turns one cell into a :class:`Deadline`. ``base`` is the
date of the source (meeting, directive, document): it supplies a year that was left out and is
the starting point of relative phrases.

Reading rules, in the order they matter:

* Text is NFKC-normalised first (full-width digits and punctuation become half-width), times of
  day and spaces are dropped, and Chinese numerals before a unit become digits
  (六月底 -> 6月底, 十五个工作日 -> 15个工作日, 二〇二六年 -> 2026年).
* Reporting cycles (每月, 按季度, 每月28日前 ...) are taken out first, so that "28日前" in
  "每月28日前" is not read as a deadline. Then date expressions are searched anywhere in the
  text, most specific first; each match is blanked so a later, vaguer rule cannot re-read it.
* Year left out: a month or quarter without a year is in the base date's year, unless that
  falls before the base date, in which case it is next year (a meeting on 2026-11-10 saying
  "3月底前" means 2027-03-31). Such dates carry a note so the office can check them.
  In a list of steps the previous step's date also counts as "before": ①12月底前 ②3月底前
  means March of the year after that December.
* Parts of a month: 上旬 = 10th, 中旬 = 20th, 下旬/月底/月末/月份/bare month = last day,
  月中 = 15th, 月初 = 5th (the first days of the month; the 5th keeps 月初 before 上旬 and is
  never a weekend-only reading of "the 1st").
* Year level: 年底/年末/年内/年终 and a bare "2026年" = 31 December; 上半年 = 30 June,
  下半年 = 31 December, 一季度 ... 四季度 (with or without 第/末) = the quarter's last day.
* Relative to base: N个工作日 counts working days on the national calendar (the day of the
  meeting never counts); N日/N天 are calendar days, N周 weeks, N个月/N年 calendar months/years
  with the day clamped to the month's end. A calendar-day period ending on a holiday is not
  moved. 立即/即刻/马上 = the next working day after base: the same day would make every such
  item overdue before the minutes are even issued.
* Several dates in one unnumbered cell (ranges, "会后5个工作日内报方案，年底前完成"): the latest
  one is the deadline. A bare year ("2026年度…") only counts when nothing more precise is given.
* Cells with numbered steps (①②…, ⑴⑵…, (1)(2)…, 1.2.… / 1、2、…) become milestones; the
  deadline is the last dated step's date. Text before the first marker is a heading.
* Kinds: any date -> "date" (a cycle may be attached); else a cycle -> "cycle"; else
  长期/持续/常态化… -> "long_term"; else :class:`DeadlineError`.
* Date and datetime cells, and Excel serial numbers (1900 system, 20000-80000, also as text),
  give an absolute date; their ``text`` is the ISO date, since the cell holds no words.
"""

from __future__ import annotations

import calendar as month_calendar
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ledger.workcal import WorkCalendar

__all__ = ["Deadline", "DeadlineError", "Milestone", "parse_deadline"]


class DeadlineError(ValueError):
    """A 完成时限 that cannot be read; the message is shown to the office as is."""


@dataclass(frozen=True)
class Milestone:
    text: str  # the step as written, without its ① / (1) / 1. marker
    date: date | None  # None for a step that only sets a reporting cycle or says 长期
    uncovered_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class Deadline:
    kind: str  # "date" | "cycle" | "long_term"
    date: date | None  # set exactly when kind is "date"; the last dated step's date for milestones
    cycle: str | None  # "weekly" | "monthly" | "quarterly" | "half_yearly" | "yearly"
    cycle_day: int | None  # day of the month (每月28日前 -> 28) or ISO weekday (每周五 -> 5)
    text: str  # the cell as written
    milestones: tuple[Milestone, ...] = ()
    uncovered_years: tuple[int, ...] = ()  # years where working days were counted Monday-Friday
    note: str | None = None  # shown with the deadline, e.g. 2027年节假日安排未载入，按周末推算工作日


# --- normalisation ------------------------------------------------------------------------

_TIME_OF_DAY = re.compile(r"(?<=[0-9])(?:\s+|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?")
_SPACES = re.compile(r"\s+")
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
    return _CHINESE_NUMBER.sub(_chinese_number, text)


# --- reporting cycles ---------------------------------------------------------------------

_EVERY = r"(?:每1?|按(?=[个周星期月季半年度]+(?:报|上报|汇报|通报|反馈|更新|调度|统计|填报|提交)))个?"
_PART_OF_PERIOD = r"(?:末|底|初|上旬|中旬|下旬)?"
# "每季度结束后次月10日前", "每月结束后5个工作日内": all of it belongs to the cycle.
_CYCLE_TAIL = (
    r"(?:(?:结束|期满)?后)?(?:次月|下月|首月|次季度?首?月|第[0-9]个?月)?" + _PART_OF_PERIOD
    + r"(?:(?P<day>[0-9]{1,2})(?P<day_unit>个工作日|个?自然日|日|号|天)(?P<within>内|以内|之内)?)?"
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
        return int(match["day"])
    return None


# --- dates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    base: date
    calendar: WorkCalendar
    # A date without a year that falls before this moves to the next year.
    not_before: date


@dataclass(frozen=True)
class _Found:
    date: date
    uncovered_years: tuple[int, ...] = ()
    assumed_year: bool = False
    # A bare year ("2026年度…") only counts when nothing more precise is in the text.
    vague: bool = False


_YEAR = r"(?:19|20)[0-9]{2}"
_RELATIVE_YEARS = {"今年": 0, "本年": 0, "当年": 0, "明年": 1, "次年": 1, "翌年": 1,
                   "下一年": 1, "下年": 1, "后年": 2}
_RELATIVE_YEAR = "|".join(_RELATIVE_YEARS)
_MONTH_PARTS: dict[str, int | None] = {  # None = last day of the month
    "上中旬": 20, "中下旬": None, "上旬": 10, "中旬": 20, "下旬": None,
    "初": 5, "中": 15, "底": None, "末": None, "份": None,
}
_MONTH_PART = "|".join(_MONTH_PARTS)


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


def _stated_year(match: re.Match[str], base: date) -> int | None:
    groups = match.groupdict()
    if groups.get("year"):
        return int(groups["year"])
    if groups.get("relative_year"):
        return base.year + _RELATIVE_YEARS[groups["relative_year"]]
    return None


def _in_stated_or_next_year(
    match: re.Match[str], ctx: _Context, build: Callable[[int], date]
) -> _Found:
    year = _stated_year(match, ctx.base)
    if year is not None:
        return _Found(build(year))
    found = build(ctx.not_before.year)
    if found < ctx.not_before:
        return _Found(build(ctx.not_before.year + 1), assumed_year=True)
    return _Found(found)


def _full_date(match: re.Match[str], ctx: _Context) -> _Found:
    return _Found(date(int(match["year"]), int(match["month"]), int(match["day"])))


def _month(match: re.Match[str], ctx: _Context) -> _Found:
    month = int(match["month"])
    return _in_stated_or_next_year(
        match, ctx, lambda year: _day_in_month(year, month, match["day"], match.groupdict().get("part"))
    )


def _this_or_next_month(match: re.Match[str], ctx: _Context) -> _Found:
    months_ahead = 1 if match["which"] in ("下", "下个", "次") else 0
    first = _add_months(ctx.base.replace(day=1), months_ahead)
    return _Found(_day_in_month(first.year, first.month, match["day"], match["part"]))


def _week(match: re.Match[str], ctx: _Context) -> _Found:
    monday = ctx.base - timedelta(days=ctx.base.weekday())
    if match["which"] == "下":
        monday += timedelta(weeks=1)
    weekday = match["weekday"]
    # Without a named day the week ends on Friday, the last regular working day.
    iso_weekday = 5 if weekday is None else _WEEKDAYS.get(weekday) or int(weekday)
    return _Found(monday + timedelta(days=iso_weekday - 1))


def _quarter_or_half(match: re.Match[str], ctx: _Context) -> _Found:
    if match["quarter"]:
        month = int(match["quarter"]) * 3
    else:
        month = 6 if match["half"] == "上半年" else 12
    return _in_stated_or_next_year(match, ctx, lambda year: _month_end(year, month))


def _year_end(match: re.Match[str], ctx: _Context) -> _Found | None:
    stated = _stated_year(match, ctx.base)
    part = match["part"]
    if stated is None and part in (None, "度"):
        return None  # a lone 年 or 年度, as in 全年 or 年度计划
    year = ctx.base.year if stated is None else stated
    return _Found(date(year, 12, 31), vague=part in (None, "度"))


def _working_days(ctx: _Context, count: int) -> _Found:
    end = ctx.calendar.add_workdays(ctx.base, count)
    return _Found(end, ctx.calendar.uncovered_years(ctx.base + timedelta(days=1), end))


def _period(match: re.Match[str], ctx: _Context) -> _Found | None:
    unit = match["unit"]
    # "10日" alone may be the 10th of some month; only a "within"/"after" word makes it a period.
    if not (match["lead"] or match["within"] or "工作日" in unit):
        return None
    amount = match["amount"]
    if amount == "半":
        if unit in ("个月", "月"):
            return _Found(ctx.base + timedelta(days=15))
        if unit == "年":
            return _Found(_add_months(ctx.base, 6))
        return None
    count = int(amount)
    if "工作日" in unit:
        return _working_days(ctx, count)
    if unit in ("个月", "月"):
        return _Found(_add_months(ctx.base, count))
    if unit == "年":
        return _Found(_add_months(ctx.base, 12 * count))
    if unit in ("周", "个星期", "星期"):
        return _Found(ctx.base + timedelta(weeks=count))
    if unit == "小时":
        return _Found(ctx.base + timedelta(days=math.ceil(count / 24)))
    return _Found(ctx.base + timedelta(days=count))


def _immediately(match: re.Match[str], ctx: _Context) -> _Found:
    return _working_days(ctx, 1)


_STATED_YEAR = rf"(?:(?<![0-9])(?P<year>{_YEAR})年|(?P<relative_year>{_RELATIVE_YEAR}))"

# Most specific first: each match is blanked before the next rule runs.
_DATE_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], _Context], _Found | None]], ...] = (
    # 2026-06-30, 2026/6/30, 2026.6.30, 2026年6月30日, 2026年6月30号
    (re.compile(rf"(?<![0-9])(?P<year>{_YEAR})(?:年|[-/.])(?P<month>[0-9]{{1,2}})(?:月|[-/.])"
                r"(?P<day>[0-9]{1,2})(?![0-9])[日号]?"), _full_date),
    # 20260630
    (re.compile(rf"(?<![0-9])(?P<year>{_YEAR})(?P<month>[0-9]{{2}})(?P<day>[0-9]{{2}})(?![0-9])"),
     _full_date),
    # 2026.06, 2026-6
    (re.compile(rf"(?<![0-9])(?P<year>{_YEAR})[-/.](?P<month>[0-9]{{1,2}})(?![0-9])月?"
                rf"(?:(?P<day>[0-9]{{1,2}})[日号]|(?P<part>{_MONTH_PART}))?"), _month),
    # 2026年6月底, 明年7月份, 6月30日, 6月中旬, 2月上旬
    (re.compile(rf"{_STATED_YEAR}?(?<![0-9])(?P<month>[0-9]{{1,2}})月"
                rf"(?:(?P<day>[0-9]{{1,2}})[日号]|(?P<part>{_MONTH_PART}))?"), _month),
    # 6.30前 (no year): only before a word that makes it a date, not an amount like 1.5亿
    (re.compile(r"(?<![0-9.])(?P<month>[0-9]{1,2})\.(?P<day>[0-9]{1,2})(?![0-9.])"
                r"(?=前|以前|之前|日|号|止|完成|至|-|~|$|[,;。])"), _month),
    # 本月底, 下个月10日前, 月底前
    (re.compile(rf"(?:(?P<which>本|当|这个|下个|下|次)月|月(?=底|末))"
                rf"(?:(?P<day>[0-9]{{1,2}})[日号]|(?P<part>{_MONTH_PART}))?"), _this_or_next_month),
    # 本周内, 下周五前
    (re.compile(r"(?P<which>本|这|下)个?(?:周|星期)(?P<weekday>[一二三四五六日天1-7](?![0-9]))?"), _week),
    # 一季度, 第三季度末, 2027年一季度, 上半年, 明年上半年
    (re.compile(rf"{_STATED_YEAR}?(?:第?(?<![0-9])(?P<quarter>[1-4])季度?(?:末|底)?"
                r"|(?P<half>上半年|下半年))"), _quarter_or_half),
    # 会后5个工作日内, 1个月内, 10天内, 2周内, 限期1个月, 半年内
    (re.compile(r"(?P<lead>后|限期|限|起|在)?(?<![0-9.])(?P<amount>[0-9]{1,3}|半)"
                r"(?P<unit>个工作日|工作日|个自然日|自然日|个星期|星期|个月|月|小时|日|天|周|年)"
                r"(?P<within>内|以内|之内)?"), _period),
    # 2026年底, 明年底, 年内, 年末, 2026年度, 2026年 (after the periods, so "3年内" is not "年内")
    (re.compile(rf"(?:(?<![0-9])(?P<year>{_YEAR})年|(?P<relative_year>{_RELATIVE_YEAR})|年)"
                r"(?P<part>底|末|内|终|度内|度)?"), _year_end),
    (re.compile(r"立即|立刻|即刻|马上|即时|第一时间"), _immediately),
)
_LONG_TERM = re.compile(r"长期|持续|常态化|常抓不懈|久久为功|长效")


@dataclass
class _Reading:
    """What one phrase (a whole cell, or one step of it) says."""

    date: date | None = None
    cycle: str | None = None
    cycle_day: int | None = None
    long_term: bool = False
    uncovered_years: tuple[int, ...] = ()
    notes: list[str] = field(default_factory=list)

    @property
    def recognised(self) -> bool:
        return self.date is not None or self.cycle is not None or self.long_term


def _blank(text: str, match: re.Match[str]) -> str:
    start, end = match.span()
    return text[:start] + "\0" * (end - start) + text[end:]


def _read(raw: str, ctx: _Context) -> _Reading:
    text = _normalise(raw)
    reading = _Reading()

    cycle_at = len(text)
    for cycle, pattern in _CYCLES:
        for match in pattern.finditer(text):
            if match.start() < cycle_at:  # several cycles named: the first one written wins
                cycle_at = match.start()
                reading.cycle, reading.cycle_day = cycle, _cycle_day(cycle, match)
            text = _blank(text, match)

    found: list[_Found] = []
    for pattern, resolve in _DATE_RULES:
        for match in pattern.finditer(text):
            try:
                hit = resolve(match, ctx)
            except OverflowError:
                raise DeadlineError(f"完成时限超出可计算的日期范围：“{raw}”") from None
            except ValueError:
                raise DeadlineError(f"完成时限中的日期不存在：“{raw}”") from None
            if hit is not None:
                found.append(hit)
                text = _blank(text, match)

    reading.long_term = _LONG_TERM.search(text) is not None
    precise = [hit for hit in found if not hit.vague] or found
    if precise:
        chosen = max(precise, key=lambda hit: hit.date)
        reading.date = chosen.date
        reading.uncovered_years = chosen.uncovered_years
        if chosen.assumed_year:
            reading.notes.append(f"未写年份，推定为{chosen.date.year}年")
        if len({hit.date for hit in precise}) > 1:
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


def _unrecognised(text: str) -> DeadlineError:
    return DeadlineError(f"无法识别的完成时限：“{text}”")


def _absolute(day: date) -> Deadline:
    return Deadline(kind="date", date=day, cycle=None, cycle_day=None, text=day.isoformat())


def _from_serial(serial: float) -> Deadline:
    return _absolute(_EXCEL_EPOCH + timedelta(days=math.floor(serial)))


def _uncovered_note(years: tuple[int, ...]) -> str | None:
    if not years:
        return None
    return f"{'、'.join(str(year) for year in years)}年节假日安排未载入，按周末推算工作日"


def _join_notes(notes: list[str]) -> str | None:
    return "；".join(dict.fromkeys(notes)) or None


def _kind(reading_date: date | None, cycle: str | None) -> str:
    if reading_date is not None:
        return "date"
    return "cycle" if cycle is not None else "long_term"


def _single(text: str, ctx: _Context) -> Deadline:
    reading = _read(text, ctx)
    if not reading.recognised:
        raise _unrecognised(text)
    notes = [*reading.notes]
    uncovered = _uncovered_note(reading.uncovered_years)
    if uncovered:
        notes.append(uncovered)
    return Deadline(
        kind=_kind(reading.date, reading.cycle),
        date=reading.date,
        cycle=reading.cycle,
        cycle_day=reading.cycle_day,
        text=text,
        uncovered_years=reading.uncovered_years,
        note=_join_notes(notes),
    )


def _with_milestones(text: str, heading: str, steps: list[str], ctx: _Context) -> Deadline:
    readings: list[_Reading] = []
    last_date: date | None = None
    for step in steps:
        # Steps run in order, so a step without a year is not earlier than the one before.
        not_before = max(ctx.base, last_date) if last_date else ctx.base
        reading = _read(step, _Context(ctx.base, ctx.calendar, not_before))
        readings.append(reading)
        last_date = reading.date or last_date
    if not any(reading.recognised for reading in readings) and _read(heading, ctx).recognised:
        # "2026年底前完成：①设计；②施工" lists the work, not dated steps.
        return _single(text, ctx)

    milestones: list[Milestone] = []
    notes: list[str] = []
    cycle: str | None = None
    cycle_day: int | None = None
    for number, (step, reading) in enumerate(zip(steps, readings, strict=True), start=1):
        if not reading.recognised:
            raise DeadlineError(f"无法识别第{number}步的完成时限：“{step}”")
        milestones.append(Milestone(step, reading.date, reading.uncovered_years))
        notes.extend(reading.notes)
        if cycle is None and reading.cycle is not None:
            cycle, cycle_day = reading.cycle, reading.cycle_day
    uncovered = tuple(sorted({year for milestone in milestones for year in milestone.uncovered_years}))
    uncovered_note = _uncovered_note(uncovered)
    if uncovered_note:
        notes.append(uncovered_note)
    return Deadline(
        kind=_kind(last_date, cycle),
        date=last_date,
        cycle=cycle,
        cycle_day=cycle_day,
        text=text,
        milestones=tuple(milestones),
        uncovered_years=uncovered,
        note=_join_notes(notes),
    )


def parse_deadline(value: object, base: date, calendar: WorkCalendar) -> Deadline:
    """Read one 完成时限 cell; raise :class:`DeadlineError` (message in Chinese) if it cannot be read."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise DeadlineError("缺少完成时限")
    if isinstance(value, datetime):
        return _absolute(value.date())
    if isinstance(value, date):
        return _absolute(value)
    if isinstance(value, bool):
        raise _unrecognised(str(value))
    if isinstance(value, (int, float)):
        if _FIRST_SERIAL <= value <= _LAST_SERIAL:
            return _from_serial(value)
        if isinstance(value, float) and not value.is_integer():
            raise _unrecognised(str(value))
        value = str(int(value))  # 20260630 or 2026 typed as a number
    if not isinstance(value, str):
        raise _unrecognised(str(value))
    if not value.strip():
        raise DeadlineError("缺少完成时限")

    compact = unicodedata.normalize("NFKC", value).strip()
    if _SERIAL_TEXT.fullmatch(compact) and _FIRST_SERIAL <= float(compact) <= _LAST_SERIAL:
        return _from_serial(float(compact))

    ctx = _Context(base, calendar, not_before=base)
    numbered = _split_steps(value)
    if numbered is None:
        return _single(value, ctx)
    heading, steps = numbered
    return _with_milestones(value, heading, steps, ctx)
