"""The grid stage (``build_grid``) of two source trees, alternated, and their grid tables compared.

Each input's layers are loaded once (this tree) and pickled; then every round runs ``build_grid``
in a fresh process on each tree in turn (``PYTHONPATH``: this tree's ``src`` and ``--base``, e.g.
``git archive <commit> src | tar -x -C /tmp/base``), timing wall and CPU seconds (``getrusage``),
and checks that the two grids are identical: columns, dtypes, index (values and order), geometry
(``equals_exact`` at 0) and every float column bit for bit (NaN and -0.0 included).

Inputs: the shipped recipes (``recipes/*.yaml`` by name) and synthetic metropolises of N x N tiles
(``--tiles``); ``--cut`` adds, for each input, a variant whose study area cuts through it and whose
buildings are 5 % bow-ties (the clipping and repair paths).

    .venv/bin/python benchmarks/grid_stage.py --base /tmp/base/src [--tiles 4 8] [--recipes beijing-wudaokou]
        [--rounds 3] [--scheduler synchronous] [--cut]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from _common import ROOT, WUDAOKOU_OSM, machine_line

CHILD = r"""
import json, pickle, resource, sys, time
from urbanrisk.partitions import build_grid
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
def main():
    state, out, scheduler = sys.argv[1:4]
    with open(state, "rb") as f:
        recipe, layers, area = pickle.load(f)
    start, cpu_start = time.perf_counter(), cpu()
    grid = build_grid(recipe, layers, area, scheduler=scheduler)
    seconds, cpu_seconds = time.perf_counter() - start, cpu() - cpu_start
    grid.to_pickle(out)
    print(json.dumps({"seconds": seconds, "cpu": cpu_seconds, "cells": len(grid)}))
if __name__ == "__main__":
    main()
"""


def _states(args: argparse.Namespace, folder: Path) -> dict[str, Path]:
    """Each input's (recipe, layers, area), loaded by this tree and pickled."""
    import urbanrisk as ur
    from urbanrisk.pipeline import load_layers, study_area
    from urbanrisk.synth import synth_metro

    recipes = {name: ROOT / "recipes" / f"{name}.yaml" for name in args.recipes}
    for tiles in args.tiles:
        _, recipes[f"metro_{tiles}x{tiles}"] = synth_metro(WUDAOKOU_OSM, tiles, folder / f"t{tiles}")
    states = {}
    for name, path in recipes.items():
        recipe = ur.load_recipe(path)
        layers = load_layers(recipe)
        area = study_area(recipe, layers)
        states[name] = _dump(folder / f"{name}.pkl", (recipe, layers, area))
        if args.cut and layers.buildings is not None:
            states[f"{name} (cut)"] = _dump(folder / f"{name}_cut.pkl", _cut(recipe, layers, area))
    return states


def _dump(path: Path, state: tuple) -> Path:
    with path.open("wb") as f:
        pickle.dump(state, f, protocol=5)
    return path


def _cut(recipe, layers, area) -> tuple:
    """The input with an area cutting through it (a rotated ellipse) and 5 % of buildings bow-ties."""
    import shapely
    from shapely import affinity

    width = area.bounds[2] - area.bounds[0]
    ellipse = affinity.rotate(affinity.scale(area.centroid.buffer(width * 0.4), 1.0, 0.7), 30)
    geometry = layers.buildings.geometry.to_numpy().copy()
    for i in np.random.default_rng(3).choice(len(geometry), size=len(geometry) // 20, replace=False):
        polygon = geometry[i].geoms[0] if geometry[i].geom_type == "MultiPolygon" else geometry[i]
        ring = list(polygon.exterior.coords)[:-1]
        if len(ring) >= 4:
            ring[1], ring[2] = ring[2], ring[1]
            geometry[i] = shapely.Polygon(ring)
    buildings = layers.buildings.set_geometry(geometry)
    return recipe, dataclasses.replace(layers, buildings=buildings), ellipse.intersection(area)


def _run(src: str, state: Path, out: Path, scheduler: str) -> dict:
    env = {**os.environ, "PYTHONPATH": src}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(state), str(out), scheduler],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def identical(a_path: Path, b_path: Path) -> str:
    """'identical', or what differs between two pickled grids."""
    import pandas as pd
    import shapely

    a, b = pd.read_pickle(a_path), pd.read_pickle(b_path)
    if list(a.columns) != list(b.columns) or not (a.dtypes == b.dtypes).all():
        return "columns or dtypes differ"
    if not a.index.equals(b.index) or a.index.dtype != b.index.dtype:
        return "index differs"
    if not shapely.equals_exact(a.geometry.to_numpy(), b.geometry.to_numpy(), tolerance=0).all():
        return "geometry differs"
    a, b = a.drop(columns=a.geometry.name), b.drop(columns=b.geometry.name)
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    except AssertionError as exc:
        return f"values differ: {str(exc)[:200]}"
    for column in (c for c in a.columns if a[c].dtype.kind == "f"):
        if not np.array_equal(a[column].to_numpy().view(np.int64), b[column].to_numpy().view(np.int64)):
            return f"{column} differs in its bits"
    return "identical"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="the other tree's src folder")
    parser.add_argument("--tiles", type=int, nargs="*", default=[4])
    parser.add_argument("--recipes", nargs="*", default=["beijing-wudaokou"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scheduler", default="synchronous")
    parser.add_argument("--cut", action="store_true")
    args = parser.parse_args()
    print(machine_line())
    mine = str(ROOT / "src")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        states = _states(args, folder)
        print(f"{'input':<28} {'cells':>7} {'base CPU s':>22} {'this CPU s':>22} {'ratio':>6}  tables")
        for name, state in states.items():
            runs: dict[str, list[dict]] = {"base": [], "this": []}
            for _ in range(args.rounds):
                for label, src in (("base", args.base), ("this", mine)):
                    runs[label].append(_run(src, state, folder / f"{label}.pkl", args.scheduler))
            same = identical(folder / "base.pkl", folder / "this.pkl")
            base, this = ([r["cpu"] for r in runs[k]] for k in ("base", "this"))
            ratio = float(np.median(this) / np.median(base))
            print(
                f"{name:<28} {runs['this'][0]['cells']:>7,} {', '.join(f'{v:.2f}' for v in base):>22} "
                f"{', '.join(f'{v:.2f}' for v in this):>22} {ratio:>6.2f}  {same}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
