"""The screens' free part's own pieces (hazard-source table, communities' units) as a Dask task on a
worker process beside the coverage task, and its area screens (urban-village scores, key districts,
urban villages) as a task or on a worker forked for them: they run there, on the layers (and grid) the
workers inherited, and give the tables the driver's free part gives."""

from __future__ import annotations

import os
import pickle
import sys

import dask
import pandas as pd
import pytest
from dask.callbacks import Callback

from urbanrisk.hazard_table import hazard_inputs
from urbanrisk.parallel import compute_graph, kept_pool
from urbanrisk.partitions import utm_crs_for
from urbanrisk.screens_free import (
    AREA_COLUMNS,
    area_apart,
    area_beside,
    area_task,
    coverage_free_part,
    free_pieces_task,
)
from urbanrisk.stage_coverage import inherit_coverage_inputs
from urbanrisk.worker_pool import Inherited, worker_pool


class _Where(Callback):
    """Each finished task's key and the id of the worker that ran it (a process id on ``processes``)."""

    def __init__(self) -> None:
        super().__init__()
        self.workers: dict[str, int] = {}

    def _posttask(self, key, result, dsk, state, worker_id) -> None:
        self.workers[str(key)] = worker_id


def _same_frames(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(got.columns) == list(expected.columns)
    geometry = [c for c in expected.columns if c == "geometry"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.drop(columns=geometry)),
        pd.DataFrame(expected.drop(columns=geometry)),
        check_exact=True,
    )
    if geometry:
        assert got.crs == expected.crs
        assert got.geometry.to_wkb().tolist() == expected.geometry.to_wkb().tolist()


def _driver_free_part(run):
    """A run's recipe, layers, area, grid, UTM CRS, hazard inputs, and the free part the driver computes."""
    recipe, layers, area, grid = run.recipe, run.layers, run.area, run.grid
    utm_crs = utm_crs_for(area)
    hazards = hazard_inputs(recipe, layers, area, utm_crs)
    expected = coverage_free_part(recipe, layers, area, grid, utm_crs=utm_crs, hazards=hazards)
    return recipe, layers, area, grid, utm_crs, hazards, expected


def _same_area_screens(got: dict, expected: dict) -> None:
    """The area screens a worker computed equal the driver's (urban-village scores exact, frames)."""
    assert set(got) == {"uv_scores", "area_screens"}
    pd.testing.assert_frame_equal(got["uv_scores"], expected["uv_scores"], check_exact=True)
    (districts, villages, status), (want_districts, want_villages, want_status) = (
        got["area_screens"],
        expected["area_screens"],
    )
    assert status == want_status and len(districts)  # Wudaokou has key districts
    _same_frames(districts, want_districts)
    _same_frames(villages, want_villages)


def test_free_pieces_run_on_a_worker_process_and_equal_the_drivers(wudaokou_run):
    recipe, layers, area, grid, utm_crs, hazards, expected = _driver_free_part(wudaokou_run)
    where = _Where()
    with kept_pool(), where:
        inherit_coverage_inputs(layers)  # before the pool's fork, as compute_run registers them
        task = free_pieces_task(recipe, layers, area, grid, utm_crs=utm_crs, hazards=hazards)
        [got] = compute_graph([task], scheduler="processes")
        with worker_pool():  # the land use reaches the pool's workers as a number, not pickled
            assert len(pickle.dumps(Inherited(layers.landuse))) < 200 < len(pickle.dumps(layers.landuse))
    assert where.workers["free-pieces"] != os.getpid()
    assert set(got) == {"hazards", "hazards_utm", "units"}
    table, status = got["hazards"]
    assert len(table) and status == expected["hazards"][1]  # Wudaokou's OSM hazard sources reach the area
    _same_frames(table, expected["hazards"][0])
    _same_frames(got["hazards_utm"], expected["hazards_utm"])
    units, assignment, label = got["units"]
    assert label == expected["units"][2] and (units["unit_source"] == "osm_residential_landuse").any()
    _same_frames(units, expected["units"][0])
    pd.testing.assert_series_equal(assignment, expected["units"][1], check_exact=True)


def test_area_screens_run_on_a_worker_process_and_equal_the_drivers(wudaokou_run):
    # alone22: the driver computed them beside the coverage task and the run waited for it after
    # coverage, no Dask task running (note20 §2: ~0.57 s at 256 tiles)
    recipe, layers, area, grid, utm_crs, _, expected = _driver_free_part(wudaokou_run)
    assert set(coverage_free_part(recipe, layers, area, grid, utm_crs=utm_crs, pieces_elsewhere=True)) == {
        "known"
    }
    where = _Where()
    with kept_pool(), where:
        inherit_coverage_inputs(layers)  # before the pool's fork, as compute_run registers them
        [got] = compute_graph([area_task(recipe, layers, grid, utm_crs=utm_crs)], scheduler="processes")
        with worker_pool():  # the buildings reach the pool's workers as a number, not pickled
            assert len(pickle.dumps(Inherited(layers.buildings))) < 200 < len(pickle.dumps(layers.buildings))
    assert where.workers["area-screens"] != os.getpid()
    _same_area_screens(got, expected)


_SENT: dict[str, int] = {}  # each task's key and the bytes Dask pickled to send it to a worker process


def _counted_dumps(value):
    """Dask's ``processes`` pickling, counting what the driver sends (module level: the workers get it)."""
    import cloudpickle

    data = cloudpickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    _SENT[str(getattr(value[0], "key", ""))] = len(data)
    return data


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers forked from the driver: Linux")
def test_area_screens_beside_coverage_run_on_a_worker_forked_for_them_and_inherit_the_grid(wudaokou_run):
    # session 21 reverted them as a task of the kept pool: forked before the grid was made, its workers
    # got the grid's 10 columns pickled (113,646 B, half the streets'); here the worker gets a number
    recipe, layers, _, grid, utm_crs, _, expected = _driver_free_part(wudaokou_run)
    assert area_apart("processes") and not area_apart("threads")
    where = _Where()
    _SENT.clear()
    with kept_pool(), where, dask.config.set(func_dumps=_counted_dumps):
        [kept] = compute_graph([dask.delayed(os.getpid)(dask_key_name="grid")], scheduler="processes")
        got, mine = area_beside(recipe, layers, grid, os.getpid, utm_crs=utm_crs, scheduler="processes")
    assert mine == os.getpid() and where.workers["area-screens"] not in {os.getpid(), kept}
    assert 0 < _SENT["area-screens"] < 1_000 < len(pickle.dumps(pd.DataFrame(grid[AREA_COLUMNS])))
    _same_area_screens(got, expected)
