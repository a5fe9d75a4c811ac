"""The planner's report: ``report.html``, self-contained, offline, printable on A4.

Tables and inline SVG charts (no script, no external file): residents per grade, top hazard
sources, GB 18218 major hazard sources, the community register (worst first), risk registers per
unit level, the responsibility list, key districts, urban villages, uncovered residents per resource
standard with the standard applied, suggested sites, the changes since the last run (after a
rescan), inputs and their dates. Every text taken from data is HTML-escaped. ``report: {language:
zh}`` in the recipe writes it in Chinese (:mod:`.i18n`); English is the default.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..result import CLASS_COLOURS, GRADE_CLASSES, GRADE_RANK, RunResult
from .assumed_kinds import assumed_note_html
from .census_compare import census_html
from .credits import source_credits
from .html import escape_text
from .i18n import (
    GRADE_WORDS,
    data_text,
    sites_text,
    standard_name,
    standard_source,
    standard_words,
    translator,
)
from .i18n_deliverables import colon
from .i18n_exposure import exposure_note
from .i18n_severity import hazard_display
from .report_changes import changes_section
from .report_parts import CSS, bar_chart, bounded_sum, mark_short_sections, n, sites_note, table_html
from .report_sections import (
    hazard_labels,
    major_hazard_section,
    registers_section,
    resilience_section,
    responsibility_section,
)
from .report_sources import TOP_WIDE, top_first, with_why
from .report_supply import sites_left_note, supply_section, uncovered_bars
from .site_hazard_words import sites_kept_clear_note
from .summary import RunSummary, run_summary


def report_language(result: RunResult) -> str:
    """The recipe's ``report: {language: ...}`` (``en`` when unset)."""
    report = getattr(result.recipe, "report", None)
    return getattr(report, "language", None) or "en"


def _class_label(grade: str, language: str) -> str:
    words = GRADE_WORDS[language][grade]
    return words if grade not in GRADE_RANK else f"{grade} {words}"


def _completeness(summary: RunSummary, t: Callable[..., str], language: str) -> str:
    """What was measured, what was unknown where, and how complete the data look."""
    info = summary.completeness
    if not info:
        return ""
    warnings = "".join(
        f'<p class="warn">⚠ {escape_text(data_text(w, language))}</p>' for w in summary.warnings
    )
    share = info.get("building_completeness")
    rows = pd.DataFrame(
        [{"indicator": k, "cells": v} for k, v in info.get("cells_unknown_by_indicator", {}).items()]
    )
    table = (
        table_html(rows, {"indicator": t("indicator unknown"), "cells": t("cells")}, t=t, numeric={"cells"})
        if len(rows) and language != "zh"
        else ""
    )
    if not len(rows):
        table = f'<p class="note">{escape_text(t("every indicator was measured in every cell"))}</p>'
    estimate = t("no basis for an estimate") if share is None else t("about {share}", share=f"{share:.0%}")
    if language == "zh":
        text = t("completeness text", estimate=estimate)
        unknown = "；".join(
            f"{_indicator_zh(k)}：{v:,} 个单元" for k, v in info.get("cells_unknown_by_indicator", {}).items()
        )
        text += f" 未知指标：{unknown}。" if unknown else ""
    else:
        text = (
            f"OSM buildings: {estimate} complete ({info.get('method', '')}). Unknown indicators are left out "
            "of their dimension (never counted as 0); cells with too little measured have no grade."
        )
    heading = escape_text(t("Data completeness: what could not be measured"))
    return f"<h2>{heading}</h2>{warnings}<p>{escape_text(text)}</p>{table}"


def _indicator_zh(key: str) -> str:
    """An unknown indicator's name in Chinese; "fire coverage" (a standard left unknown) -> 消防覆盖."""
    if key.endswith(" coverage"):
        return f"{standard_name(key.removesuffix(' coverage'), 'zh')}覆盖"
    return INDICATOR_ZH.get(key, key)


INDICATOR_ZH = {
    "hazard sources": "危险源",
    "crowding": "人员密集",
    "residents": "常住人口",
    "urban-village form": "城中村形态",
    "building density": "建筑密度",
    "vulnerable sites": "脆弱场所",
    "coping capacity": "应对能力",
}


