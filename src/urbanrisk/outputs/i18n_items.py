"""The responsibility list's item types in English words.

The screen (:mod:`urbanrisk.screens.responsibility`) writes each item's type as a key ("risk_cluster")
beside its Chinese words (``item_type_zh``, the office form's 责任清单), and names clusters and unnamed
hazard sources in the run's language. The English report showed the keys; here they are words.
"""

from __future__ import annotations

import pandas as pd

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
    """
    if not len(items) or "item_type" not in items.columns:
        return items
    return items.assign(item_type=[ITEM_TYPES_EN.get(kind, kind) for kind in items["item_type"]])
