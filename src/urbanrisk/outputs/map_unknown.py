"""The map's cells whose coverage is unknown, by why: outside the street data, or on streets that leave it.

A standard's travel is unknown in a cell (``travel_known`` false in the coverage table: neither covered
nor uncovered, :mod:`urbanrisk.coverage_unknown`) for one of two reasons: the cell lies outside the OSM
data's extent (the reason :data:`urbanrisk.coverage_unknown.OUTSIDE_STREETS`), or its nearby streets
belong to a piece that runs to the data's edge (edge14's ``snap_reasons.LEAVES_DATA``: the street goes
on where the data stop). The map said neither: the legend had no word of them, and each such cell's
tooltip read "fire not reached", as a cell no resource reaches. The legend now counts both kinds (cells,
and per standard) and the tips say which one a cell is, in English and Chinese.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ..coverage_unknown import OUTSIDE_STREETS
from ..result import RunResult
from .html import escape_text
from .i18n import standard_name, translator

#: why a standard's travel is unknown in a cell
OUTSIDE, LEAVES = "outside", "leaves"
#: the tip's words for each kind, in place of "not reached"
TIP_WORDS = {OUTSIDE: "unknown (outside the street data)", LEAVES: "unknown (its streets leave the data)"}
#: the legend's line of each kind
LEGEND_WORDS = {
    OUTSIDE: "outside the street data: {cells} cells ({standards})",
    LEAVES: "streets leave the data at its edge: {cells} cells ({standards})",
}


def unknown_kinds(result: RunResult | None) -> dict[str, dict[str, str]]:
    """Per standard: cell -> :data:`OUTSIDE` or :data:`LEAVES`, for the cells whose travel is unknown.

    Examples
    --------
    >>> from types import SimpleNamespace as N
    >>> table = pd.DataFrame({"h3_cell": ["a", "b", "c", "a"], "standard": ["fire"] * 3 + ["shelter"],
    ...     "travel_known": [False, False, True, False],
    ...     "reason": [OUTSIDE_STREETS, "its streets leave the data at the extract's edge", "", ""]})
    >>> unknown_kinds(N(coverage=N(coverage=table)))
    {'fire': {'a': 'outside', 'b': 'leaves'}, 'shelter': {'a': 'leaves'}}
    """
    coverage = getattr(result, "coverage", None)
    table = getattr(coverage, "coverage", None)
    if table is None or not len(table) or "travel_known" not in table.columns:
        return {}
    unknown = table[~table["travel_known"].astype(bool)]
    kinds = pd.Series(LEAVES, index=unknown.index).mask(unknown["reason"] == OUTSIDE_STREETS, OUTSIDE)
    out: dict[str, dict[str, str]] = {}
    for standard, cell, kind in zip(unknown["standard"], unknown["h3_cell"], kinds, strict=True):
        out.setdefault(str(standard), {})[str(cell)] = kind
    return out


def unknown_legend_html(kinds: dict[str, dict[str, str]], language: str = "en") -> str:
    """The legend's block: each kind present, its cells (counted once over the standards) and each
    standard's count ("" when every standard's travel is known)."""
    t = translator(language)
    lines = []
    for kind, words in LEGEND_WORDS.items():
        per_standard = {s: sum(k == kind for k in cells.values()) for s, cells in kinds.items()}
        per_standard = {s: n for s, n in per_standard.items() if n}
        if not per_standard:
            continue
        cells = {cell for cells in kinds.values() for cell, k in cells.items() if k == kind}
        standards = _standards(per_standard, language)
        text = t(words, cells=f"{len(cells):,}", standards=standards)
        lines.append(f"<br/>⊘ {escape_text(text)}")
    if not lines:
        return ""
    head = escape_text(t("Coverage unknown (not counted as uncovered)"))  # small: the panel fits 800 px
    return f'<div style="margin-top:4px; font-size:11px"><b>{head}</b>{"".join(lines)}</div>'


def _standards(counts: dict[str, int], language: str) -> str:
    """ "fire 14, shelter 56" (消防 14、应急避难场所 56)."""
    parts = [f"{standard_name(s, language)} {n:,}" for s, n in counts.items()]
    return ("、" if language == "zh" else ", ").join(parts)


def tip_words(kinds: dict[str, dict[str, str]], t: Callable[..., str]) -> dict[str, dict[str, str]]:
    """Per standard: cell -> the tip's words for its unknown travel, in ``t``'s language."""
    return {s: {cell: t(TIP_WORDS[kind]) for cell, kind in cells.items()} for s, cells in kinds.items()}


__all__ = ["LEAVES", "OUTSIDE", "tip_words", "unknown_kinds", "unknown_legend_html"]
