"""Points projected once per run: the hazard screens project the same sources to the same UTM zone
six times (the reach test, the sited and graded tables, GB 18218, the registers, the cells'
intensity: ~0.07 s CPU each at 100,000 sources). The last projection is kept and given again while
the points' coordinates and both CRSs are the same; the same ``to_crs`` made it, so it is equal.
One projection is kept (the last: ~12 MB at 100,000 points), until another replaces it."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["points_to_crs"]

#: The last projection: ((source CRS, target CRS, the points' coordinates), the projected points).
_LAST: list[tuple[tuple[str, str, bytes], np.ndarray]] = []


def points_to_crs(geometry: gpd.GeoSeries, crs: Any) -> np.ndarray:
    """``geometry.to_crs(crs).to_numpy()``: the last call's array when given the same points again
    (only non-empty 2D points are kept; other geometries are projected every time).

    Examples
    --------
    >>> points = gpd.GeoSeries(gpd.points_from_xy([116.3, 116.4], [39.9, 40.0]), crs=4326)
    >>> first = points_to_crs(points, "EPSG:32650")
    >>> again = points_to_crs(gpd.GeoSeries(points.to_numpy().copy(), crs=4326), "EPSG:32650")
    >>> again is first, shapely.equals(first, points.to_crs("EPSG:32650").to_numpy()).all()
    (True, np.True_)
    """
    values = geometry.to_numpy()
    plain = len(values) and (shapely.get_type_id(values) == 0).all() and not shapely.has_z(values).any()
    if not plain or shapely.is_empty(values).any():
        return geometry.to_crs(crs).to_numpy()
    key = (str(geometry.crs), str(crs), shapely.get_coordinates(values).tobytes())
    if _LAST and _LAST[0][0] == key:
        return _LAST[0][1]
    projected = geometry.to_crs(crs).to_numpy()
    _LAST[:] = [(key, projected)]
    return projected
