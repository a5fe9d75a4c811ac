"""A hazard registry's quantity (最大存量) as an office writes it: 约30吨, 30吨左右, ≈30 t (approximate: the
number, said), 20-30吨 and 30余吨 (ranges: the upper bound, said), <=30t (a ceiling: the upper bound),
>30t (a floor: R a lower bound, graded only where nothing larger changes it), 3万吨, 500千克 (units),
不详 (unknown: no R, never 0). 约30吨 was refused ("not a number of tonnes"). Every R and grade made
from a quantity read loosely says so: ``gb18218_quantity``, the basis, the report's grade cell. R values
computed by hand from GB 18218-2018 (chlorine Q 5 t, β 4; 40 people within 500 m: α 1.2)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from conftest import gb18218_at_one_point
from urbanrisk.outputs.i18n_exposure import quantity_grade, zh_bounds
from urbanrisk.screens.quantities import read_quantity

LON, LAT = 116.3500, 39.9590


@pytest.mark.parametrize(
    ("text", "tonnes", "reading"),
    [
        ("30吨", 30.0, "exact"),
        ("２０ 吨", 20.0, "exact"),  # full width, as a Chinese input method types it
        ("3万吨", 30_000.0, "exact"),
        ("500千克", 0.5, "exact"),
        ("500 kg", 0.5, "exact"),
        ("1,200吨", 1200.0, "exact"),
        ("约30吨", 30.0, "approximate"),
        ("30吨左右", 30.0, "approximate"),
        ("≈30 t", 30.0, "approximate"),
        ("～30t", 30.0, "approximate"),
        ("20-30吨", 30.0, "upper bound"),
        ("20吨~30吨", 30.0, "upper bound"),
        ("20至30吨", 30.0, "upper bound"),
        ("约20-30吨", 30.0, "upper bound"),
        ("30余吨", 40.0, "upper bound"),  # more than 30, under 40 as Chinese counts
        ("300多吨", 400.0, "upper bound"),
        ("3万余吨", 40_000.0, "upper bound"),
        ("<=30t", 30.0, "upper bound"),
        ("≤30吨", 30.0, "upper bound"),
        ("30吨以下", 30.0, "upper bound"),
        ("不超过30吨", 30.0, "upper bound"),
        (">30t", 30.0, "lower bound"),
        ("≥30吨", 30.0, "lower bound"),
        ("30吨以上", 30.0, "lower bound"),
        ("不少于30吨", 30.0, "lower bound"),
        ("不详", None, "unknown"),
        ("未知", None, "unknown"),
        ("-", None, "unknown"),
        ("约30立方", None, "volume"),
        ("三十吨", None, "unreadable"),
        ("30-20吨", None, "unreadable"),  # not a range
        ("30吨/年", None, "unreadable"),  # a throughput, not a store
        ("-3", None, "unreadable"),
        ("1e308", None, "unreadable"),
    ],
)
def test_a_quantity_is_read_as_a_safety_engineer_reads_it(text, tonnes, reading):
    read = read_quantity(text)
    assert (read.tonnes, read.reading) == (tonnes, reading)
    assert (read.words == "") == (reading == "exact")  # every reading but the exact one is said


def _grades(quantities: list[str], people: float = 40.0, substance: str = "液氯") -> pd.DataFrame:
    """The GB 18218 columns of sources of ``substance`` storing ``quantities``, ``people`` within 500 m."""
    return gb18218_at_one_point(
        quantities, substance=substance, people=people, lon=LON, lat=LAT, utm_crs="EPSG:32650"
    )


def test_every_r_and_grade_from_a_loose_quantity_says_how_it_was_read():
    out = _grades(
        ["30吨", "约30吨", "20-30吨", "30余吨", "3万吨", "500千克", "<=30t", ">30t", "≥300吨", "不详"]
    )
    r = out["gb18218_R"].tolist()
    # 1.2 × 4 × q / 5: 30 t -> 28.8 (三级); 40 t -> 38.4; 30,000 t -> 28,800 (一级); 0.5 t -> 0.48 (四级)
    assert r[:7] == pytest.approx([28.8, 28.8, 28.8, 38.4, 28_800.0, 0.48, 28.8])
    assert r[7:9] == pytest.approx([28.8, 288.0]) and math.isnan(r[9])  # 不详: no R, never 0
    assert out["gb18218_grade"].tolist() == [
        "三级", "三级", "三级", "三级", "一级",
        "",  # 500 kg: S = 0.5/5 = 0.1 < 1, not a major hazard source (GB 18218 4.2): no grade
        "三级",
        "no data",  # >30 t: R ≥ 28.8, a larger store could make it 二级 or 一级
        "一级",  # ≥300 t: R ≥ 288 is 一级 whatever more there is
        "",
    ]  # fmt: skip
    loose = ["", "approximate", "upper bound", "upper bound", "", "", "upper bound", "lower bound"]
    assert out["gb18218_quantity"].tolist() == [*loose, "lower bound", ""]
    basis = out["gb18218_basis"].tolist()
    assert basis[0] == "α 1.2 × (氯 4×30/5)"
    assert (
        basis[1]
        == "R approximate (a quantity approximate): α 1.2 × (氯 4×30/5 ['约30吨' read as 30 t (approximate)])"
    )
    assert basis[2].startswith("R at most (a quantity's upper bound): ")
    assert basis[2].endswith("(氯 4×30/5 ['20-30吨' read as 30 t (the upper bound)])")
    assert basis[3].endswith("(氯 4×40/5 ['30余吨' read as 40 t (the upper bound)])")
    assert basis[4] == "α 1.2 × (氯 4×30000/5)"
    assert basis[7].startswith("R at least (a quantity's lower bound): ")
    assert (
        basis[9] == "quantity '不详' is unknown: no R (not 0); give the most that may be present, in tonnes"
    )


def test_a_floor_below_the_critical_quantity_cannot_tell_a_major_hazard_source():
    """S = Σ q/Q below 1 is no major hazard source (no grade), unless S is only a floor (">3t"): then a
    larger store may make it one, and the grade is no data, said."""
    out = _grades(["<=3t", ">3t", "约3吨"])
    assert out["gb18218_S"].tolist() == pytest.approx([0.6, 0.6, 0.6])  # chlorine: 3 / 5
    assert out["gb18218_grade"].tolist() == ["", "no data", ""]
    basis = out["gb18218_basis"].tolist()
    assert basis[0].startswith("not a major hazard source (Σq/Q = 0.6 < 1")
    assert basis[1].startswith("R at least (a quantity's lower bound): Σq/Q ≥ 0.6, a floor below 1")
    assert zh_bounds(basis[1]).startswith(
        "R 为下限（存量为下限）：Σq/Q ≥ 0.6，为下限且小于 1：是否构成重大危险源无法判定；R 仅供参考：α 1.2"
    )


def test_a_source_bounded_both_ways_is_not_graded():
    out = _grades(["≥300吨;20-30吨"], substance="液氯;液氨").iloc[0]
    # chlorine ≥ 300 t with ammonia 20-30 t: R = 1.2 × (4×300/5 + 2×30/10) = 295.2, neither bound
    assert out["gb18218_R"] == pytest.approx(295.2)
    assert out["gb18218_quantity"] == "both ways" and out["gb18218_grade"] == "no data"


def test_the_report_words_in_chinese():
    basis = (
        "R approximate (a quantity approximate): α 1.2 × (氯 4×30/5 ['约30吨' read as 30 t (approximate)])"
    )
    assert (
        zh_bounds(basis) == "R 为近似值（存量为近似值）：α 1.2 × (氯 4×30/5 ['约30吨' 按 30 吨计（近似值）])"
    )
    assert zh_bounds("x ['20-30吨' read as 30 t (the upper bound)]") == "x ['20-30吨' 按 30 吨计（取上限）]"
    assert quantity_grade("三级", "upper bound", "zh") == "三级（存量取上限）"
    assert quantity_grade("四级", "", "zh") == "四级"


@pytest.mark.parametrize(
    ("substance", "quantity", "basis", "basis_zh"),
    [
        (
            "液氯",
            "",
            "no quantity for 液氯: unknown, no R (not 0); give the most that may be present, in tonnes",
            "液氯 未填写存量：存量未知，不计算 R（不作 0 计）；请填写最大存在量（吨）",
        ),
        (
            "液氯;液氨",
            "30;",
            "no quantity for 液氨: unknown, no R (not 0); give the most that may be present, in tonnes",
            "液氨 未填写存量：存量未知，不计算 R（不作 0 计）；请填写最大存在量（吨）",
        ),
        (
            "液氯;液氨",
            "30",
            "2 substances but 1 quantities: which is whose is unknown, no R (not 0); "
            "give one quantity per substance, separated by ;",
            "2 种物质、1 个存量：无法对应，存量未知，不计算 R（不作 0 计）；"
            "请每种物质填写一个存量，以 ; 分隔",
        ),
    ],
)
def test_a_substance_of_no_quantity_is_unknown_and_said_so(substance, quantity, basis, basis_zh):
    """A substance listed with its quantity blank: the store is unknown (no R, no grade, never 0); the
    basis says which substance lacks it (it read "no substance list or quantities do not match")."""
    from urbanrisk.outputs.i18n import data_text

    out = _grades([quantity], substance=substance)
    assert out["gb18218_basis"].tolist() == [basis]
    assert out["gb18218_basis_en"].tolist() == [basis]
    assert math.isnan(out["gb18218_R"].iloc[0]) and out["gb18218_grade"].iloc[0] == ""
    assert zh_bounds(basis) == basis_zh  # the report's zh basis
    assert data_text(basis, "zh") == basis_zh  # the planner pages'
