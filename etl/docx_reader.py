"""Word documents (.docx) and plain-text minutes (.txt), read-only, into paragraphs and sheets.

``read_docx(data)`` gives the body in order: paragraphs (with the list number Word shows, where the
document defines it in numbering.xml, and the heading level of heading styles) and tables as
sheets (rows of cell text, merged cells filled with the merged cell's text, the short paragraphs
just above a table as its title lines). ``document_lines(data, name)`` gives the lines minutes are
read from, for .docx and for .txt in UTF-8 or GBK. Nothing here writes to the ledger.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from etl.intake import ReadError, decode_text

__all__ = ["DocxDocument", "Paragraph", "Sheet", "document_lines", "read_docx", "read_text_lines"]

# A .docx is a zip: refuse archives that would expand to more than this before parsing them.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
_TITLE_LINES_ABOVE = 3
_TITLE_LINE_MAX = 60


@dataclass(frozen=True)
class Paragraph:
    index: int  # position among the body's paragraphs, from 0
    text: str  # the paragraph's own text
    numbering: str  # the list number Word shows ("一、", "（1）"), "" if none
    style: str
    heading_level: int | None  # 1 for 标题 1 / Heading 1, None for body text

    @property
    def full_text(self) -> str:
        return f"{self.numbering}{self.text}" if self.numbering and not self.text.startswith(self.numbering) else self.text


@dataclass(frozen=True)
class Sheet:
    index: int  # table number in the document, from 1
    title_lines: tuple[str, ...]  # paragraphs just above the table
    rows: tuple[tuple[str, ...], ...]  # cell text; every row as wide as the table

    def where(self, row: int) -> str:
        """How messages name a row: 第2个表格第5行 (rows counted from 1, as Word shows them)."""
        return f"第{self.index}个表格第{row}行"


@dataclass(frozen=True)
class DocxDocument:
    paragraphs: tuple[Paragraph, ...]
    sheets: tuple[Sheet, ...]
    # The body in order: ("paragraph", index) or ("table", sheet index).
    order: tuple[tuple[str, int], ...]

    def lines(self) -> list[str]:
        """Paragraph text in order, with its list number; tables left out."""
        return [paragraph.full_text for paragraph in self.paragraphs if paragraph.full_text.strip()]


# --------------------------------------------------------------------------- numbering

_CN = "零一二三四五六七八九"


def _chinese(number: int) -> str:
    if number < 10:
        return _CN[number]
    if number < 20:
        return "十" + (_CN[number % 10] if number % 10 else "")
    if number < 100:
        return _CN[number // 10] + "十" + (_CN[number % 10] if number % 10 else "")
    return str(number)


def _roman(number: int) -> str:
    values = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
              (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
    out = ""
    for value, letters in values:
        while number >= value:
            out += letters
            number -= value
    return out


def _letters(number: int) -> str:
    return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)


_FORMATS = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "chineseCounting": _chinese,
    "chineseCountingThousand": _chinese,
    "chineseLegalSimplified": _chinese,
    "japaneseCounting": _chinese,
    "ideographTraditional": lambda n: "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10],
    "ideographZodiac": lambda n: "子丑寅卯辰巳午未申酉戌亥"[(n - 1) % 12],
    "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
    "decimalEnclosedCircle": lambda n: chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n),
    "decimalEnclosedCircleChinese": lambda n: chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n),
    "decimalEnclosedParen": lambda n: f"({n})",
    "decimalFullWidth": lambda n: "".join(chr(0xFF10 + int(d)) for d in str(n)),
    "bullet": lambda n: "",
    "none": lambda n: "",
}

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(element, tag: str) -> str | None:
    child = element.find(_W + tag) if element is not None else None
    return None if child is None else child.get(_W + "val")


class _Numbering:
    """Renders the list numbers Word would show, from numbering.xml; counts per list (numId)."""

    def __init__(self, document) -> None:
        self._levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for node in root.findall(_W + "abstractNum"):
            levels: dict[int, tuple[int, str, str]] = {}
            for lvl in node.findall(_W + "lvl"):
                ilvl = int(lvl.get(_W + "ilvl", "0"))
                start = int(_val(lvl, "start") or 1)
                levels[ilvl] = (start, _val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText") or "")
            abstract[node.get(_W + "abstractNumId")] = levels
        for node in root.findall(_W + "num"):
            levels = dict(abstract.get(_val(node, "abstractNumId") or "", {}))
            for override in node.findall(_W + "lvlOverride"):
                ilvl = int(override.get(_W + "ilvl", "0"))
                start = _val(override, "startOverride")
                if start is not None and ilvl in levels:
                    levels[ilvl] = (int(start), levels[ilvl][1], levels[ilvl][2])
            self._levels[node.get(_W + "numId")] = levels

    def render(self, paragraph) -> str:
        num_pr = _num_pr(paragraph)
        if num_pr is None:
            return ""
        num_id, ilvl = num_pr
        levels = self._levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self._counters.setdefault(num_id, {})
        start = levels[ilvl][0]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [level for level in counters if level > ilvl]:
            del counters[deeper]

        def substitute(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            if level not in levels:
                return ""
            level_start, fmt, _ = levels[level]
            value = counters.get(level, level_start)
            return _FORMATS.get(fmt, str)(value)

        return re.sub(r"%([1-9])", substitute, levels[ilvl][2])


def _num_pr(paragraph) -> tuple[str, int] | None:
    """(numId, level) from the paragraph, else from its style."""
    candidates = [paragraph._p.pPr]
    style = paragraph.style
    while style is not None and len(candidates) < 6:
        candidates.append(style.element.pPr)
        style = style.base_style
    for p_pr in candidates:
        if p_pr is None or p_pr.numPr is None:
            continue
        num_pr = p_pr.numPr
        num_id = num_pr.numId.val if num_pr.numId is not None else None
        if num_id is None or num_id == 0:
            return None
        ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
        return str(num_id), int(ilvl)
    return None


_HEADING_STYLE = re.compile(r"^(?:Heading|标题)\s*([1-9])$", re.IGNORECASE)


def _heading_level(style_name: str) -> int | None:
    match = _HEADING_STYLE.match(style_name.strip())
    if match:
        return int(match.group(1))
    return 0 if style_name.strip() in ("Title", "标题") else None


# --------------------------------------------------------------------------- reading


def _check_archive(data: bytes, file_name: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ReadError(f"{file_name}：不是有效的Word文档（.docx）") from None
    with archive:
        names = set(archive.namelist())
        if "word/document.xml" not in names:
            raise ReadError(f"{file_name}：不是有效的Word文档（.docx），缺少正文")
        if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED:
            raise ReadError(f"{file_name}：Word文档解压后过大，无法读取")


def _table_rows(table) -> tuple[tuple[str, ...], ...]:
    rows: list[list[str]] = []
    for row in table.rows:
        before = getattr(row, "grid_cols_before", 0) or 0
        after = getattr(row, "grid_cols_after", 0) or 0
        cells = [""] * before + [cell.text.strip() for cell in row.cells] + [""] * after
        rows.append(cells)
    width = max((len(row) for row in rows), default=0)
    return tuple(tuple(row + [""] * (width - len(row))) for row in rows)


def read_docx(data: bytes, file_name: str = "文档.docx") -> DocxDocument:
    """The body of a .docx in order: paragraphs and tables (as sheets)."""
    _check_archive(data, file_name)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds for a damaged package
        raise ReadError(f"{file_name}：Word文档已损坏或格式不受支持（{type(error).__name__}）") from None

    numbering = _Numbering(document)
    paragraphs: list[Paragraph] = []
    sheets: list[Sheet] = []
    order: list[tuple[str, int]] = []
    # Paragraphs since the last table, for the title lines of the next one.
    since_table: list[Paragraph] = []
    for block in document.iter_inner_content():
        if isinstance(block, DocxParagraph):
            style = block.style.name if block.style is not None else ""
            paragraph = Paragraph(
                index=len(paragraphs),
                text=block.text.strip(),
                numbering=numbering.render(block),
                style=style,
                heading_level=_heading_level(style),
            )
            paragraphs.append(paragraph)
            order.append(("paragraph", paragraph.index))
            since_table.append(paragraph)
        elif isinstance(block, Table):
            titles: list[str] = []
            for paragraph in reversed(since_table):
                text = paragraph.full_text.strip()
                if not text:
                    if titles:
                        break
                    continue
                if (
                    len(text) > _TITLE_LINE_MAX
                    or text.endswith("。")
                    or paragraph.numbering  # a list item is body text, not a title
                    or len(titles) >= _TITLE_LINES_ABOVE
                ):
                    break
                titles.insert(0, text)
            sheet = Sheet(len(sheets) + 1, tuple(titles), _table_rows(block))
            sheets.append(sheet)
            order.append(("table", sheet.index))
            since_table = []
    return DocxDocument(tuple(paragraphs), tuple(sheets), tuple(order))


def read_text_lines(data: bytes, file_name: str) -> list[str]:
    """Lines of a plain-text document, UTF-8 or GBK (detected by etl.intake.decode_text)."""
    text = decode_text(data, file_name)
    return [line.strip() for line in text.splitlines() if line.strip()]


def document_lines(data: bytes, file_name: str) -> list[str]:
    """The lines minutes are read from: a .docx's paragraphs (with list numbers) or a .txt's lines."""
    if data[:2] == b"PK" or file_name.lower().endswith(".docx"):
        return read_docx(data, file_name).lines()
    return read_text_lines(data, file_name)
