"""Coverage and gaps: who the fire, medical and shelter resources cannot reach within the standard.

For each standard of the chosen preset (``layers/tables/standards.csv``: ``cn``, ``nfpa1710``), on the
street graph of its mode (:mod:`urbanrisk.network`):

1. resources of its kind (OSM features and resource registries, including those up to
   ``search_buffer_m`` outside the study area: they serve it too; left to the default, as far out as
   the standard's optimistic reach when that is farther, :func:`~urbanrisk.coverage_dropped.
   reach_buffer_m`) and cell centres are snapped to the
   nearest street-level node of the mode's main component in a projected CRS (KD-tree; see
   :meth:`urbanrisk.network.StreetGraph.snap`); anything farther than ``max_snap_m`` from such a
   node is reported, not snapped, and every cell's snap distance is kept (``cell_snap_m``);
2. one multi-source Dijkstra (``scipy.sparse.csgraph.dijkstra(..., min_only=True)``) gives every
   node's travel time (or distance) from its nearest resource — no loop over facilities or cells.
   The search has no limit: one pass over the graph costs about what a search to 3x the limit
   does, and a cell 731 s away is then reported as 731 s ("beyond the limit"), not as unreachable.
   ``travel`` is NaN only when no route exists (``reason``: "no route to any resource") or the cell
   is too far from a street;
3. a cell is covered when turnout + travel <= the limit; uncovered residents are summed. A speeds
   table calibrated on the city's own response records (``urbanrisk calibrate``) carries a fixed
   delay (``fixed_delay_s``): it replaces the turnout of every drive-time standard
   (:func:`with_fixed_delay`), so that ``travel`` is comparable to recorded call-to-arrival times;
4. uncovered cells that touch form gaps; greedy maximal covering picks the candidate nodes that
   would cover the most uncovered residents, one after another;
5. where resources carry a capacity, two-step floating catchment (PySAL ``access``) gives supply
   per person.

The lack-of-coping dimension of the grade is derived from these travel times. A standard without any
resource of its kind in the data is unknown (skipped, named in ``CoverageResult.unknown``), unless the
recipe declares its resources complete (:mod:`urbanrisk.standards`): then it is evaluated, and nobody
is reached. A resource not used (too far from a street, or past the street data) makes the uncovered
cells within its optimistic reach unknown, not uncovered (:mod:`urbanrisk.coverage_dropped`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import settings
from .clusters import cell_clusters, dissolve_cells
from .coverage_dropped import dropped_reach_unknown, loose_reach_m, reach_buffer_m
from .coverage_unknown import (
    bounded,
    covered_flags,
    known_flags,
    travel_flags,
    uncovered_unknown_cells,
    unknown_uncovered_words,
    with_coverage_unknown,
    with_unknown_flags,
)
from .grade import cell_centres_xy
from .grid_coverage import coverage_wide
from .lazy_scipy import dijkstra
from .network import StreetGraph, street_graph
from .resilience import empty_losses, station_losses
from .resources_near import resources_near
from .result import CoverageResult, Standard
from .service_roads import campus_hint
from .siting import candidate_nodes, clear_of_hazards, greedy_sites
from .snap_reasons import far_reasons, leaving_unknown
from .standards import declare_complete, standards_for, standards_table, with_fixed_delay
from .street_graphs import network_tables, own_index, routed
from .street_rules import DRIVING_MODES, fixed_delay, speed_table
from .supply import two_step_fca, with_supply
from .unsnapped import unsnapped_words
from .wording import counted

__all__ = [
    "StandardCoverage",
    "coping_score",
    "coping_scores",
    "cover_cells",
    "coverage_stage",
    "coverage_wide",
    "declare_complete",
    "gaps_from_coverage",
    "known_travel_only",
    "resources_near",
    "standards_for",
    "standards_table",
    "two_step_fca",
    "with_fixed_delay",
]


def no_resource_words(standard: Standard, searched_m: float) -> tuple[str, str]:
    """The status and the unknown note of a standard with no resource of its kind within ``searched_m``
    of the area (and not declared complete): its coverage is unknown, not none."""
    kind = standard.resource_kind
    return (
        f"skipped: no {kind} in the data within {searched_m:.0f} m of the area: {standard.name} "
        "coverage unknown, left out of lack of coping (add a resource registry layer with role: "
        f"resource; if it lists every {kind}, say so with complete_for: [{kind}])",
        f"{standard.name} coverage: no {kind} in the data (unknown, not none: a registry that lists "
        f"every one says so with complete_for: [{kind}])",
    )


@dataclass
class StandardCoverage:
    """Coverage of one standard: per cell table and what was excluded."""

    standard: Standard
    cells: pd.DataFrame
    resources_used: int
    resources_unsnapped: list[str] = field(default_factory=list)


def cover_cells(
    graph: StreetGraph,
    standard: Standard,
    grid: gpd.GeoDataFrame,
    resources: gpd.GeoDataFrame,
    *,
    max_snap_m: float,
    cells_xy: np.ndarray | None = None,
) -> StandardCoverage:
    """Travel to the nearest resource for every cell, by one multi-source Dijkstra (no limit).

    Columns: ``travel`` (turnout + network time, or distance; NaN: no route, or ``max_snap_m`` from
    the connected network), ``travel_at_least`` (NaN here: the whole graph measures every travel; per
    partition, the lower bound where travel beyond the exact range was not measured), ``reached``,
    ``nearest_resource`` ("" where none is reached, or the cell is off the network), ``covered``,
    ``cell_snap_m`` (to the snap node), ``reason`` ("" when covered, "beyond the limit", "no route to
    any resource", :mod:`urbanrisk.snap_reasons`)."""
    matrix = graph.time_s if standard.by_time else graph.length_m
    cells_xy = cell_centres_xy(grid.index, graph.utm_crs) if cells_xy is None else cells_xy
    cell_node, cell_snap = graph.snap(cells_xy[:, 0], cells_xy[:, 1])
    res = resources[resources["kind"] == standard.resource_kind]
    r_xy = res.to_crs(graph.utm_crs)
    res_node, res_snap = graph.snap(r_xy.geometry.x.to_numpy(), r_xy.geometry.y.to_numpy())
    usable = res_snap <= max_snap_m
    unsnapped = unsnapped_words(res[~usable], r_xy.geometry[~usable], res_snap[~usable], graph.xy)
    sources = np.unique(res_node[usable])
    travel = np.full(len(grid), np.inf)
    nearest = np.full(len(grid), "", dtype=object)
    if len(sources):
        dist, _, origin = dijkstra(
            matrix,
            directed=True,
            indices=sources,
            min_only=True,
            return_predecessors=True,
        )
        travel = dist[cell_node]
        node_to_resource = pd.Series(res["id"].to_numpy()[usable], index=res_node[usable])
        node_to_resource = node_to_resource[~node_to_resource.index.duplicated()]
        reached = origin[cell_node] >= 0
        nearest[reached] = node_to_resource.reindex(origin[cell_node][reached]).to_numpy()
    far = cell_snap > max_snap_m
    travel = np.where(far, np.nan, travel)
    nearest[far] = ""  # not on the network: no resource reaches it (its snap node's was named)
    total = travel + (standard.turnout_s if standard.by_time else 0.0)
    covered = np.nan_to_num(total, nan=np.inf, posinf=np.inf) <= standard.limit_value
    residents = grid["residents"].to_numpy()
    table = pd.DataFrame(
        {
            "standard": standard.name,
            "resource_kind": standard.resource_kind,
            "mode": standard.mode,
            "limit": standard.limit_value,
            "unit": "s" if standard.by_time else "m",
            "travel": np.where(np.isfinite(total), total, np.nan),
            "travel_at_least": np.nan,  # a lower bound where travel was not measured (coverage_dask)
            "reached": np.isfinite(total),
            "nearest_resource": nearest,
            "covered": covered,
            "residents": residents,
            "residents_uncovered": np.where(covered, 0.0, residents),
            "cell_snap_m": cell_snap,
            "reason": np.where(
                far,
                far_reasons(graph, cells_xy, far, max_snap_m),  # no street, or none of the connected network
                np.where(
                    covered, "", np.where(np.isfinite(total), "beyond the limit", "no route to any resource")
                ),
            ),
        },
        index=grid.index,
    )
    return StandardCoverage(standard, table, int(usable.sum()), unsnapped)


def gaps_from_coverage(
    grid: gpd.GeoDataFrame, table: pd.DataFrame, *, clusters_of: Callable[..., np.ndarray] | None = None
) -> gpd.GeoDataFrame:
    """Contiguous clusters of uncovered cells holding residents or of unknown residents, worst first
    (``clusters_of``: replaces :func:`urbanrisk.clusters.cell_clusters`); a gap where nobody was
    counted and residents are unknown has ``residents`` NaN (unknown, not 0) and comes after those
    with people."""
    head = ["standard", "gap", "cells", "residents", "area_km2"]
    columns = [*head, "cells_residents_unknown", "worst_travel", "unit", "unreachable_cells", "geometry"]
    known = known_flags(table)  # an uncovered cell whose residents are unknown may hold people: a gap
    mask = ~covered_flags(table) & ((table["residents"] > 0).to_numpy() | ~known) & travel_flags(table)
    chosen = table.index[mask]
    if not len(chosen):
        return gpd.GeoDataFrame({c: [] for c in columns[:-1]}, geometry=[], crs=4326)
    labels = (clusters_of or cell_clusters)(chosen)
    order = np.argsort(labels, kind="stable")  # each gap's cells together, in table order
    bounds = np.searchsorted(labels[order], np.arange(labels.max() + 2))
    at = np.flatnonzero(mask)[order]
    cells = chosen[order]
    residents = table["residents"].to_numpy(dtype=float)[at]
    area = grid["cell_area_m2"].to_numpy(dtype=float)[grid.index.get_indexer(cells)]
    travel, reached = table["travel"].to_numpy(dtype=float)[at], table["reached"].to_numpy(dtype=bool)[at]
    standard, unit = table["standard"].to_numpy()[at], table["unit"].to_numpy()[at]
    rows = []
    for start, end in itertools.pairwise(bounds):
        here = slice(start, end)
        rows.append(
            {
                "standard": standard[start],
                "cells": end - start,
                # as Series.sum: NaN skipped; NaN when nothing counted and cells unknown (not 0)
                "residents": bounded(float(np.nansum(residents[here])), int((~known[at[here]]).sum())),
                "area_km2": float(np.nansum(area[here]) / 1e6),
                "cells_residents_unknown": int((~known[at[here]]).sum()),
                "worst_travel": float(np.fmax.reduce(travel[here])) if reached[here].all() else float("inf"),
                "unit": unit[start],
                "unreachable_cells": int((~reached[here]).sum()),
                "geometry": dissolve_cells(list(cells[here])),
            }
        )
    gaps = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326).sort_values("residents", ascending=False)
    gaps.insert(1, "gap", [f"{gaps['standard'].iloc[0]}-gap-{i + 1:02d}" for i in range(len(gaps))])
    return gaps[columns].reset_index(drop=True)


