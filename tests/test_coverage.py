"""Coverage on hand-built street grids and on real Baltimore, checked against networkx."""

from __future__ import annotations

import re

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import yaml
from shapely.geometry import LineString, Point, box

from conftest import BALTIMORE_PBF, write_recipe
from urbanrisk.coverage import (
    Standard,
    cover_cells,
    coverage_stage,
    greedy_sites,
    resources_near,
    standards_for,
)
from urbanrisk.grade import cell_centres_xy
from urbanrisk.grid import cells_from_area, grid_frame
from urbanrisk.layers.osm import osm_from_file
from urbanrisk.network import street_graph
from urbanrisk.street_rules import speed_table

UTM50 = "EPSG:32650"
ORIGIN = (445_000.0, 4_427_000.0)  # UTM 50N, north-west Beijing
SPACING = 100.0


def _speeds(residential_kmh: float = 36.0) -> pd.DataFrame:
    table = speed_table().copy()
    table.loc["residential", "drive_kmh"] = residential_kmh  # 10 m/s: 10 s per 100 m block
    return table


def _lonlat(x, y):
    p = gpd.GeoSeries(gpd.points_from_xy(np.atleast_1d(x), np.atleast_1d(y)), crs=UTM50).to_crs(4326)
    return p.x.to_numpy(), p.y.to_numpy()


def _street_grid(n: int = 6, highway: str = "residential"):
    """Streets on a (2n+1) x (2n+1) lattice of nodes 100 m apart; node id = 1000 * (i + 50) + (j + 50)."""
    ids, xs, ys = [], [], []
    for i in range(-n, n + 1):
        for j in range(-n, n + 1):
            ids.append(1000 * (i + 50) + (j + 50))
            xs.append(ORIGIN[0] + i * SPACING)
            ys.append(ORIGIN[1] + j * SPACING)
    lon, lat = _lonlat(np.array(xs), np.array(ys))
    nodes = pd.DataFrame({"lon": lon, "lat": lat}, index=pd.Index(ids, name="osmid"))
    ways = []
    for k in range(-n, n + 1):
        ways.append([1000 * (i + 50) + (k + 50) for i in range(-n, n + 1)])  # along x at y = k
        ways.append([1000 * (k + 50) + (j + 50) for j in range(-n, n + 1)])  # along y at x = k
    streets = gpd.GeoDataFrame(
        {
            "way_id": range(len(ways)),
            "highway": highway,
            "name": "",
            "oneway": "",
            "maxspeed": "",
            "node_ids": ways,
        },
        geometry=[LineString(nodes.loc[w, ["lon", "lat"]].to_numpy()) for w in ways],
        crs=4326,
    )
    return streets, nodes


def _grid_over(extent_m: float, resolution: int = 10) -> gpd.GeoDataFrame:
    lon, lat = _lonlat(
        np.array([ORIGIN[0] - extent_m, ORIGIN[0] + extent_m]),
        np.array([ORIGIN[1] - extent_m, ORIGIN[1] + extent_m]),
    )
    area = box(lon[0], lat[0], lon[1], lat[1])
    grid = grid_frame(cells_from_area(area, resolution))
    grid["residents"] = 100.0
    return grid, area


