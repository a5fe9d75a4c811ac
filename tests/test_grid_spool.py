"""The grid's write-only columns left in the run's spool by the grid stage's tasks on worker processes:
the driver's grid lacks them through every stage (and its polygons through the write), the run folder
and ``result.grid`` are the same."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest

import urbanrisk as ur
import urbanrisk.run
from conftest import default_recipe
from test_grid_dataset import _files
from urbanrisk import settings
from urbanrisk.grid import cells_to_polygons
from urbanrisk.grid_dataset import PartRows, grid_table, object_types, split_grid, write_part
from urbanrisk.grid_spool import (
    WRITE_READS,
    GridSpool,
    complete_grid,
    current_spool,
    following_of,
    part_parents,
    spool_takes_late,
    spool_write_only,
    spooled_grid,
    spooled_rows,
    write_only_columns,
)
from urbanrisk.outputs.summary import run_summary
from urbanrisk.partitions import spooled_columns


def test_a_processes_run_leaves_the_write_only_columns_in_the_spool_and_writes_the_same_folder(
    tmp_path, monkeypatch
):
    recipe = default_recipe(tmp_path, grid={"resolution": 10, "partition_resolution": 8})
    monkeypatch.setattr(settings, "max_map_cells", 100)  # the map from the parts' display rows too
    monkeypatch.setattr(settings, "grid_spool_min_cells", 0)  # a grid of any size spooled
    seen = {}
    real = urbanrisk.run.write_run

    def spy(result, *args, **kwargs):
        """The driver's grid as the stages left it, and the spool's parts, when the write starts."""
        seen["columns"] = list(result.grid.columns)
        seen["polygons"] = int(result.grid.geometry.notna().sum())
        seen["spool"] = result.grid_spool
        seen["files"] = {parent: Path(path).is_file() for parent, path in result.grid_spool.files.items()}
        texts = [p for paths in result.grid_spool.screen_files.values() for p in paths if "text-" in p]
        seen["text"] = list(pd.read_parquet(texts[0]).columns) if texts else []
        return real(result, *args, **kwargs)

    monkeypatch.setattr(urbanrisk.run, "write_run", spy)
    procs = ur.run_recipe(recipe, scheduler="processes", out=tmp_path / "procs")
    assert procs.grid_completion is not None  # the driver holds them only once result.grid is read
    assert list(procs.__dict__["_grid"].columns) == seen["columns"]
    printed = procs.summary  # what `urbanrisk run` prints, from the grid the driver held
    shown = repr(procs)  # a notebook's view of the result: from the summary, the grid not made whole
    assert procs.grid_completion is not None
    monkeypatch.undo()
    monkeypatch.setattr(settings, "max_map_cells", 100)
    sync = ur.run_recipe(recipe, scheduler="synchronous", out=tmp_path / "sync")
    spooled = spooled_columns(sync.grid.columns)
    # the per-kind POI and hazard counts: ~40 of the grid's ~100 columns never reached the driver
    assert len(spooled) >= 30 and "poi_school" in spooled and "hazard_fuel" in spooled
    assert not set(spooled) & set(seen["columns"])
    assert seen["polygons"] == 0 and seen["spool"].polygons_dropped  # made by the parts and the map
    # when the write starts the driver holds what the write reads in it (the summary's counts, grades and
    # residents unknown, the map's residents): the rest went to the spool after the stages
    resources = {name for name in sync.grid.columns if name.startswith("resource_")}  # the summary's
    assert {"resource_fire_station", "resource_hospital"} <= resources
    write_reads = {*WRITE_READS, *resources, "geometry", "medical_covered"}  # objects: each part's types
    assert set(seen["columns"]) == write_reads & set(sync.grid.columns)
    late = [name for name in sync.grid.columns if name not in seen["columns"] and name not in spooled]
    assert {"poi_village_place", "unknown", "factors", "population_source", "risk"} <= set(late)
    assert seen["spool"].columns == [name for name in sync.grid.columns if name in {*spooled, *late}]
    assert len(seen["files"]) == len(list((procs.run_dir / "grid").iterdir())) > 5
    # the factors never reached the driver: the screens' tasks wrote each partition's to the spool; the
    # other text only the write reads went there once graded (none held through registers and the list)
    screen_files = seen["spool"].screen_files
    assert sorted(screen_files) == sorted(seen["files"])
    for paths in screen_files.values():
        assert sorted(Path(p).name.split("-")[0] for p in paths) == ["factors", "text"]
    assert seen["text"] == ["unknown", "population_source", "top_hazard", "grade_name"]
    assert all(seen["files"].values())
    assert not seen["spool"].folder.exists()  # removed with the run's spool
    assert procs.grid_spool is None
    pd.testing.assert_frame_equal(procs.grid, sync.grid, check_exact=True)  # put back when read
    assert procs.grid_completion is None and sync.grid_completion is None
    assert shown == repr(procs)  # the same lines from the whole grid
    assert shown.replace(str(procs.run_dir), str(sync.run_dir)) == repr(sync)
    assert printed == run_summary(procs) == run_summary(sync) and sync.summary is None
    assert isinstance(procs.grid, gpd.GeoDataFrame) and procs.grid.crs == sync.grid.crs
    expected, got = _files(sync.run_dir), _files(procs.run_dir)
    assert got.keys() == expected.keys()
    for name, content in got.items():
        if name.startswith("risk.gpkg:"):
            pd.testing.assert_frame_equal(content, expected[name], check_exact=True, obj=name)
        elif name == "manifest.json":  # but the run's seconds
            drop = ("timings_s", "scheduler")
            assert {k: v for k, v in content.items() if k not in drop} == {
                k: v for k, v in expected[name].items() if k not in drop
            }
        else:  # every grid part byte for byte, the tables, map.html, report.html
            assert content == expected[name], name


def _small_grid() -> gpd.GeoDataFrame:
    """Seven r10 cells of one r8 parent, a kept column before and after the spooled ones."""
    parent = h3.latlng_to_cell(39.99, 116.33, 8)
    cells = sorted(h3.cell_to_children(parent, 10))[:7]
    frame = pd.DataFrame(
        {
            "residents": np.arange(7.0),
            "poi_cafe": [1.0, 0, 0, 2, 0, np.nan, 0],
            "hazard_fuel": np.zeros(7),
            "hazards": np.ones(7),
        },
        index=pd.Index(cells, name="h3_cell"),
    )
    return gpd.GeoDataFrame(frame, geometry=cells_to_polygons(cells), crs="EPSG:4326")


def test_a_part_written_from_the_spool_is_the_part_of_the_whole_grid(tmp_path):
    whole = _small_grid()
    parent = h3.cell_to_parent(whole.index[0], 8)
    spool = GridSpool(tmp_path)
    spool.following = following_of(list(whole.columns), ["poi_cafe", "hazard_fuel"])
    assert spool.following == {"residents": ["poi_cafe", "hazard_fuel"]}
    path = spool.part_path(parent)
    whole[["poi_cafe", "hazard_fuel"]].iloc[::-1].to_parquet(path)  # any row order: aligned by cell
    spool.files = {parent: str(path)}
    kept = whole.drop(columns=["poi_cafe", "hazard_fuel"])
    [(name, part)] = split_grid(kept, 8, spool)
    [(_, expected)] = split_grid(whole, 8)
    assert name == parent and part.rows().columns.tolist() == ["residents", "hazards", "geometry"]
    assert part.arrow().equals(expected.arrow(), check_metadata=True)  # schema, pandas metadata, values
    pd.testing.assert_frame_equal(part.full_rows(), whole, check_exact=True)
    rebuilt = PartRows(*part.__reduce__()[1])  # pickled to a worker: its rows, the spool read there
    assert rebuilt.rows().columns.tolist() == ["residents", "hazards", "geometry"]
    pd.testing.assert_frame_equal(rebuilt.full_rows(), whole, check_exact=True)
    assert rebuilt.arrow().equals(grid_table(whole, object_types(whole)), check_metadata=True)
    part.arrays = None  # a column of another kind: the table made from the whole rows
    assert part.arrow().equals(grid_table(whole, object_types(whole)), check_metadata=True)


def test_a_spool_that_lacks_a_part_or_a_cell_is_refused(tmp_path):
    whole = _small_grid()
    kept = whole.drop(columns=["poi_cafe", "hazard_fuel"])
    spool = GridSpool(tmp_path, following={"residents": ["poi_cafe", "hazard_fuel"]})
    with pytest.raises(OSError, match="no part for 1 partitions"):
        split_grid(kept, 8, spool)
    path = spool.part_path("x")
    whole[["poi_cafe", "hazard_fuel"]].iloc[2:].to_parquet(path)
    with pytest.raises(OSError, match="lacks 2 of the part's cells"):
        spooled_rows([str(path)], whole.index)


def test_a_grid_below_the_spools_size_is_not_spooled(tmp_path, monkeypatch):
    """Spooling and reading back cost more CPU than the memory is worth for a small grid."""
    monkeypatch.setattr(settings, "grid_spool_min_cells", 1000)
    with spooled_grid(tmp_path) as spool:
        spool.spools_late = lambda cells: True  # the map shows display cells
        assert current_spool(999) is None
        assert current_spool(1000) is spool and current_spool() is spool
        cells = pd.Index([f"8a{i:013x}" for i in range(999)])
        assert spool_takes_late(cells) is None and spool_takes_late(cells.append(cells[:1])) is spool
    assert current_spool(10**6) is None  # no run under way


def test_nothing_spooled_leaves_the_grid_as_it_is(tmp_path):
    whole = _small_grid()
    assert complete_grid(whole, None, tmp_path) is whole
    assert complete_grid(whole, GridSpool(tmp_path), tmp_path) is whole


def test_a_pruned_run_folder_says_why_result_grid_cannot_be_made_whole(tmp_path):
    kept = _small_grid().drop(columns=["poi_cafe"])
    spool = GridSpool(tmp_path, following={"residents": ["poi_cafe"]}, polygons_dropped=True)
    with pytest.raises(FileNotFoundError, match=r"no longer holds the grid's parts .* outputs\.keep"):
        complete_grid(kept, spool, tmp_path / "runs" / "gone")


def test_columns_spooled_after_the_stages_come_back_in_the_parts_and_the_reduction(tmp_path):
    """The graded grid's write-only columns (text, numbers, booleans; not objects or what the summary
    and the map read in the driver) go to late files beside the grid stage's; each part is written
    and reduced as from the whole grid, and a missing late file is refused."""
    whole = _small_grid()
    whole["grade"] = pd.array(["I", "II", None, "IV", "I", "III", "II"], dtype="str")
    whole["unknown"] = pd.array(["", "residents", None, "", "crowding, residents", "", ""], dtype="str")
    whole["risk"] = [0.1, 0.5, np.nan, 0.9, 0.2, 0.3, 0.4]
    whole["known_travel"] = [True, False, True, True, True, False, True]
    whole["medical_covered"] = pd.Series(
        [True, None, False, True, True, None, False], dtype=object
    ).to_numpy()
    whole = whole[["residents", "poi_cafe", "unknown", "hazard_fuel", "hazards", "grade", "risk",
                   "known_travel", "medical_covered", "geometry"]]  # fmt: skip
    parent = h3.cell_to_parent(whole.index[0], 8)
    spool = GridSpool(tmp_path)
    spool.following = following_of(list(whole.columns), ["poi_cafe", "hazard_fuel"])
    spool.files = {parent: str(spool.part_path(parent))}
    whole[["poi_cafe", "hazard_fuel"]].to_parquet(spool.files[parent])
    stages = whole.drop(columns=["poi_cafe", "hazard_fuel"])
    assert write_only_columns(stages) == ["unknown", "risk", "known_travel"]
    kept = spool_write_only(stages, spool, part_parents(stages, 8))
    assert kept.columns.tolist() == ["residents", "hazards", "grade", "medical_covered", "geometry"]
    assert Path(spool.late_files[parent]).name == f"late-{parent}.parquet"
    assert spool.columns == ["poi_cafe", "unknown", "hazard_fuel", "risk", "known_travel"]
    assert spool.full_order(list(kept.columns)) == list(whole.columns)
    [(_, part)] = split_grid(kept, 8, spool)
    [(_, expected)] = split_grid(whole, 8)
    assert part.arrow().equals(expected.arrow(), check_metadata=True)
    pd.testing.assert_frame_equal(part.full_rows(), whole, check_exact=True)
    (tmp_path / "out").mkdir()
    job, expected_job = (str(tmp_path / "out"), parent, part, list), (str(tmp_path), parent, expected, list)
    name, columns = write_part(job)  # the reduction sees the part's whole rows (here: their columns)
    assert columns == write_part(expected_job)[1] == list(whole.columns)
    assert (tmp_path / "out" / name).read_bytes() == (tmp_path / name).read_bytes()
    spool.late_files = {"8a0000000000000": spool.late_files[parent]}  # none for this partition
    with pytest.raises(OSError, match="no part for 1 partitions"):
        split_grid(kept, 8, spool)


def test_the_late_files_hold_each_partitions_rows_of_the_late_columns_in_the_grids_order(tmp_path):
    """Cells of two partitions, interleaved: each late file holds its partition's rows (in the grid's
    order) of the write-only columns, as ``grid[names]`` cut per partition would; the grid kept is the
    rest, its values and dtypes as they were."""
    first, second = (h3.latlng_to_cell(39.99, lng, 8) for lng in (116.33, 116.40))
    a, b = (sorted(h3.cell_to_children(parent, 10))[:3] for parent in (first, second))
    cells = [a[0], b[0], a[1], b[1], a[2], b[2]]
    grid = gpd.GeoDataFrame(
        {
            "residents": [1.0, 2, 3, 4, 5, 6],
            "risk": [0.1, np.nan, 0.3, 0.4, 0.5, 0.6],
            "unknown": pd.array(["", "residents", None, "", "crowding", ""], dtype="str"),
            "grade": pd.array(["I", "II", "I", None, "IV", "I"], dtype="str"),
            "known_travel": [True, False, True, True, False, True],
        },
        index=pd.Index(cells, name="h3_cell"),
        geometry=cells_to_polygons(cells),
        crs="EPSG:4326",
    )
    spool = GridSpool(tmp_path)
    kept = spool_write_only(grid, spool, part_parents(grid, 8))
    names = ["risk", "unknown", "known_travel"]
    pd.testing.assert_frame_equal(kept, grid.drop(columns=names), check_exact=True)
    assert sorted(spool.late_files) == sorted([first, second])
    for parent, rows in ((first, [0, 2, 4]), (second, [1, 3, 5])):
        late = pd.read_parquet(spool.late_files[parent])
        pd.testing.assert_frame_equal(late, pd.DataFrame(grid[names]).iloc[rows], check_exact=True)
