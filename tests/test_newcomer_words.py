"""A US analyst new to urbanrisk (session 13, fresh13): an east-Baltimore recipe with a fire / EMS /
shelter registry and a Tier II hazard list as .xlsx, in English. What read wrong, each fixed:

- validate named the first five rows of unknown kinds ('Fire' four times) and hid the others, listed no
  known kind, and sent the analyst to resource_kinds.csv where an alias row (Fire,fire_station) was the fix;
- "Gas Station" (American English for a fuel station) was unknown, and the gas kind's English label read
  "gas station / gas holder": a US reader took a propane depot for a filling station;
- the English report's responsibility list named red/orange clusters and unnamed OSM hazards in Chinese
  (红橙风险片区 01（II级，4个网格单元）, 工业企业 osm:way/...);
- "1 of 2 hazard sources have ... 1 of them are not graded".

The registry rows are Baltimore's real fire stations 30 and 40 (OSM, the shipped 2015 extract)."""

from __future__ import annotations

import geopandas as gpd
import h3
import pytest
from openpyxl import Workbook
from shapely.geometry import Point

from conftest import ACCRA_TIF, BALTIMORE_PBF, validated, write_recipe
from urbanrisk.grid import grid_frame
from urbanrisk.layers.points import default_kind_names
from urbanrisk.layers.tables import hazard_kind_table, kind_of
from urbanrisk.outputs.i18n_exposure import ZH_EXPOSURE_PATTERNS, exposure_warning

LON, LAT = -76.5675, 39.28583  # Baltimore Fire Station 30 (OSM node), Canton


