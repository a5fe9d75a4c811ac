"""A GeoDataFrame written as GeoParquet 1.1 with a bbox covering column, straight through Arrow.

The same file geopandas ``to_parquet(write_covering_bbox=True)`` writes (same schema, ``geo``
metadata and values), without its per-call pandas overhead (a copy of the frame, dtype checks, the
geometry types through a Series): for the many small files of the partitioned OSM ingest that
overhead was most of the write. The Arrow table also gives the rows' content digest cheaply (the
geometry is already WKB).

Examples
--------
>>> import geopandas as gpd, pyarrow.parquet as pq, tempfile
>>> frame = gpd.GeoDataFrame({"kind": ["fuel", "gas"]},
...     geometry=gpd.points_from_xy([116.30, 116.40], [39.90, 39.95]), crs=4326)
>>> path = f"{tempfile.mkdtemp()}/points.parquet"
>>> write_geoparquet(geoparquet_table(frame), path)
>>> gpd.read_parquet(path, bbox=(116.25, 39.85, 116.35, 39.93))["kind"].tolist()
['fuel']
"""

from __future__ import annotations

import functools
import hashlib
import json

import fsspec
import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import shapely

# shapely's type ids (0 Point ... 7 GeometryCollection), as GeoParquet names them; + 8 for 3D
_TYPES = [
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
]
_TYPES += [f"{name} Z" for name in _TYPES]
_COVERING = {"bbox": {side: ["bbox", side] for side in ("xmin", "ymin", "xmax", "ymax")}}


@functools.lru_cache(maxsize=8)
def _crs_json(crs: pyproj.CRS) -> tuple[str, dict]:
    """The CRS as geopandas writes it (made once per CRS, not per file): the geometry field's
    extension metadata (PROJJSON) and the ``geo`` metadata's PROJJSON (ensemble members' ids removed)."""
    extension = json.dumps({"crs": crs.to_json_dict()})
    crs_json = crs.to_json_dict()
    for member in crs_json.get("datum_ensemble", {}).get("members", []):
        member.pop("id", None)  # as geopandas' _remove_id_from_member_of_ensembles
    return extension, crs_json


def geoparquet_table(frame: gpd.GeoDataFrame) -> pa.Table:
    """``frame`` (its index dropped) as an Arrow table with GeoParquet 1.1 metadata and a bbox column."""
    name = frame.geometry.name
    geoms = frame.geometry.to_numpy()
    extension, crs_json = _crs_json(frame.crs) if frame.crs is not None else ("{}", None)
    columns = list(frame.columns)
    table = pa.Table.from_pandas(frame, columns=[c for c in columns if c != name], preserve_index=False)
    wkb = pa.array(shapely.to_wkb(geoms, flavor="iso"), pa.binary())
    field = pa.field(
        name,
        pa.binary(),
        metadata={"ARROW:extension:name": "geoarrow.wkb", "ARROW:extension:metadata": extension},
    )
    table = table.add_column(columns.index(name), field, wkb)
    bounds = shapely.bounds(geoms)
    bbox = pa.StructArray.from_arrays(
        [pa.array(bounds[:, i]) for i in range(4)], names=["xmin", "ymin", "xmax", "ymax"]
    )
    table = table.append_column("bbox", bbox)
    types = shapely.get_type_id(geoms)
    types[shapely.has_z(geoms)] += 8
    names = sorted(_TYPES[t] for t in set(types.tolist()) - {-1})
    column = {"encoding": "WKB", "crs": crs_json, "geometry_types": names}
    total = shapely.total_bounds(geoms)  # NaN when there is no geometry: no bbox then (as geopandas)
    if np.isfinite(total).all():
        column["bbox"] = total.tolist()
    column["covering"] = _COVERING
    geo = {
        "primary_column": name,
        "columns": {name: column},
        "version": "1.1.0",
        "creator": {"library": "geopandas", "version": gpd.__version__},
    }
    return table.replace_schema_metadata({**table.schema.metadata, b"geo": json.dumps(geo).encode("utf-8")})


def write_geoparquet(
    table: pa.Table,
    path: str,
    filesystem: fsspec.AbstractFileSystem | None = None,
    row_group_size: int | None = None,
) -> None:
    """Write a table made by :func:`geoparquet_table` to ``path`` (on ``filesystem``, or local)."""
    pq.write_table(table, path, filesystem=filesystem, row_group_size=row_group_size)


def table_digest(table: pa.Table, skip: tuple[str, ...] = ()) -> str:
    """Digest of a table's content (every column but ``skip``, row order included).

    Two tables with the same content and chunking give the same digest; it is not the digest
    :func:`urbanrisk.cache.frame_digest` gives for the frame.
    """
    digest = hashlib.sha256()
    keep = [c for c in table.column_names if c not in skip]
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.select(keep).schema.remove_metadata()) as writer:
        writer.write_table(table.select(keep).replace_schema_metadata(None))
    digest.update(sink.getvalue())
    return digest.hexdigest()
