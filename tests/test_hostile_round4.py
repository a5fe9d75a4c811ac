"""Hostile input, fourth round (session 9): what ``validate`` still missed that the run refused (rows
piled at one place in a vector registry or one with ``crs:``), the Chinese of an area away from the
data, and files nobody tuned to. Each ends in exit 2 naming the file and the fix, or works; never a
traceback, never a hang.
"""

from __future__ import annotations

import json

import pytest

from test_hostile import cli, refused
from test_hostile_round3 import _recipe
from urbanrisk.outputs.i18n_checks import check_text
from urbanrisk.preflight_area import outside_message

PILE = "1,001 of 1,001 rows lie at one place (116.35200, 39.96000): a geocoder's fallback"


def _pile_geojson(path, crs=None) -> None:
    feature = {"type": "Feature", "properties": {"kind": "shelter"}}
    point = {"type": "Point", "coordinates": [116.352, 39.96]}
    body = {"type": "FeatureCollection", "features": [{**feature, "geometry": point}] * 1_001}
    path.write_text(json.dumps(body), encoding="utf-8")


@pytest.mark.parametrize("suffix", ["geojson", "gpkg", "shp"])
def test_validate_refuses_a_vector_registry_piled_at_one_place(tmp_path, suffix):
    """The run refused it; validate said nothing (it checked CSV / Excel registries only)."""
    import geopandas as gpd

    _pile_geojson(tmp_path / "same.geojson")
    if suffix != "geojson":
        gpd.read_file(tmp_path / "same.geojson").to_file(tmp_path / f"same.{suffix}")
    layers = {"sh": {"type": "points", "role": "resource", "path": f"same.{suffix}"}}
    code, text = cli("validate", _recipe(tmp_path, layers))
    refused(code, text, f"same.{suffix}")
    assert PILE in text


def test_validate_refuses_a_projected_csv_piled_at_one_place(tmp_path):
    """With `crs:` (metres of CGCS2000 Gauss-Kruger) validate skipped every coordinate check."""
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 4547, always_xy=True).transform(116.352, 39.96)
    rows = "".join(f"S{i},shelter,{x:.3f},{y:.3f}\n" for i in range(1_001))
    (tmp_path / "gk.csv").write_text("id,kind,x,y\n" + rows, encoding="utf-8")
    layers = {"sh": {"type": "points", "role": "resource", "path": "gk.csv", "lon": "x", "lat": "y"}}
    layers["sh"]["crs"] = "EPSG:4547"
    code, text = cli("validate", _recipe(tmp_path, layers))
    refused(code, text, "gk.csv")
    assert "1,001 of 1,001 rows lie at one place (116.3520" in text
    (tmp_path / "gk.csv").write_text("id,kind,x,y\n" + rows[: rows.index("S20,")], encoding="utf-8")
    assert cli("validate", _recipe(tmp_path, layers))[0] == 0


def test_an_area_away_from_the_data_is_said_once_in_chinese():
    """'研究区：研究区 [...]': the run's 'area: ' and the message's 'the study area' both became 研究区."""
    boxes = {"osm": ("its data: the header declares no bounds", (116.3, 39.9, 116.4, 40.0))}
    english = "area: " + outside_message((10.0, 10.0, 10.1, 10.1), boxes, "OSM extract")
    said = check_text(english, "zh")
    assert said.startswith(
        "研究区 [10.0000, 10.0000, 10.1000, 10.1000] 完全位于配方中所有 OSM 提取文件之外"
    ), said
    assert "（'osm'（其数据，文件头未声明范围）覆盖 [116.3000, 39.9000, 116.4000, 40.0000]）" in said
    boxes = {"osm": ("a.osm", (116.3, 39.9, 116.4, 40.0)), "b": ("b.pbf", (1.0, 2.0, 3.0, 4.0))}
    said = check_text("area: " + outside_message((10.0, 10.0, 10.1, 10.1), boxes, "OSM extract"), "zh")
    assert "（'osm'（a.osm）覆盖 [116.3000, 39.9000, 116.4000, 40.0000]；'b'（b.pbf）覆盖 [1.0000" in said
    assert said.count("研究区") == 2 and "covers" not in said  # the area, and the fix's
    assert check_text("area: bad thing", "zh") == "area: bad thing"  # not rewritten: as written


