"""One vulnerable site counted once: OSM often maps a hospital or a school twice (a node and its
building or grounds, or two outlines of one name), and a hazard's table listed it twice.

The rule, as a planner would count: two features of one kind are one site when one lies inside the
other's outline (a node inside the hospital's area), or when they bear the same name within
:data:`SAME_SITE_M` metres of each other (two outlines, or a node beside its building). Features with
different names that only lie near each other stay two sites (a kindergarten beside a school of
another name). A merged site keeps its parts' union as its shape (a distance is measured to the
nearest part), the first part's name and reference, and ``features``: how many OSM features it
merges, so each count can be traced back.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

#: Two features of one kind and one name within this distance (metres) are one site.
SAME_SITE_M = 100.0


def one_site_each(table: gpd.GeoDataFrame, *, within_m: float = SAME_SITE_M) -> gpd.GeoDataFrame:
    """``table`` (one kind's features in a metric CRS: ``name``, ``ref``, geometry) with the features
    of one site merged into one row (see the module's rule) and a ``features`` column (1 if alone).

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> table = gpd.GeoDataFrame(
    ...     {"name": ["医院", "医院", "", "学校", "诊所"], "ref": [f"osm/{i}" for i in range(1, 6)]},
    ...     geometry=[Point(5, 5), box(0, 0, 50, 50), Point(40, 40), box(500, 0, 560, 60), Point(580, 0)],
    ... )
    >>> out = one_site_each(table)
    >>> out["name"].tolist(), out["features"].tolist(), out["ref"].tolist()
    (['医院', '学校', '诊所'], [3, 1, 1], ['osm/1', 'osm/4', 'osm/5'])
    """
    n = len(table)
    if n < 2:
        return table.assign(features=np.ones(n, dtype=np.int64))
    shapes = table.geometry.to_numpy()
    names = np.array(["" if v is None else str(v).strip() for v in table["name"].to_numpy()], dtype=object)
    left, right = shapely.STRtree(shapes).query(shapes, predicate="dwithin", distance=within_m)
    pair = left < right
    left, right = left[pair], right[pair]
    named = (names[left] != "") & (names[left] == names[right])
    inside = shapely.intersects(shapes[left], shapes[right]) & (
        _is_area(shapes[left]) | _is_area(shapes[right])
    )
    same = named | inside
    graph = coo_matrix((np.ones(int(same.sum())), (left[same], right[same])), shape=(n, n))
    _, site = connected_components(graph, directed=False)
    if site.max() + 1 == n:
        return table.assign(features=np.ones(n, dtype=np.int64))
    order = np.argsort(site, kind="stable")  # each site's features together, in the table's order
    starts = np.flatnonzero(np.r_[True, site[order][1:] != site[order][:-1]])
    first = order[starts]  # each site's first feature, by site number
    counts = np.bincount(site)
    named = np.flatnonzero(names != "")[::-1]  # reversed: each site keeps its first name
    name_of = np.full(len(counts), -1)
    name_of[site[named]] = named
    keep = np.sort(first)
    sites = site[keep]
    out = table.iloc[keep].copy()
    out["name"] = [names[i] if i >= 0 else "" for i in name_of[sites]]
    out["features"] = counts[sites]
    geometry = out.geometry.to_numpy().copy()
    groups = np.split(order, starts[1:])  # by site number
    for row in np.flatnonzero(counts[sites] > 1):  # the merged sites only
        geometry[row] = shapely.union_all(shapes[groups[sites[row]]])
    return out.set_geometry(gpd.GeoSeries(geometry, index=out.index, crs=table.crs))


def _is_area(shapes: np.ndarray) -> np.ndarray:
    """Where a shape is a polygon (a point inside it belongs to it)."""
    return np.isin(shapely.get_type_id(shapes), (3, 6))
