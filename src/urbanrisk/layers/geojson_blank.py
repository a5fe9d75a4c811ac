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
