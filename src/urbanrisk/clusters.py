"""Contiguous clusters of H3 cells (neighbours share an edge) and their dissolved outlines.

The neighbours of all cells are walked at once by h3ronpy (:func:`urbanrisk.cell_disks.disk_pairs`).
"""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from shapely.geometry import shape

from .cell_disks import cell_ints, disk_pairs
from .lazy_scipy import connected_components


def cell_clusters(cells: list[str] | pd.Index) -> np.ndarray:
    """Cluster label of each cell: cells are joined when they are H3 neighbours.

    Labels are ordered by the first cell of each cluster in sorted order (deterministic).

    Examples
    --------
    >>> a = h3.latlng_to_cell(39.99, 116.31, 10)
    >>> far = h3.grid_ring(a, 3)[0]
    >>> labels = cell_clusters([a, h3.grid_ring(a, 1)[0], far])
    >>> bool(labels[0] == labels[1] != labels[2])
    True
    """
    cells = list(cells)
    if not cells:
        return np.zeros(0, dtype=int)
    ints = cell_ints(cells)
    rows, neighbours = disk_pairs(cells, 1)  # each cell's disk (itself and its ring), all at once
    ring = neighbours != ints[rows]
    rows, neighbours = rows[ring], neighbours[ring]
    order = np.argsort(ints, kind="stable")
    known = ints[order]
    at = np.maximum(np.searchsorted(known, neighbours, side="right") - 1, 0)  # a cell given twice: its
    found = known[at] == neighbours  # last place, as a {cell: place} dict keeps it
    rows, cols = rows[found], order[at[found]]
    n = len(cells)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    order = {label: k for k, label in enumerate(dict.fromkeys(labels[np.argsort(cells, kind="stable")]))}
    return np.array([order[label] for label in labels])


def dissolve_cells(cells: list[str]) -> shapely.Geometry:
    """One (multi)polygon covering the cells (H3's own outline of a cell set: exact and fast)."""
    return shape(h3.cells_to_h3shape(list(cells)).__geo_interface__)


def dissolve_each(groups: list[list[str]]) -> list[shapely.Geometry]:
    """:func:`dissolve_cells` of each group of cells, in order (the same geometries, vertex for
    vertex: H3's outlines, their rings built into shapely geometries all at once)."""
    if not groups:  # no cluster kept (candidate cells, none big enough): nothing to outline
        return []
    shapes = [h3.cells_to_h3shape(list(cells), tight=False).polys for cells in groups]
    rings = [ring for polys in shapes for poly in polys for ring in (poly.outer, *poly.holes)]
    sizes = np.array([len(ring) + 1 for ring in rings], dtype=np.int64)  # closed: the first point again
    latlng = np.array([p for ring in rings for p in (*ring, ring[0])], dtype=float).reshape(-1, 2)
    linear = shapely.linearrings(latlng[:, ::-1], indices=np.repeat(np.arange(len(rings)), sizes))
    per_poly = [1 + len(poly.holes) for polys in shapes for poly in polys]
    polygons = shapely.polygons(linear, indices=np.repeat(np.arange(len(per_poly)), per_poly))
    counts = np.array([len(polys) for polys in shapes], dtype=np.int64)
    multi = np.full(len(shapes), None, dtype=object)
    some = counts > 0
    if some.any():  # (every index of the parts must be there: the empty groups are left out)
        whose = np.repeat(np.arange(int(some.sum())), counts[some])
        multi[some] = shapely.multipolygons(polygons, indices=whose)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return [
        polygons[f] if n == 1 else m if n else shapely.MultiPolygon()
        for f, n, m in zip(first, counts, multi, strict=True)
    ]


def _spread_bits(values: np.ndarray) -> np.ndarray:
    """16-bit integers with a zero bit put before each of their bits (bit i moves to bit 2i)."""
    v = values.astype(np.uint64)
    for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
        v = (v | (v << np.uint64(shift))) & np.uint64(mask)
    return v


def place_order(points: np.ndarray) -> np.ndarray:
    """The order that visits ``points`` (n x 2: x, y) along a Morton (Z-order) curve over their box:
    nearby points mostly one after another. A reader of a store that keeps the last few partitions it
    read (:class:`urbanrisk.osm_store.PartsKept`) then reads each partition about once (36 tiles: 85
    key districts read 18 street partitions in H3 order, 14 in this order, where 14 exist).

    >>> place_order(np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])).tolist()
    [1, 2, 3, 0]
    >>> place_order(np.array([[5.0, 5.0], [np.nan, np.nan], [4.0, 4.0]])).tolist()
    [1, 2, 0]
    """
    finite = np.isfinite(points).all(axis=1)  # a point of NaN (an empty outline's centre) goes first
    if not finite.any():
        return np.arange(len(points))
    low, high = points[finite].min(axis=0), points[finite].max(axis=0)
    span = high - low
    scaled = np.divide(points - low, span, out=np.zeros(points.shape), where=span > 0)
    scaled[~finite] = 0.0
    cells = np.clip(np.round(scaled * 0xFFFF), 0, 0xFFFF).astype(np.uint64)
    code = _spread_bits(cells[:, 0]) | (_spread_bits(cells[:, 1]) << np.uint64(1))
    return np.argsort(code, kind="stable")
