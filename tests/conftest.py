"""Shared fixtures: a real ledger file in a temporary folder."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from ledger.db import open_ledger


def pytest_addoption(parser):
    """Options of tests/test_fuzz_import.py and tests/test_browser.py."""
    parser.addoption("--fuzz-seed", type=int, default=None, help="replay the fuzz run of this seed")
    parser.addoption("--fuzz-files", type=int, default=None, help="files per fuzz run (default 500)")
    parser.addoption("--update-screenshots", action="store_true", default=False,
                     help="copy the browser test's screenshots to docs/screenshots/")


@pytest.fixture(autouse=True)
def dashboard_past_its_first_run(monkeypatch):
    """AppTest starts every run as a new process would; tests run as the server does after
    dashboard.py's first run (ui/pages_folder.py says why)."""
    from ui.pages_folder import as_after_first_run

    as_after_first_run(monkeypatch)


@pytest.fixture
def ledger(tmp_path):
    """A fresh, migrated DuckDB ledger file."""
    con = open_ledger(tmp_path / "ledger.duckdb")
    yield con
    con.close()


# --------------------------------------------------------------------------- dashboard ledger
# A small ledger whose statuses are known for DASHBOARD_AS_OF (a Monday): built by importing
# the CSV files below through etl.importer, plus an extension, a verification and a 回头看
# written directly (the importer does not take those).

DASHBOARD_AS_OF = __import__("datetime").date(2026, 6, 15)

MEETING_CSV = """序号,会议名称,会议日期,议定事项,牵头单位,配合单位,责任领导,完成时限,进展情况,填报日期,是否办结,办结日期
1,区政府第5次常务会议,2026-03-02,加快推进老旧小区改造,区住建局,区财政局、区发改局,张三,2026年4月30日前,正在开展摸底调查,2026-04-20,否,
2,区政府第5次常务会议,2026-03-02,制定营商环境优化方案,区发改局,区市场监管局,张三,2026年5月29日前,方案已起草,2026-05-20,否,
3,区政府第5次常务会议,2026-03-02,完成河道综合整治验收,区水利局,,李四,2026年6月17日前,,,,
4,区政府第5次常务会议,2026-03-02,推进招商引资项目落地,区商务局,区发改局,李四,2026年12月31日前,,,,
5,区政府第5次常务会议,2026-03-02,常态化开展安全生产排查,区应急局,,张三,长期坚持,,,,
6,区政府第5次常务会议,2026-03-02,完成预算调整报告,区财政局,,李四,2026年5月31日前,报告已报区政府,2026-05-20,是,2026-05-20
7,区政府第5次常务会议,2026-03-02,出台就业帮扶措施,区人社局,区财政局,张三,2026年4月30日前,措施已印发,2026-05-10,是,2026-05-10
8,区政府第5次常务会议,2026-03-02,完成财政专项资金清理,区财政局,区审计局,李四,2026年6月1日前,清理过半,2026-06-01,否,
9,区政府第6次常务会议,2026-07-01,研究下半年重点工作,区发改局,,张三,2026年9月30日前,,,,
"""

LEADERS_CSV = """姓名,职务,排序
王五,区长,1
张三,常务副区长,2
李四,副区长,3
"""

UNITS_CSV = """单位名称,简称,单位类型,分管领导
区财政局,,部门,张三
区住房和城乡建设局,区住建局,部门,李四
"""

DIRECTIVE_CSV = """序号,批示领导,批示时间,批示内容,牵头单位,配合单位,完成时限
1,王五,2026-04-01,尽快解决群众反映的供水问题,区住建局,区水利局,2026年5月15日前
"""

AUDIT_CSV = """序号,问题,整改措施,整改单位,整改时限
1,专项资金闲置,盘活闲置资金并建立台账,区财政局,2026年5月31日前
2,项目未按期验收,督促施工单位完成验收,区住建局,2026年8月31日前
"""


# Accounts on the dashboard test ledger: username -> (role, unit or leader). Password: TEST_PASSWORD.
TEST_PASSWORD = "qc-test-2026-ok"
TEST_ACCOUNTS = {
    "ducha": ("office", None),
    "wangwu": ("leader", "王五"),        # 区长: the principal leader, reads everything
    "zhangsan": ("leader", "张三"),      # 常务副区长, 分管 区财政局
    "caizheng": ("unit", "区财政局"),
    "shuili": ("unit", "区水利局"),
}


def add_account(con, username: str, role: str, whom: str | None = None, display_name: str = "") -> None:
    """An account with TEST_PASSWORD, hashed with cheap parameters (tests only; production keeps
    argon2's defaults)."""
    from argon2 import PasswordHasher

    from ledger import accounts
    from ledger.access import system_user

    previous = accounts.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    try:
        accounts.create_user(
            con, system_user(), username, TEST_PASSWORD, role, display_name=display_name,
            unit=whom if role == "unit" else None, leader=whom if role == "leader" else None,
        )
    finally:
        accounts.set_hasher(previous)


def add_test_accounts(con) -> None:
    for username, (role, whom) in TEST_ACCOUNTS.items():
        add_account(con, username, role, whom)


DASHBOARD = str(__import__("pathlib").Path(__file__).resolve().parent.parent / "dashboard.py")


