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
        [--gdal pyogrio one_pass] [--renumber] [--stages] [--ingest]

``--ingest`` adds ``ingest_osm`` (the read of ``compute: {ingest: partitioned}``: the same pass, its rows
written by H3 parent of resolution 6, as a resolution-10 grid partitions them, into a temporary folder,
then every partition finished: buildings completed, files compacted), in the same alternation.

``--stages`` times the Python reader's stages in its child, CPU s of each less the stages inside it
(the pass with its callbacks, the area rows made columns, the tagged-object count, the buildings
completed, the street text parsed, the frames), and its memory: the process after its imports (the
floor of any reader in it) and after the read with the layers alive; ``floor`` is the same pass with
a no-op callback per area (libosmium's work and pyosmium's call per area: what no Python code in the
callbacks can go below).

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

#: what every child script starts with: its own CPU seconds and a line of /proc/self/status, in MB
MEASURE = """
import json, resource, sys, tempfile, time
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
def status(key):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(key)) / 1024
"""
READ = (
    MEASURE
    + """
start, cpu0 = time.perf_counter(), cpu()
from urbanrisk.layers.osm import osm_from_file
imported, cpu1 = time.perf_counter(), cpu()
osm = osm_from_file(sys.argv[1])
done = time.perf_counter()
peak = status("VmHWM")
rows = len(osm.buildings) + len(osm.pois) + len(osm.landuse) + len(osm.streets)
print(json.dumps({"seconds": done - imported, "cpu": cpu() - cpu1, "import_s": imported - start,
                  "peak_mb": peak, "rows": rows}))
"""
)
STAGES = (
    MEASURE
    + """
import collections, functools
import urbanrisk.layers.osm as osm
from urbanrisk.layers import osm_pass
spent, nested = collections.defaultdict(float), [0.0]  # a stage's own CPU: less the stages inside it
def timed(owner, name, stage):
    inner = getattr(owner, name)
    @functools.wraps(inner)
    def call(*args, **kwargs):
        start, nested[0], outer = cpu(), 0.0, nested[0]
        try:
            return inner(*args, **kwargs)
        finally:
            took = cpu() - start
            spent[stage] += took - nested[0]
            nested[0] = outer + took
    setattr(owner, name, call)
for owner, name, stage in [(osm, "run_pass", "pass"), (osm.LayerColumns, "take", "area columns"),
        (osm, "tagged_summary", "tagged count"), (osm, "complete_buildings", "buildings completed"),
        (osm_pass, "_parse_ways", "street text"), (osm._WholeCollector, "add_street_block", "street blocks"),
        (osm._WholeCollector, "street_frame", "street frame"), (osm.StreetNodes, "frame", "street nodes")]:
    timed(owner, name, stage)
imported = status("VmRSS")
start = cpu()
layers = osm.osm_from_file(sys.argv[1])
total = cpu() - start
stages = dict(spent)
stages["other"] = total - sum(stages.values())
print(json.dumps({"cpu": total, "imported_mb": imported, "after_mb": status("VmRSS"),
                  "peak_mb": status("VmHWM"), **{"s " + key: value for key, value in stages.items()}}))
"""
)
FLOOR = (
    MEASURE
    + """
from pathlib import Path
from urbanrisk.layers import osm
from urbanrisk.layers.osm_pass import run_pass
tables = osm.default_tables()
collector = osm._WholeCollector(*tables)
with tempfile.TemporaryDirectory() as folder:
    start = cpu()
    run_pass(Path(sys.argv[1]), Path(folder), tuple(collector.rules), lambda area: None, collector.node,
             collector.outers.relation)
    print(json.dumps({"cpu": cpu() - start}))
"""
)
INGEST = (
    MEASURE
    + """
start, cpu0 = time.perf_counter(), cpu()
from urbanrisk.ingest import ingest_osm
imported, cpu1 = time.perf_counter(), cpu()
with tempfile.TemporaryDirectory() as folder:
    store = ingest_osm(sys.argv[1], folder + "/store", partition_resolution=6)
    done = time.perf_counter()
    peak = status("VmHWM")
rows = sum(int(store.manifest["stats"][layer]) for layer in ("buildings", "pois", "landuse", "streets"))
print(json.dumps({"seconds": done - imported, "cpu": cpu() - cpu1, "import_s": imported - start,
                  "peak_mb": peak, "rows": rows}))
"""
)
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


def _print_stages(tiles: int, stages: dict, runs: list[dict], floor_cpu: float, osmium: dict | None) -> None:
    """The Python reader's stages (median CPU s of each), its memory, and the pass's floor."""
    parts = " · ".join(f"{key[2:]} {value:.2f}" for key, value in stages.items() if key.startswith("s "))
    each = " ".join(f"{run['cpu']:.2f}" for run in runs)
    print(f"{tiles:>5} stages (median CPU s of {len(runs)} runs, {each} in all): {parts}")
    print(
        f"{tiles:>5} memory: {stages['imported_mb']:.0f} MB after the imports, {stages['after_mb']:.0f} MB "
        f"with the layers read, peak {stages['peak_mb']:.0f} MB; the pass with a no-op area callback "
        f"{floor_cpu:.2f} CPU s"
    )
    if osmium is not None:
        print(
            f"{tiles:>5} vs osmium export: imports alone {stages['imported_mb'] / osmium['peak_mb']:.2f}x"
            f" its peak; the no-op pass {floor_cpu / osmium['cpu']:.2f}x its CPU"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, nargs="+", default=[8, 16], help="N: an N x N metropolis")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each reader (medians printed)")
    parser.add_argument("--before", type=Path, help="another source tree whose reader to time too")
    parser.add_argument("--renumber", action="store_true", help="ids from 1 (osmium renumber)")
    parser.add_argument("--ingest", action="store_true", help="ingest_osm too (compute.ingest: partitioned)")
    parser.add_argument("--stages", action="store_true", help="the Python reader's stages and memory")
    parser.add_argument("--gdal", nargs="*", default=[], choices=["pyogrio", "one_pass"], help="GDAL readers")
    args = parser.parse_args()
    from urbanrisk.synth import synth_metro

    print(machine_line())
    scratch = tempfile.TemporaryDirectory()
    config, bench = _gdal_config(Path(scratch.name)), Path(__file__).resolve().parent
    readers = {"osm_from_file": (READ, ROOT / "src", ())}
    if args.before is not None:
        readers["before"] = (READ, args.before, ())
    if args.ingest:
        readers["ingest_osm"] = (INGEST, ROOT / "src", ())
    if args.stages:
        readers["stages"] = (STAGES, ROOT / "src", ())
        readers["floor"] = (FLOOR, ROOT / "src", ())
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
            stages, floor = medians.pop("stages", None), medians.pop("floor", None)
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
            if stages is not None and floor is not None:
                _print_stages(
                    tiles * tiles, stages, runs["stages"], floor["cpu"], medians.get("osmium export")
                )
    scratch.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
