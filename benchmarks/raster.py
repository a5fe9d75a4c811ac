"""Population raster -> H3 (issue #8, benchmark 2): urbanrisk's grid stage against the h3ronpy
baseline (pixel centres -> ``coordinates_to_cells`` -> group-by sum) on a raster of >= 50 M pixels.

The raster is the Accra WorldPop raster mirror-tiled N x N (16 x 16: 7,376 x 7,376 = 54 M pixels,
float32, DEFLATE), written once to a temporary folder. Both methods must conserve the raster's total.

    .venv/bin/python benchmarks/raster.py [--tiles 16] [--resolution 7]

``--exactness`` instead compares every cell's residents, r7 to r11 on the Accra raster itself, with
exactextract's own zonal sum over the same H3 cell polygons (whole raster at r7-r9; a 0.1° box at
r10 and a 0.05° box at r11, not aligned to pixels, to keep exactextract's run short).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import rasterio
from _common import ROOT

SOURCE = ROOT / "layers" / "accra" / "accra_worldpop_2015adj.tif"


def baseline(path: Path, resolution: int) -> pd.Series:
    """What an analyst would write: every pixel centre to a cell with h3ronpy, then a group-by."""
    from h3ronpy.vector import coordinates_to_cells

    with rasterio.open(path) as src:
        data = src.read(1, masked=True).filled(0.0)
        t = src.transform
    rows, cols = np.nonzero(data > 0)
    lon = t.c + (cols + 0.5) * t.a
    lat = t.f + (rows + 0.5) * t.e
    cells = np.asarray(coordinates_to_cells(lat, lon, resolution), dtype=np.uint64)
    return pd.Series(data[rows, cols].astype("float64")).groupby(cells).sum()


def exactness() -> int:
    """Per-cell residents (per partition, as the grid stage computes them) against exactextract."""
    import geopandas as gpd
    import shapely
    from exactextract import exact_extract

    from urbanrisk.grid import cells_from_area, cells_to_polygons, partition_cells, partition_resolution
    from urbanrisk.layers.raster import raster_info
    from urbanrisk.population import population_from_raster

    info = raster_info(SOURCE)
    whole = shapely.box(*info.bounds)
    centre = shapely.Point(-0.2049, 5.5851)
    areas = {
        7: whole,
        8: whole,
        9: whole,
        10: centre.buffer(0.05, cap_style="square"),
        11: centre.buffer(0.025, cap_style="square"),
    }
    print(
        f"{'res':<4} {'cells':>7} {'max abs error':>14} {'max rel error':>14} {'median rel':>11} "
        f"{'p95 rel':>9} {'total - sum in area':>20}"
    )
    for resolution, area in areas.items():
        cells = cells_from_area(area, resolution)
        parts = partition_cells(cells, partition_resolution(resolution))
        got = pd.concat(
            [population_from_raster(info, part, resolution=resolution, area=area) for part in parts.values()]
        )
        frame = gpd.GeoDataFrame(geometry=shapely.intersection(cells_to_polygons(got.index), area), crs=4326)
        with rasterio.open(SOURCE) as src:
            ref = exact_extract(src, frame, "sum", output="pandas")["sum"].to_numpy(dtype=float)
            inside = float(
                exact_extract(src, gpd.GeoDataFrame(geometry=[area], crs=4326), "sum", output="pandas")[
                    "sum"
                ].iloc[0]
            )
        error = np.abs(got.to_numpy() - ref)
        rel = error / np.maximum(ref, 1.0)  # relative, or absolute people below one person
        print(
            f"r{resolution:<3} {len(cells):>7,} {error.max():>14.3g} {rel.max():>14.3g} "
            f"{np.median(rel):>11.3g} {np.quantile(rel, 0.95):>9.3g} {got.sum() - inside:>20.3g}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, default=16)
    parser.add_argument("--resolution", type=int, default=7)
    parser.add_argument("--exactness", action="store_true", help="per-cell error against exactextract")
    args = parser.parse_args()
    if args.exactness:
        return exactness()
    import urbanrisk as ur
    from urbanrisk.pipeline import build_grid, load_layers, study_area
    from urbanrisk.synth import synth_raster

    with tempfile.TemporaryDirectory() as tmp:
        path, recipe_path = synth_raster(SOURCE, args.tiles, Path(tmp), resolution=args.resolution)
        with rasterio.open(path) as src:
            pixels = src.width * src.height
            total = float(src.read(1).astype("float64").sum())
        recipe = ur.load_recipe(recipe_path)
        layers = load_layers(recipe)
        area = study_area(recipe, layers)
        start = time.perf_counter()
        grid = build_grid(recipe, layers, area)
        ours = time.perf_counter() - start
        start = time.perf_counter()
        reference = baseline(path, args.resolution)
        theirs = time.perf_counter() - start
    print(
        f"raster {pixels / 1e6:.1f} M pixels ({args.tiles} x {args.tiles} Accra), H3 r{args.resolution}, "
        f"total {total:,.0f} people"
    )
    print(f"{'method':<40} {'seconds':>8} {'M pixels/s':>11} {'total rel. error':>17}")
    for name, seconds, found in (
        ("h3ronpy coordinates_to_cells + group-by", theirs, float(reference.sum())),
        (f"urbanrisk grid stage ({len(grid):,} cells)", ours, float(grid["residents"].sum())),
    ):
        print(
            f"{name:<40} {seconds:>8.2f} {pixels / seconds / 1e6:>11.2f} {abs(found - total) / total:>17.2e}"
        )
    print(f"urbanrisk / baseline time: {ours / theirs:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
