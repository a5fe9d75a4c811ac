"""The office's deliverables (issue #16): risk registers per unit level, the responsibility list,
GB 18218-2018 major-hazard grades, the Chinese report, the planner's map and actionable alerts."""

from __future__ import annotations

import json
import re
import shutil

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import yaml
from shapely.geometry import Point, box

import urbanrisk as ur
from chromium_pages import PAGE_TIMEOUT_MS, browser, deck_drawn, open_page  # noqa: F401  (the process's Chromium)
from conftest import ROOT, default_recipe, write_recipe
from urbanrisk.grid import grid_frame
from urbanrisk.screens.registers import UNASSIGNED, level_registers

UTM50 = "EPSG:32650"
CENTRE = h3.latlng_to_cell(39.9916, 116.3317, 10)
LON, LAT = h3.cell_to_latlng(CENTRE)[::-1]
D = 0.004  # degrees: the district box reaches about 340 m east-west from the centre


def _graded_grid() -> gpd.GeoDataFrame:
    cells = sorted(h3.grid_disk(CENTRE, 5))
    grid = grid_frame(cells)
    grid["residents"] = [float(10 + i % 7) for i in range(len(cells))]
    grades = ["I", "II", "III", "IV", "no data"]
    grid["grade"] = [grades[i % 5] for i in range(len(cells))]
    return grid


def _units() -> gpd.GeoDataFrame:
    """One district (not covering every cell), two streets, three communities (a gap in the east)."""
    district = box(LON - D, LAT - D, LON + D, LAT + D)
    west = box(LON - D, LAT - D, LON, LAT + D)
    east = box(LON, LAT - D, LON + D, LAT + D)
    rows = [
        ("D1", "海淀区", "district", district),
        ("S-W", "西街道", "street", west),
        ("S-E", "东街道", "street", east),
        ("C-WN", "西北社区", "community", box(LON - D, LAT, LON, LAT + D)),
        ("C-WS", "西南社区", "community", box(LON - D, LAT - D, LON, LAT)),
        ("C-EN", "东北社区", "community", box(LON, LAT, LON + D, LAT + D)),  # east-south: no community
    ]
    return gpd.GeoDataFrame(
        {"id": [r[0] for r in rows], "name": [r[1] for r in rows], "level": [r[2] for r in rows]},
        geometry=[r[3] for r in rows],
        crs=4326,
    )


def _coverage(grid) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "h3_cell": list(grid.index) * 2,
            "standard": ["fire"] * len(grid) + ["shelter"] * len(grid),
            "residents_uncovered": [
                *grid["residents"].where(grid.index.str[-1] < "8", 0.0),
                *(grid["residents"] * 0.5),
            ],
        }
    )


def test_level_totals_equal_the_grid_and_parents_sum_their_children():
    grid = _graded_grid()
    coverage = _coverage(grid)
    registers = level_registers(grid, _units(), hazard_sources=None, coverage=coverage, utm_crs=UTM50)
    assert list(registers) == ["district", "street", "community"]
    total = grid["residents"].sum()
    uncovered = coverage.groupby("standard")["residents_uncovered"].sum()
    for table in registers.values():
        assert table["cells"].sum() == len(grid)  # every cell in exactly one unit per level
        assert table["residents"].sum() == pytest.approx(total)
        for grade in ("I", "II", "III", "IV"):
            assert table[f"residents_{grade}"].sum() == pytest.approx(
                grid.loc[grid["grade"] == grade, "residents"].sum()
            )
        assert table["red_cells"].sum() == (grid["grade"] == "I").sum()
        assert table["orange_cells"].sum() == (grid["grade"] == "II").sum()
        for standard in ("fire", "shelter"):
            assert table[f"uncovered_{standard}"].sum() == pytest.approx(uncovered[standard])
    # cells outside the district box go to the district level's unassigned row
    assert UNASSIGNED in set(registers["district"]["id"])
    # parents: by largest overlap; every parent's totals are its children's sums
    for child, parent in (("street", "district"), ("community", "street")):
        sums = registers[child].groupby("parent_id")[["cells", "residents", "red_cells"]].sum()
        parents = registers[parent].set_index("id")[["cells", "residents", "red_cells"]]
        pd.testing.assert_frame_equal(
            sums.sort_index(), parents.loc[sums.index].sort_index(), check_dtype=False, check_names=False
        )
        assert set(parents.index) == set(sums.index)
    communities = registers["community"].set_index("id")
    assert (
        communities.loc["C-WN", "parent_id"] == "S-W" and communities.loc["C-EN", "parent_name"] == "东街道"
    )
    assert communities.loc["unassigned:S-E", "parent_id"] == "S-E"  # the east-south gap, inside S-E
    worst = registers["district"].set_index("id").loc["D1", "worst_grade"]
    assert worst == "I"


def test_registers_name_the_hazards_that_reach_a_unit():
    grid = _graded_grid()
    x, y = gpd.GeoSeries([Point(LON - 0.002, LAT + 0.002)], crs=4326).to_crs(UTM50).iloc[0].coords[0]
    hazard = gpd.GeoDataFrame(
        {"id": ["h1"], "label": ["fuel"], "name": ["加油站"], "grade": ["II"], "impact_radius_m": [50.0]},
        geometry=[Point(x, y)],
        crs=UTM50,
    ).to_crs(4326)
    registers = level_registers(grid, _units(), hazard_sources=hazard, coverage=None, utm_crs=UTM50)
    communities = registers["community"].set_index("id")
    assert "加油站" in communities.loc["C-WN", "hazards"]
    assert communities.loc["C-EN", "hazards"] == ""


def test_no_level_means_no_registers():
    grid = _graded_grid()
    units = _units().drop(columns="level")
    assert level_registers(grid, units, hazard_sources=None, coverage=None, utm_crs=UTM50) == {}


SHELTERS = (
    "id,kind,name,lon,lat\n"
    "SH1,shelter,测试避难场所一,116.3180,39.9980\n"
    "SH2,shelter,测试避难场所二,116.3220,40.0030\n"
)


def _level_recipe(tmp_path):
    west = box(116.3084, 39.9905, 116.3200, 40.0123)
    east = box(116.3200, 39.9905, 116.3320, 40.0123)
    gpd.GeoDataFrame({"id": ["110108"], "name": ["海淀区"]}, geometry=[west.union(east)], crs=4326).to_file(
        tmp_path / "district.geojson"
    )
    gpd.GeoDataFrame(
        {"id": ["S1", "S2"], "name": ["西街道", "东街道"]}, geometry=[west, east], crs=4326
    ).to_file(tmp_path / "streets.geojson")
    gpd.GeoDataFrame({"area": [1]}, geometry=[box(116.315, 39.995, 116.325, 40.005)], crs=4326).to_file(
        tmp_path / "area.geojson"
    )
    recipe = default_recipe(tmp_path, area={"path": str(tmp_path / "area.geojson")})
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["layers"]["districts"] = {
        "type": "polygons",
        "path": str(tmp_path / "district.geojson"),
        "level": "区",
    }
    body["layers"]["streets"] = {
        "type": "polygons",
        "path": str(tmp_path / "streets.geojson"),
        "level": "street",
    }
    (tmp_path / "chemicals.csv").write_text(
        "id,kind,name,物质,存量,lon,lat\nCH1,chemical,某化工仓库,氯;液氨,2;5,116.3200,40.0000\n",
        encoding="utf-8",
    )
    body["layers"]["chemicals"] = {"type": "points", "path": str(tmp_path / "chemicals.csv")}
    (tmp_path / "shelters.csv").write_text(SHELTERS, encoding="utf-8")  # test fixture, not real sites
    body["layers"]["shelters"] = {
        "type": "points",
        "role": "resource",
        "path": str(tmp_path / "shelters.csv"),
    }
    return write_recipe(tmp_path, body)


@pytest.fixture(scope="module")
def level_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("levels")
    return ur.run_recipe(_level_recipe(tmp_path))


