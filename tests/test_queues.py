"""待办 (issue 11): each role's queues and their counts (ledger.queries.queue_counts, queue_items),
following the lifecycle actions on the dashboard test ledger; the same figures from the CLI's
`queue`; 已申请办结（待核查） beside the status on the lists until the claim is decided."""

from __future__ import annotations

import json
from datetime import date, timedelta

import polars as pl
import pytest
from conftest import DASHBOARD_AS_OF, add_account, build_dashboard_ledger

from etl.__main__ import main
from ledger import accounts, actions
from ledger import queries as views
from ledger.db import open_ledger
from ledger.vocabulary import QUEUE_COUNT_LABELS

DAY = DASHBOARD_AS_OF   # 2026-06-15, a Monday


@pytest.fixture
def built(tmp_path):
    path = build_dashboard_ledger(tmp_path / "ledger.duckdb")
    con = open_ledger(path)
    yield path, con
    con.close()


@pytest.fixture
def con(built):
    return built[1]


def user(con, username):
    return accounts.get_user(con, username)


def code_of(con, content: str) -> str:
    return con.execute("SELECT code FROM tasks WHERE content = ?", [content]).fetchone()[0]


def counts(con, username, day=DAY) -> dict[str, int]:
    return views.queue_counts(con, user(con, username), day)


def codes(con, username, queue, day=DAY) -> list[str]:
    return views.queue_items(con, user(con, username), day, queue)["code"].to_list()


def test_each_role_has_its_queues_and_every_count_is_its_list(con):
    for username, keys in (("ducha", views.OFFICE_QUEUES), ("wangwu", views.OFFICE_QUEUES),
                           ("zhangsan", views.OFFICE_QUEUES), ("shuili", views.UNIT_QUEUES)):
        found = counts(con, username)
        assert tuple(found) == keys, username
        for queue, count in found.items():
            assert count == len(codes(con, username, queue)), (username, queue)
            assert QUEUE_COUNT_LABELS[queue]
    assert [QUEUE_COUNT_LABELS[q] for q in views.OFFICE_QUEUES] == ["待核查", "待审批", "待回头看", "未按期报送"]
    with pytest.raises(ValueError):
        views.queue_items(con, user(con, "ducha"), DAY, "everything")


def test_a_claim_waits_for_verification_is_returned_and_claimed_again(con):
    river = code_of(con, "完成河道综合整治验收")   # led by 区水利局, deadline 2026-06-17
    office, unit = user(con, "ducha"), user(con, "shuili")
    before, unit_before = counts(con, "ducha"), counts(con, "shuili")
    assert river not in codes(con, "ducha", "to_verify")

    actions.claim_done(con, unit, river, "河道整治工程已通过竣工验收", done_date=DAY, report_date=DAY)
    assert counts(con, "ducha")["to_verify"] == before["to_verify"] + 1
    assert river in codes(con, "ducha", "to_verify")
    assert counts(con, "shuili")["pending_requests"] == unit_before["pending_requests"] + 1
    # 区财政局 has no part in the river task: its queue does not show it.
    assert river not in codes(con, "caizheng", "pending_requests")

    actions.verify(con, office, river, False, "验收资料缺少监理意见", on=DAY)
    assert counts(con, "ducha")["to_verify"] == before["to_verify"]
    assert codes(con, "shuili", "returned") == [river]
    returned = views.queue_items(con, unit, DAY, "returned").row(0, named=True)
    assert returned["return_reason"] == "验收资料缺少监理意见"

    actions.claim_done(con, unit, river, "已补充监理意见", done_date=DAY, report_date=DAY)
    assert codes(con, "shuili", "returned") == []
    assert river in codes(con, "ducha", "to_verify")
    actions.verify(con, office, river, True, "现场核查属实", on=DAY)
    assert river not in codes(con, "ducha", "to_verify")
    assert counts(con, "shuili")["pending_requests"] == unit_before["pending_requests"]


def test_an_extension_request_waits_for_a_decision(con):
    river = code_of(con, "完成河道综合整治验收")
    before = counts(con, "ducha")["to_approve"]
    actions.request_extension(con, user(con, "shuili"), river, date(2026, 7, 31), "汛期施工受阻", on=DAY)
    assert counts(con, "ducha")["to_approve"] == before + 1
    [request] = views.queue_items(con, user(con, "ducha"), DAY, "to_approve").filter(
        pl.col("code") == river).iter_rows(named=True)
    assert (request["new_deadline"], request["filed_late"]) == (date(2026, 7, 31), False)
    actions.decide_task_extension(con, user(con, "ducha"), river, False, "理由不充分", on=DAY)
    assert counts(con, "ducha")["to_approve"] == before


