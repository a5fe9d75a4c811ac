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
_VARIABLE = (pa.types.is_binary, pa.types.is_string, pa.types.is_large_binary, pa.types.is_large_string)
#: The GeoParquet 1.1 bbox covering column (its fields: xmin, ymin, xmax, ymax).
BBOX_COLUMN = "bbox"


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
    types = shapely.get_type_id(geoms)
    types[shapely.has_z(geoms)] += 8
    names = sorted(_TYPES[t] for t in set(types.tolist()) - {-1})
    column = {"encoding": "WKB", "crs": crs_json, "geometry_types": names}
    total = shapely.total_bounds(geoms)  # NaN when there is no geometry: no bbox then (as geopandas)
    if np.isfinite(total).all():
        column["bbox"] = total.tolist()
    geo = {
        "primary_column": name,
        "columns": {name: column},
        "version": "1.1.0",
        "creator": {"library": "geopandas", "version": gpd.__version__},
    }
    table = table.replace_schema_metadata({**table.schema.metadata, b"geo": json.dumps(geo).encode("utf-8")})
    return with_bbox(table, shapely.bounds(geoms), name)


def with_bbox(table: pa.Table, bounds: np.ndarray, geometry: str) -> pa.Table:
    """``table`` with the GeoParquet 1.1 covering column :data:`BBOX_COLUMN` (xmin, ymin, xmax, ymax
    per row) and its entry in the ``geo`` metadata (what geopandas' ``write_covering_bbox`` writes)."""
    keys = ("xmin", "ymin", "xmax", "ymax")
    bbox = pa.StructArray.from_arrays([pa.array(bounds[:, i], pa.float64()) for i in range(4)], keys)
    metadata = dict(table.schema.metadata)
    geo = json.loads(metadata[b"geo"])
    geo["columns"][geometry]["covering"] = {"bbox": {k: [BBOX_COLUMN, k] for k in keys}}
    metadata[b"geo"] = json.dumps(geo).encode()
    return table.append_column(BBOX_COLUMN, bbox).replace_schema_metadata(metadata)


def write_geoparquet(
    table: pa.Table,
    path: str,
    filesystem: fsspec.AbstractFileSystem | None = None,
    row_group_size: int | None = None,
) -> None:
    """Write a table made by :func:`geoparquet_table` to ``path`` (on ``filesystem``, or local)."""
    pq.write_table(table, path, filesystem=filesystem, row_group_size=row_group_size)


def _canonical(array: pa.Array) -> list[bytes | memoryview]:
    """An array's content as bytes that do not depend on its memory layout (slices, offsets, padding
    bits, values under nulls): its null mask, then its values."""
    if not len(array):
        return [b""]
    nulls = array.is_null().to_numpy(zero_copy_only=False)
    kind = array.type
    if pa.types.is_primitive(kind) and not pa.types.is_boolean(kind):  # fixed width: raw values
        values = np.frombuffer(array.buffers()[1], dtype=f"u{kind.bit_width // 8}")
        values = values[array.offset : array.offset + len(array)].copy()
        values[nulls] = 0
        return [nulls.tobytes(), values.tobytes()]
    if not (any(test(kind) for test in _VARIABLE) or pa.types.is_list(kind)):  # booleans, structs, ...
        return [nulls.tobytes(), repr(array.to_pylist()).encode("utf-8")]
    wide = pa.types.is_large_binary(kind) or pa.types.is_large_string(kind)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64 if wide else np.int32)
    offsets = offsets[array.offset : array.offset + len(array) + 1]
    head = [nulls.tobytes(), (offsets - offsets[0]).astype(np.int64).tobytes()]
    if pa.types.is_list(kind):
        return head + _canonical(array.flatten())
    data = array.buffers()[2]
    return [*head, memoryview(data)[offsets[0] : offsets[-1]] if data is not None else b""]


def table_digest(table: pa.Table, skip: tuple[str, ...] = ()) -> str:
    """Digest of a table's content (every column but ``skip``, row order included), whatever the
    memory layout of its arrays (a slice of a larger chunk digests as a copy of it does).

    Not the digest :func:`urbanrisk.cache.frame_digest` gives for the frame.
    """
    digest = hashlib.sha256()
    for name in table.column_names:
        if name in skip:
            continue
        digest.update(f"{name}:{table.schema.field(name).type}".encode())
        for part in _canonical(table.column(name).combine_chunks()):
            digest.update(len(part).to_bytes(8, "little"))
            digest.update(part)
    return digest.hexdigest()
