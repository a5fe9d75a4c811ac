"""The area rows of the whole-file OSM read (buildings, land use, POI outlines), made in columns.

The areas of closed ways come from the pass's text a block at a time (:mod:`.osm_areas`), those of
relations from pyosmium one by one (a few); :func:`area_layers` puts them in the order libosmium
yields them (a relation's area just before the area of the way that completes it) and makes each
layer's columns as the per-area collector makes its rows (same values, same order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from .. import settings
from .osm_areas import WayAreas, assemble_rest
from .osm_columns import valid_geometry


@dataclass
class AreaParts:
    """What the pass gives of the areas: blocks of way areas, every way's id in reading order, and
    the relation areas (relation id, tags, WKB) in the order pyosmium gave them."""

    blocks: list[WayAreas] = field(default_factory=list)
    way_ids: list[np.ndarray] = field(default_factory=list)
    relations: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)


@dataclass
class AreaTable:
    """Every area in libosmium's order: its ``osm_ref``, geometry (valid), ``shape`` (as assembled),
    and wanted tags as triples."""

    ref: pa.Array
    geometry: np.ndarray
    shape: np.ndarray
    owner: np.ndarray
    key: pa.Array
    value: pa.Array


def _way_table(parts: AreaParts, folder: Path, stats: dict[str, int]) -> tuple:
    """The way areas of every block, those libosmium assembles filled in (invalid ones dropped)."""
    blocks = parts.blocks
    if not blocks:
        empty = np.zeros(0, dtype=np.int64)
        text = pa.array([], pa.string())
        return empty, empty, np.zeros(0, dtype=object), np.zeros(0, dtype=bool), empty, text, text
    line = np.concatenate([block.line for block in blocks])
    way_id = np.concatenate([block.way_id for block in blocks])
    geometry = np.concatenate([block.geometry for block in blocks])
    sizes = np.array([len(block.line) for block in blocks])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    owner = np.concatenate([block.owner + offset for block, offset in zip(blocks, offsets, strict=True)])
    key = pa.concat_arrays([block.key.cast(pa.string()) for block in blocks])
    value = pa.concat_arrays([block.value.cast(pa.string()) for block in blocks])
    rest = assemble_rest([text for block in blocks for text in block.rest], folder)
    blocks.clear()
    keep = np.ones(len(line), dtype=bool)
    checked = ~shapely.is_missing(geometry)  # libosmium's simple case: valid polygons
    invalid = 0
    for row in np.flatnonzero(shapely.is_missing(geometry)):  # assembled by libosmium
        wkb = rest.get(int(way_id[row]), b"")
        keep[row] = bool(wkb)
        if wkb is None:  # an empty area: pyosmium's WKB fails (b"": libosmium made no area)
            invalid += 1
        elif wkb:
            geometry[row] = shapely.from_wkb(wkb)
    stats["tagged_objects"] += int(keep.sum()) + invalid  # every area reaching the collector counts
    stats["areas_invalid"] += invalid
    if not keep.all():
        renumber = np.cumsum(keep) - 1
        tags = keep[owner]
        mask = pa.array(tags)
        owner, key, value = renumber[owner[tags]], key.filter(mask), value.filter(mask)
        line, way_id, geometry, checked = line[keep], way_id[keep], geometry[keep], checked[keep]
    return line, way_id, geometry, checked, owner, key, value


def area_table(
    parts: AreaParts, members: dict[int, list[int]], folder: Path, stats: dict[str, int]
) -> AreaTable:
    """Every area of the pass in libosmium's order (see the module)."""
    line, way_id, geometry, checked, owner, key, value = _way_table(parts, folder, stats)
    refs = [f"way/{way}" for way in way_id.tolist()]
    relations = parts.relations
    if relations:
        ids = np.concatenate(parts.way_ids) if parts.way_ids else np.zeros(0, dtype=np.int64)
        sorter = np.argsort(ids, kind="stable")
        where = []
        for relation, _, _ in relations:  # complete when its last way member is read
            wanted = np.asarray(members.get(relation, []), dtype=np.int64)
            found = np.searchsorted(ids, wanted, sorter=sorter)
            found = sorter[np.minimum(found, len(ids) - 1)] if len(ids) else found
            where.append(int(found.max()) if len(found) else len(ids))
        n = len(line)
        order = np.lexsort(
            (
                np.concatenate([np.zeros(n), np.arange(len(relations))]),
                np.concatenate([np.ones(n), np.zeros(len(relations))]),
                np.concatenate([line, where]),
            )
        )
        extra_owner, extra_key, extra_value = [], [], []
        for index, (_, tags, _) in enumerate(relations):
            for name, text in tags.items():
                extra_owner.append(n + index)
                extra_key.append(name)
                extra_value.append(text)
        refs += [f"relation/{relation}" for relation, _, _ in relations]
        geometry = np.concatenate([geometry, shapely.from_wkb([wkb for _, _, wkb in relations])])
        checked = np.concatenate([checked, np.zeros(len(relations), dtype=bool)])
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order))
        owner = position[np.concatenate([owner, np.asarray(extra_owner, dtype=np.int64)])]
        key = pa.concat_arrays([key, pa.array(extra_key, pa.string())])
        value = pa.concat_arrays([value, pa.array(extra_value, pa.string())])
        refs = [refs[index] for index in order]
        geometry, checked = geometry[order], checked[order]
        relations.clear()
    parts.way_ids.clear()
    shape = geometry.copy()  # as assembled: the POIs keep its WKB
    if not checked.all():
        geometry[~checked] = valid_geometry(geometry[~checked])
    return AreaTable(pa.array(refs, pa.string()), geometry, shape, owner, key, value)


