"""The partition files of an OSM store being ingested, and the per-partition step that completes it.

:func:`urbanrisk.ingest.ingest_pass` writes each layer's rows in chunk files per partition (the
buildings as read, without their use); then each partition is finished on its own
(:func:`finish_part`): a land-use, POI or street partition written in several files is compacted into
one, in Hilbert order; a building partition is completed (its use from the land use around it, its
footprint in the UTM zone of every building) and compacted. Land use first: the buildings read the
compacted land-use partitions. :func:`complete_manifest` then gathers the finished entries into the
store's manifest, the same whichever process finished which partition (one after the other in
:func:`finish_store`, or as one Dask task each, :mod:`urbanrisk.ingest_tasks`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import fsspec
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import grid as gridmod
from . import settings
from ._errors import LayerError
from .geoparquet import geoparquet_table, table_digest, write_geoparquet
from .layers.building_outers import renumbered
from .layers.buildings import landuse_areas
from .layers.osm import LANDUSE_COLUMNS, LAYERS_VERSION, complete_buildings, footprint_crs, frame_of
from .osm_store import EVERYWHERE, LAYER_NAMES, STORE_VERSION, OsmStore

RAW = "_raw_buildings"  # buildings as read, before the land-use join (removed when complete)


def store_error(root: str, exc: Exception) -> LayerError:
    return LayerError(
        f"cannot write the OSM store at {root} ({exc}); give a folder or a URL that fsspec can write "
        "(and its package, e.g. s3fs for s3://)"
    )


@dataclass
class Parts:
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
        if layer == RAW:
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
            self.add(*key, frame, f"chunk-{self.files:05d}.parquet")
            self.buffered -= sizes[key]

    def add(self, layer: str, cell: str, frame: gpd.GeoDataFrame, name: str) -> None:
        folder = f"{self.folder}/{layer}/part={cell}"
        try:
            self.fs.makedirs(folder, exist_ok=True)
            table = geoparquet_table(frame)
            write_geoparquet(table, f"{folder}/{name}", self.fs, settings.store_row_group_rows)
        except (OSError, ValueError, ImportError) as exc:
            raise store_error(self.root, exc) from exc
        self.columns[layer] = [c for c in frame.columns if c != "_row"]
        entry = self.parts.setdefault(layer, {}).setdefault(cell, {"files": [], "rows": 0, "bbox": None})
        entry["files"].append(f"{layer}/part={cell}/{name}")
        # the rows' content, not their row numbers: an edit elsewhere in the extract leaves it as it was
        if layer != RAW:  # (the raw buildings are replaced by the completed ones)
            entry.setdefault("digests", []).append(table_digest(table, skip=("_row", "bbox")))
        entry["rows"] += len(frame)
        box = [float(v) for v in shapely.total_bounds(frame.geometry.to_numpy())]
        old = entry["bbox"] or box
        entry["bbox"] = [min(old[0], box[0]), min(old[1], box[1]), max(old[2], box[2]), max(old[3], box[3])]


def _compact(parts: Parts, layer: str, frame: gpd.GeoDataFrame, cell: str, source: str) -> None:
    """Replace the chunk files of one partition by one file in Hilbert order."""
    entry = parts.parts[source].pop(cell)
    order = np.argsort(frame.geometry.hilbert_distance().to_numpy(), kind="stable")
    frame = frame.iloc[order].reset_index(names="_row")
    parts.add(layer, cell, frame, "part-0.parquet")
    for name in entry["files"]:
        parts.fs.rm(f"{parts.folder}/{name}")


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


#: The completed layers' partitions visit in this order: land use first (the buildings read it).
COMPACTED = ("landuse", "pois", "streets")


def parts_of(draft: dict[str, Any], layers: dict[str, dict[str, dict]]) -> Parts:
    """The partition files ``layers`` (layer -> cell -> entry) of the store ``draft`` describes."""
    fs, folder = fsspec.core.url_to_fs(draft["root"])
    return Parts(
        root=draft["root"],
        resolution=draft["partition_resolution"],
        fs=fs,
        folder=folder.rstrip("/"),
        parts={layer: dict(cells) for layer, cells in layers.items()},
        columns=dict(draft["columns"]),
    )


def finish_part(draft: dict[str, Any], layer: str, cell: str) -> tuple[dict, list[str]] | None:
    """Compact one land-use, POI or street partition written in several files into one; its new
    manifest entry and the layer's columns, or None when it was written in one file (kept as it is)."""
    entry = draft["layers"][layer][cell]
    if len(entry["files"]) < 2:
        return None
    parts = parts_of(draft, {layer: {cell: entry}})
    frame = OsmStore(draft["root"], draft)._read(layer, [entry], EVERYWHERE)
    try:
        _compact(parts, layer, frame, cell, layer)
    except OSError as exc:
        raise store_error(draft["root"], exc) from exc
    return parts.parts[layer][cell], parts.columns[layer]


