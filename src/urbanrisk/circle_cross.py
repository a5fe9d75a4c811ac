"""Area of a regular polygon (an impact circle's) inside a convex cell, from the points where their
outlines cross: a constant number of steps a pair, whatever the polygon's number of edges.

Measured from the polygon's centre, twice the area inside both is the sum over the outline of the
intersection of ``p x dp`` (Green): along each cell edge inside the polygon, its kept fraction times
``s x e``; along each arc of the polygon's outline inside the cell, ``G(end) - G(start)``, where
``G(p)`` is twice the area the outline sweeps from the polygon's vertex 0 to ``p`` (the sum of its
whole edges' ``a x b`` before ``p``'s edge, then ``v x p``). An arc starts where a cell edge leaves
the polygon and ends where the next enters it, so the arcs add up to ``sum G(entries) - sum G(exits)``,
plus the polygon's whole ``G`` if its vertex 0 lies inside the cell (the one arc that passes it).

Where a cell edge enters or leaves the polygon is found among six of the polygon's edges: those around
the points where the edge's line meets the polygon's circumcircle (the polygon's outline lies between
its circumcircle and the circle of its apothem, which the line crosses within half an edge's angle of
the circumcircle), with the same half-plane test as the full clip (Cyrus–Beck). Pairs where a cell
corner lies on the polygon's outline or vertex 0 on a cell's edge (within a tolerance) are flagged for
the caller's full clip: there, which side rounding puts a point on would decide a whole arc.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Polygons", "crossing_areas", "polygons"]

#: relative tolerance (of the radius) within which a point counts as on the other outline
TOLERANCE = 1e-9

Polygons = dict[str, np.ndarray]


def polygons(templates: np.ndarray) -> Polygons:
    """Per distinct radius (rows of ``templates``: counter-clockwise vertices around the origin, no
    closing vertex), the flattened vertices, edge directions, cumulated ``a x b`` and the first
    vertex's angle."""
    count, n = templates.shape[:2]
    direction = np.roll(templates, -1, axis=1) - templates
    cross = templates[..., 0] * direction[..., 1] - templates[..., 1] * direction[..., 0]
    cumulated = np.concatenate([np.zeros((count, 1)), np.cumsum(cross, axis=1)], axis=1)
    vx, vy = templates[..., 0].ravel(), templates[..., 1].ravel()
    dx, dy = direction[..., 0].ravel(), direction[..., 1].ravel()
    return {
        "vx": vx,
        "vy": vy,
        "dx": dx,
        "dy": dy,
        "offset": dx * vy - dy * vx,  # side(p) = dx * py - dy * px - offset: >= 0 inside
        "cumulated": cumulated[:, :-1].ravel(),
        "whole": cumulated[:, -1],
        "radius": np.hypot(templates[:, 0, 0], templates[:, 0, 1]),
        "first": np.arctan2(templates[:, 0, 1], templates[:, 0, 0]),
        "n": np.array(n),
    }


def _sector(x: np.ndarray, y: np.ndarray, first: np.ndarray, n: int) -> np.ndarray:
    """The polygon edge whose angle range holds each point's direction (to rounding)."""
    step = 2 * np.pi / n
    return np.floor((np.arctan2(y, x) - first) / step).astype(np.int64) % n


def _chord(sx, sy, dx, dy, radius) -> tuple[np.ndarray, np.ndarray]:
    """Parameters where each line s + t d meets the circle of ``radius`` around the origin (NaN: it
    misses)."""
    a = dx * dx + dy * dy
    b = sx * dx + sy * dy
    c = sx * sx + sy * sy - radius * radius
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.sqrt(b * b - a * c)
        return (-b - root) / a, (-b + root) / a


def _candidates(sx, sy, dx, dy, chord, row, poly) -> np.ndarray:
    """Flat indices of the four polygon edges where each line may enter and leave the polygon (pairs,
    edges, 4): around the chord's ends, the next edge in the line's sense of turn around the centre."""
    n = int(poly["n"])
    turn = np.where(sx * dy >= sy * dx, 1, -1)
    first = poly["first"][row][:, None]
    ends = []
    for t in chord:
        t = np.where(np.isnan(t), 0.0, t)
        ends.append(_sector(sx + t * dx, sy + t * dy, first, n))
    k = np.stack([ends[0], ends[0] + turn, ends[1], ends[1] - turn], axis=-1) % n
    return row[:, None, None] * n + k


