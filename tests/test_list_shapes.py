"""Real task lists in the shapes offices send them, imported as they arrive (issue 9): a title
row naming the source and its year, headings with the leader who leads the rows under them,
people written with their titles or several to a cell, a 会议 column without its date, a
directive date without its year, progress dated by the list, an unknown task-column name.
Each shape has several realistic lists, CSV and XLSX, and the ledger is asserted row by row."""

from __future__ import annotations

import io
from datetime import date

import pytest
import xlsxwriter

from etl.importer import InputFile, LoadOptions, import_files
from ledger.queries import task_list

AS_OF = date(2024, 5, 6)


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    page = book.add_worksheet(sheet)
    for r, values in enumerate(rows):
        if len(values) == 1 and r < 3:
            # A title merged across the table, as offices write it.
            page.merge_range(r, 0, r, 5, values[0])
            continue
        for c, value in enumerate(values):
            if value not in (None, ""):
                page.write(r, c, value)
    book.close()
    return buffer.getvalue()


def load(con, name: str, data: bytes, options: LoadOptions | None = None):
    return import_files(con, [InputFile(name, data)], options or LoadOptions(today=AS_OF))


def rows(con, as_of: date = AS_OF) -> list[dict]:
    return list(task_list(con, as_of).sort("source", "item").iter_rows(named=True))


def pick(row: dict, *names: str) -> tuple:
    return tuple(row[name] for name in names)


def encode(rows_: list[list[str]], as_xlsx: bool) -> tuple[str, bytes]:
    if as_xlsx:
        return "清单.xlsx", xlsx_bytes(rows_)
    return "清单.csv", csv_bytes([",".join(f'"{c}"' if ("," in c or "，" in c) else c for c in r) for r in rows_])


def leaders_of(con, code: str) -> list[tuple[str, str | None]]:
    return con.execute(
        "SELECT l.name, tl.written FROM task_leaders tl JOIN leaders l USING (leader_id) "
        "JOIN tasks t USING (task_id) WHERE t.code = ? ORDER BY tl.position", [code]).fetchall()


# --------------------------------------------------------------------------- a title names the source

WORK_REPORT = [
    ["2024年政府工作报告重点任务分解表"],
    ["序号", "重点任务", "牵头单位", "责任单位", "责任领导", "完成时限"],
    ["一、", "张伟区长主抓重点工作", "", "", "", ""],
    ["1", "持续优化营商环境，全面推行一网通办", "区政数局", "区发改局", "", "6月底前"],
    ["2", "完成2023年度财政决算审计", "区审计局", "", "", "2月上旬前"],
    ["二、", "王海副区长牵头", "", "", "", ""],
    ["3", "新建改建城市道路8条", "区住建局", "区交通局", "", "年底前"],
    ["4", "实施老旧小区改造12个", "区住建局", "区财政局", "李娜", "10月底前"],
]


@pytest.mark.parametrize("as_xlsx", [False, True])
def test_a_work_report_breakdown_takes_its_source_year_and_heading_leaders(ledger, as_xlsx):
    name, data = encode(WORK_REPORT, as_xlsx)
    result = load(ledger, name, data)
    report = result.files[0]
    assert result.committed, report.errors
    assert report.tasks_created == 4                   # the two headings are not tasks
    assert any("2024年政府工作报告重点任务分解表" in w for w in report.warnings)
    assert any("2024年1月1日" in w for w in report.warnings)       # the date is the year's: said
    got = [pick(r, "source", "source_kind", "item", "content", "lead_units", "co_units", "leader", "deadline")
           for r in rows(ledger)]
    assert got == [
        ("2024年政府工作报告", "work_report", "1", "持续优化营商环境，全面推行一网通办", ["区政数局"], ["区发改局"], "张伟",
         date(2024, 6, 30)),
        ("2024年政府工作报告", "work_report", "2", "完成2023年度财政决算审计", ["区审计局"], [], "张伟", date(2024, 2, 10)),
        ("2024年政府工作报告", "work_report", "3", "新建改建城市道路8条", ["区住建局"], ["区交通局"], "王海", date(2024, 12, 31)),
        ("2024年政府工作报告", "work_report", "4", "实施老旧小区改造12个", ["区住建局"], ["区财政局"], "李娜", date(2024, 10, 31)),
    ]
    categories = [r["category"] for r in rows(ledger)]
    assert categories == ["一、张伟区长主抓重点工作"] * 2 + ["二、王海副区长牵头"] * 2


