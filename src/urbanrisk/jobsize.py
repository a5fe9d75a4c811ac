"""How big a job is before any data is read: H3 cells and memory from an area, and the refusal of an
absurd one. Light on purpose (h3 and pyproj only): ``urbanrisk validate`` uses it.
"""

from __future__ import annotations

import itertools
import math
import os

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
    >>> bbox_km2((179.5, 0, -179.5, 1)) == bbox_km2((179.5, 0, 180.5, 1))  # minlon > maxlon: across 180°
    True
    """
    minx, miny, maxx, maxy = bounds
    if maxx < minx:
        maxx += 360.0
    total = 0.0
    steps = max(1, math.ceil((maxx - minx) / 90))  # strips under 180° wide: the short way round is wrong
    edges = [minx + (maxx - minx) * i / steps for i in range(steps + 1)]
    for west, east in itertools.pairwise(edges):
        area, _ = _GEOD.polygon_area_perimeter([west, east, east, west], [miny, miny, maxy, maxy])
        total += abs(area)
    return total / 1e6


#: The neighbourhood radius of the disk sums (:data:`urbanrisk.grade.NEIGHBOURHOOD_M`).
NEIGHBOURHOOD_M = 100.0


def bytes_per_cell(resolution: int) -> int:
    """Memory a run needs per cell at ``resolution`` (an upper bound of measured peaks), bytes.

    Examples
    --------
    >>> [round(bytes_per_cell(r) / 1e3) for r in (9, 12, 13, 14)]  # kB
    [13, 45, 228, 1557]
    """
    edge = h3.average_hexagon_edge_length(resolution, unit="m")
    k = max(1, round(NEIGHBOURHOOD_M / edge))
    return settings.bytes_per_cell + settings.bytes_per_disk_cell * (3 * k * k + 3 * k + 1)


def job_bytes(cells: int, resolution: int) -> int:
    """Memory a run of ``cells`` cells at ``resolution`` needs (:data:`urbanrisk.settings.bytes_per_cell`)."""
    return settings.run_base_bytes + cells * bytes_per_cell(resolution)


def available_memory() -> int | None:
    """Bytes of memory available to a new job now (MemAvailable), or None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


#: Mean half-width of a regular hexagon in edge lengths (its mean caliper diameter 6e/π, halved): a
#: grid of cells overlapping an area holds the cells whose centre lies within the area grown by it.
HALF_WIDTH_EDGES = 3.0 / math.pi


def local_terms(bounds: tuple[float, float, float, float], resolution: int) -> tuple[float, float]:
    """(geodesic perimeter in km, local ÷ average H3 cell area) of a box up to 10° across; (0, 1) beyond.

    A city's grid holds the cells overlapping its area: the boundary band adds many cells to a small
    area, and H3 cells near a place differ from the average by up to a factor of two.

    Examples
    --------
    >>> perimeter, ratio = local_terms((116.34886, 39.95668, 116.35519, 39.96377), 11)
    >>> round(perimeter, 2), round(ratio, 2)
    (2.66, 0.71)
    >>> local_terms((-180, -90, 180, 90), 1)
    (0.0, 1.0)
    """
    minx, miny, maxx, maxy = bounds
    if maxx < minx:
        maxx += 360.0
    if maxx - minx > 10 or maxy - miny > 10:
        return 0.0, 1.0
    _, perimeter = _GEOD.polygon_area_perimeter([minx, maxx, maxx, minx], [miny, miny, maxy, maxy])
    lon = ((minx + maxx) / 2 + 180.0) % 360.0 - 180.0
    local = h3.cell_area(h3.latlng_to_cell((miny + maxy) / 2, lon, resolution), unit="km^2")
    return abs(perimeter) / 1e3, local / h3.average_hexagon_area(resolution, unit="km^2")


def _cells(km2: float, resolution: int, perimeter_km: float = 0.0, area_ratio: float = 1.0) -> int:
    cell = h3.average_hexagon_area(resolution, unit="km^2") * area_ratio
    if not perimeter_km:
        return max(1, math.ceil(km2 / cell))
    edge = math.sqrt(2.0 * cell / (3.0 * math.sqrt(3.0)))
    return max(1, math.ceil((km2 + perimeter_km * HALF_WIDTH_EDGES * edge + cell) / cell))


def check_job(
    km2: float,
    resolution: int,
    *,
    force: bool = False,
    max_cells: int | None = None,
    memory: int | None = None,
    terms: tuple[float, float] = (0.0, 1.0),
) -> int:
    """Estimate the cell count of an area of ``km2`` and refuse an absurd job unless forced.

    ``terms``: the area's :func:`local_terms` (perimeter, local cell area ratio) for a city-sized area.

    A job is absurd when it makes more than ``max_cells`` cells, or needs more than
    :data:`~urbanrisk.settings.max_memory_share` of ``memory`` (default: what is available now) at
    :func:`bytes_per_cell` of its resolution.

    Returns
    -------
    int
        The estimated number of cells.

    Raises
    ------
    GridError
        When the job is too big, with the resolution that fits, or how to force it.
    """
    limit = settings.max_cells if max_cells is None else max_cells
    memory = available_memory() if memory is None else memory
    budget = memory * settings.max_memory_share if memory else float("inf")

    def fits(r: int) -> bool:
        return _cells(km2, r, *terms) <= limit and job_bytes(_cells(km2, r, *terms), r) <= budget

    estimate = _cells(km2, resolution, *terms)
    if force or fits(resolution):
        return estimate
    coarser = next((r for r in range(resolution, -1, -1) if fits(r)), 0)
    need = job_bytes(estimate, resolution) / 1e9
    have = f"{memory / 1e9:,.1f} GB available" if memory else "unknown memory"
    area = f"{km2:,.0f}" if km2 >= 1 else f"{km2:.2g}"  # a campus at r15 read "over 0 km²"
    msg = (
        f"resolution {resolution} over {area} km² makes about {estimate:,} H3 cells and needs about "
        f"{need:,.1f} GB of memory ({bytes_per_cell(resolution) / 1e3:,.0f} kB a cell; this machine has "
        f"{have}, the cell limit is {limit:,}): use resolution {coarser} or coarser here (about "
        f"{_cells(km2, coarser, *terms):,} cells), a smaller area, or force it with --force / "
        "grid: {force: true}"
    )
    raise GridError(msg)
