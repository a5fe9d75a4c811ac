"""The stages after the grid make the cell polygons they need from the cells' ids (urbanrisk.cell_shapes):
each reader gives what it gave from the grid's polygons, in cases laid out by hand and against the
polygons themselves (the formula main used)."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

import urbanrisk.cell_units
import urbanrisk.completeness
from urbanrisk import cell_shapes
from urbanrisk.cell_circles import circle_cells
from urbanrisk.cell_disks import cell_latlng
from urbanrisk.cell_shapes import cell_reach_deg, in_batches
from urbanrisk.cell_units import UNASSIGNED, cell_units
from urbanrisk.circle_overlap import circle_sums
from urbanrisk.completeness import _extent_mask
from urbanrisk.grid import cells_to_polygons
from urbanrisk.screens.hazard_sources import residents_in_circles

CENTRE = h3.latlng_to_cell(39.9916, 116.3317, 10)  # Wudaokou
UTM = "EPSG:32650"


def _disk(cell: str, k: int) -> pd.Index:
    return pd.Index(sorted(h3.grid_disk(cell, k)), name="h3_cell")


def _covered(polygons: np.ndarray, extent) -> np.ndarray:
    """Main's rule on the grid's polygons: overlapping the extent by more than an edge or a corner."""
    return shapely.intersects(polygons, extent) & ~shapely.touches(polygons, extent)


@pytest.mark.parametrize(
    ("lat", "lng", "resolution"),
    [(39.99, 116.33, 10), (5.56, -0.21, 9), (-33.9, 18.4, 12), (64.1, -21.9, 7), (80.0, 10.0, 10)],
)
def test_no_vertex_of_a_cell_lies_beyond_its_reach(lat, lng, resolution):
    cells = _disk(h3.latlng_to_cell(lat, lng, resolution), 6)
    latlng = cell_latlng(cells)
    reach = cell_reach_deg(latlng, resolution)
    xy, owner = shapely.get_coordinates(cells_to_polygons(cells), return_index=True)
    far = np.zeros((len(cells), 2))
    np.maximum.at(far, owner, np.abs(xy - latlng[owner, ::-1]))
    assert np.isfinite(reach).all()
    assert (far < reach).all()
    assert (reach < 2.5 * far).all()  # a bound, not every cell near every edge


def test_a_pentagon_and_cells_near_180_or_a_pole_are_bounded_or_left_to_their_polygon():
    for pentagon in h3.get_pentagons(10):
        latlng = cell_latlng([pentagon])
        xy = shapely.get_coordinates(cells_to_polygons([pentagon]))
        reach = cell_reach_deg(latlng, 10)[0]
        assert (np.abs(xy - latlng[0, ::-1]) < reach).all() or not np.isfinite(reach).all()
    near = cell_reach_deg(np.array([[0.0, 179.9995], [86.0, 30.0], [0.0, 179.9]]), 10)
    assert np.isinf(near[:2]).all() and np.isfinite(near[2]).all()


def test_polygons_in_batches_are_the_grids():
    cells = _disk(CENTRE, 5)  # 91 cells
    whole = cells_to_polygons(cells)
    assert shapely.equals_exact(in_batches(cells, lambda p: p, batch=7), whole, tolerance=0).all()
    utm = gpd.GeoSeries(whole, crs=4326).to_crs(UTM).to_numpy()
    made = circle_cells(cells, UTM, batch=10).polygons(np.arange(len(cells)))
    assert shapely.equals_exact(made, utm, tolerance=0).all()
    assert len(in_batches(pd.Index([], dtype=str), shapely.area)) == 0


def test_a_cell_touching_the_data_extent_at_a_corner_is_outside_it_by_hand():
    """EDGE's easternmost vertex on a box's west edge: they touch, the data cover none of the cell;
    the box a millionth of a degree further west covers a sliver of it."""
    polygon = cells_to_polygons([CENTRE])[0]
    xy = shapely.get_coordinates(polygon)
    east = xy[:, 0].max()
    lat = xy[xy[:, 0].argmax(), 1]
    touching = (east, lat - 0.01, east + 0.02, lat + 0.01)
    sliver = (east - 1e-6, lat - 0.01, east + 0.02, lat + 0.01)
    inside = (east - 0.01, lat - 0.01, east + 0.02, lat + 0.01)  # the whole cell within it
    cells = pd.Index([CENTRE])
    assert polygon.touches(box(*touching))
    assert _extent_mask(cells, [touching]).tolist() == [False]
    assert _extent_mask(cells, [sliver]).tolist() == [True]
    assert _extent_mask(cells, [inside]).tolist() == [True]
    assert _extent_mask(cells, [touching, sliver]).tolist() == [True]
    assert _extent_mask(cells, []).tolist() == [False]


def test_the_extent_mask_from_the_centres_is_the_polygons_rule(monkeypatch):
    cells = _disk(CENTRE, 30)  # 2,791 cells ~2.3 km across
    polygons = cells_to_polygons(cells)
    lat, lng = h3.cell_to_latlng(CENTRE)
    edges = shapely.get_coordinates(polygons)  # boxes whose edges run through the cells' vertices
    boxes = [
        (lng - 0.004, lat - 0.003, lng + 0.005, lat + 0.002),
        (edges[17, 0], edges[40, 1], edges[900, 0], edges[901, 1]),
        (lng + 0.01, lat - 0.5, lng + 0.02, lat + 0.5),  # a strip: some cells clear of it
    ]
    for chosen in ([boxes[0]], [boxes[1]], boxes):
        extent = shapely.union_all([box(*b) for b in chosen])
        got = _extent_mask(cells, chosen)
        assert got.tolist() == _covered(polygons, extent).tolist()
        assert 0 < got.sum() < len(cells)
    # most cells are told from their centre (the mask makes the polygons of those near an edge only)
    made = []
    real = urbanrisk.completeness.in_batches
    monkeypatch.setattr(
        urbanrisk.completeness, "in_batches", lambda c, use: made.append(len(c)) or real(c, use)
    )
    assert _extent_mask(cells, [boxes[0]]).tolist() == _covered(polygons, box(*boxes[0])).tolist()
    assert 0 < made[0] < len(cells) / 4


def test_a_box_cuts_footprint_is_told_from_the_centres_like_its_box(monkeypatch):
    """A box cut's footprint is its declared box as a polygon (:func:`urbanrisk.osm_footprint.box_footprint`):
    the same mask as the box's, with polygons made only for the cells along its sides (every cell's
    before: 116,645 cells three times a run at 256 tiles)."""
    cells = _disk(CENTRE, 30)
    polygons = cells_to_polygons(cells)
    lat, lng = h3.cell_to_latlng(CENTRE)
    bounds = (lng - 0.004, lat - 0.003, lng + 0.005, lat + 0.002)
    made = []
    real = urbanrisk.completeness.in_batches
    monkeypatch.setattr(
        urbanrisk.completeness, "in_batches", lambda c, use: made.append(len(c)) or real(c, use)
    )
    got = _extent_mask(cells, [box(*bounds)])
    assert got.tolist() == _covered(polygons, box(*bounds)).tolist() == _extent_mask(cells, [bounds]).tolist()
    assert 0 < got.sum() < len(cells)
    assert 0 < made[0] == made[1] < len(cells) / 4


def test_the_extent_mask_of_a_footprint_is_the_polygons_rule():
    """A polygon cut's footprint (:func:`urbanrisk.osm_footprint.footprints`: a shape, not a box) is
    told by the cells' polygons, never by its bounding box: a triangle covering the disk's south-west
    half, alone and beside a box, gives what every cell's polygon gives."""
    cells = _disk(CENTRE, 30)
    polygons = cells_to_polygons(cells)
    lat, lng = h3.cell_to_latlng(CENTRE)
    triangle = shapely.Polygon(
        [(lng - 0.03, lat - 0.03), (lng + 0.012, lat - 0.03), (lng - 0.03, lat + 0.01)]
    )
    strip = (lng + 0.01, lat - 0.5, lng + 0.02, lat + 0.5)
    for chosen in ([triangle], [strip, triangle]):
        extent = shapely.union_all([c if isinstance(c, shapely.Geometry) else box(*c) for c in chosen])
        got = _extent_mask(cells, chosen)
        assert got.tolist() == _covered(polygons, extent).tolist()
        assert 0 < got.sum() < len(cells)
    inside_box_not_triangle = _covered(polygons, box(*triangle.bounds)) & ~_covered(polygons, triangle)
    assert inside_box_not_triangle.sum() > 100  # the box would have told these cells covered


