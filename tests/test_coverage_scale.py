"""Coverage at scale (issue 17, session 5): the vectorised N-1 losses, gaps and graph building give
the tables the implementations they replaced gave (kept in tests/reference_coverage.py), on
Baltimore's shipped extract."""

from __future__ import annotations

import dataclasses

import h3
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import reference_coverage as reference
from conftest import BALTIMORE_PBF, WUDAOKOU_OSM
from urbanrisk.coverage import cover_cells, gaps_from_coverage, resources_near, standards_for
from urbanrisk.grade import cell_centres_xy
from urbanrisk.grid import cells_from_area, grid_frame
from urbanrisk.layers.osm import osm_from_file
from urbanrisk.network import edges_from_streets, street_graph
from urbanrisk.resilience import station_losses
from urbanrisk.service_roads import campus_hint, service_snap_m

UTM = "EPSG:32618"


@pytest.fixture(scope="module")
def baltimore_drive():
    osm = osm_from_file(BALTIMORE_PBF)
    area = box(*osm.bounds)
    grid = grid_frame(cells_from_area(area, 9))
    grid["residents"] = np.arange(len(grid)) % 7 + 0.5  # uneven, so that a wrong cell shows
    graph = street_graph(osm.streets, osm.street_nodes, mode="drive", utm_crs=UTM)
    resources = resources_near(osm.pois, None, area, buffer_m=2000.0, utm_crs=UTM)
    return osm, area, grid, graph, resources, cell_centres_xy(grid.index, UTM)


@pytest.mark.parametrize(("name", "factor"), [("fire", 1.0), ("fire", 1.5), ("medical", 1.0)])
def test_station_losses_equal_the_search_per_station_on_baltimore(baltimore_drive, name, factor):
    """One pass for every station (nearest other station from the catchments' borders) equals a
    search from the other stations per station; 1.5 times the limit makes fire catchments overlap widely."""
    _, _, grid, graph, resources, xy = baltimore_drive
    standard = next(s for s in standards_for("cn") if s.name == name)
    standard = dataclasses.replace(standard, limit=standard.limit * factor)
    table = cover_cells(graph, standard, grid, resources, max_snap_m=500.0, cells_xy=xy).cells
    table["residents_known"] = np.arange(len(table)) % 5 != 0  # a fifth unknown: counted beside the sums
    got = station_losses(graph, standard, table, resources, cells_xy=xy, max_snap_m=500.0)
    expected = reference.station_losses(graph, standard, table, resources, cells_xy=xy, max_snap_m=500.0)
    assert len(got) >= 2 and got["residents_lost"].sum() > 0
    # fire loses 126 and 43 cells here, of them 22 and 8 unknown; medical 4, none unknown
    assert name == "medical" or got["cells_lost_residents_unknown"].sum() > 0
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("mode", ["drive", "walk", "drive_service"])
def test_street_graph_equals_the_graph_built_before_on_baltimore(baltimore_drive, mode):
    """Integer node rows (factorize), minima per node pair by sorting, and projection by a pyproj
    Transformer give bit for bit the matrices, nodes and flags that np.unique, groupby.min and
    GeoSeries.to_crs gave; edge keys count parallel edges as groupby.cumcount did."""
    osm = baltimore_drive[0]
    graph = street_graph(osm.streets, osm.street_nodes, mode=mode, utm_crs=UTM)
    edges, nodes = graph.edges, osm.street_nodes
    before = reference.edges_from_streets_before(osm.streets, nodes, mode=mode)  # lengths both ways
    pd.testing.assert_frame_equal(edges_from_streets(osm.streets, nodes, mode=mode), before)
    node_ids, time, length = reference.edges_to_matrices_before(edges)
    np.testing.assert_array_equal(graph.node_ids, node_ids)
    for got, expected in ((graph.time_s, time), (graph.length_m, length)):
        for part in ("indptr", "indices", "data"):
            np.testing.assert_array_equal(getattr(got, part), getattr(expected, part))
    lon, lat = nodes.loc[node_ids, "lon"].to_numpy(), nodes.loc[node_ids, "lat"].to_numpy()
    np.testing.assert_array_equal(graph.xy, reference.projected_before(lon, lat, UTM))
    np.testing.assert_array_equal(graph.at_grade, np.isin(node_ids, edges.loc[edges["at_grade"], ["u", "v"]]))
    np.testing.assert_array_equal(edges["key"], edges.groupby(["u", "v"]).cumcount())
    if mode == "drive_service":
        position = pd.Series(np.arange(len(node_ids)), index=node_ids)
        expected = reference.public_snap_nodes_before(edges, position, len(node_ids))
        np.testing.assert_array_equal(graph.public, expected)


def test_parallel_edges_are_ranked_and_reduced_in_order_of_first_appearance():
    """By hand: pairs 5, 3, 5, 5, 3 -> keys 0, 0, 1, 2, 1; pairs first seen 5 then 3, minima 1 and 2."""
    from urbanrisk.network import _first_pairs, _min_per_pair, _parallel_rank

    assert _parallel_rank(np.array([5, 3, 5, 5, 3])).tolist() == [0, 0, 1, 2, 1]
    rows, cols, grouping = _first_pairs(np.array([1, 0, 1, 1, 0]), np.array([1, 3, 1, 1, 3]), 4)
    assert rows.tolist() == [1, 0] and cols.tolist() == [1, 3]
    assert _min_per_pair(np.array([4.0, 2.0, 1.0, np.nan, 7.0]), grouping).tolist() == [1.0, 2.0]


