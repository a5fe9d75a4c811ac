"""A grid's neighbourhood disks and cell centres, kept for the screens of a run.

The screens sum cell values over each cell's k-ring disk (crowding, vulnerable sites, key districts,
urban-village name evidence) and place cells by their centres (hazard intensity, communities,
registers, the responsibility list) several times per run, always over the same grid: each is
computed once (in the driver, or per partition by :mod:`urbanrisk.screens_dask`, which hands it in
with :func:`remember_disk_matrix` / :func:`remember_cell_latlng`) and looked up after. The disks and
the cells' H3 parents are walked for all cells at once by h3ronpy (the same cells as h3-py's, in the
same order); the centres stay h3-py's (h3ronpy's differ in the last bits).
"""

from __future__ import annotations

import h3
import h3ronpy
import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.sparse import csr_matrix

from .grid import cell_str_to_ints

#: Disk matrices of the last few grids: (cells, rings, matrix); a run sums over one grid's disks often.
_DISKS: list[tuple[pd.Index, int, csr_matrix]] = []


def cell_ints(cells: pd.Index | list[str]) -> np.ndarray:
    """The H3 cells as uint64 (the int form of their hex strings; :func:`urbanrisk.grid.cell_str_to_ints`).

    >>> cell = h3.latlng_to_cell(39.9916, 116.3317, 10)
    >>> int(cell_ints(pd.Index([cell], dtype="str"))[0]) == int(cell, 16), cell_ints([]).dtype
    (True, dtype('uint64'))
    """
    return cell_str_to_ints(cells)


def cell_parents(cells: pd.Index | list[str], resolution: int) -> list[str]:
    """Each cell's parent at ``resolution`` (not finer than the cells'), as ``h3.cell_to_parent``
    gives it, for all cells at once (h3ronpy; ~5x a loop of ``h3.cell_to_parent``).

    Examples
    --------
    >>> cell = h3.latlng_to_cell(39.9916, 116.3317, 10)
    >>> cell_parents([cell], 6) == [h3.cell_to_parent(cell, 6)], cell_parents([cell], 10) == [cell]
    (True, True)
    """
    if not len(cells):
        return []
    parents = h3ronpy.change_resolution(pa.array(cell_ints(cells)), resolution)
    return pa.array(h3ronpy.cells_to_string(parents)).to_pylist()


def disk_pairs(cells: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (position in ``cells``, cell of its k-ring disk as uint64) pair, in ``h3.grid_disk``
    order (walked for all cells at once by h3ronpy)."""
    if not len(cells):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    disks = pa.array(h3ronpy.grid_disk(pa.array(cell_ints(cells)), k))
    offsets = np.asarray(disks.offsets)
    counts = np.diff(offsets)
    rows = np.repeat(np.arange(len(cells), dtype=np.int64), counts)
    return rows, np.asarray(disks.values)[offsets[0] : offsets[-1]]


def disk_matrix_from_pairs(index: pd.Index, rows: np.ndarray, neighbours: np.ndarray) -> csr_matrix:
    """The disk matrix of ``index`` from (row, neighbour cell as uint64) pairs; neighbours outside
    ``index`` are dropped."""
    ints = cell_ints(index)
    order = np.argsort(ints, kind="stable")
    known = ints[order]
    at = np.minimum(np.searchsorted(known, neighbours), max(len(known) - 1, 0))
    inside = known[at] == neighbours if len(known) else np.zeros(len(neighbours), dtype=bool)
    cols = order[at[inside]]
    n = len(index)
    return csr_matrix((np.ones(int(inside.sum())), (rows[inside], cols)), shape=(n, n))


def disk_matrix(cells: pd.Index | list[str], k: int) -> csr_matrix:
    """Sparse n x n matrix: row i has a 1 for every cell of the grid in cell i's k-ring disk
    (kept for the next call on the same cells; :func:`remember_disk_matrix` hands one in)."""
    index = pd.Index(cells)
    for known, rings, matrix in _DISKS:
        if rings == k and (known is index or known.equals(index)):
            return matrix
    matrix = disk_matrix_from_pairs(index, *disk_pairs(index.tolist(), k))
    remember_disk_matrix(index, k, matrix)
    return matrix


def remember_disk_matrix(cells: pd.Index | list[str], k: int, matrix: csr_matrix) -> None:
    """Keep ``matrix`` as the k-ring disk matrix of ``cells`` (computed elsewhere, e.g. per partition)."""
    index = pd.Index(cells)
    _DISKS[:] = [e for e in _DISKS if not (e[1] == k and e[0].equals(index))][-3:]  # the latest wins
    _DISKS.append((index, k, matrix))


#: (lat, lng) of the cell centres of the last grids handed to :func:`remember_cell_latlng`.
_CENTRES: list[tuple[pd.Index, np.ndarray]] = []


def kept_cell_latlng(cells: pd.Index | list[str]) -> np.ndarray | None:
    """The kept centres of ``cells`` (:func:`remember_cell_latlng`), else None."""
    index = pd.Index(cells)
    for known, latlng in _CENTRES:
        if known is index or known.equals(index):
            return latlng
    return None


def cell_latlng(cells: pd.Index | list[str]) -> np.ndarray:
    """(lat, lng) of each H3 cell centre, shape (n, 2) (a kept grid's are looked up, not recomputed:
    also for some of its cells, e.g. those holding the responsibility list's items)."""
    latlng = kept_cell_latlng(cells)
    if latlng is not None:
        return latlng
    index = pd.Index(cells)
    for known, kept in _CENTRES:
        if len(index) and known.is_unique:
            where = known.get_indexer(index)
            if (where >= 0).all():
                return kept[where]
    return np.array([h3.cell_to_latlng(c) for c in pd.Index(cells).tolist()]).reshape(-1, 2)


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
