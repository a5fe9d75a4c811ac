"""A registry's coordinate datum as a recipe may write it: ``coords:`` (or ``crs:``) GCJ-02, BD-09, WGS84.

Chinese map services hand out lon/lat in their own datums: GCJ-02 (Amap/高德, Tencent/腾讯, "火星坐标")
and BD-09 (Baidu/百度). pyproj knows neither, so a layer's ``crs:`` cannot hold them; the recipe key is
``coords: wgs84 | gcj02 | bd09`` (converted to WGS84 on load, :mod:`urbanrisk.layers.coords`). The
common spellings are accepted (``GCJ-02``, ``火星坐标``, ``BD-09``, ``百度``...), and ``crs: GCJ-02``
or ``crs: bd09`` are read as that ``coords:`` (lon/lat degrees in that datum). Anything else is refused
with the accepted values.

Examples
--------
>>> datum_name("GCJ-02"), datum_name("火星坐标系"), datum_name("BD-09"), datum_name("WGS 84")
('gcj02', 'gcj02', 'bd09', 'wgs84')
>>> crs_as_coords(None, {"type": "points", "path": "a.csv", "crs": "GCJ-02"})["coords"]
'gcj02'
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

#: Every accepted spelling (casefolded, without spaces, '-', '_' and a trailing 坐标/坐标系) -> datum.
DATUM_ALIASES: dict[str, str] = {
    **dict.fromkeys(("wgs84", "wgs", "epsg:4326", "4326", "gps", "osm", "地球坐标", "国际坐标"), "wgs84"),
    **dict.fromkeys(
        ("gcj02", "gcj", "gcj2", "mars", "火星", "国测局", "amap", "gaode", "高德", "tencent", "qq", "腾讯"),
        "gcj02",
    ),
    **dict.fromkeys(("bd09", "bd09ll", "bd", "baidu", "百度", "百度经纬度"), "bd09"),
}
#: Map-service datums a ``crs:`` may name (read as ``coords:``; ``crs: WGS84`` stays a CRS).
MAP_SERVICE_DATUMS = ("gcj02", "bd09")
ACCEPTED = (
    "wgs84 (GPS, OSM), gcj02 (GCJ-02 / 火星坐标: Amap 高德, Tencent 腾讯) or bd09 (BD-09: Baidu 百度 lon/lat)"
)


def _key(value: str) -> str:
    """The form looked up in :data:`DATUM_ALIASES`."""
    text = value.strip().casefold()
    for junk in (" ", "-", "_", "—", "－"):
        text = text.replace(junk, "")
    for tail in ("坐标系", "坐标"):
        if text.endswith(tail) and text.removesuffix(tail) in DATUM_ALIASES:
            return text.removesuffix(tail)
    return text


def datum_name(value: Any) -> Any:
    """``value`` as ``wgs84``, ``gcj02`` or ``bd09``; a ValueError naming the accepted values otherwise.

    Raises
    ------
    ValueError
        An unknown datum, Baidu's Mercator metres (bd09mc) or a projected CRS written in ``coords:``.
    """
    if not isinstance(value, str):
        msg = f"coords {value!r} is not a coordinate datum: use {ACCEPTED}"
        raise ValueError(msg)
    key = _key(value)
    if key in DATUM_ALIASES:
        return DATUM_ALIASES[key]
    if key in ("bd09mc", "bdmc", "baidumercator", "百度墨卡托"):
        msg = (
            f"coords {value!r}: Baidu's Mercator metres (BD-09MC) are not read; export lon/lat "
            "(BD-09 经纬度, bd09ll) and write coords: bd09"
        )
        raise ValueError(msg)
    hint = " (a projected CRS such as EPSG:4547 goes in crs:)" if key.startswith("epsg:") else ""
    msg = f"unknown coords {value!r}: use {ACCEPTED}{hint}"
    raise ValueError(msg)


#: A layer's ``coords:`` (any accepted spelling) as the datum's name.
Coords = Annotated[Literal["wgs84", "gcj02", "bd09"], BeforeValidator(datum_name)]


def map_service_datum(value: Any) -> str | None:
    """``gcj02`` / ``bd09`` when ``value`` (a ``crs:``) names a Chinese map service's datum, else None.

    >>> map_service_datum("火星坐标"), map_service_datum("EPSG:4547"), map_service_datum("WGS84")
    ('gcj02', None, None)
    """
    if not isinstance(value, str):
        return None
    found = DATUM_ALIASES.get(_key(value))
    return found if found in MAP_SERVICE_DATUMS else None


def crs_as_coords(cls: Any, data: Any) -> Any:
    """A layer's ``crs: GCJ-02`` / ``crs: bd09`` moved to ``coords:`` (a pydantic before-validator).

    The coordinates are then lon/lat degrees in that datum: ``crs`` becomes EPSG:4326 (the axes a
    file without a CRS of its own is read in) and ``coords`` the datum converted to WGS84.

    Raises
    ------
    ValueError
        ``crs:`` and ``coords:`` naming different datums.
    """
    if not isinstance(data, dict):
        return data
    datum = map_service_datum(data.get("crs"))
    if datum is None:
        return data
    given = data.get("coords")
    if given is not None:
        try:
            given = datum_name(given)
        except ValueError:
            given = None  # the coords field says why
        if given not in (None, datum):
            msg = (
                f"crs: {data['crs']} and coords: {data['coords']} name different datums: keep one "
                f"(coords: {datum} or coords: {given})"
            )
            raise ValueError(msg)
    return {**data, "crs": "EPSG:4326", "coords": datum}
