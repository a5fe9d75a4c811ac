"""The planner's view in a real browser (headless Debian Chromium driven by Playwright).

`make test` installs chromium when missing (as root); without it these tests are skipped locally and
fail under CI=true. The browser and the wait on the deck having drawn: :mod:`chromium_pages`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio

import urbanrisk as ur
from chromium_pages import PAGE_TIMEOUT_MS, browser, deck_drawn  # noqa: F401  (the process's Chromium)
from conftest import WUDAOKOU_HAZARDS, default_recipe
from urbanrisk.grade import GRADE_COLOURS, GRADES
from urbanrisk.grid_dataset import read_grid
from urbanrisk.outputs.html import BACKGROUND
from urbanrisk.outputs.map_outline_tips import outline_tip

HOSTILE = "<img src=x onerror=alert(1)>"


def _open(browser, path: Path, *, width=1200, height=800):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    events = {"errors": [], "dialogs": []}
    page.on("pageerror", lambda exc: events["errors"].append(str(exc)))
    page.on("console", lambda msg: events["errors"].append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda dialog: (events["dialogs"].append(dialog.message), dialog.dismiss()))
    page.goto(path.resolve().as_uri())
    return page, events


def _recipe(tmp_path: Path, *, hazards: Path = WUDAOKOU_HAZARDS, **extra) -> Path:
    return default_recipe(tmp_path, hazards=hazards, **extra)


@pytest.fixture(scope="module")
def four_grade_run(tmp_path_factory):
    """The default recipe graded by quartiles, so that all four grades are on the map."""
    folder = tmp_path_factory.mktemp("browser")
    recipe = _recipe(folder, grading={"method": "quantiles"})
    return ur.run_recipe(recipe, scheduler="synchronous")


def _blend(colour, alpha=170 / 255):
    bg = np.array([int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    return alpha * np.array(colour, dtype=float) + (1 - alpha) * bg


def test_map_renders_the_four_grade_colours_without_js_errors(browser, four_grade_run, tmp_path):  # noqa: F811
    grid = four_grade_run.grid
    assert set(grid["grade"]) == set(GRADES)
    page, events = _open(browser, four_grade_run.run_dir / "map.html")
    drawn = deck_drawn(page)
    panel = page.locator("#ur-panel").bounding_box()
    counts = _grade_pixels(page, tmp_path / "map.png", panel)
    cells = grid["grade"].value_counts()
    for grade in GRADES:
        # each grade covers a share of the screen in proportion to its cells (hexes ~150 px each)
        assert counts[grade] > 40 * cells[grade], (grade, counts, cells.to_dict())
    page.click("input[data-layer=cells]")  # the planner hides the graded cells
    deck_drawn(page, drawn)
    hidden = _grade_pixels(page, tmp_path / "hidden.png", panel)
    tips = page.evaluate(  # deck.gl's tooltip of each cell, from the page's script
        """() => deckInstance.props.layers.find(layer => layer.id === 'cells').props.data
            .map(row => deckInstance.props.getTooltip({object: row}).html)"""
    )
    districts = page.evaluate(  # the key districts' tooltips, as the page shows them
        """() => deckInstance.props.layers.find(layer => layer.id === 'key_districts').props.data
            .map(row => deckInstance.props.getTooltip({object: row}).html)"""
    )
    page.close()
    assert events["errors"] == []
    assert sum(hidden.values()) < 0.02 * sum(counts.values()), hidden
    _same_tips_as_built(four_grade_run, tips)
    table = four_grade_run.screens.key_districts
    assert len(table) >= 2  # Wudaokou's campuses and Zhongguancun's shops
    assert set(districts) == {outline_tip(row, "key district", "en") for row in table.itertuples()}
    for tip in districts:  # where its name came from and why it is key, one reason a line
        assert "<br/>name from: " in tip and "<br/>why: <br/>· " in tip and "people present per km²" in tip


def _same_tips_as_built(result, tips: list[str]) -> None:
    """The tips are compact in the page (pieces written once, markers for line breaks and the cell's
    id, :mod:`urbanrisk.outputs.map_compact`): the page shows each cell's whole tip as it was built."""
    from urbanrisk.outputs.map_tips import _cell_tips, _hazard_labels, _language, _unknown_words

    units = {s.name: ("s" if s.by_time else "m") for s in result.coverage.standards}
    unknown = _unknown_words(result)  # why a cell's travel is unknown, as the page says
    assert tips == _cell_tips(result.grid, units, _language(result), _hazard_labels(result), unknown)
    assert any("<br/>" in tip for tip in tips)


