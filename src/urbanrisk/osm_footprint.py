"""Where an OSM extract's data are: its declared box, less what no content of the extract reaches.

An extract's header declares a box, and the run took it as the data's extent
(:func:`urbanrisk.completeness.osm_extent`). An ``osmium extract --polygon`` cut declares the
polygon's *bounding* box, while its data cover the polygon only: a triangle cut leaves half its box
empty. Taken as the extent, that box made the cells of its empty half measured and empty (no
buildings, no crowding: graded IV) and a street cut at the polygon's side a street that ends there
(its far cells uncovered, "not connected", not unknown): on a triangle cut of south-east Baltimore at
r10 (``tests/data/baltimore_se_triangle.osm.pbf``), 795 cells beyond the triangle graded IV and 180
cells (2,847 residents) uncovered.

A declared box's extent is therefore the box intersected with the convex hull of the extract's
*content* inside it, widened by :data:`CONTENT_MARGIN_M`: the representative points of its buildings
and places, and its street junctions. Not every street node: a complete-ways cut keeps each street
it cuts whole, running past the polygon to its end, while a place (a node) is kept only inside the
polygon, a building is small, and the streets that met a cut street past the polygon are gone, so
its nodes there are no junctions. A street node beyond the hull lies outside the data, and the piece
it belongs to leaves the data (:func:`urbanrisk.snap_reasons.leaving_nodes`).

A box cut of a city has content to each of its sides, but leaves slivers without any where water, a
forest or a motorway meets its edge: where the footprint covers at least :data:`POLYGON_CUT_SHARE` of
the box, the extent stays the box (every shipped extract and box clip: the outputs do not change).

Limits: the hull is convex, so a concave polygon's notches stay in the extent, as its box's corners
did; two cut streets meeting past the polygon (a junction there) or a cut industrial area push the
hull out (up to 265 m on the triangle: 125 of its 795 outside cells stay data); a corner of the
polygon without content falls outside (3 cells of the triangle's acute corner: coverage unknown).
Layers held in stores (``compute.ingest: partitioned``) keep their declared boxes: their content is
not in memory.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import shapely
import shapely.affinity
from shapely.geometry.base import BaseGeometry

from .antimeridian import wrap_box
from .result import Layers

Bounds = tuple[float, float, float, float]

#: How far beyond its outermost content (buildings, places) an extract's data are taken to reach, in
#: metres: about half a city block, so that a box cut's streets between its last building and its
#: edge stay inside it, while a polygon cut's streets reaching a block past the polygon leave it.
CONTENT_MARGIN_M = 100.0
#: A declared box whose content (hull and margin) covers less than this share of it is a polygon cut
#: and its extent is that footprint; otherwise the box. Box cuts leave slivers without content where
#: water, a forest or a motorway meets their edge (south-west Baltimore's clip 0.946, Wudaokou 0.977,
#: the demo 1.0); a triangle or diamond cut covers about half its box (0.55, 0.58).
POLYGON_CUT_SHARE = 0.9
#: Metres per degree of latitude (the local scale of lon/lat to metres).
METRES_PER_DEGREE = 111_320.0


def street_junctions(streets: pd.DataFrame, nodes: pd.DataFrame) -> np.ndarray:
    """The lon/lat points (n x 2) of the street nodes that two or more street ways share (or one way
    twice): a complete-ways cut keeps a cut street's nodes past the polygon, but not the streets that
    meet it there.

    Examples
    --------
    >>> streets = pd.DataFrame({"node_ids": [[1, 2, 3], [3, 4], [5, 6]]})
    >>> nodes = pd.DataFrame({"lon": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "lat": 0.0}, index=[1, 2, 3, 4, 5, 6])
    >>> street_junctions(streets, nodes).tolist()
    [[2.0, 0.0]]
    """
    if "node_ids" not in streets.columns or not len(streets) or not len(nodes):
        return np.empty((0, 2))
    # one iterator over every way's ids: 5x faster than an array per way (64 tiles: 0.06 -> 0.012 s)
    refs = np.fromiter(itertools.chain.from_iterable(streets["node_ids"]), dtype=np.int64)
    ids, counts = np.unique(refs, return_counts=True)
    shared = nodes.reindex(ids[counts >= 2])[["lon", "lat"]].dropna()
    return shared.to_numpy(dtype=float)


def content_points(layers: Layers) -> np.ndarray:
    """The lon/lat points (n x 2) of the extracts' content: each building's and each place's
    representative point, and the street junctions (:func:`street_junctions`); empty for stored
    layers (their buildings are not in memory)."""
    if layers.store is not None:
        return np.empty((0, 2))
    frames = [f for f in (layers.buildings, layers.pois) if f is not None and len(f)]
    points = [shapely.get_coordinates(shapely.point_on_surface(f.geometry.to_numpy())) for f in frames]
    points.append(street_junctions(layers.streets, layers.street_nodes))
    return np.concatenate(points)


def box_footprint(box: Bounds, points: np.ndarray, margin_m: float = CONTENT_MARGIN_M) -> BaseGeometry:
    """The part of a declared lon/lat ``box`` its content reaches: the box intersected with the
    convex hull of ``points`` inside it widened by ``margin_m``, where that leaves out more than
    1 - :data:`POLYGON_CUT_SHARE` of the box (a polygon cut); else, and when fewer than three points
    lie in it (no basis) or it crosses 180°, the whole box.

    Examples
    --------
    >>> box = (0.0, 0.0, 0.01, 0.01)  # ~1.1 km a side at the equator; content in its lower-left half
    >>> points = np.array([[0.0, 0.0], [0.009, 0.0], [0.0, 0.009], [0.5, 0.5]])
    >>> part = box_footprint(box, points, margin_m=0.0)
    >>> round(part.area / shapely.box(*box).area, 3)  # the triangle, the point outside the box left out
    0.405
    >>> box_footprint(box, points[:2]).equals(shapely.box(*box))  # two points: the box
    True
    """
    whole = wrap_box(*box)
    if box[0] > box[2] or len(points) == 0:
        return whole
    inside = points[shapely.intersects_xy(whole, points[:, 0], points[:, 1])]
    # the hull of a line through the points: the same hull as their multipoint's (GEOS takes the
    # coordinates' set), without one Point object per point (97k points on 64 tiles: 0.5 s -> 0.01 s)
    hull = shapely.convex_hull(shapely.linestrings(inside)) if len(inside) >= 3 else None
    if hull is None or hull.geom_type != "Polygon":  # fewer than three points not in a line
        return whole
    if margin_m > 0:
        # widened in metres on the box's local scale: a degree of longitude is cos(lat) of one of latitude
        scale = math.cos(math.radians((box[1] + box[3]) / 2.0))
        stretched = shapely.affinity.scale(hull, xfact=scale, yfact=1.0, origin=(0.0, 0.0))
        widened = shapely.buffer(stretched, margin_m / METRES_PER_DEGREE)
        hull = shapely.affinity.scale(widened, xfact=1.0 / scale, yfact=1.0, origin=(0.0, 0.0))
    footprint = shapely.intersection(whole, hull)
    return footprint if footprint.area < POLYGON_CUT_SHARE * whole.area else whole


def footprints(boxes: list[Bounds], layers: Layers) -> list[BaseGeometry]:
    """Each declared box's footprint (:func:`box_footprint`) from the layers' content, made once and
    kept on the layers (``osm_footprints``): a run asks for its extent three times (the cells' flags,
    coverage, its partitions), 0.12 s of CPU on 64 tiles of the synthetic metropolis (0.54 s with a
    multipoint of the content's 97k points and one array of node ids a street)."""
    if layers.osm_footprints is None or len(layers.osm_footprints) != len(boxes):
        points = content_points(layers)
        layers.osm_footprints = [box_footprint(b, points) for b in boxes]
    return list(layers.osm_footprints)
