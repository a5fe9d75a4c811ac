"""compute.ingest: partitioned: one streaming pass per extract, the buildings never whole in the
driver, and the same run as the default (every table, the map's context, the GeoPackage)."""

from __future__ import annotations

import os

import pandas as pd
import pyogrio
import pytest

import urbanrisk as ur
import urbanrisk.ingest_parts
import urbanrisk.ingest_tasks
import urbanrisk.inputs
import urbanrisk.layers.osm
import urbanrisk.stage_coverage
import urbanrisk.stored_osm
from conftest import ROOT, default_recipe, shipped_recipe
from urbanrisk.cache import Cache
from urbanrisk.outputs import map_context
from urbanrisk.outputs.gpkg import write_gpkg
from urbanrisk.outputs.map_context import context_layers
from urbanrisk.pipeline import compute_run
from urbanrisk.result import screen_tables
from urbanrisk.street_rules import usable_ways


def _wudaokou(folder, **extra):
    """Wudaokou with dwellings that breach a 1 km safety distance from its two hazards (the shipped
    distances to homes are 16-100 m: no breach), so that the homes read near the sources count."""
    table = (ROOT / "src" / "urbanrisk" / "tables" / "safety_distances.csv").read_text(encoding="utf-8")
    table = table.replace("fuel,dwelling,16,", "fuel,dwelling,1000,").rstrip("\n")
    table += "\nindustrial,dwelling,1000,test\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "safety_distances.csv"
    path.write_text(table, encoding="utf-8")
    return default_recipe(folder, tables={"safety_distances": str(path)}, grid={"resolution": 9}, **extra)


RECIPES = {
    "wudaokou": _wudaokou,
    "bupt": lambda folder, **extra: shipped_recipe(folder, "beijing-bupt", grid={"resolution": 10}, **extra),
    "baltimore": lambda folder, **extra: shipped_recipe(folder, "baltimore", grid={"resolution": 8}, **extra),
}


def _never_whole(*args, **kwargs):
    raise AssertionError("osm_from_file was called: the driver parsed an extract whole")


def _never_in(driver: int, real):
    """``real``, failing when called in process ``driver``: worker processes forked from the driver have
    the driver's patched modules, and the work belongs there."""

    def call(*args, **kwargs):
        if os.getpid() == driver:
            raise AssertionError(f"{real.__name__} was called in the driver")
        return real(*args, **kwargs)

    return call


@pytest.fixture(scope="module")
def wudaokou_memory(tmp_path_factory):
    """Wudaokou's default (in-memory) run, computed once: three tests compare their stored runs to it."""
    folder = tmp_path_factory.mktemp("memory")
    return compute_run(ur.load_recipe(RECIPES["wudaokou"](folder)), scheduler="synchronous")


def _runs(city: str, tmp_path, monkeypatch, request):
    """The default run and the partitioned run (where reading an extract whole fails) of a city."""
    if city == "wudaokou":
        memory = request.getfixturevalue("wudaokou_memory")
    else:
        memory = compute_run(ur.load_recipe(RECIPES[city](tmp_path / "memory")), scheduler="synchronous")
    monkeypatch.setattr(urbanrisk.inputs, "osm_from_file", _never_whole)
    monkeypatch.setattr(urbanrisk.layers.osm, "osm_from_file", _never_whole)
    recipe = ur.load_recipe(RECIPES[city](tmp_path / "stored", compute={"ingest": "partitioned"}))
    return memory, compute_run(recipe, scheduler="synchronous")


@pytest.mark.parametrize("city", list(RECIPES))
def test_a_partitioned_ingest_gives_the_default_run_without_the_buildings_in_the_driver(
    city, tmp_path, monkeypatch, request
):
    memory, stored = _runs(city, tmp_path, monkeypatch, request)
    _assert_same_run(memory, stored)
    if city == "wudaokou":  # the homes near the sources breach the 1 km distance, as over all buildings
        assert memory.screens.hazard_sources["breaches"].str.contains("dwelling").all()
        _same_outputs(memory, stored, tmp_path, monkeypatch)


