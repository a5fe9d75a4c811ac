"""The street ways of an OSM extract: their columns from the pass's text, and the streets' part of the
read done apart (on a worker process, beside the areas' part in the driver).

The whole-file read's pass (:func:`urbanrisk.layers.osm_pass.run_pass`) writes the ``highway=*`` ways
as OPL text while it hands the areas and POI nodes to Python; the text is parsed into columns after it
(:func:`street_columns`). :func:`streets_apart` is that streets' part alone: a pass of its own that
writes the texts (:func:`~urbanrisk.layers.osm_pass.text_pass`), the tagged objects' count, the
street columns and their nodes, sent back as plain arrays (:class:`StreetsPart`), so that a worker
process does it while the driver's pass assembles the areas. The columns are those of the one pass.
"""

from __future__ import annotations

import contextlib
import itertools
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from .. import settings
from .._errors import LayerError
from .._gc import collection_paused
from .osm_columns import StreetNodes, frame_of, table_frame, valid_geometry
from .osm_ids import repeated_in, repeated_message
from .osm_order import unsorted_message
from .osm_pass import StreetBatch, street_batches, system_arrow_pool, tagged_summary, text_pass
from .text_controls import BREAKS_RE2, CONTROL_RE2

T = TypeVar("T")

#: Street tags kept as columns of ``streets`` besides highway/name/oneway/maxspeed: the keys of the
#: network filters (``tables/network_filters.csv``, osmnx's drive/walk rules), one-way roundabouts,
#: and grade separation (tunnels and bridges are no place to snap a cell to).
STREET_TAGS = (
    "access",
    "motor_vehicle",
    "motorcar",
    "vehicle",
    "emergency",
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
#: The tags the street text's parse keeps (``area``: an ``area=yes`` highway is no street)
STREET_KEYS = ("highway", "area", *STREET_VALUES)


def cannot_read(path: Path, exc: BaseException) -> LayerError:
    """The error of an extract libosmium cannot read (an id above int64, lat 1000, a cut file), with the
    fix: an extract whose objects are out of order or present twice (extracts joined with ``osmium cat``,
    a history file) was told to re-download a complete file, which it was. Held twice (libosmium's area
    assembly stops: "Way ID twice in input"), the tagged objects held twice are named
    (:func:`~urbanrisk.layers.osm_ids.repeated_message`, as validate says it).

    >>> print(cannot_read(Path("a.osm.pbf"), RuntimeError("Relation ID twice in input")))
    ... # doctest: +ELLIPSIS
    a.osm.pbf: cannot read this OSM file (Relation ID twice in input): it holds objects twice; extracts ...
    """
    said = str(exc)
    if "twice in input" in said:
        found: dict[str, list[int]] = {}
        with contextlib.suppress(RuntimeError, ValueError, OSError, osmium.InvalidLocationError):
            found = repeated_in(path)
        return LayerError(repeated_message(path, found, exc))
    if "out of order" in said:
        fix = (
            "its objects are not sorted by type and id (extracts joined with osmium cat?): sort it "
            f"(osmium sort {path.name} -o sorted.osm.pbf); to join extracts use osmium merge, which also "
            "keeps each object once"
        )
        return LayerError(f"{path}: cannot read this OSM file ({said}): {fix}")
    return LayerError(
        f"{path}: cannot read this OSM file ({said}); is it complete? re-export or re-download the extract"
    )


def checked_read(path: Path, read: Callable[[], T]) -> T:
    """``read()``, libosmium's errors raised as a :class:`LayerError` naming ``path``."""
    try:
        return read()
    except LayerError:
        raise  # raised by a collector that writes as it goes: its own message
    except (RuntimeError, ValueError, osmium.InvalidLocationError) as exc:  # an id above int64, lat 1000
        raise (scratch_unwritable(path, exc) or cannot_read(path, exc)) from exc


def scratch_unwritable(path: Path, exc: BaseException) -> LayerError | None:
    """The error of scratch files the pass over ``path`` cannot write (libosmium's "Write failed": a
    full disk, a file-size limit), no fault of the extract (:func:`cannot_read` said "is it complete?
    re-download the extract"); None for any other error."""
    if "Write failed" not in str(exc):
        return None
    msg = (
        f"{path}: cannot write the scratch files of its reading in {tempfile.gettempdir()} ({exc}): "
        "a full disk or a file-size limit (ulimit -f)? free some space there, or point TMPDIR at a disk "
        "with more room"
    )
    return LayerError(msg)


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
    # clean_text of each name, in Arrow: "" where absent, no control characters, cut to the longest kept
    names = pc.replace_substring_regex(pc.fill_null(tags["name"], ""), BREAKS_RE2, " ")  # as strip_controls
    names = pc.replace_substring_regex(names, CONTROL_RE2, "")
    columns["name"] = pc.utf8_slice_codeunits(names, 0, settings.max_text_length)
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


@dataclass
class StreetsPart:
    """The streets' part of a read, as a worker process sends it back: the tagged objects' count and
    newest timestamp (:func:`~urbanrisk.layers.osm_pass.tagged_summary`), the counts the streets add
    to the read's stats (in the order the one pass adds them), each block's columns with its node ids
    and lines as flat arrays (:func:`packed`: pickled ~5x faster than lists and GEOS objects), the
    street nodes, and the error that stopped the pass (raised by the driver after its own pass's)."""

    tagged: tuple[int, int] = (0, 0)
    stats: dict[str, int] = field(default_factory=dict)
    blocks: list[dict[str, object]] = field(default_factory=list)
    nodes: pd.DataFrame | None = None
    error: LayerError | None = None
    unplaced: int = 0  # street ways none of whose nodes has a location (unsorted_message)
    streets: int = 0  # street ways read, kept or dropped


def packed(columns: dict[str, object]) -> dict[str, object]:
    """A block's columns (:func:`street_columns`) with the node id lists and the lines as flat arrays."""
    ids: list[list[int]] = columns.pop("node_ids")  # type: ignore[assignment]
    counts = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64, count=int(counts.sum()))
    lines: np.ndarray = columns.pop("geometry")  # type: ignore[assignment]
    coords = shapely.get_coordinates(lines)  # each line's vertices, in order: its count of them
    columns["flat"] = (flat, counts, coords, shapely.get_num_coordinates(lines))
    return columns


