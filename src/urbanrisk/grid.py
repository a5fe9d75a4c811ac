"""The H3 grid: cells over the study area, their polygons, and partitions by parent cell.

Every cell that overlaps the study area belongs to the grid, so that everything inside the area
(people, buildings, points) falls in some cell and totals are conserved.

Examples
--------
>>> from shapely.geometry import box
>>> cells = cells_from_area(box(116.30, 39.99, 116.31, 40.00), 9)
>>> len(cells) > 0 and all(h3.get_resolution(c) == 9 for c in cells)
True
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import geopandas as gpd
import h3
import h3ronpy
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from h3ronpy.vector import cells_to_coordinates, cells_to_wkb_polygons, coordinates_to_cells
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from . import jobsize, settings
from ._errors import GridError, RecipeError
from ._malloc import fix_mmap_threshold
from .antimeridian import split_at_antimeridian

INDEX_NAME = "h3_cell"
_GEOD = Geod(ellps="WGS84")


def area_km2(area: BaseGeometry) -> float:
    """Geodesic area of a lon/lat geometry in km², summed over strips under 90° of longitude.

    A ring spanning more than 180° of longitude has edges that the geodesic takes the short way round:
    the whole-Earth box measured 0 km² (and -179..179° 2.8 M km²), so the run's job-size guard let a
    resolution-15 world grid through to a MemoryError.

    >>> round(area_km2(shapely.box(-180, -90, 180, 90)) / 1e6)  # the whole Earth, million km²
    510
    >>> round(area_km2(shapely.box(116, 39.6, 116.8, 40.2)))
    4558
    >>> hole = shapely.box(0.03, 0.03, 0.07, 0.07).exterior  # counter-clockwise, as the exterior
    >>> holed = shapely.Polygon(shapely.box(0, 0, 0.1, 0.1).exterior, [hole])
    >>> round(area_km2(holed), 1)  # the hole taken out, however its ring turns (it was added: 142.8)
    103.4
    """
    area = shapely.orient_polygons(area)  # holes clockwise: pyproj added the area of a hole that is not
    minx, _, maxx, _ = area.bounds
    if maxx - minx <= 90:
        return abs(_GEOD.geometry_area_perimeter(area)[0]) / 1e6
    steps = int(np.ceil((maxx - minx) / 90))
    edges = np.linspace(minx, maxx, steps + 1)
    parts = [area.intersection(shapely.box(w, -90, e, 90)) for w, e in itertools.pairwise(edges)]
    return sum(abs(_GEOD.geometry_area_perimeter(part)[0]) for part in parts if not part.is_empty) / 1e6


def check_job(
    area: BaseGeometry, resolution: int, *, force: bool = False, max_cells: int | None = None
) -> int:
    """Estimate the cell count of ``area`` and refuse an absurd job unless forced.

    See :func:`urbanrisk.jobsize.check_job`, which does the same from an area in km².

    Examples
    --------
    >>> from shapely.geometry import box
    >>> check_job(box(116.0, 39.6, 116.8, 40.2), 9)  # Beijing's core at ~0.1 km² cells: 61,232 made
    61281
    >>> check_job(box(116.0, 39.6, 116.8, 40.2), 15)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    urbanrisk._errors.GridError: resolution 15 over 4,558 km² makes about 7,140,794,156 H3 cells ...
    """
    terms = jobsize.local_terms(area.bounds, resolution)
    if terms[0]:  # the boundary band: the area's own perimeter, as validate takes it (its box's overcounted
        # two disjoint squares 2.1x at r7, and the run refused jobs validate passed)
        terms = (_GEOD.geometry_length(area.boundary) / 1e3, terms[1])  # every ring, holes' too
    return jobsize.check_job(area_km2(area), resolution, force=force, max_cells=max_cells, terms=terms)


def fix_allocator_for(area: BaseGeometry, resolution: int) -> bool:
    """Fix glibc's mmap threshold (:func:`urbanrisk._malloc.fix_mmap_threshold` at
    :data:`~urbanrisk.settings.mmap_threshold_bytes`) for a job of at least
    :data:`~urbanrisk.settings.mmap_threshold_min_cells` cells; True when set.

    Large arrays a stage frees then go back to the system (the 32 x 32 metropolis: ~450 MB lower
    peak) at the cost of a mapping per allocation (~9 % more CPU seconds there, ~26 % on 29k cells,
    where memory is no concern: smaller jobs keep glibc's own threshold).
    """
    if settings.mmap_threshold_bytes is None:
        return False
    if check_job(area, resolution, force=True) < settings.mmap_threshold_min_cells:
        return False
    return fix_mmap_threshold(settings.mmap_threshold_bytes)


def cells_from_area(area: BaseGeometry, resolution: int) -> list[str]:
    """H3 cells of ``resolution`` that overlap ``area`` (lon/lat), sorted."""
    if area.is_empty:
        msg = "the study area is empty: check area: in the recipe"
        raise GridError(msg)
    # H3 fills a polygon the short way round the globe: wider than 180° of longitude it would fill the
    # rest of the world instead, so the area is filled in strips at most 60° wide
    minx, miny, maxx, maxy = area.bounds
    steps = max(1, int(np.ceil((maxx - minx) / 60)))
    cells: set[str] = set()
    for i in range(steps):
        west, east = minx + (maxx - minx) * i / steps, minx + (maxx - minx) * (i + 1) / steps
        part = area if steps == 1 else shapely.intersection(area, shapely.box(west, miny, east, maxy))
        if not part.is_empty:
            shape = h3.geo_to_h3shape(part)
            cells.update(h3.h3shape_to_cells_experimental(shape, resolution, contain="overlap"))
    return sorted(cells)


def cells_to_polygons(cells: list[str] | pd.Index) -> np.ndarray:
    """Shapely polygons (lon/lat) of H3 cells, vectorised through h3ronpy; a cell crossing 180° is split
    there into two parts in [-180, 180] (:func:`urbanrisk.antimeridian.split_at_antimeridian`)."""
    ints = cell_str_to_ints(cells)
    wkb = cells_to_wkb_polygons(ints).to_pylist() if len(ints) else []
    return split_at_antimeridian(shapely.from_wkb(np.asarray(wkb, dtype=object)))


#: A bound on a cell's centre-to-vertex distance, in its resolution's mean hexagon edges (measured:
#: at most 1.11, pentagons 0.81; 2 leaves room for the degree conversions' approximations).
_REACH_EDGES = 2.0


def cells_bounds(cells: list[str]) -> tuple[float, float, float, float]:
    """The total bounds of the polygons of ``cells`` (one resolution; :func:`cells_to_polygons`), from
    the polygons of only the cells that can set them (:func:`cells_near_bounds`). The same numbers,
    without making every cell's polygon (116,645 cells: 0.6 s).

    Examples
    --------
    >>> cells = sorted(h3.grid_disk(h3.latlng_to_cell(-17.0, 179.99, 8), 12))  # Fiji, across 180°
    >>> cells_bounds(cells) == tuple(float(v) for v in shapely.total_bounds(cells_to_polygons(cells)))
    True
    """
    shapes = cells_to_polygons([cells[i] for i in cells_near_bounds(cells)])
    return tuple(float(v) for v in shapely.total_bounds(shapes))


def cells_near_bounds(cells: Sequence[str]) -> np.ndarray:
    """The positions (ascending) of the ``cells`` (one resolution) whose polygons can reach their total
    bounds: those whose centre lies within a cell's reach of the centres' extremes or of 180° (a cell
    there is split, its parts reaching ±180°); every cell's within 5° of a pole.

    Examples
    --------
    >>> cells = sorted(h3.grid_disk(h3.latlng_to_cell(39.96, 116.35, 10), 20))  # 1,261 cells
    >>> len(cells_near_bounds(cells)) < len(cells) / 3
    True
    """
    centres = cells_to_coordinates(cell_str_to_ints(list(cells)))
    lat, lng = np.asarray(centres["lat"]), np.asarray(centres["lng"])
    reach_km = _REACH_EDGES * h3.average_hexagon_edge_length(h3.get_resolution(cells[0]), unit="km")
    dlat = reach_km / 110.0  # km in a degree of latitude: 110.57-111.69
    top = float(np.abs(lat).max()) + dlat
    near = np.ones(len(cells), dtype=bool)
    if top < 85.0:
        dlng = dlat / np.cos(np.radians(top))  # a degree of longitude is shortest at the top
        near = (lat <= lat.min() + dlat) | (lat >= lat.max() - dlat) | (np.abs(lng) >= 180.0 - dlng)
        near |= (lng <= lng.min() + dlng) | (lng >= lng.max() - dlng)
    return np.flatnonzero(near)


def grid_frame(cells: list[str], polygons: np.ndarray | None = None) -> gpd.GeoDataFrame:
    """A GeoDataFrame of cells indexed by H3 cell id, with their polygon and exact area in m²
    (``polygons``: :func:`cells_to_polygons` of ``cells``, when made already)."""
    index = pd.Index(cells, name=INDEX_NAME, dtype="str")
    return gpd.GeoDataFrame(
        {"cell_area_m2": [h3.cell_area(c, unit="m^2") for c in cells]},
        geometry=cells_to_polygons(cells) if polygons is None else polygons,
        index=index,
        crs="EPSG:4326",
    )


def points_to_cells(lon: np.ndarray, lat: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cells (uint64) of many points at once (h3ronpy, vectorised).

    Examples
    --------
    >>> ids = points_to_cells(np.array([116.3317]), np.array([39.9916]), 10)
    >>> h3.int_to_str(int(ids[0])) == h3.latlng_to_cell(39.9916, 116.3317, 10)
    True
    """
    if len(lon) == 0:
        return np.zeros(0, dtype=np.uint64)
    cells = coordinates_to_cells(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float), resolution)
    return np.asarray(cells, dtype=np.uint64)


