"""Read a vector file (GeoJSON, GeoPackage, Shapefile...) with its CRS checked: the one place that does."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from .._errors import LayerError


def vector_from_file(path: str | Path, *, layer: str, crs: str | None = None) -> gpd.GeoDataFrame:
    """Read a vector file in its own CRS (``crs`` assigns one when the file has none).

    Raises
    ------
    LayerError
        When the file cannot be read, or has no CRS and none is given; the message names the
        layer and the file and says how to fix it.
    """
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        msg = f"layer '{layer}': cannot read {path} ({exc}); is it a valid GeoJSON / GeoPackage?"
        raise LayerError(msg) from exc
    if gdf.crs is None:
        if crs is None:
            msg = (
                f"layer '{layer}': {path} has no coordinate reference system; say which it is with "
                "`crs:` in the recipe (e.g. crs: EPSG:4326)"
            )
            raise LayerError(msg)
        gdf = gdf.set_crs(crs)
    return gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