def test_a_registry_geojson_nested_too_deeply_is_refused(tmp_path):
    """json's RecursionError was a traceback in validate and in the run (its preflight)."""
    deep = '{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (tmp_path / "deep.geojson").write_text(deep, encoding="utf-8")
    layers = {"h": {"type": "points", "role": "hazard", "path": "deep.geojson", "kind": "gas_station"}}
    code, text = cli("validate", _recipe(tmp_path, layers))
    refused(code, text, "deep.geojson")
    assert "cannot read" in text and "as GeoJSON (nested too deeply)" in text


def test_capacities_in_wan_are_read_or_refused(tmp_path):
    """'0.3万' was refused as text; a column named 容纳人数(万人) holding 0.3 ran with 0.3 places (every
    supply per person 10,000 times too small, without a word)."""
    from urbanrisk._errors import LayerError
    from urbanrisk.layers.points import points_from_file

    head = "编号,名称,类型,经度,纬度,容纳人数\n"
    rows = 'BN-01,公园,应急避难场所,116.350,39.958,0.3万\nBN-02,操场,应急避难场所,116.353,39.961,"1,200"\n'
    (tmp_path / "s.csv").write_text(head + rows, encoding="gbk")
    layers = {"sh": {"type": "points", "role": "resource", "path": "s.csv", "kind_column": "类型"}}
    layers["sh"] |= {"id_column": "编号", "capacity_column": "容纳人数"}
    assert cli("validate", _recipe(tmp_path, layers))[0] == 0
    read = points_from_file(
        tmp_path / "s.csv", role="resource", kind_column="类型", capacity_column="容纳人数"
    )
    assert read["capacity"].tolist() == [3000.0, 1200.0]
    (tmp_path / "s.csv").write_text(
        head.replace("容纳人数", "容纳人数(万人)") + rows.replace("万", ""), "gbk"
    )
    layers["sh"]["capacity_column"] = "容纳人数(万人)"
    layers["sh"]["name_column"] = "名称"
    said = "s.csv, column '容纳人数(万人)': its name counts in 万 (10,000s) but '0.3' is a plain number"
    code, text = cli("validate", _recipe(tmp_path, layers))
    refused(code, text, said)
    with pytest.raises(LayerError, match=r"its name counts in 万 \(10,000s\) but '0.3' is a plain number"):
        points_from_file(
            tmp_path / "s.csv", role="resource", kind_column="类型", capacity_column="容纳人数(万人)"
        )
    zh = check_text(text.splitlines()[-1].strip(), "zh")
    assert "列：列名以“万”计，但 '0.3' 是不带单位的数字，会被读作这么多人" in zh, zh


def test_a_two_row_excel_header_is_refused_in_chinese(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "名称", "类型", "位置", None])
    sheet.append([None, None, None, "经度", "纬度"])
    sheet.append(["H1", "加油站一", "加油站", 116.35, 39.96])
    book.save(tmp_path / "h.xlsx")
    layers = {"h": {"type": "points", "path": "h.xlsx", "kind_column": "类型"}}
    code, text = cli("validate", _recipe(tmp_path, layers, report={"language": "zh"}))
    refused(code, text, "h.xlsx")
    assert (
        "h.xlsx：表头占了两行（编号, 名称, 类型, 位置 之下为 经度, 纬度：合并单元格？）；请把表头改为一行"
        in text
    )


def test_a_symbolic_link_in_a_loop_is_named(tmp_path):
    """Python 3.11's Path.resolve raised RuntimeError on it: a traceback in validate and the run."""
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    layers = {"h": {"type": "points", "path": "a.csv", "kind": "fuel"}}
    for recipe in (_recipe(tmp_path, layers), _recipe(tmp_path, {}, tables={"hazard_kinds": "b.csv"})):
        code, text = cli("validate", recipe)
        refused(code, text, "is a symbolic link in a loop (it leads back to itself): fix the link")


