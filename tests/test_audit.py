"""The one audit trail: one writer, one encoding, one clock; 操作日志 and the task timeline name
people and units and speak the office's words; the unit catalogue has one source."""

from __future__ import annotations

import re
import shutil
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import DASHBOARD_AS_OF, add_account, build_dashboard_ledger

from ledger import accounts, actions, audit, backup, history, queries, vocabulary
from ledger.access import User, system_user
from ledger.db import ledger_writer, open_ledger

ROOT = Path(__file__).resolve().parent.parent
OFFICE = User("ducha", "office", "督查室")


def test_values_are_encoded_one_way():
    assert [audit.encode(v) for v in (True, False, None, 3, "x", [], ["a", "b"])] == [
        "是", "否", None, "3", "x", None, "a、b"]
    assert audit.encode(date(2026, 6, 1)) == "2026-06-01"
    assert audit.encode(datetime(2026, 6, 1, 9, 30, 5, 123456)) == "2026-06-01 09:30:05"
    assert audit.now().microsecond == 0


def test_only_the_audit_writer_inserts_into_the_audit_log():
    """Every statement that appends to audit_log lives in ledger/sql/audit/, run by ledger.audit.
    (A migration that rebuilds the table copies the entries there are; it writes none.)"""
    writers = set()
    for folder in ("ledger", "etl", "ui", "pages", "demo"):
        for file in (ROOT / folder).rglob("*"):
            if "migrations" in file.parts:
                continue
            if file.suffix in (".py", ".sql") and re.search(
                r"INSERT\s+(OR\s+\w+\s+)?INTO\s+audit_log", file.read_text(encoding="utf-8"), re.IGNORECASE
            ):
                writers.add(file.relative_to(ROOT).as_posix())
    # append_carried.sql: a restore carrying the replaced ledger's later entries over (issue 12).
    assert writers == {"ledger/sql/audit/append.sql", "ledger/sql/audit/append_entries.sql",
                       "ledger/sql/audit/append_carried.sql"}
    users = {file.relative_to(ROOT).as_posix() for folder in ("ledger", "etl", "ui", "pages", "demo")
             for file in (ROOT / folder).rglob("*.py")
             if re.search(r"audit/append", file.read_text(encoding="utf-8"))}
    assert users == {"ledger/audit.py"}


def test_entries_of_one_operation_share_one_clock_reading_and_keep_their_order(ledger):
    at = datetime(2026, 6, 1, 9, 0, 0)
    entries = audit.changes("update", "task", "T1", {"b": (1, 2), "a": (True, False), "same": ("x", "x")})
    assert audit.record(ledger, "ducha", entries, at=at) == 2
    rows = ledger.execute("SELECT logged_at, field, before, after FROM audit_log ORDER BY audit_id").fetchall()
    assert rows == [(at, "b", "1", "2"), (at, "a", "是", "否")]


# --------------------------------------------------------------------------- the trail as read


@pytest.fixture(scope="module")
def busy_ledger(tmp_path_factory) -> Path:
    """The dashboard test ledger after a day of work: every action, account change, login and a
    restore, so the audit log holds every kind of entry the ledger writes."""
    folder = tmp_path_factory.mktemp("busy")
    path = build_dashboard_ledger(folder / "ledger.duckdb")
    con = open_ledger(path)
    try:
        add_account(con, "wangmin", "office", display_name="王敏")
        add_account(con, "liming", "unit", "区水利局", display_name="李明")
        office = accounts.get_user(con, "wangmin")
        unit = accounts.get_user(con, "liming")
        leader = accounts.get_user(con, "zhangsan")
        code = {content: c for c, content in con.execute("SELECT code, content FROM tasks").fetchall()}
        river, fund = code["完成河道综合整治验收"], code["完成财政专项资金清理"]
        day = DASHBOARD_AS_OF
        actions.submit_progress(con, unit, river, "验收资料已汇编", report_date=day)
        actions.claim_done(con, unit, river, "已通过验收", done_date=day, report_date=day)
        actions.add_comment(con, leader, fund, "抓紧清理")
        actions.verify(con, office, river, False, "资料不全", on=day)
        actions.claim_done(con, unit, river, "补齐资料", done_date=day, report_date=day)
        actions.verify(con, office, river, True, "现场核查属实", on=day)
        actions.reopen_task(con, office, river, "回头看发现反弹")
        # Past the fund task's deadline (6-1): the office records it as 逾期后补办 (issue 11).
        extension = actions.request_extension(con, office, fund, date(2026, 8, 31), "资金清理量大", on=day, late=True)
        actions.decide_extension(con, office, extension, True, "同意", on=day)
        actions.cancel_task(con, office, code["研究下半年重点工作"], "会议决定暂缓", on=date(2026, 7, 2))
        # 销号 without 核查 needs the office's setting (issue 11: default 是, refused).
        con.execute("UPDATE settings SET value = '否' WHERE key = 'close_requires_verification'")
        actions.close_task(con, office, river, day, "书面核查")
        accounts.reset_password(con, office, "liming", "Another-pass-2026")
        accounts.set_role(con, office, "liming", "unit", unit="区财政局", display_name="李明")
        accounts.disable_user(con, office, "liming")
        accounts.enable_user(con, office, "liming")
        for _ in range(5):
            with pytest.raises(accounts.LoginFailed):
                accounts.authenticate(con, "liming", "wrong-pass-2026")
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(con, "nobody", "wrong-pass-2026")
        accounts.unlock_user(con, office, "liming")
        accounts.record_logout(con, accounts.authenticate(con, "wangmin", "qc-test-2026-ok"))
    finally:
        con.close()
    copy = backup.backup(path, folder / "backup.duckdb").dest
    backup.restore(copy, path, actor="cli")
    return path


