"""The map's cells whose coverage is unknown, by why: outside the street data, or on streets that leave it.

A standard's travel is unknown in a cell (``travel_known`` false in the coverage table: neither covered
nor uncovered, :mod:`urbanrisk.coverage_unknown`) for one of two reasons: the cell lies outside the OSM
data's extent (the reason :data:`urbanrisk.coverage_unknown.OUTSIDE_STREETS`), or its nearby streets
belong to a piece that runs to the data's edge (edge14's ``snap_reasons.LEAVES_DATA``: the street goes
on where the data stop). The map said neither: the legend had no word of them, and each such cell's
tooltip read "fire not reached", as a cell no resource reaches. The legend now counts both kinds (cells,
and per standard) and the tips say which one a cell is, in English and Chinese.

Named, they were still drawn as any other cell: a planner could not tell "not covered" (a gap's
coloured outline) from "unknown" at a glance. Each cell whose travel is unknown for some standard is
drawn veiled (a white wash over its grade: the grade stays readable, paler), outlined in dark grey and
marked "?" at its centre (:func:`unknown_layers`): a shape and a lightness, not a hue, so that the mark
survives every kind of colour blindness and greyscale print. The legend's block is its swatch and its
layer's check box.
"""

from __future__ import annotations

from collections.abc import Callable

import h3
import pandas as pd
import pydeck as pdk

from ..coverage_unknown import OUTSIDE_STREETS, dropped_reach_cells
from ..result import RunResult
from .html import escape_text
from .i18n import standard_name, translator

#: why a standard's travel is unknown in a cell (DROPPED: a resource not used might reach it,
#: :mod:`urbanrisk.coverage_dropped`)
OUTSIDE, LEAVES, DROPPED = "outside", "leaves", "dropped"
#: the tip's words for each kind, in place of "not reached"
TIP_WORDS = {
    OUTSIDE: "unknown (outside the street data)",
    LEAVES: "unknown (its streets leave the data)",
    DROPPED: "unknown (a resource not used may reach it)",
}
#: the legend's line of each kind
LEGEND_WORDS = {
    OUTSIDE: "outside the street data: {cells} cells ({standards})",
    LEAVES: "streets leave the data at its edge: {cells} cells ({standards})",
    DROPPED: "in reach of a resource not used: {cells} cells ({standards})",
}

#: the drawing of a cell whose coverage is unknown: a white veil over its grade, a dark grey outline, "?"
VEIL, OUTLINE = (255, 255, 255, 150), (40, 40, 40, 235)
#: the legend's swatch of those cells, as they are drawn
SWATCH = (
    '<span style="background:rgba(255,255,255,.75); border:2px solid rgb(40,40,40); width:12px; '
    'height:12px; font:bold 10px/12px system-ui, sans-serif; text-align:center; color:rgb(40,40,40)">?</span>'
)


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
    kinds = kinds.mask(dropped_reach_cells(unknown), DROPPED)
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
    box = '<input type="checkbox" checked data-layer="coverage_unknown" onchange="urToggle(this)">'
    return (
        f'<div style="margin-top:4px; font-size:11px"><label>{box} {SWATCH}<b>{head}</b></label>'
        f"{''.join(lines)}</div>"
    )


def unknown_layers(kinds: dict[str, dict[str, str]]) -> list[pdk.Layer]:
    """The cells whose travel is unknown for some standard, veiled and outlined (``coverage_unknown``),
    and a "?" at each one's centre (``coverage_unknown:marks``, toggled with them); none when every
    standard's travel is known. Neither is pickable: a pointer over such a cell gets the cell's own tip,
    which says why its travel is unknown.

    Examples
    --------
    >>> cell = "8929a1d4a83ffff"
    >>> [layer.id for layer in unknown_layers({"fire": {cell: OUTSIDE}, "shelter": {cell: LEAVES}})]
    ['coverage_unknown', 'coverage_unknown:marks']
    >>> unknown_layers({})
    []
    """
    cells = sorted({cell for cells in kinds.values() for cell in cells})
    if not cells:
        return []
    veiled = pdk.Layer(
        "H3HexagonLayer",
        data=[{"hex": cell} for cell in cells],
        id="coverage_unknown",
        get_hexagon="hex",
        get_fill_color=list(VEIL),
        get_line_color=list(OUTLINE),
        line_width_min_pixels=2,
        stroked=True,
        filled=True,
        extruded=False,
        pickable=False,
    )
    marks = pdk.Layer(
        "TextLayer",
        data=[{"position": [lng, lat], "text": "?"} for lat, lng in map(h3.cell_to_latlng, cells)],
        id="coverage_unknown:marks",
        get_position="position",
        get_text="text",
        get_size=13,  # pixels (deck.gl's default units: a string here would reach it as an expression)
        get_color=list(OUTLINE),
        get_text_anchor='"middle"',
        get_alignment_baseline='"center"',
        font_weight=700,
        pickable=False,
    )
    return [veiled, marks]


