"""What session 22's OSM checks cost (ids23): validate's light pass
(:func:`urbanrisk.osm_check.osm_read_problems`, which now writes the tagged objects as OPL and compares
their ids) and the run's read
(:func:`urbanrisk.layers.osm.osm_from_file`: the repeated-id check over the tagged OPL, the
``building:levels`` values counted), under two source trees, alternated (A B A B ...), each call in a
fresh child process: CPU seconds of the call (user + system, every thread; imports excluded) and the
child's peak memory (VmHWM).

    python benchmarks/osm_checks_cost.py BASE_SRC NEW_SRC EXTRACT [--pairs 3] [--what validate read]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = """
import json, resource, sys
from pathlib import Path
what, path = sys.argv[1], Path(sys.argv[2])
from urbanrisk.layers.tables import osm_tag_table
from urbanrisk.osm_check import osm_read_problems
from urbanrisk.layers.osm import osm_from_file
tags = tuple(osm_tag_table().index)
def cpu():
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime
start = cpu()
if what == "validate":
    problems = osm_read_problems(path, tags)
    assert problems == [], problems
else:
    osm_from_file(path)
spent = cpu() - start
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"cpu": spent, "peak_mb": peak / 1024}))
"""


def once(src: str, what: str, extract: str) -> dict[str, float]:
    """One child's CPU seconds of the call and its peak memory (MB)."""
    env = {**os.environ, "PYTHONPATH": src}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, what, extract], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("new")
    parser.add_argument("extract")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--what", nargs="+", default=["validate", "read"], choices=["validate", "read"])
    args = parser.parse_args()
    for what in args.what:
        got: dict[str, list[dict[str, float]]] = {"base": [], "new": []}
        for _ in range(args.pairs):
            for name, src in (("base", args.base), ("new", args.new)):
                got[name].append(once(src, what, args.extract))
        for name, runs in got.items():
            cpu = [r["cpu"] for r in runs]
            peak = [r["peak_mb"] for r in runs]
            listed = ", ".join(f"{v:.2f}" for v in cpu)
            print(
                f"{what} {name}: CPU median {statistics.median(cpu):.2f} s ({listed}); VmHWM median "
                f"{statistics.median(peak):.0f} MB ({', '.join(f'{v:.0f}' for v in peak)})"
            )
        ratios = [n["cpu"] / b["cpu"] for b, n in zip(got["base"], got["new"], strict=True)]
        peaks = [n["peak_mb"] / b["peak_mb"] for b, n in zip(got["base"], got["new"], strict=True)]
        print(
            f"{what} new / base: CPU median {statistics.median(ratios):.3f} "
            f"(pairs {', '.join(f'{r:.2f}' for r in ratios)}); VmHWM median {statistics.median(peaks):.3f}"
        )


if __name__ == "__main__":
    main()
