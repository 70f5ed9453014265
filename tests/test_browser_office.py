"""The office's day in a real browser (issue 11): `streamlit run dashboard.py` on a demo ledger in
tmp_path, Playwright with Debian's Chromium at 1440 px.

督查室 signs in → 督查总览 shows the queue counts the ledger has → 逾期预警: 催办 of one unit from
its header (recorded in the ledger's `chases` and the audit log), its 催办单 downloaded as Word
and its items checked against the ledger → every other page. Throughout, every request the
pages make is recorded: all go to the local server (icons and styles are bundled). The
逾期预警 tables fit the 1440 px screen; the uploader speaks Chinese with the true limit.

The screenshot of 逾期预警 goes to test-artifacts/, and to docs/screenshots/overdue.png with
--update-screenshots (tests/conftest.py). The server and browser fixtures are those of
tests/test_browser.py; every wait is bounded; the server is always stopped.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from docx import Document
from playwright.sync_api import Page, expect
from test_browser import (
    ARTIFACTS,
    PAGE_TIMEOUT,
    SCREENSHOTS,
    _browser_page,
    _build_demo_ledger,
    _go,
    _log_in,
    _settled,
    _title,
    served_dashboard,
)

from etl.intake import DEFAULT_MAX_UPLOAD_MB
from ledger import accounts, queries
from ledger.db import ledger_reader
from ledger.vocabulary import QUEUE_COUNT_LABELS
from ui import pages

OFFICE = "ducha"
WAY, NOTE = "电话", "电话督促分管负责同志，要求三个工作日内书面反馈办理进展"
SHOT = "overdue.png"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(url, ledger path): the demo ledger served by a real `streamlit run`."""
    tmp = tmp_path_factory.mktemp("office")
    ledger = tmp / "ledger.duckdb"
    _build_demo_ledger(ledger, tmp / "demo")
    with served_dashboard(ledger) as url:
        yield url, ledger


@pytest.fixture
def update_screenshots(request) -> bool:
    return bool(request.config.getoption("update_screenshots", False)) or os.environ.get("UPDATE_SCREENSHOTS") == "1"


def read(ledger: Path, work):
    """work(con, office user) on the ledger, read-only under its shared lock (the dashboard
    holds it only per query)."""
    with ledger_reader(str(ledger)) as con:
        return work(con, accounts.account_session(con, OFFICE)[0])


def rows(ledger: Path, statement: str, params: list) -> list[tuple]:
    with ledger_reader(str(ledger)) as con:
        return con.execute(statement, params).fetchall()


def unit_items(ledger: Path, unit: str, on: date) -> pl.DataFrame:
    """The unit's red then amber items as the ledger's own query lists them."""
    scope = queries.AllTasks(lead_units=(unit,))
    return read(ledger, lambda con, office: pl.concat([
        queries.alerts(con, office, on, scope, status=status, group_by="unit") for status in ("overdue", "due_soon")
    ]))


def section(page: Page, unit: str):
    """A unit's section on 逾期预警 (pages/overdue.py keys it by the unit's name)."""
    return page.locator(f".st-key-overdue_unit_{hashlib.sha1(unit.encode('utf-8')).hexdigest()[:12]}")


