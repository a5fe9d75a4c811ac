"""English pages in English, Chinese pages in Chinese: the report's words and the tables' citations.

Left by session 14 (look14): the English map's tooltips cited one regulation in Chinese (a chemical
site 121 m from a kindergarten breached ``危险化学品安全管理条例 art. 19``, the safety-distance table's
source), and the English report named its grades ``I 重大 major`` (its chart too), its sections ``Top
hazard sources (危险源点)`` … ``Responsibility list (责任清单)``, GB 18218's grades ``三级`` and the
coverage standards ``GB 21734-2008 地震应急避难场所 …: emergency (紧急) shelter``. Real BUPT run, with an
ammonia tank of 30 t (Σq/Q = 3: a major hazard source, R 三级) 66 m from a hospital.
"""

from __future__ import annotations

import re

import pytest

import urbanrisk as ur
from conftest import BUPT_OSM, write_recipe
from urbanrisk.outputs.deck import grid_deck
from urbanrisk.outputs.i18n import sites_text, standard_source
from urbanrisk.outputs.report import report_html

CJK = re.compile(r"[\u3400-\u9fff]+")
TITLE = "Regulations on the Safe Management of Hazardous Chemicals art. 19"


def _run(folder, language):
    registry = folder / "registry.csv"
    rows = (
        "name,kind,lon,lat,substance,quantity_t\nXueyuan Rd ammonia tank,chemical,116.3545,39.9575,液氨,30\n"
    )
    registry.write_text(rows, encoding="utf-8")
    body = {
        "name": f"bupt-{language}",
        "area": {"layer": "osm"},
        "grid": {"resolution": 10},
        "layers": {
            "osm": {"type": "osm", "path": str(BUPT_OSM)},
            "population": {"type": "population_from_buildings", "source": "osm"},
            "hazards": {"type": "points", "role": "hazard", "path": str(registry)},
        },
        "outputs": {"dir": str(folder / "out")},
        "report": {"language": language},
    }
    recipe = write_recipe(folder, body)
    return ur.run_recipe(ur.load_recipe(recipe), write=False, scheduler="synchronous")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return {language: _run(tmp_path_factory.mktemp(language), language) for language in ("en", "zh")}


def _tips(result) -> list[str]:
    """The hazard sources' tooltips as the page shows them (pieces written once put back, map_compact)."""
    deck = grid_deck(result.grid, result.layers, result)
    parts = list(deck.tip_parts)
    tips = [row["tip"] for layer in deck.layers if layer.id == "hazard_sources" for row in layer.data]
    return [re.sub("\ue000(\\d+)\ue001", lambda m: parts[int(m.group(1))], tip) for tip in tips]


def test_the_english_tooltip_cites_the_regulation_in_english(runs):
    source = runs["en"].screens.hazard_sources.iloc[0]
    assert "危险化学品安全管理条例 art. 19" in source["breaches"]  # the data keep the table's words
    (tip,) = _tips(runs["en"])
    assert f"({TITLE}; screening value)" in tip and "66 m &lt; 300 m" in tip
    assert set(CJK.findall(tip)) == {"北京邮电大学幼儿园", "北京中仁中医医院"}, tip  # the sites' own names
    (chinese,) = _tips(runs["zh"])
    assert "《危险化学品安全管理条例》第19条；筛查值" in chinese and "Regulations" not in chinese


def _data_words(result) -> set[str]:
    """The Chinese words of the run's own data: the names of places, sites and units in its tables."""
    frames = [getattr(result.screens, name) for name in ("hazard_sources", "key_districts", "urban_villages")]
    frames += [result.screens.communities, result.screens.responsibility, result.grid]
    columns = (
        (frame, c) for frame in frames for c in frame.columns if not str(c).endswith("_zh")
    )  # not its words
    texts = (str(v) for frame, column in columns for v in frame[column].tolist())
    return {word for text in texts for word in CJK.findall(text)}


def test_the_english_report_has_no_chinese_word_but_the_names_of_places(runs):
    html = report_html(runs["en"])
    words = set(CJK.findall(re.sub(r"<style>.*?</style>", "", html, flags=re.S)))
    assert words <= _data_words(runs["en"]), sorted(words - _data_words(runs["en"]))
    for english in (
        "<td>major</td>",
        "<td>no data</td>",
        "I major</text>",
        "<h2>Top hazard sources</h2>",
        "Major hazard sources per GB 18218-2018</h2>",
        "Responsibility list</h2>",
        "grade 3",  # GB 18218's 三级
        "grade 1 R≥100",
        "GB 21734-2008 Earthquake emergency shelters: site and supporting facilities: emergency shelter",
    ):
        assert english in html, english
    chinese = report_html(runs["zh"])
    for words in ("<td>重大</td>", "三级", "危险源点", "责任清单", "GB 21734-2008 地震应急避难场所"):
        assert words in chinese, words


def test_citations_read_in_each_language():
    breach = "school 清华附中 (北校区) at 40 m < 300 m (危险化学品安全管理条例 art. 19; screening value)"
    assert sites_text(breach, "en") == f"school 清华附中 (北校区) at 40 m < 300 m ({TITLE}; screening value)"
    assert sites_text(breach, "zh").endswith("（《危险化学品安全管理条例》第19条；筛查值）")
    fire = "建标152-2017 城市消防站建设标准 / GB 51080-2015: arrive within 5 min"
    assert standard_source(fire, "en") == (
        "Jianbiao 152-2017 Construction Standard of Urban Fire Stations / GB 51080-2015: arrive within 5 min"
    )
    assert standard_source(fire, "zh") == "建标152-2017 城市消防站建设标准 / GB 51080-2015"
