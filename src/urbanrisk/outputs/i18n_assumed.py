"""Chinese for the note on hazard sources whose impact radius and severity urbanrisk assumed
(:mod:`.assumed_kinds`) and for validate's warning on such kinds (:mod:`urbanrisk.hazard_defaults`),
by pattern, gathered by :mod:`.i18n_more`. Kinds and file names stay as written."""

from __future__ import annotations

#: (pattern, replacement) pairs: the note and validate's warning (:mod:`urbanrisk.hazard_defaults`).
ZH_ASSUMED_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"^([\d,]+) hazard sources? of kinds not in (.+?) \((.+?)\): impact radius ([\d, ]+) m and severity "
        r"([\d, ]+) are urbanrisk's assumptions, not a standard's; .*$",
        r"\1 个危险源的类型不在 \2 中（\3）：其影响半径 \4 米和严重程度 \5 是 urbanrisk 的假定值，"
        r"并非出自标准；其影响范围内人数和分级均以此为据：请在 \2 的副本中为每种类型增加一行"
        r"（tables: {hazard_kinds: 文件}）",
    ),
    (
        r"^hazard kinds of (.+?) not in (.+?): (.+?): OSM sources of them get an assumed impact radius of "
        r"(\d+) m and severity (\d), not a standard's: .*$",
        r"\1 中有危险源类型不在 \2 中：\3：OSM 中这些类型的危险源将采用假定的影响半径 \4 米和严重程度 \5，"
        r"并非出自标准：请在 \2 的副本中为每种类型增加一行（tables: {hazard_kinds: 文件}）",
    ),
)
