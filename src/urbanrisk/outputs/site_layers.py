"""The map's suggested sites: white rings in the standard's colour, marked "+", one marker a place (two
standards' sites on one street node share it and its tooltip). Moved out of :mod:`.planner_layers` whole
(tips21: that module reached its line limit).
"""

from __future__ import annotations

from typing import Any

import pydeck as pdk

from ..result import RunResult
from .html import escape_text
from .i18n import standard_name, translator
from .planner_layers import _language, _letters, _run_colours
from .report_supply import site_unknown_words
from .site_hazard_words import site_hazard_tip


def site_layers(result: RunResult) -> list[pdk.Layer]:
    """Suggested sites: white rings in the standard's colour, marked "+"; sites of several standards
    on one street node share one marker and its tooltip (:func:`one_marker_per_place`)."""
    coverage = result.coverage
    if coverage is None or coverage.sites is None or not len(coverage.sites):
        return []
    language = _language(result)
    t = translator(language)
    colours = _run_colours(result)
    data = [
        {
            "position": [row.geometry.x, row.geometry.y],
            "line": [*colours[str(row.standard)], 255],
            "tip": "<b>"
            + escape_text(
                t(
                    "suggested {standard} site #{rank}",
                    standard=standard_name(row.standard, language),
                    rank=row.rank,
                )
            )
            + "</b><br/>"
            + t("{residents} residents newly covered", residents=f"{row.residents_added:,.0f}")
            + site_unknown_words(row, t)
            + site_hazard_tip(row, language),
        }
        for row in coverage.sites.itertuples()
    ]
    data = one_marker_per_place(data)
    ring = pdk.Layer(
        "ScatterplotLayer",
        data=data,
        id="sites",
        get_position="position",
        get_radius=18,
        radius_min_pixels=8,
        get_fill_color=[255, 255, 255, 255],
        stroked=True,
        get_line_color="line",
        line_width_min_pixels=3,
        pickable=True,
    )
    plus = _letters("sites:mark", [(d["position"], "+") for d in data], [20, 20, 20, 255])
    return [ring, plus]


def one_marker_per_place(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Markers at the same place (to 1e-7°, ~1 cm) as one, their tooltips one under the other in the
    order given, the first one's colour: two standards' sites on one street node (a fire station and a
    shelter) would otherwise hide each other's tooltip.

    Examples
    --------
    >>> one_marker_per_place([{"position": [1.0, 2.0], "line": "red", "tip": "fire #1"},
    ...                       {"position": [3.0, 4.0], "line": "red", "tip": "fire #2"},
    ...                       {"position": [1.0, 2.0], "line": "blue", "tip": "shelter #2"}])[0]
    {'position': [1.0, 2.0], 'line': 'red', 'tip': 'fire #1<br/><br/>shelter #2'}
    """
    places: dict[tuple[float, float], dict[str, Any]] = {}
    for marker in data:
        x, y = marker["position"]
        key = (round(float(x), 7), round(float(y), 7))
        if key in places:
            places[key]["tip"] += "<br/><br/>" + marker["tip"]
        else:
            places[key] = dict(marker)
    return list(places.values())
