"""Screen building blocks per partition (Dask twins of eager functions, checked equal to them).

* :func:`hazard_intensity_by_partition` — :func:`urbanrisk.grade.hazard_intensity` per H3-parent
  partition: a partition receives the hazard sources whose impact circle reaches the box of its cell
  centres (the impact radius is the halo). Each cell adds the same contributions in the same order
  as the eager loop, so the sums and the top source are bit-identical.
* :func:`residents_exposed_by_partition` — the residents within each impact circle and within
  GB 18218's 500 m (:func:`urbanrisk.screens.hazard_sources.residents_in_circles`) as per-partition
  partial sums, added in the driver (equal up to floating-point addition order: ~1e-12 relative).
* :func:`cell_clusters_by_partition` — :func:`urbanrisk.clusters.cell_clusters` (gaps, key
  districts, urban villages) as connected components per partition, merged across partition
  borders in the driver from the border pairs alone; the labels (same ids, same members, same
  order) equal the single-process ones.
* :func:`outlines_by_partition` — the outlines of the communities' H3 parents, key districts and
  urban villages (:func:`urbanrisk.clusters.dissolve_each`), one task per partition of their cells.
* :func:`factor_words_by_partition` — each cell's three factors in words (per-cell strings); in a run
  on worker processes whose map shows display cells, written to the run's spool by the tasks.
* :func:`remember_disks_by_partition` — the grid's k-ring disk matrix (every neighbourhood sum of
  the grades, urban villages and key districts) walked per partition: a border cell's disk reaches
  k rings into the next partitions, looked up in the whole grid in the driver; the same sparse
  matrix, entry for entry (:mod:`urbanrisk.cell_disks` keeps it for the screens).
* :func:`remember_centres_by_partition` — the grid's cell centres, per partition, kept likewise.

Enabled by ``compute: {partitioned_screens: true}``: :func:`screen_kernels` binds them to the run's
partition resolution and scheduler and :func:`urbanrisk.pipeline.screen_and_grade` hands them to the
eager screens in place of the functions they twin. The rest of the screens stays in the driver, over
the reduced columns: the risk, and the data-driven classes (quantiles, natural breaks) of the grades,
come from one pass over the whole risk column after the partitions' intensities are joined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix, csr_matrix

from . import grid as gridmod
from .cell_disks import (
    cell_latlng,
    cell_parents,
    disk_matrix_from_pairs,
    disk_pairs,
    remember_cell_latlng,
    remember_disk_matrix,
)
from .clusters import cell_clusters, dissolve_each
from .grade import cell_centres_xy, factor_words, hazard_intensity, neighbourhood_rings
from .grid_spool import INDEX_NAME, part_parents, spool_takes_late
from .lazy_scipy import connected_components
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


#: The partitions of the last grids: (cells, partition resolution, positions of each partition's cells).
_GROUPS: list[tuple[pd.Index, int, list[np.ndarray]]] = []


def _positions(index: pd.Index, partition_resolution: int) -> list[np.ndarray]:
    """Positions of each partition's cells, partitions sorted by parent, cells in grid order (as
    :func:`urbanrisk.grid.partition_cells`); a grid's are kept for the next screens."""
    for known, resolution, groups in _GROUPS:
        if resolution == partition_resolution and (known is index or known.equals(index)):
            return groups
    codes, _ = pd.factorize(np.array(cell_parents(index, partition_resolution)), sort=True)
    order = np.argsort(codes, kind="stable")
    groups = np.split(order, np.cumsum(np.bincount(codes))[:-1]) if len(index) else []
    if len(_GROUPS) >= 2:
        _GROUPS.pop(0)
    _GROUPS.append((index, partition_resolution, groups))
    return groups


