"""Calibrate driving speeds against a city's own response records (``urbanrisk calibrate``).

A records file is a CSV with one row per response: ``lon``, ``lat`` (WGS84, where the unit
arrived), ``seconds`` (from call to arrival) and optionally ``station`` (id or name of the resource
that responded; else the nearest by network) and ``turnout_s`` (the record's own time from call to
wheels rolling). Each usable record is snapped to the recipe's drive network and routed from its
station; :mod:`urbanrisk.speedfit` fits a speed factor per road class (``by="class"``: classes that
hold a fifth of the time of at least ``min_records`` routes get their own factor, the others share
one) or one for all (``by="global"``), plus a fixed delay, on a seeded random part of the records;
the rest are held out to measure agreement before and after.

The result is a speeds table shaped like ``tables/speeds.csv`` — ``drive_kmh`` times the factor,
``maxspeed_factor`` (tagged speed limits are scaled too) and ``fixed_delay_s`` — that a recipe names
as ``tables: {speeds: FILE}``; the coverage stage then uses the fixed delay in place of the drive
standards' turnout, so that a calibrated run's ``travel`` is comparable to ``seconds``. Records that
cannot be used (missing or non-numeric values, times <= 0, no street within the recipe's
``max_snap_m``, an unknown station, no route) are counted with examples in the report, never used.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from . import settings
from ._errors import InputError
from .coverage import resources_near, standards_for
from .layers.records import Rejections, records_from_csv
from .network import street_graph
from .pipeline import load_layers, study_area, utm_crs_for
from .recipe import Recipe, load_recipe
from .result import Layers
from .speedfit import (
    CLASS_SHARE,
    SpeedFit,
    agreement,
    class_edges,
    fit_speed_factors,
    route_class_seconds,
)
from .street_rules import fixed_delay, speed_table

#: Fewer usable records than this is no calibration.
MIN_USABLE = 10


#: Station of a record: the nearest by network, a name or id not among the resources, a name that
#: several resources carry, a station too far from any street.
NEAREST, UNKNOWN, AMBIGUOUS, UNSNAPPED = -1, -2, -4, -3


def _station_keys(stations: pd.DataFrame) -> dict[str, int]:
    """Lower-case id, id without ``osm:``, and name -> station row (a shared name: AMBIGUOUS).

    Examples
    --------
    >>> _station_keys(pd.DataFrame({"id": ["osm:node/1", "F2", "F3"], "name": ["A", "B", "B"]}))
    {'a': 0, 'b': -4, 'osm:node/1': 0, 'node/1': 0, 'f2': 1, 'f3': 2}
    """
    rows: dict[str, set[int]] = {}
    for i, name in enumerate(stations["name"]):
        key = name.strip().lower() if isinstance(name, str) else ""
        if key:
            rows.setdefault(key, set()).add(i)
    keys = {k: (next(iter(v)) if len(v) == 1 else AMBIGUOUS) for k, v in rows.items()}
    for i, sid in enumerate(stations["id"].astype(str)):  # an id wins over a name
        keys[sid.lower()] = i
        keys[sid.lower().removeprefix("osm:")] = i
    return keys


@dataclass
class Calibration:
    """What ``urbanrisk calibrate`` found: the speeds table to write and the report."""

    table: pd.DataFrame
    fixed_delay_s: float | None
    report: dict[str, Any]


@dataclass
class _Routed:
    """The usable records, snapped and routed at the table's speeds."""

    records: pd.DataFrame
    nodes: np.ndarray
    source: np.ndarray  # index into sources, or NEAREST
    before_s: np.ndarray  # driving seconds at the table's speeds


def street_reach_m(area, graph, max_snap_m: float) -> float:
    """How far from ``area`` (WGS84) a resource can stand and still snap to one of the graph's
    streets: the farthest corner of the box of its street nodes, plus ``max_snap_m`` (the distance
    to a box is convex, so its largest value on the box is at a corner). A station a record names may
    stand anywhere the street data reach, not only within the coverage stage's 2 km default."""
    if not len(graph.xy):
        return 0.0
    to_utm = Transformer.from_crs("EPSG:4326", graph.utm_crs, always_xy=True)
    projected = shapely.transform(area, lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1])))
    (x0, y0), (x1, y1) = graph.xy.min(axis=0), graph.xy.max(axis=0)
    corners = shapely.points([(x0, y0), (x0, y1), (x1, y0), (x1, y1)])
    return float(shapely.distance(projected, corners).max()) + max_snap_m + 1.0


