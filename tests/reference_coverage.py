"""The implementations session 5 replaced (issue 17, coverage at scale), kept verbatim as references:
the rewritten ones must give equal tables (tests/test_coverage_scale.py). Session 9 added, in their
own style, the cells whose residents are unknown (``residents_known`` false: gaps take them, losses
count them)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra

from urbanrisk.clusters import cell_clusters, dissolve_cells
from urbanrisk.network import _GEOD as _GEOD
from urbanrisk.network import StreetGraph, street_graph
from urbanrisk.resilience import COLUMNS, empty_losses
from urbanrisk.result import Standard
from urbanrisk.street_rules import MODES, street_tag, usable_ways, way_directions, ways_at_grade


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
    known = (
        table["residents_known"].to_numpy(dtype=bool)
        if "residents_known" in table.columns
        else covered | True
    )
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
        mine = covered & (nearest == res["id"].iloc[i])
        lost_unknown, served_unknown = int((lost & ~known).sum()), int((mine & ~known).sum())
        after_unknown = int((~covered & ~known).sum()) + lost_unknown
        rows.append(
            {
                "standard": standard.name,
                "resource_id": res["id"].iloc[i],
                "kind": standard.resource_kind,
                "name": res["name"].iloc[i],
                "lon": point.x,
                "lat": point.y,
                "residents_served": _unknown_if_none(
                    float(served.get(res["id"].iloc[i], 0.0)), served_unknown
                ),
                "residents_lost": _unknown_if_none(residents_lost, lost_unknown),
                "cells_lost": int(lost.sum()),
                "cells_lost_residents_unknown": lost_unknown,
                "residents_uncovered_after": _unknown_if_none(uncovered_now + residents_lost, after_unknown),
                "cells_served_residents_unknown": served_unknown,
                "cells_uncovered_after_residents_unknown": after_unknown,
                "_lost": residents_lost,
                "_served": float(served.get(res["id"].iloc[i], 0.0)),
            }
        )
    if not rows:
        return empty_losses()
    out = pd.DataFrame(rows).sort_values(
        ["_lost", "cells_lost_residents_unknown", "_served", "resource_id"],
        ascending=[False, False, False, True],
    )
    out["rank"] = np.arange(1, len(out) + 1)
    return out[COLUMNS].reset_index(drop=True)


def _unknown_if_none(counted: float, unknown_cells: int) -> float:
    """Session 9: a sum where nobody was counted and some cells' residents are unknown is unknown."""
    return np.nan if unknown_cells and counted <= 0 else counted


def edges_to_matrices_before(edges: pd.DataFrame) -> tuple:
    """The matrices, node ids, projected nodes and street-level flags as ``edges_to_matrices`` built
    them before session 5 (np.unique, groupby.min, GeoSeries.to_crs)."""
    node_ids = np.unique(np.concatenate([edges["u"].to_numpy(), edges["v"].to_numpy()]))
    position = pd.Series(np.arange(len(node_ids)), index=node_ids)
    pairs = edges.groupby(["u", "v"], sort=False)[["travel_time", "length"]].min().reset_index()
    rows = position.loc[pairs["u"]].to_numpy()
    cols = position.loc[pairs["v"]].to_numpy()
    n = len(node_ids)
    time = csr_matrix((np.maximum(pairs["travel_time"].to_numpy(), 1e-6), (rows, cols)), shape=(n, n))
    length = csr_matrix((np.maximum(pairs["length"].to_numpy(), 1e-6), (rows, cols)), shape=(n, n))
    return node_ids, time, length


def projected_before(lon: np.ndarray, lat: np.ndarray, utm_crs: str) -> np.ndarray:
    """Projected points as ``GeoSeries.to_crs`` gives them."""
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(utm_crs)
    return np.column_stack([points.x.to_numpy(), points.y.to_numpy()])


def public_snap_nodes_before(edges: pd.DataFrame, position: pd.Series, n: int) -> np.ndarray:
    """Per node: a snap node of the public network alone (the nodes ``drive`` snaps to: its largest
    strongly connected component, on a street-level way)."""
    public = edges[edges["public"].to_numpy(dtype=bool)]
    rows, cols = position.loc[public["u"]].to_numpy(), position.loc[public["v"]].to_numpy()
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(matrix, directed=True, connection="strong")
    on_public = np.zeros(n, dtype=bool)
    on_public[np.concatenate([rows, cols])] = True
    sizes = np.bincount(labels[on_public], minlength=labels.max() + 1)
    mask = on_public & (labels == sizes.argmax()) if len(rows) else on_public
    level = position.loc[public.loc[public["at_grade"].to_numpy(dtype=bool), ["u", "v"]].to_numpy().ravel()]
    at_grade = np.zeros(n, dtype=bool)
    at_grade[level.to_numpy()] = True
    return mask & at_grade if (mask & at_grade).any() else mask


