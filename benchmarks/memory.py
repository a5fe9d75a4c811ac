"""Worker memory against the number of partitions processed, partition size fixed (issue #8).

On the 64-tile metropolis (partitions of H3 r7: 343 cells of r10 each), a dask.distributed
LocalCluster of one worker process (one thread) computes the first K partitions of the grid stage,
for growing K, through urbanrisk's own ``map_partitions`` (results gathered as they complete). After
each K the worker reports its resident memory and the scheduler its peak. Two ways of feeding the
tasks, side by side:

- **layer store** (what urbanrisk does for worker processes): tasks carry cells, bounds and the
  store's path; each reads its rows by bounding box from bbox-indexed GeoParquet.
- **slices in the graph** (the design before): the driver cuts each partition's rows and ships them
  inside the task graph.

    .venv/bin/python benchmarks/memory.py [--tiles 8]
"""

from __future__ import annotations

import argparse
import pickle
import resource
import sys
import tempfile
import time
from pathlib import Path

from _common import WUDAOKOU_OSM, machine_line


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    """Resident memory now (Linux), MB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, default=8, help="N: the metropolis is N x N tiles")
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    import urbanrisk as ur
    from urbanrisk import grid as gridmod
    from urbanrisk.indicators import partition_indicators
    from urbanrisk.layer_store import write_layer_store
    from urbanrisk.parallel import map_partitions
    from urbanrisk.partitions import partition_inputs, utm_crs_for, vector_frames
    from urbanrisk.pipeline import load_layers, study_area
    from urbanrisk.synth import synth_metro

    print(machine_line())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        _, path = synth_metro(WUDAOKOU_OSM, args.tiles, Path(tmp))
        recipe = ur.load_recipe(path)
        recipe = recipe.model_copy(
            update={"grid": recipe.grid.model_copy(update={"partition_resolution": 7})}
        )
        layers = load_layers(recipe)
        area = study_area(recipe, layers)
        cells = gridmod.cells_from_area(area, recipe.grid.resolution)
        store = write_layer_store(vector_frames(layers), str(Path(tmp) / "store"))
        stored = partition_inputs(recipe, layers, area, cells, utm_crs=utm_crs_for(area), source=store)
        total = len(stored)
        counts = sorted({k for k in (2, 8, 32, 128, total) if k <= total})
        for label in ("layer store", "slices in the graph"):
            one_worker = {"n_workers": 1, "threads_per_worker": 1, "dashboard_address": "127.0.0.1:0"}
            with LocalCluster(**one_worker) as cluster, Client(cluster) as client:
                for k in counts:
                    tasks = stored[:k] if label == "layer store" else [t.resolved() for t in stored[:k]]
                    graph_mb = sum(len(pickle.dumps(t)) for t in tasks) / 1e6
                    start = time.perf_counter()
                    results = map_partitions(partition_indicators, tasks, scheduler=cluster.scheduler_address)
                    seconds = time.perf_counter() - start
                    worker = next(iter(client.run(_rss_mb).values()))
                    scheduler = client.run_on_scheduler(_peak_rss_mb)
                    cells_done = sum(len(r) for r in results)
                    rows.append((label, k, cells_done, graph_mb, worker, scheduler, seconds))
                    print(f"  {label}, {k} partitions: worker {worker:.0f} MB", flush=True)
    print(
        f"\n{args.tiles * args.tiles} tiles, {total} partitions of 343 cells (r7 parents of r10 cells); "
        "one worker process, one thread, kept across the rows of a feeding"
    )
    print(
        f"{'feeding':<20} {'partitions':>10} {'cells':>7} {'graph MB':>9} {'worker RSS MB':>14} "
        f"{'scheduler peak MB':>18} {'s':>6}"
    )
    for label, k, n, graph_mb, worker, scheduler, seconds in rows:
        print(
            f"{label:<20} {k:>10} {n:>7,} {graph_mb:>9.2f} {worker:>14.0f} {scheduler:>18.0f} {seconds:>6.2f}"
        )
    for label in ("layer store", "slices in the graph"):
        mine = [r for r in rows if r[0] == label]
        print(
            f"{label}: worker RSS after {mine[-1][1]} partitions / after {mine[0][1]}: "
            f"{mine[-1][4] / mine[0][4]:.2f}x; time {mine[-1][6]:.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
