"""Uncovered residents on campuses and gated estates: a hint towards ``mode: drive_service``.

A drive standard routes on public streets (osmnx's ``drive``). Homes and hospitals inside campuses
sit far from them but near the campus's service roads, which ``drive_service`` also uses. Only cells
with no public street within ``max_snap_m`` are named: ``drive_service`` snaps every other cell where
``drive`` does (:meth:`urbanrisk.network.StreetGraph.snap`), so for them it changes routes, not reach.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from .network import street_graph
from .street_rules import usable_ways


def campus_hint(
    mode: str,
    name: str,
    table: pd.DataFrame,
    streets: gpd.GeoDataFrame,
    street_nodes: pd.DataFrame,
    cells_xy: np.ndarray,
    *,
    utm_crs: str,
    max_snap_m: float,
    speeds: pd.DataFrame | None = None,
) -> str:
    """Uncovered residents with no public drive street within ``max_snap_m`` but a ``drive_service``
    street (campuses, gated estates) where that mode would snap them: named in the status with the
    recipe line to try."""
    if mode != "drive" or not len(table):
        return ""
    far = (table["cell_snap_m"].to_numpy() > max_snap_m) & (table["residents_uncovered"].to_numpy() > 0)
    service = usable_ways(streets, mode="drive_service") & ~usable_ways(streets, mode="drive")
    if not far.any() or not service.any():
        return ""
    graph = street_graph(streets, street_nodes, mode="drive_service", utm_crs=utm_crs, speeds=speeds)
    graph.public_snap_m = max_snap_m
    _, snap = graph.snap(cells_xy[far, 0], cells_xy[far, 1])
    people = float(table["residents_uncovered"].to_numpy()[far][snap <= max_snap_m].sum())
    if people < 1:
        return ""
    return (
        f"; {people:,.0f} of them live over {max_snap_m:.0f} m from a public drive street but near service "
        f"roads (campuses, gated estates?): coverage: {{overrides: {{{name}: {{mode: "
        "drive_service}}} also routes on those"
    )
