"""Stream an OSM extract into a partitioned GeoParquet store, in memory bounded by the flush size.

:func:`ingest_osm` makes the same pass as :func:`urbanrisk.layers.osm.osm_from_file` with the same
collector (streets come after the areas and POIs, in blocks), but every ``flush_rows`` rows it turns
the rows gathered so far into frames (row by row, as the whole-file reader does) and splits them by
the H3 parent cell of each feature's representative point into partition buffers; when more than
``flush_rows / 2`` rows wait there, the largest buffers are written out, one file each. A second,
per-partition step then completes the buildings (their use from the land-use areas around them,
their footprint in the UTM zone of all buildings) and compacts each partition written in several
files into one, in Hilbert order with small row groups and a bbox covering column. The driver holds
at most 1.5 × ``flush_rows`` rows, then one partition (with the land use around it), never the city.

Layout under ``root`` (a folder or an fsspec URL, e.g. ``s3://bucket/city`` or ``memory://city``)::

    manifest.json                          partitions, their files, rows and bounds; stats; columns
    buildings/part=<h3 parent>/part-0.parquet
    pois/... landuse/... streets/...

A hive-partitioned GeoParquet dataset per layer: geopandas, pyarrow and DuckDB read each folder as
one table. :mod:`urbanrisk.osm_store` reads it back: for a bbox, exactly the rows ``osm_from_file``
gives whose bbox meets it (same columns, dtypes and values), **in the whole-file reader's order,
indexed by their row number in its frames** (column ``_row`` on disk), or the rows of one partition.

Examples
--------
>>> from pathlib import Path
>>> osm = Path(__file__).parents[2] / "layers" / "beijing-bupt" / "bupt_2025.osm"
>>> store = ingest_osm(osm, "memory://doctest-bupt", partition_resolution=7, flush_rows=100)
>>> parts = [store.read_part("buildings", part) for part in store.parts("buildings")]
>>> store.manifest["stats"]["buildings"], sum(len(frame) for frame in parts), store.manifest["chunks"] > 1
(111, 111, True)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import fsspec
import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import shapely

from . import grid as gridmod
from . import settings
from ._errors import LayerError
from .geoparquet import geoparquet_table, table_digest, write_geoparquet
from .layers.buildings import landuse_areas
from .layers.osm import (
    BUILDING_COLUMNS,
    LANDUSE_COLUMNS,
    LAYERS_VERSION,
    _Collector,
    complete_buildings,
    default_tables,
    footprint_crs,
    frame_of,
    poi_frame,
    read_pass,
    streets_of,
)
from .osm_store import (
    EVERYWHERE,
    LAYER_NAMES,
    MANIFEST,
    STORE_VERSION,
    OsmStore,
)

_RAW = "_raw_buildings"  # buildings as read, before the land-use join (removed when complete)


def _store_error(root: str, exc: Exception) -> LayerError:
    return LayerError(
        f"cannot write the OSM store at {root} ({exc}); give a folder or a URL that fsspec can write "
        "(and its package, e.g. s3fs for s3://)"
    )


@dataclass
class _Parts:
    """Where the rows of each layer went: files, row counts and bounds per partition."""

    root: str
    resolution: int
    fs: fsspec.AbstractFileSystem = field(repr=False)
    folder: str = ""
    next_row: dict[str, int] = field(default_factory=dict)
    chunk: int = 0  # chunks written (flushes)
    parts: dict[str, dict[str, dict]] = field(default_factory=dict)
    building_bounds: list[float] | None = None
    columns: dict[str, list[str]] = field(default_factory=dict)
    buffers: dict[tuple[str, str], list[gpd.GeoDataFrame]] = field(default_factory=dict, repr=False)
    buffered: int = 0  # rows in the buffers
    files: int = 0  # chunk files written

    def write(self, layer: str, frame: gpd.GeoDataFrame) -> None:
        """Split one chunk of a layer into its partitions' buffers; rows numbered in reading order."""
        if not len(frame):
            return
        start = self.next_row.get(layer, 0)
        frame["_row"] = np.arange(start, start + len(frame), dtype=np.int64)
        self.next_row[layer] = start + len(frame)
        if layer == _RAW:
            box = shapely.total_bounds(frame.geometry.to_numpy())
            old = self.building_bounds or box
            self.building_bounds = [*np.minimum(old[:2], box[:2]), *np.maximum(old[2:], box[2:])]
        points = shapely.get_coordinates(frame.geometry.representative_point().to_numpy())
        ints = gridmod.points_to_cells(points[:, 0], points[:, 1], self.resolution)
        unique, inverse, counts = np.unique(ints, return_inverse=True, return_counts=True)
        grouped = frame.iloc[np.argsort(inverse, kind="stable")]  # by partition, reading order within
        ends = np.cumsum(counts)
        for cell, end, count in zip(gridmod.cell_ints_to_str(unique), ends, counts, strict=True):
            self.buffers.setdefault((layer, cell), []).append(grouped.iloc[end - count : end])
        self.buffered += len(frame)

    def spill(self, keep: int) -> None:
        """Write the largest partition buffers out until at most ``keep`` rows stay buffered.

        Partitions whose features come together in the file thus get one file, not one per chunk.
        """
        sizes = {key: sum(len(f) for f in frames) for key, frames in self.buffers.items()}
        for key in sorted(sizes, key=lambda k: (-sizes[k], k)):
            if self.buffered <= keep:
                break
            frames = self.buffers.pop(key)
            frame = pd.concat(frames) if len(frames) > 1 else frames[0]
            self.files += 1
            self._add(*key, frame, f"chunk-{self.files:05d}.parquet")
            self.buffered -= sizes[key]

    def _add(self, layer: str, cell: str, frame: gpd.GeoDataFrame, name: str) -> None:
        folder = f"{self.folder}/{layer}/part={cell}"
        try:
            self.fs.makedirs(folder, exist_ok=True)
            table = geoparquet_table(frame)
            write_geoparquet(table, f"{folder}/{name}", self.fs, settings.store_row_group_rows)
        except (OSError, ValueError, ImportError) as exc:
            raise _store_error(self.root, exc) from exc
        self.columns[layer] = [c for c in frame.columns if c != "_row"]
        entry = self.parts.setdefault(layer, {}).setdefault(cell, {"files": [], "rows": 0, "bbox": None})
        entry["files"].append(f"{layer}/part={cell}/{name}")
        # the rows' content, not their row numbers: an edit elsewhere in the extract leaves it as it was
        if layer != _RAW:  # (the raw buildings are replaced by the completed ones)
            entry.setdefault("digests", []).append(table_digest(table, skip=("_row", "bbox")))
        entry["rows"] += len(frame)
        box = [float(v) for v in shapely.total_bounds(frame.geometry.to_numpy())]
        old = entry["bbox"] or box
        entry["bbox"] = [min(old[0], box[0]), min(old[1], box[1]), max(old[2], box[2]), max(old[3], box[3])]


