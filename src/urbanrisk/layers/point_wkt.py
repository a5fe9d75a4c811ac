"""A CSV / Excel registry whose places are written as WKT in one column (QGIS "Save as CSV" with
``GEOMETRY=AS_WKT``, PostGIS ``ST_AsText``, many web GIS exports): ``WKT``, ``geometry``, ``geom`` or
``the_geom`` holding ``POINT (116.305 39.991)``, read when the table has no lon / lat columns and the
recipe gives no ``lon:`` / ``lat:``. It was refused as "has no lon column".

Read as a vector registry's features are (:func:`urbanrisk.layers.point_vectors.vector_points`): a
MultiPoint or GeometryCollection of several places refused, a polygon or a line placed at a point inside
it (said), in the layer's ``crs:`` (default EPSG:4326). A cell that is no WKT, or empty, is refused by
its row.

Examples
--------
>>> wkt_column(["名称", "WKT"]), wkt_column(["名称", "经度", "纬度"]) is None
('WKT', True)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .._errors import LayerError
from .table_columns import guess_column

#: the names of a column of WKT geometries (compared as lon / lat names are)
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape")


def wkt_column(columns: list[str]) -> str | None:
    """The column of WKT geometries among ``columns``, or None."""
    return guess_column(columns, WKT_NAMES)


def wkt_points(
    frame: Any, column: str, *, layer: str, path: Path, where: Callable[[int], str], crs: str | None
) -> object:
    """The registry's rows as points (a GeoDataFrame in EPSG:4326, ``column`` dropped).

    Raises
    ------
    LayerError
        Rows whose cell is no WKT or empty (the first five, by row), several places in one row, or
        coordinates out of range; the message names the file, the column, the rows and the fix.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    from .point_vectors import vector_points

    texts = frame[column].fillna("").astype(str).str.strip().to_numpy()
    geometries = shapely.from_wkt(np.where(texts == "", None, texts), on_invalid="ignore")
    bad = np.flatnonzero(pd.isna(geometries) | shapely.is_empty(geometries))
    if len(bad):
        rows = ", ".join(where(int(i)) for i in bad[:5]) + (
            f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        )
        example = texts[bad[0]][:40]
        msg = (
            f"layer '{layer}': {path}: column '{column}' holds no WKT geometry in {rows} ('{example}'): "
            "write each site's place as POINT (lon lat), or give lon / lat columns"
        )
        raise LayerError(msg)
    gdf = gpd.GeoDataFrame(frame.drop(columns=[column]), geometry=geometries, crs=crs or "EPSG:4326")
    return vector_points(gdf.reset_index(drop=True), layer, path)


def wkt_problem(table: Any, column: str, *, layer: str, path: Path, crs: str | None) -> str | None:
    """validate's check of a WKT registry (``table``: its :class:`~urbanrisk.layers.tabular.Rows`): what
    :func:`wkt_points`, the run's reader, refuses (without ``layer '...': ``), or None."""
    import pandas as pd  # only for a registry of WKT

    frame = pd.DataFrame(table.rows, columns=table.columns, dtype="str")
    try:
        wkt_points(frame, column, layer=layer, path=path, where=table.where, crs=crs)
    except LayerError as exc:
        return str(exc).removeprefix(f"layer '{layer}': ")
    return None
