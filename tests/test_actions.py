"""The lifecycle actions on a task (etl/actions.py), checked by role and scope in the ledger
layer: who may do what on which task, what each action does to the task's status, and the
audit trail every change leaves. A real DuckDB file, built by importing CSV lists."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from etl.importer import InputFile, LoadOptions, import_files
from ledger import actions
from ledger.access import AccessDenied, User
from ledger.actions import ActionError
from ledger.db import open_ledger
from ledger.queries import task_list

ROOT = Path(__file__).resolve().parent.parent
IMPORT_DAY = date(2026, 3, 5)

LEADERS_CSV = """姓名,职务,排序
王五,区长,1
张三,常务副区长,2
李四,副区长,3
"""

# 分管: 张三 the finance bureau, 李四 housing and water.
UNITS_CSV = """单位名称,简称,单位类型,分管领导
区财政局,,部门,张三
区住房和城乡建设局,区住建局,部门,李四
区水利局,,部门,李四
"""

MEETING_CSV = """序号,会议名称,会议日期,议定事项,牵头单位,配合单位,责任领导,完成时限
1,区政府第5次常务会议,2026-03-02,加快推进老旧小区改造,区住建局,区财政局,李四,2026年4月30日前
2,区政府第5次常务会议,2026-03-02,完成河道综合整治验收,区水利局,,李四,2026年6月30日前
3,区政府第5次常务会议,2026-03-02,常态化开展安全生产排查,区应急局,,王五,长期坚持
4,区政府第5次常务会议,2026-03-02,制定营商环境优化方案,区发改局,,张三,2026年5月29日前
"""

# What each task is called in the tests.
CONTENTS = {
    "housing": "加快推进老旧小区改造",      # lead 住建局, co 财政局 (张三 分管), leader 李四
    "river": "完成河道综合整治验收",        # lead 水利局, leader 李四
    "safety": "常态化开展安全生产排查",     # long-term, leader 王五
    "business": "制定营商环境优化方案",     # lead 发改局, leader 张三
}


def _build(path: Path) -> None:
    con = open_ledger(path)
    try:
        for name, text in (("leaders.csv", LEADERS_CSV), ("units.csv", UNITS_CSV), ("meeting.csv", MEETING_CSV)):
            result = import_files(con, [InputFile(name, text.encode("utf-8"))], LoadOptions(today=IMPORT_DAY))
            assert result.committed, [e.message for f in result.files for e in f.errors]
    finally:
        con.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The imported ledger, built once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("actions") / "template.duckdb"
    _build(path)
    return path


@dataclass
class Ledger:
    con: object
    codes: dict[str, str]
    users: dict[str, User]

    def scalar(self, query: str, params=None):
        return self.con.execute(query, params or []).fetchone()[0]

    def audit_count(self) -> int:
        return self.scalar("SELECT count(*) FROM audit_log")

    def status(self, key: str, as_of: date) -> dict:
        return task_list(self.con, as_of).filter(code=self.codes[key]).row(0, named=True)


@pytest.fixture
def ledger(template, tmp_path):
    path = tmp_path / "ledger.duckdb"
    shutil.copy(template, path)
    con = open_ledger(path)
    codes = {key: con.execute("SELECT code FROM tasks WHERE content = ?", [text]).fetchone()[0]
             for key, text in CONTENTS.items()}
    unit = dict(con.execute("SELECT name, unit_id FROM units").fetchall())
    leader = dict(con.execute("SELECT name, leader_id FROM leaders").fetchall())
    users = {
        "office": User("ducha", "office", "督查室小刘"),
        "principal": User("wangwu", "leader", "王五", leader_id=leader["王五"], is_principal=True),
        "leader": User("zhangsan", "leader", "张三", leader_id=leader["张三"]),
        "unit_lead": User("zhujian", "unit", "住建局联络员", unit_id=unit["区住房和城乡建设局"]),
        "unit_co": User("caizheng", "unit", "财政局联络员", unit_id=unit["区财政局"]),
        "unit_other": User("shuili", "unit", "水利局联络员", unit_id=unit["区水利局"]),
    }
    yield Ledger(con, codes, users)
    con.close()


# --------------------------------------------------------------------------- the permission matrix
# Each action on a task, with what the office must have done first (so that the action has
# something to act on) and whether it writes. Dates are in the past of the ledger's story.

NEW_LIST = """序号,会议名称,会议日期,议定事项,牵头单位,配合单位,责任领导,完成时限
1,区政府第6次常务会议,2026-07-01,研究下半年重点工作,区发改局,,张三,2026年9月30日前
"""


def _setup_extension(lg: Ledger, code: str) -> dict:
    deadline = actions.visible_task(lg.con, lg.users["office"], code)["effective_deadline"]
    return {"extension_id": actions.request_extension(
        lg.con, lg.users["office"], code, deadline + timedelta(days=31), "需协调资金", on=date(2026, 4, 25))}


def _setup_claim(lg: Ledger, code: str) -> dict:
    actions.claim_done(lg.con, lg.users["office"], code, "已完成", done_date=date(2026, 4, 28),
                       report_date=date(2026, 4, 29))
    return {}


def _setup_closed(lg: Ledger, code: str) -> dict:
    # Issue 11: 销号 needs a passed 核查 (the office checked on its own: no claim).
    actions.verify(lg.con, lg.users["office"], code, True, "已现场核查", on=date(2026, 4, 28))
    return {}


def _allow_direct_close(lg: Ledger, code: str = "") -> dict:
    """The office's setting that lets it close without 核查 (default 是: it may not)."""
    lg.con.execute("UPDATE settings SET value = '否' WHERE key = 'close_requires_verification'")
    return {}


