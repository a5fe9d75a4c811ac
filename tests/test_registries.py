"""Chinese offices' data read as it comes: Excel 台账 with Chinese headers and grades, GBK CSV, GBK
Shapefiles without .cpg in CGCS2000, GCJ-02 polygons, kinds by Chinese label, a declared severity
scale, and `urbanrisk validate` listing every header problem at once. Every file is written here."""

from __future__ import annotations

import os
import re

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
import xlwt
import yaml
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Polygon, box

import urbanrisk as ur
from conftest import default_recipe, write_recipe
from urbanrisk._errors import LayerError, RecipeError
from urbanrisk.cli import main
from urbanrisk.inputs import load_layers
from urbanrisk.layers.coords import gcj02_to_wgs84, wgs84_to_gcj02
from urbanrisk.layers.points import points_from_file
from urbanrisk.layers.polygons import polygons_from_file
from urbanrisk.layers.tables import registry_kind_names
from urbanrisk.layers.tabular import rows_from_file
from urbanrisk.recipe import load_recipe

HEADER = ["编号", "名称", "类型", "经度", "纬度", "等级"]
ROWS = [
    ["WH-1", "某化工仓库", "危险化学品场所", 116.3150, 39.9950, "一级"],
    ["WH-2", "中国石化五道口加油站", "加油站", 116.3250, 40.0000, "二级"],
    ["WH-3", "燃气调压站", "燃气设施", 116.3300, 39.9900, "三级"],
    ["WH-4", "10kV变电站", "变电站", 116.3200, 39.9980, "四级"],
]
CHINESE = {"kind_column": "类型", "id_column": "编号", "name_column": "名称"}


def _xlsx(path, rows=ROWS, *, sheet="重大危险源台账"):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本台账由某区应急管理局整理"])
    table = book.create_sheet(sheet)
    table.append(["某区危险化学品重大危险源台账"])  # a title row above the header, as offices write them
    table.append(HEADER)
    for row in rows:
        table.append(row)
    book.save(path)
    return path


def _xls(path, rows=ROWS, *, sheet="重大危险源台账"):
    """The same registry as :func:`_xlsx`, as an Excel 97-2003 workbook (.xls)."""
    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("说明").write(0, 0, "本台账由某区应急管理局整理")
    table = book.add_sheet(sheet)
    table.write(0, 0, "某区危险化学品重大危险源台账")
    for i, row in enumerate([HEADER, *rows], start=1):
        for j, value in enumerate(row):
            table.write(i, j, value)
    book.save(str(path))
    return path