def _inputs(result: RunResult, t: Callable[..., str]) -> str:
    rows = []
    for name, path in result.layers.files.items():
        file = Path(path)
        newest = result.layers.stats.get(name, {}).get("newest_object_epoch")
        if newest:  # OSM: the date of the newest object in the extract
            date = (
                dt.datetime.fromtimestamp(newest, dt.UTC).strftime("%Y-%m-%d")
                + (" " + t("(newest OSM edit)")).replace(" （", "（")  # no space before a full-width bracket
            )
        elif file.exists():
            date = dt.datetime.fromtimestamp(file.stat().st_mtime, dt.UTC).strftime("%Y-%m-%d") + (
                " " + t("(file)")
            ).replace(" （", "（")
        else:
            date = ""
        kind = (
            result.recipe.layers[name].type if name in result.recipe.layers else "polygons"
        )  # <layer>.units, area.path
        layer = t("area") if name == "area.path" else name  # the boundary file: the study area's row
        rows.append({"layer": layer, "type": kind, "file": file.name, "date": date})
    columns = {"layer": t("layer"), "type": t("type"), "file": t("file"), "date": t("data date")}
    return table_html(pd.DataFrame(rows), columns, t=t, limit=50)


def _with_lonlat(sites: pd.DataFrame) -> pd.DataFrame:
    if sites is None or not len(sites):
        return sites
    return sites.assign(where=[f"{g.x:.5f}, {g.y:.5f}" for g in sites.geometry])


def _head(result: RunResult, summary: RunSummary, t: Callable[..., str], language: str) -> list[str]:
    screens = result.screens
    total = summary.residents
    by_grade = {g: summary.grades[g]["residents"] for g in GRADE_CLASSES}
    cells_by_grade = {g: int(summary.grades[g]["cells"]) for g in GRADE_CLASSES}
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cards = [
        (t("residents"), n(total)),
        (t("cells"), f"{summary.cells:,} (H3 r{summary.resolution})"),
        (t("grade I cells"), f"{cells_by_grade['I']:,}"),
        (t("hazard sources"), f"{len(screens.hazard_sources):,}" if screens else "–"),
        (t("key districts"), f"{len(screens.key_districts):,}" if screens else "–"),
        (t("urban villages"), f"{len(screens.urban_villages):,}" if screens else "–"),
    ]
    card_html = "".join(f'<div class="card">{escape_text(k)}<b>{escape_text(v)}</b></div>' for k, v in cards)
    grade_table = pd.DataFrame(
        {
            "grade": list(GRADE_CLASSES),
            "name": [GRADE_WORDS[language][g] for g in GRADE_CLASSES],
            "cells": [cells_by_grade[g] for g in GRADE_CLASSES],
            "residents": [by_grade[g] for g in GRADE_CLASSES],
            "unknown": [int(summary.grades[g].get("cells_residents_unknown", 0)) for g in GRADE_CLASSES],
        }
    )
    columns = {"grade": t("grade"), "name": t("level"), "cells": t("cells"), "residents": t("residents")}
    if grade_table["unknown"].any():  # a 0 it never measured is not 0 residents: say in how many cells
        columns["unknown"] = t("cells with residents unknown")
    grade_html = table_html(
        grade_table,
        columns,
        t=t,
        numeric={"cells", "residents", "unknown"},
        grade_columns={"grade"},
    )
    labels = {_class_label(g, language): g for g in GRADE_CLASSES}
    chart = bar_chart(
        {label: by_grade[g] for label, g in labels.items()},
        {label: CLASS_COLOURS[g] for label, g in labels.items()},
        t("residents"),
    )
    population = (
        data_text(summary.population_source, language) if language != "zh" else _population_zh(summary)
    )
    return [
        f"<h1>{escape_text(summary.title)}</h1>",
        f'<div class="sub">{escape_text(t("urbanrisk risk screening"))} · {escape_text(t("generated"))} '
        f"{escape_text(when)} · {escape_text(t('population') + colon(language) + population)}</div>",
        f'<div class="cards">{card_html}</div>',
        *(f'<p class="warn">⚠ {escape_text(data_text(w, language))}</p>' for w in summary.warnings),
        census_html(summary.census, language),  # which total was used, how far the others are
        f"<h2>{escape_text(t('Residents per grade'))}</h2>",
        f'<div class="cols"><div>{grade_html}'
        f'<p>{escape_text(t("Residents in total") + colon(language))}<b id="residents-total">{n(total)}</b>'
        "</p></div>"
        f"<div>{chart}</div></div>",
    ]


def _population_zh(summary: RunSummary) -> str:
    source = summary.population_source.lower()
    if source.startswith("census table"):  # urbanrisk.population_table
        return "人口统计表（各单元常住人口按居住建筑面积分配到网格）"
    if "raster" in source:
        return "人口栅格（按面积精确分配）"
    if "building" in source:
        per = re.search(r"÷ ([\d.]+) m²", summary.population_source)
        return "按居住建筑面积估算" + (f"（人均 {per.group(1)} 平方米）" if per else "")
    return "未知"


