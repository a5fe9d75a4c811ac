"""Missing is not zero: which indicators each cell could measure, and how complete the buildings look.

Open data is incomplete: OSM buildings are sparse in many cities, rasters and extracts end somewhere.
For every cell this stage says which of the six risk indicators were measured (``known_*`` columns)
and why the others are unknown, and estimates how complete the mapped buildings are:

- **with a population raster**: the residents the mapped residential floor area gives (floor area ÷
  :data:`urbanrisk.settings.floor_area_per_person_m2`) against the raster's residents of the cell
  (cells where the raster has at least one person); the ratio, capped at 1. This is the comparison
  of OSM building stock with an independent population layer used to assess OSM completeness (e.g.
  Zhou et al. 2022, "OSM building completeness", Comm. Earth & Env.; Hecht, Kunze & Hahmann 2013).
- **without a raster**: the share of "street cells" (cells with mapped streets, i.e. built-up
  fabric) within :data:`urbanrisk.settings.completeness_radius_m` that hold at least one mapped
  building: streets in OSM are far more complete than buildings (Barrington-Leigh & Millard-Ball
  2017), so built-up cells without any building point to unmapped buildings (an urbanrisk proxy).

Where the estimate is below :data:`urbanrisk.settings.min_building_completeness`, or outside the
extent of the OSM data, building density, urban-village form and residents from floor area are
unknown; crowding and vulnerable sites are unknown outside the OSM extent; residents are unknown
outside the raster; hazard sources are unknown where the recipe has no hazard data at all.
"""

from __future__ import annotations

import math

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

from . import settings
from .grade import INDICATORS, disk_sum
from .result import Layers

#: Words for each indicator, and for the reasons one is unknown.
INDICATOR_WORDS = {
    "score_hazard_sources": "hazard sources",
    "score_crowding": "crowding",
    "score_residents": "residents",
    "score_urban_village": "urban-village form",
    "score_building_density": "building density",
    "score_vulnerable_sites": "vulnerable sites",
}
#: Mapped streets (metres) that make a cell part of the built-up fabric for the street-based estimate.
STREET_CELL_M = 50.0


def _extent_mask(grid: gpd.GeoDataFrame, boxes: list[tuple[float, float, float, float]]) -> np.ndarray:
    """True for cells that overlap any of the boxes (lon/lat): data cover at least part of them."""
    if not boxes or not len(grid):
        return np.zeros(len(grid), dtype=bool)
    extent = shapely.union_all([box(*b) for b in boxes])
    return shapely.intersects(grid.geometry.to_numpy(), extent) & ~shapely.touches(
        grid.geometry.to_numpy(), extent
    )


def osm_extent(layers: Layers) -> list[tuple[float, float, float, float]]:
    """The boxes the OSM data cover: each extract's declared bounds, else the bounds of its buildings
    (streets and large areas of a clipped extract run on beyond the clip: they do not mark its
    extent), else of its places, else of its streets."""
    boxes = [b for b in layers.osm_bounds.values() if b is not None]
    if len(boxes) < len(layers.osm_bounds):
        frames = next(([f] for f in (layers.buildings, layers.pois, layers.streets) if len(f)), [])
        if frames:
            boxes.append(tuple(shapely.total_bounds(pd.concat([f.geometry for f in frames]).to_numpy())))
    return boxes


def building_completeness(grid: gpd.GeoDataFrame, *, raster: bool) -> tuple[pd.Series, str]:
    """Per cell: estimated completeness (0-1) of the mapped buildings, NaN where there is no basis.

    Returns the estimate and the method in words.
    """
    if raster:
        floor_residents = grid["residential_floor_m2"] / settings.floor_area_per_person_m2
        people = grid["residents"]
        ratio = (floor_residents / people.where(people >= 1.0)).clip(upper=1.0)
        method = (
            "mapped residential floor area ÷ "
            f"{settings.floor_area_per_person_m2:g} m² per person against the population raster"
        )
        return ratio.rename("building_completeness"), method
    street_cell = (grid["street_length_m"] >= STREET_CELL_M).astype(float)
    with_buildings = street_cell * (grid["buildings"] > 0)
    edge = h3.average_hexagon_edge_length(h3.get_resolution(grid.index[0]), unit="m") if len(grid) else 1.0
    rings = max(1, math.ceil(settings.completeness_radius_m / (1.5 * edge)))
    streets = disk_sum(street_cell, rings)
    share = (disk_sum(with_buildings, rings) / streets.where(streets > 0)).clip(upper=1.0)
    method = (
        f"share of built-up cells (≥ {STREET_CELL_M:g} m of streets) within "
        f"{settings.completeness_radius_m:g} m that hold mapped buildings"
    )
    return share.rename("building_completeness"), method


