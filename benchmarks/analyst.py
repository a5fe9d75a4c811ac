"""Against the pipeline a GIS analyst would write without urbanrisk (issue #8, benchmark 4).

On the 16-tile metropolis (OSM XML), the analyst computes per H3 r10 cell the building count, the
building footprint and the network distance to the nearest hospital, with the usual tools: osmnx
``features_from_xml``, geopandas ``sjoin`` / ``overlay`` against H3 cell polygons, osmnx
``graph_from_xml`` (edges outside osmnx's ``drive`` rules removed) and one networkx multi-source
Dijkstra from the hospitals (as urbanrisk's one scipy multi-source Dijkstra; until session 7 the analyst
ran one search per hospital, ~16x the work). urbanrisk computes those (and everything else of a run:
population, POIs, screens, grades, three coverage standards) with ``compute_run``. Both run in fresh
processes, libraries imported before the clock starts (urbanrisk's: also those it imports on first use,
:data:`urbanrisk.parallel.WORKER_MODULES`); the numbers are compared cell by cell. Each
round runs the three children one after the other (``--rounds``: alternated on a shared machine);
wall and CPU seconds (``getrusage``, the child and its worker processes) are reported per round.
End to end, as a user runs them: each child's whole process too (interpreter, imports, writing its
table), and a fourth child, ``urbanrisk run`` from the command line, which writes every output of a run
(grid parts, tables, ``risk.gpkg``, ``map.html``, ``report.html``, manifest): far more than the
analyst's one table, which it is compared with all the same.
``--base``: another tree's ``src`` folder (e.g. ``git worktree add --detach /tmp/base <commit>``),
whose ``compute_run`` runs in every round too, before and after this tree's in turn; its table must
equal this tree's exactly.

    .venv/bin/python benchmarks/analyst.py [--tiles 4] [--rounds 3] [--base /tmp/base/src]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, WUDAOKOU_OSM

ANALYST = r"""
import json, resource, sys, time
import geopandas as gpd, h3, networkx as nx, numpy as np, osmnx as ox, pandas as pd
from shapely.geometry import Polygon, box
ox.settings.use_cache = False
xml, bounds, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
def cpu():
    return sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime"))
start, cpu_start = time.perf_counter(), cpu()
features = ox.features_from_xml(xml, tags={"building": True, "amenity": ["hospital"]})
buildings = features[features["building"].notna() & features.geom_type.isin(["Polygon", "MultiPolygon"])]
hospitals = features[features.get("amenity").eq("hospital")]
cells = h3.h3shape_to_cells_experimental(h3.geo_to_h3shape(box(*bounds)), 10, "overlap")
polygons = [Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in cells]
grid = gpd.GeoDataFrame({"h3_cell": cells}, geometry=polygons, crs=4326)
points = gpd.GeoDataFrame(geometry=buildings.geometry.representative_point().to_numpy(), crs=4326)
counts = gpd.sjoin(points, grid, predicate="within").groupby("h3_cell").size()
pieces = gpd.overlay(buildings[["geometry"]].reset_index(drop=True).to_crs(32650), grid.to_crs(32650),
                     how="intersection")
footprint = pieces.assign(area=pieces.area).groupby("h3_cell")["area"].sum()
graph = ox.graph_from_xml(xml, simplify=False, retain_all=True)
drive = {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
         "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential", "living_street",
         "road", "busway"}  # osmnx's network_type="drive": no service roads, nothing private
graph.remove_edges_from([(u, v, k) for u, v, k, d in graph.edges(keys=True, data=True)
                         if d.get("highway") not in drive or d.get("access") == "private"
                         or "no" in (d.get("motor_vehicle"), d.get("motorcar"))])
graph.remove_nodes_from(list(nx.isolates(graph)))
graph = ox.truncate.largest_component(graph, strongly=True)
projected = ox.project_graph(graph, to_crs="EPSG:32650")
centres = grid.to_crs(32650).geometry.centroid
cell_nodes = ox.distance.nearest_nodes(projected, centres.x.to_numpy(), centres.y.to_numpy())
h_points = hospitals.to_crs(32650).geometry.representative_point()
h_nodes = ox.distance.nearest_nodes(projected, h_points.x.to_numpy(), h_points.y.to_numpy())
best = nx.multi_source_dijkstra_path_length(graph, set(h_nodes), weight="length")  # from the nearest hospital
table = pd.DataFrame({"buildings": counts, "footprint_m2": footprint,
                      "hospital_m": pd.Series([best.get(n, np.nan) for n in cell_nodes], index=cells)})
