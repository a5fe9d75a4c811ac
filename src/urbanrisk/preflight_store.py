"""``compute.store`` checked before a run: a URL whose file system is unknown or not installed, a
read-only one, a file where a folder must be, a folder that cannot be written. Each passed
``urbanrisk validate`` and failed only when a run with worker processes first wrote its layer store.
Light (no pandas or GDAL): ``urbanrisk validate``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .preflight_base import Problem

#: The recipe key every problem here names.
KEY = ("compute", "store")
#: fsspec protocols that read but cannot write a store.
READ_ONLY = ("http", "https", "github", "gist", "git", "zip", "tar", "data", "libarchive", "reference")
#: The fix every message ends with.
FIX = "give a folder that every worker can write (or remove compute.store: a temporary folder is used)"


def store_problems(store: str | None) -> list[Problem]:
    """The problems of a recipe's ``compute.store`` (none when it is unset).

    A URL: its scheme must be an fsspec file system that is installed and can write; whether a remote
    one is reachable is known only when the run writes there. A local folder (or ``file://``): an
    existing folder must accept a new folder (probed, then removed at once); a missing one must have
    a writable folder as its nearest existing parent, where the run creates it.

    Examples
    --------
    >>> store_problems(None), store_problems("memory://stores")
    ([], [])
    >>> store_problems("https://example.org/x")[0][1].split(";")[0]
    'https:// is read-only (fsspec cannot write there): https://example.org/x'
    """
    if store is None:
        return []
    if "://" in store and not store.lower().startswith("file://"):
        return _url_problems(store)
    path = Path(store.removeprefix("file://").removeprefix("FILE://")).expanduser()
    return _folder_problems(path)


def _url_problems(store: str) -> list[Problem]:
    """A store URL's scheme: known to fsspec, its package installed, and writable."""
    import fsspec  # light; only for a store given as a URL

    scheme = store.split("://", 1)[0].lower()
    if scheme not in fsspec.available_protocols():
        text = (
            f"unknown URL scheme '{scheme}://' in {store}: use a local folder or a URL "
            "that fsspec writes (s3://, gcs://, abfs://, ...); " + FIX
        )
        return [(KEY, text)]
    if scheme in READ_ONLY:
        return [(KEY, f"{scheme}:// is read-only (fsspec cannot write there): {store}; {FIX}")]
    try:
        fsspec.get_filesystem_class(scheme)
    except ImportError as exc:
        text = f"{store} needs a package that is not installed ({exc}): install it, or {FIX}"
        return [(KEY, text)]
    return []


def _folder_problems(path: Path) -> list[Problem]:
    """A local store folder: a folder (not a file), writable, or creatable under a writable parent."""
    try:
        existing = next(p for p in (path, *path.parents) if p.exists())
    except (OSError, StopIteration):  # a name too long, or no root: the probe below cannot run
        return [(KEY, f"{path} cannot be reached: {FIX}")]
    if not existing.is_dir():
        what = "is a file" if existing == path else f"lies under {existing}, a file"
        return [(KEY, f"{path} {what}, not a folder: {FIX}")]
    try:  # os.access says yes to root even on a read-only file system: try it
        os.rmdir(tempfile.mkdtemp(prefix=".urbanrisk-probe-", dir=existing))
    except OSError as exc:
        where = "" if existing == path else f" (it would be created in {existing})"
        reason = exc.strerror or type(exc).__name__
        return [(KEY, f"{path} cannot be written{where}: {reason}; {FIX}")]
    return []
