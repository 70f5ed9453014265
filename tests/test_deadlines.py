from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.deadlines import Deadline, DeadlineError, Milestone, parse_deadline
from ledger.workcal import WorkCalendar

# Library schedules only (2004-2026): 2027 stays uncovered whatever the shipped file holds.
CALENDAR = WorkCalendar(holiday_file=None)

TUESDAY = date(2026, 3, 10)
BEFORE_NATIONAL_DAY = date(2026, 9, 28)
NOVEMBER = date(2026, 11, 10)
NEW_YEAR = date(2026, 1, 5)


def parse(value: object, base: date = TUESDAY, calendar: WorkCalendar = CALENDAR) -> Deadline:
    return parse_deadline(value, base, calendar)


DATES = [
    # absolute
    ("2026-06-30", TUESDAY, date(2026, 6, 30)),
    ("2026/6/30", TUESDAY, date(2026, 6, 30)),
    ("2026.6.30", TUESDAY, date(2026, 6, 30)),
    ("2026.06", TUESDAY, date(2026, 6, 30)),
    ("20260630", TUESDAY, date(2026, 6, 30)),
    ("2026年6月30日前", TUESDAY, date(2026, 6, 30)),
    ("2026年6月30号", TUESDAY, date(2026, 6, 30)),
    ("2026年6月", TUESDAY, date(2026, 6, 30)),
    ("2026年6月底前", TUESDAY, date(2026, 6, 30)),
    ("2026年底前", TUESDAY, date(2026, 12, 31)),
    ("2026年", TUESDAY, date(2026, 12, 31)),
    ("2026-06-30 00:00:00", TUESDAY, date(2026, 6, 30)),
    ("于2026年6月30日前完成", TUESDAY, date(2026, 6, 30)),
    ("2026年底前完成并投入使用", TUESDAY, date(2026, 12, 31)),
    ("2026年2月", TUESDAY, date(2026, 2, 28)),  # a stated year is kept even when already past
    ("2028年2月底", TUESDAY, date(2028, 2, 29)),
    ("2026年6月上旬", TUESDAY, date(2026, 6, 10)),
    ("6月30日24时前", TUESDAY, date(2026, 6, 30)),
    # year left out
    ("6月30日前", TUESDAY, date(2026, 6, 30)),
    ("6月底前", TUESDAY, date(2026, 6, 30)),
    ("6月份", TUESDAY, date(2026, 6, 30)),
    ("6月中旬", TUESDAY, date(2026, 6, 20)),
    ("2月上旬前", NEW_YEAR, date(2026, 2, 10)),
    ("6月下旬", TUESDAY, date(2026, 6, 30)),
    ("6月初", TUESDAY, date(2026, 6, 5)),
    ("6月中", TUESDAY, date(2026, 6, 15)),
    ("6月末", TUESDAY, date(2026, 6, 30)),
    ("3月底前", NOVEMBER, date(2027, 3, 31)),
    ("11月底前", NOVEMBER, date(2026, 11, 30)),
    ("11月5日前", NOVEMBER, date(2027, 11, 5)),
    ("3月10日前", TUESDAY, date(2026, 3, 10)),  # the base day itself is not "before"
    ("六月底", TUESDAY, date(2026, 6, 30)),
    ("十二月底前", TUESDAY, date(2026, 12, 31)),
    ("6.30前", TUESDAY, date(2026, 6, 30)),
    ("次年3月", TUESDAY, date(2027, 3, 31)),
    # year level
    ("年底前", TUESDAY, date(2026, 12, 31)),
    ("年内", TUESDAY, date(2026, 12, 31)),
    ("年末", TUESDAY, date(2026, 12, 31)),
    ("上半年", TUESDAY, date(2026, 6, 30)),
    ("下半年", TUESDAY, date(2026, 12, 31)),
    ("上半年", NOVEMBER, date(2027, 6, 30)),
    ("一季度", NEW_YEAR, date(2026, 3, 31)),
    ("一季度", NOVEMBER, date(2027, 3, 31)),
    ("第一季度", TUESDAY, date(2026, 3, 31)),
    ("一季度末", TUESDAY, date(2026, 3, 31)),
    ("第三季度末", TUESDAY, date(2026, 9, 30)),
    ("三季度", TUESDAY, date(2026, 9, 30)),
    ("明年7月份", TUESDAY, date(2027, 7, 31)),
    ("明年底", TUESDAY, date(2027, 12, 31)),
    ("明年上半年", TUESDAY, date(2027, 6, 30)),
    ("今年底", TUESDAY, date(2026, 12, 31)),
    ("2027年一季度", TUESDAY, date(2027, 3, 31)),
    ("2026年第二季度末", TUESDAY, date(2026, 6, 30)),
    ("二〇二六年六月底", TUESDAY, date(2026, 6, 30)),
    # relative to the base date
    ("会后5个工作日内", BEFORE_NATIONAL_DAY, date(2026, 10, 10)),
    ("会后5个工作日内", TUESDAY, date(2026, 3, 17)),
    ("15个工作日内", TUESDAY, date(2026, 3, 31)),
    ("三个工作日内", TUESDAY, date(2026, 3, 13)),
    ("十五个工作日内", TUESDAY, date(2026, 3, 31)),
    ("1个月内", TUESDAY, date(2026, 4, 10)),
    ("3个月内", TUESDAY, date(2026, 6, 10)),
    ("1个月内", date(2026, 1, 31), date(2026, 2, 28)),
    ("10日内", TUESDAY, date(2026, 3, 20)),
    ("10天内", TUESDAY, date(2026, 3, 20)),
    ("会后3日内", TUESDAY, date(2026, 3, 13)),
    ("2周内", TUESDAY, date(2026, 3, 24)),
    ("两周内", TUESDAY, date(2026, 3, 24)),
    ("半年内", TUESDAY, date(2026, 9, 10)),
    ("限期1个月", TUESDAY, date(2026, 4, 10)),
    ("立即", TUESDAY, date(2026, 3, 11)),
    ("即刻", TUESDAY, date(2026, 3, 11)),
    ("马上", date(2026, 3, 13), date(2026, 3, 16)),  # Friday -> Monday
    ("立即整改", date(2026, 9, 30), date(2026, 10, 8)),  # over the National Day holiday
    ("本月底前", TUESDAY, date(2026, 3, 31)),
    ("下个月10日前", TUESDAY, date(2026, 4, 10)),
    ("本周内", TUESDAY, date(2026, 3, 13)),
    ("下周一前", TUESDAY, date(2026, 3, 16)),
    # full-width input
    ("２０２６年６月３０日前", TUESDAY, date(2026, 6, 30)),
    ("２０２６－０６－３０", TUESDAY, date(2026, 6, 30)),
    ("会后５个工作日内", BEFORE_NATIONAL_DAY, date(2026, 10, 10)),
    ("（限期１个月）", TUESDAY, date(2026, 4, 10)),
    # several dates: the latest one
    ("2026年6月30日至2026年12月31日", TUESDAY, date(2026, 12, 31)),
    ("会后5个工作日内报送方案，2026年底前完成", TUESDAY, date(2026, 12, 31)),
    ("持续推进，2026年底前完成", TUESDAY, date(2026, 12, 31)),
    # a bare year gives way to a precise date
    ("完成2026年度预算执行，6月底前", TUESDAY, date(2026, 6, 30)),
]