def _entries(path: Path) -> pl.DataFrame:
    with ledger_writer(path) as con:
        return history.audit_entries(con, OFFICE, date(2000, 1, 1), date(2100, 1, 1))


def test_every_code_in_the_audit_log_has_a_label(busy_ledger):
    con = duckdb.connect(str(busy_ledger), read_only=True)
    try:
        actions_, entities, fields = (
            {row[0] for row in con.execute(f"SELECT DISTINCT {column} FROM audit_log WHERE {column} IS NOT NULL").fetchall()}
            for column in ("action", "entity", "field"))
    finally:
        con.close()
    # Issue 12: sign-in events are kept in the sign-in store beside the ledger; a delay replaced
    # the hard lock ("locked" -> "throttled").
    from ledger.signins import SigninStore

    actions_ |= {e["action"] for e in SigninStore(busy_ledger).events()}
    # The day of work above reaches these at least (a guard against a scenario that quietly shrinks).
    assert {"import", "create", "update", "comment", "submit_progress", "claim_done", "verify", "reopen", "close",
            "cancel", "request_extension", "decide_extension", "password_reset", "disable", "enable", "unlock",
            "login", "login_failed", "throttled", "logout", "restore"} <= actions_
    assert actions_ - vocabulary.AUDIT_ACTION_LABELS.keys() == set()
    assert entities - vocabulary.AUDIT_ENTITY_LABELS.keys() == set()
    assert fields - vocabulary.AUDIT_FIELD_LABELS.keys() == set()


def test_the_audit_page_shows_names_and_words_never_codes_logins_or_none(busy_ledger):
    entries = _entries(busy_ledger)
    shown = entries.select("actor_label", "action_label", "entity_label", "object_label", "field_label",
                           "before_label", "after_label")
    assert shown.null_count().sum_horizontal().item() == 0
    text = set(shown.unpivot()["value"].to_list())
    assert "None" not in text and "null" not in text
    codes = (set(vocabulary.AUDIT_ACTION_LABELS) | set(vocabulary.AUDIT_FIELD_LABELS) | {"true", "false", "pending",
             "approved", "rejected", "passed", "failed", "void", "open", "closed", "cancelled"})
    assert not text & codes, text & codes
    accounts_with_names = {"ducha", "wangmin", "liming", "zhangsan", "wangwu", "caizheng", "shuili"}
    assert not set(entries["actor_label"]) & accounts_with_names
    assert {"王敏", "李明（区财政局）", "张三", "命令行"} <= set(entries["actor_label"])
    logins = entries.filter(pl.col("action") == "login_failed", pl.col("entity_id") == "liming")
    assert set(logins["object_label"]) == {"李明（区财政局）"}
    assert set(logins["action_label"]) == {"登录失败"}
    assert "nobody" in set(entries.filter(pl.col("entity_id") == "nobody")["object_label"])  # as typed: no account
    decided = entries.filter(pl.col("field") == "decided_by")
    assert set(decided["after_label"]) == {"王敏"}
    claims = entries.filter(pl.col("field") == "claims_done")
    assert set(claims["after_label"]) == {"是", "否"} and set(claims["after"]) == {"是", "否"}
    assert set(entries.filter(pl.col("field") == "decision")["after_label"]) >= {"批准"}
    progress = entries.filter(pl.col("entity") == "progress")
    codes_of_tasks = set(duckdb.connect(str(busy_ledger), read_only=True).execute("SELECT code FROM tasks").fetchall())
    assert {(label,) for label in progress["object_label"]} <= codes_of_tasks


