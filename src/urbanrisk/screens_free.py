"""The screens' part that needs no coverage: the hazard-source table, the urban-village cell scores,
key districts and urban villages, the measured indicators and the communities' units.

A run on worker processes or a cluster computes it in the driver while coverage runs on the workers
(:func:`urbanrisk.stage_coverage.coverage_beside`), and when coverage is one task there its pieces that
read no other piece (the hazard-source table, the communities' units: :func:`free_pieces`) as a Dask
task for the worker the coverage task leaves idle (:func:`free_pieces_task`), and the area screens
(urban-village scores, key districts, urban villages: :func:`area_part`) on a worker process forked
for them, which inherits the grid (:func:`area_beside`; else as one more task, :func:`area_task`): the
driver then computes only the measured indicators, and waits for no work of its own after coverage;
:func:`urbanrisk.pipeline.screen_and_grade` then grades the cells and finishes the communities from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any, TypeVar

import dask
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from .cell_disks import forget as forget_cells
from .cell_disks import kept_cell_latlng, remember_cell_latlng
from .completeness import measured_indicators
from .hazard_table import hazard_inputs, hazard_table, sources_in_utm
from .layer_store import Bounds
from .osm_store import PartsKept
from .parallel import apart
from .recipe import Recipe
from .result import Layers
from .screens import key_districts_screen, urban_village_cell_scores, urban_villages_screen
from .screens.communities import community_polygons, community_units
from .stage_coverage import screen_kernels_for
from .stored_osm import StoredOsm, building_count
from .wording import counted
from .worker_pool import Inherited, forks_here, inherited, plain, start_kept_pool

__all__ = [
    "area_apart",
    "area_beside",
    "area_part",
    "area_task",
    "coverage_free_part",
    "free_pieces",
    "free_pieces_task",
]

B = TypeVar("B")

#: The grid's columns :func:`free_pieces` reads (besides its index, the cells): the hazard table's
#: residents in circles, their known flags and the cells' areas (``screens.unknown_exposure``).
PIECES_COLUMNS = ["residents", "known_residents", "cell_area_m2", "cell_inside_share"]

#: The grid's columns :func:`area_part` reads (besides its index): the urban villages' form metrics
#: and sums, the key districts' densities and sums.
AREA_COLUMNS = [
    "cell_area_m2",
    "residents",
    "buildings",
    "coverage_ratio",
    "footprint_m2",
    "buildings_no_street_access",
    "alley_length_m",
    "floor_area_m2",
    "residential_floor_m2",
    "crowd_places",
]


def _area_screens(
    recipe: Recipe,
    layers: Layers,
    grid: gpd.GeoDataFrame,
    uv_scores: pd.DataFrame,
    kernels: Mapping[str, Callable[..., Any]],
):
    """Key districts and urban villages, each skipped (with its reason) when its data are missing."""
    status = {}
    twins = {name: kernels.get(name) for name in ("clusters_of", "outlines_of")}
    if len(layers.pois):
        options = recipe.screens.key_districts
        districts = key_districts_screen(
            grid,
            layers.pois,
            min_cells=options.min_cells,
            min_crowd_places=options.min_crowd_places,
            crowd_min_per_km2=options.crowd_min_per_km2,
            people_min_per_km2=options.people_min_per_km2,
            **twins,
            landuse=layers.landuse,
            streets=_streets_of(layers),
        )
        status["key_districts"] = f"ok: {counted(len(districts), 'district')}"
    else:
        districts = key_districts_screen(grid.iloc[0:0], None)
        status["key_districts"] = "skipped: no osm layer (no crowd-gathering places)"
    if building_count(layers):
        options = recipe.screens.urban_villages
        villages = urban_villages_screen(
            grid,
            uv_scores,
            layers.landuse,
            min_score=options.min_score,
            min_cells=options.min_cells,
            **twins,
        )
        status["urban_villages"] = f"ok: {counted(len(villages), 'cluster')}"
    else:
        villages = urban_villages_screen(grid.iloc[0:0], uv_scores.iloc[0:0], None)
        status["urban_villages"] = "skipped: no buildings"
    return districts, villages, status


#: Partitions a box reader keeps (the last used): the districts are asked along a Morton curve
#: (:func:`urbanrisk.clusters.place_order`; their labels still follow the cells' H3 order), so each
#: partition is still read about once while only a few partitions' rows are held.
KEPT_PARTS = 8


def _buildings_of(layers: Layers):
    """The run's buildings for the urban-village screen: the frame, or (stored layers) a reader of the
    outlines that meet a box, partition by partition (:func:`_box_reader`); None without buildings."""
    if layers.buildings is not None:
        return layers.buildings
    if layers.store is not None:
        return _box_reader(layers.store, "buildings", lambda frame: frame[["geometry"]], exact=True)
    return None


def _streets_of(layers: Layers):
    """The run's streets for the key districts' names: the frame, or (streets held in the store) a
    reader of the named streets whose boxes meet a box, partition by partition (:func:`_box_reader`),
    so that every scheduler names districts alike."""
    if layers.streets_in_store and layers.store is not None:
        return _box_reader(layers.store, "streets", _named_lines, exact=False)
    return layers.streets


def _named_lines(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The streets of ``frame`` that have a name: their ``name`` and ``geometry`` only (what a key
    district's street name reads, :func:`urbanrisk.screens.district_names.district_names`)."""
    if "name" not in frame.columns:
        return frame.iloc[0:0]
    return frame.loc[frame["name"].fillna("").astype(bool).to_numpy(), ["name", "geometry"]]