@pytest.mark.parametrize(("text", "base", "expected"), DATES)
def test_dates(text: str, base: date, expected: date) -> None:
    deadline = parse(text, base)
    assert deadline.kind == "date"
    assert deadline.date == expected
    assert deadline.cycle is None
    assert deadline.text == text


CYCLES = [
    ("每月", "monthly", None),
    ("每季度", "quarterly", None),
    ("每半年", "half_yearly", None),
    ("每年", "yearly", None),
    ("每周", "weekly", None),
    ("每月28日前", "monthly", 28),
    ("每季度末", "quarterly", None),
    ("每月5日前报送进展", "monthly", 5),
    ("每月５日前报送进展", "monthly", 5),
    ("按月报送", "monthly", None),
    ("按季度报送", "quarterly", None),
    ("每周五前报送", "weekly", 5),
    ("每年6月底前报送", "yearly", None),
    ("每季度结束后10日内报送", "quarterly", None),
    ("每月结束后5个工作日内报送", "monthly", None),
    ("长期坚持，每季度报送进展", "quarterly", None),
]


@pytest.mark.parametrize(("text", "cycle", "cycle_day"), CYCLES)
def test_cycles(text: str, cycle: str, cycle_day: int | None) -> None:
    deadline = parse(text)
    assert (deadline.kind, deadline.date, deadline.cycle, deadline.cycle_day) == (
        "cycle", None, cycle, cycle_day,
    )


