"""Hazard intensity per cell taken a few sources at a time equals every source at once, bit for bit."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from urbanrisk import cell_hazards
from urbanrisk.cell_hazards import cell_centres_xy, hazard_intensity
from urbanrisk.lazy_scipy import kd_tree

UTM = "EPSG:32650"


def _all_at_once(grid: pd.DataFrame, hazards: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The reference: every source-cell pair at once, one bincount, the top by one sort."""
    xy = cell_centres_xy(grid.index, UTM)
    points = hazards.geometry.to_crs(UTM).to_numpy()
    hxy = np.column_stack([shapely.get_x(points), shapely.get_y(points)])
    radii = hazards["impact_radius_m"].to_numpy(dtype=float)
    found = kd_tree(xy).query_ball_point(hxy, r=radii)
    src = np.repeat(np.arange(len(found)), [len(n) for n in found])
    near = np.concatenate([np.asarray(n, dtype=np.int64) for n in found])
    d = np.hypot(xy[near, 0] - hxy[src, 0], xy[near, 1] - hxy[src, 1])
    contribution = hazards["severity"].to_numpy()[src] * (1.0 - d / radii[src])
    total = np.bincount(near, weights=contribution, minlength=len(grid))
    top = np.full(len(grid), "", dtype=object)
    for cell in range(len(grid)):
        mine = np.flatnonzero((near == cell) & (contribution > 0))
        if len(mine):
            best = mine[np.argmax(contribution[mine])]  # argmax: the first of equals, in sources' order
            top[cell] = hazards["id"].iloc[src[best]]
    return total, top


@pytest.fixture
def cells_and_hazards() -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    centre = h3.latlng_to_cell(39.99, 116.33, 10)
    cells = sorted(h3.grid_disk(centre, 12))
    grid = pd.DataFrame(index=pd.Index(cells, name="h3_cell", dtype="str"))
    rng = np.random.default_rng(7)
    n = 23
    lat = 39.99 + rng.uniform(-0.012, 0.012, n)
    lon = 116.33 + rng.uniform(-0.015, 0.015, n)
    lat[5], lon[5] = lat[2], lon[2]  # two sources at one place: equal contributions, the first is top
    hazards = gpd.GeoDataFrame(
        {
            "id": [f"hz{i}" for i in range(n)],
            "impact_radius_m": rng.choice([100.0, 250.0, 600.0], n),
            "severity": rng.integers(1, 5, n),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )
    hazards.loc[5, ["impact_radius_m", "severity"]] = hazards.loc[
        2, ["impact_radius_m", "severity"]
    ].to_numpy()
    return grid, hazards


@pytest.mark.parametrize("at_once", [1, 2, 5, 512])
def test_sources_a_few_at_a_time_equal_all_at_once(cells_and_hazards, monkeypatch, at_once):
    grid, hazards = cells_and_hazards
    monkeypatch.setattr(cell_hazards, "SOURCES_AT_ONCE", at_once)
    intensity, top = hazard_intensity(grid, hazards, utm_crs=UTM)
    total, expected_top = _all_at_once(grid, hazards)
    assert (intensity.to_numpy() == total).all()  # the same bits: summed in the sources' order
    assert (total > 0).sum() > 50 and len(set(expected_top) - {""}) > 10  # the case reaches many cells
    assert top.tolist() == expected_top.tolist()
    assert "hz5" not in set(top) and (top == "hz2").any()  # hz5 ties hz2 everywhere: the first wins
    assert str(top.dtype) == "str" and intensity.name == "hazard_intensity" and top.name == "top_hazard"
