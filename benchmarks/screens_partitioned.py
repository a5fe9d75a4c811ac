"""Screens per partition (``compute.partitioned_screens``) against the driver alone, on the metropolis.

Builds the N x N metropolis's layers and grid once, then runs the stages after the grid
(:func:`urbanrisk.pipeline.finish_run`: coverage, screens and grades, registers, responsibility)
with the flag off and on, alternately, ``--repeat`` times under each scheduler, and prints the
``coverage`` and ``screens`` stage seconds (the gaps' clusters run in the coverage stage) with the
on/off ratio of the medians; the graded grid and every screen table are checked equal each time.
On a loaded machine only the ratios measured in one run mean something.

    .venv/bin/python benchmarks/screens_partitioned.py [--tiles 8] [--repeat 2] [--recipe PATH]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
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


def main() -> None:
    import urbanrisk as ur
    from urbanrisk.pipeline import build_grid, finish_run, load_layers, stage_timer, study_area
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
        print("scheduler | flag | coverage s (each run) | screens s (each run)")
        for scheduler in args.schedulers:
            seconds: dict[bool, list[dict[str, float]]] = {False: [], True: []}
            for _ in range(args.repeat):
                results = {}
                for flag in (False, True):
                    compute = recipe.compute.model_copy(update={"partitioned_screens": flag})
                    timings: dict[str, float] = {}
                    results[flag] = finish_run(
                        recipe.model_copy(update={"compute": compute}),
                        layers,
                        area,
                        grid,
                        scheduler=scheduler,
                        stage=stage_timer(timings),
                    )
                    seconds[flag].append(timings)
                _same(results[False], results[True])
            for flag in (False, True):
                cov = [t["coverage"] for t in seconds[flag]]
                scr = [t["screens"] for t in seconds[flag]]
                print(f"{scheduler} | {'on' if flag else 'off'} | {cov} | {scr}")
            ratio = {
                stage: statistics.median(t[stage] for t in seconds[True])
                / statistics.median(t[stage] for t in seconds[False])
                for stage in ("coverage", "screens")
            }
            print(f"{scheduler}: on/off coverage {ratio['coverage']:.2f}x, screens {ratio['screens']:.2f}x")


if __name__ == "__main__":
    main()
