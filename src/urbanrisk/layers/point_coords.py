"""The lon/lat of a vector registry's points, read without GDAL, shapely or geopandas.

``urbanrisk validate`` asks it so that it refuses a registry whose rows pile up at one place
(:mod:`urbanrisk.layers.pileup`) as the run does: GeoJSON through json, a GeoPackage's point blobs
through sqlite3 (GeoPackage header + WKB point), a Shapefile's .shp point records through struct; in
the file's CRS (a GeoJSON ``crs`` member, the GeoPackage's ``gpkg_spatial_ref_sys``, the .prj) or the
recipe's ``crs:`` when the file has none, turned into lon/lat with pyproj. Only Point features count
(the run places a polygon at a point inside it; an outline is no geocoder's fallback). A file too big,
of another format or not readable lightly gives None: the run reads and checks it.
"""

from __future__ import annotations

import math
import sqlite3
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .._errors import LayerError
from .headers import _sidecar, feature_table, load_geojson, quoted_name, table_srs

#: the most bytes of a .shp, and the most rows of a GeoPackage, read for a check
SHP_MAX_BYTES = 50_000_000
GPKG_MAX_ROWS = 2_000_000
XY = tuple[np.ndarray, np.ndarray]
T = TypeVar("T")


def _wkb_point(blob: bytes, at: int) -> tuple[float, float] | None:
    """x, y of a WKB Point (2D, Z, M, ZM; ISO or EWKB type) starting at byte ``at``; else None."""
    if len(blob) < at + 21:
        return None
    order = "<" if blob[at] == 1 else ">"
    (kind,) = struct.unpack_from(order + "I", blob, at + 1)
    if (kind & 0x0FFFFFFF) % 1000 != 1:
        return None
    skip = 4 if kind & 0x20000000 else 0  # EWKB with an SRID
    if len(blob) < at + 21 + skip:
        return None
    return struct.unpack_from(order + "dd", blob, at + 5 + skip)


def gpkg_point(blob: Any) -> tuple[float, float] | None:
    """x, y of a GeoPackage geometry blob holding a point (else None).

    >>> gpkg_point(b"GP\\x00\\x01" + struct.pack("<i", 4326) + b"\\x01" + struct.pack("<Idd", 1, 116.3, 39.9))
    (116.3, 39.9)
    """
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP" or blob[3] & 0x10:
        return None  # not a GeoPackage blob, or an empty geometry
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((blob[3] >> 1) & 0x07)
    return None if envelope is None else _wkb_point(blob, 8 + envelope)