def test_a_progress_circular_of_a_years_list_keeps_its_deadlines_in_that_year(ledger):
    # The same 2024 list sent with April's progress report: 2月上旬前 is still February 2024.
    lines = ["2024年政府工作报告重点任务进展情况表",
             "序号,重点任务,牵头单位,完成时限,进展情况",
             "1,完成2023年度财政决算审计,区审计局,2月上旬前,已完成审计报告",
             "2,启动城市更新试点,区住建局,6月底前,方案已报批"]
    options = LoadOptions(source_date=date(2024, 4, 15), today=date(2024, 4, 20))
    result = load(ledger, "进展通报.csv", csv_bytes(lines), options)
    assert result.committed, result.files[0].errors
    got = [pick(r, "item", "deadline", "assigned_date") for r in rows(ledger)]
    assert got == [("1", date(2024, 2, 10), date(2024, 1, 1)), ("2", date(2024, 6, 30), date(2024, 1, 1))]
    # The list's progress is dated by the list (its source date), not the import day.
    dates = ledger.execute("SELECT DISTINCT report_date FROM progress").fetchall()
    assert dates == [(date(2024, 4, 15),)]


@pytest.mark.parametrize(
    ("title", "kind", "source", "number"),
    [
        ("区人民政府第23次常务会议议定事项督办清单", "executive", "区人民政府第23次常务会议", "第23次"),
        ("区政府第5次区长办公会议决定事项落实台账", "mayor_office", "区政府第5次区长办公会议", "第5次"),
        ("区政府第7次专题会议议定事项清单", "topical", "区政府第7次专题会议", "第7次"),
    ],
)
def test_a_meeting_title_fills_kind_title_and_number_with_the_date_given(ledger, title, kind, source, number):
    lines = [title, "序号,议定事项,主办部门,协办部门,办理时限",
             "1,研究解决城区停车难问题，提出实施方案,区城管局,区公安分局,会后10个工作日内",
             "2,加快推进污水处理厂提标改造,区水利局,\"区生态环境分局，区财政局\",9月30日前"]
    result = load(ledger, "会议.csv", csv_bytes(lines), LoadOptions(source_date=date(2024, 3, 5), today=AS_OF))
    assert result.committed, result.files[0].errors
    got = [pick(r, "source", "source_kind", "source_date", "item", "lead_units", "co_units", "deadline") for r in rows(ledger)]
    assert got == [
        (source, kind, date(2024, 3, 5), "1", ["区城管局"], ["区公安分局"], date(2024, 3, 19)),
        (source, kind, date(2024, 3, 5), "2", ["区水利局"], ["区生态环境分局", "区财政局"], date(2024, 9, 30)),
    ]
    assert ledger.execute("SELECT number FROM sources").fetchall() == [(number,)]


def test_options_given_win_over_the_title(ledger):
    lines = ["区人民政府第23次常务会议议定事项督办清单", "序号,议定事项,牵头单位,完成时限",
             "1,做好防汛准备工作,区应急局,5月31日前"]
    options = LoadOptions(source_kind="常务会议", source_title="区政府第24次常务会议", source_date=date(2024, 3, 20),
                          today=AS_OF)
    assert load(ledger, "会议.csv", csv_bytes(lines), options).committed
    assert ledger.execute("SELECT title, number FROM sources").fetchall() == [("区政府第24次常务会议", "第24次")]


def test_a_title_without_a_date_or_year_is_refused_not_guessed(ledger):
    lines = ["区人民政府第23次常务会议议定事项督办清单", "序号,议定事项,牵头单位,完成时限",
             "1,做好防汛准备工作,区应急局,5月31日前"]
    result = load(ledger, "会议.csv", csv_bytes(lines))
    assert not result.committed
    assert all("缺少日期" in e.message for e in result.files[0].errors)


