"""Hazard kinds the hazard kind table does not list, and what urbanrisk assumes for them.

A registry's kinds must be in ``hazard_kinds.csv`` (validate refuses the others), but an OSM tag table
may map a tag to a hazard kind the kind table has no row for (a copy of ``osm_tags.csv`` that adds
``man_made=pipeline`` as ``pipeline``, or a copy of ``hazard_kinds.csv`` without ``power``). Such a
source gets an impact radius of :data:`UNLISTED_RADIUS_M` and a severity of :data:`UNLISTED_SEVERITY`:
assumptions, not a standard's distance. The hazard table marks them (``defaults_assumed``), and
validate, the run's notes, the report and the map say which kinds got them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .layers.tables import hazard_kind_table, osm_tag_table

#: The impact radius (m) of a source whose kind the hazard kind table does not list.
UNLISTED_RADIUS_M = 100.0
#: The severity (1-4, 4 the most severe) of an OSM source whose kind the table does not list.
UNLISTED_SEVERITY = 2


def defaults_assumed(kinds: pd.Series | np.ndarray, table: pd.DataFrame) -> np.ndarray:
    """Per source, whether its kind is missing from the hazard kind ``table`` (its radius and
    severity are then :data:`UNLISTED_RADIUS_M` and :data:`UNLISTED_SEVERITY`).

    >>> defaults_assumed(pd.Series(["fuel", "pipeline"]), hazard_kind_table()).tolist()
    [False, True]
    """
    return ~pd.Index(np.asarray(kinds, dtype=object)).isin(table.index)


def unlisted_osm_kinds(
    osm_tags: str | Path | None = None, hazard_kinds: str | Path | None = None
) -> list[str]:
    """The hazard kinds an OSM tag table maps tags to that the hazard kind table does not list (sorted).

    >>> unlisted_osm_kinds()  # the shipped tables agree
    []
    """
    tags = osm_tag_table(osm_tags)
    hazard = tags[tags["roles"].map(lambda roles: "hazard" in roles)]
    return sorted(set(hazard["kind"].astype(str)) - set(hazard_kind_table(hazard_kinds).index.astype(str)))


def unlisted_kinds_warning(recipe: Any) -> str:
    """What ``urbanrisk validate`` says of a recipe whose OSM tag table maps tags to hazard kinds the
    hazard kind table lacks ("" when none, or no OSM layer)."""
    if not any(getattr(spec, "type", "") == "osm" for spec in recipe.layers.values()):
        return ""
    kinds = unlisted_osm_kinds(recipe.tables.osm_tags, recipe.tables.hazard_kinds)
    if not kinds:
        return ""
    table = Path(recipe.tables.hazard_kinds or "hazard_kinds.csv").name
    tags = Path(recipe.tables.osm_tags or "osm_tags.csv").name
    return (
        f"hazard kinds of {tags} not in {table}: {', '.join(kinds)}: OSM sources of them get an assumed "
        f"impact radius of {UNLISTED_RADIUS_M:.0f} m and severity {UNLISTED_SEVERITY}, not a standard's: "
        f"add a row for each to your copy of {table} (tables: {{hazard_kinds: FILE}})"
    )
