"""The Chinese words of the office's deliverables added for the map's 2SFCA tooltips and its residents
legend, merged into :data:`urbanrisk.outputs.i18n.ZH` by :mod:`.i18n_more`; and :func:`colon`, the
colon a label takes in each language (a Chinese label ends in the full-width "：", never ": ").

Terms: the facility is 应急避难场所 (GB 21734) everywhere, its standard too (应急避难场所覆盖); the
short 避难场所 stays only in the map's marker key, a narrow legend line (:mod:`.i18n_pages`).
"""

from __future__ import annotations


def colon(language: str) -> str:
    """What follows a label before its value: "：" in Chinese, ": " in English.

    Examples
    --------
    >>> "常住人口合计" + colon("zh") + "52,455", "Residents" + colon("en") + "3"
    ('常住人口合计：52,455', 'Residents: 3')
    """
    return "：" if language == "zh" else ": "


#: English -> Chinese (exact keys).
ZH_DELIVERABLES: dict[str, str] = {
    # the map's cell tooltips: each standard's 2SFCA supply (report_supply.supply_section's figures)
    "supply per 1,000 residents (2SFCA): {supply}": "每千人资源供给（2SFCA）：{supply}",
    "≤ {value} (upper bound: residents unknown in reach)": "≤ {value}（上限：服务范围内有常住人口未知）",
    "unknown (a resource in reach of unknown capacity or residents)": (
        "未知（可达资源中有容量或服务人口未知者）"
    ),
    # a coverage gap's residents in the responsibility list (a source's: its reach, i18n_exposure)
    "≥ {n} ({share} of its cells with residents unknown)": "≥ {n}（其中 {share} 单元常住人口未知）",
    "unknown (residents unknown in all its cells)": "未知（全部单元常住人口未知）",
    # the residents view of a large grid's map
    "grey: residents unknown (most of the cells it shows)": "灰色：常住人口未知（所含单元多数未知）",
}


def bracketed(text: str, inner: str, language: str) -> str:
    """``text`` with ``inner`` in brackets: full-width in Chinese, after a space in English.

    Examples
    --------
    >>> bracketed("消防站", "F", "zh"), bracketed("fire_station", "F", "en")
    ('消防站（F）', 'fire_station (F)')
    """
    return f"{text}（{inner}）" if language == "zh" else f"{text} ({inner})"
