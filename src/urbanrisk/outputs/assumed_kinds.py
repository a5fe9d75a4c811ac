"""The note every output gives when hazard sources got urbanrisk's assumed impact radius and severity
(their kind is not in the hazard kind table: :mod:`urbanrisk.hazard_defaults`), in English and Chinese.

The run's notes (report, manifest.json, the terminal), the report's hazard table and the map's notes
carry it; ``hazard_sources.parquet`` and risk.gpkg mark each such source (``defaults_assumed``).
Its Chinese: :mod:`.i18n_assumed`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..wording import counted
from .html import escape_text
from .i18n import data_text


def assumed_kinds_note(hazards: pd.DataFrame | None, table: str | Path | None = None) -> str:
    """What the outputs say of the sources whose impact radius and severity were assumed ("" when none):
    how many, of which kinds, the values, and how to give them (``table``: the recipe's hazard kind
    table, None: the shipped one).

    Examples
    --------
    >>> hz = pd.DataFrame({"kind": ["pipeline", "fuel", "pipeline"], "impact_radius_m": [100.0, 100, 100],
    ...     "severity": [2, 3, 2], "defaults_assumed": [True, False, True]})
    >>> assumed_kinds_note(hz)[:78]
    '2 hazard sources of kinds not in hazard_kinds.csv (pipeline 2): impact radius '
    >>> assumed_kinds_note(hz[hz["kind"] == "fuel"])
    ''
    """
    if hazards is None or not len(hazards) or "defaults_assumed" not in hazards.columns:
        return ""
    assumed = hazards[hazards["defaults_assumed"].fillna(False).astype(bool)]
    if not len(assumed):
        return ""
    name = Path(table).name if table else "hazard_kinds.csv"
    kinds = ", ".join(
        f"{kind} {n}" for kind, n in assumed["kind"].astype(str).value_counts().sort_index().items()
    )
    radius = ", ".join(f"{r:.0f}" for r in sorted(set(assumed["impact_radius_m"].astype(float))))
    severity = ", ".join(str(s) for s in sorted(set(assumed["severity"].astype(int))))
    return (
        f"{counted(len(assumed), 'hazard source')} of kinds not in {name} ({kinds}): impact radius "
        f"{radius} m and severity {severity} are urbanrisk's assumptions, not a standard's; their residents "
        f"in reach and grades rest on them: add a row for each kind to your copy of {name} "
        "(tables: {hazard_kinds: FILE})"
    )


def run_assumed_note(result: Any) -> list[str]:
    """:func:`assumed_kinds_note` of a run's result, as a list of notes (empty when none)."""
    screens = getattr(result, "screens", None)
    note = assumed_kinds_note(
        screens.hazard_sources if screens is not None else None, result.recipe.tables.hazard_kinds
    )
    return [note] if note else []


def assumed_note_html(result: Any, language: str) -> str:
    """The note under the report's hazard table (escaped HTML, in ``language``; "" when none).

    Chinese only: the English report lists the run's notes in full, this one among them (it was shown
    twice), while the Chinese report counts them ("n technical notes: see manifest.json").
    """
    if language != "zh":
        return ""
    notes = run_assumed_note(result)
    return "".join(f'<p class="note">{escape_text(data_text(n, language))}</p>' for n in notes)
