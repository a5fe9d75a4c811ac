"""Rasters, cells and study areas across the antimeridian (180°): read, placed and counted (#14).

A population raster whose longitudes run past 180° (or below -180°), or a projected one spanning
180°, is read in its own frame; cells and areas are split at 180° in [-180, 180]. People are
conserved, and land on the right side of 180°.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from pyproj import Transformer
from rasterio.transform import from_origin

from conftest import write_recipe
from urbanrisk.antimeridian import centre, split_at_antimeridian, wrap_box
from urbanrisk.cli import main
from urbanrisk.grid import cells_from_area, cells_to_polygons, partition_cells
from urbanrisk.jobsize import bbox_km2
from urbanrisk.layers.raster import raster_info
from urbanrisk.partitions import utm_crs_for
from urbanrisk.pipeline import load_layers, study_area
from urbanrisk.population import population_from_raster
from urbanrisk.recipe import load_recipe
from urbanrisk.recipe.schema import AreaSpec

#: 20 x 30 pixels of 0.002°, 179.97 to 180.03: the first 15 columns west of 180°, the rest east of it
DATA = np.random.default_rng(14).random((20, 30)) * 100
PIXEL = 0.002
NORTH = -16.0  # Fiji's Taveuni, where 180° runs over land


def write_tif(path: Path, data: np.ndarray, transform, crs: str = "EPSG:4326") -> Path:
    profile = {"driver": "GTiff", "width": data.shape[1], "height": data.shape[0], "count": 1}
    with rasterio.open(path, "w", **profile, dtype=data.dtype, crs=crs, transform=transform) as dst:
        dst.write(data, 1)
    return path


def across_180(folder: Path, case: str) -> Path:
    """DATA on a raster spanning 180°: past 180° (a), below -180° (b), or projected (a CRS)."""
    if case == "past_180":
        return write_tif(folder / "a.tif", DATA, from_origin(179.97, NORTH, PIXEL, PIXEL))
    if case == "below_-180":
        return write_tif(folder / "b.tif", DATA, from_origin(-180.03, NORTH, PIXEL, PIXEL))
    x, y = Transformer.from_crs("EPSG:4326", case, always_xy=True).transform(179.97, NORTH)
    return write_tif(folder / f"{case.replace(':', '')}.tif", DATA, from_origin(x, y, 200, 200), case)


def people(info, area: shapely.Geometry, resolution: int = 9) -> pd.Series:
    return population_from_raster(info, cells_from_area(area, resolution), resolution=resolution, area=area)


@pytest.mark.parametrize("case", ["past_180", "below_-180", "EPSG:3832", "EPSG:32660", "EPSG:32601"])
def test_a_raster_across_180_keeps_its_people_on_both_sides(tmp_path, case):
    """The raster's area holds all its people; the areas either side of 180° add up to them, each > 0."""
    info = raster_info(across_180(tmp_path, case), warp=True)
    assert info.bounds[0] < 180 < info.bounds[2] or info.bounds[0] < -180 < info.bounds[2]
    area = wrap_box(*info.bounds)
    assert area.geom_type == "MultiPolygon"
    total = people(info, area)
    assert total.sum() == pytest.approx(DATA.sum(), rel=1e-6)
    w, s, e, n = np.array(info.bounds) + np.array([360, 0, 360, 0]) * (info.bounds[0] < -180)
    west, east = people(info, shapely.box(w, s, 180, n)), people(info, shapely.box(-180, s, e - 360, n))
    assert west.sum() + east.sum() == pytest.approx(DATA.sum(), rel=1e-6)
    if case in ("past_180", "below_-180"):  # pixel edges fall on 180°: each side holds its columns
        assert west.sum() == pytest.approx(DATA[:, :15].sum(), rel=1e-9)
        assert east.sum() == pytest.approx(DATA[:, 15:].sum(), rel=1e-9)
    else:
        assert west.sum() > 0.3 * DATA.sum() and east.sum() > 0.3 * DATA.sum()