def _stations(tmp_path, types: list[str]):
    """A US fire / EMS / shelter registry as .xlsx: Station Name, Type, Lat, Long, Engines."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Stations"
    sheet.append(["Station Name", "Type", "Lat", "Long", "Engines"])
    for i, kind in enumerate(types):
        sheet.append([f"Station {i + 1}", kind, LAT + 0.001 * (i % 3), LON + 0.001 * (i % 2), 1])
    path = tmp_path / "fire_ems_shelters.xlsx"
    book.save(path)
    return path


def _recipe(tmp_path, registry, language="en"):
    return write_recipe(
        tmp_path,
        {
            "name": "east-baltimore",
            "area": {"bbox": [-76.575, 39.28, -76.56, 39.29]},
            "grid": {"resolution": 9},
            "layers": {
                "osm": {"type": "osm", "path": str(BALTIMORE_PBF)},
                "stations": {
                    "type": "points",
                    "role": "resource",
                    "path": str(registry),
                    "kind_column": "Type",
                    "name_column": "Station Name",
                },
            },
            "outputs": {"dir": str(tmp_path / "out")},
            "report": {"language": language},
        },
    )


def test_validate_names_every_unknown_kind_once_with_the_known_kinds_and_the_alias_fix(tmp_path, capsys):
    """Six 'Fire' rows first: the message named them five times and never 'EMS' or 'Medic'."""
    types = ["Fire"] * 6 + ["EMS", "Shelter", "Medic", "Medic"]
    code, text = validated(_recipe(tmp_path, _stations(tmp_path, types)), capsys)
    assert code == 2
    assert "'Fire' in sheet 'Stations' row 2 (and 5 more rows)" in text and text.count("'Fire'") == 1
    assert "'EMS' in sheet 'Stations' row 8, 'Medic' in sheet 'Stations' row 10 (and 1 more row)" in text
    assert "'Shelter'" not in text  # a known word: the alias of shelter
    assert "known kinds: clinic, fire_station, hospital, micro_fire_station, police, shelter" in text
    assert "kind_aliases.csv (a row alias,kind)" in text


def test_validate_words_the_unknown_kinds_in_chinese_too(tmp_path, capsys):
    types = ["Fire", "Fire", "EMS"]
    code, text = validated(_recipe(tmp_path, _stations(tmp_path, types), language="zh"), capsys)
    assert code == 2
    fire, ems = "'Fire'（工作表 'Stations' 第 2 行）（另有 1 行）", "'EMS'（工作表 'Stations' 第 4 行）"
    assert f"未知的应急资源类别 {fire}、{ems}" in text
    # the kinds by their Chinese names, their keys beside (session 16: the keys alone before)
    known = "诊所（clinic）、消防站（fire_station）、医院（hospital）、微型消防站（micro_fire_station）、"
    known += "派出所（police）、避难场所（shelter）"
    assert f"已知类别：{known}" in text
    assert "more row" not in text and "known kinds" not in text


def test_an_alias_row_of_the_analysts_own_is_the_fix(tmp_path, capsys):
    aliases = tmp_path / "my_kind_aliases.csv"
    aliases.write_text("alias,kind\nFire,fire_station\nEMS,clinic\n", encoding="utf-8")
    recipe = _recipe(tmp_path, _stations(tmp_path, ["Fire", "EMS", "Shelter"]))
    recipe.write_text(recipe.read_text() + f"tables: {{kind_aliases: {aliases}}}\n", encoding="utf-8")
    code, text = validated(recipe, capsys)
    assert code == 0, text


def test_an_american_gas_station_is_a_fuel_station_and_the_gas_kind_is_not_labelled_one():
    hazards = default_kind_names("hazard")
    for word in ("Gas Station", "gas station", "Filling Station", "Petrol Station"):
        assert kind_of(word, hazards) == "fuel", word
    assert kind_of("gas station / gas holder", hazards) == "gas"  # the old label still reads
    assert kind_of("gas facility / gas holder", hazards) == "gas"
    assert kind_of("Propane", hazards) == "gas"
    assert "station" not in hazard_kind_table().loc["gas", "label_en"]
    resources = default_kind_names("resource")
    assert kind_of("Fire Department", resources) == kind_of("Firehouse", resources) == "fire_station"


def _responsibility(language: str | None):
    """By hand: three touching grade I cells west of Fire Station 30 (one red cluster of 3 cells, 30
    residents) and an unnamed OSM industrial works (grade III, 12 residents in reach)."""
    from urbanrisk.screens.responsibility import department_table, response_level_table, responsibility_list

    centre = h3.latlng_to_cell(LAT, LON, 10)
    grid = grid_frame(sorted(h3.grid_disk(centre, 4)))
    grid["residents"] = 10.0
    grid["grade"] = "IV"
    west = h3.latlng_to_cell(LAT, LON - 0.002, 10)
    grid.loc[[west, *h3.grid_ring(west, 1)[:2]], "grade"] = "I"
    works = gpd.GeoDataFrame(
        {
            "id": ["osm:way/102186296"],
            "kind": ["industrial"],
            "label": ["industrial works"],
            "label_zh": ["工业企业"],
            "name": [""],
            "grade": ["III"],
            "residents_exposed": [12.0],
        },
        geometry=[Point(LON + 0.002, LAT)],
        crs=4326,
    )
    extra = {} if language is None else {"language": language}
    return responsibility_list(
        grid,
        hazard_sources=works,
        gaps=None,
        key_districts=None,
        urban_villages=None,
        units=None,
        departments=department_table(),
        response_levels=response_level_table(),
        **extra,
    ).set_index("item_id")


@pytest.mark.parametrize(
    ("language", "cluster", "works"),
    [
        ("en", "red/orange cluster 01 (grade I, 3 cells)", "industrial works osm:way/102186296"),
        ("zh", "红橙风险片区 01（I级，3个网格单元）", "工业企业 osm:way/102186296"),
        (None, "红橙风险片区 01（I级，3个网格单元）", "工业企业 osm:way/102186296"),  # a direct call
    ],
)
def test_the_responsibility_list_names_its_items_in_the_reports_language(language, cluster, works):
    table = _responsibility(language)
    assert table.loc["cluster-01", "name"] == cluster and table.loc["cluster-01", "residents"] == 30.0
    assert table.loc["osm:way/102186296", "name"] == works


def test_one_hazard_source_of_residents_unknown_is_worded_in_the_singular_and_still_in_chinese():
    import re

    text = exposure_warning({"sources": 2, "bounded": 1, "unknown": 0, "not_graded": 1})
    assert text.startswith("1 of 2 hazard sources has residents unknown")
    assert "1 of them is not graded" in text
    pattern, chinese = ZH_EXPOSURE_PATTERNS[1]
    assert re.sub(pattern, chinese, text).startswith("2 个危险源中 1 个的影响范围内部分或全部人口未知")
    plural = exposure_warning({"sources": 7, "bounded": 6, "unknown": 5, "not_graded": 5})
    assert "6 of 7 hazard sources have" in plural and "5 of them are not graded" in plural


# --- a grid too coarse for coverage ------------------------------------------------------------------


def _coarse_recipe(tmp_path, resolution: int, language: str = "en"):
    return write_recipe(
        tmp_path,
        {
            "name": f"coarse-{resolution}",
            "area": {"bbox": [-76.575, 39.265, -76.530, 39.302]},
            "grid": {"resolution": resolution},
            "layers": {"osm": {"type": "osm", "path": str(BALTIMORE_PBF)}},
            "outputs": {"dir": str(tmp_path / "out")},
            "report": {"language": language},
            "compute": {"scheduler": "synchronous"},
        },
    )


@pytest.mark.parametrize(("resolution", "said"), [(7, True), (8, True), (9, False)])
def test_validate_warns_that_coverage_at_a_coarse_resolution_is_each_cells_centre(
    tmp_path, capsys, resolution, said
):
    code, text = validated(_coarse_recipe(tmp_path, resolution), capsys)
    assert code == 0
    assert ("coverage takes each cell's travel at its centre" in text) is said, text
    if resolution == 7:
        assert "WARNING: H3 resolution 7 cells are about 5.16 km² (edge about 1,406 m)" in text


def test_validate_says_it_in_chinese_and_not_without_streets(tmp_path, capsys):
    code, text = validated(_coarse_recipe(tmp_path, 7, "zh"), capsys)
    assert code == 0 and "警告：H3 分辨率 7 的网格单元约 5.16 平方千米（边长约 1,406 米）" in text
    recipe = write_recipe(
        tmp_path,
        {
            "name": "accra",
            "area": {"bbox": [-0.25, 5.55, -0.15, 5.65]},
            "grid": {"resolution": 7},
            "layers": {"population": {"type": "raster", "path": str(ACCRA_TIF), "nodata": "empty"}},
            "outputs": {"dir": str(tmp_path / "out2")},
        },
        name="accra.yaml",
    )
    code, text = validated(recipe, capsys)
    assert code == 0 and "coverage takes" not in text  # no street: no coverage, nothing to warn of


def test_a_run_at_r7_warns_too(tmp_path):
    """East Baltimore at r7 (the fresh13 recipe's box, OSM only): 7 cells; the warning among the run's."""
    import urbanrisk as ur
    from urbanrisk.outputs.summary import run_summary

    result = ur.run_recipe(_coarse_recipe(tmp_path, 7), write=False)
    assert len(result.grid) == 7
    warnings = run_summary(result).warnings
    assert any(w.startswith("H3 resolution 7 cells are about 5.16 km²") for w in warnings), warnings
