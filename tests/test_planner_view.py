"""The deliverables as a planner opens them: on a desktop, a laptop and a phone, and printed on A4.

Each test is a defect seen in headless Chromium on the shipped recipes (session 13): a report wider
than a phone, one mostly blank A4 page per section, tooltips cut off at the map's right edge, a legend
covering a phone's whole map, an English responsibility list naming its items in keys and Chinese,
an incident map with no key, drawn off a phone's screen.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import h3
import pytest

import urbanrisk as ur
from chromium_pages import TIP_SHOWN, browser, open_page  # noqa: F401  (the process's Chromium)
from conftest import default_recipe


@pytest.fixture(scope="module")
def zh_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zh")
    return ur.run_recipe(default_recipe(folder, report={"language": "zh"}), scheduler="synchronous")


@pytest.fixture(scope="module")
def en_run(wudaokou_run):
    """The default recipe's run (English), shared by the session (conftest): these tests only read it."""
    return wudaokou_run


def _page(browser, path: Path, width: int, height: int, *, deck: bool = False):  # noqa: F811
    return open_page(browser, path, width, height, deck=deck)  # conditions, not sleeps (chromium_pages)


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_the_report_fits_a_phone_and_keeps_two_columns_on_a_desktop(browser, zh_run):  # noqa: F811
    """At 390 px the responsibility list pushed the page to 911 px and 城中村 stood one character wide."""
    path = zh_run.run_dir / "report.html"
    page = _page(browser, path, 390, 844)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first, second = page.locator(".cols > div").all()[:2]
    assert second.bounding_box()["y"] >= first.bounding_box()["y"] + first.bounding_box()["height"] - 1
    assert second.bounding_box()["width"] > 300  # 重点地区 above 城中村, each the screen's width
    page.close()
    page = _page(browser, path, 1280, 720)
    first, second = page.locator(".cols > div").all()[:2]
    assert first.bounding_box()["y"] == second.bounding_box()["y"]  # side by side
    page.close()
    html = path.read_text(encoding="utf-8")
    assert 'name="viewport"' in html
    assert html.count("<table>") == html.count('<div class="wide"><table>') > 5  # every table scrolls alone


def test_printed_short_sections_share_a_page(browser, zh_run):  # noqa: F811
    """Printed, every major section started an A4 page: Wudaokou's report took 7 pages, each mostly
    blank (GB 18218 with no registry: three lines on a page). Short sections now follow the one before."""
    html = (zh_run.run_dir / "report.html").read_text(encoding="utf-8")
    sections = re.findall(r'<section class="major( short)?"(?: data-page="landscape")?>', html)
    assert len(sections) >= 5 and sections.count(" short") >= 2
    gb18218 = html.split("重大危险源辨识（GB 18218-2018）")[0].rsplit("<section", 1)[1]
    assert gb18218.startswith(' class="major short"')
    page = _page(browser, zh_run.run_dir / "report.html", 1100, 1400)
    pdf = page.pdf(format="A4")
    page.close()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 < pages < len(sections)
    assert "<thead>" in html  # a table across pages repeats its heading on each


def test_the_english_responsibility_list_reads_english(en_run):
    """It showed item types as keys (risk_cluster) and clusters named in Chinese (红橙风险片区 01)."""
    html = (en_run.run_dir / "report.html").read_text(encoding="utf-8")
    section = html.split("Responsibility list</h2>")[1].split("</section>")[0]  # its heading in English
    assert "red/orange cluster 01 (grade II, " in section and "hazard source" in section
    assert "红橙风险片区" not in section and "risk_cluster" not in section and "hazard_source" not in section


@pytest.fixture(scope="module")
def en_desktop_map(browser, en_run):  # noqa: F811
    """The English map at 1280 x 720, drawn once for the tests that look at it (a map page costs Chromium
    more CPU than anything else in a browser test: parsing deck.gl, SwiftShader drawing the frame)."""
    page = _page(browser, en_run.run_dir / "map.html", 1280, 720, deck=True)
    yield page
    page.close()


