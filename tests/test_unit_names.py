"""Unit names kept as the lists write them (issue 9): the catalogue joins only true short
forms of one name, never a 委 with a 局, an 办 with a 局 or a 分局 with its 局; a prefix written
at the head of a cell carries onto the bare names after it; a name that resolves to another
stored name is said in the report; search finds a unit by any of its names."""

from __future__ import annotations

from datetime import date

import pytest

from etl.importer import InputFile, LoadOptions, import_files
from etl.units import Catalog, UnitResolver, carry_prefix, split_units
from ledger import queries as views
from ledger.access import system_user

AS_OF = date(2024, 5, 6)
MEETING = LoadOptions(source_kind="常务会议", source_title="区政府第40次常务会议", source_date=date(2024, 3, 12),
                      today=AS_OF)


def csv_bytes(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def load(con, name: str, lines: list[str], options: LoadOptions = MEETING):
    return import_files(con, [InputFile(name, csv_bytes(lines))], options)


def units_of(con) -> dict[str, tuple[list[str], list[str]]]:
    return {r["item"]: (r["lead_units"], r["co_units"])
            for r in views.task_list(con, AS_OF).sort("source", "item").iter_rows(named=True)}


# --------------------------------------------------------------------------- the catalogue

def _body(name: str) -> str:
    """The kind of body a name's ending says: 委员会/委, 分局, 局, 办公室/办."""
    for ending, body in (("委员会", "委"), ("委", "委"), ("分局", "分局"), ("局", "局"), ("办公室", "办"), ("办", "办")):
        if name.endswith(ending):
            return body
    return "other"


def test_no_catalogue_alias_crosses_wei_ju_ban_or_fenju() -> None:
    pairs = Catalog.load().pairs()
    assert len(pairs) > 150
    crossing = [(alias, full) for alias, full in pairs
                if {_body(alias), _body(full)} != {"other"} and _body(alias) != _body(full)]
    assert crossing == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("区卫健委", "区卫生健康局"), ("区发改委", "区发展和改革局"), ("区公安分局", "区公安局"),
        ("区金融办", "区地方金融监督管理局"), ("区生态环境分局", "区生态环境局"), ("区住建委", "区住房和城乡建设局"),
        ("区国资委", "区国有资产监督管理局"), ("区教体局", "区教育局"), ("区自然资源和规划局", "区自然资源局"),
        ("区林草局", "区林业局"), ("区供电公司", "区供电局"),
    ],
)
def test_different_bodies_are_never_one_unit(one: str, other: str) -> None:
    resolver = UnitResolver([one], {})
    assert resolver.resolve(other) == (other, True)


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("区发改局", "区发展和改革局"), ("区发展和改革局", "区发改局"), ("区发改委", "区发展和改革委员会"),
        ("区卫健委", "区卫生健康委员会"), ("区住建局", "区住房和城乡建设局"), ("区住房和城乡建设局", "住建局"),
        ("区市场监管局", "区市场监督管理局"), ("市城管局", "市城市管理局"), ("区政府办", "区人民政府办公室"),
    ],
)
def test_true_short_forms_join_the_stored_name(stored: str, written: str) -> None:
    resolver = UnitResolver([stored], {})
    assert resolver.resolve(written) == (stored, False)
    assert resolver.learned_aliases() == [(written, stored)]


# --------------------------------------------------------------------------- prefix carried

@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("市交通局、城管局、水务局", ("市交通局", "市城管局", "市水务局")),
        ("区发改局、财政局、科技局", ("区发改局", "区财政局", "区科技局")),
        ("县委办、政府办", ("县委办", "县政府办")),
        ("区住建局，自然资源和规划局", ("区住建局", "区自然资源和规划局")),
        ("区教育局、各乡镇（街道）、七星镇", ("区教育局", "各乡镇(街道)", "七星镇")),   # no level for those
        ("区财政局、桂林市住建局、审计局", ("区财政局", "桂林市住建局", "区审计局")),     # a place of its own
        ("市发改委、区财政局、审计局", ("市发改委", "区财政局", "区审计局")),             # the latest level carries
        ("城管局、区水利局", ("城管局", "区水利局")),                                     # nothing before it
        ("区住建局（牵头）、财政局", ("区住建局", "区财政局")),
    ],
)
def test_a_prefix_written_once_carries_onto_the_bare_names(cell: str, names: tuple[str, ...]) -> None:
    assert split_units(cell).names == names


