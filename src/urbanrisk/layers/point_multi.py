"""MultiPoint features of several places in a vector registry, found without GDAL, shapely or geopandas.

The run refuses a registry feature that is a MultiPoint of two places or more (one row of a register
is one site: :func:`urbanrisk.layers.point_vectors._one_point_per_site`); ``urbanrisk validate`` said
ok to the same file. It now reads the features as :mod:`.point_coords` does (GeoJSON through json, a
GeoPackage's blobs through sqlite3 and WKB, a Shapefile's records through struct) and says what the run
will say. A MultiPoint of one place (one part, or the same point repeated) is that point, as in the run.

Examples
--------
>>> blob = struct.pack("<BII", 1, 4, 2) + struct.pack("<BIdd", 1, 1, 116.3, 39.9) * 2
>>> wkb_places(blob, 0)
1
>>> several_places_text("haz.gpkg", [(2, 3)]).split(";")[0]
'haz.gpkg: feature(s) 2 (3 points) are MultiPoints of several places'
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from .headers import load_geojson
from .point_coords import feature_values


def several_places_text(file: str | Path, several: list[tuple[int, int]]) -> str:
    """What the run and validate say of MultiPoints of several places: ``several`` (feature number from 1,
    its distinct points), the first five listed."""
    shown = ", ".join(f"{i} ({n} points)" for i, n in several[:5])
    more = f" and {len(several) - 5} more" if len(several) > 5 else ""
    return (
        f"{file}: feature(s) {shown}{more} are MultiPoints of several places; a registry holds one point per "
        "site: give each site its own row, point and id (QGIS: Vector > Geometry Tools > Multipart to "
        "Singleparts, then the ids and quantities per site), or keep the site's one point"
    )


def _wkb_kind(kind: int) -> tuple[int, int]:
    """A WKB type number's geometry type (1 Point ... 7 GeometryCollection) and its number of dimensions."""
    iso = (kind & 0x0FFFFFFF) // 1000
    dims = 2 + (iso in (1, 3)) + (iso in (2, 3)) + bool(kind & 0x80000000) + bool(kind & 0x40000000)
    return (kind & 0x0FFFFFFF) % 1000, dims


def wkb_places(blob: bytes, at: int) -> int | None:
    """How many distinct places a WKB MultiPoint, or GeometryCollection of points only, starting at byte
    ``at`` holds (2D, Z, M, ZM; ISO or EWKB); None when it is neither (the run reads a collection of
    points as a MultiPoint: :func:`urbanrisk.layers.point_vectors._one_point_per_site`).

    >>> point = struct.pack("<BIdd", 1, 1, 116.3, 39.9)
    >>> wkb_places(struct.pack("<BII", 1, 7, 2) + point + struct.pack("<BIdd", 1, 1, 116.4, 39.9), 0)
    2
    """
    if len(blob) < at + 9:
        return None
    order = "<" if blob[at] == 1 else ">"
    (kind,) = struct.unpack_from(order + "I", blob, at + 1)
    if _wkb_kind(kind)[0] == 7:
        return _collection_places(blob, at, order, kind)
    if (kind & 0x0FFFFFFF) % 1000 != 4:
        return None
    dims = _wkb_kind(kind)[1]
    at += 5 + (4 if kind & 0x20000000 else 0)  # EWKB with an SRID
    (count,) = struct.unpack_from(order + "I", blob, at)
    at += 4
    places = set()
    for _ in range(count):
        if len(blob) < at + 5 + 8 * dims:
            break
        part = "<" if blob[at] == 1 else ">"
        places.add(struct.unpack_from(part + "dd", blob, at + 5))
        at += 5 + 8 * dims
    return len(places)


def _collection_places(blob: bytes, at: int, order: str, kind: int) -> int | None:
    """Distinct places of a WKB GeometryCollection whose members are all points (else None)."""
    at += 5 + (4 if kind & 0x20000000 else 0)
    (count,) = struct.unpack_from(order + "I", blob, at)
    at += 4
    places = set()
    for _ in range(count):
        if len(blob) < at + 5:
            return None
        part = "<" if blob[at] == 1 else ">"
        member, dims = _wkb_kind(struct.unpack_from(part + "I", blob, at + 1)[0])
        if member != 1 or len(blob) < at + 5 + 8 * dims:
            return None  # a polygon or a line among them: the run places the collection at a point
        places.add(struct.unpack_from(part + "dd", blob, at + 5))
        at += 5 + 8 * dims
    return len(places) if places else None


def _gpkg_places(blob: Any) -> int | None:
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP" or blob[3] & 0x10:
        return None
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((blob[3] >> 1) & 0x07)
    return None if envelope is None else wkb_places(blob, 8 + envelope)


def _shp_places(data: bytes, at: int, kind: int) -> int | None:
    if kind not in (8, 18, 28) or at + 48 > len(data):
        return None
    (count,) = struct.unpack_from("<i", data, at + 44)
    end = min(at + 48 + 16 * max(count, 0), len(data))
    return len({data[p : p + 16] for p in range(at + 48, end - 15, 16)})


def _geojson_places(path: Path) -> list[int | None]:
    data = load_geojson(path)
    features = data.get("features") if isinstance(data, dict) else None
    out: list[int | None] = []
    for feature in features if isinstance(features, list) else []:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        parts = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if isinstance(geometry, dict) and geometry.get("type") == "GeometryCollection":  # of points only
            members = geometry.get("geometries")
            members = members if isinstance(members, list) and members else [None]
            points = all(isinstance(m, dict) and m.get("type") == "Point" for m in members)
            parts = [m.get("coordinates") for m in members] if points else None  # type: ignore[union-attr]
            geometry = {"type": "MultiPoint"} if points else geometry
        if (
            not isinstance(geometry, dict)
            or geometry.get("type") != "MultiPoint"
            or not isinstance(parts, list)
        ):
            out.append(None)
            continue
        out.append(len({tuple(p[:2]) for p in parts if isinstance(p, list) and len(p) >= 2}))
    return out


def several_places(path: str | Path, *, layer: str, file_layer: str | None = None) -> str | None:
    """validate's message on the MultiPoints of several places of a GeoJSON, GeoPackage or Shapefile
    registry (as the run refuses them), or None: none, or it cannot be told lightly (the run tells)."""
    path = Path(path)
    places = feature_values(
        path, layer=layer, file_layer=file_layer, gpkg=_gpkg_places, shp=_shp_places, geojson=_geojson_places
    )
    if places is None:
        return None  # another format, or the header check says why
    several = [(i + 1, n) for i, n in enumerate(places) if n is not None and n > 1]
    return several_places_text(path.name, several) if several else None
