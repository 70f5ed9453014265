"""Word documents read as paragraphs and sheets; plain-text minutes in UTF-8 or GBK."""

from __future__ import annotations

import io

import docx
import pytest

from etl import docx_reader
from etl.docx_reader import document_lines, read_docx, read_text_lines
from etl.intake import ReadError


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def task_table_document() -> bytes:
    """A 任务分解表 as offices publish it: a title, a header row, a merged 类别 column."""
    document = docx.Document()
    document.add_heading("2024年政府工作报告重点任务分解", level=1)
    document.add_paragraph("为抓好落实，现将重点任务分解如下。各单位要高度重视，认真组织实施，确保按期完成。")
    document.add_paragraph("附件1")
    document.add_paragraph("2024年民生实事任务分解表")
    rows = [
        ["类别", "序号", "任务内容", "牵头单位", "完成时限"],
        ["教育", "1", "新建城东小学", "区教育局", "2024年8月底前"],
        ["", "2", "改扩建第二幼儿园", "区教育局", "2024年9月底前"],
        ["", "3", "学位扩容", "区教育局、区住建局", "年底前"],
        ["卫生", "4", "社区卫生服务中心提标", "区卫健局", "2024年10月底前"],
    ]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value:
                table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(3, 0))  # 教育 spans rows 2-4
    document.add_paragraph("第二张表")
    second = document.add_table(rows=2, cols=3)
    second.cell(0, 0).text = "汇总"
    second.cell(0, 0).merge(second.cell(0, 2))  # a title row merged across
    for c, value in enumerate(["任务", "单位", "时限"]):
        second.cell(1, c).text = value
    return save(document)


def test_table_becomes_a_sheet_with_merged_cells_filled():
    doc = read_docx(task_table_document(), "分解表.docx")
    assert len(doc.sheets) == 2
    sheet = doc.sheets[0]
    assert sheet.index == 1
    assert sheet.rows[0] == ("类别", "序号", "任务内容", "牵头单位", "完成时限")
    assert [row[0] for row in sheet.rows] == ["类别", "教育", "教育", "教育", "卫生"]
    assert sheet.rows[3] == ("教育", "3", "学位扩容", "区教育局、区住建局", "年底前")
    assert sheet.where(4) == "第1个表格第4行"


def test_title_lines_above_a_table_are_kept():
    doc = read_docx(task_table_document(), "分解表.docx")
    # The long body sentence ends the title block; the two short lines above the table stay.
    assert doc.sheets[0].title_lines == ("附件1", "2024年民生实事任务分解表")
    assert doc.sheets[1].title_lines == ("第二张表",)


def test_horizontal_merge_is_filled_across():
    sheet = read_docx(task_table_document()).sheets[1]
    assert sheet.rows == (("汇总", "汇总", "汇总"), ("任务", "单位", "时限"))


def test_body_order_paragraphs_and_tables():
    doc = read_docx(task_table_document())
    assert [kind for kind, _ in doc.order] == ["paragraph"] * 4 + ["table", "paragraph", "table"]
    assert doc.paragraphs[0].heading_level == 1
    assert doc.paragraphs[1].heading_level is None


def test_word_numbering_text_is_read():
    document = docx.Document()
    document.add_paragraph("会议议定以下事项：")
    for text in ("区住建局牵头推进改造。", "区财政局做好资金保障。", "各镇街做好宣传。"):
        document.add_paragraph(text, style="List Number")
    document.add_paragraph("不编号的段落。")
    doc = read_docx(save(document))
    assert [paragraph.numbering for paragraph in doc.paragraphs] == ["", "1.", "2.", "3.", ""]
    assert doc.lines()[1:3] == ["1.区住建局牵头推进改造。", "2.区财政局做好资金保障。"]


def test_numbering_text_typed_by_hand_is_not_doubled():
    document = docx.Document()
    document.add_paragraph("一、关于招商引资工作")
    assert read_docx(save(document)).lines() == ["一、关于招商引资工作"]


def test_chinese_counting_numbering():
    numbering = docx_reader._FORMATS
    assert numbering["chineseCounting"](3) == "三"
    assert numbering["chineseCounting"](12) == "十二"
    assert numbering["chineseCounting"](20) == "二十"
    assert numbering["decimalEnclosedCircle"](2) == "②"
    assert numbering["ideographTraditional"](1) == "甲"


def test_numbering_defined_in_the_document_chinese_levels():
    """一、 at level 1 and （一） at level 2, as Chinese offices define their lists."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        "</w:abstractNum>"
    ))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text: str, level: int) -> None:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
        ))

    numbered("关于招商引资", 0)
    numbered("区商务局梳理项目。", 1)
    numbered("区发改局做好保障。", 1)
    numbered("关于安全生产", 0)
    numbered("区应急局开展检查。", 1)
    assert read_docx(save(document)).lines() == [
        "一、关于招商引资", "（一）区商务局梳理项目。", "（二）区发改局做好保障。", "二、关于安全生产", "（一）区应急局开展检查。",
    ]


def test_gbk_and_utf8_text():
    text = "区政府专题会议纪要\n\n请区住建局做好准备。\n"
    assert read_text_lines(text.encode("gbk"), "纪要.txt") == ["区政府专题会议纪要", "请区住建局做好准备。"]
    assert read_text_lines(text.encode("utf-8"), "纪要.txt") == ["区政府专题会议纪要", "请区住建局做好准备。"]
    assert document_lines(text.encode("gbk"), "纪要.txt")[1] == "请区住建局做好准备。"


def test_docx_lines_for_minutes():
    lines = document_lines(task_table_document(), "分解表.docx")
    assert lines[0] == "2024年政府工作报告重点任务分解"
    assert "新建城东小学" not in lines  # tables are sheets, not minutes text


def test_not_a_docx_is_refused_in_chinese():
    with pytest.raises(ReadError, match="不是有效的Word文档"):
        read_docx(b"PK\x03\x04 not really a zip", "坏文件.docx")
    with pytest.raises(ReadError, match="不是有效的Word文档"):
        read_docx(b"plain text", "坏文件.docx")


def test_archive_expanding_too_far_is_refused(monkeypatch):
    monkeypatch.setattr(docx_reader, "MAX_UNCOMPRESSED", 1000)
    with pytest.raises(ReadError, match="过大"):
        read_docx(task_table_document(), "大文件.docx")


def test_zip_without_a_document_part_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ReadError, match="缺少正文"):
        read_docx(buffer.getvalue(), "表格.docx")
