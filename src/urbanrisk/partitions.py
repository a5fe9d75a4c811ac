"""The grid stage per partition: tasks, their content keys and cache, and where tasks read their rows.

The grid is split by H3 parent cell; each partition is one Dask task (:func:`urbanrisk.indicators.
partition_indicators`) that reads only the rows inside its bounds: from the driver's frames under
``synchronous``/``threads``, from a layer store (:mod:`urbanrisk.layer_store`) in other processes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import tempfile
import uuid
from collections.abc import Iterator

import fsspec
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from . import grid as gridmod
from . import settings
from ._errors import GridError, InputError
from ._gc import frozen_before
from .antimeridian import centre
from .cache import Cache, content_key, frame_digest, sha256_of
from .cell_disks import cell_parents
from .grid_spool import GridSpool, current_spool, following_of
from .indicators import PartitionInput, partition_indicators
from .ingest import ingest_osm
from .layer_store import (
    InheritedLayers,
    MemoryLayers,
    StoredLayers,
    indexed_layers,
    task_frames,
    write_layer_store,
)
from .layers.coords import utm_crs
from .layers.tables import HAZARD_KINDS, building_type_table, landuse_context_table, osm_tag_table
from .osm_store import LAYER_NAMES, IngestedLayers, OsmStore
from .parallel import map_partitions, resolve_scheduler
from .population_table import with_table_residents
from .recipe import Recipe
from .result import Layers
from .same_sites import with_site_counts
from .stored_osm import source_digest
from .worker_pool import inherited, will_inherit


def utm_crs_for(area: BaseGeometry) -> str:
    """The UTM zone of the area's centre (taken across 180° for an area split there), as an EPSG code."""
    return utm_crs(*centre(area))


def vector_frames(layers: Layers) -> dict[str, gpd.GeoDataFrame | None]:
    """The vector layers partition tasks read, by name."""
    return {
        "buildings": layers.buildings,
        "pois": layers.pois,
        "hazards": layers.hazards,
        "resources": layers.resources,
        "streets": layers.streets,
    }


def partition_inputs(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    cells: list[str],
    *,
    utm_crs: str,
    source: MemoryLayers | StoredLayers | None = None,
    polygons: bool = True,
) -> list[PartitionInput]:
    """One task per parent-cell partition: its cells, bounds, and where to read the layers inside them.

    The task reads its rows itself (:meth:`PartitionInput.resolved`), from ``source``: the driver's
    frames by default (the tasks then carry their cells' polygons too, unless ``polygons`` is False:
    each task then makes its own), or a layer store for tasks in other processes.
    """
    resolution = recipe.grid.resolution
    parent_res = gridmod.partition_resolution(resolution, recipe.grid.partition_resolution)
    in_place = source is None and polygons
    if source is None:
        frames = vector_frames(layers)
        stored = layers.store
        source = (
            MemoryLayers(frames) if stored is None else IngestedLayers(stored.stores, MemoryLayers(frames))
        )
    poi_kinds = sorted(set(osm_tag_table(recipe.tables.osm_tags)["kind"]))
    area_wkb = shapely.to_wkb(area)
    margin = settings.partition_margin_deg
    inputs = []
    for part in gridmod.partition_cells(cells, parent_res).values():
        if in_place:  # kept for tasks in this process
            shapes = gridmod.cells_to_polygons(part)
            bounds = tuple(float(v) for v in shapely.total_bounds(shapes))
        else:  # the same bounds, from the polygons of the few cells that can set them
            shapes, bounds = None, gridmod.cells_bounds(part)
        inputs.append(
            PartitionInput(
                cells=part,
                resolution=resolution,
                utm_crs=utm_crs,
                area_wkb=area_wkb,
                poi_kinds=poi_kinds,
                raster=layers.raster,
                floor_area_per_person_m2=layers.floor_area_per_person_m2,
                source=source,
                bounds=bounds,
                wide_bounds=(bounds[0] - margin, bounds[1] - margin, bounds[2] + margin, bounds[3] + margin),
                polygons=shapes,
            )
        )
    return inputs


def _data_digests(task: PartitionInput) -> list[str]:
    """Digests of the rows the task reads: of the frames, or (from a store) of the partitions read."""
    if isinstance(task.source, IngestedLayers):
        wide, bounds = task.wide_bounds, task.bounds
        assert wide is not None and bounds is not None
        reads = {"buildings": wide, "pois": bounds, "hazards": bounds, "resources": bounds, "streets": wide}
        return [source_digest(task.source, name, box) for name, box in reads.items()]
    task = task.resolved()
    return [frame_digest(f) for f in (task.buildings, task.pois, task.hazards, task.resources, task.streets)]


