"""What office16's checks cost (session 16): a registry's text cleaned of control characters and its
街道 / 社区 columns kept for the unit check, negative / infinite pixels looked for in each raster window,
validate's block scan. CPU seconds of a child process, the tree given by --src, alternated by the caller.
Session 17 (office17): ``xlsx`` reads a 100,000-row .xlsx registry whose 街道 cells are merged down over
every 50 rows (2,000 merges), ``xlsx_plain`` the same without merges (the sheet's XML searched for none).

    python benchmarks/office16_costs.py --src /path/to/src --case registry|raster|validate|units|xlsx|...

Data are made in /tmp/office16_bench (20,000 registry rows; a 4,000 x 4,000 float32 raster; 400 units;
the .xlsx of 100,000 rows).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

DATA = Path("/tmp/office16_bench")
ROWS = 20_000
XLSX_ROWS = 100_000
MERGED_ROWS = 50  # a 街道 cell merged over each 50 rows


def make_xlsx() -> None:
    """The 100,000-row registries (written in write-only mode; the merges put into the sheet's XML, as
    Excel writes them after the cells)."""
    import zipfile

    import openpyxl

    if (DATA / "merged.xlsx").is_file():
        return
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append(["id", "名称", "类别", "所属街道", "经度", "纬度", "物质", "最大存量"])
    for i in range(XLSX_ROWS):
        street = f"街道{i // MERGED_ROWS}" if i % MERGED_ROWS == 0 else None
        lon, lat = 116.30 + (i % 400) * 0.0005, 39.90 + (i // 400) * 0.0008
        sheet.append([f"H{i}", f"站点{i}", "加油站", street, lon, lat, "汽油", "30吨"])
    book.save(DATA / "plain.xlsx")
    refs = "".join(
        f'<mergeCell ref="D{2 + i}:D{1 + i + MERGED_ROWS}"/>' for i in range(0, XLSX_ROWS, MERGED_ROWS)
    )
    cells = f'<mergeCells count="{XLSX_ROWS // MERGED_ROWS}">{refs}</mergeCells>'.encode()
    with zipfile.ZipFile(DATA / "plain.xlsx") as src, zipfile.ZipFile(DATA / "merged.xlsx", "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b"</sheetData>", b"</sheetData>" + cells)
            dst.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)


def make_data() -> None:
    import geopandas as gpd
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin
    from shapely.geometry import box

    DATA.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    if not (DATA / "registry.csv").is_file():
        lon, lat = 116.30 + rng.random(ROWS) * 0.2, 39.90 + rng.random(ROWS) * 0.2
        lines = ["id,名称,类别,所属街道,社区,经度,纬度,物质,最大存量"]
        for i in range(ROWS):
            name = f"站点{i}" + ("\x00" if i % 1000 == 0 else "")
            col, row = int((lon[i] - 116.30) / 0.01), int((lat[i] - 39.90) / 0.01)
            lines.append(
                f"H{i},{name},加油站,街道{col // 5},社区{col}_{row},{lon[i]:.6f},{lat[i]:.6f},汽油,30吨"
            )
        (DATA / "registry.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        units = [
            (
                f"C{c}_{r}",
                f"社区{c}_{r}",
                box(116.30 + c * 0.01, 39.90 + r * 0.01, 116.31 + c * 0.01, 39.91 + r * 0.01),
            )
            for c in range(20)
            for r in range(20)
        ]
        gpd.GeoDataFrame(
            {"id": [u[0] for u in units], "name": [u[1] for u in units]},
            geometry=[u[2] for u in units],
            crs=4326,
        ).to_file(DATA / "units.geojson")
    if not (DATA / "people.tif").is_file():
        data = (rng.random((4000, 4000)) * 10).astype("float32")
        profile = {
            "driver": "GTiff",
            "width": 4000,
            "height": 4000,
            "count": 1,
            "dtype": "float32",
            "crs": "EPSG:4326",
            "transform": from_origin(116.30, 40.10, 0.00005, 0.00005),
            "tiled": True,
        }
        with rasterio.open(DATA / "people.tif", "w", **profile) as dst:
            dst.write(data, 1)
    (DATA / "r.yaml").write_text(
        "name: b\narea: {layer: pop}\ngrid: {resolution: 9}\nlayers:\n"
        f"  pop: {{type: raster, path: {DATA / 'people.tif'}}}\n"
        f"  units: {{type: polygons, path: {DATA / 'units.geojson'}, level: community}}\n"
        f"  haz: {{type: points, role: hazard, path: {DATA / 'registry.csv'}, kind_column: 类别}}\n"
        f"outputs: {{dir: {DATA / 'out'}}}\n",
        encoding="utf-8",
    )


def child(case: str) -> None:
    start = time.process_time()
    if case == "registry":
        from urbanrisk.layers.points import points_from_file

        for _ in range(3):
            points_from_file(DATA / "registry.csv", layer="haz", role="hazard", kind_column="类别")
    elif case == "raster":
        from urbanrisk.layers.raster import raster_info, read_window

        info = raster_info(DATA / "people.tif")
        for _ in range(3):
            read_window(info, (116.30, 39.90, 116.50, 40.10))
    elif case in ("xlsx", "xlsx_plain"):
        from urbanrisk.layers.tabular import rows_from_file

        table = rows_from_file(DATA / ("merged.xlsx" if case == "xlsx" else "plain.xlsx"), layer="haz")
        blank = sum(not row[3] for row in table.rows)
        print(
            json.dumps({"cpu": time.process_time() - start, "rows": len(table.rows), "blank_street": blank})
        )
        return
    elif case == "merges":  # the new step alone: the merges read from the XML and filled down
        import openpyxl

        from urbanrisk.layers.xlsx_sheet import filled_down, scan_sheet

        with open(DATA / "merged.xlsx", "rb") as handle:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            raw = [
                ["" if v is None else str(v) for v in row] for row in book["台账"].iter_rows(values_only=True)
            ]
            part = book["台账"]._worksheet_path
            book.close()
            start = time.process_time()
            notes = filled_down(
                raw,
                scan_sheet(DATA / "merged.xlsx", part).merges,
                layer="haz",
                file="merged.xlsx",
                sheet="台账",
            )
        print(json.dumps({"cpu": time.process_time() - start, "notes": len(notes)}))
        return
    elif case == "units":
        from urbanrisk.layers.points import points_from_file
        from urbanrisk.layers.polygons import polygons_from_file
        from urbanrisk.layers.registry_units import registry_unit_notes

        points = points_from_file(DATA / "registry.csv", layer="haz", role="hazard", kind_column="类别")
        units = polygons_from_file(DATA / "units.geojson", layer="units").assign(level="community")
        start = time.process_time()
        for _ in range(3):
            registry_unit_notes([points.attrs["written_units"]], [units])
    print(json.dumps({"cpu": (time.process_time() - start) / 3}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", required=True)
    parser.add_argument(
        "--case",
        required=True,
        choices=["registry", "raster", "validate", "units", "xlsx", "xlsx_plain", "merges"],
    )
    args = parser.parse_args()
    make_data()
    if args.case.startswith(("xlsx", "merges")):
        make_xlsx()
    env = {"PYTHONPATH": args.src, "PATH": "/usr/bin:/bin"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    if args.case == "validate":
        cmd = [sys.executable, "-m", "urbanrisk", "validate", str(DATA / "r.yaml")]
        subprocess.run(cmd, env=env, check=False, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        print(json.dumps({"cpu": cpu, "maxrss_mb": after.ru_maxrss / 1024}))
        return
    out = subprocess.run(
        [sys.executable, __file__, "--child", args.case], env=env, capture_output=True, text=True
    )
    print(out.stdout.strip() or out.stderr[-500:])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