def _csv(path, rows, encoding):
    lines = [",".join(HEADER)] + [",".join(str(v) for v in row) for row in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def test_xlsx_registry_with_chinese_headers_grades_and_kinds(tmp_path):
    path = _xlsx(tmp_path / "台账.xlsx")
    pts = points_from_file(
        path, sheet="重大危险源台账", severity_column="等级", severity_order="1_is_most_severe", **CHINESE
    )
    assert pts["kind"].tolist() == ["chemical", "fuel", "gas", "power"]
    assert pts["severity"].tolist() == [4, 3, 2, 1]  # 一级 is the most severe: urbanrisk's 4
    assert pts["id"].tolist() == ["WH-1", "WH-2", "WH-3", "WH-4"]
    assert pts["name"].iloc[1] == "中国石化五道口加油站"
    assert pts.geometry.x.iloc[0] == pytest.approx(116.3150)
    by_number = points_from_file(
        path, sheet=2, severity_column="等级", severity_order="1_is_most_severe", **CHINESE
    )
    assert by_number["severity"].tolist() == [4, 3, 2, 1]
    with pytest.raises(LayerError, match=r"has no sheet '台帐'; its sheets are \['说明', '重大危险源台账'\]"):
        points_from_file(path, sheet="台帐", **CHINESE)


def test_xls_registry_reads_as_the_same_rows_as_xlsx_and_csv(tmp_path):
    xls, xlsx = _xls(tmp_path / "台账.xls"), _xlsx(tmp_path / "台账.xlsx")
    gbk = _csv(tmp_path / "台账.csv", ROWS, "gbk")
    old = rows_from_file(xls, layer="h", sheet="重大危险源台账")
    assert (old.columns, old.header_line, old.sheet) == (HEADER, 2, "重大危险源台账")  # title row skipped
    assert old.rows[0] == ["WH-1", "某化工仓库", "危险化学品场所", "116.315", "39.995", "一级"]
    assert old.rows == rows_from_file(xlsx, layer="h", sheet=2).rows
    options = {"severity_column": "等级", "severity_order": "1_is_most_severe", **CHINESE}
    from_xls = points_from_file(xls, sheet="重大危险源台账", **options)
    assert from_xls.pop("source").tolist() == ["points:台账.xls"] * 4
    assert from_xls["kind"].tolist() == ["chemical", "fuel", "gas", "power"]
    assert from_xls["severity"].tolist() == [4, 3, 2, 1]
    assert from_xls["name"].iloc[1] == "中国石化五道口加油站"
    for same in (points_from_file(xlsx, sheet="重大危险源台账", **options), points_from_file(gbk, **options)):
        assert_geodataframe_equal(from_xls, same.drop(columns="source"))
    with pytest.raises(
        LayerError, match=r"台账\.xls has no sheet '台帐'; its sheets are \['说明', '重大危险源台账'\]"
    ):
        points_from_file(xls, sheet="台帐", **CHINESE)
    renamed = tmp_path / "另存.xls"  # an .xlsx saved under an .xls name, as offices do: read as what it is
    renamed.write_bytes(xlsx.read_bytes())
    assert rows_from_file(renamed, layer="h", sheet=2).rows == old.rows


def _broken_xls(tmp_path, what):
    path = tmp_path / f"{what}.xls"
    if what == "html":  # a web system's "Excel" export: an HTML table saved with an .xls name
        page = "<html><head><meta charset='utf-8'></head><body><table><tr><td>名称</td><td>类型</td></tr>"
        path.write_text(
            page + "<tr><td>某加油站</td><td>加油站</td></tr></table></body></html>", encoding="utf-8"
        )
    else:  # cut short in a download or a copy
        data = _xls(tmp_path / "whole.xls").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    ("what", "message"),
    [
        (
            "html",
            r".*html\.xls is an HTML page .*not an Excel workbook: open it in Excel and save it as \.xlsx",
        ),
        ("truncated", r"cannot read .*truncated\.xls as an Excel 97-2003 workbook .*not cut short"),
    ],
)
def test_a_broken_xls_is_named_with_the_fix_exit_2(tmp_path, capsys, what, message):
    body = yaml.safe_load(default_recipe(tmp_path).read_text(encoding="utf-8"))
    body["layers"]["ledger"] = {"type": "points", "path": str(_broken_xls(tmp_path, what)), **CHINESE}
    recipe = write_recipe(tmp_path, body)
    for command in ("validate", "run"):
        assert main([command, str(recipe)]) == 2
        captured = capsys.readouterr()
        assert re.search(r"layers\.ledger\.path: " + message, captured.err), captured.err
        assert "Traceback" not in captured.err + captured.out and "WARNING" not in captured.out
    assert not (tmp_path / "out" / "runs").exists()  # refused before any work


def test_validate_reads_an_xls_header(tmp_path, capsys):
    rows = [list(r) for r in ROWS]
    rows[2][2] = "火山"
    body = yaml.safe_load(default_recipe(tmp_path).read_text(encoding="utf-8"))
    ledger = {"type": "points", "sheet": "重大危险源台账", **CHINESE}
    severity = {"column": "等级", "order": "1_is_most_severe"}
    body["layers"]["ledger"] = {
        **ledger,
        "path": str(_xls(tmp_path / "台账.xls", rows)),
        "severity": severity,
    }
    assert main(["validate", str(write_recipe(tmp_path / "bad", body))]) == 2
    err = capsys.readouterr().err
    assert re.search(r"layers\.ledger\.kind_column: 台账\.xls: unknown hazard kind\(s\) '火山' in sheet "
                     r"'重大危险源台账' row 5", err), err  # fmt: skip
    body["layers"]["ledger"] = {**ledger, "path": str(_xls(tmp_path / "台账.xls")), "lat": "北纬"}
    assert main(["validate", str(write_recipe(tmp_path / "lat", body))]) == 2
    err = capsys.readouterr().err
    assert (
        "layers.ledger.lat: 台账.xls has no column '北纬' (its columns: ['编号', '名称', '类型', '经度',"
        in err
    )
    body["layers"]["ledger"] = {**ledger, "path": str(_xls(tmp_path / "台账.xls")), "severity": severity}
    assert main(["validate", str(write_recipe(tmp_path / "ok", body))]) == 0


