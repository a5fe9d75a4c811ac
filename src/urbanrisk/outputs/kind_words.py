"""Chinese (and some English) words of the built-in kinds: resources, vulnerable targets, standards, modes.

Read by the message catalogue (:mod:`urbanrisk.outputs.i18n`: ``{kind}`` and ``{standard}`` in a
pattern's Chinese text) and by the incident sheet. A kind not listed here is shown as written.
"""

from __future__ import annotations

RESOURCE_ZH = {
    "fire_station": "消防站",
    "micro_fire_station": "微型消防站",
    "hospital": "医院",
    "clinic": "诊所",
    "police": "派出所",
    "shelter": "应急避难场所",
}
TARGET_ZH = {
    "school": "学校",
    "kindergarten": "幼儿园",
    "hospital": "医院",
    "elderly_home": "养老机构",
    "dwelling": "住宅",
    "fire_station": "消防站",
}
STANDARD_ZH = {
    "fire": "消防",
    "medical": "医疗急救",
    "shelter": "应急避难场所",  # the facility's standard term (GB 21734), as RESOURCE_ZH
    "fire_first_engine": "消防（首车）",
    "fire_full_alarm": "消防（首批力量）",
}
#: the built-in standards' names in English where their id is not a word (NFPA 1710's two times)
STANDARD_EN = {"fire_first_engine": "fire (first engine)", "fire_full_alarm": "fire (full first alarm)"}
MODE_ZH = {"drive": "车行", "walk": "步行"}