def test_on_worker_processes_the_extract_is_ingested_by_tasks_there_and_gives_the_same_run(
    tmp_path, monkeypatch, wudaokou_memory
):
    """``processes``: the pass and every partition's completion run on the workers (the driver's own
    ingest fails here), the other layers load meanwhile; so does the streets' read back for the street
    graph (the driver's own fails too); the street graphs are built by the coverage task on a worker
    (the driver's fail), from the streets it reads from the store itself (the driver sends none), and
    it writes the network tables itself (the driver never holds them); every table equals the
    in-memory run's, the network tables in the run folder too."""
    memory = wudaokou_memory
    sent = []  # the coverage task's input, in the graph computed with the free part's pieces (idle18)

    def spy(tasks, **options):
        graph = dict(tasks[0].dask)
        sent.append(getattr(graph["coverage-input"], "value", graph["coverage-input"]))
        return real(tasks, **options)

    real = urbanrisk.stage_coverage.compute_graph
    monkeypatch.setattr(urbanrisk.stage_coverage, "compute_graph", spy)
    for module, name in (
        (urbanrisk.inputs, "osm_from_file"),
        (urbanrisk.stored_osm, "ingest_osm"),  # the one-process ingest
        (urbanrisk.ingest_tasks, "ingest_pass"),  # the pass task's function, were it called here
        (urbanrisk.ingest_parts, "finish_store"),  # the partitions finished one after the other
        (urbanrisk.stored_osm, "_graph_streets"),  # the street partitions read back in the driver
        (urbanrisk.stage_coverage, "street_graphs"),  # the graphs built in the driver beside the grid
    ):
        monkeypatch.setattr(module, name, _never_in(os.getpid(), getattr(module, name)))
    store = tmp_path / "shared"
    compute = {"ingest": "partitioned", "store": str(store)}
    recipe = ur.load_recipe(RECIPES["wudaokou"](tmp_path / "stored", compute=compute))
    stored = ur.run_recipe(recipe, scheduler="processes", out=tmp_path / "out")
    monkeypatch.undo()  # the run is over: the comparison reads the graph's streets from the store here
    assert [path.name[:4] for path in store.iterdir()] == ["osm-"]  # the stores, under compute.store
    assert stored.layers.streets_in_store and stored.layers.street_nodes.empty  # the driver kept classes
    _assert_same_run(memory, stored)
    (frames, stored_streets, spool) = (sent[0][1], sent[0][6], sent[0][7])
    assert len(sent) == 1 and frames[1] is None and frames[2] is None and stored_streets is not None
    assert spool is not None and not spool.exists()  # written there by the task, removed after the run
    assert stored.coverage.network_nodes is None and stored.coverage.network_edges is None
    for name in ("network_nodes", "network_edges"):
        assert stored.coverage.network_files[name] == str(stored.run_dir / f"{name}.parquet")
        written = pd.read_parquet(stored.run_dir / f"{name}.parquet")
        assert len(written) and getattr(memory.coverage, name) is not None
        pd.testing.assert_frame_equal(written, getattr(memory.coverage, name), check_exact=True, obj=name)
    assert [path.name for path in (tmp_path / "out" / "runs").iterdir()] == [stored.run_dir.name]


def _assert_same_run(memory, stored) -> None:
    """The in-memory run and the stored run: every table, note, status and layer the same."""
    assert stored.layers.buildings is None and stored.layers.store is not None
    assert stored.layers.store.count("buildings") == len(memory.layers.buildings) > 0
    pd.testing.assert_frame_equal(pd.DataFrame(stored.grid), pd.DataFrame(memory.grid), check_exact=True)
    expected, got = screen_tables(memory), screen_tables(stored)
    assert list(got) == list(expected)
    for name, table in expected.items():
        pd.testing.assert_frame_equal(
            pd.DataFrame(got[name]), pd.DataFrame(table), check_exact=True, obj=name
        )
    assert stored.notes == memory.notes
    assert stored.screens.status == memory.screens.status
    assert stored.screens.completeness == memory.screens.completeness
    assert stored.coverage.status == memory.coverage.status
    assert stored.layers.stats == memory.layers.stats
    for name in ("pois", "landuse"):
        pd.testing.assert_frame_equal(getattr(stored.layers, name), getattr(memory.layers, name), obj=name)
    streets, nodes = stored.layers.streets, stored.layers.street_nodes
    if stored.layers.streets_in_store:  # the driver holds each street's class; the graph's are in the store
        pd.testing.assert_series_equal(streets["highway"], memory.layers.streets["highway"])
        assert list(streets.columns) == ["highway", "geometry"] and streets.geometry.isna().all()
        streets, nodes = urbanrisk.stored_osm.streets_and_nodes(stored.layers.store, ["way_id", "highway"])
    pd.testing.assert_frame_equal(nodes, memory.layers.street_nodes, obj="street_nodes")
    _same_graph_streets(memory.layers.streets, streets)


def _same_graph_streets(whole, stored) -> None:
    """The driver's streets are the whole layer's, without names and without geometry but for the
    service-only ways (the drive_service hint measures to them)."""
    kept = stored.geometry.notna().to_numpy()
    assert 0 < kept.sum() < len(stored) and "name" not in stored.columns
    pd.testing.assert_frame_equal(
        pd.DataFrame(stored).drop(columns="geometry"), pd.DataFrame(whole).drop(columns=["geometry", "name"])
    )
    assert whole.geometry[kept].geom_equals_exact(stored.geometry[kept], tolerance=0).all()
    assert (usable_ways(whole, mode="drive_service") & ~usable_ways(whole, mode="drive") == kept).all()