def _stations(recipe: Recipe, layers: Layers, area, graph, kind: str, max_snap_m: float):
    """The resources of ``kind``, the unique source nodes, and each station's index into them.

    Left unset, the recipe's ``search_buffer_m`` reaches as far as the street data
    (:func:`street_reach_m`): a record's station is where the record says, however far out."""
    spec = recipe.coverage
    buffer_m = (
        max(settings.search_buffer_m, street_reach_m(area, graph, max_snap_m))
        if spec.search_buffer_m is None
        else spec.search_buffer_m
    )
    resources = resources_near(layers.pois, layers.resources, area, buffer_m=buffer_m, utm_crs=graph.utm_crs)
    stations = resources[resources["kind"] == kind].reset_index(drop=True)
    if not len(stations):
        msg = (
            f"no {kind} in the recipe's data within {buffer_m:.0f} m of the area: add a resource "
            f"registry layer (type: points, role: resource, kind: {kind}) to {recipe.source_path}"
        )
        raise InputError(msg)
    xy = stations.to_crs(graph.utm_crs)
    node, snap_m = graph.snap(xy.geometry.x.to_numpy(), xy.geometry.y.to_numpy())
    sources = np.unique(node[snap_m <= max_snap_m])
    position = np.where(snap_m <= max_snap_m, np.searchsorted(sources, node), UNSNAPPED)
    return stations, sources, position


def _route_records(records, graph, edges, stations, sources, position, *, max_snap_m, rejections) -> _Routed:
    """Snap records, resolve their stations, route them; set aside those that cannot be used."""
    to_utm = Transformer.from_crs("EPSG:4326", graph.utm_crs, always_xy=True)
    x, y = to_utm.transform(records["lon"].to_numpy(), records["lat"].to_numpy())
    node, snap_m = graph.snap(np.asarray(x), np.asarray(y))
    keys = _station_keys(stations)
    row = np.array(
        [keys.get(k, UNKNOWN) if k else NEAREST for k in records["station"].str.lower()], dtype=int
    )
    source = np.where(row >= 0, position[np.maximum(row, 0)], row)
    far = snap_m > max_snap_m
    rejections.add(f"no street within {max_snap_m:.0f} m", records[far], [f"{d:.0f} m" for d in snap_m[far]])
    for code, reason in (
        (UNKNOWN, "station not among the resources"),
        (AMBIGUOUS, "station name carried by several resources (use its id)"),
        (UNSNAPPED, f"station more than {max_snap_m:.0f} m from a street"),
    ):
        rejections.add(reason, records[~far & (source == code)])
    keep = ~far & (source >= NEAREST)
    records, node, source = records[keep].reset_index(drop=True), node[keep], source[keep]
    routes = route_class_seconds(edges, np.ones(len(edges.classes)), sources, node, source)
    reached = np.isfinite(routes.seconds)
    rejections.add("no route from the station", records[~reached])
    return _Routed(
        records[reached].reset_index(drop=True), node[reached], source[reached], routes.seconds[reached]
    )


def _delay_before(recipe: Recipe, speeds: pd.DataFrame, kind: str) -> float:
    """The delay an uncalibrated run adds to driving: the table's fixed delay, else the turnout of
    the preset's first drive-time standard for ``kind``, else 0."""
    old = fixed_delay(speeds)
    if old is not None:
        return old
    spec = recipe.coverage
    for standard in standards_for(spec.standards, spec.override_dict(), recipe.tables.standards):
        if standard.resource_kind == kind and standard.mode == "drive" and standard.by_time:
            return standard.turnout_s
    return 0.0


