"""What reading an .xls's merges costs (session 18, office18): xlrd reads a sheet's merges only with
``formatting_info=True``. CPU seconds and peak RSS of a child process reading a 65,000-row .xls registry
(8 columns, its 所属街道 cell merged over every 50 rows: 1,300 merges; .xls holds at most 65,536 rows)
with ``rows_from_file``, the tree given by --src (alternate base and new trees in the caller).

    python benchmarks/office18_xls.py --src /path/to/src [--plain]

``--plain``: the same workbook without merges. Data are made in /tmp/office18_bench with xlwt.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

DATA = Path("/tmp/office18_bench")
ROWS = 65_000
MERGED_ROWS = 50  # a 街道 cell merged over each 50 rows


def make_xls(path: Path, *, merged: bool) -> None:
    """The registry (header in row 1, data rows below), 街道 merged over each 50 rows when ``merged``."""
    import xlwt

    if path.is_file():
        return
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    for j, name in enumerate(["id", "名称", "类别", "所属街道", "经度", "纬度", "物质", "最大存量"]):
        sheet.write(0, j, name)
    for i in range(ROWS):
        row = 1 + i
        lon, lat = 116.30 + (i % 400) * 0.0005, 39.90 + (i // 400) * 0.0008
        for j, value in enumerate([f"H{i}", f"站点{i}", "加油站", None, lon, lat, "汽油", "30吨"]):
            if value is not None:
                sheet.write(row, j, value)
        if i % MERGED_ROWS == 0:
            street = f"街道{i // MERGED_ROWS}"
            if merged:
                sheet.write_merge(row, min(row + MERGED_ROWS - 1, ROWS), 3, 3, street)
            else:
                sheet.write(row, 3, street)
    book.save(str(path))


def child(path: str) -> None:
    from urbanrisk.layers.tabular import rows_from_file

    start = time.process_time()
    table = rows_from_file(path, layer="haz")
    cpu = time.process_time() - start
    blank = sum(not row[3] for row in table.rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"cpu": round(cpu, 2), "rows": len(table.rows), "blank_street": blank, "peak_mb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", required=True)
    parser.add_argument("--plain", action="store_true", help="the workbook without merges")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / ("plain.xls" if args.plain else "merged.xls")
    make_xls(path, merged=not args.plain)
    env = {"PYTHONPATH": args.src, "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path)], env=env, capture_output=True, text=True
    )
    print(out.stdout.strip() or out.stderr[-500:])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
