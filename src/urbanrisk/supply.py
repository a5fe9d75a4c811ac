"""Supply per person where resources carry a capacity: two-step floating catchment (2SFCA).

Missing is not zero: a cell whose residents are unknown (``residents_known`` false,
:mod:`urbanrisk.coverage_unknown`) counts what could be counted there, often 0, so a resource's
counted demand is a lower bound where its catchment holds such cells and its supply per person an
UPPER bound ("≤ x per 1,000", with the catchment's unknown share); where its catchment counted nobody
and holds unknown cells, its ratio is unknown (NaN), not 0 and not infinite. A cell's supply (the sum
of the ratios of the resources that reach it) is then an upper bound where one of them is, and
unknown where one of them is unknown (``supply_bound``: "exact", "upper bound" or "unknown").
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from .coverage_unknown import known_flags
from .lazy_scipy import dijkstra
from .network import StreetGraph
from .result import Standard

UPPER = "upper bound"
STATION_COLUMNS = [
    "standard",
    "resource_id",
    "kind",
    "name",
    "capacity",
    "catchment_cells",
    "residents_counted",
    "cells_residents_unknown",
    "unknown_share",
    "per_1000",
    "bound",
]


def empty_stations() -> pd.DataFrame:
    """The per-resource supply table with no row."""
    counts = ("catchment_cells", "cells_residents_unknown")
    text = ("standard", "resource_id", "kind", "name", "bound")
    kinds = {c: "int64" if c in counts else object if c in text else float for c in STATION_COLUMNS}
    return pd.DataFrame({c: pd.Series(dtype=kind) for c, kind in kinds.items()})


def fca_tables(
    table: pd.DataFrame,
    graph: StreetGraph,
    standard: Standard,
    resources: gpd.GeoDataFrame,
    cells_xy: np.ndarray,
    *,
    max_snap_m: float,
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Supply per person by two-step floating catchment (Luo and Wang 2003), where capacities are known:
    per cell (``supply_per_person``, ``supply_bound``, in ``table``'s order) and per resource
    (:data:`STATION_COLUMNS`: its places per 1,000 counted residents and whether that is a bound);
    :func:`two_step_fca` is the per-cell supply alone.

    Step 1: each resource's capacity over the residents within the limit of it; step 2: each cell
    sums those ratios over the resources within the limit. This is PySAL ``access``'s
    ``two_stage_fca`` without a distance-decay weight; it is computed here on the Dijkstra matrix
    directly because ``access`` 1.1 calls ``DataFrame.set_index(inplace=True)``, deprecated in pandas
    3.1 and gone in pandas 4 (the tests check the two agree). A cell within reach of a resource whose
    capacity is unknown (an empty cell of the registry) has an unknown supply (NaN), never the sum of
    the others' (a cell served only by it read 0 places per person); so does a cell within reach of a
    resource whose catchment counted nobody but holds cells of unknown residents (module docstring).
    None when no capacity is known.
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
    if not (capacity[np.isfinite(capacity)] > 0).any():
        return None
    cell_node, _ = graph.snap(cells_xy[:, 0], cells_xy[:, 1])
    unique_nodes, row = np.unique(res_node, return_inverse=True)
    reach = dijkstra(matrix, directed=True, indices=unique_nodes, limit=standard.travel_budget)
    within = np.isfinite(reach[row][:, cell_node])  # resources x cells
    people = np.nan_to_num(table["residents"].to_numpy(dtype=float))
    unknown_cells = within @ (~known_flags(table)).astype(int)
    served = within @ people
    ratio = np.divide(capacity, served, out=np.zeros(len(capacity)), where=served > 0)
    ratio[(served <= 0) & (unknown_cells > 0)] = np.nan  # nobody counted, some unknown: unknown
    ratio[~np.isfinite(capacity)] = np.nan  # capacity unknown
    supply = within.T @ np.nan_to_num(ratio)
    unknown = within[np.isnan(ratio)].any(axis=0)
    upper = within[np.isfinite(ratio) & (unknown_cells > 0)].any(axis=0) & ~unknown
    supply[unknown] = np.nan  # a resource of unknown ratio in reach: unknown, not 0
    bound = np.where(unknown, "unknown", np.where(upper, UPPER, "exact"))
    cells = pd.DataFrame({"supply_per_person": supply, "supply_bound": bound}, index=table.index)
    catchment = within.sum(axis=1)
    stations = pd.DataFrame(
        {
            "standard": standard.name,
            "resource_id": res["id"].astype(str).to_numpy(),
            "kind": standard.resource_kind,
            "name": res["name"].to_numpy(),
            "capacity": capacity,
            "catchment_cells": catchment,
            "residents_counted": served,
            "cells_residents_unknown": unknown_cells,
            "unknown_share": np.divide(unknown_cells, catchment, out=np.zeros(len(res)), where=catchment > 0),
            "per_1000": ratio * 1000.0,
            "bound": np.where(np.isnan(ratio), "unknown", np.where(unknown_cells > 0, UPPER, "exact")),
        }
    )
    return cells, stations


def two_step_fca(
    table: pd.DataFrame,
    graph: StreetGraph,
    standard: Standard,
    resources: gpd.GeoDataFrame,
    cells_xy: np.ndarray,
    *,
    max_snap_m: float,
) -> pd.Series | None:
    """Supply per person of each cell (:func:`fca_tables`), None when no capacity is known."""
    fca = fca_tables(table, graph, standard, resources, cells_xy, max_snap_m=max_snap_m)
    return None if fca is None else fca[0]["supply_per_person"]


def with_supply(
    table: pd.DataFrame,
    graph: StreetGraph,
    standard: Standard,
    resources: gpd.GeoDataFrame,
    cells_xy: np.ndarray,
    *,
    max_snap_m: float,
) -> pd.DataFrame:
    """Set ``table``'s ``supply_per_person`` and ``supply_bound`` (NaN and "unknown" where no capacity
    is known) and return the per-resource table (:func:`two_step_fca`)."""
    fca = fca_tables(table, graph, standard, resources, cells_xy, max_snap_m=max_snap_m)
    if fca is None:
        table["supply_per_person"], table["supply_bound"] = np.nan, "unknown"
        return empty_stations()
    table["supply_per_person"], table["supply_bound"] = fca[0]["supply_per_person"], fca[0]["supply_bound"]
    return fca[1]
