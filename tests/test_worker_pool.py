"""The ``processes`` pool: workers forked from the driver's main thread (what it registered before
reaches them as a number), else from a fork server that has imported their modules; all die with the
driver, and none holds the run's lock."""

from __future__ import annotations

import functools
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from urbanrisk import parallel, worker_pool

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork, forkserver, prctl: Linux")

SRC = str(Path(__file__).resolve().parents[1] / "src")

# A driver that makes its pool (from the main thread: forked; with "thread": from another thread, so
# from a fork server), runs tasks on its workers, prints the workers' and the server's process ids
# (0: none), then waits to be killed.
DRIVER = """
import os, sys, threading, time
from multiprocessing import forkserver
from urbanrisk import worker_pool

pools = []
def make():
    pools.append(worker_pool._new_pool()[0])
if sys.argv[1] == "thread":
    maker = threading.Thread(target=make)
    maker.start()
    maker.join()
else:
    make()
ran = {pools[0].submit(os.getpid).result() for _ in range(8)}
workers = set(pools[0]._processes)  # forked: all at once; from the server: as tasks came
assert ran <= workers
print(*sorted(workers), forkserver._forkserver._forkserver_pid or 0, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _worker_modules() -> tuple[int, bool]:
    """In a worker: its parent's process id and whether the grid's task module was imported."""
    return os.getppid(), "urbanrisk.partitions" in sys.modules


@linux_only
def test_workers_fork_from_the_driver_or_from_a_server_with_their_modules_imported():
    with parallel.kept_pool(), worker_pool.worker_pool() as pool:  # made in the main thread
        parent, imported = pool.submit(_worker_modules).result()
    assert parent == os.getpid()  # the driver's child: it has the driver's modules (this test's)
    made = []
    maker = threading.Thread(target=lambda: made.append(worker_pool._new_pool()))
    maker.start()
    maker.join()
    pool, inherits = made[0]
    try:
        parent, imported = pool.submit(_worker_modules).result()
    finally:
        pool.shutdown(wait=True)
    assert parent != os.getpid() and not inherits  # the fork server's child, which inherited nothing
    assert imported
    assert "urbanrisk.partitions" in parallel.WORKER_MODULES


@linux_only
def test_a_worker_leaves_what_it_started_with_to_no_collection():
    """Its collections walked the driver's objects it inherited, each walk copying shared pages."""
    import gc

    with parallel.kept_pool(), worker_pool.worker_pool() as pool:  # forked from this process
        frozen = pool.submit(gc.get_freeze_count).result()
    assert frozen > len(gc.get_objects()) // 2  # the driver's objects (this test process's)


FORKED_SCIPY = """
import sys
from urbanrisk import worker_pool, lazy_scipy

def loaded():
    return sorted(name for name in lazy_scipy.MODULES if name in sys.modules)

before = loaded()
pool, _ = worker_pool._new_pool()  # from the main thread: forked from this driver
try:
    print(before, pool.submit(loaded).result())
finally:
    pool.shutdown(wait=True)
"""


@linux_only
def test_workers_forked_from_the_driver_start_with_scipys_graphs_and_k_d_tree():
    """Each worker that routes or screens imported them again (~0.13 CPU s): the driver imports them
    before it forks (a run's driver imports them anyway)."""
    done = subprocess.run(
        [sys.executable, "-c", FORKED_SCIPY],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, PYTHONPATH=SRC),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[0] == "[] ['scipy.sparse.csgraph', 'scipy.spatial']"


@linux_only
@pytest.mark.parametrize("where", ["main", "thread"])
def test_workers_and_their_server_die_when_the_driver_is_killed(where):
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, where],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=SRC),
    )
    try:
        *workers, server = (int(pid) for pid in driver.stdout.readline().split())
        assert workers
        assert (server != 0) == (where == "thread")  # forked by the main thread: no server
        watched = [*workers, *([server] if server else [])]
        assert all(_alive(pid) for pid in watched)
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in watched) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in watched)
    finally:
        driver.kill()
        driver.wait()
        driver.stdout.close()


def _rows(frame: dict) -> list:
    """Task: the rows of ``frame`` as the worker has them."""
    return worker_pool.plain(frame)["rows"]


