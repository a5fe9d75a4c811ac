"""The street graphs a run keeps for its folder, and those built before the coverage stage needs them.

Every run with streets keeps its drive and walk graphs as tables (an incident answer routes on
them); the coverage stage routes its standards on the same graphs. Both need only the layers, so a
run on worker processes builds them while the grid's tasks run (:func:`urbanrisk.parallel.beside`)
and hands them to the stage.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from ._errors import InputError
from .graph_tables import graph_to_tables
from .network import StreetGraph, street_graph
from .street_rules import MODES

#: The modes whose graphs every run with streets keeps (drive_service only when a standard uses it).
KEPT_MODES = ("drive", "walk")


def street_graphs(
    streets: gpd.GeoDataFrame | None,
    street_nodes: pd.DataFrame,
    *,
    utm_crs: str,
    speeds: pd.DataFrame,
    modes: tuple[str, ...] = KEPT_MODES,
) -> dict[str, StreetGraph]:
    """The graph of each of ``modes`` that has streets (:func:`urbanrisk.network.street_graph`), as
    routed: its matrices, not its edges (no ``StreetGraph.graph``)."""
    graphs: dict[str, StreetGraph] = {}
    if streets is None or not len(streets):
        return graphs
    street_nodes = own_index(street_nodes)
    for mode in modes:
        try:
            graphs[mode] = routed(
                street_graph(streets, street_nodes, mode=mode, utm_crs=utm_crs, speeds=speeds)
            )
        except InputError:  # no street of the mode: nothing to keep
            continue
    return graphs


def own_index(street_nodes: pd.DataFrame) -> pd.DataFrame:
    """``street_nodes`` (shallow copy) on an index of its own: the hash table its look-ups build (the
    32 x 32 metropolis: ~70 MB for 2.3M nodes) goes with the caller's stage, not with the layer."""
    ids = street_nodes.index
    return street_nodes.set_axis(pd.Index(ids.to_numpy(), name=ids.name))


def routed(graph: StreetGraph) -> StreetGraph:
    """``graph`` without its edges table (``StreetGraph.edges``: the 32 x 32 metropolis's drive and
    walk edges held ~0.4 GB): a run routes on the matrices; only an osmnx export reads the edges."""
    graph.edges = None
    return graph


def network_tables(
    graphs: Mapping[str, StreetGraph],
    streets: gpd.GeoDataFrame | None,
    street_nodes: pd.DataFrame,
    *,
    utm_crs: str,
    speeds: pd.DataFrame,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Every mode's street graph as tables for the run folder (an incident answer reloads them);
    a kept mode (:data:`KEPT_MODES`) not in ``graphs`` is built here, so that drive and walk are both kept."""
    if streets is None or not len(streets):
        return None, None
    missing = tuple(mode for mode in KEPT_MODES if mode not in graphs)
    graphs = {**graphs, **street_graphs(streets, street_nodes, utm_crs=utm_crs, speeds=speeds, modes=missing)}
    parts = [graph_to_tables(graphs[mode]) for mode in MODES if mode in graphs]
    if not parts:
        return None, None
    return (
        pd.concat([p[0] for p in parts], ignore_index=True),
        pd.concat([p[1] for p in parts], ignore_index=True),
    )
