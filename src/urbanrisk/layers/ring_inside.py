"""Whether a polygon's hole lies inside its outer ring (numpy only: ``urbanrisk validate`` reads it too).

A hole drawn outside its outer ring was told as "a hole that cancels its polygon" when it was the larger,
and added to the study area without a word when it was the smaller (GEOS's ``make_valid`` keeps what
lies in one ring but not both). Every vertex of a hole is tested (ray casting; on the outer ring counts
as inside), after its box, then every edge of a hole against the outer ring's (an edge crossing it leaves
the polygon between two vertices inside: a hole across a U-shaped boundary's notch). Up to 64 vertices a
hole were tested before: a spike of a 1,000-vertex hole into the notch went through, added to the area.

Examples
--------
>>> shell = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]])
>>> hole_outside(shell, [np.array([[0.2, 0.2], [0.5, 0.2], [0.5, 0.5], [0.2, 0.2]])])
False
>>> hole_outside(shell, [np.array([[2.0, 0.0], [2.5, 0.0], [2.5, 0.5], [2.0, 0.0]])])
True
>>> hole_outside(shell, [shell[::-1]])  # the hole equal to its shell: inside (it cancels the polygon)
False
"""

from __future__ import annotations

import numpy as np

#: the most point-edge (or edge-edge) pairs held at once
_PAIRS = 2_000_000
#: a vertex this near an edge (in the ring's units, squared degrees for the cross product) lies on it
_ON = 1e-12


