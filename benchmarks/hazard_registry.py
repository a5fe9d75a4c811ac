"""A province-scale hazard registry: N synthetic points through everything a run does with registries.

N hazard points (default 1k, 10k, 100k) are drawn inside a shipped city's extent (Baltimore, the
demo recipe, by default) with realistic kinds, severities on the 1-4 scale and, for one in five,
GB 18218 substances and tonnes (six substances, tonnes log-uniform, S = Σq/Q about 0.05-3, one in ten
written loosely: the line per N counts the GB 18218 grades; before session 13 every such row was
gasoline 30 t, S 0.15: none graded). Each N runs the recipe plus the registry in its own process
(``stage_memory``'s sampler: seconds and peak resident MB per stage: load/validate/preflight, grid,
coverage, screens incl. hazard sources, unknown exposure, GB 18218 and the responsibility list, then
the write stage: tables, GeoPackage, report, map). A baseline without the registry is measured in
the same invocation; the table prints each stage's ratio against it. CPU seconds are the run's
process and its children (the forked GeoPackage writer: session 12 on; session 11 counted the
process alone).

    .venv/bin/python benchmarks/hazard_registry.py [--recipe recipes/baltimore.yaml] [--n 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import ROOT, machine_line

#: kinds with their shares in a registry and the severity range they take
KINDS = {
    "fuel": (0.35, (2, 3)),
    "gas": (0.15, (2, 4)),
    "industrial": (0.25, (1, 3)),
    "power": (0.1, (1, 2)),
    "storage_tank": (0.08, (2, 4)),
    "chemical": (0.06, (3, 4)),
    "explosives": (0.01, (3, 4)),
}
#: GB 18218 substances a registry row may hold (';' separates several) and each one's tonnes, drawn
#: log-uniform in (low, high): S = sum(q / Q) runs from about 0.05 to 3, so some rows are major hazard
#: sources (S >= 1) and most are not. Q: gasoline 200 t, lpg 50, chlorine 5, ammonia 10, methane 50,
#: hydrogen 5 (layers/tables/gb18218.csv).
SUBSTANCES = [
    (("gasoline",), ((10.0, 400.0),)),
    (("lpg",), ((2.0, 120.0),)),
    (("chlorine",), ((0.2, 12.0),)),
    (("ammonia", "lpg"), ((0.5, 20.0), (1.0, 60.0))),
    (("methane",), ((3.0, 150.0),)),
    (("hydrogen",), ((0.2, 10.0),)),
]
#: Of the rows with substances, the share whose tonnes are written loosely (约30吨, 20-30吨: office13).
LOOSE_SHARE = 0.1


def _substance(rng: np.random.Generator) -> tuple[str, str]:
    """One row's substances and tonnes: a random entry of :data:`SUBSTANCES`, tonnes log-uniform."""
    names, ranges = SUBSTANCES[rng.integers(len(SUBSTANCES))]
    tonnes = [float(np.exp(rng.uniform(np.log(low), np.log(high)))) for low, high in ranges]
    if rng.random() < LOOSE_SHARE:
        texts = [f"约{t:.0f}吨" if rng.random() < 0.5 else f"{t * 0.8:.0f}-{t:.0f}吨" for t in tonnes]
    else:
        texts = [f"{t:.1f}" for t in tonnes]
    return ";".join(names), ";".join(texts)


def write_registry(path: Path, n: int, bbox: tuple[float, float, float, float], seed: int = 10) -> None:
    """A CSV registry of ``n`` points uniformly inside ``bbox`` (minlon, minlat, maxlon, maxlat); one
    row in five holds GB 18218 substances (:data:`SUBSTANCES`)."""
    rng = np.random.default_rng(seed)
    names = list(KINDS)
    kinds = rng.choice(names, size=n, p=[KINDS[k][0] for k in names])
    lon = rng.uniform(bbox[0], bbox[2], n)
    lat = rng.uniform(bbox[1], bbox[3], n)
    with open(path, "w", encoding="utf-8") as out:
        out.write("id,kind,name,severity,substance,quantity_t,lon,lat\n")
        for i in range(n):
            low, high = KINDS[kinds[i]][1]
            sub, qty = _substance(rng) if i % 5 == 0 else ("", "")
            out.write(
                f"HZ{i:06d},{kinds[i]},site {i},{rng.integers(low, high + 1)},{sub},{qty},"
                f"{lon[i]:.7f},{lat[i]:.7f}\n"
            )


