"""The import path on real files: CSV in Chinese encodings, XLSX with title rows and
merged cells, all-or-nothing, idempotence, updates by natural key, progress and closing."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zlib
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter

from etl.importer import InputFile, LoadOptions, import_files
from ledger.access import system_user
from ledger.queries import status_counts, task_list

ROOT = Path(__file__).resolve().parent.parent
MEETING = LoadOptions(source_kind="常务会议", source_title="区政府第12次常务会议", source_date=date(2026, 9, 28),
                      today=date(2026, 10, 9))


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def load(con, name: str, data: bytes, options: LoadOptions | None = MEETING, **kwargs):
    return import_files(con, [InputFile(name, data)], options, **kwargs)


def scalar(con, query: str, params=None):
    return con.execute(query, params or []).fetchone()[0]


def tasks_by_item(con) -> dict[str, dict]:
    return {t["item"]: t for t in task_list(con, date(2026, 10, 9)).iter_rows(named=True)}


BASIC = [
    "区政府第12次常务会议议定事项督办表",
    "序号,议定事项,牵头单位,配合单位,责任领导,完成时限",
    "1、,加快推进老旧小区改造,区住建局,\"区财政局、各街道\",王建国副区长,会后5个工作日内",
    "2,抓紧完成招商项目签约,区商务局,区发改局,李明华,2026年12月31日前",
    "3,做好安全生产大排查,区应急局,区住建局,王建国,每季度",
    "4,研究制定人才新政,区人社局,,李明华,年底前",
]


def test_basic_csv_creates_tasks_with_canonical_units_and_working_day_deadline(ledger):
    result = load(ledger, "basic.csv", csv_bytes(BASIC))
    assert result.committed, result.files[0].errors
    report = result.files[0]
    assert (report.rows, report.tasks_created, report.tasks_updated) == (4, 4, 0)
    assert "区住建局" in report.new_units   # stored as the list writes it (issue 9)
    tasks = tasks_by_item(ledger)
    first = tasks["1"]
    # 2026-09-28 + 5 working days crosses National Day: 10-10 is a working Saturday.
    assert first["deadline"] == date(2026, 10, 10)
    assert first["deadline_text"] == "会后5个工作日内"
    assert first["lead_units"] == ["区住建局"]
    assert first["co_units"] == ["区财政局", "各街道"]
    assert first["leader"] == "王建国"
    assert tasks["3"]["deadline_kind"] == "cycle"
    assert tasks["3"]["status"] == "long_term"
    codes = sorted(t["code"] for t in tasks.values())
    assert codes == ["DB202600001", "DB202600002", "DB202600003", "DB202600004"]
    # A batch's creations are recorded once: the batch with its audit entry and the file's
    # own bytes, and on each task it created, tasks.created_batch.
    assert scalar(ledger, "SELECT count(*) FROM tasks WHERE created_batch = ?", [result.batch_id]) == 4
    assert scalar(ledger, "SELECT count(*) FROM audit_log WHERE action = 'import' AND entity_id = ?",
                  [result.batch_id]) == 1
    kept = scalar(ledger, "SELECT content_zlib FROM import_files WHERE batch_id = ?", [result.batch_id])
    assert zlib.decompress(kept) == csv_bytes(BASIC)


def test_status_around_the_adjusted_working_saturday(ledger):
    load(ledger, "basic.csv", csv_bytes(BASIC))

    def status_of_item_1(as_of: date) -> tuple[str, int]:
        row = task_list(ledger, as_of).filter(item="1").row(0, named=True)
        return row["status"], row["overdue_workdays"]

    assert status_of_item_1(date(2026, 9, 29)) == ("due_soon", 0)   # 4 working days left
    assert status_of_item_1(date(2026, 10, 10)) == ("due_soon", 0)  # due today
    assert status_of_item_1(date(2026, 10, 11)) == ("overdue", 0)   # Sunday: overdue, no working day lost yet
    assert status_of_item_1(date(2026, 10, 13)) == ("overdue", 2)
    # Before the meeting the task did not exist.
    assert sum(status_counts(ledger, system_user(), date(2026, 9, 27)).values()) == 0


def test_gbk_csv_with_several_meetings_and_blank_carried_cells(ledger):
    lines = [
        "青川区区长办公会议确定事项",
        "会议,时间,序号,确定事项,主办单位,协办单位,分管领导,办理时限",
        "区长办公会议第5次,2026年9月1日,1,推进城区停车场建设,区城管局,区住建局；区财政局,赵红梅,10月底前",
        ",,2,整治农贸市场周边秩序,区市场监管局,区城管局 区商务局,赵红梅,立即",
        "区长办公会议第6次,2026/9/15,1,加快污水管网改造,区住建局等,,王建国,2026.12.15",
    ]
    result = load(ledger, "办公会.csv", csv_bytes(lines, "gbk"), options=LoadOptions(today=date(2026, 10, 9)))
    assert result.committed, result.files[0].errors
    sources = ledger.execute("SELECT kind, title, date FROM sources ORDER BY date").fetchall()
    assert sources == [
        ("mayor_office", "区长办公会议第5次", date(2026, 9, 1)),
        ("mayor_office", "区长办公会议第6次", date(2026, 9, 15)),
    ]
    rows = task_list(ledger, date(2026, 10, 9)).sort("source", "item")
    second = rows.row(1, named=True)
    assert second["source"] == "区长办公会议第5次"
    assert second["co_units"] == ["区城管局", "区商务局"]
    third = rows.row(2, named=True)
    assert third["deadline"] == date(2026, 12, 15)
    assert scalar(ledger, "SELECT open_unit_list FROM tasks WHERE item = '1' AND source_id = 2") is True


def write_workbook(rows: list[tuple[int, int, object]], merges: list[tuple[int, int, int, int, object]] = ()) -> bytes:
    """A workbook from (row, col, value) cells (0-based), datetimes as date cells."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("任务分解")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, c, value in rows:
        if isinstance(value, datetime):
            sheet.write_datetime(r, c, value, date_format)
        else:
            sheet.write(r, c, value)
    for top, left, bottom, right, value in merges:
        if isinstance(value, datetime):
            sheet.merge_range(top, left, bottom, right, value, date_format)
        else:
            sheet.merge_range(top, left, bottom, right, value)
    book.add_worksheet("填表说明").write(0, 0, "本表由各单位填报")
    book.close()
    return buffer.getvalue()


