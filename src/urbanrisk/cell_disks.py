"""A grid's neighbourhood disks and cell centres, kept for the screens of a run.

The screens sum cell values over each cell's k-ring disk (crowding, vulnerable sites, key districts,
urban-village name evidence) and place cells by their centres (hazard intensity, communities,
registers, the responsibility list) several times per run, always over the same grid: each is
computed once (in the driver, or per partition by :mod:`urbanrisk.screens_dask`, which hands it in
with :func:`remember_disk_matrix` / :func:`remember_cell_latlng`) and looked up after.
"""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

#: Disk matrices of the last few grids: (cells, rings, matrix); a run sums over one grid's disks often.
_DISKS: list[tuple[pd.Index, int, csr_matrix]] = []


def disk_pairs(cells: list[str], k: int) -> tuple[np.ndarray, list[str]]:
    """Every (position in ``cells``, cell of its k-ring disk) pair, in ``h3.grid_disk`` order."""
    rows, neighbours = [], []
    for i, cell in enumerate(cells):
        disk = h3.grid_disk(cell, k)
        rows.extend([i] * len(disk))
        neighbours.extend(disk)
    return np.asarray(rows, dtype=np.int64), neighbours


def disk_matrix_from_pairs(index: pd.Index, rows: np.ndarray, neighbours: list[str]) -> csr_matrix:
    """The disk matrix of ``index`` from (row, neighbour cell) pairs; neighbours outside are dropped."""
    cols = pd.Index(index).get_indexer(neighbours)
    inside = cols >= 0
    n = len(index)
    return csr_matrix((np.ones(int(inside.sum())), (rows[inside], cols[inside])), shape=(n, n))


def disk_matrix(cells: pd.Index | list[str], k: int) -> csr_matrix:
    """Sparse n x n matrix: row i has a 1 for every cell of the grid in cell i's k-ring disk
    (kept for the next call on the same cells; :func:`remember_disk_matrix` hands one in)."""
    index = pd.Index(cells)
    for known, rings, matrix in _DISKS:
        if rings == k and (known is index or known.equals(index)):
            return matrix
    matrix = disk_matrix_from_pairs(index, *disk_pairs(list(index), k))
    remember_disk_matrix(index, k, matrix)
    return matrix


def remember_disk_matrix(cells: pd.Index | list[str], k: int, matrix: csr_matrix) -> None:
    """Keep ``matrix`` as the k-ring disk matrix of ``cells`` (computed elsewhere, e.g. per partition)."""
    index = pd.Index(cells)
    _DISKS[:] = [e for e in _DISKS if not (e[1] == k and e[0].equals(index))][-3:]  # the latest wins
    _DISKS.append((index, k, matrix))


#: (lat, lng) of the cell centres of the last grids handed to :func:`remember_cell_latlng`.
_CENTRES: list[tuple[pd.Index, np.ndarray]] = []


def cell_latlng(cells: pd.Index | list[str]) -> np.ndarray:
    """(lat, lng) of each H3 cell centre, shape (n, 2) (a kept grid's are looked up, not recomputed)."""
    index = pd.Index(cells)
    for known, latlng in _CENTRES:
        if known is index or known.equals(index):
            return latlng
    return np.array([h3.cell_to_latlng(c) for c in index]).reshape(-1, 2)


def remember_cell_latlng(cells: pd.Index | list[str], latlng: np.ndarray | None = None) -> None:
    """Keep the centres of ``cells`` (``latlng``, or computed now) for the calls that follow."""
    latlng = cell_latlng(cells) if latlng is None else latlng
    index = pd.Index(cells)
    _CENTRES[:] = [e for e in _CENTRES if not e[0].equals(index)][-1:]  # the latest wins
    _CENTRES.append((index, latlng))


def forget() -> None:
    """Drop every kept disk matrix and cell centre (a benchmark's runs then each start cold)."""
    _DISKS.clear()
    _CENTRES.clear()