ACTIONS = {
    # name: (setup, call, writes)
    "visible_task": (None, lambda con, u, code, s: actions.visible_task(con, u, code), False),
    "comments": (None, lambda con, u, code, s: actions.comments(con, u, code), False),
    "add_comment": (None, lambda con, u, code, s: actions.add_comment(con, u, code, "请加快进度，月底前报结果"), True),
    "submit_progress": (None, lambda con, u, code, s: actions.submit_progress(
        con, u, code, "已完成摸底调查", report_date=date(2026, 4, 10)), True),
    "claim_done": (None, lambda con, u, code, s: actions.claim_done(
        con, u, code, "改造已完工", done_date=date(2026, 4, 28), report_date=date(2026, 4, 29)), True),
    "request_extension": (None, lambda con, u, code, s: actions.request_extension(
        con, u, code, date(2026, 5, 31), "需协调资金", on=date(2026, 4, 25)), True),
    "decide_extension": (_setup_extension, lambda con, u, code, s: actions.decide_extension(
        con, u, s["extension_id"], True, on=date(2026, 4, 28)), True),
    "verify": (_setup_claim, lambda con, u, code, s: actions.verify(con, u, code, True, on=date(2026, 5, 6)), True),
    "close_task": (_allow_direct_close, lambda con, u, code, s: actions.close_task(
        con, u, code, date(2026, 4, 28), "已现场核查"), True),
    "cancel_task": (None, lambda con, u, code, s: actions.cancel_task(
        con, u, code, "会议决定不再实施", on=date(2026, 4, 1)), True),
    "reopen_task": (_setup_closed, lambda con, u, code, s: actions.reopen_task(con, u, code, "回头看发现问题反弹"), True),
    "pending_requests": (None, lambda con, u, code, s: actions.pending_requests(con, u), False),
    "import_as": (None, lambda con, u, code, s: actions.import_as(
        con, u, [InputFile("meeting6.csv", NEW_LIST.encode("utf-8"))], LoadOptions(today=date(2026, 7, 3))), True),
}

OK, ROLE, SCOPE = "ok", "role", "scope"   # succeeds / refused for the role / refused as out of scope
LEAD = "lead"   # refused: only the lead unit asks for an extension or claims completion (issue 11)
READER = {"visible_task": OK, "comments": OK, "pending_requests": OK}
OFFICE_ONLY = {a: ROLE for a in ("decide_extension", "verify", "close_task", "cancel_task", "reopen_task", "import_as")}
LEADER_ROW = READER | {"add_comment": OK, "submit_progress": ROLE, "claim_done": ROLE, "request_extension": ROLE} | OFFICE_ONLY
UNIT_ROW = READER | {"add_comment": ROLE, "submit_progress": OK, "claim_done": OK, "request_extension": OK} | OFFICE_ONLY

# On the housing task (lead 住建局, co 财政局, 张三 分管 财政局).
MATRIX = {
    "office": dict.fromkeys(ACTIONS, OK),
    "principal": LEADER_ROW,
    "leader": LEADER_ROW,
    "unit_lead": UNIT_ROW,
    # Issue 11 (changed): a co-unit (配合单位) reports progress only; it was allowed to claim and
    # to ask for an extension before.
    "unit_co": UNIT_ROW | {"claim_done": LEAD, "request_extension": LEAD},
    "unit_other": UNIT_ROW | {"visible_task": SCOPE, "comments": SCOPE, "submit_progress": SCOPE,
                              "claim_done": SCOPE, "request_extension": SCOPE},
}

# On the river task (水利局's, leader 李四): outside the scope of 张三 and of the housing units.
OUTSIDE = {
    "leader": LEADER_ROW | {"visible_task": SCOPE, "comments": SCOPE, "add_comment": SCOPE},
    "unit_lead": UNIT_ROW | {"visible_task": SCOPE, "comments": SCOPE, "submit_progress": SCOPE,
                             "claim_done": SCOPE, "request_extension": SCOPE},
    "unit_co": UNIT_ROW | {"visible_task": SCOPE, "comments": SCOPE, "submit_progress": SCOPE,
                           "claim_done": SCOPE, "request_extension": SCOPE},
}


def _check(lg: Ledger, user_key: str, action: str, task_key: str, expected: str) -> None:
    setup, call, writes = ACTIONS[action]
    code = lg.codes[task_key]
    state = setup(lg, code) if setup else {}
    user = lg.users[user_key]
    before = lg.audit_count()
    last_id = lg.scalar("SELECT coalesce(max(audit_id), 0) FROM audit_log")
    tables = ("tasks", "progress", "extensions", "verifications", "task_comments", "import_batches")
    counts = {t: lg.scalar(f"SELECT count(*) FROM {t}") for t in tables}
    if expected == OK:
        call(lg.con, user, code, state)
        if writes:
            assert lg.audit_count() > before, f"{action} left no audit entry"
            actors = lg.con.execute("SELECT DISTINCT actor FROM audit_log WHERE audit_id > ?", [last_id]).fetchall()
            assert actors == [(user.username,)]
        else:
            assert lg.audit_count() == before
        return
    with pytest.raises(AccessDenied) as refused:
        call(lg.con, user, code, state)
    message = str(refused.value)
    if expected == SCOPE:
        assert message == actions.NOT_VISIBLE
    elif expected == LEAD:
        assert message.startswith("配合单位只能报送进展") and "区住房和城乡建设局" in message, message
    else:
        assert message.startswith(f"{user.role_label}账号无权"), message
    # A refused action changes nothing.
    assert lg.audit_count() == before
    assert {t: lg.scalar(f"SELECT count(*) FROM {t}") for t in tables} == counts


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("user_key", list(MATRIX))
def test_permission_matrix_on_a_task(ledger, user_key, action):
    _check(ledger, user_key, action, "housing", MATRIX[user_key][action])


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("user_key", list(OUTSIDE))
def test_permission_matrix_on_a_task_outside_scope(ledger, user_key, action):
    _check(ledger, user_key, action, "river", OUTSIDE[user_key][action])


