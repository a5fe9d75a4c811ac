"""Screen building blocks per partition (Dask twins of eager functions, checked equal to them).

* :func:`hazard_intensity_by_partition` — :func:`urbanrisk.grade.hazard_intensity` per H3-parent
  partition: a partition receives the hazard sources whose impact circle reaches the box of its cell
  centres (the impact radius is the halo). Each cell adds the same contributions in the same order
  as the eager loop, so the sums and the top source are bit-identical.
* :func:`residents_exposed_by_partition` — the hazard screen's residents within each impact circle
  (:func:`urbanrisk.screens.hazard_sources.residents_in_circles`) as per-partition partial sums,
  added in the driver (equal up to floating-point addition order: ~1e-12 relative).
* :func:`cell_clusters_by_partition` — :func:`urbanrisk.clusters.cell_clusters` (gaps, key
  districts, urban villages) as connected components per partition, merged across partition
  borders in the driver from the border pairs alone; the labels (same ids, same members, same
  order) equal the single-process ones.

Enabled by ``compute: {partitioned_screens: true}``: :func:`screen_kernels` binds them to the run's
partition resolution and scheduler and :func:`urbanrisk.pipeline.screen_and_grade` hands them to the
eager screens in place of the functions they twin (grading: hazard intensity; the hazard screen:
residents exposed; key districts, urban villages and, through :func:`urbanrisk.pipeline.
coverage_for`, coverage gaps: the clusters). Everything else of the screens stays in the driver,
over the reduced columns: the risk, and the data-driven classes (quantiles, natural breaks) of the
grades, come from one pass over the whole risk column after the partitions' intensities are joined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from . import grid as gridmod
from .clusters import cell_clusters
from .grade import cell_centres_xy, hazard_intensity
from .parallel import map_partitions
from .screens.hazard_sources import residents_in_circles


@dataclass
class HazardTask:
    """One partition's cells and the hazard sources (projected) whose circle reaches them."""

    cells: list[str]
    hazards: gpd.GeoDataFrame  # id, impact_radius_m, severity, geometry (projected)
    utm_crs: str


def _hazard_partition(task: HazardTask) -> tuple[pd.Series, pd.Series]:
    cells = gpd.GeoDataFrame(index=pd.Index(task.cells, name="h3_cell"))
    return hazard_intensity(cells, task.hazards, utm_crs=task.utm_crs)


def _partitions(index: pd.Index, partition_resolution: int) -> list[list[str]]:
    return list(gridmod.partition_cells(list(index), partition_resolution).values())


def hazard_intensity_by_partition(
    grid: gpd.GeoDataFrame,
    hazards: gpd.GeoDataFrame | None,
    *,
    utm_crs: str,
    partition_resolution: int,
    scheduler: str | None = None,
) -> tuple[pd.Series, pd.Series]:
    """:func:`urbanrisk.grade.hazard_intensity`, one Dask task per partition (identical result)."""
    if hazards is None or not len(hazards):
        return hazard_intensity(grid, hazards, utm_crs=utm_crs)
    hz = hazards.to_crs(utm_crs)
    hxy = np.column_stack([hz.geometry.x, hz.geometry.y])
    radius = hz["impact_radius_m"].to_numpy(dtype=float)
    tasks = []
    for cells in _partitions(grid.index, partition_resolution):
        xy = cell_centres_xy(pd.Index(cells), utm_crs)
        low, high = xy.min(axis=0), xy.max(axis=0)
        gap = np.hypot(*np.maximum(np.maximum(low - hxy, hxy - high), 0.0).T)  # to the box
        near = gap <= radius + 1.0
        columns = ["id", "impact_radius_m", "severity", "geometry"]
        tasks.append(HazardTask(cells, hz.loc[near, columns], utm_crs))
    parts = map_partitions(_hazard_partition, tasks, scheduler=scheduler)
    intensity = pd.concat([p[0] for p in parts]).reindex(grid.index)
    top = pd.concat([p[1] for p in parts]).reindex(grid.index)
    return intensity.rename("hazard_intensity"), top.rename("top_hazard")


def _exposed_partition(task: tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray, str]) -> np.ndarray:
    cells, centres, radii, utm_crs = task
    return residents_in_circles(cells, centres, radii, utm_crs)


def residents_exposed_by_partition(
    grid: gpd.GeoDataFrame,
    centres_utm: np.ndarray,
    radii: np.ndarray,
    utm_crs: str,
    *,
    partition_resolution: int,
    scheduler: str | None = None,
) -> np.ndarray:
    """Residents within each impact circle: per-partition partial sums, added in the driver."""
    tasks = []
    for cells in _partitions(grid.index, partition_resolution):
        tasks.append((grid.loc[cells, ["residents", "geometry"]], centres_utm, radii, utm_crs))
    parts = map_partitions(_exposed_partition, tasks, scheduler=scheduler)
    return np.sum(parts, axis=0) if parts else np.zeros(len(radii))


def _cluster_partition(cells: list[str]) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Local cluster labels, and (local cell, neighbour) pairs whose neighbour lies outside."""
    inside = set(cells)
    border = [
        (i, neighbour)
        for i, cell in enumerate(cells)
        for neighbour in h3.grid_ring(cell, 1)
        if neighbour not in inside
    ]
    return cell_clusters(cells), border


def cell_clusters_by_partition(
    cells: list[str] | pd.Index, *, partition_resolution: int, scheduler: str | None = None
) -> np.ndarray:
    """:func:`urbanrisk.clusters.cell_clusters` per partition, merged across borders (same labels)."""
    cells = list(cells)
    if not cells:
        return np.zeros(0, dtype=int)
    groups = gridmod.partition_cells(cells, partition_resolution)
    parts = map_partitions(_cluster_partition, list(groups.values()), scheduler=scheduler)
    offsets = np.cumsum([0] + [int(labels.max()) + 1 for labels, _ in parts])
    node_of = {}  # chosen cell -> merge-graph node (partition offset + local label)
    for (labels, _), group, offset in zip(parts, groups.values(), offsets, strict=False):
        node_of.update(zip(group, (offset + labels).tolist(), strict=True))
    rows, cols = [], []
    for (labels, border), offset in zip(parts, offsets, strict=False):
        for i, neighbour in border:
            other = node_of.get(neighbour)
            if other is not None:
                rows.append(offset + labels[i])
                cols.append(other)
    n = int(offsets[-1])
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    _, merged = connected_components(graph, directed=False)
    labels = merged[[node_of[c] for c in cells]]
    order = {label: k for k, label in enumerate(dict.fromkeys(labels[np.argsort(cells, kind="stable")]))}
    return np.array([order[label] for label in labels])


def screen_kernels(*, partition_resolution: int, scheduler: str | None) -> dict[str, Callable]:
    """The per-partition twins bound to a partition resolution and a scheduler, by the keyword the
    eager screens take them under: ``intensity_of``, ``exposed_of`` and ``clusters_of``."""
    bound = {"partition_resolution": partition_resolution, "scheduler": scheduler}
    return {
        "intensity_of": partial(hazard_intensity_by_partition, **bound),
        "exposed_of": partial(residents_exposed_by_partition, **bound),
        "clusters_of": partial(cell_clusters_by_partition, **bound),
    }
