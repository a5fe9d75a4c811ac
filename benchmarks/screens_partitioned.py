"""Screens per partition (``compute.partitioned_screens``) against the driver alone, on the metropolis.

Builds the N x N metropolis's layers and grid once, then runs the stages after the grid
(:func:`urbanrisk.pipeline.finish_run`: coverage, screens and grades, registers, responsibility)
with the flag off and on, alternately, ``--repeat`` times under each scheduler, and prints the
``coverage`` and ``screens`` stage seconds (the gaps' clusters run in the coverage stage) with the
on/off ratio of the medians, and, with the flag on, the seconds of the screens stage spent inside
``screens_dask``'s Dask computations (graph, tasks, gathering): the rest is driver-only work; the graded
grid and every screen table are checked equal each time.
On a loaded machine only the ratios measured in one run mean something.

    .venv/bin/python benchmarks/screens_partitioned.py [--tiles 8] [--repeat 2] [--recipe PATH]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import WUDAOKOU_OSM, machine_line


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(a[0]), pd.DataFrame(b[0]), check_exact=True)
    pd.testing.assert_frame_equal(pd.DataFrame(a[1].gaps), pd.DataFrame(b[1].gaps), check_exact=True)
    for name in ("communities", "key_districts", "urban_villages", "hazard_sources"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(getattr(a[2], name)), pd.DataFrame(getattr(b[2], name)), rtol=1e-12
        )


def _timed_map_partitions(spent: list[float]):
    """``screens_dask.map_partitions`` that adds the seconds of each call to ``spent``."""
    import urbanrisk.screens_dask as sd

    real = sd.map_partitions

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    sd.map_partitions = timed


def main() -> None:
    import urbanrisk as ur
    from urbanrisk.cell_disks import forget
    from urbanrisk.completeness import _BLOCKS
    from urbanrisk.pipeline import build_grid, finish_run, load_layers, stage_timer, study_area
    from urbanrisk.screens_dask import _GROUPS
    from urbanrisk.synth import synth_metro

    parser = argparse.ArgumentParser()
    parser.add_argument("--tiles", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--recipe", default=None, help="an existing metro_NxN.yaml (else one is written)")
    parser.add_argument("--schedulers", nargs="+", default=["synchronous", "threads", "processes"])
    args = parser.parse_args()
    print(machine_line())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.recipe) if args.recipe else synth_metro(WUDAOKOU_OSM, args.tiles, tmp)[1]
        recipe = ur.load_recipe(path)
        layers = load_layers(recipe)
        area = study_area(recipe, layers)
        grid = build_grid(recipe, layers, area, scheduler="threads")
        print(f"{path.name}: {len(grid):,} cells")
        spent: list[float] = []
        _timed_map_partitions(spent)
        print("scheduler | flag | coverage s (each run) | screens s (each run) | in Dask s (screens)")
        for scheduler in args.schedulers:
            seconds: dict[bool, list[dict[str, float]]] = {False: [], True: []}
            for _ in range(args.repeat):
                results = {}
                for flag in (False, True):
                    compute = recipe.compute.model_copy(update={"partitioned_screens": flag})
                    timings: dict[str, float] = {}
                    marks: dict[str, int] = {}
                    timer = stage_timer(timings)

                    def stage(name, func, timer=timer, marks=marks, timings=timings):
                        marks[name] = len(spent)
                        value = timer(name, func)
                        timings[f"{name}_dask"] = round(sum(spent[marks[name] :]), 3)
                        return value

                    forget()  # every run computes its disks, centres and partitions, as a run of its own does
                    _GROUPS.clear()
                    _BLOCKS.clear()
                    results[flag] = finish_run(
                        recipe.model_copy(update={"compute": compute}),
                        layers,
                        area,
                        grid,
                        scheduler=scheduler,
                        stage=stage,
                    )
                    seconds[flag].append(timings)
                _same(results[False], results[True])
            for flag in (False, True):
                cov = [t["coverage"] for t in seconds[flag]]
                scr = [t["screens"] for t in seconds[flag]]
                dask_s = [t["screens_dask"] for t in seconds[flag]]
                print(f"{scheduler} | {'on' if flag else 'off'} | {cov} | {scr} | {dask_s}")
            ratio = {
                stage: statistics.median(t[stage] for t in seconds[True])
                / statistics.median(t[stage] for t in seconds[False])
                for stage in ("coverage", "screens")
            }
            print(f"{scheduler}: on/off coverage {ratio['coverage']:.2f}x, screens {ratio['screens']:.2f}x")


if __name__ == "__main__":
    main()
