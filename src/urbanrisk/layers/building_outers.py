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

Both readers apply it the same way: the rows are numbered in reading order as taken, the ways' rows
are dropped once the pass is over (the relation's area comes after its ways) and the rows renumbered
(:func:`renumbered`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import osmium

#: Relation types libosmium makes areas of.
AREA_RELATIONS = ("multipolygon", "boundary")


@dataclass
class BuildingOuters:
    """The outer ways of building relations, and the building rows taken, in reading order."""

    outer_of: dict[int, list[int]] = field(default_factory=dict)  # way id -> building relations
    way_rows: dict[int, int] = field(default_factory=dict)  # such a way's building row
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

    def took(self, from_way: bool, osm_id: int) -> None:
        """A building row was taken, the next in reading order, for way or relation ``osm_id``."""
        if self.outer_of:
            if not from_way:
                self.relations.add(osm_id)
            elif osm_id in self.outer_of:
                self.way_rows[osm_id] = self.rows
        self.rows += 1

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
