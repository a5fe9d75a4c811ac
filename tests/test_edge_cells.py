"""Cells at the study area's edge (session 13, fresh13). A cell overlapping the edge counts residents,
footprints and places inside the area only, and its densities divided them by the whole hexagon: the
part beyond the edge, never measured, read as empty land. On an east-Baltimore recipe (a bbox at H3 r10)
158 of 1,163 cells are at the edge, about half inside on average, and their residents per km² came out
at half the interior's (1,959 against 3,781 per km² for a raster of the same density everywhere); at r7
six of seven cells. ``cell_area_m2`` is now the cell's area inside the study area.

By hand: a raster of one uniform density (every pixel the same people per km² of ground) gives every cell
that density, interior or edge, and the grid's area is the study area's."""

from __future__ import annotations

import math

import numpy as np
import pytest
import rasterio
import shapely
from pyproj import Geod
from rasterio.transform import from_origin
from shapely.geometry import box

import urbanrisk as ur
from conftest import write_recipe
from urbanrisk import settings
from urbanrisk.population import inside_share

PER_KM2 = 5_000.0  # residents per km² of ground, everywhere
PIXEL = 1 / 1200  # 3 arc-seconds, WorldPop's pixel
WEST, NORTH = -76.60, 39.31
AREA = (-76.575, 39.265, -76.553, 39.283)  # a box cutting the hexagons along its four sides


def _uniform_raster(path):
    """People per pixel = PER_KM2 × the pixel's ground area (WGS84, by row), so that the ground holds
    PER_KM2 residents per km² everywhere (to the change of a pixel's area within it, < 1e-5)."""
    rows, cols = 72, 60
    geod = Geod(ellps="WGS84")
    tops = NORTH - np.arange(rows) * PIXEL
    km2 = [abs(geod.geometry_area_perimeter(box(0, top - PIXEL, PIXEL, top))[0]) / 1e6 for top in tops]
    people = np.repeat((PER_KM2 * np.array(km2))[:, None], cols, axis=1)
    profile = {"driver": "GTiff", "width": cols, "height": rows, "count": 1, "dtype": "float64"}
    transform = from_origin(WEST, NORTH, PIXEL, PIXEL)
    with rasterio.open(path, "w", **profile, crs="EPSG:4326", transform=transform, nodata=-99999.0) as out:
        out.write(people, 1)
    return path


@pytest.fixture(scope="module")
def edge_grid(tmp_path_factory):
    folder = tmp_path_factory.mktemp("edge")
    recipe = write_recipe(
        folder,
        {
            "name": "edge",
            "area": {"bbox": list(AREA)},
            "grid": {"resolution": 9},
            "layers": {"population": {"type": "raster", "path": str(_uniform_raster(folder / "pop.tif"))}},
            "outputs": {"dir": str(folder / "out")},
            "compute": {"scheduler": "synchronous"},
        },
    )
    return ur.run_recipe(recipe, write=False).grid


def test_every_cell_edge_or_interior_has_the_uniform_density(edge_grid):
    grid = edge_grid
    share = inside_share(grid.geometry.to_numpy(), box(*AREA))
    edge = share < 1.0
    assert edge.sum() >= 20 and (~edge).sum() >= 10 and share[edge].mean() < 0.7  # a real edge
    sample = share >= settings.min_cell_inside_share  # a sliver's density is per a tenth of its hexagon
    density = (grid["residents"] / grid["cell_area_m2"] * 1e6)[sample]
    assert np.allclose(density, PER_KM2, rtol=2e-3), density[~np.isclose(density, PER_KM2, rtol=2e-3)]
    # the residents score is the same everywhere (it read about half at the edge)
    assert np.ptp(grid["score_residents"].to_numpy(dtype=float)[sample]) < 0.01
    slivers = grid[~sample]
    assert len(slivers) and (slivers["cell_area_m2"] == slivers.index.map(_h3_area) * 0.1).all()


def _h3_area(cell: str) -> float:
    import h3

    return h3.cell_area(cell, unit="m^2")


def test_the_grids_area_is_the_study_areas(edge_grid):
    """Its slivers (under a tenth inside) aside, which count a tenth of their hexagon each."""
    geod = Geod(ellps="WGS84")
    area_km2 = abs(geod.geometry_area_perimeter(box(*AREA))[0]) / 1e6
    share = inside_share(edge_grid.geometry.to_numpy(), box(*AREA))
    slivers = share < settings.min_cell_inside_share
    extra = float(np.sum(edge_grid.index[slivers].map(_h3_area).to_numpy() * (0.1 - share[slivers]))) / 1e6
    assert edge_grid["cell_area_m2"].sum() / 1e6 == pytest.approx(area_km2 + extra, rel=2e-3)
    assert edge_grid["residents"].sum() == pytest.approx(PER_KM2 * area_km2, rel=2e-3)


def test_a_cell_wholly_inside_keeps_its_h3_area_bit_for_bit(edge_grid):
    import h3

    polygons = edge_grid.geometry.to_numpy()
    inside = shapely.contains_properly(box(*AREA), polygons)
    exact = np.array([h3.cell_area(c, unit="m^2") for c in edge_grid.index[inside]])
    assert (edge_grid["cell_area_m2"].to_numpy()[inside] == exact).all()
    assert math.isclose(inside_share(polygons[inside][:1], box(*AREA))[0], 1.0, abs_tol=0)
