"""How the report and the map word what an office reads, by hand: a bounded sum in one helper (the
same words in every table, en and zh, right-aligned as numbers), and the residents view of a large
grid's map classed by what is known."""

import numpy as np
import pandas as pd

from urbanrisk.outputs.i18n import translator
from urbanrisk.outputs.map_cells import EMPTY_COLOUR, POPULATION_COLOURS, population_fill
from urbanrisk.outputs.report_parts import bounded_sum, table_html
from urbanrisk.result import NO_DATA_COLOUR

EN, ZH = translator("en"), translator("zh")


def test_a_bounded_sum_reads_the_same_in_every_table_and_language():
    """One helper words a sum over cells: counted, ≥ with cells of unknown residents, unknown where
    nobody was counted, and the cells outside the street data after it; table_html's
    unknown_cells/outside_cells give exactly its words, in a right-aligned cell."""
    assert bounded_sum(12.0, 3, EN, outside_cells=2) == (
        "≥ 12 (3 cells with residents unknown); 2 cells outside the street data, on streets leaving it or in "
        "reach of a resource not used: coverage unknown"
    )
    assert bounded_sum(12.0, 3, ZH, outside_cells=2) == (
        "≥ 12（另有 3 个单元常住人口未知）；另有 2 个单元在道路数据范围外、其道路伸出数据边界"
        "或在未用资源可能可达范围内：覆盖情况未知"
    )
    assert (
        bounded_sum(50.0, 0, ZH, outside_cells=1)
        == "≥ 50；另有 1 个单元在道路数据范围外、其道路伸出数据边界或在未用资源可能可达范围内：覆盖情况未知"
    )
    assert bounded_sum(float("nan"), 4, ZH) == "未知（4 个单元常住人口未知）"
    assert bounded_sum(7.0, 0, ZH, share=0.5) == "7" and bounded_sum(0.0, 0, EN) == "0"
    frame = pd.DataFrame(
        {
            "name": ["a", "b", "c", "d"],
            "uncovered": [12.0, 50.0, np.nan, 0.0],
            "unknown": [3, 0, 4, 0],
            "outside": [2, 1, 0, 0],
            "worded": ["≤ 1.5", "–", "unknown", "3"],
        }
    )
    for t in (EN, ZH):
        html = table_html(
            frame,
            {"name": "n", "uncovered": "u", "worded": "w"},
            t=t,
            numeric={"uncovered", "worded"},
            unknown_cells={"uncovered": "unknown"},
            outside_cells={"uncovered": "outside"},
        )
        for row in frame.itertuples():
            words = bounded_sum(row.uncovered, row.unknown, t, outside_cells=row.outside)
            assert f'<td class="n">{words}</td>' in html.replace("&lt;", "<")
            assert f'<td class="n">{row.worded}</td>' in html  # already worded: kept, right-aligned
        assert html.count('<th class="n">') == 2


def _parents(per_child: list[float], unknown: list[int]) -> pd.DataFrame:
    """A large grid's display parents of 7 children each (:mod:`urbanrisk.outputs.display`), their
    children's residents counted where known, grey (known_residents false) where most are unknown."""
    unknown_cells = np.asarray(unknown)
    return pd.DataFrame(
        {
            "residents": np.asarray(per_child) * (7 - unknown_cells),
            "display_children": 7,
            "cells_residents_unknown": unknown_cells,
            "known_residents": 2 * unknown_cells <= 7,
        },
        index=[f"p{i}" for i in range(len(per_child))],
    )


def test_a_large_grids_residents_view_classes_what_is_known():
    """p5 has 3 of its 7 children unknown and 50 residents in each known one, as p4 has in all of
    its: the same class (by its counted sum, 200, it fell below p3's 280); p6, 5 of 7 unknown, is
    grey and left out of the class breaks; p7 has nobody; p8 the most."""
    grid = _parents([10.0, 20.0, 30.0, 40.0, 50.0, 50.0, 1.0, 0.0, 60.0], [0, 0, 0, 0, 0, 3, 5, 0, 0])
    fill = dict(zip(grid.index, population_fill(grid, 190), strict=True))
    assert fill["p5"] == fill["p4"] == [*POPULATION_COLOURS[-2], 190] != fill["p3"]
    assert fill["p0"] == [*POPULATION_COLOURS[0], 190]
    assert fill["p6"] == [*NO_DATA_COLOUR, 200] and fill["p7"] == [*EMPTY_COLOUR, 40]
    known = grid.drop(index="p6")  # the grey parent moves no break: the others keep their classes
    assert dict(zip(known.index, population_fill(known, 190), strict=True)) == {
        k: v for k, v in fill.items() if k != "p6"
    }


def test_a_coverage_gaps_residents_are_a_bound_over_its_cells_not_a_hazards_reach():
    """The responsibility list said a gap's residents were '≥ 27,686（影响范围 1% 人口未知）', a hazard
    source's words (the share of its reach); a gap's share is of its cells."""
    from urbanrisk.outputs.report_sections import _gap_residents

    items = pd.DataFrame(
        {
            "item_type": ["coverage_gap", "coverage_gap", "hazard_source"],
            "residents": [27_686.2, 0.0, 40.0],
            "residents_unknown_share": [0.01, 1.0, 0.26],
        }
    )
    en, zh = _gap_residents(items, EN)["residents"], _gap_residents(items, ZH)["residents"]
    assert en.tolist() == [
        "≥ 27,686 (1% of its cells with residents unknown)",
        "unknown (residents unknown in all its cells)",
        40.0,  # a source's: worded by the table, of its reach
    ]
    assert zh.tolist()[:2] == ["≥ 27,686（其中 1% 单元常住人口未知）", "未知（全部单元常住人口未知）"]


def test_the_least_affordable_loss_reads_in_english_whatever_its_size():
    """The N-1 line put the count before 'residents': 'unknown (1 cells with residents unknown)
    residents would fall outside the standard'; the count now ends the line, in both languages."""
    from urbanrisk.outputs.report_sections import LEAST_AFFORD

    n = bounded_sum(float("nan"), 1, EN)
    line = EN(LEAST_AFFORD, name="北京大学校医院", id="osm:way/1", n=n)
    assert line.endswith(
        "residents who would fall outside the standard: unknown (1 cell with residents unknown)"
    )
    assert (
        ZH(LEAST_AFFORD, name="x", id="y", n="4,384")
        == "最不可缺少的资源为 x（y）：停用后不再满足标准的常住人口 4,384"
    )


def test_a_communitys_alert_names_its_hazards_as_the_zh_register_does():
    """A community's escalation explains itself by the sources reaching it; in Chinese their grades
    stayed '(III)' and '(no data)' beside Chinese labels."""
    from urbanrisk.outputs.i18n_alerts import alert_explanation

    labels = {"industrial works": "工业企业", "fuel station": "加油站"}
    text = "industrial works 节水科研教育基地 (III); fuel station 中国石化 (no data)"
    assert (
        alert_explanation(text, "zh", labels)
        == "工业企业 节水科研教育基地（III级）；加油站 中国石化（无数据）"
    )
    assert alert_explanation(text, "en", labels) == text
