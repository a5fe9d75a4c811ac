"""Missing is not zero for population rasters: nodata pixels are not measured, not empty.

A small raster with nodata and NaN pixels against shapely's own intersections, and the shipped WorldPop
raster with a nodata hole written into a copy: the cells over the hole become unknown, the others keep
their residents, and the people of the measured pixels are conserved.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import rasterio
import shapely
from pyproj import Geod
from rasterio.transform import from_origin
from rasterio.windows import Window
from shapely.geometry import box

import urbanrisk as ur
from conftest import ACCRA_TIF, write_recipe
from urbanrisk.grid import cells_from_area, cells_to_polygons
from urbanrisk.layers.raster import raster_info
from urbanrisk.population import residents_from_raster

WEST, NORTH, SIZE = 116.30, 40.00, 0.01
#: two rows of three pixels: 100 | nodata | 50 over 300 | 400 | NaN
PIXELS = np.array([[100.0, -1.0, 50.0], [300.0, 400.0, np.nan]], dtype="float32")


def _write(path, data, transform, nodata):
    profile = {"driver": "GTiff", "height": data.shape[0], "width": data.shape[1], "count": 1}
    with rasterio.open(
        path, "w", **profile, dtype=data.dtype, crs="EPSG:4326", transform=transform, nodata=nodata
    ) as dst:
        dst.write(data, 1)
    return path


def _run(tmp_path, tif, bbox, name, nodata="unknown", **options):
    recipe = {
        "name": name,
        "area": {"bbox": list(bbox)},
        "grid": {"resolution": 9},
        "layers": {"population": {"type": "raster", "path": str(tif), "nodata": nodata}},
        "outputs": {"dir": str(tmp_path / name)},
    }
    return ur.run_recipe(ur.load_recipe(write_recipe(tmp_path / name, recipe)), write=False, **options)


def test_cells_over_nodata_hold_only_measured_people_and_are_unknown(tmp_path):
    tif = _write(tmp_path / "p.tif", PIXELS, from_origin(WEST, NORTH, SIZE, SIZE), nodata=-1.0)
    area = box(WEST, NORTH - 2 * SIZE, WEST + 3 * SIZE, NORTH)
    cells = cells_from_area(area, 9)
    got = residents_from_raster(raster_info(tif), cells, resolution=9, area=area)
    # by hand: each pixel's people times the share of its (lon/lat) area in the cell; the cell's
    # measured share is its area over the four pixels with a count, over its area in the study area
    polygons = shapely.intersection(cells_to_polygons(cells), area)
    expected, measured = np.zeros(len(cells)), np.zeros(len(cells))
    for row in range(2):
        for col in range(3):
            pixel = box(
                WEST + col * SIZE, NORTH - (row + 1) * SIZE, WEST + (col + 1) * SIZE, NORTH - row * SIZE
            )
            overlap = shapely.area(shapely.intersection(polygons, pixel))
            if np.isfinite(PIXELS[row, col]) and PIXELS[row, col] >= 0:
                expected += PIXELS[row, col] * overlap / pixel.area
                measured += overlap
    share = measured / shapely.area(polygons)
    np.testing.assert_allclose(got["residents"], expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(got["residents_known_share"], share, atol=2e-6)
    assert got["residents"].sum() == pytest.approx(100 + 50 + 300 + 400, rel=1e-12)  # conserved
    # whole cells over the nodata pixel and the NaN pixel: nothing measured, 0 people counted
    inside_gap = shapely.within(polygons, box(WEST + SIZE, NORTH - SIZE, WEST + 2 * SIZE, NORTH)) | (
        shapely.within(polygons, box(WEST + 2 * SIZE, NORTH - 2 * SIZE, WEST + 3 * SIZE, NORTH - SIZE))
    )
    assert inside_gap.sum() > 20 and (got["residents_known_share"][inside_gap] == 0).all()
    assert (got["residents"][inside_gap] == 0).all()
    # through a run: residents unknown exactly where less than half the cell was measured
    grid = _run(tmp_path, tif, area.bounds, "small").grid.reindex(got.index)
    assert (grid["residents"] == got["residents"]).all()
    assert (grid["known_residents"] == (share >= 0.5)).all()
    assert (
        0 < (~grid["known_residents"]).sum() < len(grid) and grid["score_residents"][share < 0.5].isna().all()
    )


def test_a_projected_raster_keeps_its_nodata_unknown_through_the_warp(tmp_path):
    """12 x 12 pixels of 500 m in UTM zone 50N near Beijing, a 2 x 2 km block of nodata in the middle:
    warped to lon/lat, the people are conserved, the cells over the block (a warped pixel's width in
    from its edge) stay unknown, not measured empty, and those as far outside it are wholly known."""
    from pyproj import Transformer

    x0, y0, size = 440_000.0, 4_428_000.0, 500.0
    people = np.arange(144, dtype="float32").reshape(12, 12) + 1.0
    people[4:8, 4:8] = -1.0
    tif = tmp_path / "utm.tif"
    profile = {"driver": "GTiff", "height": 12, "width": 12, "count": 1, "dtype": "float32"}
    with rasterio.open(
        tif, "w", **profile, crs="EPSG:32650", transform=from_origin(x0, y0, size, size), nodata=-1.0
    ) as dst:
        dst.write(people, 1)
    info = raster_info(tif, warp=True)
    transformer = Transformer.from_crs(32650, 4326, always_xy=True)

    def lonlat(west: float, south: float, east: float, north: float):
        square = shapely.segmentize(box(west, south, east, north), 50.0)
        return shapely.transform(
            square, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )

    area = box(*info.bounds)  # the warped raster's lon/lat box, around the squares: every person in it
    cells = cells_from_area(area, 10)
    got = residents_from_raster(info, cells, resolution=10, area=area)
    assert got["residents"].sum() == pytest.approx(float(people[people >= 0].sum()), rel=1e-9)  # conserved
    polygons, share = cells_to_polygons(cells), got["residents_known_share"].to_numpy()
    margin = 700.0  # a warped pixel (~0.0055°) and a cell
    hole = (x0 + 4 * size, y0 - 8 * size, x0 + 8 * size, y0 - 4 * size)
    inside = shapely.within(
        polygons, lonlat(hole[0] + margin, hole[1] + margin, hole[2] - margin, hole[3] - margin)
    )
    ring = shapely.within(
        polygons, lonlat(x0 + margin, y0 - 12 * size + margin, x0 + 12 * size - margin, y0 - margin)
    )
    outside = ring & ~shapely.intersects(
        polygons, lonlat(hole[0] - margin, hole[1] - margin, hole[2] + margin, hole[3] + margin)
    )
    assert inside.sum() >= 3 and outside.sum() >= 3
    assert (share[inside] == 0).all() and (got["residents"].to_numpy()[inside] == 0).all()
    assert (share[outside] > 0.999).all()


def test_nodata_declared_empty_is_measured_with_nobody(tmp_path):
    """``nodata: empty`` (a water mask): the same people per cell, but every cell inside the raster is
    measured (share 1) and known; a NaN or nodata pixel then counts as 0 people, not as unknown."""
    tif = _write(tmp_path / "p.tif", PIXELS, from_origin(WEST, NORTH, SIZE, SIZE), nodata=-1.0)
    area = box(WEST, NORTH - 2 * SIZE, WEST + 3 * SIZE, NORTH)
    cells = cells_from_area(area, 9)
    unknown = residents_from_raster(raster_info(tif), cells, resolution=9, area=area)
    empty = residents_from_raster(raster_info(tif, nodata_means="empty"), cells, resolution=9, area=area)
    np.testing.assert_allclose(empty["residents"], unknown["residents"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(empty["residents_known_share"], 1.0, atol=1e-9)
    assert (unknown["residents_known_share"] < 0.5).sum() > 20  # the default: these were unknown
    grid = _run(tmp_path, tif, area.bounds, "empty", nodata="empty").grid
    assert grid["known_residents"].all() and grid["score_residents"].notna().all()
    with pytest.raises(ur.RecipeError, match="nodata"):
        _run(tmp_path, tif, area.bounds, "typo", nodata="zero")


def test_a_nodata_hole_in_worldpop_is_unknown_and_the_rest_unchanged(tmp_path):
    hole = Window(233, 193, 10, 8)  # 80 pixels of central Accra, all measured in the shipped raster
    holed = tmp_path / "holed.tif"
    shutil.copy(ACCRA_TIF, holed)
    with rasterio.open(holed, "r+") as dst:
        people = dst.read(1, window=hole, masked=True)
        assert not np.ma.getmaskarray(people).any() and people.sum() > 10_000
        dst.write(np.full((hole.height, hole.width), dst.nodata, dtype=people.dtype), 1, window=hole)
        west, south, east, north = rasterio.windows.bounds(hole, dst.transform)
        hole_box = box(west, south, east, north)
        bbox = rasterio.windows.bounds(Window(220, 180, 40, 35), dst.transform)  # the area: 40 x 35 px
    before = _run(tmp_path, ACCRA_TIF, bbox, "before").grid
    after = _run(tmp_path, holed, bbox, "after")
    grid = after.grid.reindex(before.index)
    # conserved: the cells hold the raster's people on measured pixels in the area, no more
    assert grid["residents"].sum() == pytest.approx(before["residents"].sum() - float(people.sum()), rel=1e-9)
    polygons = cells_to_polygons(list(grid.index))
    over = shapely.intersects(polygons, hole_box) & ~shapely.touches(polygons, hole_box)
    lost = shapely.area(shapely.intersection(polygons, hole_box)) / shapely.area(polygons)
    assert before["residents_known_share"].eq(1.0).all() and before["known_residents"].all()
    np.testing.assert_allclose(grid["residents_known_share"], 1 - lost, atol=2e-6)
    whole = lost > 1 - 1e-9
    assert (grid.loc[whole, "residents"] == 0).all() and whole.sum() >= 2
    assert (grid["known_residents"] == (lost <= 0.5)).all()
    # the cells off the hole keep their residents bit for bit where no pixel column is shared with it
    # (the exact sums run over column-wise cumulative sums: elsewhere equal to rounding)
    lon = shapely.bounds(polygons)
    apart = ~over & ((lon[:, 2] <= west) | (lon[:, 0] >= east))
    assert apart.sum() > 100 and (grid["residents"][apart] == before["residents"][apart]).all()
    np.testing.assert_allclose(grid["residents"][~over], before["residents"][~over], rtol=1e-9, atol=1e-9)
    assert grid["known_residents"][~over].all()
    # completeness: the hole's cells count as unknown residents, the hole's area as not measured
    summary = after.screens.completeness
    assert summary["cells_unknown_by_indicator"]["residents"] == int((lost > 0.5).sum())
    area_share = float(
        (grid["residents_known_share"] * grid["cell_area_m2"]).sum() / grid["cell_area_m2"].sum()
    )
    assert summary["residents_measured_area_share"] == pytest.approx(area_share, abs=1e-4)
    assert 0.93 < summary["residents_measured_area_share"] < 0.97  # 80 of 1,400 pixels, ~5.7 %
    # the hole's area in km², by its geodesic area (the cells' area sums are H3's own, ~0.1 % apart)
    hole_km2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(hole_box)[0]) / 1e6
    assert summary["residents_unmeasured_km2"] == pytest.approx(hole_km2, rel=0.01)
    # Dask: processes give the same columns as one process
    dask = _run(tmp_path, holed, bbox, "dask", scheduler="processes").grid.reindex(before.index)
    for column in ("residents", "residents_known_share", "known_residents"):
        assert (dask[column] == grid[column]).all()


def test_the_map_shows_unknown_residents_as_no_data_not_as_empty():
    import pandas as pd

    from urbanrisk.outputs.map_cells import EMPTY_COLOUR, population_fill
    from urbanrisk.result import NO_DATA_COLOUR

    grid = pd.DataFrame({"residents": [0.0, 0.0, 50.0, 10.0], "known_residents": [True, False, True, False]})
    fill = population_fill(grid, 190)
    assert fill[0] == [*EMPTY_COLOUR, 40] and fill[1] == [*NO_DATA_COLOUR, 200]  # empty vs not measured
    assert fill[2][3] == 190 and fill[3] == [*NO_DATA_COLOUR, 200]  # partial people, still no data
