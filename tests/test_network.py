"""The street network of record: osmnx's drive and walk networks, checked cell by cell.

Every shipped city is routed twice: by urbanrisk (CSR matrices, scipy) and by osmnx's own graph of
the extract filtered with the installed osmnx's filter string, routed with networkx
(:mod:`osmnx_reference`). Hand-made cases pin the rules: tunnels are no snap target, a cell past 3x
the limit still gets its travel time, ``oneway=-1`` runs against the node order.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from shapely.geometry import LineString, box

from conftest import BALTIMORE_PBF, BUPT_OSM, WUDAOKOU_OSM
from osmnx_reference import (
    ACCESS_NO_LIFTED_BY,
    VEHICLE_NO_LIFTED_BY,
    closed_to,
    osmnx_graph,
    osmnx_way_filter,
    reference_network,
    reference_travel,
)
from urbanrisk.coverage import Standard, cover_cells, resources_near
from urbanrisk.grade import cell_centres_xy
from urbanrisk.grid import cells_from_area, grid_frame
from urbanrisk.layers.coords import utm_crs
from urbanrisk.layers.osm import osm_from_file
from urbanrisk.network import street_graph
from urbanrisk.street_rules import network_filter_table, speed_table, usable_ways, way_directions

UTM50 = "EPSG:32650"
ORIGIN = (445_000.0, 4_427_000.0)

# city -> extract, grid resolution (the recipe's), resource kind, drive limit in s (incl. 60 s
# turnout: about the median travel, so that both covered and uncovered cells are many), walk limit m
CITIES = {
    "wudaokou": (WUDAOKOU_OSM, 10, "hospital", 300.0, 1500.0),
    "bupt": (BUPT_OSM, 11, "hospital", 150.0, 600.0),
    "baltimore": (BALTIMORE_PBF, 9, "fire_station", 300.0, 1500.0),
}


@pytest.fixture(scope="module", params=sorted(CITIES))
def city(request):
    path, resolution, kind, _, _ = CITIES[request.param]
    osm = osm_from_file(path)
    area = box(*osm.bounds)
    utm = utm_crs(area.centroid.x, area.centroid.y)
    grid = grid_frame(cells_from_area(area, resolution))
    grid["residents"] = 1.0
    resources = resources_near(osm.pois, None, area, buffer_m=2000.0, utm_crs=utm)
    return request.param, osm, grid, resources[resources["kind"] == kind], utm


_OURS: dict[tuple[str, str], tuple] = {}


def _both(city, mode, *, geodesic):
    name, osm, grid, resources, utm = city
    path, _, kind, drive_limit, walk_limit = CITIES[name]
    assert len(resources) >= 2
    if mode == "drive":
        standard = Standard("fire", kind, "drive", drive_limit, "s", 60.0, "test")
        weight, extra = "travel_time", 60.0
    else:
        standard = Standard("shelter", kind, "walk", walk_limit, "m", 0.0, "test")
        weight, extra = "length", 0.0
    if (name, mode) not in _OURS:  # each city and mode is compared twice (osmnx's and geodesic lengths)
        graph = street_graph(osm.streets, osm.street_nodes, mode=mode, utm_crs=utm)
        _OURS[name, mode] = graph, cover_cells(graph, standard, grid, resources, max_snap_m=500.0).cells
    graph, ours = _OURS[name, mode]
    speeds = speed_table()["drive_kmh"].to_dict()
    reference = reference_network(osmnx_graph(path, mode, speeds, geodesic=geodesic), utm)
    xy = cell_centres_xy(grid.index, utm)
    theirs = reference_travel(reference, xy, resources, weight=weight, extra=extra, max_snap_m=500.0)
    # the same nodes: the same network, the same component, the same street-level snap rule
    assert set(graph.node_ids[graph.snap_nodes]) == set(reference.node_ids)
    assert ours["cell_snap_m"].to_numpy() == pytest.approx(theirs["snap_m"].to_numpy(), abs=1e-6)
    a, b = ours["travel"].to_numpy(), theirs["travel"].to_numpy()
    assert np.array_equal(np.isnan(a), np.isnan(b))
    both = np.isfinite(a)
    assert both.sum() >= 0.8 * len(grid)
    assert spearmanr(a[both], b[both]).statistic >= 0.99
    covered = np.nan_to_num(b, nan=np.inf) <= standard.limit_value
    assert 0.1 < covered.mean() < 0.9
    assert (ours.loc[ours["reached"], "reason"] != "no route to any resource").all()
    return standard, ours, a, b, covered


@pytest.mark.parametrize("mode", ["drive", "walk"])
def test_every_city_travel_equals_osmnx_network_routed_by_networkx(city, mode):
    """osmnx's graph (its filter, one-way rules, speeds) with edges measured as urbanrisk measures
    them (WGS84 geodesic): the same travel and the same verdict in every cell."""
    _, ours, a, b, covered = _both(city, mode, geodesic=True)
    both = np.isfinite(a)
    # 1e-5: osmnx converts mph with 1.60934, urbanrisk with the exact 1.609344 (Baltimore)
    assert a[both] == pytest.approx(b[both], rel=1e-5)
    assert np.array_equal(ours["covered"].to_numpy(), covered)  # the same verdict in every cell


@pytest.mark.parametrize("mode", ["drive", "walk"])
def test_every_city_travel_agrees_with_osmnx_own_lengths(city, mode):
    """osmnx's graph as osmnx measures it (haversine on a sphere): travel within 0.3 %, and the
    same verdict in every cell whose travel is not within that 0.3 % of the limit."""
    standard, ours, a, b, covered = _both(city, mode, geodesic=False)
    both = np.isfinite(a)
    assert a[both] == pytest.approx(b[both], rel=3e-3)
    borderline = np.abs(np.nan_to_num(b, nan=np.inf) / standard.limit_value - 1.0) <= 3e-3
    assert borderline.sum() <= 2
    assert np.array_equal(ours["covered"].to_numpy()[~borderline], covered[~borderline])


@pytest.mark.parametrize("network_type", ["drive", "drive_service", "walk"])
def test_filter_table_is_the_installed_osmnx_filter_and_the_access_no_rule(network_type):
    table = network_filter_table()
    rows = table.loc[(table["mode"] == network_type) & (table["unless"] == ""), ["key", "pattern"]]
    ours = sorted(zip(rows["key"], rows["pattern"], strict=True))
    theirs = sorted((key, pattern.pattern) for key, pattern in osmnx_way_filter(network_type))
    assert ours == theirs
    own = table.loc[(table["mode"] == network_type) & (table["unless"] != "")]
    lifts = "|".join(ACCESS_NO_LIFTED_BY[network_type])
    allowing = "=^(yes|designated|permissive|destination)$"
    vehicle_no = [["vehicle", "^no$", "|".join(VEHICLE_NO_LIFTED_BY) + allowing]]  # the driving types
    assert own[["key", "pattern", "unless"]].values.tolist() == [
        ["access", "^no$", f"{lifts}{allowing}"],
        *(vehicle_no if network_type != "walk" else []),
    ]


def test_usable_ways_equal_the_osmnx_filter_and_the_access_no_rule_on_every_way(city):
    _, osm, _, _, _ = city
    streets = osm.streets
    for mode in ("drive", "drive_service", "walk"):
        clauses = osmnx_way_filter(mode)
        keys = sorted(
            {key for key, _ in clauses}
            | {"access", "vehicle", *ACCESS_NO_LIFTED_BY[mode], *VEHICLE_NO_LIFTED_BY}
        )
        expected = [
            not any(row[key] and re.search(pattern, row[key]) for key, pattern in clauses)
            and not closed_to({k: v for k, v in row.items() if v}, mode)
            for row in streets[keys].to_dict("records")
        ]
        assert usable_ways(streets, mode=mode).tolist() == expected


def test_one_way_rules_are_osmnx_rules():
    from osmnx.graph import _is_path_one_way, _is_path_reversed

    oneways = ["", "yes", "true", "1", "-1", "reverse", "T", "F", "no", "alternating"]
    rows = [(o, j) for o in oneways for j in ("", "roundabout", "circular")]
    ways = pd.DataFrame(rows, columns=["oneway", "junction"])
    ours = way_directions(ways, mode="drive")
    oneway_values = {"yes", "true", "1", "-1", "reverse", "T", "F"}
    for (oneway, junction), got in zip(rows, ours, strict=True):
        attrs = {k: v for k, v in (("oneway", oneway), ("junction", junction)) if v}
        one = _is_path_one_way(attrs, False, oneway_values)
        rev = one and _is_path_reversed(attrs, {"-1", "reverse", "T"})
        assert got == (-1 if rev else 1 if one else 0), (oneway, junction)
    assert (way_directions(ways, mode="walk") == 0).all()


# ---------------------------------------------------------------- hand-made streets


def _lonlat(x, y):
    p = gpd.GeoSeries(gpd.points_from_xy(np.atleast_1d(x), np.atleast_1d(y)), crs=UTM50).to_crs(4326)
    return p.x.to_numpy(), p.y.to_numpy()


def _streets(
    points: dict[int, tuple[float, float]], ways: list[dict]
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Nodes at UTM offsets from ORIGIN; ways as dicts of tags with ``nodes``."""
    ids = list(points)
    lon, lat = _lonlat(
        np.array([ORIGIN[0] + points[i][0] for i in ids]), np.array([ORIGIN[1] + points[i][1] for i in ids])
    )
    nodes = pd.DataFrame({"lon": lon, "lat": lat}, index=pd.Index(ids, name="osmid"))
    rows = []
    for k, way in enumerate(ways):
        tags = {"highway": "residential", "name": "", "oneway": "", "maxspeed": "", **way}
        tags["way_id"] = k + 1
        tags["node_ids"] = tags.pop("nodes")
        rows.append(tags)
    frame = pd.DataFrame(rows).fillna("")
    geometry = [LineString(nodes.loc[w, ["lon", "lat"]].to_numpy()) for w in frame["node_ids"]]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=4326), nodes