def test_a_run_writes_a_register_per_level(level_run):
    folder = level_run.run_dir
    district = pd.read_parquet(folder / "register_district.parquet")
    street = pd.read_parquet(folder / "register_street.parquet")
    total = level_run.grid["residents"].sum()
    assert district["residents"].sum() == pytest.approx(total)
    assert street["residents"].sum() == pytest.approx(total)
    assert set(street["parent_id"]) == {"110108"}
    # uncovered cells of unknown residents (none here: every cell is inside the raster) ...
    coverage = level_run.coverage.coverage
    assert coverage["residents_known"].all()
    assert (street.filter(like="unknown_uncovered_").to_numpy() == 0).all()
    # ... and with every third cell's residents unknown: each level's units add up to the table's count
    coverage = coverage.assign(residents_known=np.arange(len(coverage)) % 3 != 0)
    registers = level_registers(
        level_run.grid, level_run.layers.communities, hazard_sources=None, coverage=coverage, utm_crs=UTM50
    )
    for name, rows in coverage.groupby("standard"):
        expected = int((~rows["covered"] & ~rows["residents_known"]).sum())
        assert expected > 0 and set(registers) == {"district", "street"}
        for register in registers.values():
            assert register[f"unknown_uncovered_{name}"].sum() == expected, name
    import pyogrio

    assert {"register_district", "register_street"} <= {
        name for name, _ in pyogrio.list_layers(folder / "risk.gpkg")
    }
    assert level_run.screens.status["communities"].endswith("recipe polygons layer")


def test_a_run_grades_a_registry_source_per_gb18218(level_run):
    table = pd.read_parquet(level_run.run_dir / "hazard_sources.parquet").set_index("id")
    row = table.loc["CH1"]
    people = row["gb18218_residents_500m"]
    alpha = (
        2.0
        if people >= 100
        else 1.5
        if people >= 50
        else 1.2
        if people >= 30
        else 1.0
        if people >= 1
        else 0.5
    )
    assert row["gb18218_alpha"] == alpha
    assert row["gb18218_R"] == pytest.approx(alpha * (4 * 2 / 5 + 2 * 5 / 10))
    # chlorine 2 t + ammonia 5 t: S = 2/5 + 5/10 = 0.9 < 1, below the critical quantities (GB 18218-2018
    # 4.2 formula (1)): no major hazard source, so no grade (it read 四级); R for reference
    assert row["gb18218_S"] == pytest.approx(0.9) and row["gb18218_grade"] == ""
    assert row["gb18218_basis"].startswith("not a major hazard source (Σq/Q = 0.9 < 1")
    assert row["grade"] in ("I", "II", "III", "IV")
    assert (table.drop(index="CH1")["gb18218_grade"] == "").all()  # no substances: no R, never 0


# --- GB 18218-2018 ---------------------------------------------------------------------------------


def _source_with_people(residents_at_centre: float, substance: str, quantity: str):
    from urbanrisk.screens.major_hazard import gb18218_table, major_hazard_grades

    cells = sorted(h3.grid_disk(CENTRE, 12))
    grid = grid_frame(cells)
    grid["residents"] = 0.0
    grid.loc[CENTRE, "residents"] = residents_at_centre
    far = h3.grid_ring(CENTRE, 12)[0]  # about 1.5 km away: outside 500 m
    grid.loc[far, "residents"] = 1000.0
    source = gpd.GeoDataFrame(
        {"id": ["s"], "substance": [substance], "quantity_t": [quantity]},
        geometry=[Point(LON, LAT)],
        crs=4326,
    )
    return major_hazard_grades(source, grid, gb18218_table(), utm_crs=UTM50).iloc[0]


def test_r_value_by_hand_chlorine_and_ammonia_with_60_people():
    # α = 1.5 (50-99 people); Σβq/Q = 4×2/5 (chlorine, Q 5 t, β 4) + 2×5/10 (ammonia, Q 10 t, β 2) = 2.6
    row = _source_with_people(60.0, "chlorine; 液氨", "2;5")
    assert row["gb18218_residents_500m"] == pytest.approx(60.0)
    assert row["gb18218_alpha"] == 1.5
    assert row["gb18218_R"] == pytest.approx(1.5 * 2.6)
    assert row["gb18218_S"] == pytest.approx(0.9) and row["gb18218_grade"] == ""  # S < 1: not major
    # chlorine 3 t + ammonia 5 t: S = 3/5 + 5/10 = 1.1, a major hazard source; R = 1.5 × (4×3/5 + 2×5/10)
    # = 1.5 × 3.4 = 5.1: 四级
    row = _source_with_people(60.0, "chlorine; 液氨", "3;5")
    assert row["gb18218_S"] == pytest.approx(1.1) and row["gb18218_R"] == pytest.approx(5.1)
    assert row["gb18218_grade"] == "四级"


def test_only_a_major_hazard_source_is_graded_at_s_one_exactly():
    """GB 18218-2018 4.2 formula (1): a major hazard source when S = Σ q/Q ≥ 1. Chlorine 2.5 t + ammonia
    5 t: S = 0.5 + 0.5 = 1 exactly: graded (R = 1.5 × (4×2.5/5 + 2×5/10) = 4.5: 四级); 4.9 t of ammonia:
    S = 0.99, not graded (R 1.5 × 2.98 = 4.47 for reference); gasoline 30 t at a fuel station: S = 0.15."""
    row = _source_with_people(60.0, "氯; 氨", "2.5; 5")
    assert row["gb18218_S"] == pytest.approx(1.0) and row["gb18218_grade"] == "四级"
    assert row["gb18218_R"] == pytest.approx(4.5)
    row = _source_with_people(60.0, "氯; 氨", "2.5; 4.9")
    assert row["gb18218_S"] == pytest.approx(0.99) and row["gb18218_grade"] == ""
    assert row["gb18218_R"] == pytest.approx(1.5 * 2.98)
    assert row[
        "gb18218_basis"
    ] == "not a major hazard source (Σq/Q = 0.99 < 1, GB 18218-2018 4.2 formula (1)): " + (
        "no grade; R for reference: α 1.5 × (氯 4×2.5/5 + 氨 2×4.9/10); no unit written ('2.5', '4.9'): "
        "taken as tonnes"  # the quantities write no unit (session 16: said)
    )
    row = _source_with_people(150.0, "汽油", "30")
    assert row["gb18218_S"] == pytest.approx(0.15) and row["gb18218_grade"] == ""


def test_r_value_by_hand_grades_one_to_three():
    # chlorine 20 t, 150 people: α 2 × 4×20/5 = 32 -> 三级
    assert _source_with_people(150.0, "氯", "20")["gb18218_R"] == pytest.approx(32.0)
    assert _source_with_people(150.0, "氯", "20")["gb18218_grade"] == "三级"
    # LPG 1,000 t (Q 50, β 1.5), nobody within 500 m: α 0.5 × 30 = 15 -> 三级
    assert _source_with_people(0.0, "液化石油气", "1000")["gb18218_R"] == pytest.approx(15.0)
    # hydrogen 200 t (Q 5, β 1.5), 40 people: α 1.2 × 60 = 72 -> 二级
    row = _source_with_people(40.0, "hydrogen", "200")
    assert row["gb18218_R"] == pytest.approx(72.0) and row["gb18218_grade"] == "二级"
    # gasoline 20,000 t (Q 200, β 1), 10 people: α 1.0 × 100 = 100 -> 一级
    assert _source_with_people(10.0, "汽油", "20000")["gb18218_grade"] == "一级"


def test_quantities_written_with_their_unit_as_offices_do():
    """存量 "30吨" left the R value blank ("not a number of tonnes"); "-3" and "inf" gave a negative or
    infinite R. LPG 30 t, 150 people within 500 m: α 2 × 1.5×30/50 = 1.8, however 30 t is written (S =
    30/50 = 0.6 < 1: not a major hazard source, so no grade)."""
    for written in ("30", "30吨", "30 t", "30000kg", "30000 公斤"):
        row = _source_with_people(150.0, "液化石油气", written)
        assert row["gb18218_R"] == pytest.approx(1.8) and row["gb18218_S"] == pytest.approx(0.6), written
        assert row["gb18218_grade"] == "", written  # S = 30/50 < 1: no major hazard source (4.2 formula (1))
    for absurd in ("-3", "inf", "三十"):
        row = _source_with_people(150.0, "液化石油气", absurd)
        assert pd.isna(row["gb18218_R"]) and "is not a number of tonnes" in row["gb18218_basis"], absurd


def test_unlisted_substances_get_no_r_value():
    row = _source_with_people(60.0, "unobtainium", "3")
    assert pd.isna(row["gb18218_R"]) and row["gb18218_grade"] == ""
    assert "not in the GB 18218 table" in row["gb18218_basis"]


