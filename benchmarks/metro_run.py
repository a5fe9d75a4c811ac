"""A recipe run end to end as a user runs it, stage by stage (issue #17: the 32 x 32 metropolis).

Each run is a fresh driver process calling ``run_recipe`` with the recipe's own ``compute:`` settings
(unlike ``dask_e2e.py``, which sets them per mode) on one scheduler, writing every output. Per stage
(``after_stage``; the files after the last stage count to ``write``): its wall seconds (the manifest's
``timings``), the CPU seconds of the driver and of its worker processes, and **the driver's peak RSS in
that stage** (``VmHWM``, reset after each stage through ``/proc/self/clear_refs``). The parent samples
the whole process tree (driver, workers, a fork server's workers) every ``--every`` seconds: the largest
sum of PSS (shared pages counted once: what the run holds of the machine) and the largest RSS of any one
process. ``--before SRC``: each run also with another tree's code, alternated, ``--rounds`` times.
``--compute KEY=VALUE``: the recipe's ``compute:`` with that key set (e.g. ``partitioned_coverage=true``),
the recipe file untouched. ``--trace N``: the driver under ``tracemalloc`` (slower: CPU seconds mean
nothing then); after each stage, its N largest live allocation sites (file:line, MB) and the traced
total, to say what the driver holds and what grows with the cells. Linux only (``/proc``). Run it under
the heavy lock at 64 tiles or more.

    .venv/bin/python benchmarks/metro_run.py RECIPE.yaml [--scheduler processes synchronous]
        [--before /tmp/base/src] [--rounds 1] [--every 1.0] [--compute KEY=VALUE ...] [--trace N]
"""

from __future__ import annotations

import argparse
import contextlib
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

from _common import ROOT, machine_line

_TICK = os.sysconf("SC_CLK_TCK")


