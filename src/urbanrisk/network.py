"""Routable street graphs from the OSM layer, solved as sparse matrices.

The street ways that :mod:`urbanrisk.layers.osm` keeps (with their node ids) become directed edges
per mode: ``drive`` (one-way streets respected; ``maxspeed`` where tagged, else the speed of the
highway type in ``layers/tables/speeds.csv`` — the imputation of osmnx's ``add_edge_speeds`` with
``hwy_speeds``/``fallback``, checked equal in the tests) and ``walk`` (both directions, a constant
speed). The edges are turned once, vectorised, into CSR matrices holding, for each ordered node
pair, the *minimum* weight over parallel edges (``networkx.to_scipy_sparse_array`` would sum them),
which scipy's multi-source Dijkstra solves. ``StreetGraph.graph`` builds the same network as an
osmnx MultiDiGraph on demand (``osmnx.graph_from_gdfs``) for export and independent checks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from . import settings
from ._errors import InputError
from .layers.tables import _read_table

if TYPE_CHECKING:  # osmnx (and scikit-learn behind it) load only when a graph is asked for
    import networkx as nx

MODES = ("drive", "walk")
_GEOD = Geod(ellps="WGS84")


def speed_table(path: str | Path | None = None) -> pd.DataFrame:
    """highway -> drive_kmh, drive (bool), walk (bool); a ``fallback`` row covers other values."""
    path = Path(path) if path else settings.tables_dir / "speeds.csv"
    table = _read_table(path, ["highway", "drive_kmh", "drive", "walk"])
    table["drive_kmh"] = table["drive_kmh"].astype(float)
    table["drive"] = table["drive"].astype(int).astype(bool)
    table["walk"] = table["walk"].astype(int).astype(bool)
    if "fallback" not in set(table["highway"]):
        msg = f"speed table {path} needs a 'fallback' row for untyped highways"
        raise InputError(msg)
    return table.set_index("highway")


@dataclass
class StreetGraph:
    """A mode's street graph: CSR matrices, projected node coordinates, and the edges behind them."""

    mode: str
    node_ids: np.ndarray  # OSM node id of each matrix row
    xy: np.ndarray  # projected node coordinates, shape (n, 2)
    time_s: csr_matrix  # minimum travel time over parallel edges (drive) or walking time (walk)
    length_m: csr_matrix  # minimum length over parallel edges
    utm_crs: str
    edges: pd.DataFrame | None = None
    lonlat: np.ndarray | None = None
    _main: np.ndarray | None = None
    _graph: nx.MultiDiGraph | None = None

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The same network as an osmnx MultiDiGraph (parallel edges kept), built on first use."""
        if self._graph is None:
            self._graph = edges_to_osmnx(self.edges, self.node_ids, self.lonlat)
        return self._graph

    def snap(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of the largest strongly connected component (matrix index) of projected
        points, and the distance to it in metres.

        Snapping to the main component keeps a point from landing on an island of the graph (a
        campus road mapped without its gate, a one-way dead end) from which nothing is reachable.
        """
        if len(x) == 0:
            return np.zeros(0, dtype=int), np.zeros(0)
        main = self.main_component
        distance, index = cKDTree(self.xy[main]).query(np.column_stack([x, y]))
        return main[index], distance

    @property
    def main_component(self) -> np.ndarray:
        """Matrix indices of the nodes of the largest strongly connected component."""
        if self._main is None:
            _, labels = connected_components(self.time_s, directed=True, connection="strong")
            largest = np.bincount(labels).argmax()
            self._main = np.flatnonzero(labels == largest)
        return self._main


def _oneway(value: str, mode: str) -> int:
    """+1 forward only, -1 backward only, 0 both ways (walkers ignore one-way tags)."""
    if mode == "walk":
        return 0
    if value in ("yes", "true", "1"):
        return 1
    if value in ("-1", "reverse"):
        return -1
    return 0