def cell_ints_to_str(values: np.ndarray) -> np.ndarray:
    """uint64 cell ids to H3 strings."""
    return np.array([format(int(v), "x") for v in values], dtype=object)


def cell_str_to_ints(cells: list[str] | pd.Index) -> np.ndarray:
    """H3 strings to uint64 cell ids (hexadecimal), the form fast set operations need: parsed at once
    by h3ronpy (~10x a loop of ``int(c, 16)``; a cell's hex string always holds a letter, so it is
    never read as a decimal number); strings that are no H3 cell are read as hex one by one.

    Examples
    --------
    >>> cell = h3.latlng_to_cell(39.9916, 116.3317, 10)
    >>> int(cell_str_to_ints([cell])[0]) == h3.str_to_int(cell), cell_str_to_ints(["8a"]).tolist()
    (True, [138])
    """
    values = cells.array if isinstance(cells, pd.Index) else cells  # (an Arrow index iterates slowly)
    if len(values):
        try:
            return np.asarray(h3ronpy.cells_parse(pa.array(values, type=pa.string())), dtype=np.uint64)
        except (ValueError, TypeError, pa.ArrowException):
            pass
    cells = cells.tolist() if isinstance(cells, pd.Index) else list(cells)
    return np.fromiter((int(c, 16) for c in cells), dtype=np.uint64, count=len(cells))


