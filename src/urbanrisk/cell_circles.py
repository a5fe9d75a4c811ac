"""Weights of a grid's cells summed inside circles, the cells given by their ids (issue #17).

:func:`urbanrisk.circle_overlap.circle_sums` takes every cell's projected polygon: for the hazard
screens' impact circles that was the whole grid projected (116,645 cells: ~88 MB of polygons held
beside the grid's own). :class:`CircleCells` gives the same sums, to the bit, while making only the
polygons of the cells some circle reaches: it adds the same (circle, cell) pairs in the same order.

The order is the one ``STRtree.query`` gives: for each circle, the tree's items in the order the
tree was packed (GEOS's sort-tile-recursive packing sorts items by the centres of their envelopes
alone), those within the distance kept. The envelopes are measured once, a batch of cells at a time;
a tree of points at their centres is packed in the same order; its items in that order rank the
cells, and each circle's pairs are added in rank order.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .cell_shapes import POLYGON_BATCH, in_batches
from .circle_overlap import pair_sums

__all__ = ["CircleCells", "circle_cells"]


@dataclasses.dataclass
class CircleCells:
    """A grid's cells ready for :meth:`sums`: their ids, projected envelopes, packing ranks, the most
    edges of any cell's ring (the padding of the whole grid's edges) and a tree of their centres."""

    cells: pd.Index
    utm_crs: str
    bounds: np.ndarray
    rank: np.ndarray
    edge_width: int
    tree: shapely.STRtree
    #: half the longest diagonal of any cell's envelope: no cell reaches farther from its centre
    half_diagonal: float

    def polygons(self, positions: np.ndarray) -> np.ndarray:
        """The projected polygons of the cells at ``positions`` (as ``GeoSeries.to_crs`` of them)."""
        return in_batches(self.cells[positions], lambda cells: _projected(cells, self.utm_crs))

    def sums(self, weights: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
        """:func:`urbanrisk.circle_overlap.circle_sums` of the cells' polygons (same pairs, same
        order, same bits), with only the polygons of the cells within a circle's distance made."""
        weights = np.asarray(weights, dtype=float)
        centres = np.asarray(centres, dtype=float).reshape(-1, 2)
        radii = np.asarray(radii, dtype=float)
        live = np.flatnonzero(radii > 0)
        if not len(live) or not len(self.cells):
            return np.zeros((len(radii), *weights.shape[1:]))
        points = shapely.points(centres[live])
        near, cand = self.tree.query(points, predicate="dwithin", distance=radii[live] + self.half_diagonal)
        used = np.unique(cand)
        shapes = self.polygons(used)
        local = np.searchsorted(used, cand)
        shapely.prepare(points)  # as the tree's query tests them: the circle's centre prepared
        keep = shapely.dwithin(points[near], shapes[local], radii[live][near])
        near, cand, local = near[keep], cand[keep], local[keep]
        order = np.lexsort((self.rank[cand], near))  # per circle, in the tree's packed order
        return pair_sums(
            shapes,
            weights[used],
            centres,
            radii,
            live[near[order]],
            local[order],
            edge_width=self.edge_width,
        )


def _projected(polygons: np.ndarray, utm_crs: str) -> np.ndarray:
    return gpd.GeoSeries(polygons, crs="EPSG:4326").to_crs(utm_crs).to_numpy()


def _measures(polygons: np.ndarray, utm_crs: str) -> np.ndarray:
    """Per cell: its projected envelope and its ring's number of coordinates, shape (cells, 5)."""
    projected = _projected(polygons, utm_crs)
    ring = shapely.get_num_coordinates(shapely.get_exterior_ring(projected))
    return np.column_stack([shapely.bounds(projected), ring])


def circle_cells(cells: pd.Index | list[str], utm_crs: str, *, batch: int = POLYGON_BATCH) -> CircleCells:
    """:class:`CircleCells` of a grid's cells in ``utm_crs`` (their polygons made ``batch`` at a time,
    measured and freed)."""
    cells = pd.Index(cells)
    measured = in_batches(cells, lambda polygons: _measures(polygons, utm_crs), batch=batch).reshape(-1, 5)
    bounds = measured[:, :4]
    centre_x, centre_y = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    tree = shapely.STRtree(shapely.points(centre_x, centre_y))  # packed as a tree of the polygons
    rank = np.empty(len(cells), dtype=np.int64)
    if len(cells):
        everything = shapely.box(*np.nanmin(bounds[:, :2], axis=0) - 1, *np.nanmax(bounds[:, 2:], axis=0) + 1)
        packed = tree.query(everything)
        rank[packed] = np.arange(len(packed))
    half = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) / 2
    return CircleCells(
        cells=cells,
        utm_crs=utm_crs,
        bounds=bounds,
        rank=rank,
        edge_width=max(int(measured[:, 4].max()) - 1, 0) if len(cells) else 0,
        tree=tree,
        half_diagonal=float(np.nanmax(half)) if len(cells) else 0.0,
    )
