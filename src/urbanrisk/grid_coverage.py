"""Coverage's long table (one row per cell and standard) as the grid's wide columns (issue #17).

:func:`coverage_wide` turns :attr:`urbanrisk.result.CoverageResult.coverage` into ``<standard>_travel``,
``<standard>_covered`` and ``<standard>_travel_at_least`` per cell, one standard at a time: the pivot of
the whole table boxed every value of it as a Python object at once (the registers stage's driver peak
at 256 tiles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def coverage_wide(coverage: pd.DataFrame) -> pd.DataFrame:
    """Per cell: ``<standard>_travel`` and ``<standard>_covered`` columns for the grid and the map, and
    ``<standard>_travel_at_least`` for a standard whose travel is a lower bound in some cell (per
    partition, beyond the exact range: :mod:`urbanrisk.coverage_dask`)."""
    if coverage.empty:
        return pd.DataFrame()
    wide = _travel_and_covered(coverage)
    if "travel_at_least" in coverage.columns and coverage["travel_at_least"].notna().any():
        bounded = coverage[coverage.groupby("standard")["travel_at_least"].transform("count") > 0]
        bounds = bounded.pivot(index="h3_cell", columns="standard", values="travel_at_least")
        bounds.columns = [f"{standard}_travel_at_least" for standard in bounds.columns]
        wide = wide.join(bounds.astype("float64"))
    return wide


def _travel_and_covered(coverage: pd.DataFrame) -> pd.DataFrame:
    """``coverage.pivot(index="h3_cell", columns="standard", values=["travel", "covered"])`` with its
    columns named ``<standard>_travel`` (floats) and ``<standard>_covered`` (objects, NaN where a cell
    has no row of the standard, as the pivot of floats and bools gave, or its coverage is unknown), one
    standard at a time: the pivot boxed every value of the long table as a Python object at once (the
    registers stage's driver peak at 256 tiles, issue #17)."""
    codes, cells = pd.factorize(coverage["h3_cell"], sort=True)
    if (codes < 0).any():
        msg = "coverage: a row without its cell (h3_cell missing)"
        raise ValueError(msg)
    standard, names = pd.factorize(coverage["standard"], sort=True)  # codes, not a Python string a row
    travel = coverage["travel"].to_numpy(dtype=float)
    covered = coverage["covered"].to_numpy(dtype=object, na_value=np.nan)  # NA (unknown): NaN, as no row
    index = pd.Index(cells, name="h3_cell")
    columns: dict[str, pd.Series] = {}
    for what in ("travel", "covered"):
        for code, name in enumerate(names):
            rows = np.flatnonzero(standard == code)
            at = codes[rows]
            if len(np.unique(at)) < len(at):
                msg = f"coverage: a cell holds two rows of standard {name!r}"
                raise ValueError(msg)
            values = np.full(len(index), np.nan, dtype=float if what == "travel" else object)
            values[at] = travel[rows] if what == "travel" else covered[rows].astype(object)
            columns[f"{name}_{what}"] = pd.Series(values, index=index, dtype=values.dtype)
    return pd.DataFrame(columns, index=index)
