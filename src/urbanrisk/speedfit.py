"""Speed factors per road class fitted to recorded response times: routes split by class, robust fit.

A recorded response of ``y`` seconds (call to arrival, less the record's own turnout where known)
is modelled as a fixed delay plus the driving time of its route, each road class ``c`` driven
``f_c`` times as fast as the speed table says::

    y_i = delay + sum_c t_ic / f_c

where ``t_ic`` is the time the route spends on class ``c`` at the table's speeds. With slowness
``s_c = 1 / f_c`` the model is linear in ``(delay, s)``; it is fitted by
``scipy.optimize.least_squares`` with a robust loss (``soft_l1`` by default, or ``huber``), started
from bounded ordinary least squares, so that a few wrong records (a unit left late, a wrong address)
pull little. Routes depend on the speeds: they are found again with the fitted factors and the fit
repeated until the factors stop moving (:func:`fit_speed_factors`).

Routing is vectorised: one scipy Dijkstra from the station nodes with ``return_predecessors``, then
every record's path walked back one edge per step for all records at once, adding each edge's time
to its class (:func:`route_class_seconds`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import least_squares, lsq_linear
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.stats import spearmanr

from .network import StreetGraph

#: Fitted factors are kept in [1/20, 20] (a class 20 times slower or faster than the table is a
#: data problem, not a speed).
FACTOR_BOUNDS = (0.05, 20.0)
#: The fixed delay is kept in [0, 1 h].
DELAY_BOUNDS = (0.0, 3600.0)
#: A record counts towards a class when the class holds at least this share of its route's time.
CLASS_SHARE = 0.2


@dataclass
class ClassEdges:
    """The drive graph's edges by road class: matrix positions, class and time at table speeds."""

    u: np.ndarray  # matrix row of the edge's start
    v: np.ndarray  # matrix column of its end
    cls: np.ndarray  # index into ``classes``
    base_s: np.ndarray  # seconds at the speed table's speeds
    classes: list[str]
    n_nodes: int


def class_edges(graph: StreetGraph, classes: list[str]) -> ClassEdges:
    """Each drive edge's class (its ``highway`` if ``classes`` has it, else ``fallback``) and time."""
    edges = graph.edges
    position = pd.Series(np.arange(len(graph.node_ids)), index=graph.node_ids)
    index = pd.Series(np.arange(len(classes)), index=classes)
    cls = edges["highway"].map(index).fillna(index["fallback"]).to_numpy(dtype=np.int64)
    return ClassEdges(
        u=position.loc[edges["u"]].to_numpy(),
        v=position.loc[edges["v"]].to_numpy(),
        cls=cls,
        base_s=edges["travel_time"].to_numpy(dtype=float),
        classes=list(classes),
        n_nodes=len(graph.node_ids),
    )


@dataclass
class _Pairs:
    """Per ordered node pair, the fastest edge under given factors (what a router drives)."""

    key: np.ndarray  # u * n + v, sorted
    cls: np.ndarray
    base_s: np.ndarray
    matrix: csr_matrix  # seconds under the factors


