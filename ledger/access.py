"""Who may see and do what: the three roles and the one table of permissions.

Every ledger function that reads tasks or changes data takes a `User` and is scoped or
checked here; the pages only decide what to draw. Rules (issue 4, seed 000 §33 责任倒查):
- 督查室 (office): everything, including imports, closing, user management, the audit trail;
- 领导 (leader): reads the tasks they are responsible for or issued and the tasks of the units
  they are in charge of (分管); the principal leader (区长) reads everything; comments (批示)
  on tasks in scope; edits no ledger data;
- 单位 (unit staff): sees only tasks where their unit is lead or co-unit; submits progress on
  those; completion claims (申请办结) and extension requests (申请延期) only where it is the lead
  unit (ledger.actions checks that: a co-unit reports progress); nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.vocabulary import PERMISSION_LABELS as ACTION_LABELS
from ledger.vocabulary import ROLE_LABELS

# action -> roles allowed. A unit's or leader's action on a task also needs the task in scope.
PERMISSIONS: dict[str, frozenset[str]] = {
    "import": frozenset({"office"}),              # load task lists and progress files
    "edit_task": frozenset({"office"}),           # change a task's fields
    "close_task": frozenset({"office"}),          # 销号 / 撤销 / reopen
    "verify": frozenset({"office"}),              # 核查 a completion claim
    "decide_extension": frozenset({"office"}),    # approve or reject 延期
    "chase": frozenset({"office"}),               # 催办, 通报, 约谈 (ledger/supervision.py)
    "lookback": frozenset({"office"}),            # 回头看 of a closed rectification (ledger/rectification.py)
    "manage_users": frozenset({"office"}),
    "read_audit": frozenset({"office"}),
    "read_imports": frozenset({"office"}),        # import history
    "comment": frozenset({"office", "leader"}),   # 批示 / 督办意见 on a task
    "submit_progress": frozenset({"office", "unit"}),
    "claim_done": frozenset({"office", "unit"}),
    "request_extension": frozenset({"office", "unit"}),
    "record_late_extension": frozenset({"office"}),   # 逾期后补办: an extension asked after the deadline
    # Pages (ui/pages.py names the permission that opens each page).
    "read_tasks": frozenset({"office", "leader", "unit"}),   # 总览, 逾期预警, 整改跟踪, 任务台账 (in scope)
    "read_rankings": frozenset({"office", "leader"}),        # 领导督办, 单位排名: compare units and leaders
    "read_queue": frozenset({"office", "leader", "unit"}),   # 待办: the queues of ledger.queries.queue_counts
}


class AccessDenied(PermissionError):
    """An action the user's role does not allow, or a task outside their scope.
    The message is Chinese and shown to the user as is."""


@dataclass(frozen=True)
class User:
    """A signed-in account, as the ledger layer sees it."""

    username: str
    role: str                       # office / leader / unit
    display_name: str = ""
    unit_id: int | None = None      # role unit: the unit the account works for
    leader_id: int | None = None    # role leader: the leader the account is
    is_principal: bool = False      # role leader: 主要领导, reads everything

    def __post_init__(self) -> None:
        if self.role not in ROLE_LABELS:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role == "unit" and self.unit_id is None:
            raise ValueError("a unit account needs its unit")
        if self.role == "leader" and self.leader_id is None:
            raise ValueError("a leader account needs its leader")

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def sees_all(self) -> bool:
        return self.role == "office" or (self.role == "leader" and self.is_principal)

    @property
    def label(self) -> str:
        """How audit entries and the page header name the user: 张三（督查室）."""
        return f"{self.display_name or self.username}（{self.role_label}）"


# The command line runs with the file-system rights of whoever may open the ledger file,
# which are the office's; its entries in the audit log say so.
def system_user(name: str = "cli") -> User:
    return User(username=name, role="office", display_name="命令行")


def can(user: User, action: str) -> bool:
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")
    return user.role in PERMISSIONS[action]




def require(user: User, action: str) -> None:
    """Raises AccessDenied unless the user's role may do `action`."""
    if not can(user, action):
        raise AccessDenied(f"{user.role_label}账号无权{ACTION_LABELS[action]}。")


def viewer_params(user: User) -> dict:
    """The SQL parameters that narrow tasks to the user's scope (see views/scope.sql and
    sql/visible_tasks.sql): $see_all, $viewer_units, $viewer_leader."""
    return {
        "see_all": user.sees_all,
        "viewer_units": [user.unit_id] if user.role == "unit" else [],
        "viewer_leader": user.leader_id if user.role == "leader" else None,
    }
