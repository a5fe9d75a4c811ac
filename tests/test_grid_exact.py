"""The grid stage's shortcuts give what they replace, bit for bit: the nearest street of every
building (GEOS's ``query_nearest``, ties included), counts and sums per cell (pandas grouped by
cell id)."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest
import shapely

import urbanrisk as ur
from conftest import BALTIMORE_PBF, default_recipe, write_recipe
from urbanrisk.cell_sums import cell_positions, counts_at, sums_at
from urbanrisk.grid import cell_str_to_ints
from urbanrisk.inputs import load_layers
from urbanrisk.nearest_street import nearest_streets

UTM18 = "EPSG:32618"


@pytest.fixture(scope="module")
def baltimore(tmp_path_factory) -> tuple[np.ndarray, np.ndarray]:
    """Baltimore's buildings and streets (the shipped extract) in UTM."""
    folder = tmp_path_factory.mktemp("baltimore")
    body = {
        "name": "b",
        "area": {"layer": "osm"},
        "grid": {"resolution": 9},
        "layers": {"osm": {"type": "osm", "path": str(BALTIMORE_PBF)}},
        "outputs": {"dir": str(folder / "out")},
    }
    layers = load_layers(ur.load_recipe(write_recipe(folder, body)))
    return (
        layers.buildings.geometry.to_crs(UTM18).to_numpy(),
        layers.streets.geometry.to_crs(UTM18).to_numpy(),
    )


def test_nearest_streets_are_geos_answers_on_real_buildings_ties_included(baltimore):
    buildings, streets = baltimore
    tree = shapely.STRtree(streets)
    expected = tree.query_nearest(buildings, all_matches=False)
    got = nearest_streets(tree, streets, buildings)
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
    # the real data holds what the shortcut must hand to GEOS: ties, and buildings far from streets
    tied, _ = tree.query_nearest(buildings, all_matches=True)
    assert len(tied) > len(expected[0])
    (_, _), distance = tree.query_nearest(buildings, all_matches=False, return_distance=True)
    assert (distance > 100.0).any()


def test_nearest_streets_by_hand_with_a_tie_and_empty_geometries():
    streets = np.array(
        [
            shapely.LineString([(0, 0), (10, 0)]),
            shapely.LineString([(0, 30), (10, 30)]),
            shapely.LineString([(500, 0), (500, 10)]),
        ]
    )
    houses = np.array(
        [
            shapely.box(2, 5, 4, 7),  # 5 m from street 0
            shapely.box(2, 14, 4, 16),  # 14 m from streets 0 and 1: GEOS's choice
            None,  # no geometry: no answer, as GEOS
            shapely.box(300, 0, 302, 2),  # beyond every search radius: 198 m from street 2
        ]
    )
    tree = shapely.STRtree(streets)
    got = nearest_streets(tree, streets, houses)
    expected = tree.query_nearest(houses, all_matches=False)
    assert [v.tolist() for v in got] == [v.tolist() for v in expected]
    assert got[0].tolist() == [0, 1, 3] and got[1][[0, 2]].tolist() == [0, 2]


def test_counts_and_sums_per_cell_equal_pandas_grouped_by_cell_id():
    rng = np.random.default_rng(7)
    centre = h3.latlng_to_cell(39.9916, 116.3317, 10)
    cells = sorted(h3.grid_disk(centre, 3))[::-1]  # any order
    index = pd.Index(cells, name="h3_cell", dtype="str")
    pick = rng.integers(0, len(cells) + 5, 4000)  # some points in no cell of the partition
    ids = np.where(pick < len(cells), cell_str_to_ints(cells)[np.minimum(pick, len(cells) - 1)], np.uint64(1))
    positions = cell_positions(cell_str_to_ints(cells), ids)
    assert np.array_equal(positions, np.where(pick < len(cells), pick, -1))
    strings = pd.Series(ids).map(lambda v: format(int(v), "x"))
    expected = strings.groupby(strings).size().reindex(index, fill_value=0).astype(float)
    assert np.array_equal(counts_at(positions, len(cells)), expected.to_numpy())
    # sums where the order and compensation of the summation show in the last bits
    values = rng.normal(0, 1, len(ids)) * 10.0 ** rng.integers(-8, 9, len(ids))
    inside = positions >= 0
    old = (
        pd.DataFrame({"v": values[inside]}, index=pd.Index(strings[inside].to_numpy(), name="h3_cell"))
        .groupby(level=0)
        .sum()
        .reindex(index, fill_value=0.0)
    )
    new = sums_at(positions[inside], len(cells), {"v": values[inside]}, index)
    assert new.index.equals(old.index)
    assert np.array_equal(new["v"].to_numpy().view(np.int64), old["v"].to_numpy().view(np.int64))
    naive = np.bincount(positions[inside], weights=values[inside], minlength=len(cells))
    assert not np.array_equal(naive, old["v"].to_numpy())  # plain summation would differ


