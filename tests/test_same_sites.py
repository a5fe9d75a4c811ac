"""Every count of vulnerable sites counts a site once: the grid's per-cell count (and so its grades)
and ``vulnerable_sites.parquet``, by the hazard table's rule (:func:`urbanrisk.same_sites.one_site_each`)."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pytest
from shapely.geometry import Point, box

import urbanrisk as ur
from conftest import default_recipe
from urbanrisk.indicators import role_counts
from urbanrisk.pipeline import build_grid, load_layers, study_area
from urbanrisk.same_sites import vulnerable_site_counts, vulnerable_sites

LAT, LON = 39.99, 116.33  # Wudaokou


def _hospital_twice() -> gpd.GeoDataFrame:
    """One hospital mapped as a node inside its building outline (~30 m across), plus a cafe."""
    outline = box(LON - 0.0002, LAT - 0.0001, LON + 0.0002, LAT + 0.0001)
    return gpd.GeoDataFrame(
        {
            "osm_ref": ["node/1", "way/2", "node/3"],
            "kind": ["hospital", "hospital", "cafe"],
            "roles": ["resource|vulnerable|crowd", "resource|vulnerable|crowd", "crowd"],
            "group": ["health", "health", "food"],
            "name": ["海淀医院", "", "咖啡"],
            "shape_wkb": [None, outline.wkb_hex, None],
        },
        geometry=[Point(LON + 0.00005, LAT), Point(LON, LAT), Point(LON + 0.0001, LAT)],
        crs=4326,
    )


def test_a_hospital_mapped_as_a_node_and_its_outline_counts_once_in_its_cell():
    pois = _hospital_twice()
    cell = h3.latlng_to_cell(LAT, LON, 10)
    assert h3.latlng_to_cell(LAT, LON + 0.00005, 10) == cell  # both features in one cell
    assert role_counts(pois, [cell], resolution=10)["vulnerable_sites"].tolist() == [2.0]  # per feature
    sites = vulnerable_sites(pois)
    assert sites[["osm_ref", "kind", "name", "features"]].values.tolist() == [
        ["node/1", "hospital", "海淀医院", 2]
    ]
    assert vulnerable_site_counts(sites, [cell], 10).tolist() == [1.0]


def test_two_hospitals_of_other_names_side_by_side_stay_two_sites():
    pois = _hospital_twice()
    pois.loc[1, ["shape_wkb", "name"]] = [None, "口腔医院"]  # a second node, another name, ~4 m away
    cell = h3.latlng_to_cell(LAT, LON, 10)
    assert vulnerable_site_counts(vulnerable_sites(pois), [cell], 10).tolist() == [2.0]
    assert vulnerable_sites(None).columns.tolist() == ["osm_ref", "kind", "name", "features", "geometry"]


@pytest.fixture(scope="module")
def wudaokou(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wudaokou_sites")
    recipe = ur.load_recipe(default_recipe(folder, grid={"resolution": 10, "partition_resolution": 8}))
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    return recipe, layers, area


def test_wudaokou_schools_24_features_are_12_sites_in_the_grid_and_its_site_table(wudaokou):
    """Real OSM: Wudaokou's 24 school features are 12 schools (as the hazard table lists them); the
    grid counts each site once, and the features each site merges add up to the layer's."""
    recipe, layers, area = wudaokou
    sites = vulnerable_sites(layers.pois)
    schools = sites[sites["kind"] == "school"]
    pois = layers.pois
    in_role = pois["roles"].fillna("").str.contains("vulnerable")
    assert pois.loc[in_role & (pois["kind"] == "school"), "osm_ref"].nunique() == 24
    assert len(schools) == 12 and schools["features"].sum() == 24
    grid = build_grid(recipe, layers, area, scheduler="synchronous")
    per_feature = role_counts(pois, list(grid.index), resolution=recipe.grid.resolution)
    assert grid["vulnerable_sites"].sum() == sites["osm_ref"].nunique()
    assert grid["vulnerable_sites"].sum() < per_feature["vulnerable_sites"].sum()
    assert (grid["vulnerable_sites"].to_numpy() <= per_feature["vulnerable_sites"].to_numpy()).all()
    threads = build_grid(recipe, layers, area, scheduler="threads")  # partitions: the same counts
    assert np.array_equal(threads["vulnerable_sites"].to_numpy(), grid["vulnerable_sites"].to_numpy())