def _values(table: AreaTable, name: str) -> pa.Array:
    """Each area's value of the tag ``name`` (null where absent)."""
    n = len(table.geometry)
    rows = np.flatnonzero(pc.equal(table.key, name).to_numpy(zero_copy_only=False))
    index = np.zeros(n, dtype=np.int64)
    index[table.owner[rows]] = rows
    present = np.zeros(n, dtype=bool)
    present[table.owner[rows]] = True
    return table.value.take(pa.array(index, mask=~present))


def _truthy(values: pa.Array) -> np.ndarray:
    return pc.fill_null(pc.not_equal(values, ""), False).to_numpy(zero_copy_only=False)


def _expanded(code: np.ndarray, groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """For each item with a group ``code`` (-1: none), one (item, member) pair per member of its group."""
    sizes = np.array([len(group) for group in groups] + [0], dtype=np.int64)
    flat = np.array([row for group in groups for row in group], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    count = sizes[code]  # code -1 reads the last size: 0
    item = np.repeat(np.arange(len(code)), count)
    offset = np.arange(len(item)) - np.repeat(np.cumsum(count) - count, count)
    return item, flat[starts[code[item]] + offset] if len(item) else np.zeros(0, dtype=np.int64)


def _kinds(
    table: AreaTable, tag_table: pd.DataFrame, key_rank: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The (area, tag table row) of each kind an area matches, in the collector's order: per area, its
    tags in the table's key order, each tag's exact value before ``*``, table rows in order; a kind
    once, where first found."""
    keys, values = tag_table.index.get_level_values(0), tag_table.index.get_level_values(1)
    exact: dict[str, list[int]] = {}
    star: dict[str, list[int]] = {}
    for row, (key, value) in enumerate(zip(keys, values, strict=True)):
        exact.setdefault(f"{key}={value}", []).append(row)  # a key holds no "=" (OPL splits at it)
        if value == "*":
            star.setdefault(key, []).append(row)
    rank = pc.index_in(table.key, pa.array(list(key_rank), pa.string())).to_numpy(zero_copy_only=False)
    in_table = ~np.isnan(rank.astype(float))
    key = table.key.filter(pa.array(in_table))
    pair = pc.binary_join_element_wise(key, table.value.filter(pa.array(in_table)), "=")
    pieces = []
    for flag, code in (
        (0, pc.index_in(pair, pa.array(list(exact), pa.string()))),
        (1, pc.index_in(key, pa.array(list(star), pa.string()))),
    ):
        code = pc.fill_null(code, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        item, row = _expanded(code, list((exact if flag == 0 else star).values()))
        pieces.append((item, np.full(len(item), flag), row))
    tag = np.concatenate([piece[0] for piece in pieces])
    flag = np.concatenate([piece[1] for piece in pieces])
    row = np.concatenate([piece[2] for piece in pieces])
    owner = table.owner[in_table][tag]
    order = np.lexsort((row, flag, rank[in_table].astype(np.int64)[tag], owner))
    owner, row = owner[order], row[order]
    kind_code = pd.factorize(tag_table["kind"].to_numpy())[0]
    _, first = np.unique(owner * (kind_code.max(initial=0) + 1) + kind_code[row], return_index=True)
    first.sort()
    return owner[first], row[first]


def area_layers(
    table: AreaTable, tag_table: pd.DataFrame, key_rank: dict[str, int], context_pairs: set[tuple[str, str]]
) -> dict[str, tuple[dict[str, pa.Array], np.ndarray]]:
    """The text columns and geometries of the buildings', land use's and POIs' area rows."""
    name = pc.if_else(_truthy(_values(table, "name")), _values(table, "name"), _values(table, "brand"))
    name = pc.utf8_slice_codeunits(pc.fill_null(name, ""), 0, settings.max_text_length)
    ref, geometry = table.ref, table.geometry
    building = _values(table, "building")
    rows = np.flatnonzero(pc.fill_null(pc.not_equal(building, "no"), False).to_numpy(zero_copy_only=False))
    layers = {}
    take = pa.array(rows)
    layers["buildings"] = (
        {
            "osm_ref": ref.take(take),
            "building": building.take(take),
            "levels_tag": _values(table, "building:levels").take(take),
            "height_tag": _values(table, "height").take(take),
            "name": name.take(take),
        },
        geometry[rows],
    )
    landuse, amenity = _values(table, "landuse"), _values(table, "amenity")
    context = pa.array(sorted(value for key, value in context_pairs if key == "amenity"), pa.string())
    in_context = pc.fill_null(pc.is_in(amenity, context), False).to_numpy(zero_copy_only=False)
    first, second = np.flatnonzero(_truthy(landuse)), np.flatnonzero(_truthy(amenity) & in_context)
    rows = np.concatenate([first, second])
    order = np.argsort(rows, kind="stable")  # an area's land use row before its amenity row
    take = pa.array(rows[order])
    kind = np.concatenate([np.full(len(first), "landuse"), np.full(len(second), "amenity")])[order]
    values = pa.concat_arrays([landuse.take(pa.array(first)), amenity.take(pa.array(second))]).take(
        pa.array(order)
    )
    layers["landuse"] = (
        {
            "osm_ref": ref.take(take),
            "key": pa.array(kind, pa.string()),
            "value": values,
            "name": name.take(take),
        },
        geometry[rows[order]],
    )
    rows, rule = _kinds(table, tag_table, key_rank)
    take, rule_take = pa.array(rows), pa.array(rule)
    roles = pa.array(["|".join(roles) for roles in tag_table["roles"]], pa.string())
    layers["pois"] = (
        {
            "osm_ref": ref.take(take),
            "kind": pa.array(tag_table["kind"].tolist(), pa.string()).take(rule_take),
            "roles": roles.take(rule_take),
            "group": pa.array(tag_table["group"].tolist(), pa.string()).take(rule_take),
            "name": name.take(take),
            "shape_wkb": pa.array(
                shapely.to_wkb(table.shape[rows], hex=True) if len(rows) else [], pa.string()
            ),
        },
        geometry[rows],
    )
    return layers
