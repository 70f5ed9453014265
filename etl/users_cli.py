"""Command line for local accounts: `python -m etl user add|passwd|role|disable|enable|unlock|list`.

Runs as `ledger.access.system_user()` (actor 'cli' in the audit log): whoever can open the ledger
file has the office's rights. Each command opens the ledger with `ledger.db.ledger_writer` (the
exclusive lock, waiting for other writers) and closes it. Passwords are read with getpass (asked twice) or, with
--password-stdin, from the first line of standard input; never from the command line.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime

from ledger import accounts
from ledger.access import AccessDenied, system_user
from ledger.db import LedgerBusy, ledger_writer

EXIT_OK, EXIT_FAILED = 0, 1
ROLE_HELP = "角色：督查室 / 领导 / 单位 (or office / leader / unit)"


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Adds the `user` command and its sub-commands to an argparse sub-parsers object."""
    user = subparsers.add_parser("user", help="manage local accounts (账号管理)",
                                 description="账号管理：添加账号、重置密码、分配角色、停用、解锁")
    commands = user.add_subparsers(dest="user_command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("--db", help="ledger file (default $LEDGER_DB or data/ledger.duckdb)")
        return parser

    add = command("add", "添加账号")
    add.add_argument("username", help="用户名：3至32位英文字母、数字或 . _ -")
    add.add_argument("--role", required=True, help=ROLE_HELP)
    add.add_argument("--unit", help="单位账号的所属单位（全称或简称）")
    add.add_argument("--leader", help="领导账号对应的领导姓名")
    add.add_argument("--name", default="", help="显示名，如 张三")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入第一行读取密码")

    passwd = command("passwd", "重置密码（同时解除登录等待，并结束该账号已登录的会话）")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="从标准输入第一行读取密码")

    role = command("role", "修改角色及所属单位或领导")
    role.add_argument("username")
    role.add_argument("--role", required=True, help=ROLE_HELP)
    role.add_argument("--unit", help="单位账号的所属单位（全称或简称）")
    role.add_argument("--leader", help="领导账号对应的领导姓名")
    role.add_argument("--name", default=None, help="新的显示名（不指定则不变）")

    for name, help_text in (("disable", "停用账号"), ("enable", "重新启用账号"), ("unlock", "解除连续登录失败后的等待")):
        command(name, help_text).add_argument("username")

    listing = command("list", "列出全部账号")
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    return user


def _read_password(args) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = getpass.getpass("新密码：")
    second = getpass.getpass("再次输入新密码：")
    if first != second:
        raise accounts.AccountError("两次输入的密码不一致。")
    return first


def run(args: argparse.Namespace) -> int:
    """Runs one `user` sub-command; 0 on success, 1 with the Chinese message on stderr otherwise."""
    actor = system_user()
    try:
        password = _read_password(args) if args.user_command in ("add", "passwd") else None
        if password is not None:  # check before opening the ledger, so a weak password costs nothing
            accounts.check_password_policy(password, args.username)
        with ledger_writer(args.db, on_wait=lambda message: print(message, file=sys.stderr)) as con:
            return _run(con, actor, args, password)
    except (accounts.AccountError, AccessDenied, LedgerBusy) as error:
        print(str(error), file=sys.stderr)
        return EXIT_FAILED
    except (KeyboardInterrupt, EOFError):
        print("已取消。", file=sys.stderr)
        return EXIT_FAILED


def _run(con, actor, args, password: str | None) -> int:
    cmd = args.user_command
    if cmd == "add":
        user = accounts.create_user(con, actor, args.username, password, args.role,
                                    display_name=args.name, unit=args.unit, leader=args.leader)
        print(f"已添加账号 {user.username}：{_describe(con, user)}")
    elif cmd == "passwd":
        accounts.reset_password(con, actor, args.username, password)
        print(f"已重置账号 {accounts.normalize_username(args.username)} 的密码。")
    elif cmd == "role":
        user = accounts.set_role(con, actor, args.username, args.role, unit=args.unit, leader=args.leader,
                                 display_name=args.name)
        print(f"账号 {user.username} 现为：{_describe(con, user)}")
    elif cmd in ("disable", "enable", "unlock"):
        action = {"disable": accounts.disable_user, "enable": accounts.enable_user, "unlock": accounts.unlock_user}
        changed = action[cmd](con, actor, args.username)
        name = accounts.normalize_username(args.username)
        done = {"disable": "已停用", "enable": "已启用", "unlock": "已解除锁定"}[cmd]
        unchanged = {"disable": "原已停用", "enable": "未被停用", "unlock": "未被锁定"}[cmd]
        print(f"账号 {name} {done}。" if changed else f"账号 {name} {unchanged}，未作更改。")
    else:
        _print_list(accounts.list_users(con, actor), as_json=args.json)
    return EXIT_OK


def _describe(con, user) -> str:
    where = ""
    if user.role == "unit":
        where = "，" + con.execute("SELECT name FROM units WHERE unit_id = ?", [user.unit_id]).fetchone()[0]
    elif user.role == "leader":
        where = "，" + con.execute("SELECT name FROM leaders WHERE leader_id = ?", [user.leader_id]).fetchone()[0]
        if user.is_principal:
            where += "（主要领导）"
    return f"{user.role_label}{where}" + (f"，显示名 {user.display_name}" if user.display_name else "")


def _print_list(frame, *, as_json: bool) -> None:
    rows = frame.to_dicts()
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2,
                         default=lambda v: v.isoformat(sep=" ", timespec="seconds") if isinstance(v, datetime) else str(v)))
        return
    if not rows:
        print("台账中还没有任何账号。")
        return
    now = datetime.now()
    for row in rows:
        state = []
        if row["disabled"]:
            state.append("已停用")
        if row["locked_until"] is not None and row["locked_until"] > now:
            state.append(f"锁定至 {row['locked_until']:%Y-%m-%d %H:%M}")
        elif row["failed_logins"]:
            state.append(f"连续失败 {row['failed_logins']} 次")
        last = f"{row['last_login_at']:%Y-%m-%d %H:%M}" if row["last_login_at"] else "从未登录"
        where = row["unit"] or row["leader"] or ""
        print("  ".join(x for x in (row["username"], row["role_label"], where, row["display_name"] or "",
                                     f"最近登录 {last}", "、".join(state)) if x))
