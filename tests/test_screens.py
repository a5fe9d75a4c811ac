"""The four screens and the grade on hand-built cases with known answers, and on real Wudaokou."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

import urbanrisk as ur
from conftest import write_recipe
from urbanrisk.grade import GRADE_RANK, grade_cells, grades_from_scores
from urbanrisk.grid import grid_frame
from urbanrisk.grid_dataset import read_grid
from urbanrisk.indicators import PartitionInput, partition_indicators
from urbanrisk.layers.tables import hazard_kind_table
from urbanrisk.recipe import GradingSpecModel
from urbanrisk.screens import (
    communities_screen,
    hazard_sources_screen,
    key_districts_screen,
    urban_village_cell_scores,
    urban_villages_screen,
)
from urbanrisk.screens.hazard_sources import safety_distance_table
from urbanrisk.snap_reasons import LEAVES_DATA, NO_STREET, NOT_CONNECTED

UTM50 = "EPSG:32650"
CENTRE = h3.latlng_to_cell(39.9916, 116.3317, 10)


def _to_lonlat(geoms_utm) -> list:
    return list(gpd.GeoSeries(geoms_utm, crs=UTM50).to_crs(4326))


def _centre_utm(cell: str = CENTRE) -> tuple[float, float]:
    lat, lon = h3.cell_to_latlng(cell)
    p = gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(UTM50).iloc[0]
    return p.x, p.y


def _cells_table(cells, **columns) -> gpd.GeoDataFrame:
    """A grid of the given cells with the indicator columns the screens read (zeros unless given)."""
    grid = grid_frame(sorted(cells))
    defaults = [
        "residents",
        "buildings",
        "footprint_m2",
        "floor_area_m2",
        "residential_floor_m2",
        "crowd_places",
        "vulnerable_sites",
        "buildings_no_street_access",
        "alley_length_m",
    ]
    for name in defaults:
        grid[name] = 0.0
    for name, values in columns.items():
        grid[name] = pd.Series(values).reindex(grid.index).fillna(0.0)
    grid["coverage_ratio"] = grid["footprint_m2"] / grid["cell_area_m2"]
    return grid


# --- hazard sources ------------------------------------------------------------------------------


def _fuel_and_school(distance_m: float):
    x, y = _centre_utm()
    fuel = gpd.GeoDataFrame(
        {
            "id": ["F1"],
            "kind": ["fuel"],
            "name": ["Corner fuel"],
            "severity": [3],
            "source": ["test"],
            "osm_ref": [""],
        },
        geometry=_to_lonlat([Point(x, y)]),
        crs=4326,
    )
    school_outline = box(x + distance_m, y - 20, x + distance_m + 40, y + 20)  # grounds start at distance_m
    pois = gpd.GeoDataFrame(
        {
            "osm_ref": ["way/1"],
            "kind": ["school"],
            "roles": ["vulnerable|crowd"],
            "group": ["education"],
            "name": ["<b>No.1 School</b>"],
            "shape_wkb": [_to_lonlat([school_outline])[0].wkb],
        },
        geometry=_to_lonlat([school_outline.centroid]),
        crs=4326,
    )
    grid = _cells_table(h3.grid_disk(CENTRE, 2), residents={CENTRE: 500.0})
    return grid, fuel, pois


def _screen_fuel(grid, fuel, pois, rules) -> gpd.GeoDataFrame:
    return hazard_sources_screen(
        grid,
        fuel,
        pois=pois,
        buildings=None,
        resources=None,
        kinds=hazard_kind_table(),
        distances=rules,
        utm_crs=UTM50,
    )


def test_a_hospital_mapped_twice_is_one_vulnerable_site_and_says_how_many_features():
    """OSM maps one hospital as a node inside its area, and a school as two outlines of one name: the
    fuel station's table listed 2 hospitals and 2 schools. One site each now (a point inside the
    polygon of its kind; the same name within 100 m), saying how many OSM features it merges; a clinic
    of another name 30 m from the school stays a site of its own."""
    from urbanrisk.outputs.i18n import sites_text

    grid, fuel, _ = _fuel_and_school(80.0)
    x, y = _centre_utm()
    area = box(x + 40, y - 30, x + 80, y + 30)  # the hospital's grounds, 40 m east of the station
    first, second = box(x - 60, y - 20, x - 50, y + 20), box(x - 45, y - 20, x - 35, y + 20)  # one school
    clinic = Point(x - 20, y + 60)  # another name, ~30 m from the school's outline: its own site
    shapes = [area, Point(x + 60, y), first, second, clinic]
    pois = gpd.GeoDataFrame(
        {
            "osm_ref": ["way/10", "node/11", "way/12", "way/13", "node/14"],
            "kind": ["hospital", "hospital", "school", "school", "school"],
            "roles": ["vulnerable"] * 5,
            "group": ["health", "health", "education", "education", "education"],
            "name": ["第一医院", "", "五道口小学", "五道口小学", "幼儿园"],
            "shape_wkb": [g.wkb if g.geom_type == "Polygon" else None for g in _to_lonlat(shapes)],
        },
        geometry=_to_lonlat([g.centroid for g in shapes]),
        crs=4326,
    )
    fuel = fuel.assign(kind="fuel")
    row = _screen_fuel(grid, fuel, pois, pd.DataFrame(columns=["kind", "target", "min_distance_m", "source"]))
    row = row.iloc[0]
    assert row["vulnerable_sites"] == 3, row["vulnerable_names"]  # not 5
    names = row["vulnerable_names"].split("; ")
    assert "hospital 第一医院 (40 m, 2 OSM features)" in names
    assert "school 五道口小学 (35 m, 2 OSM features)" in names
    assert any(n.startswith("school 幼儿园 (") and "OSM features" not in n for n in names)
    assert "医院 第一医院（40 米，合并 2 个 OSM 要素）" in sites_text(row["vulnerable_names"], "zh")


def test_fuel_station_80_m_from_school_breaches_a_100_m_distance():
    grid, fuel, pois = _fuel_and_school(80.0)
    rules = pd.DataFrame(
        {
            "kind": ["fuel"],
            "target": ["school"],
            "min_distance_m": [100.0],
            "source": ["hand-made 100 m rule"],
        }
    )
    table = _screen_fuel(grid, fuel, pois, rules)
    row = table.iloc[0]
    assert row["n_breaches"] == 1
    assert row["breaches"].startswith("school <b>No.1 School</b> at 80 m < 100 m (hand-made 100 m rule)")
    assert row["vulnerable_sites"] == 1 and "(80 m)" in row["vulnerable_names"]  # within 100 m radius
    # consequence: 500 residents in reach -> 2, +1 for the exposed school and the breach -> 3
    assert (row["consequence"], row["matrix_score"], row["grade"]) == (3, 9, "II")


def test_fuel_station_120_m_from_school_breaches_nothing():
    grid, fuel, pois = _fuel_and_school(120.0)
    table = _screen_fuel(grid, fuel, pois, safety_distance_table())
    row = table.iloc[0]
    assert row["n_breaches"] == 0 and row["vulnerable_sites"] == 0  # outside the 100 m impact radius
    assert row["residents_exposed"] == pytest.approx(500.0 * _circle_share(CENTRE, 100.0), rel=1e-3)


def _circle_share(cell: str, radius: float) -> float:
    poly = gpd.GeoSeries(grid_frame([cell]).geometry, crs=4326).to_crs(UTM50).iloc[0]
    return poly.intersection(Point(*_centre_utm(cell)).buffer(radius, quad_segs=16)).area / poly.area


def test_registry_and_osm_describing_one_site_are_merged():
    from urbanrisk.screens.hazard_sources import hazard_sources_from_layers

    x, y = _centre_utm()
    registry = gpd.GeoDataFrame(
        {"id": ["R1"], "kind": ["fuel"], "name": ["Sinopec"], "severity": [4], "source": ["registry"]},
        geometry=_to_lonlat([Point(x, y)]),
        crs=4326,
    )
    pois = gpd.GeoDataFrame(
        {
            "osm_ref": ["node/7", "node/8"],
            "kind": ["fuel", "fuel"],
            "roles": ["hazard", "hazard"],
            "group": ["energy", "energy"],
            "name": ["中国石化", "Far"],
        },
        geometry=_to_lonlat([Point(x + 30, y), Point(x + 500, y)]),
        crs=4326,
    )
    merged = hazard_sources_from_layers(registry, pois, hazard_kind_table(), utm_crs=UTM50)
    assert merged["id"].tolist() == ["R1", "osm:node/8"]
    assert merged.loc[0, "osm_ref"] == "node/7" and merged.loc[0, "severity"] == 4
    assert merged.loc[1, "severity"] == 3  # the kind's default


# --- key districts -------------------------------------------------------------------------------


def test_two_adjacent_dense_cells_form_one_key_district():
    neighbour = h3.grid_ring(CENTRE, 1)[0]
    far = h3.grid_ring(CENTRE, 5)[0]
    cells = h3.grid_disk(CENTRE, 7)  # one contiguous study area holding both places
    busy = {CENTRE: 12.0, neighbour: 12.0, far: 12.0}
    people = {CENTRE: 1500.0, neighbour: 1500.0, far: 1500.0}
    grid = _cells_table(cells, crowd_places=busy, residents=people)
    # densities are taken over each cell's disk (~0.1 km²): 12 places make ~115/km², the pair ~230/km²
    table = key_districts_screen(grid, None, min_cells=2, crowd_min_per_km2=150, people_min_per_km2=20_000)
    # the pair and the two cells touching both form one district; the lone far cell is not dense enough
    assert len(table) == 1
    district = table.iloc[0]
    assert district["cells"] == 4
    assert district["geometry"].contains(Point(*h3.cell_to_latlng(CENTRE)[::-1]))
    assert district["geometry"].contains(Point(*h3.cell_to_latlng(neighbour)[::-1]))
    assert not district["geometry"].contains(Point(*h3.cell_to_latlng(far)[::-1]))
    assert district["crowd_places"] == 24


def test_sparse_cells_make_no_key_district():
    grid = _cells_table(h3.grid_disk(CENTRE, 2), crowd_places={CENTRE: 1.0}, residents={CENTRE: 50.0})
    assert key_districts_screen(grid, None).empty


def test_dense_cells_in_clusters_too_small_make_no_key_district_and_no_crash():
    # Wudaokou at r11 inside a sub-bbox had dense cells whose clusters were all below min_cells:
    # dissolving no group at all raised "zip() argument 2 is shorter" (exit 1, a traceback)
    neighbour = h3.grid_ring(CENTRE, 1)[0]
    busy = {CENTRE: 12.0, neighbour: 12.0}
    grid = _cells_table(h3.grid_disk(CENTRE, 7), crowd_places=busy, residents=dict.fromkeys(busy, 1500.0))
    options = {"crowd_min_per_km2": 150, "people_min_per_km2": 20_000}
    assert len(key_districts_screen(grid, None, min_cells=2, **options)) == 1  # dense cells are there
    table = key_districts_screen(grid, None, min_cells=50, **options)
    assert table.empty and "geometry" in table


# --- urban villages ------------------------------------------------------------------------------


def _indicators(buildings_utm, streets_utm, highways, rings: int = 2) -> gpd.GeoDataFrame:
    cells = sorted(h3.grid_disk(CENTRE, rings))
    footprint = np.array([g.area for g in buildings_utm])
    buildings = gpd.GeoDataFrame(
        {
            "osm_ref": [f"way/{i}" for i in range(len(buildings_utm))],
            "floor_area_m2": footprint * 3,
            "residential_share": 1.0,
        },
        geometry=_to_lonlat(buildings_utm),
        crs=4326,
    )
    streets = gpd.GeoDataFrame({"highway": highways}, geometry=_to_lonlat(streets_utm), crs=4326)
    from shapely import wkb

    task = PartitionInput(
        cells=cells,
        resolution=10,
        utm_crs=UTM50,
        area_wkb=wkb.dumps(box(100, 30, 130, 50)),
        poi_kinds=[],
        buildings=buildings,
        streets=streets,
        floor_area_per_person_m2=38.6,
    )
    table = partition_indicators(task)
    grid = grid_frame(cells).join(table)
    grid["coverage_ratio"] = grid["footprint_m2"] / grid["cell_area_m2"]
    return grid


def test_small_touching_buildings_without_street_access_score_as_urban_village():
    from shapely.geometry import LineString

    x, y = _centre_utm()
    side, n = 8.0, 10  # 100 buildings of 8 m x 8 m, wall to wall: "handshake buildings"
    start = -n * side / 2
    houses = [
        box(
            x + start + i * side, y + start + j * side, x + start + (i + 1) * side, y + start + (j + 1) * side
        )
        for i in range(n)
        for j in range(n)
    ]
    road = LineString([(x - 200, y + start - 15), (x + 200, y + start - 15)])  # one road to the south
    grid = _indicators(houses, [road], ["residential"])
    scores = urban_village_cell_scores(grid, None)
    assert grid.loc[CENTRE, "buildings_no_street_access"] > 0.5 * grid.loc[CENTRE, "buildings"]
    assert scores.loc[CENTRE, "uv_score"] >= 0.6
    villages = urban_villages_screen(grid, scores, None, min_score=0.5, min_cells=1)
    assert len(villages) >= 1
    assert villages.iloc[0]["geometry"].contains(Point(*h3.cell_to_latlng(CENTRE)[::-1]))
    assert villages.iloc[0]["confidence"] >= 0.6


def test_planned_compound_of_large_blocks_along_streets_is_not_an_urban_village():
    from shapely.geometry import LineString

    x, y = _centre_utm()
    slabs = [box(x - 30, y + dy, x + 30, y + dy + 12) for dy in (-50, -20, 10, 40)]  # 60 m x 12 m slabs
    roads = [LineString([(x - 200, y + dy), (x + 200, y + dy)]) for dy in (-55, -25, 5, 35, 60)]
    grid = _indicators(slabs, roads, ["residential"] * 5)
    scores = urban_village_cell_scores(grid, None)
    assert grid.loc[CENTRE, "buildings_no_street_access"] == 0
    assert scores["uv_score"].max() < 0.2
    assert urban_villages_screen(grid, scores, None, min_cells=1).empty


# --- communities ---------------------------------------------------------------------------------


def test_communities_from_a_polygons_layer_aggregate_residents_by_grade():
    cells = sorted(h3.grid_disk(CENTRE, 2))
    grid = _cells_table(cells, residents=dict.fromkeys(cells, 100.0))
    grid["risk"] = 1.0
    grid["grade"] = "IV"
    grid.loc[CENTRE, ["grade", "risk"]] = ["I", 7.0]
    lon, lat = h3.cell_to_latlng(CENTRE)[::-1]
    west = box(lon - 0.01, lat - 0.01, lon + 1e-9, lat + 0.01)
    east = box(lon + 1e-9, lat - 0.01, lon + 0.01, lat + 0.01)
    units = gpd.GeoDataFrame(
        {"id": ["W", "E"], "name": ["西街道", "东街道"]}, geometry=[west, east], crs=4326
    )
    table, how = communities_screen(grid, None, polygons=units, landuse=None, utm_crs=UTM50)
    assert how == "recipe polygons layer"
    assert table["residents"].sum() == pytest.approx(100.0 * len(cells))
    first = table.iloc[0]  # worst first: the unit holding the red cell
    assert first["worst_grade"] == "I" and first["red_cells"] == 1 and first["residents_I"] == 100.0
    assert set(table["name"]) == {"西街道", "东街道"}


def test_a_communitys_residents_are_unknown_not_0_where_nobody_was_counted_and_cells_are_unknown():
    """The same two units; every cell east of the centre has residents unknown, none counted there:
    the east unit's residents are unknown (NaN) with its cells counted, its mean risk unknown where no
    cell was graded; the west unit counts its people, and its one unknown cell makes them a bound."""
    cells = sorted(h3.grid_disk(CENTRE, 2))
    lonlat = {c: h3.cell_to_latlng(c)[::-1] for c in cells}
    lon, lat = lonlat[CENTRE]
    east_cells = [c for c in cells if lonlat[c][0] > lon + 1e-9]
    west_unknown = min(c for c in cells if lonlat[c][0] < lon - 1e-9)
    unknown = set(east_cells) | {west_unknown}
    grid = _cells_table(cells, residents={c: 0.0 if c in unknown else 100.0 for c in cells})
    grid["known_residents"] = [c not in unknown for c in cells]
    grid["risk"] = [np.nan if c in east_cells else 1.0 for c in cells]
    grid["grade"] = ["no data" if c in east_cells else "IV" for c in cells]
    west = box(lon - 0.01, lat - 0.01, lon + 1e-9, lat + 0.01)
    east = box(lon + 1e-9, lat - 0.01, lon + 0.01, lat + 0.01)
    units = gpd.GeoDataFrame({"id": ["W", "E"], "name": ["西", "东"]}, geometry=[west, east], crs=4326)
    table = communities_screen(grid, None, polygons=units, landuse=None, utm_crs=UTM50)[0].set_index("id")
    assert np.isnan(table.loc["E", "residents"]) and np.isnan(table.loc["E", "mean_risk"])
    assert table.loc["E", "cells_residents_unknown"] == table.loc["E", "cells"] == len(east_cells)
    counted = 100.0 * (table.loc["W", "cells"] - 1)
    assert table.loc["W", "residents"] == counted and table.loc["W", "cells_residents_unknown"] == 1


# --- the grade -----------------------------------------------------------------------------------


def _graded(severities: list[int], spec=None) -> pd.Series:
    cells = sorted(h3.grid_disk(CENTRE, 3))
    rng = np.random.default_rng(7)
    grid = _cells_table(
        cells,
        residents=dict(zip(cells, rng.uniform(0, 800, len(cells)), strict=True)),
        crowd_places=dict(zip(cells, rng.integers(0, 6, len(cells)), strict=True)),
        vulnerable_sites=dict(zip(cells, rng.integers(0, 2, len(cells)), strict=True)),
        footprint_m2=dict(zip(cells, rng.uniform(0, 9000, len(cells)), strict=True)),
    )
    x, y = _centre_utm()
    points = [Point(x + 60 * i, y - 40 * i) for i in range(len(severities))]
    hazards = gpd.GeoDataFrame(
        {
            "id": [f"H{i}" for i in range(len(severities))],
            "label": "fuel station",
            "name": "",
            "severity": severities,
            "impact_radius_m": 300.0,
        },
        geometry=_to_lonlat(points),
        crs=4326,
    )
    uv = pd.Series(rng.uniform(0, 1, len(cells)), index=grid.index)
    coping = pd.Series(rng.uniform(1, 10, len(cells)), index=grid.index)  # measured lack of coping
    return grade_cells(grid, hazards, uv, utm_crs=UTM50, spec=spec, coping=coping)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.data())
def test_raising_a_hazard_severity_never_lowers_any_grade(severities, data):
    which = data.draw(st.integers(0, len(severities) - 1))
    raised = list(severities)
    raised[which] = data.draw(st.integers(raised[which], 4))
    before = _graded(severities)
    after = _graded(raised)
    assert (after["risk"] >= before["risk"] - 1e-12).all()
    rank_before = before["grade"].map(GRADE_RANK)
    rank_after = after["grade"].map(GRADE_RANK)
    assert (rank_after <= rank_before).all()  # rank 0 is grade I: never a less severe grade


def test_every_cell_keeps_dimensions_and_factors():
    graded = _graded([4])
    for column in ("hazard_exposure", "vulnerability", "lack_of_coping", "risk", "grade", "factors"):
        assert graded[column].notna().all()
    assert graded[["hazard_exposure", "vulnerability", "lack_of_coping"]].stack().between(0, 10).all()
    near = graded.loc[CENTRE]
    assert "hazard source nearby: fuel station H0 (severity 4)" in near["factors"]
    assert len(near["factors"].split("; ")) == 3
    risk = np.cbrt(near["hazard_exposure"] * near["vulnerability"] * near["lack_of_coping"])
    assert near["risk"] == pytest.approx(risk)


def test_lack_of_coping_beyond_the_standards_is_a_factor():
    """A harbour cell with a chlorine tank graded I by its lack of coping 10 (no street reaches it)
    read "why: hazard source nearby" only: the dimension that made it red was never a reason."""
    cells = sorted(h3.grid_disk(CENTRE, 1))
    grid = _cells_table(cells, residents=dict.fromkeys(cells, 50.0), crowd_places=dict.fromkeys(cells, 1))
    uv = pd.Series(0.0, index=grid.index)
    far, near, unknown = cells[0], cells[1], cells[2]
    coping = pd.Series(1.0, index=grid.index)  # within a quarter of the limit: no reason
    coping[far], coping[near], coping[unknown] = 10.0, 4.85, np.nan  # 4.85: just within the limit
    graded = grade_cells(grid, None, uv, utm_crs=UTM50, coping=coping)
    assert graded.loc[far, "factors"].startswith(
        "emergency response beyond the coverage standards (lack of coping 10.0/10)"
    )
    for cell in (near, unknown, cells[3]):
        assert "coping" not in graded.loc[cell, "factors"], graded.loc[cell, "factors"]
    from urbanrisk.outputs.i18n_alerts import alert_explanation

    assert alert_explanation(graded.loc[far, "factors"], "zh", {}).startswith(
        "应急资源到达超出覆盖标准（应对能力不足 10.0/10）"
    )


@pytest.mark.parametrize("method", ["quantiles", "natural_breaks"])
def test_data_driven_grading_gives_four_grades(method):
    graded = _graded([3, 4], spec=GradingSpecModel(method=method))
    assert set(graded["grade"]) == {"I", "II", "III", "IV"}
    top = graded["risk"].idxmax()
    assert graded.loc[top, "grade"] == "I"


def test_natural_breaks_classes_do_not_depend_on_the_global_random_state():
    # mapclassify.NaturalBreaks classed up to 24 of these 300 values differently under numpy's global
    # random states 0-5 (its k-means draws from it): two runs could grade a cell differently
    rng = np.random.default_rng(1)
    values = [np.round(rng.gamma(2, 1.5, 300), 2) for _ in range(7)][-1]
    risk = pd.Series(values)
    spec = GradingSpecModel(method="natural_breaks")
    runs = []
    for seed in range(6):
        np.random.seed(seed)  # the global state must not matter
        runs.append(grades_from_scores(risk, spec).tolist())
    assert all(run == runs[0] for run in runs) and set(runs[0]) == {"I", "II", "III", "IV"}
    top = np.argsort(values)[-5:]
    assert {runs[0][i] for i in top} == {"I"}


def test_threshold_grades_by_hand():
    risk = pd.Series([8.0, 6.0, 5.99, 4.5, 3.0, 2.99, 0.0])
    assert grades_from_scores(risk).tolist() == ["I", "I", "II", "II", "III", "IV", "IV"]
    custom = GradingSpecModel(thresholds=[5.0, 4.0, 1.0])
    assert grades_from_scores(risk, custom).tolist() == ["I", "I", "I", "II", "III", "III", "IV"]


# --- real data -----------------------------------------------------------------------------------


@pytest.fixture
def wudaokou(wudaokou_run):
    """The default recipe's run, shared by the session (conftest): these tests only read it."""
    return wudaokou_run