def meeting_workbook(bad_deadline: str | None = None) -> bytes:
    header = ["序号", "会议名称", "会议日期", "议定事项", "牵头单位", "配合单位", "完成时限"]
    cells = [(0, 0, "青川区人民政府常务会议议定事项督办台账"), (1, 0, "（截至2026年10月）")]
    cells += [(3, c, h) for c, h in enumerate(header)]
    # Row 5 (Excel) is a section heading merged across the row.
    data = [
        (5, ["1", None, None, "完成体育馆设计招标", "区文旅局", "区财政局", "①2月上旬前，完成设计招标。②3月底前，完成施工招标。"]),
        (6, ["2", None, None, "推进学校扩容", "区教育局", "区住建局、区教育局", 46387]),
        (7, ["3", None, None, "落实秸秆禁烧", "各乡镇(街道)", "", bad_deadline or "每月28日前"]),
        (9, ["1", None, None, "编制城市更新方案", "区自然资源局", "", datetime(2026, 12, 31)]),
    ]
    for r, values in data:
        cells += [(r, c, v) for c, v in enumerate(values) if v not in (None, "")]
    merges = [
        (4, 0, 4, 6, "一、重大项目"),
        (5, 1, 7, 1, "区政府第12次常务会议"),
        (5, 2, 7, 2, datetime(2026, 9, 28)),
        (8, 0, 8, 6, "二、城市建设"),
    ]
    cells += [(9, 1, "区政府第13次常务会议"), (9, 2, "2026年10月12日")]
    return write_workbook(cells, merges)


def test_xlsx_title_rows_merged_cells_and_section_headings(ledger):
    result = load(ledger, "常务会议.xlsx", meeting_workbook(), options=LoadOptions(today=date(2026, 10, 20)))
    assert result.committed, result.files[0].errors
    assert result.files[0].rows == 6  # 4 tasks + 2 heading rows; the notes sheet is skipped with a warning
    assert any("填表说明" in w for w in result.files[0].warnings)
    rows = {(t["source"], t["item"]): t for t in task_list(ledger, date(2026, 10, 20)).iter_rows(named=True)}
    assert set(rows) == {("区政府第12次常务会议", "1"), ("区政府第12次常务会议", "2"),
                         ("区政府第12次常务会议", "3"), ("区政府第13次常务会议", "1")}
    gym = rows[("区政府第12次常务会议", "1")]
    assert gym["category"] == "一、重大项目"
    assert gym["deadline"] == date(2027, 3, 31)
    milestones = ledger.execute(
        "SELECT seq, milestones.deadline FROM milestones JOIN tasks USING (task_id) WHERE content = '完成体育馆设计招标' ORDER BY seq"
    ).fetchall()
    assert milestones == [(1, date(2027, 2, 10)), (2, date(2027, 3, 31))]
    school = rows[("区政府第12次常务会议", "2")]
    assert school["deadline"] == date(2026, 12, 31)   # Excel serial 46387
    assert school["co_units"] == ["区住建局"]  # the lead is not also a co-unit
    assert rows[("区政府第12次常务会议", "3")]["lead_units"] == ["各乡镇(街道)"]
    renewal = rows[("区政府第13次常务会议", "1")]
    assert renewal["category"] == "二、城市建设"
    assert renewal["source_date"] == date(2026, 10, 12)


def test_a_bad_row_rejects_the_whole_file_and_names_its_excel_row(ledger):
    # An impossible date is malformed, not unreadable: the file is refused whole (issue 9 turns
    # an unreadable deadline such as 下个阶段 into a flag: tests/test_import_flags.py).
    result = load(ledger, "常务会议.xlsx", meeting_workbook(bad_deadline="2026年2月30日"), options=LoadOptions())
    assert not result.committed
    [error] = result.files[0].errors
    assert (error.sheet, error.row, error.column, error.value) == ("任务分解", 8, "完成时限", "2026年2月30日")
    assert "2026年2月30日" in error.message and "不存在" in error.message
    for table in ("tasks", "sources", "units", "import_batches", "audit_log"):
        assert scalar(ledger, f"SELECT count(*) FROM {table}") == 0, table


