"""Population rasters (GeoTIFF of people per pixel, e.g. WorldPop): checked once, read window by window.

A raster in another CRS (EPSG:3857, a UTM zone, GHS-POP's Mollweide) is warped once to EPSG:4326 by
area-weighted sums (GDAL's ``sum`` resampling), its total checked against the source's and kept.
A raster crossing the antimeridian keeps one continuous frame: its longitudes run past ±180° (a
projected one is warped to lon/lat in 0..360); :mod:`urbanrisk.population` maps the cells onto it.

rasterio is imported by the functions that read a raster: a recipe without one (``urbanrisk validate``,
a run's driver) never loads it (~0.06 s CPU).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import settings
from .._errors import LayerError, require_regular_file
from ..result import RasterInfo

if TYPE_CHECKING:
    import rasterio

_WARP_FIX = "warp it yourself with gdalwarp -t_srs EPSG:4326 -r sum"


#: lon/lat with longitudes in [0, 360]: the frame a projected raster crossing 180° is warped to
_WRAPPED = "+proj=longlat +datum=WGS84 +lon_wrap=180 +no_defs"


def _projected_bounds(src: rasterio.io.DatasetReader) -> tuple[float, ...]:
    """A projected raster's lon/lat extent, west < east, running past 180° when it crosses it."""
    from rasterio.warp import transform_bounds

    west, south, east, north = transform_bounds(src.crs, "EPSG:4326", *src.bounds, densify_pts=21)
    if west > east or east - west > 180:  # across 180° (or the whole world): try the 0..360 frame
        wrapped = transform_bounds(src.crs, _WRAPPED, *src.bounds, densify_pts=21)
        if west > east or wrapped[2] - wrapped[0] < east - west - 1:
            turn = 360.0 if wrapped[0] >= 180 else 0.0
            return (wrapped[0] - turn, wrapped[1], wrapped[2] - turn, wrapped[3])
    return (west, south, east, north)


def _lonlat_bounds(src: rasterio.io.DatasetReader, path: str | Path, layer: str) -> tuple[float, ...]:
    """The raster's extent in lon/lat, refusing coordinates that cannot be lon/lat.

    West is less than east; a raster crossing the antimeridian keeps a continuous frame, its
    longitudes running past ±180° (e.g. 179.5 to 180.5): it is at most one turn wide.
    """
    from rasterio._err import CPLE_BaseError  # GDAL's and PROJ's errors (rasterio.errors has none)

    try:
        bounds = tuple(src.bounds) if src.crs.to_epsg() == 4326 else _projected_bounds(src)
    except CPLE_BaseError as exc:  # a local (engineering) CRS: PROJ has no way to lon/lat (a traceback)
        msg = (
            f"layer '{layer}': {path} has a coordinate reference system with no way to lon/lat (a local "
            "one?); assign its true CRS with gdal_edit.py -a_srs EPSG:<code>"
        )
        raise LayerError(msg) from exc
    west, south, east, north = bounds
    south, north = min(south, north), max(south, north)  # a south-up file (read flipped) said north < south
    bounds = (west, south, east, north)
    if not all(map(math.isfinite, bounds)) or abs(south) > 90.001 or abs(north) > 90.001:
        msg = (
            f"layer '{layer}': {path} spans {bounds} in {src.crs}: not lon/lat (metres labelled "
            "EPSG:4326?); assign its true CRS with gdal_edit.py -a_srs EPSG:<code>"
        )
        raise LayerError(msg)
    if max(abs(west), abs(east)) > 360.001 or east - west > 360.001:
        hint = "not lon/lat (metres labelled EPSG:4326?); assign its true CRS with gdal_edit.py -a_srs"
        msg = f"layer '{layer}': {path} spans longitudes {west:g} to {east:g}: {hint}"
        raise LayerError(msg)
    return bounds


def _check_blocks(src: rasterio.io.DatasetReader, band: int) -> None:
    """Read the first and the last block (a truncated file fails on its last tiles)."""
    from rasterio.windows import Window

    blocks = list(src.block_windows(band)) if src.width * src.height <= 4e8 else []
    corner = Window(max(0, src.width - 16), max(0, src.height - 16), min(16, src.width), min(16, src.height))
    for window in [Window(0, 0, min(16, src.width), min(16, src.height)), corner] + [
        w for _, w in blocks[-2:]
    ]:
        src.read(band, window=window)


