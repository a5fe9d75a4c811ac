"""Before a run (``urbanrisk validate``): registries in China that look like GCJ-02 / BD-09.

The run's check (:mod:`urbanrisk.datum_check`) compares every registry with the OSM places it loaded.
``urbanrisk validate`` loads no layer, so this reads lightly what that check needs: a CSV / Excel
registry's lon/lat and kinds as written, and the OSM features of those kinds only (pyosmium, nodes and
way centres; no geopandas or shapely), then asks :func:`urbanrisk.datum_check.datum_evidence` the same
question. Vector registries (GeoJSON, GeoPackage, Shapefile) in lon/lat are read as lightly
(:mod:`urbanrisk.layers.point_kinds`: json, sqlite3, struct). It says, never converts.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import LayerError
from .datum_check import MIN_POINTS, datum_evidence, datum_note
from .layers.coords import in_china
from .layers.lonlat_cell import dms_degrees
from .layers.point_coords import to_lonlat
from .layers.point_kinds import registry_points
from .layers.point_rows import datum_named_note
from .layers.tables import kind_of, osm_tag_table, registry_kind_names
from .layers.tabular import LAT_NAMES, LON_NAMES, TABULAR_SUFFIXES, guess_column, rows_from_file
from .recipe import Recipe

LONLAT = (None, "EPSG:4326", "epsg:4326", "4326", "WGS84")  # a crs under which the numbers are lon/lat
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".dbf")
Points = tuple[np.ndarray, np.ndarray, np.ndarray]
NONE: Points = (np.empty(0), np.empty(0), np.empty(0, dtype=str))


def _number(text: str) -> float:
    try:
        return float(unicodedata.normalize("NFKC", str(text)).strip())
    except ValueError:
        degrees = dms_degrees(str(text))  # 116°21′05″, as the run reads it
        return float("nan") if degrees is None else degrees


def _registry(spec: Any, names: dict[str, str], layer: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A table registry's lon, lat and kind per row as written (rows it cannot read left out)."""
    table = rows_from_file(spec.path, layer=layer, sheet=spec.sheet, encoding=spec.encoding)
    columns = list(table.columns)
    at = {
        key: columns.index(col)
        for key, col in (
            ("lon", spec.lon or guess_column(columns, LON_NAMES)),
            ("lat", spec.lat or guess_column(columns, LAT_NAMES)),
            ("kind", spec.kind_column),
        )
        if col in columns
    }
    if "lon" not in at or "lat" not in at or (spec.kind is None and "kind" not in at):
        return np.empty(0), np.empty(0), np.empty(0, dtype=str)
    lon = np.array([_number(row[at["lon"]]) for row in table.rows], dtype=float)
    lat = np.array([_number(row[at["lat"]]) for row in table.rows], dtype=float)
    given = [spec.kind if spec.kind is not None else row[at["kind"]] for row in table.rows]
    kinds = np.array([kind_of(str(value), names) or "" for value in given], dtype=str)
    keep = np.isfinite(lon) & np.isfinite(lat) & (kinds != "") & in_china(lon, lat)
    return lon[keep], lat[keep], kinds[keep]


def _geographic(crs: str | None) -> bool:
    """Whether a vector file's own CRS (None: none declared, GeoJSON's WGS84) gives lon/lat in degrees:
    only those can be a map service's GCJ-02 / BD-09 (a projected registry is left alone)."""
    if crs is None:
        return True
    from pyproj import CRS  # only for a vector registry that declares its CRS
    from pyproj.exceptions import CRSError

    try:
        return bool(CRS.from_user_input(crs).is_geographic)
    except CRSError:
        return False


def _vector_registry(spec: Any, names: dict[str, str], layer: str) -> Points:
    """A GeoJSON / GeoPackage / Shapefile registry's lon, lat and kind per Point feature, as written."""
    column = None if spec.kind is not None else spec.kind_column
    read = registry_points(
        spec.path, column=column, layer=layer, encoding=spec.encoding, file_layer=spec.file_layer
    )
    if read is None or not read[0]:
        return NONE
    found, own = read
    crs = own or spec.crs
    if not _geographic(crs):
        return NONE
    x, y, given = (np.array(v) for v in zip(*found, strict=True))
    lonlat = to_lonlat(x.astype(float), y.astype(float), crs)
    if lonlat is None:
        return NONE
    lon, lat = lonlat
    kinds = np.array([kind_of(spec.kind or str(v), names) or "" for v in given], dtype=str)
    keep = np.isfinite(lon) & np.isfinite(lat) & (kinds != "") & in_china(lon, lat)
    return lon[keep], lat[keep], kinds[keep]


