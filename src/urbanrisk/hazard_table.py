"""The hazard-source screen of a run: registry and OSM hazards whose impact circle reaches the area,
graded (:func:`urbanrisk.screens.hazard_sources_screen`) and with GB 18218's major-hazard grades."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from .inputs import CRS
from .layers.tables import hazard_kind_table
from .projected_points import points_to_crs
from .recipe import Recipe
from .result import Layers
from .screens import hazard_sources_screen
from .screens.hazard_sources import hazard_sources_from_layers, hazard_sources_sited, safety_distance_table
from .screens.major_hazard import gb18218_table, major_hazard_grades
from .stored_osm import homes_near
from .wording import counted


def hazard_inputs(recipe: Recipe, layers: Layers, area: BaseGeometry, utm_crs: str) -> dict[str, Any]:
    """The hazard screen's part that needs no grid, from the layers alone (a run on workers computes it
    beside the grid's tasks): the tables, the sources found and those whose impact circle reaches the
    area (a source outside the area still counts then: edge effect), sited
    (:func:`urbanrisk.screens.hazard_sources.hazard_sources_sited`)."""
    kinds = hazard_kind_table(recipe.tables.hazard_kinds)
    found = hazard_sources_from_layers(layers.hazards, layers.pois, kinds, utm_crs=utm_crs)
    sources = found
    if len(sources):
        radius = kinds.reindex(sources["kind"])["impact_radius_m"].fillna(100.0).to_numpy()
        utm_area = gpd.GeoSeries([area], crs=CRS).to_crs(utm_crs).iloc[0]
        reach = shapely.distance(points_to_crs(sources.geometry, utm_crs), utm_area)  # as GeoSeries.distance
        sources = sources[reach <= radius].reset_index(drop=True)
    distances = safety_distance_table(recipe.tables.safety_distances)
    sited = None
    if len(sources):
        homes = (
            layers.buildings
            if layers.store is None
            else homes_near(layers.store, sources, kinds, distances, utm_crs)
        )
        sited = hazard_sources_sited(
            sources,
            pois=layers.pois,
            buildings=homes,
            resources=layers.resources,
            kinds=kinds,
            distances=distances,
            utm_crs=utm_crs,
        )
    gb18218 = gb18218_table(recipe.tables.gb18218)
    return {
        "kinds": kinds,
        "found": found,
        "sources": sources,
        "distances": distances,
        "sited": sited,
        "gb18218": gb18218,
    }


def hazard_table(
    recipe: Recipe,
    layers: Layers,
    area: BaseGeometry,
    grid: gpd.GeoDataFrame,
    utm_crs: str,
    exposed_of: Callable[..., Any] | None = None,
    inputs: Mapping[str, Any] | None = None,
    residents_known: Any = None,
) -> tuple[gpd.GeoDataFrame, str]:
    """The hazard-source screen: registry and OSM hazards whose impact circle reaches the area, and
    its status (``inputs``: :func:`hazard_inputs` of these layers, when computed already;
    ``residents_known``: per cell, whether its residents were measured: where not, exposure is a
    lower bound and a grade it cannot fix is ``no data``)."""
    if inputs is None:
        inputs = hazard_inputs(recipe, layers, area, utm_crs)
    table = hazard_sources_screen(
        grid,
        inputs["sources"],
        pois=None,
        buildings=None,
        resources=None,
        kinds=inputs["kinds"],
        distances=inputs["distances"],
        utm_crs=utm_crs,
        exposed_of=exposed_of,
        sited=inputs["sited"],
        residents_known=residents_known,
    )
    major = major_hazard_grades(
        table,
        grid,
        inputs["gb18218"],
        utm_crs=utm_crs,
        exposed_of=exposed_of,
        residents_known=residents_known,
    )
    table = table.join(major)
    if len(table):
        table["inside_area"] = shapely.contains_xy(area, table.geometry.x.values, table.geometry.y.values)
        return table, f"ok: {counted(len(table), 'source')}"
    if len(inputs["found"]):  # a registry was given: its points are not in the area (wrong area or CRS?)
        outside = counted(len(inputs["found"]), "hazard source", thousands=True)
        return table, f"skipped: none of the {outside} reaches the study area"
    return table, "skipped: no hazards (no hazard registry layer and no OSM hazard features)"
