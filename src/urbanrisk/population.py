"""Residents from a population raster: each pixel's people shared among H3 cells by exact area.

A pixel's people are spread uniformly over its lon/lat area (the WorldPop convention for people per
pixel); each cell receives every pixel's people times the share of the pixel inside the cell and the
study area, computed exactly from the cell outlines (:func:`exact_zonal_sums`), so the cells of a
partition hold exactly the raster's people inside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from .antimeridian import raster_shifts, shift_lon
from .convex_clip import ragged_ranges
from .grid import INDEX_NAME, cells_to_polygons
from .layers.raster import RasterInfo, read_window

if TYPE_CHECKING:
    import rasterio


def clip_to_area(geometry: np.ndarray, area: shapely.Geometry) -> np.ndarray:
    """The part of each geometry inside ``area`` (only those not wholly inside are intersected)."""
    shapely.prepare(area)
    cut = ~shapely.contains_properly(area, geometry)
    if not cut.any():
        return geometry
    out = geometry.copy()
    out[cut] = shapely.intersection(geometry[cut], area)
    return out


def inside_share(polygons: np.ndarray, area: shapely.Geometry) -> np.ndarray:
    """The share of each lon/lat polygon's area inside ``area``: exactly 1 for a cell wholly inside, the
    ratio of planar lon/lat areas for a cell at the area's edge (over one H3 cell the scale of a degree
    varies by well under 0.1 % at r5 and finer: the ratio is that of areas on the ground).

    Its cells' measures (residents, footprints, places) are counted inside the study area only, so their
    densities are per the area inside: beyond the edge nothing was measured, which is not nothing there.

    >>> from shapely.geometry import box
    >>> inside_share(np.array([box(0, 0, 1, 1), box(0.5, 0, 1.5, 1)]), box(0, 0, 1, 1)).tolist()
    [1.0, 0.5]
    """
    whole = shapely.area(polygons)
    share = np.divide(
        shapely.area(clip_to_area(polygons, area)), whole, out=np.zeros(len(whole)), where=whole > 0
    )
    return np.clip(share, 0.0, 1.0)


def _clamped_ramp_integral(s: np.ndarray) -> np.ndarray:
    """Integral from 0 to ``s`` of min(max(u, 0), 1) du (the covered height of a unit pixel row)."""
    return np.where(s <= 0.0, 0.0, np.where(s >= 1.0, s - 0.5, 0.5 * s * s))


def _polygon_edges(
    polygons: np.ndarray, west: float, south: float, size: tuple[float, float]
) -> tuple[np.ndarray, ...]:
    """Every edge of every polygonal part, in pixel units from (west, south), with the polygon it belongs
    to and a sign making each ring's sum of y dx equal +area for a shell and -area for a hole."""
    parts, owner = shapely.get_parts(polygons, return_index=True)
    polygonal = shapely.get_type_id(parts) == 3
    parts, owner = parts[polygonal], owner[polygonal]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    shell = np.ones(len(rings), dtype=bool)
    shell[1:] = ring_part[1:] != ring_part[:-1]  # the first ring of each part is its shell
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    x = (coords[:, 0] - west) / size[0]
    y = (coords[:, 1] - south) / size[1]
    same = ring_of[1:] == ring_of[:-1]
    x0, y0, x1, y1, ring = x[:-1][same], y[:-1][same], x[1:][same], y[1:][same], ring_of[:-1][same]
    # a ring's sum of y dx is +area when it runs clockwise: orient shells clockwise, holes anticlockwise
    turn = np.bincount(ring, weights=(x1 - x0) * (y0 + y1) / 2, minlength=len(rings))
    flip = np.where(shell, 1.0, -1.0) * np.where(turn < 0, -1.0, 1.0)
    return x0, y0, x1, y1, flip[ring], owner[ring_part[ring]]


