"""The osmnx reference for urbanrisk's street network, built offline and independently.

The ways of an OSM extract are filtered with the filter string of the *installed* osmnx
(``osmnx._overpass._get_network_filter``, parsed here, not copied), written to a temporary OSM XML
file with their nodes, and read by ``osmnx.graph_from_xml`` (unsimplified: every OSM node stays a
graph node, so that snapping can be compared node for node). osmnx adds the edges (one-way rules,
lengths), ``add_edge_speeds`` the speeds from urbanrisk's speed table, and networkx routes
(``multi_source_dijkstra_path_length``). Snapping uses the same rule as urbanrisk, written again
here: the nearest node of the largest strongly connected component that lies on a street-level
edge (no tunnel, bridge, covered way, or layer other than 0).
"""

from __future__ import annotations

import functools
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import networkx as nx
import numpy as np
import osmium
import pandas as pd
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree


def osmnx_way_filter(network_type: str) -> list[tuple[str, re.Pattern]]:
    """The (key, regex) exclusions of osmnx's Overpass filter for a network type."""
    from osmnx._overpass import _get_network_filter

    text = _get_network_filter(network_type)
    clauses = re.findall(r'\["([^"]+)"!~"([^"]+)"\]', text)
    rest = re.sub(r'\["([^"]+)"!~"([^"]+)"\]', "", text)
    assert rest == '["highway"]', f"unexpected clause in the osmnx filter: {rest}"
    return [(key, re.compile(pattern)) for key, pattern in clauses]


#: urbanrisk's rule on top of osmnx's (docs/risk-model.md §4), written again here from the OSM wiki's
#: Key:access: an ``access=no`` way stays only where a more specific tag of the mode allows it
ACCESS_NO_LIFTED_BY = {
    "drive": ("vehicle", "motor_vehicle", "motorcar", "emergency"),
    "drive_service": ("vehicle", "motor_vehicle", "motorcar", "emergency"),
    "walk": ("foot",),
}
ALLOWING = frozenset({"yes", "designated", "permissive", "destination"})


#: ... and ``vehicle=no`` (motor vehicles are vehicles: the wiki's access hierarchy) for the driving
#: types, unless a tag of a more specific class of the standards' vehicles opens it
VEHICLE_NO_LIFTED_BY = ("motor_vehicle", "motorcar", "emergency")


def closed_to(tags: dict[str, str], network_type: str) -> bool:
    """An ``access=no`` way no tag of ``network_type``'s travellers opens, or a ``vehicle=no`` way no
    motor vehicle's or emergency tag opens for a driving type (urbanrisk drops both)."""
    lifted = any(tags.get(key) in ALLOWING for key in ACCESS_NO_LIFTED_BY[network_type])
    no_vehicles = network_type != "walk" and tags.get("vehicle") == "no"
    vehicle_lifted = any(tags.get(key) in ALLOWING for key in VEHICLE_NO_LIFTED_BY)
    return (tags.get("access") == "no" and not lifted) or (no_vehicles and not vehicle_lifted)


