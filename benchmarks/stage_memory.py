"""Peak resident memory of a run, stage by stage (issue #17: the 32 x 32 metropolis in under 4 GB).

A thread samples this process's resident memory (``/proc/self/statm``, Linux) every 20 ms while
``run_recipe`` runs the recipe and writes its run folder; after each stage (and each output file)
the peak since the previous one and the memory left are printed. ``threads`` keeps every stage in
this process, so the numbers are the run's whole footprint. The write stage is one Dask graph (grid
parts, tables, GeoPackage, map): its peak shows on its first line (``grid``), the files after it.

    .venv/bin/python benchmarks/stage_memory.py RECIPE.yaml [--out FOLDER] [--scheduler threads]

A metropolis to measure: ``urbanrisk synth`` (e.g. 32 x 32 tiles of Wudaokou: 464,628 cells).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import threading
import time

from _common import machine_line

PAGE = resource.getpagesize()


def rss_mb() -> float:
    """Resident memory of this process now, MB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE / 1e6


class Sampler:
    """The highest resident memory seen since :meth:`mark` (a daemon thread reads it every 20 ms)."""

    def __init__(self) -> None:
        self.peak = rss_mb()
        self.since = time.perf_counter()
        self.rows: list[tuple[str, float, float, float]] = []
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.02)

    def mark(self, name: str) -> None:
        """Close the stage ``name``: its seconds, its peak and the memory left after it."""
        now, left = time.perf_counter(), rss_mb()
        self.rows.append((name, now - self.since, max(self.peak, left), left))
        print(f"| {name} | {now - self.since:.1f} | {max(self.peak, left):,.0f} | {left:,.0f} |", flush=True)
        self.since, self.peak = now, left


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recipe")
    parser.add_argument("--out", help="run folder (default: a temporary folder)")
    parser.add_argument("--scheduler", default="threads")
    args = parser.parse_args()
    from urbanrisk.run import run_recipe

    print(machine_line())
    print("| after | s | peak MB | left MB |\n|---|---|---|---|")
    sampler = Sampler()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        run_recipe(args.recipe, out=args.out or tmp, scheduler=args.scheduler, after_stage=sampler.mark)
    peak = max(row[2] for row in sampler.rows)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall = time.perf_counter() - start
    print(f"\nwall {wall:.1f} s; sampled peak {peak:,.0f} MB; ru_maxrss {maxrss:,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
