"""The run's map page: the deck (:mod:`.deck`) with its title, legend, layer toggles and scale.

Written as ``map.html`` (offline, no CDN) and shown inline in a notebook (:meth:`RunResult.map`).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pydeck as pdk

from ..result import CLASS_COLOURS, GRADE_CLASSES, NO_DATA_COLOUR, RunResult
from .census_compare import census_html
from .credits import source_credits
from .deck import grid_deck, view_state
from .html import escape_text, script_json
from .i18n import MAP_GRADE_WORDS, data_text, toggle_text, translator
from .map_cells import (
    EMPTY_COLOUR,
    POPULATION_COLOURS,
    known_residents,
    population_classes,
    residents_per_cell,
)
from .map_residents_unknown import hollow_legend_html
from .map_unknown import unknown_kinds, unknown_legend_html
from .offline_deck import OfflineDeck, deck_to_offline_html
from .planner_layers import GRADE_DISC, resource_key, toggle_labels
from .report_parts import at_least
from .summary import RunSummary, run_summary


def result_deck(
    result: RunResult,
    summary: RunSummary | None = None,
    display: tuple[gpd.GeoDataFrame, str] | None = None,
) -> OfflineDeck:
    """The run's map as a Deck with its legend: what ``map.html`` shows, for a notebook.

    ``display``: the shown cells when assembled from the grid's parts (see :func:`.deck.grid_deck`).
    """
    deck = grid_deck(result.grid, result.layers, result, display)
    deck.header_html = legend_html(result, deck, summary or run_summary(result))
    return deck


def _residents(counts: dict[str, float], language: str = "en") -> str:
    """A grade row's residents, saying so when some of its cells' residents are unknown (not 0)."""
    t = translator(language)
    unknown = int(counts.get("cells_residents_unknown", 0))
    if unknown and unknown == counts["cells"]:
        return t("residents unknown")
    residents = f"{counts['residents']:,.0f}"
    if unknown:
        return t(
            "{residents} residents (unknown in {unknown} cells)", residents=residents, unknown=f"{unknown:,}"
        )
    return t("{residents} residents", residents=residents)


#: a census line's style in the legend (the map's: one short line per comparison, under the population)
SMALL_GREY = "margin:2px 0 0; color:#555; font-size:11px"
#: the legend's first line where some cells' residents are unknown: their sum a lower bound, said as the
#: report's tables say one (:func:`.report_parts.at_least`); "{residents} residents" read as a count
COUNTS_BOUNDED = {
    "en": "H3 resolution {resolution} · {cells} cells · residents {residents}",
    "zh": "H3 分辨率 {resolution} · {cells} 个单元 · 常住人口 {residents}",
}


def counts_line(summary: RunSummary, grid: gpd.GeoDataFrame, language: str = "en") -> str:
    """The legend's first line: resolution, cells and residents, the residents "≥ N (k cells with
    residents unknown)" where some cells' residents are unknown (a census unit 不详, buildings unmapped,
    outside the raster): the map's headline total was printed as if complete (Baltimore: 39,133 over
    396 cells, 183 of them unknown), while the legend's grade rows below said "unknown in k cells".

    The unknown cells are the grade rows' (:func:`.summary.grade_counts`), else the grid's
    ``known_residents`` (an ungraded grid).
    """
    t = translator(language)
    if summary.grades:
        unknown = sum(int(v.get("cells_residents_unknown", 0)) for v in summary.grades.values())
    else:
        unknown = int((~known_residents(grid)).sum()) if "display_children" not in grid.columns else 0
    values = {"resolution": summary.resolution, "cells": f"{summary.cells:,}"}
    if not unknown:
        return t(
            "H3 resolution {resolution} · {cells} cells · {residents} residents",
            residents=f"{summary.residents:,.0f}",
            **values,
        )
    bounded = at_least(summary.residents, unknown, t)
    return COUNTS_BOUNDED["zh" if language == "zh" else "en"].format(residents=bounded, **values)


def legend_html(result: RunResult, deck: OfflineDeck, summary: RunSummary) -> str:
    """The title, legend, layer toggles and attribution drawn over ``deck``, the run's map."""
    title = escape_text(summary.title)
    grid = result.grid
    language = getattr(getattr(result.recipe, "report", None), "language", None) or "en"
    t = translator(language)
    warns = "".join(  # in the report's language: a Chinese office's map warned in English
        f'<div style="color:#a40; font-size:11px">⚠ {escape_text(data_text(w, language))}</div>'
        for w in summary.warnings
    )
    if summary.any_graded:
        heading = t("Risk grade (cells)")
        names = MAP_GRADE_WORDS[language]  # one language's words (en read 重大 major)
        items = "".join(
            f'<div><span style="background:rgb{CLASS_COLOURS[g]}"></span>'
            f"{escape_text(names[g] if g == 'no data' else f'{g} {names[g]}')} · "
            + t(
                "{cells} cells · {residents}",
                cells=f"{summary.grades[g]['cells']:,}",
                residents=_residents(summary.grades[g], language),
            )
            + "</div>"
            for g in GRADE_CLASSES
        )
        hollow = [layer for layer in deck.layers if layer.id == "cells:residents_unknown"]
        items += hollow_legend_html(len(hollow[0].data) if hollow else 0, language)  # residents unknown
        items += unknown_legend_html(unknown_kinds(result), language)  # outside the streets, or leaving
        items += warns
        key = "" if deck.display_note else residents_key_html(grid, language)  # a parents' view: its own
        items += _toggles(deck, language, _resource_kinds(result), residents_key=key)
    else:
        heading = t("Residents per cell")
        _, labels = population_classes(residents_per_cell(grid), known=known_residents(grid))  # known only
        items = (
            "".join(
                f'<div><span style="background:rgb{POPULATION_COLOURS[i]}"></span>{escape_text(label)}</div>'
                for i, label in enumerate(labels)
            )
            + f'<div><span style="background:rgb{EMPTY_COLOUR}"></span>{t("none")}</div>'
        )
        if "known_residents" in grid and not grid["known_residents"].astype(bool).all():  # not measured
            items += f'<div><span style="background:rgb{NO_DATA_COLOUR}"></span>{t("no data")}</div>'
        items += warns
    source = escape_text(data_text(summary.population_source, language))
    counts = escape_text(counts_line(summary, grid, language))
    aggregation = "".join(  # what the map shows coarser or leaves out at this scale, and where it is
        f'<div style="margin-top:2px; color:#a40; font-size:11px">{escape_text(note)}</div>'
        for note in (data_text(n, language) for n in deck.notes or [deck.display_note] if n)
    )
    credits = "".join(escape_text(c) + " · " for c in source_credits(result.recipe, t))  # what the run used
    return f"""
<style>
  #ur-panel {{position:absolute; z-index:10; top:12px; left:12px; background:rgba(255,255,255,.94);
    padding:10px 14px; border-radius:6px; font:13px/1.4 system-ui, sans-serif; max-width:340px;
    max-height:calc(100vh - 48px); overflow-y:auto; box-shadow:0 1px 4px rgba(0,0,0,.25)}}
  #ur-panel h1 {{font-size:16px; margin:0 0 4px}}
  #ur-legend > summary {{font-size:11px; color:#555; cursor:pointer}}
  @media (max-width: 600px) {{ #ur-panel {{max-width:calc(100vw - 48px); max-height:45vh}} }}
  #ur-panel span {{display:inline-block; width:14px; height:14px; margin-right:6px; vertical-align:-2px;
    border:1px solid #999}}
  #ur-attribution {{position:absolute; z-index:10; bottom:4px; right:8px; font:11px system-ui, sans-serif;
    background:rgba(255,255,255,.8); padding:1px 6px}}
</style>
<div id="ur-panel">
  <h1>{title}</h1>
  <details id="ur-legend" open><summary>{t("legend and layers")}</summary>
  <div>{counts}</div>
  <div style="margin:6px 0 2px"><b>{heading}</b></div>
  {items}
  <div style="margin-top:6px; color:#555; font-size:11px">{_scale_html(result.grid, language)}</div>
  {aggregation}
  <div style="margin-top:2px; color:#555; font-size:11px">{t("Population: {source}", source=source)}</div>
  {census_html(summary.census, language, style=f'style="{SMALL_GREY}"', short=True)}
  </details>
</div>
<script>
  // show or hide one deck.gl layer (the deck is built by pydeck's script below)
  function urToggle(box) {{
    // a layer "x:part" without its own box (resources:letters) follows the box of "x"
    const id = box.dataset.layer;
    const boxes = new Set([...document.querySelectorAll('input[data-layer]')].map(b => b.dataset.layer));
    const layers = deckInstance.props.layers.map(layer =>
      layer.id === id || (layer.id.startsWith(id + ':') && !boxes.has(layer.id))
        ? layer.clone({{visible: box.checked}}) : layer);
    deckInstance.setProps({{layers}});
  }}
  // tooltip pieces written once, line breaks and the cell's id, marked in the tips (map_compact)
  const urTipParts = {script_json(list(deck.tip_parts))};
  function urTooltip(info) {{
    const row = info.object, tip = row && row.tip;
    if (!tip) return null;
    const cell = String(row.hex || '').replace(/[^0-9a-f]/g, '');  // an H3 id: hex digits only
    const html = tip.replace(/\\ue000(\\d+)\\ue001/g, (m, i) => urTipParts[+i])
      .replace(/\\ue002/g, '<br/>').replace(/\\ue003/g, cell);
    return {{html, style: {{...tooltip.style, ...urTipPlace(info)}}}};
  }}
  // keep a tip on screen: it slides left as the pointer goes right, and opens above it in the lower half
  function urTipPlace(info) {{
    if (info.x === undefined) return {{}};
    const across = Math.min(100, Math.max(0, 100 * info.x / window.innerWidth)).toFixed(1);
    const up = info.y > window.innerHeight / 2 ? 'calc(-100% - 14px)' : '14px';
    return {{transform: `translate(${{info.x}}px, ${{info.y}}px) translate(-${{across}}%, ${{up}})`,
             maxWidth: 'min(420px, calc(100vw - 16px))'}};
  }}
  window.addEventListener('DOMContentLoaded', () => {{
    deckInstance.setProps({{getTooltip: urTooltip}});
    if (window.matchMedia('(max-width: 600px)').matches) {{  // a phone: the map first, the legend folded
      document.getElementById('ur-legend').open = false;
      urFitPhone({script_json([round(float(v), 6) for v in result.grid.total_bounds])});
    }}
  }});
  // the whole study area in a phone's box below the folded panel (the desktop's view, fitted to 1200 px
  // right of the legend, showed a phone the area's west half); deck.gl's world is 512 px at zoom 0
  function urFitPhone([west, south, east, north]) {{
    const box = document.getElementById('deck-container'), top = 90, bottom = 24;
    const lat = (south + north) / 2, cos = Math.cos(lat * Math.PI / 180);
    const spanX = Math.max(east - west, 1e-5), spanY = Math.max((north - south) / cos, 1e-5);
    const width = box.clientWidth - 16, height = box.clientHeight - top - bottom;
    const zoom = Math.min(18, Math.max(2, Math.log2(Math.min(width / spanX, height / spanY) * 360 / 512)));
    const degrees = 360 / (512 * 2 ** zoom) * cos;  // latitude per pixel, near the centre
    deckInstance.setProps({{initialViewState: {{longitude: (west + east) / 2,
      latitude: lat + degrees * (top - bottom) / 2, zoom, pitch: 0, bearing: 0}}}});
  }}
</script>
<div id="ur-attribution">{credits}urbanrisk</div>
"""