def test_an_xlsx_that_unpacks_to_too_much_is_refused(tmp_path, monkeypatch):
    """A zip bomb (1.5 GB of blanks in a 1.5 MB .xlsx) ran openpyxl out of memory: a traceback."""
    import openpyxl

    from urbanrisk.layers import tabular

    book = openpyxl.Workbook()
    book.active.append(["lon", "lat"])
    for i in range(2_000):
        book.active.append([116.35 + i * 1e-6, 39.96])
    book.save(tmp_path / "h.xlsx")
    layers = {"h": {"type": "points", "path": "h.xlsx", "kind": "fuel"}}
    assert cli("validate", _recipe(tmp_path, layers))[0] == 0
    monkeypatch.setattr(tabular, "XLSX_MAX_UNPACKED", 20_000)
    monkeypatch.setattr(tabular, "TEXT_MAX_BYTES", 20)  # a CSV read whole: a 2 GB dump ran out of memory
    (tmp_path / "big.csv").write_text("lon,lat\n116.35,39.96\n116.351,39.961\n", encoding="utf-8")
    code, text = cli(
        "validate", _recipe(tmp_path, {"c": {"type": "points", "path": "big.csv", "kind": "fuel"}})
    )
    refused(
        code, text, "big.csv holds 0 MB, more than the 2e-05 MB a CSV registry may hold (it is read whole)"
    )
    code, text = cli("validate", _recipe(tmp_path, layers))
    refused(code, text, "h.xlsx unpacks to 0.2 MB")
    assert "(at most 0.02 MB: a damaged workbook or a zip bomb?): save the registry as CSV" in text
    zh = check_text(text.splitlines()[-1].strip(), "zh")
    assert (
        "h.xlsx 解压后有 0.2 MB，是文件本身的" in zh and "倍（上限 0.02 MB：工作簿损坏或是压缩炸弹？）" in zh
    )


def test_a_header_of_200000_columns_is_read_in_linear_time(tmp_path):
    """The duplicate-column check was quadratic (list.count): 5 M columns hung validate for hours; the
    message then listed every column."""
    header = ",".join(f"c{i}" for i in range(200_000))
    (tmp_path / "wide.csv").write_text(header + "\n" + ",".join("1" * 200_000) + "\n", encoding="utf-8")
    layers = {"h": {"type": "points", "path": "wide.csv", "kind": "fuel"}}
    code, text = cli("validate", _recipe(tmp_path, layers), timeout=20)
    refused(code, text, "wide.csv has no column 'lon'")
    assert "'c28', 'c29', ... and 199,970 more]" in text and len(text) < 5_000


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # GDAL reading the NaN
def test_unit_polygons_with_nan_vertices_are_refused(tmp_path, monkeypatch):
    """GEOS's make_valid raised on them in the run (a traceback); validate said nothing."""
    from urbanrisk import settings
    from urbanrisk._errors import LayerError
    from urbanrisk.layers.polygons import polygons_from_file

    ring = "[[116.35, 39.96], [NaN, 39.961], [116.351, 39.961], [116.35, 39.96]]"
    feature = '{"type": "Feature", "properties": {"id": "u1", "name": "a"}, "geometry": '
    body = '{"type": "FeatureCollection", "features": [' + feature
    (tmp_path / "u.geojson").write_text(body + '{"type": "Polygon", "coordinates": [' + ring + "]}}]}")
    code, text = cli("validate", _recipe(tmp_path, {"u": {"type": "polygons", "path": "u.geojson"}}))
    refused(code, text, "u.geojson has vertices that are not finite numbers (NaN, inf): fix them")
    with pytest.raises(LayerError, match=r"unit\(s\) u1 have vertices that are not finite numbers"):
        polygons_from_file(tmp_path / "u.geojson")
    _units_area = {"path": str(tmp_path / "big.geojson")}
    square = [[116.35, 39.96], [116.351, 39.96], [116.351, 39.961], [116.35, 39.961], [116.35, 39.96]]
    area = {"type": "Polygon", "coordinates": [square]}
    (tmp_path / "big.geojson").write_text(json.dumps(area), encoding="utf-8")
    monkeypatch.setattr(settings, "max_area_vertices", 4)  # validate said ok; the run refused it
    code, text = cli("validate", _recipe(tmp_path, {}, area=_units_area))
    refused(code, text, "big.geojson holds 5 vertices, more than 4: simplify it")


