"""The write stage alone (``write_run``: tables, grid dataset, GeoPackage, map, report, manifest).

Synthesises the N x N metropolis, computes it once (threads), then writes its run folder
``--repeat`` times per scheduler, the schedulers interleaved (same-run ratios on a loaded machine),
inside one :func:`urbanrisk.parallel.kept_pool` as in a run (``processes``: the pool is spawned and
warmed by an untimed write first). Per write: wall seconds, CPU seconds of the driver (all its
threads) and of the pool's worker processes, and the seconds inside Dask computations (the rest is
driver-only work, issue #17's measure).
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


def _timed_write(result, folder: Path, scheduler: str) -> tuple[float, float, float]:
    """One ``write_run``: wall s, CPU s (driver + workers), s inside Dask computations."""
    from dask.callbacks import Callback

    from urbanrisk.run import write_run

    spans: list[list[float]] = []

    class Timer(Callback):
        def _start(self, dsk):
            spans.append([time.perf_counter(), time.perf_counter()])

        def _finish(self, dsk, state, errored):
            spans[-1][1] = time.perf_counter()

    scheduler, _, tasks = scheduler.partition("/")  # "processes/threads": the write graph on threads
    used = _cpu()
    start = time.perf_counter()
    with Timer():
        write_run(result, folder, scheduler=scheduler, write_scheduler=tasks or None)
    wall = time.perf_counter() - start
    return wall, _cpu() - used, sum(b - a for a, b in spans)


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
    runs: dict[str, list[tuple[float, float, float]]] = {s: [] for s in schedulers}
    with tempfile.TemporaryDirectory(prefix="write-stage-out-") as out, kept_pool():
        for scheduler in schedulers:  # imports, caches, the worker pool: untimed
            _timed_write(result, Path(out) / "warm-up", scheduler)
        for _ in range(args.repeat):
            for scheduler in schedulers:
                runs[scheduler].append(_timed_write(result, Path(out) / scheduler, scheduler))
    for scheduler, values in runs.items():
        wall, cpu, dask_s = (statistics.median(v[i] for v in values) for i in range(3))
        shown = " ".join(f"{v[0]:.2f}" for v in values)
        print(
            f"write {scheduler:12s} median {wall:6.2f} s wall ({shown}), {cpu:6.2f} s CPU (driver + "
            f"workers), {wall - dask_s:5.2f} s driver-only ({(wall - dask_s) / wall:.0%})"
        )
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
