"""The lines ``urbanrisk run`` and ``urbanrisk incident`` print, in the recipe's report language
(``report: {language: zh}``: the catalogue of :mod:`urbanrisk.outputs.i18n`; paths, ids and names as
written).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .outputs.i18n import GRADE_WORDS, RESOURCE_ZH, data_text, standard_name, translator
from .outputs.summary import run_summary
from .result import IncidentResult, RunResult


def translator_for(language: str) -> Callable[..., str]:
    """The catalogue's translator (:func:`urbanrisk.outputs.i18n.translator`)."""
    return translator(language)


def language_of(path: str | Path) -> str:
    """The recipe's report language, read before the run (``en`` when it cannot be read yet: the run
    then says what is wrong with the recipe).

    Examples
    --------
    >>> language_of("no such recipe.yaml")
    'en'
    """
    import yaml

    try:
        report = yaml.safe_load(Path(path).read_text(encoding="utf-8")).get("report") or {}
        return "zh" if report.get("language") == "zh" else "en"
    except (OSError, ValueError, AttributeError, yaml.YAMLError):
        return "en"


def stage_name(name: str, language: str) -> str:
    """A status's name (``hazard_sources``, ``coverage fire``) in ``language``.

    Examples
    --------
    >>> stage_name("coverage fire", "zh"), stage_name("key_districts", "zh")
    ('消防覆盖', '重点地区')
    """
    if language != "zh":
        return name
    t = translator("zh")
    standard = name.removeprefix("coverage ")
    return t("coverage {name}", name=standard_name(standard, "zh")) if standard != name else t(name)


def run_lines(result: RunResult) -> list[str]:
    """What ``urbanrisk run`` prints after a run: counts, grades, statuses, notes, warnings, paths."""
    language = getattr(getattr(result.recipe, "report", None), "language", None) or "en"
    t = translator(language)
    summary = run_summary(result)
    run_dir = result.run_dir
    assert run_dir is not None
    latest = run_dir.parent.parent / "latest"
    counts = summary.counts
    lines = [
        t(
            "  cells: {cells} at H3 resolution {resolution}",
            cells=f"{summary.cells:,}",
            resolution=summary.resolution,
        ),
        t(
            "  residents: {residents} ({source})",
            residents=f"{summary.residents:,.0f}",
            source=data_text(summary.population_source, language),
        ),
        t(
            "  buildings: {buildings} · crowd places: {crowd}",
            buildings=f"{counts['buildings']:,}",
            crowd=f"{counts['crowd_places']:,}",
        ),
    ]
    if summary.graded:
        words = GRADE_WORDS["zh"] if language == "zh" else {}
        grades = ", ".join(
            f"{words.get(g, g) if g == 'no data' else g} {int(v['cells']):,}"
            for g, v in summary.grades.items()
        )
        lines.append(t("  grades (cells): {grades}", grades=grades))
    for name, text in summary.statuses.items():
        lines.append(
            t("  {name}: {status}", name=stage_name(name, language), status=data_text(text, language))
        )
    lines += [t("  note: {note}", note=data_text(note, language)) for note in summary.notes]
    lines += [t("  WARNING: {warning}", warning=data_text(w, language)) for w in summary.warnings]
    stages = ", ".join(f"{t(k)} {v:.2f}" for k, v in result.timings.items())
    return [
        *lines,
        t("  stages (s): {stages}", stages=stages),
        t("  run folder: {path}", path=run_dir),
        t("  latest:     {path}", path=latest),
        t("  map:        {path}", path=latest / "map.html"),
        t("  report:     {path}", path=latest / "report.html"),
    ]


def incident_lines(result: IncidentResult, kind: str) -> list[str]:
    """What ``urbanrisk incident`` prints (``kind``: as the user said it, shown in English)."""
    language = result.language
    t = translator(language)
    within = result.rings.set_index("ring_m")["residents_within"]
    rings = ", ".join(f"{ring:,.0f} {t('m')}: {people:,.0f}" for ring, people in within.items())
    lines = [
        t(
            "urbanrisk incident {kind} at {where} (run {run})",
            kind=result.kind_label or kind,
            where=f"{result.lon:.6f},{result.lat:.6f}",
            run=result.run_dir.name,
        ),
        t("  residents within: {rings}", rings=rings),
        t(
            "  evacuate {radius} m: {evacuees} residents, {unplaced} without a place",
            radius=f"{result.radius_m:,.0f}",
            evacuees=f"{result.evacuees:,.0f}",
            unplaced=f"{result.unplaced:,.0f}",
        ),
        t(
            "  vulnerable sites: {sites} · units to notify: {units}",
            sites=len(result.sites),
            units=len(result.units),
        ),
    ]
    for row in result.resources[result.resources["rank"] == 1].itertuples():
        lines.append(
            t(
                "  nearest {kind}: {name} ({eta} s by {mode})",
                kind=RESOURCE_ZH.get(row.kind, row.kind) if language == "zh" else row.kind,
                name=row.name or row.id,
                eta=f"{row.eta_s:,.0f}",
                mode=t(row.mode),
            )
        )
    lines += [t("  note: {note}", note=data_text(note, language)) for note in result.notes]
    seconds = f"{result.timings['answer_s']:.2f}"
    return [*lines, t("  answered in {seconds} s; files: {path}", seconds=seconds, path=result.out_dir)]
