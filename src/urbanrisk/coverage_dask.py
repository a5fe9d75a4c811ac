"""Coverage per partition (the Dask twin of :func:`urbanrisk.coverage.coverage_stage`).

Each H3-parent partition of the grid is one Dask task that routes on the **street subgraph within
its reach** and calls the eager :func:`urbanrisk.coverage.cover_cells` on it. What is exact, and why:

* **Reach (the halo).** ``v`` is the fastest straight-line speed of any edge of the mode's graph
  (projected distance between its two nodes / its weight: metres per second for a time standard,
  ~1 for a distance one), so a route of network travel ``t`` never leaves a disc of radius ``v·t``
  around any of its nodes. The subgraph holds every node within ``R = v·B + max_snap_m`` (+ 1 m and
  0.1 %) of the box of the partition's cell centres, where ``B = exact_ratio × limit − turnout``
  is the network travel computed exactly. A cell's snap node is within ``max_snap_m`` of its
  centre, so every route of travel <= B to it, and its source, lie in the subgraph: the subgraph's
  Dijkstra equals the whole graph's wherever either is <= B (it is never shorter: a subgraph).
* **Exact up to twice the limit** (``exact_ratio``, :data:`urbanrisk.settings.
  partition_coverage_exact_ratio` = 2): ``covered`` needs travel <= the limit, and the lack-of-coping
  score saturates at twice the limit (:func:`urbanrisk.coverage.coping_score`), so ``covered``,
  ``residents_uncovered``, ``reason``, the coping scores and therefore the grades are identical to
  the whole-graph path; ``travel`` and ``nearest_resource`` are identical wherever the total travel
  is <= 2 × the limit. Beyond it a partition does not measure the travel and says so: ``reached`` is
  True (snap nodes are one strongly connected component, so every snapped cell is reachable as soon
  as one resource is usable: the same as the whole graph), ``covered`` False, ``reason`` "beyond the
  limit" (as on the whole graph), ``travel`` NaN with ``travel_at_least`` = 2 × the limit (a lower
  bound: the whole graph's travel there is larger), and ``nearest_resource`` None (unknown, where ""
  says no resource was reached). ``travel_known`` stays True: the verdict and the score are exact.
  A gap holding such cells reports ``worst_travel`` = inf with ``unreachable_cells`` not counting
  them (more than twice the limit).
* **Snapping.** Snap nodes are the street-level nodes of the largest strongly connected component
  of the **whole** network: the driver computes that membership once (one linear-time pass over
  the CSR matrix) and each subgraph carries it. A cell snapped within ``max_snap_m`` in the
  subgraph has the whole graph's snap node (anything nearer lies within ``max_snap_m`` of the
  centre, inside the halo); a cell farther than that from every subgraph snap node is farther from
  every snap node of the whole graph too ("no street within N m"), and the driver gives those few
  cells their exact ``cell_snap_m``. Resources are snapped once in the driver on the whole graph;
  a partition receives the usable ones whose snap node is in its subgraph, placed on that node
  (one farther away cannot reach a cell of the partition within B). One caveat: two snap nodes at
  exactly the same distance (e.g. two OSM nodes at one position) may be chosen differently by the
  subgraph's KD-tree; none occurs in the shipped cities or the 8 × 8 metropolis (tests, benchmark).

The driver still builds each mode's whole graph (for that membership, the resources' snap, the
suggested sites and 2SFCA supply, which stay whole-graph); tasks receive their subgraph as CSR
arrays. Enabled by ``compute: {partitioned_coverage: true}``: on the shipped samples the halos cover
most of the city, so the partitioned path is exact but slower than one whole-graph Dijkstra.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import grid as gridmod
from . import settings
from .coverage import (
    StandardCoverage,
    cover_cells,
    coverage_stage,
    gaps_from_coverage,
)
from .coverage_dropped import straight_line_speed
from .grade import cell_centres_xy
from .network import StreetGraph
from .parallel import map_partitions
from .result import CoverageResult, Standard
from .unsnapped import unsnapped_words


@dataclass
class CoverageTask:
    """One partition of one standard: its cells and the subgraph within its reach."""

    standard: Standard
    cells: list[str]
    residents: np.ndarray
    graph: StreetGraph  # the subgraph; ``_snap_nodes`` = the whole graph's snap nodes in it
    resources: gpd.GeoDataFrame  # usable resources with a snap node in the subgraph, placed on it
    max_snap_m: float
    exact_to: float  # total travel (incl. turnout) computed exactly up to this value
    any_source: bool  # some resource is usable anywhere: every snapped cell is reachable


def cover_partition(task: CoverageTask) -> pd.DataFrame:
    """The Dask task: :func:`urbanrisk.coverage.cover_cells` on the partition's subgraph, with the
    travel beyond ``exact_to`` (not known from the subgraph) reported as NaN, at least ``exact_to``,
    nearest resource unknown (None), "beyond the limit"."""
    index = pd.Index(task.cells, name="h3_cell")
    cells = pd.DataFrame({"residents": task.residents}, index=index)
    table = cover_cells(task.graph, task.standard, cells, task.resources, max_snap_m=task.max_snap_m).cells
    snapped = table["cell_snap_m"].to_numpy() <= task.max_snap_m
    known = table["reached"].to_numpy() & (table["travel"].to_numpy() <= task.exact_to)
    unknown = snapped & ~known & task.any_source
    table.loc[unknown, "travel"] = np.nan
    table.loc[unknown, "travel_at_least"] = task.exact_to
    table.loc[unknown, "nearest_resource"] = None
    table.loc[unknown, "reached"] = True
    table.loc[unknown, "reason"] = "beyond the limit"
    return table


def subgraph(graph: StreetGraph, nodes: np.ndarray, snap_mask: np.ndarray) -> StreetGraph:
    """The subgraph induced by ``nodes`` (sorted matrix indices), snapping to the whole graph's
    snap nodes among them."""
    sub = StreetGraph(
        graph.mode,
        graph.node_ids[nodes],
        graph.xy[nodes],
        graph.time_s[nodes][:, nodes].tocsr(),
        graph.length_m[nodes][:, nodes].tocsr(),
        graph.utm_crs,
    )
    sub._snap_nodes = np.flatnonzero(snap_mask[nodes])
    if graph.public is not None:
        sub.public, sub.public_snap_m = graph.public[nodes], graph.public_snap_m
    return sub


def coverage_tasks(
    graph: StreetGraph,
    standard: Standard,
    grid: gpd.GeoDataFrame,
    resources: gpd.GeoDataFrame,
    cells_xy: np.ndarray,
    *,
    max_snap_m: float,
    partition_resolution: int,
    exact_ratio: float,
) -> tuple[list[CoverageTask], StandardCoverage]:
    """One task per partition, and the standard's whole-graph facts (resources used, unsnapped)."""
    matrix = graph.time_s if standard.by_time else graph.length_m
    turnout = standard.turnout_s if standard.by_time else 0.0
    exact_to = exact_ratio * standard.limit_value
    reach = straight_line_speed(graph, matrix) * max(exact_to - turnout, 0.0) * 1.001 + max_snap_m + 1.0
    snap_mask = np.zeros(len(graph.node_ids), dtype=bool)
    snap_mask[graph.snap_nodes] = True
    res = resources[resources["kind"] == standard.resource_kind]
    r_xy = res.to_crs(graph.utm_crs)
    res_node, res_snap = graph.snap(r_xy.geometry.x.to_numpy(), r_xy.geometry.y.to_numpy())
    usable = res_snap <= max_snap_m
    unsnapped = unsnapped_words(res[~usable], r_xy.geometry[~usable], res_snap[~usable], graph.xy)
    placed = gpd.GeoDataFrame(
        {"id": res["id"].to_numpy()[usable], "kind": standard.resource_kind},
        geometry=gpd.points_from_xy(*graph.xy[res_node[usable]].T),
        crs=graph.utm_crs,
    )
    placed_node = res_node[usable]
    position = pd.Series(np.arange(len(grid)), index=grid.index)
    tasks = []
    for cells in gridmod.partition_cells(list(grid.index), partition_resolution).values():
        rows = position.loc[cells].to_numpy()
        low, high = cells_xy[rows].min(axis=0) - reach, cells_xy[rows].max(axis=0) + reach
        inside = np.all((graph.xy >= low) & (graph.xy <= high), axis=1)
        nodes = np.flatnonzero(inside)
        if not snap_mask[nodes].any():  # every cell is too far from a street: any snap node will do
            nodes = np.union1d(nodes, graph.snap(*cells_xy[rows[:1]].T)[0])
        local = np.full(len(graph.node_ids), -1)
        local[nodes] = np.arange(len(nodes))
        keep = local[placed_node] >= 0
        tasks.append(
            CoverageTask(
                standard,
                cells,
                grid["residents"].to_numpy()[rows],
                subgraph(graph, nodes, snap_mask),
                placed[keep].reset_index(drop=True),
                max_snap_m,
                exact_to,
                bool(usable.any()),
            )
        )
    return tasks, StandardCoverage(standard, pd.DataFrame(), int(usable.sum()), unsnapped)


