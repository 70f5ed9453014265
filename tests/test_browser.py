"""End to end in a real browser: `streamlit run dashboard.py` against a demo ledger in tmp_path,
driven by Playwright with Debian's Chromium.

登录 (a demo account) → 督查总览 → 逾期预警 → 数据导入 (upload a CSV, preview, 确认导入) →
任务台账 (find the new task through the search box); then `python -m etl load` in another
process while the dashboard runs, and the dashboard shows its task. A screenshot of each
page goes to test-artifacts/ and the final set to docs/screenshots/ for the README. Every
wait is bounded; the server is always stopped. Chromium missing is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from demo.build import load_demo
from ledger.accounts import DEMO_ACCOUNTS, create_demo_accounts
from ledger.db import open_ledger

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "dashboard.py"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
SCREENSHOTS = ROOT / "docs" / "screenshots"   # tracked: the README shows them
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
SERVER_START_TIMEOUT = 60      # seconds
PAGE_TIMEOUT = 30_000          # milliseconds, every Playwright wait
# expect() has its own default (5 s), too short for a chart drawn on a busy machine.
expect.set_options(timeout=PAGE_TIMEOUT)

CLI_TASK = "编制全区公共充电设施布局规划，年内新增充电桩300个。"
CLI_CSV = (
    "会议名称,会议日期,序号,议定事项,牵头单位,完成时限\n"
    f"区政府第10次常务会议,2026年5月8日,1,{CLI_TASK},区发展和改革局,2026年12月31日前\n"
)
CLI_TIMEOUT = 90               # seconds: stops a command-line load that hangs

NEW_TASK = "建设全区智慧停车信息平台，实现公共泊位实时查询和错时共享。"
SEARCH_TERM = "智慧停车信息平台"
OTHER_TASK = "开展背街小巷环境卫生专项整治，建立长效保洁机制。"
UPLOAD_CSV = (
    "会议名称,会议日期,序号,议定事项,牵头单位,配合单位,完成时限\n"
    f"区政府第9次常务会议,2026年4月16日,1,{NEW_TASK},区交通运输局,区公安分局,2026年12月31日前\n"
    f"区政府第9次常务会议,2026年4月16日,2,{OTHER_TASK},区城市管理局,各街道,长期坚持\n"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _build_demo_ledger(path: Path, demo_dir: Path) -> None:
    """The demo district, loaded through the ordinary import path (its files written to tmp)."""
    con = open_ledger(path)
    try:
        result = load_demo(con, out_dir=demo_dir)
        assert result.committed and not result.has_errors, result.files
        assert con.execute("SELECT count(*) FROM tasks").fetchone()[0] > 0
        create_demo_accounts(con)
    finally:
        con.close()


def _wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"streamlit did not answer within {SERVER_START_TIMEOUT}s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser") / "ledger.duckdb"


@pytest.fixture(scope="module")
def dashboard_url(ledger_path):
    ledger = ledger_path
    _build_demo_ledger(ledger, ledger.parent / "demo")
    with served_dashboard(ledger) as url:
        yield url


@contextmanager
def served_dashboard(ledger: Path) -> Iterator[str]:
    """The dashboard on `ledger` under a real `streamlit run` on a free local port: its URL,
    once healthy; stopped on leaving. Its log is beside the ledger."""
    port = _free_port()
    log = ledger.parent / "streamlit.log"
    env = {**os.environ, "LEDGER_DB": str(ledger)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(DASHBOARD),
             "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def _browser_page() -> Iterator[Page]:
    """A page in Debian's Chromium; missing Chromium fails the test (it is not skipped)."""
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=PAGE_TIMEOUT)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            context.set_default_timeout(PAGE_TIMEOUT)
            yield context.new_page()
        finally:
            browser.close()


def _settled(page: Page) -> None:
    """Waits until the script run is over: no running indicator, no stale elements."""
    page.wait_for_timeout(300)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_be_hidden(timeout=PAGE_TIMEOUT)
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=PAGE_TIMEOUT)


def _title(page: Page, text: str) -> None:
    expect(page.locator("h1").filter(has_text=text)).to_be_visible()
    _settled(page)


def _go(page: Page, title: str) -> None:
    page.get_by_role("link", name=title).first.click()
    _title(page, title)