def _speeds() -> pd.DataFrame:
    table = speed_table().copy()
    table["drive_kmh"] = 36.0  # 10 m/s everywhere: 10 s per 100 m
    return table


def _one_cell_grid(x: float, y: float) -> gpd.GeoDataFrame:
    lon, lat = _lonlat(ORIGIN[0] + x, ORIGIN[1] + y)
    import h3

    grid = grid_frame([h3.latlng_to_cell(float(lat[0]), float(lon[0]), 12)])
    grid["residents"] = 10.0
    return grid


def _station(x: float, y: float) -> gpd.GeoDataFrame:
    lon, lat = _lonlat(ORIGIN[0] + x, ORIGIN[1] + y)
    return gpd.GeoDataFrame(
        {"id": ["S1"], "kind": ["fire_station"], "name": ["s"], "capacity": [np.nan], "source": ["test"]},
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )


@pytest.mark.parametrize(
    "tunnel",
    [
        {"highway": "service", "service": "", "access": "destination", "layer": "-1", "tunnel": "yes"},
        {"highway": "residential", "access": "destination", "layer": "-1", "tunnel": "yes"},
        {"highway": "residential", "layer": "-1"},
        {"highway": "residential", "bridge": "yes", "layer": "1"},
        {"highway": "residential", "covered": "yes"},
    ],
)
def test_a_tunnel_or_bridge_next_to_a_cell_is_no_snap_target(tunnel):
    # a street-level square 0-1-2-3 (400 m sides) and a grade-separated way 0-10-11-2 across it,
    # whose inner nodes 10, 11 lie right under the cell at (200, 200)
    points = {0: (0, 0), 1: (400, 0), 2: (400, 400), 3: (0, 400), 10: (195, 195), 11: (205, 205)}
    streets, nodes = _streets(points, [{"nodes": [0, 1, 2, 3, 0]}, {"nodes": [0, 10, 11, 2], **tunnel}])
    graph = street_graph(streets, nodes, mode="drive", utm_crs=UTM50, speeds=_speeds())
    grid = _one_cell_grid(200.0, 200.0)
    table = cover_cells(
        graph,
        Standard("fire", "fire_station", "drive", 300.0, "s", 0.0, "t"),
        grid,
        _station(0, 0),
        max_snap_m=500.0,
    ).cells
    xy = cell_centres_xy(grid.index, UTM50)[0] - np.array(ORIGIN)
    node, _ = graph.snap(*(np.array([c]) for c in xy + np.array(ORIGIN)))
    assert int(graph.node_ids[node[0]]) in {0, 1, 2, 3}
    street_level = np.array([points[i] for i in (0, 1, 2, 3)], dtype=float)
    assert table["cell_snap_m"].iloc[0] == pytest.approx(np.hypot(*(street_level - xy).T).min(), abs=0.5)
    assert table["cell_snap_m"].iloc[0] > 250.0  # the tunnel nodes were ~5 m away
    assert table["covered"].iloc[0]


