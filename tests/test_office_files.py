"""An office's own files, as a district emergency office keeps them (session 10's fresh eyes on the
BUPT extract): a hazard 台账 with a row pasted twice, both coordinates typed in one cell, shelter
capacities written with their unit (1.2万人), a census table whose notes were lost on the way to the
CLI and the manifest, and those notes in English in a Chinese run.
"""

from __future__ import annotations

import json
import re

from test_hostile import cli, refused
from test_hostile_round3 import _recipe
from urbanrisk.outputs.i18n import data_text

HEAD = "名称,类型,经度,纬度,危险等级\n"


def test_a_row_pasted_twice_is_one_hazard_source_with_a_note(tmp_path):
    """Two word-for-word copies were two sources: each graded, each in the 责任清单, residents twice."""
    from urbanrisk.layers.points import points_from_file

    rows = "北下关加气站,加气站,116.354,39.9575,二级\n" * 2 + "学院路加油站 ,加油站,116.350,39.958,二级\n"
    (tmp_path / "h.csv").write_text(HEAD + rows, encoding="gbk")
    read = points_from_file(
        tmp_path / "h.csv",
        role="hazard",
        kind_column="类型",
        name_column="名称",
        severity_column="危险等级",
        severity_order="1_is_most_severe",
    )
    assert read["name"].tolist() == ["北下关加气站", "学院路加油站"]
    note = read.attrs["notes"][0]
    assert note.startswith("points: h.csv repeats 1 row word for word (北下关加气站): counted once"), note
    assert data_text(note, "zh").startswith(
        "points：h.csv 中有 1 行与前面的行完全相同 (北下关加气站)：只计一次"
    )
    # rows with ids of their own are the registry's word that they differ: kept
    ided = "编号," + HEAD.replace("\n", "") + "\nA1," + rows.splitlines()[0] + "\nA2," + rows.splitlines()[1]
    (tmp_path / "i.csv").write_text(ided + "\n", encoding="gbk")
    kept = points_from_file(
        tmp_path / "i.csv",
        role="hazard",
        kind_column="类型",
        id_column="编号",
        severity_column="危险等级",
        severity_order="1_is_most_severe",
    )
    assert kept["id"].tolist() == ["A1", "A2"] and not kept.attrs["notes"]


def test_both_coordinates_in_one_cell_and_capacities_with_their_unit_are_named_in_chinese(tmp_path):
    """'116.3545,39.9625' was 'not a number or empty'; '3000人' was 'not a number from 0 to 10,000,000'."""
    rows = '变电站,变电站,"116.3545,39.9625",,四级\n调压站,燃气设施,,,三级\n'
    (tmp_path / "h.csv").write_text(HEAD + rows, encoding="gbk")
    shelters = "名称,类型,经度,纬度,容纳人数\n体育场,应急避难场所,116.351,39.9625,1.2万人\n"
    shelters += "公园,避难场所,116.3535,39.9585,３０００人\n"
    (tmp_path / "s.csv").write_text(shelters, encoding="gbk")
    layers = {
        "h": {
            "type": "points",
            "path": "h.csv",
            "kind_column": "类型",
            "severity": {"column": "危险等级", "order": "1_is_most_severe"},
        },
        "s": {
            "type": "points",
            "role": "resource",
            "path": "s.csv",
            "kind_column": "类型",
            "capacity_column": "容纳人数",
        },
    }
    code, text = cli("validate", _recipe(tmp_path, layers, report={"language": "zh"}))
    refused(code, text, "h.csv")
    assert (
        "h.csv：第 2 行的 '116.3545,39.9625' 把经纬度写在了一格里：请把经度填入 '经度' 列、纬度填入 '纬度' 列"
        in text
    )
    assert "h.csv：第 3 行的 '经度' / '纬度' 不是数字或为空" in text  # the empty row keeps its own message
    assert "容量 '1.2万人'（第 2 行）、'３０００人'（第 3 行） 带有单位（人、床等）：请只填写数字" in text, (
        text
    )
    assert "'1.2万人' -> 1.2万, '３０００人' -> 3000" in text


def test_census_table_notes_read_in_chinese():
    """The notes the BUPT run printed in English (its Chinese now lives in i18n_census, from main)."""
    source = "census table: 人口.xlsx (41,000 residents in 2 units of layer 'streets'), "
    source += "spread by residential floor area"
    total = "population: skipped the total rows (sheet '人口' row 4) of 人口.xlsx"
    for text in (source, total):
        zh = data_text(text, "zh")
        assert not re.search(r"census|skipped|residents|spread", zh), zh
    assert "41,000" in data_text(source, "zh") and "合计行" in data_text(total, "zh")


def test_hostile_round5_geojson_without_geometry_is_refused_by_validate_in_chinese(tmp_path, capfd):
    """validate passed it (exit 0), then the run refused it in English; an XYZM point warned from GDAL."""
    point = {"type": "Point", "coordinates": [116.35, 39.958, 50.0, 7.0]}
    features = [point, {"type": "GeometryCollection", "geometries": []}, None]
    body = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"类型": "加油站"}, "geometry": g} for g in features],
    }
    (tmp_path / "h.geojson").write_text(json.dumps(body), encoding="utf-8")
    layers = {"h": {"type": "points", "path": "h.geojson", "kind_column": "类型"}}
    code, text = cli("validate", _recipe(tmp_path, layers, report={"language": "zh"}))
    refused(code, text, "h.geojson")
    assert "h.geojson：第 2, 3 个要素没有几何（位置）：请给出其位置，或删除这些要素" in text, text
    from urbanrisk.layers.points import points_from_file

    body["features"] = body["features"][:1]
    (tmp_path / "h.geojson").write_text(json.dumps(body), encoding="utf-8")
    capfd.readouterr()
    read = points_from_file(tmp_path / "h.geojson", role="hazard", kind_column="类型")
    assert read.geometry.x.tolist() == [116.35] and "OGRGeoJSONReadRawPoint" not in capfd.readouterr().err


