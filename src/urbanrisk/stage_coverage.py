"""The coverage stage of a run, and the same stage as one task on a worker while the driver works.

:func:`coverage_for` is the stage a notebook calls. :func:`coverage_beside` is how a run calls it: on
``processes`` or a ``tcp://`` cluster the whole-graph stage runs as **one Dask task on a worker**
(its inputs: the grid's residents and cell areas, the streets, street nodes, POIs, resources and
the cell centres; it builds the street graphs itself, :func:`run_street_graphs`; its result: the
:class:`~urbanrisk.result.CoverageResult`), or, with ``compute.partitioned_coverage``, as its
per-partition tasks; meanwhile the driver runs ``beside`` (the screens' part that needs no coverage,
:func:`urbanrisk.screens_free.coverage_free_part`). On ``synchronous`` and ``threads`` the two run one
after the other, in the driver, as before (a driver thread beside ``threads`` tasks would share
their interpreter lock). With ``compute.partitioned_screens`` the screens' part runs after coverage
too (its kernels are Dask computations of their own), when the screens need it.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import dask
import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from . import grid as gridmod
from . import settings
from ._gc import frozen_before
from .cell_disks import forget as forget_cells
from .cell_disks import kept_cell_latlng, remember_cell_latlng
from .completeness import COMPLETENESS_COLUMN, grid_completeness, osm_extent, residents_known, travel_known
from .coverage import coverage_stage, declare_complete, gaps_from_coverage, standards_for
from .coverage_dask import partitioned_coverage_stage
from .network import StreetGraph
from .parallel import beside, compute_graph, map_partitions, overlaps
from .partitions import utm_crs_for
from .recipe import Recipe
from .result import CoverageResult, Layers
from .screens_dask import screen_kernels
from .site_hazards import keep_away_table
from .stored_osm import STREET_COLUMNS, streets_and_nodes
from .street_graphs import street_graphs
from .street_rules import speed_table
from .worker_pool import Inherited, inherit, plain

B = TypeVar("B")

#: The grid's columns the whole-graph coverage stage reads (besides its index, the cells).
COVERAGE_COLUMNS = ["residents", "cell_area_m2", "known_residents", "known_travel"]

#: Where the coverage task on a local worker process writes the network tables (:func:`spooled_network`).
_NETWORK_SPOOL: contextvars.ContextVar[Path | None] = contextvars.ContextVar("network_spool", default=None)
#: The network tables' names, as the run folder's files are named (``<name>.parquet``).
NETWORK_TABLES = ("network_nodes", "network_edges")


@contextlib.contextmanager
def spooled_network(folder: Path) -> Iterator[None]:
    """Within this block, the whole-graph coverage task on a worker process (:func:`coverage_on_worker`
    on ``processes``) writes the network tables into ``folder`` itself, as the run folder keeps them
    (:func:`spill_network`), and returns their paths instead of the tables: the driver never holds them
    (64 tiles: ~23 MB). ``folder``: on this machine's disk (a ``tcp://`` cluster's workers may not
    share it: there the tables come back)."""
    token = _NETWORK_SPOOL.set(Path(folder))
    try:
        yield
    finally:
        _NETWORK_SPOOL.reset(token)


def spill_network(result: CoverageResult, folder: Path) -> CoverageResult:
    """``result`` with its network tables written into ``folder`` (``network_nodes.parquet``,
    ``network_edges.parquet``, as :func:`urbanrisk.outputs.tables.write_tables` writes them) and
    replaced by their paths (:attr:`urbanrisk.result.CoverageResult.network_files`)."""
    files = {}
    for name in NETWORK_TABLES:
        table = getattr(result, name)
        if table is None:
            continue
        path = Path(folder) / f"{name}.parquet"
        pd.DataFrame(table).to_parquet(path, index=False)
        files[name] = str(path)
    return dataclasses.replace(
        result, network_nodes=None, network_edges=None, network_files={**result.network_files, **files}
    )


def with_residents_known(grid: gpd.GeoDataFrame, layers: Layers) -> gpd.GeoDataFrame:
    """``grid`` with its ``known_residents`` (:func:`urbanrisk.completeness.residents_known`) and
    ``known_travel`` flags (:func:`urbanrisk.completeness.travel_known`), added (to a shallow copy)
    when it has none: coverage counts the uncovered cells of unknown residents beside its sums and
    leaves the cells outside the street data unknown (:mod:`urbanrisk.coverage_unknown`). The run's
    building completeness is estimated here, once, and added too (``building_completeness``, unless the
    grid has it): the residents flags and the screens' measured indicators read the same estimate, and
    no module keeps it between runs."""
    if "known_residents" in grid.columns and "known_travel" in grid.columns:
        return grid
    in_osm = travel_known(grid, layers)  # the OSM extent's cells, once for the three
    if COMPLETENESS_COLUMN not in grid.columns:
        estimate = grid_completeness(grid, layers, in_osm=in_osm)
        grid = gridmod.with_columns(grid, estimate.to_frame(COMPLETENESS_COLUMN))
    flags = pd.DataFrame(
        {"known_residents": residents_known(grid, layers, in_osm=in_osm), "known_travel": in_osm},
        index=grid.index,
    )
    return gridmod.with_columns(grid, flags)


def with_routing_streets(layers: Layers, scheduler: str | None = None) -> Layers:
    """``layers`` with the street graph's streets and their nodes, read from the store (on ``scheduler``'s
    workers, :func:`urbanrisk.stored_osm.streets_and_nodes`) when the driver holds only the streets'
    classes (:attr:`urbanrisk.result.Layers.streets_in_store`); else ``layers`` itself."""
    if not layers.streets_in_store:
        return layers
    streets, nodes = streets_and_nodes(layers.store, STREET_COLUMNS, scheduler=scheduler)
    return dataclasses.replace(layers, streets=streets, street_nodes=nodes, streets_in_store=False)


def screen_kernels_for(recipe: Recipe, scheduler: str | None) -> dict[str, Callable]:
    """The screens' per-partition twins (:func:`urbanrisk.screens_dask.screen_kernels`) when the recipe
    sets ``compute.partitioned_screens`` (default :data:`urbanrisk.settings.partitioned_screens`), else
    none: each screen then calls its eager function."""
    flag = recipe.compute.partitioned_screens
    if not (settings.partitioned_screens if flag is None else flag):
        return {}
    parent = gridmod.partition_resolution(recipe.grid.resolution, recipe.grid.partition_resolution)
    return screen_kernels(partition_resolution=parent, scheduler=scheduler)


@frozen_before  # as compute_run: each stage called alone (a notebook) too
def coverage_for(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    grid: gpd.GeoDataFrame,
    *,
    scheduler: str | None = None,
    graphs: Mapping[str, StreetGraph] | None = None,
    found: gpd.GeoDataFrame | None = None,
) -> CoverageResult:
    """The coverage stage for a recipe (standards preset and overrides from ``coverage:``); per
    partition on ``scheduler`` when the recipe sets ``compute.partitioned_coverage``; the gaps'
    clusters per partition when it sets ``compute.partitioned_screens``; ``graphs``: street graphs
    already built (:func:`run_street_graphs`); the grid's ``known_residents``
    flags, computed when it has none (:func:`with_residents_known`); the streets read from the store
    when the layers hold only their classes (:func:`with_routing_streets`); ``found``: the hazard
    sources found already (:func:`keep_away_for`)."""
    grid = with_residents_known(grid, layers)
    layers = with_routing_streets(layers, scheduler)
    frames = (grid, layers.streets, layers.street_nodes, layers.pois, layers.resources, area)
    return _coverage(
        recipe,
        frames,
        layers.complete_kinds,
        scheduler=scheduler,
        graphs=graphs,
        standards=layers.standards,
        data_boxes=osm_extent(layers),
        keep_away=keep_away_for(recipe, layers, area, found=found),
    )


def keep_away_for(
    recipe: Recipe, layers: Layers, area: BaseGeometry, *, found: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """The hazards that keep the recipe's standards' new sites away (:mod:`urbanrisk.site_hazards`),
    found in the driver: both coverage paths and the task on a worker get the same table. ``found``:
    the hazard sources found already (a run on workers: ``hazard_inputs(...)["found"]``, beside the
    grid stage), else found again here (in the coverage stage, with no Dask task running)."""
    standards = layers.standards
    if standards is None:
        spec = recipe.coverage
        standards = standards_for(spec.standards, spec.override_dict(), recipe.tables.standards)
    kinds = {standard.resource_kind for standard in standards}
    return keep_away_table(recipe, layers, kinds, utm_crs=utm_crs_for(area), found=found)


def _coverage(
    recipe: Recipe,
    frames: tuple[Any, ...],
    complete_kinds: Mapping[str, str],
    *,
    scheduler: str | None,
    graphs: Mapping[str, StreetGraph] | None,
    standards: list[Any] | None = None,
    data_boxes: list[Any] | None = None,
    keep_away: gpd.GeoDataFrame | None = None,
) -> CoverageResult:
    """:func:`coverage_for` of ``frames``: the grid, streets, street nodes, POIs, resources and area;
    ``standards``: the recipe's, resolved already (:attr:`urbanrisk.result.Layers.standards`), else here."""
    spec = recipe.coverage
    if standards is None:
        standards = standards_for(spec.standards, spec.override_dict(), recipe.tables.standards)
    standards = declare_complete(standards, dict(complete_kinds))
    options: dict[str, Any] = {
        "standards": standards,
        "utm_crs": utm_crs_for(frames[-1]),
        "search_buffer_m": spec.search_buffer_m,
        "max_snap_m": spec.max_snap_m,
        "sites": spec.sites,
        "speeds_path": recipe.tables.speeds,
        "graphs_ready": graphs,
        "data_boxes": data_boxes,  # the OSM extent: far cells whose streets run to its edge are unknown
        "keep_away": keep_away,  # hazards new sites keep their safety distance from (site_hazards)
    }
    clusters_of = screen_kernels_for(recipe, scheduler).get("clusters_of")
    if recipe.compute.partitioned_coverage:
        parent = gridmod.partition_resolution(recipe.grid.resolution, recipe.grid.partition_resolution)
        return partitioned_coverage_stage(
            *frames, partition_resolution=parent, scheduler=scheduler, clusters_of=clusters_of, **options
        )
    gaps_of = partial(gaps_from_coverage, clusters_of=clusters_of) if clusters_of else None
    return coverage_stage(*frames, gaps_of=gaps_of, **options)