def test_every_error_of_a_file_is_reported(ledger):
    lines = BASIC[:2] + [
        "1,加快推进老旧小区改造,区住建局,,王建国,2026年9月31日前",
        "2,,区商务局,,李明华,年底前",
        "3,做好安全生产,,,王建国,年底前",
        "3,重复序号的事项,区应急局,,王建国,年底前",
        "5,好的一行,区应急局,,王建国,年底前",
    ]
    result = load(ledger, "bad.csv", csv_bytes(lines))
    assert not result.committed
    errors = {(e.row, e.column): e.message for e in result.files[0].errors}
    assert "2026年9月31日" in errors[(3, "完成时限")]
    assert "缺少" in errors[(4, "议定事项")]
    # A row without a lead unit is no error but a flag (issue 9): imported 待明确责任单位.
    assert (5, "牵头单位") not in errors
    assert [(f["row"], f["kind"]) for f in result.files[0].flags if f["kind"] == "no_lead_unit"] == [(5, "no_lead_unit")]
    assert "重复" in errors[(6, "序号")] and "重复" in errors[(5, "序号")]
    assert scalar(ledger, "SELECT count(*) FROM tasks") == 0


def test_rows_without_a_known_source_are_errors(ledger):
    # Without its title row: a title naming the meeting is a source (tests/test_list_shapes.py).
    result = load(ledger, "nosource.csv", csv_bytes(BASIC[1:]), options=LoadOptions())
    assert not result.committed
    assert len(result.files[0].errors) == 4
    assert all("无法确定来源" in e.message for e in result.files[0].errors)


def test_reimporting_the_same_file_changes_nothing(ledger):
    data = csv_bytes(BASIC)
    assert load(ledger, "basic.csv", data).committed
    snapshot = ledger.execute("SELECT * FROM tasks ORDER BY task_id").fetchall()
    audit = scalar(ledger, "SELECT count(*) FROM audit_log")
    again = load(ledger, "renamed copy.csv", data)
    assert not again.committed and not again.files[0].errors
    assert "未作任何更改" in again.files[0].warnings[0]
    assert ledger.execute("SELECT * FROM tasks ORDER BY task_id").fetchall() == snapshot
    assert scalar(ledger, "SELECT count(*) FROM audit_log") == audit
    assert scalar(ledger, "SELECT count(*) FROM import_batches") == 1


def test_an_updated_list_updates_by_natural_key_audits_and_keeps_missing_rows(ledger):
    assert load(ledger, "v1.csv", csv_bytes(BASIC)).committed
    v2 = BASIC[:2] + [
        BASIC[2],
        "2,抓紧完成招商项目签约,区商务局,区发改局,李明华,2027年3月31日前",   # deadline changed
        "3,做好安全生产大排查,区应急局,\"区住建局、区交通局\",王建国,每季度",  # co-unit added
        "5,新增：推进数字政府建设,区大数据局,,李明华,年底前",                # new; item 4 dropped
    ]
    result = load(ledger, "v2.csv", csv_bytes(v2))
    assert result.committed, result.files[0].errors
    report = result.files[0]
    assert (report.tasks_created, report.tasks_updated) == (1, 2)
    assert any("第4项" in w and "未删除" in w for w in report.warnings)
    assert scalar(ledger, "SELECT count(*) FROM tasks") == 5
    changes = ledger.execute(
        "SELECT entity_id, field, before, after FROM audit_log WHERE action = 'update' ORDER BY entity_id, field"
    ).fetchall()
    assert ("DB202600002", "deadline", "2026-12-31", "2027-03-31") in changes
    assert ("DB202600002", "deadline_text", "2026年12月31日前", "2027年3月31日前") in changes
    assert ("DB202600003", "co_units", "区住建局", "区住建局、区交通局") in changes
    assert len(changes) == 3
    tasks = tasks_by_item(ledger)
    assert tasks["2"]["code"] == "DB202600002"  # the code is stable
    assert tasks["3"]["co_units"] == ["区住建局", "区交通局"]


def test_progress_file_appends_reports_and_closes_tasks(ledger):
    # Closing directly is the office's choice (销号 without 核查); with 核查 required a report
    # saying 是 is a claim waiting for it (tests/test_import_flags.py).
    ledger.execute("UPDATE settings SET value = '否' WHERE key = 'close_requires_verification'")
    assert load(ledger, "v1.csv", csv_bytes(BASIC)).committed
    progress = [
        "会议名称,序号,进展情况,填报日期,是否办结,办结日期",
        "区政府第12次常务会议,1,已完成改造方案,2026-10-08,是,2026-10-09",
        "区政府第12次常务会议,2,已签约3个项目,2026/10/08,否,",
        "区政府第12次常务会议,3,完成三季度排查,2026年10月8日,否,",
    ]
    result = load(ledger, "进展.csv", csv_bytes(progress), options=LoadOptions(today=date(2026, 10, 9)))
    assert result.committed, result.files[0].errors
    assert result.files[0].progress_added == 3
    tasks = tasks_by_item(ledger)
    assert tasks["1"]["status"] == "done_on_time" and tasks["1"]["closed_date"] == date(2026, 10, 9)
    assert tasks["2"]["status"] == "on_track"
    assert scalar(ledger, "SELECT count(*) FROM audit_log WHERE action = 'close'") == 1
    # The same reports from another file are not recorded twice.
    again = load(ledger, "进展（副本）.csv", csv_bytes(progress + ["区政府第12次常务会议,4,已起草,2026-10-08,否,"]),
                 options=LoadOptions(today=date(2026, 10, 9)))
    assert again.committed and again.files[0].progress_added == 1
    assert scalar(ledger, "SELECT count(*) FROM progress") == 4


