"""The risk grade: three explainable dimensions per cell, their geometric mean, four levels.

Following INFORM's structure, each cell gets three dimensions on 0-10:

- **hazard & exposure** = weighted mean of *hazard sources* (severity x linear distance decay within
  each kind's impact radius, saturating), *crowding* (crowd-gathering places within the cell and its
  neighbours per km²) and *residents* (people per km², log scale);
- **vulnerability** = weighted mean of *urban-village form* (the urban-village screen's cell score),
  *building density* (footprint coverage) and *vulnerable sites* (schools, kindergartens, hospitals,
  elderly homes within the cell and its neighbours);
- **lack of coping capacity**: travel time to fire / medical / shelter resources against the standard
  (the coverage stage); unknown where no standard could be evaluated.

Missing is not zero: an unmeasured indicator is left out of its dimension, a dimension with too little
measured is unknown, and risk = (H&E x V x LCC)^(1/3) over the known dimensions; a cell whose hazard &
exposure is unknown gets no grade ("no data"). Grades I 重大 red, II 较大 orange, III 一般 yellow,
IV 低 blue by fixed thresholds (default) or by classes of the data (quantiles, natural breaks, as
mapclassify's). Every indicator is non-decreasing in its input, so with fixed thresholds raising a
hazard's severity never lowers a grade. Each cell keeps its three dimensions, its six indicator
scores and its top three factors in plain words.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from . import settings
from ._errors import InputError
from .cell_disks import disk_matrix
from .cell_hazards import cell_centres_xy, hazard_intensity
from .grid_spool import current_spool
from .quantiles import quantile_classes
from .recipe import GradingSpecModel as GradingSpec
from .recipe import WeightsSpec as Weights
from .result import GRADE_COLOURS, GRADE_NAMES, GRADE_RANK, GRADES, NO_DATA, NO_DATA_NAME
from .wording import count_text

__all__ = [
    "GRADES",
    "GRADE_COLOURS",
    "GRADE_NAMES",
    "GRADE_RANK",
    "cell_centres_xy",
    "grade_cells",
    "grades_from_scores",
    "hazard_intensity",
]

#: The six indicator scores, in the order of their dimensions.
INDICATORS = (
    "score_hazard_sources",
    "score_crowding",
    "score_residents",
    "score_urban_village",
    "score_building_density",
    "score_vulnerable_sites",
)

#: Reference densities at which an indicator reaches 10 (log scale below).
RESIDENTS_REF_PER_KM2 = 50_000.0  # dense inner Beijing / Shenzhen blocks
CROWD_REF_PER_KM2 = 300.0  # crowd-gathering places per km² in a busy commercial core
HAZARD_SATURATION = 3.0  # hazard intensity (severity x decay) at which the score reaches ~63%
COVERAGE_REF = 0.5  # footprint coverage of the densest urban fabric
VULNERABLE_REF = 3.0  # vulnerable sites in a cell's neighbourhood that make the score 10
#: Lack of coping at travel = the limit (:func:`urbanrisk.coverage.coping_score` of 1): above it, on
#: average beyond the standards, and a reason of the grade (a whole dimension, weighed as one)
COPING_AT_LIMIT = 1.0 + 9.0 * 0.75 / 1.75
#: Cells put in words at a time (:func:`factor_words`; a 32 x 32 metropolis's at once held ~300 MB)
FACTOR_CHUNK = 65_536


def _log_score(value: np.ndarray, ref: float) -> np.ndarray:
    return np.clip(10.0 * np.log1p(np.maximum(value, 0.0)) / math.log1p(ref), 0.0, 10.0)


#: Radius of a cell's neighbourhood (metres) for crowding, vulnerable sites and key districts.
NEIGHBOURHOOD_M = 100.0


def neighbourhood_rings(resolution: int) -> int:
    """How many H3 rings around a cell make its ~100 m neighbourhood (at least one).

    Examples
    --------
    >>> neighbourhood_rings(9), neighbourhood_rings(10), neighbourhood_rings(11)
    (1, 1, 3)
    """
    edge = h3.average_hexagon_edge_length(resolution, unit="m")
    return max(1, round(NEIGHBOURHOOD_M / edge))


def disk_sum(values: pd.Series, k: int | None = None) -> pd.Series:
    """Sum of a cell value over each cell's neighbourhood disk (cells missing from the grid count 0).

    ``k`` rings; None: :func:`neighbourhood_rings` of the cells' resolution. Near the study-area
    edge the disk holds only the cells inside the area.

    Examples
    --------
    >>> c = h3.latlng_to_cell(39.99, 116.31, 10)
    >>> s = pd.Series([1.0, 2.0], index=[c, h3.grid_ring(c, 1)[0]])
    >>> disk_sum(s).loc[c]
    np.float64(3.0)
    """
    if len(values) == 0:
        return values.astype(float)
    if k is None:
        k = neighbourhood_rings(h3.get_resolution(values.index[0]))
    matrix = disk_matrix(values.index, k)
    return pd.Series(matrix @ values.to_numpy(dtype=float), index=values.index, name=values.name)


def _weighted_dimension(scores: pd.DataFrame, parts: dict[str, float]) -> pd.Series:
    """Weighted mean of the measured indicators of one dimension; NaN (unknown) unless the measured
    ones carry more than :data:`urbanrisk.settings.min_dimension_weight` of its weight."""
    values = scores[list(parts)]
    weights = pd.DataFrame({key: np.where(values[key].notna(), w, 0.0) for key, w in parts.items()})
    weights.index = values.index
    carried = weights.sum(axis=1)
    total = (values.fillna(0.0) * weights).sum(axis=1)
    mean = total / carried.where(carried > 0)
    return mean.where(carried > settings.min_dimension_weight * sum(parts.values()) + 1e-12)


def dimension_scores(
    grid: gpd.GeoDataFrame,
    *,
    intensity: pd.Series,
    uv_score: pd.Series,
    coping: pd.Series | None = None,
    weights: Weights | None = None,
    known: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The six indicator scores (0-10), the three dimensions and the risk of each cell.

    Missing is not zero: an indicator a cell could not measure (``known[known_<name>]`` False) is NaN;
    a dimension is the weighted mean of its measured indicators, unknown unless they carry more than
    :data:`urbanrisk.settings.min_dimension_weight` of its weight; lack of coping is unknown where no
    coverage standard could be evaluated. Risk is the geometric mean of the known dimensions, and
    unknown (no grade: "no data") where hazard & exposure is unknown or no dimension is known.
    """
    weights = weights or Weights()
    area_km2 = grid["cell_area_m2"] / 1e6
    disk_area = disk_sum(area_km2)
    scores = pd.DataFrame(index=grid.index)
    scores["score_hazard_sources"] = 10.0 * (1.0 - np.exp(-intensity / HAZARD_SATURATION))
    scores["score_crowding"] = _log_score(disk_sum(grid["crowd_places"]) / disk_area, CROWD_REF_PER_KM2)
    scores["score_residents"] = _log_score(grid["residents"] / area_km2, RESIDENTS_REF_PER_KM2)
    scores["score_urban_village"] = 10.0 * uv_score.reindex(grid.index).fillna(0.0).clip(0, 1)
    scores["score_building_density"] = np.clip(10.0 * grid["coverage_ratio"] / COVERAGE_REF, 0, 10)
    scores["score_vulnerable_sites"] = np.clip(
        10.0 * disk_sum(grid["vulnerable_sites"]) / VULNERABLE_REF, 0, 10
    )
    if known is not None:
        for key in INDICATORS:
            scores[key] = scores[key].where(known[f"known_{key[6:]}"].reindex(grid.index).fillna(False))
    scores["hazard_exposure"] = _weighted_dimension(
        scores,
        {
            "score_hazard_sources": weights.hazard_sources,
            "score_crowding": weights.crowding,
            "score_residents": weights.residents,
        },
    )
    scores["vulnerability"] = _weighted_dimension(
        scores,
        {
            "score_urban_village": weights.urban_village,
            "score_building_density": weights.building_density,
            "score_vulnerable_sites": weights.vulnerable_sites,
        },
    )
    scores["lack_of_coping"] = np.nan if coping is None else coping.reindex(grid.index)
    dims = scores[["hazard_exposure", "vulnerability", "lack_of_coping"]]
    count = dims.notna().sum(axis=1)
    log_mean = np.log(dims.clip(lower=1e-12)).sum(axis=1) / count.where(count > 0)
    risk = np.exp(log_mean).where(dims.min(axis=1) > 0, 0.0)  # a measured 0 makes the risk 0
    scores["risk"] = risk.where(scores["hazard_exposure"].notna() & (count > 0))
    scores["dimensions_known"] = count.astype(int)
    return scores


