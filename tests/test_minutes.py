"""Minutes and 批示 into proposed items: which sentences become items, and their fields.

Each document is written in one of the shapes the office receives; the tests assert the items
(序号, sentence, units, leader, deadline, flags) and the sentences judged not to be items.
"""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from etl.minutes import as_dict, read_minutes, read_minutes_file
from etl.minutes_rules import CUES, MEANINGS, cues_in
from etl.prose import Leader
from ledger.workcal import WorkCalendar

CALENDAR = WorkCalendar()


def kinds(flags) -> list[str]:
    return [f"{flag.kind}:{flag.text}" for flag in flags]


def rejected_reasons(minutes) -> dict[str, str]:
    return {rejected.sentence: rejected.reason for rejected in minutes.rejected}


# --------------------------------------------------------------------------- style 1: paragraph per topic

PER_TOPIC = """区人民政府第12次常务会议纪要
〔2024〕12号
二〇二四年六月十八日，区长张明主持召开区政府第12次常务会议。现将会议议定事项纪要如下：
会议听取了区住建局关于老旧小区改造工作进展情况的汇报。会议同意区住建局提出的2024年老旧小区改造计划。会议要求，区住建局要加快施工进度，确保9月底前完成年度改造任务；区财政局要做好资金保障。
会议听取了区教育局关于秋季学期学位保障的汇报。会议原则同意《城区中小学学位扩容方案》，请区教育局按程序报批后组织实施。
会议学习了《中华人民共和国安全生产法》有关条款。
会议研究了防汛工作。会议强调，各镇街要压实防汛责任，7月15日前完成隐患点排查。
"""


def test_paragraph_per_topic_meeting():
    minutes = read_minutes(PER_TOPIC, calendar=CALENDAR)
    meeting = minutes.meeting
    assert (meeting.kind, meeting.kind_label) == ("executive", "常务会议")
    assert meeting.title == "区人民政府第12次常务会议纪要"
    assert meeting.number == "第12次"
    assert (meeting.date, meeting.date_text) == (date(2024, 6, 18), "二〇二四年六月十八日")
    assert meeting.leaders == (Leader("张明", "区长"),)
    assert minutes.flags == ()


def test_paragraph_per_topic_items():
    items = read_minutes(PER_TOPIC, calendar=CALENDAR).items
    assert [(item.seq, item.sentence, item.lead_units) for item in items] == [
        ("一", "会议同意区住建局提出的2024年老旧小区改造计划。", ("区住建局",)),
        ("一(2)", "会议要求，区住建局要加快施工进度，确保9月底前完成年度改造任务", ("区住建局",)),
        ("一(3)", "区财政局要做好资金保障。", ("区财政局",)),
        ("二", "会议原则同意《城区中小学学位扩容方案》，请区教育局按程序报批后组织实施。", ("区教育局",)),
        ("四", "会议强调，各镇街要压实防汛责任，7月15日前完成隐患点排查。", ("各镇街",)),
    ]
    assert items[1].deadline.date == date(2024, 9, 30)
    assert items[4].deadline.date == date(2024, 7, 15)
    # No deadline written: flagged 待补, never invented.
    assert items[0].deadline is None and kinds(items[0].flags) == ["待补:完成时限"]
    assert items[1].paragraph.startswith("会议听取了区住建局") and items[1].paragraph_no == "一"


def test_paragraph_per_topic_rejections():
    reasons = rejected_reasons(read_minutes(PER_TOPIC, calendar=CALENDAR))
    assert reasons["会议听取了区住建局关于老旧小区改造工作进展情况的汇报。"] == MEANINGS["记录"]
    assert reasons["会议学习了《中华人民共和国安全生产法》有关条款。"] == MEANINGS["记录"]
    assert reasons["会议研究了防汛工作。"] == MEANINGS["记录"]
    assert reasons["二〇二四年六月十八日，区长张明主持召开区政府第12次常务会议。"] == MEANINGS["概况"]
    assert reasons["现将会议议定事项纪要如下："] == MEANINGS["引出"]


# --------------------------------------------------------------------------- style 2: 会议议定：一是…二是…, working days across 调休

ENUMERATED = """区政府第8次常务会议议定事项
2024年4月25日，区政府召开第8次常务会议。
一、关于招商引资工作
会议议定：一是区商务局要在会后5个工作日内梳理在谈项目清单；二是区发改局牵头，区财政局、区自然资源局配合，5月底前完成重大项目要素保障方案；三是要进一步优化营商环境。
二、关于节前安全工作
会议议定：一是区应急局要在会后3个工作日内完成节前安全检查部署；二是由区城管局负责，开学后两周内完成校园周边整治。
"""


