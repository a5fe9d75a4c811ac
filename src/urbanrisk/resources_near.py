"""The resources a coverage standard routes from: OSM features with the resource role and registry
points, within the study area and a search buffer around it (resources outside the area serve it too).
An OSM feature within :data:`~urbanrisk.settings.resource_dedup_m` of a registry resource of the same
kind is the registry's site, counted once."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import settings


def _not_in_registries(osm: gpd.GeoDataFrame, registries: gpd.GeoDataFrame, utm_crs: str) -> gpd.GeoDataFrame:
    """OSM resources less those within :data:`~urbanrisk.settings.resource_dedup_m` of a registry
    resource of the same kind: the office's row stands for the site, which is counted once."""
    same = np.zeros(len(osm), bool)
    osm_xy, reg_xy = osm.to_crs(utm_crs).geometry.to_numpy(), registries.to_crs(utm_crs).geometry.to_numpy()
    for kind in set(osm["kind"]) & set(registries["kind"]):
        mine = np.flatnonzero(osm["kind"].to_numpy() == kind)
        tree = shapely.STRtree(reg_xy[registries["kind"].to_numpy() == kind])
        hits = tree.query(osm_xy[mine], predicate="dwithin", distance=settings.resource_dedup_m)[0]
        same[mine[np.unique(hits)]] = True
    return osm[~same]


def resources_near(
    pois: gpd.GeoDataFrame,
    registries: gpd.GeoDataFrame,
    area: shapely.Geometry,
    *,
    buffer_m: float,
    utm_crs: str,
) -> gpd.GeoDataFrame:
    """Resources (OSM features with the resource role and registry points) within the area + buffer."""
    frames = []
    if pois is not None and len(pois):
        osm = pois[pois["roles"].str.split("|").map(lambda r: "resource" in r)].drop_duplicates(
            ["osm_ref", "kind"]
        )
        frames.append(
            gpd.GeoDataFrame(
                {
                    "id": "osm:" + osm["osm_ref"].astype(str),
                    "kind": osm["kind"].to_numpy(),
                    "name": osm["name"].to_numpy(),
                    "capacity": np.nan,
                    "source": "OpenStreetMap",
                },
                geometry=osm.geometry.to_numpy(),
                crs=4326,
            )
        )
    if registries is not None and len(registries):
        if frames:
            frames[0] = _not_in_registries(frames[0], registries, utm_crs)
        standard = ["id", "kind", "name", "capacity", "source"]  # then the registries' keep_columns
        kept = [c for c in registries.columns if c not in (*standard, "geometry", "severity")]
        frames.append(registries[[*standard, *kept, "geometry"]])
    if not frames:
        return gpd.GeoDataFrame(
            {"id": [], "kind": [], "name": [], "capacity": [], "source": []}, geometry=[], crs=4326
        )
    table = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)
    zone = gpd.GeoSeries([area], crs=4326).to_crs(utm_crs).buffer(buffer_m).iloc[0]
    inside = table.to_crs(utm_crs).within(zone).to_numpy()
    table = table[inside].reset_index(drop=True)
    table["inside_area"] = shapely.contains_xy(area, table.geometry.x.to_numpy(), table.geometry.y.to_numpy())
    return table
