"""Minutes and 批示 documents end to end: read (in the sandbox), reviewed, imported through the one
import path into a real DuckDB ledger, re-imported, previewed by the CLI and on 数据导入.

Each document is written in one of the shapes the office receives (paragraph per topic with
会议同意/会议要求; 会议议定：一是…二是…; units in brackets after numbered items; working days across
a 调休 weekend; a 专题会议 with 会议明确 and a leader named as 牵头; deferred and listening-only
paragraphs; a leader's 批示), as .txt (UTF-8 and GBK) and .docx. The assertions are on what the
ledger holds afterwards: which sentences became tasks, with which units, leader, deadline, source
and flags, and the sentence and paragraph kept with each.

Depends on issue 9's flag model (etl/importer.py): items without a unit or a deadline import
flagged (待明确责任单位, 缺少完成时限) instead of refusing the file, and the columns 原文/原文段落
are kept per task (task_kept_columns).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import docx
import duckdb
import pytest
from conftest import dashboard_reads, empty_office_ledger, signed_in_app

from etl import minutes_import
from etl.importer import InputFile, LoadOptions, import_files, read_files
from etl.minutes_import import Choice
from ledger.db import open_ledger

ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------- documents

PER_TOPIC = """区人民政府第23次常务会议纪要
二〇二五年三月十一日，区长刘志远主持召开区政府第23次常务会议。现将会议议定事项纪要如下：
会议听取了区文旅局关于春季旅游市场安全工作的汇报。会议同意区文旅局提出的春季旅游安全保障方案。会议要求，区文旅局要加强景区安全检查，4月10日前完成全覆盖检查；区交通运输局要做好节假日旅游交通组织。
会议听取了区医保局关于医保基金监管的汇报。会议原则同意《区医疗保障基金专项整治工作方案》，请区医保局牵头抓好落实，6月底前完成专项整治。
会议学习了《优化营商环境条例》。
"""

# 2025-04-27 (Sunday) was a working day before the 五一 holiday (1–5 May).
ENUMERATED = """区政府第9次常务会议议定事项
2025年4月24日，区政府召开第9次常务会议。
一、关于重点项目建设
会议议定：一是区发改局要在会后5个工作日内报送一季度重点项目推进清单；二是区自然资源局牵头，区住建局、区生态环境局配合，6月底前完成城南产业园用地报批；三是要加快项目前期工作。
二、关于国庆节前安全生产
会议议定：一是区应急局要在会后3个工作日内完成节前安全生产大检查部署；二是由区消防救援大队负责，开学后两周内完成校园消防检查。
"""

# 2025-09-28 (Sunday) was a working day before the National Day holiday.
BRACKETS = """区政府第31次常务会议议定事项通知
区政府办公室
2025年9月29日
各镇人民政府、街道办事处，区政府各部门：
2025年9月25日，区政府召开第31次常务会议，会议议定事项如下：
1、加快推进老旧供水管网改造，年底前完成主管网更换。（牵头单位：区水利局；配合单位：区财政局、区住建局）
2、做好秋季重大动物疫病防控工作。（责任单位：区农业农村局、各镇街）
3、推进中小学校舍安全隐患整治（区教育局负责，会后3个工作日内制定整治清单）。
4、会议听取了区统计局关于前三季度经济运行情况的汇报。
抄送：区委办公室，区人大常委会办公室。
区政府办公室 2025年9月29日印发
"""

TOPICAL = """关于推进城西老工业区搬迁改造的专题会议纪要
第21期
2025年6月5日上午，副区长赵明辉主持召开专题会议，研究城西老工业区搬迁改造有关问题。会议纪要如下：
会议指出，城西老工业区搬迁改造事关全区发展大局。
会议明确，搬迁改造工作由常务副区长陈立新同志牵头，区工信局具体负责，区财政局、区自然资源局配合。
会议明确，西城街道负责企业职工安置摸底，7月31日前完成摸底登记。
请区司法局对搬迁补偿方案进行合法性审查，会后10个工作日内提出审查意见。
"""

DEFERRED = """区人民政府第27次常务会议纪要
2025年8月12日，区长刘志远主持召开区政府第27次常务会议，现纪要如下：
一、会议传达学习了全省安全生产电视电话会议精神。
二、会议审议了《区停车收费管理办法（草案）》。会议认为，办法涉及群众切身利益，需进一步听取意见，决定暂缓出台，另行提交会议审议。
三、会议听取了区城管局关于垃圾分类工作的汇报。会议不同意新增垃圾转运站选址方案。
四、会议听取了区人社局关于高校毕业生就业工作的汇报。
五、会议研究了城区内涝治理问题。会议决定，由区水利局负责，区住建局、区城管局配合，9月30日前完成城区易涝点改造。
"""

DIRECTIVE_LINES = [
    "领导批示件",
    "〔2025〕第18号",
    "来文单位：区信访局",
    "标题：关于东湖小区居民反映电梯故障问题的信访件",
    "区长刘志远同志2025年5月6日批示：",
    "请区市场监管局牵头，会同区住建局、东湖街道调查核实，5月20日前将处理情况报区政府。请区住建局督促物业企业落实维保责任。",
]


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- helpers


def load(con, name: str, data: bytes, options: LoadOptions | None = None, choices=None, isolated: bool = False):
    """The import as the CLI runs it: read (in the sandbox if isolated), options and review applied."""
    files = [InputFile(name, data)]
    options = options or LoadOptions()
    parsed = minutes_import.prepare(read_files(files, options, isolated=isolated), options, choices)
    return import_files(con, files, options, parsed=parsed), parsed[(files[0].name, files[0].sha256)]


def tasks(con) -> dict[str, dict]:
    """Every task by 序号 (one source per test ledger unless said), with what the ledger holds."""
    rows = con.execute("""
        SELECT t.task_id, t.item, t.content, t.deadline_kind, t.deadline, t.deadline_text,
               s.kind, s.title, s.number, s.date,
               (SELECT name FROM leaders WHERE leader_id = s.leader_id) AS source_leader,
               (SELECT name FROM leaders WHERE leader_id = t.leader_id) AS leader,
               (SELECT list(u.name ORDER BY tu.position) FROM task_units tu JOIN units u USING (unit_id)
                WHERE tu.task_id = t.task_id AND tu.role = 'lead') AS lead,
               (SELECT list(u.name ORDER BY tu.position) FROM task_units tu JOIN units u USING (unit_id)
                WHERE tu.task_id = t.task_id AND tu.role = 'co') AS co,
               (SELECT list(kind ORDER BY seq) FROM task_flags f WHERE f.task_id = t.task_id) AS flags,
               (SELECT max(value) FILTER (WHERE name = '原文') FROM task_kept_columns k WHERE k.task_id = t.task_id) AS sentence,
               (SELECT max(value) FILTER (WHERE name = '原文段落') FROM task_kept_columns k WHERE k.task_id = t.task_id) AS paragraph
        FROM tasks t JOIN sources s USING (source_id)
        ORDER BY t.task_id
    """).fetchall()
    names = ["task_id", "item", "content", "deadline_kind", "deadline", "deadline_text", "kind", "title", "number",
             "date", "source_leader", "leader", "lead", "co", "flags", "sentence", "paragraph"]
    found = {}
    for row in rows:
        task = dict(zip(names, row, strict=True))
        task["lead"], task["co"], task["flags"] = task["lead"] or [], task["co"] or [], task["flags"] or []
        found[task["item"]] = task
    return found


def same_units(con, stored: list[str], written: list[str]) -> bool:
    """The units as written, or the catalogue's full name for each (the resolver may use either)."""
    if len(stored) != len(written):
        return False
    for have, want in zip(stored, written, strict=True):
        canonical = con.execute("SELECT canonical FROM unit_catalog WHERE alias = ?", [want]).fetchone()
        if have not in {want, canonical[0] if canonical else want}:
            return False
    return True


