"""urbanrisk benchmarks: one table per run, every ratio measured side by side in the same run.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/run.py``). Record results in
benchmarks/RESULTS.md with the machine and date. Tests never assert speed; this file does not either.

Cases
-----
schedulers
    The grid stage (per-partition indicators) of the default recipe and of Accra's WorldPop raster at
    H3 resolution 10 (~163k cells), under each local Dask scheduler; ratio against synchronous.
coverage
    Travel time from the nearest resource to every cell of Baltimore (fire: drive time; medical: drive
    distance), on the same graph: urbanrisk's one multi-source scipy Dijkstra on the min-weight CSR
    matrix against the baseline a user would write with networkx (one shortest-path tree per facility,
    then the minimum per node). Graph building is timed apart (it is shared).
rescan
    A nightly rescan of Wudaokou and Baltimore: the first (full) run, a rescan with nothing changed
    (outputs reused by hard links) and a rescan after one hazard registry changed (OSM layers and
    unchanged grid partitions from the content-keyed cache); ratios against the full run.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

from _common import ROOT, machine_line


def _time(func, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_schedulers(repeat: int) -> list[tuple[str, str, float, float]]:
    import urbanrisk as ur
    from urbanrisk.pipeline import build_grid, load_layers, study_area

    rows = []
    cases = {
        "wudaokou r10": ur.load_recipe(ROOT / "recipes" / "beijing-wudaokou.yaml"),
        "accra r10": ur.load_recipe(ROOT / "recipes" / "accra.yaml"),
    }
    accra = cases["accra r10"]
    cases["accra r10"] = accra.model_copy(update={"grid": accra.grid.model_copy(update={"resolution": 10})})
    for label, recipe in cases.items():
        layers = load_layers(recipe)
        area = study_area(recipe, layers)
        base = None
        for scheduler in ("synchronous", "threads", "processes"):

            def grid_stage(r=recipe, lay=layers, a=area, s=scheduler):
                return build_grid(r, lay, a, scheduler=s)

            seconds = _time(grid_stage, repeat)
            base = base or seconds
            rows.append((label, scheduler, seconds, seconds / base))
    return rows


def bench_coverage(repeat: int) -> list[tuple[str, str, float, float]]:
    import networkx as nx
    import numpy as np
    from shapely.geometry import box

    from urbanrisk.coverage import cover_cells, resources_near, standards_for
    from urbanrisk.grade import cell_centres_xy
    from urbanrisk.grid import cells_from_area, grid_frame
    from urbanrisk.layers.osm import osm_from_file
    from urbanrisk.network import street_graph

    osm = osm_from_file(ROOT / "layers" / "baltimore" / "baltimore_2015.osm.pbf")
    area = box(*osm.bounds)
    grid = grid_frame(cells_from_area(area, 10))
    grid["residents"] = 1.0
    utm = "EPSG:32618"
    rows = []
    start = time.perf_counter()
    graph = street_graph(osm.streets, osm.street_nodes, mode="drive", utm_crs=utm)
    rows.append(
        (
            f"drive graph ({graph.graph.number_of_nodes():,} nodes)",
            "osmnx + CSR",
            time.perf_counter() - start,
            1.0,
        )
    )
    resources = resources_near(osm.pois, None, area, buffer_m=2000.0, utm_crs=utm)
    xy = cell_centres_xy(grid.index, utm)
    for standard in standards_for("cn")[:2]:
        label = f"{standard.name}: {len(grid):,} cells"
        ours = _time(
            lambda s=standard: cover_cells(graph, s, grid, resources, max_snap_m=500.0, cells_xy=xy), repeat
        )
        own = resources[resources["kind"] == standard.resource_kind].to_crs(utm)
        res_node, _ = graph.snap(own.geometry.x.to_numpy(), own.geometry.y.to_numpy())
        cell_node, _ = graph.snap(xy[:, 0], xy[:, 1])
        weight = "travel_time" if standard.by_time else "length"

        def baseline(nodes=res_node, w=weight, cells=cell_node):
            best: dict[int, float] = {}
            for node in nodes:  # the per-facility loop urbanrisk avoids
                lengths = nx.single_source_dijkstra_path_length(
                    graph.graph, int(graph.node_ids[node]), weight=w
                )
                for target, value in lengths.items():
                    if value < best.get(target, np.inf):
                        best[target] = value
            return np.array([best.get(int(graph.node_ids[c]), np.inf) for c in cells])

        theirs = _time(baseline, repeat)
        rows.append((label, "networkx per facility", theirs, 1.0))
        rows.append((label, "urbanrisk", ours, ours / theirs))
    return rows


def bench_rescan() -> list[tuple[str, str, float, float]]:
    import tempfile

    import yaml

    from urbanrisk.rescan import rescan

    rows = []
    cases = {
        "wudaokou": ROOT / "recipes" / "beijing-wudaokou.yaml",
        "baltimore": ROOT / "recipes" / "baltimore.yaml",
    }
    for label, path in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            body = yaml.safe_load(path.read_text(encoding="utf-8"))
            for spec in body["layers"].values():
                if "path" in spec:
                    spec["path"] = str((path.parent / spec["path"]).resolve())
            registry = folder / "hazards.csv"
            registry.write_text("id,kind,name,severity,lon,lat\n", encoding="utf-8")
            body["layers"]["registry"] = {
                "type": "points",
                "path": str(registry),
                "role": "hazard",
                "severity": {"order": "4_is_most_severe"},
            }
            x0, y0, x1, y1 = _osm_bounds(body)
            registry.write_text(
                f"id,kind,name,severity,lon,lat\nB1,gas,bench,3,{(x0 + x1) / 2},{(y0 + y1) / 2}\n",
                encoding="utf-8",
            )
            body["outputs"]["dir"] = str(folder / "out")
            recipe = folder / "recipe.yaml"
            recipe.write_text(yaml.safe_dump(body), encoding="utf-8")
            full = _time(lambda r=recipe: rescan(r), 1)
            same = _time(lambda r=recipe: rescan(r), 1)
            registry.write_text(
                registry.read_text() + f"B2,fuel,bench2,3,{x0 + (x1 - x0) / 4},{y0 + (y1 - y0) / 4}\n"
            )
            changed = _time(lambda r=recipe: rescan(r), 1)
        rows.append((label, "full run", full, 1.0))
        rows.append((label, "nothing changed", same, same / full))
        rows.append((label, "one registry changed", changed, changed / full))
    return rows


def _osm_bounds(body: dict) -> tuple[float, float, float, float]:
    import osmium

    box = osmium.io.Reader(body["layers"]["osm"]["path"], osmium.osm.osm_entity_bits.NOTHING).header().box()
    return box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(machine_line())
    print()
    print(f"{'case':<16} {'scheduler':<12} {'seconds':>9} {'vs synchronous':>15}")
    for label, scheduler, seconds, ratio in bench_schedulers(args.repeat):
        print(f"{label:<16} {scheduler:<12} {seconds:>9.2f} {ratio:>14.2f}x")
    print()
    print(f"{'coverage case':<34} {'method':<22} {'seconds':>9} {'vs baseline':>12}")
    for label, method, seconds, ratio in bench_coverage(args.repeat):
        print(f"{label:<34} {method:<22} {seconds:>9.3f} {ratio:>11.3f}x")
    print()
    print(f"{'rescan case':<14} {'rescan':<22} {'seconds':>9} {'vs full run':>12}")
    for label, what, seconds, ratio in bench_rescan():
        print(f"{label:<14} {what:<22} {seconds:>9.3f} {ratio:>11.3f}x")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the benchmark process: {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
