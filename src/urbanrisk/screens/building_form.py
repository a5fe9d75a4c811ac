"""How irregular the buildings around a cell are: what separates an informal settlement from a planned
row-house quarter of the same density.

Dense formal fabric (Baltimore's row houses: equal lots, party walls, a street grid with back alleys)
reaches the coverage, footprint size and alley density of an urban village, so the form metrics of
:mod:`urbanrisk.screens.urban_villages` alone flag it. What differs is order. Studies that detect
informal settlements from building footprints measure it per neighbourhood as (Kuffer, Pfeffer and
Sliuzas 2016, *Remote Sensing* 8(6), "Slums from space"; Taubenböck, Kraff and Wurm 2018, *Applied
Geography* 92; Wurm, Taubenböck et al. 2017 on orientation and size heterogeneity; Boeing 2019,
*Applied Network Science* 4, for orientation order):

- **neighbour misalignment**: each building's orientation is the direction of its minimum rotated
  rectangle's long side; for each pair of buildings within :data:`NEIGHBOUR_M` of each other the
  misalignment is sin²(2Δθ) (0 for parallel or perpendicular neighbours: one grid; 1 at 45°; a random
  jumble averages 0.5), averaged over the pairs. Local, not one orientation for the whole
  neighbourhood: a planned estate laid out on two grids (Baltimore's McHenry Pointe) is aligned row by
  row, and a single resultant orientation called it disordered (irregularity 0.8; 0.2 now);
- **size variation**: the coefficient of variation of footprint areas (row houses on equal lots: low);
- **shape irregularity**: 1 - the mean rectangularity (footprint / its minimum rotated rectangle).

Each is scaled to 0-1 between a planned and an informal reference (:data:`IRREGULARITY_REFERENCES`)
and their weighted mean (:data:`IRREGULARITY_WEIGHTS`) is the cell's irregularity. Buildings count in
the cell of their representative point and are pooled over the cell's disk (the cell and one ring),
so that a cell of a few buildings is judged with its neighbours.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from ..cell_disks import cell_ints, disk_pairs
from ..grid import cell_ints_to_str, points_to_cells

#: (planned, informal) reference values of each measure: below the first it scores 0, above the second 1.
IRREGULARITY_REFERENCES = {
    "neighbour_misalignment": (0.1, 0.35),
    "size_variation": (0.4, 1.0),
    "shape_irregularity": (0.05, 0.25),
}
IRREGULARITY_WEIGHTS = {"neighbour_misalignment": 0.6, "size_variation": 0.2, "shape_irregularity": 0.2}
#: Per-cell sums of the buildings' measures (pooled over disks before the ratios are taken).
SUMS = ("n", "mis", "pairs", "area", "area2", "rect")
#: Buildings this close (metres, wall to wall) are neighbours whose orientations are compared.
NEIGHBOUR_M = 10.0


def building_measures(buildings_utm: np.ndarray) -> pd.DataFrame:
    """Per building (projected, metres): its orientation θ (radians, its minimum rotated rectangle's
    long side), its footprint area and its rectangularity (area / that rectangle's area), all at once."""
    n = len(buildings_utm)
    if not n:
        return pd.DataFrame({name: np.zeros(0) for name in ("theta", "area", "rect")})
    rect = shapely.oriented_envelope(buildings_utm)
    area = shapely.area(buildings_utm)
    rect_area = shapely.area(rect)
    corners = np.zeros((n, 3, 2))
    polygon = shapely.get_type_id(rect) == 3  # a degenerate footprint's envelope is a line or a point
    ring = shapely.get_coordinates(shapely.get_exterior_ring(rect[polygon]))
    corners[polygon] = ring.reshape(-1, 5, 2)[:, :3]
    first, second = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 1]
    longer = np.where((np.hypot(*first.T) >= np.hypot(*second.T))[:, None], first, second)
    theta = np.arctan2(longer[:, 1], longer[:, 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        rectangularity = np.where(rect_area > 0, area / rect_area, 1.0)
    return pd.DataFrame(
        {
            "theta": theta,
            "area": area,
            "rect": np.clip(rectangularity, 0, 1),
        }
    )


def neighbour_misalignment(buildings_utm: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per building: the sum of sin²(2Δθ) over its neighbours within :data:`NEIGHBOUR_M`, and how
    many neighbours it has (all pairs at once, from one spatial index)."""
    n = len(buildings_utm)
    if not n:
        return np.zeros(0), np.zeros(0)
    first, second = shapely.STRtree(buildings_utm).query(
        buildings_utm, predicate="dwithin", distance=NEIGHBOUR_M
    )
    other = first != second
    first, second = first[other], second[other]
    misalignment = np.sin(2 * (theta[first] - theta[second])) ** 2
    return np.bincount(first, misalignment, minlength=n), np.bincount(first, minlength=n).astype(float)


def cell_sums(buildings: gpd.GeoDataFrame | None, cells: pd.Index, utm_crs: str) -> pd.DataFrame:
    """Sums of the buildings' measures per cell of ``cells`` (each building in the cell of its
    representative point; buildings elsewhere only count as neighbours)."""
    if buildings is None or not len(buildings) or not len(cells):
        return pd.DataFrame(0.0, index=cells, columns=list(SUMS))
    resolution = h3.get_resolution(cells[0])
    wanted = np.sort(cell_ints(list(cells)))
    points = shapely.point_on_surface(buildings.geometry.to_numpy())
    ints = points_to_cells(shapely.get_x(points), shapely.get_y(points), resolution)
    at = np.minimum(np.searchsorted(wanted, ints), len(wanted) - 1)
    inside = wanted[at] == ints
    projected = buildings.geometry.to_crs(utm_crs).to_numpy()
    measures = building_measures(projected)
    mis, pairs = neighbour_misalignment(projected, measures["theta"].to_numpy())
    measures = measures.assign(cell=ints, n=1.0, mis=mis, pairs=pairs, area2=measures["area"] ** 2)[inside]
    sums = measures.groupby("cell")[list(SUMS)].sum()
    sums.index = cell_ints_to_str(sums.index.to_numpy(dtype=np.uint64))
    return sums.reindex(cells).fillna(0.0)


def disk_totals(sums: pd.DataFrame, cells: pd.Index) -> pd.DataFrame:
    """The sums pooled over each of ``cells``' disks (the cell and one ring; cells without a row of
    ``sums`` add nothing)."""
    rows, neighbours = disk_pairs(list(cells), 1)
    known = np.asarray(cell_ints(list(sums.index)))
    order = np.argsort(known)
    at = np.minimum(np.searchsorted(known[order], neighbours), max(len(known) - 1, 0))
    found = (known[order][at] == neighbours) if len(known) else np.zeros(len(neighbours), dtype=bool)
    values = sums.to_numpy()[order[at[found]]]
    totals = np.zeros((len(cells), len(SUMS)))
    np.add.at(totals, rows[found], values)
    return pd.DataFrame(totals, index=cells, columns=list(SUMS))


def irregularity(totals: pd.DataFrame) -> pd.DataFrame:
    """From pooled sums: each measure scaled 0-1 and the weighted irregularity (NaN where fewer than
    two buildings were pooled; the misalignment NaN, and left out, where no building has a neighbour)."""
    n = totals["n"].where(totals["n"] >= 2)
    mean = totals["area"] / n
    spread = np.sqrt((totals["area2"] / n - mean**2).clip(lower=0.0))
    raw = pd.DataFrame(
        {
            "neighbour_misalignment": (totals["mis"] / totals["pairs"].where(totals["pairs"] > 0)).where(
                n.notna()
            ),
            "size_variation": spread / mean.where(mean > 0),
            "shape_irregularity": 1.0 - totals["rect"] / n,
        },
        index=totals.index,
    )
    out = pd.DataFrame(index=totals.index)
    for name, (planned, informal) in IRREGULARITY_REFERENCES.items():
        out[f"uv_{name}"] = ((raw[name] - planned) / (informal - planned)).clip(0.0, 1.0)
    weights = pd.DataFrame(
        {k: np.where(out[f"uv_{k}"].notna(), w, 0.0) for k, w in IRREGULARITY_WEIGHTS.items()},
        index=out.index,
    )
    weighted = sum(weights[k] * out[f"uv_{k}"].fillna(0.0) for k in IRREGULARITY_WEIGHTS)
    out["uv_irregularity"] = (weighted / weights.sum(axis=1)).where(n.notna())
    return out
