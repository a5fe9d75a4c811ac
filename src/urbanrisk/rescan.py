"""Nightly rescans: run a recipe unattended, reuse what did not change, say what did.

A rescan holds the recipe's run lock for its whole duration, then:

- when every input file and setting is unchanged since the latest complete run (same ``run_key``),
  it records a new run made of hard links to the previous outputs — no computation at all;
- otherwise it reruns with the content-keyed cache (an unchanged OSM extract is not parsed again, an
  unchanged grid partition is not recomputed), compares the new run with the previous one and
  writes ``changes.parquet`` and ``alerts.json`` into the new run folder before it is renamed into
  place. ``latest`` moves only when the run is complete.

Both ways go through the same life cycle (:mod:`urbanrisk.lifecycle`) as ``urbanrisk run``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .cache import Cache
from .changes import Changes, compare_runs, no_changes, write_changes
from .layers.tables import hazard_kind_table
from .lifecycle import (
    clear_debris,
    latest_run,
    link_run_files,
    new_run_folder,
    publish_run,
    read_manifest,
    run_key,
    run_lock,
)
from .outputs import write_json
from .outputs.i18n_alerts import localised_alerts
from .parallel import resolve_scheduler
from .pipeline import compute_run
from .preflight import load_checked
from .recipe import Recipe
from .run import write_run

#: Files of the previous run that a reuse writes anew instead of linking.
REUSE_SKIP = {"manifest.json", "changes.parquet", "alerts.json"}


@dataclass
class RescanResult:
    """What a rescan did."""

    run_dir: Path
    previous: Path | None
    changes: Changes
    reused: bool
    timings: dict[str, float] = field(default_factory=dict)


def reuse_run(
    previous: Path, out_dir: Path, *, keep: int, alert_grade: str, recipe: str | None = None
) -> Path:
    """A new complete run made of hard links to ``previous`` (inputs and settings unchanged)."""
    started = time.perf_counter()
    with new_run_folder(out_dir, keep=keep, recipe=recipe) as folder:
        link_run_files(previous, folder.path, skip=REUSE_SKIP)
        manifest = read_manifest(previous)
        manifest.update(
            write_changes(no_changes(), folder.path, previous=previous.name, alert_grade=alert_grade)
        )
        manifest.update(
            urbanrisk_run=folder.stamp,
            created_utc=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            reused_from=previous.name,
            timings_s={"reuse": round(time.perf_counter() - started, 3)},
        )
        write_json(folder.path / "manifest.json", manifest)
    assert folder.final is not None
    return folder.final


def _hazard_labels(recipe: Recipe) -> dict[str, str]:
    """English hazard-kind label -> Chinese label, from the recipe's own kind table."""
    table = hazard_kind_table(recipe.tables.hazard_kinds)
    return {
        str(en): str(zh).split("/")[0] for en, zh in zip(table["label_en"], table["label_zh"], strict=True)
    }


def rescan(
    recipe: Recipe | str | Path,
    *,
    out: str | Path | None = None,
    scheduler: str | None = None,
    alert_grade: str | None = None,
    progress: bool = False,
    after_file: Callable[[str], None] | None = None,
) -> RescanResult:
    """Rescan a recipe: rerun what changed, compare with the latest complete run, raise alerts.

    Raises
    ------
    RunLockedError
        Another run of the recipe holds the lock.
    InputError
        A bad recipe or a bad input file (named in the message); ``latest`` is untouched.
    """
    if not isinstance(recipe, Recipe):
        recipe = load_checked(recipe)
    out_dir = (Path(out) if out is not None else Path(recipe.outputs.dir)).resolve()
    alert_grade = alert_grade or recipe.outputs.alert_grade
    scheduler = resolve_scheduler(scheduler or recipe.compute.scheduler)
    with run_lock(out_dir):
        clear_debris(out_dir)
        previous = latest_run(out_dir, recipe.name)  # never another recipe's run in a shared folder
        if previous is not None and read_manifest(previous).get("run_key") == run_key(recipe):
            start = time.perf_counter()
            run_dir = reuse_run(
                previous, out_dir, keep=recipe.outputs.keep, alert_grade=alert_grade, recipe=recipe.name
            )
            if recipe.outputs.publish:
                publish_run(run_dir, recipe.outputs.publish)
            return RescanResult(
                run_dir, previous, no_changes(), True, {"reuse": round(time.perf_counter() - start, 3)}
            )
        cache = Cache(out_dir / "cache")
        result = compute_run(recipe, scheduler=scheduler, progress=progress, cache=cache)
        found: dict[str, Changes] = {}

        def add_changes(folder: Path) -> dict:
            found["changes"] = (
                compare_runs(previous, folder, alert_grade=alert_grade)
                if previous is not None
                else no_changes()
            )
            found["changes"].alerts = localised_alerts(  # in the report's language
                found["changes"].alerts, recipe.report.language, _hazard_labels(recipe)
            )
            return write_changes(
                found["changes"],
                folder,
                previous=previous.name if previous else None,
                alert_grade=alert_grade,
            )

        start = time.perf_counter()
        run_dir = write_run(
            result,
            out_dir,
            scheduler=scheduler,
            after_file=after_file,
            extra=add_changes,
            manifest_extra={"cache": {"hits": cache.hits, "misses": cache.misses}},
        )
        result.timings["write"] = round(time.perf_counter() - start, 3)
        cache.keep_only(cache.used)
        return RescanResult(run_dir, previous, found["changes"], False, result.timings)
