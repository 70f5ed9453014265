"""Demo task lists of the fictional 青川区 supervision office (督查室), written the way real offices
write them: title rows, merged cells, GBK and BOM encodings, aliases next to full unit names, mixed
separators, collective units, and 完成时限 as free text ("12月底前", "会后5个工作日内", "长期坚持")
or as Excel date cells.

``build_demo_files(out_dir, today)`` writes everything and returns the files in load order.
The output is deterministic: a fixed random seed, no clock inside, a fixed workbook creation date.
Dates are placed relative to ``today`` so that, as of ``today``, the ledger shows a live mix of
overdue, due-soon, on-track, done (on time and late) and long-term items.

How it works: ``demo_plan(today)`` first plans every task (source, text, units, leader, deadline
text, the deadline it means, status category, closing date); the writers then lay the plan out
in each file's shape. Every deadline phrase is chosen so that all sensible readings of it (for
example "1个月内" as one calendar month or as 30 days) fall in the window of its planned status.
"""

from __future__ import annotations

import calendar
import csv
import io
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import xlsxwriter

try:  # the official working-day calendar (调休 included), 2004-2026
    import chinese_calendar as _chinese_calendar
except ImportError:  # pragma: no cover - the project installs it
    _chinese_calendar = None

__all__ = ["CATEGORIES", "DemoFile", "PlannedTask", "build_demo_files", "demo_plan", "main"]

SEED = 20260120
# xlsxwriter writes the creation date into docProps/core.xml; fixed so the bytes are stable.
WORKBOOK_CREATED = datetime(2026, 1, 5, 9, 0, 0)
DISTRICT = "青川区"

CATEGORIES = ("overdue", "due_soon", "on_track", "done_on_time", "done_late", "long_term")


@dataclass(frozen=True)
class DemoFile:
    path: Path
    source_kind: str | None = None  # Chinese kind name, when the file does not carry its source in columns
    source_title: str | None = None
    source_date: date | None = None
    sheet: str | None = None


@dataclass
class PlannedTask:
    """One task as planned; the writers lay these out, tests check them."""

    file: str
    source_kind: str
    source_title: str
    source_date: date
    seq: int
    text: str
    lead_unit: str  # canonical name of the leading unit
    lead: str  # lead cell as written
    co: str  # co-unit cell as written ("" if none)
    leader: str  # leader cell as written
    deadline: str | date  # as written: text, or a date for an Excel date cell
    deadline_kind: str  # which phrase shape was used
    due: date | None  # the deadline it means (None: long-term / periodic)
    due_lo: date | None  # earliest sensible reading of the phrase
    due_hi: date | None  # latest sensible reading
    category: str  # planned status as of today, one of CATEGORIES
    done: date | None = None  # closing date for done_on_time / done_late
    progress: str = ""  # progress text written in the list itself
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# The fictional district: leaders and units.

LEADERS: tuple[tuple[str, str], ...] = (
    ("林志远", "区长"),
    ("陈立新", "常务副区长"),
    ("何秀芳", "副区长"),
    ("赵明辉", "副区长"),
    ("孙海涛", "副区长"),
    ("周静怡", "副区长"),
)
_LEADER_TITLE = dict(LEADERS)

# key, canonical name, aliases (short forms), kind, leader in charge (分管领导)
_UNIT_ROWS: tuple[tuple[str, str, tuple[str, ...], str, str], ...] = (
    ("府办", "区政府办公室", ("区政府办", "区府办"), "部门", "林志远"),
    ("发改", "区发展和改革局", ("区发改局", "发改局"), "部门", "陈立新"),
    ("财政", "区财政局", ("财政局",), "部门", "陈立新"),
    ("住建", "区住房和城乡建设局", ("区住建局", "住建局"), "部门", "赵明辉"),
    ("人社", "区人力资源和社会保障局", ("区人社局", "人社局"), "部门", "何秀芳"),
    ("教育", "区教育局", ("教育局",), "部门", "何秀芳"),
    ("卫健", "区卫生健康委员会", ("区卫健委", "卫健委"), "部门", "何秀芳"),
    ("自然资源", "区自然资源局", ("自然资源局", "区资源局"), "部门", "赵明辉"),
    ("生态", "区生态环境分局", ("生态环境分局", "区环保分局", "市生态环境局青川分局"), "部门", "赵明辉"),
    ("交通", "区交通运输局", ("区交通局", "交通局"), "部门", "赵明辉"),
    ("农业农村", "区农业农村局", ("区农业局", "农业农村局"), "部门", "孙海涛"),
    ("水利", "区水利局", ("水利局",), "部门", "孙海涛"),
    ("商务", "区商务局", ("商务局",), "部门", "周静怡"),
    ("文旅", "区文化和旅游局", ("区文旅局", "文旅局"), "部门", "何秀芳"),
    ("应急", "区应急管理局", ("区应急局", "应急局"), "部门", "孙海涛"),
    ("市场监管", "区市场监督管理局", ("区市场监管局", "市场监管局"), "部门", "孙海涛"),
    ("城管", "区城市管理局", ("区城管局", "城管局"), "部门", "赵明辉"),
    ("民政", "区民政局", ("民政局",), "部门", "何秀芳"),
    ("司法", "区司法局", ("司法局",), "部门", "孙海涛"),
    ("审计", "区审计局", ("审计局",), "部门", "林志远"),
    ("统计", "区统计局", ("统计局",), "部门", "陈立新"),
    ("医保", "区医疗保障局", ("区医保局", "医保局"), "部门", "何秀芳"),
    ("退役军人", "区退役军人事务局", ("区退役军人局", "退役军人局"), "部门", "何秀芳"),
    ("审批", "区行政审批局", ("区审批局", "审批局"), "部门", "陈立新"),
    ("科技", "区科学技术局", ("区科技局", "科技局"), "部门", "周静怡"),
    ("工信", "区工业和信息化局", ("区工信局", "工信局"), "部门", "周静怡"),
    ("信访", "区信访局", ("信访局",), "部门", "林志远"),
    ("公安", "公安青川分局", ("区公安分局", "公安分局", "青川公安分局"), "部门", "孙海涛"),
    ("投促", "区投资促进局", ("区投促局", "投促局"), "部门", "周静怡"),
    ("林业", "区林业局", ("林业局",), "部门", "孙海涛"),
    ("数据", "区数据资源管理局", ("区数据局", "数据局"), "部门", "陈立新"),
    ("机关事务", "区机关事务管理局", ("区机关事务局", "机关事务局"), "部门", "陈立新"),
    ("税务", "国家税务总局青川区税务局", ("区税务局", "税务局"), "部门", "陈立新"),
    ("经开区", "青川经济开发区管理委员会", ("经开区管委会", "开发区管委会"), "部门", "周静怡"),
    ("消防", "区消防救援大队", ("消防救援大队", "消防大队"), "部门", "孙海涛"),
    ("融媒体", "区融媒体中心", ("融媒体中心",), "部门", "何秀芳"),
    ("残联", "区残疾人联合会", ("区残联", "残联"), "部门", "何秀芳"),
    ("城关", "城关街道", ("城关街道办", "城关办"), "镇街", "林志远"),
    ("河西", "河西街道", ("河西街道办", "河西办"), "镇街", "陈立新"),
    ("东湖", "东湖街道", ("东湖街道办", "东湖办"), "镇街", "何秀芳"),
    ("新华", "新华街道", ("新华街道办", "新华办"), "镇街", "赵明辉"),
    ("青石", "青石镇", ("青石镇政府",), "镇街", "孙海涛"),
    ("柳溪", "柳溪镇", ("柳溪镇政府",), "镇街", "周静怡"),
    ("白沙", "白沙镇", ("白沙镇政府",), "镇街", "孙海涛"),
    ("龙泉", "龙泉镇", ("龙泉镇政府",), "镇街", "赵明辉"),
    ("桃源", "桃源镇", ("桃源镇政府",), "镇街", "何秀芳"),
    ("石门", "石门乡", ("石门乡政府",), "镇街", "周静怡"),
    ("城投", "区城投集团有限公司", ("区城投集团", "城投集团", "城投公司"), "企业", "陈立新"),
    ("供电", "国网青川供电公司", ("青川供电公司", "供电公司"), "企业", "赵明辉"),
    ("水务", "青川水务集团有限公司", ("区水务集团", "水务集团", "水务公司"), "企业", "赵明辉"),
)
_UNIT_BY_KEY = {row[0]: row for row in _UNIT_ROWS}
_KEY_BY_NAME = {row[1]: row[0] for row in _UNIT_ROWS}
_TOWN_KEYS = tuple(row[0] for row in _UNIT_ROWS if row[3] == "镇街")
_STREET_KEYS = tuple(key for key in _TOWN_KEYS if _UNIT_BY_KEY[key][1].endswith("街道"))
_RURAL_KEYS = tuple(key for key in _TOWN_KEYS if key not in _STREET_KEYS)

# Collective units as lists write them.
_ALL_TOWNS = ("各镇街", "各乡镇(街道)", "各镇（街道）", "各镇街", "各乡镇（街道）")
_ALL_DEPTS = ("区直各部门", "区直相关部门", "区直各部门")
_ALL_RELATED = ("各相关单位", "各相关单位", "相关单位")


# --------------------------------------------------------------------------------------------
# Working days and dates.


@cache
def _is_workday(day: date) -> bool:
    if _chinese_calendar is not None:
        try:
            return bool(_chinese_calendar.is_workday(day))
        except NotImplementedError:
            pass
    return day.weekday() < 5


def _add_workdays(day: date, n: int, *, holidays: bool = True) -> date:
    """The n-th working day after ``day`` (``day`` itself never counts)."""
    left = n
    while left > 0:
        day += timedelta(days=1)
        if _is_workday(day) if holidays else day.weekday() < 5:
            left -= 1
    return day


def _workday_on_or_before(day: date) -> date:
    while not _is_workday(day):
        day -= timedelta(days=1)
    return day


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    years, index = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, index + 1, min(day.day, calendar.monthrange(year, index + 1)[1]))


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _days(n: int) -> timedelta:
    return timedelta(days=n)


# --------------------------------------------------------------------------------------------
# Deadline phrases.


@dataclass(frozen=True)
class _Phrase:
    kind: str
    value: str | date
    due: date | None  # None: long-term or periodic
    lo: date | None
    hi: date | None


_KIND_WEIGHT = {
    "ymd_qian": 1.0, "slash": 0.7, "dot": 0.5, "ymd": 0.5, "cell": 1.6, "md_qian": 0.6,
    "m_end": 2.2, "y_m_end": 1.0, "year_end": 1.6, "y_year_end": 0.6, "year_end_quarterly": 0.7,
    "h1": 1.2, "quarter": 1.2, "xun_shang": 1.0, "xun_zhong": 0.7, "next_month": 1.2,
    "wd_meeting": 1.3, "wd": 1.0, "months": 1.2, "immediate": 1.2,
}
_QUARTER_NAMES = {3: "一季度", 6: "二季度", 9: "三季度", 12: "四季度"}
# Periodic / long-term phrases and their kinds.
_LONG_PHRASES = (("长期坚持", "long_keep", 3.0), ("持续推进", "long_push", 3.0), ("每月", "monthly", 1.0),
                 ("每季度", "quarterly", 1.5), ("每月28日前", "monthly28", 1.0))
_CYCLIC_KINDS = {"monthly": 1, "quarterly": 3, "monthly28": 1}


