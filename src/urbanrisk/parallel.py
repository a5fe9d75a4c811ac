"""Run per-partition tasks with Dask: synchronous, threads, processes, or a dask.distributed cluster.

The same task graph runs everywhere; only the scheduler changes. A ``tcp://host:port`` address
connects a :class:`distributed.Client` to an existing cluster (never a home-made scheduler).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import pickle
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import dask
import dask.threaded
from dask.callbacks import Callback
from dask.diagnostics import ProgressBar

from . import settings
from ._errors import InputError
from .pool_spill import spill_dumps, spill_loads
from .worker_pool import _KEPT_POOL, WORKER_MODULES, forks_here, kept_pool, pool_apart, worker_pool

LOCAL_SCHEDULERS = ("synchronous", "threads", "processes")
__all__ = [
    "WORKER_MODULES",
    "apart",
    "beside",
    "compute_graph",
    "kept_pool",
    "map_partitions",
    "resolve_scheduler",
]

A = TypeVar("A")
B = TypeVar("B")


def resolve_scheduler(name: str | None) -> str:
    """The scheduler to use: the given one, else the measured default (:data:`settings.default_scheduler`).

    Examples
    --------
    >>> resolve_scheduler(None) in LOCAL_SCHEDULERS
    True
    >>> resolve_scheduler("tcp://10.0.0.1:8786")
    'tcp://10.0.0.1:8786'
    """
    name = name or settings.default_scheduler
    if name in LOCAL_SCHEDULERS or name.startswith("tcp://"):
        return name
    msg = f"unknown scheduler {name!r}: use synchronous, threads, processes or tcp://host:port"
    raise InputError(msg)


@contextlib.contextmanager
def _client(address: str) -> Iterator[Any]:
    from distributed import Client

    try:
        client = Client(address, timeout="5s")
    except OSError as exc:
        msg = f"cannot reach the Dask scheduler at {address} ({exc}); is the cluster running?"
        raise InputError(msg) from exc
    except (MemoryError, ValueError) as exc:  # a web or SSH server's reply read as a frame of 3 EiB
        msg = (
            f"{address} answers, but not as a Dask scheduler ({type(exc).__name__}: {str(exc)[:120]}): give "
            "the scheduler's address and port (tcp://host:8786)"
        )
        raise InputError(msg) from exc
    try:
        yield client
    finally:
        client.close()


def _local_get(scheduler: str) -> Callable[..., Any]:
    """Dask's ``get`` function of a local scheduler: the one ``dask.compute(scheduler=name)`` picks.

    Passed as the function, not its name: given a name, Dask imports ``distributed`` (~0.6 s,
    tornado and all) to look for a default client first, which a local run never uses.
    """
    if scheduler == "processes":
        import dask.multiprocessing

        return dask.multiprocessing.get
    if scheduler == "threads":
        import dask.threaded

        return dask.threaded.get
    import dask.local

    return dask.local.get_sync


def _progress_bar(progress: bool) -> contextlib.AbstractContextManager[Any]:
    """Dask's progress bar for a computation of a second or more (``progress``), else nothing."""
    return ProgressBar(minimum=1.0, dt=0.5) if progress else contextlib.nullcontext()


def _compute_locally(tasks: Sequence[Any], scheduler: str, progress: bool) -> list[Any]:
    """Compute on a local scheduler (``processes`` on the run's kept pool, see :func:`kept_pool`).

    On ``processes`` a task or result pickled past :data:`urbanrisk.pool_spill.SPILL_BYTES` travels
    through a file (:mod:`urbanrisk.pool_spill`), and each task goes to the pool alone
    (``chunksize=1``): Dask's default sends up to 6 ready tasks to one worker as one batch, run one
    after the other there while the other worker idles (the coverage task and the free part's pieces:
    both on one worker; a 7-partition grid: 6
    on one worker). Our tasks are few and long: a batch saves nothing worth that.
    """
    bar = _progress_bar(progress)
    get = _local_get(scheduler)
    if scheduler == "processes":  # tasks and results past SPILL_BYTES through files (pool_spill)
        folder = tempfile.mkdtemp(prefix="urbanrisk-pool-")
        spill = {"func_dumps": functools.partial(spill_dumps, folder=folder), "func_loads": spill_loads}
        if dask.config.get("func_dumps", None) or dask.config.get("func_loads", None):
            spill = {}  # the configured pickling (a test counting what is sent) wins
        try:
            with bar, worker_pool() as pool:
                return list(dask.compute(*tasks, scheduler=get, pool=pool, chunksize=1, **spill))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    with bar:
        return list(dask.compute(*tasks, scheduler=get))


