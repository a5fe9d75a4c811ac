"""The report's top list of hazard sources: their order, and why a source is not graded.

The list showed the sources worst grade first and a source not graded (``no data``: residents unknown in
its reach, :mod:`urbanrisk.screens.unknown_exposure`) after every grade IV, so a registry's 一级 source
(severity 4, the most severe) left ungraded fell below the twelve rows shown, into "… and N more". The
order is now:

1. the sources **not graded of the highest severity** (4, 一级): their grade may be I, nobody counted
   the residents that would say so: a planner sees them first;
2. then every other source by its grade, a source not graded by the **floor** its counted residents
   already give ("no data (at least III)" stands with the III's: it is III or worse), one with no
   floor after IV; within a grade the most residents in reach first.

The grade cell of a source not graded says why, in the report's language, small under its badge
("no data (at least III)"): "not graded: 45% of the area in reach has residents unknown".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..result import GRADE_RANK, NO_DATA
from ..wording import percent
from .i18n_severity import grade_floors

#: the list's opening: printed across an A4 page when long (``data-page="landscape"``); a short one (fewer
#: than ``SHORT_SECTION_ROWS`` rows: :func:`.report_parts.mark_short_sections`; seven columns of wrapping
#: text, fit upright at 8pt) follows the page before (``data-fits``: the print style's ``page: auto``)
TOP_WIDE = '<section class="major" data-page="landscape" data-fits="portrait">'
#: the severity that puts an ungraded source at the top of the list (urbanrisk's 4: the registry's 一级)
TOP_SEVERITY = 4
#: why a source is not graded, per language: part of its reach has residents unknown, or all of it
WHY = {
    "en": ("not graded: {share} of the area in reach has residents unknown", "not graded: "
           "all the area in reach has residents unknown"),
    "zh": ("不予评级：影响范围 {share} 人口未知", "不予评级：影响范围内均无人口数据"),
}  # fmt: skip


def top_first(hz: pd.DataFrame) -> pd.DataFrame:
    """The hazard sources in the report's order (the module's rule), with a ``rank`` column.

    Examples
    --------
    >>> hz = pd.DataFrame({"grade": ["II", "no data", "IV", "no data", "no data"],
    ...     "severity": [2, 4, 1, 2, 3], "residents_exposed": [10.0, 0.0, 5.0, 30.0, 8.0],
    ...     "matrix_score": [8, 4, 1, 6, 3], "residents_unknown_share": [0.0, 1.0, 0.0, 0.4, 0.2]})
    >>> top_first(hz).index.tolist()  # 一级 ungraded first; "at least III" with the III's; floor IV
    [1, 0, 3, 2, 4]
    """
    if not len(hz):
        return hz
    floors = grade_floors(hz)
    shown = hz["grade"].where(hz["grade"] != NO_DATA, floors.where(floors != "", NO_DATA))
    rank = shown.map(GRADE_RANK).fillna(len(GRADE_RANK)).astype(float)
    severity = pd.to_numeric(hz.get("severity"), errors="coerce") if "severity" in hz else np.nan
    rank = rank.mask((hz["grade"] == NO_DATA) & (severity >= TOP_SEVERITY), -1.0)
    ordered = hz.assign(rank=rank, _ungraded=(hz["grade"] == NO_DATA).astype(int))
    ordered = ordered.sort_values(
        ["rank", "_ungraded", "residents_exposed"], ascending=[True, True, False], kind="stable"
    )
    return ordered.drop(columns="_ungraded")


def why_not_graded(share: float, language: str) -> str:
    """Why a source is not graded, from the unknown share of its reach, in ``language``.

    >>> why_not_graded(0.45, "en"), why_not_graded(1.0, "zh")
    ('not graded: 45% of the area in reach has residents unknown', '不予评级：影响范围内均无人口数据')
    """
    some, whole = WHY["zh" if language == "zh" else "en"]
    return whole if share >= 1.0 else some.format(share=percent(share))


def with_why(hz: pd.DataFrame, language: str) -> pd.DataFrame:
    """``hz`` with ``not_graded_why``: why each source not graded is not (shown under its grade), else "".

    >>> hz = pd.DataFrame({"grade": ["no data", "II"], "residents_unknown_share": [0.45, 0.2]})
    >>> with_why(hz, "en")["not_graded_why"].tolist()
    ['not graded: 45% of the area in reach has residents unknown', '']
    """
    if not len(hz):
        return hz
    shares = hz.get("residents_unknown_share", pd.Series(0.0, index=hz.index)).fillna(0.0)
    why = [
        why_not_graded(float(share), language) if grade == NO_DATA and share > 0 else ""
        for grade, share in zip(hz["grade"], shares, strict=True)
    ]
    return hz.assign(not_graded_why=why)


__all__ = ["TOP_WIDE", "top_first", "why_not_graded", "with_why"]