def _indexed(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, shapely.STRtree] | None:
    """The frame and a spatial index of its geometries (None: no row)."""
    return (frame, shapely.STRtree(frame.geometry.to_numpy())) if len(frame) else None


def _box_reader(
    store: StoredOsm,
    layer: str,
    keep: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame],
    *,
    exact: bool,
    most: int | None = KEPT_PARTS,
) -> Callable[[Bounds], Iterator[gpd.GeoDataFrame]]:
    """A reader of ``layer``'s rows for a box: of each partition :meth:`StoredOsm.parts` gives for it
    (same partitions, order and row numbers), as ``keep`` cuts it, the rows that meet the box (``exact``:
    their geometry, else their bounding box), in row order; the ``most`` partitions last used are kept
    with a spatial index (:class:`urbanrisk.osm_store.PartsKept`), so that boxes asked in place order
    (:func:`urbanrisk.clusters.place_order`) read each partition about once (49 tiles: 18 street reads
    in Morton order where 18 partitions exist, 30 in H3 order; 64 tiles with no kept partitions: 150
    districts asked 281 street partitions where ~40 exist).
    """
    kept = PartsKept(lambda frame: _indexed(keep(frame)), most=most)

    def rows(bounds: Bounds) -> Iterator[gpd.GeoDataFrame]:
        box = shapely.box(*bounds)
        for frame, tree in store.parts(layer, bounds, kept=kept):
            hits = tree.query(box, predicate="intersects" if exact else None)
            if len(hits):
                yield frame.iloc[np.sort(hits)]

    return rows


def free_pieces(
    recipe: Recipe,
    area: BaseGeometry,
    grid: pd.DataFrame,
    *,
    utm_crs: str,
    hazards: Mapping[str, Any],
    communities: gpd.GeoDataFrame | None,
    landuse: gpd.GeoDataFrame | None,
) -> dict[str, Any]:
    """The free part's pieces that need no other piece: ``hazards``, ``hazards_utm`` and ``units`` of
    :func:`coverage_free_part`, from the grid's cells and :data:`PIECES_COLUMNS` (``known_residents``
    among them: :func:`urbanrisk.stage_coverage.with_residents_known`), the hazard inputs
    (:func:`urbanrisk.hazard_table.hazard_inputs`) and the communities' and land-use layers."""
    table = hazard_table(
        recipe,
        None,
        area,
        grid,
        utm_crs,
        inputs=hazards,
        residents_known=grid["known_residents"].to_numpy(dtype=bool),  # measured_indicators' own
    )
    units = community_units(grid, polygons=community_polygons(communities), landuse=landuse, utm_crs=utm_crs)
    return {
        "hazards": table,
        "hazards_utm": sources_in_utm(table[0], hazards["sources_utm"], utm_crs),
        "units": units,
    }