def map_partitions(
    func: Callable[[Any], Any],
    inputs: Sequence[Any],
    *,
    scheduler: str | None = None,
    progress: bool = False,
) -> list[Any]:
    """Apply ``func`` to each input as one Dask task and return the results in input order.

    Each input is opaque to Dask (``traverse=False``): Dask would otherwise walk every element of a
    list, tuple or dataclass looking for Dask collections (~0.4 s per call for 29k cells).
    """
    scheduler = resolve_scheduler(scheduler)
    tasks = [
        dask.delayed(func, pure=True)(
            dask.delayed(item, name=f"partition-input-{i}", traverse=False), dask_key_name=f"partition-{i}"
        )
        for i, item in enumerate(inputs)
    ]
    if scheduler.startswith("tcp://"):
        from distributed import as_completed

        with _client(scheduler) as client:
            # gather each result as it completes and release it: the workers hold no finished tables
            futures = client.compute(tasks)
            position = {future.key: i for i, future in enumerate(futures)}
            results: list[Any] = [None] * len(futures)
            done = as_completed(futures)
            if progress:  # the cluster's progress, as the local schedulers show theirs
                from tqdm import tqdm

                done = tqdm(done, total=len(futures), desc="partitions", unit="task", mininterval=0.5)
            for future in done:
                results[position[future.key]] = future.result()
                future.release()
            return results
    return _compute_locally(tasks, scheduler, progress)


def compute_graph(tasks: Sequence[Any], *, scheduler: str | None = None, progress: bool = False) -> list[Any]:
    """Compute Dask objects (``dask.delayed`` values) as one graph on one scheduler, in order.

    On ``threads`` within :func:`on_worker_processes` (and a :func:`kept_pool`), the tasks it names
    run on the kept pool's worker processes, the others in this process's threads.
    """
    scheduler = resolve_scheduler(scheduler)
    if scheduler.startswith("tcp://"):
        with _client(scheduler) as client:
            return list(client.gather(client.compute(list(tasks))))
    offloaded = _OFFLOADED.get()
    if scheduler == "threads" and offloaded and _KEPT_POOL.get() is not None:  # see runs_on_workers
        with worker_pool() as pool:
            graph = _with_tasks_on(pool, offloaded, tasks)
            with _progress_bar(progress):
                return list(dask.threaded.get(graph, [task.key for task in tasks]))
    return _compute_locally(tasks, scheduler, progress)


_OFFLOADED: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("offloaded", default=())


@contextlib.contextmanager
def on_worker_processes(*keys: str) -> Iterator[None]:
    """Within this block a :func:`compute_graph` on ``threads`` runs the tasks whose key starts with
    one of ``keys`` on the kept pool's worker processes (when there is one, :func:`kept_pool`).

    For a graph whose few large tasks hold the interpreter lock (the write stage's GeoPackage and
    map) beside many small ones that release it or are cheap to keep here: only those tasks' inputs
    and results are pickled to and from a worker.
    """
    token = _OFFLOADED.set(tuple(keys))
    try:
        yield
    finally:
        _OFFLOADED.reset(token)


def runs_on_workers(key: str) -> bool:
    """Whether a :func:`compute_graph` on ``threads`` here would send the task ``key`` to the kept
    pool's worker processes (:func:`on_worker_processes` names it and a :func:`kept_pool` is open)."""
    return _KEPT_POOL.get() is not None and key.startswith(_OFFLOADED.get())  # none named: False


