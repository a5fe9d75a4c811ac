"""Where a grid-stage task spends its CPU: each indicator of ``partition_indicators``, ranked.

Every partition task of an input runs in this process (synchronously, as the synchronous scheduler
runs them) under ``cProfile``, after one warm-up pass; the CPU seconds of each named step (the
functions ``partition_indicators`` calls, and the costly calls inside them) are summed over the
partitions and ranked. Profiled seconds run ~1.4x unprofiled ones: read the shares, not the totals.

    .venv/bin/python benchmarks/grid_profile.py [--tiles 4 16] [--recipes beijing-wudaokou] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import pstats
import tempfile
import time
from pathlib import Path

from _common import ROOT, WUDAOKOU_OSM, machine_line

#: (label, module file's tail, function name): the steps ranked, as cProfile names them.
STEPS = (
    ("the task in all", "indicators.py", "partition_indicators"),
    ("read the partition's layers", "indicators.py", "resolved"),
    ("project layers to UTM", "utm_projection.py", "projected"),
    ("cell polygons in UTM", "utm_projection.py", "cells_polygons_utm"),
    ("cell edges (convex clip)", "convex_clip.py", "convex_edges"),
    ("buildings' representative cells", "indicators.py", "representative_cells"),
    ("buildings: counts and footprints", "indicators.py", "buildings_to_cells"),
    ("buildings: repair invalid (in buildings)", "indicators.py", "_repaired"),
    ("buildings: cut by cells (in buildings)", "indicators.py", "_pieces"),
    ("clipped areas (in buildings' cut)", "convex_clip.py", "clipped_areas"),
    ("overlap measures (in buildings, streets)", "cell_overlaps.py", "overlap_measures"),
    ("population from the raster", "population.py", "residents_from_raster"),
    ("streets: lengths per cell", "indicators.py", "streets_to_cells"),
    ("clipped lengths (in streets)", "convex_clip.py", "clipped_lengths"),
    ("street access", "indicators.py", "street_access_to_cells"),
    ("nearest streets (in street access)", "nearest_street.py", "nearest_streets"),
    ("POI roles (crowd places ...)", "indicators.py", "role_counts"),
    ("points per kind (POI/hazard/resource)", "indicators.py", "points_to_cell_counts"),
    ("hazard total", "indicators.py", "_hazard_total"),
    ("cells' share inside the area", "population.py", "inside_share"),
    ("concat of the parts", "concat.py", "concat"),
)


def _inputs(path: Path) -> list:
    """The input's partition tasks, each reading its layers from the driver's frames."""
    import urbanrisk as ur
    from urbanrisk import grid as gridmod
    from urbanrisk.partitions import partition_inputs, task_source, utm_crs_for
    from urbanrisk.pipeline import load_layers, study_area

    recipe = ur.load_recipe(path)
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    cells = gridmod.cells_from_area(area, recipe.grid.resolution)
    inputs = partition_inputs(recipe, layers, area, cells, utm_crs=utm_crs_for(area), polygons=True)
    with task_source(recipe, layers, "synchronous") as source:
        return [dataclasses.replace(task, source=source) for task in inputs]


def profile(tasks: list) -> tuple[float, pstats.Stats]:
    """CPU seconds of all tasks unprofiled (after a warm-up pass), and their profile."""
    from urbanrisk.indicators import partition_indicators

    for task in tasks:
        partition_indicators(task)
    start = time.process_time()
    for task in tasks:
        partition_indicators(task)
    plain = time.process_time() - start
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for task in tasks:
        partition_indicators(task)
    profiler.disable()
    return plain, pstats.Stats(profiler)


def ranked(stats: pstats.Stats) -> list[tuple[str, float, int]]:
    """(label, cumulative CPU s, calls) of each step of :data:`STEPS`, largest first."""
    rows = []
    for label, tail, name in STEPS:
        seconds, calls = 0.0, 0
        for (file, _, function), (_, ncalls, _, cumulative, _) in stats.stats.items():
            if function == name and file.endswith(tail):
                seconds, calls = seconds + cumulative, calls + ncalls
        rows.append((label, seconds, calls))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, nargs="*", default=[4])
    parser.add_argument("--recipes", nargs="*", default=[])
    parser.add_argument("--top", type=int, default=0, help="also print cProfile's top N by own time")
    args = parser.parse_args()
    from urbanrisk.synth import synth_metro

    print(machine_line())
    with tempfile.TemporaryDirectory() as tmp:
        recipes = {name: ROOT / "recipes" / f"{name}.yaml" for name in args.recipes}
        for tiles in args.tiles:
            _, recipes[f"metro_{tiles}x{tiles}"] = synth_metro(WUDAOKOU_OSM, tiles, Path(tmp) / f"t{tiles}")
        for name, path in recipes.items():
            tasks = _inputs(path)
            plain, stats = profile(tasks)
            rows = ranked(stats)
            whole = rows[0][1] or 1.0
            cells = sum(len(task.cells) for task in tasks)
            print(f"\n{name}: {len(tasks)} tasks, {cells:,} cells, {plain:.2f} CPU s unprofiled")
            print(f"{'step':<44} {'CPU s':>7} {'share':>6} {'calls':>6}")
            for label, seconds, calls in [rows[0], *sorted(rows[1:], key=lambda row: -row[1])]:
                print(f"{label:<44} {seconds:>7.3f} {seconds / whole:>6.1%} {calls:>6}")
            if args.top:
                stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
