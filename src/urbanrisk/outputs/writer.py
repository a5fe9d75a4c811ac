"""The write stage as two Dask computations on the run's scheduler: the grid's parts, the tables, the
GeoPackage, the map, the report and the manifest's contents are made by tasks, the driver only cuts
the grid, waits and writes the manifest last::

    grid part tasks (one per partition: write, fsync, reduce to the map's display rows)
      -> grid: check the parts, fsync grid/, merge the display rows
    then, at once (on threads a thread each):
      risk.gpkg: the grid layer streamed from the parts, then the other layers
      map.html: the deck of the display cells, its JSON, the page
      tables: one Parquet file per screen, coverage and incident table
      report.html and the manifest's contents (``beside``: :func:`urbanrisk.outputs.write_outputs`)

The grid's parts are computed first and apart (one thread per core: each holds its part's frame),
their jobs then dropped; the second computation's tasks read only what the parts wrote.

The tasks do what the driver did one after the other (same functions, same files: the tests compare
them), two or more at once: Arrow and Parquet release the GIL, so ``threads`` overlap too. GDAL
(pyogrio) does not: on ``threads`` the GeoPackage is written by a child forked as the stage starts
(:mod:`.forked`), which makes its layers' tables meanwhile and writes once the parts are done; the
tables wait for the parts too, which release it. A run on ``processes`` sends the grid's parts, the
GeoPackage, the map and the responsibility workbook to its kept pool's workers instead
(:data:`urbanrisk.run.WRITE_ON_WORKERS`, :func:`urbanrisk.parallel.on_worker_processes`; no fork).
Each task fsyncs what it wrote, so that the disk writes overlap the other tasks' work (the life
cycle still fsyncs every file before it publishes the run: then they are clean and quick).
Each task gets only what it writes: on worker processes its inputs are pickled into a temporary file
by a task of this process, which the worker reads and removes (:func:`_spool_call`; the
map gets no coverage table or street graph, nor the whole grid when it shows display cells).
A run on ``processes`` or a ``tcp://`` cluster writes in threads of this process
(:func:`graph_scheduler`), but for the tasks named above: shipping every input costs more than it
saves, and the partial run folder is on this machine's disk, which a cluster's workers may not share.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Collection
from functools import partial
from pathlib import Path
from typing import Any

import dask
import geopandas as gpd
import numpy as np
import shapely

from .. import grid_dataset
from ..coverage_unknown import travel_flags
from ..grid import cells_near_bounds, cells_to_polygons
from ..grid_spool import with_polygons
from ..parallel import compute_graph, runs_on_workers
from ..result import GRADES, RunResult
from ..worker_pool import pool_inherited
from .forked import ForkedCall
from .gpkg import ask_geometries, gpkg_sources, prepare_gpkg_layers, write_gpkg_layers, write_prepared_gpkg
from .map import write_map
from .spool_pickle import dump_call, load_call
from .summary import RunSummary
from .tables import DisplayPlan, grid_jobs, grid_outputs, parquet_tables, write_book, write_tables


def _geometry_only(frame: Any, keep: tuple[str, ...] = (), whole: Collection[int] = ()) -> Any:
    """``frame``'s geometry and ``keep`` columns; ``frame`` itself when its ``id`` is in ``whole``."""
    if not isinstance(frame, gpd.GeoDataFrame) or id(frame) in whole:
        return frame
    return frame[[*(c for c in keep if c in frame.columns), frame.geometry.name]]


