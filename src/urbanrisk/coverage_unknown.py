"""Missing is not zero for coverage: cells whose residents are unknown, in the sums coverage reports.

A cell's ``residents`` where they could not be measured (``known_residents`` false:
:func:`urbanrisk.completeness.residents_known`; outside the population raster, or where the
buildings that give population from floor area look incomplete) is what could be counted there,
often 0. A sum of uncovered residents over such cells is therefore a lower bound: coverage keeps
each cell's flag (``residents_known`` in the coverage table), counts the uncovered cells whose
residents are unknown beside every sum (status, summary, gaps, N-1 losses), and an uncovered cell
of unknown residents belongs to a gap even when nobody was counted there. Where nobody was counted
and some cells are unknown, the sum itself is unknown (NaN, None in the summary), never 0
(:func:`bounded`).

Outside the OSM data's extent (``known_travel`` false: :func:`urbanrisk.completeness.travel_known`)
the streets were not mapped, so a cell there that no mapped route reaches in time is neither
covered nor uncovered (an unmapped street may reach it; one a mapped route reaches is covered): its
``residents_uncovered`` is NaN (left out of every sum), it joins no gap, its ``reason`` says why,
and the status counts these cells.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .wording import count_text, counted


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


def covered_flags(frame: pd.DataFrame) -> np.ndarray:
    """Per row: True where the cell is covered; False where it is not, or its coverage is unknown
    (``covered`` NA, :func:`with_coverage_unknown`: a reader tells the two apart by ``travel_known``).

    Examples
    --------
    >>> covered_flags(pd.DataFrame({"covered": pd.array([True, False, None], dtype="boolean")})).tolist()
    [True, False, False]
    """
    return frame["covered"].astype("boolean").fillna(False).to_numpy(dtype=bool)


def with_coverage_unknown(table: pd.DataFrame) -> pd.DataFrame:
    """A coverage table whose ``covered`` is a nullable boolean, NA where coverage is unknown
    (``travel_known`` false: outside the street data, on streets leaving it, in reach of a resource not
    used): missing is not zero, an unknown cell is neither covered nor uncovered. In place (a copy of a
    256-tile coverage table would double it for a moment), the table returned.

    Examples
    --------
    >>> table = pd.DataFrame({"covered": [True, False, False], "travel_known": [True, True, False]})
    >>> with_coverage_unknown(table)["covered"].tolist()
    [True, False, <NA>]
    """
    table["covered"] = pd.arrays.BooleanArray(covered_flags(table), ~travel_flags(table))
    return table


def travel_flags(frame: pd.DataFrame) -> np.ndarray:
    """Per row: True where travel could be measured (``known_travel`` of a grid, ``travel_known`` of
    a coverage table); all True when the frame carries no flag."""
    for column in ("travel_known", "known_travel"):
        if column in frame.columns:
            return frame[column].to_numpy(dtype=bool)
    return np.ones(len(frame), dtype=bool)


OUTSIDE_STREETS = "outside the street data: coverage unknown"
#: a cell within the optimistic reach of a resource not used (:mod:`urbanrisk.coverage_dropped`)
DROPPED_REACH = "a {kind} {km} km away {why}: coverage unknown"
#: what every :data:`DROPPED_REACH` reason matches
DROPPED_PATTERN = (
    r"^a \S+ [\d.]+ km away (?:lies outside the street data|is \d+ m from a street, not used): "
    r"coverage unknown$"
)


def dropped_reach_cells(table: pd.DataFrame) -> np.ndarray:
    """Per row: True where coverage is unknown because a resource not used might reach the cell.

    Examples
    --------
    >>> reasons = [DROPPED_REACH.format(kind="fire_station", km="1.5", why="lies outside the street data"),
    ...            OUTSIDE_STREETS, "beyond the limit"]
    >>> dropped_reach_cells(pd.DataFrame({"reason": reasons})).tolist()
    [True, False, False]
    """
    if "reason" not in table.columns or not len(table):
        return np.zeros(len(table), dtype=bool)
    return table["reason"].astype(str).str.match(DROPPED_PATTERN).to_numpy(dtype=bool)


def with_unknown_flags(table: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """A standard's coverage table (rows in the grid's order) with ``residents_known`` and
    ``travel_known`` (the grid's flags; a covered cell's travel is known); where travel is unknown,
    ``residents_uncovered`` NaN and the reason :data:`OUTSIDE_STREETS`."""
    table["residents_known"] = known_flags(grid)  # missing is not zero: sums over the others are bounds
    # a covered cell's travel is known even outside the extent (a mapped route reaches it in time)
    table["travel_known"] = travel = travel_flags(grid) | covered_flags(table)
    if not travel.all():
        table.loc[~travel, "residents_uncovered"] = np.nan
        table.loc[~travel, "reason"] = OUTSIDE_STREETS
    return table


def bounded(total: float, unknown_cells: int) -> float:
    """A sum over cells, ``unknown_cells`` of whose residents are unknown: itself (a lower bound when
    ``unknown_cells`` > 0), or NaN when nothing was counted and some cells are unknown (their people
    unknown, not 0).

    Examples
    --------
    >>> bounded(12.0, 3), bounded(0.0, 0), bounded(0.0, 3)
    (12.0, 0.0, nan)
    """
    return float("nan") if unknown_cells and not total > 0 else float(total)


def uncovered_unknown_cells(table: pd.DataFrame) -> int:
    """Uncovered cells of a coverage table whose residents are unknown (inside the street data).

    Examples
    --------
    >>> table = pd.DataFrame({"covered": [True, False, False], "residents_known": [False, False, True]})
    >>> uncovered_unknown_cells(table)
    1
    """
    if not len(table):
        return 0
    uncovered = ~covered_flags(table) & travel_flags(table)
    return int((uncovered & ~known_flags(table)).sum())


def travel_unknown_cells(table: pd.DataFrame) -> int:
    """Cells of a coverage table outside the street data (coverage unknown there)."""
    return int((~travel_flags(table)).sum()) if len(table) else 0


def unknown_uncovered_words(table: pd.DataFrame) -> str:
    """The status's clauses for the uncovered cells of unknown residents and the cells outside the
    street data ("" when there is neither).

    Examples
    --------
    >>> table = pd.DataFrame(
    ...     {"covered": [False, False], "residents_known": [False, True], "residents_uncovered": [0.0, 4.0]}
    ... )
    >>> unknown_uncovered_words(table)
    '; 1 uncovered cell has residents unknown: the count is a lower bound'
    >>> unknown_uncovered_words(table.assign(residents_uncovered=0.0))
    '; 1 uncovered cell has residents unknown: the count is unknown, not 0'
    """
    words = ""
    cells = uncovered_unknown_cells(table)
    if cells:
        verb = "has" if cells == 1 else "have"
        which = counted(cells, "uncovered cell", thousands=True)
        if not table["residents_uncovered"].sum() > 0:  # nobody counted: the count is unknown, not 0
            words += f"; {which} {verb} residents unknown: the count is unknown, not 0"
        else:
            words += f"; {which} {verb} residents unknown: the count is a lower bound"
    dropped = int(dropped_reach_cells(table).sum())
    outside = travel_unknown_cells(table) - dropped
    if outside:
        cells = counted(outside, "cell", thousands=True)
        words += f"; {cells} outside the street data or on streets leaving it: coverage unknown there"
    if dropped:
        cells = counted(dropped, "cell", thousands=True)
        words += f"; {cells} in reach of a resource not used: coverage unknown there"
    return words


def uncovered_summary(rows: pd.DataFrame, cell_area_m2: pd.Series) -> dict[str, float | int | None]:
    """One standard's uncovered residents and the uncovered cells whose residents are unknown:
    ``residents_uncovered`` (None: nobody counted and some cells unknown), ``cells_uncovered``,
    ``cells_uncovered_residents_unknown``, their ``area_km2_uncovered_residents_unknown`` and
    ``share_uncovered_area_residents_unknown`` (of the uncovered area); ``rows``: the standard's
    coverage table, ``cell_area_m2``: the grid's, by cell.

    Examples
    --------
    >>> rows = pd.DataFrame({"h3_cell": ["a", "b", "c"], "covered": [True, False, False],
    ...     "residents_uncovered": [0.0, 0.0, 0.0], "residents_known": [True, True, False]})
    >>> out = uncovered_summary(rows, pd.Series({"a": 1e6, "b": 1e6, "c": 3e6}))
    >>> out["residents_uncovered"], out["cells_uncovered_residents_unknown"]
    (None, 1)
    >>> out["area_km2_uncovered_residents_unknown"], out["share_uncovered_area_residents_unknown"]
    (3.0, 0.75)
    """
    uncovered = ~covered_flags(rows) & travel_flags(rows)  # outside the streets: neither
    unknown = uncovered & ~known_flags(rows)
    area = cell_area_m2.reindex(rows["h3_cell"]).to_numpy(dtype=float) / 1e6
    total = float(rows["residents_uncovered"].sum())
    whole = float(np.nansum(area[uncovered]))
    return {
        "residents_uncovered": None if np.isnan(bounded(total, int(unknown.sum()))) else round(total, 3),
        "cells_uncovered": int(uncovered.sum()),
        "cells_uncovered_residents_unknown": int(unknown.sum()),
        "area_km2_uncovered_residents_unknown": round(float(np.nansum(area[unknown])), 3),
        "share_uncovered_area_residents_unknown": round(float(np.nansum(area[unknown])) / whole, 4)
        if whole
        else 0.0,
    }


def gap_change_words(row: Any) -> str:
    """A new gap's explanation: its residents, "≥ N … (k cells with residents unknown)" or unknown."""
    unknown = int(getattr(row, "cells_residents_unknown", 0) or 0)
    cells = count_text(unknown, "cells", spec=",")
    if pd.isna(row.residents):
        where = "the 1 cell" if unknown == 1 else f"all {cells}"
        return f"residents unknown in {where} beyond the {row.standard} standard"
    words = f"{count_text(row.residents, 'residents')} beyond the {row.standard} standard"
    return f"≥ {words} ({cells} with residents unknown)" if unknown else words
