"""The pipeline: recipe -> layers -> H3 grid -> per-cell indicators -> run folder.

Each stage is a plain function a notebook can call alone::

    recipe = ur.load_recipe("recipes/beijing-wudaokou.yaml")
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    grid = build_grid(recipe, layers, area)
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fsspec
import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from . import grid as gridmod
from . import settings
from ._errors import GridError, InputError, LayerError, RecipeError
from .cache import Cache, content_key, frame_digest, sha256_of
from .coverage import coverage_stage, coverage_wide, standards_for
from .indicators import PartitionInput, partition_indicators
from .layer_store import MemoryLayers, StoredLayers, write_layer_store
from .layers.coords import utm_crs
from .layers.osm import OsmLayers, osm_from_file
from .layers.points import points_from_file
from .layers.polygons import polygons_from_file
from .layers.raster import RasterInfo, raster_info
from .layers.remote import local_copy
from .layers.tables import building_type_table, hazard_kind_table, landuse_context_table, osm_tag_table
from .layers.vector import vector_from_file
from .parallel import map_partitions, resolve_scheduler
from .recipe import Recipe, load_recipe

CRS = "EPSG:4326"


@dataclass
class Layers:
    """A recipe's layers in the standard schema (EPSG:4326)."""

    buildings: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    landuse: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    hazards: gpd.GeoDataFrame
    resources: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame | None
    raster: RasterInfo | None
    floor_area_per_person_m2: float | None
    population_source: str
    street_nodes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["lon", "lat"]))
    osm_bounds: dict[str, tuple[float, float, float, float] | None] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


def _concat(frames: list[gpd.GeoDataFrame], columns: list[str]) -> gpd.GeoDataFrame:
    frames = [f for f in frames if f is not None and len(f)]
    if not frames:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=CRS)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=CRS)


def load_layers(recipe: Recipe, *, cache: Cache | None = None) -> Layers:
    """Load every layer of a recipe into the standard schema.

    With a ``cache``, an OSM extract whose content (and tables) did not change is not parsed again.

    Raises
    ------
    LayerError
        Naming the layer and the file, for the first layer that cannot be read.
    """
    tag_table = osm_tag_table(recipe.tables.osm_tags)
    severities = hazard_kind_table(recipe.tables.hazard_kinds)["default_severity"].to_dict()
    building_types = building_type_table(recipe.tables.building_types)
    context = landuse_context_table(recipe.tables.landuse_context)
    osm: dict[str, OsmLayers] = {}
    hazards, resources, communities = [], [], []
    raster: RasterInfo | None = None
    per_person: float | None = None
    population_source = "none: no population layer in the recipe (residents are 0)"
    files: dict[str, str] = {}
    for name, spec in recipe.layers.items():
        if hasattr(spec, "path"):
            spec = spec.model_copy(update={"path": local_copy(spec.path)})  # a URL becomes a local copy
            files[name] = spec.path
        if spec.type == "osm" and cache is not None:
            key = content_key(
                "osm",
                sha256_of(spec.path),
                frame_digest(tag_table.reset_index()),
                frame_digest(building_types.reset_index()),
                frame_digest(context),
            )
            cache.used.add(key)
            osm[name] = cache.get(key)
            if osm[name] is None:
                osm[name] = osm_from_file(
                    spec.path, tag_table=tag_table, building_types=building_types, landuse_context=context
                )
                cache.put(key, osm[name])
        elif spec.type == "osm":
            osm[name] = osm_from_file(
                spec.path, tag_table=tag_table, building_types=building_types, landuse_context=context
            )
        elif spec.type == "points":
            options = spec.model_dump(exclude={"type", "path"})
            frame = points_from_file(spec.path, layer=name, default_severity=severities, **options)
            (hazards if spec.role == "hazard" else resources).append(frame)
        elif spec.type == "polygons":
            communities.append(
                polygons_from_file(
                    spec.path,
                    layer=name,
                    id_column=spec.id_column,
                    name_column=spec.name_column,
                    crs=spec.crs,
                )
            )
        elif spec.type == "raster":
            raster = raster_info(spec.path, band=spec.band, layer=name)
            population_source = f"raster: {Path(spec.path).name} (people per pixel, shared by area)"
        elif spec.type == "population_from_buildings":
            per_person = spec.floor_area_per_person_m2
            population_source = (
                f"buildings: residential floor area of layer '{spec.source}' ÷ {per_person:g} m² per person"
            )
    layers = Layers(
        buildings=_concat([o.buildings for o in osm.values()], ["osm_ref", "use", "floor_area_m2"]),
        pois=_concat([o.pois for o in osm.values()], ["osm_ref", "kind", "roles", "group", "name"]),
        landuse=_concat([o.landuse for o in osm.values()], ["osm_ref", "key", "value", "name"]),
        streets=_concat([o.streets for o in osm.values()], ["way_id", "highway", "name"]),
        hazards=_concat(hazards, ["id", "kind", "name", "severity", "source"]),
        resources=_concat(resources, ["id", "kind", "name", "capacity", "source"]),
        communities=_concat(communities, ["id", "name"]) if communities else None,
        raster=raster,
        floor_area_per_person_m2=per_person,
        population_source=population_source,
        street_nodes=(
            pd.concat([o.street_nodes for o in osm.values()]).groupby(level=0).first()
            if osm
            else pd.DataFrame(columns=["lon", "lat"])
        ),
        osm_bounds={name: o.bounds for name, o in osm.items()},
        files=files,
        stats={name: o.stats for name, o in osm.items()},
    )
    if per_person is not None and not len(layers.buildings):
        layers.notes.append("population_from_buildings: the OSM layer has no buildings, residents are 0")
    return layers


