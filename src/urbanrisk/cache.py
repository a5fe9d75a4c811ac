"""A content-keyed cache for reruns: results are reused when their inputs and settings are unchanged.

Keys are SHA-256 digests of everything a result depends on (file contents, the data a partition
receives, settings, urbanrisk's version), never of timestamps. Entries are pickles written
atomically (write, then rename) into the run folder's ``cache/``; the cache is urbanrisk's own output
and is trusted as such — never point it at files from elsewhere.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any

import pandas as pd
import shapely

from ._version import __version__


def sha256_of(path: str | Path) -> str:
    """SHA-256 of a file, read in chunks; computed once per process for an unchanged file."""
    stat = os.stat(path)
    return _sha256(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _sha256(path: str, mtime_ns: int, size: int, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def content_key(*parts: Any) -> str:
    """A stable digest of JSON-able parts (plus urbanrisk's version).

    Examples
    --------
    >>> content_key("a", 1) == content_key("a", 1) != content_key("a", 2)
    True
    """
    text = json.dumps([__version__, *parts], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def frame_digest(frame: pd.DataFrame | None) -> str:
    """Digest of a (Geo)DataFrame's content: attribute values and geometry WKB, row order included."""
    if frame is None or not len(frame):
        return "empty"
    digest = hashlib.sha256()
    for column in frame.columns:
        values = frame[column]
        if column == getattr(frame, "_geometry_column_name", None):
            digest.update(b"".join(shapely.to_wkb(values.to_numpy())))
        elif values.dtype == object:  # lists (node ids), bytes, mixed values: their text, in one go
            digest.update(repr(values.tolist()).encode("utf-8"))
        else:
            digest.update(pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes())
        digest.update(column.encode("utf-8"))
    return digest.hexdigest()


class Cache:
    """A folder of pickled results keyed by content."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.hits = 0
        self.misses = 0
        self.used: set[str] = set()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pkl"

    def get(self, key: str) -> Any | None:
        """The cached value, or None."""
        path = self._path(key)
        if not path.is_file():
            self.misses += 1
            return None
        try:
            with open(path, "rb") as handle:
                value = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: Any) -> None:
        """Store a value atomically."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    def keep_only(self, keys: set[str]) -> int:
        """Delete entries not in ``keys`` (after a successful run); returns how many were removed."""
        removed = 0
        if not self.folder.is_dir():
            return 0
        for path in self.folder.glob("*/*.pkl"):
            if path.stem not in keys:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