def partitioned_cover_cells(
    graph: StreetGraph,
    standard: Standard,
    grid: gpd.GeoDataFrame,
    resources: gpd.GeoDataFrame,
    *,
    max_snap_m: float,
    cells_xy: np.ndarray | None = None,
    partition_resolution: int,
    scheduler: str | None = None,
    exact_ratio: float | None = None,
) -> StandardCoverage:
    """:func:`urbanrisk.coverage.cover_cells` computed per partition with a halo (see the module)."""
    exact_ratio = settings.partition_coverage_exact_ratio if exact_ratio is None else exact_ratio
    cells_xy = cell_centres_xy(grid.index, graph.utm_crs) if cells_xy is None else cells_xy
    tasks, result = coverage_tasks(
        graph,
        standard,
        grid,
        resources,
        cells_xy,
        max_snap_m=max_snap_m,
        partition_resolution=partition_resolution,
        exact_ratio=exact_ratio,
    )
    tables = map_partitions(cover_partition, tasks, scheduler=scheduler)
    table = pd.concat(tables).reindex(grid.index)
    far = (table["cell_snap_m"] > max_snap_m).to_numpy()
    if far.any():  # their nearest snap node may lie beyond the halo: the whole graph's distance
        table.loc[far, "cell_snap_m"] = graph.snap(cells_xy[far, 0], cells_xy[far, 1])[1]
    result.cells = table
    return result


