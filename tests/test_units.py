"""Unit cells, annotations, roles and alias resolution as real task lists write them."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.units import (
    DEFAULT_CATALOG_FILE,
    Annotated,
    Catalog,
    CatalogError,
    Roles,
    UnitList,
    UnitResolver,
    assign_roles,
    extract_annotated_units,
    infer_unit_kind,
    is_collective,
    normalize_unit_name,
    split_units,
)

# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("区发改局", "区发改局"),
        ("  区发改局 \n", "区发改局"),
        ("区委办（区政府办）", "区委办(区政府办)"),
        ("各乡镇【街道】", "各乡镇(街道)"),
        ("“区财政局”", "区财政局"),
        ("'区财政局'", "区财政局"),
        ("（区财政局）", "区财政局"),
        ("区财政局)", "区财政局"),
        ("区 发改局", "区发改局"),
        ("１．区审计局", "区审计局"),
        ("①区审计局", "区审计局"),
        ("区审计局。", "区审计局"),
        ("ＡＢＣ公司", "ABC公司"),
    ],
)
def test_normalize_unit_name(written: str, expected: str) -> None:
    assert normalize_unit_name(written) == expected


# --------------------------------------------------------------------------- cells


@pytest.mark.parametrize(
    ("cell", "names", "open_ended"),
    [
        # separators
        ("区发改局、区财政局", ("区发改局", "区财政局"), False),
        ("区发改局，区财政局", ("区发改局", "区财政局"), False),
        ("区发改局,区财政局", ("区发改局", "区财政局"), False),
        ("区发改局；区财政局", ("区发改局", "区财政局"), False),
        ("区发改局;区财政局", ("区发改局", "区财政局"), False),
        ("区发改局 区财政局", ("区发改局", "区财政局"), False),
        ("区发改局\u3000区财政局", ("区发改局", "区财政局"), False),
        ("区发改局\n区财政局\r\n区审计局", ("区发改局", "区财政局", "区审计局"), False),
        ("区委办/区政府办", ("区委办", "区政府办"), False),
        ("区委办／区政府办", ("区委办", "区政府办"), False),
        ("区发改局、,区财政局；", ("区发改局", "区财政局"), False),
        ("、区发改局、、 区财政局、", ("区发改局", "区财政局"), False),
        ("①区发改局②区财政局", ("区发改局", "区财政局"), False),
        ("1.区发改局 2.区财政局", ("区发改局", "区财政局"), False),
        # mixed full and half width
        ("区发改局，区财政局;区审计局、区统计局", ("区发改局", "区财政局", "区审计局", "区统计局"), False),
        ("“区发改局”， '区财政局' ", ("区发改局", "区财政局"), False),
        # trailing 等
        ("区发改局、区财政局等", ("区发改局", "区财政局"), True),
        ("区发改局、区财政局等单位", ("区发改局", "区财政局"), True),
        ("区发改局等部门", ("区发改局",), True),
        ("区发改局、区财政局等5个部门", ("区发改局", "区财政局"), True),
        ("区发改局、区财政局等相关单位", ("区发改局", "区财政局"), True),
        ("区发改局 等", ("区发改局",), True),
        ("区发改局、等", ("区发改局",), True),
        # collectives, with brackets the splitter must not break
        ("各乡镇(街道)", ("各乡镇(街道)",), False),
        ("各乡镇（街道）", ("各乡镇(街道)",), False),
        ("各乡镇 （街道）、区直各部门", ("各乡镇(街道)", "区直各部门"), False),
        ("各镇街，各街道，各乡镇", ("各镇街", "各街道", "各乡镇"), False),
        ("各相关单位、各有关单位、各成员单位、各部门", ("各相关单位", "各有关单位", "各成员单位", "各部门"), False),
        ("区发改局、各乡镇（街道）等", ("区发改局", "各乡镇(街道)"), True),
        # names with a parenthetical
        ("区委办(区政府办)、区财政局", ("区委办(区政府办)", "区财政局"), False),
        ("区委办 （区政府办）", ("区委办(区政府办)",), False),
        # 和 / 及 only between two complete unit names
        ("区住房和城乡建设局", ("区住房和城乡建设局",), False),
        ("区发展和改革局、区人力资源和社会保障局", ("区发展和改革局", "区人力资源和社会保障局"), False),
        ("区委办和区政府办", ("区委办", "区政府办"), False),
        ("区住房和城乡建设局及各乡镇(街道)", ("区住房和城乡建设局", "各乡镇(街道)"), False),
        ("区财政局以及区审计局", ("区财政局", "区审计局"), False),
        ("各乡镇和街道", ("各乡镇和街道",), False),
        ("区发改局及其下属单位", ("区发改局及其下属单位",), False),
        # labels and role marks inside a cell
        ("牵头单位：区发改局", ("区发改局",), False),
        ("区发改局（牵头）、区财政局（配合）", ("区发改局", "区财政局"), False),
        ("区财政局、区发改局牵头", ("区财政局", "区发改局"), False),
        # duplicates and placeholders
        ("区发改局、区发改局、区财政局", ("区发改局", "区财政局"), False),
        ("区发改局、区发改局（牵头）", ("区发改局",), False),
        ("无", (), False),
        ("/", (), False),
        ("—", (), False),
        ("", (), False),
        ("   ", (), False),
        (None, (), False),
        (math.nan, (), False),
    ],
)
def test_split_units(cell: object, names: tuple[str, ...], open_ended: bool) -> None:
    result = split_units(cell)
    assert result.names == names
    assert result.open_ended is open_ended


@pytest.mark.parametrize(
    ("cell", "marked"),
    [
        ("区发改局（牵头）、区财政局", ("区发改局",)),
        ("区财政局、区发改局(牵头单位)", ("区发改局",)),
        ("区财政局、区发改局牵头", ("区发改局",)),
        ("区发改局、区财政局", ()),
        ("区发改局（配合）", ()),
    ],
)
def test_split_units_remembers_lead_marks(cell: str, marked: tuple[str, ...]) -> None:
    assert split_units(cell).marked_leads == marked


def test_split_units_plain_list_equals_bare_unit_list() -> None:
    assert split_units("区发改局、区财政局等") == UnitList(("区发改局", "区财政局"), True)


# --------------------------------------------------------------------------- kinds


@pytest.mark.parametrize(
    ("name", "collective"),
    [
        ("各乡镇(街道)", True),
        ("各乡镇（街道）", True),
        ("各镇街", True),
        ("各街道", True),
        ("各乡镇", True),
        ("区直各部门", True),
        ("各相关单位", True),
        ("各有关单位", True),
        ("各成员单位", True),
        ("各部门", True),
        ("区属各单位", True),
        ("相关部门", True),
        ("区安委会各成员单位", True),
        ("区发改局", False),
        ("区住房和城乡建设局", False),
        ("七星街道", False),
    ],
)
def test_is_collective(name: str, collective: bool) -> None:
    assert is_collective(name) is collective


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("区发展和改革局", "部门"),
        ("区卫健委", "部门"),
        ("区政府办", "部门"),
        ("区融媒体中心", "部门"),
        ("区人民法院", "部门"),
        ("区消防救援大队", "部门"),
        ("区残联", "部门"),
        ("区总工会", "部门"),
        ("区委办(区政府办)", "部门"),
        ("区乡村振兴局", "部门"),
        ("双泉镇", "镇街"),
        ("宁远乡", "镇街"),
        ("东山街道", "镇街"),
        ("东山街道办事处", "镇街"),
        ("双泉镇人民政府", "镇街"),
        ("国网某某供电公司", "企业"),
        ("区城投集团", "企业"),
        ("某某建设有限责任公司", "企业"),
        ("各乡镇(街道)", "集体"),
        ("区直各部门", "集体"),
        ("创城工作专班", "其他"),
        ("", "其他"),
    ],
)
def test_infer_unit_kind(name: str, kind: str) -> None:
    assert infer_unit_kind(name) == kind


# --------------------------------------------------------------------------- annotations


def units(*names: str, open_ended: bool = False) -> UnitList:
    return UnitList(tuple(names), open_ended)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "推进老旧小区改造（牵头单位：区住建局；配合单位：区财政局、各街道）",
            Annotated("推进老旧小区改造", units("区住建局"), units("区财政局", "各街道"), None),
        ),
        (
            "[责任单位：区发改局、区财政局]加快重点项目建设",
            Annotated("加快重点项目建设", None, None, units("区发改局", "区财政局")),
        ),
        (
            "［责任单位：区发改局］加快重点项目建设",
            Annotated("加快重点项目建设", None, None, units("区发改局")),
        ),
        (
            "【责任单位：区教育局】新建学校2所。",
            Annotated("新建学校2所。", None, None, units("区教育局")),
        ),
        (
            "新建学校2所（责任单位：区教育局、区住建局）。",
            Annotated("新建学校2所。", None, None, units("区教育局", "区住建局")),
        ),
        (
            "完成河道治理(牵头单位:区水利局,配合单位:区财政局,区自然资源局)",
            Annotated("完成河道治理", units("区水利局"), units("区财政局", "区自然资源局"), None),
        ),
        (
            "完成河道治理〔牵头单位：区水利局〕",
            Annotated("完成河道治理", units("区水利局"), None, None),
        ),
        (
            "落实减税降费政策（牵头单位：区税务局；配合单位：区财政局等）",
            Annotated(
                "落实减税降费政策", units("区税务局"), units("区财政局", open_ended=True), None
            ),
        ),
        (
            "推进背街小巷整治（牵头单位：各乡镇（街道））",
            Annotated("推进背街小巷整治", units("各乡镇(街道)"), None, None),
        ),
        (
            "推进背街小巷整治，（牵头单位：区城管局）",
            Annotated("推进背街小巷整治", units("区城管局"), None, None),
        ),
        (
            "推进数字政府建设（责任领导：张三；牵头单位：区政数局）。",
            Annotated("推进数字政府建设（责任领导：张三）。", units("区政数局"), None, None),
        ),
        (
            "加快推进工业园区建设。牵头单位：区工信局；配合单位：区发改局、区财政局",
            Annotated(
                "加快推进工业园区建设。", units("区工信局"), units("区发改局", "区财政局"), None
            ),
        ),
        (
            "牵头单位：区商务局。\n举办消费季活动",
            Annotated("举办消费季活动", units("区商务局"), None, None),
        ),
        (
            "推进乡村振兴（由区农业农村局牵头，区财政局、区水利局配合）",
            Annotated("推进乡村振兴", units("区农业农村局"), units("区财政局", "区水利局"), None),
        ),
        (
            "做好信访维稳工作（区信访局负责）",
            Annotated("做好信访维稳工作", None, None, units("区信访局")),
        ),
        (
            "推进A项目（牵头单位：区发改局）；推进B项目（牵头单位：区住建局）",
            Annotated("推进A项目；推进B项目", units("区发改局", "区住建局"), None, None),
        ),
    ],
)
def test_extract_annotated_units(text: str, expected: Annotated) -> None:
    assert extract_annotated_units(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "完成（2026年）目标任务",
        "实施城市更新行动（含老旧小区改造、背街小巷整治）",
        "（2026年底前完成，区发改局牵头）",
        "目标：新增就业1000人",
        "各单位要明确责任单位：做到责任到人",
    ],
)
def test_extract_annotated_units_leaves_ordinary_text(text: str) -> None:
    result = extract_annotated_units(text)
    assert result == Annotated(text, None, None, None)


def test_extract_annotated_units_tidies_whitespace() -> None:
    result = extract_annotated_units("  推进  项目建设 （牵头单位：区发改局）  ")
    assert result.text == "推进 项目建设"
    assert result.lead == units("区发改局")


# --------------------------------------------------------------------------- roles


@pytest.mark.parametrize(
    ("lead", "responsible", "co", "first_leads", "expected"),
    [
        # 牵头单位 column given: 责任单位 that repeats it is not also a co-unit
        (
            units("区发改局"),
            units("区发改局", "区财政局"),
            None,
            False,
            Roles(("区发改局",), ("区财政局",), False),
        ),
        (
            units("区发改局"),
            units("区发改局", "区财政局"),
            units("区审计局", "区发改局"),
            True,
            Roles(("区发改局",), ("区审计局", "区财政局"), False),
        ),
        # first unit listed leads
        (
            None,
            units("区住建局", "区财政局", "各街道"),
            None,
            True,
            Roles(("区住建局",), ("区财政局", "各街道"), False),
        ),
        # no first-leads rule: all 责任单位 lead
        (
            None,
            units("区住建局", "区财政局"),
            None,
            False,
            Roles(("区住建局", "区财政局"), (), False),
        ),
        # 配合单位 duplicates removed, order kept: 配合单位 then remaining 责任单位
        (
            None,
            units("区住建局", "区财政局"),
            units("区审计局", "区财政局", "区住建局"),
            True,
            Roles(("区住建局",), ("区审计局", "区财政局"), False),
        ),
        # open lists stay open
        (
            units("区发改局"),
            None,
            units("区财政局", open_ended=True),
            True,
            Roles(("区发改局",), ("区财政局",), True),
        ),
        (
            None,
            units("区发改局", "区财政局", open_ended=True),
            None,
            True,
            Roles(("区发改局",), ("区财政局",), True),
        ),
        # nothing at all
        (None, None, None, True, Roles((), (), False)),
        (units(), units(), units(), False, Roles((), (), False)),
    ],
)
def test_assign_roles(
    lead: UnitList | None,
    responsible: UnitList | None,
    co: UnitList | None,
    first_leads: bool,
    expected: Roles,
) -> None:
    assert assign_roles(lead, responsible, co, first_leads) == expected


def test_assign_roles_honours_lead_marked_in_cell() -> None:
    responsible = split_units("区财政局、区发改局（牵头）、区审计局")
    assert assign_roles(None, responsible, None, first_leads=True) == Roles(
        ("区发改局",), ("区财政局", "区审计局"), False
    )


def test_assign_roles_from_annotation() -> None:
    annotated = extract_annotated_units("推进X（责任单位：区发改局、区财政局、区发改局）")
    roles = assign_roles(annotated.lead, annotated.responsible, annotated.co, first_leads=True)
    assert roles == Roles(("区发改局",), ("区财政局",), False)


# --------------------------------------------------------------------------- catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_shipped_catalog_covers_common_departments(catalog: Catalog) -> None:
    assert DEFAULT_CATALOG_FILE.exists()
    assert len(catalog) >= 40


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("区发改局", "区发展和改革局"),
        ("市发改委", "市发展和改革委员会"),  # a 委 is never a 局 (issue 9)
        ("发改局", "发展和改革局"),
        ("区发展和改革局", "区发展和改革局"),
        ("区住建局", "区住房和城乡建设局"),
        ("区人社局", "区人力资源和社会保障局"),
        ("区自规局", "区自然资源和规划局"),
        ("区自然资源和规划局", "区自然资源和规划局"),
        ("区卫健委", "区卫生健康委员会"),
        ("区卫健局", "区卫生健康局"),
        ("区公安分局", "区公安分局"),   # a 分局 is not the 局 it belongs to
        ("区金融办", "区金融工作办公室"),   # an 办 is not the 局 that replaced it elsewhere
        ("区文旅局", "区文化和旅游局"),
        ("区市场监管局", "区市场监督管理局"),
        ("市场监管局", "市场监督管理局"),
        ("市市场监管局", "市市场监督管理局"),
        ("区府办", "区政府办公室"),
        ("区政府办", "区政府办公室"),
        ("区委办", "区委办公室"),
        ("县公积金中心", "县住房公积金管理中心"),
        ("区残联", "区残疾人联合会"),
        ("区政数局", "区政务服务和大数据管理局"),
        ("区发改局 ", "区发展和改革局"),
        ("区某某不存在局", None),
        ("财政局和发改局", None),
    ],
)
def test_catalog_canonical(catalog: Catalog, written: str, canonical: str | None) -> None:
    assert catalog.canonical(written) == canonical


def test_catalog_pairs_expand_prefixes(catalog: Catalog) -> None:
    pairs = catalog.pairs()
    assert ("区发改局", "区发展和改革局") in pairs
    assert ("市发改局", "市发展和改革局") in pairs
    assert ("县发改委", "县发展和改革委员会") in pairs
    assert not any(alias.endswith("委") and canonical.endswith("局") for alias, canonical in pairs)
    assert ("区府办", "区政府办公室") in pairs
    assert all(alias != canonical for alias, canonical in pairs)
    assert all(catalog.canonical(alias) == canonical for alias, canonical in pairs)
    assert len(pairs) == len(set(pairs))


def test_catalog_rejects_a_short_name_claimed_twice() -> None:
    with pytest.raises(CatalogError):
        Catalog([("自然资源局", ["资源局"]), ("水利局", ["资源局"])])


def test_catalog_load_reads_csv(tmp_path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("full_name,short_names\n应急管理局,应急局\n审计局,\n", encoding="utf-8")
    loaded = Catalog.load(path)
    assert len(loaded) == 2
    assert loaded.canonical("区应急局") == "区应急管理局"
    assert loaded.pairs() == [("区应急局", "区应急管理局"), ("市应急局", "市应急管理局"), ("县应急局", "县应急管理局")]


def test_catalog_load_requires_columns(tmp_path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("name,short\n应急管理局,应急局\n", encoding="utf-8")
    with pytest.raises(CatalogError):
        Catalog.load(path)


# --------------------------------------------------------------------------- resolver

DISTRICT_UNITS = ["区发展和改革局", "区财政局", "区住建局", "各乡镇(街道)", "区委办(区政府办)"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("区发展和改革局", ("区发展和改革局", False)),  # exact
        ("区发改局", ("区发展和改革局", False)),  # catalog
        ("区发改委", ("区发改委", True)),  # a 委 is not the 局: another body, kept as written
        ("发改局", ("区发展和改革局", False)),  # catalog, then the single known prefixed unit
        ("发展和改革局", ("区发展和改革局", False)),
        ("财政局", ("区财政局", False)),  # no catalog alias, prefix added
        ("区住房和城乡建设局", ("区住建局", False)),  # the ledger stores the short form
        ("住房和城乡建设局", ("区住建局", False)),
        ("各乡镇（街道）", ("各乡镇(街道)", False)),  # normalisation
        ("区委办（区政府办）", ("区委办(区政府办)", False)),
        ("财务局", ("区财务局", False)),  # ledger alias
        ("市发改局", ("市发改局", True)),  # another level is another unit, as written
        ("区审计局", ("区审计局", True)),  # never seen
    ],
)
def test_resolve(written: str, expected: tuple[str, bool]) -> None:
    resolver = UnitResolver(DISTRICT_UNITS + ["区财务局"], {"财务局": "区财务局"})
    assert resolver.resolve(written) == expected


def test_resolve_ambiguous_unprefixed_name_is_new_not_merged() -> None:
    resolver = UnitResolver(["区发展和改革局", "市发展和改革局", "区财政局", "市财政局"], {})
    assert resolver.resolve("发改局") == ("发改局", True)
    assert resolver.resolve("财政局") == ("财政局", True)
    assert resolver.resolve("区发改局") == ("区发展和改革局", False)
    assert resolver.resolve("市发改局") == ("市发展和改革局", False)
    assert resolver.new_units() == ["发改局", "财政局"]


def test_resolver_registers_and_remembers_new_units() -> None:
    resolver = UnitResolver(DISTRICT_UNITS, {})
    assert resolver.resolve("区数字经济发展中心") == ("区数字经济发展中心", True)
    assert resolver.resolve("区数字经济发展中心") == ("区数字经济发展中心", False)
    assert resolver.resolve(" 区数字经济发展中心 ") == ("区数字经济发展中心", False)
    assert resolver.resolve("数字经济发展中心") == ("区数字经济发展中心", False)
    assert resolver.new_units() == ["区数字经济发展中心"]


def test_resolver_remembers_alias_forms_of_new_units() -> None:
    # A new unit is registered as the list writes it; its other true forms follow it.
    resolver = UnitResolver([], {})
    assert resolver.resolve("区人社局") == ("区人社局", True)
    assert resolver.resolve("区人力资源和社会保障局") == ("区人社局", False)
    assert resolver.resolve("人社局") == ("区人社局", False)
    assert resolver.resolve("区人力社保局") == ("区人社局", False)
    assert resolver.new_units() == ["区人社局"]
    assert resolver.learned_aliases() == [
        ("区人力资源和社会保障局", "区人社局"),
        ("人社局", "区人社局"),
        ("区人力社保局", "区人社局"),
    ]


def test_resolver_new_units_in_first_seen_order() -> None:
    resolver = UnitResolver(DISTRICT_UNITS, {})
    for name in ["区审计局", "区财政局", "区统计局", "区审计局", "区统计局"]:
        resolver.resolve(name)
    assert resolver.new_units() == ["区审计局", "区统计局"]


def test_resolver_ignores_alias_to_unknown_unit() -> None:
    # An alias must not invent a unit the ledger does not hold.
    # (the catalog still names the new unit by its full name)
    resolver = UnitResolver(["区财政局"], {"区发改局": "区发展和改革局"}, catalog=Catalog())
    assert resolver.resolve("区发改局") == ("区发改局", True)


def test_resolver_without_catalog() -> None:
    resolver = UnitResolver(["区发展和改革局"], {}, catalog=Catalog())
    assert resolver.resolve("区发改局") == ("区发改局", True)
    assert resolver.resolve("发展和改革局") == ("区发展和改革局", False)


def test_resolver_rejects_empty_name() -> None:
    with pytest.raises(ValueError):
        UnitResolver([], {}).resolve("  ")


def test_resolver_seeded_with_catalog_pairs(catalog: Catalog) -> None:
    resolver = UnitResolver(["区发展和改革局"], dict(catalog.pairs()), catalog)
    assert resolver.resolve("区发改局") == ("区发展和改革局", False)
    assert resolver.resolve("县发改局") == ("县发改局", True)


# --------------------------------------------------------------------------- properties

UNIT_ALPHABET = st.sampled_from(
    list("区市县发改局财政住建和及与等各乡镇街道单位牵头配合责任部门") + list("、，,；;：: \n/（）()【】[]〔〕“”'①.。")
)
unit_like_text = st.text(UNIT_ALPHABET, max_size=60)
any_text = st.one_of(st.text(max_size=80), unit_like_text)


@settings(max_examples=400, deadline=None)
@given(any_text)
def test_split_units_never_raises_and_never_returns_empty_names(text: str) -> None:
    result = split_units(text)
    assert all(result.names)
    assert len(set(result.names)) == len(result.names)
    assert all(normalize_unit_name(name) == name for name in result.names)
    assert set(result.marked_leads) <= set(result.names)


@settings(max_examples=400, deadline=None)
@given(any_text)
def test_extract_annotated_units_never_raises_and_never_returns_empty_names(text: str) -> None:
    result = extract_annotated_units(text)
    assert isinstance(result.text, str)
    for found in (result.lead, result.co, result.responsible):
        if found is not None:
            assert all(found.names)
            assert all(normalize_unit_name(name) == name for name in found.names)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_normalize_unit_name_is_idempotent(text: str) -> None:
    once = normalize_unit_name(text)
    assert normalize_unit_name(once) == once


@settings(max_examples=200, deadline=None)
@given(st.lists(unit_like_text, max_size=8))
def test_resolver_never_merges_and_lists_each_new_unit_once(names: list[str]) -> None:
    resolver = UnitResolver(["区发展和改革局", "市发展和改革局"], {})
    for name in names:
        if normalize_unit_name(name):
            canonical, _ = resolver.resolve(name)
            assert canonical
    assert len(resolver.new_units()) == len(set(resolver.new_units()))
