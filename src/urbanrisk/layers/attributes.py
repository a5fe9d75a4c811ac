"""Two attribute columns of every feature of a vector file, read without GDAL, shapely or geopandas.

``urbanrisk validate`` asks it for the id and name of every unit polygon (a Shapefile's .dbf as plain
dBASE, a GeoPackage through sqlite3, GeoJSON through json), so that it finds one id naming two units as
the run would (:func:`urbanrisk.inputs.load_layers`). Features without a polygon are left out, as the
run leaves them out; a format it cannot read lightly gives None (the run checks it).
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path
from typing import Any

from .. import settings
from .._errors import LayerError
from .headers import _dbf_fields, _sidecar, feature_table, load_geojson, quoted_name, vector_header
from .text_controls import without_invisible

Rows = list[tuple[str, str]]
Columns = tuple[str, ...]
#: the most bytes of a .dbf read for a check (a larger unit layer is checked by the run)
DBF_MAX_BYTES = 50_000_000


def _text(value: Any) -> str:
    """A value as the run compares it: ids as text, names trimmed to the length the run keeps."""
    if value is None:
        return ""
    return str(value).strip()[: settings.max_text_length]


def _dbf_rows(path: Path, columns: Columns, codec: str) -> list[tuple[str, ...]] | None:
    dbf = _sidecar(path.with_suffix(".shp"), ".dbf")
    if dbf is None or dbf.stat().st_size > DBF_MAX_BYTES:
        return None
    data = dbf.read_bytes()
    try:
        fields, count, header_len, record_len = _dbf_fields(data)
    except (ValueError, struct.error):
        return None  # the header check says so
    spans, at = {}, 1  # byte 0 of a record is the deletion flag
    for name, _, length in fields:
        spans[name.decode(codec, errors="replace")] = (at, at + length)
        at += length
    found = [spans.get(c) for c in columns]
    rows: list[tuple[str, ...]] = []
    for i in range(count):
        record = data[header_len + i * record_len : header_len + (i + 1) * record_len]
        if len(record) < record_len or record[:1] == b"*":  # cut short, or deleted
            continue
        values = [record[s[0] : s[1]].decode(codec, errors="replace") if s else "" for s in found]
        rows.append(tuple(_text(v) for v in values))
    return rows


def _geopackage_rows(
    path: Path, columns: Columns, layer: str, file_layer: str | None
) -> list[tuple[str, ...]] | None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            picked = feature_table(db, path, layer, file_layer, "column_name")
            if picked is None:
                return None
            table, geometry = picked
            have = {r[1] for r in db.execute(f"PRAGMA table_info({quoted_name(table)})")}
            quoted = {c: quoted_name(c) for c in (*columns, table, geometry)}
            picked = ", ".join(quoted[c] if c in have else "''" for c in columns)
            query = f"SELECT {picked} FROM {quoted[table]} WHERE {quoted[geometry]} IS NOT NULL"
            return [tuple(_text(v) for v in row) for row in db.execute(query)]
    except sqlite3.Error as exc:
        msg = f"layer '{layer}': cannot read {path} as a GeoPackage ({exc})"
        raise LayerError(msg) from exc


def _geojson_rows(path: Path, columns: Columns) -> list[tuple[str, ...]] | None:
    try:
        data = load_geojson(path)
    except ValueError:
        return None  # the header check says so
    features = data.get("features") if isinstance(data, dict) else None
    rows: list[tuple[str, ...]] = []
    for feature in features if isinstance(features, list) else []:
        if not isinstance(feature, dict):
            continue
        geometry, props = feature.get("geometry"), feature.get("properties")
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        props = props if isinstance(props, dict) else {}
        rows.append(tuple(_text(props.get(c)) for c in columns))
    return rows


def id_name_rows(
    path: str | Path,
    id_column: str,
    name_column: str,
    *,
    encoding: str | None,
    layer: str,
    file_layer: str | None = None,
) -> Rows | None:
    """(id, name) of each feature with a polygon, as text; None when the file is too big or of a format
    read only by the run (its header problems are told by :func:`urbanrisk.layers.headers.vector_header`).

    Raises
    ------
    LayerError
        A GeoPackage sqlite cannot open, or a Shapefile whose encoding cannot be told.
    """
    rows = attribute_rows(
        path, (id_column, name_column), encoding=encoding, layer=layer, file_layer=file_layer
    )
    return None if rows is None else [(a, b) for a, b in rows]


def attribute_rows(
    path: str | Path, columns: Columns, *, encoding: str | None, layer: str, file_layer: str | None = None
) -> list[tuple[str, ...]] | None:
    """The ``columns`` of each feature with a polygon, as text ("" where a feature lacks one); None
    as :func:`id_name_rows`.

    Raises
    ------
    LayerError
        A GeoPackage sqlite cannot open, or a Shapefile whose encoding cannot be told.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".shp", ".dbf"):
        header = vector_header(path, encoding=encoding, layer=layer)
        return None if header is None else _dbf_rows(path, columns, header.text_encoding)
    if suffix == ".gpkg":
        return _geopackage_rows(path, columns, layer, file_layer)
    if suffix in (".geojson", ".json"):
        return _geojson_rows(path, columns)
    return None


def id_clash(rows: Rows) -> tuple[str, list[str]] | None:
    """The first id (in file order) given to units of different names, and those names; or None.

    Examples
    --------
    >>> id_clash([("A", "甲社区"), ("B", "乙"), ("A", "甲社区"), ("A", "丙社区")])
    ('A', ['甲社区', '丙社区'])
    >>> id_clash([("A", "甲"), ("A", "甲")]) is None
    True
    """
    names: dict[str, list[str]] = {}
    for ident, name in rows:
        seen = names.setdefault(without_invisible(ident), [])  # A\u200b1 is A1, as the run reads it
        if name not in seen:
            seen.append(name)
    for ident, seen in names.items():
        if len(seen) > 1:
            return ident, seen
    return None
