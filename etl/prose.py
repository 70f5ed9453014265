"""Who acts, read from one sentence of government prose: lead units, co-units and leaders.

Minutes, directives and task lists name the people and bodies who act inside the text:
"由区水利局负责", "区住建局牵头，区财政局配合", "请区民政局会同有关部门…", "（各镇街分别负责，年内完成）",
"由常务副区长李强同志牵头". :func:`read_actors` reads such a sentence; :func:`read_unit_cell` reads
a unit cell into which a clerk may have pasted prose. Both are rule-based and deterministic.

How a sentence is read:
- Titles in 《》 and quotations in “” are masked: "《区教育局关于…的方案》" names no actor.
- A bracket that says who acts ("（区发改局牵头）", "(各镇街分别负责,年内完成)") is read as its own
  clauses; a bare role mark ("区住建局（牵头）") stays with its name.
- The text is cut into clauses at ，；：。 A list of actors is looked for right after an anchor:
  由 / 交由 / 请 / 责成 / 委托 / 要求 / 同意 / 明确 / 会同 / a label (牵头单位：), or at the start of
  a clause (after 会议要求、一是、并 and the like). What follows the list gives its role:
  牵头 -> lead, 配合/协助/协办/参与 -> co, 会同 Y -> Y are co-units, anything an actor does
  (负责, 要, 抓紧, 做好, 提出…) -> lead. At the start of a clause a list only counts when such a
  word follows, so "区教育局的汇报" names no actor.
- A unit name is a run of characters ending in a unit word (局, 委, 办公室, 中心, 镇, 街道, 公司…)
  followed by a boundary (punctuation, 和/及, or a word an actor does). The shortest such run is
  taken, so "区民政局会同区财政局" is two names.
- A person is a name (a common surname and one or two characters) with 同志 or a title before it
  (副区长王海, 常务副区长李强同志), or a bare name right before 牵头/负责. A person is a leader,
  never a unit; the title is kept apart from the name.
- Labelled annotations ("（牵头单位：区住建局；配合单位：区财政局）", "责任单位：X") are read by
  etl.units.extract_annotated_units; "责任领导：副区长王海" gives a leader.
- In one sentence the first actor leads; an actor named later at the start of a clause without
  牵头/负责 ("由县城投公司负责实施，县住建局加强监管") is a co-unit; "请X配合…" makes X the one who acts.
- A prefix written on the first name of a list (区/市/县) is carried onto the bare names after it:
  "市交通局、城管局、水务局" -> 市交通局, 市城管局, 市水务局. Townships, enterprises and collective
  names (各镇街, 有关部门) are left as written.
- Whatever stands where a unit should be but is not one ("此项工作由李强", "并统筹推进", "<img")
  is returned as a flag with the text quoted, never as a unit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from etl.units import (
    LEVEL_PREFIXES,
    assign_roles,
    extract_annotated_units,
    infer_unit_kind,
    is_collective,
    normalize_unit_name,
    split_units,
)

__all__ = ["Actors", "Flag", "Leader", "read_actors", "read_unit_cell", "split_person"]


@dataclass(frozen=True)
class Leader:
    name: str  # "" when only a title is written ("由分管副区长牵头")
    title: str = ""


@dataclass(frozen=True)
class Flag:
    kind: str  # 非单位名称 | 人名 | 领导未具名 | 单位未列全
    text: str  # the words as written
    reason: str  # for the clerk, in Chinese


@dataclass(frozen=True)
class Actors:
    lead_units: tuple[str, ...] = ()
    co_units: tuple[str, ...] = ()
    leaders: tuple[Leader, ...] = ()
    flags: tuple[Flag, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.lead_units or self.co_units or self.leaders)


# --------------------------------------------------------------------------- vocabulary

_CJK = r"\u4e00-\u9fff"
# Longest first, so a name ends on the whole word (委员会 before 委).
_UNIT_SUFFIXES = (
    "领导小组办公室", "委员会", "管委会", "办公室", "办事处", "指挥部", "工作专班", "专班", "领导小组",
    "街道", "公司", "集团", "中心", "分局", "支队", "大队", "中队", "银行", "分行", "支行", "医院",
    "学校", "小组", "局", "委", "办", "院", "所", "队", "站", "处", "科", "部", "室", "厅", "馆", "联",
    "校", "署", "社", "台", "府", "镇", "乡", "会", "团", "村", "社区",
)
_SUFFIX = "(?:" + "|".join(_UNIT_SUFFIXES) + ")"
# Collective names end in a group word; "各乡镇(街道)" keeps its bracket.
_COLLECTIVE_HEAD = r"(?:[区市县](?:直|级|属|委)?|其他|其它)?(?:各|相关|有关|属地)"
_COLLECTIVE_TAIL = r"(?:部门|单位|镇街|乡镇|镇|乡|街道|社区|村|企业|学校|医院|县区|县市区|县|区|市)"

# Words an actor does right after being named; they end a unit name.
_ACTION_WORDS = (
    "会同", "牵头", "负责", "配合", "协助", "协办", "参与", "要求", "要", "需要", "需", "应当", "应", "务必",
    "必须", "抓紧", "尽快", "立即", "加快", "按照", "按", "于", "在", "对", "就", "将", "把", "向", "做好",
    "做", "进一步", "认真", "切实", "继续", "结合", "根据", "依据", "组织", "统筹", "研究", "制定", "拟定",
    "完善", "落实", "推进", "开展", "督促", "指导", "协调", "对接", "提出", "提交", "上报", "报送", "报",
    "分别", "共同", "联合", "作为", "为", "具体", "全面", "全力", "积极", "主动", "严格", "加强", "强化",
    "确保", "今年", "年底", "年内", "本月", "下月", "会后", "限期", "限", "务", "逐", "主抓", "抓", "牵",
    "持续", "及时", "专题", "争取", "启动", "完成", "编制", "起草", "修订", "印发", "出台", "会商",
    "统一", "商", "与", "和", "及", "以及", "等", "的", "主动", "先行", "尽早", "拿出", "做实", "全权",
    "汇总", "收集", "梳理", "摸清", "细化", "形成", "建立", "健全", "审核", "把关", "负", "承担",
    "关于", "倒排", "优化", "开辟", "办结", "选派", "拨付", "跟踪", "实施", "依法", "妥善", "严肃",
    "调查", "核实", "核查", "处理", "排查", "整改", "检查", "清理", "审查", "论证", "评估", "监管",
    "谋划", "部署", "跟进", "巡查", "摸排", "解决", "办理", "推动", "支持", "帮助", "参加",
)
_BOUNDARY = (
    r"(?=[、,;:。.!?()\s\u3000\[\]【】]|"
    + "|".join(sorted(_ACTION_WORDS, key=len, reverse=True))
    + r"|[0-9零〇一二两三四五六七八九十]+(?:个|月|日|天|周|年)|$)"
)
_UNIT_NAME = (
    rf"(?:{_COLLECTIVE_HEAD}[{_CJK}]{{0,6}}?{_COLLECTIVE_TAIL}(?:\([{_CJK}、]{{1,8}}\))?"
    rf"|[{_CJK}]{{1,20}}?{_SUFFIX}(?:\([{_CJK}、]{{1,12}}\))?)"
)
_UNIT_RE = re.compile(_UNIT_NAME + _BOUNDARY)

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
    "武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒"
    "阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎"
    "甄丛仲虞敖巩佘池查麻苑迟邝"
)
_TITLE = (
    r"(?:(?:[区市县]委常委|[区市县]政府党组成员|党组成员)、?)?"
    r"(?:[区市县](?:委|政府|人民政府)?)?(?:分管|主管|主要)?(?:领导)?(?:常务)?副?"
    r"(?:区长|市长|县长|镇长|乡长|主任|书记|秘书长|局长|部长|主席|调研员|巡视员|领导)"
)
_NAME = rf"[{_SURNAMES}][{_CJK}]{{1,2}}?"
_NAME_END = (
    r"(?=同志|[、,;:。()\s]|牵头|负责|主抓|分管|抓总|为|等|和|及|与|要|协调|统筹|召集|督促|会同|$)"
)
_PERSON_RE = re.compile(rf"(?P<title>{_TITLE})?(?P<name>{_NAME}){_NAME_END}(?P<comrade>同志)?")
_TITLE_ONLY_RE = re.compile(rf"(?P<title>{_TITLE})(?=牵头|负责|主抓|抓总|同志|[,;。]|$)")
# A bare name (no title, no 同志) is a person only right before one of these.
_PERSON_ROLE_AFTER = re.compile(r"同志|牵头|负责|主抓|抓总")

_LIST_SEPARATOR = re.compile(r"、|以及|和|及|与|,(?=[^,]{0,20}?(?:同志))")
_OPEN_TAIL = re.compile(r"等(?:[0-9一二三四五六七八九十两几多]+[个家项])?(?:相关|有关|其他|其它)?"
                        r"(?:责任|成员|牵头|配合)?(?:单位|部门|镇街|乡镇|街道|机构)?")

# What follows an actor list, and the role it gives.
_LEAD_AFTER = re.compile(r"(?:\((?:牵头|牵头单位|主办)\))?(?:负责牵头|牵头负责|牵头抓总|牵头|为牵头单位|作为牵头单位|抓总|主抓)")
_CO_AFTER = re.compile(
    r"(?:\((?:配合|配合单位|协办)\))?(?:等?(?:部门|单位)?)(?:积极|共同|全力|密切)?"
    r"(?:配合|协助|协办|参与|为配合单位|作为配合单位)"
)
_COUNIT_CUE = re.compile(r"会同|联合|协调|商")
_ACTS_AFTER = re.compile("|".join(sorted(_ACTION_WORDS, key=len, reverse=True)) + r"|[0-9零〇一二两三四五六七八九十]+(?:个|月|日|天|周|年)")

# Anchors after which an actor list may begin, anywhere in a clause.
_ANCHOR_RE = re.compile(
    r"(?:(?<![理自缘事经])(?:交由|统一由|均由|分别由|明确由|由)(?![于此])"
    r"|(?<![申提报邀])请(?![示假求])"
    r"|责成|委托|要求|同意|明确|决定|安排|(?P<co_cue>会同|协同)"
    r"|(?:牵头单位|牵头部门|责任单位|责任部门|主办单位|承办单位|落实单位)[:：]"
    r"|(?P<co_label>(?:配合单位|配合部门|协办单位|协助单位|参与单位)[:：]))"
)
# Anchors that must be followed by an actor: a fragment there is flagged.
_STRONG_ANCHORS = frozenset({"由", "交由", "统一由", "均由", "分别由", "明确由", "请", "责成", "委托"})
# Lead-ins at the start of a clause, before the actor: "会议要求区住建局…", "一是区财政局…".
_CLAUSE_LEAD_IN = re.compile(
    r"^(?:(?:会议|会上|本次会议)?(?:原则)?(?:同意|要求|强调|明确|决定|议定|确定|指出|责成|提出)[,:]?"
    r"|[一二三四五六七八九十]+是|[一二三四五六七八九十]+要|第[一二三四五六七八九十]+[,、]?|首先|其次|最后|另外|此外|同时|其中|并且|并|且|还|再"
    r"|\(?[一二三四五六七八九十0-9]{1,2}[)、.]|[\u2460-\u2473])*"
)

# Words that are not unit names even though they end in a unit word.
_NOT_UNITS = frozenset(
    {"会议", "会议室", "全部", "内部", "局部", "大局", "格局", "布局", "结局", "社会", "机会", "场所", "全社会",
     "协会", "大会", "工作", "总部", "干部", "外部", "基层干部", "各部", "全会", "例会", "本部", "部", "局", "委",
     "办", "会", "处", "所", "院"}
)
_NOT_IN_UNIT = re.compile(r"同志|负责|牵头|同意|要求|提出|汇报|会同|会议(?!室)|工作由|由|请|[<>=+*#&{}$%@\\/|]")
_BRACKET_MARK = re.compile(r"\((?:牵头|牵头单位|主办|配合|配合单位|协办|协助|参与|负责|责任单位|街道|社区|乡镇|镇街)\)")


# --------------------------------------------------------------------------- helpers


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _mask_titles(text: str) -> str:
    """Blank out 《…》 and “…” so titles and quotations are never read as actors."""
    out = list(text)
    for opener, closer in (("《", "》"), ("“", "”"), ("\"", "\"")):
        start = 0
        while (open_at := text.find(opener, start)) != -1:
            close_at = text.find(closer, open_at + 1)
            if close_at == -1:
                break
            for index in range(open_at + 1, close_at):
                out[index] = "□"
            start = close_at + 1
    return "".join(out)


def _split_brackets(text: str) -> tuple[str, list[str]]:
    """The text with who-acts brackets replaced by a clause break, and those brackets' contents."""
    groups: list[str] = []
    out: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "(":
            if depth == 0:
                current = []
            else:
                current.append(char)
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                content = "".join(current)
                if _BRACKET_MARK.fullmatch(f"({content})") or not re.search(
                    r"牵头|负责|配合|协助|协办|参与|单位|同志", content
                ):
                    out.append(f"({content})")
                else:
                    groups.append(content)
                    out.append(",")
            else:
                current.append(char)
        elif depth:
            current.append(char)
        else:
            out.append(char)
    if depth:  # unclosed: keep it as text
        out.append("(" + "".join(current))
    return "".join(out), groups


