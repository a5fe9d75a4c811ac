"""The lines ``urbanrisk run``, ``incident``, ``validate``, ``rescan``, ``history`` and ``diff`` print, and
their errors, in the recipe's report language (``report: {language: zh}``: the catalogue of
:mod:`urbanrisk.outputs.i18n`; paths, ids, key names, line numbers and names as written). ``diff``,
given two run folders and no recipe, speaks the language of the recipe stored with the newer run.

Light: ``urbanrisk validate`` imports it (no geopandas, shapely or dask).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .outputs.census_compare import status_lines
from .outputs.i18n import GRADE_WORDS, data_text, standard_name, translator
from .outputs.i18n_checks import check_text
from .outputs.incident_words import answer_word, incident_kind
from .recipe.messages import MAX_DEPTH, MAX_RECIPE_BYTES, flow_depth

if TYPE_CHECKING:
    from .changes import Changes
    from .rescan import RescanResult
    from .result import IncidentResult, RunResult


def translator_for(language: str) -> Callable[..., str]:
    """The catalogue's translator (:func:`urbanrisk.outputs.i18n.translator`)."""
    return translator(language)


def batch_lines(recipe: str, folder: Path, language: str) -> list[str]:
    """What ``urbanrisk run a.yaml b.yaml`` prints for one recipe of the batch: its run folder and its
    run's warnings (its manifest's), worded as a single run prints them (buildings incomplete,
    exposure lower bounds, a standard skipped)."""
    t = translator_for(language)
    manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    warnings = [
        t("  WARNING: {warning}", warning=data_text(w, language)) for w in manifest.get("warnings", [])
    ]
    return [t("  {recipe}: run folder {folder}", recipe=recipe, folder=folder), *warnings]


def language_of(path: str | Path) -> str:
    """The recipe's report language, read before the run (``en`` when it cannot be read yet: the run
    then says what is wrong with the recipe).

    Examples
    --------
    >>> language_of("no such recipe.yaml")
    'en'
    """
    import yaml

    try:  # a FIFO or a device is no recipe (reading it would wait forever): the run says so
        if not Path(path).is_file():
            return "en"
        with open(path, "rb") as handle:
            data = handle.read(MAX_RECIPE_BYTES + 1)
    except OSError:
        return "en"
    text = data.decode("utf-8-sig", errors="replace")
    if flow_depth(text) > MAX_DEPTH or len(data) > MAX_RECIPE_BYTES:  # PyYAML would take seconds (a
        return "zh" if _ZH_DECLARED.search(text) else "en"  # minute) to refuse it: the run says why
    try:
        report = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)).get("report") or {}
        return "zh" if report.get("language") == "zh" else "en"
    except (ValueError, AttributeError, TypeError, RecursionError, yaml.YAMLError):
        # a recipe that is not (valid) YAML is told so in the language it asks for, if it says one
        return "zh" if _ZH_DECLARED.search(text) else "en"


_ZH_DECLARED = re.compile(r"^\s*report:\s*\{[^}\n]*\blanguage:\s*['\"]?zh\b|^\s+language:\s*['\"]?zh\b", re.M)


def run_language(folder: str | Path) -> str:
    """The report language of the recipe stored with a run folder (its manifest), ``en`` if unknown."""
    path = Path(folder) / "manifest.json"
    if not path.is_file():  # missing, or a link to /dev/zero or a FIFO (read forever)
        return "en"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        return "zh" if manifest["recipe"]["report"]["language"] == "zh" else "en"
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return "en"


