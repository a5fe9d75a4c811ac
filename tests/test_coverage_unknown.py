"""Missing is not zero in coverage: uncovered cells whose residents are unknown are counted beside
every sum (gaps, status, N-1), never read as 0 people (cases by hand; the run's numbers against the
written grid are in tests/test_summary.py, the N-1 counts against a search per station in
tests/test_coverage_scale.py)."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd

from urbanrisk.coverage import gaps_from_coverage
from urbanrisk.coverage_unknown import OUTSIDE_STREETS, unknown_uncovered_words, with_unknown_flags
from urbanrisk.grid import grid_frame
from urbanrisk.outputs.i18n import data_text

CENTRE = h3.latlng_to_cell(39.99, 116.33, 10)


def _table(cells: list[str], covered, residents, known) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "standard": "fire",
            "covered": covered,
            "residents": residents,
            "residents_known": known,
            "travel": 900.0,
            "reached": True,
            "unit": "s",
        },
        index=pd.Index(cells, name="h3_cell"),
    )


def test_an_uncovered_cell_of_unknown_residents_is_a_gap_and_its_count_a_lower_bound():
    """A centre cell and its ring, a far cell alone. The centre holds 10 counted residents, uncovered;
    ring cell 1 is uncovered with residents unknown (0 counted); ring cell 2 is uncovered with 0
    residents measured (empty, no gap); the rest of the ring is covered. The far cell is uncovered and
    unknown. Gaps: {centre, ring 1}: ≥ 10 residents, 1 cell unknown; {far}: unknown (NaN), 1 cell unknown.
    Before, the far cell made no gap at all and the first read as exactly 10."""
    ring = sorted(h3.grid_ring(CENTRE, 1))
    far = h3.grid_ring(CENTRE, 5)[0]
    cells = [CENTRE, *ring, far]
    covered = [False, False, False, True, True, True, True, False]
    residents = [10.0, 0.0, 0.0, 4.0, 4.0, 4.0, 4.0, 0.0]
    known = [True, False, True, True, True, True, True, False]
    grid = grid_frame(cells)
    gaps = gaps_from_coverage(grid, _table(cells, covered, residents, known))
    assert gaps["cells"].tolist() == [2, 1]
    # the far gap: nobody counted and its residents unknown: unknown (NaN), not 0, and ranked last
    assert gaps["residents"].iloc[0] == 10.0 and np.isnan(gaps["residents"].iloc[1])
    assert gaps["cells_residents_unknown"].tolist() == [1, 1]
    assert gaps["gap"].tolist() == ["fire-gap-01", "fire-gap-02"]
    # every flag known: the rule of old (people counted > 0) is unchanged
    everyone = gaps_from_coverage(grid, _table(cells, covered, residents, [True] * 8))
    assert everyone["cells"].tolist() == [1] and everyone["cells_residents_unknown"].tolist() == [0]
    assert np.isclose(everyone["area_km2"].iloc[0], h3.cell_area(CENTRE, "km^2"))


def test_cells_outside_the_street_data_are_neither_covered_nor_uncovered():
    """The same cells; the far cell and ring cell 1 lie outside the OSM data (travel unknown): their
    uncovered residents are NaN (out of every sum), they join no gap, their reason says why, and the
    status counts them apart from the uncovered cells of unknown residents (none left inside)."""
    ring = sorted(h3.grid_ring(CENTRE, 1))
    far = h3.grid_ring(CENTRE, 5)[0]
    cells = [CENTRE, *ring, far]
    covered = [False, False, False, True, True, True, True, False]
    residents = [10.0, 7.0, 0.0, 4.0, 4.0, 4.0, 4.0, 0.0]
    grid = grid_frame(cells).assign(
        residents=residents,
        known_residents=[True, True, True, True, True, True, True, False],
        known_travel=[True, False, True, True, False, True, True, False],  # ring 3 covered: known
    )
    table = _table(cells, covered, residents, True).drop(columns="residents_known")
    table["residents_uncovered"] = np.where(covered, 0.0, residents)
    table["reason"] = np.where(covered, "", "beyond the limit")
    table = with_unknown_flags(table, grid)
    assert table["residents_uncovered"].sum() == 10.0  # ring 1's 7 are not known to be uncovered
    assert table["travel_known"].tolist() == [True, False, True, True, True, True, True, False]
    assert table["reason"].tolist()[1] == table["reason"].tolist()[-1] == OUTSIDE_STREETS
    gaps = gaps_from_coverage(grid, table)
    assert gaps["cells"].tolist() == [1] and gaps["residents"].tolist() == [10.0]
    assert unknown_uncovered_words(table) == "; 2 cells outside the street data: coverage unknown there"


def test_the_status_names_the_unknown_cells_in_chinese_too():
    status = (
        "ok: fire: 5 min; 3 resources; 1,200 of 9,000 residents uncovered; 12 uncovered cells have "
        "residents unknown: the count is a lower bound; 40 cells outside the street data: coverage "
        "unknown there; 1 resource too far from a street, not used: F3 (612 m from a street)"
    )
    zh = data_text(status, "zh")
    assert zh.startswith("完成：3 处资源；9,000 人中 1,200 人未覆盖")
    assert zh.endswith(
        "；另有 12 个未覆盖单元常住人口未知：未覆盖人数为下限；另有 40 个单元在道路数据范围外：覆盖情况未知"
        "；另有 1 处资源距道路过远、未计入：F3（距道路 612 米）"
    )


def test_a_gap_in_the_responsibility_list_carries_its_unknown_share():
    """A gap of 4 cells, 1 with residents unknown: its listed residents are a lower bound, share 1/4
    (shown "≥ N (25% …)" like a hazard source's reach); a cluster's residents are counts (NaN)."""
    from urbanrisk.screens.responsibility import _unknown_share

    gaps = pd.DataFrame({"cells": [4, 2], "cells_residents_unknown": [1, 0]})
    assert _unknown_share("coverage_gap", gaps).tolist() == [0.25, 0.0]
    assert np.isnan(_unknown_share("risk_cluster", gaps))
