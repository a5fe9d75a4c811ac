"""The grid written as a partitioned GeoParquet dataset by Dask tasks, read back as one table."""

from __future__ import annotations

import json
import re
import shutil
import tempfile

import dask
import geopandas as gpd
import h3
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pyogrio
import pytest
from dask.callbacks import Callback

import urbanrisk.grid_dataset as grid_dataset
from urbanrisk import settings
from urbanrisk.changes import compare_runs
from urbanrisk.grid import partition_cells
from urbanrisk.grid_dataset import GRID_DIR, grid_files, part_name, read_grid
from urbanrisk.lifecycle import latest_run
from urbanrisk.outputs import writer
from urbanrisk.outputs.display import display_grid
from urbanrisk.outputs.tables import write_grid
from urbanrisk.parallel import kept_pool
from urbanrisk.run import write_run

#: r8 parents of the r10 grid: 49 cells each, so Wudaokou's ~500 cells make about a dozen parts
PARTITION_RESOLUTION = 8


@pytest.fixture(scope="module")
def wudaokou_run(wudaokou_r10_run):
    """The default city run once (synchronous), its grid cut into r8 partitions (conftest's)."""
    assert wudaokou_r10_run.recipe.grid.partition_resolution == PARTITION_RESOLUTION
    return None, wudaokou_r10_run


@pytest.fixture(scope="module")
def worker_pool():
    """One pool of worker processes for this module's ``processes`` tests (spawned once, seconds)."""
    with kept_pool():
        yield


def _today(grid: gpd.GeoDataFrame, tmp_path) -> gpd.GeoDataFrame:
    """The grid as the single file earlier versions wrote (``grid.parquet``), read back."""
    path = tmp_path / "grid.parquet"
    grid.to_parquet(path, index=True)
    return gpd.read_parquet(path)


