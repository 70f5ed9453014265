from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.deadlines import Assumptions, Deadline, DeadlineError, Milestone, deadline_in_text, parse_deadline
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


LONG_TERM_PHRASES = ["长期坚持", "持续推进", "长期", "常态化推进", "持续开展", "长期执行"]


@pytest.mark.parametrize("text", LONG_TERM_PHRASES)
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


MARKER_PHRASES = [
    "1.3月底前完成方案；2.6月底前完成建设",
    "１．3月底前完成方案；２．6月底前完成建设",
    "1、3月底前完成方案 2、6月底前完成建设",
    "（1）3月底前完成方案（2）6月底前完成建设",
    "(1)3月底前完成方案;(2)6月底前完成建设",
    "⑴3月底前完成方案⑵6月底前完成建设",
    "分两步：①3月底前完成方案；②6月底前完成建设",
]


@pytest.mark.parametrize("text", MARKER_PHRASES)
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
    # Was a DeadlineError: an unreadable step now imports as 未明确时限, flagged with the step.
    deadline = parse("①3月底前完成设计；②下一阶段完成施工")
    assert (deadline.kind, deadline.date, deadline.milestones) == ("none", None, ())
    assert len(deadline.flags) == 1
    assert "“下一阶段完成施工”" in deadline.flags[0]
    assert "第2步" in deadline.flags[0]
    assert deadline.note == deadline.flags[0]


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
    # Was a DeadlineError: a row without a deadline imports, status 未明确时限, without a flag.
    deadline = parse(value)
    assert (deadline.kind, deadline.date, deadline.cycle, deadline.flags) == ("none", None, None, ())
    assert deadline.missing
    assert deadline.note == "缺少完成时限"


@pytest.mark.parametrize(
    "text", ["下个阶段", "已完成", "Q3", "按年度计划推进", "视情况而定", "月初"]
)
def test_unrecognised_phrase_is_quoted(text: str) -> None:
    # Was a DeadlineError: an unreadable phrase imports as kind "none" with a flag quoting it.
    deadline = parse(text)
    assert (deadline.kind, deadline.date, deadline.milestones) == ("none", None, ())
    assert not deadline.missing
    assert len(deadline.flags) == 1
    assert f"“{text}”" in deadline.flags[0]
    assert deadline.flags[0].endswith("请核对")


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
    assert result.kind in ("date", "cycle", "long_term", "none")
    assert (result.date is not None) == (result.kind == "date")
    assert not result.flags or result.kind == "none"


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


# --- phrasings as published lists write them, and what a careful clerk writes for each ----------
#
# Base dates: B23 is the one the issue measured with (a list issued on Tuesday 2023-01-03);
# TUESDAY 2026-03-10, NOVEMBER 2026-11-10, NEW_YEAR 2026-01-05 as above. 2027 and later have no
# holiday schedule in CALENDAR (library only), so festivals there come from the lunar calendar.
#
# Expected reading: a date; ("cycle", cycle, day); LONG (长期); FLAG (kind "none" with a flag that
# quotes the text: the office must check it); NONE (no deadline written: kind "none", no flag).

B23 = date(2023, 1, 3)
LONG = "long_term"
FLAG = "flag"
NONE = "none"

