"""Longitudes across the antimeridian (180°): one frame for study areas, H3 cells and rasters.

Study areas and H3 cell polygons live in [-180, 180]: a shape crossing 180° is split there into two
parts (a MultiPolygon), as GeoJSON (RFC 7946) does, so that every shapely operation (clip, intersect,
contains) stays planar and correct. A population raster keeps its own frame, whose longitudes may run
past ±180° (by less than a turn); :func:`raster_shifts` gives the multiples of 360° that bring the
cells onto it.

Examples
--------
>>> wrap_box(179.5, 0.0, -179.5, 1.0).bounds  # a box crossing 180°: two parts, 1° wide in all
(-180.0, 0.0, 180.0, 1.0)
>>> round(wrap_box(179.5, 0.0, 180.5, 1.0).area, 9), raster_shifts(179.5, 180.5)
(1.0, [0.0, 360.0])
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

_EAST = shapely.box(-180.0, -90.0, 180.0, 90.0)
_BEYOND = shapely.box(180.0, -90.0, 540.0, 90.0)
_TURN = np.array([360.0, 0.0])


def shift_lon(geometry: np.ndarray | BaseGeometry, dx: float) -> np.ndarray | BaseGeometry:
    """Geometries moved ``dx`` degrees east."""
    return shapely.transform(geometry, lambda c: c + np.array([dx, 0.0]))


def wrap_box(west: float, south: float, east: float, north: float) -> BaseGeometry:
    """A lon/lat box in [-180, 180], split at 180° when it crosses it.

    ``west > east`` means the box runs east from ``west`` across 180° to ``east``; a box given past
    ±180° (a raster's extent, e.g. 179.5 to 180.5) is brought back the same way. A box a turn wide or
    wider is the whole band of latitudes.
    """
    if west > east:
        east += 360.0
    if east - west >= 360.0:
        return shapely.box(-180.0, south, 180.0, north)
    turns = np.floor((west + 180.0) / 360.0)  # bring west into [-180, 180)
    west, east = west - 360.0 * turns, east - 360.0 * turns
    if east <= 180.0:
        return shapely.box(west, south, east, north)
    halves = [shapely.box(west, south, 180.0, north), shapely.box(-180.0, south, east - 360.0, north)]
    return shapely.MultiPolygon(halves)


def wrap_geometry(geometry: BaseGeometry) -> BaseGeometry:
    """A lon/lat geometry given past ±180° (a boundary drawn in 0..360, or across 180° without a cut)
    brought into [-180, 180], cut at 180°; one already within it is returned as it is.

    >>> wrap_geometry(shapely.box(179.0, 0.0, 181.0, 1.0)).bounds
    (-180.0, 0.0, 180.0, 1.0)
    """
    minx, _, maxx, _ = geometry.bounds
    if minx >= -180.0 and maxx <= 180.0:
        return geometry
    pieces = [
        shift_lon(shapely.intersection(geometry, shapely.box(-180.0 + t, -90.0, 180.0 + t, 90.0)), -t)
        for t in (-360.0, 0.0, 360.0)
    ]
    return shapely.union_all([p for p in pieces if not p.is_empty])


def narrow_bounds(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float, float, float]:
    """The box around (at least one) points the short way round: across 180° (east past 180°) when
    that is narrower.

    >>> [round(v, 9) for v in narrow_bounds(np.array([179.9, -179.9]), np.array([-16.0, -15.9]))]
    [179.9, -16.0, 180.1, -15.9]
    """
    west, east = float(lon.min()), float(lon.max())
    moved = np.where(lon < 0.0, lon + 360.0, lon)
    if moved.max() - moved.min() < east - west:
        west, east = float(moved.min()), float(moved.max())
    return west, float(lat.min()), east, float(lat.max())


def split_at_antimeridian(polygons: np.ndarray) -> np.ndarray:
    """Polygons whose outline jumps across 180° (H3 gives such cells as +179.9 ... -179.9) split there.

    A polygon spanning more than 180° of longitude is read as crossing the antimeridian: its western
    longitudes are moved a turn east, and the result is cut at 180° into two parts within [-180, 180].
    A polygon still wider than 180° after that (a cell around a pole) is left as it is.
    """
    bounds = shapely.bounds(polygons)
    wide = np.flatnonzero(bounds[:, 2] - bounds[:, 0] > 180.0)
    if not len(wide):
        return polygons
    out = polygons.copy()
    for i in wide:
        moved = shapely.transform(polygons[i], lambda c: np.where(c < 0.0, c + _TURN, c))
        minx, _, maxx, _ = moved.bounds
        if maxx - minx > 180.0:
            continue
        parts = [shapely.intersection(moved, _EAST), shift_lon(shapely.intersection(moved, _BEYOND), -360.0)]
        polys = [p for g in parts for p in shapely.get_parts(g) if shapely.get_type_id(p) == 3]
        out[i] = shapely.MultiPolygon(polys) if len(polys) > 1 else polys[0]
    return out


def is_split(geometry: BaseGeometry) -> bool:
    """True when a geometry in [-180, 180] has parts touching both sides of 180° (an area crossing it)."""
    minx, _, maxx, _ = geometry.bounds
    return minx <= -179.999999 and maxx >= 179.999999 and maxx - minx > 180.0


def centre(geometry: BaseGeometry) -> tuple[float, float]:
    """The lon/lat centroid of a geometry, taken across 180° when it is split there."""
    if not is_split(geometry):
        point = geometry.centroid
        return point.x, point.y
    parts = shapely.get_parts(geometry)
    moved = [shift_lon(p, 360.0) if p.centroid.x < 0 else p for p in parts]
    point = shapely.MultiPolygon([q for p in moved for q in shapely.get_parts(p)]).centroid
    lon = point.x - 360.0 if point.x > 180.0 else point.x
    return lon, point.y


def raster_shifts(west: float, east: float) -> list[float]:
    """The multiples of 360° that carry longitudes in [-180, 180] onto a raster spanning west..east.

    A raster at most one turn wide holds each place once: the cells' parts moved by each shift and
    cut to the raster add up to every pixel exactly once.
    """
    return [s for s in (-360.0, 0.0, 360.0) if west < 180.0 + s and east > -180.0 + s]