def test_the_audit_page_filters_by_person_and_by_name(busy_ledger):
    with ledger_writer(busy_ledger) as con:
        choices = history.audit_choices(con, OFFICE)
        by_name = history.audit_entries(con, OFFICE, date(2000, 1, 1), date(2100, 1, 1), text="王敏")
    assert choices["actor"]["wangmin"] == "王敏" and choices["actor"]["cli"] == "命令行"
    assert choices["action"]["claim_done"] == "申请办结"
    assert "wangmin" in set(by_name["actor"])   # found by the person's name, not the login
    mentions = pl.concat_str("actor_label", "object_label", "before_label", "after_label", separator=" ")
    assert by_name.select(mentions.str.contains("王敏").all()).item()


def test_the_timeline_names_people_and_units(busy_ledger):
    with ledger_writer(busy_ledger) as con:
        code = con.execute("SELECT code FROM tasks WHERE content = '完成河道综合整治验收'").fetchone()[0]
        detail = queries.task_detail(con, OFFICE, DASHBOARD_AS_OF, code)
    timeline = detail["timeline"]
    who = set(timeline["who"])
    assert {"李明（区财政局）", "王敏"} <= who, who   # the account's name today (李明 moved to 区财政局)
    assert not who & {"liming", "wangmin", None}
    assert timeline["detail"].null_count() == 0


def test_the_import_history_names_the_importer(busy_ledger, tmp_path):
    with ledger_writer(busy_ledger) as con:
        batches = history.batches(con, OFFICE)
    assert set(batches["created_by"]) == {"命令行"}


# --------------------------------------------------------------------------- the unit catalogue


def test_editing_the_unit_catalogue_reaches_imports_and_account_lookup(tmp_path, monkeypatch):
    from etl import units
    from etl.importer import InputFile, LoadOptions, import_files

    catalog = tmp_path / "unit_catalog.csv"
    shutil.copy(units.DEFAULT_CATALOG_FILE, catalog)
    monkeypatch.setattr(units, "DEFAULT_CATALOG_FILE", catalog)
    path = tmp_path / "ledger.duckdb"
    con = open_ledger(path)
    try:
        result = import_files(con, [InputFile("units.csv", "单位名称,单位类型\n区乡村振兴局,部门\n".encode())],
                              LoadOptions())
        assert result.committed
        with pytest.raises(accounts.AccountError):
            accounts.create_user(con, system_user(), "xiangcun", "Good-pass-2026", "unit", unit="区振兴局")
    finally:
        con.close()

    catalog.write_text(catalog.read_text(encoding="utf-8") + "乡村振兴局,振兴局\n", encoding="utf-8")
    con = open_ledger(path)
    try:
        user = accounts.create_user(con, system_user(), "xiangcun", "Good-pass-2026", "unit", unit="区振兴局")
        assert accounts._unit_name(con, user.unit_id) == "区乡村振兴局"
        meeting = ("序号,会议名称,会议日期,议定事项,牵头单位,完成时限\n"
                   "1,区政府第1次常务会议,2026-03-02,推进乡村振兴,区振兴局,2026年6月30日前\n")
        result = import_files(con, [InputFile("meeting.csv", meeting.encode())], LoadOptions(today=date(2026, 3, 5)))
        assert result.committed
        assert con.execute("""
            SELECT u.name FROM task_units tu JOIN units u USING (unit_id) JOIN tasks t USING (task_id)
            WHERE t.content = '推进乡村振兴'""").fetchall() == [("区乡村振兴局",)]
    finally:
        con.close()



def test_the_entries_of_one_transaction_share_one_time(ledger):
    """An action writes its entries in several calls (verify: the verification, the claim, the
    task's closing); without a time given they all carry the transaction's."""
    ledger.execute("BEGIN TRANSACTION")
    audit.record_one(ledger, "ducha", "verify", "verification", 1, field="result", after="passed")
    time.sleep(1.1)   # past a second boundary: a per-call clock would differ
    audit.record_one(ledger, "ducha", "verify", "task", "T1", field="lifecycle", before="open", after="closed")
    ledger.execute("COMMIT")
    assert ledger.execute("SELECT count(DISTINCT logged_at), count(*) FROM audit_log").fetchone() == (1, 2)
    stamped = ledger.execute("SELECT max(logged_at) FROM audit_log").fetchone()[0]
    assert stamped.microsecond == 0 and abs((audit.now() - stamped).total_seconds()) < 3600
