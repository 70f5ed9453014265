"""The ledger's words: every code it stores and the office's word for it, in one place.

Statuses, source kinds, roles, lifecycles, and what the audit log writes (actions, entities,
fields, and the coded values of a few fields). Codes are stable English identifiers kept in
the database; labels are what a user reads. tests/test_vocabulary.py finds every code the
code base can write to the audit log and fails when one has no label here.

Source kinds and roles: this module is the one source of truth. The `source_kinds` and
`roles` tables that SQL joins against are re-synced from it whenever a writer opens the ledger
(ledger.db.sync_vocabulary), because Python needs the words at import time (command-line help,
the upload form's choices, reading a kind from a title) without a connection, while SQL only
needs to join; a table derived from code cannot drift from it, the reverse could.
"""

from __future__ import annotations

from typing import NamedTuple

from ledger import task_fields

# --------------------------------------------------------------------------- task status

# The statuses in display order, with the office's words.
STATUS_LABELS: dict[str, str] = {
    "overdue": "逾期",
    "due_soon": "临期",
    "on_track": "正常推进",
    "long_term": "长期/持续",
    # No deadline in the list (deadline_kind 'none', issue 9): open, never overdue, counted apart.
    "undated": "未明确时限",
    "done_on_time": "按期办结",
    "done_late": "逾期办结",
    "cancelled": "已撤销",
}
# Finished work: counted in 按期办结率 and in the 已办结 columns.
DONE_STATUSES: tuple[str, ...] = ("done_on_time", "done_late")
# Statuses of a task nobody acts on any more (no forms, no reminders).
FINISHED_STATUSES: tuple[str, ...] = (*DONE_STATUSES, "cancelled")

LIFECYCLE_LABELS: dict[str, str] = {"open": "办理中", "closed": "已办结", "cancelled": "已撤销"}

# Claimed is not done: an open task whose completion claim waits for 核查 shows this beside its
# status (claim_pending in the task queries), until the office verifies the claim.
CLAIM_PENDING_LABEL = "已申请办结（待核查）"
# The queue (ledger.actions.pending_requests, returned_claims): what waits for whom.
QUEUE_LABELS: dict[str, str] = {"claim": "待核查", "extension": "待审批", "returned": "被退回"}
# The queues' counts (ledger.queries.queue_counts), office and leaders first, then a unit's.
QUEUE_COUNT_LABELS: dict[str, str] = {
    "to_verify": "待核查", "to_approve": "待审批", "lookbacks_due": "待回头看", "reports_missing": "未按期报送",
    "reports_due": "待报送", "returned": "被退回", "pending_requests": "待审核申请",
}
# An extension the office records after the deadline (extensions.filed_late): late in every rate.
FILED_LATE_LABEL = "逾期后补办"

# What an import could not read or had to assume about a task (task_flags.kind, issue 9):
# every flag shows in the import's preview and report, on the task's detail, and is counted on
# 督查总览. The flag's own text quotes what the list wrote.
FLAG_LABELS: dict[str, str] = {
    "deadline_missing": "缺少完成时限",
    "deadline_unread": "完成时限无法识别",
    "deadline_default": "采用默认时限",
    "deadline_from_text": "时限取自事项内容",
    "deadline_assumed": "时限系推定",
    "no_lead_unit": "待明确责任单位",
    "unit_from_text": "责任单位取自事项内容",
    "not_a_unit": "不像单位名称",
    "behind": "状态滞后",
    "done_claimed": "清单称已完成",
    "status_unread": "状态无法识别",
}
# Shown wherever a task's lead unit is shown when it has none.
NO_LEAD_UNIT_LABEL = "待明确责任单位"

# --------------------------------------------------------------------------- roles

ROLE_LABELS: dict[str, str] = {"office": "督查室", "leader": "领导", "unit": "单位"}

# The ledger's own actors in the audit log (they are no accounts: accounts.RESERVED_USERNAMES).
SYSTEM_ACTORS: dict[str, str] = {"cli": "命令行", "demo": "演示数据", "system": "系统"}

# What each permission of ledger.access.PERMISSIONS allows, as a refusal names it
# (单位账号无权导入台账。).
PERMISSION_LABELS: dict[str, str] = {
    "import": "导入台账",
    "edit_task": "修改督办事项",
    "close_task": "办结销号或撤销",
    "verify": "核查",
    "decide_extension": "审批延期",
    "chase": "催办、通报或约谈",
    "lookback": "记录回头看",
    "manage_users": "管理账号",
    "read_audit": "查看操作日志",
    "read_imports": "查看导入记录",
    "comment": "批示或督办意见",
    "submit_progress": "报送进展",
    "claim_done": "申请办结",
    "request_extension": "申请延期",
    "record_late_extension": "登记逾期后补办的延期",
    "read_tasks": "查看督办事项",
    "read_rankings": "查看领导督办和单位排名",
    "read_queue": "查看待办",
}

