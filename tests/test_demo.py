"""The demo-data generator: deterministic, in the shapes real offices produce, with a live status mix."""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from demo import generator as demo
from demo.generator import CATEGORIES, DemoFile, build_demo_files, demo_plan
from etl.deadlines import parse_deadline
from ledger.workcal import WorkCalendar

TODAY = date(2026, 6, 15)
TODAYS = (date(2025, 12, 30), date(2026, 2, 19), TODAY, date(2026, 10, 9), date(2027, 3, 15))
MEETING_KINDS = ("常务会议", "区长办公会议", "专题会议", "全体会议")
TASK_FILES = (
    demo.F_EXECUTIVE, demo.F_MAYOR, demo.F_TOPICAL_CSV, demo.F_TOPICAL_XLSX, demo.F_PLENARY,
    demo.F_DIRECTIVES, demo.F_WORK_REPORT, demo.F_AUDIT, demo.F_INSPECTION, demo.F_SUPERVISION,
)
COLLECTIVES = ("各镇街", "各乡镇(街道)", "各乡镇（街道）", "各镇（街道）", "区直各部门", "区直相关部门", "各相关单位")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list[DemoFile]]:
    out = tmp_path_factory.mktemp("demo")
    return out, build_demo_files(out, TODAY)


def _files(built) -> dict[str, list[DemoFile]]:
    found: dict[str, list[DemoFile]] = {}
    for item in built[1]:
        found.setdefault(item.path.name, []).append(item)
    return found


def _read_xlsx(path: Path, header_row: int, sheet: str | None = None) -> pl.DataFrame:
    options = {"sheet_name": sheet} if sheet else {}
    return pl.read_excel(path, engine="calamine", read_options={"header_row": header_row}, **options)


def _read_csv(path: Path, encoding: str = "utf-8") -> pl.DataFrame:
    text = path.read_bytes().decode(encoding)
    return pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False)


def _task_frames(built) -> dict[str, pl.DataFrame]:
    out, files = built
    sheets = {f.sheet for f in files if f.path.name == demo.F_PLENARY}
    frames = {
        demo.F_EXECUTIVE: _read_xlsx(out / demo.F_EXECUTIVE, 2),
        demo.F_MAYOR: _read_csv(out / demo.F_MAYOR, "gbk"),
        demo.F_TOPICAL_CSV: _read_csv(out / demo.F_TOPICAL_CSV, "utf-8-sig"),
        demo.F_TOPICAL_XLSX: _read_xlsx(out / demo.F_TOPICAL_XLSX, 1),
        demo.F_PLENARY: pl.concat([_read_xlsx(out / demo.F_PLENARY, 1, s) for s in sorted(sheets)]),
        demo.F_DIRECTIVES: _read_xlsx(out / demo.F_DIRECTIVES, 0),
        demo.F_AUDIT: _read_xlsx(out / demo.F_AUDIT, 1),
        demo.F_INSPECTION: _read_csv(out / demo.F_INSPECTION),
        demo.F_SUPERVISION: _read_csv(out / demo.F_SUPERVISION),
    }
    report = _read_xlsx(out / demo.F_WORK_REPORT, 2)
    frames[demo.F_WORK_REPORT] = report.filter(pl.col("重点工作").is_not_null())
    return frames


# --- determinism -------------------------------------------------------------------------------


def test_same_day_gives_byte_identical_files(tmp_path):
    first = build_demo_files(tmp_path / "a", TODAY)
    second = build_demo_files(tmp_path / "b", TODAY)
    assert [f.path.name for f in first] == [f.path.name for f in second]
    for a, b in zip(first, second, strict=True):
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name
        assert (a.source_kind, a.source_title, a.source_date, a.sheet) == (b.source_kind, b.source_title, b.source_date, b.sheet)


def test_another_day_moves_the_dates(tmp_path):
    first = build_demo_files(tmp_path / "a", TODAY)
    later = build_demo_files(tmp_path / "b", TODAY + timedelta(days=45))
    changed = {a.path.name for a, b in zip(first, later, strict=True) if a.path.read_bytes() != b.path.read_bytes()}
    assert set(TASK_FILES) | {demo.F_PROGRESS} <= changed
    assert (tmp_path / "a" / demo.F_UNITS).read_bytes() == (tmp_path / "b" / demo.F_UNITS).read_bytes()
    dates_a = _read_csv(tmp_path / "a" / demo.F_MAYOR, "gbk")["时间"].unique().sort().to_list()
    dates_b = _read_csv(tmp_path / "b" / demo.F_MAYOR, "gbk")["时间"].unique().sort().to_list()
    assert dates_a != dates_b


# --- files, shapes, encodings ---------------------------------------------------------------------