def test_the_matrix_covers_every_role_and_action():
    assert {u.role for u in (User("a", "office"), User("b", "leader", leader_id=1), User("c", "unit", unit_id=1))} \
        == {"office", "leader", "unit"}
    for row in (*MATRIX.values(), *OUTSIDE.values()):
        assert set(row) == set(ACTIONS)


# --------------------------------------------------------------------------- scope of reading


def test_a_unit_cannot_see_another_units_task_nor_learn_whether_it_exists(ledger):
    lg = ledger
    shuili = lg.users["unit_other"]
    assert actions.visible_task(lg.con, shuili, lg.codes["river"])["content"] == CONTENTS["river"]
    with pytest.raises(AccessDenied) as other:
        actions.visible_task(lg.con, shuili, lg.codes["housing"])
    with pytest.raises(AccessDenied) as missing:
        actions.visible_task(lg.con, shuili, "DB209900999")
    assert str(other.value) == str(missing.value) == "无权查看该督办事项，或该事项不存在。"
    # The office gets the same refusal for a code that does not exist.
    with pytest.raises(AccessDenied):
        actions.visible_task(lg.con, lg.users["office"], "DB209900999")


def test_which_tasks_each_user_sees(ledger):
    lg = ledger
    expected = {
        "office": {"housing", "river", "safety", "business"},
        "principal": {"housing", "river", "safety", "business"},
        "leader": {"housing", "business"},          # 分管 财政局 (co on housing); responsible for business
        "unit_lead": {"housing"},
        "unit_co": {"housing"},
        "unit_other": {"river"},
    }
    for user_key, keys in expected.items():
        seen = set()
        for key, code in lg.codes.items():
            try:
                task = actions.visible_task(lg.con, lg.users[user_key], code)
            except AccessDenied:
                continue
            assert task["code"] == code
            seen.add(key)
        assert seen == keys, user_key
    task = actions.visible_task(lg.con, lg.users["unit_co"], lg.codes["housing"])
    assert task["lead_units"] == ["区住房和城乡建设局"] and task["co_units"] == ["区财政局"]
    assert task["effective_deadline"] == date(2026, 4, 30) and task["leader"] == "李四"


def test_pending_requests_are_scoped(ledger):
    lg = ledger
    u = lg.users
    actions.claim_done(lg.con, u["unit_lead"], lg.codes["housing"], "改造已完工", done_date=date(2026, 4, 28),
                       report_date=date(2026, 4, 29))
    actions.request_extension(lg.con, u["unit_other"], lg.codes["river"], date(2026, 7, 31), "汛期影响施工",
                              on=date(2026, 6, 1))
    actions.request_extension(lg.con, u["office"], lg.codes["business"], date(2026, 6, 30), "需征求企业意见",
                              on=date(2026, 5, 20))

    def seen(user_key):
        frame = actions.pending_requests(lg.con, u[user_key])
        return {(r["code"], r["request_type"]) for r in frame.iter_rows(named=True)}

    housing = (lg.codes["housing"], "claim")
    river = (lg.codes["river"], "extension")
    business = (lg.codes["business"], "extension")
    assert seen("office") == seen("principal") == {housing, river, business}
    assert seen("leader") == {housing, business}
    assert seen("unit_lead") == seen("unit_co") == {housing}
    assert seen("unit_other") == {river}
    row = actions.pending_requests(lg.con, u["unit_other"]).row(0, named=True)
    assert row["request_label"] == "申请延期" and row["requested_by"] == "shuili"
    assert row["current_deadline"] == date(2026, 6, 30) and row["new_deadline"] == date(2026, 7, 31)
    assert row["lead_units"] == ["区水利局"] and row["text"] == "汛期影响施工"


def test_comments_are_批示_for_leaders_and_督办意见_for_the_office_and_units_read_them(ledger):
    lg = ledger
    u = lg.users
    code = lg.codes["housing"]
    actions.add_comment(lg.con, u["leader"], code, "请财政局保障资金")
    actions.add_comment(lg.con, u["office"], code, "请于本周五前报送进展")
    frame = actions.comments(lg.con, u["unit_co"], code)
    assert frame.select("kind", "text", "author", "author_role").rows() == [
        ("批示", "请财政局保障资金", "zhangsan", "leader"),
        ("督办意见", "请于本周五前报送进展", "ducha", "office"),
    ]
    with pytest.raises(ActionError, match="请填写"):
        actions.add_comment(lg.con, u["office"], code, "   ")


# --------------------------------------------------------------------------- state effects


@pytest.mark.parametrize(("done", "status"), [(date(2026, 4, 28), "done_on_time"), (date(2026, 5, 5), "done_late")])
def test_claim_then_verified_closes_the_task_on_the_claimed_date(ledger, done, status):
    lg = ledger
    u = lg.users
    code = lg.codes["housing"]
    actions.claim_done(lg.con, u["unit_lead"], code, "改造已完工", done_date=done, report_date=date(2026, 5, 6))
    # The claim alone does not close the task: it waits for 核查.
    assert lg.status("housing", date(2026, 5, 7))["status"] == "overdue"
    assert actions.visible_task(lg.con, u["office"], code)["lifecycle"] == "open"
    with pytest.raises(ActionError, match="待核查"):
        actions.claim_done(lg.con, u["unit_lead"], code, "再次申请", done_date=done, report_date=date(2026, 5, 6))
    actions.verify(lg.con, u["office"], code, True, "现场核查属实", on=date(2026, 5, 8))
    row = lg.status("housing", date(2026, 5, 10))
    assert (row["status"], row["closed_date"]) == (status, done)
    assert lg.scalar("SELECT claim_state FROM progress WHERE claims_done") == "passed"
    assert lg.con.execute("SELECT result, verifier, note FROM verifications").fetchall() == [
        ("passed", "ducha", "现场核查属实")]
    assert actions.pending_requests(lg.con, u["office"]).is_empty()
    # A closed task takes no more reports.
    with pytest.raises(ActionError, match="已办结"):
        actions.submit_progress(lg.con, u["unit_lead"], code, "补充材料", report_date=date(2026, 5, 9))


