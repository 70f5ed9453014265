"""Text is text (issue 12), on every page: a ledger whose every shown text field carries
Markdown, HTML, Streamlit directives, KaTeX, control and bidi characters, rendered page by page
for the office account through the real dashboard (AppTest).

What the app produced is read from its element protos: every string Streamlit renders as
Markdown (st.markdown, captions, alerts, titles, tabs, expander and widget labels, help texts,
radio options, button labels, progress texts) is rendered with markdown-it (CommonMark + GFM,
as tests/test_safe_text.py) and must produce no tag the pages do not write themselves, and none
of the payload's constructs unescaped; every Plotly figure's texts carry no HTML tag but the
pages' own <br>; no control or bidi character reaches any element, table cell included.

The data comes in through the ordinary paths: files through the import (ledger.actions.import_as,
under a hostile file name), progress, 申请办结, 延期, 批示, 核查 through ledger.actions, display
names through ledger.accounts. Only unit and leader names are renamed in place: the import is to
refuse names that do not look like names (issue 12), and the dashboard must still show those an
older ledger holds as written."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

import pandas as pd
import pytest
from conftest import add_account, dashboard_reads, signed_in_app
from google.protobuf.json_format import MessageToDict
from markdown_it import MarkdownIt

from etl.importer import InputFile, LoadOptions
from ledger import actions
from ledger.accounts import get_user
from ledger.db import open_ledger
from ui.look import style_html
from ui.pages import PAGES
from ui.safe import _UNSAFE, md

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
RENDER = MarkdownIt("gfm-like", {"html": True, "linkify": False})
HOST = "198.51.100.7"


def evil(tag: str) -> str:
    """One value carrying every construct: image, link, raw HTML, a directive, KaTeX, control
    and bidi characters; `tag` says which field it is."""
    return (f"{tag}![{tag}](http://{HOST}/{tag}.png)[{tag}链](http://{HOST}/{tag})"
            f"<img src=x onerror=alert(1)><a href='http://{HOST}/'>{tag}</a>"
            f"<span style='color:red'>红</span>:red[**{tag}**]$$\\frac{{1}}{{0}}$$ $x^2$"
            f"\u202e反向\u2066\x1b[31m\x07")


# Names without the characters a unit or leader list splits on.
UNIT = f"区<a href='http://{HOST}/'>住建</a>局<span style='color:red'>红</span>:red[**局**]![u](http://{HOST}/u.png)$x$\u202e"
CO_UNIT = "区<b>财政</b>局<img src=x onerror=alert(1)>\x1b"
LEADER = f"<span style='color:red'>张三</span>![l](http://{HOST}/l.png):blue[**领导**]\u202e"
CODE = f"DB-![c](http://{HOST}/c.png)<img src=x>:red[码]$c$"
CODE_2 = "DB-<a href='x'>2</a>"
FILE_NAME = "清单![f](f.png)[链](javascript:alert(1))<img src=x onerror=alert(1)>:red[**红**]$x$\u202e\x1b.csv"
OFFICE_NAME = evil("督查员")
UNIT_ACCOUNT_NAME = evil("单位经办人")
LEADER_ACCOUNT_NAME = evil("领导账号")
CLAIM = evil("申请办结")
REASON = evil("延期理由")

TODAY = date.today()
SOURCE_DAY = TODAY - timedelta(days=60)


def cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# Payload constructs that must never reach a Markdown body unescaped, i.e. not after a backslash
# (the pages' own text has none of them).
RAW_MARKERS = ["![", f"](http://{HOST}", "](javascript", "<img", "<a ", "<span", "<b>", ":red[**", ":blue[**", "$$",
               "$x", "$c"]
ALLOWED_TAGS = {"p", "br", "strong", "em", "h1", "h2", "h3", "h4", "h5", "h6", "code", "ul", "ol", "li", "hr",
                "table", "thead", "tbody", "tr", "th", "td"}


def _csv(header: list[str], rows: list[list]) -> bytes:
    """A CSV file. The import refuses a file with control characters as binary: they come in
    through the actions and the file name; the bidi characters stay."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *[[_CONTROLS.sub("", str(cell)) for cell in row] for row in rows]])
    return buffer.getvalue().encode("utf-8")


def _imported(result) -> None:
    assert result.committed, [(e.column, e.value, e.message) for f in result.files for e in f.errors]


