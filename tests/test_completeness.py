"""Missing is not zero: unmeasured indicators are unknown, cells with too little data get no grade,
and every output says how complete the data look (issue: numbers a planner can trust)."""

from __future__ import annotations

import json

import numpy as np
import osmium
import pytest
import rasterio
from rasterio.transform import from_origin

import urbanrisk as ur
from conftest import ACCRA_TIF, BUPT_OSM, WUDAOKOU_OSM, default_recipe, write_recipe
from urbanrisk.result import GRADES, NO_DATA

WUDAOKOU_BOUNDS = (116.3084, 39.9905, 116.3320, 40.0123)
GAP = (116.3150, 39.9950, 116.3250, 40.0030)  # a block whose buildings we remove
CHEMICAL = (116.3200, 39.9990)  # inside the gap


def _without_buildings(dst, box, *, keep_every: int = 0):
    """The Wudaokou extract with its building ways inside ``box`` removed (or, with ``keep_every``,
    all building ways but one in ``keep_every``: sparse buildings everywhere)."""
    writer = osmium.SimpleWriter(str(dst))
    count = 0
    try:
        for obj in osmium.FileProcessor(str(WUDAOKOU_OSM)).with_locations():
            if obj.is_way() and "building" in obj.tags:
                count += 1
                if keep_every:
                    if count % keep_every:
                        continue
                else:
                    loc = obj.nodes[0].location
                    if box[0] <= loc.lon <= box[2] and box[1] <= loc.lat <= box[3]:
                        continue
            if obj.is_node():
                writer.add_node(obj)
            elif obj.is_way():
                writer.add_way(obj)
            else:
                writer.add_relation(obj)
    finally:
        writer.close()
    return dst


def _uniform_raster(path, bounds, people_per_pixel: float = 20.0, pixel: float = 0.0005):
    width = round((bounds[2] - bounds[0]) / pixel)
    height = round((bounds[3] - bounds[1]) / pixel)
    data = np.full((height, width), people_per_pixel, dtype="float32")
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=width,
        height=height,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(bounds[0], bounds[3], pixel, pixel),
    ) as dst:
        dst.write(data, 1)
    return path


def test_raster_only_city_is_not_graded_by_what_it_could_not_measure(tmp_path):
    recipe = write_recipe(
        tmp_path,
        {
            "name": "accra",
            "area": {"bbox": [-0.26, 5.53, -0.16, 5.60]},
            "grid": {"resolution": 9},
            "layers": {"population": {"type": "raster", "path": str(ACCRA_TIF)}},
            "outputs": {"dir": str(tmp_path / "out")},
        },
    )
    result = ur.run_recipe(recipe)
    grid = result.grid
    # only residents were measured: no hazard, building, POI or street data; and residents only where
    # the raster has data (its nodata pixels, the sea and lagoons, are not measured: not 0 residents)
    assert result.screens.unknown == [
        "score_building_density",
        "score_crowding",
        "score_hazard_sources",
        "score_residents",
        "score_urban_village",
        "score_vulnerable_sites",
    ]
    share = grid["residents_known_share"]
    assert (grid["known_residents"] == (share >= 0.5)).all() and not grid["known_hazard_sources"].any()
    assert 0.8 < grid["known_residents"].mean() < 0.95 and (share == 1.0).sum() > 900
    assert "no data (nodata) over 100% of the cell" in grid.loc[share == 0, "unknown"].iloc[0]
    assert (grid["grade"] == NO_DATA).all()  # not II/III from neutral guesses
    assert grid[["hazard_exposure", "vulnerability", "lack_of_coping", "risk"]].isna().all().all()
    assert grid["residents"].sum() > 1e5  # the people are still counted and shown
    assert "building coverage" not in " ".join(grid["factors"])  # an unmeasured indicator is no reason
    assert grid["factors"].str.startswith("no data").all()
    manifest = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["grades"][NO_DATA]["cells"] == len(grid)
    assert all(manifest["grades"][g]["cells"] == 0 for g in GRADES)
    assert any("no grade" in w for w in manifest["warnings"])
    assert any(w.startswith("no OSM layer") for w in manifest["warnings"])  # not "0 % complete"
    assert manifest["data_completeness"]["building_completeness"] is None
    page = (result.run_dir / "map.html").read_text(encoding="utf-8")
    assert "Residents per cell" in page  # nothing graded: the map shows where people live
    report = (result.run_dir / "report.html").read_text(encoding="utf-8")
    # the grade table's no-data row, in English alone (it read "无数据 no data": English pages in English)
    assert "<td>no data</td>" in report and "无数据" not in report and "Data completeness" in report