def study_area(recipe: Recipe, layers: Layers) -> BaseGeometry:
    """The study area polygon (lon/lat) the recipe asks for."""
    spec = recipe.area
    if spec.bbox is not None:
        return box(*spec.bbox)
    if spec.path is not None:
        shapes = vector_from_file(local_copy(spec.path), layer="area").to_crs(CRS).geometry
        shapes = shapes[shapes.geom_type.isin(["Polygon", "MultiPolygon"])]
        if not len(shapes):
            msg = f"area: {spec.path} holds no polygon"
            raise LayerError(msg)
        return shapely.make_valid(shapely.union_all(shapes.to_numpy()))
    name = spec.layer
    layer_spec = recipe.layers[name]
    if layer_spec.type == "osm":
        bounds = layers.osm_bounds.get(name)
        if bounds is None:
            frames = [f for f in (layers.buildings, layers.streets) if len(f)]
            if not frames:
                msg = f"area: layer '{name}' declares no bounds and holds no buildings or streets"
                raise LayerError(msg)
            bounds = tuple(shapely.total_bounds(pd.concat([f.geometry for f in frames]).to_numpy()))
        return box(*bounds)
    if layer_spec.type == "raster":
        assert layers.raster is not None
        return box(*layers.raster.bounds)
    if layer_spec.type == "polygons" and layers.communities is not None:
        return shapely.union_all(layers.communities.geometry.to_numpy())
    if layer_spec.type == "points":
        points = pd.concat([layers.hazards.geometry, layers.resources.geometry])
        return box(*shapely.total_bounds(points.to_numpy())).buffer(0.005)
    msg = (
        f"area: layer '{name}' ({layer_spec.type}) cannot define a study area; "
        "use an osm, raster, polygons or points layer, or a bbox"
    )
    raise RecipeError(msg)


