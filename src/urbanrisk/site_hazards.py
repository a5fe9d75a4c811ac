"""The hazards that keep new resources' sites away: each hazard (registry or OSM, as the hazard screen
finds them) with a safety distance in ``safety_distances.csv`` to a target that is some standard's
resource kind (建标152-2017 art. 15(3): a fire station ≥ 300 m from where hazardous chemicals are
produced or stored), one row per hazard and target (:data:`urbanrisk.siting.KEEP_AWAY_COLUMNS`), for
:func:`urbanrisk.siting.clear_of_hazards`. Built once per run, before the coverage stage, and passed to
both of its paths (whole graph and per partition)."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import pandas as pd

from .layers.tables import hazard_kind_table
from .recipe import Recipe
from .result import Layers
from .screens.hazard_sources import hazard_sources_from_layers, safety_distance_table
from .siting import KEEP_AWAY_COLUMNS


def no_hazards() -> gpd.GeoDataFrame:
    """An empty keep-away table (no hazard keeps any site away)."""
    return gpd.GeoDataFrame({c: [] for c in KEEP_AWAY_COLUMNS[:-1]}, geometry=[], crs=4326)


def keep_away_table(
    recipe: Recipe,
    layers: Layers,
    resource_kinds: Iterable[str],
    *,
    utm_crs: str,
    found: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """The hazards of ``layers`` with a safety distance to one of ``resource_kinds`` (the standards'),
    with that distance and its source; an unnamed hazard is named by its id (``osm:node/1``).
    ``found``: the hazard sources of ``layers`` found already (``hazard_inputs``' own, in ``utm_crs``:
    :func:`urbanrisk.hazard_table.hazard_inputs`), else found here."""
    distances = safety_distance_table(recipe.tables.safety_distances)
    distances = distances[distances["target"].isin(set(resource_kinds))]
    if not len(distances) or (layers.hazards is None and layers.pois is None):
        return no_hazards()
    kinds = hazard_kind_table(recipe.tables.hazard_kinds)
    if found is None:
        found = hazard_sources_from_layers(layers.hazards, layers.pois, kinds, utm_crs=utm_crs)
    found = found[found["kind"].isin(set(distances["kind"]))]
    if not len(found):
        return no_hazards()
    names = found["name"].fillna("").astype(str).str.strip()
    rows = pd.DataFrame(
        {
            "kind": found["kind"].to_numpy(),
            "name": names.where(names != "", found["id"].astype(str)).to_numpy(),
            "geometry": found.geometry.to_numpy(),
        }
    ).merge(distances[["kind", "target", "min_distance_m", "source"]], on="kind")
    labels = kinds.reindex(rows["kind"])
    rows["label"] = labels["label_en"].fillna(rows["kind"]).to_numpy()
    rows["label_zh"] = labels["label_zh"].fillna(rows["kind"]).to_numpy()
    return gpd.GeoDataFrame(rows[KEEP_AWAY_COLUMNS], geometry="geometry", crs=4326)