def _clauses(text: str) -> list[str]:
    text = re.sub(r"(牵头|负责|配合|协助)、", r"\1,", text)
    return [part for part in re.split(r"[,;:。!?\n]", text) if part.strip()]


# Also the verbs of what is built or set up ("新建社区养老服务中心5个" names a thing to build, not
# who builds it); 建设银行 is a bank.
_VERB_START = re.compile(r"^(?:会同|协同|联合|协调|督促|指导|牵头|负责|配合|要求|抓紧|加快|推进|落实|做好|并|及|和|与|等|对|将|在"
                         r"|新建|建设(?!银行)|建成|改建|扩建|改造|打造|新增|提升|完善|实施|开展|推动|组建|筹建|成立|设立|增设)")


def _valid_unit(name: str) -> bool:
    if not name or name in _NOT_UNITS or _NOT_IN_UNIT.search(name) or _VERB_START.match(name):
        return False
    if len(name) < 2 or "□" in name:
        return False
    return infer_unit_kind(name) != "其他"


def _carry_prefix(names: list[str]) -> list[str]:
    """"市交通局、城管局" -> 市交通局, 市城管局: the level written once applies to the bare names after."""
    carried: list[str] = []
    prefix = ""
    for name in names:
        if name[:1] in LEVEL_PREFIXES and not is_collective(name):
            prefix = name[0]
            carried.append(name)
            continue
        if (
            prefix
            and name[:1] not in ("省", "国", "中")
            and not is_collective(name)
            and infer_unit_kind(name) == "部门"
            and not name.startswith(("党", "人民"))
        ):
            carried.append(prefix + name)
        else:
            carried.append(name)
    return carried


