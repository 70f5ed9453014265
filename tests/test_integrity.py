"""Declared integrity (ledger/integrity.py): every table of the schema is declared, every rule
holds on a demo ledger, on the dashboard test ledger and on a ledger after messy imports and
lifecycle actions, and each kind of rule fires on a deliberately broken ledger.

The broken ledgers are built on a copy of a table without its constraints (as the bulk tables
are once the import gives up their indexes), so a duplicate, a null, an orphan or a bad code
reaches the table and the check, not DuckDB's own refusal."""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta

import duckdb
import pytest
from conftest import add_account
from test_fuzz_import import FuzzLedger, _templates, generate, seeded_ledger

from demo.build import build_demo
from etl.importer import InputFile, LoadOptions, import_files
from ledger import accounts, actions, integrity
from ledger.db import open_ledger
from ledger.integrity import IntegrityError

MESSY_DAY = date(2026, 10, 9)
MEETING = LoadOptions(source_kind="常务会议", source_title="区政府第12次常务会议", source_date=date(2026, 9, 28),
                      today=MESSY_DAY)


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def assert_whole(con: duckdb.DuckDBPyConnection) -> None:
    broken = integrity.violations(con)
    assert not broken, "\n".join(v.message for v in broken)


# ------------------------------------------------------------------------------------ declarations


def test_every_table_and_column_of_the_schema_is_declared(ledger):
    columns: dict[str, set[str]] = {}
    for table, column in ledger.execute(
        "SELECT table_name, column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_schema, table_name) "
        "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
    ).fetchall():
        columns.setdefault(table, set()).add(column)
    assert set(integrity.DECLARED) == set(columns), "declare the new table in ledger/integrity.py"
    for name, table in integrity.DECLARED.items():
        declared = integrity.declared_columns(table)
        assert declared == columns[name], (name, "undeclared:", columns[name] - declared, "gone:", declared - columns[name])


def test_the_supervision_codes_are_the_ones_ledger_supervision_writes():
    from ledger.supervision import CHASE_WAYS, NOTICE_KINDS

    accepted = {(t.name, column): tuple(values) for t in integrity.TABLES for column, values in t.accepted}
    assert accepted[("chases", "way")] == tuple(CHASE_WAYS)
    assert accepted[("unit_notices", "kind")] == tuple(NOTICE_KINDS)


def test_each_check_is_one_statement_that_runs_on_an_empty_ledger(ledger):
    for check in integrity.checks_for():
        assert len(duckdb.extract_statements(check.sql)) == 1, check.name
        assert integrity.run(ledger, check) is None, check.name
    assert integrity.violations(ledger) == []
    integrity.check(ledger)


def test_unknown_tables_and_rules_are_a_programming_error(ledger):
    with pytest.raises(ValueError, match="no integrity declaration for table"):
        integrity.violations(ledger, ["taskz"])
    with pytest.raises(ValueError, match="unknown rule"):
        integrity.violations(ledger, ["tasks"], rules=["uniq"])


def test_the_key_rules_leave_out_only_what_the_schema_still_refuses(ledger):
    """What an import may check before COMMIT: every rule but NOT NULL, which every table
    keeps in the schema and which refuses an empty value on insert."""
    chosen = integrity.checks_for(rules=integrity.KEY_RULES)
    assert {c.rule for c in chosen} == {"unique", "relationship", "accepted_values", "row_rule"}
    assert {"tasks.task_id:unique", "tasks.code:unique", "tasks.source_id+item:unique", "task_units.task_id+unit_id:unique",
            "milestones.task_id+seq:unique", "task_units.task_id:relationship", "tasks.deadline_kind:accepted_values",
            } <= {c.name for c in chosen}
    not_null = {(t, c) for t, c, n in ledger.execute(
        "SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'main'"
    ).fetchall() if n == "NO"}
    for check in integrity.checks_for(rules=["not_null"]):
        assert (check.table, check.columns[0]) in not_null, f"{check.name}: the schema no longer refuses it"


# ------------------------------------------------------------------------------------ whole ledgers


def test_the_demo_ledger_keeps_every_rule(tmp_path):
    con = open_ledger(tmp_path / "demo.duckdb")
    try:
        build = build_demo(con, today=MESSY_DAY, out_dir=tmp_path / "files")
        assert build.result.committed and not build.result.has_errors
        assert con.execute("SELECT count(*) FROM tasks").fetchone()[0] > 100
        assert_whole(con)
    finally:
        con.close()


