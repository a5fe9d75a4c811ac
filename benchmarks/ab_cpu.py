"""CPU seconds of one ``urbanrisk`` command under two source trees, alternated (A B A B ...), each a
child process (its CPU from RUSAGE_CHILDREN) and its peak RSS: what a change costs, on a loaded machine.

    python benchmarks/ab_cpu.py BASE_SRC NEW_SRC PAIRS -- incident RECIPE --at LON,LAT --kind fire

A ``{tmp}`` in the command becomes a fresh temporary folder each time (``--out {tmp}``).
Session 13 (office13): ``urbanrisk incident`` with a registry's keep_columns; numbers in RESULTS.md.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile


def once(src: str, command: list[str]) -> tuple[float, float]:
    """One child's CPU seconds (user + system) and the children's peak RSS so far (MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    args = [sys.executable, "-m", "urbanrisk", *(a.replace("{tmp}", tempfile.mkdtemp()) for a in command)]
    done = subprocess.run(args, env={**os.environ, "PYTHONPATH": src}, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stdout + done.stderr
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, after.ru_maxrss / 1024


def main() -> None:
    split = sys.argv.index("--")
    base, new, pairs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    command = sys.argv[split + 1 :]
    trees = {"base": base, "new": new}
    times: dict[str, list[float]] = {k: [] for k in trees}
    peak = 0.0
    for _ in range(pairs):
        for name, src in trees.items():
            cpu, peak = once(src, command)
            times[name].append(cpu)
    for name, values in times.items():
        print(
            f"{name}: median {statistics.median(values):.3f} s CPU ({', '.join(f'{v:.2f}' for v in values)})"
        )
    ratios = [n / b for b, n in zip(times["base"], times["new"], strict=True)]
    print(
        f"new / base: median {statistics.median(ratios):.3f} (pairs {', '.join(f'{r:.2f}' for r in ratios)})"
    )
    print(f"children's peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