def recipe_with_registry(base: Path, registry: Path | None, folder: Path) -> Path:
    """The recipe ``base`` with its paths made absolute and, if given, the registry as ``hazards``."""
    import yaml

    recipe = yaml.safe_load(base.read_text(encoding="utf-8"))
    for layer in recipe["layers"].values():
        if "path" in layer:
            layer["path"] = str((base.parent / layer["path"]).resolve())
    if registry is not None:
        recipe["layers"]["hazards"] = {
            "type": "points",
            "path": str(registry),
            "lon": "lon",
            "lat": "lat",
            "severity": {"column": "severity", "order": "4_is_most_severe"},
        }
    recipe["outputs"] = {"dir": str(folder / "out")}
    path = folder / f"recipe_{registry.stem if registry else 'base'}.yaml"
    path.write_text(yaml.safe_dump(recipe, allow_unicode=True), encoding="utf-8")
    return path


def child(recipe: str, out: str) -> None:
    """One run in this process: print its stage rows as JSON on the last line."""
    sys.path.insert(0, str(Path(__file__).parent))
    from stage_memory import Sampler

    from urbanrisk.run import run_recipe

    sampler = Sampler()
    start = time.perf_counter()
    result = run_recipe(recipe, out=out, scheduler="threads", after_stage=sampler.mark)
    wall = time.perf_counter() - start
    usage, forked = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    maxrss = usage.ru_maxrss / 1024
    # CPU: less load-bound than wall; with the children (the GeoPackage is written by a forked child)
    cpu = usage.ru_utime + usage.ru_stime + forked.ru_utime + forked.ru_stime
    rows: dict[str, list[float]] = {}
    for name, s, peak, _ in sampler.rows:  # the write stage's first line is "grid" too
        rows[f"write: {name}" if name in rows else name] = [s, peak]
    hz = result.screens.hazard_sources if result.screens is not None else None
    graded = hz["gb18218_grade"].value_counts().to_dict() if hz is not None and "gb18218_grade" in hz else {}
    major = {str(k): int(v) for k, v in graded.items() if k}  # "": not a major hazard source (S < 1)
    print(json.dumps({"rows": rows, "wall": wall, "maxrss": maxrss, "cpu": cpu, "gb18218": major}))


def measure(recipe: Path, out: Path) -> dict:
    """Run :func:`child` in a fresh process and read its JSON line."""
    cmd = [sys.executable, __file__, "--child", str(recipe), str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{recipe} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def extent(recipe: Path) -> tuple[float, float, float, float]:
    """The bounding box of the recipe's OSM extract (its header's box, else its nodes)."""
    import osmium
    import yaml

    layer = yaml.safe_load(recipe.read_text(encoding="utf-8"))["layers"]["osm"]
    box = osmium.io.Reader(str((recipe.parent / layer["path"]).resolve())).header().box()
    return box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipe", default=str(ROOT / "recipes" / "baltimore.yaml"))
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000, 100000])
    args = parser.parse_args()
    base = Path(args.recipe).resolve()
    print(machine_line())
    bbox = extent(base)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results["baseline"] = measure(recipe_with_registry(base, None, folder), folder / "o0")
        for n in args.n:
            registry = folder / f"hazards_{n}.csv"
            write_registry(registry, n, bbox)
            results[f"{n:,}"] = measure(recipe_with_registry(base, registry, folder), folder / f"o{n}")
    stages = list(dict.fromkeys(s for r in results.values() for s in r["rows"]))
    print("| stage | " + " | ".join(f"{k} s | {k} MB" for k in results) + " |")
    print("|---|" + "---|---|" * len(results))
    for stage in stages:
        cells = []
        for result in results.values():
            s, mb = result["rows"].get(stage, [float("nan"), float("nan")])
            cells += [f"{s:.2f}", f"{mb:,.0f}"]
        print(f"| {stage} | " + " | ".join(cells) + " |")
    base_wall, base_cpu = results["baseline"]["wall"], results["baseline"]["cpu"]
    for key, result in results.items():
        print(
            f"{key}: wall {result['wall']:.1f} s ({result['wall'] / base_wall:.2f}× baseline); "
            f"CPU {result['cpu']:.1f} s ({result['cpu'] / base_cpu:.2f}×); "
            f"ru_maxrss {result['maxrss']:,.0f} MiB "
            f"({result['maxrss'] / results['baseline']['maxrss']:.2f}×); "
            f"GB 18218 grades {result.get('gb18218', {})}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
