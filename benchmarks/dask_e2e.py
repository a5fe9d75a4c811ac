"""Dask end to end (issue #17): driver memory, driver-only seconds, schedulers, on the metropolis.

Each run is a fresh driver process (``if __name__ == "__main__"``) running ``run_recipe`` (layers,
grid, coverage, screens, outputs written); it reports its own peak RSS (``VmHWM``: the driver
alone) and, separately, the largest worker process's (``RUSAGE_CHILDREN``, after the pool's workers
have exited: a run returns without waiting for them).
Seconds inside Dask computations are timed with a Dask callback (start → finish of every
``dask.compute``); the rest of the wall time is the driver working alone. With
``partitions`` the recipe sets ``compute: {partitioned_coverage, partitioned_screens, ingest: partitioned}``:
coverage, the screens' kernels and the grid's OSM reads go per partition; the 8 x 8 runs' coverage
and grid tables are compared (whole graph vs partitions: covered everywhere, travel within twice the
limit). With ``ingest`` only ``compute: {ingest: partitioned}`` (on ``processes`` the extract is
ingested by tasks on the workers). ``--before <src>`` runs each also with another tree's code,
alternating, ``--rounds`` times. Each run also counts minor page faults per stage (driver and
workers: the kernel's share of the CPU seconds on ``processes``), and lists, per stage, its Dask
tasks of 0.1 s or more (submitted -> done, as the driver's scheduler saw them): the stage's critical
path on the workers.

    .venv/bin/python benchmarks/dask_e2e.py [--tiles 4 8] [--modes whole partitions ingest]
        [--no-synchronous] [--before ../main/src --rounds 3]
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import WUDAOKOU_OSM, machine_line


def _vm_hwm_mb() -> float:
    """This process's peak RSS (VmHWM; ``ru_maxrss`` would carry the parent's peak over execve)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_TICK = os.sysconf("SC_CLK_TCK")
_SEEN: dict[int, float] = {}  # each worker process's CPU seconds when last read (they exit at the end)
_PEAK_MB: dict[int, float] = {}  # each worker process's peak RSS when last read (fork-server workers)


