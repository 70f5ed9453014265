"""Generated files through the real importer against a real DuckDB ledger file.

Files are generated from a seeded random.Random (not hypothesis, for speed) from the shapes
offices really send (meeting lists in UTF-8, GBK and UTF-16, an XLSX with title rows and
merged cells, progress, directive, unit and leader lists) and then mutated: bytes flipped,
files cut short, junk and binary headers, columns dropped, duplicated and shuffled,
header-only files, bad dates and deadlines, empty cells, formula-like text, enormous cells,
thousands of columns, unbalanced quotes, mixed encodings, damaged XML inside a whole
workbook, cells placed far away.

Every file must come back as a clean result: accepted (committed, no errors), rejected
(not committed, every error with a message), or already imported. Anything the importer
raises is a failure. After every file that was not committed the ledger must be exactly
as it was:

* after every file: no byte of the ledger file or its WAL changed (any commit changes them)
  and the connection holds no open transaction;
* after every accepted file: every declared integrity rule holds (ledger.integrity);
* after every accepted file, every 25th file and at the end of each segment: every table's
  row count and order-independent content hash (``count(*), bit_xor(hash(t))``) equal to
  the snapshot taken after the last accepted file. A difference names the files since the
  last full check.

A run draws 500 files from a seed that changes per run and is printed first; a failure
names it. ``--fuzz-seed N`` (or FUZZ_SEED) replays a run, ``--fuzz-files 10000`` (or
FUZZ_FILES) runs a longer one. Each segment of 1,000 files runs on a fresh ledger, so that
accepted files do not grow it (the importer's fixed cost per file grows with the ledger's
units). Failures are grouped by kind; the first three files of each kind are written to
test-artifacts/fuzz/ (ignored by git) with the reason. A file worth keeping goes to
tests/fixtures/fuzz/: every file there is replayed on every run, with the same checks.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from etl.importer import ImportResult, InputFile, LoadOptions, import_files
from etl.units import DEFAULT_CATALOG_FILE, Catalog
from ledger import integrity
from ledger.db import open_ledger

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "fuzz"
FIXTURES = ROOT / "tests" / "fixtures" / "fuzz"
DEFAULT_FILES = 500
FULL_CHECK_EVERY = 25
SEGMENT = 1000
MAX_FAILURES = 2000

FUZZ_OPTIONS = LoadOptions(
    source_kind="常务会议", source_title="区政府第12次常务会议", source_date=date(2026, 9, 28),
    today=date(2026, 10, 9), actor="fuzz",
)

# --------------------------------------------------------------------------------------- shapes


@dataclass
class Table:
    kind: str
    header: list[str]
    rows: list[list[str]]
    title: list[str] = field(default_factory=list)


def _templates() -> list[Table]:
    return [
        Table("tasks", ["序号", "议定事项", "牵头单位", "配合单位", "责任领导", "完成时限"], [
            ["1", "加快推进老旧小区改造", "区住建局", "区财政局、各街道", "王建国副区长", "会后5个工作日内"],
            ["2", "抓紧完成招商项目签约", "区商务局", "区发改局", "李明华", "2026年12月31日前"],
            ["3", "做好安全生产大排查", "区应急局", "区住建局", "王建国", "每季度"],
            ["4", "研究制定人才新政", "区人社局", "", "李明华", "年底前"],
        ], ["区政府第12次常务会议议定事项督办表"]),
        Table("tasks", ["会议名称", "会议日期", "序号", "议定事项", "牵头单位", "配合单位", "完成时限"], [
            ["区长办公会议第5次", "2026年9月1日", "1", "推进城区停车场建设", "区城管局", "区住建局；区财政局", "10月底前"],
            ["", "", "2", "整治农贸市场周边秩序（牵头单位：区市场监管局；配合单位：区城管局）", "区市场监管局", "", "立即"],
            ["区长办公会议第6次", "2026/9/15", "1", "加快污水管网改造", "区住建局等", "", "2026.12.15"],
        ], ["青川区区长办公会议确定事项", "（截至2026年10月）"]),
        Table("progress", ["会议名称", "序号", "进展情况", "填报日期", "是否办结", "办结日期"], [
            ["区政府第12次常务会议", "1", "已完成改造方案", "2026-10-08", "是", "2026-10-09"],
            ["区政府第12次常务会议", "2", "已签约3个项目", "2026/10/08", "否", ""],
        ]),
        Table("tasks", ["序号", "批示领导", "批示时间", "批示内容", "承办单位", "办理时限"], [
            ["1", "王建国", "2026-09-01", "请区住建局牵头核查小区漏水问题", "区住建局", "15个工作日内"],
            ["2", "李明华", "2026年9月3日", "关于企业用工难的反映请研究", "区人社局、区工信局等", "1个月内"],
        ]),
        Table("units", ["单位名称", "简称", "单位类型", "分管领导"], [
            ["区数据资源局", "区数据局、数据局", "部门", "李明华"],
        ]),
        Table("leaders", ["姓名", "职务", "排序"], [["王建国", "副区长", "2"], ["李明华", "副区长", "3"]]),
    ]


BAD_VALUES = [
    "", " ", "　", "2026-13-45", "2026年2月30日", "13月45日前", "99999个工作日内", "0个工作日内", "-3个工作日内",
    "99999年底前", "下个阶段", "尽快", "nan", "None", "NULL", "#N/A", "#REF!", "１２", "0", "-1", "1e309", "46387",
    "99999999999999999999", "是否", "√", "=1+1", '=HYPERLINK("http://x","点我")', "+1", "-2", "@SUM(A1:A3)",
    "\u202e倒序文字", "😀任务", "a\nb", "区财政局、、、", "（牵头单位：）", "牵头单位：区财政局；配合单位：", "等",
    "各乡镇(街道", "①②③", "⑴2月底前⑵", "1、2、3、", "每月", "每月99日前", "第5季度", "二〇二六年十三月",
    "长期", "即刻", "星期八", "2026.6", "6.31前", "下周五", "年内", "12:30", "2026-01-01 25:61", "\t",
]
FORMULAS = ['=HYPERLINK("http://x","点我")', "+1", "-2", "@SUM(A1:A3)", "=cmd|' /C calc'!A0", "=1+1"]
HEADER_NOISE = ["备注", "x", "", "序号", "事项", "牵头单位", "完成时限", "_row", "deadline", "content", "完成时限（时间节点）",
                "*序号", "ＡＢＣ", "1", "2026-01-01"]
MAGIC = [b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
         b"\x7fELF", b"\x1f\x8b\x08", b"<html><table>", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00"]


def _random_text(rng: random.Random, length: int) -> str:
    pools = ["区财政局住建发改委牵头配合单位完成时限年月日前底内个工作日", "abcXYZ0123456789 ,;\t\"'\n",
             "（）()【】、，；：。《》“”", "\u3000\u200b\ufeff\u202e\x85\u2028"]
    return "".join(rng.choice(rng.choice(pools)) for _ in range(length))


# ------------------------------------------------------------------------------------ mutations


def _copy(table: Table) -> Table:
    return Table(table.kind, list(table.header), [list(r) for r in table.rows], list(table.title))


def _mutate_table(rng: random.Random, table: Table) -> Table:
    t = _copy(table)
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        t.header = t.header or ["x"]
        width = len(t.header)
        op = rng.random()
        if op < 0.30:  # one cell gets a bad, odd or formula-like value
            row = rng.choice(t.rows) if t.rows else None
            if row is not None and row:
                row[rng.randrange(len(row))] = rng.choice(BAD_VALUES if rng.random() < 0.8 else FORMULAS)
        elif op < 0.38:  # drop a column
            if width > 1:
                j = rng.randrange(width)
                t.header.pop(j)
                for r in t.rows:
                    if j < len(r):
                        r.pop(j)
                width -= 1
        elif op < 0.43:  # duplicate a column
            j = rng.randrange(width)
            t.header.insert(j, t.header[j])
            for r in t.rows:
                if j < len(r):
                    r.insert(j, r[j])
            width += 1
        elif op < 0.47:  # shuffle the columns (still valid)
            order = list(range(width))
            rng.shuffle(order)
            t.header = [t.header[j] for j in order]
            t.rows = [[r[j] if j < len(r) else "" for j in order] for r in t.rows]
        elif op < 0.53:  # an odd header name
            t.header[rng.randrange(width)] = rng.choice(HEADER_NOISE)
        elif op < 0.58:  # header only, or no header at all
            if rng.random() < 0.5:
                t.rows = []
            else:
                t.header = list(t.rows[0]) if t.rows else ["x"]
        elif op < 0.63:  # empty rows, a heading, a note, a repeated header
            t.rows.insert(rng.randrange(len(t.rows) + 1),
                          rng.choice([[""] * width, ["一、重点工作"], ["注：本表由各单位填报"], list(t.header)]))
        elif op < 0.68:  # a duplicated row (duplicate 序号)
            if t.rows:
                t.rows.append(list(rng.choice(t.rows)))
        elif op < 0.72:  # a ragged row: too many or too few fields
            if t.rows:
                r = rng.choice(t.rows)
                if rng.random() < 0.5:
                    r.extend(["多出的内容"] * rng.randint(1, 3))
                else:
                    del r[rng.randrange(len(r) + 1):]
        elif op < 0.77:  # random text in a random cell
            if t.rows:
                r = rng.choice(t.rows)
                if r:
                    r[rng.randrange(len(r))] = _random_text(rng, rng.randint(1, 40))
        elif op < 0.80:  # more title rows, or none
            t.title = [] if t.title else ["某某区人民政府督查室", "（2026年10月）"]
        elif op < 0.81:  # an enormous cell
            if t.rows:
                t.rows[0][rng.randrange(len(t.rows[0]))] = "长" * rng.choice([32_767, 32_768, 40_000, 140_000])
        elif op < 0.815:  # thousands of columns
            extra = rng.choice([250, 300, 3000])
            t.header += [f"列{k}" for k in range(extra)]
            for r in t.rows:
                r += ["x"] * extra
            width = len(t.header)
        elif op < 0.82:  # many rows (a valid mid-sized list)
            base = t.rows[:1] or [[""] * width]
            t.rows = [list(base[0]) for _ in range(rng.choice([200, 1000]))]
        else:  # the whole row replaced by junk
            if t.rows:
                t.rows[rng.randrange(len(t.rows))] = [_random_text(rng, rng.randint(0, 12)) for _ in range(width)]
    return t


def _mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 3])):
        op = rng.random()
        if op < 0.35 and buffer:  # flip bytes
            for _ in range(rng.randint(1, 8)):
                buffer[rng.randrange(len(buffer))] = rng.randrange(256)
        elif op < 0.60 and buffer:  # cut short
            del buffer[rng.randrange(len(buffer)):]
        elif op < 0.72:  # insert junk
            at = rng.randrange(len(buffer) + 1)
            buffer[at:at] = rng.randbytes(rng.randint(1, 64))
        elif op < 0.80:  # a binary or encoding header in front
            buffer[0:0] = rng.choice(MAGIC)
        elif op < 0.88 and buffer:  # a stretch duplicated
            a = rng.randrange(len(buffer))
            b = min(len(buffer), a + rng.randint(1, 200))
            buffer[a:a] = buffer[a:b]
        elif op < 0.94:  # a stray NUL or control byte
            buffer.insert(rng.randrange(len(buffer) + 1), rng.choice([0, 1, 0x1a, 0x7f, 0x0b]))
        else:  # a GBK line inside a UTF-8 file, or the reverse
            extra = "\n5,混入的编码,区财政局,,王建国,年底前\n"
            buffer += extra.encode("gbk" if rng.random() < 0.5 else "utf-8")
    return bytes(buffer)


# ------------------------------------------------------------------------------------ rendering


def _csv_bytes(rng: random.Random, t: Table) -> bytes:
    delimiter = rng.choice([",", ",", ",", ",", "\t", ";"])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=rng.choice(["\n", "\n", "\r\n", "\r"]))
    for line in t.title:
        writer.writerow([line])
    if t.header:
        writer.writerow(t.header)
    writer.writerows(t.rows)
    text = out.getvalue()
    if rng.random() < 0.04 and '"' in text:  # an unbalanced quote
        at = rng.randrange(len(text))
        text = text[:at] + '"' + text[at:]
    encoding = rng.choice(["utf-8", "utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _xlsx_bytes(rng: random.Random, t: Table) -> bytes:
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        sheet = book.add_worksheet(rng.choice(["任务分解", "Sheet1", "督办台账"]))
        width = max([len(t.header)] + [len(r) for r in t.rows]) or 1
        row = 0
        for line in t.title:
            if width > 1 and rng.random() < 0.7:
                sheet.merge_range(row, 0, row, width - 1, line)
            else:
                sheet.write_string(row, 0, line)
            row += 1
        for j, name in enumerate(t.header):
            sheet.write_string(row, j, name)
        row += 1
        for values in t.rows:
            for j, value in enumerate(values):
                if value == "":
                    continue
                if rng.random() < 0.05 and value.isascii() and value.isdigit() and len(value) < 10:
                    sheet.write_number(row, j, int(value))
                elif rng.random() < 0.03 and value.startswith("="):
                    sheet.write_formula(row, j, value, None, 0)
                else:
                    sheet.write_string(row, j, value[:32_767])
            row += 1
        if rng.random() < 0.5:
            book.add_worksheet("填表说明").write_string(0, 0, "本表由各单位填报")
    return buffer.getvalue()


def _junk(rng: random.Random, templates: list[Table]) -> bytes:
    choice = rng.random()
    if choice < 0.25:
        return rng.randbytes(rng.randint(0, 3000))
    if choice < 0.45:
        return rng.choice(MAGIC) + rng.randbytes(rng.randint(0, 500))
    if choice < 0.60:
        return _random_text(rng, rng.randint(0, 400)).encode(rng.choice(["utf-8", "gb18030", "utf-16"]))
    if choice < 0.70:
        return rng.choice([b"", b"\n\n", b"\xef\xbb\xbf", b" \t\r\n", b"\xff\xfe", b",", b'"', b"\x00"])
    # a real list, cut short or with a binary header: unreadable however it is named
    data = _xlsx_bytes(rng, rng.choice(templates)) if rng.random() < 0.5 else _csv_bytes(rng, rng.choice(templates))
    if rng.random() < 0.5:
        return data[:rng.randrange(max(len(data), 1))]
    return rng.choice(MAGIC) + data


def generate(rng: random.Random, templates: list[Table], accepted: list[bytes]) -> tuple[str, bytes]:
    """One file: its name (which says nothing reliable about its content) and bytes."""
    name = f"任务清单{rng.randrange(1000)}" + rng.choice([".csv", ".xlsx", ".xls", ".txt", "", ".CSV"])
    roll = rng.random()
    if roll < 0.50:
        return name, _junk(rng, templates)
    if roll < 0.52 and accepted:  # a file imported before, under another name
        return name, rng.choice(accepted)
    template = rng.choice(templates)
    table = _mutate_table(rng, template) if rng.random() < 0.97 else _copy(template)
    if rng.random() < 0.96:  # most lists get something a validator must catch
        _break_a_value(rng, table)
    if rng.random() < 0.3:
        data = _xlsx_bytes(rng, table)
        if rng.random() < 0.3:  # a whole zip whose XML is damaged: what reaches calamine's parser
            return name, _mangle_part(rng, data)
    else:
        data = _csv_bytes(rng, table)
    if rng.random() < 0.6:
        data = _mutate_bytes(rng, data)
    return name, data


def _mangle_part(rng: random.Random, data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = rng.choice(sorted(parts))
    text = parts[name]
    if rng.random() < 0.3 and name.startswith("xl/worksheets/"):  # a cell placed far away
        far = rng.choice([b"IW1", b"XFD5", b"A1048576", b"ZZ99999", b"A0", b"A99999999", b"AAAA1"])
        text = text.replace(b'r="B', b'r="' + far + b'" x="', 1)
    else:
        parts[name] = text
        text = _mutate_bytes(rng, text)
    parts[name] = text
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    return buffer.getvalue()


def _break_a_value(rng: random.Random, table: Table) -> None:
    """A value that must be refused, in a column that is checked (dates, 完成时限, 是否办结, 排序)."""
    # An unreadable 完成时限 (下个阶段) is a flag since issue 9; an impossible date is refused.
    checked = {"完成时限": "2026年2月30日前", "办理时限": "13月45日前", "会议日期": "2026-13-45", "填报日期": "去年",
               "批示时间": "某天", "是否办结": "也许", "排序": "第一", "办结日期": "2026年2月30日"}
    columns = [j for j, name in enumerate(table.header) if name in checked]
    rows = [r for r in table.rows if r]
    if columns and rows:
        j = rng.choice(columns)
        row = rng.choice(rows)
        if j < len(row):
            row[j] = checked[table.header[j]]


# ------------------------------------------------------------------------------------ the ledger


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' "
        "ORDER BY table_name"
    ).fetchall()]


def snapshot(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, tuple[int, int | None]]:
    """Every table's row count and order-independent content hash."""
    query = " UNION ALL ".join(f"SELECT '{t}', count(*), bit_xor(hash(x)) FROM \"{t}\" x" for t in tables)
    return {name: (count, digest) for name, count, digest in con.execute(query).fetchall()}


