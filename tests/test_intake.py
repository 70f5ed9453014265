"""Protection against bad input: the upload gate (etl.intake.check_upload), the reader's own
checks (etl.reader.read_file), and the importer on files it must refuse without changing
anything. Formula-like text is stored as text and exported so Excel will not run it."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
import xlsxwriter

from etl import intake
from etl.importer import InputFile, LoadOptions, import_files
from etl.intake import DEFAULT_MAX_UPLOAD_MB, MAX_CELL_CHARS, check_upload
from etl.reader import ReadError, read_file
from ledger.queries import task_list

LIMIT = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
MEETING = LoadOptions(source_kind="常务会议", source_title="区政府第12次常务会议", source_date=date(2026, 9, 28),
                      today=date(2026, 10, 9))
HEADER = ["序号", "议定事项", "牵头单位", "配合单位", "完成时限"]
ROWS = [["1", "加快推进老旧小区改造", "区住建局", "区财政局", "2026年12月31日前"],
        ["2", "抓紧完成招商项目签约", "区商务局", "", "年底前"]]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "".join(",".join(r) + "\n" for r in rows).encode(encoding)


GOOD_CSV = csv_bytes([HEADER, *ROWS])


def workbook(rows: list[list[object]], sheet: str = "任务") -> bytes:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        ws = book.add_worksheet(sheet)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value not in (None, ""):
                    ws.write(r, c, value)
    return buffer.getvalue()


GOOD_XLSX = workbook([HEADER, *ROWS])


def handmade_workbook(sheet_data: str, *, shared_strings: str | None = None, sheet_extra: str = "") -> bytes:
    """A minimal workbook written part by part, for what no library would write."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
        '+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="任务" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'sharedStrings" Target="sharedStrings.xml"/>' if shared_strings else "") + "</Relationships>",
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData>{sheet_extra}</worksheet>',
    }
    if shared_strings:
        parts["xl/sharedStrings.xml"] = shared_strings
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = '<row r="1">' + "".join(cell(f"{c}1", h) for c, h in zip("ABCDE", HEADER, strict=True)) + "</row>"
DATA_ROW = '<row r="2">' + "".join(cell(f"{c}2", v) for c, v in zip("ABCDE", ROWS[0], strict=True)) + "</row>"


def refused(name: str, data: bytes, max_bytes: int = LIMIT) -> str:
    with pytest.raises(ReadError) as caught:
        check_upload(name, data, max_bytes)
    message = str(caught.value)
    assert message.startswith(name.rsplit("/", 1)[-1]), message  # the message names the file
    assert re.search(r"[\u4e00-\u9fff]", message)
    return message


def unreadable(name: str, data: bytes) -> str:
    with pytest.raises(ReadError) as caught:
        read_file(data, name)
    return str(caught.value)


# --------------------------------------------------------------------------------- the upload gate


def test_the_format_comes_from_the_content_not_the_name():
    assert check_upload("清单.csv", GOOD_CSV, LIMIT) == "csv"
    assert check_upload("清单.xlsx", GOOD_CSV, LIMIT) == "csv"
    assert check_upload("清单.xlsx", GOOD_XLSX, LIMIT) == "xlsx"
    assert check_upload("清单.csv", GOOD_XLSX, LIMIT) == "xlsx"
    assert check_upload("无扩展名", GOOD_XLSX, LIMIT) == "xlsx"
    # and the reader agrees: a workbook named .csv is read as a workbook
    [sheet] = read_file(GOOD_XLSX, "清单.csv")
    assert sheet.sheet == "任务" and sheet.frame.height == 2
    [sheet] = read_file(GOOD_CSV, "清单.xlsx")
    assert sheet.sheet is None and sheet.frame.height == 2


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b" \r\n\t\n", b"\xff\xfe", "  \n".encode("utf-16")])
def test_an_empty_file_is_refused(data):
    assert "文件为空" in refused("空白.csv", data)


def test_the_size_limit_names_the_size_and_the_limit():
    message = refused("大文件.csv", GOOD_CSV + b"x" * (3 * 1024 * 1024), max_bytes=2 * 1024 * 1024)
    assert "3 MB" in message and "2 MB" in message and "超过上传限制" in message
    assert check_upload("小文件.csv", GOOD_CSV, max_bytes=len(GOOD_CSV)) == "csv"  # the limit itself is allowed


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "expected"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024, "请另存为 .xlsx 后再上传"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64, "密码"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "图片"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "图片"),
    (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "可执行程序"),
    (zipped({"readme.txt": b"hello"}), "ZIP压缩包"),
    (zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}), ".ods"),
    (zipped({"xl/workbook.bin": b"\x00"}), ".xlsb"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "网页"),
    (bytes(range(256)) * 8, "不是文本文件"),
    (b"\x00\x01\x02binary\x00" * 50, "不是文本文件"),
])
def test_files_that_are_not_tables_are_refused_whatever_their_name(data, expected):
    for name in ("任务清单.csv", "任务清单.xlsx"):
        assert expected in refused(name, data)
        assert expected in unreadable(name, data)


