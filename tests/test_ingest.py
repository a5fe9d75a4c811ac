"""The streaming OSM ingest: the partitioned store gives back exactly the whole-file reader's rows."""

from __future__ import annotations

import gc

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import box

from conftest import BALTIMORE_PBF, BUPT_OSM, WUDAOKOU_OSM
from urbanrisk._errors import LayerError
from urbanrisk.ingest import ingest_osm
from urbanrisk.layers.osm import osm_from_file, street_nodes
from urbanrisk.osm_store import LAYER_NAMES, open_store, partition_bounds

EXTRACTS = {"wudaokou": (WUDAOKOU_OSM, 7), "bupt": (BUPT_OSM, 8), "baltimore": (BALTIMORE_PBF, 6)}


@pytest.fixture(scope="module")
def whole() -> dict:
    """osm_from_file's layers of each shipped extract."""
    return {name: osm_from_file(path) for name, (path, _) in EXTRACTS.items()}


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict:
    """Each extract ingested: Baltimore into a local folder, the others into memory://."""
    out = {}
    for name, (path, resolution) in EXTRACTS.items():
        root = str(tmp_path_factory.mktemp("store")) if name == "baltimore" else f"memory://ingest-{name}"
        out[name] = ingest_osm(path, root, partition_resolution=resolution)
    return out


def _union(store, layer: str) -> gpd.GeoDataFrame:
    return pd.concat([store.read_part(layer, part) for part in store.parts(layer)]).sort_index()


@pytest.mark.parametrize("name", list(EXTRACTS))
def test_the_partitions_together_are_the_whole_file_layers(name, whole, stores):
    store, osm = stores[name], whole[name]
    assert len(store.parts("buildings")) > 1  # a real split, not one partition
    assert store.manifest["stats"] == osm.stats
    for layer in LAYER_NAMES:
        assert_geodataframe_equal(_union(store, layer), getattr(osm, layer), check_index_type="equiv")
    pd.testing.assert_frame_equal(street_nodes(_union(store, "streets")), osm.street_nodes)


def test_each_feature_is_in_the_partition_of_its_representative_point(stores):
    store = stores["wudaokou"]
    for part in store.parts("buildings"):
        points = store.read_part("buildings", part).representative_point()
        assert points.within(box(*partition_bounds(part))).all()


def test_a_bbox_read_gives_the_rows_whose_bbox_meets_it(whole, stores):
    osm, store = whole["baltimore"], stores["baltimore"]
    west, south, east, north = osm.streets.total_bounds
    quarter = (
        west + (east - west) * 0.3,
        south + (north - south) * 0.3,
        (west + east) / 2,
        (south + north) / 2,
    )
    part = store.parts("buildings")[0]
    for bounds in (quarter, partition_bounds(part, halo_deg=0.002)):
        for layer in LAYER_NAMES:
            frame = getattr(osm, layer)
            expected = frame.iloc[sorted(frame.sindex.query(box(*bounds)))]
            got = store.read(layer, bounds)
            assert len(expected) > 0, layer
            assert_geodataframe_equal(got, expected, check_index_type="equiv")
    # a partition's own rows are in its halo read; rows of other partitions reach into it too
    own = store.read_part("streets", part)
    halo = store.read("streets", partition_bounds(part, halo_deg=0.002))
    assert set(own.index) < set(halo.index)


def test_a_tiny_flush_gives_the_same_store_as_a_large_one(stores):
    small = ingest_osm(BUPT_OSM, "memory://ingest-small-flush", partition_resolution=8, flush_rows=100)
    large = stores["bupt"]
    assert (small.manifest["chunks"], large.manifest["chunks"]) == (4, 1)  # 370 rows: flushed 4 times
    assert small.manifest["stats"] == large.manifest["stats"]
    for layer in LAYER_NAMES:
        assert small.parts(layer) == large.parts(layer)
        assert_geodataframe_equal(_union(small, layer), _union(large, layer))


def test_a_folder_store_reopens_is_one_dataset_per_layer_and_is_replaced_by_a_new_ingest(tmp_path, stores):
    root = stores["baltimore"].root
    reopened = open_store(root)
    assert reopened.manifest == stores["baltimore"].manifest
    buildings = gpd.read_parquet(f"{root}/buildings")  # hive-partitioned GeoParquet: one table
    assert len(buildings) == reopened.manifest["stats"]["buildings"]
    assert set(buildings["part"].astype(str)) == set(reopened.parts("buildings"))
    again = ingest_osm(BUPT_OSM, str(tmp_path / "store"), partition_resolution=9)
    again = ingest_osm(BUPT_OSM, str(tmp_path / "store"), partition_resolution=8)
    assert len(list((tmp_path / "store" / "streets").glob("part=*"))) == len(again.parts("streets"))


def test_a_foreign_folder_or_no_store_is_refused_with_its_name(tmp_path):
    (tmp_path / "mine.txt").write_text("not a store")
    with pytest.raises(LayerError, match="holds no OSM store"):
        ingest_osm(BUPT_OSM, str(tmp_path), partition_resolution=8)
    assert (tmp_path / "mine.txt").exists()
    with pytest.raises(LayerError, match="partition_resolution an H3 resolution"):
        ingest_osm(BUPT_OSM, "memory://ingest-bad", partition_resolution=16)
    with pytest.raises(LayerError, match="no OSM store here"):
        open_store(str(tmp_path / "nothing"))


