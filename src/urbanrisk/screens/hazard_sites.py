"""One OSM hazard site, one hazard source: OSM maps a substation as its outline and each transformer
inside it, or a fuel station as two outlines of one name; each feature was a source, and each added
its severity to the cells around (a Baltimore substation counted five times).

The rule, per kind, stricter than the vulnerable sites' (:func:`urbanrisk.same_sites.one_site_each`):
two features are one site when they bear the same name within :data:`SAME_SITE_M` metres, or when a
point lies inside an outline and the point has no name of its own (or the outline's). Two outlines
that touch stay two sites, and so does a named works inside an industrial estate's outline: counting a
hazard twice overstates a cell's intensity, merging two operators would hide one.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import coo_matrix

from ..lazy_scipy import connected_components
from ..same_sites import SAME_SITE_M, is_wkb

__all__ = ["one_osm_site_each"]


def one_osm_site_each(osm: gpd.GeoDataFrame, utm_crs: str) -> gpd.GeoDataFrame:
    """OSM hazard features (WGS84: ``kind``, ``name``, ``shape_wkb`` for areas), one row per site: each
    site keeps its outline's row where it has one (its point is the site's), else its first; its name
    the first name among its features; rows in their order.

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> station = box(116.3300, 39.9900, 116.3304, 39.9903)  # ~34 x 33 m, two transformers inside
    >>> beside = box(116.3296, 39.9900, 116.3300, 39.9903)  # another outline touching it
    >>> osm = gpd.GeoDataFrame(
    ...     {"osm_ref": ["n1", "n2", "w3", "w4"], "kind": "power", "name": ["", "", "", "Other"],
    ...      "shape_wkb": [None, None, station.wkb_hex, beside.wkb_hex]},
    ...     geometry=[Point(116.3301, 39.9901), Point(116.3302, 39.9902), station.centroid, beside.centroid],
    ...     crs=4326)
    >>> one_osm_site_each(osm, "EPSG:32650")["osm_ref"].tolist()
    ['w3', 'w4']
    """
    n = len(osm)
    if n < 2:
        return osm
    shapes = osm.geometry.to_numpy().copy()
    area = np.zeros(n, dtype=bool)
    if "shape_wkb" in osm:
        wkb = osm["shape_wkb"].to_numpy(dtype=object)
        area = np.fromiter((is_wkb(w) for w in wkb), dtype=bool, count=n)
        shapes[area] = shapely.from_wkb(wkb[area])
    shapes = gpd.GeoSeries(shapes, crs=osm.crs).to_crs(utm_crs).to_numpy()
    names = np.array(
        ["" if not isinstance(v, str) else v.strip() for v in osm["name"].to_numpy()], dtype=object
    )
    kinds = osm["kind"].to_numpy(dtype=object)
    left, right = shapely.STRtree(shapes).query(shapes, predicate="dwithin", distance=SAME_SITE_M)
    pair = (left < right) & (kinds[left] == kinds[right])
    left, right = left[pair], right[pair]
    named = (names[left] != "") & (names[left] == names[right])
    point, outline = np.where(area[left], right, left), np.where(area[left], left, right)
    inside = (area[left] != area[right]) & shapely.intersects(shapes[point], shapes[outline])
    inside &= (names[point] == "") | (names[point] == names[outline])
    same = named | inside
    graph = coo_matrix((np.ones(int(same.sum())), (left[same], right[same])), shape=(n, n))
    count, site = connected_components(graph, directed=False)
    if count == n:
        return osm
    order = np.lexsort((np.arange(n), ~area, site))  # per site: outlines first, then in order
    first = order[np.r_[True, site[order][1:] != site[order][:-1]]]
    with_name = np.flatnonzero(names != "")[::-1]  # reversed: each site takes its first name
    name_of = np.full(count, "", dtype=object)
    name_of[site[with_name]] = names[with_name]
    keep = np.sort(first)
    own = osm["name"].to_numpy(dtype=object)[keep]
    given = [
        o if isinstance(o, str) and o.strip() else name_of[s] for o, s in zip(own, site[keep], strict=True)
    ]
    return osm.iloc[keep].assign(name=np.array(given, dtype=object))
