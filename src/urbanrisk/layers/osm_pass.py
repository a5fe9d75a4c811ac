"""The pass over an OSM extract, with as little Python per object as libosmium allows.

One libosmium pass (:func:`run_pass`) keeps node locations and assembles areas, as pyosmium's
``FileProcessor`` does, but only two kinds of objects reach Python, one call each: every tagged
**area** (buildings, land use, POI outlines) and the tagged **nodes** with a key of the tag table (POI
points). Everything else stays in C++: libosmium's OPL writer puts into a temporary folder

- ``tagged.opl``: every tagged node, way and relation, for the stats (their count and newest
  timestamp) without a Python call each;
- ``streets.opl``: the ``highway=*`` ways with their nodes' ids and locations (``Nn1x116.3y39.9,...``),
  which :func:`street_batches` turns into columns with pyarrow and numpy, many ways at a time: no
  Python work per way or per node.

The rows are those the per-object reader made (same values, same order): coordinates are printed
exactly (OSM locations are 7-decimal fixed point) and parse back to the same doubles, and tag text is
unescaped from OPL's ``%hex%`` form.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from .._errors import LayerError
from .osm_ids import RepeatedIds, repeated_message
from .osm_ids import opl_lines as _lines

TAGGED = "tagged.opl"
STREETS = "streets.opl"
_ESCAPED = re.compile(r"%([0-9a-fA-F]+)%")


class _Handler:
    """Hands the objects that reach Python to one callback (pyosmium calls ``node`` / ``area``)."""

    def __init__(self, add: Callable[[osmium.osm.OSMObject], None], kind: str) -> None:
        setattr(self, kind, add)


def run_pass(
    path: Path,
    folder: Path,
    node_tags: tuple[tuple[str, str], ...],
    add_area: Callable[[osmium.osm.Area], None],
    add_node: Callable[[osmium.osm.Node], None],
    add_relation: Callable[[osmium.osm.Relation], None] | None = None,
    *,
    texts: bool = True,
) -> None:
    """One pass over ``path``: tagged areas to ``add_area``, nodes with one of ``node_tags`` (key,
    value; value ``*``: any) to ``add_node``, in reading order as ``FileProcessor`` yields them; the
    OPL texts into ``folder`` (``texts``; else none: :func:`text_pass` writes them in a pass of its
    own). Before it, the relations with a ``building`` tag to ``add_relation`` (read with the
    relations libosmium assembles areas of).

    Raises
    ------
    RuntimeError, ValueError, osmium.InvalidLocationError
        When libosmium cannot read the file.
    """
    areas = osmium.area.AreaManager()
    first = [areas.first_pass_handler()]
    if add_relation is not None:
        first += [osmium.filter.KeyFilter("building"), _Handler(add_relation, "relation")]
    with osmium.io.Reader(str(path), osmium.osm.RELATION) as reader:
        osmium.apply(reader, *first)
    locations = _locations()
    if not node_tags:
        poi_nodes = osmium.filter.EntityFilter(osmium.osm.WAY)  # no node reaches Python
    elif any(value == "*" for _, value in node_tags):
        poi_nodes = osmium.filter.KeyFilter(*dict.fromkeys(key for key, _ in node_tags))
    else:
        poi_nodes = osmium.filter.TagFilter(*node_tags)
    poi_nodes.enable_for(osmium.osm.NODE)
    assembly = areas.second_pass_handler(osmium.filter.EmptyTagFilter(), _Handler(add_area, "area"))
    to_python = (poi_nodes, osmium.filter.EntityFilter(osmium.osm.NODE), _Handler(add_node, "node"))
    if not texts:
        with osmium.io.Reader(str(path)) as reader:
            osmium.apply(reader, locations, assembly, *to_python)
        return
    tagged, streets = _text_writers(folder)
    street_ways = osmium.filter.KeyFilter("highway")
    street_ways.enable_for(osmium.osm.WAY)
    # every handler is held here: pyosmium's chain does not keep them alive
    chain = (
        locations,
        assembly,
        osmium.filter.EmptyTagFilter(),
        tagged,
        street_ways,
        to_python[0],
        osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY),
        streets,
        *to_python[1:],
    )
    _apply_writing(path, chain, tagged, streets)


def _locations() -> osmium.NodeLocationsForWays:
    """The node locations a pass keeps for its ways (unlocated nodes are no error: counted later)."""
    locations = osmium.NodeLocationsForWays(osmium.index.create_map("flex_mem"))
    locations.ignore_errors()
    return locations


def _text_writers(folder: Path) -> tuple[osmium.SimpleWriter, osmium.SimpleWriter]:
    """The writers of ``tagged.opl`` and ``streets.opl`` in ``folder``."""
    # buffers of 1 MB, not 4: the same speed, 30 MB less at 256 tiles
    tagged = osmium.SimpleWriter(osmium.io.File(str(folder / TAGGED), "opl,add_metadata=timestamp"), 1 << 20)
    streets = osmium.SimpleWriter(
        osmium.io.File(str(folder / STREETS), "opl,add_metadata=false,locations_on_ways=true"), 1 << 20
    )
    return tagged, streets


def text_pass(path: Path, folder: Path) -> None:
    """A pass over ``path`` that writes only :func:`run_pass`'s OPL texts into ``folder``: every tagged
    object to ``tagged.opl``, the ``highway=*`` ways with their nodes' locations to ``streets.opl``
    (without the POI nodes :func:`run_pass` also writes there, which :func:`street_batches` skips). No
    object reaches Python: run beside a :func:`run_pass` with ``texts=False``, the two make its texts
    and callbacks.

    Raises
    ------
    RuntimeError, ValueError, osmium.InvalidLocationError
        When libosmium cannot read the file.
    """
    locations = _locations()
    tagged, streets = _text_writers(folder)
    street_ways = osmium.filter.KeyFilter("highway")
    street_ways.enable_for(osmium.osm.WAY)
    chain = (
        locations,
        osmium.filter.EmptyTagFilter(),
        tagged,
        street_ways,
        osmium.filter.EntityFilter(osmium.osm.WAY),
        streets,
    )
    _apply_writing(path, chain, tagged, streets)


def _apply_writing(path: Path, chain: tuple[Any, ...], *writers: osmium.SimpleWriter) -> None:
    """Apply ``chain`` to ``path``, then close the ``writers`` in it (quietly when the pass failed: its
    own error is the one raised)."""
    try:
        with osmium.io.Reader(str(path)) as reader:
            osmium.apply(reader, *chain)
    except BaseException:
        _close_writers(*writers, quiet=True)
        raise
    _close_writers(*writers)


def _close_writers(*writers: osmium.SimpleWriter, quiet: bool = False) -> None:
    """Close the pass's writers, raising the first one's error unless ``quiet``. A writer whose thread failed
    (a node at lat 91: an invalid location on a way) stays in libosmium's error state, and freeing it throws
    in C++: std::terminate aborted the process (exit 134) after the run had printed its clear message. Such
    a writer is kept, never freed (one buffer, once)."""
    failed = None
    for writer in writers:
        try:
            writer.close()
        except (RuntimeError, ValueError, osmium.InvalidLocationError) as exc:
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(writer))
            failed = failed or exc
    if failed is not None and not quiet:
        raise failed


def tag_dict(obj: osmium.osm.OSMObject) -> dict[str, str]:
    """An object's tags as a dict (the first value where a key repeats).

    Read through the C++ object behind pyosmium's (4.x) Python one: its tag iterator costs ~5 µs a
    tag in Python wrappers, this ~1 µs, and areas and nodes are read by the hundred thousand.
    """
    data = obj._pyosmium_data
    found: dict[str, str] = {}
    cursor, step = data.tags_begin(), data.tags_next
    for _ in range(data.tags_size()):
        key, value = step(cursor)
        if key not in found:
            found[key] = value
    return found


def header_bounds(path: Path) -> tuple[float, float, float, float] | None:
    """The extract's declared bounds (its header box), or None."""
    header = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING).header()
    box = header.box()
    if not box.valid():
        return None
    return (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)


