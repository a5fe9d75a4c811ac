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

import pyarrow as pa

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
from .result import GRADES
from .run import write_run

#: Files of the previous run that a reuse writes anew instead of linking.
REUSE_SKIP = {"manifest.json", "changes.parquet", "alerts.json"}


#: What reading a damaged or doctored run folder raises: pyarrow's errors (a file cut short, not
#: Parquet), geopandas' missing geo metadata, a column missing, a folder or a device in a file's place.
UNREADABLE_RUN = (OSError, ValueError, KeyError, TypeError, pa.ArrowException)


def compared(previous: Path, folder: Path, *, alert_grade: str) -> tuple[Changes, str | None]:
    """The changes from ``previous`` to ``folder``, and None; or no changes and why ``previous`` cannot be
    read (a damaged last run made every rescan a traceback after its run, and every night the same)."""
    if alert_grade not in GRADES:  # the caller's mistake, not a damaged run
        msg = f"alert grade must be one of {', '.join(GRADES)}, got {alert_grade!r}"
        raise ValueError(msg)
    try:
        return compare_runs(previous, folder, alert_grade=alert_grade), None
    except UNREADABLE_RUN as exc:
        return no_changes(), " ".join(f"{type(exc).__name__}: {exc}".split())[:300]


def parquet_intact(folder: Path) -> bool:
    """Whether every Parquet file of a run folder (``grid/`` parts too) begins and ends with Parquet's
    magic bytes: a file cut short or overwritten was linked into each reused run, night after night.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.parquet").write_bytes(b"PAR1" + bytes(8) + b"PAR1")
    >>> before = parquet_intact(folder)
    >>> _ = (folder / "a.parquet").write_bytes(b"PAR1" + bytes(8))  # cut short
    >>> before, parquet_intact(folder)
    (True, False)
    """
    for path in folder.rglob("*.parquet"):
        if not path.is_file() or path.stat().st_size < 8:
            return False
        with open(path, "rb") as handle:
            head = handle.read(4)
            handle.seek(-4, 2)
            if head != b"PAR1" or handle.read(4) != b"PAR1":
                return False
    return True


@dataclass
class RescanResult:
    """What a rescan did."""

    run_dir: Path
    previous: Path | None
    changes: Changes
    reused: bool
    timings: dict[str, float] = field(default_factory=dict)
    #: why the previous run could not be compared (its tables unreadable), else None
    not_compared: str | None = None


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
    with run_lock(out_dir, store=recipe.compute.store):
        clear_debris(out_dir)
        previous = latest_run(out_dir, recipe.name)  # never another recipe's run in a shared folder
        if (
            previous is not None
            and read_manifest(previous).get("run_key") == run_key(recipe)
            and parquet_intact(previous)  # a table cut short is never linked into the new run
        ):
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
            found["changes"], why = (
                compared(previous, folder, alert_grade=alert_grade)
                if previous is not None
                else (no_changes(), None)
            )
            found["changes"].alerts = localised_alerts(  # in the report's language
                found["changes"].alerts, recipe.report.language, _hazard_labels(recipe)
            )
            entries = write_changes(
                found["changes"],
                folder,
                previous=previous.name if previous else None,
                alert_grade=alert_grade,
            )
            if why is not None:
                found["not_compared"] = why
                entries["rescan"]["not_compared"] = why
            return entries

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
        return RescanResult(
            run_dir, previous, found["changes"], False, result.timings, not_compared=found.get("not_compared")
        )
