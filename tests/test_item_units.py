"""An area item's 属地 unit is the one holding most of its cells, counted as the registers count them
(a 社区 inside its 街道), and its "also" list follows the same nesting; a point item keeps its point's.

By hand: the 19 cells of two rings (H3 r10) round one cell. District D holds the centres of 4 cells:
P (the cell holding D's representative point) and E, F, G. 街道 S2 is P's hexagon, S1 the rest. 社区:
C2 = S2 plus the east part of E's hexagon (not its centre), C1 = S1 less E's hexagon from just west of
E's centre: E's centre lies in no 社区, C2 covers more of it than C1, yet E lies in S1, whose child is C1
(the registers' nesting rule). District D2 holds E and F only.
Before: D's units were those at its point (S2, C2, though 3 of its 4 cells lie in S1 / C1), and D2's
"also" named C2 (E by the plain overlap rule), a 社区 of the other 街道.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon, box

from urbanrisk.grid import grid_frame
from urbanrisk.screens.registers import level_registers, nested_cell_units, units_by_level
from urbanrisk.screens.responsibility import department_table, response_level_table, responsibility_list

UTM50 = "EPSG:32650"
CENTRE = h3.latlng_to_cell(39.9916, 116.3317, 10)
RING = sorted(h3.grid_ring(CENTRE, 1))
EPS = 0.00005  # degrees: ~4 m, against a cell's ~66 m edge


def _hexagon(cell: str) -> Polygon:
    return Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])


def _centre(cell: str) -> shapely.Point:
    lat, lng = h3.cell_to_latlng(cell)
    return shapely.Point(lng, lat)


@pytest.fixture(scope="module")
def case():
    grid = grid_frame(sorted(h3.grid_disk(CENTRE, 2))).assign(residents=10.0, grade="IV", risk=1.0)
    district_cells = [CENTRE, *RING[:3]]
    outline = shapely.union_all([_hexagon(c) for c in district_cells])
    point = outline.representative_point()
    p = h3.latlng_to_cell(point.y, point.x, 10)
    e, f, g = [c for c in district_cells if c != p]
    s2 = _hexagon(p)
    s1 = box(*shapely.union_all(grid.geometry.to_numpy()).buffer(0.01).bounds).difference(s2)
    cx = _centre(e).x
    east, west = box(cx + EPS, -90, 180, 90), box(-180, -90, cx - 3 * EPS, 90)
    c2 = shapely.union(s2, _hexagon(e).intersection(east))
    c1 = s1.difference(_hexagon(e).difference(west))
    units = gpd.GeoDataFrame(
        {
            "id": ["S1", "S2", "C1", "C2"],
            "name": ["一街道", "二街道", "一社区", "二社区"],
            "level": ["street", "street", "community", "community"],
        },
        geometry=[s1, s2, c1, c2],
        crs=4326,
    )
    districts = gpd.GeoDataFrame(
        {"id": ["D", "D2"], "name": ["商圈", "夜市"], "residents": [40.0, 20.0]},
        geometry=[outline, shapely.union(_hexagon(e), _hexagon(f))],
        crs=4326,
    )
    return grid, units, districts, (p, e, f, g)


def test_the_hand_case_holds_what_it_claims(case):
    grid, units, districts, (p, e, f, g) = case
    by_id = units.set_index("id").geometry
    assert by_id["S2"].covers(districts.geometry[0].representative_point())  # D's point: in S2, C2
    assert by_id["C2"].covers(districts.geometry[0].representative_point())
    assert not by_id["C1"].covers(_centre(e)) and not by_id["C2"].covers(_centre(e))
    assert by_id["S1"].contains(_hexagon(e)) and by_id["S1"].contains(_centre(f))
    overlap = {u: by_id[u].intersection(_hexagon(e)).area for u in ("C1", "C2")}
    assert overlap["C2"] > overlap["C1"] > 0  # by overlap alone E would go to C2
    levels = units_by_level(units, UTM50)
    assert levels[1][1].set_index("id")["parent"].to_dict() == {"C1": "S1", "C2": "S2"}
    nested = nested_cell_units(pd.Index([p, e, f, g]), levels)
    assert nested["street"].tolist() == ["S2", "S1", "S1", "S1"]
    assert nested["community"].tolist() == ["C2", "C1", "C1", "C1"]  # E: C1, as the registers count it
    registers = level_registers(grid, units, hazard_sources=None, coverage=None, utm_crs=UTM50)
    cells = registers["community"].set_index("id")["cells"]
    assert cells["C2"] == 1  # P only: E is not counted in C2


def _list(case, **options):
    grid, units, districts, _ = case
    return responsibility_list(
        grid,
        hazard_sources=None,
        gaps=None,
        key_districts=districts,
        urban_villages=None,
        units=units,
        departments=department_table(),
        response_levels=response_level_table(),
        language="zh",
        **options,
    ).set_index("item_id")


def test_an_area_item_belongs_to_the_unit_holding_most_of_its_cells(case):
    table = _list(case)
    d = table.loc["D"]
    assert (d["street_id"], d["street_name"], d["street_also_ids"]) == ("S1", "一街道", "S2")
    assert (d["community_id"], d["community_name"], d["community_also_ids"]) == ("C1", "一社区", "C2")


def test_the_also_list_follows_the_registers_nesting(case):
    d2 = _list(case).loc["D2"]
    assert (d2["street_id"], d2["street_also_ids"]) == ("S1", "")
    assert (d2["community_id"], d2["community_also_ids"]) == ("C1", "")  # not C2, a 社区 of S2


def test_the_registers_parents_give_the_same_list(case):
    grid, units, _, _ = case
    registers = level_registers(grid, units, hazard_sources=None, coverage=None, utm_crs=UTM50)
    parents = {"community": registers["community"].set_index("id")["parent_id"]}
    pd.testing.assert_frame_equal(
        pd.DataFrame(_list(case, parents=parents)), pd.DataFrame(_list(case, utm_crs=UTM50))
    )


def test_ties_go_to_the_point_then_the_smaller_id_and_only_cells_inside_the_unit_above_count():
    from urbanrisk.screens.item_units import main_and_also

    held = pd.DataFrame({"item": [0, 0, 1, 1, 2, 2, 2, 3], "cell": list("abcdefgh")})
    units = ["B", "A", "B", "C", "A", "B", "B", "unassigned"]
    inside = [True, True, True, True, True, False, False, False]
    main, also = main_and_also(pd.Series(["B", "A", "Z", "P"]), held, units)
    assert main.tolist() == ["B", "B", "B", "P"]  # 0: a tie, its point's B; 1: a tie without it: B < C
    assert also == [["A"], ["C"], ["A"], []]  # 3: its only cell in no unit: its point's unit stands
    main, also = main_and_also(pd.Series(["B", "A", "Z", "P"]), held, units, inside)
    assert main.tolist()[2] == "A"  # B holds 2 of its cells, but outside its unit above; A the one inside
    assert also[2] == ["B"]


def test_centres_within_a_chunk_at_a_time_gives_the_pairs_of_every_centre_at_once(monkeypatch):
    """Two shapes over a few r9 cells, one inside the other: the pairs (cell, shape) of centres made
    two at a time are those of one query over every centre, in the same order."""
    import numpy as np

    from urbanrisk.grid import cells_to_polygons
    from urbanrisk.screens import item_units
    from urbanrisk.screens.registers import cell_centres

    centre = h3.latlng_to_cell(39.99, 116.33, 9)
    cells = pd.Index(sorted(h3.grid_disk(centre, 2)))
    shapes = np.array(
        [shapely.union_all(cells_to_polygons(h3.grid_disk(centre, 1))), cells_to_polygons([centre])[0]]
    )
    hit, which = shapely.STRtree(shapes).query(cell_centres(cells).to_numpy(), predicate="within")
    assert len(hit) == 8 and sorted(which.tolist()) == [0] * 7 + [1]  # 7 centres in the disk, 1 in the cell
    monkeypatch.setattr(item_units, "CENTRE_CHUNK", 2)
    got = item_units.centres_within(shapes, cells)
    assert got[0].tolist() == hit.tolist() and got[1].tolist() == which.tolist()
