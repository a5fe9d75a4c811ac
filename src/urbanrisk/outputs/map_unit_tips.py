"""The graded map's cell tooltips name the cell's unit at every level (社区 · 街道 · 区), as the registers do.

Session 19 (fresh19): a 街道办 hovering a cell of the map read its H3 id, its grade and its residents, but
not which 社区 and 街道 it belongs to; the unit outlines told that only where the pointer hit a boundary
line. With units of declared levels (``polygons`` layers with ``level:``), each cell's tip now says its
units, finest first, by the registers' own rule (:func:`urbanrisk.cell_units.cell_units`, each level
nested in the one above through the registers' ``parent_id``), so a cell's tip and the register that
counts it agree. Without levels (the communities screen's OSM areas and H3 parents) nothing is added:
an "H3 parent 88…" says nothing to a planner that the cell id does not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..cell_units import UNASSIGNED, cell_units
from ..result import RunResult
from .html import escape_text
from .i18n import data_text
from .i18n_deliverables import colon

#: each level's word in the tip, Chinese and English
LEVEL_WORDS = {
    "district": ("区", "district"),
    "street": ("街道", "street"),
    "community": ("社区", "community"),
    "grid": ("网格", "grid"),
}


def cell_unit_lines(cells: pd.Index, result: RunResult | None, language: str = "en") -> list[str]:
    """Per cell (aligned with ``cells``), the tip's line naming its unit at every level, finest first,
    escaped ("" without registers; a level that holds no unit of the cell is left out).

    ``cells`` are H3 cells of any resolution (a large grid's display cells too: by the centre rule).
    """
    screens = getattr(result, "screens", None)
    registers = dict(getattr(screens, "registers", None) or {})
    if not registers or not len(cells):
        return [""] * len(cells)
    index = pd.Index([str(cell) for cell in cells])
    words: list[tuple[np.ndarray, dict[str, str]]] = []  # per level: each cell's unit, each unit's words
    above: pd.Series | None = None
    for level, table in registers.items():  # coarsest first, as the registers are made
        units = table[~table["id"].astype(str).str.startswith(UNASSIGNED)]
        units = units.assign(id=units["id"].astype(str))
        if above is not None and "parent_id" in units.columns:
            parent = units["parent_id"].fillna("").astype(str)
            units = units.assign(parent=parent.where(parent != "", UNASSIGNED))
        else:
            above = None
        above = cell_units(index, units[[c for c in ("id", "parent", "geometry") if c in units]], above)
        zh, en = LEVEL_WORDS.get(level, (level, level))
        label = (zh if language == "zh" else en) + colon(language)
        said = {  # once a unit: data_text's patterns cost 0.5 ms a call
            unit: escape_text(label + data_text(name or unit, language))
            for unit, name in zip(units["id"], units["name"].fillna("").astype(str), strict=True)
        }
        words.append((above.to_numpy(dtype=object), said))
    lines: dict[tuple[str, ...], str] = {}
    out = []
    for units_of_cell in zip(*(assignment for assignment, _ in reversed(words)), strict=True):  # finest first
        if units_of_cell not in lines:
            lines[units_of_cell] = " · ".join(
                said[unit]
                for unit, (_, said) in zip(units_of_cell, reversed(words), strict=True)
                if unit != UNASSIGNED
            )
        out.append(lines[units_of_cell])
    return out


def with_units(tip: str, line: str) -> str:
    """``tip`` with ``line`` (its cell's units) after its first line, the cell's id; unchanged without one.

    >>> with_units("<b>cell a</b><br/>II", "社区：南园社区"), with_units("<b>cell a</b>", "")
    ('<b>cell a</b><br/>社区：南园社区<br/>II', '<b>cell a</b>')
    """
    if not line:
        return tip
    head, _, rest = tip.partition("<br/>")
    return f"{head}<br/>{line}" + (f"<br/>{rest}" if rest else "")


__all__ = ["LEVEL_WORDS", "cell_unit_lines", "with_units"]
