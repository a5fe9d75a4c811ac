"""Everything a run writes: tables, GeoPackage, map, report and manifest.

These modules depend only on the result types (:mod:`urbanrisk.result`) and a few low helpers;
every number they state comes from one run summary (:mod:`.summary`).

:func:`write_outputs` is imported when first asked for: the message catalogue (:mod:`.i18n`) is part of
this package, and ``urbanrisk validate`` reads it without loading geopandas, shapely or dask.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._gc import frozen_before

if TYPE_CHECKING:
    from ..result import RunResult

__all__ = ["write_json", "write_outputs"]


def write_json(path: Path, data: Any) -> None:
    """JSON as people read it: UTF-8, Chinese and other text as written (no \\uXXXX), indented."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


@frozen_before  # each full collection of the write would walk the run's objects again (16 tiles: 0.3 s)
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

    ``run`` holds the life cycle's facts for the manifest (stamp, scheduler, run key, cache). The
    grid's parts, the tables, the GeoPackage, the map, the report and the manifest's contents are
    Dask tasks under ``scheduler`` (:mod:`.writer`; the report and the manifest only on ``threads``
    and ``synchronous``, where nothing is pickled); then ``extra(folder)`` may write more files (a
    rescan's changes, which the report shows: with ``extra`` the report is written after it) and
    returns manifest entries; then the manifest, last. ``after_file(name)`` is called for each file
    once it is written (crash tests), in that order.
    """
    from functools import partial

    from .manifest import build_manifest
    from .summary import run_summary
    from .writer import write_files

    hook = after_file or (lambda name: None)
    summary = run_summary(result)
    report = partial(_report, result, folder / "report.html", summary)
    manifest_of = partial(build_manifest, result, summary, run=run)
    beside: dict[str, Callable[[], Any]] = {}
    if scheduler in ("synchronous", "threads"):  # tasks of this process: nothing pickled
        beside["manifest"] = manifest_of
        if extra is None:  # else after it: a rescan's changes (``extra``), which the report shows
            beside["report"] = report
    names, made = write_files(result, folder, summary=summary, scheduler=scheduler, beside=beside)
    for name in names:
        hook(name)
    extra_entries = extra(folder) if extra is not None else {}
    if "report" not in made:
        report()
    hook("report.html")
    manifest = made["manifest"] if "manifest" in made else manifest_of()
    manifest.update(extra_entries)
    write_json(folder / "manifest.json", manifest)
    hook("manifest.json")
    return manifest


def _report(result: RunResult, path: Path, summary: Any) -> str:
    """``report.html`` (:func:`.report.write_report`), fsynced."""
    from ..grid_dataset import fsync_path
    from .report import write_report

    fsync_path(write_report(result, path, summary=summary))
    return path.name
