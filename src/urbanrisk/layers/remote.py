"""Inputs given as fsspec URLs (``s3://``, ``gcs://``, ``https://``, ``memory://``...): fetched once per
process into a local folder, keeping the file name, so that every reader (pyosmium, rasterio,
pyogrio) works on them as on local files and workers on other machines read the same data.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from .._errors import LayerError

_FETCHED: dict[str, str] = {}


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
    if path in _FETCHED:
        return _FETCHED[path]
    import fsspec

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
    _FETCHED[path] = str(target)
    return str(target)
