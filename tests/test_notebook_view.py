"""The run as a newcomer meets it in a notebook and in the report (session 14, fresh14, on a south-west
Baltimore clip): ``dir(urbanrisk)`` did not offer ``run_recipe`` (a lazy name: Jupyter's completion
lists ``dir``), ``res`` printed the recipe and every table (27,497 characters for BUPT), and the
report's urban-village confidence read 0.6321687780821276."""

from __future__ import annotations

import re

import pytest

import urbanrisk as ur
from conftest import ROOT, write_recipe


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    # south-west Baltimore (Federal Hill, Port Covington) at r11. Its row houses were two urban-village
    # clusters until screens16 weighed the form by the buildings' irregularity (they score <= 0.35 now):
    # a screen at min_score 0.3 still lists them, and the report must still say each confidence in 2 decimals
    body = {
        "name": "baltimore-sw",
        "screens": {"urban_villages": {"min_score": 0.3, "min_cells": 1}},
        "title": "Baltimore south-west",
        "area": {"bbox": [-76.6081, 39.2586, -76.585, 39.2835]},
        "grid": {"resolution": 11},
        "layers": {
            "osm": {"type": "osm", "path": str(ROOT / "layers" / "baltimore" / "baltimore_2015.osm.pbf")},
            "population": {
                "type": "population_from_buildings",
                "source": "osm",
                "floor_area_per_person_m2": 60,
            },
        },
    }
    folder = tmp_path_factory.mktemp("nb")
    recipe = write_recipe(folder, body | {"outputs": {"dir": str(folder / "out")}})
    return ur.run_recipe(recipe, write=False, scheduler="synchronous")


def test_completion_offers_the_lazy_names():
    names = dir(ur)
    assert {"run_recipe", "answer_incident", "load_recipe", "__version__"} <= set(names)


def test_a_result_reads_in_a_few_lines_with_its_counts(result):
    text = repr(result)
    assert len(text.splitlines()) <= 8 and len(text) < 1_000, text
    counts = result.grid["grade"].astype(str).value_counts()
    expected = " · ".join(f"{g} {int(counts.get(g, 0)):,}" for g in ("I", "II", "III", "IV", "no data"))
    assert f"grades: {expected}" in text
    assert f"{len(result.grid):,} cells (H3 r11)" in text
    assert f"urban_villages {len(result.screens.urban_villages):,}" in text
    assert "run folder: not written (write=False)" in text


def test_the_report_gives_an_urban_villages_confidence_in_two_decimals(result):
    from urbanrisk.outputs.report import report_html

    villages = result.screens.urban_villages
    assert len(villages), "south-west Baltimore has urban villages"
    page = report_html(result)
    for confidence in villages["confidence"].head(5):
        assert f"<td>{confidence:.2f}</td>" in page
    assert not re.search(r"<td>0\.\d{6,}</td>", page)
