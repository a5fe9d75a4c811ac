"""Hazard sources (危险源点): one row per source, with exposure, breached standards and a grade.

Sources come from hazard registries (``points`` layers with ``role: hazard``) and from OSM features
the tag table marks as hazards. When both describe the same site (same kind, within
:data:`DEDUP_M` metres) the registry row is kept and records the OSM feature it matched.

Per source:

- residents inside its impact radius (cells shared by the fraction of their area inside the circle);
- vulnerable sites (schools, kindergartens, hospitals, elderly homes) inside the radius, by name;
- standards breached: a protected target closer than the minimum distance of
  ``layers/tables/safety_distances.csv`` (each row cites its standard);
- where cells in reach have residents unknown, the count is a lower bound ("≥ N") and a grade it
  cannot fix is ``no data`` (:mod:`urbanrisk.screens.unknown_exposure`);
- a grade from a 4x4 risk matrix (GB/T 27921 style): likelihood = severity (1-4), consequence =
  exposed residents (<100: 1, <1,000: 2, <5,000: 3, else 4), one level higher (max 4) when a
  vulnerable site is exposed or a standard is breached; score = likelihood x consequence:
  >= 12 I red, >= 8 II orange, >= 4 III yellow, else IV blue. Raising the severity never lowers it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import settings
from ..cell_circles import CircleCells, circle_cells
from ..circle_overlap import circle_sums
from ..hazard_defaults import UNLISTED_RADIUS_M, UNLISTED_SEVERITY, defaults_assumed
from ..layers.table_numbers import check_numbers
from ..layers.tables import _read_table
from ..resource_columns import hazard_kept
from ..result import NO_DATA
from ..same_sites import OUTLINE, is_wkb, vulnerable_sites
from .hazard_sites import one_osm_site_each
from .risk_matrix import consequences, matrix_grades
from .unknown_exposure import exposure_and_shares, factors_text

DEDUP_M = 50.0
VULNERABLE_KINDS = ("school", "kindergarten", "hospital", "elderly_home")

COLUMNS = [
    "id",
    "kind",
    "label",
    "label_zh",
    "name",
    "severity",
    "source",
    "osm_ref",
    "substance",
    "quantity_t",
    "impact_radius_m",
    "defaults_assumed",
    "residents_exposed",
    "residents_unknown_share",
    "vulnerable_sites",
    "vulnerable_names",
    "breaches",
    "n_breaches",
    "consequence",
    "matrix_score",
    "grade",
    "factors",
    "geometry",
]


def safety_distance_table(path: str | Path | None = None) -> pd.DataFrame:
    """(hazard kind, target) -> minimum distance in metres and the standard it comes from."""
    path = Path(path) if path else settings.tables_dir / "safety_distances.csv"
    table = _read_table(path, ["kind", "target", "min_distance_m", "source"])
    check_numbers(table, "safety_distances", path)
    table["min_distance_m"] = table["min_distance_m"].astype(float)
    return table


def hazard_sources_from_layers(
    registry: gpd.GeoDataFrame, pois: gpd.GeoDataFrame, kinds: pd.DataFrame, *, utm_crs: str
) -> gpd.GeoDataFrame:
    """Registry hazards and OSM hazard features as one de-duplicated table."""
    columns = ["id", "kind", "name", "severity", "source", "osm_ref", "substance", "quantity_t", "geometry"]
    reg = (
        registry.copy()
        if registry is not None and len(registry)
        else gpd.GeoDataFrame({c: [] for c in columns[:-1]}, geometry=[], crs=4326)
    )
    reg["osm_ref"] = ""
    kept = hazard_kept(list(reg.columns))  # the office's own (负责人, 联系电话...), in its order
    columns = [*columns[:-1], *kept, "geometry"]
    for column in ("substance", "quantity_t"):  # GB 18218 inputs of a registry (screens.major_hazard)
        reg[column] = reg[column].fillna("").astype(str) if column in reg.columns else ""
    osm = (
        pois[pois["roles"].str.split("|").map(lambda r: "hazard" in r)]
        if pois is not None and len(pois)
        else None
    )
    if osm is not None and len(osm):
        osm = one_osm_site_each(osm.drop_duplicates(["osm_ref", "kind"]), utm_crs)
        osm_rows = gpd.GeoDataFrame(
            {
                "id": "osm:" + osm["osm_ref"].astype(str),
                "kind": osm["kind"].to_numpy(),
                "name": osm["name"].to_numpy(),
                "severity": kinds.reindex(osm["kind"])["default_severity"]
                .fillna(UNLISTED_SEVERITY)
                .astype(int)
                .to_numpy(),
                "source": "OpenStreetMap",
                "osm_ref": osm["osm_ref"].to_numpy(),
                "substance": "",
                "quantity_t": "",
                **dict.fromkeys(kept),  # an OSM feature has none: unknown, not ""
            },
            geometry=osm.geometry.to_numpy(),
            crs=4326,
        )
        if len(reg):
            r_xy = reg.to_crs(utm_crs).geometry
            o_xy = osm_rows.to_crs(utm_crs).geometry
            o_idx, r_idx = shapely.STRtree(r_xy.to_numpy()).query(
                o_xy.to_numpy(), predicate="dwithin", distance=DEDUP_M
            )
            same = osm_rows["kind"].to_numpy()[o_idx] == reg["kind"].to_numpy()[r_idx]
            reg["osm_ref"] = _first_refs(
                reg["osm_ref"], r_idx[same], osm_rows["osm_ref"].to_numpy()[o_idx[same]]
            )
            osm_rows = osm_rows.drop(osm_rows.index[np.unique(o_idx[same])])
        frames = [f for f in (reg[columns], osm_rows[columns]) if len(f)]
        merged = pd.concat(frames, ignore_index=True) if frames else reg[columns]
    else:
        merged = reg[columns]
    out = gpd.GeoDataFrame(merged, geometry="geometry", crs=4326)
    out["severity"] = out["severity"].astype(int)
    return out.sort_values("id", kind="stable").reset_index(drop=True)


def _first_refs(refs: pd.Series, rows: np.ndarray, found: np.ndarray) -> pd.Series:
    """``refs`` with each empty one at ``rows`` set to the first of its ``found`` that is not empty
    (the pairs in order, as one at a time would).

    >>> found = np.array(["", "n9", "n7", "n5"])
    >>> _first_refs(pd.Series(["", "w1", ""]), np.array([2, 1, 2, 0]), found).tolist()
    ['n5', 'w1', 'n7']
    """
    values = refs.to_numpy(dtype=object).copy()
    given = np.array([bool(v) for v in found], dtype=bool)
    rows, found = rows[given], np.asarray(found, dtype=object)[given]
    _, first = np.unique(rows, return_index=True)
    empty = np.array([not v for v in values[rows[first]]], dtype=bool)
    values[rows[first][empty]] = found[first][empty]
    return pd.Series(values, index=refs.index, dtype=refs.dtype)


def residents_in_circles(
    grid: gpd.GeoDataFrame,
    centres_utm: np.ndarray,
    radii: np.ndarray,
    utm_crs: str,
    weights: np.ndarray | None = None,
    *,
    cells_utm: np.ndarray | CircleCells | None = None,
) -> np.ndarray:
    """Residents (or ``weights``: one per cell, or one row of k per cell, then k sums per circle) inside
    each circle (UTM centres and radii), each cell shared by the area it overlaps (``cells_utm``: the
    grid's cells (its index) in ``utm_crs``, as polygons or :class:`urbanrisk.cell_circles.CircleCells`,
    when made already, as :func:`urbanrisk.hazard_table.hazard_table` does once for the screen's and
    GB 18218's circles; else made from the cells' ids: the grid need hold no polygons).

    A cell wholly inside a circle counts whole; only the cells its outline crosses are intersected
    (the plain intersection of every pair gives the same sums, ~1e-15 relative).
    """
    cells = circle_cells(grid.index, utm_crs) if cells_utm is None else cells_utm
    residents = grid["residents"].to_numpy() if weights is None else np.asarray(weights, dtype=float)
    if isinstance(cells, CircleCells):  # the polygons of the cells the circles reach, made there
        return cells.sums(residents, centres_utm, radii)
    return circle_sums(cells, residents, centres_utm, radii)


def _targets(
    pois: gpd.GeoDataFrame | None,
    buildings: gpd.GeoDataFrame | None,
    resources: gpd.GeoDataFrame | None,
    utm_crs: str,
    sites: gpd.GeoDataFrame | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Protected targets by kind, with the geometry distances are measured to (UTM); ``sites``: the
    POIs' vulnerable sites (:func:`urbanrisk.same_sites.vulnerable_sites`, each merged once), when made
    already."""
    out: dict[str, gpd.GeoDataFrame] = {}
    if pois is not None and len(pois):
        sites = vulnerable_sites(pois) if sites is None else sites
        outlines = sites[OUTLINE].to_crs(utm_crs).to_numpy()  # none when merged in this zone
        kinds = sites["kind"].to_numpy(dtype=object)
        for kind in VULNERABLE_KINDS:
            mine = kinds == kind
            if mine.any():  # a vulnerable site mapped twice (a node and its area) counts once
                out[kind] = gpd.GeoDataFrame(
                    {
                        "kind": kind,
                        "name": sites["name"].to_numpy()[mine],
                        "ref": sites["osm_ref"].to_numpy()[mine],
                        "features": sites["features"].to_numpy()[mine],
                    },
                    geometry=outlines[mine],
                    crs=utm_crs,
                )
        fire = pois[pois["kind"] == "fire_station"].drop_duplicates("osm_ref")
        if len(fire):
            shapes = fire.geometry.to_numpy().copy()
            if "shape_wkb" in fire:  # area POIs: their outlines, parsed at once
                wkb = fire["shape_wkb"].to_numpy(dtype=object)
                outline = np.fromiter((is_wkb(w) for w in wkb), dtype=bool, count=len(wkb))
                shapes[outline] = shapely.from_wkb(wkb[outline])
            out["fire_station"] = gpd.GeoDataFrame(
                {"kind": "fire_station", "name": fire["name"].to_numpy(), "ref": fire["osm_ref"].to_numpy()},
                geometry=shapes,
                crs=4326,
            ).to_crs(utm_crs)
    if resources is not None and len(resources):
        fire = resources[resources["kind"] == "fire_station"]
        if len(fire):
            extra = gpd.GeoDataFrame(
                {"kind": "fire_station", "name": fire["name"].to_numpy(), "ref": fire["id"].to_numpy()},
                geometry=fire.geometry.to_numpy(),
                crs=4326,
            ).to_crs(utm_crs)
            out["fire_station"] = (
                pd.concat([out.get("fire_station"), extra]) if "fire_station" in out else extra
            )
    if buildings is not None and len(buildings):
        homes = buildings[buildings["use"] == "residential"]  # typed or in residential land use
        if len(homes):
            out["dwelling"] = gpd.GeoDataFrame(
                {"kind": "dwelling", "name": homes["name"].to_numpy(), "ref": homes["osm_ref"].to_numpy()},
                geometry=homes.geometry.to_numpy(),
                crs=4326,
            ).to_crs(utm_crs)
    return out


