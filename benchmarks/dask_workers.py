"""Dask on the 64-tile metropolis (issue #8, benchmark 5): local schedulers against a real
dask.distributed LocalCluster with 1 and 2 worker processes, on the grid stage. Each cluster runs
the stage twice: the first run includes the workers' start-up (importing the libraries).

    .venv/bin/python benchmarks/dask_workers.py [--tiles 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import WUDAOKOU_OSM


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, default=8)
    args = parser.parse_args()
    from distributed import LocalCluster

    import urbanrisk as ur
    from urbanrisk.pipeline import build_grid, load_layers, study_area
    from urbanrisk.synth import synth_metro

    with tempfile.TemporaryDirectory() as tmp:
        _, path = synth_metro(WUDAOKOU_OSM, args.tiles, Path(tmp))
        recipe = ur.load_recipe(path)
        layers = load_layers(recipe)
        area = study_area(recipe, layers)
        rows = []

        def timed(label: str, scheduler: str) -> None:
            start = time.perf_counter()
            grid = build_grid(recipe, layers, area, scheduler=scheduler)
            rows.append((label, time.perf_counter() - start, len(grid)))

        timed("synchronous", "synchronous")
        timed("threads (2)", "threads")
        timed("processes (2)", "processes")
        for workers in (1, 2):
            with LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
            ) as cluster:
                label = f"LocalCluster {workers} worker process{'es' if workers > 1 else ''}"
                # first run: the workers import the libraries and load the tables (start-up cost)
                timed(f"{label}, first run", cluster.scheduler_address)
                timed(label, cluster.scheduler_address)
    base = rows[0][1]
    print(f"{args.tiles * args.tiles} tiles, {rows[0][2]:,} cells: grid stage")
    print(f"{'scheduler':<34} {'seconds':>8} {'vs synchronous':>15}")
    for label, seconds, _ in rows:
        print(f"{label:<34} {seconds:>8.2f} {seconds / base:>14.2f}x")
    warm = {label: s for label, s, _ in rows if label.startswith("LocalCluster") and "first" not in label}
    one, two = warm["LocalCluster 1 worker process"], warm["LocalCluster 2 worker processes"]
    threads = next(s for label, s, _ in rows if label.startswith("threads"))
    print(f"speed-up of 2 worker processes over 1: {one / two:.2f}x")
    print(f"distributed (2 workers, warm) / local threads: {two / threads:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
