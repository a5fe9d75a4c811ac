"""The graded map's cells whose residents are unknown: drawn hollow, counted in the legend, said in the tip.

A cell whose residents could not be measured (``known_residents`` false: too few of its buildings mapped,
outside the population raster, a census unit "不详") still gets a grade from what is known of it, and the
graded view drew it as a cell with residents counted: a planner read a yellow cell of unknown residents as
a yellow cell of few. Such a cell is now drawn **hollow**: its grade's colour stays as a ring and its centre
is a lighter tint of that grade with a white rim (:func:`hollow_layer`), a shape and a lightness (not a
hue: it survives colour blindness and greyscale print), apart from the white veil and "?" of a cell whose
*coverage* is unknown (:mod:`.map_unknown`); a cell unknown both ways shows both. A large grid's display
cell (an H3 parent) is hollow where most of its cells' residents are unknown (``known_residents`` of
:mod:`.display`), as the residents view greys it. The layer follows the graded cells' box (its id
``cells:…``), the legend says what the hollow means with its count, and the cell's tooltip says it too.
"""

from __future__ import annotations

import pandas as pd
import pydeck as pdk

from .html import escape_text
from .map_cells import known_residents

#: the hollow: a hexagon of this share of the cell's radius, a white veil with a white rim over the grade's
#: colour. Session 18 drew it near-white (alpha 235) with a dark grey edge: where half a city's residents
#: are unknown (Baltimore: 183 of 396 cells) the map was a honeycomb of grey-rimmed white holes that hid
#: their grades. At alpha 110 the centre is the grade lighter (yellow and orange stay apart: 43 RGB units)
HOLE, HOLE_FILL, HOLE_LINE = 0.55, (255, 255, 255, 110), (255, 255, 255, 210)
#: the legend's swatch of such a cell, as it is drawn: II's orange ring around its lighter tint, a white rim
SWATCH = (
    '<span style="background:rgb(254,190,144); border:4px solid rgb(253,141,60); outline:1px solid #999; '
    'width:6px; height:6px; box-shadow:inset 0 0 0 1px rgb(255,255,255)"></span>'
)
#: the legend's and the tooltip's words, in English and Chinese
WORDS = {
    "en": {
        "legend": "Residents unknown (hollow): {cells} cells",
        "legend note": "graded on what is known; not counted as 0",
        "tip": "residents unknown: drawn hollow, not counted as 0",
    },
    "zh": {
        "legend": "常住人口未知（空心）：{cells} 个单元",
        "legend note": "按已知指标分级；不按 0 计",
        "tip": "常住人口未知：以空心显示，不按 0 计",
    },
}


def unknown_residents_cells(grid: pd.DataFrame) -> list[str]:
    """The map's cells (or a large grid's display cells) whose residents are unknown, as drawn hollow.

    Examples
    --------
    >>> grid = pd.DataFrame({"known_residents": [True, False, True]}, index=["a", "b", "c"])
    >>> unknown_residents_cells(grid), unknown_residents_cells(grid[["known_residents"]].iloc[:0])
    (['b'], [])
    >>> unknown_residents_cells(pd.DataFrame(index=["a"]))  # no flag: every cell's residents measured
    []
    """
    return [str(cell) for cell, known in zip(grid.index, known_residents(grid), strict=True) if not known]


def hollow_layer(cells: list[str]) -> list[pdk.Layer]:
    """The hollow centres of ``cells`` (``cells:residents_unknown``: shown and hidden with the graded
    cells), not pickable (a pointer gets the cell's own tip); none without such cells.

    >>> [layer.id for layer in hollow_layer(["8929a1d4a83ffff"])], hollow_layer([])
    (['cells:residents_unknown'], [])
    """
    if not cells:
        return []
    return [
        pdk.Layer(
            "H3HexagonLayer",
            data=[{"hex": cell} for cell in cells],
            id="cells:residents_unknown",
            get_hexagon="hex",
            coverage=HOLE,
            get_fill_color=list(HOLE_FILL),
            get_line_color=list(HOLE_LINE),
            line_width_min_pixels=1,
            stroked=True,
            filled=True,
            extruded=False,
            pickable=False,
        )
    ]


def hollow_legend_html(cells: int, language: str = "en") -> str:
    """The legend's line for the hollow cells ("" without any), escaped, in ``language``."""
    if not cells:
        return ""
    words = WORDS["zh" if language == "zh" else "en"]
    head = escape_text(words["legend"].format(cells=f"{cells:,}"))
    return (
        f'<div style="margin-top:4px; font-size:11px">{SWATCH}<b>{head}</b>'
        f"<br/>{escape_text(words['legend note'])}</div>"
    )


def hollow_tip(language: str = "en") -> str:
    """The line a hollow cell's tooltip adds (escaped, italic), in ``language``."""
    return f"<i>{escape_text(WORDS['zh' if language == 'zh' else 'en']['tip'])}</i>"


__all__ = ["hollow_layer", "hollow_legend_html", "hollow_tip", "unknown_residents_cells"]
