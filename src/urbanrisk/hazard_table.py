"""The hazard-source screen of a run: registry and OSM hazards whose impact circle reaches the area,
graded (:func:`urbanrisk.screens.hazard_sources_screen`) and with GB 18218's major-hazard grades.

The sources are projected to the run's UTM zone once, here (``sources_utm`` of :func:`hazard_inputs`),
and the grid's cells once for the circles of both grades; the reach test, the sited and graded
tables and GB 18218 take those arrays, and the cells' intensity and the units' registers take the
table in UTM (:func:`sources_in_utm`): nothing is kept between runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .cell_circles import circle_cells
from .hazard_defaults import UNLISTED_RADIUS_M
from .inputs import CRS
from .layers.tables import hazard_kind_table
from .recipe import Recipe
from .result import Layers
from .same_sites import sites_of
from .screens import hazard_sources_screen
from .screens.hazard_sources import (
    hazard_sources_from_layers,
    hazard_sources_sited,
    residents_in_circles,
    safety_distance_table,
)
from .screens.major_hazard import gb18218_table, major_hazard_grades
from .stored_osm import homes_near
from .wording import counted


def hazard_inputs(recipe: Recipe, layers: Layers, area: BaseGeometry, utm_crs: str) -> dict[str, Any]:
    """The hazard screen's part that needs no grid, from the layers alone (a run on workers computes it
    beside the grid's tasks): the tables, the sources found and those that reach the area: their impact
    circle reaches it (a source outside the area still counts then: edge effect), or a safety distance
    of their kind that reaches it is breached (a gas holder 250 m outside, 280 m from a fire station:
    300 m); sited (:func:`urbanrisk.screens.hazard_sources.hazard_sources_sited`), and ``sources_utm``:
    their points in ``utm_crs``, projected once for every measure of the screen."""
    kinds = hazard_kind_table(recipe.tables.hazard_kinds)
    distances = safety_distance_table(recipe.tables.safety_distances)
    found = hazard_sources_from_layers(layers.hazards, layers.pois, kinds, utm_crs=utm_crs)
    sources, sources_utm = found, found.geometry.to_crs(utm_crs).to_numpy()
    reaches = np.zeros(0, dtype=bool)
    if len(sources):
        radius = kinds.reindex(sources["kind"])["impact_radius_m"].fillna(UNLISTED_RADIUS_M).to_numpy()
        safety = sources["kind"].map(distances.groupby("kind")["min_distance_m"].max()).fillna(0.0)
        utm_area = gpd.GeoSeries([area], crs=CRS).to_crs(utm_crs).iloc[0]
        gap = shapely.distance(sources_utm, utm_area)  # as GeoSeries.distance
        near = gap <= np.maximum(radius, safety.to_numpy(dtype=float))
        sources, sources_utm, reaches = (
            sources[near].reset_index(drop=True),
            sources_utm[near],
            (gap <= radius)[near],
        )
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
            sources_utm=sources_utm,
            sites=sites_of(layers),  # merged once, by the grid stage or here (whichever is first)
        )
        keep = reaches | (sited["n_breaches"].to_numpy() > 0)  # beyond the circle: kept for a breach
        if not keep.all():
            sources, sources_utm = sources[keep].reset_index(drop=True), sources_utm[keep]
            sited = sited[keep].reset_index(drop=True) if keep.any() else None
    gb18218 = gb18218_table(recipe.tables.gb18218)
    return {
        "kinds": kinds,
        "found": found,
        "sources": sources,
        "sources_utm": sources_utm,
        "distances": distances,
        "sited": sited,
        "gb18218": gb18218,
    }


def hazard_table(
    recipe: Recipe,
    layers: Layers | None,
    area: BaseGeometry,
    grid: gpd.GeoDataFrame,
    utm_crs: str,
    exposed_of: Callable[..., Any] | None = None,
    inputs: Mapping[str, Any] | None = None,
    residents_known: Any = None,
) -> tuple[gpd.GeoDataFrame, str]:
    """The hazard-source screen: registry and OSM hazards whose impact circle reaches the area, and
    its status (``inputs``: :func:`hazard_inputs` of these layers, when computed already: then
    ``layers`` is not read, and may be None; ``residents_known``: per cell, whether its residents
    were measured: where not, exposure is a lower bound and a grade it cannot fix is ``no data``)."""
    if inputs is None:
        if layers is None:
            raise ValueError("hazard_table needs the layers or their hazard inputs")
        inputs = hazard_inputs(recipe, layers, area, utm_crs)
    if exposed_of is None and len(inputs["sources"]):  # the cells projected once for both grades' circles
        exposed_of = partial(residents_in_circles, cells_utm=circle_cells(grid.index, utm_crs))
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
        sources_utm=inputs["sources_utm"],
    )
    major = major_hazard_grades(
        table,
        grid,
        inputs["gb18218"],
        utm_crs=utm_crs,
        exposed_of=exposed_of,
        residents_known=residents_known,
        sources_utm=inputs["sources_utm"],
    )
    table = table.join(major)
    if len(table):
        table["inside_area"] = shapely.contains_xy(area, table.geometry.x.values, table.geometry.y.values)
        return table, f"ok: {counted(len(table), 'source')}"
    if len(inputs["found"]):  # a registry was given: its points are not in the area (wrong area or CRS?)
        outside = counted(len(inputs["found"]), "hazard source", thousands=True)
        return table, f"skipped: none of the {outside} reaches the study area"
    return table, "skipped: no hazards (no hazard registry layer and no OSM hazard features)"


def sources_in_utm(table: gpd.GeoDataFrame, sources_utm: np.ndarray, utm_crs: str) -> gpd.GeoDataFrame:
    """The hazard table (:func:`hazard_table`) with its points in ``utm_crs`` (``sources_utm``: the
    ``sources_utm`` of its :func:`hazard_inputs`, row for row): the cells' intensity and the units'
    registers measure in it without projecting the sources again (a ``to_crs`` to its own CRS is none).
    """
    return gpd.GeoDataFrame(table.drop(columns="geometry"), geometry=sources_utm, crs=utm_crs, copy=False)
