"""One vulnerable site counted once: OSM often maps a hospital or a school twice (a node and its
building or grounds, or two outlines of one name), and a hazard's table listed it twice.

The rule, as a planner would count: two features of one kind are one site when one lies inside the
other's outline (a node inside the hospital's area), or when they bear the same name within
:data:`SAME_SITE_M` metres of each other (two outlines, or a node beside its building). Features with
different names that only lie near each other stay two sites (a kindergarten beside a school of
another name). A merged site keeps its parts' union as its shape (a distance is measured to the
nearest part), the first part's name and reference, and ``features``: how many OSM features it
merges, so each count can be traced back.

:func:`vulnerable_sites` applies the rule to a run's POIs once, for every count of vulnerable sites:
the grid's ``vulnerable_sites`` per cell (:func:`vulnerable_site_counts`, from the whole layer after
the partitions, so every scheduler gives the same grid) and ``vulnerable_sites.parquet``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.sparse import coo_matrix

from .grid import cell_ints_to_str, points_to_cells
from .lazy_scipy import connected_components
from .result import Layers

#: lon/lat: the frames whose UTM zone :func:`estimated_utm_crs` finds by the zones' rule.
CRS_4326 = pyproj.CRS.from_epsg(4326)
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


def is_wkb(value: object) -> bool:
    """An area POI's outline: WKB as bytes, or as the hex text osmium gives (points carry NaN/None).

    >>> is_wkb(b"\\x01"), is_wkb("0101000000"), is_wkb(float("nan")), is_wkb(None), is_wkb("nan")
    (True, True, False, False, False)
    """
    if isinstance(value, bytes):
        return True
    return isinstance(value, str) and value not in {"", "nan", "None"}


SITE_COLUMNS = ["osm_ref", "kind", "name", "features"]
#: The column of each site's shape in a metric CRS (:func:`vulnerable_sites`).
OUTLINE = "outline"


def estimated_utm_crs(frame: gpd.GeoDataFrame) -> str | pyproj.CRS:
    """geopandas' ``frame.estimate_utm_crs()`` of a lon/lat frame: the UTM zone holding the centre of
    its bounds, by the zones' rule (as :func:`urbanrisk.layers.coords.utm_crs`, which the outputs that
    import this module may not import) rather than pyproj's search
    of its database (~0.06 s CPU each time). Where that search could choose (the centre on a zone's
    edge or the equator, beyond UTM's 84° N / 80° S) or the frame is not lon/lat, geopandas is asked.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> estimated_utm_crs(gpd.GeoDataFrame(geometry=[Point(116.3, 39.9), Point(116.4, 40.0)], crs=4326))
    'EPSG:32650'
    """
    west, south, east, north = frame.total_bounds
    lon, lat = np.mean([west, east]), np.mean([south, north])  # as geopandas takes the centre
    inside = -180 < lon < 180 and (lon + 180) % 6 != 0 and (0 < lat < 84 or -80 < lat < 0)
    if frame.crs is None or not frame.crs.equals(CRS_4326) or not inside:
        return frame.estimate_utm_crs()
    return f"EPSG:{(32600 if lat >= 0 else 32700) + int((lon + 180) // 6) + 1}"


def vulnerable_sites(pois: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """The vulnerable sites of a POI layer (rows whose ``roles`` hold ``vulnerable``), one row per
    site and kind: its first feature's ``osm_ref`` and point (WGS84), its name, ``features`` (how many
    OSM features it merges, see :func:`one_site_each`; outlines from ``shape_wkb``) and ``outline``:
    the site's shape (its features' union) in the metric CRS it was merged in, which the hazard screen
    measures distances to (not written: ``vulnerable_sites.parquet`` holds :data:`SITE_COLUMNS`).

    Examples
    --------
    >>> from shapely.geometry import Point, box
    >>> pois = gpd.GeoDataFrame(
    ...     {"osm_ref": ["n1", "w2", "n3"], "kind": ["hospital", "hospital", "cafe"],
    ...      "roles": ["vulnerable", "vulnerable", "crowd"], "name": ["医院", "", "咖啡"],
    ...      "shape_wkb": [None, box(116.3, 39.9, 116.301, 39.901).wkb_hex, None]},
    ...     geometry=[Point(116.3005, 39.9005), Point(116.3005, 39.9004), Point(116.31, 39.9)], crs=4326)
    >>> vulnerable_sites(pois)[["osm_ref", "name", "features"]].values.tolist()
    [['n1', '医院', 2]]
    """
    empty = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in SITE_COLUMNS}, geometry=[], crs=4326)
    empty["features"] = empty["features"].astype("int64")
    empty[OUTLINE] = gpd.GeoSeries([], index=empty.index, crs=4326)
    if pois is None or not len(pois):
        return empty
    roles = "|" + pois["roles"].fillna("").astype(str) + "|"
    rows = pois[roles.str.contains("|vulnerable|", regex=False).to_numpy()]
    rows = rows.drop_duplicates(["osm_ref", "kind"])
    if not len(rows):
        return empty
    shapes = rows.geometry.to_numpy().copy()
    if "shape_wkb" in rows:  # area POIs: their outlines (a node inside one is the same site)
        wkb = rows["shape_wkb"].to_numpy(dtype=object)
        outline = np.fromiter((is_wkb(w) for w in wkb), dtype=bool, count=len(wkb))
        shapes[outline] = shapely.from_wkb(wkb[outline])
    table = gpd.GeoDataFrame(
        {"name": rows["name"].to_numpy(), "ref": np.arange(len(rows))}, geometry=shapes, crs=rows.crs
    )
    table = table.to_crs(estimated_utm_crs(rows))  # the layer's own zone: the same in every count
    kinds = rows["kind"].to_numpy(dtype=object)
    parts = []
    for kind in dict.fromkeys(kinds):  # in the layer's order of kinds
        merged = one_site_each(table[kinds == kind])
        first = merged["ref"].to_numpy()
        parts.append(
            gpd.GeoDataFrame(
                {
                    "osm_ref": rows["osm_ref"].to_numpy()[first],
                    "kind": kind,
                    "name": merged["name"].to_numpy(),
                    "features": merged["features"].to_numpy(dtype=np.int64),
                    OUTLINE: merged.geometry.array,  # in the layer's zone (its CRS kept)
                },
                geometry=rows.geometry.to_numpy()[first],
                crs=rows.crs,
            )
        )
    return pd.concat(parts, ignore_index=True)


def vulnerable_site_counts(
    sites: gpd.GeoDataFrame, cells: pd.Index | list[str], resolution: int
) -> np.ndarray:
    """Vulnerable sites (:func:`vulnerable_sites`) per cell of ``cells``, at each site's first
    feature's point; a feature that is a site of two kinds counts once (floats, as every count).

    The sites' few cells are looked up among ``cells`` (``isin``): the whole grid's cells are neither
    parsed nor sorted nor kept (:func:`urbanrisk.cell_sums.cell_ints` caches what it parses: the
    grid's 116,645 cell ids, ~12 MB, stayed in the driver from the grid stage on).

    Examples
    --------
    >>> import h3
    >>> a, b = h3.latlng_to_cell(39.99, 116.33, 10), h3.latlng_to_cell(39.98, 116.32, 10)
    >>> lat, lon = h3.cell_to_latlng(a)
    >>> points = gpd.points_from_xy([lon] * 3, [lat] * 3)
    >>> sites = gpd.GeoDataFrame({"osm_ref": ["n1", "n2", "n2"]}, geometry=points)
    >>> vulnerable_site_counts(sites, [b, a], 10).tolist()
    [0.0, 2.0]
    """
    once = sites.drop_duplicates("osm_ref")
    ids = points_to_cells(once.geometry.x.to_numpy(), once.geometry.y.to_numpy(), resolution)
    per_cell = pd.Series(cell_ints_to_str(ids), dtype="str").value_counts()
    index = cells if isinstance(cells, pd.Index) else pd.Index(cells, dtype="str")
    counts = np.zeros(len(index))
    hit = np.flatnonzero(index.isin(per_cell.index))
    counts[hit] = per_cell.reindex(index[hit]).to_numpy(dtype=float)
    return counts


def with_site_counts(grid: gpd.GeoDataFrame, layers: Layers, resolution: int) -> gpd.GeoDataFrame:
    """``grid`` (from the partitions' tables) with ``vulnerable_sites`` counted once per site, over
    the whole POI layer: a site's features may lie in two partitions, and every scheduler must give
    the same grid. The partitions' own column (one per feature) is replaced in place; the sites are
    kept on ``layers.vulnerable_sites`` for the outputs (:func:`sites_of`)."""
    grid["vulnerable_sites"] = vulnerable_site_counts(sites_of(layers), grid.index, resolution)
    return grid


def sites_of(layers: Layers) -> gpd.GeoDataFrame:
    """``layers.vulnerable_sites``, made from ``layers.pois`` and kept there when not yet: the grid stage
    and the hazard screen (which may run beside it) take the same sites, merged once."""
    if layers.vulnerable_sites is None:
        layers.vulnerable_sites = vulnerable_sites(layers.pois)
    return layers.vulnerable_sites