def test_one_unlisted_substance_leaves_the_r_value_unknown_not_understated():
    """Chlorine 20 t (α 2 × 16 = 32, 三级) stored with an unlisted substance: R from chlorine alone
    would be a lower bound graded as if complete; it is unknown, the basis giving the partial sum."""
    row = _source_with_people(150.0, "氯; unobtainium", "20; 500")
    assert pd.isna(row["gb18218_R"]) and row["gb18218_grade"] == ""
    assert "unobtainium" in row["gb18218_basis"] and "= 16, a lower bound" in row["gb18218_basis"]


# --- the responsibility list (责任清单) -----------------------------------------------------------


def test_responsibility_list_by_hand():
    from urbanrisk.screens.responsibility import department_table, response_level_table, responsibility_list

    cells = sorted(h3.grid_disk(CENTRE, 5))
    grid = grid_frame(cells)
    grid["residents"] = 10.0
    grid["grade"] = "IV"
    west_cell = h3.latlng_to_cell(LAT + 0.002, LON - 0.002, 10)
    red = [west_cell, *h3.grid_ring(west_cell, 1)[:2]]  # three touching cells in the north-west
    grid.loc[red, "grade"] = "I"
    fuel = gpd.GeoDataFrame(
        {"id": ["F1"], "kind": ["fuel"], "name": ["加油站"], "grade": ["II"], "residents_exposed": [123.0]},
        geometry=[Point(LON + 0.002, LAT - 0.002)],  # south-east: 东街道, no community there
        crs=4326,
    )
    gap = gpd.GeoDataFrame(
        {
            "standard": ["fire"],
            "gap": ["fire-gap-01"],
            "residents": [40.0],
            "resource_kind": ["fire_station"],
        },
        geometry=[box(LON - 0.003, LAT + 0.0005, LON - 0.001, LAT + 0.003)],  # holds the red cells
        crs=4326,
    )
    table = responsibility_list(
        grid,
        hazard_sources=fuel,
        gaps=gap,
        key_districts=None,
        urban_villages=None,
        units=_units(),
        departments=department_table(),
        response_levels=response_level_table(),
    ).set_index("item_id")
    assert set(table.index) == {"F1", "cluster-01", "fire-gap-01"}
    f1 = table.loc["F1"]
    assert (f1["district_name"], f1["street_name"], f1["community_id"]) == ("海淀区", "东街道", "unassigned")
    assert f1["department_zh"] == "商务局 / 应急管理局"
    assert f1["department_basis"].startswith("默认分工，请按本地“三定”核实")  # zh: "editable default"
    assert (f1["grade"], f1["response_level_zh"]) == ("II", "区级")
    cluster = table.loc["cluster-01"]
    assert cluster["grade"] == "I" and cluster["residents"] == 30.0 and cluster["response_level_zh"] == "市级"
    assert cluster["community_name"] == "西北社区" and cluster["department_zh"] == "应急管理局"
    assert cluster["name"] == "红橙风险片区 01（I级，3个网格单元）"  # every row someone acts on is named
    g = table.loc["fire-gap-01"]
    assert g["grade"] == "I"  # the worst cell it holds
    assert g["department_zh"] == "消防救援支队" and "消防法" in g["department_basis"]
    assert g["street_id"] == "S-W" and g["lon"] == pytest.approx(table.loc["fire-gap-01"].geometry.x)


def test_a_red_cluster_over_cells_of_unknown_residents_is_not_listed_with_0_residents():
    """By hand: two red clusters of three cells each; in the first one cell has residents unknown
    (known_residents false, 0 counted), in the second all three (a census unit's 不详). The first lists
    20 residents, a lower bound over 1/3 of its cells; the second listed 0 residents as if counted (the
    report and responsibility.csv said 0): now its share is 1 and the report says unknown."""
    from urbanrisk.outputs.i18n import translator
    from urbanrisk.outputs.report_sections import _gap_residents
    from urbanrisk.screens.responsibility import department_table, response_level_table, responsibility_list

    grid = grid_frame(sorted(h3.grid_disk(CENTRE, 6))).assign(
        residents=10.0, grade="IV", known_residents=True
    )
    west = h3.latlng_to_cell(LAT + 0.002, LON - 0.002, 10)
    east = h3.latlng_to_cell(LAT - 0.002, LON + 0.003, 10)
    first, second = [west, *h3.grid_ring(west, 1)[:2]], [east, *h3.grid_ring(east, 1)[:2]]
    assert not set(h3.grid_disk(west, 2)) & set(second)  # two clusters, apart
    grid.loc[first + second, "grade"] = "I"
    grid.loc[[first[0], *second], ["residents", "known_residents"]] = [0.0, False]
    table = responsibility_list(
        grid,
        hazard_sources=None,
        gaps=None,
        key_districts=None,
        urban_villages=None,
        units=None,
        departments=department_table(),
        response_levels=response_level_table(),
    ).set_index("item_id")
    counted, unknown = table.loc["cluster-01"], table.loc["cluster-02"]
    assert counted["residents"] == 20.0 and counted["residents_unknown_share"] == pytest.approx(1 / 3)
    assert unknown["residents"] == 0.0 and unknown["residents_unknown_share"] == 1.0
    shown = _gap_residents(table.reset_index(), translator("en"))["residents"].tolist()
    assert shown == [
        "≥ 20 (33% of its cells with residents unknown)",
        "unknown (residents unknown in all its cells)",
    ]
    zh = _gap_residents(table.reset_index(), translator("zh"))["residents"].tolist()
    assert zh[1] == "未知（全部单元常住人口未知）"


def _sources_listed(residents: dict[str, float], ids: list[str]) -> list[str]:
    """The responsibility list's item ids for fuel sources ``ids`` (in that input order) with the given
    residents, all at one point of a grid of grade IV cells."""
    from urbanrisk.screens.responsibility import department_table, response_level_table, responsibility_list

    grid = grid_frame(sorted(h3.grid_disk(CENTRE, 2))).assign(residents=10.0, grade="IV")
    exposed = [residents[i] for i in ids]
    sources = gpd.GeoDataFrame(
        {"id": ids, "kind": "fuel", "name": ids, "grade": "II", "residents_exposed": exposed},
        geometry=[Point(LON, LAT)] * len(ids),
        crs=4326,
    )
    table = responsibility_list(
        grid,
        hazard_sources=sources,
        gaps=None,
        key_districts=None,
        urban_villages=None,
        units=None,
        departments=department_table(),
        response_levels=response_level_table(),
    )
    return list(table["item_id"])


def test_responsibility_list_order_ignores_float_noise():
    """Two sources whose residents differ only in their last bits keep the sources' order (haz11 saw
    211 of 100,000 rows swap between two ways of summing the same circles)."""
    residents = {"A": 100.0, "B": 100.0 + 2e-12, "C": 250.0}  # B "more" than A by float noise only
    assert _sources_listed(residents, ["A", "B", "C"]) == ["C", "A", "B"]


def test_responsibility_list_breaks_ties_by_id_whatever_the_input_order():
    """Sources whose residents agree to a millionth (one 3e-12 "more", as another summing order gives)
    and an exact tie are listed by id, in whichever order the table comes: by hand, B first (250
    residents), then A, C, D at 100 (A < C < D as text), then E with fewer."""
    residents = {"C": 100.0 + 3e-12, "A": 100.0, "B": 250.0, "D": 100.0, "E": 99.9999}
    old = ["B", "C", "A", "D", "E"]  # the order before ties were broken by id
    assert _sources_listed(residents, ["C", "A", "B", "D", "E"]) == ["B", "A", "C", "D", "E"] != old
    assert _sources_listed(residents, ["D", "E", "B", "C", "A"]) == ["B", "A", "C", "D", "E"]


