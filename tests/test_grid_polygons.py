"""A run's grid stage makes no cell polygons in the driver for tasks on other processes (issue #17):
``build_grid(polygons=False)`` is the same grid with every geometry None, and its tasks' bounds are
those made from the polygons (made for only the cells that can set them: ``grid.cells_bounds``)."""

from __future__ import annotations

import pandas as pd
import pytest


def test_the_grid_without_polygons_is_the_same_grid(tmp_path):
    import urbanrisk as ur
    from conftest import default_recipe
    from urbanrisk.partitions import partition_inputs, utm_crs_for
    from urbanrisk.pipeline import build_grid, load_layers, study_area

    recipe = ur.load_recipe(default_recipe(tmp_path, grid={"resolution": 9, "partition_resolution": 7}))
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    whole = build_grid(recipe, layers, area, scheduler="synchronous")
    bare = build_grid(recipe, layers, area, scheduler="synchronous", polygons=False)
    assert whole.geometry.notna().all() and bare.geometry.isna().all() and bare.crs == whole.crs
    pd.testing.assert_frame_equal(
        pd.DataFrame(bare).drop(columns="geometry"),
        pd.DataFrame(whole).drop(columns="geometry"),
        check_exact=True,
    )
    assert list(bare.columns) == list(whole.columns) and bare.geometry.name == "geometry"

    cells = list(whole.index)
    made = partition_inputs(recipe, layers, area, cells, utm_crs=utm_crs_for(area))
    none = partition_inputs(recipe, layers, area, cells, utm_crs=utm_crs_for(area), polygons=False)
    assert len(made) > 1 and all(task.polygons is not None for task in made)
    assert all(task.polygons is None for task in none)  # each task makes its own
    assert [t.bounds for t in none] == [t.bounds for t in made] and [t.cells for t in none] == [
        t.cells for t in made
    ]


@pytest.mark.parametrize(
    ("lat", "lng", "resolution", "parent"),
    [
        (39.99, 116.33, 10, 7),  # Wudaokou: an r7 partition's cells
        (-17.0, 179.99, 10, 7),  # Fiji: a partition across 180°, its cells split there
        (-17.0, -179.999, 9, 6),
        (78.2, 15.6, 9, 5),  # Svalbard: a degree of longitude a fifth of the equator's
        (89.99, 0.0, 8, 5),  # around the North Pole: every cell's polygon
        (10.0, -80.0, 3, 0),  # a coarse grid: cells hundreds of kilometres wide
    ],
)
def test_the_bounds_of_a_partitions_cells_are_those_of_their_polygons(lat, lng, resolution, parent):
    import h3
    import shapely

    from urbanrisk.grid import cells_bounds, cells_to_polygons

    cells = sorted(h3.cell_to_children(h3.latlng_to_cell(lat, lng, parent), resolution))
    rim = sorted(h3.grid_ring(h3.latlng_to_cell(lat, lng, resolution), 9))  # a hollow set: no centre in it
    for part in (cells, rim, cells[::7]):
        expected = tuple(float(v) for v in shapely.total_bounds(cells_to_polygons(part)))
        assert cells_bounds(part) == expected
    if abs(lng) > 179.9:
        assert cells_bounds(cells)[::2] == (-180.0, 180.0)


def test_the_bounds_of_scattered_cells_anywhere_are_those_of_their_polygons():
    # a cell whose centre is not the extreme one can hold the extreme vertex (11 of these 800 sets
    # when only the cells of the extreme centres were made, mostly at coarse resolutions)
    import h3
    import numpy as np
    import shapely

    from urbanrisk.grid import cells_bounds, cells_to_polygons

    rng = np.random.default_rng(5)
    for resolution in range(16):
        for _ in range(50):
            lat, lng = np.degrees(np.arcsin(rng.uniform(-0.99, 0.99))), rng.uniform(-180, 180)
            centre, k = h3.latlng_to_cell(lat, lng, resolution), int(rng.integers(0, 6))
            cells = set(h3.grid_disk(centre, k)) - (set(h3.grid_disk(centre, k - 2)) if k >= 2 else set())
            part = [cell for cell in sorted(cells) if rng.uniform() < 0.5] or sorted(cells)
            expected = tuple(float(v) for v in shapely.total_bounds(cells_to_polygons(part)))
            assert cells_bounds(part) == expected, (resolution, lat, lng, k)


def test_the_maps_bounding_cells_come_from_the_cells_near_the_bounds_only(monkeypatch):
    # the map of a grid whose polygons were dropped (spooled) sent its legend the cells holding the grid's
    # bounds, found from every cell's polygon (256 tiles: 116,645 polygons, ~0.4 s of the driver alone)
    import h3
    import numpy as np
    import shapely

    import urbanrisk.outputs.writer as writer
    from urbanrisk.grid import cells_near_bounds, cells_to_polygons

    ring = [(39.95, 116.30), (39.99, 116.31), (39.97, 116.36), (40.00, 116.40), (39.94, 116.39)]
    cells = sorted(h3.h3shape_to_cells(h3.LatLngPoly(ring), 10))  # a concave area near Wudaokou
    assert 0 not in cells_near_bounds(cells)  # the first row is not near them: sent all the same
    every = shapely.bounds(cells_to_polygons(cells))
    expected = writer.rows_reaching(every)
    made = []
    real = writer.cells_to_polygons
    monkeypatch.setattr(writer, "cells_to_polygons", lambda c: made.append(len(c)) or real(c))
    rows = writer.cell_bounding_rows(cells)
    assert rows.tolist() == expected.tolist() and rows[0] == 0
    assert shapely.total_bounds(cells_to_polygons([cells[i] for i in rows])).tolist() == list(
        shapely.total_bounds(cells_to_polygons(cells))
    )
    assert made == [made[0]] and made[0] < len(cells) / 4, (made, len(cells))
    assert writer.cell_bounding_rows([]).tolist() == []
    assert np.array_equal(writer.cell_bounding_rows(cells[:1]), [0])