def test_enumeration_each_part_is_an_item():
    minutes = read_minutes(ENUMERATED, calendar=CALENDAR)
    assert minutes.meeting.number == "第8次" and minutes.meeting.date == date(2024, 4, 25)
    items = minutes.items
    assert [(item.seq, item.paragraph_no, item.lead_units, item.co_units) for item in items] == [
        ("一", "一", ("区商务局",), ()),
        ("一(2)", "一", ("区发改局",), ("区财政局", "区自然资源局")),
        ("一(3)", "一", (), ()),
        ("二", "二", ("区应急局",), ()),
        ("二(2)", "二", ("区城管局",), ()),
    ]
    assert items[0].sentence == "一是区商务局要在会后5个工作日内梳理在谈项目清单"
    assert {item.lead_in for item in items} == {"会议议定："}
    # An enumerated requirement that names nobody is an item with the unit 待补.
    assert items[2].sentence == "三是要进一步优化营商环境。"
    assert kinds(items[2].flags) == ["待补:责任单位", "待补:完成时限"]


def test_working_days_counted_across_a_tiaoxiu_weekend():
    # 2024-04-28 (Sunday) was a working day before the 五一 holiday (5月1日-5日).
    assert CALENDAR.is_workday(date(2024, 4, 28))
    items = read_minutes(ENUMERATED, calendar=CALENDAR).items
    # 5 working days after Thursday 25 April: 26, 28 (Sunday, 调休), 29, 30 April, 6 May.
    assert items[0].deadline.date == date(2024, 5, 6)
    # 3 working days: 26, 28, 29 April.
    assert items[3].deadline.date == date(2024, 4, 29)
    assert items[1].deadline.date == date(2024, 5, 31)


def test_period_counted_from_another_event_is_flagged_not_guessed():
    item = read_minutes(ENUMERATED, calendar=CALENDAR).items[4]
    assert item.deadline is None
    assert kinds(item.flags) == ["时限存疑:开学后两周内"]


def test_headings_are_not_items():
    reasons = rejected_reasons(read_minutes(ENUMERATED, calendar=CALENDAR))
    assert reasons["一、关于招商引资工作"] == MEANINGS["议题"]
    assert reasons["会议议定："] == MEANINGS["引出"]


# --------------------------------------------------------------------------- style 3: units in brackets, 1、 numbering

BRACKETS = """区政府第20次常务会议议定事项通知
区政府办公室
2024年10月9日
各镇人民政府、街道办事处，区政府各部门：
2024年10月8日，区政府召开第20次常务会议，会议议定事项如下：
1、加快推进城区雨污分流改造二期工程，年底前完成管网铺设。（牵头单位：区住建局；配合单位：区财政局、区城管局）
2、做好秋冬季森林防灭火工作。（责任单位：区林业局、各镇街）
3、推进高标准农田建设（区农业农村局负责，11月底前完成验收）。
4、会议听取了区教育局关于教师队伍建设的汇报。
抄送：区委办公室，区人大常委会办公室。
区政府办公室 2024年10月9日印发
"""


def test_units_in_brackets():
    minutes = read_minutes(BRACKETS, calendar=CALENDAR)
    # The meeting date is the one in the opening sentence, not the date the notice was issued.
    assert minutes.meeting.date == date(2024, 10, 8)
    assert minutes.meeting.number == "第20次"
    assert minutes.meeting.header[-1] == "各镇人民政府、街道办事处，区政府各部门："
    items = minutes.items
    assert [(item.seq, item.lead_units, item.co_units) for item in items] == [
        ("1", ("区住建局",), ("区财政局", "区城管局")),
        ("2", ("区林业局", "各镇街"), ()),
        ("3", ("区农业农村局",), ()),
    ]
    # The annotation after the full stop belongs to the sentence before it.
    assert items[0].sentence.endswith("（牵头单位：区住建局；配合单位：区财政局、区城管局）")
    assert items[0].deadline.date == date(2024, 12, 31)
    assert items[2].deadline.date == date(2024, 11, 30)
    reasons = rejected_reasons(minutes)
    assert reasons["会议听取了区教育局关于教师队伍建设的汇报。"] == MEANINGS["记录"]
    # 抄送 and 印发 end the body.
    assert not any("抄送" in rejected.sentence for rejected in minutes.rejected)


