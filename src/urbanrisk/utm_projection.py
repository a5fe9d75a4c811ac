"""A partition's geometries projected to its UTM zone: buildings, streets, cells and the study area.

The grid's tasks measure areas and lengths in metres, so each projects its buildings, streets and
cell polygons (three calls per partition, 226 partitions at 32 x 32). ``GeoSeries.to_crs`` parses the
target CRS, compares it with the source's and looks up its transformer on every call (~1 ms, most of
a small partition's projection); :func:`projected` keeps the transformer and gives the same
coordinates (the same transformer, the same ``geopandas.array.transform`` steps).

Examples
--------
>>> import geopandas as gpd
>>> points = gpd.GeoSeries(shapely.points([[117.0, 40.0]]), crs=4326)
>>> bool(shapely.equals_identical(projected(points, "EPSG:32650"), points.to_crs(32650).to_numpy()).all())
True
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from .grid import cells_to_polygons

__all__ = ["area_utm", "cells_polygons_utm", "projected"]


@functools.lru_cache(maxsize=8)
def _from_lonlat(utm_crs: str) -> pyproj.Transformer:
    """The transformer ``to_crs`` makes from EPSG:4326 to ``utm_crs`` (x, y order), made once."""
    return pyproj.Transformer.from_crs("EPSG:4326", utm_crs, always_xy=True)


def _transformed(geometry: np.ndarray, transformer: pyproj.Transformer) -> np.ndarray:
    """Every coordinate through ``transformer``, 2D and 3D geometries apart (as ``to_crs`` does)."""
    has_z = shapely.has_z(geometry)
    out = np.empty_like(geometry)
    for include_z, which in ((False, ~has_z), (True, has_z)):
        coords = shapely.get_coordinates(geometry[which], include_z=include_z)
        moved = transformer.transform(*coords.T)
        out[which] = shapely.set_coordinates(geometry[which].copy(), np.array(moved).T)
    return out


def projected(geometry: gpd.GeoSeries, utm_crs: str) -> np.ndarray:
    """The geometries in ``utm_crs``: the coordinates ``geometry.to_crs(utm_crs)`` gives."""
    if geometry.crs is None or geometry.crs.srs.upper() != "EPSG:4326":
        return geometry.to_crs(utm_crs).to_numpy()
    return _transformed(geometry.to_numpy(), _from_lonlat(utm_crs))


@functools.lru_cache(maxsize=4)
def _area_utm_wkb(area: shapely.Geometry, utm_crs: str) -> bytes:
    return shapely.to_wkb(projected(gpd.GeoSeries([shapely.segmentize(area, 0.001)], crs=4326), utm_crs)[0])


def area_utm(area: shapely.Geometry, utm_crs: str) -> shapely.Geometry:
    """The study area (densified to 0.001°) projected once per process, not once per partition task.

    Each call gets a geometry of its own (from the kept WKB, the same coordinates): tasks on threads
    prepare it (:func:`urbanrisk.population.clip_to_area`), and GEOS cannot prepare or query one
    prepared geometry from two threads at once (a shared one crashed a ``threads`` run).
    """
    return shapely.from_wkb(_area_utm_wkb(area, utm_crs))


def cells_polygons_utm(cells: list[str], utm_crs: str, polygons: np.ndarray | None = None) -> np.ndarray:
    """Cell polygons in the projected CRS (``polygons``: their lon/lat polygons, when made already)."""
    polygons = cells_to_polygons(cells) if polygons is None else polygons
    return projected(gpd.GeoSeries(polygons, crs="EPSG:4326"), utm_crs)
