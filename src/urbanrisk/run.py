"""``run_recipe``: compute a recipe's stages and write its run folder through the life cycle."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import h3

from ._malloc import trim_heap
from .cache import Cache
from .grid import partition_resolution
from .grid_spool import (
    GridSpool,
    complete_grid,
    part_parents,
    spool_write_only,
    spooled_grid,
    without_polygons,
)
from .lifecycle import clear_debris, new_run_folder, publish_run, run_key, run_lock
from .outputs import write_outputs
from .outputs.display import display_resolution
from .outputs.map import result_deck
from .outputs.summary import run_summary
from .outputs.writer import graph_scheduler
from .parallel import kept_pool, on_worker_processes, resolve_scheduler
from .pipeline import compute_run
from .preflight import load_checked
from .recipe import Recipe
from .result import RunResult
from .stage_coverage import spooled_network

#: The write graph's tasks (:mod:`urbanrisk.outputs.writer`) a run on ``processes`` sends to its kept
#: pool's workers: each holds the interpreter lock for seconds (GeoPackage layers, the map's deck), and
#: the grid's parts (each reads its spooled columns, makes its polygons and display rows there: 256
#: tiles, ~5.8 driver CPU s in threads), and the responsibility list's workbook (openpyxl); the other
#: tables stay in the driver's threads.
WRITE_ON_WORKERS = ("write-gpkg", "write-map", "write-grid-part", "write-book")
#: The prefix of the folder (in ``<out>/runs``) where a run's tasks write tables before its run folder
#: exists (:func:`network_spool`); one left by a killed run is removed by the next.
SPOOL_PREFIX = ".spool-"


@contextlib.contextmanager
def network_spool(out_dir: Path, scheduler: str) -> Iterator[GridSpool | None]:
    """On ``processes``: a folder beside the run folders (same disk: its files are linked into the run
    folder) where the coverage task writes the network tables itself
    (:func:`urbanrisk.stage_coverage.spooled_network`) and the grid stage's tasks the grid's columns
    no stage reads (:func:`urbanrisk.grid_spool.spooled_grid`, yielded), removed at the end. The
    caller holds the run lock. Elsewhere nothing (None): threads hold them anyway, a cluster's
    workers may not share the disk."""
    if scheduler != "processes":
        yield None
        return
    clear_debris(out_dir)  # makes runs/ (or says clearly why it cannot)
    runs = Path(out_dir).resolve() / "runs"
    for stale in runs.glob(f"{SPOOL_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=SPOOL_PREFIX, dir=runs))
    try:
        with spooled_network(folder), spooled_grid(folder) as grid_spool:
            yield grid_spool
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def partition_level(grid: Any) -> int:
    """The H3 resolution of the grid stage's partitions (the write's parts) of a recipe's ``grid``."""
    return partition_resolution(grid.resolution, grid.partition_resolution)


def shows_display_cells(result: RunResult) -> bool:
    """True when the map of ``result`` shows display cells reduced by the write's part tasks (a
    graded grid of more than ``settings.max_map_cells`` cells), not the grid's cells themselves: the
    map then reads only the grid's residents, grades and bounds (:func:`.outputs.writer.map_input`)."""
    grid = result.grid
    return "grade" in grid.columns and display_cells_of(grid.index)


def display_cells_of(cells: Any) -> bool:
    """True when a graded grid of ``cells`` (H3 ids) is shown on the map by display cells, the write's
    part tasks reducing them (then its write-only columns are spooled: the screens' factors by the
    tasks that make them, :attr:`urbanrisk.grid_spool.GridSpool.spools_late`)."""
    return bool(len(cells)) and display_resolution(len(cells), h3.get_resolution(cells[0])) is not None


