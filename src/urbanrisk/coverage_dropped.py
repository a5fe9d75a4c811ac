"""Cells a resource that could not be used might reach: coverage unknown, not uncovered.

A resource of a standard's kind farther than ``max_snap_m`` from every snap node of the mode's graph
is not used (:func:`urbanrisk.coverage.cover_cells`, named in the status by
:mod:`urbanrisk.unsnapped`). When it lies beyond the street data (a registry's station 1.5 km past the
extract's edge) its streets were never read; when it lies inside them, its link to the streets is
missing (a campus gate, a geocoding slip). Either way a route from it may exist that the data do not
hold, and a cell it could reach within the limit was said to be "beyond the limit": Wudaokou r9 with a
fire station 1.5 km east of the extract, 57 of the 58 such cells (30,282 residents) counted uncovered.

A cell is **unknown** for a standard when no usable resource covers it, its own travel is otherwise
known, it snaps to the network (``cell_snap_m`` <= ``max_snap_m``: a cell with no street near it stays
what :mod:`urbanrisk.snap_reasons` says) and an unused resource lies within its optimistic reach::

    straight-line distance <= v · max(limit − turnout, 0) · 1.001 + max_snap_m + cell_snap_m + 1 m

``v`` being the fastest straight-line speed of any edge of the mode's graph (:func:`straight_line_speed`,
the partitioned path's halo speed: metres per second for a time standard, ~1 for a distance one): a
route of network travel ``t`` never leaves a disc of radius ``v·t`` around its nodes, the resource would
snap within ``max_snap_m`` of a node of the streets it stands on, and the cell is ``cell_snap_m`` from
its own. Such a cell has ``travel_known`` false, ``residents_uncovered`` NaN (in no sum), joins no gap,
leaves lack of coping (:func:`urbanrisk.coverage.known_travel_only`), and its ``reason`` names the
nearest such resource (:data:`urbanrisk.coverage_unknown.DROPPED_REACH`). A cell a usable resource covers
stays covered (a known cover wins). It is decided on the whole graph in
:func:`urbanrisk.coverage.coverage_stage` after either path's travel, from the table's ``covered`` and
``cell_snap_m``, which both paths give identically (:mod:`urbanrisk.coverage_dask`): both agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from . import settings
from .coverage_unknown import DROPPED_REACH, covered_flags, travel_flags
from .lazy_scipy import kd_tree

if TYPE_CHECKING:
    from .network import StreetGraph
    from .result import Standard


def straight_line_speed(graph: StreetGraph, matrix) -> float:
    """The largest (projected distance between an edge's nodes) / (its weight) over the edges."""
    coo = matrix.tocoo()
    if not coo.nnz:
        return 0.0
    span = np.hypot(*(graph.xy[coo.row] - graph.xy[coo.col]).T)
    return float((span / coo.data).max())


def optimistic_reach_m(graph: StreetGraph, standard: Standard, max_snap_m: float) -> float:
    """How far (straight line, metres) a resource standing ``max_snap_m`` from a street could reach a
    cell's snap node within the standard's limit, at the graph's fastest straight-line speed."""
    matrix = graph.time_s if standard.by_time else graph.length_m
    budget = standard.limit_value - (standard.turnout_s if standard.by_time else 0.0)
    return straight_line_speed(graph, matrix) * max(budget, 0.0) * 1.001 + max_snap_m + 1.0


def loose_reach_m(standard: Standard, max_snap_m: float) -> float:
    """An upper bound of :func:`reach_buffer_m` before any graph is built: a distance standard's budget
    (a straight line is never longer than the road) or a time standard's at
    :data:`urbanrisk.settings.fastest_street_kmh`, plus two snap distances."""
    speed = 1.0 if not standard.by_time else settings.fastest_street_kmh / 3.6
    return speed * max(standard.travel_budget, 0.0) * 1.001 + 2 * max_snap_m + 1.0


def reach_buffer_m(graph: StreetGraph, standard: Standard, max_snap_m: float) -> float:
    """How far outside the study area a resource may stand and still serve one of its cells within
    the standard's limit: its optimistic reach (:func:`optimistic_reach_m`,
    the graph's fastest straight-line speed) plus a cell's snap distance. Medical's 5,000 m by road
    reaches ~5.5 km: a hospital 3 km outside a district was never routed with the 2 km default, and the
    district's edge cells it serves were counted uncovered."""
    return optimistic_reach_m(graph, standard, max_snap_m) + max_snap_m


def dropped_resources(
    graph: StreetGraph, standard: Standard, resources: gpd.GeoDataFrame, max_snap_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The standard's resources not used: their projected points (n × 2), their snap distances, and
    whether each lies beyond the street data (outside the box of the mode's street nodes, the rule of
    :func:`urbanrisk.unsnapped.unsnapped_words`). A resource without coordinates is left out here (it
    reaches nowhere that can be said)."""
    res = resources[resources["kind"] == standard.resource_kind]
    res = res[~(res.geometry.is_empty | res.geometry.isna())]
    if not len(res) or not len(graph.xy):
        return np.empty((0, 2)), np.empty(0), np.empty(0, dtype=bool)
    r_xy = res.to_crs(graph.utm_crs).geometry
    xy = np.column_stack([r_xy.x.to_numpy(dtype=float), r_xy.y.to_numpy(dtype=float)])
    xy = xy[np.isfinite(xy).all(axis=1)]
    if not len(xy):
        return np.empty((0, 2)), np.empty(0), np.empty(0, dtype=bool)
    snap_m = graph.snap(xy[:, 0], xy[:, 1])[1]
    dropped = snap_m > max_snap_m
    xy, snap_m = xy[dropped], snap_m[dropped]
    low, high = graph.xy.min(axis=0), graph.xy.max(axis=0)
    beyond = ((xy < low) | (xy > high)).any(axis=1)
    return xy, snap_m, beyond


def dropped_reach_unknown(
    table: pd.DataFrame,
    graph: StreetGraph,
    standard: Standard,
    resources: gpd.GeoDataFrame,
    cells_xy: np.ndarray,
    max_snap_m: float,
) -> pd.DataFrame:
    """A standard's coverage table (with ``travel_known``, rows in ``cells_xy``'s order) where each
    uncovered cell of known travel on the network within the optimistic reach of a resource not used
    (:func:`dropped_resources`, :func:`optimistic_reach_m`) has its coverage unknown: ``travel_known``
    false, ``residents_uncovered`` NaN, ``reason`` :data:`~urbanrisk.coverage_unknown.DROPPED_REACH`
    with the nearest such resource's kind, distance and why it was not used."""
    xy, snap_m, beyond = dropped_resources(graph, standard, resources, max_snap_m)
    if not len(xy):
        return table
    cell_snap = table["cell_snap_m"].to_numpy(dtype=float)
    open_ = ~covered_flags(table) & travel_flags(table) & (cell_snap <= max_snap_m)
    if not open_.any():
        return table
    rows = np.flatnonzero(open_)
    distance, which = kd_tree(xy).query(cells_xy[rows])
    reach = optimistic_reach_m(graph, standard, max_snap_m) + cell_snap[rows]
    inside = distance <= reach
    if not inside.any():
        return table
    rows, distance, which = rows[inside], distance[inside], which[inside]
    reasons = [
        DROPPED_REACH.format(
            kind=standard.resource_kind,
            km=f"{d / 1000:.1f}",
            why="lies outside the street data"
            if beyond[w]
            else f"is {snap_m[w]:.0f} m from a street, not used",
        )
        for d, w in zip(distance, which, strict=True)
    ]
    unknown = np.zeros(len(table), dtype=bool)
    unknown[rows] = True
    table.loc[unknown, "travel_known"] = False
    table.loc[unknown, "residents_uncovered"] = np.nan
    table.loc[unknown, "reason"] = reasons
    return table