def test_default_recipe_writes_all_four_screens(wudaokou):
    run = wudaokou.run_dir
    for name in ("hazard_sources", "communities", "key_districts", "urban_villages"):
        table = gpd.read_parquet(run / f"{name}.parquet")
        assert table.crs.to_epsg() == 4326, name
    assert len(gpd.read_parquet(run / "hazard_sources.parquet")) == 2
    assert set(wudaokou.screens.status) == {
        "hazard_sources",
        "communities",
        "key_districts",
        "urban_villages",
    }
    assert all(s.startswith("ok") for s in wudaokou.screens.status.values())
    grid = read_grid(run)
    assert set(grid["grade"]) <= {"I", "II", "III", "IV"} and grid["factors"].str.len().gt(0).all()


def test_wudaokou_station_core_is_a_key_district(wudaokou):
    districts = wudaokou.screens.key_districts
    station = Point(116.3317, 39.9916)
    hit = districts[districts.contains(station)]
    assert len(hit) == 1
    assert hit.iloc[0]["name"] == "五道口"


def test_communities_cover_every_cell_and_resident(wudaokou):
    table = wudaokou.screens.communities
    assert table["cells"].sum() == len(wudaokou.grid)
    assert table["residents"].sum() == pytest.approx(wudaokou.grid["residents"].sum(), rel=1e-9)
    by_grade = table[[f"residents_{g}" for g in ("I", "II", "III", "IV")]].sum(axis=1)
    assert by_grade.to_numpy() == pytest.approx(table["residents"].fillna(0).to_numpy())
    assert "清华大学西北小区" in set(table["name"])  # an OSM residential area of the extract


