"""Per-cell indicators on small cases computed by hand, and population conservation on real data."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin
from rasterio.windows import Window
from shapely.geometry import Point, box

import urbanrisk as ur
from conftest import ACCRA_TIF, write_recipe
from urbanrisk.grid import cells_from_area, cells_to_polygons
from urbanrisk.indicators import buildings_to_cells, points_to_cell_counts
from urbanrisk.layers.raster import raster_info
from urbanrisk.population import population_from_raster

UTM50 = "EPSG:32650"
CENTRE = h3.latlng_to_cell(39.9916, 116.3317, 10)  # Wudaokou station


def _utm_square(centre_cell: str, dx: float, dy: float, half: float) -> shapely.Polygon:
    lat, lon = h3.cell_to_latlng(centre_cell)
    x, y = gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(UTM50).iloc[0].coords[0]
    return box(x + dx - half, y + dy - half, x + dx + half, y + dy + half)


def _buildings(polygons_utm, levels, share) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(geometry=list(polygons_utm), crs=UTM50).to_crs(4326)
    footprint = gdf.to_crs(UTM50).area.to_numpy()
    gdf["floor_area_m2"] = footprint * np.asarray(levels, dtype=float)
    gdf["residential_share"] = share
    return gdf


def test_points_to_cells_by_hand():
    lat, lon = h3.cell_to_latlng(CENTRE)
    other = h3.grid_ring(CENTRE, 2)[0]
    olat, olon = h3.cell_to_latlng(other)
    pts = gpd.GeoDataFrame(
        {"kind": ["fuel", "fuel", "gas", "gas"]},
        geometry=gpd.points_from_xy([lon, lon + 1e-5, lon - 1e-5, olon], [lat, lat, lat + 1e-5, olat]),
        crs=4326,
    )
    table = points_to_cell_counts(
        pts, [CENTRE, other], resolution=10, by="kind", kinds=["fuel", "gas", "power"], prefix="hazard_"
    )
    assert table.loc[CENTRE].tolist() == [2.0, 1.0, 0.0]
    assert table.loc[other].tolist() == [0.0, 1.0, 0.0]


def test_building_inside_one_cell_by_hand():
    # a 10 m x 10 m, 3-storey residential block at the centre of a cell
    gdf = _buildings([_utm_square(CENTRE, 0, 0, 5.0)], levels=[3], share=1.0)
    table = buildings_to_cells(gdf, [CENTRE], resolution=10, utm_crs=UTM50)
    row = table.loc[CENTRE]
    assert row["buildings"] == 1
    assert row["footprint_m2"] == pytest.approx(100.0, rel=1e-9)
    assert row["floor_area_m2"] == pytest.approx(300.0, rel=1e-9)
    cell_area = h3.cell_area(CENTRE, unit="m^2")
    # coverage ratio = 100 m² / cell area (~15,000 m² at resolution 10; UTM scale error < 0.1%)
    assert row["footprint_m2"] / cell_area == pytest.approx(100.0 / cell_area, rel=1e-3)


def test_building_across_cells_is_shared_by_area_and_counted_once():
    # a 300 m x 40 m block centred on a cell: it reaches into the neighbouring cells
    block = _utm_square(CENTRE, 0, 0, 20.0)
    block = box(block.bounds[0] - 130, block.bounds[1], block.bounds[2] + 130, block.bounds[3])
    cells = sorted(h3.grid_disk(CENTRE, 2))
    gdf = _buildings([block], levels=[2], share=0.5)
    table = buildings_to_cells(gdf, cells, resolution=10, utm_crs=UTM50)
    assert table["buildings"].sum() == 1
    assert table.loc[CENTRE, "buildings"] == 1  # its representative point's cell
    assert (table["footprint_m2"] > 0).sum() >= 3
    assert table["footprint_m2"].sum() == pytest.approx(300 * 40, rel=1e-9)  # conserved
    assert table["floor_area_m2"].sum() == pytest.approx(2 * 300 * 40, rel=1e-9)
    assert table["residential_floor_m2"].sum() == pytest.approx(300 * 40, rel=1e-9)


def test_population_from_buildings_by_hand(tmp_path):
    recipe = ur.load_recipe(
        write_recipe(
            tmp_path,
            {
                "name": "hand",
                "area": {"bbox": [116.309, 39.999, 116.311, 40.001]},
                "grid": {"resolution": 10},
                "layers": {
                    "osm": {"type": "osm", "path": str(_clipped())},
                    "population": {
                        "type": "population_from_buildings",
                        "source": "osm",
                        "floor_area_per_person_m2": 40,
                    },
                },
                "outputs": {"dir": str(tmp_path / "out")},
            },
        )
    )
    grid = ur.run_recipe(recipe, write=False, scheduler="synchronous").grid
    # one residential building of 5 storeys: residents = footprint x 5 / 40
    assert grid["buildings"].sum() == 1
    assert grid["residents"].sum() == pytest.approx(grid["footprint_m2"].sum() * 5 / 40, rel=1e-9)


def _clipped():
    from conftest import DATA

    return DATA / "clipped.osm"


def _write_raster(path, array, west, north, size):
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=array.shape[0],
        width=array.shape[1],
        count=1,
        dtype="float64",
        crs="EPSG:4326",
        transform=from_origin(west, north, size, size),
        nodata=-1.0,
    ) as dst:
        dst.write(array, 1)


def test_coarse_pixel_is_shared_by_area(tmp_path):
    # one 0.005° pixel (~430 m x 555 m) of 1,000 people over resolution-10 cells (~15,000 m² each)
    path = tmp_path / "one.tif"
    west, north, size = 116.300, 40.000, 0.005
    _write_raster(path, np.array([[1000.0, -1.0]]), west, north, size)  # second pixel is nodata
    pixel = box(west, north - size, west + size, north)
    cells = cells_from_area(box(west, north - size, west + 2 * size, north), 10)
    got = population_from_raster(
        raster_info(path), cells, resolution=10, area=box(west, north - size, west + 2 * size, north)
    )
    assert got.sum() == pytest.approx(1000.0, rel=1e-12)
    # each cell's share equals the share of the pixel it overlaps (to a sub-pixel's precision)
    polys = gpd.GeoSeries(cells_to_polygons(cells), index=cells, crs=4326).to_crs(UTM50)
    pixel_utm = gpd.GeoSeries([pixel], crs=4326).to_crs(UTM50).iloc[0]
    expected = polys.intersection(pixel_utm).area / pixel_utm.area * 1000.0
    assert (got - expected).abs().max() < 0.5  # < 0.05% of the pixel in any cell (UTM vs lon/lat planar)
    assert got[expected == 0].sum() == 0


def _rasterio_sum(window: Window | None = None) -> float:
    with rasterio.open(ACCRA_TIF) as src:
        return float(src.read(1, window=window, masked=True).astype("float64").sum())


def _accra_recipe(tmp_path, resolution, area):
    return ur.load_recipe(
        write_recipe(
            tmp_path,
            {
                "name": "accra",
                "area": area,
                "grid": {"resolution": resolution},
                "layers": {"population": {"type": "raster", "path": str(ACCRA_TIF)}},
                "outputs": {"dir": str(tmp_path / "out")},
            },
        )
    )


def test_accra_population_conserved_cells_coarser_than_pixels(tmp_path):
    # resolution 8 cells (~0.74 km²) hold ~87 WorldPop pixels each
    result = ur.run_recipe(_accra_recipe(tmp_path, 8, {"layer": "population"}), write=False)
    expected = _rasterio_sum()
    assert expected == pytest.approx(3_915_942, abs=1)
    assert abs(result.grid["residents"].sum() - expected) / expected < 1e-9


def test_accra_population_conserved_cells_finer_than_pixels(tmp_path):
    # resolution 11 cells (~2,150 m²) are 4x smaller than a pixel (~8,500 m²): pixels are split
    with rasterio.open(ACCRA_TIF) as src:
        window = Window(200, 180, 40, 30)  # dense central Accra, pixel-aligned
        bounds = rasterio.windows.bounds(window, src.transform)
    result = ur.run_recipe(_accra_recipe(tmp_path, 11, {"bbox": list(bounds)}), write=False)
    expected = _rasterio_sum(window)
    assert expected > 100_000
    assert abs(result.grid["residents"].sum() - expected) / expected < 1e-9
    assert (result.grid["residents"] > 0).sum() > 4 * 40 * 30 * 0.8  # shared, not one cell per pixel