def _pieces_on_worker(job: tuple[Any, ...]) -> dict[str, Any]:
    """Task body (on a worker): :func:`free_pieces` of ``job``, with the driver's cell centres; the
    worker keeps nothing after it (a worker of the run's kept pool runs other tasks after this one)."""
    recipe, frame, area, utm_crs, hazards, communities, landuse, latlng = job
    frame = plain(frame)
    if latlng is not None:
        remember_cell_latlng(frame.index, latlng)
    try:
        return free_pieces(
            recipe,
            area,
            frame,
            utm_crs=utm_crs,
            hazards=hazards,
            communities=plain(communities),
            landuse=plain(landuse),
        )
    finally:
        forget_cells()


def free_pieces_task(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    grid: gpd.GeoDataFrame,
    *,
    utm_crs: str,
    hazards: Mapping[str, Any],
) -> Any:
    """:func:`free_pieces` as one Dask task (a ``dask.delayed``, key ``free-pieces``), for a worker
    while the coverage task runs on another (:func:`urbanrisk.stage_coverage.coverage_beside`): only
    the grid's :data:`PIECES_COLUMNS` and the hazard inputs are pickled to it; the communities and land
    use go as :class:`~urbanrisk.worker_pool.Inherited` (numbers, for workers forked after
    :func:`urbanrisk.stage_coverage.inherit_coverage_inputs`), the cell centres the driver kept with
    them."""
    frame = pd.DataFrame(grid[[c for c in PIECES_COLUMNS if c in grid.columns]])
    layer_pair = (None if v is None else Inherited(v) for v in (layers.communities, layers.landuse))
    job = (recipe, frame, area, utm_crs, dict(hazards), *layer_pair, kept_cell_latlng(grid.index))
    data = dask.delayed(job, name="free-pieces-input", traverse=False)
    return dask.delayed(_pieces_on_worker, pure=True)(data, dask_key_name="free-pieces")


def area_part(
    recipe: Recipe,
    layers: Layers,
    grid: pd.DataFrame,
    *,
    utm_crs: str,
    kernels: Mapping[str, Callable[..., Any]] | None = None,
) -> dict[str, Any]:
    """The free part's area screens: ``uv_scores`` (urban-village cell scores) and ``area_screens``
    (key districts, urban villages and their status) of :func:`coverage_free_part`, from the grid's
    :data:`AREA_COLUMNS` and the buildings, POIs, land use and streets of ``layers``."""
    uv_scores = urban_village_cell_scores(grid, layers.landuse, _buildings_of(layers), utm_crs=utm_crs)
    return {
        "uv_scores": uv_scores,
        "area_screens": _area_screens(recipe, layers, grid, uv_scores, kernels or {}),
    }


def _area_on_worker(job: tuple[Any, ...]) -> dict[str, Any]:
    """Task body (on a worker): :func:`area_part` of ``job``, with the driver's cell centres and the
    layers it reads (the rest empty); the worker keeps nothing after it."""
    recipe, frame, utm_crs, buildings, pois, landuse, streets, store, in_store, latlng = job
    frame = plain(frame)
    if latlng is not None:
        remember_cell_latlng(frame.index, latlng)
    layers = Layers(
        buildings=plain(buildings),
        pois=plain(pois),
        landuse=plain(landuse),
        streets=plain(streets),
        hazards=None,
        resources=None,
        communities=None,
        raster=None,
        floor_area_per_person_m2=None,
        population_source="",
        store=store,
        streets_in_store=in_store,
    )
    try:
        return area_part(recipe, layers, frame, utm_crs=utm_crs)
    finally:
        forget_cells()


def area_task(recipe: Recipe, layers: Layers, grid: gpd.GeoDataFrame, *, utm_crs: str) -> Any:
    """:func:`area_part` as one Dask task (a ``dask.delayed``, key ``area-screens``), for a worker while
    the coverage task runs on another (a cluster, or workers not forked from here; else
    :func:`area_beside`): the grid's :data:`AREA_COLUMNS` are pickled to it, the buildings,
    POIs, land use and streets go as :class:`~urbanrisk.worker_pool.Inherited` (numbers, for workers
    forked after :func:`urbanrisk.stage_coverage.inherit_coverage_inputs`), stored layers as their
    store, the cell centres the driver kept with them."""
    frame = pd.DataFrame(grid[[c for c in AREA_COLUMNS if c in grid.columns]])
    held = (layers.buildings, layers.pois, layers.landuse, layers.streets)
    inputs = (None if v is None else Inherited(v) for v in held)
    job = (
        recipe,
        frame,
        utm_crs,
        *inputs,
        layers.store,
        layers.streets_in_store,
        kept_cell_latlng(grid.index),
    )
    data = dask.delayed(job, name="area-screens-input", traverse=False)
    return dask.delayed(_area_on_worker, pure=True)(data, dask_key_name="area-screens")