def _in_pool(pool: Any, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Task body: ``func(*args, **kwargs)`` on a worker of ``pool`` (this thread waits, lock released)."""
    return pool.submit(func, *args, **kwargs).result()


def _with_tasks_on(pool: Any, prefixes: tuple[str, ...], tasks: Sequence[Any]) -> dict[Any, Any]:
    """The graph of ``tasks`` with each task whose key starts with one of ``prefixes`` sent to ``pool``."""
    from dask._task_spec import Task

    graph: dict[Any, Any] = {}
    for task in tasks:
        graph.update(task.__dask_graph__())
    for key, node in graph.items():
        if isinstance(node, Task) and str(key).startswith(prefixes):
            graph[key] = Task(key, functools.partial(_in_pool, pool, node.func), *node.args, **node.kwargs)
    return graph


def overlaps(scheduler: str) -> bool:
    """Whether :func:`beside` runs its two pieces of work at once on ``scheduler`` (worker processes
    or a cluster: Dask's tasks leave the driver's interpreter lock to a driver thread)."""
    return scheduler == "processes" or scheduler.startswith("tcp://")


def beside(main: Callable[[], A], side: Callable[[], B], *, scheduler: str) -> tuple[A, B]:
    """``(main(), side())``; on ``processes`` or a cluster, ``side`` runs in a driver thread while
    ``main`` (a stage whose tasks run on the workers: the driver mostly waits) runs here.

    Elsewhere the two run one after the other (``synchronous`` stays one thing at a time, and
    ``threads`` tasks would share the driver's interpreter lock with ``side``). On ``processes``
    ``side`` starts when ``main``'s first Dask computation does (or when ``main`` ends): before, the
    driver prepares the tasks while the workers wait, and ``side`` would only share its interpreter
    lock. ``side`` runs in a copy of this context (it sees the kept pool, :func:`kept_pool`); an error
    of either is raised once both have ended (``main``'s first).
    """
    if not overlaps(scheduler):
        return main(), side()
    started = threading.Event()
    if scheduler.startswith("tcp://"):  # a cluster's computations call no local callback
        started.set()

    def when_started() -> B:
        started.wait()
        return side()

    with (
        Callback(start=lambda _graph: started.set()),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="urbanrisk-beside") as thread,
    ):
        later = thread.submit(contextvars.copy_context().run, when_started)
        try:
            first = main()  # on an error here, leaving the block still waits for ``side``
        finally:
            started.set()
        return first, later.result()


def _result_to_file(task: Callable[[], A], path: str) -> str:
    """Task (a worker process): ``task()`` pickled into the file ``path``, which it returns."""
    value = task()
    with open(path, "wb") as file:
        pickle.dump(value, file, protocol=5)
    return path


def _result_from_file(path: str) -> Any:
    """What :func:`_result_to_file` wrote to ``path``; the file removed."""
    try:
        with open(path, "rb") as file:
            return pickle.load(file)
    finally:
        os.unlink(path)


def apart(task: Callable[[], A], side: Callable[[], B], *, scheduler: str, key: str = "apart") -> tuple[A, B]:
    """``(task(), side())``; on ``processes`` (forked workers: Linux, the main thread), ``task`` is one Dask
    task on a worker process of its own (:func:`urbanrisk.worker_pool.pool_apart`: forked now, it
    inherits what the driver holds; the run's kept pool, when not made yet, inherits what the driver
    reads meanwhile), which a driver thread waits for while ``side`` runs here; elsewhere the two run one
    after the other, ``task`` first.

    For work before the run's first computation that splits in two (the OSM read: its streets' pass
    beside its areas' pass), and for work on what the driver made after the kept pool's fork (the area
    screens beside coverage, :func:`urbanrisk.screens_free.area_beside`): ``task`` is pickled,
    ``side``'s result stays in the driver, made by the main thread (a second thread's allocations go
    to a heap of their own, 64 tiles: +20-60 MB at the driver's peak). ``task``'s result comes back
    through a temporary file, read by the main thread once both have ended (:func:`_result_to_file`):
    through the pool's pipe the driver held it pickled two or three times over beside the objects (the
    32 x 32 metropolis' streets: 202 MB pickled), and a file is read straight into its objects. An
    error of ``side`` is raised first, once both have ended. ``key``: the task's Dask key.
    """
    if scheduler != "processes" or not forks_here():
        return task(), side()
    get = _local_get(scheduler)
    handle, path = tempfile.mkstemp(prefix="urbanrisk-apart-", suffix=".pickle")
    os.close(handle)
    try:
        with (
            pool_apart() as pool,  # forked here, from the main thread, before the waiting thread starts
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="urbanrisk-apart") as thread,
        ):
            job = dask.delayed(_result_to_file, pure=False)(task, path, dask_key_name=key)
            # the callbacks given, not taken: Dask empties the global set for a computation's time, and
            # one of ``side``'s ending after this would put back the empty set it found
            callbacks = tuple(Callback.active)
            later = thread.submit(
                contextvars.copy_context().run,
                lambda: dask.compute(job, scheduler=get, pool=pool, callbacks=callbacks),
            )
            mine = side()  # on an error here, leaving the block still waits for ``task``
            later.result()
        return _result_from_file(path), mine
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
