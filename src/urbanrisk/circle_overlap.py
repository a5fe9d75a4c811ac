"""Weights summed inside many circles over convex cells, each cell shared by its area inside, in numpy.

The hazard screens count the residents inside every source's impact circle (GEOS's buffer polygon of
the centre, :data:`QUAD_SEGS` segments a quarter). A cell wholly inside the polygon counts whole;
a cell its outline crosses counts the share of its area inside, measured in numpy instead of one GEOS
intersection a pair: from the points where the outlines cross (:mod:`urbanrisk.circle_cross`, a few
steps a pair), or, for the ~1 % of pairs where a corner of one lies on the other's outline, by clipping
the run of the polygon's edges that faces the cell (Cyrus–Beck). Equal to ``shapely.intersection`` to
rounding (~1e-12 of a cell's area).

The polygon of a radius is buffered once at the origin and moved to every centre (one per distinct
radius, not one per circle); candidate cells come from one ``dwithin`` query of the centres (a
superset of the cells the polygon meets: the others clip to nothing); the pairs are measured in chunks of
:data:`CHUNK`, so memory stays bounded and time linear in the number of circles.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from .circle_cross import crossing_areas, polygons
from .convex_clip import convex_edges

__all__ = ["QUAD_SEGS", "circle_sums", "inside_circles", "pair_sums"]

#: Segments per quarter circle of the impact circles (their polygons, as GEOS buffers them).
QUAD_SEGS = 16
#: (circle, cell) pairs measured at once
CHUNK = 5_000


def _cell_vertices(cells: np.ndarray) -> np.ndarray:
    """Every cell's exterior vertices, shape (cells, most vertices, 2), padded with its first one."""
    xy, owner = shapely.get_coordinates(shapely.get_exterior_ring(cells), return_index=True)
    counts = np.bincount(owner, minlength=len(cells))
    first = np.cumsum(counts) - counts
    width = int(counts.max()) if len(counts) else 0
    take = first[:, None] + np.minimum(np.arange(width)[None, :], np.maximum(counts - 1, 0)[:, None])
    return xy[take]


def _wholly_inside(vertices: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Whether each cell (its vertices) lies wholly inside its circle's polygon: every vertex nearer
    the centre than the polygon's apothem (its edges' nearest points), with a margin; a cell in doubt
    is not."""
    far2 = (
        (vertices[..., 0] - centres[:, None, 0]) ** 2 + (vertices[..., 1] - centres[:, None, 1]) ** 2
    ).max(axis=1)
    apothem = radii * math.cos(math.pi / (4 * QUAD_SEGS)) * (1.0 - 1e-9)
    return far2 < apothem**2


def inside_circles(cells: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Whether each cell polygon lies wholly inside its circle's polygon (see :func:`circle_sums`)."""
    return _wholly_inside(
        _cell_vertices(cells), np.asarray(centres, dtype=float), np.asarray(radii, dtype=float)
    )


