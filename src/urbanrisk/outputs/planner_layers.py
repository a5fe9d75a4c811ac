"""The planner's map layers (四色图): unit boundaries per level, hazard impact circles, each coverage
standard's gaps, suggested sites, and resources told apart by letter as well as colour.

Letters keep the map readable for colour-blind planners: F fire station, H hospital, C clinic,
P police, S shelter, a kind of the recipe's own its own letter, said in the legend
(:func:`resource_letters`); suggested sites are white rings marked "+" (:mod:`.site_layers`). A
standard of the recipe's own draws its gaps in a colour of its own (:func:`standard_colours`). Layer
ids with a ``:`` part (``gaps:fire``, ``units:street``) each get their own toggle;
``resources:letters`` follows the ``resources`` toggle.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from typing import Any

import numpy as np
import pydeck as pdk
import shapely

from ..result import CLASS_COLOURS, RunResult
from .html import escape_text
from .i18n import RESOURCE_ZH, data_text, standard_name, translator
from .i18n_deliverables import colon
from .map_sources import shown_sources
from .report_parts import at_least

RESOURCE_LETTERS = {"fire_station": "F", "hospital": "H", "clinic": "C", "police": "P", "shelter": "S"}
#: the letters (then digits) a resource kind of the recipe's own may take, ASCII only: deck.gl's text
#: layer draws no other character
SPARE_LETTERS = string.ascii_uppercase + "123456789"
#: Most resources drawn as lettered markers; above (a metropolis: 2,048), small dots that leave the
#: grades visible, without letters.
MAX_LETTERED_RESOURCES = 300
STANDARD_COLOURS = {
    "fire": (200, 0, 0),
    "fire_first_engine": (200, 0, 0),
    "fire_full_alarm": (140, 0, 0),
    "medical": (0, 130, 60),
    "shelter": (0, 130, 150),
}
#: the gaps' colours of the recipe's own standards (not in :data:`STANDARD_COLOURS`), by the order of
#: their names: none a grade's, a built-in standard's, the key districts' purple, the urban villages'
#: brown or the units' greys (all custom standards were one purple, told apart by nothing)
CUSTOM_STANDARD_COLOURS = (
    (230, 0, 126),
    (0, 0, 128),
    (128, 128, 0),
    (110, 200, 0),
    (0, 200, 255),
    (150, 150, 255),
)
#: unit level -> (line colour, width in pixels, label). Neighbouring levels differ in both colour and
#: width (街道 and 社区 in two greys of 2.5 and 1.5 px looked alike): dark lines for the coarse levels,
#: white for the fine ones (over the grades' fills), none in a hue the grades, gaps or districts use.
LEVEL_STYLES = {
    "district": ((0, 0, 0), 5.0, "区 district"),
    "street": ((35, 35, 35), 3.0, "街道 street"),
    "community": ((255, 255, 255), 1.5, "社区 community"),
    "grid": ((255, 255, 255), 0.6, "网格 grid"),
}
#: unit level -> (colour, width in pixels) of the casing drawn under its line: a white 社区 line alone
#: was faint over the yellow (III) cells and the pale hollow ones; cased in near-black it reads over all
#: four grades and the hollow cells (white core over red, blue, orange; dark edges over yellow, pale),
#: and a cased line is not the 街道's solid dark one. The 网格's 0.6 px white line was as faint (session 21):
#: cased too, thinner (2 px), so that 社区 (4 px) and 网格 still differ in width.
LEVEL_HALOS = {"community": ((30, 30, 30), 4.0), "grid": ((30, 30, 30), 2.0)}


def resource_letters(kinds: Iterable[object]) -> dict[str, str]:
    """Each resource kind's marker letter: F, H, C, P, S for the five built in, then each kind of the
    recipe's own, in the order of its name, the first letter of its name no other kind has (ambulance A;
    hydrant Y, H being the hospital's), else the first free one (then a digit): every kind was "R".

    Examples
    --------
    >>> letters = resource_letters(["hospital", "hydrant", "ambulance", "救护站"])
    >>> [letters[k] for k in ("hospital", "hydrant", "ambulance", "救护站")]
    ['H', 'Y', 'A', 'B']
    """
    letters = dict(RESOURCE_LETTERS)
    taken = set(letters.values()) | {"+"}  # "+": a suggested site
    for kind in sorted({str(k) for k in kinds} - set(letters)):
        mine = [c for c in kind.upper() if c in string.ascii_uppercase]
        letters[kind] = next((c for c in [*mine, *SPARE_LETTERS] if c not in taken), "?")
        taken.add(letters[kind])
    return letters


def resource_key(kinds: Iterable[object], language: str = "en") -> str:
    """The legend's words for the recipe's own resource kinds (``, A ambulance``, ``，M 微型消防站``),
    escaped; "" when the map has only the five built in (their letters are in the legend already)."""
    names = {str(k) for k in kinds}
    letters = resource_letters(names)
    own = [(letters[k], k) for k in sorted(names - set(RESOURCE_LETTERS))]
    comma = "，" if language == "zh" else ", "
    words = {k: RESOURCE_ZH.get(k, k) if language == "zh" else k.replace("_", " ") for _, k in own}
    return "".join(f"{comma}{letter} {escape_text(words[kind])}" for letter, kind in own)


def standard_colours(standards: Iterable[object]) -> dict[str, tuple[int, int, int]]:
    """Each coverage standard's colour: its own for a built-in one, else one of
    :data:`CUSTOM_STANDARD_COLOURS` in the order of the names (past six they repeat).

    Examples
    --------
    >>> standard_colours(["fire", "ambulance", "water", "ambulance"])
    {'fire': (200, 0, 0), 'ambulance': (230, 0, 126), 'water': (0, 0, 128)}
    """
    names = list(dict.fromkeys(str(s) for s in standards))
    own = sorted(n for n in names if n not in STANDARD_COLOURS)
    custom = {n: CUSTOM_STANDARD_COLOURS[i % len(CUSTOM_STANDARD_COLOURS)] for i, n in enumerate(own)}
    return {n: STANDARD_COLOURS.get(n) or custom[n] for n in names}


def _run_colours(result: RunResult) -> dict[str, tuple[int, int, int]]:
    """The colours of the run's standards: all the recipe's, so a standard keeps its colour whichever
    have gaps or sites."""
    coverage = result.coverage
    names = [s.name for s in getattr(coverage, "standards", None) or []]
    for table in (getattr(coverage, "gaps", None), getattr(coverage, "sites", None)):
        if table is not None and "standard" in getattr(table, "columns", ()):
            names += table["standard"].astype(str).tolist()
    return standard_colours(names)


def _rings(geometry: Any) -> list[list[list[float]]]:
    polys = getattr(geometry, "geoms", [geometry])
    return [[list(c) for c in p.exterior.coords] for p in polys if not p.is_empty]


def outline_polygons(geometries: Any) -> tuple[np.ndarray, np.ndarray]:
    """Each polygon's exterior ring as a polygon, and the position of the geometry it comes from:
    the map's outlines as shapely keeps them, for :func:`.map_compact.fit_outlines` to budget before
    any coordinate list is made (a metropolis' 15,288 community rings as lists: 1.8 s, all left out)."""
    parts, index = shapely.get_parts(np.asarray(geometries, dtype=object), return_index=True)
    kept = ~shapely.is_empty(parts)
    return shapely.polygons(shapely.get_exterior_ring(parts[kept])), index[kept]


def _outline_rows(geometries: list[Any], tips: list[str], shapes: bool) -> list[dict[str, Any]]:
    """One row per polygon: its exterior ring (``[ring]``; with ``shapes`` the ring's polygon, for
    :func:`.map_compact.fit_outlines` to turn into ``[ring]``) and the tip of its geometry."""
    if not shapes:
        return [
            {"polygon": [ring], "tip": tip}
            for g, tip in zip(geometries, tips, strict=True)
            for ring in _rings(g)
        ]
    outlines, index = outline_polygons(geometries)
    return [{"polygon": outline, "tip": tips[i]} for outline, i in zip(outlines, index.tolist(), strict=True)]


def _language(result: RunResult) -> str:
    return getattr(getattr(getattr(result, "recipe", None), "report", None), "language", None) or "en"


def unit_layers(result: RunResult, *, shapes: bool = False) -> list[pdk.Layer]:
    """Unit boundaries at every level (coarsest drawn last, on top); the communities when no levels.

    ``shapes``: each row's ``polygon`` a shapely polygon, for :func:`.map_compact.fit_outlines`."""
    screens = result.screens
    if screens is None:
        return []
    tables = dict(screens.registers) or (
        {"community": screens.communities} if len(screens.communities) else {}
    )
    out = []
    for level in reversed(list(tables)):
        table = tables[level]
        colour, width, label = LEVEL_STYLES[level]
        language = _language(result)
        label = label.split(" ")[0 if language == "zh" else -1]  # "社区 community": one language's word
        rows = [row for row in table.itertuples() if not str(row.id).startswith("unassigned")]
        tips = [
            f"<b>{escape_text(label + colon(language) + data_text(row.name or row.id, language))}</b>"
            for row in rows
        ]
        data = _outline_rows([row.geometry for row in rows], tips, shapes)
        if data:
            out.append(outline_layer(data, f"units:{level}", colour, width, pickable=True))
    return out


def outline_layer(
    data: list[dict[str, Any]], layer_id: str, colour: tuple[int, int, int], width: float, *, pickable: bool
) -> pdk.Layer:
    """Rings drawn as outlines only (a PathLayer's miters blew up over whole views in tests)."""
    return pdk.Layer(
        "PolygonLayer",
        data=data,
        id=layer_id,
        get_polygon="polygon",
        filled=False,
        stroked=True,
        get_line_color=[*colour, 230],
        get_line_width=1,
        line_width_min_pixels=width,
        pickable=pickable,
    )


def unit_halos(layers: list[pdk.Layer]) -> list[pdk.Layer]:
    """``layers`` with each unit layer of a cased level (:data:`LEVEL_HALOS`) preceded by its casing:
    the same rings (as :func:`.map_compact.fit_outlines` left them) in a wider dark line, not pickable,
    id ``units:<level>:halo`` (its toggle is the level's: the page's script)."""
    out = []
    for layer in layers:
        level = layer.id.partition(":")[2] if layer.id.startswith("units:") else ""
        if level in LEVEL_HALOS and isinstance(layer.data, list) and layer.data:
            colour, width = LEVEL_HALOS[level]
            halo = [{"polygon": row["polygon"]} for row in layer.data]
            out.append(outline_layer(halo, f"{layer.id}:halo", colour, width, pickable=False))
        out.append(layer)
    return out


def impact_layer(result: RunResult) -> list[pdk.Layer]:
    """Each hazard source's impact radius as a circle in its grade's colour.

    The radius is in metres, deck.gl's default: pydeck reads a string argument as an accessor
    expression, so ``radius_units="meters"`` reached deck.gl as a function and no circle was drawn.
    """
    hazards = result.screens.hazard_sources if result.screens is not None else None
    if hazards is None or not len(hazards):
        return []
    hazards = shown_sources(hazards)  # a province's registry: the highest graded
    data = [
        {
            "position": [row.geometry.x, row.geometry.y],
            "radius": float(row.impact_radius_m),
            "line": [*CLASS_COLOURS.get(row.grade, (0, 0, 0)), 255],
            "tip": f"<b>{escape_text(row.name or row.id)}</b><br/>"
            + translator(_language(result))("impact radius {radius} m", radius=f"{row.impact_radius_m:.0f}"),
        }
        for row in hazards.itertuples()
    ]
    return [
        pdk.Layer(
            "ScatterplotLayer",
            data=data,
            id="impact_radius",
            get_position="position",
            get_radius="radius",
            filled=False,
            stroked=True,
            get_line_color="line",
            line_width_min_pixels=2,
            pickable=False,
        )
    ]


def gap_layers(result: RunResult, *, shapes: bool = False) -> list[pdk.Layer]:
    """Each coverage standard's gaps as its own layer: an outline in the standard's colour, no fill (a
    translucent red over the grade colours turned III yellow into II orange on the 四色图).

    ``shapes``: each row's ``polygon`` a shapely polygon, for :func:`.map_compact.fit_outlines`."""
    coverage = result.coverage
    if coverage is None or not len(coverage.gaps):
        return []
    out = []
    language = _language(result)
    t = translator(language)
    colours = _run_colours(result)
    for standard, gaps in coverage.gaps.groupby("standard", sort=True):
        colour = colours[str(standard)]
        tips = []
        for row in gaps.itertuples():
            worst = (  # inf without an unreachable cell: travel beyond a partition's exact range
                f"{row.worst_travel:,.0f} {t(row.unit)}"
                if np.isfinite(row.worst_travel)
                else t("unreachable" if getattr(row, "unreachable_cells", 1) else "more than twice the limit")
            )
            name = t("{standard} gap", standard=standard_name(standard, language))
            tip = f"<b>{escape_text(name)} {escape_text(row.gap)}</b><br/>" + escape_text(
                t(
                    "{residents} residents uncovered · worst {worst}",
                    residents=at_least(row.residents, getattr(row, "cells_residents_unknown", 0), t),
                    worst=worst,
                )
            )
            tips.append(tip)
        data = _outline_rows(list(gaps.geometry), tips, shapes)
        out.append(outline_layer(data, f"gaps:{standard}", colour, 3, pickable=True))
    return out


def _letters(layer_id: str, items: list[tuple[list[float], str]], colour: list[int]) -> pdk.Layer:
    return pdk.Layer(
        "TextLayer",
        data=[{"position": p, "text": t} for p, t in items],
        id=layer_id,
        get_position="position",
        get_text="text",
        get_size=13,
        get_color=colour,
        get_text_anchor='"middle"',
        get_alignment_baseline='"center"',
        font_weight=700,
        pickable=False,
    )


def resource_letter_layer(result: RunResult) -> list[pdk.Layer]:
    """A letter on each resource (F, H, C, P, S, the recipe's own kinds' :func:`resource_letters`): its
    kind without relying on colour (none above :data:`MAX_LETTERED_RESOURCES`: the markers are dots
    then)."""
    coverage = result.coverage
    if coverage is None or not len(coverage.resources) or len(coverage.resources) > MAX_LETTERED_RESOURCES:
        return []
    letters = resource_letters(coverage.resources["kind"])
    items = [
        ([row.geometry.x, row.geometry.y], letters[str(row.kind)]) for row in coverage.resources.itertuples()
    ]
    return [_letters("resources:letters", items, [255, 255, 255, 255])]


#: the four grade colours around a ring (a swatch for the layers drawn in their source's grade)
GRADE_RING = " ".join(f"rgb{CLASS_COLOURS[g]}" for g in ("I", "II", "III", "IV"))
#: the grade colours and no data's grey in a disc
GRADE_DISC = "conic-gradient(" + ", ".join(f"rgb{colour}" for colour in CLASS_COLOURS.values()) + ")"


def toggle_labels(
    layer_ids: list[str], colours: dict[str, tuple[int, int, int]] | None = None
) -> list[tuple[str, str]]:
    """Toggle labels for the planner's layers present on the map (ids with their own toggle);
    ``colours``: a gap layer's id -> its line's colour, as drawn (else by :func:`standard_colours`)."""
    gaps = standard_colours(i.partition(":")[2] for i in layer_ids if i.startswith("gaps:"))
    colours = {f"gaps:{name}": colour for name, colour in gaps.items()} | (colours or {})
    out = []
    for layer_id in layer_ids:
        group, _, part = layer_id.partition(":")
        if group == "units" and part in LEVEL_STYLES:
            colour, width, label = LEVEL_STYLES[part]
            line = f"border:0;border-top:{max(1, round(width))}px solid rgb{colour};height:0"
            if part in LEVEL_HALOS:  # a cased line: its dark edges, as drawn
                line += f";box-shadow:0 0 0 1px rgb{LEVEL_HALOS[part][0]}"
            elif min(colour) > 200:  # a white line: on grey, as it shows over the cells
                line += ";background:#888;box-shadow:0 0 0 1px #888"
            swatch = f'<span style="{line}"></span>'
            out.append((layer_id, f"{swatch}units {label}"))
        elif group == "gaps":
            colour = tuple(colours[layer_id])
            swatch = f'<span style="border:3px solid rgb{colour};background:none"></span>'
            out.append((layer_id, f"{swatch}coverage gaps {escape_text(part)} 覆盖盲区"))
        elif layer_id == "impact_radius":
            out.append(
                (
                    layer_id,
                    f'<span style="border:2px solid;border-color:{GRADE_RING};border-radius:7px"></span>'
                    "hazard impact radius 影响半径 (colour: the source's grade)",
                )
            )
        elif layer_id == "sites":
            out.append(
                (
                    layer_id,
                    '<span style="border:3px solid #333;border-radius:7px;background:#fff"></span>'
                    "suggested sites 建议选址 (+)",
                )
            )
    return out
