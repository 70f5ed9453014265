"""Who acts, read from government prose: lead units, co-units, leaders, and the refusals."""

from __future__ import annotations

import pytest

from etl.prose import Actors, Leader, read_actors, read_unit_cell, split_person

L = Leader

# (sentence, lead units, co-units, leaders)
SENTENCES: list[tuple[str, tuple[str, ...], tuple[str, ...], tuple[Leader, ...]]] = [
    # 由X负责 / 由X牵头
    ("由区水利局负责河道清淤疏浚。", ("区水利局",), (), ()),
    ("河道清淤工作由区水利局负责，汛前完成。", ("区水利局",), (), ()),
    ("由区发改局牵头，区财政局、区统计局配合，编制年度投资计划。", ("区发改局",), ("区财政局", "区统计局"), ()),
    ("交由区城管局统一组织实施。", ("区城管局",), (), ()),
    ("明确由区住建局作为牵头单位。", ("区住建局",), (), ()),
    ("由区委办、区政府办负责会务保障。", ("区委办", "区政府办"), (), ()),
    ("由县城投公司负责实施，县住建局加强监管。", ("县城投公司",), ("县住建局",), ()),
    ("由区住建局牵头负责，区财政局等部门配合。", ("区住建局",), ("区财政局",), ()),
    # 会议同意X提出的…
    ("会议同意区教育局、卫健局提出的《关于加强校园卫生工作的方案》。", ("区教育局", "区卫健局"), (), ()),
    ("会议原则同意区人社局提出的人才公寓分配办法。", ("区人社局",), (), ()),
    ("会议同意区住建局关于农村危房改造的实施意见。", ("区住建局",), (), ()),
    ("会议同意《区教育局关于学位扩容的请示》。", (), (), ()),
    # X牵头，Y配合
    ("区住建局牵头，区财政局配合，6月底前完成改造。", ("区住建局",), ("区财政局",), ()),
    ("区住建局牵头、区财政局配合。", ("区住建局",), ("区财政局",), ()),
    ("区应急局牵头，区消防救援大队配合，春节前完成专项检查。", ("区应急局",), ("区消防救援大队",), ()),
    ("市住建局牵头制定老旧小区停车改造方案，各区政府配合。", ("市住建局",), ("各区政府",), ()),
    ("区商务局牵头，区市场监管局、区城管局积极配合。", ("区商务局",), ("区市场监管局", "区城管局"), ()),
    ("区文旅局负责牵头，各镇街协助。", ("区文旅局",), ("各镇街",), ()),
    # 请X…
    ("请区民政局于6月底前出台实施细则。", ("区民政局",), (), ()),
    ("请区民政局会同区财政局抓紧制定实施细则。", ("区民政局",), ("区财政局",), ()),
    ("请区住建局牵头，会同区自然资源局、区城管局研究解决。", ("区住建局",), ("区自然资源局", "区城管局"), ()),
    ("请区委宣传部、区融媒体中心做好宣传报道。", ("区委宣传部", "区融媒体中心"), (), ()),
    ("请区应急局配合做好企业安全隐患排查。", ("区应急局",), (), ()),
    ("请各镇街于每月5日前报送进展情况。", ("各镇街",), (), ()),
    ("请区司法局对征收补偿方案进行合法性审查。", ("区司法局",), (), ()),
    ("请示区政府同意后实施。", (), (), ()),
    # 责成 / 要求 / 明确
    ("责成区市场监管局立即开展专项检查。", ("区市场监管局",), (), ()),
    ("会议要求区住建局加快施工进度。", ("区住建局",), (), ()),
    ("会议要求，各镇街和区直有关部门要高度重视。", ("各镇街", "区直有关部门"), (), ()),
    ("会议明确，区乡村振兴局作为牵头单位，负责统筹协调。", ("区乡村振兴局",), (), ()),
    ("会议明确，城东街道负责入户调查和政策宣传。", ("城东街道",), (), ()),
    # X要… / X负责…
    ("区应急局要加强汛期安全检查。", ("区应急局",), (), ()),
    ("区人社局负责做好就业帮扶。", ("区人社局",), (), ()),
    ("区财政局要做好资金保障。", ("区财政局",), (), ()),
    ("各被审计单位要在10月底前完成整改。", ("各被审计单位",), (), ()),
    ("区应急局要会同区水利局做好抢险物资储备。", ("区应急局",), ("区水利局",), ()),
    ("区发改委要会同区财政局、区统计局研究资金筹措方案。", ("区发改委",), ("区财政局", "区统计局"), ()),
    ("区公安分局交警大队要做好施工期间交通疏导。", ("区公安分局交警大队",), (), ()),
    ("区人力资源和社会保障局要抓紧出台就业补贴办法。", ("区人力资源和社会保障局",), (), ()),
    ("区发展和改革委员会负责项目申报。", ("区发展和改革委员会",), (), ()),
    ("国网区供电公司要做好迎峰度夏电力保障。", ("国网区供电公司",), (), ()),
    ("请区委宣传部、区委督查室跟踪报道和督办。", ("区委宣传部", "区委督查室"), (), ()),
    ("区医疗保障局、区退役军人事务局要做好政策宣传。", ("区医疗保障局", "区退役军人事务局"), (), ()),
    ("区城市管理和综合执法局负责占道经营整治。", ("区城市管理和综合执法局",), (), ()),
    ("城北街道办事处负责居民动员。", ("城北街道办事处",), (), ()),
    ("各县（市、区）要组织企业参加重点展会。", ("各县(市、区)",), (), ()),
    # units in brackets
    ("加快推进老旧小区改造（区发改局牵头）。", ("区发改局",), (), ()),
    ("推进农村人居环境整治(各镇街分别负责,年内完成)。", ("各镇街",), (), ()),
    ("加快小型水库除险加固（县水利局牵头，县财政局配合，2024年3月底前完工）。", ("县水利局",), ("县财政局",), ()),
    ("做好农村饮水安全保障（各乡镇分别负责）。", ("各乡镇",), (), ()),
    ("开展农贸市场提升改造。（牵头单位：区商务局；配合单位：区市场监管局）", ("区商务局",), ("区市场监管局",), ()),
    ("做好森林防灭火工作。（责任单位：区林业局、各镇街）", ("区林业局", "各镇街"), (), ()),
    ("会议要求，区财政局于7月底前落实补偿资金（区住建局配合）。", ("区财政局",), ("区住建局",), ()),
    # X会同Y: X leads, Y and the names after it are co-units (要求X会同Y…, 由X会同Y负责, X会同Y、Z)
    ("要求区住建局会同区财政局抓紧制定老旧小区改造资金筹措方案。", ("区住建局",), ("区财政局",), ()),
    ("会议要求区发改局会同区工信局、区商务局研究制定支持民营经济发展的具体措施。", ("区发改局",),
     ("区工信局", "区商务局"), ()),
    ("会议要求，区教育局会同区财政局在8月底前完成学位扩容方案。", ("区教育局",), ("区财政局",), ()),
    ("由区水利局会同区农业农村局负责高标准农田灌溉设施建设。", ("区水利局",), ("区农业农村局",), ()),
    ("由区交通运输局会同区住建局、区城管局共同负责。", ("区交通运输局",), ("区住建局", "区城管局"), ()),
    ("会议明确由区住建局会同区城管局、区交警大队负责城区停车秩序整治。", ("区住建局",),
     ("区城管局", "区交警大队"), ()),
    ("区住建局会同区财政局、区自然资源局、区生态环境分局。", ("区住建局",),
     ("区财政局", "区自然资源局", "区生态环境分局"), ()),
    ("区卫健委会同区教育局和各街道办事处做好适龄儿童疫苗接种。", ("区卫健委",), ("区教育局", "各街道办事处"), ()),
    ("区住建局、区城管局会同区财政局制定背街小巷改造方案。", ("区住建局", "区城管局"), ("区财政局",), ()),
    ("区委组织部会同区人社局制定高层次人才引进办法。", ("区委组织部",), ("区人社局",), ()),
    ("要求市委组织部会同市人社局、市财政局研究年轻干部培养计划。", ("市委组织部",), ("市人社局", "市财政局"), ()),
    ("要求市住建局会同财政局、城管局研究停车收费调整。", ("市住建局",), ("市财政局", "市城管局"), ()),
    ("推进城区雨污分流改造（区住建局会同区财政局负责）。", ("区住建局",), ("区财政局",), ()),
    ("推进农村公路提档升级（县交通局会同财政局负责，年底前完成）。", ("县交通局",), ("县财政局",), ()),
    ("做好汛期地质灾害防治。（责任单位：区自然资源局会同区应急局、各镇街）", ("区自然资源局",),
     ("区应急局", "各镇街"), ()),
    ("推进城区排水防涝改造（牵头单位：区住建局会同区水利局；配合单位：各街道）。", ("区住建局",),
     ("区水利局", "各街道"), ()),
    # prefixes carried
    ("市交通局、城管局、水务局要联合开展整治。", ("市交通局", "市城管局", "市水务局"), (), ()),
    ("请区委办、政府办做好会务保障。", ("区委办", "区政府办"), (), ()),
    ("县人社局牵头，住建局、交通局配合。", ("县人社局",), ("住建局", "交通局"), ()),
    ("区教育局、卫健局、各镇街要做好开学准备。", ("区教育局", "区卫健局", "各镇街"), (), ()),
    # persons: leaders, never units
    ("此项工作由王建同志牵头。", (), (), (L("王建"),)),
    ("由副区长王海负责，区住建局具体实施。", ("区住建局",), (), (L("王海", "副区长"),)),
    ("由常务副区长李强同志牵头，区发改局、区财政局配合。", (), ("区发改局", "区财政局"), (L("李强", "常务副区长"),)),
    ("请张伟、李娜同志牵头推进。", (), (), (L("张伟"), L("李娜"))),
    ("此项工作由李强负责。", (), (), (L("李强"),)),
    ("棚户区改造由常务副区长李强同志牵头，区住建局具体负责。", ("区住建局",), (), (L("李强", "常务副区长"),)),
    ("城市更新项目由副区长刘芳同志牵头，区住建局具体负责，区自然资源局配合。", ("区住建局",), ("区自然资源局",),
     (L("刘芳", "副区长"),)),
    ("副区长王海负责协调解决。", (), (), (L("王海", "副区长"),)),
    # sentences that name nobody who acts
    ("会议听取了区教育局关于学校建设的汇报。", (), (), ()),
    ("会议学习了《中华人民共和国安全生产法》。", (), (), ()),
    ("会议指出，城东片区改造是今年的民生实事之一。", (), (), ()),
    ("加快推进项目建设，确保年底前投入使用。", (), (), ()),
    ("会议审议了《区教育局关于学位保障的工作方案》。", (), (), ()),
    ("全区社会大局保持稳定。", (), (), ()),
]


