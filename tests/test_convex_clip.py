"""Clipping against convex cells in numpy: hand cases, and equal to GEOS intersections on real data."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, box

from conftest import BALTIMORE_PBF
from urbanrisk import convex_clip
from urbanrisk.convex_clip import clipped_areas, clipped_lengths, convex_edges
from urbanrisk.grid import cells_from_area
from urbanrisk.indicators import cells_polygons_utm
from urbanrisk.layers.osm import osm_from_file

HEX = Polygon([(2, 0), (1, 1.7), (-1, 1.7), (-2, 0), (-1, -1.7), (1, -1.7)])  # counter-clockwise


def _geos(features, cells, f_idx, c_idx, measure):
    return measure(shapely.intersection(features[f_idx], cells[c_idx]))


def test_lengths_by_hand():
    cells = np.array([box(0, 0, 10, 10), shapely.reverse(box(10, 0, 20, 10))])  # one clockwise
    lines = np.array(
        [
            LineString([(-5, 5), (25, 5)]),  # through both: 10 m in each
            LineString([(5, 5), (5, 20), (15, 20), (15, 5)]),  # leaves and comes back: 5 + 5
            LineString([(0, -5), (0, 15)]),  # along the first cell's edge: GEOS counts it, 10 m
            LineString([(30, 30), (40, 40)]),  # far away: 0
            MultiLineString([[(1, 1), (4, 1)], [(11, 1), (19, 1)]]),  # 3 in one, 8 in the other
        ]
    )
    f_idx = np.array([0, 0, 1, 1, 2, 3, 4, 4])
    c_idx = np.array([0, 1, 0, 1, 0, 0, 0, 1])
    got = clipped_lengths(lines, convex_edges(cells), f_idx, c_idx)
    np.testing.assert_allclose(got, [10, 10, 5, 5, 10, 0, 3, 8], atol=1e-12)


def test_areas_by_hand():
    cells = np.array([HEX, box(0, 0, 10, 10)])
    ring = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (2, 8), (8, 8), (8, 2)]])  # 100 - 36
    concave = Polygon([(-1, -1), (11, -1), (11, 11), (9, 11), (9, 1), (1, 1), (1, 11), (-1, 11)])  # a U
    polygons = np.array(
        [
            box(-10, -10, 0, 10),  # the hexagon's left half: (2 + 1) / 2 * 1.7 * 2 = 5.1
            ring,
            concave,
            MultiPolygon([box(1, 1, 2, 2), box(5, 5, 7, 6)]),  # 1 + 2
            box(50, 50, 60, 60),
        ]
    )
    f_idx = np.array([0, 1, 2, 3, 4, 0])
    c_idx = np.array([0, 1, 1, 1, 1, 1])
    got = clipped_areas(polygons, convex_edges(cells), f_idx, c_idx)
    # the U in the square: two 1 x 10 legs and a 10 x 1 base, the corners counted once: 10 + 10 + 8
    np.testing.assert_allclose(got, [5.1, 64, 28, 3, 0, 0], atol=1e-12)


@pytest.fixture(scope="module")
def baltimore_utm():
    osm = osm_from_file(BALTIMORE_PBF)
    area = shapely.box(*osm.buildings.total_bounds)
    cells = cells_from_area(area, 11)
    crs = "EPSG:32618"
    return (
        np.asarray(osm.buildings.to_crs(crs).geometry.make_valid()),
        np.asarray(osm.streets.to_crs(crs).geometry),
        cells_polygons_utm(cells, crs),
    )


def test_equal_to_geos_on_baltimore(baltimore_utm):
    buildings, streets, cells = baltimore_utm
    tree = shapely.STRtree(cells)
    edges = convex_edges(cells)
    s_idx, c_idx = tree.query(streets, predicate="intersects")
    lengths = clipped_lengths(streets, edges, s_idx, c_idx)
    np.testing.assert_allclose(
        lengths, _geos(streets, cells, s_idx, c_idx, shapely.length), rtol=0, atol=1e-6
    )
    b_idx, c_idx = tree.query(buildings, predicate="intersects")
    areas = clipped_areas(buildings, edges, b_idx, c_idx)
    np.testing.assert_allclose(areas, _geos(buildings, cells, b_idx, c_idx, shapely.area), rtol=0, atol=1e-6)
    assert len(s_idx) > 20_000 and len(b_idx) > 5_000
    # conserved: each building's pieces add up to its area
    whole = np.bincount(b_idx, weights=areas, minlength=len(buildings))
    hit = np.unique(b_idx)
    np.testing.assert_allclose(whole[hit], shapely.area(buildings[hit]), rtol=1e-9)


def test_repaired_collections_count_their_polygons_only():
    # make_valid of a polygon with a spike: a GeometryCollection of a polygon and a line
    spiked = shapely.make_valid(Polygon([(0, 0), (4, 0), (4, 4), (4, 8), (4, 4), (0, 4)]))
    nested = shapely.GeometryCollection(
        [MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]), LineString([(0, 0), (9, 9)])]
    )
    got = clipped_areas(
        np.array([spiked, nested]),
        convex_edges(np.array([box(0, 0, 10, 10)])),
        np.array([0, 1]),
        np.array([0, 0]),
    )
    np.testing.assert_allclose(got, [16, 2], atol=1e-12)


def test_plain_polygons_and_lines():
    cells = np.array([box(0, 0, 10, 10)])
    edges = convex_edges(cells)
    pairs = np.array([0, 1]), np.array([0, 0])
    areas = clipped_areas(np.array([box(-1, -1, 1, 1), box(5, 5, 15, 6)]), edges, *pairs)
    lengths = clipped_lengths(
        np.array([LineString([(-1, 5), (1, 5)]), LineString([(5, 5), (5, 25)])]), edges, *pairs
    )
    np.testing.assert_allclose([*areas, *lengths], [1, 5, 1, 5], atol=1e-12)


def test_segments_far_from_the_cell_are_left_out_to_the_bit(baltimore_utm, monkeypatch):
    # most segments of a street that crosses a cell lie away from it: left out, they would add +0.0
    _, streets, cells = baltimore_utm
    edges = convex_edges(cells)
    s_idx, c_idx = (i[:8000] for i in shapely.STRtree(cells).query(streets, predicate="intersects"))
    rows = []  # (segment, pair) rows before and after the box test
    near_box = convex_clip._near_box

    def counted(low, high, boxes, seg, pair, cell_idx):
        out = near_box(low, high, boxes, seg, pair, cell_idx)
        rows.append((len(seg), len(out[0])))
        return out

    monkeypatch.setattr(convex_clip, "_near_box", counted)
    filtered = clipped_lengths(streets, edges, s_idx, c_idx)
    monkeypatch.setattr(convex_clip, "BOX_MARGIN_M", np.inf)  # every row clipped
    every = clipped_lengths(streets, edges, s_idx, c_idx)
    assert rows[0][1] < rows[0][0] / 2 and rows[1][1] == rows[1][0] == rows[0][0]
    assert np.array_equal(filtered.view(np.int64), every.view(np.int64))
    # a cell of padding edges only constrains nothing: its box is the whole plane
    lone = (np.zeros((1, 1, 2)), np.zeros((1, 1, 2)))
    line = np.array([LineString([(0, 0), (3, 4)])])
    assert clipped_lengths(line, lone, np.array([0]), np.array([0])).tolist() == [5.0]