CLERK: list[tuple[str, date, object]] = [
    # phrase                                       base       reading
    # -- the readings the issue found wrong, now right
    ("2024年年底前",                                B23,       date(2024, 12, 31)),
    ("明年年底",                                    B23,       date(2024, 12, 31)),
    ("2027年春节前",                                B23,       date(2027, 2, 4)),   # 除夕 Fri 5 Feb taken off
    ("每季度最后一个月的30日前",                    B23,       ("cycle", "quarterly", 30)),
    ("春节前",                                      B23,       date(2023, 1, 20)),  # holiday 21-27 Jan
    ("国庆节前",                                    B23,       date(2023, 9, 28)),  # holiday 29 Sep-6 Oct
    ("汛期前",                                      B23,       date(2023, 5, 31)),  # office setting
    ("尽快",                                        B23,       date(2023, 1, 10)),  # 5 working days
    ("年中",                                        B23,       date(2023, 6, 30)),
    ("全年",                                        B23,       date(2023, 12, 31)),
    # -- explicit years against the base year
    ("2024年6月底前",                               B23,       date(2024, 6, 30)),
    ("2024年上半年",                                B23,       date(2024, 6, 30)),
    ("2024年内",                                    B23,       date(2024, 12, 31)),
    ("2024年度内",                                  B23,       date(2024, 12, 31)),
    ("2024年3月",                                   B23,       date(2024, 3, 31)),
    ("2022年底前",                                  B23,       date(2022, 12, 31)),  # stated: kept though past
    ("到2025年底",                                  B23,       date(2025, 12, 31)),
    ("截至2023年底",                                B23,       date(2023, 12, 31)),
    ("2023年内完成",                                B23,       date(2023, 12, 31)),
    ("2023年第四季度",                              B23,       date(2023, 12, 31)),
    ("2023年9月底前基本完成",                       B23,       date(2023, 9, 30)),
    ("2023年12月31日前",                            B23,       date(2023, 12, 31)),
    ("2023.12.31前",                                B23,       date(2023, 12, 31)),
    ("二〇二三年十二月三十一日前",                  B23,       date(2023, 12, 31)),
    ("2023年6月30日17:00前",                        B23,       date(2023, 6, 30)),
    ("6月30日下午5点前",                            B23,       date(2023, 6, 30)),
    # -- relative years
    ("今年年底前",                                  B23,       date(2023, 12, 31)),
    ("今年6月底前",                                 B23,       date(2023, 6, 30)),
    ("本年度内",                                    B23,       date(2023, 12, 31)),
    ("当年完成",                                    B23,       date(2023, 12, 31)),
    ("同年底",                                      B23,       date(2023, 12, 31)),
    ("下一年度",                                    B23,       date(2024, 12, 31)),
    ("次年6月底前",                                 B23,       date(2024, 6, 30)),
    ("明年3月底前",                                 B23,       date(2024, 3, 31)),
    ("明年一季度",                                  B23,       date(2024, 3, 31)),
    ("后年底前",                                    B23,       date(2025, 12, 31)),
    # -- a year carried to the pieces after it, or from a bare year after them
    ("2024年6月底前完成设计，12月底前完工",         B23,       date(2024, 12, 31)),
    ("2024年12月底前完成设计，3月底前完成施工",     B23,       date(2025, 3, 31)),
    ("2024年10月至次年3月",                         B23,       date(2025, 3, 31)),
    ("12月底前完成设计，次年6月底前完工",           B23,       date(2024, 6, 30)),
    ("年底前（2024年）",                            B23,       date(2024, 12, 31)),
    ("完成2025年度决算审计，6月底前",               TUESDAY,   date(2026, 6, 30)),  # 年度 is a label
    # -- "before" a month, a year, a quarter: strictly before it (noted)
    ("2025年6月前完成",                             B23,       date(2025, 5, 31)),
    ("6月前",                                       B23,       date(2023, 5, 31)),
    ("6月份前",                                     B23,       date(2023, 5, 31)),
    ("2025年前",                                    B23,       date(2024, 12, 31)),
    ("三季度前",                                    B23,       date(2023, 6, 30)),
    ("前三季度",                                    B23,       date(2023, 9, 30)),
    # -- ranges and several dated steps in plain text: the latest
    ("2023—2025年",                                 B23,       date(2025, 12, 31)),
    ("2023-2025年",                                 B23,       date(2025, 12, 31)),
    ("2024年至2025年6月",                           B23,       date(2025, 6, 30)),
    ("6-8月",                                       B23,       date(2023, 8, 31)),
    ("6月1日至15日",                                B23,       date(2023, 6, 15)),
    ("5月底前开工、11月底前完工",                   B23,       date(2023, 11, 30)),
    ("6月底前出台方案，年底前取得阶段性成效",       B23,       date(2023, 12, 31)),
    ("2023年底前完成，并持续推进",                  B23,       date(2023, 12, 31)),
    ("2023年6月底前完成并长期坚持",                 B23,       date(2023, 6, 30)),
    # -- months and parts of months without a year
    ("9月中旬前",                                   B23,       date(2023, 9, 20)),
    ("8月下旬前",                                   B23,       date(2023, 8, 31)),
    ("10月中下旬",                                  B23,       date(2023, 10, 31)),
    ("3月上中旬",                                   B23,       date(2023, 3, 20)),
    ("3月31日前",                                   B23,       date(2023, 3, 31)),
    ("10月8日前",                                   B23,       date(2023, 10, 8)),
    ("1月10日前",                                   B23,       date(2023, 1, 10)),
    ("1月2日前",                                    B23,       date(2024, 1, 2)),   # already past: next year
    ("2023年12月",                                  B23,       date(2023, 12, 31)),
    ("二季度",                                      B23,       date(2023, 6, 30)),
    ("四季度末",                                    B23,       date(2023, 12, 31)),
    ("年内完成",                                    B23,       date(2023, 12, 31)),
    ("月底前",                                      B23,       date(2023, 1, 31)),
    ("本月底",                                      B23,       date(2023, 1, 31)),
    ("下月10日前",                                  B23,       date(2023, 2, 10)),
    ("本周五前",                                    B23,       date(2023, 1, 6)),
    ("年中",                                        NOVEMBER,  date(2027, 6, 30)),
    ("元月底前",                                    NOVEMBER,  date(2027, 1, 31)),  # 元月 is January
    ("本季度末",                                    NOVEMBER,  date(2026, 12, 31)),
    ("下季度",                                      NOVEMBER,  date(2027, 3, 31)),
    ("2026年1-6月",                                 TUESDAY,   date(2026, 6, 30)),  # not 6 January
    ("2026年6月30日（星期二）前",                   TUESDAY,   date(2026, 6, 30)),
    # -- festivals in covered years: the last working day before the holiday
    ("春节假期前",                                  B23,       date(2023, 1, 20)),
    ("清明节前",                                    B23,       date(2023, 4, 4)),
    ("五一前",                                      B23,       date(2023, 4, 28)),   # holiday 29 Apr-3 May
    ("劳动节前",                                    B23,       date(2023, 4, 28)),
    ("端午节前",                                    B23,       date(2023, 6, 21)),
    ("中秋节前",                                    B23,       date(2023, 9, 28)),
    ("元旦前",                                      B23,       date(2023, 12, 29)),  # 30-31 Dec a weekend
    ("2024年春节前",                                B23,       date(2024, 2, 9)),    # 除夕 9 Feb worked
    ("2026年春节前",                                B23,       date(2026, 2, 14)),   # the 调休 Saturday
    ("2026年中秋节前",                              B23,       date(2026, 9, 24)),
    ("2026年国庆节前",                              B23,       date(2026, 9, 30)),
    ("春节前",                                      TUESDAY,   date(2027, 2, 4)),    # 2026's is past
    ("国庆节前",                                    TUESDAY,   date(2026, 9, 30)),
    # -- festivals in uncovered years: lunar calendar / solar term, Monday-Friday
    ("2027年国庆节前",                              B23,       date(2027, 9, 30)),
    ("2027年元旦前",                                B23,       date(2026, 12, 31)),
    ("2027年清明节前",                              B23,       date(2027, 4, 2)),    # 清明 Mon 5 Apr
    ("2028年端午节前",                              B23,       date(2028, 5, 26)),   # 端午 Sun 28 May
    ("2030年中秋节前",                              B23,       date(2030, 9, 11)),   # 中秋 Thu 12 Sep
    # -- office settings
    ("汛前",                                        B23,       date(2023, 5, 31)),
    ("入汛前",                                      B23,       date(2023, 5, 31)),
    ("2024年汛期前",                                B23,       date(2024, 5, 31)),
    ("汛期前",                                      NOVEMBER,  date(2027, 5, 31)),
    ("尽早",                                        B23,       date(2023, 1, 10)),
    ("汛期前完成，每月报送进展",                    B23,       date(2023, 5, 31)),
    # -- periods from the source date
    ("会议结束后5个工作日内",                       B23,       date(2023, 1, 10)),
    ("收到通知后10日内",                            B23,       date(2023, 1, 13)),
    ("自即日起30日内",                              B23,       date(2023, 2, 2)),
    ("交办之日起15个工作日内",                      B23,       date(2023, 1, 29)),   # 28-29 Jan worked
    ("批示后3日内",                                 B23,       date(2023, 1, 6)),
    ("10个工作日内",                                B23,       date(2023, 1, 17)),
    ("24小时内",                                    B23,       date(2023, 1, 4)),
    ("一个月内",                                    B23,       date(2023, 2, 3)),
    ("两个月内",                                    B23,       date(2023, 3, 3)),
    ("半个月内",                                    B23,       date(2023, 1, 18)),
    ("30日内",                                      B23,       date(2023, 2, 2)),
    ("3天内",                                       B23,       date(2023, 1, 6)),
    ("3年内",                                       B23,       date(2026, 1, 3)),
    ("限期整改1个月",                               B23,       date(2023, 2, 3)),
    ("立行立改",                                    B23,       date(2023, 1, 4)),
    # -- reporting cycles
    ("每季度末月25日前报送",                        B23,       ("cycle", "quarterly", 25)),
    ("每季度首月10日前报送",                        B23,       ("cycle", "quarterly", 10)),
    ("每月最后一个工作日前报送",                    B23,       ("cycle", "monthly", None)),
    ("每半年报送一次",                              B23,       ("cycle", "half_yearly", None)),
    ("每年12月底前报送",                            B23,       ("cycle", "yearly", None)),
    ("2024年起每年6月底前报送",                     B23,       ("cycle", "yearly", None)),
    ("按月报送进展",                                B23,       ("cycle", "monthly", None)),
    ("每季度报送",                                  B23,       ("cycle", "quarterly", None)),
    ("按季调度",                                    B23,       ("cycle", "quarterly", None)),
    # -- long term
    ("常态化开展",                                  B23,       LONG),
    ("持续整改",                                    B23,       LONG),
    ("自2024年起长期执行",                          B23,       LONG),
    # -- numbered steps (details in the milestone tests)
    ("①3月底前完成方案；②6月底前开工；③年底前完工", B23,       date(2023, 12, 31)),
    ("1.2024年6月底前完成设计；2.12月底前完工",     B23,       date(2024, 12, 31)),
    ("①12月底前完成设计；②次年6月底前完工",        B23,       date(2024, 6, 30)),
    # -- to be checked, never guessed
    ("根据上级要求",                                B23,       FLAG),
    ("待定",                                        B23,       FLAG),
    ("适时",                                        B23,       FLAG),
    ("另行通知",                                    B23,       FLAG),
    ("按省里部署",                                  B23,       FLAG),
    ("以上级文件为准",                              B23,       FLAG),
    ("按项目进度",                                  B23,       FLAG),
    ("视进度而定",                                  B23,       FLAG),
    ("2024年底或2025年初",                          B23,       FLAG),  # alternatives
    ("2024年底或2025年6月",                         B23,       FLAG),
    ("年初",                                        B23,       FLAG),  # which day of early year?
    ("2024年初",                                    B23,       FLAG),
    ("年前",                                        B23,       FLAG),  # year end or Spring Festival?
    ("春节后",                                      B23,       FLAG),
    ("春节前后",                                    B23,       FLAG),
    ("节前",                                        B23,       FLAG),  # which festival?
    ("中秋国庆前",                                  B23,       FLAG),
    ("元旦春节前",                                  B23,       FLAG),
    ("十一前",                                      B23,       FLAG),
    ("主汛期前",                                    B23,       FLAG),
    ("正月底前",                                    B23,       FLAG),  # a lunar month
    ("6月30",                                       B23,       FLAG),
    ("3-5个工作日",                                 B23,       FLAG),  # not the office's 汛期 setting
    ("验收后3个月内",                               B23,       FLAG),  # counted from an unknown day
    ("项目竣工后1个月内",                           B23,       FLAG),
    ("6月底前完成方案，春节后开工",                 B23,       FLAG),  # one piece unreadable
    ("三年行动计划期内",                            B23,       FLAG),
    ("每两周报送",                                  B23,       FLAG),
    ("每天报送",                                    B23,       FLAG),
    ("每月10日、25日前报送",                        B23,       FLAG),
    ("2024年起实施",                                B23,       FLAG),  # a start, no end
    ("①3月底前完成设计；②春节后开工",              B23,       FLAG),
    # -- no deadline written
    ("无",                                          B23,       NONE),
    ("/",                                           B23,       NONE),
    ("—",                                           B23,       NONE),
    ("暂无",                                        B23,       NONE),
    ("无明确时限",                                  B23,       NONE),
]


