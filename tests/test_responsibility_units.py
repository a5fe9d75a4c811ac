"""Every item of the responsibility list (责任清单) names its unit(s), or says why it has none.

By hand: a 19-cell grid (H3 r10, two rings round one cell). One drawn unit, P1, is the centre cell's
hexagon shrunk to 90 % about its centre: it holds the centre cell's centre, so the communities screen
gives it that whole cell; the other 18 cells go to their r8 parents ("h3:<parent>"). Before, a hazard
in the centre cell's outer 10 % (inside the cell, outside P1's outline and outside every H3 unit's
outline, which leaves the cell out) had no unit: 59 of 86 items at r7 on an east-Baltimore clip, where a
cell is 5 km² and a residential area's outline a small part of it.
"""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import h3
import pytest
import shapely
from shapely.affinity import scale
from shapely.geometry import Point, Polygon

from urbanrisk.grid import grid_frame
from urbanrisk.screens.communities import communities_screen, community_units, units_of_cells
from urbanrisk.screens.responsibility import (
    department_table,
    response_level_table,
    responsibility_for,
    responsibility_list,
)

UTM50 = "EPSG:32650"
CENTRE = h3.latlng_to_cell(39.9916, 116.3317, 10)
LAT, LON = h3.cell_to_latlng(CENTRE)
HEXAGON = Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(CENTRE)])
P1 = scale(HEXAGON, 0.9, 0.9, origin=(LON, LAT))
VERTEX = h3.cell_to_boundary(CENTRE)[0]
#: 95 % of the way to a vertex: inside the centre cell, outside P1 (which reaches 90 %)
CORNER = Point(LON + 0.95 * (VERTEX[1] - LON), LAT + 0.95 * (VERTEX[0] - LAT))
NEIGHBOUR = sorted(h3.grid_ring(CENTRE, 1))[0]
FAR = sorted(h3.grid_ring(CENTRE, 4))[0]  # two rings past the grid


def _at(cell: str) -> Point:
    lat, lng = h3.cell_to_latlng(cell)
    return Point(lng, lat)


def _parent_unit(cell: str) -> str:
    return "h3:" + h3.cell_to_parent(cell, 8)


@pytest.fixture(scope="module")
def case():
    grid = grid_frame(sorted(h3.grid_disk(CENTRE, 2))).assign(residents=10.0, grade="IV", risk=1.0)
    red = [CENTRE, *sorted(h3.grid_ring(CENTRE, 1))[:2]]  # a red cluster over P1 and H3 units
    grid.loc[red, "grade"] = "I"
    polygons = gpd.GeoDataFrame({"id": ["P1"], "name": ["西苑社区"]}, geometry=[P1], crs=4326)
    units = community_units(grid, polygons=polygons, landuse=None, utm_crs=UTM50)
    hazards = gpd.GeoDataFrame(
        {
            "id": ["corner", "neighbour", "far", "inside"],
            "kind": "fuel",
            "name": ["A", "B", "C", "D"],
            "grade": "II",
            "residents_exposed": [40.0, 30.0, 20.0, 10.0],
        },
        geometry=[CORNER, _at(NEIGHBOUR), _at(FAR), _at(CENTRE)],
        crs=4326,
    )
    return grid, units, hazards, red


def test_the_hand_case_holds_what_it_claims(case):
    grid, (units, assignment, _), _, _ = case
    assert h3.latlng_to_cell(CORNER.y, CORNER.x, 10) == CENTRE and not P1.covers(CORNER)
    assert not shapely.union_all(units.geometry.to_numpy()).covers(CORNER)  # no unit's outline holds it
    expected = {c: "P1" if c == CENTRE else _parent_unit(c) for c in grid.index}
    assert assignment.to_dict() == expected


def test_units_of_cells_gives_any_subset_the_screens_units(case):
    grid, (units, assignment, _), _, _ = case
    some = grid.index[::3]
    assert units_of_cells(some, units).to_dict() == assignment.loc[some].to_dict()
    elsewhere = h3.latlng_to_cell(39.9, 116.5, 10)  # ~15 km away: its r8 parent is no unit
    assert units_of_cells([elsewhere], units).tolist() == ["unassigned"]


def _run_list(case, language: str):
    grid, _, hazards, _ = case
    communities, _ = communities_screen(grid, hazards.iloc[0:0], utm_crs=UTM50, units=case[1])
    recipe = SimpleNamespace(
        tables=SimpleNamespace(departments=None, response_levels=None),
        report=SimpleNamespace(language=language),
    )
    screens = SimpleNamespace(
        communities=communities, hazard_sources=hazards, key_districts=None, urban_villages=None
    )
    coverage = SimpleNamespace(standards=[], gaps=None)
    table = responsibility_for(recipe, SimpleNamespace(communities=None), grid, screens, coverage)
    return table.set_index("item_id")


def test_every_item_names_the_unit_whose_cells_hold_it(case):
    table = _run_list(case, "en")
    assert table.loc["corner", "community_id"] == "P1"  # was unassigned: its cell is P1's
    assert table.loc["corner", "community_name"] == "西苑社区"
    assert table.loc["inside", "community_id"] == "P1"
    assert table.loc["neighbour", "community_id"] == _parent_unit(NEIGHBOUR)
    far = table.loc["far"]
    assert far["community_id"] == "unassigned"
    assert far["community_name"] == "none: outside the study area (in none of its cells)"
    zh = _run_list(case, "zh").loc["far", "community_name"]
    assert zh == "无：在研究范围外（不在任何网格单元内）"


def test_a_cluster_names_every_unit_it_spans(case):
    _, _, _, red = case
    table = _run_list(case, "en")
    cluster = table.loc["cluster-01"]
    spanned = {"P1", *(_parent_unit(c) for c in red[1:])}
    also = cluster["community_also_ids"].split("; ")
    assert cluster["community_id"] not in also and {cluster["community_id"], *also} == spanned
    for point in ("corner", "neighbour", "far", "inside"):  # a point spans nothing
        assert table.loc[point, "community_also_ids"] == ""


def test_units_the_recipe_drew_leave_a_point_outside_them_unassigned_and_say_why(case):
    """With leveled polygons a point keeps the recipe's outlines (no cell guessed): the corner hazard
    lies outside P1, the only 社区 unit, so it has none, and the list says so in the report's language."""
    grid, _, hazards, _ = case
    units = gpd.GeoDataFrame(
        {"id": ["P1"], "name": ["西苑社区"], "level": ["community"]}, geometry=[P1], crs=4326
    )
    for language, words in (("zh", "无：不在任何社区单元内"), ("en", "none: outside every community unit")):
        table = responsibility_list(
            grid,
            hazard_sources=hazards,
            gaps=None,
            key_districts=None,
            urban_villages=None,
            units=units,
            departments=department_table(),
            response_levels=response_level_table(),
            language=language,
        ).set_index("item_id")
        assert table.loc["corner", "community_id"] == "unassigned"
        assert table.loc["corner", "community_name"] == words
        assert table.loc["inside", "community_id"] == "P1"
