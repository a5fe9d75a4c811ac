"""GB 18218 for a registry as an office fills it: a source whose quantity cannot give an R (约30立方, a
tank's volume; a substance not in the table) was left out of the report's GB 18218 table with no word,
the reason only in hazard_sources.parquet, in English. Now it is listed, R "–", GB 18218 grade "not
computed" (未计算), its reason in the report's language; a volume is named as one. Real BUPT run."""

from __future__ import annotations

import pandas as pd

import urbanrisk as ur
from conftest import BUPT_OSM, write_recipe
from urbanrisk.outputs.report import report_html
from urbanrisk.screens.major_hazard import substance_sum, tonnes


def test_a_volume_is_named_as_one_and_a_mass_still_reads():
    table = pd.DataFrame(
        {"substance": ["ammonia"], "label_zh": ["氨"], "q_t": [10.0], "beta": [2.0]},
        index=pd.Index(["液氨"], name="name"),
    )
    assert substance_sum("液氨", "约30立方", table) == (
        None,
        "quantity '约30立方' is a volume, not a mass: give tonnes (volume × density)",
    )
    assert substance_sum("液氨", "30 m³", table)[1].endswith(
        "is a volume, not a mass: give tonnes (volume × density)"
    )
    # 约30吨 was refused as text; it is read as 30 t, said (tests/test_quantities.py); text still is refused
    assert substance_sum("液氨", "约30吨", table) == (6.0, "氨 2×30/10 ['约30吨' read as 30 t (approximate)]")
    assert substance_sum("液氨", "三十吨", table) == (None, "quantity '三十吨' is not a number of tonnes")
    assert substance_sum("液氨", "２０ 吨", table) == (4.0, "氨 2×20/10")  # full-width, with its unit
    assert tonnes("5t") == 5.0


def _run(tmp_path, language):
    registry = tmp_path / "危险源台账.csv"
    rows = [
        "名称,类型,经度,纬度,危险物质,最大存量",
        "中国石化蓟门桥加油站,加油站,116.3500,39.9590,汽油,２０ 吨",
        "学院路液氨储罐,危险化学品场所,116.3545,39.9575,液氨,约30立方",
    ]
    registry.write_bytes(("\n".join(rows) + "\n").encode("gbk"))
    recipe = write_recipe(
        tmp_path,
        {
            "name": "gb18218",
            "area": {"layer": "osm"},
            "grid": {"resolution": 10},
            "layers": {
                "osm": {"type": "osm", "path": str(BUPT_OSM)},
                "population": {"type": "population_from_buildings", "source": "osm"},
                "hazards": {
                    "type": "points",
                    "role": "hazard",
                    "path": str(registry),
                    "kind_column": "类型",
                    "name_column": "名称",
                },
            },
            "outputs": {"dir": str(tmp_path / "out")},
            "report": {"language": language},
        },
    )
    return ur.run_recipe(ur.load_recipe(recipe), write=False, scheduler="synchronous")


def _gb18218_table(html: str) -> str:
    start = html.index("GB 18218-2018")
    return html[start : html.index("</table>", start)]


def test_the_report_lists_a_source_without_r_and_says_why(tmp_path):
    result = _run(tmp_path, "zh")
    table = _gb18218_table(report_html(result))
    assert "中国石化蓟门桥加油站" in table and "四级" in table
    assert "学院路液氨储罐" in table and "未计算" in table
    assert "存量 &#x27;约30立方&#x27; 是体积而非质量：请填写吨数（体积 × 密度）" in table.replace(
        "&#39;", "&#x27;"
    )
    english = _gb18218_table(report_html(result, language="en"))
    assert "学院路液氨储罐" in english and "not computed" in english and "is a volume, not a mass" in english
