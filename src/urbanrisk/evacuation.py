"""Who is around an incident and where they can go: people per distance ring, shelter assignment.

- **Rings**: a cell's residents are shared with a disc of radius r by the area of the disc that
  covers the cell (exact polygon overlay in the local UTM zone; the disc is a 256-gon, whose area is
  within 0.01 % of the circle's); ring bands are differences of nested discs. Residents are assumed
  spread evenly over their cell — the same assumption the grid makes for every cell-level number.
- **Shelters**: a transportation problem solved as a linear programme (scipy ``linprog``, HiGHS):
  first the most evacuees placed within the shelters' capacities, then, with that many placed, the
  fewest person-metres walked. Groups are (cell, people) pairs; a group may be split between shelters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

#: Vertices of a quarter circle in the disc that stands for a distance ring (256-gon).
DISC_QUAD_SEGS = 64


def disc_shares(cells: np.ndarray, centre: tuple[float, float], radii: list[float]) -> np.ndarray:
    """Share of each cell's area inside each disc around ``centre`` (projected metres).

    Returns an array of shape (len(cells), len(radii)).

    Examples
    --------
    >>> square = shapely.box(0, 0, 10, 10)
    >>> disc_shares(np.array([square]), (0.0, 0.0), [10.0, 100.0]).round(3).tolist()
    [[0.785, 1.0]]
    """
    cells = np.asarray(cells)
    out = np.zeros((len(cells), len(radii)))
    if not len(cells):
        return out
    area = shapely.area(cells)
    point = shapely.Point(centre)
    for j, radius in enumerate(radii):
        disc = point.buffer(radius, quad_segs=DISC_QUAD_SEGS)
        out[:, j] = shapely.area(shapely.intersection(cells, disc)) / np.where(area > 0, area, np.inf)
    return np.clip(out, 0.0, 1.0)


def studied_shares(
    cells: np.ndarray,
    shares: np.ndarray,
    centre: tuple[float, float],
    radii: list[float],
    *,
    whole: float = 1.0,
) -> list[float]:
    """Share of each disc that the cells cover: below 1 where a ring reaches past the run's study area
    (its people outside the area are not counted); 1 from ``whole`` up (a disc's polygon and its cells'
    areas round apart).

    Examples
    --------
    >>> square = shapely.box(-10, -10, 10, 10)
    >>> shares = disc_shares(np.array([square]), (0.0, 0.0), [5.0, 20.0])
    >>> [round(x, 2) for x in studied_shares(np.array([square]), shares, (0.0, 0.0), [5.0, 20.0])]
    [1.0, 0.32]
    """
    area = shapely.area(np.asarray(cells)) if len(cells) else np.zeros(0)
    point = shapely.Point(centre)
    covered = [
        float((shares[:, j] * area).sum() / point.buffer(radius, quad_segs=DISC_QUAD_SEGS).area)
        for j, radius in enumerate(radii)
    ]
    return [share if share < whole else 1.0 for share in covered]


def ring_table(
    residents: np.ndarray,
    present: np.ndarray,
    shares: np.ndarray,
    radii: list[float],
    *,
    known: np.ndarray | None = None,
    studied: list[float] | None = None,
) -> pd.DataFrame:
    """Residents and people present per ring band and within each radius (cumulative), and the share
    of each disc whose residents are unknown (``residents_unknown_share``: the part beyond the study
    area, 1 - ``studied``, and of the rest the cells whose residents are not ``known``, each by its part
    inside): above 0, the residents within are a lower bound (missing is not zero).

    >>> shares = np.array([[1.0, 1.0], [0.0, 1.0]])
    >>> t = ring_table(np.array([5.0, 0.0]), np.array([5.0, 0.0]), shares, [50.0, 100.0],
    ...                known=np.array([True, False]), studied=[1.0, 0.8])
    >>> t["residents_within"].tolist(), t["residents_unknown_share"].round(2).tolist()
    ([5.0, 5.0], [0.0, 0.6])
    """
    within_r = residents @ shares
    within_p = present @ shares
    inner = [0.0, *radii[:-1]]
    weight = shares.sum(axis=0)
    known_share = weight.copy() if known is None else np.asarray(known, dtype=float) @ shares
    np.divide(known_share, weight, out=known_share, where=weight > 0)
    inside = np.ones(len(radii)) if studied is None else np.asarray(studied, dtype=float)
    unknown = np.clip(1.0 - inside * np.where(weight > 0, known_share, 0.0), 0.0, 1.0)
    return pd.DataFrame(
        {
            "ring_m": radii,
            "from_m": inner,
            "residents": np.diff(np.concatenate([[0.0], within_r])),
            "people_present": np.diff(np.concatenate([[0.0], within_p])),
            "residents_within": within_r,
            "people_present_within": within_p,
            "cells_touched": (shares > 0).sum(axis=0),
            "residents_unknown_share": np.where(unknown < 1e-9, 0.0, unknown),
        }
    )


def assign_shelters(
    people: np.ndarray, walk_m: np.ndarray, capacity: np.ndarray, *, max_walk_m: float
) -> tuple[np.ndarray, float]:
    """Place groups of people in shelters within capacity: most people placed, then least walking.

    Parameters
    ----------
    people
        People of each group, shape (g,).
    walk_m
        Walking distance from each group to each shelter, shape (g, s); inf where no route.
    capacity
        Places in each shelter, shape (s,).
    max_walk_m
        Pairs farther apart are not allowed.

    Returns
    -------
    tuple
        The flow (g, s): people of group i placed in shelter j, and the people left without a place.

    Examples
    --------
    >>> flow, left = assign_shelters(np.array([30.0, 20.0]), np.array([[100.0, 400.0], [300.0, 200.0]]),
    ...                              np.array([25.0, 40.0]), max_walk_m=1000)
    >>> flow.round(6).tolist(), round(left, 6)
    ([[25.0, 5.0], [0.0, 20.0]], 0.0)
    """
    people = np.asarray(people, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    g, s = walk_m.shape if walk_m.ndim == 2 else (len(people), len(capacity))
    flow = np.zeros((g, s))
    allowed = np.isfinite(walk_m) & (walk_m <= max_walk_m) if g and s else np.zeros((g, s), dtype=bool)
    gi, sj = np.nonzero(allowed)
    if not len(gi) or people.sum() <= 0 or capacity.sum() <= 0:
        return flow, float(people.sum())
    n = len(gi)
    rows = np.concatenate([gi, g + sj])
    a_ub = coo_matrix((np.ones(2 * n), (rows, np.tile(np.arange(n), 2))), shape=(g + s, n)).tocsr()
    b_ub = np.concatenate([people, capacity])
    first = linprog(-np.ones(n), A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    placed = -first.fun
    # with that many placed (less a rounding tolerance), the fewest person-metres
    a2 = coo_matrix(
        (
            np.concatenate([np.ones(2 * n), -np.ones(n)]),
            (np.concatenate([rows, np.full(n, g + s)]), np.tile(np.arange(n), 3)),
        ),
        shape=(g + s + 1, n),
    ).tocsr()
    b2 = np.concatenate([b_ub, [-(placed - 1e-9 * max(1.0, placed))]])
    second = linprog(walk_m[gi, sj], A_ub=a2, b_ub=b2, bounds=(0, None), method="highs")
    x = second.x if second.status == 0 else first.x
    flow[gi, sj] = np.clip(x, 0.0, None)
    return flow, float(max(people.sum() - flow.sum(), 0.0))
