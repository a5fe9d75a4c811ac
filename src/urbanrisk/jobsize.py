"""How big a job is before any data is read: H3 cells and memory from an area, and the refusal of an
absurd one. Light on purpose (h3 and pyproj only): ``urbanrisk validate`` uses it.
"""

from __future__ import annotations

import itertools
import math

import h3
from pyproj import Geod

from . import settings
from ._errors import GridError

_GEOD = Geod(ellps="WGS84")


def bbox_km2(bounds: tuple[float, float, float, float]) -> float:
    """Geodesic area of a lon/lat box ``(minlon, minlat, maxlon, maxlat)`` in km².

    Examples
    --------
    >>> round(bbox_km2((116.0, 39.6, 116.8, 40.2)))
    4558
    >>> round(bbox_km2((-180, -90, 180, 90)) / 1e6)  # the whole Earth, million km²
    510
    """
    minx, miny, maxx, maxy = bounds
    total = 0.0
    steps = max(1, math.ceil((maxx - minx) / 90))  # strips under 180° wide: the short way round is wrong
    edges = [minx + (maxx - minx) * i / steps for i in range(steps + 1)]
    for west, east in itertools.pairwise(edges):
        area, _ = _GEOD.polygon_area_perimeter([west, east, east, west], [miny, miny, maxy, maxy])
        total += abs(area)
    return total / 1e6


def check_job(km2: float, resolution: int, *, force: bool = False, max_cells: int | None = None) -> int:
    """Estimate the cell count of an area of ``km2`` and refuse an absurd job unless forced.

    Returns
    -------
    int
        The estimated number of cells.

    Raises
    ------
    GridError
        When the estimate exceeds ``max_cells`` (default :data:`urbanrisk.settings.max_cells`).
    """
    limit = settings.max_cells if max_cells is None else max_cells
    estimate = max(1, math.ceil(km2 / h3.average_hexagon_area(resolution, unit="km^2")))
    if estimate > limit and not force:
        fits = next(
            (r for r in range(resolution, -1, -1) if km2 / h3.average_hexagon_area(r, unit="km^2") <= limit),
            0,
        )
        fit_cells = math.ceil(km2 / h3.average_hexagon_area(fits, unit="km^2"))
        gigabytes = estimate * settings.bytes_per_cell / 1e9
        msg = (
            f"resolution {resolution} over {km2:,.0f} km² makes about {estimate:,} H3 cells "
            f"(~{gigabytes:,.0f} GB of memory), more than the limit of {limit:,}: use resolution "
            f"{fits} or coarser here (about {fit_cells:,} cells), or force it with --force "
            "/ grid: {force: true}"
        )
        raise GridError(msg)
    return estimate
