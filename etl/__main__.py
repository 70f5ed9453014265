"""Command line: `python -m etl init|load|status|backup|restore`. Same functions as the upload page.

The office's and units' acts, as the dashboard's forms do them, acting as a named account
(`--as USERNAME`, `--date`, `--json`; exit 0 done, 2 refused with the reason, 1 failure):
`chase`, `notice`, `queue`, `report`, `claim`, `extend`, `decide`, `verify`, `close`, `cancel`.

`restore` shows what it would revert and asks first (`--yes` to skip; without a terminal or
piped answer it refuses).

Every command holds the ledger only for its own operation, under the ledger lock
(ledger.db.ledger_reader / ledger_writer): while another process writes (or, for a writer, while
others read) it waits, saying so on stderr, and gives up after --wait seconds with exit code 1.

A new subcommand: a `commands.add_parser(...)`, `_ledger_options(parser)` if it opens the
ledger, and `set_defaults(handler=...)` with a function taking the parsed args and returning
the exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb

from etl import minutes_import, users_cli
from etl.importer import InputFile, LoadOptions, import_locked, read_files, unreadable
from ledger import accounts, actions, rectification, supervision
from ledger.access import AccessDenied, system_user
from ledger.actions import ActionError
from ledger.db import (
    DB_ENV_VAR,
    DEFAULT_TIMEOUT,
    LedgerBusy,
    LedgerMissing,
    is_current,
    ledger_reader,
    ledger_writer,
    resolve_db_path,
)
from ledger.documents import notice_docx, notice_xlsx
from ledger.queries import milestone_list, queue_counts, status_counts, task_flags, task_list
from ledger.vocabulary import CLAIM_PENDING_LABEL, NO_LEAD_UNIT_LABEL, QUEUE_COUNT_LABELS, QUEUE_LABELS, STATUS_LABELS

EXIT_OK, EXIT_FAILED, EXIT_REJECTED = 0, 1, 2
FLAGS_SHOWN = 50   # flags printed per file by `load` without --json


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text}") from error


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise argparse.ArgumentTypeError(f"等待时间应为不小于 0 的秒数：{text}")
    return value


def _ledger_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="ledger file (default $LEDGER_DB or data/ledger.duckdb)")
    parser.add_argument("--wait", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"how long to wait while another operation holds the ledger (default {DEFAULT_TIMEOUT:g})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description="督查督办台账：建库、导入、查询、备份、恢复")
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="create or migrate the ledger")
    _ledger_options(init)
    init.add_argument("--demo", action="store_true", help="load the bundled demo district")
    init.set_defaults(handler=_init)

    load = commands.add_parser("load", help="import task lists, progress reports, unit or leader lists")
    load.add_argument("files", nargs="+", type=Path)
    _ledger_options(load)
    load.add_argument("--source-kind", help="来源类型, e.g. 常务会议, 领导批示, 政府工作报告, 审计整改")
    load.add_argument("--source-title", help="来源名称, e.g. 区政府第12次常务会议")
    load.add_argument("--source-date", type=_date, help="来源日期 YYYY-MM-DD")
    load.add_argument("--sheet", help="read only this sheet")
    load.add_argument("--default-deadline", metavar="TEXT",
                      help="完成时限 for rows that give none, e.g. 年底前 (each such row is flagged 采用默认时限)")
    load.add_argument("--json", action="store_true", help="print the result as JSON")
    load.add_argument("--actor", default="cli", help="who imports (recorded in the audit log)")
    load.add_argument("--dry-run", action="store_true",
                      help="validate and preview only, commit nothing (minutes: items, sentences and flags)")
    load.set_defaults(handler=_load)

    status = commands.add_parser("status", help="task counts per status as of a date")
    _ledger_options(status)
    status.add_argument("--as-of", type=_date, default=None)
    status.add_argument("--json", action="store_true")
    status.add_argument("--tasks", action="store_true", help="list every task")
    status.set_defaults(handler=_status)

    backup = commands.add_parser("backup", help="write a consistent copy of the ledger (also while it is in use)")
    backup.add_argument("dest", type=Path, metavar="DEST")
    _ledger_options(backup)
    backup.add_argument("--force", action="store_true", help="overwrite DEST if it exists")
    backup.set_defaults(handler=_backup)

    restore = commands.add_parser("restore", help="replace the ledger by a backup (the replaced file is kept)")
    restore.add_argument("src", type=Path, metavar="SRC")
    _ledger_options(restore)
    restore.add_argument("--actor", default="cli", help="who restores (recorded in the audit log)")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation (不询问，直接恢复)")
    restore.add_argument("--restore-accounts", action="store_true",
                         help="also bring back the backup's passwords and disabled states "
                              "(default: accounts keep their current ones)")
    restore.set_defaults(handler=_restore)

    chase = commands.add_parser("chase", help="催办: record a chase of one task, or of every overdue task of a unit")
    target = chase.add_mutually_exclusive_group(required=True)
    target.add_argument("code", nargs="?", help="督办编号")
    target.add_argument("--unit", help="单位: chase every overdue task it leads")
    chase.add_argument("--way", required=True, help="电话、书面、系统或约谈")
    chase.add_argument("--note", default="", help="说明")
    _acting_options(chase)
    chase.set_defaults(handler=_chase)

    notice = commands.add_parser("notice", help="催办单: a unit's overdue and due-soon items as Word or Excel")
    notice.add_argument("--unit", required=True, help="单位")
    notice.add_argument("--format", choices=("docx", "xlsx"), default="docx")
    notice.add_argument("--out", type=Path, required=True, help="where to write the document")
    _acting_options(notice)
    notice.set_defaults(handler=_notice)

    lookback = commands.add_parser("lookback", help="回头看: record the look-back of a closed rectification item")
    lookback.add_argument("code", help="督办编号")
    lookback.add_argument("--result", required=True, help="巩固 or 反弹 (a 反弹 reopens the item)")
    lookback.add_argument("--note", default="", help="回头看说明")
    lookback.add_argument("--new-deadline", type=_date, default=None, help="反弹: the new deadline YYYY-MM-DD (required)")
    _acting_options(lookback)
    lookback.set_defaults(handler=_lookback)

    _lifecycle_parsers(commands)
    users_cli.add_parser(commands).set_defaults(handler=users_cli.run)
    return parser

def _lifecycle_parsers(commands) -> None:
    """queue, report, claim, extend, decide, verify, close, cancel: ledger.actions as a named account."""
    queue = commands.add_parser("queue", help="待办: 待核查、待审批、待回头看、未按期报送 (office) or a unit's "
                                              "待报送、被退回 and pending requests, with their counts")
    _acting_options(queue)
    queue.set_defaults(handler=_queue)

    report = commands.add_parser("report", help="报送进展 on a task")
    report.add_argument("code", help="督办编号")
    report.add_argument("--text", required=True, help="进展情况")
    _acting_options(report)
    report.set_defaults(handler=_report)

    claim = commands.add_parser("claim", help="申请办结 (the lead unit): waits for the office's 核查")
    claim.add_argument("code", help="督办编号")
    claim.add_argument("--text", required=True, help="办结情况说明")
    claim.add_argument("--done-date", type=_date, default=None, help="办结日期 (default: --date)")
    _acting_options(claim)
    claim.set_defaults(handler=_claim)

    extend = commands.add_parser("extend", help="申请延期 (the lead unit, by the deadline)")
    extend.add_argument("code", help="督办编号")
    extend.add_argument("--to", dest="new_deadline", type=_date, required=True, help="申请延期至 YYYY-MM-DD")
    extend.add_argument("--reason", required=True, help="延期理由")
    extend.add_argument("--late", action="store_true", help="逾期后补办: the office records a request after the deadline")
    _acting_options(extend)
    extend.set_defaults(handler=_extend)

    decide = commands.add_parser("decide", help="审批延期: the task's pending extension request")
    decide.add_argument("code", help="督办编号")
    choice = decide.add_mutually_exclusive_group(required=True)
    choice.add_argument("--approve", action="store_true", help="同意延期")
    choice.add_argument("--refuse", action="store_true", help="不同意延期")
    decide.add_argument("--reason", default="", help="审批意见")
    _acting_options(decide)
    decide.set_defaults(handler=_decide)

    verify = commands.add_parser("verify", help="核查: --pass closes the task (销号), --fail sends the claim back (退回)")
    verify.add_argument("code", help="督办编号")
    result = verify.add_mutually_exclusive_group(required=True)
    result.add_argument("--pass", dest="passed", action="store_true", help="核查通过，办结销号")
    result.add_argument("--fail", dest="failed", action="store_true", help="核查未通过，退回 (--note: the reason)")
    verify.add_argument("--note", default="", help="核查说明；未通过时为退回理由（必填）")
    _acting_options(verify)
    verify.set_defaults(handler=_verify)

    close = commands.add_parser("close", help="办结销号 without 核查 (only when close_requires_verification is 否)")
    close.add_argument("code", help="督办编号")
    close.add_argument("--note", default="", help="销号说明")
    _acting_options(close)
    close.set_defaults(handler=_close)

    cancel = commands.add_parser("cancel", help="撤销 a task, with the reason")
    cancel.add_argument("code", help="督办编号")
    cancel.add_argument("--reason", required=True, help="撤销理由")
    cancel.add_argument("--superseded-by", default=None, metavar="SOURCE",
                        help="取代该事项的来源, e.g. 区政府第9次常务会议")
    _acting_options(cancel)
    cancel.set_defaults(handler=_cancel)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


def _say_waiting(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _refuse(error: BaseException | str) -> int:
    print(error, file=sys.stderr)
    return EXIT_FAILED


def _init(args) -> int:
    built, has_accounts = None, True
    db = args.db
    if args.demo and db is None and not os.environ.get(DB_ENV_VAR):
        from demo.build import DEMO_DB

        db = DEMO_DB
    try:
        with ledger_writer(db, timeout=args.wait, on_wait=_say_waiting) as con:
            if args.demo:
                from demo.build import DemoRefused, build_demo

                try:
                    built = build_demo(con)
                except DemoRefused as error:
                    return _refuse(error)
            has_accounts = accounts.has_users(con)
    except LedgerBusy as error:
        return _refuse(error)
    if built is not None and built.result.has_errors:
        _print_errors(built.result)
        return EXIT_FAILED
    print(f"台账已就绪：{resolve_db_path(db)}")
    for username, password, role_label, description in built.accounts if built else []:
        print(f"演示账号（{role_label}）：{username} / {password}　{description}")
    if not has_accounts:
        print(accounts.FIRST_ACCOUNT_HINT)
    return EXIT_OK


def _load(args) -> int:
    options = LoadOptions(
        source_kind=args.source_kind, source_title=args.source_title, source_date=args.source_date,
        sheet=args.sheet, actor=args.actor, default_deadline=getattr(args, "default_deadline", None),
    )
    try:
        files = [InputFile.from_path(path) for path in args.files]
    except OSError as error:
        return _fail(args, f"无法读取文件：{error}")
    try:
        parsed = read_files(files, options)  # outside the lock: a slow or hostile file holds nobody up
        # Minutes and 批示 documents: the options override what the document says (etl.minutes_import).
        parsed = minutes_import.prepare(parsed, options)
        result = unreadable(files, parsed)
        if result is None:
            # The ledger's facts read under the shared lock, the files validated holding none,
            # the exclusive lock only for the write (validated again there if the ledger changed).
            def reading():
                return ledger_reader(args.db, timeout=args.wait, on_wait=_say_waiting)

            def writing():
                return ledger_writer(args.db, timeout=args.wait, on_wait=_say_waiting)

            try:
                with reading() as con:
                    current = is_current(con)
            except LedgerMissing:
                current = False
            if not current:  # created or migrated first, as status does
                with writing():
                    pass
            result = import_locked(reading, writing, files, options, parsed=parsed,
                                   commit=not getattr(args, "dry_run", False))
    except LedgerBusy as error:
        return _fail(args, str(error))
    except Exception as error:  # noqa: BLE001 - any failure must still answer in the promised shape
        return _fail(args, f"导入失败：{error}")
    reviews = minutes_import.previews(files, parsed)
    if args.json:
        payload = result.to_json()
        if getattr(args, "dry_run", False):
            payload["dry_run"] = True
        for entry, review in zip(payload.get("files", []), reviews, strict=False):
            if review is not None:
                entry["minutes"] = review
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        for review in reviews:
            if review is not None:
                print(minutes_import.preview_text(review))
        _print_result(result)
        if getattr(args, "dry_run", False):
            print("（预览，未写入台账）")
    if result.has_errors:
        return EXIT_REJECTED if all(e.row is not None for f in result.files for e in f.errors) else EXIT_FAILED
    return EXIT_OK


def _fail(args, message: str) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"committed": False, "batch_id": None, "files": [], "error": message}, ensure_ascii=False))
    else:
        print(message, file=sys.stderr)
    return EXIT_FAILED


def _print_result(result) -> None:
    for report in result.files:
        print(f"{report.path}：{report.rows} 行，新增 {report.tasks_created} 项，更新 {report.tasks_updated} 项，"
              f"进展 {report.progress_added} 条")
        for unit in report.new_units:
            print(f"  新单位：{unit}")
        for warning in report.warnings:
            print(f"  提示：{warning}")
        # Issue 9: imported, but to be checked; a long list shows its first rows and the counts
        # (--json has every flag).
        for flag in report.flags[:FLAGS_SHOWN]:
            where = "，".join(x for x in (f"工作表“{flag['sheet']}”" if flag["sheet"] else "",
                                          f"第{flag['row']}行" if flag["row"] else "") if x)
            said = flag["text"] if flag["label"] in flag["text"] else f"{flag['label']}：{flag['text']}"
            print(f"  待核对：{where} {said}")
        if len(report.flags) > FLAGS_SHOWN:
            counts = Counter(flag["label"] for flag in report.flags)
            print(f"  待核对共 {len(report.flags)} 处（" + "，".join(f"{label} {n} 处" for label, n in counts.items())
                  + "），完整清单请加 --json")
    _print_errors(result)
    print("已提交" if result.committed else "未提交任何更改")


def _print_errors(result) -> None:
    for report in result.files:
        for e in report.errors:
            where = "，".join(x for x in (
                f"工作表“{e.sheet}”" if e.sheet else "", f"第{e.row}行" if e.row else "",
                f"“{e.column}”列" if e.column else "", f"值“{e.value}”" if e.value else "") if x)
            print(f"  错误：{report.path} {where}：{e.message}", file=sys.stderr)


def _status(args) -> int:
    as_of = args.as_of or date.today()
    try:
        payload = _read_status(args, as_of)
        if payload is None:
            # The ledger predates a migration or the holiday file changed: a writer brings it
            # up to date (as status always did), then read again.
            with ledger_writer(args.db, timeout=args.wait, on_wait=_say_waiting):
                pass
            payload = _read_status(args, as_of, check=False)
    except (LedgerBusy, LedgerMissing) as error:
        return _refuse(error)
    counts = payload["counts"]
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return EXIT_OK
    print(f"截至 {payload['as_of']}：督办事项 {payload['total']} 项")
    for status, n in counts.items():
        print(f"  {STATUS_LABELS[status]}：{n}")
    for task in payload.get("tasks", []):
        claimed = f"｜{CLAIM_PENDING_LABEL}" if task["claim_pending"] else ""
        claimed += "".join(f"｜{flag['label']}" for flag in task.get("flags", []))
        print(f"  {task['code']} [{STATUS_LABELS[task['status']]}{claimed}] {task['deadline'] or task['deadline_text']} "
              f"{'、'.join(task['lead_units'] or []) or NO_LEAD_UNIT_LABEL}：{task['content'][:40]}")
    return EXIT_OK


def _read_status(args, as_of: date, *, check: bool = True) -> dict | None:
    """Counts (and tasks) as of a date, read under the shared lock; None if the ledger is not current."""
    with ledger_reader(args.db, timeout=args.wait, on_wait=_say_waiting) as con:
        if check and not is_current(con):
            return None
        counts = status_counts(con, system_user(), as_of)
        payload: dict = {"as_of": as_of.isoformat(), "total": sum(counts.values()), "counts": counts}
        if args.tasks:
            payload["tasks"] = _task_payload(con, as_of)
    return payload


def _task_payload(con, as_of: date) -> list[dict]:
    milestones: dict[int, list[dict]] = {}
    for m in milestone_list(con, as_of).iter_rows(named=True):
        milestones.setdefault(m["task_id"], []).append({
            "text": m["text"], "deadline": m["deadline"].isoformat() if m["deadline"] else None, "status": m["status"],
        })
    rectified = rectification.status_list(con, as_of)
    flags: dict[int, list[dict]] = {}
    for f in task_flags(con).iter_rows(named=True):
        flags.setdefault(f["task_id"], []).append({"kind": f["kind"], "label": f["label"], "column": f["column_name"],
                                                   "text": f["text"]})
    tasks = []
    for t in task_list(con, as_of).iter_rows(named=True):
        tasks.append({
            "code": t["code"], "source": t["source"], "item": t["item"], "content": t["content"],
            "status": t["status"], "deadline": t["deadline"].isoformat() if t["deadline"] else None,
            "deadline_text": t["deadline_text"], "lead_units": t["lead_units"] or [], "co_units": t["co_units"] or [],
            "leader": t["leader"], "leaders": t["leaders"] or [], "overdue_workdays": t["overdue_workdays"],
            "milestones": milestones.get(t["task_id"], []),
            # Issue 11: claimed is not done (已申请办结（待核查）); the deadline as first assigned,
            # beside `deadline`, the one in force (an approved extension wins).
            "claim_pending": t["claim_pending"], "chases": t["chases"],
            "original_deadline": t["original_deadline"].isoformat() if t["original_deadline"] else None,
            # Issue 9: date / cycle / long_term / none (未明确时限), and what the import flagged.
            "deadline_kind": t["deadline_kind"],
            "flags": flags.get(t["task_id"], []),
        })
        if t["code"] in rectified:   # 整改 items: 整改情况 and 回头看 (ledger.rectification)
            found = rectified[t["code"]]
            tasks[-1] |= {"rectification_status": found["rectification_status"],
                          "lookback_due": found["lookback_due"].isoformat() if found["lookback_due"] else None,
                          "lookback_result": found["lookback_result"]}
    return tasks


def _backup(args) -> int:
    from ledger.backup import BackupError, backup

    try:
        result = backup(args.db, args.dest, force=args.force, timeout=args.wait, on_wait=_say_waiting)
    except (BackupError, LedgerBusy, LedgerMissing) as error:
        return _refuse(error)
    except (duckdb.Error, OSError) as error:
        return _refuse(f"备份失败：{error}")
    print(f"备份完成：{result.dest}（{result.tables} 张表，共 {result.rows} 行）")
    return EXIT_OK


def _restore(args) -> int:
    """Shows what the restore reverts, asks (unless --yes), then restores."""
    from ledger.backup import BackupError, plan_restore, restore

    try:
        plan = plan_restore(args.src, args.db, timeout=args.wait, on_wait=_say_waiting)
        print("\n".join(plan.describe(args.restore_accounts)))
        if not args.yes and not _confirmed("确认恢复？输入 yes 继续："):
            return _refuse("未确认，台账未作任何更改。（在脚本中使用时请加 --yes）")
        result = restore(args.src, args.db, actor=args.actor, restore_accounts=args.restore_accounts,
                         timeout=args.wait, on_wait=_say_waiting)
    except (BackupError, LedgerBusy) as error:
        return _refuse(error)
    except (duckdb.Error, OSError) as error:
        return _refuse(f"恢复失败：{error}")
    print(f"已从 {result.source} 恢复台账：{result.path}（{result.tables} 张表，共 {result.rows} 行）")
    if result.replaced is not None:
        print(f"原台账已保留为：{result.replaced}")
    if result.carried:
        print(f"已带入备份之后的 {result.carried} 条操作日志（标为“恢复前的记录”）。")
    print("账号的密码和停用状态：" + ("已恢复为备份时的状态，所有已登录的会话已结束。" if args.restore_accounts
                                     else "保留恢复前的状态。"))
    return EXIT_OK


def _confirmed(prompt: str) -> bool:
    """A yes from standard input; no standard input (closed, or at its end) is a no."""
    if sys.stdin is None or sys.stdin.closed:
        return False
    print(prompt, end="", flush=True)
    try:
        answer = sys.stdin.readline()
    except (OSError, ValueError):
        return False
    return answer.strip().lower() in ("yes", "y", "是", "确认")




# --------------------------------------------------------------------------- 催办 and 催办单
# The same ledger functions as the dashboard's forms, acting as a named account and checked
# like the page: exit 0 done, 2 refused (the reason in Chinese), 1 failure.


def _acting_options(parser: argparse.ArgumentParser) -> None:
    _ledger_options(parser)
    parser.add_argument("--as", dest="username", required=True, metavar="USERNAME", help="act as this account")
    parser.add_argument("--date", type=_date, default=None, help="the day it happens (default today)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _acting(args, work) -> int:
    """Runs work(con, user) under the write lock as the account named by --as."""
    try:
        with ledger_writer(args.db, timeout=args.wait, on_wait=_say_waiting) as con:
            user = accounts.get_user(con, args.username)
            if user is None:
                return _answer(args, EXIT_REJECTED, {"error": f"账号“{args.username}”不存在或已停用"})
            return _answer(args, EXIT_OK, work(con, user))
    except (AccessDenied, ActionError) as refused:
        return _answer(args, EXIT_REJECTED, {"error": str(refused)})
    except LedgerBusy as error:
        return _answer(args, EXIT_FAILED, {"error": str(error)})


def _answer(args, code: int, result: dict) -> int:
    if args.json:
        print(json.dumps({"ok": code == EXIT_OK, **result}, ensure_ascii=False, default=str))
    elif code == EXIT_OK:
        print(result["message"])
    else:
        print(result["error"], file=sys.stderr)
    return code


def _chase(args) -> int:
    def work(con, user) -> dict:
        if args.unit:
            codes = supervision.chase_unit(con, user, args.unit, args.way, note=args.note, on=args.date)
        else:
            supervision.record_chase(con, user, args.code, args.way, note=args.note, on=args.date)
            codes = [args.code]
        return {"chased": codes, "message": f"已催办 {len(codes)} 项：{'、'.join(codes)}"}

    return _acting(args, work)


def _notice(args) -> int:
    def work(con, user) -> dict:
        notice = supervision.chase_notice(con, user, args.unit, args.date)
        render = notice_docx if args.format == "docx" else notice_xlsx
        args.out.write_bytes(render(notice))
        return {"unit": notice.unit, "items": notice.items["code"].to_list(), "out": str(args.out),
                "message": f"已生成催办单：{notice.unit}，{notice.items.height} 项 → {args.out}"}

    return _acting(args, work)


def _lookback(args) -> int:
    def work(con, user) -> dict:
        lookback_id = rectification.record_lookback(con, user, args.code, args.result, args.note,
                                                    new_deadline=args.new_deadline, on=args.date)
        result = rectification.result_code(args.result)
        words = "巩固" if result == "consolidated" else f"反弹，已重新打开，整改时限 {args.new_deadline}"
        return {"code": args.code, "lookback_id": lookback_id, "result": result,
                "new_deadline": args.new_deadline, "message": f"已记录 {args.code} 的回头看：{words}"}

    return _acting(args, work)


# --------------------------------------------------------------------------- the lifecycle actions
# The dashboard's 办理 forms (ui/task_actions.py) as commands, acting as the --as account and
# checked like the page (ledger.actions): exit 0 done, 2 refused (the reason in Chinese).


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _queue_item(row: dict) -> dict:
    item = {
        "type": row["request_type"], "label": QUEUE_LABELS[row["request_type"]], "code": row["code"],
        "content": row["content"], "lead_units": row["lead_units"], "requested_date": _iso(row["requested_date"]),
        "requested_by": row["requested_by_name"], "text": row["text"],
        "original_deadline": _iso(row["original_deadline"]), "current_deadline": _iso(row["current_deadline"]),
    }
    if row["request_type"] == "extension":
        item |= {"new_deadline": _iso(row["new_deadline"]), "filed_late": bool(row["filed_late"])}
    else:
        item["done_date"] = _iso(row["done_date"])
    if row["request_type"] == "returned":
        item |= {"returned_date": _iso(row["returned_date"]), "returned_by": row["returned_by_name"],
                 "return_reason": row["return_reason"]}
    return item


def _queue_line(item: dict) -> str:
    if item["type"] == "claim":
        what = f"申请于 {item['done_date']} 办结"
    elif item["type"] == "extension":
        what = f"申请延期至 {item['new_deadline']}" + ("（逾期后补办）" if item["filed_late"] else "")
    else:
        what = f"{item['returned_date']} 被 {item['returned_by']} 退回：{item['return_reason'] or ''}"
    return (f"  [{item['label']}] {item['code']} {'、'.join(item['lead_units'])}：{item['content'][:30]}"
            f"｜{item['requested_by']} {item['requested_date']} {what}")


def _queue(args) -> int:
    """The office's (and leaders') 待核查 and 待审批 in scope; a unit's pending requests and its
    被退回 claims."""
    def work(con, user) -> dict:
        rows = list(actions.pending_requests(con, user).iter_rows(named=True))
        kinds = ["claim", "extension"]
        if user.role == "unit":
            rows += list(actions.returned_claims(con, user).iter_rows(named=True))
            kinds.append("returned")
        items = [_queue_item(row) for row in rows]
        counts = {QUEUE_LABELS[kind]: sum(item["type"] == kind for item in items) for kind in kinds}
        # Every queue of the role with its count, as 督查总览 and the 待办 page show them
        # (ledger.queries.queue_counts): the dated ones (回头看, 报送) as of --date.
        queues = queue_counts(con, user, args.date or date.today())
        head = "，".join(f"{QUEUE_COUNT_LABELS[queue]} {n} 项" for queue, n in queues.items())
        return {"counts": counts, "queues": queues, "items": items,
                "message": "\n".join([head, *map(_queue_line, items)])}

    return _acting(args, work)


def _done(code: str, action: str, message: str, **extra) -> dict:
    return {"code": code, "action": action, **extra, "message": message}


def _report(args) -> int:
    def work(con, user) -> dict:
        progress_id = actions.submit_progress(con, user, args.code, args.text, report_date=args.date)
        return _done(args.code, "report", f"已报送进展：{args.code}", progress_id=progress_id)

    return _acting(args, work)


def _claim(args) -> int:
    def work(con, user) -> dict:
        day = args.date or date.today()
        progress_id = actions.claim_done(con, user, args.code, args.text, done_date=args.done_date or day,
                                         report_date=day)
        return _done(args.code, "claim", f"已申请办结：{args.code}，{CLAIM_PENDING_LABEL}", progress_id=progress_id)

    return _acting(args, work)


def _extend(args) -> int:
    def work(con, user) -> dict:
        extension_id = actions.request_extension(con, user, args.code, args.new_deadline, args.reason, on=args.date,
                                                  late=args.late)
        late = "（逾期后补办）" if args.late else ""
        return _done(args.code, "extend", f"已申请延期{late}：{args.code} 至 {args.new_deadline}，待督查室审批",
                     extension_id=extension_id, filed_late=args.late)

    return _acting(args, work)


def _decide(args) -> int:
    def work(con, user) -> dict:
        extension_id = actions.decide_task_extension(con, user, args.code, args.approve, args.reason, on=args.date)
        word = "同意延期" if args.approve else "不同意延期"
        return _done(args.code, "decide", f"{word}：{args.code}", extension_id=extension_id, approved=args.approve)

    return _acting(args, work)


def _verify(args) -> int:
    def work(con, user) -> dict:
        verification_id = actions.verify(con, user, args.code, args.passed, args.note, on=args.date)
        message = (f"核查通过，已办结销号：{args.code}" if args.passed
                   else f"核查未通过，已退回牵头单位：{args.code}（{args.note.strip()}）")
        return _done(args.code, "verify", message, verification_id=verification_id, passed=args.passed)

    return _acting(args, work)


def _close(args) -> int:
    def work(con, user) -> dict:
        actions.close_task(con, user, args.code, args.date or date.today(), args.note)
        return _done(args.code, "close", f"已办结销号：{args.code}")

    return _acting(args, work)


def _cancel(args) -> int:
    def work(con, user) -> dict:
        actions.cancel_task(con, user, args.code, args.reason, on=args.date, superseded_by=args.superseded_by)
        later = (args.superseded_by or "").strip()
        return _done(args.code, "cancel", f"已撤销：{args.code}" + (f"（由{later}取代）" if later else ""))

    return _acting(args, work)


if __name__ == "__main__":
    sys.exit(main())