def edges_from_streets(
    streets: gpd.GeoDataFrame, nodes: pd.DataFrame, *, mode: str, speeds: pd.DataFrame
) -> pd.DataFrame:
    """Directed edges (u, v, key, highway, maxspeed, length) of one mode from the street ways.

    Parameters
    ----------
    streets
        Ways with ``node_ids``, ``highway``, ``oneway``, ``maxspeed``.
    nodes
        Node id -> lon, lat.
    mode
        ``drive`` or ``walk``.
    speeds
        :func:`speed_table`.
    """
    if mode not in MODES:
        msg = f"unknown mode {mode!r}: use drive or walk"
        raise InputError(msg)
    allowed = speeds[mode]
    highways = streets["highway"]
    usable = highways.map({h: bool(allowed.get(h, allowed["fallback"])) for h in highways.unique()})
    ways = streets.loc[usable.to_numpy(dtype=bool)]
    id_lists = [list(ids) for ids in ways["node_ids"]]
    counts = np.fromiter((len(ids) for ids in id_lists), dtype=np.int64, count=len(id_lists))
    flat = np.fromiter(itertools.chain.from_iterable(id_lists), dtype=np.int64, count=int(counts.sum()))
    way_of = np.repeat(np.arange(len(id_lists)), counts)
    # consecutive nodes of the same way, repeated nodes skipped: one segment each
    segment = (way_of[:-1] == way_of[1:]) & (flat[:-1] != flat[1:])
    a, b, seg_way = flat[:-1][segment], flat[1:][segment], way_of[:-1][segment]
    oneway = ways["oneway"].astype(str)
    direction = oneway.map({o: _oneway(o, mode) for o in oneway.unique()}).to_numpy(dtype=int)[seg_way]
    # per segment the forward edge, then the backward one (where the way's direction allows it)
    allowed_pair = np.column_stack([direction >= 0, direction <= 0])
    u = np.column_stack([a, b])[allowed_pair]
    v = np.column_stack([b, a])[allowed_pair]
    edge_way = np.column_stack([seg_way, seg_way])[allowed_pair]
    edges = pd.DataFrame(
        {
            "u": u,
            "v": v,
            "highway": ways["highway"].to_numpy()[edge_way],
            "maxspeed": ways["maxspeed"].to_numpy()[edge_way],
        }
    )
    edges = edges[edges["u"].isin(nodes.index) & edges["v"].isin(nodes.index)]
    lon_u, lat_u = nodes.loc[edges["u"], "lon"].to_numpy(), nodes.loc[edges["u"], "lat"].to_numpy()
    lon_v, lat_v = nodes.loc[edges["v"], "lon"].to_numpy(), nodes.loc[edges["v"], "lat"].to_numpy()
    edges["length"] = _GEOD.inv(lon_u, lat_u, lon_v, lat_v)[2]
    edges["key"] = edges.groupby(["u", "v"]).cumcount()
    return edges.reset_index(drop=True)


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
) -> StreetGraph:
    """A mode's street graph as CSR matrices, straight from the parsed ways (vectorised).

    Driving speed: the edge's ``maxspeed`` where tagged, else the speed of its highway type in
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
    edges = edges_from_streets(streets, nodes, mode=mode, speeds=speeds)
    if edges.empty:
        msg = f"no {mode} streets in the OSM layer: coverage by {mode} cannot be computed"
        raise InputError(msg)
    if mode == "drive":
        table = speeds["drive_kmh"]
        by_type = edges["highway"].map(table).fillna(table["fallback"])
        edges["speed_kph"] = parse_maxspeed(edges["maxspeed"]).fillna(by_type).astype(float)
    else:
        edges["speed_kph"] = float(walk_kmh)
    edges["travel_time"] = edges["length"] / (edges["speed_kph"] * 1000 / 3600)
    return edges_to_matrices(edges, nodes, mode=mode, utm_crs=utm_crs)


def edges_to_matrices(edges: pd.DataFrame, nodes: pd.DataFrame, *, mode: str, utm_crs: str) -> StreetGraph:
    """CSR matrices of minimum travel time and length over parallel edges, and projected nodes."""
    node_ids = np.unique(np.concatenate([edges["u"].to_numpy(), edges["v"].to_numpy()]))
    position = pd.Series(np.arange(len(node_ids)), index=node_ids)
    pairs = edges.groupby(["u", "v"], sort=False)[["travel_time", "length"]].min().reset_index()
    rows = position.loc[pairs["u"]].to_numpy()
    cols = position.loc[pairs["v"]].to_numpy()
    n = len(node_ids)
    # a zero weight would vanish from a sparse matrix: floor at a microsecond / micrometre
    time = csr_matrix((np.maximum(pairs["travel_time"].to_numpy(), 1e-6), (rows, cols)), shape=(n, n))
    length = csr_matrix((np.maximum(pairs["length"].to_numpy(), 1e-6), (rows, cols)), shape=(n, n))
    lon, lat = nodes.loc[node_ids, "lon"].to_numpy(), nodes.loc[node_ids, "lat"].to_numpy()
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(utm_crs)
    xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    return StreetGraph(
        mode, node_ids, xy, time, length, utm_crs, edges=edges, lonlat=np.column_stack([lon, lat])
    )


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
