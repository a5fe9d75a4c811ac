"""The polygons of a boundary GeoPackage or Shapefile, read lightly (sqlite3 and struct: the WKB of the
GeoPackage's blobs, the .shp's records), so that ``urbanrisk validate`` tells what the run refuses: a
table typed ``GEOMETRY`` holding points only, no feature at all, a ring not closed or drawn back over
itself, a hole drawn outside its outer ring or one that cancels its polygon, a vertex at NaN or (in
lon/lat) out of range. Each passed validate and stopped the run. A file too big, or not readable
lightly, gives no problem: the run reads it.

Examples
--------
>>> ring = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]
>>> wkb = struct.pack("<BII", 1, 3, 1) + struct.pack("<I", 4) + b"".join(struct.pack("<dd", *p) for p in ring)
>>> found: list[str] = []
>>> polygons = _wkb_polygons(wkb, 0, found)[0]
>>> polygons[0][0].tolist(), found
([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], [])
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import numpy as np

from .. import settings
from .._errors import LayerError
from .headers import _sidecar, feature_table, quoted_name, table_srs
from .ring_inside import hole_outside, hole_outside_message

#: the most bytes read for the check (a bigger boundary is checked by the run)
MAX_BYTES = 64_000_000
#: WKB geometry codes (ISO, Z / M / ZM as +1000 / +2000 / +3000) as GeoJSON names them
_NAMES = {1: "Point", 2: "LineString", 8: "CircularString"}
#: Shapefile shape types (ESRI's white paper) that are not polygons
_SHP_NAMES = {1: "Point", 11: "Point", 21: "Point", 8: "MultiPoint", 18: "MultiPoint", 28: "MultiPoint",
              3: "LineString", 13: "LineString", 23: "LineString", 31: "MultiPatch"}  # fmt: skip
Polygon = list[np.ndarray]  # its rings, the outer one first: (n, 2) arrays of x, y


class _UnreadableError(ValueError):
    """A blob or record this reader does not follow (the run reads it with GDAL)."""


def _wkb_polygons(blob: bytes, at: int, found: list[str]) -> tuple[list[Polygon], int]:
    """The polygons of the WKB geometry at byte ``at`` and where it ends; other types' names go to
    ``found``. Raises _UnreadableError on a curve polygon or a blob cut short."""
    order = "<" if blob[at] == 1 else ">"
    (code,) = struct.unpack_from(order + "I", blob, at + 1)
    at += 5
    if code & 0x20000000:  # EWKB with an SRID
        at += 4
    dims = (
        2
        + bool(code & 0x80000000)
        + bool(code & 0x40000000)
        + {0: 0, 1: 1, 2: 1, 3: 2}[(code & 0x0FFFFFFF) // 1000 % 4]
    )
    kind = (code & 0x0FFFFFFF) % 1000

    def count() -> int:
        nonlocal at
        (n,) = struct.unpack_from(order + "I", blob, at)
        at += 4
        return n

    def points() -> np.ndarray:
        nonlocal at
        n = count()
        if at + 8 * dims * n > len(blob):
            raise _UnreadableError
        values = np.frombuffer(blob, dtype=order + "f8", count=dims * n, offset=at).reshape(n, dims)
        at += 8 * dims * n
        return values[:, :2]

    if kind == 3:
        return [[points() for _ in range(count())]], at
    if kind in (6, 7):  # MultiPolygon, GeometryCollection
        polygons: list[Polygon] = []
        for _ in range(count()):
            more, at = _wkb_polygons(blob, at, found)
            polygons += more
        return polygons, at
    if kind in (1, 2, 8):  # Point, LineString, CircularString: skipped
        found.append(_NAMES[kind])
        if kind == 1:
            return [], at + 8 * dims
        points()
        return [], at
    raise _UnreadableError  # a curve polygon, a multi-point... (the run reads them with GDAL)


def _gpkg_polygons(path: Path) -> tuple[list[Polygon], list[str], bool] | None:
    """A boundary GeoPackage's polygons, its other geometry types and whether it is in lon/lat (EPSG:4326)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        picked = feature_table(db, path, "area", None, "column_name")
        if picked is None:
            return None
        table, column = picked
        srs = table_srs(db, table)
        size = f"SELECT SUM(LENGTH({quoted_name(column)})) FROM {quoted_name(table)}"
        if (db.execute(size).fetchone()[0] or 0) > MAX_BYTES:
            return None
        blobs = [r[0] for r in db.execute(f"SELECT {quoted_name(column)} FROM {quoted_name(table)}")]
    polygons: list[Polygon] = []
    found: list[str] = []
    for blob in blobs:
        if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP" or blob[3] & 0x30:
            continue  # NULL, not a GeoPackage blob, empty, or an extended geometry
        envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((blob[3] >> 1) & 0x07)
        if envelope is None:
            raise _UnreadableError
        polygons += _wkb_polygons(blob, 8 + envelope, found)[0]
    lonlat = srs is not None and str(srs[0]).upper() == "EPSG" and srs[1] == 4326
    return polygons, found, lonlat


