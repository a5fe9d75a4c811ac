"""The grid's write-only columns kept in the run's spool, not in the driver (issue #17).

On ``processes``, within :func:`spooled_grid` (the spool folder :func:`urbanrisk.run.run_recipe`
makes beside the run folders), each grid partition task writes the columns no later stage of the
driver reads (:func:`urbanrisk.partitions.spooled_columns`: the per-kind POI and hazard counts) to
``<spool>/grid/part-<parent>.parquet`` and returns its table without them. The driver's grid then
holds only the columns its stages read; the write stage's part tasks read each part's spooled
columns back and write every part as before (:class:`urbanrisk.grid_dataset.PartRows`: same
columns, same order, same bytes), and after the write ``result.grid`` gets them back from the run
folder's parts (:func:`complete_grid`), so a notebook still has the whole grid.

After the stages, before the write, the driver spools the columns of the graded grid that only the
write's part tasks read (:func:`spool_write_only`: the cells' text of unknowns and factors, the
population source, the scores; when the map shows display cells, which the part tasks reduce from
their rows), and keeps those the write reads in the driver (:data:`WRITE_READS`: the run's summary,
the map's legend and scale).

Layout in the spool (removed with it after the run)::

    grid/part-<H3 parent>.parquet   the partition's spooled columns, indexed by ``h3_cell``
    grid/late-<H3 parent>.parquet   its columns spooled after the stages (:func:`spool_write_only`)
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import settings
from .cell_disks import cell_parents
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
    #: each partition's columns spooled after the stages (:func:`spool_write_only`), by H3 parent
    late_files: dict[str, str] = dataclasses.field(default_factory=dict)
    #: each partition's columns the screens' tasks wrote here themselves (the cells' factors in words:
    #: :func:`urbanrisk.screens_dask.factor_words_by_partition`), by H3 parent
    screen_files: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    #: whether a graded grid of these cells gets its write-only columns spooled after the stages (the
    #: run's map shows display cells: :func:`urbanrisk.run.network_spool`); None: never
    spools_late: Callable[[pd.Index], bool] | None = None
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

    def paths_of(self, parent: str) -> list[str]:
        """The spool's files holding partition ``parent``'s spooled columns (each some of them)."""
        return [
            *([self.files[parent]] if parent in self.files else []),
            *self.screen_files.get(parent, []),
            *([self.late_files[parent]] if parent in self.late_files else []),
        ]

    def lacking(self, parents: Iterable[str]) -> list[str]:
        """The partitions of ``parents`` (sorted) with no file, or lacking one of a kind others have."""
        parents = set(parents)
        kinds = (self.files, self.screen_files, self.late_files)
        none = {parent for parent in parents if not any(parent in kind for kind in kinds)}
        return sorted(none.union(*(parents - set(kind) for kind in kinds if kind)))

    def screen_path(self, name: str, parent: str) -> Path:
        """Where a screens' task writes partition ``parent``'s column ``name`` (:attr:`screen_files`)."""
        folder = self.folder / "grid"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{name}-{parent}.parquet"

    def add_screen_column(self, name: str, kept: Sequence[str], paths: dict[str, str]) -> None:
        """Column ``name``, written per partition by the screens' tasks (``paths``: parent -> file), goes
        back after the driver's columns ``kept`` (in order) and the spooled ones among them."""
        self.following = following_of([*self.full_order(kept), name], [*self.columns, name])
        for parent, path in paths.items():
            self.screen_files.setdefault(parent, []).append(path)

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


def current_spool(cells: int | None = None) -> GridSpool | None:
    """The spool of the run being computed (:func:`spooled_grid`), if any; for a grid stage of
    ``cells`` cells, None below :data:`urbanrisk.settings.grid_spool_min_cells` (nothing spooled)."""
    if cells is not None and cells < settings.grid_spool_min_cells:
        return None
    return _GRID_SPOOL.get()


def spool_takes_late(cells: pd.Index) -> GridSpool | None:
    """The run's spool when it takes the write-only columns of a graded grid of ``cells``
    (:attr:`GridSpool.spools_late`: the map shows display cells), else None (as below
    :data:`urbanrisk.settings.grid_spool_min_cells` cells: :func:`current_spool`)."""
    spool = current_spool(len(cells))
    if spool is None or spool.spools_late is None or not len(cells) or not spool.spools_late(cells):
        return None
    return spool


def spooled_rows(paths: Sequence[str], cells: pd.Index) -> pa.Table:
    """The spooled columns of ``cells`` (in their order) from the files at ``paths`` (each some of the
    columns of the same cells: the grid stage's, then those spooled after the stages), as Arrow."""
    combined = None
    for path in paths:
        table = pq.read_table(path)
        at = pd.Index(table.column(INDEX_NAME).to_numpy(zero_copy_only=False)).get_indexer(cells)
        if (at < 0).any():
            lacking = int((at < 0).sum())
            msg = f"the grid's spool lacks {lacking} of the part's cells (e.g. {cells[at < 0][0]})"
            raise OSError(msg)
        table = table.drop_columns([INDEX_NAME]).take(pa.array(at))
        if combined is None:
            combined = table
            continue
        for field, column in zip(table.schema, table.columns, strict=True):
            combined = combined.append_column(field, column)
    assert combined is not None, "no spooled file"
    return combined