def test_failed_verification_rejects_the_claim_and_the_task_stays_open(ledger):
    lg = ledger
    u = lg.users
    code = lg.codes["housing"]
    actions.claim_done(lg.con, u["unit_lead"], code, "改造已完工", done_date=date(2026, 4, 28),
                       report_date=date(2026, 4, 29))
    actions.verify(lg.con, u["office"], code, False, "现场仍有三栋未完工", on=date(2026, 5, 6))
    assert actions.visible_task(lg.con, u["office"], code)["lifecycle"] == "open"
    assert lg.status("housing", date(2026, 5, 7))["status"] == "overdue"
    assert lg.scalar("SELECT claim_state FROM progress WHERE claims_done") == "failed"
    assert actions.pending_requests(lg.con, u["office"]).is_empty()
    # A new claim may follow, and pass.
    actions.claim_done(lg.con, u["unit_lead"], code, "已全部完工", done_date=date(2026, 5, 20),
                       report_date=date(2026, 5, 21))
    actions.verify(lg.con, u["office"], code, True, on=date(2026, 5, 22))
    row = lg.status("housing", date(2026, 5, 25))
    assert (row["status"], row["closed_date"]) == ("done_late", date(2026, 5, 20))


def test_approved_extension_moves_the_effective_deadline_and_keeps_the_original(ledger):
    lg = ledger
    u = lg.users
    code = lg.codes["housing"]
    extension_id = actions.request_extension(lg.con, u["unit_lead"], code, date(2026, 5, 31), "需协调资金",
                                              on=date(2026, 4, 25))
    with pytest.raises(ActionError, match="待审批"):
        actions.request_extension(lg.con, u["unit_lead"], code, date(2026, 6, 30), "再延", on=date(2026, 4, 26))
    # Pending: the original deadline still counts.
    assert lg.status("housing", date(2026, 5, 10))["status"] == "overdue"
    actions.decide_extension(lg.con, u["office"], extension_id, True, "同意", on=date(2026, 4, 28))
    row = lg.status("housing", date(2026, 5, 10))
    assert (row["status"], row["deadline"], row["original_deadline"]) == ("on_track", date(2026, 5, 31), date(2026, 4, 30))
    assert lg.scalar("SELECT deadline FROM tasks WHERE code = ?", [code]) == date(2026, 4, 30)
    assert lg.con.execute("SELECT original_deadline, decision, decided_by, decision_note FROM extensions").fetchall() == [
        (date(2026, 4, 30), "approved", "ducha", "同意")]
    with pytest.raises(ActionError, match="已审批"):
        actions.decide_extension(lg.con, u["office"], extension_id, False, on=date(2026, 4, 29))
    # A further request must go beyond the extended deadline, and records it as its original.
    with pytest.raises(ActionError, match="须晚于"):
        actions.request_extension(lg.con, u["unit_lead"], code, date(2026, 5, 20), "再延", on=date(2026, 5, 10))
    second = actions.request_extension(lg.con, u["unit_lead"], code, date(2026, 6, 30), "再延", on=date(2026, 5, 10))
    assert lg.scalar("SELECT original_deadline FROM extensions WHERE extension_id = ?", [second]) == date(2026, 5, 31)
    # Closed by a verified claim on 6-10: on time against the extended deadline.
    actions.decide_extension(lg.con, u["office"], second, True, on=date(2026, 5, 12))
    actions.claim_done(lg.con, u["unit_lead"], code, "完工", done_date=date(2026, 6, 10), report_date=date(2026, 6, 11))
    actions.verify(lg.con, u["office"], code, True, on=date(2026, 6, 12))
    assert lg.status("housing", date(2026, 6, 15))["status"] == "done_on_time"


def test_rejected_extension_changes_nothing(ledger):
    lg = ledger
    u = lg.users
    code = lg.codes["housing"]
    extension_id = actions.request_extension(lg.con, u["unit_lead"], code, date(2026, 5, 31), "需协调资金",
                                              on=date(2026, 4, 25))
    actions.decide_extension(lg.con, u["office"], extension_id, False, "理由不充分", on=date(2026, 4, 28))
    row = lg.status("housing", date(2026, 5, 10))
    assert (row["status"], row["deadline"]) == ("overdue", date(2026, 4, 30))
    assert actions.visible_task(lg.con, u["unit_lead"], code)["effective_deadline"] == date(2026, 4, 30)
    # Once decided, a new request may be made.
    actions.request_extension(lg.con, u["unit_lead"], code, date(2026, 5, 15), "补充理由", on=date(2026, 4, 29))


def test_extension_requests_are_validated(ledger):
    lg = ledger
    unit = lg.users["unit_lead"]
    code = lg.codes["housing"]
    with pytest.raises(ActionError, match="延期理由"):
        actions.request_extension(lg.con, unit, code, date(2026, 5, 31), " ", on=date(2026, 4, 25))
    with pytest.raises(ActionError, match="须晚于"):
        actions.request_extension(lg.con, unit, code, date(2026, 4, 30), "需协调资金", on=date(2026, 4, 25))
    with pytest.raises(ActionError, match="不是有效日期"):
        actions.request_extension(lg.con, unit, code, "五月底", "需协调资金", on=date(2026, 4, 25))
    with pytest.raises(ActionError, match="长期坚持"):
        actions.request_extension(lg.con, lg.users["office"], lg.codes["safety"], date(2026, 12, 31), "x",
                                  on=date(2026, 4, 25))
    with pytest.raises(ActionError, match="找不到"):
        actions.decide_extension(lg.con, lg.users["office"], 9999, True)
    assert lg.scalar("SELECT count(*) FROM extensions") == 0


