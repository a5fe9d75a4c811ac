"""The responsibility list's item types in English words.

The screen (:mod:`urbanrisk.screens.responsibility`) writes each item's type as a key ("risk_cluster")
beside its Chinese words (``item_type_zh``, the office form's 责任清单), and names clusters and unnamed
hazard sources in the run's language. The English report showed the keys; here they are words.
"""

from __future__ import annotations

import pandas as pd

from .i18n import standard_name

#: item_type -> its words in the English report (the Chinese report reads ``item_type_zh``).
ITEM_TYPES_EN: dict[str, str] = {
    "hazard_source": "hazard source",
    "risk_cluster": "red/orange cluster",
    "coverage_gap": "coverage gap",
    "key_district": "key district",
    "urban_village": "urban village",
}


def items_in_english(items: pd.DataFrame) -> pd.DataFrame:
    """The responsibility list with ``item_type`` in English words.

    Examples
    --------
    >>> items = pd.DataFrame({"item_type": ["risk_cluster", "hazard_source", "other"]})
    >>> items_in_english(items)["item_type"].tolist()
    ['red/orange cluster', 'hazard source', 'other']

    A coverage gap is named by its standard as the coverage table names it (its id was shown, NFPA 1710's
    "fire_first_engine gap" beside "fire (first engine)"):

    >>> gaps = pd.DataFrame({"item_type": ["coverage_gap"] * 2,
    ...                      "name": ["fire_first_engine gap", "fire gap"]})
    >>> items_in_english(gaps)["name"].tolist()
    ['fire (first engine) gap', 'fire gap']
    """
    if not len(items) or "item_type" not in items.columns:
        return items
    out = items.assign(item_type=[ITEM_TYPES_EN.get(kind, kind) for kind in items["item_type"]])
    if "name" in out.columns:
        gap = (items["item_type"] == "coverage_gap") & items["name"].astype(str).str.endswith(" gap")
        names = items.loc[gap, "name"].astype(str).str.removesuffix(" gap")
        out.loc[gap, "name"] = [f"{standard_name(n, 'en')} gap" for n in names]
    return out
