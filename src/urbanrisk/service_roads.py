"""Uncovered residents on campuses and gated estates: a hint towards ``mode: drive_service``.

A drive standard routes on public streets (osmnx's ``drive``). Homes and hospitals inside campuses
sit far from them but near the campus's service roads, which ``drive_service`` also uses. Only cells
with no public street within ``max_snap_m`` are named: ``drive_service`` snaps every other cell where
``drive`` does (:meth:`urbanrisk.network.StreetGraph.snap`), so for them it changes routes, not reach.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .network import StreetGraph, snap_graph, to_utm
from .street_rules import usable_ways


def campus_hint(
    mode: str,
    name: str,
    table: pd.DataFrame,
    streets: gpd.GeoDataFrame,
    street_nodes: pd.DataFrame,
    cells_xy: np.ndarray,
    *,
    utm_crs: str,
    max_snap_m: float,
    graphs: dict[str, StreetGraph] | None = None,
) -> str:
    """Uncovered residents with no public drive street within ``max_snap_m`` but a ``drive_service``
    street (campuses, gated estates) where that mode would snap them: named in the status with the
    recipe line to try.

    ``graphs``: the run's graphs by mode; without ``drive_service`` among them, only its topology is
    built (:func:`urbanrisk.network.snap_graph`), and only when a far cell lies within
    ``max_snap_m`` of a node of a ``drive_service`` way (a KD-tree of those nodes tells first).
    """
    if mode != "drive" or not len(table):
        return ""
    far = (table["cell_snap_m"].to_numpy() > max_snap_m) & (table["residents_uncovered"].to_numpy() > 0)
    service = usable_ways(streets, mode="drive_service") & ~usable_ways(streets, mode="drive")
    if not far.any() or not service.any():
        return ""
    near = _near_service_roads(streets, street_nodes, cells_xy[far], utm_crs=utm_crs, within_m=max_snap_m)
    if not near.any():  # no node of a drive_service way within reach: no snap node either
        return ""
    graph = (graphs or {}).get("drive_service")
    if graph is None:
        graph = snap_graph(streets, street_nodes, mode="drive_service", utm_crs=utm_crs)
    graph.public_snap_m = max_snap_m
    xy = cells_xy[far][near]
    _, snap = graph.snap(xy[:, 0], xy[:, 1])
    people = float(table["residents_uncovered"].to_numpy()[far][near][snap <= max_snap_m].sum())
    if people < 1:
        return ""
    return (
        f"; {people:,.0f} of them live over {max_snap_m:.0f} m from a public drive street but near service "
        f"roads (campuses, gated estates?): coverage: {{overrides: {{{name}: {{mode: "
        "drive_service}}} also routes on those"
    )


def _near_service_roads(
    streets: gpd.GeoDataFrame, nodes: pd.DataFrame, xy: np.ndarray, *, utm_crs: str, within_m: float
) -> np.ndarray:
    """Per point: a node of a ``drive_service`` way lies within ``within_m`` (a little more: a
    superset of the points some snap node of the mode lies that close to)."""
    ways = streets.loc[usable_ways(streets, mode="drive_service"), "node_ids"]
    ids = pd.unique(np.fromiter(itertools.chain.from_iterable(ways), dtype=np.int64))
    at = nodes.index.get_indexer(ids)
    at = at[at >= 0]
    if not len(at) or not len(xy):
        return np.zeros(len(xy), dtype=bool)
    lon, lat = nodes["lon"].to_numpy(dtype=float)[at], nodes["lat"].to_numpy(dtype=float)[at]
    tree = cKDTree(np.column_stack(to_utm(utm_crs).transform(lon, lat)))
    distance, _ = tree.query(xy, distance_upper_bound=within_m * (1 + 1e-9) + 1e-6)
    return np.isfinite(distance)