def measured_indicators(grid: gpd.GeoDataFrame, layers: Layers, *, has_hazard_data: bool) -> pd.DataFrame:
    """Per cell: ``known_<indicator>`` for the six indicators, ``building_completeness``, ``unknown``
    (the unknown indicators and why, in words)."""
    index = grid.index
    has_raster = layers.raster is not None
    in_osm = _extent_mask(grid, osm_extent(layers))
    in_raster = _extent_mask(grid, [layers.raster.bounds]) if has_raster else np.zeros(len(index), bool)
    completeness, _ = building_completeness(grid, raster=has_raster)
    complete = (completeness >= settings.min_building_completeness).to_numpy()
    no_basis = np.isnan(completeness.to_numpy())
    if has_raster:  # no basis: the raster has nobody here, so a cell without buildings is truly empty
        buildings_known = in_osm & (complete | no_basis)
    else:  # no basis: no built-up cell nearby; mapped buildings are data, their absence is not
        buildings_known = in_osm & (complete | (no_basis & (grid["buildings"].to_numpy() > 0)))
    if has_raster:
        residents_known = in_raster
    elif layers.floor_area_per_person_m2 is not None:
        residents_known = buildings_known
    else:
        residents_known = np.zeros(len(index), dtype=bool)
    known = {
        "score_hazard_sources": np.full(len(index), has_hazard_data),
        "score_crowding": in_osm,
        "score_residents": residents_known,
        "score_urban_village": buildings_known,
        "score_building_density": buildings_known,
        "score_vulnerable_sites": in_osm,
    }
    reasons = {
        "score_hazard_sources": "no hazard registry and no OSM layer",
        "score_crowding": "outside the OSM data",
        "score_vulnerable_sites": "outside the OSM data",
        "score_residents": "outside the population raster" if has_raster else "no population data here",
    }
    out = pd.DataFrame({f"known_{key[6:]}": known[key] for key in INDICATORS}, index=index)
    out["building_completeness"] = completeness
    texts = []
    low = ~complete & ~np.isnan(completeness.to_numpy())
    for i in range(len(index)):
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
                    else f"buildings look incomplete ({completeness.iloc[i]:.0%})"
                    if low[i]
                    else "no buildings mapped and no basis to tell empty from unmapped"
                )
            else:
                why = reasons[key]
            parts.append(f"{INDICATOR_WORDS[key]}: {why}")
        texts.append("; ".join(parts))
    out["unknown"] = pd.Series(texts, index=index, dtype="str")
    return out


def completeness_summary(grid: gpd.GeoDataFrame, layers: Layers) -> dict:
    """Per run: how complete the buildings look, which indicators were unknown in how many cells, and
    a warning when the buildings look incomplete (for the manifest, report and CLI)."""
    has_raster = layers.raster is not None
    _, method = building_completeness(grid.iloc[0:0] if not len(grid) else grid, raster=has_raster)
    values = grid["building_completeness"]
    if has_raster:
        weights = grid["residents"].where(values.notna(), 0.0)
        overall = float((values.fillna(0) * weights).sum() / weights.sum()) if weights.sum() > 0 else None
    else:
        street = grid["street_length_m"] >= STREET_CELL_M
        overall = float((grid.loc[street, "buildings"] > 0).mean()) if street.any() else None
    unknown = {
        INDICATOR_WORDS[key]: int((~grid[f"known_{key[6:]}"]).sum())
        for key in INDICATORS
        if (~grid[f"known_{key[6:]}"]).any()
    }
    summary = {
        "building_completeness": None if overall is None else round(overall, 3),
        "method": method,
        "cells_unknown_by_indicator": unknown,
        "cells_no_data": int((grid["grade"] == "no data").sum()) if "grade" in grid.columns else 0,
    }
    if overall is not None and overall < settings.min_building_completeness:
        summary["warning"] = (
            f"OSM buildings look incomplete: about {overall:.0%} ({method}); building indicators "
            "and residents from buildings are unknown where they are missing, and shown so"
        )
    return summary
