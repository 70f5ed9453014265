"""Header names as real task lists write them, the task column found by its content, and what
a list's title row and its people cells say (etl.headers, etl.sources, etl.people)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from etl.headers import HEADER_NAMES, field_for, guess_content_column, map_headers
from etl.people import leader_in_heading, split_people, split_person
from etl.reader import read_file
from etl.sources import month_day, number_from_title, read_list_title, year_from_text

# --------------------------------------------------------------------------- header names

@pytest.mark.parametrize(
    ("header", "field"),
    [
        # the task text
        ("工作任务", "content"), ("重点任务", "content"), ("任务内容", "content"), ("具体任务", "content"),
        ("工作内容", "content"), ("目标任务", "content"), ("议定事项", "content"), ("会议议定事项", "content"),
        ("决定事项", "content"), ("交办事项", "content"), ("批示内容", "content"), ("督办事项", "content"),
        ("具体工作", "content"), ("主要内容", "content"), ("工作措施", "content"), ("整改任务", "content"),
        ("问题", "content"), ("存在问题", "content"), ("会议决定事项", "content"), ("批示事项", "content"),
        ("存在的问题", "content"), ("督查事项", "content"), ("承诺事项", "content"), ("建设内容", "content"),
        # the item number
        ("序号", "item"), ("编号", "item"), ("项目编号", "item"), ("No.", "item"), ("NO.", "item"),
        ("no.", "item"), ("事项编号", "item"), ("序 号", "item"),
        # the topic of a meeting: the decisions under it share it as their category
        ("议题", "category"), ("会议议题", "category"),
        # units
        ("牵头单位", "lead_units"), ("主办单位", "lead_units"), ("牵头部门", "lead_units"), ("主办部门", "lead_units"),
        ("责任单位", "responsible_units"), ("承办单位", "responsible_units"), ("责任部门", "responsible_units"),
        ("整改责任单位", "responsible_units"),
        ("配合单位", "co_units"), ("协办单位", "co_units"), ("参与单位", "co_units"), ("会办单位", "co_units"),
        ("协办部门", "co_units"),
        # leaders
        ("责任领导", "leader"), ("分管领导", "leader"), ("牵头领导", "leader"), ("包保领导", "leader"),
        ("联系领导", "leader"), ("批示领导", "directive_leader"),
        # deadlines
        ("完成时限", "deadline"), ("完成时间", "deadline"), ("时间节点", "deadline"), ("办结时限", "deadline"),
        ("时限要求", "deadline"), ("完成期限", "deadline"), ("办理时限", "deadline"),
        ("完成时限（请填写具体日期）", "deadline"), ("完成时限(时间节点)", "deadline"),
        # a status the list gives, and progress
        ("状态", "status"), ("办理状态", "status"), ("完成情况", "progress"), ("进展情况", "progress"),
        ("办理情况", "progress"),
        ("填报日期", "report_date"), ("整改措施", "measures"),
    ],
)
def test_real_header_names_map_to_their_field(header: str, field: str) -> None:
    assert field_for(header) == field


def test_no_header_name_belongs_to_two_fields() -> None:
    seen: dict[str, str] = {}
    for field, names in HEADER_NAMES.items():
        for name in names:
            assert seen.setdefault(name, field) == field, name


@pytest.mark.parametrize("header", ["会议研究事项内容", "工作台账", "备 选", "", None, "x" * 80])
def test_unknown_headers_map_to_nothing(header) -> None:
    assert field_for(header) is None


def test_map_headers_takes_the_first_column_of_a_field() -> None:
    mapping = map_headers(["序号", "议题", "议定事项", "主办部门", "协办部门", "办理时限", "状态"])
    assert mapping == {"item": "序号", "category": "议题", "content": "议定事项", "lead_units": "主办部门",
                       "co_units": "协办部门", "deadline": "办理时限", "status": "状态"}


# --------------------------------------------------------------------------- task column by content

def _frame(columns: dict[str, list[str | None]]) -> pl.DataFrame:
    return pl.DataFrame(columns, schema={name: pl.String for name in columns})


def test_an_unknown_task_column_is_found_by_its_prose_and_said() -> None:
    frame = _frame({
        "序号": ["1", "2", "3"],
        "会议研究事项内容": ["加快推进城区老旧小区改造，年内完成12个小区", "抓紧完成招商引资项目签约工作，确保落地见效",
                      "全面开展安全生产大排查大整治，消除重大隐患"],
        "牵头单位": ["区住建局", "区商务局", "区应急局"],
        "说明事项": ["无", "无", "无"],
    })
    fields = map_headers(frame.columns)
    column, warning = guess_content_column(frame, frame.columns, fields)
    assert column == "会议研究事项内容"
    assert "会议研究事项内容" in warning and "请核对" in warning


@pytest.mark.parametrize(
    "columns",
    [
        # short codes and names only: nothing reads as prose
        {"序号": ["1", "2"], "事项代码": ["A-01", "A-02"], "牵头单位": ["区住建局", "区商务局"]},
        # the same sentence in every row is a category, not the task text
        {"序号": ["1", "2", "3"], "所属板块内容": ["优化营商环境方面的重点工作任务"] * 3, "牵头单位": ["区住建局"] * 3},
        # a unit list is not turned into tasks
        {"单位名称": ["区住建局", "区商务局"], "单位职责说明": ["负责全区住房和城乡建设工作的统筹推进", "负责全区商务和招商引资工作的统筹协调"]},
    ],
)
def test_no_column_is_guessed_without_prose_or_outside_a_task_list(columns) -> None:
    frame = _frame(columns)
    assert guess_content_column(frame, frame.columns, map_headers(frame.columns)) == (None, None)


def test_a_named_task_column_is_never_second_guessed() -> None:
    frame = _frame({"序号": ["1"], "工作任务": ["短"], "情况说明补充": ["这是一段很长很长的说明文字，写了很多内容"],
                    "牵头单位": ["区住建局"]})
    assert guess_content_column(frame, frame.columns, map_headers(frame.columns)) == (None, None)


def test_the_reader_takes_the_guessed_column_and_warns() -> None:
    text = "\n".join([
        "序号,会议研究确定的事项,牵头单位,完成时限",
        "1,加快推进城区老旧小区改造，年内完成12个小区,区住建局,年底前",
        "2,抓紧完成招商引资项目签约工作，确保落地见效,区商务局,6月底前",
    ]).encode("utf-8")
    [sheet] = read_file(text, "清单.csv")
    assert sheet.fields["content"] == "会议研究确定的事项"
    assert any("会议研究确定的事项" in w for w in sheet.warnings)


# --------------------------------------------------------------------------- title rows

@pytest.mark.parametrize(
    ("lines", "kind", "title", "number", "year"),
    [
        (["区人民政府第23次常务会议议定事项督办清单"], "executive", "区人民政府第23次常务会议", "第23次", None),
        (["2024年政府工作报告重点任务分解表"], "work_report", "2024年政府工作报告", None, 2024),
        (["附件2", "《2023年政府工作报告》重点工作任务分解表"], "work_report", "2023年政府工作报告", None, 2023),
        (["区政府2024年第5次常务会议纪要事项落实情况台账"], "executive", "区政府2024年第5次常务会议", "第5次", 2024),
        (["市长办公会议决定事项督办台账（2024年3月12日）"], "mayor_office", "市长办公会议", None, 2024),
        (["2024年全区重点项目推进情况表"], "key_project", "2024年全区重点项目", None, 2024),
        (["二〇二四年民生实事项目清单"], "commitment", "二〇二四年民生实事", None, 2024),
        (["关于王海副区长批示的督办通知"], "directive", "关于王海副区长批示的督办通知", None, None),
        (["区委巡察反馈问题整改台账"], "inspection", "区委巡察反馈问题", None, None),
        (["区政府第7次专题会议议定事项清单"], "topical", "区政府第7次专题会议", "第7次", None),
    ],
)
def test_a_title_row_names_the_source(lines, kind, title, number, year) -> None:
    found = read_list_title(lines)
    assert (found.kind, found.source_title, found.number, found.year) == (kind, title, number, year)


def test_a_title_row_gives_a_date_and_a_report_date() -> None:
    found = read_list_title(["市长办公会议决定事项督办台账（2024年3月12日）"])
    assert found.date == date(2024, 3, 12)
    found = read_list_title(["2024年政府工作报告重点任务分解表", "填报单位：区发改局  填报日期：2024年4月10日"])
    assert (found.date, found.report_date, found.year) == (None, date(2024, 4, 10), 2024)


@pytest.mark.parametrize("lines", [[], ["单位：万元"], ["附件1"], ["制表人：张三"]])
def test_lines_that_are_not_a_title(lines) -> None:
    assert read_list_title(lines) is None


@pytest.mark.parametrize(
    ("title", "number"),
    [
        ("区政府第12次常务会议", "第12次"),
        ("区政府第 12 次常务会议", "第12次"),
        ("七政办督〔2024〕12号", "七政办督〔2024〕12号"),
        ("关于落实批示的督办通知（区督办〔2024〕3号）", "区督办〔2024〕3号"),
        ("2024年政府工作报告", None),
    ],
)
def test_number_from_title(title: str, number: str | None) -> None:
    assert number_from_title(title) == number


@pytest.mark.parametrize(
    ("text", "year"),
    [("2023年政府工作报告", 2023), ("二〇二四年民生实事", 2024), ("区政府常务会议", None),
     ("2024年6月30日前完成", None)],
)
def test_year_from_text(text: str, year: int | None) -> None:
    assert year_from_text(text) == year


def test_month_day_takes_the_given_year() -> None:
    assert month_day("10月8日", 2024) == date(2024, 10, 8)
    assert month_day("2月30日", 2024) is None
    assert month_day("10月8日", None) is None
    assert month_day("2024年10月8日", 2023) is None   # a full date is read elsewhere, as written


# --------------------------------------------------------------------------- people

@pytest.mark.parametrize(
    ("written", "name", "title"),
    [
        ("副区长王海", "王海", "副区长"), ("王海副区长", "王海", "副区长"), ("王海同志", "王海", "同志"),
        ("常务副区长李明", "李明", "常务副区长"), ("李明常务副区长", "李明", "常务副区长"),
        ("张伟市长", "张伟", "市长"), ("王海", "王海", None), ("欧阳娜娜", "欧阳娜娜", None),
        ("副县长 赵刚", "赵刚", "副县长"),
    ],
)
def test_a_title_is_split_from_the_name(written: str, name: str, title: str | None) -> None:
    person = split_person(written.replace(" ", ""))
    assert (person.name, person.title) == (name, title)


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("张伟、李娜", ["张伟", "李娜"]), ("张伟，李娜", ["张伟", "李娜"]), ("张伟和李娜", ["张伟", "李娜"]),
        ("副区长王海 常务副区长李明", ["王海", "李明"]), ("王海副区长、王海", ["王海"]), ("", []),
    ],
)
def test_several_people_are_kept_in_order(cell: str, names: list[str]) -> None:
    assert [p.name for p in split_people(cell)] == names


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        ("一、张伟市长主抓重点工作", "张伟"),
        ("（二）王海副区长牵头", "王海"),
        ("一、市政府李明市长主抓重点工作（12项）", "李明"),
        ("（三）由常务副区长赵刚同志负责", "赵刚"),
        ("二、区长王海洋牵头的重点项目", "王海洋"),
        ("一、优化营商环境", None),
        ("三、市长主抓重点工作", None),        # a title without a name names nobody
        ("（一）常务副区长负责事项", None),
    ],
)
def test_the_leader_a_heading_names(heading: str, name: str | None) -> None:
    person = leader_in_heading(heading)
    assert (person.name if person else None) == name


def test_a_known_leader_is_found_in_a_heading_whatever_the_wording() -> None:
    assert leader_in_heading("二、欧阳娜娜牵头负责的民生实事", {"欧阳娜娜"}).name == "欧阳娜娜"


def test_a_bare_title_registered_as_a_name_is_not_found_in_a_heading() -> None:
    assert leader_in_heading("三、市长主抓重点工作", {"市长", "王海"}) is None
    assert leader_in_heading("（二）王海副区长牵头", {"市长", "王海"}).written == "副区长王海"
