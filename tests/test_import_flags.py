"""Issue 9, the flag model: real task lists import as they arrive. What a list does not give
(a deadline, a lead unit) or gives in a form the importer cannot read is imported and flagged,
never guessed silently and never a reason to refuse the file; what is malformed (an impossible
date) still refuses the whole file. Columns the importer does not know are kept with each task;
a 状态 column's words set the task's state (已完成 through 核查, 滞后 a flag)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter

from etl.importer import InputFile, LoadOptions, import_files
from ledger.access import system_user
from ledger.queries import status_counts, task_detail, task_flags, task_list

ROOT = Path(__file__).resolve().parent.parent
REPORT = LoadOptions(source_kind="政府工作报告", source_title="2026年区政府工作报告重点工作任务分解",
                     source_date=date(2026, 2, 10), today=date(2026, 3, 2))
AS_OF = date(2026, 3, 2)


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def load(con, name: str, data: bytes, options: LoadOptions = REPORT, **kwargs):
    return import_files(con, [InputFile(name, data)], options, **kwargs)


def scalar(con, query: str, params=None):
    return con.execute(query, params or []).fetchone()[0]


def tasks(con, as_of: date = AS_OF) -> dict[str, dict]:
    lifecycle = dict(con.execute("SELECT code, lifecycle FROM tasks").fetchall())
    return {t["item"]: t | {"lifecycle": lifecycle[t["code"]]} for t in task_list(con, as_of).iter_rows(named=True)}


def flags_by_item(con) -> dict[str, list[tuple[str, str]]]:
    items = dict(con.execute("SELECT task_id, item FROM tasks").fetchall())
    found: dict[str, list[tuple[str, str]]] = {}
    for f in task_flags(con).iter_rows(named=True):
        found.setdefault(items[f["task_id"]], []).append((f["kind"], f["text"]))
    return found


def kinds(found: list[tuple[str, str]] | None) -> set[str]:
    return {kind for kind, _ in found or []}


# --------------------------------------------------------------------------- no deadline, no unit

# A work-report breakdown as districts publish it: 序号 and the task, nothing else.
WORK_REPORT = [
    "序号,重点工作",
    "1,加快建设城市数字底座，推进政务数据共享。",
    "2,深化营商环境改革，持续优化审批服务。",
    "3,实施城市更新行动，改造老旧小区30个。",
    "4,提升基层医疗服务能力，推进紧密型医共体建设。",
    "5,推进义务教育优质均衡发展。",
    "6,持续开展农村人居环境整治。",
]


def test_a_list_with_no_deadline_and_no_unit_column_imports_with_every_row_flagged(ledger):
    result = load(ledger, "重点工作.csv", csv_bytes(WORK_REPORT))
    assert result.committed, result.files[0].errors
    report = result.files[0]
    assert report.tasks_created == 6 and not report.errors
    by_row: dict[int, set[str]] = {}
    for flag in report.flags:
        by_row.setdefault(flag["row"], set()).add(flag["kind"])
    assert by_row == {row: {"no_lead_unit", "deadline_missing"} for row in range(2, 8)}
    found = tasks(ledger)
    assert {t["deadline_kind"] for t in found.values()} == {"none"}
    assert {t["status"] for t in found.values()} == {"undated"}
    assert all(not t["lead_units"] and t["deadline"] is None for t in found.values())
    # Nothing was registered as a unit, and the ledger's rules hold.
    assert scalar(ledger, "SELECT count(*) FROM units WHERE name NOT IN (SELECT canonical FROM unit_catalog)") == 0
    assert scalar(ledger, "SELECT count(*) FROM task_flags") == 12
    assert scalar(ledger, "SELECT count(DISTINCT batch_id) FROM task_flags") == 1


def test_an_xlsx_breakdown_with_a_title_row_and_no_deadline_column_imports_flagged(ledger):
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer) as workbook:
        sheet = workbook.add_worksheet("任务分解")
        sheet.write_row(0, 0, ["2026年政府工作报告重点任务分解表"])
        sheet.write_row(2, 0, ["序号", "工作任务", "牵头单位", "配合单位"])
        sheet.write_row(3, 0, ["1", "推进城区防洪排涝设施建设", "区水利局", "区住房和城乡建设局"])
        sheet.write_row(4, 0, ["2", "完善养老服务体系，新建社区养老服务中心5个", "", ""])
        sheet.write_row(5, 0, ["3", "实施校园安全提升工程，年内完成", "区教育局", ""])
    result = load(ledger, "分解表.xlsx", buffer.getvalue())
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert (found["1"]["lead_units"], found["1"]["co_units"]) == (["区水利局"], ["区住房和城乡建设局"])
    # "新建社区养老服务中心5个" names what is built, not who builds it.
    assert found["2"]["lead_units"] == []
    assert scalar(ledger, "SELECT count(*) FROM units WHERE name LIKE '%养老服务中心%'") == 0
    # Excel rows as Excel shows them: the header is row 3.
    rows = {(f["row"], f["kind"]) for f in result.files[0].flags}
    assert {(4, "deadline_missing"), (5, "deadline_missing"), (5, "no_lead_unit")} <= rows
    assert (6, "deadline_from_text") in rows and found["3"]["deadline"] == date(2026, 12, 31)
    assert all(f["sheet"] == "任务分解" for f in result.files[0].flags)


# --------------------------------------------------------------------------- units in prose

PROSE = [
    "序号,工作任务,完成时限",
    "1,由区水利局负责实施城区河道清淤工程,2026年6月30日前",
    "2,由区城市管理局牵头，区住房和城乡建设局配合，开展违法建设专项整治,2026年9月30日前",
    "3,会议同意区教育局、区卫生健康局提出的《中小学校卫生提升方案》,2026年10月31日前",
    "4,区住房和城乡建设局牵头，区财政局配合，推进老旧小区改造,2026年12月31日前",
    "5,请区民政局会同区财政局研究提高城乡低保标准,2026年6月30日前",
    "6,请区人力资源和社会保障局抓紧制定高校毕业生就业扶持政策,2026年5月31日前",
    "7,推进农村生活污水治理（各镇街分别负责，年内完成）,",
    "8,责成区市场监督管理局开展校园周边食品安全专项检查,2026年4月30日前",
    "9,交由区应急管理局组织开展汛前安全隐患排查,2026年5月15日前",
    "10,区发展和改革局负责，区财政局、区自然资源局配合，做好重大项目要素保障,2026年12月31日前",
    "11,由区城市管理局负责，区公安分局配合，整治城区占道经营,2026年8月31日前",
]
PROSE_UNITS = {
    "1": (["区水利局"], []),
    "2": (["区城市管理局"], ["区住房和城乡建设局"]),
    "3": (["区教育局", "区卫生健康局"], []),
    "4": (["区住房和城乡建设局"], ["区财政局"]),
    "5": (["区民政局"], ["区财政局"]),
    "6": (["区人力资源和社会保障局"], []),
    "7": (["各镇街"], []),
    "8": (["区市场监督管理局"], []),
    "9": (["区应急管理局"], []),
    "10": (["区发展和改革局"], ["区财政局", "区自然资源局"]),
    "11": (["区城市管理局"], ["区公安分局"]),
}


def test_units_written_only_in_the_task_text_are_found_and_flagged_as_such(ledger):
    result = load(ledger, "prose.csv", csv_bytes(PROSE))
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert {item: (t["lead_units"], t["co_units"]) for item, t in found.items()} == PROSE_UNITS
    flags = flags_by_item(ledger)
    assert all("unit_from_text" in kinds(flags[item]) for item in PROSE_UNITS)
    assert not any("no_lead_unit" in kinds(f) for f in flags.values())
    # The text stays as written.
    assert found["2"]["content"] == "由区城市管理局牵头，区住房和城乡建设局配合，开展违法建设专项整治"
    # (各镇街分别负责,年内完成): the unit and the deadline, both from the text.
    assert found["7"]["deadline"] == date(2026, 12, 31) and "deadline_from_text" in kinds(flags["7"])
    unit_text = dict(flags["10"])["unit_from_text"]
    assert "区发展和改革局" in unit_text and "区自然资源局" in unit_text


def test_the_same_units_in_a_unit_column_win_over_the_text(ledger):
    lines = ["序号,工作任务,牵头单位,完成时限",
             "1,由区水利局负责实施城区河道清淤工程,区城市管理局,2026年6月30日前"]
    assert load(ledger, "cell.csv", csv_bytes(lines)).committed
    assert tasks(ledger)["1"]["lead_units"] == ["区城市管理局"]
    assert "unit_from_text" not in kinds(flags_by_item(ledger).get("1"))


NOT_UNITS = [
    "序号,议定事项,牵头单位,完成时限",
    "1,协调解决园区企业用工问题,王建同志,2026年6月30日前",
    "2,推进城区停车场建设,此项工作由李强,2026年9月30日前",
    "3,研究出台人才引进办法,并统筹推进,2026年10月31日前",
    "4,做好防汛物资储备,区应急管理局,2026年5月31日前",
    "5,开展燃气安全专项整治,<img src=x>,2026年7月31日前",
    "6,优化公交线路,=1+2,2026年8月31日前",
]


def test_fragments_that_are_not_units_are_never_registered_and_the_row_is_flagged(ledger):
    result = load(ledger, "not_units.csv", csv_bytes(NOT_UNITS))
    assert result.committed, result.files[0].errors
    for fragment in ("王建同志", "王建", "此项工作由李强", "并统筹推进", "<img src=x>", "=1+2"):
        assert scalar(ledger, "SELECT count(*) FROM units WHERE name = ?", [fragment]) == 0, fragment
    assert result.files[0].new_units == [] or "区应急管理局" in result.files[0].new_units
    flags = flags_by_item(ledger)
    for item, fragment in (("1", "王建同志"), ("2", "此项工作由李强"), ("3", "并统筹推进"), ("5", "<img"), ("6", "=1+2")):
        assert {"not_a_unit", "no_lead_unit"} <= kinds(flags[item]), item
        assert any(fragment in text for kind, text in flags[item] if kind == "not_a_unit"), item
    assert "not_a_unit" not in kinds(flags.get("4"))
    assert tasks(ledger)["4"]["lead_units"] == ["区应急管理局"]
    # Where it was written: the 牵头单位 column, at the row Excel shows.
    [first] = [f for f in result.files[0].flags if f["kind"] == "not_a_unit" and f["row"] == 2]
    assert first["column"] == "牵头单位"


def test_a_new_unit_named_in_prose_is_listed_in_the_preview_as_new(ledger):
    lines = ["序号,工作任务,完成时限", "1,由区数据资源中心负责建设城市运行管理平台,2026年12月31日前"]
    preview = load(ledger, "new.csv", csv_bytes(lines), commit=False)
    assert preview.files[0].new_units == ["区数据资源中心"]
    assert scalar(ledger, "SELECT count(*) FROM units WHERE name = '区数据资源中心'") == 0


# --------------------------------------------------------------------------- deadlines

DEADLINES = [
    "序号,工作任务,牵头单位,完成时限",
    "1,推进城区雨污分流改造,区水利局,",
    "2,开展汛前河道清障,区水利局,汛期前",
    "3,出台促进消费若干措施,区商务局,根据上级要求",
    "4,确保5月底前开工、11月底前完工的城区综合管廊项目,区住房和城乡建设局,",
    "5,推进全民健身中心建设,区文化体育和旅游局,无",
    "6,完成年度审计整改,区审计局,2026年12月31日前",
    "7,力争年内建成区级应急指挥中心,区应急管理局,",
]


def test_missing_and_unreadable_deadlines_are_flags_with_the_text_quoted(ledger):
    result = load(ledger, "deadlines.csv", csv_bytes(DEADLINES))
    assert result.committed, result.files[0].errors
    found, flags = tasks(ledger), flags_by_item(ledger)
    assert (found["1"]["deadline_kind"], found["1"]["status"]) == ("none", "undated")
    assert dict(flags["1"])["deadline_missing"] == "缺少完成时限"
    # An office setting (汛期前 = 5月31日) is used and said.
    assert found["2"]["deadline"] == date(2026, 5, 31) and "汛期前" in dict(flags["2"])["deadline_assumed"]
    # Unreadable: no date guessed, the text quoted.
    assert found["3"]["deadline_kind"] == "none" and found["3"]["deadline_text"] == "根据上级要求"
    assert "“根据上级要求”" in dict(flags["3"])["deadline_unread"]
    # In the text: two dated steps become milestones, the latest is the deadline.
    assert found["4"]["deadline"] == date(2026, 11, 30)
    milestones = task_detail(ledger, system_user(), AS_OF, found["4"]["code"])["milestones"]
    assert milestones["deadline"].to_list() == [date(2026, 5, 31), date(2026, 11, 30)]
    assert found["4"]["content"].startswith("确保5月底前开工")
    assert "deadline_from_text" in kinds(flags["4"])
    # 无 is the list saying there is none: 未明确时限, flagged.
    assert found["5"]["deadline_kind"] == "none" and "deadline_missing" in kinds(flags["5"])
    assert "deadline_missing" not in kinds(flags.get("6")) and found["6"]["status"] == "on_track"
    assert found["7"]["deadline"] == date(2026, 12, 31)


def test_the_default_deadline_applies_only_to_rows_without_one_and_is_recorded(ledger):
    options = LoadOptions(**{**REPORT.__dict__, "default_deadline": "年底前"})
    result = load(ledger, "deadlines.csv", csv_bytes(DEADLINES), options=options)
    assert result.committed, result.files[0].errors
    found, flags = tasks(ledger), flags_by_item(ledger)
    assert (found["1"]["deadline"], found["1"]["deadline_text"]) == (date(2026, 12, 31), "年底前")
    assert dict(flags["1"])["deadline_default"] == "未写完成时限，采用默认时限“年底前”"
    # A deadline in the cell or the text wins; 无 and an unreadable cell are not "without one".
    assert found["4"]["deadline"] == date(2026, 11, 30) and "deadline_default" not in kinds(flags["4"])
    assert found["3"]["deadline_kind"] == "none" and found["5"]["deadline_kind"] == "none"
    assert found["6"]["deadline"] == date(2026, 12, 31) and "deadline_default" not in kinds(flags.get("6"))
    assert [f["row"] for f in result.files[0].flags if f["kind"] == "deadline_default"] == [2]


def test_an_unreadable_default_deadline_refuses_the_import(ledger):
    options = LoadOptions(**{**REPORT.__dict__, "default_deadline": "看情况"})
    result = load(ledger, "deadlines.csv", csv_bytes(DEADLINES), options=options)
    assert not result.committed
    assert any("看情况" in e.message for e in result.files[0].errors)
    assert scalar(ledger, "SELECT count(*) FROM tasks") == 0


def test_an_impossible_date_still_refuses_the_whole_file_even_beside_flagged_rows(ledger):
    lines = DEADLINES + ["8,完成道路白改黑工程,区交通运输局,2026年2月30日前"]
    result = load(ledger, "bad.csv", csv_bytes(lines))
    assert not result.committed
    [error] = result.files[0].errors
    assert (error.row, error.column, error.value) == (9, "完成时限", "2026年2月30日前")
    for table in ("tasks", "task_flags", "task_kept_columns", "units", "import_batches"):
        assert scalar(ledger, f"SELECT count(*) FROM {table}") == 0, table


def test_a_row_with_content_but_an_unreadable_item_number_is_still_an_error(ledger):
    lines = ["序号,工作任务,牵头单位,完成时限", "1,推进城区雨污分流改造,区水利局,", ",开展汛前河道清障,区水利局,汛期前"]
    result = load(ledger, "item.csv", csv_bytes(lines))
    assert not result.committed
    assert [(e.row, e.column) for e in result.files[0].errors] == [(3, "序号")]


# --------------------------------------------------------------------------- status of undated tasks


def test_an_undated_task_is_open_never_overdue_and_counted_apart(ledger):
    assert load(ledger, "重点工作.csv", csv_bytes(WORK_REPORT)).committed
    for as_of in (date(2026, 3, 2), date(2027, 12, 31), date(2030, 6, 30)):
        counts = status_counts(ledger, system_user(), as_of)
        assert counts["undated"] == 6 and counts["overdue"] == 0 and counts["long_term"] == 0
    ledger.execute("UPDATE settings SET value = '否' WHERE key = 'close_requires_verification'")
    progress = ["会议名称,序号,进展情况,填报日期,是否办结,办结日期",
                "2026年区政府工作报告重点工作任务分解,1,数字底座一期已上线,2026-06-30,是,2026-06-30"]
    assert load(ledger, "进展.csv", csv_bytes(progress), options=LoadOptions(today=date(2026, 7, 1))).committed
    # Finished without a deadline: on time (nothing to be late against), no longer 未明确时限.
    assert tasks(ledger, date(2026, 7, 1))["1"]["status"] == "done_on_time"
    assert status_counts(ledger, system_user(), date(2026, 7, 1))["undated"] == 5


# --------------------------------------------------------------------------- kept columns and status words

RECTIFICATION_LIST = [
    "序号,工作任务,牵头单位,完成时限,状态,整改措施,工作层级,载体",
    "1,推进城区雨污分流改造,区水利局,2026年10月31日前,已完成,倒排工期，挂图作战,区级,民生实事",
    "2,实施背街小巷整治提升,区城市管理局,2026年9月30日前,滞后,增派施工力量,区级,",
    "3,建设社区嵌入式托育点,区卫生健康局,2026年12月31日前,正常推进,,街道级,民生实事",
    "4,完成老旧供水管网改造,区水利局,2026年11月30日前,推进缓慢,,区级,",
]


def test_unknown_columns_are_kept_with_each_task_and_listed_once(ledger):
    result = load(ledger, "kept.csv", csv_bytes(RECTIFICATION_LIST))
    assert result.committed, result.files[0].errors
    assert result.files[0].kept_columns == ["状态", "整改措施", "工作层级", "载体"]
    assert sum("已随各事项原样保存" in w for w in result.files[0].warnings) == 1
    code = tasks(ledger)["1"]["code"]
    kept = task_detail(ledger, system_user(), AS_OF, code)["kept_columns"]
    assert kept.rows() == [("状态", "已完成"), ("整改措施", "倒排工期，挂图作战"), ("工作层级", "区级"), ("载体", "民生实事")]
    # Empty cells are not kept.
    assert scalar(ledger, "SELECT count(*) FROM task_kept_columns WHERE task_id = (SELECT task_id FROM tasks WHERE item = '4')") == 2


def test_status_words_claim_completion_through_verification_and_flag_tasks_behind(ledger):
    result = load(ledger, "kept.csv", csv_bytes(RECTIFICATION_LIST))
    assert result.committed, result.files[0].errors
    found, flags = tasks(ledger), flags_by_item(ledger)
    # 已完成 is a completion the list claims: waiting for 核查, not closed.
    assert found["1"]["lifecycle"] == "open" and found["1"]["claim_pending"]
    assert scalar(ledger, "SELECT claim_state FROM progress WHERE claims_done") == "pending"
    assert scalar(ledger, "SELECT count(*) FROM audit_log WHERE action = 'claim_done' AND entity_id = ?", [found["1"]["code"]]) == 1
    assert "done_claimed" in kinds(flags["1"])
    assert "“状态”列写“滞后”" in dict(flags["2"])["behind"]
    assert "behind" in kinds(flags["4"]) and "behind" not in kinds(flags.get("3"))
    # A second list saying the same adds no second claim.
    again = RECTIFICATION_LIST[:2] + ["2,实施背街小巷整治提升,区城市管理局,2026年9月30日前,滞后,增派施工力量,区级,重点"]
    source = LoadOptions(**{**REPORT.__dict__, "source_title": "2026年区政府工作报告重点工作任务分解"})
    assert load(ledger, "kept（更新）.csv", csv_bytes(again), options=source).committed
    assert scalar(ledger, "SELECT count(*) FROM progress WHERE claims_done") == 1


def test_status_words_close_directly_when_the_office_closes_without_verification(ledger):
    ledger.execute("UPDATE settings SET value = '否' WHERE key = 'close_requires_verification'")
    assert load(ledger, "kept.csv", csv_bytes(RECTIFICATION_LIST)).committed
    found = tasks(ledger)
    # Dated by the list (its source date), never the day of import.
    assert found["1"]["lifecycle"] == "closed" and found["1"]["closed_date"] == REPORT.source_date
    assert scalar(ledger, "SELECT count(*) FROM progress WHERE claim_state IS NOT NULL") == 0


def test_a_progress_file_saying_done_is_a_claim_when_verification_is_required(ledger):
    basic = ["会议名称,会议日期,序号,议定事项,牵头单位,完成时限",
             "区政府第12次常务会议,2026-02-10,1,推进城区雨污分流改造,区水利局,2026年10月31日前",
             "区政府第12次常务会议,2026-02-10,2,实施背街小巷整治提升,区城市管理局,2026年9月30日前"]
    assert load(ledger, "v1.csv", csv_bytes(basic), options=LoadOptions(source_kind="常务会议")).committed
    progress = ["会议名称,序号,进展情况,填报日期,是否办结,办结日期",
                "区政府第12次常务会议,1,雨污分流改造全部完工,2026-03-01,是,2026-02-28",
                "区政府第12次常务会议,2,完成60%,2026-03-01,否,"]
    result = load(ledger, "进展.csv", csv_bytes(progress), options=LoadOptions(today=date(2026, 3, 2)))
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert found["1"]["lifecycle"] == "open" and found["1"]["claim_pending"]
    assert ledger.execute("SELECT text, done_date, claim_state FROM progress WHERE claims_done").fetchall() == [
        ("雨污分流改造全部完工", date(2026, 2, 28), "pending")]
    assert scalar(ledger, "SELECT count(*) FROM audit_log WHERE action = 'close'") == 0


# --------------------------------------------------------------------------- re-import


def test_reimporting_is_idempotent_and_a_changed_flag_is_audited(ledger):
    data = csv_bytes(RECTIFICATION_LIST)
    assert load(ledger, "kept.csv", data).committed
    snapshot = ledger.execute("SELECT * FROM task_flags ORDER BY task_id, seq").fetchall()
    kept = ledger.execute("SELECT * FROM task_kept_columns ORDER BY task_id, position").fetchall()
    audit = scalar(ledger, "SELECT count(*) FROM audit_log")
    again = load(ledger, "kept copy.csv", data)
    assert not again.committed and not again.files[0].errors
    assert ledger.execute("SELECT * FROM task_flags ORDER BY task_id, seq").fetchall() == snapshot
    assert scalar(ledger, "SELECT count(*) FROM audit_log") == audit
    # The same rows from another file (one more column): unchanged flags keep their batch.
    changed = [line + "," + extra for line, extra in zip(RECTIFICATION_LIST, ["备注", "", "", "", "已复工"], strict=True)]
    changed[2] = changed[2].replace(",滞后,", ",正常推进,")
    result = load(ledger, "kept v2.csv", csv_bytes(changed))
    assert result.committed, result.files[0].errors
    assert ledger.execute("SELECT * FROM task_flags WHERE task_id = 1 ORDER BY seq").fetchall() == \
        [row for row in snapshot if row[0] == 1]
    audited = ledger.execute("SELECT entity_id, field, before, after FROM audit_log WHERE field IN ('flags', 'kept_columns') "
                             "ORDER BY entity_id, field").fetchall()
    code2, code4 = tasks(ledger)["2"]["code"], tasks(ledger)["4"]["code"]
    assert [(e, f) for e, f, _, _ in audited] == [(code2, "flags"), (code2, "kept_columns"), (code4, "kept_columns")]
    assert "滞后" in audited[0][2] and audited[0][3] is None
    assert "flags_by_row" not in kept  # the kept rows of task 1 are untouched too
    assert ledger.execute("SELECT * FROM task_kept_columns WHERE task_id = 1 ORDER BY position").fetchall() == \
        [row for row in kept if row[0] == 1]


# --------------------------------------------------------------------------- report and CLI


def test_the_report_json_has_flags_and_kept_columns_per_file(ledger):
    result = load(ledger, "kept.csv", csv_bytes(RECTIFICATION_LIST), commit=False)
    entry = result.to_json()["files"][0]
    assert entry["kept_columns"] == ["状态", "整改措施", "工作层级", "载体"]
    assert entry["flags"] and all(set(f) == {"sheet", "row", "column", "kind", "label", "text"} for f in entry["flags"])
    assert {"row": 3, "column": "状态", "kind": "behind", "label": "状态滞后", "sheet": None,
            "text": "“状态”列写“滞后”"} in entry["flags"]
    assert "preview" not in entry
    json.dumps(result.to_json(), ensure_ascii=False)
    # The preview before 确认导入 reads each row.
    preview = result.files[0].preview
    assert preview["lead_units"].to_list() == ["区水利局", "区城市管理局", "区卫生健康局", "区水利局"]
    assert "状态滞后" in preview["flags"][1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_default_deadline_and_status_tasks_with_flags_and_deadline_kind(tmp_path):
    db = str(tmp_path / "cli.duckdb")
    listing = tmp_path / "deadlines.csv"
    listing.write_bytes(csv_bytes(DEADLINES))
    source = ["--source-kind", "政府工作报告", "--source-title", "2026年区政府工作报告重点工作任务分解",
              "--source-date", "2026-02-10"]
    loaded = run_cli("load", str(listing), "--db", db, *source, "--default-deadline", "年底前", "--json")
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    payload = json.loads(loaded.stdout)
    assert any(f["kind"] == "deadline_default" and f["row"] == 2 for f in payload["files"][0]["flags"])
    status = run_cli("status", "--db", db, "--as-of", "2026-03-02", "--json", "--tasks")
    assert status.returncode == 0, status.stderr
    summary = json.loads(status.stdout)
    by_item = {t["item"]: t for t in summary["tasks"]}
    assert by_item["1"]["deadline_kind"] == "date" and by_item["1"]["deadline"] == "2026-12-31"
    assert by_item["3"]["deadline_kind"] == "none" and by_item["3"]["status"] == "undated"
    assert [f["kind"] for f in by_item["1"]["flags"]] == ["deadline_default"]
    assert by_item["3"]["flags"][0]["label"] == "完成时限无法识别"
    assert summary["counts"]["undated"] == 2
    text = run_cli("status", "--db", db, "--as-of", "2026-03-02", "--tasks")
    assert text.returncode == 0 and "未明确时限" in text.stdout and "完成时限无法识别" in text.stdout


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_meeting_list_in_either_encoding_flags_the_same_rows(ledger, encoding):
    lines = ["会议名称,会议日期,序号,议定事项,牵头单位,完成时限",
             "区政府第23次常务会议,2026-02-10,1,会议同意区教育局、区卫生健康局提出的《中小学校卫生提升方案》,,",
             "区政府第23次常务会议,2026-02-10,2,研究城区停车难问题，请区公安分局尽快拿出方案,,尽快",
             "区政府第23次常务会议,2026-02-10,3,推进城区绿道建设,王海副区长,2026年12月31日前"]
    result = load(ledger, "会议.csv", csv_bytes(lines, encoding), options=LoadOptions(source_kind="常务会议"))
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert found["1"]["lead_units"] == ["区教育局", "区卫生健康局"] and found["1"]["status"] == "undated"
    assert found["2"]["lead_units"] == ["区公安分局"]
    assert found["2"]["deadline"] == date(2026, 2, 24)   # 5 working days after 2026-02-10, across 春节
    assert found["3"]["lead_units"] == []
    flags = flags_by_item(ledger)
    assert "deadline_assumed" in kinds(flags["2"]) and {"not_a_unit", "no_lead_unit"} <= kinds(flags["3"])


def test_flagged_open_tasks_are_counted_for_the_overview_and_shown_on_the_detail(ledger):
    from ledger.queries import flagged_tasks

    assert load(ledger, "重点工作.csv", csv_bytes(WORK_REPORT)).committed
    clean = ["序号,议定事项,牵头单位,完成时限", "1,完成城区路灯改造,区城市管理局,2026年6月30日前"]
    assert load(ledger, "会议.csv", csv_bytes(clean), options=LoadOptions(
        source_kind="常务会议", source_title="区政府第3次常务会议", source_date=date(2026, 2, 10))).committed
    assert flagged_tasks(ledger, system_user(), AS_OF) == 6
    found = [t for t in task_list(ledger, AS_OF).iter_rows(named=True) if t["source"].startswith("2026年")]
    code = found[0]["code"]
    detail = task_detail(ledger, system_user(), AS_OF, code)
    assert detail["flags"]["label"].to_list() == ["待明确责任单位", "缺少完成时限"]
    assert detail["flags"]["excel_row"].to_list() == [int(found[0]["item"]) + 1] * 2
    # A closed task no longer waits to be checked.
    ledger.execute("UPDATE settings SET value = '否' WHERE key = 'close_requires_verification'")
    progress = ["会议名称,序号,进展情况,填报日期,是否办结,办结日期",
                f"2026年区政府工作报告重点工作任务分解,{found[0]['item']},已完成,2026-03-01,是,2026-03-01"]
    assert load(ledger, "进展.csv", csv_bytes(progress), options=LoadOptions(today=AS_OF)).committed
    assert flagged_tasks(ledger, system_user(), AS_OF) == 5
