"""The rules of the street network of record: which ways each mode may use, which way they run, how
fast they are driven. Data, not code: ``tables/network_filters.csv`` holds osmnx's own network-type
filters verbatim, plus urbanrisk's one rule on ``access=no`` (below), and ``tables/speeds.csv`` the
speed of each highway type (see :mod:`urbanrisk.network`).

``access=no``: osmnx drops ``access=private`` but keeps ``access=no`` ("no access for the general
public, stronger interdiction than private": the OSM wiki's Key:access), so that a run routed fire
engines through closed streets by Fort McHenry (Baltimore). urbanrisk drops an ``access=no`` way from a
mode unless a more specific OSM access tag for that mode allows it (the wiki's rule: the most specific
transport-mode tag wins): for the driving modes ``vehicle``, ``motor_vehicle``, ``motorcar`` or
``emergency`` (the standards' vehicles are fire engines and ambulances, which may use a way tagged
``emergency=yes`` the public may not), for ``walk`` ``foot``; allowing values ``yes``, ``designated``,
``permissive``, ``destination``. A filter row's ``unless`` column holds such exceptions
(``key|key=pattern``: the way stays when any of those keys matches the pattern).

``vehicle=no``: the same rule one step down the wiki's hierarchy (vehicle > motor_vehicle > motorcar):
``vehicle=no`` forbids motor vehicles too, but osmnx drops only ``motor_vehicle=no`` and
``motorcar=no``. urbanrisk drops a ``vehicle=no`` way from the driving modes unless ``motor_vehicle``,
``motorcar`` or ``emergency`` allows it; ``bicycle`` or ``foot`` tags never open a way to driving, and
``walk`` ignores ``vehicle``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import settings
from ._errors import InputError
from .layers.table_numbers import check_numbers
from .layers.tables import _read_table

MODES = ("drive", "drive_service", "walk")
#: Modes that drive (speeds from the speed table, one-way streets, a calibrated fixed delay).
DRIVING_MODES = frozenset({"drive", "drive_service"})

#: ``oneway`` values that make a way one-way, and those that reverse it (osmnx ``graph._add_paths``).
ONEWAY_VALUES = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})
REVERSED_VALUES = frozenset({"-1", "reverse", "T"})
#: Roundabouts are one-way without saying so (osmnx ``graph._is_path_one_way``, rule 4).
ONEWAY_JUNCTIONS = frozenset({"roundabout"})
#: Modes whose ways are usable both ways whatever their one-way tags (osmnx's bidirectional types).
BIDIRECTIONAL_MODES = frozenset({"walk"})
#: Tags that lift or sink a way off street level when present with any value but "no".
GRADE_SEPARATION_TAGS = ("tunnel", "bridge", "covered")


def speed_table(path: str | Path | None = None) -> pd.DataFrame:
    """highway -> drive_kmh and maxspeed_factor; a ``fallback`` row covers other values.

    Two optional columns, written by ``urbanrisk calibrate``: ``maxspeed_factor`` multiplies the
    tagged ``maxspeed`` of a way of that type (blank or absent: 1), and ``fixed_delay_s``, the same
    value on every row that gives it, replaces the turnout of drive-time standards (see
    :func:`fixed_delay`). Which ways a mode may use is not in this table but in
    :func:`network_filter_table`.

    Examples
    --------
    >>> table = speed_table()
    >>> table.loc["residential", ["drive_kmh", "maxspeed_factor"]].tolist(), fixed_delay(table)
    ([20.0, 1.0], None)
    """
    path = Path(path) if path else settings.tables_dir / "speeds.csv"
    table = _read_table(path, ["highway", "drive_kmh"])
    check_numbers(table, "speeds", path)
    problems = []
    for column, default in (("drive_kmh", None), ("maxspeed_factor", 1.0)):
        text = table[column].str.strip() if column in table else pd.Series("", index=table.index)
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        if default is not None:
            values = values.where(text != "", default)
        bad = table.loc[~(values > 0), "highway"].tolist()
        if bad:
            problems.append(f"{column} must be a number > 0 (rows {bad[:5]})")
        table[column] = values.astype(float)
    if "fixed_delay_s" in table:
        text = table["fixed_delay_s"].str.strip()
        delay = pd.to_numeric(text.where(text != ""), errors="coerce")
        given = delay[text != ""]
        if given.isna().any() or (given < 0).any() or given.nunique() > 1:
            problems.append(
                f"fixed_delay_s must be one number >= 0, the same on every row that gives it (got "
                f"{sorted(set(text[text != '']))[:5]})"
            )
        table["fixed_delay_s"] = delay.astype(float)
    if "fallback" not in set(table["highway"]):
        problems.append("it needs a 'fallback' row for untyped highways")
    if problems:
        msg = f"speed table {path}: " + "; ".join(problems)
        raise InputError(msg)
    return table.set_index("highway")


def fixed_delay(speeds: pd.DataFrame) -> float | None:
    """The speed table's fixed delay in seconds (``fixed_delay_s``), or None when it has none.

    A calibrated table (``urbanrisk calibrate``) carries the delay between a call and the moment the
    vehicle moves that the city's own records show; the coverage stage then uses it in place of the
    standard's ``turnout_s``, so that ``travel`` is comparable to recorded call-to-arrival times.
    """
    if "fixed_delay_s" not in speeds:
        return None
    values = speeds["fixed_delay_s"].dropna()
    return float(values.iloc[0]) if len(values) else None


def network_filter_table(path: str | Path | None = None) -> pd.DataFrame:
    """mode, key, pattern, unless: a way is dropped from the mode when tag ``key`` matches ``pattern``,
    unless (``unless``: ``key|key=pattern``, blank or absent: no exception) one of those keys matches
    that pattern.

    Examples
    --------
    >>> table = network_filter_table()
    >>> table.loc[table["mode"] == "drive", "key"].tolist()
    ['area', 'access', 'highway', 'motor_vehicle', 'motorcar', 'service', 'access', 'vehicle']
    >>> table.loc[table["unless"] != "", "unless"].iloc[0]
    'vehicle|motor_vehicle|motorcar|emergency=^(yes|designated|permissive|destination)$'
    """
    path = Path(path) if path else settings.tables_dir / "network_filters.csv"
    table = _read_table(path, ["mode", "key", "pattern"])
    if "unless" not in table:
        table["unless"] = ""
    problems = [
        f"unknown mode {m!r} (use {' or '.join(MODES)})" for m in sorted(set(table["mode"]) - set(MODES))
    ]
    for key, pattern, unless in zip(table["key"], table["pattern"], table["unless"], strict=True):
        keys, _, lift = unless.partition("=")
        if unless.strip() and (not lift or not all(k.strip() for k in keys.split("|"))):
            problems.append(f"key {key}: unless {unless!r} is not 'key|key=pattern'")
        for text in (pattern, lift):
            try:
                re.compile(text)
            except re.error as exc:
                problems.append(f"key {key}: pattern {text!r} is no regular expression ({exc})")
    if problems:
        msg = f"network filter table {path}: " + "; ".join(problems)
        raise InputError(msg)
    return table


def street_tag(streets: pd.DataFrame, key: str) -> pd.Series:
    """A tag column as strings, "" where untagged (or where the layer predates the column)."""
    if key not in streets.columns:
        return pd.Series("", index=streets.index, dtype=object)
    return streets[key].fillna("").astype(str)


def usable_ways(streets: pd.DataFrame, *, mode: str, filters: pd.DataFrame | None = None) -> np.ndarray:
    """Which ways the mode may use: none of the mode's filter patterns matches their tags (but where
    the row's ``unless`` tags allow the way: see :func:`network_filter_table`).

    Examples
    --------
    >>> ways = pd.DataFrame({"highway": ["residential", "service", "primary", "residential", "residential"],
    ...                      "access": ["", "", "private", "destination", "no"],
    ...                      "emergency": ["", "", "", "", "yes"]})
    >>> usable_ways(ways, mode="drive").tolist()
    [True, False, False, True, True]
    >>> usable_ways(ways, mode="walk").tolist()
    [True, True, False, True, False]
    >>> closed = pd.DataFrame({"highway": ["residential"] * 4, "vehicle": ["no", "no", "no", "yes"],
    ...                        "motorcar": ["", "yes", "", ""], "bicycle": ["", "", "yes", ""]})
    >>> usable_ways(closed, mode="drive").tolist(), usable_ways(closed, mode="walk").tolist()
    ([False, True, False, True], [True, True, True, True])
    """
    filters = network_filter_table() if filters is None else filters
    if "unless" not in filters:
        filters = filters.assign(unless="")
    keep = np.ones(len(streets), dtype=bool)
    rows = filters.loc[filters["mode"] == mode, ["key", "pattern", "unless"]]
    for key, pattern, unless in rows.itertuples(index=False):
        hit = _matches(streets, key, pattern)
        keys, _, lift = str(unless).partition("=")
        for other in keys.split("|") if lift else ():
            hit &= ~_matches(streets, other.strip(), lift)
        keep &= ~hit
    return keep


def _matches(streets: pd.DataFrame, key: str, pattern: str) -> np.ndarray:
    """Per way: tag ``key`` is present and ``pattern`` matches its value (Overpass's ``~``)."""
    codes, uniques = pd.factorize(street_tag(streets, key))  # few distinct values: match those
    hit = np.array([bool(v) and re.search(pattern, v) is not None for v in uniques], dtype=bool)
    return hit[codes] if len(uniques) else np.zeros(len(streets), dtype=bool)


def way_directions(streets: pd.DataFrame, *, mode: str) -> np.ndarray:
    """+1 forward only, -1 backward only, 0 both ways, per way (osmnx's one-way rules).

    Examples
    --------
    >>> ways = pd.DataFrame({"oneway": ["yes", "-1", "", "no", ""],
    ...                      "junction": ["", "", "roundabout", "", ""]})
    >>> way_directions(ways, mode="drive").tolist(), way_directions(ways, mode="walk").tolist()
    ([1, -1, 1, 0, 0], [0, 0, 0, 0, 0])
    """
    if mode in BIDIRECTIONAL_MODES:
        return np.zeros(len(streets), dtype=int)
    oneway = street_tag(streets, "oneway")
    one_way = oneway.isin(ONEWAY_VALUES) | street_tag(streets, "junction").isin(ONEWAY_JUNCTIONS)
    reverse = one_way & oneway.isin(REVERSED_VALUES)
    return np.where(reverse, -1, np.where(one_way, 1, 0)).astype(int)


def ways_at_grade(streets: pd.DataFrame) -> np.ndarray:
    """Which ways run at street level: no tunnel/bridge/covered tag (other than "no"), layer 0.

    Examples
    --------
    >>> ways = pd.DataFrame({"tunnel": ["", "yes", "", "no", ""], "bridge": ["", "", "", "", ""],
    ...                      "layer": ["", "-1", "1", "0", "x"]})
    >>> ways_at_grade(ways).tolist()
    [True, False, False, True, True]
    """
    level = np.ones(len(streets), dtype=bool)
    for key in GRADE_SEPARATION_TAGS:
        level &= street_tag(streets, key).isin(["", "no"]).to_numpy()
    layer = pd.to_numeric(street_tag(streets, "layer").str.extract(r"^\s*([-+]?\d+(?:\.\d+)?)", expand=False))
    return level & layer.fillna(0.0).eq(0.0).to_numpy()