def test_a_periodic_task_is_judged_by_its_report_cycle_once_reports_exist(ledger):
    assert load(ledger, "v1.csv", csv_bytes(BASIC)).committed
    progress = ["会议名称,序号,进展情况,填报日期", "区政府第12次常务会议,3,完成三季度排查,2026-10-08"]
    assert load(ledger, "p.csv", csv_bytes(progress), options=LoadOptions()).committed

    def status(as_of: date) -> str:
        return task_list(ledger, as_of).filter(item="3").row(0, named=True)["status"]

    assert status(date(2026, 10, 7)) == "long_term"   # before the first report
    assert status(date(2026, 11, 20)) == "long_term"  # next report due 2027-01-08
    assert status(date(2027, 1, 5)) == "due_soon"
    assert status(date(2027, 1, 9)) == "overdue"


def test_progress_for_an_unknown_task_rejects_the_file(ledger):
    assert load(ledger, "v1.csv", csv_bytes(BASIC)).committed
    progress = ["会议名称,序号,进展情况,填报日期", "区政府第12次常务会议,9,不存在的事项,2026-10-08"]
    result = load(ledger, "p.csv", csv_bytes(progress), options=LoadOptions())
    assert not result.committed
    assert result.files[0].errors[0].row == 2
    assert scalar(ledger, "SELECT count(*) FROM progress") == 0


def test_directives_each_row_its_own_source_with_issuing_leader(ledger):
    lines = [
        "序号,批示领导,批示时间,批示内容,承办单位,办理时限",
        "1,王建国,2026-09-01,请区住建局牵头核查小区漏水问题,区住建局,15个工作日内",
        "2,李明华,2026年9月3日,关于企业用工难的反映请研究,区人社局、区工信局等,1个月内",
    ]
    result = load(ledger, "批示.csv", csv_bytes(lines), options=LoadOptions())
    assert result.committed, result.files[0].errors
    sources = ledger.execute(
        "SELECT s.kind, s.title, s.date, l.name FROM sources s JOIN leaders l USING (leader_id) ORDER BY s.date"
    ).fetchall()
    assert sources == [
        ("directive", "王建国同志2026年9月1日批示", date(2026, 9, 1), "王建国"),
        ("directive", "李明华同志2026年9月3日批示", date(2026, 9, 3), "李明华"),
    ]
    assert scalar(ledger, "SELECT deadline FROM tasks WHERE item = '2'") == date(2026, 10, 3)


def test_a_deadline_beyond_the_calendar_counts_weekends_and_says_so(ledger):
    options = LoadOptions(source_kind="专题会议", source_title="城市更新专题会议", source_date=date(2026, 12, 24))
    lines = ["序号,工作任务,责任单位,时间节点", "1,完成片区征收,区住建局、区财政局,15个工作日内"]
    result = load(ledger, "专题.csv", csv_bytes(lines), options=options)
    assert result.committed, result.files[0].errors
    assert any("2027" in w and "周末" in w for w in result.files[0].warnings)
    deadline, note = ledger.execute("SELECT deadline, deadline_note FROM tasks").fetchone()
    assert deadline == date(2027, 1, 14)  # 2026-12-25 .. counting weekdays only in 2027
    assert "2027" in note
    # The first unit of a 责任单位 list leads when the table has no 牵头单位 column.
    row = task_list(ledger, date(2026, 12, 25)).row(0, named=True)
    assert (row["lead_units"], row["co_units"]) == (["区住建局"], ["区财政局"])


def test_unit_list_with_aliases_makes_short_names_resolve(ledger):
    units = ["单位名称,简称,单位类型,分管领导", "区数据资源局,区数据局、数据局,部门,李明华"]
    assert load(ledger, "units.csv", csv_bytes(units), options=LoadOptions()).committed
    lines = ["序号,议定事项,牵头单位,完成时限", "1,建设城市大脑,数据局,年底前"]
    result = load(ledger, "m.csv", csv_bytes(lines))
    assert result.committed and result.files[0].new_units == []
    assert tasks_by_item(ledger)["1"]["lead_units"] == ["区数据资源局"]
    assert scalar(ledger, "SELECT l.name FROM units u JOIN leaders l USING (leader_id) WHERE u.name = '区数据资源局'") == "李明华"