# --------------------------------------------------------------------------- the five styles, end to end


def test_paragraph_per_topic_into_the_ledger(ledger):
    result, _ = load(ledger, "第23次常务会议纪要.txt", PER_TOPIC.encode("utf-8"))
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert list(found) == ["一", "一(2)", "一(3)", "二"]
    first = found["一"]
    assert (first["kind"], first["title"], first["number"], first["date"]) == (
        "executive", "区人民政府第23次常务会议纪要", "第23次", date(2025, 3, 11))
    assert first["content"] == "会议同意区文旅局提出的春季旅游安全保障方案。"
    assert same_units(ledger, first["lead"], ["区文旅局"])
    # No deadline written: flagged, never invented.
    assert (first["deadline_kind"], first["deadline"]) == ("none", None)
    assert "deadline_missing" in first["flags"]
    assert found["一(2)"]["deadline"] == date(2025, 4, 10)
    assert same_units(ledger, found["一(3)"]["lead"], ["区交通运输局"])
    assert found["二"]["deadline"] == date(2025, 6, 30) and same_units(ledger, found["二"]["lead"], ["区医保局"])
    # The sentence and its paragraph are kept with the task.
    assert found["一(2)"]["sentence"] == "会议要求，区文旅局要加强景区安全检查，4月10日前完成全覆盖检查"
    assert found["一(2)"]["paragraph"].startswith("会议听取了区文旅局关于春季旅游市场安全工作的汇报。")
    # Listening and studying are not tasks.
    assert not any("学习" in task["content"] or "听取" in task["content"] for task in found.values())


