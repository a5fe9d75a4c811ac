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

import json
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from .geoparquet import BBOX_COLUMN, with_bbox
from .grid_spool import GridSpool, part_parents, spooled_rows, with_polygons, with_spooled
from .parallel import map_partitions

#: The dataset folder of a run, and the single file older runs hold instead.
GRID_DIR = "grid"
LEGACY_GRID_FILE = "grid.parquet"
#: The covering column every part carries (GeoParquet 1.1); not part of the grid table.
INDEX_NAME = "h3_cell"


def part_name(parent: str) -> str:
    """File name of the part holding the cells of H3 parent ``parent``.

    Examples
    --------
    >>> part_name("862830827ffffff")
    'part-862830827ffffff.parquet'
    """
    return f"part-{parent}.parquet"


class GridArrays:
    """The grid's columns held once as numpy or Arrow arrays (views, not copies), each part's table
    built from their slices (:meth:`table`): converting each part through pandas cost its per-column
    overhead (~100 columns) times every part (32 x 32 metropolis: 6 s); the whole grid at once held a
    copy of it through the write stage.

    The table is the one :func:`grid_table` makes of the part's rows (same types, same field
    metadata; the schema's metadata is the first row's, which :func:`part_table` makes the part's).
    A column of another kind (categories, nullable integers, dates) leaves it to :func:`grid_table`.
    """

    def __init__(
        self, grid: gpd.GeoDataFrame, types: dict[str, pa.DataType], first: gpd.GeoDataFrame | None = None
    ) -> None:
        self.schema = grid_table(grid.iloc[:1] if first is None else first, types).schema
        self.geometry = grid.geometry.name
        self.columns: dict[str, Any] | None = {}
        #: the columns in the run's spool, not in ``grid`` (``first``: the grid's first row with them)
        self.spooled = set() if first is None else set(first.columns) - set(grid.columns)
        for name in self.schema.names:
            values = grid.index if name == grid.index.name and name not in grid.columns else grid.get(name)
            if name in self.spooled:
                continue
            if values is None:
                self.columns = None
                return
            if name == self.geometry:
                self.columns[name] = np.asarray(grid.geometry.array, dtype=object)
            elif isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
                strings = pa.array(values)  # the Arrow strings pandas holds
                # one array: a take from a chunked one (a grid concatenated from its partitions)
                # would join its chunks again for every part
                self.columns[name] = (
                    strings.combine_chunks() if isinstance(strings, pa.ChunkedArray) else strings
                )
            elif isinstance(values.dtype, np.dtype) and values.dtype.kind in "fiubO":
                self.columns[name] = np.asarray(values)
            else:
                self.columns = None
                return

    def table(
        self, positions: np.ndarray, spooled: pa.Table | None = None, polygons: np.ndarray | None = None
    ) -> pa.Table | None:
        """The rows at ``positions`` as Arrow (None: a column of another kind, see the class);
        ``spooled``: the same rows' spooled columns (:func:`urbanrisk.grid_spool.spooled_rows`),
        ``polygons``: their polygons, when the grid holds none
        (:func:`urbanrisk.grid_spool.without_polygons`)."""
        if self.columns is None:
            return None
        arrays = []
        for field in self.schema:
            if field.name in self.spooled:
                assert spooled is not None
                array = spooled.column(field.name).combine_chunks()
                arrays.append(array if array.type == field.type else array.cast(field.type))
                continue
            values = self.columns[field.name]
            if field.name == self.geometry:
                shapes = values[positions] if polygons is None else polygons
                array = pa.array(shapely.to_wkb(shapes, flavor="iso"), pa.binary())
            elif isinstance(values, (pa.Array, pa.ChunkedArray)):
                array = values.take(positions)
            elif values.dtype == object:  # inferred from the part's values, then the grid's type
                array = pa.array(values[positions], from_pandas=True)
            else:
                array = pa.array(values[positions], type=field.type, from_pandas=True)
            arrays.append(array if array.type == field.type else array.cast(field.type))
        return pa.Table.from_arrays(arrays, schema=self.schema)