# --------------------------------------------------------------------------- style 4: 专题会议, 会议明确, a person as 牵头

TOPICAL = """关于推进城东片区棚户区改造的专题会议纪要
第15期
2024年7月2日下午，副区长王海主持召开专题会议，研究城东片区棚户区改造有关问题。会议纪要如下：
会议指出，城东片区棚户区改造是今年民生实事之一。
会议明确，棚户区改造工作由常务副区长李强同志牵头，区住建局具体负责，区财政局、区自然资源局配合。
会议明确，城东街道负责入户调查和政策宣传，8月15日前完成入户调查。
请区司法局对征收补偿方案进行合法性审查，会后10个工作日内提出审查意见。
"""


def test_topical_meeting_with_a_leader_as_lead():
    minutes = read_minutes(TOPICAL, calendar=CALENDAR)
    meeting = minutes.meeting
    assert (meeting.kind, meeting.number, meeting.date) == ("topical", "第15期", date(2024, 7, 2))
    assert meeting.leaders == (Leader("王海", "副区长"),)
    items = minutes.items
    assert [(item.seq, item.lead_units, item.co_units, item.leaders) for item in items] == [
        ("二", ("区住建局",), ("区财政局", "区自然资源局"), (Leader("李强", "常务副区长"),)),
        ("三", ("城东街道",), (), ()),
        ("四", ("区司法局",), (), ()),
    ]
    # The leader is never a unit.
    assert all("李强" not in unit for item in items for unit in item.lead_units + item.co_units)
    assert items[1].deadline.date == date(2024, 8, 15)
    # 10 working days after Tuesday 2 July 2024.
    assert items[2].deadline.date == date(2024, 7, 16)
    assert rejected_reasons(minutes)["会议指出，城东片区棚户区改造是今年民生实事之一。"] == MEANINGS["评述"]


# --------------------------------------------------------------------------- style 5: deferred and listening-only

DEFERRED = """区人民政府第15次常务会议纪要
2024年9月10日，区长张明主持召开区政府第15次常务会议，现纪要如下：
一、会议传达学习了省、市有关会议精神。
二、会议审议了《区殡葬改革实施方案》。会议认为，方案涉及面广，需进一步征求意见，决定暂缓研究，另行提交会议审议。
三、会议听取了区卫健局关于区人民医院扩建项目的汇报。会议不同意追加项目概算。
四、会议听取了区农业农村局关于秋粮收购工作的汇报。
五、会议研究了校园周边交通安全问题。会议决定，由区公安分局负责，区教育局、区交通局配合，10月31日前完成校园周边交通设施改造。
"""


def test_deferred_and_listening_only_paragraphs_are_not_items():
    minutes = read_minutes(DEFERRED, calendar=CALENDAR)
    assert [(item.seq, item.lead_units, item.co_units) for item in minutes.items] == [
        ("五", ("区公安分局",), ("区教育局", "区交通局")),
    ]
    assert minutes.items[0].deadline.date == date(2024, 10, 31)
    reasons = rejected_reasons(minutes)
    assert reasons["会议认为，方案涉及面广，需进一步征求意见，决定暂缓研究，另行提交会议审议。"] == MEANINGS["暂缓"]
    assert reasons["会议不同意追加项目概算。"] == MEANINGS["暂缓"]
    assert reasons["会议传达学习了省、市有关会议精神。"] == MEANINGS["记录"]
    assert reasons["会议审议了《区殡葬改革实施方案》。"] == MEANINGS["记录"]
    assert reasons["会议听取了区农业农村局关于秋粮收购工作的汇报。"] == MEANINGS["记录"]
    assert minutes.meeting.leaders == (Leader("张明", "区长"),)


# --------------------------------------------------------------------------- style 6: a leader's 批示

DIRECTIVE = """领导批示件
〔2024〕第36号
来文单位：区信访局
标题：关于城北小区业主反映供暖问题的信访件
区长张明同志10月8日批示：
请区住建局牵头，会同区发改局、城北街道调查核实，妥善处理，10月15日前将处理情况报区政府。请区城管局做好供热企业监管。
"""


