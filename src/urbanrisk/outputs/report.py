"""The planner's one-page report: ``report.html``, self-contained, offline, printable.

Tables and inline SVG charts (no script, no external file): residents per grade, top hazard
sources, the community register (worst first), key districts, urban villages, uncovered residents
per resource standard with the standard applied, suggested sites, inputs and their dates. Every text
taken from data is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..result import CLASS_COLOURS, CLASS_NAMES, GRADE_CLASSES, GRADE_RANK, RunResult
from .html import ATTRIBUTION, escape_text
from .summary import RunSummary, run_summary

MAX_ROWS = 12

_CSS = """
body { font: 13px/1.45 system-ui, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif; color: #222;
       max-width: 1100px; margin: 18px auto; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 15px; margin: 18px 0 6px; border-bottom: 2px solid #ddd; }
.sub { color: #555; margin-bottom: 10px; }
.warn { color: #8a3b00; background: #fff3e0; border-left: 4px solid #e67e22; padding: 4px 8px; }
.cards { display: flex; gap: 10px; flex-wrap: wrap; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.card b { display: block; font-size: 20px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; font-weight: 600; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.grade { display: inline-block; min-width: 26px; text-align: center; border-radius: 3px; font-weight: 700; }
.note { color: #666; font-size: 12px; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } table { break-inside: auto; } }
"""


def _grade_badge(grade: str) -> str:
    r, g, b = CLASS_COLOURS.get(grade, (200, 200, 200))
    text = "#fff" if grade in ("I", "IV") else "#222"
    return f'<span class="grade" style="background:rgb({r},{g},{b});color:{text}">{escape_text(grade)}</span>'


def _class_label(grade: str) -> str:
    return CLASS_NAMES[grade] if grade not in GRADE_RANK else f"{grade} {CLASS_NAMES[grade]}"


def _completeness(summary: RunSummary) -> str:
    """What was measured, what was unknown where, and how complete the data look."""
    info = summary.completeness
    if not info:
        return ""
    warnings = "".join(f'<p class="warn">⚠ {escape_text(w)}</p>' for w in summary.warnings)
    share = info.get("building_completeness")
    rows = pd.DataFrame(
        [{"indicator": k, "cells": v} for k, v in info.get("cells_unknown_by_indicator", {}).items()]
    )
    table = (
        _table(rows, {"indicator": "indicator unknown", "cells": "cells"}, numeric={"cells"})
        if len(rows)
        else '<p class="note">every indicator was measured in every cell</p>'
    )
    estimate = "no basis for an estimate" if share is None else f"about {share:.0%}"
    return (
        "<h2>Data completeness: what could not be measured</h2>"
        f"{warnings}<p>OSM buildings: {escape_text(estimate)} complete "
        f"({escape_text(info.get('method', ''))}). Unknown indicators are left out of their dimension "
        "(never counted as 0); cells with too little measured have no grade.</p>"
        f"{table}"
    )


def _n(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    *,
    numeric: set[str] = frozenset(),
    grade_columns: set[str] = frozenset(),
    limit: int = MAX_ROWS,
) -> str:
    if frame is None or not len(frame):
        return '<p class="note">none</p>'
    head = "".join(f"<th>{escape_text(label)}</th>" for label in columns.values())
    rows = []
    for _, row in frame.head(limit).iterrows():
        cells = []
        for key in columns:
            value = row[key]
            if key in grade_columns:
                cells.append(f"<td>{_grade_badge(str(value))}</td>")
            elif key in numeric:
                cells.append(f'<td class="n">{_n(float(value))}</td>')
            else:
                cells.append(f"<td>{escape_text(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        f'<p class="note">… and {len(frame) - limit} more in the run folder</p>' if len(frame) > limit else ""
    )
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>{more}"


def _bar_chart(values: dict[str, float], colours: dict[str, tuple[int, int, int]], unit: str) -> str:
    """A horizontal bar chart as inline SVG."""
    width, bar, gap, label_w = 520, 22, 6, 150
    top = max(values.values()) if values and max(values.values()) > 0 else 1.0
    height = len(values) * (bar + gap)
    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="{escape_text(unit)}">']
    for i, (label, value) in enumerate(values.items()):
        y = i * (bar + gap)
        length = (width - label_w - 110) * value / top
        r, g, b = colours.get(label, (120, 120, 120))
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{escape_text(label)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar}" fill="rgb({r},{g},{b})"/>'
        )
        parts.append(
            f'<text x="{label_w + length + 6:.1f}" y="{y + 15}" font-size="12">'
            f"{_n(value)} {escape_text(unit)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _inputs(result: RunResult) -> str:
    rows = []
    for name, path in result.layers.files.items():
        file = Path(path)
        newest = result.layers.stats.get(name, {}).get("newest_object_epoch")
        if newest:  # OSM: the date of the newest object in the extract
            date = dt.datetime.fromtimestamp(newest, dt.UTC).strftime("%Y-%m-%d") + " (newest OSM edit)"
        elif file.exists():
            date = dt.datetime.fromtimestamp(file.stat().st_mtime, dt.UTC).strftime("%Y-%m-%d") + " (file)"
        else:
            date = ""
        kind = result.recipe.layers[name].type
        rows.append({"layer": name, "type": kind, "file": file.name, "date": date})
    frame = pd.DataFrame(rows)
    return _table(frame, {"layer": "layer", "type": "type", "file": "file", "date": "data date"}, limit=50)


def _with_lonlat(sites: pd.DataFrame) -> pd.DataFrame:
    if sites is None or not len(sites):
        return sites
    return sites.assign(where=[f"{g.x:.5f}, {g.y:.5f}" for g in sites.geometry])


def report_html(result: RunResult, summary: RunSummary | None = None) -> str:
    """The report page for a run, as one HTML string."""
    summary = summary or run_summary(result)
    recipe = result.recipe
    title = escape_text(summary.title)
    total = summary.residents
    by_grade = {g: summary.grades[g]["residents"] for g in GRADE_CLASSES}
    cells_by_grade = {g: int(summary.grades[g]["cells"]) for g in GRADE_CLASSES}
    screens = result.screens
    coverage = result.coverage
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cards = [
        ("residents", _n(total)),
        ("cells", f"{summary.cells:,} (H3 r{summary.resolution})"),
        ("grade I cells", f"{cells_by_grade['I']:,}"),
        ("hazard sources", f"{len(screens.hazard_sources):,}" if screens else "–"),
        ("key districts", f"{len(screens.key_districts):,}" if screens else "–"),
        ("urban villages", f"{len(screens.urban_villages):,}" if screens else "–"),
    ]
    card_html = "".join(f'<div class="card">{escape_text(k)}<b>{escape_text(v)}</b></div>' for k, v in cards)
    grade_table = pd.DataFrame(
        {
            "grade": list(GRADE_CLASSES),
            "name": [CLASS_NAMES[g] for g in GRADE_CLASSES],
            "cells": [cells_by_grade[g] for g in GRADE_CLASSES],
            "residents": [by_grade[g] for g in GRADE_CLASSES],
        }
    )
    grade_html = _table(
        grade_table,
        {"grade": "grade", "name": "level", "cells": "cells", "residents": "residents"},
        numeric={"cells", "residents"},
        grade_columns={"grade"},
    )
    chart = _bar_chart(
        {_class_label(g): by_grade[g] for g in GRADE_CLASSES},
        {_class_label(g): CLASS_COLOURS[g] for g in GRADE_CLASSES},
        "residents",
    )
    sections = [
        f"<h1>{title}</h1>",
        f'<div class="sub">urbanrisk risk screening · generated {escape_text(when)} · population: '
        f"{escape_text(summary.population_source)}</div>",
        f'<div class="cards">{card_html}</div>',
        *(f'<p class="warn">⚠ {escape_text(w)}</p>' for w in summary.warnings),
        "<h2>Residents per grade</h2>",
        f'<div class="cols"><div>{grade_html}'
        f'<p>Residents in total: <b id="residents-total">{_n(total)}</b></p></div><div>{chart}</div></div>',
    ]
    if screens is not None:
        hz = screens.hazard_sources.copy()
        if len(hz):
            hz = hz.assign(rank=hz["grade"].map(GRADE_RANK))
            hz = hz.sort_values(["rank", "residents_exposed"], ascending=[True, False])
        sections += [
            "<h2>Top hazard sources (危险源点)</h2>",
            _table(
                hz,
                {
                    "grade": "grade",
                    "label": "kind",
                    "name": "name",
                    "severity": "severity",
                    "residents_exposed": "residents in reach",
                    "vulnerable_names": "vulnerable sites",
                    "breaches": "standards breached",
                },
                numeric={"residents_exposed"},
                grade_columns={"grade"},
            ),
            f'<p class="note">{escape_text(screens.status.get("hazard_sources", ""))}</p>',
            "<h2>Community register (街道社区), worst first</h2>",
            _table(
                screens.communities,
                {
                    "worst_grade": "worst",
                    "name": "unit",
                    "residents": "residents",
                    "residents_I": "in I",
                    "residents_II": "in II",
                    "red_cells": "red cells",
                    "top_hazards": "hazards reaching it",
                },
                numeric={"residents", "residents_I", "residents_II", "red_cells"},
                grade_columns={"worst_grade"},
            ),
            f'<p class="note">{escape_text(screens.status.get("communities", ""))}</p>',
            '<div class="cols"><div><h2>Key districts (重点地区)</h2>',
            _table(
                screens.key_districts,
                {
                    "id": "id",
                    "name": "name",
                    "cells": "cells",
                    "crowd_places": "crowd places",
                    "people_present": "people present",
                },
                numeric={"cells", "crowd_places", "people_present"},
            ),
            "</div><div><h2>Urban villages (城中村)</h2>",
            _table(
                screens.urban_villages,
                {
                    "id": "id",
                    "name": "name",
                    "confidence": "confidence",
                    "buildings": "buildings",
                    "residents": "residents",
                },
                numeric={"buildings", "residents"},
            ),
            f'<p class="note">{escape_text(screens.status.get("urban_villages", ""))}</p></div></div>',
        ]
    if coverage is not None:
        rows = [
            {
                "standard": name,
                "applied": entry["standard"],
                "uncovered": "–"
                if entry["residents_uncovered"] is None
                else _n(entry["residents_uncovered"]),
                "status": entry["status"],
                "source": entry["source"],
            }
            for name, entry in summary.coverage.items()
        ]
        chart_values = {
            name: entry["residents_uncovered"]
            for name, entry in summary.coverage.items()
            if entry["residents_uncovered"] is not None
        }
        sections += [
            "<h2>Emergency-resource coverage: residents not reached within the standard</h2>",
            _table(
                pd.DataFrame(rows),
                {
                    "standard": "standard",
                    "applied": "standard applied",
                    "uncovered": "residents uncovered",
                    "status": "status",
                    "source": "source",
                },
            ),
            _bar_chart(chart_values, {}, "uncovered") if chart_values else "",
            "<h2>Suggested sites for new resources (greedy maximal covering)</h2>",
            _table(
                _with_lonlat(coverage.sites),
                {
                    "standard": "standard",
                    "rank": "rank",
                    "where": "where (lon, lat)",
                    "node": "street node (OSM id)",
                    "residents_added": "residents newly covered",
                    "residents_cumulative": "cumulative",
                },
                numeric={"residents_added", "residents_cumulative"},
            ),
        ]
    if coverage is not None and coverage.resilience is not None:
        sections += _resilience_section(coverage.resilience)
    notes = "".join(f"<li>{escape_text(n)}</li>" for n in summary.notes)
    sections += [
        _completeness(summary),
        "<h2>Inputs</h2>",
        _inputs(result),
        f'<p class="note">Grading: {escape_text(recipe.grading.method)} '
        f"{escape_text(recipe.grading.thresholds)} · method and sources: docs/risk-model.md</p>",
        f"<ul class='note'>{notes}</ul>" if notes else "",
        f'<p class="note">{escape_text(ATTRIBUTION)}. '
        "Population rasters: WorldPop (www.worldpop.org), CC BY 4.0.</p>",
    ]
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title} · urbanrisk report</title><style>{_CSS}</style></head><body>{body}</body></html>"
    )


def _resilience_section(losses: pd.DataFrame) -> list[str]:
    """N-1: which resource of each standard the city can least afford to lose."""
    head = ["<h2>What one loss costs (N-1): residents who fall outside the standard if it closes</h2>"]
    if not len(losses):
        return [*head, '<p class="note">no resource of any standard to lose</p>']
    worst = losses[losses["rank"] == 1]
    label = [
        n if isinstance(n, str) and n else i for n, i in zip(worst["name"], worst["resource_id"], strict=True)
    ]
    lines = [
        f"<li><b>{escape_text(row.standard)}</b>: the city can least afford to lose "
        f"<b>{escape_text(name)}</b> ({escape_text(row.resource_id)}): "
        f"{_n(row.residents_lost)} residents would fall outside the standard</li>"
        for row, name in zip(worst.itertuples(), label, strict=True)
    ]
    table = _table(
        losses,
        {
            "standard": "standard",
            "rank": "rank",
            "name": "name",
            "resource_id": "resource",
            "residents_served": "residents served",
            "residents_lost": "residents lost if closed",
            "cells_lost": "cells lost",
        },
        numeric={"residents_served", "residents_lost", "cells_lost"},
    )
    note = (
        '<p class="note">Each resource removed in turn, coverage solved again from the others '
        "(resilience.parquet).</p>"
    )
    return [*head, f"<ul>{''.join(lines)}</ul>", table, note]


def write_report(result: RunResult, path: str | Path, *, summary: RunSummary | None = None) -> Path:
    """Write ``report.html`` for a run."""
    path = Path(path)
    path.write_text(report_html(result, summary), encoding="utf-8")
    return path
