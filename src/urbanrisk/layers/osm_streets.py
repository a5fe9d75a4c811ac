"""The street rows of the OSM reader: the tags kept, and a block of parsed ways made columns or a frame."""

from __future__ import annotations

import itertools

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from .. import settings
from .osm_columns import frame_of, table_frame, valid_geometry
from .osm_pass import StreetBatch

#: Street tags kept as columns of ``streets`` besides highway/name/oneway/maxspeed: the keys of the
#: network filters (``tables/network_filters.csv``, osmnx's drive/walk rules), one-way roundabouts,
#: and grade separation (tunnels and bridges are no place to snap a cell to).
STREET_TAGS = (
    "access",
    "motor_vehicle",
    "motorcar",
    "service",
    "area",
    "junction",
    "foot",
    "sidewalk",
    "sidewalk:both",
    "sidewalk:left",
    "sidewalk:right",
    "layer",
    "tunnel",
    "bridge",
    "covered",
)


STREET_COLUMNS = ["way_id", "highway", "name", "oneway", "maxspeed", *STREET_TAGS, "node_ids", "geometry"]
STREET_VALUES = ("name", "oneway", "maxspeed", *STREET_TAGS)


def street_columns(batch: StreetBatch, stats: dict[str, int]) -> dict[str, object]:
    """A block's street columns (tags as Arrow strings), degenerate ways dropped and counted in
    ``stats["ways_degenerate"]``."""
    tags, way_id, node_ids = batch.tags, batch.way_id, batch.node_ids
    geometry = valid_geometry(batch.geometry)
    # a way whose nodes all share one location is no line (GEOS makes it a point): dropped, counted
    line = shapely.get_type_id(geometry) == shapely.GeometryType.LINESTRING
    dropped = len(line) - int(line.sum())
    stats["ways_degenerate"] = stats.get("ways_degenerate", 0) + dropped
    if dropped:
        kept = pa.array(line)
        tags = {key: values.filter(kept) for key, values in tags.items()}
        way_id, geometry, node_ids = way_id[line], geometry[line], list(itertools.compress(node_ids, line))
    columns: dict[str, object] = {"way_id": way_id, "highway": tags["highway"]}
    # clean_text of each name, in Arrow: "" where absent, cut to the longest text kept
    columns["name"] = pc.utf8_slice_codeunits(pc.fill_null(tags["name"], ""), 0, settings.max_text_length)
    for key in STREET_VALUES[1:]:
        columns[key] = pc.fill_null(tags[key], "")
    columns["node_ids"], columns["geometry"] = node_ids, geometry
    return columns


def street_frame(batch: StreetBatch, stats: dict[str, int]) -> gpd.GeoDataFrame:
    """Street rows as a frame, degenerate ways dropped and counted in ``stats["ways_degenerate"]``."""
    return table_frame(street_columns(batch, stats), STREET_COLUMNS)


def streets_of(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """The street blocks of a pass as one frame (an empty one when there is none)."""
    if not frames:
        return frame_of([], STREET_COLUMNS)
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