def test_a_run_writes_the_responsibility_list_for_excel(level_run):
    folder = level_run.run_dir
    raw = (folder / "responsibility.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel opens Chinese text right
    table = pd.read_csv(folder / "responsibility.csv", encoding="utf-8-sig")
    assert len(table) == len(pd.read_parquet(folder / "responsibility.parquet"))
    row = table.set_index("item_id").loc["CH1"]
    assert row["department_zh"] == "应急管理局" and row["district_id"] == 110108
    assert {"street_name", "response_level_zh", "lon", "lat"} <= set(table.columns)
    # whole people, as the office reads them (the Parquet table keeps the estimate's decimals)
    assert (table["residents"].dropna() % 1 == 0).all()
    exact = pd.read_parquet(folder / "responsibility.parquet").set_index("item_id")["residents"]
    assert (table.set_index("item_id")["residents"] - exact).abs().max() <= 0.5


# --- the report in Chinese -------------------------------------------------------------------------

#: Latin text allowed in the Chinese report: codes, units, standard numbers, data sources' names.
ALLOWED_LATIN = re.compile(
    r"^(?:I{1,3}|IV|H3|r\d+|ID|OSM|WGS84|GCJ-02|GB|T|R|Q|UTC|km|m|min|s|PM|AM|No|α|β|"
    r"urbanrisk|OpenStreetMap|ODbL|WorldPop|www|worldpop|org|CC|BY|docs|risk-model|md|manifest|json|"
    r"responsibility|csv|Excel|NFPA|CJJ|JGJ|osm|points|polygons|raster|population_from_buildings|"
    r"[a-z0-9_]+\.(?:osm|csv|xlsx|geojson|gpkg|tif|pbf)|"
    r"q|[\w-]+\.(?:json|md|org|csv)|www\.worldpop\.org|unassigned|cluster|[A-Z]{1,4}\d*|[0-9a-f]{15}|[A-Za-z]*\d[\w.-]*)$"
)


def _latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9]|[A-Za-z]", text))


@pytest.fixture(scope="module")
def zh_rescan(tmp_path_factory):
    """A Chinese report with unit levels and a chemical registry, rescanned after the registry grew."""
    from urbanrisk.rescan import rescan

    tmp_path = tmp_path_factory.mktemp("zh")
    recipe = _level_recipe(tmp_path)
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["title"] = "北京市海淀区五道口 城市风险普查"
    body["report"] = {"language": "zh"}
    recipe = write_recipe(tmp_path, body)
    ur.run_recipe(recipe)
    with (tmp_path / "chemicals.csv").open("a", encoding="utf-8") as f:
        f.write("CH2,chemical,某液氯储存点,氯,30,116.3180,40.0020\n")
    (tmp_path / "shelters.csv").write_text(
        SHELTERS.replace(SHELTERS.splitlines()[-1] + "\n", ""), encoding="utf-8"
    )
    return rescan(recipe)


def test_zh_report_has_no_english_outside_names_and_codes(zh_rescan, browser, tmp_path):  # noqa: F811
    folder = zh_rescan.run_dir
    assert (folder / "changes.parquet").is_file()
    names = set(yaml.safe_load((folder / "manifest.json").read_text(encoding="utf-8"))["recipe"]["layers"])
    tables = (
        "hazard_sources",
        "communities",
        "key_districts",
        "urban_villages",
        "responsibility",
        "resilience",
    )
    for name in tables:
        table = pd.read_parquet(folder / f"{name}.parquet")
        columns = (
            "name",
            "id",
            "item_id",
            "resource_id",
            "vulnerable_names",
            "breaches",
            "top_hazards",
            "hazards",
        )
        for column in columns:
            if column in table.columns:
                names |= {w for value in table[column].astype(str) for w in _latin_words(value)}
    page = open_page(browser, folder / "report.html", 1100, 1400)
    text = page.inner_text("body")
    page.screenshot(path=str(tmp_path / "report_zh.png"), full_page=True)
    pdf = page.pdf(format="A4")
    page.close()
    assert "\ufffd" not in text and "Ã" not in text  # no mojibake
    for heading in (
        "各风险等级常住人口",
        "危险源点",
        "重大危险源辨识（GB 18218-2018）",
        "分级风险清单",
        "责任清单",
        "与上次运行相比的变化",
        "应急资源覆盖",
    ):
        assert heading in text
    leftover = sorted(w for w in _latin_words(text) - names if not ALLOWED_LATIN.match(w))
    assert leftover == [], f"English left in the Chinese report: {leftover}"
    assert pdf[:4] == b"%PDF" and pdf.count(b"/Type /Page") >= 3  # A4 pages, sections break onto pages
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "size: A4" in html and "break-before: page" in html and 'lang="zh-CN"' in html


def test_en_report_stays_the_default(level_run):
    html = (level_run.run_dir / "report.html").read_text(encoding="utf-8")
    assert "Residents per grade" in html and "Risk registers by level" in html and 'lang="en"' in html
    assert "responsibility note" not in html and "Responsibility list" in html


# --- alerts --------------------------------------------------------------------------------------------


def test_alerts_are_readable_utf8_with_units_coordinates_and_residents(zh_rescan):
    import json

    from urbanrisk.layers.coords import wgs84_to_gcj02

    raw = (zh_rescan.run_dir / "alerts.json").read_text(encoding="utf-8")
    assert "\\u" not in raw and "某液氯储存点" in raw  # Chinese as written, no \uXXXX
    alerts = json.loads(raw)["escalations"]
    hazard = next(a for a in alerts if a["id"] == "CH2")
    assert hazard["units"]["district"]["name"] == "海淀区" and hazard["units"]["street"]["name"] == "西街道"
    glon, glat = wgs84_to_gcj02(hazard["lon"], hazard["lat"])
    assert hazard["gcj02"] == {"lon": round(float(glon), 6), "lat": round(float(glat), 6)}
    assert hazard["gcj02"]["lon"] != hazard["lon"]  # inside China the offset is hundreds of metres
    assert hazard["residents"] > 0
    # removing shelter SH2 leaves residents beyond the 500 m walk: an alert naming it, in residents
    lost = next(a for a in alerts if a["kind"] == "coverage shelter")
    assert lost["removed_resources"] == ["SH2"] and lost["residents"] > 0 and lost["cells"] >= 1
    assert lost["name"] == "测试避难场所二"  # the removed shelter by name (the alert had none)
    assert "SH2" in lost["explanation"] and set(lost["units"]) == {"district", "street"}


def test_zh_alerts_explain_in_chinese_outside_names_and_codes(zh_rescan):
    import json

    alerts = json.loads((zh_rescan.run_dir / "alerts.json").read_text(encoding="utf-8"))["escalations"]
    assert {"cell", "hazard_source", "coverage shelter"} <= {a["kind"] for a in alerts}
    sources = pd.read_parquet(zh_rescan.run_dir / "hazard_sources.parquet")
    names = {w for value in [*sources["name"], *sources["id"]] for w in _latin_words(str(value))}
    for alert in alerts:
        found = {alert["id"], alert["name"], *alert.get("removed_resources", [])}
        names |= {w for value in found for w in _latin_words(str(value))}
    leftover = {
        w for a in alerts for w in _latin_words(a["explanation"]) - names if not ALLOWED_LATIN.match(w)
    }
    assert leftover == set(), f"English left in the Chinese alerts: {sorted(leftover)}"
    by_id = {a["id"]: a["explanation"] for a in alerts}
    assert by_id["CH2"].startswith("新增危险化学品场所：严重度一级（4）× ")  # 一级: the chemical kind's 4
    assert "500 米内常住人口" in by_id["CH2"]
    assert (
        by_id["shelter-coverage-lost"].startswith("资源 SH2 已移除；")
        and "应急避难场所标准" in by_id["shelter-coverage-lost"]
    )
    # severity by its level name, 一级 the most severe (urbanrisk's 4: the chemical kind's default)
    assert any("附近危险源：危险化学品场所 某液氯储存点（严重度一级）" in a["explanation"] for a in alerts)


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        (
            "new fuel station: severity 3 x consequence 2 = 6: 1,512 residents within 300 m; 2 vulnerable "
            "site(s); 1 standard(s) breached; breaches: school 某小学 at 40 m < 50 m (GB 50156-2021 4.0.4)",
            "新增加油站：严重度二级（3）× 后果 2 = 6：300 米内常住人口 1,512 人；脆弱场所 2 处；"
            "违反间距标准 1 项；"
            "违反间距：学校 某小学 距离 40 米 < 50 米（GB 50156-2021）",
        ),
        (
            "urban-village form (score 0.71); 3 vulnerable sites (schools, hospitals...) within ~100 m; "
            "12 crowd-gathering places within ~100 m",
            "城中村形态（得分 0.71）；约 100 米内脆弱场所（学校、医院等）3 处；约 100 米内人员密集场所 12 处",
        ),
        (
            "no data: too little measured here to grade (nothing notable)",
            "无数据：可测量内容过少，无法评级（无突出因素）",
        ),
        (
            "fuel station 中石化 (II); hazardous-chemical site C1 (I)",
            "加油站 中石化（II级）；危险化学品场所 C1（I级）",  # grades as the zh register writes them
        ),
    ],
)
def test_alert_explanations_in_chinese_and_english_as_written(english, chinese):
    from urbanrisk.outputs.i18n_alerts import alert_explanation, localised_alerts

    labels = {"fuel station": "加油站", "hazardous-chemical site": "危险化学品场所"}
    assert alert_explanation(english, "zh", labels) == chinese
    alerts = [{"id": "x", "explanation": english}]
    assert localised_alerts(alerts, "en", labels) == alerts
    assert localised_alerts(alerts, "zh", labels) == [{"id": "x", "explanation": chinese}]