# --------------------------------------------------------------------------- dates given at import

def test_source_date_fills_a_meeting_column_without_a_date(ledger):
    lines = ["会议名称,序号,议定事项,牵头单位,完成时限",
             "区政府第12次常务会议,1,完成体育馆设计招标,区文旅局,6月底前",
             ",2,推进学校扩容,区教育局,8月底前",
             "区政府第13次常务会议,1,编制城市更新方案,区自然资源局,年底前"]
    options = LoadOptions(source_date=date(2024, 3, 12), today=AS_OF)
    result = load(ledger, "会议.csv", csv_bytes(lines), options)
    assert result.committed, result.files[0].errors
    got = [pick(r, "source", "source_date", "item", "deadline") for r in rows(ledger)]
    assert got == [("区政府第12次常务会议", date(2024, 3, 12), "1", date(2024, 6, 30)),
                   ("区政府第12次常务会议", date(2024, 3, 12), "2", date(2024, 8, 31)),
                   ("区政府第13次常务会议", date(2024, 3, 12), "1", date(2024, 12, 31))]


@pytest.mark.parametrize("as_xlsx", [False, True])
def test_a_directive_date_without_its_year_takes_the_sources(ledger, as_xlsx):
    name, data = encode([
        ["序号", "批示领导", "批示时间", "批示内容", "承办单位", "完成时限"],
        ["1", "张伟区长", "10月8日", "请区教育局牵头研究解决城区学位紧张问题", "区教育局", "11月底前"],
        ["2", "副区长王海", "10月12日", "抓紧处置群众反映的小区漏水问题", "区住建局", "10月31日前"],
    ], as_xlsx)
    result = load(ledger, name, data, LoadOptions(source_date=date(2023, 10, 1), today=date(2023, 10, 20)))
    assert result.committed, result.files[0].errors
    got = [pick(r, "source", "source_kind", "source_date", "lead_units", "deadline") for r in rows(ledger, date(2023, 10, 20))]
    assert got == [("张伟同志2023年10月8日批示", "directive", date(2023, 10, 8), ["区教育局"], date(2023, 11, 30)),
                   ("王海同志2023年10月12日批示", "directive", date(2023, 10, 12), ["区住建局"], date(2023, 10, 31))]


def test_a_directive_date_without_a_year_anywhere_is_refused(ledger):
    lines = ["序号,批示领导,批示时间,批示内容,承办单位,完成时限",
             "1,张伟区长,10月8日,请区教育局牵头研究解决城区学位紧张问题,区教育局,11月底前"]
    result = load(ledger, "批示.csv", csv_bytes(lines))
    assert not result.committed
    assert "未写年份" in result.files[0].errors[0].message


def test_a_progress_report_is_dated_by_the_filing_date_above_its_header(ledger):
    base = ["序号,议定事项,牵头单位,完成时限", "1,完成体育馆设计招标,区文旅局,6月底前", "2,推进学校扩容,区教育局,8月底前"]
    options = LoadOptions(source_kind="常务会议", source_title="区政府第12次常务会议", source_date=date(2024, 3, 12),
                          today=AS_OF)
    assert load(ledger, "会议.csv", csv_bytes(base), options).committed
    progress = ["区政府第12次常务会议议定事项进展情况", "填报单位：区政府督查室  填报日期：2024年4月26日",
                "会议名称,序号,进展情况", "区政府第12次常务会议,1,已完成招标公告", "区政府第12次常务会议,2,已完成选址"]
    result = load(ledger, "进展.csv", csv_bytes(progress), LoadOptions(today=AS_OF))
    assert result.committed, result.files[0].errors
    assert ledger.execute("SELECT DISTINCT report_date FROM progress").fetchall() == [(date(2024, 4, 26),)]


# --------------------------------------------------------------------------- headings and people