def test_cell_polygons_made_once_in_the_driver_give_the_same_tables_and_grid(tmp_path):
    import dataclasses

    import geopandas as gpd

    from urbanrisk.grid import cells_from_area
    from urbanrisk.indicators import partition_indicators
    from urbanrisk.partitions import grid_from_tables, partition_inputs, utm_crs_for
    from urbanrisk.pipeline import study_area

    # several partitions on the small sample
    recipe = ur.load_recipe(default_recipe(tmp_path, grid={"resolution": 10, "partition_resolution": 8}))
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    cells = cells_from_area(area, recipe.grid.resolution)
    inputs = partition_inputs(recipe, layers, area, cells, utm_crs=utm_crs_for(area))
    assert len(inputs) > 1 and all(task.polygons is not None for task in inputs)
    tables = [partition_indicators(task) for task in inputs]
    for task, table in list(zip(inputs, tables, strict=True))[:3]:  # made again in the task
        fresh = partition_indicators(dataclasses.replace(task, polygons=None))
        pd.testing.assert_frame_equal(table, fresh, check_exact=True)
    made = grid_from_tables(tables, layers.population_source)
    for given in (inputs, inputs[:1]):  # every cell's polygon handed over; or too few: made again
        grid = grid_from_tables(tables, layers.population_source, inputs=given)
        assert isinstance(grid, gpd.GeoDataFrame) and grid.index.equals(made.index)
        assert shapely.equals_exact(grid.geometry.to_numpy(), made.geometry.to_numpy(), tolerance=0).all()
        pd.testing.assert_frame_equal(
            grid.drop(columns="geometry"), made.drop(columns="geometry"), check_exact=True
        )


def _lonlat(geometries: np.ndarray) -> np.ndarray:
    import geopandas as gpd

    return gpd.GeoSeries(geometries, crs=UTM18).to_crs(4326).to_numpy()


def test_meeting_pairs_are_the_cell_tree_query_in_feature_order(baltimore):
    from urbanrisk.cell_overlaps import meeting_pairs
    from urbanrisk.grid import cells_from_area
    from urbanrisk.indicators import cells_polygons_utm

    buildings, streets = baltimore
    cells = cells_from_area(shapely.box(*shapely.total_bounds(_lonlat(buildings))), 10)
    c_utm = cells_polygons_utm(cells, UTM18)
    for features in (buildings, streets):
        f_idx, c_idx = shapely.STRtree(c_utm).query(features, predicate="intersects")
        got_f, got_c = meeting_pairs(features, c_utm)
        assert len(got_f) > 1000 and len(got_f) == len(f_idx)
        order = np.lexsort((c_idx, f_idx))
        assert np.array_equal(got_f, f_idx[order]) and np.array_equal(got_c, c_idx[order])
        # the cell tree's own answer lists each cell's features in feature order too, so a sum per
        # cell in row order (pandas' grouped sum) adds the same numbers in the same order
        by_cell = np.argsort(c_idx, kind="stable")
        same_cell = c_idx[by_cell][1:] == c_idx[by_cell][:-1]
        assert (np.diff(f_idx[by_cell])[same_cell] > 0).all()


def test_street_access_tests_crossings_with_other_buildings_only(baltimore):
    import geopandas as gpd

    from urbanrisk.grid import cells_from_area
    from urbanrisk.indicators import representative_cells, street_access_to_cells

    buildings, streets = baltimore
    b_frame = gpd.GeoDataFrame(geometry=_lonlat(buildings), crs=4326)
    s_frame = gpd.GeoDataFrame(
        {"highway": ["residential"] * len(streets)}, geometry=_lonlat(streets), crs=4326
    )
    cells = cells_from_area(shapely.box(*b_frame.total_bounds), 9)
    got = street_access_to_cells(
        b_frame, s_frame, cells, resolution=9, utm_crs=UTM18, buildings_utm=buildings, streets_utm=streets
    )
    # as written before: each line tested against every building it crosses, its own one dropped after
    positions = cell_positions(cell_str_to_ints(cells), representative_cells(b_frame.geometry.to_numpy(), 9))
    own = np.flatnonzero(positions >= 0)
    b_idx, s_idx = shapely.STRtree(streets).query_nearest(buildings[own], all_matches=False)
    lines = shapely.shortest_line(buildings[own][b_idx], streets[s_idx])
    l_idx, hit = shapely.STRtree(buildings).query(lines, predicate="crosses")
    blocked = np.zeros(len(own), dtype=bool)
    blocked[b_idx[l_idx[hit != own[b_idx][l_idx]]]] = True
    expected = counts_at(positions[own][blocked], len(cells))
    assert expected.sum() > 10
    assert np.array_equal(got["buildings_no_street_access"].to_numpy(), expected)


def test_the_projected_study_area_is_a_geometry_of_its_own_for_each_task():
    from urbanrisk.indicators import _area_utm

    area = shapely.box(116.30, 39.98, 116.34, 40.01)
    first, second = _area_utm(area, "EPSG:32650"), _area_utm(area, "EPSG:32650")
    # tasks on threads prepare it: one shared geometry prepared and queried at once crashes GEOS
    assert first is not second
    assert shapely.equals_exact(first, second, tolerance=0) and shapely.get_num_coordinates(first) > 100
