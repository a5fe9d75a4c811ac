"""Routable street graphs from the OSM layer, solved as sparse matrices: the network of record.

The street ways that :mod:`urbanrisk.layers.osm` keeps (with their node ids and tags) become
directed edges per mode, by the rules of osmnx's ``drive`` and ``walk`` network types:

- **which ways**: ``tables/network_filters.csv`` holds osmnx's Overpass filters verbatim (``access~
  private``, ``motor_vehicle~no``, ``highway~service|footway|...`` for driving...) and urbanrisk's
  ``access=no`` rule (:mod:`urbanrisk.street_rules`); the tests parse the installed osmnx's filter
  string, add that rule, and check the routed result equals osmnx's graph cell by cell;
- **which direction**: :data:`ONEWAY_VALUES`, :data:`REVERSED_VALUES` and ``junction=roundabout``
  as in osmnx's ``graph._is_path_one_way`` (walking ignores them);
- **how long, how fast**: geodesic length on the WGS84 ellipsoid (osmnx's haversine on a sphere
  differs by up to ~0.3 %: at most 0.6 s per trip on the sample cities); ``maxspeed`` where tagged,
  else the speed of the highway type in ``tables/speeds.csv`` (osmnx's ``add_edge_speeds`` with
  ``hwy_speeds``/``fallback``); walking at a constant speed.

Points (cell centres, resources) snap only to nodes a traveller of the mode can start from: nodes of
the largest strongly connected component that lie on a street-level way (not a tunnel, bridge deck,
covered way or a way on another ``layer``): an underground service tunnel next to a cell is no
place to put its residents. ``drive_service`` snaps a point to the node ``drive`` would (its public
network's) wherever one lies within ``public_snap_m`` (the coverage's ``max_snap_m``), and to a service
road only beyond: service roads then only add routes, so no travel is longer than by ``drive`` (a
cell centre snapped to a dead-end alley at 10 km/h took up to 337 s longer on Baltimore).
The edges are turned once, vectorised, into CSR matrices holding, for
each ordered node pair, the *minimum* weight over parallel edges (``networkx.to_scipy_sparse_array``
would sum them), which scipy's multi-source Dijkstra solves. ``StreetGraph.graph`` builds the same
network as an osmnx MultiDiGraph on demand (``osmnx.graph_from_gdfs``) for export and checks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod, Transformer
from scipy.sparse import csr_matrix

from . import settings
from ._errors import InputError
from .lazy_scipy import connected_components, kd_tree
from .street_rules import (
    DRIVING_MODES,
    MODES,
    speed_table,
    street_tag,
    usable_ways,
    way_directions,
    ways_at_grade,
)

if TYPE_CHECKING:  # osmnx (and scikit-learn behind it) load only when a graph is asked for
    import networkx as nx
    from scipy.spatial import cKDTree

_GEOD = Geod(ellps="WGS84")


@dataclass
class StreetGraph:
    """A mode's street graph: CSR matrices, projected node coordinates, and the edges behind them."""

    mode: str
    node_ids: np.ndarray  # OSM node id of each matrix row
    xy: np.ndarray  # projected node coordinates, shape (n, 2)
    time_s: csr_matrix  # minimum travel time over parallel edges (drive) or walking time (walk)
    length_m: csr_matrix  # minimum length over parallel edges
    utm_crs: str
    edges: pd.DataFrame | None = None  # None when dropped after building (a run's graphs): no ``graph``
    lonlat: np.ndarray | None = None
    at_grade: np.ndarray | None = None  # per node: on at least one street-level edge (None: all)
    public: np.ndarray | None = None  # drive_service, per node: a snap node of the public (drive) network
    public_snap_m: float = settings.max_snap_m
    _main: np.ndarray | None = None
    _snap_nodes: np.ndarray | None = None
    _graph: nx.MultiDiGraph | None = None
    _tree: cKDTree | None = None
    _public_tree: cKDTree | None = None

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The same network as an osmnx MultiDiGraph (parallel edges kept), built on first use."""
        if self._graph is None:
            self._graph = edges_to_osmnx(self.edges, self.node_ids, self.lonlat)
        return self._graph

    def snap(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest snap node (matrix index) of projected points, and the distance to it in metres.

        Snap nodes (:attr:`snap_nodes`) are the street-level nodes of the largest strongly connected
        component: a point never lands on an island of the graph (a campus road mapped without its
        gate, a one-way dead end) from which nothing is reachable, nor on a tunnel or bridge deck
        it cannot enter from where it stands. With :attr:`public` (``drive_service``), a point within
        :attr:`public_snap_m` of the public network snaps where ``drive`` snaps it.
        """
        if len(x) == 0:
            return np.zeros(0, dtype=int), np.zeros(0)
        nodes = self.snap_nodes
        if self._tree is None:  # built once per graph: coverage, siting and incidents snap many times
            self._tree = kd_tree(self.xy[nodes])
        distance, index = self._tree.query(np.column_stack([x, y]))
        node = nodes[index]
        if self.public is not None and self.public.any():
            public = np.flatnonzero(self.public)
            if self._public_tree is None:
                self._public_tree = kd_tree(self.xy[public])
            public_distance, public_index = self._public_tree.query(np.column_stack([x, y]))
            near = public_distance <= self.public_snap_m
            node = np.where(near, public[public_index], node)
            distance = np.where(near, public_distance, distance)
        return node, distance

    @property
    def snap_nodes(self) -> np.ndarray:
        """Matrix indices of the main component's street-level nodes (all of them if none is)."""
        if self._snap_nodes is None:
            main = self.main_component
            level = main[self.at_grade[main]] if self.at_grade is not None else main
            self._snap_nodes = level if len(level) else main
        return self._snap_nodes

    @property
    def main_component(self) -> np.ndarray:
        """Matrix indices of the nodes of the largest strongly connected component."""
        if self._main is None:
            _, labels = connected_components(self.time_s, directed=True, connection="strong")
            largest = np.bincount(labels).argmax()
            self._main = np.flatnonzero(labels == largest)
        return self._main