class PartRows:
    """One part's rows of the grid, cut when its task runs (:meth:`rows`, :meth:`arrow`): the parts
    of a large grid are not all held at once beside it (the 32 x 32 metropolis: 330 MB). Pickled (a
    task sent to a worker process), it carries its rows alone, and the spool's paths (read there).
    ``spooled``: the spool parts holding the columns the driver's grid lacks, the grid's column order,
    and whether the grid lacks its polygons too (:mod:`urbanrisk.grid_spool`): the part is written
    with them, as if the grid held them."""

    __slots__ = ("arrays", "grid", "positions", "spooled", "types")

    def __init__(
        self,
        grid: gpd.GeoDataFrame,
        positions: np.ndarray | None,
        types: dict[str, pa.DataType],
        arrays: GridArrays | None = None,
        spooled: tuple[list[str], list[str], bool] | None = None,
    ) -> None:
        self.grid, self.positions, self.types, self.arrays = grid, positions, types, arrays
        self.spooled = spooled

    def rows(self) -> gpd.GeoDataFrame:
        """The part's rows, in the grid's order (``positions`` None: the whole frame), of the
        driver's columns (without the spooled ones: :meth:`full_rows`), with their polygons."""
        rows = self.grid if self.positions is None else self.grid.iloc[self.positions]
        return with_polygons(rows) if self.spooled is not None and self.spooled[2] else rows

    def full_rows(
        self, rows: gpd.GeoDataFrame | None = None, extra: pa.Table | None = None
    ) -> gpd.GeoDataFrame:
        """The part's rows with every column of the grid, the spooled ones read back (``rows``,
        ``extra``: :meth:`rows` and :meth:`spooled_table`, when read already)."""
        rows = self.rows() if rows is None else rows
        if self.spooled is None:
            return rows
        paths, order, _ = self.spooled
        return with_spooled(rows, spooled_rows(paths, rows.index) if extra is None else extra, order)

    def spooled_table(self) -> pa.Table | None:
        """The part's spooled columns, read from the spool (None: nothing spooled)."""
        if self.spooled is None:
            return None
        index = self.grid.index if self.positions is None else self.grid.index[self.positions]
        return spooled_rows(self.spooled[0], index)

    def arrow(self, rows: gpd.GeoDataFrame | None = None, extra: pa.Table | None = None) -> pa.Table:
        """The part's rows as Arrow (:func:`grid_table`; schema metadata to be made the part's);
        ``rows``, ``extra``: :meth:`rows` and :meth:`spooled_table`, when read already."""
        table = None
        if self.arrays is not None and self.positions is not None:
            polygons = None
            if self.spooled is not None:
                extra = self.spooled_table() if extra is None else extra
                if self.spooled[2]:
                    polygons = np.asarray(
                        (self.rows() if rows is None else rows).geometry.array, dtype=object
                    )
            table = self.arrays.table(self.positions, extra, polygons)
        return grid_table(self.full_rows(rows, extra), self.types) if table is None else table

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        if self.spooled is None:
            return PartRows, (self.full_rows(), None, self.types)
        rows = self.grid if self.positions is None else self.grid.iloc[self.positions]  # no spooled column
        return PartRows, (rows, None, self.types, None, self.spooled)  # nor polygon: made where unpickled


def object_types(grid: pd.DataFrame) -> dict[str, pa.DataType]:
    """The Arrow type of each object column of the whole grid (the others' follow their dtypes):
    every part is cast to them, so a column that is empty in one part keeps its type there."""
    geometry = grid.geometry.name if isinstance(grid, gpd.GeoDataFrame) else None
    return {
        c: pa.array(grid[c].to_numpy(), from_pandas=True).type
        for c in grid.columns
        if grid[c].dtype == object and c != geometry
    }