_TOGGLES = (
    (
        "residents",
        '<span style="background:linear-gradient(90deg,rgb(254,235,226),rgb(122,1,119))"></span>'
        "residents per cell (quintiles, light to dark)",
    ),
    ("key_districts", '<span style="border:3px solid rgb(128,0,160)"></span>key districts 重点地区'),
    ("urban_villages", '<span style="border:3px solid rgb(120,70,20)"></span>urban villages 城中村'),
    (
        "hazard_sources",
        f'<span style="border-radius:7px;background:{GRADE_DISC};border-color:#222"></span>'
        "hazard sources 危险源 (size: residents exposed; colour: its grade)",
    ),
    (
        "resources",
        '<span style="border-radius:7px;background:rgb(180,0,0)"></span>resources 应急资源 '
        "lettered F fire, H hospital, C clinic, P police, S shelter",
    ),
    ("buildings", '<span style="background:rgba(120,120,120,.5)"></span>building footprints'),
    ("streets", '<span style="border:0;border-top:2px solid #555;height:0"></span>streets'),
)


def _resource_kinds(result: RunResult) -> list[str]:
    coverage = result.coverage
    resources = getattr(coverage, "resources", None) if coverage is not None else None
    return [] if resources is None or not len(resources) else resources["kind"].astype(str).tolist()


