"""The responsibility list's items in English: their types and the names its screen writes in Chinese.

:mod:`urbanrisk.screens.responsibility` names a red/orange cluster "红橙风险片区 01（II级，7个网格单元）"
and an unnamed hazard source by its Chinese kind ("工业企业 osm:way/292065892"), the words of the
Chinese office form (责任清单). The English report showed them so, beside item types written as keys
("risk_cluster"); here they are worded in English. The Chinese report keeps the table's own words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

#: item_type -> its words in the English report (the Chinese report reads ``item_type_zh``).
ITEM_TYPES_EN: dict[str, str] = {
    "hazard_source": "hazard source",
    "risk_cluster": "red/orange cluster",
    "coverage_gap": "coverage gap",
    "key_district": "key district",
    "urban_village": "urban village",
}

_CLUSTER = re.compile(r"^红橙风险片区 (\d+)（(I|II|III|IV)级，(\d+)个网格单元）$")


def cluster_name_en(name: str) -> str:
    """A red/orange cluster's name in English (any other name as it is).

    Examples
    --------
    >>> cluster_name_en("红橙风险片区 01（II级，7个网格单元）")
    'red/orange cluster 01 (grade II, 7 cells)'
    >>> cluster_name_en("红橙风险片区 02（I级，1个网格单元）")
    'red/orange cluster 02 (grade I, 1 cell)'
    >>> cluster_name_en("McHenry Pointe")
    'McHenry Pointe'
    """
    match = _CLUSTER.match(name)
    if match is None:
        return name
    number, grade, cells = match.groups()
    return f"red/orange cluster {number} (grade {grade}, {cells} cell{'' if cells == '1' else 's'})"


def items_in_english(items: pd.DataFrame, kind_labels: Mapping[str, str]) -> pd.DataFrame:
    """The responsibility list with ``item_type`` and ``name`` in English words.

    ``kind_labels``: a hazard kind's Chinese label -> its English one (``label_zh`` -> ``label`` of
    the run's hazard sources), for the sources the screen named by their kind.

    Examples
    --------
    >>> items = pd.DataFrame({"item_type": ["risk_cluster", "hazard_source", "hazard_source"],
    ...     "name": ["红橙风险片区 01（II级，1个网格单元）", "工业企业 osm:way/29", "工业企业大院"]})
    >>> english = items_in_english(items, {"工业企业": "industrial works"})
    >>> english["item_type"].tolist()
    ['red/orange cluster', 'hazard source', 'hazard source']
    >>> english["name"].tolist()
    ['red/orange cluster 01 (grade II, 1 cell)', 'industrial works osm:way/29', '工业企业大院']
    """
    if not len(items) or not {"item_type", "name"} <= set(items.columns):
        return items
    labels = sorted(kind_labels.items(), key=lambda pair: -len(pair[0]))  # the longest label first

    def name_en(item_type: str, name: object) -> object:
        if not isinstance(name, str):
            return name
        if item_type == "risk_cluster":
            return cluster_name_en(name)
        if item_type == "hazard_source":
            for zh, en in labels:  # "<kind in Chinese> <id>": an unnamed source, named by its kind
                if zh and name.startswith(zh + " "):
                    return en + name[len(zh) :]
        return name

    names = [name_en(kind, name) for kind, name in zip(items["item_type"], items["name"], strict=True)]
    return items.assign(
        item_type=[ITEM_TYPES_EN.get(kind, kind) for kind in items["item_type"]],
        name=pd.Series(names, index=items.index, dtype=object),
    )