def _date_phrases(day: date, base: date, *, cell_ok: bool) -> list[_Phrase]:
    """Every way a list writes ``day`` as a deadline of a source dated ``base``."""
    y, m, d = day.year, day.month, day.day
    out: list[_Phrase] = []

    def add(kind: str, value: str | date) -> None:
        out.append(_Phrase(kind, value, day, day, day))

    add("ymd_qian", f"{y}年{m}月{d}日前")
    add("slash", f"{y}/{m}/{d}")
    add("dot", f"{y}.{m}.{d}")
    add("ymd", f"{y}年{m}月{d}日")
    if cell_ok:
        add("cell", day)
    month_end = d == calendar.monthrange(y, m)[1]
    if month_end:
        add("y_m_end", f"{y}年{m}月底前")
        if m == 12:
            add("y_year_end", f"{y}年底前")
            if (day - base).days > 90:
                add("year_end_quarterly", f"{y}年底前完成，每季度报送进展情况")
    # Without a year: only in the source's own year and after the source's date.
    if y == base.year and day > base:
        if month_end:
            add("m_end", f"{m}月底前")
            if m == 12:
                add("year_end", "年底前")
            if m == 6:
                add("h1", "上半年")
            if m in _QUARTER_NAMES:
                add("quarter", _QUARTER_NAMES[m])
        elif d == 10:
            add("xun_shang", f"{m}月上旬前")
        elif d == 20:
            add("xun_zhong", f"{m}月中旬前")
        else:
            add("md_qian", f"{m}月{d}日前")
    elif y == base.year + 1 and month_end:
        add("next_month", f"明年{m}月份")
    return out


@cache
def _relative_phrases(base: date) -> tuple[_Phrase, ...]:
    out = []
    for n in (3, 5, 7, 10, 15, 20, 30):
        a, b = _add_workdays(base, n), _add_workdays(base, n, holidays=False)
        out.append(_Phrase("wd_meeting", f"会后{n}个工作日内", a, min(a, b), max(a, b)))
        out.append(_Phrase("wd", f"{n}个工作日内", a, min(a, b), max(a, b)))
    for k in (1, 2, 3, 6):
        a, b = _add_months(base, k), base + _days(30 * k)
        out.append(_Phrase("months", f"{k}个月内", a, min(a, b), max(a, b)))
    # 立即: the next working day, or within a few days by a looser reading.
    next_workday = _add_workdays(base, 1)
    out.append(_Phrase("immediate", "立即", next_workday, base + _days(1), max(base + _days(7), next_workday)))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Content: phrase templates combined deterministically.


@dataclass(frozen=True)
class _Tpl:
    section: int  # section of the 政府工作报告 it belongs to (1-7)
    theme: str
    text: str
    leads: str  # unit keys, space separated; "{town}" / "{street}" / "@" = from a slot
    cos: str  # unit keys and tokens: *towns *depts *rel {town} {street} !外部单位


_POOLS: dict[str, tuple] = {
    "proj": ("青川大道改造提升工程", "城北污水处理厂二期工程", "青川中学新校区", "区人民医院门诊综合楼",
             "柳溪河综合治理工程", "东湖智慧物流园", "经开区标准化厂房三期", "龙泉水库除险加固工程",
             "青石镇中心卫生院迁建项目", "滨河公园提升工程", "区全民健身中心", "桃源大道西延工程",
             "第二自来水厂扩建工程", "青川职教中心实训楼", "城南片区棚户区改造项目", "白沙农贸市场改造项目",
             "青川至白沙快速通道", "区档案馆新馆", "区妇幼保健院迁建项目", "城东变电站配套线路工程"),
    "company": ("年产10万吨新型环保建材项目", "锂电池正极材料生产基地项目", "华川智能装备产业园项目",
                "青川冷链物流中心项目", "恒泰食品精深加工项目", "光伏组件生产线项目", "新能源汽车零部件项目",
                "中药材精深加工项目"),
    "industry": ("新能源电池", "智能装备制造", "绿色食品加工", "现代物流", "新型建材", "电子信息"),
    "river": ("柳溪河", "青川河", "白沙河", "桃源溪"),
    "area": ("老城片区", "火车站片区", "城北片区", "滨河片区", "南门片区"),
    "road": ("新华路", "人民南路", "滨河东路", "解放街", "文化巷", "东风路", "青年路", "建设路"),
    "rural_road": ("青石至柳溪", "白沙至龙泉", "桃源至石门", "柳溪至白沙", "龙泉至青石"),
    "product": ("茶叶", "食用菌", "中药材", "柑橘", "高山蔬菜"),
    "scenic": ("桃源古镇", "龙泉山", "柳溪湿地公园"),
    "festival": ("桃源桃花节", "柳溪端午龙舟赛", "青川美食文化节", "龙泉山登山节"),
    "hospital_dept": ("胸痛中心", "卒中中心", "儿科", "重症医学科"),
    "issue": ("城北安置小区不动产办证", "拖欠工程款", "征地补偿款分配", "小区物业纠纷"),
    "estate": ("幸福里", "锦绣家园", "阳光花园", "滨江苑", "和平小区", "翠湖名居"),
    "field2": ("城市更新", "水利", "教育", "卫生健康", "交通"),
    "money": ("36.5", "58.2", "126.8", "215", "340.6", "89.7", "1020", "47.3", "612.4"),
    "n_small": ("2", "3", "4", "5", "6"),
    "n_small2": ("8", "10", "12", "15", "20"),
    "n_seat": ("360", "540", "720", "900"),
    "n_job": ("3500", "4000", "4200", "5000"),
    "n_km": ("12", "18", "25", "30", "46"),
    "n_mu": ("1.2", "1.5", "2", "2.6"),
    "n_park": ("300", "500", "800", "1200"),
    "n_house": ("120", "150", "200"),
    "n_train": ("3000", "5000", "6000"),
    "n_proj": ("120", "150", "168"),
    "n_yi": ("80", "120", "150", "200"),
    "pct": ("5", "6", "7", "7.5", "8"),
    "pct2": ("85", "86", "88", "90"),
    "pm": ("32", "35", "38"),
    # (value, lead key) pairs: the slot decides who leads.
    "field": (("城镇燃气", "住建"), ("自建房", "住建"), ("消防", "消防"), ("道路交通", "公安"),
              ("危险化学品", "应急"), ("建筑施工", "住建"), ("校园周边", "教育"), ("电动自行车充电场所", "消防"),
              ("人员密集场所", "消防"), ("有限空间作业", "应急"), ("特种设备", "市场监管")),
    "doc": (("青川区促进民营经济高质量发展若干措施", "发改"), ("青川区城市更新三年行动方案", "住建"),
            ("青川区政府投资项目管理办法（修订稿）", "发改"), ("青川区安全生产治本攻坚三年行动实施方案", "应急"),
            ("青川区养老服务体系建设实施方案", "民政"), ("青川区消费品以旧换新实施细则", "商务"),
            ("青川区突发事件总体应急预案", "应急"), ("青川区国有资产出租出借管理办法", "财政"),
            ("青川区农村人居环境整治提升实施方案", "农业农村"), ("青川区城区停车设施建设管理办法", "城管"),
            ("青川区就业创业补贴资金管理办法", "人社"), ("青川区招商引资优惠政策兑现办法", "投促"),
            ("青川区公立医院高质量发展实施方案", "卫健"), ("青川区义务教育学校布局调整规划", "教育")),
    "topic": (("全区重点项目推进情况", "发改"), ("城市生活垃圾处理设施建设情况", "城管"),
              ("全区安全生产形势", "应急"), ("财政收支运行情况", "财政"), ("招商引资工作推进情况", "投促"),
              ("中小学校舍安全排查情况", "教育"), ("耕地保护督察反馈问题整改情况", "自然资源"),
              ("防汛准备工作情况", "水利")),
    "x_behind": (("高标准农田建设", "农业农村"), ("老旧小区改造", "住建"), ("城镇燃气管网改造", "住建"),
                 ("农村公路建设", "交通"), ("专项债券资金支出", "财政")),
    "nuisance": (("农贸市场周边占道经营", "城管"), ("学校周边交通拥堵", "公安"), ("餐饮油烟扰民", "生态"),
                 ("夜间施工噪音扰民", "住建")),
    "fund": (("城乡义务教育补助经费", "教育"), ("农村公路建设补助资金", "交通"), ("就业补助资金", "人社"),
             ("污染防治专项资金", "生态"), ("衔接推进乡村振兴补助资金", "农业农村"),
             ("基本公共卫生服务补助资金", "卫健"), ("中小企业发展专项资金", "工信"), ("养老服务体系建设资金", "民政")),
}

