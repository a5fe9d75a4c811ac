"""Missing is not zero for exposure: how much of an impact circle has residents unknown, and what that
leaves of a grade.

A circle's exposure sums the residents of the cells it overlaps, each by the share of its area inside
the circle; a cell whose residents could not be measured (``known_residents`` false:
:func:`urbanrisk.completeness.measured_indicators`) adds only what was measured there (nothing outside a
population raster), so over such cells the sum is a lower bound, never a count. The rule (README):

- the **unknown share** of a circle is the share of the cells in its reach whose residents are
  unknown, each cell weighed as the exposure weighs it (by the share of its area inside the circle):
  about the share of the circle's area over the grid lying in such cells (H3 cells of a city differ
  in area by well under 1 %); a cell the circle only grazes counts for the part it overlaps, never
  for nothing (by cell centres it would);
- the part of a circle over no cell of the grid (beyond the study area's edge: nobody was counted
  there) is unknown too: the share is that part's share of the circle's area plus the rest's share of
  unknown cells (a part under :data:`OUTSIDE_MIN` of the circle, the rounding of a cell's area, is
  left out);
- with a share of 0 the count is exact; above 0 it is "≥ N" with the share named, and a grade made
  from it holds only when the most residents possible would not change it (the consequence or α is
  already the highest); otherwise the source is not graded (``no data``), its factors say why.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import geopandas as gpd
import h3
import numpy as np

from .. import settings
from ..circle_overlap import QUAD_SEGS
from ..result import NO_DATA
from ..wording import percent

#: the least share of a circle beyond the grid that counts as unknown (cells' areas are geodesic, the
#: circle's in UTM: up to ~0.2 % apart where nothing lies beyond)
OUTSIDE_MIN = 0.005


def outside_share(covered_m2: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Per circle: the share of its polygon (:data:`QUAD_SEGS` segments a quarter, as measured) over
    no cell of the grid, from the area of its cells inside it; 0 under :data:`OUTSIDE_MIN`.

    >>> r = np.array([100.0, 100.0, 100.0, 0.0])
    >>> area = 2 * QUAD_SEGS * 100.0**2 * math.sin(math.pi / (2 * QUAD_SEGS))
    >>> outside_share(np.array([area, area / 2, area * 0.999, 0.0]), r).round(3).tolist()
    [0.0, 0.5, 0.0, 0.0]
    """
    n = 4 * QUAD_SEGS
    circle = 0.5 * n * np.asarray(radii, dtype=float) ** 2 * math.sin(2 * math.pi / n)
    share = np.zeros(len(circle))
    np.divide(circle - np.asarray(covered_m2, dtype=float), circle, out=share, where=circle > 0)
    share = np.nan_to_num(share, nan=0.0)
    return np.where(share >= OUTSIDE_MIN, np.clip(share, 0.0, 1.0), 0.0)


def _cell_areas(grid: gpd.GeoDataFrame) -> np.ndarray:
    """The whole hexagons' areas (``cell_area_m2`` is a cell's part inside the study area: a circle
    reaching past the edge within an edge cell reads as inside, as it did before session 13)."""
    if "cell_area_m2" in grid.columns and "cell_inside_share" in grid.columns:
        share = np.maximum(grid["cell_inside_share"].to_numpy(dtype=float), settings.min_cell_inside_share)
        return grid["cell_area_m2"].to_numpy(dtype=float) / share
    if "cell_area_m2" in grid.columns:
        return grid["cell_area_m2"].to_numpy(dtype=float)
    return np.array([h3.cell_area(c, unit="m^2") for c in grid.index], dtype=float)


