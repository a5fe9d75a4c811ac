"""The pass over an OSM extract, with as little Python per object as libosmium allows.

One libosmium pass (:func:`run_pass`) keeps node locations and assembles areas, as pyosmium's
``FileProcessor`` does, but few objects reach Python, one call each: the tagged **nodes** with a key of
the tag table (POI points), and the tagged **areas**: all of them for the streaming ingest, only the
relations' (a few) for the whole-file read, which reads the areas of closed ways from the text
(:mod:`.osm_areas`). Everything else stays in C++: libosmium's OPL writer puts into a temporary folder
``objects.opl``: every tagged node and relation, and every way (tagged or not) with its nodes' ids and
locations (``Nn1x116.3y39.9,...``), each with its timestamp.

:func:`street_batches` turns that text into columns with pyarrow and numpy, a block at a time (the
streets; or the areas of ways, the count of tagged objects and their newest timestamp): no Python work
per way or per node.

The rows are those the per-object reader made (same values, same order): coordinates are printed
exactly (OSM locations are 7-decimal fixed point) and parse back to the same doubles, and tag text is
unescaped from OPL's ``%hex%`` form.
"""

from __future__ import annotations

import contextlib
import itertools
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
from .osm_areas import WayAreas, tag_triples, way_areas

OBJECTS = "objects.opl"
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
    relations: dict[int, list[int]] | None = None,
) -> None:
    """One pass over ``path``: tagged areas to ``add_area``, nodes with one of ``node_tags`` (key,
    value; value ``*``: any) to ``add_node``, in reading order as ``FileProcessor`` yields them; the
    OPL text into ``folder``.

    With ``relations`` (a dict, filled here with the way members of every relation libosmium makes
    an area of), only the areas of relations reach ``add_area``: the areas of closed ways are read
    from the OPL text (:mod:`.osm_areas`).

    Raises
    ------
    RuntimeError, ValueError, osmium.InvalidLocationError
        When libosmium cannot read the file.
    """
    areas = osmium.area.AreaManager()
    first = [areas.first_pass_handler()]
    if relations is not None:
        first.append(_Handler(lambda obj: _add_relation(obj, relations), "relation"))
    with osmium.io.Reader(str(path), osmium.osm.RELATION) as reader:
        osmium.apply(reader, *first)
    locations = osmium.NodeLocationsForWays(osmium.index.create_map("flex_mem"))
    locations.ignore_errors()
    # buffers of 1 MB, not 4: the same speed, 30 MB less at 256 tiles
    text = osmium.SimpleWriter(
        osmium.io.File(str(folder / OBJECTS), "opl,add_metadata=timestamp,locations_on_ways=true"), 1 << 20
    )
    if not node_tags:
        poi_nodes = osmium.filter.EntityFilter(osmium.osm.WAY)  # no node reaches Python
    elif any(value == "*" for _, value in node_tags):
        poi_nodes = osmium.filter.KeyFilter(*dict.fromkeys(key for key, _ in node_tags))
    else:
        poi_nodes = osmium.filter.TagFilter(*node_tags)
    poi_nodes.enable_for(osmium.osm.NODE)
    area_filters = [osmium.filter.EmptyTagFilter()]
    if relations is not None:  # an area's id is its way's id x 2, its relation's id x 2 + 1
        of_relations = osmium.filter.IdFilter(2 * relation + 1 for relation in relations)
        of_relations.enable_for(osmium.osm.AREA)
        area_filters.insert(0, of_relations)
    tagged = osmium.filter.EmptyTagFilter()  # every way goes to the text, tagged or not
    tagged.enable_for(osmium.osm.NODE | osmium.osm.RELATION)
    # every handler is held here: pyosmium's chain does not keep them alive
    chain = (
        locations,
        areas.second_pass_handler(*area_filters, _Handler(add_area, "area")),
        tagged,
        text,
        poi_nodes,
        osmium.filter.EntityFilter(osmium.osm.NODE),
        _Handler(add_node, "node"),
    )
    try:
        with osmium.io.Reader(str(path)) as reader:
            osmium.apply(reader, *chain)
    finally:
        text.close()


