"""Offline maps: a pydeck page that renders with no network at all.

pydeck's bundled deck.gl is inlined (``offline=True``), the page's CDN stylesheet and map-library
tags are removed, and there is no basemap: context is drawn from the data itself (streets and
building footprints). Every text that comes from data is HTML-escaped before it reaches the page,
and the deck JSON is embedded with ``<``, ``>`` and ``&`` escaped so that no value can close the
script element that holds it.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mapclassify
import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.io.html import render_json_to_html

if TYPE_CHECKING:
    import geopandas as gpd

    from .pipeline import Layers, RunResult

#: Sequential palette (light to dark purple-red), one colour per population class.
POPULATION_COLOURS = [(254, 235, 226), (251, 180, 185), (247, 104, 161), (197, 27, 138), (122, 1, 119)]
EMPTY_COLOUR = (200, 200, 200)
BACKGROUND = "#f4f2ee"
ATTRIBUTION = "Map data © OpenStreetMap contributors (ODbL)"
MAX_CONTEXT_FEATURES = 50_000

_EXTERNAL = re.compile(
    r"<script[^>]*src=[\"']https?://[^>]*>\s*</script>|<link[^>]*href=[\"']?https?://[^>]*>", re.IGNORECASE
)


def escape_text(value: Any) -> str:
    """HTML-escape any value for display.

    Examples
    --------
    >>> escape_text('<img src=x onerror=alert(1)>')
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    return html.escape("" if value is None else str(value), quote=True)


def population_classes(values: pd.Series, k: int = 5) -> tuple[np.ndarray, list[str]]:
    """Class of each value (-1 for zero) and legend labels, by quantiles of the non-zero values."""
    values = values.fillna(0.0)
    positive = values[values > 0]
    classes = np.full(len(values), -1, dtype=int)
    if positive.empty:
        return classes, []
    k = int(min(k, positive.nunique()))
    if k < 2:
        classes[values.to_numpy() > 0] = 0
        return classes, [f"{positive.max():,.0f}"]
    scheme = mapclassify.Quantiles(positive.to_numpy(), k=k)
    classes[(values > 0).to_numpy()] = scheme.yb
    bins = [0.0, *scheme.bins.tolist()]
    labels = [f"{bins[i]:,.0f} – {bins[i + 1]:,.0f}" for i in range(len(scheme.bins))]
    return classes, labels


def _view(grid: gpd.GeoDataFrame) -> pdk.ViewState:
    minx, miny, maxx, maxy = grid.total_bounds
    span = max(maxx - minx, (maxy - miny) * 1.3, 1e-4)
    zoom = float(np.clip(np.log2(360.0 / span) + 0.2, 2, 18))
    return pdk.ViewState(
        longitude=(minx + maxx) / 2, latitude=(miny + maxy) / 2, zoom=zoom, pitch=0, bearing=0
    )


def _context_layers(layers: Layers | None, area_bounds: tuple[float, float, float, float]) -> list[pdk.Layer]:
    if layers is None:
        return []
    out = []
    minx, miny, maxx, maxy = area_bounds
    buildings = layers.buildings.cx[minx:maxx, miny:maxy] if len(layers.buildings) else layers.buildings
    if len(buildings):
        polys = buildings.geometry.explode(index_parts=False).head(MAX_CONTEXT_FEATURES)
        data = [{"polygon": [list(map(list, p.exterior.coords))]} for p in polys if p.geom_type == "Polygon"]
        out.append(
            pdk.Layer(
                "PolygonLayer",
                data=data,
                id="buildings",
                get_polygon="polygon",
                get_fill_color=[120, 120, 120, 90],
                stroked=False,
                pickable=False,
            )
        )
    streets = layers.streets.cx[minx:maxx, miny:maxy] if len(layers.streets) else layers.streets
    if len(streets):
        lines = streets.geometry.head(MAX_CONTEXT_FEATURES)
        data = [{"path": [list(c) for c in g.coords]} for g in lines if g.geom_type == "LineString"]
        out.append(
            pdk.Layer(
                "PathLayer",
                data=data,
                id="streets",
                get_path="path",
                get_color=[90, 90, 90, 160],
                width_min_pixels=1,
                get_width=2,
                pickable=False,
            )
        )
    return out


