"""The graded map's cells whose residents are unknown: drawn hollow, counted in the legend, said in the tip.

A cell whose residents could not be measured (``known_residents`` false: too few of its buildings mapped,
outside the population raster, a census unit "不详") still gets a grade from what is known of it, and the
graded view drew it as a cell with residents counted: a planner read a yellow cell of unknown residents as
a yellow cell of few. Such a cell is now drawn **hollow**: its grade's colour stays as a ring and its centre
is a pale hexagon with a grey edge (:func:`hollow_layer`), a shape and a lightness (not a hue: it survives
colour blindness and greyscale print), apart from the white veil and "?" of a cell whose *coverage* is
unknown (:mod:`.map_unknown`); a cell unknown both ways shows both. A large grid's display cell (an H3
parent) is hollow where most of its cells' residents are unknown (``known_residents`` of
:mod:`.display`), as the residents view greys it. The layer follows the graded cells' box (its id
``cells:…``), the legend says what the hollow means with its count, and the cell's tooltip says it too.
"""

from __future__ import annotations

import pandas as pd
import pydeck as pdk

from .html import escape_text
from .map_cells import known_residents

#: the hollow: a hexagon of this share of the cell's radius, pale with a grey edge, over the grade's colour
HOLE, HOLE_FILL, HOLE_LINE = 0.55, (250, 250, 250, 235), (90, 90, 90, 230)
#: the legend's swatch of such a cell, as it is drawn: a pale centre in a grade-coloured ring
SWATCH = (
    '<span style="background:rgb(250,250,250); border:4px solid rgb(253,174,97); outline:1px solid #999; '
    'width:6px; height:6px; box-shadow:inset 0 0 0 1px rgb(90,90,90)"></span>'
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
