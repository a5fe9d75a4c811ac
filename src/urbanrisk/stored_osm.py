"""A run's OSM layers held in ingested stores, not in the driver (``compute.ingest: partitioned``).

Under ``compute: {ingest: partitioned}`` each OSM extract is streamed once
(:func:`urbanrisk.ingest.ingest_osm`) into a store partitioned by H3 parent, and the driver keeps
only a :class:`StoredOsm`: the stores' manifests. The grid tasks read their rows from the stores;
the study area, the data extent and the counts come from the manifests; the stages after the grid
read the buildings by bounding box (the hazard screen's homes near the sources, the map's buildings
within its box when it draws them) or partition by partition (the GeoPackage, the map's streets),
never the whole layer at once.

Rows come back as the whole-file reader gives them (:meth:`urbanrisk.osm_store.OsmStore.read`), with
the row numbers of the frames :func:`urbanrisk.inputs.load_layers` concatenates in memory mode, so
that every table of a run is the same in both modes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import uuid
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import fsspec
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from . import grid as gridmod
from .cache import frame_digest
from .hazard_defaults import UNLISTED_RADIUS_M
from .ingest import ingest_osm
from .ingest_tasks import ingest_as_tasks
from .layer_store import Bounds, MemoryLayers
from .layers.extent import osm_data_box
from .layers.osm import street_nodes
from .layers.remote import is_url
from .layers.tables import building_type_table, landuse_context_table, osm_tag_table
from .osm_store import EVERYWHERE, LAYER_NAMES, IngestedLayers, OsmStore, PartsKept, bounds_meet
from .parallel import beside, map_partitions, overlaps
from .recipe import Recipe
from .result import Layers
from .street_rules import usable_ways

CRS = "EPSG:4326"
#: The streets' columns when a run has none (as ``load_layers`` makes them; the graph's drop ``name``).
STREET_COLUMNS = ["way_id", "highway", "name"]


@dataclass(frozen=True)
class StoredOsm:
    """The OSM layers of a run's extracts, each in its ingested store (in the recipe's order)."""

    stores: tuple[tuple[OsmStore, dict[str, int]], ...]
    root: str

    def read(self, layer: str, bounds: Bounds) -> gpd.GeoDataFrame | None:
        """Rows of ``layer`` whose bounding box meets ``bounds``, as the in-memory frame holds them."""
        return IngestedLayers(self.stores, MemoryLayers()).read(layer, bounds)

    def whole(self, layer: str, columns: list[str]) -> gpd.GeoDataFrame:
        """All rows of ``layer`` (for the small layers: places, land use), as ``load_layers`` makes it."""
        frame = self.read(layer, EVERYWHERE)
        if frame is None:
            return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=CRS)
        return frame.reset_index(drop=True)

    def count(self, layer: str) -> int:
        """Rows of ``layer`` in every store."""
        return sum(int(store.manifest["stats"].get(layer, 0)) for store, _ in self.stores)

    def bounds(self, layer: str) -> Bounds | None:
        """Bounds of every row of ``layer`` (the union of its partitions' bounds); None when empty."""
        boxes = [
            entry["bbox"]
            for store, _ in self.stores
            for entry in store.manifest["layers"].get(layer, {}).values()
        ]
        if not boxes:
            return None
        array = np.asarray(boxes, dtype=float)
        return (*(float(v) for v in array[:, :2].min(axis=0)), *(float(v) for v in array[:, 2:].max(axis=0)))

    def data_box(self) -> Bounds | None:
        """Where the data are: :func:`urbanrisk.layers.extent.osm_data_box` from the manifests."""
        for layer in ("buildings", "pois", "streets"):
            found = self.bounds(layer)
            if found is not None:
                return found
        return None

    def parts(
        self, layer: str, bounds: Bounds = EVERYWHERE, *, kept: PartsKept | None = None
    ) -> Iterator[Any]:
        """The rows of ``layer`` one partition at a time (those whose features reach ``bounds``); with
        ``kept``, what it keeps of each partition, read from the store only when it holds nothing of it."""
        for number, (store, offsets) in enumerate(self.stores):
            for part in store.parts(layer):
                if bounds_meet(store.manifest["layers"][layer][part]["bbox"], bounds):
                    read = partial(store.read_part, layer, part, offsets.get(layer, 0))
                    frame = read() if kept is None else kept.get((number, part), read)
                    if frame is not None:
                        yield frame

    def intersects(self, layer: str, geometry: BaseGeometry) -> bool:
        """True when a row of ``layer`` intersects ``geometry`` (stops at the first partition with one)."""
        shapely.prepare(geometry)
        bounds = tuple(float(v) for v in geometry.bounds)
        return any(
            shapely.intersects(geometry, frame.geometry.to_numpy()).any()
            for frame in self.parts(layer, bounds)
        )

    def near(
        self,
        layer: str,
        boxes: np.ndarray,
        keep: Callable[[gpd.GeoDataFrame], np.ndarray] | None = None,
    ) -> gpd.GeoDataFrame | None:
        """Rows of ``layer`` whose bounding box meets one of ``boxes`` (n × 4, lon/lat) and that ``keep``
        accepts, in row order; read partition by partition, only those near a box."""
        if not len(boxes):
            return None
        tree = shapely.STRtree(shapely.box(*boxes.T))
        found = []
        for frame in self.parts(layer, (*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0))):
            if keep is not None:
                frame = frame[keep(frame)]
            hits = np.unique(tree.query(shapely.box(*frame.geometry.bounds.to_numpy().T))[0])
            if len(hits):
                found.append(frame.iloc[hits])
        if not found:
            return None
        return pd.concat(found).sort_index(kind="stable")