def _shp_polygons(path: Path) -> tuple[list[Polygon], list[str], bool] | None:
    """A boundary Shapefile's polygons (one a record: its rings, outer and holes alike), its other shape
    types and whether its .prj is geographic."""
    if path.stat().st_size > MAX_BYTES:
        return None
    data = path.read_bytes()
    polygons: list[Polygon] = []
    found: list[str] = []
    at = 100
    while at + 12 <= len(data):
        (words,) = struct.unpack_from(">i", data, at + 4)
        (kind,) = struct.unpack_from("<i", data, at + 8)
        end = at + 8 + 2 * words
        if kind in (5, 15, 25):
            parts, count = struct.unpack_from("<ii", data, at + 44)
            starts = [*struct.unpack_from(f"<{parts}i", data, at + 52), count]
            xy = np.frombuffer(data, dtype="<f8", count=2 * count, offset=at + 52 + 4 * parts).reshape(
                count, 2
            )
            polygons.append(np.split(xy, starts[1:-1]))
        elif kind in _SHP_NAMES:
            found.append(_SHP_NAMES[kind])
        at = max(end, at + 12)
    prj = _sidecar(path, ".prj")
    lonlat = prj is not None and prj.read_text(errors="replace").lstrip().upper().startswith("GEOGCS")
    return polygons, found, lonlat


def _turns(rings: list[np.ndarray]) -> np.ndarray:
    """Each ring's signed area (the shoelace formula: counter-clockwise positive), in square degrees."""
    return np.array([(r[:-1, 0] * r[1:, 1] - r[1:, 0] * r[:-1, 1]).sum() / 2 for r in rings])


def _cancelled(polygon: list[np.ndarray], *, shapefile: bool) -> bool:
    """Whether a polygon's holes cover its whole outer ring (a hole identical to its shell), as
    :func:`urbanrisk.layers.area_file.geojson_area_problems` tells it of a GeoJSON; a Shapefile's record
    (``shapefile``) holds its outer rings and holes alike, told apart by their turn (ESRI: outer rings
    clockwise, holes counter-clockwise).

    >>> shell = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    >>> _cancelled([shell, shell[::-1]], shapefile=True), _cancelled([shell], shapefile=True)
    (True, False)
    """
    turns = _turns(polygon)
    if shapefile:  # a hole outside every outer ring: GDAL reads it as a polygon of its own
        shells = [ring for ring, turn in zip(polygon, turns, strict=True) if turn < 0]
        inside = [
            turn > 0 and not all(hole_outside(s, [r]) for s in shells)
            for r, turn in zip(polygon, turns, strict=True)
        ]
        outer, holes = -turns[turns < 0].sum(), turns[np.array(inside, dtype=bool)].sum()
    else:
        outer, holes = abs(turns[0]), np.abs(turns[1:]).sum()
    return bool(len(polygon) > 1 and outer >= 1e-12 and outer - holes < 1e-12)


def _flat(ring: np.ndarray) -> bool:
    """Whether a ring's positions all lie on one line (within 1e-12 square degrees), as
    :mod:`urbanrisk.layers.area_file` tells it of a GeoJSON."""
    other = ring[(ring != ring[0]).any(axis=1)]
    x1, y1 = other[0] if len(other) else ring[0]
    x0, y0 = ring[0]
    return bool((np.abs((x1 - x0) * (ring[:, 1] - y0) - (y1 - y0) * (ring[:, 0] - x0)) < 1e-12).all())


def vector_area_ring_problems(path: str) -> list[str]:
    """What the run refuses in a boundary GeoPackage's or Shapefile's polygons, told as it says it
    (the messages of :func:`urbanrisk.layers.area_file.geojson_area_problems` and the run's)."""
    local = Path(path)
    try:
        read = {".gpkg": _gpkg_polygons, ".shp": _shp_polygons}.get(local.suffix.lower())
        got = read(local) if read is not None else None
    except (OSError, sqlite3.Error, struct.error, ValueError, IndexError, KeyError, LayerError):
        return []  # told by the header check, or read by the run
    if got is None:
        return []
    polygons, others, lonlat = got
    rings = [ring for polygon in polygons for ring in polygon if len(ring)]
    if not rings:
        what = f" (only {', '.join(sorted(set(others)))})" if others else ""
        return [f"area: {path} holds no polygon{what}: give the study area's boundary as polygons"]
    xy = np.concatenate(rings)
    if not np.isfinite(xy).all() or (lonlat and (np.abs(xy) > [360, 90]).any()):
        return [f"area: {path} has vertices that are not finite lon/lat (NaN, inf, out of range): fix them"]
    if len(xy) > settings.max_area_vertices:
        return []  # the run's own message (with the count of parts)
    if any(len(ring) < 4 or (ring[0] != ring[-1]).any() for ring in rings):
        return [
            f"area: {path} has a ring that is not closed or of fewer than 4 points: close each ring "
            "(its last point is its first; 4 points at least)"
        ]
    if all(_flat(ring) for ring in rings):  # a self-crossing ring (a bow tie) does enclose an area
        return [
            f"area: {path} holds polygons that enclose no area (their rings go back over themselves): draw "
            "the study area's boundary around it"
        ]
    shapefile = local.suffix.lower() == ".shp"
    if not shapefile and any(hole_outside(p[0], p[1:]) for p in polygons if len(p) > 1):
        return [hole_outside_message(path)]  # a Shapefile's: GDAL reads it as a polygon of its own
    if any(_cancelled(polygon, shapefile=shapefile) for polygon in polygons if len(polygon)):
        return [
            f"area: {path} has a hole that cancels its polygon (an inner ring covering its whole outer "
            "ring): remove that ring, or draw the hole inside the outer ring"
        ]
    return []
