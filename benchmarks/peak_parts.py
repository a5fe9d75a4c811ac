"""The driver's transients of three steps at a 256-tile grid's size, before and after session 18's cuts
(issue #17): the hazard intensity (every source-cell pair at once against a few hundred sources at a
time), coverage's wide columns (the pivot of the long table against one standard at a time) and the
vulnerable-site counts (the whole grid's cells parsed and cached against the sites' cells looked up).
Session 19's ``tasks`` step: the grid stage's partition tasks' bounds, each partition's cell polygons made
and kept for the stage (main's tasks in the driver) against made, measured and dropped one partition at a
time (``build_grid(polygons=False)`` on worker processes).

Each step runs in a fresh process (its ``ru_maxrss`` over the process's RSS before the step, and
``tracemalloc``'s peak of the step: Python objects and numpy buffers), on a synthetic grid of 117,019
H3 cells (resolution 10, a disk of 197 rings: the 256-tile metropolis has 116,645), alternated
before / after for ``--rounds``. Results equal (asserted).

    .venv/bin/python benchmarks/peak_parts.py [--sources 3000] [--rounds 2] [--steps tasks ...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc

import numpy as np
from _common import machine_line

UTM = "EPSG:32650"


def _grid():
    import h3
    import pandas as pd

    cells = sorted(h3.grid_disk(h3.latlng_to_cell(39.99, 116.33, 10), 197))
    return pd.DataFrame(index=pd.Index(cells, name="h3_cell", dtype="str"))


def _hazards(n: int):
    import geopandas as gpd

    rng = np.random.default_rng(18)
    return gpd.GeoDataFrame(
        {
            "id": [f"osm/node/{i}" for i in range(n)],
            "impact_radius_m": rng.choice([50.0, 100.0, 200.0, 500.0, 1000.0], n),
            "severity": rng.integers(1, 5, n),
        },
        geometry=gpd.points_from_xy(rng.uniform(116.27, 116.39, n), rng.uniform(39.945, 40.035, n)),
        crs=4326,
    )


def _intensity_at_once(grid, hazards):
    """Main's hazard_intensity (a2d0213): every pair at once."""
    import pandas as pd
    import shapely

    from urbanrisk.cell_hazards import cell_centres_xy
    from urbanrisk.lazy_scipy import kd_tree

    index = grid.index
    xy = cell_centres_xy(index, UTM)
    points = hazards.geometry.to_crs(UTM).to_numpy()
    hxy = np.column_stack([shapely.get_x(points), shapely.get_y(points)])
    radii = hazards["impact_radius_m"].to_numpy(dtype=float)
    found = kd_tree(xy).query_ball_point(hxy, r=radii)
    counts = np.fromiter((len(near) for near in found), dtype=np.int64, count=len(found))
    src = np.repeat(np.arange(len(found)), counts)
    near = np.concatenate([np.asarray(n, dtype=np.int64) for n in found])
    d = np.hypot(xy[near, 0] - hxy[src, 0], xy[near, 1] - hxy[src, 1])
    contribution = hazards["severity"].to_numpy()[src] * (1.0 - d / radii[src])
    total = np.bincount(near, weights=contribution, minlength=len(index))
    top_values = np.full(len(index), "", dtype=object)
    positive = np.flatnonzero(contribution > 0)
    order = positive[np.lexsort((src[positive], -contribution[positive], near[positive]))]
    first = order[np.r_[True, near[order][1:] != near[order][:-1]]]
    top_values[near[first]] = hazards["id"].to_numpy()[src[first]]
    return pd.Series(total, index=index), pd.Series(top_values, index=index, dtype="str"), len(near)


