"""The run's grid as a partitioned GeoParquet dataset: written by Dask tasks, read as one table.

Layout inside a run folder::

    grid/part-<H3 parent>.parquet   one file per partition (the grid stage's H3 parent cells)

Every part is GeoParquet 1.1 with a ``bbox`` covering column and the same schema, so
``geopandas.read_parquet("grid")``, ``pyarrow.dataset.dataset("grid")``, dask-geopandas and
DuckDB (``read_parquet('grid/*.parquet')``) read the folder as one table. Each task writes its
part and fsyncs it before it returns. Runs written before the dataset existed hold one
``grid.parquet`` file: :func:`read_grid` and :func:`grid_source` read both layouts.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import h3
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .parallel import map_partitions

#: The dataset folder of a run, and the single file older runs hold instead.
GRID_DIR = "grid"
LEGACY_GRID_FILE = "grid.parquet"
#: The covering column every part carries (GeoParquet 1.1); not part of the grid table.
BBOX_COLUMN = "bbox"
INDEX_NAME = "h3_cell"


def part_name(parent: str) -> str:
    """File name of the part holding the cells of H3 parent ``parent``.

    Examples
    --------
    >>> part_name("862830827ffffff")
    'part-862830827ffffff.parquet'
    """
    return f"part-{parent}.parquet"


def split_grid(grid: gpd.GeoDataFrame, partition_resolution: int) -> list[tuple[str, gpd.GeoDataFrame]]:
    """The grid cut by H3 parent cell at ``partition_resolution``: (parent, rows), sorted by parent.

    Rows keep the grid's order (sorted by cell id, so each part is sorted too).
    """
    resolution = h3.get_resolution(grid.index[0]) if len(grid) else partition_resolution
    level = min(partition_resolution, resolution)
    parents = pd.Series([h3.cell_to_parent(c, level) for c in grid.index], index=grid.index)
    positions = pd.RangeIndex(len(grid)).groupby(parents.to_numpy())
    return [(str(parent), grid.iloc[positions[parent]]) for parent in sorted(positions)]


def table_schema(grid: gpd.GeoDataFrame) -> pa.Schema:
    """The Arrow types of the grid's columns and index (geometry aside), from the whole table once:
    every part is cast to them, so a column that is empty in one part keeps its type there."""
    return pa.Schema.from_pandas(pd.DataFrame(grid.drop(columns=grid.geometry.name)), preserve_index=True)


def fsync_path(path: Path) -> None:
    """Flush a file or a folder's entries to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_part(job: tuple[str, str, gpd.GeoDataFrame, pa.Schema]) -> str:
    """One Dask task: write one part (GeoParquet 1.1, bbox covering column) and fsync it.

    Returns the part's file name.
    """
    from geopandas.io.arrow import _geopandas_to_arrow  # the table to_parquet writes, before the cast

    folder, parent, rows, schema = job
    table = _geopandas_to_arrow(rows, index=True, schema_version="1.1.0", write_covering_bbox=True)
    fields = [schema.field(f.name) if f.name in schema.names else f for f in table.schema]
    table = table.cast(pa.schema(fields, metadata=table.schema.metadata))
    path = Path(folder) / part_name(parent)
    pq.write_table(table, path)
    fsync_path(path)
    return path.name


def write_grid_dataset(
    grid: gpd.GeoDataFrame, folder: Path, *, partition_resolution: int, scheduler: str | None = None
) -> list[str]:
    """Write ``grid`` as ``folder/grid/part-<parent>.parquet``, one Dask task per partition.

    The parts are written and fsynced by the tasks, the folder by the caller's life cycle commit.

    Returns
    -------
    list of str
        The parts' paths relative to ``folder`` (``grid/part-....parquet``), sorted.
    """
    target = Path(folder) / GRID_DIR
    target.mkdir()
    schema = table_schema(grid)
    jobs = [(str(target), parent, rows, schema) for parent, rows in split_grid(grid, partition_resolution)]
    names = map_partitions(write_part, jobs, scheduler=scheduler)
    fsync_path(target)
    return [f"{GRID_DIR}/{name}" for name in sorted(names)]


def grid_files(run_dir: Path) -> list[Path]:
    """The Parquet files holding a run's grid: its parts, or the single file of an older run."""
    run_dir = Path(run_dir)
    folder = run_dir / GRID_DIR
    if folder.is_dir():
        return sorted(folder.glob("part-*.parquet"))
    legacy = run_dir / LEGACY_GRID_FILE
    return [legacy] if legacy.is_file() else []


def has_grid(run_dir: Path) -> bool:
    """Whether a run folder holds a grid (either layout)."""
    return bool(grid_files(run_dir))


def grid_source(run_dir: Path) -> Path:
    """The path to hand a Parquet reader: the dataset folder, else the older single file."""
    folder = Path(run_dir) / GRID_DIR
    return folder if folder.is_dir() else Path(run_dir) / LEGACY_GRID_FILE


def grid_columns(run_dir: Path) -> list[str]:
    """The grid's column names (index and geometry included, covering column excluded)."""
    files = grid_files(run_dir)
    if not files:
        raise FileNotFoundError(grid_source(run_dir))
    return [n for n in pq.read_schema(files[0]).names if n != BBOX_COLUMN]


def read_grid(
    run_dir: Path, columns: Sequence[str] | None = None, *, geometry: bool = True, **filters: Any
) -> gpd.GeoDataFrame | pd.DataFrame:
    """A run's grid as one table, indexed by ``h3_cell`` and sorted, from either layout.

    Parameters
    ----------
    run_dir
        A run folder.
    columns
        Only these columns (the index always comes); None: all.
    geometry
        False: a plain pandas DataFrame (faster; a ``geometry`` column, if read, as WKB bytes).
    filters
        Passed to the Parquet reader (``filters=[("h3_cell", "in", [...])]``).
    """
    source = grid_source(run_dir)
    if columns is not None:
        columns = [c for c in columns if c != INDEX_NAME]
        if geometry and "geometry" not in columns:
            columns = [*columns, "geometry"]
    if geometry:
        frame = gpd.read_parquet(source, columns=columns, **filters)
    else:
        frame = pd.read_parquet(source, columns=columns, **filters)
    if INDEX_NAME in frame.columns:  # read with filters: the index can come back as a column
        frame = frame.set_index(INDEX_NAME)
    frame = frame.drop(columns=[BBOX_COLUMN], errors="ignore")
    return frame if frame.index.is_monotonic_increasing else frame.sort_index()