def exposure_and_shares(
    grid: gpd.GeoDataFrame,
    residents_known: np.ndarray | None,
    centres_utm: np.ndarray,
    radii: np.ndarray,
    utm_crs: str,
    *,
    exposed_of: Callable[..., np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Per circle (UTM centres and radii): the residents inside and the share (0-1) of its reach whose
    residents are unknown: its part beyond the grid (:func:`outside_share`), and of the rest the share
    of the cells (each by its part inside) whose residents are unknown.

    One pass of ``exposed_of`` (the exposure kernel, :func:`~urbanrisk.screens.hazard_sources.
    residents_in_circles` or its per-partition twin) sums four weights per cell at once: its
    residents, 1 if they are unknown, 1, its area. ``residents_known`` None: every cell's are known.
    """
    radii = np.asarray(radii, dtype=float)
    centres = np.asarray(centres_utm, dtype=float)
    if not len(radii) or not len(grid):
        return exposed_of(grid, centres, radii, utm_crs), np.ones(len(radii))  # nothing measured
    unknown = np.zeros(len(grid)) if residents_known is None else ~np.asarray(residents_known, dtype=bool)
    weights = np.column_stack(
        [grid["residents"].to_numpy(dtype=float), unknown, np.ones(len(grid)), _cell_areas(grid)]
    )
    sums = exposed_of(grid, centres, radii, utm_crs, weights=weights)
    inside = np.zeros(len(radii))
    np.divide(sums[:, 1], sums[:, 2], out=inside, where=sums[:, 2] > 0)
    beyond = outside_share(sums[:, 3], radii)
    return sums[:, 0], np.clip(beyond + (1.0 - beyond) * inside, 0.0, 1.0)


def bounded_grade(grade: str, highest: str, share: float) -> str:
    """A grade made from a lower bound: kept when the most residents possible give it too (``highest``,
    the grade at the highest consequence), else ``no data``.

    >>> bounded_grade("IV", "II", 0.0), bounded_grade("IV", "II", 0.2), bounded_grade("II", "II", 0.2)
    ('IV', 'no data', 'II')
    """
    return NO_DATA if share > 0 and grade != highest else grade


def share_words(share: float) -> str:
    """The unknown share in words, for a grade's factors.

    >>> share_words(0.25), share_words(0.001), share_words(1.0)
    ('25% of the area in reach has residents unknown', '<1% of the area in reach has residents unknown', \
'all the area in reach has residents unknown')
    """
    if share >= 1.0:
        return "all the area in reach has residents unknown"
    return f"{percent(share)} of the area in reach has residents unknown"


def factors_text(
    s: int, c: int, m: int, r: float, u: float, rad: float, v: int, b: int, grade: str, lowest: str
) -> str:
    """A source's grade in words (severity, consequence, score, residents, unknown share, radius,
    vulnerable sites, breaches, grade, and ``lowest``: the grade the residents counted give); with
    residents unknown in reach, the count and the grade as bounds; with nothing in reach measured, the
    residents unknown, what was counted their floor ("unknown (at least N)", as GB 18218's basis).

    >>> factors_text(2, 1, 2, 0.0, 0.9, 200.0, 0, 0, "no data", "IV")  # doctest: +NORMALIZE_WHITESPACE
    'severity 2 x consequence ≥ 1 = ≥ 2: ≥ 0 residents within 200 m (90% of the area in reach has
    residents unknown): not graded, IV or worse'
    >>> factors_text(2, 2, 4, 150.0, 0.0, 200.0, 1, 0, "III", "III")
    'severity 2 x consequence 2 = 4: 150 residents within 200 m; 1 vulnerable site(s)'
    >>> factors_text(2, 1, 2, 60.0, 1.0, 200.0, 0, 0, "no data", "IV")  # doctest: +NORMALIZE_WHITESPACE
    'severity 2 x consequence ≥ 1 = ≥ 2: residents within 200 m unknown (at least 60): not graded, IV or
    worse'
    >>> factors_text(2, 1, 2, 0.0, 1.0, 200.0, 0, 0, "no data", "IV")  # doctest: +NORMALIZE_WHITESPACE
    'severity 2 x consequence ≥ 1 = ≥ 2: residents within 200 m unknown (no population data in reach):
    not graded, IV or worse'
    """
    tail = (f"; {v} vulnerable site(s)" if v else "") + (f"; {b} standard(s) breached" if b else "")
    if not u > 0:
        return f"severity {s} x consequence {c} = {m}: {r:,.0f} residents within {rad:.0f} m{tail}"
    verdict = ": the grade holds whatever they are"
    if grade == NO_DATA:
        verdict = f": not graded, {lowest} or worse"
    if u >= 1.0:  # nothing in reach measured: unknown, what was counted its floor (GB 18218's words)
        floor = f"at least {r:,.0f}" if round(r) > 0 else "no population data in reach"
        head = f"severity {s} x consequence ≥ {c} = ≥ {m}: residents within {rad:.0f} m unknown"
        return f"{head} ({floor}){verdict}{tail}"
    return (
        f"severity {s} x consequence ≥ {c} = ≥ {m}: ≥ {r:,.0f} residents within {rad:.0f} m "
        f"({share_words(u)}){verdict}{tail}"
    )
