"""Missing is not zero for exposure: how much of an impact circle has residents unknown, and what that
leaves of a grade.

A circle's exposure sums the residents of the cells it covers; a cell whose residents could not be
measured (``known_residents`` false: :func:`urbanrisk.completeness.measured_indicators`) adds nothing,
so over such cells the sum is a lower bound, never a count. The rule (documented in README):

- the **unknown share** of a circle is the share of the grid's cells whose centre lies inside it (the
  nearest cell when no centre does: a circle smaller than a cell) that have residents unknown;
- with a share of 0 the count is exact; above 0 it is "≥ N" with the share named, and a grade made
  from it holds only when the most residents possible would not change it (the consequence or α is
  already the highest); otherwise the source is not graded (``no data``), its factors say why.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from scipy.spatial import cKDTree

from ..grade import cell_centres_xy


def unknown_shares(
    grid: gpd.GeoDataFrame,
    residents_known: np.ndarray | None,
    centres_utm: np.ndarray,
    radii: np.ndarray,
    utm_crs: str,
) -> np.ndarray:
    """Per circle (UTM centres and radii): the share (0-1) of its cells whose residents are unknown.

    All zeros when ``residents_known`` is None (no flags given) or every cell's residents are known.
    """
    radii = np.asarray(radii, dtype=float)
    shares = np.zeros(len(radii))
    if residents_known is None or not len(radii) or not len(grid):
        return shares
    unknown = ~np.asarray(residents_known, dtype=bool)
    if not unknown.any():
        return shares
    tree = cKDTree(cell_centres_xy(grid.index, utm_crs))
    centres = np.asarray(centres_utm, dtype=float)
    for i, (centre, radius) in enumerate(zip(centres, radii, strict=True)):
        inside = tree.query_ball_point(centre, radius)
        if not inside:  # a circle smaller than a cell: the cell it lies in (the nearest centre)
            inside = [int(tree.query(centre)[1])]
        shares[i] = float(unknown[inside].mean())
    return shares


def share_words(share: float) -> str:
    """The unknown share in words, for a grade's factors.

    >>> share_words(0.25), share_words(1.0)
    ('25% of the cells in reach have residents unknown', 'every cell in reach has residents unknown')
    """
    if share >= 1.0:
        return "every cell in reach has residents unknown"
    return f"{share:.0%} of the cells in reach have residents unknown"
