"""Nightly rescans: run a recipe unattended, reuse what did not change, say what did.

A rescan holds the recipe's run lock for its whole duration, then:

- when every input file and setting is unchanged since the latest complete run (same ``run_key``),
  it records a new run made of hard links to the previous outputs — no computation at all;
- otherwise it reruns with the content-keyed cache (an unchanged OSM extract is not parsed again, an
  unchanged grid partition is not recomputed), compares the new run with the previous one and
  writes ``changes.parquet`` and ``alerts.json`` into the new run folder before it is renamed into
  place. ``latest`` moves only when the run is complete.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .cache import Cache
from .changes import Changes, compare_runs, write_changes
from .parallel import resolve_scheduler
from .pipeline import compute_run
from .recipe import Recipe, load_recipe
from .store import (
    PARTIAL_PREFIX,
    _utc_stamp,
    complete_runs,
    point_latest,
    publish_run,
    run_key,
    run_lock,
    write_run,
)

REUSE_SKIP = {"manifest.json", "changes.parquet", "alerts.json"}


@dataclass
class RescanResult:
    """What a rescan did."""

    run_dir: Path
    previous: Path | None
    changes: Changes
    reused: bool
    timings: dict[str, float] = field(default_factory=dict)


def latest_run(out_dir: Path) -> Path | None:
    """The newest complete run of an output folder (what ``latest`` points to), or None."""
    link = Path(out_dir) / "latest"
    if link.is_symlink() or link.is_dir():
        target = link.resolve()
        if (target / "manifest.json").is_file():
            return target
    return None


def _empty_changes() -> Changes:
    import geopandas as gpd
    import pandas as pd

    from .changes import COLUMNS

    return Changes(gpd.GeoDataFrame(pd.DataFrame(columns=COLUMNS), geometry="geometry", crs=4326), [])


def reuse_run(previous: Path, out_dir: Path, *, keep: int, alert_grade: str) -> Path:
    """A new complete run made of hard links to ``previous`` (inputs and settings unchanged)."""
    started = time.perf_counter()
    runs = out_dir / "runs"
    stamp = _utc_stamp()
    tmp = runs / f"{PARTIAL_PREFIX}{stamp}-{os.getpid()}"
    tmp.mkdir()
    for item in previous.iterdir():
        if item.name not in REUSE_SKIP:
            os.link(item, tmp / item.name)
    manifest = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
    manifest_extra = write_changes(_empty_changes(), tmp, previous=previous.name, alert_grade=alert_grade)
    manifest.update(manifest_extra)
    manifest.update(
        urbanrisk_run=stamp,
        created_utc=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        reused_from=previous.name,
        timings_s={"reuse": round(time.perf_counter() - started, 3)},
    )
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    final = runs / stamp
    os.rename(tmp, final)
    point_latest(out_dir, final)
    for old in complete_runs(out_dir)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final


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
        recipe = load_recipe(recipe)
    out_dir = (Path(out) if out is not None else Path(recipe.outputs.dir)).resolve()
    alert_grade = alert_grade or recipe.outputs.alert_grade
    scheduler = resolve_scheduler(scheduler or recipe.compute.scheduler)
    with run_lock(out_dir):
        (out_dir / "runs").mkdir(parents=True, exist_ok=True)
        for debris in (out_dir / "runs").glob(f"{PARTIAL_PREFIX}*"):
            shutil.rmtree(debris, ignore_errors=True)
        previous = latest_run(out_dir)
        key = run_key(recipe)
        if previous is not None:
            manifest = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
            if manifest.get("run_key") == key:
                start = time.perf_counter()
                run_dir = reuse_run(previous, out_dir, keep=recipe.outputs.keep, alert_grade=alert_grade)
                if recipe.outputs.publish:
                    publish_run(run_dir, recipe.outputs.publish)
                return RescanResult(
                    run_dir,
                    previous,
                    _empty_changes(),
                    True,
                    {"reuse": round(time.perf_counter() - start, 3)},
                )
        cache = Cache(out_dir / "cache")
        result = compute_run(recipe, scheduler=scheduler, progress=progress, cache=cache)
        found: dict[str, Changes] = {}

        def add_changes(folder: Path) -> dict:
            found["changes"] = (
                compare_runs(previous, folder, alert_grade=alert_grade)
                if previous is not None
                else _empty_changes()
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
        if recipe.outputs.publish:
            publish_run(run_dir, recipe.outputs.publish)
        result.timings["write"] = round(time.perf_counter() - start, 3)
        cache.keep_only(cache.used)
        return RescanResult(run_dir, previous, found["changes"], False, result.timings)