def test_the_extent_mask_past_180_degrees():
    cells = _disk(h3.latlng_to_cell(-16.5, 179.99, 9), 8)
    polygons = cells_to_polygons(cells)  # cut at 180°
    raster = (179.98, -16.6, 180.3, -16.4)  # a raster's box given past 180°
    from urbanrisk.antimeridian import wrap_box

    got = _extent_mask(cells, [raster])
    assert got.tolist() == _covered(polygons, wrap_box(*raster)).tolist()
    assert 0 < got.sum() < len(cells)


def _nested_units(cells: pd.Index) -> gpd.GeoDataFrame:
    """Three units whose borders run through cells (and one through a cell's centre)."""
    lat, lng = h3.cell_to_latlng(CENTRE)
    return gpd.GeoDataFrame(
        {"id": ["west", "east", "north"], "parent": ["P", "P", "Q"]},
        geometry=[
            box(lng - 0.004, lat - 0.004, lng, lat),  # its east edge through CENTRE's centre
            box(lng, lat - 0.004, lng + 0.0031, lat + 0.00013),
            box(lng - 0.002, lat + 0.0005, lng + 0.002, lat + 0.003),
        ],
        crs=4326,
    )


def test_the_units_of_cells_made_from_their_ids_are_those_of_the_grids_polygons(monkeypatch):
    cells = _disk(CENTRE, 20)
    units = _nested_units(cells)
    polygons = cells_to_polygons(cells)
    expected = cell_units(cells, units, polygons=polygons)
    monkeypatch.setattr(urbanrisk.cell_units, "POLYGON_BATCH", 13)  # many batches
    got = cell_units(cells, units)
    pd.testing.assert_series_equal(got, expected)
    above = pd.Series(np.where(np.arange(len(cells)) % 3 == 0, "Q", "P"), index=cells)
    pd.testing.assert_series_equal(
        cell_units(cells, units, above=above), cell_units(cells, units, above=above, polygons=polygons)
    )
    counts = got.value_counts()
    assert {"west", "east", "north", UNASSIGNED} <= set(counts.index)
    # CENTRE's centre lies on the west unit's east edge (both units' border): in neither, it goes
    # to the unit covering more of it: by hand, the border runs through its centre and the east unit
    # ends 0.00013° north of it, the west unit at its centre's latitude: the east unit covers more
    lat, lng = h3.cell_to_latlng(CENTRE)
    west, east = units.geometry[0], units.geometry[1]
    polygon = cells_to_polygons([CENTRE])[0]
    assert not west.contains(shapely.Point(lng, lat)) and not east.contains(shapely.Point(lng, lat))
    assert polygon.intersection(east).area > polygon.intersection(west).area > 0
    assert got[CENTRE] == expected[CENTRE] == "east"