def file_state(path: Path) -> tuple:
    """The ledger file and its WAL as the file system sees them: any commit changes this."""
    state = []
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            info = file.stat()
            state.append((info.st_size, info.st_mtime_ns))
        except FileNotFoundError:
            state.append(None)
    return tuple(state)


def rolled_back_an_open_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the import left a transaction open (it is rolled back here); one statement."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:  # "no transaction is active": as it should be
        return False
    return True


def _signature(error: BaseException) -> str:
    """What kind of failure: the exception and the project line that raised it."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/etl/" in f.filename or "/ledger/" in f.filename] \
        or traceback.extract_tb(error.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(error).__name__} at {where}: {str(error).splitlines()[0][:160] if str(error) else ''}"


def _clean(result: ImportResult) -> tuple[str, str] | None:
    """(kind, detail) when a result is not one of the three clean outcomes; None when it is."""
    if len(result.files) != 1:
        return "not one file report", repr(result)
    report = result.files[0]
    if result.committed:
        return ("committed with errors", repr(report.errors)) if report.errors else None
    if report.errors:
        empty = [e for e in report.errors if not isinstance(e.message, str) or not e.message.strip()]
        if empty:
            return f"a row error without a message (column {empty[0].column!r})", repr(report.errors)
        return None
    if report.already_imported:
        return None
    return "not committed, yet no error and not already imported", repr(report)


def _seed_ledger(con: duckdb.DuckDBPyConnection, templates: list[Table]) -> None:
    """Leaders, units and the first meeting list, so progress files have tasks to report on."""
    for table in (templates[5], templates[4], templates[0]):
        result = import_files(con, [InputFile("seed.csv", _csv_bytes_plain(table))], FUZZ_OPTIONS)
        assert result.committed, [e.message for e in result.files[0].errors]


def _csv_bytes_plain(t: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for line in t.title:
        writer.writerow([line])
    writer.writerow(t.header)
    writer.writerows(t.rows)
    return out.getvalue().encode("utf-8")


def seeded_ledger(path: Path) -> Path:
    """A ledger at path with leaders, units and one meeting's tasks, closed again."""
    con = open_ledger(path)
    try:
        _seed_ledger(con, _templates())
    finally:
        con.close()
    return path


