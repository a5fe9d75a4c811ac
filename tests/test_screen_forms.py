"""Urban villages against row houses (building irregularity) and the names of key districts."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import affinity
from shapely.geometry import LineString, Point, box

from test_screens import CENTRE, UTM50, _centre_utm, _indicators, _to_lonlat
from urbanrisk.screens import urban_village_cell_scores, urban_villages_screen
from urbanrisk.screens.building_form import building_measures, cell_sums, disk_totals, irregularity
from urbanrisk.screens.district_names import district_names


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


def test_orientation_is_folded_four_times_and_areas_are_measured():
    a, b = box(0, 0, 20, 5), box(0, 0, 5, 20)  # one lot along x, one along y: the same grid
    measures = building_measures(np.array([a, b, affinity.rotate(a, 45, origin="centroid")]))
    assert measures["c4"].round(6).tolist() == [1.0, 1.0, -1.0]
    assert measures["area"].round(6).tolist() == [100.0, 100.0, 100.0]
    assert measures["rect"].round(6).tolist() == [1.0, 1.0, 1.0]


def test_disorder_of_two_opposite_orientations_is_complete_and_a_row_has_none():
    # two buildings 45 degrees apart: four-fold resultant 0, corrected alignment 0, disorder 1 (scaled 1)
    totals = pd.DataFrame(
        {
            "n": [2.0, 12.0],
            "c4": [0.0, 12.0],
            "s4": [0.0, 0.0],
            "area": [200.0, 864.0],
            "area2": [20_000.0, 12 * 72.0**2],
            "rect": [2.0, 12.0],
        },
        index=["mixed", "row"],
    )
    out = irregularity(totals)
    assert out.loc["mixed", "uv_orientation_disorder"] == 1.0
    assert out.loc["row", "uv_orientation_disorder"] == 0.0
    assert out.loc["row", "uv_size_variation"] == 0.0  # equal lots
    assert out.loc["row", "uv_irregularity"] == 0.0


def _buildings(shapes) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=_to_lonlat(shapes), crs=4326)


@pytest.mark.parametrize("maker, irregular", [(_rowhouses, False), (_huts, True)])
def test_irregularity_separates_rows_from_a_jumble(maker, irregular):
    buildings = _buildings(maker())
    cells = pd.Index(sorted(h3.grid_disk(CENTRE, 2)))
    totals = disk_totals(cell_sums([buildings], cells, UTM50), pd.Index([CENTRE]))
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
    assert village["irregularity"] >= 0.6 and "orientation disorder" in village["factors"]
    assert f"confidence {village['confidence']:.2f}" in village["factors"]
    # cells whose irregularity was not measured stay unknown (NaN), not 0
    assert scores["uv_irregularity"].isna().any()


def _crowd(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["name", "kind", "group", "size"])


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
