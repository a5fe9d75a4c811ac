"""Where an OSM extract without declared bounds holds data: one rule for the study area and completeness.

A clipped extract keeps whole ways: its streets and large areas run on beyond the clip, so they do not
mark where the data end. Its buildings do; without buildings, its places; without either, its streets.
"""

from __future__ import annotations

import geopandas as gpd
import shapely


def osm_data_box(
    buildings: gpd.GeoDataFrame, pois: gpd.GeoDataFrame, streets: gpd.GeoDataFrame
) -> tuple[float, float, float, float] | None:
    """Bounds (lon/lat) of the buildings, else the places, else the streets; None when all are empty.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> empty = gpd.GeoDataFrame(geometry=[], crs=4326)
    >>> streets = gpd.GeoDataFrame(geometry=[box(0, 0, 3, 3)], crs=4326)
    >>> buildings = gpd.GeoDataFrame(geometry=[box(1, 1, 2, 2)], crs=4326)
    >>> osm_data_box(buildings, empty, streets)
    (1.0, 1.0, 2.0, 2.0)
    >>> osm_data_box(empty, empty, streets)
    (0.0, 0.0, 3.0, 3.0)
    >>> osm_data_box(empty, empty, empty) is None
    True
    """
    for frame in (buildings, pois, streets):
        if frame is not None and len(frame):
            return tuple(float(v) for v in shapely.total_bounds(frame.geometry.to_numpy()))
    return None
