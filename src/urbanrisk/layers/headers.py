"""What a vector file holds, read from its header alone: column names, CRS present, text encoding.

Shapefiles are read here as plain dBASE (the .dbf header and character fields), .prj and .cpg; a
GeoPackage through sqlite3; GeoJSON through json. Light on purpose (no pyogrio: it imports shapely and
geopandas): ``urbanrisk validate`` uses it, and :mod:`urbanrisk.layers.vector` asks it which encoding a
Shapefile without a .cpg is in (GDAL would read such a DBF as Latin-1 and garble 街道 names).
"""

from __future__ import annotations

import json
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._errors import LayerError, require_regular_file
from .encoding import SAMPLE_BYTES, check_encoding, detect_encoding

#: dBASE language-driver ids that GDAL itself turns into a code page (here: the Chinese ones it knows)
_KNOWN_LDID = {0x4D: "gb18030", 0x7A: "gb18030", 0x4F: "big5hkscs", 0x78: "big5hkscs"}
GEOJSON_MAX_BYTES = 50_000_000


@dataclass
class VectorHeader:
    """Columns of a vector file, whether it declares a CRS, and (Shapefile) its DBF encoding."""

    columns: list[str]
    has_crs: bool
    encoding: str | None = None
    text_encoding: str = "utf-8"  # the codec its text is read with (Shapefile: .cpg, language driver...)