def _templates(radii: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct radii's polygons at the origin (closing vertex dropped), each circle's one and
    their areas."""
    distinct, which = np.unique(radii, return_inverse=True)
    polygons = shapely.buffer(shapely.points(np.zeros((len(distinct), 2))), distinct, quad_segs=QUAD_SEGS)
    xy = shapely.get_coordinates(polygons).reshape(len(distinct), -1, 2)[:, :-1]
    clockwise = ~shapely.is_ccw(shapely.get_exterior_ring(polygons))
    xy[clockwise] = xy[clockwise, ::-1]  # counter-clockwise, as the cells' edges
    return xy, which, shapely.area(polygons)


def _clipped_params(va: np.ndarray, vb: np.ndarray) -> np.ndarray:
    """Length parameter (0-1) of each segment a->b kept by all its half-planes (values at a and b,
    last axis the half-planes, >= 0 inside): Cyrus–Beck, the segment's part inside a convex shape."""
    out_a, out_b = va < 0, vb < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = va / (va - vb)
    low = np.where(out_a & ~out_b, t, 0.0).max(axis=-1)
    high = np.where(out_b & ~out_a, t, 1.0).min(axis=-1)
    length = np.maximum(high - low, 0.0)
    length[(out_a & out_b).any(axis=-1)] = 0.0
    return length


def _side(start: np.ndarray, direction: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(pairs, points, lines): >= 0 where a point is left of (inside) a line start -> start + direction."""
    dx, dy = direction[:, None, :, 0], direction[:, None, :, 1]
    return dx * (points[:, :, None, 1] - start[:, None, :, 1]) - dy * (
        points[:, :, None, 0] - start[:, None, :, 0]
    )


def _clipped(ring: np.ndarray, edges: tuple[np.ndarray, np.ndarray], cell_idx: np.ndarray) -> np.ndarray:
    """Area inside its paired convex cell of each convex ring, given by a run of its vertices (shape
    (pairs, edges + 1, 2), counter-clockwise, holding every edge that faces the cell): half the sum of
    p x q over the pieces of both outlines inside the other (the intersection's outline), each piece
    a fraction t of its edge a -> b, so that p x q = t (a x b)."""
    start, direction = edges
    origin = start[cell_idx, 0]  # measured from a corner of the cell: small numbers, no lost digits
    ring = ring - origin[:, None, :]
    a, b = ring[:, :-1], ring[:, 1:]
    c_start = start[cell_idx] - origin[:, None, :]
    c_dir = direction[cell_idx]
    c_end = c_start + c_dir
    # the ring's edges clipped by the cell's half-planes, the cell's edges by the ring's
    v = _side(c_start, c_dir, ring)
    ring_part = _clipped_params(v[:, :-1], v[:, 1:])
    cell_part = _clipped_params(_side(a, b - a, c_start), _side(a, b - a, c_end))
    total = (ring_part * (a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0])).sum(axis=1)
    total += (cell_part * (c_start[..., 0] * c_end[..., 1] - c_start[..., 1] * c_end[..., 0])).sum(axis=1)
    return np.abs(total) / 2.0


def _facing(vertices: np.ndarray, centres: np.ndarray, first: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first of the ring's edges facing each cell (in the wedge from the centre that holds the
    cell) and their number, one more each side; all ``n`` when the centre is in or near the cell.

    In the wedge a point is inside the convex ring iff it is inside the half-planes of the ring's
    edges in the wedge; the ring's other edges lie outside the cell."""
    rel = vertices - centres[:, None, :]
    angle = np.arctan2(rel[..., 1], rel[..., 0])
    turn = (angle - angle[:, :1] + np.pi) % (2 * np.pi) - np.pi
    low, high = angle[:, 0] + turn.min(axis=1), angle[:, 0] + turn.max(axis=1)
    step = 2 * np.pi / n
    k_low = np.floor((low - first) / step).astype(np.int64) - 1
    count = np.floor((high - first) / step).astype(np.int64) + 2 - k_low
    full = (high - low > np.pi - 1e-6) | (count >= n)
    return np.where(full, 0, k_low % n), np.where(full, n, count)


def _circle_within(
    edges: tuple[np.ndarray, np.ndarray], centres: np.ndarray, radii: np.ndarray, c_idx: np.ndarray
) -> np.ndarray:
    """Whether each circle lies inside its paired convex cell: its centre farther than its radius
    (with a margin) inside every edge's line."""
    start, direction = edges[0][c_idx], edges[1][c_idx]
    rel = centres[:, None, :] - start
    length = np.hypot(direction[..., 0], direction[..., 1])
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = (direction[..., 0] * rel[..., 1] - direction[..., 1] * rel[..., 0]) / length
    distance[length == 0] = np.inf  # padding edges
    return distance.min(axis=1) >= radii * (1.0 + 1e-9)


def _shares(
    cells: dict[str, np.ndarray],
    edges: tuple[np.ndarray, np.ndarray],
    centres: np.ndarray,
    radii: np.ndarray,
    shape: tuple[np.ndarray, np.ndarray, np.ndarray],
    h_idx: np.ndarray,
    c_idx: np.ndarray,
) -> np.ndarray:
    """Share of each paired cell's area inside its circle: 1 when every vertex is well inside."""
    templates, which, polygon_area = shape
    share = np.ones(len(h_idx))
    cross = np.flatnonzero(~_wholly_inside(cells["vertices"][c_idx], centres[h_idx], radii[h_idx]))
    if not len(cross):
        return share
    h, c = h_idx[cross], c_idx[cross]
    area = np.zeros(len(cross))
    small = np.zeros(len(cross), dtype=bool)  # a circle inside one cell: all of it
    fits = np.flatnonzero(np.pi * radii[h] ** 2 < cells["area"][c])
    small[fits] = _circle_within(edges, centres[h[fits]], radii[h[fits]], c[fits])
    area[small] = polygon_area[which[h[small]]]
    rest = np.flatnonzero(~small)  # from the crossings of the outlines; the doubtful pairs by the full clip
    start = edges[0][c[rest]] - centres[h[rest]][:, None, :]
    area[rest], doubtful = crossing_areas(start, edges[1][c[rest]], which[h[rest]], cells["polygons"])
    todo = rest[doubtful]
    n = templates.shape[1]
    k_low, count = _facing(
        cells["vertices"][c[todo]], centres[h[todo]], float(np.arctan2(*templates[0, 0, ::-1])), n
    )
    widths = np.array(sorted({min(w, n) for w in (4, 6, 8, 10, 12, 16, 20, 24, 32, 48, n)}))
    width_of = widths[np.searchsorted(widths, count)]
    for width in widths:  # the pairs by the run of edges they need: a few edges for most
        part = np.flatnonzero(width_of == width)
        if len(part):
            index = (k_low[part, None] + np.arange(width + 1)) % n
            pair = todo[part]
            ring = templates[which[h[pair]][:, None], index] + centres[h[pair]][:, None, :]
            area[pair] = _clipped(ring, edges, c[pair])
    share[cross] = area / cells["area"][c]
    return share


def circle_sums(cells: np.ndarray, weights: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Per circle, the sum of ``weights`` (one a cell, or a row of k a cell) of the cells it overlaps,
    each by the share of its area inside the circle's polygon.

    Parameters
    ----------
    cells
        Convex cell polygons in a projected CRS (metres).
    weights
        Shape (cells,) or (cells, k).
    centres, radii
        Circle centres (n, 2) and radii (n,) in the same CRS; a radius of 0 or less (or NaN) covers
        nothing.

    Returns
    -------
    Shape (n,) or (n, k).
    """
    weights = np.asarray(weights, dtype=float)
    centres = np.asarray(centres, dtype=float).reshape(-1, 2)
    radii = np.asarray(radii, dtype=float)
    live = np.flatnonzero(radii > 0)
    if not len(live) or not len(cells):
        return np.zeros((len(radii), *weights.shape[1:]))
    tree = shapely.STRtree(cells)
    h_idx, c_idx = tree.query(shapely.points(centres[live]), predicate="dwithin", distance=radii[live])
    return pair_sums(cells, weights, centres, radii, live[h_idx], c_idx)


def pair_sums(
    cells: np.ndarray,
    weights: np.ndarray,
    centres: np.ndarray,
    radii: np.ndarray,
    h_idx: np.ndarray,
    c_idx: np.ndarray,
    *,
    edge_width: int = 0,
) -> np.ndarray:
    """:func:`circle_sums` over the given (circle, cell) pairs, added in their order (``c_idx`` into
    ``cells`` and ``weights``): the pairs ``dwithin`` finds, as its query orders them.
    ``edge_width``: pad the cells' edges to this many (:func:`urbanrisk.convex_clip.convex_edges`),
    when the cells are some of a grid's padded as the whole grid's were."""
    weights = np.asarray(weights, dtype=float)
    centres = np.asarray(centres, dtype=float).reshape(-1, 2)
    radii = np.asarray(radii, dtype=float)
    if not len(h_idx):
        return np.zeros((len(radii), *weights.shape[1:]))
    geometry = {"vertices": _cell_vertices(cells), "area": shapely.area(cells)}
    edges = convex_edges(cells, width=edge_width)
    shape = _templates(np.where(radii > 0, radii, 1.0))
    geometry["polygons"] = polygons(shape[0])
    share = np.concatenate(
        [
            _shares(geometry, edges, centres, radii, shape, h_idx[lo : lo + CHUNK], c_idx[lo : lo + CHUNK])
            for lo in range(0, len(h_idx), CHUNK)
        ]
        or [np.zeros(0)]
    )
    if weights.ndim == 1:
        return np.bincount(h_idx, weights=weights[c_idx] * share, minlength=len(radii))
    weighed = weights[c_idx] * share[:, None]
    return np.column_stack([np.bincount(h_idx, weights=w, minlength=len(radii)) for w in weighed.T])