def _partitions(index: pd.Index, partition_resolution: int) -> list[list[str]]:
    cells = np.asarray(index, dtype=object)
    return [cells[positions].tolist() for positions in _positions(pd.Index(index), partition_resolution)]


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
    every = cell_centres_xy(grid.index, utm_crs)  # the grid's centres (kept), projected once
    cells_of = np.asarray(grid.index, dtype=object)
    for positions in _positions(grid.index, partition_resolution):
        cells = cells_of[positions].tolist()
        xy = every[positions]
        low, high = xy.min(axis=0), xy.max(axis=0)
        gap = np.hypot(*np.maximum(np.maximum(low - hxy, hxy - high), 0.0).T)  # to the box
        near = gap <= radius + 1.0
        columns = ["id", "impact_radius_m", "severity", "geometry"]
        tasks.append(HazardTask(cells, hz.loc[near, columns], utm_crs))
    parts = map_partitions(_hazard_partition, tasks, scheduler=scheduler)
    intensity = pd.concat([p[0] for p in parts]).reindex(grid.index)
    top = pd.concat([p[1] for p in parts]).reindex(grid.index)
    return intensity.rename("hazard_intensity"), top.rename("top_hazard")


def _exposed_partition(task: tuple) -> np.ndarray:
    cells, centres, radii, utm_crs, *weights = task  # weights: the partition's rows, when given
    return residents_in_circles(cells, centres, radii, utm_crs, *weights)


