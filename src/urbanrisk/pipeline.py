"""The stage sequence: recipe -> layers -> area -> H3 grid -> coverage -> screens and grades.

Each stage is a plain function a notebook can call alone::

    recipe = ur.load_recipe("recipes/beijing-wudaokou.yaml")
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    grid = build_grid(recipe, layers, area)
    coverage = coverage_for(recipe, layers, area, grid)
    graded, screens = screen_and_grade(recipe, layers, area, grid, utm_crs=utm_crs_for(area))

:func:`compute_run` runs them in order, in memory; writing a run folder is :mod:`urbanrisk.run`'s job.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from . import grid as gridmod
from ._gc import frozen_before
from ._malloc import use_system_arrow_pool
from .cache import Cache
from .cell_disks import forget as forget_cells
from .cell_disks import remember_cell_latlng
from .completeness import completeness_summary, forget_blocks, with_unknown_coverage
from .coverage import coverage_wide, standards_for
from .datum_check import registry_datum_notes
from .grade import INDICATORS, grade_cells
from .grid_spool import current_spool, spool_screen_text, spool_takes_late, with_polygons, without_polygons
from .hazard_table import hazard_inputs
from .inputs import CRS, check_points_inside, load_layers, study_area
from .layers.tabular import read_once
from .network import StreetGraph
from .parallel import beside, kept_pool, overlaps
from .partitions import build_grid, utm_crs_for
from .preflight import check_layers
from .recipe import Recipe
from .result import CoverageResult, Layers, RunResult, Screens
from .screens.communities import communities_screen
from .screens.registers import level_registers
from .screens.responsibility import responsibility_for
from .screens_dask import factor_words_by_partition
from .screens_free import area_apart, area_beside, area_task, coverage_free_part, free_pieces_task
from .site_hazards import major_hazard_scope_note, safety_distances_scope_note
from .stage_coverage import (
    coverage_beside,
    coverage_for,
    coverage_on_a_worker,
    inherit_coverage_inputs,
    run_street_graphs,
    screen_kernels_for,
    with_residents_known,
    with_routing_streets,
)
from .standards import unserved_registry_kinds
from .wording import counted

__all__ = [
    "build_grid",
    "compute_run",
    "coverage_for",
    "load_layers",
    "screen_and_grade",
    "study_area",
    "utm_crs_for",
]


def screen_and_grade(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    grid: gpd.GeoDataFrame,
    *,
    utm_crs: str,
    coping: pd.Series | None = None,
    unknown_coverage: Mapping[str, str] | None = None,
    scheduler: str | None = None,
    free: Mapping[str, Any] | None = None,
    hazards: Mapping[str, Any] | None = None,
) -> tuple[gpd.GeoDataFrame, Screens]:
    """Run the four screens and grade every cell; returns the graded grid and the screens.

    ``unknown_coverage``: the coverage standards left unknown, and why (``CoverageResult.unknown``):
    each cell's ``unknown`` names them. With ``compute.partitioned_screens`` the hazard intensity, the
    residents exposed and the clusters are Dask tasks per partition on ``scheduler``
    (:mod:`urbanrisk.screens_dask`: the same tables). ``free``: :func:`coverage_free_part`, when
    computed already (beside coverage); ``hazards``: its hazard inputs likewise (beside the grid).
    In a run on worker processes whose map shows display cells, the cells' factors are made per
    partition by tasks that write them to the run's spool (:mod:`urbanrisk.screens_dask`), and the
    graded grid's other text only the write reads goes there too once graded
    (:func:`urbanrisk.grid_spool.spool_screen_text`).
    """
    kernels = screen_kernels_for(recipe, scheduler)
    if free is None:
        free = coverage_free_part(
            recipe, layers, area, grid, utm_crs=utm_crs, scheduler=scheduler, hazards=hazards
        )
    hazard_table, hazard_status = free["hazards"]
    uv_scores, known = free["uv_scores"], free["known"]
    spool = spool_takes_late(grid.index)  # it takes the text only the write reads: made per partition
    finish = partial(with_unknown_coverage, unknown=unknown_coverage or {})
    known = finish(known) if spool is None else known  # each cell's unknowns name them, as it writes
    if coping is not None:  # outside the OSM data there is no street to measure travel on
        coping = coping.where(known["known_crowding"])
    level = gridmod.partition_resolution(recipe.grid.resolution, recipe.grid.partition_resolution)
    factors_of = kernels.get("factors_of")
    if factors_of is None and spool is not None:  # the run's spool takes them:
        # each partition's words made and written by a task on a worker, never whole in the driver
        factors_of = partial(factor_words_by_partition, partition_resolution=level, scheduler=scheduler)
    graded = grade_cells(
        gridmod.with_columns(grid, known),
        free["hazards_utm"],
        uv_scores["uv_score"],
        utm_crs=utm_crs,
        spec=recipe.grading,
        coping=coping,
        known=known,
        intensity_of=kernels.get("intensity_of"),
        factors_of=factors_of,
    )
    for column in uv_scores.columns:
        graded[column] = uv_scores[column]
    geometry = graded.pop("geometry")  # copy=False: geopandas copies a DataFrame whole (32 x 32: ~600 MB)
    graded = gpd.GeoDataFrame(graded.assign(geometry=geometry), geometry="geometry", crs=CRS, copy=False)
    communities, how = communities_screen(graded, free["hazards_utm"], utm_crs=utm_crs, units=free["units"])
    districts, villages, status = free["area_screens"]
    status = {
        "hazard_sources": hazard_status,
        "communities": f"ok: {counted(len(communities), 'unit')} from {how}",
        **status,
    }
    unknown = sorted(key for key in INDICATORS if not known[f"known_{key[6:]}"].all())
    screens = Screens(hazard_table, communities, districts, villages, status, unknown)
    screens.completeness = completeness_summary(graded, layers, unknown_coverage=unknown_coverage)
    if spool is not None:  # no later stage reads them: each partition's rows written whole at once
        graded = spool_screen_text(graded, level, finish)
    return graded, screens


def prepare_run(
    recipe: Recipe,
    *,
    cache: Cache | None,
    stage: Callable[[str, Callable[[], Any]], Any],
    scheduler: str | None = None,
    stored: Any = None,
) -> tuple[Layers, BaseGeometry, list[str]]:
    """The stages before the grid: layers, the study area, and the notes on points outside it.

    First the layers' headers, as ``urbanrisk validate`` reads them: every problem at once, before any
    work. ``scheduler``: where ``compute.ingest: partitioned`` ingests the OSM extracts (tasks on worker
    processes or a cluster, :func:`urbanrisk.inputs.load_layers`); None: in this process; ``stored``:
    the extracts' stores when ingested ahead (a batch). Stored layers on worker processes or a cluster
    keep only the streets' classes when coverage runs as one task on a worker (it reads the graph's
    streets from the store itself); else the driver reads them once here.
    """
    with read_once():  # each CSV / Excel registry parsed once for both
        stage("preflight", lambda: check_layers(recipe))
        layers = stage("layers", lambda: load_layers(recipe, cache=cache, scheduler=scheduler, stored=stored))
    if not coverage_on_a_worker(recipe, scheduler or "synchronous"):  # the driver builds the street graphs
        layers = with_routing_streets(layers, scheduler)  # read once, on the workers (stored streets)
    area = stage("area", lambda: study_area(recipe, layers))
    notes = list(layers.notes) + registry_datum_notes(layers, recipe.layers)  # GCJ-02 read as WGS84...
    for what, points in (("hazards", layers.hazards), ("resources", layers.resources)):
        note = check_points_inside(points, area, what)
        if note:
            notes.append(note)
    cov = recipe.coverage  # its standards resolved once: coverage reads them from the layers
    standards = layers.standards = standards_for(cov.standards, cov.override_dict(), recipe.tables.standards)
    notes += unserved_registry_kinds(standards, layers.resources, cov.standards, layers.complete_kinds)
    notes += safety_distances_scope_note(recipe, area)  # GB distances on Baltimore: said, not silent
    notes += major_hazard_scope_note(recipe, area, layers.hazards)  # and GB 18218's grades
    shapely.prepare(area)
    for what, frame, then in (
        ("buildings", layers.buildings, "no resident or building is counted from them"),
        ("polygons", layers.communities, "cells fall to H3 parent units"),
    ):  # an area drawn away from the data (a bbox typed wrong) ran to the end with every cell empty
        if what == "buildings" and layers.store is not None:  # stored: stops at the first partition inside
            count = layers.store.count("buildings")
            outside = count and not layers.store.intersects("buildings", area)
        else:
            count = len(frame) if frame is not None else 0
            outside = count and not shapely.intersects(area, frame.geometry.to_numpy()).any()
        if outside:
            notes.append(f"{what}: none of the {count:,} lies in the study area: {then} (check area:)")
    return layers, area, notes


def finish_run(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    grid: gpd.GeoDataFrame,
    *,
    scheduler: str | None,
    stage: Callable[[str, Callable[[], Any]], Any],
    graphs: dict[str, StreetGraph] | None = None,
    timings: dict[str, float] | None = None,
    hazards: Mapping[str, Any] | None = None,
) -> tuple[gpd.GeoDataFrame, CoverageResult, Screens]:
    """The stages after the grid: coverage, screens and grades; the grid with coverage columns.

    The cell centres are kept first, once for both stages and the data extent's masks (per
    partition with the screens' kernels); ``graphs``: street graphs already built
    (:func:`run_street_graphs`), emptied after coverage;
    ``timings``: where the screens' coverage-free part beside coverage (on workers) records its seconds;
    ``hazards``: the hazard screen's grid-free part (:func:`urbanrisk.hazard_table.hazard_inputs`), when
    computed already."""
    side = stage_timer({} if timings is None else timings)  # without the hook: it runs beside a stage
    with kept_pool():  # their partitions (when the recipe asks) share one pool of worker processes
        (screen_kernels_for(recipe, scheduler).get("centres_of") or remember_cell_latlng)(grid.index)
        grid = with_residents_known(grid, layers)  # coverage's sums and the screens read the flags alike
        utm_crs = utm_crs_for(area)
        # coverage one task on a worker: the free part's own pieces on the other (hazard table, units),
        # the area screens on a worker forked for them (else a task beside), the driver meanwhile only
        # the measured indicators
        pieces = hazards is not None and coverage_on_a_worker(recipe, scheduler or "synchronous")
        forked = pieces and area_apart(scheduler or "synchronous")  # the grid inherited, not pickled
        also = []
        if pieces:
            also = [free_pieces_task(recipe, layers, area, grid, utm_crs=utm_crs, hazards=hazards)]
        if pieces and not forked:  # first: the longer of the two (16 tiles: ~0.85 / ~0.35 CPU s)
            also.insert(0, area_task(recipe, layers, grid, utm_crs=utm_crs))
        free_part = partial(
            coverage_free_part,
            recipe,
            layers,
            area,
            grid,
            utm_crs=utm_crs,
            hazards=hazards,
            pieces_elsewhere=pieces,
        )
        covered = partial(  # on workers, the driver meanwhile computes the screens' free part
            coverage_beside,
            recipe,
            layers,
            area,
            grid,
            lambda: side("screens_free", free_part),
            scheduler=scheduler,
            graphs=graphs,
            also=also,
            found=None if hazards is None else hazards["found"],  # found once, beside the grid
        )
        if forked:
            both = partial(area_beside, recipe, layers, grid, covered, utm_crs=utm_crs, scheduler=scheduler)
            area_screens, (coverage, free, done) = stage("coverage", both)
            done = [area_screens, *done]
        else:
            coverage, free, done = stage("coverage", covered)
        if free is not None and done:
            free = {**free, **done[0], **done[1]}
        if graphs is not None:  # built before coverage, they outlived it (32 x 32: ~330 MB)
            graphs.clear()  # in every caller's hands: coverage's network tables keep what outputs need
        grid, screens = stage(
            "screens",
            lambda: screen_and_grade(
                recipe,
                layers,
                area,
                grid,
                utm_crs=utm_crs_for(area),
                coping=coverage.coping,
                unknown_coverage=coverage.unknown,
                scheduler=scheduler,
                free=free,
                hazards=hazards,
            ),
        )
    wide = coverage_wide(coverage.coverage)
    if len(wide.columns):
        geometry = grid.pop("geometry")
        grid = gridmod.with_columns(grid, wide).assign(geometry=geometry)
        grid = gpd.GeoDataFrame(grid, geometry="geometry", crs=CRS, copy=False)
    screens.registers = stage(
        "registers",
        lambda: level_registers(
            grid,
            layers.communities,
            hazard_sources=screens.hazard_sources,
            coverage=coverage.coverage,
            utm_crs=utm_crs_for(area),
            census=layers.population_table,
        ),
    )
    screens.responsibility = stage(
        "responsibility", lambda: responsibility_for(recipe, layers, grid, screens, coverage)
    )
    forget_cells()  # the cell centres, disks and blocks the stages shared: no output reads them
    forget_blocks()
    return grid, coverage, screens


def stage_timer(
    timings: dict[str, float], hook: Callable[[str], None] | None = None
) -> Callable[[str, Callable[[], Any]], Any]:
    """``stage(name, func)``: call ``func``, record its seconds in ``timings``, then ``hook(name)``."""

    def stage(name: str, func: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = func()
        timings[name] = round(time.perf_counter() - start, 3)
        if hook is not None:
            hook(name)
        return value

    return stage


@frozen_before  # the objects of imports and earlier runs are not walked by each collection (~0.2 s)
def compute_run(
    recipe: Recipe,
    *,
    scheduler: str,
    force: bool = False,
    progress: bool = False,
    cache: Cache | None = None,
    hook: Callable[[str], None] | None = None,
) -> RunResult:
    """Every stage of a run, in memory: layers, area, grid, coverage, screens and grades.

    ``hook(stage)`` is called after each stage (progress reports, crash tests). From the grid stage on
    the grid holds no cell polygons (the stages make the few they need from the cells' ids); the
    result's grid has them again, unless the grid stage spooled its columns (a run on worker
    processes writing its folder: the write makes each part's, ``result.grid`` once read).
    """
    timings: dict[str, float] = {}
    stage = stage_timer(timings, hook)
    use_system_arrow_pool()  # freed Arrow buffers go back to the C heap (~100 MB lower driver peak)
    layers, area, notes = prepare_run(recipe, cache=cache, stage=stage, scheduler=scheduler)
    inherit_coverage_inputs(layers)  # worker processes forked from here on (the grid's) hold them
    gridmod.fix_allocator_for(area, recipe.grid.resolution)  # large jobs: freed arrays go back
    options = {"scheduler": scheduler, "force": force, "progress": progress, "cache": cache}
    options["polygons"] = False  # dropped below (without_polygons): the driver makes none for the workers
    beside_grid = stage_timer(timings)  # timed without the hook: it may run beside the grid stage

    def side() -> tuple[dict[str, StreetGraph], dict[str, Any] | None]:
        graphs = beside_grid("street_graphs", lambda: run_street_graphs(recipe, layers, area, scheduler))
        if not overlaps(scheduler):  # the screens compute it, in their stage
            return graphs, None
        return graphs, beside_grid(
            "hazard_inputs", lambda: hazard_inputs(recipe, layers, area, utm_crs_for(area))
        )

    grid, (graphs, hazards) = beside(  # on worker processes the driver works from the layers meanwhile
        lambda: stage("grid", lambda: build_grid(recipe, layers, area, **options)), side, scheduler=scheduler
    )
    grid = without_polygons(grid)  # the stages make the few they need from the cells (cell_shapes: ~88 MB)
    result = complete_run(
        recipe,
        layers,
        area,
        grid,
        notes,
        timings,
        scheduler=scheduler,
        stage=stage,
        graphs=graphs,
        hazards=hazards,
    )
    spool = current_spool()
    if spool is None or not spool.columns:  # else the write makes each part's, result.grid once read
        result.grid = with_polygons(result.grid)
    return result


def complete_run(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    grid: gpd.GeoDataFrame,
    notes: list[str],
    timings: dict[str, float],
    *,
    scheduler: str,
    stage: Callable[[str, Callable[[], Any]], Any],
    graphs: dict[str, StreetGraph] | None = None,
    hazards: Mapping[str, Any] | None = None,
) -> RunResult:
    """The stages after the grid (:func:`finish_run`), gathered with the rest into one :class:`RunResult`."""
    grid, coverage, screens = finish_run(
        recipe,
        layers,
        area,
        grid,
        scheduler=scheduler,
        stage=stage,
        graphs=graphs,
        timings=timings,
        hazards=hazards,
    )
    return RunResult(
        recipe=recipe,
        grid=grid,
        layers=layers,
        area=area,
        timings=timings,
        notes=[*notes, *(n for n in layers.notes if n not in notes)],  # and those made on the grid (census)
        screens=screens,
        coverage=coverage,
    )
