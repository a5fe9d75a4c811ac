"""Urban villages against row houses (building irregularity) and the names of key districts."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon, box

from test_screens import CENTRE, UTM50, _centre_utm, _indicators, _to_lonlat
from urbanrisk.clusters import cell_clusters
from urbanrisk.screens import urban_village_cell_scores, urban_villages_screen
from urbanrisk.screens.building_form import (
    building_measures,
    cell_sums,
    disk_totals,
    irregularity,
    neighbour_misalignment,
)
from urbanrisk.screens.district_names import district_names, venue_names


def _rowhouses() -> list:
    """Four rows of 12 row houses, 6 m x 12 m on equal lots wall to wall, backs 20 m apart (a
    Baltimore block: street, row, yard, alley, yard, row, street)."""
    x, y = _centre_utm()
    return [
        box(x - 36 + 6 * i, y + dy, x - 30 + 6 * i, y + dy + 12)
        for dy in (-56, -24, 8, 40)
        for i in range(12)
    ]


def _huts(seed: int = 7) -> list:
    """48 huts of 20-150 m², each turned its own way, packed in the same 72 m x 108 m (a jumble)."""
    rng = np.random.default_rng(seed)
    x, y = _centre_utm()
    huts = []
    for i in range(8):
        for j in range(6):
            w, h = rng.uniform(4, 12), rng.uniform(5, 12.5)
            hut = box(x - 36 + 9 * i, y - 56 + 13 * j, x - 36 + 9 * i + w, y - 56 + 13 * j + h)
            huts.append(affinity.rotate(hut, rng.uniform(0, 90), origin="centroid"))
    return huts


def test_orientation_area_and_rectangularity_of_each_building():
    a = box(0, 0, 20, 5)  # a lot along x
    turned = affinity.rotate(a, 30, origin="centroid")
    measures = building_measures(np.array([a, turned, Polygon([(0, 0), (10, 0), (0, 10)])]))
    assert np.degrees(measures["theta"][:2]).round(6).tolist() in ([0.0, 30.0], [180.0, 30.0], [0.0, -150.0])
    assert measures["area"].round(6).tolist() == [100.0, 100.0, 50.0]
    assert measures["rect"].round(6).tolist() == [1.0, 1.0, 0.5]  # a right triangle fills half its box


def test_neighbours_along_one_grid_are_aligned_and_at_45_degrees_are_not():
    a, b = box(0, 0, 20, 5), box(0, 8, 5, 28)  # perpendicular neighbours 3 m apart: one grid
    far = box(100, 0, 120, 5)  # beyond NEIGHBOUR_M: no neighbour
    theta = np.radians([0.0, 90.0, 45.0])
    mis, pairs = neighbour_misalignment(np.array([a, b, far]), theta)
    assert mis.round(9).tolist() == [0.0, 0.0, 0.0] and pairs.tolist() == [1.0, 1.0, 0.0]
    mis, pairs = neighbour_misalignment(np.array([a, b]), np.radians([0.0, 45.0]))
    assert mis.round(9).tolist() == [1.0, 1.0]


def test_irregularity_of_pooled_sums_by_hand():
    totals = pd.DataFrame(
        {
            "n": [12.0, 4.0, 1.0],
            "mis": [0.0, 2.0, 0.0],  # the jumble: 4 pairs of mean misalignment 0.5 (random)
            "pairs": [22.0, 4.0, 0.0],
            "area": [864.0, 200.0, 50.0],
            "area2": [12 * 72.0**2, 3 * 10.0**2 + 170.0**2, 2500.0],
            "rect": [12.0, 3.2, 1.0],
        },
        index=["row", "jumble", "alone"],
    )
    out = irregularity(totals)
    assert out.loc["row"].tolist() == [0.0, 0.0, 0.0, 0.0]  # aligned, equal lots, rectangles
    assert out.loc["jumble", "uv_neighbour_misalignment"] == 1.0  # 0.5 is past the informal 0.35
    assert out.loc["jumble", "uv_size_variation"] == 1.0  # areas 10, 10, 10, 170: CV 1.39
    assert out.loc["jumble", "uv_shape_irregularity"] == pytest.approx((0.2 - 0.05) / 0.2)
    assert out.loc["jumble", "uv_irregularity"] == pytest.approx(0.6 + 0.2 + 0.2 * 0.75)
    assert out.loc["alone"].isna().all()  # one building: unknown, not regular


def _buildings(shapes) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=_to_lonlat(shapes), crs=4326)


@pytest.mark.parametrize("maker, irregular", [(_rowhouses, False), (_huts, True)])
def test_irregularity_separates_rows_from_a_jumble(maker, irregular):
    buildings = _buildings(maker())
    cells = pd.Index(sorted(h3.grid_disk(CENTRE, 2)))
    totals = disk_totals(cell_sums(buildings, cells, UTM50), pd.Index([CENTRE]))
    assert totals.loc[CENTRE, "n"] == 48  # every building, each once, pooled over the disk
    value = irregularity(totals).loc[CENTRE, "uv_irregularity"]
    assert (value >= 0.6) if irregular else (value <= 0.1)


def _screened(shapes, alleys):
    x, y = _centre_utm()
    streets = [LineString([(x - 200, y + dy), (x + 200, y + dy)]) for dy in alleys]
    grid = _indicators(shapes, streets, ["service"] * len(streets))
    with_buildings = urban_village_cell_scores(grid, None, _buildings(shapes), utm_crs=UTM50)
    form_only = urban_village_cell_scores(grid, None)
    return grid, with_buildings, form_only


def test_row_houses_with_alleys_have_the_form_but_are_no_urban_village():
    grid, scores, form_only = _screened(_rowhouses(), alleys=(-62, -34, -2, 30, 58))
    assert form_only.loc[CENTRE, "uv_score"] >= 0.5  # the form alone flagged them (as in Baltimore)
    assert scores.loc[CENTRE, "uv_irregularity"] <= 0.1
    assert scores.loc[CENTRE, "uv_score"] < 0.5
    assert urban_villages_screen(grid, scores, None, min_cells=1).empty


def test_a_jumble_of_huts_is_an_urban_village_with_its_factors():
    grid, scores, _ = _screened(_huts(), alleys=(-62, 58))
    assert scores.loc[CENTRE, "uv_irregularity"] >= 0.6
    villages = urban_villages_screen(grid, scores, None, min_score=0.5, min_cells=1)
    assert len(villages) >= 1
    village = villages.iloc[0]
    assert village["geometry"].contains(Point(*h3.cell_to_latlng(CENTRE)[::-1]))
    assert village["irregularity"] >= 0.6 and "neighbour misalignment" in village["factors"]
    assert f"confidence {village['confidence']:.2f}" in village["factors"]
    # cells whose irregularity was not measured stay unknown (NaN), not 0
    assert scores["uv_irregularity"].isna().any()


def _crowd(rows) -> list:
    """One district's venues (:func:`venue_names` of its named crowd places)."""
    return venue_names(pd.DataFrame(rows, columns=["name", "kind", "group", "size"]).assign(label=0), [0])[0]