def raster_info(
    path: str | Path,
    *,
    band: int = 1,
    layer: str = "population",
    warp: bool = False,
    nodata_means: str = "unknown",
    band_named: bool = True,
) -> RasterInfo:
    """Open a population raster and check it: readable, georeferenced, lon/lat bounds, band present.

    ``band_named``: False when the recipe left ``band:`` out; a raster of several bands is then refused
    (band 1 of a two-band file read silently gave half the people, or an alpha mask as people).

    With ``warp``, a raster that is not in EPSG:4326 is warped to it (sums kept, see
    :func:`raster_to_lonlat`) and the returned info describes the warped copy. ``nodata_means``: the
    recipe's ``nodata:`` ("unknown", or "empty": nodata pixels are measured with nobody).

    Raises
    ------
    LayerError
        When the file is missing or corrupt, has no CRS, impossible bounds, or lacks the band.
    """
    import rasterio
    from rasterio.errors import RasterioError, RasterioIOError

    require_regular_file(path, layer)
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                msg = (
                    f"layer '{layer}': {path} has no coordinate reference system; "
                    "assign one (gdal_edit.py -a_srs EPSG:4326)"
                )
                raise LayerError(msg)
            if band > src.count:
                msg = f"layer '{layer}': {path} has {src.count} band(s); `band: {band}` does not exist"
                raise LayerError(msg)
            if src.count > 1 and not band_named:
                raise LayerError(_which_band_message(src, path, layer))
            if src.transform.b != 0 or src.transform.d != 0:
                msg = f"layer '{layer}': {path} has a rotated grid; urbanrisk needs north-up: {_WARP_FIX}"
                raise LayerError(msg)
            if src.transform.a < 0:  # its box read west > east: a box across 180°, the whole globe gridded
                msg = (
                    f"layer '{layer}': {path} has its columns running east to west (a negative pixel width); "
                    f"urbanrisk needs west to east: {_WARP_FIX}"
                )
                raise LayerError(msg)
            scale, offset = src.scales[band - 1], src.offsets[band - 1]
            if (scale, offset) != (
                1.0,
                0.0,
            ):  # GDAL packing: the stored numbers, read raw, were 10x the people
                msg = (
                    f"layer '{layer}': {path}: band {band} stores its values packed (each value = stored "
                    f"number x {scale:g} + {offset:g}), which urbanrisk does not unpack: write the people "
                    "per pixel themselves (gdal_translate -unscale -ot Float32 in.tif out.tif)"
                )
                raise LayerError(msg)
            if np.dtype(src.dtypes[band - 1]).kind == "c":  # its real part was read (a ComplexWarning)
                kind = src.dtypes[band - 1]
                msg = (
                    f"layer '{layer}': {path}: band {band} holds complex numbers ({kind}), not counts of "
                    "people: give the raster of people per pixel"
                )
                raise LayerError(msg)
            if (
                src.transform.a == 0 or src.transform.e == 0
            ):  # the run divided by it: a RuntimeWarning, 0 people
                fix = "give it its true extent (gdal_edit.py -a_ullr west north east south)"
                msg = f"layer '{layer}': {path} has pixels of size 0 (a broken geotransform): {fix}"
                raise LayerError(msg)
            bounds = _lonlat_bounds(src, path, layer)
            _check_blocks(src, band)
            lonlat = src.crs.to_epsg() == 4326
            info = RasterInfo(
                path=str(path),
                band=band,
                bounds=bounds,
                pixel_size=(abs(src.transform.a), abs(src.transform.e)),
                nodata=src.nodata,
                nodata_empty=nodata_means == "empty",
            )
    except (RasterioIOError, RasterioError) as exc:
        msg = f"layer '{layer}': cannot read {path} as a GeoTIFF ({exc}); is the file complete?"
        raise LayerError(msg) from exc
    if warp and not lonlat:
        return dataclasses.replace(raster_to_lonlat(info, layer=layer), nodata_empty=info.nodata_empty)
    return info


