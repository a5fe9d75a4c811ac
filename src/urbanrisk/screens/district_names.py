"""The name a planner uses for a key district, and where it came from.

A district found from crowd density was named after its first named crowd place: in Baltimore that
was a restaurant (Chipotle, McDonalds) where the neighbourhood (Harbor East, Fells Point) is mapped
as a ``place=neighbourhood`` node. The name is now the first of, in order:

1. a place node (``place=neighbourhood|suburb|quarter|village|hamlet``) inside the district, the
   nearest its centre; never one outside it, however near (BUPT's two districts were both named
   "装卸区 · …" after a ``place=suburb`` node 19 m and 94 m beyond their edges: a node names the place
   around it, and one outside names a place the district is not);
2. a named area (land use in :data:`AREA_VALUES`: a residential quarter, a campus, a hospital, a
   retail or commercial area) covering at least :data:`AREA_SHARE_MIN` of the district, the smallest
   such (the most specific);
3. the biggest named crowd venue that is not food or drink: transport hubs first, then by the size
   of its mapped outline;
4. the street with the most named length inside;
5. a food or drink venue (a restaurant's name, often a chain's, is the last resort).

Each district keeps the way its name was chosen (``name_source``), so a planner sees why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..clusters import place_order

PLACE_KINDS = ("neighbourhood_place", "village_place")
AREA_VALUES = ("residential", "commercial", "retail", "university", "college", "school", "hospital")
AREA_SHARE_MIN = 0.5
VENUE_PRIORITY = ("transport", "culture", "leisure", "education", "health", "commerce")
FOOD_KINDS = ("restaurant", "cafe", "bar", "nightclub")
METRES_PER_DEGREE = 111_320.0


def _metres(geometry: shapely.Geometry | np.ndarray, lat: float) -> float | np.ndarray:
    """Lengths in degrees to metres near latitude ``lat`` (ranks and words, not measures)."""
    return geometry * METRES_PER_DEGREE * np.sqrt(np.cos(np.radians(lat)))


class Indexed(NamedTuple):
    """Rows' geometries and names (and land-use values) as arrays, with a spatial index: a district
    reads its few rows by position (a frame's ``iloc`` and Arrow strings' takes per district were most of
    the naming's time: 16 tiles, ~6 ms a district)."""

    geometry: np.ndarray
    tree: shapely.STRtree
    names: np.ndarray
    values: np.ndarray | None


def _indexed(frame: gpd.GeoDataFrame | None) -> Indexed | None:
    """The frame's geometries, names and values with a spatial index of its geometries (None: nothing
    there)."""
    if frame is None or not len(frame):
        return None
    geometry = frame.geometry.to_numpy()
    values = frame["value"].to_numpy(dtype=object) if "value" in frame else None
    return Indexed(geometry, shapely.STRtree(geometry), frame["name"].to_numpy(dtype=object), values)


def _near(indexed: Indexed | None, outline, reach: float = 0.0) -> np.ndarray | None:
    """The positions of the rows whose boxes come within ``reach`` degrees of the outline's box, in
    row order (None: none)."""
    if indexed is None:
        return None
    found = np.sort(indexed.tree.query(outline.buffer(reach) if reach else outline))
    return found if len(found) else None


def _place_name(outline, centre, places: Indexed | None) -> tuple[str, str] | None:
    """The place node inside the outline nearest its centre (None: none inside)."""
    near = _near(places, outline)
    if near is None:
        return None
    points = places.geometry[near]
    inside = shapely.contains(outline, points)
    if inside.any():
        distance = shapely.distance(centre, points[inside])
        return str(places.names[near][inside][int(np.argmin(distance))]), "OSM place node inside"
    return None


def _meeting(outline, indexed: Indexed | None) -> tuple[np.ndarray, np.ndarray] | None:
    """The positions of the indexed rows that meet the outline and their intersections with it (None:
    none)."""
    near = _near(indexed, outline)
    if near is None:
        return None
    shapes = indexed.geometry[near]
    meet = shapely.intersects(outline, shapes)
    if not meet.any():
        return None
    return near[meet], shapely.intersection(outline, shapes[meet])


def _area_name(outline, areas: Indexed | None) -> tuple[str, str] | None:
    found = _meeting(outline, areas)
    if found is None:
        return None
    rows, inside = found
    share = shapely.area(inside) / max(outline.area, 1e-18)
    if share.max() < AREA_SHARE_MIN:
        return None
    size = np.where(share >= AREA_SHARE_MIN, shapely.area(areas.geometry[rows]), np.inf)
    best = int(np.argmin(size))  # the most specific: the smallest of those covering enough
    name, value = areas.names[rows[best]], areas.values[rows[best]]
    return str(name), f"named area (landuse={value}) covering {share[best]:.0%} of it"


Hit = tuple[str, str] | None


def venue_names(crowd: pd.DataFrame, kept: list) -> list[tuple[Hit, Hit]]:
    """Per kept district (``label`` of ``crowd``'s rows): its biggest named crowd venue that is not
    food or drink (transport hubs first, then by the size of its outline, then by name) and its first
    food or drink venue, as (name, source); all districts in one sort."""
    out: dict = {}
    if len(crowd):
        rank = crowd["group"].map({g: i for i, g in enumerate(VENUE_PRIORITY)}).fillna(len(VENUE_PRIORITY))
        table = crowd.assign(
            food=crowd["kind"].isin(FOOD_KINDS).to_numpy(),
            rank=rank.to_numpy(),
            minus=-crowd["size"].to_numpy(),
        )
        table = table.sort_values(["label", "food", "rank", "minus", "name"], kind="stable")
        for row in table.drop_duplicates(["label", "food"]).itertuples():
            what = "food or drink venue" if row.food else "biggest crowd venue"
            out[(row.label, bool(row.food))] = (str(row.name), f"{what} ({row.kind})")
    return [(out.get((key, False)), out.get((key, True))) for key in kept]


def _street_name(outline, streets, lat: float) -> tuple[str, str] | None:
    if callable(streets):  # stored layers: the streets of the district's box, read from the store
        found = _read_meeting(outline, streets)
    else:
        found = _meeting(outline, streets)
        found = None if found is None else (streets.names[found[0]], found[1])
    if found is None:
        return None
    name, length = _longest(*found)
    return str(name), f"street ({_metres(length, lat):.0f} m of its ways inside)"


def _longest(names: np.ndarray, lines: np.ndarray) -> tuple[object, float]:
    """The name whose lines are longest in all and that length, as pandas' group-by sum of each name's
    lengths gives them (in row order, each addition compensated: Kahan) and its stable descending sort
    picks (on a tie the first name in sorted order), without a frame per district.

    Examples
    --------
    >>> _longest(np.array(["b", "a", "b"], dtype=object), shapely.linestrings([[[0, 0], [1, 0]]] * 3))
    ('b', 2.0)
    >>> _longest(np.array(["b", "a"], dtype=object), shapely.linestrings([[[0, 0], [1, 0]]] * 2))
    ('a', 1.0)
    """
    sums: dict[object, tuple[float, float]] = {}  # name -> (sum, compensation)
    for name, length in zip(names.tolist(), shapely.length(lines).tolist(), strict=True):
        total, compensation = sums.get(name, (0.0, 0.0))
        if length != length:  # NaN: skipped, as pandas' sum skips it
            sums[name] = (total, compensation)
            continue
        step = length - compensation
        added = total + step
        sums[name] = (added, added - total - step)
    best = max(sorted(sums), key=lambda name: sums[name][0])  # the first of the longest, names sorted
    return best, sums[best][0]


def _read_meeting(outline, read: Callable[[tuple], Iterable[gpd.GeoDataFrame]]) -> tuple | None:
    """The names of the named streets ``read`` gives for the outline's box that meet the outline, and
    their intersections with it, as :func:`_meeting` finds them (None: none); on the rows' arrays, not
    frames (a district's few streets: pandas' per-call cost was most of it)."""
    names, lines = [], []
    for part in read(tuple(outline.bounds)):
        if part is not None and len(part) and "name" in part and "geometry" in part:
            names.append(part["name"].to_numpy(dtype=object))
            lines.append(part.geometry.to_numpy())
    if not names:
        return None
    names, lines = np.concatenate(names), np.concatenate(lines)
    named = np.fromiter((isinstance(name, str) and name != "" for name in names), bool, len(names))
    meet = named & shapely.intersects(outline, lines)
    if not meet.any():
        return None
    return names[meet], shapely.intersection(outline, lines[meet])


def _named_streets(streets: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The streets that have a name (None: no names or no geometries to measure)."""
    if streets is None or "name" not in streets or "geometry" not in streets or streets.geometry.isna().all():
        return None
    return streets[streets["name"].fillna("").astype(bool).to_numpy()]


def district_names(
    outlines: list,
    venues: list[tuple[Hit, Hit]],
    pois: gpd.GeoDataFrame | None,
    landuse: gpd.GeoDataFrame | None,
    streets: gpd.GeoDataFrame | Callable[[tuple], Iterable[gpd.GeoDataFrame]] | None,
) -> list[tuple[str, str]]:
    """(name, name_source) of each district outline, "" where nothing named is there.

    ``venues``: each district's biggest venue and food venue (:func:`venue_names`), ``pois`` every
    POI (its place nodes are read), ``landuse`` the land-use areas, ``streets`` the streets (with
    ``name``) or a reader of a box's stored streets, one frame at a time.
    """
    places = None
    if pois is not None and len(pois):
        places = pois[
            pois["kind"].isin(PLACE_KINDS).to_numpy() & pois["name"].fillna("").astype(bool).to_numpy()
        ]
    areas = None
    if landuse is not None and len(landuse):
        named = landuse["name"].fillna("").astype(bool).to_numpy()
        areas = landuse[named & landuse["value"].isin(AREA_VALUES).to_numpy()]
    if not callable(streets):
        streets = _indexed(_named_streets(streets))
    places, areas = _indexed(places), _indexed(areas)
    outlines, venues = list(outlines), list(venues)  # by position, whatever sequence they come in
    if len(outlines) != len(venues):
        msg = f"{len(outlines)} district outlines but {len(venues)} venue pairs"
        raise ValueError(msg)
    centres = shapely.centroid(np.asarray(outlines, dtype=object))
    out: list[list[tuple[str, str]]] = [[] for _ in outlines]
    # visited in place order (a stored street reader then reads each partition about once); named in
    # the outlines' order
    for i in place_order(np.column_stack([shapely.get_x(centres), shapely.get_y(centres)])):
        outline, centre, (venue, food) = outlines[i], centres[i], venues[i]
        tiers = (
            _place_name(outline, centre, places),
            _area_name(outline, areas),
            venue,
            _street_name(outline, streets, centre.y),
            food,
        )
        out[i] = [hit for hit in tiers if hit]
    return _distinct(out)


def _distinct(found: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """Each district's first name; a name that several districts share takes after a dot their next
    one that no other district took (two districts of one campus: "北京邮电大学 · 物美" and
    "北京邮电大学 · 国际学院").

    Examples
    --------
    >>> campus = [("U", "area"), ("Gate", "place")]
    >>> [name for name, _ in _distinct([campus + [("Hall", "venue")], campus + [("Clinic", "venue")], []])]
    ['U · Gate', 'U · Clinic', '']
    """
    firsts = pd.Series([hits[0][0] if hits else "" for hits in found])
    shared = firsts.duplicated(keep=False).to_numpy() & firsts.astype(bool).to_numpy()
    out, taken = [], set()
    for hits, again in zip(found, shared, strict=True):
        later = [hit for hit in hits[1:] if hit[0] != hits[0][0]] if again else []
        names = [f"{hits[0][0]} · {hit[0]}" for hit in later]
        free = [i for i, name in enumerate(names) if name not in taken]
        if not hits:
            out.append(("", ""))
        elif later:
            i = free[0] if free else 0
            taken.add(names[i])
            out.append((names[i], f"{hits[0][1]}; then {later[i][1]}"))
        else:
            out.append(hits[0])
    return out


def venue_sizes(crowd: gpd.GeoDataFrame) -> np.ndarray:
    """The area of each crowd place's mapped outline in square degrees (0 for a point)."""
    if "shape_wkb" not in crowd:
        return np.zeros(len(crowd))
    wkb = crowd["shape_wkb"].to_numpy()
    present = np.array([isinstance(w, bytes | bytearray) and len(w) > 0 for w in wkb], dtype=bool)
    sizes = np.zeros(len(crowd))
    if present.any():
        sizes[present] = shapely.area(shapely.from_wkb(wkb[present]))
    return sizes
