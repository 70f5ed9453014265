"""The office's supervision acts (ledger/supervision.py) and the 催办单 (ledger/documents.py),
on a real ledger file with tasks imported through the ordinary path."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import python_calamine
from argon2 import PasswordHasher
from docx import Document

from etl.importer import InputFile, LoadOptions, import_files
from ledger import accounts, supervision
from ledger.access import AccessDenied, User, system_user
from ledger.actions import ActionError
from ledger.db import open_ledger
from ledger.documents import Notice, notice_docx, notice_xlsx

OFFICE = system_user()
ROOT = Path(__file__).resolve().parent.parent
LIST = (
    "序号,工作任务,牵头单位,配合单位,完成时限\n"
    "1,推进老旧小区改造,区住建局,区财政局,2026年3月31日\n"
    "2,完成河道整治,区水利局,,2026年4月30日\n"
    "3,建设口袋公园,区住建局,,2026年12月31日\n"
).encode()


@pytest.fixture
def con(tmp_path):
    con = open_ledger(tmp_path / "ledger.duckdb")
    result = import_files(con, [InputFile("议定事项.csv", LIST)], LoadOptions(
        source_kind="常务会议", source_title="区政府第3次常务会议", source_date=date(2026, 1, 5), today=date(2026, 1, 6)))
    assert result.committed, result.files[0].errors
    yield con
    con.close()


def _code(con, item: str) -> str:
    return con.execute("SELECT code FROM tasks WHERE item = ?", [item]).fetchone()[0]


def _unit_user(con, name: str) -> User:
    unit_id = con.execute("SELECT unit_id FROM units WHERE name LIKE ?", [f"%{name}%"]).fetchone()[0]
    return User("danwei", "unit", unit_id=unit_id)


def _audit(con, action: str) -> list[tuple]:
    return con.execute(
        "SELECT actor, entity_id, field, after FROM audit_log WHERE action = ? ORDER BY audit_id", [action]
    ).fetchall()


def test_a_chase_is_recorded_against_the_lead_unit_and_audited(con):
    code = _code(con, "1")
    chase_id = supervision.record_chase(con, OFFICE, code, "电话", note="请本周内报送进展", on=date(2026, 4, 2))
    row = con.execute(
        "SELECT c.way, c.chased_on, c.note, c.chased_by, u.name FROM chases c JOIN units u USING (unit_id) "
        "WHERE chase_id = ?", [chase_id]
    ).fetchone()
    assert row[:4] == ("phone", date(2026, 4, 2), "请本周内报送进展", OFFICE.username)
    assert "住" in row[4]
    entries = _audit(con, "chase")
    assert {(e[2], e[3]) for e in entries} >= {("chase_way", "phone"), ("chased_on", "2026-04-02")}
    assert all(e[0] == OFFICE.username and e[1] == code for e in entries)


def test_a_co_unit_may_be_chased_by_name_but_not_a_stranger(con):
    code = _code(con, "1")
    co_unit = con.execute(
        "SELECT u.name FROM task_units tu JOIN units u USING (unit_id) JOIN tasks t USING (task_id) "
        "WHERE t.code = ? AND tu.role = 'co'", [code]).fetchone()[0]
    supervision.record_chase(con, OFFICE, code, "system", unit=co_unit, on=date(2026, 4, 2))
    before = con.execute("SELECT count(*) FROM chases").fetchone()[0]
    with pytest.raises(ActionError, match="不是"):
        supervision.record_chase(con, OFFICE, code, "system", unit="区水利局", on=date(2026, 4, 2))
    assert con.execute("SELECT count(*) FROM chases").fetchone()[0] == before


def test_bulk_chase_is_all_or_nothing(con):
    codes = [_code(con, "1"), _code(con, "3")]
    ids = supervision.chase_tasks(con, OFFICE, codes, "书面", on=date(2026, 4, 2))
    assert len(ids) == 2
    before = (con.execute("SELECT count(*) FROM chases").fetchone()[0],
              con.execute("SELECT count(*) FROM audit_log").fetchone()[0])
    with pytest.raises(AccessDenied, match="不存在"):
        supervision.chase_tasks(con, OFFICE, [*codes, "DB209900001"], "书面", on=date(2026, 4, 2))
    assert (con.execute("SELECT count(*) FROM chases").fetchone()[0],
            con.execute("SELECT count(*) FROM audit_log").fetchone()[0]) == before


@pytest.mark.parametrize(("way", "on", "message"), [
    ("短信", date(2026, 4, 2), "催办方式应为电话、书面、系统、约谈之一"),
    ("电话", date(2025, 12, 1), "不能早于交办日期"),
    ("电话", date(2099, 1, 1), "不能晚于今天"),
])
def test_bad_chases_are_refused_with_the_reason(con, way, on, message):
    with pytest.raises(ActionError, match=message):
        supervision.record_chase(con, OFFICE, _code(con, "1"), way, on=on)
    assert con.execute("SELECT count(*) FROM chases").fetchone()[0] == 0


def test_units_and_leaders_may_not_chase(con):
    unit = _unit_user(con, "住")
    with pytest.raises(AccessDenied):
        supervision.record_chase(con, unit, _code(con, "1"), "电话", on=date(2026, 4, 2))
    with pytest.raises(AccessDenied):
        supervision.record_unit_notice(con, unit, "区水利局", "批评")
    assert con.execute("SELECT count(*) FROM chases").fetchone()[0] == 0


def test_a_closed_task_is_not_chased(con):
    code = _code(con, "2")
    con.execute("UPDATE tasks SET lifecycle = 'closed', closed_date = DATE '2026-04-01' WHERE code = ?", [code])
    with pytest.raises(ActionError, match="无需催办"):
        supervision.record_chase(con, OFFICE, code, "电话", on=date(2026, 4, 2))


def test_a_notice_names_the_units_own_tasks_only(con):
    water = con.execute("SELECT name FROM units WHERE name LIKE '%水利%'").fetchone()[0]
    notice_id = supervision.record_unit_notice(con, OFFICE, water, "批评", codes=[_code(con, "2")],
                                               note="河道整治逾期", on=date(2026, 5, 6))
    kind, task_ids = con.execute("SELECT kind, task_ids FROM unit_notices WHERE notice_id = ?", [notice_id]).fetchone()
    assert kind == "criticism" and len(task_ids) == 1
    with pytest.raises(ActionError, match="不是"):
        supervision.record_unit_notice(con, OFFICE, water, "约谈", codes=[_code(con, "1")])
    assert ("unit_notice" in {r[0] for r in con.execute("SELECT action FROM audit_log").fetchall()})


def _notice() -> Notice:
    items = pl.DataFrame({
        "code": ["DB202600001", "DB202600003"],
        "content": ["推进老旧小区改造=SUM(A1)", "建设口袋公园"],
        "deadline_text": ["2026年3月31日", "2026年12月31日"],
        "status_label": ["逾期", "临期"],
        "overdue": ["16天（11个工作日）", ""],
        "last_progress": ["已完成设计招标", None],
    })
    return Notice(unit="区住房和城乡建设局", as_of=date(2026, 4, 16), reply_by=date(2026, 4, 21), items=items)


def test_the_notice_docx_is_an_office_notice_with_every_item():
    document = Document(io.BytesIO(notice_docx(_notice())))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "督办事项催办单" in text and "区住房和城乡建设局：" in text
    assert "截至2026年4月16日" in text and "2026年4月21日前" in text and "1项已逾期、1项临近完成时限" in text
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["序号", "督办编号", "督办事项", "完成时限", "状态", "逾期", "最新进展"]
    assert rows[1] == ["1", "DB202600001", "推进老旧小区改造=SUM(A1)", "2026年3月31日", "逾期", "16天（11个工作日）", "已完成设计招标"]
    assert rows[2][-1] == "" and len(rows) == 3


def test_the_notice_xlsx_holds_the_same_rows_as_text():
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(notice_xlsx(_notice())))
    rows = workbook.get_sheet_by_name("催办单").to_python()
    assert rows[0][0] == "督办事项催办单"
    table = [row for row in rows if row and row[0] in ("序号", "1", "2")]
    assert table[0][:3] == ["序号", "督办编号", "督办事项"]
    assert table[1][2] == "推进老旧小区改造=SUM(A1)"  # written as text, never a formula
    assert table[2][1] == "DB202600003"


def test_chasing_a_unit_chases_exactly_its_red_tasks(con):
    housing = con.execute("SELECT name FROM units WHERE name LIKE '%住%'").fetchone()[0]
    codes = supervision.chase_unit(con, OFFICE, housing, "系统", on=date(2026, 4, 16))
    assert codes == [_code(con, "1")]  # 3 is on track, 2 is the water bureau's
    chased = con.execute("SELECT t.code FROM chases c JOIN tasks t USING (task_id)").fetchall()
    assert chased == [(_code(con, "1"),)]
    with pytest.raises(ActionError, match="没有逾期事项"):
        supervision.chase_unit(con, OFFICE, housing, "系统", on=date(2026, 3, 2))


def test_the_notice_lists_the_units_overdue_and_due_soon_items(con):
    water = con.execute("SELECT name FROM units WHERE name LIKE '%水利%'").fetchone()[0]
    notice = supervision.chase_notice(con, OFFICE, water, date(2026, 4, 27))
    assert notice.unit == water and notice.as_of == date(2026, 4, 27)
    assert notice.items["code"].to_list() == [_code(con, "2")]
    assert notice.items["status_label"].to_list() == ["临期"]
    assert notice.reply_by == date(2026, 4, 30)  # 3 working days later
    housing = con.execute("SELECT name FROM units WHERE name LIKE '%住%'").fetchone()[0]
    late = supervision.chase_notice(con, OFFICE, housing, date(2026, 4, 16))
    # 31 March to 16 April: 16 calendar days, 11 working days (清明 4-6 April), as 逾期预警 shows them.
    assert late.items.select("code", "status_label", "overdue").rows() == [(_code(con, "1"), "逾期", "16天（11个工作日）")]
    document = Document(io.BytesIO(notice_docx(late)))
    assert [c.text for c in document.tables[0].rows[1].cells][1] == _code(con, "1")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_command_line_chases_and_writes_the_notice_as_the_named_account(tmp_path):
    path = tmp_path / "ledger.duckdb"
    con = open_ledger(path)
    assert import_files(con, [InputFile("议定事项.csv", LIST)], LoadOptions(
        source_kind="常务会议", source_title="区政府第3次常务会议", source_date=date(2026, 1, 5))).committed
    previous = accounts.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    try:
        accounts.create_user(con, OFFICE, "ducha", "Office-pass-2026", "office")
        housing = con.execute("SELECT name FROM units WHERE name LIKE '%住%'").fetchone()[0]
        accounts.create_user(con, OFFICE, "zhujian", "Unit-pass-2026", "unit", unit=housing)
    finally:
        accounts.set_hasher(previous)
    code = _code(con, "1")
    con.close()
    db = ("--db", str(path))

    done = _cli("chase", code, "--way", "电话", "--note", "请报送", "--as", "ducha", "--date", "2026-04-02", "--json", *db)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"ok": True, "chased": [code], "message": f"已催办 1 项：{code}"}
    refused = _cli("chase", "--unit", housing, "--way", "电话", "--as", "zhujian", *db)
    assert refused.returncode == 2 and "无权" in refused.stderr
    out = tmp_path / "催办单.docx"
    made = _cli("notice", "--unit", housing, "--format", "docx", "--out", str(out), "--as", "ducha",
                "--date", "2026-04-16", *db)
    assert made.returncode == 0, made.stderr
    rows = [[cell.text for cell in row.cells] for row in Document(str(out)).tables[0].rows]
    assert [row[1] for row in rows[1:]] == [code]
    # status --tasks counts the chases recorded by its date: none before 4-02, one from then on.
    for day, expected in (("2026-04-01", 0), ("2026-04-16", 1)):
        listed = _cli("status", "--tasks", "--json", "--as-of", day, *db)
        assert listed.returncode == 0, listed.stderr
        chases = {t["code"]: t["chases"] for t in json.loads(listed.stdout)["tasks"]}
        assert chases[code] == expected and set(chases.values()) <= {0, expected}

    con = open_ledger(path)
    assert con.execute("SELECT count(*) FROM chases").fetchone()[0] == 1
    assert con.execute("SELECT actor FROM audit_log WHERE action = 'chase' LIMIT 1").fetchone()[0] == "ducha"


def test_chases_and_notices_are_on_the_tasks_timeline_in_order(con):
    from ledger import queries

    code = _code(con, "1")
    housing = con.execute("SELECT u.name FROM task_units tu JOIN units u USING (unit_id) JOIN tasks t USING (task_id) "
                          "WHERE t.code = ? AND tu.role = 'lead'", [code]).fetchone()[0]
    supervision.record_chase(con, OFFICE, code, "书面", note="请三日内书面报告", on=date(2026, 4, 2))
    supervision.record_unit_notice(con, OFFICE, housing, "批评", codes=[code], note="进度滞后", on=date(2026, 4, 9))
    supervision.record_unit_notice(con, OFFICE, housing, "约谈", codes=[code], on=date(2026, 4, 20))
    supervision.record_chase(con, OFFICE, _code(con, "3"), "电话", on=date(2026, 4, 3))   # another task's
    timeline = queries.task_detail(con, OFFICE, date(2026, 4, 30), code)["timeline"]
    assert timeline.select("day", "event", "detail").rows() == [
        (date(2026, 1, 5), "交办", "由区政府第3次常务会议交办"),
        (date(2026, 4, 2), "催办（书面）", f"催办{housing}；请三日内书面报告"),
        (date(2026, 4, 9), "通报批评", f"{housing}；进度滞后"),
        (date(2026, 4, 20), "约谈", housing),
    ]
    # As of an earlier day, only what had happened by then.
    earlier = queries.task_detail(con, OFFICE, date(2026, 4, 5), code)["timeline"]
    assert earlier["event"].to_list() == ["交办", "催办（书面）"]
