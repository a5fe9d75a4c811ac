"""Cells at the study area's edge (session 13, fresh13): `urbanrisk run` of recipes under two source
trees, alternated (A B A B ...), each a child process (CPU from RUSAGE_CHILDREN), then the two last
runs' grids compared cell by cell: residents (must not change), cell_area_m2, grades.

    python benchmarks/edge_cells.py BASE_SRC NEW_SRC [PAIRS] RECIPE [RECIPE ...]

Numbers in RESULTS.md, "A newcomer's east Baltimore ... (session 13, fresh13)".
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
from _common import machine_line

PY = sys.executable


def once(src: str, recipe: str, out: str) -> float:
    """One child's CPU seconds (user + system) for a whole run written to ``out``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    args = [PY, "-m", "urbanrisk", "run", recipe, "--out", out, "--quiet"]
    done = subprocess.run(args, env={**os.environ, "PYTHONPATH": src}, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stdout + done.stderr
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def grid_of(run: str, src: str) -> pd.DataFrame:
    """The run's grid, read by the tree that wrote it."""
    code = (
        "import sys; from urbanrisk.grid_dataset import read_grid; "
        f"read_grid({run!r}).drop(columns='geometry').to_parquet(sys.argv[1])"
    )
    path = str(Path(tempfile.mkdtemp(prefix="edge_grid_")) / "grid.parquet")
    subprocess.run([PY, "-c", code, path], env={**os.environ, "PYTHONPATH": src}, check=True)
    return pd.read_parquet(path)


def compare(base: pd.DataFrame, new: pd.DataFrame) -> str:
    """Residents, area and grades of the two grids, cell by cell."""
    assert base.index.equals(new.index)
    residents = (base["residents"] - new["residents"]).abs().max()
    edge = new["cell_area_m2"] < base["cell_area_m2"]
    changed = base["grade"] != new["grade"]
    moves = (base.loc[changed, "grade"] + " → " + new.loc[changed, "grade"]).value_counts().to_dict()
    inside, whole = (grid.loc[edge, "cell_area_m2"].sum() / 1e6 for grid in (new, base))
    return (
        f"{len(new):,} cells, {int(edge.sum()):,} at the edge (area {inside:.3f} of {whole:.3f} km² "
        f"inside); residents max |Δ| {residents:.2e}; grades changed: {int(changed.sum())} {moves}"
    )


def main() -> None:
    base, new, pairs, *recipes = sys.argv[1:]
    print(machine_line())
    trees = {"base": base, "new": new}
    for recipe in recipes:
        times: dict[str, list[float]] = {k: [] for k in trees}
        outs = {k: tempfile.mkdtemp(prefix=f"edge_{k}_") for k in trees}
        for _ in range(int(pairs)):
            for name, src in trees.items():
                times[name].append(once(src, recipe, outs[name]))
        medians = {k: statistics.median(v) for k, v in times.items()}
        print(Path(recipe).name, {k: [round(t, 2) for t in v] for k, v in times.items()})
        ratio = medians["new"] / medians["base"]
        print(f"  median CPU s base {medians['base']:.2f} new {medians['new']:.2f} ratio {ratio:.3f}")
        latest = {k: str(Path(outs[k]) / "latest") for k in trees}
        print("  " + compare(grid_of(latest["base"], base), grid_of(latest["new"], new)))


if __name__ == "__main__":
    main()
