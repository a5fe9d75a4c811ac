"""The 属地 units of the responsibility list's items (责任清单): one main unit per level, and the other
units an area item spans.

- A **point item** (a hazard source) belongs to the unit covering its point
  (:func:`urbanrisk.cell_units.point_units`); with units made of grid cells (the communities screen's),
  a point that no outline holds goes to the unit of the grid cell holding it (:func:`point_item_units`).
- An **area item** (a red/orange cluster, a coverage gap, a key district, an urban village) belongs to
  the unit holding most of its cells (those whose centre its outline holds), each cell counted in the
  unit the registers give it: with leveled polygons the nesting rule
  (:func:`urbanrisk.screens.registers.nested_cell_units`: an edge cell stays in its unit above), and
  at each level below the coarsest only among the cells inside the item's main unit above, so that
  its 社区 lies in its 街道. Ties go to the unit at its representative point, then the smaller id. An
  area item holding no cell centre (smaller than a cell) keeps its point's unit.
- Its other units (``also``): those of the rest of its cells, sorted; none for a point item.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from ..cell_units import UNASSIGNED, point_units
from ..grid import cell_ints_to_str, points_to_cells
from .registers import cell_centres


def point_item_units(
    items: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    grid: gpd.GeoDataFrame,
    cell_rule: Callable[[pd.Index], pd.Series] | None = None,
) -> pd.Series:
    """The unit at each item's point (``outline``: its shape), :data:`UNASSIGNED` where none.

    The unit covering its point (:func:`urbanrisk.cell_units.point_units`); with ``cell_rule`` (units
    made of grid cells: a cell whose centre a drawn unit holds belongs to it whole, its point may lie
    outside that unit's outline), then the unit of the grid cell holding its point, as the communities
    screen counts that cell; then the unit covering the largest part of its outline.
    """
    outlines = items.get("outline")
    if cell_rule is None or not len(grid):
        return point_units(items.geometry, units, shapes=outlines)
    ids = point_units(items.geometry, units)
    rest = np.flatnonzero((ids == UNASSIGNED).to_numpy() & items.geometry.notna().to_numpy())
    if len(rest):
        points = items.geometry.iloc[rest]
        raw = points_to_cells(points.x.to_numpy(), points.y.to_numpy(), h3.get_resolution(grid.index[0]))
        cells = pd.Index(cell_ints_to_str(raw))
        inside = grid.index.get_indexer(cells) >= 0  # the grid's hash table (isin walks an Arrow index)
        if inside.any():
            ids.iloc[rest[inside]] = cell_rule(cells[inside]).to_numpy()
    rest = np.flatnonzero((ids == UNASSIGNED).to_numpy())
    if len(rest) and outlines is not None:
        ids.iloc[rest] = point_units(items.geometry.iloc[rest], units, shapes=outlines.iloc[rest]).to_numpy()
    return ids


#: Cell centres made into points at a time by :func:`centres_within` (116,645 at once: ~12 MB of
#: points beside the grid, and a spatial join's frames, at the responsibility list's peak)
CENTRE_CHUNK = 16_384


def centres_within(shapes: np.ndarray, cells: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """(cell position, shape position) of every cell whose centre lies within one of ``shapes``, in
    the order :meth:`shapely.STRtree.query` gives them for all the centres at once (by cell), the
    centres made :data:`CENTRE_CHUNK` at a time."""
    tree = shapely.STRtree(shapes)
    found = [(np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp))]
    for start in range(0, len(cells), CENTRE_CHUNK):
        centres = cell_centres(cells[start : start + CENTRE_CHUNK]).to_numpy()
        hit, which = tree.query(centres, predicate="within")
        found.append((hit + start, which))
    return np.concatenate([hit for hit, _ in found]), np.concatenate([which for _, which in found])


def held_cells(items: gpd.GeoDataFrame, grid: gpd.GeoDataFrame) -> pd.DataFrame:
    """(item position, cell) for every grid cell whose centre an area item's ``outline`` holds."""
    outlines = items["outline"].to_numpy() if "outline" in items.columns else np.array([], dtype=object)
    areal = np.flatnonzero(np.isin(shapely.get_type_id(outlines), (3, 6)))
    if not len(areal) or not len(grid):
        return pd.DataFrame({"item": np.zeros(0, dtype=np.int64), "cell": pd.Index([], dtype=object)})
    hit, which = centres_within(outlines[areal], grid.index)
    return pd.DataFrame({"item": areal[which], "cell": grid.index[hit].to_numpy()})


def main_and_also(
    point_ids: pd.Series, held: pd.DataFrame, units: np.ndarray, in_main_above: np.ndarray | None = None
) -> tuple[pd.Series, list[list[str]]]:
    """Each item's main unit and its other units (see the module's rule).

    ``point_ids``: the unit at each item's point (positions 0..n-1); ``held``: (item, cell) pairs
    (:func:`held_cells`); ``units``: each pair's cell's unit at this level; ``in_main_above``: whether
    each pair's cell lies in its item's main unit at the level above (only those count for the main
    unit, while the item has any).

    Examples
    --------
    >>> held = pd.DataFrame({"item": [0, 0, 0, 1], "cell": list("abcd")})
    >>> main, also = main_and_also(pd.Series(["B", "C"]), held, np.array(["A", "A", "B", "unassigned"]))
    >>> main.tolist(), also
    (['A', 'C'], [['B'], []])
    """
    main = point_ids.astype(object).to_numpy().copy()
    also: list[list[str]] = [[] for _ in range(len(main))]
    pairs = pd.DataFrame({"item": held["item"].to_numpy(), "unit": np.asarray(units, dtype=object)})
    pairs["inside"] = True if in_main_above is None else np.asarray(in_main_above, dtype=bool)
    pairs = pairs[pairs["unit"] != UNASSIGNED]
    if not len(pairs):
        return pd.Series(main, index=point_ids.index, dtype=object), also
    # the cells that count: those inside the item's main unit above, while it has any (one pass each)
    any_inside = pairs.groupby("item")["inside"].transform("any").to_numpy()
    counts = pairs[pairs["inside"].to_numpy() | ~any_inside].groupby(["item", "unit"]).size()
    counts = counts.rename("cells").reset_index()
    counts["other"] = counts["unit"].to_numpy() != main[counts["item"].to_numpy()]  # ties: its point's
    best = counts.sort_values(["item", "cells", "other", "unit"], ascending=[True, False, True, True])
    best = best.drop_duplicates("item")
    main[best["item"].to_numpy()] = best["unit"].to_numpy()
    spanned = pairs[["item", "unit"]].drop_duplicates()
    spanned = spanned[spanned["unit"].to_numpy() != main[spanned["item"].to_numpy()]]
    spanned = spanned.sort_values(["item", "unit"])
    items, starts = np.unique(spanned["item"].to_numpy(), return_index=True)
    groups = np.split(spanned["unit"].to_numpy(), starts[1:]) if len(items) else []
    for item, names in zip(items, groups, strict=True):
        also[int(item)] = [str(name) for name in names]
    return pd.Series(main, index=point_ids.index, dtype=object), also