def edges_from_streets(
    streets: gpd.GeoDataFrame,
    nodes: pd.DataFrame,
    *,
    mode: str,
    filters: pd.DataFrame | None = None,
    lengths: bool = True,
) -> pd.DataFrame:
    """Directed edges (u, v, key, way_id, highway, maxspeed, at_grade, length) of one mode.

    Parameters
    ----------
    streets
        Ways with ``node_ids``, ``highway``, ``oneway``, ``maxspeed`` and the tag columns of
        :data:`urbanrisk.layers.osm.STREET_TAGS` (a missing column counts as untagged).
    nodes
        Node id -> lon, lat.
    mode
        ``drive`` or ``walk``.
    filters
        :func:`network_filter_table` (``None``: the shipped one, osmnx's rules).
    lengths
        False: only u, v, at_grade (and public): the topology, for :func:`snap_graph`.
    """
    if mode not in MODES:
        msg = f"unknown mode {mode!r}: use drive or walk"
        raise InputError(msg)
    ways = streets.loc[usable_ways(streets, mode=mode, filters=filters)]
    id_lists = ways["node_ids"]
    counts = np.fromiter(map(len, id_lists), dtype=np.int64, count=len(id_lists))
    flat = np.fromiter(itertools.chain.from_iterable(id_lists), dtype=np.int64, count=int(counts.sum()))
    way_of = np.repeat(np.arange(len(id_lists)), counts)
    # consecutive nodes of the same way, repeated nodes skipped: one segment each
    segment = (way_of[:-1] == way_of[1:]) & (flat[:-1] != flat[1:])
    a, b, seg_way = flat[:-1][segment], flat[1:][segment], way_of[:-1][segment]
    at_a, at_b = nodes.index.get_indexer(a), nodes.index.get_indexer(b)
    direction = way_directions(ways, mode=mode)[seg_way]
    # per segment the forward edge, then the backward one (where the way's direction allows it);
    # segments with a node missing from ``nodes`` are left out
    allowed = np.column_stack([direction >= 0, direction <= 0]) & ((at_a >= 0) & (at_b >= 0))[:, None]
    u, v = np.column_stack([a, b])[allowed], np.column_stack([b, a])[allowed]
    edge_seg = np.column_stack([np.arange(len(a)), np.arange(len(a))])[allowed]
    edge_way = seg_way[edge_seg]
    columns = {"u": u, "v": v}
    if lengths:
        columns["way_id"] = ways["way_id"].to_numpy()[edge_way] if "way_id" in ways else edge_way
        columns["highway"] = _take(ways["highway"], edge_way)
        columns["maxspeed"] = _take(street_tag(ways, "maxspeed"), edge_way)
    columns["at_grade"] = ways_at_grade(ways)[edge_way]
    edges = pd.DataFrame(columns)
    if mode == "drive_service":  # the ways `drive` keeps: where drive_service snaps points first
        edges["public"] = usable_ways(ways, mode="drive", filters=filters)[edge_way]
    if lengths:
        # once per segment: the geodesic inverse is symmetric, bit for bit (GeographicLib orders
        # the two points itself), so the backward edge has the forward edge's length
        used = np.zeros(len(a), dtype=bool)
        used[edge_seg] = True
        seg_length = np.full(len(a), np.nan)
        lon, lat = nodes["lon"].to_numpy(dtype=float), nodes["lat"].to_numpy(dtype=float)
        ka, kb = at_a[used], at_b[used]
        seg_length[used] = _GEOD.inv(lon[ka], lat[ka], lon[kb], lat[kb])[2]
        edges["length"] = seg_length[edge_seg]
        at_u, at_v = np.column_stack([at_a, at_b])[allowed], np.column_stack([at_b, at_a])[allowed]
        edges["key"] = _parallel_rank(at_u.astype(np.int64) * len(nodes) + at_v)
    return edges