@contextlib.contextmanager
def system_arrow_pool() -> Iterator[None]:
    """Arrow's allocations from the C library's heap (its system pool) while the OPL text is parsed,
    the default pool again after. The parse's buffers, freed block by block, otherwise stay with
    mimalloc (pyarrow's default), most of them allocated on Arrow's reader threads and never handed
    back: ~45 MB more at the end of a 64-tile read. (Process-wide while it lasts: Arrow work on other
    threads meanwhile takes the system pool too, which changes no value; each buffer is freed by the
    pool that made it.)"""
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(before)


def tagged_summary(folder: Path, path: Path | None = None) -> tuple[int, int]:
    """How many tagged nodes, ways and relations the pass wrote, and the newest of their timestamps
    (seconds since 1970; 0 when none is set).

    Raises
    ------
    LayerError
        When the extract at ``path`` (given) holds a tagged object more than once
        (:func:`~urbanrisk.layers.osm_ids.repeated_message`).
    """
    count, newest, ids = 0, "", RepeatedIds()
    for lines in _lines(folder / TAGGED, 1 << 20):
        count += len(lines)
        stamps = pc.extract_regex(lines, r" t(?P<t>\S*)").field("t")  # "" or "2017-06-24T10:40:54Z"
        newest = max(newest, pc.max(stamps).as_py() or "")
        ids.add(lines)
    if path is not None and (repeated := repeated_message(path, ids.repeated())) is not None:
        raise LayerError(repeated)
    if not newest:
        return count, 0
    return count, int(np.datetime64(newest.rstrip("Z"), "s").astype(np.int64))