def _newcomer_units() -> gpd.GeoDataFrame:
    """A newcomer's 街道 and 社区 (tests/… of issue units9): two streets and four communities that tile
    the extract's bounds (the default recipe's area) exactly."""
    w, s, e, n, mid_x, mid_y = 116.3084, 39.9905, 116.332, 40.0123, 116.3202, 40.0014
    rows = [
        ("110108001", "学院路街道", "street", box(w, s, mid_x, n)),
        ("110108002", "东升地区", "street", box(mid_x, s, e, n)),
        ("110108001001", "五道口社区", "community", box(w, s, mid_x, mid_y)),
        ("110108001002", "清华园社区", "community", box(w, mid_y, mid_x, n)),
        ("110108002001", "双清路社区", "community", box(mid_x, s, e, mid_y)),
        ("110108002002", "东王庄社区", "community", box(mid_x, mid_y, e, n)),
    ]
    return gpd.GeoDataFrame(
        {"id": [r[0] for r in rows], "name": [r[1] for r in rows], "level": [r[2] for r in rows]},
        geometry=[r[3] for r in rows],
        crs=4326,
    )


def test_units_that_tile_the_area_leave_no_edge_cell_unassigned(wudaokou):
    from pyproj import Geod

    from urbanrisk.cell_units import UNASSIGNED
    from urbanrisk.screens.communities import community_units
    from urbanrisk.screens.registers import level_registers

    grid, units = wudaokou.grid, _newcomer_units()
    centres = gpd.GeoSeries(gpd.points_from_xy(*np.array([h3.cell_to_latlng(c)[::-1] for c in grid.index]).T))
    outside = ~centres.within(units.geometry[:2].union_all()).to_numpy()
    assert len(grid) == 506 and outside.sum() == 53  # edge cells: centre outside every unit (were unassigned)
    registers = level_registers(grid, units, hazard_sources=None, coverage=None, utm_crs=UTM50)
    geod = Geod(ellps="WGS84")
    for level, table in registers.items():
        assert UNASSIGNED not in set(table["id"]) and table["cells"].sum() == len(grid)
        assert table["residents"].sum() == pytest.approx(grid["residents"].sum(), rel=1e-9)
        level_units = units[units["level"] == level]
        ids, outlines = level_units["id"].tolist(), list(level_units.geometry)
        expected = []  # by hand: the unit holding the centre, else the one covering most of the cell
        for centre, cell in zip(centres, grid.geometry, strict=True):
            holding = [i for i, u in zip(ids, outlines, strict=True) if u.contains(centre)]
            if not holding:  # an edge cell: the geodesic area of its overlap with each unit
                overlap = [abs(geod.geometry_area_perimeter(cell.intersection(u))[0]) for u in outlines]
                holding = [ids[int(np.argmax(overlap))]]
            expected.append(holding[0])
        counts = pd.Series(expected).value_counts()
        assert table.set_index("id")["cells"].to_dict() == counts.to_dict(), level
    table, assignment, how = community_units(
        grid, polygons=units[units["level"] == "community"], landuse=None, utm_crs=UTM50
    )
    assert how == "recipe polygons layer" and len(table) == 4  # no H3-parent unit for the edge cells
    assert assignment.str.startswith("110108").all()


