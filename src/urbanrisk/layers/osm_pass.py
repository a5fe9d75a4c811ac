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

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import shapely

from .._errors import LayerError

TAGGED = "tagged.opl"
STREETS = "streets.opl"
_ESCAPED = re.compile(r"%([0-9a-fA-F]+)%")
_NODE = r"^n(?P<id>-?\d+)x(?P<x>[^y]*)y(?P<y>.*)$"


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
) -> None:
    """One pass over ``path``: tagged areas to ``add_area``, nodes with one of ``node_tags`` (key,
    value; value ``*``: any) to ``add_node``, in reading order as ``FileProcessor`` yields them; the
    OPL texts into ``folder``.

    Raises
    ------
    RuntimeError, ValueError, osmium.InvalidLocationError
        When libosmium cannot read the file.
    """
    areas = osmium.area.AreaManager()
    with osmium.io.Reader(str(path), osmium.osm.RELATION) as reader:
        osmium.apply(reader, areas.first_pass_handler())
    locations = osmium.NodeLocationsForWays(osmium.index.create_map("flex_mem"))
    locations.ignore_errors()
    # buffers of 1 MB, not 4: the same speed, 30 MB less at 256 tiles
    tagged = osmium.SimpleWriter(osmium.io.File(str(folder / TAGGED), "opl,add_metadata=timestamp"), 1 << 20)
    streets = osmium.SimpleWriter(
        osmium.io.File(str(folder / STREETS), "opl,add_metadata=false,locations_on_ways=true"), 1 << 20
    )
    street_ways = osmium.filter.KeyFilter("highway")
    street_ways.enable_for(osmium.osm.WAY)
    if not node_tags:
        poi_nodes = osmium.filter.EntityFilter(osmium.osm.WAY)  # no node reaches Python
    elif any(value == "*" for _, value in node_tags):
        poi_nodes = osmium.filter.KeyFilter(*dict.fromkeys(key for key, _ in node_tags))
    else:
        poi_nodes = osmium.filter.TagFilter(*node_tags)
    poi_nodes.enable_for(osmium.osm.NODE)
    # every handler is held here: pyosmium's chain does not keep them alive
    chain = (
        locations,
        areas.second_pass_handler(osmium.filter.EmptyTagFilter(), _Handler(add_area, "area")),
        osmium.filter.EmptyTagFilter(),
        tagged,
        street_ways,
        poi_nodes,
        osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY),
        streets,
        osmium.filter.EntityFilter(osmium.osm.NODE),
        _Handler(add_node, "node"),
    )
    try:
        with osmium.io.Reader(str(path)) as reader:
            osmium.apply(reader, *chain)
    finally:
        tagged.close()
        streets.close()


def tag_dict(obj: osmium.osm.OSMObject) -> dict[str, str]:
    """An object's tags as a dict (the first value where a key repeats).

    Read through the C++ object behind pyosmium's (4.x) Python one: its tag iterator costs ~5 µs a
    tag in Python wrappers, this ~1 µs, and areas and nodes are read by the hundred thousand.
    """
    data = obj._pyosmium_data
    found: dict[str, str] = {}
    cursor = data.tags_begin()
    for _ in range(data.tags_size()):
        key, value = data.tags_next(cursor)
        found.setdefault(key, value)
    return found


def header_bounds(path: Path) -> tuple[float, float, float, float] | None:
    """The extract's declared bounds (its header box), or None."""
    header = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING).header()
    box = header.box()
    if not box.valid():
        return None
    return (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)


def _lines(path: Path, block_size: int = 1 << 22) -> Iterator[pa.StringArray]:
    """The lines of an OPL text, a block at a time (OPL escapes tabs: a line is one field)."""
    if path.stat().st_size == 0:
        return
    options = pa_csv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False)
    read = pa_csv.ReadOptions(column_names=["line"], block_size=block_size)
    convert = pa_csv.ConvertOptions(column_types={"line": pa.string()}, strings_can_be_null=False)
    with pa_csv.open_csv(path, read_options=read, parse_options=options, convert_options=convert) as stream:
        for batch in stream:
            yield batch.column(0)
    pa.default_memory_pool().release_unused()  # its buffers back to the system, not kept for later


