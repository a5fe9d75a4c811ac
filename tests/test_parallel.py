"""The same recipe on a real dask.distributed cluster gives exactly the single-process result."""

from __future__ import annotations

import json
import sys

import geopandas as gpd
import pandas as pd
import pytest

import urbanrisk as ur
from conftest import ACCRA_TIF, WUDAOKOU_OSM, accra_recipe, default_recipe
from urbanrisk import InputError
from urbanrisk.grid_dataset import read_grid


def test_local_cluster_of_two_worker_processes_equals_single_process(tmp_path, wudaokou_r10_run):
    from distributed import LocalCluster

    # 18 partitions, so that both workers take several; workers read the layers from the store
    recipe = default_recipe(tmp_path, grid={"resolution": 10, "partition_resolution": 8})
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
    ) as cluster:
        distributed = ur.run_recipe(
            recipe, scheduler=cluster.scheduler_address, out=tmp_path / "d", progress=True
        )
    single = wudaokou_r10_run  # the same recipe, synchronous
    manifest = json.loads((distributed.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["partitions"] == {"resolution": 8, "count": 18}
    pd.testing.assert_frame_equal(pd.DataFrame(distributed.grid), pd.DataFrame(single.grid), check_exact=True)
    written = read_grid(distributed.run_dir)  # its grid/ parts, written in the driver's threads
    assert len(list((distributed.run_dir / "grid").iterdir())) == 18
    single.grid.to_parquet(tmp_path / "single.parquet", index=True)
    pd.testing.assert_frame_equal(written, gpd.read_parquet(tmp_path / "single.parquet"), check_exact=True)
    assert_same_run(distributed, single)  # coverage ran on a worker beside the screens' free part
    assert "screens_free" in distributed.timings


def test_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    import distributed

    real = distributed.Client  # distributed retries the refused port until its timeout: 0.5 s, not 5
    monkeypatch.setattr(distributed, "Client", lambda address, timeout: real(address, timeout="0.5s"))
    with pytest.raises(InputError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        ur.run_recipe(accra_recipe(tmp_path), scheduler="tcp://127.0.0.1:9", write=False)


def test_synthetic_metropolis_is_tiled_with_unique_ids_and_a_connected_network(tmp_path):
    from conftest import WUDAOKOU_OSM
    from urbanrisk.layers.osm import osm_from_file
    from urbanrisk.network import street_graph
    from urbanrisk.synth import synth_metro

    one = osm_from_file(synth_metro(WUDAOKOU_OSM, 1, tmp_path / "one")[0])
    pbf, recipe = synth_metro(WUDAOKOU_OSM, 3, tmp_path / "nine")
    nine = osm_from_file(pbf)
    assert len(nine.buildings) == 9 * len(one.buildings) > 4000
    assert nine.buildings["osm_ref"].is_unique and nine.street_nodes.index.is_unique
    assert nine.buildings["footprint_m2"].sum() == pytest.approx(
        9 * one.buildings["footprint_m2"].sum(), rel=1e-3
    )
    x0, y0, x1, y1 = one.bounds
    assert nine.bounds == pytest.approx((x0, y0, x0 + 3 * (x1 - x0), y0 + 3 * (y1 - y0)))
    # streets meet their mirror image at tile borders: the metropolis is one network, not nine islands
    graph = street_graph(nine.streets, nine.street_nodes, mode="drive", utm_crs="EPSG:32650")
    single = street_graph(one.streets, one.street_nodes, mode="drive", utm_crs="EPSG:32650")
    assert len(graph.main_component) > 8 * len(single.main_component)
    assert ur.load_recipe(recipe).layers["osm"].path == str(pbf.resolve())


def _tasks(recipe_path, source_kind, folder):
    from urbanrisk import grid as gridmod
    from urbanrisk.layer_store import MemoryLayers, write_layer_store
    from urbanrisk.partitions import partition_inputs, utm_crs_for, vector_frames
    from urbanrisk.pipeline import load_layers, study_area

    recipe = ur.load_recipe(recipe_path)
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    cells = gridmod.cells_from_area(area, recipe.grid.resolution)
    frames = vector_frames(layers)
    source = MemoryLayers(frames) if source_kind == "memory" else write_layer_store(frames, str(folder))
    return layers, partition_inputs(recipe, layers, area, cells, utm_crs=utm_crs_for(area), source=source)


def test_tasks_for_worker_processes_carry_paths_not_layer_data(tmp_path):
    import pickle

    from urbanrisk.layer_store import TASK_COLUMNS

    recipe = default_recipe(tmp_path, grid={"resolution": 10, "partition_resolution": 8})
    layers, tasks = _tasks(recipe, "store", tmp_path / "store")
    layer_bytes = len(pickle.dumps(layers.buildings)) + len(pickle.dumps(layers.streets))
    sizes = [len(pickle.dumps(task)) for task in tasks]
    # what a worker receives: its cells, bounds and the store's paths (no rows of any layer)
    assert max(sizes) < layer_bytes / 50, (max(sizes), layer_bytes)
    # and what it reads there is exactly what a task in the driver's process reads in place
    _, in_memory = _tasks(recipe, "memory", None)
    for stored, memory in zip(tasks, in_memory, strict=True):
        a, b = stored.resolved(), memory.resolved()
        for name in ("buildings", "streets", "pois", "hazards", "resources"):
            x, y = getattr(a, name), getattr(b, name)
            assert (x is None) == (y is None), name
            if x is not None:
                assert x.index.tolist() == y.index.tolist(), name
                assert x.geometry.geom_equals_exact(y.geometry, 0).all(), name
                for column in TASK_COLUMNS[name]:
                    assert x[column].tolist() == y[column].tolist(), (name, column)


def test_processes_read_the_layer_store_in_the_recipe_folder_and_remove_it(tmp_path, monkeypatch):
    import urbanrisk.screens_free as sf
    import urbanrisk.stage_coverage as sc

    store = tmp_path / "shared-store"
    recipe = default_recipe(tmp_path, compute={"store": str(store)})
    sent = []  # coverage went to a worker as one task, the free part's pieces (hazard table, units) as
    real = sc.compute_graph  # one on the other, its area screens to a worker forked for them, while the
    monkeypatch.setattr(  # driver ran the rest of the screens' free part (the measured indicators)
        sc, "compute_graph", lambda tasks, **kw: sent.append([t.key for t in tasks]) or real(tasks, **kw)
    )
    monkeypatch.setattr(sc, "map_partitions", lambda *a, **k: pytest.fail("coverage's task alone"))
    apart, forked = sf.apart, []
    monkeypatch.setattr(sf, "apart", lambda *a, key, **kw: forked.append(key) or apart(*a, key=key, **kw))
    procs = ur.run_recipe(recipe, scheduler="processes", write=False)
    assert sent == [["coverage-task", "free-pieces"]] and "screens_free" in procs.timings
    assert forked == (["area-screens"] if sys.platform.startswith("linux") else [])
    assert "hazard_inputs" in procs.timings  # the hazard screen's grid-free part, beside the grid
    single = ur.run_recipe(recipe, scheduler="synchronous", write=False)
    assert len(sent) == 1 and not {"screens_free", "hazard_inputs"} & set(single.timings)  # one at a time
    pd.testing.assert_frame_equal(pd.DataFrame(procs.grid), pd.DataFrame(single.grid), check_exact=True)
    assert_same_run(procs, single)
    assert store.is_dir() and not any(store.iterdir()), list(store.iterdir())


_SENT: list[tuple[str, int]] = []  # the key and the bytes Dask pickled of each task sent to a worker process


def _counted_dumps(value):
    """Dask's ``processes`` pickling, counting the bytes of what the driver sends (module level: Dask
    passes it to the workers too)."""
    import pickle

    import cloudpickle

    data = cloudpickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    _SENT.append((str(getattr(value[0], "key", "")), len(data)))  # (task, its inputs)
    return data


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers forked from the driver: Linux")
def test_workers_forked_from_the_driver_read_the_layers_without_a_store_or_a_pickle(tmp_path, monkeypatch):
    import pickle

    import dask

    import urbanrisk.partitions as parts

    recipe = default_recipe(tmp_path)
    monkeypatch.setattr(parts, "write_layer_store", lambda *a, **k: pytest.fail("no store: inherited"))
    _SENT.clear()
    with dask.config.set(func_dumps=_counted_dumps):
        procs = ur.run_recipe(recipe, scheduler="processes", write=False)
    streets = len(pickle.dumps(procs.layers.streets, protocol=pickle.HIGHEST_PROTOCOL))
    tasks = sum(n for key, n in _SENT if key != "free-pieces")  # the grid's, coverage's, the area screens'
    pieces = sum(n for key, n in _SENT if key == "free-pieces")  # the grid's 4 columns, hazard inputs
    assert tasks < streets / 4 and 0 < pieces < streets / 3, (tasks, pieces, streets)
    area = [n for key, n in _SENT if key == "area-screens"]  # on a worker forked after the grid: all
    assert len(area) == 1 and area[0] < 1_000, area  # inherited (its 10 columns pickled: 64-114 kB)
    assert_same_run(procs, ur.run_recipe(recipe, scheduler="synchronous", write=False))


def assert_same_run(a, b):
    """Every screen and coverage table of two runs, identical (none of the compared ones empty)."""
    assert len(b.screens.hazard_sources) and len(b.screens.communities) and len(b.coverage.coverage)
    for name in ("hazard_sources", "communities", "key_districts", "urban_villages", "registers"):
        x, y = getattr(a.screens, name), getattr(b.screens, name)
        if isinstance(x, dict):
            assert x.keys() == y.keys()
            for key in x:
                pd.testing.assert_frame_equal(pd.DataFrame(x[key]), pd.DataFrame(y[key]), check_exact=True)
        else:
            pd.testing.assert_frame_equal(pd.DataFrame(x), pd.DataFrame(y), check_exact=True)
    assert a.screens.status == b.screens.status and a.screens.unknown == b.screens.unknown
    assert a.screens.completeness == b.screens.completeness
    pd.testing.assert_frame_equal(
        pd.DataFrame(a.screens.responsibility), pd.DataFrame(b.screens.responsibility)
    )
    for name in (
        "coverage",
        "gaps",
        "sites",
        "resources",
        "resilience",
        "supply",
        "network_nodes",
        "network_edges",
    ):
        pd.testing.assert_frame_equal(
            pd.DataFrame(getattr(a.coverage, name)), pd.DataFrame(getattr(b.coverage, name)), check_exact=True
        )
    pd.testing.assert_series_equal(a.coverage.coping, b.coverage.coping, check_exact=True)
    assert a.coverage.status == b.coverage.status and a.coverage.unknown == b.coverage.unknown


def test_a_store_workers_cannot_reach_is_a_clear_error(tmp_path):
    from urbanrisk.layer_store import StoredLayers

    gone = StoredLayers(root=str(tmp_path / "elsewhere"), names=("buildings",))
    with pytest.raises(InputError, match=r"set `compute.store` in the recipe to a folder or URL"):
        gone.read("buildings", (116.3, 39.9, 116.4, 40.0))


def test_layer_store_on_an_fsspec_url_reads_by_bounding_box():
    import geopandas as gpd
    import numpy as np

    from urbanrisk.layer_store import write_layer_store

    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(116.2, 116.5, 5_000), rng.uniform(39.8, 40.1, 5_000)
    points = gpd.GeoDataFrame({"kind": ["fuel"] * len(lon)}, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    stored = write_layer_store({"hazards": points}, "memory://urbanrisk-test/store")
    bounds = (116.30, 39.90, 116.35, 39.95)
    got = stored.read("hazards", bounds)
    inside = (lon >= 116.30) & (lon <= 116.35) & (lat >= 39.90) & (lat <= 39.95)
    assert got.index.tolist() == np.flatnonzero(inside).tolist()


def test_a_layer_store_that_cannot_be_written_is_a_clear_error(tmp_path):
    """Refused when the recipe is read (tests/test_store_checks.py); a validated Recipe given another
    store afterwards (a notebook) is still refused clearly when the run writes it."""
    path = default_recipe(tmp_path, compute={"store": "nosuchproto://bucket/store"})
    with pytest.raises(InputError, match=r"compute.store: unknown protocol 'nosuchproto://'"):
        ur.load_recipe(path)
    recipe = ur.load_recipe(default_recipe(tmp_path))
    recipe = recipe.model_copy(
        update={"compute": recipe.compute.model_copy(update={"store": "nosuchproto://bucket/store"})}
    )
    with pytest.raises(InputError, match=r"compute.store: cannot write the layer store at nosuchproto://"):
        ur.run_recipe(recipe, scheduler="processes", write=False)


def test_raster_city_is_mirror_tiled_and_conserves_its_people(tmp_path):
    import numpy as np
    import rasterio

    from urbanrisk.pipeline import build_grid, load_layers, study_area
    from urbanrisk.synth import synth_raster

    tif, recipe_path = synth_raster(ACCRA_TIF, 2, tmp_path, resolution=8)
    with rasterio.open(ACCRA_TIF) as src:
        source = src.read(1, masked=True).filled(0.0).astype("float32")
    with rasterio.open(tif) as out:
        tiled = out.read(1)
    h, w = source.shape
    assert tiled.shape == (2 * h, 2 * w)
    np.testing.assert_array_equal(tiled[:h, w:], source[:, ::-1])  # second column: mirrored east-west
    np.testing.assert_array_equal(tiled[h:, :w], source[::-1, :])  # second row: mirrored north-south
    recipe = ur.load_recipe(recipe_path)
    layers = load_layers(recipe)
    grid = build_grid(recipe, layers, study_area(recipe, layers))
    expected = 4 * float(source.astype("float64").sum())
    assert abs(grid["residents"].sum() - expected) / expected < 1e-9


def test_synth_refuses_an_extract_and_a_raster_at_once(tmp_path, capsys):
    from urbanrisk.cli import main

    code = main(["synth", "--tiles", "2", "--source", str(WUDAOKOU_OSM), "--raster", str(ACCRA_TIF)])
    assert code == 2
    assert "either --source" in capsys.readouterr().err


def test_beside_overlaps_only_for_work_on_workers_and_raises_after_both_end():
    import threading
    import time

    from urbanrisk import parallel

    here = threading.get_ident()
    seen = []

    def side():
        time.sleep(0.05)
        seen.append((threading.get_ident(), parallel._KEPT_POOL.get() is not None))
        return "side"

    assert parallel.beside(lambda: seen.append("main") or "main", side, scheduler="synchronous") == (
        "main",
        "side",
    )
    assert seen == ["main", (here, False)]  # one after the other, in this thread
    seen.clear()
    with parallel.kept_pool():  # a side thread sees the run's pool (no pool is made here)
        assert parallel.beside(lambda: "main", side, scheduler="processes") == ("main", "side")
    assert seen[0][0] != here and seen[0][1]

    def main():  # the side starts with main's first Dask computation, not while main prepares it
        time.sleep(0.1)
        seen.append("prepared")
        return parallel.map_partitions(lambda x: time.sleep(0.3) or x, [1], scheduler="synchronous")

    seen.clear()
    assert parallel.beside(main, side, scheduler="processes") == ([1], "side")
    assert seen[0] == "prepared" and seen[1][0] != here

    def fails():
        raise ValueError("main failed")

    seen.clear()
    with pytest.raises(ValueError, match="main failed"):
        parallel.beside(fails, side, scheduler="tcp://127.0.0.1:1")
    assert len(seen) == 1  # the side work had ended when the error came


def test_local_schedulers_do_not_import_distributed():
    """Given a scheduler's name, Dask imports ``distributed`` (~0.6 s) to look for a client; local runs
    pass its ``get`` function instead, and still give every task's result in order."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from urbanrisk.parallel import map_partitions\n"
        "for name in ('synchronous', 'threads'):\n"
        "    assert map_partitions(abs, [-3, 1, -2], scheduler=name) == [3, 1, 2]\n"
        "print('DISTRIBUTED', 'distributed' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "DISTRIBUTED False" in done.stdout


def test_named_tasks_of_a_threads_graph_run_on_the_kept_pools_workers():
    """``on_worker_processes``: within a kept pool the tasks it names run on the pool's worker
    processes, the rest of the graph in this process's threads; without it (or without a kept pool)
    the whole graph stays here."""
    import os

    import dask

    from urbanrisk import parallel

    def graph():
        light = dask.delayed(os.getpid, pure=False)(dask_key_name="light-pid")
        heavy = dask.delayed(os.getpid, pure=False)(dask_key_name="heavy-pid")
        return [light, heavy, dask.delayed(max, pure=False)(light, heavy, dask_key_name="light-max")]

    with parallel.kept_pool():
        with parallel.on_worker_processes("heavy"):
            light, heavy, both = parallel.compute_graph(graph(), scheduler="threads")
        assert light == os.getpid() != heavy and both == max(light, heavy)  # a worker's result flows on
        assert parallel.compute_graph(graph(), scheduler="threads")[:2] == [os.getpid()] * 2
    with parallel.on_worker_processes("heavy"):  # no kept pool: spawning one costs more than it saves
        assert parallel.compute_graph(graph(), scheduler="threads")[:2] == [os.getpid()] * 2


def _meets_the_other(job):
    """Task body: mark this task started, then wait (at most 10 s) for the other to start too:
    whether the two ran at once, and on which worker process."""
    import os
    import time

    folder, me, other = job
    (folder / me).touch()
    deadline = time.monotonic() + 10
    while not (folder / other).exists():
        if time.monotonic() > deadline:
            return os.getpid(), False
        time.sleep(0.01)
    return os.getpid(), True


def test_two_ready_tasks_on_processes_run_at_once_on_two_workers(tmp_path):
    """Dask's ``processes`` scheduler batches up to 6 ready tasks to one worker by default: the
    coverage task and the free part's pieces ran one after the other there, the second worker idle.
    Each task now goes to the pool alone."""
    import os

    from urbanrisk import parallel

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: a pool of one worker")
    jobs = [(tmp_path, "a", "b"), (tmp_path, "b", "a")]
    (pid_a, met_a), (pid_b, met_b) = parallel.map_partitions(_meets_the_other, jobs, scheduler="processes")
    assert met_a and met_b
    assert pid_a != pid_b != os.getpid()