def test_a_list_of_short_forms_is_not_carried() -> None:
    assert split_units("区数据局、数据局", carry=False).names == ("区数据局", "数据局")
    assert carry_prefix(["区数据局", "数据局"]) == ["区数据局", "区数据局"]


# --------------------------------------------------------------------------- imported

def test_units_are_stored_as_written_with_the_prefix_carried(ledger):
    lines = ["序号,议定事项,牵头单位,配合单位,完成时限",
             "1,整治城区交通拥堵,市交通局,\"城管局、水务局\",6月底前",
             "2,推进海绵城市建设,市水务局,\"市城管局、交通局\",年底前",
             "3,开展爱国卫生运动,区卫健委,\"区卫生健康局、区城管局\",5月31日前"]
    result = load(ledger, "会议.csv", lines)
    assert result.committed, result.files[0].errors
    assert any("“水务局”" in w and "市水务局" in w for w in result.files[0].warnings)
    assert units_of(ledger) == {
        # A bare cell has no level of its own: 水务局 is the one 市 body of that name the list
        # names (said in the report); 城管局 is read before 市城管局 appears, and stays as written.
        "1": (["市交通局"], ["城管局", "市水务局"]),
        "2": (["市水务局"], ["市城管局", "市交通局"]),
        "3": (["区卫健委"], ["区卫生健康局", "区城管局"]),   # a 委 and a 局 stay two units
    }


def test_a_cell_with_its_prefix_at_the_head_gives_one_unit_per_body(ledger):
    lines = ["序号,议定事项,牵头单位,配合单位,完成时限",
             "1,整治城区交通拥堵,\"市交通局、城管局、水务局\",,6月底前",
             "2,推进海绵城市建设,市水务局,\"市城管局\",年底前"]
    result = load(ledger, "会议.csv", lines)
    assert result.committed, result.files[0].errors
    # A 牵头单位 cell naming three units: three leads, each under its carried level.
    assert units_of(ledger) == {"1": (["市交通局", "市城管局", "市水务局"], []), "2": (["市水务局"], ["市城管局"])}
    warnings = result.files[0].warnings
    assert any("“城管局”" in w and "市城管局" in w for w in warnings)
    assert any("“水务局”" in w and "市水务局" in w for w in warnings)
    names = sorted(n for (n,) in ledger.execute("SELECT name FROM units").fetchall())
    assert names == ["市交通局", "市城管局", "市水务局"]


def test_a_name_resolved_to_another_stored_name_is_said(ledger):
    assert load(ledger, "v1.csv", ["序号,议定事项,牵头单位,完成时限", "1,实施老旧小区改造12个,区住建局,10月底前"]).committed
    options = LoadOptions(source_kind="常务会议", source_title="区政府第41次常务会议", source_date=date(2024, 3, 20),
                          today=AS_OF)
    result = load(ledger, "v2.csv", ["序号,议定事项,牵头单位,配合单位,完成时限",
                                     "1,推进城中村改造,区住房和城乡建设局,区发展和改革委员会,年底前"], options)
    assert result.committed, result.files[0].errors
    report = result.files[0]
    assert report.new_units == ["区发展和改革委员会"]
    assert any("区住房和城乡建设局" in w and "区住建局" in w for w in report.warnings)
    assert ledger.execute("SELECT count(*) FROM units WHERE name LIKE '%住%'").fetchone()[0] == 1


