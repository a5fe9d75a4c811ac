"""The house: imports point down, no module imports its way back up, every room has a name.

Counted like import-linter counts them: imports at module level, inside functions and under
``TYPE_CHECKING`` alike (a type is a dependency too).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import networkx as nx
import pytest

from conftest import validate_in_fresh_process

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "urbanrisk"
BIN = Path(sys.executable).parent


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("urbanrisk", cache_dir=None)


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every strongly connected group of modules (each one a cycle), largest first."""
    digraph = nx.DiGraph()
    for module in graph.modules:
        digraph.add_node(module)
        for imported in graph.find_modules_directly_imported_by(module):
            digraph.add_edge(module, imported)
    groups = [sorted(c) for c in nx.strongly_connected_components(digraph) if len(c) > 1]
    return sorted(groups, key=len, reverse=True)


def _layer_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    names = set()
    for layer in contract["layers"]:
        names |= {part.strip() for part in layer.replace(":", "|").split("|")}
    return names


def test_no_import_cycle():
    assert import_cycles(_graph()) == []


def test_the_cycle_check_catches_an_added_cycle():
    graph = _graph()
    graph.add_import(importer="urbanrisk.result", imported="urbanrisk.outputs.report")
    cycles = import_cycles(graph)
    assert cycles and "urbanrisk.result" in cycles[0] and "urbanrisk.outputs.report" in cycles[0]


def test_every_module_has_a_layer():
    """A new module must be placed in the layers contract, else the contract says nothing of it."""
    layers = _layer_modules()
    top = {m.split(".")[1] for m in _graph().modules if m.count(".") >= 1}
    unplaced = sorted(f"urbanrisk.{name}" for name in top if f"urbanrisk.{name}" not in layers)
    assert unplaced == [], f"add these to [tool.importlinter] layers in pyproject.toml: {unplaced}"


def test_import_contracts_kept():
    done = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_ruff_with_complexity_limit():
    done = subprocess.run(
        [str(BIN / "ruff"), "check", "src", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_module_size(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 450, f"{path.name} has {lines} lines: split it by job"


def test_validate_stays_light():
    """`urbanrisk validate` loads neither dask nor geopandas nor shapely."""
    recipe = ROOT / "recipes" / "beijing-wudaokou.yaml"
    done = validate_in_fresh_process(recipe, "-X", "importtime")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "HEAVY []" in done.stdout, done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert not {m for m in imported if m.split(".")[0] in ("dask", "geopandas", "shapely")}
    assert "about" in done.stdout  # the cell estimate is still given


def test_every_module_imports():
    """A name moved to another module and still imported from the old one fails here, not in a run."""
    import importlib
    import pkgutil

    import urbanrisk

    for module in pkgutil.walk_packages(urbanrisk.__path__, "urbanrisk."):
        importlib.import_module(module.name)


def test_python_dash_m_urbanrisk_keeps_the_exit_codes(tmp_path):
    """``python -m urbanrisk`` is the command too (it had no __main__), exit codes included."""
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    done = subprocess.run(
        [sys.executable, "-m", "urbanrisk", "validate", str(tmp_path / "none.yaml")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 2 and "recipe not found" in done.stderr


def test_a_reader_that_goes_away_is_no_internal_error():
    """``urbanrisk validate R | head -0``: the closed pipe raised BrokenPipeError, a traceback and exit 1
    (internal error) after the work was done; the command now keeps its own exit code."""
    env = {**os.environ, "PYTHONPATH": str(SRC.parent)}
    recipe = ROOT / "recipes" / "beijing-bupt.yaml"
    with subprocess.Popen(
        [sys.executable, "-m", "urbanrisk", "validate", str(recipe)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as done:
        done.stdout.close()  # the reader is gone before the command prints
        err = done.stderr.read().decode()
        code = done.wait(timeout=60)
    assert code == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err
