"""Cell polygons made from the cells' ids where a stage needs them, a batch at a time (issue #17).

From the grid stage on, the driver's grid holds no cell polygons (~755 B a cell: 116,645 cells held
~88 MB): the stages that need some make them with the function that made the grid's
(:func:`urbanrisk.grid.cells_to_polygons`: the same coordinates, so the same results), for just the
cells they need, :data:`POLYGON_BATCH` at a time. Which cells lie clear of a box's edges is told from
their centres (:func:`cell_reach_deg` bounds how far a cell reaches from its centre), so that only
the cells near an edge need their polygon.
"""

from __future__ import annotations

from collections.abc import Callable

import h3
import numpy as np
import pandas as pd

from .grid import cells_to_polygons

__all__ = ["POLYGON_BATCH", "cell_reach_deg", "in_batches"]

#: Cells whose polygons are made (and used, then freed) at once: ~15 MB of GEOS polygons.
POLYGON_BATCH = 20_000
#: How many times H3's average edge length bounds the distance from a cell's centre to its farthest
#: vertex (measured over all 41,162 cells of resolution 3 and 5,882 of resolution 2, pentagons
#: included: at most 1.10 times, on H3's sphere).
REACH_EDGES = 1.5
#: Kilometres in a degree of latitude, rounded down (110.57 at the equator, more towards the poles).
KM_PER_DEGREE = 110.0
#: Above this latitude (degrees) a cell's reach in longitude is not bounded here: every cell is near.
MAX_BOUNDED_LAT = 85.0


def in_batches(
    cells: pd.Index | list[str], use: Callable[[np.ndarray], np.ndarray], *, batch: int = POLYGON_BATCH
) -> np.ndarray:
    """``use(polygons)`` of the cells' polygons, ``batch`` cells at a time, the results concatenated
    (``use`` returns one value a polygon: a batch's polygons are freed before the next is made).

    Examples
    --------
    >>> import shapely
    >>> cells = ["8a31aa5a8a5ffff", "8a31aa5a8a4ffff", "8a31aa5a8a47fff"]
    >>> in_batches(cells, shapely.get_num_coordinates, batch=2).tolist()
    [7, 7, 7]
    """
    cells = pd.Index(cells)
    parts = [use(cells_to_polygons(cells[start : start + batch])) for start in range(0, len(cells), batch)]
    return np.concatenate(parts) if parts else use(cells_to_polygons(cells))


def cell_reach_deg(latlng: np.ndarray, resolution: int) -> np.ndarray:
    """Per cell (its centre's (lat, lng)), how far in longitude and in latitude (degrees, shape (n, 2))
    its polygon's vertices may lie from its centre at most; ``inf`` where not bounded here (near a
    pole, or within reach of 180°, where a polygon is cut in two). ``np.hypot`` of a row bounds the
    distance in lon/lat taken as planar coordinates.

    Examples
    --------
    >>> reach = cell_reach_deg(np.array([[40.0, 116.3], [89.0, 0.0], [0.0, 179.9999]]), 10)
    >>> bool(0.0009 < reach[0, 1] < reach[0, 0] < 0.002), reach[1:].tolist()
    (True, [[inf, inf], [inf, inf]])
    """
    latlng = np.asarray(latlng, dtype=float).reshape(-1, 2)
    reach_lat = REACH_EDGES * h3.average_hexagon_edge_length(resolution, unit="km") / KM_PER_DEGREE
    lat = np.abs(latlng[:, 0]) + reach_lat
    bounded = lat < MAX_BOUNDED_LAT
    reach = np.full((len(latlng), 2), np.inf)
    reach[bounded, 0] = reach_lat / np.cos(np.radians(lat[bounded]))
    reach[bounded, 1] = reach_lat
    reach[np.abs(latlng[:, 1]) + reach[:, 0] >= 180.0] = np.inf
    return reach