def test_a_cell_reached_past_three_times_the_limit_gets_its_travel_time():
    # a straight 4 km street at 10 m/s; the station at x = 0, the cell at x = 3,700 m: 370 s, with a
    # 100 s limit (3x the limit: 300 s)
    points = {k: (100.0 * k, 0.0) for k in range(41)}
    streets, nodes = _streets(points, [{"nodes": list(points)}])
    graph = street_graph(streets, nodes, mode="drive", utm_crs=UTM50, speeds=_speeds())
    grid = _one_cell_grid(3700.0, 0.0)
    standard = Standard("fire", "fire_station", "drive", 100.0, "s", 0.0, "t")
    row = cover_cells(graph, standard, grid, _station(0, 0), max_snap_m=500.0).cells.iloc[0]
    snapped_x = 100.0 * round((cell_centres_xy(grid.index, UTM50)[0, 0] - ORIGIN[0]) / 100.0)
    assert snapped_x / 10.0 > 3 * standard.travel_budget
    assert row["travel"] == pytest.approx(snapped_x / 10.0, rel=1e-3)
    assert bool(row["reached"]) and not bool(row["covered"])
    assert row["reason"] == "beyond the limit"


def test_unreachable_only_when_no_route_exists():
    points = {k: (100.0 * k, 0.0) for k in range(5)}
    streets, nodes = _streets(points, [{"nodes": list(points)}])
    graph = street_graph(streets, nodes, mode="drive", utm_crs=UTM50, speeds=_speeds())
    standard = Standard("fire", "fire_station", "drive", 100.0, "s", 0.0, "t")
    far_station = _station(0.0, 2000.0)  # 2 km from any street: reported, not snapped
    result = cover_cells(graph, standard, _one_cell_grid(200.0, 0.0), far_station, max_snap_m=500.0)
    assert result.resources_used == 0 and len(result.resources_unsnapped) == 1
    row = result.cells.iloc[0]
    assert np.isnan(row["travel"]) and not bool(row["reached"])
    assert row["reason"] == "no route to any resource"