def build_hostile_ledger(path) -> dict[str, str]:
    con = open_ledger(path)
    try:
        add_account(con, "ducha", "office", display_name=OFFICE_NAME)
        office = get_user(con, "ducha")
        _imported(actions.import_as(con, office, [
            InputFile(name="领导名单.csv", data=_csv(["姓名", "职务", "排序"], [["张三", evil("职务"), 1]])),
            InputFile(name="单位名单.csv", data=_csv(["单位名称", "简称", "单位类型", "分管领导"], [
                ["区住房和城乡建设局", "区住建局", "部门", "张三"], ["区财政局", "", "部门", "张三"]])),
        ]))
        meeting = _csv(
            ["督办编号", "会议名称", "会议日期", "序号", "类别", "议定事项", "牵头单位", "配合单位", "责任领导",
             "完成时限", "进展情况", "填报日期"],
            [[CODE, evil("会议"), SOURCE_DAY.isoformat(), 1, evil("类别"), evil("事项一"), "区住建局", "区财政局",
              "张三", f"{cn(TODAY - timedelta(days=10))}前<img src=x>:red[**急**]", evil("进展"),
              (SOURCE_DAY + timedelta(days=5)).isoformat()],
             [CODE_2, evil("会议"), SOURCE_DAY.isoformat(), 2, "", evil("事项二"), "区住建局", "", "张三",
              f"{cn(TODAY + timedelta(days=40))}前<span style='color:red'>时</span>", "", ""],
             ["", evil("会议"), SOURCE_DAY.isoformat(), 3, "", evil("事项三"), "区财政局", "区住建局", "张三",
              f"{cn(TODAY + timedelta(days=3))}前$x$", "", ""]],
        )
        directive = _csv(["批示领导", "批示时间", "批示件编号", "批示内容", "牵头单位", "完成时限"],
                         [["张三", SOURCE_DAY.isoformat(), evil("文号"), evil("批示事项"), "区住建局",
                           f"{cn(TODAY + timedelta(days=20))}前"]])
        audit = _csv(["序号", "问题", "整改措施", "整改单位", "整改时限"],
                     [[1, evil("问题"), evil("措施"), "区住建局", f"{cn(TODAY - timedelta(days=5))}前"]])
        _imported(actions.import_as(con, office, [InputFile(name=FILE_NAME, data=meeting)],
                                    LoadOptions(source_kind="常务会议")))
        _imported(actions.import_as(con, office, [InputFile(name="批示.csv", data=directive)],
                                    LoadOptions(source_kind="领导批示")))
        _imported(actions.import_as(con, office, [InputFile(name="审计.csv", data=audit)],
                                    LoadOptions(source_kind="审计整改", source_title=evil("审计"),
                                                source_date=SOURCE_DAY)))
        codes = dict(con.execute("SELECT content, code FROM tasks").fetchall())
        third, directed = codes[_UNSAFE.sub("", evil("事项三"))], codes[_UNSAFE.sub("", evil("批示事项"))]
        rectified = codes[_UNSAFE.sub("", evil("问题"))]

        # Names as an older ledger may hold them (see the module's docstring).
        con.execute("UPDATE units SET name = ? WHERE name = '区住房和城乡建设局'", [UNIT])
        con.execute("UPDATE units SET name = ? WHERE name = '区财政局'", [CO_UNIT])
        con.execute("UPDATE leaders SET name = ? WHERE name = '张三'", [LEADER])

        add_account(con, "danwei", "unit", UNIT, display_name=UNIT_ACCOUNT_NAME)
        add_account(con, "lingdao", "leader", LEADER, display_name=LEADER_ACCOUNT_NAME)
        unit, leader = get_user(con, "danwei"), get_user(con, "lingdao")
        day = TODAY - timedelta(days=1)
        actions.submit_progress(con, unit, CODE, evil("单位进展"), report_date=day)
        actions.claim_done(con, unit, CODE, CLAIM, done_date=day, report_date=day)
        actions.request_extension(con, unit, CODE_2, TODAY + timedelta(days=90), REASON, on=day)
        actions.add_comment(con, leader, CODE, evil("批示意见"))
        actions.add_comment(con, office, CODE, evil("督办意见"))
        # A claim verified with a note, and an extension decided with one.
        actions.claim_done(con, office, directed, evil("办结情况"), done_date=day, report_date=day)
        actions.verify(con, office, directed, False, evil("核查说明"), on=TODAY)
        actions.request_extension(con, office, third, TODAY + timedelta(days=60), evil("理由二"), on=day)
        [[extension_id]] = con.execute(
            "SELECT extension_id FROM extensions e JOIN tasks t USING (task_id) WHERE t.code = ?", [third]).fetchall()
        actions.decide_extension(con, office, extension_id, True, evil("审批说明"), on=TODAY)
        # A rectification verified and closed: it awaits its 回头看 (the page's form lists it).
        actions.claim_done(con, office, rectified, evil("整改完成"), done_date=day, report_date=day)
        actions.verify(con, office, rectified, True, evil("核查通过"), on=TODAY)
    finally:
        con.close()
    return {"claimed": CODE, "extension": CODE_2, "verified": directed}


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    path = tmp_path / "ledger.duckdb"
    codes = build_hostile_ledger(path)
    with dashboard_reads(path, monkeypatch):
        yield codes


