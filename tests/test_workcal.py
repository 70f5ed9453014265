from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.workcal import DEFAULT_HOLIDAY_FILE, WorkCalendar

# The library alone, so that these tests do not change when the office adds a year to the
# shipped holiday file.
LIBRARY_ONLY = WorkCalendar(holiday_file=None)


def holiday_file(tmp_path: Path, body: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "holidays.csv"
    path.write_text("date,kind,name\n" + body, encoding=encoding)
    return path


def test_national_day_week_with_working_saturday() -> None:
    assert LIBRARY_ONLY.add_workdays(date(2026, 9, 28), 5) == date(2026, 10, 10)
    assert LIBRARY_ONLY.is_workday(date(2026, 10, 10))  # Saturday made a working day
    assert not LIBRARY_ONLY.is_workday(date(2026, 10, 5))  # Monday inside the holiday
    assert LIBRARY_ONLY.is_workday(date(2026, 9, 20))  # Sunday made a working day


def test_plain_weekdays_and_weekends() -> None:
    assert LIBRARY_ONLY.is_workday(date(2026, 3, 10))
    assert not LIBRARY_ONLY.is_workday(date(2026, 3, 14))


def test_coverage_comes_from_library_years() -> None:
    assert LIBRARY_ONLY.covers(2004)
    assert LIBRARY_ONLY.covers(2026)
    assert not LIBRARY_ONLY.covers(2003)
    assert not LIBRARY_ONLY.covers(2027)
    assert LIBRARY_ONLY.uncovered_years(date(2025, 6, 1), date(2028, 1, 1)) == (2027, 2028)
    assert LIBRARY_ONLY.uncovered_years(date(2025, 6, 1), date(2026, 12, 31)) == ()


def test_uncovered_year_counts_monday_to_friday() -> None:
    assert LIBRARY_ONLY.is_workday(date(2027, 1, 1))  # a Friday: 元旦 unknown without a schedule
    assert not LIBRARY_ONLY.is_workday(date(2027, 1, 2))
    assert LIBRARY_ONLY.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 1)


def test_add_workdays_zero_and_backwards() -> None:
    start = date(2026, 10, 10)
    assert LIBRARY_ONLY.add_workdays(start, 0) == start
    assert LIBRARY_ONLY.add_workdays(date(2026, 10, 8), -1) == date(2026, 9, 30)
    # The start day never counts, even when it is itself a working day.
    assert LIBRARY_ONLY.add_workdays(date(2026, 3, 10), 1) == date(2026, 3, 11)


def test_workdays_between() -> None:
    assert LIBRARY_ONLY.workdays_between(date(2026, 9, 28), date(2026, 10, 10)) == 5
    assert LIBRARY_ONLY.workdays_between(date(2026, 10, 10), date(2026, 9, 28)) == -5
    assert LIBRARY_ONLY.workdays_between(date(2026, 3, 10), date(2026, 3, 10)) == 0
    # (Fri, Mon]: only Monday counts.
    assert LIBRARY_ONLY.workdays_between(date(2026, 3, 13), date(2026, 3, 16)) == 1
    # 2024 had 251 working days under the official schedule.
    assert LIBRARY_ONLY.workdays_between(date(2023, 12, 31), date(2024, 12, 31)) == 251


@given(
    start=st.dates(min_value=date(2003, 1, 1), max_value=date(2030, 12, 31)),
    n=st.integers(min_value=0, max_value=400),
)
def test_workdays_between_undoes_add_workdays(start: date, n: int) -> None:
    end = LIBRARY_ONLY.add_workdays(start, n)
    assert LIBRARY_ONLY.workdays_between(start, end) == n
    assert LIBRARY_ONLY.workdays_between(end, start) == -n
    if n:
        assert LIBRARY_ONLY.is_workday(end)
        assert LIBRARY_ONLY.workdays_between(start, end - timedelta(days=1)) == n - 1


