"""The map's deck.gl layers: graded cells (or residents), context from the data itself (streets and
building footprints: there is no basemap offline), the screens and coverage on top. Tooltips are
pre-built HTML in which every value from data is escaped.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pydeck as pdk

from ..resource_columns import hazard_kept
from ..result import CLASS_COLOURS, GRADES, NO_DATA_COLOUR, Layers, RunResult
from .assumed_kinds import run_assumed_note
from .display import display_grid
from .html import escape_text
from .i18n import data_text, sites_text, translator
from .i18n_deliverables import bracketed, colon
from .i18n_exposure import lower_bound
from .i18n_severity import assumed_mark, grade_label, row_floor, severity_words
from .incident_words import answer_word
from .map_cells import population_fill, supply_lines
from .map_compact import compact_tips, fit_outlines, round_positions
from .map_context import context_layers
from .map_outline_tips import outline_tip
from .map_residents_unknown import hollow_layer, unknown_residents_cells
from .map_sources import shown_sources, sources_note
from .map_tips import _cell_tips, _hazard_label, _hazard_labels, _language, _resident_tips
from .map_unit_tips import cell_unit_lines, with_units
from .map_unknown import parent_tip_words, tip_words, unknown_kinds, unknown_layers
from .offline_deck import OfflineDeck
from .planner_layers import (
    MAX_LETTERED_RESOURCES,
    gap_layers,
    impact_layer,
    outline_layer,
    outline_polygons,
    resource_letter_layer,
    resource_letters,
    unit_halos,
    unit_layers,
)
from .report_supply import supply_tips
from .resource_details import detail_lines
from .site_layers import site_layers

#: Resource markers by kind.
RESOURCE_COLOURS = {
    "fire_station": (180, 0, 0),
    "hospital": (0, 140, 70),
    "clinic": (90, 190, 120),
    "police": (30, 60, 200),
    "shelter": (0, 150, 160),
}


def view_state(
    grid: gpd.GeoDataFrame, *, width: int = 1200, height: int = 720, panel: int = 400
) -> pdk.ViewState:
    """Fit the grid to a laptop's screen (1280 x 720: BUPT's tall strip was cut at 800) right of the panel.

    deck.gl's world is 512 px wide at zoom 0 (Web Mercator).
    """
    minx, miny, maxx, maxy = grid.total_bounds
    lat = (miny + maxy) / 2
    free_w, free_h = width - panel - 40, height - 60
    span_x = max(maxx - minx, 1e-5)
    span_y = max((maxy - miny) / np.cos(np.radians(lat)), 1e-5)
    zoom = float(
        np.clip(min(np.log2(free_w * 360 / (512 * span_x)), np.log2(free_h * 360 / (512 * span_y))), 2, 18)
    )
    shift = (panel / 2) * 360 / (512 * 2**zoom)  # centre the grid in the space right of the panel
    return pdk.ViewState(longitude=(minx + maxx) / 2 - shift, latitude=lat, zoom=zoom, pitch=0, bearing=0)


def _resource_label(kind: str, language: str, letters: dict[str, str]) -> str:
    """A resource's kind with its marker's letter: 消防站（F）, fire station (F), ambulance (A)."""
    word = answer_word(kind, language)  # fire station, not fire_station
    return bracketed(word, letters.get(kind, "?"), language)


def _screen_layers(result: RunResult | None) -> list[pdk.Layer]:
    if result is None or result.screens is None:
        return []
    language = _language(result)
    t = translator(language)
    out = []
    outlines = (
        ("key_districts", result.screens.key_districts, [128, 0, 160], "key district"),
        ("urban_villages", result.screens.urban_villages, [120, 70, 20], "urban village"),
    )
    for layer_id, table, colour, label in outlines:
        if not len(table):
            continue
        tips = [  # escaped; a made-up name (key district KD-01) in the page's language
            outline_tip(row, t(label), language, name=data_text(row.name, language))
            for row in table.itertuples()
        ]
        outlines, index = outline_polygons(table.geometry)  # as shapely: fit_outlines budgets them
        data = [
            {"polygon": outline, "tip": tips[i]} for outline, i in zip(outlines, index.tolist(), strict=True)
        ]
        out.append(outline_layer(data, layer_id, colour, 3, pickable=True))
    out = [
        *unit_layers(result, shapes=True),
        *impact_layer(result),
        *gap_layers(result, shapes=True),
        *out,
        *site_layers(result),
    ]
    coverage = getattr(result, "coverage", None)
    if coverage is not None and len(coverage.resources):
        crowded = len(coverage.resources) > MAX_LETTERED_RESOURCES  # small dots: the grades stay visible
        supply = supply_tips(result, t, language)  # 2SFCA, "≤" where a bound
        details = detail_lines(coverage.resources, language)  # a registry's keep_columns, escaped
        letters = resource_letters(coverage.resources["kind"])  # the recipe's own kinds: their own
        data = [
            {
                "position": [row.geometry.x, row.geometry.y],
                "fill": [*RESOURCE_COLOURS.get(row.kind, (90, 90, 90)), 255],
                "tip": f"<b>{escape_text(_resource_label(str(row.kind), language, letters))}{colon(language)}"
                f"{escape_text(row.name or row.id)}</b>"
                + details[i]
                + supply.get((row.kind, str(row.id)), ""),
            }
            for i, row in enumerate(coverage.resources.itertuples())
        ]
        out.append(
            pdk.Layer(
                "ScatterplotLayer",
                data=data,
                id="resources",
                get_position="position",
                get_radius=15,
                radius_min_pixels=3 if crowded else 9,
                get_fill_color="fill",
                stroked=True,
                get_line_color=[255, 255, 255, 255],
                line_width_min_pixels=1 if crowded else 2,
                pickable=True,
            )
        )
        out.extend(resource_letter_layer(result))
    hazards = shown_sources(result.screens.hazard_sources)
    if len(hazards):
        kept = detail_lines(
            hazards[hazard_kept(list(hazards.columns))], language
        )  # 负责人, 联系电话: escaped
        data = [
            {
                "position": [row.geometry.x, row.geometry.y],
                "radius": 12
                + 30 * np.sqrt(np.nan_to_num(max(row.residents_exposed, 0)) / 1000.0),  # NaN: unknown
                "fill": [*CLASS_COLOURS.get(row.grade, (0, 0, 0)), 255],
                "tip": (
                    f"<b>{t('hazard {label}', label=escape_text(_hazard_label(row, language)))}"
                    f"{colon(language)}"
                    f"{escape_text(row.name or row.id)}</b>{kept[i]}<br/>"
                    + t(
                        "grade {grade} · severity {severity} · {residents} residents within {radius} m",
                        grade=escape_text(grade_label(row.grade, row_floor(row), t, language)),  # its floor
                        severity=severity_words(row.severity, language) + assumed_mark(row, language),
                        residents=escape_text(
                            lower_bound(row.residents_exposed, getattr(row, "residents_unknown_share", 0), t)
                        ),
                        radius=f"{row.impact_radius_m:.0f}",
                    )
                    + "<br/>"
                    + escape_text(sites_text(row.breaches, language) or t("no safety distance breached"))
                ),
            }
            for i, row in enumerate(hazards.itertuples())
        ]
        out.append(
            pdk.Layer(
                "ScatterplotLayer",
                data=data,
                id="hazard_sources",
                get_position="position",
                get_radius="radius",
                radius_min_pixels=5,
                radius_max_pixels=24,  # a small area zoomed in: disks of 300 m hid its cells
                get_fill_color="fill",
                stroked=True,
                get_line_color=[20, 20, 20, 255],
                line_width_min_pixels=2,
                pickable=True,
            )
        )
    return out


def grid_deck(
    grid: gpd.GeoDataFrame,
    layers: Layers | None = None,
    result: RunResult | None = None,
    display: tuple[gpd.GeoDataFrame, str] | None = None,
) -> OfflineDeck:
    """A pydeck Deck of the graded grid (or of residents when ungraded), with streets and buildings
    for context and the screens on top. Tooltips are pre-built, escaped HTML (``tip`` field).

    ``display``: the cells to show and their note when already aggregated (from the grid's parts,
    :mod:`.display`); None: :func:`display_grid` of ``grid``.
    """
    grid, display_note = display if display is not None else display_grid(grid)
    graded = "grade" in grid.columns and grid["grade"].isin(GRADES).any()  # all "no data": show people
    if graded:
        fill = [[*CLASS_COLOURS.get(g, NO_DATA_COLOUR), 170] for g in grid["grade"]]
    else:
        fill = population_fill(grid, 190)
    coverage = getattr(result, "coverage", None)
    units = {s.name: ("s" if s.by_time else "m") for s in coverage.standards} if coverage is not None else {}
    kinds = unknown_kinds(result)  # why a cell's travel is unknown: drawn veiled, said in its tip
    unknown = tip_words(kinds, translator(_language(result)))
    within = (  # a large grid's display cells: how many of their cells' travel is unknown, and why
        parent_tip_words(kinds, h3.get_resolution(grid.index[0]), translator(_language(result)))
        if display_note and len(grid)
        else {}
    )
    hexes_of = [str(cell) for cell in grid.index]  # rows as dicts, not a frame's to_dict (16 tiles: 0.1 s)
    tips = [  # and each standard's 2SFCA supply per 1,000 residents, as the report gives it; the cell's units
        with_units(tip, place) + supply
        for tip, supply, place in zip(
            _cell_tips(grid, units, _language(result), _hazard_labels(result), unknown, within),
            supply_lines(result, grid, _language(result)),
            cell_unit_lines(grid.index, result, _language(result)),
            strict=True,
        )
    ]
    hollow = unknown_residents_cells(grid) if graded else []  # residents unknown: drawn hollow (tip: so)
    hexes = pdk.Layer(
        "H3HexagonLayer",
        data=[
            {"hex": cell, "fill": colour, "tip": tip}
            for cell, colour, tip in zip(hexes_of, fill, tips, strict=True)
        ],
        id="cells",
        get_hexagon="hex",
        get_fill_color="fill",
        get_line_color=[255, 255, 255, 120],
        line_width_min_pixels=0.5,
        stroked=True,
        filled=True,
        extruded=False,
        pickable=True,
    )
    population = []
    if graded:  # residents as a second, hidden layer the planner can switch to
        people = zip(
            hexes_of, population_fill(grid, 200), _resident_tips(grid, _language(result)), strict=True
        )
        population.append(
            pdk.Layer(
                "H3HexagonLayer",
                data=[{"hex": cell, "people": colour, "tip": tip} for cell, colour, tip in people],
                id="residents",
                get_hexagon="hex",
                get_fill_color="people",
                stroked=False,
                filled=True,
                extruded=False,
                pickable=True,
                visible=False,
            )
        )
    tooltip = {
        "html": "{tip}",
        "style": {"fontSize": "12px", "backgroundColor": "#222", "color": "#fff", "maxWidth": "420px"},
    }
    context, notes = context_layers(layers, tuple(grid.total_bounds))
    shown, outline_notes = fit_outlines(
        [
            hexes,
            *hollow_layer(hollow),
            *population,
            *context,
            *unknown_layers(kinds),
            *_screen_layers(result),
        ],
        _gpkg(result),
    )
    shown = unit_halos(shown)  # the 社区 line cased: it reads over every grade (planner_layers)
    round_positions(shown)
    deck = OfflineDeck(
        layers=shown,
        initial_view_state=view_state(grid),
        map_provider=None,
        map_style=None,
        tooltip=tooltip,
    )
    deck.tip_parts = compact_tips(shown)
    deck.display_note = display_note
    resources = len(coverage.resources) if coverage is not None else 0
    if resources > MAX_LETTERED_RESOURCES:
        notes.append(
            f"{resources:,} resources are too many for lettered markers: small dots coloured by kind "
            "(in risk.gpkg, layer resources)"
        )
    if result is not None and result.screens is not None:
        notes += [sources_note(result.screens.hazard_sources), *run_assumed_note(result)]
    deck.notes = [note for note in (display_note, *notes, *outline_notes) if note]
    return deck


def _gpkg(result: RunResult | None) -> dict[str, str]:
    """Map layer id -> the ``risk.gpkg`` layer that holds its outlines (for the notes)."""
    screens = getattr(result, "screens", None)
    registers = dict(getattr(screens, "registers", {}) or {})
    out = {f"gaps:{s.name}": "gaps" for s in getattr(getattr(result, "coverage", None), "standards", [])}
    out.update({f"units:{level}": f"register_{level}" for level in registers})
    if not registers:
        out["units:community"] = "communities"
    return out
