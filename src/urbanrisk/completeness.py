"""Missing is not zero: which indicators each cell could measure, and how complete the buildings look.

Open data is incomplete: OSM buildings are sparse in many cities, rasters and extracts end somewhere.
For every cell this stage says which of the six risk indicators were measured (``known_*`` columns)
and why the others are unknown, and estimates how complete the mapped buildings are, per block of
~0.1 km² (the cell's H3 r9 parent: the estimate does not depend on the grid's resolution):

- **with a population raster**: the residents the mapped residential floor area gives (floor area ÷
  :data:`urbanrisk.settings.floor_area_per_person_m2`) against the raster's residents of the cell
  (blocks where the raster has at least ten people); the ratio, capped at 1. This is the comparison
  of OSM building stock with an independent population layer used to assess OSM completeness (e.g.
  Zhou et al. 2022, "OSM building completeness", Comm. Earth & Env.; Hecht, Kunze & Hahmann 2013).
- **without a raster**: the mapped building footprint over the built-up blocks (with mapped streets)
  within :data:`urbanrisk.settings.completeness_radius_m`, against the :data:`REFERENCE_COVERAGE`
  that built-up urban land reaches when its buildings are mapped: streets in OSM are far more
  complete than buildings (Barrington-Leigh & Millard-Ball 2017), so built-up land with few mapped
  footprints points to unmapped buildings (an urbanrisk proxy).

Where the estimate is below :data:`urbanrisk.settings.min_building_completeness`, or outside the
extent of the OSM data, building density, urban-village form and residents from floor area are
unknown; crowding and vulnerable sites are unknown outside the OSM extent; residents are unknown where
less than half the cell lies over raster pixels with data (outside the raster, or nodata); hazard
sources are unknown where the recipe has no hazard data at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from . import settings
from .antimeridian import wrap_box
from .cell_disks import cell_latlng, cell_parents
from .cell_shapes import cell_reach_deg, in_batches
from .grade import INDICATORS, disk_sum
from .osm_footprint import footprints
from .result import Layers
from .stored_osm import data_extent
from .wording import CENSUS_NO_COUNT

#: Words for each indicator, and for the reasons one is unknown.
INDICATOR_WORDS = {
    "score_hazard_sources": "hazard sources",
    "score_crowding": "crowding",
    "score_residents": "residents",
    "score_urban_village": "urban-village form",
    "score_building_density": "building density",
    "score_vulnerable_sites": "vulnerable sites",
}
#: Completeness is estimated per block: the cell's H3 parent at this resolution (~0.1 km²).
BLOCK_RESOLUTION = 9
#: Mapped streets (metres) that make a block part of the built-up fabric (street-based estimate).
BUILT_UP_STREET_M = 100.0
#: Building coverage (footprint ÷ land) that built-up urban blocks reach when their buildings are
#: mapped: half the lowest building density Chinese planning norms set for residential blocks
#: (GB 50180-2018, ~20 %); an urbanrisk assumption for the street-based estimate.
REFERENCE_COVERAGE = 0.10
#: Raster people a block needs for the raster-based estimate (fewer: no basis).
MIN_BLOCK_PEOPLE = 10.0


def _extent_mask(
    cells: pd.Index, boxes: list[tuple[float, float, float, float] | BaseGeometry]
) -> np.ndarray:
    """True for cells that overlap any of the boxes (lon/lat) or footprints by more than an edge or a
    corner: data cover at least part of them. A cell wholly inside a box or clear of every box's and
    footprint's bounds is told from its centre (:func:`urbanrisk.cell_shapes.cell_reach_deg`); only the
    others have their polygon made (the grid holds none), a batch at a time."""
    cells = pd.Index(cells)
    if not boxes or not len(cells):
        return np.zeros(len(cells), dtype=bool)
    boxes = [_as_box(b) for b in boxes]  # a box cut's footprint is its box: told from the centres too
    whole = [wrap_box(*b) for b in boxes if not isinstance(b, BaseGeometry)]  # a box may run past 180°
    parts = whole + [b for b in boxes if isinstance(b, BaseGeometry)]
    extent = shapely.union_all(parts)
    latlng = cell_latlng(cells)
    x, y = latlng[:, 1:], latlng[:, :1]
    reach = cell_reach_deg(latlng, h3.get_resolution(cells[0]))
    rx, ry = reach[:, :1], reach[:, 1:]

    def sides(shapes: list[BaseGeometry]) -> tuple[np.ndarray, ...]:
        bounds = shapely.bounds(np.concatenate([shapely.get_parts(g) for g in shapes]))
        return tuple(bounds[:, i] for i in range(4))

    if whole:  # inside a box's rectangle: data cover it (a footprint's bounds tell nothing of inside)
        west, south, east, north = sides(whole)
        inside = ((x - rx > west) & (x + rx < east) & (y - ry > south) & (y + ry < north)).any(axis=1)
    else:
        inside = np.zeros(len(cells), dtype=bool)
    west, south, east, north = sides(parts)
    clear = ((x + rx < west) | (x - rx > east) | (y + ry < south) | (y - ry > north)).all(axis=1)
    out = inside
    near = np.flatnonzero(~inside & ~clear)
    if len(near):
        out[near] = in_batches(
            cells[near], lambda cell: shapely.intersects(cell, extent) & ~shapely.touches(cell, extent)
        )
    return out


def _as_box(
    shape: tuple[float, float, float, float] | BaseGeometry,
) -> tuple[float, float, float, float] | BaseGeometry:
    """``shape``'s bounds when it is a polygon that fills them (a box cut's footprint is its declared
    box, :func:`urbanrisk.osm_footprint.box_footprint`), else ``shape``: :func:`_extent_mask` then
    tells the cells wholly inside it from their centres, and makes polygons only along its sides (256
    tiles of the synthetic metropolis: every one of 116,645 cells' polygons, three times a run, before).

    Examples
    --------
    >>> _as_box(shapely.box(116.3, 39.9, 116.4, 40.0))
    (116.3, 39.9, 116.4, 40.0)
    >>> _as_box(shapely.Polygon([(0, 0), (1, 0), (0, 1)])).geom_type
    'Polygon'
    """
    if not isinstance(shape, BaseGeometry) or shape.geom_type != "Polygon" or shape.is_empty:
        return shape
    bounds = tuple(float(v) for v in shape.bounds)
    return bounds if shapely.equals(shape, shapely.box(*bounds)) else shape  # type: ignore[return-value]


def osm_extent(layers: Layers) -> list[tuple[float, float, float, float] | BaseGeometry]:
    """Where the OSM data are: each extract's declared bounds less what none of its content reaches
    (:func:`urbanrisk.osm_footprint.footprints`: a polygon cut declares its polygon's box), else
    :func:`~urbanrisk.stored_osm.data_extent` (the same box the study area takes); boxes as lon/lat
    tuples, footprints as shapely geometries."""
    boxes = [b for b in layers.osm_bounds.values() if b is not None]
    extent: list[tuple[float, float, float, float] | BaseGeometry] = list(footprints(boxes, layers))
    if len(boxes) < len(layers.osm_bounds):
        data = data_extent(layers)
        if data is not None:
            extent.append(data)
    return extent


#: The last grid's blocks (cells, blocks): measured_indicators, then completeness_summary.
_BLOCKS: list[tuple[pd.Index, pd.Index]] = []


#: The grid's column holding :func:`building_completeness` once a run has estimated it
#: (:func:`urbanrisk.stage_coverage.with_residents_known`): the screens read it, not estimate it again.
COMPLETENESS_COLUMN = "building_completeness"


def forget_blocks() -> None:
    """Drop the kept blocks of the last grid (its screens and summary are done)."""
    _BLOCKS.clear()


def _blocks(index: pd.Index) -> pd.Index:
    """Each cell's block: its parent at :data:`BLOCK_RESOLUTION` (itself when coarser)."""
    if not len(index):
        return index
    if _BLOCKS and (_BLOCKS[0][0] is index or _BLOCKS[0][0].equals(index)):
        return _BLOCKS[0][1].rename(index.name)
    resolution = min(h3.get_resolution(index[0]), BLOCK_RESOLUTION)
    blocks = pd.Index(cell_parents(index, resolution), name=index.name)
    _BLOCKS[:] = [(index, blocks)]  # the last grid's: measured_indicators, then the summary
    return blocks


def building_completeness(grid: gpd.GeoDataFrame, *, raster: bool) -> tuple[pd.Series, str]:
    """Per cell: estimated completeness (0-1) of the mapped buildings, NaN where there is no basis.

    Estimated per block of ~0.1 km² (the cell's H3 parent at :data:`BLOCK_RESOLUTION`), so that the
    answer does not depend on the grid's resolution (a small cell may hold a street and no building in
    a fully mapped city). Returns the estimate and the method in words. Nothing is kept between calls:
    a run estimates it once (:func:`urbanrisk.stage_coverage.with_residents_known` puts it in the
    grid's :data:`COMPLETENESS_COLUMN`) and its stages read that column.
    """
    blocks = _blocks(grid.index)
    if raster:
        floor_residents = (
            (grid["residential_floor_m2"] / settings.floor_area_per_person_m2).groupby(blocks).sum()
        )
        people = grid["residents"].groupby(blocks).sum()
        ratio = (floor_residents / people.where(people >= MIN_BLOCK_PEOPLE)).clip(upper=1.0)
        method = (
            f"mapped residential floor area ÷ {settings.floor_area_per_person_m2:g} m² per person against "
            "the population raster, per block of ~0.1 km²"
        )
        return pd.Series(
            ratio.reindex(blocks).to_numpy(), index=grid.index, name="building_completeness"
        ), method
    streets = grid["street_length_m"].groupby(blocks).sum()
    footprint = grid["footprint_m2"].groupby(blocks).sum()
    area = grid["cell_area_m2"].groupby(blocks).sum()
    built_up = (streets >= BUILT_UP_STREET_M).astype(float)
    edge = (
        h3.average_hexagon_edge_length(h3.get_resolution(built_up.index[0]), unit="m") if len(grid) else 1.0
    )
    rings = max(1, math.ceil(settings.completeness_radius_m / (1.5 * edge)))
    built_area = disk_sum(area * built_up, rings)
    coverage = disk_sum(footprint * built_up, rings) / built_area.where(built_area > 0)
    share = (coverage / REFERENCE_COVERAGE).clip(upper=1.0)
    method = (
        f"mapped building footprint over built-up blocks of ~0.1 km² (≥ {BUILT_UP_STREET_M:g} m of streets) "
        f"within {settings.completeness_radius_m:g} m, against a {REFERENCE_COVERAGE:.0%} coverage "
        "that built-up urban land reaches when mapped"
    )
    return pd.Series(share.reindex(blocks).to_numpy(), index=grid.index, name="building_completeness"), method


def grid_completeness(
    grid: gpd.GeoDataFrame, layers: Layers, *, in_osm: np.ndarray | None = None
) -> pd.Series:
    """The grid's :data:`COMPLETENESS_COLUMN` when a run estimated it already, else
    :func:`building_completeness` estimated now (a stage called alone), NaN outside the OSM data: no
    building could be mapped there, so none missing says nothing of how complete they are (it read 0,
    and the run's completeness, weighted by the raster's residents, counted those cells as unmapped:
    an extract over half the raster halved it). ``in_osm``: :func:`travel_known`, when computed already."""
    if COMPLETENESS_COLUMN in grid.columns:
        return grid[COMPLETENESS_COLUMN]
    estimate = building_completeness(grid, raster=layers.raster is not None)[0]
    if in_osm is not None:
        return estimate.where(in_osm)
    if "known_travel" in grid.columns:  # the OSM extent, flagged already
        return estimate.where(grid["known_travel"].to_numpy(dtype=bool))
    return estimate.where(travel_known(grid, layers))


def _buildings_known(
    grid: gpd.GeoDataFrame, layers: Layers, in_osm: np.ndarray
) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """Per cell: buildings known (inside the OSM data and complete enough), the completeness estimate
    (:func:`grid_completeness`) and where it is complete enough."""
    has_raster = layers.raster is not None
    completeness = grid_completeness(grid, layers)
    complete = (completeness >= settings.min_building_completeness).to_numpy()
    no_basis = np.isnan(completeness.to_numpy())
    if has_raster:  # no basis: the raster has nobody here, so a cell without buildings is truly empty
        return in_osm & (complete | no_basis), completeness, complete
    # no basis: no built-up cell nearby; mapped buildings are data, their absence is not
    return in_osm & (complete | (no_basis & (grid["buildings"].to_numpy() > 0))), completeness, complete


def residents_known(
    grid: gpd.GeoDataFrame,
    layers: Layers,
    *,
    buildings_known: np.ndarray | None = None,
    in_osm: np.ndarray | None = None,
) -> np.ndarray:
    """Per cell: True where its residents were measured (over the population raster's pixels with data,
    at least :data:`urbanrisk.settings.min_residents_known_share` of the cell; with
    population from floor area, where the buildings are known); False elsewhere, and everywhere
    without population data. A cell's ``residents`` there is what could be counted (often 0): a
    lower bound, not a count. Coverage (uncovered residents, gaps, N-1 losses) and the hazard
    screen's exposure read it before the other indicators exist (:func:`measured_indicators`). With
    a census table, its units' flags (``table_residents_known``: :mod:`urbanrisk.population_table`).
    ``in_osm``: :func:`travel_known`, when computed already."""
    if "table_residents_known" in grid.columns:
        return grid["table_residents_known"].to_numpy(dtype=bool)
    if layers.raster is not None:  # the share of the cell over pixels with data (not nodata, not outside)
        if "residents_known_share" in grid.columns:
            return grid["residents_known_share"].to_numpy() >= settings.min_residents_known_share
        return _extent_mask(grid.index, [layers.raster.bounds])
    if layers.floor_area_per_person_m2 is None:
        return np.zeros(len(grid), dtype=bool)
    if buildings_known is None:
        in_osm = _extent_mask(grid.index, osm_extent(layers)) if in_osm is None else in_osm
        buildings_known = _buildings_known(grid, layers, in_osm)[0]
    return buildings_known


def travel_known(grid: gpd.GeoDataFrame, layers: Layers) -> np.ndarray:
    """Per cell: True inside the OSM data's extent, where streets were mapped and travel to a resource
    can be measured; outside it, a cell is neither covered nor uncovered: unknown."""
    return _extent_mask(grid.index, osm_extent(layers))


def measured_indicators(grid: gpd.GeoDataFrame, layers: Layers, *, has_hazard_data: bool) -> pd.DataFrame:
    """Per cell: ``known_<indicator>`` for the six indicators, ``building_completeness``, ``unknown``
    (the unknown indicators and why, in words); ``known_residents`` is the grid's own column when it
    has one (:func:`residents_known`, computed before coverage), and the OSM extent its ``known_travel``
    (:func:`travel_known`)."""
    index = grid.index
    has_raster = layers.raster is not None
    if "known_travel" in grid.columns:  # computed before coverage (the same extent)
        in_osm = grid["known_travel"].to_numpy(dtype=bool)
    else:
        in_osm = travel_known(grid, layers)
    buildings_known, completeness, complete = _buildings_known(grid, layers, in_osm)
    if "known_residents" in grid.columns:
        people_known = grid["known_residents"].to_numpy(dtype=bool)
    else:
        people_known = residents_known(grid, layers, buildings_known=buildings_known)
    known = {
        "score_hazard_sources": np.full(len(index), has_hazard_data),
        "score_crowding": in_osm,
        "score_residents": people_known,
        "score_urban_village": buildings_known,
        "score_building_density": buildings_known,
        "score_vulnerable_sites": in_osm,
    }
    reasons = {
        "score_hazard_sources": "no hazard registry and no OSM layer",
        "score_crowding": "outside the OSM data",
        "score_vulnerable_sites": "outside the OSM data",
        "score_residents": CENSUS_NO_COUNT  # a census table: its units
        if "table_residents_known" in grid.columns
        else "outside the population raster"
        if has_raster
        else "no population data here",
    }
    in_raster = np.zeros(len(index), bool)
    if has_raster:  # read only to word why residents are unknown: masked over those cells alone
        unknown = np.flatnonzero(~np.asarray(people_known, dtype=bool))
        in_raster[unknown] = _extent_mask(grid.index[unknown], [layers.raster.bounds])
    share = grid["residents_known_share"].to_numpy() if "residents_known_share" in grid else in_raster
    measured = np.asarray(share, dtype=float) if has_raster else np.zeros(len(index))
    out = pd.DataFrame({f"known_{key[6:]}": known[key] for key in INDICATORS}, index=index)
    out["building_completeness"] = completeness
    texts = []
    share = completeness.to_numpy()
    low = ~complete & ~np.isnan(share)
    every = np.logical_and.reduce([np.asarray(known[key], dtype=bool) for key in INDICATORS])
    for i in range(len(index)):
        if every[i]:  # most cells: nothing unknown
            texts.append("")
            continue
        parts = []
        for key in INDICATORS:
            if known[key][i]:
                continue
            if key in ("score_urban_village", "score_building_density") or (
                key == "score_residents" and not has_raster and layers.floor_area_per_person_m2 is not None
            ):
                why = (
                    "outside the OSM data"
                    if not in_osm[i]
                    else f"buildings look incomplete ({share[i]:.0%})"
                    if low[i]
                    else "no buildings mapped and no basis to tell empty from unmapped"
                )
            else:
                why = (
                    f"the population raster has no data (nodata) over {1 - measured[i]:.0%} of the cell"
                    if key == "score_residents" and in_raster[i]
                    else reasons[key]
                )
            parts.append(f"{INDICATOR_WORDS[key]}: {why}")
        texts.append("; ".join(parts))
    out["unknown"] = pd.Series(texts, index=index, dtype="str")
    return out


def with_unknown_coverage(known: pd.DataFrame, unknown: Mapping[str, str]) -> pd.DataFrame:
    """``known`` with each cell's ``unknown`` also naming the coverage standards left unknown (no
    resource of their kind in the data, and none declared complete), with why.

    Examples
    --------
    >>> known = pd.DataFrame({"unknown": ["", "crowding: outside the OSM data"]})
    >>> with_unknown_coverage(known, {"fire": "fire coverage: no fire_station"})["unknown"].tolist()
    ['fire coverage: no fire_station', 'crowding: outside the OSM data; fire coverage: no fire_station']
    """
    if not unknown:
        return known
    extra = "; ".join(unknown.values())
    texts = [f"{text}; {extra}" if text else extra for text in known["unknown"].tolist()]
    return known.assign(unknown=pd.Series(texts, index=known.index, dtype="str"))


def completeness_summary(
    grid: gpd.GeoDataFrame, layers: Layers, *, unknown_coverage: Mapping[str, str] | None = None
) -> dict:
    """Per run: how complete the buildings look, which indicators (and coverage standards) were unknown
    in how many cells, and a warning when the buildings look incomplete (for the manifest, report and CLI)."""
    has_raster = layers.raster is not None
    _, method = building_completeness(grid.iloc[0:0], raster=has_raster)  # the words need no cell
    values = grid["building_completeness"]
    if not layers.osm_bounds:  # no OSM layer at all: nothing to estimate, everything it gives is unknown
        overall, method = None, "no OSM layer in the recipe: buildings, places and streets are unknown"
    elif has_raster:
        weights = grid["residents"].where(values.notna(), 0.0)
        overall = float((values.fillna(0) * weights).sum() / weights.sum()) if weights.sum() > 0 else None
    else:
        blocks = _blocks(grid.index)
        built_up = grid["street_length_m"].groupby(blocks).sum() >= BUILT_UP_STREET_M
        land = grid["cell_area_m2"].groupby(blocks).sum()[built_up].sum()
        mapped = grid["footprint_m2"].groupby(blocks).sum()[built_up].sum()
        overall = min(1.0, float(mapped / land) / REFERENCE_COVERAGE) if land > 0 else None
    unknown = {
        INDICATOR_WORDS[key]: int((~grid[f"known_{key[6:]}"]).sum())
        for key in INDICATORS
        if (~grid[f"known_{key[6:]}"]).any()
    }
    unknown.update({f"{name} coverage": len(grid) for name in unknown_coverage or {}})
    summary = {
        "building_completeness": None if overall is None else round(overall, 3),
        "method": method,
        "cells_unknown_by_indicator": unknown,
        "coverage_unknown": dict(unknown_coverage or {}),
        "cells_no_data": int((grid["grade"] == "no data").sum()) if "grade" in grid.columns else 0,
    }
    if has_raster and "residents_known_share" in grid.columns and grid["cell_area_m2"].sum() > 0:
        # the study area's share over measured pixels: nodata pixels and land outside the raster are unknown
        measured = (grid["residents_known_share"] * grid["cell_area_m2"]).sum() / grid["cell_area_m2"].sum()
        summary["residents_measured_area_share"] = round(float(measured), 4)
        unmeasured = ((1 - grid["residents_known_share"]) * grid["cell_area_m2"]).sum() / 1e6
        summary["residents_unmeasured_km2"] = round(float(unmeasured), 3)  # the same, in km² unknown
    if not layers.osm_bounds:
        summary["warning"] = (
            "no OSM layer: building density, urban-village form, crowding, vulnerable sites and travel "
            "to resources are unknown everywhere"
        )
    elif overall is not None and overall < settings.min_building_completeness:
        summary["warning"] = (
            f"OSM buildings look incomplete: about {overall:.0%} ({method}); building indicators "
            "and residents from buildings are unknown where they are missing, and shown so"
        )
    return summary
