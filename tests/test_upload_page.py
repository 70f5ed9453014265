"""数据导入 page, driven through the real dashboard with AppTest: upload, preview, confirm.

AppTest (streamlit 1.67) drives st.file_uploader: `at.file_uploader(key=...).set_value((name, bytes, mime))`
registers the bytes with the test session's uploaded-file manager, and the page reads them back
as UploadedFile objects, exactly as in a browser session.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from conftest import dashboard_reads, empty_office_ledger, signed_in_app
from streamlit.testing.v1 import AppTest

from ui.safe import md

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"
TIMEOUT = 60

GOOD_CSV = (
    "序号,工作任务,牵头单位,配合单位,完成时限\n"
    "1,推进老旧小区加装电梯试点，年内完成10部电梯安装。,区住房和城乡建设局,区财政局,2026年12月31日前\n"
    "2,完善城区停车设施规划，新增公共停车泊位500个。,区自然资源局,区交通运输局,2026年10月底前\n"
)
BAD_CSV = (
    "序号,工作任务,牵头单位,完成时限\n"
    "1,开展校园周边食品安全专项整治。,区市场监督管理局,2026年9月30日\n"
    "2,推进农村生活污水治理。,区生态环境局,2026年2月30日\n"
)
# A list that names its own meeting: 自动识别 needs no source from the form.
MEETING_CSV = (
    "会议名称,会议日期,序号,议定事项,牵头单位,完成时限\n"
    "区政府第8次常务会议,2026年3月12日,1,加快建设城东污水处理厂二期工程，年底前通水运行。,区水利局,2026年12月31日前\n"
    "区政府第8次常务会议,2026年3月12日,2,做好春季森林防火工作，落实24小时值班制度。,区应急管理局,立即\n"
)


@pytest.fixture
def ledger(tmp_path, monkeypatch) -> Path:
    """An empty ledger in tmp_path, named by $LEDGER_DB, with no connection left cached."""
    with dashboard_reads(empty_office_ledger((tmp_path / "ledger.duckdb").resolve()), monkeypatch) as path:
        yield path


def _count(path: Path, query: str) -> int:
    # Same process and configuration as the app's connection: DuckDB shares the open database.
    con = duckdb.connect(str(path))
    try:
        return con.execute(query).fetchone()[0]
    finally:
        con.close()


def _upload_page() -> AppTest:
    at = signed_in_app("wangmin", TIMEOUT)
    at.run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["数据导入"]
    return at


def _metrics(at: AppTest) -> dict[str, int]:
    return {m.label: int(m.value) for m in at.metric}


PREVIEW = ["文件", "内容", "行数", "新增", "更新", "进展", "新单位", "提示"]
ERRORS = ["文件", "工作表", "行号", "列", "值", "原因"]
BATCHES = ["批次", "导入人", "时间", "文件数", "行数", "新增", "更新", "进展"]
BATCH_FILES = ["文件名", "工作表", "内容", "SHA-256", "行数", "新增", "更新", "进展", "新单位", "提示"]


def _table(at: AppTest, columns: list[str]):
    """The table the page shows with exactly these columns (AppTest does not expose a plain
    st.dataframe's key)."""
    found = [d.value for d in at.dataframe if list(d.value.columns) == columns]
    assert len(found) == 1, f"expected one table with columns {columns}, found {len(found)}"
    return found[0]


def _has_table(at: AppTest, columns: list[str]) -> bool:
    return any(list(d.value.columns) == columns for d in at.dataframe)


def test_good_csv_preview_then_confirm(ledger):
    at = _upload_page()
    at.file_uploader(key="upload_files").set_value(("城建专题会议.csv", GOOD_CSV.encode("utf-8"), "text/csv"))
    at.selectbox(key="upload_kind").select("专题会议")
    at.text_input(key="upload_title").input("区政府城建工作专题会议")
    at.date_input(key="upload_date").set_value(date(2026, 5, 6))
    at.run()
    assert not at.exception, at.exception

    # The preview: counts per file, nothing written yet.
    assert _metrics(at)["新增事项"] == 2
    assert _metrics(at)["数据行"] == 2
    preview = _table(at, PREVIEW)
    assert preview.iloc[0]["文件"] == "城建专题会议.csv"
    assert (preview.iloc[0]["行数"], preview.iloc[0]["新增"], preview.iloc[0]["更新"]) == (2, 2, 0)
    assert not at.error
    assert _count(ledger, "SELECT count(*) FROM tasks") == 0
    assert _count(ledger, "SELECT count(*) FROM import_batches") == 0

    # The importer is the signed-in account, named under the button.
    assert any("导入人：王敏（督查室）" in caption.value for caption in at.caption)
    assert not at.button(key="upload_confirm").disabled

    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert len(at.success) == 1
    assert "新增督办事项 2 项" in at.success[0].value
    assert _count(ledger, "SELECT count(*) FROM tasks") == 2
    assert _count(ledger, "SELECT count(*) FROM tasks WHERE content LIKE '%加装电梯%'") == 1

    # The history shows the batch and its file; the same file again changes nothing.
    batches = _table(at, BATCHES)
    # The importer by name, not by login (the batch keeps the login: import_batches.created_by).
    assert (batches.iloc[0]["导入人"], batches.iloc[0]["文件数"], batches.iloc[0]["新增"]) == ("王敏", 1, 2)
    assert _count(ledger, "SELECT count(*) FROM import_batches WHERE created_by = 'wangmin'") == 1
    files = _table(at, BATCH_FILES)
    assert files.iloc[0]["文件名"] == "城建专题会议.csv"
    assert len(files.iloc[0]["SHA-256"]) == 64
    assert any("此前均已导入" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "upload_confirm"]


def test_bad_row_is_shown_and_nothing_is_committed(ledger):
    at = _upload_page()
    at.file_uploader(key="upload_files").set_value(("问题清单.csv", BAD_CSV.encode("utf-8"), "text/csv"))
    at.selectbox(key="upload_kind").select("专题会议")
    at.text_input(key="upload_title").input("区政府环境整治专题会议")
    at.date_input(key="upload_date").set_value(date(2026, 5, 6))
    at.run()
    assert not at.exception, at.exception

    assert any("1 处错误" in e.value for e in at.error)
    errors = _table(at, ERRORS)
    assert len(errors) == 1
    row = errors.iloc[0]
    # An impossible date is malformed, not unreadable: still all or nothing (issue 9).
    assert (row["文件"], row["行号"], row["列"], row["值"]) == ("问题清单.csv", 3, "完成时限", "2026年2月30日")
    assert "日期不存在" in row["原因"] and "2026年2月30日" in row["原因"]
    # No way to commit, and nothing was committed.
    assert not [b for b in at.button if b.key == "upload_confirm"]
    assert _count(ledger, "SELECT count(*) FROM tasks") == 0
    assert _count(ledger, "SELECT count(*) FROM import_batches") == 0
    assert not _has_table(at, BATCHES)
    assert any("还没有导入记录" in i.value for i in at.info)


def test_gbk_csv_with_its_own_meeting_is_accepted(ledger):
    at = _upload_page()
    data = MEETING_CSV.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    at.file_uploader(key="upload_files").set_value(("常务会议议定事项.csv", data, "text/csv"))
    at.run()   # 来源类型 stays 自动识别: the file names its meeting
    assert not at.exception, at.exception
    assert at.selectbox(key="upload_kind").value == "自动识别"
    assert not at.error
    assert _metrics(at)["新增事项"] == 2

    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert "新增督办事项 2 项" in at.success[0].value
    assert _count(ledger, "SELECT count(*) FROM tasks WHERE content LIKE '%城东污水处理厂%'") == 1
    assert _count(ledger, "SELECT count(*) FROM sources WHERE title = '区政府第8次常务会议' AND kind = 'executive'") == 1


def test_several_files_in_one_batch(ledger):
    at = _upload_page()
    at.file_uploader(key="upload_files").set_value([
        ("城建专题会议.csv", GOOD_CSV.encode("utf-8"), "text/csv"),
        ("常务会议议定事项.csv", MEETING_CSV.encode("gbk"), "text/csv"),
    ])
    at.selectbox(key="upload_kind").select("专题会议")
    at.text_input(key="upload_title").input("区政府城建工作专题会议")
    at.date_input(key="upload_date").set_value(date(2026, 5, 6))
    at.run()
    assert not at.exception, at.exception
    assert len(_table(at, PREVIEW)) == 2
    assert _metrics(at)["新增事项"] == 4

    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert _count(ledger, "SELECT count(*) FROM tasks") == 4
    assert _count(ledger, "SELECT count(*) FROM import_batches") == 1
    assert _table(at, BATCHES).iloc[0]["文件数"] == 2


def test_files_are_refused_by_content_and_size_before_anything_is_read(ledger):
    at = _upload_page()
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 4
    at.file_uploader(key="upload_files").set_value(("任务清单.xlsx", pdf, "application/pdf")).run()
    assert not at.exception, at.exception
    # The file's name as escaped Markdown: shown as written, never interpreted (issue 12).
    assert "无法导入" in at.error[0].value and md("任务清单.xlsx") in at.error[0].value
    assert not at.get("metric")
    with duckdb.connect(str(ledger)) as con:
        con.execute("UPDATE settings SET value = '0.0001' WHERE key = 'max_upload_mb'")
    st.cache_data.clear()
    at = _upload_page()
    at.file_uploader(key="upload_files").set_value(("城建专题会议.csv", GOOD_CSV.encode("utf-8"), "text/csv")).run()
    assert "MB" in at.error[0].value
    assert _count(ledger, "SELECT count(*) FROM tasks") == 0
    assert _count(ledger, "SELECT count(*) FROM import_batches") == 0


def test_a_csv_named_xlsx_is_read_as_csv(ledger):
    at = _upload_page()
    at.file_uploader(key="upload_files").set_value(("城建专题会议.xlsx", GOOD_CSV.encode("utf-8"), "text/csv"))
    at.selectbox(key="upload_kind").select("专题会议")
    at.text_input(key="upload_title").input("区政府城建工作专题会议")
    at.date_input(key="upload_date").set_value(date(2026, 5, 6))
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _metrics(at)["新增事项"] == 2


# Issue 9: a work-report breakdown with no 完成时限 and no unit column imports, every row flagged.
FLAGGED_CSV = (
    "序号,工作任务,状态\n"
    "1,由区水利局负责推进中小河流治理，确保5月底前开工、11月底前完工。,滞后\n"
    "2,加快建设城市数字底座，提升政务服务效能。,\n"
    "3,请区民政局做好困难群众基本生活保障。,正常推进\n"
)
ROW_PREVIEW = ["文件", "工作表", "行号", "序号", "督办事项", "完成时限", "时限日期", "时间节点", "牵头单位", "配合单位",
               "责任领导", "待核对"]
FLAGS = ["文件", "工作表", "行号", "列", "提示类型", "内容"]


def _upload_flagged(default_deadline: str = "") -> AppTest:
    at = _upload_page()
    at.file_uploader(key="upload_files").set_value(("重点工作分解.csv", FLAGGED_CSV.encode("utf-8"), "text/csv"))
    at.selectbox(key="upload_kind").select("政府工作报告")
    at.text_input(key="upload_title").input("2026年区政府工作报告重点工作任务分解")
    at.date_input(key="upload_date").set_value(date(2026, 2, 10))
    if default_deadline:
        at.text_input(key="upload_default_deadline").input(default_deadline)
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_list_without_deadlines_or_units_previews_every_row_flagged_then_imports(ledger):
    at = _upload_flagged()
    rows = _table(at, ROW_PREVIEW)
    assert list(rows["行号"]) == [2, 3, 4]
    first, second, third = (rows.iloc[i] for i in range(3))
    # Units and deadlines found in the text, shown before 确认导入.
    assert (first["牵头单位"], first["时限日期"]) == ("区水利局", "2026-11-30")
    assert "2026-05-31" in first["时间节点"] and "2026-11-30" in first["时间节点"]
    assert (second["牵头单位"], second["时限日期"]) == ("待明确责任单位", "未明确时限")
    assert (third["牵头单位"], third["时限日期"]) == ("区民政局", "未明确时限")
    assert "状态滞后" in first["待核对"] and "待明确责任单位" in second["待核对"]
    # What a row lacks is a blank cell, never st.dataframe's "None" (the second row names no leader).
    assert not rows.isna().any().any() and second["责任领导"] == ""
    flags = _table(at, FLAGS)
    assert set(flags["提示类型"]) >= {"待明确责任单位", "缺少完成时限", "状态滞后", "责任单位取自事项内容", "时限取自事项内容"}
    assert any("待核对" in w.value for w in at.warning)
    assert _count(ledger, "SELECT count(*) FROM tasks") == 0

    at.button(key="upload_confirm").click().run()
    assert not at.exception, at.exception
    assert _count(ledger, "SELECT count(*) FROM tasks") == 3
    assert _count(ledger, "SELECT count(*) FROM tasks WHERE deadline_kind = 'none'") == 2
    assert _count(ledger, "SELECT count(DISTINCT task_id) FROM task_flags") == 3
    assert _count(ledger, "SELECT count(*) FROM task_kept_columns WHERE name = '状态'") == 2

    # The task's detail shows its flags and the list's own columns kept with it.
    at.switch_page("pages/ledger.py").run()
    at.text_input(key="ledger_code").input("DB202600002").run()
    assert not at.exception, at.exception
    flags = _table(at, ["提示类型", "内容", "所在列", "所在行"])
    assert set(flags["提示类型"]) == {"待明确责任单位", "缺少完成时限"} and set(flags["所在行"]) == {3}
    assert any("待明确责任单位" in text.value for text in at.text)
    at.text_input(key="ledger_code").set_value("DB202600001").run()
    assert any(text.value == "状态：滞后" for text in at.text)


def test_the_default_deadline_field_applies_to_rows_without_one_and_says_so(ledger):
    at = _upload_flagged("年底前")
    rows = _table(at, ROW_PREVIEW)
    # The row whose text names its deadline keeps it; the others take the default, flagged.
    assert list(rows["时限日期"]) == ["2026-11-30", "2026-12-31", "2026-12-31"]
    flags = _table(at, FLAGS)
    defaulted = flags[flags["提示类型"] == "采用默认时限"]
    assert list(defaulted["行号"]) == [3, 4]
    assert all("年底前" in text for text in defaulted["内容"])