def test_claims_are_validated(ledger):
    lg = ledger
    unit = lg.users["unit_lead"]
    code = lg.codes["housing"]
    with pytest.raises(ActionError, match="不能晚于申请日期"):
        actions.claim_done(lg.con, unit, code, "完工", done_date=date(2026, 5, 2), report_date=date(2026, 5, 1))
    with pytest.raises(ActionError, match="早于交办日期"):
        actions.claim_done(lg.con, unit, code, "完工", done_date=date(2026, 2, 1), report_date=date(2026, 5, 1))
    with pytest.raises(ActionError, match="办结情况说明"):
        actions.claim_done(lg.con, unit, code, "", done_date=date(2026, 4, 1), report_date=date(2026, 5, 1))
    assert lg.scalar("SELECT count(*) FROM progress") == 0


def test_close_cancel_reopen(ledger):
    lg = ledger
    office = lg.users["office"]
    unit = lg.users["unit_lead"]
    code = lg.codes["housing"]
    # A pending extension is settled when the office closes the task.
    actions.request_extension(lg.con, unit, code, date(2026, 5, 31), "需协调资金", on=date(2026, 4, 25))
    _allow_direct_close(lg)
    actions.close_task(lg.con, office, code, date(2026, 4, 28), "区政府办公室现场核查属实")
    assert lg.status("housing", date(2026, 5, 1))["status"] == "done_on_time"
    assert lg.scalar("SELECT decision FROM extensions") == "rejected"
    with pytest.raises(ActionError, match="已办结"):
        actions.close_task(lg.con, office, code, date(2026, 4, 29), "再次销号")
    with pytest.raises(ActionError, match="已办结"):
        actions.claim_done(lg.con, unit, code, "完工", done_date=date(2026, 4, 28), report_date=date(2026, 4, 29))
    actions.reopen_task(lg.con, office, code, "回头看发现问题反弹")
    row = lg.status("housing", date(2026, 5, 1))
    assert (row["status"], row["closed_date"]) == ("overdue", None)
    with pytest.raises(ActionError, match="无需重新打开"):
        actions.reopen_task(lg.con, office, code, "再次打开")
    actions.cancel_task(lg.con, office, code, "会议决定不再实施", on=date(2026, 5, 2))
    assert lg.status("housing", date(2026, 5, 3))["status"] == "cancelled"
    with pytest.raises(ActionError, match="已撤销"):
        actions.submit_progress(lg.con, unit, code, "继续推进", report_date=date(2026, 5, 3))
    with pytest.raises(ActionError, match="请填写"):
        actions.reopen_task(lg.con, office, code, "")
    actions.reopen_task(lg.con, office, code, "恢复督办")
    assert lg.status("housing", date(2026, 5, 3))["status"] == "overdue"


def test_reopen_voids_a_claim_left_pending_by_an_import_closure(ledger):
    lg = ledger
    code = lg.codes["housing"]
    actions.claim_done(lg.con, lg.users["unit_lead"], code, "完工", done_date=date(2026, 4, 28),
                       report_date=date(2026, 4, 29))
    # The office imports a progress list marking the task done: the importer closes it (销号
    # without 核查; with 核查 required the list's 是 is a claim, tests/test_import_flags.py).
    lg.con.execute("UPDATE settings SET value = '否' WHERE key = 'close_requires_verification'")
    progress = f"督办编号,进展情况,填报日期,是否办结,办结日期\n{code},已办结,2026-05-02,是,2026-04-30\n"
    result = actions.import_as(lg.con, lg.users["office"], [InputFile("进展.csv", progress.encode("utf-8"))],
                               LoadOptions(today=date(2026, 5, 2)))
    assert result.committed, [e.message for f in result.files for e in f.errors]
    assert actions.visible_task(lg.con, lg.users["office"], code)["lifecycle"] == "closed"
    assert actions.pending_requests(lg.con, lg.users["office"]).is_empty()
    actions.reopen_task(lg.con, lg.users["office"], code, "回头看发现问题反弹")
    assert actions.pending_requests(lg.con, lg.users["office"]).is_empty()
    assert lg.scalar("SELECT claim_state FROM progress WHERE claim_state IS NOT NULL") == "void"


def test_import_as_records_the_user_and_leaves_the_options_alone(ledger):
    lg = ledger
    options = LoadOptions(today=date(2026, 7, 3))
    result = actions.import_as(lg.con, lg.users["office"], [InputFile("meeting6.csv", NEW_LIST.encode("utf-8"))],
                               options)
    assert result.committed
    assert options.actor == "cli"
    assert lg.scalar("SELECT created_by FROM import_batches WHERE batch_id = ?", [result.batch_id]) == "ducha"
    assert lg.con.execute("SELECT DISTINCT actor FROM audit_log WHERE batch_id = ?", [result.batch_id]).fetchall() == [
        ("ducha",)]


def test_user_text_is_stored_as_written(ledger):
    lg = ledger
    text = "进展'); DELETE FROM tasks; -- $code {visible_tasks}"
    actions.submit_progress(lg.con, lg.users["unit_lead"], lg.codes["housing"], text, report_date=date(2026, 4, 1))
    assert lg.scalar("SELECT text FROM progress") == text
    assert lg.scalar("SELECT count(*) FROM tasks") == 4