def area_bounds_hint(recipe: Recipe) -> tuple[float, float, float, float] | None:
    """The study area's box without loading layers (a bbox, an OSM header, a raster's extent), or None."""
    spec = recipe.area
    if spec.bbox is not None:
        return tuple(spec.bbox)
    layer = recipe.layers.get(spec.layer) if spec.layer else None
    if layer is not None and layer.type == "osm":
        import osmium

        box_ = osmium.io.Reader(layer.path, osmium.osm.osm_entity_bits.NOTHING).header().box()
        if box_.valid():
            return (box_.bottom_left.lon, box_.bottom_left.lat, box_.top_right.lon, box_.top_right.lat)
    if layer is not None and layer.type == "raster":
        return raster_info(layer.path, band=layer.band, layer=spec.layer).bounds
    return None


def check_points_inside(points: gpd.GeoDataFrame, area: BaseGeometry, what: str) -> str | None:
    """Refuse a registry whose points all fall outside the area but inside it once lon/lat are swapped.

    Returns a note when only some points fall outside (they are kept out of the grid).
    """
    if not len(points):
        return None
    x, y = points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
    inside = shapely.contains_xy(area, x, y)
    if inside.any():
        outside = int((~inside).sum())
        return (
            f"{what}: {outside} of {len(points)} points lie outside the study area and are not counted"
            if outside
            else None
        )
    swapped = shapely.contains_xy(area, y, x)
    if swapped.mean() > 0.5:
        msg = (
            f"{what}: no point lies in the study area, but {int(swapped.sum())} would with lon and lat "
            "swapped: the lon/lat columns are swapped; exchange `lon:` and `lat:` in the recipe"
        )
        raise LayerError(msg)
    return f"{what}: none of its {len(points)} points lies in the study area"


def partition_inputs(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    cells: list[str],
    *,
    utm_crs: str,
    source: MemoryLayers | StoredLayers | None = None,
) -> list[PartitionInput]:
    """One task per parent-cell partition: its cells, bounds, and where to read the layers inside them.

    The task reads its rows itself (:meth:`PartitionInput.resolved`), from ``source``: the driver's
    frames by default, or a layer store for tasks in other processes.
    """
    resolution = recipe.grid.resolution
    parent_res = gridmod.partition_resolution(resolution, recipe.grid.partition_resolution)
    source = source if source is not None else MemoryLayers(vector_frames(layers))
    poi_kinds = sorted(set(osm_tag_table(recipe.tables.osm_tags)["kind"]))
    area_wkb = shapely.to_wkb(area)
    margin = settings.partition_margin_deg
    inputs = []
    for part in gridmod.partition_cells(cells, parent_res).values():
        bounds = tuple(float(v) for v in shapely.total_bounds(gridmod.cells_to_polygons(part)))
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
            )
        )
    return inputs


def vector_frames(layers: Layers) -> dict[str, gpd.GeoDataFrame | None]:
    """The vector layers partition tasks read, by name."""
    return {
        "buildings": layers.buildings,
        "pois": layers.pois,
        "hazards": layers.hazards,
        "resources": layers.resources,
        "streets": layers.streets,
    }


def partition_key(task: PartitionInput) -> str:
    """Content key of a partition task: its cells, the data it receives and the settings."""
    task = task.resolved()
    raster = None
    if task.raster is not None:
        raster = (sha256_of(task.raster.path), task.raster.band)
    return content_key(
        "partition",
        task.cells,
        task.resolution,
        task.utm_crs,
        hashlib.sha256(task.area_wkb).hexdigest(),
        task.poi_kinds,
        task.floor_area_per_person_m2,
        raster,
        *(frame_digest(f) for f in (task.buildings, task.pois, task.hazards, task.resources, task.streets)),
    )


