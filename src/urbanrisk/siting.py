"""Sites for new resources: greedy maximal covering on the street graph of a coverage standard.

Candidate sites are street nodes inside the study area (intersections first); one Dijkstra call gives
the reach of every candidate, and the greedy picks — each the candidate that newly covers the most
uncovered residents — are then pure array work.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra

from .network import StreetGraph
from .result import Standard


def greedy_sites(
    graph: StreetGraph,
    standard: Standard,
    table: pd.DataFrame,
    candidates: np.ndarray,
    *,
    k: int,
    cells_xy: np.ndarray,
    max_snap_m: float,
) -> pd.DataFrame:
    """Greedy maximal covering: the k candidate nodes that each add the most uncovered residents.

    One Dijkstra call gives the reach of every candidate (or, when fewer, of every uncovered
    node on the reversed graph); the greedy picks are then pure array work.
    """
    uncovered = table["residents_uncovered"].to_numpy() > 0
    uncovered &= table["cell_snap_m"].to_numpy() <= max_snap_m
    columns = ["standard", "rank", "node", "residents_added", "residents_cumulative", "geometry"]
    if not uncovered.any() or not len(candidates) or k < 1:
        return pd.DataFrame(columns=columns)
    matrix = graph.time_s if standard.by_time else graph.length_m
    cell_node, _ = graph.snap(cells_xy[uncovered, 0], cells_xy[uncovered, 1])
    demand = pd.Series(table["residents_uncovered"].to_numpy()[uncovered]).groupby(cell_node).sum()
    demand_nodes = demand.index.to_numpy()
    budget = standard.travel_budget
    if len(demand_nodes) <= len(candidates):
        reach = dijkstra(matrix.T.tocsr(), directed=True, indices=demand_nodes, limit=budget)
        cover = (reach[:, candidates] <= budget).T  # candidates x demand nodes
    else:
        reach = dijkstra(matrix, directed=True, indices=candidates, limit=budget)
        cover = reach[:, demand_nodes] <= budget
    weights = demand.to_numpy().astype(float)
    picks = []
    remaining = weights.copy()
    total = 0.0
    for rank in range(1, k + 1):
        gains = cover @ remaining
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        total += gains[best]
        picks.append(
            (
                standard.name,
                rank,
                int(graph.node_ids[candidates[best]]),
                float(gains[best]),
                float(total),
                candidates[best],
            )
        )
        remaining = np.where(cover[best], 0.0, remaining)
    frame = pd.DataFrame(picks, columns=[*columns[:-1], "matrix_index"])
    xy = graph.xy[frame["matrix_index"].to_numpy()] if len(frame) else np.zeros((0, 2))
    frame["geometry"] = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=graph.utm_crs).to_crs(4326)
    return frame.drop(columns="matrix_index")


def candidate_nodes(graph: StreetGraph, area: shapely.Geometry, *, max_candidates: int) -> np.ndarray:
    """Graph nodes inside the study area that could host a new resource (intersections first).

    The nodes go back to lon/lat by the pyproj Transformer that ``GeoSeries.to_crs`` uses, on plain
    arrays (the same numbers, without a point object per node).
    """
    to_lonlat = Transformer.from_crs(graph.utm_crs, "EPSG:4326", always_xy=True)
    lon, lat = to_lonlat.transform(graph.xy[:, 0], graph.xy[:, 1])
    inside = np.flatnonzero(shapely.contains_xy(area, lon, lat))
    linked = graph.time_s != 0
    degree = np.asarray(linked.sum(axis=1)).ravel() + np.asarray(linked.sum(axis=0)).ravel()
    order = inside[np.lexsort((inside, -degree[inside]))]
    if len(order) > max_candidates:
        order = np.sort(order[:max_candidates])
    return order
