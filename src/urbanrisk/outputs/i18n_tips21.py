"""The Chinese words of the map's cell tooltips added by tips21 (merged by :mod:`.i18n_more`): a cell
that holds some residents while part of it lies in a census unit of unknown residents (不详), and a
distance too short for "0.00 km"."""

from __future__ import annotations

#: English -> Chinese (exact keys).
ZH_TIPS21: dict[str, str] = {
    # a cell partly in a known unit, partly in a 不详 one: its known residents a lower bound
    "≥ {residents} (the rest unknown)": "≥ {residents}（其余未知）",
    "residents partly unknown: the count is the known part (a lower bound), drawn hollow": (
        "常住人口部分未知：所示为已知部分（下限），以空心显示"
    ),
    "part of the cell lies in a census unit of unknown residents": "本单元部分位于常住人口不详的统计单元内",
    # why a census cell's residents are unknown (wording.CENSUS_NO_COUNT; it said "no population data here")
    "the census table gives no count here (a unit without one, outside the units, or housing unmapped)": (
        "人口统计表未给出此处人数（所在单元人数不详、不在任何单元内，或其住房未标绘）"
    ),
    # a distance under 10 m (a resource in the cell's own street node): not "0.00 km"
    "< 10 m": "< 10 米",
}