_T = _Tpl
_TEMPLATES: tuple[_Tpl, ...] = (
    # 1 项目建设 / 城市更新
    _T(1, "项目", "加快推进{proj}建设，倒排工期、挂图作战，确保完成年度投资计划。", "发改 住建", "财政 自然资源 城投 {town}"),
    _T(1, "项目", "协调解决{proj}用地报批问题，加快完成用地组卷上报。", "自然资源", "发改 {town}"),
    _T(1, "项目", "抓紧完成{proj}可行性研究报告编制和评审，尽快办理立项手续。", "发改", "审批 财政 自然资源"),
    _T(1, "项目", "由{town}负责做好{proj}征地拆迁和群众思想工作，确保按时交付净地。", "{town}", "自然资源 住建 司法"),
    _T(1, "项目", "会议同意{proj}追加建设资金{money}万元，由区财政局按程序拨付。", "财政", "发改 审计"),
    _T(1, "项目", "对全区在建重点项目开展一次全面调度，形成问题清单、责任清单和时限清单，逐项推动解决。", "发改", "*depts *towns"),
    _T(1, "项目", "加大专项债券项目谋划储备力度，围绕{field2}领域包装储备一批项目，积极争取上级资金支持。", "发改 财政", "*rel"),
    _T(1, "项目", "做好{proj}水、电、气、路等配套设施接入保障。", "住建", "供电 水务 交通 {town}"),
    _T(1, "项目", "{proj}施工单位要加强现场管理，严格落实扬尘管控措施，确保安全文明施工。", "住建", "生态 城管"),
    _T(1, "项目", "加快{proj}竣工验收和结算审计，尽早投入使用。", "住建", "审计 财政"),
    _T(1, "项目", "会议同意{proj}采用EPC模式实施，由{L}按程序组织招标。", "住建 城投", "财政 审计 发改"),
    _T(1, "项目", "全年实施区级重点项目{n_proj}个，完成投资{n_yi}亿元以上。", "发改", "*depts *towns"),
    _T(1, "项目", "积极争取中央预算内投资和超长期特别国债资金，全年争取上级资金{n_yi}亿元以上。", "发改", "财政 *rel"),
    _T(1, "城更", "启动{area}城市更新项目，完成片区规划编制和征收摸底调查。", "住建", "自然资源 城投 {street}"),
    _T(1, "城更", "实施{road}等{n_small}条背街小巷改造提升，同步完善照明、排水设施。", "住建", "城管 水务 {street}"),
    _T(1, "城更", "新增城区公共停车泊位{n_park}个，缓解老城区停车难问题。", "城管", "公安 住建 城投"),
    _T(1, "城更", "汛期前完成城区{n_small}处易涝积水点改造。", "住建", "城管 水务 *towns"),
    _T(1, "城更", "积极争取政策性银行贷款，做好城市更新项目融资保障。", "城投", "财政 发改"),
    _T(1, "城更", "推进城区二次供水设施改造和管网漏损治理。", "水务", "住建 {street}"),
    _T(1, "城更", "对{area}违法建设开展集中整治，做到新增违建“零增长”。", "城管", "自然资源 住建 {street}"),
    _T(1, "城更", "加快{area}棚户区改造安置房建设，确保群众按期回迁。", "住建", "城投 财政 {street}"),
    _T(1, "城更", "实施{n_small}个老旧小区改造，同步推进加装电梯、雨污分流等配套设施建设。", "住建", "财政 水务 {street}"),
    _T(1, "城更", "完善城市“一刻钟便民生活圈”，在{street}试点建设{n_small}个社区综合服务站。", "商务", "民政 {street}"),
    _T(1, "城更", "推进城区充电基础设施建设，新增公共充电桩{n_park}个。", "发改", "供电 住建 城管"),
    # 2 产业 / 招商
    _T(2, "招商", "做好{company}签约落地服务保障，协调解决项目用地、用电、用水等要素需求。", "投促 经开区", "自然资源 供电 水务 审批"),
    _T(2, "招商", "围绕{industry}产业链开展精准招商，全年引进亿元以上项目不少于{n_small2}个。", "投促", "工信 商务 经开区"),
    _T(2, "招商", "对已签约未开工项目逐一梳理，建立项目台账，推动尽快开工建设。", "投促", "发改 自然资源 审批"),
    _T(2, "招商", "组织赴长三角、珠三角地区开展小分队招商，重点对接{industry}领域龙头企业。", "投促", "经开区 工信"),
    _T(2, "招商", "会议同意{company}享受招商引资优惠政策，由{L}与企业签订补充协议，严格按约兑现。", "投促", "财政 司法"),
    _T(2, "招商", "完善经开区标准化厂房配套设施，提高厂房出租率，盘活闲置低效用地。", "经开区", "自然资源 城投"),
    _T(2, "产业", "做好规上工业企业培育工作，新增规上工业企业{n_small2}家。", "工信", "统计 经开区 *towns"),
    _T(2, "产业", "支持企业加大研发投入，新增高新技术企业{n_small}家、科技型中小企业{n_small2}家。", "科技", "工信 税务 经开区"),
    _T(2, "产业", "推进工业企业技术改造和数字化转型，完成{n_small2}家企业智能化改造。", "工信", "科技 数据"),
    _T(2, "产业", "实施消费品以旧换新政策，组织开展汽车、家电促消费活动。", "商务", "财政 市场监管"),
    _T(2, "产业", "开展电力设施保护和迎峰度夏保供工作，确保电网安全稳定运行。", "供电", "发改 工信"),
    _T(2, "产业", "规上工业增加值增长{pct}%以上，推动{industry}产业集群发展。", "工信", "统计 经开区"),
    _T(2, "产业", "培育专精特新中小企业{n_small}家，落实惠企政策直达快享。", "工信", "科技 财政 税务"),
    _T(2, "产业", "推进经开区扩区调位，完善园区道路、管网等基础设施。", "经开区", "自然资源 发改 城投"),
    # 3 营商环境 / 改革
    _T(3, "营商", "深化“一网通办”改革，政务服务事项网上可办率达到95%以上。", "审批", "数据 *depts"),
    _T(3, "营商", "开展清理拖欠企业账款专项行动，建立台账，按期清偿到位。", "工信", "财政 *depts"),
    _T(3, "营商", "开展涉企违规收费专项整治，坚决纠正乱收费、乱罚款、乱摊派行为。", "市场监管", "发改 财政 司法"),
    _T(3, "营商", "落实“企业服务专员”制度，走访重点企业，及时协调解决企业诉求。", "工信", "经开区 投促 *rel"),
    _T(3, "营商", "推行工程建设项目审批“多测合一”“联合验收”，压缩审批时限。", "审批", "住建 自然资源"),
    _T(3, "营商", "梳理出台支持民营经济发展的具体措施，落实结构性减税降费政策。", "发改", "税务 财政 工信"),
    _T(3, "营商", "建立“高效办成一件事”重点事项清单，完成{n_small2}个事项集成办理。", "审批", "数据 人社 市场监管"),
    _T(3, "营商", "开展政务服务“好差评”情况通报，对差评事项限期整改。", "审批", "府办 *depts"),
    _T(3, "营商", "开展政务数据共享和公共数据资源目录梳理，打破部门“信息孤岛”。", "数据", "*depts"),
    _T(3, "营商", "深化国资国企改革，推动区属国有企业市场化转型。", "财政", "城投 水务"),
    _T(3, "营商", "全面推行“双随机、一公开”监管，推进跨部门综合监管。", "市场监管", "司法 *depts"),
    _T(3, "营商", "会议原则同意《{doc}》，由{L}根据会议意见修改完善后按程序印发实施。", "@", "司法 府办"),
    # 4 乡村振兴
    _T(4, "乡村", "巩固拓展脱贫攻坚成果，做好防止返贫动态监测和帮扶，确保不发生规模性返贫。", "农业农村", "民政 医保 人社 *towns"),
    _T(4, "乡村", "完成高标准农田建设{n_mu}万亩，确保粮食播种面积稳定。", "农业农村", "财政 自然资源 水利 *towns"),
    _T(4, "乡村", "推进{rural}{product}产业园建设，培育壮大农业龙头企业和农民专业合作社。", "农业农村", "{rural} 商务"),
    _T(4, "乡村", "发展壮大村级集体经济，年内消除集体经济收入5万元以下薄弱村。", "农业农村", "财政 *towns"),
    _T(4, "乡村", "做好春耕备耕农资供应和农技服务工作，加强农资市场监管。", "农业农村", "市场监管 *towns"),
    _T(4, "乡村", "实施农村公路提档升级工程，完成{rural_road}公路改造{n_km}公里。", "交通", "财政 {rural}"),
    _T(4, "乡村", "加快{rural}和美乡村示范村建设，打造一批乡村振兴示范点。", "农业农村", "{rural} 住建 文旅"),
    _T(4, "乡村", "推进农村供水保障工程，提升{rural}等乡镇农村自来水普及率。", "水利", "水务 {rural}"),
    _T(4, "乡村", "抓好耕地保护和违法占地整治，严格落实耕地“进出平衡”。", "自然资源", "农业农村 *towns"),
    _T(4, "乡村", "打造“青川{product}”区域公用品牌，新增“三品一标”农产品{n_small}个。", "农业农村", "市场监管 商务"),
    _T(4, "乡村", "推进土地征收成片开发方案编制报批，保障重点项目用地需求。", "自然资源", "发改 {town}"),
    # 5 生态环境
    _T(5, "环境", "做好中央生态环境保护督察反馈问题整改工作，确保按期销号。", "生态", "*rel"),
    _T(5, "环境", "实施{river}流域水环境综合治理，确保断面水质稳定达标。", "生态", "水利 农业农村 {town}"),
    _T(5, "环境", "加强扬尘污染防治，督促建筑工地严格落实“六个百分之百”要求。", "住建", "生态 城管"),
    _T(5, "环境", "推进城乡生活垃圾分类，{street}实现生活垃圾分类全覆盖。", "城管", "{street}"),
    _T(5, "环境", "开展农村人居环境整治提升行动，完成{n_small2}个行政村生活污水治理。", "农业农村", "生态 水务 *towns"),
    _T(5, "环境", "加快城北污水处理厂提标改造，确保出水水质达到一级A标准。", "水务", "生态 住建"),
    _T(5, "环境", "开展秸秆禁烧和综合利用工作，加强重点时段巡查管控。", "农业农村", "生态 *towns"),
    _T(5, "环境", "推进{river}河道清淤疏浚和岸线整治，落实河长制巡河制度。", "水利", "{town} 生态"),
    _T(5, "环境", "对{town}辖区内“散乱污”企业开展集中整治，依法关停取缔一批。", "生态", "市场监管 供电 {town}"),
    _T(5, "环境", "PM2.5平均浓度控制在{pm}微克/立方米以内，空气质量优良天数比例达到{pct2}%。", "生态", "住建 交通 城管 *towns"),
    _T(5, "环境", "加强森林资源保护，完成植树造林和森林抚育{n_mu}万亩。", "林业", "*towns"),
    # 6 民生
    _T(6, "民生", "新建（改扩建）{n_small}所公办幼儿园，新增学位{n_seat}个。", "教育", "财政 自然资源 住建"),
    _T(6, "民生", "稳妥做好秋季学期中小学招生入学工作，合理划分学区，确保适龄儿童应入尽入。", "教育", "公安 *towns"),
    _T(6, "民生", "做好高校毕业生、退役军人、农民工等重点群体就业帮扶，新增城镇就业{n_job}人。", "人社", "退役军人 农业农村 *towns"),
    _T(6, "民生", "建成{n_small}个社区嵌入式养老服务中心，推进居家养老服务全覆盖。", "民政", "财政 住建 {street}"),
    _T(6, "民生", "推进区人民医院与{rural}卫生院紧密型医共体建设，提升基层医疗服务能力。", "卫健", "医保 财政 {rural}"),
    _T(6, "民生", "做好困难群众基本生活保障，确保低保、特困供养资金按时足额发放。", "民政", "财政 *towns"),
    _T(6, "民生", "持续推进城乡居民医保参保扩面，参保率稳定在95%以上。", "医保", "税务 *towns"),
    _T(6, "民生", "开展根治欠薪专项行动，对在建工程项目农民工工资专户开设情况进行全面排查。", "人社", "住建 交通 水利"),
    _T(6, "民生", "完成{n_house}户困难重度残疾人家庭无障碍改造。", "残联", "民政 财政 *towns"),
    _T(6, "民生", "做好退役军人优待证发放和走访慰问工作。", "退役军人", "*towns"),
    _T(6, "民生", "开展食品安全专项检查，重点检查校园食堂和农村集体聚餐。", "市场监管", "教育 卫健 *towns"),
    _T(6, "民生", "推进职业技能提升行动，开展职业技能培训{n_train}人次。", "人社", "教育 农业农村"),
    _T(6, "民生", "开展医保基金使用专项检查，严厉打击欺诈骗保行为。", "医保", "卫健 公安 市场监管"),
    _T(6, "民生", "加强传染病监测预警，做好秋冬季呼吸道传染病防控工作。", "卫健", "教育 市场监管"),
    _T(6, "民生", "推进区人民医院{hospital_dept}能力建设，争创市级重点专科。", "卫健", "医保 财政"),
    _T(6, "文旅", "办好{festival}，策划推出系列文旅消费活动，带动节假日消费。", "文旅", "商务 公安 {town}"),
    _T(6, "文旅", "推进{scenic}创建国家4A级旅游景区，完善停车场、游客中心等配套设施。", "文旅", "{town} 交通 住建"),
    _T(6, "民生", "优化城区公交线网，新开通（调整）{n_small}条公交线路。", "交通", "城投 公安"),
    _T(6, "民生", "实施十项民生实事，一般公共预算民生支出占比保持在75%以上。", "财政", "*depts"),
    # 7 安全 / 治理
    _T(7, "安全", "立即组织开展{field}安全隐患排查整治，建立问题清单，逐项整改销号。", "@", "应急 *rel *towns"),
    _T(7, "安全", "严格落实汛期24小时值班和领导带班制度，做好{river}沿线防汛物资储备和应急演练。", "水利 应急", "*towns"),
    _T(7, "安全", "加强森林防火巡查管控，清明、春节等重点时段实行网格化管理。", "林业", "应急 消防 *towns"),
    _T(7, "安全", "完成老旧燃气管网改造{n_km}公里，推进瓶装液化气用户“瓶改管”。", "住建", "城投 市场监管 *towns"),
    _T(7, "安全", "开展道路交通安全隐患点排查治理，完成{n_small2}处事故多发路段整治。", "公安", "交通 *towns"),
    _T(7, "安全", "加强地质灾害隐患点监测预警，落实群测群防员，做好受威胁群众避险转移预案。", "自然资源", "应急 *towns"),
    _T(7, "安全", "组织开展安全生产大检查“回头看”，对检查发现问题实行挂账整改。", "应急", "*depts *towns"),
    _T(7, "安全", "强化校园及周边安全管理，落实护学岗制度。", "教育", "公安 市场监管"),
    _T(7, "安全", "做好防汛抗旱物资储备和应急队伍建设，组织开展综合应急演练。", "应急", "水利 消防 *towns"),
    _T(7, "安全", "对{river}沿岸{town}段堤防开展隐患排查，汛前完成险工险段加固。", "水利", "{town} 应急"),
    _T(7, "安全", "开展高层建筑和大型商业综合体消防安全专项整治。", "消防", "住建 商务 *rel"),
    _T(7, "治理", "加强财政收支管理，压减一般性支出，兜牢“三保”底线。", "财政", "*depts"),
    _T(7, "治理", "盘活行政事业单位闲置资产，制定闲置办公用房处置方案。", "机关事务", "财政 自然资源"),
    _T(7, "治理", "严格落实政府债务化解方案，按期偿还到期债务，防范债务风险。", "财政", "城投 发改"),
    _T(7, "治理", "对{issue}等信访积案开展集中攻坚，落实领导包案责任。", "信访", "{town} 住建 人社"),
    _T(7, "治理", "做好重大活动和重要节点期间社会面安全稳定工作。", "公安", "信访 *towns"),
    _T(7, "治理", "加强统计数据质量管理，做好季度经济运行监测分析。", "统计", "发改 *depts"),
    _T(7, "治理", "推进公共法律服务体系建设，实现村（社区）法律顾问全覆盖。", "司法", "*towns"),
    _T(7, "治理", "做好“八五”普法总结验收和“九五”普法规划编制工作。", "司法", "!区委宣传部 *depts"),
    _T(7, "治理", "做好{proj}周边群众诉求处置，落实矛盾纠纷排查化解机制。", "{town}", "信访 司法"),
    _T(7, "治理", "开展政府网站和政务新媒体专项检查，确保信息发布安全。", "府办", "融媒体 数据 !区委网信办"),
    _T(7, "治理", "做好上年度审计发现问题整改“回头看”，防止问题反弹。", "审计", "*rel"),
    _T(7, "治理", "深化平安青川建设，常态化开展扫黑除恶斗争。", "公安", "司法 *towns"),
    _T(7, "治理", "会议听取了{L}关于{topic}的汇报，要求进一步细化工作措施，明确时间节点，确保按期完成。", "@", "*rel"),
)

