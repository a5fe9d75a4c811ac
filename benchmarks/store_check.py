"""What checking ``compute.store`` costs each time a recipe is read (``validate``, every run).

Reads recipes/beijing-wudaokou.yaml without and with ``compute: {store: <a folder yet to be made>}``,
alternated round by round, and prints the CPU milliseconds per read (``time.process_time``); the folder
must stay absent (the check makes nothing).

Usage: ``PYTHONPATH=src python benchmarks/store_check.py``
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine

from urbanrisk.recipe.load import recipe_from_text

ROUNDS, READS = 5, 50


def main() -> None:
    """Print the CPU milliseconds per read of each recipe, round by round, and their medians."""
    folder = ROOT / "recipes"
    text = (folder / "beijing-wudaokou.yaml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="urbanrisk-store-check-") as scratch:
        store = Path(scratch) / "new"
        texts = {"no store": text, "store: a new local folder": text + f"\ncompute: {{store: {store}}}\n"}
        rounds: dict[str, list[float]] = {name: [] for name in texts}
        for _ in range(ROUNDS):
            for name, body in texts.items():
                start = time.process_time()
                for _ in range(READS):
                    recipe_from_text(body, base_dir=folder)
                rounds[name].append((time.process_time() - start) / READS * 1000)
        assert not store.exists() and not any(Path(scratch).iterdir()), "the check left something behind"
    print(machine())
    for name, values in rounds.items():
        spread = " ".join(f"{v:.2f}" for v in values)
        print(f"{name}: {spread} ms CPU per read, median {statistics.median(values):.2f}")


if __name__ == "__main__":
    main()