def _kmeans_pp(v: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ starting centres drawn among the values (sorted)."""
    centres = [v[rng.integers(len(v))]]
    d2 = (v - centres[0]) ** 2
    for _ in range(k - 1):  # the next centre with probability ~ squared distance to the nearest one
        weight = np.cumsum(d2)
        centres.append(v[min(np.searchsorted(weight, rng.random() * weight[-1], side="right"), len(v) - 1)])
        d2 = np.minimum(d2, (v - centres[-1]) ** 2)
    return np.sort(np.array(centres))


def _lloyd_1d(
    v: np.ndarray, csum: np.ndarray, csq: np.ndarray, centres: np.ndarray
) -> tuple[np.ndarray, float]:
    """Lloyd's iterations on sorted values (each class the interval between centre midpoints, its
    mean from prefix sums): the classes' end positions and the within-class sum of squares."""
    for _ in range(300):
        ends = np.append(np.searchsorted(v, (centres[:-1] + centres[1:]) / 2, side="right"), len(v))
        begins = np.insert(ends[:-1], 0, 0)
        counts = ends - begins
        sums = csum[ends] - csum[begins]
        new = np.sort(np.where(counts > 0, sums / np.maximum(counts, 1), centres))
        if np.array_equal(new, centres):
            break
        centres = new
    within = csq[ends] - csq[begins] - np.where(counts > 0, sums**2 / np.maximum(counts, 1), 0.0)
    return ends, float(within.sum())


