"""Features of a registry GeoJSON that have no location (``"geometry": null``, an empty
GeometryCollection, a point with no coordinates), found lightly so that ``urbanrisk validate`` refuses
them as the run does (:func:`urbanrisk.layers.points.points_from_file`: "feature(s) ... have no
geometry"). No geopandas: plain JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .headers import load_geojson


def _located(geometry: Any) -> bool:
    if not isinstance(geometry, dict):
        return False
    if geometry.get("type") == "GeometryCollection":
        return any(_located(g) for g in geometry.get("geometries") or [])
    return bool(geometry.get("coordinates"))


def blank_features(path: str | Path) -> list[int]:
    """The 0-based numbers of a FeatureCollection's features without a location; [] when the file is
    not one (or too big, or not JSON: the header check and the run say so).

    >>> import json, tempfile
    >>> point = {"type": "Point", "coordinates": [116.3, 39.9]}
    >>> empty = {"type": "GeometryCollection", "geometries": []}
    >>> body = {"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {}, "geometry": g} for g in (point, None, empty)]}
    >>> with tempfile.NamedTemporaryFile("w", suffix=".geojson", delete=False) as f:
    ...     json.dump(body, f)
    >>> blank_features(f.name)
    [1, 2]
    """
    try:
        data = load_geojson(path)
    except ValueError:
        return []
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        return []
    return [i for i, f in enumerate(features) if isinstance(f, dict) and not _located(f.get("geometry"))]


def blank_message(path: Path, layer: str, blank: list[int]) -> str:
    """The run's words for them (feature numbers from 1, the first five)."""
    more = f" and {len(blank) - 5} more" if len(blank) > 5 else ""
    numbers = ", ".join(str(i + 1) for i in blank[:5]) + more
    return f"{path.name}: feature(s) {numbers} have no geometry: give their location or remove them"


def geojson_id_problem(path: str | Path, column: str) -> str | None:
    """What the run says of a FeatureCollection's ids in ``column`` (:func:`~urbanrisk.layers.
    registry_columns.registry_ids`): features without one, or whole numbers beyond 2^53 (read as floats,
    they are not the ids written); None when every feature has one, or none has the column.

    >>> import json, tempfile
    >>> rows = [{"id": 1}, {"id": None}, {"id": 2**60}]  # 2**60: an int64, read exactly
    >>> body = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": p,
    ...     "geometry": {"type": "Point", "coordinates": [116.3, 39.9]}} for p in rows]}
    >>> with tempfile.NamedTemporaryFile("w", suffix=".geojson", delete=False) as f:
    ...     json.dump(body, f)
    >>> print(geojson_id_problem(f.name, "id").split(": give")[0][-37:])
    feature(s) 2 have no id (column 'id')
    """
    try:
        data = load_geojson(path)
    except ValueError:
        return None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        return None
    ids = [(f.get("properties") or {}).get(column) if isinstance(f, dict) else None for f in features]
    if all(i is None for i in ids):
        return None  # no such column: ids made up (or the missing column told)
    name = Path(path).name
    big = [  # GDAL reads integers beyond int64 (and any number written with a point) as floats
        i for i in ids if (isinstance(i, float) and abs(i) >= 2**53) or (type(i) is int and abs(i) >= 2**63)
    ]
    return ids_problem(name, column, ids, big)


def ids_problem(name: str, column: str, ids: list, big: list) -> str | None:
    """What the run says of a registry file's ids in ``column`` (``ids``, in the features' order): the
    numbers ``big`` beyond 2^53 first, else the features without an id; None when neither.

    >>> ids_problem("a.gpkg", "id", ["x", None, " "], []).split(": give")[0]
    "a.gpkg: feature(s) 2, 3 have no id (column 'id')"
    """
    if big:
        return (
            f"{name}: ids of column '{column}' were read as numbers beyond 2^53 (e.g. {float(big[0]):.17g}), "
            "which are not the ids written: write them as text (in quotes in a GeoJSON, a text field in a "
            "GeoPackage)"
        )
    blank = [n for n, i in enumerate(ids) if i is None or not str(i).strip()]
    if not blank:
        return None
    listed = ", ".join(str(n + 1) for n in blank[:5]) + (" ..." if len(blank) > 5 else "")
    return (
        f"{name}: feature(s) {listed} have no id (column '{column}'): give every row its id, or remove the "
        "column (ids are then made up from the rows' order)"
    )
