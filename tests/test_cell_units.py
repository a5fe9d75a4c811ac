"""Which unit a cell or a point belongs to (urbanrisk.cell_units), in cases laid out by hand."""

from __future__ import annotations

import geopandas as gpd
import h3
import pandas as pd
from pyproj import Geod
from shapely.geometry import Point, box

from urbanrisk.cell_units import UNASSIGNED, cell_units, point_units
from urbanrisk.grid import cells_to_polygons

EDGE = h3.latlng_to_cell(39.9916, 116.3317, 10)  # the cell at the area's south edge
LAT, LON = h3.cell_to_latlng(EDGE)
DY = 0.0002  # the area's south edge: ~22 m north of EDGE's centre (a res-10 cell reaches ~60 m north)
DX = 0.0002  # the inner border: ~17 m east of EDGE's centre, so the west unit covers more of EDGE


def _units() -> gpd.GeoDataFrame:
    """Two rectangles tiling the area: ids chosen so that 'A-east' would win a tie by id."""
    south, north = LAT + DY, LAT + 0.01
    west = box(LON - 0.01, south, LON + DX, north)
    east = box(LON + DX, south, LON + 0.01, north)
    return gpd.GeoDataFrame({"id": ["B-west", "A-east"]}, geometry=[west, east], crs=4326)


def _geodesic_overlap(cell: str, unit) -> float:
    part = cells_to_polygons([cell])[0].intersection(unit)
    return abs(Geod(ellps="WGS84").geometry_area_perimeter(part)[0]) if not part.is_empty else 0.0


def test_an_edge_cell_goes_to_the_unit_covering_more_of_it_and_others_by_centre():
    units = _units()
    west, east = units.geometry
    # the inner border's cell: the one holding a point just east of the border, well inside the area
    inner = h3.latlng_to_cell(LAT + 0.005, LON + DX + 0.0001, 10)
    inner_centre = Point(h3.cell_to_latlng(inner)[::-1])
    assert cells_to_polygons([inner])[0].intersects(west.boundary.intersection(east.boundary))
    far = h3.latlng_to_cell(LAT - 0.02, LON, 10)  # 2 km south: touches no unit
    assert not Point(LON, LAT).intersects(west.union(east))  # EDGE's centre is outside both units
    west_part, east_part = _geodesic_overlap(EDGE, west), _geodesic_overlap(EDGE, east)
    assert west_part > east_part > 0  # by hand: the west unit covers more of EDGE
    assert east.contains(inner_centre) and _geodesic_overlap(inner, west) > 0  # straddles, centre east
    got = cell_units(pd.Index([EDGE, inner, far]), units)
    assert got.tolist() == ["B-west", "A-east", UNASSIGNED]
    assert got.index.tolist() == [EDGE, inner, far]


def test_an_equal_overlap_goes_to_the_smaller_id_and_a_corner_covers_nothing():
    units = _units()
    # the same unit twice under two ids: equal overlaps, the smaller id wins (centre outside both)
    twin = gpd.GeoDataFrame({"id": ["Z", "Y"]}, geometry=[units.geometry[0]] * 2, crs=4326)
    assert cell_units(pd.Index([EDGE]), twin).tolist() == ["Y"]
    # a unit touching the cell along its edges only (its ring of neighbours) covers none of it
    ring = gpd.GeoSeries(cells_to_polygons(sorted(h3.grid_ring(EDGE, 1))), crs=4326)
    touching = gpd.GeoDataFrame({"id": ["C"]}, geometry=[ring.union_all()], crs=4326)
    assert cells_to_polygons([EDGE])[0].intersection(touching.geometry[0]).area == 0.0
    assert cells_to_polygons([EDGE])[0].touches(touching.geometry[0])
    assert cell_units(pd.Index([EDGE]), touching).tolist() == [UNASSIGNED]


def test_points_go_by_the_unit_covering_them_with_a_metre_of_tolerance():
    units = _units()
    border = LON + DX
    inside = LAT + 0.005
    points = gpd.GeoSeries(
        [
            Point(border, inside),  # on the inner border: both cover it, the smaller id
            Point(LON, inside),  # inside the west unit
            Point(LON, LAT + DY - 0.000005),  # 0.55 m south of the area: the nearest unit
            Point(LON, LAT + DY - 0.0001),  # 11 m south: no unit holds it
            None,
            Point(LON, LAT + DY - 0.000015),  # 1.7 m: beyond the tolerance, within twice it (the pre-test)
        ],
        crs=4326,
    )
    assert point_units(points, units).tolist() == [
        "A-east",
        "B-west",
        "B-west",
        UNASSIGNED,
        UNASSIGNED,
        UNASSIGNED,
    ]
    # a polygon item whose point lies outside every unit: the unit covering most of its outline
    outline = gpd.GeoSeries(cells_to_polygons([EDGE]), crs=4326)
    centre = gpd.GeoSeries([Point(LON, LAT)], crs=4326)
    assert point_units(centre, units).tolist() == [UNASSIGNED]
    assert point_units(centre, units, shapes=outline).tolist() == ["B-west"]


def test_an_edge_cell_stays_within_its_unit_of_the_level_above():
    units = _units().assign(parent=["P2", "P1"])  # the west unit (covering more of EDGE) is in P2
    cells = pd.Index([EDGE])
    assert cell_units(cells, units, pd.Series(["P2"], index=cells)).tolist() == ["B-west"]
    assert cell_units(cells, units, pd.Series(["P1"], index=cells)).tolist() == ["A-east"]
    unassigned_above = pd.Series([f"{UNASSIGNED}:P3"], index=cells)  # no unit of this level is in it
    assert cell_units(cells, units, unassigned_above).tolist() == [UNASSIGNED]