def _coverage_task(job: tuple[Any, ...]) -> CoverageResult:
    """Task body (on a worker): the whole-graph stage of ``job``, with the driver's cell centres; the
    streets and their nodes read from the store here when ``job`` names it (the driver sends none),
    the network tables written into the spool folder when it names one (the driver gets their paths)."""
    recipe, frames, complete_kinds, graphs, latlng, standards, stored, spool, boxes, keep_away = job
    frames = tuple(plain(frame) for frame in frames)
    if stored is not None:  # as load_layers read them in the driver (stored_osm.streets_and_nodes)
        frames = (frames[0], *streets_and_nodes(*stored), *frames[3:])
    if latlng is not None:
        remember_cell_latlng(frames[0].index, latlng)
    try:  # a worker of the run's kept pool runs other tasks after this one: it keeps nothing
        result = _coverage(
            recipe,
            frames,
            complete_kinds,
            scheduler="synchronous",
            graphs=graphs,
            standards=standards,
            data_boxes=boxes,
            keep_away=keep_away,
        )
    finally:
        forget_cells()
    return result if spool is None else spill_network(result, spool)


def coverage_on_worker(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    grid: gpd.GeoDataFrame,
    *,
    scheduler: str,
    graphs: Mapping[str, StreetGraph] | None = None,
    also: Sequence[Any] = (),
    found: gpd.GeoDataFrame | None = None,
) -> Any:
    """:func:`coverage_for` (whole graph) as one Dask task on ``scheduler``: only the grid's
    :data:`COVERAGE_COLUMNS`, the layers it routes on and the graphs travel to the worker. ``also``:
    other tasks (``dask.delayed``) computed in the same graph, for the workers the coverage task leaves
    idle; with them, the list ``[coverage result, *their results]``; ``found``: as :func:`coverage_for`'s.

    With stored layers (``compute.ingest: partitioned``) and no graph built, the task reads the streets
    and their nodes from the store itself (the driver pickles neither); on
    ``processes`` within :func:`spooled_network` it writes the network tables there itself.
    """
    frame = pd.DataFrame(with_residents_known(grid, layers)[COVERAGE_COLUMNS])
    stored = None
    if layers.store is not None and not graphs:
        stored = (layers.store, STREET_COLUMNS)
    elif graphs:  # the graphs' streets go with them
        layers = with_routing_streets(layers, scheduler)
    streets, nodes = (None, None) if stored else (layers.streets, layers.street_nodes)
    # workers forked after inherit_coverage_inputs hold these: the task gets numbers for them
    inputs = (None if v is None else Inherited(v) for v in (streets, nodes, layers.pois, layers.resources))
    frames = (frame, *inputs, area)
    latlng = kept_cell_latlng(grid.index)
    spool = _NETWORK_SPOOL.get() if scheduler == "processes" else None
    job = (recipe, frames, dict(layers.complete_kinds), dict(graphs or {}), latlng, layers.standards)
    extent = osm_extent(layers)  # far cells whose streets run to its edge: coverage unknown
    job = (*job, stored, spool, extent, keep_away_for(recipe, layers, area, found=found))
    if not also:
        return map_partitions(_coverage_task, [job], scheduler=scheduler)[0]
    task = dask.delayed(_coverage_task, pure=True)(
        dask.delayed(job, name="coverage-input", traverse=False), dask_key_name="coverage-task"
    )  # first in the graph: the longest task starts at once, ``also`` on the other worker
    return compute_graph([task, *also], scheduler=scheduler)


