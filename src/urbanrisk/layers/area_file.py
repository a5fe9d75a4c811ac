"""An area GeoJSON checked before the run reads it: JSON, polygons, vertices in lon/lat.

Light on purpose (json alone, no GDAL, shapely or geopandas): ``urbanrisk validate`` tells what the run's
reading of the file (:func:`urbanrisk.inputs.study_area`) would refuse — not JSON, no polygon, NaN
vertices, projected metres without a CRS, lon and lat swapped — each with its fix.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from .. import settings
from .headers import load_geojson
from .point_coords import json_float
from .ring_inside import hole_outside, hole_outside_message


def area_without_crs(path: str) -> str:
    """What to say of a boundary file that declares no CRS (a Shapefile without its .prj): the area has
    no ``crs:`` key (the layers' fix, 'say which with crs:', was refused as an unknown key)."""
    return (
        f"area: {path} declares no coordinate reference system (a Shapefile without its .prj?): give the "
        "file its CRS (e.g. ogr2ogr -a_srs EPSG:4326 area.gpkg FILE) or use a GeoJSON in lon/lat"
    )


def _polygon_rings(node: Any, found: list[str]) -> list[Any]:
    """The coordinates of every Polygon / MultiPolygon in a GeoJSON object; ``found``: the other types."""
    if isinstance(node, list):
        return [ring for item in node for ring in _polygon_rings(item, found)]
    if not isinstance(node, dict):
        return []
    kind = node.get("type")
    if kind == "FeatureCollection":
        return _polygon_rings(node.get("features"), found)
    if kind == "Feature":
        return _polygon_rings(node.get("geometry"), found)
    if kind == "GeometryCollection":
        return _polygon_rings(node.get("geometries"), found)
    if kind in ("Polygon", "MultiPolygon"):
        return [node.get("coordinates")]
    if isinstance(kind, str):
        found.append(kind)
    return []


def _flat_numbers(node: Any) -> list[Any]:
    """The lon and lat of every position, one flat list; a position's altitude (RFC 7946 allows a
    third number: a boundary drawn in Google Earth or exported from CAD has one) is left out.

    >>> _flat_numbers([[[116.3, 39.9, 50.0], [116.4, 39.9]]]), _flat_numbers([[116.3], 1])
    ([116.3, 39.9, 116.4, 39.9], [116.3, None, 1])
    """
    if isinstance(node, list):
        if node and not isinstance(node[0], list):  # a position
            return node[:2] if len(node) >= 2 else [*node, None]  # one number: no pair
        return [x for item in node for x in _flat_numbers(item)]
    return [node]


def _lonlat_problem(path: str, values: list[Any], what: str = "area: ") -> str | None:
    """What is wrong with an area's vertices as lon/lat (GeoJSON's RFC 7946 frame), or None."""
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in values) or len(values) % 2:
        return f"{what}{path} has vertices that are not pairs of numbers: fix them"
    if not all(math.isfinite(json_float(v)) for v in values):  # 1000…0 (400 digits): OverflowError
        return f"{what}{path} has vertices that are not finite numbers (NaN, inf): fix them"
    lons, lats = values[0::2], values[1::2]
    swapped = all(abs(v) <= 90 for v in lons) and all(abs(v) <= 360 for v in lats)
    if swapped and any(abs(v) > 90 for v in lats):
        return f"{what}{path} has latitudes beyond ±90°: are lon and lat swapped? GeoJSON is [lon, lat]"
    if any(abs(v) > 360 for v in lons) or any(abs(v) > 90 for v in lats):
        return (
            f"{what}{path} has coordinates beyond lon/lat (projected metres?) and declares no CRS: a "
            "GeoJSON is lon/lat (EPSG:4326); reproject it (ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson)"
        )
    return None


