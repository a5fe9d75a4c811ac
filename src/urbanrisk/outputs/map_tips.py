"""The map's tooltips of its cells: grade, scores and why, residents, and each standard's travel.

Pre-built HTML in which every value from data is escaped; a cell whose travel is unknown says why
(:mod:`.map_unknown`). Moved out of :mod:`.deck` (the deck's layers) whole.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import pandas as pd

from ..result import RunResult
from ..wording import CENSUS_NO_COUNT
from .display import TIP_COLUMNS, TRAVEL_TIPS
from .html import escape_text
from .i18n import MAP_GRADE_WORDS, standard_name, translator, unknown_text
from .i18n_alerts import alert_explanation
from .map_residents_unknown import hollow_tip
from .map_unknown import tip_words, unknown_kinds
from .report_parts import at_least

#: the reason of a cell's residents unknown where some are known (its part in a known unit)
PARTLY_UNKNOWN = "part of the cell lies in a census unit of unknown residents"
NO_DATA_HERE = f"residents: {CENSUS_NO_COUNT}"  # a census cell's reason (completeness)


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


def _fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _travel_text(
    value: float,
    unit: str,
    covered: object,
    language: str = "en",
    t: Callable[..., str] | None = None,
    at_least: float | None = None,
) -> str:
    t = t or translator(language)
    if value != value and not (at_least is not None and at_least == at_least):  # no route, no street nearby
        return t("not reached")
    amount = _amount(value if value == value else at_least, unit, t)
    if value != value:  # not measured beyond a partition's exact range (coverage_dask): a lower bound
        return f"{t('more than {amount}', amount=amount)} ✗"
    return f"{amount} {'✓' if covered is True or (not pd.isna(covered) and covered == 1) else '✗'}"


def _amount(value: float, unit: str, t: Callable[..., str]) -> str:
    """A travel time in minutes or a distance in km; a distance under 10 m "< 10 m" (not "0.00 km")."""
    if unit == "s":
        return f"{value / 60:.1f} {t('min')}"
    return escape_text(t("< 10 m")) if value < 10 else f"{value / 1000:.2f} {t('km')}"


def _rows(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Each row as a dict of the tooltip's columns, values as ``iterrows`` gives them (Python
    scalars): ``iterrows`` took 1.5 s for a 64-tile city's 4,294 map cells."""
    names = [c for c in frame.columns if c in TIP_COLUMNS or c.endswith(TRAVEL_TIPS)]
    columns = [frame[c].astype(object).tolist() for c in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _residents_line(row: dict[str, object], t: Callable[..., str]) -> str:
    """A cell's residents, buildings and coverage; its residents "unknown" where they could not be
    measured, and a map cell shown for several (a large grid's parent) says how many were not. The two
    building figures say what each counts: a building counts once, in the cell of its centre
    (:func:`urbanrisk.indicators.buildings_to_cells`), while the coverage adds the part of every
    footprint inside the cell ("buildings 0" beside 18 % read as a contradiction)."""
    residents = _fmt(row["residents"])
    if row.get("display_children") is not None:
        residents = at_least(row["residents"], row["cells_residents_unknown"], t)
    elif _partly_known(row):  # partly in a 不详 census unit: its known part, a lower bound
        residents = t("≥ {residents} (the rest unknown)", residents=_fmt(row["residents"]))
    elif row.get("known_residents") is False:
        residents = t("unknown")
    return t(
        "residents {residents} · buildings {buildings} (by centre; footprints cover {share}%)",
        residents=residents,
        buildings=_fmt(row["buildings"]),
        share=f"{row['coverage_ratio'] * 100:.0f}",
    )


def _partly_known(row: dict[str, object]) -> bool:
    """Whether a cell of unknown residents holds some known ones: partly in a census unit 不详, it holds
    its known neighbour unit's (the reason :data:`CENSUS_NO_COUNT` and residents above 0). Not a cell
    of too few mapped buildings: its residents stay "unknown" (an estimate from part of them)."""
    residents = row.get("residents")
    return (
        row.get("known_residents") is False
        and NO_DATA_HERE in str(row.get("unknown") or "")
        and residents is not None
        and residents > 0
    )


def _unknown_line(row: dict[str, object], language: str, t: Callable[..., str]) -> str:
    """The tip's line of a cell's unknown indicators, its residents' reason right (:func:`_partly_known`)."""
    text = str(row["unknown"])
    if _partly_known(row):
        text = text.replace(NO_DATA_HERE, f"residents: {PARTLY_UNKNOWN}")
    return f"<i>{t('unknown: {what}', what=escape_text(unknown_text(text, language)))}</i>"


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
    within: dict[str, dict[str, str]] | None = None,
) -> list[str]:
    """Tooltip HTML per cell; every value from data is escaped.

        ``travel_units`` (standard name -> "s" or "m") adds the travel to the nearest resource of each
        coverage standard, with ✓ when within the standard; ``unknown`` (standard -> cell -> words) says why
        a cell's travel is unknown where it is (:mod:`.map_unknown`); ``within`` (standard -> display cell ->
    words) how many of a large grid's display cell's own cells have unknown travel, and why (its travel
    shown is its riskiest cell's). Rows as dicts (:func:`_rows`).
    """
    t = translator(language)
    names = MAP_GRADE_WORDS[language]  # one language's words (en read 重大 major)
    graded = "grade" in grid.columns
    travel_units = {k: v for k, v in (travel_units or {}).items() if f"{k}_travel" in grid.columns}
    reaches = [  # per standard: its name (escaped) and its columns, looked up once
        (f"{escape_text(standard_name(name, language))} ", f"{name}_travel", f"{name}_covered", unit, name)
        for name, unit in travel_units.items()
    ]
    unknown, within = unknown or {}, within or {}
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
                lines.append(_unknown_line(row, language, t))
        lines.append(_residents_line(row, t))
        if graded and row.get("known_residents") is False:  # drawn hollow on the graded view
            words = "residents partly unknown: the count is the known part (a lower bound), drawn hollow"
            lines.append(f"<i>{escape_text(t(words))}</i>" if _partly_known(row) else hollow_tip(language))
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
                    or _travel_text(
                        row[travel], unit, row[covered], language, t, row.get(f"{key}_travel_at_least")
                    )
                )
                + (f" ({escape_text(words)})" if (words := within.get(key, {}).get(cell)) else "")
                for name, travel, covered, unit, key in reaches
            )
            lines.append(t("nearest resource: {reach}", reach=reach))
        tips.append("<br/>".join(lines))
    return tips
