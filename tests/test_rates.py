"""Rates that do not flatter (issue 11): 按期办结率 = 按期办结 / (已办结 + 逾期未办结) as of a date,
against the deadline in force and against the one first set, 逾期后补办 late in both, the same
numbers on 督查总览, 单位排名 and 领导督办. A small ledger whose every count is worked out by hand
below, task by task."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from ledger import queries as views
from ledger.access import User

AS_OF = date(2026, 6, 15)   # a Monday
OFFICE = User("ducha", "office")

# code, lead unit, deadline (None: 长期), closed on, cancelled on; what each counts as of AS_OF:
#                                   approved view                original view
# T1 财政 05-31 closed 05-20        done, on time                done, on time
# T2 财政 04-30 closed 05-10        done, late                   done, late
# T3 财政 04-30 ext→06-30 (asked 04-20) closed 06-10
#                                   done, on time                done, late
# T4 财政 05-15 open                late open (逾期)             late open
# T5 财政 05-15 ext→07-31 (asked 05-10) open
#                                   not late (正常推进)          late open
# T6 财政 04-30 逾期后补办 ext→06-30 (asked 05-20) closed 06-05
#                                   done, late (status 按期办结) done, late
# T7 住建 05-31 逾期后补办 ext→07-31 (asked 06-05) open
#                                   late open (status 正常推进)  late open
# T8 住建 长期 open                 nothing                      nothing
# T9 住建 12-31 open                nothing                      nothing
# T10 住建 04-01 cancelled 05-01   nothing                      nothing
# T11 住建 06-30 closed 07-01      open on AS_OF, not late: nothing
TASKS = [
    ("T1", 1, date(2026, 5, 31), date(2026, 5, 20), None),
    ("T2", 1, date(2026, 4, 30), date(2026, 5, 10), None),
    ("T3", 1, date(2026, 4, 30), date(2026, 6, 10), None),
    ("T4", 1, date(2026, 5, 15), None, None),
    ("T5", 1, date(2026, 5, 15), None, None),
    ("T6", 1, date(2026, 4, 30), date(2026, 6, 5), None),
    ("T7", 2, date(2026, 5, 31), None, None),
    ("T8", 2, None, None, None),
    ("T9", 2, date(2026, 12, 31), None, None),
    ("T10", 2, date(2026, 4, 1), None, date(2026, 5, 1)),
    ("T11", 2, date(2026, 6, 30), date(2026, 7, 1), None),
]
EXTENSIONS = [   # code, asked on, new deadline, filed late (逾期后补办)
    ("T3", date(2026, 4, 20), date(2026, 6, 30), False),
    ("T5", date(2026, 5, 10), date(2026, 7, 31), False),
    ("T6", date(2026, 5, 20), date(2026, 6, 30), True),
    ("T7", date(2026, 6, 5), date(2026, 7, 31), True),
]
# By hand, from the table above.
CAIZHENG = {"done": 4, "on_time_approved": 2, "late_open_approved": 1, "on_time_original": 1, "late_open_original": 2}
ZHUJIAN = {"done": 0, "on_time_approved": 0, "late_open_approved": 1, "on_time_original": 0, "late_open_original": 1}


@pytest.fixture
def rated(ledger):
    con = ledger
    con.execute("INSERT INTO leaders (leader_id, name, title, rank) VALUES (1, '张三', '常务副区长', 1), (2, '李四', '副区长', 2)")
    con.execute("INSERT INTO units (unit_id, name, kind, leader_id) VALUES (1, '区财政局', '部门', 1), (2, '区住建局', '部门', 2)")
    con.execute("INSERT INTO sources (source_id, kind, title, date) VALUES (1, 'executive', '区政府第5次常务会议', DATE '2026-03-02')")
    for task_id, (code, unit, deadline, closed, cancelled) in enumerate(TASKS, start=1):
        lifecycle = "closed" if closed else "cancelled" if cancelled else "open"
        con.execute(
            "INSERT INTO tasks (task_id, code, source_id, item, content, leader_id, assigned_date, deadline_kind, deadline,"
            " deadline_text, lifecycle, closed_date, cancelled_date) VALUES (?, ?, 1, ?, ?, ?, DATE '2026-03-02', ?, ?, ?, ?, ?, ?)",
            [task_id, code, str(task_id), f"议定事项{code}", unit, "date" if deadline else "long_term", deadline,
             f"{deadline:%Y年%m月%d日}前" if deadline else "长期坚持", lifecycle, closed, cancelled],
        )
        con.execute("INSERT INTO task_units VALUES (?, ?, 'lead', 1)", [task_id, unit])
    for code, asked, new_deadline, late in EXTENSIONS:
        con.execute(
            "INSERT INTO extensions (task_id, requested_date, original_deadline, new_deadline, reason, decision,"
            " decided_date, decided_by, filed_late) SELECT task_id, ?, deadline, ?, '需要更多时间', 'approved', ?, 'ducha', ?"
            " FROM tasks WHERE code = ?", [asked, new_deadline, asked, late, code])
    return con


def _sum(*parts: dict) -> dict:
    return {key: sum(part[key] for part in parts) for key in parts[0]}


def _rate(counts: dict, view: str) -> float | None:
    due = counts["done"] + counts[f"late_open_{view}"]
    return counts[f"on_time_{view}"] / due if due else None


def test_the_statuses_stay_as_the_status_rule_says(rated):
    """The rates judge; the statuses are not changed by them: T6 is 按期办结 and T7 正常推进 by
    the extension in force, yet both count late in the rates below."""
    rows = views.ledger(rated, OFFICE, AS_OF, views.EVERY_TASK)
    status = dict(zip(rows["code"], rows["status"], strict=True))
    assert (status["T6"], status["T7"], status["T5"], status["T4"]) == ("done_on_time", "on_track", "on_track", "overdue")


def test_the_headline_rate_in_both_deadline_views(rated):
    rates = views.on_time_rates(rated, OFFICE, AS_OF)
    total = _sum(CAIZHENG, ZHUJIAN)
    assert {key: getattr(rates, key) for key in total} == total
    assert rates.filed_late == 2
    assert rates.rate_approved == pytest.approx(2 / 6) == pytest.approx(_rate(total, "approved"))
    assert rates.rate_original == pytest.approx(1 / 7) == pytest.approx(_rate(total, "original"))
    # The old rate (按期办结 / 已办结 by status) would read 3 / 4: it flattered.
    counts = views.status_counts(rated, OFFICE, AS_OF)
    flattering = counts["done_on_time"] / (counts["done_on_time"] + counts["done_late"])
    assert flattering == pytest.approx(3 / 4) and rates.rate_approved < flattering


def test_a_unit_with_only_overdue_items_reads_zero_not_a_hundred_percent(rated):
    ranking = {row["unit"]: row for row in views.unit_ranking(rated, OFFICE, AS_OF, views.EVERY_TASK).iter_rows(named=True)}
    for unit, counts in (("区财政局", CAIZHENG), ("区住建局", ZHUJIAN)):
        row = ranking[unit]
        assert {key: row[key] for key in counts} == counts, unit
        assert row["on_time_rate"] == pytest.approx(_rate(counts, "approved"))
        assert row["on_time_rate_original"] == pytest.approx(_rate(counts, "original"))
    assert ranking["区住建局"]["on_time_rate"] == 0.0
    assert ranking["区住建局"]["filed_late"] == 1 and ranking["区财政局"]["filed_late"] == 1


def test_the_leaders_page_counts_the_same_way(rated):
    summary = {row["leader"]: row for row in views.leader_summary(rated, OFFICE, AS_OF, views.EVERY_TASK).iter_rows(named=True)}
    for leader, counts in (("张三", CAIZHENG), ("李四", ZHUJIAN)):
        row = summary[leader]
        for link in ("responsible", "unit"):   # 张三 is responsible for 财政's tasks and 分管 财政
            assert {key: row[f"{link}_{key}"] for key in counts} == counts, (leader, link)
            assert row[f"{link}_on_time_rate"] == pytest.approx(_rate(counts, "approved"))
            assert row[f"{link}_on_time_rate_original"] == pytest.approx(_rate(counts, "original"))
        assert row["issued_tasks"] == 0 and row["title"]


def test_the_rate_moves_with_the_date(rated):
    """On 07-01 T11 closes a day late. On 06-01 T3's and T6's closings lie ahead: T6 is 正常推进
    by its 补办 extension (asked 05-20) yet late; T7's deadline 05-31 has just passed (its 补办
    comes on 06-05); T3 and T5 are late only by their first deadlines."""
    later = views.on_time_rates(rated, OFFICE, date(2026, 7, 2))
    assert later.done == 5 and later.on_time_approved == 2
    earlier = views.on_time_rates(rated, OFFICE, date(2026, 6, 1))
    # done by 06-01: T1 (on time), T2 (late).
    assert (earlier.done, earlier.on_time_approved) == (2, 1)
    assert earlier.late_open_approved == 3   # T4, T6, T7 (overdue by status on 06-01)
    assert earlier.late_open_original == 5   # and T3, T5 past their first deadlines


def test_every_rate_is_computed_by_the_one_definition():
    """The rate is on_time_rate (migrations/015); no query divides by its own 已办结."""
    folder = Path(__file__).resolve().parent.parent / "ledger" / "sql" / "queries"
    users = [path.name for path in folder.glob("*.sql") if "on_time_rate(" in path.read_text(encoding="utf-8")]
    assert set(users) >= {"rates.sql", "units.sql", "leaders.sql"}
    for path in folder.glob("*.sql"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"done_on_time\s*/", text), path.name
