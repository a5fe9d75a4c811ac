"""Read a vector file (GeoJSON, GeoPackage, Shapefile...) with its CRS checked: the one place that does.

A Shapefile whose DBF is GBK (or anything but Latin-1) and has no .cpg is read in the encoding that
``encoding`` names or :func:`urbanrisk.layers.headers.shapefile_header` detects. Coordinates from a
Chinese map service (GCJ-02, BD-09) are converted to WGS84 with ``coords``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from .._errors import LayerError, require_regular_file
from .coords import to_wgs84
from .headers import pick_layer, shapefile_header
from .vector_parquet import PARQUET_SUFFIXES, geoparquet_from_file


def vector_from_file(
    path: str | Path,
    *,
    layer: str,
    crs: str | None = None,
    encoding: str | None = None,
    keep_empty: bool = False,
    file_layer: str | None = None,
    no_crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector file in its own CRS (``crs`` assigns one when the file has none).

    ``file_layer``: the layer to read of a file that holds several (refused without it: the first,
    taken silently, was a GeoPackage's roads read as its stations).
    Features without geometry are left out, unless ``keep_empty`` (a registry refuses them by row).
    ``no_crs``: the message for a file without a CRS when ``crs`` is None (default: say ``crs:``, the key
    of a layer; the study area has none).
    Altitudes (Z) are dropped: a 3D boundary (KML, CAD exports) crashed the grid's clipping.

    Raises
    ------
    LayerError
        When the file cannot be read, or has no CRS and none is given; the message names the
        layer and the file and says how to fix it.
    """
    import pyogrio  # here: a recipe without a vector file (and a run's driver) never loads it

    require_regular_file(path, layer)
    options = {}
    if Path(path).suffix.lower() in (".shp", ".dbf"):  # a .dbf alone: refused (no geometry)
        codec = shapefile_header(Path(path).with_suffix(".shp"), encoding=encoding, layer=layer).encoding
        if codec is not None:
            options["encoding"] = codec
    if Path(path).suffix.lower() in PARQUET_SUFFIXES:  # GDAL's driver here needs libduckdb: not shipped
        gdf = geoparquet_from_file(path, layer=layer)
        return _kept(_with_crs(gdf, crs, path=path, layer=layer, no_crs=no_crs), keep_empty)
    try:
        found = pyogrio.list_layers(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError):
        found = None  # read_file below says why
    if found is not None:
        spatial = [str(name) for name, kind in found if kind is not None]
        options["layer"] = pick_layer(spatial, file_layer, path, layer)
    try:
        with warnings.catch_warnings():  # GDAL on an XYZM GeoJSON point: M dropped (as is Z below)
            warnings.filterwarnings("ignore", "OGRGeoJSONReadRawPoint", RuntimeWarning)
            gdf = gpd.read_file(path, engine="pyogrio", **options)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        msg = f"layer '{layer}': cannot read {path} ({exc}); is it a valid GeoJSON / GeoPackage / Shapefile?"
        raise LayerError(msg) from exc
    except shapely.errors.GEOSException as exc:  # a ring not closed, or of 1-3 points: shapely refuses it
        msg = (
            f"layer '{layer}': {path} holds a geometry that cannot be built ({' '.join(str(exc).split())}): "
            "close each ring (its "
            "last point is its first; 4 points at least), e.g. ogr2ogr -makevalid fixed.gpkg FILE"
        )
        raise LayerError(msg) from exc
    return _kept(_with_crs(gdf, crs, path=path, layer=layer, no_crs=no_crs), keep_empty)


def _with_crs(
    gdf: gpd.GeoDataFrame, crs: str | None, *, path: str | Path, layer: str, no_crs: str | None
) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        if crs is None and no_crs is not None:
            raise LayerError(no_crs)
        if crs is None:
            msg = (
                f"layer '{layer}': {path} has no coordinate reference system; say which it is with "
                "`crs:` in the recipe (e.g. crs: EPSG:4326, EPSG:4490 for CGCS2000 lon/lat, EPSG:4547 "
                "for CGCS2000 3-degree Gauss-Kruger CM 114E)"
            )
            raise LayerError(msg)
        gdf = gdf.set_crs(crs)
    return gdf


def _kept(gdf: gpd.GeoDataFrame, keep_empty: bool) -> gpd.GeoDataFrame:
    """``gdf`` in 2D (altitudes dropped), without its features without geometry unless ``keep_empty``."""
    if shapely.has_z(gdf.geometry.to_numpy()).any():  # altitudes (a KML or CAD export): urbanrisk is 2D
        gdf = gdf.set_geometry(
            gpd.GeoSeries(shapely.force_2d(gdf.geometry.to_numpy()), index=gdf.index, crs=gdf.crs)
        )
    return gdf if keep_empty else gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]


def from_map_service(gdf: gpd.GeoDataFrame, coords: str, *, layer: str, path: str | Path) -> gpd.GeoDataFrame:
    """Every vertex from GCJ-02 / BD-09 lon/lat to WGS84 (EPSG:4326); ``wgs84`` returns ``gdf`` as is.

    Raises
    ------
    LayerError
        When the file is in a projected CRS (map-service offsets apply to lon/lat only).
    """
    if coords == "wgs84":
        return gdf
    if gdf.crs is not None and not gdf.crs.is_geographic:
        msg = (
            f"layer '{layer}': {path} is in a projected CRS ({gdf.crs.to_string()}) but `coords: {coords}` "
            "applies to lon/lat from a map service: remove `coords:` or export the file in lon/lat"
        )
        raise LayerError(msg)

    def convert(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], coords))

    geometry = shapely.transform(gdf.geometry.to_numpy(), convert)
    return gdf.set_geometry(gpd.GeoSeries(geometry, index=gdf.index, crs="EPSG:4326"))
