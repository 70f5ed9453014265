"""Untrusted files: the workbook checks that stop calamine from aborting the process, and the
child process that reads every file under memory and time limits (etl/sandbox.py)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.importer import InputFile, LoadOptions, import_files, read_files
from etl.intake import MAX_SHEETS, ReadError, check_workbook
from etl.reader import read_file
from etl.sandbox import Limits, read_file_isolated
from ledger.db import open_ledger


def _workbook(fill) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    fill(workbook)
    workbook.close()
    return buffer.getvalue()


def _task_list(rows: int = 50) -> bytes:
    def fill(workbook):
        sheet = workbook.add_worksheet("督办清单")
        sheet.write_row(0, 0, ["区政府第12次常务会议议定事项"])
        sheet.write_row(1, 0, ["序号", "工作任务", "牵头单位", "完成时限"])
        for i in range(1, rows + 1):
            sheet.write_row(i + 1, 0, [str(i), f"推进第{i}项工作", "区住建局", "6月底前"])
    return _workbook(fill)


def _rewrite_part(data: bytes, part: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, change(content) if info.filename == part else content)
    return out.getvalue()


def _padded_shared_strings(padding: bytes) -> bytes:
    """A real workbook whose shared-string table declares 10^11 entries after `padding`
    (a comment, a processing instruction): calamine would try to allocate them all."""
    def change(xml: bytes) -> bytes:
        xml = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="100000000000"', xml)
        return xml.replace(b"?>", b"?>" + padding, 1)
    return _rewrite_part(_task_list(3), "xl/sharedStrings.xml", change)


@pytest.mark.parametrize("padding", [
    b"",
    b"<!--" + b"x" * 6000 + b"-->",
    b"<?pad " + b"y" * 70_000 + b"?>",
    b"\n" * 10_000,
])
def test_a_padded_shared_string_declaration_is_refused(padding):
    data = _padded_shared_strings(padding)
    with pytest.raises(ReadError, match="共享字符串表声明了 100,000,000,000 项"):
        check_workbook(data, "padded.xlsx")
    with pytest.raises(ReadError, match="共享字符串表"):
        read_file_isolated(data, "padded.xlsx")


def test_a_namespaced_shared_string_declaration_is_read_too():
    def change(xml: bytes) -> bytes:
        xml = re.sub(rb'uniqueCount="\d+"', b'x:uniqueCount="999999999"', xml)
        return xml.replace(b"<sst ", b"<x:sst xmlns:x=\"urn:x\" ", 1).replace(b"</sst>", b"</x:sst>")
    data = _rewrite_part(_task_list(3), "xl/sharedStrings.xml", change)
    with pytest.raises(ReadError, match="999,999,999"):
        check_workbook(data, "ns.xlsx")


def test_many_sparse_sheets_are_refused_as_one_workbook():
    """50 sheets, each just under the per-sheet cell cap (A1 and IV19531): the workbook as a
    whole is over it."""
    def fill(workbook):
        for _ in range(50):
            sheet = workbook.add_worksheet()
            sheet.write(0, 0, "事项")
            sheet.write(19530, 255, "x")
    data = _workbook(fill)
    assert len(data) < 64 * 1024
    with pytest.raises(ReadError, match="合计超过"):
        check_workbook(data, "sparse.xlsx")


def test_more_sheets_than_the_cap_are_refused():
    def fill(workbook):
        for _ in range(MAX_SHEETS + 1):
            workbook.add_worksheet().write(0, 0, "事项")
    with pytest.raises(ReadError, match=f"超过 {MAX_SHEETS} 个的上限"):
        check_workbook(_workbook(fill), "sheets.xlsx")


def test_the_child_returns_what_the_reader_returns():
    for data, name in ((_task_list(), "清单.xlsx"), ("序号,工作任务,牵头单位\n1,修路,区住建局\n".encode("gb18030"), "清单.csv")):
        isolated = read_file_isolated(data, name)
        direct = read_file(data, name)
        assert [s.sheet for s in isolated] == [s.sheet for s in direct]
        for a, b in zip(isolated, direct, strict=True):
            assert a.fields == b.fields and a.title_lines == b.title_lines and a.header_row == b.header_row
            assert a.frame.equals(b.frame)


def test_the_childs_refusal_is_the_readers_message():
    with pytest.raises(ReadError) as direct:
        read_file(b"\x00\x01binary" * 20, "x.xlsx")
    with pytest.raises(ReadError) as isolated:
        read_file_isolated(b"\x00\x01binary" * 20, "x.xlsx")
    assert str(isolated.value) == str(direct.value)


def test_a_file_beyond_the_memory_limit_is_refused_and_the_caller_survives():
    data = _task_list(20_000)
    with pytest.raises(ReadError, match="文件无法安全读取"):
        read_file_isolated(data, "big.xlsx", limits=Limits(memory_bytes=120 * 1024**2))
    # The same process goes on reading, with the default limits.
    assert read_file_isolated(data, "big.xlsx")[0].frame.height == 20_000


def test_a_file_beyond_the_time_limit_is_refused():
    data = _task_list(20_000)
    with pytest.raises(ReadError, match="时间上限"):
        read_file_isolated(data, "slow.xlsx", limits=Limits(seconds=0.01))


# --- the load path: files are parsed before the ledger is locked ---------------------------

ROOT = Path(__file__).resolve().parent.parent
HOLD = (
    "import sys\n"
    "from ledger.db import ledger_reader, ledger_writer\n"
    "opener = ledger_writer if sys.argv[2] == 'write' else ledger_reader\n"
    "with opener(sys.argv[1]) as con:\n"
    "    print(con.execute('SELECT count(*) FROM tasks').fetchone()[0], flush=True)\n"
    "    sys.stdin.readline()\n"
    "    print(con.execute('SELECT count(*) FROM tasks').fetchone()[0], flush=True)\n"
)


def _hostile_files(tmp_path) -> list[Path]:
    def sparse(workbook):
        for _ in range(50):
            sheet = workbook.add_worksheet()
            sheet.write(0, 0, "事项")
            sheet.write(19530, 255, "x")
    padded = tmp_path / "padded.xlsx"
    padded.write_bytes(_padded_shared_strings(b"<!--" + b"x" * 6000 + b"-->"))
    many = tmp_path / "sparse.xlsx"
    many.write_bytes(_workbook(sparse))
    return [padded, many]


@pytest.mark.parametrize("held", ["read", "write"])
def test_hostile_files_are_refused_while_another_process_holds_the_ledger(tmp_path, held):
    """Another process holds the ledger (reading, or even writing): the CLI still reads the
    hostile files and refuses them in Chinese, because parsing needs no lock; the holder
    carries on and sees the ledger unchanged."""
    path = tmp_path / "ledger.duckdb"
    open_ledger(path).close()
    before = path.read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), held], cwd=ROOT, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == "0"
        for hostile in _hostile_files(tmp_path):
            done = subprocess.run([sys.executable, "-m", "etl", "load", str(hostile), "--db", str(path), "--wait", "1"],
                                  cwd=ROOT, capture_output=True, text=True, timeout=300)
            assert done.returncode == 1, done.stderr  # unreadable input
            assert hostile.name in done.stdout + done.stderr
            assert "台账正忙" not in done.stdout + done.stderr
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "0"
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert holder.returncode == 0
    assert path.read_bytes() == before


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=3000),
    st.builds(lambda head, tail: head + tail, st.sampled_from([b"PK\x03\x04", b"\xef\xbb\xbf", b"\xd0\xcf\x11\xe0"]),
              st.binary(max_size=2000)),
))
def test_whatever_bytes_arrive_the_caller_survives_and_the_ledger_is_unchanged(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "ledger.duckdb"
    con = open_ledger(path)
    con.execute("CHECKPOINT")
    before = path.read_bytes()
    files = [InputFile("上传.xlsx", data)]
    result = import_files(con, files, LoadOptions(source_kind="常务会议", source_title="第1次常务会议",
                                                  source_date=date(2026, 1, 5)), parsed=read_files(files))
    con.close()
    if not result.committed:
        assert path.read_bytes() == before
