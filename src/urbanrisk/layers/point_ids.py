"""A GeoPackage registry's ids as the run reads them (:func:`urbanrisk.layers.registry_columns.registry_ids`),
read through sqlite3 alone for ``urbanrisk validate``: features without an id, or ids stored as real
numbers beyond 2^53 (not the ids written), are refused by the run; validate says so first (as
:func:`urbanrisk.layers.geojson_blank.geojson_id_problem` does for a GeoJSON).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .geojson_blank import ids_problem
from .headers import feature_table, quoted_name
from .point_coords import GPKG_MAX_ROWS

#: the largest integer a float64 holds exactly (:data:`urbanrisk.layers.registry_columns.EXACT_IDS`; not
#: imported: that module needs pandas, and validate stays light)
EXACT_IDS = 2**53


def gpkg_id_problem(path: str | Path, column: str, *, layer: str, file_layer: str | None) -> str | None:
    """What the run says of a GeoPackage layer's ids in ``column``: features without one (NULL, empty or
    blank text), or real numbers beyond 2^53; None when every feature has one, the layer has no such
    column (ids made up), or the file is not readable lightly (the run checks it).

    >>> import tempfile, geopandas as gpd, shapely
    >>> points = [shapely.Point(116.3, 39.9)] * 3
    >>> frame = gpd.GeoDataFrame({"id": ["a", None, " "]}, geometry=points, crs=4326)
    >>> frame.to_file(f := tempfile.mktemp(suffix=".gpkg"), layer="h")
    >>> gpkg_id_problem(f, "id", layer="h", file_layer=None).split(": give")[0]
    "...gpkg: feature(s) 2, 3 have no id (column 'id')"
    """
    path = Path(path)
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            picked = feature_table(db, path, layer, file_layer, "column_name")
            if picked is None:
                return None
            table = picked[0]
            have = {r[1] for r in db.execute(f"PRAGMA table_info({quoted_name(table)})")}
            if column not in have:
                return None
            query = f"SELECT {quoted_name(column)} FROM {quoted_name(table)} LIMIT {GPKG_MAX_ROWS + 1}"
            ids = [row[0] for row in db.execute(query).fetchall()]
    except (sqlite3.Error, OSError):
        return None
    if len(ids) > GPKG_MAX_ROWS:
        return None
    big = [i for i in ids if isinstance(i, float) and abs(i) >= EXACT_IDS]
    return ids_problem(path.name, column, ids, big)