@contextmanager
def dashboard_reads(path, monkeypatch):
    """The dashboard (AppTest, in this process) reads the ledger at `path` ($LEDGER_DB), with
    nothing cached from an earlier test before or after: yields the path."""
    import streamlit as st

    monkeypatch.setenv("LEDGER_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        yield path
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def empty_office_ledger(path):
    """An empty ledger at `path` with one office account (wangmin, 王敏); returns the path."""
    con = open_ledger(path)
    try:
        add_account(con, "wangmin", "office", display_name="王敏")
    finally:
        con.close()
    return path


def signed_in_app(username: str, timeout: float = 30, as_of=None):
    """The dashboard through AppTest with `username` signed in (as the login form leaves it),
    its 截至日期 `as_of` from the first run when given (as a user who had set it on another
    page: the sidebar keeps it; saves a whole run per test)."""
    from streamlit.testing.v1 import AppTest

    from ui.auth import EPOCH_KEY, USER_KEY
    from ui.state import AS_OF_KEY

    at = AppTest.from_file(DASHBOARD, default_timeout=timeout)
    at.session_state[USER_KEY] = username
    at.session_state[EPOCH_KEY] = session_epoch(username)   # as sign-in records it (issue 12)
    if as_of is not None:
        at.session_state[f"_keep_{AS_OF_KEY}"] = as_of
    return at


def session_epoch(username: str) -> int | None:
    """The account's session epoch in the ledger the dashboard opens ($LEDGER_DB)."""
    from ledger import accounts
    from ledger.db import LedgerMissing, ledger_reader

    try:
        with ledger_reader() as con:
            found = accounts.account_session(con, username)
    except LedgerMissing:
        return 0   # the dashboard creates the ledger on its first run: a new account's epoch
    return found[1] if found else None


_dashboard_template: list = []   # the ledger built once per test process, copied for each caller


def build_dashboard_ledger(path):
    """Writes the dashboard test ledger at `path` and returns it: a copy of the one this test
    process built first (the build imports five files through the sandboxed reader and hashes
    the test accounts' passwords, a few seconds each time; tests then change their copy)."""
    import shutil
    import tempfile
    from pathlib import Path

    path = Path(path)
    if not _dashboard_template:
        template = Path(tempfile.mkdtemp(prefix="dashboard-template-")) / "ledger.duckdb"
        _build_dashboard_ledger(template)
        _dashboard_template.append(template)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_dashboard_template[0], path)
    path.chmod(0o600)
    return path


def _build_dashboard_ledger(path):
    from pathlib import Path

    from etl.importer import InputFile, LoadOptions, import_files

    path = Path(path)
    con = open_ledger(path)
    try:
        today = DASHBOARD_AS_OF
        # The lists' 是否办结=是 close their tasks, as when the office closes without 核查; with
        # 核查 required (the default, set again below) an import records them as claims (issue 9).
        con.execute("UPDATE settings SET value = '否' WHERE key = 'close_requires_verification'")
        for name, text, options in (
            ("leaders.csv", LEADERS_CSV, LoadOptions(today=today)),
            ("units.csv", UNITS_CSV, LoadOptions(today=today)),
            ("meetings.csv", MEETING_CSV, LoadOptions(today=today)),
            ("directives.csv", DIRECTIVE_CSV, LoadOptions(source_kind="领导批示", today=today)),
            ("audit.csv", AUDIT_CSV, LoadOptions(source_kind="审计整改", source_title="2025年度区本级预算执行审计",
                                                 source_date=__import__("datetime").date(2026, 3, 10), today=today)),
        ):
            result = import_files(con, [InputFile(name=name, data=text.encode("utf-8"))], options)
            assert result.committed, [e.message for f in result.files for e in f.errors]
        con.execute("UPDATE settings SET value = '是' WHERE key = 'close_requires_verification'")
        # 督办 item 2 asked for and was granted an extension to the end of July: on track again.
        con.execute("""
            INSERT INTO extensions (task_id, requested_date, original_deadline, new_deadline, reason, decision,
                                    decided_date, decided_by)
            SELECT task_id, DATE '2026-05-25', deadline, DATE '2026-07-31', '需征求企业意见', 'approved',
                   DATE '2026-05-27', '张三'
            FROM tasks WHERE content = '制定营商环境优化方案'
        """)
        con.execute("""
            INSERT INTO verifications (task_id, verified_date, verifier, result, note)
            SELECT task_id, DATE '2026-05-22', '督查室', 'passed', '现场核查属实'
            FROM tasks WHERE content = '完成预算调整报告'
        """)
        # 专项资金闲置 was closed once; its 回头看 on 2026-06-10 found it back (反弹), so it is
        # open again (ledger/rectification.py writes such a row with the reopening).
        con.execute("""
            INSERT INTO lookbacks (task_id, lookback_date, result, note, recorded_by, created_at)
            SELECT task_id, DATE '2026-06-10', 'rebounded', '资金再次闲置', 'system', TIMESTAMP '2026-06-10 10:00:00'
            FROM rectifications WHERE problem = '专项资金闲置'
        """)
        add_test_accounts(con)
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def dashboard_ledger(tmp_path_factory):
    """The path of the dashboard test ledger (built once; tests only read it)."""
    return build_dashboard_ledger(tmp_path_factory.mktemp("dashboard") / "ledger.duckdb")
