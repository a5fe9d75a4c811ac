"""An OSM hazard kind the hazard kind table does not list gets urbanrisk's assumed impact radius (100 m)
and severity (2): every output says which sources got them, in English and Chinese. Real data: the
Wudaokou extract, whose wastewater plant (``man_made=wastewater_plant``) an office's copy of
osm_tags.csv calls ``wastewater``, a kind hazard_kinds.csv lacks; its fuel station (``fuel``, listed:
radius 100 m too, severity 3) is the control. Before: the plant's radius and severity were silent."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import yaml

import urbanrisk as ur
from conftest import default_recipe, write_recipe
from urbanrisk import settings
from urbanrisk.cli import main
from urbanrisk.outputs.i18n import data_text
from urbanrisk.outputs.report import report_html

TAGS = settings.tables_dir / "osm_tags.csv"
NOTE = (
    "1 hazard source of kinds not in hazard_kinds.csv (wastewater 1): impact radius 100 m and severity 2 are "
    "urbanrisk's assumptions, not a standard's; their residents in reach and grades rest on them: add a row "
    "for each kind to your copy of hazard_kinds.csv (tables: {hazard_kinds: FILE})"
)


def _recipe(tmp_path, language: str):
    """Wudaokou without its registry (OSM's sources only), the plant called ``wastewater``."""
    tags = TAGS.read_text(encoding="utf-8").replace(
        "man_made,wastewater_plant,industrial,", "man_made,wastewater_plant,wastewater,"
    )
    assert "wastewater_plant,wastewater," in tags
    (tmp_path / "my_osm_tags.csv").write_text(tags, encoding="utf-8")
    body = yaml.safe_load(default_recipe(tmp_path).read_text(encoding="utf-8"))
    del body["layers"]["hazards"]
    body["tables"] = {"osm_tags": str(tmp_path / "my_osm_tags.csv")}
    body["report"] = {"language": language}
    return write_recipe(tmp_path, body)


def test_the_note_by_hand_and_in_chinese():
    assert data_text(NOTE, "zh") == (
        "1 个危险源的类型不在 hazard_kinds.csv 中（wastewater 1）：其影响半径 100 米和严重程度 2 是 "
        "urbanrisk 的假定值，并非出自标准；其影响范围内人数和分级均以此为据：请在 hazard_kinds.csv 的副本中"
        "为每种类型增加一行（tables: {hazard_kinds: 文件}）"
    )
    from urbanrisk.hazard_defaults import unlisted_osm_kinds

    assert unlisted_osm_kinds() == []  # the shipped tables agree: no source of them is assumed


@pytest.mark.parametrize(
    ("language", "wanted"),
    [
        (
            "en",
            "WARNING: hazard kinds of my_osm_tags.csv not in hazard_kinds.csv: wastewater: OSM sources of "
            "them get an assumed impact radius of 100 m and severity 2, not a standard's: add a row for each "
            "to your copy of hazard_kinds.csv (tables: {hazard_kinds: FILE})",
        ),
        (
            "zh",
            "my_osm_tags.csv 中有危险源类型不在 hazard_kinds.csv 中：wastewater：OSM 中这些类型的危险源"
            "将采用假定的影响半径 100 米和严重程度 2，并非出自标准：请在 hazard_kinds.csv 的副本中为每种类型"
            "增加一行",
        ),
    ],
)
def test_validate_says_which_kinds_will_be_assumed(tmp_path, capsys, language, wanted):
    assert main(["validate", str(_recipe(tmp_path, language))]) == 0  # said, not refused
    assert wanted in capsys.readouterr().out
    assert main(["validate", str(default_recipe(tmp_path / "shipped"))]) == 0
    assert "hazard kinds of" not in capsys.readouterr().out  # the shipped tables: nothing to say


def test_every_output_of_the_run_says_which_sources_got_the_defaults(tmp_path):
    result = ur.run_recipe(_recipe(tmp_path, "zh"), scheduler="synchronous")
    table = gpd.read_parquet(result.run_dir / "hazard_sources.parquet").set_index("kind")
    assert table.loc["wastewater", ["impact_radius_m", "severity"]].tolist() == [100.0, 2]
    assert table["defaults_assumed"].to_dict() == {"fuel": False, "wastewater": True}
    layer = gpd.read_file(result.run_dir / "risk.gpkg", layer="hazard_sources").set_index("kind")
    assert layer["defaults_assumed"].astype(bool).to_dict() == {"fuel": False, "wastewater": True}
    manifest = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert NOTE in manifest["notes"]
    report = (result.run_dir / "report.html").read_text(encoding="utf-8")
    assert data_text(NOTE, "zh").split("（tables")[0] in report  # under the hazard table, in Chinese
    assert "三级（假定）" in report and "二级（假定）" not in report  # the plant's severity; fuel's stands
    assert data_text(NOTE, "zh").split("（tables")[0] in (result.run_dir / "map.html").read_text(
        encoding="utf-8"
    )
    english = report_html(result, language="en")
    assert "2 (assumed)" in english and "3 (assumed)" not in english
    assert english.replace("&#x27;", "'").count(NOTE.split(" (tables")[0]) == 1  # in the notes, once
    assert report.count(data_text(NOTE, "zh").split("（tables")[0]) == 1