def test_enumeration_and_working_days_across_a_tiaoxiu_weekend(ledger):
    result, _ = load(ledger, "第9次常务会议议定事项.txt", ENUMERATED.encode("utf-8"))
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert list(found) == ["一", "一(2)", "一(3)", "二", "二(2)"]
    # 5 working days after Thursday 24 April 2025: 25, 27 (Sunday, 调休), 28, 29, 30 April.
    assert (found["一"]["deadline"], found["一"]["deadline_text"]) == (date(2025, 4, 30), "会后5个工作日内")
    # 3 working days: 25, 27, 28 April.
    assert found["二"]["deadline"] == date(2025, 4, 28)
    assert same_units(ledger, found["一(2)"]["lead"], ["区自然资源局"])
    assert same_units(ledger, found["一(2)"]["co"], ["区住建局", "区生态环境局"])
    # An enumerated requirement naming nobody: imported, flagged for its unit and its deadline.
    assert found["一(3)"]["content"] == "三是要加快项目前期工作。"
    assert found["一(3)"]["lead"] == [] and {"no_lead_unit", "deadline_missing"} <= set(found["一(3)"]["flags"])
    # A period counted from another event (开学后) is not computed from the meeting's date.
    assert found["二(2)"]["deadline"] is None and found["二(2)"]["flags"]


def test_units_in_brackets_and_a_tiaoxiu_sunday(ledger):
    result, _ = load(ledger, "第31次常务会议议定事项通知.txt", BRACKETS.encode("utf-8"))
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert list(found) == ["1", "2", "3"]
    # The meeting's date is the opening sentence's, not the notice's.
    assert found["1"]["date"] == date(2025, 9, 25) and found["1"]["number"] == "第31次"
    assert same_units(ledger, found["1"]["lead"], ["区水利局"])
    assert same_units(ledger, found["1"]["co"], ["区财政局", "区住建局"])
    assert found["1"]["deadline"] == date(2025, 12, 31)
    assert same_units(ledger, found["2"]["lead"][:1], ["区农业农村局"])
    # 3 working days after Thursday 25 September 2025: 26, 28 (Sunday, 调休), 29.
    assert found["3"]["deadline"] == date(2025, 9, 29)
    assert same_units(ledger, found["3"]["lead"], ["区教育局"])
    assert "区统计局" not in " ".join(task["content"] for task in found.values())


def test_topical_meeting_with_a_leader_named_as_lead(ledger):
    result, _ = load(ledger, "专题会议纪要.txt", TOPICAL.encode("utf-8"))
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert list(found) == ["二", "三", "四"]
    assert found["二"]["kind"] == "topical" and found["二"]["date"] == date(2025, 6, 5)
    # 陈立新 牵头 is the responsible leader, never a unit.
    assert found["二"]["leader"] == "陈立新"
    assert same_units(ledger, found["二"]["lead"], ["区工信局"])
    assert same_units(ledger, found["二"]["co"], ["区财政局", "区自然资源局"])
    assert not ledger.execute("SELECT count(*) FROM units WHERE name LIKE '%陈立新%'").fetchone()[0]
    assert found["三"]["deadline"] == date(2025, 7, 31)
    # 10 working days after Thursday 5 June 2025.
    assert found["四"]["deadline"] == date(2025, 6, 19)
    assert "会议指出" not in " ".join(task["content"] for task in found.values())


