"""The ``processes`` pool: workers fork from a server that has imported their modules, and die with
the driver."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from urbanrisk import parallel

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forkserver and prctl: Linux")

SRC = str(Path(__file__).resolve().parents[1] / "src")

# A driver that starts the fork server, runs one task on each of two workers, prints the workers'
# and the server's process ids, then waits to be killed.
DRIVER = """
import os, sys, time
from multiprocessing import forkserver
from urbanrisk import parallel

parallel.start_workers_early("processes")
with parallel.kept_pool(), parallel._worker_pool() as pool:
    workers = {pool.submit(os.getpid).result() for _ in range(8)}
    print(*sorted(workers), forkserver._forkserver._forkserver_pid, flush=True)
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
def test_workers_fork_from_the_server_with_their_modules_imported():
    parallel.start_workers_early("processes")
    with parallel.kept_pool(), parallel._worker_pool() as pool:
        parent, imported = pool.submit(_worker_modules).result()
    assert parent != os.getpid()  # the fork server's child, not the driver's
    assert imported
    assert "urbanrisk.partitions" in parallel.WORKER_MODULES


@linux_only
def test_workers_and_their_server_die_when_the_driver_is_killed():
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=SRC),
    )
    try:
        *workers, server = (int(pid) for pid in driver.stdout.readline().split())
        assert workers
        assert all(_alive(pid) for pid in [*workers, server])
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in [*workers, server]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in [*workers, server])
    finally:
        driver.kill()
        driver.wait()
        driver.stdout.close()


def test_no_server_is_started_for_other_schedulers(monkeypatch):
    from multiprocessing import forkserver

    started = []
    monkeypatch.setattr(forkserver, "ensure_running", lambda: started.append(1))
    for scheduler in ("synchronous", "threads", "tcp://127.0.0.1:8786"):
        parallel.start_workers_early(scheduler)
    assert not started
