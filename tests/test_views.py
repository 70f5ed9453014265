"""The views fixed for daily chasing (issue 11), through Streamlit's AppTest on a small ledger:
逾期预警 by lead unit (a header per unit with its counts, 催办 and the 催办单, then its items with
days late in calendar days beside working days), 对比日期 following 截至日期, each page drawing
only the sidebar controls it reads, no "None" on the page, the uploader's limit in Chinese."""

from __future__ import annotations

import hashlib
import re
import shutil
import tomllib
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from conftest import DASHBOARD_AS_OF, add_account, build_dashboard_ledger, signed_in_app
from streamlit.testing.v1 import AppTest

from etl.importer import InputFile, LoadOptions, import_files
from etl.intake import DEFAULT_MAX_UPLOAD_MB
from ledger import accounts, queries
from ledger.access import system_user
from ledger.db import open_ledger
from ledger.workcal import WorkCalendar
from ui import look, pages

ROOT = Path(__file__).resolve().parent.parent

# A Saturday, the day after a Friday deadline: one calendar day late, no working day late.
SATURDAY = date(2026, 6, 13)
FRIDAY = SATURDAY - timedelta(days=1)
# Tasks whose deadline is that Friday, without a leader or any progress (blank cells that must
# show blank), led by units the dashboard ledger already has and by a new one.
FRIDAY_CSV = """序号,会议名称,会议日期,议定事项,牵头单位,配合单位,责任领导,完成时限
1,区政府第6次专题会议,2026-05-08,完成城区排水管网汛前排查,区水利局,区住建局,,2026年6月12日前
2,区政府第6次专题会议,2026-05-08,报送农村饮水安全巩固提升方案,区水利局,,,2026年6月12日前
3,区政府第6次专题会议,2026-05-08,完成城市道路桥梁安全评估,区交通运输局,,李四,2026年6月12日前
"""
OFFICE, UNIT_ACCOUNT = "ducha", "shuili"
# Python's, pandas' and JSON's words for "nothing", wherever ASCII letters do not surround them
# (\b would not see them beside Chinese characters, which are word characters too).
NO_WORDS = re.compile(r"(?<![A-Za-z])(None|nan|NaN|null|NaT)(?![A-Za-z])")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The dashboard test ledger plus the Friday tasks (built once; each test gets a copy)."""
    path = build_dashboard_ledger(tmp_path_factory.mktemp("views") / "ledger.duckdb")
    con = open_ledger(path)
    try:
        result = import_files(con, [InputFile(name="专题会议.csv", data=FRIDAY_CSV.encode("utf-8"))],
                              LoadOptions(today=DASHBOARD_AS_OF))
        assert result.committed, [e.message for f in result.files for e in f.errors]
        add_account(con, "jiaotong", "unit", "区交通运输局")
    finally:
        con.close()
    return path


@pytest.fixture
def ledger_file(built, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "ledger.duckdb"
    shutil.copyfile(built, path)
    monkeypatch.setenv("LEDGER_DB", str(path))
    st.cache_data.clear()
    return path


def query(path: Path, statement: str, params: list | None = None) -> list[tuple]:
    con = open_ledger(path, read_only=True)
    try:
        return con.execute(statement, params or []).fetchall()
    finally:
        con.close()


def app_as(username: str, as_of: date) -> AppTest:
    at = signed_in_app(username, as_of=as_of).run()
    assert not at.exception, at.exception
    assert at.date_input(key="as_of").value == as_of
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def by_unit(at: AppTest) -> AppTest:
    at.radio(key="overdue_group_by").set_value("按牵头单位").run()
    assert not at.exception, at.exception
    return at


def unit_key(unit: str) -> str:
    """pages/overdue.py's key for a unit's section."""
    return hashlib.sha1(unit.encode("utf-8")).hexdigest()[:12]


def headers(at: AppTest) -> list[str]:
    """The unit headers on 逾期预警, in order."""
    return [m.value.removeprefix("#### ") for m in at.markdown if m.value.startswith("#### ")]


def badges(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "逾期 " in m.value and "-badge[" in m.value]


def frames(at: AppTest) -> list[pl.DataFrame]:
    return [pl.from_pandas(d.value) for d in at.dataframe]


def expected_groups(path: Path, as_of: date, username: str | None = None) -> pl.DataFrame:
    con = open_ledger(path, read_only=True)
    try:
        viewer = accounts.account_session(con, username)[0] if username else system_user()
        return queries.alert_groups(con, viewer, as_of, queries.EVERY_TASK, group_by="unit")
    finally:
        con.close()


def expected_items(path: Path, as_of: date) -> pl.DataFrame:
    con = open_ledger(path, read_only=True)
    try:
        return pl.concat([queries.alerts(con, system_user(), as_of, queries.EVERY_TASK, status=status, group_by="unit")
                          for status in ("overdue", "due_soon")])
    finally:
        con.close()


# --------------------------------------------------------------------------- 逾期预警 by unit


def test_each_unit_has_one_header_with_its_counts_then_its_items(ledger_file):
    groups = expected_groups(ledger_file, SATURDAY)
    items = expected_items(ledger_file, SATURDAY)
    assert groups.height >= 3 and items.height > groups.height   # several units, one with several items
    at = by_unit(open_page(app_as(OFFICE, SATURDAY), "pages/overdue.py"))

    assert headers(at) == groups["group_name"].to_list()   # each unit once, most overdue first
    assert badges(at) == [f":red-badge[逾期 {row['overdue']} 项] :orange-badge[临期 {row['due_soon']} 项] "
                          ":gray-badge[尚未催办]" for row in groups.iter_rows(named=True)]
    tables = frames(at)
    assert len(tables) == groups.height
    for unit, table in zip(groups["group_name"], tables, strict=True):
        assert "单位" not in table.columns and "牵头单位" not in table.columns   # the unit is in the header
        mine = items.filter(pl.col("group_name") == unit)
        assert sorted(table["督办编号"]) == sorted(mine["code"])
        # 逾期 first, the longest overdue first, then 临期.
        late = table["逾期或剩余"].str.starts_with("逾期").to_list()
        assert late == sorted(late, reverse=True)
        assert table["催办次数"].to_list() == [0] * table.height
    assert len(at.get("popover")) == int((groups["overdue"] > 0).sum())   # 催办 where there is something red


def test_days_late_in_calendar_days_beside_working_days(ledger_file):
    calendar = WorkCalendar()
    assert calendar.is_workday(FRIDAY) and not calendar.is_workday(SATURDAY)   # the case is what we think
    at = by_unit(open_page(app_as(OFFICE, SATURDAY), "pages/overdue.py"))
    rows = pl.concat(frames(at), how="diagonal_relaxed")
    codes = {row[0] for row in query(ledger_file, "SELECT code FROM tasks WHERE deadline = ?", [FRIDAY])}
    assert len(codes) == 3
    friday = rows.filter(pl.col("督办编号").is_in(list(codes)))
    assert friday["逾期或剩余"].to_list() == ["逾期 1 天 / 0 个工作日"] * friday.height
    assert set(friday["督办编号"]) == codes

    # Not grouped: the same two figures, as numbers.
    at.radio(key="overdue_group_by").set_value("不分组").run()
    red = next(frame for frame in frames(at) if "逾期工作日" in frame.columns)
    for row in red.iter_rows(named=True):
        due = query(ledger_file, "SELECT deadline FROM tasks WHERE code = ?", [row["督办编号"]])[0][0]
        if due is not None and row["督办编号"] in codes:
            assert (row["逾期天数"], row["逾期工作日"]) == (1, 0)
        assert row["逾期天数"] >= row["逾期工作日"] >= 0


def test_the_office_chases_a_unit_from_its_header(ledger_file):
    unit = "区水利局"
    red = expected_items(ledger_file, SATURDAY).filter(
        (pl.col("group_name") == unit) & (pl.col("status") == "overdue"))["code"].to_list()
    assert len(red) >= 2
    at = by_unit(open_page(app_as(OFFICE, SATURDAY), "pages/overdue.py"))
    key = unit_key(unit)
    at.radio(key=f"overdue_way_{key}").set_value("书面")
    at.text_area(key=f"overdue_note_{key}").input("请于三个工作日内书面反馈汛前排查进展")
    at.button(key=f"overdue_chase_submit_{key}").click().run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert any(f"已书面催办{unit}的逾期事项 {len(red)} 项" in s.value for s in at.success)

    chased = query(ledger_file, """
        SELECT t.code, u.name, c.chased_on, c.way, c.note, c.chased_by
        FROM chases c JOIN tasks t USING (task_id) JOIN units u ON u.unit_id = c.unit_id ORDER BY t.code""")
    assert chased == sorted((code, unit, SATURDAY, "written", "请于三个工作日内书面反馈汛前排查进展", OFFICE)
                            for code in red)
    audited = query(ledger_file, """
            SELECT actor, entity_id, after FROM audit_log WHERE action = 'chase' AND field = 'chased_unit'
            ORDER BY entity_id""")
    assert audited == sorted((OFFICE, code, unit) for code in red)

    # The header and the items now show it: one act, however many items it covered.
    position = headers(at).index(unit)
    assert badges(at)[position].endswith(f":gray-badge[已催办 1 次，最近一次 {SATURDAY:%Y-%m-%d}]")
    table = frames(at)[position]
    counts = dict(zip(table["督办编号"], table["催办次数"], strict=True))
    assert {code: counts[code] for code in red} == dict.fromkeys(red, 1)
    assert all(counts[code] == 0 for code in counts if code not in red)   # 临期 items were not chased


def test_a_unit_account_sees_its_items_but_cannot_chase(ledger_file):
    at = by_unit(open_page(app_as(UNIT_ACCOUNT, SATURDAY), "pages/overdue.py"))
    # Its own items and those it co-handles, under their lead units.
    assert headers(at) == expected_groups(ledger_file, SATURDAY, UNIT_ACCOUNT)["group_name"].to_list()
    assert "区水利局" in headers(at) and "区交通运输局" not in headers(at)
    assert not at.get("popover") and not at.get("download_button")[:-1]   # only the Excel list
    assert [b.label for b in at.get("download_button")] == ["下载各单位逾期、临期清单（Excel）"]


@pytest.mark.parametrize("username", [OFFICE, "zhangsan", UNIT_ACCOUNT, "jiaotong"])
def test_no_none_on_the_overdue_page(ledger_file, username):
    at = open_page(app_as(username, SATURDAY), "pages/overdue.py")
    for grouping in ("按牵头单位", "按责任领导", "不分组"):
        at.radio(key="overdue_group_by").set_value(grouping).run()
        assert not at.exception, at.exception
        shown = [str(e.value) for kind in ("markdown", "caption", "success", "info", "title", "subheader", "text")
                 for e in at.get(kind)]
        shown += [str(e.label) for kind in ("tab", "expander", "button", "download_button") for e in at.get(kind)]
        shown += [str(e.proto.popover.label) for e in at.get("popover")]
        assert at.dataframe, grouping
        for frame in at.dataframe:
            shown += [str(value) for value in frame.value.astype(object).to_numpy().ravel()]
            shown += [str(column) for column in frame.value.columns]
        found = [text for text in shown if NO_WORDS.search(text)]
        assert not found, (grouping, found)


# --------------------------------------------------------------------------- the sidebar


def test_compare_date_follows_the_as_of_date_until_set(ledger_file):
    at = open_page(app_as(OFFICE, DASHBOARD_AS_OF), "pages/overview.py")
    compare = lambda: at.date_input(key="compare_with").value  # noqa: E731 - read after each run
    assert compare() == DASHBOARD_AS_OF - timedelta(days=7)
    at.date_input(key="as_of").set_value(SATURDAY).run()
    assert compare() == SATURDAY - timedelta(days=7)

    chosen = SATURDAY - timedelta(days=30)
    at.date_input(key="compare_with").set_value(chosen).run()
    open_page(at, "pages/overdue.py")          # a page without it, and back: the choice stays
    assert not [d for d in at.date_input if d.key == "compare_with"]
    open_page(at, "pages/overview.py")
    assert compare() == chosen
    assert any(f"与 {chosen:%Y年%m月%d日} 相比" in c.value for c in at.caption)

    at.date_input(key="as_of").set_value(DASHBOARD_AS_OF).run()   # 截至日期 moves: a week before it again
    assert compare() == DASHBOARD_AS_OF - timedelta(days=7)
    open_page(at, "pages/ledger.py")
    at.date_input(key="as_of").set_value(SATURDAY).run()          # also when moved on another page
    open_page(at, "pages/overview.py")
    assert compare() == SATURDAY - timedelta(days=7)


SIDEBAR_KEYS = {
    "as_of": {"as_of"},
    "compare": {"compare_with"},
    "filters": {"filter_source_kinds", "filter_sources", "filter_lead_units", "filter_leaders"},
}


def test_each_page_draws_only_the_sidebar_controls_it_reads(ledger_file):
    at = app_as(OFFICE, DASHBOARD_AS_OF)
    at.multiselect(key="filter_lead_units").set_value(["区财政局"]).run()
    for page in pages.PAGES:
        open_page(at, page.file)
        drawn = {w.key for w in at.sidebar.date_input} | {w.key for w in at.sidebar.multiselect}
        wanted = set().union(*(SIDEBAR_KEYS[control] for control in page.sidebar)) if page.sidebar else set()
        assert drawn == wanted, page.file
    # Pages without filters keep them for the pages that have them.
    open_page(at, "pages/units.py")
    assert at.multiselect(key="filter_lead_units").value == ["区财政局"]
    assert not {w.key for page in ("pages/upload.py", "pages/audit.py")
                for w in open_page(at, page).sidebar.date_input}


# --------------------------------------------------------------------------- bundled, in Chinese


def test_the_uploader_states_the_true_limit_in_chinese(ledger_file):
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == DEFAULT_MAX_UPLOAD_MB
    assert query(ledger_file, "SELECT value FROM settings WHERE key = 'max_upload_mb'") == [(str(DEFAULT_MAX_UPLOAD_MB),)]
    at = open_page(app_as(OFFICE, DASHBOARD_AS_OF), "pages/upload.py")
    [uploader] = at.get("file_uploader")
    assert uploader.proto.max_upload_size_mb == DEFAULT_MAX_UPLOAD_MB
    assert f"单个文件不超过 {DEFAULT_MAX_UPLOAD_MB} MB" in uploader.proto.label
    assert "stFileUploaderDropzoneInstructions" in look.STYLE.read_text(encoding="utf-8")

    # The office raises the limit: the widget follows the setting.
    con = open_ledger(ledger_file)
    try:
        con.execute("UPDATE settings SET value = '50' WHERE key = 'max_upload_mb'")
    finally:
        con.close()
    st.cache_data.clear()
    [uploader] = open_page(at, "pages/upload.py").get("file_uploader")
    assert uploader.proto.max_upload_size_mb == 50 and "单个文件不超过 50 MB" in uploader.proto.label


def test_the_page_icon_is_a_bundled_file():
    assert look.ICON.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    source = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    assert "page_icon" not in source and "look.page_setup()" in source
