"""An incident answer's files: ``incident.html`` (offline map + one printable sheet), ``incident.json``
(UTF-8, text as written) and ``incident.geojson`` (for other systems). Every text from data is
escaped in the page, in the sheet and in the map's tooltips alike.

The folder is written whole or not at all: files go into a hidden partial folder renamed into place
(or, into an existing ``--out`` folder, each file renamed over its old version).
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pydeck as pdk
from pyproj import Geod

from ..result import IncidentResult
from .deck import RESOURCE_COLOURS
from .html import ATTRIBUTION, escape_text
from .i18n import RESOURCE_ZH, data_text, translator
from .i18n_exposure import lower_bound
from .offline_deck import OfflineDeck, deck_to_offline_html

_GEOD = Geod(ellps="WGS84")
RING_COLOUR = (200, 30, 30)
SITE_COLOUR = (230, 120, 0)


def _clean(value: Any) -> Any:
    """JSON-safe: NaN/inf -> None, numpy scalars -> Python."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return _clean(frame.astype(object).where(frame.notna(), None).to_dict("records"))


def circle(lon: float, lat: float, radius_m: float, n: int = 128) -> list[list[float]]:
    """A geodesic circle as a closed [lon, lat] ring."""
    azimuths = np.linspace(0.0, 360.0, n, endpoint=False)
    x, y, _ = _GEOD.fwd(np.full(n, lon), np.full(n, lat), azimuths, np.full(n, radius_m))
    ring = [[round(a, 7), round(b, 7)] for a, b in zip(x, y, strict=True)]
    return [*ring, ring[0]]


def incident_record(result: IncidentResult) -> dict[str, Any]:
    """Everything of the answer as plain data: what ``incident.json`` holds."""
    return _clean(
        {
            "urbanrisk_incident": 1,
            "recipe": result.recipe,
            "run": str(result.run_dir),
            "kind": result.kind,
            "distances_source": result.kind_source,
            "point": {"lon": result.lon, "lat": result.lat, "crs": "EPSG:4326", "given": result.given},
            "evacuation_radius_m": result.radius_m,
            "evacuees": result.evacuees,
            "without_a_place": result.unplaced,
            "method": {
                "rings": "residents of each H3 cell shared by the area of the ring's disc over the cell "
                "(exact overlay in UTM); people present add one occupant per 20 m² of non-residential floor",
                "distances": "sites and units: straight-line metres; "
                "resources and shelters: on the street network",
                "resources": "network travel time from the resource to the incident "
                "(+ the standard's turnout)",
                "shelters": "linear programme: most evacuees placed within capacity, "
                "then fewest metres walked",
            },
            "rings": _records(result.rings),
            "vulnerable_sites": _records(result.sites),
            "units_to_notify": _records(result.units),
            "nearest_resources": _records(result.resources),
            "shelters": _records(result.shelters),
            "shelter_assignment": _records(result.assignment),
            "cells_without_place": _records(
                result.cells.loc[
                    result.cells["without_place"] > 1e-6, ["h3_cell", "evacuees", "without_place"]
                ]
            ),
            "notes": list(result.notes),
            "timings_s": dict(result.timings),
        }
    )


def _point(lon: float, lat: float, props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


def incident_geojson(result: IncidentResult) -> dict[str, Any]:
    """The answer as a GeoJSON FeatureCollection (WGS84): point, rings, sites, resources, shelters."""
    features = [_point(result.lon, result.lat, {"role": "incident", "kind": result.kind})]
    rings = result.rings.to_dict("records")
    features += [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [circle(result.lon, result.lat, r["ring_m"])]},
            "properties": {"role": "ring", **r, "evacuated": r["ring_m"] == result.radius_m},
        }
        for r in rings
    ]
    for role, frame in (
        ("vulnerable_site", result.sites),
        ("resource", result.resources),
        ("shelter", result.shelters),
    ):
        for row in _records(frame):
            features.append(_point(row.pop("lon"), row.pop("lat"), {"role": role, **row}))
    return _clean({"type": "FeatureCollection", "features": features})


