"""The run's tables: GeoParquet per table, and one GeoPackage with every layer for QGIS."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..result import RunResult, screen_tables


def write_parquet_tables(
    result: RunResult, folder: Path, *, after_file: Callable[[str], None] | None = None
) -> list[str]:
    """``grid.parquet`` and one Parquet file per screen and coverage table; returns the file names.

    An empty table is still written, with its columns (a skipped screen has its file).
    """
    hook = after_file or (lambda name: None)
    result.grid.to_parquet(folder / "grid.parquet", index=True)
    hook("grid.parquet")
    names = ["grid.parquet"]
    for name, table in screen_tables(result).items():
        if isinstance(table, gpd.GeoDataFrame):
            table.to_parquet(folder / f"{name}.parquet", index=False)
        else:
            pd.DataFrame(table).to_parquet(folder / f"{name}.parquet", index=False)
        hook(f"{name}.parquet")
        names.append(f"{name}.parquet")
        if name == "responsibility":  # the office edits it in Excel: UTF-8 with BOM, no geometry
            pd.DataFrame(table).drop(columns="geometry").to_csv(
                folder / "responsibility.csv", index=False, encoding="utf-8-sig"
            )
            hook("responsibility.csv")
            names.append("responsibility.csv")
    for name, table in incident_inputs(result).items():
        table.to_parquet(folder / f"{name}.parquet", index=False)
        hook(f"{name}.parquet")
        names.append(f"{name}.parquet")
    return names


#: Files an incident answer reads besides grid.parquet and the screens (``urbanrisk incident``).
INCIDENT_FILES = ("resources", "vulnerable_sites", "network_nodes", "network_edges")


def incident_inputs(result: RunResult) -> dict[str, pd.DataFrame]:
    """What ``urbanrisk incident`` needs beyond the screens, small: the resources, the vulnerable
    sites (schools, kindergartens, hospitals, elderly homes) and the street graphs as solved."""
    coverage = result.coverage
    resources = coverage.resources if coverage is not None else None
    if resources is None or not len(resources):
        resources = gpd.GeoDataFrame(
            {"id": [], "kind": [], "name": [], "capacity": [], "source": []}, geometry=[], crs=4326
        )
    pois = result.layers.pois
    if pois is not None and len(pois):
        roles = "|" + pois["roles"].fillna("").astype(str) + "|"
        sites = pois.loc[
            roles.str.contains("|vulnerable|", regex=False).to_numpy(), ["osm_ref", "kind", "name"]
        ]
        sites = gpd.GeoDataFrame(sites, geometry=pois.geometry[sites.index], crs=4326)
    else:
        sites = gpd.GeoDataFrame({"osm_ref": [], "kind": [], "name": []}, geometry=[], crs=4326)
    empty = pd.DataFrame({"mode": pd.Series(dtype=str)})
    return {
        "resources": resources,
        "vulnerable_sites": sites.reset_index(drop=True),
        "network_nodes": coverage.network_nodes
        if coverage is not None and coverage.network_nodes is not None
        else empty,
        "network_edges": coverage.network_edges
        if coverage is not None and coverage.network_edges is not None
        else empty,
    }


def write_gpkg(result: RunResult, path: Path) -> Path:
    """``risk.gpkg``: the grid, every screen with geometry and the context layers inside the area."""
    import pyogrio

    grid = result.grid.reset_index()
    pyogrio.write_dataframe(grid, path, layer="grid", driver="GPKG")
    extra = {
        **screen_tables(result),
        "buildings": result.layers.buildings,
        "pois": result.layers.pois.drop(columns=["shape_wkb"], errors="ignore"),
        "resources": result.layers.resources,
        "streets": result.layers.streets.drop(columns=["node_ids"], errors="ignore"),
    }
    for name, frame in extra.items():
        if name in ("coverage", "resilience"):
            continue  # tables without geometry: their Parquet files hold them
        if frame is not None and len(frame):
            inside = (
                frame[frame.intersects(result.area)] if name in ("buildings", "pois", "streets") else frame
            )
            if len(inside):
                pyogrio.write_dataframe(inside, path, layer=name, driver="GPKG", append=False)
    return path
