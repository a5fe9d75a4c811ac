"""The write stage on a run's kept pool of worker processes forked after the run registered its layers
(outputs/writer.py, outputs/spool_pickle.py): the GeoPackage's and the map's tasks get those frames as
numbers, and write the same files. A module of its own: a kept pool open in another test module's
fixture (test_grid_dataset's) was forked before these frames were registered."""

from __future__ import annotations

import os

import pandas as pd

from test_grid_dataset import _files
from urbanrisk import settings
from urbanrisk.outputs import writer
from urbanrisk.parallel import kept_pool, map_partitions
from urbanrisk.run import write_run
from urbanrisk.worker_pool import inherit


def test_frames_the_workers_inherited_go_to_the_write_tasks_as_numbers(
    wudaokou_r10_run, tmp_path, monkeypatch
):
    """A run on ``processes`` forks its kept pool after it registered its layers (pipeline.py): the
    GeoPackage's and the map's tasks on that pool then get the buildings, streets, POIs and resources
    as their registry keys (outputs/spool_pickle.py), not pickled; the files written are the same as
    those of a pool that inherited nothing (every frame pickled) and of the synchronous scheduler."""
    result = wudaokou_r10_run
    layers, sent = result.layers, {}
    real = writer.dump_call

    def recording(path, func, args, inherited=None):
        real(path, func, args, inherited)
        size = os.path.getsize(path) + os.path.getsize(path + ".shapes")
        sent.setdefault(func.__name__, []).append((size, set((inherited or {}).values())))

    monkeypatch.setattr(writer, "dump_call", recording)
    monkeypatch.setattr(settings, "max_map_cells", 100)  # display cells, as a metropolis' map: no grid sent
    folders = {}
    for case in ("inherited", "pickled"):
        with kept_pool():
            if case == "inherited":  # as a run registers them before its grid stage forks the pool
                inherit(layers.buildings, layers.streets, layers.pois, layers.resources)
            map_partitions(int, [1], scheduler="processes")  # the pool, forked now (as the grid stage's)
            folders[case] = write_run(result, tmp_path / case, scheduler="processes")
    for task in ("_gpkg", "_map"):
        (inherited_size, keys), (pickled_size, none) = sent[task]
        assert len(keys) == 4 and not none, task  # the four frames as numbers; nothing inherited: none
        assert inherited_size < pickled_size / 2, (task, inherited_size, pickled_size)
    expected = _files(write_run(result, tmp_path / "synchronous", scheduler="synchronous"))
    for case, folder in folders.items():
        files = _files(folder)
        assert files.keys() == expected.keys(), case
        for name, content in files.items():
            if name.startswith("risk.gpkg:"):
                pd.testing.assert_frame_equal(content, expected[name], check_exact=True)
            elif name == "manifest.json":
                assert content == {**expected[name], "scheduler": "processes"}, case
            else:
                assert content == expected[name], (case, name)