@pytest.mark.parametrize(
    ("text", "expected", "cycle", "cycle_day"),
    [
        ("2026年底前完成，每季度报送进展情况", date(2026, 12, 31), "quarterly", None),
        ("2026年6月30日前完成，每月28日前报送进展", date(2026, 6, 30), "monthly", 28),
    ],
)
def test_date_with_reporting_cycle(text: str, expected: date, cycle: str, cycle_day: int | None) -> None:
    deadline = parse(text)
    assert (deadline.kind, deadline.date, deadline.cycle, deadline.cycle_day) == (
        "date", expected, cycle, cycle_day,
    )


@pytest.mark.parametrize("text", ["长期坚持", "持续推进", "长期", "常态化推进", "持续开展", "长期执行"])
def test_long_term(text: str) -> None:
    deadline = parse(text)
    assert (deadline.kind, deadline.date, deadline.cycle) == ("long_term", None, None)
    assert deadline.text == text


def test_meeting_before_national_day_counts_the_working_saturday() -> None:
    deadline = parse("会后5个工作日内", BEFORE_NATIONAL_DAY)
    assert deadline.date == date(2026, 10, 10)
    assert deadline.date != date(2026, 10, 5)
    assert deadline.uncovered_years == ()
    assert deadline.note is None


def test_working_days_into_an_uncovered_year_are_flagged() -> None:
    # From Sunday 2026-12-20: 9 working days left in 2026, then 2027 counted Monday-Friday
    # (1 January included, since no 2027 schedule is loaded).
    deadline = parse("会后15个工作日内", date(2026, 12, 20))
    assert deadline.date == date(2027, 1, 8)
    assert deadline.uncovered_years == (2027,)
    assert deadline.note == "2027年节假日安排未载入，按周末推算工作日"


def test_holiday_file_row_makes_2027_covered_and_moves_the_deadline(tmp_path: Path) -> None:
    holiday_file = tmp_path / "holidays.csv"
    holiday_file.write_text("date,kind,name\n2027-01-01,休,元旦\n", encoding="utf-8")
    calendar = WorkCalendar(holiday_file)
    assert calendar.covers(2027)
    deadline = parse("会后15个工作日内", date(2026, 12, 20), calendar)
    assert deadline.date == date(2027, 1, 11)
    assert deadline.uncovered_years == ()
    assert deadline.note is None


def test_immediately_into_uncovered_year_is_flagged() -> None:
    deadline = parse("立即", date(2026, 12, 31))
    assert deadline.date == date(2027, 1, 1)
    assert deadline.uncovered_years == (2027,)
    assert "2027年" in (deadline.note or "")


def test_absolute_date_in_uncovered_year_has_no_note() -> None:
    deadline = parse("2027年3月底前")
    assert deadline.date == date(2027, 3, 31)
    assert deadline.uncovered_years == ()
    assert deadline.note is None


