"""Column headers as real task lists write them, mapped to the ledger's fields."""

from __future__ import annotations

import re
import unicodedata

# field -> the names offices give that column. Order matters only for display (the first is
# the field's label). Gathered from published lists (政府工作报告任务分解表, 常务会议/办公会议
# 议定事项督办清单, 领导批示件督办单, 整改台账, 民生实事, 重点项目, 建议提案办理) and the seeds'
# words (主办部门, 协办部门, 会议决定事项, 交办事项, 办理时限, 分管领导, 议题).
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "code": ("督办编号", "督查编号", "任务编号", "督办号", "督办事项编号", "督查督办编号", "台账编号", "督办件编号"),
    "item": (
        "序号", "编号", "项目序号", "条目", "项目编号", "事项编号", "No.", "No", "NO.", "事项序号",
        "任务序号", "条目序号", "排序号",
    ),
    "content": (
        "事项", "工作任务", "重点工作", "议定事项", "确定事项", "决定事项", "会议议定事项", "批示内容",
        "问题", "存在问题", "发现问题", "审计发现问题", "问题描述", "督办事项", "任务内容", "工作内容",
        "具体任务", "主要任务", "任务", "交办事项", "交办内容", "目标任务", "工作事项", "重点任务",
        "主要内容", "工作措施", "建议内容", "提案内容",
        # more names real lists give the task text
        "具体工作", "具体内容", "具体事项", "工作重点", "重点事项", "主要工作", "工作目标", "任务目标",
        "目标任务及措施", "重点任务内容", "任务事项", "事项内容", "督办内容", "督查事项", "督查内容",
        "督办任务", "督查任务", "会议决定事项", "会议确定事项", "会议议定内容", "议定内容", "议定事项内容",
        "会议纪要事项", "纪要事项", "决定事项内容", "批示事项", "批示精神", "领导批示内容", "批示要求",
        "批办事项", "交办任务", "交办要求", "整改任务", "整改事项", "整改内容", "整改问题", "问题清单",
        "存在的问题", "主要问题", "问题表现", "反馈问题", "问题内容", "具体问题", "问题及整改要求",
        "工作要求", "工作任务及要求", "任务要求", "目标要求", "民生实事", "实事项目", "项目内容",
        "建设内容", "项目名称", "建议名称", "提案名称", "承诺事项", "承诺内容", "落实事项",
    ),
    "lead_units": (
        "牵头单位", "主办单位", "牵头部门", "主责单位", "牵头责任单位", "主办部门", "主责部门",
        "牵头责任部门", "主要责任单位", "牵头处室", "牵头科室", "牵头单位(部门)", "主抓单位",
    ),
    "responsible_units": (
        "责任单位", "责任部门", "承办单位", "办理单位", "落实单位", "整改单位", "责任主体", "承办部门",
        "整改责任单位", "整改责任部门", "具体责任单位", "责任单位(部门)", "实施单位", "责任处室",
        "责任科室", "承办科室", "办理部门", "落实部门", "实施部门", "执行单位", "主体责任单位",
    ),
    "co_units": (
        "配合单位", "协办单位", "配合部门", "协助单位", "参与单位", "协办部门", "会办单位", "会办部门",
        "协同单位", "协同部门", "配合责任单位", "参加单位", "协助部门", "参与部门", "配合处室",
    ),
    "leader": (
        "责任领导", "分管领导", "牵头领导", "区级领导", "包抓领导", "联系领导", "责任区领导", "分管区领导", "领导",
        "包保领导", "包联领导", "挂点领导", "挂帅领导", "督办领导", "市级领导", "县级领导", "分管市领导",
        "分管县领导", "牵头区领导", "牵头市领导", "牵头县领导", "责任市领导", "责任县领导", "区领导",
        "市领导", "县领导", "领衔领导", "包案领导",
    ),
    "deadline": (
        "完成时限", "办理时限", "整改时限", "时间节点", "进度安排", "完成时间", "时限要求", "办结时限",
        "时限", "完成期限", "整改期限", "时间要求", "完成时限要求",
        "办结期限", "计划完成时间", "完成时间节点", "截止时间", "截止日期", "时间安排",
        "办理期限", "落实时限", "整改完成时限", "整改完成时间", "推进时限", "完成节点", "时序进度",
        "目标时限", "要求完成时间", "完成年限", "报结时限",
    ),
    "progress": (
        "进展情况", "落实情况", "完成情况", "整改情况", "办理情况", "推进情况", "工作进展", "整改进展", "进展",
        "进展及成效", "工作进展情况", "推进落实情况", "整改落实情况", "目前进展", "当前进展", "办理进展",
        "落实进展", "办理结果", "完成进度", "进度情况", "进度",
    ),
    # A status the list itself gives (已完成, 已办结, 滞后, 正常推进): the importer reads its words.
    "status": (
        "状态", "办理状态", "完成状态", "任务状态", "事项状态", "推进状态", "进度状态", "整改状态", "办结状态",
    ),
    "source_title": ("会议", "会议名称", "来源", "来源名称", "任务来源", "事项来源", "会议纪要", "来源会议", "会议纪要名称", "出处"),
    "source_date": ("会议日期", "会议时间", "来源日期", "召开时间", "召开日期", "纪要日期"),
    "source_kind": ("来源类型", "来源类别", "会议类型", "事项类型"),
    # A meeting's topic (议题): the decisions under it share it, kept as their category.
    "category": (
        "类别", "分类", "领域", "问题类型", "任务类别", "板块", "类型", "议题", "会议议题", "议题名称",
        "所属领域", "工作类别", "任务类型", "专项", "篇章",
    ),
    "directive_leader": ("批示领导", "交办领导", "批示人", "交办人"),
    "directive_date": ("批示时间", "批示日期", "交办时间", "交办日期"),
    "directive_number": ("批示件编号", "批示件号", "文号", "批示编号", "批示件文号", "交办文号"),
    "report_date": ("填报日期", "报送日期", "更新日期", "填报时间", "报送时间", "更新时间", "统计日期", "截至日期", "截止填报日期"),
    "done_flag": ("是否办结", "是否完成", "是否销号"),
    "done_date": ("办结日期", "办结时间", "完成日期", "销号日期", "实际完成时间", "实际完成日期", "销号时间"),
    "measures": ("整改措施", "措施", "整改举措", "具体措施", "工作举措", "落实措施", "主要措施", "推进措施"),
    "remark": ("备注", "说明", "备注说明"),
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
# No. / NO. / no.: Latin header names are matched without case.
_LOOKUP_FOLDED = {name.casefold(): field for name, field in _LOOKUP.items() if name.isascii()}
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
    return _LOOKUP.get(without_note) or _LOOKUP_FOLDED.get(without_note.casefold())


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