def test_deferred_and_listening_only_paragraphs_import_nothing(ledger):
    result, sheets = load(ledger, "第27次常务会议纪要.txt", DEFERRED.encode("utf-8"))
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert list(found) == ["五"]
    assert same_units(ledger, found["五"]["lead"], ["区水利局"])
    assert same_units(ledger, found["五"]["co"], ["区住建局", "区城管局"])
    assert found["五"]["deadline"] == date(2025, 9, 30)
    review = minutes_import.preview(sheets[0])
    reasons = {entry["sentence"]: entry["reason"] for entry in review["rejected"]}
    assert "暂缓" in reasons["会议认为，办法涉及群众切身利益，需进一步听取意见，决定暂缓出台，另行提交会议审议。"]
    assert "暂缓" in reasons["会议不同意新增垃圾转运站选址方案。"]
    assert "听取" in reasons["会议听取了区人社局关于高校毕业生就业工作的汇报。"]


def test_gbk_text_file(ledger):
    data = TOPICAL.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result, _ = load(ledger, "专题会议纪要.txt", data, isolated=True)
    assert result.committed, result.files[0].errors
    assert list(tasks(ledger)) == ["二", "三", "四"]


def test_docx_minutes_read_in_the_sandbox(ledger):
    result, sheets = load(ledger, "第27次常务会议纪要.docx", docx_bytes(DEFERRED.splitlines()), isolated=True)
    assert result.committed, result.files[0].errors
    assert sheets[0].sheet == "纪要" and minutes_import.is_minutes(sheets[0])
    found = tasks(ledger)
    assert list(found) == ["五"] and found["五"]["title"] == "区人民政府第27次常务会议纪要"


def test_directive_document_becomes_a_directive_source(ledger):
    result, _ = load(ledger, "刘志远批示.docx", docx_bytes(DIRECTIVE_LINES), isolated=True)
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert list(found) == ["一", "一(2)"]
    first = found["一"]
    assert (first["kind"], first["source_leader"], first["date"], first["number"]) == (
        "directive", "刘志远", date(2025, 5, 6), "〔2025〕第18号")
    assert same_units(ledger, first["lead"], ["区市场监管局"])
    assert same_units(ledger, first["co"], ["区住建局", "东湖街道"])
    assert first["deadline"] == date(2025, 5, 20)
    assert same_units(ledger, found["一(2)"]["lead"], ["区住建局"])
    assert "deadline_missing" in found["一(2)"]["flags"]


def test_directive_without_a_year_is_refused_until_the_date_is_given(ledger):
    lines = ["市政府领导批示单", "编号：2025-017", "来文单位：市信访局", "市长孙立同志3月5日批示：",
             "请市住建局牵头，会同市市场监管局立即组织现场核查，3月20日前将办理结果报市政府。"]
    data = docx_bytes(lines)
    refused, _ = load(ledger, "批示单.docx", data)
    assert not refused.committed
    assert any("3月5日" in warning and "指定来源日期" in warning for warning in refused.files[0].warnings)
    assert ledger.execute("SELECT count(*) FROM tasks").fetchone()[0] == 0
    result, _ = load(ledger, "批示单.docx", data, LoadOptions(source_date=date(2025, 3, 5)))
    assert result.committed, result.files[0].errors
    [task] = tasks(ledger).values()
    assert (task["kind"], task["source_leader"], task["date"], task["deadline"]) == (
        "directive", "孙立", date(2025, 3, 5), date(2025, 3, 20))


# --------------------------------------------------------------------------- options, review, re-import


def test_options_override_the_document(ledger):
    options = LoadOptions(source_kind="区长办公会议", source_title="区长办公会议（2025年第3次）",
                          source_date=date(2025, 4, 21))
    result, _ = load(ledger, "议定事项.txt", ENUMERATED.encode("utf-8"), options)
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert (found["一"]["kind"], found["一"]["title"], found["一"]["date"]) == (
        "mayor_office", "区长办公会议（2025年第3次）", date(2025, 4, 21))
    # Relative deadlines count from the date given: 5 working days after Monday 21 April 2025
    # are 22–25 April and Sunday 27 April (调休).
    assert found["一"]["deadline"] == date(2025, 4, 27)


# A sentence the reader judges an opinion (会议认为) though it names a unit and a deadline: the
# clerk's to add in the review.
WITH_OPINION = PER_TOPIC + "会议研究了上半年预算执行情况。会议认为，区财政局应于7月底前完成上半年预算执行分析。\n"
MISSED = "会议认为，区财政局应于7月底前完成上半年预算执行分析。"


