"""Where a loss of coverage falls: the residents who lost it per unit at every level (区, 街道, 社区...),
named in the coverage-lost alert (a resource removed between two runs) instead of the one unit at the
centroid of the lost cells, which may lie in none of them.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from .cell_units import UNASSIGNED, cell_units

#: Units a coverage-lost explanation names before "and N more" (``units_lost`` holds every one).
UNITS_NAMED = 3


def units_of_cells(
    residents: pd.Series, levels: dict[str, gpd.GeoDataFrame]
) -> dict[str, list[dict[str, Any]]]:
    """Residents of cells (H3 id -> residents) per unit at every level (coarsest first), largest
    first: a cell counts in the unit it belongs to, as the registers assign it
    (:func:`urbanrisk.cell_units.cell_units`, an edge cell within its unit's ``parent_id`` when the
    tables have one); cells in no unit are in none."""
    if not len(residents) or not levels:
        return {}
    cells = pd.Index(residents.index.astype(str))
    values = pd.Series(residents.to_numpy(float), index=cells)
    out = {}
    above = None  # the cells' units at the level before (levels come coarsest first, as registers)
    for level, table in levels.items():
        parents = table["parent_id"].astype(str) if "parent_id" in table.columns else None
        nested = above is not None and parents is not None
        unit = cell_units(cells, table.assign(parent=parents) if nested else table, above if nested else None)
        above = unit
        inside = unit != UNASSIGNED
        first = table.drop_duplicates("id")
        names = pd.Series(first["name"].fillna("").astype(str).to_numpy(), index=first["id"].astype(str))
        per = values[inside].groupby(unit[inside]).sum().sort_values(ascending=False, kind="stable")
        out[level] = [
            {
                "id": str(i),
                "name": names.get(i, ""),
                "residents": round(float(r), 1),
            }
            for i, r in per.items()
        ]
    return out


def units_text(units: dict[str, list[dict[str, Any]]]) -> str:
    """The units of the street level (else community, else the first level) in words, largest first:
    "; by street: 西街道 1,204, 东街道 300 and 2 more (5 in all)".

    Examples
    --------
    >>> rows = [{"name": f"街道{i}", "residents": 100.0 * (5 - i)} for i in range(5)]
    >>> units_text({"district": rows[:1], "street": rows})
    '; by street: 街道0 500, 街道1 400, 街道2 300 and 2 more (5 in all)'
    """
    level = next((lv for lv in ("street", "community", *units) if lv in units), None)
    if level is None or not units[level]:
        return ""
    rows = units[level]
    named = ", ".join(f"{u['name'] or u['id']} {u['residents']:,.0f}" for u in rows[:UNITS_NAMED])
    more = f" and {len(rows) - UNITS_NAMED} more ({len(rows)} in all)" if len(rows) > UNITS_NAMED else ""
    return f"; by {level}: {named}{more}"
