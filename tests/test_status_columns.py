"""Every status has its column (H6, issues 9 and 11): a task without a deadline (未明确时限,
`undated`) counts in a unit's total and in its own column, so on 单位排名 and in the counts by
unit and by source kind the status columns add up to the total. A small ledger with undated,
cancelled, long-term, overdue, due-soon, on-track and closed tasks under two units."""

from __future__ import annotations

from datetime import date

import pytest

from ledger import queries as views
from ledger.access import User
from ledger.vocabulary import STATUS_LABELS

AS_OF = date(2026, 6, 15)   # a Monday
OFFICE = User("ducha", "office")

# code, lead unit, deadline kind, deadline, closed on, cancelled on
TASKS = [
    ("A1", 1, "none", None, None, None),                          # 未明确时限
    ("A2", 1, "none", None, None, None),                          # 未明确时限
    ("A3", 1, "date", date(2026, 5, 15), None, None),             # 逾期
    ("A4", 1, "date", date(2026, 6, 17), None, None),             # 临期
    ("A5", 1, "date", date(2026, 5, 31), date(2026, 5, 20), None),  # 按期办结
    ("B1", 2, "none", None, None, None),                          # 未明确时限
    ("B2", 2, "long_term", None, None, None),                     # 长期/持续
    ("B3", 2, "date", date(2026, 12, 31), None, None),            # 正常推进
    ("B4", 2, "date", date(2026, 4, 1), None, date(2026, 5, 1)),  # 已撤销
    ("B5", 2, "date", date(2026, 4, 30), date(2026, 5, 10), None),  # 逾期办结
]
EXPECTED = {
    "区发改局": {"undated": 2, "overdue": 1, "due_soon": 1, "done_on_time": 1},
    "区水利局": {"undated": 1, "long_term": 1, "on_track": 1, "cancelled": 1, "done_late": 1},
}
DEADLINE_TEXT = {"none": "", "long_term": "长期坚持"}


@pytest.fixture
def mixed(ledger):
    con = ledger
    con.execute("INSERT INTO units (unit_id, name, kind) VALUES (1, '区发改局', '部门'), (2, '区水利局', '部门')")
    con.execute("INSERT INTO sources (source_id, kind, title, date) VALUES"
                " (1, 'executive', '区政府第5次常务会议', DATE '2026-03-02'),"
                " (2, 'work_report', '2026年区政府工作报告重点任务分解', DATE '2026-02-10')")
    for task_id, (code, unit, kind, deadline, closed, cancelled) in enumerate(TASKS, start=1):
        lifecycle = "closed" if closed else "cancelled" if cancelled else "open"
        con.execute(
            "INSERT INTO tasks (task_id, code, source_id, item, content, assigned_date, deadline_kind, deadline,"
            " deadline_text, lifecycle, closed_date, cancelled_date) VALUES (?, ?, ?, ?, ?, DATE '2026-03-02', ?, ?, ?, ?, ?, ?)",
            [task_id, code, 1 + task_id % 2, str(task_id), f"推进重点工作{code}", kind, deadline,
             DEADLINE_TEXT.get(kind) if deadline is None else f"{deadline:%Y年%m月%d日}前", lifecycle, closed, cancelled],
        )
        con.execute("INSERT INTO task_units VALUES (?, ?, 'lead', 1)", [task_id, unit])
    return con


def test_the_ledger_has_the_statuses_counted_below(mixed):
    rows = views.ledger(mixed, OFFICE, AS_OF, views.EVERY_TASK)
    found: dict[str, dict[str, int]] = {}
    for code, status in zip(rows["code"], rows["status"], strict=True):
        unit = "区发改局" if code.startswith("A") else "区水利局"
        found.setdefault(unit, {}).setdefault(status, 0)
        found[unit][status] += 1
    assert found == EXPECTED


def test_the_unit_ranking_has_an_undated_column_and_its_columns_add_up(mixed):
    ranking = {row["unit"]: row for row in views.unit_ranking(mixed, OFFICE, AS_OF, views.EVERY_TASK).iter_rows(named=True)}
    assert set(ranking) == set(EXPECTED)
    for unit, counts in EXPECTED.items():
        row = ranking[unit]
        assert {status: row[status] for status in STATUS_LABELS} == {s: counts.get(s, 0) for s in STATUS_LABELS}, unit
        assert sum(row[status] for status in STATUS_LABELS) == row["tasks"], unit
    assert ranking["区发改局"]["undated"] == 2 and ranking["区水利局"]["undated"] == 1



def test_the_counts_by_unit_and_by_source_kind_name_every_status_and_add_up(mixed):
    by_unit = views.unit_status(mixed, OFFICE, AS_OF, views.EVERY_TASK)
    found = {(unit, status): tasks for unit, status, tasks in by_unit.select("unit", "status", "tasks").iter_rows()}
    assert found == {(unit, status): n for unit, counts in EXPECTED.items() for status, n in counts.items()}
    assert by_unit.filter(by_unit["status"] == "undated")["status_label"].to_list() == ["未明确时限", "未明确时限"]
    by_kind = views.status_by_kind(mixed, OFFICE, AS_OF, views.EVERY_TASK)
    assert by_kind["tasks"].sum() == len(TASKS)
    # Even task ids are the meeting's, odd ones the work report's (see the fixture): A2, B1 and A1.
    undated_by_kind = dict(by_kind.filter(by_kind["status"] == "undated").select("source_kind", "tasks").iter_rows())
    assert undated_by_kind == {"executive": 2, "work_report": 1}
    assert by_kind["status_label"].null_count() == 0