def finish_buildings(
    draft: dict[str, Any], cell: str, building_types: pd.DataFrame, landuse: _LanduseCache
) -> tuple[dict, list[str]] | None:
    """Complete one building partition (use from ``landuse``, the compacted land use; footprints in the
    UTM zone of every building) and write it as one file; its manifest entry and the layer's columns.

    The rows the pass dropped (a building relation's tagged outer ways) go, the others renumbered as the
    whole-file reader numbers them; None when none is left (the partition is removed)."""
    entry = draft["layers"][RAW][cell]
    parts = parts_of(draft, {RAW: {cell: entry}})
    raw = OsmStore(draft["root"], draft)._read(RAW, [entry], EVERYWHERE)
    dropped = np.asarray(draft.get("dropped_buildings", []), dtype=np.int64)
    if len(dropped):
        raw = raw.drop(index=raw.index.intersection(dropped))
        if not len(raw):
            for name in entry["files"]:
                parts.fs.rm(f"{parts.folder}/{name}")
            return None
        raw.index = renumbered(raw.index.to_numpy(), dropped)
    crs = footprint_crs(draft["building_bounds"])
    frame = complete_buildings(
        raw, building_types, None, None, crs=crs, areas=landuse.around(raw.total_bounds)
    )
    try:
        _compact(parts, "buildings", frame, cell, RAW)
    except OSError as exc:
        raise store_error(draft["root"], exc) from exc
    return parts.parts["buildings"][cell], parts.columns["buildings"]


def finished_landuse(draft: dict[str, Any], done: dict[tuple[str, str], Any]) -> dict[str, dict]:
    """The land-use entries once compacted (``done``: :func:`finish_part`'s results by (layer, cell))."""
    return {
        cell: (done.get(("landuse", cell)) or (entry,))[0]
        for cell, entry in draft["layers"].get("landuse", {}).items()
    }


def landuse_cache(draft: dict[str, Any], landuse: dict[str, dict], context: pd.DataFrame) -> _LanduseCache:
    """What :func:`finish_buildings` reads the land use around a partition's buildings from."""
    store = OsmStore(draft["root"], {"layers": {"landuse": landuse}, "columns": draft["columns"]})
    return _LanduseCache(store, context)


def complete_manifest(draft: dict[str, Any], done: dict[tuple[str, str], Any]) -> dict[str, Any]:
    """The store's manifest once every partition is finished (``done``: the results of
    :func:`finish_part` by (layer, cell), of :func:`finish_buildings` by (RAW, cell))."""
    layers = {layer: dict(cells) for layer, cells in draft["layers"].items()}
    columns = dict(draft["columns"])
    for layer in COMPACTED:
        for cell in sorted(layers.get(layer, {})):
            if done.get((layer, cell)) is not None:  # rewritten: listed after the partitions kept
                layers[layer].pop(cell)
                layers[layer][cell], columns[layer] = done[(layer, cell)]
    for cell in sorted(layers.get(RAW, {})):
        if done[(RAW, cell)] is not None:  # (None: every row dropped, no partition left)
            layers.setdefault("buildings", {})[cell], columns["buildings"] = done[(RAW, cell)]
    layers.pop(RAW, None)
    columns.pop(RAW, None)
    stats = dict(draft["stats"])
    stats.update(
        {layer: draft["next_row"].get(RAW if layer == "buildings" else layer, 0) for layer in LAYER_NAMES}
    )
    stats["buildings"] -= len(draft.get("dropped_buildings", []))
    return {
        "version": STORE_VERSION,
        "complete": True,
        "layers_version": LAYERS_VERSION,
        "source": draft["source"],
        "partition_resolution": draft["partition_resolution"],
        "bounds": draft["bounds"],
        "stats": stats,
        "chunks": draft["chunks"],
        "columns": columns,
        "layers": layers,
    }


def finish_store(
    draft: dict[str, Any], building_types: pd.DataFrame, context: pd.DataFrame
) -> dict[str, Any]:
    """Every partition finished in this process, one at a time (the land use read around successive
    building partitions kept for their neighbours); the store's manifest."""
    done: dict[tuple[str, str], Any] = {}
    for layer in COMPACTED:
        for cell in sorted(draft["layers"].get(layer, {})):
            done[(layer, cell)] = finish_part(draft, layer, cell)
    landuse = landuse_cache(draft, finished_landuse(draft, done), context)
    for cell in sorted(draft["layers"].get(RAW, {})):
        done[(RAW, cell)] = finish_buildings(draft, cell, building_types, landuse)
    return complete_manifest(draft, done)
