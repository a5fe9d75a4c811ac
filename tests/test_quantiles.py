"""urbanrisk.quantiles against mapclassify.Quantiles, the tool it replaces: the same bins (bit for bit)
and the same class of every value, on arrays with ties, integers, NaN-free floats of many scales."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from urbanrisk.outputs.map_cells import population_classes
from urbanrisk.quantiles import quantile_bins, quantile_classes


def _mapclassify(values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    import mapclassify

    with warnings.catch_warnings():  # "Not enough unique values ...": the merged bins are the point
        warnings.simplefilter("ignore", UserWarning)
        scheme = mapclassify.Quantiles(values, k=k)
    return scheme.yb, scheme.bins


def _arrays() -> list[np.ndarray]:
    rng = np.random.default_rng(13)
    arrays = [
        np.array([0.0, 5.0, 1.0, 3.0]),
        np.array([1.0, 1.0, 1.0, 5.0]),
        np.arange(1000),
        np.array([7.0, 7.0]),
        rng.integers(1, 6, 50).astype(float),  # heavy ties
        rng.integers(0, 1000, 333),  # integers
    ]
    for scale in (1e-3, 1.0, 37.0, 1e6):
        for size in (2, 3, 7, 10, 101, 2_000):
            arrays.append(rng.lognormal(0.0, 1.5, size) * scale)
    arrays.append(np.round(rng.lognormal(3.0, 1.0, 5_000), 1))  # residents per cell, one decimal
    return arrays


@pytest.mark.parametrize("k", [2, 3, 4, 5, 7])
def test_quantile_classes_equal_mapclassify(k):
    for values in _arrays():
        classes, bins = quantile_classes(values, k)
        expected_classes, expected_bins = _mapclassify(values, k)
        assert bins.tobytes() == np.asarray(expected_bins, dtype=bins.dtype).tobytes(), (k, values[:5])
        assert bins.dtype == expected_bins.dtype
        np.testing.assert_array_equal(classes, expected_classes)
        assert classes.dtype == expected_classes.dtype


def test_quantile_bins_by_hand():
    """1..8 in quartiles: ranks 1.75, 3.5, 5.25 and 7 of 0..7 interpolate to 2.75, 4.5, 6.25, 8; a value
    at a bound is in its class. [1, 1, 1, 5]: ranks 0.75, 1.5, 2.25, 3 give 1, 1, 2, 5 (the 1s merged)."""
    classes, bins = quantile_classes(np.arange(1.0, 9.0), 4)
    assert bins.tolist() == [2.75, 4.5, 6.25, 8.0]
    assert classes.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    classes, bins = quantile_classes(np.array([1.0, 5.0, 1.0, 1.0]), 4)
    assert bins.tolist() == [1.0, 2.0, 5.0] and classes.tolist() == [0, 2, 0, 0]
    assert quantile_bins(np.array([4.5, 4.5]), 3).tolist() == [4.5]


def test_population_classes_legend_unchanged():
    """The map's residents legend (quantiles of the known, non-zero residents) from the classes here."""
    values = pd.Series([0.0, 12.0, 3.0, 40.0, 7.0, 7.0, 25.0, 1.0, 90.0])
    known = np.array([True] * 8 + [False])
    classes, labels = population_classes(values, k=4, known=known)
    yb, bins = _mapclassify(values[(values > 0).to_numpy() & known].to_numpy(), 4)
    assert classes.tolist() == [-1, *yb.tolist()[:7], -2]
    assert labels == [f"{a:,.0f} – {b:,.0f}" for a, b in zip([0.0, *bins[:-1]], bins, strict=True)]