#: The graded grid's columns the write stage reads in the driver: the run's summary (counts, grades,
#: residents unknown, each standard's uncovered area), the map's legend and scale (residents, grade).
#: Columns naming ``resource_`` stay too (the summary sums them), and columns of other types than
#: numbers, booleans and text (the coverage's ``<standard>_covered`` objects: each part's object types).
WRITE_READS = (
    "residents",
    "buildings",
    "footprint_m2",
    "crowd_places",
    "vulnerable_sites",
    "hazards",
    "street_length_m",
    "cell_area_m2",
    "grade",
    "known_residents",
)


def write_only_columns(grid: gpd.GeoDataFrame) -> list[str]:
    """The columns of ``grid`` the write stage reads only in its part tasks (:data:`WRITE_READS`)."""

    def plain(dtype: object) -> bool:
        if isinstance(dtype, pd.StringDtype):
            return True
        return isinstance(dtype, np.dtype) and dtype.kind in "fiub"

    return [
        name
        for name in grid.columns
        if name != grid.geometry.name
        and name not in WRITE_READS
        and "resource_" not in name
        and plain(grid[name].dtype)
    ]


def spool_write_only(grid: gpd.GeoDataFrame, spool: GridSpool, parents: np.ndarray) -> gpd.GeoDataFrame:
    """``grid`` without its :func:`write_only_columns`, which go to each partition's late file in
    ``spool`` (``parents``: each cell's H3 parent, the grid stage's partitions); ``spool`` learns
    where they go back in the grid's order. The write's part tasks read them back
    (:class:`urbanrisk.grid_dataset.PartRows`), ``result.grid`` once read (:func:`complete_grid`).
    """
    names = write_only_columns(grid)
    if not names or not len(grid):
        return grid
    spool.late_files.update(_spool_parts(grid, spool, parents, names, "late"))
    return grid.drop(columns=names)


#: The graded grid's text no stage after the screens reads in the driver, only the write's part tasks
#: (each cell's unknowns, population source, top hazard and grade's name): 116,645 cells held ~50 MB
#: of it from the screens through the responsibility list (:func:`spool_screen_text`).
SCREEN_TEXT = ("unknown", "population_source", "top_hazard", "grade_name")


def spool_screen_text(
    grid: gpd.GeoDataFrame,
    partition_resolution: int,
    finish: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> gpd.GeoDataFrame:
    """``grid`` without its :data:`SCREEN_TEXT`, which go to each partition's file in the run's spool,
    when it takes the write-only columns of these cells (:attr:`GridSpool.spools_late`); else ``grid``.
    ``finish``: what makes each partition's rows of them whole before they are written (the coverage
    standards left unknown added to each cell's unknowns: never the whole column in the driver)."""
    spool = spool_takes_late(grid.index)
    if spool is None:
        return grid
    names = [name for name in SCREEN_TEXT if name in grid.columns]
    if not names:
        return grid
    parents = part_parents(grid, partition_resolution)
    for parent, path in _spool_parts(grid, spool, parents, names, "text", finish).items():
        spool.screen_files.setdefault(parent, []).append(path)
    return grid.drop(columns=names)


def _spool_parts(
    grid: pd.DataFrame,
    spool: GridSpool,
    parents: np.ndarray,
    names: list[str],
    stem: str,
    finish: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> dict[str, str]:
    """Columns ``names`` of ``grid`` written to ``<spool>/grid/<stem>-<parent>.parquet``, one part's
    rows at a time (``parents``: each cell's; ``finish``: applied to each part's rows before), and
    ``spool`` learns where they go back. Returns the files."""
    order = spool.full_order(list(grid.columns))
    arrays = {name: grid[name].array for name in names}
    folder = spool.folder / "grid"
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for parent, positions in pd.RangeIndex(len(grid)).groupby(parents).items():
        path = folder / f"{stem}-{parent}.parquet"  # one part's rows at a time: ``grid[names]`` whole
        # copied the late columns' numbers (116,645 cells: ~95 MB) beside the grid, the write's peak;
        # each column's own rows taken (``grid.iloc[rows, names]`` took every column's rows first:
        # 0.73 -> 0.45 CPU s for 25 of 94 columns in 256 parts of 116,645 rows)
        rows = np.asarray(positions)
        taken = {name: array.take(rows) for name, array in arrays.items()}
        part = pd.DataFrame(taken, index=grid.index[rows])
        (part if finish is None else finish(part)).to_parquet(path)
        paths[str(parent)] = str(path)
    spool.following = following_of(order, [*spool.columns, *names])
    return paths


def with_spooled(rows: pd.DataFrame, spooled: pa.Table, order: Sequence[str]) -> pd.DataFrame:
    """``rows`` with the ``spooled`` columns (aligned to them) put back, columns in ``order``."""
    extra = spooled.to_pandas()
    extra.index = rows.index
    return rows.join(extra)[list(order)]


def part_parents(grid: pd.DataFrame, partition_resolution: int) -> np.ndarray:
    """Each cell's H3 parent at ``partition_resolution`` (its own id when coarser): its part."""
    resolution = h3.get_resolution(grid.index[0]) if len(grid) else partition_resolution
    return np.asarray(cell_parents(grid.index, min(partition_resolution, resolution)), dtype=object)


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

    The columns come back as the stages made them: numbers and booleans as numpy, text as pandas' text.
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
                column = table.column(name)
                if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):  # as pandas
                    values = column.to_pandas().iloc[at].array  # holds text (spool_write_only's)
                else:
                    values = column.to_numpy()[at]
                grid.insert(order.index(name), name, values)
            del table
    return grid