def test_a_closed_rectification_is_due_for_its_lookback_three_months_on(con):
    item = code_of(con, "项目未按期验收")   # 审计整改, 区住建局
    actions.verify(con, user(con, "ducha"), item, True, "已完成验收", on=DAY)
    months = 3
    due = date(DAY.year, DAY.month + months, DAY.day)
    assert item not in codes(con, "ducha", "lookbacks_due", due - timedelta(days=1))
    assert item in codes(con, "ducha", "lookbacks_due", due)
    assert item in codes(con, "wangwu", "lookbacks_due", due)        # the principal leader reads it
    assert "lookbacks_due" not in counts(con, "shuili", due)          # a unit's queues are its own


def test_reports_missing_and_due_follow_the_cycle(con):
    task = code_of(con, "常态化开展安全生产排查")   # 长期坚持, assigned 2026-03-02
    con.execute("UPDATE tasks SET report_cycle = 'monthly' WHERE code = ?", [task])
    # No report since 03-02: the first was due a month on (04-02), so on 06-15 it is missing.
    assert task in codes(con, "ducha", "reports_missing")
    [row] = views.queue_items(con, user(con, "ducha"), DAY, "reports_missing").filter(
        pl.col("code") == task).iter_rows(named=True)
    assert row["report_due"] == date(2026, 4, 2) and row["report_days_late"] == (DAY - date(2026, 4, 2)).days
    actions.submit_progress(con, user(con, "ducha"), task, "5月排查隐患12处，已整改10处", report_date=date(2026, 6, 10))
    assert task not in codes(con, "ducha", "reports_missing")
    # Next report 07-10 (a Friday): not due the week of 06-15, due the week of 07-06, late after.
    add_account(con, "yingji", "unit", "区应急局")   # its lead unit
    assert task not in codes(con, "yingji", "reports_due", DAY)
    assert task in codes(con, "yingji", "reports_due", date(2026, 7, 6))
    assert task not in codes(con, "ducha", "reports_missing", date(2026, 7, 10))
    assert task in codes(con, "ducha", "reports_missing", date(2026, 7, 11))
    assert views.week_end(date(2026, 7, 6)) == date(2026, 7, 12)


def test_a_claim_shows_beside_the_status_on_the_lists_until_verified(con):
    river = code_of(con, "完成河道综合整治验收")
    office = user(con, "ducha")

    def flags() -> dict[str, bool]:
        ledger = views.ledger(con, office, DAY, views.EVERY_TASK)
        return dict(zip(ledger["code"], ledger["claim_pending"], strict=True))

    assert not flags()[river]
    actions.claim_done(con, user(con, "shuili"), river, "工程已验收", done_date=DAY, report_date=DAY)
    assert flags()[river]
    # The status is untouched: still open, judged by its deadline.
    [row] = views.ledger(con, office, DAY, views.EVERY_TASK, query=river).iter_rows(named=True)
    assert row["status"] not in ("done_on_time", "done_late")
    leader_rows = views.leader_tasks(con, office, DAY, views.EVERY_TASK, "李四")
    assert dict(zip(leader_rows["code"], leader_rows["claim_pending"], strict=True))[river]
    # Before the claim was made (as of an earlier day) nothing shows.
    earlier = views.ledger(con, office, DAY - timedelta(days=1), views.EVERY_TASK, query=river)
    assert not earlier["claim_pending"][0]
    actions.verify(con, office, river, True, "属实", on=DAY)
    assert not flags()[river]


def test_the_command_line_queue_gives_the_same_counts(built, capsys):
    path, con = built
    river = code_of(con, "完成河道综合整治验收")
    actions.claim_done(con, user(con, "shuili"), river, "工程已验收", done_date=DAY, report_date=DAY)
    expected = {"ducha": counts(con, "ducha"), "shuili": counts(con, "shuili")}
    con.close()
    for username, wanted in expected.items():
        capsys.readouterr()
        assert main(["queue", "--as", username, "--db", str(path), "--date", DAY.isoformat(), "--json"]) == 0
        answer = json.loads(capsys.readouterr().out)
        assert answer["queues"] == wanted
        assert all(QUEUE_COUNT_LABELS[queue] in answer["message"] for queue in wanted)
