"""Chinese for the run's notes on ``building:levels`` values that are no plain number of storeys
(:func:`urbanrisk.layers.buildings.storeys_notes`), by pattern, gathered by :mod:`.i18n_more`. Layer and
file names stay as written.

Examples
--------
>>> from urbanrisk.outputs.i18n import data_text
>>> data_text("osm: 2 building(s) of a.osm.pbf tag building:levels with more than a number (3;4, 5 "
...           "floors): the first number read (3, 5); check those tags", "zh")[:48]
'osm：a.osm.pbf 中有 2 座建筑物的 building:levels 不只是一个数字'
"""

from __future__ import annotations

#: (pattern, replacement) pairs.
ZH_STOREYS_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"^(\w+): ([\d,]+) building\(s\) of (.+?) tag building:levels with no plausible number of storeys "
        r"\(0 or fewer, above 200, 1e20, NaN, inf, words\): ignored, their height or their type's default "
        r"storeys used instead; check those tags$",
        r"\1：\3 中有 \2 座建筑物的 building:levels 不是合理的层数"
        r"（0 或更少、超过 200、1e20、NaN、inf、文字）：已忽略，改用其高度或该类建筑的默认层数；"
        r"请核对这些标签",
    ),
    (
        r"^(\w+): ([\d,]+) building\(s\) of (.+?) tag building:levels with more than a number \(3;4, 5 "
        r"floors\): the first number read \(3, 5\); check those tags$",
        r"\1：\3 中有 \2 座建筑物的 building:levels 不只是一个数字（3;4、5 floors）："
        r"已取其中第一个数（3、5）；请核对这些标签",
    ),
)
