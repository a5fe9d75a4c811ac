"""The write stage alone (``write_run``: tables, grid dataset, GeoPackage, map, report, manifest).

Synthesises the N x N metropolis, computes it once (threads), then writes its run folder
``--repeat`` times per scheduler, the schedulers interleaved (same-run ratios on a loaded machine),
inside one :func:`urbanrisk.parallel.kept_pool` as in a run (``processes``: the pool is spawned and
warmed by an untimed write first). Per write: wall seconds, CPU seconds of the driver (all its
threads) and of the pool's worker processes, the seconds inside Dask computations (the rest is
driver-only work, issue #17's measure) and the CPU seconds of the driver's main thread outside them
(the same work on a loaded machine, where wall seconds mislead), and the driver's peak resident memory
during the write (its ``VmHWM`` reset before it: Linux).
``--result`` keeps the computed result in a pickle, so that another source tree (an older commit
on ``PYTHONPATH``) can time its writer on the very same result::

    PYTHONPATH=src python benchmarks/write_stage.py --tiles 8 --result /tmp/r.pkl
    PYTHONPATH=/tmp/old/src python benchmarks/write_stage.py --tiles 8 --result /tmp/r.pkl
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import pickle
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path

from _common import WUDAOKOU_OSM, machine_line


def _result(tiles: int, pickle_path: Path | None):
    if pickle_path is not None and pickle_path.is_file():
        with open(pickle_path, "rb") as handle:
            return pickle.load(handle)  # our own file
    from urbanrisk.run import run_recipe
    from urbanrisk.synth import synth_metro

    folder = Path(tempfile.mkdtemp(prefix="write-stage-"))
    recipe = synth_metro(WUDAOKOU_OSM, tiles, folder)[1]
    result = run_recipe(recipe, scheduler="threads", write=False, force=True)
    result.renderer = None
    if pickle_path is not None:
        with open(pickle_path, "wb") as handle:
            pickle.dump(result, handle)
    return result


def _cpu() -> float:
    """CPU seconds of this process (every thread), its ended children and its live ones (the kept
    worker pool: read from /proc, Linux)."""
    own, ended = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    live = 0.0
    for child in multiprocessing.active_children():
        try:
            with open(f"/proc/{child.pid}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            live += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime + live


def _peak_reset() -> None:
    """Start the driver's peak resident memory (``VmHWM``) anew (Linux: ``clear_refs`` 5)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        pass


def _peak_mb() -> float:
    """The driver's peak resident memory (MB) since :func:`_peak_reset` (Linux), else nan."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            line = next(x for x in handle if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        return float("nan")


def _timed_write(result, folder: Path, scheduler: str) -> tuple[float, float, float, float, float]:
    """One ``write_run``: wall s, CPU s (driver + workers), wall s inside Dask computations, the
    driver's main thread's CPU s outside them (driver-only work: before, between and after them) and
    the driver's peak resident MB during the write."""
    from dask.callbacks import Callback

    from urbanrisk.run import write_run

    inside = {"depth": 0, "wall": 0.0, "cpu": 0.0, "since": (0.0, 0.0)}

    class Timer(Callback):  # the outermost computation of the main thread (tasks may compute too)
        def _start(self, dsk):
            if threading.current_thread() is threading.main_thread():
                if inside["depth"] == 0:
                    inside["since"] = (time.perf_counter(), time.thread_time())
                inside["depth"] += 1

        def _finish(self, dsk, state, errored):
            if threading.current_thread() is threading.main_thread():
                inside["depth"] -= 1
                if inside["depth"] == 0:
                    inside["wall"] += time.perf_counter() - inside["since"][0]
                    inside["cpu"] += time.thread_time() - inside["since"][1]

    scheduler, _, tasks = scheduler.partition("/")  # "processes/threads": the write graph on threads
    _peak_reset()
    used, main_cpu = _cpu(), time.thread_time()
    start = time.perf_counter()
    with Timer():
        write_run(result, folder, scheduler=scheduler, write_scheduler=tasks or None)
    wall = time.perf_counter() - start
    driver_cpu = time.thread_time() - main_cpu - inside["cpu"]
    return wall, _cpu() - used, inside["wall"], driver_cpu, _peak_mb()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=8)
    parser.add_argument("--schedulers", default="synchronous,threads,processes")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--result", type=Path, default=None, help="pickle of the computed result")
    args = parser.parse_args()
    from urbanrisk.parallel import kept_pool

    print(machine_line())
    result = _result(args.tiles, args.result)
    print(f"{args.tiles}x{args.tiles} tiles: {len(result.grid):,} cells · load average {os.getloadavg()}")
    schedulers = args.schedulers.split(",")
    runs: dict[str, list[tuple[float, float, float, float, float]]] = {s: [] for s in schedulers}
    with tempfile.TemporaryDirectory(prefix="write-stage-out-") as out, kept_pool():
        for scheduler in schedulers:  # imports, caches, the worker pool: untimed
            _timed_write(result, Path(out) / "warm-up", scheduler)
        for _ in range(args.repeat):
            for scheduler in schedulers:
                runs[scheduler].append(_timed_write(result, Path(out) / scheduler, scheduler))
    for scheduler, values in runs.items():
        wall, cpu, dask_s, driver_cpu, peak = (statistics.median(v[i] for v in values) for i in range(5))
        shown = " ".join(f"{v[0]:.2f}" for v in values)
        print(
            f"write {scheduler:12s} median {wall:6.2f} s wall ({shown}), {cpu:6.2f} s CPU (driver + "
            f"workers), {wall - dask_s:5.2f} s driver-only ({(wall - dask_s) / wall:.0%}; "
            f"{driver_cpu:5.2f} s CPU of the driver's main thread outside Dask), driver peak {peak:,.0f} MB"
        )
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