def _shot(page: Page, name: str, shots: list[Path], full_page: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    shots.append(path)


def _log_in(page: Page, username: str, shots: list[Path] | None = None) -> None:
    password = next(account.password for account in DEMO_ACCOUNTS if account.username == username)
    page.get_by_role("textbox", name="用户名").fill(username)
    page.get_by_role("textbox", name="密码").fill(password)
    if shots is not None:
        _shot(page, "00-login", shots)
    page.get_by_role("button", name="登录").click()


def _search_ledger(page: Page, term: str) -> None:
    _go(page, "任务台账")
    search = page.get_by_role("textbox", name="搜索")
    search.fill(term)
    search.press("Enter")
    _settled(page)


@pytest.fixture
def update_screenshots(request) -> bool:
    return bool(request.config.getoption("update_screenshots", False)) or os.environ.get("UPDATE_SCREENSHOTS") == "1"


def test_browse_upload_and_find(dashboard_url, tmp_path, update_screenshots):
    with _browser_page() as page:
        shots = _browse_upload_and_find(page, dashboard_url, tmp_path)
    assert [shot.name for shot in shots] == [
        "00-login.png", "01-overview.png", "02-overdue.png", "03-upload-preview.png", "04-upload-done.png",
        "05-ledger-search.png",
    ]
    assert all(shot.parent == ARTIFACTS and shot.stat().st_size > 0 for shot in shots)
    if update_screenshots:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copyfile(shot, SCREENSHOTS / shot.name)


def test_minutes_are_reviewed_before_anything_is_written(dashboard_url, ledger_path, tmp_path, update_screenshots):
    """A set of minutes uploaded on 数据导入: each proposed item with its sentence highlighted in
    its paragraph, the sentences judged not to be items collapsed below; nothing written until
    确认导入 (the README's screenshot of the review step)."""
    from test_minutes_import import WITH_OPINION

    minutes = tmp_path / "区人民政府第23次常务会议纪要.txt"
    minutes.write_text(WITH_OPINION, encoding="utf-8")
    before = _task_count(ledger_path)
    with _browser_page() as page:
        page.set_viewport_size({"width": 1440, "height": 2300})
        page.goto(dashboard_url, timeout=PAGE_TIMEOUT)
        _log_in(page, "ducha")
        _title(page, "督查总览")
        _go(page, "数据导入")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(minutes))
        review = page.get_by_role("heading", name="会议纪要审核：区人民政府第23次常务会议纪要.txt")
        expect(review).to_be_visible()
        _settled(page)
        # The item's text beside its tick box (the preview grid above holds it too, drawn on a canvas).
        expect(page.locator('[data-testid="stCheckbox"]').filter(has_text="会议同意区文旅局提出的春季旅游安全保障方案")
               ).to_have_count(1)
        rejected = page.locator('[data-testid="stExpander"] summary').filter(has_text="未列为事项的句子")
        rejected.first.click()
        expect(page.locator('[data-testid="stExpanderDetails"]').filter(
            has_text="会议认为，区财政局应于7月底前完成上半年预算执行分析。")).to_be_visible()
        _settled(page)
        review.scroll_into_view_if_needed()
        shots: list[Path] = []
        _shot(page, "06-minutes-review", shots, full_page=False)
    assert _task_count(ledger_path) == before   # reviewed, not imported
    if update_screenshots:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shots[0], SCREENSHOTS / shots[0].name)


def _task_count(ledger: Path) -> int:
    import duckdb

    con = duckdb.connect(str(ledger), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM tasks").fetchone()[0]
    finally:
        con.close()


def test_cli_loads_while_the_dashboard_runs_and_the_dashboard_shows_it(dashboard_url, ledger_path, tmp_path):
    """DuckDB lets one process write the file: the dashboard holds it only per query, so the
    CLI gets in, and the open dashboard shows the new task on its next run."""
    with _browser_page() as page:
        page.goto(dashboard_url, timeout=PAGE_TIMEOUT)
        _log_in(page, "ducha")
        _title(page, "督查总览")
        _search_ledger(page, "充电设施布局规划")
        expect(page.get_by_text("没有符合条件的督办事项。")).to_be_visible()

        csv = tmp_path / "区政府第10次常务会议议定事项.csv"
        csv.write_text(CLI_CSV, encoding="utf-8")
        loaded = subprocess.run(
            [sys.executable, "-m", "etl", "load", str(csv), "--db", str(ledger_path), "--json"],
            cwd=ROOT, capture_output=True, text=True, timeout=CLI_TIMEOUT,
        )
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr

        _go(page, "督查总览")   # the same browser session, its next runs
        _search_ledger(page, "充电设施布局规划")
        expect(page.get_by_text(CLI_TASK).first).to_be_attached()


def test_a_unit_account_sees_its_own_pages_only(dashboard_url):
    with _browser_page() as page:
        page.goto(dashboard_url, timeout=PAGE_TIMEOUT)
        _log_in(page, "danwei")
        _title(page, "督查总览")
        expect(page.get_by_text("当前用户：区住房和城乡建设局（单位）")).to_be_visible()
        for hidden in ("数据导入", "操作日志", "领导督办", "单位排名"):
            expect(page.get_by_role("link", name=hidden)).to_have_count(0)
        page.get_by_role("button", name="退出登录").click()
        expect(page.get_by_role("button", name="登录")).to_be_visible()


def _browse_upload_and_find(page: Page, dashboard_url: str, tmp_path: Path) -> list[Path]:
    shots: list[Path] = []
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(dashboard_url, timeout=PAGE_TIMEOUT)
    _log_in(page, "ducha", shots)
    _title(page, "督查总览")
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(3)   # every chart drawn
    _settled(page)
    _shot(page, "01-overview", shots)

    _go(page, "逾期预警")
    _shot(page, "02-overdue", shots)

    _go(page, "数据导入")
    csv = tmp_path / "区政府第9次常务会议议定事项.csv"
    csv.write_bytes(UPLOAD_CSV.encode("gbk"))
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv))
    expect(page.get_by_role("heading", name="导入预览")).to_be_visible()
    _settled(page)
    expect(page.locator('[data-testid="stMetric"]').filter(has_text="新增事项")).to_contain_text("2")
    confirm = page.get_by_role("button", name="确认导入")
    expect(confirm).to_be_enabled()
    _shot(page, "03-upload-preview", shots)
    confirm.click()
    expect(page.locator('[data-testid="stAlertContentSuccess"]')).to_contain_text("新增督办事项 2 项")
    _settled(page)
    _shot(page, "04-upload-done", shots)

    _search_ledger(page, SEARCH_TERM)
    expect(page.get_by_text(NEW_TASK).first).to_be_attached()
    expect(page.get_by_text(OTHER_TASK)).to_have_count(0)   # the search narrowed the list
    _shot(page, "05-ledger-search", shots)

    assert not errors, errors
    return shots