MEETING_WITH_HEADINGS = [
    ["序号", "议题", "议定事项", "主办部门", "协办部门", "分管领导", "办理时限"],
    ["（一）", "", "王海副区长牵头", "", "", "", ""],
    ["1", "城市更新", "加快推进城中村改造项目前期工作", "区住建局", "区自然资源局", "", "6月底前"],
    ["2", "城市更新", "制定老旧小区加装电梯补助办法", "区住建局", "区财政局", "副区长李明", "5月31日前"],
    ["（二）", "", "由常务副区长赵刚同志负责", "", "", "", ""],
    ["3", "财政工作", "盘活存量资金，清理收回结余资金", "区财政局", "", "", "9月30日前"],
    ["4", "财政工作", "研究建立重大项目资金保障机制", "区财政局", "区发改局", "赵刚、王海", "年底前"],
    ["5", "安全生产", "开展汛前安全隐患大排查", "区应急局", "各镇街", "", "5月31日前"],
]


@pytest.mark.parametrize("as_xlsx", [False, True])
def test_numbered_headings_lead_the_rows_under_them(ledger, as_xlsx):
    name, data = encode(MEETING_WITH_HEADINGS, as_xlsx)
    options = LoadOptions(source_kind="常务会议", source_title="区政府第30次常务会议", source_date=date(2024, 3, 15),
                          today=AS_OF)
    result = load(ledger, name, data, options)
    assert result.committed, result.files[0].errors
    assert result.files[0].tasks_created == 5
    got = [pick(r, "item", "category", "leader", "lead_units", "co_units") for r in rows(ledger)]
    assert got == [
        ("1", "城市更新", "王海", ["区住建局"], ["区自然资源局"]),
        ("2", "城市更新", "李明", ["区住建局"], ["区财政局"]),          # the row's own leader wins
        ("3", "财政工作", "赵刚", ["区财政局"], []),
        ("4", "财政工作", "赵刚", ["区财政局"], ["区发改局"]),
        ("5", "安全生产", "赵刚", ["区应急局"], ["各镇街"]),
    ]
    codes = {r["item"]: r["code"] for r in rows(ledger)}
    # Several leaders are all kept, in order; a title stays beside the name as written.
    assert leaders_of(ledger, codes["4"]) == [("赵刚", None), ("王海", None)]
    assert leaders_of(ledger, codes["2"]) == [("李明", "副区长李明")]
    names = {n for (n,) in ledger.execute("SELECT name FROM leaders").fetchall()}
    assert names == {"王海", "李明", "赵刚"}


def test_a_heading_level_ends_its_leader_and_a_sub_heading_keeps_the_parents(ledger):
    lines = ["序号,工作任务,责任单位,完成时限",
             "一、,张伟市长主抓重点工作,,",
             "（一）,优化营商环境,,",
             "1,推行企业开办一日办结,区市场监管局,6月底前",
             "（二）,王海副区长牵头,,",
             "2,建成区级政务服务中心,区政数局,9月底前",
             "二、,其他重点工作,,",
             "3,完成第五次全国经济普查,区统计局,年底前"]
    options = LoadOptions(source_kind="政府工作报告", source_title="2024年政府工作报告", source_date=date(2024, 1, 20),
                          today=AS_OF)
    result = load(ledger, "分解表.csv", csv_bytes(lines), options)
    assert result.committed, result.files[0].errors
    got = [pick(r, "item", "leader") for r in rows(ledger)]
    assert got == [("1", "张伟"), ("2", "王海"), ("3", None)]


def test_numbered_rows_with_units_are_tasks_not_headings(ledger):
    # A list numbered 一、二、三 whose rows name units and deadlines: every row is a task.
    lines = ["序号,议定事项,牵头单位,完成时限",
             "一,关于城区停车难问题，请区城管局会同公安分局提出方案,区城管局,4月30日前",
             "二,关于学校扩容问题，请区教育局抓紧推进,区教育局,8月底前"]
    options = LoadOptions(source_kind="常务会议", source_title="区政府第31次常务会议", source_date=date(2024, 3, 25),
                          today=AS_OF)
    result = load(ledger, "会议.csv", csv_bytes(lines), options)
    assert result.committed, result.files[0].errors
    assert [r["item"] for r in rows(ledger)] == ["一", "二"]