def test_run_lists_every_layer_problem_at_once_before_any_work(tmp_path, capsys):
    ledger = tmp_path / "台账.csv"  # no longitude column
    ledger.write_bytes("编号,名称,类型,纬度\nA1,某加油站,加油站,39.99\n".encode("gbk"))
    body = yaml.safe_load(default_recipe(tmp_path).read_text(encoding="utf-8"))
    body["layers"]["osm"]["path"] = str(tmp_path / "no_such_extract.osm")
    body["layers"]["ledger"] = {"type": "points", "path": str(ledger), **CHINESE}
    recipe = write_recipe(tmp_path, body)
    found = {}
    for command in ("validate", "run"):
        assert main([command, str(recipe)]) == 2
        captured = capsys.readouterr()
        found[command] = [line.strip() for line in captured.err.splitlines() if "recipe.yaml:" in line]
        assert "Traceback" not in captured.err
    assert found["run"] == found["validate"]  # one code path: the same lines
    assert len(found["run"]) == 3 and "2 problem(s) in the recipe and its layers' files" in found["run"][0]
    assert re.search(
        r"recipe\.yaml:\d+: layers\.osm\.path: file not found: .*no_such_extract\.osm", found["run"][1]
    )
    assert re.search(r"recipe\.yaml:\d+: layers\.ledger\.lon: 台账\.csv has no column 'lon'", found["run"][2])
    assert not (tmp_path / "out").exists()
    # both files there, both unreadable: a run (from the API too) names both before loading either
    (tmp_path / "no_such_extract.osm").write_text(
        "<html><body>502 Bad Gateway</body></html>", encoding="utf-8"
    )
    with pytest.raises(LayerError) as caught:  # a RecipeError in its format, and a LayerError
        ur.run_recipe(load_recipe(recipe), write=False)
    assert isinstance(caught.value, RecipeError) and len(caught.value.problems) == 2
    assert "layers.osm.path: cannot read" in caught.value.problems[0]
    assert "layers.ledger.lon: 台账.csv has no column 'lon'" in caught.value.problems[1]


def test_numbers_and_labels_on_each_scale(tmp_path):
    rows = [[*r[:5], g] for r, g in zip(ROWS, [1, "2级", "Ⅲ级", "4"], strict=True)]
    path = _csv(tmp_path / "h.csv", rows, "utf-8")
    chinese = points_from_file(path, severity_column="等级", severity_order="1_is_most_severe", **CHINESE)
    assert chinese["severity"].tolist() == [4, 3, 2, 1]
    rows = [[*r[:5], g] for r, g in zip(ROWS, [1, 2, 3, "4.0"], strict=True)]
    path = _csv(tmp_path / "h.csv", rows, "utf-8")
    internal = points_from_file(path, severity_column="等级", severity_order="4_is_most_severe", **CHINESE)
    assert internal["severity"].tolist() == [1, 2, 3, 4]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_csv_in_gbk_or_utf8_is_read_with_its_encoding_detected(tmp_path, encoding):
    path = _csv(tmp_path / "h.csv", ROWS, encoding)
    pts = points_from_file(path, severity_column="等级", severity_order="1_is_most_severe", **CHINESE)
    assert pts["name"].tolist() == [r[1] for r in ROWS]
    assert pts["kind"].tolist() == ["chemical", "fuel", "gas", "power"]


