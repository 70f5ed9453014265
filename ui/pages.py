"""The dashboard's pages: one registry of file, title, icon and the permission that opens each
(ledger.access.PERMISSIONS decides who holds it). dashboard.py, the AppTests and the page
benchmark all read this list, so a page is added or restricted here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ledger.access import User, can

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Page:
    file: str          # relative to the project root, as st.Page and AppTest.switch_page take it
    title: str
    icon: str
    permission: str    # a key of ledger.access.PERMISSIONS (tests/test_roles_pages.py checks)
    default: bool = False
    # The sidebar controls the page reads (ui.state.sidebar draws only these): "as_of" 截至日期,
    # "compare" 对比日期, "filters" 来源类型/来源/牵头单位/责任领导.
    sidebar: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return ROOT / self.file

    def st_page(self) -> st.Page:
        return st.Page(self.file, title=self.title, icon=self.icon, default=self.default)


_DATED = ("as_of", "filters")

PAGES: tuple[Page, ...] = (
    Page("pages/overview.py", "督查总览", ":material/dashboard:", "read_tasks", default=True,
         sidebar=("as_of", "compare", "filters")),
    Page("pages/queue.py", "待办", ":material/inbox:", "read_queue", sidebar=("as_of",)),
    Page("pages/overdue.py", "逾期预警", ":material/notification_important:", "read_tasks", sidebar=_DATED),
    Page("pages/rectification.py", "整改跟踪", ":material/build:", "read_tasks", sidebar=_DATED),
    Page("pages/ledger.py", "任务台账", ":material/table_view:", "read_tasks", sidebar=_DATED),
    Page("pages/leaders.py", "领导督办", ":material/person:", "read_rankings", sidebar=_DATED),
    Page("pages/units.py", "单位排名", ":material/leaderboard:", "read_rankings", sidebar=_DATED),
    Page("pages/upload.py", "数据导入", ":material/upload_file:", "import"),
    Page("pages/audit.py", "操作日志", ":material/history:", "read_audit"),
)
BY_FILE: dict[str, Page] = {page.file: page for page in PAGES}
BY_TITLE: dict[str, Page] = {page.title: page for page in PAGES}


def for_user(user: User) -> list[Page]:
    """The pages `user` may open, in menu order."""
    return [page for page in PAGES if can(user, page.permission)]