def _status_mb(key: str, pid: int | str = "self") -> float:
    """A ``/proc/<pid>/status`` memory line (``VmHWM``, ``VmRSS``) in MB; 0 for a process gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in lines if line.startswith(f"{key}:")), 0.0)


def _stat_cpu(pid: int) -> tuple[float, float]:
    """(own CPU seconds, reaped children's CPU seconds) of a live process, from ``/proc/<pid>/stat``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK, (int(fields[13]) + int(fields[14])) / _TICK


_MARKS = "METRO_RUN_MARKS"  # env: the file where the child appends each stage's name when it ends

_SEEN: dict[int, float] = {}  # each live worker's CPU seconds when last read


def _workers_cpu() -> float:
    """CPU seconds of this driver's worker processes so far: live ones from ``/proc``, reaped ones from
    ``RUSAGE_CHILDREN``, a fork server's own and its reaped children's."""
    from multiprocessing import forkserver

    alive = set()
    for worker in multiprocessing.active_children():
        try:
            _SEEN[worker.pid] = max(_SEEN.get(worker.pid, 0.0), _stat_cpu(worker.pid)[0])
            alive.add(worker.pid)
        except OSError:
            continue
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = reaped.ru_utime + reaped.ru_stime + sum(v for pid, v in _SEEN.items() if pid in alive)
    server = getattr(forkserver._forkserver, "_forkserver_pid", None)  # no public way to ask
    if server is not None:
        with_server = _stat_cpu(server)
        total += with_server[0] + with_server[1]
    return total


def _top_sites(limit: int) -> dict:
    """The traced total (MB) and the ``limit`` largest live allocation sites (file:line -> MB)."""
    import tracemalloc

    stats = tracemalloc.take_snapshot().statistics("lineno")
    root = str(ROOT / "src") + os.sep
    top = {
        f"{s.traceback[0].filename.replace(root, '')}:{s.traceback[0].lineno}": round(s.size / 2**20, 1)
        for s in stats[:limit]
    }
    return {"traced_mb": round(sum(s.size for s in stats) / 2**20, 1), "top": top}


def _with_compute(recipe, settings: list[str]):
    """``recipe`` with ``compute.KEY`` set from each ``KEY=VALUE`` (YAML-typed values)."""
    import yaml

    update = {k: yaml.safe_load(v) for k, _, v in (item.partition("=") for item in settings)}
    compute = type(recipe.compute).model_validate({**recipe.compute.model_dump(), **update})
    return recipe.model_copy(update={"compute": compute})


def _child(recipe: str, scheduler: str, out: str, compute: list[str], trace: int) -> None:
    """One run in this process; prints one JSON line."""
    import tracemalloc

    import urbanrisk as ur

    traced: dict[str, dict] = {}
    if trace:
        tracemalloc.start()

    def driver_cpu() -> float:
        me = resource.getrusage(resource.RUSAGE_SELF)
        return me.ru_utime + me.ru_stime

    marks: list[tuple[str, float, float, float, float]] = []  # name, driver CPU, workers' CPU, VmHWM, VmRSS
    before = [("start", driver_cpu(), _workers_cpu(), 0.0, 0.0)]

    marks_file = os.environ.get(_MARKS)  # the parent reads it to date its samples of the process tree

    def mark(name: str) -> None:
        marks.append((name, driver_cpu(), _workers_cpu(), _status_mb("VmHWM"), _status_mb("VmRSS")))
        if marks_file:
            with open(marks_file, "a") as file:
                file.write(name + "\n")
        if trace:
            traced[name] = _top_sites(trace) | {
                "traced_peak_mb": round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            }
            tracemalloc.reset_peak()
        with contextlib.suppress(OSError):  # VmHWM := VmRSS: the next stage's own peak
            Path("/proc/self/clear_refs").write_text("5")

    start = time.perf_counter()
    loaded = _with_compute(ur.load_recipe(recipe), compute) if compute else ur.load_recipe(recipe)
    result = ur.run_recipe(loaded, scheduler=scheduler, out=out, after_stage=mark)
    wall = time.perf_counter() - start
    for worker in multiprocessing.active_children():  # the pool's workers exit after the run returns
        worker.join()
    mark("exit")
    stages: dict[str, dict[str, float]] = {}
    for (_, d0, w0, _, _), (name, d1, w1, hwm, rss) in itertools.pairwise(before + marks):
        key = name if (name in result.timings and name not in stages) or name == "exit" else "write"
        got = stages.setdefault(key, {"driver_cpu": 0.0, "workers_cpu": 0.0, "driver_peak_mb": 0.0})
        got["driver_cpu"] = round(got["driver_cpu"] + d1 - d0, 3)
        got["workers_cpu"] = round(got["workers_cpu"] + w1 - w0, 3)
        got["driver_peak_mb"] = max(got["driver_peak_mb"], round(hwm, 1))
        got["driver_left_mb"] = round(rss, 1)
        if name in traced:  # a stage's files fold into "write": its largest traced peak, its last sites
            seen = traced.pop(name)
            peak = max(seen["traced_peak_mb"], traced.get(key, {}).get("traced_peak_mb", 0.0))
            traced[key] = seen | {"traced_peak_mb": peak}
    got = {"wall_s": wall, "cells": len(result.grid), "timings": result.timings, "stages": stages}
    print(json.dumps(got | ({"traced": traced} if trace else {})))


def _tree(root: int) -> list[int]:
    """``root`` and every process descended from it (``/proc/<pid>/task/<pid>/children``)."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            todo += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            continue
    return found


def _pss_mb(pid: int) -> float:
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in lines if line.startswith("Pss:")), 0.0)


def _run(recipe: str, scheduler: str, out: Path, src: str | None, every: float, extra: dict) -> dict:
    """One run in a fresh driver (``src``: the urbanrisk tree it imports), its process tree sampled."""
    marks = out.with_name(out.name + ".marks")
    marks.write_text("")
    env = dict(os.environ, PYTHONPATH=src or str(ROOT / "src"), **{_MARKS: str(marks)})
    argv = [sys.executable, __file__, "--child", json.dumps([recipe, scheduler, str(out), *extra.values()])]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout:
        child = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, text=True, env=env)
        tree_pss, one_rss = 0.0, 0.0
        pss_after: dict[int, float] = {}  # stages ended when sampled -> the tree's largest PSS then
        while child.poll() is None:
            pids = _tree(child.pid)
            ended = len(marks.read_text().splitlines())
            pss = sum(_pss_mb(pid) for pid in pids)
            tree_pss = max(tree_pss, pss)
            pss_after[ended] = max(pss_after.get(ended, 0.0), pss)
            one_rss = max(one_rss, *(_status_mb("VmRSS", pid) for pid in pids))
            time.sleep(every)
        error = child.stderr.read() if child.stderr else ""
        if child.returncode:
            raise RuntimeError(error[-3000:])
        stdout.seek(0)
        got = json.loads(stdout.read().strip().splitlines()[-1])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    got["process_s"] = time.perf_counter() - start
    got["process_cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    got["process_sys"] = after.ru_stime - before.ru_stime
    got["tree_pss_mb"], got["largest_rss_mb"] = tree_pss, one_rss
    names = marks.read_text().splitlines()  # a sample after k marks belongs to the (k+1)-th stage
    for stage in got["stages"].values():
        stage["tree_pss_mb"] = 0.0
    for ended, pss in pss_after.items():
        if ended < len(names):
            key = _stage_of(names, ended, got["timings"])
            if key in got["stages"]:
                got["stages"][key]["tree_pss_mb"] = max(got["stages"][key]["tree_pss_mb"], pss)
    return got


def _stage_of(names: list[str], k: int, timings: dict) -> str:
    """The row of the table the ``k``-th mark folds into: a stage's own, else (an output file's, named
    ``grid`` or ``coverage`` too) write's; as :func:`_child` folds them."""
    name = names[k]
    return name if (name in timings and name not in names[:k]) or name == "exit" else "write"


