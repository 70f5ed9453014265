"""The task's detail on 任务台账 names every leader the list named (task_leaders, issue 9), in
the order written and as written, title and all — not only the first; and a late task's
calendar days beside its working days (H6)."""

from __future__ import annotations

from datetime import date

import pytest
import streamlit as st
from conftest import TEST_ACCOUNTS, add_account, signed_in_app

from etl.importer import InputFile, LoadOptions, import_files
from ledger.access import system_user
from ledger.db import open_ledger
from ledger.queries import task_detail

AS_OF = date(2026, 6, 15)
LIST = [
    "序号,议定事项,牵头单位,责任领导,完成时限",
    '1,推进城区学校扩容,区教育局,"常务副区长赵刚，副区长王海",2026年8月31日前',
    '2,完成招商引资项目签约,区商务局,"张伟、李娜",2026年9月30日前',
    "3,开展燃气安全专项整治,区应急管理局,王海副区长,2026年7月31日前",
    '4,推进农村人居环境整治,区农业农村局,"李娜、副区长王海、张伟",2026年12月31日前',
    "5,做好防汛备汛工作,区水利局,,2026年5月31日前",
]
OPTIONS = LoadOptions(source_kind="常务会议", source_title="区政府第18次常务会议", source_date=date(2026, 4, 20),
                      today=AS_OF)
# As the list writes them, in its order; the CSV's separators (，、) are not part of a name.
EXPECTED = {
    "1": ["常务副区长赵刚", "副区长王海"],
    "2": ["张伟", "李娜"],
    "3": ["王海副区长"],
    "4": ["李娜", "副区长王海", "张伟"],
    "5": [],
}


def load_list(con) -> dict[str, str]:
    result = import_files(con, [InputFile("第18次常务会议.csv", ("\n".join(LIST) + "\n").encode())], OPTIONS)
    assert result.committed, result.files[0].errors
    return dict(con.execute("SELECT item, code FROM tasks").fetchall())


def test_task_detail_gives_every_leader_in_order_as_written(ledger):
    codes = load_list(ledger)
    for item, leaders in EXPECTED.items():
        task = task_detail(ledger, system_user(), AS_OF, codes[item])["task"]
        assert task["leaders"].to_list() == [leaders], item
    # The first is still the one responsible leader, by name alone.
    first = task_detail(ledger, system_user(), AS_OF, codes["1"])["task"]
    assert first["leader"].to_list() == ["赵刚"]


def test_a_task_entered_without_task_leaders_shows_its_one_leader(ledger):
    codes = load_list(ledger)
    ledger.execute("DELETE FROM task_leaders WHERE task_id = (SELECT task_id FROM tasks WHERE item = '2')")
    task = task_detail(ledger, system_user(), AS_OF, codes["2"])["task"]
    assert task["leaders"].to_list() == [["张伟"]]


@pytest.fixture
def detail_app(tmp_path, monkeypatch):
    path = tmp_path / "ledger.duckdb"
    con = open_ledger(path)
    try:
        codes = load_list(con)
        add_account(con, "ducha", *TEST_ACCOUNTS["ducha"])
    finally:
        con.close()
    monkeypatch.setenv("LEDGER_DB", str(path))
    st.cache_data.clear()
    at = signed_in_app("ducha", as_of=AS_OF)
    at.run()
    at.switch_page("pages/ledger.py").run()
    return at, codes


def test_the_ledger_page_shows_every_leader(detail_app):
    at, codes = detail_app
    for item, leaders in EXPECTED.items():
        at.text_input(key="ledger_code").set_value(codes[item]).run()
        assert not at.exception, [e.value for e in at.exception]
        shown = [t.value for t in at.text if t.value.startswith("牵头单位：")]
        assert len(shown) == 1
        assert f"责任领导：{'、'.join(leaders) or '—'}" in shown[0].splitlines(), (item, shown[0])


def test_the_ledger_page_shows_days_late_in_calendar_and_working_days(detail_app):
    at, codes = detail_app
    at.text_input(key="ledger_code").set_value(codes["5"]).run()   # due Sunday 31 May, open
    con = open_ledger(__import__("os").environ["LEDGER_DB"], read_only=True)
    try:
        task = task_detail(con, system_user(), AS_OF, codes["5"])["task"].row(0, named=True)
    finally:
        con.close()
    assert task["overdue_days"] == (AS_OF - date(2026, 5, 31)).days == 15
    assert 0 < task["overdue_workdays"] < 15
    shown = [t.value for t in at.text if t.value.startswith("状态：")]
    assert f"逾期：15 天（{task['overdue_workdays']} 个工作日）" in shown[0].splitlines()