def map_input(result: RunResult, plan: DisplayPlan, whole: Collection[int] = ()) -> RunResult:
    """``result`` with what the map reads: buildings and streets as geometries (context; streets with
    their class, :mod:`.map_context`), of the coverage table only each cell's 2SFCA supply when the
    map shows the cells (:mod:`.map_cells`), no street graphs, no lack-of-coping series, no places,
    land use or street nodes (none is drawn), and only the grid's residents and geometry (legend and
    scale) when the map shows display cells from the parts; of a graded grid then only the cells that
    hold its bounds (:func:`bounding_rows`: the grade legend counts from the run's summary); of the
    coverage table also each row's ``travel_known`` and ``reason`` (only the rows of unknown travel when
    the map shows display cells). On worker
    processes this is what the driver pickles to the map's task; buildings and streets whose ``id`` is
    in ``whole`` (frames the workers inherited, sent as a number: :mod:`.spool_pickle`) stay whole."""
    coverage = result.coverage
    if coverage is not None:
        supply = ["h3_cell", "standard", "supply_per_person", "supply_bound"]
        table = coverage.coverage
        shown = plan[2] is None and set(supply) <= set(table.columns)
        # and why a cell's travel is unknown (the legend counts them, the tips say it: .map_unknown)
        kept = [c for c in (*supply, "travel_known", "reason") if c in table.columns]
        table = table[kept] if shown else table.loc[~travel_flags(table), kept]
        table = table.astype({"reason": "category"}) if "reason" in kept else table  # few distinct
        coverage = dataclasses.replace(
            coverage, coverage=table, network_nodes=None, network_edges=None, coping=None
        )
    layers = dataclasses.replace(  # the map draws no place, land use or street node (256 tiles: 23 MB)
        result.layers,
        buildings=_geometry_only(result.layers.buildings, (), whole),
        streets=_geometry_only(result.layers.streets, ("highway",), whole),
        pois=result.layers.pois.iloc[:0],
        landuse=result.layers.landuse.iloc[:0],
        street_nodes=result.layers.street_nodes.iloc[:0],
    )
    grid = result.grid
    dropped = result.grid_spool is not None and result.grid_spool.polygons_dropped  # made from the cells
    if plan[2] is not None:
        graded = "grade" in grid.columns and bool(grid["grade"].isin(GRADES).any())
        grid = grid[["residents", grid.geometry.name]]
        if graded:  # the grade legend reads only the grid's bounds and resolution (its scale line)
            rows = cell_bounding_rows(grid.index) if dropped else bounding_rows(grid.geometry.array)
            grid = grid.iloc[rows]
    if dropped:
        grid = with_polygons(grid)
    return dataclasses.replace(result, grid=grid, layers=layers, coverage=coverage, renderer=None)


def cell_bounding_rows(cells: Any) -> np.ndarray:
    """:func:`bounding_rows` of the cells' polygons, made only for the cells that can reach their bounds
    (:func:`urbanrisk.grid.cells_near_bounds`; 256 tiles: not 116,645 polygons for 5 rows): rows that
    together have every cell polygon's ``total_bounds``, the first among them."""
    if not len(cells):
        return np.arange(0)
    near = cells_near_bounds(list(cells))  # every cell reaching an extreme is one: the same first ones
    bounds = shapely.bounds(cells_to_polygons([cells[i] for i in near]))
    extremes = [*np.nanargmin(bounds[:, :2], axis=0), *np.nanargmax(bounds[:, 2:], axis=0)]
    return np.union1d([0], near[extremes])


def bounding_rows(geometries: Any) -> np.ndarray:
    """The positions of the first geometry and of those that reach the bounds' extremes, in order:
    together they have every geometry's ``total_bounds`` (256 tiles: 5 cells sent, not 116,645).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> bounding_rows([box(1, 1, 2, 2), box(0, 1, 1, 2), box(1, 1, 1.5, 1.5), box(1, 0, 3, 3)]).tolist()
    [0, 1, 3]
    """
    return rows_reaching(shapely.bounds(np.asarray(geometries, dtype=object)))


def rows_reaching(bounds: np.ndarray) -> np.ndarray:
    """:func:`bounding_rows` of geometries given by their ``shapely.bounds``."""
    if not len(bounds):
        return np.arange(0)
    extremes = [0, *np.nanargmin(bounds[:, :2], axis=0), *np.nanargmax(bounds[:, 2:], axis=0)]
    return np.unique(np.asarray(extremes, dtype=np.intp))


def _gpkg(path: Path, layers: dict[str, Any], area: Any, stored: Any, grid: tuple[list[str], Any]) -> str:
    """Task: ``risk.gpkg`` once the grid's parts are written (``grid``: their outcome)."""
    write_gpkg_layers(path, layers, area, stored=stored)
    grid_dataset.fsync_path(path)
    return path.name


#: Linux only: macOS's system libraries are not safe to use in a forked child, Windows cannot fork
#: (there the GeoPackage is written by a thread of the graph, as before).
FORK_OK = sys.platform.startswith("linux")


def _prepare_in_child(layers: dict[str, Any], area: Any) -> dict[str, Any]:
    """The forked writer's first step: Arrow allocates from the C library's heap from now on in this
    child (mimalloc, Arrow's default, kept ~60 MB of pages it had freed after reading the 8 x 8
    metropolis' grid parts, against ~20 MB: benchmarks/RESULTS.md, session 8), then the layers."""
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    return prepare_gpkg_layers(layers, area)


def _finish_gpkg(prepared: dict[str, Any], path: Path, area: Any, stored: Any) -> str:
    write_prepared_gpkg(path, prepared, area, stored=stored)
    grid_dataset.fsync_path(path)
    return path.name


def _gpkg_forked(call: ForkedCall, grid: tuple[list[str], Any]) -> str:
    """Task (threads): release the forked writer of ``risk.gpkg`` once the grid's parts are written
    and wait for it (:mod:`.forked`: GDAL holds the interpreter lock while it writes)."""
    return call.result()


