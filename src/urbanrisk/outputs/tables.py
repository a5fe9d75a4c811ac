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
    return names


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
        if name == "coverage":
            continue  # a long table without geometry: coverage.parquet holds it
        if frame is not None and len(frame):
            inside = (
                frame[frame.intersects(result.area)] if name in ("buildings", "pois", "streets") else frame
            )
            if len(inside):
                pyogrio.write_dataframe(inside, path, layer=name, driver="GPKG", append=False)
    return path
