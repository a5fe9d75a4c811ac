"""The study area from a boundary file (``area: {path: boundary.geojson}``): its polygons, checked and
dissolved into one lon/lat shape (cut at 180°).

A boundary is refused with its fix when it holds no polygon, vertices that are not lon/lat, more parts
or vertices than a study area may have, polygons that enclose no area (a ring drawn back over
itself: ``[a, b, a]``), which made a line that no H3 cell fills (a ValueError traceback in the grid), a
hole drawn outside its outer ring, or a hole that cancels its polygon. A polygon drawn across 180°
without a cut (179.5 ... -179.5) is read the short way round, as H3's cells are
(:func:`urbanrisk.antimeridian.split_at_antimeridian`).
"""

from __future__ import annotations

import warnings

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from . import settings
from ._errors import LayerError
from .antimeridian import split_at_antimeridian, wrap_geometry
from .layers.area_file import area_without_crs
from .layers.remote import local_copy
from .layers.ring_inside import hole_outside, hole_outside_message
from .layers.tables import check_side_file
from .layers.vector import vector_from_file

CRS = "EPSG:4326"


def area_from_file(path: str) -> BaseGeometry:
    """The study area of a boundary file (GeoJSON, GeoPackage, Shapefile...), in lon/lat.

    Raises
    ------
    LayerError
        The file holds no polygon, or none that encloses an area; vertices that are not finite lon/lat;
        too many parts or vertices. The message names the file and the fix.
    """
    local = local_copy(path)
    check_side_file(local, "area")
    with warnings.catch_warnings():  # NaN vertices warn in shapely; refused below with the fix
        warnings.simplefilter("ignore", RuntimeWarning)
        shapes = vector_from_file(local, layer="area", no_crs=area_without_crs(path)).to_crs(CRS).geometry
    shapes = shapes[shapes.geom_type.isin(["Polygon", "MultiPolygon"])].to_numpy()
    if not len(shapes):
        msg = f"area: {path} holds no polygon"
        raise LayerError(msg)
    coords = shapely.get_coordinates(shapes)
    if not np.isfinite(coords).all() or (np.abs(coords) > [360, 90]).any():  # 0..360 is brought back
        msg = f"area: {path} has vertices that are not finite lon/lat (NaN, inf, out of range): fix them"
        raise LayerError(msg)
    parts = int(shapely.get_num_geometries(shapes).sum())
    if parts > settings.max_area_parts or len(coords) > settings.max_area_vertices:
        msg = (
            f"area: {path} has {parts:,} polygons and {len(coords):,} vertices (at most "
            f"{settings.max_area_parts:,} and {settings.max_area_vertices:,}): dissolve or simplify it "
            "(e.g. ogr2ogr -simplify 0.0001), or use its bounding box as area: {bbox: [...]}"
        )
        raise LayerError(msg)
    if holes_outside(shapes):  # make_valid added it to the area (or it "cancelled its polygon")
        raise LayerError(hole_outside_message(path))
    if cancelled_polygons(shapes):  # make_valid ran it as its whole outer ring
        raise LayerError(cancelling_hole(path))
    shapes = split_at_antimeridian(shapes)  # drawn across 180° without a cut: read the short way round
    area = polygonal(shapely.make_valid(shapely.union_all(shapes)))
    if area.is_empty:  # [a, b, a]: make_valid gives a line, which no H3 cell fills
        msg = (
            f"area: {path} holds polygons that enclose no area (their rings go back over themselves): "
            "draw the study area's boundary around it"
        )
        raise LayerError(msg)
    return wrap_geometry(area)  # past ±180°: cut at 180°


def cancelling_hole(path: str) -> str:
    """What to say of a boundary whose hole cancels its polygon (the run and ``validate`` alike)."""
    return (
        f"area: {path} has a hole that cancels its polygon (an inner ring covering its whole outer ring): "
        "remove that ring, or draw the hole inside the outer ring"
    )


def holes_outside(shapes: np.ndarray) -> bool:
    """Whether a polygon has a hole drawn outside its outer ring (:func:`hole_outside`).

    >>> shell = [(0, 0), (1, 0), (1, 1), (0, 0)]
    >>> holes_outside(np.array([shapely.Polygon(shell, [[(2, 0), (3, 0), (3, 1), (2, 0)]])]))
    True
    >>> holes_outside(np.array([shapely.Polygon(shell, [[(0.5, 0.1), (0.9, 0.1), (0.9, 0.5)]])]))
    False
    """
    parts = shapely.get_parts(shapes)
    for part in parts[shapely.get_num_interior_rings(parts) > 0]:
        holes = [shapely.get_coordinates(ring) for ring in part.interiors]
        if hole_outside(shapely.get_coordinates(part.exterior), holes):
            return True
    return False


def cancelled_polygons(shapes: np.ndarray) -> bool:
    """Whether a polygon's holes cover all of its outer ring (a hole identical to its shell): GEOS gives
    it no area, and ``make_valid`` read it as the whole outer ring.

    >>> shell = [(0, 0), (1, 0), (1, 1), (0, 0)]
    >>> cancelled_polygons(np.array([shapely.Polygon(shell, [shell])]))
    True
    >>> cancelled_polygons(np.array([shapely.Polygon(shell, [[(0.5, 0.1), (0.9, 0.1), (0.9, 0.5)]])]))
    False
    """
    parts = shapely.get_parts(shapes)
    outer = shapely.area(shapely.polygons(shapely.get_exterior_ring(parts)))
    holed = shapely.get_num_interior_rings(parts) > 0
    return bool((holed & (outer >= 1e-12) & (shapely.area(parts) < 1e-12)).any())


def polygonal(shape: BaseGeometry) -> BaseGeometry:
    """The polygons of a shape, without the lines and points ``make_valid`` leaves of a degenerate ring,
    nor slivers under 1e-12 square degrees (a hundredth of a square metre: points of one line written in
    decimal degrees, which float arithmetic puts a hair off it).

    >>> polygonal(shapely.GeometryCollection([shapely.box(0, 0, 1, 1), shapely.LineString([(2, 2), (3, 3)])]))
    <POLYGON ((1 0, 1 1, 0 1, 0 0, 1 0))>
    >>> polygonal(shapely.LineString([(0, 0), (1, 1)])).is_empty
    True
    """
    parts = shapely.get_parts(shape)
    kept = parts[np.isin(shapely.get_type_id(parts), [3, 6]) & (shapely.area(parts) >= 1e-12)]
    return shapely.union_all(kept) if len(kept) else shapely.Polygon()
