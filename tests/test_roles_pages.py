"""Signing in and the three roles through the real dashboard (AppTest) on the dashboard test
ledger: the login form, lockout, expiry, sign-out, and that a unit account reaches no other
unit's task by any page, filter, search or typed 督办编号."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import polars as pl
import pytest
import streamlit as st
from conftest import DASHBOARD, DASHBOARD_AS_OF, TEST_PASSWORD, build_dashboard_ledger, signed_in_app
from streamlit.testing.v1 import AppTest

from ui.auth import ACTIVE_KEY, USER_KEY

CONTENT_PAGES = ["pages/overview.py", "pages/overdue.py", "pages/rectification.py", "pages/ledger.py"]


@pytest.fixture
def ledger(tmp_path, monkeypatch):
    """A private copy of the dashboard test ledger (these tests write logins to it)."""
    path = build_dashboard_ledger(tmp_path / "ledger.duckdb")
    monkeypatch.setenv("LEDGER_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()


def query(path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def codes_of_unit(path, unit: str) -> set[str]:
    return {row[0] for row in query(path, """
        SELECT DISTINCT t.code FROM tasks t JOIN task_units tu USING (task_id) JOIN units u USING (unit_id)
        WHERE u.name = ? AND t.assigned_date <= ?""", [unit, DASHBOARD_AS_OF])}


def all_codes(path) -> set[str]:
    return {row[0] for row in query(path, "SELECT code FROM tasks")}


def log_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()   # the form's submit button
    return at


def page_titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def frames(at: AppTest) -> list[pl.DataFrame]:
    return [pl.from_pandas(d.value) for d in at.dataframe]


def test_nobody_signed_in_sees_only_the_login_form(ledger):
    at = AppTest.from_file(DASHBOARD, default_timeout=30).run()
    assert not at.exception
    assert at.text_input(key="login_username") is not None
    assert not at.dataframe and not at.metric
    assert "督查总览" not in page_titles(at)


def test_login_wrong_then_right_password_is_audited(ledger):
    at = AppTest.from_file(DASHBOARD, default_timeout=30).run()
    log_in(at, "ducha", "wrong-password-1")
    assert [e.value for e in at.error] == ["用户名或密码错误"]
    log_in(at, "nobody", "wrong-password-1")
    assert [e.value for e in at.error] == ["用户名或密码错误"]
    log_in(at, "ducha", TEST_PASSWORD)
    assert not at.exception and not at.error
    assert page_titles(at) == ["督查总览"]
    actions = [row[0] for row in query(ledger, "SELECT action FROM audit_log WHERE entity = 'user' AND action <> 'rehash' ORDER BY audit_id")]
    assert actions[-3:] == ["login_failed", "login_failed", "login"]


def test_lockout_after_repeated_failures(ledger):
    at = AppTest.from_file(DASHBOARD, default_timeout=30).run()
    for _ in range(5):
        log_in(at, "shuili", "not-the-password-9")
    log_in(at, "shuili", TEST_PASSWORD)   # the right password no longer helps
    assert "账号已锁定" in at.error[0].value
    assert page_titles(at) == ["督查督办台账"]
    assert query(ledger, "SELECT count(*) FROM audit_log WHERE action = 'locked' AND entity_id = 'shuili'")[0][0] == 1


def test_session_expires_when_idle(ledger):
    at = signed_in_app("ducha").run()
    assert page_titles(at) == ["督查总览"]
    at.session_state[ACTIVE_KEY] = datetime.now() - timedelta(hours=1)
    at.run()
    assert page_titles(at) == ["督查督办台账"]
    assert any("登录已超时" in info.value for info in at.info)
    assert query(ledger, "SELECT after FROM audit_log WHERE action = 'logout' AND entity_id = 'ducha'") == [("会话超时",)]


def test_sign_out(ledger):
    at = signed_in_app("zhangsan").run()
    at.button(key="logout").click().run()
    assert page_titles(at) == ["督查督办台账"]
    assert USER_KEY not in at.session_state
    assert query(ledger, "SELECT after FROM audit_log WHERE action = 'logout' AND entity_id = 'zhangsan'") == [("主动退出",)]


def test_a_disabled_account_is_signed_out_at_once(ledger):
    from ledger import accounts
    from ledger.access import system_user
    from ledger.db import ledger_writer

    at = signed_in_app("caizheng").run()
    assert page_titles(at) == ["督查总览"]
    with ledger_writer(ledger) as con:
        accounts.disable_user(con, system_user(), "caizheng")
    at.run()
    assert page_titles(at) == ["督查督办台账"]


PAGE_TITLES = {
    "pages/overview.py": "督查总览", "pages/overdue.py": "逾期预警", "pages/rectification.py": "整改跟踪",
    "pages/ledger.py": "任务台账", "pages/leaders.py": "领导督办", "pages/units.py": "单位排名",
    "pages/upload.py": "数据导入", "pages/audit.py": "操作日志",
}


@pytest.mark.parametrize("username, pages", [
    ("ducha", {"督查总览", "逾期预警", "整改跟踪", "任务台账", "领导督办", "单位排名", "数据导入", "操作日志"}),
    ("wangwu", {"督查总览", "逾期预警", "整改跟踪", "任务台账", "领导督办", "单位排名"}),
    ("zhangsan", {"督查总览", "逾期预警", "整改跟踪", "任务台账", "领导督办", "单位排名"}),
    ("shuili", {"督查总览", "逾期预警", "整改跟踪", "任务台账"}),
])
def test_each_role_is_offered_exactly_its_pages(ledger, username, pages):
    at = signed_in_app(username).run()
    reached = set()
    for page, title in PAGE_TITLES.items():
        try:
            at.switch_page(page).run()
        except ValueError as error:   # AppTest: the page is not in this user's navigation
            assert "Could not find a navigation page" in str(error)
            continue
        assert not at.exception and not at.error, (page, at.exception, [e.value for e in at.error])
        assert page_titles(at)[0] == title
        reached.add(title)
    assert reached == pages


@pytest.mark.parametrize("username, unit", [("shuili", "区水利局"), ("caizheng", "区财政局")])
def test_a_unit_reads_no_other_units_task_on_any_page(ledger, username, unit):
    own = codes_of_unit(ledger, unit)
    others = all_codes(ledger) - codes_of_unit(ledger, unit)
    assert own and others
    at = signed_in_app(username).run()
    at.date_input(key="as_of").set_value(DASHBOARD_AS_OF).run()
    for page in CONTENT_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        for frame in frames(at):
            for column in ("督办编号", "code"):
                if column in frame.columns:
                    assert set(frame[column].to_list()) <= own, (page, column)
        text = " ".join(str(element.value) for element in at.markdown) + " ".join(str(c.value) for c in at.caption)
        assert not any(code in text for code in others), page
    # Searching for another unit's task, or typing its code, shows nothing of it.
    at.switch_page("pages/ledger.py").run()
    for code in sorted(others):
        at.text_input(key="ledger_query").input(code).run()
        assert not any(code in frame.to_pandas().to_string() for frame in frames(at))
        at.text_input(key="ledger_query").input("").run()
        at.text_input(key="ledger_code").input(code).run()
        assert not at.exception
        assert any("没有督办编号" in w.value for w in at.warning), code
    # Every sidebar filter offers only the unit's own sources and lead units.
    sources = at.sidebar.multiselect(key="filter_sources").options
    own_sources = {row[0] for row in query(ledger, """
        SELECT DISTINCT s.title FROM sources s JOIN tasks t USING (source_id) JOIN task_units tu USING (task_id)
        JOIN units u USING (unit_id) WHERE u.name = ?""", [unit])}
    assert set(sources) <= own_sources


def test_a_unit_cannot_import_or_read_the_audit_log_even_by_running_the_page(ledger):
    for page, message in (("pages/upload.py", "只有督查室账号可以导入台账。"),
                          ("pages/audit.py", "只有督查室账号可以查看操作日志。")):
        at = AppTest.from_file(str(__import__("pathlib").Path(DASHBOARD).parent / page), default_timeout=30)
        at.session_state[USER_KEY] = "shuili"
        at.run()
        assert [e.value for e in at.error] == [message]
        assert not at.get("file_uploader") and not at.dataframe


def code_of(path, content: str) -> str:
    return query(path, "SELECT code FROM tasks WHERE content = ?", [content])[0][0]


def open_task(at: AppTest, code: str) -> AppTest:
    at.switch_page("pages/ledger.py").run()
    at.text_input(key="ledger_code").input(code).run()
    assert not at.exception, at.exception
    return at


def press(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    button.click().run()
    assert not at.exception, at.exception
    return at


def tab_labels(at: AppTest) -> list[str]:
    return [tab.label for tab in at.tabs]


def test_unit_reports_and_claims_then_the_office_verifies(ledger):
    code = code_of(ledger, "完成河道综合整治验收")   # led by 区水利局
    unit = open_task(signed_in_app("shuili").run(), code)
    assert tab_labels(unit) == ["报送进展", "申请办结", "申请延期"]
    unit.text_area(key="action_progress_text").input("已完成验收资料汇编")
    press(unit, "报送进展")
    assert "进展已报送。" in [s.value for s in unit.success]
    unit.text_area(key="action_claim_text").input("工程已通过竣工验收")
    press(unit, "申请办结")
    assert query(ledger, "SELECT reported_by, claims_done, claim_state FROM progress p JOIN tasks t USING (task_id) "
                         "WHERE t.code = ? ORDER BY progress_id", [code])[-2:] == [
        ("shuili", False, None), ("shuili", True, "pending")]

    leader = open_task(signed_in_app("wangwu").run(), code)
    assert tab_labels(leader) == ["批示"]
    leader.text_area(key="action_comment_text").input("请督查室尽快核查")
    press(leader, "提交批示")
    assert query(ledger, "SELECT author, kind FROM task_comments") == [("wangwu", "批示")]

    office = open_task(signed_in_app("ducha").run(), code)
    assert "核查" in tab_labels(office)
    assert any("待审核" in info.value for info in office.info)
    office.text_area(key="action_verify_note").input("现场核查属实")
    press(office, "提交核查结果")
    assert query(ledger, "SELECT lifecycle FROM tasks WHERE code = ?", [code]) == [("closed",)]
    actors = {row[0] for row in query(ledger, "SELECT DISTINCT actor FROM audit_log WHERE entity <> 'user'")}
    assert {"shuili", "wangwu", "ducha"} <= actors


def test_a_unit_cannot_act_on_a_task_it_only_sees_through_nothing(ledger):
    """区水利局 has no part in 区财政局's 预算调整 task: no detail, no forms."""
    code = code_of(ledger, "完成财政专项资金清理")
    at = open_task(signed_in_app("shuili").run(), code)
    assert any("没有督办编号" in w.value for w in at.warning)
    assert not at.tabs and not at.text_area
