"""Bounds in the report and the map where residents are unknown (missing is not zero): 2SFCA supply
per 1,000 residents ("≤" where a resource's reach holds cells of unknown residents, "unknown" where it
counted nobody there: :mod:`urbanrisk.supply`), the cells of unknown residents the suggested sites
cover and leave, and the coverage bar chart's bounded and unknown bars."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from ..result import RunResult
from .html import escape_text
from .i18n import standard_name
from .i18n_bounds import SUPPLY_NOTE
from .report_parts import at_least, table_html

SITES_LEFT = (
    "After the suggested {standard} sites, {cells} uncovered cells whose residents are unknown stay "
    "uncovered: the sites do not cover every uncovered resident"
)

CELLS_BOUND = "{standard}: supply per person an upper bound in {bounded} cells, unknown in {unknown} cells"


def per_1000_text(row: Any, t: Callable[..., str]) -> str:
    """A resource's 2SFCA places per 1,000 residents as shown: "12.5", "≤ 12.5 (40% of the cells in
    reach with residents unknown)" or "unknown (…)" (a row of :data:`urbanrisk.supply.STATION_COLUMNS`).

    Examples
    --------
    >>> t = lambda text, **v: text.format(**v)
    >>> row = pd.Series({"per_1000": 12.5, "bound": "exact", "unknown_share": 0.0,
    ...                  "cells_residents_unknown": 0, "capacity": 5.0})
    >>> per_1000_text(row, t), per_1000_text(row.copy().replace({"exact": "upper bound"}), t)
    ('12.5', '≤ 12.5 (0% of the cells in reach with residents unknown)')
    """
    if row["bound"] == "unknown" or pd.isna(row["per_1000"]):
        if pd.isna(row["capacity"]):
            return t("unknown (capacity unknown)")
        cells = f"{int(row['cells_residents_unknown']):,}"
        return t("unknown (nobody counted in reach, {cells} cells with residents unknown)", cells=cells)
    value = f"{row['per_1000']:,.1f}"
    if row["bound"] == "upper bound":
        share = f"{row['unknown_share']:.0%}"
        return t("≤ {n} ({share} of the cells in reach with residents unknown)", n=value, share=share)
    return value


def supply_section(result: RunResult, t: Callable[..., str], language: str = "en") -> str:
    """The report's 2SFCA table (supply.parquet), lowest supply first, bounds and unknowns in words,
    and per standard the cells whose supply per person is an upper bound or unknown; "" without it."""
    coverage = result.coverage
    supply = getattr(coverage, "supply", None) if coverage is not None else None
    if supply is None or not len(supply):
        return ""
    rows = supply.sort_values(["standard", "per_1000"], na_position="last")
    shown = pd.DataFrame(
        {
            "standard": [standard_name(x, language) for x in rows["standard"]],
            "name": [
                x if isinstance(x, str) and x else i
                for x, i in zip(rows["name"], rows["resource_id"], strict=True)
            ],
            "capacity": ["–" if pd.isna(x) else f"{x:,.0f}" for x in rows["capacity"]],
            "counted": [
                at_least(v, k, t)
                for v, k in zip(rows["residents_counted"], rows["cells_residents_unknown"], strict=True)
            ],
            "per_1000": [per_1000_text(row, t) for _, row in rows.iterrows()],
        }
    )
    columns = {
        "standard": t("standard"),
        "name": t("name"),
        "capacity": t("capacity"),
        "counted": t("residents counted in reach"),
        "per_1000": t("per 1,000 residents"),
    }
    lines = "".join(f"<li>{escape_text(x)}</li>" for x in cell_bound_words(result, t, language))
    return (
        f"<h2>{escape_text(t('Supply per 1,000 residents (2SFCA)'))}</h2>"
        + table_html(
            shown, columns, t=t, numeric={"capacity", "counted", "per_1000"}
        )  # worded, right-aligned
        + (f'<ul class="note">{lines}</ul>' if lines else "")
        + f'<p class="note">{escape_text(t(SUPPLY_NOTE))}</p>'
    )


def cell_bound_words(result: RunResult, t: Callable[..., str], language: str = "en") -> list[str]:
    """Per standard with capacities: how many cells' supply per person is an upper bound or unknown
    (coverage.parquet ``supply_bound``), where any is."""
    coverage = result.coverage
    table = coverage.coverage if coverage is not None else None
    if table is None or "supply_bound" not in table.columns or coverage.supply is None:
        return []
    out = []
    for standard in pd.unique(coverage.supply["standard"]):
        bound = table.loc[table["standard"] == standard, "supply_bound"]
        upper, unknown = int((bound == "upper bound").sum()), int((bound == "unknown").sum())
        if upper or unknown:
            out.append(
                t(
                    CELLS_BOUND,
                    standard=standard_name(standard, language),
                    bounded=f"{upper:,}",
                    unknown=f"{unknown:,}",
                )
            )
    return out


def supply_tips(result: RunResult, t: Callable[..., str], language: str = "en") -> dict[tuple[str, str], str]:
    """The map's resource tooltip lines, by (kind, id): each standard's places per 1,000 residents of
    that resource, as a bound where it is one."""
    coverage = result.coverage
    supply = getattr(coverage, "supply", None) if coverage is not None else None
    tips: dict[tuple[str, str], str] = {}
    if supply is None:
        return tips
    for _, row in supply.iterrows():
        line = t(
            "{standard}: {value} capacity per 1,000 residents",
            standard=standard_name(row["standard"], language),
            value=per_1000_text(row, t),
        )
        key = (str(row["kind"]), str(row["resource_id"]))
        tips[key] = tips.get(key, "") + "<br/>" + escape_text(line)
    return tips


def sites_left_note(sites: pd.DataFrame | None, t: Callable[..., str], language: str = "en") -> str:
    """Under the suggested sites: per standard, the uncovered cells of unknown residents its sites
    leave uncovered (never "covers every uncovered resident" while some are left); "" when none."""
    if sites is None or not len(sites) or "unknown_cells_left" not in sites.columns:
        return ""
    last = sites.sort_values("rank").groupby("standard", sort=True).tail(1)
    words = [
        t(
            SITES_LEFT,
            standard=standard_name(row.standard, language),
            cells=f"{int(row.unknown_cells_left):,}",
        )
        for row in last.itertuples()
        if row.unknown_cells_left > 0
    ]
    return "".join(f'<p class="note">{escape_text(w)}</p>' for w in words)


def site_unknown_words(row: Any, t: Callable[..., str]) -> str:
    """A suggested site's tooltip tail: the cells of unknown residents it newly covers ("" if none)."""
    cells = int(getattr(row, "unknown_cells_added", 0) or 0)
    if not cells:
        return ""
    return "<br/>" + escape_text(t("{cells} cells of unknown residents newly covered", cells=f"{cells:,}"))


def uncovered_bars(
    coverage: Mapping[str, Mapping[str, Any]], language: str = "en"
) -> tuple[dict[str, float], dict[str, str]]:
    """The coverage bar chart's values (a summary's ``coverage``) and marks: "bound" where cells of
    unknown residents are uncovered (the count a lower bound), "unknown" (NaN) where nobody was
    counted; standards not evaluated are left out.

    Examples
    --------
    >>> uncovered_bars({"fire": {"residents_uncovered": 5.0, "cells_uncovered_residents_unknown": 2},
    ...                 "medical": {"residents_uncovered": None, "evaluated": True}})
    ({'fire': 5.0, 'medical': nan}, {'fire': 'bound', 'medical': 'unknown'})
    """
    values: dict[str, float] = {}
    marks: dict[str, str] = {}
    for name, entry in coverage.items():
        value = entry["residents_uncovered"]
        if not entry.get("evaluated", value is not None):
            continue
        label = standard_name(name, language)
        values[label] = float("nan") if value is None else float(value)
        if value is None:
            marks[label] = "unknown"
        elif entry.get("cells_uncovered_residents_unknown"):
            marks[label] = "bound"
    return values, marks