@dataclass
class _Element:
    kind: str  # "unit" | "person" | "title"
    text: str
    name: str = ""
    title: str = ""


def _person_at(text: str, pos: int, bare_ok: bool) -> tuple[_Element, int] | None:
    match = _PERSON_RE.match(text, pos)
    if match is not None:
        name, title, comrade = match["name"], match["title"] or "", match["comrade"]
        after = text[match.end():]
        if (title or comrade or (bare_ok and (_PERSON_ROLE_AFTER.match(after) or after.startswith("、")))) and not _valid_unit(
            text[pos:match.end("name")]
        ):
            return _Element("person", match.group(0), name, title), match.end()
    match = _TITLE_ONLY_RE.match(text, pos)
    if match is not None:
        end = match.end()
        if text.startswith("同志", end):
            end += 2
        return _Element("title", text[pos:end], "", match["title"]), end
    return None


# A party committee or government written right before one of its own departments: the name
# goes on ("区委" + "组织部"; 组织 is also a verb, so the shortest match stops before it).
_BODY_BEFORE_DEPARTMENT = re.compile(r"^(?:[省市区县镇乡]|中共[\u4e00-\u9fff]{1,8}?[省市区县])?(?:党?委|纪委|人民政府|政府)$")


def _unit_at(text: str, pos: int) -> tuple[_Element, int] | None:
    match = _UNIT_RE.match(text, pos)
    if match is None:
        return None
    name, end = match.group(0), match.end()
    if _BODY_BEFORE_DEPARTMENT.match(name):
        department = _UNIT_RE.match(text, end)
        if department is not None and _valid_unit(normalize_unit_name(name + department.group(0))):
            name, end = name + department.group(0), department.end()
    if not _valid_unit(normalize_unit_name(name)):
        return None
    return _Element("unit", name), end


