"""Whether an OSM extract is sorted (nodes, then ways, then relations): the words validate
(:mod:`urbanrisk.osm_check`) and the run (:func:`urbanrisk.layers.osm_streets.refuse_unsorted`) give
when it is not. Light: validate imports it without geopandas or shapely."""

from __future__ import annotations

from pathlib import Path


def unsorted_message(path: Path, unplaced: int, streets: int) -> str | None:
    """What to say of an extract of ``streets`` street ways, ``unplaced`` of which have none of their
    nodes located: none when fewer than half (a clipped extract keeps its ways' nodes inside it), else
    that the file is not sorted (its ways come before their nodes) and how to sort it."""
    if not unplaced or unplaced * 2 < streets:
        return None
    return (
        f"{path}: {unplaced:,} of {streets:,} street ways come before all their nodes: the file is not "
        "sorted (nodes, then ways, then relations), and the run would read none of those ways, nor any "
        f"building or area drawn so: sort it (osmium sort {path.name} -o sorted.osm.pbf)"
    )