def test_load_order_and_options(built):
    out, files = built
    names = [f.path.name for f in files]
    assert names[:2] == [demo.F_LEADERS, demo.F_UNITS]
    assert names[-1] == demo.F_PROGRESS
    assert set(TASK_FILES) == set(names[2:-1])
    assert all(f.path.is_file() and f.path.parent == out for f in files)
    by_name = _files(built)
    topical = by_name[demo.F_TOPICAL_CSV][0]
    assert topical.source_kind == "专题会议" and topical.source_title.endswith("专题会议")
    assert topical.source_date is not None and topical.source_date <= TODAY
    report = by_name[demo.F_WORK_REPORT][0]
    assert (report.source_kind, report.source_title) == ("政府工作报告", "2026年《政府工作报告》")
    assert report.source_date == date(2026, 1, 20)
    audit = by_name[demo.F_AUDIT][0]
    assert audit.source_kind == "审计整改" and "审计" in audit.source_title and audit.source_date < TODAY
    plenary = by_name[demo.F_PLENARY]
    assert len(plenary) == 2 and all(f.source_kind == "全体会议" and f.sheet for f in plenary)
    # Files carrying their sources in columns get no source options.
    for name in (demo.F_EXECUTIVE, demo.F_MAYOR, demo.F_PROGRESS, demo.F_LEADERS, demo.F_UNITS):
        assert by_name[name][0].source_title is None


def test_leaders_and_units(built):
    out, _ = built
    leaders = _read_csv(out / demo.F_LEADERS)
    assert leaders.columns == ["姓名", "职务", "排序"]
    assert leaders.height == 6
    assert sorted(leaders["职务"].to_list()) == sorted(["区长", "常务副区长"] + ["副区长"] * 4)
    assert leaders["姓名"].n_unique() == 6
    units = _read_csv(out / demo.F_UNITS)
    assert units.columns == ["单位名称", "简称", "单位类型", "分管领导"]
    assert units.height >= 42
    assert set(units["单位类型"]) == {"部门", "镇街", "企业"}
    assert units.filter(pl.col("单位类型") == "镇街").height >= 8
    assert 2 <= units.filter(pl.col("单位类型") == "企业").height <= 3
    assert set(units["分管领导"]) <= set(leaders["姓名"])
    names = set(units["单位名称"])
    for required in ("区发展和改革局", "区财政局", "区住房和城乡建设局", "区人力资源和社会保障局", "区教育局",
                     "区卫生健康委员会", "区自然资源局", "区生态环境分局", "区交通运输局", "区农业农村局",
                     "区水利局", "区商务局", "区文化和旅游局", "区应急管理局", "区市场监督管理局", "区城市管理局",
                     "区民政局", "区司法局", "区审计局", "区统计局", "区医疗保障局", "区退役军人事务局",
                     "区行政审批局", "区科学技术局", "区工业和信息化局", "区政府办公室", "区信访局", "公安青川分局",
                     "区城投集团有限公司"):
        assert required in names
    short_forms = units.filter(pl.col("单位名称") == "区发展和改革局")["简称"][0]
    assert short_forms.split("、") == ["区发改局", "发改局"]


def test_gbk_csv_is_not_utf8(built):
    raw = (built[0] / demo.F_MAYOR).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gbk")
    assert text.splitlines()[0] == "会议,时间,序号,确定事项,主办单位,协办单位,分管领导,办理时限"
    assert "\r\n" in text
    frame = _read_csv(built[0] / demo.F_MAYOR, "gbk")
    assert frame["会议"].n_unique() == 3
    assert all("区长办公会议" in title for title in frame["会议"].unique())


def test_bom_csv_single_topical_meeting(built):
    raw = (built[0] / demo.F_TOPICAL_CSV).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = _read_csv(built[0] / demo.F_TOPICAL_CSV, "utf-8-sig")
    assert frame.columns == ["序号", "工作任务", "责任单位", "时间节点"]
    annotated = frame.filter(pl.col("工作任务").str.contains("（牵头单位："))
    assert annotated.height >= 2
    assert annotated["责任单位"].is_null().all()
    listed = frame.filter(pl.col("责任单位").is_not_null())
    assert listed["责任单位"].str.contains("、").any()