def calibrate(
    recipe: Recipe | str | Path,
    records_path: str | Path,
    *,
    layers: Layers | None = None,
    by: str = "class",
    fit_delay: bool = True,
    holdout: float = 0.25,
    seed: int = 0,
    min_records: int = 30,
    kind: str = "fire_station",
    loss: str = "soft_l1",
) -> Calibration:
    """Fit the recipe's driving speeds (and a fixed delay) to the response records of ``records_path``.

    ``layers`` may be given when already loaded (notebooks, tests). Raises :class:`InputError` for
    an unreadable records file, a missing column, no station, or too few usable records.
    """
    if by not in ("class", "global") or loss not in ("soft_l1", "huber", "linear", "cauchy"):
        msg = f"by is class or global, loss soft_l1, huber, cauchy or linear (got {by!r}, {loss!r})"
        raise InputError(msg)
    if not 0.0 <= holdout < 1.0:
        msg = f"holdout is the share of records kept out of the fit: 0 <= holdout < 1 (got {holdout})"
        raise InputError(msg)
    recipe = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    rejections = Rejections()
    records = records_from_csv(records_path, rejections)
    total = len(records) + rejections.count
    layers = load_layers(recipe) if layers is None else layers
    area = study_area(recipe, layers)
    speeds = speed_table(recipe.tables.speeds)
    graph = street_graph(
        layers.streets, layers.street_nodes, mode="drive", utm_crs=utm_crs_for(area), speeds=speeds
    )
    max_snap_m = settings.max_snap_m if recipe.coverage.max_snap_m is None else recipe.coverage.max_snap_m
    stations, sources, position = _stations(recipe, layers, area, graph, kind, max_snap_m)
    edges = class_edges(graph, list(speeds.index))
    routed = _route_records(
        records, graph, edges, stations, sources, position, max_snap_m=max_snap_m, rejections=rejections
    )
    if len(routed.records) < MIN_USABLE:
        reasons = ", ".join(f"{k}: {v['count']}" for k, v in rejections.by_reason.items()) or "none"
        msg = (
            f"records file {records_path}: only {len(routed.records)} usable records of {total} (need "
            f"{MIN_USABLE}); rejected: {reasons}"
        )
        raise InputError(msg)
    n = len(routed.records)
    held = np.zeros(n, dtype=bool)
    held[np.random.default_rng(seed).permutation(n)[: round(holdout * n)]] = True
    train = ~held
    current = _delay_before(recipe, speeds, kind)
    turnout = routed.records["turnout_s"].to_numpy()
    typical = float(np.nanmedian(turnout)) if np.isfinite(turnout).any() else 0.0
    # the record's own turnout where given; else the typical one (fitted delay) or the current one
    base = np.where(np.isfinite(turnout), turnout, typical if fit_delay else current)
    seconds = routed.records["seconds"].to_numpy()
    fit = fit_speed_factors(
        edges,
        sources,
        routed.nodes[train],
        routed.source[train],
        seconds[train] - base[train],
        by=by,
        min_records=min_records,
        fit_delay=fit_delay,
        loss=loss,
    )
    delay = typical + fit.delay if fit_delay else current
    after = route_class_seconds(edges, fit.factors, sources, routed.nodes, routed.source).seconds
    table_delay = delay if fit_delay or fixed_delay(speeds) is not None else None
    predicted = {"before": current + routed.before_s, "after": delay + after}
    evaluate = held if held.any() else train
    report = {
        "recipe": str(recipe.source_path),
        "records_file": str(records_path),
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "records": total,
        "used": n,
        "fitted_on": int(train.sum()),
        "held_out": int(held.sum()),
        "rejected": rejections.count,
        "rejections": rejections.by_reason,
        "method": {
            "by": by,
            "loss": loss,
            "fit_delay": fit_delay,
            "min_records": min_records,
            "class_share": CLASS_SHARE,
            "holdout": holdout,
            "seed": seed,
            "iterations": fit.iterations,
            "converged": fit.converged,
            "residual_scale_s": round(fit.scale_s, 3),
            "resource_kind": kind,
            "stations": len(stations),
        },
        "factors": {
            name: {
                "factor": round(float(fit.factors[i]), 4),
                "drive_kmh": round(float(speeds["drive_kmh"].iloc[i] * fit.factors[i]), 3),
                "records": int(fit.records_per_class[i]),
                "factor_of": "its own" if fit.own[i] else "shared",
            }
            for i, name in enumerate(speeds.index)
        },
        "fixed_delay_s": round(delay, 3),
        "delay_before_s": current,
        "record_turnout_median_s": typical if np.isfinite(turnout).any() else None,
        "agreement": {
            "on": "held-out records" if held.any() else "fitted records (holdout 0)",
            **{k: agreement(v[evaluate], seconds[evaluate]) for k, v in predicted.items()},
        },
        "agreement_fitted": {k: agreement(v[train], seconds[train]) for k, v in predicted.items()},
    }
    return Calibration(_calibrated_table(speeds, fit, table_delay), table_delay, report)


def _calibrated_table(speeds: pd.DataFrame, fit: SpeedFit, delay: float | None) -> pd.DataFrame:
    """The speeds table times the fitted factors, with the fixed delay on every row (or none)."""
    table = pd.DataFrame(
        {
            "highway": speeds.index,
            "drive_kmh": np.round(speeds["drive_kmh"].to_numpy() * fit.factors, 3),
            "maxspeed_factor": np.round(speeds["maxspeed_factor"].to_numpy() * fit.factors, 5),
            "fixed_delay_s": round(delay, 3) if delay is not None else "",
            "fitted": [
                f"own factor ({n} records)" if own else f"shared factor ({n} records)"
                for own, n in zip(fit.own, fit.records_per_class, strict=True)
            ],
        }
    )
    return table if delay is not None else table.drop(columns="fixed_delay_s")


