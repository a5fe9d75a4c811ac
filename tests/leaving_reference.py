"""An independent reference for "streets that leave the data" (tests/test_leaving_data.py,
tests/test_polygon_extract.py): a run of a clip of the Baltimore extract, and, from that run's own
network tables with networkx and scipy, which cells are far from the connected network and near a
piece of streets reaching the data's edge (the edge given by each test: a box, a polygon)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import h3
import networkx as nx
import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

import urbanrisk as ur
from conftest import write_recipe


def clip_run(folder: Path, clip: Path, name: str, area: dict, *, partitioned: bool = False) -> Path:
    """The run folder of ``clip`` at r10, residents from its buildings (60 m² a person), synchronous."""
    body = {
        "name": name,
        "area": area,
        "grid": {"resolution": 10},
        "layers": {
            "osm": {"type": "osm", "path": str(clip)},
            "population": {
                "type": "population_from_buildings",
                "source": "osm",
                "floor_area_per_person_m2": 60,
            },
        },
        "compute": {"partitioned_coverage": partitioned},
        "outputs": {"dir": str(folder / "out")},
    }
    return ur.run_recipe(write_recipe(folder, body), scheduler="synchronous").run_dir


def expected_leaving(
    run: Path, table: pd.DataFrame, at_edge: Callable[[pd.DataFrame, str], np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Per cell of ``table`` (fire, drive): farther than 500 m from the main strongly connected
    component's nodes, and whether a node of a piece off it (directions ignored) that reaches the
    data's edge lies within 500 m. ``at_edge(nodes, utm_crs)``: per drive node (``x``, ``y`` in
    ``utm_crs``), whether it lies outside the data or within 50 m of their edge."""
    nodes = pd.read_parquet(run / "network_nodes.parquet")
    edges = pd.read_parquet(run / "network_edges.parquet")
    nodes, edges = nodes[nodes["mode"] == "drive"], edges[edges["mode"] == "drive"]
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes["node"])
    graph.add_edges_from(edges[["u", "v"]].itertuples(index=False))
    main = max(nx.strongly_connected_components(graph), key=len)
    others = graph.subgraph(set(graph) - main).to_undirected()
    utm_crs = nodes["utm_crs"].iloc[0]
    edge_of = dict(zip(nodes["node"], at_edge(nodes, utm_crs), strict=True))
    leaving = set()
    for piece in nx.connected_components(others):
        if any(edge_of[n] for n in piece):
            leaving |= piece
    to_xy = Transformer.from_crs(4326, utm_crs, always_xy=True)
    latlng = np.array([h3.cell_to_latlng(cell) for cell in table["h3_cell"]])
    xy = np.column_stack(to_xy.transform(latlng[:, 1], latlng[:, 0]))
    in_main = nodes["node"].isin(main).to_numpy()
    far = cKDTree(nodes.loc[in_main, ["x", "y"]].to_numpy()).query(xy)[0] > 500.0
    out = nodes["node"].isin(leaving).to_numpy()
    near_leaving = cKDTree(nodes.loc[out, ["x", "y"]].to_numpy()).query(xy)[0] <= 500.0
    return far, near_leaving