_SECTIONS = (
    "一、坚持项目为王，扩大有效投资",
    "二、坚持创新驱动，加快产业转型升级",
    "三、坚持改革开放，持续优化营商环境",
    "四、坚持城乡融合，全面推进乡村振兴",
    "五、坚持生态优先，建设美丽青川",
    "六、坚持民生为本，增进群众福祉",
    "七、坚持统筹发展和安全，提升治理效能",
)
_SECTION_SIZES = (20, 15, 14, 16, 14, 22, 20)

# Templates about building something get construction steps; the others policy steps.
_CONSTRUCTION = re.compile(r"\{proj\}|棚户区|背街小巷|积水点|停车泊位|充电桩|污水处理厂|幼儿园|养老服务中心|"
                           r"高标准农田|农村公路|供水保障|燃气管网|综合服务站")
_STEP_ACTIVITIES = {
    "project": ("完成设计招标", "完成施工招标", "开工建设", "主体完工", "竣工验收并投入使用"),
    "policy": ("完成调研摸底", "制定实施方案", "全面组织实施", "完成目标任务并开展评估"),
}

# Directives: (material the leader wrote on, instruction, leads, cos)
_DIRECTIVES: tuple[tuple[str, str, str, str], ...] = (
    ("关于{town}{estate}小区排水不畅问题的群众来信", "请{L}会同{C}抓紧核实，研究解决办法，切实回应群众关切。", "住建", "城管 水务 {town}"),
    ("区应急局关于近期全区安全生产形势的分析报告", "请{L}牵头组织开展一次安全生产专项检查，务必消除隐患，守牢安全底线。", "应急", "住建 消防 市场监管 *towns"),
    ("关于{industry}企业用工难问题的调研报告", "请{L}会同{C}研究提出支持措施，帮助企业解决实际困难。", "人社", "工信 经开区"),
    ("关于{company}要素保障问题的请示", "请{L}牵头协调{C}，全力保障项目按期投产。", "投促 经开区", "供电 水务 自然资源"),
    ("市政府督查室关于我区{x_behind}工作进度滞后的通报", "请{L}认真对照，逐项整改，确保按期完成目标任务。", "@", "财政 *towns"),
    ("关于{town}{nuisance}问题的舆情报告", "请{L}立即处置，及时回应社会关切，处置结果报我。", "@", "{town} 融媒体"),
    ("关于{town}某工地拖欠农民工工资的信访件", "请{L}会同{C}依法处置，确保农民工工资足额发放。", "人社", "住建 信访 {town}"),
    ("区统计局关于上半年主要经济指标完成情况的报告", "请{L}会同{C}认真分析原因，提出针对性措施，确保完成全年目标。", "发改", "统计 工信 商务"),
    ("关于{scenic}景区节假日接待情况的报告", "请{L}总结经验，进一步完善景区配套设施，提升游客满意度。", "文旅", "交通 市场监管 {town}"),
    ("关于城区{road}路面破损问题的人大代表建议", "请{L}尽快制定维修方案，抓紧组织实施。", "住建 城管", "交通 城投"),
    ("关于{river}水质异常情况的报告", "请{L}立即组织排查污染源，依法查处违法排污行为。", "生态", "水利 农业农村 {town}"),
    ("关于{rural}中心卫生院医疗设备更新的请示", "请{L}会同{C}研究，按程序办理。", "卫健", "财政 发改"),
    ("关于全区政府债务风险情况的报告", "请{L}牵头，严格落实化债措施，按时偿还到期债务。", "财政", "城投 发改"),
    ("关于{town}部分群众住房安全隐患的报告", "请{L}会同{C}立即组织鉴定，做好群众临时安置。", "住建", "应急 民政 {town}"),
    ("关于政务服务中心窗口办事排队时间过长的群众留言", "请{L}优化窗口设置，推行预约和延时服务。", "审批", "数据"),
    ("市委《督查专报》关于我区{field}隐患整改情况", "请{L}举一反三，全面排查，建立长效机制。", "@", "应急 *rel"),
)

# Audit findings: group (问题类型) -> (problem, measure, lead key or "@")
_AUDIT_GROUPS: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = (
    ("预算编制和执行", (
        ("部分单位年初预算编制不细化，代编预算{money}万元未及时分解下达。", "严格预算编制管理，细化代编预算，按规定时限分解下达。", "财政"),
        ("{n_small}个部门项目支出预算执行率低于60%，资金使用效益不高。", "加快预算执行进度，对执行缓慢的项目资金按规定收回统筹使用。", "财政"),
        ("部分单位存在无预算、超预算支出问题，涉及金额{money}万元。", "严格执行预算，规范支出管理，追究相关人员责任。", "财政"),
        ("非税收入{money}万元未及时缴入国库。", "督促执收单位及时足额上缴非税收入。", "财政"),
        ("部分结转结余资金未按规定收回统筹。", "全面清理结转结余资金，按规定收回统筹使用。", "财政"),
        ("政府性基金预算调整未按程序报批。", "规范预算调整程序，严格按规定报区人大常委会审批。", "财政"),
        ("部分单位公务接待费用报销手续不全。", "完善报销审核流程，补齐相关手续。", "机关事务"),
    )),
    ("专项资金管理使用", (
        ("{fund}{money}万元滞留在账，未及时拨付使用。", "加快资金拨付进度，按项目实施进度及时拨付到位。", "@"),
        ("部分{fund}未按规定用途使用，改变用途{money}万元。", "收回违规使用资金，规范专项资金使用管理。", "@"),
        ("{fund}项目绩效目标设定不明确，未开展绩效自评。", "完善绩效目标管理，开展绩效自评并应用评价结果。", "@"),
        ("{fund}分配未按规定进行公示。", "严格执行资金分配公示制度，补充公示相关信息。", "@"),
    )),
    ("政府采购和工程建设", (
        ("{proj}未按规定办理竣工结算，多计工程款{money}万元。", "核减多计工程款，完善结算审核程序。", "住建"),
        ("部分工程项目未批先建、先建后批。", "补办相关审批手续，严格执行基本建设程序。", "住建"),
        ("部分单位化整为零规避政府采购，涉及金额{money}万元。", "严格执行政府采购制度，加强采购预算管理。", "财政"),
        ("{proj}变更设计未履行审批程序。", "规范设计变更管理，补办审批手续。", "发改"),
        ("{proj}未按合同约定收取履约保证金。", "督促施工单位补交履约保证金，完善合同管理。", "城投"),
    )),
    ("国有资产管理", (
        ("部分行政事业单位资产账实不符，固定资产未及时入账。", "开展资产清查，完善资产台账，做到账实相符。", "机关事务"),
        ("{n_small}处国有房产长期闲置，未有效盘活利用。", "制定盘活方案，通过出租、调剂等方式盘活闲置资产。", "机关事务"),
        ("国有资产出租未按规定公开招租，租金收入{money}万元未及时上缴。", "规范资产出租程序，及时足额收缴租金。", "财政"),
        ("区属国有企业对外担保未履行审批程序。", "清理对外担保事项，完善担保审批制度。", "城投"),
    )),
    ("政府债务管理", (
        ("部分专项债券项目资金闲置，未形成实物工作量。", "加快债券项目建设进度，提高资金使用效益。", "发改"),
        ("区属国有企业融资成本偏高，部分融资利率超过{pct}%。", "优化债务结构，置换高成本融资。", "城投"),
        ("专项债券项目收益未按规定及时归集。", "建立项目收益归集机制，按时足额归集。", "财政"),
    )),
    ("民生资金管理", (
        ("{n_small2}名已死亡人员仍在领取城乡居民养老保险待遇，涉及金额{money}万元。", "追回违规领取资金，建立部门数据比对机制。", "人社"),
        ("部分低保对象家庭收入超标仍享受低保待遇。", "开展低保对象动态核查，清退不符合条件对象。", "民政"),
        ("医保基金存在重复报销问题，涉及金额{money}万元。", "追回重复报销资金，完善医保智能审核。", "医保"),
        ("耕地地力保护补贴发放不精准，多发放{money}万元。", "核实追回多发补贴，完善补贴面积核定办法。", "农业农村"),
        ("部分学生资助资金发放不及时。", "规范资助资金发放流程，确保按时足额发放。", "教育"),
        ("残疾人两项补贴存在重复发放问题。", "追回重复发放资金，建立动态管理机制。", "残联"),
    )),
)

