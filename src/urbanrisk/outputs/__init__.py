"""Everything a run writes: tables, GeoPackage, map, report and manifest.

These modules depend only on the result types (:mod:`urbanrisk.result`) and a few low helpers;
every number they state comes from one run summary (:mod:`.summary`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..result import RunResult
from .manifest import build_manifest
from .map import write_map
from .report import write_report
from .summary import run_summary
from .tables import write_gpkg, write_grid, write_parquet_tables

__all__ = ["write_json", "write_outputs"]


def write_json(path: Path, data: Any) -> None:
    """JSON as people read it: UTF-8, Chinese and other text as written (no \\uXXXX), indented."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def write_outputs(
    result: RunResult,
    folder: Path,
    *,
    run: dict[str, Any],
    after_file: Callable[[str], None] | None = None,
    extra: Callable[[Path], dict[str, Any]] | None = None,
    scheduler: str = "synchronous",
) -> dict[str, Any]:
    """Write every output of ``result`` into ``folder``; returns the manifest (written last).

    ``run`` holds the life cycle's facts for the manifest (stamp, scheduler, run key, cache);
    ``extra(folder)`` may write more files first (a rescan's changes) and returns manifest entries;
    ``after_file(name)`` is called after each file (crash tests); the grid's parts are written by
    Dask tasks under ``scheduler``.
    """
    hook = after_file or (lambda name: None)
    _, display = write_grid(result, folder, scheduler=scheduler)  # the map's cells come back too
    hook("grid")
    write_parquet_tables(result, folder, after_file=hook)
    write_gpkg(result, folder / "risk.gpkg")
    hook("risk.gpkg")
    # a rescan's changes first: the report shows them
    extra_entries = extra(folder) if extra is not None else {}
    summary = run_summary(result)
    write_map(result, folder / "map.html", summary=summary, display=display)
    hook("map.html")
    write_report(result, folder / "report.html", summary=summary)
    hook("report.html")
    manifest = build_manifest(result, summary, run=run)
    manifest.update(extra_entries)
    write_json(folder / "manifest.json", manifest)
    hook("manifest.json")
    return manifest