def test_a_units_file_naming_a_stored_body_in_full_renames_it_and_keeps_the_alias(ledger):
    assert load(ledger, "v1.csv", ["序号,议定事项,牵头单位,完成时限", "1,实施老旧小区改造12个,区住建局,10月底前"]).committed
    result = import_files(ledger, [InputFile("单位.csv", csv_bytes(
        ["单位名称,简称,单位类型", "区住房和城乡建设局,区住建局,部门", "区审计局,,部门"]))], LoadOptions(today=AS_OF))
    assert result.committed, result.files[0].errors
    assert any("区住建局" in w and "更名为“区住房和城乡建设局”" in w for w in result.files[0].warnings)
    names = sorted(n for (n,) in ledger.execute("SELECT name FROM units").fetchall())
    assert names == ["区住房和城乡建设局", "区审计局"]
    assert units_of(ledger) == {"1": (["区住房和城乡建设局"], [])}       # the task keeps its unit
    alias = ledger.execute("SELECT u.name FROM unit_aliases a JOIN units u USING (unit_id) "
                           "WHERE a.alias = '区住建局'").fetchall()
    assert alias == [("区住房和城乡建设局",)]
    audited = ledger.execute("SELECT before, after FROM audit_log WHERE entity = 'unit' AND field = 'name'").fetchall()
    assert audited == [("区住建局", "区住房和城乡建设局")]
    # A later list writing the short form finds the renamed unit.
    later = load(ledger, "v2.csv", ["序号,议定事项,牵头单位,完成时限", "2,推进城中村改造,区住建局,年底前"])
    assert later.committed and later.files[0].new_units == []
    assert units_of(ledger)["2"] == (["区住房和城乡建设局"], [])


def test_a_units_file_after_a_list_in_the_same_import_makes_the_full_name_an_alias(ledger):
    files = [InputFile("清单.csv", csv_bytes(["序号,议定事项,牵头单位,完成时限", "1,实施老旧小区改造12个,区住建局,10月底前"])),
             InputFile("单位.csv", csv_bytes(["单位名称,简称,单位类型", "区住房和城乡建设局,区住建局,部门"]))]
    result = import_files(ledger, files, MEETING)
    assert result.committed, [f.errors for f in result.files]
    assert any("区住房和城乡建设局" in w for w in result.files[1].warnings)
    assert [n for (n,) in ledger.execute("SELECT name FROM units").fetchall()] == ["区住建局"]
    assert units_of(ledger) == {"1": (["区住建局"], [])}


@pytest.mark.parametrize("query", ["住建局", "区住建局", "区住房和城乡建设局", "住房和城乡建设"])
def test_search_finds_a_unit_by_any_of_its_names(ledger, query):
    lines = ["序号,议定事项,牵头单位,配合单位,完成时限",
             "1,实施老旧小区改造12个,区住建局,区财政局,10月底前",
             "2,推进城中村改造,区住房和城乡建设局,,年底前",
             "3,完成招商签约,区商务局,,6月底前",
             "4,开展汛前排查,区应急局,区住建局,5月31日前"]
    assert load(ledger, "会议.csv", lines).committed
    found = views.ledger(ledger, system_user(), AS_OF, views.AllTasks(), query=query)
    assert sorted(found["item"].to_list()) == ["1", "2", "4"]


def test_search_by_a_full_name_finds_a_unit_stored_short_and_not_its_neighbours(ledger):
    lines = ["序号,议定事项,牵头单位,完成时限",
             "1,开展爱国卫生运动,区卫健委,5月31日前",
             "2,推进医共体建设,区卫生健康局,年底前",
             "3,推进重点项目,区发改局,年底前"]
    assert load(ledger, "会议.csv", lines).committed

    def items(query: str) -> list[str]:
        return sorted(views.ledger(ledger, system_user(), AS_OF, views.AllTasks(), query=query)["item"].to_list())

    assert items("区卫生健康委员会") == ["1"]
    assert items("卫健局") == ["2"]
    assert items("区发展和改革局") == ["3"]
    assert items("发改委") == []
