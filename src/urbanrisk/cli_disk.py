"""What a command says when a write failed for lack of disk space (:func:`disk_message`), and the
output folder a command writes to."""

from __future__ import annotations

import argparse
import contextlib
import errno
import shutil
from collections.abc import Iterator
from pathlib import Path


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what caused it, in turn (``__cause__``, else ``__context__``), each once."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _disk_full(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) is a write that found no space: ENOSPC / EDQUOT, or a
    library's error message about it (pyogrio / GDAL do not always keep the errno)."""
    words = ("no space left", "disk full", "not enough space", "quota exceeded")
    return any(
        (isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT))
        or any(w in str(current).lower() for w in words)
        for current in _chain(exc)
    )


def output_dir(args: argparse.Namespace) -> Path | None:
    """The output folder a command writes to: ``--out``, else its recipe's ``outputs.dir`` (None: unknown)."""
    if getattr(args, "out", None):
        return Path(args.out)
    with contextlib.suppress(Exception):
        from .recipe import load_recipe

        return Path(load_recipe(args.recipe).outputs.dir)
    return None


def _too_large(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) is a write past the largest file allowed: EFBIG (a file-size
    limit, ``ulimit -f``; a file system that caps files, FAT32's 4 GB)."""
    return any(
        (isinstance(current, OSError) and current.errno == errno.EFBIG) or "File too large" in str(current)
        for current in _chain(exc)
    )


def _size_limited() -> bool:
    """True when this process may not write files past a size (``ulimit -f``: RLIMIT_FSIZE)."""
    import resource

    return resource.getrlimit(resource.RLIMIT_FSIZE)[0] != resource.RLIM_INFINITY


def disk_message(args: argparse.Namespace, exc: BaseException) -> str | None:
    """The message for a write that failed for lack of space (checked on the output folder too), or
    past the largest file allowed (EFBIG: was an internal error with its traceback)."""
    folder = output_dir(args) if hasattr(args, "recipe") else None
    if _too_large(exc) or (_size_limited() and _is_write_error(exc, vague=True)):  # GDAL: "disk I/O error"
        where = f" in {folder}" if folder else ""
        return (
            f"urbanrisk: error: a file written{where} grew past the largest file allowed "
            f"({type(exc).__name__}: {str(exc)[-200:]}): a file-size limit (ulimit -f) or a file system "
            "that caps files (FAT32: 4 GB)? raise the limit, or write elsewhere with --out / outputs.dir "
            "(the last complete run is untouched)"
        )
    free = None
    if folder is not None:
        probe = folder if folder.exists() else folder.parent
        with contextlib.suppress(OSError):
            usage = shutil.disk_usage(probe)
            free = usage.free if usage.total else None  # /proc, /sys: 0 bytes of 0, not a full disk
    if not (_disk_full(exc) or (free is not None and free < 64e6 and _is_write_error(exc))):
        return None
    where = f" on the disk of {folder} ({(free or 0) / 1e6:,.0f} MB free)" if folder else ""
    return (
        f"urbanrisk: error: no space left{where} ({type(exc).__name__}: {str(exc)[:200]}): free some space, "
        "or write elsewhere with --out / outputs.dir (the last complete run is untouched)"
    )


def _is_write_error(exc: BaseException, *, vague: bool = False) -> bool:
    """True when ``exc`` or what caused it (a forked writer's error: its cause) is an OSError or an
    error of pyogrio / Arrow; ``vague``: an OSError only if it names no cause (no errno, or EIO)."""
    for current in _chain(exc):
        name = type(current).__module__ + "." + type(current).__name__
        if isinstance(current, OSError) and (not vague or current.errno in (None, errno.EIO)):
            return True
        if "pyogrio" in name or "arrow" in name.lower():
            return True
    return False