def test_recipe_without_hazards_or_buildings_says_skipped(tmp_path):
    from conftest import ACCRA_TIF, BUPT_OSM

    no_hazards = write_recipe(
        tmp_path / "a",
        {
            "name": "bupt",
            "area": {"layer": "osm"},
            "grid": {"resolution": 11},
            "layers": {"osm": {"type": "osm", "path": str(BUPT_OSM)}},
            "outputs": {"dir": str(tmp_path / "o1")},
        },
    )
    status = ur.run_recipe(no_hazards, write=False).screens.status
    assert status["hazard_sources"].startswith("skipped: no hazards")
    assert status["urban_villages"].startswith("ok")
    no_buildings = write_recipe(
        tmp_path / "b",
        {
            "name": "accra",
            "area": {"bbox": [-0.22, 5.55, -0.20, 5.57]},
            "grid": {"resolution": 9},
            "layers": {"population": {"type": "raster", "path": str(ACCRA_TIF)}},
            "outputs": {"dir": str(tmp_path / "o2")},
        },
    )
    result = ur.run_recipe(no_buildings)
    assert result.screens.status["urban_villages"] == "skipped: no buildings"
    assert result.screens.status["key_districts"].startswith("skipped: no osm layer")
    import json

    manifest = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["screens"]["urban_villages"] == "skipped: no buildings"


