"""A GeoPackage layer's Arrow stream made before it is written: what pyogrio's
``write_dataframe(..., driver="GPKG", use_arrow=True)`` hands to ``write_arrow``, built apart and
a chunk of rows at a time.

The GeoPackage's forked writer (:mod:`.forked`) prepares these while the grid's parts are still
being written, so that once released it mostly writes (GDAL); the same steps as pyogrio 0.13 takes
(geometry type from the data, single parts promoted to multi when mixed, WKB, the CRS as EPSG code),
for the columns a run's layers hold. A frame with anything else (dates, objects that are not text)
gets None: it is written by ``write_dataframe`` itself.

A large layer is converted :data:`CHUNK_ROWS` rows at a time as GDAL reads the stream (the 32 x 32
metropolis: 518k buildings, 701k streets), so the writer never holds a whole layer's WKB and Arrow
table; each chunk is cast to the layer's schema (types inferred from the whole frame), so the
batches are the whole table's, cut. Promoted single parts are written as their multi part's WKB by
prefixing the part's own WKB (byte order, multi type, one part: GEOS's bytes, tested), which neither
makes new GEOS geometries nor takes references to the driver's (each would copy its page in the
forked child).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

#: Rows converted at a time: 65,536 buildings are ~10 MB of WKB.
CHUNK_ROWS = 65_536

#: geopandas' ``geom_type`` names by shapely type id
_TYPE_NAMES = (
    "Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
    "GeometryCollection",
)  # fmt: skip
#: the mixes pyogrio writes as the multi type: single part's type id, the multi type's name
_MULTI = {
    frozenset(("Polygon", "MultiPolygon")): (3, "MultiPolygon"),
    frozenset(("LineString", "MultiLineString")): (1, "MultiLineString"),
    frozenset(("Point", "MultiPoint")): (0, "MultiPoint"),
}


def _geometry_type(values: np.ndarray) -> tuple[str, int | None]:
    """The layer's geometry type ("Unknown" for other mixes, as pyogrio) and the type id of the
    single parts to write as multi parts (None: none), from the type ids alone (no string per row)."""
    if not len(values):
        return "Unknown", None
    ids = shapely.get_type_id(values)
    present = ~(shapely.is_missing(values) | shapely.is_empty(values))
    has_z = bool((shapely.has_z(values) & present).any())
    unique = frozenset(_TYPE_NAMES[i] for i in np.unique(ids[ids >= 0]))
    single = None
    if len(unique) == 1:
        geometry_type = next(iter(unique))
    elif unique in _MULTI:
        single, geometry_type = _MULTI[unique]
    else:
        geometry_type = "Unknown"
    if has_z and geometry_type != "Unknown":
        geometry_type = f"{geometry_type} Z"
    return geometry_type, single


def _as_multi(wkb: bytes) -> bytes:
    """The WKB of a one-part multi geometry of the single part ``wkb`` (as GEOS writes it).

    Examples
    --------
    >>> single = shapely.to_wkb(shapely.Point(1, 2))
    >>> _as_multi(single) == shapely.to_wkb(shapely.MultiPoint([(1, 2)]))
    True
    """
    order = "little" if wkb[0] == 1 else "big"
    return wkb[:1] + (int.from_bytes(wkb[1:5], order) + 3).to_bytes(4, order) + (1).to_bytes(4, order) + wkb


def _wkb(values: np.ndarray, single: int | None) -> np.ndarray:
    """WKB of ``values`` (as ``geopandas.array.to_wkb``), parts of type ``single`` as multi parts."""
    wkb = shapely.to_wkb(values)
    if single is not None:
        for at in np.flatnonzero(shapely.get_type_id(values) == single):
            wkb[at] = _as_multi(wkb[at])
    return wkb


def _convertible(frame: gpd.GeoDataFrame) -> bool:
    """pyogrio hands every column as it is (it converts dates and odd objects itself)."""
    for column in frame.columns:
        if column == frame.geometry.name:
            continue
        dtype = frame[column].dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            return False
        if dtype == "object":
            inferred = pd.api.types.infer_dtype(frame[column])
            if inferred == "datetime":
                return False
            if inferred != "string":
                try:
                    pa.Schema.from_pandas(pd.DataFrame(frame[[column]]))
                except pa.ArrowInvalid:
                    return False
    return True


def _table(frame: gpd.GeoDataFrame, wkb: np.ndarray) -> pa.Table:
    """``frame`` with ``wkb`` for its geometries, as an Arrow table (types inferred from it)."""
    data = pd.DataFrame(frame.copy(deep=False))
    data[frame.geometry.name] = wkb
    return pa.Table.from_pandas(data, preserve_index=False)


def _schema(frame: gpd.GeoDataFrame) -> pa.Schema | None:
    """The schema of the whole layer's table (null columns as text, WKB as binary; None: a column of
    categories without a type), inferred without converting its geometries."""
    placeholder = np.full(len(frame), b"", dtype=object)  # one bytes object: the type, not the WKB
    data = pd.DataFrame(frame.copy(deep=False))
    data[frame.geometry.name] = placeholder
    schema = pa.Schema.from_pandas(data, preserve_index=False)
    for index, field in enumerate(schema):
        if pa.types.is_null(field.type):
            schema = schema.set(index, field.with_type(pa.string()))
        elif pa.types.is_dictionary(field.type) and pa.types.is_null(field.type.value_type):
            return None
    name = frame.geometry.name
    field = schema.field(name)
    if not (pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type)):
        schema = schema.set(schema.get_field_index(name), field.with_type(pa.binary()))
    return schema


def layer_stream(
    frame: gpd.GeoDataFrame, chunk_rows: int | None = None
) -> tuple[pa.RecordBatchReader, dict[str, Any]] | None:
    """``frame`` as the Arrow stream and ``write_arrow`` options of a GeoPackage layer: the table
    pyogrio's ``write_dataframe`` makes, ``chunk_rows`` rows (:data:`CHUNK_ROWS`) at a time as the
    stream is read (None: a column it would convert otherwise; write the frame)."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    if not _convertible(frame):
        return None
    schema = _schema(frame)
    if schema is None:
        return None
    geometry_type, single = _geometry_type(np.asarray(frame.geometry.array, dtype=object))
    crs = None
    if frame.crs:
        epsg = frame.crs.to_epsg()
        crs = f"EPSG:{epsg}" if epsg else frame.crs.to_wkt("WKT1_GDAL")

    def batches() -> Iterator[pa.RecordBatch]:
        for start in range(0, len(frame), chunk_rows):
            chunk = frame.iloc[start : start + chunk_rows]
            wkb = _wkb(np.asarray(chunk.geometry.array, dtype=object), single)
            yield from _table(chunk, wkb).cast(schema).to_batches()

    options = {"geometry_name": frame.geometry.name, "geometry_type": geometry_type, "crs": crs}
    return pa.RecordBatchReader.from_batches(schema, batches()), options


def layer_arrow(frame: gpd.GeoDataFrame) -> tuple[pa.Table, dict[str, Any]] | None:
    """``frame`` as the whole Arrow table and ``write_arrow`` options of a GeoPackage layer, as
    pyogrio's ``write_dataframe`` makes them (None: a column it would convert otherwise)."""
    stream = layer_stream(frame, chunk_rows=max(len(frame), 1))
    return None if stream is None else (stream[0].read_all(), stream[1])