# --- the planner's map (四色图) ---------------------------------------------------------------------


def test_map_has_a_layer_per_standard_level_and_letters_and_renders(level_run, browser, tmp_path):  # noqa: F811
    page_html = (level_run.run_dir / "map.html").read_text(encoding="utf-8")
    standards = set(level_run.coverage.gaps["standard"])
    assert standards  # the shelter and medical standards leave gaps in this run
    for layer_id in [*(f"gaps:{s}" for s in standards), "units:district", "units:street", "impact_radius"]:
        assert f'data-layer="{layer_id}"' in page_html  # its own toggle
    assert '"id": "resources:letters"' in page_html or '"id":"resources:letters"' in page_html
    assert '"S"' in page_html  # shelters are lettered S
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.set_default_timeout(PAGE_TIMEOUT_MS)  # a loaded machine: conditions, not sleeps
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto((level_run.run_dir / "map.html").resolve().as_uri())
    drawn = deck_drawn(page)
    with_units = page.screenshot(path=str(tmp_path / "map.png"))
    page.click("input[data-layer='units:street']")
    deck_drawn(page, drawn)
    without = page.screenshot()
    page.close()
    assert errors == []
    assert with_units != without  # the street boundary is drawn and its toggle hides it
    import warnings

    import rasterio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)  # a PNG has no CRS
        with rasterio.open(tmp_path / "map.png") as png:
            rgb = png.read([1, 2, 3])
    dark = ((rgb < 40).all(axis=0)).mean()
    assert dark < 0.05  # the boundaries are lines, not a dark sheet over the map


def test_impact_circles_reach_deck_as_metres_not_as_an_expression():
    """pydeck turns every string argument into an accessor expression: ``radius_units="meters"`` became
    a function in deck.gl's radiusUnits and no impact circle was drawn. Only accessors (get*) may be
    expressions."""
    import json
    from types import SimpleNamespace

    import pydeck as pdk

    from urbanrisk.outputs.planner_layers import impact_layer

    hazards = gpd.GeoDataFrame(
        {"id": ["H1"], "name": ["北邮液化气站"], "impact_radius_m": [200.0], "grade": ["II"]},
        geometry=[Point(LON, LAT)],
        crs=4326,
    )
    layers = impact_layer(SimpleNamespace(screens=SimpleNamespace(hazard_sources=hazards)))
    spec = json.loads(pdk.Deck(layers=layers).to_json())["layers"]
    expressions = {k for one in spec for k, v in one.items() if isinstance(v, str) and v.startswith("@@=")}
    assert expressions == {"getPosition", "getRadius", "getLineColor"}
    assert spec[0]["data"][0]["radius"] == 200.0 and spec[0].get("radiusUnits", "meters") == "meters"


def test_zh_report_names_n1_standards_in_chinese_and_credits_no_raster_it_did_not_use(zh_rescan):
    """The N-1 section said "fire" / "medical" in a Chinese report, and every report credited WorldPop
    even when residents came from buildings (no raster layer)."""
    html = (zh_rescan.run_dir / "report.html").read_text(encoding="utf-8")
    n1 = html[html.index("单点失效分析") :]
    n1 = n1[: n1.index("</table>")]
    losses = pd.read_parquet(zh_rescan.run_dir / "resilience.parquet")
    assert len(losses) and set(losses["standard"]) <= {"fire", "medical", "shelter"}
    for standard, zh in (("medical", "医疗急救"), ("shelter", "应急避难场所")):
        if standard in set(losses["standard"]):
            assert f"<b>{zh}</b>" in n1 and f"<td>{zh}</td>" in n1 and f">{standard}<" not in n1
    assert "WorldPop" not in html and "人口栅格" not in html
    assert "地图数据 © OpenStreetMap 贡献者（ODbL）。</p>" in html  # a Chinese full stop


def test_community_status_says_how_many_units_are_the_recipes_polygons():
    """Polygons that cover part of the area (or none of it: a careless bbox) left the status saying
    "N units from recipe polygons layer" when most or all of them were H3 parent cells."""
    from urbanrisk.outputs.i18n import data_text
    from urbanrisk.screens.communities import community_units

    grid = _graded_grid()
    west = gpd.GeoDataFrame(
        {"id": ["W"], "name": ["西社区"]}, geometry=[box(LON - 1, LAT - 1, LON, LAT + 1)], crs=4326
    )
    units, assignment, how = community_units(grid, polygons=west, landuse=None, utm_crs=UTM50)
    parents = int((units["unit_source"] == "h3_parent").sum())
    assert parents > 0 and (assignment == "W").sum() > 0
    assert how == f"recipe polygons layer (1 unit), other cells by H3 parent cell ({parents} units)"
    assert data_text(f"ok: {len(units)} units from {how}", "zh") == (
        f"完成：{len(units)} 个单元（来自配方的面图层 1 个，面外网格单元按 H3 上级单元 {parents} 个）"
    )
    far = west.set_geometry([box(LON + 60, LAT, LON + 61, LAT + 1)])
    assert community_units(grid, polygons=far, landuse=None, utm_crs=UTM50)[2].startswith(
        "recipe polygons layer (0 units), other cells by H3 parent cell"
    )
    whole = west.set_geometry([box(LON - 1, LAT - 1, LON + 1, LAT + 1)])
    assert community_units(grid, polygons=whole, landuse=None, utm_crs=UTM50)[2] == "recipe polygons layer"


def test_zh_map_warns_in_chinese(zh_rescan):
    """The map of a Chinese run warned in English ("shelter coverage: no shelter in the data ...")."""
    from urbanrisk.outputs.html import escape_text
    from urbanrisk.outputs.i18n import data_text

    html = (zh_rescan.run_dir / "map.html").read_text(encoding="utf-8")
    warnings = yaml.safe_load((zh_rescan.run_dir / "manifest.json").read_text(encoding="utf-8"))["warnings"]
    assert warnings
    for warning in warnings:
        assert escape_text(data_text(warning, "zh")) in html and escape_text(warning) not in html


def test_gaps_are_outlined_not_tinted_so_grade_colours_stay_true():
    """A translucent red gap fill over grade III (yellow) cells read as grade II (orange) on the map."""
    import json
    from types import SimpleNamespace

    import pydeck as pdk

    from urbanrisk.outputs.planner_layers import gap_layers

    gaps = gpd.GeoDataFrame(
        {
            "standard": ["fire"],
            "gap": ["fire-1"],
            "worst_travel": [420.0],
            "unit": ["s"],
            "residents": [4104.0],
        },
        geometry=[box(LON, LAT, LON + 0.002, LAT + 0.002)],
        crs=4326,
    )
    layers = gap_layers(SimpleNamespace(coverage=SimpleNamespace(gaps=gaps)))
    (spec,) = json.loads(pdk.Deck(layers=layers).to_json())["layers"]
    assert spec["id"] == "gaps:fire" and spec["filled"] is False and "getFillColor" not in spec
    assert spec["stroked"] is True and spec["getLineColor"][:3] == [200, 0, 0]


