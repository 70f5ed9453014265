"""The upload gate: what a file is, decided by its bytes, never by its name; and the limits
that keep a hostile or broken file from costing more than a clear error.

``check_upload`` is what the upload page calls before anything else; ``etl.reader`` calls
``detect_format``, ``decode_text`` and ``check_workbook`` from here too, so there is one rule
for what a file is. Every refusal is a :class:`ReadError` whose message, in Chinese, names the
file and says what to do.

Why the workbook scan: calamine (the XLSX reader) allocates its cell grid from the highest
row and column a sheet names, and its shared-string table from the count the file declares.
A 1 KB file naming cell XFD1048576, or declaring 10^11 shared strings, makes it ask for
hundreds of gigabytes and abort the whole process, which no ``except`` can catch. So before
calamine sees a workbook, its parts are streamed (never fully decompressed into memory) and
those numbers are checked against the limits below.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import threading
import zipfile
from pathlib import PurePath
from xml.parsers import expat

__all__ = [
    "DEFAULT_MAX_UPLOAD_MB", "MAX_CELL_CHARS", "MAX_CELLS", "MAX_COLUMNS", "MAX_UNCOMPRESSED_BYTES",
    "ReadError", "check_document", "check_upload", "check_workbook", "column_letter", "decode_text", "detect_format",
    "is_spreadsheet",
]

DEFAULT_MAX_UPLOAD_MB = 20                # the page may configure its own (settings.max_upload_mb)
MAX_CELL_CHARS = 32_767                   # Excel's own limit for one cell
MAX_COLUMNS = 256                         # a task list has a few dozen; the old .xls limit
MAX_CELLS = 5_000_000                     # rows x columns of one sheet (100,000 x 50)
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024  # the XML inside one workbook
MAX_WORKBOOK_CELLS = MAX_CELLS             # rows x columns summed over every sheet of a workbook
MAX_SHEETS = 100                           # worksheets in one workbook
MAX_PARTS = 2_000                          # files inside one workbook's zip
_EXCEL_MAX_ROWS = 1_048_576
_CHUNK = 1 << 20


class ReadError(Exception):
    """A file that cannot be read at all; the message is for the user, in Chinese."""


def _mb(size: int) -> str:
    text = f"{size / (1024 * 1024):.1f}"
    return text[:-2] if text.endswith(".0") else text


def check_upload(name: str, data: bytes, max_bytes: int) -> str:
    """"csv", "xlsx" or "docx" for a file that may go on to the importer; else ReadError.

    The format is read from the content: a CSV named .xlsx is a CSV, a workbook named .csv a
    workbook, and a PDF, picture, archive or old .xls is refused whatever its name."""
    label = PurePath(name).name or name or "文件"
    if _is_blank(data):
        raise ReadError(f"{label}：文件为空")
    if len(data) > max_bytes:
        raise ReadError(
            f"{label}：文件大小为 {_mb(len(data))} MB，超过上传限制 {_mb(max_bytes)} MB；"
            "请删去不需要的工作表或分成几个文件上传"
        )
    kind = detect_format(data, label)
    if kind == "xlsx":
        check_workbook(data, label)
    elif kind == "docx":
        check_document(data, label)
    else:
        decode_text(data, label)
    return kind


# ---------------------------------------------------------------------------------------
# What a file is

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_SAVE_AS_XLSX = "请另存为 .xlsx 后再上传（用Excel或WPS打开，“另存为”Excel工作簿）"
# Unambiguous signatures of files that are certainly not a table.
_BINARY_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF文件"),
    (b"\x89PNG\r\n\x1a\n", "PNG图片"),
    (b"\xff\xd8\xff", "JPEG图片"),
    (b"GIF87a", "GIF图片"),
    (b"GIF89a", "GIF图片"),
    (b"\x7fELF", "可执行程序"),
    (b"\x1f\x8b", "gzip压缩文件"),
    (b"Rar!\x1a\x07", "RAR压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z压缩包"),
    (b"{\\rtf", "RTF文档"),
)


def _is_blank(data: bytes) -> bool:
    """Nothing but a byte-order mark and white space."""
    for bom in (codecs.BOM_UTF8, *_UTF16_BOMS):
        if data.startswith(bom):
            if bom == codecs.BOM_UTF8:
                return not data[len(bom):].strip()
            try:
                return not data.decode("utf-16").strip()
            except UnicodeDecodeError:
                return False
    return not data or data.isspace()   # strip() would copy the whole file to say so


def _ole2_kind(data: bytes) -> str:
    if "EncryptedPackage".encode("utf-16-le") in data:
        return f"是加密（设置了打开密码）的Excel文件，无法读取；请取消密码后{_SAVE_AS_XLSX}"
    if "WordDocument".encode("utf-16-le") in data:
        return "是旧版Word文档（.doc），无法读取；请用Word或WPS打开后另存为 .docx 再上传"
    return f"是旧版Excel文件（.xls），{_SAVE_AS_XLSX}"


def detect_format(data: bytes, file_name: str) -> str:
    """"xlsx", "docx" or "csv" (any text: a list, or minutes), from the bytes; ReadError for anything else."""
    if _is_blank(data):
        raise ReadError(f"{file_name}：文件为空")
    if data.startswith(_OLE2):
        raise ReadError(f"{file_name}：{_ole2_kind(data)}")
    if data[:4] in _ZIP_MAGICS:
        return _zip_kind(data, file_name)
    for magic, what in _BINARY_MAGICS:
        if data.startswith(magic):
            raise ReadError(f"{file_name}：是{what}，不是CSV或Excel表格")
    head = data[:2048].lstrip(codecs.BOM_UTF8).lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table")) or (
        head.startswith(b"<?xml") and b"<html" in head
    ):
        raise ReadError(f"{file_name}：是网页（HTML）格式的表格，不是真正的Excel文件；{_SAVE_AS_XLSX}")
    if head.startswith(b"<?xml") and (b"urn:schemas-microsoft-com:office:spreadsheet" in data[:65536]):
        raise ReadError(f"{file_name}：是Excel 2003 XML表格，{_SAVE_AS_XLSX}")
    return "csv"


def _zip_kind(data: bytes, file_name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {name.lower() for name in archive.namelist()}
            mimetype = archive.read("mimetype")[:100] if "mimetype" in archive.namelist() else b""
    except Exception as error:  # BadZipFile, and whatever a mangled directory raises
        raise ReadError(
            f"{file_name}：文件已损坏或不完整（可能上传或保存时中断），无法作为Excel工作簿读取；"
            "请重新保存后再上传"
        ) from error
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise ReadError(f"{file_name}：是Excel二进制工作簿（.xlsb），{_SAVE_AS_XLSX}")
    if b"opendocument.spreadsheet" in mimetype:
        raise ReadError(f"{file_name}：是OpenDocument表格（.ods），{_SAVE_AS_XLSX}")
    if "word/document.xml" in names:
        # Minutes, a 批示 or a task table in Word: etl.reader reads it (etl.docx_reader).
        return "docx"
    if "ppt/presentation.xml" in names:
        raise ReadError(f"{file_name}：是PowerPoint演示文稿，不是表格")
    raise ReadError(f"{file_name}：是ZIP压缩包，不是Excel工作簿；请解压后上传其中的表格文件")


MAX_DOCUMENT_BYTES = 200 * 1024 * 1024   # a .docx's parts, uncompressed


def check_document(data: bytes, file_name: str) -> None:
    """A .docx whose zip is whole and would not expand beyond MAX_DOCUMENT_BYTES; the parsing
    itself runs in the sandbox (etl.sandbox), as for workbooks."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception as error:
        raise ReadError(f"{file_name}：Word文档已损坏或不完整，无法读取；请用Word或WPS打开并重新保存后再上传") from error
    if len(infos) > MAX_PARTS:
        raise ReadError(f"{file_name}：Word文档内部含 {len(infos):,} 个部件，超过 {MAX_PARTS:,} 个的上限，拒绝读取")
    if sum(info.file_size for info in infos) > MAX_DOCUMENT_BYTES:
        raise ReadError(f"{file_name}：Word文档解压后超过 {_mb(MAX_DOCUMENT_BYTES)} MB（可能是“压缩炸弹”），拒绝读取")