def test_directive_becomes_a_source_with_its_items():
    minutes = read_minutes(DIRECTIVE, calendar=CALENDAR)
    meeting = minutes.meeting
    assert (meeting.kind, meeting.kind_label) == ("directive", "领导批示")
    assert meeting.title == "关于城北小区业主反映供暖问题的信访件"
    assert meeting.number == "〔2024〕第36号"
    assert meeting.leaders == (Leader("张明", "区长"),)
    # The date has no year: the year of the document number, flagged.
    assert (meeting.date, meeting.date_text) == (date(2024, 10, 8), "10月8日")
    assert kinds(minutes.flags) == ["日期存疑:10月8日"]
    items = minutes.items
    assert [(item.seq, item.lead_units, item.co_units, item.leaders) for item in items] == [
        ("一", ("区住建局",), ("区发改局", "城北街道"), (Leader("张明", "区长"),)),
        ("一(2)", ("区城管局",), (), (Leader("张明", "区长"),)),
    ]
    assert items[0].deadline.date == date(2024, 10, 15)


def test_directive_agreeing_with_another_leader_is_not_an_item():
    text = DIRECTIVE + "副区长陈刚同志10月9日批示：同意张明同志意见。请区应急局配合做好安全隐患排查。\n"
    minutes = read_minutes(text, calendar=CALENDAR)
    assert minutes.meeting.leaders == (Leader("张明", "区长"), Leader("陈刚", "副区长"))
    assert [item.lead_units for item in minutes.items] == [("区住建局",), ("区城管局",), ("区应急局",)]
    assert rejected_reasons(minutes)["同意张明同志意见。"] == MEANINGS["评述"]


# --------------------------------------------------------------------------- more shapes


def test_lead_in_paragraph_makes_numbered_requirements_items():
    text = """区政府党组会议纪要
（2024年第7次）
2024年8月20日，区政府党组书记、区长张明主持召开区政府党组会议。
会议要求：
（一）区政府办公室要牵头制定落实方案，9月10日前报党组审定。
（二）各党组成员要结合分管工作，深入基层开展调研。
会议还讨论了其他事项。
"""
    minutes = read_minutes(text, calendar=CALENDAR)
    assert minutes.meeting.kind == "party_group"
    assert [(item.seq, item.lead_units) for item in minutes.items] == [("(一)", ("区政府办公室",)), ("(二)", ())]
    assert kinds(minutes.items[1].flags) == ["待补:责任单位", "待补:完成时限"]
    assert minutes.items[0].deadline.date == date(2024, 9, 10)
    assert rejected_reasons(minutes)["会议还讨论了其他事项。"] == MEANINGS["记录"]


def test_decision_section_covers_the_paragraphs_under_its_headings():
    text = """区政府第30次常务会议纪要
2024年11月5日，区长张明主持召开区政府第30次常务会议。会议议定事项如下：
一、关于冬季供暖
（一）区住建局要在11月15日前完成供热管网检修。
（二）加强对供热企业的监督检查。
二、关于冬季安全
（一）做好冬季道路除雪保畅。
"""
    minutes = read_minutes(text, calendar=CALENDAR)
    assert [(item.seq, item.lead_units) for item in minutes.items] == [
        ("一(一)", ("区住建局",)), ("一(二)", ()), ("二(一)", ())
    ]
    assert minutes.items[0].deadline.date == date(2024, 11, 15)
    assert rejected_reasons(minutes)["一、关于冬季供暖"] == MEANINGS["议题"]


def test_labelled_fields_after_the_sentence_belong_to_it():
    text = """区政府第6次常务会议议定事项
2024年3月5日，区政府召开第6次常务会议，议定事项如下：
一、加快推进城区排水防涝设施建设。责任单位：区水利局；配合单位：区住建局；责任领导：副区长王海；完成时限：2024年5月底前。
二、做好春季森林防火工作。（责任领导：陈刚；责任单位：各镇街；完成时限：4月30日前）
"""
    items = read_minutes(text, calendar=CALENDAR).items
    assert [(item.seq, item.lead_units, item.co_units, item.leaders, item.deadline.date) for item in items] == [
        ("一", ("区水利局",), ("区住建局",), (Leader("王海", "副区长"),), date(2024, 5, 31)),
        ("二", ("各镇街",), (), (Leader("陈刚"),), date(2024, 4, 30)),
    ]
    assert items[0].sentence.endswith("完成时限：2024年5月底前。")
    assert items[0].flags == ()


def test_unit_taken_from_the_reporting_unit_is_flagged():
    text = "区长办公会议纪要\n会议时间：2024年4月25日上午\n（三）会议听取了区公安分局关于假期安保方案的汇报，原则同意该方案。\n"
    item = read_minutes(text, calendar=CALENDAR).items[0]
    assert item.lead_units == ("区公安分局",)
    assert "单位存疑:区公安分局" in kinds(item.flags)


