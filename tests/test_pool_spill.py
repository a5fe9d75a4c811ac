"""Tasks and results past a size travel to and from the worker processes through files
(urbanrisk.pool_spill): the same results, the files removed."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import urbanrisk as ur
import urbanrisk.parallel as parallel
import urbanrisk.pool_spill as pool_spill
from conftest import default_recipe
from test_parallel import assert_same_run
from urbanrisk.parallel import map_partitions
from urbanrisk.pool_spill import spill_dumps, spill_loads


def _twice(values: np.ndarray) -> np.ndarray:
    return values * 2


_READ: list[bytes] = []  # what was read back: b"f" a file, b"m" the pickle itself


def _counted_loads(data: bytes):
    """spill_loads, noting how each pickle came (module level: Dask passes it to the workers too)."""
    _READ.append(data[:1])
    return spill_loads(data)


def test_a_pickle_past_the_limit_goes_through_a_file_read_and_removed(tmp_path):
    values = np.arange(1_000, dtype=np.int64)
    small, large = (
        spill_dumps(values, str(tmp_path), limit=10**6),
        spill_dumps(values, str(tmp_path), limit=100),
    )
    [path] = list(tmp_path.iterdir())
    assert large == b"f" + bytes(path) and small[:1] == b"m"
    assert np.array_equal(spill_loads(large), values) and np.array_equal(spill_loads(small), values)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers forked from the driver: Linux")
def test_large_tasks_and_results_on_processes_come_through_files_the_folder_removed(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setattr(parallel, "spill_loads", _counted_loads)
    _READ.clear()
    inputs = [np.arange(1_000_000, dtype=np.int64) + i for i in range(3)]  # 8 MB each, past 4 MB
    got = map_partitions(_twice, inputs, scheduler="processes")
    assert all(np.array_equal(g, x * 2) for g, x in zip(got, inputs, strict=True))
    assert _READ == [b"f"] * 3 and list(tmp_path.iterdir()) == []  # results read here (tasks by workers)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers forked from the driver: Linux")
def test_a_run_on_processes_with_every_task_through_a_file_equals_synchronous(tmp_path, monkeypatch):
    monkeypatch.setattr(pool_spill, "SPILL_BYTES", 0)  # every task and result through a file
    recipe = default_recipe(tmp_path)
    procs = ur.run_recipe(recipe, scheduler="processes", write=False)
    single = ur.run_recipe(recipe, scheduler="synchronous", write=False)
    pd.testing.assert_frame_equal(pd.DataFrame(procs.grid), pd.DataFrame(single.grid), check_exact=True)
    assert_same_run(procs, single)
