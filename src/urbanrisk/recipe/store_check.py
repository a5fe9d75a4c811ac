"""What stops ``compute.store`` holding the run's layer and OSM stores, known before the run.

A bad store used to pass ``urbanrisk validate`` and fail once the layers were loaded (a late error) or
in a worker (a traceback): an empty value, an fsspec protocol nobody registered or whose package is
missing, a read-only protocol (``https://``), an existing file, a folder nobody may write, a folder
inside the run's own outputs folder. Checking creates and deletes nothing: writability is asked of the
operating system, then proven with an unnamed temporary file (``O_TMPFILE``), gone when closed.

Light on purpose: ``urbanrisk validate`` imports it (fsspec's registry only, no filesystem package).

Examples
--------
>>> store_problem("", Path("/tmp"), None)[:60]
'the store is empty: name a folder or an fsspec URL all worke'
>>> store_problem("https://example.org/store", Path("/tmp"), None)[:43]
'https://example.org/store cannot be written'
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .paths import full_path, publish_problem, unusable_path

#: fsspec protocols that read only: the run could not write its stores there
READ_ONLY_PROTOCOLS = frozenset(
    {"http", "https", "github", "git", "zip", "tar", "libarchive", "reference", "data"}
)


def store_problem(value: str, base_dir: Path, out_dir: str | None) -> str | None:
    """What stops ``compute.store`` (``value``) receiving the run's stores, or None.

    Parameters
    ----------
    value
        ``compute.store`` as written in the recipe: a folder (relative to ``base_dir``) or an fsspec URL.
    base_dir
        The recipe's folder.
    out_dir
        ``outputs.dir`` as written (None or a URL: not compared).

    Returns
    -------
    str or None
        The problem and its fix, or None when the store can be written.
    """
    if not value.strip():
        return (
            "the store is empty: name a folder or an fsspec URL all workers can write, or remove "
            "compute.store (a temporary folder is used)"
        )
    if problem := unusable_path(value):
        return problem
    protocol = value.split("://", 1)[0].lower() if "://" in value else "file"
    if protocol in READ_ONLY_PROTOCOLS:
        return (
            f"{value} cannot be written (fsspec's {protocol}:// only reads): give a folder or a URL that "
            "fsspec can write (s3://bucket/prefix, with s3fs installed)"
        )
    if protocol != "file":
        return publish_problem(value, base_dir)  # an unknown protocol, or its package missing
    folder = full_path(base_dir, value.removeprefix("file://"))
    if out_dir is not None and "://" not in out_dir and out_dir.strip() and not unusable_path(out_dir):
        runs = full_path(base_dir, out_dir)
        if folder == runs or runs in folder.parents:
            return (
                f"{folder} is inside outputs.dir ({runs}), among the runs (history, keep and publish "
                "read that folder): give compute.store a folder outside it"
            )
    return _folder_problem(folder)


def out_store_problem(out_dir: str | Path, store: str | None) -> str | None:
    """``compute.store`` (absolute, as a validated recipe holds it) inside the folder a run writes to,
    or that same folder: the check :func:`store_problem` makes of ``outputs.dir``, made of ``--out``
    (``run`` / ``rescan``), which replaces it. An output folder inside the store is fine: a run removes
    only the ``store-…`` / ``osm-…`` folders it made there.

    >>> out_store_problem("/data/runs", "/data/runs/store")[:44], out_store_problem("/data/s/out", "/data/s")
    ('compute.store /data/runs/store is inside the', None)
    """
    if store is None or "://" in store or unusable_path(store) or unusable_path(str(out_dir)):
        return None
    folder, runs = Path(os.path.realpath(store)), Path(os.path.realpath(out_dir))
    if folder != runs and runs not in folder.parents:
        return None
    return (
        f"compute.store {folder} is inside the output folder {runs} (--out), among the runs (history, keep "
        "and publish read that folder): give --out a folder apart from compute.store"
    )


def _folder_problem(folder: Path) -> str | None:
    """``folder`` (or the first of its parents that exists: the run makes the rest) is not a folder
    this process may write in."""
    probe = folder
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        probe = probe.parent
    if probe.is_symlink() and not probe.exists():
        return f"{probe} is a symbolic link in a loop (it leads back to itself): fix the link"
    if not probe.is_dir():
        return (
            f"{probe} is a file, not a folder: compute.store is the folder the layer stores are written "
            "to; give a folder's path (it is made if missing)"
        )
    if not os.access(probe, os.W_OK | os.X_OK) or not _can_write(probe):
        return f"{probe} cannot be written (read-only): give compute.store a folder you can write to"
    return None


def _can_write(folder: Path) -> bool:
    """True when a file can be made in ``folder`` (root ignores modes; a read-only mount or an immutable
    folder does not): an unnamed temporary file, never seen by anyone and gone when closed."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError as exc:
        return exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS)
