"""Incident answers and N-1 resilience on a lattice city built here, checked against hand
computations and independent solvers (networkx Dijkstra and min-cost flow, point sampling).

The city: a 9 x 9 lattice of residential streets 100 m apart (maxspeed 36 km/h: 10 s a block),
apartment blocks between them, two fire stations in opposite corners and a third on the same node
as the second, and a shelter registry with capacities.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import h3
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml
from pyproj import Geod, Transformer

import urbanrisk as ur
from chromium_pages import PAGE_TIMEOUT_MS, browser, deck_drawn  # noqa: F401  (the process's Chromium)
from conftest import write_recipe
from urbanrisk.cli import main
from urbanrisk.evacuation import assign_shelters, disc_shares
from urbanrisk.incident import incident_kind_table
from urbanrisk.outputs.html import BACKGROUND

UTM = "EPSG:32650"
ORIGIN = (440_000.0, 4_427_000.0)  # UTM 50N, near Beijing
N = 4  # nodes at -N..N blocks in x and y
BLOCK = 100.0
HOSTILE = "<img src=x onerror=alert(1)>"
GEOD = Geod(ellps="WGS84")
TO_LONLAT = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
TO_XY = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)


def node_id(i: int, j: int) -> int:
    return 1000 * (i + 50) + (j + 50)


def lonlat(i: float, j: float) -> tuple[float, float]:
    """Lattice position -> lon, lat at OSM's precision (1e-7 degrees, as osmium stores them)."""
    lon, lat = TO_LONLAT.transform(ORIGIN[0] + i * BLOCK, ORIGIN[1] + j * BLOCK)
    return round(lon, 7), round(lat, 7)


def _square(i: float, j: float, half: float) -> list[tuple[float, float]]:
    corners = [(-half, -half), (half, -half), (half, half), (-half, half), (-half, -half)]
    return [TO_LONLAT.transform(ORIGIN[0] + i * BLOCK + dx, ORIGIN[1] + j * BLOCK + dy) for dx, dy in corners]


