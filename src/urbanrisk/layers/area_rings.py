"""The polygons of a boundary GeoPackage or Shapefile, read lightly (sqlite3 and struct: the WKB of the
GeoPackage's blobs, the .shp's records), so that ``urbanrisk validate`` tells what the run refuses: a
table typed ``GEOMETRY`` holding points only, no feature at all, a ring not closed or drawn back over
itself, a hole that cancels its polygon, a vertex at NaN or (in lon/lat) out of range. Each passed
validate and stopped the run. A file too big, or not readable lightly, gives no problem: the run reads it.

Examples
--------
>>> ring = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]
>>> wkb = struct.pack("<BII", 1, 3, 1) + struct.pack("<I", 4) + b"".join(struct.pack("<dd", *p) for p in ring)
>>> found: list[str] = []
>>> _wkb_polygons(wkb, 0, found)[0], found
([[[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]]], [])
"""

from __future__ import annotations

import itertools
import math
import sqlite3
import struct
from pathlib import Path

from .. import settings
from .._errors import LayerError
from .area_file import cancelling_polygons, lonlat_problem, ring_problem
from .headers import _sidecar, feature_table, quoted_name

#: the most bytes read for the check (a bigger boundary is checked by the run)
MAX_BYTES = 64_000_000
#: WKB geometry codes (ISO, Z / M / ZM as +1000 / +2000 / +3000) as GeoJSON names them
_NAMES = {1: "Point", 2: "LineString", 8: "CircularString"}
#: Shapefile shape types (ESRI's white paper) that are not polygons
_SHP_NAMES = {1: "Point", 11: "Point", 21: "Point", 8: "MultiPoint", 18: "MultiPoint", 28: "MultiPoint",
              3: "LineString", 13: "LineString", 23: "LineString", 31: "MultiPatch"}  # fmt: skip
Polygon = list[list[list[float]]]


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

    def points() -> list[list[float]]:
        nonlocal at
        n = count()
        if at + 8 * dims * n > len(blob):
            raise _UnreadableError
        values = struct.unpack_from(f"{order}{dims * n}d", blob, at)
        at += 8 * dims * n
        return [list(values[i : i + 2]) for i in range(0, dims * n, dims)]

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
        srs = db.execute(
            "SELECT s.organization, s.organization_coordsys_id FROM gpkg_geometry_columns g JOIN "
            "gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id WHERE g.table_name = ?",
            (table,),
        ).fetchone()
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
            xy = struct.unpack_from(f"<{2 * count}d", data, at + 52 + 4 * parts)
            polygons.append(
                [[list(xy[2 * i : 2 * i + 2]) for i in range(a, b)] for a, b in itertools.pairwise(starts)]
            )
        elif kind in _SHP_NAMES:
            found.append(_SHP_NAMES[kind])
        at = max(end, at + 12)
    prj = _sidecar(path, ".prj")
    lonlat = prj is not None and prj.read_text(errors="replace").lstrip().upper().startswith("GEOGCS")
    return polygons, found, lonlat


def vector_area_ring_problems(path: str) -> list[str]:
    """What the run refuses in a boundary GeoPackage's or Shapefile's polygons, told as it says it."""
    local = Path(path)
    try:
        read = {".gpkg": _gpkg_polygons, ".shp": _shp_polygons}.get(local.suffix.lower())
        got = read(local) if read is not None else None
    except (OSError, sqlite3.Error, struct.error, IndexError, KeyError, _UnreadableError, LayerError):
        return []  # told by the header check, or read by the run
    if got is None:
        return []
    polygons, others, lonlat = got
    rings = [ring for polygon in polygons for ring in polygon if ring]
    if not rings:
        what = f" (only {', '.join(sorted(set(others)))})" if others else ""
        return [f"area: {path} holds no polygon{what}: give the study area's boundary as polygons"]
    values = [v for ring in rings for point in ring for v in point]
    if not all(map(math.isfinite, values)) or (lonlat and lonlat_problem(path, values)):
        return [f"area: {path} has vertices that are not finite lon/lat (NaN, inf, out of range): fix them"]
    if len(values) // 2 > settings.max_area_vertices:
        return []  # the run's own message (with the count of parts)
    problem = ring_problem(path, rings)
    if problem is None and cancelling_polygons(polygons, shapefile=local.suffix.lower() == ".shp"):
        problem = (
            f"area: {path} has a hole that cancels its polygon (an inner ring covering its whole outer "
            "ring): remove that ring, or draw the hole inside the outer ring"
        )
    return [problem] if problem else []
