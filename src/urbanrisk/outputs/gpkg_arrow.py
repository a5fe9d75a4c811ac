"""A GeoPackage layer's Arrow table made before it is written: what pyogrio's
``write_dataframe(..., driver="GPKG", use_arrow=True)`` hands to ``write_arrow``, built apart.

The GeoPackage's forked writer (:mod:`.forked`) makes these tables while the grid's parts are still
being written, so that once released it only writes (GDAL); the same steps as pyogrio 0.13 takes
(geometry type from the data, single parts promoted to multi when mixed, WKB, the CRS as EPSG code),
for the columns a run's layers hold. A frame with anything else (dates, objects that are not text)
gets None: it is written by ``write_dataframe`` itself.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

_MULTI = {
    frozenset(("Polygon", "MultiPolygon")): ("MultiPolygon", "Polygon", shapely.multipolygons),
    frozenset(("LineString", "MultiLineString")): ("MultiLineString", "LineString", shapely.multilinestrings),
    frozenset(("Point", "MultiPoint")): ("MultiPoint", "Point", shapely.multipoints),
}


def _geometry(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, str]:
    """The geometries to write (single parts made multi when mixed with multi parts) and the
    layer's geometry type ("Unknown" for other mixes, as pyogrio)."""
    geometry = frame.geometry
    values = np.asarray(geometry.array, dtype=object)
    if not len(frame):
        return values, "Unknown"
    kinds = geometry.geom_type
    present = ~(shapely.is_missing(values) | shapely.is_empty(values))
    has_z = shapely.has_z(values[present])
    unique = pd.Series(kinds.unique()).dropna().values
    if len(unique) == 1:
        geometry_type = str(unique[0])
    elif len(unique) == 2 and frozenset(unique) in _MULTI:
        geometry_type, single, make = _MULTI[frozenset(unique)]
        mask = (kinds == single).to_numpy()
        values = values.copy()
        values[mask] = make(np.atleast_2d(values[mask]), axis=0)
    else:
        geometry_type = "Unknown"
    if has_z.any() and geometry_type != "Unknown":
        geometry_type = f"{geometry_type} Z"
    return values, geometry_type


def layer_arrow(frame: gpd.GeoDataFrame) -> tuple[pa.Table, dict[str, Any]] | None:
    """``frame`` as the Arrow table and ``write_arrow`` options of a GeoPackage layer, as pyogrio's
    ``write_dataframe`` makes them (None: a column it would convert otherwise; write the frame)."""
    name = frame.geometry.name
    columns = [c for c in frame.columns if c != name]
    for column in columns:  # pyogrio keeps these as they are; it converts dates and odd objects
        dtype = frame[column].dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            return None
        if dtype == "object":
            inferred = pd.api.types.infer_dtype(frame[column])
            if inferred == "datetime":
                return None
            if inferred != "string":
                try:
                    pa.Schema.from_pandas(pd.DataFrame(frame[[column]]))
                except pa.ArrowInvalid:
                    return None
    values, geometry_type = _geometry(frame)
    crs = None
    if frame.crs:
        epsg = frame.crs.to_epsg()
        crs = f"EPSG:{epsg}" if epsg else frame.crs.to_wkt("WKT1_GDAL")
    data = pd.DataFrame(frame.copy(deep=False))
    data[name] = shapely.to_wkb(values)  # as geopandas.array.to_wkb (pyogrio's call)
    table = pa.Table.from_pandas(data, preserve_index=False)
    for index, field in enumerate(table.schema):
        if pa.types.is_null(field.type):
            table = table.set_column(index, field.with_type(pa.string()), table[index].cast(pa.string()))
        elif pa.types.is_dictionary(field.type) and pa.types.is_null(field.type.value_type):
            return None
    field = table.schema.field(name)
    if not (pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type)):
        column = table.schema.get_field_index(name)
        table = table.set_column(column, field.with_type(pa.binary()), table[name].cast(pa.binary()))
    return table, {"geometry_name": name, "geometry_type": geometry_type, "crs": crs}