def _map(result: RunResult, path: Path, summary: RunSummary, grid: tuple[list[str], Any]) -> str:
    """Task: ``map.html`` from the display cells merged from the parts (None: the grid's cells)."""
    write_map(result, path, summary=summary, display=grid[1])
    grid_dataset.fsync_path(path)
    return path.name


def _tables(
    tables: dict[str, Any], folder: Path, grid: tuple[list[str], Any], language: str, book: bool = True
) -> list[str]:
    """Task: the Parquet tables (and the responsibility CSV in ``language``; its workbook unless
    ``book`` is False), after the grid's parts: those release the GeoPackage's writer (the longest
    task), so they come first."""
    return _fsynced(folder, write_tables(tables, folder, language, book=book))


def _book(tables: dict[str, Any], folder: Path, language: str) -> list[str]:
    """Task (a worker of the kept pool): the responsibility list's workbook (:func:`.tables.write_book`)."""
    return _fsynced(folder, write_book(tables, folder, language))


def _fsynced(folder: Path, names: list[str]) -> list[str]:
    """``names`` (files in ``folder`` a task wrote), each fsynced (see the module's docstring)."""
    for name in names:
        grid_dataset.fsync_path(folder / name)
    return names


def _with_book(names: list[str], book: list[str]) -> list[str]:
    """The tables' file names with the workbook's after the list's CSV, where :func:`_tables` puts it.

    >>> _with_book(["a.parquet", "responsibility.csv", "b.parquet"], ["responsibility.xlsx"])
    ['a.parquet', 'responsibility.csv', 'responsibility.xlsx', 'b.parquet']
    """
    at = names.index("responsibility.csv") + 1 if "responsibility.csv" in names else len(names)
    return [*names[:at], *book, *names[at:]]


def _spool_call(folder: str, func: Callable[..., Any], *args: Any, inherited: dict[int, int]) -> str:
    """Task (a driver thread): ``(func, args)`` pickled into a temporary file in ``folder``, whose path
    it returns, for :func:`_call_spooled` on a worker of the kept pool.

    The pool would pickle a task's inputs whole into memory (the map's and the GeoPackage's: ~20 MB
    each at 256 tiles, both at once beside the tables); streamed to a file, the driver holds a
    pickle's frame at a time (arrays are written from their own memory: protocol 5), the geometries'
    WKB a chunk at a time (:mod:`.spool_pickle`); a frame the pool's workers inherited at their fork
    (``inherited``: ``{id: key}``, :func:`urbanrisk.worker_pool.pool_inherited`) as a number."""
    handle, path = tempfile.mkstemp(prefix="urbanrisk-write-", suffix=".pickle", dir=folder)
    os.close(handle)
    try:
        dump_call(path, func, args, inherited)
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    return path


def _call_spooled(path: str) -> Any:
    """Task (a worker of the kept pool): the call :func:`_spool_call` pickled in ``path``, which it
    removes once read."""
    func, args = load_call(path)
    return func(*args)


def _on_workers(
    func: Callable[..., Any], *args: Any, key: str, folder: str, inherited: dict[int, int]
) -> Any:
    """The task ``key`` calling ``func(*args)``; when it runs on the kept pool's workers
    (:func:`urbanrisk.parallel.runs_on_workers`), its inputs go there through a file in ``folder``
    (:func:`_spool_call`, a task of this process) rather than pickled whole in memory, those the
    workers inherited (``inherited``) as numbers."""
    if not runs_on_workers(key):
        return dask.delayed(func)(*args, dask_key_name=key)
    spool = partial(_spool_call, inherited=inherited)
    spooled = dask.delayed(spool)(folder, func, *args, dask_key_name=f"spool-{key}")
    return dask.delayed(_call_spooled)(spooled, dask_key_name=key)


def graph_scheduler(scheduler: str) -> str:
    """The scheduler of the write graph for a run on ``scheduler``: its own, but threads for
    ``processes`` and ``tcp://``.

    Every input of the write stage is in the driver's memory: worker processes would first unpickle
    the grid's parts, the buildings and streets (map and GeoPackage) and the tables, which at 64 tiles
    costs more than it saves (2 cores: 7.9 s CPU against 6.0 s in threads, benchmarks/RESULTS.md,
    "Write stage, session 5"); a cluster's workers may not share the driver's disk.

    Examples
    --------
    >>> graph_scheduler("processes"), graph_scheduler("synchronous")
    ('threads', 'synchronous')
    """
    return "threads" if scheduler == "processes" or scheduler.startswith("tcp://") else scheduler