def test_a_csv_mixing_utf8_and_gbk_rows_is_refused_not_garbled(tmp_path):
    """A UTF-8 registry with one row pasted from a GBK file was read whole as GB18030: every UTF-8 name
    turned to garbage (中国石化五道口加油站 -> 涓浗鐭冲寲...) with no error."""
    path = _csv(tmp_path / "h.csv", ROWS, "utf-8")
    path.write_bytes(path.read_bytes() + ",".join(map(str, ROWS[0])).encode("gbk") + b"\n")
    with pytest.raises(
        LayerError, match=r"h\.csv mixes text encodings: lines 1, 2, 3, 4, 5 in UTF-8, line 6 not"
    ):
        points_from_file(path, severity_column="等级", severity_order="1_is_most_severe", **CHINESE)


def test_declared_encoding_wins_and_a_wrong_one_is_explained(tmp_path):
    path = _csv(tmp_path / "h.csv", ROWS, "gbk")
    pts = points_from_file(
        path, encoding="gbk", severity_column="等级", severity_order="1_is_most_severe", **CHINESE
    )
    assert pts["name"].iloc[0] == "某化工仓库"
    with pytest.raises(LayerError, match=r"is not utf-8 text .*set `encoding:`"):
        points_from_file(path, encoding="utf-8", **CHINESE)


def test_severity_column_without_declared_order_is_a_recipe_error(tmp_path):
    path = _csv(tmp_path / "h.csv", ROWS, "utf-8")
    with pytest.raises(RecipeError, match=r"layers\.h\.severity: .*does not say which end.*1_is_most_severe"):
        points_from_file(path, layer="h", severity_column="等级", **CHINESE)
    body = yaml.safe_load(default_recipe(tmp_path).read_text(encoding="utf-8"))
    body["layers"]["h"] = {"type": "points", "path": str(path), "severity_column": "等级", **CHINESE}
    with pytest.raises(RecipeError, match=r"layers\.h: severity_column '等级' does not say .*order"):
        load_recipe(write_recipe(tmp_path / "a", body))
    body["layers"]["h"] = {"type": "points", "path": str(path), "severity": {"column": "等级"}, **CHINESE}
    with pytest.raises(
        RecipeError, match=r"layers\.h\.severity\.order: missing key 'order'.*4_is_most_severe"
    ):
        load_recipe(write_recipe(tmp_path / "b", body))


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("2.5", "1_is_most_severe", r"row 4: '2\.5' is not a grade"),
        ("5", "4_is_most_severe", r"row 4: '5' is not a grade"),
        ("", "4_is_most_severe", r"row 4: the severity is empty"),
        ("一级", "4_is_most_severe", r"row 4: '一级' is a Chinese grade .*declare order: 1_is_most_severe"),
    ],
)
def test_a_value_off_the_scale_names_file_row_and_column(tmp_path, value, order, expected):
    grades = ["一级", "二级", "三级", "四级"] if order == "1_is_most_severe" else [1, 2, 3, 4]
    rows = [[*r[:5], g] for r, g in zip(ROWS, grades, strict=True)]
    rows[1][5] = value  # the second data row: spreadsheet row 4 (title row, header, first row)
    path = _xlsx(tmp_path / "台账.xlsx", rows)
    where = rf"台账\.xlsx, column '等级' \(order: {order}\): sheet '重大危险源台账' {expected}"
    with pytest.raises(LayerError, match=where):
        points_from_file(
            path, sheet="重大危险源台账", severity_column="等级", severity_order=order, **CHINESE
        )


