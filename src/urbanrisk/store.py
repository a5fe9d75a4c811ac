"""Run folders: written whole or not at all, one run at a time per recipe, the newest under ``latest``.

Layout::

    <out>/runs/<UTC timestamp>/   grid.parquet  risk.gpkg  map.html  manifest.json
    <out>/latest -> runs/<UTC timestamp>
    <out>/.lock                   held (flock) while a run writes

A run is written into ``runs/.partial-...`` and renamed into place only once complete; ``latest``
is then swapped atomically. An interrupted run therefore never replaces the last good one, and its
debris is removed by the next run. The lock is an OS file lock, released by the kernel when its
holder dies, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import platform
import shutil
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import h3
import pandas as pd

from ._errors import RunLockedError
from .cache import sha256_of
from .grid import partition_resolution

if TYPE_CHECKING:
    from .pipeline import RunResult

PARTIAL_PREFIX = ".partial-"
_VERSIONED = (
    "urbanrisk",
    "geopandas",
    "shapely",
    "pandas",
    "numpy",
    "h3",
    "h3ronpy",
    "osmium",
    "rasterio",
    "pyogrio",
    "pyarrow",
    "dask",
    "distributed",
    "pydeck",
    "osmnx",
    "scipy",
)


def package_versions() -> dict[str, str]:
    """Versions of the packages a result depends on (for the manifest)."""
    versions = {"python": platform.python_version()}
    for name in _VERSIONED:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


@contextlib.contextmanager
def run_lock(out_dir: Path) -> Iterator[None]:
    """Hold the recipe's run lock; refuse at once when another live run holds it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ".lock"
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole run
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            msg = (
                f"another run of this recipe is already running (pid {holder}, lock {path}); "
                "wait for it to finish"
            )
            raise RunLockedError(msg) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def _utc_stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def complete_runs(out_dir: Path) -> list[Path]:
    """Complete run folders, oldest first."""
    runs = Path(out_dir) / "runs"
    if not runs.is_dir():
        return []
    return sorted(p for p in runs.iterdir() if p.is_dir() and not p.name.startswith("."))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def point_latest(out_dir: Path, run_dir: Path) -> None:
    """Point ``<out>/latest`` at ``run_dir`` atomically (a new link renamed over the old one)."""
    link = out_dir / "latest"
    tmp = out_dir / f".latest-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(run_dir.relative_to(out_dir))
    os.replace(tmp, link)