@dataclass
class Failure:
    index: int
    name: str
    data: bytes
    kind: str
    detail: str


class FuzzLedger:
    """A ledger file that files are fed to, one import each, checking after every file that a
    rejected file left no trace and an accepted one left the declared integrity whole."""

    def __init__(self, path: Path):
        self.path = path
        self.con = open_ledger(path)
        self.tables = _tables(self.con)
        self.accepted: list[bytes] = []
        self._settle()

    def _settle(self) -> None:
        """The ledger as it is now is the reference for the files that follow."""
        self.baseline, self.state = snapshot(self.con, self.tables), file_state(self.path)
        self.unchecked: list[tuple[int, str, bytes]] = []   # rejected since the last full check

    def feed(self, index: int, name: str, data: bytes) -> tuple[str, list[Failure]]:
        """Imports one file; its outcome (accepted, rejected, already imported) and failures."""
        failures = []

        def fail(kind: str, detail: str = "") -> None:
            failures.append(Failure(index, name, data, kind, detail))

        try:
            result = import_files(self.con, [InputFile(name, data)], FUZZ_OPTIONS)
        except Exception as error:
            fail(_signature(error), traceback.format_exc())
            result = None
        if result is not None and (problem := _clean(result)):
            fail(*problem)
        if rolled_back_an_open_transaction(self.con):
            fail("the import left a transaction open")
        if result is not None and result.committed:
            self.accepted.append(data)
            broken = integrity.violations(self.con)
            if broken:
                fail(f"an accepted file broke the ledger's integrity ({broken[0].check.name})",
                     "\n".join(v.message for v in broken))
            self._settle()
            return "accepted", failures
        self.unchecked.append((index, name, data))
        if file_state(self.path) != self.state:
            fail("the ledger file changed although nothing was committed")
            self._settle()
        return ("already imported" if result and result.files[0].already_imported else "rejected"), failures

    def full_check(self) -> list[Failure]:
        """Every table's content against the reference: a difference names every file since the last check."""
        now = snapshot(self.con, self.tables)
        failures = []
        if now != self.baseline and self.unchecked:
            changed = sorted(t for t in now if now[t] != self.baseline.get(t))
            span = f"within files {self.unchecked[0][0]}..{self.unchecked[-1][0]}"
            failures = [Failure(i, n, d, f"the ledger changed without a commit (tables {changed})", span)
                        for i, n, d in self.unchecked]
        self.baseline, self.unchecked = now, []
        return failures

    def close(self) -> None:
        self.con.close()