def test_preview_reports_counts_and_writes_nothing(ledger):
    result = load(ledger, "basic.csv", csv_bytes(BASIC), commit=False)
    assert not result.committed and result.files[0].tasks_created == 4
    assert scalar(ledger, "SELECT count(*) FROM tasks") == 0
    assert load(ledger, "basic.csv", csv_bytes(BASIC)).committed


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_load_and_status_json_and_exit_codes(tmp_path):
    db = str(tmp_path / "cli.duckdb")
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(BASIC))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(BASIC[:3] + ["2,坏的一行,区商务局,,李明华,2026年2月30日前"]))
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    source = ["--source-kind", "常务会议", "--source-title", "区政府第12次常务会议", "--source-date", "2026-09-28"]

    rejected = run_cli("load", str(bad), "--db", db, *source, "--json")
    assert rejected.returncode == 2, rejected.stderr
    payload = json.loads(rejected.stdout)
    assert payload["committed"] is False and payload["batch_id"] is None
    assert payload["files"][0]["errors"][0]["row"] == 4
    assert payload["files"][0]["errors"][0]["column"] == "完成时限"

    unreadable = run_cli("load", str(binary), "--db", db, *source, "--json")
    assert unreadable.returncode == 1
    assert json.loads(unreadable.stdout)["files"][0]["errors"][0]["row"] is None

    loaded = run_cli("load", str(good), "--db", db, *source, "--json")
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    payload = json.loads(loaded.stdout)
    assert payload["committed"] and payload["batch_id"] and payload["files"][0]["tasks_created"] == 4

    status = run_cli("status", "--db", db, "--as-of", "2026-10-12", "--json", "--tasks")
    assert status.returncode == 0, status.stderr
    summary = json.loads(status.stdout)
    assert summary["total"] == 4 and summary["counts"]["overdue"] == 1
    first = next(t for t in summary["tasks"] if t["item"] == "1")
    assert first == {
        "code": "DB202600001", "source": "区政府第12次常务会议", "item": "1", "content": "加快推进老旧小区改造",
        "status": "overdue", "deadline": "2026-10-10", "deadline_text": "会后5个工作日内",
        "lead_units": ["区住建局"], "co_units": ["区财政局", "各街道"], "leader": "王建国", "leaders": ["王建国"],
        "overdue_workdays": 1, "milestones": [], "claim_pending": False, "chases": 0, "original_deadline": "2026-10-10",
        "deadline_kind": "date", "flags": [],
    }


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", "序号,事项,牵头单位,完成时限\n".encode()])
def test_empty_and_header_only_files_are_clear_errors(ledger, content):
    result = load(ledger, "empty.csv", content)
    assert not result.committed
    assert result.files[0].errors and result.files[0].errors[0].message
    assert scalar(ledger, "SELECT count(*) FROM tasks") == 0


@pytest.mark.parametrize("first_leads", [True, False])
def test_vectorised_unit_roles_agree_with_assign_roles(ledger, first_leads):
    """The polars fast path for plain unit cells must give what etl.units.assign_roles gives."""
    import polars as pl

    from etl.importer import _Context, _simple_unit_roles, _unit_roles

    cells = [
        ("区住建局", "区财政局、区住建局", "各街道"),
        (None, "区发改局，区财政局；区统计局", None),
        ("区商务局", None, "区商务局,区发改局"),
        (None, None, "区财政局"),
        ("区人社局、区教育局", "区教育局", "区人社局、区卫健委"),
    ]
    frame = pl.DataFrame(
        [(*c, None, None, None, False, i + 2) for i, c in enumerate(cells)],
        schema=["_lead", "_responsible", "_co", "_ann_lead", "_ann_co", "_ann_responsible", "_ann_open", "_row"],
        orient="row",
    )
    context = _Context(ledger, LoadOptions())
    fast = _simple_unit_roles(frame, first_leads, context).sort("_row")
    for row, (lead, responsible, co) in zip(fast.iter_rows(named=True), cells, strict=True):
        leads, cos, _ = _unit_roles(context, first_leads, lead, responsible, co, None, None, None, False)
        assert row["lead_units"] == [n for n in leads.split("\x1f") if n], (lead, responsible, co)
        assert row["co_units"] == [n for n in cos.split("\x1f") if n], (lead, responsible, co)


def test_unit_cells_of_any_shape_agree_with_assign_roles(ledger):
    """The column-wise unit roles (plain cells split in polars, the rest by split_units once
    per distinct cell) give what etl.units.assign_roles gives, for cells of every shape."""
    import random

    import polars as pl

    from etl.importer import _Context, _simple_unit_roles, _unit_roles

    rng = random.Random(11)
    names = ["区住建局", "区财政局", "区发改局", "各街道", "区商务局", "区委办", "区政府办", "各乡镇（街道）", "发改局"]
    marks = ["等", "（牵头）", "牵头", "配合", "协助", "参与", "负责", "等单位", "等5个部门", "等等", "等５个部门",
             "等相关责任单位", "等有关部门等"]
    separators = ["、", "，", ",", "；", " ", "和", "及"]
    odd = ["无", "待定", "没有", "空", "由区住建局", "①区住建局②区财政局", "区住建局（牵头）、区财政局", "一、区住建局",
           "区财政局协助", "区发改局和区财政局", "区住建局、", "区住建局、区住建局", "区住建局、等", "等"]

    def cell() -> str | None:
        roll = rng.random()
        if roll < 0.25:
            return None
        if roll < 0.4:
            return rng.choice(odd)
        parts = [rng.choice(names) + (rng.choice(marks) if rng.random() < 0.3 else "") for _ in range(rng.randint(1, 3))]
        text = parts[0]
        for part in parts[1:]:
            text += rng.choice(separators) + part
        return text

    cells = [(cell(), cell(), cell()) for _ in range(600)]
    frame = pl.DataFrame(
        [(*c, None, None, None, False, i + 2) for i, c in enumerate(cells)],
        schema={"_lead": pl.String, "_responsible": pl.String, "_co": pl.String, "_ann_lead": pl.String,
                "_ann_co": pl.String, "_ann_responsible": pl.String, "_ann_open": pl.Boolean, "_row": pl.Int64},
        orient="row",
    )
    for first_leads in (True, False):
        context = _Context(ledger, LoadOptions())
        fast = _simple_unit_roles(frame, first_leads, context)
        assert fast.height == frame.height
        for row, (lead, responsible, co) in zip(fast.iter_rows(named=True), cells, strict=True):
            leads, cos, open_ended = _unit_roles(context, first_leads, lead, responsible, co, None, None, None, False)
            expected = ([n for n in leads.split("\x1f") if n], [n for n in cos.split("\x1f") if n], open_ended)
            assert (row["lead_units"], row["co_units"], row["open_unit_list"]) == expected, (lead, responsible, co)


