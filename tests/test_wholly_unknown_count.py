"""A count whose every cell has residents unknown reads as unknown, in English and Chinese (fix17):
"≥ 7 (100% of the reach unknown)" said a measured share of a known count."""

from __future__ import annotations

import h3
import numpy as np

from test_deliverables import CENTRE, UTM50
from urbanrisk.grid import grid_frame
from urbanrisk.outputs.i18n import translator
from urbanrisk.outputs.i18n_exposure import lower_bound
from urbanrisk.screens.hazard_sources import residents_in_circles
from urbanrisk.screens.unknown_exposure import exposure_and_shares


def test_a_reach_of_cells_all_unknown_but_counted_reads_unknown_with_its_floor():
    grid = grid_frame(sorted(h3.grid_disk(CENTRE, 6))).assign(residents=10.0)
    middle = grid.to_crs(UTM50).geometry.centroid[CENTRE]
    unknown = np.zeros(len(grid), dtype=bool)  # every cell's residents unknown: 10 counted in each
    exposed, share = exposure_and_shares(
        grid,
        unknown,
        np.array([[middle.x, middle.y]]),
        np.array([300.0]),
        UTM50,
        exposed_of=residents_in_circles,
    )
    assert share[0] == 1.0 and exposed[0] > 0  # counted, nothing measured
    shown = f"{exposed[0]:,.0f}"
    assert lower_bound(exposed[0], share[0], translator("en")) == f"unknown (at least {shown})"
    assert lower_bound(exposed[0], share[0], translator("zh")) == f"未知（至少 {shown}）"
    for language in ("en", "zh"):  # a partly unknown reach stays a bound with its share
        assert lower_bound(exposed[0], 0.5, translator(language)).startswith(f"≥ {shown}")
    assert lower_bound(0.0, 1.0, translator("zh")) == "未知（影响范围内无人口数据）"