@pytest.mark.parametrize(
    ("cell", "leader", "kept"),
    [
        ("副区长王海", "王海", [("王海", "副区长王海")]),
        ("王海副区长", "王海", [("王海", "王海副区长")]),
        ("王海同志", "王海", [("王海", "王海同志")]),
        ("张伟、李娜", "张伟", [("张伟", None), ("李娜", None)]),
        ("常务副区长赵刚，副区长王海", "赵刚", [("赵刚", "常务副区长赵刚"), ("王海", "副区长王海")]),
    ],
)
def test_people_are_stored_by_name_with_every_leader_kept(ledger, cell, leader, kept):
    lines = ["序号,议定事项,牵头单位,责任领导,完成时限", f'1,推进学校扩容,区教育局,"{cell}",8月底前']
    options = LoadOptions(source_kind="常务会议", source_title="区政府第32次常务会议", source_date=date(2024, 3, 25),
                          today=AS_OF)
    result = load(ledger, "会议.csv", csv_bytes(lines), options)
    assert result.committed, result.files[0].errors
    [row] = rows(ledger)
    assert row["leader"] == leader
    assert leaders_of(ledger, row["code"]) == kept
    assert row["leaders"] == [name for name, _ in kept]       # status --tasks lists them all


def test_a_second_leader_sees_the_task(ledger):
    lines = ["序号,议定事项,牵头单位,责任领导,完成时限", '1,推进学校扩容,区教育局,"张伟、李娜",8月底前',
             "2,完成招商签约,区商务局,张伟,6月底前"]
    options = LoadOptions(source_kind="常务会议", source_title="区政府第33次常务会议", source_date=date(2024, 3, 25),
                          today=AS_OF)
    assert load(ledger, "会议.csv", csv_bytes(lines), options).committed

    def visible(name: str) -> list[str]:
        return [item for (item,) in ledger.execute(
            "SELECT t.item FROM visible_tasks(false, []::INTEGER[], (SELECT leader_id FROM leaders WHERE name = ?)) t "
            "ORDER BY t.item", [name]).fetchall()]

    assert visible("张伟") == ["1", "2"]
    assert visible("李娜") == ["1"]      # named second: responsible too


def test_a_relisted_task_with_another_second_leader_is_updated_and_audited(ledger):
    options = LoadOptions(source_kind="常务会议", source_title="区政府第35次常务会议", source_date=date(2024, 3, 25),
                          today=AS_OF)
    first = ["序号,议定事项,牵头单位,责任领导,完成时限", '1,推进学校扩容,区教育局,"张伟、李娜",8月底前']
    assert load(ledger, "v1.csv", csv_bytes(first), options).committed
    second = ["序号,议定事项,牵头单位,责任领导,完成时限", '1,推进学校扩容,区教育局,"张伟、副区长王海",8月底前']
    assert load(ledger, "v2.csv", csv_bytes(second), options).committed
    [row] = rows(ledger)
    assert leaders_of(ledger, row["code"]) == [("张伟", None), ("王海", "副区长王海")]
    audited = ledger.execute("SELECT before, after FROM audit_log WHERE field = 'leaders'").fetchall()
    assert audited == [("张伟、李娜", "张伟、副区长王海")]
    # The same list again changes nothing.
    again = load(ledger, "v2（副本）.csv", csv_bytes(second + [""]), options)
    assert again.committed and again.files[0].tasks_updated == 0
    assert ledger.execute("SELECT count(*) FROM audit_log WHERE field = 'leaders'").fetchone()[0] == 1


# --------------------------------------------------------------------------- an unknown task column

