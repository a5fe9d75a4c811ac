"""Where a run's driver-only seconds go (issue #17): sampled stacks while no Dask computation runs.

One run of ``run_recipe`` in a fresh driver (``--before <src>``: also with another tree's code,
alternating, ``--rounds`` times). A sampler thread looks at the driver's threads every
``--every-ms`` (py-spy is not installed): while no ``dask.compute`` is running (a Dask callback
counts the computations begun and finished), each thread's innermost urbanrisk frame is counted,
under the stage the run is in (``after_stage`` marks). A thread waiting in a ``beside`` /
``apart`` thread's result is counted as such. Printed: driver-only seconds by stage (as
``dask_e2e.py`` measures them) and the most sampled urbanrisk functions of the main thread and
of the other threads, in seconds (each sample weighs the time since the one before: a driver
holding the interpreter lock delays the sampler) and in mean-interval samples.

    PYTHONPATH=src .venv/bin/python benchmarks/driver_alone.py /work/bench/t8/metro_8x8.yaml \
        [--scheduler processes] [--before /tmp/base/src --rounds 2] [--top 25]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import machine_line

#: Functions a thread blocks in (its innermost frame): the sample says it waits there.
WAITS = {"wait", "select", "get", "acquire", "_wait_for_tstate_lock", "result", "join", "poll"}


def _innermost(frame) -> str:
    """``module:function`` of the innermost urbanrisk frame (or the outermost frame's), prefixed
    ``waits in`` when the thread blocks (its innermost frame is a wait, a select or a lock)."""
    first = None
    waits = "waits in " if frame is not None and frame.f_code.co_name in WAITS else ""
    while frame is not None:
        name = frame.f_code.co_filename
        if "/urbanrisk/" in name:
            where = name.split("/urbanrisk/", 1)[1].removesuffix(".py").replace("/", ".")
            return f"{waits}urbanrisk.{where}:{frame.f_code.co_name}"
        first = first or f"{Path(name).stem}:{frame.f_code.co_name}"
        frame = frame.f_back
    return waits + (first or "?")


def _child(recipe: str, scheduler: str, every_ms: float) -> None:
    from dask.callbacks import Callback

    import urbanrisk as ur

    running = [0]
    lock = threading.Lock()
    spans: list[list[float]] = []
    stage = ["layers"]
    names = ["layers", "grid", "coverage", "screens", "registers", "responsibility", "write"]

    class Running(Callback):
        def _start(self, dsk):  # the union of the computations' spans (they may overlap: threads)
            with lock:
                running[0] += 1
                if running[0] == 1:
                    spans.append([time.perf_counter(), 0.0])

        def _finish(self, dsk, state, errored):
            with lock:
                running[0] -= 1
                if running[0] == 0:
                    spans[-1][1] = time.perf_counter()

    counts: collections.Counter = collections.Counter()
    by_stage: collections.Counter = collections.Counter()
    done = threading.Event()
    main = threading.main_thread().ident
    ticks = [0, 0.0]

    def sample() -> None:
        me = threading.get_ident()
        last = time.perf_counter()
        while not done.wait(every_ms / 1000):
            now = time.perf_counter()
            ticks[0] += 1
            ticks[1] += now - last
            step, last = now - last, now  # a sample stands for the time since the last (the GIL delays it)
            if running[0]:
                continue
            by_stage[stage[0]] += step
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                where = _innermost(frame)
                if ident != main and where.startswith("waits in ") and "urbanrisk." not in where:
                    continue  # an idle pool or pipe thread (Dask's, multiprocessing's)
                if ident != main and where == "thread:_worker":
                    continue  # an idle ThreadPoolExecutor thread (blocked in its queue's C get)
                counts[("main" if ident == main else "other", stage[0], where)] += step

    def mark(name: str) -> None:  # the write's files are marked too ("grid", "coverage", ...): never back
        if name in names and names.index(stage[0]) <= names.index(name) < len(names) - 1:
            stage[0] = names[names.index(name) + 1]

    sampler = threading.Thread(target=sample, daemon=True)
    with tempfile.TemporaryDirectory() as out:
        sampler.start()
        start, cpu_start = time.perf_counter(), time.process_time()
        with Running():
            result = ur.run_recipe(ur.load_recipe(recipe), scheduler=scheduler, out=out, after_stage=mark)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        cells = len(result.grid)  # a spooled grid (>= 100,000 cells on processes) is read from the run folder
    with open("/proc/self/status", encoding="ascii") as status:  # the driver's peak resident memory
        hwm = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    cpu = time.process_time() - cpu_start  # the driver's own (the sampler's few ms included)
    interval = ticks[1] / max(ticks[0], 1)
    dask_s = sum(b - a for a, b in spans if b)
    top = [[*key, round(seconds / interval), round(seconds, 3)] for key, seconds in counts.most_common()]
    print(
        json.dumps(
            {
                "wall_s": wall,
                "dask_s": dask_s,
                "interval_s": interval,
                "cells": cells,
                "driver_cpu_s": cpu,
                "vmhwm_mb": hwm / 1024,
                "by_stage_s": {k: round(seconds, 3) for k, seconds in by_stage.items()},
                "top": top,
            }
        )
    )


def _run(recipe: str, scheduler: str, every_ms: float, src: str | None) -> dict:
    command = [sys.executable, __file__, "--child", recipe, scheduler, str(every_ms)]
    env = dict(os.environ, PYTHONPATH=src or str(Path(__file__).resolve().parents[1] / "src"))
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode:
        raise SystemExit(f"the run failed (rc {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], float(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recipe")
    parser.add_argument("--scheduler", default="processes")
    parser.add_argument("--every-ms", type=float, default=4.0)
    parser.add_argument("--before", help="another tree's src/: each run also with it, alternating")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(machine_line())
    trees = [("head", None)] if args.before is None else [("before", args.before), ("head", None)]
    for _ in range(args.rounds):
        for label, src in trees:
            load = os.getloadavg()[0]
            got = _run(args.recipe, args.scheduler, args.every_ms, src)
            alone = got["wall_s"] - got["dask_s"]
            print(
                f"\n{label}: {got['cells']:,} cells, wall {got['wall_s']:.2f} s, driver-only {alone:.2f} s "
                f"({alone / got['wall_s']:.1%}), load {load:.1f}; driver CPU {got['driver_cpu_s']:.2f} s, "
                f"VmHWM {got['vmhwm_mb']:.0f} MB; "
                f"sampled every {got['interval_s'] * 1e3:.1f} ms, "
                f"driver-only in samples {sum(got['by_stage_s'].values()):.2f} s"
            )
            print(
                "  driver-only by stage (s): "
                + ", ".join(f"{k} {v:.2f}" for k, v in got["by_stage_s"].items())
            )
            for thread, stage, where, n, seconds in got["top"][: args.top]:
                print(f"  {seconds:6.3f} s {n:5d}  {thread:<5} {stage:<14} {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
