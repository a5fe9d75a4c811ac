"""An English map in English, and the responsibility list's codes as Excel shows them (session 14).

Seen in headless Chromium on the shipped Baltimore recipe with ``language: en``: the legend read
``I 重大 major``, ``coverage gaps fire 覆盖盲区``, ``units 社区 community``, ``hazard impact radius
影响半径``; with NFPA 1710 standards the legend and every cell's tip named them by their keys
(``coverage gaps fire_first_engine``, ``nearest resource: fire_first_engine 4.0 min``). A 12-digit
区划代码 in ``responsibility.csv`` opened in Excel as 1.10108E+11.
"""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

import urbanrisk as ur
from conftest import BALTIMORE_PBF, write_recipe
from urbanrisk.outputs.i18n import standard_name, toggle_text
from urbanrisk.outputs.planner_layers import toggle_labels
from urbanrisk.outputs.tables import write_tables

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def nfpa_map(tmp_path_factory) -> str:
    """The shipped Baltimore recipe in English under NFPA 1710's two fire standards: its map.html."""
    folder = tmp_path_factory.mktemp("en_map")
    body = {
        "name": "baltimore",
        "area": {"layer": "osm"},
        "grid": {"resolution": 9},
        "layers": {
            "osm": {"type": "osm", "path": str(BALTIMORE_PBF)},
            "population": {
                "type": "population_from_buildings",
                "source": "osm",
                "floor_area_per_person_m2": 60,
            },
        },
        "coverage": {"standards": "nfpa1710"},
        "report": {"language": "en"},
        "outputs": {"dir": str(folder / "out")},
    }
    result = ur.run_recipe(write_recipe(folder, body), scheduler="synchronous")
    return (result.run_dir / "map.html").read_text(encoding="utf-8")


def test_the_english_map_has_no_chinese_word_and_names_standards_in_words(nfpa_map):
    legend = nfpa_map.partition('<div id="ur-panel">')[2].partition('<div id="ur-attribution">')[0]
    assert legend, "the map's legend panel"
    assert "I major · " in legend and "IV low · " in legend and "no data · " in legend
    assert "coverage gaps fire (first engine)" in legend and "coverage gaps fire (full first alarm)" in legend
    assert "hazard impact radius (colour: the source's grade)" in legend
    # the whole page, legend and every tip (the Baltimore extract names nothing in Chinese)
    assert not CJK.findall(nfpa_map), sorted(set(CJK.findall(nfpa_map)))[:20]
    assert "nearest resource: fire (first engine) " in nfpa_map
    for key in ("fire_first_engine", "fire_full_alarm"):  # left only in layer ids and the gaps' item ids
        shown = re.findall(rf"(?:gaps |resource: |</span>){key}\b", nfpa_map)
        assert not shown, shown


def test_toggles_read_one_language_each():
    labels = dict(toggle_labels(["units:community", "gaps:fire_5min", "impact_radius", "sites"]))
    english = {k: toggle_text(v, "en").rpartition("</span>")[2] for k, v in labels.items()}
    assert english == {
        "units:community": "community boundaries",
        "gaps:fire_5min": "coverage gaps fire 5 min",  # a recipe's own standard, in words
        "impact_radius": "hazard impact radius (colour: the source's grade)",
        "sites": "suggested sites (+)",
    }
    chinese = {k: toggle_text(v, "zh").rpartition("</span>")[2] for k, v in labels.items()}
    assert chinese["units:community"] == "社区" and chinese["gaps:fire_5min"] == "fire 5 min覆盖缺口"
    assert standard_name("fire_first_engine", "zh") == "消防（首车）"  # the zh map named it so already
    hostile = toggle_text(dict(toggle_labels(["gaps:<b>x</b>"]))["gaps:<b>x</b>"], "en")
    assert "<b>" not in hostile and "&lt;b&gt;x&lt;/b&gt;" in hostile  # a standard's name stays escaped


def test_codes_that_excel_would_turn_into_numbers_stay_text_in_the_csv(tmp_path):
    table = pd.DataFrame(
        {
            "item_type": ["hazard_source"] * 3,
            "item_id": ["h1", "h2", "h3"],
            "name": ["=1+1", "加油站", "pump"],
            "community_id": ["110108001001", "0101", "42"],  # a 区划代码, a leading zero, a short number
            "community_name": ["学院路街道", "x", "y"],
            "residents": [10.0, 20.0, 30.0],
        }
    )
    assert write_tables({"responsibility": table}, tmp_path) == [
        "responsibility.parquet",
        "responsibility.csv",
        "responsibility.xlsx",
    ]
    text = (tmp_path / "responsibility.csv").read_text(encoding="utf-8-sig")
    assert '"=""110108001001"""' in text and '"=""0101"""' in text  # Excel reads ="..." as that text
    rows = list(csv.DictReader(text.splitlines()))
    assert [r["community_id"] for r in rows] == ['="110108001001"', '="0101"', "42"]
    assert [r["name"] for r in rows] == ["'=1+1", "加油站", "pump"]  # the formula guard unchanged
    assert [r["residents"] for r in rows] == ["10", "20", "30"]
    kept = pd.read_parquet(tmp_path / "responsibility.parquet")  # programs read the codes as they are
    assert kept["community_id"].tolist() == ["110108001001", "0101", "42"]