@linux_only
def test_a_value_registered_before_the_fork_reaches_the_task_as_a_number():
    early, late = {"rows": list(range(1000))}, {"rows": [7]}
    with parallel.kept_pool():
        worker_pool.inherit(early)
        assert worker_pool.will_inherit("processes") and not worker_pool.will_inherit("threads")
        first = parallel.map_partitions(_rows, [worker_pool.Inherited(early)], scheduler="processes")
        assert first == [list(range(1000))]  # the pool forked for this: ``early`` registered, ``late`` not
        worker_pool.inherit(late)
        assert not worker_pool.will_inherit("processes")
        early["rows"].append("after the fork")  # the driver's copy changes; the workers' does not
        tasks = [worker_pool.Inherited(early), worker_pool.Inherited(late)]
        assert parallel.map_partitions(_rows, tasks, scheduler="processes") == [list(range(1000)), [7]]
        with worker_pool.worker_pool():  # what Dask pickles for the pool: a number, or the value
            assert len(pickle.dumps(tasks[0])) < 200 < len(pickle.dumps(early))
            assert pickle.loads(pickle.dumps(tasks[1])) == late
        assert len(pickle.dumps(tasks[0])) > 1000  # for no pool (a cluster): the value
    assert worker_pool._REGISTRY == {} and worker_pool._KEY_OF == {}  # released with the kept pool


def _pid_once_there(path: Path) -> tuple[int, bool]:
    """Task: this process's id, and whether ``path`` appeared within 30 s."""
    deadline = time.monotonic() + 30
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return os.getpid(), path.exists()


@linux_only
def test_work_apart_leaves_the_kept_pool_to_fork_later_and_inherit_what_came_meanwhile(tmp_path):
    """``apart`` on processes: the task on a worker process of its own, the side in the driver's main
    thread, at once; the run's kept pool is not made, so a value registered after still reaches its
    tasks as a number. On synchronous both run here, the task first."""
    later = {"rows": list(range(1000))}
    order: list[str] = []
    with parallel.kept_pool():
        flag = tmp_path / "side started"
        (task_pid, saw_side), side_thread = parallel.apart(
            functools.partial(_pid_once_there, flag),
            lambda: flag.touch() or threading.current_thread().name,
            scheduler="processes",
        )  # the task waits for the side: run one after the other, it would give up
        assert task_pid != os.getpid() and saw_side and side_thread == threading.main_thread().name
        assert worker_pool.will_inherit("processes")  # the kept pool still to fork
        worker_pool.inherit(later)
        tasks = [worker_pool.Inherited(later)]
        with worker_pool.worker_pool():
            assert len(pickle.dumps(tasks[0])) < 200 < len(pickle.dumps(later))
        assert parallel.map_partitions(_rows, tasks, scheduler="processes") == [list(range(1000))]
        done = parallel.apart(
            lambda: order.append("task") or os.getpid(), lambda: order.append("side"), scheduler="synchronous"
        )
        assert done == (os.getpid(), None) and order == ["task", "side"]


def _touch_then_wait_for(touch: Path, path: Path, seconds: float = 30.0) -> bool:
    """Task: touch ``touch``, then whether ``path`` appeared within ``seconds``."""
    touch.touch()
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return path.exists()


@linux_only
def test_work_apart_beside_a_computation_of_the_sides_leaves_the_global_callbacks_in_place(tmp_path):
    """The area screens' computation apart overlaps coverage's in the main thread. Dask swaps its
    global callbacks out for a computation's time (``local_callbacks``): the apart one ending first put
    them back, the main one ending later put back the empty set it had found, and every later
    computation ran without them (a progress bar, the benchmarks' counters; alone23 saw 7 s of a
    write counted as driver-only)."""
    import dask
    from dask.callbacks import Callback

    started: list[int] = []
    begun, side_computing = tmp_path / "apart begun", tmp_path / "side computing"

    def side() -> bool:  # its computation begins after the apart one and ends after it
        deadline = time.monotonic() + 30
        while not begun.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        wait = functools.partial(_touch_then_wait_for, side_computing, tmp_path / "never", 1.0)
        return dask.compute(dask.delayed(wait)(), scheduler="threads")[0]

    with Callback(start=lambda _graph: started.append(1)):
        saw, late = parallel.apart(
            functools.partial(_touch_then_wait_for, begun, side_computing), side, scheduler="processes"
        )
        dask.compute(dask.delayed(int)(), scheduler="synchronous")
    assert saw and not late and len(started) == 3  # the apart computation, the side's and the last


def test_a_forked_child_does_not_hold_the_run_lock(tmp_path):
    from urbanrisk.lifecycle import _take, run_lock

    started, child_started = os.pipe()
    with run_lock(tmp_path):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child: says it runs, outlives the run's lock, then exits
            os.write(child_started, b"1")
            time.sleep(5)
            os._exit(0)
        assert os.read(started, 1) == b"1"  # the child runs: what it does after a fork is done
    os.close(started)
    os.close(child_started)
    try:
        with open(tmp_path / ".lock", "a+") as handle:
            assert _take(handle)  # free as soon as the run ends, the child still alive
        assert _alive(pid)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
