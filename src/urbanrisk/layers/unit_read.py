"""validate's check of a units (polygons) layer no light reader reads (KML, GeoParquet, FlatGeobuf...):
the run's own reader, :func:`urbanrisk.layers.polygons.polygons_from_file`, its refusal as validate's
problem (a GeoParquet of points only, or without a CRS: validate said ok, the run refused).

Examples
--------
>>> units_read_problem(Path("missing.kml"), layer="u", options={}) is None  # the path check says it
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._errors import LayerError


def units_read_problem(path: Path, *, layer: str, options: dict[str, Any]) -> str | None:
    """What the run's reader refuses in the units file ``path`` (without ``layer '...': ``), or None.
    ``options``: the layer's keys :func:`~urbanrisk.layers.polygons.polygons_from_file` takes."""
    if not path.is_file():
        return None
    from .polygons import polygons_from_file  # GDAL: only for units in such a format

    try:
        polygons_from_file(path, layer=layer, **options)
    except LayerError as exc:
        return str(exc).removeprefix(f"layer '{layer}': ")
    return None
