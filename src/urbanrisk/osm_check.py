"""Whether a run can read an OSM extract, told by ``urbanrisk validate``: one light pass over the file.

``validate`` read an extract's header only (its box, whether it was cut short), and passed files the
run refused: a node at latitude 91 or NaN, a tag value of 2 MB, an id of 2^63. The run's pass
(:func:`urbanrisk.layers.osm_pass.run_pass`) refuses what libosmium refuses:

- what its parser refuses, at the first it meets (an id beyond int64, a coordinate that is not a number,
  a tag key or value longer than 1,024 bytes): this pass parses the whole file, as the run's does;
- a node at an invalid location (latitude beyond ±90°, longitude beyond ±180°) that a street way
  (``highway=*``) takes, or that a POI node of the tag table is: this pass keeps the nodes' locations
  and looks at those, every one of them (not only the first), in C++ but for one call a street way.

And what the run reads as nothing, silently: a file whose ways come before their nodes (not sorted), where
the run found no node of any way (no street, no building: every cell graded IV on 0 residents).

Nothing else: no area is assembled, no tag read in Python. The message is the run's, naming the nodes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import osmium

from ._errors import LayerError
from .layers.osm_ids import RepeatedIds, opl_lines, repeated_message
from .layers.osm_josm import josm_message
from .layers.osm_order import unsorted_message
from .layers.tables import osm_tag_table
from .population_homes import no_buildings_message
from .preflight_base import Problem, local
from .recipe import Recipe

#: libosmium's mark of a location that was never set (a node the extract lacks): the run skips those
_UNDEFINED = 2147483647
#: How many nodes off the globe a message names (it counts them all)
SHOWN = 3


class _OffGlobe:
    """Collects the nodes at invalid locations that the run reads: a street way's, a POI node."""

    def __init__(self) -> None:
        self.wkb = osmium.geom.WKBFactory()
        self.found: dict[int, tuple[float, float, str]] = {}
        self.streets = 0  # street ways read (highway=*, not area=yes: the run's streets)
        self.buildings = 0  # building ways read (building=*): none, and residents from buildings are none
        self.unplaced = 0  # street ways none of whose nodes was read before them (an unsorted file)

    def way(self, way: osmium.osm.Way) -> None:
        if "building" in way.tags:
            self.buildings += 1
            if "highway" not in way.tags:
                return
        street = way.tags.get("area") != "yes"  # a highway area is no street to the run either
        self.streets += street
        try:
            self.wkb.create_linestring(way)  # C++ through the way's nodes; refuses an invalid one
        except (osmium.InvalidLocationError, RuntimeError):
            placed = False
            for ref in way.nodes:  # a missing node (undefined) is skipped by the run too
                spot = ref.location
                placed = placed or spot.x != _UNDEFINED
                if not spot.valid() and spot.x != _UNDEFINED:
                    self.found.setdefault(ref.ref, (spot.x / 1e7, spot.y / 1e7, f"way {way.id}"))
            self.unplaced += street and not placed

    def relation(self, relation: osmium.osm.Relation) -> None:
        self.buildings += "building" in relation.tags  # a multipolygon building: its ways need no tag

    def node(self, node: osmium.osm.Node) -> None:
        spot = node.location
        if not spot.valid():
            self.found.setdefault(node.id, (spot.x / 1e7, spot.y / 1e7, "a tagged place"))


def _pass(
    path: Path,
    node_tags: tuple[tuple[str, str], ...],
    found: _OffGlobe,
    tagged: Path,
    buildings: bool = False,
) -> None:
    """The light pass: every object parsed, the nodes' locations kept, the tagged objects written as OPL
    to ``tagged`` (their ids, as the run's pass writes them), street ways and POI nodes (the run's
    filters) to ``found``; with ``buildings``, building ways and relations too (counted: Python is
    called for each, so only when a population_from_buildings layer reads the extract)."""
    locations = osmium.NodeLocationsForWays(osmium.index.create_map("flex_mem"))
    locations.ignore_errors()
    streets = (
        osmium.filter.KeyFilter("highway", "building") if buildings else osmium.filter.KeyFilter("highway")
    )
    streets.enable_for(osmium.osm.WAY)
    if any(value == "*" for _, value in node_tags):
        places = osmium.filter.KeyFilter(*dict.fromkeys(key for key, _ in node_tags))
    else:
        places = (
            osmium.filter.TagFilter(*node_tags)
            if node_tags
            else osmium.filter.EntityFilter(osmium.osm.NOTHING)
        )
    places.enable_for(osmium.osm.NODE)
    writer = osmium.SimpleWriter(osmium.io.File(str(tagged), "opl,add_metadata=false"), 1 << 20)
    chain = (
        locations,
        osmium.filter.EmptyTagFilter(),
        writer,
        osmium.filter.EntityFilter(
            osmium.osm.NODE | osmium.osm.WAY | (osmium.osm.RELATION if buildings else osmium.osm.NOTHING)
        ),
        streets,
        places,
        found,
    )
    try:
        with osmium.io.Reader(str(path)) as reader:
            osmium.apply(reader, *chain)
    finally:
        writer.close()