def coping_score(ratio: np.ndarray | pd.Series) -> np.ndarray:
    """Lack of coping 1-10 from travel / limit: 1 within a quarter of the limit, ~4.9 at the limit,
    10 at twice the limit or beyond (and when unreachable: ratio inf).

    Examples
    --------
    >>> coping_score(np.array([0.0, 0.25, 1.0, 2.0, np.inf])).round(2).tolist()
    [1.0, 1.0, 4.86, 10.0, 10.0]
    """
    return 1.0 + 9.0 * np.clip((np.asarray(ratio, dtype=float) - 0.25) / 1.75, 0.0, 1.0)


def coping_scores(tables: list[pd.DataFrame], index: pd.Index, n_standards: int) -> pd.Series | None:
    """Lack of coping capacity per cell: the mean of :func:`coping_score` over the standards that
    could be evaluated. A standard without data (no such resource, no street graph) is unknown and
    left out, never counted as a neutral or a good score; with none evaluated, None (unknown). A cell
    whose travel a standard could not measure (``travel_known`` false: outside the street data, or its
    streets leave the data at the extract's edge) is left out of that standard's score, never 10. A
    reached cell of unknown travel (per partition: beyond the exact range, at least twice the limit,
    :mod:`urbanrisk.coverage_dask`) scores 10, as it does on the whole graph."""
    if n_standards == 0 or not tables:
        return None
    parts = []
    for table in tables:
        ratio = (table["travel"] / table["limit"]).where(table["reached"], np.inf).fillna(np.inf)
        parts.append(known_travel_only(coping_score(ratio), table).reindex(index))
    return pd.concat(parts, axis=1).mean(axis=1).rename("lack_of_coping")


