"""What the command line's light commands and a run's driver import: the heavy modules that only some
work needs are imported by the functions doing it (benchmarks/RESULTS.md, "The driver's serial CPU
(session 13, serial13)"). Each check runs in a fresh interpreter and reads its ``sys.modules``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from urbanrisk import lazy_scipy, parallel

ROOT = Path(__file__).resolve().parents[1]
#: Loaded only by the work that needs them: a raster (rasterio), a vector file (pyogrio), the map and
#: the incident sheet (pydeck), routing and screening (scipy's graphs and k-d tree), a quantile grading
#: (mapclassify, scikit-learn), an osmnx export (osmnx, networkx), an Excel file (openpyxl).
LAZY = (
    "rasterio",
    "pyogrio",
    "scipy.sparse.csgraph",
    "scipy.spatial",
    "mapclassify",
    "sklearn",
    "osmnx",
    "networkx",
    "openpyxl",
)
#: Not even these for --help and validate (the run's stack).
RUN_STACK = ("dask", "geopandas", "shapely", "pydeck", "jinja2", "scipy")


def _loaded_after(code: str) -> set[str]:
    """The modules of :data:`LAZY` and :data:`RUN_STACK` a fresh interpreter holds after ``code``."""
    probe = (
        "import json, sys\n"
        f"{code}\n"
        f"print('LOADED', json.dumps(sorted(m for m in {LAZY + RUN_STACK!r} if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("LOADED "))
    return set(json.loads(line.removeprefix("LOADED ")))


def _cli(*args: str) -> str:
    """``code`` running ``urbanrisk ARGS`` to its end (exit code 0 required)."""
    return (
        "import contextlib, io\n"
        "from urbanrisk.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        code = main({list(args)!r})\n"
        "    except SystemExit as exc:\n"
        "        code = exc.code\n"
        "assert code == 0, code\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("validate", "recipes/beijing-wudaokou.yaml"),  # OSM + a CSV registry
        ("validate", "recipes/beijing-bupt.yaml"),  # OSM + population from buildings
    ],
    ids=lambda args: " ".join(args),
)
def test_light_commands_import_no_heavy_module(args):
    loaded = _loaded_after(_cli(*args))
    assert not loaded, f"`urbanrisk {' '.join(args)}` imported {sorted(loaded)}"


def test_validate_of_a_raster_recipe_imports_rasterio_only_for_it():
    """The raster's checks still run (they need rasterio), and pull in nothing else heavy."""
    loaded = _loaded_after(_cli("validate", "recipes/accra.yaml"))
    assert loaded == {"rasterio"}


def test_run_driver_modules_leave_the_lazy_ones():
    """``import urbanrisk.run`` (what a run's driver imports before its first stage) loads none of
    :data:`LAZY`: a run loads them where its work needs them (on ``processes``, its workers)."""
    loaded = _loaded_after("import urbanrisk.run")
    assert {"dask", "geopandas", "shapely"} <= loaded  # the probe sees what the driver does import
    assert not loaded & set(LAZY), sorted(loaded & set(LAZY))


def test_worker_processes_import_the_lazy_scipy_modules_ahead():
    """The fork server preloads what :mod:`urbanrisk.lazy_scipy` loads on first call: every worker
    forked from it routes and screens without importing them itself."""
    assert set(lazy_scipy.MODULES) <= set(parallel.WORKER_MODULES)
    loaded = _loaded_after(
        f"import importlib\nfor name in {parallel.WORKER_MODULES!r}: importlib.import_module(name)"
    )
    assert {"scipy.sparse.csgraph", "scipy.spatial"} <= loaded