def is_spreadsheet(data: bytes) -> bool:
    """A zip holding an Excel workbook (whole or not: check_workbook says)."""
    try:
        return detect_format(data, "") == "xlsx"
    except ReadError:
        return False


# ---------------------------------------------------------------------------------------
# Text

# C0 controls other than tab, line feed, form feed and carriage return: binary, not text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def decode_text(data: bytes, file_name: str) -> str:
    """UTF-8 (with or without BOM), GBK/GB18030 or UTF-16 with a BOM, detected rather than
    asked; binary content and a file mixing UTF-8 with GBK are refused."""
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ReadError(f"{file_name}：文件以UTF-16编码标记开头，但内容不完整或已损坏") from error
    elif b"\x00" in data:
        raise ReadError(f"{file_name}：不是文本文件（含有二进制内容），也不是可识别的Excel工作簿")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            if _mostly_utf8(data):
                line = data.count(b"\n", 0, error.start) + 1
                raise ReadError(
                    f"{file_name}：文件编码不一致或已损坏：文件大部分是UTF-8编码，但第{line}行有无法识别的字符"
                    "（常见于把GBK编码的内容粘贴进UTF-8文件）；请统一另存为“CSV UTF-8”后再上传"
                ) from None
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise ReadError(f"{file_name}：无法识别文件编码（支持UTF-8、GBK/GB18030），或不是文本文件") from None
    controls = len(_CONTROL.findall(text, 0, 65536))
    if "\x00" in text or controls > max(8, min(len(text), 65536) // 200):
        raise ReadError(f"{file_name}：不是文本文件（含有二进制内容），也不是可识别的Excel工作簿")
    return text


def _mostly_utf8(data: bytes) -> bool:
    """Whether bytes that are not valid UTF-8 are still mostly UTF-8 Chinese: a mixed file,
    which read as GBK would turn every UTF-8 character into nonsense."""
    text = data.decode("utf-8", errors="replace")
    return len(text) - len(_CJK.sub("", text)) > text.count("\ufffd")


# ---------------------------------------------------------------------------------------
# Workbooks

_SHEET_PART = re.compile(r"^/?xl/(?:worksheets|chartsheets|dialogsheets)/", re.IGNORECASE)
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
# Attributes, quote-aware (a value may hold ">", never "<", which also keeps the scan linear).
_ATTRIBUTES = rb"""([^<>"']*+(?:"[^"<]*+"[^<>"']*+|'[^'<]*+'[^<>"']*+)*+)"""
# A cell that names its position first, and every way a cell element can open.
_FIRST_REF = re.compile(rb"""<c\s+r\s*=\s*["']([A-Za-z]{1,3})([0-9]{1,7})["']""")
_CELL_OPENINGS = (b"<c ", b"<c\t", b"<c\n", b"<c\r", b"<c>", b"<c/")
_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s>/]")
_REF = re.compile(rb"""(?<![\w:.-])r\s*=\s*["']([A-Za-z]*)([0-9]*)["']""")
_TAG = re.compile(rb"<(/?)" + _PREFIX + rb"(row|c)(?=[\s>/])" + _ATTRIBUTES + rb">")
_MAX_TAG = 1 << 20