def write_files(
    result: RunResult,
    folder: Path,
    *,
    summary: RunSummary,
    scheduler: str,
    beside: dict[str, Callable[[], Any]] | None = None,
) -> tuple[list[str], dict[str, Any]]:
    """Write the grid's parts, the tables, ``risk.gpkg`` and ``map.html`` into ``folder`` under
    ``scheduler``; returns what was written, as the hooks name it (``grid``, each table file,
    ``risk.gpkg``, ``map.html``), and the values of ``beside``.

    Two Dask computations: the grid's part tasks (on ``threads``: one thread per core), then the
    tables, the GeoPackage, the map and ``beside`` (name -> call: the report and the manifest, which
    the driver made after the graph before), on ``threads`` a thread each. Of those, the GeoPackage's
    and (on ``processes``) the map's only wait for another process (the forked writer, a worker of the
    kept pool): with one thread per core two such waits left the tables and the report queued behind
    them, and the GeoPackage (the longest) queued behind the manifest (benchmarks/RESULTS.md,
    session 19)."""
    if scheduler.startswith("tcp://"):
        scheduler = "threads"
    jobs, plan = grid_jobs(result, folder)
    language = getattr(getattr(result.recipe, "report", None), "language", None) or "en"
    path, layers, store = folder / "risk.gpkg", gpkg_sources(result), result.layers.store
    # on the kept pool's workers (processes), the frames they inherited go as numbers (.spool_pickle)
    offloaded = runs_on_workers("write-gpkg") or runs_on_workers("write-map")
    inherited = pool_inherited() if offloaded else {}
    forked, spool = None, tempfile.mkdtemp(prefix="urbanrisk-write-")  # the workers' inputs' files
    try:
        if scheduler == "threads" and FORK_OK and not runs_on_workers("write-gpkg"):  # before the threads
            finish = partial(_finish_gpkg, path=path, area=result.area, stored=store)
            ask_geometries(layers)  # the child then reads their pages without copying them
            forked = ForkedCall(finish, _prepare_in_child, layers, result.area)
        parts = [
            dask.delayed(grid_dataset.write_part)(job, dask_key_name=f"write-grid-part-{i}")
            for i, job in enumerate(jobs)
        ]
        del jobs  # each part's frame is held by its task only
        done = compute_graph(
            [dask.delayed(grid_outputs)(folder, parts, plan, dask_key_name="write-grid")], scheduler=scheduler
        )[0]
        del parts
        grid = dask.delayed(done, name="write-grid-done", traverse=False)
        if forked is not None:
            call = dask.delayed(forked, name="write-gpkg-call", traverse=False)
            gpkg = dask.delayed(_gpkg_forked)(call, grid, dask_key_name="write-gpkg")
        else:
            store = dask.delayed(store, name="write-gpkg-store", traverse=False)
            gpkg = _on_workers(
                _gpkg,
                path,
                layers,
                result.area,
                store,
                grid,
                key="write-gpkg",
                folder=spool,
                inherited=inherited,
            )
        shown = map_input(result, plan, whole=inherited)
        page = _on_workers(
            _map,
            shown,
            folder / "map.html",
            summary,
            grid,
            key="write-map",
            folder=spool,
            inherited=inherited,
        )
        made_tables, apart = parquet_tables(result), runs_on_workers("write-book")  # the workbook on a worker
        tables = dask.delayed(_tables)(
            made_tables, folder, grid, language, not apart, dask_key_name="write-tables"
        )
        listed = {k: v for k, v in made_tables.items() if k == "responsibility"}
        on = {"key": "write-book", "folder": spool, "inherited": inherited}
        book = [_on_workers(_book, listed, folder, language, **on)] if apart else []
        side = [
            dask.delayed(call, traverse=False)(dask_key_name=f"write-{name}")
            for name, call in (beside or {}).items()
        ]
        last = [gpkg, page, tables, *side, *book]  # a thread each: all start at once (see the docstring)
        threads = dask.config.set(num_workers=len(last)) if scheduler == "threads" else None
        with threads or contextlib.nullcontext():
            if scheduler == "synchronous":  # in this order, the longest first, as before session 19
                # (Dask's order put the GeoPackage last; the driver's peak was then +90 MB at 256 tiles)
                made = [compute_graph([task], scheduler=scheduler)[0] for task in last]
            else:
                made = compute_graph(last, scheduler=scheduler)
        gpkg_name, map_name, table_names, *values = made[: len(made) - len(book)]
        table_names = _with_book(table_names, made[-1] if book else [])
    finally:
        if forked is not None:
            forked.close()
        shutil.rmtree(spool, ignore_errors=True)  # with a file a worker that died never read
    return ["grid", *table_names, gpkg_name, map_name], dict(zip(beside or {}, values, strict=True))