# --------------------------------------------------------------------------- honest rules (issue 11)


def test_a_co_unit_reports_progress_but_may_not_claim_or_ask_for_an_extension(ledger):
    lg = ledger
    co = lg.users["unit_co"]
    code = lg.codes["housing"]
    actions.submit_progress(lg.con, co, code, "资金已拨付", report_date=date(2026, 4, 10))
    before = lg.audit_count()
    with pytest.raises(AccessDenied) as claim:
        actions.claim_done(lg.con, co, code, "已完成", done_date=date(2026, 4, 20), report_date=date(2026, 4, 21))
    with pytest.raises(AccessDenied) as extension:
        actions.request_extension(lg.con, co, code, date(2026, 5, 31), "需协调资金", on=date(2026, 4, 25))
    assert str(claim.value) == "配合单位只能报送进展，申请办结须由牵头单位（区住房和城乡建设局）提出。"
    assert str(extension.value) == "配合单位只能报送进展，申请延期须由牵头单位（区住房和城乡建设局）提出。"
    assert lg.audit_count() == before
    assert lg.scalar("SELECT count(*) FROM extensions") == 0
    assert lg.scalar("SELECT count(*) FROM progress WHERE claims_done") == 0


def test_which_users_act_as_the_lead_unit(ledger):
    lg = ledger
    code = lg.codes["housing"]
    assert {key: actions.acts_as_lead(lg.con, user, code) for key, user in lg.users.items()} == {
        "office": True, "principal": False, "leader": False, "unit_lead": True, "unit_co": False,
        "unit_other": False}


def test_an_extension_must_be_asked_by_the_current_deadline(ledger):
    lg = ledger
    u = lg.users
    code = lg.codes["housing"]   # deadline 2026-04-30
    with pytest.raises(ActionError) as late:
        actions.request_extension(lg.con, u["unit_lead"], code, date(2026, 5, 31), "需协调资金", on=date(2026, 5, 1))
    assert str(late.value).startswith("延期须在完成时限（2026年4月30日）前申请，2026年5月1日已逾期，不能申请延期。")
    assert "逾期后补办" in str(late.value)
    # The office too, unless it records the request as 逾期后补办; a unit may not record that.
    with pytest.raises(ActionError, match="已逾期"):
        actions.request_extension(lg.con, u["office"], code, date(2026, 5, 31), "需协调资金", on=date(2026, 5, 1))
    with pytest.raises(AccessDenied, match="单位账号无权登记逾期后补办的延期"):
        actions.request_extension(lg.con, u["unit_lead"], code, date(2026, 5, 31), "需协调资金", on=date(2026, 5, 1),
                                  late=True)
    assert lg.scalar("SELECT count(*) FROM extensions") == 0
    # On the deadline itself it is still in time.
    first = actions.request_extension(lg.con, u["unit_lead"], code, date(2026, 5, 31), "需协调资金",
                                      on=date(2026, 4, 30))
    actions.decide_extension(lg.con, u["office"], first, True, on=date(2026, 5, 2))
    # After the original deadline, before the extended one: in time.
    second = actions.request_extension(lg.con, u["unit_lead"], code, date(2026, 6, 30), "再延", on=date(2026, 5, 20))
    actions.decide_extension(lg.con, u["office"], second, False, "不同意", on=date(2026, 5, 21))
    with pytest.raises(ActionError, match="2026年5月31日"):
        actions.request_extension(lg.con, u["unit_lead"], code, date(2026, 6, 30), "再延", on=date(2026, 6, 2))
    with pytest.raises(ActionError, match="尚未届满"):
        actions.request_extension(lg.con, u["office"], code, date(2026, 6, 30), "再延", on=date(2026, 5, 25), late=True)
    third = actions.request_extension(lg.con, u["office"], code, date(2026, 6, 30), "单位补报材料", on=date(2026, 6, 2),
                                      late=True)
    assert lg.con.execute("SELECT extension_id, filed_late FROM extensions ORDER BY extension_id").fetchall() == [
        (first, False), (second, False), (third, True)]
    assert ("ducha", "是") in lg.con.execute(
        "SELECT actor, after FROM audit_log WHERE action = 'request_extension' AND field = 'filed_late'").fetchall()
    [pending] = actions.pending_requests(lg.con, u["office"]).iter_rows(named=True)
    assert (pending["request_id"], pending["filed_late"]) == (third, True)


def test_a_claim_shows_as_pending_until_verified(ledger):
    lg = ledger
    u = lg.users
    code = lg.codes["housing"]
    assert lg.status("housing", date(2026, 4, 20))["claim_pending"] is False
    actions.claim_done(lg.con, u["unit_lead"], code, "改造已完工", done_date=date(2026, 4, 20),
                       report_date=date(2026, 4, 21))
    row = lg.status("housing", date(2026, 4, 22))
    assert (row["status"], row["claim_pending"], row["original_deadline"]) == ("on_track", True, date(2026, 4, 30))
    assert lg.status("housing", date(2026, 4, 20))["claim_pending"] is False   # not yet claimed on that day
    from ledger.queries import task_detail
    detail = task_detail(lg.con, u["unit_lead"], date(2026, 4, 22), code)["task"].row(0, named=True)
    assert detail["claim_pending"] is True and detail["status_label"] == "正常推进"
    actions.verify(lg.con, u["office"], code, True, on=date(2026, 4, 23))
    assert lg.status("housing", date(2026, 4, 24))["claim_pending"] is False


