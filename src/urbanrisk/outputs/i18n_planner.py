"""The Chinese of words the pages gained when a planner read them (a register's hazards cut short, ...).

Kept apart from ``i18n.py`` (at its size limit) and merged by :mod:`.i18n_more`.
"""

from __future__ import annotations

import re
from typing import Any

#: English -> Chinese (exact keys; the values' ``{...}`` filled in after)
ZH_PLANNER: dict[str, str] = {
    "… and {n} more (all in {file})": "……另有 {n} 个（全部见 {file}）",
    # a gap's worst travel beyond a partition's exact range (coverage_dask): measured no further
    "more than twice the limit": "超过标准时限（距离）的两倍",
    "more than {amount}": "超过 {amount}",  # a cell's travel beyond a partition's exact range (map tip)
}


#: Regex patterns -> Chinese (texts a stage writes, read by :func:`.i18n.data_text`)
def _rings_beyond(match: re.Match[str]) -> str:
    """The incident's rings past the study area, their metres in Chinese: "200 米、800 米距离圈…".

    >>> _rings_beyond(re.match(r"^the (.*) ring", "the 200 m, 1,600 m ring"))[:16]
    '200 米、1,600 米距离圈'
    """
    rings = "、".join(ring.removesuffix(" m") + " 米" for ring in match.group(1).split(", "))
    return (
        f"{rings}距离圈超出本次运行的研究区：圈内常住人口与在场人数仅计研究区内部分"
        "（可运行覆盖更大范围的配方）"
    )


ZH_PLANNER_PATTERNS: tuple[tuple[str, Any], ...] = (
    # an incident's rings past the study area (the sheet read "200 m, 800 m 距离圈")
    (r"^the (.*) ring\(s\) reach past the run's study area: .*$", _rings_beyond),
)