@pytest.mark.parametrize("name", ["fire", "medical"])
def test_gaps_equal_the_gaps_cut_cell_by_cell_before_on_baltimore(baltimore_drive, name):
    """Gaps from sorted arrays equal the gaps from a table lookup per gap (some residents unknown)."""
    _, _, grid, graph, resources, xy = baltimore_drive
    standard = next(s for s in standards_for("cn") if s.name == name)
    table = cover_cells(graph, standard, grid, resources, max_snap_m=500.0, cells_xy=xy).cells
    table.loc[table.index[::11], "residents"] = np.nan
    unknown = np.arange(len(table)) % 7 == 3  # nothing counted there, yet uncovered: a gap all the same
    table["residents_known"] = ~unknown
    table.loc[unknown, "residents"] = 0.0
    got = gaps_from_coverage(grid, table)
    assert len(got) >= 3 and (got["unreachable_cells"] > 0).any() and got["cells_residents_unknown"].sum() > 0
    pd.testing.assert_frame_equal(got, reference.gaps_before(grid, table))


@pytest.mark.parametrize("city", ["wudaokou", "baltimore"])
def test_campus_hint_equals_the_hint_from_a_whole_drive_service_graph(baltimore_drive, city):
    """The hint from a KD-tree of service-road nodes and the graph's topology alone (or the run's own
    drive_service graph) equals the hint from a whole drive_service graph (both name residents)."""
    if city == "baltimore":
        osm, area, grid, graph, resources, xy = baltimore_drive
        utm = UTM
    else:
        osm = osm_from_file(WUDAOKOU_OSM)
        area = box(*osm.bounds)
        grid = grid_frame(cells_from_area(area, 10))
        grid["residents"] = 3.0
        utm = "EPSG:32650"
        graph = street_graph(osm.streets, osm.street_nodes, mode="drive", utm_crs=utm)
        resources = resources_near(osm.pois, None, area, buffer_m=2000.0, utm_crs=utm)
        xy = cell_centres_xy(grid.index, utm)
    standard = next(s for s in standards_for("cn") if s.name == "medical")
    table = cover_cells(graph, standard, grid, resources, max_snap_m=500.0, cells_xy=xy).cells
    args = ("drive", "medical", table, osm.streets, osm.street_nodes, xy)
    expected = reference.campus_hint_before(*args, utm_crs=utm, max_snap_m=500.0)
    assert "of them live over 500 m from a public drive street" in expected
    assert campus_hint(*args, utm_crs=utm, max_snap_m=500.0) == expected
    service = street_graph(osm.streets, osm.street_nodes, mode="drive_service", utm_crs=utm)
    assert campus_hint(*args, utm_crs=utm, max_snap_m=500.0, graphs={"drive_service": service}) == expected
    assert campus_hint(*args, utm_crs=utm, max_snap_m=500.0, graphs={"drive": graph}) == expected
    # the drive graph plus the service ways' edges snap as the whole drive_service graph does, to the metre
    service.public_snap_m = 500.0
    points = np.vstack([xy, xy[::5] + 180.0])  # cells and points off them, near and far from streets
    got = service_snap_m(graph, osm.streets, osm.street_nodes, points, utm_crs=utm, public_snap_m=500.0)
    near, public = service.snap(points[:, 0], points[:, 1])[1], graph.snap(points[:, 0], points[:, 1])[1]
    assert ((public > 500.0) & (near < public)).any()  # service roads nearer than any public street
    np.testing.assert_array_equal(got, near)


def test_cell_centres_are_projected_as_geoseries_to_crs_projects_them(baltimore_drive):
    grid, xy = baltimore_drive[2], baltimore_drive[5]
    latlng = np.array([h3.cell_to_latlng(c) for c in grid.index])
    np.testing.assert_array_equal(xy, reference.projected_before(latlng[:, 1], latlng[:, 0], UTM))


def test_nearest_other_source_on_a_line_by_hand():
    """Nodes 0-1-2-3-4 one unit apart both ways, sources at 0 and 4 (and a one-way spur 4 -> 5 of
    2 units): from the other source, node 1 is 3 away, node 0 4, node 5 2 + 4 = 6 (5 has no way out)."""
    from scipy.sparse import csr_matrix

    from urbanrisk.resilience import other_source_distance

    rows = [0, 1, 1, 2, 2, 3, 3, 4, 4]
    cols = [1, 0, 2, 1, 3, 2, 4, 3, 5]
    weights = [1.0] * 8 + [2.0]
    matrix = csr_matrix((weights, (rows, cols)), shape=(6, 6))
    origin, other = other_source_distance(matrix, np.array([0, 4]))
    assert origin[[0, 1, 3, 4, 5]].tolist() == [0, 0, 4, 4, 4] and origin[2] in (0, 4)
    assert other.tolist() == [4.0, 3.0, 2.0, 3.0, 4.0, 6.0]
