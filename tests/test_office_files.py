"""An office's own files, as a district emergency office keeps them (session 10's fresh eyes on the
BUPT extract): a hazard 台账 with a row pasted twice, both coordinates typed in one cell, shelter
capacities written with their unit (1.2万人), a census table whose notes were lost on the way to the
CLI and the manifest, and those notes in English in a Chinese run.
"""

from __future__ import annotations

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
    source = "census table: 人口.xlsx (41,000 residents in 2 units of layer 'streets'), "
    source += "spread by residential floor area"
    assert (
        data_text(source, "zh")
        == "人口统计表 人口.xlsx（图层 'streets' 的 2 个单元共 41,000 人），按居住建筑面积分配到网格"
    )
    total = "population: skipped the total rows (sheet '人口' row 4) of 人口.xlsx"
    assert (
        data_text(total, "zh")
        == "population：已跳过 人口.xlsx 中的合计行（工作表 '人口' 第 4 行），不计入常住人口"
    )
    part = (
        "population table: units reaching outside the study area (2): each counts its residents times the "
        "share of its area inside (北太平庄街道 (65%)、北下关街道 (67%))"
    )
    assert data_text(part, "zh") == (
        "人口统计表：2 个单元部分在研究区外，各按其在研究区内的面积比例计入常住人口"
        "（北太平庄街道 (65%)、北下关街道 (67%)）"
    )
