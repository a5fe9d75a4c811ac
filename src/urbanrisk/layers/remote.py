"""Inputs given as fsspec URLs (``s3://``, ``gcs://``, ``https://``, ``memory://``...): copied into a
local folder, keeping the file name, so that every reader (pyosmium, rasterio, pyogrio) works on them
as on local files and workers on other machines read the same data.

A copy is reused within a process only while the remote file's fingerprint (size and whichever of
modification time, ETag or creation time its file system reports) is unchanged: a second run in one
notebook after the remote file changed reads the new content. A file system that reports no
fingerprint is copied anew every time.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from .._errors import LayerError

_FETCHED: dict[str, tuple[tuple, str]] = {}  # URL -> (fingerprint, local copy)
_FINGERPRINT_KEYS = ("size", "mtime", "LastModified", "last_modified", "ETag", "etag", "md5", "created")


def remote_fingerprint(path: str) -> tuple | None:
    """What identifies the current content of a remote file, or None when its file system says nothing."""
    import fsspec

    try:
        filesystem, inner = fsspec.core.url_to_fs(path)
        info = filesystem.info(inner)
    except (OSError, ValueError, ImportError, NotImplementedError):
        return None
    parts = tuple((key, str(info[key])) for key in _FINGERPRINT_KEYS if info.get(key) is not None)
    return parts if len(parts) > 1 else None  # the size alone does not tell an edit apart


def is_url(path: str) -> bool:
    """True for an fsspec URL (``protocol://...``), False for a local path."""
    return "://" in str(path) and not str(path).startswith("file://")


def local_copy(path: str) -> str:
    """A local path for ``path``: itself when local, else a fresh copy of the URL's content.

    Raises
    ------
    LayerError
        When the URL cannot be read (the message names it).
    """
    path = str(path)
    if path.startswith("file://"):
        return path.removeprefix("file://")
    if not is_url(path):
        return path
    import fsspec

    fingerprint = remote_fingerprint(path)
    cached = _FETCHED.get(path)
    if (
        fingerprint is not None
        and cached is not None
        and cached[0] == fingerprint
        and Path(cached[1]).is_file()
    ):
        return cached[1]

    folder = Path(tempfile.gettempdir()) / "urbanrisk-inputs" / hashlib.sha256(path.encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (path.rstrip("/").rsplit("/", 1)[-1] or "input")
    partial = target.with_name(target.name + ".part")
    try:
        with fsspec.open(path, "rb") as source, open(partial, "wb") as sink:
            shutil.copyfileobj(source, sink)
    except (OSError, ValueError, ImportError) as exc:
        msg = f"cannot read {path} ({exc}): check the URL and the credentials of its file system"
        raise LayerError(msg) from exc
    partial.replace(target)
    if fingerprint is not None:
        _FETCHED[path] = (fingerprint, str(target))
    return str(target)