def test_incident_notifies_the_units_of_every_level_by_level(level_run, tmp_path):
    """With 区 and 街道 polygons, the units to notify were only the communities screen's units, labelled
    "polygons": the streets were missing. Now every level's units are listed under their level."""
    answer = ur.answer_incident(
        level_run.recipe, at=(116.3195, 40.0), kind="gas_leak", out=tmp_path / "incident"
    )
    units = answer.units.set_index("id")
    assert "polygons" not in set(units["level"])
    assert units.loc["110108", "level"] == "district" and units.loc["110108", "distance_m"] == 0.0
    assert units.loc["S1", "level"] == "street" and units.loc["S1", "distance_m"] == 0.0
    assert units.loc["S2", "level"] == "street" and 35 < units.loc["S2", "distance_m"] < 50  # 0.0005° east
    assert bool(units.loc["S2", "in_evacuation"])  # gas_leak evacuates 100 m


def test_cells_that_lost_coverage_say_so_first(zh_rescan):
    """Cells escalated after a shelter was removed were explained by their top factors only (building
    coverage, residents...), never by the lost coverage that raised them."""
    from urbanrisk.grid_dataset import read_grid

    old = read_grid(zh_rescan.previous, geometry=False)
    new = read_grid(zh_rescan.run_dir, geometry=False)
    both = old.index.intersection(new.index)
    was, now = old.loc[both, "shelter_covered"], new.loc[both, "shelter_covered"]
    lost = set(both[(was == True) & (now == False)])  # noqa: E712 (None: unknown, neither)
    changes = pd.read_parquet(zh_rescan.run_dir / "changes.parquet").query("kind == 'cell'").set_index("id")
    assert lost & set(changes.index)  # the case has cells whose grade changed with the coverage lost
    for cell, row in changes.iterrows():
        assert row["explanation"].startswith("shelter coverage lost; ") == (cell in lost), cell
    alerts = json.loads((zh_rescan.run_dir / "alerts.json").read_text(encoding="utf-8"))["escalations"]
    cells = [a for a in alerts if a["kind"] == "cell" and a["id"] in lost]
    assert cells and all(a["explanation"].startswith("应急避难场所覆盖丧失；") for a in cells)


# --- every page and line a Chinese office sees ------------------------------------------------------


def _english_phrases(catalogue: dict[str, str]) -> set[str]:
    """The catalogue's English UI phrases: each key's literal parts (between its {placeholders}) of two
    or more words with no Chinese in them."""
    import html

    phrases = set()
    for key in catalogue:
        for part in re.split(r"\{[^}]*\}", html.unescape(key)):
            part = part.strip(" :·,#%()'`")  # a key's quotes: `severity_column '` is an identifier
            if (
                not re.search(r"[\u3000-\u9fff\uff00-\uffef]", part)
                and len(re.findall(r"[A-Za-z]{2,}", part)) >= 2
                and " " in part  # words, not an identifier (drive_service)
            ):
                phrases.add(part)
    return phrases


def _visible(path) -> str:
    """A page's text as shown: its HTML outside scripts and styles, and the map's tooltips."""
    import html

    from urbanrisk.outputs.map_compact import expand_tip

    page = path.read_text(encoding="utf-8")
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    parts = re.search(r"const urTipParts = (\[.*?\]);\n", page)  # the map's tips, put back whole
    parts = json.loads(parts.group(1)) if parts else []
    tips = [
        expand_tip(json.loads(f'"{tip}"'), parts) for tip in re.findall(r'"tip":\s*"((?:[^"\\]|\\.)*)"', page)
    ]
    return html.unescape(re.sub(r"<[^>]+>", " ", body + " ".join(tips)))


def test_zh_run_incident_and_their_lines_leave_no_english_ui_phrase(zh_rescan, level_run, tmp_path, capsys):
    """A Chinese office's `run` printed its summary in English, incident.html was English throughout
    (headings, columns, tooltips, notes) and the map's legend, toggles and tooltips too; and so did
    `validate`, `history`, `diff` (the language of the recipe stored with the runs) and `rescan`."""
    import dataclasses

    from urbanrisk.cli import main
    from urbanrisk.cli_lines import incident_lines, rescan_lines, run_lines
    from urbanrisk.outputs.i18n import ZH, translator
    from urbanrisk.recipe.schema import ReportSpec

    recipe = level_run.recipe.model_copy(update={"report": ReportSpec(language="zh")})
    zh_run = dataclasses.replace(level_run, recipe=recipe)  # the same run, read by a Chinese office
    answer = ur.answer_incident(recipe, at=(116.3195, 40.0), kind="燃气泄漏", out=tmp_path / "inc")
    texts = {
        "report.html": _visible(zh_rescan.run_dir / "report.html"),
        "map.html": _visible(zh_rescan.run_dir / "map.html"),
        "incident.html": _visible(tmp_path / "inc" / "incident.html"),
        "run lines": "\n".join(run_lines(zh_run)),
        "incident lines": "\n".join(incident_lines(answer, "燃气泄漏")),
    }
    stored = json.loads((zh_rescan.run_dir / "manifest.json").read_text(encoding="utf-8"))["recipe_path"]
    for name, argv in {
        "validate": ["validate", stored],
        "history": ["history", stored],
        "diff": ["diff", str(zh_rescan.previous), str(zh_rescan.run_dir)],
    }.items():
        assert main(argv) == 0, name
        texts[name] = capsys.readouterr().out
    texts["rescan"] = "\n".join(rescan_lines(zh_rescan, stored, 12.3, "zh"))
    phrases = _english_phrases(ZH)
    assert len(phrases) > 100 and "Units to notify" in phrases and "residents within" in phrases
    for name, text in texts.items():
        assert sorted(p for p in phrases if p in text) == [], name
    assert "网格单元：" in texts["run lines"] and "各阶段用时（秒）：" in texts["run lines"]
    assert "需通知单元" in texts["incident lines"] and "突发事件 燃气泄漏" in texts["incident lines"]
    assert "需通知的单元" in texts["incident.html"] and "风险等级（网格单元）" in texts["map.html"]
    assert "检查通过（7 个图层" in texts["validate"] and "（最新）" in texts["history"]
    assert "运行目录：" in texts["rescan"] and "应急避难场所覆盖 丧失" in texts["rescan"]
    lost = "警报 应急避难场所覆盖 shelter-coverage-lost 测试避难场所二：新增 → 无：资源 SH2 已移除"
    assert (
        lost in texts["rescan"] and "项变化" in texts["diff"] and "警报 危险源 CH2：新增 → I" in texts["diff"]
    )
    assert run_lines(level_run)[0].startswith("  cells: ")  # English stays English
    assert translator("en")("  cells: {cells} at H3 resolution {resolution}", cells="12", resolution=10) == (
        "  cells: 12 at H3 resolution 10"
    )


