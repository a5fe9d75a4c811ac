"""Missing is not zero for coverage: cells whose residents are unknown, in the sums coverage reports.

A cell's ``residents`` where they could not be measured (``known_residents`` false:
:func:`urbanrisk.completeness.residents_known`; outside the population raster, or where the
buildings that give population from floor area look incomplete) is what could be counted there,
often 0. A sum of uncovered residents over such cells is therefore a lower bound: coverage keeps
each cell's flag (``residents_known`` in the coverage table), counts the uncovered cells whose
residents are unknown beside every sum (status, summary, gaps, N-1 losses), and an uncovered cell
of unknown residents belongs to a gap even when nobody was counted there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .wording import counted


def known_flags(frame: pd.DataFrame) -> np.ndarray:
    """Per row: True where the residents were measured (``known_residents`` of a grid,
    ``residents_known`` of a coverage table); all True when the frame carries no flag.

    Examples
    --------
    >>> known_flags(pd.DataFrame({"residents_known": [True, False]})).tolist()
    [True, False]
    >>> known_flags(pd.DataFrame({"residents": [3.0]})).tolist()
    [True]
    """
    for column in ("residents_known", "known_residents"):
        if column in frame.columns:
            return frame[column].to_numpy(dtype=bool)
    return np.ones(len(frame), dtype=bool)


def uncovered_unknown_cells(table: pd.DataFrame) -> int:
    """Uncovered cells of a coverage table whose residents are unknown.

    Examples
    --------
    >>> table = pd.DataFrame({"covered": [True, False, False], "residents_known": [False, False, True]})
    >>> uncovered_unknown_cells(table)
    1
    """
    if not len(table):
        return 0
    return int((~table["covered"].to_numpy(dtype=bool) & ~known_flags(table)).sum())


def unknown_uncovered_words(table: pd.DataFrame) -> str:
    """The status's clause for the uncovered cells of unknown residents ("" when there is none).

    Examples
    --------
    >>> table = pd.DataFrame({"covered": [False, False], "residents_known": [False, True]})
    >>> unknown_uncovered_words(table)
    '; 1 uncovered cell has residents unknown: the count is a lower bound'
    """
    cells = uncovered_unknown_cells(table)
    if not cells:
        return ""
    verb = "has" if cells == 1 else "have"
    which = counted(cells, "uncovered cell", thousands=True)
    return f"; {which} {verb} residents unknown: the count is a lower bound"
