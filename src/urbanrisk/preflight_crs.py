"""Registries whose file declares a projected CRS (EPSG:3857, a UTM zone...) but holds lon/lat: read
as metres, every point lay within 180 m of the projection's origin, and the run only noted that none
was in the study area; and the reverse, a GeoPackage or Shapefile declaring lon/lat over metres. Told
by ``urbanrisk validate`` and by the run's own check of the layers
(:func:`urbanrisk.preflight.check_layers`) alike, against the study area's box known before loading.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .layers.point_coords import registry_xy, to_lonlat
from .preflight_base import Problem, local

Box = tuple[float, float, float, float]


def in_box(box: Box, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether each lon/lat point lies in a box (west > east: the box crosses 180°).

    >>> in_box((179.0, -1.0, -179.0, 1.0), np.array([179.5, 0.0]), np.array([0.0, 0.0])).tolist()
    [True, False]
    """
    west, south, east, north = box
    across = (x >= west) | (x <= east) if west > east else (x >= west) & (x <= east)
    return across & (y >= south) & (y <= north)


def _kind(crs: str) -> str | None:
    """ "projected", "geographic", or None (a CRS pyproj does not know: told by the header check)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        given = CRS.from_user_input(crs)
    except CRSError:
        return None
    return "projected" if given.is_projected else "geographic" if given.is_geographic else None


def mislabelled_crs(name: str, spec: Any, box: Box | None) -> str | None:
    """What to say of a vector registry declaring a projected CRS whose numbers are lon/lat in the
    study area (most of them) while, read in that CRS, none lies there; or declaring lon/lat over
    numbers beyond it (the run refused it, saying to give `crs:`, which a file's own CRS overrides;
    validate said ok); None otherwise."""
    path = local(spec.path)
    if path is None or path.suffix.lower() not in (".geojson", ".json", ".gpkg", ".shp", ".dbf"):
        return None
    read = registry_xy(path, layer=name, file_layer=getattr(spec, "file_layer", None))
    if read is None:
        return None
    (x, y), own = read
    declared = own or spec.crs
    if declared is None or not len(x):
        return None
    beyond = bool((np.abs(x) > 360).any() or (np.abs(y) > 90).any())
    kind = _kind(declared)
    if (
        beyond
        and kind == "geographic"
        and own is not None
        and path.suffix.lower() not in (".geojson", ".json")
    ):
        k = int(np.flatnonzero((np.abs(x) > 360) | (np.abs(y) > 90))[0])
        return (
            f"{Path(spec.path).name}: the file declares lon/lat, but its coordinates go beyond it (e.g. "
            f"{x[k]:.10g}, {y[k]:.10g}: projected metres?): the CRS is mislabelled; give the file its true "
            "CRS (ogr2ogr -a_srs EPSG:<code> out.gpkg in.gpkg)"
        )
    if box is None or kind != "projected" or (np.abs(x) > 180).any() or (np.abs(y) > 90).any():
        return None
    if in_box(box, x, y).mean() < 0.5:
        return None
    converted = to_lonlat(x, y, declared)
    if converted is None or in_box(box, *converted).any():
        return None
    said = f"`crs: {spec.crs}`" if own is None else "the file"
    return (
        f"{Path(spec.path).name}: {said} declares a projected CRS (metres), but its coordinates are lon/lat "
        f"in the study area ({int(in_box(box, x, y).sum()):,} of {len(x):,} points; read as metres, none "
        "is): the CRS is mislabelled; declare EPSG:4326 (ogr2ogr -a_srs EPSG:4326 out.gpkg in.gpkg; a "
        "GeoJSON: remove its crs member), or remove `crs:`"
    )


def mislabelled_crs_problems(recipe: Any, box: Box | None) -> list[Problem]:
    """:func:`mislabelled_crs` of every points layer, against the study area's box (None: unknown)."""
    problems: list[Problem] = []
    for name, spec in recipe.layers.items():
        if spec.type == "points" and "://" not in spec.path:
            message = mislabelled_crs(name, spec, box)
            problems += [(("layers", name, "crs" if spec.crs else "path"), message)] if message else []
    return problems
