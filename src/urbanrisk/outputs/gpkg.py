"""``risk.gpkg``: the grid, every screen with geometry and the context layers inside the area, for QGIS."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..grid_dataset import grid_files, grid_stream
from ..result import RunResult, screen_tables
from . import gpkg_arrow
from .gpkg_arrow import layer_arrow, layer_stream


class StoredParts(Protocol):
    """What the GeoPackage reads of a run's OSM store (:class:`urbanrisk.stored_osm.StoredOsm`)."""

    def parts(self, layer: str, bounds: tuple[float, float, float, float]) -> Iterator[gpd.GeoDataFrame]: ...


#: Layers cut to the area (the OSM extract reaches beyond it); the screens are inside already.
CLIPPED = ("buildings", "pois", "streets")
#: Columns of a layer not written (a POI's outline as WKB, a street's node ids: for measuring only).
NOT_WRITTEN = {"pois": ["shape_wkb"], "streets": ["node_ids"]}


def gpkg_sources(result: RunResult) -> dict[str, gpd.GeoDataFrame]:
    """The GeoPackage's layers besides the grid, in order (tables without geometry left out: their
    Parquet files hold them), the very frames the result holds, columns of :data:`NOT_WRITTEN` too
    (a run's worker processes may have inherited them: then a task gets a number for each,
    :mod:`.spool_pickle`); :func:`prepare_gpkg_layers` cuts them and drops those columns."""
    stored = result.layers.store is not None  # buildings and streets stay in the store: see write_gpkg_layers
    layers = {
        **screen_tables(result),
        "buildings": None if stored else result.layers.buildings,
        "pois": result.layers.pois,
        "resources": result.layers.resources,
        "streets": None if stored else result.layers.streets,
    }
    return {
        name: frame
        for name, frame in layers.items()
        if name not in ("coverage", "resilience", "supply") and frame is not None and len(frame)
    }


def gpkg_layers(result: RunResult) -> dict[str, gpd.GeoDataFrame]:
    """:func:`gpkg_sources` without the columns of :data:`NOT_WRITTEN`: the frames as written (not
    yet cut to the area: :func:`write_gpkg_layers` cuts them)."""
    return {name: _written_columns(name, frame) for name, frame in gpkg_sources(result).items()}