def source_digest(source: IngestedLayers, name: str, bounds: Bounds) -> str:
    """A digest of what ``source.read(name, bounds)`` can give: for an OSM layer, the content digests of
    every partition whose features reach ``bounds`` (from the manifests: nothing is read)."""
    if name not in LAYER_NAMES:
        return frame_digest(source.rest.read(name, bounds))
    digest = hashlib.sha256()
    for i, (store, _) in enumerate(source.stores):
        for part, entry in sorted(store.manifest["layers"].get(name, {}).items()):
            if bounds_meet(entry["bbox"], bounds):
                digest.update(f"{i}:{part}:{','.join(entry['digests'])};".encode())
    return digest.hexdigest()


def boxes_around(points: gpd.GeoSeries, radii_m: np.ndarray, utm_crs: str) -> np.ndarray:
    """Lon/lat boxes (n × 4) holding the circle of ``radii_m`` around each point (measured in UTM)."""
    if not len(points):
        return np.empty((0, 4))
    xy = shapely.get_coordinates(points.to_crs(utm_crs).to_numpy())
    reach = np.asarray(radii_m, dtype=float) * 1.01 + 1.0  # a little more: the box is projected back
    squares = shapely.box(xy[:, 0] - reach, xy[:, 1] - reach, xy[:, 0] + reach, xy[:, 1] + reach)
    squares = shapely.segmentize(squares, np.maximum(reach / 8, 1.0))
    return gpd.GeoSeries(squares, crs=utm_crs).to_crs(CRS).bounds.to_numpy()


def _remove(root: str, local: bool) -> None:
    """Remove a run's OSM stores (when their :class:`StoredOsm` is released, or at exit)."""
    if local:
        shutil.rmtree(root, ignore_errors=True)
        return
    with contextlib.suppress(OSError, ValueError, ImportError):
        filesystem, path = fsspec.core.url_to_fs(root)
        if filesystem.exists(path):
            filesystem.rm(path, recursive=True)


