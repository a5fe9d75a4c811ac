"""Population classes of the map: quantiles of the non-zero residents, as ``mapclassify.Quantiles``
computes them, without importing mapclassify and scipy (1.2 s of a 32 x 32 write)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _percentile(ordered: np.ndarray, per: float) -> float:
    """The ``per`` percentile of sorted values as ``scipy.stats.scoreatpercentile`` gives it
    (interpolation "fraction"), the same arithmetic."""
    idx = per / 100.0 * (ordered.shape[0] - 1)
    i = int(idx)
    if i == idx:
        return np.add.reduce(ordered[i : i + 1] * np.array(1), axis=0) / 1.0
    weights = np.array([(i + 1 - idx), (idx - i)], float)
    return np.add.reduce(ordered[i : i + 2] * weights, axis=0) / weights.sum()


def quantile_scheme(values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Upper bounds of ``k`` quantile classes (fewer when values repeat) and each value's class:
    ``mapclassify.Quantiles(values, k)``'s ``bins`` and ``yb``, computed as it does without importing
    it and scipy (1.2 s of a 32 x 32 write).

    Examples
    --------
    >>> bins, classes = quantile_scheme(np.arange(10.0), 4)
    >>> bins.tolist(), classes.tolist()
    ([2.25, 4.5, 6.75, 9.0], [0, 0, 0, 1, 1, 2, 2, 3, 3, 3])
    """
    values = np.asarray(values).flatten()
    step = 100.0 / k
    percents = np.arange(step, 100 + step, step)
    if percents[-1] > 100.0:
        percents[-1] = 100.0
    ordered = np.sort(values)
    bins = np.unique(np.array([_percentile(ordered, per) for per in percents]))
    classes = np.zeros(values.shape, dtype="int")
    for i, (low, high) in enumerate(zip([-float("inf"), *bins[:-1]], bins, strict=True)):
        classes += (values > low) * (values <= high) * i
    return bins, classes


def population_classes(values: pd.Series, k: int = 5) -> tuple[np.ndarray, list[str]]:
    """Class of each value (-1 for zero) and legend labels, by quantiles of the non-zero values."""
    values = values.fillna(0.0)
    positive = values[values > 0]
    classes = np.full(len(values), -1, dtype=int)
    if positive.empty:
        return classes, []
    k = int(min(k, positive.nunique()))
    if k < 2:
        classes[values.to_numpy() > 0] = 0
        return classes, [f"{positive.max():,.0f}"]
    upper, classes[(values > 0).to_numpy()] = quantile_scheme(positive.to_numpy(), k)
    bins = [0.0, *upper.tolist()]
    labels = [f"{bins[i]:,.0f} – {bins[i + 1]:,.0f}" for i in range(len(upper))]
    return classes, labels