def _decoded(text: pa.Array) -> pa.Array:
    """Strings with OPL's ``%hex%`` escapes decoded (only the few that hold one take Python work)."""
    escaped = pc.fill_null(pc.match_substring(text, "%"), False)
    if not pc.any(escaped).as_py():
        return text
    found = text.filter(escaped)
    distinct = pc.unique(found)  # streets share names: each text decoded once
    unescaped = [_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value) for value in distinct.to_pylist()]
    decoded = pa.array(unescaped, pa.string()).take(pc.index_in(found, value_set=distinct))
    return pc.replace_with_mask(text, escaped, decoded)


@dataclass
class StreetBatch:
    """Street ways read from the OPL text: ids, the wanted tags, node ids and geometry.

    ``tags`` are Arrow strings, null where a way has no such tag. ``missing`` counts the ways dropped
    for a node without a (valid) location or fewer than two nodes, as creating their linestring fails
    in pyosmium; ``unplaced`` the street ways none of whose nodes has a location (a file whose ways
    come before their nodes: not sorted); ``streets`` every street way read, kept or dropped.
    """

    way_id: np.ndarray
    tags: dict[str, pa.Array]
    node_ids: list[list[int]]
    geometry: np.ndarray
    missing: int
    unplaced: int = 0
    streets: int = 0


def _tag_columns(field: pa.Array, n: int, keys: tuple[str, ...]) -> dict[str, pa.Array]:
    """The value of each of ``keys`` per way (null where absent; the first one where repeated)."""
    keys = tuple(dict.fromkeys(keys))  # a key asked twice is one column
    pairs = pc.split_pattern(pc.utf8_slice_codeunits(field, 1), ",")
    owner = pc.list_parent_indices(pairs)
    split = pc.split_pattern(pc.list_flatten(pairs), "=", max_splits=1)
    # a wanted key needs no escape: a key written escaped is none of them
    code = pc.index_in(pc.list_element(split, 0), value_set=pa.array(keys))
    wanted = pc.is_valid(code)
    code, value, owner = code.filter(wanted), pc.list_element(split, 1).filter(wanted), owner.filter(wanted)
    value = _decoded(value)
    # each (way, key) once, its first value: tokens are in order, so np.unique's first index is it
    found, first = np.unique(code.to_numpy().astype(np.int64) * n + owner.to_numpy(), return_index=True)
    bounds = np.searchsorted(found, np.arange(len(keys) + 1) * n)
    columns = {}
    for number, name in enumerate(keys):
        ways = found[bounds[number] : bounds[number + 1]] - number * n
        if not len(ways):
            columns[name] = pa.nulls(n, value.type)
            continue
        index = np.zeros(n, dtype=np.int64)
        index[ways] = first[bounds[number] : bounds[number + 1]]
        present = np.zeros(n, dtype=bool)
        present[ways] = True
        columns[name] = value.take(pa.array(index, mask=~present))
    return columns


