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

The street nodes taken are those that are not snap nodes (another piece, or a tunnel or bridge deck of
the main one): a partition's subgraph holds every node within ``max_snap_m`` of its cells and the
whole graph's snap nodes (:mod:`urbanrisk.coverage_dask`), so both paths give the same reasons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .lazy_scipy import kd_tree

if TYPE_CHECKING:
    from .network import StreetGraph

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
