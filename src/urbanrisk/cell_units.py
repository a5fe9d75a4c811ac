"""Which unit (区, 街道, 社区, a community polygon...) each H3 cell or point belongs to: the one rule that
the risk registers, the communities screen, the responsibility list, the coverage-lost alerts and the
alerts' units share.

- A **cell** belongs to the unit that holds its centre (the first by id where units overlap). When no
  unit holds the centre — a grid's edge cell (it overlaps the area, its centre lies just outside) or
  a centre exactly on a border — it belongs to the unit covering the largest part of it (area of the
  intersection in the equal-area :data:`EQUAL_AREA_CRS`, ties to the smaller id). Only a cell that no
  unit covers any part of (touching at a corner or an edge covers none) stays :data:`UNASSIGNED`.
  The overlap step runs on the cells without a centre hit alone, so it stays cheap on a large grid.
- A **point** (a hazard source, a risk item's representative point, an alert) belongs to the unit
  that covers it, its border included (the first by id). A point that no unit covers goes to the
  nearest unit within :data:`POINT_TOLERANCE_DEG` (1e-5°: at most 1.1 m anywhere, the rounding of a
  register's coordinates against the units' outlines); farther, it stays :data:`UNASSIGNED` — the
  units do not hold it, and no guess is made. A polygon item's representative point (a gap or a
  cluster of cells at the area's edge) that no unit holds falls back to the cell rule's overlap step
  on the item's outline.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from .cell_disks import cell_latlng
from .cell_shapes import POLYGON_BATCH, cell_reach_deg
from .grid import cells_to_polygons

#: The id (and name) of the row holding the cells or points outside all units of a level.
UNASSIGNED = "unassigned"
#: Where the overlap of an edge cell with each unit is measured (equal-area, worldwide, in m²).
EQUAL_AREA_CRS = "EPSG:6933"
#: Overlaps that differ by less than this (m²) are a tie, broken by unit id.
AREA_TIE_M2 = 1e-3
#: A point outside every unit goes to the nearest unit within this distance (degrees; ≤ 1.1 m).
POINT_TOLERANCE_DEG = 1e-5


def _ordered(units: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The units' ids and valid geometries, sorted by id (a lower position is a smaller id)."""
    geoms = units.geometry.to_numpy()
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    ids = units["id"].astype(str).to_numpy()[keep]
    geoms = geoms[keep]
    order = np.argsort(ids, kind="stable")
    ids, geoms = ids[order], np.asarray(geoms[order], dtype=object)
    broken = ~shapely.is_valid(geoms)
    if broken.any():  # an intersection with an invalid outline would raise
        geoms[broken] = shapely.make_valid(geoms[broken])
    return ids, geoms


def _first(pairs: np.ndarray, n: int, keys: np.ndarray | None = None) -> np.ndarray:
    """Per input (``pairs[0]``), the tree position (``pairs[1]``) sorting first by (``keys``, position);
    -1 for an input without a pair."""
    best = np.full(n, -1, dtype=np.int64)
    if not pairs.shape[1]:
        return best
    src, hit = pairs
    order = np.lexsort((hit, src) if keys is None else (hit, keys, src))
    src, hit = src[order], hit[order]
    head = np.r_[True, src[1:] != src[:-1]]
    best[src[head]] = hit[head]
    return best


def _largest_overlap(
    polygons: np.ndarray, geoms: np.ndarray, tree: shapely.STRtree, allowed: tuple | None = None
) -> np.ndarray:
    """Per polygon, the tree position of the unit covering the largest part of it (-1: none);
    ``allowed``: (each polygon's group, each unit's group): only a unit of the polygon's group counts."""
    src, hit = tree.query(polygons, predicate="intersects")
    if allowed is not None:
        same = allowed[0][src] == allowed[1][hit]
        src, hit = src[same], hit[same]
    if not len(src):
        return np.full(len(polygons), -1, dtype=np.int64)
    pieces = shapely.intersection(polygons[src], geoms[hit])
    area = gpd.GeoSeries(pieces, crs=4326).to_crs(EQUAL_AREA_CRS).area.to_numpy()
    covers = area > 0  # a corner or an edge in common covers no part of the cell
    tied = np.round(area[covers] / AREA_TIE_M2)  # equal overlaps: the smaller id (tree position)
    return _first(np.vstack([src[covers], hit[covers]]), len(polygons), keys=-tied)


def _group(values: np.ndarray) -> np.ndarray:
    """Unit ids as groups: every kind of unassigned (``unassigned:<id>``) is one group."""
    values = np.asarray(values, dtype=str)
    return np.where(np.char.startswith(values, UNASSIGNED), UNASSIGNED, values)


