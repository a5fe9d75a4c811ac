"""Hostile input, round 15 (session 21, hostile22): a generator of what nobody had tried
(/work/bench/hostile22/gen.py, outside the repository): an output folder on a disk that fills while the
GeoPackage is written by the forked writer (a traceback: the child's error came back as text, its type
and errno lost).

Every case: a clear message naming the folder and the fix with exit 2, or a correct result; never a
traceback, a hang or a damaged last run. Small cases made in the test.
"""

from __future__ import annotations

import argparse
import errno
import shutil

import pyogrio.errors
import pytest

from urbanrisk import cli_disk
from urbanrisk.outputs.forked import ForkedCall, ForkedCallError

#: what GDAL said when the disk filled under the forked GeoPackage writer (no word of space)
GDAL_ROLLBACK = "Error while writing batch to OGR layer: sqlite3_exec(ROLLBACK) failed: cannot rollback"


def _raise(error: BaseException):
    def finish(_prepared: object) -> None:
        raise error

    return finish


def _forked_error(error: BaseException) -> ForkedCallError:
    call = ForkedCall(_raise(error), lambda: None)
    try:
        with pytest.raises(ForkedCallError) as caught:
            call.result()
    finally:
        call.close()
    return caught.value


def test_a_forked_writers_error_keeps_its_type_and_errno():
    """The child's exception comes back as the cause: an OSError with its errno, pyogrio's own type."""
    full = _forked_error(OSError(errno.ENOSPC, "No space left on device"))
    assert isinstance(full.__cause__, OSError) and full.__cause__.errno == errno.ENOSPC
    assert "No space left on device" in str(full)  # the child's traceback still in the message
    gdal = _forked_error(pyogrio.errors.DataLayerError(GDAL_ROLLBACK))
    assert isinstance(gdal.__cause__, pyogrio.errors.DataLayerError)


def test_a_full_disk_under_the_forked_writer_is_a_clear_message(tmp_path, monkeypatch):
    """GDAL's words on a full disk name no space; the disk of the output folder has none: said so,
    with the folder and the fix (was: an internal error with the traceback, exit 1)."""
    error = _forked_error(pyogrio.errors.DataLayerError(GDAL_ROLLBACK))
    monkeypatch.setattr(cli_disk.shutil, "disk_usage", lambda _path: shutil._ntuple_diskusage(1, 1, 0))
    args = argparse.Namespace(recipe="r.yaml", out=str(tmp_path))
    message = cli_disk.disk_message(args, error)
    assert message is not None and "no space left" in message and str(tmp_path) in message, message
    assert "--out" in message


def test_an_unpicklable_error_in_the_child_still_comes_back_as_text():
    """An exception that does not survive a pickle: the text alone, as before (no hang, no crash)."""

    class OddError(Exception):
        def __init__(self, a, b):
            super().__init__(f"{a}{b}")

    error = _forked_error(OddError("x", "y"))
    assert error.__cause__ is None and "OddError" in str(error)