@pytest.mark.parametrize("as_xlsx", [False, True])
def test_an_unknown_task_column_is_taken_by_its_content_and_said(ledger, as_xlsx):
    name, data = encode([
        ["序号", "会议研究确定的事项", "责任单位", "完成时限"],
        ["1", "加快推进城区老旧小区改造，年内完成12个小区", "区住建局", "年底前"],
        ["2", "抓紧完成招商引资项目签约工作，确保落地见效", "区商务局", "6月底前"],
        ["3", "全面开展安全生产大排查大整治，消除重大隐患", "区应急局", "5月31日前"],
    ], as_xlsx)
    options = LoadOptions(source_kind="常务会议", source_title="区政府第34次常务会议", source_date=date(2024, 3, 25),
                          today=AS_OF)
    result = load(ledger, name, data, options)
    assert result.committed, result.files[0].errors
    assert any("会议研究确定的事项" in w and "请核对" in w for w in result.files[0].warnings)
    assert [pick(r, "item", "content", "lead_units") for r in rows(ledger)] == [
        ("1", "加快推进城区老旧小区改造，年内完成12个小区", ["区住建局"]),
        ("2", "抓紧完成招商引资项目签约工作，确保落地见效", ["区商务局"]),
        ("3", "全面开展安全生产大排查大整治，消除重大隐患", ["区应急局"]),
    ]


@pytest.mark.parametrize(
    ("lines", "tasks", "headings"),
    [
        # 一、二 with task rows under them: headings (the category of the rows under them)
        (["序号,议定事项,牵头单位,完成时限", "一,城市建设,,", "1,推进城中村改造,区住建局,年底前", "二,民生保障,,",
          "2,新建幼儿园2所,区教育局,8月底前"], ["1", "2"], ["一、城市建设", "二、民生保障"]),
        # 一是、二是 and （一） too
        (["序号,工作任务,责任单位,完成时限", "（一）,王海副区长牵头,,", "一是,加快城市更新,,",
          "1,推进城中村改造,区住建局,年底前"], ["1"], ["一是加快城市更新"]),
        # every numbered row names neither unit nor deadline, and no other row is a task: all are tasks
        (["序号,议定事项,牵头单位,完成时限", "一,会议同意区教育局提出的学校扩容方案,,", "二,请区住建局牵头研究停车难问题,,"],
         ["一", "二"], [None, None]),
    ],
)
def test_which_numbered_rows_are_headings(lines, tasks, headings):
    from etl.importer import FileReport, LedgerFacts, _Context, _mark_headings
    from etl.reader import read_file
    [sheet] = read_file(csv_bytes(lines), "清单.csv")
    context = _Context(LedgerFacts((), (), (), (), ()), LoadOptions(today=AS_OF))
    frame = _mark_headings(sheet, context, FileReport(path="清单.csv"))
    assert frame[sheet.fields["item"]].to_list() == tasks
    assert frame["_heading"].to_list() == headings     # the heading in force on each task row


def test_a_heading_naming_a_title_without_a_name_is_said_not_guessed(ledger):
    lines = ["序号,工作任务,责任单位,完成时限",
             "一、,市长主抓重点工作,,",
             "1,推行企业开办一日办结,区市场监管局,6月底前",
             "二、,李娜副区长牵头,,",
             "2,建成区级政务服务中心,区政数局,9月底前"]
    options = LoadOptions(source_kind="政府工作报告", source_title="2024年政府工作报告", source_date=date(2024, 1, 20),
                          today=AS_OF)
    result = load(ledger, "分解表.csv", csv_bytes(lines), options)
    assert result.committed, result.files[0].errors
    assert [pick(r, "item", "leader") for r in rows(ledger)] == [("1", None), ("2", "李娜")]
    warnings = result.files[0].warnings
    assert any("市长主抓重点工作" in w and "未写姓名" in w for w in warnings)
    assert any("新增领导：李娜" in w for w in warnings)


def test_a_leader_named_only_second_is_registered_and_said(ledger):
    lines = ["序号,议定事项,牵头单位,责任领导,完成时限", '1,推进学校扩容,区教育局,"张伟、李娜",8月底前']
    options = LoadOptions(source_kind="常务会议", source_title="区政府第36次常务会议", source_date=date(2024, 3, 25),
                          today=AS_OF)
    result = load(ledger, "会议.csv", csv_bytes(lines), options)
    assert result.committed, result.files[0].errors
    warnings = result.files[0].warnings
    assert any("新增领导：张伟" in w for w in warnings) and any("新增领导：李娜" in w for w in warnings)
