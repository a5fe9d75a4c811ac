"""What a Chinese office reads, printed, and a newcomer's US register (session 22, office23).

Which residents' total a run used and how far the others are, per unit level: a run with a census table
(人口统计表) used its counts and said nothing of the raster beside it, nor of how far each register's
units' cells are from their counts: on the BUPT office recipe 励耘社区's cells hold 2,863 residents
against its census 3,200 (-11 %), under the register's 25 % note, so no word anywhere. Now the status
lines, the report and the map say, per unit level, the census total, the other total and the units
farthest apart, in English and Chinese; by hand here, then on the shipped recipe.

Printed, a short top-hazards list took an A4 landscape page of its own; and a newcomer's Baltimore
register in EPA Tier II style named its substances as US registers do.
"""

from __future__ import annotations

import contextlib
import io
import json
import re

import numpy as np
import pandas as pd
import pytest
import shapely

from chromium_pages import browser, open_page  # noqa: F401  (the process's Chromium)
from conftest import ROOT
from test_population_table import _gbk_csv, _grid, _specs, _units_file
from urbanrisk.cli import main
from urbanrisk.outputs.census_compare import census_lines, level_lines, raster_line
from urbanrisk.population_table import spread_counts, table_units


def test_the_raster_over_each_census_unit_by_hand(tmp_path):
    """Six cells, three units of two cells each (wholly inside the area): each unit's raster is the sum
    of its cells' raster residents; the line names the unit 5 % apart or more, and which was used."""
    table = _gbk_csv(tmp_path, ["学院路街道,10000", "清华园街道,3000", "燕园街道,600"])
    spec, units_spec = _specs(table, _units_file(tmp_path))
    units, _ = table_units("population", spec, units_spec)
    grid = _grid().assign(residents=[5000.0, 4000.0, 2500.0, 500.0, 300.0, 290.0])  # the raster's
    area = shapely.union_all(grid.geometry.to_numpy())
    _, _, per_unit = spread_counts(grid, units, area, raster=True)
    assert per_unit["raster"].to_numpy() == pytest.approx([9000, 3000, 590], rel=1e-9)
    line = raster_line(units.assign(census_placed=per_unit["placed"], census_raster=per_unit["raster"]))
    assert line["en"] == (
        "census table 13,600 residents in 3 units, the raster 12,590 over the same units (census +8.0%); "
        "the run uses the census table; farthest apart: 学院路街道 (census 10,000, raster 9,000: +11%)"
    )
    assert line["zh"] == (
        "人口统计表 3 个单元共 13,600 人，人口栅格在相同单元内 12,590 人（统计表 +8.0%）；采用人口统计表；"
        "相差最大：学院路街道（统计表 10,000，栅格 9,000：+11%）"
    )
    _, _, no_raster = spread_counts(grid, units, area)  # without one: nothing to compare
    assert "raster" not in no_raster.columns


def test_each_level_its_census_against_its_cells_and_a_coarser_level_summed_by_hand():
    """社区 a, b, c under 街道 S, d under T with its count unknown: S's census is a+b+c, T has none."""
    community = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "unassigned-1"],
            "name": ["甲社区", "乙社区", "丙社区", "丁社区", "未划入 unassigned"],
            "level_zh": "社区",
            "residents": [1000.0, 960.0, 640.0, 300.0, 50.0],
            "cells": [4, 4, 2, 1, 1],
            "census_residents": [1000.0, 1000.0, 500.0, np.nan, np.nan],
            "parent_id": ["S", "S", "S", "T", "unassigned"],
        }
    )
    street = pd.DataFrame(
        {
            "id": ["S", "T"],
            "name": ["甲街道", "乙街道"],
            "level_zh": "街道",
            "residents": [2650.0, 300.0],
            "cells": [11, 1],
        }
    )
    lines = level_lines({"street": street, "community": community})
    assert [line["level"] for line in lines] == ["street", "community"]
    assert lines[0]["en"].startswith(
        "street level (census table, its community units summed): census 2,500 residents in 1 unit, "
        "their cells 2,650 (+6.0%); farthest apart: 甲街道 (cells 2,650, census 2,500: +6.0%)"
    )
    assert lines[0]["zh"].startswith("街道（统计表，按所辖社区合计）：统计表 1 个单元共 2,500 人")
    # 丙 +28 % first, then 乙 -4 % is under 5 %: not named; 甲 equal; 丁 unknown, never 0
    far = "cells 2,600 (+4.0%); farthest apart: 丙社区 (cells 640, census 500: +28%); a register"
    assert f"census 2,500 residents in 3 units, their {far}" in lines[1]["en"]
    assert "丁社区" not in lines[1]["en"] and "乙社区" not in lines[1]["en"]
    assert census_lines({"street": street, "community": community}, None) == []