def _fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def grid_deck(grid: gpd.GeoDataFrame, layers: Layers | None = None) -> pdk.Deck:
    """A pydeck Deck of the grid's residents, with streets and buildings for context.

    Tooltip fields are pre-formatted, escaped strings.
    """
    classes, _ = population_classes(grid["residents"])
    colours = [POPULATION_COLOURS[c] if c >= 0 else EMPTY_COLOUR for c in classes]
    records = pd.DataFrame(
        {
            "hex": grid.index.astype(str),
            "fill": [[*c, 190 if k >= 0 else 60] for c, k in zip(colours, classes, strict=True)],
            "cell": [escape_text(c) for c in grid.index],
            "residents": grid["residents"].map(_fmt),
            "buildings": grid["buildings"].map(_fmt),
            "coverage": (grid["coverage_ratio"] * 100).map(lambda v: _fmt(v, 1)),
            "floor": grid["floor_area_m2"].map(_fmt),
            "crowd": grid["crowd_places"].map(_fmt),
            "vulnerable": grid["vulnerable_sites"].map(_fmt),
            "hazards": grid["hazards"].map(_fmt),
        }
    )
    hexes = pdk.Layer(
        "H3HexagonLayer",
        data=records.to_dict("records"),
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
    tooltip = {
        "html": (
            "<b>cell {cell}</b><br/>residents: {residents}<br/>buildings: {buildings} "
            "(coverage {coverage}%)<br/>floor area: {floor} m²<br/>crowd places: {crowd} · "
            "vulnerable sites: {vulnerable} · hazards: {hazards}"
        ),
        "style": {"fontSize": "12px", "backgroundColor": "#222", "color": "#fff"},
    }
    context = _context_layers(layers, tuple(grid.total_bounds))
    return pdk.Deck(
        layers=[hexes, *context],
        initial_view_state=_view(grid),
        map_provider=None,
        map_style=None,
        tooltip=tooltip,
    )


def deck_to_offline_html(deck: pdk.Deck, *, header_html: str = "") -> str:
    """Self-contained HTML for a Deck: inlined deck.gl, no external tag, JSON safe inside <script>."""
    safe_json = deck.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    page = render_json_to_html(
        safe_json, tooltip=json.dumps(deck._tooltip), offline=True, css_background_color=BACKGROUND
    )
    page = _EXTERNAL.sub("", page)
    page = page.replace("<title>pydeck</title>", "<title>urbanrisk map</title>", 1)
    return page.replace("<body>", "<body>\n" + header_html, 1)


def _legend_html(result: RunResult) -> str:
    _, labels = population_classes(result.grid["residents"])
    title = escape_text(result.recipe.title or result.recipe.name)
    items = "".join(
        f'<div><span style="background:rgb{POPULATION_COLOURS[i]}"></span>{escape_text(label)}</div>'
        for i, label in enumerate(labels)
    )
    total = result.grid["residents"].sum()
    source = escape_text(result.layers.population_source)
    return f"""
<style>
  #ur-panel {{position:absolute; z-index:10; top:12px; left:12px; background:rgba(255,255,255,.94);
    padding:10px 14px; border-radius:6px; font:13px/1.4 system-ui, sans-serif; max-width:340px;
    box-shadow:0 1px 4px rgba(0,0,0,.25)}}
  #ur-panel h1 {{font-size:16px; margin:0 0 4px}}
  #ur-panel span {{display:inline-block; width:14px; height:14px; margin-right:6px; vertical-align:-2px;
    border:1px solid #999}}
  #ur-attribution {{position:absolute; z-index:10; bottom:4px; right:8px; font:11px system-ui, sans-serif;
    background:rgba(255,255,255,.8); padding:1px 6px}}
</style>
<div id="ur-panel">
  <h1>{title}</h1>
  <div>H3 resolution {result.recipe.grid.resolution} · {len(result.grid):,} cells ·
    {total:,.0f} residents</div>
  <div style="margin:6px 0 2px"><b>Residents per cell</b></div>
  {items}
  <div><span style="background:rgb{EMPTY_COLOUR}"></span>none</div>
  <div style="margin-top:6px; color:#555; font-size:11px">Population: {source}</div>
</div>
<div id="ur-attribution">{escape_text(ATTRIBUTION)} · urbanrisk</div>
"""


def write_map(result: RunResult, path: str | Path) -> Path:
    """Write the run's offline ``map.html``."""
    path = Path(path)
    page = deck_to_offline_html(grid_deck(result.grid, result.layers), header_html=_legend_html(result))
    path.write_text(page, encoding="utf-8")
    return path
