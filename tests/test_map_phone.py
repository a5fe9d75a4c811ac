"""The map on a phone shows the whole study area (session 15, look15).

Seen in headless Chromium at 390 x 844 on the shipped Baltimore and Wudaokou recipes: the map opened at
the desktop's view (the area fitted to 1200 px right of a 400 px legend), so a phone showed the area's
west half, and Wudaokou's orange cells (east of its centre) were cut off. A desktop's view is unchanged.
"""

from __future__ import annotations

import pytest

from chromium_pages import browser  # noqa: F401  (the process's Chromium)
from test_planner_view import _box, _page


def _corners_on_screen(page, bounds) -> list[list[float]]:
    """The study area's corners in the page's pixels, by deck.gl's own viewport."""
    west, south, east, north = (float(v) for v in bounds)
    return page.evaluate(
        "(c) => c.map(p => deckInstance.getViewports()[0].project(p))",
        [[west, north], [east, south]],
    )


def test_a_phone_sees_the_whole_area_and_a_desktop_keeps_its_view(browser, baltimore_run):  # noqa: F811
    path = baltimore_run.run_dir / "map.html"
    bounds = baltimore_run.grid.total_bounds
    page = _page(browser, path, 390, 844, deck=True)
    (left, top), (right, bottom) = _corners_on_screen(page, bounds)
    panel = _box(page, "#ur-panel")
    page.close()
    assert left >= 0 and right <= 390, (left, right)  # every cell across the screen
    assert panel["y"] + panel["height"] <= top and bottom <= 844 - 16, (panel, top, bottom)  # below the panel
    assert right - left > 0.8 * (390 - 16)  # and not a speck: the width is the limit here
    page = _page(browser, path, 1400, 900, deck=True)
    desktop = page.evaluate("() => deckInstance.getViewports()[0].zoom")
    (left, _), _ = _corners_on_screen(page, bounds)
    panel = _box(page, "#ur-panel")
    page.close()
    assert desktop == pytest.approx(
        baltimore_run.renderer(baltimore_run).initial_view_state.zoom
    )  # as before
    assert left > panel["x"] + panel["width"]  # right of the legend
