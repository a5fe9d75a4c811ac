"""The map names the cells whose coverage is unknown, both kinds apart, with their counts, in en and zh.

Left by session 14 (edge14): a cell whose streets leave the data at the extract's edge has its coverage
unknown (``travel_known`` false, reason "its streets leave the data ..."), as a cell outside the street
data has; the report and status counted both together, the map neither: no legend line, and each such
cell's tooltip read "fire not reached", as a cell that no resource reaches. The map's input kept of the
coverage table only the supply columns, so the legend could not have counted them anyway. Real runs:
the shipped Baltimore recipe (en; 14 fire, 14 medical and 56 shelter cells leave the data), Wudaokou
with its study area 0.02° east of its OSM extract (zh; the cells beyond it are outside the street data).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml

import urbanrisk as ur
from chromium_pages import browser, deck_drawn  # noqa: F401  (the process's Chromium)
from conftest import ROOT, WUDAOKOU_HAZARDS, WUDAOKOU_OSM, write_recipe
from urbanrisk.coverage_unknown import OUTSIDE_STREETS
from urbanrisk.outputs.deck import grid_deck

WUDAOKOU_BOUNDS = (116.3084, 39.9905, 116.3320, 40.0123)


def _legend(run_dir) -> str:
    page = (run_dir / "map.html").read_text(encoding="utf-8")
    return page.partition('<div id="ur-panel">')[2].partition("</details>")[0]


def _counts(run_dir) -> dict[str, dict[str, set[str]]]:
    """Per kind ("outside" / "leaves"), per standard: its cells of unknown travel, from coverage.parquet."""
    table = pd.read_parquet(run_dir / "coverage.parquet")
    unknown = table[~table["travel_known"]]
    outside = unknown["reason"] == OUTSIDE_STREETS
    return {
        kind: {s: set(rows.loc[rows["standard"] == s, "h3_cell"]) for s in pd.unique(rows["standard"])}
        for kind, rows in (("outside", unknown[outside]), ("leaves", unknown[~outside]))
    }


def _cell_tips(result) -> dict[str, str]:
    return _cell_tips_of(grid_deck(result.grid, result.layers, result))


def _cell_tips_of(deck) -> dict[str, str]:
    """The cells layer's tips of ``deck``, by cell, their recurring pieces put back."""
    parts = list(deck.tip_parts)
    (cells,) = [layer for layer in deck.layers if layer.id == "cells"]
    return {
        row["hex"]: re.sub("\ue000(\\d+)\ue001", lambda m: parts[int(m.group(1))], row["tip"])
        for row in cells.data
    }


def test_the_english_map_counts_the_cells_whose_streets_leave_the_data(baltimore_run):
    counts = _counts(baltimore_run.run_dir)
    leaves = counts["leaves"]
    assert {s: len(c) for s, c in leaves.items()} == {"fire": 14, "medical": 14, "shelter": 56}
    assert not counts["outside"]  # the demo's cells all lie inside its extract
    cells = len(set().union(*leaves.values()))
    legend = _legend(baltimore_run.run_dir)
    assert "<b>Coverage unknown (not counted as uncovered)</b>" in legend
    assert f"⊘ streets leave the data at its edge: {cells} cells (fire 14, medical 14, shelter 56)" in legend
    assert "outside the street data:" not in legend  # no line for a kind with no cell
    tips = _cell_tips(baltimore_run)
    for cell in leaves["fire"]:
        assert "fire unknown (its streets leave the data)" in tips[cell], tips[cell]
    covered = baltimore_run.coverage.coverage.query("standard == 'fire' and covered")["h3_cell"].iloc[0]
    assert "unknown (" not in tips[covered] and "fire " in tips[covered]


@pytest.fixture(scope="module")
def east_run(tmp_path_factory):
    """Wudaokou (zh) with its study area 0.02° east of its OSM extract: cells outside the street data
    and cells whose streets leave it."""
    folder = tmp_path_factory.mktemp("east")
    body = yaml.safe_load((ROOT / "recipes" / "beijing-wudaokou.yaml").read_text(encoding="utf-8"))
    body["layers"]["osm"]["path"] = str(WUDAOKOU_OSM)
    body["layers"]["hazards"]["path"] = str(WUDAOKOU_HAZARDS)
    east = [*WUDAOKOU_BOUNDS[:2], WUDAOKOU_BOUNDS[2] + 0.02, WUDAOKOU_BOUNDS[3]]
    body |= {"area": {"bbox": east}, "report": {"language": "zh"}, "outputs": {"dir": str(folder / "out")}}
    return ur.run_recipe(write_recipe(folder, body), scheduler="synchronous")


def test_the_chinese_map_names_both_kinds_apart(east_run):
    result = east_run
    counts = _counts(result.run_dir)
    outside, leaves = counts["outside"].get("medical", set()), counts["leaves"].get("medical", set())
    assert len(outside) > 50 and leaves, (len(outside), len(leaves))  # both kinds, medical evaluated only
    legend = _legend(result.run_dir)
    assert "<b>覆盖情况未知（不计为未覆盖）</b>" in legend
    assert f"⊘ 超出道路数据范围：{len(outside):,} 个单元（医疗急救 {len(outside):,}）" in legend
    assert f"⊘ 道路在数据边缘延伸出数据范围：{len(leaves)} 个单元（医疗急救 {len(leaves)}）" in legend
    tips = _cell_tips(result)
    assert "医疗急救 未知（超出道路数据范围）" in tips[next(iter(outside))]
    assert "医疗急救 未知（道路延伸出数据范围）" in tips[next(iter(leaves))]
    assert not any("医疗急救 未知（" in tip for cell, tip in tips.items() if cell not in outside | leaves)


