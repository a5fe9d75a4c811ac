"""Coverage at scale (issue #17, session 5): time ``pipeline.coverage_for`` alone on a big metropolis.

The layers and the grid are built once and pickled to ``STATE`` (the 16 x 16 metropolis: ~1.5 min on
2 cores; 32 x 32: ~13 min); later calls load them and time the coverage stage ``--repeat`` times
(wall and CPU seconds). ``--save`` pickles the last ``CoverageResult``; ``--compare A B`` checks two
saved results table by table (run the same state under two checkouts' ``src`` to compare code).

    urbanrisk synth --tiles 16 --out /tmp/m16
    PYTHONPATH=src .venv/bin/python benchmarks/coverage_scale.py /tmp/m16/metro_16x16.yaml /tmp/m16.pkl \
        --repeat 2 --save /tmp/after.pkl
    .venv/bin/python benchmarks/coverage_scale.py --compare /tmp/before.pkl /tmp/after.pkl
"""

from __future__ import annotations

import argparse
import os
import pickle
import time
from pathlib import Path

import pandas as pd

TABLES = ("coverage", "gaps", "sites", "resources", "coping", "resilience", "network_nodes", "network_edges")


def _state(recipe_path: str, state: Path) -> tuple:
    """(recipe, layers, area, grid): the layers and grid from ``state`` if it exists, else built."""
    from urbanrisk.pipeline import build_grid, prepare_run, stage_timer
    from urbanrisk.recipe import load_recipe

    recipe = load_recipe(recipe_path)
    if state.exists():
        return (recipe, *pickle.loads(state.read_bytes()))
    layers, area, _ = prepare_run(recipe, cache=None, stage=stage_timer({}))
    grid = build_grid(recipe, layers, area, scheduler="threads", force=True, progress=False, cache=None)
    state.write_bytes(pickle.dumps((layers, area, grid)))
    return recipe, layers, area, grid


def compare(a: str, b: str) -> bool:
    """Print, per table of two saved results, whether they are equal; True when all are."""
    x, y = (pickle.loads(Path(p).read_bytes()) for p in (a, b))
    same = x.status == y.status
    print(f"status: {'equal' if same else 'DIFFERENT'}")
    for name in TABLES:
        left, right = getattr(x, name), getattr(y, name)
        try:
            if isinstance(left, pd.Series):
                pd.testing.assert_series_equal(left, right)
            else:
                pd.testing.assert_frame_equal(pd.DataFrame(left), pd.DataFrame(right))
            print(f"{name}: equal {getattr(left, 'shape', '')}")
        except AssertionError as error:
            same = False
            print(f"{name}: DIFFERENT {str(error)[:300]}")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe", nargs="?")
    parser.add_argument("state", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"))
    args = parser.parse_args()
    if args.compare:
        raise SystemExit(0 if compare(*args.compare) else 1)
    from urbanrisk.pipeline import coverage_for

    recipe, layers, area, grid = _state(args.recipe, args.state)
    print(f"{len(grid):,} cells; load average {os.getloadavg()[0]:.1f}", flush=True)
    for _ in range(args.repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = coverage_for(recipe, layers, area, grid, scheduler="threads")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"coverage_for: {wall:.1f} s wall, {cpu:.1f} s CPU, load {os.getloadavg()[0]:.1f}", flush=True)
    if args.save:
        args.save.write_bytes(pickle.dumps(result))


if __name__ == "__main__":
    main()