def gpkg_rows(
    path: Path, layer: str, file_layer: str | None, column: str | None = None
) -> tuple[list[tuple[Any, Any]], str | None] | None:
    """A GeoPackage layer's (point blob, ``column``'s value or None) rows and its CRS, through sqlite3
    alone (None: no such feature table, or over :data:`GPKG_MAX_ROWS` rows)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        picked = feature_table(db, path, layer, file_layer, "column_name")
        if picked is None:
            return None
        table, geometry = picked
        srs = table_srs(db, table)
        have = {r[1] for r in db.execute(f"PRAGMA table_info({quoted_name(table)})")}
        quoted = {c: quoted_name(c) for c in (table, geometry, column or "") if c}
        value = quoted[column] if column and column in have else "NULL"
        query = f"SELECT {quoted[geometry]}, {value} FROM {quoted[table]} LIMIT {GPKG_MAX_ROWS + 1}"
        rows = db.execute(query).fetchall()
    if len(rows) > GPKG_MAX_ROWS:
        return None
    crs = None
    if srs is not None and srs[1] not in (None, 0, -1):
        crs = f"EPSG:{srs[1]}" if str(srs[0]).upper() == "EPSG" else srs[2]
    return rows, crs


def _geopackage(path: Path, layer: str, file_layer: str | None) -> tuple[XY, str | None] | None:
    read = gpkg_rows(path, layer, file_layer)
    if read is None:
        return None
    rows, crs = read
    return _columns([gpkg_point(blob) for blob, _ in rows]), crs


def _shapefile(path: Path) -> tuple[XY, str | None] | None:
    shp = path.with_suffix(".shp")
    if not shp.is_file() or shp.stat().st_size > SHP_MAX_BYTES:
        return None
    data = shp.read_bytes()
    if len(data) < 100 or struct.unpack_from("<i", data, 32)[0] not in (1, 11, 21):
        return None  # not a point Shapefile (the run places its shapes)
    found = [xy for xy in shp_points(data) if xy is not None]
    prj = _sidecar(shp, ".prj")
    return _columns(found), prj.read_text(errors="replace") if prj else None


def shp_records(data: bytes, record: Callable[[bytes, int, int], T]) -> list[T]:
    """``record(data, at, kind)`` of each record of a .shp file's bytes (``at``: the record's header,
    ``kind``: its shape type), in record order."""
    out = []
    at = 100
    while at + 12 <= len(data):
        (words,) = struct.unpack_from(">i", data, at + 4)
        out.append(record(data, at, struct.unpack_from("<i", data, at + 8)[0]))
        at += 8 + 2 * max(words, 2)
    return out


def _shp_point(data: bytes, at: int, kind: int) -> tuple[float, float] | None:
    ok = kind in (1, 11, 21) and at + 28 <= len(data)
    return struct.unpack_from("<dd", data, at + 12) if ok else None


def shp_points(data: bytes) -> list[tuple[float, float] | None]:
    """Each record's point of a .shp file's bytes (None: a null or other shape), in record order."""
    return shp_records(data, _shp_point)


def feature_values(
    path: Path, *, layer: str, file_layer: str | None, gpkg: Callable[[Any], T],
    shp: Callable[[bytes, int, int], T], geojson: Callable[[Path], list[T]] | None = None,
) -> list[T] | None:  # fmt: skip
    """One value a feature of a GeoPackage (``gpkg(blob)``), Shapefile (``shp(data, at, kind)`` of each
    .shp record) or GeoJSON (``geojson(path)``: the list) registry, read without GDAL; None when the
    file is of another format or cannot be read lightly (too big, unreadable: the header check says why).
    Serves validate's checks of a vector registry's features (NaN points, MultiPoints of several places)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".geojson", ".json") and geojson is not None:
            return geojson(path)
        if suffix == ".gpkg":
            read = gpkg_rows(path, layer, file_layer)
            return None if read is None else [gpkg(blob) for blob, _ in read[0]]
        shape = path.with_suffix(".shp")
        if suffix in (".shp", ".dbf") and shape.is_file() and shape.stat().st_size <= SHP_MAX_BYTES:
            return shp_records(shape.read_bytes(), shp)
    except (OSError, ValueError, RecursionError, TypeError, sqlite3.Error, struct.error, LayerError):
        return None
    return None


def json_float(value: float) -> float:
    """A JSON number as a float: an integer past a float's range (``1000…0``, 400 digits) is infinite
    (``float()`` raised OverflowError: a traceback in validate); the checks refuse it as not finite.

    >>> json_float(3), json_float(-(10**400))
    (3.0, -inf)
    """
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def geojson_points(
    path: Path, column: str | None = None
) -> tuple[list[tuple[Any, Any, Any]], str | None] | None:
    """(x, y, ``column``'s property or None) of every Point feature of a GeoJSON whose first two
    coordinates are numbers, and the CRS it declares (None: none); None when it is not JSON."""
    try:
        data = load_geojson(path)
    except ValueError:
        return None  # the header check names the file
    features = data.get("features") if isinstance(data, dict) else None
    found = []
    for feature in features if isinstance(features, list) else []:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            continue
        xy = geometry.get("coordinates")
        if isinstance(xy, list) and len(xy) >= 2 and all(type(v) in (int, float) for v in xy[:2]):
            props = feature.get("properties")
            value = props.get(column) if isinstance(props, dict) and column else None
            found.append((json_float(xy[0]), json_float(xy[1]), value))
    crs = data.get("crs") if isinstance(data, dict) else None
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    return found, name if isinstance(name, str) else None