def test_the_cells_of_unknown_coverage_are_drawn_apart(baltimore_run):
    """Left from session 15: the legend named the cells whose coverage is unknown, but the map drew them as
    any other cell, so a planner could not tell "unknown" from "covered" or "not covered" at a glance.
    They are now veiled, outlined and marked "?" (one layer, toggled from the legend's block), and only
    they: every cell of unknown travel for some standard, no other; the cell's own tip stays on top."""
    leaves = _counts(baltimore_run.run_dir)["leaves"]
    unknown = set().union(*leaves.values())
    deck = grid_deck(baltimore_run.grid, baltimore_run.layers, baltimore_run)
    layers = {layer.id: layer for layer in deck.layers}
    veiled, marks = layers["coverage_unknown"], layers["coverage_unknown:marks"]
    assert {row["hex"] for row in veiled.data} == unknown and len(veiled.data) == len(unknown) == 61
    assert [row["text"] for row in marks.data] == ["?"] * 61
    assert not veiled.pickable and not marks.pickable  # the tip is the cell's, which says why
    ids = [layer.id for layer in deck.layers]
    assert ids.index("cells") < ids.index("coverage_unknown") < ids.index("gaps:fire")  # gaps stay on top
    legend = _legend(baltimore_run.run_dir)
    assert 'data-layer="coverage_unknown"' in legend and ">?</span><b>Coverage unknown" in legend


def _pixels(page):
    """The page's screenshot: red, green, blue x rows x columns (ints)."""
    import warnings

    from rasterio.errors import NotGeoreferencedWarning
    from rasterio.io import MemoryFile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # a PNG: pixels, no place
        with MemoryFile(page.screenshot()) as memory, memory.open() as png:
            return png.read()[:3].astype(int)


def test_a_planner_sees_the_unknown_cells_paler_and_the_others_unchanged(east_run, browser):  # noqa: F811
    """In Chromium: beside its "?" mark, a cell of unknown coverage is lighter with its layer shown than
    hidden (the veil over its grade), and a cell whose travel is known is the same pixel for pixel. On
    the east-shifted Wudaokou run (cells of both kinds; its page costs Chromium less than Baltimore's)."""
    import h3

    from test_planner_view import _page

    counts = _counts(east_run.run_dir)
    unknown = sorted(set().union(*counts["leaves"].values(), *counts["outside"].values()))
    known = sorted(set(east_run.grid.index) - set(unknown))
    page = _page(browser, east_run.run_dir / "map.html", 1440, 900, deck=True)

    def spots(cells: list[str]) -> list[tuple[int, int]]:  # off the "?" and the hollow (residents unknown):
        points = []  # 0.7 of the way to an edge's middle (the hollow reaches 0.55 of it, the outline 1)
        for cell in cells:
            (lat, lng), ((alat, alng), (blat, blng)) = h3.cell_to_latlng(cell), h3.cell_to_boundary(cell)[:2]
            at = [lng + 0.7 * ((alng + blng) / 2 - lng), lat + 0.7 * ((alat + blat) / 2 - lat)]
            x, y = page.evaluate(f"deckInstance.getViewports()[0].project({at})")[:2]
            if 420 < x < 1430 and 10 < y < 890:  # right of the legend, on screen
                points.append((round(y), round(x)))
        return points

    veiled, plain = spots(unknown[:20]), spots(known[:20])
    assert len(veiled) >= 10 and len(plain) >= 10
    shown = _pixels(page)
    drawn = page.evaluate("() => window.__urFrames")
    page.locator('input[data-layer="coverage_unknown"]').uncheck()
    deck_drawn(page, drawn)
    hidden = _pixels(page)
    page.close()
    lighter = [shown[:, y, x].sum() - hidden[:, y, x].sum() for y, x in veiled]
    assert sum(d > 60 for d in lighter) >= 0.8 * len(lighter), lighter
    assert all((shown[:, y, x] == hidden[:, y, x]).all() for y, x in plain)


def test_a_large_grids_display_cells_say_how_many_of_their_cells_are_unknown_and_why(baltimore_run):
    """Left from session 15: on a large grid the map shows H3 parents (display aggregation), each with its
    riskiest child's travel, and its tip said nothing of its children whose travel is unknown. Baltimore
    shown as r8 parents (as the map shows a grid over ``max_map_cells``): each parent's tip counts its r9
    cells that leave the data, per standard, as coverage.parquet has them; a parent without any says none."""
    import h3

    from urbanrisk.outputs.display import display_grid

    shown = display_grid(baltimore_run.grid, max_cells=100)
    assert shown[1] and h3.get_resolution(shown[0].index[0]) == 8  # aggregated
    tips = _cell_tips_of(grid_deck(baltimore_run.grid, baltimore_run.layers, baltimore_run, shown))
    leaves = _counts(baltimore_run.run_dir)["leaves"]
    expected: dict[str, dict[str, int]] = {}
    for standard, cells in leaves.items():
        for cell in cells:
            parent = h3.cell_to_parent(cell, 8)
            expected.setdefault(parent, {}).setdefault(standard, 0)
            expected[parent][standard] += 1
    assert len(expected) > 5
    for parent, tip in tips.items():
        said = dict(
            (name, int(n))
            for name, n in re.findall(r"(fire|medical|shelter) [^·]*?\(unknown in (\d+) of", tip)
        )
        assert said == expected.get(parent, {}), (parent, tip)
    some = next(p for p, n in expected.items() if "shelter" in n)
    assert (
        f"(unknown in {expected[some]['shelter']} of its r9 cells: their streets leave the data)"
        in tips[some]
    )
