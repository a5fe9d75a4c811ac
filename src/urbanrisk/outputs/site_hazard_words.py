"""What a suggested site's description says of the hazards that kept candidates away: per hazard kind,
the distance kept, the hazards that excluded street nodes (named, or by id) and how many, with the
standard's code (:func:`urbanrisk.siting.clear_of_hazards` records them in ``kept_clear_of``), in
English or Chinese; and the report's note under the suggested sites, one line per standard.

Examples
--------
>>> record = ('[{"kind": "fuel", "label": "fuel station", "label_zh": "加油站", "min_distance_m": 300.0, '
...           '"source": "建标152-2017 art. 15(3): fire station", "hazards": ["中国石化"], "candidates": 3}]')
>>> kept_clear_words(record, "en")
['kept ≥ 300 m from fuel station 中国石化 (3 candidate street nodes excluded; Jianbiao 152-2017)']
>>> kept_clear_words(record, "zh")
['距加油站 中国石化 ≥ 300 米（排除 3 个候选街道节点；建标152-2017 第15条第3项）']
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from .html import escape_text
from .i18n import standard_name
from .i18n_english import english_citation
from .i18n_sites import CODE, source_zh

#: hazards named at most, then "and N more"
NAMED_AT_MOST = 3


def _names(hazards: list[str], language: str) -> str:
    """The first :data:`NAMED_AT_MOST` hazards' names, and how many more."""
    shown = hazards[:NAMED_AT_MOST]
    more = len(hazards) - len(shown)
    if language == "zh":
        return "、".join(shown) + (f" 等 {len(hazards)} 处" if more else "")
    return ", ".join(shown) + (f" and {more} more" if more else "")


def kept_clear_words(record: object, language: str = "en") -> list[str]:
    """One line per hazard kind of a site's ``kept_clear_of`` record (none when it is empty)."""
    if not isinstance(record, str) or not record:
        return []
    lines = []
    for entry in json.loads(record):
        names = _names(entry["hazards"], language)
        metres, count = f"{entry['min_distance_m']:.0f}", entry["candidates"]
        if language == "zh":
            lines.append(
                f"距{entry['label_zh']} {names} ≥ {metres} 米（排除 {count} 个候选街道节点；"
                f"{source_zh(entry['source'])}）"
            )
            continue
        codes = ", ".join(dict.fromkeys(m.group(0) for m in CODE.finditer(entry["source"])))
        codes = english_citation(codes or entry["source"])  # 建标152-2017: Jianbiao 152-2017
        nodes = "candidate street node" + ("" if count == 1 else "s")
        lines.append(f"kept ≥ {metres} m from {entry['label']} {names} ({count} {nodes} excluded; {codes})")
    return lines


def site_hazard_tip(row: Any, language: str = "en") -> str:
    """A suggested site's tooltip tail: the hazards it was kept clear of, escaped ("" if none)."""
    return "".join(
        f"<br/>{escape_text(line)}" for line in kept_clear_words(getattr(row, "kept_clear_of", ""), language)
    )


def sites_kept_clear_note(sites: pd.DataFrame | None, language: str = "en") -> str:
    """Under the suggested sites: per standard, the hazards its candidates were kept clear of ("" if none)."""
    if sites is None or not len(sites) or "kept_clear_of" not in sites.columns:
        return ""
    notes = []
    for standard, record in sites.groupby("standard", sort=True)["kept_clear_of"].first().items():
        lines = kept_clear_words(record, language)
        if lines:
            head = standard_name(str(standard), language) + ("：" if language == "zh" else ": ")
            notes.append(
                f'<p class="note">{escape_text(head + ("；" if language == "zh" else "; ").join(lines))}</p>'
            )
    return "".join(notes)
