"""The OSM read against its physical limit (issue #17): ``osm_from_file`` against ``osmium export -f
geojsonseq`` (libosmium in C++: every feature with its geometry) on the same synthetic metropolis.

Each reader runs in a fresh child process, ``--repeat`` times, interleaved (so that both see the same
machine load), and the medians are printed: wall seconds, CPU seconds (user + system, every thread:
the number that matters least on a loaded machine) and peak memory (``VmHWM`` of the Python child;
``ru_maxrss`` of the osmium process). The Python reader's seconds are those of the read, imports
excluded (shown apart). ``--before SRC`` adds the reader of another source tree (e.g. a checkout of
the previous commit's ``src``) as a third reader. The ``osmium`` command (Debian's ``osmium-tool``)
is the reference, not a dependency: without it only the Python readers run. ``--gdal`` adds GDAL's OSM
driver (:mod:`gdal_osm`: raw Arrow tables of its points, lines and multipolygons, no layers made of
them): ``pyogrio`` (one parse per layer) and ``one_pass`` (one interleaved pass, a lean process).

    .venv/bin/python benchmarks/osm_read.py [--tiles 8 16] [--repeat 3] [--before /path/to/src]
        [--gdal pyogrio one_pass] [--renumber]

``--renumber`` reads the metropolis renumbered by ``osmium renumber`` (ids from 1, as real extracts
have them: the synthetic ids from 9e15 are too large for GDAL's own node index, which it then uses).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, WUDAOKOU_OSM, machine_line

READ = """
import json, resource, sys, time
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
start, cpu0 = time.perf_counter(), cpu()
from urbanrisk.layers.osm import osm_from_file
imported, cpu1 = time.perf_counter(), cpu()
osm = osm_from_file(sys.argv[1])
done = time.perf_counter()
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
rows = len(osm.buildings) + len(osm.pois) + len(osm.landuse) + len(osm.streets)
print(json.dumps({"seconds": done - imported, "cpu": cpu() - cpu1, "import_s": imported - start,
                  "peak_mb": peak, "rows": rows}))
"""
OSMIUM = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(["osmium", "export", "-f", "geojsonseq", "-O", "-o", sys.argv[2], sys.argv[1]], check=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
                  "import_s": 0.0, "peak_mb": usage.ru_maxrss / 1024, "rows": 0}))
"""
GDAL = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[5])
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
start, cpu0 = time.perf_counter(), cpu()
import gdal_osm, pyarrow
if sys.argv[3] == "pyogrio":
    import pyogrio
imported, cpu1 = time.perf_counter(), cpu()
tables = gdal_osm.READERS[sys.argv[3]](sys.argv[1], sys.argv[4])
done = time.perf_counter()
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
print(json.dumps({"seconds": done - imported, "cpu": cpu() - cpu1, "import_s": imported - start,
                  "peak_mb": peak, "rows": sum(table.num_rows for table in tables.values())}))
"""


def _gdal_config(folder: Path) -> Path:
    """The benchmark's ``osmconf.ini`` (the shipped tag table's keys as columns), written in ``folder``."""
    from gdal_osm import osmconf

    from urbanrisk.layers.tables import osm_tag_table

    path = folder / "osmconf.ini"
    path.write_text(osmconf(list(dict.fromkeys(osm_tag_table().index.get_level_values(0)))))
    return path


def _child(code: str, src: Path, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False, env=env
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def _load() -> str:
    return "load average " + " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, nargs="+", default=[8, 16], help="N: an N x N metropolis")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each reader (medians printed)")
    parser.add_argument("--before", type=Path, help="another source tree whose reader to time too")
    parser.add_argument("--renumber", action="store_true", help="ids from 1 (osmium renumber)")
    parser.add_argument("--gdal", nargs="*", default=[], choices=["pyogrio", "one_pass"], help="GDAL readers")
    args = parser.parse_args()
    from urbanrisk.synth import synth_metro

    print(machine_line())
    scratch = tempfile.TemporaryDirectory()
    config, bench = _gdal_config(Path(scratch.name)), Path(__file__).resolve().parent
    readers = {"osm_from_file": (READ, ROOT / "src", ())}
    if args.before is not None:
        readers["before"] = (READ, args.before, ())
    for way in args.gdal:
        readers[f"gdal {way}"] = (GDAL, ROOT / "src", (way, str(config), str(bench)))
    if shutil.which("osmium"):
        readers["osmium export"] = (OSMIUM, ROOT / "src", ())
    else:
        print("osmium CLI: not installed on this machine (no C++ reference in this run)")
    print(f"{'tiles':>5} {'.pbf MB':>8} {'reader':<16} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'rows':>9}")
    for tiles in args.tiles:
        with tempfile.TemporaryDirectory() as tmp:
            pbf, _ = synth_metro(WUDAOKOU_OSM, tiles, Path(tmp))
            if args.renumber:
                renumbered = Path(tmp) / "renumbered.osm.pbf"
                subprocess.run(["osmium", "renumber", "-O", "-o", str(renumbered), str(pbf)], check=True)
                pbf = renumbered
                os.environ["OSM_USE_CUSTOM_INDEXING"] = "YES"  # GDAL's own node index (gdal_osm)
            print(f"{tiles * tiles:>5} tiles, before the runs: {_load()}")
            runs: dict[str, list[dict]] = {name: [] for name in readers}
            for _ in range(args.repeat):
                for name, (code, src, extra) in readers.items():
                    runs[name].append(_child(code, src, str(pbf), str(Path(tmp) / "out.geojsonseq"), *extra))
            size = pbf.stat().st_size / 1e6
            medians = {name: _median(results) for name, results in runs.items()}
            for name, r in medians.items():
                print(
                    f"{tiles * tiles:>5} {size:>8.1f} {name:<16} {r['seconds']:>7.2f} {r['cpu']:>7.2f} "
                    f"{r['peak_mb']:>8,.0f} {r['rows']:>9,.0f}"
                )
                each = " ".join(f"{run['cpu']:.2f}/{run['peak_mb']:.0f}" for run in runs[name])
                print(f"{'':>5} {'':>8} {'':<16} runs (cpu s/peak MB, in order): {each}")
            read = medians["osm_from_file"]
            print(f"{tiles * tiles:>5} tiles, after the runs: {_load()}; imports {read['import_s']:.2f} s")
            for name in medians:
                if name != "osm_from_file":
                    ratios = {key: read[key] / medians[name][key] for key in ("seconds", "cpu", "peak_mb")}
                    print(
                        f"{tiles * tiles:>5} osm_from_file / {name}: wall {ratios['seconds']:.2f}x, "
                        f"cpu {ratios['cpu']:.2f}x, peak {ratios['peak_mb']:.2f}x"
                    )
    scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
