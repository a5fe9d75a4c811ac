"""``urbanrisk validate`` sized a boundary GeoJSON's job by its bounding box (session 15, hostile15:
7,566 cells for a diamond the run made 3,821 of): a diamond covers half its box, so the estimate was
about twice the grid, and a job the run could hold was refused as too big. The estimate now takes the
polygon's own geodesic area and perimeter, still without geopandas or shapely (validate is light)."""

from __future__ import annotations

import json

import pytest

from conftest import BUPT_OSM, shipped_recipe
from urbanrisk.area_from_file import area_from_file
from urbanrisk.grid import cells_from_area
from urbanrisk.preflight import estimate_cells
from urbanrisk.recipe import load_recipe

CENTRE = (-76.6, 39.29)  # inner Baltimore


def _boundary(folder, rings: list[list[list[float]]]):
    path = folder / "boundary.geojson"
    geometry = {"type": "MultiPolygon", "coordinates": [[ring] for ring in rings]}
    path.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": geometry}), encoding="utf-8")
    return path


def _diamond(lon: float, lat: float, r: float) -> list[list[float]]:
    return [[lon - r, lat], [lon, lat - 0.8 * r], [lon + r, lat], [lon, lat + 0.8 * r], [lon - r, lat]]


@pytest.mark.parametrize("resolution", [9, 10, 11])
def test_a_diamond_is_estimated_by_its_own_area(tmp_path, resolution):
    path = _boundary(tmp_path, [_diamond(*CENTRE, 0.02)])
    recipe = shipped_recipe(tmp_path, "baltimore", area={"path": str(path)}, grid={"resolution": resolution})
    real = len(cells_from_area(area_from_file(str(path)), resolution))  # 80, 466, 3,042 cells
    estimate = estimate_cells(load_recipe(recipe))
    assert estimate == pytest.approx(real, rel=0.05)  # was 146, 902, 6,009: ~1.9x


def test_two_diamonds_far_apart_count_once_each(tmp_path):
    """Two parts 0.2° apart: their box is ~20 times their area (the box estimate said 10,000+)."""
    rings = [_diamond(*CENTRE, 0.01), _diamond(CENTRE[0] + 0.2, CENTRE[1] + 0.1, 0.01)]
    path = _boundary(tmp_path, rings)
    recipe = shipped_recipe(tmp_path, "baltimore", area={"path": str(path)}, grid={"resolution": 10})
    real = len(cells_from_area(area_from_file(str(path)), 10))
    assert estimate_cells(load_recipe(recipe)) == pytest.approx(real, rel=0.08)


def test_a_box_boundary_is_estimated_as_before(tmp_path):
    """A rectangle's own area is its box's: the same estimate as a bbox area (BUPT's, at r11)."""
    west, south, east, north = 116.34886, 39.95668, 116.35519, 39.96377
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    path = _boundary(tmp_path, [ring])
    base = {"layers": {"osm": {"type": "osm", "path": str(BUPT_OSM)}}, "grid": {"resolution": 11}}
    by_box = shipped_recipe(tmp_path, "baltimore", area={"bbox": [west, south, east, north]}, **base)
    box_cells = estimate_cells(load_recipe(by_box))
    by_file = shipped_recipe(tmp_path, "baltimore", area={"path": str(path)}, **base)
    assert estimate_cells(load_recipe(by_file)) == pytest.approx(box_cells, rel=0.01)