_PROGRESS_ONGOING = (
    "已制定工作方案，明确责任分工，正在按计划推进。",
    "已完成前期调研，正在起草相关文件。",
    "已召开协调推进会，相关问题正在协调解决。",
    "已完成立项和初步设计，正在开展招标准备工作。",
    "正在组织实施，已完成阶段目标任务。",
    "已完成现场踏勘和方案比选，正在征求相关单位意见。",
    "已建立工作台账，实行周调度、月通报。",
    "资金已拨付，工程正在加紧施工。",
)
_PROGRESS_DELAYED = (
    "受用地指标未落实影响，进度滞后，正在积极向上争取。",
    "因资金未到位，工作推进缓慢，已报区政府协调。",
    "涉及群众诉求较多，推进困难，正在做好群众思想工作。",
    "方案已报区政府，待审定。",
    "需上级部门审批，正在跟踪对接。",
    "施工单位组织不力，工期滞后，已约谈施工单位。",
)
_PROGRESS_DONE = (
    "已按要求完成，相关资料已归档备查。",
    "已完成并通过验收。",
    "文件已按程序印发实施。",
    "办理结果已书面报区政府。",
    "已整改到位，经复核无问题。",
    "项目已完工并投入使用。",
    "已完成年度目标任务。",
)
_DIRECTIVE_DONE = (
    "经核实，相关问题已处理到位。",
    "已研究提出处理意见并报区政府。",
    "已组织专项检查，发现问题均已整改。",
    "已与反映问题的群众沟通，群众表示满意。",
    "已协调解决，项目正常推进。",
)
_RECTIFY_DONE = (
    "违规资金已全部追回并上缴国库。",
    "已完善相关制度，建立长效机制。",
    "相关手续已补办完毕。",
    "资金已按规定拨付到位。",
    "已对相关责任人进行约谈。",
)
_RECTIFY_ONGOING = (
    "已制定整改方案，正在推进整改。",
    "已追回部分资金，剩余部分正在追缴。",
    "正在完善相关制度办法。",
    "已约谈相关单位负责人，督促限期整改。",
)
_RECTIFY_DELAYED = (
    "整改进度滞后，已列入挂账督办。",
    "涉及历史遗留问题，整改难度较大，正在研究处置方案。",
)
# 巡视巡察反馈 and 督查发现 problems: (problem, measure, lead unit key).
_INSPECTION_PROBLEMS = (
    ("落实意识形态工作责任制不到位，阵地管理存在薄弱环节", "修订意识形态工作责任清单，开展阵地排查", "融媒体"),
    ("基层党组织“三会一课”制度落实不严格", "建立组织生活台账，按季度抽查", "城关"),
    ("违规发放津贴补贴问题整改不彻底", "全面清理津补贴发放，追回违规款项", "财政"),
    ("公务用车管理不规范，存在公车私用苗头", "完善公务用车使用登记和轨迹监管", "机关事务"),
    ("政府采购项目化整为零规避公开招标", "开展政府采购专项检查，建立大额采购预审机制", "财政"),
    ("惠民惠农资金发放审核把关不严", "逐户复核发放对象，建立资金“一卡通”监管台账", "农业农村"),
    ("工程项目变更签证管理不规范", "修订工程变更管理办法，开展在建项目变更清查", "住建"),
    ("群众反映强烈的信访积案化解不力", "实行积案包案化解，逐案制定化解方案", "信访"),
    ("安全生产“一岗双责”落实不到位", "压实安全生产责任清单，开展警示约谈", "应急"),
    ("选人用人工作程序不够规范", "完善干部选任工作纪实，开展专项检查", "府办"),
)
_SUPERVISION_PROBLEMS = (
    ("部分老旧小区改造项目施工进度滞后于计划", "倒排工期、挂图作战，每周调度", "住建"),
    ("城区主干道占道经营反弹，夜市管理无序", "划定疏导点，落实门前三包和常态巡查", "城管"),
    ("农村生活污水处理设施建成后运行率低", "落实运维单位和经费，逐村排查修复", "生态"),
    ("“一网通办”部分事项线上办理深度不够", "梳理高频事项，推动全程网办", "审批"),
    ("校外培训机构监管存在盲区", "开展联合执法检查，建立白名单公示制度", "教育"),
    ("河道“清四乱”问题点位整改后又有反复", "建立河长巡河问题闭环机制", "水利"),
    ("企业反映涉企收费清理不彻底", "全面清理涉企收费，公开收费目录清单", "市场监管"),
    ("就业补贴政策宣传不到位，申领率偏低", "开展政策进园区活动，简化申领流程", "人社"),
)
F_INSPECTION = "巡察反馈问题整改清单.csv"
F_SUPERVISION = "督查发现问题整改台账.csv"


_PROGRESS_LONG = (
    "已纳入常态化工作，按要求报送工作进展。",
    "持续推进中，本期已开展专项检查。",
    "已建立长效机制，定期开展督导检查。",
    "已列入年度重点工作，按月调度推进。",
)


# --------------------------------------------------------------------------------------------
# Planning.


@dataclass(frozen=True)
class _Meeting:
    kind: str
    title: str
    day: date
    file: str
    size: int


# (kind, days before today, size) in date order; titles are numbered below.
_MEETING_PLAN = (
    ("全体会议", 262, 14),
    ("常务会议", 236, 24),
    ("区长办公会议", 208, 17),
    ("常务会议", 178, 26),
    ("专题会议", 134, 16),
    ("常务会议", 112, 22),
    ("区长办公会议", 88, 19),
    ("常务会议", 63, 25),
    ("全体会议", 43, 15),
    ("区长办公会议", 27, 16),
    ("常务会议", 15, 23),
    ("专题会议", 5, 20),
)

F_LEADERS = "leaders.csv"
F_UNITS = "units.csv"
F_EXECUTIVE = "常务会议议定事项.xlsx"
F_MAYOR = "区长办公会议纪要事项.csv"
F_TOPICAL_CSV = "专题会议_单次.csv"
F_TOPICAL_XLSX = "专题会议_安全生产防汛.xlsx"
F_PLENARY = "区政府全体会议.xlsx"
F_DIRECTIVES = "领导批示件办理台账.xlsx"
F_WORK_REPORT = "政府工作报告重点任务分解表.xlsx"
F_AUDIT = "审计整改问题清单.xlsx"
F_PROGRESS = "进展情况报送.csv"

_FALLBACK = {"done_late": "done_on_time", "done_on_time": "on_track", "overdue": "due_soon",
             "due_soon": "on_track", "on_track": "long_term"}


def _weights_for_age(age: int) -> dict[str, float]:
    """Status mix of a meeting's decisions by how long ago the meeting was."""
    if age > 150:
        return {"done_on_time": 30, "done_late": 10, "overdue": 22, "due_soon": 4, "on_track": 22, "long_term": 12}
    if age > 60:
        return {"done_on_time": 23, "done_late": 7, "overdue": 20, "due_soon": 9, "on_track": 31, "long_term": 10}
    if age > 20:
        return {"done_on_time": 12, "done_late": 3, "overdue": 12, "due_soon": 16, "on_track": 49, "long_term": 8}
    return {"done_on_time": 6, "done_late": 0, "overdue": 4, "due_soon": 24, "on_track": 62, "long_term": 4}