def test_unit_cells_that_only_look_plain_are_read_like_any_cell(ledger):
    lines = BASIC[:2] + [
        "1,甲事项,由区住建局,区财政局协助,王建国,年底前",
        "2,乙事项,区商务局,待定,李明华,年底前",
        "3,丙事项,区应急局,\"区住建局、没有\",王建国,年底前",
        "4,丁事项,区人社局（牵头）,区财政局等,李明华,年底前",
    ]
    result = load(ledger, "odd.csv", csv_bytes(lines))
    assert result.committed, result.files[0].errors
    assert not any(name in result.files[0].new_units for name in ("由区住建局", "区财政局协助", "待定", "没有"))
    tasks = tasks_by_item(ledger)
    assert (tasks["1"]["lead_units"], tasks["1"]["co_units"]) == (["区住建局"], ["区财政局"])
    assert tasks["2"]["co_units"] == []
    assert tasks["3"]["co_units"] == ["区住建局"]
    assert (tasks["4"]["lead_units"], tasks["4"]["co_units"]) == (["区人社局"], ["区财政局"])
    assert scalar(ledger, "SELECT open_unit_list FROM tasks WHERE item = '4'") is True


def test_codes_continue_and_every_new_task_is_audited_across_files_and_imports(ledger):
    assert load(ledger, "v1.csv", csv_bytes(BASIC)).committed
    again = BASIC[:2] + [
        BASIC[2],                                                   # the 13th meeting's own item 1
        "7,推进数字政府建设,区大数据局,,李明华,年底前",               # new
        "8,做好防汛准备,区水利局,区应急局,王建国,年底前",             # new
    ]
    other = ["会议名称,会议日期,序号,议定事项,牵头单位,完成时限,督办编号",
             "区长办公会议第7次,2026-10-10,1,完成城区绿化,区城管局,年底前,ZD-001"]
    result = import_files(ledger, [InputFile("v2.csv", csv_bytes(again)), InputFile("other.csv", csv_bytes(other))],
                          LoadOptions(source_kind="常务会议", source_title="区政府第13次常务会议",
                                      source_date=date(2026, 10, 12), today=date(2026, 10, 20)))
    assert result.committed, [f.errors for f in result.files]
    first, second = result.files
    # v2.csv names the 13th meeting too (from the options): all three rows are its new tasks.
    assert (first.tasks_created, first.tasks_updated, second.tasks_created) == (3, 0, 1)
    assert sorted(first.new_units) == sorted(["区大数据局", "区水利局"])
    assert second.new_units == ["区城管局"]
    codes = ledger.execute("SELECT code FROM tasks ORDER BY task_id").fetchall()
    assert [c for (c,) in codes] == [f"DB2026{n:05d}" for n in range(1, 8)] + ["ZD-001"]
    # Every new task names the batch that created it, and each batch is in the audit log.
    created = ledger.execute(
        "SELECT t.code, t.content FROM tasks t JOIN audit_log a ON a.action = 'import' AND a.entity = 'batch' "
        "AND a.entity_id = t.created_batch ORDER BY t.task_id"
    ).fetchall()
    assert len(created) == 8 and ("ZD-001", "完成城区绿化") in created
    units = ledger.execute(
        "SELECT u.name, tu.role, tu.position FROM task_units tu JOIN units u USING (unit_id) "
        "JOIN tasks t USING (task_id) WHERE t.code = 'DB202600007' ORDER BY tu.position"
    ).fetchall()
    assert units == [("区水利局", "lead", 1), ("区应急局", "co", 101)]
    assert scalar(ledger, "SELECT count(*) FROM audit_log WHERE action = 'create' AND entity = 'source'") == 3


def test_each_directive_source_is_created_once_and_audited(ledger):
    lines = ["序号,批示领导,批示时间,批示内容,承办单位,办理时限"] + [
        f"{i},{leader},2026-09-0{day},请研究第{i}件事,区住建局,15个工作日内"
        for i, (leader, day) in enumerate([("王建国", 1), ("李明华", 3), ("王建国", 1), ("赵红梅", 5)], start=1)
    ]
    result = load(ledger, "批示.csv", csv_bytes(lines), options=LoadOptions())
    assert result.committed, result.files[0].errors
    sources = ledger.execute(
        "SELECT s.title, l.name FROM sources s JOIN leaders l USING (leader_id) ORDER BY s.source_id"
    ).fetchall()
    assert sources == [("王建国同志2026年9月1日批示", "王建国"), ("李明华同志2026年9月3日批示", "李明华"),
                       ("赵红梅同志2026年9月5日批示", "赵红梅")]
    audited = ledger.execute(
        "SELECT entity_id FROM audit_log WHERE action = 'create' AND entity = 'source' ORDER BY audit_id"
    ).fetchall()
    assert [t for (t,) in audited] == [t for t, _ in sources]