def geojson_area_problems(path: str) -> list[str]:
    """An area GeoJSON that is not JSON, holds no polygon, or whose vertices are not lon/lat (NaN,
    projected metres, swapped), told by ``validate`` as the run would find it (read with json alone)."""
    others: list[str] = []
    try:
        data = load_geojson(path)
        if data is None:
            return []  # the run reads it (and refuses it the same way)
        rings = _polygon_rings(data, others)
        values = _flat_numbers(rings)
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        message = f"area: cannot read {path} as GeoJSON ({reason}); is it complete? GeoJSON is UTF-8 JSON"
        return [message]
    if not values:  # [] or [[]]: polygons without a vertex (the run reads none)
        rings = []
    if not rings:
        what = f" (only {', '.join(sorted(set(others)))})" if others else ""
        message = f"area: {path} holds no polygon{what}: give the study area's boundary as polygons"
        return [message]
    if len(values) // 2 > settings.max_area_vertices:  # as the run refuses it (area_from_file)
        return [
            f"area: {path} holds {len(values) // 2:,} vertices, more than {settings.max_area_vertices:,}: "
            "simplify it (e.g. ogr2ogr -simplify 0.0001), or use its bounding box as area: {bbox: [...]}"
        ]
    crs = json.dumps(data.get("crs")) if isinstance(data, dict) and data.get("crs") else ""
    if crs and not re.search(r"CRS84|EPSG:+4326\b", crs):
        return []  # a declared CRS (old GeoJSON): GDAL transforms it when the run reads the file
    problem = _lonlat_problem(path, values) or _ring_problem(path, _rings(rings))
    if problem is None and any(_holes_outside(polygon) for polygon in _polygons(rings)):
        problem = hole_outside_message(path)
    if problem is None and any(_cancelled(polygon) for polygon in _polygons(rings)):
        problem = (
            f"area: {path} has a hole that cancels its polygon (an inner ring covering its whole outer "
            "ring): remove that ring, or draw the hole inside the outer ring"
        )
    return [problem] if problem else []


def _polygons(node: Any) -> list[list[Any]]:
    """Every polygon (its rings: the outer one first) of polygon coordinates, whatever their nesting.

    >>> _polygons([[[[0, 0], [1, 0], [0, 0]]], [[[[5, 5]]], [[[6, 6]]]]])
    [[[[0, 0], [1, 0], [0, 0]]], [[[5, 5]]], [[[6, 6]]]]
    """
    if not isinstance(node, list) or not node or not isinstance(node[0], list) or not node[0]:
        return []
    if isinstance(node[0][0], list) and node[0][0] and not isinstance(node[0][0][0], list):
        return [node]  # a polygon: its items are rings
    return [polygon for item in node for polygon in _polygons(item)]


def _ring_area(ring: list[Any]) -> float:
    """A ring's area in square degrees (the shoelace formula, unsigned)."""
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))) / 2


def _holes_outside(polygon: list[Any]) -> bool:
    """Whether a polygon (its rings of [lon, lat] positions, the outer one first) has a hole drawn
    outside its outer ring.

    >>> shell = [[0, 0], [1, 0], [1, 1], [0, 0]]
    >>> _holes_outside([shell, [[2, 0], [3, 0], [3, 1], [2, 0]]]), _holes_outside([shell, shell[::-1]])
    (True, False)
    """
    try:
        rings = [np.array([p[:2] for p in ring], dtype=float).reshape(-1, 2) for ring in polygon]
    except (TypeError, ValueError):
        return False  # told as vertices that are not pairs of numbers
    return hole_outside(rings[0], rings[1:])


def _cancelled(polygon: list[Any]) -> bool:
    """Whether a polygon's holes cover its whole outer ring (a hole identical to its shell, which the run
    read as the whole shell): its area less its holes' is nil while the outer ring encloses some.

    >>> shell = [[0, 0], [1, 0], [1, 1], [0, 0]]
    >>> hole = [[0.5, 0.1], [0.9, 0.1], [0.9, 0.5], [0.5, 0.1]]
    >>> _cancelled([shell, shell[::-1]]), _cancelled([shell]), _cancelled([shell, hole])
    (True, False, False)
    """
    outer = _ring_area(polygon[0])
    return len(polygon) > 1 and outer >= 1e-12 and outer - sum(map(_ring_area, polygon[1:])) < 1e-12


