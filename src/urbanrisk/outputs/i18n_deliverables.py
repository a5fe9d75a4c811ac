"""The Chinese words of the office's deliverables added for the map's 2SFCA tooltips and the
responsibility list's coverage gaps, merged into :data:`urbanrisk.outputs.i18n.ZH` by
:mod:`.i18n_more`; :func:`colon` and :func:`bracketed`, a label's colon and brackets in each language
(full-width "：" and "（）" after Chinese words, never ": " or " (").

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
    # the incident sheet's nearest resources: a registry's keep_columns (值班电话, 负责人...) in one cell
    "details": "台账信息",
    # the map's cell tooltips: each standard's 2SFCA supply (report_supply.supply_section's figures)
    "supply per 1,000 residents (2SFCA): {supply}": "每千人资源供给（2SFCA）：{supply}",
    # a coverage gap's residents in the responsibility list (a source's: its reach, i18n_exposure)
    "≥ {n} ({share} of its cells with residents unknown)": "≥ {n}（其中 {share} 单元常住人口未知）",
    "unknown (residents unknown in all its cells)": "未知（全部单元常住人口未知）",
    # the map's layer toggle (its "buildings" read 建筑数, the tables' count of buildings)
    "building footprints": "建筑轮廓",
    # the map's toggles of the layers drawn in each source's grade colour, and its legend's fold
    "hazard sources 危险源 (size: residents exposed; colour: its grade)": (
        "危险源（大小：暴露人口；颜色：其等级）"
    ),
    "hazard impact radius 影响半径 (colour: the source's grade)": "影响半径（颜色：危险源等级）",
    "legend and layers": "图例与图层",
    # the report's hazard sources with no vulnerable site or breach in their reach (was a blank cell)
    "none found": "未发现",
    # the responsibility note when the list is too long for responsibility.xlsx (report_sections.NO_BOOK)
    "With {n} items (more than {most}) responsibility.xlsx is not written: use responsibility.csv.": (
        "清单共 {n} 项（超过 {most} 项），未生成 responsibility.xlsx：请使用 responsibility.csv。"
    ),
    # a register's ids of the sources reaching each unit (the 责任清单's 编号: their 负责人, 联系电话)
    "ids of the hazards reaching it": "影响到的危险源编号",
    # the incident map's key
    "Map key": "图例",
    "incident": "事发点",
    "distance rings (bold: the evacuation radius)": "距离圈（粗线：疏散半径）",
    "cells: share evacuated (darker: more)": "网格单元：疏散比例（越深越高）",
    "vulnerable site": "脆弱场所",
    # rescan after a damaged last run (a table cut short): the run completes, the comparison is skipped
    "  not compared with the previous run {previous}: its tables cannot be read ({error}); this run is "
    "complete and the next rescan compares with it": (
        "  未与上次运行 {previous} 比较：其数据表无法读取（{error}）；"
        "本次运行已完整写入，下次 rescan 将与之比较"
    ),
}


def bracketed(text: str, inner: str, language: str) -> str:
    """``text`` with ``inner`` in brackets: full-width in Chinese, after a space in English.

    Examples
    --------
    >>> bracketed("消防站", "F", "zh"), bracketed("fire_station", "F", "en")
    ('消防站（F）', 'fire_station (F)')
    """
    return f"{text}（{inner}）" if language == "zh" else f"{text} ({inner})"
