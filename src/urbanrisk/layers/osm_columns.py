"""Rows of the OSM reader made columns a batch at a time, and the street nodes gathered per block.

The whole-file read used to hold every area's row (a tuple of strings and WKB bytes) to the end of the
pass, then build each layer's frame from all of them at once: the rows and the GEOS geometries made of
them were alive together (~110 MB at 256 tiles). Here every batch of rows becomes Arrow text columns
and valid GEOS geometries as soon as it is full, and the rows go; the frame is assembled from the
batches. The frame is the one :func:`frame_of` makes of all the rows at once: same columns, dtypes
(a column of no value at all stays ``object`` of ``None``, as pandas infers it), values and order.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from .buildings import wgs84

#: Rows a layer gathers before they become columns (a few MB of rows at most).
BATCH_ROWS = 1 << 14


def text_column(values: pa.Array | pa.ChunkedArray) -> pd.api.extensions.ExtensionArray:
    """Arrow strings as pandas' ``str`` column, without a Python string per value."""
    return pd.array(values, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def valid_geometry(geometry: np.ndarray) -> np.ndarray:
    """``geometry`` with its invalid geometries made valid (in place: the array is returned)."""
    if len(geometry):
        invalid = ~shapely.is_valid(geometry)
        if invalid.any():
            geometry[invalid] = shapely.make_valid(geometry[invalid])
    return geometry


def geo_frame(frame: pd.DataFrame, geometry: np.ndarray | list) -> gpd.GeoDataFrame:
    """``frame`` with ``geometry`` (EPSG:4326), invalid geometries made valid."""
    return gpd.GeoDataFrame(frame, geometry=valid_geometry(np.asarray(geometry, dtype=object)), crs=wgs84())


def frame_of(rows: list[tuple], columns: list[str]) -> gpd.GeoDataFrame:
    """Rows (tuples in the order of ``columns``, the geometry as WKB) as a frame.

    Column by column: a frame made from the tuples would hold every value twice, as objects first.
    """
    if not rows:
        return geo_frame(pd.DataFrame([], columns=[c for c in columns if c != "geometry"]), [])
    values = dict(zip(columns, zip(*rows, strict=True), strict=True))
    # WKB bytes (the collector decodes pyosmium's hex, which GEOS reads 4x slower)
    wkb = np.array(values.pop("geometry"), dtype=object)
    frame = pd.DataFrame({name: list(column) for name, column in values.items()})
    return geo_frame(frame, shapely.from_wkb(wkb))


@dataclass
class LayerColumns:
    """One layer's rows so far as columns: Arrow strings per text column and GEOS geometries, a batch
    each. Every value but the geometry is text or None."""

    columns: list[str]
    text: dict[str, list[pa.Array]] = field(default_factory=dict)
    geometry: list[np.ndarray] = field(default_factory=list)

    def take(self, rows: list[tuple]) -> None:
        """Make ``rows`` (as :func:`frame_of` takes them) a batch of columns, and empty the list."""
        if not rows:
            return
        values = dict(zip(self.columns, zip(*rows, strict=True), strict=True))
        rows.clear()
        self.geometry.append(valid_geometry(shapely.from_wkb(np.array(values.pop("geometry"), dtype=object))))
        for name, column in values.items():
            self.text.setdefault(name, []).append(pa.array(column, type=pa.large_string()))

    def frame(self) -> gpd.GeoDataFrame:
        """The batches as one frame (:func:`frame_of` of all their rows); the batches are dropped."""
        if not self.geometry:
            return frame_of([], self.columns)
        data = {}
        for name in self.columns:
            if name == "geometry":
                continue
            values = pa.concat_arrays(self.text.pop(name))
            # no value at all: pandas infers object (None), as frame_of's lists give it
            if values.null_count == len(values):
                data[name] = pd.Series([None] * len(values), dtype=object)
            else:
                data[name] = text_column(values)
        geometry = self.geometry[0] if len(self.geometry) == 1 else np.concatenate(self.geometry)
        self.geometry.clear()
        return gpd.GeoDataFrame(pd.DataFrame(data), geometry=geometry, crs=wgs84())


def table_frame(columns: dict[str, object], order: list[str]) -> gpd.GeoDataFrame:
    """Columns (Arrow strings, numpy arrays, lists; ``geometry`` GEOS) as a frame, in ``order``."""
    data = {
        name: text_column(values) if isinstance(values, pa.Array) else values
        for name, values in columns.items()
        if name != "geometry"
    }
    frame = pd.DataFrame(data, columns=[name for name in order if name != "geometry"])
    return gpd.GeoDataFrame(frame, geometry=columns["geometry"], crs=wgs84())


def joined_frame(blocks: list[dict[str, object]], order: list[str]) -> gpd.GeoDataFrame:
    """Blocks of columns (as :func:`table_frame` takes them) as one frame, joined column by column:
    each column's pieces go once joined (never a second copy of every block, as a concat of frames
    holds). The blocks are emptied."""
    data: dict[str, object] = {}
    for name in order:
        pieces = [block.pop(name) for block in blocks]
        if isinstance(pieces[0], pa.Array):
            data[name] = text_column(pa.concat_arrays(pieces))
        elif isinstance(pieces[0], list):
            data[name] = list(itertools.chain.from_iterable(pieces))
        else:
            data[name] = np.concatenate(pieces)
        del pieces
    blocks.clear()
    return table_frame(data, order)


@dataclass
class StreetNodes:
    """Street node ids and locations gathered block by block (vertex i of a way is its node i)."""

    ids: list[np.ndarray] = field(default_factory=list)
    coords: list[np.ndarray] = field(default_factory=list)

    def add(self, node_ids: list[list[int]], geometry: np.ndarray) -> None:
        """Take the nodes of a block of street ways (those whose vertices match their node ids)."""
        if not len(geometry):
            return
        counts = np.fromiter(map(len, node_ids), dtype=np.int64, count=len(node_ids))
        aligned = shapely.get_num_coordinates(geometry) == counts
        coords = shapely.get_coordinates(geometry[aligned])
        lists = itertools.compress(node_ids, aligned) if not aligned.all() else node_ids
        self.ids.append(np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64, count=len(coords)))
        self.coords.append(coords)

    def frame(self) -> pd.DataFrame:
        """lon/lat by OSM id (index ``osmid``), each node once (where it first appears), sorted by id."""
        if not self.ids:
            return pd.DataFrame(columns=["lon", "lat"], index=pd.Index([], name="osmid", dtype="int64"))
        ids = np.concatenate(self.ids)
        self.ids.clear()
        unique, first = np.unique(ids, return_index=True)  # the first occurrence of each id
        del ids
        coords = np.concatenate(self.coords)
        self.coords.clear()
        lon, lat = coords[first, 0], coords[first, 1]
        del coords
        return pd.DataFrame({"lon": lon, "lat": lat}, index=pd.Index(unique, name="osmid"), copy=False)


def street_nodes(streets: gpd.GeoDataFrame) -> pd.DataFrame:
    """lon/lat of every street node by OSM id, from the ways' vertices (vertex i is node i)."""
    nodes = StreetNodes()
    if len(streets):
        nodes.add(streets["node_ids"].tolist(), streets.geometry.to_numpy())
    return nodes.frame()
