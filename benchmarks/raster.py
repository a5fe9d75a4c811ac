"""Population raster -> H3 (issue #8, benchmark 2): urbanrisk's grid stage against the h3ronpy
baseline (pixel centres -> ``coordinates_to_cells`` -> group-by sum) on a raster of >= 50 M pixels.

The raster is the Accra WorldPop raster mirror-tiled N x N (16 x 16: 7,376 x 7,376 = 54 M pixels,
float32, DEFLATE), written once to a temporary folder. Both methods must conserve the raster's total.

    .venv/bin/python benchmarks/raster.py [--tiles 16] [--resolution 7]
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, default=16)
    parser.add_argument("--resolution", type=int, default=7)
    args = parser.parse_args()
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
