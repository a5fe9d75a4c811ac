"""区, 街道 and 社区 in one file, told apart by a 层级 column, as an office exports its 行政区划: three
polygons layers pointed at it each read all seven units (the 社区 register listed 海淀区 as a
community; the run only noted overlapping units). Validate and the run now refuse it per layer with the
fix (a file per level, e.g. the ogr2ogr command, or a GeoPackage layer per level); both fixes pass."""

from __future__ import annotations

import geopandas as gpd
import shapely

from conftest import BUPT_OSM, validated, write_recipe

W, S, E, N, MX, MY = 116.3489, 39.9567, 116.3551, 39.9637, 116.3520, 39.9600
UNITS = [
    ("110108", "海淀区", "区", (W, S, E, N)),
    ("110108010", "北太平庄街道", "街道", (W, S, MX, N)),
    ("110108002", "北下关街道", "街道", (MX, S, E, N)),
    ("110108010001", "北邮社区", "社区", (W, MY, MX, N)),
    ("110108010002", "蓟门里社区", "社区", (W, S, MX, MY)),
    ("110108002001", "今典花园社区", "社区", (MX, MY, E, N)),
    ("110108002002", "学院南路社区", "社区", (MX, S, E, MY)),
]
LEVELS = {"区": "districts", "街道": "streets", "社区": "communities"}


def _frame(level=None):
    rows = [u for u in UNITS if level is None or u[2] == level]
    return gpd.GeoDataFrame(
        {"区划代码": [r[0] for r in rows], "名称": [r[1] for r in rows], "层级": [r[2] for r in rows]},
        geometry=[shapely.box(*r[3]) for r in rows],
        crs=4326,
    ).to_crs(4548)  # CGCS2000 Gauss-Krüger, as the office's GIS exports it


def _recipe(tmp_path, paths, language="zh", file_layers=None):
    layers = {"osm": {"type": "osm", "path": str(BUPT_OSM)}}
    for level, name in LEVELS.items():
        layers[name] = {"type": "polygons", "path": str(paths[level]), "level": level}
        layers[name] |= {"id_column": "区划代码", "name_column": "名称"}
        if file_layers:
            layers[name]["file_layer"] = level
    body = {"name": "levels", "area": {"layer": "osm"}, "grid": {"resolution": 10}, "layers": layers}
    body |= {"outputs": {"dir": str(tmp_path / "out")}, "report": {"language": language}}
    return write_recipe(tmp_path, body)


def test_three_levels_in_one_file_are_refused_per_layer_with_the_fix(tmp_path, capsys):
    path = tmp_path / "行政区划.geojson"
    _frame().to_file(path, driver="GeoJSON")
    code, text = validated(_recipe(tmp_path, dict.fromkeys(LEVELS, path)), capsys)
    assert code == 2, text
    for level, name in LEVELS.items():
        assert (
            f"layers.{name}.path: 行政区划.geojson 含多个层级的单元（'层级' 列：区 1, 街道 2, 社区 4）"
            in text
        )
        assert f"ogr2ogr -where \"层级='{level}'\" {level}.geojson 行政区划.geojson" in text
    code, text = validated(_recipe(tmp_path, dict.fromkeys(LEVELS, path), "en"), capsys)
    assert code == 2 and "holds units of several levels (column '层级': 区 1, 街道 2, 社区 4)" in text
    assert "and layer 'communities' reads them all" in text


def test_a_file_per_level_or_a_geopackage_layer_per_level_passes(tmp_path, capsys):
    paths = {}
    for level in LEVELS:
        paths[level] = tmp_path / f"{level}.geojson"
        _frame(level).to_file(paths[level], driver="GeoJSON")  # the 层级 column kept: one level each
    code, text = validated(_recipe(tmp_path, paths), capsys)
    assert code == 0, text
    gpkg = tmp_path / "行政区划.gpkg"
    for level in LEVELS:
        _frame(level).to_file(gpkg, layer=level, driver="GPKG")
    code, text = validated(_recipe(tmp_path, dict.fromkeys(LEVELS, gpkg), file_layers=True), capsys)
    assert code == 0, text
