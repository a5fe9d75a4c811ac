"""Quantile classes exactly as ``mapclassify.Quantiles`` makes them, without importing mapclassify.

mapclassify loads scipy.stats and scikit-learn (~0.7 s CPU): the map's task paid it in every run for
its residents legend (benchmarks/RESULTS.md, "The driver's serial CPU (session 13, serial13)"). The
bins are scipy's ``scoreatpercentile`` at ``100/k, 200/k, ... 100`` (linear interpolation, computed
the same way, so the same bits), repeated bins merged; a value's class is the first bin at or above
it (mapclassify's ``bin1d``). ``tests/test_quantiles.py`` compares both on many arrays.
"""

from __future__ import annotations

import numpy as np


def _score_at(ordered: np.ndarray, percent: float) -> np.ndarray:
    """scipy's ``scoreatpercentile(values, percent)`` of the sorted ``ordered`` (``fraction``), the
    same arithmetic in the same order."""
    at = percent / 100.0 * (ordered.shape[0] - 1)
    low = int(at)
    if low == at:
        return np.add.reduce(ordered[low : low + 1] * np.array(1)) / 1.0
    weights = np.array([(low + 1 - at), (at - low)], float)
    return np.add.reduce(ordered[low : low + 2] * weights) / weights.sum()


def quantile_bins(values: np.ndarray, k: int) -> np.ndarray:
    """The upper bound of each quantile class of ``values`` (fewer than ``k`` when quantiles repeat).

    Examples
    --------
    >>> quantile_bins(np.arange(1000), 4).tolist()
    [249.75, 499.5, 749.25, 999.0]
    >>> quantile_bins(np.array([1.0, 1.0, 1.0, 5.0]), 4).tolist()  # two quartiles at 1: merged
    [1.0, 2.0, 5.0]
    """
    step = 100.0 / k
    percents = np.arange(step, 100 + step, step)
    if percents[-1] > 100.0:
        percents[-1] = 100.0
    ordered = np.sort(np.asarray(values).flatten())
    return np.unique(np.array([_score_at(ordered, percent) for percent in percents]))


def quantile_classes(values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``(class of each value, upper bound of each class)``: mapclassify's ``Quantiles(values, k)``
    ``yb`` and ``bins`` (the last bound is the largest value: every value has a class).

    Examples
    --------
    >>> classes, bins = quantile_classes(np.array([0.0, 5.0, 1.0, 3.0]), 2)
    >>> classes.tolist(), bins.tolist()
    ([0, 1, 0, 1], [2.0, 5.0])
    """
    values = np.asarray(values).flatten()
    bins = quantile_bins(values, k)
    classes = np.searchsorted(bins, values, side="left")  # bins[c - 1] < value <= bins[c]
    classes[classes == len(bins)] = 0  # NaN (sorted last): class 0, as mapclassify's bin1d gives it
    return classes.astype(int), bins
