"""Exact population per cell: every cell against exactextract run independently on H3 cell polygons
(r7 to r11 on the shipped Accra raster), and building floor area clipped and repaired, by hand."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from exactextract import exact_extract
from shapely.geometry import Point, Polygon, box

import urbanrisk as ur
from conftest import ACCRA_TIF, write_recipe
from urbanrisk.indicators import buildings_to_cells

UTM50 = "EPSG:32650"
CENTRE = h3.latlng_to_cell(39.9916, 116.3317, 10)  # Wudaokou station

# Central Accra, not aligned to pixels: a disc with a hole (the hole's edge cuts cells and pixels)
_CORE = Point(-0.205, 5.585)


def _irregular(radius: float) -> Polygon:
    return _CORE.buffer(radius, quad_segs=5).difference(
        Point(_CORE.x + radius / 3, _CORE.y - radius / 4).buffer(radius / 5, quad_segs=3)
    )


#: resolution -> study area (None: the raster's extent, as recipes/accra.yaml)
AREAS = {7: None, 8: None, 9: _irregular(0.09), 10: _irregular(0.035), 11: _irregular(0.012)}


def _reference(cells: pd.Index, area: Polygon | None) -> pd.Series:
    """exactextract's own zonal sum over H3 cell polygons (from h3-py, clipped to the area)."""
    polygons = [Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in cells]
    if area is not None:
        polygons = list(shapely.intersection(np.asarray(polygons, dtype=object), area))
    frame = gpd.GeoDataFrame(geometry=polygons, crs="EPSG:4326")
    with rasterio.open(ACCRA_TIF) as src:
        sums = exact_extract(src, frame, "sum", output="pandas")["sum"]
    return pd.Series(sums.to_numpy(dtype=float), index=cells)


def _reference_measured_share(cells: pd.Index, area: Polygon | None) -> pd.Series:
    """exactextract's ``count`` (coverage of the pixels not nodata) over each clipped cell's pixels."""
    with rasterio.open(ACCRA_TIF) as src:
        area = shapely.box(*src.bounds) if area is None else area
        pixel = abs(src.transform.a * src.transform.e)
        polygons = [Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in cells]
        polygons = shapely.intersection(np.asarray(polygons, dtype=object), area)
        frame = gpd.GeoDataFrame(geometry=list(polygons), crs="EPSG:4326")
        count = exact_extract(src, frame, "count", output="pandas")["count"].to_numpy(dtype=float)
    return pd.Series(np.clip(count * pixel / shapely.area(polygons), 0, 1), index=cells)


@pytest.mark.parametrize("resolution", sorted(AREAS))
def test_every_cell_equals_exactextract(tmp_path, resolution):
    area = AREAS[resolution]
    if area is None:
        area_spec = {"layer": "population"}
    else:
        boundary = tmp_path / "area.geojson"
        gpd.GeoDataFrame(geometry=[area], crs="EPSG:4326").to_file(boundary, driver="GeoJSON")
        area_spec = {"path": str(boundary)}
    recipe = ur.load_recipe(
        write_recipe(
            tmp_path,
            {
                "name": "accra",
                "area": area_spec,
                "grid": {"resolution": resolution},
                "layers": {"population": {"type": "raster", "path": str(ACCRA_TIF)}},
                "outputs": {"dir": str(tmp_path / "out")},
            },
        )
    )
    grid = ur.run_recipe(recipe, write=False, scheduler="synchronous").grid
    got = grid["residents"]
    assert len(got) > 400
    expected = _reference(got.index, area)
    error = (got - expected).abs()
    assert (error <= 1e-6 * np.maximum(expected.abs(), 1.0)).all(), error.max()
    # each cell's share over measured pixels (not the sea's nodata): exactextract's coverage of them
    share = _reference_measured_share(got.index, area)
    if resolution < 11:  # the areas reaching the sea (r11's small disc is all land)
        assert (share < 0.5).sum() > 10 and ((share < 1) & (share > 0.5)).sum() > 5
    assert (grid["residents_known_share"] - share).abs().max() < 1e-5
    assert (grid["known_residents"] == (grid["residents_known_share"] >= 0.5)).all()
    with rasterio.open(ACCRA_TIF) as src:
        if area is None:  # the whole raster: exactly its sum
            inside = float(src.read(1, masked=True).astype("float64").sum())
            assert got.sum() == pytest.approx(inside, rel=1e-9)
        else:  # exactextract's sum over the area itself (its coverage fractions are float32)
            frame = gpd.GeoDataFrame(geometry=[area], crs="EPSG:4326")
            inside = float(exact_extract(src, frame, "sum", output="pandas")["sum"].iloc[0])
            assert got.sum() == pytest.approx(inside, rel=1e-6)