def _long_table(grid):
    import pandas as pd

    rng = np.random.default_rng(18)
    n = len(grid)
    parts = []
    for standard in ("fire", "medical", "shelter"):
        travel = rng.uniform(0, 900, n)
        travel[rng.random(n) < 0.05] = np.nan
        parts.append(
            pd.DataFrame(
                {
                    "h3_cell": grid.index.to_numpy(),
                    "standard": standard,
                    "travel": travel,
                    "covered": travel < 300,
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    return table.assign(h3_cell=table["h3_cell"].astype("str"), standard=table["standard"].astype("str"))


def _pivot(coverage):
    """Main's coverage_wide (a2d0213) without the lower bounds: the pivot of travel and covered."""
    wide = coverage.pivot(index="h3_cell", columns="standard", values=["travel", "covered"])
    wide.columns = [f"{standard}_{what}" for what, standard in wide.columns]
    travel = [c for c in wide.columns if c.endswith("_travel")]
    wide[travel] = wide[travel].astype("float64")
    return wide


def _site_counts_cached(sites, cells):
    """Main's vulnerable_site_counts (a2d0213): the whole grid's cells parsed (and cached)."""
    from urbanrisk.cell_sums import cell_ints, cell_positions, counts_at
    from urbanrisk.grid import points_to_cells

    once = sites.drop_duplicates("osm_ref")
    ids = points_to_cells(once.geometry.x.to_numpy(), once.geometry.y.to_numpy(), 10)
    return counts_at(cell_positions(cell_ints(list(cells)), ids), len(cells))


#: the "before" tasks' polygons, held (as main's partition tasks held them through the grid stage)
KEPT: list = []


def _task_bounds(cells, which: str) -> np.ndarray:
    """Each partition's bounds from its cells' polygons: all kept (before) or one partition at a time."""
    import shapely

    from urbanrisk import grid as gridmod

    parts = gridmod.partition_cells(list(cells), gridmod.partition_resolution(10)).values()
    if which == "before":
        KEPT.extend(gridmod.cells_to_polygons(part) for part in parts)
        return np.array([shapely.total_bounds(shapes) for shapes in KEPT])
    return np.array([shapely.total_bounds(gridmod.cells_to_polygons(part)) for part in parts])


def _child(step: str, which: str, sources: int) -> None:
    import gc

    grid = _grid()
    if step == "tasks":
        run = lambda: _task_bounds(grid.index, which)  # noqa: E731
    elif step == "intensity":
        hazards = _hazards(sources)
        from urbanrisk.cell_hazards import hazard_intensity

        run = (lambda: _intensity_at_once(grid, hazards)) if which == "before" else None
        if run is None:
            run = lambda: (*hazard_intensity(grid, hazards, utm_crs=UTM), 0)  # noqa: E731
    elif step == "wide":
        table = _long_table(grid)
        from urbanrisk.grid_coverage import coverage_wide

        run = (lambda: _pivot(table)) if which == "before" else (lambda: coverage_wide(table))
    else:
        sites = _hazards(sources).rename(columns={"id": "osm_ref"})
        from urbanrisk.same_sites import vulnerable_site_counts

        run = (
            (lambda: _site_counts_cached(sites, grid.index))
            if which == "before"
            else (lambda: vulnerable_site_counts(sites, grid.index, 10))
        )
    _warm()  # the lazy imports (scipy's KD-tree, pyproj's transformer) before the step, not in it
    gc.collect()
    with open("/proc/self/statm", encoding="ascii") as statm:
        rss_before = int(statm.read().split()[1]) * resource.getpagesize() / 1e6
    tracemalloc.start()
    cpu = time.process_time()
    out = run()
    cpu = time.process_time() - cpu
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    with open("/proc/self/statm", encoding="ascii") as statm:
        rss_after = int(statm.read().split()[1]) * resource.getpagesize() / 1e6
    digest = _digest(out)
    print(
        json.dumps(
            {
                "traced_peak_mb": peak / 1e6,
                "rise_mb": maxrss - rss_before,
                "left_mb": rss_after - rss_before,
                "cpu_s": cpu,
                "digest": digest,
                "pairs": int(out[2]) if step == "intensity" and which == "before" else None,
            }
        )
    )


def _warm() -> None:
    import h3
    import pandas as pd

    from urbanrisk.cell_hazards import cell_centres_xy
    from urbanrisk.lazy_scipy import kd_tree

    cells = pd.Index(sorted(h3.grid_disk(h3.latlng_to_cell(39.99, 116.33, 10), 2)), dtype="str")
    kd_tree(cell_centres_xy(cells, UTM)).query_ball_point(np.zeros((1, 2)), r=1.0)
    two = list(cells[:2]) * 2
    frame = pd.DataFrame({"h3_cell": two, "standard": ["a", "a", "b", "b"], "v": 1.0, "c": True})
    frame.pivot(index="h3_cell", columns="standard", values=["v", "c"])


def _digest(out) -> str:
    import hashlib

    import pandas as pd

    h = hashlib.sha256()
    parts = out[:2] if isinstance(out, tuple) else [out]
    for part in parts:
        if isinstance(part, pd.DataFrame):
            h.update(pd.util.hash_pandas_object(part.astype(str), index=True).to_numpy().tobytes())
            h.update(str(list(part.dtypes)).encode())
        elif isinstance(part, pd.Series):
            h.update(pd.util.hash_pandas_object(part.astype(str), index=True).to_numpy().tobytes())
            if part.dtype == float:
                h.update(part.to_numpy().tobytes())
        else:
            h.update(np.asarray(part).tobytes())
    return h.hexdigest()[:16]


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--steps", nargs="+", default=["intensity", "wide", "sites", "tasks"])
    args = parser.parse_args()
    print(machine_line())
    print(f"load {os.getloadavg()[0]:.1f}; {args.sources:,} hazard sources (and as many vulnerable sites)")
    print("| step | tree | round | tracemalloc peak MB | ru_maxrss rise MB | RSS left MB | CPU s | result |")
    print("|---|---|---|---|---|---|---|---|")
    for step in args.steps:
        digests = set()
        for round_ in range(args.rounds):
            for which in ("before", "after"):
                command = [sys.executable, __file__, "--child", step, which, str(args.sources)]
                done = subprocess.run(command, capture_output=True, text=True, check=True)
                got = json.loads(done.stdout.strip().splitlines()[-1])
                digests.add(got["digest"])
                pairs = f" ({got['pairs']:,} pairs)" if got["pairs"] else ""
                print(
                    f"| {step} | {which} | {round_ + 1} | {got['traced_peak_mb']:.1f} | "
                    f"{got['rise_mb']:.1f} | {got['left_mb']:.1f} | {got['cpu_s']:.2f} | "
                    f"{got['digest']}{pairs} |"
                )
        assert len(digests) == 1, f"{step}: results differ {digests}"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