def residents_key_html(grid: gpd.GeoDataFrame, language: str = "en") -> str:
    """The graded map's residents view, keyed under its toggle: each class's colour and range (the
    quintiles :func:`.map_cells.population_fill` draws), none, and the grey of residents unknown.

    The graded map's legend named the view "quintiles, light to dark" and nothing more: a planner who
    switched to it could read no number off a colour, and took its grey cells (residents unknown: a
    census unit 不详, buildings unmapped) for the grey "no data" grade listed above, with 0 cells.
    """
    t = translator(language)
    known = known_residents(grid)
    _, labels = population_classes(residents_per_cell(grid), known=known)
    # as population_fill(grid, 200) draws them: the classes and the unknown grey at 200, none at 40
    swatch = '<span style="background:rgba{colour}; width:10px; height:10px; margin:0 3px 0 6px"></span>'
    keys = [((*POPULATION_COLOURS[i], 0.78), label) for i, label in enumerate(labels)]
    keys.append(((*EMPTY_COLOUR, 0.16), t("none")))
    if not known.all():
        keys.append(((*NO_DATA_COLOUR, 0.78), t("residents unknown")))
    parts = "".join(  # a swatch and its words stay on one line
        f'<em style="font-style:normal; white-space:nowrap">{swatch.format(colour=colour)}'
        f"{escape_text(words)}</em> "
        for colour, words in keys
    )
    return f'<div class="ur-residents-key" style="font-size:11px; margin-left:14px">{parts.strip()}</div>'


