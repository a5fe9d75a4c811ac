"""The Chinese catalogues of the smaller text modules, gathered in one place for :mod:`.i18n`.

Each feature keeps its words in a module of its own (supply and sites bounds, the coords: datum
messages, ...); this module merges them, so that a new one is one line here and none in ``i18n.py``.
"""

from __future__ import annotations

from typing import Any

from .i18n_assumed import ZH_ASSUMED_PATTERNS
from .i18n_bounds import ZH_BOUNDS
from .i18n_census import ZH_CENSUS_PATTERNS
from .i18n_datum import ZH_DATUM_PATTERNS
from .i18n_deliverables import ZH_DELIVERABLES
from .i18n_exposure import ZH_QUANTITY_PATTERNS
from .i18n_office import ZH_OFFICE_PATTERNS
from .i18n_planner import ZH_PLANNER, ZH_PLANNER_PATTERNS
from .i18n_safety import ZH_SAFETY_PATTERNS
from .i18n_storeys import ZH_STOREYS_PATTERNS
from .i18n_tips21 import ZH_TIPS21
from .i18n_unknown import ZH_UNKNOWN

#: Texts -> Chinese, from the feature modules (exact keys).
ZH_MORE: dict[str, str] = {**ZH_BOUNDS, **ZH_DELIVERABLES, **ZH_UNKNOWN, **ZH_PLANNER, **ZH_TIPS21}

#: Regex patterns -> Chinese, from the feature modules (tried before i18n's own).
ZH_MORE_PATTERNS: tuple[tuple[str, Any], ...] = (
    *ZH_DATUM_PATTERNS,
    *ZH_CENSUS_PATTERNS,
    *ZH_OFFICE_PATTERNS,
    *ZH_ASSUMED_PATTERNS,
    *ZH_PLANNER_PATTERNS,
    *ZH_SAFETY_PATTERNS,
    *ZH_STOREYS_PATTERNS,  # building:levels values ignored or read loosely (ids23)
    *ZH_QUANTITY_PATTERNS,  # GB 18218's basis: a substance of no quantity (major_hazard)
)