@pytest.fixture(scope="module")
def office_run(tmp_path_factory):
    """The shipped BUPT office recipe run once from the CLI, as the README says: its printed lines and
    its latest folder."""
    out = tmp_path_factory.mktemp("office") / "out"
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        assert main(["run", str(ROOT / "recipes" / "beijing-bupt-office.yaml"), "--out", str(out)]) == 0
    return said.getvalue(), out / "latest"


def test_the_office_run_says_it_in_status_report_map_and_manifest(office_run):
    said, latest = office_run
    community = (
        "人口对照：社区（统计表）：统计表 4 个单元共 22,400 人，所含网格单元 22,400 人（0%）；"
        "相差最大：励耘社区"
        "（网格单元 2,863，统计表 3,200：-11%）、邮苑西社区（网格单元 4,504，统计表 4,100：+9.9%）、"
        "邮苑东社区（网格单元 4,920，统计表 5,300：-7.2%）"
    )
    assert community in said
    assert "人口对照：街道（统计表，按所辖社区合计）：统计表 2 个单元共 22,400 人" in said
    report = (latest / "report.html").read_text(encoding="utf-8")
    page = (latest / "map.html").read_text(encoding="utf-8")
    assert community.removeprefix("人口对照：") in report
    assert (
        "社区：统计表 22,400 人，网格单元 22,400 人；单元最多相差（励耘社区：-11%）" in page
    )  # one short line
    assert "街道（按社区合计）：统计表 22,400 人，网格单元 22,400 人；单元最多相差不到 5%" in page
    manifest = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
    assert [line["level"] for line in manifest["census_check"]] == ["street", "community"]
    assert manifest["census_check"][1]["en"].startswith("community level (census table): census 22,400")


def test_a_short_top_hazards_section_is_printed_upright_after_the_summary(office_run):
    """Printed, the five top hazards (a landscape section: a named page always starts one) took an A4
    landscape page of their own, a quarter full. A short one is marked to follow the page before."""
    report = (office_run[1] / "report.html").read_text(encoding="utf-8")
    top = report.split("<h2>危险源点</h2>")[0].rsplit("<section", 1)[1]
    assert top == ' class="major short" data-page="landscape" data-fits="portrait">'
    print_css = report.split("@media print")[1].split("</style>")[0]
    assert 'section.major.short[data-fits="portrait"] { page: auto; }' in print_css
    registers = report.split("<h2>分级风险清单")[0].rsplit("<section", 1)[1]
    assert "data-fits" not in registers  # 830 px wide on A4 upright: still across the page


def test_printed_the_office_report_has_landscape_pages_only_for_its_wide_tables(office_run, browser):  # noqa: F811
    """In Chromium's PDF: the summary's page holds the top hazards (A4 upright, not cut: the table fits
    its 703 px), the registers and the 责任清单 alone go across; 7 pages before, 6 now."""
    page = open_page(browser, office_run[1] / "report.html", 703, 900)
    page.emulate_media(media="print")
    width = page.evaluate("document.querySelector('section[data-page] table').scrollWidth")
    pdf = page.pdf(prefer_css_page_size=True)
    page.close()
    boxes = re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    across = [float(w) > float(h) for w, h in boxes]
    assert width <= 703 and across[:2] == [False, False] and sum(across) == 2, (width, across)


