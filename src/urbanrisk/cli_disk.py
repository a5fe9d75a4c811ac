"""What a command says when a write failed for lack of disk space (:func:`disk_message`), and the
output folder a command writes to."""

from __future__ import annotations

import argparse
import contextlib
import errno
import shutil
from pathlib import Path


def _disk_full(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) is a write that found no space: ENOSPC / EDQUOT, or a
    library's error message about it (pyogrio / GDAL do not always keep the errno)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(current).lower()
        if any(w in text for w in ("no space left", "disk full", "not enough space", "quota exceeded")):
            return True
        current = current.__cause__ or current.__context__
    return False


def output_dir(args: argparse.Namespace) -> Path | None:
    """The output folder a command writes to: ``--out``, else its recipe's ``outputs.dir`` (None: unknown)."""
    if getattr(args, "out", None):
        return Path(args.out)
    with contextlib.suppress(Exception):
        from .recipe import load_recipe

        return Path(load_recipe(args.recipe).outputs.dir)
    return None


def disk_message(args: argparse.Namespace, exc: BaseException) -> str | None:
    """The message for a write that failed for lack of space (checked on the output folder too)."""
    folder = output_dir(args) if hasattr(args, "recipe") else None
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


def _is_write_error(exc: BaseException) -> bool:
    """True when ``exc`` or what caused it (a forked writer's error: its cause) is an OSError or an
    error of pyogrio / Arrow."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = type(current).__module__ + "." + type(current).__name__
        if isinstance(current, OSError) or "pyogrio" in name or "arrow" in name.lower():
            return True
        current = current.__cause__ or current.__context__
    return False
