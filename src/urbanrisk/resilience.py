"""What one loss costs (N-1): the residents who would fall outside a standard if one resource closed.

For every resource of a standard, the coverage is solved again from all the *other* resources (one
multi-source Dijkstra per resource, limited to the standard's travel budget, on the same street
graph and with the same snapping as :func:`urbanrisk.coverage.cover_cells`); the loss is the
residents of cells covered now and not covered then. A resource that shares its street node with
another resource of the kind loses nobody (the other one still starts there).

Cost: R limited searches per standard, each O(E + V log V) at worst over the part of the graph within
the budget, so the stage scales with resources × the graph within reach of the limit (a few ms per
resource on the samples; see benchmarks/RESULTS.md). It runs in the driver after coverage, the same
code under every scheduler, so the Dask and serial results are identical.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from .network import StreetGraph
from .result import Standard

COLUMNS = [
    "standard",
    "rank",
    "resource_id",
    "kind",
    "name",
    "lon",
    "lat",
    "residents_served",
    "residents_lost",
    "cells_lost",
    "residents_uncovered_after",
]


def _covered_without(
    matrix, sources: np.ndarray, cell_node: np.ndarray, far: np.ndarray, standard: Standard
) -> np.ndarray:
    """Which cells the standard covers from ``sources`` alone."""
    if not len(sources):
        return np.zeros(len(cell_node), dtype=bool)
    budget = standard.travel_budget
    dist = dijkstra(matrix, directed=True, indices=sources, min_only=True, limit=budget * (1 + 1e-9))
    total = dist[cell_node] + (standard.turnout_s if standard.by_time else 0.0)
    return (total <= standard.limit_value) & ~far


def station_losses(
    graph: StreetGraph,
    standard: Standard,
    table: pd.DataFrame,
    resources: gpd.GeoDataFrame,
    *,
    cells_xy: np.ndarray,
    max_snap_m: float,
) -> pd.DataFrame:
    """N-1 for one standard: one row per resource, the one the city can least afford to lose first.

    Parameters
    ----------
    table
        :func:`urbanrisk.coverage.cover_cells`'s per-cell table of this standard (``covered``,
        ``residents``, ``nearest_resource``), in the order of ``cells_xy``.

    Returns
    -------
    pandas.DataFrame
        ``residents_served`` (whose nearest resource it is and who are covered), ``residents_lost``
        (who would fall outside the standard without it), ``cells_lost``,
        ``residents_uncovered_after`` (the standard's uncovered residents after the loss), ``rank``.
    """
    matrix = graph.time_s if standard.by_time else graph.length_m
    cell_node, cell_snap = graph.snap(cells_xy[:, 0], cells_xy[:, 1])
    far = cell_snap > max_snap_m
    res = resources[resources["kind"] == standard.resource_kind].reset_index(drop=True)
    r_xy = res.to_crs(graph.utm_crs)
    res_node, res_snap = graph.snap(r_xy.geometry.x.to_numpy(), r_xy.geometry.y.to_numpy())
    usable = res_snap <= max_snap_m
    covered = table["covered"].to_numpy(dtype=bool)
    residents = table["residents"].fillna(0.0).to_numpy(dtype=float)
    uncovered_now = float(residents[~covered].sum())
    served = table.loc[covered].groupby("nearest_resource")["residents"].sum()
    rows = []
    for i in np.flatnonzero(usable):
        others = np.unique(res_node[usable & (np.arange(len(res)) != i)])
        if res_node[i] in others:
            lost = np.zeros(len(covered), dtype=bool)
        else:
            lost = covered & ~_covered_without(matrix, others, cell_node, far, standard)
        point = res.geometry.iloc[i]
        residents_lost = float(residents[lost].sum())
        rows.append(
            {
                "standard": standard.name,
                "resource_id": res["id"].iloc[i],
                "kind": standard.resource_kind,
                "name": res["name"].iloc[i],
                "lon": point.x,
                "lat": point.y,
                "residents_served": float(served.get(res["id"].iloc[i], 0.0)),
                "residents_lost": residents_lost,
                "cells_lost": int(lost.sum()),
                "residents_uncovered_after": uncovered_now + residents_lost,
            }
        )
    if not rows:
        return empty_losses()
    out = pd.DataFrame(rows).sort_values(
        ["residents_lost", "residents_served", "resource_id"], ascending=[False, False, True]
    )
    out["rank"] = np.arange(1, len(out) + 1)
    return out[COLUMNS].reset_index(drop=True)


def empty_losses() -> pd.DataFrame:
    """The N-1 table with its columns and no row (a standard without resources)."""
    text = {"standard", "resource_id", "kind", "name"}
    return pd.DataFrame({c: pd.Series(dtype=object if c in text else float) for c in COLUMNS})
