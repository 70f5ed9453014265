"""Each role sees exactly its tasks through every view of ledger.queries (the dashboard's only way
to the ledger), on the dashboard test ledger (tests/conftest.py)."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import DASHBOARD_AS_OF

from ledger import queries as views
from ledger.access import AccessDenied, User, can, require, viewer_params
from ledger.db import fetch_frame, open_ledger

EVERYTHING = views.AllTasks()


@pytest.fixture(scope="module")
def con(dashboard_ledger):
    connection = open_ledger(dashboard_ledger, read_only=True)
    yield connection
    connection.close()


def unit_user(con, name: str) -> User:
    unit_id = con.execute("SELECT unit_id FROM units WHERE name = ?", [name]).fetchone()[0]
    return User(username=f"u{unit_id}", role="unit", unit_id=unit_id)


def leader_user(con, name: str) -> User:
    leader_id, principal = con.execute("SELECT leader_id, is_principal FROM leaders WHERE name = ?", [name]).fetchone()
    return User(username=f"l{leader_id}", role="leader", leader_id=leader_id, is_principal=principal)


def codes_where(con, condition: str, params: list) -> set[str]:
    """Codes of the tasks assigned by the as-of date that meet a plain SQL condition over tasks t,
    written independently of the views."""
    frame = fetch_frame(
        con,
        f"SELECT DISTINCT t.code FROM tasks t JOIN sources src USING (source_id) "
        f"WHERE t.assigned_date <= ? AND ({condition})",
        [DASHBOARD_AS_OF, *params],
    )
    return set(frame["code"].to_list())


def expected_codes(con, user: User) -> set[str]:
    if user.sees_all:
        return codes_where(con, "true", [])
    if user.role == "unit":
        return codes_where(con, "t.task_id IN (SELECT task_id FROM task_units WHERE unit_id = ?)", [user.unit_id])
    return codes_where(
        con,
        "t.leader_id = ? OR src.leader_id = ? OR t.task_id IN (SELECT tu.task_id FROM task_units tu "
        "JOIN units u USING (unit_id) WHERE u.leader_id = ?)",
        [user.leader_id] * 3,
    )


def viewers(con) -> dict[str, User]:
    return {
        "office": User(username="ducha", role="office"),
        "principal": leader_user(con, "王五"),
        "leader 张三": leader_user(con, "张三"),
        "leader 李四": leader_user(con, "李四"),
        "unit 区财政局": unit_user(con, "区财政局"),
        "unit 区水利局": unit_user(con, "区水利局"),
        "unit 区审计局 (co only)": unit_user(con, "区审计局"),
    }


@pytest.mark.parametrize("who", [
    "office", "principal", "leader 张三", "leader 李四", "unit 区财政局", "unit 区水利局", "unit 区审计局 (co only)",
])
def test_every_view_shows_exactly_the_viewers_tasks(con, who):
    user = viewers(con)[who]
    allowed = expected_codes(con, user)
    everything = codes_where(con, "true", [])
    if not user.sees_all:
        assert allowed and allowed < everything, "the test ledger must hide something from this viewer"

    listed = set(views.ledger(con, user, DASHBOARD_AS_OF, EVERYTHING)["code"].to_list())
    assert listed == allowed
    assert sum(views.status_counts(con, user, DASHBOARD_AS_OF, EVERYTHING).values()) == len(allowed)
    for status in ("overdue", "due_soon"):
        alerted = set(views.alerts(con, user, DASHBOARD_AS_OF, EVERYTHING, status=status)["code"].to_list())
        assert alerted <= allowed
    rectified = views.rectifications(con, user, DASHBOARD_AS_OF, EVERYTHING)
    assert set(rectified["code"].to_list()) <= allowed
    by_kind = views.status_by_kind(con, user, DASHBOARD_AS_OF, EVERYTHING)
    assert by_kind["tasks"].sum() == len(allowed)

    for code in everything:
        detail = views.task_detail(con, user, DASHBOARD_AS_OF, code)
        assert (not detail["task"].is_empty()) == (code in allowed), code
        if code not in allowed:
            assert detail["timeline"].is_empty() and detail["milestones"].is_empty()


def test_a_unit_cannot_reach_another_units_task_by_any_filter(con):
    """Filters only narrow: naming another unit, its source or its leader yields nothing more."""
    user = viewers(con)["unit 区水利局"]
    allowed = expected_codes(con, user)
    options = views.filter_options(con, user)
    every_source = fetch_frame(con, "SELECT source_id FROM sources")["source_id"].to_list()
    every_unit = fetch_frame(con, "SELECT name FROM units")["name"].to_list()
    every_leader = fetch_frame(con, "SELECT name FROM leaders")["name"].to_list()
    for scope in (
        views.AllTasks(sources=tuple(every_source)),
        views.AllTasks(lead_units=tuple(every_unit)),
        views.AllTasks(leaders=tuple(every_leader)),
    ):
        listed = set(views.ledger(con, user, DASHBOARD_AS_OF, scope)["code"].to_list())
        assert listed <= allowed
    for leader in every_leader:
        for role in ("responsible", "issued"):
            shown = views.leader_tasks(con, user, DASHBOARD_AS_OF, EVERYTHING, leader, role=role)
            assert set(shown["code"].to_list()) <= allowed
    ranked = views.unit_ranking(con, user, DASHBOARD_AS_OF, EVERYTHING)
    assert ranked["tasks"].sum() <= len(allowed)
    # The sidebar offers only the viewer's own sources and lead units.
    own_sources = fetch_frame(
        con, "SELECT DISTINCT source_id FROM tasks JOIN task_units USING (task_id) WHERE unit_id = ?", [user.unit_id]
    )["source_id"].to_list()
    assert set(options.sources["source_id"].to_list()) == set(own_sources)
    assert set(options.units) <= set(
        fetch_frame(
            con,
            "SELECT DISTINCT u.name FROM task_units lead JOIN units u USING (unit_id) WHERE lead.role = 'lead' "
            "AND lead.task_id IN (SELECT task_id FROM task_units WHERE unit_id = ?)",
            [user.unit_id],
        )["name"].to_list()
    )


def test_search_text_does_not_widen_a_units_view(con):
    user = viewers(con)["unit 区财政局"]
    allowed = expected_codes(con, user)
    for query in ("", "%", "' OR 1=1 --", "区", "DB"):
        assert set(views.ledger(con, user, DASHBOARD_AS_OF, EVERYTHING, query=query)["code"].to_list()) <= allowed


def test_the_permission_table():
    office = User(username="a", role="office")
    leader = User(username="b", role="leader", leader_id=1)
    unit = User(username="c", role="unit", unit_id=1)
    assert all(can(office, action) for action in ("import", "close_task", "manage_users", "read_audit", "comment"))
    assert can(leader, "comment") and not any(
        can(leader, action) for action in ("import", "edit_task", "close_task", "submit_progress", "manage_users")
    )
    assert all(can(unit, action) for action in ("submit_progress", "claim_done", "request_extension"))
    assert not any(can(unit, action) for action in ("import", "comment", "close_task", "read_audit", "verify"))
    with pytest.raises(AccessDenied, match="单位账号无权导入台账"):
        require(unit, "import")
    assert viewer_params(unit) == {"see_all": False, "viewer_units": [1], "viewer_leader": None}


def test_roles_need_their_unit_or_leader():
    with pytest.raises(ValueError):
        User(username="x", role="unit")
    with pytest.raises(ValueError):
        User(username="x", role="leader")
    with pytest.raises(ValueError):
        User(username="x", role="admin")


def test_views_frames_are_polars(con):
    assert isinstance(views.ledger(con, viewers(con)["office"], DASHBOARD_AS_OF, EVERYTHING), pl.DataFrame)