def test_run_writes_one_geoparquet_part_per_partition_read_back_as_one_table(wudaokou_run, tmp_path):
    _, result = wudaokou_run
    run = result.run_dir
    parts = grid_files(run)
    expected = {f"part-{p}.parquet" for p in partition_cells(list(result.grid.index), PARTITION_RESOLUTION)}
    assert {p.name for p in parts} == expected and len(parts) >= 8
    assert not (run / "grid.parquet").exists()
    schemas = {pq.read_schema(p).remove_metadata() for p in parts}
    assert len(schemas) == 1  # the same columns and types in every part
    for part in parts:
        geo = json.loads(pq.read_schema(part).metadata[b"geo"])
        assert geo["version"] == "1.1.0"
        assert geo["columns"]["geometry"]["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
        bbox = pq.read_table(part, columns=["bbox"]).column("bbox").combine_chunks()
        bounds = gpd.read_parquet(part).geometry.bounds
        assert bbox.field("xmin").to_numpy() == pytest.approx(bounds["minx"].to_numpy(), abs=1e-6)
    today = _today(result.grid, tmp_path)
    pd.testing.assert_frame_equal(read_grid(run), today, check_exact=True)
    folder = gpd.read_parquet(run / GRID_DIR)  # geopandas reads the folder itself
    pd.testing.assert_frame_equal(folder.sort_index(), today, check_exact=True)
    assert ds.dataset(run / GRID_DIR).count_rows() == len(today)


def test_duckdb_and_dask_geopandas_read_the_folder_as_one_table(wudaokou_run):
    duckdb = pytest.importorskip("duckdb")
    dask_geopandas = pytest.importorskip("dask_geopandas")
    _, result = wudaokou_run
    folder = result.run_dir / GRID_DIR
    query = f"SELECT count(*), sum(residents) FROM read_parquet('{folder}/*.parquet')"
    count, residents = duckdb.connect().execute(query).fetchall()[0]
    assert count == len(result.grid)
    assert residents == pytest.approx(result.grid["residents"].sum())
    frame = dask_geopandas.read_parquet(folder)
    assert frame.npartitions == len(grid_files(result.run_dir))
    computed = frame.compute(scheduler="synchronous").sort_index()
    assert computed.index.equals(result.grid.index) and computed.crs == result.grid.crs
    assert computed["grade"].equals(result.grid["grade"])


def test_processes_write_the_same_parts_and_map_cells_as_synchronous(
    wudaokou_run, worker_pool, tmp_path, monkeypatch
):
    _, result = wudaokou_run
    # a map limit of 5 cells: r7 parents, each straddling several r8 partitions (reduced twice)
    monkeypatch.setattr(settings, "max_map_cells", 5)
    names, (shown, note) = write_grid(result, tmp_path, scheduler="processes")
    assert names == [f"{GRID_DIR}/{p.name}" for p in grid_files(result.run_dir)]
    for name in names:  # byte for byte
        assert (tmp_path / name).read_bytes() == (result.run_dir / name).read_bytes(), name
    pd.testing.assert_frame_equal(read_grid(tmp_path), _today(result.grid, tmp_path), check_exact=True)
    whole, whole_note = display_grid(result.grid)
    assert note == whole_note and "shown as" in note and h3.get_resolution(shown.index[0]) == 7
    pd.testing.assert_frame_equal(shown, whole, check_exact=False, rtol=1e-12)  # sums in another order


def test_map_cells_from_the_parts_equal_the_whole_grid_aggregation(wudaokou_run, tmp_path, monkeypatch):
    _, result = wudaokou_run
    monkeypatch.setattr(settings, "max_map_cells", 100)  # r9 parents, each inside one r8 partition
    names, (shown, _) = write_grid(result, tmp_path, scheduler="synchronous")
    whole, _ = display_grid(result.grid)
    assert len(names) >= 8 and 5 < len(shown) <= 100
    pd.testing.assert_frame_equal(shown, whole, check_exact=True)
    assert shown["residents"].sum() == pytest.approx(result.grid["residents"].sum())
    worst = result.grid.groupby([h3.cell_to_parent(c, 9) for c in result.grid.index])["risk"].max()
    assert shown["risk"].to_numpy() == pytest.approx(worst.sort_index().to_numpy(), nan_ok=True)


def test_the_geopackage_grid_is_assembled_from_the_parts(wudaokou_run):
    _, result = wudaokou_run
    layer = pyogrio.read_dataframe(result.run_dir / "risk.gpkg", layer="grid").set_index("h3_cell")
    assert len(layer) == len(result.grid)
    layer = layer.sort_index()
    assert layer.index.equals(result.grid.index)
    for column in ("residents", "risk", "grade", "factors", "medical_travel"):
        pd.testing.assert_series_equal(
            layer[column], result.grid[column], check_dtype=False, check_index_type=False
        )
    assert layer.geometry.geom_equals_exact(result.grid.geometry, tolerance=1e-9).all()


def test_an_older_run_with_one_grid_file_is_still_read_and_compared(wudaokou_run, tmp_path):
    _, result = wudaokou_run
    older = tmp_path / "older"
    shutil.copytree(result.run_dir, older)
    shutil.rmtree(older / GRID_DIR)
    result.grid.to_parquet(older / "grid.parquet", index=True)  # the layout before the dataset
    assert grid_files(older) == [older / "grid.parquet"]
    pd.testing.assert_frame_equal(read_grid(older), read_grid(result.run_dir), check_exact=True)
    assert not len(compare_runs(older, result.run_dir, alert_grade="II").table)


class PartitionFailedError(RuntimeError):
    pass


def test_a_failed_partition_task_leaves_latest_untouched(wudaokou_run, monkeypatch):
    # (worker processes raise the same way: test_processes_write_the_same_parts_as_synchronous
    # runs the same tasks there)
    _, result = wudaokou_run
    good = result.run_dir
    out = good.parent.parent
    assert latest_run(out) == good
    before = {p.name: p.read_bytes() for p in grid_files(good)}
    victim = sorted(partition_cells(list(result.grid.index), PARTITION_RESOLUTION))[1]
    original = grid_dataset.write_part

    def with_failure(job):
        """A partition task that dies on one partition (the write stage's graph runs this one)."""
        if job[1] == victim:
            raise PartitionFailedError(f"partition {job[1]} failed")
        return original(job)

    monkeypatch.setattr(grid_dataset, "write_part", with_failure)
    with pytest.raises(PartitionFailedError, match=victim):
        write_run(result, out, scheduler="synchronous")
    assert latest_run(out) == good
    assert {p.name: p.read_bytes() for p in grid_files(good)} == before
    debris = list((out / "runs").glob(".partial-*"))
    assert len(debris) == 1 and not (debris[0] / "manifest.json").exists()
    assert not (debris[0] / GRID_DIR / part_name(victim)).exists()  # the failed part, never published


def _files(run_dir):
    """A run folder's files as compared across schedulers: bytes, but the report's generation time
    and the manifest's run facts; the GeoPackage as its layers' tables (SQLite pages differ)."""
    files = {}
    for path in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        name = path.relative_to(run_dir).as_posix()
        if name == "risk.gpkg":
            for layer, _ in pyogrio.list_layers(path):
                files[f"risk.gpkg:{layer}"] = pyogrio.read_dataframe(path, layer=layer)
        elif name == "manifest.json":
            manifest = json.loads(path.read_text(encoding="utf-8"))
            files[name] = {k: v for k, v in manifest.items() if k not in ("urbanrisk_run", "created_utc")}
        else:
            files[name] = re.sub(rb"generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", b"", path.read_bytes())
    return files


def test_a_file_for_a_worker_that_never_read_it_is_removed_once_the_write_is_over(
    wudaokou_run, tmp_path, monkeypatch
):
    """The map's inputs pickled into a file for a worker of the kept pool (here the synchronous graph
    stands for it), which dies before it reads it: the write fails, and leaves no file behind."""
    _, result = wudaokou_run
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    monkeypatch.setattr(writer, "runs_on_workers", lambda key: key == "write-map")
    written = []

    def dies(path):
        written.append(path)
        raise RuntimeError("the worker died")

    monkeypatch.setattr(writer, "_call_spooled", dies)
    with pytest.raises(RuntimeError, match="the worker died"):
        write_run(result, tmp_path / "out", scheduler="synchronous", write_scheduler="synchronous")
    assert len(written) == 1 and written[0].endswith(".pickle")  # it was written, never read
    assert not any(spool.iterdir())


def test_the_write_stage_graph_writes_the_same_files_on_every_scheduler(
    wudaokou_run, worker_pool, tmp_path, monkeypatch
):
    """The write stage's one Dask graph (grid parts, tables, GeoPackage, map: outputs/writer.py) on
    threads, on the run's kept worker pool, and as a ``processes`` run writes it (threads, but the
    GeoPackage and the map on the pool's workers) writes what the synchronous scheduler writes."""
    _, result = wudaokou_run
    monkeypatch.setattr(settings, "max_map_cells", 100)  # the map from display rows the tasks reduce
    spool = tmp_path / "spool"  # where the inputs of the tasks on worker processes are pickled
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    written, tasks = {}, {}
    for scheduler in ("synchronous", "threads", "threads-nofork", "processes", "processes-run"):
        run = scheduler.removesuffix("-run").removesuffix("-nofork")
        graph = None if scheduler.endswith("-run") else run
        monkeypatch.setattr(writer, "FORK_OK", not scheduler.endswith("-nofork"))  # off Linux: a thread
        seen = tasks[scheduler] = {}  # each task of the write -> the threads its computation had

        def threads(key, dsk, state, seen=seen):
            seen.setdefault(key, dask.config.get("num_workers", None))

        with Callback(pretask=threads):
            run_dir = write_run(result, tmp_path / scheduler, scheduler=run, write_scheduler=graph)
        written[scheduler] = _files(run_dir)
    # the report and the manifest's contents: tasks beside the GeoPackage and the map, which on threads
    # start at once (a thread each: 5), the grid's parts on the default threads (one per core)
    for scheduler in ("synchronous", "threads", "threads-nofork", "processes-run"):
        assert {"write-report", "write-manifest"} <= tasks[scheduler].keys(), scheduler
    for scheduler in ("threads", "threads-nofork", "processes-run"):
        threads = 6 if scheduler == "processes-run" else 5  # and the workbook's, waiting on a worker
        assert tasks[scheduler]["write-gpkg"] == tasks[scheduler]["write-report"] == threads, scheduler
        assert tasks[scheduler]["write-grid"] is None, scheduler
    assert "write-report" not in tasks["processes"]  # a worker process would get the whole result
    # a run's GeoPackage and map get their inputs through a file (a driver task pickles them into it,
    # the worker removes it), not pickled whole in the driver's memory; elsewhere no file
    assert {"spool-write-gpkg", "spool-write-map", "spool-write-book"} <= tasks["processes-run"].keys()
    assert "write-book" not in tasks["threads"]  # there the tables' task writes the workbook
    assert not any(key.startswith("spool-") for key in tasks["threads"]) and not any(spool.iterdir())
    expected = written.pop("synchronous")
    run_of = {name: name.removesuffix("-run").removesuffix("-nofork") for name in written}
    assert written["processes-run"]["map.html"] == expected["map.html"]  # written on a worker process
    assert "shown as" in expected["map.html"].decode() and "risk.gpkg:buildings" in expected
    for scheduler, files in written.items():
        assert files.keys() == expected.keys(), scheduler
        for name, content in files.items():
            if name.startswith("risk.gpkg:"):
                pd.testing.assert_frame_equal(content, expected[name], check_exact=True)
            elif name == "manifest.json":
                assert content == {**expected[name], "scheduler": run_of[scheduler]}, scheduler
            else:
                assert content == expected[name], (scheduler, name)


def _fails(message):
    raise PartitionFailedError(message)


def test_a_forked_writer_says_why_it_failed_and_an_unreleased_one_ends():
    """The GeoPackage's forked writer (outputs/forked.py): its error comes back to the driver with its
    traceback; one never released (a write stage that failed first) ends when closed."""
    from urbanrisk.outputs.forked import ForkedCall, ForkedCallError

    call = ForkedCall(str, _fails, "no room on the disk")
    with pytest.raises(ForkedCallError, match="PartitionFailedError: no room on the disk"):
        call.result()
    call.close()
    unreleased = ForkedCall(_fails, str, "never run")
    unreleased.close()
    assert not unreleased._process.is_alive() and unreleased._process.exitcode == 0


def test_layer_tables_are_the_ones_pyogrio_writes_from_the_frames(wudaokou_run, tmp_path, monkeypatch):
    """The forked GeoPackage writer makes each layer's Arrow table ahead (outputs/gpkg_arrow.py): the
    table and options pyogrio's write_dataframe hands to write_arrow, for every layer of a real run."""
    import pyogrio.raw

    from urbanrisk.outputs.gpkg import gpkg_layers
    from urbanrisk.outputs.gpkg_arrow import layer_arrow

    _, result = wudaokou_run
    handed = {}
    monkeypatch.setattr(
        pyogrio.raw, "write_arrow", lambda table, path, **kw: handed.update({kw["layer"]: (table, kw)})
    )
    layers = gpkg_layers(result)
    assert {"buildings", "streets", "communities"} <= layers.keys()
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, tmp_path / "x.gpkg", layer=name, driver="GPKG", use_arrow=True)
        table, options = layer_arrow(frame)
        expected, kw = handed[name]
        assert table.equals(expected) and table.schema.equals(expected.schema, check_metadata=True), name
        assert options == {k: kw[k] for k in options}, name
    dated = layers["pois"].assign(seen=pd.Timestamp("2024-05-01", tz="Asia/Shanghai"))
    assert layer_arrow(dated) is None  # pyogrio writes such a column as text: left to it