def _toggles(
    deck: pdk.Deck, language: str = "en", kinds: list[str] | None = None, *, residents_key: str = ""
) -> str:
    """Check boxes for the layers present on the map (cells first); ``kinds``: the resources' kinds
    (the recipe's own ones lettered in the legend); ``residents_key``: the residents view's classes,
    under its box (:func:`residents_key_html`)."""
    t = translator(language)
    # a box is ticked when its layer starts visible (gaps and residents start hidden)
    present = {layer.id: getattr(layer, "visible", True) is not False for layer in deck.layers}
    rows = [
        f'<div style="margin-top:6px"><b>{t("Layers")}</b></div>',
        '<label><input type="checkbox" checked data-layer="cells" onchange="urToggle(this)"> '
        f"{t('graded cells')}</label>",
    ]
    drawn = {  # each gap layer's colour as drawn: the legend's swatch is the line's
        layer.id: tuple(colour[:3])
        for layer in deck.layers
        if layer.id.startswith("gaps:")
        and isinstance(colour := getattr(layer, "get_line_color", None), list | tuple)
        and len(colour) >= 3
    }
    planner = toggle_labels([layer.id for layer in deck.layers], drawn)
    for layer_id, label in [*planner, *_TOGGLES]:
        if layer_id in present:
            checked = " checked" if present[layer_id] else ""
            words = toggle_text(label, language)
            if layer_id == "resources":  # the recipe's own kinds' letters, inside the bracket in Chinese
                close = "）" if words.endswith("）") else ""
                words = words.removesuffix(close) + resource_key(kinds or [], language) + close
            rows.append(
                f'<div><label><input type="checkbox"{checked} data-layer="{layer_id}" '
                f'onchange="urToggle(this)"> {words}</label></div>'
            )
            if layer_id == "residents":
                rows.append(residents_key)
    return "".join(rows)


def _scale_html(grid: gpd.GeoDataFrame, language: str = "en") -> str:
    """Scale context: metres per 100 px at the initial view, and the cell size."""
    view = view_state(grid)
    metres_per_px = 40_075_016.7 * np.cos(np.radians(view.latitude)) / (512 * 2**view.zoom)
    resolution = h3.get_resolution(grid.index[0]) if len(grid) else 0
    edge = h3.average_hexagon_edge_length(resolution, unit="m")
    return (
        '<span style="width:100px;height:0;border:0;border-top:3px solid #333;vertical-align:middle">'
        "</span> "
        + translator(language)(
            "≈ {metres} m at the initial zoom · cells H3 r{resolution}, edge ≈ {edge} m",
            metres=f"{100 * metres_per_px:,.0f}",
            resolution=resolution,
            edge=f"{edge:,.0f}",
        )
    )


def write_map(
    result: RunResult,
    path: str | Path,
    *,
    summary: RunSummary | None = None,
    display: tuple[gpd.GeoDataFrame, str] | None = None,
) -> Path:
    """Write the run's offline ``map.html`` (``display``: the shown cells, from the grid's parts)."""
    path = Path(path)
    deck = result_deck(result, summary, display)
    page = deck_to_offline_html(deck, header_html=deck.header_html)
    title = translator(getattr(getattr(result.recipe, "report", None), "language", None) or "en")(
        "urbanrisk map"
    )
    page = page.replace("<title>urbanrisk map</title>", f"<title>{escape_text(title)}</title>", 1)
    path.write_text(page, encoding="utf-8")
    return path
