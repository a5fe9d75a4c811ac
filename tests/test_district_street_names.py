"""A key district's street name from arrays: the name and length pandas' group-by gave (its sums are
compensated: Kahan), on a hand case and on Wudaokou's streets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from urbanrisk.screens.district_names import _indexed, _longest, _meeting, _named_streets, _street_name


def _pandas_longest(names: np.ndarray, lines: np.ndarray) -> tuple[object, float]:
    """The street the naming chose with a frame per district (session 21): its group-by sum of each
    name's lengths, then the first of a stable descending sort."""
    lengths = pd.Series(shapely.length(lines), index=names).groupby(level=0).sum()
    name = lengths.sort_values(ascending=False, kind="stable").index[0]
    return name, float(lengths[name])


def test_the_longest_name_sums_as_pandas_does_compensated_and_breaks_ties_by_name():
    # x: 1 + ten 1e-16 + 0.3 + 0.1 + 0.2 is 1.600000000000001 compensated, 1.6 added plainly; y lies
    # between, so a plain sum names y
    lengths = [1.0, *[1e-16] * 10, 0.3, 0.1, 0.2, 1.6000000000000005, 2.0, 2.0]
    names = np.array(["x"] * 14 + ["y", "w", "v"], dtype=object)
    lines = shapely.linestrings([[[0.0, 0.0], [length, 0.0]] for length in lengths])
    assert sum(lengths[:14]) < lengths[14] < _pandas_longest(names[:15], lines[:15])[1]
    assert (
        _longest(names[:15], lines[:15])
        == _pandas_longest(names[:15], lines[:15])
        == ("x", 1.600000000000001)
    )
    assert _longest(names, lines) == _pandas_longest(names, lines) == ("v", 2.0)  # v before w, sorted


def test_the_street_named_for_each_wudaokou_district_is_pandas_choice_to_the_last_bit(wudaokou_run):
    streets = _indexed(_named_streets(wudaokou_run.layers.streets))
    outlines = list(wudaokou_run.screens.key_districts.geometry)
    outlines += [shapely.buffer(outline, 0.004) for outline in outlines]  # more streets, shared names
    several = 0
    for outline in outlines:
        rows, inside = _meeting(outline, streets)
        names = streets.names[rows]
        several += len(set(names)) < len(names)
        name, length = _longest(names, inside)
        assert (name, length) == _pandas_longest(names, inside)
        lat = shapely.centroid(outline).y
        assert _street_name(outline, streets, lat)[0] == name
    assert len(outlines) >= 8 and several >= 4  # names met by several ways: their lengths summed