def _list_at(text: str, pos: int, bare_names: bool) -> tuple[list[_Element], int, bool]:
    """Actors listed from pos on: (elements, end, open-ended)."""
    elements: list[_Element] = []
    cursor = pos
    while True:
        found = _unit_at(text, cursor) or _person_at(text, cursor, bare_ok=bare_names or bool(elements))
        if found is None:
            break
        element, cursor = found
        elements.append(element)
        separator = _LIST_SEPARATOR.match(text, cursor)
        if separator is None:
            break
        probe = _unit_at(text, separator.end()) or _person_at(text, separator.end(), bare_ok=True)
        if probe is None:
            break
        cursor = separator.end()
    open_ended = False
    if elements:
        tail = _OPEN_TAIL.match(text, cursor)
        if tail is not None and tail.end() > cursor:
            open_ended = True
            cursor = tail.end()
    return elements, cursor, open_ended


class _Reading:
    def __init__(self) -> None:
        self.lead: list[str] = []
        self.co: list[str] = []
        self.leaders: list[Leader] = []
        self.flags: list[Flag] = []

    def add_units(self, role: str, elements: list[_Element], open_ended: bool, after: tuple[str, ...] = ()) -> None:
        """`after`: the names written just before these ("市住建局会同财政局": 市 carries on)."""
        unit_texts = [element.text for element in elements if element.kind == "unit"]
        names: list[str] = []
        marked: list[str] = []
        for written in unit_texts:
            units = split_units(written)
            names.extend(units.names)
            marked.extend(units.marked_leads)
        names = _carry_prefix([*after, *names])[len(after):]
        for element in elements:
            if element.kind == "person":
                self._add_leader(Leader(element.name, _nfkc(element.title)))
            elif element.kind == "title":
                self._add_leader(Leader("", element.title))
                self.flags.append(Flag("领导未具名", element.text, f"“{element.text}”只写了职务，未写姓名，请补充责任领导"))
        target = self.co if role == "co" else self.lead
        for name in names:
            if name in self.lead or name in self.co:
                continue
            target.append(name)
        if open_ended and unit_texts:
            written = "、".join(unit_texts)
            self.flags.append(Flag("单位未列全", written + "等", f"“{written}等”未列全单位，请核对"))

    def _add_leader(self, leader: Leader) -> None:
        if leader not in self.leaders:
            self.leaders.append(leader)

    def flag_fragment(self, fragment: str) -> None:
        fragment = fragment.strip(" ,、")
        if fragment and all(flag.text != fragment for flag in self.flags):
            self.flags.append(
                Flag("非单位名称", fragment, f"“{fragment}”不是单位名称，未登记为单位，请核对责任单位")
            )

    def actors(self) -> Actors:
        co = tuple(name for name in dict.fromkeys(self.co) if name not in self.lead)
        return Actors(tuple(dict.fromkeys(self.lead)), co, tuple(self.leaders), tuple(self.flags))