class _Planner:
    def __init__(self, today: date) -> None:
        self.today = today
        self.rng = random.Random(SEED)
        self.kinds_used: Counter[str] = Counter()
        self.tasks: list[PlannedTask] = []
        self.meetings: list[_Meeting] = []
        self.progress_rows: list[dict] = []

    # -- small helpers -------------------------------------------------------------------

    def _weighted(self, items, weights):
        return self.rng.choices(items, weights=weights, k=1)[0]

    def _boosted(self, kind: str, weight: float) -> float:
        # Shapes not used yet are favoured, so every shape shows up in the demo.
        return weight * (8.0 if self.kinds_used[kind] == 0 else 1.0)

    def _quota(self, n: int, weights: dict[str, float]) -> list[str]:
        """n categories in the given proportions (largest remainder), shuffled."""
        total = sum(weights.values())
        exact = {k: n * w / total for k, w in weights.items()}
        counts = {k: int(v) for k, v in exact.items()}
        rest = sorted(exact, key=lambda k: (exact[k] - counts[k], weights[k]), reverse=True)
        for k in rest[: n - sum(counts.values())]:
            counts[k] += 1
        out = [k for k in CATEGORIES for _ in range(counts.get(k, 0))]
        self.rng.shuffle(out)
        return out

    def _unit_name(self, key: str) -> str:
        _, name, aliases, _, _ = _UNIT_BY_KEY[key]
        if not aliases or self.rng.random() < 0.45:
            return name
        return self.rng.choice(aliases)

    def _join(self, names: list[str], *, etc: bool = True) -> str:
        if not names:
            return ""
        sep = self._weighted(["、", "，", ",", "；", ";", " ", "、 "], [10, 2.5, 1.5, 1, 0.5, 1, 0.7])
        cell = sep.join(names)
        if etc and len(names) >= 2 and self.rng.random() < 0.15:
            cell += "等"
        return cell

    def _leader_for(self, unit_key: str | None) -> str:
        if unit_key is None or self.rng.random() < 0.1:
            return self.rng.choice(LEADERS[1:])[0]
        return _UNIT_BY_KEY[unit_key][4]

    def _leader_cell(self, name: str) -> str:
        if self.rng.random() < 0.15:
            return name + _LEADER_TITLE[name]
        return name

    # -- content -------------------------------------------------------------------------

    def _fill(self, text: str, slots: dict[str, str]) -> tuple[str, str | None]:
        """Fills {slot}s (not {L}/{C}); returns the text and a lead key a slot decided."""
        lead_from_slot = None
        for name in re.findall(r"{(\w+)}", text):
            if name in ("L", "C") or name in slots:
                continue
            if name in ("town", "street", "rural"):
                pool = {"town": _TOWN_KEYS, "street": _STREET_KEYS, "rural": _RURAL_KEYS}[name]
                slots[name] = _UNIT_BY_KEY[self.rng.choice(pool)][1]
                continue
            value = self.rng.choice(_POOLS[name])
            if isinstance(value, tuple):
                value, lead_from_slot = value
            slots[name] = value
        for name, value in slots.items():
            text = text.replace("{" + name + "}", value)
        return text, lead_from_slot

    def _units(self, leads: str, cos: str, slots: dict[str, str], lead_from_slot: str | None,
               *, max_cos: int = 3) -> tuple[str, list[str]]:
        """(lead key, co-unit names as written) for a template."""
        def key_of(token: str) -> str | None:
            if token in ("{town}", "{street}", "{rural}"):
                name = slots.get(token.strip("{}"))
                if name is None:
                    name = _UNIT_BY_KEY[self.rng.choice(_TOWN_KEYS)][1]
                    slots[token.strip("{}")] = name
                return _KEY_BY_NAME[name]
            if token == "@":
                return lead_from_slot
            return token

        lead_key = key_of(self.rng.choice(leads.split())) or "府办"
        concrete, collective = [], []
        for token in cos.split():
            if token == "*towns":
                collective.append(self.rng.choice(_ALL_TOWNS))
            elif token == "*depts":
                collective.append(self.rng.choice(_ALL_DEPTS))
            elif token == "*rel":
                collective.append(self.rng.choice(_ALL_RELATED))
            elif token.startswith("!"):
                collective.append(token[1:])
            else:
                key = key_of(token)
                if key and key != lead_key:
                    concrete.append(key)
        self.rng.shuffle(concrete)
        chosen = concrete[: self.rng.randint(1, max_cos)] if concrete else []
        names = [self._unit_name(k) for k in chosen]
        for phrase in collective:
            if self.rng.random() < 0.7 or not names:
                names.append(phrase)
        return lead_key, names

    def _content(self, templates: list[_Tpl], seen: set[str]) -> tuple[str, str, list[str], _Tpl]:
        """A task text not yet used in this list, its lead key and co-unit names."""
        for _ in range(60):
            tpl = self.rng.choice(templates)
            slots: dict[str, str] = {}
            text, lead_from_slot = self._fill(tpl.text, slots)
            if text.replace("{L}", "") in seen:
                continue
            break
        lead_key, cos = self._units(tpl.leads, tpl.cos, slots, lead_from_slot)
        text = text.replace("{L}", self._unit_name(lead_key))
        seen.add(text)
        return text, lead_key, cos, tpl

    # -- deadlines -----------------------------------------------------------------------

    def _window(self, category: str, base: date, horizon: date) -> tuple[date, date]:
        """Where a deadline of this status lies; never after ``horizon``. Empty when impossible."""
        t = self.today
        if category == "overdue":
            lo, hi = base + _days(1), t - _days(1)
        elif category == "due_soon":
            lo, hi = t + _days(1), min(_add_workdays(t, 4), _add_workdays(t, 4, holidays=False))
        elif category == "on_track":
            lo = max(_add_workdays(t, 8), _add_workdays(t, 8, holidays=False), base + _days(3))
            hi = t + _days(330)
        elif category == "done_on_time":
            if base + _days(1) > t - _days(1):
                return t, t - _days(1)  # nothing can be done yet
            lo, hi = base + _days(2), t + _days(150)
        elif category == "done_late":
            lo, hi = base + _days(2), t - _days(3)
        else:
            raise ValueError(category)
        return lo, min(hi, horizon)

    def _pick_phrase(self, category: str, base: date, *, cell_ok: bool, meeting: bool, horizon: date,
                     report: bool = False) -> _Phrase | None:
        """A phrase whose every reading lies in the category's window. ``report``: a 任务分解表,
        which writes months and 年底前 rather than days counted from a meeting."""
        lo, hi = self._window(category, base, horizon)
        if lo > hi:
            return None

        def fits(p: _Phrase) -> bool:
            return lo <= p.lo and p.hi <= hi

        groups: dict[str, list] = {"month_end": [], "xun": [], "relative": [], "random": []}
        cursor = date(lo.year, lo.month, 1)
        while cursor <= hi:
            me = _month_end(cursor.year, cursor.month)
            if lo <= me <= hi:
                groups["month_end"].append(me)
            for d in (10, 20):
                day = cursor.replace(day=d)
                if lo <= day <= hi:
                    groups["xun"].append(day)
            cursor = me + _days(1)
        allowed = {"wd", "months"} | ({"wd_meeting"} if meeting else set())
        if category in ("overdue", "done_late"):
            allowed.add("immediate")
        groups["relative"] = [p for p in _relative_phrases(base) if p.kind in allowed and fits(p)]
        span = (hi - lo).days
        groups["random"] = sorted({lo + _days(self.rng.randint(0, span)) for _ in range(3)})
        if report:
            groups["relative"] = [p for p in groups["relative"] if p.kind == "months"]
        names = [g for g in ("month_end", "xun", "relative", "random") if groups[g]]
        weights = ({"month_end": 7.0, "xun": 1.5, "relative": 0.5, "random": 1.5} if report
                   else {"month_end": 3.0, "xun": 1.2, "relative": 2.6, "random": 2.6})
        group = self._weighted(names, [weights[g] for g in names])
        if group == "relative":
            options = groups["relative"]
        else:
            day = self.rng.choice(groups[group])
            year_end = date(base.year, 12, 31)
            if report and group == "month_end" and year_end in groups[group] and self.rng.random() < 0.4:
                day = year_end
            options = [p for p in _date_phrases(day, base, cell_ok=cell_ok) if fits(p)]
        phrase = self._weighted(options, [self._boosted(p.kind, _KIND_WEIGHT[p.kind]) for p in options])
        self.kinds_used[phrase.kind] += 1
        return phrase

    def _long_phrase(self) -> _Phrase:
        text, kind, _ = self._weighted(_LONG_PHRASES, [self._boosted(k, w) for _, k, w in _LONG_PHRASES])
        self.kinds_used[kind] += 1
        return _Phrase(kind, text, None, None, None)

    def _deadline(self, category: str, base: date, *, cell_ok: bool, meeting: bool, horizon: date,
                  report: bool = False) -> tuple[str, _Phrase]:
        """(final category, phrase); falls back to a feasible category when needed."""
        while True:
            if category == "long_term":
                return category, self._long_phrase()
            phrase = self._pick_phrase(category, base, cell_ok=cell_ok, meeting=meeting, horizon=horizon,
                                       report=report)
            if phrase is not None:
                return category, phrase
            category = _FALLBACK[category]

    def _done_date(self, category: str, base: date, phrase: _Phrase | None) -> date | None:
        t = self.today
        if category == "done_on_time":
            last = min(phrase.lo, t - _days(1))
            first = max(base + _days(1), last - _days(60))
            return first + _days(self.rng.randint(0, (last - first).days))
        if category == "done_late":
            first = phrase.hi + _days(1)
            last = min(phrase.hi + _days(75), t - _days(1))
            return first + _days(self.rng.randint(0, (last - first).days))
        return None

    def _progress_text(self, category: str) -> str:
        if category == "overdue":
            return self.rng.choice(_PROGRESS_DELAYED)
        if category == "long_term":
            return self.rng.choice(_PROGRESS_LONG)
        return self.rng.choice(_PROGRESS_ONGOING)

    def _task(self, *, file: str, kind: str, title: str, base: date, seq: int, category: str,
              text: str, lead_key: str, lead_cell: str, co_cell: str, leader: str,
              cell_ok: bool, meeting: bool, horizon_days: int = 365, report: bool = False) -> PlannedTask:
        horizon = base + _days(horizon_days)
        category, phrase = self._deadline(category, base, cell_ok=cell_ok, meeting=meeting, horizon=horizon,
                                          report=report)
        done = self._done_date(category, base, phrase)
        task = PlannedTask(
            file=file, source_kind=kind, source_title=title, source_date=base, seq=seq, text=text,
            lead_unit=_UNIT_BY_KEY[lead_key][1], lead=lead_cell, co=co_cell, leader=leader,
            deadline=phrase.value, deadline_kind=phrase.kind, due=phrase.due, due_lo=phrase.lo,
            due_hi=phrase.hi, category=category, done=done,
        )
        self.tasks.append(task)
        return task

    # -- sources ---------------------------------------------------------------------------

    def plan(self) -> _Planner:
        self._plan_meetings()
        self._plan_directives()
        self._plan_work_report()
        self._plan_audit()
        self._plan_findings()
        self._plan_progress()
        return self

    def _meeting_titles(self) -> list[_Meeting]:
        executive_numbers = iter((18, 21, 24, 27, 30))
        plenary_numbers = iter(("三", "四"))
        mayor_numbers = iter((4, 7, 10))
        topical = iter((("区政府安全生产和防汛工作专题会议", F_TOPICAL_XLSX),
                        ("区政府城市更新工作专题会议", F_TOPICAL_CSV)))
        meetings = []
        for kind, age, size in _MEETING_PLAN:
            day = _workday_on_or_before(self.today - _days(age))
            if kind == "常务会议":
                title, file = f"区政府第{next(executive_numbers)}次常务会议", F_EXECUTIVE
            elif kind == "全体会议":
                title, file = f"区政府第{next(plenary_numbers)}次全体会议", F_PLENARY
            elif kind == "区长办公会议":
                title, file = f"{day.year}年第{next(mayor_numbers)}次区长办公会议", F_MAYOR
            else:
                title, file = next(topical)
            meetings.append(_Meeting(kind, title, day, file, size))
        return meetings

    def _plan_meetings(self) -> None:
        self.meetings = self._meeting_titles()
        general = list(_TEMPLATES)
        themed = {
            "区政府安全生产和防汛工作专题会议": [t for t in _TEMPLATES if t.theme == "安全"],
            "区政府城市更新工作专题会议": [t for t in _TEMPLATES if t.theme in ("城更", "项目")],
        }
        for meeting in self.meetings:
            templates = themed.get(meeting.title, general)
            if meeting.kind == "全体会议":
                # A plenary sets the year's work; decisions on documents and funds are for other meetings.
                templates = [t for t in general if "会议" not in t.text]
            elif meeting.kind == "常务会议":
                # 常务会议 decide documents and funds more often than other meetings.
                templates = general + [t for t in general if "会议" in t.text] * 4
            age = (self.today - meeting.day).days
            categories = self._quota(meeting.size, _weights_for_age(age))
            seen: set[str] = set()
            cell_ok = meeting.file.endswith(".xlsx")
            for seq, category in enumerate(categories, start=1):
                text, lead_key, cos, _ = self._content(templates, seen)
                lead_cell = self._unit_name(lead_key)
                if meeting.file in (F_EXECUTIVE, F_PLENARY) and cos and self.rng.random() < 0.05:
                    lead_cell = self._join([lead_cell, cos.pop(0)], etc=False)  # 双牵头
                leader_name = self._leader_for(lead_key)
                self._task(
                    file=meeting.file, kind=meeting.kind, title=meeting.title, base=meeting.day, seq=seq,
                    category=category, text=text, lead_key=lead_key, lead_cell=lead_cell,
                    co_cell=self._join(cos), leader=self._leader_cell(leader_name) if meeting.file == F_EXECUTIVE
                    else leader_name, cell_ok=cell_ok, meeting=True,
                )

    def _plan_directives(self) -> None:
        weights = {"done_on_time": 11, "done_late": 4, "overdue": 6, "due_soon": 4, "on_track": 4, "long_term": 1}
        ages = {"done_on_time": (20, 220), "done_late": (45, 210), "overdue": (20, 140), "due_soon": (2, 25),
                "on_track": (1, 30), "long_term": (30, 200)}
        plans = []
        for category in self._quota(30, weights):
            lo, hi = ages[category]
            day = _workday_on_or_before(self.today - _days(self.rng.randint(lo, hi)))
            plans.append((day, category))
        plans.sort(key=lambda p: p[0])
        seen: set[str] = set()
        for seq, (day, category) in enumerate(plans, start=1):
            for _ in range(40):
                material, instruction, leads, cos = self.rng.choice(_DIRECTIVES)
                slots: dict[str, str] = {}
                material, slot_lead = self._fill(material, slots)
                if material not in seen:
                    break
            seen.add(material)
            instruction, slot_lead2 = self._fill(instruction, slots)
            lead_key, co_names = self._units(leads, cos, slots, slot_lead or slot_lead2, max_cos=2)
            lead_name = self._unit_name(lead_key)
            concrete_cos = [n for n in co_names if n not in _ALL_TOWNS + _ALL_DEPTS + _ALL_RELATED]
            instruction = instruction.replace("{L}", lead_name).replace(
                "{C}", "、".join(concrete_cos) if concrete_cos else "相关单位")
            content = f"在《{material}》上批示：“{instruction}”" if self.rng.random() < 0.6 else instruction
            leader_name = self._weighted([n for n, _ in LEADERS], [4, 3, 2, 2, 2, 2])
            units_cell = self._join([lead_name, *co_names], etc=False)
            if len(co_names) >= 1 and self.rng.random() < 0.35:
                units_cell += "等"
            task = self._task(
                file=F_DIRECTIVES, kind="领导批示", title=f"{leader_name}同志{_cn_date(day)}批示", base=day,
                seq=seq, category=category, text=content, lead_key=lead_key, lead_cell=units_cell, co_cell="",
                leader=leader_name if self.rng.random() < 0.8 else leader_name + _LEADER_TITLE[leader_name],
                cell_ok=True, meeting=False, horizon_days=90,
            )
            task.progress = self._status_text(task, verb="办理")

    def _status_text(self, task: PlannedTask, *, verb: str) -> str:
        if task.done is not None:
            if verb == "整改":
                return f"已完成整改。{self.rng.choice(_RECTIFY_DONE)}于{_cn_date(task.done)}整改到位。"
            return f"已办结。{self.rng.choice(_DIRECTIVE_DONE)}于{_cn_date(task.done)}报送办理结果。"
        if self.rng.random() < 0.2:
            return ""
        if verb == "整改" and task.category != "long_term":
            return self.rng.choice(_RECTIFY_DELAYED if task.category == "overdue" else _RECTIFY_ONGOING)
        return self._progress_text(task.category)

    def _work_report_base(self) -> date:
        year = self.today.year if (self.today - date(self.today.year, 1, 20)).days >= 30 else self.today.year - 1
        return date(year, 1, 20)

    def _plan_work_report(self) -> None:
        base = self._work_report_base()
        title = f"{base.year}年《政府工作报告》"
        weights = {"overdue": 13, "due_soon": 7, "on_track": 66, "long_term": 14}
        seq = 0
        for section, size in enumerate(_SECTION_SIZES, start=1):
            templates = [t for t in _TEMPLATES if t.section == section and "会议" not in t.text]
            seen: set[str] = set()
            planned = []
            for category in self._quota(size, weights):
                text, lead_key, cos, tpl = self._content(templates, seen)
                leader = self._leader_for(lead_key)
                planned.append((leader, category, text, lead_key, cos, tpl))
            order = [n for n, _ in LEADERS]
            planned.sort(key=lambda p: order.index(p[0]))  # 按牵头领导排序
            for leader, category, text, lead_key, cos, tpl in planned:
                seq += 1
                responsible = list(cos)
                if self.rng.random() < 0.3:  # 责任单位 repeating the lead unit
                    responsible.insert(0, self._unit_name(lead_key))
                task = self._task(
                    file=F_WORK_REPORT, kind="政府工作报告", title=title, base=base, seq=seq, category=category,
                    text=text, lead_key=lead_key, lead_cell=self._unit_name(lead_key),
                    co_cell=self._join(responsible), leader=leader, cell_ok=True, meeting=False, report=True,
                    horizon_days=(date(base.year + 1, 12, 31) - base).days,
                )
                task.extra["section"] = section
                self._maybe_steps(task, tpl)

    def _maybe_steps(self, task: PlannedTask, tpl: _Tpl) -> None:
        """Turns a month-shaped deadline into numbered steps ending with it: ①2月上旬前，完成设计招标。…"""
        if task.deadline_kind not in ("m_end", "y_m_end", "year_end", "y_year_end", "xun_shang"):
            return
        if self.rng.random() > 0.45:
            return
        base, final = task.source_date, task.due
        candidates = []
        cursor = date(base.year, base.month, 1)
        while cursor < final:
            for day in (cursor.replace(day=10), _month_end(cursor.year, cursor.month)):
                if base + _days(10) <= day <= final - _days(25):
                    candidates.append(day)
            cursor = _month_end(cursor.year, cursor.month) + _days(1)
        if len(candidates) < 2:
            return
        n_before = min(len(candidates), self.rng.choice((1, 2, 2, 3)))
        steps = sorted(self.rng.sample(candidates, n_before))
        activities = _STEP_ACTIVITIES["project" if _CONSTRUCTION.search(tpl.text) else "policy"]
        words = activities[-(n_before + 1):]  # the last step always finishes the task

        def month_phrase(day: date) -> str:
            part = "上旬前" if day.day == 10 else "底前"
            return f"{day.month}月{part}" if day.year == base.year else f"{day.year}年{day.month}月{part}"

        phrases = [month_phrase(d) for d in steps] + [str(task.deadline)]
        marks = "①②③④⑤"
        joiner = "\n" if self.rng.random() < 0.5 else ""
        task.deadline = joiner.join(f"{marks[i]}{p}，{w}。" for i, (p, w) in enumerate(zip(phrases, words, strict=True)))
        task.deadline_kind = "steps"
        self.kinds_used["steps"] += 1

    def _audit_base(self) -> date:
        return _workday_on_or_before(self.today - _days(140))

    def _plan_audit(self) -> None:
        base = self._audit_base()
        title = f"青川区{base.year - 1}年度预算执行审计发现问题整改"
        weights = {"done_on_time": 22, "done_late": 7, "overdue": 18, "due_soon": 6, "on_track": 34, "long_term": 13}
        sizes = (8, 7, 7, 6, 5, 9)
        categories = iter(self._quota(sum(sizes), weights))
        seq = 0
        for (group, items), size in zip(_AUDIT_GROUPS, sizes, strict=True):
            seen: set[str] = set()
            for _ in range(size):
                for _attempt in range(40):
                    problem, measure, lead = self.rng.choice(items)
                    slots: dict[str, str] = {}
                    problem, slot_lead = self._fill(problem, slots)
                    if problem not in seen:
                        break
                seen.add(problem)
                lead_key = slot_lead if lead == "@" else lead
                seq += 1
                co = []
                if self.rng.random() < 0.35:
                    co = [self._unit_name(self.rng.choice(("财政", "审计", "发改")))]
                    if co[0] in (_UNIT_BY_KEY[lead_key][1], *_UNIT_BY_KEY[lead_key][2]):
                        co = []
                task = self._task(
                    file=F_AUDIT, kind="审计整改", title=title, base=base, seq=seq, category=next(categories),
                    text=problem, lead_key=lead_key, lead_cell=self._join([self._unit_name(lead_key), *co], etc=False),
                    co_cell="", leader=self._leader_for(lead_key), cell_ok=True, meeting=False, horizon_days=540,
                )
                task.extra["group"] = group
                task.extra["measure"] = measure
                task.progress = self._status_text(task, verb="整改")

    def _plan_findings(self) -> None:
        """巡视巡察 and 督查发现 problems to rectify, from lists old enough that many closed
        rectifications are due for their 回头看 (demo/build.py records some). A random stream of
        their own, so the other lists stay as they were."""
        kept, self.rng = self.rng, random.Random(SEED * 31 + 11)
        weights = {"done_on_time": 45, "done_late": 12, "overdue": 15, "due_soon": 5, "on_track": 15, "long_term": 8}
        plans = (
            (F_INSPECTION, "巡视巡察整改", "区委第二巡察组反馈问题整改", 250, _INSPECTION_PROBLEMS),
            (F_SUPERVISION, "督查发现问题整改", "区政府督查室专项督查发现问题整改", 190, _SUPERVISION_PROBLEMS),
        )
        try:
            for file, kind, title, age, problems in plans:
                base = _workday_on_or_before(self.today - _days(age))
                categories = iter(self._quota(len(problems), weights))
                for seq, (problem, measure, lead_key) in enumerate(problems, start=1):
                    task = self._task(
                        file=file, kind=kind, title=title, base=base, seq=seq, category=next(categories),
                        text=problem, lead_key=lead_key, lead_cell=self._unit_name(lead_key), co_cell="",
                        leader=self._leader_for(lead_key), cell_ok=False, meeting=False, horizon_days=300,
                    )
                    task.extra["measure"] = measure
                    task.progress = self._status_text(task, verb="整改")
        finally:
            self.rng = kept

    def _plan_progress(self) -> None:
        """Progress reports for meeting decisions: every closed one, and about half of the others."""
        t = self.today
        rows = []
        meeting_files = {m.file for m in self.meetings}
        for task in self.tasks:
            if task.file not in meeting_files:
                continue
            base = task.source_date
            if task.done is not None:
                if self.rng.random() < 0.3 and task.done - base > _days(6):
                    early = base + _days(self.rng.randint(3, (task.done - base).days - 2))
                    rows.append(self._report(task, early, self._progress_text("on_track"), None))
                report_day = min(task.done + _days(self.rng.randint(0, 3)), t)
                rows.append(self._report(task, report_day, self.rng.choice(_PROGRESS_DONE), task.done))
            elif task.category == "long_term":
                if self.rng.random() < 0.6:
                    # Recent, so a periodic item is not waiting for its next report yet.
                    report_day = max(base + _days(1), t - _days(self.rng.randint(0, 6)))
                    rows.append(self._report(task, min(report_day, t), self._progress_text("long_term"), None))
            elif self.rng.random() < 0.5 and base + _days(1) <= t - _days(1):
                first = max(base + _days(1), t - _days(25))
                report_day = first + _days(self.rng.randint(0, (t - _days(1) - first).days))
                rows.append(self._report(task, report_day, self._progress_text(task.category), None))
            # The list's own 进展情况 column (常务会议 file): an older snapshot, never a closing.
            if task.file == F_EXECUTIVE and self.rng.random() < 0.55:
                task.progress = self.rng.choice(_PROGRESS_ONGOING[:3])
        rows.sort(key=lambda r: (r["_date"], r["会议名称"], int(r["序号"])))
        self.progress_rows = rows

    def _report(self, task: PlannedTask, day: date, text: str, done: date | None) -> dict:
        fmt = self.rng.random()
        if done is None:
            done_text = ""
        elif fmt < 0.4:
            done_text = _cn_date(done)
        elif fmt < 0.8:
            done_text = f"{done.year}/{done.month}/{done.day}"
        else:
            done_text = done.isoformat()
        return {
            "会议名称": task.source_title, "序号": str(task.seq), "进展情况": text,
            "填报日期": f"{day.year}/{day.month}/{day.day}" if self.rng.random() < 0.7 else day.isoformat(),
            "是否办结": "是" if done else "否", "办结日期": done_text, "_date": day,
        }