def _screens(result: RunResult, t: Callable[..., str], language: str) -> list[str]:
    screens = result.screens
    if screens is None:
        return []
    labels = hazard_labels(result, language)
    hz = screens.hazard_sources.copy()
    if len(hz):
        hz = top_first(hz)  # an ungraded 一级 source first, an ungraded one by the floor of its grade
        if "osm_ref" in hz.columns:  # an unnamed OSM site is named by its reference, as targets are
            unnamed = hz["name"].isna() | (hz["name"].astype(str).str.strip() == "")
            hz["name"] = hz["name"].mask(unnamed, hz["osm_ref"])
    zh, hz = language == "zh", with_why(hazard_display(hz, t, language), language)  # and why ungraded

    def status(name: str) -> str:
        return escape_text(data_text(screens.status.get(name, ""), language))

    def words(key: str, value: object) -> str:
        if key == "confidence":  # 0-1, two decimals (it printed 0.6321687780821276)
            return f"{float(value):.2f}" if value == value else ""
        if key in ("vulnerable_names", "breaches"):  # none found is said, not a blank cell
            return sites_text(value, language) or (t("none found") if value == "" else "")
        return labels(data_text(value, language))

    return [
        f"{TOP_WIDE}<h2>{escape_text(t('Top hazard sources (危险源点)'))}</h2>",  # across, unless short
        table_html(
            hz,
            {
                "grade": t("grade"),
                "label_zh" if zh and "label_zh" in hz.columns else "label": t("kind"),
                "name": t("name"),
                "severity": t("severity"),
                "residents_exposed": t("residents in reach"),
                "vulnerable_names": t("vulnerable sites"),
                "breaches": t("standards breached"),
            },
            t=t,
            numeric={"residents_exposed"},
            grade_columns={"grade"},
            text=words,
            bounds={"residents_exposed": "residents_unknown_share"},
            labels={"grade": "grade_label"} if len(hz) else None,
            grade_notes={"grade": "not_graded_why"},
        ),
        exposure_note(hz.get("residents_unknown_share", pd.Series(dtype=float)), t),
        assumed_note_html(result, language),  # kinds not in hazard_kinds.csv: radius and severity assumed
        f'<p class="note">{status("hazard_sources")}</p></section>',
        major_hazard_section(result, t, language),
        f'<section class="major"><h2>{escape_text(t("Community register (街道社区), worst first"))}</h2>',
        table_html(
            screens.communities,
            {
                "worst_grade": t("worst"),
                "name": t("unit"),
                "residents": t("residents"),
                "residents_I": t("in I"),
                "residents_II": t("in II"),
                "red_cells": t("red cells"),
                "top_hazards_zh"
                if zh and "top_hazards_zh" in screens.communities.columns
                else "top_hazards": t("hazards reaching it"),
            },
            t=t,
            numeric={"residents", "residents_I", "residents_II", "red_cells"},
            grade_columns={"worst_grade"},
            text=words,
            unknown_cells={"residents": "cells_residents_unknown"},
        ),
        f'<p class="note">{status("communities")}</p></section>',
        f'<section class="major"><div class="cols"><div><h2>{escape_text(t("Key districts (重点地区)"))}'
        "</h2>",
        table_html(
            screens.key_districts,
            {
                "id": "ID",
                "name": t("name"),
                "cells": t("cells"),
                "crowd_places": t("crowd places"),
                "people_present": t("people present"),
            },
            t=t,
            numeric={"cells", "crowd_places", "people_present"},
            text=words,
        ),
        f"</div><div><h2>{escape_text(t('Urban villages (城中村)'))}</h2>",
        table_html(
            screens.urban_villages,
            {
                "id": "ID",
                "name": t("name"),
                "confidence": t("confidence"),
                "buildings": t("buildings"),
                "residents": t("residents"),
            },
            t=t,
            numeric={"buildings", "residents"},
            text=words,
        ),
        f'<p class="note">{status("urban_villages")}</p></div></div></section>',
    ]


