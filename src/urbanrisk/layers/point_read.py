"""validate's check of a vector registry no light reader reads (KML, GeoParquet, FlatGeobuf...): the run's
own reader, :func:`urbanrisk.layers.point_vectors.read_vector_points`, its refusal as validate's problem.

A MultiPoint or GeometryCollection of several places, a feature without geometry, a file without a CRS,
a Parquet file without GeoParquet metadata: validate said ok to these and the run refused them. One
reader for both, so that they cannot disagree (such files are small: an office's KML of its sites).

Examples
--------
>>> read_problem(Path("missing.kml"), crs=None, layer="h") is None  # the path check says it
True
"""

from __future__ import annotations

from pathlib import Path

from .._errors import LayerError


def read_problem(
    path: Path, *, crs: str | None, layer: str, encoding: str | None = None, file_layer: str | None = None
) -> str | None:
    """What the run's reader refuses in the registry ``path`` (without ``layer '...': ``), or None."""
    if not path.is_file():
        return None
    from .point_vectors import read_vector_points  # GDAL: only for a registry in such a format

    try:
        read_vector_points(path, crs, layer, encoding, file_layer)
    except LayerError as exc:
        return str(exc).removeprefix(f"layer '{layer}': ")
    return None
