"""``validate``'s verdict on the size of an ``area: {layer: osm}`` job, made as the run makes it.

``validate`` sizes such a job from the extract's header box (light: no data read). A polygon cut
declares its polygon's *box*, while the run grids the extract's footprint
(:func:`urbanrisk.osm_footprint.box_footprint`: about half the box for a triangle), so the box's
count is an upper bound: validate refused jobs the run completes (the triangle cut of south-east
Baltimore at r10: 1,661 cells estimated, 986 made). When the box's count is refused, this module
reads the extracts as the run does and sizes the footprint with the run's own check
(:func:`urbanrisk.grid.check_job`): validate then refuses exactly what the run refuses. Only then are
the extracts read and the run's stack imported (``validate`` stays light for every job that fits).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from .recipe import Recipe


def footprint_job_cells(recipe: Recipe) -> int | None:
    """The cell count the run checks for an ``area: {layer: osm}`` job whose extracts are local files
    read whole, sized on the extract's footprint as :func:`urbanrisk.inputs.study_area` makes it; None
    where the run sizes the header box itself (``compute.ingest: partitioned`` keeps the declared
    boxes), reads remote files, or the area is not an extract.

    Raises
    ------
    GridError
        When the run would refuse the job too (the same message as the run's).
    LayerError
        When an extract cannot be read (as the run says it).
    """
    spec = recipe.area
    layer = recipe.layers.get(spec.layer or "")
    if spec.bbox is not None or spec.path or getattr(layer, "type", "") != "osm":
        return None
    osm_specs = {name: s for name, s in recipe.layers.items() if s.type == "osm"}
    local = all("://" not in s.path and Path(s.path).is_file() for s in osm_specs.values())
    if recipe.compute.ingest == "partitioned" or not local:
        return None
    from . import grid as gridmod  # the run's stack: only for a job the header box refused
    from .layers.osm import osm_from_file
    from .layers.osm_join import osm_frames
    from .layers.tables import building_type_table, landuse_context_table, osm_tag_table
    from .osm_footprint import box_footprint, content_points

    tables = {
        "tag_table": osm_tag_table(recipe.tables.osm_tags),
        "building_types": building_type_table(recipe.tables.building_types),
        "landuse_context": landuse_context_table(recipe.tables.landuse_context),
    }
    read = {name: osm_from_file(s.path, **tables) for name, s in osm_specs.items()}
    bounds = read[spec.layer].bounds
    if bounds is None:  # no declared box: the run takes its data's box (validate had no estimate)
        return None
    content = SimpleNamespace(store=None, **osm_frames(read))  # as the run joins them
    area = box_footprint(bounds, content_points(content))
    return gridmod.check_job(area, recipe.grid.resolution, force=recipe.grid.force)