def _label(table: gpd.GeoDataFrame, kind: str) -> np.ndarray:
    """Each target as its kind and name, or where it has none as :func:`unnamed_target`."""
    names, refs = table["name"].to_numpy(), table["ref"].to_numpy()
    return np.array(
        [f"{kind} {n}" if n else unnamed_target(kind, r) for n, r in zip(names, refs, strict=True)],
        dtype=object,
    )


def unnamed_target(kind: str, ref: object) -> str:
    """A target without a name, by its reference: an OSM one says so (a bare "relation/3227098" read as a
    name to a planner).

    Examples
    --------
    >>> unnamed_target("dwelling", "relation/3227098"), unnamed_target("elderly_home", "R-07")
    ('an unnamed dwelling (OSM relation/3227098)', 'an unnamed elderly home (R-07)')
    """
    ref = str(ref)
    osm = re.fullmatch(r"(node|way|relation)/\d+", ref)
    return f"an unnamed {kind.replace('_', ' ')} ({'OSM ' if osm else ''}{ref})"


def _vulnerable_within(
    points: np.ndarray, sources: pd.DataFrame, targets: dict[str, gpd.GeoDataFrame]
) -> tuple[list[str], list[int]]:
    """Per source: the vulnerable sites within its impact radius, nearest first, and their number.

    One spatial index per kind answers every source at once (``dwithin``); only the pairs it returns
    are measured, with the same distance function as measuring all of them.
    """
    radii = sources["impact_radius_m"].to_numpy(dtype=float)
    found: dict[int, list[tuple[float, str]]] = {}  # only the sources with a site in reach
    for vkind in VULNERABLE_KINDS:
        table = targets.get(vkind)
        if table is None:
            continue
        shapes = table.geometry.to_numpy()
        # a metre more than the radius, then the exact test: GEOS may measure a border case otherwise
        src, tgt = shapely.STRtree(shapes).query(points, predicate="dwithin", distance=radii + 1.0)
        d = shapely.distance(points[src], shapes[tgt])
        keep = d <= radii[src]
        labels = _label(table, vkind)
        parts = table["features"].to_numpy() if "features" in table else np.ones(len(table), dtype=int)
        for i, j, dist in zip(src[keep].tolist(), tgt[keep].tolist(), d[keep].tolist(), strict=True):
            merged = f", {parts[j]} OSM features" if parts[j] > 1 else ""  # traceable: how many merged
            found.setdefault(i, []).append((dist, f"{labels[j]} ({dist:.0f} m{merged})"))
    names, counts = [""] * len(points), [0] * len(points)
    for i, pairs in found.items():
        pairs.sort()
        names[i], counts[i] = "; ".join(text for _, text in pairs), len(pairs)
    return names, counts


