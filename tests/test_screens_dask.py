"""Screen building blocks per partition equal the single-process ones."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest

import urbanrisk as ur
from conftest import default_recipe
from urbanrisk.clusters import cell_clusters
from urbanrisk.grade import hazard_intensity
from urbanrisk.pipeline import _hazard_table, build_grid, load_layers, study_area, utm_crs_for
from urbanrisk.screens.key_districts import dense_cells
from urbanrisk.screens.urban_villages import urban_village_cell_scores
from urbanrisk.screens_dask import (
    cell_clusters_by_partition,
    hazard_intensity_by_partition,
    residents_exposed_by_partition,
)


@pytest.fixture(scope="module")
def wudaokou(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wudaokou")
    recipe = ur.load_recipe(default_recipe(folder, grid={"resolution": 10, "partition_resolution": 8}))
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    grid = build_grid(recipe, layers, area, scheduler="synchronous")
    utm = utm_crs_for(area)
    hazards, _ = _hazard_table(recipe, layers, area, grid, utm)
    return grid, hazards, utm


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_hazard_intensity_and_exposure_per_partition_equal_the_eager_ones(wudaokou, scheduler):
    import geopandas as gpd

    from urbanrisk.screens.hazard_sources import residents_in_circles

    grid, real, utm = wudaokou
    # the sample's sources, and 60 more spread over the area (radii 50-800 m) that cross borders
    rng = np.random.default_rng(11)
    x0, y0, x1, y1 = grid.total_bounds
    extra = real.iloc[rng.integers(0, len(real), 60)].copy()
    extra["id"] = [f"X{i:03d}" for i in range(60)]
    extra["impact_radius_m"] = rng.uniform(50, 800, 60)
    extra["severity"] = rng.integers(1, 5, 60)
    extra = extra.set_geometry(gpd.points_from_xy(rng.uniform(x0, x1, 60), rng.uniform(y0, y1, 60)), crs=4326)
    hazards = pd.concat([real, extra], ignore_index=True)
    eager = hazard_intensity(grid, hazards, utm_crs=utm)
    parts = hazard_intensity_by_partition(
        grid, hazards, utm_crs=utm, partition_resolution=8, scheduler=scheduler
    )
    assert (eager[0] > 0).sum() > 50
    pd.testing.assert_series_equal(eager[0], parts[0], check_exact=True)
    pd.testing.assert_series_equal(eager[1], parts[1], check_exact=True)
    xy = np.column_stack([hazards.to_crs(utm).geometry.x, hazards.to_crs(utm).geometry.y])
    exposed = residents_exposed_by_partition(
        grid, xy, hazards["impact_radius_m"].to_numpy(), utm, partition_resolution=8, scheduler=scheduler
    )
    expected = residents_in_circles(grid, xy, hazards["impact_radius_m"].to_numpy(), utm)
    assert (expected > 0).sum() > 30
    np.testing.assert_allclose(exposed, expected, rtol=1e-12, atol=1e-9)


def test_clusters_merged_across_partition_borders_equal_the_single_process_ones(wudaokou):
    grid, _, _ = wudaokou
    rng = np.random.default_rng(3)
    uv = urban_village_cell_scores(grid, None)["uv_score"]
    chosen_sets = {
        "dense": grid.index[dense_cells(grid, crowd_min_per_km2=5, people_min_per_km2=2000)["dense"]],
        "villages": grid.index[uv >= uv.quantile(0.7)],
        "random": grid.index[rng.random(len(grid)) < 0.55],  # big clusters spanning many partitions
        "all": grid.index,
    }
    for name, chosen in chosen_sets.items():
        chosen = list(chosen[rng.permutation(len(chosen))])  # any input order
        eager = cell_clusters(chosen)
        parts = cell_clusters_by_partition(chosen, partition_resolution=8, scheduler="threads")
        assert len(chosen) > 20 and np.array_equal(eager, parts), name
    parents = {h3.cell_to_parent(c, 8) for c in chosen_sets["all"]}
    assert len(parents) > 10
