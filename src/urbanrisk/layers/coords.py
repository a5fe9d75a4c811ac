"""Chinese map-service coordinates (GCJ-02, BD-09) to WGS84, vectorised with numpy.

Registries exported from Chinese map services (Amap/Gaode, Tencent: GCJ-02; Baidu: BD-09) are offset
by hundreds of metres from OSM's WGS84. GCJ-02 is a published forward transform from WGS84; its
inverse has no closed form, so :func:`gcj02_to_wgs84` solves it by fixed-point iteration to better
than 1e-9 degrees (~0.1 mm). Points outside China are left unchanged, as the services do.

The formula is the one published with the leaked Krasovsky-1940 C source (on4wp7, 2011) and used by
eviltransform (googollee) and coordtransform (wandergis); BD-09 is Baidu's closed form on top of GCJ-02.
No package on PyPI offers it vectorised and maintained (pygcj, MapDatumTrans: scalar, 2020 and before),
so it is written here in numpy. Reference pairs: tests/test_layers.py, tests/test_datum.py.

Examples
--------
>>> import numpy as np
>>> lon, lat = wgs84_to_gcj02(np.array([116.377817]), np.array([39.911954]))
>>> round(float(lon[0]), 6), round(float(lat[0]), 6)
(116.384047, 39.913345)
"""

from __future__ import annotations

import numpy as np

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0


def in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The rough box inside which GCJ-02 offsets apply."""
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS84 at a WGS84 point, in degrees (the published forward formula)."""
    x = lon - 105.0
    y = lat - 35.0
    common = 20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 -> GCJ-02 (the forward transform the services apply)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray, *, tol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 -> WGS84 by fixed-point iteration on the forward transform."""
    glon, glat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(30):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon, wlat = wlon - elon, wlat - elat
        if elon.size == 0 or max(np.abs(elon).max(), np.abs(elat).max()) < tol:
            break
    return wlon, wlat


def bd09_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Baidu BD-09 -> GCJ-02 (closed form)."""
    x = np.asarray(lon, dtype=float) - 0.0065
    y = np.asarray(lat, dtype=float) - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def gcj02_to_bd09(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 -> Baidu BD-09 (closed form)."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def to_wgs84(lon: np.ndarray, lat: np.ndarray, system: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert ``wgs84`` / ``gcj02`` / ``bd09`` coordinates to WGS84."""
    if system == "wgs84":
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if system == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if system == "bd09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    msg = f"unknown coordinate system {system!r}: use wgs84, gcj02 or bd09"
    raise ValueError(msg)


def utm_crs(lon: float, lat: float) -> str:
    """The UTM zone holding a point, as an EPSG code string (areas and lengths are measured there).

    Examples
    --------
    >>> utm_crs(116.33, 39.99), utm_crs(-0.2, 5.6), utm_crs(-76.6, 39.3)
    ('EPSG:32650', 'EPSG:32630', 'EPSG:32618')
    """
    zone = min(60, int((lon + 180) // 6) + 1)
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"
