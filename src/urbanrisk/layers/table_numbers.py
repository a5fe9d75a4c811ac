"""The numbers a data table may hold: impact radii, safety distances, speeds, limits, storeys, shares.

A copy of a table (``tables:`` in a recipe) with a radius of 1e308 m, a negative distance, ``nan`` or a
speed of 1e308 km/h ran to the end: every cell in reach of a fuel station, every cell covered in no
time. Each column below has the range a screening can mean; a value outside it (or no number at all)
is refused with the table, the column, the row and the range. Light (pandas only): ``urbanrisk
validate`` checks the recipe's tables with it, and the readers of the tables refuse the same values.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from .. import settings
from .._errors import LayerError

FAR = settings.max_table_distance_m
#: table -> (column, lowest, highest, lowest allowed itself, what the number is, "|"-separated list)
RULES: dict[str, list[tuple[str, float, float, bool, str, bool]]] = {
    "hazard_kinds": [
        ("impact_radius_m", 0, FAR, True, "metres", False),
        ("default_severity", 1, 4, True, "whole: a severity, 4 the most severe", False),
    ],
    "safety_distances": [("min_distance_m", 0, FAR, True, "metres", False)],
    "speeds": [("drive_kmh", 0, 300, False, "km/h", False), ("maxspeed_factor", 0, 5, False, "", False)],
    "standards": [("turnout_s", 0, 3600, True, "seconds", False)],
    "building_types": [
        ("default_levels", 0, 200, False, "storeys", False),
        ("residential_share", 0, 1, True, "a share of the floor area", False),
    ],
    "landuse_context": [
        ("default_levels", 0, 200, False, "storeys", False),
        ("residential_share", 0, 1, True, "a share of the floor area", False),
    ],
    "gb18218": [("q_t", 0, 1e6, False, "tonnes", False), ("beta", 0, 10, False, "correction factor", False)],
    "incident_kinds": [
        ("rings_m", 0, FAR, False, "metres", True),
        ("evacuate_m", 0, FAR, False, "metres", False),
    ],
}
UNIT_WORDS = ("metres", "km/h", "seconds", "storeys", "tonnes", "min", "s", "m")
#: a standard's limit by its unit: a day's drive, or 50 km
LIMITS = {"min": 1440.0, "s": 86400.0, "m": FAR}


def _bad(text: str, low: float, high: float, closed: bool, whole: bool) -> bool:
    try:
        value = float(text)
    except ValueError:
        return True
    if not math.isfinite(value) or value > high or value < low or (value == low and not closed):
        return True
    return whole and value != int(value)


def number_problems(table: pd.DataFrame, key: str, path: str | Path) -> list[str]:
    """What is wrong with the numbers of a table read as text (:func:`urbanrisk.layers.tables._read_table`).

    Examples
    --------
    >>> rows = pd.DataFrame({"kind": ["fuel", "gas"], "impact_radius_m": ["1e308", "200"],
    ...     "default_severity": ["3", "x"]})
    >>> for text in number_problems(rows, "hazard_kinds", "hk.csv"):
    ...     print(text.split(": ", 1)[1])
    '1e308' in row 'fuel' is not a number from 0 to 50,000 metres: fix it
    'x' in row 'gas' is not a whole number from 1 to 4 (a severity, 4 the most severe): fix it
    """
    name = Path(path).name
    first = "name" if key == "standards" and "name" in table.columns else table.columns[0]
    label = table[first].astype(str) if len(table.columns) else pd.Series(dtype=str)
    problems = []
    rules = list(RULES.get(key, []))
    if key == "standards" and {"limit", "unit"} <= set(table.columns):
        for unit, top in LIMITS.items():
            rows = table[table["unit"].str.strip() == unit]
            problems += _column_problems(rows, label, name, ("limit", 0, top, False, unit, False))
    for rule in rules:
        problems += _column_problems(table, label, name, rule)
    return problems


def _column_problems(
    table: pd.DataFrame, label: pd.Series, name: str, rule: tuple[str, float, float, bool, str, bool]
) -> list[str]:
    column, low, high, closed, what, listed = rule
    if column not in table.columns:
        return []  # a missing column is the reader's to tell (optional ones have defaults)
    whole = what.startswith("whole")
    problems = []
    for index, text in table[column].astype(str).str.strip().items():
        if not text and column == "maxspeed_factor":
            continue  # blank: 1
        parts = [p.strip() for p in text.split("|") if p.strip()] if listed else [text]
        if parts and not any(_bad(p, low, high, closed, whole) for p in parts):
            continue
        unit = f" {what}" if what in UNIT_WORDS else ""
        unit = unit or (f" ({what.removeprefix('whole: ')})" if what else "")
        span = f"from {low:,.0f} to" if closed else f"above {low:,.0f}, at most"
        number = "whole number" if whole else "number"
        problems.append(
            f"{name}, column '{column}': '{text}' in row '{label[index]}' is not a {number} {span} "
            f"{high:,.0f}{unit}: fix it"
        )
    return problems[:5]


def check_numbers(table: pd.DataFrame, key: str, path: str | Path) -> None:
    """Raise when :func:`number_problems` finds any.

    Raises
    ------
    LayerError
        Naming the table, each column, row and range.
    """
    problems = number_problems(table, key, path)
    if problems:
        msg = f"tables.{key}: " + "; ".join(problems)
        raise LayerError(msg)