def _word(value: Any, language: str) -> Any:
    """A kind, level, mode or status the answer writes in English, in ``language`` (names stay)."""
    if language != "zh" or not isinstance(value, str | bool | np.bool_):
        return value
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    return RESOURCE_ZH.get(value) or data_text(translator("zh")(value), "zh")


def _evacuated_unknown(r: IncidentResult) -> float:
    """The share of the evacuated disc whose residents are unknown (0 for an answer without it)."""
    if "residents_unknown_share" not in r.rings.columns:
        return 0.0
    at = r.rings["ring_m"] == r.radius_m
    return float(r.rings.loc[at, "residents_unknown_share"].max()) if at.any() else 0.0


def _table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    numeric: set[str] = frozenset(),
    language: str = "en",
    words: tuple[str, ...] = ("kind", "level", "mode", "status", "in_evacuation"),
) -> str:
    t = translator(language)
    if frame is None or not len(frame):
        return f'<p class="note">{t("none")}</p>'
    head = "".join(f"<th>{escape_text(t(label))}</th>" for label in columns.values())
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for key in columns:
            value = record.get(key)
            if key == "residents_within":  # "≥ N (x% of the reach unknown)": missing is not zero
                shown = lower_bound(value, record.get("residents_unknown_share"), t)
                cells.append(f'<td class="n">{escape_text(shown)}</td>')
            elif key in numeric:
                number = float(value) if value is not None and value == value else float("nan")
                cells.append(f'<td class="n">{"–" if math.isnan(number) else f"{number:,.0f}"}</td>')
            else:
                value = _word(value, language) if key in words else value
                cells.append(f"<td>{escape_text('' if value is None or value != value else value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


_CSS = """
#ur-sheet {position:absolute; z-index:10; top:0; left:0; bottom:0; width:460px; overflow:auto;
  background:#fff; padding:10px 14px; font:12px/1.4 system-ui, 'Noto Sans CJK SC', sans-serif;
  box-shadow:1px 0 6px rgba(0,0,0,.3)}
#ur-sheet h1 {font-size:17px; margin:0 0 4px} #ur-sheet h2 {font-size:13px; margin:10px 0 3px;
  border-bottom:2px solid #ddd}
#ur-sheet table {border-collapse:collapse; width:100%}
#ur-sheet td, #ur-sheet th {border-bottom:1px solid #eee;
  padding:2px 4px; text-align:left; vertical-align:top} #ur-sheet td.n {text-align:right}
#ur-sheet .note {color:#666; font-size:11px} #ur-sheet .big {font-size:15px; font-weight:700}
#ur-attribution {position:absolute; z-index:10; bottom:4px; right:8px; font:11px system-ui, sans-serif;
  background:rgba(255,255,255,.8); padding:1px 6px}
@media print { #deck-container, #ur-attribution {display:none !important}
  #ur-sheet {position:static; width:auto; overflow:visible; box-shadow:none} }
"""


def _source_text(source: str, language: str) -> str:
    """The distances' source; in Chinese, the guide cited (its English explanation stays in incident.json).

    Examples
    --------
    >>> _source_text("ERG 2020 Guide 115 (Gases): isolate ... 50 m rings: urbanrisk assumption", "zh")
    'ERG 2020 Guide 115（《应急响应指南》初始隔离与疏散距离；其余距离圈为 urbanrisk 假设）'
    """
    if language != "zh":
        return source
    guide = re.match(r"^(ERG \d{4} Guide \d+)", source)
    if guide:
        return f"{guide.group(1)}（《应急响应指南》初始隔离与疏散距离；其余距离圈为 urbanrisk 假设）"
    return "urbanrisk 假设（无公开的隔离距离标准）"


def sheet_html(result: IncidentResult) -> str:
    """The printable sheet shown beside the map (and alone when printed), in the recipe's language."""
    r = result
    language = r.language
    t = translator(language)
    given = r.given
    where = f"{r.lon:.6f}, {r.lat:.6f} (WGS84)"
    if given.get("coords", "wgs84") != "wgs84":
        where += " · " + t("given {lon}, {lat} ({coords})", **{k: given[k] for k in ("lon", "lat", "coords")})
    notes = "".join(f"<li>{escape_text(data_text(n, language))}</li>" for n in r.notes)
    kind = r.kind_label if language == "zh" and r.kind_label else r.kind
    rings = {
        "from_m": "from m",
        "ring_m": "to m",
        "residents": "residents",
        "people_present": "people present",
        "residents_within": "residents within",
        "people_present_within": "present within",
    }
    resources = {"kind": "kind", "rank": "#", "name": "name", "id": "id", "mode": "mode"}
    resources |= {"eta_s": "ETA s", "network_m": "network m"}
    shelters = {"name": "name", "id": "id", "capacity": "capacity", "assigned": "assigned"}
    shelters |= {"mean_walk_m": "mean walk m", "status": "status"}
    answered = t(
        "Run {run} · answered in {seconds} s",
        run=r.run_dir.name,
        seconds=f"{r.timings.get('answer_s', 0):.2f}",
    )
    headline = t(
        "{evacuees} residents to evacuate within {radius} m · {unplaced} without a shelter place",
        evacuees=lower_bound(r.evacuees, _evacuated_unknown(r), t),
        radius=f"{r.radius_m:,.0f}",
        unplaced=f"{r.unplaced:,.0f}",
    )
    distances = t(
        "Distances: {source}. Cells shared by the area of each disc over the cell.",
        source=_source_text(r.kind_source, language),
    )
    return f"""
<style>{_CSS}</style>
<div id="ur-sheet">
<h1>{escape_text(t("Incident: {kind} · {recipe}", kind=kind, recipe=r.recipe))}</h1>
<div>{escape_text(t("at {where}", where=where))}</div>
<div class="big">{escape_text(headline)}</div>
<h2>{t("People per distance ring")}</h2>
{_table(r.rings, rings, set(rings), language)}
<p class="note">{escape_text(distances)}</p>
<h2>{t("Vulnerable sites")}</h2>
{
        _table(
            r.sites,
            {"kind": "kind", "name": "name", "distance_m": "m", "ring_m": "ring m"},
            {"distance_m", "ring_m"},
            language,
        )
    }
<h2>{t("Units to notify")}</h2>
{
        _table(
            r.units,
            {"level": "level", "name": "name", "distance_m": "m", "in_evacuation": "evacuate"},
            {"distance_m"},
            language,
        )
    }
<h2>{t("Nearest resources (network travel to the incident)")}</h2>
{_table(r.resources, resources, {"eta_s", "network_m"}, language)}
<h2>{t("Shelters (walking, within capacity)")}</h2>
{_table(r.shelters, shelters, {"capacity", "assigned", "mean_walk_m"}, language)}
<ul class="note">{notes}</ul>
<p class="note">{escape_text(answered)} · {escape_text(t(ATTRIBUTION))}</p>
</div>
<div id="ur-attribution">{escape_text(t(ATTRIBUTION))} · urbanrisk</div>
"""


def _tip(*parts: Any) -> str:
    return "<br>".join(escape_text(p) for p in parts)


def incident_deck(result: IncidentResult) -> OfflineDeck:
    """The incident's map: cells to evacuate, rings, the point, sites, resources, shelters.

    Sizes are metres with a pixel minimum: pydeck reads every string argument as an accessor
    expression, so ``radius_units="pixels"`` would reach deck.gl as an (undefined) expression.
    """
    r = result
    t = translator(r.language)
    cells = [
        {
            "hex": row["h3_cell"],
            "fill": [200, 30, 30, int(40 + 150 * row["share_evacuated"])],
            "tip": _tip(
                row["h3_cell"],
                t("residents {n}", n=f"{row['residents']:,.0f}"),
                t("to evacuate {n}", n=f"{row['evacuees']:,.0f}"),
            ),
        }
        for row in r.cells.to_dict("records")
    ]
    rings = [
        {
            "path": circle(r.lon, r.lat, ring),
            "width": 4 if ring == r.radius_m else 2,
            "tip": _tip(f"{ring:,.0f} {t('m')}"),
        }
        for ring in r.rings["ring_m"]
    ]

    def points(frame: pd.DataFrame, colour, label: str) -> list[dict[str, Any]]:
        return [
            {
                "position": [row["lon"], row["lat"]],
                "colour": [*colour, 230],
                "tip": _tip(
                    t(label + ": {kind}", kind=_word(row.get("kind", ""), r.language)),
                    row.get("name") or row.get("id", ""),
                ),
            }
            for row in _records(frame)
        ]

    resources = [
        p | {"colour": [*RESOURCE_COLOURS.get(kind, (60, 60, 60)), 230]}
        for p, kind in zip(
            points(r.resources, (60, 60, 60), "resource"), r.resources.get("kind", []), strict=False
        )
    ]
    layers = [
        pdk.Layer(
            "H3HexagonLayer",
            data=cells,
            id="cells",
            get_hexagon="hex",
            get_fill_color="fill",
            stroked=True,
            filled=True,
            extruded=False,
            get_line_color=[255, 255, 255, 120],
            line_width_min_pixels=0.5,
            pickable=True,
        ),
        pdk.Layer(
            "PathLayer",
            data=rings,
            id="rings",
            get_path="path",
            get_color=[*RING_COLOUR, 220],
            get_width="width",
            width_min_pixels=1.5,
            pickable=True,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            data=points(r.sites, SITE_COLOUR, "vulnerable site"),
            id="sites",
            get_position="position",
            get_fill_color="colour",
            get_radius=6,
            radius_min_pixels=6,
            pickable=True,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            data=resources,
            id="resources",
            get_position="position",
            get_fill_color="colour",
            get_radius=7,
            radius_min_pixels=7,
            pickable=True,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            data=points(r.shelters, RESOURCE_COLOURS["shelter"], "shelter"),
            id="shelters",
            get_position="position",
            get_fill_color="colour",
            get_radius=8,
            radius_min_pixels=8,
            pickable=True,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            data=[
                {"position": [r.lon, r.lat], "tip": _tip(t("incident: {kind}", kind=r.kind_label or r.kind))}
            ],
            id="incident",
            get_position="position",
            get_fill_color=[0, 0, 0, 255],
            get_radius=9,
            radius_min_pixels=9,
            pickable=True,
        ),
    ]
    reach = float(r.rings["ring_m"].max()) if len(r.rings) else 500.0
    # deck.gl's world is 512 px wide at zoom 0: metres per pixel = 40,075,016 cos(lat) / (512 * 2^zoom);
    # fit the largest ring's diameter (+10 %) in the ~680 px right of the sheet, and centre it there
    metres_per_px = 2.2 * reach / 680
    zoom = float(np.clip(np.log2(40_075_016 * math.cos(math.radians(r.lat)) / (512 * metres_per_px)), 3, 18))
    view = pdk.ViewState(
        longitude=r.lon - 230 * 360 / (512 * 2**zoom), latitude=r.lat, zoom=zoom, pitch=0, bearing=0
    )
    tooltip = {"html": "{tip}", "style": {"fontSize": "12px", "backgroundColor": "#222", "color": "#fff"}}
    return OfflineDeck(
        layers=layers, initial_view_state=view, map_provider=None, map_style=None, tooltip=tooltip
    )


def _replace_into(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        tmp = folder / f".{name}.partial-{os.getpid()}"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, folder / name)


def write_incident(result: IncidentResult, folder: str | Path) -> Path:
    """Write incident.html, incident.json and incident.geojson into ``folder``; returns it."""
    folder = Path(folder)
    deck = incident_deck(result)
    files = {
        "incident.json": json.dumps(incident_record(result), indent=2, ensure_ascii=False),
        "incident.geojson": json.dumps(incident_geojson(result), ensure_ascii=False),
        "incident.html": deck_to_offline_html(deck, header_html=sheet_html(result)).replace(
            "<title>urbanrisk map</title>",
            f"<title>{escape_text(result.kind_label or result.kind)} · "
            f"{escape_text(translator(result.language)('urbanrisk incident'))}</title>",
            1,
        ),
    }
    if folder.is_dir():
        _replace_into(folder, files)
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = folder.parent / f".partial-{folder.name}-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    _replace_into(partial, files)
    os.rename(partial, folder)
    return folder


__all__ = ["incident_deck", "incident_geojson", "incident_record", "write_incident"]
