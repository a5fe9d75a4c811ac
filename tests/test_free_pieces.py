"""The screens' free part's own pieces (hazard-source table, communities' units) as a Dask task on a
worker process beside the coverage task: they run there, on the layers the workers inherited, and give
the tables the driver's free part gives."""

from __future__ import annotations

import os
import pickle

import pandas as pd
from dask.callbacks import Callback

from urbanrisk.hazard_table import hazard_inputs
from urbanrisk.parallel import compute_graph, kept_pool
from urbanrisk.partitions import utm_crs_for
from urbanrisk.screens_free import coverage_free_part, free_pieces_task
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


def test_free_pieces_run_on_a_worker_process_and_equal_the_drivers(wudaokou_run):
    recipe, layers, area, grid = (
        wudaokou_run.recipe,
        wudaokou_run.layers,
        wudaokou_run.area,
        wudaokou_run.grid,
    )
    utm_crs = utm_crs_for(area)
    hazards = hazard_inputs(recipe, layers, area, utm_crs)
    expected = coverage_free_part(recipe, layers, area, grid, utm_crs=utm_crs, hazards=hazards)
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
