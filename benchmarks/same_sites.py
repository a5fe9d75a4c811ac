"""CPU cost of counting each vulnerable site once (same_sites.vulnerable_sites + the grid's recount)
against the per-feature count it replaces (indicators.role_counts over the same cells), on the
synthetic metropolis: ``python benchmarks/same_sites.py /work/bench/t16/metro_16x16.yaml``."""

from __future__ import annotations

import resource
import sys
import time

import urbanrisk as ur
from urbanrisk import grid as gridmod
from urbanrisk.indicators import role_counts
from urbanrisk.pipeline import load_layers, study_area
from urbanrisk.same_sites import vulnerable_site_counts, vulnerable_sites


def main(path: str, rounds: int = 3) -> None:
    recipe = ur.load_recipe(path)
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    cells = gridmod.cells_from_area(area, recipe.grid.resolution)
    pois = layers.pois
    print(f"{recipe.name}: {len(pois):,} POI rows, {len(cells):,} cells")
    for _ in range(rounds):  # alternated: A B A B ...
        t0 = time.process_time()
        per_feature = role_counts(pois, cells, resolution=recipe.grid.resolution)["vulnerable_sites"]
        t1 = time.process_time()
        sites = vulnerable_sites(pois)
        per_site = vulnerable_site_counts(sites, cells, recipe.grid.resolution)
        t2 = time.process_time()
        print(
            f"  per feature {t1 - t0:.3f} s CPU ({per_feature.sum():,.0f}); "
            f"per site {t2 - t1:.3f} s CPU ({per_site.sum():,.0f} sites, {len(sites):,} rows)"
        )
    print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1])