def test_an_area_larger_than_the_data_is_no_data_beyond_it(tmp_path):
    east = [WUDAOKOU_BOUNDS[0], WUDAOKOU_BOUNDS[1], WUDAOKOU_BOUNDS[2] + 0.02, WUDAOKOU_BOUNDS[3]]
    recipe = default_recipe(tmp_path, area={"bbox": east})
    grid = ur.run_recipe(recipe, write=False).grid
    lon = np.array([__import__("h3").cell_to_latlng(c)[1] for c in grid.index])
    beyond = lon > WUDAOKOU_BOUNDS[2] + 0.002
    assert beyond.sum() > 100
    assert (grid.loc[beyond, "grade"] == NO_DATA).all()  # not "IV low"
    assert "outside the OSM data" in grid.loc[beyond, "unknown"].iloc[0]
    inside = lon < WUDAOKOU_BOUNDS[2] - 0.002
    assert grid.loc[inside, "grade"].isin(GRADES).mean() > 0.95


def test_missing_buildings_under_a_raster_are_unknown_not_zero(tmp_path):
    osm = _without_buildings(tmp_path / "gap.osm", GAP)
    raster = _uniform_raster(tmp_path / "people.tif", WUDAOKOU_BOUNDS)
    hazards = tmp_path / "hazards.csv"
    hazards.write_text(
        f"id,kind,name,severity,lon,lat\nC1,chemical,危化品仓库,4,{CHEMICAL[0]},{CHEMICAL[1]}\n",
        encoding="utf-8",
    )
    body = {
        "name": "gap",
        "area": {"layer": "osm"},
        "grid": {"resolution": 10},
        "layers": {
            "osm": {"type": "osm", "path": str(osm)},
            "population": {"type": "raster", "path": str(raster)},
            "hazards": {
                "type": "points",
                "path": str(hazards),
                "lon": "lon",
                "lat": "lat",
                "severity": {"column": "severity", "order": "4_is_most_severe"},
            },
        },
        "outputs": {"dir": str(tmp_path / "out")},
    }
    result = ur.run_recipe(write_recipe(tmp_path, body), write=False)
    grid = result.grid
    latlng = np.array([__import__("h3").cell_to_latlng(c) for c in grid.index])
    in_gap = (
        (latlng[:, 1] > GAP[0] + 0.001)
        & (latlng[:, 1] < GAP[2] - 0.001)
        & (latlng[:, 0] > GAP[1] + 0.001)
        & (latlng[:, 0] < GAP[3] - 0.001)
    )
    gap = grid[in_gap & (grid["buildings"] == 0) & (grid["residents"] > 50)]
    # the raster's people are there; the buildings are not mapped: completeness (per ~0.1 km² block)
    # is low across the gap (blocks straddling its edge keep some buildings)
    assert (gap["building_completeness"] < 0.5).mean() > 0.8 and (gap["building_completeness"] == 0).any()
    gap = gap[gap["building_completeness"] < 0.5]
    assert len(gap) > 10
    assert not gap["known_building_density"].any() and not gap["known_urban_village"].any()
    assert gap["known_residents"].all()
    assert gap["vulnerability"].isna().all()  # never a 0 that makes the risk 0
    assert gap["unknown"].str.contains("buildings look incomplete").all()
    # next to a grade-I chemical site, with residents: graded on what was measured (hazard & exposure,
    # lack of coping), never multiplied by an unknown 0 (which gave risk 0, "IV low")
    assert gap["score_hazard_sources"].gt(5).any()
    assert (gap["risk"] > 0).all()
    expected = np.sqrt(gap["hazard_exposure"] * gap["lack_of_coping"])
    assert gap["risk"].to_numpy() == pytest.approx(expected.to_numpy())
    assert (gap["dimensions_known"] == 2).all()
    unreached = gap[gap["lack_of_coping"] >= 9.9]  # beyond a hospital's reach: the worst grade
    assert (unreached.loc[unreached["score_hazard_sources"] > 5, "grade"] == "I").all()
    completeness = result.screens.completeness
    assert 0 < completeness["building_completeness"] < 1
    assert "population raster" in completeness["method"]


