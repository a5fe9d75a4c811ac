"""Suggested sites keep the safety distances of safety_distances.csv for their resource kind as a target
(建标152-2017 art. 15(3): a fire station ≥ 300 m from where hazardous chemicals are produced or
stored; a newcomer's suggested fire site lay 29 m from a 加油站), from registry and OSM hazards alike,
on both coverage paths."""

from __future__ import annotations

import json
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import urbanrisk as ur
from conftest import shipped_recipe
from urbanrisk.coverage import coverage_stage, standards_for
from urbanrisk.coverage_dask import partitioned_coverage_stage
from urbanrisk.outputs.site_hazard_words import site_hazard_tip, sites_kept_clear_note
from urbanrisk.pipeline import build_grid, load_layers, study_area, utm_crs_for
from urbanrisk.siting import KEEP_AWAY_COLUMNS, clear_of_hazards
from urbanrisk.stage_coverage import coverage_for, coverage_on_worker, keep_away_for

UTM50 = "EPSG:32650"


def _keep_away(rows: list[tuple[str, str, str, float, float, float]]) -> gpd.GeoDataFrame:
    """Hazards (target, kind, name, min distance, x, y in UTM 50N) as a keep-away table."""
    target, kind, name, least, x, y = (list(c) for c in zip(*rows, strict=True))
    points = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=UTM50).to_crs(4326)
    frame = pd.DataFrame(
        {"target": target, "kind": kind, "label": kind, "label_zh": kind, "name": name}
        | {"min_distance_m": least, "source": "hand"}
    )
    return gpd.GeoDataFrame(frame, geometry=points.to_numpy(), crs=4326)[KEEP_AWAY_COLUMNS]


def test_candidates_within_a_hazards_distance_for_their_kind_are_dropped_by_hand():
    # five nodes 100 m apart on a line (x = 0..400); a 加油站 at x=-10 (hand distances: 200 m for fire
    # stations, 50 m for hospitals), a 化工 store at x=450 (300 m for fire stations); a shelter keeps none
    graph = SimpleNamespace(utm_crs=UTM50, xy=np.array([[440000.0 + 100 * i, 4427000.0] for i in range(5)]))
    keep = _keep_away(
        [
            ("fire_station", "fuel", "加油站甲", 200.0, 439990.0, 4427000.0),
            ("hospital", "fuel", "加油站甲", 50.0, 439990.0, 4427000.0),
            ("fire_station", "chemical", "osm:node/7", 300.0, 440450.0, 4427000.0),
        ]
    )
    candidates = np.array([0, 1, 2, 3, 4])
    kept, record = clear_of_hazards(graph, candidates, keep, "fire_station")
    assert kept.tolist() == []  # 10 and 110 m from the fuel station; 50, 150 and 250 m from the store
    entries = json.loads(record)
    assert [(e["kind"], e["min_distance_m"], e["hazards"], e["candidates"]) for e in entries] == [
        ("chemical", 300.0, ["osm:node/7"], 3),
        ("fuel", 200.0, ["加油站甲"], 2),
    ]
    kept, record = clear_of_hazards(graph, candidates, keep, "hospital")
    assert kept.tolist() == [1, 2, 3, 4] and json.loads(record)[0]["candidates"] == 1
    assert clear_of_hazards(graph, candidates, keep, "shelter") == (candidates, "")
    assert clear_of_hazards(graph, candidates, None, "fire_station") == (candidates, "")


@pytest.fixture(scope="module")
def tsinghua(tmp_path_factory):
    """fresh19's south-Tsinghua recipe at r10: registry 加油站, 液化气站, 化工 store; an OSM 中国石化."""
    path = shipped_recipe(
        tmp_path_factory.mktemp("tsinghua"), "beijing-tsinghua-south", grid={"resolution": 10}
    )
    recipe = ur.load_recipe(path)
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    grid = build_grid(recipe, layers, area, scheduler="synchronous")
    return recipe, layers, area, grid


