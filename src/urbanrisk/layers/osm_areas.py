"""The areas of closed ways, assembled in columns from the pass's OPL text, as libosmium assembles them.

libosmium's area assembly (``MultipolygonManager.after_way`` and ``Assembler``) makes an area of every
closed way with at least four nodes, a tag, both ends located and no ``area=no``; none where a node
has no valid location; an empty one (an invalid area) where its ring cannot be built. A ring whose
locations are distinct (after dropping repeated consecutive ones) and which does not cross itself
takes libosmium's simple case: the ring starts at its smallest location (by lon, then lat, in its
7-decimal fixed point) and runs counter-clockwise. Those are built here with numpy and shapely, many
ways at a time; every other closed way (touching or crossing rings, spikes, too few locations) goes
through libosmium itself after the pass (:func:`assemble_rest`, one Python call per such area: a few
in a city). The multipolygons, and their WKB, are those pyosmium's ``WKBFactory`` writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from osmium.geom import WKBFactory

#: Tags an area's rows read (the tag table's keys come on top).
AREA_KEYS = ("area", "building", "building:levels", "height", "name", "brand", "landuse", "amenity")
_FIXED = 10_000_000  # libosmium's coordinate precision: 7 decimals
REST = "rest.opl"


@dataclass
class WayAreas:
    """The areas of one block of ways, in reading order.

    ``line`` is each way's position among all ways of the pass; ``owner``/``key``/``value`` its tags
    (each key's first value, the keys asked for only; ``owner`` indexes the areas); ``geometry`` the
    multipolygon, None where libosmium must assemble it (``rest``: those ways' OPL lines).
    """

    line: np.ndarray
    way_id: np.ndarray
    owner: np.ndarray
    key: pa.Array
    value: pa.Array
    geometry: np.ndarray
    rest: list[str]


def tag_triples(field: pa.Array, keys: pa.Array, decode: Callable[[pa.Array], pa.Array]) -> tuple:
    """Owner (row), key and value of each tag of ``keys`` in OPL tag fields (``T`` + ``k=v,...``),
    the first value where a key repeats; and how many tags each row has (any key)."""
    body = pc.utf8_slice_codeunits(field, 1)
    pairs = pc.split_pattern(body, ",")
    count = pc.list_value_length(pairs).to_numpy(zero_copy_only=False)
    count = np.where(pc.equal(body, "").to_numpy(zero_copy_only=False), 0, count)
    owner = pc.list_parent_indices(pairs)
    split = pc.split_pattern(pc.list_flatten(pairs), "=", max_splits=1)
    key = pc.list_element(split, 0)
    wanted = pc.is_in(key, keys)
    key, value, owner = key.filter(wanted), pc.list_element(split.filter(wanted), 1), owner.filter(wanted)
    owner = owner.to_numpy()
    if len(owner):  # each (owner, key) once, its first value: owners ascend, keys in text order
        code = pc.index_in(key, value_set=keys).to_numpy(zero_copy_only=False).astype(np.int64)
        pair = owner.astype(np.int64) * len(keys) + code
        if np.bincount(pair).max() > 1:  # a key repeated on a way (rare): its first value kept
            _, first = np.unique(pair, return_index=True)
            first.sort()
            index = pa.array(first)
            key, value, owner = key.take(index), value.take(index), owner[first]
    return owner, key, decode(value), count


def _first_value(owner: np.ndarray, key: pa.Array, value: pa.Array, name: str, n: int) -> np.ndarray:
    """Each row's value of ``name`` as an object array (None where absent)."""
    found = np.full(n, None, dtype=object)
    rows = np.flatnonzero(pc.equal(key, name).to_numpy(zero_copy_only=False))
    if len(rows):
        found[owner[rows]] = np.asarray(value.take(pa.array(rows)).to_pylist(), dtype=object)
    return found


def way_areas(
    way_id: np.ndarray,
    first_line: int,
    tags: tuple,
    counts: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    lines: pa.StringArray,
) -> WayAreas:
    """The areas libosmium makes of a block of ways (ids, tag triples from :func:`tag_triples` with
    ``area`` among the keys, node counts, lon/lat of their nodes, NaN where unlocated, and the ways'
    OPL lines), in reading order."""
    owner, key, value, tag_count = tags
    n = len(counts)
    ends = np.cumsum(counts)
    has = counts > 0
    head, tail = np.where(has, ends - counts, 0), np.where(has, ends - 1, 0)
    # both ends located at one location (the parsed doubles are the fixed-point values exactly)
    closed = has & (lon[head] == lon[tail]) & (lat[head] == lat[tail])
    area_no = _first_value(owner, key, value, "area", n) == "no"
    candidate = (counts >= 4) & closed & (tag_count >= 1) & ~area_no
    nodes = np.repeat(candidate, counts)
    x, y = np.rint(lon[nodes] * _FIXED), np.rint(lat[nodes] * _FIXED)
    with np.errstate(invalid="ignore"):  # NaN: unlocated, not valid
        valid = (np.abs(x) <= 180 * _FIXED) & (np.abs(y) <= 90 * _FIXED)
    chosen = np.flatnonzero(candidate)
    way_of_node = np.repeat(np.arange(len(chosen)), counts[chosen])
    located = np.bincount(way_of_node[~valid], minlength=len(chosen)) == 0
    # a way with an unlocated node gives no area at all
    chosen, nodes = chosen[located], located[way_of_node]
    keep = np.zeros(n, dtype=bool)
    keep[chosen] = True
    geometry, simple = _simple_rings(counts[chosen], x[nodes], y[nodes])
    rest = [lines[int(row)].as_py() for row in chosen[~simple]]
    kept_tags = keep[owner] if len(owner) else np.zeros(0, dtype=bool)
    renumber = np.cumsum(keep) - 1
    mask = pa.array(kept_tags)
    return WayAreas(
        line=first_line + chosen,
        way_id=way_id[keep],
        owner=renumber[owner[kept_tags]],
        key=key.filter(mask),
        value=value.filter(mask),
        geometry=geometry,
        rest=rest,
    )


def _simple_rings(counts: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Multipolygons of the closed ways whose ring is libosmium's simple case (None elsewhere), and
    which ways those are."""
    n = len(counts)
    geometry = np.full(n, None, dtype=object)
    if not n:
        return geometry, np.zeros(0, dtype=bool)
    way = np.repeat(np.arange(n), counts)
    # repeated consecutive locations are one vertex; the last vertex closes the ring
    repeat = np.zeros(len(x), dtype=bool)
    repeat[1:] = (x[1:] == x[:-1]) & (y[1:] == y[:-1]) & (way[1:] == way[:-1])
    repeat[np.cumsum(counts) - 1] = True
    vertex = ~repeat
    vway = way[vertex]
    m = np.bincount(vway, minlength=n)
    simple = m >= 3
    take = simple[vway]
    rings = _rings(x[vertex][take].astype(np.int64), y[vertex][take].astype(np.int64), m[simple])
    # a location twice (touching rings) or a crossing is not simple: GEOS's test, libosmium's case
    crossing = ~shapely.is_simple(rings)
    simple[np.flatnonzero(simple)[crossing]] = False
    rings = rings[~crossing]
    geometry[simple] = shapely.multipolygons(shapely.polygons(rings), indices=np.arange(len(rings)))
    return geometry, simple


def _rings(vx: np.ndarray, vy: np.ndarray, m: np.ndarray) -> np.ndarray:
    """libosmium's ring of each way (``m`` vertices, not closed): from its smallest location (lon, then
    lat), counter-clockwise; as linear rings."""
    rings = len(m)
    if not rings:
        return np.zeros(0, dtype=object)
    ends = np.cumsum(m)
    starts = ends - m
    ring = np.repeat(np.arange(rings), m)
    local = np.arange(len(vx)) - starts[ring]
    order_key = vx * (1 << 31) + (vy + (1 << 30))  # lon, then lat: fits in int64 (|lon| <= 1.8e9)
    smallest = np.minimum.reduceat(order_key, starts)
    first = np.flatnonzero(order_key == smallest[ring])
    shift = np.zeros(rings, dtype=np.int64)
    shift[ring[first[::-1]]] = local[first[::-1]]  # the first where a location repeats (not simple)
    # twice the signed area in fixed point, as libosmium sums it (int64, wrapping as C++ does)
    nxt = np.where(local + 1 < m[ring], np.arange(len(vx)) + 1, starts[ring])
    with np.errstate(over="ignore"):
        ccw = np.add.reduceat(vx * vy[nxt] - vy * vx[nxt], starts) > 0
    step = np.where(ccw[ring], local, -local)  # clockwise rings walk backwards from their start
    position = starts[ring] + (shift[ring] + step) % m[ring]
    position = np.insert(position, ends, starts + shift)  # each ring closed on its start
    coords = np.column_stack([vx[position] / _FIXED, vy[position] / _FIXED])
    return shapely.linearrings(coords, indices=np.repeat(np.arange(rings), m + 1))


class _AreaHandler:
    def __init__(self, found: dict[int, bytes | None]) -> None:
        self.found = found
        self.wkb = WKBFactory()

    def area(self, obj: osmium.osm.Area) -> None:
        try:
            self.found[obj.orig_id()] = bytes.fromhex(self.wkb.create_multipolygon(obj))
        except (osmium.InvalidLocationError, RuntimeError):
            self.found[obj.orig_id()] = None


def assemble_rest(lines: list[str], folder: Path) -> dict[int, bytes | None]:
    """The areas libosmium assembles of closed ways (their OPL lines, with node locations) the simple
    case does not cover: WKB by way id, None where the area is invalid (empty)."""
    found: dict[int, bytes | None] = {}
    if not lines:
        return found
    path = folder / REST
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    manager = osmium.area.AreaManager()
    handler = _AreaHandler(found)
    with osmium.io.Reader(str(path), osmium.osm.WAY) as reader:
        osmium.apply(reader, manager.second_pass_handler(handler))
    return found
