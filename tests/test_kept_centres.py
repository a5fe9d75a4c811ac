"""A kept grid's cell centres serve some of its cells too (the responsibility list's cells), equal to h3's."""

import h3
import numpy as np
import pandas as pd

from urbanrisk.cell_disks import cell_latlng, forget, remember_cell_latlng


def test_some_cells_of_a_kept_grid_read_its_centres_and_equal_h3s(monkeypatch):
    grid = pd.Index(sorted(h3.grid_disk(h3.latlng_to_cell(39.99, 116.33, 9), 3)))
    forget()
    remember_cell_latlng(grid)
    some = grid[[5, 0, 17, 5]]  # out of order, one twice
    calls = []
    real = h3.cell_to_latlng
    monkeypatch.setattr(h3, "cell_to_latlng", lambda c: calls.append(c) or real(c))
    got = cell_latlng(some)
    assert calls == []  # looked up, not recomputed
    np.testing.assert_array_equal(got, np.array([real(c) for c in some]))
    other = pd.Index([h3.latlng_to_cell(31.2, 121.5, 9)])  # not of the kept grid: computed
    np.testing.assert_array_equal(cell_latlng(other), np.array([real(other[0])]))
    assert calls == [other[0]]
    forget()
