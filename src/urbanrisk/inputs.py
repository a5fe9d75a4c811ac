"""Inputs: every layer of a recipe loaded into the standard schema (EPSG:4326), and the study area.

Each layer ``type`` has one loader in :data:`LOADERS` (types are declared once, in
:data:`urbanrisk.recipe.schema.LAYER_MODELS`): a new type is one model there and one loader here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from . import settings
from ._errors import LayerError, RecipeError
from ._gc import frozen_before
from .antimeridian import narrow_bounds, wrap_box, wrap_geometry
from .area_from_file import area_from_file
from .cache import Cache, content_key, frame_digest, sha256_of
from .layers.buildings import storeys_notes
from .layers.osm import LAYERS_VERSION, OsmLayers, osm_from_file
from .layers.osm_join import LANDUSE_COLUMNS, POI_COLUMNS, STREET_COLUMNS, concat_layers, osm_frames
from .layers.points import points_from_file
from .layers.polygons import polygons_from_file
from .layers.raster import raster_info
from .layers.raster_density import density_problems
from .layers.registry_units import registry_unit_notes
from .layers.remote import local_copy
from .layers.tables import (
    building_type_table,
    hazard_kind_table,
    kind_of,
    landuse_context_table,
    osm_tag_table,
    registry_kind_names,
)
from .osm_footprint import footprints
from .parallel import apart, beside, overlaps
from .population_homes import no_buildings_message
from .population_table import load_population_table, own_units_files
from .preflight_area import outside_message
from .recipe import Recipe
from .result import Layers, RasterInfo
from .stored_osm import building_count, data_extent, ingest_request, ingested_layers
from .wording import counted

CRS = "EPSG:4326"


@dataclass
class _Loading:
    """What the loaders of one recipe read so far, and the tables they share."""

    recipe: Recipe
    cache: Cache | None
    tag_table: pd.DataFrame
    building_types: pd.DataFrame
    context: pd.DataFrame
    severities: dict[str, int]
    kind_names: dict[str, dict[str, str]]  # role -> accepted kind name -> kind
    osm: dict[str, OsmLayers] = field(default_factory=dict)
    ingest: bool = False  # compute.ingest: partitioned: each extract is streamed into a store instead
    osm_files: dict[str, str] = field(default_factory=dict)
    stored: Any = None  # their stores, when ingested ahead (a batch)
    hazards: list[gpd.GeoDataFrame] = field(default_factory=list)
    resources: list[gpd.GeoDataFrame] = field(default_factory=list)
    communities: list[gpd.GeoDataFrame] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written_units: list[Any] = field(default_factory=list)  # the registries' own 街道 / 社区 columns
    complete_kinds: dict[str, str] = field(default_factory=dict)  # resource kind -> registry layer
    raster: RasterInfo | None = None
    per_person: float | None = None
    population_source: str = "none: no population layer in the recipe (residents are 0)"
    population_table: Any = None  # population_table: its units and counts
    beside: Any = None  # an extract's streets read beside its areas (processes: on a worker), see apart


def _load_osm(name: str, spec: Any, state: _Loading) -> None:
    """An OSM extract; with a cache, an unchanged extract (and tag tables) is not parsed again.
    Under ``compute.ingest: partitioned``, only its file is noted: it is ingested after the loop."""
    if state.ingest:
        state.osm_files[name] = spec.path
        return

    def parse() -> OsmLayers:
        return osm_from_file(
            spec.path,
            tag_table=state.tag_table,
            building_types=state.building_types,
            landuse_context=state.context,
            beside=state.beside,
        )

    if state.cache is None:
        state.osm[name] = parse()
        return
    key = content_key(
        "osm",
        LAYERS_VERSION,
        sha256_of(spec.path),
        frame_digest(state.tag_table.reset_index()),
        frame_digest(state.building_types.reset_index()),
        frame_digest(state.context),
    )
    state.cache.used.add(key)
    state.osm[name] = state.cache.get(key)
    if state.osm[name] is None:
        state.osm[name] = parse()
        state.cache.put(key, state.osm[name])


def _load_points(name: str, spec: Any, state: _Loading) -> None:
    options = spec.model_dump(
        exclude={"type", "path", "severity", "severity_column", "complete_for", "id_column"}
    )
    frame = points_from_file(
        spec.path,
        layer=name,
        id_column=spec.id_column if "id_column" in spec.model_fields_set else None,  # declared: must exist
        severity_column=spec.severity_col,
        severity_order=spec.severity.order if spec.severity else None,
        default_severity=state.severities,
        kinds=state.kind_names[spec.role],
        allow_empty=bool(spec.complete_for),
        **options,
    )
    state.notes += frame.attrs.pop("notes", [])
    state.written_units.append(frame.attrs.pop("written_units", None))
    (state.hazards if spec.role == "hazard" else state.resources).append(frame)
    for value in spec.complete_for:
        kind = kind_of(value, state.kind_names["resource"])
        if kind is None:
            msg = (
                f"layer '{name}': complete_for names '{value}', not a resource kind: use one of "
                f"{sorted(set(state.kind_names['resource'].values()))} or its label (消防站...)"
            )
            raise LayerError(msg)
        state.complete_kinds.setdefault(kind, name)


def _load_polygons(name: str, spec: Any, state: _Loading) -> None:
    units = polygons_from_file(
        spec.path,
        layer=name,
        id_column=spec.id_column,
        name_column=spec.name_column,
        crs=spec.crs,
        coords=spec.coords,
        encoding=spec.encoding,
        file_layer=spec.file_layer,
        level_column=spec.level_column,
        level_values=spec.level_values,
    )
    level = units["level"] = getattr(spec, "level", None)
    same_level = [u for u in state.communities if len(u) and u["level"].iloc[0] == level]
    every = pd.concat([*same_level, units], ignore_index=True)
    names = every.groupby("id")["name"].unique()  # one id, several names: one unit silently swallowed
    clash = names[names.map(len) > 1]
    if len(clash):
        ident, named = clash.index[0], "、".join(clash.iloc[0][:3])
        msg = (
            f"layer '{name}': {spec.path}: id '{ident}' names several units ({named}) at level "
            f"{level or 'community'}: give each unit its own id "
            f"(id_column: {spec.id_column}), or the same name where the features are parts of one unit"
        )
        raise LayerError(msg)
    state.notes += units.attrs.pop("notes", [])
    state.communities.append(units)


def _load_raster(name: str, spec: Any, state: _Loading) -> None:
    state.raster = raster_info(
        spec.path,
        band=spec.band,
        layer=name,
        warp=True,
        nodata_means=spec.nodata,
        band_named="band" in spec.model_fields_set,
    )
    refused, noted = density_problems(spec.path, spec.band)  # 3e38 people a pixel, as validate says
    if refused:
        raise LayerError(f"layer '{name}': {refused}")
    state.notes += [noted] if noted else []
    state.population_source = f"raster: {Path(spec.path).name} (people per pixel, shared by area)"


def _load_population_from_buildings(name: str, spec: Any, state: _Loading) -> None:
    per_person = spec.floor_area_per_person_m2
    state.per_person = settings.floor_area_per_person_m2 if per_person is None else per_person
    state.population_source = (
        f"buildings: residential floor area of layer '{spec.source}' ÷ {state.per_person:g} m² per person"
    )


#: The loader of each recipe layer ``type`` (the same keys as the schema's LAYER_MODELS).
LOADERS: dict[str, Callable[[str, Any, _Loading], None]] = {
    "osm": _load_osm,
    "points": _load_points,
    "raster": _load_raster,
    "polygons": _load_polygons,
    "population_from_buildings": _load_population_from_buildings,
    "population_table": load_population_table,
}


def _osm_layers(state: _Loading, scheduler: str | None) -> dict[str, Any]:
    """The OSM layers streamed into stores (:func:`urbanrisk.stored_osm.ingested_layers`)."""
    files, base, resolution, tables = ingest_request(state.recipe, state.osm_files)  # type: ignore[misc]
    columns = {"pois": POI_COLUMNS, "landuse": LANDUSE_COLUMNS, "streets": STREET_COLUMNS}
    options = {"base": base, "partition_resolution": resolution, "tables": tables, "stored": state.stored}
    return ingested_layers(files, columns=columns, scheduler=scheduler, **options)


def _load_every(specs: list[tuple[str, Any]], state: _Loading, scheduler: str | None) -> dict[str, Any]:
    """Every layer loaded (in the recipe's order); the OSM layers' part of :class:`Layers`. Under
    ``compute.ingest: partitioned`` the extracts are ingested after the other layers are loaded, or,
    on worker processes or a cluster, by tasks there while the driver loads the others."""
    rest = [(name, spec) for name, spec in specs if not (state.ingest and spec.type == "osm")]
    for name, spec in specs:
        if state.ingest and spec.type == "osm":
            _load_osm(name, spec, state)  # its file noted

    def load_rest() -> None:
        for name, spec in rest:
            LOADERS[spec.type](name, spec, state)

    if not state.osm_files:
        load_rest()
        return osm_frames(state.osm)
    if scheduler is not None and overlaps(scheduler):
        return beside(lambda: _osm_layers(state, scheduler), load_rest, scheduler=scheduler)[0]
    load_rest()
    return _osm_layers(state, scheduler)


@frozen_before  # as compute_run: each stage called alone (a notebook) too
def load_layers(
    recipe: Recipe, *, cache: Cache | None = None, scheduler: str | None = None, stored: Any = None
) -> Layers:
    """Load every layer of a recipe into the standard schema.

    ``cache``: an extract whose content and tables did not change is not parsed again; ``scheduler``:
    where ``compute.ingest: partitioned`` ingests (:func:`_load_every`); ``stored``: stores ingested ahead.

    Raises
    ------
    LayerError
        Naming the layer and the file, for the first layer that cannot be read.
    """
    state = _Loading(
        recipe=recipe,
        cache=cache,
        stored=stored,
        beside=partial(apart, scheduler=scheduler) if scheduler is not None else None,
        ingest=recipe.compute.ingest == "partitioned",
        tag_table=osm_tag_table(recipe.tables.osm_tags),
        building_types=building_type_table(recipe.tables.building_types),
        context=landuse_context_table(recipe.tables.landuse_context),
        severities=hazard_kind_table(recipe.tables.hazard_kinds)["default_severity"].to_dict(),
        kind_names=registry_kind_names(
            recipe.tables.hazard_kinds, recipe.tables.resource_kinds, recipe.tables.kind_aliases
        ),
    )
    specs, files = [], own_units_files(recipe)  # and each census table's own unit polygons
    if recipe.area.path:  # the boundary file: an input of the run too (manifest, report)
        files["area.path"] = local_copy(recipe.area.path)
    for name, spec in recipe.layers.items():
        if hasattr(spec, "path"):
            spec = spec.model_copy(update={"path": local_copy(spec.path)})  # a URL becomes a local copy
            files[name] = spec.path
        specs.append((name, spec))
    layers = Layers(
        **_load_every(specs, state, scheduler),
        hazards=concat_layers(state.hazards, ["id", "kind", "name", "severity", "source"]),
        resources=concat_layers(state.resources, ["id", "kind", "name", "capacity", "source"]),
        communities=concat_layers(state.communities, ["id", "name", "level"]) if state.communities else None,
        raster=state.raster,
        floor_area_per_person_m2=state.per_person,
        population_source=state.population_source,
        population_table=state.population_table,
        files=files,
        complete_kinds=dict(state.complete_kinds),
        notes=list(state.notes),
    )
    layers.notes += registry_unit_notes(state.written_units, state.communities)  # 社区 typos (office16)
    layers.notes += storeys_notes(layers.stats, files)  # building:levels=1e20 ignored, counted
    layers.resources = resources_once(layers.resources, layers.notes)
    if state.per_person is not None and not building_count(layers):  # was: "residents are 0", graded
        homes = next(name for name, spec in specs if spec.type == "population_from_buildings")
        osm = [str(spec.path) for _, spec in specs if spec.type == "osm"]
        raise LayerError(no_buildings_message(homes, osm))
    return layers


def resources_once(resources: gpd.GeoDataFrame, notes: list[str]) -> gpd.GeoDataFrame:
    """Registry resources with each one counted once: a row of the same kind, id and place (to ~1 m)
    as an earlier row (the same station in an .xls and a CSV registry) is dropped, with a note.

    Counted twice, a station would cover its residents twice over and the N-1 table would say that
    losing it costs nobody. Rows that share an id at different places are kept, with a note: the
    rescan matches resources by id.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> rows = gpd.GeoDataFrame({"id": ["119-01", "119-01"], "kind": "fire_station",
    ...     "source": ["a:x.xls", "b:y.csv"]}, geometry=[Point(116.35, 39.96)] * 2, crs=4326)
    >>> notes = []
    >>> len(resources_once(rows, notes)), notes
    (1, ["resources: fire_station 119-01 is listed in 'a' and 'b' at the same place: counted once"])
    """
    if len(resources) < 2:
        return resources
    place = resources.geometry.x.round(5).astype(str) + "," + resources.geometry.y.round(5).astype(str)
    ident = resources["kind"].astype(str) + " " + resources["id"].astype(str)
    again = (ident + "@" + place).duplicated(keep="first")
    twice = (ident + "@" + place).duplicated(keep=False)
    for key, rows in resources[twice].groupby(ident[twice], sort=True):
        where = " and ".join(sorted({f"'{s.split(':')[0]}'" for s in rows["source"].astype(str)}))
        notes.append(f"resources: {key} is listed in {where} at the same place: counted once")
    kept = ident[~again]
    for key in sorted(set(kept[kept.duplicated()])):
        notes.append(f"resources: {key} is at several places: give each its own id (a rescan matches by id)")
    return resources[~again].reset_index(drop=True) if again.any() else resources


def _osm_area(name: str, layers: Layers) -> BaseGeometry:
    """The extract's extent: its declared box's footprint (a polygon cut's polygon, not its box:
    :func:`urbanrisk.osm_footprint.footprints`, the run's own), else its data's box."""
    bounds = layers.osm_bounds.get(name) or data_extent(layers)
    if bounds is None:
        msg = (
            f"area: layer '{name}' declares no bounds and holds no buildings, places or streets: give "
            "the study area with area: {bbox: [minlon, minlat, maxlon, maxlat]}"
        )
        raise LayerError(msg)
    boxes = [b for b in layers.osm_bounds.values() if b is not None]
    return footprints(boxes, layers)[boxes.index(bounds)] if bounds in boxes else box(*bounds)


def study_area(recipe: Recipe, layers: Layers) -> BaseGeometry:
    """The study area polygon (lon/lat) the recipe asks for.

    Raises
    ------
    LayerError
        The area lies wholly outside the data of OSM extracts that declare no bounds (those that do
        are checked before loading: :func:`urbanrisk.preflight_area.outside_problems`).
    """
    area = _study_area(recipe, layers)
    osm = [n for n, s in recipe.layers.items() if s.type == "osm"]
    extent = data_extent(layers) if osm and all(layers.osm_bounds.get(n) is None for n in osm) else None
    where = {"', '".join(osm): ("its data: the header declares no bounds", extent)} if extent else {}
    text = outside_message(area.bounds, where, "OSM extract")
    if text:
        raise LayerError(f"area: {text}")
    return area


def _study_area(recipe: Recipe, layers: Layers) -> BaseGeometry:
    spec = recipe.area
    if spec.bbox is not None:  # minlon > maxlon: the box crosses 180°, split there
        return wrap_box(*spec.bbox)
    if spec.path is not None:
        return area_from_file(spec.path)
    name = spec.layer
    kind = recipe.layers[name].type
    if kind == "osm":
        return _osm_area(name, layers)
    if kind == "raster" and layers.raster is not None:
        return wrap_box(*layers.raster.bounds)
    if kind == "polygons" and layers.communities is not None:
        return shapely.union_all(layers.communities.geometry.to_numpy())
    if kind == "points":
        points = pd.concat([layers.hazards.geometry, layers.resources.geometry])
        if not len(points):
            msg = f"area: layer '{name}' holds no points: give the study area as area: {{bbox: [...]}}"
            raise LayerError(msg)
        around = narrow_bounds(points.x.to_numpy(), points.y.to_numpy())  # across 180° if narrower
        return wrap_geometry(box(*around).buffer(0.005))
    msg = (
        f"area: layer '{name}' ({kind}) cannot define a study area; "
        "use an osm, raster, polygons or points layer, or a bbox"
    )
    raise RecipeError(msg)


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
        used = {  # they still count where they reach the area (edge effects), never in a cell
            "hazards": "screened where their impact radius reaches it",
            "resources": "used for coverage where they could reach it in a standard's limit "
            "(coverage.search_buffer_m if set)",
        }.get(what, "left out")
        return (
            f"{what}: {outside} of {len(points)} points lie outside the study area: {used}, "
            "not counted in any cell"
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
    return f"{what}: none of its {counted(len(points), 'point')} lies in the study area"