def lattice_osm(path: Path, *, station_name: str = "Station A") -> Path:
    """A tiny .osm: the street lattice, 12 apartment blocks, fire stations A, B and C (C on B's node)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    lo, la = lonlat(-N - 2, -N - 2)
    hi, ha = lonlat(N + 2, N + 2)
    lines.append(f'<bounds minlat="{la:.7f}" minlon="{lo:.7f}" maxlat="{ha:.7f}" maxlon="{hi:.7f}"/>')
    for i in range(-N, N + 1):
        for j in range(-N, N + 1):
            lon, lat = lonlat(i, j)
            lines.append(f'<node id="{node_id(i, j)}" lat="{lat:.9f}" lon="{lon:.9f}" version="1"/>')
    way = 1
    for k in range(-N, N + 1):
        for refs in ([node_id(i, k) for i in range(-N, N + 1)], [node_id(k, j) for j in range(-N, N + 1)]):
            lines.append(f'<way id="{way}" version="1">' + "".join(f'<nd ref="{r}"/>' for r in refs))
            lines.append('<tag k="highway" v="residential"/><tag k="maxspeed" v="36"/></way>')
            way += 1
    # stations as tagged nodes at lattice nodes: A in one corner, B and C on the same node opposite
    stations = {-4: ("A", (-3, -3)), -5: ("B", (3, 3)), -6: ("C", (3, 3))}
    for osm_id, (label, (i, j)) in stations.items():
        lon, lat = lonlat(i, j)
        name = station_name if label == "A" else f"Station {label}"
        lines.append(f'<node id="{osm_id}" lat="{lat:.9f}" lon="{lon:.9f}" version="1">')
        lines.append(f'<tag k="amenity" v="fire_station"/><tag k="name" v="{_xml(name)}"/></node>')
    # apartment blocks (40 x 40 m, 5 storeys: 8,000 m² of housing each) in block centres
    node = 900_000
    blocks = [
        (-2.5, -2.5),
        (-1.5, -2.5),
        (-0.5, -0.5),
        (0.5, 0.5),
        (0.5, -0.5),
        (-0.5, 0.5),
        (1.5, 1.5),
        (2.5, 2.5),
        (3.5, 3.5),
        (-3.5, -3.5),
        (2.5, -1.5),
        (-1.5, 2.5),
    ]
    for b, (i, j) in enumerate(blocks):
        refs = []
        for lon, lat in _square(i, j, 20.0)[:-1]:
            node += 1
            refs.append(node)
            lines.append(f'<node id="{node}" lat="{lat:.9f}" lon="{lon:.9f}" version="1"/>')
        lines.append(
            f'<way id="{5000 + b}" version="1">' + "".join(f'<nd ref="{r}"/>' for r in [*refs, refs[0]])
        )
        lines.append('<tag k="building" v="apartments"/><tag k="building:levels" v="5"/></way>')
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


SHELTERS = {  # id: (name, lattice position, capacity)
    "S1": ("Near shelter", (3, 0), 150.0),
    "S2": (HOSTILE, (-3, 3), 10_000.0),
}


def lattice_recipe(folder: Path, *, station_name: str = "Station A") -> Path:
    osm = lattice_osm(folder / "lattice.osm", station_name=station_name)
    registry = folder / "shelters.csv"
    rows = ["id,kind,name,capacity,lon,lat"]
    for sid, (name, (i, j), cap) in SHELTERS.items():
        lon, lat = lonlat(i, j)
        rows.append(f'{sid},shelter,"{name}",{cap},{lon:.9f},{lat:.9f}')
    registry.write_text("\n".join(rows) + "\n", encoding="utf-8")
    body = {
        "name": "lattice",
        "title": "Lattice city",
        "area": {"layer": "osm"},
        "grid": {"resolution": 10},
        "layers": {
            "osm": {"type": "osm", "path": str(osm)},
            "population": {
                "type": "population_from_buildings",
                "source": "osm",
                "floor_area_per_person_m2": 40.0,
            },
            "shelters": {
                "type": "points",
                "path": str(registry),
                "lon": "lon",
                "lat": "lat",
                "role": "resource",
            },
        },
        "outputs": {"dir": str(folder / "out")},
        # 60 s turnout + 40 s of driving: 400 m of street from a station
        "coverage": {"standards": "cn", "overrides": {"fire": {"limit": 100, "unit": "s"}}},
    }
    return write_recipe(folder, body)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lattice")
    recipe = lattice_recipe(folder, station_name=HOSTILE)
    result = ur.run_recipe(recipe, scheduler="synchronous")
    return recipe, result


def lattice_graph(speed_ms: float) -> nx.DiGraph:
    """The lattice routed independently: geodesic block lengths, a constant speed."""
    graph = nx.DiGraph()
    for i in range(-N, N + 1):
        for j in range(-N, N + 1):
            for di, dj in ((1, 0), (0, 1)):
                if i + di > N or j + dj > N:
                    continue
                (a, b), (c, d) = lonlat(i, j), lonlat(i + di, j + dj)
                length = GEOD.inv(a, b, c, d)[2]
                for u, v in (
                    (node_id(i, j), node_id(i + di, j + dj)),
                    (node_id(i + di, j + dj), node_id(i, j)),
                ):
                    graph.add_edge(u, v, time=length / speed_ms, length=length)
    return graph


def nearest_lattice_node(lon: float, lat: float) -> int:
    x, y = TO_XY.transform(lon, lat)
    i = int(np.clip(round((x - ORIGIN[0]) / BLOCK), -N, N))
    j = int(np.clip(round((y - ORIGIN[1]) / BLOCK), -N, N))
    return node_id(i, j)


# ---------------------------------------------------------------------------------------------- units


def test_disc_share_of_a_square_is_a_quarter_circle_and_rings_nest():
    square = shapely.box(0, 0, 100, 100)
    shares = disc_shares(np.array([square]), (0.0, 0.0), [50.0, 100.0, 120.0, 150.0])

    def antiderivative(x: float, r: float) -> float:  # of sqrt(r² - x²)
        return 0.5 * (x * np.sqrt(r**2 - x**2) + r**2 * np.arcsin(x / r))

    # 120 m: full height up to x0 = sqrt(120² - 100²), under the arc beyond (analytic)
    x0 = np.sqrt(120.0**2 - 100.0**2)
    inside = 100.0 * x0 + antiderivative(100.0, 120.0) - antiderivative(x0, 120.0)
    expected = [np.pi * 50**2 / 4 / 1e4, np.pi / 4, inside / 1e4, 1.0]  # 150 m > the diagonal
    assert shares[0] == pytest.approx(expected, rel=2e-4)


def test_shelter_assignment_respects_capacity_and_equals_networkx_min_cost_flow():
    rng = np.random.default_rng(7)
    people = rng.integers(5, 60, size=12).astype(float)
    capacity = np.array([80.0, 120.0, 40.0, 60.0])
    walk = rng.uniform(100, 3000, size=(12, 4))
    walk[0, :] = np.inf  # no route at all
    walk[3, 2] = 5000  # beyond the walk limit
    flow, left = assign_shelters(people, walk, capacity, max_walk_m=2500)
    assert (flow.sum(axis=0) <= capacity + 1e-6).all()
    assert (flow.sum(axis=1) <= people + 1e-6).all()
    assert flow[0].sum() == 0 and flow[3, 2] == 0
    assert flow.sum() + left == pytest.approx(people.sum())
    # independent: networkx max-flow min-cost on the same network (integer people and metres)
    g = nx.DiGraph()
    for i, p in enumerate(people):
        g.add_edge("src", f"g{i}", capacity=int(p), weight=0)
        for j in range(4):
            if np.isfinite(walk[i, j]) and walk[i, j] <= 2500:
                g.add_edge(f"g{i}", f"s{j}", capacity=int(p), weight=round(walk[i, j]))
    for j, c in enumerate(capacity):
        g.add_edge(f"s{j}", "sink", capacity=int(c), weight=0)
    best = nx.max_flow_min_cost(g, "src", "sink")
    placed = sum(best["src"].values())
    cost = nx.cost_of_flow(g, best)
    assert flow.sum() == pytest.approx(placed)
    ours = float((flow * np.where(np.isfinite(walk), walk, 0)).sum())
    assert ours == pytest.approx(cost, abs=0.5 * placed)  # networkx rounds metres to integers


def test_kind_table_cites_its_sources():
    kinds = incident_kind_table()
    assert {"gas_leak", "chemical_spill", "explosion", "fire"} <= set(kinds.index)
    assert (
        kinds.loc["gas_leak", "evacuate_m"] == 100.0
        and "ERG 2020 Guide 115" in kinds.loc["gas_leak", "source"]
    )
    assert "urbanrisk assumption" in kinds.loc["fire", "source"]
    for kind, row in kinds.iterrows():
        assert row["rings"] == sorted(row["rings"]) and row["evacuate_m"] in row["rings"], kind


# ------------------------------------------------------------------------------------ the lattice city


def test_the_run_keeps_what_an_incident_needs_and_stays_small(city):
    _, result = city
    run = result.run_dir
    for name in ("resources", "vulnerable_sites", "network_nodes", "network_edges", "resilience"):
        assert (run / f"{name}.parquet").is_file(), name
    nodes = pd.read_parquet(run / "network_nodes.parquet")
    assert set(nodes["mode"]) == {"drive", "walk"}
    assert (nodes["mode"] == "drive").sum() == (2 * N + 1) ** 2


def test_n_minus_one_loss_of_each_station_by_hand(city):
    _, result = city
    losses = pd.read_parquet(result.run_dir / "resilience.parquet").query("standard == 'fire'")
    coverage = result.coverage.coverage.query("standard == 'fire'").set_index("h3_cell")
    # by hand: B and C share a node, so losing either costs nobody; A covers its corner alone (A and
    # B are 1,200 m of street apart, each reaches 400 m: their reaches do not overlap)
    by_id = losses.set_index("resource_id")
    a_id = next(i for i in by_id.index if by_id.loc[i, "name"] == HOSTILE)
    b_c = [i for i in by_id.index if i != a_id]
    assert by_id.loc[b_c, "residents_lost"].tolist() == [0.0, 0.0]
    served_by_a = coverage.loc[
        coverage["covered"] & (coverage["nearest_resource"] == a_id), "residents"
    ].sum()
    assert served_by_a > 0
    assert by_id.loc[a_id, "residents_lost"] == pytest.approx(served_by_a)
    assert by_id.loc[a_id, "rank"] == 1
    # independently: networkx from B's node alone, cells snapped to their nearest lattice node
    graph = lattice_graph(10.0)
    from_b = nx.single_source_dijkstra_path_length(graph.reverse(copy=False), node_id(3, 3), weight="time")
    from_a = nx.single_source_dijkstra_path_length(graph.reverse(copy=False), node_id(-3, -3), weight="time")
    lost = 0.0
    for cell, row in coverage.iterrows():
        lat, lon = h3.cell_to_latlng(cell)
        node = nearest_lattice_node(lon, lat)
        x, y = TO_XY.transform(lon, lat)
        if (
            np.hypot(
                x - ORIGIN[0] - ((node // 1000) - 50) * BLOCK, y - ORIGIN[1] - ((node % 1000) - 50) * BLOCK
            )
            > 500
        ):
            continue
        a_ok = from_a.get(node, np.inf) + 60 <= 100 + 1e-9
        b_ok = from_b.get(node, np.inf) + 60 <= 100 + 1e-9
        assert bool(row["covered"]) == (a_ok or b_ok), cell
        lost += row["residents"] if a_ok and not b_ok else 0.0
    assert by_id.loc[a_id, "residents_lost"] == pytest.approx(lost)


def test_n_minus_one_where_reaches_overlap_equals_a_pass_from_the_other_stations(city):
    from urbanrisk.coverage import cover_cells
    from urbanrisk.grade import cell_centres_xy
    from urbanrisk.network import street_graph
    from urbanrisk.resilience import station_losses
    from urbanrisk.result import Standard

    _, result = city
    graph = street_graph(result.layers.streets, result.layers.street_nodes, mode="drive", utm_crs=UTM)
    standard = Standard("fire", "fire_station", "drive", 160, "s", 60, "test: 100 s of driving, 1,000 m")
    grid, resources = result.grid, result.coverage.resources
    cells_xy = cell_centres_xy(grid.index, UTM)
    table = cover_cells(graph, standard, grid, resources, max_snap_m=500, cells_xy=cells_xy).cells
    losses = station_losses(graph, standard, table, resources, cells_xy=cells_xy, max_snap_m=500)
    by_id = losses.set_index("resource_id")
    reverse = lattice_graph(10.0).reverse(copy=False)
    nodes = {"A": node_id(-3, -3), "B": node_id(3, 3)}
    reach = {k: nx.single_source_dijkstra_path_length(reverse, v, weight="time") for k, v in nodes.items()}
    cell_nodes = [nearest_lattice_node(*h3.cell_to_latlng(c)[::-1]) for c in grid.index]
    covered = table["covered"].to_numpy()
    residents = table["residents"].to_numpy()
    for rid, row in by_id.iterrows():
        if row["name"] != HOSTILE:
            assert row["residents_lost"] == 0.0  # B and C share a node
            continue
        kept = np.array([reach["B"].get(n, np.inf) <= 100 + 1e-9 for n in cell_nodes])
        expected = residents[covered & ~kept].sum()
        assert row["residents_lost"] == pytest.approx(expected), rid
        assert 0 < row["residents_lost"] < row["residents_served"]  # B takes over part of A's area


def test_n_minus_one_is_the_same_under_every_scheduler(city, tmp_path):
    recipe, result = city
    threads = ur.run_recipe(recipe, scheduler="threads", write=False)
    pd.testing.assert_frame_equal(threads.coverage.resilience, result.coverage.resilience)


def test_report_names_the_station_the_city_can_least_afford_to_lose(city):
    _, result = city
    text = (result.run_dir / "report.html").read_text(encoding="utf-8")
    assert "What one loss costs (N-1)" in text and "least afford to lose" in text
    assert HOSTILE not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    manifest = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    worst = manifest["coverage"]["least_affordable_loss"]["fire"]
    assert worst["name"] == HOSTILE and worst["residents_lost"] > 0


@pytest.fixture(scope="module")
def answer(city, tmp_path_factory):
    recipe, _ = city
    out = tmp_path_factory.mktemp("incident")
    lon, lat = lonlat(0, 0)
    return ur.answer_incident(recipe, at=(lon, lat), kind="gas_leak", radius=200, out=out / "gas")


def test_ring_counts_equal_point_sampling_of_the_grid(city, answer):
    _, result = city
    grid = result.grid
    lon0, lat0 = lonlat(0, 0)
    x0, y0 = TO_XY.transform(lon0, lat0)
    rng = np.random.default_rng(1)
    expected = dict.fromkeys(answer.rings["ring_m"], 0.0)
    for cell, residents in grid["residents"].items():
        if residents <= 0:
            continue
        poly = gpd.GeoSeries(
            [shapely.Polygon([p[::-1] for p in h3.cell_to_boundary(cell)])], crs=4326
        ).to_crs(UTM)
        minx, miny, maxx, maxy = poly.total_bounds
        pts = rng.uniform([minx, miny], [maxx, maxy], size=(40_000, 2))
        pts = pts[shapely.contains_xy(poly.iloc[0], pts[:, 0], pts[:, 1])]
        d = np.hypot(pts[:, 0] - x0, pts[:, 1] - y0)
        for ring in expected:
            expected[ring] += residents * float((d <= ring).mean())
    got = answer.rings.set_index("ring_m")["residents_within"]
    for ring, value in expected.items():
        assert got[ring] == pytest.approx(value, rel=0.02, abs=2.0), ring
    assert sorted(answer.rings["ring_m"]) == [50.0, 100.0, 200.0, 800.0]  # gas_leak rings + --radius
    assert answer.evacuees == pytest.approx(got[200.0])
    # the largest ring (800 m) holds the lattice's centre blocks, never more than the whole city
    assert got[800.0] <= grid["residents"].sum() + 1e-6


def test_etas_equal_networkx_dijkstra(answer):
    drive = lattice_graph(10.0)
    fire = answer.resources.query("kind == 'fire_station'").set_index("id")
    to_incident = nx.single_source_dijkstra_path_length(
        drive.reverse(copy=False), node_id(0, 0), weight="time"
    )
    expected = to_incident[node_id(3, 3)]
    for rid, row in fire.iterrows():
        node = node_id(-3, -3) if row["name"] == HOSTILE else node_id(3, 3)
        assert row["travel_s"] == pytest.approx(to_incident[node], rel=1e-9), rid
        assert row["eta_s"] == pytest.approx(to_incident[node] + 60.0, rel=1e-9)
    assert fire["eta_s"].min() == pytest.approx(expected + 60.0)
    assert fire["rank"].tolist() == sorted(fire["rank"].tolist())
    walk = lattice_graph(4.3 / 3.6)
    shelter = answer.resources.query("kind == 'shelter'").set_index("id")
    to_walk = nx.single_source_dijkstra_path_length(walk.reverse(copy=False), node_id(0, 0), weight="time")
    assert shelter.loc["S1", "travel_s"] == pytest.approx(to_walk[node_id(3, 0)], rel=1e-9)


def test_shelters_are_filled_within_capacity_nearest_first(answer):
    shelters = answer.shelters.set_index("id")
    assert answer.evacuees > 150  # more than the near shelter holds
    assert shelters.loc["S1", "assigned"] == pytest.approx(150.0)  # full, and no more
    assert shelters.loc["S2", "assigned"] == pytest.approx(answer.evacuees - 150.0, abs=1e-3)
    assert answer.unplaced == pytest.approx(0.0, abs=1e-3)
    per_shelter = answer.assignment.groupby("shelter_id")["people"].sum()
    assert per_shelter["S1"] <= 150.0 + 1e-6
    assert answer.assignment["walk_m"].max() <= 2500.0


def test_a_small_radius_leaves_people_without_a_place_when_capacity_is_short(city, tmp_path):
    recipe, _ = city
    lon, lat = lonlat(3, 0)  # the near shelter is now inside the radius: unusable
    res = ur.answer_incident(recipe, at=(lon, lat), kind="explosion", radius=150, write=False)
    shelters = res.shelters.set_index("id")
    assert shelters.loc["S1", "status"] == "inside the evacuation radius"
    assert shelters.loc["S1", "assigned"] == 0.0
    # the far shelter holds everyone: nobody is left, cell by cell
    assert res.unplaced == pytest.approx(0.0, abs=1e-3)
    assert res.cells["without_place"].sum() == pytest.approx(res.unplaced, abs=1e-3)


def test_with_every_shelter_inside_the_radius_everyone_is_left_without_a_place(city):
    recipe, _ = city
    lon, lat = lonlat(0, 0)  # S1 300 m and S2 424 m away: both inside 500 m
    res = ur.answer_incident(recipe, at=(lon, lat), kind="explosion", write=False)
    assert res.radius_m == 500.0
    assert set(res.shelters["status"]) == {"inside the evacuation radius"}
    assert res.evacuees > 0 and res.unplaced == pytest.approx(res.evacuees)
    assert res.cells["without_place"].sum() == pytest.approx(res.evacuees)
    assert any("no usable shelter" in note for note in res.notes)


def test_vulnerable_sites_and_units_and_files(answer):
    record = json.loads((answer.out_dir / "incident.json").read_text(encoding="utf-8"))
    assert record["kind"] == "gas_leak" and record["evacuation_radius_m"] == 200.0
    assert "ERG 2020 Guide 115" in record["distances_source"]
    assert HOSTILE in (answer.out_dir / "incident.json").read_text(
        encoding="utf-8"
    )  # ensure_ascii=False, raw
    geo = json.loads((answer.out_dir / "incident.geojson").read_text(encoding="utf-8"))
    roles = {f["properties"]["role"] for f in geo["features"]}
    assert {"incident", "ring", "resource", "shelter"} <= roles
    assert len(answer.units) and (answer.units["distance_m"] >= 0).all()
    assert answer.units["in_evacuation"].any()
    assert answer.timings["answer_s"] > 0  # its speed: benchmarks/incident.py, not asserted here


def test_gcj02_points_are_converted(city):
    from urbanrisk.layers.coords import wgs84_to_gcj02

    recipe, _ = city
    lon, lat = lonlat(0, 0)
    glon, glat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    res = ur.answer_incident(recipe, at=f"{glon[0]},{glat[0]}", coords="gcj02", kind="fire", write=False)
    assert res.lon == pytest.approx(lon, abs=1e-7) and res.lat == pytest.approx(lat, abs=1e-7)


# ----------------------------------------------------------------------------------------- bad input


def _cli(capsys, *args) -> tuple[int, str]:
    code = main(["incident", *map(str, args)])
    return code, capsys.readouterr().err


def test_bad_input_exits_2_with_the_fix(city, capsys, tmp_path):
    recipe, result = city
    lon, lat = lonlat(0, 0)
    code, err = _cli(capsys, recipe, "--at", f"{lon + 1},{lat}", "--kind", "gas_leak")
    assert code == 2 and "outside the area of run" in err and "--at" in err
    code, err = _cli(capsys, recipe, "--at", f"{lon},{lat}", "--kind", "meteor")
    assert code == 2 and "'meteor' has no distance table entry" in err and "incident_kinds.csv" in err
    code, err = _cli(capsys, recipe, "--at", f"{lat},{lon}x", "--kind", "fire")
    assert code == 2 and "LON,LAT" in err
    code, err = _cli(capsys, recipe, "--at", f"{lon},{lat}", "--kind", "fire", "--runs", tmp_path / "none")
    assert code == 2 and "no run of recipe 'lattice' yet" in err and "urbanrisk run" in err
    old = tmp_path / "old"
    shutil.copytree(result.run_dir.parent.parent, old, symlinks=True)
    (old / "latest").resolve().joinpath("network_edges.parquet").unlink()
    code, err = _cli(capsys, recipe, "--at", f"{lon},{lat}", "--kind", "fire", "--runs", old)
    assert code == 2 and "lacks network_edges.parquet" in err and "run `urbanrisk run" in err


def test_cli_writes_a_stamped_folder_by_default(city, capsys):
    recipe, result = city
    lon, lat = lonlat(0, 0)
    assert main(["incident", str(recipe), "--at", f"{lon},{lat}", "--kind", "chemical_spill"]) == 0
    out = capsys.readouterr().out
    assert "residents within" in out
    folders = list((result.run_dir.parent.parent / "incidents").iterdir())
    assert any(f.name.endswith("-chemical_spill") and (f / "incident.html").is_file() for f in folders)


# ------------------------------------------------------------------------------------------- browser


def test_incident_page_renders_offline_with_hostile_names_escaped(answer, browser):  # noqa: F811
    page_path = answer.out_dir / "incident.html"
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors, dialogs, requests = [], [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on(
        "request",
        lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None,
    )
    page.set_default_timeout(PAGE_TIMEOUT_MS)  # a loaded machine: conditions, not sleeps
    page.goto(page_path.resolve().as_uri())
    deck_drawn(page)
    sheet = page.inner_text("#ur-sheet")
    assert HOSTILE in sheet  # shown as text, not run
    assert page.locator("#ur-sheet img").count() == 0
    assert "Nearest resources" in sheet and "Shelters" in sheet
    layers = page.evaluate("() => deckInstance.props.layers.map(l => l.id)")
    assert {"cells", "rings", "incident", "shelters"} <= set(layers)
    shot = answer.out_dir / "shot.png"
    page.screenshot(path=str(shot))
    page.close()
    assert not errors, errors
    assert not dialogs and not requests
    # the map drew (right of the sheet): its background, the evacuated cells, no black canvas
    import warnings

    import rasterio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pixels = rasterio.open(shot).read()[:3, :, 480:].reshape(3, -1).T.astype(int)
    background = np.array([int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)])
    assert (np.abs(pixels - background).sum(axis=1) <= 6).mean() > 0.2
    assert (pixels.sum(axis=1) == 0).mean() < 0.01
    reddish = (pixels[:, 0] > 180) & (pixels[:, 1] < 200) & (pixels[:, 0] - pixels[:, 2] > 25)
    assert reddish.mean() > 0.01


def test_rings_reaching_past_the_study_area_are_said(city, answer):
    """An 800 m ring around a point of a small area counted the area's residents only, with nothing
    saying so: the answer names every ring the run's cells do not cover, and only those."""
    _, result = city
    cells = gpd.GeoSeries(
        [shapely.Polygon([p[::-1] for p in h3.cell_to_boundary(c)]) for c in result.grid.index], crs=4326
    ).to_crs(UTM)
    studied = shapely.union_all(cells.to_numpy()).buffer(0.5)
    x0, y0 = TO_XY.transform(*lonlat(0, 0))
    outside = [r for r in answer.rings["ring_m"] if not shapely.Point(x0, y0).buffer(r).within(studied)]
    assert outside and len(outside) < len(answer.rings)  # the case tells both apart
    notes = [n for n in answer.notes if "reach past the run's study area" in n]
    assert len(notes) == 1
    named = notes[0].removeprefix("the ").split(" ring(s)")[0].split(", ")
    assert named == [f"{r:,.0f} m" for r in outside]