def _print(label: str, got: dict, load: float) -> None:
    stages = got["stages"]
    driver = sum(s["driver_cpu"] for s in stages.values())
    workers = sum(s["workers_cpu"] for s in stages.values())
    bound = sum(max(s["driver_cpu"], (s["driver_cpu"] + s["workers_cpu"]) / 2) for s in stages.values())
    peak = max(s["driver_peak_mb"] for s in stages.values())
    print(
        f"{label}: {got['cells']:,} cells, load {load:.1f} at start; run {got['wall_s']:.1f} s wall, "
        f"process {got['process_s']:.1f} s wall / {got['process_cpu']:.1f} s CPU ({got['process_sys']:.1f} "
        f"system); driver {driver:.1f} + workers {workers:.1f} CPU s (on 2 idle cores >= {bound:.1f} s); "
        f"driver peak {peak:,.0f} MB; largest process RSS {got['largest_rss_mb']:,.0f} MB; "
        f"process tree PSS peak {got['tree_pss_mb']:,.0f} MB (sampled)"
    )
    print(
        f"  {'stage':<16} {'wall s':>8} {'driver CPU':>10} {'workers CPU':>11} "
        f"{'driver peak MB':>14} {'left MB':>8} {'tree PSS MB':>11}"
    )
    for name, s in stages.items():
        wall = got["timings"].get(name, float("nan"))
        print(
            f"  {name:<16} {wall:>8.1f} {s['driver_cpu']:>10.1f} {s['workers_cpu']:>11.1f} "
            f"{s['driver_peak_mb']:>14,.0f} {s['driver_left_mb']:>8,.0f} {s.get('tree_pss_mb', 0.0):>11,.0f}"
        )
    beside = {k: v for k, v in got["timings"].items() if k not in stages and v}
    if beside:
        print("  beside a stage (wall s): " + ", ".join(f"{k} {v:.1f}" for k, v in beside.items()))
    for name, seen in got.get("traced", {}).items():
        print(
            f"  traced after {name}: {seen['traced_mb']:,.1f} MB live, "
            f"stage's traced peak {seen['traced_peak_mb']:,.1f} MB"
        )
        for site, mb in seen["top"].items():
            print(f"    {mb:>8,.1f} MB  {site}")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(*json.loads(sys.argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recipe")
    parser.add_argument("--scheduler", nargs="+", default=["processes"])
    parser.add_argument("--before", help="another tree's src/: each run also with it, alternating")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between samples of the tree")
    parser.add_argument("--compute", nargs="+", default=[], metavar="KEY=VALUE", help="recipe compute: keys")
    parser.add_argument(
        "--trace", type=int, default=0, metavar="N", help="tracemalloc: N top sites per stage"
    )
    args = parser.parse_args()
    print(machine_line())
    trees = [("", None)] if args.before is None else [("before ", args.before), ("", None)]
    with tempfile.TemporaryDirectory(prefix="metro-run-") as tmp:
        for scheduler, k in itertools.product(args.scheduler, range(args.rounds)):
            for label, src in trees if k % 2 == 0 else trees[::-1]:
                load = os.getloadavg()[0]
                out = Path(tmp) / f"out-{k}-{label.strip()}"
                extra = {"compute": args.compute, "trace": args.trace}
                got = _run(args.recipe, scheduler, out, src, args.every, extra)
                _print(f"{label}{scheduler} round {k + 1}", got, load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