seconds, cpu_seconds = time.perf_counter() - start, cpu() - cpu_start
table.to_parquet(out)
print(json.dumps({"seconds": seconds, "cpu": cpu_seconds}))
"""

URBANRISK = r"""
import json, resource, sys, time
import urbanrisk as ur
from urbanrisk.parallel import resolve_scheduler
from urbanrisk.coverage import coverage_wide
from urbanrisk.pipeline import build_grid, compute_run, coverage_for, load_layers, study_area
import importlib, urbanrisk.parallel
for name in urbanrisk.parallel.WORKER_MODULES:  # what urbanrisk imports on first use too (lazy_scipy)
    importlib.import_module(name)
recipe = ur.load_recipe(sys.argv[1])
def cpu():
    return sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime"))
start, cpu_start = time.perf_counter(), cpu()
if sys.argv[3] == "run":  # everything of a run
    grid = compute_run(recipe, scheduler=resolve_scheduler(None)).grid
else:  # only the stages that give the analyst's numbers: layers, grid indicators, coverage
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    grid = build_grid(recipe, layers, area, scheduler=resolve_scheduler(None))
    grid = grid.join(coverage_wide(coverage_for(recipe, layers, area, grid).coverage))
seconds, cpu_seconds = time.perf_counter() - start, cpu() - cpu_start
table = grid[["buildings", "footprint_m2", "medical_travel"]]
table.rename(columns={"medical_travel": "hospital_m"}).to_parquet(sys.argv[2])
print(json.dumps({"seconds": seconds, "cpu": cpu_seconds}))
"""


def _process(argv: list[str], env: dict[str, str] | None = None) -> tuple[str, float, float]:
    """Run ``argv``; its stdout, and the wall and CPU seconds of the whole process (interpreter,
    imports, writing; ``getrusage`` of the children, the processes it forked and waited for too)."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    seconds, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return done.stdout, seconds, cpu