def test_residents_in_circles_from_the_cells_ids_are_the_grids():
    cells = _disk(CENTRE, 25)
    polygons = cells_to_polygons(cells)
    rng = np.random.default_rng(17)
    residents = rng.uniform(0, 300, len(cells))
    grid = gpd.GeoDataFrame({"residents": residents}, geometry=polygons, index=cells, crs=4326)
    bare = pd.DataFrame({"residents": residents}, index=cells)  # no polygon at all
    centres = gpd.GeoSeries(gpd.points_from_xy([116.3317, 116.335], [39.9916, 39.99]), crs=4326)
    xy = shapely.get_coordinates(centres.to_crs(UTM).to_numpy())
    radii = np.array([150.0, 420.0])
    main = residents_in_circles(grid, xy, radii, UTM, cells_utm=grid.geometry.to_crs(UTM).to_numpy())
    got = residents_in_circles(bare, xy, radii, UTM)
    assert got.tolist() == main.tolist()  # the same bits
    assert 0 < got[0] < got[1] < residents.sum()
    weights = np.column_stack([residents, np.ones(len(cells))])
    assert np.array_equal(
        residents_in_circles(bare, xy, radii, UTM, weights),
        residents_in_circles(grid, xy, radii, UTM, weights, cells_utm=grid.geometry.to_crs(UTM).to_numpy()),
    )