def test_xlsx_files_have_merged_ranges(built):
    for name in (demo.F_EXECUTIVE, demo.F_TOPICAL_XLSX, demo.F_PLENARY, demo.F_WORK_REPORT, demo.F_AUDIT):
        with zipfile.ZipFile(built[0] / name) as archive:
            sheets = [n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
            xml = "".join(archive.read(n).decode("utf-8") for n in sheets)
        assert "<mergeCell " in xml, name
    with zipfile.ZipFile(built[0] / demo.F_EXECUTIVE) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    # Title, and 会议名称 + 会议日期 for each of the five meetings.
    assert xml.count("<mergeCell ") == 1 + 2 * 5


def test_executive_meetings_sheet(built):
    frame = _read_xlsx(built[0] / demo.F_EXECUTIVE, 2)
    assert frame.columns == ["序号", "会议名称", "会议日期", "议定事项", "牵头单位", "配合单位", "责任领导", "完成时限", "进展情况"]
    titles = frame["会议名称"].drop_nulls().to_list()
    assert len(titles) == 5 and all(re.fullmatch(r"区政府第\d+次常务会议", t) for t in titles)
    # Written once per meeting (merged), so the other rows read as empty.
    assert frame["会议名称"].null_count() == frame.height - 5
    meeting_dates = frame["会议日期"].drop_nulls().to_list()
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", d) for d in meeting_dates)  # date cells
    assert any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", d) for d in meeting_dates)  # text
    items = frame["序号"].to_list()
    assert items.count("1") + items.count("1、") == 5 and "1、" in items
    deadlines = frame["完成时限"].to_list()
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2} 00:00:00", d) for d in deadlines)
    assert any(not re.match(r"\d{4}-\d{2}-\d{2}", d) for d in deadlines)


def test_directives_sheet(built):
    frame = _read_xlsx(built[0] / demo.F_DIRECTIVES, 0)
    assert frame.columns[:7] == ["序号", "批示领导", "批示时间", "批示内容", "承办单位", "办理时限", "办理情况"]
    assert frame.height == 30
    assert frame["批示时间"].dtype == pl.Date
    assert frame["批示时间"].max() <= TODAY
    units = frame["承办单位"]
    assert units.str.contains("[、，]").sum() >= 5
    assert units.str.ends_with("等").sum() >= 2
    done = frame.filter(pl.col("是否办结") == "是")
    assert done.height >= 8 and done["办结日期"].null_count() == 0


def test_work_report_sheet(built):
    raw = pl.read_excel(built[0] / demo.F_WORK_REPORT, engine="calamine", has_header=False, infer_schema_length=0)
    first_column = raw[raw.columns[0]].to_list()
    assert first_column[0] == "2026年《政府工作报告》重点工作任务分解表"
    assert first_column[1] == "（按牵头领导排序）"
    assert raw.row(2) == ("序号", "重点工作", "牵头领导", "牵头单位", "责任单位", "完成时限")
    frame = _read_xlsx(built[0] / demo.F_WORK_REPORT, 2)
    headings = frame.filter(pl.col("重点工作").is_null())
    assert headings.height == 7
    assert headings["序号"].to_list()[0] == "一、坚持项目为王，扩大有效投资"
    tasks = frame.filter(pl.col("重点工作").is_not_null())
    steps = tasks.filter(pl.col("完成时限").str.contains("①") & pl.col("完成时限").str.contains("②"))
    assert steps.height >= 3
    repeats = tasks.filter(pl.col("责任单位").is_not_null()).filter(
        pl.struct("牵头单位", "责任单位").map_elements(lambda r: r["牵头单位"] in r["责任单位"], return_dtype=pl.Boolean)
    )
    assert repeats.height >= 3


def test_audit_sheet(built):
    frame = _read_xlsx(built[0] / demo.F_AUDIT, 1)
    assert frame.columns[:8] == ["序号", "问题类型", "问题", "整改措施", "责任单位", "责任领导", "整改时限", "整改情况"]
    assert frame["问题类型"].drop_nulls().n_unique() == frame["问题类型"].drop_nulls().len() >= 5
    assert frame["问题类型"].null_count() > 0  # merged group cells


# --- counts ----------------------------------------------------------------------------------------


def test_task_counts(built):
    frames = _task_frames(built)
    counts = {name: frame.height for name, frame in frames.items()}
    assert sum(counts.values()) >= 420, counts
    assert counts[demo.F_DIRECTIVES] == 30
    assert sum(counts.values()) == len(demo_plan(TODAY))


def test_twelve_meetings_of_four_kinds(built):
    frames = _task_frames(built)
    meetings = set(frames[demo.F_EXECUTIVE]["会议名称"].drop_nulls())
    meetings |= set(frames[demo.F_MAYOR]["会议"])
    meetings |= {f.source_title for f in built[1] if f.source_kind in MEETING_KINDS}
    assert len(meetings) == 12
    kinds = Counter(next(k for k in MEETING_KINDS if k in title) for title in meetings)
    assert set(kinds) == set(MEETING_KINDS)
    assert kinds["常务会议"] == 5 and kinds["区长办公会议"] == 3


