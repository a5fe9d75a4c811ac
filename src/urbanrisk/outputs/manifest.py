"""``manifest.json``: what produced a run (recipe, input hashes, versions) and what it holds."""

from __future__ import annotations

import contextlib
import datetime as dt
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from ..cache import sha256_of
from ..cell_disks import cell_parents
from ..grid import partition_resolution
from ..result import RunResult
from .summary import RunSummary

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


def _partitions(result: RunResult) -> dict[str, int]:
    """How the grid stage was split: the parent resolution and the number of Dask tasks."""
    resolution = partition_resolution(result.recipe.grid.resolution, result.recipe.grid.partition_resolution)
    return {"resolution": resolution, "count": len(set(cell_parents(result.grid.index, resolution)))}


def _coverage(result: RunResult, summary: RunSummary) -> dict[str, Any]:
    coverage = result.coverage
    if coverage is None:
        return {}
    return {
        "standards": summary.coverage,
        "resources": len(coverage.resources),
        "resources_outside_area": (
            int((~coverage.resources["inside_area"]).sum()) if len(coverage.resources) else 0
        ),
        "gaps": len(coverage.gaps),
        "suggested_sites": len(coverage.sites),
        "least_affordable_loss": _least_affordable(coverage.resilience),
    }


def _least_affordable(losses: Any) -> dict[str, Any]:
    """Per standard, the resource whose loss would leave the most residents outside it (N-1)."""
    if losses is None or not len(losses):
        return {}
    worst = losses[losses["rank"] == 1]
    return {
        str(row.standard): {
            "resource_id": str(row.resource_id),
            "name": str(row.name) if isinstance(row.name, str) else "",
            # None: nobody counted and its lost cells' residents unknown (unknown, not 0)
            "residents_lost": None
            if row.residents_lost != row.residents_lost
            else round(float(row.residents_lost), 1),
            # its cells whose residents are unknown: residents_lost is then a lower bound
            "cells_lost_residents_unknown": int(getattr(row, "cells_lost_residents_unknown", 0)),
        }
        for row in worst.itertuples()
    }


def kept_columns_of(recipe: Any) -> dict[str, list[str]]:
    """The manifest's ``kept_columns``: each resource registry (a points layer with ``role: resource``)
    -> its ``keep_columns`` (the office's own columns resources.parquet holds beside urbanrisk's, in the
    recipe's order; ``[]``: none kept). ``urbanrisk incident`` reads the resources' columns by it."""
    return {
        str(name): [str(c) for c in spec.keep_columns]
        for name, spec in recipe.layers.items()
        if getattr(spec, "role", None) == "resource" and hasattr(spec, "keep_columns")
    }


def input_hashes(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The manifest's ``inputs``: each input file (a layer's, or a census table's own units as
    ``<layer>.units``) with its path, SHA-256 and size."""
    return {
        name: {"path": path, "sha256": sha256_of(path), "bytes": Path(path).stat().st_size}
        for name, path in files.items()
        if "://" not in path
    }


def build_manifest(result: RunResult, summary: RunSummary, *, run: dict[str, Any]) -> dict[str, Any]:
    """The manifest of a run; ``run`` holds what the life cycle knows (stamp, scheduler, run key...)."""
    inputs = input_hashes(result.layers.files)
    return {
        "urbanrisk_run": run.get("stamp"),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "recipe": result.recipe.model_dump(mode="json"),
        "recipe_path": result.recipe.source_path,
        "run_key": run.get("run_key"),
        "inputs": inputs,
        "versions": package_versions(),
        "scheduler": run.get("scheduler"),
        "partitions": _partitions(result),
        "timings_s": result.timings,
        "population_source": summary.population_source,
        "counts": summary.counts,
        "grades": summary.grades,
        "screens": result.screens.status if result.screens is not None else {},
        "unknown_indicators": result.screens.unknown if result.screens is not None else [],
        "data_completeness": summary.completeness,
        "warnings": summary.warnings,
        "grading": result.recipe.grading.model_dump(mode="json"),
        "coverage": _coverage(result, summary),
        "kept_columns": kept_columns_of(result.recipe),
        "layer_stats": result.layers.stats,
        "notes": summary.notes,
        "census_check": summary.census,
        **{k: v for k, v in run.items() if k not in ("stamp", "run_key", "scheduler")},
    }
