"""Why a cell has no travel for a standard: no street near it, or only streets that the connected
network does not reach.

Cells snap to the street-level nodes of the largest strongly connected component of a mode's graph
(:mod:`urbanrisk.network`). A cell farther than ``max_snap_m`` from every such node was said to have
"no street within 500 m" even with a street of another piece of the graph a few dozen metres away:
on the Baltimore demo, 56 cells (5,680 residents) of the shelter standard (walking) whose nearest walk
street is 72 m away (median) on a piece of 1,946 nodes the extract joins to the rest nowhere; on
Wudaokou, 51 of the 55 such cells of the medical standard (6,864 of 7,253 residents), the campus
roads that the drive network reaches through no mapped public gate. Such a cell's reason now says
so; it is still uncovered, as before (its people reach no resource on the data's network).

Unless that piece runs to the edge of the OSM data (:func:`leaving_unknown`): then the street goes
on where the data stop, and a route may well exist there. Such a cell's coverage is **unknown**, as
a cell outside the street data is (:mod:`urbanrisk.coverage_unknown`): ``travel_known`` false,
``residents_uncovered`` NaN, in no gap, and the reason :data:`LEAVES_DATA`. A piece is a connected
set (directions ignored) of the nodes outside the main strongly connected component; it reaches the
edge when one of its nodes lies outside the data's extent or within :data:`EDGE_M` of its boundary.
The extent is the run's OSM extent (:func:`urbanrisk.completeness.osm_extent`: each extract's
declared header bounds, else the box of its buildings), the box of the graph's own nodes when none is
given. On a south-west Baltimore clip (an ``osmium extract`` box, complete ways) the ways cut by the
box run past it, so a cut piece always has a node outside; a ``simple`` extract cuts ways at their
last node inside, which :data:`EDGE_M` allows for where nodes are close. A campus mapped without its
gate does not reach the edge and stays uncovered with :data:`NOT_CONNECTED`. It is decided on the
whole graph in :func:`urbanrisk.coverage.coverage_stage`, after either path's travel: both agree.

The street nodes taken are those that are not snap nodes (another piece, or a tunnel or bridge deck of
the main one): a partition's subgraph holds every node within ``max_snap_m`` of its cells and the
whole graph's snap nodes (:mod:`urbanrisk.coverage_dask`), so both paths give the same reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from .antimeridian import wrap_box
from .coverage_unknown import travel_flags
from .lazy_scipy import connected_components, kd_tree
from .network import to_utm

if TYPE_CHECKING:
    from .network import StreetGraph

Bounds = tuple[float, float, float, float] | shapely.Geometry  # a lon/lat box, or a footprint

#: a far cell with no street of any kind within ``max_snap_m``
NO_STREET = "no street within {metres} m"
#: a far cell with streets near it that the connected network does not reach
NOT_CONNECTED = (
    "no street of the connected network within {metres} m: the streets near it join it nowhere in the "
    "data (an extract's edge, a gate, a missing link) or are tunnels or bridge decks"
)


def far_reasons(graph: StreetGraph, cells_xy: np.ndarray, far: np.ndarray, max_snap_m: float) -> np.ndarray:
    """Per cell, the reason of a cell farther than ``max_snap_m`` from every snap node (``far``):
    :data:`NO_STREET`, or :data:`NOT_CONNECTED` where another node of the graph lies within
    ``max_snap_m``; "" for the other cells.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> graph = SimpleNamespace(xy=np.array([[0.0, 0.0], [10.0, 0.0], [2000.0, 0.0]]),
    ...                         snap_nodes=np.array([0, 1]))
    >>> cells = np.array([[5.0, 0.0], [1900.0, 0.0], [5000.0, 0.0]])
    >>> [r[:40] for r in far_reasons(graph, cells, np.array([False, True, True]), 500.0)]
    ['', 'no street of the connected network withi', 'no street within 500 m']
    """
    metres = f"{max_snap_m:.0f}"
    reasons = np.where(far, NO_STREET.format(metres=metres), "").astype(object)
    others = np.setdiff1d(np.arange(len(graph.xy)), graph.snap_nodes)
    if far.any() and len(others):
        distance, _ = kd_tree(graph.xy[others]).query(cells_xy[far])
        reasons[np.flatnonzero(far)[distance <= max_snap_m]] = NOT_CONNECTED.format(metres=metres)
    return reasons


#: a far cell whose nearby streets belong to a piece that runs to the edge of the OSM data
LEAVES_DATA = "its streets leave the data at the extract's edge: travel unknown"
#: a node this near the data's boundary (or beyond it) reaches the edge, in metres
EDGE_M = 50.0


def data_extent_xy(graph: StreetGraph, boxes: Sequence[Bounds] | None) -> shapely.Geometry:
    """The OSM data's extent in the graph's projected CRS: the union of ``boxes`` (lon/lat), or the
    box of the graph's nodes when there is none."""
    if not boxes:
        return shapely.box(*graph.xy.min(axis=0), *graph.xy.max(axis=0))
    parts = [b if isinstance(b, shapely.Geometry) else wrap_box(*b) for b in boxes]  # footprints, boxes
    lonlat = shapely.segmentize(shapely.union_all(parts), 0.001)  # ~100 m
    forward = to_utm(graph.utm_crs)
    return shapely.transform(lonlat, lambda xy: np.column_stack(forward.transform(xy[:, 0], xy[:, 1])))