def test_progress_reports(built):
    frame = _read_csv(built[0] / demo.F_PROGRESS)
    assert frame.columns == ["会议名称", "序号", "进展情况", "填报日期", "是否办结", "办结日期"]
    assert set(frame["是否办结"]) == {"是", "否"}
    assert (frame["是否办结"] == "是").eq(frame["办结日期"].is_not_null()).all()
    plan = {(t.source_title, str(t.seq)): t for t in demo_plan(TODAY)}
    keys = list(zip(frame["会议名称"], frame["序号"], strict=True))
    assert all(key in plan and plan[key].source_kind in MEETING_KINDS for key in keys)
    closed = [plan[k] for k, flag in zip(keys, frame["是否办结"], strict=True) if flag == "是"]
    assert sum(t.done <= t.due_lo for t in closed) > sum(t.done > t.due_hi for t in closed) > 0


def test_unit_cells_are_messy(built):
    frames = _task_frames(built)
    cells = []
    for frame in frames.values():
        for column in ("牵头单位", "配合单位", "主办单位", "协办单位", "责任单位", "承办单位"):
            if column in frame.columns:
                cells += frame[column].drop_nulls().to_list()
    text = "\n".join(cells)
    assert "区发改局" in text and "区发展和改革局" in text
    assert "区住建局" in text and "区住房和城乡建设局" in text
    for separator in ("、", "，", ",", "；"):
        assert separator in text
    assert any(c.endswith("等") for c in cells)
    assert sum(c in text for c in COLLECTIVES) >= 4


# --- the plan: deadlines and the status mix ----------------------------------------------------------


@pytest.mark.parametrize("today", TODAYS)
def test_status_mix(today):
    plan = demo_plan(today)
    share = {c: n / len(plan) for c, n in Counter(t.category for t in plan).items()}
    assert set(share) == set(CATEGORIES)
    assert 0.12 <= share["overdue"] <= 0.20
    assert 0.07 <= share["due_soon"] <= 0.13
    assert 0.35 <= share["on_track"] <= 0.48
    assert 0.16 <= share["done_on_time"] + share["done_late"] <= 0.25
    assert share["done_late"] < share["done_on_time"]
    assert 0.07 <= share["long_term"] <= 0.14


@pytest.mark.parametrize("today", TODAYS)
def test_planned_dates_match_their_status(today):
    for t in demo_plan(today):
        assert t.source_date <= today
        if t.category == "long_term":
            assert t.due is None
            continue
        assert t.source_date < t.due_lo <= t.due <= t.due_hi
        if t.category == "overdue":
            assert t.due_hi < today
        elif t.category == "due_soon":
            assert today < t.due_lo and t.due_hi <= today + timedelta(days=7)
        elif t.category == "on_track":
            assert t.due_lo > today + timedelta(days=9)
        elif t.category == "done_on_time":
            assert t.source_date < t.done <= t.due_lo and t.done < today
        elif t.category == "done_late":
            assert t.due_hi < t.done < today


def test_deadline_shapes_present():
    written = [t.deadline for t in demo_plan(TODAY)]
    texts = [w for w in written if isinstance(w, str)]
    assert any(isinstance(w, date) for w in written)  # Excel date cells
    patterns = [
        r"\d{4}年\d{1,2}月\d{1,2}日前", r"\d{4}/\d{1,2}/\d{1,2}", r"\d{4}\.\d{1,2}\.\d{1,2}", r"\d{1,2}月底前",
        r"\d{1,2}月上旬前", r"年底前", r"上半年", r"[一二三四]季度", r"明年\d{1,2}月份", r"会后\d+个工作日内",
        r"\d+个工作日内", r"\d+个月内", r"立即", r"每月", r"每季度", r"每月28日前", r"长期坚持", r"持续推进",
        r"\d{4}年底前完成，每季度报送进展情况", r"①.+②.+",
    ]
    for pattern in patterns:
        assert any(re.fullmatch(pattern, t, flags=re.S) for t in texts), pattern


@pytest.mark.parametrize("today", TODAYS)
def test_deadlines_read_by_the_etl_as_planned(today):
    calendar = WorkCalendar()
    for t in demo_plan(today):
        parsed = parse_deadline(t.deadline, t.source_date, calendar)
        if t.due is None:
            assert parsed.kind in ("cycle", "long_term"), t.deadline
        else:
            assert parsed.kind == "date" and t.due_lo <= parsed.date <= t.due_hi, (t.deadline, t.source_date)


def test_main_writes_the_files(tmp_path, capsys):
    assert demo.main([str(tmp_path)]) == 0
    assert (tmp_path / demo.F_EXECUTIVE).is_file()
    assert demo.F_PROGRESS in capsys.readouterr().out
    assert demo.main([]) == 2
