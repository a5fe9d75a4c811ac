"""Uncovered residents on campuses and gated estates: a hint towards ``mode: drive_service``.

A drive standard routes on public streets (osmnx's ``drive``). Homes and hospitals inside campuses
sit far from them but near the campus's service roads, which ``drive_service`` also uses.
"""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from . import settings
from .street_rules import usable_ways


def campus_hint(
    mode: str,
    name: str,
    table: pd.DataFrame,
    streets: gpd.GeoDataFrame,
    cells_xy: np.ndarray,
    utm_crs: str,
) -> str:
    """Uncovered residents far from the public drive network but near service roads (campuses, gated
    estates), which ``drive_service`` routes on: named in the status with the recipe line to try."""
    if mode != "drive" or not len(table):
        return ""
    # a cell's centre lies up to about an edge from its streets however well it is served
    edge = h3.average_hexagon_edge_length(h3.get_resolution(str(table.index[0])), unit="m")
    limit = max(settings.far_from_street_m, edge)
    far = (table["cell_snap_m"].to_numpy() > limit) & (table["residents_uncovered"].to_numpy() > 0)
    service = usable_ways(streets, mode="drive_service") & ~usable_ways(streets, mode="drive")
    if not far.any() or not service.any():
        return ""
    ways = streets.geometry[service].to_crs(utm_crs).to_numpy()
    points = shapely.points(cells_xy[far])
    tree = shapely.STRtree(ways)
    near = np.zeros(len(points), bool)
    near[np.unique(tree.query_nearest(points, max_distance=limit)[0])] = True
    people = float(table["residents_uncovered"].to_numpy()[far][near].sum())
    if people < 1:
        return ""
    return (
        f"; {people:,.0f} of them live over {limit:.0f} m from a public drive street but near service "
        f"roads (campuses, gated estates?): coverage: {{overrides: {{{name}: {{mode: "
        "drive_service}}} also routes on those"
    )
