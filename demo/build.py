"""Builds the demo ledger: the fictional district's lists, written for today and loaded
through the ordinary import path, with the documented demo accounts.

The demo lives apart from real data. Its ledger is `data/demo/ledger.duckdb`, marked as the
demo in its settings; the demo accounts, whose passwords are published in the README, exist
only there. Building the demo into a ledger that holds anything else is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb

from demo.generator import build_demo_files
from etl.importer import ImportResult, InputFile, LoadOptions, import_files
from ledger import accounts, audit
from ledger.db import ROOT

DEMO_DIR = ROOT / "data" / "demo"
DEMO_DB = DEMO_DIR / "ledger.duckdb"
DEMO_ACTOR = "demo"
DEMO_SETTING = "demo_ledger"


class DemoRefused(Exception):
    """The ledger holds real data or accounts: the demo is never mixed into it."""


@dataclass
class DemoBuild:
    result: ImportResult
    accounts: list[tuple[str, str, str, str]] = field(default_factory=list)


def is_demo_ledger(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM settings WHERE key = ?", [DEMO_SETTING]).fetchone()[0] > 0


def foreign_content(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What in this ledger did not come from the demo, in the office's words (empty: none)."""
    demo_usernames = [account.username for account in accounts.DEMO_ACCOUNTS]
    found = []
    batches = con.execute("SELECT count(*) FROM import_batches WHERE created_by <> ?", [DEMO_ACTOR]).fetchone()[0]
    if batches:
        found.append(f"{batches} 个非演示的导入批次")
    tasks = con.execute(
        "SELECT count(*) FROM tasks t WHERE NOT EXISTS "
        "(SELECT 1 FROM import_batches b WHERE b.created_by = ? AND b.batch_id = t.created_batch)",
        [DEMO_ACTOR],
    ).fetchone()[0]
    if tasks:
        found.append(f"{tasks} 项非演示的督办事项")
    users = con.execute(
        "SELECT count(*) FROM users WHERE NOT list_contains(?::VARCHAR[], username)", [demo_usernames]
    ).fetchone()[0]
    if users:
        found.append(f"{users} 个非演示账号")
    return found


def build_demo(con: duckdb.DuckDBPyConnection, today: date | None = None, out_dir: Path = DEMO_DIR) -> DemoBuild:
    """Loads the demo district and its accounts into a ledger that is empty or already the
    demo's; DemoRefused for any other."""
    foreign = foreign_content(con)
    if foreign:
        raise DemoRefused("该台账中已有真实数据（" + "、".join(foreign) + "），不能载入演示数据；"
                          f"演示台账请使用单独的文件（默认 {DEMO_DB.relative_to(ROOT)}）")
    result = load_demo(con, today, out_dir)
    if result.has_errors:
        return DemoBuild(result)
    if not is_demo_ledger(con):
        con.execute("INSERT INTO settings VALUES (?, '是')", [DEMO_SETTING])
        audit.record_one(con, DEMO_ACTOR, "create", "setting", DEMO_SETTING, after="是")
    built = DemoBuild(result, accounts.create_demo_accounts(con))
    record_demo_lookbacks(con, today or date.today())
    record_demo_requests(con, today or date.today())
    return built


# What the demo office found when it looked back (回头看) at closed rectifications.
_CONSOLIDATED_NOTES = ("实地抽查，整改成果保持良好，长效机制运行正常。", "调阅台账资料并走访群众，问题未再出现。",
                       "组织“回头看”专项检查，相关制度执行到位。")
_REBOUND_NOTES = ("回头看发现问题有所反弹，部分点位再次出现同类问题。", "抽查发现整改措施落实不到位，问题反复。")