def unpacked(columns: dict[str, object]) -> dict[str, object]:
    """The columns :func:`packed` flattened, as :func:`street_columns` made them (the same values)."""
    flat, counts, coords, vertices = columns.pop("flat")  # type: ignore[misc]
    bounds, ids = np.concatenate([[0], np.cumsum(counts)]).tolist(), flat.tolist()
    columns["node_ids"] = [ids[start:end] for start, end in itertools.pairwise(bounds)]
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(vertices)), vertices))
    columns["geometry"] = np.asarray(lines, dtype=object)
    return columns


def refuse_unsorted(path: Path, unplaced: int, streets: int) -> None:
    """Raise :func:`unsorted_message` as a :class:`LayerError` when it has something to say: a run would
    read no street of an unsorted extract, and grade every cell on no data as if nothing were there."""
    message = unsorted_message(path, unplaced, streets)
    if message is not None:
        raise LayerError(message)


def streets_apart(path: str, folder: str, street_block: int) -> StreetsPart:
    """The streets' part of the read of ``path`` (a task: on a worker process beside the driver's pass
    of the areas), its OPL texts in ``folder`` (the driver's scratch folder, checked for room by it)."""
    part = StreetsPart()
    with collection_paused(), system_arrow_pool():
        try:
            text_pass(Path(path), Path(folder))
        except (RuntimeError, ValueError, osmium.InvalidLocationError) as exc:
            part.error = scratch_unwritable(Path(path), exc) or cannot_read(Path(path), exc)
            return part
        try:
            part.tagged = tagged_summary(Path(folder), Path(path))
        except LayerError as exc:  # an object held twice: raised by the driver, after its own pass's error
            part.error = exc
            return part
        stats, nodes = part.stats, StreetNodes()
        stats["ways_missing_nodes"] = 0
        for batch in street_batches(Path(folder), STREET_KEYS, street_block):
            stats["ways_missing_nodes"] += batch.missing
            part.unplaced, part.streets = part.unplaced + batch.unplaced, part.streets + batch.streets
            if len(batch.way_id):
                columns = street_columns(batch, stats)
                nodes.add(columns["node_ids"], columns["geometry"])  # type: ignore[arg-type]
                part.blocks.append(packed(columns))
        part.nodes = nodes.frame()
    return part