def _which_band_message(src: rasterio.io.DatasetReader, path: str | Path, layer: str) -> str:
    """The refusal of a raster of several bands whose recipe names none, listing them (``band 2: 'men'``)."""
    shown = [
        f"band {i}: {desc!r}" if desc else f"band {i}" for i, desc in enumerate(src.descriptions[:6], start=1)
    ]
    more = f", ... ({src.count} in all)" if src.count > 6 else ""
    return (
        f"layer '{layer}': {path} has {src.count} bands ({', '.join(shown)}{more}) and the recipe names "
        f"none: say which holds the people per pixel, e.g. `band: 1` under layers: {layer}:"
    )


def _measured(values: np.ma.MaskedArray | np.ndarray) -> np.ndarray:
    """True for pixels that hold a count: not nodata, not NaN or infinite, not negative."""
    values = np.ma.asarray(values)
    data = np.ma.filled(values.astype("float64"), np.nan)
    return np.isfinite(data) & (data >= 0)


def refuse_bad_counts(
    values: np.ma.MaskedArray | np.ndarray, path: str | Path, band: int, col0: int = 0, row0: int = 0
) -> None:
    """Refuse pixels that hold a negative or infinite count (not nodata): no count of people, and read
    as unknown they hid a missing nodata declaration (-99999, -3.4e38 undeclared) or a broken export.
    NaN stays no data (missing is not zero). ``col0``, ``row0``: where the window starts in the file.

    >>> refuse_bad_counts(np.array([[1.0, np.nan], [-5.0, np.inf]]), "p.tif", 1, 10, 20)
    Traceback (most recent call last):
    ...
    urbanrisk._errors.LayerError: p.tif: band 1, the window of columns 10-11, rows 20-21 holds 1 negative ...
    """
    values = np.ma.asarray(values)
    if values.dtype.kind == "u" or not values.size:  # unsigned: no negative, no inf
        return
    quick = np.ma.filled(values, 0)  # in its own dtype: two reductions, no float64 copy (most windows)
    with np.errstate(invalid="ignore"):
        if not (np.nanmin(quick) < 0 or np.isposinf(np.nanmax(quick))):
            return
    data = np.ma.filled(values.astype("float64"), np.nan)
    found = []
    for name, bad in (("negative", data < 0), ("infinite", np.isposinf(data))):  # -inf: negative
        if bad.any():
            r, c = (int(v[0]) for v in np.nonzero(bad))
            count = int(bad.sum())
            found.append(
                f"{count:,} {name} pixel{'s' if count > 1 else ''} (e.g. {data[r, c]:g} at column "
                f"{col0 + c}, row {row0 + r})"
            )
    if not found:
        return
    rows, cols = data.shape
    msg = (
        f"{path}: band {band}, the window of columns {col0}-{col0 + cols - 1}, rows {row0}-{row0 + rows - 1} "
        f"holds {' and '.join(found)}, which count no people: if they mark no data, declare it "
        f"(gdal_edit.py -a_nodata <value> {Path(path).name}), else fix those pixels (NaN stays no data)"
    )
    raise LayerError(msg)


def _clean(values: np.ma.MaskedArray | np.ndarray) -> np.ndarray:
    data = np.ma.filled(np.ma.asarray(values).astype("float64"), 0.0)
    data[~np.isfinite(data) | (data < 0)] = 0.0
    return data