def exact_zonal_sums(polygons: np.ndarray, data: np.ndarray, transform: rasterio.Affine) -> np.ndarray:
    """Sum over pixels of value x the exact fraction of the pixel's area inside each polygon.

    The fractions are taken in the raster's own coordinates (for a lon/lat raster, a pixel's people
    spread uniformly over its lon/lat rectangle), as exactextract's ``sum`` does. By Green's theorem a
    polygon's coverage is the signed sum, over its edges, of the area under each edge: every edge is
    cut at pixel columns, and each piece covers the pixels below it in its column wholly (summed from a
    column-wise cumulative sum) and the pixels it crosses partly (a closed-form integral). The work
    grows with the length of the polygons' edges in pixels, not with their area. Parts outside the
    raster count zero; line and point parts (empty intersections) count zero.

    Parameters
    ----------
    polygons
        Shapely (multi)polygons in the raster's CRS.
    data
        Values, rows from north to south; nodata already set to 0. Several layers of the same pixels
        (shape ``(k, rows, cols)``) are summed in one pass over the edges: the result is then
        ``(k, len(polygons))``.
    transform
        North-up affine transform of ``data`` (no rotation).

    Examples
    --------
    Four unit pixels, the box covering a quarter or a half of each: 1/4 + 2/2 + 3/4 + 4/2 people.

    >>> import rasterio
    >>> data = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> t = rasterio.Affine(1.0, 0.0, 0.0, 0.0, -1.0, 2.0)
    >>> exact_zonal_sums(np.array([shapely.box(0.5, 0.5, 2.0, 1.5)]), data, t).round(12).tolist()
    [4.0]
    """
    if data.ndim == 2:
        return exact_zonal_sums(polygons, data[None], transform)[0]
    n = len(polygons)
    k, ny, nx = data.shape
    out = np.zeros((k, n))
    if n == 0 or ny == 0 or nx == 0:
        return out
    size = (transform.a, -transform.e)
    x0, y0, x1, y1, flip, owner = _polygon_edges(polygons, transform.c, transform.f - ny * size[1], size)
    moving = x0 != x1  # vertical edges cover nothing
    x0, y0, x1, y1, flip, owner = (v[moving] for v in (x0, y0, x1, y1, flip, owner))
    # cut every edge at pixel columns
    lo, hi = np.minimum(x0, x1), np.maximum(x0, x1)
    first = np.floor(lo).astype(np.int64)
    ncols = np.maximum(np.ceil(hi).astype(np.int64) - first, 1)
    col, edge = ragged_ranges(first, ncols)
    keep = (col >= 0) & (col < nx)
    edge, col = edge[keep], col[keep]
    slope = (y1 - y0) / (x1 - x0)
    xa, xb = np.maximum(lo[edge], col), np.minimum(hi[edge], col + 1)
    ya = y0[edge] + (xa - x0[edge]) * slope[edge]
    yb = y0[edge] + (xb - x0[edge]) * slope[edge]
    dx = (xb - xa) * np.sign(x1 - x0)[edge] * flip[edge]
    who = owner[edge]
    # whole pixels below each piece: below[r, c] is the sum of column c's r southernmost pixels
    below = np.zeros((k, ny + 1, nx))
    np.cumsum(data[:, ::-1], axis=1, out=below[:, 1:])
    bottom = np.floor(np.minimum(ya, yb)).astype(np.int64)
    whole = below[:, np.clip(bottom, 0, ny), col]
    for layer in range(k):
        out[layer] += np.bincount(who, weights=dx * whole[layer], minlength=n)
    # the pixels each piece crosses: the mean covered height of the row over the piece
    top = np.maximum(np.ceil(np.maximum(ya, yb)).astype(np.int64) - 1, bottom)
    bottom, top = np.maximum(bottom, 0), np.minimum(top, ny - 1)
    nrows = np.maximum(top - bottom + 1, 0)
    row, piece = ragged_ranges(bottom, nrows)
    a, b = ya[piece] - row, yb[piece] - row
    flat = np.abs(b - a) < 1e-6  # nearly level: the mean height, without cancellation
    covered = np.where(
        flat,
        np.clip((a + b) / 2, 0.0, 1.0),
        (_clamped_ramp_integral(b) - _clamped_ramp_integral(a)) / np.where(flat, 1.0, b - a),
    )
    share = dx[piece] * covered
    crossed = data[:, ny - 1 - row, col[piece]]
    for layer in range(k):
        out[layer] += np.bincount(who[piece], weights=share * crossed[layer], minlength=n)
    return out


def _windows(bounds: np.ndarray, west: float, east: float) -> list[tuple[np.ndarray, tuple[float, ...]]]:
    """The parts (by index) whose box meets west..east, with the box to read: one group, or two when
    the parts lie either side of 180° (two small windows, not one across the whole raster)."""
    on = np.flatnonzero((bounds[:, 2] > west) & (bounds[:, 0] < east))
    if not len(on):
        return []
    groups = [on]
    if bounds[on, 2].max() - bounds[on, 0].min() > 180.0:
        westward = (bounds[on, 0] + bounds[on, 2]) < 0.0
        groups = [g for g in (on[westward], on[~westward]) if len(g)]
    out = []
    for group in groups:
        box = bounds[group]
        limits = (max(box[:, 0].min(), west), box[:, 1].min(), min(box[:, 2].max(), east), box[:, 3].max())
        out.append((group, tuple(float(v) for v in limits)))
    return out