def natural_breaks_classes(values: np.ndarray, k: int, starts: int = 10) -> np.ndarray:
    """Each value's class (0 = lowest) by Jenks natural breaks: 1-D k-means, the best of ``starts``
    k-means++ starts, each class running up to its largest value, as ``mapclassify.NaturalBreaks``
    computes them, but seeded (mapclassify draws from numpy's global random state, so two runs of the
    same grid could class a cell differently) and in O(n log n) (prefix sums over sorted values).

    Examples
    --------
    >>> natural_breaks_classes(np.array([1.0, 1.1, 5.0, 5.2, 9.0, 9.1]), 3).tolist()
    [0, 0, 1, 1, 2, 2]
    """
    values = np.asarray(values, dtype=float)
    v = np.sort(values)
    csum = np.concatenate([[0.0], np.cumsum(v)])
    csq = np.concatenate([[0.0], np.cumsum(v * v)])
    rng = np.random.default_rng(0)
    best, best_within = np.array([len(v)]), np.inf
    for _ in range(starts):
        ends, within = _lloyd_1d(v, csum, csq, _kmeans_pp(v, k, rng))
        if within < best_within:
            best, best_within = ends, within
    cuts = v[best[np.diff(np.insert(best, 0, 0)) > 0] - 1]  # the largest value of each non-empty class
    return np.searchsorted(cuts, values, side="left") + (k - len(cuts))


def grades_from_scores(risk: pd.Series, spec: GradingSpec | None = None) -> pd.Series:
    """Grade each risk score I-IV by fixed thresholds or by classes of the data (as mapclassify's).

    A cell whose risk is unknown (NaN) gets no grade: ``"no data"``.

    Examples
    --------
    >>> grades_from_scores(pd.Series([7.0, 5.0, 3.5, 1.0, float("nan")])).tolist()
    ['I', 'II', 'III', 'IV', 'no data']
    """
    spec = spec or GradingSpec()
    measured = risk.notna().to_numpy()
    values = risk.fillna(0.0).to_numpy(dtype=float)
    if spec.method == "thresholds":
        t1, t2, t3 = spec.thresholds
        if not t1 >= t2 >= t3:
            msg = f"grading.thresholds must decrease (I >= II >= III), got {list(spec.thresholds)}"
            raise InputError(msg)
        level = np.where(values >= t1, 0, np.where(values >= t2, 1, np.where(values >= t3, 2, 3)))
    elif spec.method in ("quantiles", "natural_breaks"):
        distinct = np.unique(values[measured]).size
        level = np.full(len(values), 3)
        if distinct >= 2:
            k = min(4, distinct)
            if spec.method == "quantiles":
                classes = quantile_classes(values[measured], k)[0]  # mapclassify's Quantiles
            else:
                classes = natural_breaks_classes(values[measured], k)
            level[measured] = np.clip((k - 1) - classes + (4 - k), 0, 3)  # highest class -> I
    else:
        msg = f"unknown grading method {spec.method!r}: use thresholds, quantiles or natural_breaks"
        raise InputError(msg)
    grades = np.asarray(GRADES, dtype=object)[level]
    grades[~measured] = NO_DATA
    return pd.Series(grades, index=risk.index, name="grade", dtype="str")


