"""Checks before any layer is loaded: the study area's box from file headers, and the job's size.

Light on purpose: ``urbanrisk validate`` calls it, and must not load dask, geopandas or shapely.
"""

from __future__ import annotations

from .jobsize import bbox_km2, check_job
from .layers.raster import raster_info
from .recipe import Recipe


def area_bounds_hint(recipe: Recipe) -> tuple[float, float, float, float] | None:
    """The study area's box without loading layers (a bbox, an OSM header, a raster's extent), or None."""
    spec = recipe.area
    if spec.bbox is not None:
        return tuple(spec.bbox)
    layer = recipe.layers.get(spec.layer) if spec.layer else None
    if layer is not None and layer.type == "osm":
        import osmium  # only when the area is an OSM extract's header

        box_ = osmium.io.Reader(layer.path, osmium.osm.osm_entity_bits.NOTHING).header().box()
        if box_.valid():
            return (box_.bottom_left.lon, box_.bottom_left.lat, box_.top_right.lon, box_.top_right.lat)
    if layer is not None and layer.type == "raster":
        return raster_info(layer.path, band=layer.band, layer=spec.layer).bounds
    return None


def estimate_cells(recipe: Recipe) -> int | None:
    """The recipe's estimated number of H3 cells, or None when its area is only known after loading.

    Raises
    ------
    GridError
        When the job is absurd (see :func:`urbanrisk.jobsize.check_job`) and not forced.
    """
    bounds = area_bounds_hint(recipe)
    if bounds is None:
        return None
    return check_job(bbox_km2(bounds), recipe.grid.resolution, force=recipe.grid.force)
