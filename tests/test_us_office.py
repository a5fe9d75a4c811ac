"""A US office's registries and words (found by fresh13's Baltimore run): quantities in pounds and tons
were refused as "not a number of tonnes" and gallons were not said to be a volume; the English report
named GB 18218 substances in Chinese (氯); a resource kind of the recipe's own was an unexplained "R" and
every custom standard's gaps one purple; the N-1 line said "least afford to lose X … 0"; and the footer
credited WorldPop for any raster. Each test fails on 4df9c6a.

Conversions by hand from the definitions: 1 lb = 0.45359237 kg exactly, a US short ton 2,000 lb =
0.90718474 t, a long ton 2,240 lb = 1.0160469088 t. R = α Σ β q/Q with chlorine Q 5 t, β 4 and 40 people
within 500 m: α 1.2 (GB 18218-2018 Tables 1, 3, 5)."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import geopandas as gpd
import h3
import pandas as pd
import pydeck as pdk
import pytest
import shapely

from conftest import ACCRA_TIF, accra_recipe, gb18218_at_one_point
from urbanrisk.outputs.i18n import translator
from urbanrisk.outputs.i18n_exposure import zh_bounds
from urbanrisk.screens.major_hazard import gb18218_table, substance_sum
from urbanrisk.screens.quantities import read_quantity

LON, LAT = -76.5900, 39.2900  # east Baltimore
LB = 0.45359237e-3  # t


@pytest.mark.parametrize(
    ("text", "tonnes", "reading"),
    [
        ("2,000 lbs", 2000 * LB, "exact"),
        ("1 lb", LB, "exact"),
        ("500 pounds", 500 * LB, "exact"),
        ("2,000 lbs.", 2000 * LB, "exact"),
        ("30 short tons", 30 * 0.90718474, "exact"),
        ("30 US tons", 30 * 0.90718474, "exact"),
        ("30 U.S. tons", 30 * 0.90718474, "exact"),
        ("10 long tons", 10 * 1.0160469088, "exact"),
        ("30 metric tons", 30.0, "exact"),
        ("30 tonnes", 30.0, "exact"),
        ("10,000-99,999 lbs", 99_999 * LB, "upper bound"),  # a Tier II range: its upper bound
        ("about 2,000 lbs", 2000 * LB, "approximate"),
        ("30 tons", 30.0, "approximate"),  # which ton is not said: metric, noted approximate
        ("20-30 tons", 30.0, "upper bound"),
        (">30 tons", 30.0, "lower bound"),
        ("500 gallons", None, "volume"),
        ("500 gal", None, "volume"),
        ("12 bbl", None, "volume"),
        ("100 cubic feet", None, "volume"),
        ("30 tons per year", None, "unreadable"),  # a throughput, not a store
    ],
)
def test_a_us_quantity_is_read_in_tonnes(text, tonnes, reading):
    read = read_quantity(text)
    assert read.reading == reading
    assert read.tonnes == (None if tonnes is None else pytest.approx(tonnes, rel=1e-12))
    assert (read.words == "") == (reading == "exact")


def test_bare_tons_say_which_ton_was_assumed_and_the_fix():
    said = "tons taken as metric tonnes (a US short ton is 0.907 t: write short tons or t)"
    assert read_quantity("30 tons").words == f"'30 tons' read as 30 t (approximate), {said}"
    assert read_quantity("20-30 tons").words == f"'20-30 tons' read as 30 t (the upper bound), {said}"
    assert read_quantity("30 short tons").words == ""  # said which: exact


def test_gallons_are_refused_with_the_litres_of_a_gallon():
    table = gb18218_table()
    total, basis = substance_sum("chlorine", "500 gallons", table)
    assert total is None
    assert basis == (
        "quantity '500 gallons' is a volume, not a mass: "
        "give tonnes (volume × density; a US gallon is 3.785 L)"
    )
    assert (
        zh_bounds(basis)
        == "存量 '500 gallons' 是体积而非质量：请填写吨数（体积 × 密度；1 美制加仑 = 3.785 升）"
    )
    assert substance_sum("chlorine", "30 m³", table)[1].endswith("(volume × density)")  # no gallon said


def _grades(quantities: list[str], substance: str = "chlorine", people: float = 40.0) -> pd.DataFrame:
    """The GB 18218 columns of sources of ``substance`` storing ``quantities``, ``people`` within 500 m."""
    return gb18218_at_one_point(
        quantities, substance=substance, people=people, lon=LON, lat=LAT, utm_crs="EPSG:32618"
    )


def test_r_from_pounds_and_tons_by_hand():
    out = _grades(["20,000 lbs", "30 short tons", "30 tons"])
    # 20,000 lb = 9.0718474 t: R = 1.2 × 4 × 9.0718474/5 = 8.70897350 (四级; S = 1.81, a major source);
    # 30 short tons = 27.2155422 t: R = 26.1269205 (三级); 30 tons as metric: 28.8 (三级, approximate)
    assert out["gb18218_R"].tolist() == pytest.approx([8.708973504, 26.12692051, 28.8])
    assert out["gb18218_grade"].tolist() == ["四级", "三级", "三级"]
    assert out["gb18218_quantity"].tolist() == ["", "", "approximate"]


def test_the_basis_names_substances_in_english_for_the_english_report():
    out = _grades(["30吨", "30 tons"], substance="液氯")
    assert out["gb18218_basis"].iloc[0] == "α 1.2 × (氯 4×30/5)"  # the Chinese report's, unchanged
    assert out["gb18218_basis_en"].iloc[0] == "α 1.2 × (chlorine 4×30/5)"
    assert (
        out["gb18218_basis_en"]
        .iloc[1]
        .startswith(
            "R approximate (a quantity approximate): "
            "α 1.2 × (chlorine 4×30/5 ['30 tons' read as 30 t (approximate), tons taken as metric tonnes"
        )
    )
    assert zh_bounds(out["gb18218_basis"].iloc[1]) == (
        "R 为近似值（存量为近似值）：α 1.2 × (氯 4×30/5 ['30 tons' 按 30 吨计（近似值），"
        "tons 按公吨计（美制短吨为 0.907 吨：请写 short tons 或 t）])"
    )
    unlisted = _grades(["2 t;2 t"], substance="chlorine;unobtainium")["gb18218_basis_en"].iloc[0]
    assert unlisted.endswith("the others give Σβq/Q = chlorine 4×2/5 = 1.6, a lower bound")


def test_the_report_shows_the_substance_in_the_report_language():
    from urbanrisk.outputs.report_sections import major_hazard_section

    hazards = _grades(["20,000 lbs"], substance="液氯").assign(
        id="h1", name="Harbor Chlor-Alkali", label="chemical plant", label_zh="化工厂", grade="III"
    )
    result = SimpleNamespace(screens=SimpleNamespace(hazard_sources=hazards))
    english = major_hazard_section(result, translator("en"), "en")
    chinese = major_hazard_section(result, translator("zh"), "zh")
    assert "chlorine 4×9.07185/5" in english and "氯" not in english
    assert "氯 4×9.07185/5" in chinese and "chlorine 4×" not in chinese


# --- the map: the recipe's own resource kinds and standards ----------------------------------------


def _coverage(kinds: list[str], standards: list[str]) -> SimpleNamespace:
    points = [shapely.Point(LON + 0.001 * i, LAT) for i in range(len(kinds))]
    resources = gpd.GeoDataFrame(
        {"kind": kinds, "id": [f"r{i}" for i in range(len(kinds))], "name": kinds}, geometry=points, crs=4326
    )
    hexagon = shapely.Polygon(
        [(lon, lat) for lat, lon in h3.cell_to_boundary(h3.latlng_to_cell(LAT, LON, 9))]
    )
    gaps = gpd.GeoDataFrame(
        {
            "standard": standards,
            "gap": [f"g{i}" for i in range(len(standards))],
            "residents": [10.0] * len(standards),
            "worst_travel": [900.0] * len(standards),
            "unit": ["s"] * len(standards),
        },
        geometry=[hexagon] * len(standards),
        crs=4326,
    )
    named = [SimpleNamespace(name=s) for s in standards]
    return SimpleNamespace(resources=resources, gaps=gaps, sites=None, standards=named)


def test_a_resource_kind_of_the_recipes_own_gets_its_letter_in_the_legend():
    from urbanrisk.outputs.map import _toggles
    from urbanrisk.outputs.planner_layers import resource_letter_layer, resource_letters

    kinds = ["fire_station", "ambulance", "hydrant", "hospital"]
    result = SimpleNamespace(coverage=_coverage(kinds, ["fire"]))
    texts = [row["text"] for row in resource_letter_layer(result)[0].data]
    assert texts == ["F", "A", "Y", "H"]  # hydrant: Y, the hospital has H
    assert resource_letters(["救护站"])["救护站"] == "A"  # no Latin letter: the first free one
    deck = SimpleNamespace(layers=[pdk.Layer("ScatterplotLayer", data=[], id="resources")])
    english = _toggles(deck, "en", kinds)
    assert "S shelter, A ambulance, Y hydrant</label>" in english
    chinese = _toggles(deck, "zh", kinds)
    assert "S 避难场所，A ambulance，Y hydrant）</label>" in chinese
    assert "<b>x</b>" not in _toggles(deck, "en", ["<b>x</b>"])  # a kind's name is escaped


def test_each_standard_of_the_recipes_own_has_its_own_gap_colour():
    from urbanrisk.outputs.map import _toggles
    from urbanrisk.outputs.planner_layers import gap_layers

    result = SimpleNamespace(coverage=_coverage(["fire_station"], ["ambulance", "fire", "water"]))
    layers = gap_layers(result)
    colours = {layer.id: tuple(layer.get_line_color[:3]) for layer in layers}
    assert len(set(colours.values())) == 3  # all three told apart (the two custom ones were one purple)
    assert colours["gaps:fire"] == (200, 0, 0)
    legend = _toggles(SimpleNamespace(layers=layers), "en")
    for layer_id, colour in colours.items():  # each toggle's swatch is its layer's colour
        name = layer_id.partition(":")[2]
        assert f'solid rgb{colour};background:none"></span>coverage gaps {name}' in legend


# --- N-1 ----------------------------------------------------------------------------------------------


def _losses(lost: float, unknown: int) -> SimpleNamespace:
    losses = pd.DataFrame(
        {
            "standard": ["fire"],
            "rank": [1],
            "name": ["Engine 41"],
            "resource_id": ["f41"],
            "residents_served": [5_000.0],
            "cells_served_residents_unknown": [0],
            "residents_lost": [lost],
            "cells_lost": [0 if lost == 0 and not unknown else 3],
            "cells_lost_residents_unknown": [unknown],
        }
    )
    return SimpleNamespace(coverage=SimpleNamespace(resilience=losses))


def test_n1_says_plainly_when_no_loss_uncovers_anyone():
    from urbanrisk.outputs.report_sections import resilience_section

    english = resilience_section(_losses(0.0, 0), translator("en"), "en")
    assert "no resource whose loss leaves any resident outside the standard" in english
    assert "least afford" not in english
    chinese = resilience_section(_losses(0.0, 0), translator("zh"), "zh")
    assert "停用任一资源均不会使常住人口失去覆盖" in chinese and "最不可缺少" not in chinese
    unknown = resilience_section(_losses(0.0, 2), translator("en"), "en")  # unknown is not 0
    assert "least afford to lose Engine 41 (f41)" in unknown
    lost = resilience_section(_losses(1_234.0, 0), translator("en"), "en")
    assert (
        "least afford to lose Engine 41 (f41); residents who would fall outside the standard: 1,234" in lost
    )


# --- the footer's credit for the population raster ---------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "attribution", "credit", "not_credited"),
    [
        ("baltimore_pop.tif", None, "Population raster: baltimore_pop.tif.", "WorldPop"),
        (
            "baltimore_pop.tif",
            "U.S. Census Bureau <2020>",
            "Population raster: U.S. Census Bureau &lt;2020&gt;.",
            "WorldPop",
        ),
        ("accra_worldpop_2015adj.tif", None, "WorldPop (www.worldpop.org), CC BY 4.0.", "Population raster:"),
    ],
)
def test_the_footer_credits_the_raster_the_recipe_names(
    tmp_path, file_name, attribution, credit, not_credited
):
    import yaml

    import urbanrisk as ur
    from urbanrisk.outputs.map import result_deck
    from urbanrisk.outputs.report import report_html

    raster = tmp_path / file_name
    shutil.copyfile(ACCRA_TIF, raster)
    layer = {"type": "raster", "path": str(raster)} | ({"attribution": attribution} if attribution else {})
    recipe = accra_recipe(tmp_path, layers={"population": layer})
    assert yaml.safe_load(recipe.read_text(encoding="utf-8"))["layers"]["population"] == layer
    result = ur.run_recipe(ur.load_recipe(recipe), write=False, scheduler="synchronous")
    footer = report_html(result).rpartition('<p class="note">')[2]  # the credits, the report's last note
    assert credit in footer and not_credited not in footer
    attribution_line = result_deck(result).header_html.rpartition('<div id="ur-attribution">')[2]
    assert credit in attribution_line and not_credited not in attribution_line
    # a recipe without an osm layer uses no OpenStreetMap data: neither footer credits it (both did)
    assert "OpenStreetMap" not in footer and "OpenStreetMap" not in attribution_line