def inherit_coverage_inputs(layers: Layers) -> None:
    """The layers the coverage task reads (streets and their nodes, POIs, resources) and those the
    screens' pieces beside it read (communities, land use: :func:`urbanrisk.screens_free.free_pieces_task`;
    buildings: :func:`~urbanrisk.screens_free.area_task`, and the write's GeoPackage and map tasks,
    :mod:`urbanrisk.outputs.writer`), registered for the run's worker processes forked
    after this (:func:`urbanrisk.worker_pool.inherit`): the tasks then get a number for each, not a
    pickle (64 tiles: ~16 MB, ~0.3 CPU s both ways, for the coverage task's)."""
    inherit(layers.streets, layers.street_nodes, layers.pois, layers.resources)
    inherit(layers.communities, layers.landuse, layers.buildings)  # and the area screens' (area_task)


def coverage_on_a_worker(recipe: Recipe, scheduler: str) -> bool:
    """Whether :func:`coverage_beside` runs the whole-graph stage as one task on a worker
    (:func:`coverage_on_worker`)."""
    whole = not recipe.compute.partitioned_coverage
    return whole and overlaps(scheduler) and not screen_kernels_for(recipe, scheduler)


def run_street_graphs(
    recipe: Recipe, layers: Layers, area: BaseGeometry, scheduler: str | None = None
) -> dict[str, StreetGraph]:
    """The drive and walk graphs every run with streets keeps (:mod:`urbanrisk.street_graphs`), built
    before coverage needs them; none when coverage runs as one task on a worker of ``scheduler``
    (:func:`coverage_on_a_worker`): the task builds them, from the streets it gets anyway, so the
    driver never holds them nor pickles them to it (64 tiles: ~70 MB; benchmarks/RESULTS.md, "Driver
    peak (session 11)")."""
    if scheduler is not None and coverage_on_a_worker(recipe, scheduler):
        return {}
    speeds = speed_table(recipe.tables.speeds)
    layers = with_routing_streets(layers, scheduler)
    return street_graphs(layers.streets, layers.street_nodes, utm_crs=utm_crs_for(area), speeds=speeds)


