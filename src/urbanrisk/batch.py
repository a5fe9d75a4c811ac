"""Several recipes as one Dask graph on one scheduler (``urbanrisk run a.yaml b.yaml``).

The driver loads each recipe's layers and study area and plans its partitions; then one graph holds
every recipe's grid partitions (:func:`urbanrisk.indicators.partition_indicators`, the same tasks as a
single run) and, per recipe, one task that assembles the grid, runs coverage, screens and grades,
and writes the recipe's run folder through the life cycle (partial folder, fsync, rename,
``latest``): each run folder appears whole or not at all, whatever happens to the others. The
driver holds every recipe's run lock for the whole batch.

On worker processes or a cluster, the OSM extracts of every recipe under ``compute.ingest:
partitioned`` are ingested first, all at once, by tasks there (:mod:`urbanrisk.ingest_tasks`).
Within a batch the partition cache is not used and a recipe's own ``compute.scheduler`` is
ignored (one scheduler for the graph); partitioned coverage and screens, when a recipe asks for them,
run their partitions inside the recipe's task (synchronously: a task does not start a second graph).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import dask

from . import grid as gridmod
from ._errors import GridError, InputError
from .indicators import partition_indicators
from .lifecycle import run_lock
from .parallel import compute_graph, kept_pool, overlaps, resolve_scheduler
from .partitions import grid_from_tables, partition_inputs, task_source, utm_crs_for
from .pipeline import complete_run, prepare_run, stage_timer
from .population_table import with_table_residents
from .preflight import check_layers, load_checked
from .recipe import Recipe
from .run import write_run
from .same_sites import with_site_counts
from .stored_osm import StoredOsm, ingest_many, ingest_request


def _finish(
    recipe: Recipe,
    prepared: tuple[Any, Any, list[str]],
    timings: dict[str, float],
    out_dir: Path,
    scheduler: str,
    batch: list[str],
    *tables: Any,
) -> Path:
    """One recipe's task after its partitions: grid, coverage, screens, grades, its run folder."""
    layers, area, notes = prepared
    timings = dict(timings)
    stage = stage_timer(timings)
    grid = stage(
        "grid",
        lambda: with_table_residents(
            with_site_counts(
                grid_from_tables(list(tables), layers.population_source), layers, recipe.grid.resolution
            ),
            layers,
            area,
        ),
    )
    result = complete_run(recipe, layers, area, grid, notes, timings, scheduler="synchronous", stage=stage)
    # inside a task: the grid's parts are written here, synchronously (no second graph)
    return write_run(
        result, out_dir, scheduler=scheduler, manifest_extra={"batch": batch}, write_scheduler="synchronous"
    )


def _ingest_ahead(recipes: list[Recipe], scheduler: str) -> list[StoredOsm | None]:
    """On worker processes or a cluster, the OSM extracts of every recipe under ``compute.ingest:
    partitioned`` ingested at once, by tasks there (after those recipes' preflight: their files'
    problems first); None for a recipe that ingests none (or elsewhere: each run ingests its own)."""
    requests = [ingest_request(recipe) if overlaps(scheduler) else None for recipe in recipes]
    if not any(requests):
        return [None] * len(recipes)
    for recipe, request in zip(recipes, requests, strict=True):
        if request is not None:
            check_layers(recipe)
    stored = iter(ingest_many([r for r in requests if r is not None], scheduler=scheduler))
    return [next(stored) if request is not None else None for request in requests]


def run_batch(
    recipes: list[Recipe | str | Path],
    *,
    scheduler: str | None = None,
    force: bool = False,
    progress: bool = False,
) -> list[Path]:
    """Run several recipes as one Dask graph; returns each recipe's run folder, in order.

    Raises
    ------
    InputError
        When two recipes write to the same ``outputs.dir``.
    """
    loaded = [r if isinstance(r, Recipe) else load_checked(r) for r in recipes]
    out_dirs = [Path(r.outputs.dir).resolve() for r in loaded]
    if len(set(out_dirs)) < len(out_dirs):
        msg = "two recipes of the batch write to the same outputs.dir: give each its own folder"
        raise InputError(msg)
    scheduler = resolve_scheduler(scheduler)
    names = [r.name for r in loaded]
    with contextlib.ExitStack() as stack, kept_pool():  # one pool: the ingest tasks' and the graph's
        for out_dir in out_dirs:
            stack.enter_context(run_lock(out_dir))
        finals = []
        ahead = _ingest_ahead(loaded, scheduler)
        for recipe, out_dir, stored in zip(loaded, out_dirs, ahead, strict=True):
            timings: dict[str, float] = {}
            layers, area, notes = prepare_run(recipe, cache=None, stage=stage_timer(timings), stored=stored)
            gridmod.check_job(area, recipe.grid.resolution, force=force or recipe.grid.force)
            cells = gridmod.cells_from_area(area, recipe.grid.resolution)
            if not cells:
                msg = f"{recipe.name}: the study area holds no H3 cell: is the area empty?"
                raise GridError(msg)
            source = stack.enter_context(task_source(recipe, layers, scheduler))
            tasks = partition_inputs(recipe, layers, area, cells, utm_crs=utm_crs_for(area), source=source)
            tables = [dask.delayed(partition_indicators, pure=True)(task) for task in tasks]
            finals.append(
                dask.delayed(_finish, pure=False)(
                    recipe, (layers, area, notes), timings, out_dir, scheduler, names, *tables
                )
            )
        return compute_graph(finals, scheduler=scheduler, progress=progress)