def _add_relation(obj: osmium.osm.Relation, relations: dict[int, list[int]]) -> None:
    """Keep a relation's way members where libosmium makes an area of it (few relations: one call each)."""
    kind = obj.tags.get("type")
    if kind not in ("multipolygon", "boundary"):
        return
    ways = [member.ref for member in obj.members if member.type == "w"]
    if ways:
        relations[obj.id] = [ref for ref in ways if ref != 0]


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
    in pyosmium.
    """

    way_id: np.ndarray
    tags: dict[str, pa.Array]
    node_ids: list[list[int]]
    geometry: np.ndarray
    missing: int


def _tag_columns(owner: np.ndarray, key: pa.Array, value: pa.Array, n: int, keys: tuple[str, ...]) -> dict:
    """The value of each of ``keys`` per way (null where absent), from :func:`.osm_areas.tag_triples`."""
    columns = {}
    for name in keys:
        rows = np.flatnonzero(pc.equal(key, name).to_numpy(zero_copy_only=False))
        index = np.zeros(n, dtype=np.int64)
        index[owner[rows]] = rows
        present = np.zeros(n, dtype=bool)
        present[owner[rows]] = True
        columns[name] = value.take(pa.array(index, mask=~present))
    return columns


def _nodes(
    field: pa.Array, with_ids: bool = True
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Node count, ids (None without ``with_ids``), lon and lat (NaN where unlocated) of
    ``N<id>x<lon>y<lat>,...`` fields."""
    # "Nn1x116.3y39.9,n2xy" -> "Nn1,116.3,39.9,n2,,": three items a node ("N" alone: no node at all);
    # the field's "N" is trimmed from the ids, not sliced off the long field (a walk of its UTF-8)
    items = pc.split_pattern(pc.replace_substring(pc.replace_substring(field, "x", ","), "y", ","), ",")
    lengths = pc.list_value_length(items).to_numpy().astype(np.int64)
    counts = lengths // 3
    flat = pc.list_flatten(items)
    del items
    if (lengths == 1).any():  # a way without nodes has one item, "N": dropped
        flat = flat.filter(pa.array(np.repeat(lengths != 1, lengths)))
    ids = None
    if with_ids:
        ids = pc.cast(
            pc.utf8_ltrim(flat.take(pa.array(np.arange(0, len(flat), 3))), characters="Nn"), pa.int64()
        )
        ids = ids.to_numpy()
    lonlat = []
    for start in (1, 2):
        text = flat.take(pa.array(np.arange(start, len(flat), 3)))
        value = pc.cast(pc.if_else(pc.equal(text, ""), None, text), pa.float64())
        lonlat.append(value.to_numpy(zero_copy_only=False))
    return counts, ids, lonlat[0], lonlat[1]


