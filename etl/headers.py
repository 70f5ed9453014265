"""Column headers as real task lists write them, mapped to the ledger's fields."""

from __future__ import annotations

import re
import unicodedata

# field -> the names offices give that column. Order matters only for display.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "code": ("督办编号", "督查编号", "任务编号", "事项编号", "督办号"),
    "item": ("序号", "编号", "项目序号", "条目"),
    "content": (
        "事项", "工作任务", "重点工作", "议定事项", "确定事项", "决定事项", "会议议定事项", "批示内容",
        "问题", "存在问题", "发现问题", "审计发现问题", "问题描述", "督办事项", "任务内容", "工作内容",
        "具体任务", "主要任务", "任务", "交办事项", "交办内容", "目标任务", "工作事项", "重点任务",
        "主要内容", "工作措施", "建议内容", "提案内容",
    ),
    "lead_units": ("牵头单位", "主办单位", "牵头部门", "主责单位", "牵头责任单位"),
    "responsible_units": ("责任单位", "责任部门", "承办单位", "办理单位", "落实单位", "整改单位", "责任主体", "承办部门"),
    "co_units": ("配合单位", "协办单位", "配合部门", "协助单位", "参与单位", "协办部门"),
    "leader": ("责任领导", "分管领导", "牵头领导", "区级领导", "包抓领导", "联系领导", "责任区领导", "分管区领导", "领导"),
    "deadline": (
        "完成时限", "办理时限", "整改时限", "时间节点", "进度安排", "完成时间", "时限要求", "办结时限",
        "时限", "完成期限", "整改期限", "时间要求", "完成时限要求",
    ),
    "progress": ("进展情况", "落实情况", "完成情况", "整改情况", "办理情况", "推进情况", "工作进展", "整改进展", "进展"),
    "source_title": ("会议", "会议名称", "来源", "来源名称", "任务来源", "事项来源", "会议纪要"),
    "source_date": ("会议日期", "会议时间", "来源日期"),
    "source_kind": ("来源类型", "来源类别", "会议类型"),
    "directive_leader": ("批示领导", "交办领导"),
    "directive_date": ("批示时间", "批示日期", "交办时间", "交办日期"),
    "directive_number": ("批示件编号", "批示件号", "文号", "批示编号"),
    "report_date": ("填报日期", "报送日期", "更新日期", "填报时间", "报送时间"),
    "done_flag": ("是否办结", "是否完成", "是否销号"),
    "done_date": ("办结日期", "办结时间", "完成日期", "销号日期"),
    "measures": ("整改措施", "措施", "整改举措"),
    "category": ("类别", "分类", "领域", "问题类型", "任务类别", "板块", "类型"),
    "remark": ("备注",),
    # master data
    "unit_name": ("单位名称",),
    "unit_aliases": ("简称", "别名", "单位简称"),
    "unit_kind": ("单位类型", "单位类别"),
    "person_name": ("姓名",),
    "person_title": ("职务",),
    "person_rank": ("排序",),
}

# A bare 时间/日期 column means the meeting's date only when the file names meetings.
AMBIGUOUS_DATE_NAMES = ("时间", "日期")

FIELD_LABELS: dict[str, str] = {field: names[0] for field, names in HEADER_NAMES.items()}

_LOOKUP = {name: field for field, names in HEADER_NAMES.items() for name in names}
_NOISE = re.compile(r"[\s*＊※\"'“”]")
_NOTE = re.compile(r"[(（【\[].*?[)）】\]]")
# Longer than any header with its note (完成时限（请填写具体日期，如2026年6月30日前）): a longer cell is
# data, and is not searched for notes (each bracket would scan to the end: 32,767 "(" take seconds).
_LONGEST_HEADER = 60


def normalize_header(text: object) -> str:
    if text is None:
        return ""
    cleaned = unicodedata.normalize("NFKC", str(text))
    return _NOISE.sub("", cleaned)


def field_for(header: object) -> str | None:
    """The field a header names; a trailing note in brackets is ignored (完成时限（时间节点）)."""
    name = normalize_header(header)
    if not name or len(name) > _LONGEST_HEADER:
        return None
    if name in _LOOKUP:
        return _LOOKUP[name]
    without_note = _NOTE.sub("", name)
    return _LOOKUP.get(without_note)


def map_headers(headers: list[str]) -> dict[str, str]:
    """field -> the first header naming it, for a header row."""
    mapping: dict[str, str] = {}
    for header in headers:
        field = field_for(header)
        if field and field not in mapping:
            mapping[field] = header
    if "source_title" in mapping and "source_date" not in mapping:
        for header in headers:
            if normalize_header(header) in AMBIGUOUS_DATE_NAMES:
                mapping["source_date"] = header
                break
    return mapping


def header_score(cells: list[object]) -> int:
    """How many cells of a row are known headers: the header row is the best-scoring one."""
    return sum(1 for cell in cells if field_for(cell))
