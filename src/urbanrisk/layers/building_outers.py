"""A building mapped twice, as a multipolygon relation and as its outer ways, counted once: as the relation.

A multipolygon relation tagged ``building`` whose outer ways are tagged ``building`` too (Baltimore's
relation 2380253, "The Power Plant": three outer ways, each ``building=yes``) is one footprint mapped
twice. libosmium makes an area of the relation and one of each tagged way, so the reader kept four
buildings where the ground holds the floor area once. The rule: a ``building`` way that is an outer
member (role ``outer`` or none, libosmium's outer) of a multipolygon relation which the reader keeps as a
building is not a building row of its own. The relation is kept, not the ways:

- it is the area in OSM's data model: the tags of a multipolygon go on the relation (JOSM's validator
  flags an outer way that repeats them; Osmose's maintainers want the ``building`` tag on the relation,
  not the outer way: osmose-backend #2090, #2476); GDAL's OSM driver keeps the relation only;
- its geometry is the right footprint: the ways' rings ignore the relation's inner rings (a
  courtyard would count as floor area).

What the rule leaves: an **inner** way tagged ``building`` (a building in the courtyard: another
footprint), a way that is an outer of a relation that is no building (a ``landuse`` multipolygon), and
the ways of a relation libosmium cannot assemble (no relation area: the ways stay the building).
``building:part`` areas never reach the buildings (the reader reads the ``building`` key only).

The relation keeps its own tags; a tag the layers read that it lacks comes from its outer ways
tagged ``building`` (:meth:`BuildingOuters.took`, given the reader's rows and extract; the ways' tags
are read by id when a relation first lacks one: libosmium makes a relation's area before the area of
its last way, so the pass alone cannot give them): the **name** its named outer ways agree on
(Baltimore's Barnes & Noble would name an unnamed relation), and ``building:levels`` or ``height``
only when every outer way taken gives the same (a floor count applies to the whole footprint: one
way's count is no count of the others'). Outer ways that disagree give nothing: unknown stays unknown.

Both readers apply it the same way: the rows are numbered in reading order as taken, the ways' rows
are dropped once the pass is over (the relation's area comes after its ways) and the rows renumbered
(:func:`renumbered`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import osmium

from .. import settings

#: Relation types libosmium makes areas of.
AREA_RELATIONS = ("multipolygon", "boundary")
#: The tags a relation may take from its outer ways: (position in a reader's building row,
#: ``osm.BUILDING_COLUMNS``: osm_ref, building, levels_tag, height_tag, name, geometry), the OSM keys
#: giving it (the first present), and whether every outer way must give the same value (False: those
#: that give one must agree).
INHERITED = {
    "levels_tag": (2, ("building:levels",), True),
    "height_tag": (3, ("height",), True),
    "name": (4, ("name", "brand"), False),
}


def outer_way_values(path: str | Path, ways: set[int]) -> dict[int, tuple]:
    """Each of ``ways`` tagged ``building`` in the extract at ``path``: its values of :data:`INHERITED`
    (a ways-only read in libosmium, filtered by id there: 0.16 s CPU on an 11 MB extract)."""
    out: dict[int, tuple] = {}
    if not ways:
        return out
    for obj in osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(osmium.filter.IdFilter(ways)):
        tags = obj.tags
        if obj.is_way() and tags.get("building", "no") != "no":
            values = [
                next((tags.get(k) for k in keys if tags.get(k)), None) for _, keys, _ in INHERITED.values()
            ]
            name = values[-1]  # as the reader cuts it (osm._Collector._area)
            out[obj.id] = (*values[:-1], name[: settings.max_text_length] if name else None)
    return out


@dataclass
class BuildingOuters:
    """The outer ways of building relations, and the building rows taken, in reading order.

    ``buildings``: the reader's list of building rows (a row is appended, then :meth:`took` called) and
    ``path`` its extract: given both, a relation's row takes the tags it lacks from its outer ways
    (see the module), read when a relation first needs them.
    """

    buildings: list[tuple] | None = None
    path: str | Path | None = None
    outer_of: dict[int, list[int]] = field(default_factory=dict)  # way id -> building relations
    outers: dict[int, list[int]] = field(default_factory=dict)  # building relation -> its outer ways
    way_rows: dict[int, int] = field(default_factory=dict)  # such a way's building row
    way_tags: dict[int, tuple] | None = None  # the outer ways' values (INHERITED), read when needed
    relations: set[int] = field(default_factory=set)  # building relations taken as buildings
    rows: int = 0  # building rows taken

    def relation(self, obj: osmium.osm.Relation) -> None:
        """Note a relation's outer ways if it is a building area (pyosmium calls it, relations only)."""
        tags = obj.tags
        if tags.get("type") not in AREA_RELATIONS or tags.get("building", "no") == "no":
            return
        for member in obj.members:
            if member.type == "w" and member.role in ("outer", ""):
                self.outer_of.setdefault(member.ref, []).append(obj.id)
                self.outers.setdefault(obj.id, []).append(member.ref)

    def took(self, from_way: bool, osm_id: int) -> None:
        """A building row was taken, the next in reading order, for way or relation ``osm_id`` (the
        last of ``buildings``: a relation's then takes what it lacks from its outer ways')."""
        if self.outer_of:
            if not from_way:
                self.relations.add(osm_id)
                row = self.buildings[-1] if self.buildings and self.path is not None else None
                lacks = row is not None and any(row[i] in (None, "") for i, _, _ in INHERITED.values())
                if lacks and osm_id in self.outers:
                    if self.way_tags is None:
                        self.way_tags = outer_way_values(self.path, set(self.outer_of))
                    self.buildings[-1] = self.inherited(row, self.outers[osm_id])
            elif osm_id in self.outer_of:
                self.way_rows[osm_id] = self.rows
        self.rows += 1

    def inherited(self, row: tuple, ways: list[int]) -> tuple:
        """A relation's building ``row`` with each tag of :data:`INHERITED` it lacks taken from its outer
        ``ways`` (``way_tags``: those tagged ``building``), when they give one value (see the module).

        >>> outers = BuildingOuters(way_tags={1: ("2", None, "Barnes & Noble"), 2: ("2", "9", None)})
        >>> outers.inherited(("relation/5", "yes", None, None, "", b""), [1, 2])
        ('relation/5', 'yes', '2', None, 'Barnes & Noble', b'')
        >>> outers.inherited(("relation/5", "yes", None, None, "", b""), [1, 2, 3])[2:5]  # 3: no building
        (None, None, 'Barnes & Noble')
        """
        tagged = self.way_tags or {}
        given = [tagged[way] for way in ways if way in tagged]
        if not given:
            return row
        values = list(row)
        for slot, (position, _, every) in enumerate(INHERITED.values()):
            if values[position] not in (None, ""):
                continue  # the relation's own tag stands
            found = [tags[slot] for tags in given]
            known = set(found) - {None, ""}
            if len(known) != 1 or (every and (len(given) < len(ways) or len(known) < len(set(found)))):
                continue  # disagreeing, or (a floor count, a height) not given by every outer way
            values[position] = known.pop()
        return tuple(values)

    def dropped(self) -> np.ndarray:
        """The rows (sorted) of the ways that are outers of a relation taken as a building."""
        rows = [
            row
            for way, row in self.way_rows.items()
            if any(relation in self.relations for relation in self.outer_of[way])
        ]
        return np.array(sorted(rows), dtype=np.int64)


def renumbered(rows: np.ndarray, dropped: np.ndarray) -> np.ndarray:
    """Row numbers once the ``dropped`` rows (sorted, none of ``rows``) are gone: each less the
    dropped rows before it."""
    return rows - np.searchsorted(dropped, rows)