def test_gbk_shapefile_without_cpg_in_cgcs2000_reads_names(tmp_path):
    streets = gpd.GeoDataFrame(
        {"code": ["110108012", "110108013"], "街道名": ["学院路街道", "花园路街道"]},
        geometry=[box(116.30, 39.98, 116.32, 40.00), box(116.32, 39.98, 116.34, 40.00)],
        crs="EPSG:4490",
    )
    for epsg in (4490, 4547):  # CGCS2000 lon/lat and its 3-degree Gauss-Kruger zone CM 114E
        path = tmp_path / f"jd{epsg}.shp"
        streets.to_crs(epsg).to_file(path, encoding="GBK")
        os.remove(path.with_suffix(".cpg"))
        assert gpd.read_file(path)["code"].size == 2  # GDAL alone would read the names as Latin-1
        units = polygons_from_file(path, layer="jd", id_column="code", name_column="街道名")
        assert units["name"].tolist() == ["学院路街道", "花园路街道"]
        assert units.crs.to_epsg() == 4326
        assert units.total_bounds == pytest.approx([116.30, 39.98, 116.34, 40.00], abs=1e-6)
    declared = polygons_from_file(path, layer="jd", id_column="code", name_column="街道名", encoding="gbk")
    assert declared["name"].iloc[1] == "花园路街道"


def test_gcj02_polygons_are_converted_to_wgs84(tmp_path):
    ring = np.array([(116.30, 39.98), (116.32, 39.98), (116.32, 40.00), (116.30, 40.00)])
    glon, glat = wgs84_to_gcj02(ring[:, 0], ring[:, 1])
    path = tmp_path / "sq.geojson"
    gpd.GeoDataFrame(
        {"id": ["1"], "name": ["五道口社区"]}, geometry=[Polygon(zip(glon, glat, strict=True))], crs=4326
    ).to_file(path)
    units = polygons_from_file(path, layer="sq", coords="gcj02")
    xy = np.asarray(units.geometry.iloc[0].exterior.coords)[:4]
    assert xy == pytest.approx(ring, abs=1e-7)
    raw = polygons_from_file(path, layer="sq")
    assert not np.allclose(np.asarray(raw.geometry.iloc[0].exterior.coords)[:4], ring, atol=1e-3)
    bd = gpd.GeoDataFrame({"id": ["1"]}, geometry=[box(116.30, 39.98, 116.32, 40.00)], crs=4326).to_crs(32650)
    bd.to_file(tmp_path / "utm.gpkg")
    with pytest.raises(LayerError, match=r"projected CRS .* `coords: gcj02` applies to lon/lat"):
        polygons_from_file(tmp_path / "utm.gpkg", layer="sq", coords="gcj02")
    assert gcj02_to_wgs84(glon, glat)[0] == pytest.approx(ring[:, 0], abs=1e-9)


def test_every_chinese_label_of_the_kind_tables_is_a_kind():
    names = registry_kind_names()
    hazards = {"加油站": "fuel", "燃气设施": "gas", "危险化学品场所": "chemical", "变电站": "power"}
    hazards |= {"烟花爆竹": "explosives", "储罐": "storage_tank", "危化品": "chemical"}
    for label, kind in hazards.items():
        assert names["hazard"][label] == kind
    for label, kind in [("消防站", "fire_station"), ("医院", "hospital"), ("避难场所", "shelter"),
                        ("应急避难场所", "shelter"), ("社区卫生服务中心", "clinic")]:  # fmt: skip
        assert names["resource"][label] == kind
    assert "医院" not in names["hazard"] and "加油站" not in names["resource"]


def _own_tables(tmp_path):
    hazards = tmp_path / "my_hazard_kinds.csv"
    hazards.write_text(
        (ur.settings.tables_dir / "hazard_kinds.csv").read_text(encoding="utf-8")
        + "geohazard,geological hazard site,地质灾害隐患点,300,3\n",
        encoding="utf-8",
    )
    resources = tmp_path / "my_resource_kinds.csv"
    resources.write_text(
        (ur.settings.tables_dir / "resource_kinds.csv").read_text(encoding="utf-8")
        + "supply_depot,emergency supply depot,应急物资储备库\n",
        encoding="utf-8",
    )
    return hazards, resources


