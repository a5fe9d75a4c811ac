"""Coverage standards: a preset's rows of ``standards.csv``, the recipe's overrides, and which
standards' resources the recipe declares complete.

Missing is not zero: no fire station in OpenStreetMap is no evidence that there is none, so a
standard without any resource of its kind is unknown (left out of lack of coping). An office's own
registry is its authoritative list, though: a registry with ``complete_for: [fire_station]``, or
``coverage: {overrides: {fire: {resources_complete: true}}}``, declares the kind's resources complete,
and a standard declared complete with none of them is evaluated: nobody is reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import pandas as pd

from . import settings
from ._errors import InputError
from .layers.table_numbers import check_numbers
from .layers.tables import _read_table
from .result import UNITS, Standard
from .street_rules import DRIVING_MODES


def standards_table(path: str | Path | None = None) -> pd.DataFrame:
    """All presets' standards."""
    path = Path(path) if path else settings.tables_dir / "standards.csv"
    table = _read_table(
        path, ["preset", "name", "resource_kind", "mode", "limit", "unit", "turnout_s", "source"]
    )
    check_numbers(table, "standards", path)
    table["limit"] = table["limit"].astype(float)
    table["turnout_s"] = table["turnout_s"].astype(float)
    return table


def standards_for(
    preset: str, overrides: dict[str, dict] | None = None, path: str | Path | None = None
) -> list[Standard]:
    """The standards of a preset, with per-standard overrides (limit, unit, mode, turnout_s,
    resources_complete).

    Examples
    --------
    >>> [s.name for s in standards_for("cn")]
    ['fire', 'medical', 'shelter']
    >>> standards_for("cn", {"fire": {"limit": 4}})[0].travel_budget
    180.0
    >>> standards_for("cn", {"fire": {"resources_complete": True}})[0].declared_complete
    'data declared complete (coverage.overrides.fire.resources_complete)'
    """
    table = standards_table(path)
    rows = table[table["preset"] == preset]
    if rows.empty:
        msg = f"unknown standards preset {preset!r}: use one of {sorted(set(table['preset']))}"
        raise InputError(msg)
    out = []
    for row in rows.itertuples():
        values = {
            k: getattr(row, k)
            for k in ("name", "resource_kind", "mode", "limit", "unit", "turnout_s", "source")
        }
        values.update((overrides or {}).get(row.name, {}))
        if values.pop("resources_complete", False):
            values["declared_complete"] = (
                f"data declared complete (coverage.overrides.{row.name}.resources_complete)"
            )
        if values["unit"] not in UNITS:
            msg = f"standard {row.name}: unit must be min, s or m (got {values['unit']!r})"
            raise InputError(msg)
        out.append(Standard(**values))
    unknown = set(overrides or {}) - {s.name for s in out}
    if unknown:
        msg = (
            f"coverage.overrides names unknown standards {sorted(unknown)}: preset {preset} has "
            f"{[s.name for s in out]}"
        )
        raise InputError(msg)
    return out


def declare_complete(standards: list[Standard], complete_kinds: Mapping[str, str]) -> list[Standard]:
    """The standards, those whose resource kind a registry declares complete marked so.

    ``complete_kinds``: resource kind -> the registry layer that lists every one (``complete_for``).
    A declaration already made by ``coverage.overrides`` stays.

    Examples
    --------
    >>> [s.declared_complete for s in declare_complete(standards_for("cn"), {"hospital": "hospitals"})]
    ['', "a registry declared complete (layer 'hospitals', complete_for)", '']
    """
    out = []
    for standard in standards:
        layer = complete_kinds.get(standard.resource_kind)
        if layer is not None and not standard.declared_complete:
            where = f"a registry declared complete (layer '{layer}', complete_for)"
            standard = replace(standard, declared_complete=where)
        out.append(standard)
    return out


def with_fixed_delay(standards: list[Standard], delay_s: float | None) -> list[Standard]:
    """The standards with a speed table's fixed delay in place of the turnout of drive-time ones.

    Examples
    --------
    >>> [s.turnout_s for s in with_fixed_delay(standards_for("cn"), 45.0)]
    [45.0, 0.0, 0.0]
    """
    if delay_s is None:
        return list(standards)
    return [replace(s, turnout_s=delay_s) if s.mode in DRIVING_MODES and s.by_time else s for s in standards]


def unserved_registry_kinds(
    standards: list[Standard], resources: pd.DataFrame, preset: str, complete: Mapping[str, str]
) -> list[str]:
    """Notes on registry resources no coverage standard serves (a shelter registry under ``nfpa1710``
    was read, mapped and never said to be out of every coverage table).

    >>> rows = pd.DataFrame({"kind": ["shelter", "fire_station"], "source": ["sh:a.csv", "OpenStreetMap"]})
    >>> unserved_registry_kinds(standards_for("nfpa1710"), rows, "nfpa1710", {})  # doctest: +ELLIPSIS
    ["resources: shelter (registry 'sh') serves no coverage standard of preset 'nfpa1710': ..."]
    """
    served = {s.resource_kind for s in standards}
    if resources is None or not len(resources):
        listed = {}
    else:
        registry = resources[resources["source"].astype(str) != "OpenStreetMap"]
        listed = dict(
            zip(registry["kind"], registry["source"].astype(str).str.split(":").str[0], strict=True)
        )
    listed.update((kind, layer) for kind, layer in complete.items() if kind not in listed)
    return [
        f"resources: {kind} (registry '{layer}') serves no coverage standard of preset '{preset}': it is on "
        "the map and in resources.parquet, in no coverage table (name a standard for it in your copy of "
        "standards.csv, tables: {standards: ...})"
        for kind, layer in sorted(listed.items())
        if kind not in served
    ]
