"""Read a local OSM extract (.osm, .osm.bz2, .osm.pbf) into urbanrisk's standard layers, offline.

One streaming pass with pyosmium (node locations + area assembly; only areas and POI nodes reach
Python, the streets are parsed in bulk, see :mod:`.osm_pass`) yields:

- ``buildings``: footprint polygons with their tag, use, storeys (tagged or defaulted) and floor area;
- ``pois``: points (areas by their representative point) matched to standard kinds through the tag
  table, one row per (feature, kind); an area feature keeps its outline as WKB in ``shape_wkb``
  (distances to a school are measured to its grounds, not to its centre);
- ``landuse``: land-use and campus areas (context for untyped buildings; community units later);
- ``streets``: ``highway=*`` ways with their node ids, kept for the routing graph, and the tags
  (:data:`STREET_TAGS`) that decide which mode may use a way, its direction, and whether it runs at
  street level (empty string when untagged).

Ways whose nodes are missing from a clipped extract are dropped and counted, never guessed.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import osmium
import pandas as pd
from osmium.geom import WKBFactory

from .. import settings
from .._errors import LayerError
from .._gc import collection_paused
from .building_outers import BuildingOuters, renumbered
from .buildings import complete_buildings, levels_reading
from .buildings import footprint_crs as footprint_crs  # (re-exported: the reader's public helpers)
from .buildings import parse_levels as parse_levels
from .osm_columns import (
    BATCH_ROWS,
    LayerColumns,
    StreetNodes,
    joined_frame,
)
from .osm_columns import frame_of as frame_of  # (re-exported: the streaming ingest builds its chunks with it)
from .osm_columns import street_nodes as street_nodes
from .osm_josm import josm_message
from .osm_pass import (
    StreetBatch,
    check_scratch_space,
    header_bounds,
    run_pass,
    street_batches,
    system_arrow_pool,
    tag_dict,
    tagged_summary,
)
from .osm_streets import (
    STREET_COLUMNS,
    STREET_KEYS,
    StreetsPart,
    checked_read,
    refuse_unsorted,
    streets_apart,
    unpacked,
)
from .osm_streets import STREET_TAGS as STREET_TAGS  # (re-exported: the tags the streets keep)
from .osm_streets import street_columns as street_columns
from .osm_streets import street_frame as street_frame
from .osm_streets import streets_of as streets_of  # (re-exported: the streaming ingest joins its blocks)
from .tables import building_type_table, landuse_context_table, osm_tag_table
from .text_controls import strip_controls

CRS = "EPSG:4326"


@dataclass
class OsmLayers:
    """The standard layers read from one OSM extract."""

    buildings: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    landuse: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    bounds: tuple[float, float, float, float] | None
    stats: dict[str, int] = field(default_factory=dict)
    street_nodes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["lon", "lat"]))


def clean_text(value: str | None) -> str:
    """Trim an untrusted text field to a sane length, without control characters (NUL...: office16);
    escaping happens where HTML is written."""
    return strip_controls(str(value))[: settings.max_text_length] if value else ""


def _check_readable(path: Path) -> None:
    if not path.is_file():
        msg = f"OSM file not found: {path}"
        raise LayerError(msg)
    name = path.name.lower()
    if not name.endswith((".osm", ".osm.bz2", ".osm.gz", ".pbf", ".osm.pbf")):
        msg = f"{path}: not an OSM extract (.osm, .osm.bz2 or .osm.pbf)"
        raise LayerError(msg)
    if (josm := josm_message(path)) is not None:  # a JOSM file's unsaved edits, read otherwise than shown
        raise LayerError(josm)


#: Version of the layers this reader produces: part of the cache key of a parsed extract, so that a
#: cache written by an older reader (e.g. streets without their access and layer tags) is not reused.
#: 3: a building relation's tagged outer ways no buildings; 4: their tags kept; 5: streets' vehicle,
#: emergency; 6: building:levels values ignored or read loosely counted in the stats
LAYERS_VERSION = 6


class _Collector:
    """The rows of each standard layer, collected object by object in one pass over the file."""

    def __init__(self, tag_table: pd.DataFrame, landuse_context: pd.DataFrame) -> None:
        self.context_pairs = set(zip(landuse_context["key"], landuse_context["value"], strict=True))
        self.wkb = WKBFactory()
        self.buildings: list[tuple] = []
        self.pois: list[tuple] = []
        self.landuse: list[tuple] = []
        self.streets: list[gpd.GeoDataFrame] = []
        self.stats: dict[str, int] = {"ways_missing_nodes": 0, "areas_invalid": 0, "tagged_objects": 0}
        # the tag table as a plain dict (roles joined as the rows hold them): looked up for every object
        self.rules: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for (key, value), kind, roles, group in zip(
            tag_table.index, tag_table["kind"], tag_table["roles"], tag_table["group"], strict=True
        ):
            self.rules.setdefault((key, value), []).append((kind, "|".join(roles), group))
        self.keys_in_table = tuple(dict.fromkeys(tag_table.index.get_level_values(0)))
        self.key_rank = {key: rank for rank, key in enumerate(self.keys_in_table)}
        self._kinds: dict[tuple[tuple[str, str], ...], list[tuple[str, str, str]]] = {}
        self.outers = BuildingOuters(self.buildings)  # a building relation's tagged outer ways: counted once

    def match_kinds(self, tags: dict[str, str]) -> list[tuple[str, str, str]]:
        """The kinds (with roles, ``|``-joined, and group) an object's tags map to in the tag table."""
        # the object's few tags whose key is in the table: most objects share a handful of such sets
        rank = self.key_rank
        pairs = tuple([(key, value) for key, value in tags.items() if key in rank])
        kinds = self._kinds.get(pairs)
        if kinds is None:
            found: dict[str, tuple[str, str]] = {}
            for key, value in sorted(pairs, key=lambda pair: self.key_rank[pair[0]]):  # table order
                for wanted in (value, "*"):
                    for kind, roles, group in self.rules.get((key, wanted), ()):
                        found.setdefault(kind, (roles, group))
            kinds = self._kinds[pairs] = [(kind, roles, group) for kind, (roles, group) in found.items()]
        return kinds

    def area(self, obj: osmium.osm.Area) -> None:
        """Take one tagged area into the layers it belongs to (counted, with its timestamp)."""
        self.stats["tagged_objects"] += 1
        data = obj._pyosmium_data  # the C++ object: one Python layer less per call (see tag_dict)
        from_way, osm_id = data.from_way(), data.orig_id()
        if from_way:  # an area from a way has the way's timestamp, which the OPL text counts
            ref = f"way/{osm_id}"
        else:
            if obj.timestamp is not None:
                stamp = int(obj.timestamp.timestamp())
                self.stats["newest_object_epoch"] = max(self.stats.get("newest_object_epoch", 0), stamp)
            ref = f"relation/{osm_id}"
        tags = tag_dict(obj)
        if tags:
            self._area(obj, tags, ref, from_way, osm_id)

    def node(self, obj: osmium.osm.Node) -> None:
        """Take one tagged node with a key of the tag table (counted with the OPL text, not here)."""
        tags = tag_dict(obj)
        kinds = self.match_kinds(tags)
        if kinds:
            geom = bytes.fromhex(self.wkb.create_point(obj))
            name = clean_text(tags.get("name") or tags.get("brand"))
            for kind, roles, group in kinds:
                self.pois.append((f"node/{obj.id}", kind, roles, group, name, geom, None))

    def add_streets(self, frame: gpd.GeoDataFrame) -> None:
        """Take a block of street rows, as :func:`street_frame` makes them."""
        self.streets.append(frame)

    def areas_done(self) -> None:
        """Called when every area and node is in, before the streets are parsed: nothing to do here."""

    def add_street_block(self, batch: StreetBatch, stats: dict[str, int]) -> None:
        """Take a block of street ways, parsed from the pass's text (as :meth:`add_streets` a frame)."""
        self.add_streets(street_frame(batch, stats))

    def _area(
        self, obj: osmium.osm.Area, tags: dict[str, str], ref: str, from_way: bool, osm_id: int
    ) -> None:
        try:
            text = self.wkb.create_multipolygon(obj)
        except (osmium.InvalidLocationError, RuntimeError):
            self.stats["areas_invalid"] += 1
            return
        geom = bytes.fromhex(text)  # half the memory of pyosmium's hex while the rows wait
        name = tags.get("name") or tags.get("brand")
        name = strip_controls(name)[: settings.max_text_length] if name else ""  # clean_text, inline
        building = tags.get("building")
        if building is not None and building != "no":
            if (read := levels_reading(tags.get("building:levels"))) is not None:  # 1e20, 3;4: counted
                self.stats[read] = self.stats.get(read, 0) + 1
            self.buildings.append(
                (ref, building, tags.get("building:levels"), tags.get("height"), name, geom)
            )
            self.outers.took(from_way, osm_id)
        landuse = tags.get("landuse")
        if landuse:
            self.landuse.append((ref, "landuse", landuse, name, geom))
        amenity = tags.get("amenity")
        if amenity and ("amenity", amenity) in self.context_pairs:
            self.landuse.append((ref, "amenity", amenity, name, geom))
        for kind, roles, group in self.match_kinds(tags):
            self.pois.append((ref, kind, roles, group, name, geom, text))