@pytest.fixture(scope="module")
def zh_phone_map(browser, zh_run):  # noqa: F811
    """The Chinese map at a phone's 390 x 844, drawn once for the tests that look at it; a test that
    changes it puts it back."""
    page = _page(browser, zh_run.run_dir / "map.html", 390, 844, deck=True)
    yield page
    page.close()


def test_map_tooltips_stay_on_screen_and_the_legend_says_what_colours_mean(en_desktop_map, en_run):
    """A cell's tooltip near the right edge ran off the screen; hazard dots and rings are drawn in
    their grade's colour while the legend showed one dark grey dot and one red ring."""
    html = (en_run.run_dir / "map.html").read_text(encoding="utf-8")
    assert "colour: its grade" in html and "colour: the source's grade" in html
    width, height, page = 1280, 720, en_desktop_map
    centres = [h3.cell_to_latlng(cell)[::-1] for cell in en_run.grid.index]
    points = page.evaluate(
        "centres => centres.map(c => deckInstance.getViewports()[0].project(c))", [list(c) for c in centres]
    )
    inside = [(x, y) for x, y in points if x < width - 8 and 40 < y < height - 40]
    for x, y in (max(inside), max(inside, key=lambda p: p[1])):  # the rightmost cell, the lowest
        page.mouse.move(x, y)
        page.wait_for_function(TIP_SHOWN)
        tip = page.evaluate("JSON.stringify(document.querySelector('.deck-tooltip').getBoundingClientRect())")
        box = json.loads(tip)
        assert box["width"] > 100, box  # a cell's tip is shown ...
        assert box["left"] >= 0 and box["right"] <= width and box["top"] >= 0 and box["bottom"] <= height, box
    assert page.evaluate("document.getElementById('ur-legend').open")


def test_the_map_legend_folds_on_a_phone(zh_phone_map, zh_run):
    """At 390 x 844 the legend panel covered the whole map."""
    assert "颜色：其等级" in (zh_run.run_dir / "map.html").read_text(encoding="utf-8")
    page = zh_phone_map
    assert page.evaluate("document.getElementById('ur-legend').open") is False
    assert _box(page, "#ur-panel")["height"] < 844 / 4
    page.locator("#ur-legend > summary").click()  # the planner opens it: it scrolls within its box
    assert _box(page, "#ur-panel")["height"] <= 0.5 * 844
    page.locator("#ur-legend > summary").click()  # and folds it again (the page is the module's)
    assert page.evaluate("document.getElementById('ur-legend').open") is False


def _corners_on_screen(page, bounds) -> list[list[float]]:
    """The study area's corners in the page's pixels, by deck.gl's own viewport."""
    west, south, east, north = (float(v) for v in bounds)
    return page.evaluate(
        "(c) => c.map(p => deckInstance.getViewports()[0].project(p))",
        [[west, north], [east, south]],
    )


def test_a_phone_sees_the_whole_area(zh_phone_map, zh_run):
    """The map on a phone (session 15, look15): it opened at the desktop's view (the area fitted to
    1200 px right of a 400 px legend), so a phone showed the area's west half, and Wudaokou's orange
    cells (east of its centre) were cut off. Seen at 390 x 844 on Baltimore and Wudaokou; here Wudaokou,
    on the page the legend's test reads (this test opened two Baltimore pages of its own)."""
    page = zh_phone_map
    (left, top), (right, bottom) = _corners_on_screen(page, zh_run.grid.total_bounds)
    panel = _box(page, "#ur-panel")
    assert left >= 0 and right <= 390, (left, right)  # every cell across the screen
    assert panel["y"] + panel["height"] <= top and bottom <= 844 - 16, (panel, top, bottom)  # below the panel
    assert right - left > 0.8 * (390 - 16), (left, right)  # and not a speck: the width is the limit here


