"""Hostile input, second round (session 7): pipes and folders where a file belongs, registries in
projected metres or with European separators, full-width digits, one id naming two units.

Each case ends in exit 2 naming the file and the fix, or in a correct result; never a hang (the
pipes hung ``validate`` or the run until killed), never a traceback, never a unit silently lost.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import yaml
from pyproj import Transformer

from conftest import BUPT_OSM
from test_hostile import city, cli, raster_recipe, refused  # noqa: F401  (city: the module's fixture)
from urbanrisk.layers.points import points_from_file


def _pipe(path):
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    ("kind", "name"),
    [("points", "fifo.csv"), ("raster", "fifo.tif"), ("polygons", "fifo.geojson"), ("osm", "fifo.osm")],
)
def test_a_named_pipe_or_folder_as_a_layer_is_refused_at_once(tmp_path, city, kind, name):  # noqa: F811
    """validate and run read no FIFO (GDAL, pyogrio and pandas wait on one forever), nor a folder."""
    for path in (_pipe(tmp_path / name), tmp_path / f"dir-{name}"):
        path.mkdir() if not path.exists() else None
        layer = {"type": kind, "path": str(path)} | ({"role": "resource"} if kind == "points" else {})
        recipe = raster_recipe(tmp_path, city[0], name=f"r-{path.name}", layers={"x": layer})
        for command in (["validate"], ["run", "--quiet", "--scheduler", "synchronous"]):
            code, text = cli(*command, recipe, timeout=20)
            refused(code, text, path.name)
            assert "not a regular file" in text, text


def test_a_named_pipe_as_the_recipe_is_refused_at_once(tmp_path):
    recipe = _pipe(tmp_path / "recipe.yaml")
    for command in ("validate", "run"):
        refused(*cli(command, recipe, timeout=20), "recipe.yaml")


def test_registry_in_projected_metres_with_crs_is_reprojected(tmp_path):
    """`crs:` was ignored for CSV and Excel registries: the run refused metres the message said to
    declare with `crs:`, after validate had passed them."""
    lon, lat = 116.3520, 39.9600
    x, y = Transformer.from_crs(4326, 4548, always_xy=True).transform(lon, lat)  # CGCS2000 GK CM 117E
    path = tmp_path / "stations.csv"
    path.write_text(f"id,kind,name,x,y\nF1,fire_station,a,{x:.3f},{y:.3f}\n", encoding="utf-8")
    gdf = points_from_file(path, role="resource", lon="x", lat="y", crs="EPSG:4548")
    assert gdf.crs.to_epsg() == 4326
    assert np.allclose([gdf.geometry.x[0], gdf.geometry.y[0]], [lon, lat], atol=1e-7)


def test_full_width_digits_read_as_validate_reads_them(tmp_path):
    """Validate (Python's float) accepted １１６.３５２ from a Chinese input method, the run refused it."""
    path = tmp_path / "stations.csv"
    path.write_text("id,kind,name,lon,lat\nF1,fire_station,a,１１６.３５２,３９.９６\n", encoding="utf-8")
    gdf = points_from_file(path, role="resource")
    assert (gdf.geometry.x[0], gdf.geometry.y[0]) == (116.352, 39.96)


def test_semicolon_separated_registry_is_refused_by_name(tmp_path, city):  # noqa: F811
    """Read with ',' its row fell apart into a 'header' and the message said it held no rows."""
    path = tmp_path / "stations.csv"
    path.write_text("id;kind;name;lon;lat\nF1;fire_station;a;116,305;39,99\n", encoding="utf-8")
    layers = {"st": {"type": "points", "role": "resource", "path": str(path)}}
    code, text = cli("validate", raster_recipe(tmp_path, city[0], layers=layers))
    refused(code, text, "stations.csv")
    assert "separates its columns with ';'" in text


def test_one_id_naming_two_units_is_refused(tmp_path):
    """Two communities sharing an id became one register row (the second unit's name lost)."""
    west, south, east, north = 116.3489, 39.9567, 116.3552, 39.9638
    middle = (west + east) / 2

    def unit(ident, name, x0, x1):
        ring = [[x0, south], [x1, south], [x1, north], [x0, north], [x0, south]]
        geometry = {"type": "Polygon", "coordinates": [ring]}
        return {"type": "Feature", "properties": {"id": ident, "name": name}, "geometry": geometry}

    units = tmp_path / "社区.geojson"
    features = [unit("A", "甲社区", west, middle), unit("A", "乙社区", middle, east)]
    units.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    body = {
        "name": "u",
        "area": {"layer": "osm"},
        "grid": {"resolution": 9},
        "layers": {
            "osm": {"type": "osm", "path": str(BUPT_OSM)},
            "units": {"type": "polygons", "path": str(units), "level": "社区"},
        },
        "outputs": {"dir": str(tmp_path / "out")},
    }
    recipe = tmp_path / "u.yaml"
    recipe.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    code, text = cli("run", "--quiet", "--scheduler", "synchronous", recipe)
    refused(code, text, "社区.geojson")
    assert "id 'A' names several units (甲社区、乙社区)" in text


def test_resolution_15_on_a_campus_names_its_area_and_a_resolution_that_fits():
    from urbanrisk._errors import GridError
    from urbanrisk.jobsize import check_job

    said = r"resolution 15 over 0\.43 km² makes about .* use resolution 1[0-4] or"  # was "over 0 km²"
    with pytest.raises(GridError, match=said):
        check_job(0.43, 15, memory=8 * 10**9)


def test_registry_text_never_runs_as_an_excel_formula_in_responsibility_csv(tmp_path):
    """A hazard named =cmd|' /C calc'!A0 (or an id =HYPERLINK(...)) reached responsibility.csv, which
    the office opens in Excel, as a live formula; the Parquet keeps the text as written."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    from urbanrisk.outputs.tables import write_tables

    names = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x")', "+1", "@SUM(A1)", "-2", "加油站", ""]
    table = gpd.GeoDataFrame(
        {"name": names, "residents": [-1.5, 2, 3, 4, 5, 6, 7]}, geometry=[Point(116.3, 40.0)] * 7, crs=4326
    )
    write_tables({"responsibility": table}, tmp_path)
    shown = pd.read_csv(tmp_path / "responsibility.csv", encoding="utf-8-sig", keep_default_na=False)
    assert shown["name"].tolist() == [f"'{n}" for n in names[:5]] + ["加油站", ""]
    assert shown["residents"].tolist() == [-2, 2, 3, 4, 5, 6, 7]  # numbers stay numbers (whole people)
    assert pd.read_parquet(tmp_path / "responsibility.parquet")["name"].tolist() == names
    from openpyxl import load_workbook

    cells = [r[0] for r in load_workbook(tmp_path / "responsibility.xlsx")["no data"].iter_rows(min_row=2)]
    assert [c.value for c in cells] == [*names[:6], None]  # the workbook's text typed as text: never run
    assert all(c.data_type == "s" for c in cells[:6])


def test_unit_polygons_left_out_or_repaired_are_said(tmp_path):
    """A unit without geometry vanished and a bow-tie unit was repaired, both silently."""
    from urbanrisk.layers.polygons import polygons_from_file
    from urbanrisk.outputs.i18n import data_text

    bow = [[116.30, 39.98], [116.32, 40.0], [116.32, 39.98], [116.30, 40.0], [116.30, 39.98]]
    square = [[116.33, 39.98], [116.34, 39.98], [116.34, 39.99], [116.33, 39.98]]
    shapes = {"A": {"type": "Polygon", "coordinates": [bow]}, "B": None}
    shapes["C"] = {"type": "Polygon", "coordinates": [square]}
    features = [{"type": "Feature", "properties": {"id": k}, "geometry": g} for k, g in shapes.items()]
    path = tmp_path / "units.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    units = polygons_from_file(path, layer="u")
    assert units["id"].tolist() == ["A", "C"] and units.geometry.is_valid.all()
    assert units.geometry.iloc[0].area == pytest.approx(0.02 * 0.02 / 2)  # the bow tie's two triangles
    notes = units.attrs["notes"]
    assert notes == [
        "u: 1 feature(s) of units.geojson without a polygon (no geometry, a point or a line) left out",
        "u: 1 polygon(s) of units.geojson cross themselves or are otherwise invalid, repaired (shapely "
        "make_valid): check unit(s) A",
    ]
    zh = [data_text(n, "zh") for n in notes]
    assert zh[0].startswith("u：units.geojson 中 1 个要素不是面") and "1 个面自相交或无效" in zh[1]


def test_excel_header_over_two_merged_rows_is_refused_with_the_fix(tmp_path, city):  # noqa: F811
    """坐标 merged over 经度 / 纬度: the message listed the first row's columns and said to set `lon:`
    to a column that has no name."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "类型", "名称", "坐标", None])
    sheet.merge_cells("D1:E1")
    sheet.append([None, None, None, "经度", "纬度"])
    sheet.append(["F1", "消防站", "a", 116.305, 39.99])
    book.save(tmp_path / "消防站.xlsx")
    layers = {
        "st": {
            "type": "points",
            "role": "resource",
            "kind_column": "类型",
            "path": str(tmp_path / "消防站.xlsx"),
        }
    }
    code, text = cli("validate", raster_recipe(tmp_path, city[0], layers=layers))
    refused(code, text, "消防站.xlsx")
    assert "its header spans two rows (编号, 类型, 名称, 坐标 over 经度, 纬度: merged cells?)" in text


def test_the_32_by_32_metropolis_of_issue_17_fits_a_machine_with_10_gb_free():
    """The r10 metropolis of 32 x 32 tiles (464,628 cells) peaks at ~4.2 GB over all its processes;
    30 kB a cell (fitted on r11-r13 runs of a few thousand cells) said 14.5 GB and refused it on any
    machine with less than 18 GB free. Finer resolutions over it stay refused."""
    from urbanrisk._errors import GridError
    from urbanrisk.jobsize import bbox_km2, check_job, job_bytes, local_terms

    box = (116.3084, 39.9905, 117.0636, 40.6881)  # the metropolis extract's header
    km2, terms = bbox_km2(box), local_terms(box, 10)
    assert abs(check_job(km2, 10, memory=10 * 10**9, terms=terms) - 464_628) < 0.01 * 464_628
    assert 4.19e9 <= job_bytes(464_628, 10) <= 8e9
    with pytest.raises(GridError, match=r"use resolution 1[01] or coarser"):
        check_job(km2, 12, memory=10 * 10**9, terms=local_terms(box, 12))
