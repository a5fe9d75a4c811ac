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
from shapely.geometry.base import BaseGeometry

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


#: China in a coarse lon/lat box (73.4-135.1° E, 18.1-53.6° N): the shipped safety distances' jurisdiction
CHINA_BOX = (73.4, 18.1, 135.1, 53.6)


def _outside_china(area: BaseGeometry) -> bool:
    """Whether the centre of ``area`` lies outside :data:`CHINA_BOX`."""
    west, south, east, north = CHINA_BOX
    centre = area.centroid
    return not (west <= centre.x <= east and south <= centre.y <= north)


def safety_distances_scope_note(recipe: Recipe, area: BaseGeometry) -> list[str]:
    """The note a run outside China gets when it uses the shipped safety distances (all Chinese standards:
    GB 50156, 建标152, GB 50161...): its breaches and the suggested sites' distances from hazards are those
    standards' screening values, not the local rules; none when the recipe gives its own table or the
    area's centre lies in :data:`CHINA_BOX`.

    >>> from pathlib import Path
    >>> from shapely.geometry import box
    >>> from urbanrisk.recipe import recipe_from_text
    >>> text = "name: b\\narea: {bbox: [-76.62, 39.28, -76.6, 39.3]}\\ngrid: {resolution: 9}\\nlayers: {}\\n"
    >>> recipe = recipe_from_text(text + "outputs: {dir: o}\\n", base_dir=Path("."))
    >>> safety_distances_scope_note(recipe, box(-76.62, 39.28, -76.6, 39.3))[0][:62]
    'safety distances: the shipped table holds Chinese standards (G'
    >>> safety_distances_scope_note(recipe, box(116.3, 39.9, 116.4, 40.0))
    []
    """
    if recipe.tables.safety_distances is not None or not _outside_china(area):
        return []
    centre = area.centroid
    return [
        f"safety distances: the shipped table holds Chinese standards (GB 50156-2021, 建标152-2017, GB "
        f"50161-2022...) and this area ({centre.x:.2f}, {centre.y:.2f}) lies outside China: its breaches "
        "and the suggested sites' distances from hazards are screening values by those standards, not "
        "local rules; give your jurisdiction's distances as a table shaped like "
        "layers/tables/safety_distances.csv (tables: {safety_distances: my_distances.csv})"
    ]


def major_hazard_scope_note(recipe: Recipe, area: BaseGeometry, hazards: pd.DataFrame | None) -> list[str]:
    """The note a run outside China gets when registry sources name substances: their major-hazard
    grades (一级-四级, R) are GB 18218-2018's, China's identification, not a local rule (in the US the
    EPA's RMP thresholds, 40 CFR 68); none with the recipe's own table or inside :data:`CHINA_BOX`.

    >>> from pathlib import Path
    >>> from shapely.geometry import box
    >>> from urbanrisk.recipe import recipe_from_text
    >>> text = "name: b\\narea: {bbox: [-76.62, 39.28, -76.6, 39.3]}\\ngrid: {resolution: 9}\\nlayers: {}\\n"
    >>> recipe = recipe_from_text(text + "outputs: {dir: o}\\n", base_dir=Path("."))
    >>> chlorine = pd.DataFrame({"substance": ["Chlorine"]})
    >>> major_hazard_scope_note(recipe, box(-76.62, 39.28, -76.6, 39.3), chlorine)[0][:69]
    "major hazard sources: graded by GB 18218-2018, China's identification"
    >>> major_hazard_scope_note(recipe, box(116.3, 39.9, 116.4, 40.0), chlorine)
    []
    """
    if recipe.tables.gb18218 is not None or not _outside_china(area):
        return []
    if hazards is None or "substance" not in hazards.columns:
        return []
    if not hazards["substance"].fillna("").astype(str).str.strip().astype(bool).any():
        return []
    centre = area.centroid
    return [
        "major hazard sources: graded by GB 18218-2018, China's identification of major hazard sources "
        f"(critical quantities, R), and this area ({centre.x:.2f}, {centre.y:.2f}) lies outside China: "
        "read their grades as a screening by that standard, not by local rules (in the US: the EPA's RMP "
        "threshold quantities, 40 CFR 68)"
    ]