def _standards(counts: dict[str, int], language: str) -> str:
    """ "fire 14, shelter 56" (消防 14、应急避难场所 56)."""
    parts = [f"{standard_name(s, language)} {n:,}" for s, n in counts.items()]
    return ("、" if language == "zh" else ", ").join(parts)


#: a display cell's words (a large grid's parent): how many of its cells' travel is unknown, and why
WITHIN_WORDS = {
    OUTSIDE: "unknown in {n} of its r{res} cells: outside the street data",
    LEAVES: "unknown in {n} of its r{res} cells: their streets leave the data",
    "both": "unknown in {n} of its r{res} cells: {outside} outside the street data, {leaves} on streets "
    "leaving it",
    DROPPED: "unknown in {n} of its r{res} cells: a resource not used may reach them",
    "mixed": "unknown in {n} of its r{res} cells: {outside} outside the street data, {leaves} on streets "
    "leaving it, {dropped} in reach of a resource not used",
}


def parent_tip_words(
    kinds: dict[str, dict[str, str]], parent_res: int, t: Callable[..., str]
) -> dict[str, dict[str, str]]:
    """Per standard: display cell (the H3 parent at ``parent_res``) -> how many of its cells' travel is
    unknown and why, in ``t``'s language. A large grid's map shows parents, each with its riskiest
    child's travel; the tips said nothing of the children whose travel is unknown.

    Examples
    --------
    >>> from .i18n import translator
    >>> cells = ["8a2aa8d5a007fff", "8a2aa8d5a00ffff", "8a2aa8d5a017fff"]
    >>> kinds = {"fire": {cells[0]: OUTSIDE, cells[1]: LEAVES}, "shelter": {cells[2]: LEAVES}}
    >>> parent_tip_words(kinds, 9, translator("en"))["fire"]
    {'892aa8d5a03ffff': 'unknown in 2 of its r10 cells: 1 outside the street data, 1 on streets leaving it'}
    >>> parent_tip_words(kinds, 9, translator("en"))["shelter"]
    {'892aa8d5a03ffff': 'unknown in 1 of its r10 cells: their streets leave the data'}
    """
    out: dict[str, dict[str, str]] = {}
    for standard, cells in kinds.items():
        counts: dict[str, dict[str, int]] = {}
        for cell, kind in cells.items():
            parent = h3.cell_to_parent(cell, parent_res)
            counts.setdefault(parent, {OUTSIDE: 0, LEAVES: 0, DROPPED: 0})[kind] += 1
        res = h3.get_resolution(next(iter(cells))) if cells else parent_res
        out[standard] = {
            parent: t(
                WITHIN_WORDS[_within_kind(n)],
                n=f"{sum(n.values()):,}",
                res=res,
                outside=f"{n[OUTSIDE]:,}",
                leaves=f"{n[LEAVES]:,}",
                dropped=f"{n[DROPPED]:,}",
            )
            for parent, n in counts.items()
        }
    return out


def _within_kind(counts: dict[str, int]) -> str:
    """The :data:`WITHIN_WORDS` key of a display cell's counts of unknown cells by kind."""
    present = [kind for kind, n in counts.items() if n]
    if len(present) == 1:
        return present[0]
    return "mixed" if counts[DROPPED] else "both"


def tip_words(kinds: dict[str, dict[str, str]], t: Callable[..., str]) -> dict[str, dict[str, str]]:
    """Per standard: cell -> the tip's words for its unknown travel, in ``t``'s language."""
    return {s: {cell: t(TIP_WORDS[kind]) for cell, kind in cells.items()} for s, cells in kinds.items()}


__all__ = [
    "LEAVES",
    "OUTSIDE",
    "parent_tip_words",
    "tip_words",
    "unknown_kinds",
    "unknown_layers",
    "unknown_legend_html",
]