def demo_plan(today: date) -> list[PlannedTask]:
    """Every planned task for ``today`` (what ``build_demo_files`` writes), for tests and inspection."""
    return _Planner(today).plan().tasks


# --------------------------------------------------------------------------------------------
# Writers.


def _write_csv(path: Path, header: list[str], rows: list[list[str]], *, encoding: str, crlf: bool) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


class _Book:
    """An xlsxwriter workbook with the formats the office's lists use."""

    def __init__(self, path: Path) -> None:
        self.wb = xlsxwriter.Workbook(str(path))
        self.wb.set_properties({"title": path.stem, "author": "青川区人民政府办公室督查室", "created": WORKBOOK_CREATED})
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1}
        self.title = self.wb.add_format({"font_name": "方正小标宋简体", "font_size": 16, "align": "center",
                                         "valign": "vcenter"})
        self.subtitle = self.wb.add_format({"font_name": "楷体", "font_size": 11, "align": "center"})
        self.header = self.wb.add_format({**base, "bold": True, "align": "center", "text_wrap": True,
                                          "bg_color": "#D9E1F2"})
        self.cell = self.wb.add_format({**base, "text_wrap": True})
        self.center = self.wb.add_format({**base, "align": "center", "text_wrap": True})
        self.date = self.wb.add_format({**base, "align": "center", "num_format": "yyyy/m/d"})
        self.date_cn = self.wb.add_format({**base, "align": "center", "num_format": 'yyyy"年"m"月"d"日"'})
        self.section = self.wb.add_format({**base, "bold": True, "font_name": "黑体", "bg_color": "#F2F2F2"})

    def sheet(self, name: str, widths: list[float]):
        ws = self.wb.add_worksheet(name)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        return ws

    def value(self, ws, row: int, col: int, value, fmt=None, date_fmt=None) -> None:
        if isinstance(value, date):
            ws.write_datetime(row, col, datetime(value.year, value.month, value.day), date_fmt or self.date)
        elif isinstance(value, int):
            ws.write_number(row, col, value, fmt or self.center)
        elif value in (None, ""):
            ws.write_blank(row, col, None, fmt or self.cell)
        else:
            ws.write_string(row, col, str(value), fmt or self.cell)

    def close(self) -> None:
        self.wb.close()


def _by_file(tasks: list[PlannedTask], file: str) -> list[PlannedTask]:
    return [t for t in tasks if t.file == file]


def _write_leaders(path: Path) -> None:
    _write_csv(path, ["姓名", "职务", "排序"], [[n, t, str(i)] for i, (n, t) in enumerate(LEADERS, start=1)],
               encoding="utf-8", crlf=False)


def _write_units(path: Path) -> None:
    rows = [[name, "、".join(aliases), kind, leader] for _, name, aliases, kind, leader in _UNIT_ROWS]
    _write_csv(path, ["单位名称", "简称", "单位类型", "分管领导"], rows, encoding="utf-8", crlf=False)


def _write_executive(path: Path, plan: _Planner) -> str:
    book = _Book(path)
    sheet_name = "议定事项台账"
    ws = book.sheet(sheet_name, [6, 20, 14, 52, 16, 24, 10, 16, 30])
    headers = ["序号", "会议名称", "会议日期", "议定事项", "牵头单位", "配合单位", "责任领导", "完成时限", "进展情况"]
    ws.merge_range(0, 0, 0, len(headers) - 1, "青川区人民政府常务会议议定事项督办台账", book.title)
    ws.set_row(0, 32)
    ws.write_row(2, 0, headers, book.header)
    row = 3
    meetings = [m for m in plan.meetings if m.file == F_EXECUTIVE]
    for index, meeting in enumerate(meetings):
        tasks = [t for t in plan.tasks if t.source_title == meeting.title]
        first, last = row, row + len(tasks) - 1
        ws.merge_range(first, 1, last, 1, meeting.title, book.center)
        if index % 2 == 0:
            ws.merge_range(first, 2, last, 2, "", book.date_cn)
            book.value(ws, first, 2, meeting.day, date_fmt=book.date_cn)
        else:
            ws.merge_range(first, 2, last, 2, _cn_date(meeting.day), book.center)
        for task in tasks:
            book.value(ws, row, 0, f"{task.seq}、" if index in (1, 3) else task.seq, book.center)
            book.value(ws, row, 3, task.text)
            book.value(ws, row, 4, task.lead)
            book.value(ws, row, 5, task.co)
            book.value(ws, row, 6, task.leader, book.center)
            book.value(ws, row, 7, task.deadline, book.center)
            book.value(ws, row, 8, task.progress)
            row += 1
    ws.freeze_panes(3, 0)
    book.close()
    return sheet_name


