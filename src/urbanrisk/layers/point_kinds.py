"""A vector registry's points with one attribute each (its kinds), read without GDAL, shapely or geopandas.

``urbanrisk validate`` asks it so that it can tell a GeoJSON, GeoPackage or Shapefile registry whose
lon/lat look like GCJ-02 / BD-09 (:mod:`urbanrisk.preflight_datum`), as it does for CSV and Excel ones:
GeoJSON through json, a GeoPackage's point blobs and the column through sqlite3, a Shapefile's .shp
point records through struct beside its .dbf records (the same record order). Only Point features
count, as for :mod:`urbanrisk.layers.point_coords`; a file too big, of another format or not readable
lightly gives None (the run checks it).
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path
from typing import Any

from .._errors import LayerError
from .headers import _dbf_fields, _sidecar, vector_header
from .point_coords import SHP_MAX_BYTES, geojson_points, gpkg_point, gpkg_rows, shp_points

#: (x, y, the column's value as text) per Point feature, and the file's own CRS (None: none declared)
Points = tuple[list[tuple[float, float, str]], str | None]


def _ok(x: Any, y: Any) -> bool:
    return all(type(v) in (int, float) for v in (x, y)) and all(v == v for v in (x, y))  # NaN != NaN


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _geojson(path: Path, column: str | None) -> Points | None:
    read = geojson_points(path, column)
    if read is None:
        return None
    rows, crs = read
    return [(float(x), float(y), _text(value)) for x, y, value in rows if _ok(x, y)], crs


def _geopackage(path: Path, column: str | None, layer: str, file_layer: str | None) -> Points | None:
    read = gpkg_rows(path, layer, file_layer, column)
    if read is None:
        return None
    rows, crs = read
    found = []
    for blob, kind in rows:
        xy = gpkg_point(blob)
        if xy is not None and _ok(*xy):
            found.append((float(xy[0]), float(xy[1]), _text(kind)))
    return found, crs


def _dbf_values(dbf: Path, column: str | None, codec: str) -> list[str | None] | None:
    """Each record's value of ``column`` as text (None: a deleted record), in record order."""
    data = dbf.read_bytes()
    try:
        fields, count, header_len, record_len = _dbf_fields(data)
    except (ValueError, struct.error):
        return None
    span, at = None, 1  # byte 0 of a record is the deletion flag
    for name, _, length in fields:
        if name.decode(codec, errors="replace") == column:
            span = (at, at + length)
        at += length
    values: list[str | None] = []
    for i in range(count):
        record = data[header_len + i * record_len : header_len + (i + 1) * record_len]
        if len(record) < record_len or record[:1] == b"*":
            values.append(None)
            continue
        values.append(_text(record[span[0] : span[1]].decode(codec, errors="replace")) if span else "")
    return values


def _shapefile(path: Path, column: str | None, encoding: str | None, layer: str) -> Points | None:
    shp, dbf = path.with_suffix(".shp"), _sidecar(path.with_suffix(".shp"), ".dbf")
    if not shp.is_file() or dbf is None or max(shp.stat().st_size, dbf.stat().st_size) > SHP_MAX_BYTES:
        return None
    data = shp.read_bytes()
    if len(data) < 100 or struct.unpack_from("<i", data, 32)[0] not in (1, 11, 21):
        return None  # not a point Shapefile
    header = vector_header(shp, encoding=encoding, layer=layer)
    values = _dbf_values(dbf, column, header.text_encoding if header else "utf-8")
    points = shp_points(data)
    if values is None or len(values) != len(points):
        return None  # records that do not pair up: the run reads it
    found = [
        (float(xy[0]), float(xy[1]), value)
        for xy, value in zip(points, values, strict=True)
        if xy is not None and value is not None and _ok(*xy)
    ]
    prj = _sidecar(shp, ".prj")
    return found, prj.read_text(errors="replace") if prj else None


def registry_points(
    path: str | Path,
    *,
    column: str | None,
    layer: str,
    encoding: str | None = None,
    file_layer: str | None = None,
) -> Points | None:
    """(x, y, value of ``column``) of every Point feature of a GeoJSON, GeoPackage or Shapefile
    registry, in the file's own CRS (returned beside: None when it declares none); None when it
    cannot be read lightly (too big, another format, unreadable).

    ``column``: the attribute read with each point (a registry's ``kind_column``); None or absent: "".
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".geojson", ".json"):
            return _geojson(path, column)
        if suffix == ".gpkg":
            return _geopackage(path, column, layer, file_layer)
        if suffix in (".shp", ".dbf"):
            return _shapefile(path, column, encoding, layer)
    except (OSError, sqlite3.Error, struct.error, LayerError):
        return None  # the header check says why
    return None
