"""The grid's write-only columns kept in the run's spool, not in the driver (issue #17).

On ``processes``, within :func:`spooled_grid` (the spool folder :func:`urbanrisk.run.run_recipe`
makes beside the run folders), each grid partition task writes the columns no later stage of the
driver reads (:func:`urbanrisk.partitions.spooled_columns`: the per-kind POI and hazard counts) to
``<spool>/grid/part-<parent>.parquet`` and returns its table without them. The driver's grid then
holds only the columns its stages read; the write stage's part tasks read each part's spooled
columns back and write every part as before (:class:`urbanrisk.grid_dataset.PartRows`: same
columns, same order, same bytes), and after the write ``result.grid`` gets them back from the run
folder's parts (:func:`complete_grid`), so a notebook still has the whole grid.

Layout in the spool (removed with it after the run)::

    grid/part-<H3 parent>.parquet   the partition's spooled columns, indexed by ``h3_cell``
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .grid import cells_to_polygons

#: The spool of the run being computed (:func:`spooled_grid`); None: partition tables come back whole.
_GRID_SPOOL: contextvars.ContextVar[GridSpool | None] = contextvars.ContextVar("grid_spool", default=None)
#: The index column of a spooled part (as the grid's).
INDEX_NAME = "h3_cell"


@dataclasses.dataclass
class GridSpool:
    """Where the grid stage's tasks left the columns the driver does not hold, and where they go back.

    ``files``: each partition's spooled part by H3 parent (the grid stage's partitions, which are
    the write stage's parts); ``following``: for each column the driver keeps (``""``: the start),
    the spooled columns that follow it in the whole grid's order, in that order.
    """

    folder: Path
    files: dict[str, str] = dataclasses.field(default_factory=dict)
    following: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    #: the driver's grid holds no cell polygons (:func:`without_polygons`): made from the cells' ids
    #: where a part, the map or ``result.grid`` needs them (the same function made them first)
    polygons_dropped: bool = False

    @property
    def columns(self) -> list[str]:
        """The spooled columns, in the grid's order (an empty list: nothing was spooled)."""
        return [name for names in self.following.values() for name in names]

    def part_path(self, parent: str) -> Path:
        """Where the task of partition ``parent`` writes its spooled columns."""
        folder = self.folder / "grid"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"part-{parent}.parquet"

    def full_order(self, kept: Sequence[str]) -> list[str]:
        """The whole grid's columns: ``kept`` (the driver's, in order) with the spooled ones put back.

        Examples
        --------
        >>> spool = GridSpool(Path("."), following={"": ["a"], "c": ["d", "e"]})
        >>> spool.full_order(["b", "c", "f"])
        ['a', 'b', 'c', 'd', 'e', 'f']
        """
        order = list(self.following.get("", []))
        for name in kept:
            order.append(name)
            order.extend(self.following.get(name, []))
        return order


def following_of(order: Sequence[str], spooled: Sequence[str]) -> dict[str, list[str]]:
    """For each kept column of ``order`` (``""``: the start), the spooled columns right after it.

    Examples
    --------
    >>> following_of(["a", "b", "c", "d", "e", "f"], ["a", "d", "e"])
    {'': ['a'], 'c': ['d', 'e']}
    """
    spooled_set, following, last = set(spooled), {}, ""
    for name in order:
        if name in spooled_set:
            following.setdefault(last, []).append(name)
        else:
            last = name
    return following


@contextlib.contextmanager
def spooled_grid(folder: Path) -> Iterator[GridSpool]:
    """Within this block, the grid stage's tasks on worker processes spool their write-only columns
    in ``folder`` (on this machine's disk: a ``tcp://`` cluster's workers may not share it)."""
    spool = GridSpool(Path(folder))
    token = _GRID_SPOOL.set(spool)
    try:
        yield spool
    finally:
        _GRID_SPOOL.reset(token)


