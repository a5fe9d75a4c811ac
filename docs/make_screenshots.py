"""Screenshots of the default recipe's map and report for the README (`make screenshots`).

Runs the recipe given as argument (`make screenshots` passes the Makefile's RECIPE, the one
`make demo` runs; default recipes/baltimore.yaml) into a temporary folder and photographs map.html
and report.html in headless Debian Chromium, as a planner would see them.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import urbanrisk as ur

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
#: the map's deck has drawn, as the browser tests wait (tests/chromium_pages.py), its comments off
DECK_DRAWN = "\n".join(
    line for line in (ROOT / "docs" / "deck_drawn.js").read_text(encoding="utf-8").splitlines()
    if not line.startswith("//")
)


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is not installed: run `make browser` as root", file=sys.stderr)
        return 2
    recipe = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "recipes" / "baltimore.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        result = ur.run_recipe(recipe, out=tmp)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.set_default_timeout(180_000)  # a loaded machine: the conditions below, not sleeps
            page.goto((result.run_dir / "map.html").as_uri())
            page.wait_for_function(DECK_DRAWN, arg=0, polling=100)  # drawn, every layer loaded
            page.screenshot(path=str(ROOT / "docs" / "map.png"))
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.goto((result.run_dir / "report.html").as_uri())
            page.screenshot(path=str(ROOT / "docs" / "report.png"))
            browser.close()
    print("wrote docs/map.png and docs/report.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
