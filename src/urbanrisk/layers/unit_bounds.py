"""Unit polygons whose coordinates are no lon/lat once read: projected metres in a GeoJSON without a
``crs`` member (GDAL reads it as EPSG:4326, a GeoJSON's CRS by rule), or a .prj naming lon/lat over
metres. ``urbanrisk validate`` refused such a GeoJSON; the run read the units 12,946 km "degrees" away,
where no cell lies: every unit empty without a word (hostile input round 12, office18).

Examples
--------
>>> from shapely.geometry import box
>>> units = gpd.GeoDataFrame(geometry=[box(12946456, 4863036, 12948683, 4865942)], crs=4326)
>>> beyond_lonlat(units, "u", Path("u.geojson"))[:60]
"layer 'u': u.geojson has coordinates beyond lon/lat (project"
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np


def beyond_lonlat(units: gpd.GeoDataFrame, layer: str, path: Path) -> str | None:
    """The refusal of ``units`` (read and turned into EPSG:4326) when a vertex lies beyond lon/lat, or
    None."""
    if not len(units):
        return None
    west, south, east, north = units.total_bounds
    if (
        np.isfinite([west, south, east, north]).all()
        and west >= -180
        and east <= 180
        and south >= -90
        and north <= 90
    ):
        return None
    return (
        f"layer '{layer}': {path.name} has coordinates beyond lon/lat (projected metres?) in the CRS it is "
        "read in (EPSG:4326 for a GeoJSON without a `crs` member): reproject it to lon/lat from its true CRS "
        "(ogr2ogr -s_srs EPSG:3857 -t_srs EPSG:4326 out.geojson in.geojson, with its own EPSG code)"
    )