def cell_units(
    cells: pd.Index,
    units: gpd.GeoDataFrame,
    above: pd.Series | None = None,
    polygons: np.ndarray | None = None,
) -> pd.Series:
    """The id of the unit each H3 cell belongs to (see the module's rule), indexed by cell;
    :data:`UNASSIGNED` for a cell that no unit covers any part of.

    ``units`` has ``id`` and geometry (EPSG:4326). ``above``: each cell's unit at the next coarser
    level (aligned with ``cells``), and ``units["parent"]`` each unit's parent there; the overlap step
    then picks only among the units whose parent is the cell's unit above (a unit without a parent for
    a cell unassigned above), so that units which nest still add up to their parents. ``polygons``:
    the cells' polygons (:func:`urbanrisk.grid.cells_to_polygons`, a grid's geometry), when made already;
    else those of the cells no unit holds the centre of, but some unit comes within their reach
    (:func:`urbanrisk.cell_shapes.cell_reach_deg`), are made, :data:`POLYGON_BATCH` at a time.
    """
    index = pd.Index(cells)
    out = pd.Series(UNASSIGNED, index=index, dtype="str")
    ids, geoms = _ordered(units) if len(units) else (np.array([], dtype=str), np.array([]))
    if not len(ids) or not len(index):
        return out
    tree = shapely.STRtree(geoms)
    latlng = cell_latlng(index)
    centres = shapely.points(latlng[:, 1], latlng[:, 0])
    which = _first(tree.query(centres, predicate="within"), len(index))
    edge = np.flatnonzero(which < 0)
    if len(edge) and polygons is None:  # a cell with no unit within its reach overlaps none: no polygon
        reach = np.hypot(*cell_reach_deg(latlng[edge], h3.get_resolution(index[0])).T)
        edge = edge[np.unique(tree.query(centres[edge], predicate="dwithin", distance=reach)[0])]
    if len(edge):
        allowed = None
        if above is not None and "parent" in units.columns:
            first = units.assign(id=units["id"].astype(str)).drop_duplicates("id")
            parents = first.set_index("id")["parent"]
            allowed = (_group(above.to_numpy()[edge]), _group(parents.reindex(ids).fillna(UNASSIGNED)))
        parts = []
        for lo in range(0, len(edge), POLYGON_BATCH):  # cell by cell: a batch's polygons at a time
            at = edge[lo : lo + POLYGON_BATCH]
            outlines = cells_to_polygons(index[at]) if polygons is None else np.asarray(polygons)[at]
            only = None if allowed is None else (allowed[0][lo : lo + POLYGON_BATCH], allowed[1])
            parts.append(_largest_overlap(outlines, geoms, tree, only))
        which[edge] = np.concatenate(parts)
    found = which >= 0
    out.iloc[np.flatnonzero(found)] = ids[which[found]]
    return out


def point_units(
    points: gpd.GeoSeries, units: gpd.GeoDataFrame, shapes: gpd.GeoSeries | None = None
) -> pd.Series:
    """The id of the unit covering each point (see the module's rule), indexed as ``points``;
    :data:`UNASSIGNED` for a missing point or one farther than :data:`POINT_TOLERANCE_DEG` from every
    unit.

    ``shapes``: the outline each point stands for (a risk item's, its point being its representative
    point), aligned with ``points``; a point that no unit holds then goes, like a cell, to the unit
    covering the largest part of its outline (a gap at the area's edge whose point lies just outside).
    """
    out = pd.Series(UNASSIGNED, index=points.index, dtype="str")
    ids, geoms = _ordered(units) if len(units) else (np.array([], dtype=str), np.array([]))
    if not len(ids) or not len(points):
        return out
    tree = shapely.STRtree(geoms)
    where = points.to_numpy()
    which = _first(tree.query(where, predicate="covered_by"), len(where))
    located = np.isfinite(shapely.bounds(where)).all(axis=1)  # missing, empty or NaN: no place
    rest = np.flatnonzero((which < 0) & located)
    if len(rest):  # only those within twice the tolerance of a unit may have one nearer than it (cheaper)
        close = tree.query(where[rest], predicate="dwithin", distance=2 * POINT_TOLERANCE_DEG)[0]
        rest = rest[np.unique(close)]
        near = tree.query_nearest(where[rest], max_distance=POINT_TOLERANCE_DEG, all_matches=True)
        which[rest] = _first(near, len(rest))
    rest = np.flatnonzero(which < 0)
    if shapes is not None and len(rest):
        outlines = shapes.to_numpy()[rest]
        areal = np.isin(shapely.get_type_id(outlines), (3, 6))  # (multi)polygons have a largest part
        which[rest[areal]] = _largest_overlap(outlines[areal], geoms, tree)
    found = which >= 0
    out.iloc[np.flatnonzero(found)] = ids[which[found]]
    return out