# ------------------------------------------------------------------------------------ the runs


@pytest.fixture
def catalog_parsed_once(monkeypatch):
    """The importer parses data/unit_catalog.csv on every import: 2-5 ms, more than reading a
    rejected file. The file does not change during the run and a Catalog is read-only after
    it is built, so the fuzz run parses it once."""
    shipped = Catalog.load()
    original = Catalog.load

    def load(cls, path=DEFAULT_CATALOG_FILE):
        return shipped if Path(path) == DEFAULT_CATALOG_FILE else original(path)

    monkeypatch.setattr(Catalog, "load", classmethod(load))


@pytest.fixture
def fuzz_plan(request, capsys, record_property) -> tuple[int, int]:
    """(seed, files): --fuzz-seed / FUZZ_SEED to replay a run, else a fresh seed per run;
    --fuzz-files / FUZZ_FILES, else DEFAULT_FILES. Printed before the run, so a run that hangs
    or dies still names its seed."""
    option = request.config.getoption("fuzz_seed", None)
    seed = option if option is not None else os.environ.get("FUZZ_SEED")
    seed = int(seed) if seed not in (None, "") else random.SystemRandom().randrange(1, 2**31)
    files = request.config.getoption("fuzz_files", None) or int(os.environ.get("FUZZ_FILES", DEFAULT_FILES))
    record_property("fuzz_seed", seed)
    with capsys.disabled():
        print(f"\nfuzz: seed {seed}, {files} files (replay: pytest {Path(__file__).relative_to(ROOT)} "
              f"--fuzz-seed {seed} --fuzz-files {files})")
    return seed, files