def area_apart(scheduler: str) -> bool:
    """Whether :func:`area_beside` computes the area screens on a worker process forked for them
    (``processes`` forking from this thread: Linux, the main thread); elsewhere :func:`area_task` joins
    the coverage task's graph."""
    return scheduler == "processes" and forks_here()


def _area_inherited(job: Inherited[tuple[Any, ...]]) -> dict[str, Any]:
    """Task body (on a worker forked for it): :func:`area_part` of the driver's recipe, layers, grid and
    UTM zone, all inherited at the fork, as the cell centres the driver kept."""
    recipe, layers, grid, utm_crs = plain(job)
    return area_part(recipe, layers, grid, utm_crs=utm_crs)


def area_beside(
    recipe: Recipe,
    layers: Layers,
    grid: gpd.GeoDataFrame,
    main: Callable[[], B],
    *,
    utm_crs: str,
    scheduler: str,
) -> tuple[dict[str, Any], B]:
    """``(area_part(...), main())``: the area screens on a worker process forked from the driver now
    (:func:`urbanrisk.parallel.apart`, Dask key ``area-screens``) while ``main`` (the coverage stage: its
    task and the free part's pieces on the kept pool's workers) runs here, on :func:`area_apart`'s
    schedulers. The worker inherits the grid, the layers and the cell centres: none is pickled (the grid
    was made after the kept pool's fork, so its workers could only get the grid's columns pickled,
    :func:`area_task`); only the result comes back, through a file."""
    start_kept_pool()  # main's computations then fork no pool beside apart's waiting thread
    with inherited((recipe, layers, grid, utm_crs)) as job:
        return apart(partial(_area_inherited, job), main, scheduler=scheduler, key="area-screens")


def coverage_free_part(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    grid: gpd.GeoDataFrame,
    *,
    utm_crs: str,
    scheduler: str | None = None,
    hazards: Mapping[str, Any] | None = None,
    pieces_elsewhere: bool = False,
) -> dict[str, Any]:
    """The screens' part that needs no coverage, by name: ``hazards`` (the hazard-source table and
    its status), ``hazards_utm`` (the table in the run's UTM, for the grades), ``uv_scores``
    (urban-village cell scores), ``area_screens`` (key districts, urban villages and their status),
    ``known`` (the measured indicators) and ``units`` (the communities' units); a run on workers
    computes it while coverage runs there (:func:`urbanrisk.stage_coverage.coverage_beside`).
    ``pieces_elsewhere``: ``known`` alone (:func:`free_pieces_task` and :func:`area_beside` or
    :func:`area_task` compute the rest on workers meanwhile)."""
    kernels = screen_kernels_for(recipe, scheduler)
    if kept_cell_latlng(grid.index) is None:  # a run keeps them before coverage (finish_run)
        (kernels.get("centres_of") or remember_cell_latlng)(grid.index)  # every screen below reuses them
    exposed_of = kernels.get("exposed_of")
    has_hazard_data = bool(len(layers.hazards)) or bool(layers.osm_bounds)
    known = measured_indicators(grid, layers, has_hazard_data=has_hazard_data)  # the hazards' residents
    if pieces_elsewhere:
        return {"known": known}
    hazards = hazard_inputs(recipe, layers, area, utm_crs) if hazards is None else hazards
    table = hazard_table(
        recipe,
        layers,
        area,
        grid,
        utm_crs,
        exposed_of=exposed_of,
        inputs=hazards,
        residents_known=known["known_residents"].to_numpy(),
    )
    if "disks_of" in kernels:  # every disk sum below (grades, urban villages, key districts) reuses it
        kernels["disks_of"](grid.index)
    polygons = community_polygons(layers.communities)
    return {
        "hazards": table,
        "hazards_utm": sources_in_utm(table[0], hazards["sources_utm"], utm_crs),  # grades, registers
        **area_part(recipe, layers, grid, utm_crs=utm_crs, kernels=kernels),  # uv_scores, area_screens
        "known": known,
        "units": community_units(
            grid,
            polygons=polygons,
            landuse=layers.landuse,
            utm_crs=utm_crs,
            outlines_of=kernels.get("outlines_of"),
        ),
    }
