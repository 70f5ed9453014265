"""The relations every query shares, defined once by migrations/005_shared_relations.sql, and
the one-statement-per-file rule of ledger/sql: the status rule (tasks and milestones alike),
the extension in force, the units of a task, the tasks a viewer may see."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from ledger import sql
from ledger.db import MIGRATIONS_DIR

SQL_DIR = Path(sql.__file__).resolve().parent
ROOT = SQL_DIR.parent.parent
QUERY_FILES = sorted(p for p in SQL_DIR.rglob("*.sql") if MIGRATIONS_DIR not in p.parents)
SHARED = MIGRATIONS_DIR / "005_shared_relations.sql"


def _name(path: Path) -> str:
    return path.relative_to(SQL_DIR).with_suffix("").as_posix()


# --------------------------------------------------------------------------- the files


@pytest.mark.parametrize("path", QUERY_FILES, ids=_name)
def test_every_query_file_is_one_statement_the_runner_can_parse(path):
    statement = sql.statement(_name(path))
    assert statement.query.strip()


def test_no_sql_file_is_spliced_together_from_text():
    placeholders = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p in ROOT.glob("[a-z]*/**/*.sql") if ".venv" not in p.parts
        for m in re.finditer(r"\{[a-z_]*\}", p.read_text(encoding="utf-8"))
    ]
    assert placeholders == []


def test_the_unit_name_aggregation_and_the_status_case_are_written_once():
    """Every file of the ledger's and the import's SQL, migrations included: one aggregation
    of unit names, one status CASE."""
    texts = {p: p.read_text(encoding="utf-8") for p in [*ROOT.glob("ledger/sql/**/*.sql"), *ROOT.glob("etl/sql/**/*.sql")]}
    aggregations = [p.name for p, t in texts.items() for _ in re.finditer(r"(?:list|string_agg)\(u\.name", t)]
    assert aggregations == [SHARED.name, SHARED.name]   # lead_units and co_units, side by side
    status_cases = [p.name for p, t in texts.items() for _ in re.finditer(r"ELSE 'done_late'", t)]
    # 013 replaces the rule (CREATE OR REPLACE) to add 未明确时限 (issue 9): the rule in force.
    assert sorted(status_cases) == [SHARED.name, "013_flags.sql"]


def test_the_runner_passes_only_named_parameters_and_names_a_missing_one(ledger):
    # $task_id in the file's comment is no parameter; the statement's own are as_of and task_id.
    assert sql.statement("queries/task_milestones").named_parameters == {"as_of", "soon", "task_id"}
    with pytest.raises(sql.MissingParameter, match="soon"):
        sql.frame(ledger, "queries/task_milestones", as_of=date(2026, 6, 1), task_id=1)
    frame = sql.frame(ledger, "queries/task_milestones", as_of=date(2026, 6, 1), soon=5, task_id=1, unused="x")
    assert frame.columns == ["seq", "text", "deadline", "finished", "status"]


def test_the_shared_relations_migration_can_run_again(ledger):
    """CREATE OR REPLACE throughout: a later migration may redefine any of them."""
    ledger.execute(SHARED.read_text(encoding="utf-8"))
    assert ledger.execute("SELECT count(*) FROM task_status(DATE '2026-06-01', 5)").fetchone() == (0,)


# --------------------------------------------------------------------------- the status rule


def _rule(con, as_of, *, cancelled=None, finished=None, due=None, check=None, left=None, fixed=True, soon=5,
          undated=False):
    return con.execute(
        "SELECT status_rule($as_of, $soon, $cancelled::DATE, $finished::DATE, $due::DATE, $check::DATE, $left, $fixed,"
        " $undated)",
        {"as_of": as_of, "soon": soon, "cancelled": cancelled, "finished": finished, "due": due,
         "check": check, "left": left, "fixed": fixed, "undated": undated},
    ).fetchone()[0]


def test_the_status_rule(ledger):
    day = date(2026, 6, 15)
    assert _rule(ledger, day, cancelled=day, finished=day, due=day, check=day, left=0) == "cancelled"
    assert _rule(ledger, day, cancelled=day + timedelta(days=1), check=day + timedelta(days=30), left=20) == "on_track"
    assert _rule(ledger, day, finished=day, due=day, check=day, left=0) == "done_on_time"
    assert _rule(ledger, day, finished=day, due=day - timedelta(days=1), check=day, left=0) == "done_late"
    assert _rule(ledger, day, finished=day, check=None) == "done_on_time"   # no deadline: never late
    assert _rule(ledger, day, finished=day + timedelta(days=1), due=day, check=day, left=0) == "due_soon"
    assert _rule(ledger, day, check=None) == "long_term"
    assert _rule(ledger, day, check=day - timedelta(days=1), left=-1) == "overdue"   # the day after
    assert _rule(ledger, day, check=day, left=0) == "due_soon"                       # the day itself
    assert _rule(ledger, day, check=day + timedelta(days=7), left=5) == "due_soon"
    assert _rule(ledger, day, check=day + timedelta(days=8), left=6) == "on_track"
    assert _rule(ledger, day, check=day + timedelta(days=8), left=6, soon=6) == "due_soon"
    assert _rule(ledger, day, check=day + timedelta(days=8), left=6, fixed=False) == "long_term"
    # 未明确时限 (issue 9): open without a deadline; finished or cancelled as any task.
    assert _rule(ledger, day, check=None, undated=True) == "undated"
    assert _rule(ledger, day, finished=day, check=None, undated=True) == "done_on_time"
    assert _rule(ledger, day, cancelled=day, check=None, undated=True) == "cancelled"
    assert _rule(ledger, day, check=day - timedelta(days=1), left=-1, undated=True) == "overdue"   # an extension's date


def _add_task(con, task_id: int, deadline: date | None, **columns) -> None:
    values = {"task_id": task_id, "code": f"T{task_id}", "source_id": 1, "item": str(task_id), "content": "事项",
              "assigned_date": date(2026, 3, 2), "deadline_kind": "date" if deadline else "long_term",
              "deadline": deadline, "deadline_text": str(deadline), **columns}
    con.execute(f"INSERT INTO tasks ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})", list(values.values()))


@pytest.fixture
def small(ledger):
    """Two units, one source, three tasks with milestones and extensions."""
    ledger.execute("INSERT INTO sources (source_id, kind, title, date) VALUES (1, 'executive', '第1次常务会议', DATE '2026-03-02')")
    ledger.execute("INSERT INTO units (unit_id, name, kind) VALUES (1, '区财政局', '部门'), (2, '区住建局', '部门'), (3, '区水利局', '部门')")
    _add_task(ledger, 1, date(2026, 6, 12))
    _add_task(ledger, 2, date(2026, 6, 19), lifecycle="closed", closed_date=date(2026, 7, 2))
    _add_task(ledger, 3, None)
    ledger.execute("INSERT INTO task_units VALUES (1, 2, 'lead', 2), (1, 1, 'lead', 1), (1, 3, 'co', 3), (2, 3, 'co', 1)")
    ledger.execute("INSERT INTO milestones (task_id, seq, text, deadline, done_date) VALUES "
                   "(1, 1, '设计', DATE '2026-06-12', NULL), (1, 2, '开工', DATE '2026-06-16', NULL), "
                   "(2, 1, '验收', DATE '2026-06-01', NULL), (3, 1, '调研', NULL, DATE '2026-05-01')")
    return ledger


def test_tasks_and_milestones_are_judged_by_the_same_rule(small):
    as_of = date(2026, 6, 15)   # a Monday
    tasks = dict(small.execute("SELECT task_id, status FROM task_status($d, 5)", {"d": as_of}).fetchall())
    assert tasks == {1: "overdue", 2: "due_soon", 3: "long_term"}
    milestones = dict(small.execute(
        "SELECT task_id * 10 + seq, status FROM milestone_status($d, 5)", {"d": as_of}).fetchall())
    assert milestones == {11: "overdue", 12: "due_soon", 21: "overdue", 31: "done_on_time"}
    later = date(2026, 7, 3)
    closed = dict(small.execute("SELECT task_id, status FROM task_status($d, 5)", {"d": later}).fetchall())
    assert closed[2] == "done_late"
    assert small.execute("SELECT status FROM milestone_status($d, 5) WHERE task_id = 2", {"d": later}).fetchone() == ("done_late",)


def test_the_extension_in_force_is_the_latest_approved_by_the_day(small):
    small.execute("""INSERT INTO extensions (extension_id, task_id, requested_date, new_deadline, decision, decided_date) VALUES
        (1, 1, DATE '2026-06-01', DATE '2026-07-31', 'approved', DATE '2026-06-05'),
        (2, 1, DATE '2026-06-08', DATE '2026-08-31', 'approved', DATE '2026-06-20'),
        (3, 1, DATE '2026-06-09', DATE '2026-12-31', 'rejected', DATE '2026-06-10'),
        (4, 2, DATE '2026-06-09', DATE '2026-12-31', 'pending', NULL)""")
    def in_force(day):
        return dict(small.execute("SELECT task_id, new_deadline FROM approved_extensions($d)", {"d": day}).fetchall())
    assert in_force(date(2026, 6, 4)) == {}
    assert in_force(date(2026, 6, 15)) == {1: date(2026, 7, 31)}
    assert in_force(date(2026, 6, 20)) == {1: date(2026, 8, 31)}
    status = small.execute("SELECT status, due_date FROM task_status(DATE '2026-06-15', 5) WHERE task_id = 1").fetchone()
    assert status == ("on_track", date(2026, 7, 31))


def test_the_units_of_a_task_in_the_order_written(small):
    rows = small.execute(
        "SELECT task_id, lead_units, co_units, lead_units_text, co_units_text "
        "FROM task_unit_names((SELECT list(task_id) FROM tasks)) ORDER BY task_id"
    ).fetchall()
    assert rows == [
        (1, ["区财政局", "区住建局"], ["区水利局"], "区财政局、区住建局", "区水利局"),
        (2, None, ["区水利局"], None, "区水利局"),
    ]   # task 3 has no units: no row
    assert small.execute("SELECT task_id FROM task_unit_names([2, 3])").fetchall() == [(2,)]
    assert small.execute("SELECT count(*) FROM task_unit_names([])").fetchone() == (0,)


def test_a_viewer_who_sees_everything_gets_every_visible_task(small):
    """tasks_in_scope skips the visibility lookup when see_all; it must still equal
    visible_tasks for such a viewer, and narrow to it for anyone else."""
    def scope(see_all, units, leader):
        return {r[0] for r in small.execute(
            "SELECT task_id FROM tasks_in_scope(DATE '2026-06-15', 5, $a, $u, $l, [], [], [], [])",
            {"a": see_all, "u": units, "l": leader}).fetchall()}
    def visible(see_all, units, leader):
        return {r[0] for r in small.execute(
            "SELECT task_id FROM visible_tasks($a, $u, $l)", {"a": see_all, "u": units, "l": leader}).fetchall()}
    assert scope(True, [], None) == visible(True, [], None) == {1, 2, 3}
    assert scope(False, [3], None) == visible(False, [3], None) == {1, 2}
    assert scope(False, [2], None) == visible(False, [2], None) == {1}
    assert scope(False, [], None) == visible(False, [], None) == set()
