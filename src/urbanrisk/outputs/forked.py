"""A call made by a forked child process, released later: work that holds the interpreter lock
(GDAL writing a GeoPackage through pyogrio) done beside the write stage's threads.

pyogrio's ``write_arrow`` and ``write_dataframe`` keep the interpreter lock while GDAL inserts the
rows, so in threads the GeoPackage (32 x 32 metropolis: 18 s) stopped every other task of the write
stage. A child forked before those threads start (no other thread is in a library call then) holds
the run's frames already (copy on write: nothing is pickled or copied), prepares what it can (the
layers' Arrow tables), waits until it is released (the grid's parts are written), finishes with its
own interpreter lock and sends the outcome back through a pipe; the driver's task waits for it
without the lock.

Examples
--------
>>> call = ForkedCall(str, sum, [1, 2, 3])
>>> call.result()
'6'
>>> call.close()
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable
from typing import Any


class ForkedCallError(RuntimeError):
    """The forked call raised (its traceback in the message, the child's exception as the cause when it
    pickles: a disk found full in the child is told as one) or its process died."""


def _failure() -> tuple[str, BaseException | None]:  # pragma: no cover - runs in the child
    """The child's failure for the driver: its traceback, and its exception if that survives a pickle
    (an OSError keeps its errno: ENOSPC is told as a full disk, not as an internal error)."""
    import pickle
    import sys

    exc = sys.exc_info()[1]
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        exc = None
    return traceback.format_exc(), exc


def _die_with_parent(parent: int) -> None:  # pragma: no cover - runs in the child
    """The kernel ends this child when the driver dies (even by SIGKILL): no writer outlives a run."""
    import ctypes
    import signal
    import sys

    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _child(  # pragma: no cover - runs in the child
    conn: Any, driver_end: Any, parent: int, calls: tuple[Callable[..., Any], Callable[..., Any]], args: tuple
) -> None:
    _die_with_parent(parent)
    driver_end.close()  # the driver's end, copied by the fork: else closing it there sends no EOF here
    finish, prepare = calls
    try:
        prepared, failure = prepare(*args), None
    except BaseException:  # said once released
        prepared, failure = None, _failure()
    try:
        conn.recv()  # released (EOFError: the driver gave up, nothing to do)
    except EOFError:
        return
    if failure is not None:
        conn.send((False, failure))
        return
    try:
        conn.send((True, finish(prepared)))
    except BaseException:  # every failure goes back to the driver: its text and its exception
        conn.send((False, _failure()))


class ForkedCall:
    """``finish(prepare(*args))`` in a child forked now: ``prepare`` at once, ``finish`` once
    :meth:`result` releases it."""

    def __init__(self, finish: Callable[..., Any], prepare: Callable[..., Any], *args: Any) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_child,
            args=(child, self._conn, os.getpid(), (finish, prepare), args),
            name="urbanrisk-forked",
            daemon=True,
        )
        self._process.start()
        child.close()

    def result(self) -> Any:
        """Release the child, wait for its call and return its value (raise :class:`ForkedCallError`)."""
        try:
            self._conn.send(True)
            ok, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            self._process.join()
            msg = f"the forked writer process ended without an answer (exit code {self._process.exitcode})"
            raise ForkedCallError(msg) from exc
        finally:
            self._conn.close()
        self._process.join()
        if not ok:
            text, cause = value
            raise ForkedCallError(f"the forked call failed:\n{text}") from cause
        return value

    def close(self) -> None:
        """End the child if it was never released or still runs (a failed write stage)."""
        if not self._conn.closed:
            self._conn.close()  # an unreleased child reads EOF and exits
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