def error_text(text: str, language: str) -> str:
    """An error (a recipe's problems, a file that cannot be read...) as the command prints it.

    Examples
    --------
    >>> error_text("urbanrisk: error: layer 'osm': fix the path (the last complete run is untouched)", "zh")
    "urbanrisk：错误：图层 'osm'：请改正路径（上一次完整运行的结果未受影响）"
    """
    t = translator(language)
    if language != "zh" or t(text) != text:
        return t(text)
    key, body = "{message}", text
    for prefix in ("urbanrisk: error: ", "urbanrisk: "):
        if text.startswith(prefix):
            key, body = prefix + "{message}", text.removeprefix(prefix)
            break
    suffix = ""
    for tail in (" (the last complete run is untouched)", "\n  (the last complete run is untouched)"):
        if body.endswith(tail):
            body = body.removesuffix(tail)
            suffix = "\n  " + t(tail.lstrip()) if tail.startswith("\n") else t(tail.lstrip())
            break
    return t(key, message=check_text(body, language) + suffix)


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
    from .outputs.summary import run_summary

    language = getattr(getattr(result.recipe, "report", None), "language", None) or "en"
    t = translator(language)
    summary = result.summary if result.summary is not None else run_summary(result)  # made by the run
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
    lines[2:2] = status_lines(summary.census, language)  # the census beside the raster, per unit level
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


def _evacuees(shown: str, language: str) -> str:
    """The residents to evacuate as the line says them: a count with its unit in Chinese (1 人), a bound
    or "unknown" as written (未知（…）, never "未知（…） 人").

    >>> _evacuees("1,204", "zh"), _evacuees("≥ 5（影响范围 50% 人口未知）", "zh"), _evacuees("1,204", "en")
    ('1,204 人', '≥ 5（影响范围 50% 人口未知）', '1,204')
    """
    return f"{shown} 人" if language == "zh" and shown[:1].isdigit() else shown


def incident_lines(result: IncidentResult, kind: str) -> list[str]:
    """What ``urbanrisk incident`` prints (``kind``: as the user said it, shown in English)."""
    language = result.language
    t = translator(language)
    from .outputs.i18n_exposure import lower_bound  # "≥ N (x% of the reach unknown)": missing is not zero
    from .outputs.incident_sheet import kept_texts  # not for validate: heavy

    table = result.rings.set_index("ring_m")
    unknown = (
        table["residents_unknown_share"] if "residents_unknown_share" in table else 0.0 * table["residents"]
    )
    within = [lower_bound(n, unknown[r], t) for r, n in table["residents_within"].items()]
    rings = ", ".join(f"{ring:,.0f} {t('m')}: {n}" for ring, n in zip(table.index, within, strict=True))
    lines = [
        t(
            "urbanrisk incident {kind} at {where} (run {run})",
            kind=incident_kind(kind, result.kind_label, language),
            where=f"{result.lon:.6f},{result.lat:.6f}",
            run=result.run_dir.name,
        ),
        t("  residents within: {rings}", rings=rings),
        t(
            "  evacuate {radius} m: {evacuees} residents, {unplaced} without a place",
            radius=f"{result.radius_m:,.0f}",
            evacuees=_evacuees(lower_bound(result.evacuees, unknown.get(result.radius_m, 0.0), t), language),
            unplaced=f"{result.unplaced:,.0f}",
        ),
        t(
            "  vulnerable sites: {sites} · units to notify: {units}",
            sites=len(result.sites),
            units=len(result.units),
        ),
    ]
    kept = getattr(result, "kept_columns", [])  # a registry's keep_columns: 值班电话, 负责人...
    for row in result.resources[result.resources["rank"] == 1].to_dict("records"):
        line = t(
            "  nearest {kind}: {name} ({eta} s by {mode})",
            kind=answer_word(row["kind"], language),
            name=row["name"] or row["id"],
            eta=f"{row['eta_s']:,.0f}",
            mode=t(row["mode"]),
        )
        details = kept_texts(row, kept, language)
        lines.append(line + (" · " + ("；" if language == "zh" else "; ").join(details) if details else ""))
    lines += [t("  note: {note}", note=data_text(note, language)) for note in result.notes]
    seconds = f"{result.timings['answer_s']:.2f}"
    return [*lines, t("  answered in {seconds} s; files: {path}", seconds=seconds, path=result.out_dir)]