def write_calibration(calibration: Calibration, out: str | Path) -> tuple[Path, Path]:
    """Write the speeds table (with an explanatory header) and ``<out>.report.json``, each whole or
    not at all (written beside, then renamed)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = calibration.report
    after, before = report["agreement"]["after"], report["agreement"]["before"]
    delay = calibration.fixed_delay_s
    header = [
        f"# Driving speeds calibrated by `urbanrisk calibrate` on {report['created']} from {report['used']}",
        f"# response records of {Path(report['records_file']).name} ({report['rejected']} rejected: see "
        f"{out.name}.report.json); recipe {Path(report['recipe']).name}.",
        "# drive_kmh: the speed of ways of this highway type without a maxspeed tag (table speed x factor);",
        "# maxspeed_factor: multiplies the tagged maxspeed of ways of this type;",
        "# fixed_delay_s: seconds from call to the start of driving (dispatch + turnout) the records show;",
        "#   when given, the coverage stage uses it in place of every drive-time standard's turnout_s, so",
        "#   that `travel` (delay + driving) is comparable to recorded call-to-arrival seconds.",
        f"# Agreement on {report['agreement']['on']} ({after['records']}), before -> after: Spearman "
        f"{before['spearman']} -> {after['spearman']}, mean abs error {before['mean_abs_error_s']} -> "
        f"{after['mean_abs_error_s']} s, median {before['median_abs_error_s']} -> "
        f"{after['median_abs_error_s']} s.",
    ]
    if delay is None:
        header.append("# No fixed delay fitted (--no-delay): the standards keep their turnout_s.")
    table = calibration.table
    report = {**report, "table": str(out)}
    report_path = out.with_name(out.name + ".report.json")
    for path, text in (
        (out, "\n".join(header) + "\n" + table.to_csv(index=False)),
        (report_path, json.dumps(report, indent=2, ensure_ascii=False, default=_json_default) + "\n"),
    ):
        partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    return out, report_path


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def summary_lines(calibration: Calibration, table_path: Path, report_path: Path) -> list[str]:
    """What the command prints: counts, rejections with examples, factors, delay, agreement."""
    r = calibration.report
    lines = [
        f"  records: {r['records']:,} · used {r['used']:,} (fitted on {r['fitted_on']:,}, held out "
        f"{r['held_out']:,}) · rejected {r['rejected']:,}"
    ]
    for reason, entry in r["rejections"].items():
        lines.append(f"  rejected {entry['count']:,}: {reason}")
        for example in entry["examples"][:3]:
            values = ", ".join(f"{k}={v}" for k, v in example.items() if k != "line" and v not in ("", None))
            lines.append(f"      line {example['line']}: {values}")
    own = {k: v for k, v in r["factors"].items() if v["factor_of"] == "its own"}
    shared = [k for k, v in r["factors"].items() if v["factor_of"] == "shared"]
    for name, entry in own.items():
        lines.append(
            f"  {name:<16} x{entry['factor']:.3f} -> {entry['drive_kmh']:g} km/h ({entry['records']} records)"
        )
    if shared:
        factor = r["factors"][shared[0]]["factor"]
        lines.append(f"  {'other classes':<16} x{factor:.3f} (shared by {len(shared)} classes)")
    if calibration.fixed_delay_s is not None:
        lines.append(
            f"  fixed delay: {calibration.fixed_delay_s:.1f} s (replaces the turnout of "
            f"{r['delay_before_s']:g} s in drive-time standards)"
        )
    b, a = r["agreement"]["before"], r["agreement"]["after"]
    lines.append(
        f"  agreement on {r['agreement']['on']} ({a['records']:,}): Spearman {b['spearman']:.3f} -> "
        f"{a['spearman']:.3f}, mean abs error {b['mean_abs_error_s']:.0f} -> {a['mean_abs_error_s']:.0f} s, "
        f"median {b['median_abs_error_s']:.0f} -> {a['median_abs_error_s']:.0f} s"
    )
    if not r["method"]["converged"]:
        lines.append(
            f"  note: routes still moved after {r['method']['iterations']} fits (factors may be unstable)"
        )
    lines.append(f"  wrote {table_path} and {report_path}")
    lines.append(f"  use it: tables: {{speeds: {table_path}}} in the recipe")
    return lines