def known_travel_only(scores: np.ndarray, table: pd.DataFrame) -> pd.Series:
    """A standard's per-cell coping ``scores`` (in ``table``'s order), NaN where ``table`` says its
    travel is unknown (``travel_known`` false; a table without the column: every score kept).

    Examples
    --------
    >>> table = pd.DataFrame({"travel_known": [True, False]}, index=["a", "b"])
    >>> known_travel_only(np.array([10.0, 10.0]), table).tolist()
    [10.0, nan]
    """
    series = pd.Series(scores, index=table.index)
    if "travel_known" not in table.columns:
        return series
    return series.where(table["travel_known"].to_numpy(dtype=bool))


def coverage_stage(
    grid: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame,
    street_nodes: pd.DataFrame,
    pois: gpd.GeoDataFrame,
    registries: gpd.GeoDataFrame,
    area: shapely.Geometry,
    *,
    standards: list[Standard],
    utm_crs: str,
    search_buffer_m: float | None = None,
    max_snap_m: float | None = None,
    sites: int | None = None,
    speeds_path: str | None = None,
    cover: Callable[..., StandardCoverage] | None = None,
    gaps_of: Callable[[gpd.GeoDataFrame, pd.DataFrame], gpd.GeoDataFrame] | None = None,
    graphs_ready: Mapping[str, StreetGraph] | None = None,
    data_boxes: list[tuple[float, float, float, float]] | None = None,
    keep_away: pd.DataFrame | None = None,
) -> CoverageResult:
    """Coverage of every standard, gaps, suggested sites, supply per person and the N-1 losses.

    ``cover`` and ``gaps_of`` replace :func:`cover_cells` and :func:`gaps_from_coverage` (the
    per-partition stage, :mod:`urbanrisk.coverage_dask`, passes its own).
    ``graphs_ready``: street graphs already built by mode (:func:`urbanrisk.street_graphs.street_graphs`
    with these streets, ``utm_crs`` and speeds); the others are built here.
    ``data_boxes``: the OSM data's extent (lon/lat boxes, :func:`urbanrisk.completeness.osm_extent`):
    a far cell whose streets run to its edge has its coverage unknown (:func:`~urbanrisk.snap_reasons.
    leaving_unknown`; without boxes, the box of the graph's nodes).
    ``keep_away``: hazards and the safety distances new sites keep (:func:`~.siting.clear_of_hazards`).
    """
    cover = cover or cover_cells
    gaps_of = gaps_of or gaps_from_coverage
    widen = search_buffer_m is None  # the recipe left it: as far as a standard's reach (reach_buffer_m)
    search_buffer_m = settings.search_buffer_m if search_buffer_m is None else search_buffer_m
    max_snap_m = settings.max_snap_m if max_snap_m is None else max_snap_m
    sites = settings.suggested_sites if sites is None else sites
    resources = resources_near(pois, registries, area, buffer_m=search_buffer_m, utm_crs=utm_crs)
    searched_m = search_buffer_m
    status: dict[str, str] = {}
    tables, gap_frames, site_frames, loss_frames, supply_frames = [], [], [], [], []
    graphs: dict[str, StreetGraph] = {}
    speeds = speed_table(speeds_path)
    delay = fixed_delay(speeds)
    standards = with_fixed_delay(standards, delay)
    cells_xy = cell_centres_xy(grid.index, utm_crs)
    street_nodes = own_index(street_nodes)  # its look-ups' hash table goes with the stage
    where = {"utm_crs": utm_crs, "max_snap_m": max_snap_m, "graphs": graphs}  # of the campus hint
    unknown: dict[str, str] = {}
    leaving: dict[str, np.ndarray] = {}  # per mode: the nodes of pieces that leave the data (snap_reasons)
    for standard in standards:
        if streets is None or not len(streets):
            status[standard.name] = "skipped: no osm layer (no street graph)"
            continue
        present = bool((resources["kind"] == standard.resource_kind).any())
        if not present and widen:  # none within the default buffer: a farther one may still reach a cell
            far = resources_near(
                pois, registries, area, buffer_m=loose_reach_m(standard, max_snap_m), utm_crs=utm_crs
            )
            present = bool((far["kind"] == standard.resource_kind).any())  # the graph's reach decides below
        if not present and not standard.declared_complete:
            status[standard.name], unknown[standard.name] = no_resource_words(standard, searched_m)
            continue
        if standard.mode not in graphs:
            ready = (graphs_ready or {}).get(standard.mode)
            graphs[standard.mode] = ready or routed(
                street_graph(streets, street_nodes, mode=standard.mode, utm_crs=utm_crs, speeds=speeds)
            )
        graph = graphs[standard.mode]
        graph.public_snap_m = max_snap_m  # drive_service: snap where drive would (see network.py)
        if widen and (reach := reach_buffer_m(graph, standard, max_snap_m)) > searched_m:
            resources = resources_near(pois, registries, area, buffer_m=reach, utm_crs=utm_crs)
            searched_m = reach
        present = bool((resources["kind"] == standard.resource_kind).any())
        if not present and not standard.declared_complete:
            status[standard.name], unknown[standard.name] = no_resource_words(standard, searched_m)
            continue
        result = cover(graph, standard, grid, resources, max_snap_m=max_snap_m, cells_xy=cells_xy)
        table = result.cells
        if not present:  # declared complete, and there is none: nobody is reached
            table["reason"] = table["reason"].where(
                table["cell_snap_m"] > max_snap_m, f"no {standard.resource_kind} at all (declared complete)"
            )
        table = with_unknown_flags(table, grid)  # missing is not zero (coverage_unknown)
        table = leaving_unknown(table, graph, cells_xy, max_snap_m, data_boxes, leaving)  # both paths
        table = dropped_reach_unknown(table, graph, standard, resources, cells_xy, max_snap_m)  # both too
        supply_frames.append(with_supply(table, graph, standard, resources, cells_xy, max_snap_m=max_snap_m))
        tables.append(table)
        gap_frames.append(gaps_of(grid, table))
        candidates = candidate_nodes(graph, area, max_candidates=settings.max_site_candidates)
        candidates, clear = clear_of_hazards(graph, candidates, keep_away, standard.resource_kind)
        site_frames.append(
            greedy_sites(
                graph,
                standard,
                table,
                candidates,
                k=sites,
                cells_xy=cells_xy,
                max_snap_m=max_snap_m,
                kept_clear_of=clear,
            )
        )
        loss_frames.append(
            station_losses(graph, standard, table, resources, cells_xy=cells_xy, max_snap_m=max_snap_m)
        )
        hint = campus_hint(standard.mode, standard.name, table, streets, street_nodes, cells_xy, **where)
        status[standard.name] = _ok_status(
            standard, result, present=present, fixed_delay=delay is not None, hint=hint
        )
    tables = [with_coverage_unknown(table) for table in tables]  # covered NA where unknown (not False)
    coverage = pd.concat(tables).rename_axis("h3_cell").reset_index() if tables else pd.DataFrame()
    gaps = (
        gpd.GeoDataFrame(pd.concat(gap_frames, ignore_index=True), crs=4326)
        if gap_frames
        else gpd.GeoDataFrame({"standard": []}, geometry=[], crs=4326)
    )
    site_frames = [f for f in site_frames if len(f)]
    suggested = (
        gpd.GeoDataFrame(pd.concat(site_frames, ignore_index=True), crs=4326)
        if site_frames
        else gpd.GeoDataFrame({"standard": []}, geometry=[], crs=4326)
    )
    coping = coping_scores(tables, grid.index, len(standards))
    every = {**(graphs_ready or {}), **graphs}
    nodes, edges = network_tables(every, streets, street_nodes, utm_crs=utm_crs, speeds=speeds)
    losses = [f for f in loss_frames if len(f)]
    return CoverageResult(
        coverage,
        gaps,
        suggested,
        resources,
        coping,
        status,
        standards,
        resilience=pd.concat(losses, ignore_index=True) if losses else empty_losses(),
        network_nodes=nodes,
        network_edges=edges,
        unknown=unknown,
        supply=pd.concat(supply_frames, ignore_index=True) if supply_frames else None,
    )