def split_grid(
    grid: gpd.GeoDataFrame, partition_resolution: int, spool: GridSpool | None = None
) -> list[tuple[str, PartRows]]:
    """The grid cut by H3 parent cell at ``partition_resolution``: (parent, its rows), sorted by parent.

    Rows keep the grid's order (sorted by cell id, so each part is sorted too); each part's rows
    are cut from the grid when asked for (:meth:`PartRows.rows`, and as Arrow from :class:`GridArrays`).
    ``spool``: where the grid stage left the columns ``grid`` lacks (:mod:`urbanrisk.grid_spool`).
    """
    parents = part_parents(grid, partition_resolution)
    groups = pd.RangeIndex(len(grid)).groupby(parents)
    types = object_types(grid)
    spooled = None
    first = None
    if spool is not None and (spool.columns or spool.polygons_dropped) and len(grid):
        order = spool.full_order(list(grid.columns))
        missing = spool.lacking(groups)
        if missing:
            msg = f"the grid's spool holds no part for {len(missing)} partitions (e.g. {missing[0]})"
            raise OSError(msg)
        first_rows = with_polygons(grid.iloc[:1]) if spool.polygons_dropped else grid.iloc[:1]
        first = with_spooled(first_rows, spooled_rows(spool.paths_of(parents[0]), first_rows.index), order)
        spooled = {parent: (spool.paths_of(parent), order, spool.polygons_dropped) for parent in groups}
    arrays = GridArrays(grid, types, first) if len(grid) else None
    return [
        (
            str(parent),
            PartRows(
                grid, np.asarray(groups[parent]), types, arrays, None if spooled is None else spooled[parent]
            ),
        )
        for parent in sorted(groups)
    ]


def grid_table(grid: gpd.GeoDataFrame, types: dict[str, pa.DataType] | None = None) -> pa.Table:
    """Grid rows as the Arrow table geopandas writes to GeoParquet 1.1 (index kept), the object
    columns cast to ``types`` (:func:`object_types` of the whole grid)."""
    from geopandas.io.arrow import _geopandas_to_arrow

    table = _geopandas_to_arrow(grid, index=True, schema_version="1.1.0")
    fields = [pa.field(f.name, types[f.name]) if f.name in (types or {}) else f for f in table.schema]
    return table.cast(pa.schema(fields, metadata=table.schema.metadata))


def part_table(
    table: pa.Table, rows: gpd.GeoDataFrame, bounds: np.ndarray, objects: dict[str, np.ndarray]
) -> pa.Table:
    """A part's rows cut from :func:`grid_table` with the metadata geopandas gives the part itself:
    its geometry types and bbox (``bounds``: its rows' ``shapely.bounds``), and the pandas types of
    its object columns (``objects``: their values; one all None in a part is "empty" there)."""
    from geopandas.io.arrow import _get_geometry_types

    metadata = dict(table.schema.metadata)
    geo = json.loads(metadata[b"geo"])
    column = geo["columns"][rows.geometry.name]
    column["geometry_types"] = _get_geometry_types(rows.geometry)
    with warnings.catch_warnings():  # all-empty geometries: no bbox, as geopandas
        warnings.filterwarnings("ignore", r"All-NaN slice encountered", RuntimeWarning)
        total = [*np.nanmin(bounds[:, :2], axis=0), *np.nanmax(bounds[:, 2:], axis=0)] if len(rows) else []
    column.pop("bbox", None)
    if len(total) and np.isfinite(total).all():
        column["bbox"] = [float(v) for v in total]
    metadata[b"geo"] = json.dumps(geo).encode("utf-8")
    if objects:  # their pandas types depend on the part's values
        pandas = json.loads(metadata[b"pandas"])
        own = {
            c["name"]: c
            for c in json.loads(
                pa.Schema.from_pandas(pd.DataFrame(objects), preserve_index=False).metadata[b"pandas"]
            )["columns"]
        }
        pandas["columns"] = [own.get(c["name"], c) for c in pandas["columns"]]
        metadata[b"pandas"] = json.dumps(pandas).encode("utf-8")
    return table.replace_schema_metadata(metadata)


