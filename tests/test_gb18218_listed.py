"""GB 18218's 500 m sums run only for the sources that list substances (a source without a list cannot
have an R: its people within 500 m are not computed, NaN, never 0), and each distinct substance list is
read once for Σβq/Q, Σq/Q and both languages' basis. By hand: chlorine 10 t, Q 5 t, β 4: S = 2,
Σβq/Q = 8; 60 people within 500 m: α 1.5, R 12, 三级."""

from __future__ import annotations

import math

import geopandas as gpd
import h3
import numpy as np
import pytest
import shapely

from urbanrisk.screens import major_hazard
from urbanrisk.screens.major_hazard import gb18218_table, major_hazard_grades

UTM50 = "EPSG:32650"
CELL = h3.latlng_to_cell(39.99, 116.33, 9)


def test_only_sources_listing_substances_get_the_500_m_sums(monkeypatch):
    sources = gpd.GeoDataFrame(
        {"substance": ["液氯", "", None, "液氯"], "quantity_t": ["10", "", None, "10"]},
        geometry=[shapely.Point(116.33 + i * 0.01, 39.99) for i in range(4)],
        crs=4326,
    )
    grid = gpd.GeoDataFrame(
        {"residents": [60.0]}, geometry=[shapely.Point(116.33, 39.99)], index=[CELL], crs=4326
    )
    circles = []

    def exposed_of(grid, centres, radii, utm_crs, weights=None):
        circles.append(len(radii))
        return np.tile([60.0, 0.0, 1.0, math.pi * 500.0**2], (len(radii), 1))

    read = []
    real = major_hazard.substance_readings
    monkeypatch.setattr(major_hazard, "substance_readings", lambda *a: read.append(a[:2]) or real(*a))
    out = major_hazard_grades(sources, grid, gb18218_table(), utm_crs=UTM50, exposed_of=exposed_of)
    assert circles == [2]  # sources 0 and 3; before: all 4
    assert out["gb18218_residents_500m"].tolist()[0::3] == [60.0, 60.0]
    assert np.isnan(out["gb18218_residents_500m"].to_numpy()[1:3]).all()  # not computed, not 0
    assert np.isnan(out["gb18218_unknown_share"].to_numpy()[1:3]).all()
    assert out["gb18218_basis"].tolist()[1:3] == ["", ""] and out["gb18218_grade"].tolist()[1:3] == ["", ""]
    row = out.iloc[0]
    assert (row["gb18218_S"], row["gb18218_sum"], row["gb18218_alpha"], row["gb18218_R"]) == (
        2.0,
        8.0,
        1.5,
        12.0,
    )
    assert row["gb18218_grade"] == "三级"
    # "10" writes no unit: tonnes, said (session 16)
    assert row["gb18218_basis"] == "α 1.5 × (氯 4×10/5); no unit written ('10'): taken as tonnes"
    assert row["gb18218_basis_en"] == "α 1.5 × (chlorine 4×10/5); no unit written ('10'): taken as tonnes"
    assert len(read) == 3  # "液氯"/"10" once, "" and None once each: one reading gives all three


def test_no_source_lists_substances_no_sums_at_all():
    sources = gpd.GeoDataFrame({"kind": ["fuel"]}, geometry=[shapely.Point(116.33, 39.99)], crs=4326)
    grid = gpd.GeoDataFrame({"residents": [60.0]}, geometry=[shapely.Point(116.33, 39.99)], crs=4326)

    def exposed_of(*args, **kwargs):
        pytest.fail("no 500 m sum is needed")

    out = major_hazard_grades(sources, grid, gb18218_table(), utm_crs=UTM50, exposed_of=exposed_of)
    assert np.isnan(out["gb18218_residents_500m"].iloc[0]) and out["gb18218_grade"].iloc[0] == ""


def test_a_wholly_unknown_500_m_reads_unknown_at_least_n():
    """Every cell in the 500 m has residents unknown, 60 counted there: the basis said "≥ 60 people
    within 500 m (all the area in reach has residents unknown)", a measured-looking count; it now reads
    "unknown (at least 60)" as every other wholly unknown count does (en, zh)."""
    from urbanrisk.outputs.i18n_exposure import zh_bounds

    sources = gpd.GeoDataFrame(
        {"substance": ["液氯"], "quantity_t": ["10 t"]}, geometry=[shapely.Point(116.33, 39.99)], crs=4326
    )
    grid = gpd.GeoDataFrame(
        {"residents": [60.0]}, geometry=[shapely.Point(116.33, 39.99)], index=[CELL], crs=4326
    )

    def exposed_of(grid, centres, radii, utm_crs, weights=None):  # 60 counted, every cell unknown
        return np.tile([60.0, 1.0, 1.0, 0.0], (len(radii), 1))

    row = major_hazard_grades(sources, grid, gb18218_table(), utm_crs=UTM50, exposed_of=exposed_of).iloc[0]
    assert row["gb18218_unknown_share"] == 1.0 and row["gb18218_grade"] == "三级"  # R 12 to 16: 三级 whatever
    assert row["gb18218_basis_en"] == "α ≥ 1.5: people within 500 m unknown (at least 60) × (chlorine 4×10/5)"
    assert zh_bounds(row["gb18218_basis"]) == "α ≥ 1.5: 500 米内人口未知（至少 60 人） × (氯 4×10/5)"