def _fire_site_gaps(sites: gpd.GeoDataFrame, keep: gpd.GeoDataFrame) -> list[float]:
    """Each suggested fire site's distance (m) to the nearest hazard a fire station keeps away from."""
    hazards = keep[keep["target"] == "fire_station"].to_crs(UTM50).geometry
    fire = sites[sites["standard"] == "fire"].to_crs(UTM50).geometry
    return [float(hazards.distance(point).min()) for point in fire]


def test_suggested_fire_sites_keep_the_safety_distances_on_both_coverage_paths(tsinghua):
    recipe, layers, area, grid = tsinghua
    keep = keep_away_for(recipe, layers, area)
    fuel = keep[(keep["target"] == "fire_station") & (keep["kind"] == "fuel")]
    assert {"中国石油成府路加油站", "成府路东加油加气站"} <= set(fuel["name"])  # from the registry
    assert "中国石化" in set(fuel["name"])  # and from OSM (amenity=fuel, name=中国石化)
    frames = (grid, layers.streets, layers.street_nodes, layers.pois, layers.resources, area)
    spec = recipe.coverage
    options = {
        "standards": standards_for(spec.standards, spec.override_dict(), recipe.tables.standards),
        "utm_crs": utm_crs_for(area),
    }
    blind = coverage_stage(*frames, **options)  # as before: the first fire site 47 m from a 加油站
    assert min(_fire_site_gaps(blind.sites, keep)) < 200
    eager = coverage_stage(*frames, keep_away=keep, **options)
    parts = partitioned_coverage_stage(
        *frames, partition_resolution=8, scheduler="synchronous", keep_away=keep, **options
    )
    pd.testing.assert_frame_equal(pd.DataFrame(eager.sites), pd.DataFrame(parts.sites))
    gaps = _fire_site_gaps(eager.sites, keep)
    assert len(gaps) == 2 and min(gaps) > 300  # 300 m from the 液化气站, the store and fuel (建标152-2017)
    record = json.loads(eager.sites[eager.sites["standard"] == "fire"]["kept_clear_of"].iloc[0])
    assert {e["kind"] for e in record} >= {"fuel", "chemical"}
    assert "中国石油成府路加油站" in next(e for e in record if e["kind"] == "fuel")["hazards"]
    assert (eager.sites[eager.sites["standard"] == "shelter"]["kept_clear_of"] == "").all()
    # the site's description says which hazards kept it away (map tip and report note, en and zh)
    fire = next(eager.sites[eager.sites["standard"] == "fire"].itertuples())
    zh = site_hazard_tip(fire, "zh")
    assert (
        "<br/>距加油站 " in zh
        and "中国石油成府路加油站" in zh
        and "≥ 300 米（排除 " in zh
        and "建标152-2017 第15条第3项）" in zh
    )
    en = site_hazard_tip(fire, "en")
    assert "<br/>kept ≥ 300 m from hazardous-chemical site 华科精细化工试剂库 (" in en
    assert "excluded; Jianbiao 152-2017)" in en and "建标" not in en  # an English page's code in Latin
    note = sites_kept_clear_note(eager.sites, "zh")
    assert note.count('<p class="note">') == 1 and note.startswith('<p class="note">消防：距')
    # the stage as a run calls it (the driver finds the hazards) and as one task on a worker
    pd.testing.assert_frame_equal(
        pd.DataFrame(coverage_for(recipe, layers, area, grid).sites), pd.DataFrame(eager.sites)
    )
    on_worker = coverage_on_worker(recipe, layers, area, grid, scheduler="synchronous")
    pd.testing.assert_frame_equal(pd.DataFrame(on_worker.sites), pd.DataFrame(eager.sites))


