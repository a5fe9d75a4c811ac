"""A resource farther out than the default search buffer, but within a standard's reach, is routed.

The 2 km default left out a resource 2.3 km from the area that reaches its cells in 4 km by road:
the standard was skipped as unknown (or, beside a nearer one, its cells counted uncovered). Left to the
default, a standard now looks as far as its resources could reach (:func:`urbanrisk.coverage_dropped.
reach_buffer_m`): the result equals the one with a buffer wide enough by hand, cell by cell.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import urbanrisk as ur
from conftest import WUDAOKOU_OSM, write_recipe
from urbanrisk.coverage import coverage_stage
from urbanrisk.coverage_dask import partitioned_coverage_stage
from urbanrisk.pipeline import build_grid, load_layers, study_area, utm_crs_for
from urbanrisk.result import Standard

#: the south-west corner of the Wudaokou extract (about 390 × 390 m)
BOX = [116.3084, 39.9905, 116.3130, 39.9940]
#: an ambulance post near the extract's north-east corner: ~2.3 km from the box, inside the street data
POST = (116.3300, 40.0100)
AMBULANCE = Standard("ambulance", "ambulance", "drive", 4000.0, "m", 0.0, "a test's own")


@pytest.fixture(scope="module")
def corner(tmp_path_factory):
    folder = tmp_path_factory.mktemp("far")
    body = {
        "name": "far",
        "area": {"bbox": BOX},
        "grid": {"resolution": 10},
        "layers": {"osm": {"type": "osm", "path": str(WUDAOKOU_OSM)}},
        "outputs": {"dir": str(folder / "out")},
    }
    recipe = ur.load_recipe(write_recipe(folder, body))
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    grid = build_grid(recipe, layers, area, scheduler="synchronous")
    posts = gpd.GeoDataFrame(
        {
            "id": ["A1"],
            "kind": ["ambulance"],
            "name": ["post"],
            "capacity": [float("nan")],
            "source": ["amb:a.csv"],
        },
        geometry=[shapely.Point(POST)],
        crs=4326,
    )

    frames = (grid, layers.streets, layers.street_nodes, layers.pois, posts, area)
    options = {"standards": [AMBULANCE], "utm_crs": utm_crs_for(area)}

    def run(buffer_m):
        return coverage_stage(*frames, search_buffer_m=buffer_m, **options)

    parts = partitioned_coverage_stage(*frames, partition_resolution=8, scheduler="synchronous", **options)
    return area, utm_crs_for(area), run(None), run(2000.0), run(8000.0), parts


def test_the_post_lies_past_the_default_buffer(corner) -> None:
    area, utm, *_ = corner
    box = gpd.GeoSeries([area], crs=4326).to_crs(utm).iloc[0]
    post = gpd.GeoSeries([shapely.Point(POST)], crs=4326).to_crs(utm).iloc[0]
    assert 2000 < box.distance(post) < 2600


def test_a_resource_within_reach_is_routed_as_with_a_wide_buffer(corner) -> None:
    _, _, default, narrow, wide, parts = corner
    assert narrow.status["ambulance"].startswith("skipped: no ambulance in the data within 2000 m")
    assert default.status["ambulance"].startswith("ok:")
    kinds = default.resources.set_index("id")["kind"]
    assert list(kinds[kinds == "ambulance"].index) == ["A1"]
    mine, theirs = (r.coverage[r.coverage["standard"] == "ambulance"] for r in (default, wide))
    pd.testing.assert_frame_equal(mine, theirs)
    assert mine["covered"].any()  # the post covers cells of the corner: 4 km by road reach them
    pd.testing.assert_frame_equal(parts.coverage, default.coverage)  # per partition: the same