@pytest.mark.parametrize(("text", "base", "expected"), CLERK)
def test_what_a_careful_clerk_writes(text: str, base: date, expected: object) -> None:
    deadline = parse(text, base)
    assert deadline.text == text
    if isinstance(expected, date):
        assert (deadline.kind, deadline.date, deadline.flags) == ("date", expected, ())
    elif isinstance(expected, tuple):
        assert (deadline.kind, deadline.date, deadline.cycle, deadline.cycle_day, deadline.flags) == (
            expected[0], None, expected[1], expected[2], (),
        )
    elif expected == LONG:
        assert (deadline.kind, deadline.date, deadline.cycle, deadline.flags) == ("long_term", None, None, ())
    elif expected == FLAG:
        assert (deadline.kind, deadline.date, deadline.milestones) == ("none", None, ())
        assert deadline.flags and all(flag.endswith("请核对") for flag in deadline.flags)
        assert any(f"“{text}”" in flag for flag in deadline.flags)
        assert not deadline.missing
    else:
        assert (deadline.kind, deadline.date, deadline.flags) == ("none", None, ())
        assert deadline.missing and deadline.note


def test_at_least_150_distinct_phrasings() -> None:
    phrasings = (
        {text for text, _, _ in DATES} | {text for text, _, _ in CYCLES} | {text for text, _, _ in CLERK}
        | set(LONG_TERM_PHRASES) | set(MARKER_PHRASES)
    )
    assert len(phrasings) >= 150, len(phrasings)