def test_past_180_and_below_minus_180_are_the_same_place(tmp_path):
    """The same pixels given from 179.97° or from -180.03° give every cell the same people."""
    a = raster_info(across_180(tmp_path, "past_180"))
    b = raster_info(across_180(tmp_path, "below_-180"))
    area = wrap_box(*a.bounds)
    first, second = people(a, area, 10), people(b, area, 10)
    assert len(first) > 1000
    pd.testing.assert_series_equal(first, second, rtol=1e-9)


def test_partitions_across_180_add_up_to_the_whole(tmp_path):
    """Partition by partition (as the Dask tasks run), each cell gets the people of the whole-grid pass."""
    info = raster_info(across_180(tmp_path, "EPSG:3832"), warp=True)
    area = wrap_box(*info.bounds)
    cells = cells_from_area(area, 10)
    whole = population_from_raster(info, cells, resolution=10, area=area)
    parts = [
        population_from_raster(info, group, resolution=10, area=area)
        for group in partition_cells(cells, 7).values()
    ]
    assert len(parts) > 2
    pd.testing.assert_series_equal(pd.concat(parts).sort_index(), whole.sort_index(), rtol=1e-9)


@pytest.mark.parametrize("west", [-180.0, 0.0])
def test_a_world_raster_shares_its_people_across_180(tmp_path, west):
    """A world raster (-180..180, or 0..360) and an area across 180°: the people of its pixels there."""
    data = np.random.default_rng(5).random((180, 360)) * 1000
    info = raster_info(write_tif(tmp_path / "w.tif", data, from_origin(west, 90, 1, 1)))
    area = wrap_box(178.0, 0.0, -178.0, 1.0)  # row 89 (0..1°N), longitudes 178..182
    got = people(info, area, 5)
    columns = [178, 179, 180, 181] if west == 0 else [358, 359, 0, 1]
    assert got.sum() == pytest.approx(data[89, columns].sum(), rel=1e-9)


def test_cells_across_180_are_split_there():
    """H3 draws a cell across 180° from +179.9 to -179.9: it is cut at 180° into two parts in range."""
    cell = h3.latlng_to_cell(-16.0, 179.999, 7)
    split = cells_to_polygons([cell])[0]
    assert split.geom_type == "MultiPolygon"
    assert set(np.round(np.abs(shapely.bounds(shapely.get_parts(split))[:, [0, 2]]).max(axis=1), 9)) == {
        180.0
    }
    lat, lon = np.array(h3.cell_to_boundary(cell)).T
    whole = shapely.Polygon(np.column_stack([np.where(lon < 0, lon + 360, lon), lat]))
    assert split.area == pytest.approx(whole.area, rel=1e-9)
    polar = cells_to_polygons([h3.latlng_to_cell(89.99, 0, 1)])  # around the pole: left as H3 gives it
    assert split_at_antimeridian(polar)[0].equals(polar[0])


def test_a_bbox_across_180_is_one_area(tmp_path):
    """``bbox: [179.5, .., -179.5, ..]`` is a 1°-wide box across 180°: area, size, UTM zone agree."""
    spec = AreaSpec(bbox=[179.5, -17, -179.5, -16])
    area = wrap_box(*spec.bbox)
    assert area.area == pytest.approx(1.0)
    assert bbox_km2(tuple(spec.bbox)) == pytest.approx(bbox_km2((-0.5, -17, 0.5, -16)))
    assert abs(centre(area)[0]) == pytest.approx(180.0)
    assert utm_crs_for(area) in ("EPSG:32760", "EPSG:32701")
    with pytest.raises(ValueError, match="empty box"):
        AreaSpec(bbox=[116.8, 39.6, 116.0, 40.2])  # minlon > maxlon on one side of 180°: swapped