def _same_outputs(memory, stored, tmp_path, monkeypatch) -> None:
    """The map's context layers and the GeoPackage's layers (buildings in partition order) are the same."""
    bounds = tuple(float(v) for v in memory.area.bounds)
    (stored_layers, stored_notes), (memory_layers, memory_notes) = (
        context_layers(stored.layers, bounds),
        context_layers(memory.layers, bounds),
    )
    assert [layer.data for layer in stored_layers] == [layer.data for layer in memory_layers]
    assert [layer.id for layer in memory_layers] == ["buildings", "streets"] and stored_notes == memory_notes
    # above the budgets: the same classes of streets (read from the store's partitions), no buildings
    monkeypatch.setattr(map_context, "MAX_STREET_VERTICES", 300)
    monkeypatch.setattr(map_context, "MAX_BUILDINGS", 10)
    (stored_layers, stored_notes), (memory_layers, memory_notes) = (
        context_layers(stored.layers, bounds),
        context_layers(memory.layers, bounds),
    )
    assert [layer.data for layer in stored_layers] == [layer.data for layer in memory_layers]
    assert [layer.id for layer in memory_layers] == ["streets"] and stored_notes == memory_notes
    assert 0 < len(memory_layers[0].data) < len(memory.layers.streets) and len(memory_notes) == 2
    paths = {}
    for name, result in (("memory", memory), ("stored", stored)):
        (tmp_path / name / "gpkg").mkdir(parents=True)
        paths[name] = write_gpkg(result, tmp_path / name / "gpkg" / "risk.gpkg")
    layers = sorted(name for name, _ in pyogrio.list_layers(paths["memory"]))
    assert layers == sorted(name for name, _ in pyogrio.list_layers(paths["stored"]))
    assert "buildings" in layers and "streets" in layers
    for layer in layers:
        frames = [pyogrio.read_dataframe(paths[name], layer=layer) for name in ("memory", "stored")]
        if layer in ("buildings", "streets"):  # written one stored partition after the other
            key = "osm_ref" if layer == "buildings" else "way_id"
            frames = [frame.sort_values(key, ignore_index=True) for frame in frames]
        pd.testing.assert_frame_equal(pd.DataFrame(frames[1]), pd.DataFrame(frames[0]), obj=layer)


def test_a_stored_run_again_reuses_every_partition_from_the_cache(tmp_path):
    """Partition keys come from the stored partitions' content: a new ingest (another folder) of the
    same extract gives the same keys; a key differs from the default run's (other inputs)."""
    recipe = ur.load_recipe(RECIPES["bupt"](tmp_path, compute={"ingest": "partitioned"}))
    cache = Cache(tmp_path / "cache")
    first = compute_run(recipe, scheduler="synchronous", cache=cache)
    computed, keys = cache.misses, set(cache.used)
    again = Cache(tmp_path / "cache")
    second = compute_run(recipe, scheduler="synchronous", cache=again)
    assert computed > 0 and again.misses == 0 and again.used == keys
    pd.testing.assert_frame_equal(pd.DataFrame(second.grid), pd.DataFrame(first.grid), check_exact=True)


def test_on_worker_processes_a_driver_that_routes_reads_the_graphs_streets_from_the_store_once(
    tmp_path, monkeypatch
):
    """``partitioned_coverage`` on ``processes``: the driver builds the street graphs and routes, so it
    reads the graph's streets and nodes from the store, once (the layers' read keeps only classes), and
    the run equals the in-memory run."""
    extra = {"compute": {"partitioned_coverage": True}}
    memory = compute_run(
        ur.load_recipe(RECIPES["wudaokou"](tmp_path / "memory", **extra)), scheduler="synchronous"
    )
    reads = []

    def counted(*args, **kwargs):
        reads.append(kwargs.get("scheduler"))
        return real(*args, **kwargs)

    real = urbanrisk.stage_coverage.streets_and_nodes
    monkeypatch.setattr(urbanrisk.stage_coverage, "streets_and_nodes", counted)
    compute = {"ingest": "partitioned", "partitioned_coverage": True}
    recipe = ur.load_recipe(RECIPES["wudaokou"](tmp_path / "stored", compute=compute))
    stored = compute_run(recipe, scheduler="processes")
    assert reads == ["processes"] and not stored.layers.streets_in_store
    _assert_same_run(memory, stored)


def test_on_a_dask_distributed_cluster_the_driver_keeps_the_street_classes_and_the_run_is_the_same(
    tmp_path, wudaokou_memory
):
    """``tcp://``: the streets' classes read back by the cluster's tasks, the coverage task reads the
    graph's streets from the store on a worker, and every table equals the in-memory run's."""
    from distributed import LocalCluster

    memory = wudaokou_memory
    recipe = ur.load_recipe(RECIPES["wudaokou"](tmp_path / "stored", compute={"ingest": "partitioned"}))
    one = {"n_workers": 1, "threads_per_worker": 2, "processes": False, "dashboard_address": "127.0.0.1:0"}
    with LocalCluster(protocol="tcp://", **one) as cluster:
        stored = compute_run(recipe, scheduler=cluster.scheduler_address)
    assert stored.layers.streets_in_store and stored.layers.street_nodes.empty
    _assert_same_run(memory, stored)
