"""The hazard-source screen of a run: registry and OSM hazards whose impact circle reaches the area,
graded (:func:`urbanrisk.screens.hazard_sources_screen`) and with GB 18218's major-hazard grades.

The sources are projected to the run's UTM zone once, here (``sources_utm`` of :func:`hazard_inputs`),
and the grid's cells' boxes once for the circles of both grades (:func:`cell_boxes`: only the cells
a circle reaches are projected, :func:`residents_near_circles`); the reach test, the sited and graded
tables and GB 18218 take those arrays, and the cells' intensity and the units' registers take the
table in UTM (:func:`sources_in_utm`): nothing is kept between runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from .circle_overlap import circle_sums
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
    if exposed_of is None and len(inputs["sources"]):  # the cells' boxes, once for every circle
        exposed_of = partial(residents_near_circles, boxes=cell_boxes(grid, utm_crs))
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


#: Cells whose vertices :func:`cell_boxes` projects at once
BOX_CHUNK = 20_000


def cell_boxes(grid: gpd.GeoDataFrame, utm_crs: str) -> shapely.STRtree:
    """A search tree of the grid's cells' boxes in ``utm_crs``, each the diagonal of its polygon's
    projected vertices' box (as ``grid.geometry.to_crs(utm_crs)`` projects them; a line of two points
    weighs less than a box): the same envelopes, so the same tree as one of the projected polygons, and
    any query of it finds their cells in the same order."""
    cells, to_utm = grid.geometry.to_numpy(), Transformer.from_crs(grid.crs, utm_crs, always_xy=True)
    corners = np.zeros((len(cells), 2, 2))
    for lo in range(0, len(cells), BOX_CHUNK):  # the vertices of a chunk of cells at a time
        xy, owner = shapely.get_coordinates(cells[lo : lo + BOX_CHUNK], return_index=True)
        x, y = to_utm.transform(xy[:, 0], xy[:, 1])
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        for end, reduce in ((0, np.minimum.reduceat), (1, np.maximum.reduceat)):
            corners[lo : lo + len(starts), end] = np.column_stack([reduce(x, starts), reduce(y, starts)])
    return shapely.STRtree(shapely.linestrings(corners) if len(cells) else [])


def residents_near_circles(
    grid: gpd.GeoDataFrame,
    centres_utm: np.ndarray,
    radii: np.ndarray,
    utm_crs: str,
    weights: np.ndarray | None = None,
    *,
    boxes: shapely.STRtree,
) -> np.ndarray:
    """:func:`urbanrisk.screens.hazard_sources.residents_in_circles` with only the cells near a circle
    projected (``boxes``: :func:`cell_boxes` of ``grid``): each circle's cells are those of the boxes its
    box meets that lie within its radius, in the order of the boxes' tree (that of every projected
    cell's tree), so the same sums to the bit (session 15: projecting every cell's polygon for a few
    hundred circles held ~150 MB at 256 tiles)."""
    centres = np.asarray(centres_utm, dtype=float).reshape(-1, 2)
    radii = np.asarray(radii, dtype=float)
    residents = grid["residents"].to_numpy() if weights is None else np.asarray(weights, dtype=float)
    live = np.flatnonzero(radii > 0)
    reach = np.column_stack([centres[live] - radii[live, None], centres[live] + radii[live, None]])
    circle, box = boxes.query(shapely.box(*reach.T))  # a superset of each circle's cells, in tree order
    points = shapely.points(centres[live])
    shapely.prepare(points)  # as the tree's query tests them
    near, at = np.unique(box, return_inverse=True)
    cells = grid.geometry.iloc[near].to_crs(utm_crs).to_numpy()
    keep = shapely.dwithin(points[circle], cells[at], radii[live][circle])
    return circle_sums(cells, residents[near], centres, radii, pairs=(live[circle[keep]], at[keep]))


def sources_in_utm(table: gpd.GeoDataFrame, sources_utm: np.ndarray, utm_crs: str) -> gpd.GeoDataFrame:
    """The hazard table (:func:`hazard_table`) with its points in ``utm_crs`` (``sources_utm``: the
    ``sources_utm`` of its :func:`hazard_inputs`, row for row): the cells' intensity and the units'
    registers measure in it without projecting the sources again (a ``to_crs`` to its own CRS is none).
    """
    return gpd.GeoDataFrame(table.drop(columns="geometry"), geometry=sources_utm, crs=utm_crs, copy=False)
