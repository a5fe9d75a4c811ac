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
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pydeck as pdk
from pyproj import Geod

from ..result import IncidentResult
from .deck import RESOURCE_COLOURS
from .html import escape_text
from .i18n import translator
from .incident_key import RING_COLOUR, RING_FILL, SITE_COLOUR, fit_view_script, map_reach_m
from .incident_sheet import kept_texts, sheet_html
from .incident_words import answer_word, incident_kind
from .offline_deck import OfflineDeck, deck_to_offline_html

_GEOD = Geod(ellps="WGS84")


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

    def points(frame: pd.DataFrame, colour, label: str, kept: list[str] = ()) -> list[dict[str, Any]]:
        return [
            {
                "position": [row["lon"], row["lat"]],
                "colour": [*colour, 230],
                "tip": _tip(
                    t(label + ": {kind}", kind=answer_word(row.get("kind", ""), r.language)),
                    row.get("name") or row.get("id", ""),
                    *kept_texts(row, list(kept), r.language),  # 值班电话, 负责人...: escaped as the rest
                ),
            }
            for row in _records(frame)
        ]

    resources = [
        p | {"colour": [*RESOURCE_COLOURS.get(kind, (60, 60, 60)), 230]}
        for p, kind in zip(
            points(r.resources, (60, 60, 60), "resource", getattr(r, "kept_columns", [])),
            r.resources.get("kind", []),
            strict=False,
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
            data=points(r.shelters, RESOURCE_COLOURS["shelter"], "shelter", getattr(r, "kept_columns", [])),
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
                {
                    "position": [r.lon, r.lat],
                    "tip": _tip(t("incident: {kind}", kind=incident_kind(r.kind, r.kind_label, r.language))),
                }
            ],
            id="incident",
            get_position="position",
            get_fill_color=[0, 0, 0, 255],
            get_radius=9,
            radius_min_pixels=9,
            pickable=True,
        ),
    ]
    # deck.gl's world is 512 px wide at zoom 0: metres per pixel = 40,075,016 cos(lat) / (512 * 2^zoom);
    # fit the largest ring's diameter (+10 %) in ~680 px (a notebook's deck; the page refits it to its
    # map's box as it opens: incident_key.fit_view_script)
    metres_per_px = RING_FILL * map_reach_m(r) / 680
    zoom = float(np.clip(np.log2(40_075_016 * math.cos(math.radians(r.lat)) / (512 * metres_per_px)), 3, 18))
    view = pdk.ViewState(longitude=r.lon, latitude=r.lat, zoom=zoom, pitch=0, bearing=0)
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
        "incident.html": deck_to_offline_html(
            deck, header_html=sheet_html(result) + fit_view_script(result)
        ).replace(
            "<title>urbanrisk map</title>",
            f"<title>{escape_text(incident_kind(result.kind, result.kind_label, result.language))} · "
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
