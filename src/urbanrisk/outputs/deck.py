"""The map's deck.gl layers: graded cells (or residents), context from the data itself (streets and
building footprints: there is no basemap offline), the screens and coverage on top. Tooltips are
pre-built HTML in which every value from data is escaped.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk

from ..result import CLASS_COLOURS, GRADES, NO_DATA_COLOUR, Layers, RunResult
from .assumed_kinds import run_assumed_note
from .display import TIP_COLUMNS, display_grid
from .html import escape_text
from .i18n import MAP_GRADE_WORDS, RESOURCE_ZH, sites_text, standard_name, translator, unknown_text
from .i18n_alerts import alert_explanation
from .i18n_deliverables import bracketed, colon
from .i18n_exposure import lower_bound
from .i18n_severity import assumed_mark, grade_label, row_floor, severity_words
from .map_cells import population_fill, supply_lines
from .map_compact import compact_tips, fit_outlines, round_positions
from .map_context import context_layers
from .map_sources import shown_sources, sources_note
from .map_unknown import tip_words, unknown_kinds
from .offline_deck import OfflineDeck
from .planner_layers import (
    MAX_LETTERED_RESOURCES,
    gap_layers,
    impact_layer,
    outline_polygons,
    resource_letter_layer,
    resource_letters,
    site_layers,
    unit_layers,
)
from .report_parts import at_least
from .report_supply import supply_tips
from .resource_details import detail_lines

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


def _score(value: float | None) -> str:
    """A 0-10 score, or "unknown" where it could not be measured."""
    return "unknown" if value is None or value != value else f"{value:.1f}"


def _language(result: RunResult | None) -> str:
    """The recipe's report language (``en`` without a recipe)."""
    return getattr(getattr(getattr(result, "recipe", None), "report", None), "language", None) or "en"


def _unknown_words(result: RunResult | None) -> dict[str, dict[str, str]]:
    """Per standard: cell -> the tip's words for its unknown travel (:mod:`.map_unknown`)."""
    return tip_words(unknown_kinds(result), translator(_language(result)))


def _hazard_label(row: object, language: str) -> str:
    label_zh = getattr(row, "label_zh", None)
    return str(label_zh) if language == "zh" and label_zh else str(getattr(row, "label", ""))


def _hazard_labels(result: RunResult | None) -> dict[str, str]:
    """English hazard-kind label -> Chinese label, from the run's hazard sources."""
    screens = getattr(result, "screens", None)
    hazards = getattr(screens, "hazard_sources", None)
    if hazards is None or not len(hazards) or "label_zh" not in hazards.columns:
        return {}
    return dict(
        zip(hazards["label"].astype(str).tolist(), hazards["label_zh"].astype(str).tolist(), strict=True)
    )


def _resource_label(kind: str, language: str, letters: dict[str, str]) -> str:
    """A resource's kind with its marker's letter: 消防站（F）, fire_station (F), ambulance (A)."""
    word = RESOURCE_ZH.get(kind, kind) if language == "zh" else kind
    return bracketed(word, letters.get(kind, "?"), language)


def _fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _travel_text(
    value: float, unit: str, covered: object, language: str = "en", t: Callable[..., str] | None = None
) -> str:
    t = t or translator(language)
    if value != value:  # NaN: not reached within the search, or no street nearby
        return t("not reached")
    amount = f"{value / 60:.1f} {t('min')}" if unit == "s" else f"{value / 1000:.2f} {t('km')}"
    return f"{amount} {'✓' if covered is True or covered == 1 else '✗'}"