def _role_after(text: str, pos: int) -> str | None:
    """"lead" | "co" | "acts" for the words right after an actor list, None if nothing an actor does."""
    rest = text[pos:]
    if _LEAD_AFTER.match(rest):
        return "lead"
    if _CO_AFTER.match(rest):
        return "co"
    if not rest.strip() or rest[:1] in "()":
        return None
    if rest.startswith("的") and not rest.startswith("的基础"):
        return None
    if _ACTS_AFTER.match(rest) or _COUNIT_CUE.match(rest):
        return "acts"
    return None


def _read_clause(clause: str, reading: _Reading) -> None:
    consumed_to = 0
    lead_in = _CLAUSE_LEAD_IN.match(clause)
    starts: list[tuple[int, str]] = [(lead_in.end() if lead_in else 0, "start")]
    starts += [
        (match.end(), "co_label" if match["co_label"] or match["co_cue"] else match.group(0))
        for match in _ANCHOR_RE.finditer(clause)
    ]
    starts.sort()
    for start, anchor in starts:
        if start < consumed_to:
            continue
        strong = anchor in _STRONG_ANCHORS or anchor.endswith((":", "："))
        elements, end, open_ended = _list_at(clause, start, bare_names=strong)
        if not elements:
            if strong:
                role_word = re.search(r"牵头|负责|配合|协助", clause[start:])
                stop = start + role_word.start() if role_word else len(clause)
                fragment = clause[start:stop]
                if fragment.strip() and not re.fullmatch(r"[具体主要分别共同全面各自专人]+", fragment):
                    reading.flag_fragment(fragment[:20])
            continue
        role = _role_after(clause, end)
        if role == "co" and anchor in ("请", "责成", "委托", "交由"):
            role = "acts"  # "请区应急局配合做好…": the one asked is the one who acts
        if anchor == "co_label":
            role = "co"
        elif anchor.endswith((":", "：")):
            role = "lead"
        elif role is None:
            if anchor in ("start", "同意", "明确", "决定", "安排", "要求"):
                continue
            role = "acts"
        if role == "acts" and anchor == "start" and reading.lead and not re.match(r"(?:分别|具体)?负责", clause[end:]):
            # "由县城投公司负责实施，县住建局加强监管": the first actor leads, the next ones help.
            role = "co"
        before = len(reading.lead) + len(reading.co)
        reading.add_units("co" if role == "co" else "lead", elements, open_ended)
        added = tuple((reading.lead + reading.co)[before:])
        consumed_to = end
        # "X会同Y、Z…": Y and Z are co-units.
        rest = clause[end:]
        co_cue = re.match(r"(?:牵头|负责)?(?:,)?(?:会同|联合|协调|商请|商)", rest)
        if co_cue is not None:
            co_elements, co_end, co_open = _list_at(clause, end + co_cue.end(), bare_names=False)
            if co_elements:
                reading.add_units("co", co_elements, co_open, after=added)
                consumed_to = co_end