def test_hostile_round5_units_as_a_collection_and_overlapping_are_read_and_said(tmp_path):
    """A unit drawn as a GeometryCollection was left out as 'not a polygon'; overlaps went unsaid."""
    from urbanrisk.layers.polygons import polygons_from_file

    def square(x0, x1):
        return {"type": "Polygon", "coordinates": [[[x0, 0], [x1, 0], [x1, 1], [x0, 1], [x0, 0]]]}

    shapes = [square(0, 2), square(1, 3), {"type": "GeometryCollection", "geometries": [square(5, 6)]}]
    features = [
        {"type": "Feature", "properties": {"code": c, "名称": n}, "geometry": g}
        for c, n, g in zip("ABC", ["甲", "乙", "丙"], shapes, strict=True)
    ]
    path = tmp_path / "u.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    units = polygons_from_file(path, layer="u", id_column="code", name_column="名称")
    assert units["id"].tolist() == ["A", "B", "C"] and units.geometry.iloc[2].area == 1.0
    (note,) = units.attrs["notes"]
    assert "A 甲 / B 乙 (50%)" in note and "C" not in note.split("overlap")[1].split(";")[0]
    assert data_text(note, "zh").startswith(
        "u：u.geojson 中有单元相互重叠（括号内为重叠部分占较小单元的比例）"
    )


def test_hostile_round5_coordinates_excel_turned_into_dates_are_named(tmp_path):
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "封面"
    sheet = book.create_sheet("台账")
    sheet.append(["名称", "类型", "经度", "纬度"])
    sheet.append(["加油站一", "加油站", 116.35, 39.958])
    sheet.append(["加气站二", "加气站", datetime.datetime(2025, 3, 1), 39.9575])
    book.save(tmp_path / "h.xlsx")
    layers = {"h": {"type": "points", "path": "h.xlsx", "sheet": "台账", "kind_column": "类型"}}
    code, text = cli("validate", _recipe(tmp_path, layers, report={"language": "zh"}))
    refused(code, text, "h.xlsx")
    assert "h.xlsx：工作表 '台账' 第 3 行的 '2025-03-01 00:00:00' 是日期而不是坐标" in text, text


def test_a_cover_sheet_first_names_the_other_sheets_without_brackets(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "封面"
    book.active["A1"] = "海淀区危险源台账 2025"
    book.create_sheet("台账").append(["名称", "类型", "经度", "纬度"])
    book.save(tmp_path / "h.xlsx")
    layers = {"h": {"type": "points", "path": "h.xlsx", "kind_column": "类型"}}
    code, text = cli("validate", _recipe(tmp_path, layers, report={"language": "zh"}))
    refused(code, text, "h.xlsx")
    assert "若台账在其他工作表（'台账'），请设置 `sheet:`" in text, text


def test_a_western_registry_with_full_width_minus_and_a_pasted_row(tmp_path):
    """validate refused '－７６.５８０' (float() reads full-width digits, not the full-width minus) while the
    run read it; the repeated-row check then raised a TypeError on the Excel registry (a traceback)."""
    import openpyxl

    from urbanrisk.layers.points import points_from_file

    book = openpyxl.Workbook()
    book.active.append(["名称", "类型", "经度", "纬度", "危险等级"])
    for row in (
        ["港口油库 ", "储罐", -76.56, 39.275, "一级"],
        ["加油站A", "加油站", "－７６.５８０", "３９.２９０", "三级"],
    ):
        book.active.append(row)
    book.active.append(["加油站A", "加油站", "－７６.５８０", "３９.２９０", "三级"])
    book.active.append(["化工厂", "危化品", "\u221276.545", 39.268, "Ⅱ级"])
    book.save(tmp_path / "h.xlsx")
    severity = {"column": "危险等级", "order": "1_is_most_severe"}
    layers = {"h": {"type": "points", "path": "h.xlsx", "kind_column": "类型", "name_column": "名称"}}
    layers["h"]["severity"] = severity
    assert cli("validate", _recipe(tmp_path, layers))[0] == 0
    read = points_from_file(
        tmp_path / "h.xlsx",
        role="hazard",
        kind_column="类型",
        name_column="名称",
        severity_column="危险等级",
        severity_order="1_is_most_severe",
    )
    assert read["name"].tolist() == ["港口油库", "加油站A", "化工厂"]
    assert read.geometry.x.tolist() == [-76.56, -76.58, -76.545]


def test_a_shelter_of_unknown_capacity_reads_beside_a_repeated_row(tmp_path):
    """An empty capacity (NaN) broke the repeated-row check (pandas' str dtype keeps NaN): a traceback."""
    from urbanrisk.layers.points import points_from_file

    rows = (
        "名称,类型,经度,纬度,容纳人数\n公园,应急避难场所,-76.575,39.285,1.5万\n操场,避难场所,-76.555,39.28,\n"
    )
    (tmp_path / "s.csv").write_text(rows + rows.splitlines()[2] + "\n", encoding="gbk")
    read = points_from_file(
        tmp_path / "s.csv",
        role="resource",
        kind_column="类型",
        name_column="名称",
        capacity_column="容纳人数",
    )
    assert read["name"].tolist() == ["公园", "操场"] and read["capacity"].iloc[0] == 15_000
    assert read["capacity"].isna().iloc[1] and "repeats 1 row word for word (操场)" in read.attrs["notes"][0]