def osm_places(path: str, kinds: set[str], tags: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """lon, lat and kind of the OSM nodes and ways (their nodes' mean) tagged as one of ``kinds``."""
    import osmium  # only when a registry in China is checked

    wanted = {(k, v): kind for (k, v), kind in tags["kind"].items() if kind in kinds}
    found: list[tuple[float, float, str]] = []
    if not wanted:
        return np.empty(0), np.empty(0), np.empty(0, dtype=str)
    keys = osmium.filter.KeyFilter(*sorted({k for k, _ in wanted}))  # only these objects reach Python
    for obj in osmium.FileProcessor(str(path)).with_locations().with_filter(keys):
        named = {wanted.get((t.k, t.v)) or wanted.get((t.k, "*")) for t in obj.tags} - {None}
        if not named or obj.is_relation():
            continue
        try:
            xy = [(obj.lon, obj.lat)] if obj.is_node() else [(n.lon, n.lat) for n in obj.nodes]
        except osmium.InvalidLocationError:  # a way whose nodes the extract cut off
            continue
        if xy:
            lon, lat = np.mean(xy, axis=0)
            found.extend((float(lon), float(lat), kind) for kind in named)
    if not found:
        return np.empty(0), np.empty(0), np.empty(0, dtype=str)
    lon, lat, kind = zip(*found, strict=True)
    return np.array(lon, dtype=float), np.array(lat, dtype=float), np.array(kind, dtype=str)


def _named_datum(name: str, spec: Any) -> list[str]:
    """The run's note on a table registry whose lon / lat columns name GCJ-02 or BD-09 (高德经度) while it
    reads them as WGS84 (:func:`urbanrisk.layers.point_rows.datum_named_note`)."""
    if spec.coords != "wgs84" or not spec.path.lower().endswith(TABULAR_SUFFIXES):
        return []
    lon, lat = spec.lon, spec.lat
    if not (lon and lat):  # guessed as the run guesses them: 高德经度 is found without `lon:`
        try:
            columns = rows_from_file(spec.path, layer=name, sheet=spec.sheet, encoding=spec.encoding).columns
        except (LayerError, OSError):
            return []  # the layer's check says why
        lon, lat = lon or guess_column(columns, LON_NAMES), lat or guess_column(columns, LAT_NAMES)
    if not (lon and lat):
        return []
    return datum_named_note(lon, lat, spec.coords, layer=name, file=Path(spec.path).name)


def datum_warnings(recipe: Recipe) -> list[str]:
    """The run's note for each table registry in China whose points look like another datum, checked
    against the recipe's OSM extracts (empty when there is none, or nothing to compare)."""
    osm = [spec.path for spec in recipe.layers.values() if spec.type == "osm"]
    registries = {
        name: spec
        for name, spec in recipe.layers.items()
        if spec.type == "points"
        and spec.crs in LONLAT
        and "://" not in spec.path
        and spec.path.lower().endswith((*TABULAR_SUFFIXES, *VECTOR_SUFFIXES))
    }
    named = [note for name, spec in registries.items() for note in _named_datum(name, spec)]  # 高德经度
    if not osm or not registries:
        return named
    tables = recipe.tables
    names = registry_kind_names(tables.hazard_kinds, tables.resource_kinds, tables.kind_aliases)
    points = {}
    for name, spec in registries.items():
        try:
            vector = spec.path.lower().endswith(VECTOR_SUFFIXES)
            read = (_vector_registry if vector else _registry)(spec, names[spec.role], name)
        except (LayerError, OSError, ValueError):
            continue  # the header check says why
        if len(read[0]) >= MIN_POINTS:
            points[name] = read
    if not points:
        return named
    wanted = set(np.concatenate([kinds for _, _, kinds in points.values()]).tolist())
    tags = osm_tag_table(tables.osm_tags)
    places = [osm_places(path, wanted, tags) for path in osm]
    olon, olat, okind = (np.concatenate([p[i] for p in places]) for i in range(3))
    notes = named
    for name, (lon, lat, kinds) in points.items():
        found = datum_evidence(lon, lat, kinds, olon, olat, okind, declared=registries[name].coords)
        note = datum_note(name, found)
        notes += [note] if note else []
    return notes
