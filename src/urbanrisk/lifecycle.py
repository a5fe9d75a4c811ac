"""The run life cycle: one run at a time per recipe, folders written whole or not at all.

Layout::

    <out>/runs/<UTC timestamp>/   grid/part-*.parquet  risk.gpkg  map.html  manifest.json ...
    <out>/latest -> runs/<UTC timestamp>
    <out>/.lock                   held (flock) while a run writes

A run is written into ``runs/.partial-...`` (:func:`new_run_folder`); once complete its files and
folder are fsynced, it is renamed into place and ``latest`` is swapped atomically, then runs beyond
``keep`` are pruned. An interrupted run therefore never replaces the last good one, and its debris
is removed by the next run. The lock is an OS file lock, released by the kernel when its holder dies,
so a crashed run never leaves a stale lock behind (a run finding the lock held for a holder that
has died waits a moment for the holder's forked writer, which the kernel ends after it). ``run``
and ``rescan`` (including a rescan that reuses the previous run's files) share these steps.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import settings
from ._errors import InputError, RecipeError, RunLockedError
from .cache import content_key, sha256_of
from .grid_dataset import fsync_path
from .layers.remote import local_copy
from .recipe import Recipe
from .recipe.paths import not_writable, out_dir_problem
from .recipe.store_check import out_store_problem

PARTIAL_PREFIX = ".partial-"


_HELD: set[Any] = set()  # the run locks' files this process holds (run_lock)


def _drop_held_locks() -> None:  # pragma: no cover - runs in forked children
    """In a child forked while a run holds its lock (``processes`` workers forked from the driver): its
    copy of the lock's file closed, so that the lock goes when the run ends, not when the child does
    (an flock belongs to the open file, which a fork shares)."""
    for handle in list(_HELD):
        with contextlib.suppress(OSError):
            handle.close()
    _HELD.clear()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_drop_held_locks)

DEAD_HOLDER_WAIT_S = 5.0
"""How long a run waits for the lock of a holder that has died: the kernel ends the holder's forked
GeoPackage writer (which shares its lock) a moment after it (outputs/forked.py)."""


def _take(handle: Any, wait_s: float = 0.0) -> bool:
    """Take the lock of ``handle`` (flock, exclusive) if free, retrying for up to ``wait_s`` seconds."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _alive(holder: str) -> bool:
    """Whether the process a lock file names still runs (True when the file names none)."""
    try:
        os.kill(int(holder), 0)
    except (ValueError, OverflowError):
        return True
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


@contextlib.contextmanager
def run_lock(out_dir: Path, *, store: str | None = None) -> Iterator[None]:
    """Hold the recipe's run lock; refuse at once when another live run holds it.

    Raises
    ------
    InputError
        ``out_dir`` (``--out`` or ``outputs.dir``) is a file or a device, or lies below one; or it holds
        ``store`` (the recipe's ``compute.store``).
    """
    problem = out_dir_problem(Path(os.path.realpath(out_dir))) or out_store_problem(out_dir, store)
    if problem:  # --out too (outputs.dir: validated)
        raise InputError(problem)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise InputError(out_dir_problem(out_dir) or f"{out_dir}: cannot make the folder ({exc})") from exc
    except OSError as exc:  # a read-only or immutable parent, /proc/self/x: was a traceback
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise
        msg = (
            f"{out_dir}: cannot make the folder ({exc.strerror}): give outputs.dir a folder you can write to"
        )
        raise InputError(msg) from exc
    path = out_dir / ".lock"
    try:
        handle = open(path, "a+")  # noqa: SIM115 - held for the whole run
    except OSError as exc:  # /proc/self, /sys: said "no space left" (a virtual file system holds 0 bytes)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise InputError(not_writable(out_dir, exc.strerror)) from exc
    try:
        if not _take(handle):
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            if _alive(holder) or not _take(handle, wait_s=DEAD_HOLDER_WAIT_S):
                msg = (
                    f"another run of this recipe is already running (pid {holder}, lock {path}); "
                    "wait for it to finish"
                )
                raise RunLockedError(msg)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        _HELD.add(handle)
        yield
    finally:
        _HELD.discard(handle)
        handle.close()