def _rows(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Each row as a dict of the tooltip's columns, values as ``iterrows`` gives them (Python
    scalars): ``iterrows`` took 1.5 s for a 64-tile city's 4,294 map cells."""
    names = [c for c in frame.columns if c in TIP_COLUMNS or c.endswith(("_travel", "_covered"))]
    columns = [frame[c].astype(object).tolist() for c in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _residents_line(row: dict[str, object], t: Callable[..., str]) -> str:
    """A cell's residents, buildings and coverage; its residents "unknown" where they could not be
    measured, and a map cell shown for several (a large grid's parent) says how many were not."""
    residents = _fmt(row["residents"])
    if row.get("display_children") is not None:
        residents = at_least(row["residents"], row["cells_residents_unknown"], t)
    elif row.get("known_residents") is False:
        residents = t("unknown")
    return t(
        "residents {residents} · buildings {buildings} (coverage {share}%)",
        residents=residents,
        buildings=_fmt(row["buildings"]),
        share=f"{row['coverage_ratio'] * 100:.0f}",
    )


def _resident_tips(grid: gpd.GeoDataFrame, language: str = "en") -> list[str]:
    """The residents layer's tooltips: the cell and its residents (the cells layer has the rest)."""
    t = translator(language)
    return [
        f"<b>{t('cell {id}', id=escape_text(cell))}</b><br/>{_residents_line(row, t)}"
        for cell, row in zip(grid.index, _rows(grid), strict=True)
    ]


def _cell_tips(
    grid: gpd.GeoDataFrame,
    travel_units: dict[str, str] | None = None,
    language: str = "en",
    labels: dict[str, str] | None = None,
    unknown: dict[str, dict[str, str]] | None = None,
) -> list[str]:
    """Tooltip HTML per cell; every value from data is escaped.

    ``travel_units`` (standard name -> "s" or "m") adds the travel to the nearest resource of each
    coverage standard, with ✓ when within the standard; ``unknown`` (standard -> cell -> words) says why
    a cell's travel is unknown where it is (:mod:`.map_unknown`). Rows as dicts (:func:`_rows`).
    """
    t = translator(language)
    names = MAP_GRADE_WORDS[language]  # one language's words (en read 重大 major)
    graded = "grade" in grid.columns
    travel_units = {k: v for k, v in (travel_units or {}).items() if f"{k}_travel" in grid.columns}
    reaches = [  # per standard: its name (escaped) and its columns, looked up once
        (f"{escape_text(standard_name(name, language))} ", f"{name}_travel", f"{name}_covered", unit, name)
        for name, unit in travel_units.items()
    ]
    unknown = unknown or {}
    tips = []
    for cell, row in zip(grid.index, _rows(grid), strict=True):
        lines = [f"<b>{t('cell {id}', id=escape_text(cell))}</b>"]
        if graded:
            grade = row["grade"]
            label = names.get(grade, "") if grade == "no data" else f"{grade} {names.get(grade, '')}"
            lines.append(f"<b>{escape_text(label)}</b> · " + t("risk {score}/10", score=_score(row["risk"])))
            lines.append(
                t(
                    "hazard &amp; exposure {h} · vulnerability {v} · lack of coping {c}",
                    h=t(_score(row["hazard_exposure"])),
                    v=t(_score(row["vulnerability"])),
                    c=t(_score(row.get("lack_of_coping"))),
                )
            )
            why = alert_explanation(str(row["factors"]), language, labels)
            lines.append(t("why: {factors}", factors=escape_text(why)))
            if row.get("unknown"):
                lines.append(
                    f"<i>{t('unknown: {what}', what=escape_text(unknown_text(row['unknown'], language)))}</i>"
                )
        lines.append(_residents_line(row, t))
        lines.append(
            t(
                "crowd places {crowd} · vulnerable sites {sites}",
                crowd=_fmt(row["crowd_places"]),
                sites=_fmt(row["vulnerable_sites"]),
            )
        )
        if travel_units:
            reach = " · ".join(  # "unknown (outside the street data)", not "not reached"
                name
                + (
                    unknown.get(key, {}).get(cell)
                    or _travel_text(row[travel], unit, row[covered], language, t)
                )
                for name, travel, covered, unit, key in reaches
            )
            lines.append(t("nearest resource: {reach}", reach=reach))
        tips.append("<br/>".join(lines))
    return tips


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
        tips = [
            f"<b>{escape_text(t(label))} {escape_text(row.id)}</b><br/>{escape_text(row.name)}"
            for row in table.itertuples()
        ]
        outlines, index = outline_polygons(table.geometry)  # as shapely: fit_outlines budgets them
        data = [
            {"polygon": outline, "tip": tips[i]} for outline, i in zip(outlines, index.tolist(), strict=True)
        ]
        out.append(
            pdk.Layer(
                "PolygonLayer",
                data=data,
                id=layer_id,
                get_polygon="polygon",
                filled=False,
                stroked=True,
                get_line_color=[*colour, 230],
                line_width_min_pixels=3,
                pickable=True,
            )
        )
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
        data = [
            {
                "position": [row.geometry.x, row.geometry.y],
                "radius": 12
                + 30 * np.sqrt(np.nan_to_num(max(row.residents_exposed, 0)) / 1000.0),  # NaN: unknown
                "fill": [*CLASS_COLOURS.get(row.grade, (0, 0, 0)), 255],
                "tip": (
                    f"<b>{t('hazard {label}', label=escape_text(_hazard_label(row, language)))}"
                    f"{colon(language)}"
                    f"{escape_text(row.name or row.id)}</b><br/>"
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
            for row in hazards.itertuples()
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
    unknown = _unknown_words(result)  # why a cell's travel is unknown
    hexes_of = [str(cell) for cell in grid.index]  # rows as dicts, not a frame's to_dict (16 tiles: 0.1 s)
    tips = [  # and each standard's 2SFCA supply per 1,000 residents, as the report gives it
        tip + supply
        for tip, supply in zip(
            _cell_tips(grid, units, _language(result), _hazard_labels(result), unknown),
            supply_lines(result, grid, _language(result)),
            strict=True,
        )
    ]
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
        [hexes, *population, *context, *_screen_layers(result)], _gpkg(result)
    )
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
