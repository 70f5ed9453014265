"""The cue phrases that decide which sentences of minutes are 督办事项: one table, one place.

Each row is (pattern, meaning, note). ``pattern`` is a regular expression matched against a
sentence (NFKC-normalised: full-width ，：（） become , : ( )); ``meaning`` is one of MEANINGS.
To teach the reader a new phrasing, add a row here; no other file needs to change.

How the meanings are used (etl/minutes.py):
- 暂缓 wins over everything: a sentence that defers or refuses is never an item.
- 记录 alone (会议听取了…汇报) is not an item; with a 决定 or 交办 cue in the same sentence it is.
- 评述 (会议认为/指出) is not an item unless the sentence also names who acts after 请/由/责成.
- 决定 + who acts -> an item. 决定 with nobody named -> an item flagged 待补 (责任单位).
- 交办 (请X, 由X负责, X牵头) -> an item when the reader finds who acts.
- 引出 ends with a colon or 如下: the sentence introduces the items after it; with a 决定 cue it
  makes the numbered paragraphs or 一是/二是 parts that follow decisions.
- 列举 marks the parts of an enumeration; each part under a 决定 lead-in is its own item.
- 概况 is the opening sentence (who chaired which meeting when), never an item.
- 议题 is a topic heading (关于…); never an item itself.
- 会议信息 and 结束 are lines of the document's head and foot, not body text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CUES", "MEANINGS", "Cue", "cues_in", "has_cue"]

MEANINGS: dict[str, str] = {
    "暂缓": "暂缓、不同意或另行研究，不列为督办事项",
    "记录": "只记录会议听取、学习、审议等情况，未作决定，不列为督办事项",
    "评述": "会议的评价或认识，未交办具体工作，不列为督办事项",
    "决定": "会议作出决定或提出要求",
    "交办": "写明由谁办理",
    "引出": "引出下列事项",
    "列举": "列举的一项任务",
    "概况": "会议概况（时间、主持人、议题），不列为督办事项",
    "议题": "议题标题，不列为督办事项",
    "会议信息": "会议时间、地点、主持、参加人员",
    "结束": "纪要正文结束（抄送、印发等）",
}


@dataclass(frozen=True)
class Cue:
    pattern: str
    meaning: str
    note: str = ""


CUES: tuple[Cue, ...] = (
    # --- 暂缓: deferred or refused ------------------------------------------------------------
    Cue(r"暂缓", "暂缓", "暂缓研究、暂缓出台、暂缓决策"),
    Cue(r"(?<!会议)不同意|原则上不同意|不予(?:同意|支持|采纳|安排)", "暂缓", "会议不同意…"),
    Cue(r"另行(?:研究|提交|上会|审议|安排|提请)", "暂缓", "另行研究、另行提交会议审议"),
    Cue(r"再行(?:研究|审议|上会)|缓议|暂不(?:研究|审议|实施|出台)", "暂缓", ""),
    Cue(r"条件(?:尚|还)?不成熟", "暂缓", "会议认为条件尚不成熟"),
    Cue(r"待.{1,16}后再(?:议|研究|审议|上会)", "暂缓", "待…后再议"),
    Cue(r"会议不同意", "暂缓", ""),
    # --- 记录: only recorded ------------------------------------------------------------------
    Cue(r"会议(?:首先|还|专题|集中)?(?:传达)?(?:听取|学习|传达|观看|通报|审议|研究|讨论|分析|通报了)", "记录",
        "会议听取了…汇报；会议学习了…；会议审议了…"),
    Cue(r"^(?:听取|审议|研究|学习|传达)", "记录", "编号段落以“听取/审议”开头"),
    Cue(r"其他事项", "记录", "会议还研究了其他事项"),
    # --- 评述: opinions -----------------------------------------------------------------------
    Cue(r"会议(?:一致)?(?:认为|指出|肯定|充分肯定|分析)", "评述", "会议认为、会议指出"),
    Cue(r"^同意.{0,12}意见", "评述", "批示中“同意某同志意见”"),
    # --- 决定: decisions and requirements ------------------------------------------------------
    Cue(r"(?:会议|会上)?(?:一致|原则)?同意", "决定", "会议同意、原则同意"),
    Cue(r"(?:会议)?(?:研究)?决定", "决定", "会议决定"),
    Cue(r"(?:会议)?议定", "决定", "会议议定"),
    Cue(r"会议(?:进一步)?明确|明确由", "决定", "会议明确"),
    Cue(r"会议(?:还|并)?(?:要求|强调|提出|责成|确定|部署|同意)", "决定", "会议要求、会议强调"),
    Cue(r"(?:审议|会议)(?:并)?(?:原则)?通过", "决定", "审议通过、原则通过"),
    Cue(r"^要求", "决定", "编号条目以“要求”开头"),
    # --- 交办: who does it --------------------------------------------------------------------
    Cue(r"(?<![申提报邀])请(?![示假求])", "交办", "请X…"),
    Cue(r"(?<![理自缘事经])由(?![于此]).{1,40}?(?:牵头|负责|组织|实施|办理|承办)", "交办", "由X牵头/负责"),
    Cue(r"责成|交由|委托", "交办", "责成X、交由X"),
    Cue(r"牵头|负责|配合|协助", "交办", "X牵头，Y配合；X负责…"),
    Cue(r"(?:责任|承办|主办|落实)单位[:：]", "交办", "（责任单位：X）"),
    Cue(r"要|务必|必须|抓紧|尽快|立即|确保|做好|加快|落实", "交办", "X要…；X抓紧…"),
    # --- 引出: lead-ins -----------------------------------------------------------------------
    Cue(r"[:：]$|如下[:：]?$|以下事项[:：]?$", "引出", "会议议定：/纪要如下："),
    # --- 列举: enumerations -------------------------------------------------------------------
    Cue(r"^[一二三四五六七八九十]+是", "列举", "一是…二是…"),
    Cue(r"^[一二三四五六七八九十]+要(?!求)", "列举", "一要…二要…"),
    Cue(r"^第[一二三四五六七八九十]+[,、]", "列举", "第一，…"),
    Cue(r"^[\u2460-\u2473]", "列举", "①…②…"),
    # --- 概况, 议题 -----------------------------------------------------------------------------
    Cue(r"主持召开|召开.{0,20}会议|会议由.{1,20}主持", "概况", "某某主持召开某会议"),
    Cue(r"^关于[^,，。;；]{2,40}(?:问题|工作|事项|项目|建设|事宜)?$", "议题", "关于…工作"),
    # --- head and foot lines ------------------------------------------------------------------
    Cue(r"^(?:会议)?(?:时间|地点|主持人?|参加(?:人员|单位)?|出席(?:人员)?|列席(?:人员)?|记录人?|请假)[:：]",
        "会议信息", "时间：/地点：/主持：/参加："),
    Cue(r"^(?:抄送|抄报|分送|主送|发送|印发|附件|(?:区|市|县).{0,12}办公室.{0,4}\d{4}年.{1,6}日印发)", "结束",
        "抄送：…；…印发"),
)

_COMPILED: tuple[tuple[re.Pattern[str], Cue], ...] = tuple((re.compile(cue.pattern), cue) for cue in CUES)


def cues_in(text: str) -> list[Cue]:
    """The rows whose pattern occurs in text, in table order."""
    return [cue for pattern, cue in _COMPILED if pattern.search(text)]


def has_cue(text: str, meaning: str) -> bool:
    return any(pattern.search(text) for pattern, cue in _COMPILED if cue.meaning == meaning)