def _gaps(
    grid: gpd.GeoDataFrame, table: pd.DataFrame, *, clusters_of: Callable[..., np.ndarray] | None = None
) -> gpd.GeoDataFrame:
    """Gaps; a gap holding a cell beyond the exact range has ``worst_travel`` inf."""
    filled = table.assign(travel=table["travel"].where(~(table["reached"] & table["travel"].isna()), np.inf))
    return gaps_from_coverage(grid, filled, clusters_of=clusters_of)


def partitioned_coverage_stage(
    grid: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame,
    street_nodes: pd.DataFrame,
    pois: gpd.GeoDataFrame,
    registries: gpd.GeoDataFrame,
    area: shapely.Geometry,
    *,
    partition_resolution: int,
    scheduler: str | None = None,
    clusters_of: Callable[[pd.Index], np.ndarray] | None = None,
    **options: Any,
) -> CoverageResult:
    """:func:`urbanrisk.coverage.coverage_stage` with the travel of every standard per partition
    (``options``: the stage's keyword options: standards, utm_crs, search_buffer_m, ...;
    ``clusters_of``: the gaps' clustering, see :func:`urbanrisk.coverage.gaps_from_coverage`)."""

    def cover(graph, standard, cells, resources, *, max_snap_m, cells_xy):
        return partitioned_cover_cells(
            graph,
            standard,
            cells,
            resources,
            max_snap_m=max_snap_m,
            cells_xy=cells_xy,
            partition_resolution=partition_resolution,
            scheduler=scheduler,
        )

    return coverage_stage(
        grid,
        streets,
        street_nodes,
        pois,
        registries,
        area,
        cover=cover,
        gaps_of=partial(_gaps, clusters_of=clusters_of),
        **options,
    )
