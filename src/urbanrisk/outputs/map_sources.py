"""Which hazard sources the map draws: all of a city's, the highest graded of a province's registry.

A marker and an impact circle with a tooltip cost ~1 kB of ``map.html`` each: a registry of 100,000
sources would make a 100 MB page no browser opens. The map draws at most :data:`MAP_SOURCES`, the
highest graded first (grade, then residents in reach), in the table's order, and says how many more
there are and where they all are (``hazard_sources.parquet`` and ``risk.gpkg``, layer
``hazard_sources``).
"""

from __future__ import annotations

import pandas as pd

from ..result import GRADE_RANK

#: the most hazard sources the map draws
MAP_SOURCES = 2_000


def shown_sources(hazards: pd.DataFrame, limit: int = MAP_SOURCES) -> pd.DataFrame:
    """The sources the map draws: all, or the ``limit`` highest graded, in the table's order.

    Examples
    --------
    >>> t = pd.DataFrame({"grade": ["IV", "I", "no data", "II"], "residents_exposed": [9.0, 1.0, 5.0, 2.0]})
    >>> shown_sources(t, limit=2).index.tolist(), len(shown_sources(t))
    ([1, 3], 4)
    """
    if len(hazards) <= limit:
        return hazards
    rank = hazards["grade"].map(GRADE_RANK).fillna(len(GRADE_RANK)).to_numpy()
    order = pd.DataFrame({"rank": rank, "people": -hazards["residents_exposed"].to_numpy(dtype=float)})
    keep = order.sort_values(["rank", "people"], kind="stable").index[:limit]
    return hazards.iloc[sorted(keep)]


def sources_note(hazards: pd.DataFrame, limit: int = MAP_SOURCES) -> str:
    """The map's note when it leaves sources out ("" when it draws them all)."""
    if len(hazards) <= limit:
        return ""
    return (
        f"{len(hazards):,} hazard sources: the map draws the {limit:,} highest graded; all are in "
        "hazard_sources.parquet and risk.gpkg (layer hazard_sources)"
    )
