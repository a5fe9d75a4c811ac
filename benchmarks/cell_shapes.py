"""CPU of the grid's readers without its polygons against main's, which read the grid's (issue #17).

One H3 r4 cell's 117,649 r10 children over Wudaokou (the 256-tile metropolis has 116,645 cells):

- the data extent mask (``completeness._extent_mask``): main tested every cell's polygon against the
  extent; now the centres tell most cells, the polygons of those near an edge are made;
- the hazard screen's circles: main projected every cell's polygon and built one tree of them; now
  :class:`urbanrisk.cell_circles.CircleCells` measures them a batch at a time and makes those a circle
  reaches (``--sources`` impact circles of 100-1,000 m);
- the polygons main held from the grid stage and a run not spooled makes again for ``result.grid``.

Main's readers are given the polygons (made once, not timed): what they cost is what it read them
for. CPU seconds (``time.process_time``) of each, alternated ``--rounds`` times; and the RSS each adds.

    .venv/bin/python benchmarks/cell_shapes.py [--rounds 3] [--sources 300]
"""

from __future__ import annotations

import argparse
import gc
import time

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from _common import machine_line

from urbanrisk.cell_circles import circle_cells
from urbanrisk.cell_disks import remember_cell_latlng
from urbanrisk.circle_overlap import circle_sums
from urbanrisk.completeness import _extent_mask
from urbanrisk.grid import cells_to_polygons

UTM = "EPSG:32650"


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * 4096 / 1e6


def _timed(func):
    gc.collect()
    start, rss = time.process_time(), _rss_mb()
    value = func()
    return value, time.process_time() - start, _rss_mb() - rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sources", type=int, default=300)
    args = parser.parse_args()
    print(machine_line())
    cells = pd.Index(sorted(h3.cell_to_children(h3.latlng_to_cell(39.99, 116.33, 4), 10)), name="h3_cell")
    remember_cell_latlng(cells)  # as a run keeps them before coverage
    polygons = cells_to_polygons(cells)
    x0, y0, x1, y1 = shapely.total_bounds(polygons)
    extent = [(x0 + 0.01, y0 + 0.01, x1 - 0.01, y1 - 0.01)]
    rng = np.random.default_rng(5)
    lon = rng.uniform(x0 + 0.05, x1 - 0.05, args.sources)
    lat = rng.uniform(y0 + 0.05, y1 - 0.05, args.sources)
    centres = shapely.get_coordinates(
        gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(UTM).to_numpy()
    )
    radii = rng.choice([100.0, 200.0, 500.0, 1000.0], args.sources)
    residents = rng.uniform(0, 200, len(cells))
    box = shapely.union_all([shapely.box(*b) for b in extent])

    def main_mask():
        return shapely.intersects(polygons, box) & ~shapely.touches(polygons, box)

    def main_circles():
        utm = gpd.GeoSeries(polygons, crs=4326).to_crs(UTM).to_numpy()
        return circle_sums(utm, residents, centres, radii)

    cases = {
        "extent mask": (main_mask, lambda: _extent_mask(cells, extent)),
        "hazard circles": (main_circles, lambda: circle_cells(cells, UTM).sums(residents, centres, radii)),
        "polygons made again": (lambda: polygons, lambda: cells_to_polygons(cells)),
    }
    print(f"{len(cells):,} cells, {args.sources} circles, {args.rounds} rounds alternated\n")
    print("| reader | main CPU s | now CPU s | now MB added | same |")
    print("|---|---|---|---|---|")
    for name, (before, after) in cases.items():
        seconds = {"main": [], "now": []}
        added, same = [], True
        for _ in range(args.rounds):
            old, s_old, _ = _timed(before)
            new, s_new, mb = _timed(after)
            seconds["main"].append(s_old)
            seconds["now"].append(s_new)
            added.append(mb)
            same &= (
                bool(np.array_equal(np.asarray(old), np.asarray(new)))
                if name != "polygons made again"
                else True
            )
            del old, new
        print(
            f"| {name} | {np.median(seconds['main']):.3f} | {np.median(seconds['now']):.3f} | "
            f"{np.median(added):.0f} | {same} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
