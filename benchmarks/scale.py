"""End to end on a synthetic metropolis of 1, 4, 16, 64 and 256 tiles (issue #8, benchmark 3).

Each size is generated with `urbanrisk synth` from the Wudaokou extract and run in a fresh process
(`urbanrisk run`, default scheduler), so that wall time and peak memory are the run's own. Prints one
table; time per cell is compared with the 16-tile run of the same table.

    .venv/bin/python benchmarks/scale.py [--max-tiles 16]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import WUDAOKOU_OSM, machine_line

CHILD = """
import json, resource, sys, time
from urbanrisk.cli import main
start = time.perf_counter()
code = main(["run", sys.argv[1], "--out", sys.argv[2], "--quiet"])
print(json.dumps({"code": code, "wall": time.perf_counter() - start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-tiles", type=int, default=16, help="largest N (N x N tiles)")
    args = parser.parse_args()
    from shapely.geometry import box

    from urbanrisk.grid import area_km2
    from urbanrisk.preflight import area_bounds_hint
    from urbanrisk.recipe import load_recipe
    from urbanrisk.synth import synth_metro

    print(machine_line())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1, 2, 4, 8, 16, 32):
            if n > args.max_tiles:
                break
            _, recipe = synth_metro(WUDAOKOU_OSM, n, Path(tmp))
            out = Path(tmp) / f"out{n}"
            child = subprocess.run(
                [sys.executable, "-c", CHILD, str(recipe), str(out)],
                capture_output=True,
                text=True,
                check=False,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            manifest = json.loads((out / "latest" / "manifest.json").read_text(encoding="utf-8"))
            cells = manifest["counts"]["cells"]
            area = area_km2(box(*area_bounds_hint(load_recipe(recipe))))
            rows.append(
                (
                    n * n,
                    area,
                    cells,
                    manifest["counts"]["buildings"],
                    result["wall"],
                    result["peak_mb"],
                    manifest["timings_s"],
                )
            )
            print(f"  {n * n} tiles done in {result['wall']:.1f} s", flush=True)
    base = next((r for r in rows if r[0] == 16), rows[0])
    print(
        f"\n{'tiles':>6} {'km²':>8} {'cells':>9} {'buildings':>10} {'wall s':>8} {'peak MB':>8} "
        f"{'ms/cell':>8} {'vs 16 tiles':>11}  stages (s)"
    )
    for tiles, area, cells, buildings, wall, peak, stages in rows:
        per_cell = 1000 * wall / cells
        ratio = per_cell / (1000 * base[4] / base[2])
        stage_text = " ".join(f"{k} {v:.1f}" for k, v in stages.items())
        sizes = f"{tiles:>6} {area:>8,.0f} {cells:>9,} {buildings:>10,}"
        print(f"{sizes} {wall:>8.1f} {peak:>8,.0f} {per_cell:>8.2f} {ratio:>10.2f}x  {stage_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