@pytest.mark.parametrize("seed", [3, 11])
def test_circle_sums_from_the_cells_ids_add_the_same_pairs_in_the_same_order(seed):
    """The sums over the whole grid's projected polygons (main's: one tree of them) and those that make
    only the polygons of the cells a circle reaches, to the bit: the same pairs added in the same order
    (sums of floats in another order differ in their last bits: the weights below make them)."""
    rng = np.random.default_rng(seed)
    cells = pd.Index(sorted(h3.cell_to_children(h3.cell_to_parent(CENTRE, 6), 10)))  # 16,807 cells
    utm = gpd.GeoSeries(cells_to_polygons(cells), crs=4326).to_crs(UTM).to_numpy()
    weights = rng.uniform(0, 1, (len(cells), 3)) * np.array([1.0, 1e6, 1e-6]) + np.pi
    x0, y0, x1, y1 = shapely.total_bounds(utm)
    n = 60
    centres = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
    radii = rng.choice([0.0, 40.0, 150.0, 500.0, 1000.0, 2500.0], n)
    main = circle_sums(utm, weights, centres, radii)
    prepared = circle_cells(cells, UTM, batch=5_000)
    got = prepared.sums(weights, centres, radii)
    assert np.array_equal(got, main)
    assert np.array_equal(
        prepared.sums(weights[:, 0], centres, radii), circle_sums(utm, weights[:, 0], centres, radii)
    )
    assert (main[:, 0] > 0).sum() > n / 2 and (main[radii == 0] == 0).all()
    tree = shapely.STRtree(utm)  # the order matters: sorted by cell, the same pairs give other bits
    h_idx, c_idx = tree.query(
        shapely.points(centres[radii > 0]), predicate="dwithin", distance=radii[radii > 0]
    )
    assert not all(np.all(np.diff(c_idx[h_idx == i]) > 0) for i in np.unique(h_idx))
    assert prepared.edge_width == 6


def test_the_reach_constants_say_what_they_bound():
    assert cell_shapes.REACH_EDGES > 1.1  # the farthest vertex: 1.10 x the average edge at most
    assert cell_shapes.KM_PER_DEGREE < 110.574  # a degree of latitude at the equator, the shortest


def _assert_same(got, expected, name: str) -> None:
    """Tables equal to the bit (geometries exactly), dicts and lists key by key."""
    if isinstance(got, pd.DataFrame):
        pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=name)
    elif isinstance(got, dict):
        assert got.keys() == expected.keys(), name
        for key in got:
            _assert_same(got[key], expected[key], f"{name}.{key}")
    else:
        assert got == expected, name


@pytest.mark.parametrize("which", ["wudaokou", "accra"])
def test_the_stages_after_the_grid_hold_no_polygons_and_give_what_they_gave_with_them(
    which, tmp_path, monkeypatch
):
    """Every reader of the grid after its stage (extent masks, the hazard screen's circles, the
    communities' and the responsibility list's units, grades) on a grid without polygons gives what
    it gave on main, where the grid held them through every stage; the result's grid has them."""
    import urbanrisk as ur
    from conftest import accra_recipe, default_recipe
    from urbanrisk import pipeline

    path = default_recipe(tmp_path, grid={"resolution": 9}) if which == "wudaokou" else accra_recipe(tmp_path)
    recipe = ur.load_recipe(path)
    seen = []
    real = pipeline.complete_run

    def spy(recipe, layers, area, grid, *args, **kwargs):
        seen.append(int(grid.geometry.notna().sum()))
        return real(recipe, layers, area, grid, *args, **kwargs)

    monkeypatch.setattr(pipeline, "complete_run", spy)
    got = pipeline.compute_run(recipe, scheduler="synchronous")
    monkeypatch.setattr(pipeline, "without_polygons", lambda grid: grid)  # main: polygons held throughout
    real_build = pipeline.build_grid  # ... made by the grid stage (the run's own makes none: polygons=False)
    monkeypatch.setattr(
        pipeline, "build_grid", lambda *args, **kwargs: real_build(*args, **kwargs | {"polygons": True})
    )
    expected = pipeline.compute_run(recipe, scheduler="synchronous")
    assert seen == [0, len(expected.grid)]
    assert got.grid.geometry.notna().all()  # made again for the result (no spool)
    _assert_same(got.grid, expected.grid, "grid")
    for name in ("hazard_sources", "communities", "key_districts", "urban_villages", "responsibility"):
        _assert_same(getattr(got.screens, name), getattr(expected.screens, name), name)
    for name in ("status", "unknown", "completeness", "registers"):
        _assert_same(getattr(got.screens, name), getattr(expected.screens, name), name)
    _assert_same(got.coverage.coverage, expected.coverage.coverage, "coverage")
    if which == "wudaokou":  # the readers ran: hazards in circles, units from land use, edge cells
        assert len(got.screens.hazard_sources) and got.screens.hazard_sources["residents_exposed"].sum() > 0
        assert (got.screens.communities["unit_source"] == "osm_residential_landuse").any()
        assert len(got.screens.responsibility)
    else:  # the raster's extent: some cells outside it
        assert got.grid["known_residents"].any()