def record_demo_lookbacks(con: duckdb.DuckDBPyConnection, today: date) -> int:
    """回头看 on the demo's rectifications due by `today`, through ledger.rectification as the demo
    office: of the due ones (earliest due first), every third is left due, the others are
    consolidated (巩固) or found rebounded (反弹, reopened with a deadline two months on).
    Only on a ledger without any look-back yet, so a rebuild adds none. Returns how many."""
    from ledger import rectification
    from ledger.access import system_user

    if con.execute("SELECT count(*) FROM lookbacks").fetchone()[0]:
        return 0
    office = system_user(DEMO_ACTOR)
    due = rectification.lookbacks_due(con, office, today).sort("lookback_due", "code")
    recorded = 0
    for i, row in enumerate(due.iter_rows(named=True)):
        day = min(row["lookback_due"] + timedelta(days=3 + i % 9), today)
        if i % 3 == 2 or day > date.today():
            continue   # left 待回头看
        if i % 3 == 0:
            rectification.record_lookback(con, office, row["code"], "consolidated",
                                          _CONSOLIDATED_NOTES[i % len(_CONSOLIDATED_NOTES)], on=day)
        else:
            rectification.record_lookback(con, office, row["code"], "rebounded", _REBOUND_NOTES[i % len(_REBOUND_NOTES)],
                                          new_deadline=today + timedelta(days=61), on=day)
        recorded += 1
    return recorded


# What the demo's units wrote when they asked (申请办结, 申请延期) and the office has not yet decided.
_CLAIM_NOTES = ("已按要求完成全部工作内容，相关资料已归档，申请办结。", "项目已通过验收并投入使用，申请办结销号。")
_EXTENSION_REASONS = ("受征地拆迁进度影响，需顺延施工工期。", "需征求相关部门和企业意见，申请延期一个月。")


def record_demo_requests(con: duckdb.DuckDBPyConnection, today: date) -> int:
    """The office's 待核查 and 待审批 on the demo's first day: the lead units of a few open dated
    tasks (by code) ask, through ledger.actions as those units, to close four and to extend three
    by a month, before the deadline. Only on a ledger where no unit has asked yet, so a rebuild
    adds none. Returns how many."""
    from ledger import actions, sql
    from ledger.access import User

    asked = "SELECT count(*) FROM audit_log WHERE action IN ('claim_done', 'request_extension')"
    if con.execute(asked).fetchone()[0]:
        return 0
    recorded = 0
    for code, deadline, unit_id, unit_name in sql.rows(con, "demo/open_dated_tasks", as_of=today, limit=7):
        unit = User(unit_name, "unit", display_name=unit_name, unit_id=unit_id)   # the log names the unit
        if recorded < 4:
            actions.claim_done(con, unit, code, _CLAIM_NOTES[recorded % 2], done_date=today, report_date=today)
        else:
            actions.request_extension(con, unit, code, deadline + timedelta(days=30),
                                      _EXTENSION_REASONS[recorded % 2], on=today)
        recorded += 1
    return recorded


def load_demo(con: duckdb.DuckDBPyConnection, today: date | None = None, out_dir: Path = DEMO_DIR) -> ImportResult:
    """Writes the demo files for `today` and imports them one by one, each with its own source."""
    today = today or date.today()
    out_dir.mkdir(parents=True, exist_ok=True)
    reports = []
    batch_id = None
    # The demo's history was verified long ago: its lists' 是否办结=是 close their tasks. With 核查
    # required (the setting, restored below) an import records such a row as a claim (issue 9).
    required = con.execute("SELECT value FROM settings WHERE key = 'close_requires_verification'").fetchone()
    con.execute("UPDATE settings SET value = '否' WHERE key = 'close_requires_verification'")
    try:
        for demo in build_demo_files(out_dir, today):
            options = LoadOptions(
                source_kind=demo.source_kind, source_title=demo.source_title, source_date=demo.source_date,
                sheet=demo.sheet, actor=DEMO_ACTOR, today=today,
            )
            result = import_files(con, [InputFile.from_path(demo.path)], options)
            reports.extend(result.files)
            if result.has_errors:
                return ImportResult(committed=False, batch_id=None, files=reports)
            batch_id = result.batch_id or batch_id
    finally:
        if required is not None:
            con.execute("UPDATE settings SET value = ? WHERE key = 'close_requires_verification'", [required[0]])
    return ImportResult(committed=True, batch_id=batch_id, files=reports)
