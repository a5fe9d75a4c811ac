"""What a run says when residents are to be estimated from buildings that the OSM data do not map.

An extract cut short after its nodes (a .osm.pbf cut at a block boundary reads as a whole file), or one
of a place whose buildings nobody mapped, holds no building: residents estimated from buildings would
be 0 in every cell, and every cell graded on 0 residents. Unknown is not none: the run refuses it, and
``urbanrisk validate`` says so too (:func:`urbanrisk.osm_check.osm_read_problems`).

Examples
--------
>>> no_buildings_message("population", ["city.osm.pbf"])[:77]
"layer 'population' (population_from_buildings): city.osm.pbf maps no building"
"""

from __future__ import annotations


def no_buildings_message(layer: str, paths: list[str]) -> str:
    """The message for a ``population_from_buildings`` layer over OSM data (``paths``) without a building."""
    files = " / ".join(paths) or "the OSM layer"
    return (
        f"layer '{layer}' (population_from_buildings): {files} maps no building, so residents would be 0 "
        "everywhere (unknown, not none): is the extract cut short? download or export it again; if its "
        "buildings are not mapped, give the population as a raster (type: raster, e.g. WorldPop)"
    )