def test_an_output_folder_that_is_a_file_is_refused(tmp_path):
    """outputs.dir (or --out) on a file, /dev/null or below a file was a FileExistsError traceback."""
    (tmp_path / "ok.csv").write_text("lon,lat\n116.35,39.96\n", encoding="utf-8")
    (tmp_path / "afile.txt").write_text("x", encoding="utf-8")
    layers = {"h": {"type": "points", "path": "ok.csv", "kind": "fuel"}}
    for folder in ("afile.txt", "afile.txt/runs", "/dev/null"):
        recipe = _recipe(tmp_path, layers, outputs={"dir": folder})
        code, text = cli("validate", recipe)
        refused(code, text, "is a file, not a folder: outputs.dir is the folder the runs are written to")
    assert "是文件而不是文件夹：outputs.dir 是写入运行结果的文件夹" in check_text(
        text.splitlines()[-1].strip(), "zh"
    )
    recipe = _recipe(tmp_path, layers)
    code, text = cli("run", "--quiet", "--out", tmp_path / "afile.txt" / "x", recipe)
    refused(code, text, f"{tmp_path / 'afile.txt'} is a file, not a folder")


def test_formulas_without_saved_values_are_named(tmp_path):
    """A workbook written by a program (formulas, no cached values) read as empty cells: 'holds no
    points (a header, no row)', which sent the office looking for rows that are there."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["lon", "lat"])
    book.active.append(["=116+0.35", "=39+0.96"])
    book.save(tmp_path / "f.xlsx")
    layers = {"h": {"type": "points", "path": "f.xlsx", "kind": "fuel"}}
    code, text = cli("validate", _recipe(tmp_path, layers, report={"language": "zh"}))
    refused(code, text, "f.xlsx")
    assert "工作表 'Sheet' 的单元格 A2 是公式（=116+0.35），但没有保存计算结果" in text, text


def test_supply_near_a_resource_of_unknown_capacity_is_unknown_not_zero():
    """A shelter with an empty capacity cell was dropped from 2SFCA: the cells it alone serves read 0
    places per person (Haidian check: 53 cells), the cells it shares read the others' sum."""
    import geopandas as gpd
    import numpy as np

    from test_coverage import ORIGIN, UTM50, _grid_over, _lonlat, _street_grid
    from urbanrisk.coverage import coverage_stage
    from urbanrisk.result import Standard

    streets, nodes = _street_grid()
    grid, area = _grid_over(400.0)
    lon, lat = _lonlat(ORIGIN[0], ORIGIN[1])
    standard = Standard("medical", "hospital", "drive", 5000.0, "m", 0.0, "hand-made")

    def supply(capacities):
        registry = gpd.GeoDataFrame(
            {"id": [f"H{i}" for i in range(len(capacities))], "kind": "hospital", "capacity": capacities},
            geometry=gpd.points_from_xy(np.repeat(lon, len(capacities)), np.repeat(lat, len(capacities))),
            crs=4326,
        )
        registry["name"], registry["source"] = "h", "test"
        result = coverage_stage(
            grid, streets, nodes, None, registry, area, standards=[standard], utm_crs=UTM50
        )
        return result.coverage["supply_per_person"].to_numpy()

    assert supply([90.0]) == pytest.approx(90.0 / grid["residents"].sum())  # as by hand (test_coverage)
    assert np.isnan(supply([90.0, np.nan])).all()  # a second hospital, capacity unknown, in every reach
    assert np.isnan(supply([np.nan])).all()


def test_an_unknown_crs_is_refused_before_the_run(tmp_path):
    """`crs: EPSG:99999` passed validate and was a pyproj CRSError traceback in the run."""
    (tmp_path / "gk.csv").write_text("x,y\n440000,4430000\n", encoding="utf-8")
    layers = {"h": {"type": "points", "path": "gk.csv", "kind": "fuel", "lon": "x", "lat": "y"}}
    for crs in ("EPSG:99999", "CGCS2000 3度带"):
        layers["h"]["crs"] = crs
        for command in (["validate"], ["run", "--quiet", "--scheduler", "synchronous"]):
            code, text = cli(*command, _recipe(tmp_path, layers))
            refused(
                code, text, f"layers.h.crs: unknown coordinate reference system '{crs}': give an EPSG code"
            )
    problem = next(line for line in text.splitlines() if "layers.h.crs" in line)  # not by position
    zh = check_text(problem.strip(), "zh")
    assert "无法识别的坐标系 'CGCS2000 3度带'：请给出 EPSG 代码" in zh, zh