def test_a_layer_streamed_in_chunks_is_the_whole_table_cut(wudaokou_run, tmp_path, monkeypatch):
    """A large layer reaches GDAL a chunk of rows at a time (outputs/gpkg_arrow.py ``layer_stream``):
    the batches are the whole table pyogrio makes, cut; types come from the whole frame (a chunk with
    no value in a text column is text still), mixed parts made multi with GEOS's WKB, Z kept."""
    import pyogrio.raw
    import shapely

    from urbanrisk.outputs import gpkg_arrow
    from urbanrisk.outputs.gpkg import gpkg_layers, write_gpkg_layers
    from urbanrisk.outputs.gpkg_arrow import layer_arrow, layer_stream

    _, result = wudaokou_run
    for name, frame in gpkg_layers(result).items():
        whole, options = layer_arrow(frame)
        reader, streamed = layer_stream(frame, chunk_rows=97)
        table = reader.read_all()
        assert table.equals(whole) and table.schema.equals(whole.schema, check_metadata=True), name
        assert streamed == options, name
    square = shapely.Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 2), (0, 0, 1)])
    frame = gpd.GeoDataFrame(
        {"name": pd.Series(["a", "b", None, None], dtype=object), "n": [1, 2, 3, 4]},
        geometry=[square, shapely.MultiPolygon([square, shapely.box(2, 2, 3, 3)]), square, None],
        crs="EPSG:4326",
    )
    handed = {}
    monkeypatch.setattr(
        pyogrio.raw, "write_arrow", lambda table, path, **kw: handed.update(table=table, kw=kw)
    )
    pyogrio.write_dataframe(frame, tmp_path / "x.gpkg", layer="x", driver="GPKG", use_arrow=True)
    reader, options = layer_stream(frame, chunk_rows=2)
    table = reader.read_all()
    assert table.equals(handed["table"]) and table.schema.equals(handed["table"].schema, check_metadata=True)
    assert options == {k: handed["kw"][k] for k in options} and options["geometry_type"] == "MultiPolygon Z"
    assert table["geometry"][2].as_py() == shapely.to_wkb(shapely.MultiPolygon([square]))
    layers, written = gpkg_layers(result), {}
    for chunk in (gpkg_arrow.CHUNK_ROWS, 97):  # as the 32 x 32 metropolis' buildings: streamed
        monkeypatch.setattr(gpkg_arrow, "CHUNK_ROWS", chunk)
        (tmp_path / str(chunk)).mkdir()
        path = write_gpkg_layers(tmp_path / str(chunk) / "risk.gpkg", layers, result.area)
        written[chunk] = {
            layer: pyogrio.read_dataframe(path, layer=layer) for layer, _ in pyogrio.list_layers(path)
        }
    assert written[97].keys() == written[gpkg_arrow.CHUNK_ROWS].keys() == layers.keys()
    for layer, frame in written[97].items():
        pd.testing.assert_frame_equal(frame, written[gpkg_arrow.CHUNK_ROWS][layer], check_exact=True)
