"""The browser tests' Chromium: one browser per test process, pages that wait on the deck having drawn.

Each file that opened Chromium launched its own (test_browser, test_planner_view and the three files that
import its fixture: a module-scoped fixture imported into a module is that module's own), and
test_deliverables launched one per test: ~8 launches of Chromium and its Playwright driver in a suite,
~1.5-3 CPU s each. Here one browser serves every module of a test process: launched by the first module
that asks, closed at the session's end.

Playwright's sync API marks its event loop as the thread's running loop between its calls (so that its
own callbacks find it), which would make ``asyncio.run`` and a Dask client in the tests of other modules
of the same process fail ("cannot be called from a running event loop"): the fixture clears the mark
when a module using the browser ends and puts it back when the next one starts.

`make test` installs chromium when missing (as root); without it these tests are skipped locally and
fail under CI=true.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

#: How long a page may take to load and draw: conditions, not sleeps, so a quick machine waits little
#: and a loaded one (load 16+ on 2 cores: 4 MB of inline deck.gl to parse, SwiftShader to draw) is not
#: cut at Playwright's default 30 s.
PAGE_TIMEOUT_MS = 180_000

#: The deck has drawn (docs/deck_drawn.js, which docs/make_screenshots.py waits on too), its comments off.
DECK_DRAWN = "\n".join(
    line
    for line in (ROOT / "docs" / "deck_drawn.js").read_text(encoding="utf-8").splitlines()
    if not line.startswith("//")
)

#: deck.gl's tooltip is on screen with some text (after the pointer moved onto something pickable).
TIP_SHOWN = """() => { const tip = document.querySelector('.deck-tooltip');
  return tip !== null && tip.style.display !== 'none' && tip.innerText.length > 0; }"""

#: the test process's Playwright, its browser and Playwright's event loop (see the module's docstring)
_SHARED: dict[str, object] = {}


def deck_drawn(page, after: int = 0) -> int:
    """Wait until the page's deck has drawn a frame beyond ``after`` with all its layers loaded (polled
    every 100 ms), and return its frames drawn: pass that to the next call after a click, to wait for
    the click's frame."""
    return page.wait_for_function(DECK_DRAWN, arg=after, polling=100, timeout=PAGE_TIMEOUT_MS).json_value()


def _shared_browser():
    if "browser" not in _SHARED:
        chromium = shutil.which("chromium")
        if chromium is None:
            if os.environ.get("CI"):
                pytest.fail("chromium is not installed: `make test` installs it (apt-get install chromium)")
            pytest.skip("chromium is not installed (run `make browser` as root)")
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _SHARED["playwright"] = playwright
        _SHARED["browser"] = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        _SHARED["loop"] = asyncio._get_running_loop()
    else:
        asyncio._set_running_loop(_SHARED["loop"])  # Playwright's calls resume where they were
    return _SHARED["browser"]


def _close_shared() -> None:
    if "browser" in _SHARED:
        asyncio._set_running_loop(_SHARED.pop("loop"))
        _SHARED.pop("browser").close()
        _SHARED.pop("playwright").stop()


@pytest.fixture(scope="module")
def browser(request):
    """The test process's Chromium (one for all its modules), for this module's tests."""
    instance = _shared_browser()
    request.session.config.add_cleanup(_close_shared)  # once the session is over (added once per module)
    yield instance
    asyncio._set_running_loop(None)  # the next module's asyncio finds no loop running


def open_page(browser, path: Path, width: int = 1200, height: int = 800, *, deck: bool = False):
    """A new page of ``browser`` at ``width`` x ``height`` showing ``path``; ``deck``: once its deck has
    drawn (:func:`deck_drawn`)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(PAGE_TIMEOUT_MS)  # a loaded machine: conditions, not sleeps
    page.goto(path.resolve().as_uri())
    if deck:
        deck_drawn(page)
    return page
