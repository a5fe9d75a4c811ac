"""The OSM layers of extracts read whole, joined into one frame a layer (in the recipe's order).

One join for the run (:func:`urbanrisk.inputs.load_layers`) and for ``validate``'s sizing of an
extract's footprint (:func:`urbanrisk.preflight_footprint.footprint_job_cells`), so that validate
sizes the content the run grids.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from .osm import OsmLayers

CRS = "EPSG:4326"
#: The columns of an empty OSM layer (no extract, or none of its features)
BUILDING_COLUMNS = ["osm_ref", "use", "floor_area_m2"]
POI_COLUMNS = ["osm_ref", "kind", "roles", "group", "name"]
LANDUSE_COLUMNS = ["osm_ref", "key", "value", "name"]
STREET_COLUMNS = ["way_id", "highway", "name"]


def empty_layer(columns: list[str]) -> gpd.GeoDataFrame:
    """An empty layer in the standard CRS with these attribute columns (and a geometry)."""
    return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=CRS)


def concat_layers(frames: list[gpd.GeoDataFrame | None], columns: list[str]) -> gpd.GeoDataFrame:
    """The non-empty ``frames`` one after another (a new index), in the standard CRS; an empty layer
    of ``columns`` when none has a row."""
    kept = [f for f in frames if f is not None and len(f)]
    if not kept:
        return empty_layer(columns)
    return gpd.GeoDataFrame(pd.concat(kept, ignore_index=True), crs=CRS)


def osm_frames(osm: dict[str, OsmLayers]) -> dict[str, Any]:
    """The OSM layers of the extracts read whole, joined (in the order of ``osm``): the four layers,
    the street nodes (a node in several extracts once, its first location), and each extract's
    declared box and stats by its name."""
    return {
        "buildings": concat_layers([o.buildings for o in osm.values()], BUILDING_COLUMNS),
        "pois": concat_layers([o.pois for o in osm.values()], POI_COLUMNS),
        "landuse": concat_layers([o.landuse for o in osm.values()], LANDUSE_COLUMNS),
        "streets": concat_layers([o.streets for o in osm.values()], STREET_COLUMNS),
        "street_nodes": (
            pd.concat([o.street_nodes for o in osm.values()]).groupby(level=0).first()
            if osm
            else pd.DataFrame(columns=["lon", "lat"])
        ),
        "osm_bounds": {name: o.bounds for name, o in osm.items()},
        "stats": {name: o.stats for name, o in osm.items()},
    }