def test_the_dashboard_ledger_keeps_every_rule(dashboard_ledger):
    con = duckdb.connect(str(dashboard_ledger), read_only=True)
    try:
        # extensions, verifications and rectifications are in it, not only imported tasks
        assert con.execute("SELECT count(*) FROM extensions").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM verifications").fetchone()[0] > 0
        assert_whole(con)
    finally:
        con.close()


MESSY_FILES = [
    # title row, 序号 written 1、, units by short names with 等, an annotation in the text
    ("meeting.csv", csv_bytes([
        "区政府第12次常务会议议定事项督办表",
        "序号,议定事项,牵头单位,配合单位,责任领导,完成时限",
        "1、,加快推进老旧小区改造,区住建局,\"区财政局、各街道\",王建国副区长,会后5个工作日内",
        "2,抓紧完成招商项目签约（牵头单位：区商务局；配合单位：区发改局、区商务局）,,,李明华,2026年12月31日前",
        "3,做好安全生产大排查,区应急局,区住建局等,王建国,每季度",
        "4,研究制定人才新政,\"区人社局（牵头）、区人社局\",区财政局、区财政局,李明华,①11月底前②年底前",
        "5,推进污水管网改造,区住建局,,赵红梅,长期坚持",
    ], "gb18030"), MEETING),
    # the same list again with changes: updated tasks, a unit gone, a milestone phrase changed
    ("meeting-v2.csv", csv_bytes([
        "序号,议定事项,牵头单位,配合单位,责任领导,完成时限",
        "1,加快推进老旧小区改造（含加装电梯）,区住建局,区财政局,王建国,2026年11月30日前",
        "2,抓紧完成招商项目签约,区商务局,区发改局,李明华,2026年12月31日前",
        "3,做好安全生产大排查,区应急局,区住建局,王建国,每月",
        "4,研究制定人才新政,区人社局,,李明华,①12月底前②明年3月底前③明年6月底前",
        "5,推进污水管网改造,区住建局,区水利局,赵红梅,长期坚持",
    ]), MEETING),
    ("progress.csv", csv_bytes([
        "会议名称,序号,进展情况,填报日期,是否办结,办结日期",
        "区政府第12次常务会议,1,已完成改造方案,2026-10-08,否,",
        "区政府第12次常务会议,1,已完成改造方案,2026-10-08,否,",
        "区政府第12次常务会议,2,已签约3个项目,2026/10/08,是,2026-10-08",
    ]), MEETING),
    ("directives.csv", csv_bytes([
        "序号,批示领导,批示时间,批示内容,承办单位,办理时限",
        "1,王建国,2026-09-01,请区住建局牵头核查小区漏水问题,区住建局,15个工作日内",
        "2,王建国,2026年9月1日,请研究老旧电梯更新,区住建局、区市场监管局,1个月内",
        "3,李明华,2026-09-03,关于企业用工难的反映请研究,区人社局、区工信局等,1个月内",
    ]), LoadOptions(today=MESSY_DAY)),
    ("audit.csv", csv_bytes([
        "序号,问题,整改措施,整改单位,整改时限",
        "1,专项资金闲置,盘活闲置资金并建立台账,区财政局,2026年11月30日前",
        "2,项目未按期验收,督促施工单位完成验收,区住建局,2026年12月31日前",
    ]), LoadOptions(source_kind="审计整改", source_title="2025年度区本级预算执行审计", source_date=date(2026, 9, 10),
                    today=MESSY_DAY)),
    ("units.csv", csv_bytes([
        "单位名称,简称,单位类型,分管领导",
        "区数据资源局,\"区数据局、数据局\",部门,李明华",
        "区住房和城乡建设局,区住建局,部门,王建国",
    ]), LoadOptions(today=MESSY_DAY)),
]


def test_a_ledger_after_messy_imports_actions_and_fuzzed_files_keeps_every_rule(tmp_path):
    con = open_ledger(tmp_path / "messy.duckdb")
    try:
        for name, data, options in MESSY_FILES:
            result = import_files(con, [InputFile(name, data)], options)
            assert result.committed, (name, [e.message for f in result.files for e in f.errors])
            assert_whole(con)
        # the same file again, and a rejected one: nothing changes
        assert not import_files(con, [InputFile(*MESSY_FILES[0][:2])], MEETING).committed
        assert not import_files(con, [InputFile("bad.csv", b"\xff\xfe\x00garbage")], MEETING).committed
        _act_on_tasks(con)
        assert con.execute("SELECT count(*) FROM task_comments").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM verifications").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM extensions").fetchone()[0] > 0
        assert_whole(con)
    finally:
        con.close()

    # 60 generated files on the fuzz run's seeded ledger (each accepted one is checked as it goes)
    ledger = FuzzLedger(seeded_ledger(tmp_path / "fuzzed.duckdb"))
    try:
        rng, templates, outcomes = random.Random(8), _templates(), []
        for index in range(60):
            outcome, failures = ledger.feed(index, *generate(rng, templates, ledger.accepted))
            assert not failures, [(f.kind, f.detail) for f in failures]
            outcomes.append(outcome)
        assert "accepted" in outcomes
        assert_whole(ledger.con)
    finally:
        ledger.close()