def _split_together(names: list[str], *, all_co: bool = False) -> tuple[list[str], list[str]]:
    """(leads, co-units) of a unit list in which a name may be "X会同Y": the names before
    会同 lead (unless all_co), the one after it and every later name are co-units."""
    lead: list[str] = []
    co: list[str] = []
    together = all_co
    for name in names:
        if "会同" in name:
            left, _, right = name.partition("会同")
            (co if together else lead).append(left)
            co.append(right)
            together = True
        else:
            (co if together else lead).append(name)
    return [name for name in lead if name], [name for name in co if name]


_LEADER_LABEL = re.compile(r"(?:责任领导|牵头领导|分管领导|包保领导)[:：]\s*([^;:：。()]+)")


def read_actors(sentence: str) -> Actors:
    """Lead units, co-units, leaders and flags named in one sentence, in the order written."""
    if not isinstance(sentence, str) or not sentence.strip():
        return Actors()
    text = _mask_titles(_nfkc(sentence))
    reading = _Reading()
    # "（各乡镇分别负责）": the adverb is not part of the name.
    annotated = extract_annotated_units(re.sub(r"(?:分别|具体|各自|共同)(?=负责|牵头|配合)", "", text))
    if annotated.lead or annotated.co or annotated.responsible:
        roles = assign_roles(annotated.lead, annotated.responsible, annotated.co, first_leads=False)
        text = annotated.text
    else:
        roles = None
    for label in _LEADER_LABEL.finditer(text):
        for written in re.split(r"[、,]", label.group(1)):
            leader = split_person(written)
            if leader is not None:
                reading._add_leader(leader)
    text = _LEADER_LABEL.sub(",", text)
    main, groups = _split_brackets(text)
    for part in (main, *groups):
        for clause in _clauses(part):
            _read_clause(clause.strip(), reading)
    if roles is not None:
        # "（区住建局会同区财政局负责）", "责任单位：X会同Y、Z": the annotation reader keeps
        # "X会同Y" as one name; X leads, Y and the names after it are co-units.
        lead, co_after = _split_together(list(roles.lead))
        carried = _carry_prefix(lead + co_after)   # 市住建局会同财政局: 市 carries on
        lead, co_after = carried[:len(lead)], carried[len(lead):]
        for name in lead:
            if name not in reading.lead and name not in reading.co:
                reading.lead.append(name)
        for name in co_after + _carry_prefix(_split_together(list(roles.co), all_co=True)[1]):
            if name not in reading.lead and name not in reading.co:
                reading.co.append(name)
        if roles.open_ended:
            reading.flags.append(Flag("单位未列全", "等", "单位标注中有“等”，未列全单位，请核对"))
    return reading.actors()