def test_sparse_buildings_warn_and_residents_from_them_are_unknown(tmp_path, capsys):
    from urbanrisk.cli import main

    sparse = _without_buildings(tmp_path / "sparse.osm", GAP, keep_every=8)  # 1 building in 8 kept
    recipe = default_recipe(tmp_path, osm=sparse)
    assert main(["run", str(recipe), "--scheduler", "synchronous"]) == 0
    printed = capsys.readouterr().out
    assert "WARNING: OSM buildings look incomplete" in printed
    run_dir = next((tmp_path / "out" / "runs").iterdir())
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["data_completeness"]["building_completeness"] < 0.5
    assert manifest["data_completeness"]["cells_unknown_by_indicator"]["residents"] > 100
    assert "look incomplete" in (run_dir / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("method", ["thresholds", "quantiles"])
def test_no_data_cells_take_no_grade_and_do_not_shift_classes(method):
    import pandas as pd

    from urbanrisk.grade import grades_from_scores
    from urbanrisk.recipe import GradingSpecModel

    risk = pd.Series([8.0, 5.0, 3.5, 1.0, np.nan])
    grades = grades_from_scores(risk, GradingSpecModel(method=method))
    assert grades.iloc[-1] == NO_DATA
    assert grades.iloc[:4].tolist() == ["I", "II", "III", "IV"]


def test_an_extract_without_bounds_is_studied_where_its_buildings_are(tmp_path):
    """A clipped extract without <bounds>: its streets run on beyond the clip. The study area and the
    data extent follow one rule (the buildings' box), so the overshoot is neither studied nor "no data"
    (before: 1,247 cells at r10 on BUPT, 925 of them "no data")."""
    from shapely.geometry import box

    from urbanrisk.run import run_recipe

    text = BUPT_OSM.read_text(encoding="utf-8")
    assert "<bounds" in text
    extract = tmp_path / "bupt.osm"
    extract.write_text(
        "\n".join(line for line in text.splitlines() if "<bounds" not in line), encoding="utf-8"
    )
    recipe = write_recipe(
        tmp_path,
        {
            "name": "bupt-no-bounds",
            "area": {"layer": "osm"},
            "grid": {"resolution": 10},
            "layers": {
                "osm": {"type": "osm", "path": str(extract)},
                "population": {
                    "type": "population_from_buildings",
                    "source": "osm",
                    "floor_area_per_person_m2": 38.6,
                },
            },
            "outputs": {"dir": str(tmp_path / "out")},
        },
    )
    result = run_recipe(recipe, scheduler="synchronous", write=False)
    buildings = box(*result.layers.buildings.total_bounds)
    assert result.area.equals(buildings)
    assert result.layers.streets.total_bounds[2] > buildings.bounds[2]  # the streets do overshoot
    assert (result.grid["grade"] != NO_DATA).all()


def test_two_recipes_in_one_process_get_their_own_building_completeness(tmp_path, monkeypatch):
    """A run estimates building completeness once (the coverage flags and the screens read it from the
    grid) and keeps nothing in module state: a notebook or a batch running two recipes in one process
    gets each recipe's own estimate, equal to one computed afresh from that run's grid."""
    import urbanrisk.completeness as completeness

    estimated = []
    estimate = completeness.building_completeness

    def counting(grid, *, raster):
        if len(grid):  # the summary's words read an empty grid
            estimated.append(len(grid))
        return estimate(grid, raster=raster)

    monkeypatch.setattr(completeness, "building_completeness", counting)
    grids = {}
    for name, osm in (("wudaokou", WUDAOKOU_OSM), ("bupt", BUPT_OSM)):
        (tmp_path / name).mkdir()
        before = len(estimated)
        result = ur.run_recipe(default_recipe(tmp_path / name, osm=osm), write=False, scheduler="synchronous")
        assert len(estimated) == before + 1  # once per run, for both the coverage flags and the screens
        grids[name] = result.grid
    for grid in grids.values():
        afresh, _ = estimate(grid.drop(columns="building_completeness"), raster=False)
        np.testing.assert_array_equal(grid["building_completeness"].to_numpy(), afresh.to_numpy())
    assert not grids["wudaokou"].index.isin(grids["bupt"].index).all()  # two different grids
