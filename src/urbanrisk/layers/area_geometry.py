"""The geometry type a boundary GeoPackage or Shapefile declares, read lightly (sqlite3, 4 bytes of the
.shp): a boundary of points or lines passed ``validate`` and was refused by the run ("holds no polygon").
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

from .._errors import LayerError
from .headers import feature_table

#: a Shapefile's shape types (ESRI's white paper; Z and M kinds alike) that hold no polygon
_SHP_NOT_POLYGONS = {1: "Point", 11: "Point", 21: "Point", 8: "MultiPoint", 18: "MultiPoint",
                     28: "MultiPoint", 3: "LineString", 13: "LineString", 23: "LineString"}  # fmt: skip
#: a GeoPackage's geometry_type_name that holds no polygon, as GeoJSON names it
_GPKG_NOT_POLYGONS = {
    "POINT": "Point",
    "MULTIPOINT": "MultiPoint",
    "LINESTRING": "LineString",
    "MULTILINESTRING": "MultiLineString",
    "CIRCULARSTRING": "CircularString",
    "COMPOUNDCURVE": "CompoundCurve",
    "MULTICURVE": "MultiCurve",
    "CURVE": "Curve",
}


def declared_non_polygons(path: str, *, layer: str = "area", file_layer: str | None = None) -> str | None:
    """The geometry type a boundary GeoPackage's feature table (``file_layer``: the one a recipe's
    ``layer`` reads) or Shapefile declares when it can hold no polygon (``'Point'``, ``'LineString'``...);
    None for polygons, mixed geometries (``GEOMETRY``), other formats, or a file whose header cannot be
    read (told by the header check)."""
    local = Path(path)
    suffix = local.suffix.lower()
    try:
        if suffix == ".shp":
            with local.open("rb") as shp:
                head = shp.read(36)
            return _SHP_NOT_POLYGONS.get(struct.unpack("<i", head[32:36])[0]) if len(head) == 36 else None
        if suffix == ".gpkg":
            with sqlite3.connect(f"file:{local}?mode=ro", uri=True) as db:
                picked = feature_table(db, local, layer, file_layer, "geometry_type_name")
            return _GPKG_NOT_POLYGONS.get(str(picked[1]).upper()) if picked else None
    except (OSError, sqlite3.Error, struct.error, LayerError):
        return None
    return None