def _grade_pixels(page, shot: Path, panel: dict) -> dict[str, int]:
    """Pixels of each grade's colour (as blended on the map) outside the legend panel."""
    page.screenshot(path=str(shot))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)  # a PNG has no CRS
        with rasterio.open(shot) as png:
            rgb = np.moveaxis(png.read()[:3], 0, -1).astype(float)
    x1, y1 = int(panel["x"] + panel["width"]) + 2, int(panel["y"] + panel["height"]) + 2
    outside = np.ones(rgb.shape[:2], dtype=bool)
    outside[:y1, :x1] = False
    counts = {}
    for grade in GRADES:
        distance = np.abs(rgb - _blend(GRADE_COLOURS[grade])).max(axis=-1)
        counts[grade] = int(((distance <= 12) & outside).sum())
    return counts


def test_hostile_names_show_as_text_and_run_nothing(browser, tmp_path):  # noqa: F811
    hostile = tmp_path / "hazards.csv"
    hostile.write_text(
        "id,kind,name,severity,lon,lat\n"
        f'H1,fuel,"{HOSTILE}",4,116.3250,40.0000\n'
        f'H2,gas,"</script><script>alert(2)</script>",3,116.3150,39.9950\n',
        encoding="utf-8",
    )
    result = ur.run_recipe(_recipe(tmp_path, hazards=hostile), scheduler="synchronous")
    html = (result.run_dir / "map.html").read_text(encoding="utf-8")
    assert HOSTILE not in html and "<script>alert(2)" not in html
    page, events = _open(browser, result.run_dir / "map.html")
    deck_drawn(page)
    page.evaluate(
        """() => { window.__tips = [];
        new MutationObserver(() => document.querySelectorAll('.deck-tooltip').forEach(
            t => window.__tips.push(t.innerText))).observe(document.body,
            {subtree: true, childList: true, characterData: true}); }"""
    )
    # hover the hostile hazard source itself: deck.gl projects its lon/lat to the pixel it is drawn at
    x, y = page.evaluate("() => deckInstance.getViewports()[0].project([116.3250, 40.0000])")
    page.mouse.move(x, y)
    page.wait_for_function("() => window.__tips.length > 0")  # the tooltip opened
    page.mouse.move(0, 0)
    tips = page.evaluate("window.__tips")
    assert any(HOSTILE in tip for tip in tips)  # the name reached a tooltip, as plain text
    images = page.evaluate("document.images.length")
    scripts = page.evaluate("document.querySelectorAll('script').length")
    page.close()
    assert events["dialogs"] == []
    assert events["errors"] == []
    # no img element was injected; the only scripts are pydeck's bundle, its deck and the layer toggles
    assert images == 0
    assert scripts == 3
    page, events = _open(browser, result.run_dir / "report.html")
    text = page.inner_text("body")
    images = page.evaluate("document.images.length")
    page.close()
    assert HOSTILE in text  # shown as text
    assert images == 0 and events["dialogs"] == [] and events["errors"] == []


def test_report_shows_the_residents_total_of_the_grid(browser, four_grade_run):  # noqa: F811
    grid = read_grid(four_grade_run.run_dir)
    page, events = _open(browser, four_grade_run.run_dir / "report.html", height=1400)
    shown = page.inner_text("#residents-total")
    headings = page.locator("h2").all_inner_texts()
    page.close()
    assert shown == f"{grid['residents'].sum():,.0f}"
    assert events["errors"] == []
    for section in (
        "Residents per grade",
        "Top hazard sources",
        "Community register",
        "Key districts",
        "Urban villages",
        "Emergency-resource coverage",
        "Suggested sites",
        "Inputs",
    ):
        assert any(h.startswith(section) for h in headings), section