def test_review_unticks_an_item_and_adds_a_missed_sentence(ledger):
    files = [InputFile("纪要.txt", WITH_OPINION.encode("utf-8"))]
    first = minutes_import.prepare(read_files(files, isolated=False), LoadOptions())
    review = minutes_import.preview(next(iter(first.values()))[0])
    missed = next(entry for entry in review["rejected"] if entry["sentence"] == MISSED)
    assert missed["paragraph_no"] == "四" and "评价" in missed["reason"]
    choice = Choice(skip=frozenset({"一(3)"}), add=(missed["order"],))
    result, sheets = load(ledger, "纪要.txt", WITH_OPINION.encode("utf-8"), choices={files[0].sha256: choice})
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert list(found) == ["一", "一(2)", "二", "四"]
    # Added, it is read by the same functions: its unit, its deadline, its paragraph.
    added = found["四"]
    assert added["content"] == MISSED and same_units(ledger, added["lead"], ["区财政局"])
    assert added["deadline"] == date(2025, 7, 31)
    assert added["paragraph"] == "会议研究了上半年预算执行情况。" + MISSED
    chosen = minutes_import.preview(sheets[0])
    assert [item["seq"] for item in chosen["items"] if item["included"]] == ["一", "一(2)", "二", "四"]
    assert next(item for item in chosen["items"] if item["seq"] == "一(3)")["included"] is False
    assert next(entry for entry in chosen["rejected"] if entry["order"] == missed["order"])["added"] is True


PARTY_GROUP = """区政府党组会议纪要
（2025年第7次）
2025年8月20日，区政府党组书记、区长刘志远主持召开区政府党组会议。
会议要求：
（一）区政府办公室要牵头制定落实方案，9月10日前报党组审定。
（二）各党组成员要结合分管工作，深入基层开展调研。
会议还讨论了其他事项。
"""


def test_an_item_numbered_like_a_heading_without_unit_or_deadline_is_imported_flagged(ledger):
    # （二） names no unit and no deadline: a task list's heading row would look alike, but the
    # reader has already told headings from items; the item is imported, flagged, not dropped.
    result, _ = load(ledger, "党组会议纪要.txt", PARTY_GROUP.encode("utf-8"))
    assert result.committed, result.files[0].errors
    found = tasks(ledger)
    assert list(found) == ["(一)", "(二)"]
    assert found["(一)"]["kind"] == "party_group" and found["(一)"]["deadline"] == date(2025, 9, 10)
    assert {"no_lead_unit", "deadline_missing"} <= set(found["(二)"]["flags"])


def test_reimport_same_file_changes_nothing_and_revised_minutes_update_by_item(ledger):
    data = PER_TOPIC.encode("utf-8")
    assert load(ledger, "纪要.txt", data)[0].committed
    before = tasks(ledger)
    again, _ = load(ledger, "纪要.txt", data)
    assert not again.committed and again.files[0].already_imported
    assert tasks(ledger) == before
    revised = PER_TOPIC.replace("4月10日前完成全覆盖检查", "4月20日前完成全覆盖检查").replace(
        "会议学习了《优化营商环境条例》。", "会议学习了《优化营商环境条例》。会议观看了警示教育片。")
    result, _ = load(ledger, "纪要（修订）.txt", revised.encode("utf-8"))
    assert result.committed, result.files[0].errors
    assert (result.files[0].tasks_created, result.files[0].tasks_updated) == (0, 1)
    after = tasks(ledger)
    assert list(after) == list(before)
    assert after["一(2)"]["task_id"] == before["一(2)"]["task_id"]
    assert after["一(2)"]["deadline"] == date(2025, 4, 20)
    assert after["一(2)"]["sentence"] == "会议要求，区文旅局要加强景区安全检查，4月20日前完成全覆盖检查"
    # The other items are the same tasks, unchanged but for the paragraph they quote, as revised.
    assert {key: value for key, value in after["一"].items() if key != "paragraph"} == {
        key: value for key, value in before["一"].items() if key != "paragraph"}
    assert "4月20日前" in after["一"]["paragraph"]
    assert after["二"] == before["二"]


# --------------------------------------------------------------------------- CLI