def residents_exposed_by_partition(
    grid: gpd.GeoDataFrame,
    centres_utm: np.ndarray,
    radii: np.ndarray,
    utm_crs: str,
    *,
    partition_resolution: int,
    scheduler: str | None = None,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Residents (or ``weights``: per cell one, or a row of k) within each impact circle: per-partition
    partial sums, added in the driver."""
    part = grid[["residents"]] if weights is None else grid[[]]  # the tasks make their cells' polygons
    rows = [] if weights is None else [np.asarray(weights, dtype=float)]
    tasks = [
        (part.iloc[pos], centres_utm, radii, utm_crs, *(w[pos] for w in rows))
        for pos in _positions(grid.index, partition_resolution)
    ]
    parts = map_partitions(_exposed_partition, tasks, scheduler=scheduler)
    shape = (len(radii), *(rows[0].shape[1:] if rows else ()))
    return np.sum(parts, axis=0) if parts else np.zeros(shape)


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


def _disk_partition(task: tuple[list[str], int]) -> tuple[np.ndarray, np.ndarray]:
    return disk_pairs(*task)


def disk_matrix_by_partition(
    cells: pd.Index, k: int, *, partition_resolution: int, scheduler: str | None = None
) -> csr_matrix:
    """:func:`urbanrisk.grade.disk_matrix` with the rings walked per partition (the disk of a border
    cell reaches k rings into its neighbours: they are looked up in the whole grid in the driver);
    the same sparse matrix, entry for entry."""
    index = pd.Index(cells)
    groups = _partitions(index, partition_resolution)
    parts = map_partitions(_disk_partition, [(group, k) for group in groups], scheduler=scheduler)
    rows = [index.get_indexer(group)[local] for group, (local, _) in zip(groups, parts, strict=True)]
    neighbours = np.concatenate([found for _, found in parts] or [np.zeros(0, dtype=np.uint64)])
    return disk_matrix_from_pairs(index, np.concatenate(rows or [np.zeros(0, dtype=np.int64)]), neighbours)


def remember_disks_by_partition(
    cells: pd.Index, *, partition_resolution: int, scheduler: str | None = None
) -> None:
    """The grid's neighbourhood disks (:func:`urbanrisk.grade.neighbourhood_rings`) walked per
    partition and kept for every :func:`urbanrisk.grade.disk_sum` over these cells that follows."""
    if len(cells):
        k = neighbourhood_rings(h3.get_resolution(cells[0]))
        matrix = disk_matrix_by_partition(
            cells, k, partition_resolution=partition_resolution, scheduler=scheduler
        )
        remember_disk_matrix(cells, k, matrix)


def _centres_partition(cells: list[str]) -> np.ndarray:
    return cell_latlng(cells)


def remember_centres_by_partition(
    cells: pd.Index, *, partition_resolution: int, scheduler: str | None = None
) -> None:
    """The grid's cell centres (:func:`urbanrisk.grade.cell_latlng`) per partition, kept for the
    stages that follow (coverage; hazard intensity, communities, registers, responsibility)."""
    index = pd.Index(cells)
    groups = _partitions(index, partition_resolution)
    latlng = np.zeros((len(index), 2))
    for group, part in zip(
        groups, map_partitions(_centres_partition, groups, scheduler=scheduler), strict=True
    ):
        latlng[index.get_indexer(group)] = part
    remember_cell_latlng(index, latlng)


def outlines_by_partition(
    groups: list[list[str]], *, partition_resolution: int, scheduler: str | None = None
) -> list:
    """:func:`urbanrisk.clusters.dissolve_each`, the groups dissolved in one task per partition of
    their first cell (the same outlines, in the same order)."""
    batches: dict[str, list[int]] = {}
    for i, cells in enumerate(groups):
        batches.setdefault(h3.cell_to_parent(cells[0], partition_resolution), []).append(i)
    order = [batches[key] for key in sorted(batches)]
    parts = map_partitions(
        dissolve_each, [[groups[i] for i in batch] for batch in order], scheduler=scheduler
    )
    outlines: list = [None] * len(groups)
    for batch, shapes in zip(order, parts, strict=True):
        for i, shape in zip(batch, shapes, strict=True):
            outlines[i] = shape
    return outlines


def _factors_partition(task: tuple) -> list[str] | str:
    """A partition's factors in words; with a path, written there (a column ``factors`` indexed by cell,
    as :func:`urbanrisk.grid_spool.spool_write_only` writes the grid's) and the path returned."""
    frame, hazard_names, *path = task
    words = factor_words(frame, hazard_names)
    if not path:
        return words
    column = pd.Series(words, index=frame.index.rename(INDEX_NAME), name="factors", dtype="str")
    column.to_frame().to_parquet(path[0])
    return path[0]


def factor_words_by_partition(
    frame: pd.DataFrame,
    hazard_names: dict[str, str],
    *,
    partition_resolution: int,
    scheduler: str | None = None,
) -> list[str] | dict[str, str]:
    """:func:`urbanrisk.grade.factor_words` (each cell's factors in words), one task per partition.

    Within a run's spool that takes the write-only columns of these cells
    (:attr:`urbanrisk.grid_spool.GridSpool.spools_late`: a run on worker processes whose map shows
    display cells), each task writes its partition's words to the spool and the driver gets only
    where (H3 parent -> file; 116,645 cells: ~30 MB of strings never in the driver)."""
    groups = _positions(frame.index, partition_resolution)
    spool = spool_takes_late(frame.index)
    if spool is not None:
        parents = [str(part_parents(frame.iloc[pos[:1]], partition_resolution)[0]) for pos in groups]
        paths = [str(spool.screen_path("factors", parent)) for parent in parents]
        tasks = [(frame.iloc[pos], hazard_names, path) for pos, path in zip(groups, paths, strict=True)]
        map_partitions(_factors_partition, tasks, scheduler=scheduler)
        return dict(zip(parents, paths, strict=True))
    parts = map_partitions(
        _factors_partition, [(frame.iloc[pos], hazard_names) for pos in groups], scheduler=scheduler
    )
    words = np.empty(len(frame), dtype=object)
    for positions, part in zip(groups, parts, strict=True):
        words[positions] = part
    return words.tolist()


def screen_kernels(*, partition_resolution: int, scheduler: str | None) -> dict[str, Callable]:
    """The per-partition twins bound to a partition resolution and a scheduler, by the keyword the
    eager screens take them under (``intensity_of``, ``exposed_of``, ``clusters_of``, ``outlines_of``,
    ``factors_of``),
    and the two that keep a grid's disks and centres for the eager screens (``disks_of``,
    ``centres_of``)."""
    bound = {"partition_resolution": partition_resolution, "scheduler": scheduler}
    return {
        "intensity_of": partial(hazard_intensity_by_partition, **bound),
        "exposed_of": partial(residents_exposed_by_partition, **bound),
        "clusters_of": partial(cell_clusters_by_partition, **bound),
        "outlines_of": partial(outlines_by_partition, **bound),
        "factors_of": partial(factor_words_by_partition, **bound),
        "disks_of": partial(remember_disks_by_partition, **bound),
        "centres_of": partial(remember_centres_by_partition, **bound),
    }
