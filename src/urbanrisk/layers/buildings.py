"""Buildings completed from their OSM tags: use (untyped ones from the land use around), storeys,
floor area, and footprints measured in the UTM zone of the layer."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from .coords import utm_crs

CRS = "EPSG:4326"
#: a number as OSM's taggers write one; its exponent too (``1e308`` storeys were read as 1)
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?")


def parse_levels(text: object) -> float:
    """Storeys from a ``building:levels`` value; NaN when absent or absurd.

    Examples
    --------
    >>> parse_levels("6"), parse_levels("5;7"), parse_levels("3.5"), parse_levels("many")
    (6.0, 5.0, 3.5, nan)
    >>> parse_levels("1e308"), parse_levels("1.2e1")  # absurd, not 1 storey; 12
    (nan, 12.0)
    """
    if not isinstance(text, str) or not text:
        return float("nan")
    match = _NUMBER.search(text)
    if not match:
        return float("nan")
    value = float(match.group().replace(",", "."))
    return value if 0 < value <= 200 else float("nan")


#: a ``building:levels`` value that is a number alone (``6``, `` 3.5 ``): read as it is, nothing to say
_PLAIN = re.compile(r"\s*\d+(?:\.\d+)?\s*")
#: the read's stats key of a value that holds no plausible number of storeys, of one read loosely
LEVELS_IGNORED, LEVELS_LOOSE = "building_levels_ignored", "building_levels_read_loosely"


@functools.lru_cache(maxsize=4096)
def levels_reading(text: str | None) -> str | None:
    """How :func:`parse_levels` reads a ``building:levels`` value, when it is not a plain number: the
    stats key counting it (:data:`LEVELS_IGNORED`: none read, the height or the type's default used;
    :data:`LEVELS_LOOSE`: the first number of more text read), else None.

    >>> [levels_reading(t) for t in ("6", "1e20", "-2", "NaN", "inf", "0", "3;4", "5 floors", None)]
    [None, 'building_levels_ignored', 'building_levels_ignored', 'building_levels_ignored', \
'building_levels_ignored', 'building_levels_ignored', 'building_levels_read_loosely', \
'building_levels_read_loosely', None]
    """
    if text is None or (_PLAIN.fullmatch(text) and 0 < float(text) <= 200):
        return None
    return LEVELS_IGNORED if np.isnan(parse_levels(text)) else LEVELS_LOOSE


def storeys_notes(stats: dict[str, dict], files: dict[str, str]) -> list[str]:
    """The run's notes on the ``building:levels`` values of each OSM layer's extract (``stats``: the
    layers' read stats by name, ``files``: their paths) that were no plain number of storeys."""
    notes = []
    for name, counts in stats.items():
        file = Path(files.get(name, name)).name
        if ignored := counts.get(LEVELS_IGNORED, 0):
            notes.append(
                f"{name}: {ignored:,} building(s) of {file} tag building:levels with no plausible number of "
                "storeys (0 or fewer, above 200, 1e20, NaN, inf, words): ignored, their height or their "
                "type's default storeys used instead; check those tags"
            )
        if loose := counts.get(LEVELS_LOOSE, 0):
            notes.append(
                f"{name}: {loose:,} building(s) of {file} tag building:levels with more than a number "
                "(3;4, 5 floors): the first number read (3, 5); check those tags"
            )
    return notes


def _parsed(texts: pd.Series) -> pd.Series:
    """:func:`parse_levels` of each text, parsed once per distinct text (NaN where there is none)."""
    found = {text: parse_levels(text) for text in texts.dropna().unique()}
    return texts.map(found).astype(float)


@functools.cache
def wgs84() -> pyproj.CRS:
    """EPSG:4326 parsed once (pyproj takes ~20 ms per parse; a streaming read builds many frames)."""
    return pyproj.CRS.from_user_input(CRS)


@functools.lru_cache(maxsize=8)
def _to_metres(crs: str) -> pyproj.Transformer:
    """EPSG:4326 -> ``crs``, made once per zone (~20 ms each; the streaming ingest completes its
    buildings partition by partition), as geopandas caches its own for ``to_crs``."""
    return pyproj.Transformer.from_crs(wgs84(), pyproj.CRS.from_user_input(crs), always_xy=True)


def footprints(geometry: np.ndarray, crs: str, chunk: int = 1 << 14) -> np.ndarray:
    """Areas (m²) of EPSG:4326 polygons projected to ``crs``: what ``to_crs(crs).area`` gives, the
    same coordinates transformed the same way, a chunk at a time (no projected copy of every polygon)."""
    transformer = _to_metres(crs)
    areas = np.empty(len(geometry))
    for start in range(0, len(geometry), chunk):
        part = geometry[start : start + chunk].copy()
        coords = shapely.get_coordinates(part)
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        areas[start : start + chunk] = shapely.area(shapely.set_coordinates(part, np.column_stack([x, y])))
    return areas


def footprint_crs(total_bounds: np.ndarray | tuple[float, ...]) -> str:
    """The UTM zone in which footprints are measured: the one at the centre of all buildings' bounds."""
    west, south, east, north = (float(v) for v in total_bounds)
    return utm_crs((west + east) / 2, (south + north) / 2)


_AREA_COLUMNS = ["use", "default_levels", "residential_share", "priority", "geometry"]


def landuse_areas(landuse: gpd.GeoDataFrame, context: pd.DataFrame) -> gpd.GeoDataFrame:
    """The land-use rows the context table gives a use (its columns merged in), in the land use's
    order and with its index: what untyped buildings take their use from."""
    if not len(landuse):
        return gpd.GeoDataFrame({c: [] for c in _AREA_COLUMNS[:-1]}, geometry=[], crs=landuse.crs)
    areas = landuse.reset_index(names="_landuse_row").merge(context, on=["key", "value"])
    return areas.set_index("_landuse_row").rename_axis(landuse.index.name)[_AREA_COLUMNS]


def complete_buildings(
    gdf: gpd.GeoDataFrame,
    building_types: pd.DataFrame,
    landuse: gpd.GeoDataFrame | None,
    context: pd.DataFrame | None,
    *,
    crs: str | None = None,
    areas: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Buildings with use, storeys and floor area; untyped ones take their use from the area around.

    Row by row, given ``landuse`` (any rows that hold every area containing a building's representative
    point, in reading order) and the metric ``crs`` of the footprints (default: the UTM zone of the
    buildings' centre, :func:`footprint_crs`): a subset of the buildings completes as in the whole.
    ``areas``, when given, is :func:`landuse_areas` of such land use made beforehand (the streaming
    ingest merges each land-use partition once, not once per building partition around it); ``landuse``
    and ``context`` are then not used.
    """
    if not len(gdf):
        for col in ("use", "levels", "levels_source", "residential_share", "footprint_m2", "floor_area_m2"):
            gdf[col] = pd.Series(dtype="float64" if col not in ("use", "levels_source") else "str")
        return gdf
    known = gdf["building"].where(gdf["building"].isin(building_types.index), "yes")
    typed = building_types.reindex(known.to_numpy())
    use = pd.Series(typed["use"].to_numpy(), index=gdf.index)
    default_levels = pd.Series(typed["default_levels"].to_numpy(), index=gdf.index)
    share = pd.Series(typed["residential_share"].to_numpy(), index=gdf.index)
    untyped = known == "yes"
    if untyped.any():
        areas = landuse_areas(landuse, context) if areas is None else areas
        if len(areas):
            points = gpd.GeoDataFrame(geometry=gdf.geometry[untyped].representative_point(), crs=wgs84())
            hits = gpd.sjoin(points, areas, predicate="within", how="inner")
            best = hits.sort_values("priority").groupby(level=0).first()
            use.loc[best.index] = best["use"]
            default_levels.loc[best.index] = best["default_levels"]
            share.loc[best.index] = best["residential_share"]
    levels, heights = (_parsed(gdf[column]) for column in ("levels_tag", "height_tag"))  # heights: metres
    source = np.where(levels.notna(), "tag", np.where(heights.notna(), "height", "default"))
    levels = levels.fillna(np.maximum(1.0, np.round(heights / 3.0))).fillna(default_levels)
    footprint = footprints(gdf.geometry.to_numpy(), crs or footprint_crs(gdf.total_bounds))
    gdf = gdf.drop(columns=["levels_tag", "height_tag"])
    gdf["use"] = use.astype(str)
    gdf["levels"] = levels.astype(float)
    gdf["levels_source"] = source
    gdf["residential_share"] = share.astype(float)
    gdf["footprint_m2"] = footprint
    gdf["floor_area_m2"] = gdf["footprint_m2"] * gdf["levels"]
    return gdf