def leaving_nodes(graph: StreetGraph, boxes: Sequence[Bounds] | None, edge_m: float = EDGE_M) -> np.ndarray:
    """Per node: True for a node outside the main strongly connected component whose piece (the
    nodes outside it joined by streets, directions ignored) has a node beyond ``edge_m`` inside
    the data's extent's boundary or outside it (:func:`data_extent_xy`).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from scipy.sparse import csr_matrix
    >>> xy = np.array([[0.0, 0.0], [1e3, 0.0], [0.0, 900.0], [0.0, 1e3], [300.0, 500.0], [400.0, 500.0]])
    >>> streets = csr_matrix((np.ones(6), ([0, 1, 2, 3, 4, 5], [1, 0, 3, 2, 5, 4])), shape=(6, 6))
    >>> graph = SimpleNamespace(xy=xy, time_s=streets, main_component=np.array([0, 1]))
    >>> leaving_nodes(graph, None).tolist()  # the piece at y=1000 reaches the nodes' box; 4-5 do not
    [False, False, True, True, False, False]
    """
    n = len(graph.xy)
    leaving = np.zeros(n, dtype=bool)
    others = np.setdiff1d(np.arange(n), graph.main_component)
    if not len(others):
        return leaving
    inner = shapely.buffer(data_extent_xy(graph, boxes), -edge_m)
    at_edge = ~shapely.contains_xy(inner, graph.xy[others, 0], graph.xy[others, 1])
    _, piece = connected_components(graph.time_s[others][:, others], directed=False)
    leaving[others] = (np.bincount(piece, weights=at_edge) > 0)[piece]
    return leaving


def leaving_unknown(
    table: pd.DataFrame,
    graph: StreetGraph,
    cells_xy: np.ndarray,
    max_snap_m: float,
    boxes: Sequence[Bounds] | None,
    kept: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """A standard's coverage table (with ``travel_known``) where each cell farther than
    ``max_snap_m`` from every snap node, with a node of a piece that reaches the data's edge
    (:func:`leaving_nodes`) within ``max_snap_m``, has its coverage unknown: ``travel_known`` false,
    ``residents_uncovered`` NaN, ``reason`` :data:`LEAVES_DATA`. ``kept``: the leaving nodes of the
    graphs of one stage, by mode (:func:`leaving_nodes` once per mode, not per standard: two standards
    on one mode route on one graph; ~17 ms at 64 tiles), filled here on first need.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from scipy.sparse import csr_matrix
    >>> xy = np.array([[0.0, 0.0], [1e3, 0.0], [0.0, 2000.0], [0.0, 2100.0], [400.0, 900.0], [500.0, 900.0]])
    >>> streets = csr_matrix((np.ones(6), ([0, 1, 2, 3, 4, 5], [1, 0, 3, 2, 5, 4])), shape=(6, 6))
    >>> graph = SimpleNamespace(xy=xy, time_s=streets, main_component=np.array([0, 1]), utm_crs="EPSG:32618")
    >>> cells = np.array([[50.0, 0.0], [0.0, 1950.0], [450.0, 1300.0]])
    >>> table = pd.DataFrame({"cell_snap_m": [50.0, 1950.0, 1375.0], "residents_uncovered": [0.0, 7.0, 5.0],
    ...                       "reason": ["", "no street of the ...", "no street of the ..."],
    ...                       "travel_known": True})
    >>> out = leaving_unknown(table, graph, cells, 500.0, None)
    >>> out["travel_known"].tolist(), out["residents_uncovered"].tolist()
    ([True, False, True], [0.0, nan, 5.0])
    >>> out["reason"].tolist()[1]
    "its streets leave the data at the extract's edge: travel unknown"
    """
    far = (table["cell_snap_m"].to_numpy(dtype=float) > max_snap_m) & travel_flags(table)
    if not far.any():
        return table
    nodes = None if kept is None else kept.get(graph.mode)
    if nodes is None:
        nodes = leaving_nodes(graph, boxes)
        if kept is not None:
            kept[graph.mode] = nodes
    leaving = np.flatnonzero(nodes)
    if not len(leaving):
        return table
    distance, _ = kd_tree(graph.xy[leaving]).query(cells_xy[far])
    unknown = np.zeros(len(table), dtype=bool)
    unknown[np.flatnonzero(far)[distance <= max_snap_m]] = True
    if unknown.any():
        table.loc[unknown, "travel_known"] = False
        table.loc[unknown, "residents_uncovered"] = np.nan
        table.loc[unknown, "reason"] = LEAVES_DATA
    return table
