"""A run's grid stage makes no cell polygons in the driver for tasks on other processes (issue #17):
``build_grid(polygons=False)`` is the same grid with every geometry None, and its tasks' bounds are
those made from the polygons."""

from __future__ import annotations

import pandas as pd


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