def test_two_task_sheets_of_one_workbook_keep_their_own_units(ledger):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, title, rows in (
        ("第12次", "区政府第12次常务会议", [("1", "推进老旧小区改造", "区住建局", "区财政局、各街道"),
                                         ("2", "抓紧完成招商项目签约", "区商务局", "")]),
        ("第13次", "区政府第13次常务会议", [("1", "做好安全生产大排查", "区应急局", "区住建局"),
                                         ("2", "研究制定人才新政", "区人社局（牵头）、区财政局等", "")]),
    ):
        sheet = book.add_worksheet(name)
        for c, header in enumerate(["会议名称", "会议日期", "序号", "议定事项", "牵头单位", "配合单位", "完成时限"]):
            sheet.write(0, c, header)
        for r, (item, content, lead, co) in enumerate(rows, start=1):
            for c, value in enumerate([title, "2026-09-28", item, content, lead, co, "年底前"]):
                if value:
                    sheet.write(r, c, value)
    book.close()
    result = load(ledger, "两次会议.xlsx", buffer.getvalue(), options=LoadOptions(today=date(2026, 10, 9)))
    assert result.committed, result.files[0].errors
    units = {
        (source, item): (lead, co)
        for source, item, lead, co in task_list(ledger, date(2026, 10, 9))
        .select("source", "item", "lead_units", "co_units").iter_rows()
    }
    assert units == {
        ("区政府第12次常务会议", "1"): (["区住建局"], ["区财政局", "各街道"]),
        ("区政府第12次常务会议", "2"): (["区商务局"], []),
        ("区政府第13次常务会议", "1"): (["区应急局"], ["区住建局"]),
        ("区政府第13次常务会议", "2"): (["区人社局", "区财政局"], []),
    }
    assert scalar(ledger, "SELECT count(*) FILTER (WHERE open_unit_list) FROM tasks") == 1


