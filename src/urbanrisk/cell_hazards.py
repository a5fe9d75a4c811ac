"""Hazard intensity per cell: each hazard source's severity x linear distance decay within its impact
radius, summed over the sources that reach the cell, and the source that contributes most (the risk
grade's *hazard sources* indicator, :mod:`urbanrisk.grade`).

The sources are taken a few hundred at a time (:data:`SOURCES_AT_ONCE`): every source-cell pair of a
metropolis at once (the KD-tree's Python lists of cells) set the screens stage's driver peak (issue #17).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from .cell_disks import cell_latlng
from .lazy_scipy import kd_tree

#: Hazard sources whose cells in reach are found at a time (:func:`hazard_intensity`): a metropolis's
#: every source-cell pair at once, as the KD-tree's Python lists, set the screens stage's driver peak
SOURCES_AT_ONCE = 512


def cell_centres_xy(cells: pd.Index, utm_crs: str) -> np.ndarray:
    """Projected (x, y) of H3 cell centres, shape (n, 2)."""
    latlng = cell_latlng(cells)
    to_utm = Transformer.from_crs(4326, utm_crs, always_xy=True)  # as GeoSeries.to_crs, without points
    x, y = to_utm.transform(latlng[:, 1], latlng[:, 0])
    return np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])


def hazard_intensity(
    grid: gpd.GeoDataFrame, hazards: gpd.GeoDataFrame | None, *, utm_crs: str
) -> tuple[pd.Series, pd.Series]:
    """Per cell: sum of severity x (1 - d/R) over hazard sources within their impact radius R,
    and the id of the source contributing most (for explanations).

    The sources are taken :data:`SOURCES_AT_ONCE` at a time, in the table's order: each cell's sum
    adds their contributions in that order (the same bits as all at once), and its top source is
    the first of the largest contribution."""
    index = grid.index
    intensity = pd.Series(0.0, index=index, name="hazard_intensity")
    top = pd.Series("", index=index, name="top_hazard", dtype="str")
    if hazards is None or not len(hazards):
        return intensity, top
    xy = cell_centres_xy(index, utm_crs)
    hz, points = hazards, hazards.geometry.to_crs(utm_crs).to_numpy()  # none if in utm_crs already
    hxy = np.column_stack([shapely.get_x(points), shapely.get_y(points)])
    radii = hz["impact_radius_m"].to_numpy(dtype=float)
    severity = hz["severity"].to_numpy()
    tree = kd_tree(xy)
    total = np.zeros(len(index))
    best = np.zeros(len(index))  # each cell's largest contribution so far (0: none positive)
    best_source = np.full(len(index), -1, dtype=np.int64)
    for start in range(0, len(hxy), SOURCES_AT_ONCE):
        stop = min(start + SOURCES_AT_ONCE, len(hxy))
        found = tree.query_ball_point(hxy[start:stop], r=radii[start:stop])
        counts = np.fromiter((len(near) for near in found), dtype=np.int64, count=len(found))
        src = start + np.repeat(np.arange(len(found)), counts)
        near = np.concatenate([np.asarray(n, dtype=np.int64) for n in found] or [np.zeros(0, dtype=np.int64)])
        del found
        d = np.hypot(xy[near, 0] - hxy[src, 0], xy[near, 1] - hxy[src, 1])
        contribution = severity[src] * (1.0 - d / radii[src])
        np.add.at(total, near, contribution)  # in the sources' order, as one bincount of every pair
        positive = np.flatnonzero(contribution > 0)  # per cell the largest, the first source among equals
        order = positive[np.lexsort((src[positive], -contribution[positive], near[positive]))]
        first = order[np.r_[True, near[order][1:] != near[order][:-1]]] if len(order) else order
        better = first[contribution[first] > best[near[first]]]  # an earlier source keeps a tie
        best[near[better]] = contribution[better]
        best_source[near[better]] = src[better]
    top_values = np.full(len(index), "", dtype=object)
    topped = best_source >= 0
    top_values[topped] = hz["id"].to_numpy()[best_source[topped]]
    intensity[:] = total
    top[:] = top_values
    return intensity, top