def current_spool() -> GridSpool | None:
    """The spool of the run being computed (:func:`spooled_grid`), if any."""
    return _GRID_SPOOL.get()


def spooled_rows(paths: Sequence[str], cells: pd.Index) -> pa.Table:
    """The spooled columns of ``cells`` (in their order) from the parts at ``paths``, as Arrow."""
    tables = [pq.read_table(path) for path in paths]
    table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    at = pd.Index(table.column(INDEX_NAME).to_numpy(zero_copy_only=False)).get_indexer(cells)
    if (at < 0).any():
        msg = f"the grid's spool lacks {int((at < 0).sum())} of the part's cells (e.g. {cells[at < 0][0]})"
        raise OSError(msg)
    return table.drop_columns([INDEX_NAME]).take(pa.array(at))


def with_spooled(rows: pd.DataFrame, spooled: pa.Table, order: Sequence[str]) -> pd.DataFrame:
    """``rows`` with the ``spooled`` columns (aligned to them) put back, columns in ``order``."""
    extra = spooled.to_pandas()
    extra.index = rows.index
    return rows.join(extra)[list(order)]


def without_polygons(grid: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``grid`` with no cell polygon (each None: 116,645 cells held ~88 MB of GEOS polygons), for the
    write stage, which makes each part's from its cells (:func:`with_polygons`)."""
    empty = gpd.GeoSeries(np.full(len(grid), None, dtype=object), index=grid.index, crs=grid.crs)
    return grid.assign(**{grid.geometry.name: empty})


def with_polygons(rows: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``rows`` with their cells' polygons (:func:`urbanrisk.grid.cells_to_polygons`, as the grid
    stage made them), in the geometry column's place."""
    polygons = gpd.GeoSeries(cells_to_polygons(rows.index), index=rows.index, crs=rows.crs)
    return rows.assign(**{rows.geometry.name: polygons})


#: Spooled columns read back per batch by :func:`complete_grid` (each batch's Arrow table is freed
#: before the next: the whole set at once doubled them in the driver).
COLUMNS_PER_READ = 8


def complete_grid(grid: pd.DataFrame, spool: GridSpool | None, run_dir: Path) -> pd.DataFrame:
    """``grid`` with the spooled columns read back from ``run_dir``'s grid parts, put in place
    (inserted where they go, the grid's other columns not copied); itself when nothing was spooled.

    The columns come back as the grid stage made them: float64, a missing value NaN.
    """
    if spool is None or not (spool.columns or spool.polygons_dropped):
        return grid
    files = sorted(str(path) for path in (Path(run_dir) / "grid").glob("part-*.parquet"))
    if not files:
        msg = (
            f"{run_dir} no longer holds the grid's parts (a later run pruned it: outputs.keep), from which "
            "result.grid gets its per-kind counts and polygons: read result.grid before the next run, or "
            "read_grid() a run folder that is kept"
        )
        raise FileNotFoundError(msg)
    cells = pq.ParquetDataset(files).read(columns=[INDEX_NAME]).column(INDEX_NAME)
    at = pd.Index(cells.to_numpy(zero_copy_only=False)).get_indexer(grid.index)
    if (at < 0).any():
        msg = f"{run_dir}: the grid's parts lack {int((at < 0).sum())} of its cells"
        raise OSError(msg)
    order = spool.full_order(list(grid.columns))
    names = spool.columns
    if spool.polygons_dropped:
        grid[grid.geometry.name] = gpd.GeoSeries(
            cells_to_polygons(grid.index), index=grid.index, crs=grid.crs
        )
    with warnings.catch_warnings():  # one block per column: the grid is read, not computed on
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        for start in range(0, len(names), COLUMNS_PER_READ):
            batch = names[start : start + COLUMNS_PER_READ]
            table = pq.ParquetDataset(files).read(columns=batch)
            for name in batch:
                values = table.column(name).to_numpy()[at]
                grid.insert(order.index(name), name, values)
            del table
    return grid