def _written_columns(name: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.drop(columns=NOT_WRITTEN[name], errors="ignore") if name in NOT_WRITTEN else frame


@contextlib.contextmanager
def sqlite_without_fsync() -> Iterator[None]:
    """GDAL's SQLite (GeoPackage) writes without fsyncing each layer (``OGR_SQLITE_SYNCHRONOUS=OFF``;
    0.1-0.2 s per layer, most of a small layer's time). Safe here: the life cycle fsyncs every file of
    the run folder before it publishes it, and a run that dies first leaves only debris."""
    import pyogrio

    option = "OGR_SQLITE_SYNCHRONOUS"
    before = pyogrio.get_gdal_config_option(option)
    pyogrio.set_gdal_config_options({option: "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({option: before})


def _inside(frame: gpd.GeoDataFrame, area: BaseGeometry) -> gpd.GeoDataFrame:
    """The rows of ``frame`` that meet ``area``; ``frame`` itself, not a copy, when all of them do
    (the 32 x 32 metropolis: its 520k buildings and 700k streets not held twice while written)."""
    meets = frame.intersects(area).to_numpy()
    return frame if meets.all() else frame[meets]


def prepare_gpkg_layers(layers: dict[str, gpd.GeoDataFrame], area: BaseGeometry) -> dict[str, Any]:
    """``layers`` (:func:`gpkg_layers` or :func:`gpkg_sources`), those of :data:`CLIPPED` cut to
    ``area``, without the columns of :data:`NOT_WRITTEN`, empty ones left out, each as the Arrow table
    and options it is written from (:func:`.gpkg_arrow.layer_arrow`),
    a layer of over :data:`.gpkg_arrow.CHUNK_ROWS` rows as a stream converted a chunk at a time while
    GDAL writes it (:func:`.gpkg_arrow.layer_stream`); else the frame itself."""
    prepared: dict[str, Any] = {}
    for name, frame in layers.items():
        inside = _inside(frame, area) if name in CLIPPED else frame
        inside = _written_columns(name, inside)
        if len(inside):
            whole = len(inside) <= gpkg_arrow.CHUNK_ROWS
            prepared[name] = (layer_arrow(inside) if whole else layer_stream(inside)) or inside
    return prepared


def ask_geometries(layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Ask every geometry of ``layers`` whether it has Z, in the driver before the writer is forked.

    GEOS keeps what it finds on a geometry's first such question (has Z, which WKB also asks) in the
    geometry's memory: asked first in the forked writer, each page of coordinates it touches is
    copied into the child (the 8 x 8 metropolis' buildings: ``to_wkb`` in a fresh child +23.4 MiB,
    +6.9 MiB, the WKB itself, when the driver asked first; benchmarks/RESULTS.md, session 8)."""
    for frame in layers.values():
        shapely.has_z(np.asarray(frame.geometry.array, dtype=object))


def write_gpkg_layers(
    path: Path,
    layers: dict[str, gpd.GeoDataFrame],
    area: BaseGeometry,
    grid: gpd.GeoDataFrame | None = None,
    stored: StoredParts | None = None,
) -> Path:
    """Write ``risk.gpkg``: the grid layer first, then ``layers`` (:func:`gpkg_layers`), those of
    :data:`CLIPPED` cut to ``area`` (one Dask task of the write stage); with ``stored`` (a run under
    ``ingest: partitioned``), then the buildings and streets read from the store one partition at a time.

    The grid layer is streamed from the parts of the ``grid/`` dataset beside ``path``, one part
    after the other (the grid is never read whole); without parts, from ``grid``.
    """
    return write_prepared_gpkg(path, prepare_gpkg_layers(layers, area), area, grid, stored)


def write_prepared_gpkg(
    path: Path,
    prepared: dict[str, Any],
    area: BaseGeometry,
    grid: gpd.GeoDataFrame | None = None,
    stored: StoredParts | None = None,
) -> Path:
    """:func:`write_gpkg_layers` with its layers already prepared (:func:`prepare_gpkg_layers`)."""
    import pyogrio
    from pyproj import CRS

    path = Path(path)
    with sqlite_without_fsync():
        if grid_files(path.parent):
            stream, geometry = grid_stream(path.parent)
            types = geometry.get("geometry_types") or []
            crs = CRS.from_json_dict(geometry["crs"]).to_wkt() if geometry.get("crs") else "OGC:CRS84"
            pyogrio.write_arrow(
                stream,
                path,
                layer="grid",
                driver="GPKG",
                geometry_name="geometry",
                geometry_type=types[0] if len(types) == 1 else "Unknown",
                crs=crs,
            )
        elif grid is not None:
            pyogrio.write_dataframe(grid.reset_index(), path, layer="grid", driver="GPKG")
        for name, ready in prepared.items():  # through Arrow: ~2x faster than feature by feature
            if isinstance(ready, tuple):
                pyogrio.write_arrow(ready[0], path, layer=name, driver="GPKG", **ready[1])
            else:
                pyogrio.write_dataframe(ready, path, layer=name, driver="GPKG", append=False, use_arrow=True)
        for name in ("buildings", "streets") if stored is not None else ():
            written = False
            for frame in stored.parts(name, tuple(area.bounds)):
                inside = frame[frame.intersects(area)].drop(columns=["node_ids"], errors="ignore")
                if len(inside):
                    pyogrio.write_dataframe(
                        inside, path, layer=name, driver="GPKG", append=written, use_arrow=True
                    )
                    written = True
    return path


def write_gpkg(result: RunResult, path: Path) -> Path:
    """``risk.gpkg`` of ``result`` (its grid from the parts beside ``path`` when written)."""
    return write_gpkg_layers(path, gpkg_layers(result), result.area, result.grid, result.layers.store)