def gaps_before(
    grid: gpd.GeoDataFrame, table: pd.DataFrame, *, clusters_of: Callable[..., np.ndarray] | None = None
) -> gpd.GeoDataFrame:
    """Contiguous clusters of uncovered cells holding residents, worst first (``clusters_of``:
    replaces :func:`urbanrisk.clusters.cell_clusters`)."""
    columns = [
        "standard",
        "gap",
        "cells",
        "residents",
        "area_km2",
        "cells_residents_unknown",
        "worst_travel",
        "unit",
        "unreachable_cells",
        "geometry",
    ]
    known = table["residents_known"] if "residents_known" in table.columns else True
    mask = (~table["covered"]) & ((table["residents"] > 0) | ~known)
    chosen = table.index[mask]
    if not len(chosen):
        return gpd.GeoDataFrame({c: [] for c in columns[:-1]}, geometry=[], crs=4326)
    labels = (clusters_of or cell_clusters)(chosen)
    rows = []
    for label in range(labels.max() + 1):
        cells = list(chosen[labels == label])
        part = table.loc[cells]
        unknown = int((~part["residents_known"]).sum()) if "residents_known" in part.columns else 0
        counted = float(part["residents"].sum())
        rows.append(
            {
                "standard": part["standard"].iloc[0],
                "cells": len(cells),
                "residents": np.nan if unknown and counted <= 0 else counted,  # nobody counted: unknown
                "area_km2": float(grid.loc[cells, "cell_area_m2"].sum() / 1e6),
                "cells_residents_unknown": unknown,
                "worst_travel": float(part["travel"].max()) if part["reached"].all() else float("inf"),
                "unit": part["unit"].iloc[0],
                "unreachable_cells": int((~part["reached"]).sum()),
                "geometry": dissolve_cells(cells),
            }
        )
    gaps = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326).sort_values("residents", ascending=False)
    gaps.insert(1, "gap", [f"{gaps['standard'].iloc[0]}-gap-{i + 1:02d}" for i in range(len(gaps))])
    return gaps[columns].reset_index(drop=True)


def edges_from_streets_before(
    streets: gpd.GeoDataFrame, nodes: pd.DataFrame, *, mode: str, filters: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Directed edges (u, v, key, way_id, highway, maxspeed, at_grade, length) of one mode.

    Parameters
    ----------
    streets
        Ways with ``node_ids``, ``highway``, ``oneway``, ``maxspeed`` and the tag columns of
        :data:`urbanrisk.layers.osm.STREET_TAGS` (a missing column counts as untagged).
    nodes
        Node id -> lon, lat.
    mode
        ``drive`` or ``walk``.
    filters
        :func:`network_filter_table` (``None``: the shipped one, osmnx's rules).
    """
    if mode not in MODES:
        msg = f"unknown mode {mode!r}: use drive or walk"
        raise ValueError(msg)
    ways = streets.loc[usable_ways(streets, mode=mode, filters=filters)]
    id_lists = [list(ids) for ids in ways["node_ids"]]
    counts = np.fromiter((len(ids) for ids in id_lists), dtype=np.int64, count=len(id_lists))
    flat = np.fromiter(itertools.chain.from_iterable(id_lists), dtype=np.int64, count=int(counts.sum()))
    way_of = np.repeat(np.arange(len(id_lists)), counts)
    # consecutive nodes of the same way, repeated nodes skipped: one segment each
    segment = (way_of[:-1] == way_of[1:]) & (flat[:-1] != flat[1:])
    a, b, seg_way = flat[:-1][segment], flat[1:][segment], way_of[:-1][segment]
    direction = way_directions(ways, mode=mode)[seg_way]
    # per segment the forward edge, then the backward one (where the way's direction allows it)
    allowed_pair = np.column_stack([direction >= 0, direction <= 0])
    u = np.column_stack([a, b])[allowed_pair]
    v = np.column_stack([b, a])[allowed_pair]
    edge_way = np.column_stack([seg_way, seg_way])[allowed_pair]
    edges = pd.DataFrame(
        {
            "u": u,
            "v": v,
            "way_id": ways["way_id"].to_numpy()[edge_way] if "way_id" in ways else edge_way,
            "highway": ways["highway"].to_numpy()[edge_way],
            "maxspeed": street_tag(ways, "maxspeed").to_numpy()[edge_way],
            "at_grade": ways_at_grade(ways)[edge_way],
        }
    )
    if mode == "drive_service":  # the ways `drive` keeps: where drive_service snaps points first
        edges["public"] = usable_ways(ways, mode="drive", filters=filters)[edge_way]
    edges = edges[edges["u"].isin(nodes.index) & edges["v"].isin(nodes.index)]
    lon_u, lat_u = nodes.loc[edges["u"], "lon"].to_numpy(), nodes.loc[edges["u"], "lat"].to_numpy()
    lon_v, lat_v = nodes.loc[edges["v"], "lon"].to_numpy(), nodes.loc[edges["v"], "lat"].to_numpy()
    edges["length"] = _GEOD.inv(lon_u, lat_u, lon_v, lat_v)[2]
    edges["key"] = edges.groupby(["u", "v"]).cumcount()
    return edges.reset_index(drop=True)


def campus_hint_before(
    mode: str,
    name: str,
    table: pd.DataFrame,
    streets: gpd.GeoDataFrame,
    street_nodes: pd.DataFrame,
    cells_xy: np.ndarray,
    *,
    utm_crs: str,
    max_snap_m: float,
    speeds: pd.DataFrame | None = None,
) -> str:
    """Uncovered residents with no public drive street within ``max_snap_m`` but a ``drive_service``
    street (campuses, gated estates) where that mode would snap them: named in the status with the
    recipe line to try."""
    if mode != "drive" or not len(table):
        return ""
    far = (table["cell_snap_m"].to_numpy() > max_snap_m) & (table["residents_uncovered"].to_numpy() > 0)
    service = usable_ways(streets, mode="drive_service") & ~usable_ways(streets, mode="drive")
    if not far.any() or not service.any():
        return ""
    graph = street_graph(streets, street_nodes, mode="drive_service", utm_crs=utm_crs, speeds=speeds)
    graph.public_snap_m = max_snap_m
    _, snap = graph.snap(cells_xy[far, 0], cells_xy[far, 1])
    people = float(table["residents_uncovered"].to_numpy()[far][snap <= max_snap_m].sum())
    if people < 1:
        return ""
    return (
        f"; {people:,.0f} of them live over {max_snap_m:.0f} m from a public drive street but near service "
        f"roads (campuses, gated estates?): coverage: {{overrides: {{{name}: {{mode: "
        "drive_service}}} also routes on those"
    )