def _parse_ways(
    lines: pa.StringArray, keys: tuple[str, ...], area_keys: tuple[str, ...] | None, first_line: int
) -> tuple[StreetBatch | None, WayAreas | None, np.ndarray, tuple[int, str]]:
    """A block's street batch (none with ``area_keys``: its areas then), the ids of its ways, and
    its tagged objects' count and newest timestamp (with ``area_keys`` only)."""
    if area_keys is None:  # a street has the highway key (or escaped in a key: dropped by the parse)
        lines = lines.filter(pc.match_substring(lines, "highway="))
    way = pc.starts_with(lines, "w")
    # the text holds the nodes, the ways, the relations: a block is mostly ways (no copy then)
    summary = (0, "")
    if not pc.all(way).as_py():
        summary = _summary(lines.filter(pc.invert(way))) if area_keys is not None else summary
        lines = lines.filter(way)
    if not len(lines):
        return None, None, np.zeros(0, dtype=np.int64), summary
    fields = pc.split_pattern(lines, " ")  # "w<id>", "dV", "t<timestamp>", "T<tags>", "N<nodes>"
    last = pc.list_value_length(fields)[0].as_py() - 1  # the same fields on every line of the text
    way_id = pc.cast(pc.utf8_slice_codeunits(pc.list_element(fields, 0), 1), pa.int64()).to_numpy()
    tag_field = pc.list_element(fields, last - 1)
    owner, key, value, tag_count = tag_triples(tag_field, pa.array(area_keys or keys), _decoded)
    if area_keys is not None:  # the areas and the summary; the streets come in a second read
        stamps = pc.list_element(fields, last - 2).filter(pa.array(tag_count > 0))  # "t" or "t2017-..."
        newest = pc.max(pc.utf8_slice_codeunits(stamps, 1)).as_py() if len(stamps) else ""
        summary = (summary[0] + int((tag_count > 0).sum()), max(summary[1], newest or ""))
        nodes = pc.list_element(fields, last)
        del fields, tag_field
        counts, _, lon, lat = _nodes(nodes, with_ids=False)
        areas = way_areas(way_id, first_line, (owner, key, value, tag_count), counts, lon, lat, lines)
        return None, areas, way_id, summary
    tags = _tag_columns(owner, key, value, len(fields), keys)
    area = pc.fill_null(pc.equal(tags["area"], "yes"), False)
    street = pc.and_(pc.is_valid(tags["highway"]), pc.invert(area)).to_numpy(zero_copy_only=False)
    mask = pa.array(street)
    nodes = pc.list_element(fields, last).filter(mask)  # only the streets' nodes
    del fields, tag_field  # each field is copied out: the split block goes before the nodes are split
    way_id = way_id[street]
    tags = {key: column.filter(mask) for key, column in tags.items()}
    counts, ids, lon, lat = _nodes(nodes)
    del nodes
    return _street_batch(way_id, tags, street[street], counts, ids, lon, lat), None, way_id, summary


def _street_batch(
    way_id: np.ndarray,
    tags: dict[str, pa.Array],
    street: np.ndarray,
    counts: np.ndarray,
    ids: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
) -> StreetBatch:
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
    )


def street_batches(
    folder: Path, keys: tuple[str, ...], block_size: int = 1 << 22, area_keys: tuple[str, ...] | None = None
) -> Iterator[tuple[StreetBatch | None, WayAreas | None, np.ndarray, tuple[int, str]]]:
    """The street ways of the pass (``highway`` set, ``area`` not ``yes``), a block of text at a time,
    in reading order; ``keys`` are the tags to keep (``highway`` and ``area`` among them). With
    ``area_keys`` (``area`` among them), the areas of the block's closed ways with those tags instead
    (:func:`.osm_areas.way_areas`), the ids of all its ways, and how many tagged objects the block
    holds and their newest timestamp ("" if none). The street batch is None where there is none."""
    first_line = 0
    for lines in _lines(folder / OBJECTS, block_size):
        batch, areas, way_id, summary = _parse_ways(lines, keys, area_keys, first_line)
        first_line += len(way_id)
        yield batch, areas, way_id, summary


def _summary(lines: pa.StringArray) -> tuple[int, str]:
    """How many of the lines (nodes and relations) are tagged, and their newest timestamp."""
    if not len(lines):
        return 0, ""
    fields = pc.extract_regex(
        lines, r"^\S+(?: \S+)*? t(?P<t>\S*) T(?P<tags>.)"
    )  # t "" or "2017-06-24T10:40:54Z"
    tagged = pc.not_equal(fields.field("tags"), " ")  # "T ": no tag
    return pc.sum(tagged).as_py() or 0, pc.max(fields.field("t").filter(tagged)).as_py() or ""


def tagged_summary(folder: Path) -> tuple[int, str]:
    """How many tagged nodes, ways and relations the pass wrote, and the newest of their timestamps
    ("" when none is set)."""
    count, newest = 0, ""
    for lines in _lines(folder / OBJECTS, 1 << 20):
        tagged, stamp = _summary(lines)
        count, newest = count + tagged, max(newest, stamp)
    return count, newest


def epoch(newest: str) -> int:
    """Seconds since 1970 of an OPL timestamp ("" : 0)."""
    return int(np.datetime64(newest.rstrip("Z"), "s").astype(np.int64)) if newest else 0


#: Scratch bytes the pass writes per byte of extract: its OPL text of the ways and tagged objects is
#: ~10x a .pbf (measured on the metropolis), less than the XML it comes from.
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
