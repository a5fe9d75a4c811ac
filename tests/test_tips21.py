"""What a planner reads in an office's files and on the map (tips21, from fresh21's newcomer's check):
China's risk grading words in a registry's 风险等级; two sites on one street node both readable; on the
office recipe (recipes/beijing-bupt-office.yaml, run once here with 励耘社区's census count written 不详,
as fresh21 did) the 职责依据 column in Chinese."""

from __future__ import annotations

import re
import shutil
from types import SimpleNamespace

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point, box

from conftest import ROOT, shipped_recipe
from urbanrisk._errors import LayerError
from urbanrisk.layers.points import points_from_file
from urbanrisk.outputs.i18n_checks import check_text
from urbanrisk.outputs.map_tips import _cell_tips
from urbanrisk.outputs.site_layers import site_layers
from urbanrisk.screens.district_names import district_names, venue_names

HEADER = ["编号", "名称", "类型", "经度", "纬度", "风险等级"]
PLACES = [
    ["H1", "某化工仓库", "危险化学品场所", 116.3150, 39.9950],
    ["H2", "加油站", "加油站", 116.3250, 40.0000],
    ["H3", "燃气调压站", "燃气设施", 116.3300, 39.9900],
    ["H4", "10kV变电站", "变电站", 116.3200, 39.9980],
]
CHINESE = {"kind_column": "类型", "id_column": "编号", "name_column": "名称", "severity_column": "风险等级"}


def _registry(path, grades):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["某街道风险隐患台账"])  # a title row, as offices write them
    sheet.append(HEADER)
    for row, grade in zip(PLACES, grades, strict=True):
        sheet.append([*row, grade])
    book.save(path)
    return path


@pytest.mark.parametrize("order", ["1_is_most_severe", "4_is_most_severe"])
@pytest.mark.parametrize("tail", ["", "风险"])
def test_chinas_grading_words_read_as_their_level_on_either_scale(tmp_path, order, tail):
    grades = [f"{word}{tail}" for word in ("重大", "较大", "一般", "低")]  # 红 橙 黄 蓝: 一级 … 四级
    points = points_from_file(_registry(tmp_path / "台账.xlsx", grades), severity_order=order, **CHINESE)
    assert points["severity"].tolist() == [4, 3, 2, 1]  # urbanrisk's scale: 4 the most severe


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("较大危险", "did you mean '较大风险' (二级)?"),
        ("橙色", "did you mean '较大风险' (二级)?"),
        ("高风险", "use a whole number 1-4"),  # no guess by spelling: 低风险 is one character away
    ],
)
def test_another_word_is_refused_with_the_words_it_takes_and_the_fix(tmp_path, value, hint):
    path = _registry(tmp_path / "台账.xlsx", ["重大", value, "一般", "低"])
    with pytest.raises(LayerError) as refused:
        points_from_file(path, severity_order="1_is_most_severe", **CHINESE)
    message = str(refused.value)
    assert f"row 4: '{value}' is not a grade: {hint}" in message
    assert "重大 / 较大 / 一般 / 低 (风险)" in message
    zh = check_text(message, "zh")
    assert "不是等级" in zh and "分级用语 重大 / 较大 / 一般 / 低" in zh and "is not a grade" not in zh
    if "did you mean" in hint:
        assert "是否应为 '较大风险'（二级）" in zh


@pytest.fixture(scope="module")
def office_run(tmp_path_factory):
    """The BUPT office recipe with 励耘社区's count 不详 (unknown), run once (synchronous, written)."""
    import urbanrisk as ur

    folder = tmp_path_factory.mktemp("bupt_office")
    layers = shutil.copytree(ROOT / "layers" / "beijing-bupt-office", folder / "layers")
    book = openpyxl.load_workbook(layers / "常住人口.xlsx")
    assert book.active["B4"].value == "励耘社区"
    book.active["C4"] = "不详"
    book.save(layers / "常住人口.xlsx")
    recipe = shipped_recipe(folder, "beijing-bupt-office")
    text = recipe.read_text(encoding="utf-8")
    recipe.write_text(
        text.replace(str(ROOT / "layers" / "beijing-bupt-office"), str(layers)), encoding="utf-8"
    )
    return ur.run_recipe(recipe, scheduler="synchronous")


def test_the_departments_basis_is_chinese_throughout_in_a_zh_run(office_run):
    listed = office_run.screens.responsibility
    basis = listed["department_basis"].tolist()
    assert basis and all(b for b in basis)
    assert [b for b in basis if re.search("[A-Za-z]", b)] == []  # "editable default", "(now 应急管理)"
    assert "默认分工，请按本地“三定”核实（应急避难场所规划建设）" in basis
    assert "（现为应急管理部门）" in " ".join(basis)


