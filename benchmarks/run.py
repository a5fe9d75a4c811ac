"""urbanrisk benchmarks: one table per run, every ratio measured side by side in the same run.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/run.py``). Record results in
benchmarks/RESULTS.md with the machine and date. Tests never assert speed; this file does not either.

Cases
-----
schedulers
    The grid stage (per-partition indicators) of the default recipe and of Accra's WorldPop raster at
    H3 resolution 10 (~163k cells), under each local Dask scheduler; ratio against synchronous.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _machine() -> str:
    python = platform.python_version()
    return f"{platform.node()} · {os.cpu_count()} cores · Python {python} · {platform.machine()}"


def _time(func, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_schedulers(repeat: int) -> list[tuple[str, str, float, float]]:
    import urbanrisk as ur
    from urbanrisk.pipeline import build_grid, load_layers, study_area

    rows = []
    cases = {
        "wudaokou r10": ur.load_recipe(ROOT / "recipes" / "beijing-wudaokou.yaml"),
        "accra r10": ur.load_recipe(ROOT / "recipes" / "accra.yaml"),
    }
    accra = cases["accra r10"]
    cases["accra r10"] = accra.model_copy(update={"grid": accra.grid.model_copy(update={"resolution": 10})})
    for label, recipe in cases.items():
        layers = load_layers(recipe)
        area = study_area(recipe, layers)
        base = None
        for scheduler in ("synchronous", "threads", "processes"):

            def grid_stage(r=recipe, lay=layers, a=area, s=scheduler):
                return build_grid(r, lay, a, scheduler=s)

            seconds = _time(grid_stage, repeat)
            base = base or seconds
            rows.append((label, scheduler, seconds, seconds / base))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {_machine()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print()
    print(f"{'case':<16} {'scheduler':<12} {'seconds':>9} {'vs synchronous':>15}")
    for label, scheduler, seconds, ratio in bench_schedulers(args.repeat):
        print(f"{label:<16} {scheduler:<12} {seconds:>9.2f} {ratio:>14.2f}x")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the benchmark process: {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