def test_grid_tasks_can_read_the_osm_layers_from_the_ingested_store(tmp_path):
    import urbanrisk as ur
    from conftest import default_recipe
    from urbanrisk.layer_store import MemoryLayers
    from urbanrisk.osm_store import IngestedLayers
    from urbanrisk.partitions import task_source, vector_frames
    from urbanrisk.pipeline import build_grid, load_layers, study_area

    recipe = ur.load_recipe(default_recipe(tmp_path, grid={"resolution": 9, "partition_resolution": 7}))
    ingested = recipe.model_copy(
        update={"compute": recipe.compute.model_copy(update={"ingest": "partitioned"})}
    )
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    memory = MemoryLayers(vector_frames(layers))
    with task_source(ingested, layers, "synchronous") as source:
        assert isinstance(source, IngestedLayers)
        bounds = partition_bounds(source.stores[0][0].parts("buildings")[0], halo_deg=0.002)
        for name in ("buildings", "pois", "streets", "hazards"):
            assert_geodataframe_equal(
                source.read(name, bounds), memory.read(name, bounds), check_index_type="equiv"
            )
    grid = build_grid(ingested, layers, area, scheduler="synchronous")
    pd.testing.assert_frame_equal(
        pd.DataFrame(grid),
        pd.DataFrame(build_grid(recipe, layers, area, scheduler="synchronous")),
        check_exact=True,
    )


def test_worker_processes_read_the_ingested_store_under_compute_store_and_it_is_removed(tmp_path):
    import urbanrisk as ur
    from conftest import default_recipe
    from urbanrisk.pipeline import build_grid, load_layers, study_area

    store = tmp_path / "shared"
    body = {
        "grid": {"resolution": 9, "partition_resolution": 7},
        "compute": {"store": str(store), "ingest": "partitioned"},
    }
    recipe = ur.load_recipe(default_recipe(tmp_path, **body))
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    procs = build_grid(recipe, layers, area, scheduler="processes")
    single = build_grid(recipe, layers, area, scheduler="synchronous")
    pd.testing.assert_frame_equal(pd.DataFrame(procs), pd.DataFrame(single), check_exact=True)
    # the grid stage's layer store is gone; the OSM stores live as long as the layers, no longer
    assert [path.name[:4] for path in store.iterdir()] == ["osm-"]
    del layers
    gc.collect()
    assert store.is_dir() and not any(store.iterdir())


def test_tasks_on_worker_processes_write_the_stores_one_process_writes(tmp_path):
    """Two extracts' passes at once, then every partition finished as a task (several files per
    partition at this flush size: compacted; buildings completed from compacted land use): the same
    manifests and files, byte for byte, as ingest_osm in this process."""
    from urbanrisk.ingest_tasks import ingest_as_tasks
    from urbanrisk.parallel import kept_pool

    extracts = {"bupt": BUPT_OSM, "wudaokou": WUDAOKOU_OSM}
    alone = [
        ingest_osm(path, str(tmp_path / "alone" / name), partition_resolution=7, flush_rows=200)
        for name, path in extracts.items()
    ]
    jobs = [(str(path), str(tmp_path / "tasks" / name), 7, {}) for name, path in extracts.items()]
    with kept_pool():
        tasks = ingest_as_tasks(jobs, scheduler="processes", flush_rows=200)
    for one, other in zip(alone, tasks, strict=True):
        assert one.manifest["chunks"] > 1  # partitions written in several files: compacted
        assert other.manifest == one.manifest and open_store(other.root).manifest == one.manifest
    files = {
        where: {
            path.relative_to(tmp_path / where): path.read_bytes() for path in (tmp_path / where).rglob("*.*")
        }
        for where in ("alone", "tasks")
    }
    assert len(alone[1].parts("buildings")) > 1 and len(files["alone"]) > 20
    assert files["tasks"] == files["alone"]


def test_tasks_on_a_dask_distributed_cluster_write_the_store_one_process_writes(tmp_path):
    from distributed import LocalCluster

    from urbanrisk.ingest_tasks import ingest_as_tasks
    from urbanrisk.stored_osm import StoredOsm, streets_and_nodes

    alone = ingest_osm(BUPT_OSM, str(tmp_path / "alone"), partition_resolution=8, flush_rows=100)
    one = {"n_workers": 1, "threads_per_worker": 2, "processes": False, "dashboard_address": "127.0.0.1:0"}
    with LocalCluster(protocol="tcp://", **one) as cluster:
        jobs = [(str(BUPT_OSM), str(tmp_path / "cluster"), 8, {})]
        (store,) = ingest_as_tasks(jobs, scheduler=cluster.scheduler_address, flush_rows=100)
        stored = StoredOsm(((store, {}),), str(tmp_path / "cluster"))  # the street graph's read, as tasks
        by_tasks = streets_and_nodes(stored, [], scheduler=cluster.scheduler_address)
    assert alone.manifest["chunks"] == 4 and store.manifest == alone.manifest
    for got, expected in zip(by_tasks, streets_and_nodes(stored, []), strict=True):
        got, expected = pd.DataFrame(got), pd.DataFrame(expected)
        if "geometry" in expected:  # the service-only ways' lines, the others None
            got, expected = (f.assign(geometry=gpd.GeoSeries(f.geometry).to_wkb()) for f in (got, expected))
        assert len(got) and got.index.is_unique
        pd.testing.assert_frame_equal(got, expected)
    for layer in LAYER_NAMES:
        assert_geodataframe_equal(_union(store, layer), _union(alone, layer))
