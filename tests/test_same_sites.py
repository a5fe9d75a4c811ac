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
    columns = ["osm_ref", "kind", "name", "features", "geometry", "outline"]
    assert vulnerable_sites(None).columns.tolist() == columns  # outline: the shape the hazard screen measures
    assert sorted(vulnerable_sites(pois).columns) == sorted(columns)


def test_the_site_table_written_is_the_sites_without_their_outlines():
    """``Layers.vulnerable_sites`` keeps each site's merged shape (metric CRS) for the hazard screen;
    ``vulnerable_sites.parquet`` holds the sites' points and columns only, as before."""
    from urbanrisk.outputs.tables import incident_inputs
    from urbanrisk.result import Layers, RunResult

    sites = vulnerable_sites(_hospital_twice())
    outline = sites["outline"].iloc[0]  # the building's box, 0.0004° x 0.0002°: 34.1 x 22.2 m
    assert sites["outline"].crs.is_projected and 750 < outline.area < 765
    layers = Layers(*[None] * 9, population_source="osm")
    layers.vulnerable_sites = sites
    result = RunResult(recipe=None, grid=None, layers=layers, area=None, timings={}, notes=[])
    written = incident_inputs(result)["vulnerable_sites"]
    assert written.columns.tolist() == ["osm_ref", "kind", "name", "features", "geometry"]
    assert written.crs == 4326 and written.geometry.iloc[0].equals(Point(LON + 0.00005, LAT))


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


def test_the_hazard_screen_takes_the_sites_the_grid_stage_merged(wudaokou, monkeypatch):
    """The grid stage merges the sites once (``Layers.vulnerable_sites``); the hazard screen measures
    to those (no third merge) and lists what its own merge of the POIs gives."""
    import dataclasses

    import urbanrisk.same_sites as same_sites
    from urbanrisk.hazard_table import hazard_inputs
    from urbanrisk.pipeline import utm_crs_for

    recipe, layers, area = wudaokou
    utm = utm_crs_for(area)
    schools = vulnerable_sites(layers.pois).query("kind == 'school'").iloc[:4]
    chemical = gpd.GeoDataFrame(  # a registry's chemical sites 40 m east of four schools (rules: 300 m)
        {"id": ["C1", "C2", "C3", "C4"], "kind": "chemical", "name": "", "severity": 4, "source": "registry"},
        geometry=gpd.GeoSeries(schools.geometry.to_numpy(), crs=4326).to_crs(utm).translate(40).to_crs(4326),
    )
    fresh = dataclasses.replace(layers, vulnerable_sites=None, hazards=chemical)
    own = hazard_inputs(recipe, fresh, area, utm)["sited"]  # merges them itself, and keeps them
    assert fresh.vulnerable_sites is not None
    build_grid(recipe, fresh, area, scheduler="synchronous")
    kept = fresh.vulnerable_sites

    def merged_again(*args, **kwargs):
        raise AssertionError("the vulnerable sites were merged again")

    monkeypatch.setattr(same_sites, "one_site_each", merged_again)
    again = hazard_inputs(recipe, fresh, area, utm)["sited"]
    assert fresh.vulnerable_sites is kept
    assert again["vulnerable_names"].tolist() == own["vulnerable_names"].tolist()
    assert again["breaches"].tolist() == own["breaches"].tolist()
    assert (own["vulnerable_sites"] >= 1).sum() >= 4 and own["breaches"].str.contains("school").sum() >= 4
    assert own["vulnerable_names"].str.contains("OSM features").any()  # a merged site among them
