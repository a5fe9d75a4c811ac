"""The run's hazard-source table (:mod:`urbanrisk.hazard_table`) on hand-built cases: which sources
reach the study area, measured in metres by hand."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

import urbanrisk as ur
from conftest import default_recipe
from urbanrisk.hazard_table import hazard_inputs
from urbanrisk.result import Layers

UTM50 = "EPSG:32650"
X, Y = 442_000.0, 4_428_000.0  # Wudaokou, in UTM 50N


def _lonlat(*points: Point) -> gpd.GeoSeries:
    return gpd.GeoSeries(list(points), crs=UTM50).to_crs(4326)


@pytest.fixture(scope="module")
def recipe(tmp_path_factory):
    return ur.load_recipe(default_recipe(tmp_path_factory.mktemp("hazard_table")))


def _inputs(recipe, hazards: list[tuple[str, str, Point]], stations: list[Point]) -> dict:
    """hazard_inputs over a 1 km square around (X, Y), with these registry sources and fire stations."""
    layers = Layers(*[None] * 9, population_source="osm")
    ids, kinds, points = zip(*hazards, strict=True)
    layers.hazards = gpd.GeoDataFrame(
        {"id": list(ids), "kind": list(kinds), "name": "", "severity": 3, "source": "registry"},
        geometry=_lonlat(*points).to_numpy(),
        crs=4326,
    )
    layers.resources = gpd.GeoDataFrame(
        {
            "id": [f"F{i}" for i in range(len(stations))],
            "kind": "fire_station",
            "name": [f"Station {i}" for i in range(len(stations))],
            "capacity": 1.0,
            "source": "registry",
        },
        geometry=_lonlat(*stations).to_numpy(),
        crs=4326,
    )
    area = _lonlat(box(X - 500, Y - 500, X + 500, Y + 500)).iloc[0]
    return hazard_inputs(recipe, layers, area, UTM50)


def test_a_source_outside_whose_safety_distance_reaches_in_and_is_breached_is_listed(recipe):
    """Gas (impact radius 200 m; 300 m from a fire station, 建标152-2017): G1 lies 250 m east of the area,
    a fire station 30 m inside it, 280 m from G1: its circle misses the area, the breach is inside it,
    so G1 is listed (it was left out). G2, 250 m west with no station within 300 m, and G3, 350 m
    north (beyond both), are not; a fuel station 90 m south (radius 100 m) reaches in as before."""
    hazards = [
        ("G1", "gas", Point(X + 750, Y)),
        ("G2", "gas", Point(X - 750, Y)),
        ("G3", "gas", Point(X, Y + 850)),
        ("H1", "fuel", Point(X, Y - 590)),
    ]
    inputs = _inputs(recipe, hazards, stations=[Point(X + 470, Y), Point(X, Y + 1_170)])
    sited = inputs["sited"].set_index("id")
    assert sorted(sited.index) == ["G1", "H1"]
    assert sited.loc["G1", "n_breaches"] == 1
    assert sited.loc["G1", "breaches"].startswith("fire_station Station 0 at 280 m < 300 m (建标152-2017")
    assert sited.loc["H1", "n_breaches"] == 0  # listed for its impact circle alone
    assert inputs["sources"]["id"].tolist() == ["G1", "H1"] and len(inputs["sources_utm"]) == 2
    x = inputs["sources_utm"][0].x  # the projection kept row for row
    assert x == pytest.approx(X + 750, abs=1e-6)


def test_no_source_reaches_when_none_is_breached_beyond_its_circle(recipe):
    inputs = _inputs(recipe, [("G2", "gas", Point(X - 750, Y))], stations=[Point(X + 470, Y)])
    assert inputs["sited"] is None and not len(inputs["sources"]) and len(inputs["found"]) == 1


def test_one_osm_site_mapped_as_several_features_is_one_hazard_source():
    """Baltimore maps a substation as its outline and four transformer nodes inside it (five sources,
    five times its severity in the cells around), a Royal Farms fuel station as two outlines 52 m apart.
    One site each now; a named works inside an industrial estate's outline, two touching unnamed
    outlines and two stations of one name 150 m apart stay apart (merging operators would hide one)."""
    from urbanrisk.layers.tables import hazard_kind_table
    from urbanrisk.screens.hazard_sources import hazard_sources_from_layers

    station, estate = box(X, Y, X + 40, Y + 30), box(X + 200, Y, X + 600, Y + 300)
    features = [  # osm_ref, kind, name, shape (UTM), its point
        ("n1", "power", "", None, Point(X + 10, Y + 10)),  # transformers inside the substation
        ("n2", "power", "", None, Point(X + 30, Y + 20)),
        ("w3", "power", "", station, station.centroid),
        ("w4", "fuel", "Royal Farms", box(X, Y - 300, X + 20, Y - 280), Point(X + 10, Y - 290)),
        ("w5", "fuel", "Royal Farms", box(X + 52, Y - 300, X + 72, Y - 280), Point(X + 62, Y - 290)),
        ("w6", "fuel", "Royal Farms", box(X + 200, Y - 300, X + 220, Y - 280), Point(X + 210, Y - 290)),
        ("w7", "industrial", "", estate, estate.centroid),
        ("n8", "industrial", "GAF", None, Point(X + 300, Y + 100)),  # a works inside the estate
        ("w9", "industrial", "", box(X + 600, Y, X + 650, Y + 50), Point(X + 625, Y + 25)),  # touches it
    ]
    refs, kinds, names, outlines, points = zip(*features, strict=True)
    pois = gpd.GeoDataFrame(
        {
            "osm_ref": list(refs),
            "kind": list(kinds),
            "roles": "hazard",
            "group": "energy",
            "name": list(names),
            "shape_wkb": [None if o is None else _lonlat(o).iloc[0].wkb_hex for o in outlines],
        },
        geometry=_lonlat(*points).to_numpy(),
        crs=4326,
    )
    found = hazard_sources_from_layers(None, pois, hazard_kind_table(), utm_crs=UTM50)
    assert found["id"].tolist() == ["osm:n8", "osm:w3", "osm:w4", "osm:w6", "osm:w7", "osm:w9"]
    site = found.set_index("id").loc["osm:w3"]  # the substation keeps its outline's point
    assert site["osm_ref"] == "w3" and site.geometry.equals_exact(_lonlat(station.centroid).iloc[0], 1e-12)


def test_the_residents_near_circles_are_every_cells_sums():
    """Only the cells a circle may reach are projected (session 15, via :mod:`urbanrisk.cell_circles`):
    on 2,791 r10 cells around Wudaokou, with circles of 0 to 1,500 m (one at 0 m and one NaN: none),
    centred on a cell, between cells and outside the grid, the sums (and the k sums of weights a cell)
    equal those over every cell's projected polygon, and a circle reaching no cell sums to 0; with the
    cells' polygons made 1,000 at a time too."""
    import h3
    import numpy as np
    import pandas as pd

    from urbanrisk.cell_circles import circle_cells
    from urbanrisk.grid import cells_to_polygons
    from urbanrisk.screens.hazard_sources import residents_in_circles

    cells = h3.grid_disk(h3.latlng_to_cell(39.9916, 116.3317, 10), 30)
    residents = [float((i * 37) % 101) for i in range(len(cells))]
    grid = gpd.GeoDataFrame(
        {"residents": residents}, index=cells, geometry=cells_to_polygons(cells), crs=4326
    )
    bare = pd.DataFrame({"residents": residents}, index=cells)  # the grid as the stages hold it: no polygon
    every = grid.geometry.to_crs(UTM50).to_numpy()
    centres = np.array(
        [[X, Y], [X + 333.3, Y - 41.0], [X - 1200, Y + 800], [X + 50_000, Y], [X, Y + 100], [X + 10, Y]]
    )
    radii = np.array([200.0, 500.0, 1500.0, 300.0, 0.0, np.nan])
    whole = residents_in_circles(grid, centres, radii, UTM50, cells_utm=every)
    near = residents_in_circles(bare, centres, radii, UTM50)
    assert np.array_equal(near, whole) and whole[0] > 0 and whole[2] > whole[1] > whole[0]
    assert near[3] == near[4] == near[5] == 0.0
    chunked = residents_in_circles(
        bare, centres, radii, UTM50, cells_utm=circle_cells(bare.index, UTM50, batch=1000)
    )
    assert np.array_equal(chunked, whole)
    weights = np.column_stack([grid["residents"].to_numpy(), np.arange(len(grid), dtype=float)])
    assert np.array_equal(
        residents_in_circles(bare, centres, radii, UTM50, weights),
        residents_in_circles(grid, centres, radii, UTM50, weights, cells_utm=every),
    )
