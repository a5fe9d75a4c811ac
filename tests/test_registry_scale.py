"""The registry-scale kernels (session 10) equal the per-source code they replaced, on hand cases."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from urbanrisk.circle_overlap import circle_sums
from urbanrisk.grade import hazard_intensity
from urbanrisk.grid import grid_frame

CENTRE = h3.latlng_to_cell(39.29, -76.61, 9)
UTM = "EPSG:32618"


def _grid() -> gpd.GeoDataFrame:
    return grid_frame(sorted(h3.grid_disk(CENTRE, 6)))


def _sources(grid: gpd.GeoDataFrame, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = grid.to_crs(UTM).total_bounds
    xy = np.column_stack([rng.uniform(minx + 300, maxx - 300, n), rng.uniform(miny + 300, maxy - 300, n)])
    radii = rng.choice([30.0, 50.0, 100.0, 200.0, 300.0, 500.0, 900.0], size=n)
    return xy, radii


def test_circle_sums_equal_geos_intersections_for_every_size_of_circle():
    # circles inside one cell, a few cells and many; a zero and a NaN radius cover nothing
    grid = _grid()
    cells = grid.geometry.to_crs(UTM).to_numpy()
    xy, radii = _sources(grid, 400, seed=3)
    radii[:2] = [0.0, np.nan]
    weights = np.column_stack([np.arange(len(cells), dtype=float), np.ones(len(cells))])
    polygons = shapely.buffer(shapely.points(xy[2:]), radii[2:], quad_segs=16)
    h_idx, c_idx = shapely.STRtree(cells).query(polygons, predicate="intersects")
    share = shapely.area(shapely.intersection(polygons[h_idx], cells[c_idx])) / shapely.area(cells[c_idx])
    expected = np.column_stack(
        [np.bincount(h_idx, weights=w[c_idx] * share, minlength=len(polygons)) for w in weights.T]
    )
    got = circle_sums(cells, weights, xy, radii)
    assert got.shape == (400, 2) and (got[:2] == 0).all()
    np.testing.assert_allclose(got[2:], expected, rtol=1e-11, atol=1e-9)
    assert (expected[:, 1] < 1).sum() > 20 and (expected[:, 1] > 10).sum() > 20  # small and large met
    np.testing.assert_allclose(circle_sums(cells, weights[:, 0], xy, radii), got[:, 0], rtol=1e-15)


def test_hazard_intensity_equals_the_loop_over_sources_it_replaced():
    from scipy.spatial import cKDTree

    from urbanrisk.grade import cell_centres_xy

    grid = _grid()
    xy, radii = _sources(grid, 300, seed=5)
    points = gpd.GeoSeries(shapely.points(xy), crs=UTM).to_crs(4326)
    rng = np.random.default_rng(5)
    hazards = gpd.GeoDataFrame(
        {"id": [f"H{i}" for i in range(300)], "impact_radius_m": radii, "severity": rng.integers(1, 5, 300)},
        geometry=points.to_numpy(),
        crs=4326,
    )
    hazards.loc[7, "geometry"] = hazards.loc[3, "geometry"]  # two sources at one place: the first wins
    hazards.loc[7, ["impact_radius_m", "severity"]] = hazards.loc[3, ["impact_radius_m", "severity"]]
    intensity, top = hazard_intensity(grid, hazards, utm_crs=UTM)
    centres = cell_centres_xy(grid.index, UTM)
    hz = hazards.to_crs(UTM)
    tree, total = cKDTree(centres), np.zeros(len(grid))
    best, ids = np.zeros(len(grid)), np.full(len(grid), "", dtype=object)
    for (hx, hy), r, sev, ident in zip(
        np.column_stack([hz.geometry.x, hz.geometry.y]),
        hz["impact_radius_m"],
        hz["severity"],
        hz["id"],
        strict=True,
    ):
        near = np.asarray(tree.query_ball_point((hx, hy), r=r), dtype=int)
        c = sev * (1.0 - np.hypot(centres[near, 0] - hx, centres[near, 1] - hy) / r)
        total[near] += c
        better = c > best[near]
        best[near[better]], ids[near[better]] = c[better], ident
    assert (intensity.to_numpy() == total).all()  # the same sums in the same order: equal to the bit
    assert (
        top.tolist() == ids.tolist() and (top != "").sum() > 50 and "H3" in set(top) and "H7" not in set(top)
    )
    assert isinstance(intensity, pd.Series)


def test_reaching_pairs_equal_the_join_with_buffered_circles():
    # session 11: units reached by a source's impact polygon; the old code buffered every source and
    # joined (intersects). Units: res-7 parents of the grid (non-convex outlines) and one empty.
    from urbanrisk.screens.hazard_reach import QUAD_SEGS, reaching_pairs

    grid = _grid()
    parents = sorted({h3.cell_to_parent(c, 7) for c in grid.index})
    units = grid_frame(parents).geometry.to_crs(UTM).to_numpy()
    xy, radii = _sources(grid, 400, seed=7)
    # a 1 mm square unit away from the others, with sources 200 m away whose polygon's corner or edge
    # faces it (the polygon's corners at multiples of 5.625°): reached iff the gap is within the
    # radius (corner) or the apothem (edge); 0.5 mm from the radius or the apothem either way
    spot = grid.to_crs(UTM).total_bounds[:2] - 5000.0
    units = np.append(units, [shapely.box(*(spot - 5e-4), *(spot + 5e-4)), shapely.Polygon()])
    apothem = 200.0 * np.cos(np.pi / (4 * QUAD_SEGS))
    cases = [
        (0.0, 200.0 - 1e-3),
        (0.0, 200.0 + 1e-3),
        (0.5, apothem - 1e-3),
        (0.5, apothem + 1e-3),
        (0.5, 199.9),
    ]
    for i, (turn, gap) in enumerate(cases):
        angle = np.pi + turn * np.pi / (2 * QUAD_SEGS)  # from the unit to the source
        xy[i], radii[i] = spot - gap * np.array([np.cos(angle), np.sin(angle)]), 200.0
    radii[10:12] = [0.0, np.nan]
    sources = shapely.points(xy)
    sources[12] = shapely.LineString([xy[12], xy[12] + 50.0])  # a source that is not a point
    h_idx, u_idx = reaching_pairs(units, sources, radii)
    circles = shapely.buffer(sources, np.nan_to_num(radii), quad_segs=QUAD_SEGS)
    want_h, want_u = shapely.STRtree(units).query(circles, predicate="intersects")
    order = np.lexsort((want_u, want_h))
    assert h_idx.tolist() == want_h[order].tolist() and u_idx.tolist() == want_u[order].tolist()
    assert 10 not in h_idx and 11 not in h_idx and 12 in h_idx and len(units) - 1 not in u_idx
    assert [i for i in range(5) if i in h_idx] == [0, 2]
    assert len(h_idx) > 400 and len(np.unique(u_idx)) > 5  # most sources reach one unit, many reach more


def test_circle_sums_where_the_outlines_touch_equal_geos():
    # session 11: the areas come from where the outlines cross; a polygon's corner on a cell's corner
    # or edge, a cell's corner on the polygon's outline or a circle inside one cell must still equal
    # GEOS (the doubtful pairs go to the full clip)
    from urbanrisk.circle_cross import crossing_areas, polygons
    from urbanrisk.circle_overlap import _templates
    from urbanrisk.convex_clip import convex_edges

    grid = _grid()
    cells = grid.geometry.to_crs(UTM).to_numpy()
    corner = shapely.get_coordinates(cells[len(cells) // 2])[0]
    middle = shapely.get_coordinates(shapely.centroid(cells[len(cells) // 2]))[0]
    radii = np.array([200.0, 200.0, 200.0, 35.0, 500.0, 150.0])
    templates, which, _ = _templates(radii)
    first = templates[which, 0]  # each circle's polygon's vertex 0, from its centre
    xy = np.array(
        [
            corner - first[1],  # vertex 0 on the cell's corner
            corner - first[1] * 0.5,  # the corner inside, at half the radius
            corner - [200.0, 0.0],  # the cell's corner on the circle (a polygon corner at 0°)
            middle,  # inside one cell
            middle + np.array([1e-7, 0.0]),
            corner + np.array([0.0, 150.0 * np.cos(np.pi / 64)]),  # the corner on an edge's middle (apothem)
        ]
    )
    weights = np.arange(1.0, len(cells) + 1.0)
    polygons_ = shapely.buffer(shapely.points(xy), radii, quad_segs=16)
    h_idx, c_idx = shapely.STRtree(cells).query(polygons_, predicate="intersects")
    share = shapely.area(shapely.intersection(polygons_[h_idx], cells[c_idx])) / shapely.area(cells[c_idx])
    expected = np.bincount(h_idx, weights=weights[c_idx] * share, minlength=len(xy))
    np.testing.assert_allclose(circle_sums(cells, weights, xy, radii), expected, rtol=1e-11)
    start, direction = convex_edges(cells[c_idx])
    _, doubtful = crossing_areas(start - xy[h_idx][:, None, :], direction, which[h_idx], polygons(templates))
    assert set(h_idx[doubtful]) >= {0, 2} and not doubtful[h_idx == 3].any()