def _breaches(
    points: np.ndarray, kinds: np.ndarray, targets: dict[str, gpd.GeoDataFrame], distances: pd.DataFrame
) -> list[list[str]]:
    """Per source: the safety-distance rules its nearest target of each rule's kind breaks."""
    breaches: list[list[str]] = [[] for _ in range(len(points))]
    trees: dict[str, tuple[shapely.STRtree, np.ndarray, np.ndarray]] = {}
    kinds = np.asarray(kinds, dtype=object)
    for kind, group in distances.groupby("kind", sort=False):
        sources = np.flatnonzero(kinds == kind)
        for rule in group.itertuples() if len(sources) else ():
            table = targets.get(rule.target)
            if table is None:
                continue
            if rule.target not in trees:
                shapes = table.geometry.to_numpy()
                trees[rule.target] = (shapely.STRtree(shapes), shapes, _label(table, rule.target))
            tree, shapes, labels = trees[rule.target]
            # the nearest target (lowest position among equals) matters only when under the minimum
            src, tgt = tree.query(points[sources], predicate="dwithin", distance=rule.min_distance_m + 1.0)
            d = shapely.distance(points[sources[src]], shapes[tgt])
            order = np.lexsort((tgt, d, src))
            first = order[np.r_[True, src[order][1:] != src[order][:-1]]] if len(order) else order
            limit = f"{rule.min_distance_m:.0f} m ({rule.source})"
            for i, j, dist in zip(
                sources[src[first]].tolist(), tgt[first].tolist(), d[first].tolist(), strict=True
            ):
                if dist < rule.min_distance_m:
                    breaches[i].append(f"{labels[j]} at {dist:.0f} m < {limit}")
    return breaches


