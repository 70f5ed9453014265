"""People as task lists write them: 副区长王海, 王海副区长, 王海同志, 张伟、李娜, and a leader
named in a section heading (（二）王海副区长牵头). The name is split from the title, the title
is kept as written beside it; a cell naming several people keeps them all, in order."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Person", "leader_in_heading", "split_people", "split_person"]

# Titles a list writes beside a leader's name, longest first so 常务副区长 is not read as 区长.
_TITLES = sorted(
    {
        "常务副区长", "副区长", "区长", "常务副市长", "副市长", "市长", "常务副县长", "副县长", "县长",
        "区委书记", "市委书记", "县委书记", "区委副书记", "市委副书记", "县委副书记", "副书记", "书记",
        "区委常委", "市委常委", "县委常委", "常委", "区政府党组成员", "党组成员", "副主任", "主任",
        "副秘书长", "秘书长", "副部长", "部长", "副局长", "局长", "副主席", "主席", "区长助理",
        "市长助理", "县长助理", "镇长", "副镇长", "街道主任", "同志",
    },
    key=len, reverse=True,
)
_TITLE = "|".join(map(re.escape, _TITLES))
# Common surnames (the first character of a name); with the stop characters below they keep
# 常务 / 区委 / 市政府 from being read as a name.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫"
    "孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童"
    "凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连"
    "芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖"
    "巩明佘池乐匡"
)
_STOP = "务副区市县镇长委政府办书记主任局部同志牵头负责抓管领导分工作重点任务的和及与等"
_NAME = f"[{_SURNAMES}][^\\W\\d_{_STOP}]{{1,2}}"
_SEPARATORS = re.compile(r"[、，,；;/／\s]+|(?<=[\u4e00-\u9fff])(?:和|及)(?=[\u4e00-\u9fff])")
_TITLE_FIRST = re.compile(f"^(?P<title>{_TITLE})(?P<name>[^\\W\\d_]{{2,4}})$")
_NAME_FIRST = re.compile(f"^(?P<name>[^\\W\\d_]{{2,4}}?)(?P<title>{_TITLE})$")
# In running text (a heading): a name before its title, or a title before its name and a verb.
_IN_TEXT = re.compile(
    f"(?P<name1>{_NAME})(?P<title1>{_TITLE})"
    f"|(?P<title2>{_TITLE})(?P<name2>{_NAME}?)(?=牵头|负责|主抓|分管|挂帅|领衔|督办|包抓|联系|同志|[、，,;；:：()（）\\s]|$)"
)


@dataclass(frozen=True)
class Person:
    name: str            # 王海
    title: str | None    # 副区长, as written; None when the list writes the name alone
    written: str         # 副区长王海, the text as the list wrote it


def split_person(text: str) -> Person | None:
    """副区长王海 / 王海副区长 / 王海同志 -> 王海 and the title; a bare title (市长) keeps its
    text as the name, since no name is written."""
    written = unicodedata.normalize("NFKC", text).strip().strip("()（）")
    if not written:
        return None
    for pattern in (_NAME_FIRST, _TITLE_FIRST):
        match = pattern.match(written)
        if match and match["name"] not in _TITLES:
            return Person(match["name"], match["title"], text.strip())
    return Person(written, None, text.strip())


def split_people(cell: str | None) -> list[Person]:
    """Every person a leader cell names (张伟、李娜; 副区长王海 常务副区长李明), in order, once each."""
    if not cell:
        return []
    people: list[Person] = []
    for piece in _SEPARATORS.split(unicodedata.normalize("NFKC", cell)):
        person = split_person(piece) if piece.strip() else None
        if person and person.name not in {p.name for p in people}:
            people.append(person)
    return people


def leader_in_heading(text: str, known: set[str] | frozenset[str] = frozenset()) -> Person | None:
    """The leader a heading names (一、张伟市长主抓重点工作; （二）王海副区长牵头): a leader the
    ledger knows, anywhere in it; else a name written beside a leader's title. None if none."""
    heading = unicodedata.normalize("NFKC", text)
    for name in sorted(known, key=len, reverse=True):
        # A "leader" registered under a bare title (市长) is no name to find in a heading.
        if len(name) >= 2 and name not in _TITLES and name in heading:
            at = heading.index(name)
            around = heading[max(0, at - 6): at + len(name) + 6]
            title = next((t for t in _TITLES if t in around and t != "同志"), None)
            return Person(name, title, name if title is None else f"{title}{name}")
    match = _IN_TEXT.search(heading)
    if not match:
        return None
    name = match["name1"] or match["name2"]
    title = match["title1"] or match["title2"]
    if not name or title == "同志" and not match["name1"]:
        return None
    return Person(name, title, match.group(0))