def _nodes(field: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Node count, ids, lon and lat (NaN where unlocated) of ``N<id>x<lon>y<lat>,...`` fields."""
    # "Nn1x116.3y39.9,n2xy" -> "Nn1,116.3,39.9,n2,,": three items a node ("N" alone: no node at all);
    # the field's "N" is trimmed from the ids, not sliced off the long field (a walk of its UTF-8)
    items = pc.split_pattern(pc.replace_substring(pc.replace_substring(field, "x", ","), "y", ","), ",")
    lengths = pc.list_value_length(items).to_numpy().astype(np.int64)
    counts = lengths // 3
    flat = pc.list_flatten(items)
    del items
    if (lengths == 1).any():  # a way without nodes has one item, "N": dropped
        flat = flat.filter(pa.array(np.repeat(lengths != 1, lengths)))
    ids = pc.cast(pc.utf8_ltrim(flat.take(pa.array(np.arange(0, len(flat), 3))), characters="Nn"), pa.int64())
    ids = ids.to_numpy()
    lonlat = []
    for start in (1, 2):
        text = flat.take(pa.array(np.arange(start, len(flat), 3)))
        value = pc.cast(pc.if_else(pc.equal(text, ""), None, text), pa.float64())
        lonlat.append(value.to_numpy(zero_copy_only=False))
    return counts, ids, lonlat[0], lonlat[1]


def _parse_ways(lines: pa.StringArray, keys: tuple[str, ...]) -> StreetBatch:
    # the text holds the nodes, then the ways: a block is all ways but where they begin (no copy then)
    way = pc.starts_with(lines, "w")
    fields = pc.split_pattern(
        lines if pc.all(way).as_py() else lines.filter(way), " "
    )  # "w<id>", "T<tags>", "N<nodes>"
    way_id = pc.cast(pc.utf8_slice_codeunits(pc.list_element(fields, 0), 1), pa.int64()).to_numpy()
    tags = _tag_columns(pc.list_element(fields, 1), len(fields), keys)
    area = pc.fill_null(pc.equal(tags["area"], "yes"), False)
    street = pc.and_(pc.is_valid(tags["highway"]), pc.invert(area)).to_numpy(zero_copy_only=False)
    nodes = pc.list_element(fields, 2)
    del fields  # each field is copied out: the split block goes before the nodes are split
    counts, ids, lon, lat = _nodes(nodes)
    del nodes
    # pyosmium's linestring: every node located within the world's bounds, two nodes at least
    located = (np.abs(lon) <= 180) & (np.abs(lat) <= 90)  # NaN (no location) is not located
    way_of_node = np.repeat(np.arange(len(counts)), counts)
    unlocated = np.bincount(way_of_node[~located], minlength=len(counts)) > 0
    usable = ~unlocated & (counts >= 2)
    keep = street & usable
    node_keep = keep[way_of_node]
    kept_counts = counts[keep]
    offsets = np.concatenate([[0], np.cumsum(kept_counts)])
    kept_ids = ids[node_keep]
    coords = np.column_stack([lon[node_keep], lat[node_keep]])
    geometry = shapely.linestrings(coords, indices=np.repeat(np.arange(len(kept_counts)), kept_counts))
    # one list of Python ints per way, sliced from one list (3x faster than Arrow's to_pylist)
    flat, bounds = kept_ids.tolist(), offsets.tolist()
    node_ids = [flat[start:end] for start, end in itertools.pairwise(bounds)]
    kept = pa.array(keep)
    return StreetBatch(
        way_id=way_id[keep],
        tags={key: column.filter(kept) for key, column in tags.items()},
        node_ids=node_ids,
        geometry=np.asarray(geometry, dtype=object),
        missing=int((street & ~usable).sum()),
        unplaced=int((street & (np.bincount(way_of_node[located], minlength=len(counts)) == 0)).sum()),
        streets=int(street.sum()),
    )


def street_batches(folder: Path, keys: tuple[str, ...], block_size: int = 1 << 22) -> Iterator[StreetBatch]:
    """The street ways of the pass (``highway`` set, ``area`` not ``yes``), a block of text at a time,
    in reading order; ``keys`` are the tags to keep (``highway`` and ``area`` among them)."""
    for lines in _lines(folder / STREETS, block_size):
        yield _parse_ways(lines, keys)


#: Scratch bytes the pass writes per byte of extract: its OPL text of the street ways and tagged
#: objects is ~10x a .pbf (measured on the metropolis), less than the XML it comes from.
SCRATCH_PER_BYTE = {".pbf": 12.0}


def check_scratch_space(path: Path, folder: Path) -> None:
    """Refuse, before the pass, an extract whose OPL text would not fit in ``folder``'s free space
    (a full disk mid-pass reads as a cut file otherwise).

    Raises
    ------
    LayerError
        Naming the room needed, the room there is, and the fix (``TMPDIR``).
    """
    need = path.stat().st_size * SCRATCH_PER_BYTE.get(path.suffix.lower(), 1.0)
    free = shutil.disk_usage(folder).free
    if free < need:
        msg = (
            f"{path}: reading it needs about {need / 1e6:,.0f} MB of scratch space in {folder.parent}, "
            f"which has {free / 1e6:,.0f} MB free; point TMPDIR at a disk with more room"
        )
        raise LayerError(msg)