def write_run(
    result: RunResult,
    out_dir: Path,
    *,
    scheduler: str,
    after_file: Callable[[str], None] | None = None,
    extra: Callable[[Path], dict[str, Any]] | None = None,
    manifest_extra: dict[str, Any] | None = None,
) -> Path:
    """Write a run folder for ``result`` under ``out_dir`` and point ``latest`` at it.

    ``extra(folder)`` may write more files into the unfinished folder (a rescan's changes and
    alerts) and returns entries for the manifest; the caller holds :func:`run_lock`.

    Returns
    -------
    pathlib.Path
        The complete run folder.
    """
    from .render import write_map
    from .report import write_report

    out_dir = Path(out_dir).resolve()
    hook = after_file or (lambda name: None)
    # the caller holds run_lock(out_dir) for the whole run
    runs = out_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    for debris in runs.glob(f"{PARTIAL_PREFIX}*"):
        shutil.rmtree(debris, ignore_errors=True)
    stamp = _utc_stamp()
    tmp = runs / f"{PARTIAL_PREFIX}{stamp}-{os.getpid()}"
    tmp.mkdir()
    grid = result.grid
    grid.to_parquet(tmp / "grid.parquet", index=True)
    hook("grid.parquet")
    for name, table in screen_tables(result).items():
        if isinstance(table, gpd.GeoDataFrame):
            table.to_parquet(tmp / f"{name}.parquet", index=False)
        else:
            pd.DataFrame(table).to_parquet(tmp / f"{name}.parquet", index=False)
        hook(f"{name}.parquet")
    _write_gpkg(result, tmp / "risk.gpkg")
    hook("risk.gpkg")
    write_map(result, tmp / "map.html")
    hook("map.html")
    write_report(result, tmp / "report.html")
    hook("report.html")
    manifest = build_manifest(result, scheduler=scheduler, stamp=stamp)
    manifest.update(manifest_extra or {})
    if extra is not None:
        manifest.update(extra(tmp))
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    hook("manifest.json")
    for child in tmp.iterdir():
        with open(child, "rb") as handle:
            os.fsync(handle.fileno())
    final = runs / stamp
    os.rename(tmp, final)
    _fsync_dir(runs)
    point_latest(out_dir, final)
    for old in complete_runs(out_dir)[: -result.recipe.outputs.keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def publish_run(run_dir: Path, url: str) -> str:
    """Copy a complete run folder to an fsspec URL, then point ``<url>/latest.txt`` at it.

    Object stores have no atomic rename: the run's files are uploaded first under
    ``<url>/runs/<stamp>/`` and the one-line pointer is written last, so a reader following
    ``latest.txt`` only ever sees a complete run.

    Returns
    -------
    str
        The URL of the published run folder.
    """
    import fsspec

    fs, root = fsspec.core.url_to_fs(url)
    target = f"{root.rstrip('/')}/runs/{run_dir.name}"
    for item in sorted(run_dir.iterdir()):
        fs.put_file(str(item), f"{target}/{item.name}")
    with fs.open(f"{root.rstrip('/')}/latest.txt", "w") as pointer:
        pointer.write(f"runs/{run_dir.name}\n")
    protocol = url.split("://", 1)[0]
    return f"{protocol}://{target}" if "://" in url else target


def screen_tables(result: RunResult) -> dict[str, Any]:
    """The screens' tables by output name (empty tables included: a skipped screen still has a file)."""
    tables: dict[str, Any] = {}
    screens = result.screens
    if screens is not None:
        tables.update(
            hazard_sources=screens.hazard_sources,
            communities=screens.communities,
            key_districts=screens.key_districts,
            urban_villages=screens.urban_villages,
        )
    coverage = result.coverage
    if coverage is not None:
        tables.update(coverage=coverage.coverage, gaps=coverage.gaps, suggested_sites=coverage.sites)
    return tables


def _write_gpkg(result: RunResult, path: Path) -> None:
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


def build_manifest(result: RunResult, *, scheduler: str, stamp: str) -> dict[str, Any]:
    """What produced a run and what it holds: recipe, input hashes, versions, timings, counts."""
    grid = result.grid
    inputs = {
        name: {"path": path, "sha256": sha256_of(path), "bytes": Path(path).stat().st_size}
        for name, path in result.layers.files.items()
        if "://" not in path
    }
    return {
        "urbanrisk_run": stamp,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "recipe": result.recipe.model_dump(mode="json"),
        "recipe_path": result.recipe.source_path,
        "run_key": run_key(result.recipe),
        "inputs": inputs,
        "versions": package_versions(),
        "scheduler": scheduler,
        "partitions": _partitions(result),
        "timings_s": result.timings,
        "population_source": result.layers.population_source,
        "counts": {
            "cells": len(grid),
            "resolution": result.recipe.grid.resolution,
            "residents": round(float(grid["residents"].sum()), 3),
            "buildings": int(grid["buildings"].sum()),
            "footprint_m2": round(float(grid["footprint_m2"].sum()), 1),
            "crowd_places": int(grid["crowd_places"].sum()),
            "vulnerable_sites": int(grid["vulnerable_sites"].sum()),
            "hazards": int(grid["hazards"].sum()),
            "resources": int(grid.filter(like="resource_").sum().sum()),
            "street_length_km": round(float(grid["street_length_m"].sum()) / 1000, 3),
        },
        "grades": _grade_counts(grid),
        "screens": result.screens.status if result.screens is not None else {},
        "unknown_indicators": result.screens.unknown if result.screens is not None else [],
        "grading": result.recipe.grading.model_dump(mode="json"),
        "coverage": _coverage_summary(result),
        "layer_stats": result.layers.stats,
        "notes": result.notes,
    }


def _partitions(result: RunResult) -> dict[str, int]:
    """How the grid stage was split: the parent resolution and the number of Dask tasks."""
    resolution = partition_resolution(result.recipe.grid.resolution, result.recipe.grid.partition_resolution)
    parents = {h3.cell_to_parent(cell, resolution) for cell in result.grid.index}
    return {"resolution": resolution, "count": len(parents)}


def _coverage_summary(result: RunResult) -> dict[str, Any]:
    coverage = result.coverage
    if coverage is None:
        return {}
    table = coverage.coverage
    per_standard = {}
    for standard in coverage.standards:
        rows = table[table["standard"] == standard.name] if len(table) else table
        per_standard[standard.name] = {
            "status": coverage.status.get(standard.name, ""),
            "standard": standard.describe(),
            "source": standard.source,
            "residents_uncovered": round(float(rows["residents_uncovered"].sum()), 3) if len(rows) else None,
        }
    return {
        "standards": per_standard,
        "resources": len(coverage.resources),
        "resources_outside_area": (
            int((~coverage.resources["inside_area"]).sum()) if len(coverage.resources) else 0
        ),
        "gaps": len(coverage.gaps),
        "suggested_sites": len(coverage.sites),
    }


def _grade_counts(grid: Any) -> dict[str, dict[str, float]]:
    if "grade" not in grid.columns:
        return {}
    from .grade import GRADES

    return {
        grade: {
            "cells": int((grid["grade"] == grade).sum()),
            "residents": round(float(grid.loc[grid["grade"] == grade, "residents"].sum()), 3),
        }
        for grade in GRADES
    }


def run_key(recipe: Any) -> str:
    """Content key of a whole run: the recipe's settings, its input files and the data tables."""
    from . import settings
    from .cache import content_key
    from .layers.remote import local_copy

    files = {
        name: sha256_of(local_copy(spec.path))
        for name, spec in recipe.layers.items()
        if getattr(spec, "path", None)
    }
    tables = {p.name: sha256_of(p) for p in sorted(settings.tables_dir.glob("*.csv"))}
    tables.update({k: sha256_of(v) for k, v in recipe.tables.model_dump().items() if v})
    if recipe.area.path:
        files["area"] = sha256_of(local_copy(recipe.area.path))
    settings_part = recipe.model_dump(mode="json", exclude={"source_path", "outputs"})
    return content_key("run", settings_part, files, tables)