def test_a_district_is_named_after_its_place_then_area_then_venue_then_street():
    outline = box(-76.60, 39.28, -76.59, 39.29)
    pois = gpd.GeoDataFrame(
        {"kind": ["neighbourhood_place", "neighbourhood_place"], "name": ["Harbor East", "Far Away"]},
        geometry=[Point(-76.595, 39.285), Point(-76.50, 39.20)],
        crs=4326,
    )
    landuse = gpd.GeoDataFrame(
        {"value": ["university", "grass"], "name": ["Campus U", "Big Lawn"]},
        geometry=[box(-76.601, 39.279, -76.592, 39.291), outline],
        crs=4326,
    )
    streets = gpd.GeoDataFrame(
        {"name": ["Short St", "Long Ave"]},
        geometry=[
            LineString([(-76.599, 39.281), (-76.598, 39.281)]),
            LineString([(-76.61, 39.285), (-76.58, 39.285)]),
        ],
        crs=4326,
    )
    crowd = _crowd([["Chipotle", "restaurant", "commerce", 0.0], ["Grand Hall", "theatre", "culture", 0.0]])
    food = _crowd([["Chipotle", "restaurant", "commerce", 0.0]])
    assert district_names([outline], [crowd], pois, landuse, streets)[0] == (
        "Harbor East",
        "OSM place node inside",
    )
    name, source = district_names([outline], [crowd], None, landuse, streets)[0]
    assert name == "Campus U" and source.startswith(
        "named area (landuse=university) covering 80% of it"
    )  # 0.008 of 0.010 degrees of its width
    assert district_names([outline], [crowd], None, None, streets)[0] == (
        "Grand Hall",
        "biggest crowd venue (theatre)",
    )
    assert (
        district_names([outline], [food], None, None, streets)[0][0] == "Long Ave"
    )  # a street before a chain
    assert district_names([outline], [food], None, None, None)[0] == (
        "Chipotle",
        "food or drink venue (restaurant)",
    )
    assert district_names([outline], [_crowd([])], None, None, None)[0] == ("", "")


def test_two_districts_of_one_campus_take_their_next_name_after_a_dot():
    left, right = box(0.0, 0.0, 0.01, 0.01), box(0.02, 0.0, 0.03, 0.01)
    landuse = gpd.GeoDataFrame(
        {"value": ["university"], "name": ["北京邮电大学"]}, geometry=[box(-1, -1, 1, 1)], crs=4326
    )
    crowd = [
        _crowd([["档案馆", "library", "culture", 0.0]]),
        _crowd([["国际学院", "university", "education", 0.0]]),
    ]
    names = [name for name, _ in district_names([left, right], crowd, None, landuse, None)]
    assert names == ["北京邮电大学 · 档案馆", "北京邮电大学 · 国际学院"]


def test_stored_streets_are_read_for_the_districts_box():
    outline = box(0.0, 0.0, 0.01, 0.01)
    streets = gpd.GeoDataFrame(
        {"name": ["Main St"]}, geometry=[LineString([(-1, 0.005), (1, 0.005)])], crs=4326
    )
    asked = []

    def read(bounds):
        asked.append(bounds)
        return iter([streets])

    assert district_names([outline], [_crowd([])], None, None, read)[0][0] == "Main St"
    assert asked == [tuple(outline.bounds)]
    assert shapely.box(*asked[0]).equals(outline)


def test_stored_buildings_read_by_box_score_as_the_buildings_in_memory():
    shapes = _huts() + [affinity.translate(h, 450, 0) for h in _huts(seed=8)]  # two clusters of candidates
    x, y = _centre_utm()
    streets = [LineString([(x - 200, y + dy), (x + 700, y + dy)]) for dy in (-62, 58)]
    grid = _indicators(shapes, streets, ["service"] * 2, rings=5)
    buildings = _buildings(shapes)
    asked = []

    def read(bounds):  # two partitions, as a store holds them: each building in one
        asked.append(bounds)
        return iter([buildings.iloc[::2], buildings.iloc[1::2]])

    in_memory = urban_village_cell_scores(grid, None, buildings, utm_crs=UTM50)
    stored = urban_village_cell_scores(grid, None, read, utm_crs=UTM50)
    measured = in_memory.index[in_memory["uv_irregularity"].notna()]
    assert len(set(cell_clusters(measured))) == 2 and len(asked) == 2  # each cluster read its own box
    pd.testing.assert_frame_equal(stored, in_memory)
