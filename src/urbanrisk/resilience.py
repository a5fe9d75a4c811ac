"""What one loss costs (N-1): the residents who would fall outside a standard if one resource closed.

For every resource of a standard, the cells it alone could lose are those covered now whose nearest
resource it is (:func:`urbanrisk.coverage.cover_cells`' ``nearest_resource``); they are solved again
from the *other* resources on the same street graph, with the same snapping and the same limit. The
loss is the residents of those cells no other resource reaches within the standard. A resource that
shares its street node with another resource of the kind loses nobody (the other one still starts
there).

Cost: per resource two searches limited to the standard's budget — one on the reversed graph from
its cells (which other resources could reach them?), one from those resources — so each explores
only the neighbourhood of the resource's own area: the stage grows with resources × the graph within
two budgets of one resource, i.e. about linearly with the city, not with resources × the whole
graph as a multi-source pass from all the other resources per resource does (measured in
benchmarks/RESULTS.md). It runs in the driver after coverage, the same code under every scheduler,
so the Dask and serial results are identical.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
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


def _lost_cells(
    matrix: csr_matrix,
    reverse: csr_matrix,
    others: np.ndarray,
    affected: np.ndarray,
    cell_node: np.ndarray,
    standard: Standard,
) -> np.ndarray:
    """Which of the ``affected`` cells (covered, nearest to the closing resource) no other source
    reaches within the standard.

    Only other sources that reach one of these cells within the budget matter: one limited search on
    the reversed graph from the cells finds them (usually a few neighbours), one limited search from
    them settles the cells. Both stay inside the budget's reach of the closing resource's area.
    """
    if not affected.any():
        return affected
    budget = standard.travel_budget * (1 + 1e-9)
    nodes = np.unique(cell_node[affected])
    to_cells = dijkstra(reverse, directed=True, indices=nodes, min_only=True, limit=budget)
    candidates = others[np.isfinite(to_cells[others])]
    if not len(candidates):
        return affected
    dist = dijkstra(matrix, directed=True, indices=candidates, min_only=True, limit=budget)
    total = dist[cell_node] + (standard.turnout_s if standard.by_time else 0.0)
    return affected & ~(total <= standard.limit_value)


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
    nearest = table["nearest_resource"].to_numpy()
    reverse = matrix.T.tocsr()
    rows = []
    for i in np.flatnonzero(usable):
        others = np.unique(res_node[usable & (np.arange(len(res)) != i)])
        if res_node[i] in others:  # another resource starts from the same node: nobody is lost
            lost = np.zeros(len(covered), dtype=bool)
        else:
            affected = covered & ~far & (nearest == res["id"].iloc[i])
            lost = _lost_cells(matrix, reverse, others, affected, cell_node, standard)
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