def factor_inputs(grid: gpd.GeoDataFrame, scores: pd.DataFrame, weights: Weights) -> pd.DataFrame:
    """Per cell, what its factors are written from: the six weighted indicators (``w_0``..``w_5``), lack
    of coping where it is beyond the standards (``w_6``, the whole dimension: it weighs in the risk as
    much as the other two), the values they are told by, and whether the cell is graded (vectorised)."""
    w = np.array(
        [
            weights.hazard_sources,
            weights.crowding,
            weights.residents,
            weights.urban_village,
            weights.building_density,
            weights.vulnerable_sites,
        ]
    )
    weighted = np.nan_to_num(scores[list(INDICATORS)].to_numpy() * w, nan=0.0)  # no data: not a reason
    coping = scores["lack_of_coping"].to_numpy(dtype=float)
    beyond = np.where(coping > COPING_AT_LIMIT + 1e-9, coping, 0.0)  # NaN (unknown) > x is False
    weighted = np.column_stack([weighted, beyond])
    residents = grid["residents"].to_numpy()
    frame = pd.DataFrame(
        {
            "top_hazard": grid["top_hazard"].to_numpy(),
            "crowd": disk_sum(grid["crowd_places"]).to_numpy(),
            "residents": residents,
            "density": residents / grid["cell_area_m2"].to_numpy() * 1e6,
            "uv": scores["score_urban_village"].to_numpy(),
            "coverage": grid["coverage_ratio"].to_numpy(),
            "vulnerable": disk_sum(grid["vulnerable_sites"]).to_numpy(),
            "coping": coping,
            "graded": scores["risk"].notna().to_numpy(),
        },
        index=scores.index,
    )
    return frame.join(pd.DataFrame(weighted, index=scores.index, columns=[f"w_{k}" for k in range(7)]))


def _factor_texts(frame: pd.DataFrame, k: int, rows: np.ndarray, hazard_names: dict[str, str]) -> list[str]:
    """Indicator ``k``'s reason in words, for the cells at ``rows`` of :func:`factor_inputs`."""
    if k == 0:
        named = {h: f"hazard source nearby: {hazard_names.get(h, h)}" for h in frame["top_hazard"].unique()}
        return [named[h] for h in frame["top_hazard"].to_numpy()[rows]]
    if k == 2:
        pairs = zip(frame["residents"].to_numpy()[rows], frame["density"].to_numpy()[rows], strict=True)
        return [f"{count_text(r, 'residents')} ({d:,.0f}/km²)" for r, d in pairs]
    column, form = {
        1: ("crowd", "{:.0f} crowd-gathering places within ~100 m"),
        3: ("uv", "urban-village form (score {:.2f})"),
        4: ("coverage", "building coverage {:.0%}"),
        5: ("vulnerable", "{:.0f} vulnerable sites (schools, hospitals...) within ~100 m"),
        6: ("coping", "emergency response beyond the coverage standards (lack of coping {:.1f}/10)"),
    }[k]
    values = frame[column].to_numpy()[rows]
    return [form.format(v / 10 if k == 3 else v) for v in values]


