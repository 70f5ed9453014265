"""The lifecycle actions from the command line (`python -m etl queue|report|claim|extend|decide|
verify|close|cancel --as USERNAME`): the same ledger functions as the page forms, acting as a
named account, with exit 0 done, 2 refused with the reason in Chinese, 1 failure; and the
honest rules of issue 11 through them. A real ledger file built by importing CSV lists."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from argon2 import PasswordHasher

from etl.__main__ import main
from etl.importer import InputFile, LoadOptions, import_files
from ledger import accounts
from ledger.access import system_user
from ledger.db import open_ledger

ROOT = Path(__file__).resolve().parent.parent

UNITS_CSV = """单位名称,简称,单位类型,分管领导
区财政局,,部门,
区住房和城乡建设局,区住建局,部门,
区水利局,,部门,
"""

MEETING_CSV = """序号,会议名称,会议日期,议定事项,牵头单位,配合单位,完成时限
1,区政府第5次常务会议,2026-03-02,加快推进老旧小区改造,区住建局,区财政局,2026年4月30日前
2,区政府第5次常务会议,2026-03-02,完成河道综合整治验收,区水利局,,2026年6月30日前
"""

ACCOUNTS = {
    "ducha": ("office", None),
    "zhujian": ("unit", "区住房和城乡建设局"),   # lead unit of the housing task
    "caizheng": ("unit", "区财政局"),            # its co-unit
    "shuili": ("unit", "区水利局"),              # lead of the river task, a stranger to housing
}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("action_cli") / "template.duckdb"
    con = open_ledger(path)
    try:
        for name, text in (("units.csv", UNITS_CSV), ("meeting.csv", MEETING_CSV)):
            result = import_files(con, [InputFile(name, text.encode("utf-8"))], LoadOptions(today=date(2026, 3, 5)))
            assert result.committed, [e.message for f in result.files for e in f.errors]
        previous = accounts.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        try:
            for username, (role, unit) in ACCOUNTS.items():
                accounts.create_user(con, system_user(), username, "Test-pass-2026-x", role, unit=unit)
        finally:
            accounts.set_hasher(previous)
    finally:
        con.close()
    return path


class Cli:
    def __init__(self, path: Path, capsys):
        self.path = path
        self.capsys = capsys
        self.codes = {item: code for code, item in self.query("SELECT code, item FROM tasks")}
        self.housing, self.river = self.codes["1"], self.codes["2"]

    def query(self, sql: str, params=None) -> list[tuple]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def __call__(self, *args: str) -> tuple[int, dict]:
        """Runs `python -m etl ARGS --db PATH --json` in this process: (exit code, the JSON answer)."""
        self.capsys.readouterr()
        code = main([*args, "--db", str(self.path), "--json"])
        out = self.capsys.readouterr().out
        return code, json.loads(out)

    def text(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main([*args, "--db", str(self.path)])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def audit(self, action: str) -> list[tuple]:
        return self.query("SELECT actor, logged_at, entity, field, after FROM audit_log WHERE action = ? "
                          "ORDER BY audit_id", [action])


@pytest.fixture
def cli(template, tmp_path, capsys) -> Cli:
    path = tmp_path / "ledger.duckdb"
    shutil.copy(template, path)
    return Cli(path, capsys)


def _refused(answer: tuple[int, dict], reason: str) -> str:
    code, payload = answer
    assert code == 2, payload
    assert payload["ok"] is False and reason in payload["error"], payload
    return payload["error"]


def _audited_by(cli: Cli, action: str, username: str, field: str, value: str) -> None:
    """The action's audit entries name who acted and when; `field` holds the action's date."""
    entries = cli.audit(action)
    assert entries, f"no audit entry for {action}"
    assert {actor for actor, *_ in entries} == {username}
    assert all(logged_at is not None for _, logged_at, *_ in entries)
    assert (field, value) in {(f, after) for *_, f, after in entries}, entries


# --------------------------------------------------------------------------- report


def test_report_by_the_lead_and_by_a_co_unit(cli):
    code, answer = cli("report", cli.housing, "--text", "资金已拨付", "--as", "caizheng", "--date", "2026-04-10")
    assert code == 0 and answer["ok"] and answer["code"] == cli.housing and answer["action"] == "report"
    assert answer["message"] == f"已报送进展：{cli.housing}"
    _audited_by(cli, "submit_progress", "caizheng", "report_date", "2026-04-10")
    _refused(cli("report", cli.housing, "--text", "x", "--as", "shuili", "--date", "2026-04-10"), "无权查看")
    _refused(cli("report", cli.housing, "--text", " ", "--as", "zhujian", "--date", "2026-04-10"), "请填写进展情况")
    assert cli.query("SELECT count(*) FROM progress") == [(1,)]


def test_an_unknown_account_is_refused(cli):
    _refused(cli("report", cli.housing, "--text", "x", "--as", "nobody"), "账号“nobody”不存在或已停用")


# --------------------------------------------------------------------------- claim, queue, verify, close


def test_claim_by_a_co_unit_is_refused(cli):
    error = _refused(cli("claim", cli.housing, "--text", "已完成", "--as", "caizheng", "--date", "2026-04-21"),
                     "配合单位只能报送进展")
    assert error == "配合单位只能报送进展，申请办结须由牵头单位（区住房和城乡建设局）提出。"
    assert cli.query("SELECT count(*) FROM progress") == [(0,)]
    assert cli.audit("claim_done") == []
    # In words on stderr without --json.
    code, out, err = cli.text("claim", cli.housing, "--text", "已完成", "--as", "caizheng", "--date", "2026-04-21")
    assert (code, out) == (2, "") and "配合单位只能报送进展" in err


def test_a_claim_waits_in_the_queue_until_verified_and_close_needs_the_verification(cli):
    code, answer = cli("claim", cli.housing, "--text", "改造已完工", "--done-date", "2026-04-20",
                       "--as", "zhujian", "--date", "2026-04-21")
    assert code == 0 and "已申请办结（待核查）" in answer["message"]
    _audited_by(cli, "claim_done", "zhujian", "done_date", "2026-04-20")

    # status --tasks: claimed is not done; every key it had, and the new ones.
    status = json.loads(_status(cli, "2026-04-22"))
    housing = next(t for t in status["tasks"] if t["code"] == cli.housing)
    assert {"code", "source", "item", "content", "status", "deadline", "deadline_text", "lead_units", "co_units",
            "leader", "overdue_workdays", "milestones", "claim_pending", "original_deadline"} <= housing.keys()
    assert (housing["status"], housing["claim_pending"], housing["original_deadline"], housing["deadline"]) == (
        "on_track", True, "2026-04-30", "2026-04-30")
    river = next(t for t in status["tasks"] if t["code"] == cli.river)
    assert river["claim_pending"] is False
    assert "已申请办结（待核查）" in _status(cli, "2026-04-22", json_out=False)

    code, queue = cli("queue", "--as", "ducha")
    assert code == 0 and queue["counts"] == {"待核查": 1, "待审批": 0}
    [item] = queue["items"]
    assert (item["type"], item["label"], item["code"], item["done_date"], item["requested_by"]) == (
        "claim", "待核查", cli.housing, "2026-04-20", "区住房和城乡建设局")
    code, unit_queue = cli("queue", "--as", "zhujian")
    assert unit_queue["counts"] == {"待核查": 1, "待审批": 0, "被退回": 0}
    code, other = cli("queue", "--as", "shuili")
    assert other["counts"] == {"待核查": 0, "待审批": 0, "被退回": 0} and other["items"] == []

    # 销号 without a passed 核查 is refused; the claim is still pending.
    error = _refused(cli("close", cli.housing, "--note", "已现场核查", "--as", "ducha", "--date", "2026-04-23"),
                     "销号须经核查通过")
    assert "核查通过即办结销号" in error
    assert cli.query("SELECT lifecycle FROM tasks WHERE code = ?", [cli.housing]) == [("open",)]
    _refused(cli("verify", cli.housing, "--pass", "--as", "zhujian", "--date", "2026-04-23"), "单位账号无权核查")

    code, answer = cli("verify", cli.housing, "--pass", "--note", "现场核查属实", "--as", "ducha", "--date", "2026-04-23")
    assert code == 0 and answer["passed"] is True and "已办结销号" in answer["message"]
    _audited_by(cli, "verify", "ducha", "verified_date", "2026-04-23")
    assert cli.query("SELECT lifecycle, closed_date FROM tasks WHERE code = ?", [cli.housing]) == [
        ("closed", date(2026, 4, 20))]
    assert cli("queue", "--as", "ducha")[1]["counts"] == {"待核查": 0, "待审批": 0}
    _refused(cli("close", cli.housing, "--note", "再次销号", "--as", "ducha", "--date", "2026-04-24"), "已办结")


def test_close_without_verification_once_the_office_allows_it(cli):
    con = duckdb.connect(str(cli.path))
    con.execute("UPDATE settings SET value = '否' WHERE key = 'close_requires_verification'")
    con.close()
    _refused(cli("close", cli.river, "--as", "ducha", "--date", "2026-04-23"), "请填写销号说明")
    _refused(cli("close", cli.river, "--note", "已现场核查", "--as", "shuili", "--date", "2026-04-23"), "单位账号无权")
    code, answer = cli("close", cli.river, "--note", "已现场核查", "--as", "ducha", "--date", "2026-04-23")
    assert code == 0 and answer["message"] == f"已办结销号：{cli.river}"
    _audited_by(cli, "close", "ducha", "closed_date", "2026-04-23")


def test_a_failed_verification_returns_the_claim_and_it_is_listed_as_returned(cli):
    assert cli("claim", cli.housing, "--text", "改造已完工", "--as", "zhujian", "--date", "2026-04-21")[0] == 0
    # A failed 核查 needs the reason it is sent back.
    _refused(cli("verify", cli.housing, "--fail", "--as", "ducha", "--date", "2026-04-23"), "请填写退回理由")
    code, answer = cli("verify", cli.housing, "--fail", "--note", "现场仍有三栋未完工", "--as", "ducha",
                       "--date", "2026-04-23")
    assert code == 0 and answer["passed"] is False and "已退回" in answer["message"]
    assert ("ducha", "progress", "return_reason", "现场仍有三栋未完工") in {
        (actor, entity, field, after) for actor, _, entity, field, after in cli.audit("verify")}
    assert cli.query("SELECT lifecycle FROM tasks WHERE code = ?", [cli.housing]) == [("open",)]
    assert cli.query("SELECT claim_state FROM progress WHERE claims_done") == [("failed",)]

    code, queue = cli("queue", "--as", "zhujian")
    assert queue["counts"] == {"待核查": 0, "待审批": 0, "被退回": 1}
    [item] = queue["items"]
    assert (item["type"], item["label"], item["code"], item["return_reason"], item["returned_date"]) == (
        "returned", "被退回", cli.housing, "现场仍有三栋未完工", "2026-04-23")
    assert cli("queue", "--as", "caizheng")[1]["counts"]["被退回"] == 1
    assert cli("queue", "--as", "shuili")[1]["counts"]["被退回"] == 0
    code, out, _ = cli.text("queue", "--as", "zhujian")
    assert code == 0 and "被退回 1 项" in out and "现场仍有三栋未完工" in out
    # The office's queue is what waits for it.
    assert cli("queue", "--as", "ducha")[1]["counts"] == {"待核查": 0, "待审批": 0}
    # A new claim answers the return.
    assert cli("claim", cli.housing, "--text", "已全部完工", "--as", "zhujian", "--date", "2026-04-27")[0] == 0
    assert cli("queue", "--as", "zhujian")[1]["counts"] == {"待核查": 1, "待审批": 0, "被退回": 0}


# --------------------------------------------------------------------------- extend, decide


def test_extension_by_a_co_unit_is_refused(cli):
    error = _refused(cli("extend", cli.housing, "--to", "2026-05-31", "--reason", "需协调资金", "--as", "caizheng",
                         "--date", "2026-04-25"), "配合单位只能报送进展")
    assert error == "配合单位只能报送进展，申请延期须由牵头单位（区住房和城乡建设局）提出。"
    assert cli.query("SELECT count(*) FROM extensions") == [(0,)]


def test_extension_after_the_deadline_is_refused_unless_the_office_records_it_late(cli):
    error = _refused(cli("extend", cli.housing, "--to", "2026-05-31", "--reason", "需协调资金", "--as", "zhujian",
                         "--date", "2026-05-06"), "已逾期")
    assert error.startswith("延期须在完成时限（2026年4月30日）前申请，2026年5月6日已逾期，不能申请延期。")
    _refused(cli("extend", cli.housing, "--to", "2026-05-31", "--reason", "需协调资金", "--late", "--as", "zhujian",
                 "--date", "2026-05-06"), "单位账号无权登记逾期后补办的延期")
    _refused(cli("extend", cli.housing, "--to", "2026-05-31", "--reason", "需协调资金", "--as", "ducha",
                 "--date", "2026-05-06"), "已逾期")
    assert cli.query("SELECT count(*) FROM extensions") == [(0,)]
    code, answer = cli("extend", cli.housing, "--to", "2026-05-31", "--reason", "单位补报材料", "--late",
                       "--as", "ducha", "--date", "2026-05-06")
    assert code == 0 and answer["filed_late"] is True and "逾期后补办" in answer["message"]
    assert cli.query("SELECT filed_late, original_deadline FROM extensions") == [(True, date(2026, 4, 30))]
    _audited_by(cli, "request_extension", "ducha", "filed_late", "是")
    [item] = cli("queue", "--as", "ducha")[1]["items"]
    assert (item["type"], item["label"], item["filed_late"], item["new_deadline"]) == (
        "extension", "待审批", True, "2026-05-31")


def test_extension_in_time_then_decided(cli):
    _refused(cli("decide", cli.housing, "--approve", "--as", "ducha", "--date", "2026-04-26"), "没有待审批的延期申请")
    code, answer = cli("extend", cli.housing, "--to", "2026-05-31", "--reason", "需协调资金", "--as", "zhujian",
                       "--date", "2026-04-30")
    assert code == 0 and answer["filed_late"] is False
    _audited_by(cli, "request_extension", "zhujian", "requested_date", "2026-04-30")
    assert cli("queue", "--as", "ducha")[1]["counts"] == {"待核查": 0, "待审批": 1}
    _refused(cli("decide", cli.housing, "--approve", "--as", "zhujian", "--date", "2026-05-02"), "单位账号无权审批延期")
    code, answer = cli("decide", cli.housing, "--refuse", "--reason", "理由不充分", "--as", "ducha",
                       "--date", "2026-05-02")
    assert code == 0 and answer["approved"] is False and answer["message"] == f"不同意延期：{cli.housing}"
    _audited_by(cli, "decide_extension", "ducha", "decided_date", "2026-05-02")
    assert cli.query("SELECT decision, decision_note FROM extensions") == [("rejected", "理由不充分")]
    # Refused, and now past the deadline: a new request is too late.
    _refused(cli("extend", cli.housing, "--to", "2026-06-30", "--reason", "再申请", "--as", "zhujian",
                 "--date", "2026-05-03"), "已逾期")


def test_an_approved_extension_moves_the_deadline_shown_by_status(cli):
    assert cli("extend", cli.housing, "--to", "2026-05-31", "--reason", "需协调资金", "--as", "zhujian",
               "--date", "2026-04-25")[0] == 0
    code, answer = cli("decide", cli.housing, "--approve", "--as", "ducha", "--date", "2026-04-26")
    assert code == 0 and answer["approved"] is True
    housing = next(t for t in json.loads(_status(cli, "2026-05-10"))["tasks"] if t["code"] == cli.housing)
    assert (housing["status"], housing["deadline"], housing["original_deadline"]) == (
        "on_track", "2026-05-31", "2026-04-30")


# --------------------------------------------------------------------------- cancel


def test_cancel_with_the_reason_and_the_superseding_source(cli):
    _refused(cli("cancel", cli.river, "--reason", "并入新计划", "--as", "shuili", "--date", "2026-04-01"), "单位账号无权")
    _refused(cli("cancel", cli.river, "--reason", " ", "--as", "ducha", "--date", "2026-04-01"), "请填写撤销理由")
    code, answer = cli("cancel", cli.river, "--reason", "并入新的治理计划", "--superseded-by", "区政府第9次常务会议",
                       "--as", "ducha", "--date", "2026-04-01")
    assert code == 0 and answer["message"] == f"已撤销：{cli.river}（由区政府第9次常务会议取代）"
    assert cli.query("SELECT lifecycle, cancelled_date, cancel_reason, superseded_by FROM tasks WHERE code = ?",
                     [cli.river]) == [("cancelled", date(2026, 4, 1), "并入新的治理计划", "区政府第9次常务会议")]
    _audited_by(cli, "cancel", "ducha", "superseded_by", "区政府第9次常务会议")
    _audited_by(cli, "cancel", "ducha", "cancelled_date", "2026-04-01")
    _refused(cli("report", cli.river, "--text", "继续推进", "--as", "shuili", "--date", "2026-04-02"), "已撤销")


# --------------------------------------------------------------------------- the real command


def _status(cli: Cli, as_of: str, *, json_out: bool = True) -> str:
    cli.capsys.readouterr()
    args = ["status", "--db", str(cli.path), "--as-of", as_of, "--tasks"] + (["--json"] if json_out else [])
    assert main(args) == 0
    return cli.capsys.readouterr().out


def test_the_module_answers_with_its_exit_codes(cli):
    """One run through `python -m etl` itself: exit 2 and the reason on stderr, 0 and JSON."""
    db = ("--db", str(cli.path))
    run = [sys.executable, "-m", "etl"]
    refused = subprocess.run([*run, "claim", cli.housing, "--text", "已完成", "--as", "caizheng", *db],
                             cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 2 and "配合单位只能报送进展" in refused.stderr
    done = subprocess.run([*run, "queue", "--as", "ducha", "--json", *db], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"] == {"待核查": 0, "待审批": 0}