def _take(column: pd.Series, at: np.ndarray) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """``column``'s values at positions ``at`` (a string column stays one: no Python objects)."""
    if column.dtype == "str":  # pandas' default string type, which the frame infers from objects
        return column.array.take(at)
    return column.to_numpy()[at]


def _parallel_rank(pair: np.ndarray) -> np.ndarray:
    """Per edge: how many edges with the same (u, v) pair come before it (osmnx's edge ``key``)."""
    order = np.argsort(pair, kind="stable")
    ordered = pair[order]
    start = np.r_[True, ordered[1:] != ordered[:-1]] if len(pair) else np.zeros(0, dtype=bool)
    position = np.arange(len(pair))
    rank = np.empty(len(pair), dtype=np.int64)
    rank[order] = position - np.maximum.accumulate(np.where(start, position, 0))
    return rank


def parse_maxspeed(values: pd.Series) -> pd.Series:
    """km/h from OSM ``maxspeed`` values ("50", "30 mph", "50;60": the first); NaN when unusable.

    Examples
    --------
    >>> parse_maxspeed(pd.Series(["50", "25 mph", "40;60", "", "walk"])).round(1).tolist()
    [50.0, 40.2, 40.0, nan, nan]
    """
    codes, uniques = pd.factorize(values.fillna("").astype(str))  # few distinct values: parse those
    text = pd.Series(uniques, dtype=object).str.split(";").str[0].str.strip().str.lower()
    number = pd.to_numeric(text.str.extract(r"^(\d+(?:\.\d+)?)", expand=False), errors="coerce")
    number = number.where(~text.str.contains("mph"), number * 1.609344).where(lambda n: n > 0)
    return pd.Series(number.to_numpy()[codes], index=values.index, dtype=float)


