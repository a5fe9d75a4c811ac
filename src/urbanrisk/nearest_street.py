"""The nearest street of each building: GEOS's answer, found for most buildings without its search.

``STRtree.query_nearest`` walks the tree once per building (~50 us each, the grid stage's largest
single cost). Here the streets within a few tens of metres of each building's box are taken in one
bulk envelope query and their exact distances computed at once (``shapely.distance``, the distance
GEOS's search compares); a building whose nearest street is closer than the search radius and
strictly nearer than any other gets that street. The others — ties (e.g. a building touching two
streets), or no street within the radii — are asked of ``query_nearest`` itself, so every
building's street is the one ``query_nearest(..., all_matches=False)`` returns.

Examples
--------
>>> streets = np.array([shapely.LineString([(0, 0), (10, 0)]), shapely.LineString([(0, 30), (10, 30)])])
>>> houses = np.array([shapely.box(2, 5, 4, 7), shapely.box(2, 13, 4, 15), shapely.box(2, 24, 4, 26)])
>>> [v.tolist() for v in nearest_streets(shapely.STRtree(streets), streets, houses)]
[[0, 1, 2], [0, 0, 1]]
"""

from __future__ import annotations

import numpy as np
import shapely

#: Search radii (metres, projected CRS), tried in turn on the buildings not yet settled: they only
#: decide how much is asked of ``query_nearest``, never the answer.
RADII_M = (25.0, 100.0)
#: Distances within this relative margin of the nearest count as a tie (left to ``query_nearest``).
TIE = 1e-9


def _settled(
    tree: shapely.STRtree, streets: np.ndarray, buildings: np.ndarray, todo: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Of the buildings ``todo``, those whose nearest street lies strictly nearest within ``radius``:
    (buildings, their street)."""
    box = shapely.bounds(buildings[todo])
    boxes = shapely.box(box[:, 0] - radius, box[:, 1] - radius, box[:, 2] + radius, box[:, 3] + radius)
    b_idx, s_idx = tree.query(boxes)
    if not len(b_idx):
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    b_idx = todo[b_idx]
    distance = shapely.distance(buildings[b_idx], streets[s_idx])
    order = np.lexsort((distance, b_idx))
    b_idx, s_idx, distance = b_idx[order], s_idx[order], distance[order]
    starts = np.flatnonzero(np.r_[True, b_idx[1:] != b_idx[:-1]])
    best = distance[starts]
    second = np.full(len(starts), np.inf)
    after = starts + 1
    same = after < len(b_idx)
    same[same] = b_idx[after[same]] == b_idx[starts[same]]
    second[same] = distance[after[same]]
    # every street nearer than the radius is among the candidates (its box meets the widened box)
    alone = (best < radius * (1 - TIE)) & (second > best * (1 + TIE) + TIE)
    return b_idx[starts[alone]], s_idx[starts[alone]]


def nearest_streets(
    tree: shapely.STRtree, streets: np.ndarray, buildings: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``tree.query_nearest(buildings, all_matches=False)`` (``tree``: an STRtree of ``streets``):
    (building positions, ascending; the nearest street of each), computed as the module says."""
    todo = np.arange(len(buildings))
    found_b, found_s = [], []
    for radius in RADII_M:
        if not len(todo):
            break
        b_idx, s_idx = _settled(tree, streets, buildings, todo, radius)
        found_b.append(b_idx)
        found_s.append(s_idx)
        todo = np.setdiff1d(todo, b_idx, assume_unique=True)
    if len(todo):
        b_idx, s_idx = tree.query_nearest(buildings[todo], all_matches=False)
        found_b.append(todo[b_idx])
        found_s.append(s_idx)
    b_all = np.concatenate([*found_b, np.zeros(0, dtype=np.intp)])
    s_all = np.concatenate([*found_s, np.zeros(0, dtype=np.intp)])
    order = np.argsort(b_all, kind="stable")
    return b_all[order], s_all[order]
