"""The run's tables: GeoParquet per table, and one GeoPackage with every layer for QGIS."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import geopandas as gpd
import h3
import pandas as pd
from pyproj import CRS

from ..grid import partition_resolution
from ..grid_dataset import grid_files, grid_stream, write_grid_dataset
from ..result import RunResult, screen_tables
from .display import display_note, display_resolution, display_rows, merge_display


def write_grid(
    result: RunResult, folder: Path, *, scheduler: str = "synchronous"
) -> tuple[list[str], tuple[gpd.GeoDataFrame, str] | None]:
    """The grid as ``grid/part-<H3 parent>.parquet``, one Dask task per partition of the grid stage
    (:mod:`urbanrisk.grid_dataset`).

    Returns the parts' paths relative to ``folder``, and, for a grid too large to map cell by cell,
    the map's display cells and note, reduced by the same tasks and merged here; else None.

    On a ``tcp://`` cluster the tasks run in threads of this process: the partial run folder is
    on this machine's disk, which the cluster's workers may not share.
    """
    if scheduler.startswith("tcp://"):
        scheduler = "threads"
    grid = result.grid
    grid_settings = result.recipe.grid
    level = partition_resolution(grid_settings.resolution, grid_settings.partition_resolution)
    parent_res = None
    if len(grid) and "grade" in grid.columns:
        parent_res = display_resolution(len(grid), h3.get_resolution(grid.index[0]))
    summarise = partial(display_rows, parent_res=parent_res) if parent_res is not None else None
    names, rows = write_grid_dataset(
        grid, folder, partition_resolution=level, scheduler=scheduler, summarise=summarise
    )
    if parent_res is None:
        return names, None
    shown = merge_display(rows, grid.crs)
    note = display_note(len(grid), len(shown), h3.get_resolution(grid.index[0]), parent_res)
    return names, (shown, note)


def write_parquet_tables(
    result: RunResult, folder: Path, *, after_file: Callable[[str], None] | None = None
) -> list[str]:
    """One Parquet file per screen and coverage table (the grid: :func:`write_grid`); returns the
    file names.

    An empty table is still written, with its columns (a skipped screen has its file).
    """
    hook = after_file or (lambda name: None)
    names: list[str] = []
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


#: Files an incident answer reads besides the grid and the screens (``urbanrisk incident``).
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
    """``risk.gpkg``: the grid, every screen with geometry and the context layers inside the area.

    The grid layer is streamed from the parts of the ``grid/`` dataset beside ``path``, one part
    after the other (the grid is never read whole); without parts, from ``result.grid``.
    """
    import pyogrio

    if grid_files(path.parent):
        stream, geometry = grid_stream(path.parent)
        types = geometry.get("geometry_types") or []
        pyogrio.write_arrow(
            stream,
            path,
            layer="grid",
            driver="GPKG",
            geometry_name="geometry",
            geometry_type=types[0] if len(types) == 1 else "Unknown",
            crs=CRS.from_json_dict(geometry["crs"]).to_wkt() if geometry.get("crs") else "OGC:CRS84",
        )
    else:
        pyogrio.write_dataframe(result.grid.reset_index(), path, layer="grid", driver="GPKG")
    stored = result.layers.store
    extra = {
        **screen_tables(result),
        "buildings": result.layers.buildings if stored is None else None,
        "pois": result.layers.pois.drop(columns=["shape_wkb"], errors="ignore"),
        "resources": result.layers.resources,
        "streets": result.layers.streets.drop(columns=["node_ids"], errors="ignore")
        if stored is None
        else None,
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
    for name in ("buildings", "streets") if stored is not None else ():
        written = False  # those inside the area, one stored partition at a time
        for frame in stored.parts(name, tuple(result.area.bounds)):
            inside = frame[frame.intersects(result.area)].drop(columns=["node_ids"], errors="ignore")
            if len(inside):
                pyogrio.write_dataframe(inside, path, layer=name, driver="GPKG", append=written)
                written = True
    return path