def test_a_raster_beside_the_office_census_is_compared_over_the_same_units(tmp_path):
    """The BUPT office recipe with a uniform raster (1 person per 0.0005° pixel) beside its table: the
    raster's residents over each 社区 are the unit's area inside the study area in pixels (shapely, not
    the run's sums), and the first census line sets its total beside the table's."""
    import rasterio
    from rasterio.transform import from_origin

    import urbanrisk as ur
    from urbanrisk.outputs.summary import run_summary

    tif = tmp_path / "uniform.tif"
    profile = {"driver": "GTiff", "width": 100, "height": 80, "count": 1, "dtype": "float32"}
    with rasterio.open(
        tif, "w", **profile, crs="EPSG:4326", transform=from_origin(116.33, 39.98, 5e-4, 5e-4)
    ) as out:
        out.write(np.ones((80, 100), "float32"), 1)
    text = (ROOT / "recipes" / "beijing-bupt-office.yaml").read_text(encoding="utf-8")
    text = text.replace("../layers/", f"{ROOT / 'layers'}/").replace(
        "layers:\n", f"layers:\n  people: {{type: raster, path: {tif}}}\n", 1
    )
    recipe = tmp_path / "office.yaml"
    recipe.write_text(text, encoding="utf-8")
    result = ur.run_recipe(ur.load_recipe(recipe), write=False, scheduler="synchronous")
    assert result.grid["residents"].sum() == pytest.approx(22_400)  # the census's, not the raster's
    units = result.layers.population_table
    expected = shapely.area(shapely.intersection(units.geometry.to_numpy(), result.area)) / 5e-4**2
    assert units["census_raster"].to_numpy() == pytest.approx(expected, rel=1e-6)
    first = run_summary(result).census[0]
    total = f"{expected.sum():,.0f}"
    assert first["en"].startswith(
        f"census table 22,400 residents in 4 units, the raster {total} over the same units"
    )
    assert f"人口栅格在相同单元内 {total} 人" in first["zh"] and "采用人口统计表" in first["zh"]
    assert first["short_en"].startswith(f"census table 22,400, raster {total} over its units (×")  # the map's
    assert [line["level"] for line in run_summary(result).census] == ["", "street", "community"]


def test_a_us_tier_ii_registers_substance_names_find_their_gb18218_rows():
    """A newcomer's Baltimore register in EPA Tier II style (office23): "Anhydrous Ammonia" 9,500 lbs read
    "not in the GB 18218 table" though the table lists ammonia (CAS 7664-41-7, anhydrous); "LP Gas" too.
    By hand: 25,000 lb = 11.3398 t of ammonia, β 2, Q 10 t: 2 × 11.3398 / 10."""
    from urbanrisk.screens.major_hazard import gb18218_table, substance_sum

    table = gb18218_table()
    for name in ("Anhydrous Ammonia", "Ammonia, anhydrous", "Ammonia (anhydrous)"):
        total, basis = substance_sum(name, "25,000 lbs", table)
        assert total == pytest.approx(2 * 25_000 * 0.45359237 / 1000 / 10) and basis == "氨 2×11.3398/10"
    assert substance_sum("LP Gas", "50 t", table) == (1.5, "液化石油气（含丙烷、丁烷及其混合物） 1.5×50/50")
    assert substance_sum("Ammonia solution", "25 t", table)[0] is None  # aqueous: another substance


def test_a_us_run_with_registry_substances_says_its_major_hazard_grades_are_chinas():
    """The Tier II register's chlorine depot read "三级" by GB 18218 on a Baltimore run, said nowhere to
    be China's identification (only the safety distances had that note): now a note, in Chinese too."""
    from urbanrisk.outputs.i18n import data_text
    from urbanrisk.recipe import recipe_from_text
    from urbanrisk.site_hazards import major_hazard_scope_note

    text = "name: b\narea: {bbox: [-76.62, 39.28, -76.6, 39.3]}\ngrid: {resolution: 9}\nlayers: {}\n"
    recipe = recipe_from_text(text + "outputs: {dir: o}\n", base_dir=ROOT)
    baltimore = shapely.box(-76.62, 39.28, -76.6, 39.3)
    tier2 = pd.DataFrame({"substance": ["Chlorine", ""]})
    note = major_hazard_scope_note(recipe, baltimore, tier2)
    assert len(note) == 1 and "(-76.61, 39.29) lies outside China" in note[0] and "EPA's RMP" in note[0]
    assert data_text(note[0], "zh").startswith("重大危险源：按中国 GB 18218-2018")
    assert major_hazard_scope_note(recipe, baltimore, tier2.iloc[1:]) == []  # no substance named
    assert major_hazard_scope_note(recipe, shapely.box(116.3, 39.9, 116.4, 40.0), tier2) == []


def test_the_english_responsibility_list_names_a_gap_by_its_standards_words():
    """Baltimore under nfpa1710: the report's coverage table said "fire (first engine)", its responsibility
    list "fire_first_engine gap" (the standard's id); a hazard source's name stays as written."""
    from urbanrisk.outputs.i18n_items import items_in_english

    items = pd.DataFrame(
        {
            "item_type": ["coverage_gap", "coverage_gap", "hazard_source"],
            "name": ["fire_first_engine gap", "fire_full_alarm gap", "fire_first_engine gap"],
        }
    )
    out = items_in_english(items)
    assert out["name"].tolist() == [
        "fire (first engine) gap",
        "fire (full first alarm) gap",
        "fire_first_engine gap",
    ]
    assert out["item_type"].tolist() == ["coverage gap", "coverage gap", "hazard source"]