FACTOR_COLUMNS = (
    "severity",
    "consequence",
    "matrix_score",
    "residents_exposed",
    "residents_unknown_share",
    "impact_radius_m",
    "vulnerable_sites",
    "n_breaches",
    "grade",
)


def hazard_sources_sited(
    sources: gpd.GeoDataFrame,
    *,
    pois: gpd.GeoDataFrame | None,
    buildings: gpd.GeoDataFrame | None,
    resources: gpd.GeoDataFrame | None,
    kinds: pd.DataFrame,
    distances: pd.DataFrame,
    utm_crs: str,
    sources_utm: np.ndarray | None = None,
    sites: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """The part of :func:`hazard_sources_screen` that needs no grid: each source's labels, impact
    radius, the vulnerable sites within it and the safety distances it breaches (from the layers
    alone: a run on workers computes it while the grid's tasks run). ``sources_utm``: the sources'
    points in ``utm_crs``, when projected already (:func:`urbanrisk.hazard_table.hazard_inputs`);
    ``sites``: the POIs' vulnerable sites, when made already (``Layers.vulnerable_sites``)."""
    out = sources.copy()
    for column in ("substance", "quantity_t"):
        if column not in out.columns:
            out[column] = ""
    listed = kinds.reindex(out["kind"]).reset_index(drop=True).set_axis(out.index)  # row for row
    out["label"] = listed["label_en"].fillna(out["kind"]).to_numpy()  # a kind not listed: its name
    out["label_zh"] = listed["label_zh"].fillna(out["kind"]).to_numpy()
    out["impact_radius_m"] = (
        kinds.reindex(out["kind"])["impact_radius_m"].fillna(UNLISTED_RADIUS_M).to_numpy()
    )
    out["defaults_assumed"] = defaults_assumed(out["kind"], kinds)  # radius and severity not from the table
    if not len(out):
        return out
    utm = out.geometry.to_crs(utm_crs).to_numpy() if sources_utm is None else sources_utm
    targets = _targets(pois, buildings, resources, utm_crs, sites)
    vulnerable_names, vulnerable_counts = _vulnerable_within(utm, out, targets)
    breach_lists = _breaches(utm, out["kind"].to_numpy(), targets, distances)
    out["vulnerable_sites"] = vulnerable_counts
    out["vulnerable_names"] = vulnerable_names
    out["breaches"] = [" | ".join(b) if b else "" for b in breach_lists]
    out["n_breaches"] = [len(b) for b in breach_lists]
    return out


def hazard_sources_screen(
    grid: gpd.GeoDataFrame,
    sources: gpd.GeoDataFrame,
    *,
    pois: gpd.GeoDataFrame | None,
    buildings: gpd.GeoDataFrame | None,
    resources: gpd.GeoDataFrame | None,
    kinds: pd.DataFrame,
    distances: pd.DataFrame,
    utm_crs: str,
    exposed_of: Callable[..., np.ndarray] | None = None,
    sited: gpd.GeoDataFrame | None = None,
    residents_known: np.ndarray | None = None,
    sources_utm: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """Exposure, breached standards and a risk-matrix grade for each hazard source
    (``exposed_of`` replaces :func:`residents_in_circles`: its per-partition twin; ``sited``:
    :func:`hazard_sources_sited` of these sources, when computed already; ``residents_known``: per
    cell, whether its residents were measured, else all are taken as known; ``sources_utm``: the
    sources' points in ``utm_crs``, when projected already)."""
    if sources is None or not len(sources):
        return gpd.GeoDataFrame({c: [] for c in COLUMNS[:-1]}, geometry=[], crs=4326)
    if sited is None:
        sited = hazard_sources_sited(
            sources,
            pois=pois,
            buildings=buildings,
            resources=resources,
            kinds=kinds,
            distances=distances,
            utm_crs=utm_crs,
            sources_utm=sources_utm,
        )
    out = sited.copy()
    utm = out.geometry.to_crs(utm_crs).to_numpy() if sources_utm is None else sources_utm
    xy = np.column_stack([shapely.get_x(utm), shapely.get_y(utm)])
    exposed_of = exposed_of or residents_in_circles
    radii = out["impact_radius_m"].to_numpy()
    out["residents_exposed"], out["residents_unknown_share"] = exposure_and_shares(
        grid, residents_known, xy, radii, utm_crs, exposed_of=exposed_of
    )
    aggravated = (out["vulnerable_sites"].to_numpy() > 0) | (out["n_breaches"].to_numpy() > 0)
    consequence = consequences(out["residents_exposed"].to_numpy(dtype=float), aggravated)
    severity = out["severity"].to_numpy(dtype=np.int64)
    score, grade = matrix_grades(severity, consequence)
    share = out["residents_unknown_share"].to_numpy(dtype=float)
    # from a lower bound: kept only if the highest consequence gives it too (bounded_grade, every row)
    doubtful = (share > 0) & (grade != matrix_grades(severity, np.full(len(out), 4))[1])
    out["consequence"] = consequence.tolist()
    out["matrix_score"] = score.tolist()
    out["grade"] = np.where(doubtful, NO_DATA, grade).tolist()
    rows = zip(*(out[c].tolist() for c in FACTOR_COLUMNS), grade.tolist(), strict=True)
    out["factors"] = [factors_text(*row) for row in rows]
    kept = hazard_kept(list(out.columns))  # a registry's keep_columns: 负责人, 联系电话...
    return gpd.GeoDataFrame(out[[*COLUMNS[:-1], *kept, "geometry"]], geometry="geometry", crs=4326)