def ingest_extracts(
    files: dict[str, str],
    *,
    base: str | None,
    partition_resolution: int,
    tables: dict[str, pd.DataFrame],
    scheduler: str | None = None,
) -> StoredOsm:
    """Each OSM extract (layer name -> file) streamed into a store of its own under ``base`` (a
    folder or URL every worker reaches), else a temporary folder; removed when the result is released.

    On worker processes or a cluster (``scheduler``) the extracts are ingested by Dask tasks there
    (:mod:`urbanrisk.ingest_tasks`: the passes at once, then every partition finished as a task);
    elsewhere, and for a ``memory://`` store (each process has its own), one after the other here.

    Raises
    ------
    LayerError
        As :func:`urbanrisk.ingest.ingest_osm`.
    """
    return ingest_many([(files, base, partition_resolution, tables)], scheduler=scheduler)[0]


def ingest_many(
    requests: list[tuple[dict[str, str], str | None, int, dict[str, pd.DataFrame]]], *, scheduler: str | None
) -> list[StoredOsm]:
    """:func:`ingest_extracts` of several requests ``(files, base, partition_resolution, tables)`` (a
    batch's recipes): on worker processes or a cluster, every extract's tasks in the same computations."""
    roots = [
        (tempfile.mkdtemp(prefix="urbanrisk-osm-"), True)
        if base is None
        else (f"{base.rstrip('/')}/osm-{uuid.uuid4().hex[:12]}", False)
        for _, base, _, _ in requests
    ]
    jobs = [
        (path, f"{root}/{name}", resolution, tables)
        for (files, _, resolution, tables), (root, _) in zip(requests, roots, strict=True)
        for name, path in files.items()
    ]
    try:
        if (
            scheduler is not None
            and overlaps(scheduler)
            and not any(r.startswith("memory://") for r, _ in roots)
        ):
            every = iter(ingest_as_tasks(jobs, scheduler=scheduler))
        else:
            every = iter([ingest_osm(p, r, partition_resolution=res, **t) for p, r, res, t in jobs])
    except BaseException:
        for root, local in roots:
            _remove(root, local)
        raise
    return [
        _stored([next(every) for _ in files], *root)
        for (files, *_), root in zip(requests, roots, strict=True)
    ]


def _stored(every: list[OsmStore], root: str, local: bool) -> StoredOsm:
    """The stores of one run's extracts, each with its rows' offsets; removed with the result."""
    stores, offsets = [], dict.fromkeys(LAYER_NAMES, 0)
    for store in every:
        stores.append((store, dict(offsets)))
        offsets = {layer: offsets[layer] + store.manifest["stats"][layer] for layer in LAYER_NAMES}
    stored = StoredOsm(tuple(stores), root)
    weakref.finalize(stored, _remove, root, local)
    return stored


