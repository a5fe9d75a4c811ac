"""Urban villages (城中村): clusters of cells with the urban-village form, with a confidence 0-1.

Urban villages are former rural settlements engulfed by the city, rebuilt plot by plot at high
density without planning: buildings cover most of the ground, footprints are small, buildings
stand shoulder to shoulder ("handshake buildings", 握手楼), access is by narrow alleys, and many
buildings have no frontage on a street. Per cell (with at least :data:`MIN_BUILDINGS` buildings),
five form metrics are scaled to 0-1 between a "planned" and an "urban village" reference value:

======================  ================================  ============  ===============
metric                  measure                           planned (0)   urban village (1)
======================  ================================  ============  ===============
coverage                building footprint / cell area    0.25          0.50
small footprints        mean footprint, m²               400           100
building density        buildings per hectare             10            40
no street access        share of buildings behind others  0             0.5
alleys                  narrow ways (service, footway,    0             300
                        path, alley...) in m per hectare
======================  ================================  ============  ===============

Reference values follow the morphology reported for Chinese urban villages (coverage 0.5-0.7 and
footprints of 50-150 m² against 0.2-0.3 and blocks of 500 m² and more in planned estates: Liu, He,
Wu and Webster 2010, *Habitat International* 34; Hao, Sliuzas and Geertman 2011, *Habitat
International* 35) and the block-complexity measure of street access (buildings that cannot reach a
street without crossing another plot: Brelsford, Martin, Hand and Bettencourt 2018, *Science
Advances* 4(8); Soman et al. 2020). The form score is their weighted mean (weights in
:data:`FORM_WEIGHTS`). OSM names are evidence, not the test: a residential area named …村 (but not
…新村, the planned workers' estates) or a ``place=village|hamlet`` inside or next to the cell adds
:data:`EVIDENCE_BONUS`.

Dense planned fabric reaches the same form: Baltimore's row-house blocks (equal lots wall to wall,
alleys behind) scored 0.55-0.63 at resolution 11. Where the form score reaches :data:`CANDIDATE_FORM`
and the run's buildings are given, the buildings' irregularity (neighbour misalignment, size variation,
shape irregularity: :mod:`urbanrisk.screens.building_form`) weighs it: the score is
``form x (1 - w x (1 - IRREGULAR_FLOOR) x (1 - irregularity)) + EVIDENCE_BONUS x evidence``, so
regular rows keep at most :data:`IRREGULAR_FLOOR` of their form score. The weight ``w`` rises linearly
from 0 at :data:`CANDIDATE_FORM` to 1 at :data:`FULL_WEIGHT_FORM` (:func:`irregularity_weight`): the
score has no step where irregularity starts being measured (regular rows at form 0.29 and 0.31 score
0.29 and 0.30, not 0.29 and 0.12). Below :data:`CANDIDATE_FORM` (and without buildings) irregularity is
not measured (NaN) and the form score stands.
Cells scoring at least ``min_score`` that are H3 neighbours form a cluster; its confidence is the
building-weighted mean score of its cells, and its ``factors`` say in words what made it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely

from .. import settings
from ..cell_disks import cell_latlng, disk_pairs
from ..clusters import cell_clusters, dissolve_each
from ..grade import disk_sum
from ..grid import cell_ints_to_str
from .building_form import IRREGULARITY_WEIGHTS, cell_sums, disk_totals, irregularity

MIN_BUILDINGS = 5
FORM_WEIGHTS = {
    "coverage": 0.25,
    "small_footprints": 0.2,
    "building_density": 0.2,
    "no_street_access": 0.2,
    "alleys": 0.15,
}
REFERENCES = {  # (planned, urban village)
    "coverage": (0.25, 0.50),
    "small_footprints": (400.0, 100.0),
    "building_density": (10.0, 40.0),
    "no_street_access": (0.0, 0.5),
    "alleys": (0.0, 300.0),
}
EVIDENCE_BONUS = 0.2
#: The form score from which the buildings' irregularity is measured (and starts weighing the score).
CANDIDATE_FORM = 0.3
#: The form score from which the irregularity weighs in full (the default ``min_score``: every cell that
#: can be an urban village on its form alone is weighed in full, as before the ramp).
FULL_WEIGHT_FORM = 0.5
#: The share of its form score a cell of perfectly regular buildings keeps.
IRREGULAR_FLOOR = 0.4
#: How far beyond a cluster's cells its stored buildings are read (degrees; ~100 m: a building with its
#: point in a cell reaches past it, and its neighbours within NEIGHBOUR_M further).
BOX_PAD_DEGREES = 0.001
#: The buildings of a bounding box (lon/lat), as frames read one at a time (stored layers).
BuildingsOf = Callable[[tuple[float, float, float, float]], Iterable[gpd.GeoDataFrame]]

COLUMNS = [
    "id",
    "name",
    "confidence",
    "cells",
    "area_ha",
    "buildings",
    "residents",
    "coverage",
    "mean_footprint_m2",
    "buildings_per_ha",
    "no_street_access_share",
    "alleys_m_per_ha",
    "name_evidence",
    "form_score",
    "irregularity",
    "neighbour_misalignment",
    "size_variation",
    "shape_irregularity",
    "factors",
    "geometry",
]


def _scale(values: pd.Series, planned: float, village: float) -> pd.Series:
    return ((values - planned) / (village - planned)).clip(0.0, 1.0)


def urban_village_metrics(grid: gpd.GeoDataFrame) -> pd.DataFrame:
    """The five form metrics of each cell (raw values)."""
    hectares = grid["cell_area_m2"] / 1e4
    buildings = grid["buildings"]
    with np.errstate(invalid="ignore", divide="ignore"):
        metrics = pd.DataFrame(
            {
                "coverage": grid["coverage_ratio"],
                "small_footprints": grid["footprint_m2"] / buildings.where(buildings > 0),
                "building_density": buildings / hectares,
                "no_street_access": grid["buildings_no_street_access"] / buildings.where(buildings > 0),
                "alleys": grid["alley_length_m"] / hectares,
            },
            index=grid.index,
        )
    return metrics


def name_evidence(grid: gpd.GeoDataFrame, landuse: gpd.GeoDataFrame | None) -> pd.Series:
    """1 where OSM names or tags say 'village' in or next to the cell, else 0."""
    evidence = (disk_sum(grid.get("poi_village_place", pd.Series(0.0, index=grid.index))) > 0).astype(float)
    if landuse is not None and len(landuse):
        names = landuse["name"].fillna("").astype(str)
        village = landuse[
            (landuse["value"] == "residential") & names.str.endswith("村") & ~names.str.endswith("新村")
        ]
        if len(village):
            centres = gpd.GeoDataFrame(
                geometry=gpd.points_from_xy(*cell_latlng(grid.index)[:, ::-1].T),
                index=grid.index,
                crs=4326,
            )
            hits = gpd.sjoin(centres, village[["geometry"]], predicate="within", how="inner")
            evidence.loc[hits.index.unique()] = 1.0
    return evidence.rename("uv_name_evidence")


def urban_village_cell_scores(
    grid: gpd.GeoDataFrame,
    landuse: gpd.GeoDataFrame | None,
    buildings: gpd.GeoDataFrame | BuildingsOf | None = None,
    *,
    utm_crs: str | None = None,
) -> pd.DataFrame:
    """Per cell: the scaled form metrics, the form score, the buildings' irregularity (NaN where not
    measured), the name evidence and the score 0-1.

    ``buildings``: the run's buildings, or a function giving them for a box one frame at a time (stored
    layers); with ``utm_crs`` (metres) their irregularity weighs the cells of form >= CANDIDATE_FORM.
    """
    metrics = urban_village_metrics(grid)
    scaled = pd.DataFrame(index=grid.index)
    for name, (planned, village) in REFERENCES.items():
        scaled[f"uv_{name}"] = _scale(metrics[name], planned, village).fillna(0.0)
    form = sum(FORM_WEIGHTS[name] * scaled[f"uv_{name}"] for name in FORM_WEIGHTS)
    eligible = grid["buildings"] >= MIN_BUILDINGS
    evidence = name_evidence(grid, landuse)
    scaled["uv_form"] = form.where(eligible, 0.0)
    irregular = _irregularity(grid.index[eligible & (form >= CANDIDATE_FORM)], buildings, utm_crs)
    for column in irregular.columns:
        scaled[column] = irregular[column].reindex(grid.index)
    score = village_score(scaled["uv_form"], scaled["uv_irregularity"], evidence)
    scaled["uv_name_evidence"] = evidence
    scaled["uv_score"] = score.clip(0, 1).where(eligible, 0.0)
    return scaled


def irregularity_weight(form: pd.Series | float) -> pd.Series | float:
    """How much the buildings' irregularity weighs a cell of this form score: 0 up to
    :data:`CANDIDATE_FORM`, rising linearly to 1 at :data:`FULL_WEIGHT_FORM`.

    Examples
    --------
    >>> [round(float(irregularity_weight(f)), 2) for f in (0.29, 0.3, 0.31, 0.4, 0.5, 0.9)]
    [0.0, 0.0, 0.05, 0.5, 1.0, 1.0]
    """
    return np.clip((form - CANDIDATE_FORM) / (FULL_WEIGHT_FORM - CANDIDATE_FORM), 0.0, 1.0)


def village_score(form: pd.Series, irregularity: pd.Series, evidence: pd.Series) -> pd.Series:
    """The cells' score (before clipping to 0-1): the form score, weighed by the buildings'
    irregularity (NaN: not measured, the form score stands) by :func:`irregularity_weight`, plus the
    name evidence's bonus.

    Examples
    --------
    >>> form, regular = pd.Series([0.29, 0.31, 0.6]), pd.Series([np.nan, 0.0, 0.0])
    >>> village_score(form, regular, pd.Series(0.0, index=form.index)).round(4).tolist()
    [0.29, 0.3007, 0.24]
    """
    kept = 1.0 - irregularity_weight(form) * (1.0 - IRREGULAR_FLOOR) * (1.0 - irregularity)
    return form * kept.fillna(1.0) + EVIDENCE_BONUS * evidence


def _irregularity(
    candidates: pd.Index, buildings: gpd.GeoDataFrame | BuildingsOf | None, utm_crs: str | None
) -> pd.DataFrame:
    """:func:`urbanrisk.screens.building_form.irregularity` of the candidate cells (over their disks)."""
    columns = [f"uv_{name}" for name in IRREGULARITY_WEIGHTS] + ["uv_irregularity"]
    if buildings is None or utm_crs is None or not len(candidates):
        return pd.DataFrame(np.nan, index=candidates, columns=columns)
    if isinstance(buildings, gpd.GeoDataFrame):
        _, neighbours = disk_pairs(list(candidates), 1)
        around = pd.Index(cell_ints_to_str(np.unique(neighbours)))
        sums = cell_sums(buildings, around, utm_crs)
    else:  # stored buildings: each cluster of candidates reads its box (and its neighbours beyond)
        labels = cell_clusters(candidates)
        pieces = [
            _stored_sums(candidates[labels == label], buildings, utm_crs) for label in np.unique(labels)
        ]
        sums = pd.concat(pieces)
        sums = sums[~sums.index.duplicated()]  # a cell beside two clusters: the same buildings, once
    totals = disk_totals(sums, candidates)
    return irregularity(totals)[columns]


def _stored_sums(cells: pd.Index, buildings_of: BuildingsOf, utm_crs: str) -> pd.DataFrame:
    """:func:`urbanrisk.screens.building_form.cell_sums` of the cells' disks, from the stored buildings
    of their box widened by :data:`BOX_PAD_DEGREES` (every neighbour of a building inside is read)."""
    _, neighbours = disk_pairs(list(cells), 1)
    around = pd.Index(cell_ints_to_str(np.unique(neighbours)))
    latlng = np.array([point for cell in around for point in h3.cell_to_boundary(cell)])
    box = (
        latlng[:, 1].min() - BOX_PAD_DEGREES,
        latlng[:, 0].min() - BOX_PAD_DEGREES,
        latlng[:, 1].max() + BOX_PAD_DEGREES,
        latlng[:, 0].max() + BOX_PAD_DEGREES,
    )
    parts = [part for part in buildings_of(box) if part is not None and len(part)]
    if not parts:
        return cell_sums(None, around, utm_crs)
    frame = pd.concat(parts)
    frame = frame[~frame.index.duplicated()]
    return cell_sums(frame[frame.intersects(shapely.box(*box))], around, utm_crs)


def urban_villages_screen(
    grid: gpd.GeoDataFrame,
    scores: pd.DataFrame,
    landuse: gpd.GeoDataFrame | None,
    *,
    min_score: float | None = None,
    min_cells: int | None = None,
    clusters_of: Callable[[pd.Index], np.ndarray] | None = None,
    outlines_of: Callable[[list[list[str]]], list] | None = None,
) -> gpd.GeoDataFrame:
    """Urban-village clusters with confidence and the metrics behind it, most confident first.

    Thresholds left None take :data:`urbanrisk.settings.urban_village_min_score` and
    ``urban_village_min_cells``; ``clusters_of`` and ``outlines_of`` replace
    :func:`urbanrisk.clusters.cell_clusters` and :func:`urbanrisk.clusters.dissolve_each`.
    """
    min_score = settings.urban_village_min_score if min_score is None else min_score
    min_cells = settings.urban_village_min_cells if min_cells is None else min_cells
    chosen = scores.index[scores["uv_score"] >= min_score]
    if not len(chosen):
        return gpd.GeoDataFrame({c: [] for c in COLUMNS[:-1]}, geometry=[], crs=4326)
    labels = (clusters_of or cell_clusters)(chosen)
    clusters = [list(chosen[labels == label]) for label in range(labels.max() + 1)]
    clusters = [cells for cells in clusters if len(cells) >= min_cells]
    rows = []
    for cells, outline in zip(clusters, (outlines_of or dissolve_each)(clusters), strict=True):
        part = grid.loc[cells]
        buildings = part["buildings"]
        hectares = part["cell_area_m2"].sum() / 1e4
        weights = buildings.clip(lower=1).to_numpy(dtype=float)
        cell_scores = scores.loc[cells]
        row = {
            "name": _village_name(outline, landuse),
            "confidence": float(np.average(cell_scores["uv_score"], weights=weights)),
            "cells": len(cells),
            "area_ha": float(hectares),
            "buildings": int(buildings.sum()),
            "residents": float(part["residents"].sum()),
            "coverage": float(part["footprint_m2"].sum() / part["cell_area_m2"].sum()),
            "mean_footprint_m2": float(part["footprint_m2"].sum() / max(buildings.sum(), 1)),
            "buildings_per_ha": float(buildings.sum() / hectares),
            "no_street_access_share": float(
                part["buildings_no_street_access"].sum() / max(buildings.sum(), 1)
            ),
            "alleys_m_per_ha": float(part["alley_length_m"].sum() / hectares),
            "name_evidence": bool(cell_scores["uv_name_evidence"].max() > 0),
            "form_score": float(np.average(cell_scores["uv_form"], weights=weights)),
        }
        for name in ("irregularity", *IRREGULARITY_WEIGHTS):
            row[name] = _weighted(cell_scores.get(f"uv_{name}"), weights)
        row["factors"] = cluster_factors(row)
        row["geometry"] = outline
        rows.append(row)
    table = gpd.GeoDataFrame(rows, columns=[c for c in COLUMNS if c != "id"], geometry="geometry", crs=4326)
    table = table.sort_values(["confidence", "buildings"], ascending=False).reset_index(drop=True)
    table.insert(0, "id", [f"UV-{i + 1:02d}" for i in range(len(table))])
    return table


def _village_name(outline, landuse: gpd.GeoDataFrame | None) -> str:
    if landuse is None or not len(landuse):
        return ""
    named = landuse[landuse["name"].fillna("").astype(bool)]
    named = named[named.intersects(outline)]
    if not len(named):
        return ""
    villages = named[named["name"].str.endswith("村")]
    return str((villages if len(villages) else named)["name"].iloc[0])


def _weighted(values: pd.Series | None, weights: np.ndarray) -> float:
    """Building-weighted mean of the measured values (NaN: none measured; unknown stays unknown)."""
    if values is None:
        return float("nan")
    known = values.notna().to_numpy()
    if not known.any():
        return float("nan")
    return float(np.average(values.to_numpy(dtype=float)[known], weights=weights[known]))


def cluster_factors(row: dict) -> str:
    """Why a cluster was flagged, in words: its form, its buildings' irregularity and name evidence,
    and how they make its confidence."""
    words = [
        f"coverage {row['coverage']:.0%}",
        f"mean footprint {row['mean_footprint_m2']:.0f} m²",
        f"{row['buildings_per_ha']:.0f} buildings/ha",
        f"{row['no_street_access_share']:.0%} without street access",
        f"alleys {row['alleys_m_per_ha']:.0f} m/ha",
        f"form score {row['form_score']:.2f}",
    ]
    if np.isnan(row["irregularity"]):
        words.append("irregularity not measured (form score stands)")
    else:
        words.append(
            f"irregularity {row['irregularity']:.2f} "
            f"(neighbour misalignment {row['neighbour_misalignment']:.2f}, "
            f"size variation {row['size_variation']:.2f}, shape {row['shape_irregularity']:.2f}; "
            f"keeps {_kept(row['form_score'], row['irregularity']):.0%} of the form score)"
        )
    if row["name_evidence"]:
        words.append(f"village name or place in OSM (+{EVIDENCE_BONUS:.1f})")
    words.append(f"confidence {row['confidence']:.2f}")
    return "; ".join(words)


def _kept(form: float, irregularity: float) -> float:
    """The share of its form score a cluster of this (mean) form and irregularity keeps."""
    return 1.0 - float(irregularity_weight(form)) * (1.0 - IRREGULAR_FLOOR) * (1.0 - irregularity)