def test_kinds_by_their_chinese_names_and_from_the_recipes_own_table(city, tmp_path):
    """`--kind 燃气泄漏` was refused (kinds were English codes only), and the fix the message gave was to
    edit the installed package's table: a recipe now names its own copy (tables: {incident_kinds})."""
    recipe, _ = city
    lon, lat = lonlat(0, 0)
    by_name = ur.answer_incident(recipe, at=(lon, lat), kind="燃气泄漏", write=False)
    by_code = ur.answer_incident(recipe, at=(lon, lat), kind="gas_leak", write=False)
    assert by_name.kind == "gas_leak"
    pd.testing.assert_frame_equal(by_name.rings, by_code.rings)
    own = tmp_path / "我市事件类型.csv"
    own.write_text(
        "kind,rings_m,evacuate_m,source,names\n"
        "earthquake_collapse,30|60,30,某市预案 (test row),地震|房屋倒塌\n",
        encoding="utf-8",
    )
    body = yaml.safe_load(Path(recipe).read_text(encoding="utf-8"))
    body["tables"] = {**body.get("tables", {}), "incident_kinds": str(own)}
    copy = tmp_path / "recipe.yaml"
    copy.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    quake = ur.answer_incident(copy, at=(lon, lat), kind="地震", write=False)
    assert quake.kind == "earthquake_collapse" and sorted(quake.rings["ring_m"]) == [30.0, 60.0]
    with pytest.raises(
        ur.InputError,
        match=r"'gas_leak' has no distance table entry: use one of "
        r"earthquake_collapse \(地震\), or add a row to your copy of 我市事件类型\.csv",
    ):
        ur.answer_incident(copy, at=(lon, lat), kind="gas_leak", write=False)