def default_tables(
    tag_table: pd.DataFrame | None = None,
    building_types: pd.DataFrame | None = None,
    landuse_context: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The data tables the reader uses: the given ones, else the shipped ones."""
    return (
        osm_tag_table() if tag_table is None else tag_table,
        building_type_table() if building_types is None else building_types,
        landuse_context_table() if landuse_context is None else landuse_context,
    )


#: ``beside(task, side)``: ``(task(), side())``, ``task`` perhaps on a worker process while ``side`` runs
#: here (:func:`urbanrisk.parallel.apart`)
Beside = Callable[[Callable[[], StreetsPart], Callable[[], None]], tuple[StreetsPart, None]]


def read_pass(
    path: Path, collected: _Collector, street_block: int = 1 << 21, *, beside: Beside | None = None
) -> tuple[float, float, float, float] | None:
    """One pass over the extract into ``collected``; returns the header bounds.

    Areas and POI nodes reach ``collected`` object by object; the streets come after the pass, in
    blocks of ``street_block`` bytes of OPL text, to :meth:`_Collector.add_streets`. With ``beside``
    (a :class:`_WholeCollector`'s read), the streets' part is a pass of its own, the ``task`` given to
    ``beside`` (:func:`.osm_streets.streets_apart`), while this one assembles the areas: the same
    layers and stats.

    Raises
    ------
    LayerError
        When the file is missing, cut or corrupt, or holds no tagged object.
    """
    _check_readable(path)
    stats = collected.stats
    with (
        collection_paused(),
        system_arrow_pool(),
        tempfile.TemporaryDirectory(prefix="urbanrisk-osm-") as folder,
    ):
        check_scratch_space(path, Path(folder))
        bounds = header_bounds_of(path)
        collected.outers.path = path  # a building relation's outer ways' tags, read if it lacks them
        areas = (
            path,
            Path(folder),
            tuple(collected.rules),
            collected.area,
            collected.node,
            collected.outers.relation,
        )
        if beside is None:
            checked_read(path, lambda: run_pass(*areas))
            streets, (count, newest) = None, tagged_summary(Path(folder), path)
        else:
            task = functools.partial(streets_apart, str(path), folder, street_block)
            streets, _ = beside(task, functools.partial(_areas_beside, path, areas, collected))
            if streets.error is not None:
                raise streets.error
            count, newest = streets.tagged
        if count:
            stats["tagged_objects"] += count
            stats["newest_object_epoch"] = max(stats.get("newest_object_epoch", 0), newest)
        if stats["tagged_objects"] == 0:
            msg = (
                f"{path}: the OSM file holds no tagged object (no building, street or place); "
                "is it empty or cut short?"
            )
            raise LayerError(msg)
        if "building_outer_ways" in stats:  # the areas' layers completed beside the streets' task
            stats["building_outer_ways"] = stats.pop("building_outer_ways")  # the stats' order, as read
        else:
            collected.areas_done()
        if streets is not None:
            refuse_unsorted(path, streets.unplaced, streets.streets)
            collected.add_streets_part(streets)  # type: ignore[attr-defined]
            return bounds
        unplaced = read = 0
        for batch in street_batches(Path(folder), STREET_KEYS, street_block):
            stats["ways_missing_nodes"] += batch.missing
            unplaced, read = unplaced + batch.unplaced, read + batch.streets
            if len(batch.way_id):
                collected.add_street_block(batch, stats)
        refuse_unsorted(path, unplaced, read)
    return bounds


def _areas_beside(path: Path, areas: tuple, collected: _Collector) -> None:
    """The areas' pass, then their layers (once it found a tagged area) beside the streets' task."""
    checked_read(path, lambda: run_pass(*areas, texts=False))
    if collected.stats["tagged_objects"]:  # 256 tiles: buildings completed here, not after, ~0.5 s
        collected.areas_done()


def header_bounds_of(path: Path) -> tuple[float, float, float, float] | None:
    """:func:`.osm_pass.header_bounds`, an unreadable header raised as the pass's error."""
    return checked_read(path, lambda: header_bounds(path))


#: Columns of the rows the collector gathers, per layer (buildings before their use is derived).
LANDUSE_COLUMNS = ["osm_ref", "key", "value", "name", "geometry"]
POI_COLUMNS = ["osm_ref", "kind", "roles", "group", "name", "geometry", "shape_wkb"]
BUILDING_COLUMNS = ["osm_ref", "building", "levels_tag", "height_tag", "name", "geometry"]


def poi_frame(rows: list[tuple]) -> gpd.GeoDataFrame:
    """POI rows as a frame, areas by their representative point (row by row: chunks may be read apart)."""
    return poi_points(frame_of(rows, POI_COLUMNS))


def poi_points(poi_gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A frame of POI rows with the areas at their representative point (and ``shape_wkb`` text)."""
    if len(poi_gdf):
        # text even where no row is an area (as it is where some are: a chunk is typed like the whole)
        poi_gdf["shape_wkb"] = poi_gdf["shape_wkb"].astype("str")
        poi_gdf["geometry"] = poi_gdf.geometry.representative_point()
    return poi_gdf


class _WholeCollector(_Collector):
    """The whole-file read's collector: every :data:`~.osm_columns.BATCH_ROWS` rows become columns
    (:class:`~.osm_columns.LayerColumns`: no row waits to the end), the area layers are made as the pass
    ends (buildings completed before the streets are parsed), the street nodes taken block by block."""

    def __init__(self, tag_table: pd.DataFrame, building_types: pd.DataFrame, context: pd.DataFrame) -> None:
        super().__init__(tag_table, context)
        self.tables = (building_types, context)
        self.columns = {
            "landuse": LayerColumns(LANDUSE_COLUMNS),
            "pois": LayerColumns(POI_COLUMNS),
            "buildings": LayerColumns(BUILDING_COLUMNS),
        }
        self.frames: dict[str, gpd.GeoDataFrame] = {}
        self.nodes = StreetNodes()
        self.street_blocks: list[dict[str, object]] = []
        self.nodes_read: pd.DataFrame | None = None  # the street nodes, when read apart

    def area(self, obj: osmium.osm.Area) -> None:
        """Take one tagged area; the rows become columns when a batch is full."""
        _Collector.area(self, obj)
        if len(self.buildings) + len(self.pois) + len(self.landuse) >= BATCH_ROWS:
            self._take()

    def node(self, obj: osmium.osm.Node) -> None:
        """Take one tagged node; the rows become columns when a batch is full."""
        _Collector.node(self, obj)
        if len(self.buildings) + len(self.pois) + len(self.landuse) >= BATCH_ROWS:
            self._take()

    def _take(self) -> None:
        for name, rows in (("landuse", self.landuse), ("pois", self.pois), ("buildings", self.buildings)):
            self.columns[name].take(rows)

    def areas_done(self) -> None:
        """The area layers, buildings completed (while the streets are not in memory yet)."""
        self._take()
        landuse = self.columns["landuse"].frame()
        raw = self.columns["buildings"].frame()
        dropped = self.outers.dropped()  # a building relation's tagged outer ways (renumbered as read)
        self.stats["building_outer_ways"] = len(dropped)
        if len(dropped):
            raw = raw.drop(index=dropped)
            raw.index = renumbered(raw.index.to_numpy(), dropped)
        building_types, context = self.tables
        self.frames = {"landuse": landuse, "pois": poi_points(self.columns["pois"].frame())}
        self.frames["buildings"] = complete_buildings(raw, building_types, landuse, context)

    def add_street_block(self, batch: StreetBatch, stats: dict[str, int]) -> None:
        """Take a block of street ways as columns (one frame of all at the end), and their nodes."""
        columns = street_columns(batch, stats)
        self.nodes.add(columns["node_ids"], columns["geometry"])
        self.street_blocks.append(columns)

    def add_streets_part(self, part: StreetsPart) -> None:
        """Take the streets read apart (:func:`.osm_streets.streets_apart`): stats, blocks and nodes."""
        for key, count in part.stats.items():
            self.stats[key] = self.stats.get(key, 0) + count
        self.street_blocks = [unpacked(block) for block in part.blocks]
        self.nodes_read = part.nodes

    def street_frame(self) -> gpd.GeoDataFrame:
        """The streets of every block as one frame (the blocks are dropped)."""
        if not self.street_blocks:
            return frame_of([], STREET_COLUMNS)
        return joined_frame(self.street_blocks, STREET_COLUMNS)


def osm_from_file(
    path: str | Path,
    *,
    tag_table: pd.DataFrame | None = None,
    building_types: pd.DataFrame | None = None,
    landuse_context: pd.DataFrame | None = None,
    beside: Beside | None = None,
) -> OsmLayers:
    """Read an OSM extract into standard layers (EPSG:4326).

    Parameters
    ----------
    path
        A .osm, .osm.bz2 or .osm.pbf file.
    tag_table, building_types, landuse_context
        Data tables (see :mod:`urbanrisk.layers.tables`); ``None`` uses the shipped ones.
    beside
        Given, the streets' part of the read is a task it runs beside the areas' (:func:`read_pass`):
        :func:`urbanrisk.parallel.apart` on ``processes`` gives it a worker process. The same layers.

    Raises
    ------
    LayerError
        When the file is missing, cut or corrupt, or holds no usable feature.
    """
    tag_table, building_types, landuse_context = default_tables(tag_table, building_types, landuse_context)
    with collection_paused():
        return _layers(Path(path), tag_table, building_types, landuse_context, beside)


def _layers(
    path: Path,
    tag_table: pd.DataFrame,
    building_types: pd.DataFrame,
    landuse_context: pd.DataFrame,
    beside: Beside | None = None,
) -> OsmLayers:
    collected = _WholeCollector(tag_table, building_types, landuse_context)
    bounds = read_pass(path, collected, beside=beside)
    stats, frames = collected.stats, collected.frames
    nodes = collected.nodes.frame() if collected.nodes_read is None else collected.nodes_read
    street_gdf = collected.street_frame()
    layers = (frames["buildings"], frames["pois"], frames["landuse"], street_gdf)
    stats.update(zip(("buildings", "pois", "landuse", "streets"), map(len, layers), strict=True))
    return OsmLayers(*layers, bounds, stats, nodes)
