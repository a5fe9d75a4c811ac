"""Streaming OSM ingest (issue #17): peak memory and seconds of the whole-file read against the
streaming ingest into a partitioned store, on the synthetic metropolis (.osm.pbf).

Each reader runs in a fresh child process. Its peak memory is ``VmHWM`` (/proc/self/status), not
``ru_maxrss``: Linux carries ``ru_maxrss`` over ``execve``, so a child forked from this (large, having
built the metropolis) process would report at least the parent's size.

- ``osm_from_file``: every layer of the city as frames in one process;
- ``ingest_osm``: the same pass, rows written out every ``--flush`` rows by H3 parent (resolution 6,
  the default partitions of a resolution-10 grid) into a local folder, buildings completed per
  partition;
- ``osmium export -f geojsonseq`` (libosmium in C++), when the ``osmium`` command is installed.

    .venv/bin/python benchmarks/stream_ingest.py [--tiles 8 16] [--flush 50000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import WUDAOKOU_OSM, machine_line

WHOLE = """
import json, resource, sys, time
PEAK
from urbanrisk.layers.osm import osm_from_file
start = time.perf_counter()
osm = osm_from_file(sys.argv[1])
rows = len(osm.buildings) + len(osm.pois) + len(osm.landuse) + len(osm.streets)
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows,
                  "peak_mb": peak_mb()}))
"""
STREAM = """
import json, resource, sys, time
PEAK
from urbanrisk.ingest import ingest_osm
start = time.perf_counter()
store = ingest_osm(sys.argv[1], sys.argv[2], partition_resolution=6, flush_rows=int(sys.argv[3]))
stats = store.manifest["stats"]
rows = sum(stats[k] for k in ("buildings", "pois", "landuse", "streets"))
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows,
                  "partitions": len(store.parts("buildings")), "chunks": store.manifest["chunks"],
                  "peak_mb": peak_mb()}))
"""
OSMIUM = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(["osmium", "export", "-f", "geojsonseq", "-O", "-o", sys.argv[2], sys.argv[1]], check=True)
print(json.dumps({"seconds": time.perf_counter() - start, "rows": 0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""
BASELINE = """
import json, resource
PEAK
import geopandas, pyarrow.parquet, osmium, urbanrisk.ingest
print(json.dumps({"seconds": 0.0, "rows": 0,
                  "peak_mb": peak_mb()}))
"""


_PEAK = """
def peak_mb():
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""


def _child(code: str, *args: str) -> dict:
    code = code.replace("PEAK", _PEAK)
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, nargs="+", default=[8, 16], help="N: an N x N metropolis")
    parser.add_argument(
        "--flush",
        type=int,
        nargs="+",
        default=[50_000, 10_000],
        help="rows per chunk of the streaming ingest",
    )
    args = parser.parse_args()
    from urbanrisk.synth import synth_metro

    print(machine_line())
    has_osmium = shutil.which("osmium") is not None
    if not has_osmium:
        print("osmium CLI: not installed on this machine (no C++ reference in this run)")
    base = _child(BASELINE)
    print(f"imports alone (geopandas, pyarrow, pyosmium, urbanrisk): {base['peak_mb']:,.0f} MB")
    print(f"{'tiles':>5} {'.pbf MB':>8} {'reader':<17} {'seconds':>8} {'peak MB':>8} {'rows':>9}  notes")
    for tiles in args.tiles:
        with tempfile.TemporaryDirectory() as tmp:
            pbf, _ = synth_metro(WUDAOKOU_OSM, tiles, Path(tmp))
            size = pbf.stat().st_size / 1e6
            results = {"osm_from_file": _child(WHOLE, str(pbf))}
            for flush in args.flush:
                store = str(Path(tmp) / f"store-{flush}")
                results[f"ingest_osm {flush // 1000}k"] = _child(STREAM, str(pbf), store, str(flush))
            if has_osmium:
                results["osmium export"] = _child(OSMIUM, str(pbf), str(Path(tmp) / "out.geojsonseq"))
            for name, r in results.items():
                note = f"{r['partitions']} partitions, {r['chunks']} chunks" if "chunks" in r else ""
                line = (
                    f"{tiles * tiles:>5} {size:>8.1f} {name:<17} {r['seconds']:>8.2f} {r['peak_mb']:>8,.0f}"
                )
                print(f"{line} {r['rows']:>9,}  {note}")
            whole = results["osm_from_file"]
            for flush in args.flush:
                stream = results[f"ingest_osm {flush // 1000}k"]
                print(
                    f"{tiles * tiles:>5} ingest_osm {flush // 1000}k / osm_from_file: "
                    f"time {stream['seconds'] / whole['seconds']:.2f}x, "
                    f"peak {stream['peak_mb'] / whole['peak_mb']:.2f}x, peak above imports "
                    f"{(stream['peak_mb'] - base['peak_mb']) / (whole['peak_mb'] - base['peak_mb']):.2f}x"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