def _pairs(edges: ClassEdges, factors: np.ndarray) -> _Pairs:
    time = edges.base_s / factors[edges.cls]
    key = edges.u.astype(np.int64) * edges.n_nodes + edges.v
    order = np.lexsort((time, key))  # by pair, fastest first
    key, time = key[order], time[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    chosen = order[first]
    n = edges.n_nodes
    # a zero weight would vanish from a sparse matrix: floor at a microsecond (as network does)
    matrix = csr_matrix((np.maximum(time[first], 1e-6), (edges.u[chosen], edges.v[chosen])), shape=(n, n))
    return _Pairs(key[first], edges.cls[chosen], edges.base_s[chosen], matrix)


@dataclass
class Routes:
    """Every record's route: seconds per class at table speeds, total under the factors, station."""

    class_s: np.ndarray  # (records, classes): time on each class at the table's speeds
    seconds: np.ndarray  # driving time under the factors (inf: no route)
    station: np.ndarray  # index into the sources of the station routed from (-1: none)


def route_class_seconds(
    edges: ClassEdges,
    factors: np.ndarray,
    sources: np.ndarray,
    record_nodes: np.ndarray,
    record_source: np.ndarray,
) -> Routes:
    """Route every record from its station (or the nearest one) and split its time by road class.

    Parameters
    ----------
    edges
        :func:`class_edges` of the drive graph.
    factors
        Speed factor per class (1: the table's speeds); routes are the fastest under them.
    sources
        Matrix indices of the station nodes.
    record_nodes
        Matrix index of each record's snapped node.
    record_source
        Per record, an index into ``sources`` (its named station) or -1 (the nearest by network).

    Memory: one row of distances and predecessors per named station plus one for the nearest,
    16 bytes per graph node each (10 stations on a 1 M-node graph: ~180 MB).

    Examples
    --------
    A line 0 -> 1 -> 2 (10 s residential, then 20 s primary) and an island node 3:

    >>> e = ClassEdges(np.array([0, 1]), np.array([1, 2]), np.array([0, 1]), np.array([10.0, 20.0]),
    ...                ["residential", "primary"], 4)
    >>> r = route_class_seconds(e, np.array([1.0, 2.0]), np.array([0]), np.array([2, 3]), np.array([-1, 0]))
    >>> r.class_s.tolist(), r.seconds.tolist(), r.station.tolist()
    ([[10.0, 20.0], [0.0, 0.0]], [20.0, inf], [0, -1])
    """
    pairs = _pairs(edges, factors)
    m = len(record_nodes)
    named = np.unique(record_source[record_source >= 0])
    rows = np.full(m, len(named), dtype=np.int64)  # the last row: nearest station
    rows[record_source >= 0] = np.searchsorted(named, record_source[record_source >= 0])
    dist = np.full((len(named) + 1, edges.n_nodes), np.inf)
    pred = np.full((len(named) + 1, edges.n_nodes), -9999, dtype=np.int64)
    station_of = np.full((len(named) + 1, edges.n_nodes), -1, dtype=np.int64)
    if len(named):
        dist[:-1], pred[:-1] = dijkstra(pairs.matrix, indices=sources[named], return_predecessors=True)
        station_of[:-1] = named[:, None]
    if (record_source < 0).any() and len(sources):
        unique_sources, first = np.unique(sources, return_index=True)
        dist[-1], pred[-1], origin = dijkstra(
            pairs.matrix, indices=unique_sources, min_only=True, return_predecessors=True
        )
        lookup = pd.Series(first, index=unique_sources)
        station_of[-1] = np.where(origin >= 0, lookup.reindex(origin).fillna(-1).to_numpy(), -1)
    seconds = dist[rows, record_nodes]
    station = np.where(np.isfinite(seconds), station_of[rows, record_nodes], -1)
    class_s = np.zeros((m, len(edges.classes)))
    current = record_nodes.astype(np.int64).copy()
    active = np.flatnonzero(np.isfinite(seconds) & (pred[rows, current] >= 0))
    while len(active):  # one edge back per step, for every record still on its way
        before = pred[rows[active], current[active]]
        at = np.searchsorted(pairs.key, before * edges.n_nodes + current[active])
        np.add.at(class_s, (active, pairs.cls[at]), pairs.base_s[at])
        current[active] = before
        active = active[pred[rows[active], before] >= 0]
    return Routes(class_s, seconds, station)


def class_families(classes: list[str]) -> np.ndarray:
    """Per class, the index of its family: a ``*_link`` class joins its road (``motorway_link`` ->
    ``motorway``) when the table has that road; every other class is a family of its own.

    Examples
    --------
    >>> class_families(["motorway", "motorway_link", "busway_link", "residential"]).tolist()
    [0, 0, 1, 2]
    """
    names = [c.removesuffix("_link") if c.removesuffix("_link") in classes else c for c in classes]
    _, family = np.unique(names, return_inverse=True)
    order = {f: i for i, f in enumerate(dict.fromkeys(family.tolist()))}  # first appearance order
    return np.array([order[f] for f in family.tolist()], dtype=np.int64)


def class_groups(
    class_s: np.ndarray, classes: list[str], *, min_records: int, by: str
) -> tuple[np.ndarray, np.ndarray]:
    """Which factor each class takes: its family's own (:func:`class_families`) where at least
    ``min_records`` routes spend :data:`CLASS_SHARE` of their time on the family (``by="class"``),
    else one shared by the rest.

    Returns, per class, the index of its factor (the shared factor comes last) and whether the
    factor is its family's own.

    Examples
    --------
    >>> t = np.array([[50.0, 50.0, 0.0, 0.0], [90.0, 10.0, 0.0, 5.0], [100.0, 0.0, 0.0, 0.0]])
    >>> names = ["residential", "primary", "motorway", "primary_link"]
    >>> groups, own = class_groups(t, names, min_records=2, by="class")
    >>> groups.tolist(), own.tolist()
    ([0, 1, 1, 1], [True, False, False, False])
    >>> class_groups(t, names, min_records=2, by="global")[0].tolist()
    [0, 0, 0, 0]
    """
    if by == "global":
        return np.zeros(len(classes), dtype=np.int64), np.zeros(len(classes), dtype=bool)
    family = class_families(classes)
    family_s = np.zeros((len(class_s), family.max() + 1))
    np.add.at(family_s.T, family, class_s.T)
    own = _records_per_column(family_s) >= min_records
    groups = np.full(len(own), int(own.sum()), dtype=np.int64)
    groups[own] = np.arange(int(own.sum()))
    return groups[family], own[family]


def _records_per_column(seconds: np.ndarray) -> np.ndarray:
    """Per column, the routes that spend :data:`CLASS_SHARE` of their time on it."""
    total = seconds.sum(axis=1, keepdims=True)
    share = np.divide(seconds, total, out=np.zeros_like(seconds), where=total > 0)
    return (share >= CLASS_SHARE).sum(axis=0)


@dataclass
class LinearFit:
    """Factors per group and the delay, fitted to one set of routes."""

    factors: np.ndarray  # per group
    delay: float
    scale_s: float  # the robust loss's residual scale


def fit_linear(
    group_s: np.ndarray,
    y: np.ndarray,
    *,
    fit_delay: bool,
    held_delay: float = 0.0,
    loss: str = "soft_l1",
) -> LinearFit:
    """Fit ``y = delay + group_s @ (1 / factors)`` robustly (bounded; linear in the slowness).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = rng.uniform(0, 300, (200, 2))
    >>> y = 45 + t[:, 0] / 0.6 + t[:, 1] / 0.8
    >>> fit = fit_linear(t, y, fit_delay=True)
    >>> np.round(fit.factors, 3).tolist(), round(fit.delay, 2)
    ([0.6, 0.8], 45.0)
    """
    groups = group_s.shape[1]
    lower = np.full(groups, 1 / FACTOR_BOUNDS[1])
    upper = np.full(groups, 1 / FACTOR_BOUNDS[0])
    design = group_s
    target = y - (0.0 if fit_delay else held_delay)
    if fit_delay:
        design = np.column_stack([group_s, np.ones(len(y))])
        lower, upper = np.append(lower, DELAY_BOUNDS[0]), np.append(upper, DELAY_BOUNDS[1])
    start = lsq_linear(design, target, bounds=(lower, upper)).x
    start = np.clip(start, lower + 1e-9, upper - 1e-9)
    residual = design @ start - target
    scale = max(1.4826 * float(np.median(np.abs(residual - np.median(residual)))), 1.0)
    solved = least_squares(
        lambda x: design @ x - target,
        start,
        jac=lambda x: design,
        bounds=(lower, upper),
        loss=loss,
        f_scale=scale,
        x_scale="jac",
    )
    slowness = solved.x[:groups]
    delay = float(solved.x[groups]) if fit_delay else held_delay
    return LinearFit(1.0 / slowness, delay, scale)


@dataclass
class SpeedFit:
    """The fitted speed factor of every class, the delay, and how the fit went."""

    factors: np.ndarray  # per class
    groups: np.ndarray  # per class: index of its factor (the shared one last)
    own: np.ndarray  # per class: True where the class has a factor of its own
    delay: float
    records_per_class: np.ndarray  # records that spend CLASS_SHARE of their time on the class
    iterations: int
    converged: bool
    scale_s: float


def fit_speed_factors(
    edges: ClassEdges,
    sources: np.ndarray,
    record_nodes: np.ndarray,
    record_source: np.ndarray,
    y: np.ndarray,
    *,
    by: str = "class",
    min_records: int = 30,
    fit_delay: bool = True,
    held_delay: float = 0.0,
    loss: str = "soft_l1",
    max_iterations: int = 8,
    tolerance: float = 1e-3,
) -> SpeedFit:
    """Fit factors and delay; route again with the fitted factors until they move less than
    ``tolerance`` (relative) or ``max_iterations`` is reached.

    Classes that hold no time of any route take the time-weighted mean factor of the routes.
    """
    factors = np.ones(len(edges.classes))
    converged = False
    iterations = 0
    fit = None
    groups = np.zeros(len(edges.classes), dtype=np.int64)
    counts = np.zeros(len(edges.classes), dtype=np.int64)
    own = np.zeros(len(edges.classes), dtype=bool)
    for iterations in range(1, max_iterations + 1):
        routes = route_class_seconds(edges, factors, sources, record_nodes, record_source)
        if iterations == 1:
            groups, own = class_groups(routes.class_s, edges.classes, min_records=min_records, by=by)
            counts = _records_per_column(routes.class_s)
        group_s = np.zeros((len(y), groups.max() + 1))
        np.add.at(group_s.T, groups, routes.class_s.T)
        used = group_s.sum(axis=0) > 0
        fit = fit_linear(group_s[:, used], y, fit_delay=fit_delay, held_delay=held_delay, loss=loss)
        per_group = np.full(group_s.shape[1], np.nan)
        per_group[used] = fit.factors
        new = per_group[groups]
        calibrated = (routes.class_s / np.where(np.isnan(new), 1.0, new)).sum()
        new = np.where(np.isnan(new), routes.class_s.sum() / max(calibrated, 1e-9), new)
        change = np.max(np.abs(new / factors - 1.0))
        factors = new
        if change < tolerance:
            converged = True
            break
    assert fit is not None
    return SpeedFit(factors, groups, own, fit.delay, counts, iterations, converged, fit.scale_s)


def agreement(predicted: np.ndarray, observed: np.ndarray) -> dict[str, float]:
    """Spearman's rank correlation, mean and median absolute error and mean error (s).

    Examples
    --------
    >>> agreement(np.array([10.0, 20.0, 40.0]), np.array([12.0, 18.0, 30.0]))["mean_abs_error_s"]
    4.667
    """
    error = predicted - observed
    rho = float(spearmanr(predicted, observed).statistic) if len(observed) > 2 else float("nan")
    return {
        "records": len(observed),
        "spearman": round(rho, 4),
        "mean_abs_error_s": round(float(np.mean(np.abs(error))), 3),
        "median_abs_error_s": round(float(np.median(np.abs(error))), 3),
        "mean_error_s": round(float(np.mean(error)), 3),
    }
