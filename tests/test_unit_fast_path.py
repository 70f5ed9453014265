"""The importer reads plain unit cells over whole columns (etl.importer._cell_names) and hands
only the others to etl.units.split_units. A cell that starts with a level (区/市/县) and names
after it a department that may take that level (市交通局、城管局) must go to split_units, which
carries the level; a cell whose later names cannot take one (区发改局、青川东街道) stays on the
column-wise path. Either way the units must be what split_units and assign_roles give."""

from __future__ import annotations

import random

import polars as pl

from etl.importer import LoadOptions, _Context, _simple_unit_roles, _unit_roles

PREFIXED = ["区发改局", "市交通局", "县教育局", "区财政局", "市住建局", "区卫健委", "区委办", "区数据局"]
BARE = ["城管局", "水务局", "发改委", "财政局", "住建局", "应急局", "交通运输局", "自然资源和规划局"]
# Names that never take a level: townships, collectives, names with a place of their own.
OWN_PLACE = ["青川东街道", "黄岭镇", "石门乡", "西城街道办事处", "七星区财政局", "桂林市住建局", "各镇街", "区直各部门",
             "各乡镇（街道）", "相关单位"]
SEPARATORS = ["、", "，", ",", "；", ";"]


def _frame(cells: list[tuple[str | None, str | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(*c, None, None, None, False, i + 2) for i, c in enumerate(cells)],
        schema={"_lead": pl.String, "_responsible": pl.String, "_co": pl.String, "_ann_lead": pl.String,
                "_ann_co": pl.String, "_ann_responsible": pl.String, "_ann_open": pl.Boolean, "_row": pl.Int64},
        orient="row",
    )


def test_cells_with_a_level_agree_with_split_units_on_either_path(ledger):
    rng = random.Random(23)

    def cell() -> str | None:
        if rng.random() < 0.15:
            return None
        pools = [PREFIXED, BARE, OWN_PLACE]
        names = [rng.choice(rng.choice(pools)) for _ in range(rng.randint(1, 4))]
        text = rng.choice(SEPARATORS).join(names)
        return text + "等" if rng.random() < 0.1 else text

    cells = [(cell(), cell(), cell()) for _ in range(800)]
    frame = _frame(cells)
    for first_leads in (True, False):
        # One context for both: a short form (财政局) resolves to a unit the import named before.
        context = _Context(ledger, LoadOptions())
        fast = _simple_unit_roles(frame, first_leads, context)
        for row, (lead, responsible, co) in zip(fast.iter_rows(named=True), cells, strict=True):
            leads, cos, open_ended = _unit_roles(context, first_leads, lead, responsible, co, None, None, None, False)
            expected = ([n for n in leads.split("\x1f") if n], [n for n in cos.split("\x1f") if n], open_ended)
            assert (row["lead_units"], row["co_units"], row["open_unit_list"]) == expected, (lead, responsible, co)


def test_only_cells_whose_later_names_take_the_level_are_read_one_by_one(ledger):
    cells = [
        ("区发改局、青川东街道", "市交通局、城管局、水务局", "区财政局，各镇街；黄岭镇"),
        ("县教育局、七星区财政局", "区委办、发改委", "区数据局、区直各部门"),
    ]
    context = _Context(ledger, LoadOptions())
    roles = _simple_unit_roles(_frame(cells), True, context).sort("_row")
    read_one_by_one = {cell for cell, _ in context._unit_lists}
    assert read_one_by_one == {"市交通局、城管局、水务局", "区委办、发改委"}
    assert roles["co_units"].to_list() == [
        ["区财政局", "各镇街", "黄岭镇", "市交通局", "市城管局", "市水务局"],
        ["区数据局", "区直各部门", "区委办", "区发改委"],
    ]
    assert roles["lead_units"].to_list() == [["区发改局", "青川东街道"], ["县教育局", "七星区财政局"]]


def test_of_two_forms_of_a_new_unit_the_one_the_list_names_first_is_registered(ledger):
    """Row 2's cell is read by split_units (由…负责), row 3's in polars; the full name comes first
    in the list, so it is the unit registered, and the short form further down resolves to it."""
    from datetime import date

    from etl.importer import InputFile, import_files

    lines = [
        "序号,议定事项,牵头单位,配合单位,责任领导,完成时限",
        "1,推进老旧小区改造,由区住房和城乡建设局负责,区财政局,王建国,2026年12月31日前",
        "2,抓紧完成保障房建设,区住建局,区财政局、各街道,李明华,2026年12月31日前",
    ]
    options = LoadOptions(source_kind="常务会议", source_title="区政府第3次常务会议", source_date=date(2026, 3, 2))
    result = import_files(ledger, [InputFile("list.csv", "\n".join(lines).encode())], options)
    assert result.committed, result.files[0].errors
    assert result.files[0].new_units[0] == "区住房和城乡建设局"
    assert "区住建局" not in result.files[0].new_units
    leads = ledger.execute(
        "SELECT t.item, u.name FROM tasks t JOIN task_units tu USING (task_id) JOIN units u USING (unit_id) "
        "WHERE tu.role = 'lead' ORDER BY t.item"
    ).fetchall()
    assert leads == [("1", "区住房和城乡建设局"), ("2", "区住房和城乡建设局")]