def raster_to_lonlat(info: RasterInfo, *, layer: str = "population") -> RasterInfo:
    """Warp a projected population raster to EPSG:4326 keeping its people (written once, then reused).

    GDAL's ``sum`` resampling adds each source pixel's people to the lon/lat pixels by overlap; the
    total is then checked against the source's (a difference over 2 % is an error) and the small
    remainder spread proportionally, so the warped raster holds exactly the source's people. What
    was not measured stays so (missing is not zero): the copy's second band is each lon/lat pixel's
    share of area over measured source pixels (GDAL's ``average`` of the measured mask: nodata, NaN
    and negative pixels and the area outside the source are not measured), which
    :func:`read_window` returns as the pixels' measured weights.
    """
    import rasterio
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    with rasterio.open(info.path) as src:
        if src.width * src.height > settings.max_warp_pixels:
            msg = (
                f"layer '{layer}': {info.path} ({src.width} x {src.height} pixels, {src.crs}) is too big to "
                f"warp in memory; {_WARP_FIX} first"
            )
            raise LayerError(msg)
        stamp = f"{Path(info.path).resolve()}:{os.stat(info.path).st_mtime_ns}:{info.nodata_empty}:nan-v2"
        key = hashlib.sha256(stamp.encode())
        target = Path(tempfile.gettempdir()) / "urbanrisk-warped" / f"{key.hexdigest()[:20]}-{info.band}.tif"
        if target.is_file():
            return dataclasses.replace(raster_info(target, band=1, layer=layer), measured_band=2)
        values = src.read(info.band, masked=True)
        refuse_bad_counts(values, info.path, info.band)
        source = _clean(values)
        mask = np.ones(source.shape) if info.nodata_empty else _measured(values).astype("float64")
        frame = _WRAPPED if info.bounds[2] > 180 else "EPSG:4326"  # across 180°: warp to 0..360
        transform, width, height = calculate_default_transform(
            src.crs, frame, src.width, src.height, *src.bounds
        )
        # two pixels of margin: the default extent cuts edge pixels (3 % of the people of a small tile)
        transform, width, height = transform * rasterio.Affine.translation(-2, -2), width + 4, height + 4
        warped = np.zeros((height, width), dtype="float64")
        reproject(
            source, warped, src_transform=src.transform, src_crs=src.crs, dst_transform=transform,
            dst_crs=frame, resampling=Resampling.sum, src_nodata=None, dst_nodata=None,
        )  # fmt: skip
        measured = np.zeros((height, width), dtype="float64")
        reproject(
            mask, measured, src_transform=src.transform, src_crs=src.crs, dst_transform=transform,
            dst_crs=frame, resampling=Resampling.average, src_nodata=None, dst_nodata=None,
        )  # fmt: skip
    total, kept = float(source.sum()), float(warped.sum())
    if total > 0 and (kept <= 0 or abs(kept / total - 1) > 0.02):
        kept_text = f"kept {kept:,.0f} of {total:,.0f} people"
        msg = f"layer '{layer}': warping {info.path} to EPSG:4326 {kept_text}; {_WARP_FIX}"
        raise LayerError(msg)
    if kept > 0:
        warped *= total / kept
    # people only come from measured pixels: where GDAL's sum and average weigh an edge differently,
    # a pixel with people keeps a trace of measured area (its people are never dropped)
    measured[(warped > 0) & ~(measured > 1e-6)] = 1e-6
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    profile = {"driver": "GTiff", "width": width, "height": height, "count": 2, "dtype": "float64"}
    profile.update(crs="EPSG:4326", transform=transform, compress="deflate")
    with rasterio.open(partial, "w", **profile) as dst:
        dst.write(warped, 1)
        dst.write(measured, 2)  # each pixel's measured share (read_window)
    partial.replace(target)
    return dataclasses.replace(raster_info(target, band=1, layer=layer), measured_band=2)


def read_window(
    info: RasterInfo, bounds: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray, rasterio.Affine]:
    """People per pixel inside ``bounds`` (grown to whole pixels), nodata and negatives as 0, and which
    pixels were measured (False: nodata, NaN or negative, i.e. not measured, not zero people; for a
    warped copy, each pixel's measured share of area, 0 to 1).

    Rows run north to south (a south-up file is flipped); a rotated grid is refused.
    """
    from rasterio.errors import RasterioError, RasterioIOError

    try:
        return _read_window(info, bounds)
    except (RasterioIOError, RasterioError) as exc:
        msg = f"cannot read {info.path} ({exc}): the GeoTIFF is damaged (truncated tiles?); re-download it"
        raise LayerError(msg) from exc