def test_a_kind_the_run_holds_none_of_is_said_known_or_unknown():
    """An incident with no fire station in the data said nothing of it; now: none to send, and
    whether that is known (a registry declared complete lists none) or unknown (none was mapped)."""
    import pandas as pd

    from urbanrisk.response import absent_kinds

    standards = {
        "fire": {"resource_kind": "fire_station", "declared_complete": "layer 'stations' (complete_for)"},
        "medical": {"resource_kind": "hospital", "declared_complete": ""},
        "shelter": {"resource_kind": "shelter", "declared_complete": ""},
    }
    resources = pd.DataFrame({"kind": ["hospital"], "id": ["h1"]})
    fire, shelter = absent_kinds(standards, resources)
    assert (
        fire == "no fire_station to send: layer 'stations' (complete_for) lists none (fire: nobody reached)"
    )
    assert shelter.startswith("no shelter in the run's data") and "unknown whether" in shelter
    assert absent_kinds(standards, resources.assign(kind="hospital")) == [fire, shelter]


def test_a_zh_recipes_incident_refusals_are_said_in_chinese(city, capsys, tmp_path):
    """Under report: {language: zh} every refusal of `urbanrisk incident` was printed in English (session
    21): no run yet, a point outside the run, --at typed wrong, an unknown kind, a radius of 0."""
    recipe, _ = city
    zh = tmp_path / "zh.yaml"
    zh.write_text(recipe.read_text(encoding="utf-8") + "\nreport: {language: zh}\n", encoding="utf-8")
    lon, lat = lonlat(0, 0)
    said = {
        "配方 'lattice' 在": ("--at", f"{lon},{lat}", "--kind", "fire", "--runs", tmp_path / "none"),
        "位于运行": ("--at", f"{lon + 1},{lat}", "--kind", "gas_leak"),
        "请以“经度,纬度”（度）给出位置": ("--at", f"{lat},{lon}x", "--kind", "fire"),
        "在距离表中没有条目": ("--at", f"{lon},{lat}", "--kind", "meteor"),
        "请以米为单位给出疏散半径": ("--at", f"{lon},{lat}", "--kind", "fire", "--radius", "0"),
    }
    for chinese, args in said.items():
        code, err = _cli(capsys, zh, *args)
        assert code == 2 and chinese in err and "urbanrisk：错误：" in err, err
