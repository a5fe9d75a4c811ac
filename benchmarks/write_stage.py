"""The write stage alone (``write_run``: tables, grid dataset, GeoPackage, map, report, manifest).

Synthesises the N x N metropolis, computes it once (threads), then writes its run folder
``--repeat`` times per scheduler, the schedulers interleaved (same-run ratios on a loaded machine).
``--result`` keeps the computed result in a pickle, so that another source tree (an older commit
on ``PYTHONPATH``) can time its writer on the very same result::

    PYTHONPATH=src python benchmarks/write_stage.py --tiles 8 --result /tmp/r.pkl
    PYTHONPATH=/tmp/old/src python benchmarks/write_stage.py --tiles 8 --result /tmp/r.pkl
"""

from __future__ import annotations

import argparse
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
    """CPU seconds of this process and its ended children (the worker pool, once shut down)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=8)
    parser.add_argument("--schedulers", default="synchronous,processes")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--result", type=Path, default=None, help="pickle of the computed result")
    args = parser.parse_args()
    from urbanrisk.run import write_run

    print(machine_line())
    result = _result(args.tiles, args.result)
    print(f"{args.tiles}x{args.tiles} tiles: {len(result.grid):,} cells")
    times: dict[str, list[float]] = {s: [] for s in args.schedulers.split(",")}
    cpu: dict[str, list[float]] = {s: [] for s in times}
    with tempfile.TemporaryDirectory(prefix="write-stage-out-") as out:
        write_run(result, Path(out) / "warm-up", scheduler="synchronous")  # imports, caches: untimed
        for _ in range(args.repeat):
            for scheduler in times:
                used = _cpu()
                start = time.perf_counter()
                write_run(result, Path(out) / scheduler, scheduler=scheduler)
                times[scheduler].append(time.perf_counter() - start)
                cpu[scheduler].append(_cpu() - used)
    for scheduler, values in times.items():
        shown = " ".join(f"{v:.2f}" for v in values)
        print(
            f"write {scheduler:12s} median {statistics.median(values):6.2f} s wall ({shown}), "
            f"{statistics.median(cpu[scheduler]):6.2f} s CPU (driver + worker processes)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