def _geojson(path: Path) -> tuple[XY, str | None] | None:
    read = geojson_points(path)
    if read is None:
        return None
    rows, crs = read
    return _columns([(float(x), float(y)) for x, y, _ in rows]), crs


def _columns(found: list[Any]) -> XY:
    xy = np.array([p for p in found if p is not None], dtype=float).reshape(-1, 2)
    keep = np.isfinite(xy).all(axis=1)  # NaN: the run refuses those rows by number
    return xy[keep, 0], xy[keep, 1]


def nonfinite_points(path: str | Path, *, layer: str, file_layer: str | None = None) -> bool:
    """Whether a GeoPackage or Shapefile registry holds a point with a NaN or infinite coordinate (the run
    refuses it by feature; validate said ok). False when it cannot be told lightly.

    >>> nonfinite_points("registry.csv", layer="h")
    False
    """
    points = feature_values(Path(path), layer=layer, file_layer=file_layer, gpkg=gpkg_point, shp=_shp_point)
    return any(p is not None and not (math.isfinite(p[0]) and math.isfinite(p[1])) for p in points or [])


def _gpkg_blank(blob: Any) -> bool:
    return not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP" or bool(blob[3] & 0x10)


def blank_vector_features(path: str | Path, *, layer: str, file_layer: str | None = None) -> list[int]:
    """The 0-based numbers of a GeoPackage's or Shapefile's features without a geometry (NULL, an empty
    geometry, a null shape), which the run refuses ("have no geometry"); [] when none, or it cannot be
    told lightly. (A GeoJSON's: :func:`urbanrisk.layers.geojson_blank.blank_features`.)"""
    blank = feature_values(
        Path(path), layer=layer, file_layer=file_layer, gpkg=_gpkg_blank, shp=lambda _, __, kind: kind == 0
    )
    return [i for i, b in enumerate(blank or []) if b]


def registry_lonlat(
    path: str | Path, *, crs: str | None, layer: str, file_layer: str | None = None
) -> XY | None:
    """lon, lat of every Point feature of a GeoJSON, GeoPackage or Shapefile registry; None when it
    cannot be told lightly (too big, another format, unreadable, a CRS pyproj does not know).

    ``crs``: the recipe's, used when the file declares none (as the run uses it).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".geojson", ".json"):
            read = _geojson(path)
        elif suffix == ".gpkg":
            read = _geopackage(path, layer, file_layer)
        elif suffix in (".shp", ".dbf"):
            read = _shapefile(path)
        else:
            return None
    except (OSError, sqlite3.Error, struct.error, LayerError):
        return None  # the header check says why
    if read is None:
        return None
    (x, y), own = read
    return to_lonlat(x, y, own or crs)


def registry_xy(
    path: str | Path, *, layer: str, file_layer: str | None = None
) -> tuple[XY, str | None] | None:
    """x, y of every Point feature of a GeoJSON, GeoPackage or Shapefile registry as the file holds them,
    and the CRS it declares (None: none); None when it cannot be told lightly."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".geojson", ".json"):
            return _geojson(path)
        if suffix == ".gpkg":
            return _geopackage(path, layer, file_layer)
        if suffix in (".shp", ".dbf"):
            return _shapefile(path)
    except (OSError, sqlite3.Error, struct.error, LayerError):
        return None  # the header check says why
    return None


def to_lonlat(x: np.ndarray, y: np.ndarray, crs: str | None) -> XY | None:
    """``x``, ``y`` in ``crs`` (None: lon/lat already) as lon/lat; None for a CRS pyproj does not know."""
    if crs is None or not len(x):
        return x, y
    from pyproj import CRS, Transformer  # only for a registry in another CRS
    from pyproj.exceptions import CRSError, ProjError

    try:
        given = CRS.from_user_input(crs)
        if given.equals(CRS.from_epsg(4326), ignore_axis_order=True):
            return x, y
        lon, lat = Transformer.from_crs(given, "EPSG:4326", always_xy=True).transform(x, y)
    except (CRSError, ProjError):
        return None
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
