"""How irregular the buildings around a cell are: what separates an informal settlement from a planned
row-house quarter of the same density.

Dense formal fabric (Baltimore's row houses: equal lots, party walls, a street grid with back alleys)
reaches the coverage, footprint size and alley density of an urban village, so the form metrics of
:mod:`urbanrisk.screens.urban_villages` alone flag it. What differs is order. Studies that detect
informal settlements from building footprints measure it per neighbourhood as (Kuffer, Pfeffer and
Sliuzas 2016, *Remote Sensing* 8(6), "Slums from space"; Taubenböck, Kraff and Wurm 2018, *Applied
Geography* 92; Wurm, Taubenböck et al. 2017 on orientation and size heterogeneity; Boeing 2019,
*Applied Network Science* 4, for orientation order):

- **orientation disorder**: each building's orientation is the direction of its minimum rotated
  rectangle's long side, folded four times (a grid's two axes are one order); the alignment is the
  mean resultant length of those directions (1: every building on one grid, ~0: random), corrected for
  the sample's size (``n R² - 1) / (n - 1)``: a handful of random buildings is not "aligned"), and the
  disorder is 1 - alignment;
- **size variation**: the coefficient of variation of footprint areas (row houses on equal lots: low);
- **shape irregularity**: 1 - the mean rectangularity (footprint / its minimum rotated rectangle).

Each is scaled to 0-1 between a planned and an informal reference (:data:`IRREGULARITY_REFERENCES`)
and their weighted mean (:data:`IRREGULARITY_WEIGHTS`) is the cell's irregularity. Buildings count in
the cell of their representative point and are pooled over the cell's disk (the cell and one ring),
so that a cell of a few buildings is judged with its neighbours. Every measure is per building (no
pair of buildings), so buildings held in partitions are read one partition at a time.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from ..cell_disks import cell_ints, disk_pairs
from ..grid import cell_ints_to_str, points_to_cells

#: (planned, informal) reference values of each measure: below the first it scores 0, above the second 1.
IRREGULARITY_REFERENCES = {
    "orientation_disorder": (0.1, 0.5),
    "size_variation": (0.4, 1.0),
    "shape_irregularity": (0.05, 0.25),
}
IRREGULARITY_WEIGHTS = {"orientation_disorder": 0.6, "size_variation": 0.2, "shape_irregularity": 0.2}
#: Per-cell sums of the buildings' measures (pooled over disks before the ratios are taken).
SUMS = ("n", "c4", "s4", "area", "area2", "rect")


def building_measures(buildings_utm: np.ndarray) -> pd.DataFrame:
    """Per building (projected, metres): its four-fold orientation (cos 4θ, sin 4θ), its footprint
    area and its rectangularity (area / minimum rotated rectangle's area), all at once."""
    n = len(buildings_utm)
    if not n:
        return pd.DataFrame({name: np.zeros(0) for name in ("c4", "s4", "area", "rect")})
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
            "c4": np.cos(4 * theta),
            "s4": np.sin(4 * theta),
            "area": area,
            "rect": np.clip(rectangularity, 0, 1),
        }
    )


def cell_sums(frames: Iterable[gpd.GeoDataFrame], cells: pd.Index, utm_crs: str) -> pd.DataFrame:
    """Sums of the buildings' measures per cell of ``cells`` (each building in the cell of its
    representative point; buildings elsewhere are skipped), over frames read one at a time."""
    resolution = h3.get_resolution(cells[0]) if len(cells) else 0
    wanted = np.sort(cell_ints(list(cells)))
    pieces = []
    for frame in frames:
        if frame is None or not len(frame):
            continue
        points = shapely.point_on_surface(frame.geometry.to_numpy())
        ints = points_to_cells(shapely.get_x(points), shapely.get_y(points), resolution)
        at = np.minimum(np.searchsorted(wanted, ints), len(wanted) - 1)
        inside = wanted[at] == ints
        if not inside.any():
            continue
        projected = frame.geometry[inside].to_crs(utm_crs).to_numpy()
        measures = building_measures(projected).assign(cell=ints[inside], n=1.0)
        measures["area2"] = measures["area"] ** 2
        pieces.append(measures.groupby("cell")[list(SUMS)].sum())
    if not pieces:
        return pd.DataFrame(0.0, index=cells, columns=list(SUMS))
    sums = pd.concat(pieces).groupby(level=0).sum()
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
    """From pooled sums: the raw measures, each scaled 0-1, and the weighted irregularity (NaN where
    fewer than two buildings were pooled)."""
    n = totals["n"].where(totals["n"] >= 2)
    resultant2 = (totals["c4"] ** 2 + totals["s4"] ** 2) / n**2
    alignment = np.sqrt(((n * resultant2 - 1) / (n - 1)).clip(lower=0.0))
    mean = totals["area"] / n
    spread = np.sqrt((totals["area2"] / n - mean**2).clip(lower=0.0))
    raw = pd.DataFrame(
        {
            "orientation_disorder": 1.0 - alignment,
            "size_variation": spread / mean.where(mean > 0),
            "shape_irregularity": 1.0 - totals["rect"] / n,
        },
        index=totals.index,
    )
    out = pd.DataFrame(index=totals.index)
    for name, (planned, informal) in IRREGULARITY_REFERENCES.items():
        out[f"uv_{name}"] = ((raw[name] - planned) / (informal - planned)).clip(0.0, 1.0)
    out["uv_irregularity"] = sum(IRREGULARITY_WEIGHTS[k] * out[f"uv_{k}"] for k in IRREGULARITY_WEIGHTS)
    return out
