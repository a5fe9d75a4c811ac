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
    rows = 'BN-01,公园,应急避难场所,116.350,39.958,0.3万\nBN-02,操场,应急避难场所,116.353,39.961,"1,200人"\n'
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
