"""Command line: `python -m etl init|load|status`. Same functions as the upload page."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from etl.db import open_ledger, resolve_db_path
from etl.importer import InputFile, LoadOptions, import_files
from etl.ledger import STATUS_LABELS, milestone_list, status_counts, task_list

EXIT_OK, EXIT_FAILED, EXIT_REJECTED = 0, 1, 2


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text}") from error


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description="督查督办台账：建库、导入、查询")
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="create or migrate the ledger")
    init.add_argument("--db", help="ledger file (default $LEDGER_DB or data/ledger.duckdb)")
    init.add_argument("--demo", action="store_true", help="load the bundled demo district")

    load = commands.add_parser("load", help="import task lists, progress reports, unit or leader lists")
    load.add_argument("files", nargs="+", type=Path)
    load.add_argument("--db")
    load.add_argument("--source-kind", help="来源类型, e.g. 常务会议, 领导批示, 政府工作报告, 审计整改")
    load.add_argument("--source-title", help="来源名称, e.g. 区政府第12次常务会议")
    load.add_argument("--source-date", type=_date, help="来源日期 YYYY-MM-DD")
    load.add_argument("--sheet", help="read only this sheet")
    load.add_argument("--json", action="store_true", help="print the result as JSON")
    load.add_argument("--actor", default="cli", help="who imports (recorded in the audit log)")

    status = commands.add_parser("status", help="task counts per status as of a date")
    status.add_argument("--db")
    status.add_argument("--as-of", type=_date, default=None)
    status.add_argument("--json", action="store_true")
    status.add_argument("--tasks", action="store_true", help="list every task")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "init":
        return _init(args)
    if args.command == "load":
        return _load(args)
    return _status(args)


def _init(args) -> int:
    con = open_ledger(args.db)
    if args.demo:
        from etl.demo_ledger import load_demo

        result = load_demo(con)
        if not result.committed and result.has_errors:
            _print_errors(result)
            return EXIT_FAILED
    print(f"台账已就绪：{resolve_db_path(args.db)}")
    return EXIT_OK


def _load(args) -> int:
    options = LoadOptions(
        source_kind=args.source_kind, source_title=args.source_title, source_date=args.source_date,
        sheet=args.sheet, actor=args.actor,
    )
    try:
        files = [InputFile.from_path(path) for path in args.files]
    except OSError as error:
        return _fail(args, f"无法读取文件：{error}")
    try:
        con = open_ledger(args.db)
        result = import_files(con, files, options)
    except Exception as error:  # noqa: BLE001 - any failure must still answer in the promised shape
        return _fail(args, f"导入失败：{error}")
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2, default=str))
    else:
        _print_result(result)
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
    con = open_ledger(args.db)
    counts = status_counts(con, as_of)
    payload: dict = {"as_of": as_of.isoformat(), "total": sum(counts.values()), "counts": counts}
    if args.tasks:
        payload["tasks"] = _task_payload(con, as_of)
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return EXIT_OK
    print(f"截至 {payload['as_of']}：督办事项 {payload['total']} 项")
    for status, n in counts.items():
        print(f"  {STATUS_LABELS[status]}：{n}")
    for task in payload.get("tasks", []):
        print(f"  {task['code']} [{STATUS_LABELS[task['status']]}] {task['deadline'] or task['deadline_text']} "
              f"{'、'.join(task['lead_units'])}：{task['content'][:40]}")
    return EXIT_OK


def _task_payload(con, as_of: date) -> list[dict]:
    milestones: dict[int, list[dict]] = {}
    for m in milestone_list(con, as_of).iter_rows(named=True):
        milestones.setdefault(m["task_id"], []).append({
            "text": m["text"], "deadline": m["deadline"].isoformat() if m["deadline"] else None, "status": m["status"],
        })
    tasks = []
    for t in task_list(con, as_of).iter_rows(named=True):
        tasks.append({
            "code": t["code"], "source": t["source"], "item": t["item"], "content": t["content"],
            "status": t["status"], "deadline": t["deadline"].isoformat() if t["deadline"] else None,
            "deadline_text": t["deadline_text"], "lead_units": t["lead_units"], "co_units": t["co_units"],
            "leader": t["leader"], "overdue_workdays": t["overdue_workdays"],
            "milestones": milestones.get(t["task_id"], []),
        })
    return tasks


if __name__ == "__main__":
    sys.exit(main())
