"""Stream an OSM extract into a partitioned GeoParquet store, in memory bounded by the flush size.

:func:`ingest_osm` makes the same pass as :func:`urbanrisk.layers.osm.osm_from_file` with the same
collector (streets come after the areas and POIs, in blocks), but every ``flush_rows`` rows it turns
the rows gathered so far into frames (row by row, as the whole-file reader does) and splits them by
the H3 parent cell of each feature's representative point into partition buffers; when more than
``flush_rows / 2`` rows wait there, the largest buffers are written out, one file each. A second,
per-partition step (:mod:`urbanrisk.ingest_parts`) then completes the buildings (their use from the
land-use areas around them, their footprint in the UTM zone of all buildings) and compacts each
partition written in several files into one, in Hilbert order with small row groups and a bbox
covering column. The pass holds at most 1.5 × ``flush_rows`` rows, each finishing step one partition
(with the land use around it), never the city.

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
from pathlib import Path
from typing import Any

import fsspec
import geopandas as gpd
import osmium
import pandas as pd

from ._errors import LayerError
from .ingest_parts import RAW, Parts, finish_store, store_error
from .layers.osm import (
    BUILDING_COLUMNS,
    LANDUSE_COLUMNS,
    _Collector,
    default_tables,
    frame_of,
    poi_frame,
    read_pass,
    streets_of,
)
from .osm_store import LAYER_NAMES, MANIFEST, STORE_VERSION, OsmStore


class _StreamingCollector(_Collector):
    """The whole-file reader's collector, handing its rows on every ``flush_rows`` rows.

    At most ``flush_rows`` rows wait here, and half as many more in the partition buffers.
    """

    def __init__(self, tag_table: pd.DataFrame, landuse_context: pd.DataFrame, parts: Parts, flush_rows: int):
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
        self.parts.write(RAW, frame_of(self.buildings, BUILDING_COLUMNS))
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
            for name in (*LAYER_NAMES, RAW):
                if fs.exists(f"{folder}/{name}"):
                    fs.rm(f"{folder}/{name}", recursive=True)
        fs.makedirs(folder, exist_ok=True)
        with fs.open(f"{folder}/{MANIFEST}", "w") as handle:
            json.dump({"version": STORE_VERSION, "complete": False}, handle)
    except (OSError, ValueError, ImportError) as exc:
        if isinstance(exc, LayerError):
            raise
        raise store_error(root, exc) from exc
    return fs, folder


def ingest_pass(
    path: str | Path,
    root: str,
    *,
    partition_resolution: int,
    flush_rows: int = 50_000,
    tag_table: pd.DataFrame | None = None,
    building_types: pd.DataFrame | None = None,
    landuse_context: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The pass of :func:`ingest_osm`: every row written in chunk files per partition, none finished.

    Returns the draft manifest (plain data: it crosses processes): the partitions' files, rows and
    bounds, the columns, the stats, and what finishing needs (rows per layer, the buildings' bounds,
    the building rows dropped: :mod:`urbanrisk.layers.building_outers`).
    ``building_types`` is not used here (the buildings are completed per partition afterwards).
    """
    if flush_rows < 1 or not 0 <= partition_resolution <= 15:
        msg = (
            f"ingest_osm: flush_rows must be at least 1 (got {flush_rows}) and partition_resolution an H3 "
            f"resolution, 0 to 15 (got {partition_resolution})"
        )
        raise LayerError(msg)
    tag_table, building_types, landuse_context = default_tables(tag_table, building_types, landuse_context)
    fs, folder = _prepare(root)
    parts = Parts(root=root, resolution=partition_resolution, fs=fs, folder=folder)
    collected = _StreamingCollector(tag_table, landuse_context, parts, flush_rows)
    bounds = read_pass(Path(path), collected, street_block=max(1 << 20, 32 * flush_rows))
    collected.flush()
    parts.spill(0)
    # a building relation's tagged outer ways: their rows go as each partition is finished
    dropped = collected.outers.dropped()
    collected.stats["building_outer_ways"] = len(dropped)
    return {
        "root": root,
        "source": str(path),
        "partition_resolution": partition_resolution,
        "bounds": bounds,
        "stats": collected.stats,
        "chunks": parts.chunk,
        "columns": parts.columns,
        "layers": parts.parts,
        "next_row": parts.next_row,
        "building_bounds": parts.building_bounds,
        "dropped_buildings": dropped.tolist(),
    }


def write_manifest(root: str, manifest: dict[str, Any]) -> OsmStore:
    """Write a finished store's manifest (:func:`urbanrisk.ingest_parts.complete_manifest`) at its
    ``root``: the store is complete. The store, as :func:`urbanrisk.osm_store.open_store` reads it."""
    text = json.dumps(manifest)
    try:
        fs, folder = fsspec.core.url_to_fs(root)
        with fs.open(f"{folder.rstrip('/')}/{MANIFEST}", "w") as handle:
            handle.write(text)
    except OSError as exc:
        raise store_error(root, exc) from exc
    return OsmStore(root=root, manifest=json.loads(text))  # (lists, not tuples)


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

    The pass (:func:`ingest_pass`), then every partition finished here, one after the other
    (:func:`urbanrisk.ingest_parts.finish_store`; :mod:`urbanrisk.ingest_tasks` finishes them as
    Dask tasks instead).

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
    tag_table, building_types, landuse_context = default_tables(tag_table, building_types, landuse_context)
    draft = ingest_pass(
        path,
        root,
        partition_resolution=partition_resolution,
        flush_rows=flush_rows,
        tag_table=tag_table,
        landuse_context=landuse_context,
    )
    return write_manifest(root, finish_store(draft, building_types, landuse_context))