def test_cli_dry_run_prints_the_review_and_commits_nothing(tmp_path):
    path = tmp_path / "纪要.txt"
    path.write_bytes(ENUMERATED.encode("gbk"))
    db = tmp_path / "ledger.duckdb"
    done = subprocess.run([sys.executable, "-m", "etl", "load", str(path), "--db", str(db), "--dry-run", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    payload = json.loads(done.stdout)
    assert payload["committed"] is False and payload["dry_run"] is True
    review = payload["files"][0]["minutes"]
    assert review["meeting"]["number"] == "第9次" and review["meeting"]["date"] == "2025-04-24"
    items = {item["seq"]: item for item in review["items"]}
    assert list(items) == ["一", "一(2)", "一(3)", "二", "二(2)"]
    assert items["一"]["deadline"] == "2025-04-30" and items["一"]["lead_units"] == ["区发改局"]
    assert items["一"]["paragraph"].startswith("会议议定：一是区发改局")
    assert [flag["kind"] for flag in items["一(3)"]["flags"]] == ["待补", "待补"]
    reasons = {entry["sentence"]: entry["reason"] for entry in review["rejected"]}
    assert "议题" in reasons["一、关于重点项目建设"]
    con = duckdb.connect(str(db))
    try:
        assert con.execute("SELECT count(*) FROM tasks").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 0
    finally:
        con.close()


# --------------------------------------------------------------------------- 数据导入: the review step


@pytest.fixture
def ledger_file(tmp_path, monkeypatch) -> Path:
    with dashboard_reads(empty_office_ledger((tmp_path / "ledger.duckdb").resolve()), monkeypatch) as path:
        yield path


def _items(path: Path) -> list[str]:
    con = duckdb.connect(str(path))
    try:
        return [item for (item,) in con.execute("SELECT item FROM tasks ORDER BY task_id").fetchall()]
    finally:
        con.close()


def test_upload_page_reviews_minutes_before_commit(ledger_file):
    from ui.minutes_review import add_key, keep_key

    data = WITH_OPINION.encode("utf-8")
    sha = InputFile("纪要.txt", data).sha256
    at = signed_in_app("wangmin", 60)
    at.run()
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_files").set_value(("第23次常务会议纪要.txt", data, "text/plain"))
    at.run()
    assert not at.exception, at.exception
    # Each proposed item with its checkbox; the meeting read from the document.
    assert [box.key for box in at.checkbox if box.key.startswith("minutes_keep")] == [
        keep_key(sha, seq) for seq in ("一", "一(2)", "一(3)", "二")]
    assert any("会议纪要审核" in header.value for header in at.subheader)
    captions = " ".join(caption.value for caption in at.caption)
    assert "区人民政府第23次常务会议纪要" in captions and "6月底前" in captions
    # The rejected sentences are collapsed, each with its reason; any can be added.
    assert any(expander.label.startswith("未列为事项的句子（") for expander in at.expander)
    assert _items(ledger_file) == []

    at.checkbox(key=keep_key(sha, "一(3)")).uncheck()
    added = at.multiselect(key=add_key(sha))
    assert any("预算执行分析" in option for option in added.options)
    reading = minutes_import.prepare(read_files([InputFile("纪要.txt", data)], isolated=False), LoadOptions())
    review = minutes_import.preview(next(iter(reading.values()))[0])
    added.select(next(entry["order"] for entry in review["rejected"] if entry["sentence"] == MISSED))
    at.run()
    assert not at.exception, at.exception
    assert any("补充" in markdown.value and "预算执行分析" in markdown.value for markdown in at.markdown)
    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert len(at.success) == 1
    assert _items(ledger_file) == ["一", "一(2)", "二", "四"]


def test_task_detail_shows_the_paragraph_with_its_sentence_highlighted(ledger_file):
    # A sentence with Markdown in it ($, *, [ ]) shows as written, never as Markdown.
    text = PER_TOPIC.replace("4月10日前完成全覆盖检查", "4月10日前完成全覆盖检查[*重点景区$]")
    con = open_ledger(ledger_file)
    try:
        result, _ = load(con, "纪要.txt", text.encode("utf-8"))
        assert result.committed, result.files[0].errors
        code = con.execute("SELECT code FROM tasks WHERE item = '一(2)'").fetchone()[0]
    finally:
        con.close()
    at = signed_in_app("wangmin", 60)
    at.run()
    at.switch_page("pages/ledger.py").run()
    at.text_input(key="ledger_code").input(code).run()
    assert not at.exception, at.exception
    texts = [markdown.value for markdown in at.markdown]
    assert "**纪要原文**" in texts
    [block] = [value for value in texts if ":orange-background[" in value]
    before, _, rest = block.partition(":orange-background[")
    assert before.startswith("会议听取了区文旅局")
    assert "区文旅局要加强景区安全检查" in rest and r"\[\*重点景区\$\]" in rest