#: validate's line when the cells were sized from an OSM extract's header box (``area: {layer: osm}``)
BOX_CELLS = (
    "{recipe}: ok ({layers} layers, H3 resolution {resolution}, at most about {cells} cells: "
    "the extract's box)"
)


def validate_line(
    recipe_path: str | Path,
    layers: int,
    resolution: int,
    cells: int | None,
    language: str,
    warnings: list[str] | None = None,
    box_of_extract: bool = False,
) -> str:
    """What ``urbanrisk validate`` prints for a recipe that passed every check (and its ``warnings``:
    registries that look like GCJ-02 / BD-09, :mod:`urbanrisk.preflight_datum`); ``box_of_extract``:
    ``cells`` was sized from an OSM extract's header box, an upper bound (a polygon cut covers less)."""
    t = translator(language)
    about = (
        BOX_CELLS
        if box_of_extract
        else "{recipe}: ok ({layers} layers, H3 resolution {resolution}, about {cells} cells)"
    )
    ok = (
        t(
            "{recipe}: ok ({layers} layers, H3 resolution {resolution})",
            recipe=recipe_path,
            layers=layers,
            resolution=resolution,
        )
        if cells is None
        else t(
            about,
            recipe=recipe_path,
            layers=layers,
            resolution=resolution,
            cells=f"{cells:,}",
        )
    )
    said = [t("  WARNING: {warning}", warning=data_text(w, language)) for w in warnings or []]
    return "\n".join([ok, *said])


def change_kind(kind: str, language: str) -> str:
    """A change's kind and direction (``cell escalation``, ``coverage fire lost``, ``gap fire new``).

    Examples
    --------
    >>> change_kind("cell escalation", "zh"), change_kind("coverage shelter lost", "zh")
    ('网格单元 升级', '应急避难场所覆盖 丧失')
    """
    if language != "zh":
        return kind
    what, _, direction = kind.rpartition(" ")
    return f"{kind_label(what, language)} {translator('zh')(direction)}"


def kind_label(kind: str, language: str) -> str:
    """What changed (``cell``, ``hazard_source``, ``coverage fire``, ``gap fire``), as an alert names it.

    Examples
    --------
    >>> kind_label("coverage shelter", "zh"), kind_label("gap fire", "zh"), kind_label("cell", "zh")
    ('应急避难场所覆盖', '消防覆盖缺口', '网格单元')
    """
    if language != "zh":
        return kind
    gap = kind.removeprefix("gap ")
    return data_text(f"{gap} gap", "zh") if gap != kind else stage_name(kind, "zh")


def _grade(value: str | None, language: str) -> str:
    """An alert's grade: as written, ``new`` before a first one, ``None`` (English) / 无 where none."""
    t = translator(language)
    return t("new") if value == "" else t("none") if value is None and language == "zh" else str(value)


def change_lines(changes: Changes, language: str) -> list[str]:
    """How many changes of each kind and direction, one line each."""
    t = translator(language)
    return [
        t("  {name}: {status}", name=change_kind(kind, language), status=count)
        for kind, count in changes.summary().items()
    ]


