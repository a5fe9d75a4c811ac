"""Incident answers (issue #15): how long an answer takes from a run folder, and what N-1 costs a run.

    python benchmarks/incident.py RECIPE --at LON,LAT [--kind gas_leak] [--repeat 5]
    python benchmarks/incident.py RECIPE --n1       # only: what N-1 adds to a run's coverage stage

Runs the recipe first when it has no run yet. Prints, for the recipe's latest run: the answer in a
fresh process (cold: first import of the stack, first Transformer, first read of each file), the
answer again in the same process (warm), the CLI's wall time (``urbanrisk incident``, including
Python's start and imports) and the N-1 stage's share of the run (``coverage`` timing and the
``station_losses`` time per standard, measured by re-solving the latest run's coverage).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import ROOT, machine_line


def _cold(recipe: Path, at: str, kind: str) -> float:
    code = (
        "import time; t = time.perf_counter(); from urbanrisk.incident import answer_incident; "
        f"r = answer_incident({str(recipe)!r}, at={at!r}, kind={kind!r}, write=False); "
        "print(time.perf_counter() - t, r.timings['answer_s'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    total, answer = out.stdout.split()
    return float(total), float(answer)


def n_minus_one(recipe: Path) -> None:
    import urbanrisk as ur
    from urbanrisk import coverage

    spent: list[tuple[str, int, float]] = []
    real = coverage.station_losses

    def timed(graph, standard, table, resources, **kwargs):
        start = time.perf_counter()
        out = real(graph, standard, table, resources, **kwargs)
        spent.append((standard.name, len(out), time.perf_counter() - start))
        return out

    coverage.station_losses = timed
    result = ur.run_recipe(recipe, write=False)
    cells = len(result.grid)
    print(f"{recipe.name}: {cells:,} cells; coverage stage {result.timings['coverage']:.2f} s")
    for name, count, seconds in spent:
        print(
            f"  N-1 {name}: {count} resources, {seconds:.3f} s ({1000 * seconds / max(count, 1):.1f} ms each)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("recipe", type=Path)
    parser.add_argument("--at", default=None)
    parser.add_argument("--n1", action="store_true")
    parser.add_argument("--kind", default="gas_leak")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.n1:
        print(machine_line())
        n_minus_one(args.recipe)
        return
    import urbanrisk as ur
    from urbanrisk.incident import answer_incident
    from urbanrisk.lifecycle import latest_run

    print(machine_line())
    recipe = ur.load_recipe(args.recipe)
    if latest_run(Path(recipe.outputs.dir)) is None:
        start = time.perf_counter()
        ur.run_recipe(args.recipe)
        print(f"run (no run yet): {time.perf_counter() - start:.1f} s")
    run_dir = latest_run(Path(recipe.outputs.dir))
    sizes = {p.name: p.stat().st_size for p in run_dir.glob("*.parquet")}
    kept = sum(
        sizes[n]
        for n in (
            "resources.parquet",
            "vulnerable_sites.parquet",
            "network_nodes.parquet",
            "network_edges.parquet",
            "resilience.parquet",
        )
    )
    print(
        f"run {run_dir.name}: files kept for incidents {kept / 1e6:.2f} MB "
        f"of {sum(sizes.values()) / 1e6:.2f} MB Parquet"
    )
    colds = [_cold(args.recipe, args.at, args.kind) for _ in range(3)]
    print(
        f"cold (fresh process, import + recipe + answer): {statistics.median(c[0] for c in colds):.3f} s; "
        f"answer alone {statistics.median(c[1] for c in colds):.3f} s"
    )
    warm, cpu = [], []
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = answer_incident(recipe, at=args.at, kind=args.kind, write=False)
        warm.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(
        f"warm (same process, recipe loaded): median {statistics.median(warm):.3f} s, max {max(warm):.3f} s; "
        f"CPU median {statistics.median(cpu):.3f} s (load average {os.getloadavg()[0]:.1f})"
    )
    start = time.perf_counter()
    written = answer_incident(recipe, at=args.at, kind=args.kind, out=ROOT / "outputs" / "bench-incident")
    print(
        f"with the three files written: {time.perf_counter() - start:.3f} s "
        f"(write {written.timings['write_s']:.3f} s)"
    )
    cli = [
        sys.executable,
        "-m",
        "urbanrisk.cli",
        "incident",
        str(args.recipe),
        "--at",
        args.at,
        "--kind",
        args.kind,
        "--out",
        str(ROOT / "outputs" / "bench-incident"),
    ]
    start = time.perf_counter()
    subprocess.run(cli, check=True, capture_output=True)
    print(f"CLI wall (python start, imports, answer, files): {time.perf_counter() - start:.2f} s")
    rings = ", ".join(
        f"{r:.0f} m {v:,.0f}"
        for r, v in zip(result.rings["ring_m"], result.rings["residents_within"], strict=True)
    )
    print(
        f"answer: residents within {rings}; sites {len(result.sites)}; units {len(result.units)}; "
        f"resources {len(result.resources)}"
    )


if __name__ == "__main__":
    main()