def _act_on_tasks(con: duckdb.DuckDBPyConnection) -> None:
    """Accounts and the lifecycle actions that write comments, progress claims, extensions,
    verifications, cancellations and reopenings."""
    add_account(con, "ducha", "office")
    add_account(con, "wang", "leader", "王建国")
    add_account(con, "zhujian", "unit", "区住房和城乡建设局")
    office, leader, unit = (accounts.get_user(con, name) for name in ("ducha", "wang", "zhujian"))
    codes = dict(con.execute(
        "SELECT t.content, t.code FROM tasks t JOIN sources s USING (source_id) WHERE s.title = '区政府第12次常务会议'"
    ).fetchall())
    housing, sewage = codes["加快推进老旧小区改造（含加装电梯）"], codes["推进污水管网改造"]
    safety = codes["做好安全生产大排查"]
    day = MESSY_DAY + timedelta(days=1)
    actions.add_comment(con, leader, housing, "请加快进度")
    actions.submit_progress(con, unit, housing, "已开工", report_date=day)
    actions.claim_done(con, unit, housing, "已完工", done_date=day, report_date=day)
    actions.verify(con, office, housing, passed=True, note="现场核查属实", on=day)
    extension = actions.request_extension(con, unit, _dated(con, day), date(2027, 3, 31), "需协调资金", on=day)
    actions.decide_extension(con, office, extension, approve=True, note="同意", on=day)
    actions.cancel_task(con, office, safety, "并入新的部署", on=day)
    actions.reopen_task(con, office, safety, "回头看发现问题")
    actions.add_comment(con, office, sewage, "请按月报送进展")


def _dated(con: duckdb.DuckDBPyConnection, day: date) -> str:
    """An open task the unit leads with a date deadline not yet past on `day` (issue 11: an
    extension is asked by the deadline, by the lead unit)."""
    return con.execute(
        "SELECT t.code FROM tasks t JOIN task_units tu USING (task_id) JOIN units u USING (unit_id) "
        "WHERE u.name = '区住房和城乡建设局' AND tu.role = 'lead' AND t.deadline_kind = 'date' AND t.lifecycle = 'open' "
        "AND t.deadline >= ? ORDER BY t.task_id", [day]
    ).fetchone()[0]


# ------------------------------------------------------------------------------------ broken ledgers