def _rings(node: Any) -> list[list[Any]]:
    """Every ring (a list of positions) of polygon coordinates, whatever their nesting.

    >>> _rings([[[[0, 0], [1, 0], [0, 0]]], [[[5, 5]]]])
    [[[0, 0], [1, 0], [0, 0]], [[5, 5]]]
    """
    if not isinstance(node, list) or not node:
        return []
    if isinstance(node[0], list) and node[0] and not isinstance(node[0][0], list):
        return [node]  # a ring: its items are positions
    return [ring for item in node for ring in _rings(item)]


def _flat(ring: list[Any]) -> bool:
    """Whether a ring's positions all lie on one line (it encloses no area: each triangle with the first
    segment under 1e-12 square degrees, a hundredth of a square metre, as the digits of decimal degrees
    put points of one line off it by ~1e-16).

    >>> _flat([[0, 0], [1, 1], [0, 0], [0, 0]]), _flat([[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]])
    (True, False)
    """
    (x0, y0), (x1, y1) = ring[0][:2], next((p[:2] for p in ring if p[:2] != ring[0][:2]), ring[0][:2])
    return all(abs((x1 - x0) * (p[1] - y0) - (y1 - y0) * (p[0] - x0)) < 1e-12 for p in ring)


def _ring_problem(path: str, rings: list[list[Any]]) -> str | None:
    """A ring not closed or of fewer than 4 positions, or rings that enclose no area (``[a, b, a]``): the
    run refused them with a traceback (GEOS's, H3's); None when fine. Positions are pairs of numbers."""
    if any(len(ring) < 4 or ring[0][:2] != ring[-1][:2] for ring in rings):
        return (
            f"area: {path} has a ring that is not closed or of fewer than 4 points: close each ring "
            "(its last point is its first; 4 points at least)"
        )
    if all(_flat(ring) for ring in rings):  # a self-crossing ring (a bow tie) does enclose an area
        return (
            f"area: {path} holds polygons that enclose no area (their rings go back over themselves): "
            "draw the study area's boundary around it"
        )
    return None


def _coordinates(node: Any) -> list[Any]:
    """Every ``coordinates`` array of a GeoJSON object, whatever its geometry types."""
    if isinstance(node, list):
        return [c for item in node for c in _coordinates(item)]
    if not isinstance(node, dict):
        return []
    own = [node["coordinates"]] if "coordinates" in node else []
    return own + [c for key in ("features", "geometry", "geometries") for c in _coordinates(node.get(key))]


def geojson_points_problem(path: str | Path) -> str | None:
    """A registry GeoJSON whose coordinates are not lon/lat (NaN, projected metres, swapped) and that
    declares no CRS, as the run would refuse it; None when fine, too big, or not JSON (the run says)."""
    local = Path(path)
    try:
        data = load_geojson(local)
        values = _flat_numbers(_coordinates(data))
    except (ValueError, RecursionError):
        return None  # the header check names the file (not GeoJSON)
    if data is None:
        return None
    crs = json.dumps(data.get("crs")) if isinstance(data, dict) and data.get("crs") else ""
    if crs and not re.search(r"CRS84|EPSG:+4326\b", crs):
        return None
    return _lonlat_problem(local.name, values, what="")


def geojson_area_box(path: str) -> tuple[float, float, float, float] | None:
    """An area GeoJSON's lon/lat box, or None when it cannot be told lightly (too big, unreadable, not
    lon/lat, or wider than 180° both ways round). A boundary drawn across 180° without a cut (179.5 ...
    -179.5) gives the box across it, west > east (:func:`urbanrisk.jobsize.bbox_km2` reads it so)."""
    if not Path(path).is_file():
        return None
    try:
        values = _flat_numbers(_polygon_rings(load_geojson(path), []))
    except (ValueError, RecursionError):
        return None
    if not values or _lonlat_problem(path, values) is not None:
        return None
    lons, lats = values[0::2], values[1::2]
    west, east = min(lons), max(lons)
    if east - west > 180:  # drawn across 180° without a cut: the run reads it the short way round
        moved = [v + 360 if v < 0 else v for v in lons]
        if max(moved) - min(moved) > 180:
            return None
        west, east = min(moved), max(moved)
        west, east = (west - 360 if west > 180 else west), (east - 360 if east > 180 else east)
    return (west, min(lats), east, max(lats))
