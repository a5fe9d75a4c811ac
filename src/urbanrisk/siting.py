"""Sites for new resources: greedy maximal covering on the street graph of a coverage standard.

Candidate sites are street nodes inside the study area (intersections first); one Dijkstra call gives
the reach of every candidate, and the greedy picks — each the candidate that newly covers the most
uncovered residents — are then pure array work. A candidate closer to a hazard than the safety distance
``safety_distances.csv`` gives for the standard's resource kind as a target (建标152-2017 art. 15(3): a
fire station ≥ 300 m from where hazardous chemicals are produced or stored) is no candidate
(:func:`clear_of_hazards`).
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from .coverage_unknown import covered_flags, known_flags, travel_flags
from .lazy_scipy import dijkstra, kd_tree
from .network import StreetGraph
from .result import Standard

#: a suggested site: its rank, street node, counted residents it newly covers (the greedy weight) and
#: the uncovered cells of unknown residents it newly covers and that stay uncovered after it
SITE_COLUMNS = [
    "standard",
    "rank",
    "node",
    "residents_added",
    "residents_cumulative",
    "unknown_cells_added",
    "unknown_cells_left",
    "kept_clear_of",
    "geometry",
]
#: the columns of the hazards that keep new sites away (:func:`clear_of_hazards`), one row per hazard and
#: target kind: the hazard's kind, its labels, name or id, and the distance with its source
KEEP_AWAY_COLUMNS = ["target", "kind", "label", "label_zh", "name", "min_distance_m", "source", "geometry"]


def unknown_uncovered(table: pd.DataFrame) -> np.ndarray:
    """Per cell of a coverage table: uncovered (inside the street data) with residents unknown.

    Examples
    --------
    >>> unknown_uncovered(pd.DataFrame({"covered": [True, False, False], "residents_known": [False] * 3,
    ...                                 "travel_known": [True, True, False]})).tolist()
    [False, True, False]
    """
    if "covered" not in table.columns:
        return np.zeros(len(table), dtype=bool)
    return ~covered_flags(table) & ~known_flags(table) & travel_flags(table)


def greedy_sites(
    graph: StreetGraph,
    standard: Standard,
    table: pd.DataFrame,
    candidates: np.ndarray,
    *,
    k: int,
    cells_xy: np.ndarray,
    max_snap_m: float,
    kept_clear_of: str = "",
) -> pd.DataFrame:
    """Greedy maximal covering: the k candidate nodes that each add the most uncovered residents.

    The weight is the residents counted (``residents_uncovered``); uncovered cells whose residents are
    unknown weigh nothing (their need is unknown, not none) but each pick counts those it newly covers
    (``unknown_cells_added``) and those still uncovered after it (``unknown_cells_left``): where some
    are left, the picks do not cover every uncovered resident, whatever the counted ones say.

    One Dijkstra call gives the reach of every candidate (or, when fewer, of every uncovered
    node on the reversed graph); the greedy picks are then pure array work. ``kept_clear_of``: the
    hazards that excluded candidates (:func:`clear_of_hazards`), recorded on every pick.
    """
    unknown = unknown_uncovered(table)  # weighed 0, counted apart (missing is not zero)
    uncovered = (table["residents_uncovered"].to_numpy() > 0) | unknown
    uncovered &= table["cell_snap_m"].to_numpy() <= max_snap_m
    if not uncovered.any() or not len(candidates) or k < 1:
        return pd.DataFrame(columns=SITE_COLUMNS)
    matrix = graph.time_s if standard.by_time else graph.length_m
    cell_node, _ = graph.snap(cells_xy[uncovered, 0], cells_xy[uncovered, 1])
    people = np.nan_to_num(table["residents_uncovered"].to_numpy(dtype=float)[uncovered])
    demand = (
        pd.DataFrame({"people": people, "unknown": unknown[uncovered].astype(int)}).groupby(cell_node).sum()
    )
    demand_nodes = demand.index.to_numpy()
    budget = standard.travel_budget
    if len(demand_nodes) <= len(candidates):
        reach = dijkstra(matrix.T.tocsr(), directed=True, indices=demand_nodes, limit=budget)
        cover = (reach[:, candidates] <= budget).T  # candidates x demand nodes
    else:
        reach = dijkstra(matrix, directed=True, indices=candidates, limit=budget)
        cover = reach[:, demand_nodes] <= budget
    remaining = demand["people"].to_numpy(dtype=float)
    unknown_left = demand["unknown"].to_numpy(dtype=int)
    picks = []
    total, left = 0.0, int(unknown.sum())
    for rank in range(1, k + 1):
        gains = cover @ remaining
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        total += gains[best]
        added = int(unknown_left[cover[best]].sum())
        unknown_left = np.where(cover[best], 0, unknown_left)
        left -= added  # of every uncovered unknown cell (those too far from a street stay uncovered)
        node = int(graph.node_ids[candidates[best]])
        picks.append(
            (standard.name, rank, node, float(gains[best]), float(total), added, left, candidates[best])
        )
        remaining = np.where(cover[best], 0.0, remaining)
    frame = pd.DataFrame(picks, columns=[*SITE_COLUMNS[:-2], "matrix_index"])
    frame.insert(len(SITE_COLUMNS) - 2, "kept_clear_of", kept_clear_of)
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


def clear_of_hazards(
    graph: StreetGraph, candidates: np.ndarray, keep_away: pd.DataFrame | None, target: str
) -> tuple[np.ndarray, str]:
    """The candidates at least the safety distance from every hazard with a row for ``target`` (a
    resource kind) in ``keep_away`` (:data:`KEEP_AWAY_COLUMNS`, points in lon/lat), and what excluded
    the others: a JSON list, one entry per hazard kind that excluded any (its labels, the distance and
    its source, the hazards' names and the candidates excluded), "" when none did.

    Examples
    --------
    A fire station's candidates and one 加油站 300 m away from the first of them: see
    tests/test_siting_hazards.py (a street graph is needed).
    """
    rows = keep_away[keep_away["target"] == target] if keep_away is not None and len(keep_away) else None
    if rows is None or not len(rows) or not len(candidates):
        return candidates, ""
    xy = gpd.GeoSeries(rows.geometry.to_numpy(), crs=4326).to_crs(graph.utm_crs).get_coordinates().to_numpy()
    tree = kd_tree(graph.xy[candidates])
    near = np.zeros(len(candidates), dtype=bool)
    record = []
    for kind, group in rows.reset_index(drop=True).groupby("kind", sort=True):
        hits = tree.query_ball_point(xy[group.index], r=group["min_distance_m"].to_numpy(dtype=float))
        excluding = [i for i, hit in enumerate(hits) if len(hit)]
        if not excluding:
            continue
        newly = np.zeros(len(candidates), dtype=bool)
        newly[[j for i in excluding for j in hits[i]]] = True
        near |= newly
        first = group.iloc[0]
        record.append(
            {
                "kind": str(kind),
                "label": str(first["label"]),
                "label_zh": str(first["label_zh"]),
                "min_distance_m": float(group["min_distance_m"].max()),
                "source": str(first["source"]),
                "hazards": sorted({str(group.iloc[i]["name"]) for i in excluding}),
                "candidates": int(newly.sum()),
            }
        )
    return candidates[~near], json.dumps(record, ensure_ascii=False) if record else ""