def test_a_users_own_kinds_flow_through_to_the_hazard_screen(tmp_path):
    hazard_table, resource_table = _own_tables(tmp_path)
    registry = tmp_path / "台账.csv"
    registry.write_bytes(
        "编号,名称,类型,经度,纬度,等级\nG1,某滑坡隐患点,地质灾害隐患点,116.3250,40.0000,二级\n".encode("gbk")
    )
    depots = tmp_path / "物资库.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["名称", "类型", "经度", "纬度"])
    book.active.append(["海淀区应急物资储备库", "应急物资储备库", 116.3200, 39.9950])
    book.save(depots)
    tables = {"hazard_kinds": str(hazard_table), "resource_kinds": str(resource_table)}
    recipe = default_recipe(tmp_path, tables=tables)
    body = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    severity = {"column": "等级", "order": "1_is_most_severe"}
    body["layers"]["geo"] = {"type": "points", "path": str(registry), "severity": severity, **CHINESE}
    # the depots' file has no 编号: its recipe declares no id_column (a declared one it lacks is refused)
    depot_columns = {key: value for key, value in CHINESE.items() if key != "id_column"}
    body["layers"]["depots"] = {"type": "points", "path": str(depots), "role": "resource", **depot_columns}
    recipe = write_recipe(tmp_path, body)
    layers = load_layers(load_recipe(recipe))
    geo = layers.hazards[layers.hazards["id"] == "G1"].iloc[0]
    assert (geo["kind"], geo["severity"]) == ("geohazard", 3)  # 二级 on the Chinese scale
    assert layers.resources["kind"].tolist() == ["supply_depot"]
    result = ur.run_recipe(recipe, scheduler="synchronous", write=False)
    row = result.screens.hazard_sources.set_index("id").loc["G1"]
    assert row["impact_radius_m"] == 300.0 and row["label"] == "geological hazard site"
    assert result.grid["hazards"].sum() == len(result.screens.hazard_sources[lambda t: t["inside_area"]])
    without = default_recipe(tmp_path / "plain")
    body["tables"] = {}
    with pytest.raises(
        LayerError, match=r"unknown hazard kind\(s\) '地质灾害隐患点' in row 2.*tables: \{hazard_kinds"
    ):
        load_layers(load_recipe(write_recipe(without.parent, body)))


def test_validate_lists_every_header_problem_at_once(tmp_path, capsys):
    rows = [list(r) for r in ROWS]
    rows[2][2] = "火山"
    rows[3][5] = "2.5"
    excel = _xlsx(tmp_path / "台账.xlsx", rows)
    streets = gpd.GeoDataFrame(
        {"code": ["1"], "街道名": ["学院路街道"]}, geometry=[box(116.3, 39.98, 116.32, 40.0)]
    )
    shp = tmp_path / "jd.shp"
    streets.set_crs(4490).to_file(shp, encoding="GBK")
    for suffix in (".cpg", ".prj"):
        os.remove(shp.with_suffix(suffix))
    gbk = _csv(tmp_path / "h.csv", ROWS, "gbk")
    body = yaml.safe_load(default_recipe(tmp_path).read_text(encoding="utf-8"))
    body["layers"].update(
        {
            "excel": {"type": "points", "path": str(excel), "severity": {"column": "等级", "order": "1_is_most_severe"},  # noqa: E501
                      "kind_column": "类型", "lon": "经度", "sheet": "重大危险源台账"},
            "csv": {"type": "points", "path": str(gbk), "kind_column": "类别", "lat": "lat"},
            "units": {"type": "polygons", "path": str(shp), "id_column": "编码", "name_column": "街道名"},
        }
    )  # fmt: skip
    recipe = write_recipe(tmp_path, body)
    assert main(["validate", str(recipe)]) == 2
    err = capsys.readouterr().err
    expected = [
        r"layers\.excel\.kind_column: 台账\.xlsx: unknown hazard kind\(s\) '火山' in sheet '重大危险源台账' "
        r"row 5",
        r"layers\.excel\.severity: 台账\.xlsx, column '等级': sheet '重大危险源台账' row 6: '2\.5' is not "
        r"a grade",
        r"layers\.csv\.lat: h\.csv has no column 'lat' \(its columns: \['编号', '名称', '类型', "
        r"'经度', '纬度', '等级'\]\)",
        r"layers\.csv\.kind_column: h\.csv has no column '类别'",
        r"layers\.units\.id_column: jd\.shp has no column '编码' \(its columns: \['code', '街道名'\]\)",
        r"layers\.units\.crs: jd\.shp declares no coordinate reference system .*EPSG:4490",
    ]
    for pattern in expected:
        assert re.search(pattern, err), (pattern, err)
    assert "6 problem(s)" in err and "layers.csv.severity" not in err
    body["layers"] = {k: v for k, v in body["layers"].items() if k not in ("excel", "csv", "units")}
    assert main(["validate", str(write_recipe(tmp_path / "ok", body))]) == 0