# --- what the office is told -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "base", "note"),
    [
        ("汛期前", B23, "按汛期前默认5月31日推算"),
        ("尽快", B23, "“尽快”按默认5个工作日推算"),
        ("春节前", B23, "“春节前”按春节假期前最后一个工作日推算"),
        ("6月前", B23, "“6月前”按6月1日以前推算；如指6月底前，请核对"),
        ("2025年前", B23, "“2025年前”按2025年1月1日以前推算；如指2025年底前，请核对"),
        ("1月2日前", B23, "未写年份，推定为2024年"),
    ],
)
def test_assumptions_are_stated(text: str, base: date, note: str) -> None:
    deadline = parse(text, base)
    assert deadline.kind == "date"
    assert note in deadline.assumptions
    assert deadline.note is not None and note in deadline.note


def test_festival_in_uncovered_year_says_how_it_was_placed() -> None:
    deadline = parse("2027年春节前", B23)
    assert deadline.uncovered_years == (2027,)
    assert any("2027年春节放假安排未载入" in note and "除夕" in note for note in deadline.assumptions)
    assert "2027年节假日安排未载入，按周末推算工作日" in deadline.assumptions


def test_festival_uses_the_holiday_file_when_it_covers_the_year(tmp_path: Path) -> None:
    holiday_file = tmp_path / "holidays.csv"
    rows = [f"2027-02-{day:02d},休,春节" for day in range(5, 12)] + ["2027-02-20,班,春节"]
    holiday_file.write_text("date,kind,name\n" + "\n".join(rows) + "\n", encoding="utf-8")
    deadline = parse("2027年春节前", B23, WorkCalendar(holiday_file))
    assert deadline.date == date(2027, 2, 4)
    assert deadline.uncovered_years == ()
    assert not any("未载入" in note for note in deadline.assumptions)