# --------------------------------------------------------------------------- reading the app


def _strings(value, path: str = ""):
    """(path, string) for every string in a proto turned into a dict."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, path)
    elif isinstance(value, str):
        yield path, value


# Fields Streamlit renders as Markdown, by the proto's last field name; `body` of a plain-text
# element and a metric's value are text.
_MARKDOWN_FIELDS = {"label", "help", "body", "captions"}
_PLAIN_BODIES = {"Text", "Code", "Exception", "Metric"}


class Shown:
    """Everything one page run produced, sorted by how Streamlit renders it."""

    def __init__(self, at):
        assert not at.exception, [e.value for e in at.exception]
        self.markdown: list[str] = []
        self.plain: list[str] = []
        self.figures: list[dict] = []
        self.cells: list[str] = []
        for node in at._tree:
            proto = getattr(node, "proto", None)
            if proto is None:
                continue
            kind = proto.DESCRIPTOR.name
            if kind == "Html" and proto.body == style_html():
                continue   # the dashboard's own style rules (ui/look.py): constant, no data in them
            if kind == "PlotlyChart":
                self.figures.append(json.loads(proto.spec))
                continue
            fields = MessageToDict(proto, preserving_proto_field_name=True)
            for where, text in _strings(fields):
                name = where.rsplit(".", 1)[-1]
                if (name in _MARKDOWN_FIELDS and not (name == "body" and kind in _PLAIN_BODIES)) \
                        or (kind == "Progress" and name == "text") or (kind == "Radio" and name == "options"):
                    self.markdown.append(text)
                else:
                    self.plain.append(text)
        for table in at.dataframe:
            frame: pd.DataFrame = table.value
            self.cells += [str(c) for c in frame.columns]
            for column in frame.columns:
                for cell in frame[column]:
                    if isinstance(cell, (list, tuple)) or hasattr(cell, "tolist"):
                        self.cells += [str(c) for c in list(cell)]
                    else:
                        self.cells.append(str(cell))

    def check(self) -> None:
        for body in self.markdown:
            rendered = RENDER.render(body)
            tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", rendered))
            assert tags <= ALLOWED_TAGS, (tags - ALLOWED_TAGS, body)
            for marker in RAW_MARKERS:   # unescaped: not after a backslash
                assert not re.search(r"(?<!\\)" + re.escape(marker), body), (marker, body)
            assert not _UNSAFE.search(body), body
        for text in self.plain + self.cells:
            assert not _UNSAFE.search(text), text
        for figure in self.figures:
            for _, text in _strings(figure):
                assert not re.search(r"<(?!br>|/?extra>)", text), text
                assert not _UNSAFE.search(text), text

    def markdown_has(self, value: str) -> bool:
        return any(md(value) in body for body in self.markdown)

    def chart_text(self) -> str:
        return "\n".join(text for figure in self.figures for _, text in _strings(figure))


def _seen(at) -> Shown:
    shown = Shown(at)
    shown.check()
    return shown


# --------------------------------------------------------------------------- the pages


def test_every_page_shows_hostile_text_as_text(hostile):
    at = signed_in_app("ducha").run()
    assert _seen(at).markdown_has(OFFICE_NAME)   # the sidebar's 当前用户
    charts = ""
    for page in PAGES:
        at.switch_page(page.file).run()
        assert [t.value for t in at.title] == [page.title], page.file
        shown = _seen(at)
        assert shown.markdown_has(OFFICE_NAME), page.file
        charts += shown.chart_text()
        if page.file == "pages/leaders.py":
            # The leader picker shows the name as written, without its bidi override.
            assert at.selectbox(key="leaders_pick").options == [_UNSAFE.sub("", LEADER)]
    # Unit names reached the charts, escaped; the tables show every field as written.
    assert "区&lt;a href='http://198.51.100.7/'&gt;住建&lt;/a&gt;局" in charts
    assert "区&lt;b&gt;财政&lt;/b&gt;局" in charts


def test_tables_show_the_values_as_written(hostile):
    at = signed_in_app("ducha").run()
    cells: set[str] = set()
    for page in PAGES:
        at.switch_page(page.file).run()
        cells |= set(_seen(at).cells)
    written = {_UNSAFE.sub("", value) for value in
               (evil("事项一"), evil("问题"), evil("措施"), evil("单位进展"), CODE, evil("审计"))}
    assert written <= cells, written - cells
    assert any(_UNSAFE.sub("", UNIT) in cell for cell in cells)


def test_task_detail_with_claims_extensions_and_comments(hostile):
    at = signed_in_app("ducha").run()
    at.switch_page("pages/ledger.py").run()
    at.text_input(key="ledger_code").set_value(hostile["claimed"]).run()
    shown = _seen(at)
    assert shown.markdown_has(CODE)                      # the heading
    assert shown.markdown_has(CLAIM) and shown.markdown_has(UNIT_ACCOUNT_NAME)   # 待审核
    assert "核查" in [tab.label for tab in at.tabs]
    assert any(_UNSAFE.sub("", evil("事项一")) == t.value for t in at.text)
    timeline = "\n".join(shown.cells)
    for value in (evil("批示意见"), evil("督办意见"), evil("单位进展"), evil("进展")):
        assert _UNSAFE.sub("", value) in timeline

    at.text_input(key="ledger_code").set_value(hostile["extension"]).run()
    assert _seen(at).markdown_has(REASON)                # 待审核：申请延期
    at.text_input(key="ledger_code").set_value(hostile["verified"]).run()
    assert _UNSAFE.sub("", evil("核查说明")) in "\n".join(_seen(at).cells)

    at.text_input(key="ledger_code").set_value(evil("输入的编号")).run()   # not in the ledger
    assert any(md(evil("输入的编号")) in w.value for w in at.warning)
    _seen(at)


def test_upload_page_history_preview_and_refusals(hostile):
    at = signed_in_app("ducha").run()
    at.switch_page("pages/upload.py").run()
    [batches] = [d.value for d in at.dataframe if "批次" in d.value.columns]
    picker = at.selectbox(key="upload_batch").options
    assert len(set(picker)) == len(picker) == len(batches)   # batches of one second told apart
    labels, files = [], []
    for batch_id in batches["批次"]:
        at.selectbox(key="upload_batch").set_value(batch_id).run()
        _seen(at)
        labels += [button.proto.label for button in at.get("download_button")]
        files += [d.value for d in at.dataframe if "文件名" in d.value.columns]
    # The file's name: escaped on its download button, as written in the batch's file list.
    assert md(FILE_NAME) in [label.removeprefix("下载原文件：") for label in labels], labels
    assert _UNSAFE.sub("", FILE_NAME) in {name for frame in files for name in frame["文件名"]}

    # A file refused by its content names the file in the error, escaped.
    at.file_uploader(key="upload_files").set_value((FILE_NAME, b"%PDF-1.7\n" + bytes(range(256)) * 4,
                                                    "application/pdf")).run()
    assert any(md(FILE_NAME) in e.value for e in at.error)
    _seen(at)

    # A good file under the hostile name: the preview names it as written.
    good = _csv(["序号", "工作任务", "牵头单位", "完成时限"], [[1, evil("新任务"), "区发改局", f"{cn(TODAY + timedelta(days=30))}前"]])
    at.file_uploader(key="upload_files").set_value((FILE_NAME, good, "text/csv"))
    at.selectbox(key="upload_kind").select("专题会议")
    at.text_input(key="upload_title").input(evil("来源名称"))
    at.date_input(key="upload_date").set_value(TODAY)
    at.run()
    shown = _seen(at)
    assert not at.error, [e.value for e in at.error]
    assert shown.markdown_has(OFFICE_NAME)               # 导入人
    assert _UNSAFE.sub("", FILE_NAME) in shown.cells
    at.button(key="upload_confirm").click().run()
    assert at.success, [e.value for e in at.error]
    _seen(at)


def test_audit_page_shows_entries_and_names_as_text(hostile):
    at = signed_in_app("ducha").run()
    at.switch_page("pages/audit.py").run()
    shown = _seen(at)
    cells = "\n".join(shown.cells)
    for value in (CLAIM, REASON, evil("核查说明"), OFFICE_NAME):
        assert _UNSAFE.sub("", value) in cells, value
    # The 操作人 picker shows names as written, without control or bidi characters.
    assert any(_UNSAFE.sub("", UNIT_ACCOUNT_NAME) in option for option in at.selectbox(key="audit_actor").options)