def _partition_tables(
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
    run read from :func:`_task_source`, i.e. a layer store when they run in other processes, written
    only when some partition must be computed.
    """
    keys = [partition_key(task) for task in inputs] if cache is not None else []
    tables: list[pd.DataFrame | None] = [None] * len(inputs)
    if cache is not None:
        cache.used.update(keys)
        tables = [cache.get(key) for key in keys]
    todo = [i for i, table in enumerate(tables) if table is None]
    if todo:
        with _task_source(recipe, layers, scheduler) as source:
            tasks = [dataclasses.replace(inputs[i], source=source) for i in todo]
            fresh = map_partitions(partition_indicators, tasks, scheduler=scheduler, progress=progress)
        for i, table in zip(todo, fresh, strict=True):
            tables[i] = table
            if cache is not None:
                cache.put(keys[i], table)
    return tables


def utm_crs_for(area: BaseGeometry) -> str:
    """The UTM zone of the area's centre, as an EPSG code string."""
    centre = area.centroid
    return utm_crs(centre.x, centre.y)


@contextlib.contextmanager
def _task_source(recipe: Recipe, layers: Layers, scheduler: str) -> Iterator[MemoryLayers | StoredLayers]:
    """The driver's frames for tasks in this process; else a layer store, removed after the stage.

    The store goes under ``compute.store`` when the recipe sets it (a folder or URL all workers of
    a cluster can reach), else in a temporary folder on this machine.
    """
    if scheduler in ("synchronous", "threads"):
        yield MemoryLayers(vector_frames(layers))
        return
    base = recipe.compute.store
    if base is None:
        with tempfile.TemporaryDirectory(prefix="urbanrisk-store-") as folder:
            yield write_layer_store(vector_frames(layers), folder)
        return
    root = f"{base.rstrip('/')}/store-{uuid.uuid4().hex[:12]}"
    try:
        stored = write_layer_store(vector_frames(layers), root)
    except (OSError, ValueError, ImportError) as exc:
        msg = (
            f"compute.store: cannot write the layer store at {base} ({exc}); "
            "give a folder or a URL that fsspec can write (and its package, e.g. s3fs for s3://)"
        )
        raise InputError(msg) from exc
    try:
        yield stored
    finally:
        filesystem, path = fsspec.core.url_to_fs(root)
        if filesystem.exists(path):
            filesystem.rm(path, recursive=True)


def build_grid(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    *,
    scheduler: str | None = None,
    force: bool = False,
    progress: bool = False,
    cache: Cache | None = None,
) -> gpd.GeoDataFrame:
    """H3 cells over the area with their indicators, computed per partition with Dask.

    With a ``cache``, a partition whose cells and input data are unchanged is not recomputed.

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
    inputs = partition_inputs(recipe, layers, area, cells, utm_crs=utm_crs_for(area))
    tables = _partition_tables(
        inputs, recipe, layers, scheduler=resolve_scheduler(scheduler), progress=progress, cache=cache
    )
    table = pd.concat(tables).sort_index()
    frame = gridmod.grid_frame(list(table.index))
    grid = frame.join(table)
    grid["coverage_ratio"] = (grid["footprint_m2"] / grid["cell_area_m2"]).clip(upper=1.0)
    grid["population_source"] = layers.population_source
    first = ["cell_area_m2", "residents", "buildings", "footprint_m2", "coverage_ratio", "floor_area_m2"]
    rest = [c for c in grid.columns if c not in first and c != "geometry"]
    return grid[[*first, *rest, "geometry"]]


@dataclass
class Screens:
    """The four screens' tables and what each did (``ok: ...`` or ``skipped: no <layer>``)."""

    hazard_sources: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    key_districts: gpd.GeoDataFrame
    urban_villages: gpd.GeoDataFrame
    status: dict[str, str]
    unknown: list[str] = field(default_factory=list)  # indicators without data (graded neutral)


def screen_and_grade(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    grid: gpd.GeoDataFrame,
    *,
    utm_crs: str,
    coping: pd.Series | None = None,
) -> tuple[gpd.GeoDataFrame, Screens]:
    """Run the four screens and grade every cell; returns the graded grid and the screens."""
    from .grade import grade_cells
    from .screens import (
        communities_screen,
        hazard_sources_screen,
        key_districts_screen,
        urban_village_cell_scores,
        urban_villages_screen,
    )
    from .screens.hazard_sources import hazard_sources_from_layers, safety_distance_table

    kinds = hazard_kind_table(recipe.tables.hazard_kinds)
    distances = safety_distance_table(recipe.tables.safety_distances)
    status: dict[str, str] = {}
    sources = hazard_sources_from_layers(layers.hazards, layers.pois, kinds, utm_crs=utm_crs)
    if len(sources):
        # a source outside the area still counts when its impact circle reaches into it (edge effect)
        radius = kinds.reindex(sources["kind"])["impact_radius_m"].fillna(100.0).to_numpy()
        reach = sources.to_crs(utm_crs).distance(gpd.GeoSeries([area], crs=CRS).to_crs(utm_crs).iloc[0])
        sources = sources[(reach.to_numpy() <= radius)].reset_index(drop=True)
    hazard_table = hazard_sources_screen(
        grid,
        sources,
        pois=layers.pois,
        buildings=layers.buildings,
        resources=layers.resources,
        kinds=kinds,
        distances=distances,
        utm_crs=utm_crs,
    )
    if len(hazard_table):
        hazard_table["inside_area"] = shapely.contains_xy(
            area, hazard_table.geometry.x.to_numpy(), hazard_table.geometry.y.to_numpy()
        )
        status["hazard_sources"] = f"ok: {len(hazard_table)} sources"
    else:
        status["hazard_sources"] = "skipped: no hazards (no hazard registry layer and no OSM hazard features)"
    uv_scores = urban_village_cell_scores(grid, layers.landuse)
    unknown = set()
    if not len(layers.buildings):  # no building data: density and urban-village form are unknown
        unknown |= {"score_building_density", "score_urban_village"}
    if not len(layers.pois):  # no OSM features: crowding and vulnerable sites are unknown
        unknown |= {"score_crowding", "score_vulnerable_sites"}
    graded = grade_cells(
        grid,
        hazard_table,
        uv_scores["uv_score"],
        utm_crs=utm_crs,
        spec=recipe.grading,
        coping=coping,
        unknown=frozenset(unknown),
    )

    for column in uv_scores.columns:
        graded[column] = uv_scores[column]
    geometry = graded.pop("geometry")
    graded = gpd.GeoDataFrame(graded.assign(geometry=geometry), geometry="geometry", crs=CRS)
    communities, how = communities_screen(
        graded, hazard_table, polygons=layers.communities, landuse=layers.landuse, utm_crs=utm_crs
    )
    status["communities"] = f"ok: {len(communities)} units from {how}"
    if len(layers.pois):
        options = recipe.screens.key_districts
        districts = key_districts_screen(
            graded,
            layers.pois,
            min_cells=options.min_cells,
            min_crowd_places=options.min_crowd_places,
            crowd_min_per_km2=options.crowd_min_per_km2,
            people_min_per_km2=options.people_min_per_km2,
        )
        status["key_districts"] = f"ok: {len(districts)} districts"
    else:
        districts = key_districts_screen(graded.iloc[0:0], None)
        status["key_districts"] = "skipped: no osm layer (no crowd-gathering places)"
    if len(layers.buildings):
        options = recipe.screens.urban_villages
        villages = urban_villages_screen(
            graded, uv_scores, layers.landuse, min_score=options.min_score, min_cells=options.min_cells
        )
        status["urban_villages"] = f"ok: {len(villages)} clusters"
    else:
        villages = urban_villages_screen(graded.iloc[0:0], uv_scores.iloc[0:0], None)
        status["urban_villages"] = "skipped: no buildings"
    return graded, Screens(hazard_table, communities, districts, villages, status, sorted(unknown))


def coverage_for(recipe: Recipe, layers: Layers, area: BaseGeometry, grid: gpd.GeoDataFrame) -> Any:
    """The coverage stage for a recipe (standards preset and overrides from ``coverage:``)."""
    spec = recipe.coverage
    standards = standards_for(spec.standards, spec.override_dict(), recipe.tables.standards)
    return coverage_stage(
        grid,
        layers.streets,
        layers.street_nodes,
        layers.pois,
        layers.resources,
        area,
        standards=standards,
        utm_crs=utm_crs_for(area),
        search_buffer_m=spec.search_buffer_m,
        max_snap_m=spec.max_snap_m,
        sites=spec.sites,
        speeds_path=recipe.tables.speeds,
    )


@dataclass
class RunResult:
    """What a run produced: the graded grid, the four screens and everything needed to explain them."""

    recipe: Recipe
    grid: gpd.GeoDataFrame
    layers: Layers
    area: BaseGeometry
    timings: dict[str, float]
    notes: list[str]
    screens: Screens | None = None
    coverage: Any = None  # urbanrisk.coverage.CoverageResult
    run_dir: Path | None = None
    published: str | None = None  # where outputs.publish copied the run

    def map(self) -> Any:
        """The run's map as a pydeck Deck; in a notebook it shows inline, offline, with its legend."""
        from .render import grid_deck, legend_html

        deck = grid_deck(self.grid, self.layers, self)
        deck.header_html = legend_html(self, deck)
        return deck


def run_recipe(
    recipe: Recipe | str | Path,
    *,
    out: str | Path | None = None,
    scheduler: str | None = None,
    force: bool = False,
    progress: bool = False,
    write: bool = True,
    cache: Cache | None = None,
    _after_stage: Callable[[str], None] | None = None,
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

    Returns
    -------
    RunResult
    """
    from . import store

    if not isinstance(recipe, Recipe):
        recipe = load_recipe(recipe)
    scheduler = resolve_scheduler(scheduler or recipe.compute.scheduler)
    hook = _after_stage or (lambda stage: None)
    if not write:
        return compute_run(
            recipe, scheduler=scheduler, force=force, progress=progress, cache=cache, hook=hook
        )
    out_dir = Path(out) if out is not None else Path(recipe.outputs.dir)
    with store.run_lock(out_dir):
        result = compute_run(
            recipe, scheduler=scheduler, force=force, progress=progress, cache=cache, hook=hook
        )
        start = time.perf_counter()
        result.run_dir = store.write_run(result, out_dir, scheduler=scheduler, after_file=hook)
        if recipe.outputs.publish:
            result.published = store.publish_run(result.run_dir, recipe.outputs.publish)
        result.timings["write"] = round(time.perf_counter() - start, 3)
    return result


def compute_run(
    recipe: Recipe,
    *,
    scheduler: str,
    force: bool = False,
    progress: bool = False,
    cache: Cache | None = None,
    hook: Callable[[str], None] | None = None,
) -> RunResult:
    """Every stage of a run, in memory: layers, area, grid, coverage, screens and grades."""
    timings: dict[str, float] = {}
    hook = hook or (lambda stage: None)

    def stage(name: str, func: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = func()
        timings[name] = round(time.perf_counter() - start, 3)
        hook(name)
        return value

    layers = stage("layers", lambda: load_layers(recipe, cache=cache))
    area = stage("area", lambda: study_area(recipe, layers))
    notes = list(layers.notes)
    for what, points in (("hazards", layers.hazards), ("resources", layers.resources)):
        note = check_points_inside(points, area, what)
        if note:
            notes.append(note)
    grid = stage(
        "grid",
        lambda: build_grid(
            recipe, layers, area, scheduler=scheduler, force=force, progress=progress, cache=cache
        ),
    )
    coverage = stage("coverage", lambda: coverage_for(recipe, layers, area, grid))
    grid, screens = stage(
        "screens",
        lambda: screen_and_grade(
            recipe, layers, area, grid, utm_crs=utm_crs_for(area), coping=coverage.coping
        ),
    )
    wide = coverage_wide(coverage.coverage)
    if len(wide.columns):
        geometry = grid.pop("geometry")
        grid = gpd.GeoDataFrame(grid.join(wide).assign(geometry=geometry), geometry="geometry", crs=CRS)
    return RunResult(
        recipe=recipe,
        grid=grid,
        layers=layers,
        area=area,
        timings=timings,
        notes=notes,
        screens=screens,
        coverage=coverage,
    )