class _StreamingCollector(_Collector):
    """The whole-file reader's collector, handing its rows on every ``flush_rows`` rows.

    At most ``flush_rows`` rows wait here, and half as many more in the partition buffers.
    """

    def __init__(
        self, tag_table: pd.DataFrame, landuse_context: pd.DataFrame, parts: _Parts, flush_rows: int
    ):
        super().__init__(tag_table, landuse_context)
        self.parts = parts
        self.flush_rows = flush_rows

    def area(self, obj: osmium.osm.Area) -> None:
        """Collect one area; write the rows out when the chunk is full."""
        super().area(obj)
        self._maybe_flush()

    def node(self, obj: osmium.osm.Node) -> None:
        """Collect one node; write the rows out when the chunk is full."""
        super().node(obj)
        self._maybe_flush()

    def _held(self) -> int:
        return len(self.buildings) + len(self.pois) + len(self.landuse) + sum(map(len, self.streets))

    def _maybe_flush(self) -> None:
        if self._held() >= self.flush_rows:
            self.flush()

    def add_streets(self, frame: gpd.GeoDataFrame) -> None:
        """Take a block of street rows (after the pass, in reading order), flushing every ``flush_rows``."""
        while len(frame):
            room = max(self.flush_rows - self._held(), 1)
            self.streets.append(frame.iloc[:room])
            frame = frame.iloc[room:]
            self._maybe_flush()

    def flush(self) -> None:
        """Write the rows gathered so far (as frames, row by row like the whole-file reader) and drop them."""
        if not (self.buildings or self.pois or self.landuse or self.streets):
            return
        self.parts.write("landuse", frame_of(self.landuse, LANDUSE_COLUMNS))
        self.parts.write(_RAW, frame_of(self.buildings, BUILDING_COLUMNS))
        self.parts.write("pois", poi_frame(self.pois))
        if self.streets:
            self.parts.write("streets", streets_of(self.streets).reset_index(drop=True))
        for rows in (self.landuse, self.buildings, self.pois, self.streets):
            rows.clear()
        self.parts.chunk += 1
        self.parts.spill(self.flush_rows // 2)


def _prepare(root: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """The store's filesystem and folder, emptied of an earlier store (never of anything else)."""
    try:
        fs, folder = fsspec.core.url_to_fs(root)
        folder = folder.rstrip("/")
        if fs.exists(folder) and fs.ls(folder):
            if not fs.exists(f"{folder}/{MANIFEST}"):
                msg = f"{root} is not empty and holds no OSM store: give an empty or a new folder"
                raise LayerError(msg)
            for name in (*LAYER_NAMES, _RAW):
                if fs.exists(f"{folder}/{name}"):
                    fs.rm(f"{folder}/{name}", recursive=True)
        fs.makedirs(folder, exist_ok=True)
        with fs.open(f"{folder}/{MANIFEST}", "w") as handle:
            json.dump({"version": STORE_VERSION, "complete": False}, handle)
    except (OSError, ValueError, ImportError) as exc:
        if isinstance(exc, LayerError):
            raise
        raise _store_error(root, exc) from exc
    return fs, folder


def _compact(parts: _Parts, layer: str, frame: gpd.GeoDataFrame, cell: str, source: str) -> None:
    """Replace the chunk files of one partition by one file in Hilbert order."""
    entry = parts.parts[source].pop(cell)
    order = np.argsort(frame.geometry.hilbert_distance().to_numpy(), kind="stable")
    frame = frame.iloc[order].reset_index(names="_row")
    parts._add(layer, cell, frame, "part-0.parquet")
    for name in entry["files"]:
        parts.fs.rm(f"{parts.folder}/{name}")


def _finish(parts: _Parts, building_types: pd.DataFrame, context: pd.DataFrame) -> None:
    """Complete the buildings and compact every partition, one at a time.

    A partition written in one chunk keeps its file (a chunk is already one file per partition).
    """
    draft = OsmStore(parts.root, {"layers": parts.parts, "columns": parts.columns})
    for layer in ("landuse", "pois", "streets"):
        for cell in sorted(parts.parts.get(layer, {})):
            if len(parts.parts[layer][cell]["files"]) > 1:
                frame = draft._read(layer, [parts.parts[layer][cell]], EVERYWHERE)
                _compact(parts, layer, frame, cell, layer)
    crs = footprint_crs(parts.building_bounds) if parts.building_bounds is not None else None
    landuse = _LanduseCache(draft, context)
    for cell in sorted(parts.parts.get(_RAW, {})):
        raw = draft._read(_RAW, [parts.parts[_RAW][cell]], EVERYWHERE)
        areas = landuse.around(raw.total_bounds)
        frame = complete_buildings(raw, building_types, None, None, crs=crs, areas=areas)
        _compact(parts, "buildings", frame, cell, _RAW)
    parts.parts.pop(_RAW, None)
    parts.columns.pop(_RAW, None)


@dataclass
class _LanduseCache:
    """Land-use partitions read for the buildings' completion, as :func:`landuse_areas` (merged with the
    context table once per partition), the last few kept (neighbours share them)."""

    store: OsmStore
    context: pd.DataFrame
    keep: int = 32
    frames: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)

    def around(self, bounds: np.ndarray) -> gpd.GeoDataFrame:
        """Land-use areas whose bbox meets ``bounds``, in reading order (maybe none)."""
        west, south, east, north = (float(v) for v in bounds)
        found = []
        for cell, entry in self.store.manifest["layers"].get("landuse", {}).items():
            box = entry["bbox"]
            if box[0] <= east and box[2] >= west and box[1] <= north and box[3] >= south:
                if cell not in self.frames:
                    if len(self.frames) >= self.keep:
                        self.frames.pop(next(iter(self.frames)))
                    landuse = self.store._read("landuse", [entry], EVERYWHERE)
                    self.frames[cell] = landuse_areas(landuse, self.context)
                if len(self.frames[cell]):
                    found.append(self.frames[cell])
        if not found:
            return landuse_areas(frame_of([], LANDUSE_COLUMNS), self.context)
        return pd.concat(found).sort_index(kind="stable") if len(found) > 1 else found[0]


def ingest_osm(
    path: str | Path,
    root: str,
    *,
    partition_resolution: int,
    flush_rows: int = 50_000,
    tag_table: pd.DataFrame | None = None,
    building_types: pd.DataFrame | None = None,
    landuse_context: pd.DataFrame | None = None,
) -> OsmStore:
    """Read an OSM extract into a store of its standard layers partitioned by H3 parent cell.

    Parameters
    ----------
    path
        A .osm, .osm.bz2 or .osm.pbf file.
    root
        A folder or an fsspec URL (empty, new, or an earlier store, which is replaced).
    partition_resolution
        H3 resolution of the partitions (the recipe's, :func:`urbanrisk.grid.partition_resolution`).
    flush_rows
        Rows held before they are written out: the bound on the pass's memory.
    tag_table, building_types, landuse_context
        As for :func:`urbanrisk.layers.osm.osm_from_file`.

    Raises
    ------
    LayerError
        When the file cannot be read (as ``osm_from_file``) or the store cannot be written.
    """
    if flush_rows < 1 or not 0 <= partition_resolution <= 15:
        msg = (
            f"ingest_osm: flush_rows must be at least 1 (got {flush_rows}) and partition_resolution an H3 "
            f"resolution, 0 to 15 (got {partition_resolution})"
        )
        raise LayerError(msg)
    tag_table, building_types, landuse_context = default_tables(tag_table, building_types, landuse_context)
    fs, folder = _prepare(root)
    parts = _Parts(root=root, resolution=partition_resolution, fs=fs, folder=folder)
    collected = _StreamingCollector(tag_table, landuse_context, parts, flush_rows)
    bounds = read_pass(Path(path), collected, street_block=max(1 << 20, 32 * flush_rows))
    collected.flush()
    parts.spill(0)
    stats = collected.stats
    try:
        _finish(parts, building_types, landuse_context)
    except OSError as exc:
        raise _store_error(root, exc) from exc
    stats.update(
        {layer: parts.next_row.get(_RAW if layer == "buildings" else layer, 0) for layer in LAYER_NAMES}
    )
    manifest = {
        "version": STORE_VERSION,
        "complete": True,
        "layers_version": LAYERS_VERSION,
        "source": str(path),
        "partition_resolution": partition_resolution,
        "bounds": bounds,
        "stats": stats,
        "chunks": parts.chunk,
        "columns": parts.columns,
        "layers": parts.parts,
    }
    text = json.dumps(manifest)
    with fs.open(f"{folder}/{MANIFEST}", "w") as handle:
        handle.write(text)
    return OsmStore(root=root, manifest=json.loads(text))  # as open_store reads it (lists, not tuples)
