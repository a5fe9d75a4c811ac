"""The OSM extent's footprint (:mod:`urbanrisk.osm_footprint`) from the hull of a line through the
content's points, not of their multipoint (0.5 s of Point objects on 64 tiles): the same footprint,
in any order of the points, on the triangle cut (a polygon footprint) and Wudaokou (its box)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from conftest import DATA, WUDAOKOU_OSM
from urbanrisk.layers.osm import osm_from_file
from urbanrisk.osm_footprint import box_footprint, street_junctions


def _content(path) -> tuple[tuple[float, float, float, float], np.ndarray]:
    """An extract's header box and its content's points (buildings', places', street junctions)."""
    osm = osm_from_file(path)
    frames = (osm.buildings, osm.pois)
    points = [shapely.get_coordinates(shapely.point_on_surface(f.geometry.to_numpy())) for f in frames]
    return osm.bounds, np.concatenate([*points, street_junctions(osm.streets, osm.street_nodes)])


@pytest.mark.parametrize(
    ("path", "share"), [(DATA / "baltimore_se_triangle.osm.pbf", 0.578), (WUDAOKOU_OSM, 1.0)]
)
def test_the_footprint_is_the_multipoint_hulls_in_any_order(path, share):
    box, points = _content(path)
    footprint = box_footprint(box, points)
    assert round(footprint.area / shapely.box(*box).area, 3) == share
    # the reference: the multipoint's hull, widened and cut as box_footprint does
    inside = points[shapely.intersects_xy(shapely.box(*box), points[:, 0], points[:, 1])]
    hull = shapely.convex_hull(shapely.multipoints(inside))
    assert shapely.to_wkb(shapely.convex_hull(shapely.linestrings(inside))) == shapely.to_wkb(hull)
    for seed in range(3):
        shuffled = points[np.random.default_rng(seed).permutation(len(points))]
        assert shapely.to_wkb(box_footprint(box, shuffled)) == shapely.to_wkb(footprint)


def test_junctions_are_nodes_shared_by_two_ways_or_one_way_twice():
    streets = pd.DataFrame({"node_ids": [[1, 2, 3], [3, 4], [5, 6, 5], []]})
    nodes = pd.DataFrame({"lon": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "lat": 1.0}, index=[1, 2, 3, 4, 5, 6])
    assert street_junctions(streets, nodes).tolist() == [[2.0, 1.0], [4.0, 1.0]]
