"""What round 13's readers cost (session 19, office19): CPU seconds and peak RSS of a child process
running, in the tree given by --src (alternate base and new trees in the caller):

- ``validate``: ``urbanrisk validate`` of a recipe whose hazard registry is a KML of 20,000 points (the
  new tree reads it with the run's reader to say what the run will refuse; main read nothing of it);
- ``wkt``: ``points_from_file`` on a CSV of 20,000 rows whose places are a WKT column (main refuses it:
  "has no lon column", so its time is that of the refusal);
- ``lonlat``: the same rows with 经度 / 纬度 columns (no change expected: the baseline).

    python benchmarks/office19_reads.py --src /path/to/src --case validate|wkt|lonlat

Data are made in /tmp/office19_bench.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
from pathlib import Path

DATA = Path("/tmp/office19_bench")
ROWS = 20_000


def _places() -> list[tuple[float, float]]:
    return [(116.30 + (i % 200) * 0.0001, 39.98 + (i // 200) * 0.0001) for i in range(ROWS)]


def make_data() -> None:
    """The KML, the WKT CSV, the lon/lat CSV, a raster of the area and the recipe (once)."""
    DATA.mkdir(parents=True, exist_ok=True)
    if (DATA / "r.yaml").is_file():
        return
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    places = _places()
    marks = "".join(
        f"<Placemark><name>s{i}</name><Point><coordinates>{x},{y}</coordinates></Point></Placemark>"
        for i, (x, y) in enumerate(places)
    )
    (DATA / "h.kml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>{marks}'
        "</Document></kml>",
        encoding="utf-8",
    )
    rows = "".join(f"s{i},加油站,POINT ({x} {y})\n" for i, (x, y) in enumerate(places))
    (DATA / "wkt.csv").write_text("名称,类别,WKT\n" + rows, encoding="utf-8")
    rows = "".join(f"s{i},加油站,{x},{y}\n" for i, (x, y) in enumerate(places))
    (DATA / "lonlat.csv").write_text("名称,类别,经度,纬度\n" + rows, encoding="utf-8")
    profile = {
        "driver": "GTiff",
        "width": 40,
        "height": 40,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:4326",
    }
    with rasterio.open(
        DATA / "p.tif", "w", **profile, transform=from_origin(116.30, 40.0, 0.001, 0.001)
    ) as dst:
        dst.write(np.ones((40, 40), dtype="float32"), 1)
    (DATA / "r.yaml").write_text(
        f"name: r\narea: {{layer: pop}}\ngrid: {{resolution: 9}}\noutputs: {{dir: {DATA / 'out'}}}\nlayers:\n"
        f"  pop: {{type: raster, path: {DATA / 'p.tif'}}}\n"
        f"  h: {{type: points, role: hazard, kind: fuel, path: {DATA / 'h.kml'}}}\n",
        encoding="utf-8",
    )


CHILD = """
import resource, sys, time
from pathlib import Path
case, data = sys.argv[1], Path(sys.argv[2])
if case == "validate":
    from urbanrisk.cli import main
    start = time.process_time()
    try:
        main(["validate", str(data / "r.yaml")])
    except SystemExit:
        pass
else:
    from urbanrisk._errors import LayerError
    from urbanrisk.layers.points import points_from_file
    start = time.process_time()
    try:
        points_from_file(data / f"{case}.csv", layer="h", role="hazard", kind_column="类别")
    except LayerError as exc:
        print("refused:", str(exc)[:80], file=sys.stderr)
print(time.process_time() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", required=True)
    parser.add_argument("--case", choices=["validate", "wkt", "lonlat"], required=True)
    args = parser.parse_args()
    make_data()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, args.case, str(DATA)],
        env={"PYTHONPATH": args.src, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    cpu, rss = (float(v) for v in done.stdout.split()[-2:])
    total = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"case": args.case, "src": args.src, "cpu_s": round(cpu, 2), "rss_mb": round(rss),
                      "child_cpu_s": round(total.ru_utime + total.ru_stime, 2)}))  # fmt: skip


if __name__ == "__main__":
    main()