def column_letter(index: int) -> str:
    """Excel's letters for a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + (char - 64)
    return number


def check_workbook(data: bytes, file_name: str) -> None:
    """Refuses a workbook that is truncated, corrupt, or would take calamine beyond the
    limits; every XML part is decompressed as a stream (so its checksum is verified too).
    A workbook that passed is remembered by its digest: the upload page checks a file, then
    previews and commits it, and each would otherwise scan it again."""
    digest = hashlib.sha256(data).digest()
    with _VERIFIED_LOCK:
        if digest in _VERIFIED:
            return
    _scan_workbook(data, file_name)
    with _VERIFIED_LOCK:
        _VERIFIED[digest] = None
        while len(_VERIFIED) > 32:
            del _VERIFIED[next(iter(_VERIFIED))]


_VERIFIED: dict[bytes, None] = {}
_VERIFIED_LOCK = threading.Lock()


def _scan_workbook(data: bytes, file_name: str) -> None:
    corrupt = f"{file_name}：Excel文件已损坏或不完整，无法读取；请用Excel打开并重新保存后再上传"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as error:
        raise ReadError(corrupt) from error
    with archive:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES * 4:
            raise ReadError(f"{file_name}：Excel文件解压后过大（可能是“压缩炸弹”），拒绝读取")
        if len(infos) > MAX_PARTS:
            raise ReadError(f"{file_name}：Excel文件内部含 {len(infos):,} 个部件，超过 {MAX_PARTS:,} 个的上限，拒绝读取")
        sheet_parts = [info for info in infos if _SHEET_PART.match(info.filename) and not info.is_dir()]
        if len(sheet_parts) > MAX_SHEETS:
            raise ReadError(
                f"{file_name}：工作簿有 {len(sheet_parts)} 个工作表，超过 {MAX_SHEETS} 个的上限；请只保留需要导入的工作表"
            )
        sheet_names = _sheet_names(archive)
        budget = [MAX_UNCOMPRESSED_BYTES]
        workbook_cells = 0
        for info in infos:
            name = info.filename
            if not name.lower().endswith((".xml", ".rels")) or info.is_dir():
                continue
            try:
                if _SHEET_PART.match(name):
                    rows, columns = _sheet_extent(archive, info, budget)
                    _check_extent(file_name, sheet_names.get(name.lower().lstrip("/"), name), rows, columns)
                    # calamine sizes every sheet's grid, so many sheets each under the
                    # per-sheet cap still add up: the workbook has one budget.
                    workbook_cells += rows * columns
                    if workbook_cells > MAX_WORKBOOK_CELLS:
                        raise ReadError(
                            f"{file_name}：各工作表的数据区域合计超过 {MAX_WORKBOOK_CELLS:,} 个单元格的上限；"
                            "请清除远处单元格中的内容、删去不需要的工作表，或分成几个文件上传"
                        )
                elif name.lower().lstrip("/") == "xl/sharedstrings.xml":
                    _check_shared_strings(archive, info, budget, file_name)
                else:
                    for _ in _chunks(archive, info, budget):
                        pass
            except ReadError:
                raise
            except _TooLong:
                raise ReadError(
                    f"{file_name}：工作表中有超长单元格（超过Excel单元格上限 {MAX_CELL_CHARS} 个字符），拒绝读取"
                ) from None
            except _TooLarge:
                raise ReadError(
                    f"{file_name}：Excel文件解压后超过 {_mb(MAX_UNCOMPRESSED_BYTES)} MB（可能是“压缩炸弹”），拒绝读取"
                ) from None
            except Exception as error:  # zlib.error, BadZipFile (bad CRC), NotImplementedError, ...
                raise ReadError(corrupt) from error


class _TooLarge(Exception):
    """More XML than MAX_UNCOMPRESSED_BYTES."""


class _TooLong(Exception):
    """A run of text longer than any cell may be."""


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]):
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise _TooLarge
            yield chunk


def _tags(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]):
    """The part's bytes in pieces that never cut a tag in two: each piece ends before the
    last "<" of what has been read, and the rest waits for the next piece."""
    pending = b""
    for chunk in _chunks(archive, info, budget):
        block = pending + chunk
        start = block.rfind(b"<")
        if start < 0:
            start = len(block)
        block, pending = block[:start], block[start:]
        if len(pending) > _MAX_TAG:
            # A megabyte without a tag is text no cell may hold (32,767 characters at most).
            raise _TooLong
        yield block
    if pending:
        yield pending


def _sheet_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> tuple[int, int]:
    """(last row, last column), 1-based, that calamine would size its grid by.

    Fast path, for parts whose every cell names its position first (<c r="B7" ...>, as Excel
    and every library writes them): the furthest position named, empty cells included, which
    can only overstate. A part with other cells, or one whose overstated extent is beyond the
    limits, is walked tag by tag the way calamine reads it."""
    max_row = max_column = 0
    for block in _tags(archive, info, budget):
        refs = _FIRST_REF.findall(block)
        tags = sum(block.count(opening) for opening in _CELL_OPENINGS)
        if tags > len(refs) or _PREFIXED_CELL.search(block):
            return _walk_sheet(archive, info, budget)
        if refs:
            rows = set(map(int, {ref[1] for ref in refs}))
            if min(rows) == 0 or max(rows) > _EXCEL_MAX_ROWS:
                raise ValueError("bad row")
            max_row = max(max_row, max(rows))
            max_column = max(max_column, *map(_column_number, {ref[0] for ref in refs}))
    if max_column > MAX_COLUMNS or max_row * max_column > MAX_CELLS:
        return _walk_sheet(archive, info, budget)
    return max_row, max_column


def _checked_column(letters: bytes) -> int:
    if not letters or len(letters) > 3:
        raise ValueError("bad column")
    return _column_number(letters)


def _checked_row(digits: bytes) -> int:
    if not digits or len(digits) > 7 or int(digits) > _EXCEL_MAX_ROWS or int(digits) == 0:
        raise ValueError("bad row")
    return int(digits)


def _walk_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> tuple[int, int]:
    """calamine's own positioning, for parts with cells that do not name their position:
    such a cell is one column right of the previous one, in the current row."""
    budget[0] += info.file_size  # a second pass over a part already counted
    row = column = 0  # 0-based, as calamine counts
    max_row = max_column = 0
    for block in _tags(archive, info, budget):
        for closing, element, attributes in _TAG.findall(block):
            empty = attributes.endswith(b"/")
            ref = _REF.search(attributes)
            if element == b"row":
                if ref and not closing:
                    row = _checked_row(ref[2]) - 1
                if closing or empty:
                    row, column = row + 1, 0
                if row > _EXCEL_MAX_ROWS:
                    raise ValueError("bad row")
                continue
            if closing:
                continue
            if ref:
                position_row, column = _checked_row(ref[2]) - 1, _checked_column(ref[1]) - 1
            else:
                position_row = row
            if not empty:
                max_row, max_column = max(max_row, position_row + 1), max(max_column, column + 1)
            column += 1
            if column > 16_384:
                raise ValueError("bad column")
    return max_row, max_column


def _check_extent(file_name: str, sheet: str, rows: int, columns: int) -> None:
    where = f"{file_name}［{sheet}］"
    if columns > MAX_COLUMNS:
        raise ReadError(
            f"{where}：数据区域宽达 {columns} 列（到 {column_letter(columns - 1)} 列），超过 {MAX_COLUMNS} 列的上限；"
            "请删去多余的列（或清除远处单元格中的内容）后再上传"
        )
    if rows * columns > MAX_CELLS:
        raise ReadError(
            f"{where}：数据区域有 {rows} 行 × {columns} 列，超过 {MAX_CELLS:,} 个单元格的上限；"
            "请清除远处单元格中的内容，或分成几个文件上传"
        )


def _check_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int], file_name: str) -> None:
    """Refuses a shared-string table whose declared size calamine would allocate up front.

    The declaration is read by an XML parser from the root element wherever it stands (after
    any comments, processing instructions or padding), not from a prefix of the bytes."""
    chunks = _chunks(archive, info, budget)
    declared = _root_attributes(chunks)
    for _ in chunks:  # the rest is still streamed: its checksum and size are checked too
        pass
    for attribute in ("uniqueCount", "count"):
        value = (declared.get(attribute) or "").strip()
        if not value:
            continue
        if not value.isdigit() or len(value) > 9 or int(value) > MAX_CELLS:
            shown = f"{int(value):,}" if value.isdigit() and len(value) < 30 else value[:30]
            raise ReadError(f"{file_name}：Excel文件已损坏（共享字符串表声明了 {shown} 项），无法读取")


class _RootFound(Exception):
    pass


def _root_attributes(chunks) -> dict[str, str]:
    """The attributes (local names) of an XML document's root element, parsed from a stream
    of chunks; only as much is read as it takes to reach the root's start tag."""
    parser = expat.ParserCreate()
    found: dict[str, str] = {}

    def start(name: str, attributes: dict[str, str]) -> None:
        found.update({key.rpartition(":")[2]: value for key, value in attributes.items()})
        raise _RootFound

    parser.StartElementHandler = start
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _RootFound:
        pass
    return found


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """part path (lower case) -> sheet name, best effort, for messages."""
    try:
        workbook = archive.read("xl/workbook.xml")[:1 << 20].decode("utf-8", "replace")
        rels_name = next((n for n in archive.namelist() if n.lower() == "xl/_rels/workbook.xml.rels"), None)
        rels = archive.read(rels_name)[:1 << 20].decode("utf-8", "replace") if rels_name else ""
    except Exception:
        return {}
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        rid, target = re.search(r'\bId="([^"]*)"', tag), re.search(r'\bTarget="([^"]*)"', tag)
        if rid and target:
            path = target[1].lstrip("/")
            targets[rid[1]] = (path if path.lower().startswith("xl/") else f"xl/{path}").lower()
    names = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name, rid = re.search(r'\bname="([^"]*)"', tag), re.search(r'\br:id="([^"]*)"', tag)
        if name and rid and rid[1] in targets:
            names[targets[rid[1]]] = name[1]
    return names
