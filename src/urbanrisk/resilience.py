"""What one loss costs (N-1): the residents who would fall outside a standard if one resource closed.

For every resource of a standard, the cells it alone could lose are those covered now whose nearest
resource it is (:func:`urbanrisk.coverage.cover_cells`' ``nearest_resource``); they are solved again
from the *other* resources on the same street graph, with the same snapping and the same limit. The
loss is the residents of those cells no other resource reaches within the standard. A resource that
shares its street node with another resource of the kind loses nobody (the other one still starts
there).

Cost: two passes over the graph for every resource at once (:func:`other_source_distance`: the
nearest resource of each node, then the nearest *other* one, found from the catchments' borders),
not a search per resource (1,024 hospitals on the 32 x 32 metropolis took 26 s that way; session 5
in benchmarks/RESULTS.md). It runs in the driver after coverage, the same code under every scheduler,
so the Dask and serial results are identical.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from .coverage_unknown import bounded, covered_flags, known_flags, travel_flags
from .lazy_scipy import dijkstra
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
    "cells_lost_residents_unknown",
    "residents_uncovered_after",
    "cells_served_residents_unknown",
    "cells_uncovered_after_residents_unknown",
]


def other_source_distance(matrix: csr_matrix, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per node: the index of its nearest source (``origin``, -1 when none reaches it) and its
    distance from the nearest *other* source (inf when there is none).

    A shortest path from another source ``t`` into the catchment of ``s`` (the nodes whose nearest
    source is ``s``) leaves the other catchments for the last time by an edge ``a -> b``; from there on
    it stays inside ``s``'s catchment. So the distance from the nearest other source is the shortest
    path that starts with ``dist(a) + w(a, b)`` at such an entry edge and then uses edges inside the
    catchment only: one Dijkstra over every catchment at once, from a virtual node joined to each
    entry node ``b`` by the best ``dist(a) + w(a, b)`` (sums in the same order as a search from ``t``).
    """
    dist, _, origin = dijkstra(
        matrix, directed=True, indices=sources, min_only=True, return_predecessors=True
    )
    n = matrix.shape[0]
    coo = matrix.tocoo()
    a, b, w = coo.row, coo.col, coo.data
    reached = (origin[a] >= 0) & (origin[b] >= 0)
    inside = reached & (origin[a] == origin[b])
    entry = reached & ~inside
    start = np.full(n, np.inf)
    np.minimum.at(start, b[entry], dist[a[entry]] + w[entry])
    first = np.flatnonzero(np.isfinite(start))
    rows = np.concatenate([a[inside], np.full(len(first), n)])
    cols = np.concatenate([b[inside], first])
    data = np.concatenate([w[inside], start[first]])
    within = csr_matrix((data, (rows, cols)), shape=(n + 1, n + 1))
    other = dijkstra(within, directed=True, indices=n)[:n]
    return origin, other


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

    A resource's lost cells are the covered cells whose nearest resource it is (alone at its street
    node) that the nearest *other* resource does not reach within the standard: one pass for every
    resource at once (:func:`other_source_distance`).

    Parameters
    ----------
    table
        :func:`urbanrisk.coverage.cover_cells`'s per-cell table of this standard (``covered``,
        ``residents``, ``nearest_resource``), in the order of ``cells_xy``.

    Returns
    -------
    pandas.DataFrame
        ``residents_served`` (whose nearest resource it is and who are covered), ``residents_lost``
        (who would fall outside the standard without it), ``cells_lost``, ``cells_lost_residents_unknown``
        (of those, the cells whose residents are unknown: ``residents_lost`` is then a lower bound),
        ``residents_uncovered_after`` (the standard's uncovered residents after the loss), ``rank``;
        ``cells_served_residents_unknown`` and ``cells_uncovered_after_residents_unknown`` likewise.
        A sum where nobody was counted and some cells are unknown is NaN (unknown, not 0:
        :func:`urbanrisk.coverage_unknown.bounded`). Ranked by residents lost, then by the cells of
        unknown residents lost (a loss of unknown size before no loss), then by residents served.
    """
    matrix = graph.time_s if standard.by_time else graph.length_m
    cell_node, cell_snap = graph.snap(cells_xy[:, 0], cells_xy[:, 1])
    res = resources[resources["kind"] == standard.resource_kind].reset_index(drop=True)
    r_xy = res.to_crs(graph.utm_crs)
    res_node, res_snap = graph.snap(r_xy.geometry.x.to_numpy(), r_xy.geometry.y.to_numpy())
    usable = np.flatnonzero(res_snap <= max_snap_m)
    if not len(usable):
        return empty_losses()
    covered = covered_flags(table)
    residents = table["residents"].fillna(0.0).to_numpy(dtype=float)
    uncovered = ~covered & travel_flags(table)  # coverage unknown (outside the data): neither
    uncovered_now = float(residents[uncovered].sum())
    unknown = ~known_flags(table)
    unknown_now = int((unknown & uncovered).sum())
    served = table.loc[covered].groupby("nearest_resource")["residents"].sum()
    served_unknown = pd.Series(unknown[covered]).groupby(table["nearest_resource"].to_numpy()[covered]).sum()
    origin, other = other_source_distance(matrix, np.unique(res_node[usable]))
    total = other[cell_node] + (standard.turnout_s if standard.by_time else 0.0)
    # lost: covered, snapped, and no other resource within the limit (NaN-free: other is inf at worst)
    lost = covered & (cell_snap <= max_snap_m) & ~(total <= standard.limit_value)
    shared = np.bincount(res_node[usable], minlength=matrix.shape[0]) > 1  # another starts there too
    lost &= (origin[cell_node] >= 0) & ~shared[np.maximum(origin[cell_node], 0)]
    ids = res["id"].to_numpy()
    key = pd.MultiIndex.from_arrays([table["nearest_resource"].to_numpy()[lost], origin[cell_node][lost]])
    codes, uniques = pd.factorize(key)
    order = np.argsort(codes, kind="stable")  # cells of each resource, in cell order
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    lost_residents = residents[lost][order]
    lost_unknown = unknown[lost][order]  # their residents: a lower bound (missing is not zero)
    # per (resource, node) group: residents and cells; a trailing 0 for the resources without any
    sums = np.array([lost_residents[bounds[j] : bounds[j + 1]].sum() for j in range(len(uniques))] + [0.0])
    counts = np.append(np.diff(bounds), 0)
    unknowns = np.array([lost_unknown[bounds[j] : bounds[j + 1]].sum() for j in range(len(uniques))] + [0])
    where = uniques.get_indexer(pd.MultiIndex.from_arrays([ids[usable], res_node[usable]]))
    residents_lost, cells_lost = sums[where], counts[where]  # where -1: the trailing 0
    lost_unknown, after_unknown = unknowns[where], unknown_now + unknowns[where]
    after = [bounded(uncovered_now + a, k) for a, k in zip(residents_lost, after_unknown, strict=True)]
    in_served = served_unknown.reindex(ids[usable]).fillna(0).to_numpy(dtype=np.int64)
    residents_served = served.reindex(ids[usable]).fillna(0.0).to_numpy(dtype=float)
    points = res.geometry.iloc[usable]
    out = pd.DataFrame(
        {
            "standard": standard.name,
            "resource_id": ids[usable],
            "kind": standard.resource_kind,
            "name": res["name"].to_numpy()[usable],
            "lon": points.x.to_numpy(),
            "lat": points.y.to_numpy(),
            "residents_served": [bounded(r, k) for r, k in zip(residents_served, in_served, strict=True)],
            "residents_lost": [bounded(r, k) for r, k in zip(residents_lost, lost_unknown, strict=True)],
            "cells_lost": cells_lost.astype(np.int64),
            "cells_lost_residents_unknown": lost_unknown.astype(np.int64),
            "residents_uncovered_after": after,
            "cells_served_residents_unknown": in_served,
            "cells_uncovered_after_residents_unknown": after_unknown.astype(np.int64),
        }
    )
    keys = ["_lost", "cells_lost_residents_unknown", "_served", "resource_id"]  # NaN: nobody counted
    out = out.assign(_lost=residents_lost, _served=residents_served).sort_values(
        keys, ascending=[False, False, False, True]
    )
    out["rank"] = np.arange(1, len(out) + 1)
    return out[COLUMNS].reset_index(drop=True)


def empty_losses() -> pd.DataFrame:
    """The N-1 table with its columns and no row (a standard without resources)."""
    text = {"standard", "resource_id", "kind", "name"}
    return pd.DataFrame({c: pd.Series(dtype=object if c in text else float) for c in COLUMNS})