def _crossings(edges: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each point, how many ``edges`` ((m, 4): x0, y0, x1, y1) a ray from it towards +x crosses, and
    whether it lies on one of them."""
    x0, y0, x1, y1 = (edges[:, i] for i in range(4))
    px, py = points[:, :1], points[:, 1:2]
    cross = (x1 - x0) * (py - y0) - (y1 - y0) * (px - x0)
    within = (np.minimum(x0, x1) - _ON <= px) & (px <= np.maximum(x0, x1) + _ON)
    within &= (np.minimum(y0, y1) - _ON <= py) & (py <= np.maximum(y0, y1) + _ON)
    spans = (y0 > py) != (y1 > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = x0 + (py - y0) * (x1 - x0) / np.where(y1 != y0, y1 - y0, 1.0)
    return (spans & (px < at)).sum(axis=1), ((np.abs(cross) <= _ON) & within).any(axis=1)


def _bands(edges: np.ndarray) -> tuple[float, float, int]:
    """The horizontal bands ``edges`` ((m, 4)) are filed in: their bottom, their count per unit of y
    (0 for a flat ring), and how many: a point meets only the edges of its band (a 190,000-vertex
    boundary with a thousand holes is tested in well under a second)."""
    low, high = np.minimum(edges[:, 1], edges[:, 3]) - _ON, np.maximum(edges[:, 1], edges[:, 3]) + _ON
    bottom, top = float(low.min()), float(high.max())
    bands = max(1, min(4096, len(edges) // 8))
    scale = bands / (top - bottom) if top > bottom else 0.0
    while bands > 1 and ((high - low) * scale).sum() > 8 * len(edges):  # long edges: fewer, wider bands
        bands //= 2
        scale /= 2
    return bottom, scale, bands


def _filed(edges: np.ndarray, bottom: float, scale: float, bands: int) -> tuple[np.ndarray, np.ndarray]:
    """``edges`` ((m, 4)) filed in the bands: their indices, band by band, and where each band starts."""
    low, high = np.minimum(edges[:, 1], edges[:, 3]) - _ON, np.maximum(edges[:, 1], edges[:, 3]) + _ON
    first = np.clip(((low - bottom) * scale).astype(int), 0, bands - 1)
    last = np.clip(((high - bottom) * scale).astype(int), 0, bands - 1)
    count = last - first + 1
    filed = np.repeat(np.arange(len(edges)), count)
    band = np.repeat(first, count) + np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    order = np.argsort(band, kind="stable")
    return filed[order], np.searchsorted(band[order], np.arange(bands + 1))


def _inside_or_on(ring: np.ndarray, points: np.ndarray) -> np.ndarray:
    """For each point, whether it lies inside the closed ``ring`` or on it (even-odd rule)."""
    edges = np.column_stack([ring[:-1], ring[1:]])
    bottom, scale, bands = _bands(edges)
    filed, starts = _filed(edges, bottom, scale, bands)
    where = np.clip(((points[:, 1] - bottom) * scale).astype(int), 0, bands - 1)
    inside = np.zeros(len(points), dtype=bool)
    for b in np.unique(where):
        near = edges[filed[starts[b] : starts[b + 1]]]
        picked = np.flatnonzero(where == b)
        step = max(1, _PAIRS // max(len(near), 1))
        for at in range(0, len(picked), step):
            chunk = picked[at : at + step]
            crossings, on = _crossings(near, points[chunk])
            inside[chunk] = on | (crossings % 2 == 1)
    return inside


def _side(edges: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """-1, 0 or 1: on which side of each edge ((m, 4), a column each) a point lies (0: on its line)."""
    cross = (edges[:, 2:3] - edges[:, 0:1]) * (y - edges[:, 1:2]) - (edges[:, 3:4] - edges[:, 1:2]) * (
        x - edges[:, 0:1]
    )
    return np.where(cross > _ON, 1, np.where(cross < -_ON, -1, 0))


def _edges_cross(ring: np.ndarray, others: np.ndarray) -> bool:
    """Whether an edge of ``others`` ((k, 4) edges) crosses an edge of the closed ``ring`` (each passes
    from one side of the other to the other side: touching, or running along it, is not crossing)."""
    edges = np.column_stack([ring[:-1], ring[1:]])
    bottom, scale, bands = _bands(edges)
    filed, starts = _filed(edges, bottom, scale, bands)
    theirs, their_starts = _filed(others, bottom, scale, bands)
    for b in range(bands):
        near = edges[filed[starts[b] : starts[b + 1]]]
        mine = others[theirs[their_starts[b] : their_starts[b + 1]]]
        step = max(1, _PAIRS // max(len(near), 1))
        for at in range(0, len(mine) if len(near) else 0, step):
            hole = mine[at : at + step]
            ends = _side(near, hole[:, 0], hole[:, 1]) * _side(near, hole[:, 2], hole[:, 3])
            starts_ = _side(hole, near[:, 0], near[:, 1]) * _side(hole, near[:, 2], near[:, 3])
            if ((ends < 0) & (starts_.T < 0)).any():
                return True
    return False


def hole_outside(shell: np.ndarray, holes: list[np.ndarray]) -> bool:
    """Whether one of a polygon's holes ((n, 2) rings) has a vertex outside its outer ring ``shell``;
    False for a shell more than 180° wide (drawn across the antimeridian: read the short way round
    later). The outer ring's edges are filed once for all its holes."""
    shell = np.asarray(shell, dtype=float)[:, :2]
    holes = [np.asarray(hole, dtype=float)[:, :2] for hole in holes if len(hole)]
    if len(shell) < 4 or not holes or np.ptp(shell[:, 0]) > 180 or not np.isfinite(shell).all():
        return False
    if not all(np.isfinite(hole).all() for hole in holes):
        return False  # told as vertices that are not finite
    low, high = shell.min(axis=0) - _ON, shell.max(axis=0) + _ON
    if any((hole.min(axis=0) < low).any() or (hole.max(axis=0) > high).any() for hole in holes):
        return True
    if not _inside_or_on(shell, np.concatenate(holes)).all():
        return True
    return _edges_cross(
        shell, np.concatenate([np.column_stack([h[:-1], h[1:]]) for h in holes if len(h) > 1])
    )


def hole_outside_message(path: str) -> str:
    """What to say of a boundary with a hole drawn outside its outer ring (the run and ``validate``)."""
    return (
        f"area: {path} has a hole drawn outside its outer ring (an inner ring not inside the polygon it "
        "belongs to, which would add its own area or cancel the polygon): draw the hole inside the outer "
        "ring, or give that ring as a polygon of its own if it is part of the study area"
    )
