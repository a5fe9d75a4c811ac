"""Units of one file that overlap (two 社区 drawn over each other: a boundary digitised twice, an old
and a new version in one layer). Each cell still goes to one unit (cell_units.py: the one holding its
centre), so totals stay right, but which unit the overlap's people go to is arbitrary: said in the
run's notes with the pairs, so that the office can check the boundaries.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

#: An overlap smaller than this share of the smaller unit is a digitising sliver, not worth a word.
MIN_SHARE = 0.01


def overlap_note(units: gpd.GeoDataFrame, layer: str, file: str) -> str | None:
    """A note naming the overlapping pairs of ``units`` (id, name, geometry), or None.

    >>> from shapely.geometry import box
    >>> units = gpd.GeoDataFrame({"id": ["A", "B", "C"], "name": ["甲", "乙", "丙"]},
    ...     geometry=[box(0, 0, 2, 1), box(1, 0, 3, 1), box(3, 0, 4, 1)], crs=4326)
    >>> "(share of the smaller unit): A 甲 / B 乙 (50%); each cell" in overlap_note(units, "u", "x")
    True
    """
    geometry = units.geometry.to_numpy()
    if len(geometry) < 2:
        return None
    left, right = shapely.STRtree(geometry).query(geometry, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return None
    shared = shapely.area(shapely.intersection(geometry[left], geometry[right]))
    smaller = np.minimum(shapely.area(geometry[left]), shapely.area(geometry[right]))
    share = np.divide(shared, smaller, out=np.zeros_like(shared), where=smaller > 0)
    big = np.flatnonzero(share >= MIN_SHARE)
    if not len(big):
        return None
    ids, names = units["id"].astype(str).to_numpy(), units["name"].astype(str).to_numpy()
    pairs = [
        f"{ids[left[k]]} {names[left[k]]} / {ids[right[k]]} {names[right[k]]} ({share[k]:.0%})"
        for k in big[:5]
    ]
    more = f" and {len(big) - 5} more" if len(big) > 5 else ""
    return (
        f"{layer}: units of {file} overlap (share of the smaller unit): {'; '.join(pairs)}{more}; "
        "each cell goes to one of them (the one "
        "holding its centre): check their boundaries"
    )