_PERSON_CELL_RE = re.compile(rf"(?P<title>{_TITLE})?(?P<name>{_NAME})(?P<comrade>同志)?")


def read_unit_cell(cell: object) -> Actors:
    """A unit cell as a list writes it, each piece a unit, a person (a leader, flagged) or a flag.

    Units are returned as lead_units in the order written (the column says whether they lead);
    a cell holding prose ("区住建局牵头，区财政局配合") is read as prose.
    """
    if cell is None:
        return Actors()
    text = _nfkc(str(cell)).strip()
    if not text:
        return Actors()
    # "区住建局会同区财政局、区审计局" names who leads and who helps, like prose.
    if (re.search(r"[,;。]", text) and re.search(r"牵头|配合|负责|协助", text)) or "会同" in text:
        return read_actors(text)
    units = split_units(text)
    reading = _Reading()
    names: list[str] = []
    for piece in units.names:
        person = _PERSON_CELL_RE.fullmatch(piece)
        if _valid_unit(piece):
            names.append(piece)
        elif person is not None and (person["title"] or person["comrade"] or len(piece) <= 3):
            leader = Leader(person["name"], person["title"] or "")
            reading._add_leader(leader)
            reading.flags.append(
                Flag("人名", piece, f"“{piece}”是人名，不是单位，已列为责任领导，请核对")
            )
        else:
            reading.flag_fragment(piece)
    for name in _carry_prefix(names):
        if name not in reading.lead:
            reading.lead.append(name)
    if units.open_ended and names:
        written = "、".join(names)
        reading.flags.append(Flag("单位未列全", written + "等", f"“{written}等”未列全单位，请核对"))
    return reading.actors()


_TITLE_AT_END = re.compile(rf"(?:{_TITLE})$")


def split_person(text: str) -> Leader | None:
    """"区委副书记、区长张明同志" -> Leader("张明", "区委副书记、区长"); None if no name is found."""
    written = _nfkc(text).strip().removesuffix("同志").strip(" ,、")
    for length in (3, 2):
        name, title = written[-length:], written[:-length]
        if len(name) != length or name[0] not in _SURNAMES or not re.fullmatch(f"[{_CJK}]+", name):
            continue
        if not title or _TITLE_AT_END.search(title):
            return Leader(name, title)
    return None