def test_close_needs_a_passed_verification_by_default(ledger):
    lg = ledger
    office = lg.users["office"]
    code = lg.codes["housing"]
    assert lg.scalar("SELECT value FROM settings WHERE key = 'close_requires_verification'") == "是"
    assert actions.close_requires_verification(lg.con)
    before = lg.audit_count()
    with pytest.raises(ActionError) as refused:
        actions.close_task(lg.con, office, code, date(2026, 4, 28), "已现场核查")
    assert str(refused.value) == actions.CLOSE_NEEDS_VERIFICATION
    assert lg.audit_count() == before
    assert actions.visible_task(lg.con, office, code)["lifecycle"] == "open"
    # A passed 核查 is the 销号.
    actions.verify(lg.con, office, code, True, "现场核查属实", on=date(2026, 4, 28))
    assert lg.status("housing", date(2026, 4, 29))["status"] == "done_on_time"
    # With the setting 否 the office may close directly, with a note.
    _allow_direct_close(lg)
    assert not actions.close_requires_verification(lg.con)
    actions.close_task(lg.con, office, lg.codes["river"], date(2026, 4, 28), "已现场核查")
    assert lg.status("river", date(2026, 4, 29))["status"] == "done_on_time"


def test_a_failed_verification_sends_the_claim_back_with_the_reason(ledger):
    lg = ledger
    u = lg.users
    code = lg.codes["housing"]
    actions.claim_done(lg.con, u["unit_lead"], code, "改造已完工", done_date=date(2026, 4, 28),
                       report_date=date(2026, 4, 29))
    with pytest.raises(ActionError, match="退回理由"):
        actions.verify(lg.con, u["office"], code, False, " ", on=date(2026, 5, 6))
    actions.verify(lg.con, u["office"], code, False, "现场仍有三栋未完工", on=date(2026, 5, 6))
    assert actions.pending_requests(lg.con, u["office"]).is_empty()
    returned = actions.returned_claims(lg.con, u["unit_lead"])
    assert returned.select("code", "request_label", "return_reason", "returned_by", "returned_date").rows() == [
        (code, "被退回", "现场仍有三栋未完工", "ducha", date(2026, 5, 6))]
    assert actions.returned_claims(lg.con, u["unit_co"]).height == 1        # the co-unit sees it too
    assert actions.returned_claims(lg.con, u["unit_other"]).is_empty()      # out of scope
    assert ("ducha", "现场仍有三栋未完工") in lg.con.execute(
        "SELECT actor, after FROM audit_log WHERE action = 'verify' AND field = 'return_reason'").fetchall()
    # Counted: one claim sent back for the task.
    assert lg.scalar("SELECT count(*) FROM progress WHERE claim_state = 'failed'") == 1
    # A new claim answers the return.
    actions.claim_done(lg.con, u["unit_lead"], code, "已全部完工", done_date=date(2026, 5, 20),
                       report_date=date(2026, 5, 21))
    assert actions.returned_claims(lg.con, u["office"]).is_empty()


def test_decide_the_pending_extension_of_a_task(ledger):
    lg = ledger
    u = lg.users
    code = lg.codes["housing"]
    with pytest.raises(ActionError, match="没有待审批的延期申请"):
        actions.decide_task_extension(lg.con, u["office"], code, True, on=date(2026, 4, 26))
    with pytest.raises(AccessDenied, match="单位账号无权审批延期"):
        actions.decide_task_extension(lg.con, u["unit_lead"], code, True, on=date(2026, 4, 26))
    extension_id = actions.request_extension(lg.con, u["unit_lead"], code, date(2026, 5, 31), "需协调资金",
                                              on=date(2026, 4, 25))
    assert actions.decide_task_extension(lg.con, u["office"], code, True, "同意", on=date(2026, 4, 26)) == extension_id
    assert lg.status("housing", date(2026, 5, 10))["deadline"] == date(2026, 5, 31)


def test_cancel_names_its_reason_and_the_superseding_source(ledger):
    lg = ledger
    office = lg.users["office"]
    code = lg.codes["housing"]
    with pytest.raises(ActionError, match="撤销理由"):
        actions.cancel_task(lg.con, office, code, "", on=date(2026, 4, 1))
    with pytest.raises(ActionError, match="本身的来源"):
        actions.cancel_task(lg.con, office, code, "重复", on=date(2026, 4, 1), superseded_by="区政府第5次常务会议")
    actions.cancel_task(lg.con, office, code, "并入新的改造计划", on=date(2026, 4, 1),
                        superseded_by="区政府第9次常务会议")
    assert lg.con.execute("SELECT lifecycle, cancel_reason, superseded_by FROM tasks WHERE code = ?", [code]).fetchall() \
        == [("cancelled", "并入新的改造计划", "区政府第9次常务会议")]
    assert {("reason", "并入新的改造计划"), ("superseded_by", "区政府第9次常务会议")} <= set(lg.con.execute(
        "SELECT field, after FROM audit_log WHERE action = 'cancel'").fetchall())
    from ledger.queries import task_detail
    timeline = task_detail(lg.con, office, date(2026, 4, 2), code)["timeline"]
    assert timeline.filter(event="撤销")["detail"].to_list() == ["并入新的改造计划（由区政府第9次常务会议取代）"]
    actions.reopen_task(lg.con, office, code, "新计划未通过")
    assert lg.con.execute("SELECT cancel_reason, superseded_by FROM tasks WHERE code = ?", [code]).fetchall() \
        == [(None, None)]


# --------------------------------------------------------------------------- the audit trail


