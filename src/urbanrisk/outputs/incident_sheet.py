"""The printable sheet of an incident answer (beside its map in ``incident.html``, and alone when
printed), in the recipe's language: people per ring, vulnerable sites, units to notify, the nearest
resources and the shelters with the office's own columns (a registry's ``keep_columns``: 值班电话,
负责人...). Every text from data is escaped."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..result import IncidentResult
from .html import escape_text
from .i18n import data_text, translator
from .i18n_deliverables import colon
from .i18n_exposure import lower_bound
from .incident_key import incident_key_html, source_text
from .incident_words import answer_name, answer_word, incident_kind


def kept_texts(record: dict[str, Any], kept: list[str], language: str) -> list[str]:
    """A resource's kept columns as ``column: value`` (plain text: escape it where HTML); a missing
    value left out (not known, not shown).

    >>> kept_texts({"值班电话": "010-62281119", "负责人": None}, ["值班电话", "负责人"], "zh")
    ['值班电话：010-62281119']
    """
    values = [(c, record.get(c)) for c in kept]
    return [f"{c}{colon(language)}{v}" for c, v in values if isinstance(v, str) and v.strip()]


def _with_details(resources: pd.DataFrame, kept: list[str], language: str) -> pd.DataFrame:
    """The nearest resources with ``details``: their kept columns in one cell (escaped by the table)."""
    if not kept or not len(resources):
        return resources
    sep = "；" if language == "zh" else "; "
    details = [sep.join(kept_texts(row, kept, language)) for row in resources.to_dict("records")]
    return resources.assign(details=details)


def headline_count(count: str, language: str) -> tuple[str, str]:
    """A count for the headline and its bracketed note, the note after the noun: "≥ 4,221 (14% of the
    reach unknown) residents to evacuate" read as "≥ 4,221 residents (14% ...) to evacuate", and in
    Chinese "≥ 40（…） 人" as "≥ 40 人（…）"; a count without a number (unknown) keeps its words.

    Examples
    --------
    >>> headline_count("≥ 4,221 (14% of the reach unknown)", "en")
    ('≥ 4,221', ' (14% of the reach unknown)')
    >>> headline_count("≥ 40（影响范围 26% 人口未知）", "zh"), headline_count("1,005", "zh")
    (('≥ 40 人', '（影响范围 26% 人口未知）'), ('1,005 人', ''))
    >>> headline_count("unknown (no population data in reach)", "en")
    ('unknown (no population data in reach)', '')
    """
    if not any(c.isdigit() for c in count.split("(")[0].split("（")[0]):
        return count, ""
    cut = min((i for i in (count.find(" ("), count.find("（")) if i >= 0), default=len(count))
    number, note = count[:cut], count[cut:]
    return (f"{number} 人" if language == "zh" else number), note


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
                value = answer_word(value, language) if key in words else value
                value = answer_name(value, language) if key == "name" else value
                shown = escape_text("" if value is None or value != value else value)
                if key == "id":  # osm:node/<wbr>367797514: broken after its slash, not anywhere
                    shown = shown.replace("/", "/<wbr>")
                cells.append(f"<td>{shown}</td>")
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
#ur-sheet td:not(.n) {overflow-wrap:anywhere}
#ur-sheet .note {color:#666; font-size:11px} #ur-sheet .big {font-size:15px; font-weight:700}
#ur-attribution {position:absolute; z-index:10; bottom:4px; right:8px; font:11px system-ui, sans-serif;
  background:rgba(255,255,255,.8); padding:1px 6px}
@media print { #deck-container, #ur-attribution {display:none !important}
  #ur-sheet {position:static; width:auto; overflow:visible; box-shadow:none} }
"""


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
    kind = incident_kind(r.kind, r.kind_label, language)
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
    kept = list(getattr(r, "kept_columns", []))  # a registry's keep_columns: 值班电话, 负责人...
    if kept:
        resources["details"] = "details"
    shelters = {"name": "name", "id": "id", "capacity": "capacity", "assigned": "assigned"}
    shelters |= {"mean_walk_m": "mean walk m", "status": "status"}
    if kept:  # a shelter registry's kept columns too (值班电话, 管理单位...)
        shelters["details"] = "details"
    answered = t(
        "Run {run} · answered in {seconds} s",
        run=r.run_dir.name,
        seconds=f"{r.timings.get('answer_s', 0):.2f}",
    )
    evacuees, note = headline_count(lower_bound(r.evacuees, _evacuated_unknown(r), t), language)
    headline = t(
        "{evacuees} residents{note} to evacuate within {radius} m · {unplaced} without a shelter place",
        evacuees=evacuees,
        note=note,
        radius=f"{r.radius_m:,.0f}",
        unplaced=f"{r.unplaced:,.0f}",
    )
    distances = t(
        "Distances: {source}. Cells shared by the area of each disc over the cell.",
        source=source_text(r.kind_source, language),
    )
    # every source the run's recipe uses (OSM, each raster by its attribution), and nothing else: an
    # answer that carries no credits (an IncidentResult built by hand) credits none (it credited OSM)
    credits = [escape_text(c) for c in getattr(r, "credits", None) or []]
    footer, corner = " · ".join([escape_text(answered), *credits]), " · ".join([*credits, "urbanrisk"])
    return f"""
<style>{_CSS}</style>
<div id="ur-sheet">
<h1>{escape_text(t("Incident: {kind} · {recipe}", kind=kind, recipe=r.recipe))}</h1>
<div>{escape_text(t("at {where}", where=where))}</div>
<div class="big">{escape_text(headline)}</div>
{incident_key_html(r)}
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
{_table(_with_details(r.resources, kept, language), resources, {"eta_s", "network_m"}, language)}
<h2>{t("Shelters (walking, within capacity)")}</h2>
{
        _table(
            _with_details(r.shelters, kept, language),
            shelters,
            {"capacity", "assigned", "mean_walk_m"},
            language,
        )
    }
<ul class="note">{notes}</ul>
<p class="note">{footer}</p>
</div>
<div id="ur-attribution">{corner}</div>
"""
