"""A GeoParquet layer read through pyarrow and geopandas (GDAL's Parquet driver here wants libduckdb,
which is not shipped: the run said "cannot read h.parquet (libduckdb.so: cannot open shared object
file)" of every GeoParquet, while ``urbanrisk validate`` said ok).

A Parquet file without GeoParquet's ``geo`` metadata (pandas' ``to_parquet`` of a frame of WKB, a
database export) is read when one binary column is named as geometries are (``geometry``, ``geom``,
``wkb_geometry``, ``the_geom``) and holds WKB; it has no CRS then, so the layer's ``crs:`` says which
(else the usual refusal). Anything else is refused with the fix.

Examples
--------
>>> import tempfile, pyarrow as pa, pyarrow.parquet as pq, shapely
>>> path = Path(tempfile.mkdtemp()) / "h.parquet"
>>> pq.write_table(pa.table({"name": ["a"], "geom": [shapely.Point(116.3, 39.9).wkb]}), path)
>>> frame = geoparquet_from_file(path, layer="h")
>>> frame.geometry.iloc[0].wkt, frame.crs is None
('POINT (116.3 39.9)', True)
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from .._errors import LayerError

PARQUET_SUFFIXES = (".parquet", ".geoparquet")
#: the names of a WKB column taken as the geometry of a Parquet file without ``geo`` metadata
WKB_NAMES = ("geometry", "geom", "wkb_geometry", "the_geom", "wkb")


def _without_metadata(path: Path, layer: str) -> gpd.GeoDataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq
    import shapely

    table = pq.read_table(path)
    named = {c.lower(): c for c in table.column_names}
    binary = [
        named[n]
        for n in WKB_NAMES
        if n in named
        and (pa.types.is_binary(t := table.schema.field(named[n]).type) or pa.types.is_large_binary(t))
    ]
    if not binary:
        msg = (
            f"layer '{layer}': {path} is a Parquet file without GeoParquet's 'geo' metadata and without a "
            f"WKB column named {' / '.join(WKB_NAMES)} (its columns: {', '.join(table.column_names[:12])}): "
            "write it as GeoParquet (geopandas to_parquet, or ogr2ogr -f Parquet), or give the registry as "
            "CSV with lon / lat columns"
        )
        raise LayerError(msg)
    frame = table.to_pandas()
    try:
        geometry = shapely.from_wkb(frame.pop(binary[0]).to_numpy())
    except (shapely.errors.GEOSException, TypeError, ValueError) as exc:
        msg = (
            f"layer '{layer}': {path}: its column '{binary[0]}' does not hold WKB geometries ({exc}); write "
            "the file as GeoParquet (geopandas to_parquet, or ogr2ogr -f Parquet)"
        )
        raise LayerError(msg) from exc
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=None)


def geoparquet_from_file(path: str | Path, *, layer: str) -> gpd.GeoDataFrame:
    """A (Geo)Parquet layer as a GeoDataFrame in its own CRS (None when the file names none).

    Raises
    ------
    LayerError
        Not Parquet, or no geometry column; the message names the layer, the file and the fix.
    """
    import pyarrow as pa

    path = Path(path)
    try:
        return gpd.read_parquet(path)
    except ValueError as exc:
        if "geo metadata" not in str(exc).lower():
            msg = f"layer '{layer}': cannot read {path} as GeoParquet ({exc}); is the file complete?"
            raise LayerError(msg) from exc
    except (pa.ArrowException, OSError) as exc:
        msg = f"layer '{layer}': cannot read {path} as GeoParquet ({exc}); is the file complete?"
        raise LayerError(msg) from exc
    try:
        return _without_metadata(path, layer)
    except (pa.ArrowException, OSError) as exc:
        msg = f"layer '{layer}': cannot read {path} as Parquet ({exc}); is the file complete?"
        raise LayerError(msg) from exc
