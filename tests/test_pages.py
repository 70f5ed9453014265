"""The dashboard through Streamlit's AppTest, on a small ledger whose statuses are known for
DASHBOARD_AS_OF (tests/conftest.py): every page runs, the figures equal the ledger's own,
the overdue list is exactly the overdue tasks in order, a filter narrows every page."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from conftest import DASHBOARD_AS_OF, signed_in_app
from streamlit.testing.v1 import AppTest

from ledger.access import system_user
from ledger.db import open_ledger
from ledger.queries import status_counts, task_list
from ui.export import to_excel

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PAGES = {
    "pages/overview.py": "督查总览",
    "pages/overdue.py": "逾期预警",
    "pages/rectification.py": "整改跟踪",
    "pages/ledger.py": "任务台账",
    "pages/leaders.py": "领导督办",
    "pages/units.py": "单位排名",
}
UNIT = "区财政局"


@pytest.fixture(scope="module")
def expected(dashboard_ledger):
    """What the ledger itself says for DASHBOARD_AS_OF, read before the app opens the file."""
    con = open_ledger(dashboard_ledger, read_only=True)
    try:
        return {
            "counts": status_counts(con, system_user(), DASHBOARD_AS_OF),
            "counts_before": status_counts(con, system_user(), DASHBOARD_AS_OF - timedelta(days=7)),
            "tasks": task_list(con, DASHBOARD_AS_OF),
        }
    finally:
        con.close()


@pytest.fixture
def app(dashboard_ledger, expected, monkeypatch):
    """The dashboard on the test ledger, as of DASHBOARD_AS_OF (set through the sidebar)."""
    monkeypatch.setenv("LEDGER_DB", str(dashboard_ledger))
    st.cache_data.clear()
    at = signed_in_app("ducha", as_of=DASHBOARD_AS_OF)
    at.run()
    assert at.date_input(key="as_of").value == DASHBOARD_AS_OF
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def table(at: AppTest, column: str, index: int = 0) -> pl.DataFrame:
    """The index-th table on the page that has this column."""
    found = [pl.from_pandas(d.value) for d in at.dataframe if column in d.value.columns]
    assert len(found) > index, f"no table #{index} with column {column}"
    return found[index]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def led_by(tasks: pl.DataFrame, unit: str) -> pl.DataFrame:
    return tasks.filter(pl.col("lead_units").list.contains(unit))


# --------------------------------------------------------------------------- every page


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs(app, page):
    open_page(app, page)
    assert [t.value for t in app.title] == [PAGES[page]]
    assert app.date_input(key="as_of").value == DASHBOARD_AS_OF


def test_as_of_date_survives_switching_pages(app):
    for page in PAGES:
        open_page(app, page)
        assert app.date_input(key="as_of").value == DASHBOARD_AS_OF
    app.multiselect(key="filter_lead_units").set_value([UNIT]).run()
    open_page(app, "pages/units.py")
    assert app.multiselect(key="filter_lead_units").value == [UNIT]


# --------------------------------------------------------------------------- 督查总览


def test_overview_figures_equal_the_ledger(app, expected):
    counts, before = expected["counts"], expected["counts_before"]
    assert sum(counts.values()) == 11 and counts["overdue"] == 4   # the fixture is what we think
    shown = {m.label: m for m in open_page(app, "pages/overview.py").metric}
    done = counts["done_on_time"] + counts["done_late"]
    assert shown["督办事项总数"].value == str(sum(counts.values()))
    assert shown["正常推进"].value == str(counts["on_track"])
    assert shown["临期"].value == str(counts["due_soon"])
    assert shown["逾期"].value == str(counts["overdue"])
    assert shown["已办结"].value == str(done)
    # 按期办结 / (已办结 + 逾期未办结): the fixture has no 逾期后补办, so the late open ones are the overdue.
    assert shown["按期办结率"].value == f"{counts['done_on_time'] / (done + counts['overdue']):.1%}"
    assert shown["逾期"].delta == str(counts["overdue"] - before["overdue"])
    assert shown["督办事项总数"].delta == str(sum(counts.values()) - sum(before.values()))


def test_overview_lists_the_most_overdue(app, expected):
    overdue = expected["tasks"].filter(pl.col("status") == "overdue").sort(
        ["overdue_workdays", "code"], descending=[True, False])
    worst = table(open_page(app, "pages/overview.py"), "逾期工作日")
    assert worst["督办编号"].to_list() == overdue["code"].to_list()
    assert worst["逾期工作日"].to_list() == overdue["overdue_workdays"].to_list()


# --------------------------------------------------------------------------- 逾期预警


def test_overdue_list_is_exactly_the_overdue_tasks_in_order(app, expected):
    overdue = expected["tasks"].filter(pl.col("status") == "overdue").sort(
        ["overdue_workdays", "code"], descending=[True, False])
    open_page(app, "pages/overdue.py")
    app.radio(key="overdue_group_by").set_value("不分组").run()
    red = table(app, "逾期工作日")
    assert red["督办编号"].to_list() == overdue["code"].to_list()
    assert red["逾期工作日"].to_list() == overdue["overdue_workdays"].to_list()
    assert red["逾期工作日"].to_list() == sorted(red["逾期工作日"].to_list(), reverse=True)
    amber = table(app, "剩余工作日")
    assert amber["督办编号"].to_list() == expected["tasks"].filter(pl.col("status") == "due_soon")["code"].to_list()


def test_overdue_list_grouped_by_unit(app, expected):
    overdue = expected["tasks"].filter(pl.col("status") == "overdue").explode("lead_units")
    open_page(app, "pages/overdue.py")
    app.radio(key="overdue_group_by").set_value("按牵头单位").run()
    # One section per unit (its name as the header, once), then its items (tests/test_views.py
    # checks the layout): the red items of each unit are exactly its overdue tasks.
    units = [m.value.removeprefix("#### ") for m in app.markdown if m.value.startswith("#### ")]
    sections = [pl.from_pandas(d.value) for d in app.dataframe if "逾期或剩余" in d.value.columns]
    assert len(units) == len(sections) == len(set(units))
    red = pl.concat([section.filter(pl.col("逾期或剩余").str.starts_with("逾期")).select(
        pl.lit(unit).alias("单位"), "督办编号") for unit, section in zip(units, sections, strict=True)])
    assert sorted(zip(red["单位"], red["督办编号"], strict=True)) == sorted(
        zip(overdue["lead_units"], overdue["code"], strict=True))


# --------------------------------------------------------------------------- filters


def test_a_lead_unit_filter_narrows_every_page(app, expected):
    mine = led_by(expected["tasks"], UNIT)
    assert 0 < mine.height < expected["tasks"].height
    app.multiselect(key="filter_lead_units").set_value([UNIT]).run()

    shown = metrics(open_page(app, "pages/overview.py"))
    assert shown["督办事项总数"] == str(mine.height)
    assert shown["逾期"] == str(mine.filter(pl.col("status") == "overdue").height)

    open_page(app, "pages/overdue.py")
    app.radio(key="overdue_group_by").set_value("不分组").run()
    assert set(table(app, "逾期工作日")["督办编号"]) == set(mine.filter(pl.col("status") == "overdue")["code"])

    shown = metrics(open_page(app, "pages/rectification.py"))
    assert shown["整改事项"] == str(mine.filter(pl.col("source_kind") == "audit").height)

    assert set(table(open_page(app, "pages/ledger.py"), "督办编号")["督办编号"]) == set(mine["code"])

    leaders = table(open_page(app, "pages/leaders.py"), "责任事项")
    assert leaders["责任事项"].sum() == mine.filter(pl.col("leader").is_not_null()).height

    units = table(open_page(app, "pages/units.py"), "单位")
    assert units["单位"].to_list() == [UNIT]
    assert units["牵头事项"].to_list() == [mine.height]


def test_ledger_search_and_detail(app, expected):
    open_page(app, "pages/ledger.py")
    app.text_input(key="ledger_query").set_value("住房").run()   # a unit's name, not in any content
    found = table(app, "督办编号")
    assert set(found["督办编号"]) == set(led_by(expected["tasks"], "区住房和城乡建设局")["code"]) | set(
        expected["tasks"].filter(pl.col("co_units").list.contains("区住房和城乡建设局"))["code"])
    app.text_input(key="ledger_query").set_value("%").run()   # taken literally, not as a wildcard
    assert not [d for d in app.dataframe if "督办编号" in d.value.columns]

    code = expected["tasks"].filter(pl.col("content") == "制定营商环境优化方案")["code"][0]
    app.text_input(key="ledger_query").set_value("").run()
    app.text_input(key="ledger_code").set_value(code).run()
    assert not app.exception
    timeline = table(app, "事项")
    assert timeline["事项"].to_list() == ["交办", "进展报送", "延期申请", "延期批准"]
    assert any("已批准延期" in t.value for t in app.text)


def test_rectification_shows_lookbacks_and_rebounds(app):
    shown = metrics(open_page(app, "pages/rectification.py"))
    assert shown == {"整改事项": "2", "已整改": "0", "整改中": "1", "未整改": "1", "持续整改": "0",
                     "待回头看": "0", "已回头看": "1", "问题反弹": "1"}
    rebounded = table(app, "反弹次数")
    assert rebounded["问题"].to_list() == ["专项资金闲置"]
    assert rebounded["回头看结果"].to_list() == ["反弹"]


def test_leaders_page_counts_issued_items_and_units_in_charge(app, expected):
    summary = table(open_page(app, "pages/leaders.py"), "批示交办事项")
    by_leader = {row["领导"]: row for row in summary.iter_rows(named=True)}
    assert by_leader["王五"]["批示交办事项"] == expected["tasks"].filter(pl.col("source_kind") == "directive").height
    assert by_leader["张三"]["分管单位数"] == 1
    assert by_leader["张三"]["分管单位牵头事项"] == led_by(expected["tasks"], UNIT).height


# --------------------------------------------------------------------------- Excel


def test_excel_export_writes_formulas_as_text():
    frame = pl.DataFrame({"督办事项": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "正常"], "逾期工作日": [1, 2, 3, 4, 5]})
    data = to_excel(frame, "逾期事项")
    with zipfile.ZipFile(BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet
    assert "=HYPERLINK" in strings and "@SUM(A1)" in strings and "督办事项" in strings
    back = pl.read_excel(BytesIO(data))
    assert back.columns == ["督办事项", "逾期工作日"]
    assert back["督办事项"].to_list() == frame["督办事项"].to_list()