def _read_window(
    info: RasterInfo, bounds: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray, rasterio.Affine]:
    import rasterio
    from rasterio.windows import Window

    with rasterio.open(info.path) as src:
        if src.transform.b != 0 or src.transform.d != 0:
            msg = f"{info.path} has a rotated grid; urbanrisk needs a north-up raster: {_WARP_FIX}"
            raise LayerError(msg)
        west, south, east, north = bounds
        cols, rows = zip(*(~src.transform * xy for xy in ((west, north), (east, south))), strict=True)
        col0, row0 = math.floor(min(cols)), math.floor(min(rows))  # min/max: a south-up file too
        col1, row1 = math.ceil(max(cols)), math.ceil(max(rows))
        window = Window(col0, row0, max(col1 - col0, 0), max(row1 - row0, 0))
        full = Window(0, 0, src.width, src.height)
        try:
            window = window.intersection(full)
        except rasterio.errors.WindowError:
            return np.zeros((0, 0)), np.zeros((0, 0), dtype=bool), src.transform
        if window.width * window.height > settings.max_window_pixels:
            msg = (
                f"{info.path}: one partition of the grid covers {window.width} x {window.height} pixels, "
                f"more than {settings.max_window_pixels:,}: use a coarser raster (gdalwarp -tr ... -r sum) "
                "or a finer grid.partition_resolution"
            )
            raise LayerError(msg)
        values = src.read(info.band, window=window, masked=True)
        if info.measured_band is None:  # a warped copy was checked whole before its warp
            refuse_bad_counts(values, info.path, info.band, int(window.col_off), int(window.row_off))
        share = None if info.measured_band is None else src.read(info.measured_band, window=window)
        transform = src.window_transform(window)
    data, measured = _clean(values), _measured(values)
    if share is not None:  # a warped copy: each pixel's share of area over measured source pixels
        measured = np.clip(np.nan_to_num(share.astype("float64")), 0.0, 1.0)
    elif info.nodata_empty:  # declared: nodata is a water mask, measured with nobody (inside the raster)
        measured = np.ones_like(measured)
    if transform.e > 0:  # south-up: flip to north-up
        data, measured = data[::-1].copy(), measured[::-1].copy()
        transform = transform @ rasterio.Affine.translation(0, data.shape[0]) @ rasterio.Affine.scale(1, -1)
    return data, measured, transform


def bad_counts_problem(
    path: str | Path, band: int = 1, budget: int = settings.max_window_pixels
) -> str | None:
    """What the run says of the first block of the band holding negative or infinite pixels
    (:func:`refuse_bad_counts`), read block by block up to ``budget`` pixels (None: none found)."""
    import rasterio
    from rasterio.errors import RasterioError, RasterioIOError

    try:
        with rasterio.open(path) as src:
            read = 0
            for _, window in src.block_windows(band):
                values = src.read(band, window=window, masked=True)
                try:
                    refuse_bad_counts(values, path, band, int(window.col_off), int(window.row_off))
                except LayerError as exc:
                    return str(exc)
                read += int(window.width * window.height)
                if read >= budget:
                    return None
    except (RasterioError, RasterioIOError, OSError):
        return None  # told by raster_info
    return None


def has_valid_pixel(
    path: str | Path, band: int = 1, budget: int = settings.max_window_pixels, *, counts_only: bool = False
) -> bool | None:
    """Whether any pixel of the band holds a value (not nodata, not NaN; with ``counts_only``, not
    negative either: a count the run reads), read block by block until one does; None when ``budget``
    pixels were read without an answer (a large raster: the run tells).

    A raster all nodata (the wrong band, an export that failed) ran as 0 residents everywhere, every
    cell graded "low" on no data at all; one all negative ran with residents unknown everywhere.
    """
    import rasterio
    from rasterio.errors import RasterioError, RasterioIOError

    try:
        with rasterio.open(path) as src:
            read = 0
            for _, window in src.block_windows(band):
                data = src.read(band, window=window, masked=True)
                values = data.astype("float64").filled(np.nan)  # uint8: no NaN to fill
                if (np.isfinite(values) & ((values >= 0) if counts_only else True)).any():
                    return True
                read += int(window.width * window.height)
                if read >= budget:
                    return None
    except (RasterioError, RasterioIOError, OSError):
        return None  # told by raster_info
    return False