def _sidecar(path: Path, suffix: str) -> Path | None:
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def _dbf_fields(data: bytes) -> tuple[list[tuple[bytes, str, int]], int, int, int]:
    """(name bytes, type, length) of each field, number of records, header and record length."""
    if len(data) < 32:
        msg = "too short for a dBASE header"
        raise ValueError(msg)
    nrecords, header_len, record_len = struct.unpack("<IHH", data[4:12])
    # no more records than the bytes hold (a count of 4 billion in a 1 KB file was read for ever)
    nrecords = min(nrecords, max(len(data) - header_len, 0) // record_len) if record_len else 0
    fields = []
    for start in range(32, min(header_len, len(data)) - 1, 32):
        if data[start] == 0x0D:
            break
        chunk = data[start : start + 32]
        fields.append((chunk[:11].split(b"\x00")[0], chr(chunk[11]), chunk[16]))
    return fields, nrecords, header_len, record_len


def _dbf_text_sample(
    data: bytes, fields: list[tuple[bytes, str, int]], header_len: int, record_len: int
) -> bytes:
    """The field names and character fields of the first records (what an encoding applies to)."""
    parts = [name for name, _, _ in fields]
    offsets, at = [], 1  # byte 0 of a record is the deletion flag
    for _, ftype, length in fields:
        if ftype == "C":
            offsets.append((at, length))
        at += length
    pos, budget = header_len, SAMPLE_BYTES
    while pos + record_len <= len(data) and budget > 0 and record_len > 0:
        record = data[pos : pos + record_len]
        for start, length in offsets:
            parts.append(record[start : start + length].rstrip(b" \x00"))
        pos += record_len
        budget -= record_len
    return b"\n".join(parts)


def shapefile_header(path: str | Path, *, encoding: str | None = None, layer: str) -> VectorHeader:
    """A Shapefile's DBF columns, whether a .prj is present, and the encoding of its text.

    The encoding is ``encoding`` if given, else the .cpg's (returned as None: GDAL reads it), else the
    one GDAL knows from the DBF's language driver (None), else detected from the names and text fields.

    Raises
    ------
    LayerError
        No .dbf beside the .shp, an unreadable DBF, or text whose encoding cannot be told.
    """
    path = Path(path)
    dbf = _sidecar(path, ".dbf")
    if dbf is not None and _sidecar(path, ".shp") is None:  # a .dbf alone: the run's GDAL read no geometry
        msg = (
            f"layer '{layer}': {dbf} is a Shapefile's table without its .shp (the places); copy the whole "
            "Shapefile (.shp, .shx, .dbf, .prj) and give the .shp"
        )
        raise LayerError(msg)
    if dbf is None:
        msg = (
            f"layer '{layer}': {path} has no .dbf beside it; copy the whole Shapefile "
            "(.shp, .shx, .dbf, .prj)"
        )
        raise LayerError(msg)
    if _sidecar(path, ".shx") is None and path.is_file():  # the run's GDAL refuses it (SHAPE_RESTORE_SHX)
        msg = (
            f"layer '{layer}': {path} has no .shx beside it; copy the whole Shapefile "
            "(.shp, .shx, .dbf, .prj)"
        )
        raise LayerError(msg)
    with open(dbf, "rb") as handle:
        data = handle.read(SAMPLE_BYTES)
    try:
        fields, _, header_len, record_len = _dbf_fields(data)
    except (ValueError, struct.error) as exc:
        msg = f"layer '{layer}': cannot read {dbf} as a dBASE table ({exc}); export the Shapefile again"
        raise LayerError(msg) from exc
    codec = None
    if encoding:
        codec = check_encoding(encoding, layer=layer)
    elif _sidecar(path, ".cpg") is None and len(data) > 29 and data[29] not in _KNOWN_LDID:
        codec = detect_encoding(_dbf_text_sample(data, fields, header_len, record_len))
        if codec is None:
            msg = (
                f"layer '{layer}': {dbf} has no .cpg and its text encoding cannot be told; say which it "
                "is with `encoding:` in the recipe (e.g. encoding: gbk)"
            )
            raise LayerError(msg)
    names_codec = codec or (_KNOWN_LDID.get(data[29]) if len(data) > 29 else None) or "utf-8"
    if codec is None and (cpg := _sidecar(path, ".cpg")) is not None:
        names_codec = _cpg_codec(cpg) or names_codec
    columns = [name.decode(names_codec, errors="replace") for name, _, _ in fields]
    return VectorHeader(columns, _sidecar(path, ".prj") is not None, codec, names_codec)


def _cpg_codec(cpg: Path) -> str | None:
    name = cpg.read_text(encoding="ascii", errors="ignore").strip().lower()
    aliases = {"936": "gbk", "cp936": "gbk", "65001": "utf-8", "utf8": "utf-8", "1252": "cp1252"}
    try:
        return check_encoding(aliases.get(name, name), layer="")
    except LayerError:
        return None


def pick_layer(names: list[str], file_layer: str | None, path: str | Path, layer: str) -> str | None:
    """The layer of a file to read: ``file_layer``, or the only one; None for a file without layers.

    Raises
    ------
    LayerError
        ``file_layer`` is not one of them, or the file holds several and none is named.

    >>> pick_layer(["roads", "units"], "units", "a.gpkg", "u"), pick_layer(["units"], None, "a.gpkg", "u")
    ('units', 'units')
    """
    if file_layer is not None and file_layer not in names:
        msg = f"layer '{layer}': {path} has no layer '{file_layer}' (its layers: {names}): fix `file_layer:`"
        raise LayerError(msg)
    if file_layer is None and len(names) > 1:
        fix = (
            "export the boundary to a file of its own (ogr2ogr -f GPKG area.gpkg FILE LAYER)"
            if layer == "area"
            else "say which with `file_layer:` in the recipe"
        )
        msg = f"layer '{layer}': {path} holds {len(names)} layers ({', '.join(names[:10])}): {fix}"
        raise LayerError(msg)
    return file_layer or (names[0] if names else None)


def feature_table(
    db: sqlite3.Connection, path: Path, layer: str, file_layer: str | None, column: str
) -> tuple[str, Any] | None:
    """The GeoPackage's feature table the recipe reads (:func:`pick_layer`) and its ``column`` of
    ``gpkg_geometry_columns`` (``srs_id``, ``column_name``); None when the file has no feature table."""
    assert column in ("srs_id", "column_name", "geometry_type_name")  # a name of ours, never the recipe's
    rows = db.execute(
        f"SELECT c.table_name, g.{column} FROM gpkg_contents c JOIN gpkg_geometry_columns g "
        "ON g.table_name = c.table_name WHERE c.data_type = 'features' ORDER BY c.table_name"
    ).fetchall()
    if not rows:
        return None
    table = pick_layer([r[0] for r in rows], file_layer, path, layer)
    return table, dict(rows)[table]


def table_srs(db: sqlite3.Connection, table: str) -> tuple[Any, Any, Any] | None:
    """A GeoPackage feature table's spatial reference: (organization, organization_coordsys_id,
    definition) from ``gpkg_spatial_ref_sys``; None when it names none."""
    return db.execute(
        "SELECT s.organization, s.organization_coordsys_id, s.definition FROM gpkg_geometry_columns g "
        "JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id WHERE g.table_name = ?",
        (table,),
    ).fetchone()


def quoted_name(name: str) -> str:
    """A table's or column's name quoted for SQL (a name holding ``"`` was a syntax error).

    >>> quoted_name('we"ird')
    '"we""ird"'
    """
    return '"' + name.replace('"', '""') + '"'


def _geopackage_header(path: Path, layer: str, file_layer: str | None = None) -> VectorHeader:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            picked = feature_table(db, path, layer, file_layer, "srs_id")
            if picked is None:
                return VectorHeader([], has_crs=False)
            table, srs = picked
            columns = [r[1] for r in db.execute(f"PRAGMA table_info({quoted_name(table)})")]
    except sqlite3.Error as exc:
        msg = f"layer '{layer}': cannot read {path} as a GeoPackage ({exc})"
        raise LayerError(msg) from exc
    return VectorHeader(columns, has_crs=srs not in (None, 0, -1))


def load_geojson(path: str | Path) -> Any:
    """A GeoJSON file parsed for a check (UTF-8, with or without BOM); None when it is bigger than
    ``GEOJSON_MAX_BYTES`` (the run reads it). The one light reading of GeoJSON: headers, unit ids, a
    registry's points, the area.

    Raises
    ------
    ValueError
        Not UTF-8, not JSON, or nested too deeply for the parser (a RecursionError was a traceback).
    """
    if Path(path).stat().st_size > GEOJSON_MAX_BYTES:
        return None
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except RecursionError as exc:
        msg = "nested too deeply"
        raise ValueError(msg) from exc
    if data is None:  # `null`: not "too big to check" (validate said ok; GDAL refuses the file)
        msg = "it holds null, not a GeoJSON object"
        raise ValueError(msg)
    return data


def _geojson_header(path: Path, layer: str) -> VectorHeader | None:
    try:
        data = load_geojson(path)
    except ValueError as exc:
        msg = f"layer '{layer}': cannot read {path} as GeoJSON ({exc}); GeoJSON is UTF-8 JSON"
        raise LayerError(msg) from exc
    if data is None:
        return None  # too big to read for a check: the run reads it
    features = data.get("features", []) if isinstance(data, dict) else []
    columns: dict[str, None] = {}
    for feature in features if isinstance(features, list) else []:
        props = feature.get("properties") if isinstance(feature, dict) else None
        columns.update(dict.fromkeys(props or {}))
    return VectorHeader(list(columns), has_crs=True)  # GeoJSON is WGS84 unless it says otherwise


def vector_header(
    path: str | Path, *, encoding: str | None = None, layer: str, file_layer: str | None = None
) -> VectorHeader | None:
    """The header of a Shapefile, GeoPackage or GeoJSON; None for other formats (checked when read)."""
    require_regular_file(path, layer)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".shp", ".dbf"):
        return shapefile_header(path.with_suffix(".shp"), encoding=encoding, layer=layer)
    if suffix == ".gpkg":
        return _geopackage_header(path, layer, file_layer)
    if suffix in (".geojson", ".json"):
        return _geojson_header(path, layer)
    return None