@pytest.mark.parametrize(("sentence", "lead", "co", "leaders"), SENTENCES)
def test_read_actors(sentence, lead, co, leaders):
    actors = read_actors(sentence)
    assert (actors.lead_units, actors.co_units, actors.leaders) == (lead, co, leaders)


def test_the_set_is_large_and_varied():
    assert len(SENTENCES) >= 60
    assert sum(1 for _, lead, co, leaders in SENTENCES if not (lead or co or leaders)) >= 6


def test_a_person_named_as_lead_is_never_a_unit():
    for sentence in ("此项工作由王建同志牵头。", "由副区长王海负责。", "由常务副区长李强同志牵头。"):
        actors = read_actors(sentence)
        assert actors.lead_units == () and actors.co_units == ()
        assert actors.leaders


def test_title_only_leader_is_kept_and_flagged():
    actors = read_actors("此项工作由分管副区长牵头。")
    assert actors.leaders == (Leader("", "分管副区长"),)
    assert [flag.kind for flag in actors.flags] == ["领导未具名"]


def test_fragment_after_an_anchor_is_flagged_not_a_unit():
    actors = read_actors("由其牵头办理。")
    assert actors.empty
    assert [(flag.kind, flag.text) for flag in actors.flags] == [("非单位名称", "其")]