def street_graph(
    streets: gpd.GeoDataFrame,
    nodes: pd.DataFrame,
    *,
    mode: str,
    utm_crs: str,
    speeds: pd.DataFrame | None = None,
    walk_kmh: float | None = None,
    filters: pd.DataFrame | None = None,
) -> StreetGraph:
    """A mode's street graph as CSR matrices, straight from the parsed ways (vectorised).

    Ways: those :func:`usable_ways` keeps for the mode (osmnx's drive / walk filters). Driving
    speed: the edge's ``maxspeed`` where tagged, else the speed of its highway type in
    ``speeds.csv`` (else its ``fallback`` row) — the imputation osmnx's ``add_edge_speeds`` does with
    ``hwy_speeds``/``fallback``; walking: a constant speed. ``StreetGraph.graph`` gives the same
    network as an osmnx MultiDiGraph (built on demand) for export and for independent checks.

    Raises
    ------
    InputError
        When no street of the mode exists.
    """
    speeds = speed_table() if speeds is None else speeds
    walk_kmh = settings.walk_speed_kmh if walk_kmh is None else walk_kmh
    edges = edges_from_streets(streets, nodes, mode=mode, filters=filters)
    if edges.empty:
        msg = f"no {mode} streets in the OSM layer: coverage by {mode} cannot be computed"
        raise InputError(msg)
    if mode in DRIVING_MODES:
        edges["speed_kph"] = drive_speeds(edges, speeds)
    else:
        edges["speed_kph"] = float(walk_kmh)
    edges["travel_time"] = edges["length"] / (edges["speed_kph"] * 1000 / 3600)
    return edges_to_matrices(edges, nodes, mode=mode, utm_crs=utm_crs)


def snap_graph(streets: gpd.GeoDataFrame, nodes: pd.DataFrame, *, mode: str, utm_crs: str) -> StreetGraph:
    """The mode's graph for snapping only: its nodes, components and snap nodes as
    :func:`street_graph` has them, every edge weighing 1 (no lengths or speeds are computed)."""
    edges = edges_from_streets(streets, nodes, mode=mode, lengths=False)
    if edges.empty:
        msg = f"no {mode} streets in the OSM layer"
        raise InputError(msg)
    edges["travel_time"] = edges["length"] = 1.0
    return edges_to_matrices(edges, nodes, mode=mode, utm_crs=utm_crs)


def drive_speeds(edges: pd.DataFrame, speeds: pd.DataFrame) -> np.ndarray:
    """km/h per edge: its tagged ``maxspeed`` times its type's ``maxspeed_factor``, else the type's
    ``drive_kmh`` (types missing from the table take the ``fallback`` row)."""
    table = speeds["drive_kmh"]
    codes, types = pd.factorize(edges["highway"], use_na_sentinel=False)  # few types: map those
    types = pd.Series(types, dtype=object)
    by_type = pd.Series(types.map(table).fillna(table["fallback"]).to_numpy()[codes], index=edges.index)
    tagged = parse_maxspeed(edges["maxspeed"])
    if "maxspeed_factor" in speeds:
        factor = speeds["maxspeed_factor"]
        tagged = tagged * types.map(factor).fillna(factor["fallback"]).to_numpy()[codes]
    return tagged.fillna(by_type).to_numpy(dtype=float)


def edges_to_matrices(edges: pd.DataFrame, nodes: pd.DataFrame, *, mode: str, utm_crs: str) -> StreetGraph:
    """CSR matrices of minimum travel time and length over parallel edges, and projected nodes."""
    ends = np.concatenate([edges["u"].to_numpy(), edges["v"].to_numpy()])
    codes, node_ids = pd.factorize(ends, sort=True)  # node_ids ascending, as np.unique gives them
    m, n = len(edges), len(node_ids)
    rows, cols, first = _first_pairs(*np.split(codes.astype(np.int64, copy=False), [m]), n)  # (views)
    time_min = _min_per_pair(edges["travel_time"].to_numpy(dtype=float), first)
    length_min = _min_per_pair(edges["length"].to_numpy(dtype=float), first)
    # a zero weight would vanish from a sparse matrix: floor at a microsecond / micrometre
    time = csr_matrix((np.maximum(time_min, 1e-6), (rows, cols)), shape=(n, n))
    length = csr_matrix((np.maximum(length_min, 1e-6), (rows, cols)), shape=(n, n))
    at = nodes.index.get_indexer(node_ids)
    lon, lat = nodes["lon"].to_numpy(dtype=float)[at], nodes["lat"].to_numpy(dtype=float)[at]
    xy = np.column_stack(to_utm(utm_crs).transform(lon, lat))
    at_grade = None
    if "at_grade" in edges.columns:
        level = np.tile(edges["at_grade"].to_numpy(dtype=bool), 2)
        at_grade = np.bincount(codes[level], minlength=n) > 0
    public = _public_snap_nodes(edges, codes[:m], codes[m:], n) if "public" in edges.columns else None
    return StreetGraph(
        mode,
        node_ids,
        xy,
        time,
        length,
        utm_crs,
        edges=edges,
        lonlat=np.column_stack([lon, lat]),
        at_grade=at_grade,
        public=public,
    )


