"""The display aggregation of large grids: coarser parent cells, each with its riskiest child.

The map shows the grid itself up to :data:`urbanrisk.settings.max_map_cells` cells; beyond, H3
parents coarse enough to stay under that number. :func:`display_rows` reduces one partition of the
grid (run by the Dask task that writes the partition), :func:`merge_display` merges the partitions'
rows (a parent that straddles partitions is reduced again), so the map is assembled from the
parts; :func:`display_grid` is the same two steps on a whole grid.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from .. import settings
from ..cell_disks import cell_parents
from ..grid import cells_to_polygons

#: Columns a parent shows summed over its children (the rest come from its riskiest child).
SUMMED = ["residents", "buildings", "crowd_places", "vulnerable_sites", "footprint_m2", "cell_area_m2"]
#: Counts a parent sums over its children when the grid says which cells' residents are unknown.
COUNTED = ["cells_residents_unknown", "display_children"]
CHILD = "_child"
#: The ends of the grid's columns a cell's tooltip shows per standard (travel, its lower bound, covered).
TRAVEL_TIPS = ("_travel", "_travel_at_least", "_covered")
#: The grid's columns a map cell's tooltip shows (and each standard's ``<name>_travel``, ``_covered``).
TIP_COLUMNS = (
    "grade",
    "risk",
    "hazard_exposure",
    "vulnerability",
    "lack_of_coping",
    "factors",
    "unknown",
    "residents",
    "buildings",
    "coverage_ratio",
    "crowd_places",
    "vulnerable_sites",
    "known_residents",
    *COUNTED,
)


def map_columns(columns: pd.Index) -> list[str]:
    """The columns of ``columns`` the map reads (tooltips, grade, sums), in their order: the display
    rows keep only these (the grid's ~100 columns made the reduction 4 s of a 32 x 32 write)."""
    return [c for c in columns if c in TIP_COLUMNS or c in SUMMED or c in COUNTED or c.endswith(TRAVEL_TIPS)]


def display_resolution(cells: int, resolution: int, max_cells: int | None = None) -> int | None:
    """The parent resolution the map shows ``cells`` cells of ``resolution`` at; None: the cells.

    Examples
    --------
    >>> display_resolution(100, 10, 1_000) is None, display_resolution(29_382, 10, 20_000)
    (True, 9)
    """
    limit = settings.max_map_cells if max_cells is None else max_cells
    if cells <= limit:
        return None
    parent_res = resolution
    while parent_res > 0 and cells / 7 ** (resolution - parent_res) > limit:
        parent_res -= 1
    return parent_res


def _reduce(frame: pd.DataFrame, parents: pd.Index, children: pd.Index) -> pd.DataFrame:
    """Per parent (sorted): the row of its riskiest child (unknown risk last, ties to the smaller
    cell id: one choice however the rows are split) with the child's id in ``_child``, and the
    sums of :data:`SUMMED` over all its children. Only the chosen rows are copied."""
    parent_codes, parent_ids = pd.factorize(parents, sort=True)
    child_codes, _ = pd.factorize(children, sort=True)
    risk = -frame["risk"].to_numpy(dtype=float)
    order = np.lexsort((child_codes, np.where(np.isnan(risk), np.inf, risk), parent_codes))
    first = order[np.r_[True, parent_codes[order][1:] != parent_codes[order][:-1]]]
    geometry = [frame.geometry.name] if isinstance(frame, gpd.GeoDataFrame) else []
    summed = [*SUMMED, *(c for c in COUNTED if c in frame.columns)]
    worst = pd.DataFrame(frame.iloc[first]).drop(columns=[*summed, *geometry])
    worst.index = pd.Index(parent_ids, name=frame.index.name)
    worst[CHILD] = np.asarray(children)[first]
    sums = frame[summed].groupby(parent_codes).sum()
    sums.index = worst.index
    return worst.join(sums)


def display_rows(grid: pd.DataFrame, parent_res: int) -> pd.DataFrame:
    """One partition's parents: the riskiest child's row (its id in ``_child``) and the children's
    sums, of the columns the map reads (:func:`map_columns`)."""
    parents = pd.Index(cell_parents(grid.index, parent_res))
    frame = pd.DataFrame(grid[map_columns(grid.columns)])
    if "known_residents" in frame.columns:  # a parent counts its children of unknown residents
        frame["cells_residents_unknown"] = (~frame.pop("known_residents").astype(bool)).astype(np.int64)
        frame["display_children"] = np.int64(1)
    return _reduce(frame, parents, grid.index)


def merge_display(parts: list[pd.DataFrame], crs: object) -> gpd.GeoDataFrame:
    """The display grid from the partitions' :func:`display_rows` (parents reduced again)."""
    frame = pd.concat(parts)
    if frame.index.has_duplicates:  # a parent straddling partitions: worst of the worst, sums of sums
        frame = _reduce(frame.drop(columns=CHILD), frame.index, pd.Index(frame[CHILD]))
    shown = frame.drop(columns=CHILD).sort_index()
    shown["coverage_ratio"] = shown["footprint_m2"] / shown["cell_area_m2"]
    if "cells_residents_unknown" in shown.columns:  # grey (unknown) where most children are unknown
        shown["known_residents"] = 2 * shown["cells_residents_unknown"] <= shown["display_children"]
    return gpd.GeoDataFrame(shown, geometry=cells_to_polygons(list(shown.index)), crs=crs)


def display_note(cells: int, shown: int, resolution: int, parent_res: int) -> str:
    """What the map says when it shows parents."""
    return (
        f"{cells:,} cells are too many for a smooth map: shown as {shown:,} H3 r{parent_res} "
        f"cells, each with the grade of its riskiest r{resolution} cell (full detail in the grid/ dataset)"
    )


def display_grid(grid: gpd.GeoDataFrame, max_cells: int | None = None) -> tuple[gpd.GeoDataFrame, str]:
    """The grid as the map shows it: itself, or coarser parent cells when it has too many cells.

    Each parent shows its riskiest child (grade, dimensions, factors) and the sums of residents,
    buildings, crowd places and vulnerable sites of all its children; the note says so. Where the
    grid says which cells' residents are unknown, a parent counts them (``cells_residents_unknown``
    of ``display_children``): its residents are then a lower bound, and unknown (``known_residents``
    false, grey on the residents view) where most of its children are.
    """
    if "grade" not in grid.columns or not len(grid):
        return grid, ""
    resolution = h3.get_resolution(grid.index[0])
    parent_res = display_resolution(len(grid), resolution, max_cells)
    if parent_res is None:
        return grid, ""
    out = merge_display([display_rows(grid, parent_res)], grid.crs)
    return out, display_note(len(grid), len(out), resolution, parent_res)