_CHINESE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def test_zh_recipe_and_file_errors_leave_no_english_ui_phrase(tmp_path, capsys):
    """Every error of a recipe and its layers' files was English to a Chinese office: now Chinese, the
    file, line numbers and key paths as written (and English recipes' as they were)."""
    from urbanrisk.cli import main
    from urbanrisk.outputs.i18n import ZH

    texts = {}
    # a Chinese office's recipe with a problem in nearly every part, and one whose grid is absurd
    shutil.copy(ROOT / "layers" / "beijing-wudaokou" / "hazards.csv", tmp_path / "hazards.csv")
    base = {
        "name": "demo",
        "area": {"bbox": [116.30, 39.99, 116.33, 40.01]},
        "grid": {"resolution": 10},
        "layers": {},
        "outputs": {"dir": "out"},
    }
    bad = {
        **base,
        "area": {"bbox": [39.99, 116.30, 40.01, 116.33]},
        "grid": {"resolutio": 10},
        "layers": {
            "osm": {"type": "osmm", "path": "none.osm"},
            "haz": {"type": "points", "path": "hazards.csv", "lon": "x", "severity_column": "severity"},
            "pop": {"type": "population_from_buildings", "source": "nothing"},
        },
        "compute": {"scheduler": "gpu"},
        "grading": {"thresholds": [1, 2, 3], "method": "best"},
        "outputs": {"dir": "out", "keep": -1},
    }
    files = {
        **base,
        "layers": {
            "haz": {"type": "points", "path": "hazards.csv", "lon": "x", "kind_column": "nokind"},
            "res": {"type": "points", "path": "hazards.csv", "role": "resource", "complete_for": ["rocket"]},
            "sev": {
                "type": "points",
                "path": "sev.csv",
                "severity": {"column": "级别", "order": "4_is_most_severe"},
            },
        },
    }
    (tmp_path / "sev.csv").write_text(
        "id,kind,lon,lat,级别\nA,fuel,116.31,40.0,5\nB,fuel,116.32,40.0,一级\nC,fuel,116.32,40.0,\n",
        encoding="utf-8",
    )
    for name, body in {"bad": bad, "files": files, "huge": {**base, "grid": {"resolution": 15}}}.items():
        for language in ("zh", "en"):
            path = write_recipe(
                tmp_path, {**body, "report": {"language": language}}, f"{name}-{language}.yaml"
            )
            assert main(["validate", str(path)]) == 2
            texts[f"{name} {language}"] = capsys.readouterr().err
    broken = tmp_path / "broken.yaml"  # not YAML at all: the language it asks for is still read
    broken.write_text("name: demo\nreport: {language: zh}\ngrid: [a\n  b: c\n", encoding="utf-8")
    assert main(["validate", str(broken)]) == 2
    texts["broken"] = capsys.readouterr().err
    assert "broken.yaml:4: 不是有效的 YAML" in texts["broken"]
    phrases = _english_phrases(ZH)
    assert "problem(s) in the layers' files" in phrases and "no runs yet" in phrases
    for name, text in texts.items():
        if not name.endswith(" en"):
            assert sorted(p for p in phrases if p in text) == [], name
    for name in ("bad zh", "files zh"):
        problems = texts[name].splitlines()[1:]
        assert len(problems) >= 5
        assert all(_CHINESE.search(line.split(": ", 2)[-1]) for line in problems), texts[name]
    english = texts["bad en"].splitlines()
    chinese = texts["bad zh"].replace("bad-zh.yaml", "bad-en.yaml").splitlines()
    places = [line.split(": ", 2)[0] + ": " + line.split(": ", 2)[1] for line in english[1:]]
    assert places == [line.split(": ", 2)[0] + ": " + line.split(": ", 2)[1] for line in chinese[1:]]
    assert re.search(
        r"bad-zh.yaml:\d+: grid.resolutio: 未知的键 'resolutio'：是否应为 'resolution'？", texts["bad zh"]
    )
    assert re.search(
        r"bad-en.yaml:\d+: grid.resolutio: unknown key 'resolutio': did you mean", texts["bad en"]
    )
    assert "未知的应急资源类别 'fuel'（第 2 行）、'industrial'（第 3 行）" in texts["files zh"]
    assert (
        "第 2 行：'5' 不是等级" in texts["files zh"] and "；第 4 行：严重度为空；请填写" in texts["files zh"]
    )
    assert texts["huge zh"].startswith("urbanrisk：错误：") and "强制运行" in texts["huge zh"]
    assert texts["huge en"].startswith("urbanrisk: error: resolution 15 over")


def test_every_check_template_rewrites_its_own_message():
    """Each English template of the checks' catalogue, filled in, comes out as its Chinese, filled in:
    no template shadowed by another, none that cannot match."""
    import string

    from urbanrisk.outputs.i18n_checks import ZH_CHECKS, check_text

    samples = {"line": "12", "n": "3", "row": "4", "key": "grid.resolution", "message": "fix the path"}
    for english, chinese in ZH_CHECKS.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(english) if f}
        values = {f: samples.get(f, f"V{i}") for i, f in enumerate(sorted(fields))}
        expected = chinese.format_map({**values, "message": "请改正路径"})
        assert check_text(english.format_map(values), "zh") == expected, english


