"""A unit drawn as a GeometryCollection (a CAD or web-GIS export groups its rings so): its polygons,
as one MultiPolygon, rather than the unit left out as "not a polygon". Lines and points in it are not
part of the unit's area and are dropped.
"""

from __future__ import annotations

import numpy as np
import shapely


def polygonal(geometries: np.ndarray) -> np.ndarray:
    """``geometries`` with each GeometryCollection replaced by the MultiPolygon of its polygons (an
    empty one when it holds none, which the caller leaves out as before).

    >>> from shapely.geometry import GeometryCollection, Point, box
    >>> out = polygonal(np.array([GeometryCollection([box(0, 0, 1, 1), Point(5, 5)]), box(2, 2, 3, 3)]))
    >>> [g.geom_type for g in out], out[0].area
    (['MultiPolygon', 'Polygon'], 1.0)
    """
    out = np.array(geometries, dtype=object)
    collection = shapely.get_type_id(out) == shapely.GeometryType.GEOMETRYCOLLECTION
    for i in np.flatnonzero(collection):
        parts = shapely.get_parts(out[i])
        polygons = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")]
        flat = [q for p in polygons for q in shapely.get_parts(p)]
        out[i] = shapely.MultiPolygon(flat) if flat else shapely.MultiPolygon()
    return out