def test_hand_built_grid_covered_set_is_exactly_the_cells_within_the_limit():
    streets, nodes = _street_grid()
    graph = street_graph(streets, nodes, mode="drive", utm_crs=UTM50, speeds=_speeds())
    grid, _ = _grid_over(550.0)
    lon, lat = _lonlat(ORIGIN[0], ORIGIN[1])
    station = gpd.GeoDataFrame(
        {
            "id": ["S1"],
            "kind": ["fire_station"],
            "name": ["station"],
            "capacity": [np.nan],
            "source": ["test"],
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )
    standard = Standard("fire", "fire_station", "drive", 65.0, "s", 0.0, "hand-made: 65 s")
    table = cover_cells(graph, standard, grid, station, max_snap_m=500.0).cells
    # by hand: a cell's centre snaps to the nearest lattice node (i, j); the station is at (0, 0);
    # every block is 100 m at 10 m/s, so the trip takes 10 s x (|i| + |j|): covered iff |i| + |j| <= 6
    xy = cell_centres_xy(grid.index, UTM50)
    i = np.round((xy[:, 0] - ORIGIN[0]) / SPACING)
    j = np.round((xy[:, 1] - ORIGIN[1]) / SPACING)
    expected_time = 10.0 * (np.abs(i) + np.abs(j))
    assert table["travel"].to_numpy() == pytest.approx(expected_time, rel=1e-3)
    expected_covered = (np.abs(i) + np.abs(j)) <= 6
    assert expected_covered.any() and (~expected_covered).any()
    assert (table["covered"].to_numpy() == expected_covered).all()
    assert table["residents_uncovered"].sum() == pytest.approx(100.0 * (~expected_covered).sum())
    assert set(table.loc[table["covered"], "nearest_resource"]) == {"S1"}


def test_the_shorter_of_two_parallel_ways_is_used():
    lon, lat = _lonlat(np.array([ORIGIN[0], ORIGIN[0] + 300.0]), np.array([ORIGIN[1], ORIGIN[1]]))
    nodes = pd.DataFrame({"lon": lon, "lat": lat}, index=pd.Index([1, 2], name="osmid"))
    line = LineString(zip(lon, lat, strict=True))
    streets = gpd.GeoDataFrame(
        {
            "way_id": [10, 11],
            "highway": ["residential", "primary"],
            "name": "",
            "oneway": "",
            "maxspeed": ["", ""],
            "node_ids": [[1, 2], [1, 2]],
        },
        geometry=[line, line],
        crs=4326,
    )
    graph = street_graph(streets, nodes, mode="drive", utm_crs=UTM50, speeds=_speeds(residential_kmh=20))
    assert graph.graph.number_of_edges(1, 2) == 2  # osmnx keeps both parallel edges
    a, b = (int(np.flatnonzero(graph.node_ids == n)[0]) for n in (1, 2))
    length = graph.length_m[a, b]
    assert length == pytest.approx(300.0, rel=2e-3)
    assert graph.time_s[a, b] == pytest.approx(length / (40 / 3.6))  # primary, 40 km/h, not the sum
    assert graph.time_s[b, a] == pytest.approx(length / (40 / 3.6))


def test_one_way_streets_are_respected_when_driving_not_walking():
    lon, lat = _lonlat(np.array([ORIGIN[0], ORIGIN[0] + 200.0]), np.array([ORIGIN[1], ORIGIN[1]]))
    nodes = pd.DataFrame({"lon": lon, "lat": lat}, index=pd.Index([1, 2], name="osmid"))
    streets = gpd.GeoDataFrame(
        {
            "way_id": [1],
            "highway": ["residential"],
            "name": "",
            "oneway": ["yes"],
            "maxspeed": [""],
            "node_ids": [[1, 2]],
        },
        geometry=[LineString(zip(lon, lat, strict=True))],
        crs=4326,
    )
    drive = street_graph(streets, nodes, mode="drive", utm_crs=UTM50, speeds=_speeds())
    walk = street_graph(streets, nodes, mode="walk", utm_crs=UTM50, speeds=_speeds())
    assert drive.time_s.nnz == 1 and walk.time_s.nnz == 2


def test_a_runs_street_graphs_route_as_built_without_their_edges_or_a_hash_table_on_the_layer():
    from urbanrisk.street_graphs import street_graphs

    streets, nodes = _street_grid(3)
    nodes = nodes.set_axis(pd.Index(nodes.index.to_numpy(), name="osmid"))  # no look-up made on it yet
    graphs = street_graphs(streets, nodes, utm_crs=UTM50, speeds=_speeds())
    assert "_engine" not in nodes.index._cache  # the node look-ups' hash table went with the call
    for mode in ("drive", "walk"):
        built = street_graph(streets, nodes, mode=mode, utm_crs=UTM50, speeds=_speeds())
        kept = graphs[mode]
        assert kept.edges is None and len(built.edges) == 2 * 2 * 7 * 6  # both ways of 84 segments
        assert (kept.time_s != built.time_s).nnz == 0 and (kept.length_m != built.length_m).nnz == 0
        assert np.array_equal(kept.node_ids, built.node_ids) and np.array_equal(kept.xy, built.xy)


def test_greedy_siting_picks_the_site_a_person_would_pick():
    streets, nodes = _street_grid(n=20)  # a 4 km x 4 km lattice
    graph = street_graph(streets, nodes, mode="drive", utm_crs=UTM50, speeds=_speeds())
    # uncovered people: 1,200 in three cells around (1000, 1000), 600 in two cells around (-1500, -1500)
    points = [(1000, 1000), (1050, 1000), (1000, 1060), (-1500, -1500), (-1500, -1440)]
    people = [400.0, 400.0, 400.0, 300.0, 300.0]
    xy = np.array([(ORIGIN[0] + x, ORIGIN[1] + y) for x, y in points])
    table = pd.DataFrame(
        {"residents_uncovered": people, "cell_snap_m": 0.0}, index=[f"c{k}" for k in range(len(points))]
    )
    standard = Standard("fire", "fire_station", "drive", 30.0, "s", 0.0, "hand-made: 300 m at 10 m/s")
    candidates = np.arange(len(graph.node_ids))
    sites = greedy_sites(graph, standard, table, candidates, k=3, cells_xy=xy, max_snap_m=500.0)
    assert sites["residents_added"].tolist() == [1200.0, 600.0]  # a third site adds nobody: stop
    assert sites["residents_cumulative"].tolist() == [1200.0, 1800.0]
    first = gpd.GeoSeries([sites.loc[0, "geometry"]], crs=4326).to_crs(UTM50).iloc[0]
    assert Point(ORIGIN[0] + 1000, ORIGIN[1] + 1000).distance(first) <= 300.0
    second = gpd.GeoSeries([sites.loc[1, "geometry"]], crs=4326).to_crs(UTM50).iloc[0]
    assert Point(ORIGIN[0] - 1500, ORIGIN[1] - 1500).distance(second) <= 300.0


def test_two_step_floating_catchment_by_hand():
    streets, nodes = _street_grid()
    grid, area = _grid_over(400.0)
    lon, lat = _lonlat(ORIGIN[0], ORIGIN[1])
    registry = gpd.GeoDataFrame(
        {"id": ["H1"], "kind": ["hospital"], "name": ["General"], "capacity": [90.0], "source": ["test"]},
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )
    standard = Standard("medical", "hospital", "drive", 5000.0, "m", 0.0, "hand-made")
    result = coverage_stage(grid, streets, nodes, None, registry, area, standards=[standard], utm_crs=UTM50)
    table = result.coverage
    assert table["covered"].all()
    # one hospital of capacity 90 serving every resident: supply per person = 90 / all residents
    assert table["supply_per_person"].to_numpy() == pytest.approx(90.0 / grid["residents"].sum())


@pytest.fixture(scope="module")
def baltimore():
    osm = osm_from_file(BALTIMORE_PBF)
    area = box(*osm.bounds)
    grid = grid_frame(cells_from_area(area, 9))
    grid["residents"] = 1.0
    return osm, area, grid


@pytest.mark.parametrize("name", ["fire", "medical"])
def test_baltimore_travel_times_equal_networkx(baltimore, name):
    osm, area, grid = baltimore
    standard = next(s for s in standards_for("cn") if s.name == name)
    utm = "EPSG:32618"
    graph = street_graph(osm.streets, osm.street_nodes, mode=standard.mode, utm_crs=utm)
    resources = resources_near(osm.pois, None, area, buffer_m=2000.0, utm_crs=utm)
    result = cover_cells(graph, standard, grid, resources, max_snap_m=500.0)
    assert result.resources_used >= 8
    table = result.cells
    # independent: networkx multi-source Dijkstra on the osmnx graph (parallel edges: networkx takes
    # the lightest), from the same snapped resource nodes to the same snapped cell nodes
    own = resources[resources["kind"] == standard.resource_kind].to_crs(utm)
    res_node, _ = graph.snap(own.geometry.x.to_numpy(), own.geometry.y.to_numpy())
    weight = "travel_time" if standard.by_time else "length"
    reference = nx.multi_source_dijkstra_path_length(
        graph.graph, {int(graph.node_ids[i]) for i in res_node}, weight=weight
    )
    xy = cell_centres_xy(grid.index, utm)
    cell_node, snap = graph.snap(xy[:, 0], xy[:, 1])
    turnout = standard.turnout_s if standard.by_time else 0.0
    # the search has no limit: every cell with a route gets its travel, however long
    expected = np.array([reference.get(int(graph.node_ids[n]), np.inf) for n in cell_node])
    expected = np.where(np.isfinite(expected), expected + turnout, np.nan)
    expected = np.where(snap > 500.0, np.nan, expected)
    got = table["travel"].to_numpy()
    assert np.isfinite(got).sum() > 300
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    ok = ~np.isnan(got)
    assert np.abs(got[ok] - expected[ok]).max() < 1e-6


def test_two_step_floating_catchment_agrees_with_pysal_access(baltimore):
    import warnings

    from access import Access

    from urbanrisk.coverage import two_step_fca

    osm, area, grid = baltimore
    utm = "EPSG:32618"
    rng = np.random.default_rng(3)
    grid = grid.assign(residents=rng.uniform(0, 500, len(grid)))
    resources = resources_near(osm.pois, None, area, buffer_m=2000.0, utm_crs=utm)
    resources["capacity"] = rng.uniform(10, 200, len(resources)).round()
    standard = Standard("medical", "hospital", "drive", 3000.0, "m", 0.0, "test")
    graph = street_graph(osm.streets, osm.street_nodes, mode="drive", utm_crs=utm)
    table = pd.DataFrame({"residents": grid["residents"].to_numpy()}, index=grid.index)
    xy = cell_centres_xy(grid.index, utm)
    ours = two_step_fca(table, graph, standard, resources, xy, max_snap_m=500.0)
    # the same catchments as a long cost table, solved by PySAL access
    from scipy.sparse.csgraph import dijkstra

    hospitals = resources[resources["kind"] == "hospital"]
    h_xy = hospitals.to_crs(utm)
    h_node, _ = graph.snap(h_xy.geometry.x.to_numpy(), h_xy.geometry.y.to_numpy())
    c_node, _ = graph.snap(xy[:, 0], xy[:, 1])
    dist = dijkstra(graph.length_m, indices=h_node, limit=3000.0)[:, c_node]
    rows = [
        (h, c, d)
        for h, drow in zip(hospitals["id"], dist, strict=True)
        for c, d in zip(grid.index, drow, strict=True)
        if np.isfinite(d)
    ]
    cost = pd.DataFrame(rows, columns=["resource", "cell", "cost"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # access 1.1 uses pandas' deprecated inplace=True
        model = Access(
            demand_df=pd.DataFrame({"cell": grid.index, "residents": grid["residents"].to_numpy()}),
            demand_index="cell",
            demand_value="residents",
            supply_df=pd.DataFrame(
                {"resource": hospitals["id"].to_numpy(), "capacity": hospitals["capacity"].to_numpy()}
            ),
            supply_index="resource",
            supply_value="capacity",
            cost_df=cost,
            cost_origin="cell",
            cost_dest="resource",
            cost_name="cost",
        )
        theirs = model.two_stage_fca(name="2sfca", max_cost=3000.0).iloc[:, 0]
    theirs = theirs.reindex(grid.index).fillna(0.0)
    assert (ours > 0).sum() > 100
    assert ours.to_numpy() == pytest.approx(theirs.to_numpy(), rel=1e-9, abs=1e-12)


def test_driving_speeds_match_osmnx_add_edge_speeds(baltimore):
    import osmnx as ox

    osm, _, _ = baltimore
    graph = street_graph(osm.streets, osm.street_nodes, mode="drive", utm_crs="EPSG:32618")
    reference = graph.graph.copy()
    for _, _, data in reference.edges(data=True):
        del data["speed_kph"], data["travel_time"]
    table = speed_table()["drive_kmh"].to_dict()
    reference = ox.add_edge_speeds(reference, hwy_speeds=table, fallback=table["fallback"])
    ours = np.array([d["speed_kph"] for _, _, d in graph.graph.edges(data=True)])
    theirs = np.array([d["speed_kph"] for _, _, d in reference.edges(data=True)])
    tagged = np.array([bool(d.get("maxspeed")) for _, _, d in graph.graph.edges(data=True)])
    assert tagged.sum() > 1000  # Baltimore tags maxspeed in mph on many ways
    # osmnx converts mph with 1.60934, urbanrisk with the exact 1.609344
    assert np.abs(ours - theirs).max() < 1e-3


def test_resource_registry_layer_fills_what_osm_lacks(tmp_path):
    import urbanrisk as ur
    from conftest import default_recipe

    registry = tmp_path / "stations.csv"
    # test data: a fire station in Wudaokou, one just outside, one far from streets. F1 stands by a
    # public residential street: its first spot, inside the Tsinghua campus, is 640 m from any street
    # of osmnx's drive network (campus roads are highway=service, which drive excludes)
    registry.write_text(
        "id,kind,name,capacity,lon,lat\n"
        "F1,fire_station,test station inside,3,116.3204,39.9935\n"
        "F2,fire_station,test station outside,2,116.3343,40.0037\n"
        "F3,fire_station,test station in a field,2,116.3500,40.0010\n",
        encoding="utf-8",
    )
    recipe = default_recipe(tmp_path)
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    body["layers"]["stations"] = {"type": "points", "path": str(registry), "role": "resource"}
    result = ur.run_recipe(write_recipe(tmp_path / "r", body), write=False)
    status = result.coverage.status["fire"]
    assert status.startswith("ok: fire_station by drive within 5 min") and "; 2 resources;" in status
    # F3: reported by id, name and distance, not snapped; past the extract, which is said
    found = (
        r"; 1 resource too far from a street, not used: F3 test station in a field \(\d+ m from a street, "
    )
    assert re.search(found + r"outside the OSM data\)$", status)
    fire = result.coverage.coverage.query("standard == 'fire'")
    assert fire["covered"].any() and set(fire.loc[fire["covered"], "nearest_resource"]) <= {"F1", "F2"}
    assert (fire["supply_per_person"] > 0).any()  # capacities known: 2SFCA
    assert not bool(result.coverage.resources.set_index("id").loc["F2", "inside_area"])  # edge effect
    near = fire.sort_values("travel").iloc[0]
    assert near["travel"] >= 60.0  # the 60 s turnout is part of the response time


def test_recipe_max_snap_reaches_every_coverage_computation(tmp_path, monkeypatch):
    """coverage.max_snap_m is what snapping, suggested sites and 2SFCA use (not the package setting)."""
    import urbanrisk.coverage as coverage_module
    from conftest import default_recipe
    from urbanrisk.pipeline import coverage_for, load_layers, study_area
    from urbanrisk.recipe import load_recipe

    seen: dict[str, list[float]] = {"cover_cells": [], "greedy_sites": [], "with_supply": []}  # 2SFCA
    for name in seen:
        real = getattr(coverage_module, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            seen[_name].append(kwargs["max_snap_m"])
            return _real(*args, **kwargs)

        monkeypatch.setattr(coverage_module, name, spy)
    recipe = load_recipe(default_recipe(tmp_path, coverage={"max_snap_m": 37.0}))
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    from urbanrisk.pipeline import build_grid

    grid = build_grid(recipe, layers, area, scheduler="synchronous")
    result = coverage_for(recipe, layers, area, grid)
    ran = [name for name, status in result.status.items() if status.startswith("ok")]
    assert ran, result.status
    for name, values in seen.items():
        assert values == [37.0] * len(ran), name
    table = result.coverage
    assert (table.loc[table["cell_snap_m"] > 37.0, "covered"] == False).all()  # noqa: E712


def test_a_registry_station_mapped_in_osm_too_is_counted_once(tmp_path):
    """The office's hospital registry lists 北京大学校医院, which OSM maps too: the registry row stands
    for the site (it was counted twice: 3 hospitals instead of 2, and N-1 said losing either costs
    nobody)."""
    import urbanrisk as ur
    from conftest import WUDAOKOU_OSM, default_recipe
    from urbanrisk.layers.osm import osm_from_file

    pois = osm_from_file(WUDAOKOU_OSM).pois
    hospital = pois[(pois["kind"] == "hospital") & (pois["name"] == "北京大学校医院")].iloc[0]
    registry = tmp_path / "hospitals.csv"
    registry.write_text(
        f"id,kind,name,lon,lat\nH-01,hospital,北大校医院,{hospital.geometry.x + 0.0002:.6f},"
        f"{hospital.geometry.y:.6f}\n",  # ~17 m east of OSM's point for it
        encoding="utf-8",
    )
    body = yaml.safe_load(default_recipe(tmp_path).read_text(encoding="utf-8"))
    body["layers"]["hospitals"] = {"type": "points", "path": str(registry), "role": "resource"}
    result = ur.run_recipe(write_recipe(tmp_path / "r", body), write=False)
    hospitals = result.coverage.resources.query("kind == 'hospital'")
    assert "H-01" in set(hospitals["id"]) and f"osm:{hospital['osm_ref']}" not in set(hospitals["id"])
    assert "; 2 resources;" in result.coverage.status["medical"]


@pytest.mark.parametrize("name", ["fire", "medical"])
def test_service_roads_never_lengthen_travel_on_baltimore(baltimore, name):
    """drive_service = drive + service roads: a point drive reaches snaps where drive snaps it, so no
    cell's travel is longer (before: centres snapped to dead-end alleys at 10 km/h, up to +337 s on
    fire, 100 cells longer, 7,346 -> 8,329 residents uncovered on the demo)."""
    osm, area, grid = baltimore
    standard = next(s for s in standards_for("cn") if s.name == name)
    utm = "EPSG:32618"
    resources = resources_near(osm.pois, None, area, buffer_m=2000.0, utm_crs=utm)
    travel = {}
    for mode in ("drive", "drive_service"):
        graph = street_graph(osm.streets, osm.street_nodes, mode=mode, utm_crs=utm)
        travel[mode] = cover_cells(graph, standard, grid, resources, max_snap_m=500.0).cells["travel"]
    drive, service = travel["drive"].to_numpy(), travel["drive_service"].to_numpy()
    reached = ~np.isnan(drive)
    assert reached.sum() > 300 and not np.isnan(service[reached]).any()
    assert (service[reached] <= drive[reached] + 1e-6).all()
    assert (service[reached] < drive[reached] - 1.0).sum() >= 20  # service roads shorten some trips


def _candidate_nodes_by_geoseries(graph, area, *, max_candidates):
    """candidate_nodes as it was: the nodes back to lon/lat by GeoSeries.to_crs (the reference)."""
    import shapely

    lonlat = gpd.GeoSeries(gpd.points_from_xy(graph.xy[:, 0], graph.xy[:, 1]), crs=graph.utm_crs).to_crs(4326)
    inside = np.flatnonzero(shapely.contains_xy(area, lonlat.x.to_numpy(), lonlat.y.to_numpy()))
    linked = graph.time_s != 0
    degree = np.asarray(linked.sum(axis=1)).ravel() + np.asarray(linked.sum(axis=0)).ravel()
    order = inside[np.lexsort((inside, -degree[inside]))]
    return np.sort(order[:max_candidates]) if len(order) > max_candidates else order


def test_candidate_nodes_by_transformer_equal_the_geoseries_ones(baltimore):
    """The pyproj Transformer on arrays gives the very lon/lat GeoSeries.to_crs gave: the same nodes,
    in the same order, with and without the cap, for an area whose edge cuts through the streets."""
    from urbanrisk.siting import candidate_nodes

    osm, area, _ = baltimore
    graph = street_graph(osm.streets, osm.street_nodes, mode="drive", utm_crs="EPSG:32618")
    to_lonlat = gpd.GeoSeries(gpd.points_from_xy(graph.xy[:, 0], graph.xy[:, 1]), crs=graph.utm_crs)
    lon, lat = to_lonlat.to_crs(4326).x.to_numpy(), to_lonlat.to_crs(4326).y.to_numpy()
    cut = area.centroid.buffer(0.3 * (area.bounds[2] - area.bounds[0]))  # nodes on both sides of its edge
    for where in (area, cut):
        for cap in (10**9, 200):
            got = candidate_nodes(graph, where, max_candidates=cap)
            assert np.array_equal(got, _candidate_nodes_by_geoseries(graph, where, max_candidates=cap))
    inside = candidate_nodes(graph, cut, max_candidates=10**9)
    assert 200 < len(inside) < len(graph.node_ids)  # a real cut, and more nodes than the cap
    from pyproj import Transformer

    x, y = Transformer.from_crs(graph.utm_crs, "EPSG:4326", always_xy=True).transform(
        graph.xy[:, 0], graph.xy[:, 1]
    )
    assert np.array_equal(x, lon) and np.array_equal(y, lat)  # bit for bit


def test_travel_columns_are_numbers_even_where_nothing_is_reached():
    """At H3 resolution 0 (one cell) no hospital was reached: the pivot of travel and covered made
    medical_travel a column of objects, all NaN, which Arrow wrote as type null and the GeoPackage
    refused (exit 1, a traceback)."""
    import pyarrow as pa

    from urbanrisk.coverage import coverage_wide

    table = pd.DataFrame(
        {
            "h3_cell": ["a", "b", "a", "b"],
            "standard": ["medical", "medical", "fire", "fire"],
            "travel": [np.nan, np.nan, 120.0, np.nan],
            "covered": [False, False, True, False],
        }
    )
    wide = coverage_wide(table)
    assert wide["medical_travel"].dtype == wide["fire_travel"].dtype == "float64"
    assert wide.loc["a", "fire_travel"] == 120.0 and wide["fire_covered"].tolist() == [True, False]
    assert pa.Table.from_pandas(wide).schema.field("medical_travel").type == pa.float64()