def filtered_osm_xml(source: Path, target: Path, network_type: str) -> int:
    """Write the ways osmnx would download for ``network_type`` (and their nodes) as OSM XML, less
    those urbanrisk's ``access=no`` rule drops (:func:`closed_to`)."""
    clauses = osmnx_way_filter(network_type)
    ways = []
    for way in osmium.FileProcessor(str(source), osmium.osm.WAY):
        tags = {t.k: t.v for t in way.tags}
        if "highway" not in tags:
            continue
        if any(key in tags and pattern.search(tags[key]) for key, pattern in clauses):
            continue
        if closed_to(tags, network_type):
            continue
        ways.append((way.id, [n.ref for n in way.nodes], tags))
    wanted = {n for _, refs, _ in ways for n in refs}
    nodes = {}
    for node in osmium.FileProcessor(str(source), osmium.osm.NODE):
        if node.id in wanted and node.location.valid():
            nodes[node.id] = (node.location.lon, node.location.lat)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    lines += [f'<node id="{i}" lat="{lat!r}" lon="{lon!r}"/>' for i, (lon, lat) in nodes.items()]
    kept = 0
    for way_id, refs, tags in ways:
        if not all(r in nodes for r in refs):  # clipped extract: osmnx would raise, urbanrisk drops it
            continue
        kept += 1
        lines.append(f'<way id="{way_id}">')
        lines += [f'<nd ref="{r}"/>' for r in refs]
        lines += [f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append("</way>")
    lines.append("</osm>")
    target.write_text("\n".join(lines), encoding="utf-8")
    return kept


@functools.lru_cache(maxsize=2)
def _osmnx_parsed(source: Path, network_type: str) -> nx.MultiDiGraph:
    """osmnx's unsimplified graph of the extract as it parses it (kept for the next caller: the tests
    ask for each network twice, with osmnx's lengths and with geodesic ones)."""
    import osmnx as ox

    ox.settings.use_cache = False
    saved = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = [*saved, "layer", "covered"]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ways.osm"
            filtered_osm_xml(source, path, network_type)
            return ox.graph_from_xml(
                path, bidirectional=network_type == "walk", simplify=False, retain_all=True
            )
    finally:
        ox.settings.useful_tags_way = saved


def osmnx_graph(
    source: Path, network_type: str, speeds: dict[str, float], *, geodesic: bool = False
) -> nx.MultiDiGraph:
    """osmnx's network of the extract, unsimplified, with speed_kph and travel_time on every edge.

    ``geodesic=True`` replaces osmnx's edge lengths (haversine on a sphere of radius 6,371,009 m)
    with geodesic lengths on the WGS84 ellipsoid, urbanrisk's (they differ by up to ~0.3 %).
    """
    import osmnx as ox

    graph = _osmnx_parsed(source, network_type).copy()
    if geodesic:
        geod = Geod(ellps="WGS84")
        for u, v, data in graph.edges(data=True):
            a, b = graph.nodes[u], graph.nodes[v]
            data["length"] = geod.inv(a["x"], a["y"], b["x"], b["y"])[2]
    graph = ox.add_edge_speeds(graph, hwy_speeds=speeds, fallback=speeds["fallback"])
    return ox.add_edge_travel_times(graph)


def _at_grade(data: dict) -> bool:
    if any(data.get(key, "no") != "no" for key in ("tunnel", "bridge", "covered")):
        return False
    layer = re.match(r"\s*([-+]?\d+(?:\.\d+)?)", str(data.get("layer", "0")))
    return layer is None or float(layer.group(1)) == 0


@dataclass
class Reference:
    graph: nx.MultiDiGraph  # largest strongly connected component
    node_ids: np.ndarray  # snappable nodes
    xy: np.ndarray
    utm_crs: str

    def snap(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        distance, index = cKDTree(self.xy).query(np.column_stack([x, y]))
        return self.node_ids[index], distance


def reference_network(graph: nx.MultiDiGraph, utm_crs: str) -> Reference:
    """The largest strongly connected component and its street-level nodes, projected."""
    import osmnx as ox

    main = ox.truncate.largest_component(graph, strongly=True)
    level = {n for u, v, d in main.edges(data=True) if _at_grade(d) for n in (u, v)}
    ids = np.array(sorted(level or main.nodes))
    to_utm = Transformer.from_crs("EPSG:4326", utm_crs, always_xy=True)
    x, y = to_utm.transform([main.nodes[n]["x"] for n in ids], [main.nodes[n]["y"] for n in ids])
    return Reference(main, ids, np.column_stack([x, y]), utm_crs)


def reference_travel(
    reference: Reference,
    cells_xy: np.ndarray,
    resources: gpd.GeoDataFrame,
    *,
    weight: str,
    extra: float,
    max_snap_m: float,
) -> pd.DataFrame:
    """Per cell: travel from the nearest resource (+ ``extra``, the turnout), NaN when not snapped."""
    r_xy = resources.to_crs(reference.utm_crs)
    r_node, r_snap = reference.snap(r_xy.geometry.x.to_numpy(), r_xy.geometry.y.to_numpy())
    sources = {int(n) for n in r_node[r_snap <= max_snap_m]}
    lengths = nx.multi_source_dijkstra_path_length(reference.graph, sources, weight=weight)
    c_node, c_snap = reference.snap(cells_xy[:, 0], cells_xy[:, 1])
    travel = np.array([lengths.get(int(n), np.inf) for n in c_node]) + extra
    travel = np.where(c_snap > max_snap_m, np.nan, travel)
    return pd.DataFrame({"travel": travel, "snap_m": c_snap, "node": c_node})