def test_office_settings_are_parameters() -> None:
    office = Assumptions(flood_season=(6, 15), as_soon_as_possible=3)
    assert parse_deadline("汛期前", B23, CALENDAR, office).date == date(2023, 6, 15)
    assert parse_deadline("尽快", B23, CALENDAR, office).date == date(2023, 1, 6)
    assert "按汛期前默认6月15日推算" in parse_deadline("汛期前", B23, CALENDAR, office).assumptions
    with pytest.raises(ValueError):
        Assumptions(flood_season=(2, 30))


def test_partly_read_phrase_names_the_piece() -> None:
    deadline = parse("6月底前完成方案，春节后开工", B23)
    assert deadline.flags == ("无法完全识别完成时限“6月底前完成方案，春节后开工”：“春节后开工”未能识别，请核对",)


def test_unreadable_is_told_from_missing() -> None:
    unreadable, missing, explicit = parse("根据上级要求"), parse(None), parse("无")
    assert (unreadable.kind, missing.kind, explicit.kind) == ("none", "none", "none")
    assert unreadable.flags == ("无法识别完成时限“根据上级要求”，请核对",)
    assert not unreadable.missing and missing.missing and explicit.missing
    assert unreadable.note == unreadable.flags[0]


def test_read_dates_carry_no_flags() -> None:
    deadline = parse("2024年年底前", B23)
    assert (deadline.flags, deadline.assumptions, deadline.note) == ((), (), None)


