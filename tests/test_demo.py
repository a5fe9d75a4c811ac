"""`make demo`: the Makefile's default recipe shows every screen and every coverage standard."""

from __future__ import annotations

import re
from pathlib import Path

import urbanrisk as ur
from urbanrisk.outputs.summary import run_summary

ROOT = Path(__file__).resolve().parents[1]
SCREENS = ("hazard_sources", "communities", "key_districts", "urban_villages")


def demo_recipe() -> Path:
    """The recipe `make demo` runs: the Makefile's ``RECIPE ?=`` line."""
    found = re.search(r"^RECIPE\s*\?=\s*(\S+)\s*$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert found, "the Makefile names no default RECIPE"
    return ROOT / found.group(1)


def test_the_demo_recipe_evaluates_every_screen_and_every_coverage_standard(tmp_path):
    recipe = demo_recipe()
    assert recipe.is_file(), recipe
    result = ur.run_recipe(recipe, out=tmp_path, scheduler="synchronous", write=False)
    summary = run_summary(result)
    standards = [standard.name for standard in result.coverage.standards]
    assert standards == ["fire", "medical", "shelter"]  # the cn preset: nothing left out
    assert set(summary.statuses) == {*SCREENS, *(f"coverage {name}" for name in standards)}
    skipped = {name: text for name, text in summary.statuses.items() if not text.startswith("ok")}
    assert not skipped, skipped
    for name, coverage in summary.coverage.items():
        # measured from at least one real resource, and someone is reached in time
        assert re.search(r"; (1 resource|[1-9]\d* resources);", coverage["status"]), coverage["status"]
        assert 0 <= coverage["residents_uncovered"] < summary.residents, name