def partition_key(task: PartitionInput) -> str:
    """Content key of a partition task: its cells, the data it receives and the settings.

    With the OSM layers in stores (``compute.ingest: partitioned``), their part of the key is the
    content digest of each stored partition the task reads (and nothing is read to make it)."""
    raster = None
    if task.raster is not None:
        raster = (sha256_of(task.raster.path), task.raster.band)
    return content_key(
        "partition",
        "cell_inside_share",  # tables since session 13 hold it (older cached ones do not)
        task.cells,
        task.resolution,
        task.utm_crs,
        hashlib.sha256(task.area_wkb).hexdigest(),
        task.poi_kinds,
        task.floor_area_per_person_m2,
        raster,
        *_data_digests(task),
    )


def partition_tables(
    inputs: list[PartitionInput],
    recipe: Recipe,
    layers: Layers,
    *,
    scheduler: str,
    progress: bool,
    cache: Cache | None,
) -> list[pd.DataFrame]:
    """Each partition's table: from the cache where its key is there, else computed by Dask.

    ``inputs`` read the driver's frames (so keys are the same for every scheduler); the tasks that
    run read from :func:`task_source`, i.e. a layer store when they run in other processes, written
    only when some partition must be computed.
    """
    keys = [partition_key(task) for task in inputs] if cache is not None else []
    tables: list[pd.DataFrame | None] = [None] * len(inputs)
    if cache is not None:
        cache.used.update(keys)
        tables = [cache.get(key) for key in keys]
    todo = [i for i, table in enumerate(tables) if table is None]
    if todo:
        local = scheduler in ("synchronous", "threads")  # other processes make their cells' polygons
        cells = sum(len(inputs[i].cells) for i in todo)
        spool = current_spool(cells) if cache is None and scheduler == "processes" else None
        with task_source(recipe, layers, scheduler) as source:
            tasks = [
                dataclasses.replace(inputs[i], source=source, polygons=inputs[i].polygons if local else None)
                for i in todo
            ]
            if spool is None:
                fresh = map_partitions(partition_indicators, tasks, scheduler=scheduler, progress=progress)
            else:
                fresh = _spooled_tables(tasks, spool, recipe, scheduler=scheduler, progress=progress)
        for i, table in zip(todo, fresh, strict=True):
            tables[i] = table
            if cache is not None:
                cache.put(keys[i], table)
    return tables


#: Columns of the grid stage no later stage of the driver reads, only the run's outputs: the counts
#: per POI kind (the urban-village screen reads ``poi_village_place``) and per hazard kind.
KEPT_POI_COLUMNS = ("poi_village_place",)
HAZARD_KIND_COLUMNS = tuple(f"hazard_{kind}" for kind in HAZARD_KINDS)


def spooled_columns(columns: pd.Index | list[str]) -> list[str]:
    """The grid stage's columns a run on worker processes leaves in its spool (:mod:`urbanrisk.grid_spool`).

    Examples
    --------
    >>> spooled_columns(["residents", "poi_cafe", "poi_village_place", "hazard_fuel", "hazards"])
    ['poi_cafe', 'hazard_fuel']
    """
    return [
        c for c in columns if (c.startswith("poi_") and c not in KEPT_POI_COLUMNS) or c in HAZARD_KIND_COLUMNS
    ]


def indicators_to_spool(job: tuple[PartitionInput, str]) -> tuple[pd.DataFrame, list[str]]:
    """Task: a partition's indicators (:func:`partition_indicators`) with its :func:`spooled_columns`
    written to the spool part at ``path``; returns the table without them and the whole table's columns."""
    task, path = job
    table = partition_indicators(task)
    names = spooled_columns(table.columns)
    table[names].to_parquet(path)
    return table.drop(columns=names), list(table.columns)


