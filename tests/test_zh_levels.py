"""Severity by its Chinese level name (一级 the most severe, whichever scale the registry declared), a
hazard grade not given shown with its floor, and a census table's notes and errors in Chinese."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from urbanrisk.layers.severity import to_internal
from urbanrisk.outputs.i18n import data_text, translator
from urbanrisk.outputs.i18n_checks import check_text
from urbanrisk.outputs.i18n_severity import hazard_display, severity_words
from urbanrisk.outputs.report_parts import table_html


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_a_registry_grade_reads_back_as_the_same_level_on_either_scale(level):
    label = "一二三四"[level - 1] + "级"  # 一级 the most severe
    assert severity_words(to_internal(label, "1_is_most_severe"), "zh") == label
    assert severity_words(to_internal(str(level), "1_is_most_severe"), "zh") == label
    assert severity_words(to_internal(str(5 - level), "4_is_most_severe"), "zh") == label  # 4: 一级
    assert severity_words(to_internal(str(5 - level), "4_is_most_severe"), "en") == str(5 - level)


def _sources():
    """Two sources by hand: one graded III (2 x 2 = 4), one whose residents are partly unknown: its
    counted residents give 3 x 2 = 6 (III), the most possible 3 x 4 = 12 (I), so it is not graded."""
    return pd.DataFrame(
        {
            "grade": ["III", "no data"],
            "name": ["某仓库", "某加油站"],
            "severity": [2, 3],
            "matrix_score": [4, 6],
            "residents_unknown_share": [0.0, 0.25],
            "residents_exposed": [150.0, 1200.0],
        }
    )


@pytest.mark.parametrize(
    ("language", "graded", "bounded", "levels"),
    [
        ("zh", "III", "无数据（至少III级）", ["三级", "二级"]),
        ("en", "III", "no data (at least III)", ["2", "3"]),
    ],
)
def test_the_hazard_table_shows_levels_and_the_floor_of_a_grade_not_given(language, graded, bounded, levels):
    t = translator(language)
    shown = hazard_display(_sources(), t, language)
    assert shown["severity"].tolist() == levels and shown["grade_label"].tolist() == [graded, bounded]
    html = table_html(
        shown,
        {"grade": t("grade"), "name": t("name"), "severity": t("severity")},
        t=t,
        grade_columns={"grade"},
        labels={"grade": "grade_label"},
    )
    cells = re.findall(r"<td>(.*?)</td>", html)
    assert ">" + bounded + "</span>" in cells[3] and "rgb(160,160,160)" in cells[3]  # grey: no grade
    assert cells[2] == levels[0] and cells[5] == levels[1]


def test_census_notes_and_errors_in_chinese():
    notes = {
        "population: units without a readable count (1), their residents unknown (not 0): "
        "燕园街道 (row 5: '')": (
            "population：1 个单元的人数无法读取，其常住人口未知（并非 0）：燕园街道（第 5 行：''）"
        ),
        "population: skipped the total rows (row 7, sheet '表1' row 9) of 人口.csv": (
            "population：已跳过 人口.csv 中的合计行（第 7 行、工作表 '表1' 第 9 行）"
        ),
        "population: units of layer 'units' without a row in the table (2), their residents unknown (not 0): "
        "海淀街道、东升镇": (
            "population：图层 'units' 中有 2 个单元在表中没有对应行，其常住人口未知（并非 0）："
            "海淀街道、东升镇"
        ),
        "population table: units outside the study area (1), their 20,000 residents not counted: 东升镇": (
            "人口统计表：1 个单元在研究区外，其 20,000 名常住人口未计入：东升镇"
        ),
        "population table: no mapped residential floor area in 清华园街道 (by raster)、燕园街道 (by area)": (
            "人口统计表：以下单元没有已测绘的居住建筑面积：清华园街道（按人口栅格分配）、燕园街道（按面积分配）"
        ),
        "census table: 人口.csv (94,000 residents in 2 units of 街道.geojson), spread by residential "
        "floor area": (
            "人口统计表：人口.csv（街道.geojson 中 2 个单元共 94,000 人），按居住建筑面积分配到网格"
        ),
    }
    for english, chinese in notes.items():
        assert data_text(english, "zh") == chinese
        assert data_text(english, "en") == english
    errors = {  # as validate words them (the layer's name in the key before them)
        "人口.csv: unit '学院路街道' has two rows (row 2 and row 3): give each unit one row (add the rows' "
        "counts up)": (
            "人口.csv：单元 '学院路街道' 有两行（第 2 行、第 3 行）：每个单元只写一行（把这些行的人数相加）"
        ),
        "人口.csv: rows naming no unit of 街道.geojson by id (1): 学院路街道 (its ids are e.g. 110108012、"
        "110108013): correct the names, or join by the other key (join: id / name)": (
            "人口.csv：1 行的代码对不上 街道.geojson 中的任何单元："
            "学院路街道（其单元代码例如 110108012、110108013）：请改正代码，"
            "或改用另一种键关联（join: id / name）"
        ),
    }
    for english, chinese in errors.items():
        assert check_text(english, "zh") == chinese


@pytest.mark.parametrize(
    "n", ["1,204", "≥ 1,204（另有 2 个单元常住人口未知）", "未知（1 个单元常住人口未知）"]
)
def test_the_least_affordable_resource_reads_whatever_its_loss_is(n):
    from urbanrisk.outputs.report_sections import LEAST_AFFORD

    line = translator("zh")(LEAST_AFFORD, name="北京大学校医院", id="osm:way/1", n=n)
    assert line == f"最不可缺少的资源为 北京大学校医院（osm:way/1）：停用后不再满足标准的常住人口 {n}"
    assert "） 名" not in line  # never "未知（…） 名常住人口"


def test_the_responsibility_list_names_a_source_grades_floor_too():
    from urbanrisk.outputs.i18n_severity import item_grade_labels

    sources = _sources().assign(id=["H1", "H2"])
    items = pd.DataFrame(
        {
            "item_type": ["hazard_source", "hazard_source", "risk_cluster"],
            "item_id": ["H2", "H1", "cluster-01"],
            "grade": ["no data", "III", "II"],
        }
    )
    shown = item_grade_labels(items, sources, translator("zh"), "zh")
    assert shown["grade_label"].tolist() == ["无数据（至少III级）", "III", "II"]
    assert item_grade_labels(items, None, translator("en"), "en")["grade_label"].tolist() == [
        "no data",
        "III",
        "II",
    ]