# --- deadlines written in a task's text ------------------------------------------------------

B24 = date(2024, 2, 20)  # a 2024 work-report breakdown

IN_TEXT: list[tuple[str, date, object]] = [
    # sentence                                                      base   deadline (None: names none)
    ("加快推进城东污水处理厂建设，确保5月底前开工、11月底前完工。",   B24,   date(2024, 11, 30)),
    ("力争年内建成区级综合养老服务中心。",                           B24,   date(2024, 12, 31)),
    ("于2024年6月30日前完成老旧小区改造方案编制。",                   B24,   date(2024, 6, 30)),
    ("会议要求区住建局会后5个工作日内报送整改方案。",                 B24,   date(2024, 2, 27)),
    ("请区教育局牵头，6月底前完成中小学食堂改造。",                   B24,   date(2024, 6, 30)),
    ("区水利局负责，汛期前完成病险水库除险加固。",                     B24,   date(2024, 5, 31)),
    ("2024年9月底前建成投用智慧停车平台",                             B24,   date(2024, 9, 30)),
    ("三季度末前完成全区燃气管道排查",                                 B24,   date(2024, 9, 30)),
    ("力争上半年完成土地征收工作",                                     B24,   date(2024, 6, 30)),
    ("2024年底前实现行政村5G网络全覆盖",                               B24,   date(2024, 12, 31)),
    ("于3月15日前将自查报告报区政府办公室",                            B24,   date(2024, 3, 15)),
    ("10个工作日内拿出具体方案",                                       B24,   date(2024, 3, 5)),
    ("①3月底前完成方案编制；②6月底前完成招标；③年底前竣工验收",       B24,   date(2024, 12, 31)),
    ("2024年6月底前完成设计，12月底前开工建设",                        B24,   date(2024, 12, 31)),
    ("明年一季度末前完成项目移交",                                     B24,   date(2025, 3, 31)),
    ("立即整改到位",                                                   B24,   date(2024, 2, 21)),
    ("按照省里要求，于9月中旬前完成验收",                              B24,   date(2024, 9, 20)),
    ("确保春节前足额发放农民工工资",                     date(2024, 1, 5),   date(2024, 2, 9)),
    ("6月底前完成方案，每季度报送进展情况",                            B24,   date(2024, 6, 30)),
    ("每月5日前报送工作进展",                                          B24,   ("cycle", "monthly", 5)),
    ("力争到2025年建成",                                               B24,   date(2025, 12, 31)),
    ("(各镇街分别负责,年内完成)",                                      B24,   date(2024, 12, 31)),
    ("12月31日之前全部完成销号",                                       B24,   date(2024, 12, 31)),
    ("在2个月内完成整改",                                              B24,   date(2024, 4, 20)),
    # history, statistics and manner: no deadline
    ("2023年以来，全区累计完成投资5亿元。",                            B24,   None),
    ("自2022年起实施农村人居环境整治三年行动。",                       B24,   None),
    ("截至目前，已完成改造小区12个。",                                 B24,   None),
    ("去年共办理人大代表建议86件。",                                   B24,   None),
    ("截至2023年底，全区常住人口达45万人。",                           B24,   None),
    ("2023年完成固定资产投资12.5亿元，同比增长8%。",                   B24,   None),
    ("会议听取了区发改局关于重点项目推进情况的汇报。",                 B24,   None),
    ("加快推进全域旅游示范区创建工作。",                               B24,   None),
    ("持续推进营商环境优化提升。",                                     B24,   None),
    ("尽快完善工作方案。",                                             B24,   None),
    ("全年接待游客120万人次。",                                        B24,   None),
    ("上年度完成造林面积3000亩。",                                     B24,   None),
    ("2023年12月已完成主体工程。",                                     B24,   None),
    ("每年接待游客超过100万人次",                                      B24,   None),
    ("区财政局要保障项目资金需求",                                     B24,   None),
    ("项目总投资3.5亿元，占地120亩",                                   B24,   None),
    ("6月份已完成初步设计",                                            B24,   None),
    ("较2022年增长15%",                                                B24,   None),
    ("与去年同期相比下降3个百分点",                                    B24,   None),
    ("2021年至2023年累计投入2亿元",                                    B24,   None),
    ("近3年来共完成投资6亿元",                                         B24,   None),
    ("按照《2024年政府工作报告》要求",                                 B24,   None),
    ("会议于2024年2月20日召开",                                        B24,   None),
    ("于2024年3月1日起施行",                                           B24,   None),
    ("截止2024年1月底，已办结45件",                                    B24,   None),
    ("今年以来，全区新增市场主体1200户",                               B24,   None),
    ("2024年1-6月累计完成投资3亿元",                                   B24,   None),
    ("每年6月底前完成年度考核",                                        B24,   None),  # a cycle, not reported
    # a deadline the parser cannot place: flagged, not dropped
    ("工程验收后3个月内完成整改",                                      B24,   FLAG),
    ("年前完成清欠任务",                                               B24,   FLAG),
]