def test_validate_refuses_a_registry_of_a_header_only_as_the_run_does(tmp_path, capsys):
    """A CSV of a header and no row passed validate ("ok") and then stopped the run."""
    (tmp_path / "h.csv").write_text("id,kind,name,lon,lat\n", encoding="utf-8")
    body = yaml.safe_load(default_recipe(tmp_path).read_text(encoding="utf-8"))
    body["layers"]["empty"] = {"type": "points", "path": str(tmp_path / "h.csv")}
    assert main(["validate", str(write_recipe(tmp_path, body))]) == 2
    assert "layers.empty.path: h.csv holds no points (a header, no row)" in capsys.readouterr().err
    body["layers"]["empty"].update(role="resource", complete_for=["shelter"])  # none, and it says so
    assert main(["validate", str(write_recipe(tmp_path, body))]) == 0


def test_a_station_in_two_registries_counts_once(tmp_path):
    """The same station in the office's .xls and its GBK CSV copy, both declared complete: counted
    twice it would cover its residents twice over and N-1 would say that losing it costs nobody."""
    header = ["名称", "类型", "经度", "纬度", "编号"]
    station = ["北邮微型消防站", "消防站", 116.352676, 39.959243, "119-01"]
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("消防站台账")
    for i, row in enumerate([header, station]):
        for j, value in enumerate(row):
            sheet.write(i, j, value)
    book.save(str(tmp_path / "消防站台账.xls"))
    (tmp_path / "消防站.csv").write_bytes(
        (",".join(header) + "\n" + ",".join(map(str, station)) + "\n").encode("gbk")
    )
    spec = {"type": "points", "role": "resource", "kind_column": "类型", "id_column": "编号"}
    body = {
        "name": "twice",
        "area": {"bbox": [116.349, 39.957, 116.355, 39.963]},
        "grid": {"resolution": 10},
        "layers": {
            "xls": {**spec, "path": "消防站台账.xls", "complete_for": ["消防站"]},
            "csv": {**spec, "path": "消防站.csv", "complete_for": ["fire_station"]},
        },
        "outputs": {"dir": str(tmp_path / "out")},
    }
    layers = load_layers(load_recipe(write_recipe(tmp_path, body)))
    assert layers.resources["id"].tolist() == ["119-01"]
    assert "resources: fire_station 119-01 is listed in 'csv' and 'xls' at the same place: counted once" in (
        layers.notes
    )
    moved = [*station[:2], 116.3530, 39.9600, *station[4:]]  # the same id at another place: both kept
    text = ",".join(header) + "\n" + ",".join(map(str, moved)) + "\n"
    (tmp_path / "消防站.csv").write_bytes(text.encode("gbk"))
    layers = load_layers(load_recipe(write_recipe(tmp_path, body)))
    assert len(layers.resources) == 2
    assert any("119-01 is at several places: give each its own id" in note for note in layers.notes)