@pytest.fixture
def broken(dashboard_ledger, tmp_path):
    """A writable copy of the dashboard ledger."""
    path = tmp_path / "broken.duckdb"
    shutil.copyfile(dashboard_ledger, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


def without_constraints(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """The table as a plain copy: no key, no NOT NULL, no CHECK (views over it stay valid)."""
    con.execute(f'CREATE TABLE "{table}_copy" AS SELECT * FROM "{table}"')
    con.execute(f'DROP TABLE "{table}"')
    con.execute(f'ALTER TABLE "{table}_copy" RENAME TO "{table}"')


def _one(found: list[integrity.Violation]) -> integrity.Violation:
    assert len(found) == 1, [v.message for v in found]
    return found[0]


def test_a_duplicate_key_is_found(broken):
    without_constraints(broken, "tasks")
    code, task_id = broken.execute("SELECT code, task_id FROM tasks ORDER BY task_id LIMIT 1").fetchone()
    broken.execute("INSERT INTO tasks SELECT * REPLACE (999 AS task_id, item || '-copy' AS item) FROM tasks "
                   "WHERE task_id = ?", [task_id])
    found = _one(integrity.violations(broken, ["tasks"]))
    assert (found.table, found.columns, found.rule, found.count, found.examples) == ("tasks", ("code",), "unique", 1,
                                                                                      (code,))
    assert found.message == f"表 tasks 的 code：取值须唯一（不得重复），违反 1 处，例如 {code}"


def test_a_duplicate_compound_key_is_found(broken):
    without_constraints(broken, "task_units")
    task_id, unit_id = broken.execute("SELECT task_id, unit_id FROM task_units ORDER BY ALL LIMIT 1").fetchone()
    broken.execute("INSERT INTO task_units VALUES (?, ?, 'co', 200)", [task_id, unit_id])
    found = _one(integrity.violations(broken, ["task_units"]))
    assert (found.columns, found.rule, found.examples) == (("task_id", "unit_id"), "unique", (f"({task_id}, {unit_id})",))


def test_an_empty_required_value_is_found_and_named_by_the_row_key(broken):
    without_constraints(broken, "tasks")
    broken.execute("UPDATE tasks SET content = NULL WHERE task_id IN (SELECT task_id FROM tasks ORDER BY task_id LIMIT 7)")
    first = [str(t) for (t,) in broken.execute("SELECT task_id FROM tasks ORDER BY task_id LIMIT 5").fetchall()]
    found = _one(integrity.violations(broken, ["tasks"]))
    assert (found.columns, found.rule, found.count, list(found.examples)) == (("content",), "not_null", 7, first)
    assert found.message.endswith("…") and "不得为空" in found.message


def test_an_orphan_is_found(broken):
    broken.execute("INSERT INTO milestones (task_id, seq, text) VALUES (424242, 1, '无主节点')")
    broken.execute("INSERT INTO task_units VALUES ((SELECT min(task_id) FROM tasks), 77777, 'co', 300)")
    found = integrity.violations(broken)
    assert [(v.table, v.columns, v.rule, v.examples) for v in found] == [
        ("task_units", ("unit_id",), "relationship", ("77777",)),
        ("milestones", ("task_id",), "relationship", ("424242",)),
    ]
    assert "须引用 tasks.task_id 中已有的值" in found[1].message
    # a table's checks only: the orphan in milestones is not the tasks table's business
    assert integrity.violations(broken, ["tasks"]) == []


def test_a_code_outside_the_vocabulary_is_found(broken):
    without_constraints(broken, "tasks")
    without_constraints(broken, "extensions")
    broken.execute("UPDATE tasks SET lifecycle = 'finished' WHERE task_id = (SELECT min(task_id) FROM tasks)")
    broken.execute("UPDATE extensions SET decision = '同意'")
    broken.execute("UPDATE progress SET claim_state = 'maybe' WHERE claims_done")
    found = integrity.violations(broken, ["tasks", "progress", "extensions"])
    assert [(v.table, v.columns, v.rule, v.examples) for v in found] == [
        ("tasks", ("lifecycle",), "accepted_values", ("finished",)),
        ("progress", ("claim_state",), "accepted_values", ("maybe",)),
        ("extensions", ("decision",), "accepted_values", ("同意",)),
    ]
    assert found[0].message.startswith("表 tasks 的 lifecycle：取值须为 open、closed、cancelled 之一")


def test_an_audit_code_without_a_word_warns_but_does_not_stop_an_import(broken):
    """The audit log keeps whatever was written: an unknown action is reported (tests keep the
    vocabulary complete), and check(), which an import runs, does not refuse the ledger for it."""
    broken.execute("INSERT INTO audit_log (logged_at, actor, action, entity, entity_id) "
                   "VALUES (TIMESTAMP '2026-10-09 10:00:00', 'ducha', 'poke', 'task', 'DB202600001')")
    found = _one(integrity.violations(broken, ["audit_log"]))
    assert (found.columns, found.rule, found.check.severity, found.examples) == (("action",), "accepted_values",
                                                                                 "warn", ("poke",))
    integrity.check(broken, ["audit_log"])


def test_a_broken_row_rule_is_found(broken):
    task_id = broken.execute("SELECT min(task_id) FROM tasks WHERE deadline_kind = 'date'").fetchone()[0]
    broken.execute("UPDATE tasks SET lifecycle = 'closed', closed_date = NULL WHERE task_id = ?", [task_id])
    found = _one(integrity.violations(broken, ["tasks"]))
    assert (found.columns, found.rule, found.examples) == (("lifecycle", "closed_date"), "row_rule", (str(task_id),))
    assert "已办结的事项须有办结日期" in found.message


def test_check_raises_inside_the_transaction_and_the_rollback_undoes_it(broken):
    """How the import uses it: its writes and the check in one transaction."""
    without_constraints(broken, "tasks")
    broken.execute("BEGIN")
    broken.execute("INSERT INTO tasks SELECT * REPLACE (task_id + 1000 AS task_id) FROM tasks")
    with pytest.raises(IntegrityError) as caught:
        integrity.check(broken, ["tasks", "task_units"])
    broken.execute("ROLLBACK")
    message = str(caught.value)
    assert message.startswith("台账数据完整性检查未通过（本次操作已全部撤销）：")
    assert "表 tasks 的 code：取值须唯一" in message and "表 tasks 的 source_id、item：取值须唯一" in message
    assert {v.columns for v in caught.value.violations} == {("code",), ("source_id", "item")}
    integrity.check(broken)   # all rules hold again