def _near_outline(poly: Polygons, row: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether each point (pairs, points) lies within the tolerance of the ring between its polygon's
    apothem and radius, where its outline runs."""
    radius = poly["radius"][row][:, None]
    apothem = radius * np.cos(np.pi / int(poly["n"]))
    distance2 = x * x + y * y
    return (distance2 > (apothem * (1.0 - TOLERANCE)) ** 2) & (distance2 < (radius * (1.0 + TOLERANCE)) ** 2)


def _pick(values: np.ndarray, j: np.ndarray) -> np.ndarray:
    """values[..., j] along the last axis (of 4)."""
    return values.reshape(-1)[np.arange(j.size) * values.shape[-1] + j.reshape(-1)].reshape(j.shape)


def crossing_areas(
    start: np.ndarray, direction: np.ndarray, row: np.ndarray, poly: Polygons
) -> tuple[np.ndarray, np.ndarray]:
    """Area inside each convex cell of its paired polygon, and whether the pair needs the full clip.

    Parameters
    ----------
    start, direction
        The cells' counter-clockwise edges (pairs, edges, 2), measured from the polygon's centre;
        zero-length (padding) edges are ignored.
    row
        Each pair's polygon (row of :func:`polygons`).
    """
    sx, sy, dx, dy = start[..., 0], start[..., 1], direction[..., 0], direction[..., 1]
    real = (dx != 0) | (dy != 0)
    radius = poly["radius"][row]
    chord = _chord(sx, sy, dx, dy, radius[:, None] * (1.0 + TOLERANCE))
    flat = _candidates(sx, sy, dx, dy, chord, row, poly)
    pdx, pdy, offset = poly["dx"][flat], poly["dy"][flat], poly["offset"][flat]
    va = pdx * sy[..., None] - pdy * sx[..., None] - offset
    vb = pdx * (sy + dy)[..., None] - pdy * (sx + dx)[..., None] - offset
    out_a, out_b = va < 0, vb < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = va / (va - vb)
    entering = np.where(out_a, np.where(out_b, np.inf, t), -np.inf)  # wholly outside: nothing kept
    leaving = np.where(out_b & ~out_a, t, np.inf)
    j_in, j_out = entering.argmax(axis=-1), leaving.argmin(axis=-1)
    t_in, t_out = _pick(entering, j_in), _pick(leaving, j_out)
    low = np.maximum(np.maximum(t_in, 0.0), chord[0])
    high = np.minimum(np.minimum(t_out, 1.0), chord[1])
    kept = real & (high > low)  # NaN chord: the line misses the circle
    twice = np.where(kept, (high - low) * (sx * dy - sy * dx), 0.0).sum(axis=1)
    for t_at, j, sign, crossing in ((t_in, j_in, 1.0, t_in > 0), (t_out, j_out, -1.0, t_out < 1)):
        at = kept & crossing
        edge = _pick(flat, j)
        t_at = np.where(at, t_at, 0.0)
        g = (
            poly["cumulated"][edge]
            + poly["vx"][edge] * (sy + t_at * dy)
            - poly["vy"][edge] * (sx + t_at * dx)
        )
        twice += sign * np.where(at, g, 0.0).sum(axis=1)
    v0 = row * int(poly["n"])
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = (dx * (poly["vy"][v0][:, None] - sy) - dy * (poly["vx"][v0][:, None] - sx)) / np.hypot(dx, dy)
    gap = np.where(real, gap, np.inf)
    twice += np.where(gap.min(axis=1) >= 0, poly["whole"][row], 0.0)
    doubtful = (np.abs(gap) < TOLERANCE * radius[:, None]).any(axis=1)
    doubtful |= (_near_outline(poly, row, sx, sy) & real).any(axis=1)
    doubtful |= (kept & ((chord[0] > np.maximum(t_in, 0.0)) | (chord[1] < np.minimum(t_out, 1.0)))).any(
        axis=1
    )
    return np.abs(twice) / 2.0, doubtful