def _ok_status(
    standard: Standard, result: StandardCoverage, *, present: bool, fixed_delay: bool, hint: str = ""
) -> str:
    """The status of an evaluated standard: resources used, residents uncovered, and why."""
    table = result.cells
    uncovered = table["residents_uncovered"].sum()
    unsnapped = len(result.resources_unsnapped)
    head = f"ok: {standard.describe()}; "
    if not present:
        head += f"no {standard.resource_kind} in {standard.declared_complete}: every resident uncovered; "
    note = hint
    if fixed_delay and standard.mode in DRIVING_MODES and standard.by_time:
        note += "; turnout = the calibrated speed table's fixed delay"
    note += unknown_uncovered_words(table)  # before the named resources: zh reads both from the end
    if unsnapped:  # named, last: an office's own station inside a campus is otherwise dropped unseen
        named = ", ".join(result.resources_unsnapped[:3])
        named += f" and {unsnapped - 3} more" if unsnapped > 3 else ""
        note += f"; {counted(unsnapped, 'resource')} too far from a street, not used: {named}"
    unknown = np.isnan(bounded(float(uncovered), uncovered_unknown_cells(table)))  # nobody counted
    shown = "an unknown number" if unknown else f"{uncovered:,.0f}"
    return (
        f"{head}{counted(result.resources_used, 'resource')}; {shown} of "
        f"{table['residents'].sum():,.0f} residents uncovered{note}"
    )