def coverage_beside(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    grid: gpd.GeoDataFrame,
    side: Callable[[], B],
    *,
    scheduler: str,
    graphs: Mapping[str, StreetGraph] | None = None,
    also: Sequence[Any] = (),
    found: gpd.GeoDataFrame | None = None,
) -> tuple[CoverageResult, B | None, list[Any]]:
    """``(coverage_for(...), side(), results of also)``: on worker processes or a cluster, coverage runs
    on the workers (one task, or its per-partition tasks) while the driver runs ``side``. Elsewhere, and
    when the recipe's screens run per partition (``side``'s kernels are Dask work of their own), coverage
    alone and None: the caller runs ``side``'s work when it needs it, one thing at a time.

    ``also``: tasks (``dask.delayed``) that need no coverage, computed in the coverage task's graph when
    coverage is one task on a worker (:func:`coverage_on_a_worker`: the second worker would idle), else
    after coverage on ``scheduler``. ``found``: the hazard sources found already (:func:`keep_away_for`)."""
    options = {"scheduler": scheduler, "graphs": graphs, "found": found}
    if not overlaps(scheduler) or screen_kernels_for(recipe, scheduler):
        coverage = coverage_for(recipe, layers, area, grid, **options)
        return coverage, None, compute_graph(also, scheduler=scheduler) if also else []
    if recipe.compute.partitioned_coverage:  # its per-partition tasks keep both workers busy
        coverage, mine = beside(
            lambda: coverage_for(recipe, layers, area, grid, **options), side, scheduler=scheduler
        )
        return coverage, mine, compute_graph(also, scheduler=scheduler) if also else []
    task = partial(coverage_on_worker, recipe, layers, area, grid, also=also, **options)
    if not also:
        coverage, mine = beside(task, side, scheduler=scheduler)
        return coverage, mine, []
    (coverage, *results), mine = beside(task, side, scheduler=scheduler)
    return coverage, mine, results
