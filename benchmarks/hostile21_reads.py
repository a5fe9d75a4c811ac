"""What round 14's bounds cost and save (session 20, hostile21): CPU seconds and peak RSS of a child process
reading, in the tree given by --src (alternate the start tree and the branch in the caller):

- ``rows``: an .xlsx registry of 20,000 rows (the baseline: no change expected);
- ``xfd1``: the same with a stray 'x' in XFD1 (the header's row);
- ``xfd9000``: 3 rows and a stray 'x' in XFD9000;
- ``a1048576``: 3 rows and a stray 'x' in A1048576 (office19's case);
- ``osm``: the josm / giant-comment pass over the shipped Wudaokou extract (2.4 MB), 20 times.

    python benchmarks/hostile21_reads.py --src /path/to/src --case rows|xfd1|xfd9000|a1048576|osm

Data are made in /tmp/hostile21_bench. A case the child does not finish within --timeout s prints so.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

DATA = Path("/tmp/hostile21_bench")
STRAYS = {"rows": None, "xfd1": (1, 16_384), "xfd9000": (9_000, 16_384), "a1048576": (1_048_576, 1)}
WUDAOKOU = Path(__file__).resolve().parents[1] / "layers" / "beijing-wudaokou" / "wudaokou_2017.osm"

CHILD = """
import json, resource, sys, time
from pathlib import Path
case, path = sys.argv[1], Path(sys.argv[2])
start = time.process_time()
if case == "osm":
    try:
        from urbanrisk.layers import osm_josm
    except ImportError:  # the start tree: no such pass
        osm_josm = None
    said = "no osm_josm in this tree"
    for _ in range(20 if osm_josm else 0):
        osm_josm._scanned.cache_clear()
        said = osm_josm.josm_message(path)
    out = repr(said)
else:
    from urbanrisk.layers.tabular import rows_from_file
    try:
        out = f"{len(rows_from_file(path, layer='x').rows)} rows"
    except Exception as exc:
        out = f"{type(exc).__name__}: {str(exc)[:60]}"
print(json.dumps({"cpu_s": round(time.process_time() - start, 3),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "result": out}))
"""


def workbook(case: str) -> Path:
    """The case's .xlsx (made once)."""
    import openpyxl

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"{case}.xlsx"
    if path.is_file():
        return path
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "类别", "经度", "纬度"])
    for i in range(20_000 if case in ("rows", "xfd1") else 3):
        sheet.append([f"s{i}", "加油站", 116.30 + (i % 100) * 1e-4, 39.98 + (i // 100) * 1e-5])
    if STRAYS[case] is not None:
        sheet.cell(*STRAYS[case], "x")
    book.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", required=True, help="the tree's src folder")
    parser.add_argument("--case", choices=[*STRAYS, "osm"], required=True)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    path = WUDAOKOU if args.case == "osm" else workbook(args.case)
    env = {"PYTHONPATH": args.src, "PATH": "/usr/bin:/bin"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, args.case, str(path)],
            capture_output=True, text=True, env=env, timeout=args.timeout, check=False,
        )  # fmt: skip
        print(args.src, args.case, done.stdout.strip() or done.stderr.strip()[-300:])
    except subprocess.TimeoutExpired:
        print(args.src, args.case, json.dumps({"cpu_s": f"> {args.timeout}", "result": "not finished"}))


if __name__ == "__main__":
    main()