def test_calendar_months_are_not_working_days() -> None:
    deadline = parse("3个月内", date(2026, 11, 10))
    assert deadline.date == date(2027, 2, 10)
    assert deadline.uncovered_years == ()


def test_year_moved_forward_is_noted() -> None:
    deadline = parse("3月底前", NOVEMBER)
    assert deadline.date == date(2027, 3, 31)
    assert deadline.note is not None and "2027" in deadline.note


def test_several_dates_are_noted() -> None:
    deadline = parse("2026年6月30日至2026年12月31日")
    assert deadline.note is not None and "2026-12-31" in deadline.note


MILESTONES = "①2月上旬前，完成设计招标。②3月底前，完成施工招标。③6月底前，开工建设。"


def test_milestones_circled() -> None:
    deadline = parse(MILESTONES, NEW_YEAR)
    assert deadline.kind == "date"
    assert deadline.text == MILESTONES
    assert deadline.milestones == (
        Milestone("2月上旬前，完成设计招标。", date(2026, 2, 10)),
        Milestone("3月底前，完成施工招标。", date(2026, 3, 31)),
        Milestone("6月底前，开工建设。", date(2026, 6, 30)),
    )
    assert deadline.date == date(2026, 6, 30)
    assert deadline.note is None


def test_milestones_after_the_base_date_roll_into_next_year() -> None:
    deadline = parse(MILESTONES, NOVEMBER)
    assert [m.date for m in deadline.milestones] == [date(2027, 2, 10), date(2027, 3, 31), date(2027, 6, 30)]
    assert deadline.date == date(2027, 6, 30)
    assert "2027" in (deadline.note or "")


@pytest.mark.parametrize(
    "text",
    [
        "1.3月底前完成方案；2.6月底前完成建设",
        "１．3月底前完成方案；２．6月底前完成建设",
        "1、3月底前完成方案 2、6月底前完成建设",
        "（1）3月底前完成方案（2）6月底前完成建设",
        "(1)3月底前完成方案;(2)6月底前完成建设",
        "⑴3月底前完成方案⑵6月底前完成建设",
        "分两步：①3月底前完成方案；②6月底前完成建设",
    ],
)
def test_milestone_markers(text: str) -> None:
    deadline = parse(text, NEW_YEAR)
    assert [m.text for m in deadline.milestones] == ["3月底前完成方案", "6月底前完成建设"]
    assert [m.date for m in deadline.milestones] == [date(2026, 3, 31), date(2026, 6, 30)]
    assert deadline.date == date(2026, 6, 30)


def test_milestones_in_order_cross_new_year() -> None:
    deadline = parse("①12月底前完成设计；②3月底前完成施工", date(2026, 2, 1))
    assert [m.date for m in deadline.milestones] == [date(2026, 12, 31), date(2027, 3, 31)]
    assert deadline.date == date(2027, 3, 31)


def test_milestone_with_reporting_step() -> None:
    deadline = parse("①6月底前完成方案；②此后每季度报送进展", NEW_YEAR)
    assert deadline.kind == "date"
    assert deadline.date == date(2026, 6, 30)
    assert deadline.cycle == "quarterly"
    assert deadline.milestones[1] == Milestone("此后每季度报送进展", None)


def test_milestone_working_days_into_uncovered_year() -> None:
    deadline = parse("①会后15个工作日内制定方案；②2027年6月底前完成", date(2026, 12, 20))
    assert deadline.milestones[0].date == date(2027, 1, 8)
    assert deadline.milestones[0].uncovered_years == (2027,)
    assert deadline.milestones[1].uncovered_years == ()
    assert deadline.uncovered_years == (2027,)
    assert deadline.date == date(2027, 6, 30)
    assert "2027年节假日安排未载入" in (deadline.note or "")