def test_a_desktop_keeps_its_view(en_desktop_map, en_run):
    """The phone's fit leaves a desktop's view as it was: the area right of the legend."""
    page = en_desktop_map
    desktop = page.evaluate("() => deckInstance.getViewports()[0].zoom")
    (left, _), _ = _corners_on_screen(page, en_run.grid.total_bounds)
    panel = _box(page, "#ur-panel")
    assert desktop == pytest.approx(en_run.renderer(en_run).initial_view_state.zoom)  # as before
    assert left > panel["x"] + panel["width"]  # right of the legend


def test_the_incident_map_has_a_key_and_a_phone_sees_the_map(browser, zh_run, tmp_path):  # noqa: F811
    """The incident map drew coloured dots with no key, its units in English (H3 cell ...) in the
    Chinese sheet, and on a phone the 460 px sheet covered the screen with the incident drawn off it."""
    recipe = zh_run.run_dir.parents[2] / "recipe.yaml"
    answer = ur.answer_incident(recipe, at=(116.3096, 39.9993), kind="gas_leak", out=tmp_path / "gas")
    path = answer.out_dir / "incident.html"
    page = _page(browser, path, 1400, 900, deck=True)
    key = page.inner_text("#ur-key")
    assert "图例" in key and "脆弱场所" in key and "医院" in key and "消防站" not in key  # the kinds drawn
    sheet = page.inner_text("#ur-sheet")
    assert "H3 cell" not in sheet and "H3 单元" in sheet
    assert _box(page, "#deck-container")["x"] >= _box(page, "#ur-sheet")["width"] - 1  # beside the sheet
    page.close()
    page = _page(browser, path, 390, 844, deck=True)
    sheet, deck = _box(page, "#ur-sheet"), _box(page, "#deck-container")
    assert sheet["height"] <= 0.6 * 844 and deck["y"] >= sheet["y"] + sheet["height"] - 1
    assert deck["height"] > 250
    page.close()


def test_a_units_generated_name_reads_chinese_in_the_changes_and_the_rescan_alerts():
    """A Chinese rescan printed "警报 社区 h3:8831aa52a5fffff H3 cell 8831aa52a5fffff", and the report's
    changes named the unit "H3 cell …" (the community register: "H3 单元 …")."""
    from types import SimpleNamespace

    from urbanrisk.cli_lines import rescan_lines
    from urbanrisk.outputs.report_changes import CHANGE_ZH, _change_word

    assert _change_word("H3 cell 8831aa52a5fffff", CHANGE_ZH) == "H3 单元 8831aa52a5fffff"
    assert (
        _change_word("community", CHANGE_ZH) == "社区"
        and _change_word("某化学品仓库", CHANGE_ZH) == "某化学品仓库"
    )
    assert _change_word("H3 cell 8831aa52a5fffff", {}) == "H3 cell 8831aa52a5fffff"  # English as written
    alert = {"kind": "community", "id": "h3:8831aa52a5fffff", "name": "H3 cell 8831aa52a5fffff"}
    alert |= {"old_grade": "III", "new_grade": "II", "explanation": "危险化学品场所 某化学品仓库（I级）"}
    changes = SimpleNamespace(alerts=[alert], summary=dict)
    result = SimpleNamespace(changes=changes, reused=False, previous=None, not_compared=None, run_dir="r")
    lines = "\n".join(rescan_lines(result, "recipe.yaml", 1.0, "zh"))
    assert "h3:8831aa52a5fffff H3 单元 8831aa52a5fffff" in lines and "H3 cell" not in lines
    english = "\n".join(rescan_lines(result, "recipe.yaml", 1.0, "en"))
    assert "h3:8831aa52a5fffff H3 cell 8831aa52a5fffff" in english


def test_a_hazard_source_with_no_vulnerable_site_says_so(en_run, zh_run):
    """Its vulnerable sites and breaches were blank cells: none found, or not looked at?"""
    for run, words in ((en_run, "none found"), (zh_run, "未发现")):
        html = (run.run_dir / "report.html").read_text(encoding="utf-8")
        section = html.split('<section class="major')[1]  # the hazard sources, the first major section
        rows = re.findall(r"<tr><td>.*?</tr>", section)
        assert rows and all(row.count(f"<td>{words}</td>") == 2 for row in rows)  # Wudaokou's two: none