def test_enumeration_with_yi_yao_and_a_lead_in_before_it():
    text = """关于乡村振兴重点工作推进的专题会议纪要
2024年3月12日，副区长赵敏主持召开乡村振兴重点工作推进会。
会议强调，一要抓好春耕生产，区农业农村局要加强农资市场监管，4月10日前完成物资储备；二要推进人居环境整治，各镇街要开展村庄清洁行动；三要壮大村集体经济，区农经站要指导各村制定增收方案，6月底前完成。
"""
    items = read_minutes(text, calendar=CALENDAR).items
    assert [(item.seq, item.lead_units) for item in items] == [
        ("一", ("区农业农村局",)), ("一(2)", ("各镇街",)), ("一(3)", ("区农经站",))
    ]
    assert items[0].lead_in == "会议强调，"
    assert [item.deadline.date if item.deadline else None for item in items] == [
        date(2024, 4, 10), None, date(2024, 6, 30)
    ]


def test_missing_date_is_flagged_and_nothing_is_computed():
    text = "区政府专题会议纪要\n会议要求，请区住建局在会后5个工作日内报送方案。\n"
    minutes = read_minutes(text, calendar=CALENDAR)
    assert minutes.meeting.date is None
    assert "待补:会议日期" in kinds(minutes.flags)
    item = minutes.items[0]
    assert item.lead_units == ("区住建局",) and item.deadline is None
    assert [flag.kind for flag in item.flags] == ["时限存疑"]


def test_without_the_prose_deadline_finder_the_phrases_are_parsed_here(monkeypatch):
    from etl import deadlines

    monkeypatch.delattr(deadlines, "deadline_in_text", raising=False)
    items = read_minutes(ENUMERATED, calendar=CALENDAR).items
    assert [item.deadline.date if item.deadline else None for item in items] == [
        date(2024, 5, 6), date(2024, 5, 31), None, date(2024, 4, 29), None
    ]
    assert items[0].deadline_text == "会后5个工作日内"
    assert kinds(items[4].flags) == ["时限存疑:开学后两周内"]


def test_options_override_the_document():
    minutes = read_minutes(DEFERRED, kind="topical", title="另定标题", number="第99次", meeting_date=date(2024, 9, 11))
    meeting = minutes.meeting
    assert (meeting.kind, meeting.kind_label, meeting.title, meeting.number, meeting.date) == (
        "topical", "专题会议", "另定标题", "第99次", date(2024, 9, 11)
    )


def test_kind_not_recognised_is_flagged():
    minutes = read_minutes("情况说明\n请区住建局做好准备。\n", calendar=CALENDAR)
    assert minutes.meeting.kind is None
    assert "待补:来源类型" in kinds(minutes.flags)


def test_sequence_numbers_stay_the_same_in_revised_minutes():
    revised = PER_TOPIC.replace("会议要求，区住建局要加快施工进度", "会议要求，区住建局要倒排工期、加快施工进度").replace(
        "会议学习了《中华人民共和国安全生产法》有关条款。",
        "会议学习了《中华人民共和国安全生产法》有关条款。会议观看了警示教育片。",
    )
    first = read_minutes(PER_TOPIC, calendar=CALENDAR).items
    second = read_minutes(revised, calendar=CALENDAR).items
    assert [item.seq for item in first] == [item.seq for item in second]
    assert [item.lead_units for item in first] == [item.lead_units for item in second]
    assert second[1].sentence != first[1].sentence


def test_items_and_rejections_share_the_reading_order():
    minutes = read_minutes(PER_TOPIC, calendar=CALENDAR)
    merged = sorted([*minutes.items, *minutes.rejected], key=lambda entry: entry.order)
    assert [entry.sentence for entry in merged][:5] == [
        "二〇二四年六月十八日，区长张明主持召开区政府第12次常务会议。",
        "现将会议议定事项纪要如下：",
        "会议听取了区住建局关于老旧小区改造工作进展情况的汇报。",
        "会议同意区住建局提出的2024年老旧小区改造计划。",
        "会议要求，区住建局要加快施工进度，确保9月底前完成年度改造任务",
    ]
    assert len({entry.order for entry in merged}) == len(merged)