def test_default_recipe_writes_coverage_gaps_and_sites(wudaokou):
    run = wudaokou.run_dir
    coverage = pd.read_parquet(run / "coverage.parquet")
    assert set(coverage["standard"]) == {"medical"}  # the extract has hospitals, no fire station or shelter
    assert len(coverage) == len(wudaokou.grid)
    # two hospitals within 5 km of every cell near a street; the rest is reported, not snapped.
    # Near a street means near osmnx's drive network, which leaves out highway=service: the campus
    # cells (Tsinghua, PKU) lie more than 500 m from it, and so do some of their residents
    near = coverage["cell_snap_m"] <= 500.0
    assert coverage.loc[(coverage["residents"] > 0) & near, "covered"].all()
    assert not coverage.loc[~near, "covered"].any()
    # too far from the connected network: no street at all, or streets it does not reach (campus
    # roads no mapped public road joins; cell by cell in tests/test_snap_reasons.py), or a piece the
    # extract's edge cuts (coverage unknown: tests/test_leaving_data.py)
    far = {NO_STREET.format(metres="500"), NOT_CONNECTED.format(metres="500"), LEAVES_DATA}
    assert set(coverage.loc[~coverage["covered"].fillna(False), "reason"]) == far  # uncovered or unknown
    for name in ("gaps", "suggested_sites"):
        assert (run / f"{name}.parquet").exists()
    status = wudaokou.coverage.status
    assert status["fire"].startswith("skipped: no fire_station")
    # only measured standards count (fire and shelter are unknown here, never a neutral 5);
    # measured coverage lowers lack of coping; outside the OSM data it is unknown
    grid = wudaokou.grid
    # a cell whose travel the one measured standard could not measure (its streets leave the data
    # at the extract's edge) has no coping score: unknown, never the worst
    travel_unknown = ~coverage.set_index("h3_cell")["travel_known"].reindex(grid.index).astype(bool)
    assert (grid["known_crowding"] & travel_unknown).sum() == 1
    assert grid.loc[grid["known_crowding"] & ~travel_unknown, "lack_of_coping"].between(1, 10).all()
    assert grid.loc[~grid["known_crowding"] | travel_unknown, "lack_of_coping"].isna().all()
    near_street = coverage.set_index("h3_cell")["cell_snap_m"].reindex(grid.index) <= 500.0
    assert grid.loc[(grid["residents"] > 0) & near_street, "lack_of_coping"].max() < 5.0
    # the streetless cells inside the data: not reached by the one measured standard (10)
    far = ~near_street & grid["known_crowding"] & ~travel_unknown
    assert far.any() and grid.loc[far, "lack_of_coping"].to_numpy() == pytest.approx(10.0)
    assert grid["lack_of_coping"].max() == pytest.approx(10.0)