@pytest.mark.parametrize("kind", ["layer", "path", "path past 180"])
def test_an_area_from_the_raster_or_a_split_boundary_holds_all_its_people(tmp_path, kind):
    """``area: {layer: pop}`` of a raster across 180°, or a boundary file across 180° (cut there as
    RFC 7946 asks, or drawn past 180°)."""
    tif = across_180(tmp_path, "below_-180")
    area_spec = {"layer": "pop"}
    if kind != "layer":  # cut at 180° (RFC 7946), or drawn past it
        halves = [shapely.box(179.9, -16.1, 180, -15.9), shapely.box(-180, -16.1, -179.9, -15.9)]
        shape = shapely.MultiPolygon(halves) if kind == "path" else shapely.box(179.9, -16.1, 180.1, -15.9)
        geojson = {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(shape)}
        (tmp_path / "fiji.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": [geojson]})
        )
        area_spec = {"path": str(tmp_path / "fiji.geojson")}
    body = {
        "name": "f",
        "area": area_spec,
        "grid": {"resolution": 9},
        "layers": {"pop": {"type": "raster", "path": str(tif)}},
        "outputs": {"dir": str(tmp_path / "out")},
    }
    recipe = load_recipe(write_recipe(tmp_path, body))
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    assert area.geom_type == "MultiPolygon" and abs(area.bounds[0]) == abs(area.bounds[2]) == 180
    got = population_from_raster(layers.raster, cells_from_area(area, 9), resolution=9, area=area)
    assert got.sum() == pytest.approx(DATA.sum(), rel=1e-6)


def test_an_area_from_points_either_side_of_180_is_the_short_way_round(tmp_path):
    """Two fuel stations at 179.99° and -179.99°: the area (their box grown 0.005°, round corners) is
    0.03° wide across 180°, not the band of latitudes round the world."""
    (tmp_path / "fuel.csv").write_text("id,name,lon,lat\n1,a,179.99,-16.0\n2,b,-179.99,-16.01\n")
    body = {
        "name": "f",
        "area": {"layer": "fuel"},
        "grid": {"resolution": 9},
        "layers": {"fuel": {"type": "points", "path": str(tmp_path / "fuel.csv"), "kind": "fuel"}},
        "outputs": {"dir": str(tmp_path / "out")},
    }
    recipe = load_recipe(write_recipe(tmp_path, body))
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    assert area.geom_type == "MultiPolygon" and area.area == pytest.approx(
        0.03 * 0.02 - (4 - np.pi) * 0.005**2, rel=1e-3
    )
    assert shapely.contains_xy(area, [179.99, -179.99], [-16.0, -16.01]).all()


def test_a_run_across_180_counts_the_people_in_its_bbox(tmp_path):
    """A run whose bbox crosses 180° over a raster crossing it: every cell, both sides, people exact."""
    tif = across_180(tmp_path, "past_180")
    body = {
        "name": "taveuni",
        "area": {"bbox": [179.98, NORTH - 0.03, -179.99, NORTH]},  # on pixel edges: columns 5-19, rows 0-14
        "grid": {"resolution": 9},
        "layers": {"pop": {"type": "raster", "path": str(tif)}},
        "outputs": {"dir": str(tmp_path / "out")},
    }
    recipe = write_recipe(tmp_path, body)
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(out):
        assert main(["validate", str(recipe)]) == 0, out.getvalue()
        assert main(["run", "--quiet", "--scheduler", "synchronous", str(recipe)]) == 0, out.getvalue()
    from urbanrisk.grid_dataset import read_grid

    grid = read_grid(tmp_path / "out" / "latest", ["residents", "known_residents"], geometry=False)
    assert (
        gpd.read_file(tmp_path / "out" / "latest" / "risk.gpkg", layer="grid")
        .geom_type.eq("MultiPolygon")
        .any()
    )
    assert grid["residents"].sum() == pytest.approx(DATA[:15, 5:20].sum(), rel=1e-6)
    lon = np.array([h3.cell_to_latlng(c)[1] for c in grid.index])
    assert (lon > 0).any() and (lon < 0).any() and grid["known_residents"].all()
