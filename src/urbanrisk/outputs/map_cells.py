"""What a map cell shows beyond its grade: its residents class on the residents view, and its 2SFCA
supply in the cell's tooltip.

Missing is not zero on both. A cell (or a large grid's parent) whose residents are unknown is grey
and left out of the class breaks; a parent with some children of unknown residents is classed by
what is known, its residents per child cell of known residents (its counted sum alone, a lower
bound, put it in too low a class). A cell's supply per 1,000 residents is the coverage table's
``supply_per_person`` (:mod:`urbanrisk.supply`), "≤" where it is an upper bound and "unknown" where
a resource in reach has an unknown capacity or counted nobody; the report's 2SFCA table gives the
same figures per resource (:mod:`.report_supply`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..quantiles import quantile_classes
from ..result import NO_DATA_COLOUR, RunResult
from .html import escape_text
from .i18n import standard_name, translator

#: Sequential palette (light to dark purple-red), one colour per population class.
POPULATION_COLOURS = [(254, 235, 226), (251, 180, 185), (247, 104, 161), (197, 27, 138), (122, 1, 119)]
EMPTY_COLOUR = (200, 200, 200)
#: The class of a cell with no residents, and of one whose residents are unknown.
EMPTY, UNKNOWN = -1, -2


def known_residents(grid: pd.DataFrame) -> np.ndarray:
    """Per row: True where the residents are known (``known_residents``; a large grid's parent: most
    of its children known, :mod:`.display`); all True without the flag."""
    if "known_residents" not in grid.columns:
        return np.ones(len(grid), dtype=bool)
    return grid["known_residents"].astype(bool).to_numpy()


def residents_per_cell(grid: pd.DataFrame) -> pd.Series:
    """The residents a cell is classed by: its own, or for a large grid's parent its residents per
    child cell of known residents (its counted sum over those children).

    Examples
    --------
    >>> parents = pd.DataFrame({"residents": [700.0, 400.0], "display_children": [7, 7],
    ...                         "cells_residents_unknown": [0, 3]})
    >>> residents_per_cell(parents).tolist()
    [100.0, 100.0]
    """
    values = grid["residents"].astype(float)
    if not {"display_children", "cells_residents_unknown"} <= set(grid.columns):
        return values
    counted = (grid["display_children"] - grid["cells_residents_unknown"]).astype(float)
    return values / counted.where(counted > 0)


def population_classes(
    values: pd.Series, k: int = 5, known: np.ndarray | None = None
) -> tuple[np.ndarray, list[str]]:
    """Class of each value (:data:`EMPTY` for zero, :data:`UNKNOWN` where ``known`` is false) and the
    legend labels, by quantiles of the non-zero values whose residents are known.

    Examples
    --------
    >>> classes, labels = population_classes(pd.Series([0.0, 5.0, 1.0, 3.0]), k=2,
    ...                                      known=np.array([True, True, False, True]))
    >>> classes.tolist(), labels
    ([-1, 1, -2, 0], ['0 – 4', '4 – 5'])
    """
    values = values.fillna(0.0)
    known = np.ones(len(values), dtype=bool) if known is None else np.asarray(known, dtype=bool)
    positive = (values > 0).to_numpy() & known
    classes = np.where(known, EMPTY, UNKNOWN)
    if not positive.any():
        return classes, []
    counted = values[positive]
    k = int(min(k, counted.nunique()))
    if k < 2:
        classes[positive] = 0
        return classes, [f"{counted.max():,.0f}"]
    classes[positive], upper = quantile_classes(counted.to_numpy(), k)  # mapclassify's Quantiles
    bins = [0.0, *upper.tolist()]
    labels = [f"{bins[i]:,.0f} – {bins[i + 1]:,.0f}" for i in range(len(upper))]
    return classes, labels


def population_fill(grid: pd.DataFrame, alpha: int) -> list[list[int]]:
    """Each cell's colour by residents (:func:`residents_per_cell`): a class colour, faint grey for
    none, and the "no data" grey where its residents are unknown (outside the raster, over nodata;
    a parent most of whose children are)."""
    classes, _ = population_classes(residents_per_cell(grid), known=known_residents(grid))
    fill = []
    for c in classes.tolist():
        if c == UNKNOWN:
            fill.append([*NO_DATA_COLOUR, 200])
        else:
            fill.append([*(POPULATION_COLOURS[c] if c >= 0 else EMPTY_COLOUR), alpha if c >= 0 else 40])
    return fill


SUPPLY_LINE = "supply per 1,000 residents (2SFCA): {supply}"


def supply_lines(result: RunResult | None, grid: pd.DataFrame, language: str = "en") -> list[str]:
    """Per row of ``grid`` (the map's cells), the tooltip line of its 2SFCA supply per 1,000 residents
    of each standard with capacities ("<br/>" first, escaped; "" where there is none): the figure,
    "≤ figure" where an upper bound, "unknown" where unknown. A large grid's parents get none (a sum
    of supply over child cells means nothing)."""
    coverage = getattr(result, "coverage", None)
    supply = getattr(coverage, "supply", None)
    table = getattr(coverage, "coverage", None)
    empty = [""] * len(grid)
    if supply is None or not len(supply) or table is None or "supply_per_person" not in table.columns:
        return empty
    if "display_children" in grid.columns:
        return empty
    t = translator(language)
    columns = []
    for standard in [s for s in pd.unique(supply["standard"]) if s in set(table["standard"])]:
        rows = table[table["standard"] == standard].set_index("h3_cell")
        rows = rows[~rows.index.duplicated()].reindex(grid.index)
        name = standard_name(standard, language)
        pairs = zip(rows["supply_per_person"].tolist(), rows["supply_bound"].tolist(), strict=True)
        columns.append([f"{name} {value}" if (value := _supply_value(v, b, t)) else "" for v, b in pairs])
    lines = []
    for parts in zip(*columns, strict=True) if columns else []:
        shown = " · ".join(p for p in parts if p)
        lines.append("<br/>" + escape_text(t(SUPPLY_LINE, supply=shown)) if shown else "")
    return lines or empty


def _supply_value(value: object, bound: object, t: Callable[..., str]) -> str:
    """One cell's supply per 1,000 residents as the tooltip shows it ("" where the cell has no row).

    Examples
    --------
    >>> t = lambda text, **v: text.format(**v)
    >>> _supply_value(0.00027, "upper bound", t), _supply_value(2.409, "exact", t)
    ('≤ 0.3', '2,409.0')
    >>> _supply_value(float("nan"), "unknown", t), _supply_value(None, None, t)
    ('unknown', '')
    """
    if bound is None or (isinstance(bound, float) and np.isnan(bound)):
        return ""
    if bound == "unknown" or value is None or pd.isna(value):
        return t("unknown")
    shown = f"{float(value) * 1000:,.1f}"
    return f"≤ {shown}" if bound == "upper bound" else shown