def raster_zonal_sums(info: RasterInfo, polygons: np.ndarray) -> np.ndarray:
    """:func:`exact_zonal_sums` of lon/lat polygons (in [-180, 180]) over a raster read window by window.

    A raster crossing the antimeridian runs past ±180° in its own frame: each polygon part is moved by
    the turns that bring it onto the raster (:func:`urbanrisk.antimeridian.raster_shifts`), so every
    pixel, on either side of 180°, is shared among the cells over it exactly once. Returns two rows:
    the people, and the area (in pixels) over measured pixels (not nodata: missing is not zero).
    """
    out = np.zeros((2, len(polygons)))
    if (shapely.get_type_id(polygons) == 3).all():  # all simple polygons (the common case): no split
        parts, owner = polygons, np.arange(len(polygons))
    else:
        parts, owner = shapely.get_parts(polygons, return_index=True)
    if not len(parts):
        return out
    bounds = shapely.bounds(parts)
    west, _, east, _ = info.bounds
    for shift in raster_shifts(west, east):
        for group, (w, s, e, n) in _windows(bounds, west - shift, east - shift):
            data, measured, transform = read_window(info, (w + shift, s, e + shift, n))
            moved = shift_lon(parts[group], shift) if shift else parts[group]
            sums = exact_zonal_sums(moved, np.stack([data, measured.astype("float64")]), transform)
            for row in range(2):
                out[row] += np.bincount(owner[group], weights=sums[row], minlength=len(polygons))
    return out


def residents_from_raster(
    info: RasterInfo,
    cells: list[str],
    *,
    resolution: int,
    area: shapely.Geometry,
    polygons: np.ndarray | None = None,
) -> pd.DataFrame:
    """``residents`` per cell (:func:`population_from_raster`) and ``residents_known_share``: the share
    of the cell's area (inside the study area) over measured pixels, 0 to 1.

    Nodata pixels (and NaN or negative ones) are not measured, not empty: they add no people, and the
    area over them, like the area outside the raster, is not part of the known share. Cells over nodata
    pixels thus hold the people of the measured pixels only; ``known_residents``
    (:mod:`urbanrisk.completeness`) then says whether enough of the cell was measured to tell.
    """
    index = pd.Index(cells, name=INDEX_NAME, dtype="str")
    polygons = cells_to_polygons(cells) if polygons is None else polygons
    polygons = clip_to_area(polygons, area)  # cells at the area's edge: the part inside
    people, measured = raster_zonal_sums(info, polygons)
    pixels = shapely.area(polygons) / (info.pixel_size[0] * info.pixel_size[1])
    share = np.divide(measured, pixels, out=np.zeros(len(pixels)), where=pixels > 0)
    share = np.clip(share, 0.0, 1.0).round(6)
    # nothing measured: no people, not the sums' rounding (a warped copy's traces: raster_to_lonlat)
    people = np.where(measured > 1e-12, np.maximum(people, 0.0), 0.0)
    return pd.DataFrame({"residents": people, "residents_known_share": share}, index=index)


def population_from_raster(
    info: RasterInfo,
    cells: list[str],
    *,
    resolution: int,
    area: shapely.Geometry,
    polygons: np.ndarray | None = None,
) -> pd.Series:
    """People per cell from a people-per-pixel raster: exact area shares, total conserved in the area.

    Each cell gets every pixel's people times the fraction of the pixel's area that lies in the cell
    and in the study area (:func:`exact_zonal_sums`; equal to exactextract's ``sum`` over the clipped
    cell polygons), at every resolution, whether pixels are much smaller or larger than cells. Both
    the cell polygons (straight edges between H3 vertices) and the raster are in lon/lat (EPSG:4326),
    so the fractions are taken in degree space: a pixel's people are assumed spread uniformly over its
    lon/lat rectangle, the standard reading of WorldPop-style counts per pixel. H3 cell polygons tile
    the plane, so the shares of a pixel sum to the fraction of it inside the area: the grid's total is
    the raster's sum inside the area, partition by partition. Cells and area crossing 180° are split
    there, and a raster crossing it is met in its own frame (:func:`raster_zonal_sums`). ``polygons``:
    the cells' polygons (:func:`urbanrisk.grid.cells_to_polygons`), when made already.
    """
    table = residents_from_raster(info, cells, resolution=resolution, area=area, polygons=polygons)
    return table["residents"]