# A column read as the task text by its content must hold prose: at least this many
# characters in a typical (median) cell, in at least half of the rows.
_PROSE_MEDIAN_CHARS = 12


def guess_content_column(frame, columns: list[str], fields: dict[str, str]) -> tuple[str | None, str | None]:
    """(column, warning) for a sheet whose task column has a name no list of ours knows
    (会议研究事项, 工作台账内容 …): the unnamed column holding long prose, said in the
    report, never silently. (None, None) when the sheet names its task column, or when no
    column reads as prose (the sheet is then refused as before).

    `frame` is the sheet's polars frame (text columns)."""
    if "content" in fields or frame.height == 0:
        return None, None
    # Only a task list's shape (units, a leader or a deadline named) is looked at: a unit or
    # leader list, or a progress report, is not turned into tasks.
    if {"unit_name", "person_name"} & fields.keys() or not (
            {"lead_units", "responsible_units", "co_units", "leader", "deadline"} & fields.keys()):
        return None, None
    mapped = set(fields.values())
    best: tuple[float, str] | None = None
    for column in columns:
        if column in mapped or column not in frame.columns:
            continue
        values = frame[column].drop_nulls()
        if values.len() * 2 < frame.height:
            continue
        lengths = values.str.len_chars()
        median = float(lengths.median() or 0)
        # Dates, numbers and names are short; a column of the same few words is a category.
        if median < _PROSE_MEDIAN_CHARS or values.n_unique() * 2 < values.len():
            continue
        if best is None or median > best[0]:
            best = (median, column)
    if best is None:
        return None, None
    median, column = best
    return column, (f"表头中没有可识别的督办事项列，按内容（每格约{int(median)}字的文字）把“{column}”列作为"
                    f"“{FIELD_LABELS['content']}”导入，请核对")
