"""The office's daily cycle through the real dashboard (AppTest), page forms only (issue 11):
a unit claims → the office's 待办 shows it → 核查 → 销号; a unit asks for an extension → 待办 →
the office refuses; a rectification closed → its 回头看 falls due in 待办 → 反弹 → the item is
reopened and shown on 整改跟踪. And the figures those pages show: 待办 counts as
ledger.queries.queue_counts gives them, 单位排名 and 领导督办 without "None"."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl
import pytest
from conftest import build_dashboard_ledger, dashboard_reads, signed_in_app
from streamlit.testing.v1 import AppTest

from ledger import accounts
from ledger import queries as views
from ledger.db import open_ledger
from ledger.vocabulary import CLAIM_PENDING_LABEL, QUEUE_COUNT_LABELS

TODAY = date.today()   # the page forms act on today, as the office does


@pytest.fixture
def ledger(tmp_path, monkeypatch):
    """A private copy of the dashboard test ledger; the river task (区水利局) is given a deadline
    a month from today, so that its unit may still ask for an extension."""
    path = build_dashboard_ledger(tmp_path / "ledger.duckdb")
    con = duckdb.connect(str(path))
    con.execute("UPDATE tasks SET deadline = ? WHERE content = '完成河道综合整治验收'", [TODAY + timedelta(days=30)])
    con.close()
    with dashboard_reads(path, monkeypatch):
        yield path


def query(path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def code_of(path, content: str) -> str:
    return query(path, "SELECT code FROM tasks WHERE content = ?", [content])[0][0]


def queue_counts(path, username: str, as_of: date = TODAY) -> dict[str, int]:
    con = open_ledger(path)
    try:
        return views.queue_counts(con, accounts.get_user(con, username), as_of)
    finally:
        con.close()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def press(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    button.click().run()
    return ok(at)


def open_task(at: AppTest, code: str) -> AppTest:
    at.switch_page("pages/ledger.py").run()
    at.text_input(key="ledger_code").input(code).run()
    return ok(at)


def frames(at: AppTest) -> list[pl.DataFrame]:
    return [pl.from_pandas(d.value) for d in at.dataframe]


def queue_page(username: str, as_of: date | None = None) -> AppTest:
    at = ok(signed_in_app(username, as_of=as_of).run())
    at.switch_page("pages/queue.py").run()
    return ok(at)


def offered(at: AppTest, code: str) -> bool:
    """Whether the 办理 pick offers the task (options are shown as "[待核查] CODE　content")."""
    return any(f" {code}\u3000" in option for option in at.selectbox(key="queue_pick").options)


def tab_labels(at: AppTest) -> list[str]:
    return [tab.label for tab in at.tabs]


def shows_counts(at: AppTest, counts: dict[str, int]) -> None:
    """The queue tabs carry the counts the ledger function gives."""
    labels = tab_labels(at)
    for queue, count in counts.items():
        assert f"{QUEUE_COUNT_LABELS[queue]}（{count}）" in labels, (queue, count, labels)


def test_claim_queue_verify_close(ledger):
    code = code_of(ledger, "完成河道综合整治验收")
    before = queue_counts(ledger, "ducha")

    unit = open_task(signed_in_app("shuili").run(), code)
    unit.text_area(key="action_claim_text").input("河道整治工程已通过竣工验收，附验收报告")
    press(unit, "申请办结")
    assert "办结申请已提交，待督查室核查。" in [s.value for s in unit.success]
    # Claimed is not done: the ledger lists it beside its status until verified.
    [listed] = [f for f in frames(unit) if "督办编号" in f.columns]
    row = listed.filter(pl.col("督办编号") == code)
    assert row["办结申请"].to_list() == [CLAIM_PENDING_LABEL]
    assert CLAIM_PENDING_LABEL not in {str(v) for v in row["状态"].to_list()}

    after = queue_counts(ledger, "ducha")
    assert after["to_verify"] == before["to_verify"] + 1
    office = queue_page("ducha")
    shows_counts(office, after)
    waiting = [f for f in frames(office) if "申请办结日期" in f.columns]
    assert waiting and code in waiting[0]["督办编号"].to_list()
    assert offered(office, code)
    office.selectbox(key="queue_pick").set_value(code).run()
    ok(office)
    assert "核查" in tab_labels(office)
    office.text_area(key="action_verify_note").input("现场核查，验收报告属实")
    press(office, "提交核查结果")
    assert "核查通过，事项已办结销号。" in [s.value for s in office.success]
    assert query(ledger, "SELECT lifecycle, closed_date FROM tasks WHERE code = ?", [code]) == [("closed", TODAY)]
    assert query(ledger, "SELECT result, verifier FROM verifications v JOIN tasks t USING (task_id) WHERE t.code = ?",
                 [code]) == [("passed", "ducha")]
    final = queue_counts(ledger, "ducha")
    assert final["to_verify"] == before["to_verify"]
    shows_counts(office, final)
    assert not offered(office, code)


def test_extension_queue_refuse(ledger):
    code = code_of(ledger, "完成河道综合整治验收")
    before = queue_counts(ledger, "ducha")

    unit = open_task(signed_in_app("shuili").run(), code)
    unit.date_input(key="action_extension_date").set_value(TODAY + timedelta(days=75))
    unit.text_area(key="action_extension_reason").input("汛期无法施工，需顺延至汛后")
    press(unit, "申请延期")
    assert "延期申请已提交，待督查室审批。" in [s.value for s in unit.success]
    unit_queue = queue_page("shuili")
    assert code in [c for f in frames(unit_queue) if "申请" in f.columns for c in f["督办编号"].to_list()]

    office = queue_page("ducha")
    shows_counts(office, {"to_approve": before["to_approve"] + 1})
    office.selectbox(key="queue_pick").set_value(code).run()
    ok(office)
    assert "延期审批" in tab_labels(office)
    office.radio(key="action_decide_result").set_value("不同意延期")
    office.text_area(key="action_decide_note").input("理由不充分，请按原时限推进")
    press(office, "提交审批")
    assert "已不同意延期。" in [s.value for s in office.success]
    assert query(ledger, "SELECT decision, decided_by, decision_note FROM extensions e JOIN tasks t USING (task_id) "
                         "WHERE t.code = ?", [code]) == [("rejected", "ducha", "理由不充分，请按原时限推进")]
    shows_counts(office, {"to_approve": before["to_approve"]})


def test_rectification_closed_lookback_due_rebound_reopened(ledger):
    code = code_of(ledger, "项目未按期验收")   # 审计整改, 区住建局
    office = open_task(signed_in_app("ducha").run(), code)
    office.text_area(key="action_verify_note").input("已完成竣工验收")
    press(office, "提交核查结果")
    assert query(ledger, "SELECT lifecycle FROM tasks WHERE code = ?", [code]) == [("closed",)]

    # Not due today; due once the 回头看 period (3 months by default) has passed.
    assert not offered(queue_page("ducha"), code)
    later = TODAY + timedelta(days=100)
    due = queue_counts(ledger, "ducha", later)
    at = queue_page("ducha", later)
    shows_counts(at, {"lookbacks_due": due["lookbacks_due"]})
    assert due["lookbacks_due"] >= 1
    at.selectbox(key="queue_pick").set_value(code).run()
    ok(at)
    at.radio(key="queue_lookback_result").set_value("rebounded")
    at.text_area(key="queue_lookback_note").input("回访发现验收后又出现渗漏")
    at.date_input(key="queue_lookback_deadline").set_value(TODAY + timedelta(days=60))
    press(at, "记录回头看")
    assert any("反弹，事项已重新打开" in s.value for s in at.success)
    assert query(ledger, "SELECT lifecycle, deadline FROM tasks WHERE code = ?", [code]) == [
        ("open", TODAY + timedelta(days=60))]
    assert query(ledger, "SELECT result, recorded_by FROM lookbacks l JOIN tasks t USING (task_id) WHERE t.code = ? "
                         "AND l.recorded_by <> 'system'", [code]) == [("rebounded", "ducha")]
    assert queue_counts(ledger, "ducha", later)["lookbacks_due"] == due["lookbacks_due"] - 1

    at.switch_page("pages/rectification.py").run()
    ok(at)
    rebounded = [f for f in frames(at) if "反弹次数" in f.columns]
    assert rebounded and code in rebounded[0]["督办编号"].to_list()


def test_the_overview_shows_the_queue_counts_of_the_ledger(ledger):
    for username in ("ducha", "shuili"):
        at = ok(signed_in_app(username).run())
        metrics = {m.label: m.value for m in at.metric}
        for queue, count in queue_counts(ledger, username).items():
            assert metrics[QUEUE_COUNT_LABELS[queue]] == f"{count:,}", (username, queue)
        assert any(caption.value.startswith("按期办结率 = 按期办结") for caption in at.caption) or username == "shuili"


@pytest.mark.parametrize("page", ["pages/units.py", "pages/leaders.py", "pages/overview.py"])
def test_no_none_on_the_rankings(ledger, page):
    """Units with nothing finished and leaders without a title show "—" or blank, never None."""
    at = ok(signed_in_app("ducha").run())
    at.switch_page(page).run()
    ok(at)
    shown = frames(at)
    assert shown
    for frame in shown:
        for column in frame.columns:
            values = frame[column].to_list()
            assert None not in values, (page, column)
            assert not {"None", "nan", "null"} & {str(v) for v in values}, (page, column)
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [str(m.value) for m in at.metric]
    assert not any("None" in text for text in texts), page


def test_chases_and_notices_show_on_the_unit_and_leader_rows(ledger):
    from ledger import supervision

    river = code_of(ledger, "完成河道综合整治验收")   # 区水利局, responsible leader 李四
    con = open_ledger(ledger)
    try:
        office = accounts.get_user(con, "ducha")
        supervision.record_chase(con, office, river, "电话", note="请加快验收", on=TODAY - timedelta(days=3))
        supervision.record_chase(con, office, river, "书面", note="发催办单", on=TODAY)
        supervision.record_unit_notice(con, office, "区水利局", "批评", codes=[river], note="验收进度滞后", on=TODAY)
    finally:
        con.close()
    at = ok(signed_in_app("ducha").run())
    at.switch_page("pages/units.py").run()
    ok(at)
    [ranking] = [f for f in frames(at) if "被催办事项" in f.columns]
    row = ranking.filter(pl.col("单位") == "区水利局").row(0, named=True)
    assert (row["催办次数"], row["被催办事项"]) == (2, 1)
    assert row["通报/约谈"] == f"{TODAY:%Y-%m-%d} 批评"
    others = ranking.filter(pl.col("单位") != "区水利局")
    assert set(others["催办次数"].to_list()) == {0} and set(others["通报/约谈"].to_list()) == {""}

    at.switch_page("pages/leaders.py").run()
    ok(at)
    at.selectbox(key="leaders_pick").set_value("李四").run()
    ok(at)
    [tasks] = [f for f in frames(at) if "催办次数" in f.columns and "督办编号" in f.columns]
    assert tasks.filter(pl.col("督办编号") == river)["催办次数"].to_list() == [2]


def test_the_unit_status_chart_is_red_only_for_overdue():
    """牵头单位 × 办理状态: one bar segment per status in its own colour, the units with the most
    overdue first, at most `limit` of them (the heat map coloured every column red)."""
    from ledger.vocabulary import STATUS_LABELS
    from ui.charts import unit_status_bars
    from ui.palette import STATUS_COLORS

    frame = pl.DataFrame({
        "unit": ["区财政局", "区财政局", "区住建局", "区住建局", "区水利局", "区人社局"],
        "status": ["on_track", "overdue", "overdue", "done_on_time", "on_track", "overdue"],
        "tasks": [40, 1, 3, 2, 9, 2],
    })
    figure = unit_status_bars(frame, limit=3)
    by_name = {trace.name: trace for trace in figure.data}
    assert set(by_name) == {STATUS_LABELS[s] for s in ("on_track", "overdue", "done_on_time")}
    for status, label in STATUS_LABELS.items():
        if label in by_name:
            assert by_name[label].marker.color == STATUS_COLORS[status]
    red = [name for name, trace in by_name.items() if trace.marker.color == STATUS_COLORS["overdue"]]
    assert red == ["逾期"]
    assert list(by_name["逾期"].y) == ["区住建局", "区人社局", "区财政局"]   # most overdue first; 区水利局 left out
    assert list(by_name["逾期"].x) == [3, 2, 1] and list(by_name["正常推进"].x) == [0, 0, 40]


def test_the_office_chases_a_task_from_its_forms(ledger):
    river = code_of(ledger, "完成河道综合整治验收")
    at = open_task(signed_in_app("ducha").run(), river)
    at.radio(key="action_chase_way").set_value("written")
    at.text_area(key="action_chase_note").input("请于3个工作日内书面反馈验收进度")
    press(at, "记录催办")
    assert "催办已记录。" in [s.value for s in at.success]
    assert query(ledger, "SELECT c.way, c.chased_by, c.chased_on, u.name FROM chases c JOIN tasks t USING (task_id) "
                         "JOIN units u ON u.unit_id = c.unit_id WHERE t.code = ?", [river]) == [
        ("written", "ducha", TODAY, "区水利局")]
    unit = open_task(signed_in_app("shuili").run(), river)
    assert "催办" not in tab_labels(unit)   # a unit is chased; it does not chase
