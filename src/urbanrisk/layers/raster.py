"""Population rasters (GeoTIFF of people per pixel, e.g. WorldPop): checked once, read window by window."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import rasterio
from rasterio.errors import RasterioIOError
from rasterio.windows import Window, from_bounds

from .._errors import LayerError
from ..result import RasterInfo


def raster_info(path: str | Path, *, band: int = 1, layer: str = "population") -> RasterInfo:
    """Open a population raster and check it: readable, georeferenced in lon/lat, band present.

    Raises
    ------
    LayerError
        When the file is missing or corrupt, has no CRS, is not in EPSG:4326, or lacks the band.
    """
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                msg = (
                    f"layer '{layer}': {path} has no coordinate reference system; "
                    "assign one (gdal_edit.py -a_srs EPSG:4326)"
                )
                raise LayerError(msg)
            if not src.crs.is_geographic or src.crs.to_epsg() != 4326:
                msg = (
                    f"layer '{layer}': {path} is in {src.crs}; urbanrisk reads population rasters in "
                    "EPSG:4326 (WorldPop's own CRS): warp it with gdalwarp -t_srs EPSG:4326 keeping sums"
                )
                raise LayerError(msg)
            if band > src.count:
                msg = f"layer '{layer}': {path} has {src.count} band(s); `band: {band}` does not exist"
                raise LayerError(msg)
            src.read(band, window=Window(0, 0, min(16, src.width), min(16, src.height)))
            return RasterInfo(
                path=str(path),
                band=band,
                bounds=tuple(src.bounds),
                pixel_size=(abs(src.transform.a), abs(src.transform.e)),
                nodata=src.nodata,
            )
    except RasterioIOError as exc:
        msg = f"layer '{layer}': cannot read {path} as a GeoTIFF ({exc}); is the file complete?"
        raise LayerError(msg) from exc


def read_window(
    info: RasterInfo, bounds: tuple[float, float, float, float]
) -> tuple[np.ndarray, rasterio.Affine]:
    """People per pixel inside ``bounds`` (grown to whole pixels), nodata and negatives as 0.

    Rows run north to south (a south-up file is flipped); a rotated grid is refused.
    """
    with rasterio.open(info.path) as src:
        if src.transform.b != 0 or src.transform.d != 0:
            msg = (
                f"{info.path} has a rotated grid; urbanrisk needs a north-up raster: "
                "warp it with gdalwarp -t_srs EPSG:4326 keeping sums"
            )
            raise LayerError(msg)
        exact = from_bounds(*bounds, transform=src.transform)
        col0, row0 = math.floor(exact.col_off), math.floor(exact.row_off)
        col1 = math.ceil(exact.col_off + exact.width)
        row1 = math.ceil(exact.row_off + exact.height)
        window = Window(col0, row0, col1 - col0, row1 - row0)
        full = Window(0, 0, src.width, src.height)
        try:
            window = window.intersection(full)
        except rasterio.errors.WindowError:
            return np.zeros((0, 0)), src.transform
        values = src.read(info.band, window=window, masked=True).astype("float64")
        transform = src.window_transform(window)
    data = values.filled(0.0)
    data[~np.isfinite(data) | (data < 0)] = 0.0
    if transform.e > 0:  # south-up: flip to north-up
        data = data[::-1].copy()
        transform = transform @ rasterio.Affine.translation(0, data.shape[0]) @ rasterio.Affine.scale(1, -1)
    return data, transform