def tagged_summary(folder: Path) -> tuple[int, int]:
    """How many tagged nodes, ways and relations the pass wrote, and the newest of their timestamps
    (seconds since 1970; 0 when none is set)."""
    count, newest = 0, ""
    for lines in _lines(folder / TAGGED, 1 << 20):
        count += len(lines)
        stamps = pc.extract_regex(lines, r" t(?P<t>\S*)").field("t")  # "" or "2017-06-24T10:40:54Z"
        newest = max(newest, pc.max(stamps).as_py() or "")
    if not newest:
        return count, 0
    return count, int(np.datetime64(newest.rstrip("Z"), "s").astype(np.int64))


def _decoded(text: pa.Array) -> np.ndarray:
    """Strings with OPL's ``%hex%`` escapes decoded (only the few that hold one take Python work)."""
    values = text.to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(pc.match_substring(text, "%").to_numpy(zero_copy_only=False)):
        values[i] = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), values[i])
    return values


@dataclass
class StreetBatch:
    """Street ways read from the OPL text: ids, the wanted tags, node ids and geometry.

    ``missing`` counts the ways dropped for a node without a (valid) location or fewer than two nodes,
    as creating their linestring fails in pyosmium.
    """

    way_id: np.ndarray
    tags: dict[str, np.ndarray]
    node_ids: list[list[int]]
    geometry: np.ndarray
    missing: int


def _tag_columns(field: pa.Array, n: int, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The value of each of ``keys`` per way (None where absent; the first one where repeated)."""
    pairs = pc.split_pattern(pc.utf8_slice_codeunits(field, 1), ",")
    owner = pc.list_parent_indices(pairs)
    split = pc.split_pattern(pc.list_flatten(pairs), "=", max_splits=1)
    # a wanted key needs no escape: a key written escaped is none of them
    wanted = pc.is_in(pc.list_element(split, 0), pa.array(keys))
    split, owner = split.filter(wanted), owner.filter(wanted).to_numpy()
    key = pc.list_element(split, 0).to_numpy(zero_copy_only=False)
    value = _decoded(pc.list_element(split, 1))
    columns = {}
    for name in keys:
        rows = np.flatnonzero(key == name)[::-1]  # reversed: the first of a repeated key wins
        column = np.full(n, None, dtype=object)
        column[owner[rows]] = value[rows]
        columns[name] = column
    return columns


def _parse_ways(lines: pa.StringArray, keys: tuple[str, ...]) -> StreetBatch:
    ways = lines.filter(pc.starts_with(lines, "w"))
    fields = pc.split_pattern(ways, " ")  # "w<id>", "T<tags>", "N<nodes>"
    way_id = pc.cast(pc.utf8_slice_codeunits(pc.list_element(fields, 0), 1), pa.int64()).to_numpy()
    tags = _tag_columns(pc.list_element(fields, 1), len(ways), keys)
    street = ~np.equal(tags["highway"], None) & ~np.equal(tags["area"], "yes")
    refs = pc.split_pattern(pc.utf8_slice_codeunits(pc.list_element(fields, 2), 1), ",")
    flat = pc.list_flatten(refs)
    blank = pc.equal(flat, "").to_numpy(zero_copy_only=False)  # "N" alone: a way without nodes
    counts = pc.list_value_length(refs).to_numpy().astype(np.int64)
    counts -= np.bincount(np.repeat(np.arange(len(counts)), counts)[blank], minlength=len(counts))
    flat = flat.filter(pa.array(~blank))
    nodes = pc.extract_regex(flat, _NODE)
    ids = pc.cast(nodes.field("id"), pa.int64()).to_numpy()
    lon = pc.cast(pc.if_else(pc.equal(nodes.field("x"), ""), None, nodes.field("x")), pa.float64())
    lat = pc.cast(pc.if_else(pc.equal(nodes.field("y"), ""), None, nodes.field("y")), pa.float64())
    lon, lat = lon.to_numpy(zero_copy_only=False), lat.to_numpy(zero_copy_only=False)
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
    node_ids = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(kept_ids)).to_pylist()
    return StreetBatch(
        way_id=way_id[keep],
        tags={key: column[keep] for key, column in tags.items()},
        node_ids=node_ids,
        geometry=np.asarray(geometry, dtype=object),
        missing=int((street & ~usable).sum()),
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