def test_numbered_work_items_under_a_dated_heading_are_not_milestones() -> None:
    deadline = parse("2026年底前完成：①设计；②施工")
    assert (deadline.kind, deadline.date, deadline.milestones) == ("date", date(2026, 12, 31), ())


def test_unreadable_milestone_names_the_step() -> None:
    with pytest.raises(DeadlineError) as raised:
        parse("①3月底前完成设计；②下一阶段完成施工")
    assert "“下一阶段完成施工”" in str(raised.value)
    assert "第2步" in str(raised.value)


@pytest.mark.parametrize("text", ["6.30前", "(3)号楼6月底前完成", "2026.6.30"])
def test_not_mistaken_for_a_list(text: str) -> None:
    assert parse(text).milestones == ()


@pytest.mark.parametrize("value", [46203, 46203.0, 46203.75, "46203", "46203.0", " ４６２０３ "])
def test_excel_serials(value: object) -> None:
    deadline = parse(value)
    assert (deadline.kind, deadline.date, deadline.text) == ("date", date(2026, 6, 30), "2026-06-30")


@pytest.mark.parametrize("value", [date(2026, 6, 30), datetime(2026, 6, 30), datetime(2026, 6, 30, 17, 30)])
def test_date_cells(value: object) -> None:
    deadline = parse(value)
    assert (deadline.kind, deadline.date, deadline.text) == ("date", date(2026, 6, 30), "2026-06-30")


def test_compact_date_typed_as_a_number() -> None:
    assert parse(20260630).date == date(2026, 6, 30)


@pytest.mark.parametrize("value", [None, "", "   ", float("nan")])
def test_missing(value: object) -> None:
    with pytest.raises(DeadlineError, match="^缺少完成时限$"):
        parse(value)


@pytest.mark.parametrize(
    "text", ["下个阶段", "尽快", "已完成", "Q3", "按年度计划推进", "视情况而定", "月初"]
)
def test_unrecognised_phrase_is_quoted(text: str) -> None:
    with pytest.raises(DeadlineError) as raised:
        parse(text)
    assert str(raised.value) == f"无法识别的完成时限：“{text}”"


@pytest.mark.parametrize("value", [True, 123, -5, 1.5, object()])
def test_unusable_cell_values(value: object) -> None:
    with pytest.raises(DeadlineError, match="无法识别的完成时限"):
        parse(value)


@pytest.mark.parametrize("text", ["2026年2月30日", "2026年13月底", "2月30日前"])
def test_impossible_dates(text: str) -> None:
    with pytest.raises(DeadlineError) as raised:
        parse(text)
    assert f"“{text}”" in str(raised.value)


def test_deadline_error_is_a_value_error() -> None:
    assert issubclass(DeadlineError, ValueError)


def test_text_is_kept_as_written() -> None:
    assert parse(" 2026年６月底前 ").text == " 2026年６月底前 "


# Pieces of real phrases, so that generated text reaches the date rules, not only the error path.
DEADLINE_PIECES = st.sampled_from(
    list("0123456789０１２年月日号底末初上中下旬季度半每按个工作内周天前后至.-/、;；，,①②（）() \n十二〇")
    + ["立即", "长期", "明年", "今年", "工作日", "个月", "2026", "20", "12", "31"]
)


@given(st.one_of(st.text(), st.lists(DEADLINE_PIECES, max_size=30).map("".join)))
def test_any_text_gives_deadline_or_deadline_error(text: str) -> None:
    try:
        result = parse(text)
    except DeadlineError:
        return
    assert isinstance(result, Deadline)
    assert result.kind in ("date", "cycle", "long_term")
    assert (result.date is not None) == (result.kind == "date")


@given(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.dates(),
        st.datetimes(), st.binary(max_size=8),
    ),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
)
def test_any_cell_gives_deadline_or_deadline_error(value: object, base: date) -> None:
    try:
        result = parse(value, base)
    except DeadlineError:
        return
    assert isinstance(result, Deadline)