def utc_stamp() -> str:
    """A run's name: the UTC time to the microsecond (sorts in time order)."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def recipe_of(run_dir: Path) -> str | None:
    """The name of the recipe a run folder belongs to (its manifest's ``recipe.name``), or None."""
    try:
        recipe = read_manifest(run_dir).get("recipe") or {}
    except (OSError, ValueError, AttributeError):
        return None
    return recipe.get("name") if isinstance(recipe, dict) else None


def complete_runs(out_dir: Path, recipe: str | None = None) -> list[Path]:
    """Complete run folders, oldest first; with ``recipe``, only that recipe's (two recipes may share
    one ``outputs.dir``: neither ever compares, lists or deletes the other's runs)."""
    runs = Path(out_dir) / "runs"
    if not runs.is_dir():
        return []
    found = sorted(p for p in runs.iterdir() if p.is_dir() and not p.name.startswith("."))
    return found if recipe is None else [p for p in found if recipe_of(p) == recipe]


def latest_run(out_dir: Path, recipe: str | None = None) -> Path | None:
    """The newest complete run of an output folder (what ``latest`` points to), or None; with ``recipe``,
    that recipe's newest run (``latest`` may point to another recipe's run in a shared folder)."""
    link = Path(out_dir) / "latest"
    try:
        target = link.resolve() if link.is_symlink() or link.is_dir() else None
    except (RuntimeError, OSError):  # a link in a loop: Python 3.11's RuntimeError was a traceback
        target = None
    found = target is not None and (target / "manifest.json").is_file()
    if found and (recipe is None or recipe_of(target) == recipe):
        return target
    if recipe is not None:
        own = complete_runs(out_dir, recipe)
        return own[-1].resolve() if own else None
    return None


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """A run folder's manifest (ValueError when unreadable: not JSON, or nested deeper than json reads)."""
    path = run_dir / "manifest.json"
    if not path.is_file():  # a link to /dev/zero or a FIFO would be read forever
        raise OSError(f"{path} is not a regular file")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except RecursionError as exc:  # [[[[...: deeper than json's stack, a traceback in rescan and history
        raise ValueError(f"{run_dir / 'manifest.json'} nests too deeply to read") from exc


def _fsync_tree(folder: Path) -> None:
    """fsync every file under ``folder`` (sub-folders such as ``grid/`` too), then each folder."""
    for child in folder.iterdir():
        if child.is_dir():
            _fsync_tree(child)
        else:
            with open(child, "rb") as handle:
                os.fsync(handle.fileno())
    fsync_path(folder)


def point_latest(out_dir: Path, run_dir: Path) -> None:
    """Point ``<out>/latest`` at ``run_dir`` atomically (a new link renamed over the old one)."""
    link = out_dir / "latest"
    tmp = out_dir / f".latest-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(run_dir.relative_to(out_dir))
    os.replace(tmp, link)
    fsync_path(out_dir)


def clear_debris(out_dir: Path) -> None:
    """Remove the unfinished folders of interrupted runs (the caller holds the lock)."""
    runs = out_dir / "runs"
    try:
        runs.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:  # a file named runs: was a traceback
        msg = f"{runs} is a file, not the folder of runs: move it away (urbanrisk keeps its runs there)"
        raise InputError(msg) from exc
    for debris in runs.glob(f"{PARTIAL_PREFIX}*"):
        shutil.rmtree(debris, ignore_errors=True)


def prune(out_dir: Path, keep: int, recipe: str | None = None) -> list[Path]:
    """Delete complete runs beyond the newest ``keep`` (never ``latest``); returns what was removed.

    With ``recipe``, only that recipe's runs count and are deleted."""
    old = complete_runs(out_dir, recipe)[:-keep]
    for folder in old:
        shutil.rmtree(folder, ignore_errors=True)
    return old


@dataclass
class RunFolder:
    """A run being written: its stamp, the partial folder, and (once committed) its final place."""

    stamp: str
    path: Path
    final: Path | None = None


@contextlib.contextmanager
def new_run_folder(out_dir: Path, *, keep: int, recipe: str | None = None) -> Iterator[RunFolder]:
    """A partial run folder to write into; committed when the block ends without an error.

    Commit: every file fsynced, the folder renamed into ``runs/``, the ``runs`` folder fsynced,
    ``latest`` swapped, runs beyond ``keep`` pruned. On an error (or a kill) ``latest`` is untouched
    and the partial folder is left for the next run to clear. The caller holds :func:`run_lock`.
    """
    out_dir = Path(out_dir).resolve()
    clear_debris(out_dir)
    runs = out_dir / "runs"
    stamp = utc_stamp()
    folder = RunFolder(stamp, runs / f"{PARTIAL_PREFIX}{stamp}-{os.getpid()}")
    folder.path.mkdir()
    yield folder  # on an error the partial folder stays as debris: the next run removes it
    _fsync_tree(folder.path)
    folder.final = runs / stamp
    os.rename(folder.path, folder.final)
    fsync_path(runs)
    point_latest(out_dir, folder.final)
    prune(out_dir, keep, recipe)


def link_run_files(previous: Path, folder: Path, *, skip: set[str]) -> None:
    """Hard-link every file of ``previous`` into ``folder`` except ``skip`` (reuse: no copy); a
    sub-folder (the ``grid/`` dataset) is made anew and its files linked. A file that cannot be linked
    (``latest`` leading to a run on another file system: EXDEV; a file system without hard links) is
    copied (was an OSError traceback)."""
    for item in previous.iterdir():
        if item.name in skip:
            continue
        if item.is_dir():
            (folder / item.name).mkdir()
            link_run_files(item, folder / item.name, skip=set())
            continue
        try:
            os.link(item, folder / item.name)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
            shutil.copy2(item, folder / item.name)


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
    import fsspec  # only when a recipe publishes

    try:
        fs, root = fsspec.core.url_to_fs(url)
        target = f"{root.rstrip('/')}/runs/{run_dir.name}"
        for item in sorted(p for p in run_dir.rglob("*") if p.is_file()):  # grid/ parts included
            name = item.relative_to(run_dir).as_posix()
            fs.makedirs(f"{target}/{name}".rsplit("/", 1)[0], exist_ok=True)
            fs.put_file(str(item), f"{target}/{name}")
        with fs.open(f"{root.rstrip('/')}/latest.txt", "w") as pointer:
            pointer.write(f"runs/{run_dir.name}\n")
    except (OSError, ValueError, ImportError) as exc:  # a traceback after a complete run
        msg = f"outputs.publish: the run is complete in {run_dir} but {url} did not receive it ({exc})"
        msg += ": fix outputs.publish"
        raise RecipeError(msg, [msg]) from exc
    protocol = url.split("://", 1)[0]
    return f"{protocol}://{target}" if "://" in url else target


def run_key(recipe: Recipe) -> str:
    """Content key of a whole run: the recipe's settings, its input files and the data tables."""
    files = {
        name: sha256_of(local_copy(spec.path))
        for name, spec in recipe.layers.items()
        if getattr(spec, "path", None)
    }
    for name, spec in recipe.layers.items():  # a census table's own unit polygons
        if getattr(getattr(spec, "units", None), "path", None):
            files[f"{name}.units"] = sha256_of(local_copy(spec.units.path))
    tables = {p.name: sha256_of(p) for p in sorted(settings.tables_dir.glob("*.csv"))}
    tables.update({k: sha256_of(v) for k, v in recipe.tables.model_dump().items() if v})
    if recipe.area.path:
        files["area"] = sha256_of(local_copy(recipe.area.path))
    settings_part = recipe.model_dump(mode="json", exclude={"source_path", "outputs"})
    return content_key("run", settings_part, files, tables)
