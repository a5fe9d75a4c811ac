"""The incident sheet as a duty officer opens it: the footer credits every source the answer used, and
a phone sees every ring.

Both defects were left from session 13 and seen again on the real BUPT extract with a census office's
own population raster (session 14, fresh14): the sheet's footer credited OpenStreetMap only, while the
residents came from the raster (its ``attribution:`` is a licence's condition); on a phone (390 x 844)
the map kept the desktop's zoom (the largest ring fitted in 680 px), so the outer rings ran off a map
box of ~390 x 360 px.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

import urbanrisk as ur
from chromium_pages import browser  # noqa: F401  (the process's Chromium)
from conftest import ROOT, write_recipe
from test_planner_view import _box, _page

BUPT = ROOT / "layers" / "beijing-bupt" / "bupt_2025.osm"
CREDIT = "Haidian statistics bureau, 2020 grid (licence: CC BY 4.0)"


def _raster(path: Path) -> Path:
    """People per pixel over the BUPT extract: 0.001° pixels, 12 people each (a made-up office grid)."""
    data = np.full((10, 9), 12.0, dtype="float32")
    profile = {"driver": "GTiff", "width": 9, "height": 10, "count": 1, "dtype": "float32"}
    profile |= {"crs": "EPSG:4326", "transform": from_origin(116.3485, 39.9645, 0.001, 0.001), "nodata": -1}
    with rasterio.open(path, "w", **profile) as out:
        out.write(data, 1)
    return path


@pytest.fixture(scope="module")
def answer(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bupt_raster")
    body = {
        "name": "bupt-raster",
        "title": "BUPT with the office's raster",
        "area": {"layer": "osm"},
        "grid": {"resolution": 11},
        "layers": {
            "osm": {"type": "osm", "path": str(BUPT)},
            "population": {
                "type": "raster",
                "path": str(_raster(folder / "grid2020.tif")),
                "attribution": CREDIT,
            },
        },
        "outputs": {"dir": str(folder / "out")},
    }
    recipe = write_recipe(folder, body)
    ur.run_recipe(recipe, scheduler="synchronous")
    return ur.answer_incident(recipe, at=(116.3520, 39.9600), kind="explosion", out=folder / "incident")


def test_the_sheet_credits_the_raster_beside_openstreetmap(answer):
    page = (answer.out_dir / "incident.html").read_text(encoding="utf-8")
    sheet = page.partition('<div id="ur-sheet">')[2].partition('<div id="ur-attribution">')
    footer, corner = sheet[0].rpartition('<p class="note">')[2], sheet[2].partition("</div>")[0]
    for text in (footer, corner):
        assert "OpenStreetMap contributors" in text, text
        assert "Population raster: Haidian statistics bureau, 2020 grid (licence: CC BY 4.0)." in text, text
    assert answer.credits[-1].endswith("(licence: CC BY 4.0).")


def _ring_fits(page, reach_m: float, lat: float) -> tuple[float, dict]:
    """The largest ring's diameter in CSS pixels at the map's zoom, and the map's box."""
    zoom = page.evaluate("() => deckInstance.getViewports()[0].zoom")
    metres_per_px = 40_075_016 * math.cos(math.radians(lat)) / (512 * 2**zoom)
    return 2 * reach_m / metres_per_px, _box(page, "#deck-container")


def test_a_phone_sees_every_ring_and_a_desktop_still_does(browser, answer):  # noqa: F811
    reach = float(answer.rings["ring_m"].max())
    assert reach == 1600  # explosion: 100/200/500/800/1600 m
    for width, height in ((390, 844), (1400, 900)):
        page = _page(browser, answer.out_dir / "incident.html", width, height, deck=True)
        diameter, box = _ring_fits(page, reach, answer.lat)
        page.close()
        side = min(box["width"], box["height"])
        assert 0.8 * side <= diameter <= side, (width, diameter, box)  # whole, and not a speck


def test_an_answer_without_credits_credits_nothing_it_did_not_use(answer):
    """An answer that carries no credits (an IncidentResult built by hand, or a recipe whose layers ask
    for none) credits nothing: the sheet fell back to OpenStreetMap, whatever the answer had used."""
    from dataclasses import replace

    from urbanrisk.outputs.incident_sheet import sheet_html

    page = sheet_html(replace(answer, credits=[]))
    assert "OpenStreetMap" not in page and "Population raster" not in page
    footer = page.partition('<div id="ur-sheet">')[2].rpartition('<p class="note">')[2].partition("</p>")[0]
    assert footer.startswith("Run ") and " · " not in footer.partition(" s")[2], footer  # nothing dangling
    assert '<div id="ur-attribution">urbanrisk</div>' in page
    credited = sheet_html(answer)  # the answer's own credits, each once, in both places
    assert credited.count("Population raster: Haidian statistics bureau") == 2


def _cells(page: str, column: int) -> list[str]:
    """The texts of one column of every table row of the sheet."""
    import re

    rows = re.findall(r"<tr>(.*?)</tr>", page.partition('<div id="ur-sheet">')[2])
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows]
    return [row[column] for row in cells if len(row) > column]


def test_the_english_sheet_reads_words_not_keys(answer):
    """Left from session 15: the English sheet printed the answer's keys (``fire_station``,
    ``social_facility``, ``explosion``'s kin ``gas_leak``, ``True``); each now reads as words, in English
    and Chinese, on the real BUPT answer and with a care home (``social_facility``) among its sites."""
    from dataclasses import replace

    from urbanrisk.outputs.incident_sheet import sheet_html

    assert len(answer.resources) > 1 and len(answer.sites) > 1  # BUPT's hospitals, schools...
    resources = answer.resources.assign(kind=["fire_station", *answer.resources["kind"].iloc[1:]])
    sites = answer.sites.assign(kind=["social_facility", *answer.sites["kind"].iloc[1:]])
    units = answer.units.assign(level="h3_parent")
    answer = replace(answer, resources=resources, sites=sites, units=units)
    english = sheet_html(replace(answer, kind="gas_leak"))
    assert "<h1>Incident: gas leak · bupt-raster</h1>" in english
    kinds = set(_cells(english, 0))
    assert {"fire station", "hospital", "social facility (care)", "H3 parent cell"} <= kinds
    assert not {k for k in kinds if "_" in k}, kinds  # no key left
    assert set(_cells(english.partition("Units to notify")[2].partition("<h2>")[0], 3)) <= {"yes", "no"}
    chinese = sheet_html(replace(answer, language="zh", kind_label="燃气泄漏"))
    kinds = set(_cells(chinese, 0))
    assert {"消防站", "医院", "社会福利机构", "H3 上级单元"} <= kinds, kinds
    assert not {k for k in kinds if "_" in k}, kinds