@pytest.mark.parametrize(("text", "base", "expected"), IN_TEXT)
def test_deadline_in_text(text: str, base: date, expected: object) -> None:
    found = deadline_in_text(text, base, CALENDAR)
    if expected is None:
        assert found is None
    elif expected == FLAG:
        assert found is not None and (found.kind, found.date) == ("none", None)
        assert found.flags and "请核对" in found.flags[0]
    elif isinstance(expected, tuple):
        assert found is not None
        assert (found.kind, found.cycle, found.cycle_day) == expected
    else:
        assert found is not None and (found.kind, found.date, found.flags) == ("date", expected, ())


def test_dated_steps_in_text_become_milestones() -> None:
    found = deadline_in_text("加快推进城东污水处理厂建设，确保5月底前开工、11月底前完工。", B24, CALENDAR)
    assert found is not None
    assert found.text == "确保5月底前开工、11月底前完工"
    assert found.milestones == (
        Milestone("确保5月底前开工", date(2024, 5, 31)),
        Milestone("11月底前完工", date(2024, 11, 30)),
    )
    assert found.date == date(2024, 11, 30)


def test_numbered_steps_in_text() -> None:
    found = deadline_in_text("①3月底前完成方案编制；②6月底前完成招标；③年底前竣工验收", B24, CALENDAR)
    assert found is not None
    assert [(m.text, m.date) for m in found.milestones] == [
        ("3月底前完成方案编制", date(2024, 3, 31)),
        ("6月底前完成招标", date(2024, 6, 30)),
        ("年底前竣工验收", date(2024, 12, 31)),
    ]


def test_text_deadline_phrase_is_trimmed() -> None:
    found = deadline_in_text("(各镇街分别负责,年内完成)", B24, CALENDAR)
    assert found is not None and found.text == "年内完成"


def test_text_deadline_keeps_cycle_and_assumption() -> None:
    with_cycle = deadline_in_text("6月底前完成方案，每季度报送进展情况", B24, CALENDAR)
    assert with_cycle is not None and (with_cycle.date, with_cycle.cycle) == (date(2024, 6, 30), "quarterly")
    flood = deadline_in_text("区水利局负责，汛期前完成病险水库除险加固。", B24, CALENDAR)
    assert flood is not None and flood.assumptions == ("按汛期前默认5月31日推算",)
    assert flood.text == "汛期前完成病险水库除险加固"


@pytest.mark.parametrize("text", [None, "", "   "])
def test_no_text_no_deadline(text: str | None) -> None:
    assert deadline_in_text(text, B24, CALENDAR) is None


@given(st.one_of(st.text(max_size=80), st.lists(DEADLINE_PIECES, max_size=30).map("".join)))
def test_any_text_gives_a_text_deadline_or_none(text: str) -> None:
    found = deadline_in_text(text, TUESDAY, CALENDAR)
    assert found is None or found.kind in ("date", "cycle", "none")
    assert found is None or (found.date is not None) == (found.kind == "date")