def test_two_sheets_of_one_meeting_repeating_a_number_are_refused_naming_both_places(ledger):
    """Two sheets of one workbook under the same meeting each numbering 1, 2 (a 续表 restarted,
    or a second list pasted in): an error per repeated row naming file, sheet and Excel row of
    every place, in Chinese; nothing is committed and nothing raises. A 序号 that only one sheet
    gives (3) is no error."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in (
        ("议定事项", [("1", "推进老旧小区改造", "区住建局"), ("2", "抓紧完成招商项目签约", "区商务局")]),
        ("续表", [("1", "做好安全生产大排查", "区应急局"), ("2", "研究制定人才新政", "区人社局"),
                  ("3", "完善农村饮水安全工程", "区水利局")]),
    ):
        sheet = book.add_worksheet(name)
        sheet.write(0, 0, "区政府第12次常务会议议定事项督办表")
        for c, header in enumerate(["序号", "议定事项", "牵头单位", "完成时限"]):
            sheet.write(1, c, header)
        for r, (item, content, lead) in enumerate(rows, start=2):
            for c, value in enumerate([item, content, lead, "年底前"]):
                sheet.write(r, c, value)
    book.close()
    result = load(ledger, "第12次会议.xlsx", buffer.getvalue())
    assert not result.committed
    errors = result.files[0].errors
    assert sorted((error.sheet, error.row, error.value) for error in errors) == [
        ("续表", 3, "1"), ("续表", 4, "2"), ("议定事项", 3, "1"), ("议定事项", 4, "2")]
    second = next(error for error in errors if error.sheet == "续表" and error.value == "2")
    assert "第12次会议.xlsx" in second.message
    assert "［议定事项］第4行" in second.message and "［续表］第4行" in second.message
    assert "区政府第12次常务会议" in second.message
    for table in ("tasks", "task_units", "sources", "import_batches", "audit_log"):
        assert scalar(ledger, f"SELECT count(*) FROM {table}") == 0, table


def test_a_unit_cell_written_with_together_names_the_lead_and_its_co_units(ledger):
    """"X会同Y" in a unit column is two units, X in the column's role and Y a co-unit after the
    co-units written; never one unit named "X会同Y"."""
    lines = [
        "序号,议定事项,牵头单位,配合单位,完成时限",
        "1,推进老旧小区改造,区住建局会同区财政局,,年底前",
        "2,推进背街小巷停车改造,区城管局,区住建局会同区交警大队,年底前",
        "3,制定高层次人才引进办法,区委组织部会同区人社局、区财政局,区科技局,年底前",
        "4,做好农村公路养护,区交通运输局会同各镇街,区交通运输局,年底前",
    ]
    result = load(ledger, "会同.csv", csv_bytes(lines))
    assert result.committed, result.files[0].errors
    units = {row["item"]: (row["lead_units"], row["co_units"]) for row in tasks_by_item(ledger).values()}
    assert units == {
        "1": (["区住建局"], ["区财政局"]),
        "2": (["区城管局"], ["区住建局", "区交警大队"]),
        "3": (["区委组织部"], ["区科技局", "区人社局", "区财政局"]),
        "4": (["区交通运输局"], ["各镇街"]),
    }
    assert scalar(ledger, "SELECT count(*) FROM units WHERE name LIKE '%会同%'") == 0
    assert not [flag for flag in result.files[0].flags if flag["kind"] == "not_a_unit"]


def test_a_list_whose_every_row_names_its_units_in_the_text(ledger):
    lines = ["序号,议定事项,完成时限",
             "1,推进老旧小区改造（牵头单位：区住建局；配合单位：区财政局、各街道等）,年底前",
             "2,加快重点项目建设（区发改局牵头，区财政局配合）,年底前"]
    result = load(ledger, "注明单位.csv", csv_bytes(lines))
    assert result.committed, result.files[0].errors
    rows = {t["item"]: (t["content"], t["lead_units"], t["co_units"]) for t in task_list(ledger, date(2026, 10, 9)).iter_rows(named=True)}
    assert rows == {
        "1": ("推进老旧小区改造", ["区住建局"], ["区财政局", "各街道"]),
        "2": ("加快重点项目建设", ["区发改局"], ["区财政局"]),
    }
    assert ledger.execute("SELECT item, open_unit_list FROM tasks ORDER BY item").fetchall() == [("1", True), ("2", False)]


AUDIT_LIST = [
    "序号,问题类型,问题,整改措施,责任单位,整改时限",
    "1,财政管理,专项资金未及时拨付,建立资金拨付台账，按月对账,区财政局,年底前",
    "2,工程管理,项目未批先建,补办审批手续,区住建局,2026年12月31日前",
]
AUDIT_SOURCE = LoadOptions(source_kind="审计整改", source_title="2026年区级预算执行审计", source_date=date(2026, 9, 28),
                           today=date(2026, 10, 9))


def test_reimporting_a_changed_rectification_list_audits_every_changed_field(ledger):
    assert load(ledger, "审计整改v1.csv", csv_bytes(AUDIT_LIST), options=AUDIT_SOURCE).committed
    v2 = AUDIT_LIST[:2] + ["2,工程管理,项目未批先建,补办审批手续并追责,区住建局,2026年11月30日前"]
    result = load(ledger, "审计整改v2.csv", csv_bytes(v2), options=AUDIT_SOURCE)
    assert result.committed, result.files[0].errors
    assert (result.files[0].tasks_created, result.files[0].tasks_updated) == (0, 1)
    changes = ledger.execute(
        "SELECT entity_id, field, before, after FROM audit_log WHERE action = 'update' ORDER BY field"
    ).fetchall()
    assert changes == [
        ("DB202600002", "deadline", "2026-12-31", "2026-11-30"),
        ("DB202600002", "deadline_text", "2026年12月31日前", "2026年11月30日前"),
        ("DB202600002", "measures", "补办审批手续", "补办审批手续并追责"),
    ]
    assert ledger.execute("SELECT measures FROM rectifications ORDER BY task_id").fetchall() == [
        ("建立资金拨付台账，按月对账",), ("补办审批手续并追责",)]
    # A measure alone changed is an update too.
    v3 = AUDIT_LIST[:1] + ["1,财政管理,专项资金未及时拨付,建立资金拨付台账,区财政局,年底前", v2[2]]
    again = load(ledger, "审计整改v3.csv", csv_bytes(v3), options=AUDIT_SOURCE)
    assert again.committed and (again.files[0].tasks_created, again.files[0].tasks_updated) == (0, 1)
    assert scalar(ledger, "SELECT count(*) FROM audit_log WHERE action = 'update' AND field = 'measures'") == 2


def test_the_import_history_gives_back_each_file_as_imported(ledger):
    from ledger import history
    from ledger.access import User

    gbk = csv_bytes(BASIC, "gbk")
    result = load(ledger, "会议/第12次.csv", gbk)
    assert result.committed
    office = User(username="ducha", role="office")
    assert history.imported_files(ledger, office, result.batch_id) == [("第12次.csv", "", gbk)]
    with pytest.raises(PermissionError):
        history.imported_files(ledger, User(username="u1", role="unit", unit_id=1), result.batch_id)


def test_a_key_broken_across_files_rolls_the_whole_import_back_with_a_named_error(ledger):
    from ledger.integrity import IntegrityError

    # Two files of one import give the same source's 序号 1 and 2: each file alone is valid.
    files = [InputFile("甲.csv", csv_bytes(BASIC)), InputFile("乙.csv", csv_bytes(AUDIT_LIST))]
    with pytest.raises(IntegrityError) as raised:
        import_files(ledger, files, MEETING)
    assert "tasks" in str(raised.value) and "source_id" in str(raised.value)
    for table in ("tasks", "task_units", "sources", "import_batches", "import_files", "audit_log"):
        assert scalar(ledger, f"SELECT count(*) FROM {table}") == 0, table


def test_every_import_field_is_staged_stored_and_read_back_for_comparison(ledger):
    """ledger/task_fields.py drives the import: a field added there must be staged by the
    validation, and an updatable one read back from the ledger (tasks_before) to be compared
    and audited; one read from its own column needs its header names in etl/headers.py."""
    import polars as pl

    from etl import sql as import_sql
    from etl.headers import HEADER_NAMES
    from etl.importer import RESOLVED_IN_WRITE, STAGED_TASKS
    from ledger import task_fields

    assert {f.name for f in task_fields.FIELDS} <= set(STAGED_TASKS) | set(RESOLVED_IN_WRITE)
    assert load(ledger, "审计整改.csv", csv_bytes(AUDIT_LIST), options=AUDIT_SOURCE).committed
    ledger.register("matched_tasks", pl.DataFrame({"task_id": [1, 2]}, schema={"task_id": pl.Int32}))
    try:
        before = import_sql.frame(ledger, "tasks_before")
    finally:
        ledger.unregister("matched_tasks")
    assert {f.name for f in task_fields.UPDATABLE} <= set(before.columns)
    assert before.sort("task_id")["measures"].to_list() == ["建立资金拨付台账，按月对账", "补办审批手续"]
    written = ("code", "item", "category", "content", "leader", "lead_units", "co_units", "measures")
    assert all(HEADER_NAMES.get(name) for name in written)
    assert task_fields.LABELS["measures"] == "整改措施"