@pytest.mark.parametrize(
    ("lonlat", "message"),
    [
        ("39.959243,116.352676", r"'纬度' 116\.352676 in row 2 is outside \[-90, 90\] .* look swapped; swap"),
        (
            "443372.5,4423570.1",
            r"4423570\.1 in row 2 is no latitude: these look like projected coordinates",
        ),
        ("116.352676,", r"non-numeric or empty '经度' / '纬度' in row 2: fix or remove those rows"),
    ],
)
def test_validate_refuses_coordinates_the_run_would_refuse(tmp_path, capsys, lonlat, message):
    """A GBK registry with 经度/纬度 swapped passed `validate` ("ok") and only the run refused it."""
    (tmp_path / "消防站.csv").write_bytes(f"名称,类型,经度,纬度\n某消防站,消防站,{lonlat}\n".encode("gbk"))
    body = {
        "name": "swapped",
        "area": {"bbox": [116.349, 39.957, 116.355, 39.963]},
        "grid": {"resolution": 10},
        "layers": {"st": {"type": "points", "role": "resource", "path": "消防站.csv", "kind_column": "类型"}},
        "outputs": {"dir": str(tmp_path / "out")},
    }
    assert main(["validate", str(write_recipe(tmp_path, body))]) == 2
    err = capsys.readouterr().err
    assert re.search(r"layers\.st\.lat: 消防站\.csv: " + message, err), err


@pytest.mark.parametrize(
    ("xy", "message"),
    [("443372.5, 4423570.1", "beyond lon/lat (projected metres?)"), ("NaN, 39.96", "not finite numbers")],
)
def test_validate_reads_a_geojson_registrys_coordinates(tmp_path, capsys, xy, message):
    """The same registry as GeoJSON in UTM metres (no CRS) or with a NaN point passed validate ("ok")."""
    geometry = f'{{"type":"Point","coordinates":[{xy}]}}'
    point = f'{{"type":"Feature","properties":{{"kind":"fire_station"}},"geometry":{geometry}}}'
    (tmp_path / "st.geojson").write_text(
        f'{{"type":"FeatureCollection","features":[{point}]}}', encoding="utf-8"
    )
    body = {
        "name": "metres",
        "area": {"bbox": [116.349, 39.957, 116.355, 39.963]},
        "grid": {"resolution": 10},
        "layers": {"st": {"type": "points", "role": "resource", "path": "st.geojson"}},
        "outputs": {"dir": str(tmp_path / "out")},
    }
    assert main(["validate", str(write_recipe(tmp_path, body))]) == 2
    assert (
        f"layers.st.path: st.geojson has {'coordinates' if 'metres' in message else 'vertices'}"
        in (err := capsys.readouterr().err)
        and message in err
    ), err


def test_validate_refuses_an_override_of_no_standard(tmp_path, capsys):
    """coverage.overrides.fire2 (a typo) passed `validate` as ok and only the run stopped on it."""
    body = {
        "name": "typo",
        "area": {"bbox": [116.349, 39.957, 116.355, 39.963]},
        "grid": {"resolution": 10},
        "layers": {},
        "coverage": {"overrides": {"fire2": {"resources_complete": True}}},
        "outputs": {"dir": str(tmp_path / "out")},
    }
    assert main(["validate", str(write_recipe(tmp_path, body))]) == 2
    err = capsys.readouterr().err
    assert (
        "coverage.overrides: names unknown standards ['fire2']: preset cn has ['fire', 'medical', 'shelter']"
        in err
    )


def test_a_registry_read_twice_within_read_once_is_parsed_once(tmp_path):
    """A run's preflight and load read each registry: within ``read_once`` the second read of the same
    unchanged file takes the first's rows (once: a third parses again); a changed file (new size),
    another layer name or a read outside the block parses the file again."""
    from urbanrisk.layers.tabular import read_once

    path = tmp_path / "hazards.csv"
    path.write_text("id,kind,lon,lat\nH1,fuel,116.3,39.99\n", encoding="utf-8")
    with read_once():
        first = rows_from_file(path, layer="hazards")
        assert rows_from_file(path, layer="hazards") is first
        third = rows_from_file(path, layer="hazards")
        assert third is not first and third.rows == first.rows
        assert rows_from_file(path, layer="other") is not third
        path.write_text("id,kind,lon,lat\nH1,fuel,116.3,39.99\nH2,gas,116.31,39.98\n", encoding="utf-8")
        changed = rows_from_file(path, layer="hazards")
        assert changed is not first and [r[0] for r in changed.rows] == ["H1", "H2"]
    assert rows_from_file(path, layer="hazards") is not changed
    assert rows_from_file(path, layer="hazards").rows == changed.rows
