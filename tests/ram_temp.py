"""The test run's temporary folders in memory (``/dev/shm``) where the machine has it, not on disk.

Runs write their folders as a user's run does: every part and file fsynced, old runs pruned. On this
project's machines ``/tmp`` is ext4 with ``discard`` on a virtual disk: an fsync of a 100 kB file
took ~7 ms and an unlink ~4.4 ms (tmpfs: 0.8 and 0.01 ms); tests/test_rescan.py alone made 491
fsyncs, 3.0 s of its ~36 s (``strace -f -w -c``), and pytest's removal of old numbered temp folders
once took 42 s. The code paths are the same in memory; only the disk's waits go.

:func:`use_ram_temp` gives the run (pytest's controller, or a run without xdist) a fresh folder of
its own under ``/dev/shm`` as its ``--basetemp`` (xdist gives each worker a subfolder of it) and as
``TMPDIR`` for what the tests start (workers, Dask's local folders, CLI subprocesses, the browser);
:func:`remove_ram_temp` removes it when the run ends, so memory is not kept. Left as pytest makes
them: a ``--basetemp`` given on the command line, a machine without a writable tmpfs with
:data:`MIN_FREE_BYTES` free, or ``URBANRISK_TEST_TMP=disk``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

RAM = Path("/dev/shm")
#: what the whole suite's folders need with a wide margin (a run of the suite leaves ~1 GB)
MIN_FREE_BYTES = 6 * 1024**3
_KEY = pytest.StashKey[tuple[Path, "str | None"]]()


def _ram_has_room() -> bool:
    try:
        stats = os.statvfs(RAM)
    except OSError:
        return False
    return os.access(RAM, os.W_OK) and stats.f_bavail * stats.f_frsize >= MIN_FREE_BYTES


def use_ram_temp(config: pytest.Config) -> Path | None:
    """Point this run's temporary folders at a fresh folder in memory; None where they stay as they are."""
    if hasattr(config, "workerinput"):  # an xdist worker: its controller chose (basetemp, TMPDIR)
        return None
    if config.option.basetemp or os.environ.get("URBANRISK_TEST_TMP") == "disk" or not _ram_has_room():
        return None
    folder = Path(tempfile.mkdtemp(prefix="urbanrisk-tests-", dir=RAM))
    (folder / "tmp").mkdir()
    config.option.basetemp = str(folder / "pytest")
    config.stash[_KEY] = (folder, os.environ.get("TMPDIR"))
    os.environ["TMPDIR"] = str(folder / "tmp")
    tempfile.tempdir = None  # read TMPDIR again
    return folder


def remove_ram_temp(config: pytest.Config) -> None:
    """Remove the folder :func:`use_ram_temp` made (its memory is the machine's)."""
    made = config.stash.get(_KEY, None)
    if made is None:
        return
    folder, tmpdir = made
    if tmpdir is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = tmpdir
    tempfile.tempdir = None
    shutil.rmtree(folder, ignore_errors=True)