def _coverage(result: RunResult, summary: RunSummary, t: Callable[..., str], language: str) -> list[str]:
    coverage = result.coverage
    if coverage is None:
        return []
    rows = [
        {
            "standard": standard_name(name, language),
            "applied": standard_words(entry, language),
            "uncovered": "–"  # not evaluated; evaluated and None: unknown (nobody counted, cells unknown)
            if not entry.get("evaluated", entry["residents_uncovered"] is not None)
            else bounded_sum(
                entry["residents_uncovered"],
                entry.get("cells_uncovered_residents_unknown"),
                t,
                share=entry.get("share_uncovered_area_residents_unknown"),
                outside_cells=entry.get("cells_coverage_unknown"),
            ),
            "status": data_text(entry["status"], language),
            "source": standard_source(entry["source"], language),
        }
        for name, entry in summary.coverage.items()
    ]
    chart_values, marks = uncovered_bars(summary.coverage, language)  # bounds and unknowns marked
    return [
        '<section class="major"><h2>'
        f"{escape_text(t('Emergency-resource coverage: residents not reached within the standard'))}</h2>",
        table_html(
            pd.DataFrame(rows),
            {
                "standard": t("standard"),
                "applied": t("standard applied"),
                "uncovered": t("residents uncovered"),
                "status": t("status"),
                "source": t("source"),
            },
            t=t,
            numeric={"uncovered"},
        ),
        bar_chart(chart_values, {}, t("uncovered"), marks, t) if chart_values else "",
        f"<h2>{escape_text(t('Suggested sites for new resources (greedy maximal covering)'))}</h2>",
        table_html(
            _with_lonlat(coverage.sites).assign(
                standard=lambda f: [standard_name(x, language) for x in f["standard"]]
            )
            if coverage.sites is not None and len(coverage.sites)
            else coverage.sites,
            {
                "standard": t("standard"),
                "rank": t("rank"),
                "where": t("where (lon, lat)"),
                "node": t("street node (OSM id)"),
                "residents_added": t("residents newly covered"),
                "residents_cumulative": t("cumulative"),
                "unknown_cells_added": t("cells of unknown residents newly covered"),
            },
            t=t,
            numeric={"residents_added", "residents_cumulative", "unknown_cells_added"},
        ),
        sites_note(summary.coverage, t) + sites_left_note(coverage.sites, t, language),
        sites_kept_clear_note(coverage.sites, language),
        supply_section(result, t, language),
        "</section>",
    ]


def report_html(
    result: RunResult,
    summary: RunSummary | None = None,
    *,
    folder: Path | None = None,
    language: str | None = None,
) -> str:
    """The report page for a run, as one HTML string (``folder``: the run folder, for its changes)."""
    summary = summary or run_summary(result)
    language = language or report_language(result)
    t = translator(language)
    recipe = result.recipe
    notes = summary.notes
    if language == "zh":
        note_html = (
            f'<p class="note">{escape_text(t("{n} technical notes: see manifest.json", n=len(notes)))}</p>'
            if notes
            else ""
        )
    else:
        note_html = (
            "<ul class='note'>" + "".join(f"<li>{escape_text(x)}</li>" for x in notes) + "</ul>"
            if notes
            else ""
        )
    stop = "。" if language == "zh" else "."  # every source the run used (no OSM layer: no OSM credit)
    credits = " ".join(
        escape_text(c + ("" if c.endswith((".", "。")) else stop)) for c in source_credits(recipe, t)
    )
    sections = [
        *_head(result, summary, t, language),
        changes_section(folder, t, language),
        *_screens(result, t, language),
        registers_section(result, summary, t, language),
        responsibility_section(result, t, language),
        *_coverage(result, summary, t, language),
        resilience_section(result, t, language),
        '<section class="major">',
        _completeness(summary, t, language),
        f"<h2>{escape_text(t('Inputs'))}</h2>",
        _inputs(result, t),
        f'<p class="note">{escape_text(t("Grading") + colon(language) + t(recipe.grading.method))} '
        f"{escape_text(recipe.grading.thresholds)} · "
        f"{escape_text(t('method and sources: docs/risk-model.md'))}</p>",
        note_html,
        f'<p class="note">{credits}</p>' if credits else "",
        "</section>",
    ]
    body = mark_short_sections("\n".join(sections))
    lang = "zh-CN" if language == "zh" else "en"
    title = escape_text(summary.title)
    suffix = "风险普查报告" if language == "zh" else "urbanrisk report"
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} · {suffix}</title><style>{CSS}</style></head><body>{body}</body></html>"
    )


def write_report(result: RunResult, path: str | Path, *, summary: RunSummary | None = None) -> Path:
    """Write ``report.html`` for a run (with its changes when the folder holds ``changes.parquet``)."""
    path = Path(path)
    path.write_text(report_html(result, summary, folder=path.parent), encoding="utf-8")
    return path