def test_coverage_lost_alert_names_every_unit_its_cells_fall_in(zh_rescan):
    """The alert for shelter SH2's removal named the 街道 at the centroid of the lost cells, though they
    may lie in several: now every unit at every level, with the residents each lost, largest first."""
    import h3 as h3lib

    from urbanrisk.loss_units import units_of_cells, units_text
    from urbanrisk.outputs.i18n_alerts import alert_explanation

    old = pd.read_parquet(zh_rescan.previous / "coverage.parquet").query("standard == 'shelter'")
    new = pd.read_parquet(zh_rescan.run_dir / "coverage.parquet").query("standard == 'shelter'")
    both = old.merge(new, on="h3_cell", suffixes=("_old", "_new"))
    lost = both[both["covered_old"] & ~both["covered_new"] & (both["residents_new"] > 0)]
    lon = np.array([h3lib.cell_to_latlng(c)[1] for c in lost["h3_cell"]])
    # by hand: the streets are the boxes west and east of lon 116.3200 (a cell counts by its centre)
    by_hand = lost.groupby(np.where(lon >= 116.32, "东街道", "西街道"))["residents_new"].sum()
    alerts = json.loads((zh_rescan.run_dir / "alerts.json").read_text(encoding="utf-8"))["escalations"]
    alert = next(a for a in alerts if a["id"] == "shelter-coverage-lost")
    streets = alert["units_lost"]["street"]
    assert [u["name"] for u in streets] == list(by_hand.sort_values(ascending=False).index)
    assert [u["residents"] for u in streets] == pytest.approx(
        list(by_hand.sort_values(ascending=False)), abs=0.1
    )
    (district,) = alert["units_lost"]["district"]
    assert district["name"] == "海淀区" and district["residents"] == pytest.approx(
        alert["residents"], abs=0.2
    )
    assert (
        "；按街道：" + "、".join(f"{u['name']} {u['residents']:,.0f} 人" for u in streets)
        in alert["explanation"]
    )
    # the same lost cells under five streets cut between them (west to east): every one named
    cuts = np.quantile(lon, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    cuts[0], cuts[-1] = cuts[0] - 0.01, cuts[-1] + 0.01
    five = gpd.GeoDataFrame(
        {"id": [f"S{i}" for i in range(5)], "name": [f"街道{i}" for i in range(5)]},
        geometry=[box(cuts[i], 39.9, cuts[i + 1], 40.1) for i in range(5)],
        crs=4326,
    )
    units = units_of_cells(lost.set_index("h3_cell")["residents_new"], {"street": five})["street"]
    expected = lost.groupby(np.searchsorted(cuts, lon, side="right") - 1)["residents_new"].sum()
    expected = expected.rename(lambda i: f"街道{i}").sort_values(ascending=False)
    assert [u["name"] for u in units] == list(expected.index) and len(units) >= 4
    assert [u["residents"] for u in units] == pytest.approx(list(expected), abs=0.1)
    text = units_text({"street": units})
    assert text.endswith(f" and {len(units) - 3} more ({len(units)} in all)")
    english = f"9 residents in 1 cell no longer reached within the shelter standard{text}"
    assert alert_explanation(english, "zh").endswith(f"人等 {len(units)} 个街道")


def test_zh_breaches_name_their_source_in_chinese_for_every_safety_distance():
    """A breach's source may hold '; ' (危险化学品安全管理条例 art. 19; screening value): it split the
    breach in two and left it English in a zh report (found by a newcomer's Baltimore recipe)."""
    from urbanrisk.outputs.i18n import sites_text

    table = pd.read_csv(ROOT / "src/urbanrisk/tables/safety_distances.csv", comment="#")
    for row in table.itertuples():
        breach = f"hospital Bayview Medical Center at 0 m < {row.min_distance_m:.0f} m ({row.source})"
        text = sites_text(f"{breach} | school 101 at 5 m < 50 m (GB 50156-2021)", "zh")
        assert text.count("距离") == 2, text
        assert not set(re.findall(r"[A-Za-z]{3,}", text)) - {"Bayview", "Medical", "Center"}, text


def test_counts_of_one_are_singular_in_english_and_translated_in_chinese():
    """The CLI printed "1 resources" for Baltimore's one shelter; the Chinese text reads either form."""
    from urbanrisk.outputs.i18n import data_text
    from urbanrisk.wording import counted

    assert [counted(n, "resource") for n in (0, 1, 2)] == ["0 resources", "1 resource", "2 resources"]
    shelter = "ok: shelter by walk within 500 m; 1 resource; 37,521 of 39,272 residents uncovered"
    assert data_text(shelter, "zh") == "完成：1 处资源；39,272 人中 37,521 人未覆盖"
    assert data_text(shelter.replace("1 resource", "3 resources"), "zh").startswith("完成：3 处资源；")
    for english, chinese in {
        "ok: 1 source": "完成：1 个危险源",
        "ok: 1 district": "完成：1 个重点地区",
        "ok: 1 cluster": "完成：1 个片区",
        "ok: 1 unit from H3 parent cells": "完成：1 个单元（H3 上级单元）",
    }.items():
        assert data_text(english, "zh") == chinese


def test_points_outside_the_area_and_unsnapped_resources_are_said_rightly_in_chinese():
    """A registry station a few metres past the area's edge served every cell while the note said
    "not counted"; a station inside a campus (733 m from a drive street) was dropped, and the Chinese
    status cut that off with the rest of the line."""
    from urbanrisk.inputs import check_points_inside
    from urbanrisk.outputs.i18n import data_text

    points = gpd.GeoDataFrame(geometry=[Point(LON, LAT), Point(LON + 2, LAT)], crs=4326)
    area = box(LON - 1, LAT - 1, LON + 1, LAT + 1)
    note = check_points_inside(points, area, "resources")
    assert note.startswith("resources: 1 of 2 points lie outside the study area: used for coverage where")
    assert data_text(note, "zh").startswith("应急资源：2 个点中 1 个位于研究区外：能在标准时间内到达研究区的")
    assert data_text(check_points_inside(points, area, "hazards"), "zh").startswith("危险源：2 个点中 1 个")
    status = (
        "ok: fire_station by drive within 5 min (incl. 60 s turnout); 1 resource; 5 of 9 residents "
        "uncovered; 1 resource too far from a street, not used: XF-01 (733 m from a street)"
    )
    assert data_text(status, "zh") == (
        "完成：1 处资源；9 人中 5 人未覆盖；另有 1 处资源距道路过远、未计入：XF-01（距道路 733 米）"
    )


def test_community_status_without_a_residential_area_in_reach_says_h3_parents():
    """An area past the extract: "6 units from OSM residential land use" when all 6 were H3 parents."""
    from urbanrisk.screens.communities import community_units

    grid = _graded_grid()
    far = gpd.GeoDataFrame(
        {"key": ["landuse"], "value": ["residential"], "osm_ref": ["way/1"], "name": ["远方小区"]},
        geometry=[box(LON + 60, LAT, LON + 61, LAT + 1)],
        crs=4326,
    )
    units, _, how = community_units(grid, polygons=None, landuse=far, utm_crs=UTM50)
    assert how == "H3 parent cells" and (units["unit_source"] == "h3_parent").all()
    near = far.set_geometry([box(LON - 1, LAT - 1, LON + 1, LAT + 1)])
    assert community_units(grid, polygons=None, landuse=near, utm_crs=UTM50)[2].startswith("OSM residential")


def _page_text(html: str) -> str:
    """A page's text without its tags, entities read."""
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", " ", html))


def test_zh_deliverables_use_one_shelter_term_full_width_punctuation_and_chinese_hazards(zh_rescan):
    """Read as an office reads them: the facility is 应急避难场所 everywhere (the report said 应急避难覆盖
    and 数据中没有应急避难); no ASCII colon or bracket after Chinese words (人口来源: , 社区: 西街道,
    应急避难场所 (S): , 建议选址 (+), 急救中心建设标准 (建标177-2016)); a register's hazards in Chinese,
    in the report and in its own column of the register files (they stayed English: 'chemical site')."""
    folder = zh_rescan.run_dir
    report = (folder / "report.html").read_text(encoding="utf-8")
    page = (folder / "map.html").read_text(encoding="utf-8")
    for text in (_page_text(report), page):
        assert not re.search(r"应急避难(?!场所)", text)
        assert not re.findall(r"[\u4e00-\u9fff）][:(]|[\u4e00-\u9fff] [:(]", text)
    assert "应急避难场所覆盖" in report and "街道：" in page
    assert "</span>建筑轮廓</label>" in page and "</span>建筑数</label>" not in page  # a layer, not a count
    street = pd.read_parquet(folder / "register_street.parquet")
    reached = street.loc[street["hazards"] != "", ["hazards", "hazards_zh"]]
    assert len(reached) and reached["hazards"].str.contains("chemical site").all()
    parts = [part for text in reached["hazards_zh"] for part in text.split("；")]
    assert all(re.fullmatch(r"危险化学品场所 \S+（((I|II|III|IV)级|无数据)）", part) for part in parts), parts
    registers = report[report.index("分级风险清单") :]
    registers = registers[: registers.index("</section>")]
    assert "危险化学品场所 某化工仓库（" in registers and "chemical" not in registers


def test_report_tables_right_align_every_number_bounded_or_not(level_run):
    """The registers' uncovered-people columns lost right alignment when their bounds were worded
    before the table was built; they, the coverage table's and the N-1 table's sums are right-aligned
    numbers, as every other count."""
    report = (level_run.run_dir / "report.html").read_text(encoding="utf-8")
    registers = report[report.index("Risk registers by level") :]
    registers = registers[: registers.index("</section>")]
    uncovered = [c for c in level_run.screens.registers["street"].columns if c.startswith("uncovered_")]
    assert uncovered and registers.count('<th class="n">uncovered (') == 2 * len(uncovered)  # 2 levels
    for table in re.findall(r"<table>.*?</table>", registers):
        numbers = table.count('<th class="n">')
        rows = re.findall(r"<tr><td.*?</tr>", table)
        assert rows and numbers >= 7 and all(row.count('<td class="n">') == numbers for row in rows)
    assert '<th class="n">residents uncovered</th>' in report
    assert '<th class="n">residents lost if closed</th>' in report


def test_the_map_cells_carry_their_supply_when_resources_have_capacities(level_run):
    """The run's map (grid_deck on what the write stage gives the map task, map_input, which left the
    coverage table out): each cell's tooltip ends with its 2SFCA supply, from the coverage table
    (capacities given to the run's shelters here: the fixture's registry has none)."""
    import dataclasses

    from urbanrisk.outputs.deck import grid_deck
    from urbanrisk.outputs.writer import map_input

    coverage = level_run.coverage
    table = coverage.coverage.assign(
        supply_per_person=np.where(coverage.coverage["standard"] == "shelter", 0.002, np.nan),
        supply_bound=np.where(coverage.coverage["standard"] == "shelter", "exact", "unknown"),
    )
    supply = pd.DataFrame(  # a row of urbanrisk.supply.STATION_COLUMNS
        {
            "standard": ["shelter"],
            "resource_id": ["SH1"],
            "kind": ["shelter"],
            "name": ["x"],
            "capacity": [10.0],
        }
        | {"catchment_cells": [9], "residents_counted": [5e3], "cells_residents_unknown": [0]}
        | {"unknown_share": [0.0], "per_1000": [2.0], "bound": ["exact"]}
    )
    result = dataclasses.replace(
        level_run, coverage=dataclasses.replace(coverage, coverage=table, supply=supply)
    )
    mapped = map_input(result, (len(level_run.grid), 10, None, level_run.grid.crs))  # the write stage's
    deck = grid_deck(mapped.grid, None, mapped)
    cells = next(layer for layer in deck.layers if layer.id == "cells")
    tips = [row["tip"] for row in cells.data]
    parts = list(deck.tip_parts)
    shown = [re.sub("\ue000(\\d+)\ue001", lambda m: parts[int(m.group(1))], tip) for tip in tips]
    assert len(shown) == len(level_run.grid)
    assert all(tip.endswith("supply per 1,000 residents (2SFCA): shelter 2.0") for tip in shown)


def test_a_cells_tip_names_its_units_as_the_registers_count_them(level_run):
    """Session 19 (fresh19): a 街道办 hovering a cell read its H3 id but not its 街道 or 区. Each cell's tip
    now names its unit at every level, finest first, and counting the tips per unit gives each
    register's own ``cells`` (the registers' rule, nesting included); the baseline tip is unchanged."""
    from collections import Counter

    from test_map_unknown_coverage import _cell_tips_of
    from urbanrisk.outputs.deck import grid_deck

    tips = _cell_tips_of(grid_deck(level_run.grid, level_run.layers, level_run))
    lines = {cell: re.split("<br/>|\ue002", tip)[1] for cell, tip in tips.items()}
    assert all(line.startswith("street: ") and " · district: " in line for line in lines.values())
    for level, words in (("street", "street: "), ("district", "district: ")):
        register = pd.read_parquet(level_run.run_dir / f"register_{level}.parquet")
        named = Counter(line.split(words)[1].split(" · ")[0] for line in lines.values())
        assert named == dict(zip(register["name"], register["cells"], strict=True)), level
    assert all(re.split("<br/>|\ue002", tip)[2].startswith("<b>") for tip in tips.values())  # its grade next
