"""Calibration against response records (issue #13 item 4): recovery of known speed factors.

Records are simulated on the Baltimore extract (10 OSM fire stations) as tests/test_calibrate.py
does: the drive graph built with the true speeds (table speed x factor, tagged maxspeeds too), each
record's time = delay + the scipy Dijkstra time from its station (half name theirs, 30 % of those
the second due; else the nearest) x lognormal(0, 0.08) + normal(0, 5 s), 3 % of them x 1.5-3. Then
``urbanrisk calibrate`` (the CLI) fits them, and the script prints true vs fitted factors and the
held-out agreement before and after, as a markdown table.

    .venv/bin/python benchmarks/calibrate.py [--records 3000] [--seed 7] [--by class]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from _common import ROOT, machine_line
from scipy.sparse.csgraph import dijkstra

TRUE = {"motorway": 0.8, "motorway_link": 0.8, "residential": 0.6, "primary": 0.9}
OTHER = 0.7
DELAY = 45.0


def simulate(recipe_path: Path, n: int, seed: int) -> pd.DataFrame:
    """Records with known factors and delay on the recipe's drive graph."""
    from urbanrisk.coverage import resources_near
    from urbanrisk.network import street_graph
    from urbanrisk.pipeline import load_layers, study_area, utm_crs_for
    from urbanrisk.recipe import load_recipe
    from urbanrisk.street_rules import speed_table

    recipe = load_recipe(recipe_path)
    layers = load_layers(recipe)
    area = study_area(recipe, layers)
    utm = utm_crs_for(area)
    table = speed_table()
    factor = np.array([TRUE.get(h, OTHER) for h in table.index])
    true = table.assign(drive_kmh=table["drive_kmh"] * factor, maxspeed_factor=factor)
    graph = street_graph(layers.streets, layers.street_nodes, mode="drive", utm_crs=utm, speeds=true)
    stations = resources_near(layers.pois, layers.resources, area, buffer_m=2000.0, utm_crs=utm)
    stations = stations[stations["kind"] == "fire_station"].reset_index(drop=True)
    xy = stations.to_crs(utm)
    station_node, _ = graph.snap(xy.geometry.x.to_numpy(), xy.geometry.y.to_numpy())
    rng = np.random.default_rng(seed)
    nodes = rng.choice(graph.snap_nodes, n)
    drive = dijkstra(graph.time_s, indices=station_node)[:, nodes]
    by_time = np.argsort(drive, axis=0)
    named = rng.random(n) < 0.5
    responder = np.where(named & (rng.random(n) < 0.3), by_time[1], by_time[0])
    seconds = DELAY + drive[responder, np.arange(n)] * np.exp(rng.normal(0, 0.08, n)) + rng.normal(0, 5, n)
    gross = rng.random(n) < 0.03
    seconds[gross] *= rng.uniform(1.5, 3.0, gross.sum())
    return pd.DataFrame(
        {
            "lon": graph.lonlat[nodes, 0],
            "lat": graph.lonlat[nodes, 1],
            "seconds": seconds.round(1),
            "station": np.where(named, stations["id"].to_numpy()[responder], ""),
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--by", choices=["class", "global"], default="class")
    args = parser.parse_args()
    from urbanrisk.cli import main as cli

    print(machine_line())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        body = yaml.safe_load((ROOT / "recipes" / "baltimore.yaml").read_text(encoding="utf-8"))
        body["layers"]["osm"]["path"] = str(ROOT / "layers" / "baltimore" / "baltimore_2015.osm.pbf")
        body["outputs"]["dir"] = str(folder / "out")
        recipe = folder / "baltimore.yaml"
        recipe.write_text(yaml.safe_dump(body), encoding="utf-8")
        simulate(recipe, args.records, args.seed).to_csv(folder / "records.csv", index=False)
        start = time.perf_counter()
        records, table = folder / "records.csv", folder / "s.csv"
        code = cli(
            ["calibrate", str(recipe), "--records", str(records), "--out", str(table), "--by", args.by]
        )
        wall = time.perf_counter() - start
        if code:
            return code
        report = json.loads((folder / "s.csv.report.json").read_text(encoding="utf-8"))
    print(f"\ncalibrate (CLI, loading the extract included): {wall:.1f} s\n")
    print("| class | true factor | fitted | error | records (>= 20 % of route) | factor |")
    print("|---|---|---|---|---|---|")
    for name, entry in report["factors"].items():
        if entry["records"] == 0 and name not in TRUE:
            continue
        truth = TRUE.get(name, OTHER)
        error = entry["factor"] / truth - 1
        print(
            f"| {name} | {truth} | {entry['factor']:.3f} | {error:+.1%} | {entry['records']} | "
            f"{entry['factor_of']} |"
        )
    delay = report["fixed_delay_s"]
    print(f"| fixed delay | {DELAY:.0f} s | {delay:.1f} s | {delay / DELAY - 1:+.1%} | | |")
    before, after = report["agreement"]["before"], report["agreement"]["after"]
    print(f"\n{report['agreement']['on']} ({after['records']}): before -> after")
    for key in ("spearman", "mean_abs_error_s", "median_abs_error_s", "mean_error_s"):
        print(f"- {key}: {before[key]} -> {after[key]}")
    print(f"iterations {report['method']['iterations']}, converged {report['method']['converged']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