def rescan_lines(result: RescanResult, recipe_path: str | Path, seconds: float, language: str) -> list[str]:
    """What ``urbanrisk rescan`` prints: reused or rerun, the changes, up to 20 alerts, the folder."""
    t = translator(language)
    alerts = result.changes.alerts
    lines = [
        t(
            "urbanrisk rescan {recipe}: {what} (previous run: {previous})",
            recipe=recipe_path,
            what=t("nothing changed: outputs reused" if result.reused else "rerun"),
            previous=result.previous.name if result.previous else t("none"),
        ),
        *change_lines(result.changes, language),
    ]
    if result.not_compared is not None and result.previous is not None:
        lines.append(
            t(
                "  not compared with the previous run {previous}: its tables cannot be read ({error}); this "
                "run is complete and the next rescan compares with it",
                previous=result.previous.name,
                error=result.not_compared,
            )
        )
    for alert in alerts[:20]:
        lines.append(
            t(
                "  ALERT {kind} {who}: {old} -> {new}: {explanation}",
                kind=kind_label(alert["kind"], language),
                who=f"{alert['id']} {data_text(alert['name'] or '', language)}".strip(),  # H3 单元 in zh
                old=_grade(alert["old_grade"] or "", language),
                new=_grade(alert["new_grade"], language),
                explanation=alert["explanation"],
            )
        )
    if len(alerts) > 20:
        lines.append(t("  ... {n} more in alerts.json", n=len(alerts) - 20))
    lines.append(
        t(
            "  escalations: {n} · run folder: {path} · {seconds} s",
            n=len(alerts),
            path=result.run_dir,
            seconds=f"{seconds:.1f}",
        )
    )
    return lines


def diff_lines(run_a: Path, run_b: Path, changes: Changes, language: str) -> list[str]:
    """What ``urbanrisk diff`` prints: the counts, the changes by kind, every escalation."""
    t = translator(language)
    head = t(
        "{old} -> {new}: {changes} changes, {alerts} escalations",
        old=run_a.name,
        new=run_b.name,
        changes=len(changes.table),
        alerts=len(changes.alerts),
    )
    alerts = [
        t(
            "  ALERT {kind} {id}: {old} -> {new}",
            kind=kind_label(a["kind"], language),
            id=a["id"],
            old=_grade(a["old_grade"] or "", language),
            new=_grade(a["new_grade"], language),
        )
        for a in changes.alerts
    ]
    return [head, *change_lines(changes, language), *alerts]


def _pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    space = " " * max(0, width - shown)
    return space + text if right else text + space


def _history_row(folder: Path, manifest: dict[str, Any], latest: Path | None, language: str) -> str:
    t = translator(language)
    counts, grades = manifest.get("counts", {}), manifest.get("grades", {})
    status = t("reused") if manifest.get("reused_from") else t("complete")
    status += t(" (latest)") if latest is not None and folder.resolve() == latest else ""
    alerts = manifest.get("rescan", {}).get("escalations", "")
    cells, residents = counts.get("cells", 0), counts.get("residents", 0)
    red, orange = grades.get("I", {}).get("cells", 0), grades.get("II", {}).get("cells", 0)
    return (
        f"{_pad(folder.name, 30)} {_pad(status, 18)} {cells:>8,} {residents:>11,.0f} {red:>5} {orange:>5} "
        f"{alerts!s:>7}"
    )


def history_lines(out_dir: Path, recipe_name: str, latest: Path | None, language: str) -> list[str]:
    """What ``urbanrisk history`` prints: one row per run of the recipe, oldest first."""
    from .lifecycle import read_manifest, recipe_of

    t = translator(language)
    runs_dir = out_dir / "runs"
    if not runs_dir.is_dir():
        return [t("{folder}: no runs yet", folder=out_dir)]
    heads = [(t("run"), 30), (t("status"), 18), (t("cells"), -8), (t("residents"), -11)]
    heads += [("I", -5), ("II", -5), (t("alerts"), -7)]
    lines = [" ".join(_pad(text, abs(width), right=width < 0) for text, width in heads)]
    for folder in sorted(runs_dir.iterdir()):
        if folder.name.startswith("."):
            lines.append(f"{_pad(folder.name[:30], 30)} {_pad(t('incomplete (debris)'), 18)}")
            continue
        if recipe_of(folder) not in (recipe_name, None):
            continue  # another recipe's run in a shared outputs.dir
        try:
            lines.append(_history_row(folder, read_manifest(folder), latest, language))
        except (OSError, ValueError, AttributeError, TypeError, RecursionError):  # null, [], [[[[...
            lines.append(f"{_pad(folder.name, 30)} {_pad(t('unreadable'), 18)}")
    return lines
