"""More of the message catalogue of :mod:`urbanrisk.outputs.i18n`: coordinate datums (GCJ-02, BD-09).

:data:`ZH_DATUM_CHECKS`: what a recipe check says of a layer's ``coords:`` / ``crs:`` (templates merged
into :data:`urbanrisk.outputs.i18n_checks.ZH_CHECKS`); :data:`ZH_DATUM_PATTERNS`: the run's note when a
registry looks like another datum than declared (:mod:`urbanrisk.datum_check`; regexes tried by
:func:`urbanrisk.outputs.i18n.data_text`).

Examples
--------
>>> import re
>>> note = ("fuel: these coordinates look like GCJ-02 (median offset 480 m to 12 matching OSM features, "
...         "12 m after conversion): set coords: gcj02 on layer 'fuel' (read as WGS84; nothing is "
...         "converted without coords:)")
>>> pattern, chinese = ZH_DATUM_PATTERNS[0]
>>> re.sub(pattern, chinese, note)  # doctest: +NORMALIZE_WHITESPACE
"fuel：这些坐标看来是 GCJ-02（与 12 个同类 OSM 要素的偏移中位数 480 米，换算后 12 米）：请在图层 'fuel'
设置 coords: gcj02（目前按 WGS84 读取；不设 coords: 则不作任何换算）"
"""

from __future__ import annotations

import re

_ACCEPTED_EN = (
    "wgs84 (GPS, OSM), gcj02 (GCJ-02 / 火星坐标: Amap 高德, Tencent 腾讯) or bd09 (BD-09: Baidu 百度 lon/lat)"
)
_ACCEPTED_ZH = "wgs84（GPS、OSM）、gcj02（GCJ-02 / 火星坐标：高德、腾讯）或 bd09（BD-09：百度经纬度）"

ZH_DATUM_CHECKS: dict[str, str] = {
    f"unknown coords {{value}}: use {_ACCEPTED_EN} (a projected CRS such as EPSG:4547 goes in crs:)": (
        f"无法识别的 coords {{value}}：请用 {_ACCEPTED_ZH}（EPSG:4547 等投影坐标系请写在 crs: 中）"
    ),
    f"unknown coords {{value}}: use {_ACCEPTED_EN}": f"无法识别的 coords {{value}}：请用 {_ACCEPTED_ZH}",
    f"coords {{value}} is not a coordinate datum: use {_ACCEPTED_EN}": (
        f"coords {{value}} 不是坐标基准：请用 {_ACCEPTED_ZH}"
    ),
    "coords {value}: Baidu's Mercator metres (BD-09MC) are not read; export lon/lat (BD-09 经纬度, bd09ll) "
    "and write coords: bd09": (
        "coords {value}：不读取百度墨卡托米制坐标（BD-09MC）；"
        "请导出经纬度（BD-09 经纬度，bd09ll）并写 coords: bd09"
    ),
    "crs: {crs} and coords: {coords} name different datums: keep one (coords: {a} or coords: {b})": (
        "crs: {crs} 与 coords: {coords} 指向不同的坐标基准：请只保留一个（coords: {a} 或 coords: {b}）"
    ),
}

_NOTE = (
    r"^(.+?): these coordinates look like ([\w-]+) \(median offset (\d+) m to (\d+) matching OSM "
    r"features, (\d+) m after conversion\): "
)
_ZH_NOTE = r"\1：这些坐标看来是 \2（与 \4 个同类 OSM 要素的偏移中位数 \3 米，换算后 \5 米）："
_TAIL = r" \(read as ([\w-]+); nothing is converted without coords:\)$"

#: The run's note on a registry that looks like another datum (regex, replacement), tried in order.
ZH_DATUM_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        _NOTE + r"set coords: (\w+) on layer '(.+)'" + _TAIL,
        _ZH_NOTE + r"请在图层 '\7' 设置 coords: \6（目前按 \8 读取；不设 coords: 则不作任何换算）",
    ),
    (
        _NOTE + r"remove coords: (\w+) from layer '(.+)'" + _TAIL,
        _ZH_NOTE + r"请删除图层 '\7' 的 coords: \6（目前按 \8 读取；不设 coords: 则不作任何换算）",
    ),
)


def is_datum_note(note: str) -> bool:
    """True for the note of a registry that looks like another datum (a warning of the run, not a note).

    >>> is_datum_note("amap: these coordinates look like GCJ-02 (median offset 540 m to 3 matching OSM "
    ...               "features, 0 m after conversion): set coords: gcj02 on layer 'amap' (read as "
    ...               "WGS84; nothing is converted without coords:)"), is_datum_note("buildings: none")
    (True, False)
    """
    return any(re.match(pattern, note) for pattern, _ in ZH_DATUM_PATTERNS)
