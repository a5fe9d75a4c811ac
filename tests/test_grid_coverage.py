"""Coverage's wide columns one standard at a time equal the pivot of the whole long table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from urbanrisk.grid_coverage import coverage_wide


def _pivoted(coverage: pd.DataFrame) -> pd.DataFrame:
    """The reference: the pivot of travel and covered at once (floats and bools: objects)."""
    wide = coverage.pivot(index="h3_cell", columns="standard", values=["travel", "covered"])
    wide.columns = [f"{standard}_{what}" for what, standard in wide.columns]
    travel = [c for c in wide.columns if c.endswith("_travel")]
    wide[travel] = wide[travel].astype("float64")
    return wide


def _table() -> pd.DataFrame:
    """Three standards over cells in no order; ``shelter`` misses two cells (NaN there, not False)."""
    rows = [
        ("8a31aa5a8d37fff", "medical", 310.5, True),
        ("8a31aa5a8c27fff", "medical", np.nan, False),
        ("8a31aa5a8d0ffff", "medical", 900.25, False),
        ("8a31aa5a8c27fff", "fire", 44.0, True),
        ("8a31aa5a8d37fff", "fire", 0.1 + 0.2, True),
        ("8a31aa5a8d0ffff", "fire", np.nan, False),
        ("8a31aa5a8d0ffff", "shelter", 12.0, True),
    ]
    table = pd.DataFrame(rows, columns=["h3_cell", "standard", "travel", "covered"])
    return table.assign(h3_cell=table["h3_cell"].astype("str"), standard=table["standard"].astype("str"))


def test_one_standard_at_a_time_equals_the_pivot():
    table = _table()
    wide, expected = coverage_wide(table), _pivoted(table)
    pd.testing.assert_frame_equal(wide, expected, check_exact=True)  # dtypes, index and its name too
    assert list(wide.columns) == [
        "fire_travel",
        "medical_travel",
        "shelter_travel",
        "fire_covered",
        "medical_covered",
        "shelter_covered",
    ]
    assert wide["shelter_covered"].dtype == object and wide["fire_covered"].dtype == object
    assert [type(v) for v in wide["fire_covered"]] == [bool, bool, bool]  # Python's, as the pivot boxed
    assert wide["shelter_covered"].isna().sum() == 2  # no row: unknown, never False
    assert wide.index.is_monotonic_increasing and wide.index.name == "h3_cell"


def test_two_rows_of_a_cell_and_standard_are_refused():
    table = pd.concat([_table(), _table().iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="medical"):
        coverage_wide(table)