def _child(code: str, *args: str, src: str | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": src} if src else None  # ``src``: import urbanrisk from there
    stdout, seconds, cpu = _process([sys.executable, "-c", code, *args], env)
    return {**json.loads(stdout.strip().splitlines()[-1]), "process_seconds": seconds, "process_cpu": cpu}


def _cli_run(recipe: Path, out: Path, src: str | None = None) -> dict:
    """``urbanrisk run`` as a user types it (default scheduler): every output of a run written."""
    env = {**os.environ, "PYTHONPATH": src or str(ROOT / "src")}
    argv = [sys.executable, "-m", "urbanrisk", "run", str(recipe), "--out", str(out), "--quiet"]
    _, seconds, cpu = _process(argv, env)
    return {"process_seconds": seconds, "process_cpu": cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1, help="alternated runs of the three children")
    parser.add_argument(
        "--base", help="another tree's src folder: its compute_run alternated with this one's"
    )
    args = parser.parse_args()
    import numpy as np
    import pandas as pd

    from urbanrisk.preflight import area_bounds_hint
    from urbanrisk.recipe import load_recipe
    from urbanrisk.synth import synth_metro

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from ingest import _to_xml

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pbf, recipe = synth_metro(WUDAOKOU_OSM, args.tiles, folder)
        xml = folder / "metro.osm"
        _to_xml(pbf, xml)
        bounds = list(area_bounds_hint(load_recipe(recipe)))
        rounds, base_cpu, this_cpu, base_cli, this_cli = [], [], [], [], []
        for k in range(args.rounds):
            if args.base:  # this tree's and the base's compute_run and CLI run, in turn first
                for label in ("this", "base") if k % 2 else ("base", "this"):
                    src = args.base if label == "base" else str(ROOT / "src")
                    out = folder / f"{label}.parquet"
                    cpu = _child(URBANRISK, str(recipe), str(out), "run", src=src)
                    (base_cpu if label == "base" else this_cpu).append(cpu["cpu"])
                for label in ("this", "base") if k % 2 else ("base", "this"):
                    src = args.base if label == "base" else str(ROOT / "src")
                    cli = _cli_run(recipe, folder / f"cli_{label}", src)
                    (base_cli if label == "base" else this_cli).append(cli)
                print(
                    f"base / this urbanrisk run (CLI): {base_cli[-1]['process_cpu']:.2f} / "
                    f"{this_cli[-1]['process_cpu']:.2f} s CPU"
                )
                pd.testing.assert_frame_equal(
                    pd.read_parquet(folder / "base.parquet"),
                    pd.read_parquet(folder / "this.parquet"),
                    check_exact=True,
                )
                print(f"base / this compute_run: {base_cpu[-1]:.2f} / {this_cpu[-1]:.2f} s CPU")
            rounds.append(
                (
                    _child(ANALYST, str(xml), json.dumps(bounds), str(folder / "analyst.parquet")),
                    _child(URBANRISK, str(recipe), str(folder / "urbanrisk.parquet"), "run"),
                    _child(URBANRISK, str(recipe), str(folder / "same_work.parquet"), "stages"),
                    this_cli[-1] if args.base else _cli_run(recipe, folder / "cli"),
                )
            )
            print(
                "round: "
                + ", ".join(f"{r['seconds']:.2f} s wall / {r['cpu']:.2f} s CPU" for r in rounds[-1][:3])
                + ", whole processes: "
                + ", ".join(f"{r['process_seconds']:.2f} / {r['process_cpu']:.2f}" for r in rounds[-1])
            )
        theirs, ours, same_work = (
            {key: float(np.median([r[i][key] for r in rounds])) for key in ("seconds", "cpu")}
            for i in range(3)
        )
        whole = [
            {key: float(np.median([r[i][f"process_{key}"] for r in rounds])) for key in ("seconds", "cpu")}
            for i in range(4)
        ]
        pd.testing.assert_frame_equal(
            pd.read_parquet(folder / "same_work.parquet"), pd.read_parquet(folder / "urbanrisk.parquet")
        )
        if args.base:
            base, this = float(np.median(base_cpu)), float(np.median(this_cpu))
            analyst = float(np.median([r[0]["cpu"] for r in rounds]))
            print(
                f"compute_run CPU, medians of {args.rounds}: base {base:.2f} s, this tree {this:.2f} s "
                f"({this / base:.3f}x); analyst / base {analyst / base:.2f}x, "
                f"analyst / this {analyst / this:.2f}x"
            )
            base, this = (float(np.median([c["process_cpu"] for c in cli])) for cli in (base_cli, this_cli))
            analyst = float(np.median([r[0]["process_cpu"] for r in rounds]))
            print(
                f"urbanrisk run (CLI) CPU, whole processes, medians of {args.rounds}: base {base:.2f} s, "
                f"this tree {this:.2f} s ({this / base:.3f}x); analyst script / base {analyst / base:.2f}x, "
                f"analyst script / this {analyst / this:.2f}x"
            )
        a = pd.read_parquet(folder / "analyst.parquet")
        u = pd.read_parquet(folder / "urbanrisk.parquet")
    both = (
        u.add_suffix("_ur")
        .join(a.add_suffix("_an"), how="left")
        .fillna({"buildings_an": 0, "footprint_m2_an": 0})
    )
    same_count = float((both["buildings_ur"] == both["buildings_an"]).mean())
    footprint = float(np.abs(both["footprint_m2_ur"] - both["footprint_m2_an"]).max())
    reached = both["hospital_m_ur"].notna() & both["hospital_m_an"].notna()
    distance = (both.loc[reached, "hospital_m_ur"] - both.loc[reached, "hospital_m_an"]).abs()
    relative = distance / both.loc[reached, "hospital_m_an"].clip(lower=1.0)
    print(f"{args.tiles * args.tiles} tiles, {len(u):,} cells")
    print(f"medians of {args.rounds} round(s)")
    print(f"{'pipeline':<48} {'wall s':>8} {'CPU s':>8}")
    for label, row in (
        ("analyst (osmnx features, sjoin/overlay, networkx)", theirs),
        ("urbanrisk compute_run (everything of a run)", ours),
        ("urbanrisk layers + grid + coverage (same numbers)", same_work),
    ):
        print(f"{label:<48} {row['seconds']:>8.2f} {row['cpu']:>8.2f}")
    for key, what in (("seconds", "wall"), ("cpu", "CPU")):
        print(
            f"urbanrisk / analyst ({what}): whole run {ours[key] / theirs[key]:.3f}x "
            f"({theirs[key] / ours[key]:.1f}x faster); stages giving the analyst's numbers "
            f"{same_work[key] / theirs[key]:.3f}x ({theirs[key] / same_work[key]:.1f}x faster)"
        )
    print(
        "whole processes (interpreter, imports, the pipeline, writing: the analyst its table, "
        "urbanrisk run every output of a run: grid parts, tables, risk.gpkg, map.html, report.html, manifest)"
    )
    for label, row in zip(
        (
            "analyst script",
            "urbanrisk compute_run, nothing written",
            "urbanrisk layers + grid + coverage, nothing written",
            "urbanrisk run (CLI), every output written",
        ),
        whole,
        strict=True,
    ):
        print(f"{label:<52} {row['seconds']:>8.2f} {row['cpu']:>8.2f}")
    for key, what in (("seconds", "wall"), ("cpu", "CPU")):
        print(
            f"whole processes, analyst / urbanrisk ({what}): "
            f"compute_run {whole[0][key] / whole[1][key]:.1f}x, "
            f"urbanrisk run (CLI) {whole[0][key] / whole[3][key]:.1f}x"
        )
    print(
        f"same numbers: building count equal in {same_count:.1%} of cells; footprint max |diff| "
        f"{footprint:.3f} m²; hospital distance within 0.5 % in {(relative <= 0.005).mean():.1%} of "
        f"{reached.sum():,} cells (median |diff| {distance.median():.2f} m; osmnx measures edges on a "
        "sphere, urbanrisk on the WGS84 ellipsoid)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