def test_every_change_is_audited_with_actor_and_before_after(ledger):
    lg = ledger
    u = lg.users
    code = lg.codes["housing"]
    counts = [lg.audit_count()]

    def entries(action: str) -> set[tuple]:
        return set(lg.con.execute(
            "SELECT actor, entity, field, before, after FROM audit_log WHERE action = ?", [action]).fetchall())

    def step(call):
        result = call()
        counts.append(lg.audit_count())
        assert counts[-1] > counts[-2]
        return result

    step(lambda: actions.add_comment(lg.con, u["leader"], code, "请加快进度"))
    assert ("zhangsan", "comment", "kind", None, "批示") in entries("comment")
    step(lambda: actions.submit_progress(lg.con, u["unit_co"], code, "资金已拨付", report_date=date(2026, 4, 10)))
    assert ("caizheng", "progress", "text", None, "资金已拨付") in entries("submit_progress")
    assert ("caizheng", "progress", "task", None, code) in entries("submit_progress")
    ext = step(lambda: actions.request_extension(lg.con, u["unit_lead"], code, date(2026, 5, 31), "需协调资金",
                                                 on=date(2026, 4, 25)))
    assert ("zhujian", "extension", "new_deadline", None, "2026-05-31") in entries("request_extension")
    assert ("zhujian", "extension", "original_deadline", None, "2026-04-30") in entries("request_extension")
    step(lambda: actions.decide_extension(lg.con, u["office"], ext, True, on=date(2026, 4, 28)))
    assert {("ducha", "extension", "decision", "pending", "approved"),
            ("ducha", "extension", "decided_date", None, "2026-04-28")} <= entries("decide_extension")
    step(lambda: actions.claim_done(lg.con, u["unit_lead"], code, "完工", done_date=date(2026, 5, 20),
                                    report_date=date(2026, 5, 21)))
    assert ("zhujian", "progress", "done_date", None, "2026-05-20") in entries("claim_done")
    step(lambda: actions.verify(lg.con, u["office"], code, False, "未完工", on=date(2026, 5, 22)))
    assert {("ducha", "progress", "claim_state", "pending", "failed"),
            ("ducha", "verification", "result", None, "failed")} <= entries("verify")
    step(lambda: actions.claim_done(lg.con, u["unit_lead"], code, "完工", done_date=date(2026, 5, 25),
                                    report_date=date(2026, 5, 26)))
    step(lambda: actions.verify(lg.con, u["office"], code, True, on=date(2026, 5, 27)))
    assert {("ducha", "task", "lifecycle", "open", "closed"),
            ("ducha", "task", "closed_date", None, "2026-05-25")} <= entries("verify")
    step(lambda: actions.reopen_task(lg.con, u["office"], code, "回头看发现问题反弹"))
    assert {("ducha", "task", "lifecycle", "closed", "open"),
            ("ducha", "task", "closed_date", "2026-05-25", None),
            ("ducha", "task", "reason", None, "回头看发现问题反弹")} <= entries("reopen")
    _allow_direct_close(lg)
    step(lambda: actions.close_task(lg.con, u["office"], code, date(2026, 6, 1), "已整改到位"))
    assert ("ducha", "task", "note", None, "已整改到位") in entries("close")
    step(lambda: actions.reopen_task(lg.con, u["office"], code, "撤销前恢复"))
    step(lambda: actions.cancel_task(lg.con, u["office"], code, "会议决定不再实施", on=date(2026, 6, 5)))
    assert {("ducha", "task", "lifecycle", "open", "cancelled"),
            ("ducha", "task", "cancelled_date", None, "2026-06-05")} <= entries("cancel")
    # Refusals and reads leave the count as it was, never lower.
    for call in (lambda: actions.verify(lg.con, u["unit_lead"], code, True),
                 lambda: actions.submit_progress(lg.con, u["unit_other"], code, "x"),
                 lambda: actions.visible_task(lg.con, u["principal"], code),
                 lambda: actions.pending_requests(lg.con, u["leader"])):
        try:
            call()
        except AccessDenied:
            pass
        counts.append(lg.audit_count())
    assert counts == sorted(counts)
    assert counts[-1] == counts[-5]
    # Every action entry names a field and the user who acted.
    assert lg.scalar("SELECT count(*) FROM audit_log WHERE batch_id IS NULL AND (field IS NULL OR actor = '')") == 0
    # One time per action: the entries of one action share their time.
    assert lg.scalar("SELECT count(DISTINCT logged_at) FROM audit_log WHERE action = 'decide_extension'") == 1


def test_a_failed_action_writes_nothing(ledger, monkeypatch):
    lg = ledger
    before = lg.audit_count()
    real = actions._audit

    def failing(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions, "_audit", failing)
    with pytest.raises(RuntimeError):
        actions.submit_progress(lg.con, lg.users["unit_lead"], lg.codes["housing"], "进展", report_date=date(2026, 4, 1))
    assert lg.audit_count() == before
    assert lg.scalar("SELECT count(*) FROM progress") == 0


AUDIT_WRITE = re.compile(
    r"\b(UPDATE\s+audit_log|DELETE\s+FROM\s+audit_log|TRUNCATE\s+(TABLE\s+)?audit_log"
    r"|DROP\s+TABLE\s+(IF\s+EXISTS\s+)?audit_log|ALTER\s+TABLE\s+audit_log|INSERT\s+OR\s+REPLACE\s+INTO\s+audit_log)\b",
    re.IGNORECASE,
)


def test_no_code_updates_or_deletes_audit_entries():
    sources = [p for folder in ("etl", "ledger", "demo", "ui") for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".sql")]
    sources += [p for p in (ROOT / "pages").rglob("*.py")] + [ROOT / "dashboard.py"]
    assert any(p.name == "actions.py" for p in sources)
    offenders = [f"{p.relative_to(ROOT)}: {m.group(0)}"
                 for p in sources if p.exists()
                 for m in AUDIT_WRITE.finditer(p.read_text(encoding="utf-8"))]
    assert offenders == []
    assert AUDIT_WRITE.search("update  audit_log set x = 1") and AUDIT_WRITE.search("DELETE\nFROM audit_log")