def partition_resolution(resolution: int, requested: int | None = None) -> int:
    """The parent resolution that partitions a grid: ``requested`` (the recipe's), else
    :data:`urbanrisk.settings.partition_offset` resolutions coarser than the grid (2,401 cells).

    Examples
    --------
    >>> partition_resolution(10), partition_resolution(10, 8)
    (6, 8)
    """
    parent = max(0, resolution - settings.partition_offset) if requested is None else requested
    if parent > resolution:
        msg = f"grid.partition_resolution ({parent}) must not be finer than grid.resolution ({resolution})"
        raise RecipeError(msg)
    return parent


def partition_cells(cells: list[str], partition_resolution: int) -> dict[str, list[str]]:
    """Group cells by their parent cell at ``partition_resolution`` (sorted, deterministic)."""
    groups: dict[str, list[str]] = {}
    for cell in cells:
        groups.setdefault(h3.cell_to_parent(cell, partition_resolution), []).append(cell)
    return dict(sorted(groups.items()))


def with_columns(frame: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
    """``frame.join(more)`` (a left join on the index, ``more``'s columns after ``frame``'s) without
    copying ``frame``'s columns: each of ``more`` is added to a shallow copy (copy on write), so the
    grid's ~70 columns are not held twice (the 32 x 32 metropolis: ~250 MB). ``more``: a unique
    index and none of ``frame``'s column names (as the join requires).

    Examples
    --------
    >>> a = pd.DataFrame({"x": [1.0, 2.0]}, index=["p", "q"])
    >>> b = pd.DataFrame({"y": [True], "z": ["s"]}, index=["q"])
    >>> with_columns(a, b).equals(a.join(b))
    True
    """
    out = frame.copy(deep=False)
    for column in more.columns:
        out[column] = more[column]
    return out