def _utm_to_lonlat(geometry):
    return gpd.GeoSeries([geometry], crs=UTM50).to_crs(4326).iloc[0]


def _cell_xy() -> tuple[float, float]:
    lat, lon = h3.cell_to_latlng(CENTRE)
    return gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(UTM50).iloc[0].coords[0]


def _frame(geometries_utm, floor_m2, share=1.0) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(geometry=[_utm_to_lonlat(g) for g in geometries_utm], crs=4326)
    gdf["floor_area_m2"] = floor_m2
    gdf["residential_share"] = share
    return gdf


def test_bow_tie_building_counts_its_two_triangles():
    # an untyped 2-storey outline drawn as a bow-tie, 300 m wide (across several r10 cells): repaired
    # it is two triangles of 300 x 150 / 2 = 22,500 m² each; 45,000 m² x 2 storeys / 40 m² = 2,250 people
    x, y = _cell_xy()
    bow_tie = Polygon([(x - 150, y - 150), (x + 150, y + 150), (x + 150, y - 150), (x - 150, y + 150)])
    assert not bow_tie.is_valid
    cells = sorted(h3.grid_disk(CENTRE, 4))
    table = buildings_to_cells(_frame([bow_tie], 45_000 * 2), cells, resolution=10, utm_crs=UTM50)
    assert table["buildings"].sum() == 1
    assert table["footprint_m2"].sum() == pytest.approx(45_000, rel=1e-6)
    assert table["residential_floor_m2"].sum() / 40 == pytest.approx(2_250, rel=1e-6)
    assert (table["footprint_m2"] > 0).sum() > 3


def test_building_half_outside_the_area_counts_its_inside_half():
    # a 40 m x 20 m, 3-storey residential block whose centre lies on the area's east edge (a meridian):
    # a line through a rectangle's centre halves it: 400 m² x 3 storeys / 40 m² = 30 people inside
    x, y = _cell_xy()
    block = box(x - 20, y - 10, x + 20, y + 10)
    centre = _utm_to_lonlat(Point(x, y))
    area = box(centre.x - 0.01, centre.y - 0.01, centre.x, centre.y + 0.01)
    # and a building wholly outside the area, in the same edge cells: no floor, not counted
    outside = box(x + 25, y - 10, x + 35, y + 10)
    cells = sorted(h3.grid_disk(CENTRE, 2))
    gdf = _frame([block, outside], [800 * 3, 200 * 3])
    table = buildings_to_cells(gdf, cells, resolution=10, utm_crs=UTM50, area=area)
    assert table["footprint_m2"].sum() == pytest.approx(400, rel=1e-4)
    assert table["residential_floor_m2"].sum() / 40 == pytest.approx(30, rel=1e-4)
    assert table["buildings"].sum() == 1
    # without an area every building counts whole (60 + 15 people)
    whole = buildings_to_cells(gdf, cells, resolution=10, utm_crs=UTM50)
    assert whole["residential_floor_m2"].sum() / 40 == pytest.approx(75, rel=1e-9)
    assert whole["buildings"].sum() == 2