# --------------------------------------------------------------------------- source kinds


class SourceKind(NamedTuple):
    label: str
    is_meeting: bool = False
    is_rectification: bool = False


# code -> kind, in display order (the table's sort_order is the position here).
SOURCE_KINDS: dict[str, SourceKind] = {
    "plenary": SourceKind("全体会议", is_meeting=True),
    "executive": SourceKind("常务会议", is_meeting=True),
    "mayor_office": SourceKind("区长办公会议", is_meeting=True),
    "topical": SourceKind("专题会议", is_meeting=True),
    "party_group": SourceKind("党组会议", is_meeting=True),
    "directive": SourceKind("领导批示"),
    "assigned": SourceKind("交办事项"),
    "work_report": SourceKind("政府工作报告"),
    "document": SourceKind("重要文件"),
    "commitment": SourceKind("承诺事项"),
    "key_project": SourceKind("重点项目"),
    "audit": SourceKind("审计整改", is_rectification=True),
    "inspection": SourceKind("巡视巡察整改", is_rectification=True),
    "supervision": SourceKind("督查发现问题整改", is_rectification=True),
    "npc_proposal": SourceKind("人大建议"),
    "cppcc_motion": SourceKind("政协提案"),
    "petition": SourceKind("信访"),
    "other": SourceKind("其他"),
}
KIND_LABELS: dict[str, str] = {code: kind.label for code, kind in SOURCE_KINDS.items()}
RECTIFICATION_KINDS: frozenset[str] = frozenset(c for c, k in SOURCE_KINDS.items() if k.is_rectification)
MEETING_KINDS: frozenset[str] = frozenset(c for c, k in SOURCE_KINDS.items() if k.is_meeting)

# --------------------------------------------------------------------------- the audit log

# 催办 and 通报 (ledger.supervision): how a unit was chased, what kind of notice it received.
CHASE_WAYS: dict[str, str] = {"phone": "电话", "written": "书面", "system": "系统", "talk": "约谈"}
NOTICE_KINDS: dict[str, str] = {"praise": "表扬", "criticism": "批评", "talk": "约谈"}

# 整改 (ledger.rectification): the rectification status (the SQL macro rectification_status in
# migrations/011_lookbacks.sql holds the rule) and a 回头看's result.
RECTIFICATION_STATUS_LABELS: dict[str, str] = {
    "unrectified": "未整改", "in_progress": "整改中", "rectified": "已整改", "ongoing": "持续整改",
}
LOOKBACK_RESULTS: dict[str, str] = {"consolidated": "巩固", "rebounded": "反弹"}

# Every action code the ledger writes to audit_log.
AUDIT_ACTION_LABELS: dict[str, str] = {
    # imports (etl.importer)
    "import": "导入台账",
    "create": "新增",
    "update": "修改",
    "close": "办结销号",
    "missing_in_file": "清单中缺失",
    # lifecycle actions (ledger.actions)
    "comment": "批示或督办意见",
    "submit_progress": "报送进展",
    "claim_done": "申请办结",
    "request_extension": "申请延期",
    "decide_extension": "审批延期",
    "verify": "核查",
    "cancel": "撤销",
    "reopen": "重新打开",
    # the office's supervision acts (ledger.supervision)
    "chase": "催办",
    "unit_notice": "通报或约谈",
    # 整改 (ledger.rectification)
    "lookback": "回头看",
    # accounts (ledger.accounts)
    "password_reset": "重置密码",
    "disable": "停用账号",
    "enable": "启用账号",
    "unlock": "解除锁定",
    "login": "登录",
    "login_failed": "登录失败",
    "locked": "账号锁定",            # before issue 12: a hard lock (ledgers keep such entries)
    # sign-in events (ledger.signins, stored beside the ledger)
    "login_throttled": "登录被暂缓",  # an attempt during a wait, not checked
    "throttled": "连续失败须等待",    # a client or an account starts waiting
    "logout": "退出登录",
    "rehash": "更新密码存储",
    # the ledger file (ledger.backup)
    "restore": "恢复备份",
    "carry": "带入恢复前的记录",   # the entries a restore carried over from the ledger it replaced
}

AUDIT_ENTITY_LABELS: dict[str, str] = {
    "task": "督办事项",
    "unit": "单位",
    "leader": "领导",
    "source": "来源",
    "user": "账号",
    "progress": "进展",
    "extension": "延期",
    "comment": "批示或督办意见",
    "verification": "核查",
    "batch": "导入批次",
    "ledger": "台账",
    "setting": "设置",
}

