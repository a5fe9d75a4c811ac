"""The ``urbanrisk`` command's process: :func:`urbanrisk.cli.main`, then an exit that skips tearing
the interpreter down.

Once a run has returned, a normal exit spends ~0.35-0.5 CPU s (16-64 tiles) freeing every object
and module of the interpreter one by one; the process is about to end, and the kernel takes its
memory back at once. :func:`exit_now` first does what an exit must (waits for the threads, runs the
exit handlers: the layer store's temporary folders are removed, the log file is flushed; flushes
stdout and stderr), then ends the process with the command's exit code (``os._exit``).

Only the command does this (the console script and ``python -m urbanrisk``): :func:`urbanrisk.cli.main`
called from Python (tests, a notebook, a library) returns its code as before.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn


def command() -> NoReturn:
    """The ``urbanrisk`` command: :func:`urbanrisk.cli.main`, then :func:`exit_now` with its code."""
    from .cli import main

    exit_now(main())


def exit_now(code: int) -> NoReturn:
    """End this process with exit code ``code`` once what an exit must do is done, in the order the
    interpreter does it: wait for the threads that are not daemons (and their exit hooks: the worker
    pools' reapers), run the ``atexit`` handlers (``weakref.finalize`` of the layer store's folders,
    ``logging``'s flush, ``multiprocessing``'s children), flush stdout and stderr; then ``os._exit``,
    which skips only the interpreter's teardown. Elsewhere than CPython (no such hooks): ``sys.exit``.
    """
    wait_for_threads = getattr(threading, "_shutdown", None)
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if wait_for_threads is None or run_exit_handlers is None:
        sys.exit(code)
    wait_for_threads()
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a reader gone (a closed pipe): nothing left to say
            if stream is not None:
                stream.flush()
    os._exit(code)