def streets_and_nodes(
    stored: StoredOsm, columns: list[str], *, scheduler: str | None = None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The streets as the coverage stage's graph needs them, and the lon/lat of every street node by
    OSM id (as ``load_layers`` joins them), read one stored partition at a time.

    The street graph is made of the ways' node ids, tags and node coordinates: the streets keep no
    geometry and no name, but for the service-only ways (the drive_service hint measures to them).
    On worker processes or a cluster (``scheduler``) the partitions are read by tasks there, a few
    partitions each (:func:`_street_parts`); the driver joins their results in the same order.
    """
    got = _read_streets(stored, _graph_streets, scheduler)
    frames, nodes = [frame for frame, _ in got], [table for _, table in got]
    if not frames:
        streets = gpd.GeoDataFrame({c: [] for c in columns if c != "name"}, geometry=[], crs=CRS)
    else:
        streets = pd.concat(frames).sort_index(kind="stable").reset_index(drop=True)
    table = pd.concat(nodes).groupby(level=0).first() if nodes else pd.DataFrame(columns=["lon", "lat"])
    return streets, table


def street_classes(stored: StoredOsm, *, scheduler: str | None = None) -> gpd.GeoDataFrame:
    """The streets' ``highway`` class by row, and no geometry: what the driver keeps of them when the
    street graph is built and solved on a worker from the streets it reads from the store itself
    (:func:`streets_and_nodes`); the map draws classes by it and reads their lines from the store, the
    GeoPackage reads the streets from the store (256 tiles: the node-id lists and the street nodes,
    ~190 MB of the driver's, not read back)."""
    frames = [frame for frame, _ in _read_streets(stored, _street_class, scheduler)]
    frame = (
        pd.concat(frames).sort_index(kind="stable").reset_index(drop=True)
        if frames
        else pd.DataFrame({"highway": pd.Series([], dtype="str")})
    )
    return gpd.GeoDataFrame(frame, geometry=np.full(len(frame), None, dtype=object), crs=CRS)


def _read_streets(
    stored: StoredOsm, reduce: Callable[[gpd.GeoDataFrame], tuple[Any, Any]], scheduler: str | None
) -> list[tuple[Any, Any]]:
    """``reduce`` of every stored street partition, in store and partition order: on worker processes or
    a cluster (``scheduler``) by tasks there, a few partitions each (:func:`_street_parts`)."""
    if scheduler is not None and overlaps(scheduler):
        jobs = [
            (store, offsets.get("streets", 0), chunk, reduce)
            for store, offsets in stored.stores
            for chunk in _chunks(store.parts("streets"))
        ]
        return [pair for pairs in map_partitions(_street_parts, jobs, scheduler=scheduler) for pair in pairs]
    return [reduce(frame) for frame in stored.parts("streets")]


def _graph_streets(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """One partition's streets as the street graph needs them (:func:`streets_and_nodes`), its nodes."""
    service = usable_ways(frame, mode="drive_service") & ~usable_ways(frame, mode="drive")
    return frame.drop(columns="name").set_geometry(frame.geometry.where(service, None)), street_nodes(frame)


def _street_class(frame: gpd.GeoDataFrame) -> tuple[pd.DataFrame, None]:
    """One partition's streets' ``highway`` class by row (:func:`street_classes`)."""
    return pd.DataFrame(frame[["highway"]]), None


def _chunks(parts: list[str]) -> list[list[str]]:
    """``parts`` in a few runs of consecutive partitions (~4 tasks per worker: fewer pickled stores)."""
    size = max(1, -(-len(parts) // (4 * (os.cpu_count() or 1))))
    return [parts[i : i + size] for i in range(0, len(parts), size)]


def _street_parts(
    job: tuple[OsmStore, int, list[str], Callable[[gpd.GeoDataFrame], tuple[Any, Any]]],
) -> list[tuple[Any, Any]]:
    """Task: some street partitions of a store, each as ``reduce`` (the job's last item) makes it."""
    store, offset, parts, reduce = job
    got = []
    for part in parts:
        frame = store.read_part("streets", part, offset)
        if frame is not None:
            got.append(reduce(frame))
    return got


def ingest_request(recipe: Recipe, files: dict[str, str] | None = None) -> tuple[Any, ...] | None:
    """What ``compute.ingest: partitioned`` ingests for ``recipe`` (``files``: its OSM layers' local
    files; default: the recipe's own, None if one is a URL): the arguments of
    :func:`ingest_many`'s requests; None without a partitioned ingest."""
    osm = {name: spec.path for name, spec in recipe.layers.items() if spec.type == "osm"}
    if (
        recipe.compute.ingest != "partitioned"
        or not osm
        or (files is None and any(map(is_url, osm.values())))
    ):
        return None
    grid, tables = recipe.grid, recipe.tables
    return (
        files or osm,
        recipe.compute.store,
        gridmod.partition_resolution(grid.resolution, grid.partition_resolution),
        {
            "tag_table": osm_tag_table(tables.osm_tags),
            "building_types": building_type_table(tables.building_types),
            "landuse_context": landuse_context_table(tables.landuse_context),
        },
    )


def ingested_layers(
    files: dict[str, str],
    *,
    base: str | None,
    partition_resolution: int,
    tables: dict[str, pd.DataFrame],
    columns: dict[str, list[str]],
    scheduler: str | None = None,
    stored: StoredOsm | None = None,
) -> dict[str, Any]:
    """The OSM layers of a run streamed into stores (one pass each, :func:`ingest_extracts`; ``stored``:
    ingested ahead): the buildings stay there; the places and land use (small) are read whole, the
    streets without their geometry (the coverage stage's graph); ``columns``: each layer's when empty.

    On worker processes or a cluster (``scheduler``) the streets are read as their classes only
    (:func:`street_classes`, ``streets_in_store``): the coverage task on a worker reads the graph's
    streets and nodes from the store itself; a driver that routes reads them there when it needs them
    (:func:`urbanrisk.stage_coverage.with_routing_streets`)."""
    if stored is None:
        stored = ingest_extracts(
            files, base=base, partition_resolution=partition_resolution, tables=tables, scheduler=scheduler
        )

    def small() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
        return stored.whole("pois", columns["pois"]), stored.whole("landuse", columns["landuse"])

    # on worker processes or a cluster the streets are read there while the driver reads the rest
    classes_only = scheduler is not None and overlaps(scheduler)
    if classes_only:
        read_streets = partial(_classes_and_no_nodes, stored, scheduler=scheduler)
    else:
        read_streets = partial(streets_and_nodes, stored, columns["streets"], scheduler=scheduler)
    (streets, nodes), (pois, landuse) = beside(read_streets, small, scheduler=scheduler or "synchronous")
    names = list(files)
    return {
        "buildings": None,
        "pois": pois,
        "landuse": landuse,
        "streets": streets,
        "street_nodes": nodes,
        "streets_in_store": classes_only,
        "osm_bounds": {name: _bounds(store) for name, (store, _) in zip(names, stored.stores, strict=True)},
        "stats": {
            name: store.manifest["stats"] for name, (store, _) in zip(names, stored.stores, strict=True)
        },
        "store": stored,
    }


def _classes_and_no_nodes(
    stored: StoredOsm, *, scheduler: str | None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """:func:`street_classes`, and no street node (the graph's are read from the store where it is built)."""
    return street_classes(stored, scheduler=scheduler), pd.DataFrame(columns=["lon", "lat"])


def _bounds(store: OsmStore) -> tuple[float, float, float, float] | None:
    bounds = store.manifest["bounds"]
    return None if bounds is None else tuple(float(v) for v in bounds)


def data_extent(layers: Layers) -> Bounds | None:
    """Where the OSM data are (:func:`urbanrisk.layers.extent.osm_data_box`), from the stores' manifests
    when the layers are stored."""
    if layers.store is not None:
        return layers.store.data_box()
    return osm_data_box(layers.buildings, layers.pois, layers.streets)


def building_count(layers: Layers) -> int:
    """How many buildings the OSM layers hold."""
    return layers.store.count("buildings") if layers.store is not None else len(layers.buildings)


def homes_near(
    stored: StoredOsm, sources: gpd.GeoDataFrame, kinds: pd.DataFrame, distances: pd.DataFrame, utm_crs: str
) -> gpd.GeoDataFrame | None:
    """The residential buildings the hazard-source screen measures to, read from the stores: those
    within reach of a source (its impact radius or its kind's safety distance to dwellings, the larger).

    A dwelling closer to a source than a safety distance is among them, so the nearest one (and each
    breach) is the one the screen finds among all buildings.
    """
    if sources is None or not len(sources):
        return None
    radius = kinds.reindex(sources["kind"])["impact_radius_m"].fillna(UNLISTED_RADIUS_M).to_numpy()
    rules = distances[distances["target"] == "dwelling"].groupby("kind")["min_distance_m"].max()
    reach = np.maximum(radius, sources["kind"].map(rules).fillna(0.0).to_numpy(dtype=float))
    boxes = boxes_around(sources.geometry, reach, utm_crs)
    return stored.near("buildings", boxes, keep=lambda frame: (frame["use"] == "residential").to_numpy())
