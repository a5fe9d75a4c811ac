"""A registry's columns found by name: ``经度`` / ``lon`` exactly, else as a clerk or a map service writes
them (高德经度, 百度纬度, ``GCJ-02 lng``, ``经度(高德)``, ``X坐标``, ``Longitude (WGS84)``).

The datum words (高德, 百度, GCJ-02, BD-09, WGS84...), brackets, spaces and separators are set aside
and the rest compared; a name found so is taken only when no other column reads the same (高德经度 beside
百度经度: which is meant only the office knows, so ``lon:`` is asked for). The datum the name implies is
told by :func:`urbanrisk.layers.point_rows.datum_named_note` (GCJ-02 or BD-09 read as WGS84 wants
``coords:``).

Examples
--------
>>> guess_column(["名称", "高德经度", "高德纬度"], LON_NAMES)
'高德经度'
>>> guess_column(["GCJ-02 lng", "GCJ-02 lat"], LAT_NAMES), guess_column(["经度（高德）"], LON_NAMES)
('GCJ-02 lat', '经度（高德）')
>>> guess_column(["高德经度", "百度经度"], LON_NAMES) is None  # two candidates: ask
True
"""

from __future__ import annotations

import re
import unicodedata

#: lon / lat column names found without `lon:` / `lat:` (compared lower-case)
LON_NAMES = ("lon", "lng", "long", "longitude", "x", "经度", "东经")
LAT_NAMES = ("lat", "latitude", "y", "纬度", "北纬")
#: set aside when a name is compared loosely: the words of a datum or a map service, then "坐标"
_ASIDE = re.compile(r"gcj02|gcj|bd09|baidu|wgs84|cgcs2000|高德|百度|腾讯|火星|坐标系|坐标")
_MARKS = re.compile(r"[\s()\[\]{}（）【】_\-–—.:：/、,，]+")


def loose_name(column: str) -> str:
    """``column`` as compared loosely: NFKC, lower case, without marks and datum words.

    >>> loose_name("Longitude (WGS-84)"), loose_name("X坐标")
    ('longitude', 'x')
    """
    return _ASIDE.sub("", _MARKS.sub("", unicodedata.normalize("NFKC", str(column)).lower()))


def guess_column(columns: list[str], names: tuple[str, ...]) -> str | None:
    """The first of ``names`` among ``columns`` (ignoring case), else the one column that reads as one of
    them loosely (:func:`loose_name`), or None."""
    lowered = {c.lower(): c for c in columns}
    exact = next((lowered[n] for n in names if n in lowered), None)
    if exact is not None:
        return exact
    found = [c for c in columns if loose_name(c) in names]
    return found[0] if len(found) == 1 else None