# Task fields an import writes, with their words: one table, ledger.task_fields.
TASK_FIELD_LABELS: dict[str, str] = dict(task_fields.LABELS)

# Every field an audit entry can name, with the office's word.
AUDIT_FIELD_LABELS: dict[str, str] = {
    **TASK_FIELD_LABELS,
    # rectifications (etl.importer) and tasks' lifecycle
    "problem": "问题",
    "problem_type": "问题类型",
    "lookback_due": "回头看时限",
    "lifecycle": "办理状态",
    "closed_date": "办结日期",
    "cancelled_date": "撤销日期",
    "reason": "理由",
    "note": "说明",
    # units, leaders and sources
    "kind": "类型",
    "title": "职务",
    "kind/leader": "单位类型/分管领导",
    "name": "名称",
    # progress, comments, extensions, verifications
    "task": "督办编号",
    "text": "内容",
    "report_date": "填报日期",
    "claims_done": "是否申请办结",
    "reported_by": "报送人",
    "done_date": "办结日期",
    "claim_state": "办结申请状态",
    "requested_date": "申请日期",
    "original_deadline": "原完成时限",
    "new_deadline": "申请延期至",
    "decision": "审批结果",
    "requested_by": "申请人",
    "decided_date": "审批日期",
    "decided_by": "审批人",
    "decision_note": "审批意见",
    "filed_late": "逾期后补办",
    "return_reason": "退回理由",
    "superseded_by": "取代该事项的来源",
    "verified_date": "核查日期",
    "result": "核查结果",
    "progress_id": "办结申请编号",
    "verifier": "核查人",
    # 催办, 通报 and 约谈 (ledger.supervision)
    "chased_unit": "催办单位",
    "chase_way": "催办方式",
    "chased_on": "催办日期",
    "notice_kind": "通报类型",
    "noticed_on": "通报日期",
    "tasks": "涉及督办事项",
    # 回头看 (ledger.rectification)
    "lookback_date": "回头看日期",
    "lookback_result": "回头看结果",
    # accounts
    "role": "角色",
    "display_name": "显示名",
    "unit": "所属单位",
    "password": "密码",
    "disabled": "已停用",
    "locked_until": "锁定至",
    "failed_logins": "连续登录失败次数",
    # restores (ledger.backup)
    "carried_entries": "带入的记录编号",
    # what an import flagged on a task and the columns it kept (etl.importer, issue 9)
    "flags": "导入提示",
    "kept_columns": "其他列",
    # every leader a list names for a task, in order (etl.importer, task_leaders)
    "leaders": "责任领导（全部）",
}

# Fields whose values are codes themselves: the audit log keeps the code, pages show the word.
AUDIT_VALUE_LABELS: dict[str, dict[str, str]] = {
    "lifecycle": LIFECYCLE_LABELS,
    "claim_state": {"pending": "待核查", "passed": "核查通过", "failed": "核查未通过（已退回）", "void": "已失效"},
    "decision": {"pending": "待审批", "approved": "批准", "rejected": "不批准"},
    "result": {"passed": "通过", "failed": "未通过"},
    "deadline_kind": {"date": "具体日期", "cycle": "定期报送", "long_term": "长期/持续", "none": "未明确时限"},
    "report_cycle": {"weekly": "每周", "monthly": "每月", "quarterly": "每季度", "half_yearly": "每半年",
                     "yearly": "每年"},
    "role": ROLE_LABELS,
    "chase_way": CHASE_WAYS,
    "notice_kind": NOTICE_KINDS,
    "lookback_result": LOOKBACK_RESULTS,
}


def action_label(code: str | None) -> str:
    return AUDIT_ACTION_LABELS.get(code, code) if code else ""


def field_label(code: str | None) -> str:
    return AUDIT_FIELD_LABELS.get(code, code) if code else ""


def value_label(field: str | None, value: str | None) -> str:
    """An audited value as a user reads it: coded values in words, nothing as blank."""
    if value is None:
        return ""
    return AUDIT_VALUE_LABELS.get(field or "", OLD_BOOLEANS).get(value, value)


# Entries written before ledger.audit.encode held booleans as true/false; they read as 是/否 too.
OLD_BOOLEANS = {"true": "是", "false": "否"}


def code_for(word: str, labels: dict[str, str]) -> str | None:
    """The code that `word` names in `labels` (code -> the office's word), whether the code or
    the word was written; None when it names none."""
    word = (word or "").strip()
    if word in labels:
        return word
    return {label: code for code, label in labels.items()}.get(word)