def test_the_office_sees_its_queues_chases_a_unit_and_prints_its_notice(served, tmp_path, update_screenshots):
    url, ledger = served
    today = date.today()
    requests: list[str] = []
    errors: list[str] = []
    with _browser_page() as page:
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url, timeout=PAGE_TIMEOUT)
        _log_in(page, OFFICE)
        _title(page, "督查总览")

        # The queue counts on 督查总览 are the ledger's.
        counts = read(ledger, lambda con, office: queries.queue_counts(con, office, today))
        assert set(counts) == {"to_verify", "to_approve", "lookbacks_due", "reports_missing"}
        assert any(counts.values())   # the demo has something waiting
        for key, count in counts.items():
            metric = page.locator('[data-testid="stMetric"]').filter(has_text=QUEUE_COUNT_LABELS[key])
            expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(f"{count:,}")

        # 逾期预警: the unit with the most overdue items first; 催办 from its header.
        _go(page, "逾期预警")
        groups = read(ledger, lambda con, office: queries.alert_groups(
            con, office, today, queries.EVERY_TASK, group_by="unit"))
        unit = groups["group_name"][0]
        red = unit_items(ledger, unit, today).filter(pl.col("status") == "overdue")["code"].to_list()
        assert red and rows(ledger, "SELECT count(*) FROM chases", []) == [(0,)]
        box = section(page, unit)
        expect(box.get_by_role("heading", name=unit)).to_be_visible()
        expect(box).to_contain_text("尚未催办")
        expect(box.locator('[data-testid="stDataFrame"]')).to_be_visible()
        _fits(page)
        _screenshot(page, update_screenshots, SHOT)

        box.get_by_role("button", name="催办", exact=True).click()
        form = page.locator('[data-testid="stPopoverBody"]')
        form.get_by_text(WAY, exact=True).click()
        form.get_by_role("textbox", name="催办说明").fill(NOTE)
        form.get_by_role("button", name="确认催办").click()
        expect(page.locator('[data-testid="stAlertContentSuccess"]')).to_contain_text(
            f"已{WAY}催办{unit}的逾期事项 {len(red)} 项")
        _settled(page)
        expect(section(page, unit)).to_contain_text(f"已催办 1 次，最近一次 {today:%Y-%m-%d}")

        # In the ledger: one chase per red item, by the office account, and each audited.
        chased = rows(ledger, """
            SELECT t.code, u.name, c.chased_on, c.way, c.note, c.chased_by
            FROM chases c JOIN tasks t USING (task_id) JOIN units u ON u.unit_id = c.unit_id ORDER BY t.code""", [])
        assert chased == sorted((code, unit, today, "phone", NOTE, OFFICE) for code in red)
        audited = rows(ledger, """
            SELECT actor, entity_id, after FROM audit_log WHERE action = 'chase' AND field = 'chased_unit'
            ORDER BY entity_id""", [])
        assert audited == sorted((OFFICE, code, unit) for code in red)

        # Its 催办单, as Word: the items are the ledger's.
        with page.expect_download(timeout=PAGE_TIMEOUT) as download:
            section(page, unit).get_by_role("button", name="催办单", exact=True).click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.suffix == ".docx" and unit in saved.name
        _check_notice(saved, unit, unit_items(ledger, unit, today), today)

        # Every other page the office opens, then the uploader.
        for entry in pages.PAGES:
            if entry.title not in ("督查总览", "逾期预警", "数据导入"):
                _go(page, entry.title)
        _go(page, "待办")
        expect(page.get_by_role("tab").first).to_be_visible()
        _screenshot(page, update_screenshots, "queue.png")   # the README's routine shows the office's 待办
        _go(page, "数据导入")
        _uploader_in_chinese(page)
        icons = page.evaluate("() => [...document.querySelectorAll('link[rel~=icon]')].map(link => link.href)")
        assert icons and all(icon.startswith((url + "/", "data:")) for icon in icons), icons

    assert not errors, errors
    assert requests, "no request recorded"
    foreign = sorted({request for request in requests
                      if not request.startswith((url + "/", "data:", "blob:"))})
    assert not foreign, foreign


def _fits(page: Page) -> None:
    """Every table on 逾期预警 shows all its columns within the 1440 px screen."""
    tables = page.locator('[data-testid="stDataFrame"]')
    assert tables.count() > 0
    widths = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
        .map(s => [s.scrollWidth, s.clientWidth])""")
    assert widths and all(scroll <= client for scroll, client in widths), widths
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1440


def _screenshot(page: Page, update: bool, name: str) -> None:
    """The page as the office sees it at 1440 px: the first screen."""
    page.wait_for_timeout(1000)   # the grids paint on a canvas after the run settles
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    assert path.stat().st_size > 0
    if update:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / name)


def _check_notice(path: Path, unit: str, items: pl.DataFrame, today: date) -> None:
    document = Document(str(path))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "督办事项催办单" in text and f"{unit}：" in text
    assert f"{today.year}年{today.month}月{today.day}日" in text
    [table] = document.tables
    header, *body = [[cell.text for cell in row.cells] for row in table.rows]
    assert header[:4] == ["序号", "督办编号", "督办事项", "完成时限"]
    column = {name: header.index(name) for name in ("督办编号", "督办事项", "完成时限", "状态", "逾期")}
    assert [row[column["督办编号"]] for row in body] == items["code"].to_list()
    assert [row[column["督办事项"]] for row in body] == items["content"].to_list()
    assert [row[column["完成时限"]] for row in body] == items["deadline_text"].fill_null("").to_list()
    assert [row[column["状态"]] for row in body] == [
        "逾期" if status == "overdue" else "临期" for status in items["status"]]
    # Calendar days past the deadline in force, the working days beside them (as 逾期预警).
    assert [row[column["逾期"]] for row in body] == [
        f"{(today - due).days}天（{days}个工作日）" if status == "overdue" else ""
        for status, due, days in zip(items["status"], items["due_date"], items["overdue_workdays"], strict=True)]
    assert f"{items.filter(pl.col('status') == 'overdue').height}项已逾期" in text


def _uploader_in_chinese(page: Page) -> None:
    uploader = page.locator(".st-key-upload_files")
    expect(uploader).to_contain_text(f"单个文件不超过 {DEFAULT_MAX_UPLOAD_MB} MB")
    expect(uploader.locator('[data-testid="stFileUploaderDropzoneInstructions"]')).to_be_hidden()
    shown = uploader.inner_text()
    assert "Drag and drop" not in shown and "200MB" not in shown and "per file" not in shown, shown
    # The button's word: "Upload" hidden, 选择文件 drawn in its place.
    label = uploader.locator('[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p')
    assert label.evaluate("p => getComputedStyle(p).fontSize") == "0px"
    assert label.evaluate("p => getComputedStyle(p, '::after').content") == '"选择文件"'
