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
import yaml

import urbanrisk as ur
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
    deck = grid_deck(result.grid, result.layers, result)
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


def test_the_chinese_map_names_both_kinds_apart(tmp_path):
    body = yaml.safe_load((ROOT / "recipes" / "beijing-wudaokou.yaml").read_text(encoding="utf-8"))
    body["layers"]["osm"]["path"] = str(WUDAOKOU_OSM)
    body["layers"]["hazards"]["path"] = str(WUDAOKOU_HAZARDS)
    east = [*WUDAOKOU_BOUNDS[:2], WUDAOKOU_BOUNDS[2] + 0.02, WUDAOKOU_BOUNDS[3]]
    body |= {"area": {"bbox": east}, "report": {"language": "zh"}, "outputs": {"dir": str(tmp_path / "out")}}
    result = ur.run_recipe(write_recipe(tmp_path, body), scheduler="synchronous")
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
