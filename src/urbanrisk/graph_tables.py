"""A solved street graph as two small tables a run folder keeps, and back (the incident answer and
``urbanrisk respond`` reload the graphs the coverage stage solved, without the OSM data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from .network import StreetGraph


def graph_to_tables(graph: StreetGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The solved graph as two small tables a run folder keeps (the incident answer reloads them).

    Nodes: ``mode``, ``node`` (matrix row), ``osm_id``, ``lon``, ``lat``, ``x``, ``y`` (in
    ``utm_crs``), ``snap`` (a point may snap there) and, for ``drive_service``, ``public`` (a snap node of
    the public network, where points snap first); edges: ``mode``, ``u``, ``v`` (matrix rows),
    ``time_s`` and ``length_m`` (the minimum over parallel edges, as routed).
    """
    n = len(graph.node_ids)
    lonlat = graph.lonlat if graph.lonlat is not None else np.full((n, 2), np.nan)
    snap = np.zeros(n, dtype=bool)
    snap[graph.snap_nodes] = True
    nodes = pd.DataFrame(
        {
            "mode": graph.mode,
            "node": np.arange(n, dtype=np.int32),
            "osm_id": graph.node_ids.astype(np.int64),
            "lon": lonlat[:, 0],
            "lat": lonlat[:, 1],
            "x": graph.xy[:, 0],
            "y": graph.xy[:, 1],
            "snap": snap,
            "utm_crs": graph.utm_crs,
        }
    )
    if graph.public is not None:
        nodes["public"] = graph.public
    time = graph.time_s.tocoo()
    length = np.asarray(graph.length_m[time.row, time.col]).ravel()  # same node pairs as time_s
    edges = pd.DataFrame(
        {
            "mode": graph.mode,
            "u": time.row.astype(np.int32),
            "v": time.col.astype(np.int32),
            "time_s": time.data,
            "length_m": length,
        }
    )
    return nodes, edges


def graph_from_tables(nodes: pd.DataFrame, edges: pd.DataFrame) -> StreetGraph:
    """The :class:`StreetGraph` that :func:`graph_to_tables` saved (one mode's rows of each table)."""
    nodes = nodes.sort_values("node")
    n = len(nodes)
    u, v = edges["u"].to_numpy(), edges["v"].to_numpy()
    time = csr_matrix((edges["time_s"].to_numpy(), (u, v)), shape=(n, n))
    length = csr_matrix((edges["length_m"].to_numpy(), (u, v)), shape=(n, n))
    graph = StreetGraph(
        str(nodes["mode"].iloc[0]) if n else "",
        nodes["osm_id"].to_numpy(),
        nodes[["x", "y"]].to_numpy(),
        time,
        length,
        str(nodes["utm_crs"].iloc[0]) if n else "",
        lonlat=nodes[["lon", "lat"]].to_numpy() if {"lon", "lat"} <= set(nodes.columns) else None,
    )
    graph._snap_nodes = np.flatnonzero(nodes["snap"].to_numpy())
    if "public" in nodes.columns and graph.mode == "drive_service":
        graph.public = nodes["public"].to_numpy(dtype=bool)
    return graph
