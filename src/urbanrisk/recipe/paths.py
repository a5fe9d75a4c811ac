"""Paths in a recipe: made absolute against the recipe's folder, and what stops a folder receiving the
run's files (a NUL or an over-long name, a file where a folder belongs, a protocol nobody registered).

Light on purpose: ``urbanrisk validate`` imports it (fsspec's registry only, no filesystem package).

Examples
--------
>>> unusable_path("layers/roads.osm.pbf") is None, unusable_path("a" * 300)[:20]
(True, 'the path is too long')
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path


def full_path(base_dir: Path, value: str) -> Path:
    """``value`` against ``base_dir``, absolute, symbolic links followed; a link in a loop kept as written
    (Python 3.11's ``resolve`` raised RuntimeError on it: a traceback)."""
    try:
        return (base_dir / value).resolve()
    except (RuntimeError, OSError, ValueError):  # ValueError: a NUL (told by unusable_path)
        return Path(os.path.abspath(base_dir / value))


#: ``outputs.dir: ""`` (an empty value, not a missing key: that has its default).
EMPTY_DIR = "the folder is empty: name a folder for the runs, e.g. outputs/<name>"


#: what a shell expands and urbanrisk does not: ``~`` or ``~user`` first, ``$NAME`` / ``${NAME}`` anywhere
_SHELL_WORD = re.compile(r"^(~[\w.-]*)(?:/|$)|(?:^|/)(\$\{?[A-Za-z_]\w*\}?)")


def unusable_path(value: str) -> str | None:
    """What no file system takes in a path (a NUL, a name over 255 bytes: a ValueError / OSError traceback
    when resolved), or None."""
    if "\x00" in value:
        return "the path holds a NUL character (\\0): write the path as plain text"
    if shell := _SHELL_WORD.search(value):  # was a folder named '~' or '$HOME' in the recipe's folder
        word = shell.group(1) or shell.group(2)
        return (
            f"the path {value} holds {word}, which only a shell expands (urbanrisk reads it as a folder of "
            "that name, made in the recipe's folder): write the path out in full"
        )
    if len(value.encode("utf-8", "surrogatepass")) > 4095 or any(
        len(p.encode("utf-8", "surrogatepass")) > 255 for p in value.split("/")
    ):
        return "the path is too long (a name over 255 bytes, or over 4,095 in all): fix the path"
    return None


#: what GDAL drops from a path it opens as a vector file (pyogrio 0.13, GDAL 3.12: tested): a boundary
#: ``area\tx.geojson`` was read as ``areax.geojson``, another file or none, after validate said ok
LINE_BREAKS = "\t\r\n"


def input_path_problem(value: str) -> str | None:
    """What stops the run reading an input file at ``value`` as the recipe means it, or None: a NUL or a
    name too long (:func:`unusable_path`); a tab, a carriage return or a newline, which GDAL drops from
    the path (a different file read, silently) and which split every message naming the file. Other
    control characters (ESC, BEL, bidi marks) are read as written and shown as escapes.

    >>> input_path_problem("layers/pop.tif") is None, input_path_problem("a\\tb.geojson")[:31]
    (True, 'a\\\\tb.geojson holds a tab, a car')
    """
    if any(c in value for c in LINE_BREAKS):
        shown = value.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")  # one line
        return (
            f"{shown} holds a tab, a carriage return or a newline, which GDAL drops when it opens a file "
            "(another file would be read, or none): rename the file and write its path without them"
        )
    return unusable_path(value)


def publish_problem(url: str, base_dir: Path) -> str | None:
    """What stops ``outputs.publish`` receiving each complete run, known before the run (the run found it
    after writing: a traceback): an fsspec protocol nobody registered, or whose package is missing; a
    local path to a file or a device."""
    if problem := unusable_path(url):
        return problem
    protocol = url.split("://", 1)[0] if "://" in url else "file"
    if protocol != "file":
        import fsspec  # light: its registry, not the filesystem's package

        try:
            fsspec.get_filesystem_class(protocol)
        except ImportError as exc:
            return f"the {protocol}:// filesystem needs a package that is not installed ({exc}): install it"
        except ValueError:
            fix = "use an fsspec URL (s3://bucket/prefix) or a folder"
            return f"unknown protocol '{protocol}://' in {url}: {fix}"
        return None
    probe = full_path(base_dir, url.removeprefix("file://"))
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe.is_dir():
        return None
    return f"{probe} is not a folder: give a folder or an fsspec URL (s3://bucket/prefix)"


def inside_runs(folder: Path) -> str | None:
    """What stops ``folder`` (absolute, links followed) holding runs when it lies in another output
    folder's ``runs/`` (that folder's run, or ``latest``, which leads to one), or None: its runs were
    deleted with the run folder holding them when the other recipe kept its newest, and listed there as
    unreadable runs.

    >>> import tempfile
    >>> other = Path(tempfile.mkdtemp())
    >>> _ = (other / ".lock").write_text("")
    >>> inside_runs(other / "runs" / "20260101T000000Z" / "mine") is not None, inside_runs(other / "mine")
    (True, None)
    """
    runs = runs_holding(folder)
    if runs is None:
        return None
    return (
        f"{folder} lies inside {runs}, where the runs of {runs.parent} are kept (and deleted): give "
        "outputs.dir a folder of its own, outside it"
    )


def runs_holding(folder: Path) -> Path | None:
    """The ``runs/`` folder of an output folder (it holds ``.lock`` or ``latest``) that ``folder``
    (absolute, links followed) lies in, or None."""
    for runs in (folder, *folder.parents):
        if runs.name == "runs" and (
            (runs.parent / ".lock").is_file() or (runs.parent / "latest").is_symlink()
        ):
            return runs
    return None


def out_dir_problem(folder: Path) -> str | None:
    """What stops ``folder`` (or the first of its parents that exists) holding the runs, or None: a
    file, a device or a link in a loop there was a FileExistsError traceback when the run made it; a tab,
    a carriage return or a newline in its path, under which GDAL opens no GeoPackage (a traceback after
    the whole run)."""
    if any(c in str(folder) for c in "\t\r\n"):
        return (
            "the folder's path holds a tab, a carriage return or a newline, under which no GeoPackage can "
            "be written: rename the folder"
        )
    if problem := inside_runs(folder):
        return problem
    if folder == Path(folder.anchor):  # runs/, latest and .lock were made in / itself
        return (
            f"{folder} is the root of the file system: outputs.dir is the folder the runs are written to "
            "(runs/, latest and .lock are made in it); give a folder of its own, e.g. /srv/urbanrisk/<name>"
        )
    probe = folder
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        probe = probe.parent
    if probe.is_symlink() and not probe.exists():
        return f"{probe} is a symbolic link in a loop (it leads back to itself): fix the link"
    if probe.is_dir():
        return cannot_write(probe)
    return (
        f"{probe} is a file, not a folder: outputs.dir is the folder the runs are written to; give a "
        "folder's path (it is made if missing)"
    )


def cannot_write(folder: Path) -> str | None:
    """What stops a file being made in ``folder`` (an existing folder), or None: ``outputs.dir: /proc/self``
    passed ``validate`` and only the run refused it; ``incident --out /proc/self`` was a traceback. Proven
    with an unnamed temporary file, gone when closed; a full disk is not a reason (told when it happens)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return None
    except OSError as exc:
        return None if exc.errno in (errno.ENOSPC, errno.EDQUOT) else not_writable(folder, exc.strerror)


def not_writable(out_dir: Path, reason: str | None) -> str:
    """What to say of an output folder no file can be made in (a virtual file system: /proc, /sys).

    >>> not_writable(Path("/proc/self"), "No such file or directory")[:73]
    '/proc/self: cannot write a file in the folder (No such file or directory)'
    """
    return (
        f"{out_dir}: cannot write a file in the folder ({reason}): it is not a folder files can be "
        "written to (a virtual file system such as /proc or /sys?); give --out / outputs.dir a folder you "
        "can write to"
    )


def publish_inside_out(publish: Path, out_dir: Path) -> str | None:
    """What stops a local ``outputs.publish`` receiving the runs when it lies in ``outputs.dir`` (both
    absolute, links followed), or None: ``publish: <dir>/latest`` copied each run into the run folder it
    had just completed (the last good run changed after the fact).

    >>> publish_inside_out(Path("/srv/out/latest"), Path("/srv/out"))[:45]
    'outputs.publish /srv/out/latest lies in outpu'
    >>> publish_inside_out(Path("/srv/pub"), Path("/srv/out")) is None
    True
    """
    if publish != out_dir and out_dir not in publish.parents:
        return None
    return (
        f"outputs.publish {publish} lies in outputs.dir {out_dir} (a run's folder, or latest which leads to "
        "one): each run would be copied among the runs, or into the one just completed; give a folder "
        "outside outputs.dir"
    )