def test_a_truncated_or_corrupt_workbook_is_refused():
    for cut in (len(GOOD_XLSX) // 3, len(GOOD_XLSX) - 30):
        assert "损坏" in refused("截断.xlsx", GOOD_XLSX[:cut])
    # A flipped byte inside a compressed part: the zip directory is intact, the part is not.
    with zipfile.ZipFile(io.BytesIO(GOOD_XLSX)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    broken = bytearray(GOOD_XLSX)
    broken[start + info.compress_size // 2] ^= 0xFF
    assert "损坏" in refused("损坏.xlsx", bytes(broken))
    assert "损坏" in unreadable("损坏.xlsx", bytes(broken))


# ------------------------------------------------------------- workbooks that would crash the reader


@pytest.mark.parametrize("far", [
    '<row r="9">' + cell("XFD9", "远处") + "</row>",                                  # the last column
    '<row r="1048576">' + cell("A1048576", "远处") + cell("Z1048576", "x") + "</row>",  # 1M rows x 26
    '<row r="1048576">' + '<c t="inlineStr"><is><t>x</t></is></c>' * 30 + "</row>",     # cells without r=
    '<row r="9"><c x=">" r="XFD9" t="inlineStr"><is><t>x</t></is></c></row>',          # ">" inside a value
])
def test_a_tiny_workbook_naming_a_far_cell_is_refused_before_calamine_sizes_its_grid(far):
    """calamine allocates rows x columns cells from the furthest cell: for XFD1048576 that is
    hundreds of gigabytes, and the process aborts (no Python exception)."""
    data = handmade_workbook(HEADER_ROW + DATA_ROW + far)
    assert len(data) < 2000
    message = refused("远处单元格.xlsx", data)
    assert "上限" in message and "［任务］" in message
    assert "上限" in unreadable("远处单元格.xlsx", data)


def test_a_workbook_declaring_billions_of_shared_strings_is_refused():
    sst = ('<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'count="99999999999" uniqueCount="99999999999"><si><t>序号</t></si></sst>')
    data = handmade_workbook(HEADER_ROW + DATA_ROW, shared_strings=sst)
    assert "损坏" in refused("共享字符串.xlsx", data)


def test_a_zip_bomb_is_refused_without_decompressing_it_into_memory(monkeypatch):
    monkeypatch.setattr(intake, "MAX_UNCOMPRESSED_BYTES", 1 << 20)
    padding = "<row/>" * 400_000  # 2.4 MB of XML, a few kB compressed
    data = handmade_workbook(HEADER_ROW + DATA_ROW + padding)
    assert len(data) < 50_000
    assert "压缩炸弹" in refused("炸弹.xlsx", data)


def test_a_real_workbook_a_little_wide_and_long_still_passes():
    rows = [HEADER + [f"备注{j}" for j in range(40)]] + [[str(i), f"事项{i}", "区财政局", "", "年底前"] for i in range(1, 300)]
    assert check_upload("正常.xlsx", workbook(rows), LIMIT) == "xlsx"
    assert read_file(workbook(rows), "正常.xlsx")[0].frame.height == 299


def test_too_many_columns_is_a_clear_error():
    wide = [HEADER + [f"列{j}" for j in range(400)], ROWS[0] + ["x"] * 400]
    assert "列" in refused("宽.xlsx", workbook(wide)) and "上限" in refused("宽.xlsx", workbook(wide))
    message = unreadable("宽.csv", csv_bytes(wide))
    assert "第1行" in message and "上限" in message


def test_a_date_cell_beyond_the_calendar_is_a_clear_error():
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        ws = book.add_worksheet("任务")
        for c, h in enumerate(HEADER):
            ws.write(0, c, h)
        ws.write_row(1, 0, ROWS[0][:4])
        ws.write_number(1, 4, 1e10, book.add_format({"num_format": "[h]:mm:ss"}))  # a duration of 27 million years
    message = unreadable("时长.xlsx", buffer.getvalue())
    assert "第2行" in message and "超出范围" in message


# ------------------------------------------------------------------------------------- cell sizes


def test_a_cell_over_excels_limit_is_refused_with_its_place():
    text = "长" * (MAX_CELL_CHARS + 1)
    message = unreadable("长.csv", csv_bytes([HEADER, ROWS[0], ["3", text, "区财政局", "", "年底前"]]))
    assert "第3行第2列" in message and str(MAX_CELL_CHARS + 1) in message
    message = unreadable("长.xlsx", handmade_workbook(HEADER_ROW + '<row r="3">' + cell("B3", text) + "</row>"))
    assert "［任务］" in message and "第3行B列" in message
    # Excel's own limit is allowed
    data = csv_bytes([HEADER, ["1", "长" * MAX_CELL_CHARS, "区财政局", "", "年底前"]])
    assert read_file(data, "刚好.csv")[0].frame.height == 1


def test_a_field_too_long_to_parse_is_refused_not_read():
    huge = ("序号,议定事项,牵头单位,完成时限\n1," + "长" * 300_000 + ",区财政局,年底前\n").encode()
    assert "超长单元格" in unreadable("巨大.csv", huge)
    assert "超长单元格" in unreadable("巨大.csv", b"x" * 5_000_000)  # one 5 MB field, no separator at all


# ---------------------------------------------------------------------------------------- CSV text


def test_header_only_and_headerless_files():
    assert "只有表头" in unreadable("表头.csv", csv_bytes([HEADER]))
    assert "只有表头" in unreadable("表头.xlsx", workbook([HEADER]))
    assert "只有表头" in unreadable("表头.csv", csv_bytes([["某某会议督办表"], HEADER, [""] * 5]))
    assert "没有找到可识别的表头" in unreadable("无表头.csv", csv_bytes([["a", "b"], ["1", "2"]]))
    assert "没有找到可识别的表头" in unreadable("无表头.xlsx", workbook([["a", "b"], ["1", "2"]]))


def test_a_workbook_whose_every_sheet_fails_says_why_for_each():
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        book.add_worksheet("空表")
        book.add_worksheet("只有表头").write_row(0, 0, HEADER)
        book.add_worksheet("说明").write(0, 0, "本表由各单位填报")
    message = unreadable("多表.xlsx", buffer.getvalue())
    assert "［只有表头］只有表头" in message and "［说明］" in message and "表头" in message


def test_unbalanced_quotes_name_the_line():
    data = csv_bytes([HEADER, ROWS[0], ['2', '"抓紧完成招商项目签约', "区商务局", "", "年底前"], ["3", "x", "y", "", "z"]])
    message = unreadable("引号.csv", data)
    assert "引号不配对" in message and "第3行" in message


def test_a_row_with_more_fields_than_the_header_is_an_error_not_a_silent_shift():
    data = csv_bytes([HEADER, ["1", "加快推进", "老旧小区改造", "区住建局", "", "年底前"]])
    message = unreadable("错位.csv", data)
    assert "第2行" in message and "多出1个" in message and "引号" in message
    # trailing empty fields (Excel pads rows) are fine
    assert read_file(csv_bytes([HEADER, ROWS[0] + ["", ""]]), "补齐.csv")[0].frame.height == 1


def test_encodings_gbk_utf16_and_old_mac_line_ends_are_read():
    for data in (csv_bytes([HEADER, *ROWS], "gbk"), csv_bytes([HEADER, *ROWS], "utf-8-sig"),
                 "\n".join("\t".join(r) for r in [HEADER, *ROWS]).encode("utf-16"),
                 "\r".join(",".join(r) for r in [HEADER, *ROWS]).encode()):
        [sheet] = read_file(data, "编码.csv")
        assert sheet.frame.height == 2 and sheet.frame[sheet.fields["content"]].to_list()[0] == "加快推进老旧小区改造"


def test_mixed_encodings_and_nul_bytes_are_refused():
    mixed = csv_bytes([HEADER, ROWS[0]]) + csv_bytes([ROWS[1]], "gbk")
    message = refused("混合.csv", mixed)
    assert "编码不一致" in message and "第3行" in message
    assert "不是文本文件" in refused("空字符.csv", GOOD_CSV[:40] + b"\x00" + GOOD_CSV[40:])


# ------------------------------------------------------------------ the importer on refused files


def ledger_state(con) -> dict:
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
    ).fetchall()]
    return {t: con.execute(f'SELECT count(*), bit_xor(hash(x)) FROM "{t}" x').fetchone() for t in tables}


REJECTED = {
    "pdf": b"%PDF-1.4\n" + bytes(range(256)),
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
    "truncated": GOOD_XLSX[: len(GOOD_XLSX) // 2],
    "header_only": csv_bytes([HEADER]),
    "enormous_cell": csv_bytes([HEADER, ["1", "长" * 40_000, "区财政局", "", "年底前"]]),
    "far_cell": handmade_workbook(HEADER_ROW + DATA_ROW + '<row r="9">' + cell("XFD9", "x") + "</row>"),
    "bad_deadline": csv_bytes([HEADER, ["1", "事项", "区财政局", "", "2026年2月30日前"]]),
    "mixed_encoding": csv_bytes([HEADER, ROWS[0]]) + csv_bytes([ROWS[1]], "gbk"),
    # Found by tests/test_fuzz_import.py: a list without a content column. (A list with no unit in
    # it imports flagged since issue 9: test_a_list_with_no_unit_in_any_row_imports_flagged.)
    "no_content_column": csv_bytes([["序号", "牵头单位", "完成时限"], ["1", "区财政局", "年底前"]]),
    # A 序号 repeated under a source that cannot be read: the duplicate error had no message.
    "duplicate_item_undated_source": csv_bytes([["会议名称", "序号", "事项", "牵头单位", "完成时限"],
                                                ["某会议", "1", "甲", "区财政局", "年底前"],
                                                ["某会议", "1", "乙", "区财政局", "年底前"]]),
    # 排序 written with circled digits: str.isdigit() says yes, int() says no.
    "leader_rank_circled": csv_bytes([["姓名", "职务", "排序"], ["王建国", "副区长", "①"]]),
}


def test_a_list_with_no_unit_in_any_row_imports_flagged(ledger):
    no_unit = csv_bytes([["序号", "事项", "牵头单位", "完成时限"], ["1", "做事", "", "年底前"]])
    result = import_files(ledger, [InputFile("no_unit_in_any_row.csv", no_unit)], MEETING)
    assert result.committed, result.files[0].errors
    assert [(f["row"], f["kind"]) for f in result.files[0].flags] == [(2, "no_lead_unit")]
    assert ledger.execute("SELECT count(*) FROM task_units").fetchone() == (0,)


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_the_importer_rejects_bad_files_cleanly_and_changes_nothing(ledger, name):
    assert import_files(ledger, [InputFile("seed.csv", GOOD_CSV)], MEETING).committed
    before = ledger_state(ledger)
    result = import_files(ledger, [InputFile(f"{name}.csv", REJECTED[name])], MEETING)
    assert not result.committed
    assert result.files[0].errors
    assert all(isinstance(e.message, str) and e.message for e in result.files[0].errors), result.files[0].errors
    assert ledger_state(ledger) == before


# ------------------------------------------------------------------------------ formula-like text


FORMULA = '=HYPERLINK("http://x","点我")'


def test_formula_like_text_is_stored_verbatim_and_exported_as_text(ledger):
    from ui.export import to_excel

    rows = [HEADER, ["1", FORMULA, "区财政局", "", "年底前"], ["2", "+1", "区住建局", "", "年底前"],
            ["3", "-2", "区商务局", "", "年底前"], ["4", "@SUM(A1:A3)", "区应急局", "", "年底前"]]
    data = "".join(",".join('"' + v.replace('"', '""') + '"' for v in r) + "\n" for r in rows).encode()
    result = import_files(ledger, [InputFile("公式.csv", data)], MEETING)
    assert result.committed, result.files[0].errors
    stored = dict(ledger.execute("SELECT item, content FROM tasks").fetchall())
    assert stored == {"1": FORMULA, "2": "+1", "3": "-2", "4": "@SUM(A1:A3)"}

    frame = task_list(ledger, date(2026, 10, 9)).sort("item")
    exported = to_excel(frame, "督办事项")
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
        strings = archive.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;点我&quot;)" in strings or "=HYPERLINK(\"http://x\",\"点我\")" in strings
    import python_calamine

    values = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(exported)).get_sheet_by_name(
        "督办事项").to_python()
    texts = {v for row in values[1:] for v in row if isinstance(v, str)}
    assert {FORMULA, "+1", "-2", "@SUM(A1:A3)"} <= texts


# --------------------------------------------------------------------------- Word documents


def test_a_word_document_goes_on_to_the_reader_whatever_its_name():
    # Minutes, a 批示 or a task table in Word are read (etl.reader, in the sandbox), not refused.
    data = zipped({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"})
    for name in ("纪要.docx", "任务清单.csv", "任务清单.xlsx"):
        assert check_upload(name, data, LIMIT) == "docx"


def test_an_old_doc_file_is_refused_with_what_to_do():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + b"\x00" * 600
    message = refused("纪要.doc", data)
    assert "旧版Word文档（.doc）" in message and "另存为 .docx" in message


def test_a_word_document_that_would_expand_too_far_is_refused(monkeypatch):
    import etl.intake as intake

    monkeypatch.setattr(intake, "MAX_DOCUMENT_BYTES", 1000)
    data = zipped({"word/document.xml": b"<w/>" * 400, "[Content_Types].xml": b"<x/>"})
    assert "压缩炸弹" in refused("纪要.docx", data)
