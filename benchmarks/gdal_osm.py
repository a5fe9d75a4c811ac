"""GDAL's OSM driver (C++: nodes, ways, multipolygons assembled) as an OSM reader, for the benchmarks
only (issue #17, session 13): the tags the layers need as columns through a project ``osmconf.ini``.

Two ways to read, both into Arrow tables of the ``points``, ``lines`` and ``multipolygons`` layers:

- :func:`read_pyogrio`: ``pyogrio.read_arrow`` per layer. GDAL's default (non-interleaved) reading
  parses the file once per layer read (and pyogrio imports geopandas and pandas);
- :func:`read_one_pass`: one interleaved pass, as ``ogr2ogr`` does (``GDALVectorTranslate`` into a
  ``MEM`` dataset), then each layer as an Arrow stream (``OGR_L_GetArrowStream``), through the
  ``libgdal`` that pyogrio's wheel ships, with ctypes: a lean process (pyarrow and GDAL only).

The synthetic metropolis numbers its objects from 9e15 up, above what GDAL's own node index takes
("Unsupported node id value ... Use OSM_USE_CUSTOM_INDEXING=NO"): it is turned off here (GDAL then
keeps the nodes in SQLite) unless ``OSM_USE_CUSTOM_INDEXING`` is set in the environment (``osm_read.py
--renumber`` sets it for a renumbered file). pyogrio's Arrow path does not raise that error: it returns
the features read before it (512 lines of 44,352 at 64 tiles), silently.

Only the standard library is imported at the top: a child process imports what its reader needs.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

#: The layers the readers return (``multilinestrings`` and ``other_relations`` hold nothing we use).
LAYERS = ("points", "lines", "multipolygons")


def street_keys() -> tuple[str, ...]:
    """The street tags the reader keeps (highway, name, oneway, maxspeed and ``STREET_TAGS``), read
    from :mod:`urbanrisk.layers.osm` when asked (the lean reader's process never imports it)."""
    from urbanrisk.layers.osm import STREET_TAGS

    return ("highway", "name", "oneway", "maxspeed", *STREET_TAGS)


def osmconf(table_keys: list[str]) -> str:
    """An ``osmconf.ini`` whose columns are the tags the layers read: the tag table's keys
    (``table_keys``) with name and brand for POIs and areas, building levels and height, and the
    street tags; no ``other_tags``; every key of the tag table makes a closed way a polygon."""
    area_keys = list(dict.fromkeys(["building", "landuse", "amenity", *table_keys]))
    common = "osm_id=yes\nosm_version=no\nosm_timestamp=no\nosm_uid=no\nosm_user=no\nosm_changeset=no\n"
    return (
        "[general]\nattribute_name_laundering=no\n"
        f"closed_ways_are_polygons={','.join(area_keys)}\n"
        f"[points]\n{common}attributes=name,brand,{','.join(table_keys)}\nother_tags=no\n"
        f"[lines]\n{common}attributes={','.join(street_keys())}\nother_tags=no\n"
        f"[multipolygons]\n{common}attributes=name,brand,building:levels,height,{','.join(area_keys)}\n"
        "other_tags=no\n"
        f"[multilinestrings]\n{common}other_tags=no\n[other_relations]\n{common}other_tags=no\n"
    )


def _settings() -> None:
    os.environ.setdefault("OSM_USE_CUSTOM_INDEXING", "NO")  # the metropolis' ids (see the module's text)


def read_pyogrio(path: str, config: str) -> dict[str, pa.Table]:
    """The three layers as Arrow tables, one ``pyogrio.read_arrow`` (one parse) each."""
    _settings()
    import pyogrio

    return {layer: pyogrio.read_arrow(path, layer=layer, CONFIG_FILE=config)[1] for layer in LAYERS}


def _libgdal() -> ctypes.CDLL:
    spec = importlib.util.find_spec("pyogrio")
    if spec is None or spec.origin is None:
        raise RuntimeError("pyogrio is not installed")
    found = sorted((Path(spec.origin).parent.parent / "pyogrio.libs").glob("libgdal*.so*"))
    if not found:
        raise RuntimeError("no libgdal in pyogrio's wheel (a pyogrio built against a system GDAL?)")
    lib = ctypes.CDLL(str(found[0]))
    pointer = ctypes.c_void_p
    lib.GDALOpenEx.restype = pointer
    lib.GDALOpenEx.argtypes = [ctypes.c_char_p, ctypes.c_uint, pointer, pointer, pointer]
    lib.GDALVectorTranslateOptionsNew.restype = pointer
    lib.GDALVectorTranslateOptionsNew.argtypes = [pointer, pointer]
    lib.GDALVectorTranslate.restype = pointer
    lib.GDALVectorTranslate.argtypes = [ctypes.c_char_p, pointer, ctypes.c_int, pointer, pointer, pointer]
    lib.GDALDatasetGetLayerByName.restype = pointer
    lib.GDALDatasetGetLayerByName.argtypes = [pointer, ctypes.c_char_p]
    lib.OGR_L_GetArrowStream.argtypes = [pointer, pointer, pointer]
    lib.GDALClose.argtypes = [pointer]
    lib.GDALVectorTranslateOptionsFree.argtypes = [pointer]
    return lib


def _strings(items: list[str]) -> ctypes.Array:
    return (ctypes.c_char_p * (len(items) + 1))(*[item.encode() for item in items], None)


def read_one_pass(path: str, config: str) -> dict[str, pa.Table]:
    """The three layers as Arrow tables from one interleaved pass (``ogr2ogr -f MEM``)."""
    _settings()
    import pyarrow as pa

    lib = _libgdal()
    lib.GDALAllRegister()
    source = lib.GDALOpenEx(path.encode(), 0x04, None, _strings([f"CONFIG_FILE={config}"]), None)
    if not source:
        raise RuntimeError(f"GDAL cannot open {path}")
    options = lib.GDALVectorTranslateOptionsNew(_strings(["-f", "MEM", *LAYERS]), None)
    error = ctypes.c_int(0)
    target = lib.GDALVectorTranslate(
        b"osm", None, 1, (ctypes.c_void_p * 1)(source), options, ctypes.byref(error)
    )
    lib.GDALVectorTranslateOptionsFree(options)
    lib.GDALClose(source)
    if not target:
        raise RuntimeError(f"GDAL could not translate {path}")
    tables = {}
    try:
        for layer in LAYERS:
            stream = ctypes.create_string_buffer(40)  # struct ArrowArrayStream: five pointers
            if not lib.OGR_L_GetArrowStream(
                lib.GDALDatasetGetLayerByName(target, layer.encode()), stream, None
            ):
                raise RuntimeError(f"no Arrow stream of {layer}")
            tables[layer] = pa.RecordBatchReader._import_from_c(ctypes.addressof(stream)).read_all()
    finally:
        lib.GDALClose(target)
    return tables


READERS = {"pyogrio": read_pyogrio, "one_pass": read_one_pass}


def _geometry(table: pa.Table) -> np.ndarray:
    """The GEOS geometries of a GDAL table's ``wkb_geometry`` (GeoArrow WKB)."""
    import shapely

    column = table.column("wkb_geometry").combine_chunks()
    column = getattr(column, "storage", column)
    return shapely.from_wkb(column.to_numpy(zero_copy_only=False))


def _texts(table: pa.Table, name: str) -> list:
    return table.column(name).to_pylist() if name in table.column_names else [None] * table.num_rows


def gdal_layers(
    tables: dict[str, pa.Table], tag_table: pd.DataFrame, context: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """The rows the current reader's layers would hold, made of GDAL's tables (as plain frames keyed by
    ``osm_ref``): buildings, land use, POIs (points and areas: their kinds through the reader's own
    tag matching) and streets (``highway`` set, ``area`` not ``yes``; no node ids: GDAL has none)."""
    import pandas as pd

    from urbanrisk.layers.osm import _Collector

    collector = _Collector(tag_table, context)
    keys = collector.keys_in_table
    areas = tables["multipolygons"]
    relation, way = _texts(areas, "osm_id"), _texts(areas, "osm_way_id")
    refs = [f"relation/{r}" if r is not None else f"way/{w}" for r, w in zip(relation, way, strict=True)]
    geometry = _geometry(areas)
    columns = {
        name: _texts(areas, name) for name in ("name", "brand", "building", "building:levels", "height")
    }
    columns.update({key: _texts(areas, key) for key in keys})
    buildings, landuse, pois = [], [], []
    for i, ref in enumerate(refs):
        name = columns["name"][i] or columns["brand"][i] or ""
        building = columns["building"][i]
        if building is not None and building != "no":
            buildings.append(
                (ref, building, columns["building:levels"][i], columns["height"][i], name, geometry[i])
            )
        if columns["landuse"][i]:
            landuse.append((ref, "landuse", columns["landuse"][i], name, geometry[i]))
        amenity = columns["amenity"][i]
        if amenity and ("amenity", amenity) in collector.context_pairs:
            landuse.append((ref, "amenity", amenity, name, geometry[i]))
        tags = {key: columns[key][i] for key in keys if columns[key][i] is not None}
        for kind, _, _ in collector.match_kinds(tags):
            pois.append((ref, kind, name, geometry[i]))
    points = tables["points"]
    point_geometry = _geometry(points)
    point_columns = {key: _texts(points, key) for key in ("osm_id", "name", "brand", *keys)}
    for i, osm_id in enumerate(point_columns["osm_id"]):
        tags = {key: point_columns[key][i] for key in keys if point_columns[key][i] is not None}
        name = point_columns["name"][i] or point_columns["brand"][i] or ""
        for kind, _, _ in collector.match_kinds(tags):
            pois.append((f"node/{osm_id}", kind, name, point_geometry[i]))
    lines = tables["lines"]
    streets = pd.DataFrame({key: _texts(lines, key) for key in ("osm_id", *street_keys())})
    streets["geometry"] = _geometry(lines)
    streets = streets[streets["highway"].notna() & (streets["area"] != "yes")]
    streets = streets.assign(way_id=streets.pop("osm_id").astype("int64")).fillna("")
    return {
        "buildings": pd.DataFrame(
            buildings, columns=["osm_ref", "building", "levels_tag", "height_tag", "name", "geometry"]
        ),
        "landuse": pd.DataFrame(landuse, columns=["osm_ref", "key", "value", "name", "geometry"]),
        "pois": pd.DataFrame(pois, columns=["osm_ref", "kind", "name", "geometry"]),
        "streets": streets,
    }


#: What identifies a row of each layer, and the columns compared besides the geometry.
KEYED = {
    "buildings": (["osm_ref"], ["building", "name"]),
    "landuse": (["osm_ref", "key"], ["value", "name"]),
    "pois": (["osm_ref", "kind"], ["name"]),
    "streets": (["way_id"], ["highway", "name", "oneway", "maxspeed", "layer", "tunnel", "bridge", "access"]),
}


def layer_differences(current: pd.DataFrame, gdal: pd.DataFrame, name: str, examples: int = 3) -> list[str]:
    """How the current reader's layer ``name`` and GDAL's differ: rows only in one (by key), and of the
    rows in both, geometries (WKB equal; equal once normalised: ring start and direction, part
    order; topologically equal; different) and the compared columns."""
    import numpy as np
    import shapely

    key, compared = KEYED[name]
    a = current.drop_duplicates(key).set_index(key)
    b = gdal.drop_duplicates(key).set_index(key)
    found = [f"{name}: current {len(current):,} rows, gdal {len(gdal):,}"]
    only_a, only_b = a.index.difference(b.index), b.index.difference(a.index)
    for label, only in (("only current", only_a), ("only gdal", only_b)):
        if len(only):
            found.append(f"  {label}: {len(only):,} e.g. {list(only[:examples])}")
    both = a.index.intersection(b.index)
    x = np.asarray(a.loc[both, "geometry"].to_numpy(), dtype=object)
    y = np.asarray(b.loc[both, "geometry"].to_numpy(), dtype=object)
    same_wkb = shapely.to_wkb(x) == shapely.to_wkb(y)
    same_normal = shapely.to_wkb(shapely.normalize(x)) == shapely.to_wkb(shapely.normalize(y))
    same_shape = shapely.equals(x, y)
    normalised, shape = int((same_normal & ~same_wkb).sum()), int((same_shape & ~same_normal).sum())
    found.append(
        f"  in both {len(both):,}: geometry WKB-equal {int(same_wkb.sum()):,}, equal normalised "
        f"{normalised:,} more, topologically equal {shape:,} more, different {int((~same_shape).sum()):,}"
        + (f" e.g. {list(both[~same_shape][:examples])}" if (~same_shape).any() else "")
    )
    for column in compared:
        u = a.loc[both, column].fillna("").astype(str).to_numpy()
        v = b.loc[both, column].fillna("").astype(str).to_numpy()
        if (u != v).any():
            found.append(f"  {column}: {int((u != v).sum()):,} differ e.g. {list(both[u != v][:examples])}")
    return found