def factor_words(frame: pd.DataFrame, hazard_names: dict[str, str]) -> list[str]:
    """The three largest weighted indicators of each cell of :func:`factor_inputs` (lack of coping
    beyond the standards among them), in words.

    An unmeasured indicator is never a reason; a cell without a grade says "no data". Only the
    reasons told are written (each indicator's for the cells it is a reason of), then joined at once,
    :data:`FACTOR_CHUNK` cells at a time (a cell's words depend on its own row alone).
    """
    if len(frame) > FACTOR_CHUNK:
        chunks = (frame.iloc[s : s + FACTOR_CHUNK] for s in range(0, len(frame), FACTOR_CHUNK))
        return [words for chunk in chunks for words in factor_words(chunk, hazard_names)]
    weighted = frame[[f"w_{k}" for k in range(7)]].to_numpy()
    n = len(frame)
    order = np.argsort(-weighted, axis=1, kind="stable")[:, :3]
    told = np.take_along_axis(weighted, order, axis=1) > 0
    parts = np.full((n, 3), "", dtype=object)
    for k in range(7):
        where = (order == k) & told
        rows = np.nonzero(where.any(axis=1))[0]
        if len(rows):
            parts[rows, np.argmax(where[rows], axis=1)] = _factor_texts(frame, k, rows, hazard_names)
    text = np.full(n, "", dtype=object)
    count = np.zeros(n, dtype=np.int64)
    for j in range(3):
        c = told[:, j]
        sep = np.where(count[c] > 0, "; ", "").astype(object)
        text[c] = text[c] + sep + parts[c, j]
        count[c] += 1
    text[count == 0] = "nothing notable"
    graded = frame["graded"].to_numpy(dtype=bool)
    text[~graded] = "no data: too little measured here to grade (" + text[~graded] + ")"
    return text.tolist()


def grade_cells(
    grid: gpd.GeoDataFrame,
    hazards: gpd.GeoDataFrame | None,
    uv_score: pd.Series,
    *,
    utm_crs: str,
    spec: GradingSpec | None = None,
    coping: pd.Series | None = None,
    known: pd.DataFrame | None = None,
    intensity_of: Callable[..., tuple[pd.Series, pd.Series]] | None = None,
    factors_of: Callable[[pd.DataFrame, dict[str, str]], list[str] | dict[str, str]] | None = None,
) -> gpd.GeoDataFrame:
    """The grid with its dimensions, risk, grade, colour and top three factors added.

    ``known``: per cell, ``known_<indicator>`` flags (:func:`urbanrisk.completeness.measured_indicators`);
    None: every indicator measured. Unmeasured indicators are unknown, never 0 (see
    :func:`dimension_scores`). ``intensity_of`` and ``factors_of`` replace :func:`hazard_intensity`
    and :func:`factor_words` (their per-partition twins); the grades are classed after, over the
    whole risk column (one pass, whatever computed it). When ``factors_of``'s tasks wrote the factors
    to the run's spool (a mapping H3 parent -> file), the grid has no ``factors`` column: the spool
    puts it back in the run folder's parts and ``result.grid`` (:mod:`urbanrisk.grid_spool`).
    """
    spec = spec or GradingSpec()
    intensity, top = (intensity_of or hazard_intensity)(grid, hazards, utm_crs=utm_crs)
    out = grid.copy(deep=False)  # columns are added or replaced, never written in place
    out["hazard_intensity"] = intensity
    out["top_hazard"] = top
    scores = dimension_scores(
        out, intensity=intensity, uv_score=uv_score, coping=coping, weights=spec.weights, known=known
    )
    for column in scores.columns:
        out[column] = scores[column]
    out["grade"] = grades_from_scores(out["risk"], spec)
    out["grade_name"] = out["grade"].map({**GRADE_NAMES, NO_DATA: NO_DATA_NAME})
    names = {}
    if hazards is not None and len(hazards):
        names = {
            ident: f"{label} {name or ident} (severity {sev})".replace("  ", " ")
            for ident, label, name, sev in zip(
                *(hazards[c].tolist() for c in ("id", "label", "name", "severity")), strict=True
            )
        }
    words = (factors_of or factor_words)(factor_inputs(out, scores, spec.weights), names)
    if isinstance(words, dict):  # the partitions' tasks wrote them to the run's spool (screens_dask)
        spool = current_spool()
        assert spool is not None, "factors spooled outside a run's spool"
        spool.add_screen_column("factors", [c for c in out.columns if c != out.geometry.name], words)
    else:
        out["factors"] = pd.Series(words, index=scores.index, name="factors", dtype="str")
    geometry = out.pop("geometry")
    out["geometry"] = geometry
    return gpd.GeoDataFrame(out, geometry="geometry", crs=grid.crs, copy=False)  # not a copy of every column