def _spooled_tables(
    tasks: list[PartitionInput], spool: GridSpool, recipe: Recipe, *, scheduler: str, progress: bool
) -> list[pd.DataFrame]:
    """The partitions' tables without their spooled columns (:func:`indicators_to_spool`); ``spool``
    learns each part's file and where each spooled column goes back in the grid's order."""
    level = gridmod.partition_resolution(recipe.grid.resolution, recipe.grid.partition_resolution)
    level = min(level, recipe.grid.resolution)
    parents = cell_parents([task.cells[0] for task in tasks], level)
    paths = [str(spool.part_path(parent)) for parent in parents]
    done = map_partitions(
        indicators_to_spool, list(zip(tasks, paths, strict=True)), scheduler=scheduler, progress=progress
    )
    columns = done[0][1]
    if any(names != columns for _, names in done):
        msg = "the grid's partitions returned different columns: cannot spool them"
        raise GridError(msg)
    spool.files.update(zip(parents, paths, strict=True))
    first = done[0][0].iloc[:1]  # the grid's order of all columns, as grid_from_tables makes it
    order = grid_from_tables([first.reindex(columns=columns)], "").columns
    spool.following = following_of(list(order), spooled_columns(columns))
    return [table for table, _ in done]


@contextlib.contextmanager
def task_source(
    recipe: Recipe, layers: Layers, scheduler: str
) -> Iterator[MemoryLayers | StoredLayers | IngestedLayers]:
    """The driver's frames for tasks in this process; else a layer store, removed after the stage.

    The store goes under ``compute.store`` when the recipe sets it (a folder or URL all workers of
    a cluster can reach), else in a temporary folder on this machine. With ``compute.ingest:
    partitioned``, the OSM layers come from each extract streamed into a store there instead.
    """
    frames = vector_frames(layers)
    if recipe.compute.ingest != "partitioned":  # the task columns only, as a layer store holds them
        with _frames_source(recipe, task_frames(frames), scheduler) as source:
            yield source
        return
    rest = {name: frame for name, frame in frames.items() if name not in ("buildings", "pois", "streets")}
    if layers.store is not None:  # ingested when the layers were loaded: read there
        with _frames_source(recipe, rest, scheduler) as source:
            yield IngestedLayers(layers.store.stores, source)
        return
    with _frames_source(recipe, rest, scheduler) as source, _store_root(recipe, "osm") as root:
        yield IngestedLayers(_ingest_extracts(recipe, layers, root), source)


def _ingest_extracts(
    recipe: Recipe, layers: Layers, root: str
) -> tuple[tuple[OsmStore, dict[str, int]], ...]:
    """Each OSM layer streamed into ``root``/<name>, with its rows' offset in the driver's frames."""
    resolution = gridmod.partition_resolution(recipe.grid.resolution, recipe.grid.partition_resolution)
    tables = {
        "tag_table": osm_tag_table(recipe.tables.osm_tags),
        "building_types": building_type_table(recipe.tables.building_types),
        "landuse_context": landuse_context_table(recipe.tables.landuse_context),
    }
    stores, offsets = [], dict.fromkeys(LAYER_NAMES, 0)
    for name in layers.stats:  # the OSM layers, in the order the driver concatenates them
        store = ingest_osm(layers.files[name], f"{root}/{name}", partition_resolution=resolution, **tables)
        stores.append((store, dict(offsets)))
        offsets = {layer: offsets[layer] + store.manifest["stats"][layer] for layer in LAYER_NAMES}
    return tuple(stores)


@contextlib.contextmanager
def _store_root(recipe: Recipe, prefix: str) -> Iterator[str]:
    """A new folder under ``compute.store`` (else a temporary folder), removed afterwards."""
    base = recipe.compute.store
    if base is None:
        with tempfile.TemporaryDirectory(prefix=f"urbanrisk-{prefix}-") as folder:
            yield folder
        return
    root = f"{base.rstrip('/')}/{prefix}-{uuid.uuid4().hex[:12]}"
    try:
        yield root
    finally:
        with contextlib.suppress(ValueError, ImportError):  # a store it cannot reach holds nothing to remove
            filesystem, path = fsspec.core.url_to_fs(root)
            if filesystem.exists(path):
                filesystem.rm(path, recursive=True)


@contextlib.contextmanager
def _frames_source(
    recipe: Recipe, frames: dict[str, gpd.GeoDataFrame | None], scheduler: str
) -> Iterator[MemoryLayers | StoredLayers | InheritedLayers]:
    """The given frames in place for tasks in this process or on worker processes forked from it after
    this (:func:`urbanrisk.worker_pool.will_inherit`, no ``compute.store``); else written as a layer store."""
    if scheduler in ("synchronous", "threads"):
        yield MemoryLayers(frames)
        return
    base = recipe.compute.store
    if base is None and will_inherit(scheduler):  # workers forked from here read them in place
        with inherited(indexed_layers(frames)) as inherited_frames:
            yield InheritedLayers(inherited_frames)
        return
    with _store_root(recipe, "store") as root:
        try:
            stored = write_layer_store(frames, root)
        except (OSError, ValueError, ImportError) as exc:
            if base is None:
                raise
            msg = (
                f"compute.store: cannot write the layer store at {base} ({exc}); "
                "give a folder or a URL that fsspec can write (and its package, e.g. s3fs for s3://)"
            )
            raise InputError(msg) from exc
        yield stored


