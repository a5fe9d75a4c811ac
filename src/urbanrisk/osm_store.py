"""Read an OSM store written by :func:`urbanrisk.ingest.ingest_osm`: its layers by partition or by bbox.

:meth:`OsmStore.read` gives, for a bbox, exactly the rows ``osm_from_file`` gives whose bbox meets it
(same columns, dtypes and values), in the whole-file reader's order, indexed by their row number in
its frames; :class:`IngestedLayers` is what partition tasks read through.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import fsspec
import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import shapely

from . import grid as gridmod
from ._errors import LayerError
from .layer_store import Bounds, MemoryLayers, StoredLayers, read_bbox

MANIFEST = "manifest.json"
STORE_VERSION = 1
LAYER_NAMES = ("buildings", "pois", "landuse", "streets")
EVERYWHERE: Bounds = (-math.inf, -math.inf, math.inf, math.inf)


def bounds_meet(a: list[float] | Bounds, b: list[float] | Bounds) -> bool:
    """True when boxes ``a`` and ``b`` (west, south, east, north) meet (touching counts)."""
    return a[0] <= b[2] and a[2] >= b[0] and a[1] <= b[3] and a[3] >= b[1]


@dataclass(frozen=True)
class OsmStore:
    """An OSM extract ingested by :func:`ingest_osm`: its standard layers by H3 parent cell."""

    root: str
    manifest: dict

    def parts(self, layer: str) -> list[str]:
        """The partitions (H3 parent cells) that hold rows of ``layer``, sorted."""
        return sorted(self.manifest["layers"].get(layer, {}))

    def read_part(self, layer: str, part: str, offset: int = 0) -> gpd.GeoDataFrame | None:
        """The rows of ``layer`` whose representative point lies in partition ``part``, their row numbers
        ``offset`` further (the store's place among a run's stores); None if none."""
        entry = self.manifest["layers"].get(layer, {}).get(part)
        frame = None if entry is None else self._read(layer, [entry], EVERYWHERE)
        if frame is not None and offset:
            frame.index = frame.index + offset
        return frame

    def read(self, layer: str, bounds: Bounds) -> gpd.GeoDataFrame | None:
        """Rows of ``layer`` whose bounding box meets ``bounds`` (as ``osm_from_file``'s rows, in its
        order, indexed by their row number there); None if none. Reads only the partitions whose
        features reach ``bounds``, and in them the row groups near it."""
        entries = [
            e for e in self.manifest["layers"].get(layer, {}).values() if bounds_meet(e["bbox"], bounds)
        ]
        return self._read(layer, entries, bounds)

    def _read(self, layer: str, entries: list[dict], bounds: Bounds) -> gpd.GeoDataFrame | None:
        fs, folder = fsspec.core.url_to_fs(self.root)
        frames = []
        for entry in entries:
            for name in entry["files"]:
                with fs.open(f"{folder.rstrip('/')}/{name}", "rb") as handle:
                    frame = read_bbox(pq.ParquetFile(handle), bounds)
                if frame is not None:
                    frames.append(frame)
        if not frames:
            return None
        frame = pd.concat(frames) if len(frames) > 1 else frames[0]
        frame = frame.sort_index(kind="stable")[self.manifest["columns"][layer]]
        if "node_ids" in frame.columns:  # list<int64> comes back as arrays: lists, as the reader makes
            frame["node_ids"] = [ids.tolist() for ids in frame["node_ids"]]
        return frame


@dataclass
class PartsKept:
    """Partitions read before, kept as ``keep`` makes them of the frame read, by (store number,
    partition): the ``most`` last used (None: every one), so that a reader visiting boxes in place order
    reads each partition about once and holds only a few (:meth:`urbanrisk.stored_osm.StoredOsm.parts`).
    ``reads`` counts the partitions read from the store."""

    keep: Callable[[gpd.GeoDataFrame], Any]
    most: int | None = None
    kept: OrderedDict = field(default_factory=OrderedDict)
    reads: int = 0

    def get(self, key: tuple[int, str], read: Callable[[], gpd.GeoDataFrame | None]) -> Any:
        """What is kept of partition ``key``: from before, else ``read()`` (None when it has no row)."""
        if key in self.kept:
            self.kept.move_to_end(key)
            return self.kept[key]
        frame = read()
        self.reads += 1
        self.kept[key] = None if frame is None else self.keep(frame)
        if self.most is not None and len(self.kept) > self.most:
            self.kept.popitem(last=False)
        return self.kept[key]


@dataclass(frozen=True)
class IngestedLayers:
    """Where partition tasks read their rows: the OSM layers from ingested stores (one per OSM layer,
    row numbers offset as the driver concatenates its frames), the other layers from ``rest``."""

    stores: tuple[tuple[OsmStore, dict[str, int]], ...]
    rest: MemoryLayers | StoredLayers

    def read(self, name: str, bounds: Bounds) -> gpd.GeoDataFrame | None:
        """Rows of layer ``name`` whose bounding box meets ``bounds``, as the driver's frames hold them."""
        if name not in LAYER_NAMES:
            return self.rest.read(name, bounds)
        frames = []
        for store, offsets in self.stores:
            frame = store.read(name, bounds)
            if frame is not None:
                frame.index = frame.index + offsets.get(name, 0)
                frames.append(frame)
        if not frames:
            return None
        return pd.concat(frames) if len(frames) > 1 else frames[0]


def partition_bounds(part: str, halo_deg: float = 0.0) -> Bounds:
    """The bounds of H3 cell ``part``, widened by ``halo_deg`` degrees on every side."""
    west, south, east, north = (float(v) for v in shapely.total_bounds(gridmod.cells_to_polygons([part])))
    return (west - halo_deg, south - halo_deg, east + halo_deg, north + halo_deg)


def open_store(root: str) -> OsmStore:
    """The OSM store written under ``root`` by :func:`ingest_osm`.

    Raises
    ------
    LayerError
        When ``root`` holds no complete store.
    """
    fs, folder = fsspec.core.url_to_fs(root)
    try:
        with fs.open(f"{folder.rstrip('/')}/{MANIFEST}", "r") as handle:
            manifest = json.load(handle)
    except (OSError, ValueError) as exc:
        msg = f"{root}: no OSM store here ({exc}); write one with ingest_osm"
        raise LayerError(msg) from exc
    if not manifest.get("complete") or manifest.get("version") != STORE_VERSION:
        msg = f"{root}: the OSM store is incomplete or of another version; ingest the extract again"
        raise LayerError(msg)
    return OsmStore(root=root, manifest=manifest)