def test_oneway_minus_one_runs_against_the_node_order():
    points = {1: (0.0, 0.0), 2: (200.0, 0.0)}
    for oneway, edge in (("-1", (2, 1)), ("yes", (1, 2)), ("reverse", (2, 1))):
        streets, nodes = _streets(points, [{"nodes": [1, 2], "oneway": oneway}])
        graph = street_graph(streets, nodes, mode="drive", utm_crs=UTM50, speeds=_speeds())
        a, b = (int(np.flatnonzero(graph.node_ids == n)[0]) for n in edge)
        assert graph.time_s.nnz == 1 and graph.time_s[a, b] > 0, oneway
        walk = street_graph(streets, nodes, mode="walk", utm_crs=UTM50, speeds=_speeds())
        assert walk.time_s.nnz == 2


def test_roundabouts_are_one_way_and_private_ways_are_not_driven():
    points = {1: (0.0, 0.0), 2: (100.0, 0.0), 3: (50.0, 80.0), 4: (300.0, 0.0)}
    streets, nodes = _streets(
        points,
        [
            {"nodes": [1, 2, 3, 1], "junction": "roundabout"},
            {"nodes": [2, 4], "access": "private"},
            {"nodes": [2, 4], "highway": "service", "service": "parking_aisle"},
            {"nodes": [2, 4], "motor_vehicle": "no"},
        ],
    )
    graph = street_graph(streets, nodes, mode="drive", utm_crs=UTM50, speeds=_speeds())
    assert graph.time_s.nnz == 3  # 1->2, 2->3, 3->1 only
    assert 4 not in set(graph.node_ids)
    walk = street_graph(streets, nodes, mode="walk", utm_crs=UTM50, speeds=_speeds())
    assert 4 in set(walk.node_ids)  # the parking aisle and the motor_vehicle=no way are walkable


def test_drive_service_adds_the_service_roads_drive_leaves_out(city):
    """`mode: drive_service` (osmnx's network type of that name) keeps campus and estate roads."""
    _, osm, _, _, _ = city
    streets = osm.streets
    drive = usable_ways(streets, mode="drive")
    service = usable_ways(streets, mode="drive_service")
    assert (drive <= service).all()  # everything drivable stays drivable
    added = streets.loc[service & ~drive]
    assert len(added) and (added["highway"] == "service").mean() > 0.9
    # the rest: other ways tagged service=alley or driveway, which drive leaves out and drive_service keeps
    others = added[added["highway"] != "service"]
    assert others["service"].isin(["alley", "driveway"]).all()