def test_json_form_for_the_preview():
    import json

    data = as_dict(read_minutes(ENUMERATED, calendar=CALENDAR))
    text = json.dumps(data, ensure_ascii=False)
    assert data["meeting"]["date"] == "2024-04-25"
    assert data["items"][0]["deadline"]["date"] == "2024-05-06"
    assert data["items"][2]["flags"][0] == {"kind": "待补", "text": "责任单位", "reason": "原文未写明责任单位，待补"}
    assert "开学后两周内" in text


def test_reading_is_deterministic():
    assert read_minutes(PER_TOPIC, calendar=CALENDAR) == read_minutes(PER_TOPIC, calendar=CALENDAR)


# --------------------------------------------------------------------------- files


def test_gbk_text_file():
    data = TOPICAL.encode("gbk")
    minutes = read_minutes_file(data, "纪要.txt", calendar=CALENDAR)
    assert minutes.meeting.number == "第15期"
    assert [item.lead_units for item in minutes.items] == [("区住建局",), ("城东街道",), ("区司法局",)]


def test_utf8_text_file_with_bom():
    minutes = read_minutes_file(DEFERRED.encode("utf-8-sig"), "纪要.txt", calendar=CALENDAR)
    assert [item.seq for item in minutes.items] == ["五"]


def test_docx_minutes_with_word_numbering():
    document = docx.Document()
    document.add_paragraph("区政府第5次常务会议纪要")
    document.add_paragraph("2024年3月4日，区长张明主持召开区政府第5次常务会议。会议议定以下事项：")
    # Numbers Word draws itself (List Number): the text carries no "1."
    document.add_paragraph("区住建局牵头，区财政局配合，6月底前完成老旧小区改造计划。", style="List Number")
    document.add_paragraph("会议听取了区统计局关于经济运行情况的汇报。", style="List Number")
    document.add_paragraph("请区人社局于3月底前出台稳就业措施。", style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)
    minutes = read_minutes_file(buffer.getvalue(), "纪要.docx", calendar=CALENDAR)
    assert minutes.meeting.date == date(2024, 3, 4)
    assert [(item.seq, item.lead_units, item.deadline.date) for item in minutes.items] == [
        ("1", ("区住建局",), date(2024, 6, 30)),
        ("3", ("区人社局",), date(2024, 3, 31)),
    ]
    assert rejected_reasons(minutes)["会议听取了区统计局关于经济运行情况的汇报。"] == MEANINGS["记录"]


# --------------------------------------------------------------------------- the rules table


def test_rules_table_is_one_readable_place():
    assert len(CUES) >= 25
    assert {cue.meaning for cue in CUES} <= set(MEANINGS)
    assert {"暂缓", "记录", "决定", "交办", "列举", "引出"} <= {cue.meaning for cue in CUES}


@pytest.mark.parametrize(
    ("sentence", "meaning"),
    [
        ("会议原则同意该方案", "决定"),
        ("会议议定：", "引出"),
        ("会议听取了区教育局的汇报", "记录"),
        ("决定暂缓研究", "暂缓"),
        ("另行提交会议审议", "暂缓"),
        ("请区住建局做好准备", "交办"),
        ("一是加快进度", "列举"),
    ],
)
def test_cue_meanings(sentence, meaning):
    assert meaning in {cue.meaning for cue in cues_in(sentence)}


def test_an_unnumbered_paragraph_after_a_numbered_one_never_repeats_its_number():
    text = """区政府第20次常务会议议定事项通知
2024年10月8日，区政府召开第20次常务会议，会议议定事项如下：
1、做好冬季供暖准备工作，11月15日前确保正常供暖。（牵头单位：区住建局）
2、启动经济普查入户登记，11月底前完成清查。（责任单位：区统计局）
请各单位按照职责分工抓好落实，每月5日前将进展情况报区政府督查室。
"""
    items = read_minutes(text, calendar=CALENDAR).items
    assert [item.seq for item in items] == ["1", "2", "2-2"]
    assert items[2].sentence.startswith("请各单位按照职责分工抓好落实")


def test_a_directive_dated_without_a_year_asks_for_the_date():
    text = """市政府领导批示单
编号：2025-017
来文单位：市信访局
市长孙立同志3月5日批示：
请市住建局牵头，3月20日前将办理结果报市政府。
"""
    minutes = read_minutes(text, calendar=CALENDAR)
    # 2025-017 may or may not be a year: not guessed.
    assert minutes.meeting.date is None
    assert kinds(minutes.flags) == ["待补:3月5日"]
    assert "指定来源日期" in minutes.flags[0].reason
    assert minutes.items[0].deadline is None
