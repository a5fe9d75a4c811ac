"""Chinese for the run's note when the shipped (Chinese) safety distances are applied outside China
(:func:`urbanrisk.site_hazards.safety_distances_scope_note`); merged by :mod:`.i18n_more`.

Examples
--------
>>> import re
>>> note = ("safety distances: the shipped table holds Chinese standards (GB 50156-2021, 建标152-2017, GB "
...         "50161-2022...) and this area (-76.57, 39.28) lies outside China: its breaches and the suggested "
...         "sites' distances from hazards are screening values by those standards, not local rules; give "
...         "your jurisdiction's distances as a table shaped like layers/tables/safety_distances.csv "
...         "(tables: {safety_distances: my_distances.csv})")
>>> pattern, chinese = ZH_SAFETY_PATTERNS[0]
>>> re.sub(pattern, chinese, note)[:75]
'安全间距：内置表为中国标准（GB 50156-2021、建标152-2017、GB 50161-2022 等），而本区域（-76.57, 39.28）'
"""

from __future__ import annotations

ZH_SAFETY_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"^safety distances: the shipped table holds Chinese standards \(.*?\) and this area "
        r"\(([-\d.]+), ([-\d.]+)\) lies outside China: .*$",
        r"安全间距：内置表为中国标准（GB 50156-2021、建标152-2017、GB 50161-2022 等），而本区域（\1, \2）"
        r"位于中国境外：其间距不足项及建议选址与危险源的距离均按这些标准筛查，并非当地规定；请按 "
        r"layers/tables/safety_distances.csv 的格式给出当地的安全间距表（tables: {safety_distances: "
        r"my_distances.csv}）",
    ),
    (
        r"^major hazard sources: graded by GB 18218-2018, China's identification of major hazard sources "
        r"\(critical quantities, R\), and this area \(([-\d.]+), ([-\d.]+)\) lies outside China: .*$",
        r"重大危险源：按中国 GB 18218-2018《危险化学品重大危险源辨识》（临界量、R 值）分级，"
        r"而本区域（\1, \2）位于中国境外：其分级只是按该标准的筛查，并非当地规定"
        r"（美国为 EPA RMP 阈值量，40 CFR 68）",
    ),
)
