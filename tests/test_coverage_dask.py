"""Coverage per partition with a halo equals the whole-graph coverage, cell by cell; a run with its
screens per partition too (compute.partitioned_screens) equals the eager run, table by table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import urbanrisk as ur
from conftest import BALTIMORE_PBF, BUPT_OSM, WUDAOKOU_OSM, shipped_recipe
from urbanrisk import grid as gridmod
from urbanrisk.coverage import coverage_stage, standards_for
from urbanrisk.coverage_dask import partitioned_coverage_stage
from urbanrisk.pipeline import build_grid, load_layers, study_area, utm_crs_for


def _stages(recipe_path):
    recipe = ur.load_recipe(recipe_path)
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    grid = build_grid(recipe, layers, area, scheduler="synchronous")
    return recipe, layers, area, grid


def _both(stages, *, partition_resolution, standards=None, scheduler="synchronous"):
    _, layers, area, grid = stages
    frames = (grid, layers.streets, layers.street_nodes, layers.pois, layers.resources, area)
    options = {"standards": standards or standards_for("cn"), "utm_crs": utm_crs_for(area)}
    eager = coverage_stage(*frames, **options)
    parts = partitioned_coverage_stage(
        *frames, partition_resolution=partition_resolution, scheduler=scheduler, **options
    )
    return eager, parts, len(gridmod.partition_cells(list(grid.index), partition_resolution))


def assert_same_coverage(eager, parts):
    """covered, reached, reason, residents and snap identical everywhere; travel and nearest resource
    identical where the total travel is within twice the limit; NaN beyond it; coping identical."""
    a, b = eager.coverage, parts.coverage
    assert len(a) and a[["h3_cell", "standard"]].equals(b[["h3_cell", "standard"]])
    columns = ("covered", "reached", "reason", "residents_uncovered", "cell_snap_m", "supply_per_person")
    for column in (*columns, "supply_bound"):
        pd.testing.assert_series_equal(a[column], b[column], check_exact=True)
    within = (a["travel"] <= 2 * a["limit"]).to_numpy()
    assert np.array_equal(a["travel"][within].to_numpy(), b["travel"][within].to_numpy())
    assert (a["nearest_resource"][within] == b["nearest_resource"][within]).all()
    beyond = ~within & a["reached"].to_numpy()
    assert b["travel"][beyond].isna().all()
    assert_travel_stated(a)
    assert_travel_stated(b)
    # beyond the exact range: a lower bound the whole graph's travel exceeds, the nearest resource unknown
    assert (b["travel_at_least"][beyond] == 2 * b["limit"][beyond]).all()
    assert (a["travel"][beyond] > b["travel_at_least"][beyond]).all()
    assert b["nearest_resource"][beyond].isna().all() and a["travel_at_least"].isna().all()
    assert b["travel_at_least"][~beyond].isna().all()
    pd.testing.assert_series_equal(eager.coping, parts.coping, check_exact=True)
    assert eager.status == parts.status
    pd.testing.assert_frame_equal(pd.DataFrame(eager.sites), pd.DataFrame(parts.sites))
    pd.testing.assert_frame_equal(eager.supply, parts.supply)  # 2SFCA per resource, bounds included
    same = ["standard", "gap", "cells", "residents", "area_km2", "unreachable_cells"]
    pd.testing.assert_frame_equal(pd.DataFrame(eager.gaps[same]), pd.DataFrame(parts.gaps[same]))
    assert eager.gaps.geometry.geom_equals_exact(parts.gaps.geometry, 0).all()
    return within


def assert_travel_stated(table):
    """Every reached cell of known travel says its travel: a number, or a lower bound, never neither
    (a partition's cells beyond its exact range had ``travel`` NaN, ``nearest_resource`` "" and
    ``travel_known`` True: nothing said what the NaN meant); "" only where no resource was reached."""
    reached = table["reached"].to_numpy(dtype=bool) & table["travel_known"].to_numpy(dtype=bool)
    travel, bound = table["travel"].notna().to_numpy(), table["travel_at_least"].notna().to_numpy()
    assert not (travel & bound).any()
    assert (travel | bound)[reached].all()
    assert (table["nearest_resource"][travel & reached] != "").all()
    assert (table["nearest_resource"][~table["reached"].to_numpy(dtype=bool)] == "").all()


def _recipe(tmp_path, name, osm):
    return shipped_recipe(tmp_path, name, osm=osm)


@pytest.fixture(scope="module")
def baltimore(tmp_path_factory):
    return _stages(_recipe(tmp_path_factory.mktemp("baltimore"), "baltimore", BALTIMORE_PBF))


@pytest.mark.parametrize(("name", "osm"), [("beijing-wudaokou", WUDAOKOU_OSM), ("beijing-bupt", BUPT_OSM)])
def test_partitioned_coverage_equals_whole_graph_on_beijing_extracts(tmp_path, name, osm):
    eager, parts, count = _both(_stages(_recipe(tmp_path, name, osm)), partition_resolution=8)
    assert count > 3
    assert assert_same_coverage(eager, parts).sum() > 0


def test_partitioned_coverage_equals_whole_graph_on_baltimore(baltimore):
    # fire stations, hospitals and shelters: drive (time and distance) and walk standards
    eager, parts, count = _both(baltimore, partition_resolution=7)
    assert count > 10 and set(eager.coverage["standard"]) == {"fire", "medical", "shelter"}
    within = assert_same_coverage(eager, parts)
    assert 0 < within.mean() < 1


def test_halo_cut_drive_graphs_on_baltimore_with_short_limits(baltimore):
    # limits short enough that each partition's subgraph is a fraction of the city: the halo is real
    import urbanrisk.coverage_dask as cd

    sizes = []
    original = cd.coverage_tasks

    def spy(graph, *args, **kwargs):
        tasks, result = original(graph, *args, **kwargs)
        sizes.extend(len(task.graph.node_ids) / len(graph.node_ids) for task in tasks)
        return tasks, result

    cd.coverage_tasks = spy
    try:
        standards = standards_for("cn", {"fire": {"limit": 1.5}, "medical": {"limit": 800}})
        eager, parts, _ = _both(baltimore, partition_resolution=7, standards=standards, scheduler="threads")
    finally:
        cd.coverage_tasks = original
    within = assert_same_coverage(eager, parts)
    assert min(sizes) < 0.5 and np.mean(sizes) < 0.9, sizes
    assert 0 < within.mean() < 0.9 and eager.coverage["covered"].any()
    # a gap of cells beyond the exact range: its worst travel is more than twice the limit, not "unreachable"
    from types import SimpleNamespace

    from urbanrisk.outputs.planner_layers import gap_layers

    gaps = parts.gaps
    beyond = gaps[np.isinf(gaps["worst_travel"]) & (gaps["unreachable_cells"] == 0)]
    assert len(beyond)
    tips = [row["tip"] for layer in gap_layers(SimpleNamespace(coverage=parts)) for row in layer.data]
    assert sum("worst more than twice the limit" in tip for tip in tips) == len(beyond)
    # a cell's map tip: "more than 3.0 min ✗" (2 × the 1.5 min limit), not "not reached"
    import geopandas as gpd

    from urbanrisk.coverage import coverage_wide
    from urbanrisk.outputs.map_tips import _cell_tips

    assert not any(c.endswith("_travel_at_least") for c in coverage_wide(eager.coverage).columns)
    wide = coverage_wide(parts.coverage)
    bounded = wide[wide["fire_travel_at_least"].notna()].head(3)
    assert len(bounded) and bounded["fire_travel"].isna().all()
    cells = gpd.GeoDataFrame(
        bounded.assign(residents=1.0, buildings=0, coverage_ratio=0.0, crowd_places=0, vulnerable_sites=0)
    )
    for language, words in (("en", "fire more than 3.0 min ✗"), ("zh", "超过 3.0 ")):
        tips = _cell_tips(cells, {"fire": "s"}, language)
        assert all(words in tip and "not reached" not in tip and "未到达" not in tip for tip in tips), tips


def test_synthetic_metropolis_coverage_per_partition_equals_whole_graph(tmp_path):
    # a 3 x 3 metropolis (the 8 x 8 one is checked by benchmarks/dask_e2e.py: ~45 s to build)
    from urbanrisk.synth import synth_metro

    _, recipe_path = synth_metro(WUDAOKOU_OSM, 3, tmp_path)
    recipe = ur.load_recipe(recipe_path)
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    grid = gridmod.grid_frame(gridmod.cells_from_area(area, 9))
    grid["residents"] = np.arange(len(grid)) % 7 * 10.0  # any residents: coverage must not care
    frames = (grid, layers.streets, layers.street_nodes, layers.pois, layers.resources, area)
    options = {"standards": standards_for("cn", {"medical": {"limit": 1500}}), "utm_crs": utm_crs_for(area)}
    eager = coverage_stage(*frames, **options)
    parts = partitioned_coverage_stage(*frames, partition_resolution=7, scheduler="threads", **options)
    within = assert_same_coverage(eager, parts)
    assert 0 < within.mean() < 1


@pytest.fixture(scope="module")
def eager_wudaokou(wudaokou_r10_run):
    """The default recipe at r10 in r8 partitions, synchronous (conftest's, shared)."""
    return wudaokou_r10_run


def _centres_counter(monkeypatch):
    """How many cell centres h3 computes (``{"cells": n}``; in this process only)."""
    import h3

    counted = {"cells": 0}
    real = h3.cell_to_latlng

    def counting(cell):
        counted["cells"] += 1
        return real(cell)

    monkeypatch.setattr(h3, "cell_to_latlng", counting)
    return counted


def _task_counter(monkeypatch):
    """Count the per-partition screen tasks: {task function: [tasks of each call]}."""
    import urbanrisk.screens_dask as sd

    calls: dict[str, list[int]] = {}
    real = sd.map_partitions

    def counted(func, inputs, **kwargs):
        calls.setdefault(func.__name__, []).append(len(inputs))
        return real(func, inputs, **kwargs)

    monkeypatch.setattr(sd, "map_partitions", counted)
    return calls


@pytest.mark.parametrize(
    ("scheduler", "compute"),
    [
        ("threads", {"partitioned_coverage": True}),
        # processes once (slow): coverage and screens per partition, sharing one pool of workers
        ("processes", {"partitioned_coverage": True, "partitioned_screens": True}),
        # coverage's tasks on the workers while a driver thread runs the screens' coverage-free part
        ("processes", {"partitioned_coverage": True}),
    ],
)
def test_partitioned_coverage_run_equals_the_eager_run_on_every_scheduler(
    tmp_path, scheduler, compute, eager_wudaokou, monkeypatch
):
    from conftest import default_recipe

    grid = {"resolution": 10, "partition_resolution": 8}
    eager = eager_wudaokou
    recipe = default_recipe(tmp_path / "p", grid=grid, compute=compute)
    calls = _task_counter(monkeypatch)
    pools = []
    import urbanrisk.worker_pool as par

    new_pool = par._new_pool
    monkeypatch.setattr(par, "_new_pool", lambda: pools.append(1) or new_pool())
    parts = ur.run_recipe(recipe, scheduler=scheduler, write=False)
    if compute.get("partitioned_screens"):  # the gaps' and the key districts' cells lie in 4-5 partitions
        # exposure once: the impact circles (GB 18218's 500 m circles only for sources listing substances,
        # and Wudaokou's registry lists none: session 14, correct14)
        assert calls["_hazard_partition"] == [18] and calls["_exposed_partition"] == [18]
        assert calls["_disk_partition"] == calls["_centres_partition"] == [18]
        assert len(calls["_cluster_partition"]) == 2 and min(calls["_cluster_partition"]) > 2, calls
        assert len(pools) == 1  # one per run: the grid, then every coverage and screen computation
    else:
        assert not calls
        assert ("screens_free" in parts.timings) == (scheduler == "processes")
    assert len(eager.screens.key_districts) and len(eager.coverage.gaps)
    # grades, coping and covered are identical; travel only within twice the limit (NaN beyond)
    a, b = pd.DataFrame(eager.grid), pd.DataFrame(parts.grid)
    travel = [c for c in a.columns if c.endswith("_travel")]
    assert travel
    pd.testing.assert_frame_equal(a.drop(columns=travel), b.drop(columns=travel), check_exact=True)
    assert_same_coverage(eager.coverage, parts.coverage)
    for name in ("hazard_sources", "communities", "key_districts", "urban_villages"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(getattr(eager.screens, name)), pd.DataFrame(getattr(parts.screens, name))
        )
    # the same stage around the per-partition travel: N-1 losses and the kept street graphs too
    pd.testing.assert_frame_equal(eager.coverage.resilience, parts.coverage.resilience)
    pd.testing.assert_frame_equal(eager.coverage.network_edges, parts.coverage.network_edges)


def test_partitioned_screens_equal_the_eager_screens_on_baltimore(baltimore, monkeypatch):
    # every table after the grid (coverage and its gaps, graded grid, screens, registers, the
    # responsibility list) with the screens per partition (15 of them) equals the eager one; grades by
    # natural breaks (one class pass over the whole risk column) and screen thresholds lowered so
    # that key districts and urban villages cluster across partition borders
    from urbanrisk.cell_disks import forget
    from urbanrisk.pipeline import finish_run, stage_timer

    recipe, layers, area, grid = baltimore
    screens = {
        "key_districts": {"crowd_min_per_km2": 20, "people_min_per_km2": 3000, "min_cells": 1},
        "urban_villages": {"min_score": 0.1, "min_cells": 1},
    }
    off = recipe.model_copy(
        update={
            "screens": recipe.screens.model_validate(screens),
            "grading": recipe.grading.model_copy(update={"method": "natural_breaks"}),
        }
    )
    on = off.model_copy(
        update={
            "grid": off.grid.model_copy(update={"partition_resolution": 7}),
            "compute": off.compute.model_copy(update={"partitioned_screens": True}),
        }
    )
    calls = _task_counter(monkeypatch)
    centres = _centres_counter(monkeypatch)
    forget()  # each run starts with nothing kept, as in a fresh process
    a = finish_run(off, layers, area, grid, scheduler="synchronous", stage=stage_timer({}))
    assert not calls
    assert centres["cells"] == len(grid)  # centres once for coverage and the screens, not once for each
    b = finish_run(on, layers, area, grid, scheduler="synchronous", stage=stage_timer({}))
    # exposure once: the impact circles (GB 18218's 500 m only for sources listing substances: Baltimore's
    # OSM sources list none; session 14, correct14)
    assert calls["_hazard_partition"] == [15] and calls["_exposed_partition"] == [15]
    assert calls["_disk_partition"] == calls["_centres_partition"] == [15]
    assert len(calls["_cluster_partition"]) == 5  # gaps of three standards, districts, villages
    pd.testing.assert_frame_equal(pd.DataFrame(a[0]), pd.DataFrame(b[0]), check_exact=True)
    assert a[0]["grade"].nunique() == 4
    pd.testing.assert_frame_equal(pd.DataFrame(a[1].gaps), pd.DataFrame(b[1].gaps), check_exact=True)
    for name in ("communities", "key_districts", "urban_villages", "responsibility"):
        pd.testing.assert_frame_equal(pd.DataFrame(getattr(a[2], name)), pd.DataFrame(getattr(b[2], name)))
        assert len(getattr(a[2], name)), name
    # residents exposed: partial sums per partition, added in the driver (~1e-12 relative)
    pd.testing.assert_frame_equal(
        pd.DataFrame(a[2].hazard_sources), pd.DataFrame(b[2].hazard_sources), check_exact=False, rtol=1e-12
    )
    assert len(a[2].hazard_sources) > 50 and (a[2].key_districts["cells"] > 3).any()
    assert (a[2].urban_villages["cells"] > 1).any() and (a[1].gaps["cells"] > 10).any()


def test_uncovered_residents_on_a_campus_are_pointed_to_drive_service(eager_wudaokou):
    """Wudaokou's hospitals and homes sit inside campuses: by public drive streets 7,253 residents are
    uncovered, every one of them over 500 m (max_snap_m) from such a street but near service roads; the
    status says so with the recipe line to try (drive_service covers all of them, see test_network)."""
    status = eager_wudaokou.coverage.status["medical"]
    uncovered = eager_wudaokou.coverage.coverage.query("standard == 'medical'")["residents_uncovered"].sum()
    assert uncovered > 1000
    assert f"{uncovered:,.0f} of them live over 500 m from a public drive street but near service" in status
    assert "coverage: {overrides: {medical: {mode: drive_service}}} also routes on those" in status
