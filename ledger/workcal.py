"""Working days on the national calendar, including 调休 (weekends made working days).

Two sources, in order of precedence:

1. ``data/holidays.csv`` (columns ``date,kind,name``; kind ``休`` = a day off, ``班`` = an
   adjusted working day). The office adds each year's schedule here once the State Council
   publishes it; lines starting with ``#`` are comments.
2. The ``chinese_calendar`` library, which knows the official schedules for 2004-2026.

A year is *covered* when either source knows it. For an uncovered year only Monday to Friday
count as working days, and callers are expected to tell the user so (see ``uncovered_years``).
"""

from __future__ import annotations

import calendar
import csv
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import chinese_calendar

DEFAULT_HOLIDAY_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays.csv"

_HEADER = ["date", "kind", "name"]
_KIND_IS_WORKDAY = {"休": False, "班": True}
# Excel tends to rewrite ISO dates as 2027/1/1 when the office edits the file, so accept both.
_FILE_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_LIBRARY_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


@cache
def _library_exceptions(year: int) -> dict[date, bool]:
    """Days whose working status differs from the plain Monday-Friday rule, per the library."""
    exceptions = {day: False for day in chinese_calendar.holidays if day.year == year}
    # The library checks its working-day list first, so it wins over the holiday list.
    exceptions.update({day: True for day in chinese_calendar.workdays if day.year == year})
    return exceptions


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on a Chinese Windows saves CSV as GBK; gb18030 is its superset.
        return raw.decode("gb18030")


def _file_error(path: Path, line_no: int, line: str, reason: str) -> ValueError:
    return ValueError(
        f"节假日文件 {path} 第{line_no}行格式错误：{reason}。"
        f"每行应为“日期,类型,名称”，例如“2027-01-01,休,元旦”；原文：{line}"
    )


def _read_holiday_file(path: Path) -> dict[date, bool]:
    if not path.is_file():
        raise FileNotFoundError(f"节假日文件不存在：{path}")
    overrides: dict[date, bool] = {}
    header_seen = False
    for line_no, line in enumerate(_decode(path.read_bytes()).splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = [field.strip() for field in next(csv.reader([line]))]
        if not header_seen:
            if fields != _HEADER:
                raise _file_error(path, line_no, line, "第一行应为表头“date,kind,name”")
            header_seen = True
            continue
        if len(fields) not in (2, 3):
            raise _file_error(path, line_no, line, f"应有3列，实有{len(fields)}列")
        date_text, kind = fields[0], fields[1]
        match = _FILE_DATE.fullmatch(date_text)
        try:
            day = date(int(match[1]), int(match[2]), int(match[3])) if match else None
        except ValueError:
            day = None
        if day is None:
            raise _file_error(path, line_no, line, f"日期“{date_text}”无效，应写成 2027-01-01")
        if kind not in _KIND_IS_WORKDAY:
            raise _file_error(path, line_no, line, f"类型“{kind}”无效，应为“休”或“班”")
        if overrides.get(day, _KIND_IS_WORKDAY[kind]) != _KIND_IS_WORKDAY[kind]:
            raise _file_error(path, line_no, line, f"日期 {day} 重复出现且类型矛盾")
        overrides[day] = _KIND_IS_WORKDAY[kind]
    return overrides


@dataclass(frozen=True)
class _Year:
    first_ordinal: int
    workday: tuple[bool, ...]  # indexed by day of year, 0-based
    # running[i] = working days among the first i days of the year, so ranges cost O(1).
    running: tuple[int, ...]


class WorkCalendar:
    """Working days per the official schedule; each year is built once, on first use."""

    def __init__(self, holiday_file: Path | None = DEFAULT_HOLIDAY_FILE) -> None:
        self._file_overrides = _read_holiday_file(holiday_file) if holiday_file is not None else {}
        self._file_years = frozenset(day.year for day in self._file_overrides)
        self._years: dict[int, _Year] = {}

    def covers(self, year: int) -> bool:
        """Whether an official holiday schedule is known for ``year``."""
        return year in _LIBRARY_YEARS or year in self._file_years

    def is_workday(self, day: date) -> bool:
        year = self._year(day.year)
        return year.workday[day.toordinal() - year.first_ordinal]

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself never counts).

        ``n == 0`` returns ``start``; a negative ``n`` counts backwards from the day before.
        """
        step = timedelta(days=1 if n > 0 else -1)
        day, remaining = start, abs(n)
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative, -(working days in (end, start]), if end < start."""
        if end < start:
            return -self.workdays_between(end, start)
        whole_years_between = sum(self._year(y).running[-1] for y in range(start.year, end.year))
        return whole_years_between + self._so_far_in_year(end) - self._so_far_in_year(start)

    def uncovered_years(self, first: date, last: date) -> tuple[int, ...]:
        """Years in [first, last] for which no official schedule is known."""
        return tuple(year for year in range(first.year, last.year + 1) if not self.covers(year))

    def table(self, first: date, last: date) -> list[tuple[date, bool]]:
        """Every day in [first, last] with whether it is a working day."""
        rows: list[tuple[date, bool]] = []
        for year_number in range(first.year, last.year + 1):
            year = self._year(year_number)
            lo = max(first.toordinal(), year.first_ordinal)
            hi = min(last.toordinal(), year.first_ordinal + len(year.workday) - 1)
            rows.extend(
                (date.fromordinal(ordinal), year.workday[ordinal - year.first_ordinal])
                for ordinal in range(lo, hi + 1)
            )
        return rows

    def _so_far_in_year(self, day: date) -> int:
        """Working days from 1 January up to and including ``day``."""
        year = self._year(day.year)
        return year.running[day.toordinal() - year.first_ordinal + 1]

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        exceptions = dict(_library_exceptions(year)) if year in _LIBRARY_YEARS else {}
        exceptions.update({day: works for day, works in self._file_overrides.items() if day.year == year})
        first = date(year, 1, 1)
        days = 366 if calendar.isleap(year) else 365
        workday = tuple(
            exceptions.get(day, day.weekday() < 5)
            for day in (first + timedelta(days=offset) for offset in range(days))
        )
        running = [0]
        for works in workday:
            running.append(running[-1] + works)
        built = _Year(first.toordinal(), workday, tuple(running))
        self._years[year] = built
        return built