def off_globe_text(found: dict[int, tuple[float, float, str]]) -> str:
    """The nodes off the globe, the first :data:`SHOWN` named.

    Examples
    --------
    >>> off_globe_text({1: (116.305, 91.0, "way 10")})
    'node 1 at lon 116.305, lat 91 (on way 10)'
    >>> off_globe_text({i: (200.0, 0.0, "a tagged place") for i in range(5)})[-40:]
    'lat 0 (a tagged place), and 2 more nodes'
    """
    shown = [
        f"node {ident} at lon {lon:.7g}, lat {lat:.7g} ({'on ' if where.startswith('way') else ''}{where})"
        for ident, (lon, lat, where) in list(found.items())[:SHOWN]
    ]
    more = len(found) - len(shown)
    return ", ".join(shown) + (f", and {more:,} more nodes" if more else "")


def osm_read_problems(
    path: Path, node_tags: tuple[tuple[str, str], ...], homes_for: str | None = None
) -> list[str]:
    """What keeps the run from reading the extract at ``path``: its messages (none when it reads).

    The run says ``{path}: cannot read this OSM file ({libosmium's error}); ...`` at the first problem;
    this says the same of the parser's error, and of every node off the globe that the run would read;
    and, when the layer ``homes_for`` estimates residents from this extract's buildings, that it maps
    none (:func:`urbanrisk.inputs.no_buildings_message`: the run refuses it too).
    """
    found, ids = _OffGlobe(), RepeatedIds()
    problems = []
    with tempfile.TemporaryDirectory(prefix="urbanrisk-check-") as folder:
        tagged = Path(folder) / "tagged.opl"
        try:
            _pass(path, node_tags, found, tagged, buildings=homes_for is not None)
        except (RuntimeError, ValueError, osmium.InvalidLocationError) as exc:
            problems.append(
                f"{path}: cannot read this OSM file ({exc}); is it complete? re-export or re-download the "
                "extract"
            )
        else:
            for lines in opl_lines(tagged, 1 << 20):
                ids.add(lines)
    if (repeated := repeated_message(path, ids.repeated())) is not None:
        problems.append(repeated)
    if (josm := josm_message(path)) is not None:
        problems.append(josm)
    unsorted = unsorted_message(path, found.unplaced, found.streets)
    if unsorted is not None:
        problems.append(unsorted)
    if homes_for is not None and not found.buildings and not problems:
        problems.append(no_buildings_message(homes_for, [str(path)]))
    if found.found:
        problems.insert(
            0,
            f"{path}: cannot read this OSM file (invalid location): nodes off the globe (latitude beyond "
            f"±90°, longitude beyond ±180°): {off_globe_text(found.found)}: fix or delete them, or re-export "
            "the extract",
        )
    return problems


def osm_file_problems(recipe: Recipe, told: set[tuple[str, ...]]) -> list[Problem]:
    """Every problem of the recipe's local OSM extracts that only a pass over them shows (one light
    pass each, :func:`osm_read_problems`), under ``layers.<name>.path``. A layer in ``told`` (its key
    ``("layers", name)`` has a problem already: missing, cut short...) is not read."""
    problems: list[Problem] = []
    node_tags = None
    for name, spec in recipe.layers.items():
        path = getattr(spec, "path", None)
        where = local(str(path)) if spec.type == "osm" and path is not None else None
        if where is None or ("layers", name) in told or not where.is_file():
            continue
        if node_tags is None:
            try:
                node_tags = tuple(osm_tag_table(recipe.tables.osm_tags).index)
            except LayerError:  # told under tables.osm_tags: the shipped table's POI keys meanwhile
                node_tags = tuple(osm_tag_table().index)
        homes_for = next(  # a population_from_buildings layer on this one: it needs a building
            (own for own, other in recipe.layers.items() if getattr(other, "source", None) == name), None
        )
        texts = osm_read_problems(where, node_tags, homes_for)
        problems += [(("layers", name, "path"), text) for text in texts]
    return problems
