"""The map's context layers (no basemap offline): building footprints and streets, within a budget.

A map must open quickly in a browser whatever the size of the run, and a context layer must look the
same everywhere on it: drawn whole, or left out with a note, never "the first N in the box" (which drew
one corner of a metropolis). Buildings are drawn when there are at most :data:`MAX_BUILDINGS`;
streets by class, most important first (motorways to service roads, then paths), whole classes as
long as they fit :data:`MAX_STREET_VERTICES`. Which classes are read at all comes from the whole
layer's counts (at least 2 vertices a street), which both ingest modes hold in the driver (in-memory
frames; the stores' manifests and the streets' highway column); the vertices of those within the map's
box then decide, so that both modes draw the same map (an area much smaller than its extract may
lose a class that would have fit). Stored rows are read partition by partition, keeping only what
is drawn. Everything left out is in ``risk.gpkg`` (layers ``buildings``, ``streets``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

from ..result import Layers

#: Most building footprints the map draws (about 150 bytes each in the page); above, none.
MAX_BUILDINGS = 15_000
#: Most street vertices the map draws (about 20 bytes each): whole classes that fit, most important first.
MAX_STREET_VERTICES = 60_000
#: Street classes (OSM highway values) by importance; other values (paths, footways...) come last.
STREET_CLASSES = (
    ("motorway", "motorway_link", "trunk", "trunk_link"),
    ("primary", "primary_link"),
    ("secondary", "secondary_link"),
    ("tertiary", "tertiary_link"),
    ("residential", "unclassified", "living_street", "road"),
    ("service",),
)
#: Coordinates on the map are rounded to 1e-5 degree (about 1 m).
DECIMALS = 5


def coordinate_lists(geometries: np.ndarray, decimals: int = DECIMALS) -> list[list[list[float]]]:
    """[[lon, lat], ...] of each non-empty geometry, vectorised, rounded to ``decimals`` (1e-5°: ~1 m).

    Examples
    --------
    >>> coordinate_lists(np.array([shapely.LineString([(116.1, 39.9), (116.2, 39.950004)])]))
    [[[116.1, 39.9], [116.2, 39.95]]]
    """
    coords, index = shapely.get_coordinates(geometries, return_index=True)
    if not len(coords):
        return []
    ends = [*(np.flatnonzero(np.diff(index)) + 1).tolist(), len(coords)]
    pairs = np.round(coords, decimals).tolist()  # one list, sliced: not an array per geometry
    return [pairs[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def street_rank(highway: pd.Series) -> np.ndarray:
    """Each street's class in :data:`STREET_CLASSES` (0 most important; the rest ``len(STREET_CLASSES)``).

    Examples
    --------
    >>> street_rank(pd.Series(["primary", "footway", "motorway_link"])).tolist()
    [1, 6, 0]
    """
    ranks = {value: i for i, values in enumerate(STREET_CLASSES) for value in values}
    codes, values = pd.factorize(highway)  # each distinct value looked up once (700k streets: 1.5 s)
    lookup = np.array([ranks.get(v, len(STREET_CLASSES)) for v in values] + [len(STREET_CLASSES)], dtype=int)
    return lookup[codes]  # code -1 (missing): the last


def _class_names(rank: int) -> str:
    return ", ".join(values[0] for values in STREET_CLASSES[: rank + 1])


def _in_box(frame: gpd.GeoDataFrame | None, bounds: tuple[float, ...]) -> gpd.GeoDataFrame | None:
    if frame is None or not len(frame):
        return None
    minx, miny, maxx, maxy = bounds
    return frame.cx[minx:maxx, miny:maxy]


def _buildings(layers: Layers, bounds: tuple[float, ...]) -> tuple[gpd.GeoDataFrame | None, int]:
    """The buildings to draw (None: none) and how many the layer has."""
    store = layers.store
    total = store.count("buildings") if store is not None else len(layers.buildings)
    if total > MAX_BUILDINGS or not total:
        return None, total
    if store is not None:
        frame = store.read("buildings", bounds)
        return (frame.sort_index(kind="stable") if frame is not None else None), total
    return layers.buildings, total


def _streets(layers: Layers, bounds: tuple[float, ...]) -> tuple[gpd.GeoDataFrame | None, str]:
    """The streets to draw (whole classes that fit the budget) and the note when some are left out."""
    highway = layers.streets["highway"] if "highway" in layers.streets.columns else None
    if highway is None or not len(highway):
        return None, ""
    ranks = street_rank(highway)
    counts = np.bincount(ranks, minlength=len(STREET_CLASSES) + 1)
    # a street has at least 2 vertices: classes whose streets cannot fit are not read at all
    top = int(np.searchsorted(np.cumsum(counts) * 2, MAX_STREET_VERTICES, side="right")) - 1
    kept_ids = highway.index[ranks <= top]
    if top < 0:
        frame = None
    elif layers.store is not None:  # stored: read partition by partition, keep the candidate classes
        parts = [part[part.index.isin(kept_ids)] for part in layers.store.parts("streets", tuple(bounds))]
        frame = pd.concat(parts).sort_index(kind="stable") if parts else None
    else:
        frame = layers.streets.loc[kept_ids]
    frame = _in_box(frame, bounds)
    if frame is not None and len(frame):  # whole classes while their vertices fit the budget
        vertices = shapely.get_num_coordinates(frame.geometry.to_numpy())
        per_class = np.bincount(
            ranks[highway.index.get_indexer(frame.index)], weights=vertices, minlength=top + 1
        )
        top = int(np.searchsorted(np.cumsum(per_class), MAX_STREET_VERTICES, side="right")) - 1
        frame = frame[ranks[highway.index.get_indexer(frame.index)] <= top]
    if top >= len(STREET_CLASSES):
        return frame, ""
    shown = f"only {_class_names(top)} streets shown" if top >= 0 else "no street shown"
    return frame, (
        f"{len(highway):,} streets are too many for a smooth map: {shown} "
        "(all streets in risk.gpkg, layer streets)"
    )


def context_layers(layers: Layers | None, bounds: tuple[float, ...]) -> tuple[list[pdk.Layer], list[str]]:
    """Building footprints and streets within ``bounds`` for context, and notes on what is left out."""
    if layers is None:
        return [], []
    out, notes = [], []
    buildings, total = _buildings(layers, bounds)
    buildings = _in_box(buildings, bounds)
    if buildings is not None and len(buildings):
        polys = buildings.geometry.explode(index_parts=False).to_numpy()
        polys = polys[(shapely.get_type_id(polys) == 3) & ~shapely.is_empty(polys)]  # 3: Polygon
        data = [{"polygon": [ring]} for ring in coordinate_lists(shapely.get_exterior_ring(polys))]
        out.append(
            pdk.Layer(
                "PolygonLayer",
                data=data,
                id="buildings",
                get_polygon="polygon",
                get_fill_color=[120, 120, 120, 90],
                stroked=False,
                pickable=False,
            )
        )
    elif total > MAX_BUILDINGS:
        notes.append(
            f"{total:,} buildings are too many for a smooth map: not drawn (in risk.gpkg, layer buildings)"
        )
    streets, note = _streets(layers, bounds)
    notes += [note] if note else []
    if streets is not None and len(streets):
        lines = streets.geometry.to_numpy()
        lines = lines[(shapely.get_type_id(lines) == 1) & ~shapely.is_empty(lines)]  # 1: LineString
        out.append(
            pdk.Layer(
                "PathLayer",
                data=[{"path": path} for path in coordinate_lists(lines)],
                id="streets",
                get_path="path",
                get_color=[90, 90, 90, 160],
                width_min_pixels=1,
                get_width=2,
                pickable=False,
            )
        )
    return out, notes
