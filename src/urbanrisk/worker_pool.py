"""The worker processes of the ``processes`` scheduler: their pool, how they start and die, and what
they inherit from the driver.

On Linux a run's pool is **forked from the driver** when its first computation starts, from the main
thread and before the computation's other threads do (no other thread is in a library call then, as
for :mod:`urbanrisk.outputs.forked`): the workers start with the driver's modules imported and its
memory shared copy on write. A value the driver registers before (:func:`inherit`, :func:`inherited`)
and wraps in :class:`Inherited` then reaches a task as a number, and the worker takes its own copy
of the value: the grid's layers and their spatial indexes (no layer store written and read back), the
coverage task's streets (no pickle). Anything else, and any value registered after the fork, is
pickled as before. A pool made from another thread, or elsewhere than Linux, starts its workers as it
did: from a fork server that imported :data:`WORKER_MODULES` once (Linux), else spawned.

Examples
--------
>>> import pickle
>>> frame = {"rows": [1, 2, 3]}
>>> with inherited(frame) as handle:  # no pool here: pickled by value, unpickled as the plain value
...     pickle.loads(pickle.dumps(handle)) == frame, plain(handle) is frame
(True, True)
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import os
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .lazy_scipy import MODULES as SCIPY_MODULES

T = TypeVar("T")

#: What the worker processes' tasks import, imported once in the fork server (``forkserver``: a pool
#: made from a thread other than the main one): each worker forks from it with them loaded, instead of
#: importing them itself (~2 CPU s a worker). Workers forked from the driver have what it imported.
WORKER_MODULES = (
    "dask.multiprocessing",
    "urbanrisk.partitions",
    "urbanrisk.indicators",
    "urbanrisk.stage_coverage",
    "urbanrisk.coverage_dask",
    "urbanrisk.screens_dask",
    "urbanrisk.grid_dataset",
    "urbanrisk.ingest_tasks",
    "urbanrisk.stored_osm",
    "urbanrisk.outputs.writer",
    "urbanrisk.outputs.tables",
    *SCIPY_MODULES,
    "pyogrio",
    "pyarrow.dataset",
)

_REGISTRY: dict[int, Any] = {}  # key -> value: registered in the driver; in a worker, as it was at the fork
_KEY_OF: dict[int, int] = {}  # id(value) -> key, while registered (the registry holds the value)
_KEYS = itertools.count()
_LOCK = threading.Lock()
#: The keys the pool of the computation under way inherited (set while :func:`worker_pool` is open).
_POOL_INHERITS: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "inherits", default=frozenset()
)
_KEPT_POOL: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("kept_pool", default=None)


def _register(value: Any) -> int:
    with _LOCK:
        key = _KEY_OF.get(id(value))
        if key is None:
            key = next(_KEYS)
            _REGISTRY[key], _KEY_OF[id(value)] = value, key
        return key


def _unregister(key: int) -> None:
    with _LOCK:
        value = _REGISTRY.pop(key, None)
        if value is not None and _KEY_OF.get(id(value)) == key:
            del _KEY_OF[id(value)]


def inherit(*values: Any) -> None:
    """Register ``values`` until the run's kept pool closes (:func:`kept_pool`; outside one, nothing):
    a pool forked after this gives its workers their own copies, and an :class:`Inherited` of one of
    them reaches its tasks as a number."""
    kept = _KEPT_POOL.get()
    if kept is None:
        return
    kept.setdefault("registered", []).extend(_register(value) for value in values if value is not None)


@contextlib.contextmanager
def inherited(value: T) -> Iterator[Inherited[T]]:
    """``value`` registered for the block (as :func:`inherit`, outside a kept pool too), as a handle."""
    key = _register(value)
    try:
        yield Inherited(value)
    finally:
        _unregister(key)


def inherited_value(key: int) -> Any:  # pragma: no cover - runs in the worker processes
    """In a worker: the value registered under ``key`` in the driver before the fork (an
    :class:`Inherited`'s, or one of :func:`pool_inherited` a pickle names by its key)."""
    try:
        return _REGISTRY[key]
    except KeyError:
        msg = f"a worker process was sent value {key} to inherit, but it was forked before it was registered"
        raise RuntimeError(msg) from None


def _as_is(value: T) -> T:
    return value


@dataclass(frozen=True)
class Inherited(Generic[T]):
    """A value a task reads: pickled as its registry key for a pool that inherited it
    (:func:`inherit`), else as itself; either way a task unpickles the plain value (:func:`plain`)."""

    value: T

    def __reduce__(self) -> tuple[Any, tuple[Any]]:
        key = _KEY_OF.get(id(self.value))
        if key is not None and key in _POOL_INHERITS.get():
            return inherited_value, (key,)
        return _as_is, (self.value,)


def plain(value: Inherited[T] | T) -> T:
    """The value an :class:`Inherited` wraps (one not pickled: a task run in the driver), else ``value``."""
    return value.value if isinstance(value, Inherited) else value


def will_inherit(scheduler: str) -> bool:
    """Whether a computation on ``scheduler`` starting now in this thread forks its workers from the
    driver (``processes`` on Linux from the main thread, the run's pool not made yet): values registered
    now reach them as :class:`Inherited` numbers."""
    kept = _KEPT_POOL.get()
    return scheduler == "processes" and _start_method() == "fork" and (kept is None or "pool" not in kept)


def pool_inherited() -> dict[int, int]:
    """``{id(value): key}`` of the values the run's kept pool's workers inherited at their fork
    (:func:`inherit`; empty when no kept pool was made yet, or its workers were not forked from here):
    a task pickled for that pool may send such a value as its key (:func:`inherited_value`)."""
    kept = _KEPT_POOL.get()
    inherits = kept.get("inherits", frozenset()) if kept is not None else frozenset()
    with _LOCK:
        return {id(value): key for key, value in _REGISTRY.items() if key in inherits}


def _parent_of(pid: int) -> int:  # pragma: no cover - runs in the worker processes
    """The parent process id of ``pid`` (0 when it has gone or /proc cannot tell)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _exit_when_gone(driver: int) -> None:  # pragma: no cover - runs in the worker processes
    """Block until process ``driver`` has ended (a pidfd, else polling its being an ancestor), then
    end this process."""
    import select
    import time

    try:
        watched = os.pidfd_open(driver)
    except (AttributeError, OSError):  # no pidfd (Linux < 5.3) or gone already
        while driver in (os.getppid(), _parent_of(os.getppid())):
            time.sleep(0.5)
    else:
        select.select([watched], [], [])
    os._exit(1)


def _die_with_parent(driver: int) -> None:  # pragma: no cover - runs in the worker processes
    """Worker initializer: the worker ends when the driver dies (even by SIGKILL).

    A worker forked from the driver (by its main thread, :func:`_start_method`) or spawned is the
    driver's child: the kernel kills it when its parent dies. A worker forked by the fork server
    (``forkserver``) is the server's child, and it holds the server's "alive" pipe open (the server
    would outlive the driver for as long as the workers do): a daemon thread ends it when the driver
    has gone; the server then sees its pipe closed and exits. A worker whose driver died before this
    ran exits at once.

    A worker also moves every object it starts with (the driver's, when forked from it) to the
    collector's permanent generation (:func:`gc.freeze`): its collections then never walk them, and so
    never write to the pages it shares with the driver (each such write copies the page). 16 tiles:
    -0.2 CPU s of the workers' ~2.9 (benchmarks/RESULTS.md, session 20, cpu21).
    """
    import gc
    import signal
    import sys

    gc.freeze()
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        parent = os.getppid()
        if parent != driver:
            if _parent_of(parent) != driver:
                os._exit(1)
            threading.Thread(
                target=_exit_when_gone, args=(driver,), daemon=True, name="urbanrisk-watch"
            ).start()
    elif os.getppid() != driver:  # spawned workers only (see _start_method)
        os._exit(1)


@contextlib.contextmanager
def kept_pool() -> Iterator[None]:
    """Within this block every ``processes`` computation shares one worker pool (made on first use,
    shut down at the end); otherwise each starts its own workers. What :func:`inherit` registered in
    the block is released at its end.

    The block ends without waiting for the workers to exit (they have no task left; waiting took
    1.9-3.6 s of the driver's time at 64 tiles on a loaded machine): the pool's own thread reaps them.
    """
    if _KEPT_POOL.get() is not None:
        yield
        return
    kept: dict[str, Any] = {}
    token = _KEPT_POOL.set(kept)
    try:
        yield
    finally:
        _KEPT_POOL.reset(token)
        for key in kept.get("registered", []):
            _unregister(key)
        if "pool" in kept:
            kept["pool"].shutdown(wait=False, cancel_futures=True)


def start_kept_pool() -> None:
    """The open kept pool's workers (:func:`kept_pool`) forked now, if not made yet: before this thread
    starts others (:func:`urbanrisk.parallel.apart`'s), so that the pool is not forked while they run."""
    kept = _KEPT_POOL.get()
    if kept is not None and "pool" not in kept:
        kept["pool"], kept["inherits"] = _new_pool()


@contextlib.contextmanager
def worker_pool() -> Iterator[Any]:
    """The kept pool (:func:`kept_pool`), else a new one for this computation; within the block, an
    :class:`Inherited` the pool's workers inherited is pickled as its key."""
    kept = _KEPT_POOL.get()
    if kept is not None:
        start_kept_pool()
        with _inheriting(kept["inherits"]):
            yield kept["pool"]
        return
    pool, inherits = _new_pool()
    try:
        with _inheriting(inherits):
            yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def pool_apart() -> Iterator[Any]:
    """A pool of one worker process for one computation, apart from the run's kept pool (which stays
    to be made, and to inherit what the driver registers until then): forked from the driver now, on
    Linux from the main thread (:func:`forks_here`; elsewhere a pool as :func:`worker_pool` makes one),
    and left to exit by itself at the end (its task is done; the pool's own thread reaps it)."""
    pool, inherits = _pool_of(1)  # a pool of its own, never the run's (_new_pool)
    try:
        with _inheriting(inherits):
            yield pool
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


@contextlib.contextmanager
def _inheriting(inherits: frozenset[int]) -> Iterator[None]:
    """Within the block, an :class:`Inherited` whose key is in ``inherits`` (what a pool's workers
    inherited) is pickled as its key."""
    token = _POOL_INHERITS.set(inherits)
    try:
        yield
    finally:
        _POOL_INHERITS.reset(token)


def forks_here() -> bool:
    """Whether a pool made now starts its workers by forking this process (Linux, the main thread):
    they start with what the driver imported and holds, at no cost but the fork."""
    return _start_method() == "fork"


def _pool_size() -> int:
    return os.cpu_count() or 1


def _start_method() -> str:
    """``fork`` on Linux from the main thread (the driver's other threads wait then; a worker's
    parent-death signal follows the thread that forked it, which lives as long as the driver),
    ``forkserver`` from another thread on Linux (workers fork from one server that has imported
    :data:`WORKER_MODULES`), else ``spawn``."""
    import sys

    if not sys.platform.startswith("linux"):
        return "spawn"
    return "fork" if threading.current_thread() is threading.main_thread() else "forkserver"


def _new_pool() -> tuple[Any, frozenset[int]]:
    """A computation's or the run's pool (:func:`worker_pool`, :func:`kept_pool`): one worker per core.

    Forked from the driver, its workers first get scipy's graph searches and k-d tree imported
    (:data:`urbanrisk.lazy_scipy.MODULES`): a run's driver imports them anyway (its hazard sites'
    components, beside the grid stage), and each worker that routes or screens imported them again
    (~0.13 CPU s each)."""
    if _start_method() == "fork":
        import importlib

        for name in SCIPY_MODULES:
            importlib.import_module(name)
    return _pool_of(_pool_size())


def _pool_of(size: int) -> tuple[Any, frozenset[int]]:
    """Dask's ``processes`` pool of ``size`` workers (:func:`_start_method`) whose workers die with
    the driver, and the keys of the values they inherited (forked: all registered now, else none).

    Forked workers are started here, before the computation's threads (a pool of the ``fork`` method
    forks all its workers at its first task)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = _start_method()
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(list(WORKER_MODULES))  # read when the server starts
    pool = ProcessPoolExecutor(
        max_workers=size,
        mp_context=context,
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )
    if method != "fork":
        return pool, frozenset()
    before = frozenset(_REGISTRY)  # not under the lock: a child would inherit it held
    with warnings.catch_warnings():  # Python 3.12+: "... is multi-threaded, use of fork() may lead to
        warnings.simplefilter("ignore", DeprecationWarning)  # deadlocks": no other thread is in a call
        pool.submit(int)  # forks every worker now, in this thread
    return pool, before & frozenset(_REGISTRY)  # registered throughout: at the fork too