def fsync_path(path: Path) -> None:
    """Flush a file or a folder's entries to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: One part's task: its folder, H3 parent, rows (cut when the task runs), and what to reduce its
#: rows to.
PartJob = tuple[str, str, PartRows, Callable[[gpd.GeoDataFrame], Any] | None]


def write_part(job: PartJob) -> tuple[str, Any]:
    """One Dask task: write one part (GeoParquet 1.1, bbox covering column) and fsync it.

    Returns the part's file name, and ``summarise(rows)`` (None without ``summarise``).
    """
    folder, parent, part, summarise = job
    rows = part.rows()
    extra = part.spooled_table()  # the spooled columns, read once for the table and the reduction
    bounds = shapely.bounds(rows.geometry.to_numpy())
    objects = {c: rows[c].to_numpy() for c in part.types}  # the object columns (object_types)
    table = with_bbox(part_table(part.arrow(rows, extra), rows, bounds, objects), bounds, rows.geometry.name)
    path = Path(folder) / part_name(parent)
    pq.write_table(table, path)
    fsync_path(path)
    del table
    if summarise is None:
        return path.name, None
    return path.name, summarise(rows if extra is None else part.full_rows(rows, extra))


def part_jobs(
    grid: gpd.GeoDataFrame,
    folder: Path,
    *,
    partition_resolution: int,
    summarise: Callable[[gpd.GeoDataFrame], Any] | None = None,
    spool: GridSpool | None = None,
) -> list[PartJob]:
    """Make ``folder/grid/`` and return one :func:`write_part` job per partition of ``grid``.

    ``summarise`` (picklable) reduces each part's rows in its task, e.g. to the map's display rows;
    ``spool``: where the grid stage left the columns ``grid`` lacks (:mod:`urbanrisk.grid_spool`).
    """
    target = Path(folder) / GRID_DIR
    target.mkdir()
    parts = split_grid(grid, partition_resolution, spool)
    return [(str(target), parent, rows, summarise) for parent, rows in parts]


def parts_written(folder: Path, done: Sequence[tuple[str, Any]]) -> tuple[list[str], list[Any]]:
    """Check that the :func:`write_part` tasks' parts are in ``folder/grid/`` and fsync the folder.

    Returns
    -------
    names : list of str
        The parts' paths relative to ``folder`` (``grid/part-....parquet``), sorted.
    summaries : list
        Each task's ``summarise`` of its part, in the same order (None each without ``summarise``).
    """
    target = Path(folder) / GRID_DIR
    missing = [name for name, _ in done if not (target / name).is_file()]
    if missing:  # tasks that wrote to another machine's disk
        msg = f"{len(missing)} grid parts were not written to {target} (e.g. {missing[0]})"
        raise OSError(msg)
    fsync_path(target)
    return [f"{GRID_DIR}/{name}" for name, _ in done], [summary for _, summary in done]


def write_grid_dataset(
    grid: gpd.GeoDataFrame,
    folder: Path,
    *,
    partition_resolution: int,
    scheduler: str | None = None,
    summarise: Callable[[gpd.GeoDataFrame], Any] | None = None,
) -> tuple[list[str], list[Any]]:
    """Write ``grid`` as ``folder/grid/part-<parent>.parquet``, one Dask task per partition
    (:func:`part_jobs`, :func:`write_part`, :func:`parts_written`: the run's write stage puts the
    same tasks into its one graph, :mod:`urbanrisk.outputs.writer`).

    Returns the parts' paths relative to ``folder`` and their summaries (see :func:`parts_written`).
    """
    jobs = part_jobs(grid, folder, partition_resolution=partition_resolution, summarise=summarise)
    return parts_written(folder, map_partitions(write_part, jobs, scheduler=scheduler))


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


def grid_stream(run_dir: Path) -> tuple[pa.RecordBatchReader, dict[str, Any]]:
    """The grid's rows part after part as an Arrow stream (``h3_cell`` first, no covering column),
    and the primary geometry column's GeoParquet metadata: to copy the grid without holding it."""
    files = grid_files(run_dir)
    if not files:
        raise FileNotFoundError(grid_source(run_dir))
    schema = pq.read_schema(files[0])
    geo = json.loads(schema.metadata[b"geo"])
    names = [n for n in schema.names if n != BBOX_COLUMN]
    names = [INDEX_NAME, *(n for n in names if n != INDEX_NAME)] if INDEX_NAME in names else names
    target = pa.schema([schema.field(n) for n in names])

    def batches() -> Any:
        for path in files:
            yield from pq.read_table(path, columns=names).cast(target).to_batches()

    column = dict(geo["columns"][geo["primary_column"]])
    types: set[str] = set()  # every part's: a part may hold cells cut at 180° (MultiPolygon)
    for path in files:
        part = json.loads(pq.read_schema(path).metadata[b"geo"])
        types.update(part["columns"][part["primary_column"]].get("geometry_types") or [])
    column["geometry_types"] = sorted(types)
    return pa.RecordBatchReader.from_batches(target, batches()), column


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
