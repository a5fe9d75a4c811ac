"""The map's legend says what it does not know (session 20, fresh21): its headline total a lower bound,
its residents view keyed.

On a made-up census table with one 社区 written 不详 (recipes/beijing-bupt-office.yaml with 励耘社区's count
unknown), the map's legend opened with "H3 分辨率 10 · 55 个单元 · 常住人口 19,200", a complete-looking
total, while 19 cells' residents were unknown and the grade rows below said "（8 个单元未知）". The shipped
Baltimore run says the same of its 183 cells of unknown residents. The residents view (a toggle of the
graded map) was named "quintiles, light to dark" and not keyed: no number could be read off a colour,
and its grey cells (residents unknown) read as the grey "no data" grade listed above it, with 0 cells.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd

from urbanrisk.outputs.deck import grid_deck
from urbanrisk.outputs.map import counts_line, legend_html, residents_key_html
from urbanrisk.outputs.summary import run_summary


def _summary(residents: float, unknown_per_grade: list[int]) -> SimpleNamespace:
    grades = {
        g: {"cells": 10, "residents": 1.0, "cells_residents_unknown": k}
        for g, k in zip(["I", "II", "III", "IV", "no data"], unknown_per_grade, strict=True)
    }
    return SimpleNamespace(resolution=10, cells=55, residents=residents, grades=grades)


def test_the_headline_total_is_a_lower_bound_where_residents_are_unknown():
    grid = pd.DataFrame(index=["a"])
    assert counts_line(_summary(19200.4, [0, 0, 8, 11, 0]), grid, "zh") == (
        "H3 分辨率 10 · 55 个单元 · 常住人口 ≥ 19,200（另有 19 个单元常住人口未知）"
    )
    assert counts_line(_summary(19200.4, [0, 0, 8, 11, 0]), grid) == (
        "H3 resolution 10 · 55 cells · residents ≥ 19,200 (19 cells with residents unknown)"
    )
    # every residents known: the count as before; nobody counted and cells unknown: unknown, never 0
    assert counts_line(_summary(22400.0, [0] * 5), grid, "zh") == "H3 分辨率 10 · 55 个单元 · 常住人口 22,400"
    assert counts_line(_summary(0.0, [0, 0, 0, 0, 55]), grid) == (
        "H3 resolution 10 · 55 cells · residents unknown (55 cells with residents unknown)"
    )


def test_an_ungraded_grid_counts_its_cells_of_unknown_residents():
    summary = SimpleNamespace(resolution=8, cells=3, residents=120.0, grades={})
    grid = pd.DataFrame({"known_residents": [True, False, True]}, index=list("abc"))
    assert counts_line(summary, grid) == (
        "H3 resolution 8 · 3 cells · residents ≥ 120 (1 cell with residents unknown)"
    )
    assert counts_line(summary, grid[["known_residents"]].assign(known_residents=True)) == (
        "H3 resolution 8 · 3 cells · 120 residents"
    )


def test_the_shipped_baltimore_map_says_its_total_is_a_lower_bound(baltimore_run):
    deck = grid_deck(baltimore_run.grid, baltimore_run.layers, baltimore_run)
    legend = legend_html(baltimore_run, deck, run_summary(baltimore_run))
    assert (
        "<div>H3 resolution 9 · 396 cells · residents ≥ 39,133 (183 cells with residents unknown)</div>"
        in (legend)
    )
    # the residents view's key sits right under its toggle: its classes, none, and residents unknown
    key = legend.split('data-layer="residents"')[1].split("data-layer=")[0]
    assert 'class="ur-residents-key"' in key and key.count("white-space:nowrap") == 7
    assert "residents unknown</em></div>" in key  # 183 cells: the grey keyed, last


def test_the_residents_view_is_keyed_with_its_classes_and_its_unknown_grey():
    grid = pd.DataFrame(
        {"residents": [0.0, 5.0, 1.0, 3.0], "known_residents": [True, True, False, True]}, index=list("abcd")
    )
    words = re.findall(r"</span>([^<]*)</em>", residents_key_html(grid))
    assert words == ["0 – 4", "4 – 5", "none", "residents unknown"]  # the quintiles of the known: 3 and 5
    zh = re.findall(r"</span>([^<]*)</em>", residents_key_html(grid.assign(known_residents=True), "zh"))
    # all known: no grey to key; terciles of 1, 3, 5 (linear): 2.33 and 3.67, shown rounded
    assert zh == ["0 – 2", "2 – 4", "4 – 5", "无"]