def _write_mayor(path: Path, plan: _Planner) -> None:
    rows = []
    for meeting in (m for m in plan.meetings if m.file == F_MAYOR):
        when = _cn_date(meeting.day) if meeting.day.month % 2 else f"{meeting.day.year}.{meeting.day.month}.{meeting.day.day}"
        for task in (t for t in plan.tasks if t.source_title == meeting.title):
            deadline = task.deadline if isinstance(task.deadline, str) else task.deadline.isoformat()
            rows.append([meeting.title, when, str(task.seq), task.text, task.lead, task.co, task.leader, deadline])
    header = ["会议", "时间", "序号", "确定事项", "主办单位", "协办单位", "分管领导", "办理时限"]
    _write_csv(path, header, rows, encoding="gbk", crlf=True)


def _write_topical_csv(path: Path, plan: _Planner, meeting: _Meeting) -> None:
    rng = random.Random(f"{SEED}-topical")  # layout choices only; the plan's own draws are unaffected
    rows = []
    for task in (t for t in plan.tasks if t.source_title == meeting.title):
        lead, co = task.lead, task.co
        if rng.random() < 0.3:
            # Units written inside the task text, the 责任单位 cell left empty.
            co = re.sub(r"[、，,；\s]+", "、", co)
            note = f"（牵头单位：{lead}；配合单位：{co}）" if co else f"（牵头单位：{lead}）"
            rows.append([str(task.seq), task.text + note, "", str(task.deadline)])
            continue
        first = lead + "（牵头）" if rng.random() < 0.15 else lead
        cell = first + ("、" + co if co else "")
        rows.append([str(task.seq), task.text, cell, str(task.deadline)])
    _write_csv(path, ["序号", "工作任务", "责任单位", "时间节点"], rows, encoding="utf-8-sig", crlf=True)


def _write_topical_xlsx(path: Path, plan: _Planner, meeting: _Meeting) -> str:
    book = _Book(path)
    sheet_name = "议定事项"
    ws = book.sheet(sheet_name, [6, 56, 18, 28, 18])
    headers = ["序号", "工作任务", "牵头单位", "配合单位", "时限要求"]
    ws.merge_range(0, 0, 0, len(headers) - 1, f"{meeting.title}议定事项分解表", book.title)
    ws.write_row(1, 0, headers, book.header)
    for row, task in enumerate((t for t in plan.tasks if t.source_title == meeting.title), start=2):
        book.value(ws, row, 0, task.seq)
        book.value(ws, row, 1, task.text)
        book.value(ws, row, 2, task.lead)
        book.value(ws, row, 3, task.co)
        book.value(ws, row, 4, task.deadline, book.center)
    book.close()
    return sheet_name


def _write_plenary(path: Path, plan: _Planner) -> list[tuple[_Meeting, str]]:
    book = _Book(path)
    sheets = []
    headers = ["序号", "重点任务", "牵头单位", "配合单位", "责任领导", "完成时限", "备注"]
    for meeting in (m for m in plan.meetings if m.file == F_PLENARY):
        sheet_name = meeting.title.removeprefix("区政府")
        ws = book.sheet(sheet_name, [6, 56, 18, 28, 10, 18, 14])
        ws.merge_range(0, 0, 0, len(headers) - 1, f"{meeting.title}工作任务分解", book.title)
        ws.write_row(1, 0, headers, book.header)
        for row, task in enumerate((t for t in plan.tasks if t.source_title == meeting.title), start=2):
            book.value(ws, row, 0, task.seq)
            book.value(ws, row, 1, task.text)
            book.value(ws, row, 2, task.lead)
            book.value(ws, row, 3, task.co)
            book.value(ws, row, 4, task.leader, book.center)
            book.value(ws, row, 5, task.deadline, book.center)
            book.value(ws, row, 6, "纳入区政府重点督办" if task.seq % 5 == 1 else "")
        sheets.append((meeting, sheet_name))
    book.close()
    return sheets


def _write_directives(path: Path, plan: _Planner) -> str:
    book = _Book(path)
    sheet_name = "批示件台账"
    ws = book.sheet(sheet_name, [6, 12, 14, 60, 30, 16, 40, 10, 14])
    headers = ["序号", "批示领导", "批示时间", "批示内容", "承办单位", "办理时限", "办理情况", "是否办结", "办结日期"]
    ws.write_row(0, 0, headers, book.header)
    for row, task in enumerate(_by_file(plan.tasks, F_DIRECTIVES), start=1):
        book.value(ws, row, 0, task.seq)
        book.value(ws, row, 1, task.leader, book.center)
        book.value(ws, row, 2, task.source_date, date_fmt=book.date_cn)
        book.value(ws, row, 3, task.text)
        book.value(ws, row, 4, task.lead)
        book.value(ws, row, 5, task.deadline, book.center)
        book.value(ws, row, 6, task.progress)
        book.value(ws, row, 7, "是" if task.done else ("否" if task.progress else ""), book.center)
        book.value(ws, row, 8, task.done or "")
    book.close()
    return sheet_name


def _write_work_report(path: Path, plan: _Planner) -> str:
    book = _Book(path)
    sheet_name = "任务分解"
    ws = book.sheet(sheet_name, [6, 58, 10, 18, 34, 30])
    headers = ["序号", "重点工作", "牵头领导", "牵头单位", "责任单位", "完成时限"]
    tasks = _by_file(plan.tasks, F_WORK_REPORT)
    ws.merge_range(0, 0, 0, len(headers) - 1, f"{tasks[0].source_date.year}年《政府工作报告》重点工作任务分解表", book.title)
    ws.merge_range(1, 0, 1, len(headers) - 1, "（按牵头领导排序）", book.subtitle)
    ws.write_row(2, 0, headers, book.header)
    row = 3
    for section, heading in enumerate(_SECTIONS, start=1):
        if section % 2:
            ws.merge_range(row, 0, row, len(headers) - 1, heading, book.section)
        else:
            ws.write_string(row, 0, heading, book.section)
        row += 1
        for task in (t for t in tasks if t.extra["section"] == section):
            book.value(ws, row, 0, task.seq)
            book.value(ws, row, 1, task.text)
            book.value(ws, row, 2, task.leader, book.center)
            book.value(ws, row, 3, task.lead)
            book.value(ws, row, 4, task.co)
            book.value(ws, row, 5, task.deadline, book.center)
            row += 1
    book.close()
    return sheet_name


def _write_audit(path: Path, plan: _Planner) -> str:
    book = _Book(path)
    sheet_name = "整改清单"
    ws = book.sheet(sheet_name, [6, 14, 44, 40, 18, 10, 16, 40, 10, 14])
    headers = ["序号", "问题类型", "问题", "整改措施", "责任单位", "责任领导", "整改时限", "整改情况", "是否销号", "销号日期"]
    tasks = _by_file(plan.tasks, F_AUDIT)
    ws.merge_range(0, 0, 0, len(headers) - 1, f"{tasks[0].source_title}清单", book.title)
    ws.write_row(1, 0, headers, book.header)
    row = 2
    for group, _ in _AUDIT_GROUPS:
        members = [t for t in tasks if t.extra["group"] == group]
        ws.merge_range(row, 1, row + len(members) - 1, 1, group, book.center)
        for task in members:
            book.value(ws, row, 0, task.seq)
            book.value(ws, row, 2, task.text)
            book.value(ws, row, 3, task.extra["measure"])
            book.value(ws, row, 4, task.lead)
            book.value(ws, row, 5, task.leader, book.center)
            book.value(ws, row, 6, task.deadline, book.center)
            book.value(ws, row, 7, task.progress)
            book.value(ws, row, 8, "是" if task.done else "否", book.center)
            book.value(ws, row, 9, task.done or "")
            row += 1
    book.close()
    return sheet_name


def _write_findings(path: Path, plan: _Planner) -> None:
    """A 巡察 or 督查 rectification list as a plain CSV, closings in its own columns."""
    header = ["序号", "问题", "整改措施", "责任单位", "责任领导", "整改时限", "整改情况", "是否办结", "办结日期"]
    rows = [[str(t.seq), t.text, t.extra["measure"], t.lead, t.leader, str(t.deadline), t.progress,
             "是" if t.done else "否", t.done.isoformat() if t.done else ""]
            for t in _by_file(plan.tasks, path.name)]
    _write_csv(path, header, rows, encoding="utf-8", crlf=False)


def _write_progress(path: Path, plan: _Planner) -> None:
    header = ["会议名称", "序号", "进展情况", "填报日期", "是否办结", "办结日期"]
    rows = [[r[h] for h in header] for r in plan.progress_rows]
    _write_csv(path, header, rows, encoding="utf-8", crlf=False)


def build_demo_files(out_dir: Path, today: date) -> list[DemoFile]:
    """Writes the demo lists into out_dir and returns them in load order (leaders, units, task lists,
    progress reports). Same ``today`` -> byte-identical files."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = _Planner(today).plan()
    topical = {m.file: m for m in plan.meetings if m.kind == "专题会议"}

    _write_leaders(out_dir / F_LEADERS)
    _write_units(out_dir / F_UNITS)
    files = [DemoFile(out_dir / F_LEADERS), DemoFile(out_dir / F_UNITS)]

    sheet = _write_executive(out_dir / F_EXECUTIVE, plan)
    files.append(DemoFile(out_dir / F_EXECUTIVE, sheet=sheet))
    _write_mayor(out_dir / F_MAYOR, plan)
    files.append(DemoFile(out_dir / F_MAYOR))

    meeting = topical[F_TOPICAL_CSV]
    _write_topical_csv(out_dir / F_TOPICAL_CSV, plan, meeting)
    files.append(DemoFile(out_dir / F_TOPICAL_CSV, source_kind=meeting.kind, source_title=meeting.title,
                          source_date=meeting.day))
    meeting = topical[F_TOPICAL_XLSX]
    sheet = _write_topical_xlsx(out_dir / F_TOPICAL_XLSX, plan, meeting)
    files.append(DemoFile(out_dir / F_TOPICAL_XLSX, source_kind=meeting.kind, source_title=meeting.title,
                          source_date=meeting.day, sheet=sheet))

    for meeting, sheet in _write_plenary(out_dir / F_PLENARY, plan):
        files.append(DemoFile(out_dir / F_PLENARY, source_kind=meeting.kind, source_title=meeting.title,
                              source_date=meeting.day, sheet=sheet))

    sheet = _write_directives(out_dir / F_DIRECTIVES, plan)
    files.append(DemoFile(out_dir / F_DIRECTIVES, source_kind="领导批示", sheet=sheet))

    report = _by_file(plan.tasks, F_WORK_REPORT)[0]
    sheet = _write_work_report(out_dir / F_WORK_REPORT, plan)
    files.append(DemoFile(out_dir / F_WORK_REPORT, source_kind="政府工作报告", source_title=report.source_title,
                          source_date=report.source_date, sheet=sheet))

    audit = _by_file(plan.tasks, F_AUDIT)[0]
    sheet = _write_audit(out_dir / F_AUDIT, plan)
    files.append(DemoFile(out_dir / F_AUDIT, source_kind="审计整改", source_title=audit.source_title,
                          source_date=audit.source_date, sheet=sheet))

    for name in (F_INSPECTION, F_SUPERVISION):
        first = _by_file(plan.tasks, name)[0]
        _write_findings(out_dir / name, plan)
        files.append(DemoFile(out_dir / name, source_kind=first.source_kind, source_title=first.source_title,
                              source_date=first.source_date))

    _write_progress(out_dir / F_PROGRESS, plan)
    files.append(DemoFile(out_dir / F_PROGRESS))
    return files


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("用法: python -m demo.generator <输出目录>", file=sys.stderr)
        return 2
    for demo in build_demo_files(Path(args[0]), date.today()):
        print(demo.path if demo.sheet is None else f"{demo.path} [{demo.sheet}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
