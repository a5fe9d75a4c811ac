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
from scipy.sparse import csr_matrix

from .lazy_scipy import connected_components, kd_tree
from .network import StreetGraph, edges_from_streets, snap_graph, to_utm
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

    ``graphs``: the run's graphs by mode; without ``drive_service`` among them, its snap nodes are
    found from the ``drive`` graph and the service ways' edges (:func:`service_snap_m`; without
    ``drive`` either, its topology is built: :func:`urbanrisk.network.snap_graph`), and only when a
    far cell lies within ``max_snap_m`` of a node of a ``drive_service`` way (a KD-tree of those
    nodes tells first).
    """
    if mode != "drive" or not len(table):
        return ""
    far = (table["cell_snap_m"].to_numpy() > max_snap_m) & (table["residents_uncovered"].to_numpy() > 0)
    ways = usable_ways(streets, mode="drive"), usable_ways(streets, mode="drive_service")
    if not far.any() or not (ways[1] & ~ways[0]).any():
        return ""
    near = _near_service_roads(
        streets[ways[1]], street_nodes, cells_xy[far], utm_crs=utm_crs, within_m=max_snap_m
    )
    if not near.any():  # no node of a drive_service way within reach: no snap node either
        return ""
    xy = cells_xy[far][near]
    graph, drive = (graphs or {}).get("drive_service"), (graphs or {}).get("drive")
    snap = None
    if graph is None and drive is not None:
        snap = service_snap_m(
            drive, streets, street_nodes, xy, utm_crs=utm_crs, public_snap_m=max_snap_m, ways=ways
        )
    if snap is None:
        if graph is None:
            graph = snap_graph(streets, street_nodes, mode="drive_service", utm_crs=utm_crs)
        graph.public_snap_m = max_snap_m
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
    ways: gpd.GeoDataFrame, nodes: pd.DataFrame, xy: np.ndarray, *, utm_crs: str, within_m: float
) -> np.ndarray:
    """Per point: a node of ``ways`` (the ``drive_service`` ways) lies within ``within_m`` (a little
    more: a superset of the points some snap node of the mode lies that close to)."""
    ways = ways["node_ids"]
    ids = pd.unique(np.fromiter(itertools.chain.from_iterable(ways), dtype=np.int64))
    at = nodes.index.get_indexer(ids)
    at = at[at >= 0]
    if not len(at) or not len(xy):
        return np.zeros(len(xy), dtype=bool)
    lon, lat = nodes["lon"].to_numpy(dtype=float)[at], nodes["lat"].to_numpy(dtype=float)[at]
    tree = kd_tree(np.column_stack(to_utm(utm_crs).transform(lon, lat)))
    distance, _ = tree.query(xy, distance_upper_bound=within_m * (1 + 1e-9) + 1e-6)
    return np.isfinite(distance)


def service_snap_m(
    drive: StreetGraph,
    streets: gpd.GeoDataFrame,
    nodes: pd.DataFrame,
    xy: np.ndarray,
    *,
    utm_crs: str,
    public_snap_m: float,
    ways: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray | None:
    """Per projected point, the distance at which a ``drive_service`` graph snaps it
    (:meth:`urbanrisk.network.StreetGraph.snap`), from the run's ``drive`` graph and the edges of the
    ways only ``drive_service`` uses: no whole ``drive_service`` graph is built (the 32 x 32
    metropolis: ~0.43 GB at its peak). None when a way ``drive`` uses is not one ``drive_service``
    uses (not with the shipped rules): then the graphs are not nested. ``ways``: which ways ``drive``
    and ``drive_service`` use (:func:`urbanrisk.street_rules.usable_ways`), if known.

    The same numbers: ``drive_service``'s node rows are the ascending node ids of both, its pairs
    ``drive``'s and the service ways', so its strongly connected components (labels too) are those of
    the matrix built here; its snap nodes the main component's nodes on a street-level edge; its
    public snap nodes ``drive``'s own (the largest component of the ways ``drive`` uses).
    """
    driving, servicing = ways or (
        usable_ways(streets, mode="drive"),
        usable_ways(streets, mode="drive_service"),
    )
    if (driving & ~servicing).any():
        return None
    extra = edges_from_streets(streets.loc[servicing & ~driving], nodes, mode="drive_service", lengths=False)
    su, sv = extra["u"].to_numpy(), extra["v"].to_numpy()
    ends = pd.unique(np.concatenate([su, sv]))
    ids = np.sort(np.concatenate([drive.node_ids, ends[~np.isin(ends, drive.node_ids)]]))
    row_of = np.searchsorted(ids, drive.node_ids)  # drive's rows among drive_service's
    su, sv = np.searchsorted(ids, su), np.searchsorted(ids, sv)
    matrix = drive.time_s
    rows = np.concatenate([np.repeat(row_of, np.diff(matrix.indptr)), su])
    cols = np.concatenate([row_of[matrix.indices], sv])
    pairs = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(ids), len(ids)))
    del rows, cols
    _, labels = connected_components(pairs, directed=True, connection="strong")
    main = np.flatnonzero(labels == np.bincount(labels).argmax())
    at_grade = np.zeros(len(ids), dtype=bool)
    at_grade[row_of if drive.at_grade is None else row_of[drive.at_grade]] = True
    level = extra["at_grade"].to_numpy(dtype=bool)
    at_grade[su[level]] = at_grade[sv[level]] = True
    snap = main[at_grade[main]] if at_grade[main].any() else main
    drive_row = np.full(len(ids), -1)
    drive_row[row_of] = np.arange(len(row_of))
    own = drive_row[snap]
    points = np.empty((len(snap), 2))
    points[own >= 0] = drive.xy[own[own >= 0]]
    at = nodes.index.get_indexer(ids[snap[own < 0]])
    lon, lat = nodes["lon"].to_numpy(dtype=float)[at], nodes["lat"].to_numpy(dtype=float)[at]
    points[own < 0] = np.column_stack(to_utm(utm_crs).transform(lon, lat))
    distance, _ = kd_tree(points).query(xy)
    _, public = drive.snap(xy[:, 0], xy[:, 1])
    return np.where(public <= public_snap_m, public, distance)