def write_run(
    result: RunResult,
    out_dir: Path,
    *,
    scheduler: str,
    after_file: Callable[[str], None] | None = None,
    extra: Callable[[Path], dict[str, Any]] | None = None,
    manifest_extra: dict[str, Any] | None = None,
    write_scheduler: str | None = None,
) -> Path:
    """Write ``result``'s run folder under ``out_dir``, point ``latest`` at it, publish it if asked.

    The caller holds :func:`urbanrisk.lifecycle.run_lock`. ``extra(folder)`` may write more files
    into the unfinished folder (a rescan's changes and alerts) and returns manifest entries. The
    grid's parts, tables, GeoPackage and map are one Dask graph under ``write_scheduler`` (default:
    :func:`urbanrisk.outputs.writer.graph_scheduler` of ``scheduler``, threads for ``processes``;
    then, in a kept pool, the tasks :data:`WRITE_ON_WORKERS` run on its worker processes).

    Returns
    -------
    pathlib.Path
        The complete run folder.
    """
    recipe = result.recipe
    with new_run_folder(out_dir, keep=recipe.outputs.keep, recipe=recipe.name) as folder:
        run = {
            "stamp": folder.stamp,
            "run_key": run_key(recipe),
            "scheduler": scheduler,
            **(manifest_extra or {}),
        }
        offload = WRITE_ON_WORKERS if write_scheduler is None and scheduler == "processes" else ()
        with on_worker_processes(*offload):
            write_outputs(
                result,
                folder.path,
                run=run,
                after_file=after_file,
                extra=extra,
                scheduler=write_scheduler or graph_scheduler(scheduler),
            )
    assert folder.final is not None
    result.run_dir = folder.final
    coverage = result.coverage
    if coverage is not None and coverage.network_files:  # written by a task: now the run folder's
        coverage.network_files = {
            name: str(folder.final / f"{name}.parquet") for name in coverage.network_files
        }
    if recipe.outputs.publish:
        result.published = publish_run(folder.final, recipe.outputs.publish)
    return folder.final


def run_recipe(
    recipe: Recipe | str | Path,
    *,
    out: str | Path | None = None,
    scheduler: str | None = None,
    force: bool = False,
    progress: bool = False,
    write: bool = True,
    cache: Cache | None = None,
    after_stage: Callable[[str], None] | None = None,
) -> RunResult:
    """Run a recipe end to end and (by default) write its run folder.

    Parameters
    ----------
    recipe
        A validated :class:`Recipe` or the path of a recipe file.
    out
        Output folder replacing the recipe's ``outputs.dir``.
    scheduler
        ``synchronous``, ``threads``, ``processes`` or ``tcp://host:port``; None: the recipe's
        ``compute.scheduler``, else the measured default.
    force
        Run even when the grid would exceed the cell limit.
    write
        Write ``<out>/runs/<timestamp>`` and point ``<out>/latest`` at it, holding the recipe's run
        lock for the whole run (a second run of the same recipe is refused at once).
    cache
        Reuse unchanged OSM layers and grid partitions (see :mod:`urbanrisk.cache`).
    after_stage
        Called with each stage's name, then each output file's name, once it is done.

    Returns
    -------
    RunResult
        With ``map()`` ready for a notebook.
    """
    if not isinstance(recipe, Recipe):
        recipe = load_checked(recipe)  # a missing file is listed with the other layers' problems
    scheduler = resolve_scheduler(scheduler or recipe.compute.scheduler)
    options = {
        "scheduler": scheduler,
        "force": force,
        "progress": progress,
        "cache": cache,
        "hook": after_stage,
    }
    if not write:
        with kept_pool():  # one pool of worker processes for every stage's partitions (processes)
            result = compute_run(recipe, **options)
        result.renderer = result_deck
        return result
    out_dir = Path(out) if out is not None else Path(recipe.outputs.dir)
    with (
        run_lock(out_dir, store=recipe.compute.store),
        kept_pool(),
        network_spool(out_dir, scheduler) as spool,
    ):
        if spool is not None:  # the map shows display cells: the factors' tasks spool them (screens_dask)
            spool.spools_late = display_cells_of
        result = compute_run(recipe, **options)
        if spool is not None and spool.columns:  # the stages are done with the cells' polygons too:
            result.grid_spool = spool  # the write makes each part's (116,645 cells: ~88 MB fewer here)
            result.grid, spool.polygons_dropped = without_polygons(result.grid), True
            if shows_display_cells(result):  # the columns only the write's part tasks read, spooled
                parents = part_parents(result.grid, partition_level(recipe.grid))
                result.grid = spool_write_only(result.grid, spool, parents)
        trim_heap()  # what the stages freed, given back before the write stage allocates its own
        result.renderer = result_deck
        start = time.perf_counter()
        write_run(result, out_dir, scheduler=scheduler, after_file=after_stage)
        result.timings["write"] = round(time.perf_counter() - start, 3)
        if result.grid_spool is not None and result.run_dir is not None:  # its spooled columns: from
            # the run folder's parts when ``result.grid`` is first read (a notebook), never by the CLI
            result.summary = run_summary(result)  # what the CLI prints reads none of them
            result.grid_completion = partial(complete_grid, spool=result.grid_spool, run_dir=result.run_dir)
        result.grid_spool = None
    return result
