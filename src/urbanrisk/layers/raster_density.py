"""How many people a population raster puts on a km²: a pixel of 3e38 people (float32's largest value,
an undeclared nodata), or a raster of people per km² read as people per pixel, ran through and gave
cells of absurd residents. ``urbanrisk validate`` and the run read it with the same function, so they
agree: a pixel denser than :data:`urbanrisk.settings.max_people_per_km2` is refused, places of about
:data:`urbanrisk.settings.dense_place_km2` denser than :data:`urbanrisk.settings.dense_people_per_km2`
are told (a note: only the world's most crowded districts come near).

Examples
--------
>>> rows = np.array([[100.0, 0.0], [0.0, 2000.0]])
>>> block_densities(rows, np.array([0.01, 0.01]), 2).tolist()  # people per km² of each 2 x 2 block
[52500.0]
"""

from __future__ import annotations

import functools
import math
import os
from pathlib import Path

import numpy as np

from .. import settings

#: the most pixels read at once (8 bytes each)
_STRIP_PIXELS = 4_000_000


def block_densities(data: np.ndarray, row_km2: np.ndarray, k: int) -> np.ndarray:
    """People per km² of each ``k`` x ``k`` block of ``data`` (rows of people per pixel, each row's pixel
    area in km² in ``row_km2``); a block cut by the right edge counts its pixels only."""
    rows, cols = data.shape
    width = -(-cols // k) * k
    padded = np.zeros((rows, width))
    padded[:, :cols] = data
    area = np.zeros((rows, width))
    area[:, :cols] = row_km2[:, None]
    people = padded.reshape(rows // k, k, width // k, k).sum(axis=(1, 3))
    km2 = area.reshape(rows // k, k, width // k, k).sum(axis=(1, 3))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(km2 > 0, people / np.where(km2 > 0, km2, 1.0), 0.0).ravel()


def _row_km2(src: object, row0: int, rows: int) -> np.ndarray:
    """Each row's pixel area in km²: lon/lat by its latitude; a projected CRS by the pixel at the middle of
    the row, its corners taken to lon/lat (the CRS's own units were read as metres: a raster in US survey
    feet, State Plane, put 10.8 times the people on a km² the check saw, Web Mercator's 100 m pixels at
    40° N 1.7 times)."""
    t = src.transform  # type: ignore[attr-defined]
    if not src.crs.is_geographic:  # type: ignore[attr-defined]
        return _projected_row_km2(src, row0, rows)
    lat = t.f + t.e * (np.arange(row0, row0 + rows) + 0.5)
    return abs(t.a * t.e) * 111.32**2 * np.maximum(np.cos(np.radians(np.clip(lat, -90, 90))), 1e-6)


def _projected_row_km2(src: object, row0: int, rows: int) -> np.ndarray:
    """:func:`_row_km2` of a projected raster; the CRS's units (feet, metres) where a corner has no
    lon/lat."""
    from pyproj import Transformer
    from pyproj.exceptions import ProjError

    t = src.transform  # type: ignore[attr-defined]
    col = src.width // 2  # type: ignore[attr-defined]
    row = np.arange(row0, row0 + rows, dtype="float64")
    corner_cols = np.array([[col], [col + 1], [col + 1], [col]], dtype="float64") + 0 * row
    corner_rows = row + np.array([[0], [0], [1], [1]])
    xs, ys = t * (corner_cols, corner_rows)  # an affine takes arrays: a rotated geotransform too
    try:
        to_lonlat = Transformer.from_crs(src.crs, "EPSG:4326", always_xy=True)  # type: ignore[attr-defined]
        lon, lat = (np.asarray(v, dtype="float64") for v in to_lonlat.transform(xs, ys, errcheck=True))
    except ProjError:
        lon = lat = np.full(xs.shape, np.nan)
    lon = lon[0] + (lon - lon[0] + 180) % 360 - 180  # a pixel across 180°: the short way round
    x = lon * 111.32 * np.cos(np.radians(lat.mean(axis=0)))
    y = lat * 111.32
    km2 = np.abs(0.5 * (x * np.roll(y, -1, axis=0) - np.roll(x, -1, axis=0) * y).sum(axis=0))
    units = _metres_per_unit(src.crs)  # type: ignore[attr-defined]
    return np.where(np.isfinite(km2) & (km2 > 0), km2, abs(t.a * t.e - t.b * t.d) * units**2 / 1e6)


def _metres_per_unit(crs: object) -> float:
    """Metres in one unit of a projected CRS (0.3048006 for US survey feet); 1 when the CRS says none."""
    from rasterio.errors import CRSError

    try:
        return float(crs.linear_units_factor[1])  # type: ignore[attr-defined]
    except (CRSError, TypeError, ValueError, IndexError):
        return 1.0


def raster_density(path: str | Path, band: int = 1) -> tuple[float, float, float, int] | None:
    """The largest people per pixel, the densest pixel's and the densest place's people per km², and how
    many places are denser than :data:`urbanrisk.settings.dense_people_per_km2`; None for a raster of
    more than :data:`urbanrisk.settings.max_window_pixels` pixels or one that cannot be read (the
    header check says why). Nodata, NaN and negative pixels count as nobody (they are not measured).
    Read once per file version (validate's check and note, the run's preflight and loading)."""
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    return _density(str(path), band, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _density(path: str, band: int, mtime_ns: int, size: int) -> tuple[float, float, float, int] | None:
    """:func:`raster_density` of one version of a file (``mtime_ns`` and ``size`` key the cache)."""
    import rasterio
    from rasterio.errors import RasterioError, RasterioIOError
    from rasterio.windows import Window

    try:
        with rasterio.open(path) as src:
            if src.width * src.height > settings.max_window_pixels or src.crs is None:
                return None
            if np.dtype(src.dtypes[band - 1]).kind == "c":  # refused by raster_info
                return None
            pixel_km2 = float(_row_km2(src, src.height // 2, 1)[0])
            k = max(1, round(math.sqrt(settings.dense_place_km2 / pixel_km2))) if pixel_km2 > 0 else 1
            k = min(k, max(src.width, src.height))  # 1 pixel of 1e-7°: blocks of 28,000² zeros, 8.7 GB
            step = max(k, _STRIP_PIXELS // max(src.width, 1) // k * k)
            most = pixel_top = place_top = 0.0
            dense = 0
            for row0 in range(0, src.height, step):
                rows = min(step, src.height - row0)
                values = src.read(band, window=Window(0, row0, src.width, rows), masked=True)
                data = np.ma.filled(values.astype("float64"), 0.0)
                data[~np.isfinite(data) | (data < 0)] = 0.0
                km2 = _row_km2(src, row0, rows)  # a south-up raster's rows too (t.e > 0)
                most = max(most, float(data.max(initial=0.0)))
                pixel_top = max(pixel_top, float((data / km2[:, None]).max(initial=0.0)))
                if rows % k:  # the last strip: whole blocks of k rows (the rest counts its rows only)
                    data = np.vstack([data, np.zeros((k - rows % k, src.width))])
                    km2 = np.concatenate([km2, np.zeros(k - rows % k)])
                places = block_densities(data, km2, k)
                place_top = max(place_top, float(places.max(initial=0.0)))
                dense += int((places > settings.dense_people_per_km2).sum())
    except (RasterioError, RasterioIOError, OSError, IndexError):
        return None
    return most, pixel_top, place_top, dense


def density_problems(path: str | Path, band: int = 1) -> tuple[str | None, str | None]:
    """What to refuse (a pixel denser than anyone could live) and what to note (places as dense as the
    world's most crowded districts) of a population raster, as ``validate`` and the run say it.

    Examples
    --------
    >>> density_problems("no/such.tif")
    (None, None)
    """
    found = raster_density(path, band)
    if found is None:
        return None, None
    most, pixel_top, place_top, dense = found
    refused = None
    if pixel_top > settings.max_people_per_km2 or not math.isfinite(pixel_top):
        refused = (
            f"{path}: a pixel of band {band} holds {most:.4g} people ({pixel_top:.3g} per km²), more than "
            f"anyone could live on (at most {settings.max_people_per_km2:,.0f} per km²): if {most:.9g} marks "
            f"pixels without data, declare it (gdal_edit.py -a_nodata {most:.9g} FILE); else give the "
            "raster of people per pixel (not per km², not scaled)"
        )
    noted = None
    if refused is None and dense:
        noted = (
            f"{path}: {dense:,} places of about {settings.dense_place_km2:g} km² hold more than "
            f"{settings.dense_people_per_km2:,.0f} people per km² (the densest {place_top:,.0f}), as "
            "dense as the world's most crowded districts: check that the raster is people per pixel (not "
            "per km², not scaled)"
        )
    return refused, noted
