"""The zh words of the bounds that unknown residents put on 2SFCA supply, suggested sites and the
coverage bar chart (missing is not zero), merged into :data:`urbanrisk.outputs.i18n.ZH`."""

from __future__ import annotations

#: the note under the report's 2SFCA table
SUPPLY_NOTE = (
    "Each resource's capacity over the residents counted within the standard's reach of it, summed "
    "per cell over the resources that reach the cell (supply.parquet; coverage.parquet: "
    "supply_per_person, supply_bound). Where the reach holds cells whose residents are unknown, the "
    "residents counted are a lower bound and the supply per 1,000 an upper bound (≤); where nobody "
    "was counted there, it is unknown, not 0."
)

ZH_BOUNDS: dict[str, str] = {
    # the bar chart's legend (report_parts.BAR_BOUND, BAR_UNKNOWN)
    "hatched bar, “≥”: a lower bound (some cells' residents unknown)": (
        "斜线柱、“≥”：下限（部分单元常住人口未知）"
    ),
    "dashed outline, “unknown”: nobody counted where residents are unknown": (
        "虚线框、“未知”：人口未知且无计入人口"
    ),
    # suggested sites
    "cells of unknown residents newly covered": "新覆盖的常住人口未知单元",
    "{cells} cells of unknown residents newly covered": "新覆盖 {cells} 个常住人口未知单元",
    "After the suggested {standard} sites, {cells} uncovered cells whose residents are unknown stay "
    "uncovered: the sites do not cover every uncovered resident": (
        "{standard}建议选址之后，仍有 {cells} 个常住人口未知的单元未被覆盖：建议选址并未覆盖全部未覆盖居民"
    ),
    # 2SFCA supply
    "Supply per 1,000 residents (2SFCA)": "每千人资源供给（两步移动搜索法 2SFCA）",
    "residents counted in reach": "服务范围内计入人口",
    "per 1,000 residents": "每千人",
    "≤ {n} ({share} of the cells in reach with residents unknown)": (
        "≤ {n}（服务范围内 {share} 单元常住人口未知）"
    ),
    "unknown (capacity unknown)": "未知（容量未知）",
    "unknown (nobody counted in reach, {cells} cells with residents unknown)": (
        "未知（服务范围内无计入人口，{cells} 个单元常住人口未知）"
    ),
    "{standard}: {value} capacity per 1,000 residents": "{standard}：每千人容量 {value}",
    "{standard}: supply per person an upper bound in {bounded} cells, unknown in {unknown} cells": (
        "{standard}：{bounded} 个单元的人均供给为上限，{unknown} 个单元的人均供给未知"
    ),
    SUPPLY_NOTE: (
        "各资源的容量除以其服务范围（标准内可达）内计入的人口，再按单元对可达的各资源求和"
        "（明细见运行目录中的资源供给表，及覆盖表中各单元的人均供给与其界限）。"
        "服务范围内有常住人口未知的单元时，计入人口为下限，每千人供给为上限（≤）；"
        "服务范围内无计入人口时为未知，而非 0。"
    ),
}
