"""same_sites.estimated_utm_crs against geopandas' estimate_utm_crs (pyproj's database search), which it
replaces: the same zone for lon/lat frames across the world, Norway's and Svalbard's included."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
from shapely.geometry import Point

from urbanrisk.same_sites import estimated_utm_crs


def _epsg(crs: str | pyproj.CRS) -> int:
    return pyproj.CRS.from_user_input(crs).to_epsg()


def test_estimated_utm_crs_equals_geopandas():
    rng = np.random.default_rng(13)
    centres = [(116.33, 39.99), (-76.6, 39.3), (-0.2, 5.6), (5.3, 60.4), (10.7, 59.9), (15.6, 78.2)]
    centres += [(-179.9, -45.0), (179.9, 45.0), (0.001, 0.001), (3.0, -79.9), (-3.0, 83.9), (114.0, 30.0)]
    centres += list(zip(rng.uniform(-180, 180, 40), rng.uniform(-80, 84, 40), strict=True))
    # geopandas' answer for a lon/lat frame depends on its bounds' centre alone (a query of pyproj's
    # database, 0.09 s each): asked once per centre as geopandas computes it (53 queries here, not 104)
    reference: dict[tuple[float, float], int] = {}
    for lon, lat in centres:
        for half in (0.0, 0.02):  # a point, and a frame whose bounds' centre is (lon, lat)
            frame = gpd.GeoDataFrame(
                geometry=[Point(lon - half, lat - half), Point(lon + half, lat + half)], crs=4326
            )
            west, south, east, north = frame.total_bounds
            centre = (float(np.mean([west, east])), float(np.mean([south, north])))
            if centre not in reference:
                reference[centre] = _epsg(frame.estimate_utm_crs())
            assert _epsg(estimated_utm_crs(frame)) == reference[centre], (lon, lat, half)


def test_estimated_utm_crs_asks_geopandas_on_an_edge_and_off_lonlat():
    """On a zone's edge (114° E) and in a projected frame the zone is geopandas' own choice."""
    edge = gpd.GeoDataFrame(geometry=[Point(114.0, 30.0)], crs=4326)
    assert isinstance(estimated_utm_crs(edge), pyproj.CRS)  # geopandas' answer, not the rule's string
    projected = edge.to_crs(3857)
    assert _epsg(estimated_utm_crs(projected)) == _epsg(projected.estimate_utm_crs())
    inside = gpd.GeoDataFrame(geometry=[Point(116.3, 39.9)], crs=4326)
    assert estimated_utm_crs(inside) == "EPSG:32650"  # by the zones' rule