def to_utm(utm_crs: str) -> Transformer:
    """lon/lat -> ``utm_crs`` (what ``GeoSeries.to_crs`` does, on plain arrays)."""
    return Transformer.from_crs("EPSG:4326", utm_crs, always_xy=True)


def _first_pairs(rows: np.ndarray, cols: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, list]:
    """The distinct (row, col) pairs in order of first appearance (``groupby(sort=False)``), and per
    pair the positions of its edges (as ``[order, starts, pair_order]`` for :func:`_min_per_pair`)."""
    key = rows * n + cols
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(key) else np.zeros(0, int)
    pair_order = np.argsort(order[starts], kind="stable")  # pairs by their first edge
    first = order[starts][pair_order]
    return rows[first], cols[first], [order, starts, pair_order]


def _min_per_pair(values: np.ndarray, grouping: list) -> np.ndarray:
    """The minimum of ``values`` over each pair's edges, pairs as :func:`_first_pairs` orders them."""
    order, starts, pair_order = grouping
    if not len(starts):
        return np.zeros(0)
    return np.fmin.reduceat(values[order], starts)[pair_order]  # NaN-skipping, as groupby.min


def _public_snap_nodes(edges: pd.DataFrame, u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """Per node: a snap node of the public network alone (the nodes ``drive`` snaps to: its largest
    strongly connected component, on a street-level way); ``u``, ``v``: the edges' node rows."""
    public = edges["public"].to_numpy(dtype=bool)
    rows, cols = u[public], v[public]
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(matrix, directed=True, connection="strong")
    on_public = np.zeros(n, dtype=bool)
    on_public[np.concatenate([rows, cols])] = True
    sizes = np.bincount(labels[on_public], minlength=labels.max() + 1)
    mask = on_public & (labels == sizes.argmax()) if len(rows) else on_public
    level = public & edges["at_grade"].to_numpy(dtype=bool)
    at_grade = np.zeros(n, dtype=bool)
    at_grade[u[level]] = True
    at_grade[v[level]] = True
    return mask & at_grade if (mask & at_grade).any() else mask


def edges_to_osmnx(edges: pd.DataFrame, node_ids: np.ndarray, lonlat: np.ndarray) -> nx.MultiDiGraph:
    """The edges as an osmnx MultiDiGraph (``length``, ``speed_kph``, ``travel_time`` on every edge)."""
    import osmnx as ox

    gdf_nodes = gpd.GeoDataFrame(
        {"x": lonlat[:, 0], "y": lonlat[:, 1]},
        geometry=gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1]),
        index=pd.Index(node_ids, name="osmid"),
        crs="EPSG:4326",
    )
    attributes = edges[["highway", "maxspeed", "length", "speed_kph", "travel_time"]].copy()
    attributes["maxspeed"] = attributes["maxspeed"].where(attributes["maxspeed"] != "", None)
    attributes.index = pd.MultiIndex.from_frame(edges[["u", "v", "key"]])
    # edges carry no geometry (straight segments between OSM nodes); the graph's CRS is lon/lat
    return ox.graph_from_gdfs(gdf_nodes, gpd.GeoDataFrame(attributes), graph_attrs={"crs": "EPSG:4326"})