@given(
    first=st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31)),
    span=st.integers(min_value=0, max_value=800),
)
def test_workdays_between_matches_counting_days(first: date, span: int) -> None:
    last = first + timedelta(days=span)
    counted = sum(LIBRARY_ONLY.is_workday(first + timedelta(days=i)) for i in range(1, span + 1))
    assert LIBRARY_ONLY.workdays_between(first, last) == counted


def test_table_matches_is_workday() -> None:
    first, last = date(2015, 1, 1), date(2056, 12, 31)
    rows = WorkCalendar(holiday_file=None).table(first, last)
    assert len(rows) == (last - first).days + 1
    assert rows[0] == (first, False)  # 元旦 2015
    assert rows[-1][0] == last
    assert dict(rows)[date(2026, 10, 10)] is True
    assert all(works == LIBRARY_ONLY.is_workday(day) for day, works in rows[::97])


def test_table_of_a_single_day_and_across_new_year() -> None:
    assert LIBRARY_ONLY.table(date(2026, 10, 10), date(2026, 10, 10)) == [(date(2026, 10, 10), True)]
    rows = LIBRARY_ONLY.table(date(2026, 12, 31), date(2027, 1, 2))
    assert rows == [(date(2026, 12, 31), True), (date(2027, 1, 1), True), (date(2027, 1, 2), False)]


def test_holiday_file_makes_a_year_covered_and_overrides(tmp_path: Path) -> None:
    path = holiday_file(
        tmp_path,
        "# 2027年安排（示例，测试用）\n"
        "2027-01-01,休,元旦\n"
        "\n"
        "2027-02-20,班,春节\n"
        "2026-03-10,休,测试覆盖库数据\n",
    )
    calendar = WorkCalendar(path)
    assert calendar.covers(2027)
    assert not calendar.covers(2028)
    assert not calendar.is_workday(date(2027, 1, 1))
    assert calendar.is_workday(date(2027, 2, 20))  # a Saturday
    assert not calendar.is_workday(date(2026, 3, 10))  # the file wins over the library
    assert calendar.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_holiday_file_in_gbk_and_with_excel_dates(tmp_path: Path) -> None:
    path = holiday_file(tmp_path, "2027/1/1,休,元旦\n", encoding="gbk")
    assert not WorkCalendar(path).is_workday(date(2027, 1, 1))


def test_holiday_file_name_column_is_optional(tmp_path: Path) -> None:
    assert not WorkCalendar(holiday_file(tmp_path, "2027-01-01,休\n")).is_workday(date(2027, 1, 1))


@pytest.mark.parametrize(
    ("body", "line_no", "fragment"),
    [
        ("2027-13-01,休,元旦\n", 2, "日期“2027-13-01”无效"),
        ("2027-01-01,放假,元旦\n", 2, "类型“放假”无效"),
        ("# 注释\n2027-01-01\n", 3, "实有1列"),
        ("2027-01-01,休,元旦\n2027-01-01,班,元旦\n", 3, "类型矛盾"),
    ],
)
def test_malformed_holiday_file_names_file_and_line(
    tmp_path: Path, body: str, line_no: int, fragment: str
) -> None:
    path = holiday_file(tmp_path, body)
    with pytest.raises(ValueError) as raised:
        WorkCalendar(path)
    message = str(raised.value)
    assert str(path) in message
    assert f"第{line_no}行" in message
    assert fragment in message


def test_holiday_file_without_header(tmp_path: Path) -> None:
    path = tmp_path / "holidays.csv"
    path.write_text("2027-01-01,休,元旦\n", encoding="utf-8")
    with pytest.raises(ValueError, match="第1行.*表头"):
        WorkCalendar(path)


def test_missing_holiday_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="节假日文件不存在"):
        WorkCalendar(tmp_path / "nope.csv")


def test_shipped_holiday_file_loads() -> None:
    assert DEFAULT_HOLIDAY_FILE.is_file()
    assert DEFAULT_HOLIDAY_FILE.read_text(encoding="utf-8").splitlines()[0] == "date,kind,name"
    assert WorkCalendar().add_workdays(date(2026, 9, 28), 5) == date(2026, 10, 10)