@frozen_before  # as compute_run: each stage called alone (a notebook) too
def build_grid(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    *,
    scheduler: str | None = None,
    force: bool = False,
    progress: bool = False,
    cache: Cache | None = None,
    polygons: bool = True,
) -> gpd.GeoDataFrame:
    """H3 cells over the area with their indicators, computed per partition with Dask.

    With a ``cache``, a partition whose cells and input data are unchanged is not recomputed.
    ``polygons`` False: the cells' geometry is None (a run's stages make the few polygons they need
    from the cells, :func:`urbanrisk.pipeline.compute_run`), and on worker processes the driver makes
    none (each task makes its own; a census table's spread reads them: then they are made).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by H3 cell id (``h3_cell``), sorted; one row per cell overlapping the area.
    """
    resolution = recipe.grid.resolution
    gridmod.check_job(area, resolution, force=force or recipe.grid.force)
    cells = gridmod.cells_from_area(area, resolution)
    if not cells:
        msg = "the study area holds no H3 cell: is the area empty?"
        raise GridError(msg)
    scheduler = resolve_scheduler(scheduler)
    polygons = polygons or layers.population_table is not None  # the census table's spread reads them
    local = scheduler in ("synchronous", "threads")  # the tasks here take the driver's polygons
    inputs = partition_inputs(
        recipe, layers, area, cells, utm_crs=utm_crs_for(area), polygons=polygons or local
    )
    tables = partition_tables(inputs, recipe, layers, scheduler=scheduler, progress=progress, cache=cache)
    grid = grid_from_tables(tables, layers.population_source, inputs=inputs, polygons=polygons)
    grid = with_site_counts(grid, layers, resolution)  # each vulnerable site once, not each feature
    return with_table_residents(grid, layers, area)  # a census table: spread over the whole grid


def grid_from_tables(
    tables: list[pd.DataFrame],
    population_source: str,
    *,
    inputs: list[PartitionInput] | None = None,
    polygons: bool = True,
) -> gpd.GeoDataFrame:
    """The grid from its partitions' indicator tables: cell polygons, sorted, columns in order.

    ``inputs``: the partitions' tasks, whose cell polygons are taken rather than made again;
    ``polygons`` False: every cell's geometry None (made by no one).
    """
    table = pd.concat(tables).sort_index()
    shapes = (
        _known_polygons(table.index, inputs or []) if polygons else np.full(len(table), None, dtype=object)
    )
    frame = gridmod.grid_frame(list(table.index), polygons=shapes)
    # a cell at the study area's edge: its area inside, over which its residents, buildings and places
    # were counted (densities per the whole hexagon read the unmeasured part beyond as empty)
    inside = table.pop("cell_inside_share").reindex(frame.index)
    frame["cell_area_m2"] = frame["cell_area_m2"] * inside.clip(lower=settings.min_cell_inside_share)
    frame["cell_inside_share"] = inside  # the hexagon's share inside the study area (exact, 1 within)
    grid = frame.join(table)
    grid["coverage_ratio"] = (grid["footprint_m2"] / grid["cell_area_m2"]).clip(upper=1.0)
    grid["population_source"] = population_source
    first = ["cell_area_m2", "cell_inside_share", "residents", "buildings", "footprint_m2", "coverage_ratio"]
    first.append("floor_area_m2")
    rest = [c for c in grid.columns if c not in first and c != "geometry"]
    return grid[[*first, *rest, "geometry"]]


def _known_polygons(cells: pd.Index, inputs: list[PartitionInput]) -> np.ndarray | None:
    """The polygons of ``cells`` from the tasks that made them; None unless every cell's is there."""
    if not inputs or any(task.polygons is None for task in inputs):
        return None
    known = pd.Index([cell for task in inputs for cell in task.cells])
    at = known.get_indexer(cells) if known.is_unique else np.full(len(cells), -1)
    if (at < 0).any():
        return None
    return np.concatenate([task.polygons for task in inputs])[at]