def test_large_grids_are_shown_coarser_with_the_worst_grade():
    from urbanrisk.outputs.deck import display_grid

    cells = sorted(h3.grid_disk(CENTRE, 4))  # 61 cells
    grid = _cells_table(cells, residents=dict.fromkeys(cells, 10.0))
    grid["risk"] = 1.0
    grid["grade"] = "IV"
    grid.loc[CENTRE, ["risk", "grade"]] = [7.0, "I"]
    for column in ("hazard_exposure", "vulnerability", "lack_of_coping"):
        grid[column] = 1.0
    grid["factors"] = "x"
    shown, note = display_grid(grid, max_cells=20)
    assert len(shown) <= 20 and h3.get_resolution(shown.index[0]) == 9
    assert "61 cells are too many" in note
    assert shown["residents"].sum() == pytest.approx(610.0)  # sums conserved
    parent = h3.cell_to_parent(CENTRE, 9)
    assert shown.loc[parent, "grade"] == "I" and (shown["grade"] == "I").sum() == 1
    same, nothing = display_grid(grid, max_cells=100)
    assert same is grid and nothing == ""


def test_distances_to_a_school_are_measured_to_its_grounds_not_its_centre():
    """Area POIs keep their outline as WKB text (osmium's hex): the hazard screen measures to the
    grounds (a point 5 m outside a Wudaokou school's fence is 5 m from it, not hundreds of metres)."""
    import shapely

    from conftest import WUDAOKOU_OSM
    from urbanrisk.layers.osm import osm_from_file
    from urbanrisk.screens.hazard_sources import _targets

    pois = osm_from_file(WUDAOKOU_OSM).pois
    areas = pois[
        (pois["kind"] == "school") & pois["shape_wkb"].map(lambda w: isinstance(w, str) and w != "nan")
    ]
    assert len(areas)
    school = areas.iloc[0]
    utm = "EPSG:32650"
    grounds = gpd.GeoSeries([shapely.from_wkb(school["shape_wkb"])], crs=4326).to_crs(utm).iloc[0]
    centre = gpd.GeoSeries([school.geometry], crs=4326).to_crs(utm).iloc[0]
    fence = grounds.boundary.interpolate(0)  # a point on the fence, then 5 m out from the grounds
    outside = fence.buffer(5).exterior.difference(grounds.buffer(1)).representative_point()
    assert centre.distance(outside) > 30  # the centre is far: measuring to it would miss a breach
    targets = _targets(pois, None, None, utm)["school"]
    nearest = targets[targets["ref"] == school["osm_ref"]].distance(outside).min()
    assert nearest <= 5.5