def test_open_list_is_flagged():
    actors = read_actors("请区住建局牵头，会同区自然资源局、区城管局等部门研究解决。")
    assert actors.co_units == ("区自然资源局", "区城管局")
    assert [flag.kind for flag in actors.flags] == ["单位未列全"]


@pytest.mark.parametrize(("cell", "lead", "co"), [
    ("区住建局会同区财政局", ("区住建局",), ("区财政局",)),
    ("区住建局会同区财政局、区审计局", ("区住建局",), ("区财政局", "区审计局")),
    ("市住建局会同财政局、城管局", ("市住建局",), ("市财政局", "市城管局")),
    ("区委组织部会同区人社局", ("区委组织部",), ("区人社局",)),
])
def test_a_unit_cell_with_a_co_unit_is_read_not_refused(cell, lead, co):
    """A 责任单位 cell written "X会同Y" names who leads and who helps; it is not one odd name."""
    actors = read_unit_cell(cell)
    assert (actors.lead_units, actors.co_units, actors.flags) == (lead, co, ())


def test_an_open_co_unit_list_after_together_is_flagged():
    actors = read_actors("要求区市场监管局会同区公安分局、区商务局等部门开展食品安全专项整治。")
    assert (actors.lead_units, actors.co_units) == (("区市场监管局",), ("区公安分局", "区商务局"))
    assert [flag.kind for flag in actors.flags] == ["单位未列全"]


