"""Which units (communities, register units) each hazard source's impact circle reaches, at registry scale.

The impact circle is GEOS's buffer of the source (16 segments a quarter, as the screens draw it); a
unit is reached when it intersects that polygon. The polygon of a point lies inside the true circle
(its vertices are on it) and holds the circle of its apothem, so one ``dwithin`` query by the radii finds
every unit that may be reached; a unit that holds the source or lies nearer than the apothem is
reached, and only the pairs in between (the outline within a metre or so of the unit) are tested with
a buffered polygon, as are sources that are not points.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import shapely

#: Segments per quarter circle of the impact polygons (geopandas' ``buffer`` default).
QUAD_SEGS = 16

__all__ = ["reaching_pairs", "source_texts"]


def reaching_pairs(
    outlines: np.ndarray, sources: np.ndarray, radii: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(source, unit) positions of every unit outline (projected, metres) that a source's buffer of its
    radius intersects, sorted by source then unit; empty outlines and radii that are not > 0 reach
    nothing (their buffer is empty).

    Candidates: the units within the radius (one ``dwithin`` query). A point source reaches for sure a
    unit that holds it or lies nearer than the apothem (with a margin); the other pairs are decided by
    GEOS's ``intersects`` with the buffer."""
    radii = np.asarray(radii, dtype=float)
    live = np.flatnonzero(np.isfinite(radii) & (radii > 0) & ~shapely.is_empty(sources))
    keep = np.flatnonzero(~shapely.is_empty(outlines))
    if not len(live) or not len(keep):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    sources, radii, outlines = sources[live], radii[live], outlines[keep].copy()
    h_idx, u_idx = shapely.STRtree(outlines).query(sources, predicate="dwithin", distance=radii)
    shapely.prepare(outlines)
    points = np.flatnonzero(shapely.get_type_id(sources[h_idx]) == 0)
    sure = np.zeros(len(h_idx), dtype=bool)
    sure[points] = shapely.contains_properly(outlines[u_idx[points]], sources[h_idx[points]])
    near = points[~sure[points]]
    apothem = radii[h_idx[near]] * math.cos(math.pi / (4 * QUAD_SEGS)) * (1.0 - 1e-9)
    sure[near] = shapely.distance(sources[h_idx[near]], outlines[u_idx[near]]) < apothem
    exact = np.flatnonzero(~sure)
    if len(exact):
        circles = shapely.buffer(sources[h_idx[exact]], radii[h_idx[exact]], quad_segs=QUAD_SEGS)
        sure[exact] = shapely.intersects(circles, outlines[u_idx[exact]])
    h_idx, u_idx = live[h_idx[sure]], keep[u_idx[sure]]
    order = np.lexsort((u_idx, h_idx))
    return h_idx[order], u_idx[order]


def source_texts(hazards: pd.DataFrame, grade_zh: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Each source as a register names it, in English (``label name (grade)``) and Chinese
    (``label_zh name（grade in words）``, the English label where there is none); the id where the
    name is empty.

    >>> frame = pd.DataFrame({"id": ["H1", "H2"], "label": ["fuel station", "gas"],
    ...                       "label_zh": ["加油站", ""], "name": ["Shell", ""], "grade": ["II", "IV"]})
    >>> en, zh = source_texts(frame, {"II": "II级"})
    >>> en.tolist(), zh.tolist()
    (['fuel station Shell (II)', 'gas H2 (IV)'], ['加油站 Shell（II级）', 'gas H2（IV）'])
    """
    label, name, ident, grade = (hazards[c].to_numpy(dtype=object) for c in ("label", "name", "id", "grade"))
    label_zh = (
        hazards["label_zh"].to_numpy(dtype=object) if "label_zh" in hazards.columns else [""] * len(label)
    )
    rows = list(zip(label, label_zh, name, ident, grade, strict=True))
    en = [f"{lab} {nam or i} ({g})" for lab, _, nam, i, g in rows]
    zh = [f"{lab_zh or lab} {nam or i}（{grade_zh.get(g, g)}）" for lab, lab_zh, nam, i, g in rows]
    return np.array(en, dtype=object), np.array(zh, dtype=object)
