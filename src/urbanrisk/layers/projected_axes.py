"""A registry in projected metres (``crs:``) read the wrong way round, named with the fix.

Chinese surveying names the north axis X and the east axis Y (测量坐标系), so an office's 台账 with
columns ``X坐标`` / ``Y坐标`` in CGCS2000 Gauss-Krüger holds northings in X: given as ``lon: X坐标``
its points land in the ocean (4425178 m east of 117°E) and the run only said the sources were outside
the study area. Eastings written with their zone number in front (``39444460.6``: zone 39) under a CRS
without it (EPSG:4548, "CM 117E") read as no number at all (inf), and the other way round. Each is
recognised when no point lies in the CRS's area of use as given and every point does once swapped,
or once the zone number is taken off (or put in). Light (pyproj, imported only for a registry with
``crs:``): ``urbanrisk validate`` reads it; its Chinese: :mod:`urbanrisk.outputs.i18n_office_checks`.

Examples
--------
>>> x, y = np.array([4425178.96, 4425510.2]), np.array([444460.6, 444719.35])  # X north, Y east
>>> print(axes_problem(x, y, "EPSG:4548", file="台账.csv", lon="X坐标", lat="Y坐标",
...                    where=lambda i: f"row {i + 2}"))  # doctest: +NORMALIZE_WHITESPACE
台账.csv: 'X坐标' holds northings and 'Y坐标' eastings (4425178.96 in row 2; Chinese surveying
calls the north axis X and the east axis Y): set lon: Y坐标 and lat: X坐标
>>> axes_problem(y, x, "EPSG:4548", file="台账.csv", lon="Y坐标", lat="X坐标", where=str) is None
True
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Degrees around a CRS's area of use that still count as inside it (a zone's CRS used next door).
MARGIN_DEG = 1.0
#: CGCS2000 Gauss-Krüger by central meridian (eastings without the zone number) -> the same zones
#: with it: 3° CM 75E-135E (EPSG:4534-4554) -> zones 25-45 (4513-4533); 6° CM 75E-135E (4502-4512)
#: -> zones 13-23 (4491-4501).
_PREFIXED = {**{4534 + k: 4513 + k for k in range(21)}, **{4502 + k: 4491 + k for k in range(11)}}


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _inside(crs: object, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per point: whether it lies in the CRS's area of use (within :data:`MARGIN_DEG`)."""
    from pyproj import Transformer

    west, south, east, north = crs.area_of_use.bounds  # type: ignore[attr-defined]
    with np.errstate(invalid="ignore", over="ignore"):
        lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        return (
            np.isfinite(lon)
            & np.isfinite(lat)
            & (lon >= west - MARGIN_DEG)
            & (lon <= east + MARGIN_DEG)
            & (lat >= south - MARGIN_DEG)
            & (lat <= north + MARGIN_DEG)
        )


def axes_problem(
    x: np.ndarray, y: np.ndarray, crs: str, *, file: str, lon: str, lat: str, where: Callable[[int], str]
) -> str | None:
    """The message for ``x`` (the ``lon:`` column) and ``y`` (``lat:``) in the projected ``crs`` when
    they are northings and eastings swapped, or eastings carrying the zone number; else None.

    ``where(i)`` names the place of point ``i`` ("row 5"); ``file`` the registry as messages name it.
    """
    from pyproj import CRS
    from pyproj.exceptions import CRSError, ProjError

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    try:
        given = CRS.from_user_input(crs)
        if not len(x) or not given.is_projected or given.area_of_use is None or _inside(given, x, y).any():
            return None
        if _inside(given, y, x).all():
            return (
                f"{file}: '{lon}' holds northings and '{lat}' eastings ({_number(x[0])} in {where(0)}; "
                "Chinese surveying calls the north axis X and the east axis Y): "
                f"set lon: {lat} and lat: {lon}"
            )
        zone = np.floor(x / 1e6)
        if (zone >= 1).all() and (zone == zone[0]).all() and _inside(given, x - zone * 1e6, y).all():
            code = _PREFIXED.get(given.to_epsg() or 0)
            fix = (
                f"set crs: EPSG:{code} (the same zones, eastings with the zone number)"
                if code
                else ("set `crs:` to the same datum's CRS whose eastings carry the zone number")
            )
            return (
                f"{file}: eastings such as {_number(x[0])} ({where(0)}) begin with the zone number "
                f"{int(zone[0])}, which {crs} does not take: {fix}, or remove that number in front"
            )
        unprefixed = {v: k for k, v in _PREFIXED.items()}.get(given.to_epsg() or 0)
        if unprefixed and (x < 1e6).all() and _inside(CRS.from_epsg(unprefixed), x, y).all():
            return (
                f"{file}: eastings such as {_number(x[0])} ({where(0)}) have no zone number in front, "
                f"which {crs} expects: set crs: EPSG:{unprefixed} (the same zone, eastings without it)"
            )
    except (CRSError, ProjError):
        return None
    return None