def test_titles_in_book_marks_are_not_read():
    assert read_actors("会议同意《区住建局关于老旧小区改造的请示》。").empty


def test_empty_and_non_text():
    assert read_actors("") == Actors()
    assert read_actors(None) == Actors()  # type: ignore[arg-type]


# --------------------------------------------------------------------------- unit cells


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("此项工作由李强", "非单位名称"),
        ("并统筹推进", "非单位名称"),
        ("<img", "非单位名称"),
        ("=1+2", "非单位名称"),
        ("研究制定方案", "非单位名称"),
    ],
)
def test_cell_fragments_are_flags_never_units(cell, kind):
    actors = read_unit_cell(cell)
    assert actors.lead_units == () and actors.co_units == ()
    assert [(flag.kind, flag.text) for flag in actors.flags] == [(kind, cell)]
    assert "不是单位名称" in actors.flags[0].reason


def test_cell_person_becomes_a_leader_with_a_flag():
    actors = read_unit_cell("王建同志")
    assert actors.lead_units == ()
    assert actors.leaders == (Leader("王建"),)
    assert [(flag.kind, flag.text) for flag in actors.flags] == [("人名", "王建同志")]


def test_cell_title_is_split_from_the_name():
    assert read_unit_cell("副区长王海").leaders == (Leader("王海", "副区长"),)


def test_cell_keeps_several_leaders():
    assert read_unit_cell("张伟、李娜").leaders == (Leader("张伟"), Leader("李娜"))


def test_cell_units_with_prefix_carried():
    assert read_unit_cell("市交通局、城管局、水务局").lead_units == ("市交通局", "市城管局", "市水务局")
    assert read_unit_cell("区住建局（牵头）、区财政局").lead_units == ("区住建局", "区财政局")


def test_cell_mixing_units_and_a_fragment():
    actors = read_unit_cell("区住建局、并统筹推进")
    assert actors.lead_units == ("区住建局",)
    assert [flag.text for flag in actors.flags] == ["并统筹推进"]


def test_cell_with_prose():
    actors = read_unit_cell("区住建局牵头，区财政局配合")
    assert (actors.lead_units, actors.co_units) == (("区住建局",), ("区财政局",))


@pytest.mark.parametrize(
    ("text", "leader"),
    [
        ("区委副书记、区长张明同志", Leader("张明", "区委副书记、区长")),
        ("主任陈刚", Leader("陈刚", "主任")),
        ("区长张建国", Leader("张建国", "区长")),
        ("常务副区长李强", Leader("李强", "常务副区长")),
        ("王建同志", Leader("王建")),
        ("区住建局", None),
    ],
)
def test_split_person(text, leader):
    assert split_person(text) == leader
