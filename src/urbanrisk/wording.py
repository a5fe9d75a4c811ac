"""Counts in the English status lines: "1 resource", "0 resources", "12 resources" (the zh
patterns of :mod:`urbanrisk.outputs.i18n` read both forms), and shares as percentages."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

#: Why a cell's residents are unknown when a census table gives them (completeness words it, the map's
#: tooltip reads it): its unit has no count (不详), it lies mostly outside every unit, or its unit is
#: spread by housing that is not mapped there. It said "no population data here" beside a table.
CENSUS_NO_COUNT = (
    "the census table gives no count here (a unit without one, outside the units, or housing unmapped)"
)

#: The count words of the English texts, plural to singular ("1 cell", "1 resident").
SINGULAR = {
    "cells": "cell",
    "residents": "resident",
    "units": "unit",
    "layers": "layer",
    "problems": "problem",
    "sites": "site",
    "sources": "source",
    "records": "record",
    "rows": "row",
    "points": "point",
    "streets": "street",
    "buildings": "building",
    "resources": "resource",
    "districts": "district",
    "clusters": "cluster",
    "features": "feature",
    "people": "person",
}
#: ``{name}`` or ``{name:spec}`` followed by a count word of :data:`SINGULAR`.
_COUNTED = re.compile(r"\{(\w+)(?::([^{}]*))?\} (" + "|".join(SINGULAR) + r")\b")


def counted(count: int, noun: str, *, thousands: bool = False) -> str:
    """``count`` and ``noun``, the noun plural unless the count is one.

    Examples
    --------
    >>> counted(1, "resource"), counted(0, "source"), counted(12_000, "unit", thousands=True)
    ('1 resource', '0 sources', '12,000 units')
    """
    number = f"{count:,}" if thousands else f"{count}"
    return f"{number} {noun}" + ("" if count == 1 else "s")


def count_text(count: float, plural: str, *, spec: str = ",.0f") -> str:
    """``count`` formatted with ``spec`` and ``plural``, singular where the number reads 1.

    Examples
    --------
    >>> count_text(1.2, "residents"), count_text(1234.0, "residents"), count_text(1, "cells", spec=",")
    ('1 resident', '1,234 residents', '1 cell')
    """
    number = format(count, spec)
    return f"{number} {SINGULAR.get(plural, plural) if number == '1' else plural}"


@functools.lru_cache(maxsize=1024)
def _has_count_word(template: str) -> bool:
    return _COUNTED.search(template) is not None


def singular_for_one(template: str, values: Mapping[str, object]) -> str:
    """``template`` (a ``str.format`` text) with each count word of :data:`SINGULAR` after a field
    whose value reads 1 made singular: "{cells} cells" with ``cells="1"`` reads "1 cell".

    Examples
    --------
    >>> singular_for_one("≥ {n} ({cells} cells with residents unknown)", {"n": "12", "cells": "1"})
    '≥ {n} ({cells} cell with residents unknown)'
    >>> singular_for_one("{r:,.0f} residents, {c} cells", {"r": 0.7, "c": 21})
    '{r:,.0f} resident, {c} cells'
    """
    if not _has_count_word(template):  # most templates (a map's 7 a cell, 16 tiles: 75k calls)
        return template

    def one(match: re.Match) -> str:
        name, spec, plural = match.groups()
        if name not in values:
            return match.group(0)
        try:
            reads = format(values[name], spec or "")
        except (TypeError, ValueError):
            return match.group(0)
        return match.group(0)[: -len(plural)] + SINGULAR[plural] if reads.strip() == "1" else match.group(0)

    return _COUNTED.sub(one, template)


def percent(share: float) -> str:
    """A share (0-1) as a percentage; above 0 it never reads 0%, below 1 never 100%.

    Examples
    --------
    >>> percent(0.25), percent(0.001), percent(0.9999), percent(1.0), percent(0.0)
    ('25%', '<1%', '>99%', '100%', '0%')
    """
    if 0 < share < 0.01:
        return "<1%"
    if 0.99 < share < 1:
        return ">99%"
    return f"{share:.0%}"
