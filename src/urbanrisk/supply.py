"""Supply per person where resources carry a capacity: two-step floating catchment (2SFCA)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from .network import StreetGraph
from .result import Standard


def two_step_fca(
    table: pd.DataFrame,
    graph: StreetGraph,
    standard: Standard,
    resources: gpd.GeoDataFrame,
    cells_xy: np.ndarray,
    *,
    max_snap_m: float,
) -> pd.Series | None:
    """Supply per person by two-step floating catchment (Luo and Wang 2003), where capacities are known.

    Step 1: each resource's capacity over the residents within the limit of it; step 2: each cell
    sums those ratios over the resources within the limit. This is PySAL ``access``'s
    ``two_stage_fca`` without a distance-decay weight; it is computed here on the Dijkstra matrix
    directly because ``access`` 1.1 calls ``DataFrame.set_index(inplace=True)``, deprecated in pandas
    3.1 and gone in pandas 4 (the tests check the two agree). A cell within reach of a resource whose
    capacity is unknown (an empty cell of the registry) has an unknown supply (NaN), never the sum of
    the others' (a cell served only by it read 0 places per person). None when no capacity is known.
    """
    res = resources[resources["kind"] == standard.resource_kind]
    if not (res["capacity"] > 0).any():
        return None
    matrix = graph.time_s if standard.by_time else graph.length_m
    r_xy = res.to_crs(graph.utm_crs)
    res_node, res_snap = graph.snap(r_xy.geometry.x.to_numpy(), r_xy.geometry.y.to_numpy())
    keep = res_snap <= max_snap_m
    res, res_node = res[keep], res_node[keep]
    capacity = res["capacity"].to_numpy(dtype=float)
    known = np.isfinite(capacity)
    if not (capacity[known] > 0).any():
        return None
    cell_node, _ = graph.snap(cells_xy[:, 0], cells_xy[:, 1])
    unique_nodes, row = np.unique(res_node, return_inverse=True)
    reach = dijkstra(matrix, directed=True, indices=unique_nodes, limit=standard.travel_budget)
    within = np.isfinite(reach[row][:, cell_node])  # resources x cells
    people = table["residents"].to_numpy(dtype=float)
    served = within[known] @ people
    ratio = np.divide(capacity[known], served, out=np.zeros(int(known.sum())), where=served > 0)
    supply = within[known].T @ ratio
    supply[within[~known].any(axis=0)] = np.nan  # a resource of unknown capacity in reach: unknown, not 0
    return pd.Series(supply, index=table.index, name="supply_per_person")