def test_two_standards_sites_on_one_street_node_share_one_readable_marker():
    """Fire site #1 and shelter site #2 on one node (fresh21: 529507350): one marker hid the other's tip."""
    sites = gpd.GeoDataFrame(
        {
            "standard": ["fire", "shelter", "shelter"],
            "rank": [1, 1, 2],
            "residents_added": [4664.3, 13913.9, 243.8],
        },
        geometry=[Point(116.3520, 39.9630), Point(116.3560, 39.9610), Point(116.3520, 39.9630)],
        crs="EPSG:4326",
    )
    result = SimpleNamespace(
        coverage=SimpleNamespace(sites=sites, gaps=None, standards=[]),
        recipe=SimpleNamespace(report=SimpleNamespace(language="zh")),
    )
    ring, plus = site_layers(result)
    positions = [tuple(d["position"]) for d in ring.data]
    assert sorted(positions) == sorted({(116.3520, 39.9630), (116.3560, 39.9610)})
    assert len(plus.data) == 2  # one "+" a place
    shared = ring.data[positions.index((116.3520, 39.9630))]["tip"]
    assert shared.index("4,664") < shared.index("244")  # both tooltips, in the sites' order
    assert "#1" in shared and "#2" in shared


def test_a_place_node_outside_a_district_never_names_it():
    """BUPT's two key districts were "装卸区 · …" after a place=suburb node 19 m and 94 m beyond them."""
    outline = box(116.350, 39.960, 116.352, 39.962)
    suburb = gpd.GeoDataFrame(
        {"kind": ["neighbourhood_place"], "name": ["装卸区"]}, geometry=[Point(116.3522, 39.961)], crs=4326
    )  # ~17 m east of the edge
    campus = gpd.GeoDataFrame(
        {"value": ["university"], "name": ["北京邮电大学"]},
        geometry=[box(116.34, 39.95, 116.36, 39.97)],
        crs=4326,
    )
    venues = venue_names(
        pd.DataFrame(
            [["档案馆", "library", "culture", 0.0]], columns=["name", "kind", "group", "size"]
        ).assign(label=0),
        [0],
    )
    assert district_names([outline], venues, suburb, campus, None)[0] == (
        "北京邮电大学",
        "named area (landuse=university) covering 100% of it",
    )
    assert district_names([outline], venues, suburb, None, None)[0][0] == "档案馆"
    inside = suburb.set_geometry([Point(116.351, 39.961)], crs=4326)  # inside, it names the district
    assert district_names([outline], venues, inside, campus, None)[0] == ("装卸区", "OSM place node inside")


def test_the_office_runs_districts_are_named_after_what_they_are(office_run):
    districts = office_run.screens.key_districts
    assert len(districts) and not any("装卸区" in name for name in districts["name"])
    assert all(name.startswith("北京邮电大学 · ") for name in districts["name"])


def _office_tips(run) -> dict[str, str]:
    grid = run.grid
    return dict(
        zip(grid.index, _cell_tips(grid, {"fire": "s", "medical": "m", "shelter": "m"}, "zh"), strict=True)
    )


def test_a_cell_partly_in_an_unknown_census_unit_says_what_is_known(office_run):
    """学苑社区's 605 residents in a cell partly in 励耘社区 (不详) read "常住人口 未知 / 此处无人口数据"."""
    grid, tips = office_run.grid, _office_tips(office_run)
    cell = "8a31aa50b147fff"
    assert not grid.loc[cell, "known_residents"] and round(grid.loc[cell, "residents"]) == 605
    assert "常住人口 ≥ 605（其余未知）" in tips[cell]
    assert "未知：常住人口：本单元部分位于常住人口不详的统计单元内" in tips[cell]
    assert (
        "常住人口部分未知：所示为已知部分（下限），以空心显示" in tips[cell]
        and "此处无人口数据" not in tips[cell]
    )
    # wholly in the 不详 unit: said as the census table's gap (it read "no population data here", session 21)
    nobody = grid.index[~grid["known_residents"] & (grid["residents"] == 0)]
    census = "人口统计表未给出此处人数（所在单元人数不详、不在任何单元内，或其住房未标绘）"
    assert len(nobody) and all("常住人口 未知" in tips[c] and census in tips[c] for c in nobody)
    assert not any("此处无人口数据" in tip for tip in tips.values())
    said = grid.loc[nobody, "unknown"]
    assert said.str.contains("residents: the census table gives no count here", regex=False).all()


def test_a_distance_under_10_m_is_not_0_km_and_building_counts_say_what_they_count(office_run):
    grid, tips = office_run.grid, _office_tips(office_run)
    near = grid.index[grid["medical_travel"] < 10]
    assert len(near) and all("医疗急救 &lt; 10 米" in tips[c] for c in near)
    assert not any("0.00 公里" in tip for tip in tips.values())
    cell = grid.index[(grid["buildings"] == 0) & (grid["coverage_ratio"] > 0.3)][0]  # a footprint's part
    share = f"{grid.loc[cell, 'coverage_ratio']:.0%}"
    assert f"建筑 0 栋（按中心点计；建筑占地覆盖率 {share}，含跨格部分）" in tips[cell]