def _save(seed: int, failure: Failure) -> Path:
    """The failing file and why, under test-artifacts/fuzz/ (ignored by git)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = f"seed{seed}-file{failure.index:05d}"
    path = ARTIFACTS / f"{stem}{Path(failure.name).suffix or '.bin'}"
    path.write_bytes(failure.data)
    (ARTIFACTS / f"{stem}.md").write_text(
        f"file name: {failure.name}\nseed {seed}, file {failure.index}\n\n{failure.kind}\n\n{failure.detail}\n",
        encoding="utf-8",
    )
    return path


def test_generated_files_never_break_the_importer_or_change_the_ledger_when_rejected(
    tmp_path, catalog_parsed_once, fuzz_plan
):
    seed, files = fuzz_plan
    templates = _templates()
    rng = random.Random(seed)
    failures: dict[str, list[int]] = {}   # kind of failure -> files
    outcomes = {"accepted": 0, "rejected": 0, "already imported": 0}
    started = time.perf_counter()

    def record(found: list[Failure]) -> None:
        for failure in found:
            seen = failures.setdefault(failure.kind, [])
            if len(seen) < 3:
                _save(seed, failure)
            seen.append(failure.index)

    index = 0
    while index < files and sum(len(v) for v in failures.values()) <= MAX_FAILURES:
        # A fresh ledger every SEGMENT files: accepted files add units and tasks, and the
        # importer's fixed cost grows with the ledger.
        ledger = FuzzLedger(seeded_ledger(tmp_path / f"ledger-{index // SEGMENT}.duckdb"))
        for index in range(index, min(index + SEGMENT, files)):  # noqa: B020 - carries on where the last one stopped
            name, data = generate(rng, templates, ledger.accepted)
            outcome, found = ledger.feed(index, name, data)
            outcomes[outcome] += 1
            record(found)
            if outcome != "accepted" and (index % FULL_CHECK_EVERY == 0 or index % SEGMENT == SEGMENT - 1
                                          or index == files - 1):
                record(ledger.full_check())
        ledger.close()
        index += 1
    elapsed = time.perf_counter() - started
    summary = "\n".join(
        f"  {len(seen)} files, e.g. file {seen[0]} (test-artifacts/fuzz/seed{seed}-file{seen[0]:05d}.*): {kind}"
        for kind, seen in sorted(failures.items(), key=lambda item: -len(item[1]))
    )
    replay = f"replay with --fuzz-seed {seed} --fuzz-files {files}; keep a file in {FIXTURES.relative_to(ROOT)}/"
    assert not failures, f"seed {seed}: after {index} files ({outcomes}), failures by kind ({replay}):\n{summary}"
    assert index == files
    # Some files must get through, most must not; otherwise the generator tests nothing.
    assert outcomes["accepted"] >= files // 500 and outcomes["rejected"] >= files // 2, (seed, outcomes)
    print(f"fuzz: seed {seed}, {files} files in {elapsed:.0f}s: {outcomes}")


def kept_files() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_file() and p.suffix != ".md")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    return seeded_ledger(tmp_path_factory.mktemp("fuzz-fixtures") / "seeded.duckdb")


@pytest.mark.parametrize("kept", kept_files(), ids=lambda path: path.name)
def test_kept_fuzz_files_are_handled_cleanly(kept, seeded, tmp_path, catalog_parsed_once):
    """Every file under tests/fixtures/fuzz/ (shapes that broke the importer once, and files a
    failed fuzz run wrote to test-artifacts/fuzz/ and someone kept), with the fuzz run's checks."""
    path = tmp_path / "ledger.duckdb"
    shutil.copyfile(seeded, path)
    ledger = FuzzLedger(path)
    try:
        outcome, failures = ledger.feed(0, kept.name, kept.read_bytes())
        failures += ledger.full_check()
        if outcome == "accepted":   # and a second time: already imported, nothing changes
            again, more = ledger.feed(1, kept.name, kept.read_bytes())
            failures += more + ledger.full_check()
            assert again == "already imported"
    finally:
        ledger.close()
    assert not failures, "\n".join(f"{f.kind}\n{f.detail}" for f in failures)


def test_the_kept_fuzz_files_are_there():
    assert len(kept_files()) >= 8, f"{FIXTURES} lost its files"