def _hwm_mb(pid: int) -> float:
    """Peak RSS (VmHWM) of a live process, MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _stat_cpu(pid: int) -> tuple[float, float]:
    """(own CPU seconds, reaped children's CPU seconds) of a live process, from ``/proc/<pid>/stat``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK, (int(fields[13]) + int(fields[14])) / _TICK


def _cpu_now() -> tuple[float, float]:
    """(this driver process's CPU seconds, its worker processes' CPU seconds so far).

    The driver's from ``RUSAGE_SELF`` (every thread of it); the workers' from ``/proc/<pid>/stat``
    while they live, plus ``RUSAGE_CHILDREN`` for every child reaped so far (workers forked from the
    driver are its children; a worker that has exited counts there only: the largest of the two sums
    put the seconds of a worker reaped early, the OSM read's worker apart, into a later stage). With
    a fork server (``forkserver`` pools: made from a thread other than the main one), the workers are
    its children: its own seconds (the workers' imports) count too, and its reaped children's stand
    in for ``RUSAGE_CHILDREN``. Load-independent, unlike wall seconds.
    """
    from multiprocessing import forkserver

    me = resource.getrusage(resource.RUSAGE_SELF)
    alive = {-1}  # the fork server (below)
    for worker in multiprocessing.active_children():  # (reaps those that have exited)
        try:
            _SEEN[worker.pid] = max(_SEEN.get(worker.pid, 0.0), _stat_cpu(worker.pid)[0])
            _PEAK_MB[worker.pid] = _hwm_mb(worker.pid)
            alive.add(worker.pid)
        except OSError:
            continue
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped_s = reaped.ru_utime + reaped.ru_stime
    server = getattr(forkserver._forkserver, "_forkserver_pid", None)  # no public way to ask
    if server is not None:
        own, its_reaped = _stat_cpu(server)
        _SEEN[-1] = own  # the server's own seconds (it lives as long as this driver)
        reaped_s += its_reaped
    return me.ru_utime + me.ru_stime, sum(v for pid, v in _SEEN.items() if pid in alive) + reaped_s


_FAULTS_SEEN: dict[int, int] = {}  # each worker process's minor page faults when last read


def _faults_now() -> tuple[int, int]:
    """(this driver's minor page faults, its worker processes' so far), counted as :func:`_cpu_now`
    counts seconds (live workers from ``/proc/<pid>/stat``, reaped ones from ``RUSAGE_CHILDREN``).
    On ``processes`` each first write to a page the driver and its forked workers share copies it (a
    fault, kernel CPU time), and each worker's fresh heap faults its pages in: seconds of ``sys``."""
    alive = set()
    for worker in multiprocessing.active_children():
        try:
            fields = Path(f"/proc/{worker.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        _FAULTS_SEEN[worker.pid] = max(_FAULTS_SEEN.get(worker.pid, 0), int(fields[7]))
        alive.add(worker.pid)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
    mine = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    return mine, sum(v for pid, v in _FAULTS_SEEN.items() if pid in alive) + reaped


_PICKLED = {"to": 0, "from": 0}  # bytes this process pickled for tasks / unpickled from results


def _counted_dumps(value: object) -> bytes:
    """Dask's ``processes`` pickling (cloudpickle), counting the bytes (a task sent, in the driver)."""
    import pickle

    import cloudpickle

    data = cloudpickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    _PICKLED["to"] += len(data)
    return data


def _counted_loads(data: bytes) -> object:
    """Dask's ``processes`` unpickling, counting the bytes (a result received, in the driver)."""
    import cloudpickle

    _PICKLED["from"] += len(data)
    return cloudpickle.loads(data)


def _child(recipe: str, scheduler: str, mode: str, out: str) -> None:
    import dask
    from dask.callbacks import Callback

    import urbanrisk as ur

    inside = []
    begun: dict = {}
    write_tasks: dict[str, float] = {}  # seconds per write task (the grid's parts summed)
    stream: list[tuple[str, float, float]] = []  # the task stream: (key, submitted, done), driver clock

    class Timer(Callback):
        def _start(self, dsk):
            inside.append([time.perf_counter(), None])

        def _finish(self, dsk, state, errored):
            inside[-1][1] = time.perf_counter()

        def _pretask(self, key, dsk, state):
            begun[key] = time.perf_counter()

        def _posttask(self, key, result, dsk, state, worker_id):
            name = str(key[0] if isinstance(key, tuple) else key)
            if key in begun:
                stream.append((name, begun[key], time.perf_counter()))
            name = name.rsplit("-", 1)[0] if name.startswith("write-grid-part") else name
            if name.startswith("write-") and key in begun:  # submitted -> done (queueing included)
                write_tasks[name] = round(write_tasks.get(name, 0.0) + time.perf_counter() - begun[key], 3)

    loaded = ur.load_recipe(recipe)
    loaded = loaded.model_copy(
        update={
            "compute": loaded.compute.model_copy(
                update={
                    "partitioned_coverage": mode == "partitions",
                    "partitioned_screens": mode == "partitions",
                    "ingest": "memory" if mode == "whole" else "partitioned",
                }
            )
        }
    )
    marks = []  # (name, time) after each stage and each output file
    cpu_marks = [("start", *_cpu_now())]  # (name, driver CPU s, workers' CPU s) after each stage
    fault_marks = [("start", *_faults_now())]  # (name, driver's, workers' minor page faults)
    pickled = []  # (name, MB to, MB from the workers) of each stage (Dask's processes tasks only)

    def mark(name: str) -> None:
        marks.append((name, time.perf_counter()))
        cpu_marks.append((name, *_cpu_now()))
        fault_marks.append((name, *_faults_now()))
        pickled.append((name, _PICKLED["to"] / 1e6, _PICKLED["from"] / 1e6))
        _PICKLED.update({"to": 0, "from": 0})

    start = time.perf_counter()
    with Timer(), dask.config.set(func_dumps=_counted_dumps, func_loads=_counted_loads):
        result = ur.run_recipe(
            loaded,
            scheduler=scheduler,
            out=out,
            after_stage=mark,
        )
    end = time.perf_counter()
    wall = end - start
    cpu_marks.append(("end", *_cpu_now()))
    for worker in multiprocessing.active_children():  # the pool's workers exit after the run returns
        worker.join()
    cpu_marks.append(("exit", *_cpu_now()))
    fault_marks.append(("exit", *_faults_now()))
    dask_s = sum(b - a for a, b in inside if b is not None)
    spans = [b for b in inside if b[1] is not None]
    print(
        json.dumps(
            {
                "wall_s": wall,
                "dask_s": dask_s,
                "computes": len(inside),
                "driver_peak_mb": _vm_hwm_mb(),
                "worker_peak_mb": max(  # the fork server's workers are not this process's children
                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, *_PEAK_MB.values(), 0.0
                ),
                "timings": result.timings,
                "driver_only_by_stage": _alone_by_stage(start, end, marks, result.timings, spans),
                "write_tasks": write_tasks,
                "task_stream": _stream_by_stage(stream, start, marks, result.timings),
                "cpu_by_stage": _cpu_by_stage(cpu_marks, result.timings),
                "faults_by_stage": _cpu_by_stage(fault_marks, result.timings),
                "pickled_mb_by_stage": _pickled_by_stage(pickled, result.timings),
                "cells": len(result.grid),
                "run_dir": str(result.run_dir),
            }
        )
    )


def _alone_by_stage(start: float, end: float, marks: list, stages: dict, spans: list) -> dict[str, float]:
    """Seconds with no Dask computation running, per stage (each output file and the rest of the run
    after the last stage count to ``write``)."""
    alone: dict[str, float] = {}
    before = start
    for name, at in [*marks, ("write", end)]:
        inside = sum(max(0.0, min(b, at) - max(a, before)) for a, b in spans)
        key = name if name in stages and name not in alone else "write"  # the files: "grid" again
        alone[key] = round(alone.get(key, 0.0) + (at - before) - inside, 3)
        before = at
    return alone


def _stream_by_stage(stream: list, start: float, marks: list, stages: dict) -> dict[str, list]:
    """Per stage (the one under way when the task was submitted), its Dask tasks of 0.1 s or more as
    ``[key, submitted (s after the stage began), seconds submitted to done]``, longest first: what
    the workers did, and the longest chain (the stage's critical path on its workers)."""
    spans, before = [], start  # (stage, began, ended): the files after the last stage count to write
    for name, at in marks:
        key = name if name in stages and name not in {s for s, _, _ in spans} else "write"
        spans.append((key, before, at))
        before = at
    by: dict[str, list] = {}
    for key, begun, done in stream:
        if done - begun < 0.1:
            continue
        stage, began = next(((s, a) for s, a, b in spans if a <= begun < b), ("write", before))
        by.setdefault(stage, []).append([key, round(begun - began, 2), round(done - begun, 2)])
    return {k: sorted(v, key=lambda t: -t[2])[:8] for k, v in by.items()}


def _cpu_by_stage(cpu_marks: list, stages: dict) -> dict[str, list[float]]:
    """[driver CPU s, workers' CPU s] per stage (each output file and the rest count to ``write``; the
    workers' exit to ``exit``)."""
    by: dict[str, list[float]] = {}
    for (_, d0, w0), (name, d1, w1) in itertools.pairwise(cpu_marks):
        key = name if (name in stages and name not in by) or name == "exit" else "write"
        got = by.setdefault(key, [0.0, 0.0])
        got[0] = round(got[0] + d1 - d0, 3)
        got[1] = round(got[1] + w1 - w0, 3)
    return by


def _pickled_by_stage(pickled: list, stages: dict) -> dict[str, list[float]]:
    """[MB pickled to the workers, MB of results from them] per stage (the files count to ``write``)."""
    by: dict[str, list[float]] = {}
    for name, sent, received in pickled:
        key = name if name in stages and name not in by else "write"
        got = by.setdefault(key, [0.0, 0.0])
        got[0] = round(got[0] + sent, 2)
        got[1] = round(got[1] + received, 2)
    return by


def _two_core_bound(cpu: dict[str, list[float]]) -> float:
    """The wall seconds the CPU seconds allow on 2 idle cores: per stage the driver's own CPU seconds
    (it runs them one after the other) or half of all, whichever is more."""
    return sum(max(d, (d + w) / 2) for d, w in cpu.values())


def _run(recipe: Path, scheduler: str, mode: str, out: Path, src: str | None = None) -> dict:
    """One run in a fresh driver; ``src``: the urbanrisk source tree it imports (default: this one's)."""
    command = [sys.executable, __file__, "--child", str(recipe), scheduler, mode, str(out)]
    env = dict(os.environ, PYTHONPATH=src or str(Path(__file__).resolve().parents[1] / "src"))
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _compare(eager_dir: str, parts_dir: str) -> str:
    import numpy as np
    import pandas as pd

    from urbanrisk.grid_dataset import read_grid

    a = pd.read_parquet(Path(eager_dir) / "coverage.parquet")
    b = pd.read_parquet(Path(parts_dir) / "coverage.parquet")
    same_covered = a["covered"].equals(b["covered"]) and a["reason"].equals(b["reason"])
    within = (a["travel"] <= 2 * a["limit"]).to_numpy()
    same_travel = np.array_equal(a["travel"][within].to_numpy(), b["travel"][within].to_numpy())
    ga = read_grid(Path(eager_dir), geometry=False)
    gb = read_grid(Path(parts_dir), geometry=False)
    same_grades = ga["grade"].equals(gb["grade"]) and ga["lack_of_coping"].equals(gb["lack_of_coping"])
    return (
        f"{len(a):,} cell-standard rows: covered/reason identical {same_covered}; travel identical within "
        f"2x the limit ({within.mean():.0%} of rows) {same_travel}; grades and coping identical {same_grades}"
    )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, nargs="+", default=[4, 8], help="N: N x N tiles (4: 16, 8: 64)")
    parser.add_argument(
        "--modes",
        nargs="*",
        default=["whole", "partitions"],
        choices=["whole", "partitions", "ingest"],
        help="processes runs (none: only the synchronous run); ingest: only compute.ingest: partitioned",
    )
    parser.add_argument(
        "--no-synchronous", action="store_true", help="no synchronous run at the largest size"
    )
    parser.add_argument("--before", help="another tree's src/: each run also with it, alternating")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each (alternated with --before)")
    args = parser.parse_args()
    from urbanrisk.synth import synth_metro

    print(machine_line())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for tiles in args.tiles:
            _, recipe = synth_metro(WUDAOKOU_OSM, tiles, Path(tmp) / f"t{tiles}")
            plan = [("processes", mode) for mode in args.modes]
            if tiles == max(args.tiles) and not args.no_synchronous:
                plan += [("synchronous", "whole")]
            runs = {}
            trees = [("", None)] if args.before is None else [("before ", args.before), ("", None)]
            for (scheduler, mode), _, (label, src) in itertools.product(plan, range(args.rounds), trees):
                out = Path(tmp) / f"out-{tiles}-{scheduler}-{mode}"
                load = os.getloadavg()[0]
                got = _run(recipe, scheduler, mode, out, src)
                runs[(scheduler, mode)] = got
                rows.append((tiles * tiles, scheduler, label + mode, got))
                what = f"{tiles * tiles} tiles, {scheduler}, {label}{mode}"
                print(f"  {what}: {got['wall_s']:.1f} s (load {load:.1f} at its start)", flush=True)
            if tiles == max(args.tiles) and {"whole", "partitions"} <= set(args.modes):
                eager, parts = runs[("processes", "whole")], runs[("processes", "partitions")]
                same = _compare(eager["run_dir"], parts["run_dir"])
                print(f"  {tiles * tiles} tiles, whole graph vs partitions: {same}", flush=True)
    print(
        f"\n{'tiles':>5} {'cells':>7} {'scheduler':<12} {'coverage':<11} {'wall s':>7} {'in Dask s':>9} "
        f"{'driver-only':>11} {'driver MB':>9} {'worker MB':>9}  stages (s)"
    )
    for tiles, scheduler, mode, got in rows:
        alone = got["wall_s"] - got["dask_s"]
        stages = ", ".join(f"{k} {v:.1f}" for k, v in got["timings"].items())
        print(
            f"{tiles:>5} {got['cells']:>7,} {scheduler:<12} {mode:<11} "
            f"{got['wall_s']:>7.1f} {got['dask_s']:>9.1f} {alone / got['wall_s']:>10.0%} "
            f"{got['driver_peak_mb']:>9.0f} {got['worker_peak_mb']:>9.0f}  {stages}"
        )
        alone_by = ", ".join(f"{k} {v:.1f}" for k, v in got["driver_only_by_stage"].items() if v >= 0.05)
        print(f"{'':>5} driver-only by stage (s): {alone_by}")
        print(f"{'':>5} write tasks (s, submitted to done): {got['write_tasks']}")
        for stage, tasks in got.get("task_stream", {}).items():
            if stage != "write":
                shown = ", ".join(f"{k} @{a:.2f}+{d:.2f}" for k, a, d in tasks)
                print(f"{'':>5} tasks of {stage} (key @start after the stage began + seconds): {shown}")
        cpu = got["cpu_by_stage"]
        driver, workers = (sum(v[i] for v in cpu.values()) for i in (0, 1))
        print(
            f"{'':>5} CPU s driver {driver:.1f}, workers {workers:.1f}; on 2 idle cores >= "
            f"{_two_core_bound(cpu):.1f} s; by stage (driver/workers): "
            + ", ".join(f"{k} {d:.1f}/{w:.1f}" for k, (d, w) in cpu.items() if d + w >= 0.05)
        )
        faults = got.get("faults_by_stage", {})
        print(
            f"{'':>5} minor page faults (thousands) by stage (driver/workers): "
            + ", ".join(f"{k} {d / 1e3:.0f}/{w / 1e3:.0f}" for k, (d, w) in faults.items() if d + w >= 1000)
        )
        sent = {k: v for k, v in got.get("pickled_mb_by_stage", {}).items() if sum(v) >= 0.01}
        if sent:
            print(
                f"{'':>5} MB pickled to / from workers (Dask tasks) by stage: "
                + ", ".join(f"{k} {a:.1f}/{b:.1f}" for k, (a, b) in sent.items())
            )
    _speedups(rows)
    return 0


def _speedups(rows: list) -> None:
    """Per size and tree, ``processes`` (whole) against ``synchronous``, medians over the rounds: the
    wall ratio of this (possibly loaded) machine, CPU seconds (driver + workers), the processes run's
    driver-only share, and the ratio its CPU seconds predict on 2 idle cores (:func:`_two_core_bound`)."""
    import statistics

    def median(values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")

    for tiles in sorted({row[0] for row in rows}):
        for label in sorted({row[2].rsplit("whole", 1)[0] for row in rows if row[2].endswith("whole")}):
            runs = {
                scheduler: [
                    got
                    for t, s, mode, got in rows
                    if t == tiles and s == scheduler and mode == f"{label}whole"
                ]
                for scheduler in ("processes", "synchronous")
            }
            if not all(runs.values()):
                continue
            wall = {k: median([got["wall_s"] for got in v]) for k, v in runs.items()}
            cpu = {
                k: median([sum(map(sum, got["cpu_by_stage"].values())) for got in v]) for k, v in runs.items()
            }
            bound = {k: median([_two_core_bound(got["cpu_by_stage"]) for got in v]) for k, v in runs.items()}
            alone = median([1 - got["dask_s"] / got["wall_s"] for got in runs["processes"]])
            tree = label.strip() or "this tree"
            ratio = wall["synchronous"] / wall["processes"]
            print(
                f"{tiles} tiles, {tree}: processes vs synchronous {ratio:.2f}x wall here "
                f"({wall['processes']:.1f} / {wall['synchronous']:.1f} s); CPU s {cpu['processes']:.1f} / "
                f"{cpu['synchronous']:.1f}; processes driver-only {alone:.0%} of its wall; "
                f"on 2 idle cores >= {bound['processes']:.1f} / {bound['synchronous']:.1f} s: "
                f"at most {bound['synchronous'] / bound['processes']:.2f}x (goal 1.6x)"
            )


if __name__ == "__main__":
    sys.exit(main())
