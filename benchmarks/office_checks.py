"""CPU seconds of `urbanrisk validate` (or `run`) on one recipe under two source trees, alternated
(A B A B ...), each a child process (its CPU from RUSAGE_CHILDREN): what a change's checks cost.

    python benchmarks/office_checks.py RECIPE BASE_SRC NEW_SRC [PAIRS] [validate|run]

Session 12 (fresh12): an office's recipe on the BUPT extract (units per level in EPSG:4548, a census
.xlsx, a GBK hazard registry in Gauss-Krüger metres, a resource .xlsx); numbers in RESULTS.md.
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile

PY = sys.executable


def once(src: str, recipe: str, command: str) -> float:
    """One child's CPU seconds (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    args = [PY, "-m", "urbanrisk", command, recipe]
    args += ["--out", tempfile.mkdtemp(prefix="office_checks_"), "--quiet"] if command == "run" else []
    done = subprocess.run(args, env={**os.environ, "PYTHONPATH": src}, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stdout + done.stderr
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    recipe, base, new = sys.argv[1:4]
    pairs = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    command = sys.argv[5] if len(sys.argv) > 5 else "validate"
    trees = {"base": base, "new": new}
    times: dict[str, list[float]] = {k: [] for k in trees}
    for _ in range(pairs):
        for name, src in trees.items():
            times[name].append(once(src, recipe, command))
    for name, values in times.items():
        print(name, "median CPU s", round(statistics.median(values), 3), [round(v, 3) for v in values])
    print("ratio new/base", round(statistics.median(times["new"]) / statistics.median(times["base"]), 3))


if __name__ == "__main__":
    main()
