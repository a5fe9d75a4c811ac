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
from rasterio.windows import Window

SOURCE = ROOT / "layers" / "accra" / "accra_worldpop_2015adj.tif"


def tile_raster(tiles: int, path: Path) -> tuple[int, float]:
    """Write the mirror-tiled raster; returns its pixel count and its total (float64 sum)."""
    with rasterio.open(SOURCE) as src:
        block = src.read(1, masked=True).filled(0.0).astype("float32")
        profile = src.profile
        transform = src.transform
    h, w = block.shape
    profile.update(
        width=w * tiles,
        height=h * tiles,
        dtype="float32",
        nodata=-1.0,
        compress="deflate",
        tiled=True,
        blockxsize=512,
        blockysize=512,
        count=1,
    )
    total = 0.0
    with rasterio.open(path, "w", **profile) as dst:
        for j in range(tiles):
            for i in range(tiles):
                data = block[:, ::-1] if i % 2 else block
                data = data[::-1, :] if j % 2 else data
                dst.write(data, 1, window=Window(i * w, j * h, w, h))
                total += float(data.astype("float64").sum())
    del transform
    return w * tiles * h * tiles, total


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

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "metro_pop.tif"
        pixels, total = tile_raster(args.tiles, path)
        recipe_path = Path(tmp) / "r.yaml"
        recipe_path.write_text(
            f"name: pop\narea: {{layer: population}}\ngrid: {{resolution: {args.resolution}}}\n"
            f"layers: {{population: {{type: raster, path: {path}}}}}\noutputs: {{dir: {tmp}/out}}\n",
            encoding="utf-8",
        )
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