def test_an_unnamed_breached_target_reads_as_one_in_english_and_chinese(tsinghua):
    # fresh19: "住宅 relation/3227098" beside the 液化气站 read as a dwelling named relation/3227098
    from urbanrisk.hazard_table import hazard_inputs
    from urbanrisk.outputs.i18n import sites_text

    recipe, layers, area, _ = tsinghua
    sited = hazard_inputs(recipe, layers, area, utm_crs_for(area))["sited"].set_index("name")
    breach = sited.loc["海淀燃气双清路液化气供应站", "breaches"]
    assert breach.startswith("an unnamed dwelling (OSM relation/3227098) at 14 m < 30 m (GB 50156-2021")
    assert sites_text(breach, "zh").startswith(
        "未命名住宅（OSM relation/3227098） 距离 14 米 < 30 米（GB 50156-2021"
    )
    named = sited.loc["华科精细化工试剂库"]  # a named target keeps its kind and name
    assert named["breaches"].startswith("school 中关村中学 at 187 m < 300 m")
    assert sites_text(named["vulnerable_names"], "zh").startswith(
        "学校 中关村中学（187 米，合并 2 个 OSM 要素）；"
    )


def test_a_cells_tip_says_what_its_building_count_and_coverage_count(tsinghua):
    # fresh19: "建筑 0 栋" beside 18 % coverage; a building counts in the cell of its centre, the
    # coverage adds every footprint's part in the cell (south Tsinghua r10: 0 buildings, up to 87 %)
    from urbanrisk.outputs.map_tips import _cell_tips

    grid = tsinghua[3]
    cell = grid[grid["buildings"] == 0]["coverage_ratio"].idxmax()
    assert grid.loc[cell, "coverage_ratio"] > 0.5
    zh, en = (_cell_tips(grid.loc[[cell]], None, language)[0] for language in ("zh", "en"))
    assert "建筑 0 栋（按中心点计；建筑占地覆盖率 87%，含跨格部分）" in zh
    assert "buildings 0 (by centre; footprints cover 87%)" in en


def test_the_chinese_safety_distances_outside_china_are_said_not_silent(baltimore_run, wudaokou_run):
    """Baltimore's breaches and sites were measured by GB 50156 / 建标152 without a word: the run notes it,
    names the fix, and says it in Chinese; Wudaokou (in China) and a recipe with its own table get no note."""
    from urbanrisk.outputs.i18n import data_text
    from urbanrisk.site_hazards import safety_distances_scope_note

    (note,) = [n for n in baltimore_run.notes if n.startswith("safety distances:")]
    assert "lies outside China" in note and "tables: {safety_distances: my_distances.csv}" in note
    assert data_text(note, "zh").startswith("安全间距：内置表为中国标准")
    assert not [n for n in wudaokou_run.notes if n.startswith("safety distances:")]
    own = baltimore_run.recipe.model_copy(
        update={"tables": baltimore_run.recipe.tables.model_copy(update={"safety_distances": "mine.csv"})}
    )
    assert safety_distances_scope_note(own, baltimore_run.area) == []


def test_the_hazards_found_beside_the_grid_keep_sites_away_without_a_second_search(tsinghua, monkeypatch):
    # alone22: the coverage stage found every hazard source again (site_hazards.keep_away_table) with no
    # Dask task running, though a run on workers found them beside the grid (hazard_inputs' "found")
    from urbanrisk import site_hazards
    from urbanrisk.hazard_table import hazard_inputs
    from urbanrisk.pipeline import finish_run

    recipe, layers, area, grid = tsinghua
    eager = keep_away_for(recipe, layers, area)
    hazards = hazard_inputs(recipe, layers, area, utm_crs_for(area))

    def searched_again(*args, **kwargs):
        raise AssertionError("the hazard sources were found again in the coverage stage")

    monkeypatch.setattr(site_hazards, "hazard_sources_from_layers", searched_again)
    pd.testing.assert_frame_equal(keep_away_for(recipe, layers, area, found=hazards["found"]), eager)
    expected = coverage_for(recipe, layers, area, grid, found=hazards["found"])
    _, got, _ = finish_run(
        recipe, layers, area, grid, scheduler="synchronous", stage=lambda _, f: f(), hazards=hazards
    )
    pd.testing.assert_frame_equal(pd.DataFrame(got.sites), pd.DataFrame(expected.sites))
    assert len(_fire_site_gaps(got.sites, eager)) == 2 and min(_fire_site_gaps(got.sites, eager)) > 300
